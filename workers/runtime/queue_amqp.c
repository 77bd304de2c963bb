/* queue_amqp.c — the RabbitMQ queue backend through rabbitmq-c (the only file including <amqp.h>;
 * broker replies and library statuses become struct sohoa_err here). Topology, message format and
 * the retry / dead-letter flow are described in workers/runtime/QUEUE.md.
 *
 * DESIGN: rabbitmq-c connections are not thread-safe, so there are three kinds:
 *   - one publisher connection per process (mutex), channel 1 in confirm mode: every publish —
 *     new jobs, retries, dead letters — waits for the broker's ack before returning;
 *   - one connection per consumer thread: channel 2 consumes the bulk lane with prefetch 1 (the
 *     one thread works on one job; the next bulk job waits in a one-slot buffer); channel 1 takes
 *     interactive jobs with basic.get, asked before every bulk job is handed out and every
 *     POLL_MS while idle. A push consumer on the interactive lane cannot promise "interactive
 *     first": its next delivery may still be on its way when a bulk job is handed out;
 *     basic.get has the broker answer for the lane's state at that instant, in FIFO order.
 *     A consumer of one lane only (sohoa_consumer_open_lanes) needs no such ordering: it is a
 *     push consumer, prefetch 1, on that lane's queue alone (interactive: channel 1, bulk:
 *     channel 2) and waits in the socket read until a job comes;
 *   - short-lived connections for listing and replaying the dead-letter queue (basic.get without
 *     ack; closing the connection puts back what was not taken).
 * Any socket or channel error marks a connection down; the next use reconnects with backoff.
 * A delivery carries the generation of the connection it came on: settling it on a newer
 * connection is skipped (the broker has already requeued it, and handlers are idempotent).
 * Heartbeats are off (a worker may spend minutes on one page without reading the socket); a
 * broker that goes away closes the TCP connection, which the next read or write sees.
 */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "workers/runtime/queue.h"
#include "workers/runtime/record.h"
#include "pipeline/base/deadline.h"

#define CONNECT_TIMEOUT_S  5
#define RPC_TIMEOUT_S      15
#define PUBLISH_GIVE_UP_MS 120000 /* a publisher keeps reconnecting this long (broker restart) */
#define BACKOFF_MAX_MS     5000
#define DELIVERY_LIMIT     10  /* quorum: returned this often (crashing workers) → dead letter */
#define NAME_MAX_LEN       128 /* queue and exchange names: see struct amqpq */
#define POLL_MS            100 /* an idle consumer asks the interactive lane this often */

struct conn {
    amqp_connection_state_t st;
    bool up;
    uint32_t gen;
};

struct amqpq {
    char *url;
    struct amqp_connection_info info;
    /* Names are the prefix (under 64 chars, checked at open) and a suffix of at most 18 chars
     * (".interactive", ".retry.<int>"); routing keys (char[64]) are a lane name and an int: all
     * fit, so their snprintf results are not checked ("fits: see NAME_MAX_LEN"). */
    char jobs_x[NAME_MAX_LEN], retry_x[NAME_MAX_LEN], dead_x[NAME_MAX_LEN];
    char lane_q[SOHOA_LANE_COUNT][NAME_MAX_LEN], dead_q[NAME_MAX_LEN];
    char prefix[64];
    int delays[SOHOA_QUEUE_MAX_RETRIES];
    int n_delays;
    pthread_mutex_t pub_mu;
    struct conn pub;
    atomic_bool closed;
};

struct amqpc {
    struct amqpq *q;
    struct conn c;
    bool ask_interactive; /* both lanes: basic.get on the interactive lane before every job */
    int push_lane;        /* the lane pushed to this consumer (basic.consume, prefetch 1) */
    bool have[SOHOA_LANE_COUNT];
    amqp_envelope_t env[SOHOA_LANE_COUNT];
    int backoff_ms;
    int64_t next_try_ms;
};

static void sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- errors -------------------------------------------------------------------------------- */

/* A failure of the library (socket, timeout, framing: may pass) or its allocation (does not). */
static int status_err(int status, const char *what, struct sohoa_err *err)
{
    bool nomem = status == AMQP_STATUS_NO_MEMORY;
    return sohoa_err_set(err, nomem ? SOHOA_ENOMEM : SOHOA_EBACKEND, !nomem, "RabbitMQ: %s: %s",
                         what, amqp_error_string2(status));
}

static int reply_err(amqp_rpc_reply_t r, const char *what, struct sohoa_err *err)
{
    if (r.reply_type == AMQP_RESPONSE_NORMAL)
        return 0;
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION)
        return status_err(r.library_error, what, err);
    if (r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION &&
        (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD || r.reply.id == AMQP_CHANNEL_CLOSE_METHOD)) {
        int code;
        amqp_bytes_t text;
        if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
            amqp_connection_close_t *m = r.reply.decoded;
            code = m->reply_code;
            text = m->reply_text;
        } else {
            amqp_channel_close_t *m = r.reply.decoded;
            code = m->reply_code;
            text = m->reply_text;
        }
        /* 403 access refused, 404 not found, 406 precondition failed, 530 not allowed: a
         * configuration problem; the rest (320 forced close, 506 resources, 541) may pass. */
        bool retryable = !(code == 403 || code == 404 || code == 406 || code == 530);
        return sohoa_err_set(err, code == 403 ? SOHOA_EINVAL : SOHOA_EBACKEND, retryable,
                             "RabbitMQ: %s: %d %.*s", what, code, (int)text.len,
                             (const char *)text.bytes);
    }
    return sohoa_err_set(err, SOHOA_EBACKEND, true, "RabbitMQ: %s: no reply", what);
}

/* ---- connections --------------------------------------------------------------------------- */

static void conn_close(struct conn *c)
{
    if (!c->st)
        return;
    if (c->up)
        amqp_connection_close(c->st, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(c->st);
    c->st = NULL;
    c->up = false;
}

static int channel_open(struct conn *c, amqp_channel_t ch, bool confirm, struct sohoa_err *err)
{
    amqp_channel_open(c->st, ch);
    int rc = reply_err(amqp_get_rpc_reply(c->st), "channel.open", err);
    if (rc == 0 && confirm) {
        amqp_confirm_select(c->st, ch);
        rc = reply_err(amqp_get_rpc_reply(c->st), "confirm.select", err);
    }
    return rc;
}

/* Connects and logs in; channel 1 opened (in confirm mode when asked). */
static int conn_open(struct amqpq *q, struct conn *c, bool confirm, struct sohoa_err *err)
{
    conn_close(c);
    struct amqp_connection_info *in = &q->info;
    c->st = amqp_new_connection();
    amqp_socket_t *sock = c->st ? amqp_tcp_socket_new(c->st) : NULL;
    if (!sock) {
        conn_close(c);
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "RabbitMQ: cannot create a connection");
    }
    struct timeval tv = {CONNECT_TIMEOUT_S, 0};
    int st = amqp_socket_open_noblock(sock, in->host, in->port, &tv);
    if (st != AMQP_STATUS_OK) {
        conn_close(c);
        return sohoa_err_set(err, SOHOA_EBACKEND, true, "RabbitMQ: cannot connect to %s:%d: %s",
                             in->host, in->port, amqp_error_string2(st));
    }
    struct timeval rpc = {RPC_TIMEOUT_S, 0};
    amqp_set_rpc_timeout(c->st, &rpc);
    amqp_rpc_reply_t r = amqp_login(c->st, in->vhost, 0, AMQP_DEFAULT_FRAME_SIZE, 0,
                                    AMQP_SASL_METHOD_PLAIN, in->user, in->password);
    int rc = reply_err(r, "login", err);
    if (rc < 0 && r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        r.library_error == AMQP_STATUS_CONNECTION_CLOSED)
        rc = sohoa_err_set(err, SOHOA_EINVAL, false,
                           "RabbitMQ: login to %s:%d vhost %s refused (user or password?)",
                           in->host, in->port, in->vhost);
    if (rc == 0) {
        c->up = true;
        rc = channel_open(c, 1, confirm, err);
    }
    if (rc < 0) {
        c->up = false;
        conn_close(c);
        return rc;
    }
    c->gen++;
    return 0;
}

/* ---- publishing ---------------------------------------------------------------------------- */

struct msg {
    const char *exchange, *key;
    amqp_bytes_t body;
    const char *id;
    amqp_table_t headers;
};

/* Publishes on channel 1 of `c` (confirm mode) and waits for the broker's answer. A returned
 * (unroutable) message is a permanent error; anything else marks the connection down. */
static int publish_once(struct conn *c, const struct msg *m, struct sohoa_err *err)
{
    amqp_basic_properties_t p;
    memset(&p, 0, sizeof p);
    p._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
               AMQP_BASIC_TIMESTAMP_FLAG | AMQP_BASIC_APP_ID_FLAG | AMQP_BASIC_TYPE_FLAG;
    p.content_type = amqp_cstring_bytes("application/json");
    p.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    p.timestamp = (uint64_t)time(NULL);
    p.app_id = amqp_cstring_bytes("sohoa");
    p.type = amqp_cstring_bytes("sohoa.job");
    if (m->id) {
        p._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
        p.message_id = amqp_cstring_bytes(m->id);
    }
    if (m->headers.num_entries > 0) {
        p._flags |= AMQP_BASIC_HEADERS_FLAG;
        p.headers = m->headers;
    }
    int st = amqp_basic_publish(c->st, 1, amqp_cstring_bytes(m->exchange),
                                amqp_cstring_bytes(m->key), 1, 0, &p, m->body);
    if (st != AMQP_STATUS_OK) {
        c->up = false;
        return status_err(st, "publish", err);
    }
    bool returned = false;
    for (;;) {
        amqp_frame_t f;
        struct timeval tv = {RPC_TIMEOUT_S, 0};
        st = amqp_simple_wait_frame_noblock(c->st, &f, &tv);
        if (st != AMQP_STATUS_OK) {
            c->up = false;
            return status_err(st, "waiting for the publish confirm", err);
        }
        if (f.frame_type != AMQP_FRAME_METHOD)
            continue;
        amqp_method_number_t id = f.payload.method.id;
        if (id == AMQP_BASIC_RETURN_METHOD) {
            amqp_message_t msg;
            amqp_rpc_reply_t r = amqp_read_message(c->st, f.channel, &msg, 0);
            if (r.reply_type != AMQP_RESPONSE_NORMAL) {
                c->up = false;
                return reply_err(r, "reading a returned message", err);
            }
            amqp_destroy_message(&msg);
            returned = true;
        } else if (id == AMQP_BASIC_ACK_METHOD) {
            if (returned)
                return sohoa_err_set(err, SOHOA_EBACKEND, false,
                                     "RabbitMQ: no queue is bound to %s with key %s", m->exchange,
                                     m->key);
            return 0;
        } else if (id == AMQP_BASIC_NACK_METHOD) {
            return sohoa_err_set(err, SOHOA_EBACKEND, true, "RabbitMQ: the broker refused a job");
        } else if (id == AMQP_CHANNEL_CLOSE_METHOD || id == AMQP_CONNECTION_CLOSE_METHOD) {
            c->up = false;
            return sohoa_err_set(err, SOHOA_EBACKEND, true,
                                 "RabbitMQ: the broker closed the connection while publishing");
        }
    }
}

static int declare(struct amqpq *q, struct conn *c, struct sohoa_err *err);

/* Publishes through the process's publisher connection, reconnecting with backoff for up to
 * PUBLISH_GIVE_UP_MS. A publish whose confirm was lost is sent again: at least once. */
static int publish(struct amqpq *q, const struct msg *m, struct sohoa_err *err)
{
    int rc = 0, backoff = 100;
    int64_t give_up = (int64_t)sohoa_now_ms() + PUBLISH_GIVE_UP_MS;
    pthread_mutex_lock(&q->pub_mu);
    for (;;) {
        if (!q->pub.up) {
            rc = conn_open(q, &q->pub, true, err);
            if (rc == 0)
                rc = declare(q, &q->pub, err);
        }
        if (rc == 0 && (rc = publish_once(&q->pub, m, err)) == 0)
            break;
        if ((err && !err->retryable) || (int64_t)sohoa_now_ms() + backoff > give_up)
            break;
        if (!q->pub.up)
            conn_close(&q->pub);
        sleep_ms(backoff);
        backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
        rc = 0;
    }
    pthread_mutex_unlock(&q->pub_mu);
    return rc;
}

static int publish_job(struct amqpq *q, const char *exchange, const char *key,
                       const struct sohoa_job *job, amqp_table_t headers, struct sohoa_err *err)
{
    char *json = NULL, id[SOHOA_JOB_ID_MAX];
    int rc = sohoa_job_to_json(job, &json, err);
    if (rc < 0)
        return rc;
    sohoa_job_id(job, id, sizeof id);
    struct msg m = {exchange, key, amqp_cstring_bytes(json), id, headers};
    rc = publish(q, &m, err);
    free(json);
    return rc;
}

static int amqp_publish_job(void *be, const struct sohoa_job *job, bool force,
                            struct sohoa_err *err)
{
    struct amqpq *q = be;
    if (atomic_load(&q->closed))
        return sohoa_err_set(err, SOHOA_ECLOSED, false, "queue is closed");
    amqp_table_t none = {0, NULL};
    return publish_job(q, q->jobs_x, sohoa_lane_name(job->lane), job, none, err);
}

/* ---- topology ------------------------------------------------------------------------------ */

static amqp_table_entry_t str_arg(const char *key, const char *value)
{
    amqp_table_entry_t e;
    e.key = amqp_cstring_bytes(key);
    e.value.kind = AMQP_FIELD_KIND_UTF8;
    e.value.value.bytes = amqp_cstring_bytes(value);
    return e;
}

static amqp_table_entry_t int_arg(const char *key, int value)
{
    amqp_table_entry_t e;
    e.key = amqp_cstring_bytes(key);
    e.value.kind = AMQP_FIELD_KIND_I32;
    e.value.value.i32 = value;
    return e;
}

static int declare_queue(struct conn *c, const char *name, amqp_table_entry_t *args, int n,
                         struct sohoa_err *err)
{
    amqp_table_t t = {n, args};
    amqp_queue_declare(c->st, 1, amqp_cstring_bytes(name), 0, 1, 0, 0, t);
    return reply_err(amqp_get_rpc_reply(c->st), name, err);
}

static int bind(struct conn *c, const char *queue, const char *exchange, const char *key,
                struct sohoa_err *err)
{
    amqp_queue_bind(c->st, 1, amqp_cstring_bytes(queue), amqp_cstring_bytes(exchange),
                    amqp_cstring_bytes(key), amqp_empty_table);
    return reply_err(amqp_get_rpc_reply(c->st), "queue.bind", err);
}

/* Declares every exchange, queue and binding (idempotent; see QUEUE.md). */
static int declare(struct amqpq *q, struct conn *c, struct sohoa_err *err)
{
    int rc = 0;
    const char *xs[][2] = {{q->jobs_x, "topic"}, {q->retry_x, "direct"}, {q->dead_x, "fanout"}};
    for (int i = 0; i < 3 && rc == 0; i++) {
        amqp_exchange_declare(c->st, 1, amqp_cstring_bytes(xs[i][0]), amqp_cstring_bytes(xs[i][1]),
                              0, 1, 0, 0, amqp_empty_table);
        rc = reply_err(amqp_get_rpc_reply(c->st), xs[i][0], err);
    }
    /* The dead-letter queue is classic: listing it takes messages without ack and gives them back
     * by closing the channel, which a classic queue has applied by the time close-ok arrives (a
     * quorum queue applies returns asynchronously, so a second listing could miss some). */
    if (rc == 0 && (rc = declare_queue(c, q->dead_q, NULL, 0, err)) == 0)
        rc = bind(c, q->dead_q, q->dead_x, "", err);
    for (int l = 0; l < SOHOA_LANE_COUNT && rc == 0; l++) {
        amqp_table_entry_t args[] = {str_arg("x-queue-type", "quorum"),
                                     int_arg("x-delivery-limit", DELIVERY_LIMIT),
                                     str_arg("x-dead-letter-exchange", q->dead_x)};
        char key[64];
        /* fits: see NAME_MAX_LEN */
        (void)snprintf(key, sizeof key, "%s.#", sohoa_lane_name((enum sohoa_lane)l));
        if ((rc = declare_queue(c, q->lane_q[l], args, 3, err)) == 0)
            rc = bind(c, q->lane_q[l], q->jobs_x, key, err);
    }
    for (int i = 0; i < q->n_delays && rc == 0; i++) {
        char name[NAME_MAX_LEN + 16], key[64];
        /* fits: see NAME_MAX_LEN */
        (void)snprintf(name, sizeof name, "%s.retry.%d", q->prefix, q->delays[i]);
        amqp_table_entry_t args[] = {int_arg("x-message-ttl", q->delays[i]),
                                     str_arg("x-dead-letter-exchange", q->jobs_x)};
        rc = declare_queue(c, name, args, 2, err);
        for (int l = 0; l < SOHOA_LANE_COUNT && rc == 0; l++) {
            (void)snprintf(key, sizeof key, "%s.%d", sohoa_lane_name((enum sohoa_lane)l),
                           q->delays[i]); /* fits: see NAME_MAX_LEN */
            rc = bind(c, name, q->retry_x, key, err);
        }
    }
    if (rc < 0)
        c->up = false;
    return rc;
}

/* ---- consuming ----------------------------------------------------------------------------- */

static void consumer_disconnect(struct amqpc *c)
{
    for (int l = 0; l < SOHOA_LANE_COUNT; l++) {
        if (!c->have[l])
            continue;
        if (c->c.up) /* put back what this consumer took but never handed out */
            amqp_basic_reject(c->c.st, c->env[l].channel, c->env[l].delivery_tag, 1);
        amqp_destroy_envelope(&c->env[l]);
        c->have[l] = false;
    }
    conn_close(&c->c);
}

static int consumer_connect(struct amqpc *c, struct sohoa_err *err)
{
    int rc = conn_open(c->q, &c->c, false, err);
    if (rc == 0)
        rc = channel_open(&c->c, 2, false, err);
    int l = c->push_lane;
    amqp_channel_t ch = (amqp_channel_t)(l + 1);
    if (rc == 0) {
        amqp_basic_qos(c->c.st, ch, 0, 1, 0);
        rc = reply_err(amqp_get_rpc_reply(c->c.st), "basic.qos", err);
    }
    if (rc == 0) {
        amqp_basic_consume(c->c.st, ch, amqp_cstring_bytes(c->q->lane_q[l]), amqp_empty_bytes, 0, 0,
                           0, amqp_empty_table);
        rc = reply_err(amqp_get_rpc_reply(c->c.st), c->q->lane_q[l], err);
    }
    if (rc < 0)
        consumer_disconnect(c);
    return rc;
}

static int amqp_consumer_open(void *be, unsigned lanes, void **cons, struct sohoa_err *err)
{
    struct amqpc *c = calloc(1, sizeof *c);
    if (!c)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    c->q = be;
    c->ask_interactive = lanes == SOHOA_LANES_ALL;
    c->push_lane =
        lanes == SOHOA_LANE_BIT(SOHOA_LANE_INTERACTIVE) ? SOHOA_LANE_INTERACTIVE : SOHOA_LANE_BULK;
    int rc = consumer_connect(c, err);
    if (rc < 0) {
        free(c);
        return rc;
    }
    *cons = c;
    return 0;
}

static void amqp_consumer_close(void *cons)
{
    struct amqpc *c = cons;
    consumer_disconnect(c);
    free(c);
}

/* Reads at most one delivery (waiting up to `ms`) into the lane buffer. */
static void read_one(struct amqpc *c, int ms)
{
    amqp_envelope_t env;
    struct timeval tv = {ms / 1000, (suseconds_t)(ms % 1000) * 1000};
    amqp_maybe_release_buffers(c->c.st);
    amqp_rpc_reply_t r = amqp_consume_message(c->c.st, &env, &tv, 0);
    if (r.reply_type == AMQP_RESPONSE_NORMAL) {
        int l = env.channel == 1 ? 0 : 1;
        if (c->have[l]) { /* cannot happen with prefetch 1; never lose it anyway */
            amqp_basic_reject(c->c.st, env.channel, env.delivery_tag, 1);
            amqp_destroy_envelope(&env);
        } else {
            c->env[l] = env;
            c->have[l] = true;
        }
        return;
    }
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT)
        return;
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
        amqp_frame_t f;
        if (amqp_simple_wait_frame(c->c.st, &f) == AMQP_STATUS_OK &&
            f.frame_type == AMQP_FRAME_METHOD) {
            amqp_method_number_t id = f.payload.method.id;
            if (id != AMQP_CHANNEL_CLOSE_METHOD && id != AMQP_CONNECTION_CLOSE_METHOD &&
                id != AMQP_BASIC_CANCEL_METHOD)
                return; /* something harmless */
        }
    }
    c->c.up = false; /* lost: reconnect on the next round */
}

/* Decodes a message into `d`; a body that is not a job is dead-lettered with the reason and
 * acknowledged (or requeued when even that fails). Returns 1 when `d` was filled. */
static int decode(struct amqpc *c, amqp_channel_t ch, uint64_t tag, bool redelivered,
                  amqp_bytes_t body, struct sohoa_delivery *d)
{
    struct sohoa_err why;
    sohoa_err_clear(&why);
    d->redelivered = redelivered;
    d->tag = tag;
    d->gen = (c->c.gen << 1) | (uint32_t)(ch - 1);
    if (sohoa_job_from_json(body.bytes, body.len, &d->job, &why) == 0)
        return 1;
    amqp_table_entry_t h[] = {str_arg("x-sohoa-reason", why.msg),
                              int_arg("x-sohoa-code", why.code)};
    amqp_table_t t = {2, h};
    struct msg m = {c->q->dead_x, "raw", body, NULL, t};
    if (publish(c->q, &m, NULL) == 0)
        amqp_basic_ack(c->c.st, ch, tag, 0);
    else
        amqp_basic_reject(c->c.st, ch, tag, 1);
    return 0;
}

/* Takes an interactive job with basic.get (channel 1): before a bulk job is handed out, the
 * broker itself says whether the interactive lane is empty — the pushed deliveries alone could
 * let a bulk job overtake an interactive one that is still on its way. */
static int get_interactive(struct amqpc *c, struct sohoa_delivery *d)
{
    for (;;) {
        amqp_rpc_reply_t r = amqp_basic_get(c->c.st, 1, amqp_cstring_bytes(c->q->lane_q[0]), 0);
        if (r.reply_type != AMQP_RESPONSE_NORMAL) {
            c->c.up = false;
            return 0;
        }
        if (r.reply.id != AMQP_BASIC_GET_OK_METHOD)
            return 0;
        amqp_basic_get_ok_t *ok = r.reply.decoded;
        uint64_t tag = ok->delivery_tag;
        bool redelivered = ok->redelivered;
        amqp_message_t msg;
        if (amqp_read_message(c->c.st, 1, &msg, 0).reply_type != AMQP_RESPONSE_NORMAL) {
            c->c.up = false;
            return 0;
        }
        int got = decode(c, 1, tag, redelivered, msg.body, d);
        amqp_destroy_message(&msg);
        if (got)
            return 1;
    }
}

/* Hands out the next job: interactive (asked of the broker) first when the consumer takes both
 * lanes, else the buffered one pushed on its lane. Returns 1 when `d` was filled. */
static int take_next(struct amqpc *c, struct sohoa_delivery *d)
{
    if (c->ask_interactive && get_interactive(c, d))
        return 1;
    int l = c->push_lane;
    while (c->c.up && c->have[l]) {
        amqp_envelope_t *e = &c->env[l];
        int got = decode(c, e->channel, e->delivery_tag, e->redelivered, e->message.body, d);
        amqp_destroy_envelope(e);
        c->have[l] = false;
        if (got)
            return 1;
    }
    return 0;
}

static int amqp_pop(void *cons, int timeout_ms, struct sohoa_delivery *d, struct sohoa_err *err)
{
    struct amqpc *c = cons;
    int64_t deadline = timeout_ms < 0 ? INT64_MAX : (int64_t)sohoa_now_ms() + timeout_ms;
    struct sohoa_err cerr;
    sohoa_err_clear(&cerr);
    for (;;) {
        if (atomic_load(&c->q->closed))
            return sohoa_err_set(err, SOHOA_ECLOSED, false, "queue is closed");
        int64_t now = (int64_t)sohoa_now_ms();
        if (!c->c.up) {
            if (c->c.st)
                consumer_disconnect(c);
            if (now >= c->next_try_ms) {
                if (consumer_connect(c, &cerr) == 0) {
                    c->backoff_ms = 0;
                    continue;
                }
                c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : 100;
                if (c->backoff_ms > BACKOFF_MAX_MS)
                    c->backoff_ms = BACKOFF_MAX_MS;
                c->next_try_ms = now + c->backoff_ms;
            }
            if (now >= deadline) {
                if (err)
                    *err = cerr;
                return cerr.code ? cerr.code : SOHOA_ETIMEOUT;
            }
            int64_t wait = c->next_try_ms - now;
            sleep_ms(wait < deadline - now ? (wait < 200 ? wait : 200) : deadline - now);
            continue;
        }
        if (c->c.up && !c->have[c->push_lane])
            read_one(c, 0);
        if (take_next(c, d))
            return 0;
        if (now >= deadline)
            return sohoa_err_set(err, SOHOA_ETIMEOUT, true, "no job within %d ms", timeout_ms);
        if (c->c.up) { /* idle: wait for a pushed delivery (then ask the interactive lane again) */
            int64_t left = deadline - now;
            int64_t slice = c->ask_interactive && left > POLL_MS ? POLL_MS : left;
            read_one(c, slice > 600000 ? 600000 : (int)slice);
        }
    }
}

/* True when `d` came on the current connection (else the broker has requeued it already). */
static bool current(struct amqpc *c, const struct sohoa_delivery *d, amqp_channel_t *ch)
{
    *ch = (amqp_channel_t)((d->gen & 1) + 1);
    return c->c.up && (d->gen >> 1) == c->c.gen;
}

static int amqp_ack(void *cons, const struct sohoa_delivery *d, struct sohoa_err *err)
{
    struct amqpc *c = cons;
    amqp_channel_t ch;
    if (!current(c, d, &ch))
        return 0;
    int st = amqp_basic_ack(c->c.st, ch, d->tag, 0);
    if (st != AMQP_STATUS_OK) {
        c->c.up = false;
        return status_err(st, "basic.ack", err);
    }
    return 0;
}

static int amqp_requeue(void *cons, const struct sohoa_delivery *d, struct sohoa_err *err)
{
    struct amqpc *c = cons;
    amqp_channel_t ch;
    if (!current(c, d, &ch))
        return 0;
    int st = amqp_basic_reject(c->c.st, ch, d->tag, 1);
    if (st != AMQP_STATUS_OK) {
        c->c.up = false;
        return status_err(st, "basic.reject", err);
    }
    return 0;
}

static int amqp_retry(void *cons, const struct sohoa_delivery *d, const struct sohoa_job *again,
                      int delay_ms, struct sohoa_err *err)
{
    struct amqpc *c = cons;
    char key[64];
    (void)snprintf(key, sizeof key, "%s.%d", sohoa_lane_name(again->lane), delay_ms); /* fits */
    amqp_table_t none = {0, NULL};
    int rc = delay_ms > 0
                 ? publish_job(c->q, c->q->retry_x, key, again, none, err)
                 : publish_job(c->q, c->q->jobs_x, sohoa_lane_name(again->lane), again, none, err);
    return rc < 0 ? rc : amqp_ack(cons, d, err);
}

static int amqp_dead(void *cons, const struct sohoa_delivery *d, const struct sohoa_err *why,
                     struct sohoa_err *err)
{
    struct amqpc *c = cons;
    amqp_table_entry_t h[] = {str_arg("x-sohoa-reason", why->msg),
                              int_arg("x-sohoa-attempts", d->job.attempt),
                              int_arg("x-sohoa-code", why->code)};
    amqp_table_t t = {3, h};
    int rc = publish_job(c->q, c->q->dead_x, sohoa_lane_name(d->job.lane), &d->job, t, err);
    return rc < 0 ? rc : amqp_ack(cons, d, err);
}

/* ---- status and the dead-letter queue -------------------------------------------------------- */

static int count(struct conn *c, const char *queue, long *messages, long *consumers,
                 struct sohoa_err *err)
{
    amqp_queue_declare_ok_t *ok =
        amqp_queue_declare(c->st, 1, amqp_cstring_bytes(queue), 1, 0, 0, 0, amqp_empty_table);
    if (!ok) {
        c->up = false;
        return reply_err(amqp_get_rpc_reply(c->st), queue, err);
    }
    *messages = ok->message_count;
    if (consumers)
        *consumers = ok->consumer_count;
    return 0;
}

static int amqp_stats(void *be, struct sohoa_queue_stats *st, struct sohoa_err *err)
{
    struct amqpq *q = be;
    int rc = 0;
    pthread_mutex_lock(&q->pub_mu);
    if (!q->pub.up && (rc = conn_open(q, &q->pub, true, err)) < 0)
        goto out;
    for (int l = 0; l < SOHOA_LANE_COUNT && rc == 0; l++) {
        st->unacked[l] = -1; /* AMQP 0-9-1 does not say; the management API would */
        rc = count(&q->pub, q->lane_q[l], &st->ready[l], &st->consumers[l], err);
    }
    for (int i = 0; i < q->n_delays && rc == 0; i++) {
        char name[NAME_MAX_LEN + 16];
        long n = 0;
        (void)snprintf(name, sizeof name, "%s.retry.%d", q->prefix, q->delays[i]); /* fits */
        if (i > 0 && q->delays[i] == q->delays[i - 1])
            continue;
        rc = count(&q->pub, name, &n, NULL, err);
        st->delayed += n;
    }
    if (rc == 0)
        rc = count(&q->pub, q->dead_q, &st->dead, NULL, err);
out:
    pthread_mutex_unlock(&q->pub_mu);
    return rc;
}

/* Reads the reason and attempts of a dead message from its headers. */
static void dead_headers(const amqp_basic_properties_t *p, struct sohoa_dead_job *dj)
{
    if (!(p->_flags & AMQP_BASIC_HEADERS_FLAG))
        return;
    for (int i = 0; i < p->headers.num_entries; i++) {
        const amqp_table_entry_t *e = &p->headers.entries[i];
        const amqp_field_value_t *v = &e->value;
        long long n = v->kind == AMQP_FIELD_KIND_I32   ? v->value.i32
                      : v->kind == AMQP_FIELD_KIND_I64 ? v->value.i64
                                                       : 0;
        bool text = v->kind == AMQP_FIELD_KIND_UTF8 || v->kind == AMQP_FIELD_KIND_BYTES;
        int klen = (int)e->key.len;
        const char *k = e->key.bytes;
        /* reasons are messages: a cut is fine */
        if (text && klen == 14 && !memcmp(k, "x-sohoa-reason", 14))
            (void)snprintf(dj->reason, sizeof dj->reason, "%.*s", (int)v->value.bytes.len,
                           (const char *)v->value.bytes.bytes);
        else if (text && !dj->reason[0] && klen == 20 && !memcmp(k, "x-first-death-reason", 20))
            (void)snprintf(
                dj->reason, sizeof dj->reason,
                "dead-lettered by the broker (%.*s): its workers kept failing to settle it",
                (int)v->value.bytes.len, (const char *)v->value.bytes.bytes);
        else if (klen == 16 && !memcmp(k, "x-sohoa-attempts", 16))
            dj->attempts = (int)n;
        else if (klen == 12 && !memcmp(k, "x-sohoa-code", 12))
            dj->code = (int)n;
    }
}

/* Walks the dead-letter queue on a connection of its own: basic.get without ack, so the broker
 * hands out each message once; `take` (replay) publishes and acks what matches; closing the
 * connection puts the rest back. */
static int walk_dead(struct amqpq *q, sohoa_dead_fn fn, void *arg, const char *const *ids,
                     int n_ids, long *replayed, struct sohoa_err *err)
{
    struct conn c = {0};
    int rc = conn_open(q, &c, replayed != NULL, err);
    for (long seen = 0; rc == 0; seen++) {
        amqp_rpc_reply_t r = amqp_basic_get(c.st, 1, amqp_cstring_bytes(q->dead_q), 0);
        if ((rc = reply_err(r, "basic.get", err)) < 0 || r.reply.id == AMQP_BASIC_GET_EMPTY_METHOD)
            break;
        uint64_t tag = ((amqp_basic_get_ok_t *)r.reply.decoded)->delivery_tag;
        amqp_message_t msg;
        if ((rc = reply_err(amqp_read_message(c.st, 1, &msg, 0), "reading", err)) < 0)
            break;
        struct sohoa_dead_job dj;
        memset(&dj, 0, sizeof dj);
        if (sohoa_job_from_json(msg.body.bytes, msg.body.len, &dj.job, NULL) == 0)
            sohoa_job_id(&dj.job, dj.id, sizeof dj.id);
        else
            (void)snprintf(dj.id, sizeof dj.id, "raw:%ld", seen + 1); /* at most 24 chars: fits */
        dead_headers(&msg.properties, &dj);
        if (!dj.attempts)
            dj.attempts = dj.job.attempt;
        amqp_destroy_message(&msg);
        if (fn && fn(arg, &dj) != 0)
            break;
        if (replayed && dj.job.doc_id[0] && sohoa_dead_job_matches(&dj, ids, n_ids)) {
            struct sohoa_job again = dj.job;
            again.attempt = 1;
            char *json = NULL;
            if ((rc = sohoa_job_to_json(&again, &json, err)) < 0)
                break;
            amqp_table_t none = {0, NULL};
            struct msg m = {q->jobs_x, sohoa_lane_name(again.lane), amqp_cstring_bytes(json), dj.id,
                            none};
            rc = publish_once(&c, &m, err);
            free(json);
            if (rc == 0 && amqp_basic_ack(c.st, 1, tag, 0) == AMQP_STATUS_OK)
                (*replayed)++;
        }
    }
    conn_close(&c);
    return rc;
}

static int amqp_dead_list(void *be, sohoa_dead_fn fn, void *arg, struct sohoa_err *err)
{
    return walk_dead(be, fn, arg, NULL, 0, NULL, err);
}

static int amqp_dead_replay(void *be, const char *const *ids, int n, long *replayed,
                            struct sohoa_err *err)
{
    return walk_dead(be, NULL, NULL, ids, n, replayed, err);
}

/* ---- life ---------------------------------------------------------------------------------- */

static void amqp_close(void *be)
{
    atomic_store(&((struct amqpq *)be)->closed, true);
}

static void amqp_free(void *be)
{
    struct amqpq *q = be;
    conn_close(&q->pub);
    pthread_mutex_destroy(&q->pub_mu);
    free(q->url);
    free(q);
}

static const struct sohoa_queue_ops amqp_ops = {
    .version = SOHOA_QUEUE_OPS_VERSION,
    .scheme = "amqp",
    .durable = true,
    .publish = amqp_publish_job,
    .consumer_open = amqp_consumer_open,
    .consumer_close = amqp_consumer_close,
    .pop = amqp_pop,
    .ack = amqp_ack,
    .requeue = amqp_requeue,
    .retry = amqp_retry,
    .dead = amqp_dead,
    .close = amqp_close,
    .stats = amqp_stats,
    .dead_list = amqp_dead_list,
    .dead_replay = amqp_dead_replay,
    .free = amqp_free,
};

int sohoa_queue_amqp_open(const char *url, const struct sohoa_queue_opts *opts, void **be,
                          const struct sohoa_queue_ops **ops, struct sohoa_err *err)
{
    *be = NULL;
    *ops = NULL;
    struct amqpq *q = calloc(1, sizeof *q);
    if (!q || !(q->url = strdup(url))) {
        free(q);
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    }
    pthread_mutex_init(&q->pub_mu, NULL);
    amqp_default_connection_info(&q->info);
    int rc = 0;
    if (amqp_parse_url(q->url, &q->info) != AMQP_STATUS_OK) {
        rc = sohoa_err_set(err, SOHOA_EINVAL, false,
                           "queue URL is not amqp://user:pass@host:port/vhost");
        goto out;
    }
    const char *p = opts->prefix;
    if (strlen(p) >= sizeof q->prefix ||
        strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(p)) {
        rc =
            sohoa_err_set(err, SOHOA_EINVAL, false, "queue name prefix '%s' is not [a-z0-9._-]", p);
        goto out;
    }
    /* the prefix was checked to fit just above; the names fit: see NAME_MAX_LEN */
    (void)snprintf(q->prefix, sizeof q->prefix, "%s", p);
    (void)snprintf(q->jobs_x, sizeof q->jobs_x, "%s.jobs", p);
    (void)snprintf(q->retry_x, sizeof q->retry_x, "%s.retry", p);
    (void)snprintf(q->dead_x, sizeof q->dead_x, "%s.dead", p);
    (void)snprintf(q->dead_q, sizeof q->dead_q, "%s.dead", p);
    for (int l = 0; l < SOHOA_LANE_COUNT; l++)
        (void)snprintf(q->lane_q[l], sizeof q->lane_q[l], "%s.%s", p,
                       sohoa_lane_name((enum sohoa_lane)l));
    q->n_delays = opts->n_retry_delays;
    for (int i = 0; i < q->n_delays; i++)
        q->delays[i] = opts->retry_delays_ms[i];
    if ((rc = conn_open(q, &q->pub, true, err)) < 0 || (rc = declare(q, &q->pub, err)) < 0)
        goto out;
    *be = q;
    *ops = &amqp_ops;
out:
    if (rc < 0)
        amqp_free(q);
    return rc;
}
