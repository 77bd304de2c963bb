/* hash.c — SHA-256 through GLib's GChecksum and HMAC-SHA256 through GHmac (GLib is already a
 * dependency of libvips). */
#include "pipeline/base/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <unistd.h>

static void finish(GChecksum *c, char hex[SOHOA_SHA256_HEX])
{
    const gchar *s = g_checksum_get_string(c);
    memcpy(hex, s, SOHOA_SHA256_HEX - 1);
    hex[SOHOA_SHA256_HEX - 1] = '\0';
}

void sohoa_sha256_mem(const void *data, size_t len, char hex[SOHOA_SHA256_HEX])
{
    GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(c, data, (gssize)len);
    finish(c, hex);
    g_checksum_free(c);
}

void sohoa_hmac_sha256(const void *key, size_t key_len, const void *const *parts,
                       const size_t *lens, int n, char hex[SOHOA_SHA256_HEX])
{
    GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, key, key_len);
    for (int i = 0; i < n; i++)
        g_hmac_update(h, parts[i], (gssize)lens[i]);
    const gchar *s = g_hmac_get_string(h);
    memcpy(hex, s, SOHOA_SHA256_HEX - 1);
    hex[SOHOA_SHA256_HEX - 1] = '\0';
    g_hmac_unref(h);
}

int sohoa_sha256_file(const char *path, uint64_t max_bytes, char hex[SOHOA_SHA256_HEX],
                      uint64_t *size, struct sohoa_err *err)
{
    int rc = 0;
    hex[0] = '\0';
    if (size)
        *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sohoa_err_set(err, errno == ENOENT ? SOHOA_ENOTFOUND : SOHOA_EIO, false,
                             "cannot open %s: %s", path, strerror(errno));
    GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
    guchar buf[1 << 16];
    uint64_t total = 0;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = sohoa_err_set(err, SOHOA_EIO, false, "cannot read %s: %s", path, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        total += (uint64_t)r;
        if (max_bytes && total > max_bytes) {
            rc = sohoa_err_set(err, SOHOA_ELIMIT, false,
                               "file is larger than the limit max_file_bytes=%llu",
                               (unsigned long long)max_bytes);
            goto out;
        }
        g_checksum_update(c, buf, r);
    }
    finish(c, hex);
    if (size)
        *size = total;
out:
    g_checksum_free(c);
    close(fd);
    return rc;
}
