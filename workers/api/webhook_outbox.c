/* webhook_outbox.c — the webhook outbox on disk (pending / delivered / dead messages), its
 * drain pass with retry, backoff and dead-lettering, replay, and the sender thread. The message
 * format and the delivery rules are in webhook.h.
 *
 * DESIGN: one sender thread per serve process walks pending/ every second (or at once when
 * kicked after an enqueue) and tries each due message once, in name order. A message's state is
 * its directory; moves are renames within one file system, and updates are whole-file rewrites
 * renamed into place, so a crash at any point leaves each message in exactly one state (a crash
 * between a 2xx and the rename to delivered/ sends it once more: the receiver's idempotency key
 * absorbs that).
 */
#include "workers/api/webhook.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pipeline/base/buf.h"
#include "pipeline/base/fs.h"
#include "pipeline/base/log.h"

/* A message file is its headers (key, dossier, last error, attempts, next attempt: < 1 KiB) and
 * the body; one of more than the body's limit and this is no message of ours. */
#define MSG_HEADERS_MAX 8192

struct msg {
    char key[SOHOA_WEBHOOK_KEY_MAX];
    char dossier[SOHOA_WEBHOOK_KEY_MAX];
    int attempts;
    long long next_ms;
    char last_error[SOHOA_ERR_MSG_MAX];
    char *body; /* malloc'd */
    size_t len;
};

static long long wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sohoa_webhook_key(const char *dossier_id, const char *body, size_t len,
                       char key[SOHOA_WEBHOOK_KEY_MAX])
{
    char hex[SOHOA_SHA256_HEX];
    sohoa_sha256_mem(body, len, hex);
    (void)snprintf(key, SOHOA_WEBHOOK_KEY_MAX, "%.64s.%.24s", dossier_id, hex); /* 89: fits */
}

/* A path of the outbox into out[PATH_MAX], printf-style; SOHOA_ELIMIT when it does not fit (a
 * cut path would name another file). */
static int outbox_path(char out[PATH_MAX], struct sohoa_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int outbox_path(char out[PATH_MAX], struct sohoa_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, PATH_MAX, fmt, ap);
    va_end(ap);
    if (n < 0 || n >= PATH_MAX)
        return sohoa_err_set(err, SOHOA_ELIMIT, false,
                             "webhook outbox: a path is longer than %d bytes (%.128s...)",
                             PATH_MAX - 1, out);
    return 0;
}

static int path_of(char out[PATH_MAX], const char *dir, const char *state, const char *key,
                   struct sohoa_err *err)
{
    return outbox_path(out, err, "%s/%s/%s.msg", dir, state, key);
}

static int ensure_dirs(const char *dir, struct sohoa_err *err)
{
    const char *sub[] = {"", "/pending", "/delivered", "/dead"};
    char p[PATH_MAX];
    for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++) {
        int rc = outbox_path(p, err, "%s%s", dir, sub[i]);
        if (rc < 0)
            return rc;
        if ((rc = sohoa_mkdir_p(p, 0700, err)) < 0)
            return rc;
    }
    return 0;
}

/* Writes the message whole to a temporary name, then renames it to `path`. */
static int write_msg(const char *path, const struct msg *m, struct sohoa_err *err)
{
    char tmp[PATH_MAX + 32];
    (void)snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()); /* path < PATH_MAX: fits */
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return sohoa_err_set(err, SOHOA_EIO, true, "cannot write %s: %s", tmp, strerror(errno));
    char last[SOHOA_ERR_MSG_MAX];
    (void)snprintf(last, sizeof last, "%s", m->last_error); /* the same size: fits */
    for (char *p = last; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    fprintf(f,
            "sohoa-webhook: 1\nkey: %s\ndossier: %s\nattempts: %d\nnext-attempt-ms: %lld\n"
            "last-error: %s\n\n",
            m->key, m->dossier, m->attempts, m->next_ms, last);
    bool ok = fwrite(m->body, 1, m->len, f) == m->len;
    ok = fflush(f) == 0 && ok && fsync(fileno(f)) == 0;
    if (fclose(f) != 0 || !ok || rename(tmp, path) < 0) {
        unlink(tmp);
        return sohoa_err_set(err, SOHOA_EIO, true, "cannot write %s: %s", path, strerror(errno));
    }
    return 0;
}

/* The value of header `name` into out[outsz] ("" when absent); false when it was cut to fit. */
static bool header(const char *text, const char *name, char *out, size_t outsz)
{
    size_t n = strlen(name);
    out[0] = '\0';
    for (const char *p = text; p && *p;) {
        if (!strncmp(p, name, n) && p[n] == ':' && p[n + 1] == ' ') {
            size_t l = strcspn(p + n + 2, "\n");
            (void)snprintf(out, outsz, "%.*s", (int)l, p + n + 2); /* a cut is reported */
            return l < outsz;
        }
        p = strchr(p, '\n');
        if (!p || p[1] == '\n')
            return true; /* end of the headers */
        p++;
    }
    return true;
}

static int read_msg(const char *path, struct msg *m, struct sohoa_err *err)
{
    memset(m, 0, sizeof *m);
    FILE *f = fopen(path, "rb");
    if (!f)
        return sohoa_err_set(err, errno == ENOENT ? SOHOA_ENOTFOUND : SOHOA_EIO, false,
                             "cannot read %s: %s", path, strerror(errno));
    struct sohoa_buf b = SOHOA_BUF_INIT(SOHOA_WEBHOOK_BODY_MAX + MSG_HEADERS_MAX);
    char chunk[8192];
    size_t r, len = 0;
    while ((r = fread(chunk, 1, sizeof chunk, f)) > 0 && sohoa_buf_add(&b, chunk, r) == 0)
        ;
    (void)fclose(f); /* read-only */
    char *buf = NULL;
    int rc = sohoa_buf_take(&b, &buf, &len);
    if (rc < 0)
        return sohoa_err_set(err, rc, false, "%s is too large or memory ran out", path);
    char *sep = strstr(buf, "\n\n");
    char num[64];
    if (strncmp(buf, "sohoa-webhook: 1\n", 17) != 0 || !sep) {
        free(buf);
        return sohoa_err_set(err, SOHOA_EFORMAT, false, "%s is not an outbox message", path);
    }
    *sep = '\0';
    /* a cut key would name another message; a cut last error is only shorter */
    if (!header(buf, "key", m->key, sizeof m->key) ||
        !header(buf, "dossier", m->dossier, sizeof m->dossier)) {
        free(buf);
        return sohoa_err_set(err, SOHOA_EFORMAT, false, "%s: key or dossier over %d bytes", path,
                             SOHOA_WEBHOOK_KEY_MAX - 1);
    }
    header(buf, "last-error", m->last_error, sizeof m->last_error);
    header(buf, "attempts", num, sizeof num);
    m->attempts = atoi(num);
    header(buf, "next-attempt-ms", num, sizeof num);
    m->next_ms = atoll(num);
    m->len = len - (size_t)(sep + 2 - buf);
    memmove(buf, sep + 2, m->len);
    buf[m->len] = '\0';
    m->body = buf;
    return 0;
}

int sohoa_webhook_enqueue(const char *dir, const char *dossier_id, const char *body, size_t len,
                          char key[SOHOA_WEBHOOK_KEY_MAX], struct sohoa_err *err)
{
    char p[PATH_MAX];
    sohoa_webhook_key(dossier_id, body, len, key);
    int rc = ensure_dirs(dir, err);
    if (rc < 0)
        return rc;
    if (len > SOHOA_WEBHOOK_BODY_MAX)
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "webhook body over %u bytes",
                             SOHOA_WEBHOOK_BODY_MAX);
    const char *states[] = {"pending", "delivered"};
    for (int i = 0; i < 2; i++) {
        if ((rc = path_of(p, dir, states[i], key, err)) < 0)
            return rc;
        if (access(p, F_OK) == 0)
            return 0; /* the same content: sent or being sent */
    }
    struct msg m;
    memset(&m, 0, sizeof m);
    (void)snprintf(m.key, sizeof m.key, "%s", key); /* the same size: fits */
    if (snprintf(m.dossier, sizeof m.dossier, "%s", dossier_id) >= (int)sizeof m.dossier)
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "webhook: dossier id over %d bytes",
                             (int)sizeof m.dossier - 1);
    m.body = (char *)body;
    m.len = len;
    if ((rc = path_of(p, dir, "pending", key, err)) < 0)
        return rc;
    return write_msg(p, &m, err);
}

static long long backoff(const struct sohoa_webhook_opts *o, int attempts)
{
    long long b = o->backoff_ms > 0 ? o->backoff_ms : 2000;
    long long max = o->max_backoff_ms > 0 ? o->max_backoff_ms : 600000;
    for (int i = 1; i < attempts && b < max; i++)
        b *= 2;
    return b < max ? b : max;
}

/* One attempt at one pending message. */
static void attempt(const struct sohoa_webhook_opts *o, const char *name,
                    struct sohoa_webhook_pass *pass)
{
    char p[PATH_MAX], delivered[PATH_MAX], dead[PATH_MAX];
    struct msg m;
    struct sohoa_err err;
    sohoa_err_clear(&err);
    if (outbox_path(p, &err, "%s/pending/%s", o->dir, name) < 0 || read_msg(p, &m, &err) < 0) {
        sohoa_log(SOHOA_LOG_ERROR, "webhook", "%s", err.msg);
        return;
    }
    if (m.next_ms > wall_ms()) {
        pass->waiting++;
        goto out;
    }
    /* where it goes next, known before it is sent */
    if (path_of(delivered, o->dir, "delivered", m.key, &err) < 0 ||
        path_of(dead, o->dir, "dead", m.key, &err) < 0) {
        sohoa_log(SOHOA_LOG_ERROR, "webhook", "%s", err.msg);
        goto out;
    }
    long status = 0;
    int max = o->max_attempts > 0 ? o->max_attempts : 8;
    m.attempts++;
    /* the last errors below are messages: a cut is fine */
    if (sohoa_webhook_post(o, m.key, m.body, m.len, &status, &err) == 0) {
        (void)snprintf(m.last_error, sizeof m.last_error, "delivered: HTTP %ld", status);
        if (write_msg(p, &m, &err) == 0 && rename(p, delivered) == 0)
            pass->delivered++;
        goto out;
    }
    (void)snprintf(m.last_error, sizeof m.last_error, "attempt %d: %.400s", m.attempts, err.msg);
    if (!err.retryable || m.attempts >= max) {
        if (write_msg(p, &m, &err) == 0 && rename(p, dead) == 0)
            pass->dead++;
        sohoa_log(SOHOA_LOG_ERROR, "webhook", "%s dead-lettered after %d attempt(s): %s", m.key,
                  m.attempts, m.last_error);
        goto out;
    }
    m.next_ms = wall_ms() + backoff(o, m.attempts);
    if (write_msg(p, &m, &err) == 0)
        pass->retried++;
out:
    free(m.body);
}

static int ends_with_msg(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && !strcmp(name + n - 4, ".msg") && name[0] != '.';
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int list_state(const char *dir, const char *state, struct dirent ***ents,
                      struct sohoa_err *err)
{
    char p[PATH_MAX];
    *ents = NULL;
    int n = outbox_path(p, err, "%s/%s", dir, state);
    if (n < 0)
        return n;
    n = scandir(p, ents, NULL, name_cmp);
    if (n < 0 && errno == ENOENT) {
        *ents = NULL;
        return 0;
    }
    if (n < 0)
        return sohoa_err_set(err, SOHOA_EIO, true, "cannot list %s: %s", p, strerror(errno));
    return n;
}

static void free_ents(struct dirent **ents, int n)
{
    for (int i = 0; i < n; i++)
        free(ents[i]);
    free(ents);
}

int sohoa_webhook_drain(const struct sohoa_webhook_opts *o, struct sohoa_webhook_pass *pass,
                        struct sohoa_err *err)
{
    memset(pass, 0, sizeof *pass);
    struct dirent **ents = NULL;
    int n = list_state(o->dir, "pending", &ents, err);
    if (n < 0)
        return n;
    for (int i = 0; i < n; i++)
        if (ends_with_msg(ents[i]->d_name)) {
            if (!o->url || !*o->url)
                pass->waiting++;
            else
                attempt(o, ents[i]->d_name, pass);
        }
    free_ents(ents, n);
    return 0;
}

static int replay_one(const char *dir, const char *key, struct sohoa_err *err)
{
    char p[PATH_MAX], dst[PATH_MAX];
    struct msg m;
    int rc;
    if ((rc = path_of(p, dir, "dead", key, err)) < 0 ||
        (rc = path_of(dst, dir, "pending", key, err)) < 0 || (rc = read_msg(p, &m, err)) < 0)
        return rc;
    /* a message: fits */
    (void)snprintf(m.last_error, sizeof m.last_error, "replayed after %d attempt(s)", m.attempts);
    m.attempts = 0;
    m.next_ms = 0;
    if ((rc = write_msg(p, &m, err)) == 0 && rename(p, dst) < 0)
        rc = sohoa_err_set(err, SOHOA_EIO, true, "cannot move %s: %s", p, strerror(errno));
    free(m.body);
    return rc;
}

int sohoa_webhook_replay(const char *dir, const char *key, int *n, struct sohoa_err *err)
{
    *n = 0;
    int rc = ensure_dirs(dir, err);
    if (rc < 0)
        return rc;
    if (key) {
        if ((rc = replay_one(dir, key, err)) == 0)
            *n = 1;
        return rc;
    }
    struct dirent **ents = NULL;
    int cnt = list_state(dir, "dead", &ents, err);
    if (cnt < 0)
        return cnt;
    for (int i = 0; i < cnt && rc == 0; i++)
        if (ends_with_msg(ents[i]->d_name) &&
            strlen(ents[i]->d_name) - 4 < SOHOA_WEBHOOK_KEY_MAX) { /* longer: not one of ours */
            char k[SOHOA_WEBHOOK_KEY_MAX];
            /* fits: checked just above */
            (void)snprintf(k, sizeof k, "%.*s", (int)strlen(ents[i]->d_name) - 4, ents[i]->d_name);
            if ((rc = replay_one(dir, k, err)) == 0)
                (*n)++;
        }
    free_ents(ents, cnt);
    return rc;
}

int sohoa_webhook_list(const char *dir,
                       void (*fn)(void *arg, const char *state, const char *key,
                                  const char *dossier, int attempts, const char *last_error),
                       void *arg, struct sohoa_err *err)
{
    const char *states[] = {"pending", "dead", "delivered"};
    for (int s = 0; s < 3; s++) {
        struct dirent **ents = NULL;
        int n = list_state(dir, states[s], &ents, err);
        if (n < 0)
            return n;
        for (int i = 0; i < n; i++) {
            char p[PATH_MAX];
            struct msg m;
            /* like one it cannot read, a message whose path does not fit is left out */
            if (ends_with_msg(ents[i]->d_name) &&
                outbox_path(p, NULL, "%s/%s/%s", dir, states[s], ents[i]->d_name) == 0 &&
                read_msg(p, &m, NULL) == 0) {
                fn(arg, states[s], m.key, m.dossier, m.attempts, m.last_error);
                free(m.body);
            }
        }
        free_ents(ents, n);
    }
    return 0;
}

/* ---- the sender thread -------------------------------------------------------------------- */

struct sohoa_webhook_sender {
    const struct sohoa_webhook_opts *o;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, kicked;
};

static void *sender_main(void *arg)
{
    struct sohoa_webhook_sender *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stop) {
        s->kicked = false;
        pthread_mutex_unlock(&s->mu);
        struct sohoa_webhook_pass pass;
        struct sohoa_err err;
        sohoa_err_clear(&err);
        if (sohoa_webhook_drain(s->o, &pass, &err) < 0)
            sohoa_log(SOHOA_LOG_WARN, "webhook", "%s", err.msg);
        pthread_mutex_lock(&s->mu);
        if (s->stop || s->kicked)
            continue;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&s->cv, &s->mu, &until);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

int sohoa_webhook_sender_start(const struct sohoa_webhook_opts *o,
                               struct sohoa_webhook_sender **out, struct sohoa_err *err)
{
    *out = NULL;
    int rc = ensure_dirs(o->dir, err);
    if (rc < 0)
        return rc;
    struct sohoa_webhook_sender *s = calloc(1, sizeof *s);
    if (!s)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    s->o = o;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (pthread_create(&s->th, NULL, sender_main, s) != 0) {
        pthread_cond_destroy(&s->cv);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "cannot start the webhook thread");
    }
    *out = s;
    return 0;
}

void sohoa_webhook_sender_kick(struct sohoa_webhook_sender *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->kicked = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void sohoa_webhook_sender_stop(struct sohoa_webhook_sender **sp)
{
    struct sohoa_webhook_sender *s = *sp;
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->th, NULL);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
    *sp = NULL;
}
