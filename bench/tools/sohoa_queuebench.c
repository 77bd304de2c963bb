/* sohoa_queuebench.c — message rate of the queue layer alone (workers/runtime/queue.h): publish N
 * empty page jobs through a backend, then consume and acknowledge them with C consumer threads, and
 * print the rate of each phase and of the whole round trip in messages per second.
 *
 *   sohoa_queuebench [--queue URL] [--messages N] [--consumers C]
 *
 * URL is "mem:" (default) or amqp://user:pass@host:port/vhost; the broker run uses queue names of
 * its own ("qbench<pid>"), left empty afterwards. Publishing on AMQP waits for each publisher
 * confirm (as sohoa does); each consumer has its own connection.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workers/runtime/queue.h"
#include "pipeline/base/deadline.h"

struct run {
    struct sohoa_queue *q;
    long n;
    atomic_long taken;
    atomic_int errors;
};

static void *consume(void *arg)
{
    struct run *r = arg;
    struct sohoa_consumer *c = NULL;
    struct sohoa_err err;
    if (sohoa_consumer_open(r->q, &c, &err) < 0) {
        fprintf(stderr, "sohoa_queuebench: consumer: %s\n", err.msg);
        atomic_fetch_add(&r->errors, 1);
        return NULL;
    }
    struct sohoa_delivery d;
    while (atomic_load(&r->taken) < r->n) {
        int rc = sohoa_consumer_pop(c, 200, &d, &err);
        if (rc == SOHOA_ETIMEOUT)
            continue;
        if (rc < 0 || sohoa_delivery_ack(c, &d, &err) < 0) {
            fprintf(stderr, "sohoa_queuebench: %s\n", err.msg);
            atomic_fetch_add(&r->errors, 1);
            break;
        }
        atomic_fetch_add(&r->taken, 1);
    }
    sohoa_consumer_free(&c);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *url = "mem:";
    long n = 10000;
    int consumers = 2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--queue") && i + 1 < argc)
            url = argv[++i];
        else if (!strcmp(argv[i], "--messages") && i + 1 < argc)
            n = atol(argv[++i]);
        else if (!strcmp(argv[i], "--consumers") && i + 1 < argc)
            consumers = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: sohoa_queuebench [--queue URL] [--messages N] "
                            "[--consumers C]\n");
            return 64;
        }
    }
    if (n < 1 || consumers < 1 || consumers > 64)
        return 64;
    char prefix[32];
    (void)snprintf(prefix, sizeof prefix, "qbench%d", (int)getpid());
    struct sohoa_queue_opts o = {.capacity = (size_t)n, .prefix = prefix};
    struct run r = {.n = n};
    struct sohoa_err err;
    if (sohoa_queue_open(url, &o, &r.q, &err) < 0) {
        fprintf(stderr, "sohoa_queuebench: %s\n", err.msg);
        return 1;
    }
    struct sohoa_job job;
    memset(&job, 0, sizeof job);
    job.kind = SOHOA_JOB_PAGE;
    job.lane = SOHOA_LANE_BULK;
    memset(job.doc_id, 'a', 64);
    job.n_pages = 1;
    job.attempt = 1;
    (void)snprintf(job.format, sizeof job.format, "png");

    double t0 = sohoa_now_ms();
    for (long i = 0; i < n; i++)
        if (sohoa_queue_publish(r.q, &job, true, &err) < 0) {
            fprintf(stderr, "sohoa_queuebench: publish: %s\n", err.msg);
            return 1;
        }
    double t1 = sohoa_now_ms();
    pthread_t th[64];
    for (int i = 0; i < consumers; i++)
        pthread_create(&th[i], NULL, consume, &r);
    for (int i = 0; i < consumers; i++)
        pthread_join(th[i], NULL);
    double t2 = sohoa_now_ms();
    printf("backend\t%s\nmessages\t%ld\nconsumers\t%d\n", sohoa_queue_scheme(r.q), n, consumers);
    printf("publish_per_s\t%.0f\nconsume_ack_per_s\t%.0f\nround_trip_per_s\t%.0f\n",
           (double)n / ((t1 - t0) / 1e3), (double)n / ((t2 - t1) / 1e3),
           (double)n / ((t2 - t0) / 1e3));
    sohoa_queue_close(r.q);
    sohoa_queue_free(&r.q);
    return atomic_load(&r.errors) ? 1 : 0;
}
