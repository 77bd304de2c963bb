/* test_queue.c — the in-process two-lane queue (workers/queue.h): FIFO per lane, interactive
 * first whatever the push order, depth counts, jobs copied by value, back-pressure at capacity,
 * `force` never blocking, close waking producers and consumers and letting consumers drain, and
 * many producers and consumers delivering every job exactly once.
 *
 * Blocking is checked with a helper thread and a flag: "still blocked" after a pause (which cannot
 * fail spuriously on a slow machine), then "unblocked" within a generous deadline. No assertion is
 * made about speed.
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

#include "workers/queue.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum { PAUSE_MS = 200, DEADLINE_MS = 20000 };

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

static struct sohoa_queue *new_queue(size_t capacity)
{
    struct sohoa_queue *q = NULL;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_queue_new(capacity, &q, &err), 0);
    assert_non_null(q);
    return q;
}

static void push(struct sohoa_queue *q, enum sohoa_lane lane, int id)
{
    struct sohoa_job j = make_job(lane, id);
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_queue_push(q, &j, false, &err), 0);
}

static struct sohoa_job pop(struct sohoa_queue *q)
{
    struct sohoa_job j;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_queue_pop(q, &j, &err), 0);
    return j;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits until *flag reaches `want` or the deadline passes; returns whether it did. */
static bool wait_count(atomic_int *flag, int want)
{
    for (int waited = 0; waited < DEADLINE_MS; waited += 5) {
        if (atomic_load(flag) >= want)
            return true;
        sleep_ms(5);
    }
    return atomic_load(flag) >= want;
}

/* ---- ordering -------------------------------------------------------------------------------- */

/* Each row is a push order: 'I' an interactive job, 'B' a bulk job; ids count up in push order.
 * Pops must give every interactive job in push order, then every bulk job in push order. */
static const char *const orders[] = {
    "I", "B", "IB", "BI", "BBBII", "IIBBB", "BIBIBIB", "BBBBBBBBI", "IBBBBBBBB", "IIIIIIII",
};

static void test_lanes_fifo_interactive_first(void **state)
{
    (void)state;
    for (size_t r = 0; r < COUNT(orders); r++) {
        const char *o = orders[r];
        size_t n = strlen(o), n_int = 0;
        struct sohoa_queue *q = new_queue(64);
        for (size_t i = 0; i < n; i++) {
            enum sohoa_lane lane = o[i] == 'I' ? SOHOA_LANE_INTERACTIVE : SOHOA_LANE_BULK;
            push(q, lane, (int)i);
            n_int += lane == SOHOA_LANE_INTERACTIVE;
            assert_int_equal(sohoa_queue_depth(q, SOHOA_LANE_INTERACTIVE), n_int);
            assert_int_equal(sohoa_queue_depth(q, SOHOA_LANE_BULK), i + 1 - n_int);
        }
        /* expected pop order */
        int want[16];
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (o[i] == 'I')
                want[k++] = (int)i;
        for (size_t i = 0; i < n; i++)
            if (o[i] == 'B')
                want[k++] = (int)i;
        for (size_t i = 0; i < n; i++) {
            struct sohoa_job j = pop(q);
            if (j.page != want[i])
                fail_msg("order \"%s\": pop %zu gave job %d, want %d", o, i, j.page, want[i]);
            assert_int_equal(j.lane, o[j.page] == 'I' ? SOHOA_LANE_INTERACTIVE : SOHOA_LANE_BULK);
            size_t left = n - i - 1;
            assert_int_equal(sohoa_queue_depth(q, SOHOA_LANE_INTERACTIVE) +
                                 sohoa_queue_depth(q, SOHOA_LANE_BULK),
                             left);
        }
        sohoa_queue_free(&q);
        assert_null(q);
    }
}

/* An interactive job pushed while bulk jobs wait is the next one out. */
static void test_interactive_overtakes_waiting_bulk(void **state)
{
    (void)state;
    struct sohoa_queue *q = new_queue(64);
    for (int i = 0; i < 10; i++)
        push(q, SOHOA_LANE_BULK, i);
    assert_int_equal(pop(q).page, 0);
    push(q, SOHOA_LANE_INTERACTIVE, 100);
    assert_int_equal(pop(q).page, 100);
    assert_int_equal(pop(q).page, 1);
    sohoa_queue_free(&q);
}

static void test_job_copied_by_value(void **state)
{
    (void)state;
    struct sohoa_queue *q = new_queue(4);
    struct sohoa_job j = make_job(SOHOA_LANE_BULK, 7);
    j.kind = SOHOA_JOB_DOC;
    j.attempt = 3;
    struct sohoa_job sent = j;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_queue_push(q, &j, false, &err), 0);
    memset(&j, 0xAB, sizeof j); /* the caller's copy is its own */
    struct sohoa_job got = pop(q);
    assert_int_equal(got.kind, SOHOA_JOB_DOC);
    assert_int_equal(got.lane, SOHOA_LANE_BULK);
    assert_string_equal(got.doc_id, sent.doc_id);
    assert_int_equal(got.page, 7);
    assert_int_equal(got.n_pages, 8);
    assert_string_equal(got.format, "fmt7");
    assert_int_equal(got.attempt, 3);
    sohoa_queue_free(&q);
    sohoa_queue_free(&q); /* NULL-safe */
    sohoa_queue_free(NULL);
}

/* ---- blocking ------------------------------------------------------------------------------ */

struct pusher {
    pthread_t th;
    struct sohoa_queue *q;
    struct sohoa_job job;
    bool force;
    int count;       /* jobs to push */
    atomic_int done; /* pushes that returned */
    atomic_int rc;   /* the last return code */
    struct sohoa_err err;
};

static void *pusher_main(void *p)
{
    struct pusher *a = p;
    for (int i = 0; i < a->count; i++) {
        struct sohoa_job j = a->job;
        j.page = a->job.page + i;
        int rc = sohoa_queue_push(a->q, &j, a->force, &a->err);
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

static void test_capacity_blocks_until_pop(void **state)
{
    (void)state;
    const size_t caps[] = {1, 2, 5};
    for (size_t c = 0; c < COUNT(caps); c++) {
        struct sohoa_queue *q = new_queue(caps[c]);
        for (size_t i = 0; i < caps[c]; i++)
            push(q, SOHOA_LANE_BULK, (int)i);
        struct pusher a;
        start_pusher(&a, q, SOHOA_LANE_BULK, 1000, 1, false);
        sleep_ms(PAUSE_MS);
        if (atomic_load(&a.done) != 0)
            fail_msg("capacity %zu: a push into a full lane returned %d without blocking", caps[c],
                     atomic_load(&a.rc));
        assert_int_equal(sohoa_queue_depth(q, SOHOA_LANE_BULK), caps[c]);
        assert_int_equal(pop(q).page, 0);
        if (!wait_count(&a.done, 1))
            fail_msg("capacity %zu: the producer stayed blocked after a pop", caps[c]);
        pthread_join(a.th, NULL);
        assert_int_equal(atomic_load(&a.rc), 0);
        assert_int_equal(sohoa_queue_depth(q, SOHOA_LANE_BULK), caps[c]);
        for (size_t i = 1; i < caps[c]; i++)
            assert_int_equal(pop(q).page, (int)i);
        assert_int_equal(pop(q).page, 1000);
        sohoa_queue_free(&q);
    }
}

/* Capacity is per lane: a full bulk lane does not hold up an interactive push. */
static void test_capacity_is_per_lane(void **state)
{
    (void)state;
    struct sohoa_queue *q = new_queue(2);
    push(q, SOHOA_LANE_BULK, 0);
    push(q, SOHOA_LANE_BULK, 1);
    struct pusher a;
    start_pusher(&a, q, SOHOA_LANE_INTERACTIVE, 50, 2, false);
    bool returned = wait_count(&a.done, 2);
    if (!returned)
        sohoa_queue_close(q); /* release the thread before failing */
    pthread_join(a.th, NULL);
    if (!returned)
        fail_msg("an interactive push blocked on a full bulk lane");
    assert_int_equal(sohoa_queue_depth(q, SOHOA_LANE_INTERACTIVE), 2);
    assert_int_equal(sohoa_queue_depth(q, SOHOA_LANE_BULK), 2);
    sohoa_queue_free(&q);
}

static void test_force_never_blocks(void **state)
{
    (void)state;
    const enum sohoa_lane lanes[] = {SOHOA_LANE_BULK, SOHOA_LANE_INTERACTIVE};
    for (size_t l = 0; l < COUNT(lanes); l++) {
        struct sohoa_queue *q = new_queue(1);
        push(q, lanes[l], 0);
        struct pusher a;
        start_pusher(&a, q, lanes[l], 1, 100, true);
        bool returned = wait_count(&a.done, 100);
        if (!returned)
            sohoa_queue_close(q);
        pthread_join(a.th, NULL);
        if (!returned)
            fail_msg("a forced push blocked on a full lane");
        assert_int_equal(atomic_load(&a.rc), 0);
        assert_int_equal(sohoa_queue_depth(q, lanes[l]), 101);
        for (int i = 0; i <= 100; i++)
            assert_int_equal(pop(q).page, i);
        assert_int_equal(sohoa_queue_depth(q, lanes[l]), 0);
        sohoa_queue_free(&q);
    }
}

/* ---- close ----------------------------------------------------------------------------------- */

static void test_close_wakes_blocked_producers(void **state)
{
    (void)state;
    enum { N = 3 };
    struct sohoa_queue *q = new_queue(1);
    push(q, SOHOA_LANE_BULK, 0);
    struct pusher a[N];
    for (int i = 0; i < N; i++)
        start_pusher(&a[i], q, SOHOA_LANE_BULK, 10 + i, 1, false);
    sleep_ms(PAUSE_MS);
    for (int i = 0; i < N; i++)
        assert_int_equal(atomic_load(&a[i].done), 0);
    sohoa_queue_close(q);
    for (int i = 0; i < N; i++) {
        if (!wait_count(&a[i].done, 1))
            fail_msg("producer %d still blocked after close", i);
        pthread_join(a[i].th, NULL);
        assert_int_equal(atomic_load(&a[i].rc), SOHOA_ECLOSED);
        assert_int_equal(a[i].err.code, SOHOA_ECLOSED);
        assert_true(a[i].err.msg[0] != '\0');
    }
    /* the job queued before close is still delivered, then the consumer is told to stop */
    assert_int_equal(pop(q).page, 0);
    struct sohoa_job j;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_queue_pop(q, &j, &err), SOHOA_ECLOSED);
    assert_int_equal(err.code, SOHOA_ECLOSED);
    sohoa_queue_free(&q);
}

static void test_push_after_close(void **state)
{
    (void)state;
    const bool forces[] = {false, true};
    for (size_t f = 0; f < COUNT(forces); f++) {
        struct sohoa_queue *q = new_queue(4);
        sohoa_queue_close(q);
        struct sohoa_job j = make_job(SOHOA_LANE_INTERACTIVE, 1);
        struct sohoa_err err = {0};
        assert_int_equal(sohoa_queue_push(q, &j, forces[f], &err), SOHOA_ECLOSED);
        assert_int_equal(err.code, SOHOA_ECLOSED);
        assert_int_equal(sohoa_queue_depth(q, SOHOA_LANE_INTERACTIVE), 0);
        sohoa_queue_free(&q);
    }
}

static void test_close_drains_in_order(void **state)
{
    (void)state;
    struct sohoa_queue *q = new_queue(8);
    push(q, SOHOA_LANE_BULK, 0);
    push(q, SOHOA_LANE_INTERACTIVE, 1);
    push(q, SOHOA_LANE_BULK, 2);
    push(q, SOHOA_LANE_INTERACTIVE, 3);
    sohoa_queue_close(q);
    sohoa_queue_close(q); /* twice is harmless */
    const int want[] = {1, 3, 0, 2};
    for (size_t i = 0; i < COUNT(want); i++)
        assert_int_equal(pop(q).page, want[i]);
    for (int i = 0; i < 3; i++) { /* stays closed, never blocks */
        struct sohoa_job j;
        assert_int_equal(sohoa_queue_pop(q, &j, NULL), SOHOA_ECLOSED);
    }
    sohoa_queue_free(&q);
}

struct popper {
    pthread_t th;
    struct sohoa_queue *q;
    atomic_int done;
    atomic_int rc;
};

static void *popper_main(void *p)
{
    struct popper *a = p;
    struct sohoa_job j;
    atomic_store(&a->rc, sohoa_queue_pop(a->q, &j, NULL));
    atomic_store(&a->done, 1);
    return NULL;
}

static void test_close_wakes_blocked_consumers(void **state)
{
    (void)state;
    enum { N = 3 };
    struct sohoa_queue *q = new_queue(4);
    struct popper a[N];
    for (int i = 0; i < N; i++) {
        a[i].q = q;
        atomic_init(&a[i].done, 0);
        atomic_init(&a[i].rc, 1);
        assert_int_equal(pthread_create(&a[i].th, NULL, popper_main, &a[i]), 0);
    }
    sleep_ms(PAUSE_MS);
    for (int i = 0; i < N; i++)
        assert_int_equal(atomic_load(&a[i].done), 0);
    sohoa_queue_close(q);
    for (int i = 0; i < N; i++) {
        if (!wait_count(&a[i].done, 1))
            fail_msg("consumer %d still blocked after close", i);
        pthread_join(a[i].th, NULL);
        assert_int_equal(atomic_load(&a[i].rc), SOHOA_ECLOSED);
    }
    sohoa_queue_free(&q);
}

/* ---- many producers and consumers ------------------------------------------------------------ */

enum { PRODUCERS = 4, CONSUMERS = 4, PER_PRODUCER = 3000 };

struct mpmc {
    struct sohoa_queue *q;
    atomic_int delivered[PRODUCERS * PER_PRODUCER];
    atomic_int order_errors;
    atomic_int push_errors;
};

struct mp_arg {
    struct mpmc *m;
    int id;
};

/* Producer p pushes ids p*PER_PRODUCER .. +PER_PRODUCER-1; every third one interactive; some
 * forced. */
static void *mp_producer(void *p)
{
    struct mp_arg *a = p;
    for (int i = 0; i < PER_PRODUCER; i++) {
        int id = a->id * PER_PRODUCER + i;
        struct sohoa_job j = make_job(i % 3 == 0 ? SOHOA_LANE_INTERACTIVE : SOHOA_LANE_BULK, id);
        if (sohoa_queue_push(a->m->q, &j, i % 50 == 0, NULL) != 0)
            atomic_fetch_add(&a->m->push_errors, 1);
    }
    return NULL;
}

/* Consumes until closed; within one consumer, jobs of one producer and lane come in push order. */
static void *mp_consumer(void *p)
{
    struct mp_arg *a = p;
    int last[PRODUCERS][SOHOA_LANE_COUNT];
    for (int i = 0; i < PRODUCERS; i++)
        last[i][0] = last[i][1] = -1;
    struct sohoa_job j;
    while (sohoa_queue_pop(a->m->q, &j, NULL) == 0) {
        if (j.page < 0 || j.page >= PRODUCERS * PER_PRODUCER) {
            atomic_fetch_add(&a->m->order_errors, 1);
            continue;
        }
        atomic_fetch_add(&a->m->delivered[j.page], 1);
        int prod = j.page / PER_PRODUCER;
        if (j.page <= last[prod][j.lane])
            atomic_fetch_add(&a->m->order_errors, 1);
        last[prod][j.lane] = j.page;
        char want[65];
        snprintf(want, sizeof want, "%064d", j.page);
        if (strcmp(want, j.doc_id) != 0 || j.n_pages != j.page + 1)
            atomic_fetch_add(&a->m->order_errors, 1); /* a torn or mixed job */
    }
    return NULL;
}

static void test_many_producers_consumers(void **state)
{
    (void)state;
    const size_t caps[] = {1, 8, 1000};
    for (size_t c = 0; c < COUNT(caps); c++) {
        struct mpmc *m = calloc(1, sizeof *m);
        assert_non_null(m);
        m->q = new_queue(caps[c]);
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
        assert_int_equal(atomic_load(&m->push_errors), 0);
        assert_int_equal(atomic_load(&m->order_errors), 0);
        int missing = 0, dup = 0;
        for (int i = 0; i < PRODUCERS * PER_PRODUCER; i++) {
            int d = atomic_load(&m->delivered[i]);
            missing += d == 0;
            dup += d > 1;
        }
        if (missing || dup)
            fail_msg("capacity %zu: %d jobs never delivered, %d delivered twice", caps[c], missing,
                     dup);
        assert_int_equal(sohoa_queue_depth(m->q, SOHOA_LANE_INTERACTIVE), 0);
        assert_int_equal(sohoa_queue_depth(m->q, SOHOA_LANE_BULK), 0);
        sohoa_queue_free(&m->q);
        free(m);
    }
}

/* Closing with jobs still queued and nobody consuming frees them (checked under ASan). */
static void test_free_with_jobs_left(void **state)
{
    (void)state;
    struct sohoa_queue *q = new_queue(16);
    for (int i = 0; i < 10; i++)
        push(q, i % 2 ? SOHOA_LANE_BULK : SOHOA_LANE_INTERACTIVE, i);
    sohoa_queue_close(q);
    sohoa_queue_free(&q);
    assert_null(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lanes_fifo_interactive_first),
        cmocka_unit_test(test_interactive_overtakes_waiting_bulk),
        cmocka_unit_test(test_job_copied_by_value),
        cmocka_unit_test(test_capacity_blocks_until_pop),
        cmocka_unit_test(test_capacity_is_per_lane),
        cmocka_unit_test(test_force_never_blocks),
        cmocka_unit_test(test_close_wakes_blocked_producers),
        cmocka_unit_test(test_push_after_close),
        cmocka_unit_test(test_close_drains_in_order),
        cmocka_unit_test(test_close_wakes_blocked_consumers),
        cmocka_unit_test(test_many_producers_consumers),
        cmocka_unit_test(test_free_with_jobs_left),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
