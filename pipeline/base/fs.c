/* fs.c — file-system helpers (fs.h). */
#include "pipeline/base/fs.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

/* mkdir(dir), where a directory already there (made by anyone) is success. */
static int make_one(const char *dir, mode_t mode)
{
    if (mkdir(dir, mode) == 0)
        return 0;
    int e = errno;
    struct stat st;
    if (e == EEXIST && stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        e = ENOTDIR;
    }
    errno = e;
    return -1;
}

int sohoa_mkdir_p(const char *path, mode_t mode, struct sohoa_err *err)
{
    char buf[PATH_MAX];
    size_t n = path ? strlen(path) : 0;
    if (n == 0 || n >= sizeof buf) {
        errno = n ? ENAMETOOLONG : ENOENT;
        return sohoa_err_set(err, SOHOA_EINVAL, false, "cannot create directory %.200s%s: %s",
                             path ? path : "", n >= 200 ? "…" : "",
                             n ? "path too long" : "empty path");
    }
    memcpy(buf, path, n + 1);
    while (n > 1 && buf[n - 1] == '/') /* "a/b/" is "a/b" */
        buf[--n] = '\0';
    for (char *p = buf + 1;; p++) {
        bool end = *p == '\0';
        if (!end && (*p != '/' || p[-1] == '/'))
            continue; /* inside a component, or a repeated '/' */
        *p = '\0';
        int r = make_one(buf, mode);
        if (r < 0) {
            int e = errno;
            (void)sohoa_err_set(err, SOHOA_EIO, e == ENOSPC || e == EDQUOT, "cannot create %s: %s",
                                buf, strerror(e));
            errno = e;
            return SOHOA_EIO;
        }
        if (end)
            return 0;
        *p = '/';
    }
}
