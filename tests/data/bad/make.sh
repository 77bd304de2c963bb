#!/usr/bin/env bash
# make.sh — regenerates the small image fixtures that tests/unit/test_imageio.c reads.
#
# Writes bad inputs into tests/data/bad/ (this folder) and good inputs of every decoded format into
# tests/data/imageio/. The outputs are committed (a few hundred KB in all), so running this is only
# needed to change them. The pictures are crops of vn-docs/pages/real_qd_707_ttg_p1.png, a
# public-domain Vietnamese government document (see ../shared/corpus/vn-docs/LICENSE); the PDFs
# and the "bomb" headers are written from scratch below.
#
# Needs: vips (libvips-tools), tiffcp/tiffinfo (libtiff-tools), exiftool (libimage-exiftool-perl),
# qpdf, python3. On Debian: apt-get install libvips-tools libtiff-tools libimage-exiftool-perl qpdf
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bad=$here
good=$(cd "$here/.." && pwd)/imageio
corpus=${SOHOA_CORPUS_DIR:-$(cd "$here/../../../.." && pwd)/shared/corpus}
src=$corpus/vn-docs/pages/real_qd_707_ttg_p1.png
mkdir -p "$good"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mm() { python3 -c "print($1 / 25.4)"; } # dots per inch -> pixels per mm, as libvips wants

# ---- source pictures -------------------------------------------------------------------------
vips crop "$src" "$tmp/rgb.v" 100 150 600 400                  # text, a box, part of a stamp
vips black "$tmp/blk.v" 120 60 --bands 3
vips linear "$tmp/blk.v" "$tmp/red.v" "1 1 1" "220 20 30" --uchar
vips insert "$tmp/rgb.v" "$tmp/red.v" "$tmp/rgbred.v" 460 320     # a red block bottom-right
vips colourspace "$tmp/rgb.v" "$tmp/grey.v" b-w
vips relational_const "$tmp/grey.v" "$tmp/bw.v" moreeq 128        # 0/255 only

# ---- good: multi-page TIFF, one compression per page, each page a different size -----------
vips tiffsave "$tmp/bw.v" "$tmp/p1.tif" --compression ccittfax4 --bitdepth 1 \
    --resunit inch --xres "$(mm 300)" --yres "$(mm 300)"
vips crop "$tmp/grey.v" "$tmp/grey2.v" 0 0 500 300
vips tiffsave "$tmp/grey2.v" "$tmp/p2.tif" --compression lzw \
    --resunit inch --xres "$(mm 300)" --yres "$(mm 300)"
vips crop "$tmp/rgbred.v" "$tmp/rgb3.v" 200 100 400 300
vips tiffsave "$tmp/rgb3.v" "$tmp/p3.tif" --compression jpeg --Q 70 \
    --resunit inch --xres "$(mm 300)" --yres "$(mm 300)"
rm -f "$good/multipage-g4-lzw-jpeg.tif"
tiffcp "$tmp/p1.tif" "$tmp/p2.tif" "$tmp/p3.tif" "$good/multipage-g4-lzw-jpeg.tif"

# ---- good: an over-resolved 600 dpi bilevel scan (reduced to 300 dpi on decode) ------------
vips resize "$tmp/bw.v" "$tmp/bw2.v" 2 --kernel nearest
vips tiffsave "$tmp/bw2.v" "$good/g4-600dpi.tif" --compression ccittfax4 --bitdepth 1 \
    --resunit inch --xres "$(mm 600)" --yres "$(mm 600)"

# ---- good: a fax-mode page, 204 x 98 dpi (non-square pixels, squared on decode) -------------
vips resize "$tmp/bw.v" "$tmp/fax.v" 0.68 --vscale 0.49 --kernel nearest
vips relational_const "$tmp/fax.v" "$tmp/fax2.v" moreeq 128
vips tiffsave "$tmp/fax2.v" "$good/fax-204x98.tif" --compression ccittfax4 --bitdepth 1 \
    --resunit inch --xres "$(mm 204)" --yres "$(mm 98)"

# ---- good: WebP, PNG variants, JPEG variants -----------------------------------------------
vips webpsave "$tmp/rgbred.v" "$good/page.webp" --Q 70
vips pngsave "$tmp/rgbred.v" "$good/palette.png" --palette --colours 16
vips linear "$tmp/grey.v" "$tmp/g16.v" 257 0
vips cast "$tmp/g16.v" "$tmp/g16u.v" ushort
vips copy "$tmp/g16u.v" "$tmp/g16i.v" --interpretation grey16
vips pngsave "$tmp/g16i.v" "$good/grey16.png"
# alpha: the left half fully transparent, so it must come out white after flattening
vips black "$tmp/a0.v" 300 400
vips black "$tmp/a1.v" 300 400
vips linear "$tmp/a1.v" "$tmp/a1w.v" 1 255 --uchar
vips cast "$tmp/a0.v" "$tmp/a0u.v" uchar
vips join "$tmp/a0u.v" "$tmp/a1w.v" "$tmp/alpha.v" horizontal
vips bandjoin "$tmp/rgb.v $tmp/alpha.v" "$tmp/rgba.v"
vips pngsave "$tmp/rgba.v" "$good/alpha.png"
# a PNG wearing a .jpg name: the format is sniffed from the bytes, never the extension
vips pngsave "$tmp/grey.v" "$good/png-named.jpg"
# EXIF orientation 6 (display rotated 90 degrees clockwise); a black marker in the stored top-left
vips black "$tmp/mk.v" 40 40 --bands 3
vips cast "$tmp/mk.v" "$tmp/mku.v" uchar
vips insert "$tmp/rgb.v" "$tmp/mku.v" "$tmp/mark.v" 0 0
vips crop "$tmp/mark.v" "$tmp/mark2.v" 0 0 300 200
vips jpegsave "$tmp/mark2.v" "$good/exif-rot6.jpg" --Q 80
exiftool -q -overwrite_original -n -Orientation=6 "$good/exif-rot6.jpg"
# CMYK (libvips' built-in CMYK profile) as JPEG and as TIFF
vips crop "$tmp/rgbred.v" "$tmp/small.v" 300 200 300 200         # red block at 160,120
vips icc_export "$tmp/small.v" "$tmp/cmyk.v" --output-profile cmyk
vips jpegsave "$tmp/cmyk.v" "$good/cmyk.jpg" --Q 80 --strip
vips tiffsave "$tmp/cmyk.v" "$good/cmyk.tif" --compression lzw --strip
# a 1-bit PNG and a greyscale JPEG
vips pngsave "$tmp/bw.v" "$good/bilevel.png" --bitdepth 1
vips jpegsave "$tmp/grey.v" "$good/grey.jpg" --Q 80

# ---- PDFs written from scratch (python below): a 2-page A4 document and a 200-inch page -----
python3 - "$tmp" <<'EOF'
import sys
out = sys.argv[1]

def pdf(path, pages):
    """Write a minimal PDF; pages is a list of (width_pt, height_pt, content_bytes)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", None,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for w, h, content in pages:
        objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] "
                    b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
                    % (w, h, len(objs)))
        kids.append(len(objs))
    objs[1] = (b"<< /Type /Pages /Count %d /Kids [%s] >>"
               % (len(kids), b" ".join(b"%d 0 R" % k for k in kids)))
    data = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(data))
        data += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        data += b"%010d 00000 n \n" % off
    data += (b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
             % (len(objs) + 1, xref))
    open(path, "wb").write(data)

def page(n):
    text = b"BT /F1 36 Tf 72 720 Td (sohoa fixture page %d) Tj ET\n" % n
    boxes = b"".join(b"0 0 0 rg %d %d 200 12 re f\n" % (72, 650 - 30 * i) for i in range(12))
    return (595, 842, text + boxes)

pdf(out + "/two-pages.pdf", [page(1), page(2)])
pdf(out + "/huge-page.pdf", [(14400, 14400, b"0 0 0 rg 100 100 500 500 re f")])
EOF
cp "$tmp/two-pages.pdf" "$good/two-pages.pdf"
# encrypted with an owner password only: readable by anyone, so it must decode
qpdf --encrypt "" owner-secret 256 -- "$tmp/two-pages.pdf" "$good/owner-password-only.pdf"

# ---- bad inputs ----------------------------------------------------------------------------
: >"$bad/empty.png"
printf 'This is a plain text file, not a PDF.\nIt only wears a .pdf name.\n' >"$bad/text.pdf"
cut_half() { head -c $(($(stat -c %s "$1") / 2)) "$1" >"$2"; }
vips pngsave "$tmp/rgb.v" "$tmp/whole.png"
cut_half "$tmp/whole.png" "$bad/truncated.png"
vips jpegsave "$tmp/rgb.v" "$tmp/whole.jpg" --Q 80
cut_half "$tmp/whole.jpg" "$bad/truncated.jpg"
cut_half "$tmp/two-pages.pdf" "$bad/truncated.pdf"
cut_half "$good/multipage-g4-lzw-jpeg.tif" "$bad/truncated.tif"
qpdf --encrypt user-secret owner-secret 256 -- "$tmp/two-pages.pdf" "$bad/encrypted.pdf"
qpdf --empty "$bad/no-pages.pdf"
cp "$tmp/huge-page.pdf" "$bad/huge-page.pdf"
# headers that claim enormous pictures, with almost no data behind them
vips black "$tmp/tiny.v" 16 16
vips jpegsave "$tmp/tiny.v" "$tmp/tiny.jpg"
python3 - "$bad" "$tmp/tiny.jpg" <<'EOF'
import struct, sys, zlib
bad, jpg = sys.argv[1], sys.argv[2]

def chunk(kind, body):
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))

w = h = 35000
ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)           # 8-bit grey
rows = zlib.compress(b"\0" * ((w + 1) * 8), 9)                   # 8 white-ish rows of data
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
open(bad + "/bomb-35000x35000.png", "wb").write(png)

data = bytearray(open(jpg, "rb").read())
i = 2
while i < len(data):                                             # patch the SOF dimensions
    marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
    if marker in (0xC0, 0xC1, 0xC2):
        struct.pack_into(">HH", data, i + 5, 60000, 60000)
        break
    i += 2 + length
open(bad + "/bomb-60000x60000.jpg", "wb").write(data)
EOF

echo "fixtures written:"
du -ch "$bad"/* "$good"/* | tail -1
