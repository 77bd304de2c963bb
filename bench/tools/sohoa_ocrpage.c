/* sohoa_ocrpage.c — decode a page (PNG/TIFF/JPEG, or page 1 of a PDF), clean it, OCR it, print
 * the text. For accuracy experiments and benchmarks: every cleaning and recognition lever has a
 * switch, one Tesseract handle serves all files given, timings go to stderr.
 *
 *   sohoa_ocrpage [options] FILE...
 *     -o DIR           write DIR/<name>.txt per file instead of printing the text
 *     --dpi N          resolution to assume for every page (PDFs are rendered at 300 dpi)
 *     --lang L         Tesseract languages (default: SOHOA_OCR_DEFAULT_LANGS)
 *     --psm N          page segmentation mode (default: SOHOA_OCR_DEFAULT_PSM)
 *     --tessdata DIR   language data folder (default: $SOHOA_TESSDATA or Tesseract's)
 *     --param N=V      any Tesseract parameter (repeatable)
 *     --raw            no cleaning at all: the decoded page goes to Tesseract as it is
 *     --no-orient --no-deskew --no-red --no-bg   switch one cleaning step off
 *     --binary         give Tesseract the binarised page instead of grey
 *     --upscale DPI    upscale pages below DPI*0.9 to DPI for recognition
 *     --timeout MS     per-page deadline
 *     --min-line-conf C  drop lines below this mean confidence (default SOHOA_OCR_DEFAULT_...)
 *     --no-columns     keep Tesseract's row-by-row order for side-by-side columns
 *     --info           print the cleaning decisions and word count per page to stderr
 *     --clean-only     clean but do not recognise (with --info: the cleaning decisions alone)
 *     --words          print one word a line instead of the text: box, conf, block/para/line,
 *                      baseline, text
 *
 * Decoding is the pipeline's own (imageio); the text is what the page worker would index.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pipeline/image/clean.h"
#include "pipeline/image/imageio.h"
#include "pipeline/image/ocr.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Page 1 of `path` through the pipeline's decoder; `dpi` > 0 overrides the resolution (the
 * vn-docs PNGs are 200 dpi but labelled 72, which the decoder reads as "unknown: 300"). */
static int load_page(const char *path, double dpi, struct sohoa_image *img, struct sohoa_err *err)
{
    int rc = sohoa_imageio_decode_page(path, SOHOA_FORMAT_UNKNOWN, 0, NULL, img, err);
    if (rc == 0 && dpi > 0)
        img->xres = img->yres = dpi;
    return rc;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: sohoa_ocrpage [-o DIR] [--dpi N] [--lang L] [--psm N] [--tessdata D]\n"
            "  [--param N=V] [--raw] [--no-orient] [--no-deskew] [--no-red] [--no-bg]\n"
            "  [--binary] [--upscale DPI] [--timeout MS] [--min-line-conf C] [--no-columns]\n"
            "  [--info] [--clean-only] [--words] FILE...\n");
}

int main(int argc, char **argv)
{
    /* libgomp reads OMP_THREAD_LIMIT once, when it is loaded (before main): without it
     * Tesseract's OpenMP loops take every core. Restart once with it set. */
    if (!getenv("OMP_THREAD_LIMIT")) {
        setenv("OMP_THREAD_LIMIT", "1", 1);
        execv("/proc/self/exe", argv);
    }
    struct sohoa_clean_opts co;
    sohoa_clean_opts_default(&co);
    const char *outdir = NULL, *lang = NULL, *tessdata = NULL;
    const char *params[64];
    int nparams = 0, psm = -1, timeout = 0;
    double dpi = 0;
    bool raw = false, info = false, words = false, columns = true, clean_only = false;
    double min_line_conf = SOHOA_OCR_DEFAULT_MIN_LINE_CONF;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (!strcmp(a, "-o") && has)
            outdir = argv[++i];
        else if (!strcmp(a, "--dpi") && has)
            dpi = atof(argv[++i]);
        else if (!strcmp(a, "--lang") && has)
            lang = argv[++i];
        else if (!strcmp(a, "--psm") && has)
            psm = atoi(argv[++i]);
        else if (!strcmp(a, "--tessdata") && has)
            tessdata = argv[++i];
        else if (!strcmp(a, "--param") && has && nparams < 64)
            params[nparams++] = argv[++i];
        else if (!strcmp(a, "--timeout") && has)
            timeout = atoi(argv[++i]);
        else if (!strcmp(a, "--upscale") && has) {
            co.ocr_target_dpi = atof(argv[++i]);
            co.ocr_min_dpi = co.ocr_target_dpi * 0.9;
        } else if (!strcmp(a, "--raw"))
            raw = true;
        else if (!strcmp(a, "--no-orient"))
            co.orient = false;
        else if (!strcmp(a, "--no-deskew"))
            co.deskew = false;
        else if (!strcmp(a, "--no-red"))
            co.drop_red = false;
        else if (!strcmp(a, "--no-bg"))
            co.normalize_bg = false;
        else if (!strcmp(a, "--binary"))
            co.ocr_form = SOHOA_CLEAN_OCR_BINARY;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage();
            return 0;
        } else if (!strcmp(a, "--info"))
            info = true;
        else if (!strcmp(a, "--clean-only"))
            clean_only = true;
        else if (!strcmp(a, "--min-line-conf") && has)
            min_line_conf = atof(argv[++i]);
        else if (!strcmp(a, "--no-columns"))
            columns = false;
        else if (!strcmp(a, "--words"))
            words = true;
        else {
            usage();
            return 2;
        }
    }
    if (i >= argc) {
        usage();
        return 2;
    }

    struct sohoa_err err = {0};
    struct sohoa_ocr *ocr = NULL;
    if (sohoa_ocr_new(tessdata, lang, &ocr, &err)) {
        fprintf(stderr, "sohoa_ocrpage: %s\n", err.msg);
        return 1;
    }
    sohoa_ocr_set_layout(ocr, min_line_conf, columns);
    if (psm >= 0 && sohoa_ocr_set_psm(ocr, psm, &err)) {
        fprintf(stderr, "sohoa_ocrpage: %s\n", err.msg);
        return 1;
    }
    for (int p = 0; p < nparams; p++) {
        char name[256];
        const char *eq = strchr(params[p], '=');
        if (!eq || (size_t)(eq - params[p]) >= sizeof name) {
            usage();
            return 2;
        }
        memcpy(name, params[p], (size_t)(eq - params[p]));
        name[eq - params[p]] = '\0';
        if (sohoa_ocr_set_param(ocr, name, eq + 1, &err)) {
            fprintf(stderr, "sohoa_ocrpage: %s\n", err.msg);
            return 1;
        }
    }

    int failed = 0, pages = 0;
    double t_clean = 0, t_ocr = 0, t_all0 = now_s();
    for (; i < argc; i++) {
        struct sohoa_image page = {0};
        struct sohoa_clean_result cr = {0};
        struct sohoa_ocr_page op = {0};
        if (load_page(argv[i], dpi, &page, &err)) {
            fprintf(stderr, "sohoa_ocrpage: %s\n", err.msg);
            failed++;
            continue;
        }
        double t0 = now_s();
        const struct sohoa_image *ocr_img = &page;
        if (!raw) {
            if (sohoa_clean_page(&page, &co, &cr, &err)) {
                fprintf(stderr, "sohoa_ocrpage: %s: %s\n", argv[i], err.msg);
                failed++;
                sohoa_image_release(&page);
                continue;
            }
            ocr_img = &cr.ocr;
        }
        double t1 = now_s();
        int rc = 0;
        if ((!raw && cr.blank) || clean_only)
            op.text = strdup("");
        else
            rc = sohoa_ocr_page(ocr, ocr_img, timeout, &op, &err);
        double t2 = now_s();
        t_clean += t1 - t0;
        t_ocr += t2 - t1;
        pages++;
        if (rc) {
            fprintf(stderr, "sohoa_ocrpage: %s: %s\n", argv[i], err.msg);
            failed++;
        } else {
            if (info)
                fprintf(stderr,
                        "%s: %dx%d dpi %.0f%s rot %d (conf %.1f) skew %.2f (conf %.1f%s) "
                        "blank %d scale %.2f words %zu conf %.1f clean %.2fs ocr %.2fs\n",
                        argv[i], page.width, page.height, cr.dpi, cr.dpi_guessed ? "?" : "",
                        cr.rotation, cr.orient_conf, cr.skew_deg, cr.skew_conf,
                        cr.skew_applied ? ", applied" : "", cr.blank, cr.ocr_scale, op.n_words,
                        op.mean_conf, t1 - t0, t2 - t1);
            FILE *f = stdout;
            char path[4096];
            if (outdir) {
                const char *base = strrchr(argv[i], '/');
                base = base ? base + 1 : argv[i];
                const char *dot = strrchr(base, '.');
                int blen = dot ? (int)(dot - base) : (int)strlen(base);
                if ((size_t)snprintf(path, sizeof path, "%s/%.*s.txt", outdir, blen, base) >=
                    sizeof path)
                    f = NULL;
                else
                    f = fopen(path, "w");
                if (!f) {
                    fprintf(stderr, "sohoa_ocrpage: cannot write %s\n", path);
                    failed++;
                }
            }
            if (f && words) {
                for (size_t k = 0; k < op.n_words; k++) {
                    const struct sohoa_word *w = &op.words[k];
                    fprintf(f, "%d %d %d %d\t%.1f\t%d %d %d\t%d\t%s\n", w->x0, w->y0, w->x1, w->y1,
                            w->conf, w->block, w->para, w->line, w->baseline, w->text);
                }
            } else if (f) {
                fprintf(f, "%s\n", op.text ? op.text : "");
            }
            /* a write error is sticky: one check per output file */
            bool write_failed = false;
            if (f && f != stdout) {
                write_failed = ferror(f) != 0;
                write_failed = fclose(f) != 0 || write_failed;
            }
            if (write_failed) {
                fprintf(stderr, "sohoa_ocrpage: cannot write %s\n", path);
                failed++;
            }
        }
        sohoa_ocr_page_release(&op);
        sohoa_clean_result_release(&cr);
        sohoa_image_release(&page);
    }
    double t_all = now_s() - t_all0;
    fprintf(stderr,
            "sohoa_ocrpage: %d pages, %d failed, clean %.2fs, ocr %.2fs, total %.2fs, "
            "%.3f pages/s\n",
            pages, failed, t_clean, t_ocr, t_all, t_all > 0 ? pages / t_all : 0.0);
    sohoa_ocr_free(&ocr);
    return failed ? 1 : 0;
}
