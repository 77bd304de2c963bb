/* imageio.c — everything sohoa does with libvips; the only file that includes <vips/vips.h>.
 *
 * Holds, in order: start-up (once per process) and the warning handler; libvips error text and
 * limit messages; format sniffing; the file checks shared by probe and decode (never blocking on
 * a FIFO, size, head and tail bytes, the /Encrypt scan); one loader call per format and the
 * classification of its failures; probe; the pixel pipeline (orientation, colour, depth, alpha,
 * bands); reading pixels out in strips under a deadline; the resolution policy (assume, square,
 * reduce); JPEG encoding and thumbnails.
 *
 * Loaders always read from a libvips source on the descriptor that passed the checks, so the file
 * that is decoded is the file that was checked. Source loaders are never cached by libvips, so a
 * new file at an old path can never be answered from the cache.
 */
#include "pipeline/image/imageio.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <vips/vips.h>

#define HEAD_BYTES  1024 /* enough to sniff any format; a PDF header may sit in the first 1 KiB */
#define TAIL_BYTES  4096 /* where a complete PNG has IEND and a complete PDF has %%EOF */
#define STRIP_ROWS  128  /* rows read per step; the decode deadline is checked between steps */
#define ASSUMED_DPI 300.0
#define MIN_DPI     70.0 /* plausible scan resolutions; 72 and 96 alone are placeholders */
#define MAX_DPI     2400.0

/* ---- start-up -------------------------------------------------------------------------------- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_status;
static char init_msg[SOHOA_ERR_MSG_MAX];
static char version_text[48];

/* The last libvips warning seen on this thread: used when a failure leaves no error text. */
static _Thread_local char last_warning[256];

static void on_vips_log(const gchar *domain, GLogLevelFlags level, const gchar *message,
                        gpointer data)
{
    (void)snprintf(last_warning, sizeof last_warning, "%s", message ? message : "");
}

static void init_run(void)
{
    (void)snprintf(version_text, sizeof version_text, "libvips %d.%d.%d", vips_version(0),
                   vips_version(1), vips_version(2));
    if (VIPS_INIT("sohoa")) {
        char *msg = vips_error_buffer_copy();
        (void)snprintf(init_msg, sizeof init_msg, "libvips failed to start: %s", msg ? msg : "");
        g_free(msg);
        init_status = SOHOA_EBACKEND;
        return;
    }
    /* One page per job, one thread per worker: no pool threads inside libvips, and a cache too
     * small to hold a page. No input file may stay open in the cache (max_files 0), so a
     * finished page never pins its file or its pixels. */
    vips_concurrency_set(1);
    vips_cache_set_max(8);
    vips_cache_set_max_mem((size_t)16 * 1024 * 1024);
    vips_cache_set_max_files(0);
    /* Damaged input makes libvips, poppler and GObject complain on stderr (a page with a zero
     * size, a page index poppler refuses); keep it for the error message instead. */
    static const char *const domains[] = {"VIPS", "Poppler", "GLib-GObject"};
    for (size_t i = 0; i < sizeof domains / sizeof domains[0] && !getenv("SOHOA_VIPS_WARNINGS");
         i++)
        g_log_set_handler(domains[i],
                          G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE |
                              G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG,
                          on_vips_log, NULL);
}

int sohoa_imageio_init(struct sohoa_err *err)
{
    pthread_once(&init_once, init_run);
    if (init_status)
        return sohoa_err_set(err, init_status, false, "%s", init_msg);
    return 0;
}

const char *sohoa_imageio_version(void)
{
    pthread_once(&init_once, init_run);
    return version_text;
}

/* ---- messages -------------------------------------------------------------------------------- */

/* libvips' error text as one line (the buffer is cleared), or the last warning, or a placeholder.
 */
static void vips_reason(char *buf, size_t cap)
{
    char *msg = vips_error_buffer_copy();
    size_t n = 0;
    for (const char *p = msg; p && *p && n + 3 < cap; p++) {
        if (*p != '\n')
            buf[n++] = *p;
        else if (p[1]) {
            buf[n++] = ';';
            buf[n++] = ' ';
        }
    }
    while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == ';'))
        n--;
    buf[n] = '\0';
    g_free(msg);
    if (!n)
        (void)snprintf(buf, cap, "%s", last_warning[0] ? last_warning : "libvips gave no reason");
}

static int vips_fail(struct sohoa_err *err, int code, const char *what, const char *path)
{
    char why[300];
    vips_reason(why, sizeof why);
    bool nomem = strstr(why, "out of memory") != NULL;
    return sohoa_err_set(err, nomem ? SOHOA_ENOMEM : code, false, "%s %s: %s", what, path, why);
}

static void fmt_megapixels(char *buf, size_t cap, double pixels)
{
    double mp = pixels / 1e6;
    (void)snprintf(buf, cap, mp >= 10 || mp == floor(mp) ? "%.0f" : "%.1f", mp);
}

static void fmt_bytes(char *buf, size_t cap, uint64_t bytes)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    (void)snprintf(buf, cap, u == 0 || v == floor(v) ? "%.0f %s" : "%.1f %s", v, units[u]);
}

static int check_pixels(int width, int height, const struct sohoa_limits *lim, int page,
                        const char *path, struct sohoa_err *err)
{
    uint64_t pixels = (uint64_t)width * (uint64_t)height;
    if (!lim->max_page_pixels || pixels <= lim->max_page_pixels)
        return 0;
    char have[32], max[32];
    fmt_megapixels(have, sizeof have, (double)pixels);
    fmt_megapixels(max, sizeof max, (double)lim->max_page_pixels);
    return sohoa_err_set(err, SOHOA_ELIMIT, false,
                         "page is %dx%d = %s megapixels, over the limit max_page_pixels=%s "
                         "megapixels (" SOHOA_LIMIT_HOWTO_MAX_PAGE_PIXELS "): page %d of %s",
                         width, height, have, max, page + 1, path);
}

/* ---- formats --------------------------------------------------------------------------------- */

const char *sohoa_format_name(enum sohoa_format format)
{
    switch (format) {
    case SOHOA_FORMAT_PDF:
        return "pdf";
    case SOHOA_FORMAT_TIFF:
        return "tiff";
    case SOHOA_FORMAT_JPEG:
        return "jpeg";
    case SOHOA_FORMAT_PNG:
        return "png";
    case SOHOA_FORMAT_WEBP:
        return "webp";
    case SOHOA_FORMAT_GIF:
        return "gif";
    case SOHOA_FORMAT_JP2K:
        return "jp2k";
    case SOHOA_FORMAT_HEIF:
        return "heif";
    case SOHOA_FORMAT_JXL:
        return "jxl";
    default:
        return "unknown";
    }
}

static const void *find_bytes(const void *hay, size_t n, const void *needle, size_t m)
{
    const uint8_t *h = hay;
    if (m == 0 || n < m)
        return NULL;
    for (size_t i = 0; i + m <= n; i++)
        if (h[i] == *(const uint8_t *)needle && memcmp(h + i, needle, m) == 0)
            return h + i;
    return NULL;
}

static bool is_heif_brand(const uint8_t *brand)
{
    static const char *const brands[] = {"heic", "heix", "hevc", "hevx", "heim",
                                         "heis", "mif1", "msf1", "avif", "avis"};
    for (size_t i = 0; i < sizeof brands / sizeof brands[0]; i++)
        if (memcmp(brand, brands[i], 4) == 0)
            return true;
    return false;
}

enum sohoa_format sohoa_format_sniff(const void *head, size_t len)
{
    const uint8_t *p = head;
    if (!p)
        return SOHOA_FORMAT_UNKNOWN;
    if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return SOHOA_FORMAT_PNG;
    if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return SOHOA_FORMAT_JPEG;
    if (len >= 4 && (memcmp(p, "II*\0", 4) == 0 || memcmp(p, "MM\0*", 4) == 0 ||
                     memcmp(p, "II+\0", 4) == 0 || memcmp(p, "MM\0+", 4) == 0))
        return SOHOA_FORMAT_TIFF;
    if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
        return SOHOA_FORMAT_WEBP;
    if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
        return SOHOA_FORMAT_GIF;
    if ((len >= 12 && memcmp(p, "\0\0\0\x0cjP  \r\n\x87\n", 12) == 0) ||
        (len >= 4 && memcmp(p, "\xff\x4f\xff\x51", 4) == 0))
        return SOHOA_FORMAT_JP2K;
    if ((len >= 2 && p[0] == 0xFF && p[1] == 0x0A) ||
        (len >= 12 && memcmp(p, "\0\0\0\x0cJXL \r\n\x87\n", 12) == 0))
        return SOHOA_FORMAT_JXL;
    if (len >= 12 && memcmp(p + 4, "ftyp", 4) == 0 && is_heif_brand(p + 8))
        return SOHOA_FORMAT_HEIF;
    if (find_bytes(p, len < HEAD_BYTES ? len : HEAD_BYTES, "%PDF-", 5))
        return SOHOA_FORMAT_PDF;
    return SOHOA_FORMAT_UNKNOWN;
}

static bool has_pages(enum sohoa_format f)
{
    return f == SOHOA_FORMAT_PDF || f == SOHOA_FORMAT_TIFF;
}

/* ---- file checks ----------------------------------------------------------------------------- */

struct file_check {
    int fd;
    uint64_t size;
    uint8_t head[HEAD_BYTES];
    size_t head_len;
    uint8_t tail[TAIL_BYTES];
    size_t tail_len;
};

static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    return "not a regular file";
}

/* A failed open or read that may pass later (ENOMEM never does: err.h). */
static bool errno_retryable(int e)
{
    return e == EMFILE || e == ENFILE || e == EAGAIN || e == EINTR || e == EIO;
}

/* pread until `len` bytes or end of file; returns bytes read or -1. */
static ssize_t read_at(int fd, void *buf, size_t len, uint64_t off)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(fd, (uint8_t *)buf + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

static void file_close(struct file_check *fc)
{
    if (fc->fd >= 0)
        close(fc->fd);
    fc->fd = -1;
}

/* Open `path` for the loaders: a regular, non-empty file within max_file_bytes. The type is
 * checked before opening (a FIFO or device is never opened) and again on the open descriptor. */
static int file_open(const char *path, const struct sohoa_limits *lim, struct file_check *fc,
                     struct sohoa_err *err)
{
    struct stat st;
    fc->fd = -1;
    if (!path || !*path)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "no file name given");
    if (stat(path, &st) != 0) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR)
            return sohoa_err_set(err, SOHOA_ENOTFOUND, false, "no such file: %s", path);
        return sohoa_err_set(err, SOHOA_EIO, errno_retryable(e), "cannot read %s: %s", path,
                             strerror(e));
    }
    if (!S_ISREG(st.st_mode))
        return sohoa_err_set(err, SOHOA_EIO, false, "not a regular file (%s): %s",
                             file_kind(st.st_mode), path);
    fc->fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fc->fd < 0) {
        int e = errno;
        return sohoa_err_set(err, SOHOA_EIO, errno_retryable(e), "cannot open %s: %s", path,
                             strerror(e));
    }
    if (fstat(fc->fd, &st) != 0 || !S_ISREG(st.st_mode))
        return sohoa_err_set(err, SOHOA_EIO, false, "not a regular file (it changed): %s", path);
    fc->size = (uint64_t)st.st_size;
    if (fc->size == 0)
        return sohoa_err_set(err, SOHOA_EEMPTY, false, "file is empty (0 bytes): %s", path);
    if (lim->max_file_bytes && fc->size > lim->max_file_bytes) {
        char have[32], max[32];
        fmt_bytes(have, sizeof have, fc->size);
        fmt_bytes(max, sizeof max, lim->max_file_bytes);
        return sohoa_err_set(err, SOHOA_ELIMIT, false,
                             "file is %s, over the limit max_file_bytes=%s "
                             "(" SOHOA_LIMIT_HOWTO_MAX_FILE_BYTES "): %s",
                             have, max, path);
    }
    ssize_t h = read_at(fc->fd, fc->head, sizeof fc->head, 0);
    uint64_t tail_off = fc->size > TAIL_BYTES ? fc->size - TAIL_BYTES : 0;
    ssize_t t = read_at(fc->fd, fc->tail, sizeof fc->tail, tail_off);
    if (h < 0 || t < 0) {
        int e = errno;
        return sohoa_err_set(err, SOHOA_EIO, errno_retryable(e), "cannot read %s: %s", path,
                             strerror(e));
    }
    fc->head_len = (size_t)h;
    fc->tail_len = (size_t)t;
    return 0;
}

static int not_an_image(const struct file_check *fc, const char *path, struct sohoa_err *err)
{
    char start[25];
    size_t n = 0;
    for (; n < fc->head_len && n + 1 < sizeof start && fc->head[n] != '\n'; n++)
        start[n] = (char)(fc->head[n] >= 0x20 && fc->head[n] < 0x7F ? fc->head[n] : '.');
    start[n] = '\0';
    return sohoa_err_set(err, SOHOA_EFORMAT, false,
                         "not a PDF or image: %s (it starts with \"%s\"; PDF, TIFF, JPEG, PNG, "
                         "WebP, GIF, JPEG 2000, HEIF and JPEG XL are read)",
                         path, start);
}

static uint64_t get_uint(const uint8_t *p, int bytes, bool little)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)p[little ? i : bytes - 1 - i] << (8 * i);
    return v;
}

/* Walk a TIFF's chain of image directories (pages): each must lie inside the file. A TIFF cut
 * short loses its last directories, which libtiff would silently take for a shorter file. */
static int check_tiff_chain(const struct file_check *fc, int max_pages, const char *path,
                            struct sohoa_err *err)
{
    const uint8_t *h = fc->head;
    if (fc->head_len < 16)
        return sohoa_err_set(err, SOHOA_EFORMAT, false, "TIFF is truncated (%zu bytes): %s",
                             fc->head_len, path);
    bool le = h[0] == 'I', big = get_uint(h + 2, 2, le) == 43;
    int word = big ? 8 : 4, count_size = big ? 8 : 2, entry_size = big ? 20 : 12;
    uint64_t off = get_uint(h + (big ? 8 : 4), word, le);
    /* libtiff itself stops at loops; this walk only needs to reach as far as pages can count. */
    int last = max_pages > 0 && max_pages < 65535 ? max_pages + 1 : 65536;
    for (int page = 1; off != 0 && page <= last; page++) {
        uint8_t buf[8];
        uint64_t next_at = 0;
        bool inside = off < fc->size && fc->size - off >= (uint64_t)count_size &&
                      read_at(fc->fd, buf, (size_t)count_size, off) == count_size;
        if (inside) {
            uint64_t count = get_uint(buf, count_size, le);
            next_at = off + (uint64_t)count_size + count * (uint64_t)entry_size;
            inside = count < 65536 && next_at + (uint64_t)word <= fc->size &&
                     read_at(fc->fd, buf, (size_t)word, next_at) == word;
        }
        if (!inside)
            return sohoa_err_set(err, SOHOA_EFORMAT, false,
                                 "TIFF is truncated (the directory of page %d lies past the end "
                                 "of the file): %s",
                                 page, path);
        uint64_t next = get_uint(buf, word, le);
        if (next == off)
            break;
        off = next;
    }
    return 0;
}

/* Formats whose end is cheap to verify: a PNG ends with IEND, a PDF with %%EOF, every page
 * directory of a TIFF lies inside the file. A JPEG cut short fails when it is decoded. */
static int check_complete(enum sohoa_format f, const struct file_check *fc,
                          const struct sohoa_limits *lim, const char *path, struct sohoa_err *err)
{
    if (f == SOHOA_FORMAT_TIFF)
        return check_tiff_chain(fc, lim->max_pages_per_file, path, err);
    if (f == SOHOA_FORMAT_PNG && !find_bytes(fc->tail, fc->tail_len, "IEND\xae\x42\x60\x82", 8))
        return sohoa_err_set(err, SOHOA_EFORMAT, false,
                             "PNG is truncated (it does not end with an IEND chunk): %s", path);
    if (f == SOHOA_FORMAT_PDF && !find_bytes(fc->tail, fc->tail_len, "%%EOF", 5))
        return sohoa_err_set(err, SOHOA_EFORMAT, false,
                             "PDF is truncated (no %%%%EOF marker at its end): %s", path);
    return 0;
}

/* Does the file mention /Encrypt anywhere (its trailer or cross-reference stream)? */
static bool file_mentions_encrypt(const struct file_check *fc)
{
    static const char key[] = "/Encrypt";
    const size_t klen = sizeof key - 1;
    uint8_t buf[16384];
    size_t keep = 0;
    for (uint64_t off = 0; off < fc->size;) {
        ssize_t n = read_at(fc->fd, buf + keep, sizeof buf - keep, off);
        if (n <= 0)
            return false;
        size_t have = keep + (size_t)n;
        if (find_bytes(buf, have, key, klen))
            return true;
        keep = have < klen - 1 ? have : klen - 1;
        memmove(buf, buf + have - keep, keep);
        off += (uint64_t)n;
    }
    return false;
}

/* ---- loading --------------------------------------------------------------------------------- */

/* The loader of `f`, whose result it returns as it is (libvips: 0, or -1 with the reason in its
 * error buffer); open_page, the one caller, turns that into a SOHOA_E* code and message. */
static int load(VipsSource *src, enum sohoa_format f, int page, const struct sohoa_limits *lim,
                VipsAccess access, VipsImage **out)
{
    const VipsFailOn fail = VIPS_FAIL_ON_TRUNCATED; /* truncated data fails, never grey rows */
    switch (f) {
    case SOHOA_FORMAT_PDF:
        return vips_pdfload_source(src, out, "page", page, "dpi",
                                   (double)(lim->ocr_dpi > 0 ? lim->ocr_dpi : ASSUMED_DPI), NULL);
    case SOHOA_FORMAT_TIFF:
        return vips_tiffload_source(src, out, "page", page, "access", access, "fail_on", fail,
                                    NULL);
    case SOHOA_FORMAT_JPEG:
        return vips_jpegload_source(src, out, "access", access, "fail_on", fail, NULL);
    case SOHOA_FORMAT_PNG:
        return vips_pngload_source(src, out, "access", access, "fail_on", fail, NULL);
    case SOHOA_FORMAT_WEBP:
        return vips_webpload_source(src, out, "access", access, "fail_on", fail, NULL);
    case SOHOA_FORMAT_GIF:
        return vips_gifload_source(src, out, "access", access, "fail_on", fail, NULL);
    case SOHOA_FORMAT_JP2K:
        return vips_jp2kload_source(src, out, "access", access, "fail_on", fail, NULL);
    case SOHOA_FORMAT_HEIF:
        return vips_heifload_source(src, out, "access", access, "fail_on", fail, NULL);
    case SOHOA_FORMAT_JXL:
        return vips_jxlload_source(src, out, "access", access, "fail_on", fail, NULL);
    default:
        vips_error("sohoa", "no loader for this format");
        return -1;
    }
}

static int page_count(VipsImage *img, enum sohoa_format f)
{
    int n = 1;
    if (has_pages(f) && vips_image_get_typeof(img, VIPS_META_N_PAGES) &&
        vips_image_get_int(img, VIPS_META_N_PAGES, &n) == 0 && n > 0)
        return n;
    return 1;
}

/* Load the header of one page (pixels stay undecoded) and explain a failure: a PDF that needs
 * a password, a PDF with no pages, a page past the end, or a damaged file. */
static int open_page(const struct file_check *fc, enum sohoa_format f, int page,
                     const struct sohoa_limits *lim, VipsAccess access, const char *path,
                     VipsImage **out, struct sohoa_err *err)
{
    *out = NULL;
    vips_error_clear(); /* drop what earlier, successful calls left (libvips keeps one buffer) */
    VipsSource *src = vips_source_new_from_descriptor(fc->fd);
    if (!src)
        return vips_fail(err, SOHOA_EIO, "cannot read", path);
    int r = load(src, f, page, lim, access, out);
    g_object_unref(src); /* the image holds its own reference */
    if (r == 0)
        return 0;

    char why[300];
    vips_reason(why, sizeof why);
    if (f == SOHOA_FORMAT_PDF && file_mentions_encrypt(fc))
        return sohoa_err_set(err, SOHOA_EENCRYPTED, false,
                             "PDF is password-protected: %s (it cannot be opened without its "
                             "password; ask for an unprotected copy)",
                             path);
    if (f == SOHOA_FORMAT_PDF && page == 0 && strstr(why, "pages out of range"))
        return sohoa_err_set(err, SOHOA_EEMPTY, false, "PDF has no pages: %s", path);
    if (page > 0) {
        VipsImage *first = NULL;
        src = vips_source_new_from_descriptor(fc->fd);
        if (src && load(src, f, 0, lim, VIPS_ACCESS_SEQUENTIAL, &first) == 0) {
            int n = page_count(first, f);
            g_object_unref(first);
            g_object_unref(src);
            if (page >= n)
                return sohoa_err_set(err, SOHOA_EINVAL, false,
                                     "page %d is out of range: %s has %d page%s", page + 1, path, n,
                                     n == 1 ? "" : "s");
        } else {
            VIPS_UNREF(src);
            vips_error_clear();
        }
    }
    return sohoa_err_set(err, SOHOA_EFORMAT, false, "cannot read %s as %s (page %d): %s", path,
                         sohoa_format_name(f), page + 1, why);
}

int sohoa_imageio_probe(const char *path, const struct sohoa_limits *limits,
                        struct sohoa_probe *out, struct sohoa_err *err)
{
    struct sohoa_limits lim = limits ? *limits : sohoa_limits_default();
    struct file_check fc = {.fd = -1};
    VipsImage *img = NULL;
    int rc;

    if (out)
        memset(out, 0, sizeof *out);
    if (!out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "probe: no result struct given");
    if ((rc = sohoa_imageio_init(err)) || (rc = file_open(path, &lim, &fc, err)))
        goto out;
    enum sohoa_format f = sohoa_format_sniff(fc.head, fc.head_len);
    if (f == SOHOA_FORMAT_UNKNOWN) {
        rc = not_an_image(&fc, path, err);
        goto out;
    }
    if ((rc = check_complete(f, &fc, &lim, path, err)) ||
        (rc = open_page(&fc, f, 0, &lim, VIPS_ACCESS_SEQUENTIAL, path, &img, err)))
        goto out;
    int n_pages = page_count(img, f);
    if (lim.max_pages_per_file && n_pages > lim.max_pages_per_file) {
        rc = sohoa_err_set(err, SOHOA_ELIMIT, false,
                           "file has %d pages, over the limit max_pages_per_file=%d "
                           "(" SOHOA_LIMIT_HOWTO_MAX_PAGES_PER_FILE "): %s",
                           n_pages, lim.max_pages_per_file, path);
        goto out;
    }
    if (n_pages == 1 && (rc = check_pixels(img->Xsize, img->Ysize, &lim, 0, path, err)))
        goto out;
    out->format = f;
    out->n_pages = n_pages;
    out->width = img->Xsize;
    out->height = img->Ysize;
    out->size = fc.size;
out:
    VIPS_UNREF(img);
    file_close(&fc);
    return rc;
}

/* ---- pixels ---------------------------------------------------------------------------------- */

struct deadline {
    struct timespec start;
    int ms; /* 0 = none */
};

static void deadline_start(struct deadline *d, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, &d->start);
    d->ms = ms > 0 ? ms : 0;
}

static bool deadline_passed(const struct deadline *d)
{
    struct timespec now;
    if (!d->ms)
        return false;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - d->start.tv_sec) * 1e3 +
                (double)(now.tv_nsec - d->start.tv_nsec) / 1e6;
    return ms > d->ms;
}

static bool needs_rotation(VipsImage *img)
{
    int o = 1;
    if (vips_image_get_typeof(img, VIPS_META_ORIENTATION) &&
        vips_image_get_int(img, VIPS_META_ORIENTATION, &o) == 0)
        return o >= 2 && o <= 8;
    return false;
}

/* Any decoded image to 8-bit grey (1 band) or sRGB (3 bands), alpha flattened on white. The
 * intermediate images belong to `ctx`; `*out` is borrowed from it (or is `in`). 0, or
 * SOHOA_EBACKEND with the reason in libvips' error buffer (for vips_fail). */
static int to_8bit(VipsObject *ctx, VipsImage *in, VipsImage **out)
{
    VipsImage **t = (VipsImage **)vips_object_local_array(ctx, 6);
    VipsImage *cur = in;

    switch (vips_image_guess_interpretation(cur)) {
    case VIPS_INTERPRETATION_CMYK:
        if (cur->Bands < 4)
            break;
        if (vips_icc_transform(cur, &t[0], "srgb", "input_profile", "cmyk", "embedded", TRUE,
                               "intent", VIPS_INTENT_RELATIVE, NULL))
            return SOHOA_EBACKEND;
        cur = t[0];
        break;
    case VIPS_INTERPRETATION_LAB:
    case VIPS_INTERPRETATION_LABQ:
    case VIPS_INTERPRETATION_LABS:
    case VIPS_INTERPRETATION_LCH:
    case VIPS_INTERPRETATION_CMC:
    case VIPS_INTERPRETATION_XYZ:
    case VIPS_INTERPRETATION_YXY:
    case VIPS_INTERPRETATION_HSV:
    case VIPS_INTERPRETATION_scRGB:
    case VIPS_INTERPRETATION_RGB16:
        if (vips_colourspace(cur, &t[0], VIPS_INTERPRETATION_sRGB, NULL))
            return SOHOA_EBACKEND;
        cur = t[0];
        break;
    case VIPS_INTERPRETATION_GREY16:
        if (vips_colourspace(cur, &t[0], VIPS_INTERPRETATION_B_W, NULL))
            return SOHOA_EBACKEND;
        cur = t[0];
        break;
    default:
        break;
    }
    if (cur->BandFmt != VIPS_FORMAT_UCHAR) {
        if (vips_cast(cur, &t[1], VIPS_FORMAT_UCHAR, "shift", TRUE, NULL))
            return SOHOA_EBACKEND;
        cur = t[1];
    }
    if (vips_image_hasalpha(cur)) {
        VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
        int r = vips_flatten(cur, &t[2], "background", white, "max_alpha", 255.0, NULL);
        vips_area_unref(VIPS_AREA(white));
        if (r)
            return SOHOA_EBACKEND;
        cur = t[2];
    }
    if (cur->Bands == 2 || cur->Bands > 3) {
        if (vips_extract_band(cur, &t[3], 0, "n", cur->Bands == 2 ? 1 : 3, NULL))
            return SOHOA_EBACKEND;
        cur = t[3];
    }
    if (cur->BandFmt != VIPS_FORMAT_UCHAR) {
        if (vips_cast(cur, &t[4], VIPS_FORMAT_UCHAR, NULL))
            return SOHOA_EBACKEND;
        cur = t[4];
    }
    *out = cur;
    return 0;
}

/* Compute `in` (8-bit, 1 or 3 bands) strip by strip into a new `img`, checking the deadline
 * before each strip. */
static int read_out(VipsImage *in, struct sohoa_image *img, const struct deadline *dl, int page,
                    const char *path, struct sohoa_err *err)
{
    VipsRegion *reg = NULL;
    int rc = sohoa_image_alloc(img, in->Xsize, in->Ysize, in->Bands, err);
    if (rc)
        return rc;
    if (!(reg = vips_region_new(in))) {
        rc = vips_fail(err, SOHOA_EBACKEND, "cannot decode", path);
        goto out;
    }
    size_t row = (size_t)in->Xsize * (size_t)in->Bands;
    for (int y = 0; y < in->Ysize; y += STRIP_ROWS) {
        if (deadline_passed(dl)) {
            rc = sohoa_err_set(err, SOHOA_ETIMEOUT, false,
                               "decoding took longer than the limit decode_timeout_ms=%d "
                               "(" SOHOA_LIMIT_HOWTO_DECODE_TIMEOUT_MS "): page %d of %s",
                               dl->ms, page + 1, path);
            goto out;
        }
        VipsRect r = {0, y, in->Xsize, in->Ysize - y < STRIP_ROWS ? in->Ysize - y : STRIP_ROWS};
        if (vips_region_prepare(reg, &r)) {
            char what[48];
            (void)snprintf(what, sizeof what, "cannot decode page %d of", page + 1);
            rc = vips_fail(err, SOHOA_EFORMAT, what, path);
            goto out;
        }
        for (int i = 0; i < r.height; i++)
            memcpy(img->pixels + (size_t)(y + i) * img->stride, VIPS_REGION_ADDR(reg, 0, y + i),
                   row);
    }
out:
    VIPS_UNREF(reg);
    if (rc)
        sohoa_image_release(img);
    return rc;
}

static bool only_black_and_white(const struct sohoa_image *img)
{
    if (img->bands != 1)
        return false;
    for (int y = 0; y < img->height; y++) {
        const uint8_t *p = img->pixels + (size_t)y * img->stride;
        for (int x = 0; x < img->width; x++)
            if (p[x] != 0 && p[x] != 255)
                return false;
    }
    return true;
}

/* Resample `img` by hscale x vscale in place; a bilevel image is thresholded again at 128. */
static int rescale(struct sohoa_image *img, double hscale, double vscale, const struct deadline *dl,
                   int page, const char *path, struct sohoa_err *err)
{
    VipsObject *ctx = VIPS_OBJECT(vips_image_new());
    VipsImage **t = (VipsImage **)vips_object_local_array(ctx, 3);
    struct sohoa_image small = {0};
    int rc = 0;

    t[0] = vips_image_new_from_memory(img->pixels, img->stride * (size_t)img->height, img->width,
                                      img->height, img->bands, VIPS_FORMAT_UCHAR);
    if (!t[0] || vips_resize(t[0], &t[1], hscale, "vscale", vscale, NULL) ||
        (img->bilevel && vips_moreeq_const1(t[1], &t[2], 128.0, NULL))) {
        rc = vips_fail(err, SOHOA_EBACKEND, "cannot resample", path);
        goto out;
    }
    VipsImage *last = img->bilevel ? t[2] : t[1];
    if ((rc = read_out(last, &small, dl, page, path, err)))
        goto out;
    small.bilevel = img->bilevel;
out:
    g_object_unref(ctx); /* before img's pixels go: t[0] points into them */
    if (!rc)
        sohoa_image_move(img, &small);
    return rc;
}

static bool dpi_plausible(double x, double y)
{
    if (x < MIN_DPI || y < MIN_DPI || x > MAX_DPI || y > MAX_DPI)
        return false;
    bool square = fabs(x - y) < 0.5;
    return !(square && (fabs(x - 72) < 0.5 || fabs(x - 96) < 0.5));
}

/* Resolution policy for scans: assume 300 dpi when unknown, square non-square pixels up to the
 * finer axis, reduce anything over max_dpi_before_reduce to ocr_dpi. */
static int apply_resolution(struct sohoa_image *img, double xdpi, double ydpi,
                            const struct sohoa_limits *lim, const struct deadline *dl, int page,
                            const char *path, struct sohoa_err *err)
{
    if (!dpi_plausible(xdpi, ydpi)) {
        xdpi = ydpi = ASSUMED_DPI;
        img->dpi_assumed = true;
    }
    double target = xdpi > ydpi ? xdpi : ydpi;
    if (lim->max_dpi_before_reduce > 0 && target > lim->max_dpi_before_reduce)
        target = lim->ocr_dpi > 0 ? lim->ocr_dpi : ASSUMED_DPI;
    double hs = target / xdpi, vs = target / ydpi;
    if (fabs(hs - 1) > 0.01 || fabs(vs - 1) > 0.01) {
        int rc = rescale(img, hs, vs, dl, page, path, err);
        if (rc)
            return rc;
        xdpi = ydpi = target;
    }
    img->xres = xdpi;
    img->yres = ydpi;
    return 0;
}

int sohoa_imageio_decode_page(const char *path, enum sohoa_format format, int page_index,
                              const struct sohoa_limits *limits, struct sohoa_image *out,
                              struct sohoa_err *err)
{
    struct sohoa_limits lim = limits ? *limits : sohoa_limits_default();
    struct file_check fc = {.fd = -1};
    struct sohoa_image page = {0};
    struct deadline dl;
    VipsObject *ctx = NULL;
    VipsImage *img = NULL, *rotated = NULL, *flat = NULL;
    int rc;

    deadline_start(&dl, lim.decode_timeout_ms);
    if (out)
        memset(out, 0, sizeof *out);
    if (!out || page_index < 0)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "decode: bad arguments (page index %d)",
                             page_index);
    if ((rc = sohoa_imageio_init(err)) || (rc = file_open(path, &lim, &fc, err)))
        goto out;
    enum sohoa_format f = format;
    if (f == SOHOA_FORMAT_UNKNOWN &&
        (f = sohoa_format_sniff(fc.head, fc.head_len)) == SOHOA_FORMAT_UNKNOWN) {
        rc = not_an_image(&fc, path, err);
        goto out;
    }
    if (!has_pages(f) && page_index > 0) {
        rc = sohoa_err_set(err, SOHOA_EINVAL, false, "page %d is out of range: %s has 1 page",
                           page_index + 1, path);
        goto out;
    }
    if ((rc = check_complete(f, &fc, &lim, path, err)))
        goto out;
    /* PDF pages render through a tile cache; the others stream top to bottom unless turned. */
    VipsAccess access = f == SOHOA_FORMAT_PDF ? VIPS_ACCESS_RANDOM : VIPS_ACCESS_SEQUENTIAL;
    if ((rc = open_page(&fc, f, page_index, &lim, access, path, &img, err)) ||
        (rc = check_pixels(img->Xsize, img->Ysize, &lim, page_index, path, err)))
        goto out;
    if (f != SOHOA_FORMAT_PDF && needs_rotation(img)) {
        VIPS_UNREF(img);
        if ((rc = open_page(&fc, f, page_index, &lim, VIPS_ACCESS_RANDOM, path, &img, err)))
            goto out;
        if (vips_autorot(img, &rotated, NULL)) {
            rc = vips_fail(err, SOHOA_EFORMAT, "cannot turn", path);
            goto out;
        }
    }
    vips_error_clear();
    ctx = VIPS_OBJECT(vips_image_new());
    if (to_8bit(ctx, rotated ? rotated : img, &flat)) {
        rc = vips_fail(err, SOHOA_EFORMAT, "cannot convert the pixels of", path);
        goto out;
    }
    if ((rc = read_out(flat, &page, &dl, page_index, path, err)))
        goto out;
    page.bilevel = only_black_and_white(&page);
    if (f == SOHOA_FORMAT_PDF) {
        page.xres = page.yres = lim.ocr_dpi > 0 ? lim.ocr_dpi : ASSUMED_DPI;
    } else {
        /* libvips keeps pixels per mm: 300 dpi comes back as 299.9994; keep 0.01 dpi. */
        double xdpi = round(flat->Xres * 2540) / 100, ydpi = round(flat->Yres * 2540) / 100;
        VIPS_UNREF(ctx); /* the source pixels are no longer needed */
        VIPS_UNREF(rotated);
        VIPS_UNREF(img);
        if ((rc = apply_resolution(&page, xdpi, ydpi, &lim, &dl, page_index, path, err)))
            goto out;
    }
    sohoa_image_move(out, &page);
out:
    VIPS_UNREF(ctx);
    VIPS_UNREF(rotated);
    VIPS_UNREF(img);
    file_close(&fc);
    sohoa_image_release(&page);
    return rc;
}

/* ---- encoding -------------------------------------------------------------------------------- */

/* A libvips view of `img` in `ctx`, with its interpretation and resolution (300 dpi when 0).
 * A padded image is packed into `*packed` (freed by the caller after `ctx`). */
static int wrap(const struct sohoa_image *img, VipsObject *ctx, uint8_t **packed, VipsImage **out,
                struct sohoa_err *err)
{
    VipsImage **t = (VipsImage **)vips_object_local_array(ctx, 2);
    *packed = NULL;
    if (!img || !img->pixels || img->width <= 0 || img->height <= 0 ||
        (img->bands != 1 && img->bands != 3) || img->stride < (size_t)img->width * img->bands)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "encode: not a valid image");
    size_t row = (size_t)img->width * (size_t)img->bands;
    const uint8_t *pixels = img->pixels;
    if (img->stride != row) {
        if (!(*packed = malloc(row * (size_t)img->height)))
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory packing a %dx%d image",
                                 img->width, img->height);
        for (int y = 0; y < img->height; y++)
            memcpy(*packed + (size_t)y * row, img->pixels + (size_t)y * img->stride, row);
        pixels = *packed;
    }
    double xdpi = img->xres > 0 ? img->xres : ASSUMED_DPI;
    double ydpi = img->yres > 0 ? img->yres : ASSUMED_DPI;
    t[0] = vips_image_new_from_memory(pixels, row * (size_t)img->height, img->width, img->height,
                                      img->bands, VIPS_FORMAT_UCHAR);
    if (!t[0] || vips_copy(t[0], &t[1], "interpretation",
                           img->bands == 1 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB,
                           "xres", xdpi / 25.4, "yres", ydpi / 25.4, NULL))
        return vips_fail(err, SOHOA_EBACKEND, "cannot wrap", "an image for encoding");
    *out = t[1];
    return 0;
}

/* The 18-byte JFIF APP0 segment with a resolution in dots per inch. */
static void jfif_app0(uint8_t seg[18], double xdpi, double ydpi)
{
    unsigned x = xdpi < 1 ? 1 : xdpi > 65535 ? 65535 : (unsigned)lround(xdpi);
    unsigned y = ydpi < 1 ? 1 : ydpi > 65535 ? 65535 : (unsigned)lround(ydpi);
    const uint8_t head[] = {0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x01};
    memcpy(seg, head, sizeof head);
    seg[12] = (uint8_t)(x >> 8);
    seg[13] = (uint8_t)x;
    seg[14] = (uint8_t)(y >> 8);
    seg[15] = (uint8_t)y;
    seg[16] = seg[17] = 0; /* no thumbnail */
}

/* Encode `in` and copy the result into malloc'd memory with a JFIF header carrying the
 * resolution: libvips built with libexif writes resolution only as EXIF, and no JFIF header. */
static int save_jpeg(VipsImage *in, int quality, uint8_t **out, size_t *len, struct sohoa_err *err)
{
    void *buf = NULL;
    size_t n = 0;
    if (vips_jpegsave_buffer(in, &buf, &n, "Q", quality, "strip", TRUE, NULL))
        return vips_fail(err, SOHOA_EBACKEND, "cannot encode", "a JPEG");
    const uint8_t *b = buf;
    if (n < 4 || b[0] != 0xFF || b[1] != 0xD8) {
        g_free(buf);
        return sohoa_err_set(err, SOHOA_EBACKEND, false, "libvips wrote no JPEG");
    }
    uint8_t app0[18];
    jfif_app0(app0, in->Xres * 25.4, in->Yres * 25.4);
    bool has_jfif = n >= 20 && b[2] == 0xFF && b[3] == 0xE0 && memcmp(b + 6, "JFIF", 5) == 0;
    size_t total = has_jfif ? n : n + sizeof app0;
    if (!(*out = malloc(total))) {
        g_free(buf);
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory for a %zu-byte JPEG", n);
    }
    if (has_jfif) { /* keep libvips' header, set its density */
        memcpy(*out, b, n);
        memcpy(*out + 13, app0 + 11, 5);
    } else {
        memcpy(*out, b, 2);
        memcpy(*out + 2, app0, sizeof app0);
        memcpy(*out + 2 + sizeof app0, b + 2, n - 2);
    }
    *len = total;
    g_free(buf);
    return 0;
}

int sohoa_imageio_encode_jpeg(const struct sohoa_image *img, int quality, uint8_t **out,
                              size_t *len, struct sohoa_err *err)
{
    VipsObject *ctx = NULL;
    uint8_t *packed = NULL;
    VipsImage *view = NULL;
    int rc;

    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (!out || !len || quality < 1 || quality > 100)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "encode: bad arguments (quality %d)",
                             quality);
    if ((rc = sohoa_imageio_init(err)))
        return rc;
    vips_error_clear();
    ctx = VIPS_OBJECT(vips_image_new());
    if (!(rc = wrap(img, ctx, &packed, &view, err)))
        rc = save_jpeg(view, quality, out, len, err);
    g_object_unref(ctx);
    free(packed);
    return rc;
}

int sohoa_imageio_thumbnail_jpeg(const struct sohoa_image *img, int max_side, int quality,
                                 uint8_t **out, size_t *len, struct sohoa_err *err)
{
    VipsObject *ctx = NULL;
    uint8_t *packed = NULL;
    VipsImage *view = NULL;
    int rc;

    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (!out || !len || max_side < 1 || quality < 1 || quality > 100)
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "thumbnail: bad arguments (max side %d, quality %d)", max_side,
                             quality);
    if ((rc = sohoa_imageio_init(err)))
        return rc;
    vips_error_clear();
    ctx = VIPS_OBJECT(vips_image_new());
    VipsImage **t = (VipsImage **)vips_object_local_array(ctx, 2);
    if ((rc = wrap(img, ctx, &packed, &view, err)))
        goto out;
    if (vips_thumbnail_image(view, &t[0], max_side, "height", max_side, "size", VIPS_SIZE_DOWN,
                             NULL)) {
        rc = vips_fail(err, SOHOA_EBACKEND, "cannot shrink", "an image for a thumbnail");
        goto out;
    }
    /* The thumbnail covers the same paper, so its resolution shrinks with it. */
    double f = (double)t[0]->Xsize / img->width;
    if (vips_copy(t[0], &t[1], "xres", view->Xres * f, "yres", view->Yres * f, NULL)) {
        rc = vips_fail(err, SOHOA_EBACKEND, "cannot shrink", "an image for a thumbnail");
        goto out;
    }
    rc = save_jpeg(t[1], quality, out, len, err);
out:
    g_object_unref(ctx);
    free(packed);
    return rc;
}
