/* sohoa_gen.c — synthetic Vietnamese "scanned" A4 pages with exact ground truth, for the demo (a
 * fresh user has no corpus), tests and benchmarks. bench/gen/README.md documents the options.
 *
 * Layout: text (the bundled bench/gen/texts/ files or --text FILE) is broken into lines here and
 * every line is rendered by libvips/Pango on its own, so the ground truth holds exactly the lines
 * that were drawn, in reading order. Each line is rendered with a "strut" line (a full block
 * glyph) under it: vips_text crops its output to the ink, and the strut gives every line the same
 * vertical reference, so baselines sit on a regular grid; it also makes Pango justify the text
 * line (a line that ends a paragraph is never justified). Lines that would not fit are caught by
 * the height of the rendered block (Pango wrapped them) and shortened.
 *
 * Damage (all optional, all reproducible from --seed): a red seal (rings, text ring, star) and a
 * blue signature stroke blended like ink, uneven lighting and paper tint, skew, blur, grain, a
 * JPEG round trip, binarisation. Composition is plain C on one buffer; geometry and filters are
 * libvips; multi-page TIFFs are appended page by page with Leptonica (libvips cannot append).
 *
 * A tool, not the pipeline: it includes libvips, Leptonica, utf8proc, jansson and GLib directly.
 * One thread (libvips runs its own worker threads inside operations; VIPS_CONCURRENCY caps them).
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <glib.h>
#include <jansson.h>
#include <leptonica/allheaders.h>
#include <utf8proc.h>
#include <vips/vips.h>

#include "bench/gen/damage.h"
#include "bench/gen/doc.h"
#include "bench/gen/ink.h"
#include "bench/gen/letterhead.h"
#include "bench/gen/output.h"
#include "bench/gen/page.h"
#include "bench/gen/people.h"
#include "bench/gen/render.h"
#include "bench/gen/util.h"
#include "pipeline/base/err.h"
#include "pipeline/base/fs.h"

#define GEN_DEFAULT_TEXTS SOHOA_SOURCE_DIR "/bench/gen/texts"
#define GEN_MAX_PAGES     10000
#define GEN_MAX_DPI       600
#define GEN_TEXT_MAX      (16 * 1024 * 1024) /* bytes of one text file */

/* ---------------------------------------------------------------------------------------------
 * Synthetic people, places and procedures (one province; all names and codes are made up)
 * ------------------------------------------------------------------------------------------- */

#define PROVINCE "Đồng Nai"
#define PROVINCE_UNIT                                                                              \
    "000.00.00.H30" /* receiving unit in receipt numbers (docs/DOMAIN.md form)                     \
                     */
#define MST_PREFIX "36"

struct commune {
    const char *type; /* "phường", "xã", "thị trấn" */
    const char *name;
};

struct district {
    const char *type; /* "thành phố", "huyện" */
    const char *name;
    struct commune communes[3];
};

static const struct district DISTRICTS[] = {
    {"thành phố",
     "Biên Hòa",
     {{"phường", "Tân Phong"}, {"phường", "Trảng Dài"}, {"phường", "Hố Nai"}}},
    {"thành phố",
     "Long Khánh",
     {{"phường", "Xuân An"}, {"phường", "Xuân Bình"}, {"phường", "Xuân Trung"}}},
    {"huyện", "Long Thành", {{"thị trấn", "Long Thành"}, {"xã", "An Phước"}, {"xã", "Bình Sơn"}}},
    {"huyện", "Trảng Bom", {{"thị trấn", "Trảng Bom"}, {"xã", "Bắc Sơn"}, {"xã", "Sông Trầu"}}},
    {"huyện",
     "Nhơn Trạch",
     {{"thị trấn", "Hiệp Phước"}, {"xã", "Phước Thiền"}, {"xã", "Long Tân"}}},
};

struct dept {
    const char *name;      /* "Sở Tư pháp" */
    const char *abbr;      /* in document numbers: 123/QĐ-STP */
    const char *procedure; /* lower-case, as it reads inside a sentence */
    const char *code;      /* procedure code, docs/DOMAIN.md form */
};

static const struct dept DEPTS[] = {
    {"Sở Tư pháp", "STP", "cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
     "1.011442.000.00.00.H38"},
    {"Sở Kế hoạch và Đầu tư", "SKHĐT", "đăng ký thành lập doanh nghiệp tư nhân",
     "1.010027.000.00.00.H38"},
    {"Sở Xây dựng", "SXD", "cấp giấy phép xây dựng nhà ở riêng lẻ", "1.009994.000.00.00.H38"},
    {"Sở Tài nguyên và Môi trường", "STNMT", "đăng ký biến động quyền sử dụng đất",
     "1.012783.000.00.00.H38"},
    {"Sở Lao động - Thương binh và Xã hội", "SLĐTBXH", "giải quyết hưởng trợ cấp thất nghiệp",
     "1.000401.000.00.00.H38"},
};

static const char *const BIRTH_CODES[] = {"001", "075", "079", "040", "036",
                                          "046", "052", "074", "038", "034"};

/* Everything the templates in the texts can ask for, drawn once per document set. */
struct persona {
    char name[64];
    bool female;
    struct date born, id_issued, received, decided;
    char cccd[16], phone[16], mst[16];
    char address[256];
    const struct district *district;
    const struct commune *commune;
    const struct dept *dept;
    int seq;          /* receipt sequence number of the day */
    char receipt[48]; /* 000.00.00.H30-YYMMDD-NNNN */
    int doc_no;       /* number of the decision */
    char signer[64];  /* who signs for the department */
    char signer2[64]; /* who signs for the commune */
};

static void persona_make(uint64_t seed, struct persona *p)
{
    struct rng r = rng_for(seed, 1, 0);
    memset(p, 0, sizeof *p);
    p->female = rng_unit(&r) < 0.5;
    person_name(&r, p->female, p->name, sizeof p->name);
    p->born = (struct date){rng_int(&r, 1955, 2004), rng_int(&r, 1, 12), rng_int(&r, 1, 28)};
    /* CCCD: birth province, century+sex digit, two-digit year, six digits (docs/DOMAIN.md). */
    (void)snprintf(p->cccd, sizeof p->cccd, "%s%d%02d%06d",
                   rng_pick(&r, BIRTH_CODES, G_N_ELEMENTS(BIRTH_CODES)),
                   (p->born.y >= 2000 ? 2 : 0) + (p->female ? 1 : 0), p->born.y % 100,
                   rng_int(&r, 0, 999999));
    p->id_issued = (struct date){rng_int(&r, 2021, 2024), rng_int(&r, 1, 12), rng_int(&r, 1, 28)};
    (void)snprintf(p->phone, sizeof p->phone, "0%d%08d", rng_int(&r, 0, 1) ? 9 : 3,
                   rng_int(&r, 0, 99999999));
    make_mst(&r, MST_PREFIX, p->mst);
    p->district = &DISTRICTS[rng_next(&r) % G_N_ELEMENTS(DISTRICTS)];
    p->commune = &p->district->communes[rng_next(&r) % 3];
    if (strcmp(p->commune->type, "phường") == 0)
        (void)snprintf(p->address, sizeof p->address, "số %d đường %s, %s %s, %s %s, tỉnh %s",
                       rng_int(&r, 1, 250), rng_pick(&r, GEN_STREETS, GEN_N_STREETS),
                       p->commune->type, p->commune->name, p->district->type, p->district->name,
                       PROVINCE);
    else
        (void)snprintf(p->address, sizeof p->address, "ấp %d, %s %s, %s %s, tỉnh %s",
                       rng_int(&r, 1, 9), p->commune->type, p->commune->name, p->district->type,
                       p->district->name, PROVINCE);
    p->dept = &DEPTS[rng_next(&r) % G_N_ELEMENTS(DEPTS)];
    p->received = (struct date){rng_int(&r, 2025, 2026), rng_int(&r, 1, 12), rng_int(&r, 1, 18)};
    p->decided = p->received;
    p->decided.d += rng_int(&r, 3, 10);
    p->seq = rng_int(&r, 1, 400);
    (void)snprintf(p->receipt, sizeof p->receipt, "%s-%02d%02d%02d-%04d", PROVINCE_UNIT,
                   p->received.y % 100, p->received.m, p->received.d, p->seq);
    p->doc_no = rng_int(&r, 12, 2400);
    bool f2 = rng_unit(&r) < 0.4;
    person_name(&r, f2, p->signer, sizeof p->signer);
    f2 = rng_unit(&r) < 0.4;
    person_name(&r, f2, p->signer2, sizeof p->signer2);
}

/* Value of a template key such as HO_TEN; KEY_HOA upper-cases it, KEY_C capitalises it.
 * Returns false for an unknown key (the text is then left as written). */
static bool persona_value(const struct persona *p, const char *key, char *out, size_t n)
{
    char base[64];
    (void)snprintf(base, sizeof base, "%s", key);
    size_t bl = strlen(base);
    int casing = 0;
    if (bl > 4 && strcmp(base + bl - 4, "_HOA") == 0) {
        base[bl - 4] = '\0';
        casing = 1;
    } else if (bl > 2 && strcmp(base + bl - 2, "_C") == 0) {
        base[bl - 2] = '\0';
        casing = 2;
    }
    char v[512];
    if (!strcmp(base, "HO_TEN"))
        (void)snprintf(v, sizeof v, "%s", p->name);
    else if (!strcmp(base, "ONG_BA"))
        (void)snprintf(v, sizeof v, "%s", p->female ? "bà" : "ông");
    else if (!strcmp(base, "GIOI_TINH"))
        (void)snprintf(v, sizeof v, "%s", p->female ? "Nữ" : "Nam");
    else if (!strcmp(base, "NGAY_SINH"))
        fmt_dmy(&p->born, v, sizeof v);
    else if (!strcmp(base, "CCCD"))
        (void)snprintf(v, sizeof v, "%s", p->cccd);
    else if (!strcmp(base, "NGAY_CAP"))
        fmt_dmy(&p->id_issued, v, sizeof v);
    else if (!strcmp(base, "DIA_CHI"))
        (void)snprintf(v, sizeof v, "%s", p->address);
    else if (!strcmp(base, "DIEN_THOAI"))
        (void)snprintf(v, sizeof v, "%s", p->phone);
    else if (!strcmp(base, "MST"))
        (void)snprintf(v, sizeof v, "%s", p->mst);
    else if (!strcmp(base, "CO_QUAN"))
        (void)snprintf(v, sizeof v, "%s tỉnh %s", p->dept->name, PROVINCE);
    else if (!strcmp(base, "THU_TUC"))
        (void)snprintf(v, sizeof v, "%s", p->dept->procedure);
    else if (!strcmp(base, "XA"))
        (void)snprintf(v, sizeof v, "%s %s", p->commune->type, p->commune->name);
    else if (!strcmp(base, "HUYEN"))
        (void)snprintf(v, sizeof v, "%s %s", p->district->type, p->district->name);
    else if (!strcmp(base, "TINH"))
        (void)snprintf(v, sizeof v, "%s", PROVINCE);
    else if (!strcmp(base, "SO_BIEN_NHAN"))
        (void)snprintf(v, sizeof v, "%s", p->receipt);
    else if (!strcmp(base, "NGAY_NHAN"))
        fmt_dmy(&p->received, v, sizeof v);
    else
        return false;
    if (casing == 0)
        (void)snprintf(out, n, "%s", v);
    else
        utf8_case(v, out, n, casing == 2);
    return true;
}

/* ---------------------------------------------------------------------------------------------
 * Texts: one paragraph per line; "# " centred bold heading, "~ " italic paragraph, **bold** words,
 * {KEY} template fields. Everything is NFC after loading.
 * ------------------------------------------------------------------------------------------- */

enum para_kind { PARA_BODY, PARA_ITALIC, PARA_HEADING };

struct word {
    char *s;
    bool bold;
};

struct para {
    enum para_kind kind;
    struct word *words;
    size_t n;
};

struct text {
    struct para *paras;
    size_t n;
};

static void text_release(struct text *t)
{
    for (size_t i = 0; i < t->n; i++) {
        for (size_t j = 0; j < t->paras[i].n; j++)
            free(t->paras[i].words[j].s);
        free(t->paras[i].words);
    }
    free(t->paras);
    memset(t, 0, sizeof *t);
}

/* Replace {KEY} by persona values. */
static void expand_templates(const char *line, const struct persona *per, struct sohoa_buf *out)
{
    const char *p = line;
    while (*p) {
        const char *open = strchr(p, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close || close - open > 40) {
            sohoa_buf_adds(out, p);
            return;
        }
        sohoa_buf_add(out, p, (size_t)(open - p));
        char key[48], val[512];
        (void)snprintf(key, sizeof key, "%.*s", (int)(close - open - 1), open + 1);
        if (per && persona_value(per, key, val, sizeof val))
            sohoa_buf_adds(out, val);
        else
            sohoa_buf_add(out, open, (size_t)(close - open + 1));
        p = close + 1;
    }
}

/* One source line → one paragraph (words split on white space, ** toggles bold). */
static int para_parse(const char *nfc, enum para_kind kind, struct para *out, struct sohoa_err *err)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    size_t cap = 0;
    bool bold = false;
    const char *p = nfc;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        struct sohoa_buf w = GEN_BUF;
        bool wbold = bold, started = false;
        while (*p && *p != ' ' && *p != '\t') {
            if (p[0] == '*' && p[1] == '*') {
                bold = !bold;
                if (!started)
                    wbold = bold;
                p += 2;
                continue;
            }
            sohoa_buf_add(&w, p, 1);
            started = true;
            p++;
        }
        if (w.failed) {
            sohoa_buf_release(&w);
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        }
        if (!w.len)
            continue;
        if (out->n == cap) {
            cap = cap ? 2 * cap : 16;
            struct word *nw =
                cap <= SIZE_MAX / sizeof *nw ? realloc(out->words, cap * sizeof *nw) : NULL;
            if (!nw) {
                sohoa_buf_release(&w);
                return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
            }
            out->words = nw;
        }
        out->words[out->n++] = (struct word){w.data, wbold};
    }
    return 0;
}

/* Append the paragraphs of one text (a whole file in memory) to `t`. */
static int text_add(struct text *t, const char *data, size_t len, const char *label,
                    const struct persona *per, struct sohoa_err *err)
{
    int rc = 0;
    size_t cap = t->n;
    const char *p = data, *end = data + len;
    size_t lineno = 0;
    while (p < end && rc == 0) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        lineno++;
        char *raw = g_strndup(p, n);
        p += n + (nl ? 1 : 0);
        g_strstrip(raw);
        enum para_kind kind = PARA_BODY;
        const char *body = raw;
        if (!strncmp(body, "# ", 2)) {
            kind = PARA_HEADING;
            body += 2;
        } else if (!strncmp(body, "~ ", 2)) {
            kind = PARA_ITALIC;
            body += 2;
        }
        struct sohoa_buf ex = GEN_BUF;
        expand_templates(body, per, &ex);
        utf8proc_uint8_t *nfc =
            ex.data ? utf8proc_NFC((const utf8proc_uint8_t *)ex.data) : (utf8proc_uint8_t *)NULL;
        if (ex.data && !nfc)
            rc = sohoa_err_set(err, SOHOA_EFORMAT, false, "%s:%zu: not valid UTF-8", label, lineno);
        for (char *q = (char *)nfc; q && *q; q++) /* control characters would confuse Pango */
            if ((unsigned char)*q < 0x20)
                *q = ' ';
        if (rc == 0 && nfc && *nfc) {
            if (t->n == cap) {
                cap = cap ? 2 * cap : 64;
                struct para *np = realloc(t->paras, cap * sizeof *np);
                if (!np)
                    rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
                else
                    t->paras = np;
            }
            if (rc == 0 && (rc = para_parse((char *)nfc, kind, &t->paras[t->n], err)) == 0) {
                if (t->paras[t->n].n)
                    t->n++;
                else
                    free(t->paras[t->n].words);
            }
        }
        free(nfc);
        sohoa_buf_release(&ex);
        g_free(raw);
    }
    return rc;
}

static int text_add_file(struct text *t, const char *path, const struct persona *per,
                         struct sohoa_err *err)
{
    gchar *data = NULL;
    gsize len = 0;
    GError *gerr = NULL;
    if (!g_file_get_contents(path, &data, &len, &gerr)) {
        int rc = sohoa_err_set(err, SOHOA_EIO, false, "cannot read %s: %s", path,
                               gerr ? gerr->message : "?");
        g_clear_error(&gerr);
        return rc;
    }
    int rc = len > (gsize)GEN_TEXT_MAX ? sohoa_err_set(err, SOHOA_ELIMIT, false,
                                                       "%s is over %d bytes", path, GEN_TEXT_MAX)
                                       : text_add(t, data, len, path, per, err);
    g_free(data);
    return rc;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.txt of `dir`, in name order. */
static int text_add_dir(struct text *t, const char *dir, const struct persona *per,
                        struct sohoa_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return sohoa_err_set(err, SOHOA_ENOTFOUND, false, "cannot open texts folder %s: %s", dir,
                             strerror(errno));
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < G_N_ELEMENTS(names)) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] != '.' && l > 4 && !strcmp(e->d_name + l - 4, ".txt"))
            names[n++] = g_strdup_printf("%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    int rc = n ? 0 : sohoa_err_set(err, SOHOA_ENOTFOUND, false, "no *.txt in %s", dir);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = text_add_file(t, names[i], per, err);
        g_free(names[i]);
    }
    return rc;
}

/* Ink width of one word (cached). */
static int word_width(struct gen *g, const struct font *f, const struct word *w, int *out,
                      struct sohoa_err *err)
{
    char *key = g_strdup_printf("%s\x1f%s%s", f->desc, w->bold ? "b" : "", w->s);
    gpointer v = g_hash_table_lookup(g->widths, key);
    if (v) {
        *out = GPOINTER_TO_INT(v) - 1;
        g_free(key);
        return 0;
    }
    struct sohoa_buf m = GEN_BUF;
    sohoa_buf_adds(&m, w->bold ? "<b>" : "");
    sb_put_escaped(&m, w->s);
    sohoa_buf_adds(&m, w->bold ? "</b>" : "");
    struct bitmap b = {0};
    int rc = m.failed ? sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory")
                      : render_markup(g, f->desc, m.data, 0, false, &b, err);
    if (rc == 0) {
        *out = b.w;
        g_hash_table_insert(g->widths, key, GINT_TO_POINTER(b.w + 1));
        key = NULL;
    }
    g_free(key);
    bitmap_release(&b);
    sohoa_buf_release(&m);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Documents: letterhead, body flow, signature block
 * ------------------------------------------------------------------------------------------- */

enum header_kind { HDR_NONE, HDR_OFFICIAL, HDR_CITIZEN };
enum issuer { ISSUER_DEPT, ISSUER_COMMUNE };

struct doc_spec {
    const struct text *text;
    size_t start_para;
    bool cyclic;        /* start again at the top when the text runs out */
    int max_pages;      /* 0: until the text ends */
    int lines_per_page; /* 0: fill the page */
    const char *title;  /* extra centred bold heading on page 1 */
    enum header_kind header;
    enum issuer issuer;
    bool signature;
    const char *signer_role; /* citizen documents: "Người làm đơn" */
    const struct persona *per;
};

struct flow {
    const struct text *t;
    size_t para, word;
    bool cyclic;
};

static bool flow_ended(const struct flow *fl)
{
    return fl->para >= fl->t->n;
}

static void issuer_lines(const struct doc_spec *d, char *upper, size_t un, char *lower, size_t ln,
                         char *stamp, size_t sn)
{
    const struct persona *per = d->per;
    char tmp[256];
    if (d->issuer == ISSUER_COMMUNE) {
        (void)snprintf(tmp, sizeof tmp, "ỦY BAN NHÂN DÂN %s %s", per->district->type,
                       per->district->name);
        utf8_case(tmp, upper, un, false);
        (void)snprintf(tmp, sizeof tmp, "%s %s", per->commune->type, per->commune->name);
        utf8_case(tmp, lower, ln, false);
        (void)snprintf(tmp, sizeof tmp, "ỦY BAN NHÂN DÂN %s %s * %s %s *", per->commune->type,
                       per->commune->name, per->district->type, per->district->name);
    } else {
        (void)snprintf(tmp, sizeof tmp, "ỦY BAN NHÂN DÂN TỈNH %s", PROVINCE);
        utf8_case(tmp, upper, un, false);
        utf8_case(per->dept->name, lower, ln, false);
        (void)snprintf(tmp, sizeof tmp, "%s * TỈNH %s *", per->dept->name, PROVINCE);
    }
    utf8_case(tmp, stamp, sn, false);
}

/* Letterhead of page 1 (letterhead.h): official or citizen. */
static int draw_header(struct gen *g, struct page *p, const struct doc_spec *d,
                       struct sohoa_err *err)
{
    const struct persona *per = d->per;
    if (d->header == HDR_CITIZEN)
        return letterhead_citizen(g, p, err);
    if (d->header != HDR_OFFICIAL)
        return 0;
    char date[128], dl[64], a[256], b[256], stamp[256], no[96];
    issuer_lines(d, a, sizeof a, b, sizeof b, stamp, sizeof stamp);
    if (d->issuer == ISSUER_COMMUNE)
        (void)snprintf(no, sizeof no, "Số: %d/GXN-UBND", per->doc_no % 300 + 1);
    else
        (void)snprintf(no, sizeof no, "Số: %d/QĐ-%s", per->doc_no, per->dept->abbr);
    fmt_long(&per->decided, dl, sizeof dl);
    (void)snprintf(date, sizeof date, "%s, %s",
                   d->issuer == ISSUER_COMMUNE ? per->commune->name : PROVINCE, dl);
    return letterhead_official(g, p, a, b, no, date, err);
}

/* Height the signature block needs. */
static int signature_height(const struct gen *g, const struct font *f)
{
    return (int)lround(f->pitch * g->spacing) / 2 + signature_rows(g, f, 2);
}

/* Signature block at p->y: official documents get "Nơi nhận" on the left and the signer's
 * title on the right; citizen ones the date and "Người làm đơn". The name goes under a gap
 * for the handwritten signature (drawn later, with the stamp, as ink). */
static int draw_signature(struct gen *g, struct page *p, const struct doc_spec *d,
                          struct sohoa_err *err)
{
    const struct persona *per = d->per;
    const struct font *f = NULL;
    int rc = font_get(g, "", g->size_pt, &f, err);
    if (rc)
        return rc;
    int pitch = (int)lround(f->pitch * g->spacing), W = p->right - p->left;
    int rx = p->left + (int)(W * 0.45), rw = p->right - rx;
    int y = p->y + pitch / 2;
    const char *name = per->name, *lines[2], *styles[2] = {"Bold", "Bold"};
    char date[128], dl[64];
    if (d->header == HDR_OFFICIAL) {
        if ((rc = recipients_block(g, p, y, err)))
            return rc;
        if (d->issuer == ISSUER_COMMUNE) {
            lines[0] = "TM. ỦY BAN NHÂN DÂN";
            lines[1] = "CHỦ TỊCH";
            name = per->signer2;
        } else {
            lines[0] = "KT. GIÁM ĐỐC";
            lines[1] = "PHÓ GIÁM ĐỐC";
            name = per->signer;
        }
    } else {
        fmt_long(&per->received, dl, sizeof dl);
        (void)snprintf(date, sizeof date, "%s, %s", per->district->name, dl);
        lines[0] = date;
        styles[0] = "Italic";
        lines[1] = d->signer_role ? d->signer_role : "Người làm đơn";
    }
    return signature_block(g, p, rx, rw, y, lines, styles, 2, name, err);
}

/* Markup and plain text of words [w0, w0 + n) of a paragraph. */
static void line_text(const struct para *pa, size_t w0, size_t n, struct sohoa_buf *markup,
                      struct sohoa_buf *plain)
{
    bool bold = false;
    for (size_t i = w0; i < w0 + n; i++) {
        const struct word *w = &pa->words[i];
        if (i > w0) {
            sohoa_buf_adds(plain, " ");
            if (bold && !w->bold) {
                sohoa_buf_adds(markup, "</b>");
                bold = false;
            }
            sohoa_buf_adds(markup, " ");
        }
        if (w->bold && !bold) {
            sohoa_buf_adds(markup, "<b>");
            bold = true;
        }
        sb_put_escaped(markup, w->s);
        sohoa_buf_adds(plain, w->s);
    }
    if (bold)
        sohoa_buf_adds(markup, "</b>");
}

enum { LINE_PLACED = 1, LINE_FULL = 2, LINE_END = 3, LINE_SKIPPED = 4 };

/* One try at the next line of the flow, placed at p->y if it fits above row `limit`. */
static int body_line_try(struct gen *g, struct page *p, struct flow *fl, int limit,
                         struct sohoa_err *err)
{
    if (flow_ended(fl)) {
        if (!fl->cyclic || fl->t->n == 0)
            return LINE_END;
        fl->para = 0;
        fl->word = 0;
    }
    const struct para *pa = &fl->t->paras[fl->para];
    const struct font *f = NULL;
    double size = pa->kind == PARA_HEADING ? g->size_pt + 1 : g->size_pt;
    const char *style = pa->kind == PARA_HEADING ? "Bold" : pa->kind == PARA_ITALIC ? "Italic" : "";
    int rc = font_get(g, style, size, &f, err);
    if (rc)
        return rc;
    int pitch = (int)lround(f->pitch * g->spacing);
    int gap = 0;
    if (fl->word == 0 && p->any_body)
        gap = (pa->kind == PARA_HEADING || p->prev == PARA_HEADING)
                  ? pitch / 2
                  : (int)lround(6.0 * g->dpi / 72.0); /* 6 pt between paragraphs */
    if (p->y + gap + pitch > limit)
        return LINE_FULL;

    int W = p->right - p->left;
    bool first = fl->word == 0;
    int indent = (first && pa->kind != PARA_HEADING) ? (int)lround(12.7 * px_mm(g)) : 0;
    int avail = pa->kind == PARA_HEADING ? (int)(W * 0.9) : W - indent;
    /* Words that fit by the cached widths; a little slack against rounding. */
    size_t n = 0;
    int est = 0;
    while (fl->word + n < pa->n) {
        int ww = 0;
        if ((rc = word_width(g, f, &pa->words[fl->word + n], &ww, err)))
            return rc;
        int add = (n ? f->gap : 0) + ww;
        if (n > 0 && est + add > avail - avail / 200)
            break;
        est += add;
        n++;
    }
    struct bitmap b = {0};
    int top = 0;
    for (;;) {
        bool last = fl->word + n == pa->n, wrapped = false;
        bool justify = pa->kind != PARA_HEADING && !last;
        struct sohoa_buf markup = GEN_BUF, plain = GEN_BUF;
        line_text(pa, fl->word, n, &markup, &plain);
        if (markup.failed || plain.failed)
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        else
            rc = line_render(g, f, markup.data, avail, justify, &b, &top, &wrapped, err);
        if (rc == 0 && wrapped && n > 1) { /* the estimate was too generous */
            n--;
            bitmap_release(&b);
        } else if (rc == 0 && wrapped) { /* one word wider than the line: leave it out */
            fprintf(stderr, "sohoa_gen: word too wide for the line, left out: %s\n", plain.data);
            bitmap_release(&b);
            fl->word++;
            if (fl->word == pa->n) {
                fl->para++;
                fl->word = 0;
            }
            rc = LINE_SKIPPED;
        } else if (rc == 0) {
            int x = p->left + indent;
            if (pa->kind == PARA_HEADING) {
                int x0, x1;
                bitmap_cols(&b, &x0, &x1);
                x = p->left + (W - (x1 - x0)) / 2 - x0;
            }
            ink_blit(p, &b, x, p->y + gap - top);
            gt_line(p, plain.data);
        }
        sohoa_buf_release(&markup);
        sohoa_buf_release(&plain);
        if (rc || !wrapped)
            break;
    }
    bitmap_release(&b);
    if (rc)
        return rc;
    p->y += gap;
    if (p->body_y0 < 0)
        p->body_y0 = p->y;
    p->y += pitch;
    p->body_y1 = p->y;
    p->any_body = true;
    p->prev = pa->kind;
    fl->word += n;
    if (fl->word == pa->n) {
        fl->para++;
        fl->word = 0;
    }
    return LINE_PLACED;
}

/* The next line of the flow (words too wide for any line are left out, with a warning). */
static int body_line(struct gen *g, struct page *p, struct flow *fl, int limit,
                     struct sohoa_err *err)
{
    for (;;) {
        int rc = body_line_try(g, p, fl, limit, err);
        if (rc != LINE_SKIPPED)
            return rc;
    }
}

/* Page number at the top centre from page 2 on (Decree 30/2020). */
static int draw_page_number(struct gen *g, struct page *p, int page_no, struct sohoa_err *err)
{
    char num[16];
    (void)snprintf(num, sizeof num, "%d", page_no);
    return draw_centred(g, p, "", g->size_pt, num, p->left, p->right - p->left,
                        (int)lround(9.0 * px_mm(g)), NULL, err);
}

/* ---------------------------------------------------------------------------------------------
 * One document: pages laid out, composed, damaged and written
 * ------------------------------------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int doc_generate(struct gen *g, const struct doc_spec *d, const struct damage_plan *dp,
                        uint64_t seed, struct sink *sink, struct sohoa_err *err)
{
    struct flow fl = {d->text, d->start_para < d->text->n ? d->start_para : 0, 0, d->cyclic};
    struct text title = {0};
    struct flow tf = {&title, 0, 0, false};
    char upper[256], lower[256], stamp_text[256];
    issuer_lines(d, upper, sizeof upper, lower, sizeof lower, stamp_text, sizeof stamp_text);
    int rc = 0;
    if (d->title && (rc = text_add(&title, d->title, strlen(d->title), "--title", NULL, err)))
        return rc;
    for (size_t i = 0; i < title.n; i++)
        title.paras[i].kind = PARA_HEADING;
    const struct font *body = NULL;
    if ((rc = font_get(g, "", g->size_pt, &body, err))) {
        text_release(&title);
        return rc;
    }
    bool sig_pending = d->signature;
    for (int pg = 0; rc == 0; pg++) {
        if (d->max_pages && pg >= d->max_pages)
            break;
        if (pg >= GEN_MAX_PAGES) {
            rc = sohoa_err_set(err, SOHOA_ELIMIT, false, "more than %d pages", GEN_MAX_PAGES);
            break;
        }
        double t0 = now_s();
        struct page p;
        struct canvas cv = {0};
        VipsImage *im = NULL;
        if ((rc = page_init(&p, g, err)))
            break;
        if (pg > 0)
            rc = draw_page_number(g, &p, pg + 1, err);
        if (rc == 0 && pg == 0 && d->header != HDR_NONE)
            rc = draw_header(g, &p, d, err);
        while (rc == 0 && pg == 0 && !flow_ended(&tf)) {
            int r1 = body_line(g, &p, &tf, p.bottom, err);
            rc = r1 < 0 ? r1 : 0;
            if (r1 == LINE_FULL)
                break;
        }
        bool last_page = d->max_pages && pg == d->max_pages - 1;
        int sig_h = sig_pending ? signature_height(g, body) : 0;
        int limit = last_page ? p.bottom - sig_h : p.bottom;
        int lines = 0, state = 0;
        while (rc == 0 && (!d->lines_per_page || lines < d->lines_per_page)) {
            state = body_line(g, &p, &fl, limit, err);
            if (state < 0)
                rc = state;
            else if (state != LINE_PLACED)
                break;
            else
                lines++;
        }
        bool text_done = state == LINE_END;
        if (rc == 0 && sig_pending && (last_page || text_done) && p.y + sig_h <= p.bottom) {
            rc = draw_signature(g, &p, d, err);
            sig_pending = false;
        }
        bool done = text_done && !sig_pending;
        double t1 = now_s(), t2 = t1, t3 = t1;
        if (rc == 0 && sink->dry) {
            sink->pages++;
        } else if (rc == 0) {
            struct damage dm = damage_for(dp, seed, (uint64_t)sink->pages);
            int quality = sink->jpeg_q;
            if (sink->format == FMT_JPEG && dm.jpeg_q > 0) { /* the file is the one JPEG pass */
                quality = dm.jpeg_q;
                dm.jpeg_q = 0;
            }
            struct rng r = rng_for(seed, 4, (uint64_t)sink->pages);
            rc = page_compose(g, &p, &dm, sink->mode, stamp_text, &r, &cv, err);
            t2 = now_s();
            if (rc == 0)
                rc = page_damage(g, &cv, &dm, sink->mode, rng_next(&r), &im, err);
            t3 = now_s();
            if (rc == 0)
                rc = sink_page(sink, im, p.gt.data ? p.gt.data : "", quality, err);
        }
        if (im)
            g_object_unref(im);
        free(cv.px);
        page_release(&p);
        if (getenv("SOHOA_GEN_TIMING"))
            fprintf(stderr,
                    "sohoa_gen: page %d: layout %.3f compose %.3f damage %.3f write %.3f s\n",
                    sink->pages, t1 - t0, t2 - t1, t3 - t2, now_s() - t3);
        if (done)
            break;
    }
    text_release(&title);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Dossier mode: dossier.json + a handful of documents in mixed formats, ground truth in .gt/
 * ------------------------------------------------------------------------------------------- */

struct doc_kind {
    const char *slug, *text_file;
    enum header_kind header;
    enum issuer issuer;
    bool signature, stamp;
    const char *role;
    enum fmt format;
    enum colour_mode mode;
    int max_pages;
};

static const struct doc_kind KINDS[] = {
    {"don-de-nghi", "don_de_nghi.txt", HDR_CITIZEN, ISSUER_DEPT, true, false, "Người làm đơn",
     FMT_PNG, MODE_GREY, 0},
    {"quyet-dinh", "quyet_dinh.txt", HDR_OFFICIAL, ISSUER_DEPT, true, true, NULL, FMT_JPEG,
     MODE_COLOUR, 0},
    {"giay-xac-nhan", "giay_xac_nhan.txt", HDR_OFFICIAL, ISSUER_COMMUNE, true, true, NULL,
     FMT_TIFF_G4, MODE_BILEVEL, 0},
    {"ban-cam-ket", "ban_cam_ket.txt", HDR_CITIZEN, ISSUER_DEPT, true, false, "Người cam kết",
     FMT_JPEG, MODE_COLOUR, 0},
    {"tai-lieu-kem-theo", "udhr_vi.txt", HDR_NONE, ISSUER_DEPT, false, false, NULL, FMT_TIFF_MULTI,
     MODE_BILEVEL, 2},
};

static int dossier_json(const char *dir, const struct persona *per, struct sohoa_err *err)
{
    char date[16], district[128], commune[128], title[512], tmp[128];
    (void)snprintf(date, sizeof date, "%04d-%02d-%02d", per->received.y, per->received.m,
                   per->received.d);
    (void)snprintf(tmp, sizeof tmp, "%s %s", per->district->type, per->district->name);
    utf8_case(tmp, district, sizeof district, true);
    (void)snprintf(tmp, sizeof tmp, "%s %s", per->commune->type, per->commune->name);
    utf8_case(tmp, commune, sizeof commune, true);
    char proc[256];
    utf8_case(per->dept->procedure, proc, sizeof proc, true);
    (void)snprintf(title, sizeof title, "%s - %s", proc, per->name);
    json_t *o = json_object();
    json_object_set_new(o, "receipt_no", json_string(per->receipt));
    json_object_set_new(o, "procedure_code", json_string(per->dept->code));
    json_object_set_new(o, "department", json_string(per->dept->name));
    json_object_set_new(o, "district", json_string(district));
    json_object_set_new(o, "commune", json_string(commune));
    json_object_set_new(o, "received_date", json_string(date));
    json_object_set_new(o, "source", json_string("desk"));
    json_object_set_new(o, "title", json_string(title));
    char *s = json_dumps(o, JSON_INDENT(2));
    json_decref(o);
    if (!s)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/dossier.json", dir) >= sizeof path) {
        free(s);
        return sohoa_err_set(err, SOHOA_EINVAL, false, "path too long: %s", dir);
    }
    struct sohoa_buf b = GEN_BUF;
    sohoa_buf_adds(&b, s);
    sohoa_buf_adds(&b, "\n");
    free(s);
    int rc = b.failed ? sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory")
                      : write_file(path, b.data, b.len, err);
    sohoa_buf_release(&b);
    return rc;
}

static int dossier_generate(struct gen *g, const char *dir, const char *texts_dir, int docs,
                            uint64_t seed, const struct damage_plan *user_dp, bool user_damage,
                            struct sohoa_err *err)
{
    struct persona per;
    persona_make(seed, &per);
    char gtdir[4096];
    if ((size_t)snprintf(gtdir, sizeof gtdir, "%s/.gt", dir) >= sizeof gtdir)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "path too long: %s", dir);
    int rc = sohoa_mkdir_p(dir, 0755, err);
    if (rc == 0)
        rc = sohoa_mkdir_p(gtdir, 0755, err);
    if (rc == 0)
        rc = dossier_json(dir, &per, err);
    for (int i = 0; rc == 0 && i < docs; i++) {
        const struct doc_kind *k = &KINDS[i % G_N_ELEMENTS(KINDS)];
        struct text t = {0};
        char path[4096], name[128];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", texts_dir, k->text_file) >= sizeof path) {
            rc = sohoa_err_set(err, SOHOA_EINVAL, false, "path too long: %s", texts_dir);
            break;
        }
        if (i < (int)G_N_ELEMENTS(KINDS))
            (void)snprintf(name, sizeof name, "%02d-%s", i + 1, k->slug);
        else
            (void)snprintf(name, sizeof name, "%02d-%s-%d", i + 1, k->slug,
                           i / (int)G_N_ELEMENTS(KINDS) + 1);
        if ((rc = text_add_file(&t, path, &per, err)))
            break;
        struct doc_spec d = {
            .text = &t,
            .start_para = 0,
            .cyclic = false,
            .max_pages = k->max_pages,
            .header = k->header,
            .issuer = k->issuer,
            .signature = k->signature,
            .signer_role = k->role,
            .per = &per,
        };
        /* Each document its own mild scan, stamped if it is an official one. */
        struct damage_plan dp = *user_dp;
        if (!user_damage)
            dp.preset = 1;
        if (!dp.set_stamp) {
            dp.set_stamp = true;
            dp.fixed.stamp = k->stamp;
        }
        struct sink s = {
            .format = k->format,
            .mode = k->mode,
            .jpeg_q = 85,
            .dir = dir,
            .gt_dir = gtdir,
            .name = name,
            .dpi = g->dpi,
            .numbered = false,
            .gt = GEN_BUF,
        };
        if (k->mode == MODE_BILEVEL) { /* a bilevel scanner writes no JPEG */
            dp.set_jpeg = true;
            dp.fixed.jpeg_q = 0;
        }
        uint64_t dseed = rng_next(&(struct rng){seed ^ (uint64_t)(i + 1) * 0x9e37ULL});
        /* A format of one page a file gets a document that fits one page: smaller type and
         * tighter lines until it does (a desk would not split a letter into two files). */
        double size0 = g->size_pt, spacing0 = g->spacing;
        if (k->format != FMT_TIFF_MULTI) {
            for (;;) {
                struct sink dry = s;
                dry.dry = true;
                if ((rc = doc_generate(g, &d, &dp, dseed, &dry, err)) || dry.pages <= 1 ||
                    g->size_pt <= 10.5)
                    break;
                if (g->spacing > 1.05)
                    g->spacing -= 0.05;
                else
                    g->size_pt -= 0.5;
            }
        }
        if (rc == 0)
            rc = doc_generate(g, &d, &dp, dseed, &s, err);
        g->size_pt = size0;
        g->spacing = spacing0;
        int rc2 = sink_finish(&s, err);
        if (rc == 0)
            rc = rc2;
        text_release(&t);
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Document mode: documents of known types with their fields' ground truth (bench/gen/doc.h)
 * ------------------------------------------------------------------------------------------- */

static int doctype_mode(const char *type, const char *dir, int count, int first, uint64_t seed,
                        int dpi, int card_dpi, const char *family, const struct damage_plan *dp,
                        enum colour_mode mode, enum fmt format, int jpeg_q, struct sohoa_err *err)
{
    enum doctype one = DOC_N;
    int rc = strcmp(type, "all") ? doctype_parse(type, &one, err) : 0;
    if (rc == 0 && format == FMT_TIFF_MULTI)
        rc = sohoa_err_set(err, SOHOA_EINVAL, false, "--doctype writes one file a document");
    if (rc == 0)
        rc = sohoa_mkdir_p(dir, 0755, err);
    struct docgen_opts o = {.family = family,
                            .dpi = dpi,
                            .card_dpi = card_dpi,
                            .dp = *dp,
                            .mode = mode,
                            .format = format,
                            .jpeg_q = jpeg_q,
                            .dir = dir};
    for (int t = 0; rc == 0 && t < DOC_N; t++) {
        if (one != DOC_N && t != (int)one)
            continue;
        for (int i = first; rc == 0 && i < first + count; i++) {
            char name[128];
            (void)snprintf(name, sizeof name, "%s-%04d", doctype_name((enum doctype)t), i);
            rc = docgen_write(&o, (enum doctype)t, seed, (uint64_t)i, name, err);
            if (rc)
                sohoa_err_prefix(err, "%s: ", name);
        }
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Command line
 * ------------------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sohoa_gen [options]\n"
            "  --out DIR            output folder (default .)\n"
            "  --pages N            pages to write (default 1)\n"
            "  --format F           png | jpeg | tiff | tiff-g4 | tiff-multi (default png)\n"
            "  --dpi N              resolution (default 300)\n"
            "  --seed N             seed for text start, people, damage (default 1)\n"
            "  --text FILE          text to render (default: the bundled texts)\n"
            "  --texts DIR          folder of bundled texts (default %s)\n"
            "  --lines-per-page N   at most N body lines a page (default: fill the page)\n"
            "  --title TEXT         bold centred heading on page 1, e.g. \"QUYẾT ĐỊNH\"\n"
            "  --header             official letterhead on page 1, signature on the last page\n"
            "  --font FAMILY        font family (default \"DejaVu Serif\")\n"
            "  --font-size PT       body size in points (default 13)\n"
            "  --line-spacing F     line pitch as a multiple of the font's (default 1.15)\n"
            "  --name PREFIX        file name prefix (default page)\n"
            "damage (each reproducible from --seed):\n"
            "  --skew DEG           rotate the page, positive = clockwise, white fill\n"
            "  --noise SIGMA        gaussian grain, grey levels\n"
            "  --blur SIGMA         gaussian blur, pixels\n"
            "  --jpeg-quality Q     JPEG round trip at quality Q (and the quality of --format "
            "jpeg)\n"
            "  --uneven             lighting gradient, vignette, paper tint\n"
            "  --stamp              red seal over part of the text\n"
            "  --damage mild|heavy  draw damage per page at random (explicit options win)\n"
            "  --grey | --bilevel   output colour (default: colour RGB)\n"
            "dossier mode:\n"
            "  --dossier DIR        write DIR/dossier.json and --docs documents (ground truth in "
            "DIR/.gt/)\n"
            "  --docs N             documents in the dossier (default 5)\n"
            "document mode (fields ground truth, bench/gen/README.md):\n"
            "  --doctype TYPE       cccd_front | cccd_back | cmnd | birth_certificate |\n"
            "                       business_registration | land_use_certificate |\n"
            "                       application_form | official_document | dossier_receipt | all\n"
            "  --count N            documents of each type (default 1), TYPE-0001.png + .json\n"
            "  --card-dpi N         resolution of ID cards (default 600)\n"
            "  --index N            number of the first document (default 1)\n",
            GEN_DEFAULT_TEXTS);
}

static bool parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

static bool parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || end == s || !(v >= lo && v <= hi))
        return false;
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    const char *out_dir = ".", *text_file = NULL, *texts_dir = GEN_DEFAULT_TEXTS;
    const char *title = NULL, *name = "page", *dossier = NULL;
    int pages = 1, dpi = 300, lines_per_page = 0, docs = 5;
    uint64_t seed = 1;
    double font_size = 13, spacing = 1.15;
    bool header = false;
    enum fmt format = FMT_PNG;
    enum colour_mode mode = MODE_COLOUR;
    struct damage_plan dp = {0};
    const char *family = "DejaVu Serif", *doctype = NULL;
    int count = 1, card_dpi = 600, first_index = 1;
    bool bad = false, family_set = false;

    for (int i = 1; i < argc && !bad; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--header")) {
            takes = false;
            header = true;
        } else if (!strcmp(a, "--uneven")) {
            takes = false;
            dp.set_uneven = dp.fixed.uneven = true;
        } else if (!strcmp(a, "--stamp")) {
            takes = false;
            dp.set_stamp = dp.fixed.stamp = true;
        } else if (!strcmp(a, "--grey") || !strcmp(a, "--gray")) {
            takes = false;
            mode = MODE_GREY;
        } else if (!strcmp(a, "--bilevel")) {
            takes = false;
            mode = MODE_BILEVEL;
        } else if (!v) { /* NOLINT(bugprone-branch-clone): a missing value, not an unknown option */
            bad = true;
        } else if (!strcmp(a, "--out")) {
            out_dir = v;
        } else if (!strcmp(a, "--pages")) {
            bad = !parse_int(v, 1, GEN_MAX_PAGES, &pages);
        } else if (!strcmp(a, "--format")) {
            if (!strcmp(v, "png"))
                format = FMT_PNG;
            else if (!strcmp(v, "jpeg") || !strcmp(v, "jpg"))
                format = FMT_JPEG;
            else if (!strcmp(v, "tiff") || !strcmp(v, "tif"))
                format = FMT_TIFF;
            else if (!strcmp(v, "tiff-g4"))
                format = FMT_TIFF_G4;
            else if (!strcmp(v, "tiff-multi"))
                format = FMT_TIFF_MULTI;
            else
                bad = true;
        } else if (!strcmp(a, "--dpi")) {
            bad = !parse_int(v, 72, GEN_MAX_DPI, &dpi);
        } else if (!strcmp(a, "--seed")) {
            char *end;
            errno = 0;
            seed = strtoull(v, &end, 10);
            bad = errno || *end || end == v;
        } else if (!strcmp(a, "--text")) {
            text_file = v;
        } else if (!strcmp(a, "--texts")) {
            texts_dir = v;
        } else if (!strcmp(a, "--lines-per-page")) {
            bad = !parse_int(v, 1, 1000, &lines_per_page);
        } else if (!strcmp(a, "--title")) {
            title = v;
        } else if (!strcmp(a, "--font")) {
            family = v;
            family_set = true;
        } else if (!strcmp(a, "--font-size")) {
            bad = !parse_double(v, 6, 40, &font_size);
        } else if (!strcmp(a, "--line-spacing")) {
            bad = !parse_double(v, 1.0, 3.0, &spacing);
        } else if (!strcmp(a, "--name")) {
            name = v;
            bad = strchr(v, '/') != NULL || !*v;
        } else if (!strcmp(a, "--skew")) {
            dp.set_skew = true;
            bad = !parse_double(v, -45, 45, &dp.fixed.skew);
        } else if (!strcmp(a, "--noise")) {
            dp.set_noise = true;
            bad = !parse_double(v, 0, 100, &dp.fixed.noise);
        } else if (!strcmp(a, "--blur")) {
            dp.set_blur = true;
            bad = !parse_double(v, 0, 20, &dp.fixed.blur);
        } else if (!strcmp(a, "--jpeg-quality")) {
            dp.set_jpeg = true;
            bad = !parse_int(v, 1, 100, &dp.fixed.jpeg_q);
        } else if (!strcmp(a, "--damage")) {
            dp.preset = !strcmp(v, "none")    ? 0
                        : !strcmp(v, "mild")  ? 1
                        : !strcmp(v, "heavy") ? 2
                                              : -1;
            bad = dp.preset < 0;
        } else if (!strcmp(a, "--dossier")) {
            dossier = v;
        } else if (!strcmp(a, "--doctype")) {
            doctype = v;
        } else if (!strcmp(a, "--count")) {
            bad = !parse_int(v, 1, 10000, &count);
        } else if (!strcmp(a, "--index")) {
            bad = !parse_int(v, 1, 1000000, &first_index);
        } else if (!strcmp(a, "--card-dpi")) {
            bad = !parse_int(v, 72, GEN_MAX_DPI, &card_dpi);
        } else if (!strcmp(a, "--docs")) {
            bad = !parse_int(v, 1, 100, &docs);
        } else {
            bad = true;
        }
        if (bad)
            fprintf(stderr, "sohoa_gen: bad option or value: %s%s%s\n", a, takes && v ? " " : "",
                    takes && v ? v : "");
        if (takes)
            i++;
    }
    if (bad) {
        usage(stderr);
        return 64;
    }
    if (format == FMT_TIFF_G4)
        mode = MODE_BILEVEL;
    if (format == FMT_TIFF && mode == MODE_BILEVEL)
        format = FMT_TIFF_G4;

    if (VIPS_INIT(argv[0]))
        vips_error_exit("cannot start libvips");
    setMsgSeverity(L_SEVERITY_ERROR);
    struct gen g = {.dpi = dpi, .family = family, .size_pt = font_size, .spacing = spacing};
    g.widths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    struct sohoa_err err;
    sohoa_err_clear(&err);
    int rc = 0;
    double t0 = now_s();
    const char *what = "pages";
    int n_out = pages;

    if (doctype) {
        rc = doctype_mode(doctype, out_dir, count, first_index, seed, dpi, card_dpi,
                          family_set ? family : "Liberation Serif", &dp, mode, format,
                          dp.set_jpeg ? dp.fixed.jpeg_q : 90, &err);
        what = "documents";
        n_out = count * (strcmp(doctype, "all") ? 1 : DOC_N);
    } else if (dossier) {
        bool user_damage =
            dp.preset || dp.set_skew || dp.set_noise || dp.set_blur || dp.set_jpeg || dp.set_uneven;
        rc = dossier_generate(&g, dossier, texts_dir, docs, seed, &dp, user_damage, &err);
        what = "documents";
        n_out = docs;
        out_dir = dossier;
    } else {
        struct persona per;
        persona_make(seed, &per);
        struct text t = {0};
        size_t start = 0;
        rc = sohoa_mkdir_p(out_dir, 0755, &err);
        if (rc == 0)
            rc = text_file ? text_add_file(&t, text_file, &per, &err)
                           : text_add_dir(&t, texts_dir, &per, &err);
        if (rc == 0 && t.n == 0)
            rc = sohoa_err_set(&err, SOHOA_EEMPTY, false, "no text to render");
        if (rc == 0 && !text_file) { /* bundled texts: start somewhere, seeded */
            struct rng r = rng_for(seed, 2, 0);
            start = rng_next(&r) % t.n;
        }
        if (rc == 0) {
            struct doc_spec d = {
                .text = &t,
                .start_para = start,
                .cyclic = true,
                .max_pages = pages,
                .lines_per_page = lines_per_page,
                .title = title,
                .header = header ? HDR_OFFICIAL : HDR_NONE,
                .issuer = ISSUER_DEPT,
                .signature = header,
                .per = &per,
            };
            struct sink s = {
                .format = format,
                .mode = mode,
                .jpeg_q = dp.set_jpeg ? dp.fixed.jpeg_q : 90,
                .dir = out_dir,
                .name = name,
                .dpi = dpi,
                .numbered = format != FMT_TIFF_MULTI,
                .gt = GEN_BUF,
            };
            rc = doc_generate(&g, &d, &dp, seed, &s, &err);
            int rc2 = sink_finish(&s, &err);
            if (rc == 0)
                rc = rc2;
        }
        text_release(&t);
    }
    g_hash_table_destroy(g.widths);
    if (rc) {
        fprintf(stderr, "sohoa_gen: %s\n", err.msg);
        vips_shutdown();
        return rc == SOHOA_EINVAL ? 64 : 1;
    }
    fprintf(stderr, "sohoa_gen: %d %s in %s (%.2f s)\n", n_out, what, out_dir, now_s() - t0);
    vips_shutdown();
    return 0;
}
