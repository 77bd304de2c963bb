/* objstore.c — picks an object-store backend from a URL and validates keys. */
#include "storage/objstore.h"

#include <stdlib.h>
#include <string.h>

bool sohoa_objstore_key_ok(const char *key)
{
    if (!key || !*key || strlen(key) > 1024)
        return false;
    const char *seg = key;
    for (const char *p = key;; p++) {
        if (*p == '/' || *p == '\0') {
            size_t n = (size_t)(p - seg);
            if (n == 0 || n > SOHOA_KEY_SEGMENT_MAX || (n == 1 && seg[0] == '.') ||
                (n == 2 && seg[0] == '.' && seg[1] == '.'))
                return false;
            if (*p == '\0')
                return true;
            seg = p + 1;
            continue;
        }
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
}

int sohoa_objstore_open(const char *url, struct sohoa_objstore **out, struct sohoa_err *err)
{
    int rc = 0;
    struct sohoa_objstore *s = NULL;
    *out = NULL;
    if (!url || !*url)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "object store URL is empty");
    s = calloc(1, sizeof *s);
    if (!s || !(s->url = strdup(url))) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        goto out;
    }
    if (strncmp(url, "file://", 7) == 0) {
        rc = sohoa_objstore_dir_open(url + 7, &s->be, &s->ops, err);
    } else if (strncmp(url, "s3://", 5) == 0) {
        rc = sohoa_objstore_s3_open(url + 5, &s->be, &s->ops, err);
    } else if (strstr(url, "://") == NULL) {
        rc = sohoa_objstore_dir_open(url, &s->be, &s->ops, err);
    } else {
        rc = sohoa_err_set(err, SOHOA_EINVAL, false,
                           "unsupported object store URL '%s' (this build knows file:// and s3://)",
                           url);
    }
    if (rc < 0)
        goto out;
    *out = s;
    s = NULL;
out:
    if (s) {
        free(s->url);
        free(s);
    }
    return rc;
}

void sohoa_objstore_free(struct sohoa_objstore **store)
{
    if (!store || !*store)
        return;
    struct sohoa_objstore *s = *store;
    if (s->ops && s->be)
        s->ops->close(s->be);
    free(s->url);
    free(s);
    *store = NULL;
}

static int check_key(const char *key, struct sohoa_err *err)
{
    if (!sohoa_objstore_key_ok(key))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "invalid object key '%s'",
                             key ? key : "(null)");
    return 0;
}

int sohoa_obj_put_file(struct sohoa_objstore *s, const char *key, const char *src,
                       struct sohoa_err *err)
{
    int rc = check_key(key, err);
    return rc < 0 ? rc : s->ops->put_file(s->be, key, src, err);
}

int sohoa_obj_put_mem(struct sohoa_objstore *s, const char *key, const void *data, size_t len,
                      struct sohoa_err *err)
{
    int rc = check_key(key, err);
    return rc < 0 ? rc : s->ops->put_mem(s->be, key, data, len, err);
}

int sohoa_obj_put_str(struct sohoa_objstore *s, const char *key, const char *text,
                      struct sohoa_err *err)
{
    return sohoa_obj_put_mem(s, key, text, strlen(text), err);
}

int sohoa_obj_get_mem(struct sohoa_objstore *s, const char *key, size_t max_len, uint8_t **data,
                      size_t *len, struct sohoa_err *err)
{
    *data = NULL;
    *len = 0;
    int rc = check_key(key, err);
    return rc < 0 ? rc : s->ops->get_mem(s->be, key, max_len, data, len, err);
}

int sohoa_obj_get_file(struct sohoa_objstore *s, const char *key, char **path, bool *is_temp,
                       struct sohoa_err *err)
{
    *path = NULL;
    *is_temp = false;
    int rc = check_key(key, err);
    return rc < 0 ? rc : s->ops->get_file(s->be, key, path, is_temp, err);
}

int sohoa_obj_stat(struct sohoa_objstore *s, const char *key, bool *exists, uint64_t *size,
                   struct sohoa_err *err)
{
    *exists = false;
    if (size)
        *size = 0;
    int rc = check_key(key, err);
    return rc < 0 ? rc : s->ops->stat(s->be, key, exists, size, err);
}
