/* test_config.c — settings and their sources (workers/runtime/config.h): defaults and the URLs
 * derived from data-dir, sohoa_config_set's checks, config-file syntax, where the file is found,
 * the precedence file < environment < flags, both flag forms, `--`, and the pass-through of other
 * arguments. Each test runs in a fresh temporary directory (also its $HOME) with every SOHOA_*
 * variable removed, so the developer's own settings never leak in.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workers/runtime/config.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Read once in main: the tests clear every SOHOA_* variable. */

extern char **environ;

/* ---- sandbox --------------------------------------------------------------------------------- */

static char start_cwd[PATH_MAX];
static char sandbox[512]; /* the test's cwd */
static char home[600];    /* its $HOME */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void clear_sohoa_env(void)
{
    for (;;) {
        char name[256] = "";
        for (char **e = environ; *e; e++)
            if (strncmp(*e, "SOHOA_", 6) == 0) {
                size_t n = strcspn(*e, "=");
                if (n < sizeof name) {
                    memcpy(name, *e, n);
                    name[n] = '\0';
                    break;
                }
            }
        if (!name[0])
            return;
        unsetenv(name);
    }
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(sandbox, sizeof sandbox, "%.400s/sohoa-config-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(sandbox))
        return -1;
    snprintf(home, sizeof home, "%s/home", sandbox);
    if (mkdir(home, 0755) < 0 || chdir(sandbox) < 0)
        return -1;
    clear_sohoa_env();
    setenv("HOME", home, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    clear_sohoa_env();
    if (chdir(start_cwd) < 0)
        return -1;
    nftw(sandbox, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        fail_msg("cannot write %s: %s", path, strerror(errno));
    fputs(text, fp);
    fclose(fp);
}

/* ---- reading a setting back by its key (the test's own map of keys to fields) ---------------- */

enum kind { STR, INT, U64 };
static const struct {
    const char *key;
    enum kind kind;
    size_t off;
} fields[] = {
#define F(k, kind, f)                                                                              \
    {                                                                                              \
        k, kind, offsetof(struct sohoa_config, f)                                                  \
    }
    F("data-dir", STR, data_dir),
    F("store", STR, store_url),
    F("catalog", STR, catalog_url),
    F("workers", INT, workers),
    F("lang", STR, lang),
    F("tessdata", STR, tessdata),
    F("jpeg-quality", INT, jpeg_quality),
    F("archive-dpi", INT, archive_dpi),
    F("queue-capacity", INT, queue_capacity),
    F("max-file-bytes", U64, limits.max_file_bytes),
    F("max-pages-per-file", INT, limits.max_pages_per_file),
    F("max-page-pixels", U64, limits.max_page_pixels),
    F("page-timeout-ms", INT, limits.page_timeout_ms),
    F("ocr-dpi", INT, limits.ocr_dpi),
    F("max-dpi-before-reduce", INT, limits.max_dpi_before_reduce),
    F("decode-timeout-ms", INT, limits.decode_timeout_ms),
#undef F
};

/* The value of `key` as text ("(null)" for an unset string). */
static const char *value_of(const struct sohoa_config *cfg, const char *key)
{
    static char buf[4096];
    for (size_t i = 0; i < COUNT(fields); i++) {
        if (strcmp(fields[i].key, key) != 0)
            continue;
        const char *p = (const char *)cfg + fields[i].off;
        if (fields[i].kind == STR) {
            const char *s = *(char *const *)p;
            snprintf(buf, sizeof buf, "%s", s ? s : "(null)");
        } else if (fields[i].kind == INT) {
            snprintf(buf, sizeof buf, "%d", *(const int *)p);
        } else {
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)*(const uint64_t *)p);
        }
        return buf;
    }
    fail_msg("the test does not know key %s", key);
    return NULL;
}

static void env_name(const char *key, char *out, size_t n)
{
    size_t k = (size_t)snprintf(out, n, "SOHOA_");
    for (const char *p = key; *p && k + 1 < n; p++)
        out[k++] = (char)(*p == '-' ? '_' : toupper((unsigned char)*p));
    out[k] = '\0';
}

/* from_args over a NULL-terminated list (argv[0] is added); copies the remaining args out. */
struct parsed {
    int rc;
    int rest;
    const char *args[32];
    struct sohoa_err err;
};

static struct parsed parse(struct sohoa_config *cfg, const char *const *args)
{
    struct parsed r;
    memset(&r, 0, sizeof r);
    static char *argv[34];
    int argc = 0;
    argv[argc++] = (char *)"sohoa-test";
    for (size_t i = 0; args[i]; i++)
        argv[argc++] = (char *)args[i];
    argv[argc] = NULL;
    r.rest = -1;
    r.rc = sohoa_config_from_args(cfg, argc, argv, &r.rest, &r.err);
    for (int i = 0; r.rc == 0 && i < r.rest; i++)
        r.args[i] = argv[1 + i];
    if (r.rc == 0)
        assert_string_equal(argv[0], "sohoa-test");
    return r;
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_defaults(void **state)
{
    (void)state;
    struct sohoa_config cfg;
    memset(&cfg, 0x5A, sizeof cfg); /* init must not rely on a zeroed struct */
    sohoa_config_init(&cfg);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    assert_int_equal(cfg.workers, cores > 0 ? cores : 1);
    assert_int_equal(cfg.jpeg_quality, 60);
    assert_int_equal(cfg.archive_dpi, 200);
    assert_int_equal(cfg.queue_capacity, 64);
    assert_null(cfg.data_dir);
    assert_null(cfg.lang);
    assert_null(cfg.tessdata);
    struct sohoa_limits d = sohoa_limits_default(); /* field by field: the struct has padding */
    assert_int_equal(cfg.limits.max_file_bytes, d.max_file_bytes);
    assert_int_equal(cfg.limits.max_pages_per_file, d.max_pages_per_file);
    assert_int_equal(cfg.limits.max_page_pixels, d.max_page_pixels);
    assert_int_equal(cfg.limits.ocr_dpi, d.ocr_dpi);
    assert_int_equal(cfg.limits.max_dpi_before_reduce, d.max_dpi_before_reduce);
    assert_int_equal(cfg.limits.page_timeout_ms, d.page_timeout_ms);
    assert_int_equal(cfg.limits.decode_timeout_ms, d.decode_timeout_ms);

    /* no file, no environment, no flags: data-dir and the URLs derived from it */
    const char *none[] = {NULL};
    struct parsed r = parse(&cfg, none);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.rest, 0);
    assert_string_equal(cfg.data_dir, "sohoa-data");
    assert_string_equal(cfg.store_url, "sohoa-data/objects");
    assert_string_equal(cfg.catalog_url, "sqlite:sohoa-data/catalog.sqlite");
    assert_int_equal(cfg.workers, cores > 0 ? cores : 1);
    sohoa_config_release(&cfg);
    assert_null(cfg.data_dir);
    assert_null(cfg.store_url);
    assert_null(cfg.catalog_url);
    sohoa_config_release(&cfg); /* twice is harmless */
}

/* data-dir from each source moves the derived URLs; an explicit store/catalog wins. */
static void test_derived_urls(void **state)
{
    (void)state;
    const struct {
        const char *file, *env_dir, *flag1, *flag2, *flag3;
        const char *want_store, *want_catalog;
    } rows[] = {
        {"data-dir = /srv/f\n", NULL, NULL, NULL, NULL, "/srv/f/objects",
         "sqlite:/srv/f/catalog.sqlite"},
        {NULL, "/srv/e", NULL, NULL, NULL, "/srv/e/objects", "sqlite:/srv/e/catalog.sqlite"},
        {NULL, NULL, "--data-dir=/srv/a", NULL, NULL, "/srv/a/objects",
         "sqlite:/srv/a/catalog.sqlite"},
        {"data-dir = /srv/f\n", "/srv/e", "--data-dir", "/srv/a", NULL, "/srv/a/objects",
         "sqlite:/srv/a/catalog.sqlite"},
        {"store = file:///s3-lookalike\n", NULL, "--data-dir=/d", NULL, NULL,
         "file:///s3-lookalike", "sqlite:/d/catalog.sqlite"},
        {NULL, NULL, "--data-dir=/d", "--catalog=sqlite:/c.db", NULL, "/d/objects", "sqlite:/c.db"},
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        clear_sohoa_env();
        unlink("sohoa.conf");
        if (rows[i].file)
            write_file("sohoa.conf", rows[i].file);
        if (rows[i].env_dir)
            setenv("SOHOA_DATA_DIR", rows[i].env_dir, 1);
        const char *args[] = {rows[i].flag1, rows[i].flag2, rows[i].flag3, NULL};
        struct sohoa_config cfg;
        sohoa_config_init(&cfg);
        struct parsed r = parse(&cfg, args);
        if (r.rc != 0)
            fail_msg("row %zu: %d %s", i, r.rc, r.err.msg);
        assert_int_equal(r.rest, 0);
        assert_string_equal(cfg.store_url, rows[i].want_store);
        assert_string_equal(cfg.catalog_url, rows[i].want_catalog);
        sohoa_config_release(&cfg);
    }
}

static const struct {
    const char *key, *value;
    int want;          /* 0 or SOHOA_EINVAL */
    const char *after; /* the value read back on success */
} set_rows[] = {
    {"workers", "4", 0, "4"},
    {"workers", "1", 0, "1"},
    {"workers", "256", 0, "256"},
    {"workers", "0", SOHOA_EINVAL, NULL},
    {"workers", "257", SOHOA_EINVAL, NULL},
    {"workers", "-1", SOHOA_EINVAL, NULL},
    {"workers", "four", SOHOA_EINVAL, NULL},
    {"workers", "", SOHOA_EINVAL, NULL},
    {"workers", "4x", SOHOA_EINVAL, NULL},
    {"workers", "4 ", SOHOA_EINVAL, NULL},
    {"workers", "3.5", SOHOA_EINVAL, NULL},
    {"workers", "0x10", SOHOA_EINVAL, NULL},
    {"workers", "99999999999999999999999", SOHOA_EINVAL, NULL},
    {"jpeg-quality", "10", 0, "10"},
    {"jpeg-quality", "100", 0, "100"},
    {"jpeg-quality", "9", SOHOA_EINVAL, NULL},
    {"jpeg-quality", "101", SOHOA_EINVAL, NULL},
    {"archive-dpi", "99", SOHOA_EINVAL, NULL},
    {"archive-dpi", "300", 0, "300"},
    {"queue-capacity", "4294967297", SOHOA_EINVAL, NULL}, /* would wrap to 1 as an int */
    {"queue-capacity", "1048576", 0, "1048576"},
    {"max-file-bytes", "1048576", 0, "1048576"},
    {"max-file-bytes", "-5", SOHOA_EINVAL, NULL},
    {"max-page-pixels", "1099511627776", 0, "1099511627776"},
    {"max-page-pixels", "1099511627777", SOHOA_EINVAL, NULL},
    {"page-timeout-ms", "0", 0, "0"},
    {"page-timeout-ms", "3600001", SOHOA_EINVAL, NULL},
    {"ocr-dpi", "71", SOHOA_EINVAL, NULL},
    {"ocr-dpi", "72", 0, "72"},
    {"decode-timeout-ms", "250", 0, "250"},
    {"max-pages-per-file", "0", 0, "0"}, /* 0 = no limit (limits.h) */
    {"max-pages-per-file", "-1", SOHOA_EINVAL, NULL},
    {"max-dpi-before-reduce", "600", 0, "600"},
    {"lang", "vie+eng", 0, "vie+eng"},
    {"tessdata", "/usr/share/tessdata", 0, "/usr/share/tessdata"},
    {"data-dir", "/var/lib/sohoa", 0, "/var/lib/sohoa"},
    {"store", "file:///var/lib/sohoa/objects", 0, "file:///var/lib/sohoa/objects"},
    {"catalog", "sqlite:/x.db", 0, "sqlite:/x.db"},
    {"colour", "red", SOHOA_EINVAL, NULL},
    {"Workers", "4", SOHOA_EINVAL, NULL},
    {"workers ", "4", SOHOA_EINVAL, NULL},
    {"max_file_bytes", "4", SOHOA_EINVAL, NULL}, /* the key uses '-', only env uses '_' */
    {"config", "x.conf", SOHOA_EINVAL, NULL},    /* a flag, not a setting */
    {"", "4", SOHOA_EINVAL, NULL},
};

static void test_set(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(set_rows); i++) {
        struct sohoa_config cfg;
        sohoa_config_init(&cfg);
        bool known = false;
        char before[4096] = "";
        for (size_t k = 0; k < COUNT(fields); k++)
            known |= strcmp(fields[k].key, set_rows[i].key) == 0;
        if (known)
            snprintf(before, sizeof before, "%s", value_of(&cfg, set_rows[i].key));
        struct sohoa_err err = {0};
        int rc = sohoa_config_set(&cfg, set_rows[i].key, set_rows[i].value, &err);
        if (rc != set_rows[i].want)
            fail_msg("set %s = \"%s\": %d (%s), want %d", set_rows[i].key, set_rows[i].value, rc,
                     err.msg, set_rows[i].want);
        if (rc == 0) {
            assert_string_equal(value_of(&cfg, set_rows[i].key), set_rows[i].after);
        } else {
            assert_int_equal(err.code, SOHOA_EINVAL);
            assert_false(err.retryable);
            char quoted[128];
            snprintf(quoted, sizeof quoted, "'%s'", set_rows[i].key);
            if (!strstr(err.msg, quoted))
                fail_msg("set %s = \"%s\": message \"%s\" does not name the key", set_rows[i].key,
                         set_rows[i].value, err.msg);
            if (known) /* a refused value leaves the setting as it was */
                assert_string_equal(value_of(&cfg, set_rows[i].key), before);
        }
        sohoa_config_release(&cfg);
    }
}

/* Every key has a value from the file, the environment and/or a flag: the last source wins. */
static void test_precedence(void **state)
{
    (void)state;
    const struct {
        const char *key, *file, *env, *flag;
    } rows[] = {
        {"workers", "2", NULL, NULL},
        {"lang", "file-lang", "env-lang", NULL},
        {"jpeg-quality", "70", "80", "90"},
        {"archive-dpi", "300", NULL, "400"},
        {"queue-capacity", NULL, "7", "9"},
        {"ocr-dpi", NULL, "150", NULL},
        {"tessdata", "/file/tessdata", NULL, NULL},
        {"max-file-bytes", "1000", "2000", NULL},
        {"page-timeout-ms", NULL, NULL, "1234"},
        {"data-dir", "/file/data", "/env/data", "/flag/data"},
        {"max-page-pixels", "5000000", "6000000", "7000000"},
    };
    char conf[4096] = "# written by test_precedence\n";
    const char *args[2 * COUNT(rows) + 1];
    static char flagbuf[COUNT(rows)][128];
    size_t na = 0;
    for (size_t i = 0; i < COUNT(rows); i++) {
        if (rows[i].file) {
            size_t used = strlen(conf);
            snprintf(conf + used, sizeof conf - used, "%s = %s\n", rows[i].key, rows[i].file);
        }
        if (rows[i].env) {
            char var[64];
            env_name(rows[i].key, var, sizeof var);
            setenv(var, rows[i].env, 1);
        }
        if (rows[i].flag) {
            if (i % 2) { /* both forms */
                snprintf(flagbuf[i], sizeof flagbuf[i], "--%s=%s", rows[i].key, rows[i].flag);
                args[na++] = flagbuf[i];
            } else {
                snprintf(flagbuf[i], sizeof flagbuf[i], "--%s", rows[i].key);
                args[na++] = flagbuf[i];
                args[na++] = rows[i].flag;
            }
        }
    }
    args[na] = NULL;
    write_file("precedence.conf", conf);
    setenv("SOHOA_CONFIG", "precedence.conf", 1);

    struct sohoa_config cfg;
    sohoa_config_init(&cfg);
    struct parsed r = parse(&cfg, args);
    if (r.rc != 0)
        fail_msg("from_args: %d %s", r.rc, r.err.msg);
    assert_int_equal(r.rest, 0);
    for (size_t i = 0; i < COUNT(rows); i++) {
        const char *want = rows[i].flag ? rows[i].flag : rows[i].env ? rows[i].env : rows[i].file;
        const char *got = value_of(&cfg, rows[i].key);
        if (strcmp(got, want) != 0)
            fail_msg("%s: got \"%s\", want \"%s\" (file %s, env %s, flag %s)", rows[i].key, got,
                     want, rows[i].file ? rows[i].file : "-", rows[i].env ? rows[i].env : "-",
                     rows[i].flag ? rows[i].flag : "-");
    }
    sohoa_config_release(&cfg);
}

/* Which config file is read: --config, $SOHOA_CONFIG, ./sohoa.conf, ~/.config/sohoa/sohoa.conf,
 * the first that exists (only the first). */
static void test_file_discovery(void **state)
{
    (void)state;
    char home_conf[700];
    snprintf(home_conf, sizeof home_conf, "%s/.config", home);
    mkdir(home_conf, 0755);
    snprintf(home_conf, sizeof home_conf, "%s/.config/sohoa", home);
    mkdir(home_conf, 0755);
    snprintf(home_conf, sizeof home_conf, "%s/.config/sohoa/sohoa.conf", home);
    const struct {
        bool flag, flag_eq, env, cwd, home;
        const char *want_lang;
    } rows[] = {
        {true, false, true, true, true, "from-flag"},
        {true, true, true, true, true, "from-flag"},
        {false, false, true, true, true, "from-env"},
        {false, false, false, true, true, "from-cwd"},
        {false, false, false, false, true, "from-home"},
        {false, false, false, false, false, "(null)"},
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        clear_sohoa_env();
        unlink("sohoa.conf");
        unlink(home_conf);
        write_file("flag.conf", "lang = from-flag\n");
        write_file("env.conf", "lang = from-env\njpeg-quality = 33\n");
        if (rows[i].cwd)
            write_file("sohoa.conf", "lang = from-cwd\n");
        if (rows[i].home)
            write_file(home_conf, "lang = from-home\n");
        if (rows[i].env)
            setenv("SOHOA_CONFIG", "env.conf", 1);
        const char *args[] = {"pos", NULL, NULL, NULL};
        if (rows[i].flag && rows[i].flag_eq)
            args[1] = "--config=flag.conf";
        else if (rows[i].flag) {
            args[1] = "--config";
            args[2] = "flag.conf";
        }
        struct sohoa_config cfg;
        sohoa_config_init(&cfg);
        struct parsed r = parse(&cfg, args);
        if (r.rc != 0)
            fail_msg("row %zu: %d %s", i, r.rc, r.err.msg);
        assert_string_equal(value_of(&cfg, "lang"), rows[i].want_lang);
        /* only one file is read: env.conf's jpeg-quality counts only when it is the chosen one */
        assert_int_equal(cfg.jpeg_quality, strcmp(rows[i].want_lang, "from-env") ? 60 : 33);
        /* --config and its value are consumed, the positional argument stays */
        assert_int_equal(r.rest, 1);
        assert_string_equal(r.args[0], "pos");
        sohoa_config_release(&cfg);
    }
}

static void test_missing_config_file(void **state)
{
    (void)state;
    struct sohoa_config cfg;
    /* --config PATH and $SOHOA_CONFIG must exist */
    sohoa_config_init(&cfg);
    const char *args1[] = {"--config", "no-such.conf", NULL};
    struct parsed r = parse(&cfg, args1);
    assert_true(r.rc < 0);
    assert_non_null(strstr(r.err.msg, "no-such.conf"));
    sohoa_config_release(&cfg);

    sohoa_config_init(&cfg);
    const char *args2[] = {"--config=also-missing.conf", NULL};
    r = parse(&cfg, args2);
    assert_true(r.rc < 0);
    assert_non_null(strstr(r.err.msg, "also-missing.conf"));
    sohoa_config_release(&cfg);

    sohoa_config_init(&cfg);
    setenv("SOHOA_CONFIG", "env-missing.conf", 1);
    const char *none[] = {NULL};
    r = parse(&cfg, none);
    assert_true(r.rc < 0);
    assert_non_null(strstr(r.err.msg, "env-missing.conf"));
    unsetenv("SOHOA_CONFIG");
    sohoa_config_release(&cfg);

    /* --config without a value */
    sohoa_config_init(&cfg);
    const char *args3[] = {"--config", NULL};
    r = parse(&cfg, args3);
    assert_int_equal(r.rc, SOHOA_EINVAL);
    assert_non_null(strstr(r.err.msg, "config"));
    sohoa_config_release(&cfg);

    /* the default places may be missing */
    sohoa_config_init(&cfg);
    r = parse(&cfg, none);
    assert_int_equal(r.rc, 0);
    sohoa_config_release(&cfg);

    /* load_file: required or not */
    sohoa_config_init(&cfg);
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_config_load_file(&cfg, "nope.conf", false, &err), 0);
    assert_true(sohoa_config_load_file(&cfg, "nope.conf", true, &err) < 0);
    assert_non_null(strstr(err.msg, "nope.conf"));
    sohoa_config_release(&cfg);
}

/* Config file syntax: each row is a whole file. */
static const struct {
    const char *text;
    int want;
    int line;           /* the line an error names */
    const char *in_msg; /* and something else it says */
    const char *key, *value;
} file_rows[] = {
    {"# comment\n\n   \n\t# indented comment\nworkers = 3\n", 0, 0, NULL, "workers", "3"},
    {"workers=3\r\nlang = vie+eng  \r\n", 0, 0, NULL, "lang", "vie+eng"},
    {"  lang   =   vie   \n", 0, 0, NULL, "lang", "vie"},
    {"store = file:///a=b\n", 0, 0, NULL, "store", "file:///a=b"},
    {"workers = 5", 0, 0, NULL, "workers", "5"}, /* no final newline */
    {"", 0, 0, NULL, "lang", "(null)"},
    {"\n\n# only comments\n", 0, 0, NULL, "lang", "(null)"},
    {"workers = 2\nworkers = 7\n", 0, 0, NULL, "workers", "7"},
    {"workers 3\n", SOHOA_EINVAL, 1, "key = value", NULL, NULL},
    {"# ok\nworkers = 2\nbogus line\n", SOHOA_EINVAL, 3, "key = value", NULL, NULL},
    {"\n\nworkers = 0\n", SOHOA_EINVAL, 3, "'workers'", NULL, NULL},
    {"lang = vie\ncolour = red\n", SOHOA_EINVAL, 2, "'colour'", NULL, NULL},
    {"= 3\n", SOHOA_EINVAL, 1, NULL, NULL, NULL},
    {"[section]\nworkers = 2\n", SOHOA_EINVAL, 1, "key = value", NULL, NULL},
    {"jpeg-quality = high\n", SOHOA_EINVAL, 1, "'jpeg-quality'", NULL, NULL},
};

static void test_file_syntax(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(file_rows); i++) {
        write_file("syntax.conf", file_rows[i].text);
        /* directly and through --config */
        for (int via_flag = 0; via_flag < 2; via_flag++) {
            struct sohoa_config cfg;
            sohoa_config_init(&cfg);
            struct sohoa_err err = {0};
            int rc;
            if (via_flag) {
                const char *args[] = {"--config", "syntax.conf", NULL};
                struct parsed r = parse(&cfg, args);
                rc = r.rc;
                err = r.err;
            } else {
                rc = sohoa_config_load_file(&cfg, "syntax.conf", true, &err);
            }
            if (rc != file_rows[i].want)
                fail_msg("file row %zu (%s): %d (%s), want %d", i, via_flag ? "flag" : "load", rc,
                         err.msg, file_rows[i].want);
            if (rc == 0 && file_rows[i].key) {
                assert_string_equal(value_of(&cfg, file_rows[i].key), file_rows[i].value);
            } else if (rc < 0) {
                char where[64];
                snprintf(where, sizeof where, "syntax.conf:%d:", file_rows[i].line);
                if (!strstr(err.msg, where))
                    fail_msg("file row %zu: message \"%s\" does not say \"%s\"", i, err.msg, where);
                if (file_rows[i].in_msg && !strstr(err.msg, file_rows[i].in_msg))
                    fail_msg("file row %zu: message \"%s\" does not say \"%s\"", i, err.msg,
                             file_rows[i].in_msg);
            }
            sohoa_config_release(&cfg);
        }
    }
}

static void test_env(void **state)
{
    (void)state;
    struct sohoa_config cfg;
    sohoa_config_init(&cfg);
    struct sohoa_err err = {0};
    setenv("SOHOA_MAX_DPI_BEFORE_REDUCE", "500", 1);
    setenv("SOHOA_TESSDATA", "/env/tessdata", 1);
    setenv("SOHOA_WORKERS", "", 1);         /* empty: ignored */
    setenv("SOHOA_NOT_A_KEY", "x", 1);      /* not a setting: ignored */
    setenv("SOHOA_max_file_bytes", "1", 1); /* names are upper case */
    int cores = cfg.workers;
    assert_int_equal(sohoa_config_load_env(&cfg, &err), 0);
    assert_int_equal(cfg.limits.max_dpi_before_reduce, 500);
    assert_string_equal(cfg.tessdata, "/env/tessdata");
    assert_int_equal(cfg.workers, cores);
    assert_int_equal(cfg.limits.max_file_bytes, SOHOA_DEFAULT_MAX_FILE_BYTES);

    /* a bad value names the variable and the key, and fails from_args too */
    setenv("SOHOA_WORKERS", "lots", 1);
    assert_int_equal(sohoa_config_load_env(&cfg, &err), SOHOA_EINVAL);
    assert_non_null(strstr(err.msg, "SOHOA_WORKERS"));
    assert_non_null(strstr(err.msg, "'workers'"));
    const char *none[] = {NULL};
    struct parsed r = parse(&cfg, none);
    assert_int_equal(r.rc, SOHOA_EINVAL);
    assert_non_null(strstr(r.err.msg, "SOHOA_WORKERS"));
    sohoa_config_release(&cfg);
}

/* Flags: both forms, config flags consumed anywhere, everything else kept in order. */
static const struct {
    const char *args[12];
    int want;
    const char *workers, *lang;
    const char *rest[12];
} flag_rows[] = {
    {{"--workers=3"}, 0, "3", "(null)", {NULL}},
    {{"--workers", "3"}, 0, "3", "(null)", {NULL}},
    {{"in.pdf", "--workers", "3", "out"}, 0, "3", "(null)", {"in.pdf", "out"}},
    {{"--quiet", "--lang=vie", "-x", "a.pdf", "--lang", "eng"},
     0,
     NULL,
     "eng",
     {"--quiet", "-x", "a.pdf"}},
    {{"--interactive", "--department", "Sở Tư pháp", "--workers", "2", "-"},
     0,
     "2",
     NULL,
     {"--interactive", "--department", "Sở Tư pháp", "-"}},
    {{"--unknown-flag=3", "--workers", "2", "--lang="}, 0, "2", "", {"--unknown-flag=3"}},
    {{"-w", "5", "--workers5"}, 0, NULL, NULL, {"-w", "5", "--workers5"}},
    {{"--workers"}, SOHOA_EINVAL, NULL, NULL, {NULL}},
    {{"a", "--lang"}, SOHOA_EINVAL, NULL, NULL, {NULL}},
    {{"--workers=0"}, SOHOA_EINVAL, NULL, NULL, {NULL}},
    {{"--workers", "abc"}, SOHOA_EINVAL, NULL, NULL, {NULL}},
    {{"--workers="}, SOHOA_EINVAL, NULL, NULL, {NULL}},
};

static void test_flags(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(flag_rows); i++) {
        struct sohoa_config cfg;
        sohoa_config_init(&cfg);
        char cores[16];
        snprintf(cores, sizeof cores, "%d", cfg.workers);
        struct parsed r = parse(&cfg, flag_rows[i].args);
        if (r.rc != flag_rows[i].want)
            fail_msg("flag row %zu: %d (%s), want %d", i, r.rc, r.err.msg, flag_rows[i].want);
        if (r.rc < 0) {
            if (!strstr(r.err.msg, "workers") && !strstr(r.err.msg, "lang"))
                fail_msg("flag row %zu: message \"%s\" names no key", i, r.err.msg);
            sohoa_config_release(&cfg);
            continue;
        }
        assert_string_equal(value_of(&cfg, "workers"),
                            flag_rows[i].workers ? flag_rows[i].workers : cores);
        if (flag_rows[i].lang)
            assert_string_equal(value_of(&cfg, "lang"), flag_rows[i].lang);
        int n = 0;
        while (flag_rows[i].rest[n])
            n++;
        if (r.rest != n)
            fail_msg("flag row %zu: %d arguments left, want %d", i, r.rest, n);
        for (int k = 0; k < n; k++)
            assert_string_equal(r.args[k], flag_rows[i].rest[k]);
        sohoa_config_release(&cfg);
    }
}

/* `--` ends option parsing: nothing after it is taken as a setting or as --config. */
static void test_double_dash_stops_parsing(void **state)
{
    (void)state;
    struct sohoa_config cfg;
    sohoa_config_init(&cfg);
    char cores[16];
    snprintf(cores, sizeof cores, "%d", cfg.workers);
    const char *args[] = {"--lang", "vie", "a",        "--",           "--workers", "5",
                          "b",      "--",  "--config", "missing.conf", NULL};
    struct parsed r = parse(&cfg, args);
    if (r.rc != 0)
        fail_msg("from_args: %d %s", r.rc, r.err.msg);
    assert_string_equal(value_of(&cfg, "workers"), cores);
    assert_string_equal(cfg.lang, "vie");
    /* the arguments after the first `--` all pass through, in order (whether the `--` itself is
     * passed on is checked by test_double_dash_passed_on) */
    const char *want[] = {"a", "--workers", "5", "b", "--", "--config", "missing.conf"};
    int k = 0;
    for (int i = 0; i < r.rest; i++) {
        if (i < 2 && strcmp(r.args[i], "--") == 0 && k == 1)
            continue; /* the first `--`, if kept */
        if (k >= (int)COUNT(want))
            fail_msg("extra argument %s", r.args[i]);
        assert_string_equal(r.args[i], want[k]);
        k++;
    }
    assert_int_equal(k, COUNT(want));
    sohoa_config_release(&cfg);
}

/* KNOWN BUG (reported): sohoa_config_from_args swallows the first `--` (workers/runtime/config.c,
 * the `only_args` branch `continue`s without keeping it), though config.h says every argument that
 * is not a config flag is kept. The subcommand then cannot tell that option parsing ended: `sohoa
 * ingest -- -scan.pdf` is refused by cli_ingest.c as "unknown option -scan.pdf". */
static void test_double_dash_passed_on(void **state)
{
    (void)state;
    struct sohoa_config cfg;
    sohoa_config_init(&cfg);
    const char *args[] = {"--workers", "2", "--", "-scan.pdf", "--lang", "x", NULL};
    struct parsed r = parse(&cfg, args);
    assert_int_equal(r.rc, 0);
    assert_int_equal(cfg.workers, 2);
    const char *want[] = {"--", "-scan.pdf", "--lang", "x"};
    if (r.rest != (int)COUNT(want))
        fail_msg("%d arguments left, want %zu (\"--\" first)", r.rest, COUNT(want));
    for (size_t i = 0; i < COUNT(want); i++)
        assert_string_equal(r.args[i], want[i]);
    sohoa_config_release(&cfg);
}

int main(void)
{
    if (!getcwd(start_cwd, sizeof start_cwd))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_derived_urls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_discovery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_config_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_syntax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_dash_stops_parsing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_dash_passed_on, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
