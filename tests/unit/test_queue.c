/* test_queue.c — the queue contract (workers/runtime/queue.h), one conformance suite for every
 * backend: the in-process queue by default, RabbitMQ when SOHOA_TEST_QUEUE_URL=amqp://… is set (the
 * integration script tests/integration/queue_amqp.sh starts a broker and runs this file against
 * it). With SOHOA_TEST_QUEUE_RESTART set to a shell command that restarts the broker, the
 * reconnect test runs too.
 *
 * Conformance: a job comes out as it went in; the interactive lane is drained before the bulk lane;
 * an acknowledged job is gone; retry raises the attempt and delays the job, and past the last
 * attempt dead-letters it; dead-lettering keeps the reason and the attempt count, and replay puts
 * the job back with attempt 1; requeue gives the job back marked redelivered, and so does a
 * consumer freed (dying) without settling; counts for status; reconnect after a broker restart;
 * a consumer of one lane takes only that lane's jobs, and a publish wakes a waiting consumer of
 * its lane even while a consumer of the other lane waits too.
 * In-process only: back-pressure at capacity, `force` never blocking, close draining in order, and
 * many producers and consumers delivering every job exactly once.
 *
 * Blocking is checked with a helper thread and a flag ("still blocked" after a pause, which cannot
 * fail spuriously on a slow machine, then "unblocked" within a generous deadline); "not before its
 * delay" is checked with a delay far longer than the check. No assertion is made about speed; the
 * measured retry delay is printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workers/runtime/queue.h"
#include "pipeline/base/deadline.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum { PAUSE_MS = 200, DEADLINE_MS = 20000, RETRY_DELAY_MS = 2000 };

static const char *url; /* backend under test */
static bool amqp;       /* a broker: settle-and-look checks poll until the broker agrees */
/* All tests of a run share one set of broker names ("t<pid>"), so a run declares a handful of
 * queues; each test leaves its queues empty (drain_all). */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static struct sohoa_job make_job(enum sohoa_lane lane, int id)
{
    struct sohoa_job j;
    memset(&j, 0, sizeof j);
    j.kind = SOHOA_JOB_PAGE;
    j.lane = lane;
    snprintf(j.doc_id, sizeof j.doc_id, "%064d", id);
    j.page = id;
    j.n_pages = id + 1;
    snprintf(j.format, sizeof j.format, "fmt%d", id % 1000);
    j.attempt = 1;
    return j;
}

/* A fresh queue of the backend under test (its own names on a broker). */
static struct sohoa_queue *open_queue(size_t capacity, const int *delays, int n_delays)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "t%d", (int)getpid());
    struct sohoa_queue_opts o = {.capacity = capacity,
                                 .prefix = prefix,
                                 .retry_delays_ms = delays,
                                 .n_retry_delays = n_delays};
    struct sohoa_queue *q = NULL;
    struct sohoa_err err = {0};
    int rc = sohoa_queue_open(url, &o, &q, &err);
    if (rc != 0)
        fail_msg("open %s: %d %s", url, rc, err.msg);
    return q;
}

static struct sohoa_consumer *consumer(struct sohoa_queue *q)
{
    struct sohoa_consumer *c = NULL;
    struct sohoa_err err = {0};
    if (sohoa_consumer_open(q, &c, &err) != 0)
        fail_msg("consumer: %s", err.msg);
    return c;
}

static void publish(struct sohoa_queue *q, enum sohoa_lane lane, int id)
{
    struct sohoa_job j = make_job(lane, id);
    struct sohoa_err err = {0};
    if (sohoa_queue_publish(q, &j, false, &err) != 0)
        fail_msg("publish: %s", err.msg);
}

static struct sohoa_delivery pop(struct sohoa_consumer *c)
{
    struct sohoa_delivery d;
    struct sohoa_err err = {0};
    int rc = sohoa_consumer_pop(c, DEADLINE_MS, &d, &err);
    if (rc != 0)
        fail_msg("pop: %d %s", rc, err.msg);
    return d;
}

static void ack(struct sohoa_consumer *c, const struct sohoa_delivery *d)
{
    struct sohoa_err err = {0};
    if (sohoa_delivery_ack(c, d, &err) != 0)
        fail_msg("ack: %s", err.msg);
}

/* Nothing comes within `ms`. */
static void expect_empty(struct sohoa_consumer *c, int ms)
{
    struct sohoa_delivery d;
    int rc = sohoa_consumer_pop(c, ms, &d, NULL);
    if (rc == 0)
        fail_msg("job %d (attempt %d) came, none expected", d.job.page, d.job.attempt);
    assert_int_equal(rc, SOHOA_ETIMEOUT);
}

static struct sohoa_queue_stats stats(struct sohoa_queue *q)
{
    struct sohoa_queue_stats st;
    struct sohoa_err err = {0};
    if (sohoa_queue_stats(q, &st, &err) != 0)
        fail_msg("stats: %s", err.msg);
    return st;
}

/* Dead jobs as listed. */
struct dead_list {
    struct sohoa_dead_job v[16];
    int n;
};

static int collect_dead(void *arg, const struct sohoa_dead_job *d)
{
    struct dead_list *l = arg;
    if (l->n < (int)COUNT(l->v))
        l->v[l->n++] = *d;
    return 0;
}

static struct dead_list list_dead(struct sohoa_queue *q)
{
    struct dead_list l;
    memset(&l, 0, sizeof l);
    struct sohoa_err err = {0};
    if (sohoa_queue_dead_list(q, collect_dead, &l, &err) != 0)
        fail_msg("dead list: %s", err.msg);
    return l;
}

/* A broker's counts lag a little behind confirms and acks: poll until `dead` reaches `want`. */
static struct dead_list wait_dead(struct sohoa_queue *q, int want)
{
    struct dead_list l = list_dead(q);
    for (int waited = 0; amqp && l.n < want && waited < DEADLINE_MS; waited += 100) {
        sleep_ms(100);
        l = list_dead(q);
    }
    return l;
}

/* Leaves the queue empty for the next test: dead jobs replayed, everything taken and acked. */
static void drain_all(struct sohoa_queue *q)
{
    long n = 0;
    assert_int_equal(sohoa_queue_dead_replay(q, NULL, 0, &n, NULL), 0);
    struct sohoa_consumer *c = consumer(q);
    struct sohoa_delivery d;
    while (sohoa_consumer_pop(c, PAUSE_MS, &d, NULL) == 0)
        ack(c, &d);
    sohoa_consumer_free(&c);
}

/* ---- conformance: every backend ------------------------------------------------------------ */

static void test_job_round_trip(void **state)
{
    (void)state;
    struct sohoa_queue *q = open_queue(4, NULL, 0);
    struct sohoa_consumer *c = consumer(q);
    struct sohoa_job j = make_job(SOHOA_LANE_BULK, 7);
    j.kind = SOHOA_JOB_DOC;
    j.attempt = 3;
    struct sohoa_job sent = j;
    assert_int_equal(sohoa_queue_publish(q, &j, false, NULL), 0);
    memset(&j, 0xAB, sizeof j); /* the caller's copy is its own */
    struct sohoa_delivery d = pop(c);
    assert_int_equal(d.job.kind, SOHOA_JOB_DOC);
    assert_int_equal(d.job.lane, SOHOA_LANE_BULK);
    assert_string_equal(d.job.doc_id, sent.doc_id);
    assert_int_equal(d.job.page, 7);
    assert_int_equal(d.job.n_pages, 8);
    assert_string_equal(d.job.format, "fmt7");
    assert_int_equal(d.job.attempt, 3);
    assert_false(d.redelivered);
    ack(c, &d);
    expect_empty(c, PAUSE_MS);
    /* an invalid job is refused before it reaches the backend */
    struct sohoa_job bad = make_job(SOHOA_LANE_BULK, 1);
    bad.attempt = 0;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_queue_publish(q, &bad, false, &err), SOHOA_EINVAL);
    sohoa_consumer_free(&c);
    assert_null(c);
    sohoa_queue_close(q);
    sohoa_queue_free(&q);
    assert_null(q);
    sohoa_queue_free(&q); /* NULL-safe */
}

/* Each row is a publish order: 'I' interactive, 'B' bulk; ids count up in publish order. A
 * consumer must take every interactive job before any bulk job, each lane in publish order. */
static const char *const orders[] = {"IB", "BI", "BBBII", "IIBBB", "BIBIBIB", "BBBBBBBBI"};

static void test_interactive_first(void **state)
{
    (void)state;
    for (size_t r = 0; r < COUNT(orders); r++) {
        const char *o = orders[r];
        size_t n = strlen(o);
        struct sohoa_queue *q = open_queue(64, NULL, 0);
        for (size_t i = 0; i < n; i++)
            publish(q, o[i] == 'I' ? SOHOA_LANE_INTERACTIVE : SOHOA_LANE_BULK, (int)i);
        int want[16];
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (o[i] == 'I')
                want[k++] = (int)i;
        for (size_t i = 0; i < n; i++)
            if (o[i] == 'B')
                want[k++] = (int)i;
        struct sohoa_consumer *c = consumer(q);
        bool seen[16] = {false};
        for (size_t i = 0; i < n; i++) {
            struct sohoa_delivery d = pop(c);
            int p = d.job.page;
            assert_true(p >= 0 && p < (int)n && !seen[p]);
            seen[p] = true;
            if (p != want[i])
                fail_msg("order \"%s\": pop %zu gave job %d, want %d", o, i, p, want[i]);
            assert_int_equal(d.job.lane, o[p] == 'I' ? SOHOA_LANE_INTERACTIVE : SOHOA_LANE_BULK);
            ack(c, &d);
        }
        sohoa_consumer_free(&c);
        sohoa_queue_close(q);
        sohoa_queue_free(&q);
    }
}

/* An interactive job published while bulk jobs wait is the next one out. */
static void test_interactive_overtakes_waiting_bulk(void **state)
{
    (void)state;
    struct sohoa_queue *q = open_queue(64, NULL, 0);
    for (int i = 0; i < 5; i++)
        publish(q, SOHOA_LANE_BULK, i);
    struct sohoa_consumer *c = consumer(q);
    struct sohoa_delivery d = pop(c);
    assert_int_equal(d.job.page, 0);
    publish(q, SOHOA_LANE_INTERACTIVE, 100);
    ack(c, &d);
    d = pop(c);
    assert_int_equal(d.job.page, 100);
    ack(c, &d);
    for (int i = 1; i < 5; i++) {
        d = pop(c);
        assert_int_equal(d.job.page, i);
        ack(c, &d);
    }
    sohoa_consumer_free(&c);
    sohoa_queue_close(q);
    sohoa_queue_free(&q);
}

/* An acknowledged job is gone, also for the next consumer. */
static void test_ack_removes(void **state)
{
    (void)state;
    struct sohoa_queue *q = open_queue(4, NULL, 0);
    publish(q, SOHOA_LANE_BULK, 1);
    struct sohoa_consumer *c = consumer(q);
    struct sohoa_delivery d = pop(c);
    ack(c, &d);
    sohoa_consumer_free(&c);
    c = consumer(q);
    expect_empty(c, 2 * PAUSE_MS);
    struct sohoa_queue_stats st = stats(q);
    assert_int_equal(st.ready[0] + st.ready[1] + st.dead + st.delayed, 0);
    sohoa_consumer_free(&c);
    sohoa_queue_close(q);
    sohoa_queue_free(&q);
}

/* retry: attempt + 1, not before its delay; past the last attempt, dead-lettered. */
static void test_retry_delays_then_dead(void **state)
{
    (void)state;
    const int delays[] = {RETRY_DELAY_MS};
    struct sohoa_queue *q = open_queue(4, delays, 1);
    assert_int_equal(sohoa_queue_max_attempts(q), 2);
    publish(q, SOHOA_LANE_INTERACTIVE, 5);
    struct sohoa_consumer *c = consumer(q);
    struct sohoa_delivery d = pop(c);
    assert_false(sohoa_queue_last_attempt(q, &d.job));
    struct sohoa_err why = {0}, err = {0};
    sohoa_err_set(&why, SOHOA_EBACKEND, true, "store unreachable");
    double t0 = sohoa_now_ms();
    assert_int_equal(sohoa_delivery_retry(c, &d, &why, &err), 0);
    assert_int_equal(stats(q).delayed, 1);
    expect_empty(c, PAUSE_MS); /* far less than the delay */
    d = pop(c);
    printf("# retry came back after %.0f ms (delay %d ms)\n", sohoa_now_ms() - t0, RETRY_DELAY_MS);
    assert_int_equal(d.job.page, 5);
    assert_int_equal(d.job.attempt, 2);
    assert_int_equal(d.job.lane, SOHOA_LANE_INTERACTIVE);
    assert_true(sohoa_queue_last_attempt(q, &d.job));
    assert_int_equal(sohoa_delivery_retry(c, &d, &why, &err), 0); /* no attempt left */
    struct dead_list l = wait_dead(q, 1);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].job.page, 5);
    assert_int_equal(l.v[0].attempts, 2);
    assert_int_equal(l.v[0].code, SOHOA_EBACKEND);
    assert_non_null(strstr(l.v[0].reason, "gave up after 2 attempts"));
    assert_non_null(strstr(l.v[0].reason, "store unreachable"));
    expect_empty(c, PAUSE_MS);
    sohoa_consumer_free(&c);
    drain_all(q);
    sohoa_queue_close(q);
    sohoa_queue_free(&q);
}

/* dead: reason and attempts kept, listing does not consume; replay by id (or document id) puts the
 * job back with attempt 1; an unknown id replays nothing. */
static void test_dead_letter_and_replay(void **state)
{
    (void)state;
    struct sohoa_queue *q = open_queue(8, NULL, 0);
    struct sohoa_job j = make_job(SOHOA_LANE_BULK, 9);
    j.attempt = 3;
    assert_int_equal(sohoa_queue_publish(q, &j, false, NULL), 0);
    publish(q, SOHOA_LANE_BULK, 10);
    struct sohoa_consumer *c = consumer(q);
    struct sohoa_err why = {0}, err = {0};
    for (int i = 0; i < 2; i++) {
        struct sohoa_delivery d = pop(c);
        sohoa_err_set(&why, SOHOA_EFORMAT, false, "poison page %d", d.job.page);
        assert_int_equal(sohoa_delivery_dead(c, &d, &why, &err), 0);
    }
    expect_empty(c, PAUSE_MS);
    struct dead_list l = wait_dead(q, 2);
    assert_int_equal(l.n, 2);
    assert_int_equal(list_dead(q).n, 2); /* listing twice: nothing taken */
    int ix9 = l.v[0].job.page == 9 ? 0 : 1;
    assert_int_equal(l.v[ix9].attempts, 3);
    assert_int_equal(l.v[ix9].code, SOHOA_EFORMAT);
    assert_string_equal(l.v[ix9].reason, "poison page 9");
    char id[SOHOA_JOB_ID_MAX];
    sohoa_job_id(&l.v[ix9].job, id, sizeof id);
    assert_string_equal(l.v[ix9].id, id);
    assert_int_equal(stats(q).dead, 2);

    long n = -1;
    const char *unknown[] = {"page:nothing:1"};
    assert_int_equal(sohoa_queue_dead_replay(q, unknown, 1, &n, &err), 0);
    assert_int_equal(n, 0);
    const char *ids[] = {id};
    assert_int_equal(sohoa_queue_dead_replay(q, ids, 1, &n, &err), 0);
    assert_int_equal(n, 1);
    struct sohoa_delivery d = pop(c);
    assert_int_equal(d.job.page, 9);
    assert_int_equal(d.job.attempt, 1);
    ack(c, &d);
    assert_int_equal(wait_dead(q, 1).n, 1);
    const char *by_doc[] = {l.v[1 - ix9].job.doc_id};
    assert_int_equal(sohoa_queue_dead_replay(q, by_doc, 1, &n, &err), 0);
    assert_int_equal(n, 1);
    d = pop(c);
    assert_int_equal(d.job.page, 10);
    ack(c, &d);
    assert_int_equal(list_dead(q).n, 0);
    sohoa_consumer_free(&c);
    sohoa_queue_close(q);
    sohoa_queue_free(&q);
}

/* requeue (shutdown) gives the job back, marked redelivered, first in its lane. */
static void test_requeue(void **state)
{
    (void)state;
    struct sohoa_queue *q = open_queue(8, NULL, 0);
    publish(q, SOHOA_LANE_BULK, 1);
    publish(q, SOHOA_LANE_BULK, 2);
    struct sohoa_consumer *c = consumer(q);
    struct sohoa_delivery d = pop(c);
    assert_int_equal(d.job.page, 1);
    assert_int_equal(sohoa_delivery_requeue(c, &d, NULL), 0);
    sohoa_consumer_free(&c); /* for the broker: also puts back anything prefetched */
    c = consumer(q);
    d = pop(c);
    assert_int_equal(d.job.page, 1);
    assert_true(d.redelivered);
    assert_int_equal(d.job.attempt, 1);
    ack(c, &d);
    d = pop(c);
    assert_int_equal(d.job.page, 2);
    ack(c, &d);
    sohoa_consumer_free(&c);
    sohoa_queue_close(q);
    sohoa_queue_free(&q);
}

/* A consumer that goes away holding a job (its process died) leaves it to be delivered again. */
static void test_redelivery_after_consumer_dies(void **state)
{
    (void)state;
    struct sohoa_queue *q = open_queue(8, NULL, 0);
    publish(q, SOHOA_LANE_INTERACTIVE, 3);
    struct sohoa_consumer *a = consumer(q), *b = consumer(q);
    struct sohoa_delivery d = pop(a);
    assert_int_equal(d.job.page, 3);
    expect_empty(b, PAUSE_MS); /* while `a` holds it, nobody else gets it */
    sohoa_consumer_free(&a);   /* no ack */
    d = pop(b);
    assert_int_equal(d.job.page, 3);
    assert_true(d.redelivered);
    ack(b, &d);
    expect_empty(b, PAUSE_MS);
    sohoa_consumer_free(&b);
    sohoa_queue_close(q);
    sohoa_queue_free(&q);
}

static void test_stats_counts(void **state)
{
    (void)state;
    struct sohoa_queue *q = open_queue(16, NULL, 0);
    for (int i = 0; i < 5; i++)
        publish(q, i < 2 ? SOHOA_LANE_INTERACTIVE : SOHOA_LANE_BULK, i);
    struct sohoa_queue_stats st = stats(q);
    assert_int_equal(st.ready[SOHOA_LANE_INTERACTIVE], 2);
    assert_int_equal(st.ready[SOHOA_LANE_BULK], 3);
    assert_int_equal(sohoa_queue_depth(q, SOHOA_LANE_BULK), 3);
    struct sohoa_consumer *c = consumer(q);
    struct sohoa_delivery d = pop(c);
    st = stats(q);
    assert_true(st.consumers[SOHOA_LANE_BULK] >= 1);
    if (st.unacked[SOHOA_LANE_INTERACTIVE] >= 0) /* a broker may not tell */
        assert_int_equal(st.unacked[SOHOA_LANE_INTERACTIVE], 1);
    ack(c, &d);
    sohoa_consumer_free(&c);
    drain_all(q);
    sohoa_queue_close(q);
    sohoa_queue_free(&q);
}

/* After close, consumers stop (mem: once drained) and publishing is refused. */
static void test_close(void **state)
{
    (void)state;
    struct sohoa_queue *q = open_queue(8, NULL, 0);
    struct sohoa_consumer *c = consumer(q);
    sohoa_queue_close(q);
    sohoa_queue_close(q); /* twice is harmless */
    struct sohoa_job j = make_job(SOHOA_LANE_BULK, 1);
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_queue_publish(q, &j, true, &err), SOHOA_ECLOSED);
    struct sohoa_delivery d;
    assert_int_equal(sohoa_consumer_pop(c, DEADLINE_MS, &d, &err), SOHOA_ECLOSED);
    assert_int_equal(err.code, SOHOA_ECLOSED);
    sohoa_consumer_free(&c);
    sohoa_queue_free(&q);
}

/* The broker restarts between two publishes; the publisher and an open consumer reconnect and
 * both jobs (durable, persistent) come out. */
static void test_reconnect(void **state)
{
    (void)state;
    const char *restart = getenv("SOHOA_TEST_QUEUE_RESTART");
    if (!amqp || !restart || !restart[0]) {
        printf("# reconnect: skipped (needs a broker and SOHOA_TEST_QUEUE_RESTART)\n");
        skip();
    }
    struct sohoa_queue *q = open_queue(8, NULL, 0);
    struct sohoa_consumer *c = consumer(q);
    publish(q, SOHOA_LANE_BULK, 1);
    double t0 = sohoa_now_ms();
    if (system(restart) != 0)
        fail_msg("restart command failed: %s", restart);
    publish(q, SOHOA_LANE_BULK, 2);
    bool seen[3] = {false, false, false};
    for (int i = 0; i < 2; i++) {
        struct sohoa_delivery d = pop(c);
        assert_true(d.job.page == 1 || d.job.page == 2);
        seen[d.job.page] = true;
        ack(c, &d);
    }
    printf("# reconnect: both jobs delivered %.0f ms after the restart began\n",
           sohoa_now_ms() - t0);
    assert_true(seen[1] && seen[2]);
    sohoa_consumer_free(&c);
    sohoa_queue_close(q);
    sohoa_queue_free(&q);
}

static struct sohoa_consumer *lane_consumer(struct sohoa_queue *q, unsigned lanes)
{
    struct sohoa_consumer *c = NULL;
    struct sohoa_err err = {0};
    if (sohoa_consumer_open_lanes(q, lanes, &c, &err) != 0)
        fail_msg("consumer of lanes 0x%x: %s", lanes, err.msg);
    return c;
}

enum { I_ONLY = SOHOA_LANE_BIT(SOHOA_LANE_INTERACTIVE), B_ONLY = SOHOA_LANE_BIT(SOHOA_LANE_BULK) };

/* A consumer of one lane takes that lane's jobs in order and nothing of the other lane. */
static void test_lane_only_consumers(void **state)
{
    (void)state;
    struct sohoa_queue *q = open_queue(16, NULL, 0);
    struct sohoa_consumer *bad = NULL;
    assert_int_equal(sohoa_consumer_open_lanes(q, 0, &bad, NULL), SOHOA_EINVAL);
    assert_int_equal(sohoa_consumer_open_lanes(q, SOHOA_LANES_ALL << 1, &bad, NULL), SOHOA_EINVAL);
    assert_null(bad);
    const char *o = "BIBBIB";
    for (int i = 0; o[i]; i++)
        publish(q, o[i] == 'I' ? SOHOA_LANE_INTERACTIVE : SOHOA_LANE_BULK, i);
    struct sohoa_consumer *ci = lane_consumer(q, I_ONLY);
    struct sohoa_delivery d = pop(ci);
    assert_int_equal(d.job.page, 1);
    ack(ci, &d);
    d = pop(ci);
    assert_int_equal(d.job.page, 4);
    ack(ci, &d);
    expect_empty(ci, PAUSE_MS); /* four bulk jobs ready, none for it */
    if (!amqp) {                /* a broker's consumer counts lag */
        struct sohoa_queue_stats st = stats(q);
        assert_int_equal(st.consumers[SOHOA_LANE_INTERACTIVE], 1);
        assert_int_equal(st.consumers[SOHOA_LANE_BULK], 0);
    }
    struct sohoa_consumer *cb = lane_consumer(q, B_ONLY);
    publish(q, SOHOA_LANE_INTERACTIVE, 9);
    const int bulk[] = {0, 2, 3, 5};
    for (size_t i = 0; i < COUNT(bulk); i++) {
        d = pop(cb);
        assert_int_equal(d.job.page, bulk[i]);
        assert_int_equal(d.job.lane, SOHOA_LANE_BULK);
        ack(cb, &d);
    }
    expect_empty(cb, PAUSE_MS); /* the interactive job 9 is not its */
    d = pop(ci);
    assert_int_equal(d.job.page, 9);
    ack(ci, &d);
    /* a job requeued by a one-lane consumer is delivered to the next one */
    publish(q, SOHOA_LANE_INTERACTIVE, 10);
    d = pop(ci);
    sohoa_consumer_free(&ci);
    struct sohoa_consumer *c = consumer(q);
    d = pop(c);
    assert_int_equal(d.job.page, 10);
    assert_true(d.redelivered);
    ack(c, &d);
    sohoa_consumer_free(&c);
    sohoa_consumer_free(&cb);
    drain_all(q);
    sohoa_queue_close(q);
    sohoa_queue_free(&q);
}

/* A consumer thread: opens a consumer of `lanes`, says so, pops once, acks. */
struct popper {
    pthread_t th;
    struct sohoa_queue *q;
    unsigned lanes;
    atomic_int ready, done, page, rc;
};

static void *popper_main(void *p)
{
    struct popper *a = p;
    struct sohoa_consumer *c = NULL;
    int rc = sohoa_consumer_open_lanes(a->q, a->lanes, &c, NULL);
    atomic_store(&a->ready, 1);
    struct sohoa_delivery d;
    if (rc == 0 && (rc = sohoa_consumer_pop(c, DEADLINE_MS, &d, NULL)) == 0) {
        atomic_store(&a->page, d.job.page);
        rc = sohoa_delivery_ack(c, &d, NULL);
    }
    sohoa_consumer_free(&c);
    atomic_store(&a->rc, rc);
    atomic_store(&a->done, 1);
    return NULL;
}

static bool wait_count(atomic_int *flag, int want);

static void start_popper(struct popper *a, struct sohoa_queue *q, unsigned lanes)
{
    memset(a, 0, sizeof *a);
    a->q = q;
    a->lanes = lanes;
    atomic_init(&a->page, -1);
    assert_int_equal(pthread_create(&a->th, NULL, popper_main, a), 0);
    assert_true(wait_count(&a->ready, 1));
}

/* Two consumers wait, one per lane kind: each publish reaches a consumer that may take it (on the
 * in-process queue a single wake-up could go to the consumer of the other lane). */
static void test_lane_consumers_wake_for_their_lane(void **state)
{
    (void)state;
    struct sohoa_queue *q = open_queue(16, NULL, 0);
    for (int round = 0; round < 3; round++) {
        struct popper pi, pa;
        start_popper(&pi, q, I_ONLY);
        start_popper(&pa, q, SOHOA_LANES_ALL);
        sleep_ms(PAUSE_MS / 4); /* both are waiting now (most likely; else pop finds the job) */
        publish(q, SOHOA_LANE_BULK, 100 + round);
        assert_true(wait_count(&pa.done, 1));
        assert_int_equal(atomic_load(&pa.rc), 0);
        assert_int_equal(atomic_load(&pa.page), 100 + round);
        assert_int_equal(atomic_load(&pi.done), 0); /* the bulk job was not its */
        publish(q, SOHOA_LANE_INTERACTIVE, 200 + round);
        assert_true(wait_count(&pi.done, 1));
        assert_int_equal(atomic_load(&pi.rc), 0);
        assert_int_equal(atomic_load(&pi.page), 200 + round);
        pthread_join(pi.th, NULL);
        pthread_join(pa.th, NULL);
    }
    drain_all(q);
    sohoa_queue_close(q);
    sohoa_queue_free(&q);
}

/* ---- in-process only: back-pressure and close ---------------------------------------------- */

struct pusher {
    pthread_t th;
    struct sohoa_queue *q;
    struct sohoa_job job;
    bool force;
    int count;
    atomic_int done;
    atomic_int rc;
};

static void *pusher_main(void *p)
{
    struct pusher *a = p;
    for (int i = 0; i < a->count; i++) {
        struct sohoa_job j = a->job;
        j.page = a->job.page + i;
        int rc = sohoa_queue_publish(a->q, &j, a->force, NULL);
        atomic_store(&a->rc, rc);
        atomic_fetch_add(&a->done, 1);
        if (rc < 0)
            break;
    }
    return NULL;
}

static void start_pusher(struct pusher *a, struct sohoa_queue *q, enum sohoa_lane lane, int id,
                         int count, bool force)
{
    memset(a, 0, sizeof *a);
    a->q = q;
    a->job = make_job(lane, id);
    a->count = count;
    a->force = force;
    atomic_init(&a->done, 0);
    atomic_init(&a->rc, 1);
    assert_int_equal(pthread_create(&a->th, NULL, pusher_main, a), 0);
}

static bool wait_count(atomic_int *flag, int want)
{
    for (int waited = 0; waited < DEADLINE_MS; waited += 5) {
        if (atomic_load(flag) >= want)
            return true;
        sleep_ms(5);
    }
    return atomic_load(flag) >= want;
}

static void test_mem_capacity_blocks_until_pop(void **state)
{
    (void)state;
    if (amqp)
        skip();
    const size_t caps[] = {1, 2, 5};
    for (size_t k = 0; k < COUNT(caps); k++) {
        struct sohoa_queue *q = open_queue(caps[k], NULL, 0);
        struct sohoa_consumer *c = consumer(q);
        for (size_t i = 0; i < caps[k]; i++)
            publish(q, SOHOA_LANE_BULK, (int)i);
        struct pusher a;
        start_pusher(&a, q, SOHOA_LANE_BULK, 1000, 1, false);
        sleep_ms(PAUSE_MS);
        if (atomic_load(&a.done) != 0)
            fail_msg("capacity %zu: a publish into a full lane did not block", caps[k]);
        struct sohoa_delivery d = pop(c);
        assert_int_equal(d.job.page, 0);
        if (!wait_count(&a.done, 1))
            fail_msg("capacity %zu: the producer stayed blocked after a pop", caps[k]);
        pthread_join(a.th, NULL);
        assert_int_equal(atomic_load(&a.rc), 0);
        /* a full interactive lane is not affected by the bulk lane, and force never blocks */
        struct pusher b;
        start_pusher(&b, q, SOHOA_LANE_BULK, 2000, 50, true);
        bool returned = wait_count(&b.done, 50);
        if (!returned)
            sohoa_queue_close(q);
        pthread_join(b.th, NULL);
        if (!returned)
            fail_msg("a forced publish blocked on a full lane");
        assert_int_equal(sohoa_queue_depth(q, SOHOA_LANE_BULK), caps[k] + 50);
        sohoa_consumer_free(&c); /* the delivery held is put back */
        assert_int_equal(sohoa_queue_depth(q, SOHOA_LANE_BULK), caps[k] + 51);
        sohoa_queue_close(q);
        sohoa_queue_free(&q); /* with jobs left: freed (checked under ASan) */
    }
}

static void test_mem_close_wakes_and_drains(void **state)
{
    (void)state;
    if (amqp)
        skip();
    struct sohoa_queue *q = open_queue(1, NULL, 0);
    publish(q, SOHOA_LANE_BULK, 0);
    struct pusher a;
    start_pusher(&a, q, SOHOA_LANE_BULK, 10, 1, false);
    sleep_ms(PAUSE_MS);
    assert_int_equal(atomic_load(&a.done), 0);
    publish(q, SOHOA_LANE_INTERACTIVE, 1);
    sohoa_queue_close(q);
    if (!wait_count(&a.done, 1))
        fail_msg("producer still blocked after close");
    pthread_join(a.th, NULL);
    assert_int_equal(atomic_load(&a.rc), SOHOA_ECLOSED);
    struct sohoa_consumer *c = consumer(q);
    /* what was queued before close is still handed out, interactive first, then ECLOSED */
    struct sohoa_delivery d = pop(c);
    assert_int_equal(d.job.page, 1);
    ack(c, &d);
    d = pop(c);
    assert_int_equal(d.job.page, 0);
    ack(c, &d);
    for (int i = 0; i < 3; i++)
        assert_int_equal(sohoa_consumer_pop(c, DEADLINE_MS, &d, NULL), SOHOA_ECLOSED);
    sohoa_consumer_free(&c);
    sohoa_queue_free(&q);
}

enum { PRODUCERS = 4, CONSUMERS = 4, PER_PRODUCER = 3000 };

struct mpmc {
    struct sohoa_queue *q;
    atomic_int delivered[PRODUCERS * PER_PRODUCER];
    atomic_int errors;
};

struct mp_arg {
    struct mpmc *m;
    int id;
};

static void *mp_producer(void *p)
{
    struct mp_arg *a = p;
    for (int i = 0; i < PER_PRODUCER; i++) {
        int id = a->id * PER_PRODUCER + i;
        struct sohoa_job j = make_job(i % 3 == 0 ? SOHOA_LANE_INTERACTIVE : SOHOA_LANE_BULK, id);
        if (sohoa_queue_publish(a->m->q, &j, i % 50 == 0, NULL) != 0)
            atomic_fetch_add(&a->m->errors, 1);
    }
    return NULL;
}

/* Consumes until closed; every tenth job is requeued once (it must still come exactly once
 * acknowledged). */
static void *mp_consumer(void *p)
{
    struct mp_arg *a = p;
    struct sohoa_consumer *c = NULL;
    if (sohoa_consumer_open(a->m->q, &c, NULL) != 0) {
        atomic_fetch_add(&a->m->errors, 1);
        return NULL;
    }
    struct sohoa_delivery d;
    while (sohoa_consumer_pop(c, -1, &d, NULL) == 0) {
        char want[65];
        snprintf(want, sizeof want, "%064d", d.job.page);
        if (d.job.page < 0 || d.job.page >= PRODUCERS * PER_PRODUCER ||
            strcmp(want, d.job.doc_id) != 0 || d.job.n_pages != d.job.page + 1) {
            atomic_fetch_add(&a->m->errors, 1); /* a torn or mixed job */
            sohoa_delivery_ack(c, &d, NULL);
            continue;
        }
        if (d.job.page % 10 == 0 && !d.redelivered) {
            sohoa_delivery_requeue(c, &d, NULL);
            continue;
        }
        atomic_fetch_add(&a->m->delivered[d.job.page], 1);
        sohoa_delivery_ack(c, &d, NULL);
    }
    sohoa_consumer_free(&c);
    return NULL;
}

static void test_mem_many_producers_consumers(void **state)
{
    (void)state;
    if (amqp)
        skip();
    const size_t caps[] = {1, 8, 1000};
    for (size_t k = 0; k < COUNT(caps); k++) {
        struct mpmc *m = calloc(1, sizeof *m);
        assert_non_null(m);
        m->q = open_queue(caps[k], NULL, 0);
        pthread_t pt[PRODUCERS], ct[CONSUMERS];
        struct mp_arg pa[PRODUCERS], ca[CONSUMERS];
        for (int i = 0; i < CONSUMERS; i++) {
            ca[i] = (struct mp_arg){m, i};
            assert_int_equal(pthread_create(&ct[i], NULL, mp_consumer, &ca[i]), 0);
        }
        for (int i = 0; i < PRODUCERS; i++) {
            pa[i] = (struct mp_arg){m, i};
            assert_int_equal(pthread_create(&pt[i], NULL, mp_producer, &pa[i]), 0);
        }
        for (int i = 0; i < PRODUCERS; i++)
            pthread_join(pt[i], NULL);
        sohoa_queue_close(m->q);
        for (int i = 0; i < CONSUMERS; i++)
            pthread_join(ct[i], NULL);
        assert_int_equal(atomic_load(&m->errors), 0);
        int missing = 0, dup = 0;
        for (int i = 0; i < PRODUCERS * PER_PRODUCER; i++) {
            int n = atomic_load(&m->delivered[i]);
            missing += n == 0;
            dup += n > 1;
        }
        if (missing || dup)
            fail_msg("capacity %zu: %d jobs never delivered, %d delivered twice", caps[k], missing,
                     dup);
        sohoa_queue_free(&m->q);
        free(m);
    }
}

static void test_bad_urls(void **state)
{
    (void)state;
    const char *bad[] = {"rabbit://x", "amqp://", "amqp://guest:guest@127.0.0.1:1/"};
    for (size_t i = 0; i < COUNT(bad); i++) {
        struct sohoa_queue *q = (struct sohoa_queue *)&q;
        struct sohoa_err err = {0};
        assert_true(sohoa_queue_open(bad[i], NULL, &q, &err) < 0);
        assert_null(q);
        assert_true(err.msg[0] != '\0');
    }
    char red[256];
    sohoa_queue_url_redacted("amqp://user:secret@host:5672/v", red, sizeof red);
    assert_string_equal(red, "amqp://user:***@host:5672/v");
    sohoa_queue_url_redacted(NULL, red, sizeof red);
    assert_string_equal(red, "mem:");
}

int main(void)
{
    url = getenv("SOHOA_TEST_QUEUE_URL");
    if (!url || !url[0])
        url = "mem:";
    amqp = strncmp(url, "amqp://", 7) == 0;
    printf("# queue backend under test: %s\n", amqp ? "amqp" : "mem");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_job_round_trip),
        cmocka_unit_test(test_interactive_first),
        cmocka_unit_test(test_interactive_overtakes_waiting_bulk),
        cmocka_unit_test(test_ack_removes),
        cmocka_unit_test(test_retry_delays_then_dead),
        cmocka_unit_test(test_dead_letter_and_replay),
        cmocka_unit_test(test_requeue),
        cmocka_unit_test(test_redelivery_after_consumer_dies),
        cmocka_unit_test(test_stats_counts),
        cmocka_unit_test(test_close),
        cmocka_unit_test(test_reconnect),
        cmocka_unit_test(test_lane_only_consumers),
        cmocka_unit_test(test_lane_consumers_wake_for_their_lane),
        cmocka_unit_test(test_mem_capacity_blocks_until_pop),
        cmocka_unit_test(test_mem_close_wakes_and_drains),
        cmocka_unit_test(test_mem_many_producers_consumers),
        cmocka_unit_test(test_bad_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
