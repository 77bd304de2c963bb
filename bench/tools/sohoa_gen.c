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

#include "pipeline/err.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define GEN_DEFAULT_TEXTS SOHOA_SOURCE_DIR "/bench/gen/texts"
#define GEN_MAX_PAGES     10000
#define GEN_MAX_DPI       600
#define GEN_TEXT_MAX      (16 * 1024 * 1024) /* bytes of one text file */
#define STRUT             "\xe2\x96\x88"     /* U+2588 FULL BLOCK */
#define LINE_SEP          "\xe2\x80\xa8"     /* U+2028 LINE SEPARATOR */

/* ---------------------------------------------------------------------------------------------
 * Small helpers: random numbers, growable strings, UTF-8 case mapping
 * ------------------------------------------------------------------------------------------- */

/* splitmix64: tiny, fast, and the same sequence on every platform. */
struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* An independent stream per (seed, purpose, index): page 3 is the same whatever --pages says. */
static struct rng rng_for(uint64_t seed, uint64_t purpose, uint64_t index)
{
    struct rng r = {seed ^ (purpose * 0xd1b54a32d192ed03ULL) ^ (index * 0x8cb92ba72f3d8dd7ULL)};
    rng_next(&r);
    return r;
}

static double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static double rng_range(struct rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_unit(r);
}

static int rng_int(struct rng *r, int lo, int hi) /* inclusive */
{
    return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static const char *rng_pick(struct rng *r, const char *const *v, size_t n)
{
    return v[rng_next(r) % n];
}

struct sbuf {
    char *s;
    size_t len, cap;
    bool oom;
};

static void sb_putn(struct sbuf *b, const char *p, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *p)
{
    sb_putn(b, p, strlen(p));
}

static void sb_release(struct sbuf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

/* Pango markup needs &, < and > escaped. */
static void sb_put_escaped(struct sbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '&')
            sb_puts(b, "&amp;");
        else if (*s == '<')
            sb_puts(b, "&lt;");
        else if (*s == '>')
            sb_puts(b, "&gt;");
        else
            sb_putn(b, s, 1);
    }
}

/* Upper-case a UTF-8 string (all of it, or only its first letter). Output is NFC when the input
 * is: Vietnamese precomposed letters map to precomposed capitals. */
static void utf8_case(const char *in, char *out, size_t outsz, bool first_only)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)in;
    size_t o = 0;
    bool done = false;
    while (*p) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
        if (n <= 0)
            break;
        if (!done)
            cp = utf8proc_toupper(cp);
        if (first_only)
            done = true;
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t m = utf8proc_encode_char(cp, enc);
        if (o + (size_t)m + 1 > outsz)
            break;
        memcpy(out + o, enc, (size_t)m);
        o += (size_t)m;
        p += n;
    }
    out[o] = '\0';
}

/* ---------------------------------------------------------------------------------------------
 * Synthetic people, places and procedures (one province; all names and codes are made up)
 * ------------------------------------------------------------------------------------------- */

#define PROVINCE      "Đồng Nai"
#define PROVINCE_UNIT "000.00.00.H30" /* receiving unit in receipt numbers (DOMAIN.md form) */
#define MST_PREFIX    "36"

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
    const char *code;      /* procedure code, DOMAIN.md form */
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

static const char *const SURNAMES[] = {"Nguyễn", "Trần", "Lê",    "Phạm", "Hoàng", "Huỳnh",
                                       "Phan",   "Vũ",   "Võ",    "Đặng", "Bùi",   "Đỗ",
                                       "Hồ",     "Ngô",  "Dương", "Lý"};
static const char *const MIDDLE_M[] = {"Văn", "Hữu", "Minh", "Đức", "Quốc", "Thanh", "Công"};
static const char *const MIDDLE_F[] = {"Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim"};
static const char *const GIVEN_M[] = {"An",   "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh",
                                      "Long", "Nam",  "Phong", "Quân", "Sơn", "Tuấn", "Việt"};
static const char *const GIVEN_F[] = {"Giang", "Hà",     "Hằng", "Hương", "Lan",   "Linh", "Mai",
                                      "Nga",   "Phương", "Tâm",  "Thảo",  "Trang", "Yến",  "Hoa"};
static const char *const STREETS[] = {"Trần Phú",       "Lê Duẩn",     "Võ Thị Sáu",
                                      "Phạm Văn Thuận", "Hà Huy Giáp", "Nguyễn Ái Quốc",
                                      "Hùng Vương"};
static const char *const BIRTH_CODES[] = {"001", "075", "079", "040", "036",
                                          "046", "052", "074", "038", "034"};

struct date {
    int y, m, d;
};

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

static void person_name(struct rng *r, bool female, char *out, size_t n)
{
    snprintf(out, n, "%s %s %s", rng_pick(r, SURNAMES, G_N_ELEMENTS(SURNAMES)),
             female ? rng_pick(r, MIDDLE_F, G_N_ELEMENTS(MIDDLE_F))
                    : rng_pick(r, MIDDLE_M, G_N_ELEMENTS(MIDDLE_M)),
             female ? rng_pick(r, GIVEN_F, G_N_ELEMENTS(GIVEN_F))
                    : rng_pick(r, GIVEN_M, G_N_ELEMENTS(GIVEN_M)));
}

/* A 10-digit tax code with a valid check digit (DOMAIN.md: weights 31 29 23 19 17 13 7 5 3). */
static void make_mst(struct rng *r, char out[16])
{
    static const int w[9] = {31, 29, 23, 19, 17, 13, 7, 5, 3};
    for (;;) {
        snprintf(out, 16, "%s%07d", MST_PREFIX, rng_int(r, 0, 9999999));
        int sum = 0;
        for (int i = 0; i < 9; i++)
            sum += (out[i] - '0') * w[i];
        int check = 10 - sum % 11;
        if (check <= 9) {
            out[9] = (char)('0' + check);
            out[10] = '\0';
            return;
        }
    }
}

static void persona_make(uint64_t seed, struct persona *p)
{
    struct rng r = rng_for(seed, 1, 0);
    memset(p, 0, sizeof *p);
    p->female = rng_unit(&r) < 0.5;
    person_name(&r, p->female, p->name, sizeof p->name);
    p->born = (struct date){rng_int(&r, 1955, 2004), rng_int(&r, 1, 12), rng_int(&r, 1, 28)};
    /* CCCD: birth province, century+sex digit, two-digit year, six digits (DOMAIN.md). */
    snprintf(p->cccd, sizeof p->cccd, "%s%d%02d%06d",
             rng_pick(&r, BIRTH_CODES, G_N_ELEMENTS(BIRTH_CODES)),
             (p->born.y >= 2000 ? 2 : 0) + (p->female ? 1 : 0), p->born.y % 100,
             rng_int(&r, 0, 999999));
    p->id_issued = (struct date){rng_int(&r, 2021, 2024), rng_int(&r, 1, 12), rng_int(&r, 1, 28)};
    snprintf(p->phone, sizeof p->phone, "0%d%08d", rng_int(&r, 0, 1) ? 9 : 3,
             rng_int(&r, 0, 99999999));
    make_mst(&r, p->mst);
    p->district = &DISTRICTS[rng_next(&r) % G_N_ELEMENTS(DISTRICTS)];
    p->commune = &p->district->communes[rng_next(&r) % 3];
    if (strcmp(p->commune->type, "phường") == 0)
        snprintf(p->address, sizeof p->address, "số %d đường %s, %s %s, %s %s, tỉnh %s",
                 rng_int(&r, 1, 250), rng_pick(&r, STREETS, G_N_ELEMENTS(STREETS)),
                 p->commune->type, p->commune->name, p->district->type, p->district->name,
                 PROVINCE);
    else
        snprintf(p->address, sizeof p->address, "ấp %d, %s %s, %s %s, tỉnh %s", rng_int(&r, 1, 9),
                 p->commune->type, p->commune->name, p->district->type, p->district->name,
                 PROVINCE);
    p->dept = &DEPTS[rng_next(&r) % G_N_ELEMENTS(DEPTS)];
    p->received = (struct date){rng_int(&r, 2025, 2026), rng_int(&r, 1, 12), rng_int(&r, 1, 18)};
    p->decided = p->received;
    p->decided.d += rng_int(&r, 3, 10);
    p->seq = rng_int(&r, 1, 400);
    snprintf(p->receipt, sizeof p->receipt, "%s-%02d%02d%02d-%04d", PROVINCE_UNIT,
             p->received.y % 100, p->received.m, p->received.d, p->seq);
    p->doc_no = rng_int(&r, 12, 2400);
    bool f2 = rng_unit(&r) < 0.4;
    person_name(&r, f2, p->signer, sizeof p->signer);
    f2 = rng_unit(&r) < 0.4;
    person_name(&r, f2, p->signer2, sizeof p->signer2);
}

static void fmt_dmy(const struct date *d, char *out, size_t n)
{
    snprintf(out, n, "%02d/%02d/%04d", d->d, d->m, d->y);
}

/* "ngày 05 tháng 02 năm 2026": days below 10 and months below 3 take a leading zero. */
static void fmt_long(const struct date *d, char *out, size_t n)
{
    snprintf(out, n, "ngày %02d tháng %s%d năm %d", d->d, d->m < 3 ? "0" : "", d->m, d->y);
}

/* Value of a template key such as HO_TEN; KEY_HOA upper-cases it, KEY_C capitalises it.
 * Returns false for an unknown key (the text is then left as written). */
static bool persona_value(const struct persona *p, const char *key, char *out, size_t n)
{
    char base[64];
    snprintf(base, sizeof base, "%s", key);
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
        snprintf(v, sizeof v, "%s", p->name);
    else if (!strcmp(base, "ONG_BA"))
        snprintf(v, sizeof v, "%s", p->female ? "bà" : "ông");
    else if (!strcmp(base, "GIOI_TINH"))
        snprintf(v, sizeof v, "%s", p->female ? "Nữ" : "Nam");
    else if (!strcmp(base, "NGAY_SINH"))
        fmt_dmy(&p->born, v, sizeof v);
    else if (!strcmp(base, "CCCD"))
        snprintf(v, sizeof v, "%s", p->cccd);
    else if (!strcmp(base, "NGAY_CAP"))
        fmt_dmy(&p->id_issued, v, sizeof v);
    else if (!strcmp(base, "DIA_CHI"))
        snprintf(v, sizeof v, "%s", p->address);
    else if (!strcmp(base, "DIEN_THOAI"))
        snprintf(v, sizeof v, "%s", p->phone);
    else if (!strcmp(base, "MST"))
        snprintf(v, sizeof v, "%s", p->mst);
    else if (!strcmp(base, "CO_QUAN"))
        snprintf(v, sizeof v, "%s tỉnh %s", p->dept->name, PROVINCE);
    else if (!strcmp(base, "THU_TUC"))
        snprintf(v, sizeof v, "%s", p->dept->procedure);
    else if (!strcmp(base, "XA"))
        snprintf(v, sizeof v, "%s %s", p->commune->type, p->commune->name);
    else if (!strcmp(base, "HUYEN"))
        snprintf(v, sizeof v, "%s %s", p->district->type, p->district->name);
    else if (!strcmp(base, "TINH"))
        snprintf(v, sizeof v, "%s", PROVINCE);
    else if (!strcmp(base, "SO_BIEN_NHAN"))
        snprintf(v, sizeof v, "%s", p->receipt);
    else if (!strcmp(base, "NGAY_NHAN"))
        fmt_dmy(&p->received, v, sizeof v);
    else
        return false;
    if (casing == 0)
        snprintf(out, n, "%s", v);
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
static void expand_templates(const char *line, const struct persona *per, struct sbuf *out)
{
    const char *p = line;
    while (*p) {
        const char *open = strchr(p, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close || close - open > 40) {
            sb_puts(out, p);
            return;
        }
        sb_putn(out, p, (size_t)(open - p));
        char key[48], val[512];
        snprintf(key, sizeof key, "%.*s", (int)(close - open - 1), open + 1);
        if (per && persona_value(per, key, val, sizeof val))
            sb_puts(out, val);
        else
            sb_putn(out, open, (size_t)(close - open + 1));
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
        struct sbuf w = {0};
        bool wbold = bold, started = false;
        while (*p && *p != ' ' && *p != '\t') {
            if (p[0] == '*' && p[1] == '*') {
                bold = !bold;
                if (!started)
                    wbold = bold;
                p += 2;
                continue;
            }
            sb_putn(&w, p, 1);
            started = true;
            p++;
        }
        if (w.oom)
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        if (!w.len)
            continue;
        if (out->n == cap) {
            cap = cap ? 2 * cap : 16;
            struct word *nw = realloc(out->words, cap * sizeof *nw);
            if (!nw) {
                sb_release(&w);
                return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
            }
            out->words = nw;
        }
        out->words[out->n++] = (struct word){w.s, wbold};
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
        struct sbuf ex = {0};
        expand_templates(body, per, &ex);
        utf8proc_uint8_t *nfc =
            ex.s ? utf8proc_NFC((const utf8proc_uint8_t *)ex.s) : (utf8proc_uint8_t *)NULL;
        if (ex.s && !nfc)
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
        sb_release(&ex);
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
    int rc = len > GEN_TEXT_MAX ? sohoa_err_set(err, SOHOA_ELIMIT, false, "%s is over %d bytes",
                                                path, GEN_TEXT_MAX)
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

/* ---------------------------------------------------------------------------------------------
 * Rendering text with libvips (Pango)
 * ------------------------------------------------------------------------------------------- */

struct bitmap { /* 8-bit coverage, 255 = ink */
    int w, h;
    uint8_t *px; /* g_malloc'd */
};

static void bitmap_release(struct bitmap *b)
{
    g_free(b->px);
    memset(b, 0, sizeof *b);
}

struct font {
    char desc[128]; /* Pango font description, "DejaVu Serif Bold 13" */
    int pitch;      /* natural line advance, px */
    int strut_h;    /* ink height of the strut glyph */
    int gap;        /* ink-to-ink distance of a space between two words */
};

struct gen {
    int dpi;
    const char *family;
    double size_pt;
    double spacing;         /* body line pitch = natural pitch × spacing */
    struct font fonts[256]; /* every (family, style, size) used */
    int n_fonts;
    GHashTable *widths; /* "desc\x1f[b]word" → width + 1 */
};

static int vips_fail(struct sohoa_err *err, const char *what)
{
    int rc = sohoa_err_set(err, SOHOA_EBACKEND, false, "%s: %s", what, vips_error_buffer());
    vips_error_clear();
    return rc;
}

/* Pango markup → coverage bitmap cropped to the ink. width > 0 wraps (and justifies) at that
 * width; otherwise the text is laid out as it is. */
static int render_markup(const struct gen *g, const char *desc, const char *markup, int width,
                         bool justify, struct bitmap *out, struct sohoa_err *err)
{
    memset(out, 0, sizeof *out);
    VipsImage *im = NULL;
    int rc = 0;
    if (vips_text(&im, markup, "font", desc, "dpi", g->dpi, "width", width > 0 ? width : 0,
                  "justify", justify, NULL))
        return vips_fail(err, "vips_text");
    size_t size = 0;
    void *mem = vips_image_write_to_memory(im, &size);
    if (!mem)
        rc = vips_fail(err, "vips_text");
    else {
        out->w = im->Xsize;
        out->h = im->Ysize;
        out->px = mem;
    }
    g_object_unref(im);
    return rc;
}

static int font_desc(char *out, size_t n, const char *family, const char *style, double size)
{
    return snprintf(out, n, "%s%s%s %.1f", family, style[0] ? " " : "", style, size);
}

/* Metrics of a font, measured once: natural pitch from "█\n█" − "█", space gap from
 * "n n" − 2·"n". */
static int font_get_family(struct gen *g, const char *family, const char *style, double size,
                           const struct font **out, struct sohoa_err *err)
{
    char desc[128];
    font_desc(desc, sizeof desc, family, style, size);
    *out = NULL;
    for (int i = 0; i < g->n_fonts; i++)
        if (!strcmp(g->fonts[i].desc, desc)) {
            *out = &g->fonts[i];
            return 0;
        }
    if (g->n_fonts == (int)G_N_ELEMENTS(g->fonts))
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "too many fonts");
    struct font *f = &g->fonts[g->n_fonts];
    struct bitmap a = {0}, b = {0}, c = {0}, d = {0};
    int rc = render_markup(g, desc, STRUT, 0, false, &a, err);
    if (rc == 0)
        rc = render_markup(g, desc, STRUT LINE_SEP STRUT, 0, false, &b, err);
    if (rc == 0)
        rc = render_markup(g, desc, "n", 0, false, &c, err);
    if (rc == 0)
        rc = render_markup(g, desc, "n n", 0, false, &d, err);
    if (rc == 0) {
        snprintf(f->desc, sizeof f->desc, "%s", desc);
        f->strut_h = a.h;
        f->pitch = b.h - a.h;
        f->gap = d.w - 2 * c.w;
        if (f->pitch <= 0 || f->gap <= 0)
            rc = sohoa_err_set(err, SOHOA_EBACKEND, false, "font %s: bad metrics", desc);
        else {
            g->n_fonts++;
            *out = f;
        }
    }
    bitmap_release(&a);
    bitmap_release(&b);
    bitmap_release(&c);
    bitmap_release(&d);
    return rc;
}

static int font_get(struct gen *g, const char *style, double size, const struct font **out,
                    struct sohoa_err *err)
{
    return font_get_family(g, g->family, style, size, out, err);
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
    struct sbuf m = {0};
    sb_puts(&m, w->bold ? "<b>" : "");
    sb_put_escaped(&m, w->s);
    sb_puts(&m, w->bold ? "</b>" : "");
    struct bitmap b = {0};
    int rc = m.oom ? sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory")
                   : render_markup(g, f->desc, m.s, 0, false, &b, err);
    if (rc == 0) {
        *out = b.w;
        g_hash_table_insert(g->widths, key, GINT_TO_POINTER(b.w + 1));
        key = NULL;
    }
    g_free(key);
    bitmap_release(&b);
    sb_release(&m);
    return rc;
}

/* One text line with the strut line under it; the strut is cropped off. `*top` receives the
 * row of the line's logical top inside the bitmap (negative when the ink starts lower);
 * `*wrapped` is set when Pango needed more than one line for the text. */
static int line_render(const struct gen *g, const struct font *f, const char *markup, int width,
                       bool justify, struct bitmap *out, int *top, bool *wrapped,
                       struct sohoa_err *err)
{
    struct sbuf m = {0};
    sb_puts(&m, markup);
    sb_puts(&m, LINE_SEP STRUT);
    if (m.oom)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    int rc = render_markup(g, f->desc, m.s, width, justify, out, err);
    sb_release(&m);
    if (rc)
        return rc;
    *wrapped = out->h > f->strut_h + f->pitch * 8 / 5;
    int t2 = out->h - f->strut_h; /* logical top of the strut line */
    if (t2 < 1)
        t2 = 1;
    *top = t2 - f->pitch;
    out->h = t2; /* rows are contiguous: dropping the last ones crops the strut */
    return 0;
}

/* Columns holding ink: [*x0, *x1). */
static void bitmap_cols(const struct bitmap *b, int *x0, int *x1)
{
    *x0 = b->w;
    *x1 = 0;
    for (int y = 0; y < b->h; y++)
        for (int x = 0; x < b->w; x++)
            if (b->px[(size_t)y * b->w + x] > 24) {
                if (x < *x0)
                    *x0 = x;
                if (x + 1 > *x1)
                    *x1 = x + 1;
            }
    if (*x1 <= *x0) {
        *x0 = 0;
        *x1 = 0;
    }
}

/* ---------------------------------------------------------------------------------------------
 * A page being laid out: text coverage, ground-truth lines, where things went
 * ------------------------------------------------------------------------------------------- */

struct page {
    int w, h;
    int left, right, top, bottom; /* text area, px */
    uint8_t *ink;                 /* w × h text coverage */
    struct sbuf gt;               /* lines as rendered, in reading order */
    int y;                        /* next free row in the body */
    int body_y0, body_y1;         /* extent of body text drawn */
    bool has_sig;
    double sig_x, sig_y; /* where the signature stroke goes (its left end, middle row) */
    double sig_w, sig_h; /* its size */
    enum para_kind prev; /* kind of the last paragraph placed */
    bool any_body;
};

static double px_mm(const struct gen *g)
{
    return g->dpi / 25.4;
}

static int page_init(struct page *p, const struct gen *g, struct sohoa_err *err)
{
    memset(p, 0, sizeof *p);
    double k = px_mm(g);
    p->w = (int)lround(210.0 * k);
    p->h = (int)lround(297.0 * k);
    /* Decree 30/2020 margins: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm. */
    p->left = (int)lround(30.0 * k);
    p->right = p->w - (int)lround(20.0 * k);
    p->top = (int)lround(20.0 * k);
    p->bottom = p->h - (int)lround(20.0 * k);
    p->y = p->top;
    p->body_y0 = -1;
    p->ink = calloc((size_t)p->w * p->h, 1);
    if (!p->ink)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory for a %dx%d page", p->w,
                             p->h);
    return 0;
}

static void page_release(struct page *p)
{
    free(p->ink);
    sb_release(&p->gt);
    memset(p, 0, sizeof *p);
}

static void ink_blit(struct page *p, const struct bitmap *b, int x, int y)
{
    for (int j = 0; j < b->h; j++) {
        int py = y + j;
        if (py < 0 || py >= p->h)
            continue;
        const uint8_t *src = b->px + (size_t)j * b->w;
        uint8_t *dst = p->ink + (size_t)py * p->w;
        for (int i = 0; i < b->w; i++) {
            int px = x + i;
            if (px >= 0 && px < p->w && src[i] > dst[px])
                dst[px] = src[i];
        }
    }
}

static void ink_rule(struct page *p, int x, int y, int w, int thick)
{
    for (int j = y; j < y + thick; j++)
        if (j >= 0 && j < p->h)
            for (int i = x; i < x + w; i++)
                if (i >= 0 && i < p->w)
                    p->ink[(size_t)j * p->w + i] = 255;
}

static void gt_line(struct page *p, const char *plain)
{
    sb_puts(&p->gt, plain);
    sb_puts(&p->gt, "\n");
}

/* A single line centred in the column [colx, colx + colw) with its logical top at row y; the
 * font shrinks (down to 7 pt) until the line fits. `*drawn` receives the ink width. */
static int draw_centred(struct gen *g, struct page *p, const char *style, double size,
                        const char *plain, int colx, int colw, int y, int *drawn,
                        struct sohoa_err *err)
{
    struct sbuf m = {0};
    sb_put_escaped(&m, plain);
    if (m.oom)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    int rc = 0;
    for (;; size -= 0.5) {
        const struct font *f = NULL;
        struct bitmap b = {0};
        int top = 0, x0 = 0, x1 = 0;
        bool wrapped = false;
        if ((rc = font_get(g, style, size, &f, err)) ||
            (rc = line_render(g, f, m.s, 0, false, &b, &top, &wrapped, err)))
            break;
        bitmap_cols(&b, &x0, &x1);
        if (x1 - x0 <= colw || size <= 7.0) {
            ink_blit(p, &b, colx + (colw - (x1 - x0)) / 2 - x0, y - top);
            if (drawn)
                *drawn = x1 - x0;
            gt_line(p, plain);
            bitmap_release(&b);
            break;
        }
        bitmap_release(&b);
    }
    sb_release(&m);
    return rc;
}

/* A line at x (left aligned) with its logical top at row y. */
static int draw_left(struct gen *g, struct page *p, const char *style, double size,
                     const char *plain, int x, int y, struct sohoa_err *err)
{
    struct sbuf m = {0};
    sb_put_escaped(&m, plain);
    const struct font *f = NULL;
    struct bitmap b = {0};
    int top = 0;
    bool wrapped = false;
    int rc = m.oom ? sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory")
                   : font_get(g, style, size, &f, err);
    if (rc == 0 && (rc = line_render(g, f, m.s, 0, false, &b, &top, &wrapped, err)) == 0) {
        ink_blit(p, &b, x, y - top);
        gt_line(p, plain);
    }
    bitmap_release(&b);
    sb_release(&m);
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
        snprintf(tmp, sizeof tmp, "ỦY BAN NHÂN DÂN %s %s", per->district->type,
                 per->district->name);
        utf8_case(tmp, upper, un, false);
        snprintf(tmp, sizeof tmp, "%s %s", per->commune->type, per->commune->name);
        utf8_case(tmp, lower, ln, false);
        snprintf(tmp, sizeof tmp, "ỦY BAN NHÂN DÂN %s %s * %s %s *", per->commune->type,
                 per->commune->name, per->district->type, per->district->name);
    } else {
        snprintf(tmp, sizeof tmp, "ỦY BAN NHÂN DÂN TỈNH %s", PROVINCE);
        utf8_case(tmp, upper, un, false);
        utf8_case(per->dept->name, lower, ln, false);
        snprintf(tmp, sizeof tmp, "%s * TỈNH %s *", per->dept->name, PROVINCE);
    }
    utf8_case(tmp, stamp, sn, false);
}

/* Letterhead of page 1. Official: issuer left, national motto right, number and date under them;
 * citizen: motto centred. Ground truth in the order the corpus's real pages use: issuer lines,
 * motto lines, number, date. */
static int draw_header(struct gen *g, struct page *p, const struct doc_spec *d,
                       struct sohoa_err *err)
{
    const struct persona *per = d->per;
    double s = g->size_pt;
    const struct font *f = NULL;
    int rc = font_get(g, "", s, &f, err);
    if (rc)
        return rc;
    int pitch = (int)lround(f->pitch * 1.05), W = p->right - p->left;
    int rule = (int)fmax(2.0, lround(0.25 * px_mm(g)));
    int y = p->top, wdraw = 0;
    char date[128], dl[64], a[256], b[256], stamp[256];
    if (d->header == HDR_OFFICIAL) {
        issuer_lines(d, a, sizeof a, b, sizeof b, stamp, sizeof stamp);
        int gutter = (int)lround(2.0 * px_mm(g));
        int lw = (int)(W * 0.40) - gutter, rx = p->left + (int)(W * 0.40), rw = p->right - rx;
        char no[96];
        const struct date *dd = &per->decided;
        if (d->issuer == ISSUER_COMMUNE)
            snprintf(no, sizeof no, "Số: %d/GXN-UBND", per->doc_no % 300 + 1);
        else
            snprintf(no, sizeof no, "Số: %d/QĐ-%s", per->doc_no, per->dept->abbr);
        fmt_long(dd, dl, sizeof dl);
        snprintf(date, sizeof date, "%s, %s",
                 d->issuer == ISSUER_COMMUNE ? per->commune->name : PROVINCE, dl);
        if ((rc = draw_centred(g, p, "", s - 0.5, a, p->left, lw, y, NULL, err)) ||
            (rc = draw_centred(g, p, "Bold", s - 0.5, b, p->left, lw, y + pitch, &wdraw, err)))
            return rc;
        int rl = wdraw / 3;
        ink_rule(p, p->left + (lw - rl) / 2, y + 2 * pitch + rule, rl, rule);
        if ((rc = draw_centred(g, p, "Bold", s - 0.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", rx, rw,
                               y, NULL, err)) ||
            (rc = draw_centred(g, p, "Bold", s, "Độc lập - Tự do - Hạnh phúc", rx, rw, y + pitch,
                               &wdraw, err)))
            return rc;
        ink_rule(p, rx + (rw - wdraw) / 2, y + 2 * pitch + rule, wdraw, rule);
        if ((rc = draw_centred(g, p, "", s, no, p->left, lw, y + 2 * pitch + pitch / 2, NULL,
                               err)) ||
            (rc = draw_centred(g, p, "Italic", s, date, rx, rw, y + 2 * pitch + pitch / 2, NULL,
                               err)))
            return rc;
        p->y = y + 4 * pitch;
    } else if (d->header == HDR_CITIZEN) {
        if ((rc = draw_centred(g, p, "Bold", s - 0.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", p->left,
                               W, y, NULL, err)) ||
            (rc = draw_centred(g, p, "Bold", s, "Độc lập - Tự do - Hạnh phúc", p->left, W,
                               y + pitch, &wdraw, err)))
            return rc;
        ink_rule(p, p->left + (W - wdraw) / 2, y + 2 * pitch + rule, wdraw, rule);
        p->y = y + 3 * pitch;
    }
    return 0;
}

/* Height the signature block needs. */
static int signature_height(const struct gen *g, const struct font *f, const struct doc_spec *d)
{
    int pitch = (int)lround(f->pitch * g->spacing);
    int gap = (int)lround(24.0 * px_mm(g));
    return pitch / 2 + 3 * pitch + gap;
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
    int gap = (int)lround(24.0 * px_mm(g));
    int rx = p->left + (int)(W * 0.45), rw = p->right - rx;
    int y = p->y + pitch / 2;
    double s = g->size_pt;
    const char *name = per->name;
    if (d->header == HDR_OFFICIAL) {
        double small = s - 2;
        if ((rc = draw_left(g, p, "Bold Italic", small, "Nơi nhận:", p->left, y, err)) ||
            (rc = draw_left(g, p, "", small - 1, "- Như Điều 3;", p->left, y + pitch * 4 / 5,
                            err)) ||
            (rc = draw_left(g, p, "", small - 1, "- Lưu: VT.", p->left, y + pitch * 8 / 5, err)))
            return rc;
        const char *l1, *l2;
        if (d->issuer == ISSUER_COMMUNE) {
            l1 = "TM. ỦY BAN NHÂN DÂN";
            l2 = "CHỦ TỊCH";
            name = per->signer2;
        } else {
            l1 = "KT. GIÁM ĐỐC";
            l2 = "PHÓ GIÁM ĐỐC";
            name = per->signer;
        }
        if ((rc = draw_centred(g, p, "Bold", s, l1, rx, rw, y, NULL, err)) ||
            (rc = draw_centred(g, p, "Bold", s, l2, rx, rw, y + pitch, NULL, err)))
            return rc;
    } else {
        char date[128], dl[64];
        fmt_long(&per->received, dl, sizeof dl);
        snprintf(date, sizeof date, "%s, %s", per->district->name, dl);
        if ((rc = draw_centred(g, p, "Italic", s, date, rx, rw, y, NULL, err)) ||
            (rc = draw_centred(g, p, "Bold", s, d->signer_role ? d->signer_role : "Người làm đơn",
                               rx, rw, y + pitch, NULL, err)))
            return rc;
    }
    int wname = 0;
    if ((rc = draw_centred(g, p, "Bold", s, name, rx, rw, y + 2 * pitch + gap, &wname, err)))
        return rc;
    p->has_sig = true;
    p->sig_w = fmin(rw * 0.5, 48.0 * px_mm(g));
    p->sig_h = gap * 0.55;
    p->sig_x = rx + (rw - p->sig_w) / 2;
    p->sig_y = y + 2 * pitch + gap / 2.0 - pitch * 0.1;
    p->y = y + 3 * pitch + gap;
    return 0;
}

/* Markup and plain text of words [w0, w0 + n) of a paragraph. */
static void line_text(const struct para *pa, size_t w0, size_t n, struct sbuf *markup,
                      struct sbuf *plain)
{
    bool bold = false;
    for (size_t i = w0; i < w0 + n; i++) {
        const struct word *w = &pa->words[i];
        if (i > w0) {
            sb_puts(plain, " ");
            if (bold && !w->bold) {
                sb_puts(markup, "</b>");
                bold = false;
            }
            sb_puts(markup, " ");
        }
        if (w->bold && !bold) {
            sb_puts(markup, "<b>");
            bold = true;
        }
        sb_put_escaped(markup, w->s);
        sb_puts(plain, w->s);
    }
    if (bold)
        sb_puts(markup, "</b>");
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
        struct sbuf markup = {0}, plain = {0};
        line_text(pa, fl->word, n, &markup, &plain);
        if (markup.oom || plain.oom)
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        else
            rc = line_render(g, f, markup.s, avail, justify, &b, &top, &wrapped, err);
        if (rc == 0 && wrapped && n > 1) { /* the estimate was too generous */
            n--;
            bitmap_release(&b);
        } else if (rc == 0 && wrapped) { /* one word wider than the line: leave it out */
            fprintf(stderr, "sohoa_gen: word too wide for the line, left out: %s\n", plain.s);
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
            gt_line(p, plain.s);
        }
        sb_release(&markup);
        sb_release(&plain);
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
    snprintf(num, sizeof num, "%d", page_no);
    return draw_centred(g, p, "", g->size_pt, num, p->left, p->right - p->left,
                        (int)lround(9.0 * px_mm(g)), NULL, err);
}

/* ---------------------------------------------------------------------------------------------
 * Composition: text, signature and seal blended like ink on paper, then lighting
 * ------------------------------------------------------------------------------------------- */

struct canvas {
    int w, h, bands; /* 3 colour, 1 grey */
    uint8_t *px;
};

static void blend_px(struct canvas *cv, int x, int y, double a, const double col[3])
{
    if (x < 0 || y < 0 || x >= cv->w || y >= cv->h || a <= 0)
        return;
    if (a > 1)
        a = 1;
    uint8_t *q = cv->px + ((size_t)y * cv->w + x) * cv->bands;
    if (cv->bands == 3) {
        for (int b = 0; b < 3; b++)
            q[b] = (uint8_t)lround(q[b] * (1 - a + a * col[b] / 255.0));
    } else {
        double lum = 0.299 * col[0] + 0.587 * col[1] + 0.114 * col[2];
        q[0] = (uint8_t)lround(q[0] * (1 - a + a * lum / 255.0));
    }
}

/* Smooth noise in [0, 1): bilinear over a coarse random grid. */
struct smooth {
    int gw, gh;
    double sx, sy;
    float *v;
};

static int smooth_init(struct smooth *s, struct rng *r, int gw, int gh, int w, int h)
{
    s->gw = gw;
    s->gh = gh;
    s->sx = (double)(gw - 1) / (w > 1 ? w - 1 : 1);
    s->sy = (double)(gh - 1) / (h > 1 ? h - 1 : 1);
    s->v = malloc(sizeof *s->v * (size_t)gw * gh);
    if (!s->v)
        return -1;
    for (int i = 0; i < gw * gh; i++)
        s->v[i] = (float)rng_unit(r);
    return 0;
}

static double smooth_at(const struct smooth *s, double x, double y)
{
    double gx = x * s->sx, gy = y * s->sy;
    int ix = (int)gx, iy = (int)gy;
    if (ix >= s->gw - 1)
        ix = s->gw - 2;
    if (iy >= s->gh - 1)
        iy = s->gh - 2;
    if (ix < 0)
        ix = 0;
    if (iy < 0)
        iy = 0;
    double fx = gx - ix, fy = gy - iy;
    const float *v = s->v + (size_t)iy * s->gw + ix;
    return (v[0] * (1 - fx) + v[1] * fx) * (1 - fy) +
           (v[s->gw] * (1 - fx) + v[s->gw + 1] * fx) * fy;
}

/* A handwritten-looking stroke: a Catmull-Rom curve through random points, drawn with a round
 * pen into a coverage mask, then blended once (so the stroke does not darken where it
 * overlaps itself). */
static int draw_scribble(struct canvas *cv, const struct page *p, const struct gen *g,
                         struct rng *r, struct sohoa_err *err)
{
    double pen = fmax(1.0, 0.28 * px_mm(g));
    int pad = (int)ceil(pen) + 2;
    int mx = (int)floor(p->sig_x) - pad, my = (int)floor(p->sig_y - p->sig_h / 2) - pad;
    int mw = (int)ceil(p->sig_w) + 2 * pad, mh = (int)ceil(p->sig_h) + 2 * pad;
    float *m = calloc((size_t)mw * mh, sizeof *m);
    if (!m)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    /* Up-and-down strokes moving right, with a loop or two (a step back), ending in a long
     * flourish back under the name. */
    enum { K = 16 };
    double px[K + 2], py[K + 2], pen_x = p->sig_x;
    for (int i = 0; i < K + 2; i++) {
        double step = p->sig_w / (K - 4);
        if (i > 2 && i < K - 3 && rng_unit(r) < 0.25)
            step = -step * 0.6; /* a loop */
        if (i >= K - 2) {
            px[i] = p->sig_x + p->sig_w * (i == K - 2 ? 0.45 : 0.15);
            py[i] = p->sig_y + p->sig_h * 0.42;
            continue;
        }
        pen_x += step * rng_range(r, 0.7, 1.2);
        px[i] = pen_x;
        py[i] = p->sig_y + (i % 2 ? -1 : 1) * p->sig_h * rng_range(r, 0.15, 0.5);
    }
    for (int i = 1; i < K; i++) {
        double len = hypot(px[i + 1] - px[i], py[i + 1] - py[i]);
        int steps = (int)(len * 2) + 2;
        for (int s = 0; s <= steps; s++) {
            double t = (double)s / steps, t2 = t * t, t3 = t2 * t;
            double x = 0.5 * ((2 * px[i]) + (-px[i - 1] + px[i + 1]) * t +
                              (2 * px[i - 1] - 5 * px[i] + 4 * px[i + 1] - px[i + 2]) * t2 +
                              (-px[i - 1] + 3 * px[i] - 3 * px[i + 1] + px[i + 2]) * t3);
            double y = 0.5 * ((2 * py[i]) + (-py[i - 1] + py[i + 1]) * t +
                              (2 * py[i - 1] - 5 * py[i] + 4 * py[i + 1] - py[i + 2]) * t2 +
                              (-py[i - 1] + 3 * py[i] - 3 * py[i + 1] + py[i + 2]) * t3);
            double rad = pen * (0.75 + 0.25 * sin(t * M_PI)); /* thinner at the ends */
            for (int yy = (int)(y - rad - 1); yy <= (int)(y + rad + 1); yy++)
                for (int xx = (int)(x - rad - 1); xx <= (int)(x + rad + 1); xx++) {
                    int lx = xx - mx, ly = yy - my;
                    if (lx < 0 || ly < 0 || lx >= mw || ly >= mh)
                        continue;
                    double c = rad + 0.5 - hypot(xx + 0.5 - x, yy + 0.5 - y);
                    c = c < 0 ? 0 : c > 1 ? 1 : c;
                    float *q = &m[(size_t)ly * mw + lx];
                    if (c > *q)
                        *q = (float)c;
                }
        }
    }
    static const double blue[3] = {28, 38, 125};
    for (int y = 0; y < mh; y++)
        for (int x = 0; x < mw; x++)
            if (m[(size_t)y * mw + x] > 0)
                blend_px(cv, mx + x, my + y, 0.92 * m[(size_t)y * mw + x], blue);
    free(m);
    return 0;
}

static bool in_polygon(const double *xs, const double *ys, int n, double x, double y)
{
    bool in = false;
    for (int i = 0, j = n - 1; i < n; j = i++)
        if ((ys[i] > y) != (ys[j] > y) &&
            x < (xs[j] - xs[i]) * (y - ys[i]) / (ys[j] - ys[i]) + xs[i])
            in = !in;
    return in;
}

static double band(double d, double a, double b) /* antialiased coverage of a ≤ d ≤ b */
{
    double c = fmin(d - a, b - d) + 0.5;
    return c < 0 ? 0 : c > 1 ? 1 : c;
}

/* Crop a bitmap to its ink columns. */
static int bitmap_crop_cols(struct bitmap *b, struct sohoa_err *err)
{
    int x0, x1;
    bitmap_cols(b, &x0, &x1);
    if (x1 <= x0 || (x0 == 0 && x1 == b->w))
        return 0;
    uint8_t *px = g_try_malloc((size_t)(x1 - x0) * b->h);
    if (!px)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    for (int y = 0; y < b->h; y++)
        memcpy(px + (size_t)y * (x1 - x0), b->px + (size_t)y * b->w + x0, (size_t)(x1 - x0));
    g_free(b->px);
    b->px = px;
    b->w = x1 - x0;
    return 0;
}

enum { RING_MAX = 96 };

/* The glyphs of a seal's ring text, each cropped to its ink; `*total` = sum of advances. */
static int ring_glyphs(struct gen *g, const char *text, double size, struct bitmap *gl, int *tops,
                       int *n, int *total, const struct font **fout, struct sohoa_err *err)
{
    const struct font *f = NULL;
    *n = 0;
    *total = 0;
    int rc = font_get_family(g, "DejaVu Sans", "Bold", size, &f, err);
    *fout = f;
    for (const char *p = text; rc == 0 && *p && *n < RING_MAX;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &cp);
        if (len <= 0)
            break;
        char ch[8];
        if (cp == '&' || cp == '<' || cp == '>')
            snprintf(ch, sizeof ch, "-");
        else
            snprintf(ch, sizeof ch, "%.*s", (int)len, p);
        p += len;
        bool wrapped = false;
        struct bitmap *b = &gl[*n];
        tops[*n] = 0;
        if (cp == ' ')
            *b = (struct bitmap){(int)(f->gap * 0.9), 0, NULL};
        else if ((rc = line_render(g, f, ch, 0, false, b, &tops[*n], &wrapped, err)) ||
                 (rc = bitmap_crop_cols(b, err))) {
            bitmap_release(b);
            break;
        }
        *total += b->w + (int)(0.12 * f->pitch);
        (*n)++;
    }
    return rc;
}

/* A round red seal (Vietnamese stamps: outer ring, the issuer's name around it, an inner ring,
 * a star in the middle), ink texture uneven like a real impression, centred at (cx, cy). */
static int draw_stamp(struct gen *g, struct canvas *cv, double cx, double cy, const char *ring,
                      struct rng *r, struct sohoa_err *err)
{
    double k = px_mm(g);
    double R = rng_range(r, 17.0, 19.5) * k, rot = rng_range(r, -0.6, 0.6);
    double t_out = 1.0 * k, r_in = R - 6.4 * k, t_in = 0.4 * k;
    int S = (int)ceil(2 * R) + 6;
    double c = S / 2.0;
    float *m = calloc((size_t)S * S, sizeof *m);
    struct smooth tex = {0}, tex2 = {0};
    int rc = 0;
    if (!m || smooth_init(&tex, r, 14, 14, S, S) || smooth_init(&tex2, r, 40, 40, S, S)) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        goto out;
    }
    /* rings */
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
            double d = hypot(x + 0.5 - c, y + 0.5 - c);
            double v = fmax(band(d, R - t_out, R), band(d, r_in - t_in, r_in));
            m[(size_t)y * S + x] = (float)v;
        }
    /* star, 4×4 supersampled */
    double xs[10], ys[10], rs = r_in * 0.42;
    for (int i = 0; i < 10; i++) {
        double a = rot - M_PI / 2 + i * M_PI / 5, rr = i % 2 ? rs * 0.382 : rs;
        xs[i] = c + rr * cos(a);
        ys[i] = c + rr * sin(a);
    }
    for (int y = (int)(c - rs) - 1; y <= (int)(c + rs) + 1; y++)
        for (int x = (int)(c - rs) - 1; x <= (int)(c + rs) + 1; x++) {
            int hits = 0;
            for (int sy = 0; sy < 4; sy++)
                for (int sx = 0; sx < 4; sx++)
                    hits += in_polygon(xs, ys, 10, x + (sx + 0.5) / 4, y + (sy + 0.5) / 4);
            float *q = &m[(size_t)y * S + x];
            if (hits / 16.0f > *q)
                *q = hits / 16.0f;
        }
    /* text ring: glyphs upright outwards, reading clockwise, spread evenly around the ring
     * from the top; shrunk when the name is too long to fit */
    {
        double rt = (R - t_out + r_in) / 2;
        double band_h = (R - t_out) - r_in;
        double size = band_h / k * 72.0 / 25.4 * 0.78; /* em size in pt for the band */
        double target = 2 * M_PI * rt * 0.93;
        struct bitmap gl[RING_MAX];
        int tops[RING_MAX], n = 0, total = 0;
        const struct font *f = NULL;
        rc = ring_glyphs(g, ring, size, gl, tops, &n, &total, &f, err);
        if (rc == 0 && total > target) {
            for (int i = 0; i < n; i++)
                bitmap_release(&gl[i]);
            rc = ring_glyphs(g, ring, size * target / total * 0.97, gl, tops, &n, &total, &f, err);
        }
        double extra = n && total < target ? (target - total) / n : 0;
        double acc = 0, a0 = rot - M_PI / 2 - (total + extra * n) / rt / 2;
        for (int i = 0; rc == 0 && i < n; i++) {
            double adv = gl[i].w + 0.12 * f->pitch + extra;
            double phi = a0 + (acc + adv / 2) / rt;
            acc += adv;
            if (!gl[i].px)
                continue;
            /* Glyph centre: middle of its ink columns, middle of its logical line. */
            double gx = gl[i].w / 2.0, gy = tops[i] + f->pitch * 0.55;
            double tx = c + rt * cos(phi), ty = c + rt * sin(phi);
            double ang = phi + M_PI / 2, ca = cos(ang), sa = sin(ang);
            int reach = (int)ceil(hypot(gl[i].w, gl[i].h)) + 2;
            for (int y = (int)ty - reach; y <= (int)ty + reach; y++)
                for (int x = (int)tx - reach; x <= (int)tx + reach; x++) {
                    if (x < 0 || y < 0 || x >= S || y >= S)
                        continue;
                    double dx = x + 0.5 - tx, dy = y + 0.5 - ty;
                    /* inverse rotation into glyph space */
                    double u = dx * ca + dy * sa + gx - 0.5, v = -dx * sa + dy * ca + gy - 0.5;
                    int iu = (int)floor(u), iv = (int)floor(v);
                    if (iu < 0 || iv < 0 || iu + 1 >= gl[i].w || iv + 1 >= gl[i].h)
                        continue;
                    double fu = u - iu, fv = v - iv;
                    const uint8_t *q = gl[i].px + (size_t)iv * gl[i].w + iu;
                    double val = ((q[0] * (1 - fu) + q[1] * fu) * (1 - fv) +
                                  (q[gl[i].w] * (1 - fu) + q[gl[i].w + 1] * fu) * fv) /
                                 255.0;
                    float *o = &m[(size_t)y * S + x];
                    if (val > *o)
                        *o = (float)val;
                }
        }
        for (int i = 0; i < n; i++)
            bitmap_release(&gl[i]);
    }
    if (rc)
        goto out;
    /* ink: uneven pressure (one side lighter), blotchy texture, a few dry specks */
    {
        static const double red[3] = {204, 28, 42};
        double pa = rng_range(r, 0, 2 * M_PI), alpha = rng_range(r, 0.78, 0.92);
        int x0 = (int)lround(cx - c), y0 = (int)lround(cy - c);
        for (int y = 0; y < S; y++)
            for (int x = 0; x < S; x++) {
                float v = m[(size_t)y * S + x];
                if (v <= 0)
                    continue;
                double side = 0.5 + 0.5 * ((x - c) * cos(pa) + (y - c) * sin(pa)) / R;
                double t = 0.55 + 0.45 * smooth_at(&tex, x, y);
                double speck = smooth_at(&tex2, x, y) < 0.12 ? 0.35 : 1.0;
                blend_px(cv, x0 + x, y0 + y, alpha * v * t * speck * (1 - 0.35 * side), red);
            }
    }
out:
    free(m);
    free(tex.v);
    free(tex2.v);
    return rc;
}

/* Uneven lighting: a gradient in a random direction, an off-centre vignette and slow blotches,
 * times a paper tint. The field is separable except for the blotches, which are interpolated
 * along each row from a coarse grid; applied in 16-bit fixed point. */
static int light_apply(struct canvas *cv, struct rng *r, struct sohoa_err *err)
{
    int w = cv->w, h = cv->h, gw = 7, gh = 9;
    double ga = rng_range(r, 0, 2 * M_PI), gs = rng_range(r, 0.05, 0.14);
    double vig = rng_range(r, 0.06, 0.14);
    double ex = rng_range(r, -0.15, 0.15), ey = rng_range(r, -0.15, 0.15);
    static const double tint3[3] = {0.985, 0.972, 0.935};
    double grid[9][7];
    for (int j = 0; j < gh; j++)
        for (int i = 0; i < gw; i++)
            grid[j][i] = 0.04 * (rng_unit(r) - 0.5);
    float *colx = malloc(sizeof *colx * (size_t)w * 3);
    int *cix = malloc(sizeof *cix * (size_t)w);
    if (!colx || !cix) {
        free(colx);
        free(cix);
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    }
    float *rowl = colx + w, *cfx = colx + 2 * w;
    for (int x = 0; x < w; x++) {
        double nx = (double)x / w - 0.5;
        colx[x] = (float)(-gs * nx * cos(ga) - 2 * vig * (nx - ex) * (nx - ex));
        double gx = (double)x / (w - 1) * (gw - 1);
        cix[x] = gx >= gw - 1 ? gw - 2 : (int)gx;
        cfx[x] = (float)(gx - cix[x]);
    }
    for (int y = 0; y < h; y++) {
        double ny = (double)y / h - 0.5;
        double base = 1.0 - gs * (0.5 + ny * sin(ga)) - 2 * vig * (ny - ey) * (ny - ey);
        double gy = (double)y / (h - 1) * (gh - 1);
        int iy = gy >= gh - 1 ? gh - 2 : (int)gy;
        double fy = gy - iy, row[7];
        for (int i = 0; i < gw; i++)
            row[i] = grid[iy][i] * (1 - fy) + grid[iy + 1][i] * fy;
        for (int x = 0; x < w; x++) {
            int ix = cix[x];
            rowl[x] = (float)(base + colx[x] + row[ix] + (row[ix + 1] - row[ix]) * cfx[x]);
        }
        uint8_t *q = cv->px + (size_t)y * w * cv->bands;
        if (cv->bands == 3) {
            const float t0 = (float)tint3[0], t1 = (float)tint3[1], t2 = (float)tint3[2];
            for (int x = 0; x < w; x++) {
                float l = rowl[x];
                int v0 = (int)(q[3 * x] * l * t0 + 0.5f), v1 = (int)(q[3 * x + 1] * l * t1 + 0.5f),
                    v2 = (int)(q[3 * x + 2] * l * t2 + 0.5f);
                q[3 * x] = (uint8_t)(v0 > 255 ? 255 : v0);
                q[3 * x + 1] = (uint8_t)(v1 > 255 ? 255 : v1);
                q[3 * x + 2] = (uint8_t)(v2 > 255 ? 255 : v2);
            }
        } else {
            for (int x = 0; x < w; x++) {
                int v = (int)(q[x] * rowl[x] * 0.965f + 0.5f);
                q[x] = (uint8_t)(v > 255 ? 255 : v);
            }
        }
    }
    free(colx);
    free(cix);
    return 0;
}

/* Gaussian grain, the same for every band (scanner noise is mostly luminance): values drawn from
 * a 64K table of gaussian samples by a fast per-pixel generator. */
static int grain_apply(uint8_t *px, size_t n_px, int bands, double sigma, uint64_t seed,
                       struct sohoa_err *err)
{
    enum { TABLE = 65536 };
    int16_t *tab = malloc(sizeof *tab * TABLE);
    if (!tab)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    struct rng r = rng_for(seed, 5, 0);
    for (int i = 0; i < TABLE; i += 2) { /* Box-Muller, in 1/16 grey levels */
        double u1 = rng_unit(&r), u2 = rng_unit(&r);
        double m = sigma * 16 * sqrt(-2 * log(u1 > 1e-300 ? u1 : 1e-300));
        tab[i] = (int16_t)fmax(-32000, fmin(32000, m * cos(2 * M_PI * u2)));
        tab[i + 1] = (int16_t)fmax(-32000, fmin(32000, m * sin(2 * M_PI * u2)));
    }
    uint32_t x = (uint32_t)rng_next(&r) | 1u;
    for (size_t i = 0; i < n_px; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        int d = tab[x & (TABLE - 1)];
        for (int b = 0; b < bands; b++) {
            uint8_t *q = px + i * bands + b;
            int v = *q + (d >= 0 ? (d + 8) >> 4 : -((-d + 8) >> 4));
            *q = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    free(tab);
    return 0;
}

struct damage {
    double skew;  /* degrees, positive = clockwise */
    double noise; /* sigma of gaussian grain, grey levels */
    double blur;  /* sigma, px */
    int jpeg_q;   /* 0: no JPEG round trip */
    bool uneven;  /* lighting gradient, vignette, paper tint */
    bool stamp;
};

enum colour_mode { MODE_COLOUR, MODE_GREY, MODE_BILEVEL };

/* Text, signature and stamp onto paper; lighting last (it lights everything). */
static int page_compose(struct gen *g, const struct page *p, const struct damage *dm,
                        enum colour_mode mode, const char *stamp_text, struct rng *r,
                        struct canvas *cv, struct sohoa_err *err)
{
    cv->w = p->w;
    cv->h = p->h;
    cv->bands = mode == MODE_COLOUR ? 3 : 1;
    size_t n = (size_t)p->w * p->h;
    cv->px = malloc(n * cv->bands);
    if (!cv->px)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    static const double ink[3] = {24, 24, 28};
    double lum = 0.299 * ink[0] + 0.587 * ink[1] + 0.114 * ink[2];
    uint8_t lut[3][256]; /* coverage → paper value under that much ink */
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 3; b++)
            lut[b][a] = (uint8_t)lround(255 - a / 255.0 * (255 - (cv->bands == 3 ? ink[b] : lum)));
    if (cv->bands == 3)
        for (size_t i = 0; i < n; i++) {
            uint8_t a = p->ink[i];
            cv->px[3 * i] = lut[0][a];
            cv->px[3 * i + 1] = lut[1][a];
            cv->px[3 * i + 2] = lut[2][a];
        }
    else
        for (size_t i = 0; i < n; i++)
            cv->px[i] = lut[0][p->ink[i]];
    int rc = 0;
    if (p->has_sig && (rc = draw_scribble(cv, p, g, r, err)))
        return rc;
    if (dm->stamp) {
        double k = px_mm(g), cx, cy;
        if (p->has_sig) { /* over the left part of the signature, as desks stamp */
            cx = p->sig_x + rng_range(r, -4, 6) * k;
            cy = p->sig_y + rng_range(r, -4, 4) * k;
        } else { /* over the lower body text, right half */
            int y0 = p->body_y0 < 0 ? p->top : p->body_y0,
                y1 = p->body_y1 > y0 ? p->body_y1 : p->bottom;
            cx = rng_range(r, p->left + (p->right - p->left) * 0.5, p->right - 12 * k);
            cy = fmax(y0 + 20 * k, y1 - rng_range(r, 20, 60) * k);
        }
        if ((rc = draw_stamp(g, cv, cx, cy, stamp_text, r, err)))
            return rc;
    }
    if (dm->uneven && (rc = light_apply(cv, r, err)))
        return rc;
    return 0;
}

/* Skew, blur, grain, JPEG round trip, binarisation → an image in memory (caller unrefs). */
static int page_damage(const struct gen *g, const struct canvas *cv, const struct damage *dm,
                       enum colour_mode mode, uint64_t noise_seed, VipsImage **out,
                       struct sohoa_err *err)
{
    *out = NULL;
    VipsImage *ctx = vips_image_new();
    VipsImage **t = (VipsImage **)vips_object_local_array(VIPS_OBJECT(ctx), 12);
    void *jbuf = NULL, *nbuf = NULL;
    size_t jlen = 0;
    int rc = 0;
    VipsImage *cur = t[0] = vips_image_new_from_memory(cv->px, (size_t)cv->w * cv->h * cv->bands,
                                                       cv->w, cv->h, cv->bands, VIPS_FORMAT_UCHAR);
    if (!cur) {
        rc = vips_fail(err, "image from memory");
        goto out;
    }
    if (dm->skew != 0) {
        VipsArrayDouble *bg = vips_array_double_newv(cv->bands, 255.0, 255.0, 255.0);
        int r1 = vips_rotate(cur, &t[1], dm->skew, "background", bg, NULL);
        vips_area_unref(VIPS_AREA(bg));
        if (r1 || vips_crop(t[1], &t[2], (t[1]->Xsize - cv->w) / 2, (t[1]->Ysize - cv->h) / 2,
                            cv->w, cv->h, NULL)) {
            rc = vips_fail(err, "skew");
            goto out;
        }
        cur = t[2];
    }
    if (dm->blur > 0) {
        if (vips_gaussblur(cur, &t[3], dm->blur, NULL)) {
            rc = vips_fail(err, "blur");
            goto out;
        }
        cur = t[3];
    }
    if (dm->noise > 0) {
        size_t len = 0;
        if (!(nbuf = vips_image_write_to_memory(cur, &len))) {
            rc = vips_fail(err, "noise");
            goto out;
        }
        if ((rc = grain_apply(nbuf, (size_t)cv->w * cv->h, cv->bands, dm->noise, noise_seed, err)))
            goto out;
        if (!(cur = t[6] = vips_image_new_from_memory(nbuf, len, cv->w, cv->h, cv->bands,
                                                      VIPS_FORMAT_UCHAR))) {
            rc = vips_fail(err, "noise");
            goto out;
        }
    }
    double res = g->dpi / 25.4;
    if (vips_copy(cur, &t[7], "interpretation",
                  cv->bands == 3 ? VIPS_INTERPRETATION_sRGB : VIPS_INTERPRETATION_B_W, "xres", res,
                  "yres", res, NULL)) {
        rc = vips_fail(err, "copy");
        goto out;
    }
    cur = t[7];
    if (dm->jpeg_q > 0) {
        if (vips_jpegsave_buffer(cur, &jbuf, &jlen, "Q", dm->jpeg_q, NULL) ||
            vips_jpegload_buffer(jbuf, jlen, &t[8], NULL)) {
            rc = vips_fail(err, "jpeg round trip");
            goto out;
        }
        cur = t[8];
    }
    if (mode == MODE_BILEVEL) {
        if (vips_moreeq_const1(cur, &t[9], 128.0, NULL) ||
            vips_copy(t[9], &t[10], "interpretation", VIPS_INTERPRETATION_B_W, "xres", res, "yres",
                      res, NULL)) {
            rc = vips_fail(err, "threshold");
            goto out;
        }
        cur = t[10];
    }
    if (!(*out = vips_image_copy_memory(cur)))
        rc = vips_fail(err, "render");
out:
    g_object_unref(ctx);
    g_free(jbuf);
    g_free(nbuf);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Output
 * ------------------------------------------------------------------------------------------- */

enum fmt { FMT_PNG, FMT_JPEG, FMT_TIFF, FMT_TIFF_G4, FMT_TIFF_MULTI };

static const char *fmt_ext(enum fmt f)
{
    return f == FMT_PNG ? "png" : f == FMT_JPEG ? "jpg" : "tif";
}

/* Where pages go: one file per page, or one multi-page TIFF; ground truth beside the images
 * (or in gt_dir). */
struct sink {
    enum fmt format;
    enum colour_mode mode;
    int jpeg_q; /* for --format jpeg */
    const char *dir, *gt_dir, *name;
    int dpi;
    int pages;      /* written so far */
    struct sbuf gt; /* multi-page: all pages, each ended by a form feed */
    bool numbered;  /* one file per page: name-0001.png */
    bool dry;       /* only count pages (layout, no images) */
};

static int write_file(const char *path, const char *data, size_t len, struct sohoa_err *err)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return sohoa_err_set(err, SOHOA_EIO, false, "cannot write %s: %s", path, strerror(errno));
    size_t n = fwrite(data, 1, len, f);
    if (fclose(f) != 0 || n != len)
        return sohoa_err_set(err, SOHOA_EIO, false, "cannot write %s", path);
    return 0;
}

/* Append one page to a multi-page TIFF with Leptonica (G4 when bilevel, else LZW). */
static int tiff_append(VipsImage *im, const char *path, bool first, bool bilevel, int dpi,
                       struct sohoa_err *err)
{
    int w = im->Xsize, h = im->Ysize, bands = im->Bands;
    const uint8_t *src = (const uint8_t *)VIPS_IMAGE_ADDR(im, 0, 0);
    PIX *pix = pixCreate(w, h, bilevel ? 1 : bands == 1 ? 8 : 32);
    if (!pix)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    l_uint32 *data = pixGetData(pix);
    int wpl = pixGetWpl(pix);
    for (int y = 0; y < h; y++) {
        l_uint32 *line = data + (size_t)y * wpl;
        const uint8_t *s = src + (size_t)y * w * bands;
        for (int x = 0; x < w; x++) {
            if (bilevel) {
                if (s[x] < 128)
                    SET_DATA_BIT(line, x);
            } else if (bands == 1) {
                SET_DATA_BYTE(line, x, s[x]);
            } else {
                composeRGBPixel(s[3 * x], s[3 * x + 1], s[3 * x + 2], line + x);
            }
        }
    }
    pixSetResolution(pix, dpi, dpi);
    int lrc = pixWriteTiff(path, pix, bilevel ? IFF_TIFF_G4 : IFF_TIFF_LZW, first ? "w" : "a");
    pixDestroy(&pix);
    return lrc ? sohoa_err_set(err, SOHOA_EIO, false, "cannot write %s (Leptonica)", path) : 0;
}

/* `quality`: JPEG quality of this page when the format is JPEG. */
static int sink_page(struct sink *s, VipsImage *im, const char *gt, int quality,
                     struct sohoa_err *err)
{
    char path[4096], gtpath[4096];
    const char *gtdir = s->gt_dir ? s->gt_dir : s->dir;
    int rc = 0;
    if (s->format == FMT_TIFF_MULTI) {
        snprintf(path, sizeof path, "%s/%s.tif", s->dir, s->name);
        rc = tiff_append(im, path, s->pages == 0, s->mode == MODE_BILEVEL, s->dpi, err);
        sb_puts(&s->gt, gt);
        sb_puts(&s->gt, "\f");
        s->pages++;
        return rc;
    }
    if (s->numbered) {
        snprintf(path, sizeof path, "%s/%s-%04d.%s", s->dir, s->name, s->pages + 1,
                 fmt_ext(s->format));
        snprintf(gtpath, sizeof gtpath, "%s/%s-%04d.gt.txt", gtdir, s->name, s->pages + 1);
    } else {
        snprintf(path, sizeof path, "%s/%s.%s", s->dir, s->name, fmt_ext(s->format));
        snprintf(gtpath, sizeof gtpath, "%s/%s.gt.txt", gtdir, s->name);
    }
    bool bilevel = s->mode == MODE_BILEVEL;
    int vrc = 0;
    switch (s->format) {
    case FMT_PNG:
        vrc = bilevel ? vips_pngsave(im, path, "compression", 6, "bitdepth", 1, NULL)
                      : vips_pngsave(im, path, "compression", 2, "filter",
                                     VIPS_FOREIGN_PNG_FILTER_UP, NULL);
        break;
    case FMT_JPEG:
        vrc = vips_jpegsave(im, path, "Q", quality, NULL);
        break;
    case FMT_TIFF:
    case FMT_TIFF_G4:
        vrc = bilevel
                  ? vips_tiffsave(im, path, "compression", VIPS_FOREIGN_TIFF_COMPRESSION_CCITTFAX4,
                                  "bitdepth", 1, "resunit", VIPS_FOREIGN_TIFF_RESUNIT_INCH, NULL)
                  : vips_tiffsave(im, path, "compression", VIPS_FOREIGN_TIFF_COMPRESSION_LZW,
                                  "predictor", VIPS_FOREIGN_TIFF_PREDICTOR_HORIZONTAL, "resunit",
                                  VIPS_FOREIGN_TIFF_RESUNIT_INCH, NULL);
        break;
    case FMT_TIFF_MULTI:
        break;
    }
    if (vrc)
        return vips_fail(err, path);
    s->pages++;
    return write_file(gtpath, gt, strlen(gt), err);
}

static int sink_finish(struct sink *s, struct sohoa_err *err)
{
    int rc = 0;
    if (s->format == FMT_TIFF_MULTI && s->pages > 0) {
        char gtpath[4096];
        snprintf(gtpath, sizeof gtpath, "%s/%s.gt.txt", s->gt_dir ? s->gt_dir : s->dir, s->name);
        rc = s->gt.oom ? sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory")
                       : write_file(gtpath, s->gt.s ? s->gt.s : "", s->gt.len, err);
    }
    sb_release(&s->gt);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * One document: pages laid out, composed, damaged and written
 * ------------------------------------------------------------------------------------------- */

/* Damage for page `index`: the fixed values, or drawn from a preset (0 none, 1 mild, 2 heavy).
 * Fixed values given on the command line (>= 0 / true) win over the preset. */
struct damage_plan {
    struct damage fixed;
    bool set_skew, set_noise, set_blur, set_jpeg, set_uneven, set_stamp;
    int preset;
};

static struct damage damage_for(const struct damage_plan *dp, uint64_t seed, uint64_t index)
{
    struct rng r = rng_for(seed, 3, index);
    struct damage d = {0};
    if (dp->preset == 1) {
        d.skew = rng_range(&r, -1.2, 1.2);
        d.noise = rng_range(&r, 2, 6);
        d.blur = rng_range(&r, 0.3, 0.8);
        d.jpeg_q = rng_int(&r, 70, 92);
        d.uneven = rng_unit(&r) < 0.7;
        d.stamp = rng_unit(&r) < 0.3;
    } else if (dp->preset == 2) {
        d.skew = rng_range(&r, -3.5, 3.5);
        d.noise = rng_range(&r, 8, 16);
        d.blur = rng_range(&r, 0.9, 1.6);
        d.jpeg_q = rng_int(&r, 35, 60);
        d.uneven = true;
        d.stamp = rng_unit(&r) < 0.6;
    }
    if (dp->set_skew)
        d.skew = dp->fixed.skew;
    if (dp->set_noise)
        d.noise = dp->fixed.noise;
    if (dp->set_blur)
        d.blur = dp->fixed.blur;
    if (dp->set_jpeg)
        d.jpeg_q = dp->fixed.jpeg_q;
    if (dp->set_uneven)
        d.uneven = dp->fixed.uneven;
    if (dp->set_stamp)
        d.stamp = dp->fixed.stamp;
    return d;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
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
        int sig_h = sig_pending ? signature_height(g, body, d) : 0;
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
                rc = sink_page(sink, im, p.gt.s ? p.gt.s : "", quality, err);
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

static int mkdir_p(const char *path, struct sohoa_err *err)
{
    if (g_mkdir_with_parents(path, 0755) != 0)
        return sohoa_err_set(err, SOHOA_EIO, false, "cannot create %s: %s", path, strerror(errno));
    return 0;
}

static int dossier_json(const char *dir, const struct persona *per, struct sohoa_err *err)
{
    char date[16], district[128], commune[128], title[512], tmp[128];
    snprintf(date, sizeof date, "%04d-%02d-%02d", per->received.y, per->received.m,
             per->received.d);
    snprintf(tmp, sizeof tmp, "%s %s", per->district->type, per->district->name);
    utf8_case(tmp, district, sizeof district, true);
    snprintf(tmp, sizeof tmp, "%s %s", per->commune->type, per->commune->name);
    utf8_case(tmp, commune, sizeof commune, true);
    char proc[256];
    utf8_case(per->dept->procedure, proc, sizeof proc, true);
    snprintf(title, sizeof title, "%s - %s", proc, per->name);
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
    snprintf(path, sizeof path, "%s/dossier.json", dir);
    struct sbuf b = {0};
    sb_puts(&b, s);
    sb_puts(&b, "\n");
    free(s);
    int rc = b.oom ? sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory")
                   : write_file(path, b.s, b.len, err);
    sb_release(&b);
    return rc;
}

static int dossier_generate(struct gen *g, const char *dir, const char *texts_dir, int docs,
                            uint64_t seed, const struct damage_plan *user_dp, bool user_damage,
                            struct sohoa_err *err)
{
    struct persona per;
    persona_make(seed, &per);
    char gtdir[4096];
    snprintf(gtdir, sizeof gtdir, "%s/.gt", dir);
    int rc = mkdir_p(dir, err);
    if (rc == 0)
        rc = mkdir_p(gtdir, err);
    if (rc == 0)
        rc = dossier_json(dir, &per, err);
    for (int i = 0; rc == 0 && i < docs; i++) {
        const struct doc_kind *k = &KINDS[i % G_N_ELEMENTS(KINDS)];
        struct text t = {0};
        char path[4096], name[128];
        snprintf(path, sizeof path, "%s/%s", texts_dir, k->text_file);
        if (i < (int)G_N_ELEMENTS(KINDS))
            snprintf(name, sizeof name, "%02d-%s", i + 1, k->slug);
        else
            snprintf(name, sizeof name, "%02d-%s-%d", i + 1, k->slug,
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
            "  --docs N             documents in the dossier (default 5)\n",
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
    const char *family = "DejaVu Serif";
    bool bad = false;

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
        } else if (!v) {
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
    int count = pages;

    if (dossier) {
        bool user_damage =
            dp.preset || dp.set_skew || dp.set_noise || dp.set_blur || dp.set_jpeg || dp.set_uneven;
        rc = dossier_generate(&g, dossier, texts_dir, docs, seed, &dp, user_damage, &err);
        what = "documents";
        count = docs;
        out_dir = dossier;
    } else {
        struct persona per;
        persona_make(seed, &per);
        struct text t = {0};
        size_t start = 0;
        rc = mkdir_p(out_dir, &err);
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
    fprintf(stderr, "sohoa_gen: %d %s in %s (%.2f s)\n", count, what, out_dir, now_s() - t0);
    vips_shutdown();
    return 0;
}
