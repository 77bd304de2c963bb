/* test_hash.c — SHA-256 of buffers and files (pipeline/base/hash.h): published test vectors (FIPS
 * 180-2 "abc" and the two-block message, the empty string, one million 'a'), files and buffers
 * agreeing at sizes around the read chunk, the max_bytes limit at its exact edge, and the errors
 * for a missing file and a directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline/base/hash.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char tmp_dir[PATH_MAX];

/* Every temporary file made, so the group teardown removes them even after a failed assertion. */
static char made[64][PATH_MAX];
static size_t n_made;

static int remove_made(void **state)
{
    (void)state;
    for (size_t i = 0; i < n_made; i++)
        unlink(made[i]);
    n_made = 0;
    return 0;
}

/* Writes `len` bytes to a new temporary file; *path receives its name. */
static void write_tmp(const void *data, size_t len, char *path, size_t pathsz)
{
    snprintf(path, pathsz, "%.3000s/sohoa-hash-XXXXXX", tmp_dir);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    if (n_made < sizeof made / sizeof made[0])
        snprintf(made[n_made++], PATH_MAX, "%s", path);
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        assert_true(w > 0);
        p += w;
        len -= (size_t)w;
    }
    assert_int_equal(close(fd), 0);
}

static const struct {
    const char *what;
    const char *data; /* NULL: one million 'a' */
    const char *hex;
} vectors[] = {
    {"empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"two blocks", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"one million a", NULL, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
};

static void test_vectors_mem_and_file(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(vectors); i++) {
        const char *data = vectors[i].data;
        size_t len;
        char *owned = NULL;
        if (data) {
            len = strlen(data);
        } else {
            len = 1000000;
            owned = malloc(len);
            assert_non_null(owned);
            memset(owned, 'a', len);
            data = owned;
        }
        char hex[SOHOA_SHA256_HEX];
        memset(hex, 'Z', sizeof hex);
        sohoa_sha256_mem(data, len, hex);
        if (strcmp(hex, vectors[i].hex) != 0)
            fail_msg("%s (memory): %s, want %s", vectors[i].what, hex, vectors[i].hex);

        char path[PATH_MAX];
        write_tmp(data, len, path, sizeof path);
        memset(hex, 'Z', sizeof hex);
        uint64_t size = 99;
        struct sohoa_err err = {0};
        int rc = sohoa_sha256_file(path, 0, hex, &size, &err);
        if (rc != 0)
            fail_msg("%s (file): %d %s", vectors[i].what, rc, err.msg);
        if (strcmp(hex, vectors[i].hex) != 0)
            fail_msg("%s (file): %s, want %s", vectors[i].what, hex, vectors[i].hex);
        assert_int_equal(size, len);
        /* size is optional */
        assert_int_equal(sohoa_sha256_file(path, 0, hex, NULL, &err), 0);
        assert_string_equal(hex, vectors[i].hex);
        unlink(path);
        free(owned);
    }
}

/* Files and buffers agree at sizes around the 64 KiB read chunk, with binary content. */
static void test_file_matches_mem(void **state)
{
    (void)state;
    const size_t sizes[] = {1, 55, 56, 63, 64, 65, 65535, 65536, 65537, 131072, 200003};
    uint8_t *buf = malloc(200003);
    assert_non_null(buf);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < 200003; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
    char seen[COUNT(sizes)][SOHOA_SHA256_HEX];
    for (size_t s = 0; s < COUNT(sizes); s++) {
        char a[SOHOA_SHA256_HEX], b[SOHOA_SHA256_HEX], path[PATH_MAX];
        sohoa_sha256_mem(buf, sizes[s], a);
        write_tmp(buf, sizes[s], path, sizeof path);
        uint64_t size = 0;
        assert_int_equal(sohoa_sha256_file(path, 0, b, &size, NULL), 0);
        unlink(path);
        if (strcmp(a, b) != 0)
            fail_msg("%zu bytes: memory %s, file %s", sizes[s], a, b);
        assert_int_equal(size, sizes[s]);
        assert_int_equal(strlen(a), 64);
        assert_int_equal(strspn(a, "0123456789abcdef"), 64);
        /* different inputs, different digests */
        for (size_t k = 0; k < s; k++)
            assert_string_not_equal(seen[k], a);
        memcpy(seen[s], a, sizeof a);
    }
    free(buf);
}

/* max_bytes: 0 = no limit; a file of exactly max_bytes passes; one byte more is SOHOA_ELIMIT. */
static void test_max_bytes(void **state)
{
    (void)state;
    const size_t len = 150000;
    char *data = malloc(len);
    assert_non_null(data);
    memset(data, 'q', len);
    char path[PATH_MAX], want[SOHOA_SHA256_HEX];
    write_tmp(data, len, path, sizeof path);
    sohoa_sha256_mem(data, len, want);
    const struct {
        uint64_t max;
        int rc;
    } rows[] = {
        {0, 0},
        {len, 0},
        {len + 1, 0},
        {UINT64_MAX, 0},
        {len - 1, SOHOA_ELIMIT},
        {65536, SOHOA_ELIMIT},
        {65535, SOHOA_ELIMIT},
        {1, SOHOA_ELIMIT},
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        char hex[SOHOA_SHA256_HEX];
        memset(hex, 'Z', sizeof hex);
        uint64_t size = 7;
        struct sohoa_err err = {0};
        int rc = sohoa_sha256_file(path, rows[i].max, hex, &size, &err);
        if (rc != rows[i].rc)
            fail_msg("max_bytes %llu: %d (%s), want %d", (unsigned long long)rows[i].max, rc,
                     err.msg, rows[i].rc);
        if (rc == 0) {
            assert_string_equal(hex, want);
            assert_int_equal(size, len);
        } else {
            assert_int_equal(err.code, SOHOA_ELIMIT);
            assert_false(err.retryable);
            char limit[32];
            snprintf(limit, sizeof limit, "%llu", (unsigned long long)rows[i].max);
            assert_non_null(strstr(err.msg, limit)); /* the message names the limit */
            assert_string_equal(hex, "");            /* no partial digest */
            assert_int_equal(size, 0);
        }
    }
    unlink(path);
    free(data);
}

static void test_errors(void **state)
{
    (void)state;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%.3000s/sohoa-hash-no-such-file-%ld", tmp_dir, (long)getpid());
    char hex[SOHOA_SHA256_HEX] = "stale";
    uint64_t size = 5;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_sha256_file(path, 0, hex, &size, &err), SOHOA_ENOTFOUND);
    assert_int_equal(err.code, SOHOA_ENOTFOUND);
    assert_non_null(strstr(err.msg, path));
    assert_string_equal(hex, "");
    assert_int_equal(size, 0);
    assert_int_equal(sohoa_sha256_file(path, 0, hex, NULL, NULL), SOHOA_ENOTFOUND);

    /* a directory opens but cannot be read */
    sohoa_err_clear(&err);
    assert_int_equal(sohoa_sha256_file(tmp_dir, 0, hex, &size, &err), SOHOA_EIO);
    assert_int_equal(err.code, SOHOA_EIO);
    assert_string_equal(hex, "");
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s", t && *t ? t : "/tmp");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_mem_and_file),
        cmocka_unit_test(test_file_matches_mem),
        cmocka_unit_test(test_max_bytes),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, remove_made);
}
