/* queue.c — bounded two-lane in-process queue (see queue.h).
 *
 * DESIGN: one mutex, two condition variables (not_empty for consumers, not_full for producers) and
 * one singly linked FIFO per lane. Nodes are allocated per push; a job is ~100 bytes.
 */
#include "workers/queue.h"

#include <pthread.h>
#include <stdlib.h>

struct node {
    struct node *next;
    struct sohoa_job job;
};

struct lane {
    struct node *head, *tail;
    size_t depth;
};

struct sohoa_queue {
    pthread_mutex_t mu;
    pthread_cond_t not_empty;
    pthread_cond_t not_full;
    struct lane lanes[SOHOA_LANE_COUNT];
    size_t capacity;
    bool closed;
};

int sohoa_queue_new(size_t capacity, struct sohoa_queue **out, struct sohoa_err *err)
{
    *out = NULL;
    struct sohoa_queue *q = calloc(1, sizeof *q);
    if (!q)
        return sohoa_err_set(err, SOHOA_ENOMEM, true, "out of memory");
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    pthread_cond_init(&q->not_full, NULL);
    q->capacity = capacity ? capacity : 1;
    *out = q;
    return 0;
}

void sohoa_queue_free(struct sohoa_queue **qp)
{
    if (!qp || !*qp)
        return;
    struct sohoa_queue *q = *qp;
    for (int l = 0; l < SOHOA_LANE_COUNT; l++) {
        struct node *n = q->lanes[l].head;
        while (n) {
            struct node *next = n->next;
            free(n);
            n = next;
        }
    }
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
    pthread_mutex_destroy(&q->mu);
    free(q);
    *qp = NULL;
}

int sohoa_queue_push(struct sohoa_queue *q, const struct sohoa_job *job, bool force,
                     struct sohoa_err *err)
{
    int lane_ix = job->lane == SOHOA_LANE_INTERACTIVE ? SOHOA_LANE_INTERACTIVE : SOHOA_LANE_BULK;
    struct node *n = malloc(sizeof *n);
    if (!n)
        return sohoa_err_set(err, SOHOA_ENOMEM, true, "out of memory");
    n->next = NULL;
    n->job = *job;
    pthread_mutex_lock(&q->mu);
    struct lane *l = &q->lanes[lane_ix];
    while (!force && !q->closed && l->depth >= q->capacity)
        pthread_cond_wait(&q->not_full, &q->mu);
    if (q->closed) {
        pthread_mutex_unlock(&q->mu);
        free(n);
        return sohoa_err_set(err, SOHOA_ECLOSED, false, "queue is closed");
    }
    if (l->tail)
        l->tail->next = n;
    else
        l->head = n;
    l->tail = n;
    l->depth++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

int sohoa_queue_pop(struct sohoa_queue *q, struct sohoa_job *job, struct sohoa_err *err)
{
    pthread_mutex_lock(&q->mu);
    for (;;) {
        for (int i = 0; i < SOHOA_LANE_COUNT; i++) {
            struct lane *l = &q->lanes[i];
            if (!l->head)
                continue;
            struct node *n = l->head;
            l->head = n->next;
            if (!l->head)
                l->tail = NULL;
            l->depth--;
            pthread_cond_broadcast(&q->not_full);
            pthread_mutex_unlock(&q->mu);
            *job = n->job;
            free(n);
            return 0;
        }
        if (q->closed)
            break;
        pthread_cond_wait(&q->not_empty, &q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    return sohoa_err_set(err, SOHOA_ECLOSED, false, "queue is closed");
}

void sohoa_queue_close(struct sohoa_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = true;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->mu);
}

size_t sohoa_queue_depth(struct sohoa_queue *q, enum sohoa_lane lane)
{
    pthread_mutex_lock(&q->mu);
    size_t d = q->lanes[lane == SOHOA_LANE_INTERACTIVE ? 0 : 1].depth;
    pthread_mutex_unlock(&q->mu);
    return d;
}
