/* test_fs.c — `mkdir -p` (pipeline/base/fs.h): a deep path made at once, a path that is there
 * already, trailing and doubled slashes, the mode, a file in the way (and errno), a parent that
 * cannot be written, an empty and an over-long path, and two threads making the same tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/base/err.h"
#include "pipeline/base/fs.h"

static char root[64]; /* /tmp/sohoa-fs-XXXXXX */

static int make_root(void **state)
{
    (void)state;
    (void)snprintf(root, sizeof root, "/tmp/sohoa-fs-XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int remove_root(void **state)
{
    (void)state;
    char cmd[PATH_MAX + 16];
    (void)snprintf(cmd, sizeof cmd, "chmod -R u+w %s; rm -rf %s", root, root);
    return system(cmd) == 0 ? 0 : -1;
}

static bool is_dir(const char *p, mode_t *mode)
{
    struct stat st;
    if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
        return false;
    if (mode)
        *mode = st.st_mode & 07777;
    return true;
}

static void test_deep_and_existing(void **state)
{
    (void)state;
    char p[PATH_MAX];
    (void)snprintf(p, sizeof p, "%s/a/b/c/d", root);
    struct sohoa_err err;
    sohoa_err_clear(&err);
    assert_int_equal(sohoa_mkdir_p(p, 0755, &err), 0);
    assert_true(is_dir(p, NULL));
    assert_int_equal(sohoa_mkdir_p(p, 0755, &err), 0);  /* there already */
    (void)snprintf(p, sizeof p, "%s//a///b/e//", root); /* doubled and trailing slashes */
    assert_int_equal(sohoa_mkdir_p(p, 0755, &err), 0);
    (void)snprintf(p, sizeof p, "%s/a/b/e", root);
    assert_true(is_dir(p, NULL));
    assert_int_equal(sohoa_mkdir_p("/", 0755, &err), 0);
}

static void test_mode(void **state)
{
    (void)state;
    char p[PATH_MAX];
    (void)snprintf(p, sizeof p, "%s/private/inner", root);
    mode_t old = umask(022);
    assert_int_equal(sohoa_mkdir_p(p, 0700, NULL), 0);
    (void)umask(old);
    mode_t m = 0;
    assert_true(is_dir(p, &m));
    assert_int_equal(m, 0700);
    (void)snprintf(p, sizeof p, "%s/private", root);
    assert_true(is_dir(p, &m));
    assert_int_equal(m, 0700);
}

static void test_file_in_the_way(void **state)
{
    (void)state;
    char f[PATH_MAX], p[PATH_MAX];
    (void)snprintf(f, sizeof f, "%s/file", root);
    FILE *fp = fopen(f, "w");
    assert_non_null(fp);
    assert_int_equal(fclose(fp), 0);
    struct sohoa_err err;
    sohoa_err_clear(&err);
    errno = 0;
    assert_int_equal(sohoa_mkdir_p(f, 0755, &err), SOHOA_EIO); /* exists, but no directory */
    assert_int_equal(errno, ENOTDIR);
    assert_non_null(strstr(err.msg, "cannot create "));
    assert_non_null(strstr(err.msg, "/file"));
    assert_false(err.retryable);
    (void)snprintf(p, sizeof p, "%s/file/below", root);
    assert_int_equal(sohoa_mkdir_p(p, 0755, &err), SOHOA_EIO);
    assert_int_equal(errno, ENOTDIR);
}

static void test_not_writable(void **state)
{
    (void)state;
    if (geteuid() == 0)
        return; /* root writes anywhere: nothing to see */
    char ro[PATH_MAX], p[PATH_MAX];
    (void)snprintf(ro, sizeof ro, "%s/ro", root);
    assert_int_equal(sohoa_mkdir_p(ro, 0555, NULL), 0);
    (void)snprintf(p, sizeof p, "%s/ro/x/y", root);
    struct sohoa_err err;
    sohoa_err_clear(&err);
    assert_int_equal(sohoa_mkdir_p(p, 0755, &err), SOHOA_EIO);
    assert_int_equal(errno, EACCES);
    char want[PATH_MAX + 32];
    (void)snprintf(want, sizeof want, "cannot create %s/ro/x: ", root); /* the one that failed */
    assert_memory_equal(err.msg, want, strlen(want));
}

static void test_bad_paths(void **state)
{
    (void)state;
    struct sohoa_err err;
    sohoa_err_clear(&err);
    assert_int_equal(sohoa_mkdir_p("", 0755, &err), SOHOA_EINVAL);
    assert_int_equal(sohoa_mkdir_p(NULL, 0755, &err), SOHOA_EINVAL);
    char *longp = malloc(PATH_MAX + 10);
    assert_non_null(longp);
    memset(longp, 'a', PATH_MAX + 9);
    longp[PATH_MAX + 9] = '\0';
    assert_int_equal(sohoa_mkdir_p(longp, 0755, &err), SOHOA_EINVAL);
    assert_int_equal(errno, ENAMETOOLONG);
    assert_non_null(strstr(err.msg, "path too long"));
    free(longp);
}

static void *make_tree(void *arg)
{
    return (void *)(intptr_t)sohoa_mkdir_p(arg, 0755, NULL);
}

static void test_two_threads(void **state)
{
    (void)state;
    char p[PATH_MAX];
    for (int round = 0; round < 20; round++) {
        (void)snprintf(p, sizeof p, "%s/race%d/a/b/c/d/e", root, round);
        pthread_t t1, t2;
        assert_int_equal(pthread_create(&t1, NULL, make_tree, p), 0);
        assert_int_equal(pthread_create(&t2, NULL, make_tree, p), 0);
        void *r1, *r2;
        assert_int_equal(pthread_join(t1, &r1), 0);
        assert_int_equal(pthread_join(t2, &r2), 0);
        assert_int_equal((intptr_t)r1, 0);
        assert_int_equal((intptr_t)r2, 0);
        assert_true(is_dir(p, NULL));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deep_and_existing), cmocka_unit_test(test_mode),
        cmocka_unit_test(test_file_in_the_way),   cmocka_unit_test(test_not_writable),
        cmocka_unit_test(test_bad_paths),         cmocka_unit_test(test_two_threads),
    };
    return cmocka_run_group_tests(tests, make_root, remove_root);
}
