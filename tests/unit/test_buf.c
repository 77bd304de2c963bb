/* test_buf.c — the capped growable buffer (pipeline/base/buf.h): adds of every kind and the NUL
 * after them, binary bytes, the cap at its exact edge (all of an add or none), sizes that would
 * wrap around SIZE_MAX, an allocation that cannot succeed, the sticky failure over a chain of adds,
 * addf with output longer than the room there is (and longer than the first allocation, up to
 * megabytes), setlen back to a mark, reserve, reset, release, and take-ownership.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/base/buf.h"
#include "pipeline/base/err.h"

/* An allocation of more than a sanitizer supports must come back NULL, not end the program. */
#if defined(__SANITIZE_ADDRESS__)
#define BUF_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BUF_TEST_ASAN 1
#endif
#endif
#ifdef BUF_TEST_ASAN
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}
#endif

static void test_adds(void **state)
{
    (void)state;
    struct sohoa_buf b;
    sohoa_buf_init(&b, 1024);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(sohoa_buf_add(&b, NULL, 0), 0);
    assert_int_equal(sohoa_buf_adds(&b, "SELECT "), 0);
    assert_int_equal(sohoa_buf_addc(&b, '*'), 0);
    assert_int_equal(sohoa_buf_add(&b, " FROM tx", 5), 0);
    assert_int_equal(sohoa_buf_addf(&b, " WHERE id = %d AND name = '%s'", 42, "đường"), 0);
    assert_string_equal(b.data, "SELECT * FROM WHERE id = 42 AND name = 'đường'");
    assert_int_equal(b.len, strlen(b.data));
    assert_true(b.cap > b.len);
    assert_int_equal(b.failed, 0);
    sohoa_buf_release(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
}

static void test_static_init_and_binary(void **state)
{
    (void)state;
    struct sohoa_buf b = SOHOA_BUF_INIT(16);
    const char bytes[] = {'a', '\0', 'b', '\0'};
    assert_int_equal(sohoa_buf_add(&b, bytes, sizeof bytes), 0);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, bytes, 4);
    assert_int_equal(b.data[4], '\0');
    assert_int_equal(sohoa_buf_addc(&b, '\0'), 0);
    assert_int_equal(b.len, 5);
    sohoa_buf_release(&b);
}

/* Growth from small to large keeps every byte, in order. */
static void test_growth(void **state)
{
    (void)state;
    struct sohoa_buf b;
    sohoa_buf_init(&b, 1 << 20);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(sohoa_buf_addc(&b, (char)('a' + i % 26)), 0);
    assert_int_equal(b.len, 100000);
    for (size_t i = 0; i < b.len; i++)
        assert_int_equal(b.data[i], 'a' + (int)(i % 26));
    assert_int_equal(b.data[b.len], '\0');
    assert_true(b.cap <= (1 << 20) + 1);
    sohoa_buf_release(&b);
}

/* The cap at its edge: exactly `max` bytes fit, one more is SOHOA_ELIMIT, and a refused add
 * leaves nothing of itself. The allocation never passes max + 1. */
static void test_cap(void **state)
{
    (void)state;
    struct sohoa_buf b;
    sohoa_buf_init(&b, 10);
    assert_int_equal(sohoa_buf_adds(&b, "0123456"), 0);
    assert_int_equal(sohoa_buf_adds(&b, "7890"), SOHOA_ELIMIT); /* 11 > 10: none of it */
    assert_int_equal(b.len, 7);
    assert_string_equal(b.data, "0123456");
    assert_int_equal(b.failed, SOHOA_ELIMIT);
    sohoa_buf_reset(&b);
    assert_int_equal(b.failed, 0);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_int_equal(sohoa_buf_adds(&b, "0123456789"), 0); /* exactly the cap */
    assert_int_equal(b.len, 10);
    assert_true(b.cap <= 11);
    assert_int_equal(sohoa_buf_addc(&b, 'x'), SOHOA_ELIMIT);
    assert_string_equal(b.data, "0123456789");
    sohoa_buf_reset(&b);
    assert_int_equal(sohoa_buf_addf(&b, "%s-%d", "abcdefgh", 12), SOHOA_ELIMIT); /* 11 bytes */
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    sohoa_buf_reset(&b);
    assert_int_equal(sohoa_buf_addf(&b, "%s-%d", "abcdefg", 12), 0); /* 10 bytes */
    assert_string_equal(b.data, "abcdefg-12");
    sohoa_buf_release(&b);

    sohoa_buf_init(&b, 0); /* nothing may be added, but "" can be taken */
    assert_int_equal(sohoa_buf_add(&b, NULL, 0), 0);
    assert_int_equal(sohoa_buf_addc(&b, 'x'), SOHOA_ELIMIT);
    sohoa_buf_reset(&b);
    char *s = NULL;
    assert_int_equal(sohoa_buf_take(&b, &s, NULL), 0);
    assert_string_equal(s, "");
    free(s);
}

/* Sizes near SIZE_MAX: refused as past the cap, never wrapped into a small allocation. */
static void test_overflow_near_size_max(void **state)
{
    (void)state;
    struct sohoa_buf b;
    sohoa_buf_init(&b, SIZE_MAX); /* taken as SIZE_MAX - 1, so the NUL fits */
    assert_int_equal(b.max, SIZE_MAX - 1);
    assert_int_equal(sohoa_buf_adds(&b, "0123456789"), 0);
    /* 10 + (SIZE_MAX - 10) = SIZE_MAX bytes: one past the cap */
    assert_int_equal(sohoa_buf_add(&b, "x", SIZE_MAX - 10), SOHOA_ELIMIT);
    assert_string_equal(b.data, "0123456789");
    sohoa_buf_reset(&b);
    assert_int_equal(sohoa_buf_adds(&b, "0123456789"), 0);
    assert_int_equal(sohoa_buf_add(&b, "x", SIZE_MAX), SOHOA_ELIMIT); /* would wrap to 9 */
    sohoa_buf_reset(&b);
    assert_int_equal(sohoa_buf_adds(&b, "0123456789"), 0);
    assert_int_equal(sohoa_buf_add(&b, "x", SIZE_MAX - 9), SOHOA_ELIMIT); /* len + n + 1 wraps */
    assert_int_equal(b.len, 10);
    sohoa_buf_release(&b);

    /* within the cap but more than any machine has: SOHOA_ENOMEM, and the bytes held stay */
    sohoa_buf_init(&b, SIZE_MAX);
    assert_int_equal(sohoa_buf_adds(&b, "kept"), 0);
    assert_int_equal(sohoa_buf_add(&b, "x", SIZE_MAX / 2), SOHOA_ENOMEM);
    assert_string_equal(b.data, "kept");
    assert_int_equal(b.failed, SOHOA_ENOMEM);
    char *s = (char *)"not touched";
    size_t n = 99;
    assert_int_equal(sohoa_buf_take(&b, &s, &n), SOHOA_ENOMEM);
    assert_null(s);
    assert_int_equal(n, 0);
    assert_null(b.data); /* released */

    /* a struct filled in by hand with max = SIZE_MAX is treated the same */
    struct sohoa_buf h = {NULL, 0, 0, SIZE_MAX, 0};
    assert_int_equal(sohoa_buf_add(&h, "x", SIZE_MAX), SOHOA_ELIMIT);
    assert_int_equal(sohoa_buf_adds(&h, "y"), SOHOA_ELIMIT); /* sticky */
    sohoa_buf_release(&h);
}

/* After a failure every add returns it and changes nothing, until reset: one check at the end. */
static void test_sticky(void **state)
{
    (void)state;
    struct sohoa_buf b;
    sohoa_buf_init(&b, 8);
    (void)sohoa_buf_adds(&b, "abc");
    (void)sohoa_buf_adds(&b, "defghi"); /* fails: 9 > 8 */
    (void)sohoa_buf_adds(&b, "j");      /* would fit, but the chain already failed */
    (void)sohoa_buf_addc(&b, 'k');
    (void)sohoa_buf_addf(&b, "%d", 1);
    assert_int_equal(sohoa_buf_setlen(&b, 1), SOHOA_ELIMIT);
    assert_int_equal(b.failed, SOHOA_ELIMIT);
    assert_string_equal(b.data, "abc");
    char *s = NULL;
    assert_int_equal(sohoa_buf_take(&b, &s, NULL), SOHOA_ELIMIT);
    assert_null(s);
}

/* addf past the room there is, past the first allocation, and megabytes long. */
static void test_addf_long(void **state)
{
    (void)state;
    struct sohoa_buf b;
    sohoa_buf_init(&b, 16 << 20);
    assert_int_equal(sohoa_buf_adds(&b, "head:"), 0);
    char *big = malloc(3 << 20);
    assert_non_null(big);
    memset(big, 'z', (3 << 20) - 1);
    big[(3 << 20) - 1] = '\0';
    assert_int_equal(sohoa_buf_addf(&b, "[%s|%05d]", big, 7), 0);
    assert_int_equal(b.len, 5 + 1 + ((3 << 20) - 1) + 7);
    assert_memory_equal(b.data, "head:[zzz", 9);
    assert_string_equal(b.data + b.len - 7, "|00007]");
    assert_int_equal(b.data[b.len], '\0');
    /* many small ones, each just past the room left */
    sohoa_buf_reset(&b);
    size_t want = 0;
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(sohoa_buf_addf(&b, "%.*s;", i % 300, big), 0);
        want += (size_t)(i % 300) + 1;
    }
    assert_int_equal(b.len, want);
    assert_int_equal(strlen(b.data), want);
    free(big);
    sohoa_buf_release(&b);
}

static int vadd(struct sohoa_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int vadd(struct sohoa_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = sohoa_buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

static void test_vaddf(void **state)
{
    (void)state;
    struct sohoa_buf b;
    sohoa_buf_init(&b, 4096);
    char word[200];
    memset(word, 'w', sizeof word - 1);
    word[sizeof word - 1] = '\0';
    assert_int_equal(vadd(&b, "%s=%s", "k", word), 0); /* longer than the first allocation */
    assert_int_equal(b.len, 2 + 199);
    assert_int_equal(vadd(&b, "%c%zu", ',', (size_t)5), 0);
    assert_string_equal(b.data + 201, ",5");
    sohoa_buf_release(&b);
}

static void test_setlen(void **state)
{
    (void)state;
    struct sohoa_buf b;
    sohoa_buf_init(&b, 100);
    assert_int_equal(sohoa_buf_adds(&b, "{canon} : ("), 0);
    size_t mark = b.len;
    assert_int_equal(sohoa_buf_adds(&b, "\"x\" AND "), 0);
    assert_int_equal(sohoa_buf_setlen(&b, mark), 0);
    assert_int_equal(sohoa_buf_addc(&b, ')'), 0);
    assert_string_equal(b.data, "{canon} : ()");
    assert_int_equal(sohoa_buf_setlen(&b, b.len + 1), SOHOA_EINVAL);
    sohoa_buf_release(&b);
    assert_int_equal(sohoa_buf_setlen(&b, 0), 0); /* empty, never allocated */
    assert_null(b.data);
}

/* reserve: one allocation of exactly what is asked, adds up to it keep the memory in place. */
static void test_reserve(void **state)
{
    (void)state;
    struct sohoa_buf b;
    sohoa_buf_init(&b, 1000);
    assert_int_equal(sohoa_buf_reserve(&b, 500), 0);
    assert_int_equal(b.cap, 501);
    assert_string_equal(b.data, "");
    char *at = b.data;
    for (int i = 0; i < 50; i++)
        assert_int_equal(sohoa_buf_adds(&b, "0123456789"), 0);
    assert_ptr_equal(b.data, at);
    assert_int_equal(b.len, 500);
    assert_int_equal(sohoa_buf_reserve(&b, 100), 0); /* grows by exactly that */
    assert_int_equal(b.cap, 601);
    assert_int_equal(sohoa_buf_reserve(&b, 501), SOHOA_ELIMIT);
    assert_int_equal(b.len, 500);
    sohoa_buf_reset(&b); /* keeps the memory, clears the failure */
    assert_int_equal(b.cap, 601);
    assert_int_equal(sohoa_buf_reserve(&b, 10), 0);
    assert_int_equal(b.cap, 601);
    sohoa_buf_release(&b);
    sohoa_buf_init(&b, SIZE_MAX);
    assert_int_equal(sohoa_buf_reserve(&b, SIZE_MAX / 2), SOHOA_ENOMEM);
    assert_null(b.data);
    sohoa_buf_release(&b);
}

/* take hands the bytes over and leaves an empty, reusable buffer. */
static void test_take(void **state)
{
    (void)state;
    struct sohoa_buf b;
    sohoa_buf_init(&b, 64);
    char *s = NULL;
    size_t n = 99;
    assert_int_equal(sohoa_buf_take(&b, &s, &n), 0); /* nothing added: an allocated "" */
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(n, 0);
    free(s);
    assert_int_equal(sohoa_buf_addf(&b, "%s %d", "trang", 3), 0);
    char *data = b.data;
    assert_int_equal(sohoa_buf_take(&b, &s, &n), 0);
    assert_ptr_equal(s, data); /* the same memory, not a copy */
    assert_string_equal(s, "trang 3");
    assert_int_equal(n, 7);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_int_equal(b.max, 64);
    assert_int_equal(sohoa_buf_adds(&b, "again"), 0); /* reusable, same cap */
    assert_string_equal(b.data, "again");
    free(s);
    sohoa_buf_release(&b);
    sohoa_buf_release(&b); /* twice is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adds),
        cmocka_unit_test(test_static_init_and_binary),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_overflow_near_size_max),
        cmocka_unit_test(test_sticky),
        cmocka_unit_test(test_addf_long),
        cmocka_unit_test(test_vaddf),
        cmocka_unit_test(test_setlen),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_take),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
