/* test_webhook.c — webhooks against a receiver started here (an in-process HTTP server through
 * workers/api/http.h on 127.0.0.1): the receiver checks every attempt's signature and timestamp,
 * injects 500s, time-outs and refusals, and deduplicates by Idempotency-Key; each message must
 * be processed exactly once, retries must carry the same key and body, refused or exhausted
 * messages must be dead-lettered and replayable; the outbox survives a "restart".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "workers/api/http.h"
#include "workers/api/webhook.h"

#define SECRET "test-secret-0123"

/* What the receiver does with the n-th attempt (1-based) of a dossier's message. */
enum act { OK, FAIL500, SLOW, REFUSE400 };

struct receiver {
    pthread_mutex_t mu;
    enum act script[4][8]; /* per dossier a..d, per attempt */
    int attempts[4];
    int processed[4]; /* accepted, deduplicated by key */
    char keys[4][SOHOA_WEBHOOK_KEY_MAX];
    int bad_signatures; /* attempts whose HMAC or timestamp did not verify */
    int key_changes;    /* retries that came with another key than the first attempt */
    bool all_ok;        /* answer OK whatever the script says (after a replay) */
};

static struct receiver rx;

static int begin(void *arg, const struct sohoa_http_req *req, enum sohoa_http_body *body,
                 struct sohoa_http_resp *resp)
{
    (void)arg;
    (void)req;
    (void)resp;
    *body = SOHOA_HTTP_BODY_MEMORY;
    return 0;
}

static void on_error(void *arg, int status, const char *code, const char *message,
                     struct sohoa_http_resp *resp)
{
    (void)arg;
    (void)code;
    (void)message;
    sohoa_http_resp_set(resp, status, "text/plain", NULL, 0);
}

static bool verify(const struct sohoa_http_req *req)
{
    const char *ts = sohoa_http_header(req, "X-Sohoa-Timestamp");
    const char *sig = sohoa_http_header(req, "X-Sohoa-Signature");
    const char *ct = sohoa_http_header(req, "Content-Type");
    if (!ts || !sig || !ct || strcmp(ct, "application/json") != 0 || strncmp(sig, "v1=", 3) != 0)
        return false;
    long long t = atoll(ts);
    if (llabs((long long)time(NULL) - t) > 300)
        return false;
    char hex[SOHOA_SHA256_HEX];
    sohoa_webhook_sign(SECRET, t, req->body ? req->body : "", req->body_len, hex);
    return strcmp(hex, sig + 3) == 0;
}

static void handle(void *arg, struct sohoa_http_req *req, struct sohoa_http_resp *resp)
{
    (void)arg;
    const char *key = sohoa_http_header(req, "Idempotency-Key");
    int d = key ? key[0] - 'a' : -1; /* dossier ids are "a".."d" */
    if (d < 0 || d > 3) {
        sohoa_http_resp_set(resp, 400, "text/plain", NULL, 0);
        return;
    }
    pthread_mutex_lock(&rx.mu);
    int n = ++rx.attempts[d];
    if (!verify(req))
        rx.bad_signatures++;
    if (n == 1)
        snprintf(rx.keys[d], sizeof rx.keys[d], "%s", key);
    else if (strcmp(rx.keys[d], key) != 0)
        rx.key_changes++;
    enum act a = rx.all_ok ? OK : rx.script[d][n - 1 < 8 ? n - 1 : 7];
    if (a == SLOW || a == OK)
        rx.processed[d] += rx.processed[d] == 0; /* dedup: a key is processed once */
    pthread_mutex_unlock(&rx.mu);
    if (a == SLOW)
        usleep(1500 * 1000); /* past the sender's time-out: it sees no answer */
    int status = a == FAIL500 ? 500 : a == REFUSE400 ? 400 : 200;
    sohoa_http_resp_set(resp, status, "text/plain", NULL, 0);
}

static char tmpdir[256];
static char outbox[300];
static char url[128];
static struct sohoa_http_server *srv;

static int setup(void **state)
{
    (void)state;
    memset(&rx, 0, sizeof rx);
    pthread_mutex_init(&rx.mu, NULL);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sohoa-test-webhook-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    snprintf(outbox, sizeof outbox, "%s/webhooks", tmpdir);
    struct sohoa_http_opts o = {.listen = "127.0.0.1:0",
                                .max_upload_bytes = 1 << 20,
                                .max_json_bytes = 1 << 20,
                                .tmp_dir = tmpdir};
    struct sohoa_http_routes r = {.begin = begin, .handle = handle, .error = on_error};
    struct sohoa_err err;
    sohoa_err_clear(&err);
    assert_int_equal(sohoa_http_start(&o, &r, &srv, &err), 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", sohoa_http_port(srv));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sohoa_http_stop(&srv);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static bool exists(const char *state, const char *key)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s/%s.msg", outbox, state, key);
    return access(p, F_OK) == 0;
}

/* Drains until nothing is pending or 30 s passed (a fresh options struct each pass: nothing in
 * memory carries over, as after a restart). */
static void drain_all(int max_attempts)
{
    for (int i = 0; i < 600; i++) {
        struct sohoa_webhook_opts o = {.url = url,
                                       .secret = SECRET,
                                       .max_attempts = max_attempts,
                                       .dir = outbox,
                                       .timeout_ms = 500,
                                       .backoff_ms = 20,
                                       .max_backoff_ms = 100};
        struct sohoa_webhook_pass pass;
        struct sohoa_err err;
        sohoa_err_clear(&err);
        assert_int_equal(sohoa_webhook_drain(&o, &pass, &err), 0);
        if (pass.delivered + pass.retried + pass.dead + pass.waiting == 0)
            return;
        usleep(50 * 1000);
    }
    fail_msg("the outbox did not drain");
}

static void enqueue(const char *dossier, const char *body, char key[SOHOA_WEBHOOK_KEY_MAX])
{
    struct sohoa_err err;
    sohoa_err_clear(&err);
    assert_int_equal(sohoa_webhook_enqueue(outbox, dossier, body, strlen(body), key, &err), 0);
}

static void test_retries_dedup_dead_letter_replay(void **state)
{
    (void)state;
    /* a: 500, then a time-out, then OK; b: always 500; c: refused (400); d: OK at once */
    enum act a[] = {FAIL500, SLOW, OK}, b[] = {FAIL500, FAIL500, FAIL500, FAIL500},
             c[] = {REFUSE400}, d[] = {OK};
    memcpy(rx.script[0], a, sizeof a);
    memcpy(rx.script[1], b, sizeof b);
    memcpy(rx.script[2], c, sizeof c);
    memcpy(rx.script[3], d, sizeof d);
    char ka[SOHOA_WEBHOOK_KEY_MAX], kb[SOHOA_WEBHOOK_KEY_MAX], kc[SOHOA_WEBHOOK_KEY_MAX],
        kd[SOHOA_WEBHOOK_KEY_MAX], again[SOHOA_WEBHOOK_KEY_MAX];
    enqueue("a", "{\"event\":\"dossier.completed\",\"dossier\":{\"id\":\"a\"}}", ka);
    enqueue("b", "{\"event\":\"dossier.completed\",\"dossier\":{\"id\":\"b\"}}", kb);
    enqueue("c", "{\"event\":\"dossier.completed\",\"dossier\":{\"id\":\"c\"}}", kc);
    enqueue("d", "{\"event\":\"dossier.completed\",\"dossier\":{\"id\":\"d\"}}", kd);
    enqueue("d", "{\"event\":\"dossier.completed\",\"dossier\":{\"id\":\"d\"}}", again);
    assert_string_equal(kd, again); /* same content, same key, one message */
    assert_true(exists("pending", ka) && exists("pending", kd));

    drain_all(3);
    assert_int_equal(rx.bad_signatures, 0);
    assert_int_equal(rx.key_changes, 0);
    assert_int_equal(rx.attempts[0], 3); /* 500, time-out, OK */
    assert_int_equal(rx.processed[0], 1);
    assert_true(exists("delivered", ka));
    assert_int_equal(rx.attempts[1], 3); /* max attempts */
    assert_int_equal(rx.processed[1], 0);
    assert_true(exists("dead", kb));
    assert_int_equal(rx.attempts[2], 1); /* permanent: no retry */
    assert_true(exists("dead", kc));
    assert_int_equal(rx.attempts[3], 1);
    assert_int_equal(rx.processed[3], 1);
    assert_true(exists("delivered", kd));

    /* a delivered message is not queued again */
    enqueue("d", "{\"event\":\"dossier.completed\",\"dossier\":{\"id\":\"d\"}}", again);
    assert_false(exists("pending", kd));

    /* replay one, then all: the receiver now accepts */
    pthread_mutex_lock(&rx.mu);
    rx.all_ok = true;
    pthread_mutex_unlock(&rx.mu);
    struct sohoa_err err;
    sohoa_err_clear(&err);
    int n = 0;
    assert_int_equal(sohoa_webhook_replay(outbox, kb, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(sohoa_webhook_replay(outbox, kb, &n, &err), SOHOA_ENOTFOUND);
    assert_int_equal(sohoa_webhook_replay(outbox, NULL, &n, &err), 0);
    assert_int_equal(n, 1); /* c */
    drain_all(3);
    assert_true(exists("delivered", kb) && exists("delivered", kc));
    for (int i = 0; i < 4; i++)
        assert_int_equal(rx.processed[i], 1);
    assert_int_equal(rx.bad_signatures, 0);
    assert_int_equal(rx.key_changes, 0);
}

static void test_sender_thread(void **state)
{
    (void)state;
    char k[SOHOA_WEBHOOK_KEY_MAX];
    struct sohoa_webhook_opts o = {.url = url, .secret = SECRET, .dir = outbox, .timeout_ms = 2000};
    struct sohoa_webhook_sender *s = NULL;
    struct sohoa_err err;
    sohoa_err_clear(&err);
    rx.script[0][0] = OK;
    enqueue("a", "{\"event\":\"dossier.completed\",\"dossier\":{\"id\":\"a\",\"n\":2}}", k);
    assert_int_equal(sohoa_webhook_sender_start(&o, &s, &err), 0);
    sohoa_webhook_sender_kick(s);
    for (int i = 0; i < 200 && !exists("delivered", k); i++)
        usleep(50 * 1000);
    sohoa_webhook_sender_stop(&s);
    assert_null(s);
    assert_true(exists("delivered", k));
    assert_int_equal(rx.processed[0], 1);
    assert_int_equal(rx.bad_signatures, 0);
}

static void test_signature_known_answer(void **state)
{
    (void)state;
    /* RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?" */
    const char *key = "Jefe";
    const void *parts[] = {"what do ya want ", "for nothing?"};
    size_t lens[] = {16, 12};
    char hex[SOHOA_SHA256_HEX];
    sohoa_hmac_sha256(key, 4, parts, lens, 2, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* the webhook scheme: HMAC(secret, "<ts>." + body) */
    char a[SOHOA_SHA256_HEX], b[SOHOA_SHA256_HEX];
    sohoa_webhook_sign("s", 1700000000, "{}", 2, a);
    const void *p2[] = {"1700000000.{}"};
    size_t l2[] = {13};
    sohoa_hmac_sha256("s", 1, p2, l2, 1, b);
    assert_string_equal(a, b);
}

/* A webhook-url curl cannot use is configuration: not retryable (dead-lettered at once); a
 * receiver that is not there may come back: retryable. */
static void test_bad_url_not_retryable(void **state)
{
    (void)state;
    const char *urls[] = {"ftp://127.0.0.1/hook", "http://[::1/hook", "http://127.0.0.1:1/hook"};
    const bool retryable[] = {false, false, true};
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        struct sohoa_webhook_opts o = {.url = urls[i], .timeout_ms = 2000};
        struct sohoa_err err;
        sohoa_err_clear(&err);
        long status = -1;
        int rc = sohoa_webhook_post(&o, "k", "{}", 2, &status, &err);
        if (rc >= 0 || err.retryable != retryable[i])
            fail_msg("%s: %d, retryable %d (%s)", urls[i], rc, err.retryable, err.msg);
        assert_int_equal(rc, retryable[i] ? SOHOA_EIO : SOHOA_EINVAL);
        assert_int_equal(status, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_known_answer),
        cmocka_unit_test(test_bad_url_not_retryable),
        cmocka_unit_test_setup_teardown(test_retries_dedup_dead_letter_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sender_thread, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
