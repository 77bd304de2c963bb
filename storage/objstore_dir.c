/* objstore_dir.c — the embedded object store: one file per key under a root directory.
 *
 * Writes go to a unique temporary name in the target directory, are fsync'd and renamed over the
 * final name, so a crash leaves either the old object or the new one, never half of one.
 * Thread-safe: no shared mutable state besides an atomic counter for temporary names.
 */
#include "storage/objstore.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/base/fs.h"

struct dir_be {
    char *root;
};

static atomic_uint tmp_counter;

static char *join(const struct dir_be *d, const char *key)
{
    size_t n = strlen(d->root) + strlen(key) + 2;
    char *p = malloc(n);
    if (p)
        (void)snprintf(p, n, "%s/%s", d->root, key);
    return p;
}

static int mkdirs(char *path, struct sohoa_err *err)
{
    /* Create every parent directory of `path` (the last component is a file name). */
    char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    *slash = '\0';
    int rc = sohoa_mkdir_p(path, 0755, NULL);
    int e = errno;
    *slash = '/';
    if (rc < 0)
        return sohoa_err_set(err, SOHOA_EIO, e == ENOSPC, "cannot create directory for %s: %s",
                             path, strerror(e));
    return 0;
}

static int io_err(struct sohoa_err *err, const char *what, const char *path)
{
    int e = errno;
    bool retry = e == ENOSPC || e == EINTR || e == EAGAIN || e == EMFILE || e == ENFILE;
    return sohoa_err_set(err, e == ENOENT ? SOHOA_ENOTFOUND : SOHOA_EIO, retry, "%s %s: %s", what,
                         path, strerror(e));
}

/* Opens a temporary file next to the final path; *tmp receives its malloc'd name. */
static int open_tmp(const char *final, char **tmp, struct sohoa_err *err)
{
    size_t n = strlen(final) + 48;
    *tmp = malloc(n);
    if (!*tmp)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    (void)snprintf(*tmp, n, "%s.tmp-%ld-%u", final, (long)getpid(),
                   atomic_fetch_add(&tmp_counter, 1));
    int fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        int rc = io_err(err, "cannot create", *tmp);
        free(*tmp);
        *tmp = NULL;
        return rc;
    }
    return fd;
}

/* Writes all of `data` to `fd` (the file `path`, for the message); 0 or io_err's code. */
static int write_all(int fd, const void *data, size_t len, const char *path, struct sohoa_err *err)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return io_err(err, "cannot write", path);
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* fsync + close + rename; on failure the temporary file is removed. */
static int commit_tmp(int fd, char *tmp, const char *final, struct sohoa_err *err)
{
    int rc = 0;
    if (fsync(fd) < 0)
        rc = io_err(err, "cannot flush", tmp);
    if (close(fd) < 0 && rc == 0)
        rc = io_err(err, "cannot close", tmp);
    if (rc == 0 && rename(tmp, final) < 0)
        rc = io_err(err, "cannot rename into", final);
    /* tmp is open_tmp's name, set whenever it returned an fd: the analyzer does not follow
     * io_err's negative code back through open_tmp */
    if (rc < 0)
        unlink(tmp); /* NOLINT(clang-analyzer-core.NonNullParamChecker): see above */
    free(tmp);
    return rc;
}

static int write_object(struct dir_be *d, const char *key, int src_fd, const void *data, size_t len,
                        struct sohoa_err *err)
{
    int rc = 0, fd = -1;
    char *tmp = NULL;
    char *final = join(d, key);
    char *buf = NULL;
    if (!final)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    if ((rc = mkdirs(final, err)) < 0)
        goto out;
    if ((fd = open_tmp(final, &tmp, err)) < 0) {
        rc = fd;
        goto out;
    }
    if (src_fd < 0) {
        if ((rc = write_all(fd, data, len, tmp, err)) < 0)
            goto out;
    } else {
        enum { CHUNK = 1 << 16 };
        buf = malloc(CHUNK);
        if (!buf) {
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
            goto out;
        }
        for (;;) {
            ssize_t r = read(src_fd, buf, CHUNK);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0) {
                rc = io_err(err, "cannot read source for", key);
                goto out;
            }
            if (r == 0)
                break;
            if ((rc = write_all(fd, buf, (size_t)r, tmp, err)) < 0)
                goto out;
        }
    }
    rc = commit_tmp(fd, tmp, final, err); /* closes fd, frees tmp */
    fd = -1;
    tmp = NULL;
out:
    if (fd >= 0) { /* failed after open_tmp: the temporary file goes */
        close(fd);
        unlink(tmp); /* NOLINT(clang-analyzer-core.NonNullParamChecker): as in commit_tmp */
    }
    free(tmp);
    free(buf);
    free(final);
    return rc;
}

static int dir_put_file(void *be, const char *key, const char *src, struct sohoa_err *err)
{
    int fd = open(src, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return io_err(err, "cannot open", src);
    int rc = write_object(be, key, fd, NULL, 0, err);
    close(fd);
    return rc;
}

static int dir_put_mem(void *be, const char *key, const void *data, size_t len,
                       struct sohoa_err *err)
{
    return write_object(be, key, -1, data, len, err);
}

static int dir_get_mem(void *be, const char *key, size_t max_len, uint8_t **data, size_t *len,
                       struct sohoa_err *err)
{
    int rc = 0;
    uint8_t *buf = NULL;
    char *path = join(be, key);
    int fd = -1;
    if (!path)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        rc = io_err(err, "cannot open object", key);
        goto out;
    }
    if (!S_ISREG(st.st_mode)) { /* a key prefix (directory) is not an object */
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "no object %s", key);
        goto out;
    }
    if ((uint64_t)st.st_size > max_len) {
        rc = sohoa_err_set(err, SOHOA_ELIMIT, false, "object %s is %lld bytes, over %zu", key,
                           (long long)st.st_size, max_len);
        goto out;
    }
    size_t n = (size_t)st.st_size;
    buf = malloc(n + 1);
    if (!buf) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        goto out;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = io_err(err, "cannot read object", key);
            goto out;
        }
        got += (size_t)r;
    }
    buf[n] = 0; /* convenience terminator for text objects */
    *data = buf;
    *len = n;
    buf = NULL;
out:
    if (fd >= 0)
        close(fd);
    free(buf);
    free(path);
    return rc;
}

static int dir_get_file(void *be, const char *key, char **path, bool *is_temp,
                        struct sohoa_err *err)
{
    char *p = join(be, key);
    if (!p)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    struct stat st = {0};
    if (stat(p, &st) < 0 || !S_ISREG(st.st_mode) || access(p, R_OK) < 0) {
        int rc = S_ISDIR(st.st_mode)
                     ? sohoa_err_set(err, SOHOA_ENOTFOUND, false, "no object %s", key)
                     : io_err(err, "cannot read object", key);
        free(p);
        return rc;
    }
    *path = p;
    *is_temp = false;
    return 0;
}

static int dir_stat(void *be, const char *key, bool *exists, uint64_t *size, struct sohoa_err *err)
{
    char *p = join(be, key);
    if (!p)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    struct stat st = {0};
    int rc = 0;
    if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
        *exists = true;
        if (size)
            *size = (uint64_t)st.st_size;
    } else if (errno != ENOENT && errno != ENOTDIR && !S_ISDIR(st.st_mode)) {
        rc = io_err(err, "cannot stat object", key);
    }
    free(p);
    return rc;
}

static void dir_close(void *be)
{
    struct dir_be *d = be;
    free(d->root);
    free(d);
}

static const struct sohoa_objstore_ops dir_ops = {
    .version = 1,
    .scheme = "file",
    .put_file = dir_put_file,
    .put_mem = dir_put_mem,
    .get_mem = dir_get_mem,
    .get_file = dir_get_file,
    .stat = dir_stat,
    .close = dir_close,
};

int sohoa_objstore_dir_open(const char *root, void **be, const struct sohoa_objstore_ops **ops,
                            struct sohoa_err *err)
{
    *be = NULL;
    *ops = NULL;
    if (!root || !*root)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "object store directory is empty");
    char probe[PATH_MAX];
    (void)snprintf(probe, sizeof probe, "%s/x", root);
    int rc = mkdirs(probe, err);
    if (rc < 0)
        return rc;
    struct dir_be *d = calloc(1, sizeof *d);
    if (!d || !(d->root = strdup(root))) {
        free(d);
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    }
    size_t n = strlen(d->root);
    while (n > 1 && d->root[n - 1] == '/')
        d->root[--n] = '\0';
    *be = d;
    *ops = &dir_ops;
    return 0;
}
