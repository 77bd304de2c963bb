/* ocr.c — text recognition with Tesseract's C API: one TessBaseAPI per handle.
 *
 * Holds the handle (models loaded once, reused for every page), the per-page recognition with a
 * deadline (Tesseract's ETEXT_DESC monitor), and the walk over Tesseract's result iterator that
 * turns words into struct sohoa_word and the page text; and the second reading of a
 * machine-readable zone (pipeline/image/mrz.h finds it and puts it back) with an `eng` handle made
 * on first need. The only file in sohoa that includes <tesseract/capi.h>; Tesseract's own messages
 * are sent to /dev/null (debug_file), never stderr.
 */
#include "pipeline/image/ocr.h"
#include "pipeline/image/mrz.h"
#include "pipeline/image/readorder.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tesseract/capi.h>

#include "pipeline/base/vntext.h"
#include "pipeline/base/deadline.h"

struct sohoa_ocr {
    TessBaseAPI *api;
    char *datapath;       /* as given to sohoa_ocr_new (NULL: Tesseract's default) */
    TessBaseAPI *mrz;     /* eng, whitelist of the MRZ alphabet; made on the first MRZ */
    bool mrz_unavailable; /* eng could not be loaded: MRZs keep the first reading */
    double min_line_conf; /* see the reading-order section */
    bool columns;
};

/* --- version ------------------------------------------------------------------------------- */

static pthread_once_t version_once = PTHREAD_ONCE_INIT;
static char version_str[64];

static void version_init(void)
{
    (void)snprintf(version_str, sizeof version_str, "tesseract %s", TessVersion());
}

const char *sohoa_ocr_version(void)
{
    pthread_once(&version_once, version_init);
    return version_str;
}

/* --- handle -------------------------------------------------------------------------------- */

/* Process-wide settings, made once and before any handle loads models:
 *   - Tesseract's messages go to /dev/null: debug_file is a global parameter, so it is set once
 *     here (through a throwaway handle) rather than racing from every worker's sohoa_ocr_new;
 *   - OMP_THREAD_LIMIT=1 if unset. Tesseract's OpenMP threads would fight the worker pool for
 *     the cores (4.5x the CPU time for the same pages, measured), but libgomp reads this once,
 *     when it is loaded, which is before main() in a program linking Tesseract: the entry point
 *     must have it in its environment (set it and re-exec). Here it only reaches children. */
static pthread_once_t process_once = PTHREAD_ONCE_INIT;

static void process_init(void)
{
    setenv("OMP_THREAD_LIMIT", "1", 0);
    TessBaseAPI *api = TessBaseAPICreate();
    if (api) {
        TessBaseAPISetVariable(api, "debug_file", "/dev/null");
        TessBaseAPIDelete(api);
    }
}

int sohoa_ocr_new(const char *datapath, const char *langs, struct sohoa_ocr **out,
                  struct sohoa_err *err)
{
    struct sohoa_ocr *h = NULL;
    int rc = 0;
    if (out)
        *out = NULL;
    if (!out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "ocr: no out-param");
    if (!langs || !*langs)
        langs = SOHOA_OCR_DEFAULT_LANGS;
    if (!datapath) {
        const char *env = getenv("SOHOA_TESSDATA");
        if (env && *env)
            datapath = env;
    }
    pthread_once(&process_once, process_init);

    h = calloc(1, sizeof *h);
    if (!h) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "ocr: out of memory");
        goto out;
    }
    h->api = TessBaseAPICreate();
    if (!h->api) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "ocr: cannot create a Tesseract handle");
        goto out;
    }
    if (TessBaseAPIInit2(h->api, datapath, langs, OEM_LSTM_ONLY) != 0) {
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false,
                           "ocr: cannot load Tesseract language data '%s' from %s", langs,
                           datapath ? datapath : "the default tessdata folder");
        goto out;
    }
    TessBaseAPISetPageSegMode(h->api, (TessPageSegMode)SOHOA_OCR_DEFAULT_PSM);
    if (datapath && !(h->datapath = strdup(datapath))) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "ocr: out of memory");
        goto out;
    }
    h->min_line_conf = SOHOA_OCR_DEFAULT_MIN_LINE_CONF;
    h->columns = true;
out:
    if (rc)
        sohoa_ocr_free(&h);
    *out = h;
    return rc;
}

void sohoa_ocr_free(struct sohoa_ocr **h)
{
    if (!h || !*h)
        return;
    if ((*h)->api) {
        TessBaseAPIEnd((*h)->api);
        TessBaseAPIDelete((*h)->api);
    }
    if ((*h)->mrz) {
        TessBaseAPIEnd((*h)->mrz);
        TessBaseAPIDelete((*h)->mrz);
    }
    free((*h)->datapath);
    free(*h);
    *h = NULL;
}

int sohoa_ocr_set_psm(struct sohoa_ocr *h, int psm, struct sohoa_err *err)
{
    if (!h || psm < 0 || psm >= (int)PSM_COUNT)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "ocr: bad page segmentation mode %d", psm);
    TessBaseAPISetPageSegMode(h->api, (TessPageSegMode)psm);
    return 0;
}

int sohoa_ocr_set_param(struct sohoa_ocr *h, const char *name, const char *value,
                        struct sohoa_err *err)
{
    if (!h || !name || !value)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "ocr: set_param needs a name and value");
    if (!TessBaseAPISetVariable(h->api, name, value))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "ocr: Tesseract has no parameter '%s'",
                             name);
    return 0;
}

void sohoa_ocr_set_layout(struct sohoa_ocr *h, double min_line_conf, bool columns)
{
    if (!h)
        return;
    h->min_line_conf = min_line_conf;
    h->columns = columns;
}

/* --- page ---------------------------------------------------------------------------------- */

void sohoa_ocr_page_release(struct sohoa_ocr_page *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_words; i++)
        free(p->words[i].text);
    free(p->words);
    free(p->text);
    memset(p, 0, sizeof *p);
}

void sohoa_ocr_page_scale(struct sohoa_ocr_page *p, double factor)
{
    if (!p || factor <= 0)
        return;
    for (size_t i = 0; i < p->n_words; i++) {
        struct sohoa_word *w = &p->words[i];
        w->x0 = (int)lround(w->x0 * factor);
        w->y0 = (int)lround(w->y0 * factor);
        w->x1 = (int)lround(w->x1 * factor);
        w->y1 = (int)lround(w->y1 * factor);
        w->baseline = (int)lround(w->baseline * factor);
    }
}

/* y of the baseline through (x1,y1)-(x2,y2) at x. */
static int baseline_at(int x1, int y1, int x2, int y2, int x)
{
    if (x2 == x1)
        return y1;
    return (int)lround(y1 + (double)(y2 - y1) * (x - x1) / (x2 - x1));
}

/* --- words as Tesseract gives them ------------------------------------------------------------ */

static int utf8_count(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Walk Tesseract's result iterator: every non-empty word, normalised, with box and indices. */
static int gather_words(TessBaseAPI *api, struct sohoa_rawpage *rp, struct sohoa_err *err)
{
    int rc = 0, tblock = -1, tpara = -1, tline = -1;
    TessResultIterator *ri = TessBaseAPIGetIterator(api);
    if (!ri)
        return 0; /* nothing recognised */
    const TessPageIterator *pi = TessResultIteratorGetPageIterator(ri);
    do {
        /* Counted before dropping empty words, so a beginning is never lost. */
        if (TessPageIteratorIsAtBeginningOf(pi, RIL_BLOCK))
            tblock++;
        if (TessPageIteratorIsAtBeginningOf(pi, RIL_PARA))
            tpara++;
        if (TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE))
            tline++;
        char *raw = TessResultIteratorGetUTF8Text(ri, RIL_WORD);
        if (!raw)
            continue;
        char *norm = NULL;
        rc = vn_normalize(raw, strlen(raw), &norm, err);
        TessDeleteText(raw);
        if (rc)
            break;
        if (!norm[strspn(norm, " \t\r\n")]) {
            free(norm);
            continue;
        }
        if (rp->n == rp->cap) {
            size_t ncap = rp->cap ? rp->cap * 2 : 256;
            struct sohoa_rawword *nv =
                rp->cap <= SIZE_MAX / 2 / sizeof *nv ? realloc(rp->v, ncap * sizeof *nv) : NULL;
            if (!nv) {
                free(norm);
                rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "ocr: out of memory for words");
                break;
            }
            rp->v = nv;
            rp->cap = ncap;
        }
        struct sohoa_rawword *r = &rp->v[rp->n++];
        memset(r, 0, sizeof *r);
        r->w.text = norm;
        r->ncp = utf8_count(norm);
        r->tblock = tblock < 0 ? 0 : tblock;
        r->tpara = tpara < 0 ? 0 : tpara;
        r->tline = tline < 0 ? 0 : tline;
        struct sohoa_word *w = &r->w;
        TessPageIteratorBoundingBox(pi, RIL_WORD, &w->x0, &w->y0, &w->x1, &w->y1);
        w->conf = TessResultIteratorConfidence(ri, RIL_WORD);
        int bx1, by1, bx2, by2;
        if (TessPageIteratorBaseline(pi, RIL_WORD, &bx1, &by1, &bx2, &by2))
            w->baseline = baseline_at(bx1, by1, bx2, by2, (w->x0 + w->x1) / 2);
        else
            w->baseline = w->y1;
    } while (TessResultIteratorNext(ri, RIL_WORD));
    TessResultIteratorDelete(ri);
    return rc;
}

/* --- machine-readable zone ------------------------------------------------------------------
 *
 * The Vietnamese model reads the OCR-B lines of a card's MRZ badly and at low confidence (so
 * the noise pass would drop them). A band whose lines look like an MRZ is read again by an
 * `eng` handle restricted to the MRZ alphabet, one uniform block (PSM 6); pipeline/image/mrz.c
 * repairs it under its check digits and puts it in place of the first reading. Without eng data the
 * first reading is kept (repaired too). */

#define MRZ_LANG      "eng"
#define MRZ_WHITELIST "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
#define MRZ_PSM       PSM_SINGLE_BLOCK

static TessBaseAPI *mrz_api(struct sohoa_ocr *h)
{
    if (h->mrz || h->mrz_unavailable)
        return h->mrz;
    h->mrz = TessBaseAPICreate();
    if (h->mrz && TessBaseAPIInit2(h->mrz, h->datapath, MRZ_LANG, OEM_LSTM_ONLY) == 0 &&
        TessBaseAPISetVariable(h->mrz, "tessedit_char_whitelist", MRZ_WHITELIST)) {
        TessBaseAPISetPageSegMode(h->mrz, MRZ_PSM);
        return h->mrz;
    }
    if (h->mrz) {
        TessBaseAPIEnd(h->mrz);
        TessBaseAPIDelete(h->mrz);
    }
    h->mrz = NULL;
    h->mrz_unavailable = true;
    return NULL;
}

/* Lines of the second reading of the band (text with the spaces taken out). */
static size_t mrz_read_lines(TessBaseAPI *api, struct sohoa_mrz_line *out, size_t max)
{
    size_t n = 0;
    TessResultIterator *ri = TessBaseAPIGetIterator(api);
    if (!ri)
        return 0;
    const TessPageIterator *pi = TessResultIteratorGetPageIterator(ri);
    do {
        char *raw = TessResultIteratorGetUTF8Text(ri, RIL_TEXTLINE);
        if (!raw)
            continue;
        struct sohoa_mrz_line *l = &out[n];
        size_t o = 0;
        for (const char *c = raw; *c && o + 1 < sizeof l->text; c++)
            if (*c != ' ' && *c != '\n')
                l->text[o++] = *c;
        l->text[o] = '\0';
        TessDeleteText(raw);
        if (o == 0)
            continue;
        TessPageIteratorBoundingBox(pi, RIL_TEXTLINE, &l->x0, &l->y0, &l->x1, &l->y1);
        l->conf = TessResultIteratorConfidence(ri, RIL_TEXTLINE);
        n++;
    } while (n < max && TessResultIteratorNext(ri, RIL_TEXTLINE));
    TessResultIteratorDelete(ri);
    return n;
}

/* Finds an MRZ band in `rp`, reads it again and splices it in. A failed second reading keeps
 * the first (repaired); only running out of memory or the deadline fails the page. */
static int mrz_pass(struct sohoa_ocr *h, const struct sohoa_image *img, ETEXT_DESC *monitor,
                    struct sohoa_rawpage *rp, struct sohoa_err *err)
{
    struct sohoa_mrz_band band;
    struct sohoa_mrz_line lines[SOHOA_MRZ_BAND_LINES];
    size_t n = 0;
    bool read = false;
    if (!sohoa_mrz_find_band(rp, img->width, img->height, &band))
        return 0;
    TessBaseAPI *api = mrz_api(h);
    if (api) {
        TessBaseAPISetImage(api, img->pixels, img->width, img->height, img->bands,
                            (int)img->stride);
        if (img->xres > 0)
            TessBaseAPISetSourceResolution(api, (int)lround(img->xres));
        TessBaseAPISetRectangle(api, band.x0, band.y0, band.x1 - band.x0, band.y1 - band.y0);
        if (TessBaseAPIRecognize(api, monitor) == 0) {
            n = mrz_read_lines(api, lines, SOHOA_MRZ_BAND_LINES);
            read = true;
        }
    }
    int rc = sohoa_mrz_splice(rp, &band, read ? lines : NULL, n, NULL, err);
    if (api)
        TessBaseAPIClear(api);
    return rc;
}

int sohoa_ocr_page(struct sohoa_ocr *h, const struct sohoa_image *img, int timeout_ms,
                   struct sohoa_ocr_page *out, struct sohoa_err *err)
{
    ETEXT_DESC *monitor = NULL;
    int rc = 0;
    if (out)
        memset(out, 0, sizeof *out);
    if (!h || !out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "ocr: no handle or result");
    if (!img || !img->pixels || img->width <= 0 || img->height <= 0 ||
        (img->bands != 1 && img->bands != 3) || img->stride < (size_t)img->width * img->bands)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "ocr: not a valid image");
    if (img->stride > (size_t)INT32_MAX || img->width > INT32_MAX / 3)
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "ocr: image rows too long");

    /* Tesseract copies the pixels into its own image. */
    TessBaseAPISetImage(h->api, img->pixels, img->width, img->height, img->bands, (int)img->stride);
    if (img->xres > 0)
        TessBaseAPISetSourceResolution(h->api, (int)lround(img->xres));

    double t0 = sohoa_now_ms();
    if (timeout_ms > 0) {
        monitor = TessMonitorCreate();
        if (!monitor) {
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "ocr: cannot create a monitor");
            goto out;
        }
        TessMonitorSetDeadlineMSecs(monitor, timeout_ms);
    }
    if (TessBaseAPIRecognize(h->api, monitor) != 0) {
        double took = sohoa_now_ms() - t0;
        if (timeout_ms > 0 && took >= timeout_ms)
            rc = sohoa_err_set(err, SOHOA_ETIMEOUT, false, "ocr: page passed its deadline of %d ms",
                               timeout_ms);
        else
            rc = sohoa_err_set(err, SOHOA_EBACKEND, false, "ocr: Tesseract recognition failed");
        goto out;
    }
    struct sohoa_rawpage rp = {0};
    rc = gather_words(h->api, &rp, err);
    if (rc == 0)
        rc = mrz_pass(h, img, monitor, &rp, err);
    if (rc == 0)
        rc = sohoa_readorder(&rp, h->min_line_conf, h->columns, out, err);
    else
        sohoa_rawpage_release(&rp);

out:
    if (monitor)
        TessMonitorDelete(monitor);
    /* Drop the image and results; keep the loaded models. */
    TessBaseAPIClear(h->api);
    if (rc)
        sohoa_ocr_page_release(out);
    return rc;
}
