/* test_objstore_s3.c — what only the S3 backend (storage/objstore_s3.c) has: its URL and
 * environment, how S3 failures become sohoa errors, retries, the stall timeout, and timings.
 * The shared behaviour is in test_objstore.c's conformance table, which
 * tests/integration/s3_conformance.sh runs against s3rver.
 *
 * Always run, with no server to install: bad URLs and settings, credentials sources; a closed
 * port; a listener that never answers; and a canned HTTP server in a thread on 127.0.0.1 that
 * answers each request with what the case scripts (500 without a body to a PUT, a body cut short,
 * 403 SignatureDoesNotMatch, NoSuchBucket, …), counting the requests so retries are seen, and
 * checking that a failed get_file leaves no temporary file. No message may hold the secret key.
 * Run by s3_conformance.sh against a real S3 server (SOHOA_TEST_S3_ENDPOINT, SOHOA_TEST_S3_BUCKET,
 * SOHOA_S3_ACCESS_KEY/SOHOA_S3_SECRET_KEY set): refused credentials, a missing bucket, many
 * threads on distinct keys, and timings (20 MB put/get throughput, per-object latency) printed
 * beside the directory backend's.
 * No assertion is made about speed, except that retries back off and end within a deadline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "storage/objstore.h"
#include "pipeline/base/deadline.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const SECRET = "sEcReT-never-printed-42";

/* Sets the backend's environment for one case: endpoint and credentials, nothing else. */
static void s3_env(const char *endpoint, const char *access, const char *secret)
{
    const char *clear[] = {"SOHOA_S3_ENDPOINT",     "SOHOA_S3_ACCESS_KEY",
                           "SOHOA_S3_SECRET_KEY",   "AWS_ACCESS_KEY_ID",
                           "AWS_SECRET_ACCESS_KEY", "SOHOA_S3_CREDENTIALS_FILE",
                           "SOHOA_S3_HTTPS",        "SOHOA_S3_TIMEOUT_MS"};
    for (size_t i = 0; i < COUNT(clear); i++)
        unsetenv(clear[i]);
    if (endpoint)
        setenv("SOHOA_S3_ENDPOINT", endpoint, 1);
    if (access)
        setenv("SOHOA_S3_ACCESS_KEY", access, 1);
    if (secret)
        setenv("SOHOA_S3_SECRET_KEY", secret, 1);
}

/* Opens `url`, expecting failure `want`; returns the message. */
static void open_fails(const char *url, int want, struct sohoa_err *err)
{
    struct sohoa_objstore *s = (struct sohoa_objstore *)err; /* must be reset to NULL */
    sohoa_err_clear(err);
    int rc = sohoa_objstore_open(url, &s, err);
    if (rc != want)
        fail_msg("open %s: %d (%s), want %d", url, rc, err->msg, want);
    assert_null(s);
    assert_true(err->msg[0] != '\0');
    if (strstr(err->msg, SECRET))
        fail_msg("the secret key leaked into a message: %s", err->msg);
}

/* A TCP port on 127.0.0.1 that nothing listens on (bound, then closed). */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* A listening socket on 127.0.0.1; *port receives its port. */
static int listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* ---- canned HTTP server -----------------------------------------------------------------------
 */

struct answer {
    int status;
    const char *body; /* NULL: none */
    long announce;    /* Content-Length to announce; -1: the body's length */
};

typedef struct answer (*answer_fn)(const char *method, const char *path);

struct fake {
    int fd, port;
    pthread_t thread;
    atomic_bool stop;
    answer_fn answer;
    atomic_int n_get, n_put, n_head;
    char last_path[1200];
};

static const char *xml_error(const char *code, const char *message)
{
    static char buf[512]; /* answers are made on the server thread only */
    snprintf(buf, sizeof buf,
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s"
             "</Message><RequestId>1</RequestId></Error>",
             code, message);
    return buf;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void serve_one(struct fake *f, int c)
{
    char buf[16384];
    size_t got = 0;
    char *end = NULL;
    while (!end && got < sizeof buf - 1) {
        ssize_t r = recv(c, buf + got, sizeof buf - 1 - got, 0);
        if (r <= 0)
            return;
        got += (size_t)r;
        buf[got] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (!end)
        return;
    char method[16] = "", path[1200] = "";
    sscanf(buf, "%15s %1199s", method, path);
    snprintf(f->last_path, sizeof f->last_path, "%s", path);
    long clen = 0;
    bool expect = false;
    for (char *line = strstr(buf, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
        if (!strncasecmp(line + 2, "Content-Length:", 15))
            clen = atol(line + 17);
        if (!strncasecmp(line + 2, "Expect: 100-continue", 20))
            expect = true;
    }
    if (!strcmp(method, "GET"))
        atomic_fetch_add(&f->n_get, 1);
    else if (!strcmp(method, "PUT"))
        atomic_fetch_add(&f->n_put, 1);
    else if (!strcmp(method, "HEAD"))
        atomic_fetch_add(&f->n_head, 1);
    if (expect)
        write_all(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    long body = (long)(got - (size_t)(end + 4 - buf));
    while (body < clen) { /* read and drop the request body */
        ssize_t r = recv(c, buf, sizeof buf, 0);
        if (r <= 0)
            return;
        body += r;
    }
    struct answer a = f->answer(method, path);
    size_t blen = a.body ? strlen(a.body) : 0;
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d Canned\r\nContent-Length: %ld\r\nContent-Type: "
                     "application/xml\r\nConnection: close\r\n\r\n",
                     a.status, a.announce >= 0 ? a.announce : (long)blen);
    write_all(c, head, (size_t)n);
    if (a.body && strcmp(method, "HEAD") != 0)
        write_all(c, a.body, blen);
}

static void *fake_main(void *p)
{
    struct fake *f = p;
    while (!atomic_load(&f->stop)) {
        struct pollfd pf = {f->fd, POLLIN, 0};
        if (poll(&pf, 1, 50) <= 0)
            continue;
        int c = accept(f->fd, NULL, NULL); /* non-blocking: the client may have gone */
        if (c < 0)
            continue;
        struct timeval tv = {2, 0}; /* a client that stops talking does not hang the server */
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        serve_one(f, c);
        shutdown(c, SHUT_WR);
        close(c);
    }
    return NULL;
}

static struct answer probe_ok(const char *method, const char *path)
{
    (void)method;
    (void)path;
    return (struct answer){404, xml_error("NoSuchKey", "The specified key does not exist."), -1};
}

/* Starts the fake server and opens s3://bucket/pre on it (the open-time probe gets NoSuchKey). */
static struct sohoa_objstore *fake_start(struct fake *f, answer_fn answer)
{
    memset(f, 0, sizeof *f);
    f->fd = listener(&f->port);
    fcntl(f->fd, F_SETFL, O_NONBLOCK);
    f->answer = probe_ok;
    assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
    char ep[64];
    snprintf(ep, sizeof ep, "127.0.0.1:%d", f->port);
    s3_env(ep, "AKFAKE", SECRET);
    struct sohoa_err err = {0};
    struct sohoa_objstore *s = NULL;
    int rc = sohoa_objstore_open("s3://bucket/pre", &s, &err);
    if (rc != 0)
        fail_msg("open on the fake server: %d %s", rc, err.msg);
    f->answer = answer;
    atomic_store(&f->n_get, 0);
    return s;
}

static void fake_stop(struct fake *f, struct sohoa_objstore **s)
{
    sohoa_objstore_free(s);
    atomic_store(&f->stop, true);
    pthread_join(f->thread, NULL);
    close(f->fd);
}

/* ---- cases without a server ------------------------------------------------------------------ */

static void test_bad_urls_and_settings(void **state)
{
    (void)state;
    struct sohoa_err err;
    s3_env("127.0.0.1:1", "AK", SECRET);
    const struct {
        const char *url;
        const char *in_msg;
    } rows[] = {
        {"s3://", "no bucket"},
        {"s3:///prefix", "no bucket"},
        {"s3://a", "bad bucket name"}, /* too short */
        {"s3://bad!bucket/x", "bad bucket name"},
        {"s3://bucket/pre fix", "prefix"},
        {"s3://bucket/a/../b", "prefix"},
        {"s3://AK:sEcReT-never-printed-42@bucket/x", "without credentials"},
        {"s3://bucket/x?versionId=1", "without credentials"},
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        open_fails(rows[i].url, SOHOA_EINVAL, &err);
        if (!strstr(err.msg, rows[i].in_msg))
            fail_msg("open %s: \"%s\" does not say \"%s\"", rows[i].url, err.msg, rows[i].in_msg);
        assert_false(err.retryable);
    }

    s3_env("127.0.0.1:1", NULL, NULL);
    open_fails("s3://bucket/x", SOHOA_EINVAL, &err);
    assert_non_null(strstr(err.msg, "SOHOA_S3_ACCESS_KEY"));
    s3_env("127.0.0.1:1", "AK", NULL);
    open_fails("s3://bucket/x", SOHOA_EINVAL, &err);
    assert_non_null(strstr(err.msg, "SOHOA_S3_SECRET_KEY"));
    s3_env("127.0.0.1:1", NULL, NULL);
    setenv("SOHOA_S3_CREDENTIALS_FILE", "/nonexistent/sohoa-creds", 1);
    open_fails("s3://bucket/x", SOHOA_EINVAL, &err);
    assert_non_null(strstr(err.msg, "/nonexistent/sohoa-creds"));

    s3_env("http://127.0.0.1:1", "AK", SECRET);
    open_fails("s3://bucket/x", SOHOA_EINVAL, &err);
    assert_non_null(strstr(err.msg, "SOHOA_S3_ENDPOINT"));
    s3_env("127.0.0.1:1", "AK", SECRET);
    setenv("SOHOA_S3_HTTPS", "yes", 1);
    open_fails("s3://bucket/x", SOHOA_EINVAL, &err);
    assert_non_null(strstr(err.msg, "SOHOA_S3_HTTPS"));
    s3_env("127.0.0.1:1", "AK", SECRET);
    setenv("SOHOA_S3_TIMEOUT_MS", "0", 1);
    open_fails("s3://bucket/x", SOHOA_EINVAL, &err);
    assert_non_null(strstr(err.msg, "SOHOA_S3_TIMEOUT_MS"));
}

/* Credentials from a file (and from AWS_* variables) reach the server: the fake server's probe
 * answer proves a request went out; a refusal would show as an error. */
static void test_credentials_sources(void **state)
{
    (void)state;
    struct fake f;
    struct sohoa_objstore *s = fake_start(&f, probe_ok);
    char ep[64];
    snprintf(ep, sizeof ep, "127.0.0.1:%d", f.port);
    struct sohoa_err err = {0};

    s3_env(ep, NULL, NULL);
    setenv("AWS_ACCESS_KEY_ID", "AKAWS", 1);
    setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
    struct sohoa_objstore *s2 = NULL;
    assert_int_equal(sohoa_objstore_open("s3://bucket", &s2, &err), 0);
    sohoa_objstore_free(&s2);

    char path[] = "/tmp/sohoa-s3-creds-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    dprintf(fd, "# test\n[default]\naccess_key = AKFILE\nsecret_key = %s\n", SECRET);
    close(fd);
    s3_env(ep, NULL, NULL);
    setenv("SOHOA_S3_CREDENTIALS_FILE", path, 1);
    assert_int_equal(sohoa_objstore_open("s3://bucket/p/", &s2, &err), 0);
    sohoa_objstore_free(&s2);

    fd = open(path, O_WRONLY | O_TRUNC);
    dprintf(fd, "access_key = AKFILE\n");
    close(fd);
    open_fails("s3://bucket", SOHOA_EINVAL, &err);
    assert_non_null(strstr(err.msg, "secret_key"));
    unlink(path);
    fake_stop(&f, &s);
}

static void test_server_down(void **state)
{
    (void)state;
    char ep[64];
    snprintf(ep, sizeof ep, "127.0.0.1:%d", closed_port());
    s3_env(ep, "AK", SECRET);
    struct sohoa_err err;
    double t0 = sohoa_now_ms();
    open_fails("s3://bucket/x", SOHOA_EIO, &err);
    double ms = sohoa_now_ms() - t0;
    print_message("  closed port: %s (%.0f ms)\n", err.msg, ms);
    assert_true(err.retryable);
    assert_non_null(strstr(err.msg, ep));
    assert_non_null(strstr(err.msg, "after 3 attempts"));
    assert_true(ms >= 290); /* the backoff between the attempts: 100 + 200 ms */
    assert_true(ms < 10000);
}

static void test_stall_timeout(void **state)
{
    (void)state;
    int port = 0;
    int fd = listener(&port); /* accepts connections (the kernel does) and never answers */
    char ep[64];
    snprintf(ep, sizeof ep, "127.0.0.1:%d", port);
    s3_env(ep, "AK", SECRET);
    setenv("SOHOA_S3_TIMEOUT_MS", "250", 1);
    struct sohoa_err err;
    double t0 = sohoa_now_ms();
    open_fails("s3://bucket/x", SOHOA_EIO, &err);
    double ms = sohoa_now_ms() - t0;
    print_message("  silent server: %s (%.0f ms)\n", err.msg, ms);
    assert_true(err.retryable);
    assert_non_null(strstr(err.msg, "no progress"));
    assert_true(ms >= 3 * 250 + 300 - 10);
    assert_true(ms < 10000);
    close(fd);
}

static struct answer put_500(const char *method, const char *path)
{
    (void)path;
    if (!strcmp(method, "PUT"))
        return (struct answer){500, NULL, -1};
    return probe_ok(method, path);
}

/* libs3 2.0 can take the status of a PUT before the server answered: a 500 with no body must
 * still fail (small bodies go at once, large ones after "100 Continue"). */
static void test_put_server_error_is_retried(void **state)
{
    (void)state;
    struct fake f;
    struct sohoa_objstore *s = fake_start(&f, put_500);
    struct sohoa_err err = {0};
    static uint8_t big[3 << 20];
    const size_t sizes[] = {0, 5, sizeof big};
    for (size_t i = 0; i < COUNT(sizes); i++) {
        atomic_store(&f.n_put, 0);
        int rc = sohoa_obj_put_mem(s, "k/v", big, sizes[i], &err);
        if (rc != SOHOA_EIO)
            fail_msg("put of %zu bytes answered 500: %d (%s), want SOHOA_EIO", sizes[i], rc,
                     err.msg);
        assert_true(err.retryable);
        assert_int_equal(atomic_load(&f.n_put), 3);
        assert_string_equal(f.last_path, "/bucket/pre/k/v");
    }
    fake_stop(&f, &s);
}

static struct answer get_answers(const char *method, const char *path)
{
    static char half[501];
    memset(half, 'h', 500);
    if (strstr(path, "/slow-down"))
        return (struct answer){503, NULL, -1};
    if (strstr(path, "/cut-short"))
        return (struct answer){200, half, 1000};
    if (strstr(path, "/too-big"))
        return (struct answer){200, half, -1};
    if (strstr(path, "/refused"))
        return (struct answer){403, xml_error("SignatureDoesNotMatch", "bad signature"), -1};
    if (strstr(path, "/denied"))
        return (struct answer){403, NULL, -1};
    if (strstr(path, "/no-bucket"))
        return (struct answer){404, xml_error("NoSuchBucket", "no bucket"), -1};
    if (strstr(path, "/ok"))
        return (struct answer){200, half, -1};
    if (!strcmp(method, "PUT"))
        return (struct answer){200, NULL, -1};
    return probe_ok(method, path);
}

static void test_status_translation(void **state)
{
    (void)state;
    struct fake f;
    struct sohoa_objstore *s = fake_start(&f, get_answers);
    const struct {
        const char *key;
        size_t max_len;
        int want;
        bool retryable;
        int gets; /* requests the fake server sees */
        const char *in_msg;
    } rows[] = {
        {"ok", 1000, 0, false, 1, ""},
        {"missing", 1000, SOHOA_ENOTFOUND, false, 1, "no object missing"},
        {"slow-down", 1000, SOHOA_EIO, true, 3, "after 3 attempts"},
        {"cut-short", 1000, SOHOA_EIO, true, 3, "500 of the 1000 bytes"},
        {"too-big", 499, SOHOA_ELIMIT, false, 1, "500 bytes, over 499"},
        {"refused", 1000, SOHOA_EBACKEND, false, 1, "credentials refused"},
        {"denied", 1000, SOHOA_EBACKEND, false, 1, "credentials refused"},
        {"no-bucket", 1000, SOHOA_ENOTFOUND, false, 1, "bucket bucket does not exist"},
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        struct sohoa_err err = {0};
        uint8_t *data = NULL;
        size_t len = 0;
        atomic_store(&f.n_get, 0);
        int rc = sohoa_obj_get_mem(s, rows[i].key, rows[i].max_len, &data, &len, &err);
        free(data);
        if (rc != rows[i].want)
            fail_msg("get %s: %d (%s), want %d", rows[i].key, rc, err.msg, rows[i].want);
        if (rc < 0) {
            assert_int_equal(err.retryable, rows[i].retryable);
            if (!strstr(err.msg, rows[i].in_msg))
                fail_msg("get %s: \"%s\" does not say \"%s\"", rows[i].key, err.msg,
                         rows[i].in_msg);
            assert_null(strstr(err.msg, SECRET));
            assert_null(data);
        } else {
            assert_int_equal(len, 500);
        }
        assert_int_equal(atomic_load(&f.n_get), rows[i].gets);
    }
    /* get_file: the same translation, and no temporary file left behind on failure */
    char tmpdir[] = "/tmp/sohoa-s3-tmp-XXXXXX";
    assert_non_null(mkdtemp(tmpdir));
    setenv("TMPDIR", tmpdir, 1);
    char *path = NULL;
    bool is_temp = false;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_obj_get_file(s, "cut-short", &path, &is_temp, &err), SOHOA_EIO);
    assert_null(path);
    assert_int_equal(sohoa_obj_get_file(s, "missing", &path, &is_temp, &err), SOHOA_ENOTFOUND);
    assert_int_equal(sohoa_obj_get_file(s, "ok", &path, &is_temp, &err), 0);
    assert_true(is_temp);
    assert_true(strncmp(path, tmpdir, strlen(tmpdir)) == 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 500);
    unlink(path);
    free(path);
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            fail_msg("get_file left %s/%s", tmpdir, e->d_name);
    closedir(d);
    rmdir(tmpdir);
    unsetenv("TMPDIR");
    /* stat: 404 → absent, 403 → refused */
    bool exists = true;
    assert_int_equal(sohoa_obj_stat(s, "missing", &exists, NULL, &err), 0);
    assert_false(exists);
    assert_int_equal(sohoa_obj_stat(s, "denied", &exists, NULL, &err), SOHOA_EBACKEND);
    uint64_t size = 0;
    assert_int_equal(sohoa_obj_stat(s, "ok", &exists, &size, &err), 0);
    assert_true(exists);
    assert_int_equal(size, 500);
    fake_stop(&f, &s);
}

/* A key that fits the contract but not S3 once the store's prefix is added. */
static void test_key_too_long_with_prefix(void **state)
{
    (void)state;
    struct fake f;
    struct sohoa_objstore *s = fake_start(&f, get_answers);
    char key[1100]; /* 5 segments of 200, one of 19: 1024 bytes, the contract's longest */
    size_t n = 0;
    for (int seg = 0; seg < 6; seg++) {
        if (seg)
            key[n++] = '/';
        size_t len = seg < 5 ? 200 : 19;
        memset(key + n, 'k', len);
        n += len;
    }
    key[n] = '\0';
    assert_int_equal(n, 1024);
    assert_true(sohoa_objstore_key_ok(key));
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_obj_put_str(s, key, "x", &err), SOHOA_EINVAL);
    assert_non_null(strstr(err.msg, "prefix"));
    assert_int_equal(atomic_load(&f.n_put), 0);
    fake_stop(&f, &s);
}

/* One S3 PUT holds 5 GiB and libs3 2.0 has no multipart upload: a larger source (a sparse file
 * here) is refused before anything is sent. */
static void test_put_over_5gib_refused(void **state)
{
    (void)state;
    struct fake f;
    struct sohoa_objstore *s = fake_start(&f, get_answers);
    char path[] = "/tmp/sohoa-s3-sparse-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)(5ll << 30) + 1), 0);
    close(fd);
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_obj_put_file(s, "originals/huge", path, &err), SOHOA_ELIMIT);
    assert_false(err.retryable);
    assert_non_null(strstr(err.msg, "originals/huge"));
    assert_int_equal(atomic_load(&f.n_put), 0);
    unlink(path);
    fake_stop(&f, &s);
}

/* ---- cases against a real server (s3_conformance.sh) ----------------------------------------- */

static const char *srv_endpoint, *srv_bucket, *srv_access, *srv_secret;
static char run_prefix[64];

#define NEEDS_SERVER()                                                                             \
    do {                                                                                           \
        if (!srv_endpoint) {                                                                       \
            print_message("[  SKIP    ] needs SOHOA_TEST_S3_ENDPOINT (s3_conformance.sh)\n");      \
            skip();                                                                                \
        }                                                                                          \
        s3_env(srv_endpoint, srv_access, srv_secret);                                              \
    } while (0)

static struct sohoa_objstore *open_server(const char *sub)
{
    char url[256];
    snprintf(url, sizeof url, "s3://%s/%s/%s", srv_bucket, run_prefix, sub);
    struct sohoa_err err = {0};
    struct sohoa_objstore *s = NULL;
    int rc = sohoa_objstore_open(url, &s, &err);
    if (rc != 0)
        fail_msg("open %s: %d %s", url, rc, err.msg);
    return s;
}

static void test_server_bad_credentials(void **state)
{
    (void)state;
    NEEDS_SERVER();
    char url[256];
    snprintf(url, sizeof url, "s3://%s/%s/creds", srv_bucket, run_prefix);
    struct sohoa_err err;
    s3_env(srv_endpoint, srv_access, SECRET); /* a wrong secret */
    open_fails(url, SOHOA_EBACKEND, &err);
    print_message("  wrong secret: %s\n", err.msg);
    assert_false(err.retryable);
    assert_non_null(strstr(err.msg, "credentials refused"));
    s3_env(srv_endpoint, "AKNOSUCHKEY", SECRET); /* an unknown access key */
    open_fails(url, SOHOA_EBACKEND, &err);
    print_message("  unknown access key: %s\n", err.msg);
    assert_false(err.retryable);
    assert_non_null(strstr(err.msg, "credentials refused"));
}

static void test_server_missing_bucket(void **state)
{
    (void)state;
    NEEDS_SERVER();
    struct sohoa_err err;
    open_fails("s3://sohoa-no-such-bucket/x", SOHOA_ENOTFOUND, &err);
    print_message("  missing bucket: %s\n", err.msg);
    assert_false(err.retryable);
    assert_non_null(strstr(err.msg, "bucket sohoa-no-such-bucket does not exist"));
}

enum { N_THREADS = 8, OBJS_EACH = 12 };

static void obj_bytes(uint8_t *b, size_t n, int t, int i)
{
    for (size_t j = 0; j < n; j++)
        b[j] = (uint8_t)(t * 31 + i * 7 + j * 13 + (j >> 8));
}

static size_t obj_len(int t, int i)
{
    return 1000 + (size_t)t * 4099 + (size_t)i * 20011;
}

struct par_arg {
    struct sohoa_objstore *s;
    int t;
    int failures;
    char msg[SOHOA_ERR_MSG_MAX + 80];
};

static void *par_main(void *p)
{
    struct par_arg *a = p;
    for (int i = 0; i < OBJS_EACH; i++) {
        char key[64];
        snprintf(key, sizeof key, "t%d/o%d", a->t, i);
        size_t n = obj_len(a->t, i);
        uint8_t *want = malloc(n);
        obj_bytes(want, n, a->t, i);
        struct sohoa_err err = {0};
        uint8_t *got = NULL;
        size_t len = 0;
        bool exists = false;
        uint64_t size = 0;
        if (sohoa_obj_put_mem(a->s, key, want, n, &err) != 0 ||
            sohoa_obj_get_mem(a->s, key, n, &got, &len, &err) != 0 || len != n ||
            memcmp(got, want, n) != 0 || sohoa_obj_stat(a->s, key, &exists, &size, &err) != 0 ||
            !exists || size != n) {
            a->failures++;
            snprintf(a->msg, sizeof a->msg, "%s: %s", key, err.msg);
        }
        free(got);
        free(want);
    }
    return NULL;
}

/* Many threads on one store, each on its own keys: every object reads back whole. */
static void test_server_parallel_distinct_keys(void **state)
{
    (void)state;
    NEEDS_SERVER();
    struct sohoa_objstore *s = open_server("parallel");
    pthread_t th[N_THREADS];
    struct par_arg args[N_THREADS];
    double t0 = sohoa_now_ms();
    for (int t = 0; t < N_THREADS; t++) {
        args[t] = (struct par_arg){.s = s, .t = t};
        assert_int_equal(pthread_create(&th[t], NULL, par_main, &args[t]), 0);
    }
    int failures = 0;
    for (int t = 0; t < N_THREADS; t++) {
        pthread_join(th[t], NULL);
        failures += args[t].failures;
        if (args[t].failures)
            print_error("  thread %d: %s\n", t, args[t].msg);
    }
    print_message("  %d threads x %d objects put, read back and stat'ed in %.0f ms\n", N_THREADS,
                  OBJS_EACH, sohoa_now_ms() - t0);
    assert_int_equal(failures, 0);
    sohoa_objstore_free(&s);
}

/* ---- timings -------------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void time_store(struct sohoa_objstore *s, const char *label, const char *src, size_t size)
{
    struct sohoa_err err = {0};
    enum { RUNS = 3, SMALL = 200 };
    double put[RUNS], getf[RUNS], getm[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double t0 = sohoa_now_ms();
        assert_int_equal(sohoa_obj_put_file(s, "timing/big", src, &err), 0);
        put[r] = sohoa_now_ms() - t0;
        char *path = NULL;
        bool is_temp = false;
        t0 = sohoa_now_ms();
        assert_int_equal(sohoa_obj_get_file(s, "timing/big", &path, &is_temp, &err), 0);
        getf[r] = sohoa_now_ms() - t0;
        if (is_temp)
            unlink(path);
        free(path);
        uint8_t *data = NULL;
        size_t len = 0;
        t0 = sohoa_now_ms();
        assert_int_equal(sohoa_obj_get_mem(s, "timing/big", size, &data, &len, &err), 0);
        getm[r] = sohoa_now_ms() - t0;
        assert_int_equal(len, size);
        free(data);
    }
    qsort(put, RUNS, sizeof put[0], cmp_double);
    qsort(getf, RUNS, sizeof getf[0], cmp_double);
    qsort(getm, RUNS, sizeof getm[0], cmp_double);
    double mb = (double)size / 1048576.0;
    print_message("  %-5s 20 MB, median of %d: put_file %.1f ms (%.0f MB/s), get_file %.1f ms "
                  "(%.0f MB/s), get_mem %.1f ms (%.0f MB/s)\n",
                  label, RUNS, put[1], mb / (put[1] + 1e-3) * 1e3, getf[1],
                  mb / (getf[1] + 1e-3) * 1e3, getm[1], mb / (getm[1] + 1e-3) * 1e3);

    static double lat[3][SMALL];
    char body[2048];
    memset(body, 'b', sizeof body);
    for (int i = 0; i < SMALL; i++) {
        char key[64];
        snprintf(key, sizeof key, "timing/small/%d", i);
        double t0 = sohoa_now_ms();
        assert_int_equal(sohoa_obj_put_mem(s, key, body, sizeof body, &err), 0);
        lat[0][i] = sohoa_now_ms() - t0;
        uint8_t *data = NULL;
        size_t len = 0;
        t0 = sohoa_now_ms();
        assert_int_equal(sohoa_obj_get_mem(s, key, sizeof body, &data, &len, &err), 0);
        lat[1][i] = sohoa_now_ms() - t0;
        free(data);
        bool exists = false;
        t0 = sohoa_now_ms();
        assert_int_equal(sohoa_obj_stat(s, key, &exists, NULL, &err), 0);
        lat[2][i] = sohoa_now_ms() - t0;
        assert_true(exists);
    }
    const char *names[] = {"put", "get", "stat"};
    for (int k = 0; k < 3; k++) {
        qsort(lat[k], SMALL, sizeof lat[k][0], cmp_double);
        print_message("  %-5s 2 KB %-4s x%d: p50 %.3f ms, p95 %.3f ms, max %.3f ms\n", label,
                      names[k], SMALL, lat[k][SMALL / 2], lat[k][SMALL * 95 / 100],
                      lat[k][SMALL - 1]);
    }
}

static void test_server_timings(void **state)
{
    (void)state;
    NEEDS_SERVER();
    const size_t size = (size_t)20 * 1024 * 1024;
    char dir[] = "/tmp/sohoa-s3-timing-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char src[sizeof dir + 16];
    snprintf(src, sizeof src, "%s/src.bin", dir);
    FILE *fp = fopen(src, "wb");
    assert_non_null(fp);
    static uint8_t chunk[1 << 16];
    uint64_t x = 88172645463325252ull;
    for (size_t done = 0; done < size; done += sizeof chunk) {
        for (size_t j = 0; j < sizeof chunk; j++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk[j] = (uint8_t)x;
        }
        assert_int_equal(fwrite(chunk, 1, sizeof chunk, fp), sizeof chunk);
    }
    assert_int_equal(fclose(fp), 0);

    struct sohoa_objstore *s3 = open_server("timing");
    time_store(s3, "s3", src, size);
    sohoa_objstore_free(&s3);

    char root[sizeof dir + 16];
    snprintf(root, sizeof root, "%s/store", dir);
    struct sohoa_objstore *ds = NULL;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_objstore_open(root, &ds, &err), 0);
    time_store(ds, "dir", src, size);
    sohoa_objstore_free(&ds);
    char cmd[sizeof dir + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    srv_endpoint = getenv("SOHOA_TEST_S3_ENDPOINT");
    srv_bucket = getenv("SOHOA_TEST_S3_BUCKET");
    srv_access = getenv("SOHOA_S3_ACCESS_KEY");
    srv_secret = getenv("SOHOA_S3_SECRET_KEY");
    if (srv_endpoint && (!*srv_endpoint || !srv_bucket || !srv_access || !srv_secret)) {
        fprintf(stderr, "SOHOA_TEST_S3_ENDPOINT needs SOHOA_TEST_S3_BUCKET, SOHOA_S3_ACCESS_KEY "
                        "and SOHOA_S3_SECRET_KEY\n");
        return 1;
    }
    /* s3_env rewrites the environment: keep our own copies */
    srv_endpoint = srv_endpoint ? strdup(srv_endpoint) : NULL;
    srv_bucket = srv_bucket ? strdup(srv_bucket) : NULL;
    srv_access = srv_access ? strdup(srv_access) : NULL;
    srv_secret = srv_secret ? strdup(srv_secret) : NULL;
    snprintf(run_prefix, sizeof run_prefix, "s3test-%ld-%ld", (long)getpid(), (long)time(NULL));

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_urls_and_settings),
        cmocka_unit_test(test_credentials_sources),
        cmocka_unit_test(test_server_down),
        cmocka_unit_test(test_stall_timeout),
        cmocka_unit_test(test_put_server_error_is_retried),
        cmocka_unit_test(test_status_translation),
        cmocka_unit_test(test_key_too_long_with_prefix),
        cmocka_unit_test(test_put_over_5gib_refused),
        cmocka_unit_test(test_server_bad_credentials),
        cmocka_unit_test(test_server_missing_bucket),
        cmocka_unit_test(test_server_parallel_distinct_keys),
        cmocka_unit_test(test_server_timings),
    };
    return cmocka_run_group_tests_name("objstore_s3", tests, NULL, NULL);
}
