/* config.c — defaults, config file, environment and flags for struct sohoa_config. */
#include "workers/runtime/config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum kind { K_STR, K_INT, K_U64 };

struct key {
    const char *name;
    enum kind kind;
    size_t offset;
    long long min, max;
    const char *help;
};

#define OFF(f) offsetof(struct sohoa_config, f)
static const struct key keys[] = {
    {"data-dir", K_STR, OFF(data_dir), 0, 0, "directory of the embedded backends"},
    {"store", K_STR, OFF(store_url), 0, 0, "object store URL (file:///dir or a path)"},
    {"catalog", K_STR, OFF(catalog_url), 0, 0, "catalog URL (sqlite:PATH)"},
    {"workers", K_INT, OFF(workers), 1, 256, "worker threads"},
    {"interactive-workers", K_INT, OFF(interactive_workers), 0, 256,
     "extra threads for the interactive lane only (serve, worker: 1; ingest: 0)"},
    {"lang", K_STR, OFF(lang), 0, 0, "Tesseract languages, e.g. vie+eng"},
    {"tessdata", K_STR, OFF(tessdata), 0, 0, "Tesseract data directory"},
    {"jpeg-quality", K_INT, OFF(jpeg_quality), 10, 100, "JPEG quality of PDF page images"},
    {"archive-dpi", K_INT, OFF(archive_dpi), 100, 1200,
     "resolution a PDF page's image is archived at (it is OCR'd at ocr-dpi)"},
    {"queue-capacity", K_INT, OFF(queue_capacity), 1, 1 << 20, "page jobs waiting at most"},
    {"queue", K_STR, OFF(queue_url), 0, 0,
     "job queue URL: mem: (in-process) or amqp://user:pass@host:port/vhost"},
    {"max-file-bytes", K_U64, OFF(limits.max_file_bytes), 0, 1LL << 50,
     "largest input file (0: no limit)"},
    {"max-pages-per-file", K_INT, OFF(limits.max_pages_per_file), 0, 1000000,
     "most pages per file (0: no limit)"},
    {"max-page-pixels", K_U64, OFF(limits.max_page_pixels), 0, 1LL << 40,
     "largest page in pixels (0: no limit)"},
    {"page-timeout-ms", K_INT, OFF(limits.page_timeout_ms), 0, 3600000, "OCR deadline per page"},
    {"ocr-dpi", K_INT, OFF(limits.ocr_dpi), 72, 1200, "resolution pages are OCR'd at"},
    {"max-dpi-before-reduce", K_INT, OFF(limits.max_dpi_before_reduce), 72, 4800,
     "scans above this are reduced to ocr-dpi"},
    {"decode-timeout-ms", K_INT, OFF(limits.decode_timeout_ms), 0, 3600000,
     "decode deadline per page"},
    {"listen", K_STR, OFF(listen), 0, 0, "serve: HOST:PORT of the HTTP API (127.0.0.1:8080)"},
    {"api-token", K_STR, OFF(api_token), 0, 0, "serve: bearer token API clients must send"},
    {"max-upload-bytes", K_U64, OFF(max_upload_bytes), 1024, 1LL << 40,
     "serve: largest HTTP request body"},
    {"webhook-url", K_STR, OFF(webhook_url), 0, 0, "serve: URL completed dossiers are POSTed to"},
    {"webhook-secret", K_STR, OFF(webhook_secret), 0, 0, "serve: HMAC-SHA256 key of webhooks"},
    {"webhook-max-attempts", K_INT, OFF(webhook_max_attempts), 1, 1000,
     "serve: webhook tries before dead-lettering"},
};
#undef OFF

static int ncpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

void sohoa_config_init(struct sohoa_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->workers = ncpus();
    cfg->interactive_workers = -1;
    cfg->jpeg_quality = 60;
    cfg->archive_dpi = 200;
    cfg->queue_capacity = 64;
    cfg->limits = sohoa_limits_default();
    cfg->max_upload_bytes = 50u << 20;
    cfg->webhook_max_attempts = 8;
}

void sohoa_config_release(struct sohoa_config *cfg)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (keys[i].kind == K_STR) {
            char **p = (char **)((char *)cfg + keys[i].offset);
            free(*p);
            *p = NULL;
        }
}

static const struct key *find_key(const char *name)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

int sohoa_config_set(struct sohoa_config *cfg, const char *name, const char *value,
                     struct sohoa_err *err)
{
    const struct key *k = find_key(name);
    if (!k)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "unknown setting '%s'", name);
    void *field = (char *)cfg + k->offset;
    if (k->kind == K_STR) {
        char *copy = strdup(value);
        if (!copy)
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        free(*(char **)field);
        *(char **)field = copy;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno || end == value || *end || v < k->min || v > k->max)
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "setting '%s' wants a whole number from %lld to %lld, not '%s'", name,
                             k->min, k->max, value);
    if (k->kind == K_INT)
        *(int *)field = (int)v;
    else
        *(uint64_t *)field = (uint64_t)v;
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

int sohoa_config_load_file(struct sohoa_config *cfg, const char *path, bool required,
                           struct sohoa_err *err)
{
    int rc = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (!required && errno == ENOENT)
            return 0;
        return sohoa_err_set(err, SOHOA_EIO, false, "cannot read config file %s: %s", path,
                             strerror(errno));
    }
    char line[4096];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = sohoa_err_set(err, SOHOA_EINVAL, false, "%s:%d: expected 'key = value'", path,
                               lineno);
            goto out;
        }
        *eq = '\0';
        if ((rc = sohoa_config_set(cfg, trim(s), trim(eq + 1), err)) < 0) {
            sohoa_err_prefix(err, "%s:%d", path, lineno);
            goto out;
        }
    }
out:
    fclose(f);
    return rc;
}

int sohoa_config_load_env(struct sohoa_config *cfg, struct sohoa_err *err)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char var[64] = "SOHOA_";
        size_t n = strlen(var);
        for (const char *p = keys[i].name; *p && n < sizeof var - 1; p++)
            var[n++] = (char)(*p == '-' ? '_' : toupper((unsigned char)*p));
        var[n] = '\0';
        const char *v = getenv(var);
        if (v && *v) {
            int rc = sohoa_config_set(cfg, keys[i].name, v, err);
            if (rc < 0) {
                sohoa_err_prefix(err, "environment %s", var);
                return rc;
            }
        }
    }
    return 0;
}

static int load_default_file(struct sohoa_config *cfg, const char *explicit_path,
                             struct sohoa_err *err)
{
    if (explicit_path)
        return sohoa_config_load_file(cfg, explicit_path, true, err);
    const char *env = getenv("SOHOA_CONFIG");
    if (env && *env)
        return sohoa_config_load_file(cfg, env, true, err);
    if (access("sohoa.conf", F_OK) == 0)
        return sohoa_config_load_file(cfg, "sohoa.conf", true, err);
    const char *home = getenv("HOME");
    if (home) {
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/.config/sohoa/sohoa.conf", home);
        if (n < 0 || (size_t)n >= sizeof path)
            return 0; /* no such file can exist */
        return sohoa_config_load_file(cfg, path, false, err);
    }
    return 0;
}

static int fill_derived(struct sohoa_config *cfg, struct sohoa_err *err)
{
    char buf[4096];
    if (!cfg->data_dir && sohoa_config_set(cfg, "data-dir", "sohoa-data", err) < 0)
        return SOHOA_ENOMEM;
    if (!cfg->store_url) {
        int n = snprintf(buf, sizeof buf, "%s/objects", cfg->data_dir);
        if (n < 0 || (size_t)n >= sizeof buf)
            return sohoa_err_set(err, SOHOA_EINVAL, false, "data-dir is too long");
        if (sohoa_config_set(cfg, "store", buf, err) < 0)
            return SOHOA_ENOMEM;
    }
    if (!cfg->catalog_url) {
        int n = snprintf(buf, sizeof buf, "sqlite:%s/catalog.sqlite", cfg->data_dir);
        if (n < 0 || (size_t)n >= sizeof buf)
            return sohoa_err_set(err, SOHOA_EINVAL, false, "data-dir is too long");
        if (sohoa_config_set(cfg, "catalog", buf, err) < 0)
            return SOHOA_ENOMEM;
    }
    return 0;
}

int sohoa_config_from_args(struct sohoa_config *cfg, int argc, char **argv, int *rest,
                           struct sohoa_err *err)
{
    int rc = 0;
    *rest = 0;
    const char *config_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            config_path = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            config_path = argv[i] + 9;
    }
    if ((rc = load_default_file(cfg, config_path, err)) < 0)
        return rc;
    if ((rc = sohoa_config_load_env(cfg, err)) < 0)
        return rc;

    int kept = 0;
    bool only_args = false;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (!only_args && strcmp(a, "--") == 0) { /* kept: the subcommand needs it too */
            only_args = true;
            argv[1 + kept++] = a;
            continue;
        }
        if (only_args || strncmp(a, "--", 2) != 0) {
            argv[1 + kept++] = a;
            continue;
        }
        char name[64];
        const char *value = NULL;
        const char *eq = strchr(a + 2, '=');
        size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        if (len >= sizeof name) {
            argv[1 + kept++] = a;
            continue;
        }
        memcpy(name, a + 2, len);
        name[len] = '\0';
        bool is_config = strcmp(name, "config") == 0;
        if (!is_config && !find_key(name)) {
            argv[1 + kept++] = a; /* a subcommand flag */
            continue;
        }
        if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            return sohoa_err_set(err, SOHOA_EINVAL, false, "--%s needs a value", name);
        }
        if (is_config)
            continue;
        if ((rc = sohoa_config_set(cfg, name, value, err)) < 0)
            return rc;
    }
    *rest = kept;
    return fill_derived(cfg, err);
}

void sohoa_config_print_keys(void)
{
    printf("Settings (flag --KEY VALUE, environment SOHOA_KEY, config file 'key = value'):\n");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        printf("  --%-16s %s\n", keys[i].name, keys[i].help);
}
