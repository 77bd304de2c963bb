/* vntext.c — Vietnamese text: canonical form, folding, label sanitising; the only utf8proc user.
 *
 * vn_normalize runs four passes over a text:
 *   1. lenient decode: bytes → code points, bad bytes → U+FFFD, zero-width dropped, NBSP → space,
 *      Ð (eth, which Tesseract's vie model and legacy converters emit for Đ) → Đ;
 *   2. NFC (utf8proc: canonical decomposition and ordering, then composition);
 *   3. re-toning: each token (run of letters and marks) that parses as one Vietnamese syllable has
 *      its tone mark moved to the vowel that the nucleus table below names ("new style");
 *   4. encode back to UTF-8.
 * Re-toning never changes the number of code points: every toned Vietnamese vowel is one
 * precomposed code point in NFC, so a token is rewritten in place.
 *
 * The syllable model: initial consonant cluster (possibly empty, "gi" and "qu" included) + vowel
 * nucleus (medial glide, main vowel, final glide) + final consonant (c ch m n ng nh p t, or none).
 * New style puts the tone on the main vowel: hoà, thuỷ, khoẻ, hoài, khuỷu; of the diphthongs,
 * ia/ua/ưa (no final) carry it on their first letter (mía, mùa, mưa), iê/yê/uô/ươ on their second
 * (tiếng, muốn, người).
 */
#include "pipeline/base/vntext.h"

#include "pipeline/base/buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Combining marks of Vietnamese: five tones and three vowel modifiers. */
enum {
    MARK_GRAVE = 0x0300,      /* huyền */
    MARK_ACUTE = 0x0301,      /* sắc */
    MARK_CIRCUMFLEX = 0x0302, /* â ê ô */
    MARK_TILDE = 0x0303,      /* ngã */
    MARK_BREVE = 0x0306,      /* ă */
    MARK_HOOK = 0x0309,       /* hỏi */
    MARK_HORN = 0x031B,       /* ơ ư */
    MARK_DOT = 0x0323,        /* nặng */
};

enum {
    CP_D_STROKE = 0x0111,       /* đ */
    CP_D_STROKE_UPPER = 0x0110, /* Đ */
    CP_ETH_UPPER = 0x00D0,      /* Ð, drawn exactly like Đ */
    CP_ETH = 0x00F0,            /* ð */
    CP_REPLACEMENT = 0xFFFD,
    CP_MAX = 0x10FFFF,
};

/* Longest token that can be one syllable ("nghiêng" has 7 letters). */
#define SYLLABLE_MAX 8

/* Inputs past this many bytes are refused (keeps every size computation far from overflow). */
#define VN_MAX_BYTES ((size_t)1 << 30)

/* ---- syllable tables ------------------------------------------------------------------------ */

/* Initial consonant clusters, longest first; "" is the empty initial. */
static const char *const initials[] = {
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "th", "tr", "qu", "đ", "b", "c",
    "d",   "g",  "h",  "k",  "l",  "m",  "n",  "p",  "r",  "s",  "t",  "v", "x", "",
};

/* Final consonants; "" is an open syllable. */
static const char *const finals[] = {"", "c", "ch", "m", "n", "ng", "nh", "p", "t"};

enum coda { CODA_ANY, CODA_NONE, CODA_NEEDED };

/* A vowel nucleus, the index (in letters) of the vowel that carries the tone, and whether a final
 * consonant must, may or must not follow. */
struct nucleus {
    const char *vowels;
    int tone_at;
    enum coda coda;
};

static const struct nucleus nuclei[] = {
    /* one vowel */
    {"a", 0, CODA_ANY},
    {"ă", 0, CODA_NEEDED},
    {"â", 0, CODA_NEEDED},
    {"e", 0, CODA_ANY},
    {"ê", 0, CODA_ANY},
    {"i", 0, CODA_ANY},
    {"o", 0, CODA_ANY},
    {"ô", 0, CODA_ANY},
    {"ơ", 0, CODA_ANY},
    {"u", 0, CODA_ANY},
    {"ư", 0, CODA_ANY},
    {"y", 0, CODA_ANY},
    /* main vowel + final glide */
    {"ai", 0, CODA_NONE},
    {"ao", 0, CODA_NONE},
    {"au", 0, CODA_NONE},
    {"ay", 0, CODA_NONE},
    {"âu", 0, CODA_NONE},
    {"ây", 0, CODA_NONE},
    {"eo", 0, CODA_NONE},
    {"êu", 0, CODA_NONE},
    {"iu", 0, CODA_NONE},
    {"oi", 0, CODA_NONE},
    {"ôi", 0, CODA_NONE},
    {"ơi", 0, CODA_NONE},
    {"ui", 0, CODA_NONE},
    {"ưi", 0, CODA_NONE},
    {"ưu", 0, CODA_NONE},
    /* diphthongs */
    {"ia", 0, CODA_NONE},
    {"ua", 0, CODA_NONE},
    {"ưa", 0, CODA_NONE},
    {"iê", 1, CODA_NEEDED},
    {"yê", 1, CODA_NEEDED},
    {"uô", 1, CODA_NEEDED},
    {"ươ", 1, CODA_NEEDED},
    {"oo", 1, CODA_NEEDED},
    /* medial glide + main vowel */
    {"oa", 1, CODA_ANY},
    {"oă", 1, CODA_NEEDED},
    {"oe", 1, CODA_ANY},
    {"uâ", 1, CODA_NEEDED},
    {"uê", 1, CODA_ANY},
    {"uơ", 1, CODA_NONE},
    {"uy", 1, CODA_ANY},
    /* three vowels */
    {"iêu", 1, CODA_NONE},
    {"yêu", 1, CODA_NONE},
    {"uôi", 1, CODA_NONE},
    {"ươi", 1, CODA_NONE},
    {"ươu", 1, CODA_NONE},
    {"oai", 1, CODA_NONE},
    {"oao", 1, CODA_NONE},
    {"oay", 1, CODA_NONE},
    {"oeo", 1, CODA_NONE},
    {"uây", 1, CODA_NONE},
    {"uya", 1, CODA_NONE},
    {"uyu", 1, CODA_NONE},
    {"uyê", 2, CODA_NEEDED},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- code point classes --------------------------------------------------------------------- */

static bool is_tone_mark(int32_t cp)
{
    return cp == MARK_GRAVE || cp == MARK_ACUTE || cp == MARK_HOOK || cp == MARK_TILDE ||
           cp == MARK_DOT;
}

static bool is_modifier_mark(int32_t cp)
{
    return cp == MARK_CIRCUMFLEX || cp == MARK_BREVE || cp == MARK_HORN;
}

/* Lower-case Vietnamese vowel without tone. */
static bool is_vowel(int32_t b)
{
    switch (b) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
    case 'y':
    case 0x0103: /* ă */
    case 0x00E2: /* â */
    case 0x00EA: /* ê */
    case 0x00F4: /* ô */
    case 0x01A1: /* ơ */
    case 0x01B0: /* ư */
        return true;
    default:
        return false;
    }
}

static bool is_letter_or_mark(int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME;
}

static bool is_letter(int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

static bool is_mark(int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME;
}

/* ---- UTF-8 in and out ----------------------------------------------------------------------- */

/* Next code point of in[*pos..len): a byte that starts no valid sequence yields U+FFFD and moves
 * on by one byte. */
static int32_t utf8_next_lenient(const char *in, size_t len, size_t *pos)
{
    int32_t cp = -1;
    size_t left = len - *pos;
    utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)in + *pos,
                                          left > 4 ? 4 : (utf8proc_ssize_t)left, &cp);
    if (r <= 0) {
        *pos += 1;
        return CP_REPLACEMENT;
    }
    *pos += (size_t)r;
    return cp;
}

/* UTF-8 output (pipeline/base/buf.h) for at most `n` code points: 4 bytes each is the cap. */
static void utf8_buf_init(struct sohoa_buf *o, size_t n)
{
    sohoa_buf_init(o, n < SIZE_MAX / 4 ? 4 * n : SIZE_MAX);
}

static bool utf8_put(struct sohoa_buf *o, int32_t cp)
{
    utf8proc_uint8_t u[4];
    utf8proc_ssize_t k = utf8proc_encode_char(cp, u);
    return sohoa_buf_add(o, u, (size_t)k) == 0;
}

/* Hands the string over to *out (an empty string when nothing was put). */
static int utf8_take(struct sohoa_buf *o, char **out, struct sohoa_err *err)
{
    if (sohoa_buf_take(o, out, NULL) < 0)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "vntext: out of memory");
    return 0;
}

/* ---- letters and syllables ------------------------------------------------------------------ */

/* One letter of a would-be syllable. */
struct letter {
    int32_t base; /* lower case without tone: a..z, ă â ê ô ơ ư, đ */
    int32_t tone; /* MARK_* tone, 0 = none */
    bool upper;
};

/* Splits a code point into base letter, tone and case; false when it is not a Latin letter that
 * Vietnamese spelling allows (tones only on vowels, modifiers only where they make â ă ê ô ơ ư). */
static bool letter_read(int32_t cp, struct letter *l)
{
    int32_t lower = utf8proc_tolower(cp);
    l->upper = lower != cp;
    l->tone = 0;
    l->base = 0;
    if (lower == CP_D_STROKE || lower == CP_ETH) {
        l->base = CP_D_STROKE; /* ð stands for đ in some converted text */
        return true;
    }
    int32_t d[4];
    int bc = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(lower, d, 4, UTF8PROC_DECOMPOSE, &bc);
    if (n < 1 || n > 3 || d[0] < 'a' || d[0] > 'z')
        return false;
    int32_t modifier = 0;
    for (utf8proc_ssize_t i = 1; i < n; i++) {
        if (is_tone_mark(d[i]) && !l->tone)
            l->tone = d[i];
        else if (is_modifier_mark(d[i]) && !modifier)
            modifier = d[i];
        else
            return false;
    }
    l->base = d[0];
    if (modifier) {
        int32_t pair[2] = {d[0], modifier};
        if (utf8proc_normalize_utf32(pair, 2, UTF8PROC_COMPOSE) != 1)
            return false;
        l->base = pair[0];
    }
    return !(l->tone || modifier) || is_vowel(l->base);
}

/* The code point of a letter (base, case, tone), or -1 when Unicode has no single one. */
static int32_t letter_compose(const struct letter *l)
{
    int32_t c = l->upper ? utf8proc_toupper(l->base) : l->base;
    int32_t d[4];
    int bc = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(c, d, 3, UTF8PROC_DECOMPOSE, &bc);
    if (n < 1 || n > 2)
        return -1;
    if (l->tone) {
        /* Canonical order first: the dot below (class 220) goes before a circumflex (230). */
        int ccc = utf8proc_get_property(l->tone)->combining_class;
        if (n == 2 && utf8proc_get_property(d[1])->combining_class > ccc) {
            d[2] = d[1];
            d[1] = l->tone;
        } else {
            d[n] = l->tone;
        }
        n++;
    }
    n = utf8proc_normalize_utf32(d, n, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    return n == 1 ? d[0] : -1;
}

/* Index of the letter that carries the tone in new style, or -1 when the letters (bases in
 * `key`, letter i starting at byte off[i]) are no Vietnamese syllable. */
static int syllable_tone_slot(const struct letter *l, size_t n, const char *key, const size_t *off)
{
    size_t v0 = n;
    for (size_t k = 0; k < COUNT(initials) && v0 == n; k++) {
        size_t blen = strlen(initials[k]);
        if (strncmp(key, initials[k], blen) != 0)
            continue;
        size_t i = 0;
        while (i < n && off[i] < blen)
            i++;
        if (i < n && is_vowel(l[i].base))
            v0 = i;
    }
    if (v0 == n)
        return -1;
    size_t v1 = v0;
    while (v1 < n && is_vowel(l[v1].base))
        v1++;

    const char *coda = key + off[v1];
    bool coda_ok = false;
    for (size_t k = 0; k < COUNT(finals) && !coda_ok; k++)
        coda_ok = strcmp(coda, finals[k]) == 0;
    if (!coda_ok)
        return -1;

    size_t vlen = off[v1] - off[v0];
    for (size_t k = 0; k < COUNT(nuclei); k++) {
        const struct nucleus *nu = &nuclei[k];
        if (strlen(nu->vowels) != vlen || memcmp(nu->vowels, key + off[v0], vlen) != 0)
            continue;
        if ((nu->coda == CODA_NONE && *coda) || (nu->coda == CODA_NEEDED && !*coda))
            return -1;
        return (int)v0 + nu->tone_at;
    }
    return -1;
}

/* Moves the tone of one token (n code points, NFC) to its new-style vowel when the token parses
 * as a syllable with at most one tone mark, and writes an initial ð as đ; leaves any other
 * token untouched. */
static void syllable_retone(int32_t *cp, size_t n)
{
    struct letter l[SYLLABLE_MAX];
    char key[SYLLABLE_MAX * 4 + 1];
    size_t off[SYLLABLE_MAX + 1];
    size_t len = 0;
    int toned = -1;
    if (n > SYLLABLE_MAX)
        return;
    for (size_t i = 0; i < n; i++) {
        if (!letter_read(cp[i], &l[i]))
            return;
        if (l[i].tone) {
            if (toned >= 0)
                return;
            toned = (int)i;
        }
        off[i] = len;
        len += (size_t)utf8proc_encode_char(l[i].base, (utf8proc_uint8_t *)key + len);
    }
    off[n] = len;
    key[len] = '\0';
    int slot = syllable_tone_slot(l, n, key, off);
    if (slot < 0)
        return;
    if (cp[0] == CP_ETH) /* đ is only ever an initial */
        cp[0] = CP_D_STROKE;
    if (toned < 0 || slot == toned)
        return;
    struct letter from = l[toned], to = l[slot];
    to.tone = from.tone;
    from.tone = 0;
    int32_t a = letter_compose(&from), b = letter_compose(&to);
    if (a < 0 || b < 0)
        return;
    cp[toned] = a;
    cp[slot] = b;
}

/* ---- public functions ----------------------------------------------------------------------- */

static int utf8proc_fail(utf8proc_ssize_t rc, struct sohoa_err *err)
{
    int code =
        rc == UTF8PROC_ERROR_NOMEM || rc == UTF8PROC_ERROR_OVERFLOW ? SOHOA_ENOMEM : SOHOA_EBACKEND;
    return sohoa_err_set(err, code, false, "utf8proc: %s", utf8proc_errmsg(rc));
}

int vn_normalize(const char *in, size_t len, char **out, struct sohoa_err *err)
{
    struct sohoa_buf clean;
    int32_t *cps = NULL;
    int rc = 0;
    if (out)
        *out = NULL;
    if (!out || (!in && len))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "vn_normalize: missing input or output");
    if (len > VN_MAX_BYTES)
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "vn_normalize: text of %zu bytes passes %zu",
                             len, VN_MAX_BYTES);

    /* 1. lenient decode and clean-up */
    utf8_buf_init(&clean, len);
    for (size_t pos = 0; pos < len;) {
        int32_t cp = utf8_next_lenient(in, len, &pos);
        if (cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0xFEFF)
            continue;
        if (cp == 0x00A0 || cp == 0x202F)
            cp = ' ';
        else if (cp == CP_ETH_UPPER)
            cp = CP_D_STROKE_UPPER;
        else if (cp == 0)
            cp = CP_REPLACEMENT;
        if (!utf8_put(&clean, cp)) {
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "vn_normalize: out of memory");
            goto out;
        }
    }

    /* 2. NFC */
    const utf8proc_option_t nfc = UTF8PROC_STABLE | UTF8PROC_COMPOSE;
    const utf8proc_uint8_t *src = (const utf8proc_uint8_t *)(clean.data ? clean.data : "");
    utf8proc_ssize_t need = utf8proc_decompose(src, (utf8proc_ssize_t)clean.len, NULL, 0, nfc);
    if (need < 0) {
        rc = utf8proc_fail(need, err);
        goto out;
    }
    cps = malloc(((size_t)need + 1) * sizeof *cps);
    if (!cps) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "vn_normalize: out of memory");
        goto out;
    }
    utf8proc_ssize_t n = utf8proc_decompose(src, (utf8proc_ssize_t)clean.len, cps, need, nfc);
    if (n >= 0 && n <= need)
        n = utf8proc_normalize_utf32(cps, n, nfc);
    if (n < 0 || n > need) {
        rc = utf8proc_fail(n < 0 ? n : UTF8PROC_ERROR_OVERFLOW, err);
        goto out;
    }

    /* 3. re-tone each token */
    for (utf8proc_ssize_t i = 0; i < n;) {
        utf8proc_ssize_t j = i;
        while (j < n && is_letter_or_mark(cps[j]))
            j++;
        if (j > i)
            syllable_retone(cps + i, (size_t)(j - i));
        i = j > i ? j : i + 1;
    }

    /* 4. encode (int32_t and uint32_t may alias each other) */
    rc = vn_from_codepoints((const uint32_t *)cps, (size_t)n, out, err);
out:
    sohoa_buf_release(&clean);
    free(cps);
    return rc;
}

uint32_t vn_strip_cp(uint32_t cp)
{
    if (cp == CP_D_STROKE)
        return 'd';
    if (cp == CP_D_STROKE_UPPER)
        return 'D';
    if (cp > CP_MAX)
        return cp;
    int32_t d[8];
    int bc = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char((int32_t)cp, d, 8, UTF8PROC_DECOMPOSE, &bc);
    if (n < 2 || n > 8 || !is_letter(d[0]))
        return cp;
    for (utf8proc_ssize_t i = 1; i < n; i++)
        if (!is_mark(d[i]))
            return cp;
    return (uint32_t)d[0];
}

int vn_codepoints(const char *in, size_t len, uint32_t **out, size_t *n, struct sohoa_err *err)
{
    uint32_t *cps = NULL;
    size_t count = 0;
    int rc = 0;
    if (out)
        *out = NULL;
    if (n)
        *n = 0;
    if (!out || !n || (!in && len))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "vn_codepoints: missing input or output");
    if (len == 0)
        return 0;
    if (len > VN_MAX_BYTES)
        return sohoa_err_set(err, SOHOA_ELIMIT, false,
                             "vn_codepoints: text of %zu bytes passes %zu", len, VN_MAX_BYTES);
    cps = malloc(len * sizeof *cps);
    if (!cps) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "vn_codepoints: out of memory");
        goto out;
    }
    for (size_t pos = 0; pos < len;) {
        int32_t cp = -1;
        size_t left = len - pos;
        utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)in + pos,
                                              left > 4 ? 4 : (utf8proc_ssize_t)left, &cp);
        if (r <= 0) {
            rc = sohoa_err_set(err, SOHOA_EINVAL, false, "invalid UTF-8 at byte %zu", pos);
            goto out;
        }
        cps[count++] = (uint32_t)cp;
        pos += (size_t)r;
    }
    *out = cps;
    *n = count;
    cps = NULL;
out:
    free(cps);
    return rc;
}

int vn_from_codepoints(const uint32_t *cps, size_t n, char **out, struct sohoa_err *err)
{
    struct sohoa_buf res;
    int rc = 0;
    if (out)
        *out = NULL;
    if (!out || (!cps && n))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "vn_from_codepoints: missing input");
    utf8_buf_init(&res, n);
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = cps[i];
        if (cp == 0 || cp > CP_MAX || (cp >= 0xD800 && cp <= 0xDFFF))
            cp = CP_REPLACEMENT;
        if (!utf8_put(&res, (int32_t)cp)) {
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "vn_from_codepoints: out of memory");
            goto out;
        }
    }
    rc = utf8_take(&res, out, err);
out:
    sohoa_buf_release(&res);
    return rc;
}

int vn_fold(const char *in, char **out, struct sohoa_err *err)
{
    uint32_t *cps = NULL;
    size_t n = 0;
    int rc = 0;
    if (out)
        *out = NULL;
    if (!in || !out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "vn_fold: missing input or output");
    if ((rc = vn_codepoints(in, strlen(in), &cps, &n, err)) < 0) {
        sohoa_err_prefix(err, "vn_fold: ");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        cps[i] = vn_strip_cp((uint32_t)utf8proc_tolower((int32_t)cps[i]));
    rc = vn_from_codepoints(cps, n, out, err);
out:
    free(cps);
    return rc;
}

bool vn_has_diacritics(const char *in)
{
    if (!in)
        return false;
    size_t len = strlen(in);
    bool after_vowel = false;
    for (size_t pos = 0; pos < len;) {
        int32_t cp = utf8_next_lenient(in, len, &pos);
        struct letter l;
        if (after_vowel && (is_tone_mark(cp) || is_modifier_mark(cp)))
            return true; /* a vowel followed by a loose (not NFC) Vietnamese mark */
        after_vowel = false;
        if (!letter_read(cp, &l))
            continue;
        if (utf8proc_tolower(cp) == CP_D_STROKE || l.tone || (is_vowel(l.base) && l.base > 0x7F))
            return true;
        after_vowel = is_vowel(l.base);
    }
    return false;
}

int vn_sanitize_label(const char *in, size_t len, char **out, struct sohoa_err *err)
{
    struct sohoa_buf res;
    int rc = 0;
    if (out)
        *out = NULL;
    if (!out || (!in && len))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "vn_sanitize_label: missing input");
    if (len > VN_MAX_BYTES)
        return sohoa_err_set(err, SOHOA_ELIMIT, false,
                             "vn_sanitize_label: label of %zu bytes passes %zu", len, VN_MAX_BYTES);
    utf8_buf_init(&res, len);
    for (size_t pos = 0; pos < len;) {
        int32_t cp = utf8_next_lenient(in, len, &pos);
        bool control = (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7F && cp <= 0x9F) ||
                       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
        if (!utf8_put(&res, control ? '?' : cp)) {
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "vn_sanitize_label: out of memory");
            goto out;
        }
    }
    rc = utf8_take(&res, out, err);
out:
    sohoa_buf_release(&res);
    return rc;
}
