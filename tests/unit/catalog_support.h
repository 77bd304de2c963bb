/* catalog_support.h — helpers shared by the catalog conformance tests (test_catalog*.c): which
 * catalog the suite runs against, fresh catalogs, and short ways to write dossiers, documents and
 * pages. Include after <cmocka.h>.
 *
 * SOHOA_TEST_CATALOG_URL (a postgres:// URL) makes every case run on that server, each in a
 * schema of its own; without it the cases run on SQLite.
 */
#ifndef SOHOA_TEST_CATALOG_SUPPORT_H
#define SOHOA_TEST_CATALOG_SUPPORT_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/catalog.h"

/* ---- the catalog under test ---------------------------------------------------------------- */

/* SOHOA_TEST_CATALOG_URL when set: the server the suite runs against. */
static inline const char *server_url(void)
{
    const char *u = getenv("SOHOA_TEST_CATALOG_URL");
    return u && *u ? u : NULL;
}

struct tmpdir {
    char path[64];
};

static inline void tmpdir_make(struct tmpdir *t)
{
    snprintf(t->path, sizeof t->path, "/tmp/sohoa-catalog-XXXXXX");
    assert_non_null(mkdtemp(t->path));
}

static inline void tmpdir_remove(struct tmpdir *t)
{
    DIR *d = opendir(t->path);
    struct dirent *e;
    char p[512];
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(p, sizeof p, "%s/%s", t->path, e->d_name);
            unlink(p);
        }
    }
    if (d)
        closedir(d);
    rmdir(t->path);
}

/* The URL of a new, empty catalog that several handles may open: on the server, a schema of its
 * own; else the file catalog.db in `t` (made here; remove it with tmpdir_remove), or, when `t` is
 * NULL, a private in-memory SQLite catalog (one handle only). */
static inline void fresh_url(char *buf, size_t cap, struct tmpdir *t)
{
    static int serial;
    const char *server = server_url();
    if (server) {
        snprintf(buf, cap, "%s%coptions=-csearch_path%%3Dsohoa_t_%d_%d", server,
                 strchr(server, '?') ? '&' : '?', (int)getpid(), ++serial);
        if (t)
            t->path[0] = '\0';
        return;
    }
    if (!t) {
        snprintf(buf, cap, "sqlite::memory:");
        return;
    }
    tmpdir_make(t);
    snprintf(buf, cap, "sqlite:%s/catalog.db", t->path);
}

static inline void fresh_done(struct tmpdir *t)
{
    if (t->path[0])
        tmpdir_remove(t);
}

/* Document number n as a 64-digit lower-case hex id. */
static inline const char *docid(int n, char buf[65])
{
    snprintf(buf, 65, "%064x", n);
    return buf;
}

static inline void check(int rc, const struct sohoa_err *err, const char *what)
{
    if (rc)
        fail_msg("%s: rc %d (%s)", what, rc, err->msg);
}

static inline void add_dossier(struct sohoa_catalog *cat, const char *id, const char *department,
                               const char *date, enum sohoa_source source)
{
    struct sohoa_err err = {0};
    struct sohoa_dossier d = {.receipt_no = id,
                              .department = department,
                              .received_date = date,
                              .source = source,
                              .title = "Hồ sơ thử",
                              .meta_json = "{\"district\": \"Hải Châu\"}"};
    check(sohoa_catalog_upsert_dossier(cat, id, &d, &err), &err, "upsert dossier");
}

static inline void add_document(struct sohoa_catalog *cat, int n, const char *dossier, int n_pages)
{
    struct sohoa_err err = {0};
    char id[65], name[32];
    snprintf(name, sizeof name, "tai-lieu-%d.pdf", n);
    struct sohoa_document d = {.dossier_id = dossier,
                               .name = name,
                               .ordinal = n,
                               .format = "application/pdf",
                               .n_pages = n_pages,
                               .size_bytes = (int64_t)1000 * n,
                               .status = SOHOA_DOC_PROCESSING};
    check(sohoa_catalog_upsert_document(cat, docid(n, id), &d, &err), &err, "upsert document");
}

/* page_done with the given status and text; returns rc, fills remaining / finish. */
static inline int page(struct sohoa_catalog *cat, int doc, int index, enum sohoa_page_status status,
                       const char *text, int *remaining, bool *finish)
{
    char id[65];
    struct sohoa_err err = {0};
    struct sohoa_page p = {.status = status,
                           .text = text,
                           .error = status == SOHOA_PAGE_FAILED ? "OCR deadline passed" : NULL,
                           .mean_conf = 87.5,
                           .rotation = 90,
                           .skew = -0.4,
                           .width = 2480,
                           .height = 3508,
                           .dpi = 300,
                           .text_source = "ocr",
                           .elapsed_ms = 812};
    return sohoa_catalog_page_done(cat, docid(doc, id), index, &p, remaining, finish, &err);
}

static inline void page_ok(struct sohoa_catalog *cat, int doc, int index, const char *text)
{
    int remaining = 0;
    bool finish = false;
    assert_int_equal(page(cat, doc, index, SOHOA_PAGE_OK, text, &remaining, &finish), 0);
}

#endif
