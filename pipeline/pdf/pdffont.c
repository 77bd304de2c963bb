/* pdffont.c — the glyph-less TrueType font and the deflate of its CIDToGIDMap (see pdffont.h). */
#include "pipeline/pdf/pdffont.h"

#include <string.h>

/* ---- the glyph-less TrueType font ---------------------------------------------------------- */

/* Big-endian byte writer over a fixed buffer (sizes are known: the font is < 1 KiB). */
struct bytes {
    uint8_t *p;
    size_t n;
};

static void be16(struct bytes *b, int v)
{
    b->p[b->n++] = (uint8_t)((unsigned)v >> 8);
    b->p[b->n++] = (uint8_t)v;
}

static void be32(struct bytes *b, uint32_t v)
{
    be16(b, (int)(v >> 16));
    be16(b, (int)(v & 0xFFFF));
}

static void ttf_head(struct bytes *b)
{
    be32(b, 0x00010000);                       /* version */
    be32(b, 0x00010000);                       /* fontRevision */
    be32(b, 0);                                /* checkSumAdjustment, patched last */
    be32(b, 0x5F0F3CF5);                       /* magicNumber */
    be16(b, 0x000B);                           /* flags: baseline y=0, lsb x=0, integer ppem */
    be16(b, FONT_UPM);                         /* unitsPerEm */
    be32(b, 0), be32(b, FONT_DATE);            /* created */
    be32(b, 0), be32(b, FONT_DATE);            /* modified */
    be16(b, NOTDEF_X0), be16(b, FONT_DESCENT); /* xMin yMin: union of the glyph boxes */
    be16(b, NOTDEF_X1), be16(b, FONT_ASCENT);  /* xMax yMax */
    be16(b, 0);                                /* macStyle */
    be16(b, 3);                                /* lowestRecPPEM */
    be16(b, 2);                                /* fontDirectionHint */
    be16(b, 0);                                /* indexToLocFormat: short */
    be16(b, 0);                                /* glyphDataFormat */
}

static void ttf_hhea(struct bytes *b)
{
    be32(b, 0x00010000);
    be16(b, FONT_ASCENT), be16(b, FONT_DESCENT), be16(b, 0); /* ascender descender lineGap */
    be16(b, FONT_ADVANCE);                                   /* advanceWidthMax */
    be16(b, NOTDEF_X0);                 /* minLeftSideBearing (glyphs with contours) */
    be16(b, FONT_ADVANCE - NOTDEF_X1);  /* minRightSideBearing */
    be16(b, NOTDEF_X1);                 /* xMaxExtent */
    be16(b, 1), be16(b, 0), be16(b, 0); /* caretSlopeRise caretSlopeRun caretOffset */
    for (int i = 0; i < 4; i++)
        be16(b, 0);
    be16(b, 0); /* metricDataFormat */
    be16(b, 2); /* numberOfHMetrics */
}

static void ttf_maxp(struct bytes *b)
{
    be32(b, 0x00010000);
    be16(b, 2);                 /* numGlyphs */
    be16(b, 4), be16(b, 1);     /* maxPoints maxContours */
    be16(b, 0), be16(b, 0);     /* maxCompositePoints maxCompositeContours */
    be16(b, 2);                 /* maxZones */
    for (int i = 0; i < 8; i++) /* twilight, storage, fdefs, idefs, stack, instr size, */
        be16(b, 0);             /* component elements, component depth */
}

static void ttf_hmtx(struct bytes *b)
{
    be16(b, FONT_ADVANCE), be16(b, NOTDEF_X0); /* .notdef: lsb = its xMin */
    be16(b, FONT_ADVANCE), be16(b, 0);         /* glyph 1: empty */
}

/* Glyph 0 (.notdef) is a plain rectangle; glyph 1, used for every character, has no outline. */
static void ttf_glyf(struct bytes *b)
{
    be16(b, 1); /* numberOfContours */
    be16(b, NOTDEF_X0), be16(b, FONT_DESCENT), be16(b, NOTDEF_X1), be16(b, FONT_ASCENT);
    be16(b, 3); /* endPtsOfContours[0] */
    be16(b, 0); /* instructionLength */
    for (int i = 0; i < 4; i++)
        b->p[b->n++] = 0x01; /* on curve, 16-bit deltas */
    /* points (x0,descent) (x0,ascent) (x1,ascent) (x1,descent): clockwise, as deltas */
    be16(b, NOTDEF_X0), be16(b, 0), be16(b, NOTDEF_X1 - NOTDEF_X0), be16(b, 0);
    be16(b, FONT_DESCENT), be16(b, FONT_ASCENT - FONT_DESCENT), be16(b, 0);
    be16(b, FONT_DESCENT - FONT_ASCENT);
    be16(b, 0); /* pad to 36 bytes */
}

static void ttf_loca(struct bytes *b)
{
    be16(b, 0), be16(b, 18), be16(b, 18); /* offsets / 2 */
}

static void ttf_cmap(struct bytes *b)
{
    be16(b, 0), be16(b, 1);                         /* version, numTables */
    be16(b, 3), be16(b, 1), be32(b, 12);            /* Windows Unicode BMP subtable at 12 */
    be16(b, 4), be16(b, 24), be16(b, 0);            /* format 4, length, language */
    be16(b, 2), be16(b, 2), be16(b, 0), be16(b, 0); /* segCountX2 searchRange entrySel rangeSh */
    be16(b, 0xFFFF), be16(b, 0), be16(b, 0xFFFF);   /* endCode, pad, startCode */
    be16(b, 1), be16(b, 0);                         /* idDelta, idRangeOffset */
}

static void ttf_post(struct bytes *b)
{
    be32(b, 0x00030000);        /* format 3: no glyph names */
    be32(b, 0);                 /* italicAngle */
    be16(b, -100), be16(b, 50); /* underline position, thickness */
    be32(b, 1);                 /* isFixedPitch */
    for (int i = 0; i < 4; i++)
        be32(b, 0);
}

static void ttf_os2(struct bytes *b)
{
    be16(b, 4);                           /* version */
    be16(b, FONT_ADVANCE);                /* xAvgCharWidth */
    be16(b, 400), be16(b, 5), be16(b, 0); /* weight, width, fsType: installable */
    const int sub_sup_strike[10] = {650, 600, 0, 75, 650, 600, 0, 350, 50, 300};
    for (int i = 0; i < 10; i++)
        be16(b, sub_sup_strike[i]);
    be16(b, 0); /* sFamilyClass */
    for (int i = 0; i < 10; i++)
        b->p[b->n++] = 0; /* panose */
    for (int i = 0; i < 4; i++)
        be32(b, 0); /* ulUnicodeRange */
    memcpy(b->p + b->n, "NONE", 4), b->n += 4;
    be16(b, 0x0040);                                         /* fsSelection: regular */
    be16(b, 0xFFFF), be16(b, 0xFFFF);                        /* first, last char index */
    be16(b, FONT_ASCENT), be16(b, FONT_DESCENT), be16(b, 0); /* typo metrics */
    be16(b, FONT_ASCENT), be16(b, -FONT_DESCENT);            /* win metrics */
    be32(b, 1), be32(b, 0);                                  /* code pages: Latin 1 */
    be16(b, 500), be16(b, 700);                              /* xHeight capHeight */
    be16(b, 0), be16(b, 0x20), be16(b, 0);                   /* default, break, context */
}

static void ttf_name(struct bytes *b)
{
    static const struct {
        int id;
        const char *s;
    } names[] = {{1, FONT_NAME}, {2, "Regular"},     {3, "sohoa:" FONT_NAME},
                 {4, FONT_NAME}, {5, "Version 1.0"}, {6, FONT_NAME}};
    const int n = (int)(sizeof names / sizeof names[0]);
    be16(b, 0), be16(b, n), be16(b, 6 + 12 * n);
    int off = 0;
    for (int i = 0; i < n; i++) {
        int len = 2 * (int)strlen(names[i].s);
        be16(b, 3), be16(b, 1), be16(b, 0x0409), be16(b, names[i].id);
        be16(b, len), be16(b, off);
        off += len;
    }
    for (int i = 0; i < n; i++)
        for (const char *c = names[i].s; *c; c++)
            be16(b, (unsigned char)*c);
}

static uint32_t ttf_checksum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i += 4)
        sum += (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 | p[i + 3];
    return sum;
}

/* Build the font into `out` (SOHOA_PDFFONT_MAX bytes); returns its length. Tables in tag order. */
size_t sohoa_pdffont_build(uint8_t *out)
{
    static const struct {
        const char *tag;
        void (*build)(struct bytes *);
    } tables[] = {{"OS/2", ttf_os2},  {"cmap", ttf_cmap}, {"glyf", ttf_glyf}, {"head", ttf_head},
                  {"hhea", ttf_hhea}, {"hmtx", ttf_hmtx}, {"loca", ttf_loca}, {"maxp", ttf_maxp},
                  {"name", ttf_name}, {"post", ttf_post}};
    const int n = (int)(sizeof tables / sizeof tables[0]);
    memset(out, 0, SOHOA_PDFFONT_MAX);
    struct bytes dir = {out, 0};
    be32(&dir, 0x00010000), be16(&dir, n);
    be16(&dir, 128), be16(&dir, 3), be16(&dir, n * 16 - 128); /* for 10 tables */
    size_t head_at = 0;
    struct bytes body = {out, 12 + 16 * (size_t)n};
    for (int i = 0; i < n; i++) {
        size_t start = body.n;
        tables[i].build(&body);
        size_t len = body.n - start;
        if (!strcmp(tables[i].tag, "head"))
            head_at = start;
        memcpy(dir.p + dir.n, tables[i].tag, 4), dir.n += 4;
        be32(&dir, ttf_checksum(out + start, (len + 3) & ~(size_t)3));
        be32(&dir, (uint32_t)start), be32(&dir, (uint32_t)len);
        body.n = (body.n + 3) & ~(size_t)3;
    }
    struct bytes adj = {out, head_at + 8};
    be32(&adj, 0xB1B0AFBAu - ttf_checksum(out, body.n));
    return body.n;
}

/* ---- deflate of a repeated pattern (the CIDToGIDMap) --------------------------------------- */

struct bitw {
    uint8_t *p;
    size_t n, cap;
    uint32_t acc;
    int nacc;
};

static void bits_put(struct bitw *w, uint32_t v, int n) /* LSB first */
{
    for (int i = 0; i < n; i++) {
        w->acc |= ((v >> i) & 1u) << w->nacc;
        if (++w->nacc == 8) {
            if (w->n < w->cap)
                w->p[w->n] = (uint8_t)w->acc;
            w->n++;
            w->acc = 0, w->nacc = 0;
        }
    }
}

static void bits_huff(struct bitw *w, uint32_t code, int n) /* Huffman codes go MSB first */
{
    for (int i = n - 1; i >= 0; i--)
        bits_put(w, (code >> i) & 1u, 1);
}

static void bits_litlen(struct bitw *w, int sym) /* fixed literal/length code, RFC 1951 3.2.6 */
{
    if (sym < 144)
        bits_huff(w, 0x30u + (uint32_t)sym, 8);
    else if (sym < 256)
        bits_huff(w, 0x190u + (uint32_t)(sym - 144), 9);
    else if (sym < 280)
        bits_huff(w, (uint32_t)(sym - 256), 7);
    else
        bits_huff(w, 0xC0u + (uint32_t)(sym - 280), 8);
}

/* zlib stream of `total` bytes made of `pat` (1..4 bytes) repeated, as literals for the first
 * period and back-references at distance `plen` after it, in one fixed-Huffman block. Returns
 * the length written into out[cap], or 0 if it does not fit. */
size_t sohoa_flate_repeat(const uint8_t *pat, int plen, size_t total, uint8_t *out, size_t cap)
{
    static const int len_base[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                     15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                     67, 83, 99, 115, 131, 163, 195, 227, 258};
    static const int len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    struct bitw w = {out, 0, cap, 0, 0};
    bits_put(&w, 0x78, 8), bits_put(&w, 0x01, 8); /* zlib header: deflate, 32K window */
    bits_put(&w, 1, 1), bits_put(&w, 1, 2);       /* BFINAL, BTYPE = fixed Huffman */
    size_t done = 0;
    for (; done < (size_t)plen && done < total; done++)
        bits_litlen(&w, pat[done]);
    while (done < total) {
        size_t rem = total - done;
        int len = rem > 258 ? 258 : (int)rem;
        if (rem > 258 && rem - 258 < 3)
            len = (int)rem - 3; /* leave at least one minimal match */
        if (len < 3) {          /* tail shorter than a match: literals */
            for (int i = 0; i < len; i++)
                bits_litlen(&w, pat[(done + (size_t)i) % (size_t)plen]);
            done += (size_t)len;
            continue;
        }
        int c = 28;
        while (len_base[c] > len)
            c--;
        bits_litlen(&w, 257 + c);
        bits_put(&w, (uint32_t)(len - len_base[c]), len_extra[c]);
        bits_huff(&w, (uint32_t)(plen - 1), 5); /* distance codes 0..3 = distances 1..4 */
        done += (size_t)len;
    }
    bits_litlen(&w, 256);
    if (w.nacc)
        bits_put(&w, 0, 8 - w.nacc);
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < total; i++) {
        a = (a + pat[i % (size_t)plen]) % 65521u;
        b = (b + a) % 65521u;
    }
    uint32_t adler = b << 16 | a;
    for (int i = 3; i >= 0; i--)
        bits_put(&w, (adler >> (8 * i)) & 0xFF, 8);
    return w.n <= cap ? w.n : 0;
}
