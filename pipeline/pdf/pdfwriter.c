/* pdfwriter.c — streaming writer of searchable PDFs: page images with an invisible text layer.
 *
 * Holds, in file order: the output primitives (byte counting, PDF strings), the generated
 * glyph-less TrueType font, the fixed-Huffman deflate of the CIDToGIDMap, the JPEG header check,
 * the text layer, and the public begin / add_page / finish.
 *
 * DESIGN. Objects are written as soon as they are known; the writer keeps only the byte offset of
 * each object (for the xref table) and the object number of each page (for the page tree). The
 * shared font objects and the page tree are reserved at begin and written by finish, so pages can
 * point to them before they exist. Everything that can fail for want of memory happens before a
 * page's first byte, so a rejected page leaves the writer usable. Real numbers go through
 * sohoa_fmt_real (render.h), never printf's %f, which follows LC_NUMERIC and writes "12,5" under
 * vi_VN.
 *
 * Text encoding: CID = UTF-16 code unit of a BMP character (Identity-H, two bytes per glyph); the
 * ToUnicode CMap maps every such CID to itself. Characters outside the BMP get CIDs from the
 * surrogate block D800–DFFF (which no BMP character uses), recorded in a fixed 2048-entry table
 * and mapped with bfchar entries; when it is full they become U+FFFD. Every CID maps to the single
 * empty glyph 1 through a CIDToGIDMap stream; all glyphs advance half an em.
 *
 * Placement: one font size per line, chosen so that the font's ascent (0.8 em) reaches from the
 * baseline to the top of the line's typical word (median over the words, so a stamp or speck that
 * inflates the line box does not inflate the font and make readers merge neighbouring lines);
 * each word sits on its own baseline at its left edge, stretched by Tz to its exact width. The
 * selection box readers draw (ascent to descent) then covers the word.
 */
#include "pipeline/pdf/pdfwriter.h"

#include "pipeline/pdf/pdffont.h"
#include "pipeline/pdf/render.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXTRA_CID_0 0xD800u
#define EXTRA_CID_N 2048u
#define DEFAULT_DPI 300.0

struct sohoa_pdf {
    FILE *fp;
    bool own_fp;     /* opened by sohoa_pdf_open */
    char *path;      /* final path (own_fp only) */
    char *part_path; /* path being written (own_fp only) */
    uint64_t pos;    /* bytes written so far = offset of the next byte */
    int broken;      /* first fatal error code; 0 while usable */
    int io_errno;    /* errno of the failed write, for the message */
    bool finished;

    uint64_t *xref; /* xref[i] = offset of object i; 0 = not yet written; [0] unused */
    uint32_t n_obj, cap_obj;
    uint32_t *pages; /* object numbers of the page objects */
    size_t n_pages, cap_pages;

    uint32_t obj_pages, obj_font; /* reserved at begin, written by finish */
    bool font_used;

    char *title, *producer;
    int64_t creation_time;

    uint32_t extra_cp[EXTRA_CID_N]; /* non-BMP code point of CID EXTRA_CID_0 + i */
    uint32_t n_extra;
};

/* ---- output primitives -------------------------------------------------------------------- */

static int pdf_fail(struct sohoa_pdf *pdf, struct sohoa_err *err, int code, bool retryable,
                    const char *what)
{
    if (!pdf->broken)
        pdf->broken = code;
    return sohoa_err_set(err, code, retryable, "pdf: %s", what);
}

/* A write to the output failed: the writer is broken, errno kept for the message. */
static void io_failed(struct sohoa_pdf *pdf)
{
    if (!pdf->broken) {
        pdf->broken = SOHOA_EIO;
        pdf->io_errno = errno;
    }
}

/* The error of a broken writer (retryable when it was I/O: a full disk may drain). */
static int broken_err(const struct sohoa_pdf *pdf, struct sohoa_err *err)
{
    if (pdf->broken == SOHOA_EIO)
        return sohoa_err_set(err, SOHOA_EIO, true, "pdf: write failed: %s",
                             strerror(pdf->io_errno));
    return sohoa_err_set(err, pdf->broken, false, "pdf: writer failed earlier (%s)",
                         sohoa_status_name(pdf->broken));
}

static void pdf_write(struct sohoa_pdf *pdf, const void *data, size_t len)
{
    if (pdf->broken || len == 0)
        return;
    if (fwrite(data, 1, len, pdf->fp) != len) {
        io_failed(pdf);
        return;
    }
    pdf->pos += len;
}

static void pdf_puts(struct sohoa_pdf *pdf, const char *s)
{
    pdf_write(pdf, s, strlen(s));
}

/* printf for integers and strings only (never %f: see DESIGN). */
__attribute__((format(printf, 2, 3))) static void pdf_printf(struct sohoa_pdf *pdf, const char *fmt,
                                                             ...)
{
    if (pdf->broken)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(pdf->fp, fmt, ap);
    va_end(ap);
    if (n < 0)
        io_failed(pdf);
    else
        pdf->pos += (uint64_t)n;
}

static const char *fmt_real(char buf[SOHOA_REAL_BUF], double v)
{
    return sohoa_fmt_real(buf, v, 3);
}

static void put_real(FILE *f, double v)
{
    char buf[SOHOA_REAL_BUF];
    fputs(fmt_real(buf, v), f);
}

/* A PDF text string: a literal string when printable ASCII, else UTF-16BE hex with a BOM. */
static void pdf_text_string(struct sohoa_pdf *pdf, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s);
    bool ascii = true;
    for (size_t i = 0; i < len; i++)
        if (u[i] < 0x20 || u[i] > 0x7E)
            ascii = false;
    if (ascii) {
        pdf_puts(pdf, "(");
        for (size_t i = 0; i < len; i++) {
            if (u[i] == '(' || u[i] == ')' || u[i] == '\\')
                pdf_puts(pdf, "\\");
            pdf_write(pdf, &u[i], 1);
        }
        pdf_puts(pdf, ")");
        return;
    }
    pdf_puts(pdf, "<FEFF");
    for (size_t i = 0; i < len;) {
        size_t used;
        uint32_t cp = sohoa_utf8_next(u + i, len - i, &used);
        i += used;
        if (cp > 0xFFFF) {
            cp -= 0x10000;
            pdf_printf(pdf, "%04X%04X", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
        } else {
            pdf_printf(pdf, "%04X", cp);
        }
    }
    pdf_puts(pdf, ">");
}

/* ---- objects ------------------------------------------------------------------------------- */

/* Make room in the xref table for `n` more objects, so the obj_new calls that follow cannot fail
 * (a number taken but never written would leave a hole in the xref). */
static int xref_room(struct sohoa_pdf *pdf, uint32_t n, struct sohoa_err *err)
{
    if (pdf->n_obj + n < pdf->cap_obj)
        return 0;
    uint32_t cap = pdf->cap_obj ? pdf->cap_obj : 64;
    /* object numbers past 2^31: the doubled cap would wrap around */
    if (pdf->n_obj > UINT32_MAX / 2 || n > UINT32_MAX / 2 - pdf->n_obj)
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "pdf: too many objects");
    while (pdf->n_obj + n >= cap)
        cap *= 2;
    uint64_t *x = realloc(pdf->xref, cap * sizeof *x);
    if (!x)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "pdf: out of memory (xref)");
    memset(x + pdf->cap_obj, 0, (cap - pdf->cap_obj) * sizeof *x);
    pdf->xref = x;
    pdf->cap_obj = cap;
    return 0;
}

/* A new object number; xref_room was called for it. */
static uint32_t obj_new(struct sohoa_pdf *pdf)
{
    return ++pdf->n_obj;
}

static void obj_begin(struct sohoa_pdf *pdf, uint32_t id)
{
    pdf->xref[id] = pdf->pos;
    pdf_printf(pdf, "%u 0 obj\n", id);
}

/* A whole stream object: `dict` is the dictionary's inside, /Length is added. */
static void obj_stream(struct sohoa_pdf *pdf, uint32_t id, const char *dict, const void *data,
                       size_t len)
{
    obj_begin(pdf, id);
    pdf_printf(pdf, "<< %s /Length %zu >>\nstream\n", dict, len);
    pdf_write(pdf, data, len);
    pdf_puts(pdf, "\nendstream\nendobj\n");
}

/* ---- JPEG header check --------------------------------------------------------------------- */

/* Find the frame header and report size and components; only DCT modes PDF readers decode
 * (baseline, extended Huffman, progressive Huffman) are accepted. */
static int jpeg_frame(const uint8_t *d, size_t len, int *w, int *h, int *comps,
                      struct sohoa_err *err)
{
    *w = *h = *comps = 0;
    if (len < 4 || d[0] != 0xFF || d[1] != 0xD8)
        return sohoa_err_set(err, SOHOA_EFORMAT, false, "pdf: image is not a JPEG");
    size_t i = 2;
    while (i + 4 <= len) {
        if (d[i] != 0xFF) {
            i++;
            continue;
        }
        uint8_t m = d[i + 1];
        if (m == 0xFF) {
            i++;
            continue;
        }
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD8)) {
            i += 2;
            continue;
        }
        if (m == 0xD9 || m == 0xDA)
            break;
        size_t seg = (size_t)d[i + 2] << 8 | d[i + 3];
        if (seg < 2 || i + 2 + seg > len)
            break;
        bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
        if (sof) {
            if (m > 0xC2)
                return sohoa_err_set(err, SOHOA_EFORMAT, false,
                                     "pdf: JPEG coding (SOF%d) not supported in PDF", m - 0xC0);
            if (seg < 8 || d[i + 4] != 8)
                return sohoa_err_set(err, SOHOA_EFORMAT, false, "pdf: JPEG is not 8-bit");
            *h = d[i + 5] << 8 | d[i + 6];
            *w = d[i + 7] << 8 | d[i + 8];
            *comps = d[i + 9];
            return 0;
        }
        i += 2 + seg;
    }
    return sohoa_err_set(err, SOHOA_EFORMAT, false, "pdf: JPEG has no frame header");
}

/* ---- text layer ---------------------------------------------------------------------------- */

/* CID for a code point, 0 = drop it (control characters). */
static uint16_t cid_for(struct sohoa_pdf *pdf, uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0;
    if (cp == 0xFFFE || cp == 0xFFFF)
        return 0xFFFD;
    if (cp <= 0xFFFF)
        return (uint16_t)cp;
    for (uint32_t i = 0; i < pdf->n_extra; i++)
        if (pdf->extra_cp[i] == cp)
            return (uint16_t)(EXTRA_CID_0 + i);
    if (pdf->n_extra == EXTRA_CID_N)
        return 0xFFFD;
    pdf->extra_cp[pdf->n_extra] = cp;
    return (uint16_t)(EXTRA_CID_0 + pdf->n_extra++);
}

/* Number of glyphs a word's text will give. */
static size_t word_glyphs(struct sohoa_pdf *pdf, const char *text)
{
    size_t n = 0, len = strlen(text);
    for (size_t i = 0; i < len;) {
        size_t used;
        uint32_t cp = sohoa_utf8_next((const unsigned char *)text + i, len - i, &used);
        i += used;
        if (cid_for(pdf, cp))
            n++;
    }
    return n;
}

static void put_hex_text(struct sohoa_pdf *pdf, FILE *cs, const char *text, bool trailing_space)
{
    size_t len = strlen(text);
    fputc('<', cs);
    for (size_t i = 0; i < len;) {
        size_t used;
        uint32_t cp = sohoa_utf8_next((const unsigned char *)text + i, len - i, &used);
        i += used;
        uint16_t cid = cid_for(pdf, cp);
        if (cid)
            fprintf(cs, "%04X", cid);
    }
    if (trailing_space)
        fputs("0020", cs);
    fputc('>', cs);
}

static bool same_line(const struct sohoa_word *a, const struct sohoa_word *b)
{
    return a->block == b->block && a->para == b->para && a->line == b->line;
}

static bool word_ok(const struct sohoa_word *w)
{
    return w->text && w->x1 > w->x0 && w->y1 > w->y0;
}

/* A word's baseline is usable when it lies below the word's top and not far below its bottom. */
static bool baseline_ok(const struct sohoa_word *w)
{
    return w->baseline > w->y0 && w->baseline <= w->y1 + (w->y1 - w->y0) / 4;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Vertical fit of one line, in pixels: the font size that puts the font's ascent from the
 * baseline to the top of the line's typical word (the median over its words, so a stamp or a
 * speck that inflates the line box does not blow up the font), and the median baseline, used for
 * words whose own baseline is unusable. With no usable baseline at all the line box is used:
 * size = its height, baseline at the ascent's share of it. `scratch` holds end - i doubles. */
static void line_fit(const struct sohoa_word *w, size_t i, size_t end, double *scratch,
                     double *size, double *base)
{
    const double ascent = FONT_ASCENT / (double)FONT_UPM;
    size_t n = 0;
    int top = INT32_MAX, bottom = INT32_MIN;
    for (size_t k = i; k < end; k++) {
        if (!word_ok(&w[k]))
            continue;
        top = w[k].y0 < top ? w[k].y0 : top;
        bottom = w[k].y1 > bottom ? w[k].y1 : bottom;
        if (baseline_ok(&w[k]))
            scratch[n++] = (w[k].baseline - w[k].y0) / ascent;
    }
    if (n == 0) {
        *size = bottom - top;
        *base = top + ascent * *size;
        return;
    }
    *size = median(scratch, n);
    n = 0;
    for (size_t k = i; k < end; k++)
        if (word_ok(&w[k]) && baseline_ok(&w[k]))
            scratch[n++] = w[k].baseline;
    *base = median(scratch, n);
}

/* Write the invisible words of a page, line by line. Each line gets one font size (line_fit),
 * each word a Tm at its left edge and its baseline, and a Tz that makes its glyphs span exactly
 * its box width. Words of a line but the last are followed by a space glyph. */
static bool text_layer(struct sohoa_pdf *pdf, FILE *cs, const struct sohoa_pdf_page *pg, double sx,
                       double sy, double page_h, double *scratch)
{
    const double adv = FONT_ADVANCE / (double)FONT_UPM;
    const struct sohoa_word *words = pg->words;
    bool begun = false;
    size_t i = 0;
    while (i < pg->n_words) {
        size_t end = i + 1;
        while (end < pg->n_words && same_line(&words[end], &words[i]))
            end++;
        size_t last = end;
        for (size_t k = i; k < end; k++)
            if (word_ok(&words[k]) && word_glyphs(pdf, words[k].text) > 0)
                last = k;
        if (last == end) { /* nothing to write on this line */
            i = end;
            continue;
        }
        double size_px, line_base;
        line_fit(words, i, end, scratch, &size_px, &line_base);
        double fs = size_px * sy;
        if (!begun) {
            fputs("BT\n3 Tr\n", cs);
            begun = true;
        }
        fputs("/F0 ", cs), put_real(cs, fs), fputs(" Tf\n", cs);
        for (size_t k = i; k <= last; k++) {
            const struct sohoa_word *w = &words[k];
            size_t n = word_ok(w) ? word_glyphs(pdf, w->text) : 0;
            if (n == 0)
                continue;
            double base = baseline_ok(w) ? w->baseline : line_base;
            double tz = 100.0 * (w->x1 - w->x0) * sx / ((double)n * adv * fs);
            fputs("1 0 0 1 ", cs), put_real(cs, w->x0 * sx), fputc(' ', cs);
            put_real(cs, page_h - base * sy), fputs(" Tm ", cs);
            put_real(cs, tz), fputs(" Tz ", cs);
            put_hex_text(pdf, cs, w->text, k < last);
            fputs(" Tj\n", cs);
        }
        i = end;
    }
    if (begun)
        fputs("ET\n", cs);
    return begun;
}

/* ---- public API ---------------------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int pdf_start(FILE *fp, bool own, const struct sohoa_pdf_info *info, struct sohoa_pdf **out,
                     struct sohoa_err *err)
{
    int rc = 0;
    struct sohoa_pdf *pdf = calloc(1, sizeof *pdf);
    if (!pdf)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "pdf: out of memory");
    pdf->fp = fp;
    pdf->own_fp = own;
    if (info) {
        pdf->title = dup_or_null(info->title);
        pdf->producer = dup_or_null(info->producer);
        pdf->creation_time = info->creation_time;
        if ((info->title && !pdf->title) || (info->producer && !pdf->producer)) {
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "pdf: out of memory");
            goto out;
        }
    }
    if ((rc = xref_room(pdf, 2, err)))
        goto out;
    pdf->obj_pages = obj_new(pdf);
    pdf->obj_font = obj_new(pdf);
    pdf_puts(pdf, "%PDF-1.5\n%\xE2\xE3\xCF\xD3\n");
    if (pdf->broken) {
        rc = broken_err(pdf, err);
        goto out;
    }
    *out = pdf;
    pdf = NULL;
out:
    if (pdf) {
        pdf->own_fp = false; /* the caller keeps ownership of fp on failure */
        sohoa_pdf_free(&pdf);
    }
    return rc;
}

int sohoa_pdf_begin(FILE *fp, const struct sohoa_pdf_info *info, struct sohoa_pdf **out,
                    struct sohoa_err *err)
{
    if (out)
        *out = NULL;
    if (!fp || !out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "pdf: no output");
    return pdf_start(fp, false, info, out, err);
}

int sohoa_pdf_open(const char *path, const struct sohoa_pdf_info *info, struct sohoa_pdf **out,
                   struct sohoa_err *err)
{
    int rc = 0;
    char *part = NULL, *final = NULL;
    FILE *fp = NULL;
    if (out)
        *out = NULL;
    if (!path || !*path || !out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "pdf: no output path");
    size_t n = strlen(path);
    part = malloc(n + 6);
    final = strdup(path);
    if (!part || !final) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "pdf: out of memory");
        goto out;
    }
    memcpy(part, path, n), memcpy(part + n, ".part", 6);
    fp = fopen(part, "wb");
    if (!fp) {
        rc = sohoa_err_set(err, SOHOA_EIO, errno == ENOSPC || errno == EMFILE, "pdf: %s: %s", part,
                           strerror(errno));
        goto out;
    }
    if ((rc = pdf_start(fp, true, info, out, err)))
        goto out;
    (*out)->path = final;
    (*out)->part_path = part;
    final = part = NULL;
    fp = NULL;
out:
    if (fp) {
        (void)fclose(fp);
        unlink(part);
    }
    free(part);
    free(final);
    return rc;
}

size_t sohoa_pdf_page_count(const struct sohoa_pdf *pdf)
{
    return pdf ? pdf->n_pages : 0;
}

static double pick_dpi(double a, double b)
{
    return a > 0 ? a : b > 0 ? b : DEFAULT_DPI;
}

/* Everything that can be wrong with a page before a byte is written. */
static int page_check(const struct sohoa_pdf_page *pg, double *xres, double *yres,
                      struct sohoa_err *err)
{
    *xres = *yres = 0;
    if (!pg || !pg->data || pg->len == 0 || pg->width <= 0 || pg->height <= 0)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "pdf: page has no image");
    if (pg->n_words && !pg->words)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "pdf: page words missing");
    *xres = pick_dpi(pg->xres, pg->yres);
    *yres = pick_dpi(pg->yres, pg->xres);
    double w = pg->width * 72.0 / *xres, h = pg->height * 72.0 / *yres;
    if (w > SOHOA_PDF_MAX_PAGE_PT || h > SOHOA_PDF_MAX_PAGE_PT)
        return sohoa_err_set(err, SOHOA_ELIMIT, false,
                             "pdf: page of %dx%d px at %.0fx%.0f dpi exceeds the %.0f pt limit",
                             pg->width, pg->height, *xres, *yres, SOHOA_PDF_MAX_PAGE_PT);
    if (pg->kind == SOHOA_PDF_G4)
        return 0;
    if (pg->kind != SOHOA_PDF_JPEG_RGB && pg->kind != SOHOA_PDF_JPEG_GREY)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "pdf: unknown image kind %d", pg->kind);
    int jw, jh, comps, rc;
    if ((rc = jpeg_frame(pg->data, pg->len, &jw, &jh, &comps, err)))
        return rc;
    if (jw != pg->width || jh != pg->height)
        return sohoa_err_set(err, SOHOA_EFORMAT, false, "pdf: JPEG is %dx%d, page says %dx%d", jw,
                             jh, pg->width, pg->height);
    if (comps != (pg->kind == SOHOA_PDF_JPEG_RGB ? 3 : 1))
        return sohoa_err_set(err, SOHOA_EFORMAT, false, "pdf: JPEG has %d components, expected %d",
                             comps, pg->kind == SOHOA_PDF_JPEG_RGB ? 3 : 1);
    return 0;
}

int sohoa_pdf_add_page(struct sohoa_pdf *pdf, const struct sohoa_pdf_page *page,
                       struct sohoa_err *err)
{
    int rc = 0;
    char *content = NULL;
    size_t content_len = 0;
    FILE *cs = NULL;
    double *scratch = NULL, xres, yres;
    if (!pdf || pdf->finished)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "pdf: writer finished or missing");
    if (pdf->broken)
        return broken_err(pdf, err);
    if ((rc = page_check(page, &xres, &yres, err)))
        return rc;
    const double sx = 72.0 / xres, sy = 72.0 / yres;
    char pw[SOHOA_REAL_BUF], ph[SOHOA_REAL_BUF];
    fmt_real(pw, page->width * sx);
    fmt_real(ph, page->height * sy);

    /* Everything that can fail for lack of memory happens before the first byte of the page is
     * written, so such a failure leaves the writer usable. */
    if (page->n_words && !(scratch = malloc(page->n_words * sizeof *scratch))) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "pdf: out of memory (words)");
        goto out;
    }
    cs = open_memstream(&content, &content_len);
    if (!cs) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "pdf: out of memory (content)");
        goto out;
    }
    fprintf(cs, "q\n%s 0 0 %s 0 0 cm\n/Im0 Do\nQ\n", pw, ph);
    bool has_text = text_layer(pdf, cs, page, sx, sy, page->height * sy, scratch);
    int cs_rc = fclose(cs);
    cs = NULL;
    if (cs_rc != 0) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "pdf: out of memory (content)");
        goto out;
    }
    if (pdf->n_pages == pdf->cap_pages) {
        size_t cap = pdf->cap_pages ? pdf->cap_pages * 2 : 64;
        uint32_t *p = pdf->cap_pages <= SIZE_MAX / 2 / sizeof *p
                          ? realloc(pdf->pages, cap * sizeof *p)
                          : NULL;
        if (!p) {
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "pdf: out of memory (pages)");
            goto out;
        }
        pdf->pages = p;
        pdf->cap_pages = cap;
    }
    if ((rc = xref_room(pdf, 3, err)))
        goto out;
    uint32_t img = obj_new(pdf), cont = obj_new(pdf), pobj = obj_new(pdf);

    obj_begin(pdf, img);
    pdf_printf(pdf, "<< /Type /XObject /Subtype /Image /Width %d /Height %d", page->width,
               page->height);
    if (page->kind == SOHOA_PDF_G4)
        pdf_printf(pdf,
                   " /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode"
                   "\n   /DecodeParms << /K -1 /Columns %d /Rows %d%s >>",
                   page->width, page->height, page->g4_black_is_1 ? " /BlackIs1 true" : "");
    else
        pdf_printf(pdf, " /ColorSpace /%s /BitsPerComponent 8 /Filter /DCTDecode",
                   page->kind == SOHOA_PDF_JPEG_RGB ? "DeviceRGB" : "DeviceGray");
    pdf_printf(pdf, " /Length %zu >>\nstream\n", page->len);
    pdf_write(pdf, page->data, page->len);
    pdf_puts(pdf, "\nendstream\nendobj\n");

    obj_stream(pdf, cont, "", content, content_len);

    obj_begin(pdf, pobj);
    pdf_printf(pdf,
               "<< /Type /Page /Parent %u 0 R /MediaBox [0 0 %s %s]\n"
               "   /Resources << /XObject << /Im0 %u 0 R >>",
               pdf->obj_pages, pw, ph, img);
    if (has_text)
        pdf_printf(pdf, " /Font << /F0 %u 0 R >>", pdf->obj_font);
    pdf_printf(pdf, " >>\n   /Contents %u 0 R >>\nendobj\n", cont);
    if (pdf->broken) {
        rc = broken_err(pdf, err);
        goto out;
    }
    pdf->pages[pdf->n_pages++] = pobj;
    pdf->font_used = pdf->font_used || has_text;
out:
    if (cs)
        (void)fclose(cs);
    free(content);
    free(scratch);
    return rc;
}

/* The shared Type0 font and its parts. */
static int write_font(struct sohoa_pdf *pdf, struct sohoa_err *err)
{
    int rc = 0;
    if ((rc = xref_room(pdf, 5, err)))
        return rc;
    uint32_t cid = obj_new(pdf), desc = obj_new(pdf), file = obj_new(pdf), map = obj_new(pdf),
             tou = obj_new(pdf);

    obj_begin(pdf, pdf->obj_font);
    pdf_printf(pdf,
               "<< /Type /Font /Subtype /Type0 /BaseFont /" FONT_NAME
               " /Encoding /Identity-H\n   /DescendantFonts [%u 0 R] /ToUnicode %u 0 R >>\n"
               "endobj\n",
               cid, tou);

    obj_begin(pdf, cid);
    pdf_printf(pdf,
               "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /" FONT_NAME
               "\n   /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
               "\n   /FontDescriptor %u 0 R /DW %d /CIDToGIDMap %u 0 R >>\nendobj\n",
               desc, FONT_ADVANCE, map);

    obj_begin(pdf, desc);
    pdf_printf(pdf,
               "<< /Type /FontDescriptor /FontName /" FONT_NAME
               " /Flags 5 /FontBBox [%d %d %d %d]\n   /ItalicAngle 0 /Ascent %d /Descent %d"
               " /CapHeight 700 /StemV 80 /FontFile2 %u 0 R >>\nendobj\n",
               NOTDEF_X0, FONT_DESCENT, NOTDEF_X1, FONT_ASCENT, FONT_ASCENT, FONT_DESCENT, file);

    uint8_t ttf[SOHOA_PDFFONT_MAX];
    size_t ttf_len = sohoa_pdffont_build(ttf);
    char dict[64];
    (void)snprintf(dict, sizeof dict, "/Length1 %zu", ttf_len);
    obj_stream(pdf, file, dict, ttf, ttf_len);

    uint8_t zmap[1024];
    const uint8_t gid1[2] = {0, 1};
    size_t zlen = sohoa_flate_repeat(gid1, 2, (size_t)2 * 65536, zmap, sizeof zmap);
    if (!zlen)
        return pdf_fail(pdf, err, SOHOA_EBACKEND, false, "CIDToGIDMap does not fit");
    obj_stream(pdf, map, "/Filter /FlateDecode", zmap, zlen);

    char *cmap = NULL;
    size_t cmap_len = 0;
    FILE *f = open_memstream(&cmap, &cmap_len);
    if (!f)
        return pdf_fail(pdf, err, SOHOA_ENOMEM, false, "out of memory (ToUnicode)");
    fputs("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
          "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
          "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
          "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
          f);
    /* BMP: one bfrange per high byte (a range may not cross one), skipping surrogates. */
    int hi[248] = {0}, nhi = 0;
    for (int h = 0; h < 256; h++)
        if (h < 0xD8 || h > 0xDF)
            hi[nhi++] = h;
    for (int k = 0; k < nhi; k += 100) {
        int n = nhi - k < 100 ? nhi - k : 100;
        fprintf(f, "%d beginbfrange\n", n);
        for (int j = k; j < k + n; j++)
            fprintf(f, "<%02X00> <%02XFF> <%02X00>\n", hi[j], hi[j], hi[j]);
        fputs("endbfrange\n", f);
    }
    for (uint32_t k = 0; k < pdf->n_extra; k += 100) {
        uint32_t n = pdf->n_extra - k < 100 ? pdf->n_extra - k : 100;
        fprintf(f, "%u beginbfchar\n", n);
        for (uint32_t j = k; j < k + n; j++) {
            uint32_t v = pdf->extra_cp[j] - 0x10000;
            fprintf(f, "<%04X> <%04X%04X>\n", EXTRA_CID_0 + j, 0xD800 + (v >> 10),
                    0xDC00 + (v & 0x3FF));
        }
        fputs("endbfchar\n", f);
    }
    fputs("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n", f);
    if (fclose(f) != 0) {
        free(cmap);
        return pdf_fail(pdf, err, SOHOA_ENOMEM, false, "out of memory (ToUnicode)");
    }
    obj_stream(pdf, tou, "", cmap, cmap_len);
    free(cmap);
    return 0;
}

static void write_info(struct sohoa_pdf *pdf, uint32_t id)
{
    obj_begin(pdf, id);
    pdf_puts(pdf, "<<");
    if (pdf->title) {
        pdf_puts(pdf, " /Title ");
        pdf_text_string(pdf, pdf->title);
    }
    if (pdf->producer) {
        pdf_puts(pdf, " /Producer ");
        pdf_text_string(pdf, pdf->producer);
    }
    if (pdf->creation_time) {
        time_t t = (time_t)pdf->creation_time;
        struct tm tm;
        if (gmtime_r(&t, &tm))
            pdf_printf(pdf, " /CreationDate (D:%04d%02d%02d%02d%02d%02dZ)", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    }
    pdf_puts(pdf, " >>\nendobj\n");
}

int sohoa_pdf_finish(struct sohoa_pdf *pdf, struct sohoa_err *err)
{
    int rc = 0;
    if (!pdf || pdf->finished)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "pdf: writer finished or missing");
    if (pdf->broken)
        return broken_err(pdf, err);
    if (pdf->n_pages == 0)
        return sohoa_err_set(err, SOHOA_EEMPTY, false, "pdf: document has no pages");
    if ((rc = xref_room(pdf, 7, err))) /* font parts, info, catalog */
        return rc;

    if (pdf->font_used) {
        if ((rc = write_font(pdf, err)))
            return rc;
    } else {
        obj_begin(pdf, pdf->obj_font); /* reserved but unused: an empty placeholder */
        pdf_puts(pdf, "null\nendobj\n");
    }
    obj_begin(pdf, pdf->obj_pages);
    pdf_puts(pdf, "<< /Type /Pages /Kids [");
    for (size_t i = 0; i < pdf->n_pages; i++)
        pdf_printf(pdf, "%s%u 0 R", i % 10 == 0 ? "\n" : " ", pdf->pages[i]);
    pdf_printf(pdf, "\n] /Count %zu >>\nendobj\n", pdf->n_pages);

    uint32_t info = obj_new(pdf), cat = obj_new(pdf);
    write_info(pdf, info);
    obj_begin(pdf, cat);
    pdf_printf(pdf, "<< /Type /Catalog /Pages %u 0 R >>\nendobj\n", pdf->obj_pages);

    uint64_t xref_at = pdf->pos;
    pdf_printf(pdf, "xref\n0 %u\n0000000000 65535 f \n", pdf->n_obj + 1);
    for (uint32_t i = 1; i <= pdf->n_obj; i++)
        pdf_printf(pdf, "%010llu 00000 n \n", (unsigned long long)pdf->xref[i]);
    pdf_printf(pdf, "trailer\n<< /Size %u /Root %u 0 R /Info %u 0 R >>\nstartxref\n%llu\n%%%%EOF\n",
               pdf->n_obj + 1, cat, info, (unsigned long long)xref_at);
    if (!pdf->broken && fflush(pdf->fp) != 0)
        io_failed(pdf);
    if (pdf->own_fp && !pdf->broken) {
        if (fsync(fileno(pdf->fp)) != 0 && errno != EINVAL)
            io_failed(pdf);
        if (fclose(pdf->fp) != 0)
            io_failed(pdf);
        pdf->fp = NULL;
        if (!pdf->broken && rename(pdf->part_path, pdf->path) != 0)
            io_failed(pdf);
    }
    if (pdf->broken)
        return broken_err(pdf, err);
    pdf->finished = true;
    return 0;
}

void sohoa_pdf_free(struct sohoa_pdf **pp)
{
    if (!pp || !*pp)
        return;
    struct sohoa_pdf *pdf = *pp;
    if (pdf->own_fp && pdf->fp) {
        (void)fclose(pdf->fp);
        if (pdf->part_path)
            unlink(pdf->part_path);
    } else if (pdf->own_fp && !pdf->finished && pdf->part_path) {
        unlink(pdf->part_path);
    }
    free(pdf->path);
    free(pdf->part_path);
    free(pdf->xref);
    free(pdf->pages);
    free(pdf->title);
    free(pdf->producer);
    free(pdf);
    *pp = NULL;
}
