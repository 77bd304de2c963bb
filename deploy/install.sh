#!/usr/bin/env bash
# deploy/install.sh — installs what sohoa needs on a fresh Debian 12 machine. Idempotent: only
# missing packages are installed, so a second run costs a second.
#
#   deploy/install.sh            build tools, libraries, Tesseract + Vietnamese data, fonts
#   deploy/install.sh --tests    + what the test suite uses (cmocka, poppler-utils, qpdf, mupdf-tools,
#                                  clang-format and clang-tidy 14 for the style checks) and a
#                                  decimal-comma locale (vi_VN.UTF-8, de_DE.UTF-8: the PDF and TSV
#                                  writers are tested under it)
#   deploy/install.sh --bench    + the anchors the benchmarks compare against (ocrmypdf, time)
#   deploy/install.sh --integration
#                                + the servers the integration tests start (RabbitMQ, PostgreSQL;
#                                  node and npm install s3rver) and the deploy/ file linters
#                                  (cmake -DSOHOA_INTEGRATION_TESTS=ON)
#
# Runs apt-get as root (or through sudo when not root).
set -euo pipefail

tests=0
packages=(
  build-essential cmake pkg-config
  libtesseract-dev tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd
  libleptonica-dev libvips-dev libglib2.0-dev
  libsqlite3-dev libjansson-dev libutf8proc-dev libs3-dev
  libpq-dev librabbitmq-dev libmicrohttpd-dev libcurl4-openssl-dev libzbar-dev libqrencode-dev
  fonts-dejavu-core fonts-liberation2
)
for arg in "$@"; do
  case "$arg" in
    --tests)
      tests=1
      packages+=(libcmocka-dev poppler-utils qpdf mupdf-tools libxml2-utils jq time curl
        python3-jsonschema clang-format-14 clang-tidy-14 locales) ;;
    --bench) packages+=(ocrmypdf img2pdf time bc jq poppler-utils gnuplot-nox python3-pil libvips-tools curl) ;;
    --integration) packages+=(nodejs rabbitmq-server postgresql yamllint docker-compose systemd shellcheck); command -v npm >/dev/null || packages+=(npm) ;;
    *) echo "usage: $0 [--tests] [--bench] [--integration]" >&2; exit 64 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install: all packages present" >&2
fi

# The decimal-comma locales the tests switch LC_NUMERIC to (tests/unit/test_pdfwriter.c,
# test_render.c): enabled in /etc/locale.gen, so that a later locale-gen keeps them.
if [ "$tests" = 1 ]; then
  want=(vi_VN de_DE)
  have="$(locale -a 2>/dev/null)"
  gen=()
  for l in "${want[@]}"; do
    grep -qix "$l\.utf-\?8" <<<"$have" || gen+=("$l")
  done
  if [ "${#gen[@]}" -gt 0 ]; then
    echo "install: generating locales ${gen[*]/%/.UTF-8}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    for l in "${gen[@]}"; do
      if grep -q "^# *$l\.UTF-8 UTF-8" /etc/locale.gen; then
        $sudo sed -i "s/^# *\($l\.UTF-8 UTF-8\)/\1/" /etc/locale.gen
      elif ! grep -q "^$l\.UTF-8 UTF-8" /etc/locale.gen; then
        echo "$l.UTF-8 UTF-8" | $sudo tee -a /etc/locale.gen >/dev/null
      fi
    done
    $sudo locale-gen >/dev/null
  fi
fi
