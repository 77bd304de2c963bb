/* support.h — small helpers shared by the cmocka unit tests (include after <cmocka.h>). */
#ifndef SOHOA_TEST_SUPPORT_H
#define SOHOA_TEST_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>

/* The whole file, NUL-terminated; fails the test when it cannot be read. Caller frees. */
static inline char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail_msg("cannot open %s", path);
        return NULL; /* not reached: fail_msg leaves the test */
    }
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        (void)fclose(f);
        fail_msg("cannot size %s", path);
        return NULL; /* not reached */
    }
    char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    (void)fclose(f); /* read only: nothing to lose */
    buf[size] = '\0';
    *len = (size_t)size;
    return buf;
}

#endif
