/* test_log.c — the log sink (pipeline/base/log.h): the line's shape with and without a component,
 * leading newlines before the prefix, the minimum level from SOHOA_LOG_LEVEL (read once, in a
 * child process so the environment is the child's own) and from sohoa_log_set_level, level names
 * parsed, a long message kept whole, and lines from several threads never interleaved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipeline/base/err.h"
#include "pipeline/base/log.h"

/* stderr goes to a temporary file for the test; captured() gives what was written. */
static char cap_path[64];
static int saved_stderr = -1;

static void capture_start(void)
{
    (void)snprintf(cap_path, sizeof cap_path, "/tmp/sohoa-log-XXXXXX");
    int fd = mkstemp(cap_path);
    assert_true(fd >= 0);
    assert_int_equal(fflush(stderr), 0);
    saved_stderr = dup(STDERR_FILENO);
    assert_true(saved_stderr >= 0);
    assert_true(dup2(fd, STDERR_FILENO) >= 0);
    assert_int_equal(close(fd), 0);
}

/* The captured text (caller frees); stderr is restored. */
static char *capture_end(void)
{
    assert_int_equal(fflush(stderr), 0);
    assert_true(dup2(saved_stderr, STDERR_FILENO) >= 0);
    assert_int_equal(close(saved_stderr), 0);
    FILE *f = fopen(cap_path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 22);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 22) - 1, f);
    buf[n] = '\0';
    (void)fclose(f); /* read only */
    (void)unlink(cap_path);
    return buf;
}

static void test_line_shape(void **state)
{
    (void)state;
    sohoa_log_set_level(SOHOA_LOG_INFO);
    capture_start();
    sohoa_log(SOHOA_LOG_WARN, "worker", "%s (reconnecting)", "broker away");
    sohoa_log(SOHOA_LOG_ERROR, "webhook", "k1 dead-lettered after %d attempt(s): %s", 3, "410");
    sohoa_log(SOHOA_LOG_INFO, "serve", "this process processed %ld page(s)", 2L);
    sohoa_log(SOHOA_LOG_INFO, NULL, "no component");
    sohoa_log(SOHOA_LOG_WARN, "", "empty component");
    sohoa_log(SOHOA_LOG_WARN, "wait", "\ncatalog unavailable, still waiting: %s", "down");
    char *got = capture_end();
    assert_string_equal(got, "sohoa[worker]: WARN: broker away (reconnecting)\n"
                             "sohoa[webhook]: ERROR: k1 dead-lettered after 3 attempt(s): 410\n"
                             "sohoa[serve]: INFO: this process processed 2 page(s)\n"
                             "sohoa: INFO: no component\n"
                             "sohoa: WARN: empty component\n"
                             "\nsohoa[wait]: WARN: catalog unavailable, still waiting: down\n");
    free(got);
}

static void test_set_level(void **state)
{
    (void)state;
    capture_start();
    sohoa_log_set_level(SOHOA_LOG_WARN);
    sohoa_log(SOHOA_LOG_INFO, "t", "dropped");
    sohoa_log(SOHOA_LOG_WARN, "t", "kept warn");
    sohoa_log(SOHOA_LOG_ERROR, "t", "kept error");
    sohoa_log_set_level(SOHOA_LOG_ERROR);
    sohoa_log(SOHOA_LOG_WARN, "t", "dropped");
    sohoa_log(SOHOA_LOG_ERROR, "t", "kept again");
    sohoa_log_set_level(SOHOA_LOG_INFO);
    sohoa_log(SOHOA_LOG_INFO, "t", "info back");
    char *got = capture_end();
    assert_string_equal(got, "sohoa[t]: WARN: kept warn\n"
                             "sohoa[t]: ERROR: kept error\n"
                             "sohoa[t]: ERROR: kept again\n"
                             "sohoa[t]: INFO: info back\n");
    free(got);
}

/* In a child (its own first message, its own environment): what SOHOA_LOG_LEVEL=`level` keeps. */
static char *child_with_env(const char *level)
{
    capture_start();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (level)
            (void)setenv("SOHOA_LOG_LEVEL", level, 1);
        else
            (void)unsetenv("SOHOA_LOG_LEVEL");
        sohoa_log(SOHOA_LOG_INFO, "c", "info");
        sohoa_log(SOHOA_LOG_WARN, "c", "warn");
        sohoa_log(SOHOA_LOG_ERROR, "c", "error");
        _exit(0);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return capture_end();
}

static void test_env_level(void **state)
{
    (void)state;
    static const struct {
        const char *env, *want;
    } cases[] = {
        {NULL, "sohoa[c]: INFO: info\nsohoa[c]: WARN: warn\nsohoa[c]: ERROR: error\n"},
        {"info", "sohoa[c]: INFO: info\nsohoa[c]: WARN: warn\nsohoa[c]: ERROR: error\n"},
        {"WARN", "sohoa[c]: WARN: warn\nsohoa[c]: ERROR: error\n"},
        {"warning", "sohoa[c]: WARN: warn\nsohoa[c]: ERROR: error\n"},
        {"error", "sohoa[c]: ERROR: error\n"},
        {"loud", "sohoa[c]: INFO: info\nsohoa[c]: WARN: warn\nsohoa[c]: ERROR: error\n"},
    };
    /* a child inherits this process's state: main runs this case before any other logs */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = child_with_env(cases[i].env);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
}

static void test_parse(void **state)
{
    (void)state;
    enum sohoa_log_level l = SOHOA_LOG_INFO;
    assert_int_equal(sohoa_log_level_parse("Error", &l), 0);
    assert_int_equal(l, SOHOA_LOG_ERROR);
    assert_int_equal(sohoa_log_level_parse("warn", &l), 0);
    assert_int_equal(l, SOHOA_LOG_WARN);
    assert_int_equal(sohoa_log_level_parse("INFO", &l), 0);
    assert_int_equal(l, SOHOA_LOG_INFO);
    assert_int_equal(sohoa_log_level_parse("debug", &l), SOHOA_EINVAL);
    assert_int_equal(sohoa_log_level_parse(NULL, &l), SOHOA_EINVAL);
    assert_int_equal(l, SOHOA_LOG_INFO); /* kept */
}

static void test_long_message(void **state)
{
    (void)state;
    sohoa_log_set_level(SOHOA_LOG_INFO);
    size_t n = 100000;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'x', n);
    big[n] = '\0';
    capture_start();
    sohoa_log(SOHOA_LOG_ERROR, "big", "[%s]", big);
    char *got = capture_end();
    assert_int_equal(strlen(got), strlen("sohoa[big]: ERROR: []\n") + n);
    assert_memory_equal(got, "sohoa[big]: ERROR: [xxx", 23);
    assert_string_equal(got + strlen(got) - 3, "x]\n");
    free(got);
    free(big);
}

#define THREADS 4
#define LINES   500

static void *writer(void *arg)
{
    int id = (int)(intptr_t)arg;
    char pad[300];
    memset(pad, 'a' + id, sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    for (int i = 0; i < LINES; i++)
        sohoa_log(SOHOA_LOG_INFO, "thread", "%d %04d %s", id, i, pad);
    return NULL;
}

/* Each line is whole: prefix, the thread's id and number, its own padding, one newline. */
static void test_threads(void **state)
{
    (void)state;
    sohoa_log_set_level(SOHOA_LOG_INFO);
    capture_start();
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, writer, (void *)(intptr_t)i), 0);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    char *got = capture_end();
    int seen[THREADS] = {0};
    size_t lines = 0;
    for (char *line = got, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        assert_non_null(end);
        *end = '\0';
        int id = -1, no = -1;
        char pad[400] = "";
        assert_int_equal(sscanf(line, "sohoa[thread]: INFO: %d %d %399s", &id, &no, pad), 3);
        assert_true(id >= 0 && id < THREADS);
        assert_int_equal(no, seen[id]); /* in order within a thread */
        seen[id]++;
        assert_int_equal(strlen(pad), 299);
        assert_int_equal(strspn(pad, (char[]){(char)('a' + id), '\0'}), 299);
        lines++;
    }
    assert_int_equal(lines, THREADS * LINES);
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* first, while this process has not read SOHOA_LOG_LEVEL: its children read their own */
        cmocka_unit_test(test_env_level),    cmocka_unit_test(test_line_shape),
        cmocka_unit_test(test_set_level),    cmocka_unit_test(test_parse),
        cmocka_unit_test(test_long_message), cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
