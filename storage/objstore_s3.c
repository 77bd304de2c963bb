/* objstore_s3.c — the object store on S3 (MinIO in deployment) through libs3 2.0.
 *
 * URL s3://bucket[/prefix]: keys live under "<prefix>/" in the bucket. Where the server is and who
 * we are come from the environment, never from the URL (URLs are printed):
 *   SOHOA_S3_ENDPOINT      host:port (default 127.0.0.1:9000)
 *   SOHOA_S3_ACCESS_KEY + SOHOA_S3_SECRET_KEY, else AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY,
 *                          else the file named by SOHOA_S3_CREDENTIALS_FILE ("access_key = …",
 *                          "secret_key = …" lines; aws_access_key_id/aws_secret_access_key too)
 *   SOHOA_S3_HTTPS         0/1 (default 0: the loopback or a private network). libs3 2.0 does not
 *                          verify the server's certificate: HTTPS encrypts but does not
 *                          authenticate the server.
 *   SOHOA_S3_TIMEOUT_MS    a request is cut when no byte has moved for this long (default 30000)
 * Requests are path-style and signed with AWS signature V2 (all libs3 2.0 knows; MinIO takes it).
 * Uploads and downloads stream through libs3's chunks; get_mem stops as soon as max_len is passed.
 * One PUT holds at most 5 GiB and libs3 2.0 has no multipart upload, so larger sources are refused
 * with SOHOA_ELIMIT. Retryable failures (connection, 5xx, stall, damaged transfer) are tried 3
 * times with exponential backoff inside this file. The secret key is used only to sign: it never
 * enters a message or a log.
 * Integrity: every object is stored with its SHA-256 as metadata (x-amz-meta-sohoa-sha256), and a
 * get checks the bytes it received against it. This also covers two libs3 2.0 bugs: a body cut
 * short is reported as success (bytes are counted too), and so is a PUT answered by an error with
 * no error document (a HEAD then confirms the object; see confirm_put).
 *
 * DESIGN: libs3 needs S3_initialize once per process (pthread_once here). Each call creates its own
 * S3RequestContext and drives it in the calling thread with select(), so that a stall is noticed
 * and cut; calls in different threads run in parallel. libs3 2.0 formats request dates with the
 * non-reentrant gmtime(), so issuing a request (composing and signing it, no I/O) is serialised by
 * one mutex.
 */
#include "storage/objstore.h"

#include <errno.h>
#include <fcntl.h>
#include <libs3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pipeline/base/buf.h"
#include "pipeline/base/hash.h"

#define S3_PUT_MAX         (5ull << 30) /* one PUT's limit in S3: 5 GiB */
#define ATTEMPTS           3
#define BACKOFF_MS         100 /* then 200, … */
#define DEFAULT_ENDPOINT   "127.0.0.1:9000"
#define DEFAULT_TIMEOUT_MS 30000
#define POLL_MAX_MS        100            /* the stall clock is looked at least this often */
#define SHA_META           "sohoa-sha256" /* x-amz-meta-sohoa-sha256: the content's SHA-256 */

struct s3_be {
    char *bucket;
    char *prefix; /* "" or "a/b/" */
    char *host;   /* host:port */
    char *access_key;
    char *secret_key;
    char *cred_source; /* where the credentials came from, for messages */
    S3Protocol protocol;
    long timeout_ms;
};

/* ---- process-wide libs3 state ------------------------------------------------------------- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static S3Status init_status;
static pthread_mutex_t issue_mu = PTHREAD_MUTEX_INITIALIZER;

static void init_libs3(void)
{
    init_status = S3_initialize("sohoa", S3_INIT_ALL, DEFAULT_ENDPOINT);
}

/* ---- one request ---------------------------------------------------------------------------- */

enum req_kind { REQ_PUT, REQ_GET, REQ_HEAD };

struct req {
    const struct s3_be *be;
    enum req_kind kind;
    const char *key;                /* the caller's key, for messages */
    const char *op;                 /* what messages call the request; NULL: from `kind` */
    char name[S3_MAX_KEY_SIZE + 1]; /* the S3 key: prefix + key */
    /* upload source: a file (src_fd >= 0) or memory, and its SHA-256 */
    int src_fd;
    const uint8_t *src_mem;
    uint64_t src_len, src_off;
    char sha_put[SOHOA_SHA256_HEX];
    /* download sink: a file (dst_fd >= 0, dst_path), memory up to max_len (to_mem), or nothing */
    int dst_fd;
    const char *dst_path;
    bool to_mem;
    size_t max_len;
    struct sohoa_buf body; /* to_mem: the bytes, capped at max_len */
    uint64_t got;
    /* outcome of one attempt */
    S3Status status;
    bool done, timed_out, have_props, short_body;
    uint64_t content_length;        /* as announced by the response */
    char sha_got[SOHOA_SHA256_HEX]; /* the object's SHA-256 from its metadata, "" when none */
    int64_t last_modified;          /* server clock, seconds; -1 when not told */
    time_t started;                 /* our clock, seconds, when the attempt began */
    int cb_code;                    /* a callback's own reason to abort (SOHOA_E*), 0 when none */
    int cb_errno;                   /* with it, errno of the failed read/write, 0 when none */
    char server_msg[160];
    struct timespec last_progress;
};

static void touch(struct req *r)
{
    clock_gettime(CLOCK_MONOTONIC, &r->last_progress);
}

static long ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static S3Status on_props(const S3ResponseProperties *p, void *data)
{
    struct req *r = data;
    touch(r);
    r->have_props = true;
    r->content_length = p->contentLength;
    r->last_modified = p->lastModified;
    for (int i = 0; i < p->metaDataCount; i++)
        if (!strcasecmp(p->metaData[i].name, SHA_META) &&
            strlen(p->metaData[i].value) == SOHOA_SHA256_HEX - 1)
            memcpy(r->sha_got, p->metaData[i].value, SOHOA_SHA256_HEX);
    if (!r->to_mem)
        return S3StatusOK;
    if (p->contentLength > r->max_len || p->contentLength >= SIZE_MAX) {
        r->cb_code = SOHOA_ELIMIT;
        return S3StatusAbortedByCallback;
    }
    int rc = sohoa_buf_reserve(&r->body, (size_t)p->contentLength); /* in one allocation */
    if (rc < 0) {
        r->cb_code = rc;
        return S3StatusAbortedByCallback;
    }
    return S3StatusOK;
}

static void on_complete(S3Status status, const S3ErrorDetails *d, void *data)
{
    struct req *r = data;
    r->status = status;
    r->done = true;
    r->server_msg[0] = '\0';
    if (d && d->message) { /* the server's own words, printable ASCII only */
        size_t n = 0;
        for (const char *p = d->message; *p && n + 1 < sizeof r->server_msg; p++)
            r->server_msg[n++] = (char)((*p >= 0x20 && *p < 0x7f) ? *p : ' ');
        r->server_msg[n] = '\0';
    }
}

static int on_put_data(int size, char *buf, void *data)
{
    struct req *r = data;
    uint64_t left = r->src_len - r->src_off;
    size_t n = (uint64_t)size < left ? (size_t)size : (size_t)left;
    if (n == 0)
        return 0;
    if (r->src_fd < 0) {
        memcpy(buf, r->src_mem + r->src_off, n);
    } else {
        ssize_t got;
        do
            got = pread(r->src_fd, buf, n, (off_t)r->src_off);
        while (got < 0 && errno == EINTR);
        if (got <= 0) { /* a read error, or the source shrank under us */
            r->cb_code = SOHOA_EIO;
            r->cb_errno = got < 0 ? errno : 0;
            return -1;
        }
        n = (size_t)got;
    }
    r->src_off += n;
    touch(r);
    return (int)n;
}

static S3Status on_get_data(int size, const char *buf, void *data)
{
    struct req *r = data;
    size_t n = (size_t)size;
    touch(r);
    if (r->dst_fd >= 0) {
        for (size_t off = 0; off < n;) {
            ssize_t w = write(r->dst_fd, buf + off, n - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                r->cb_code = SOHOA_EIO;
                r->cb_errno = errno;
                return S3StatusAbortedByCallback;
            }
            off += (size_t)w;
        }
    } else if (r->to_mem) {
        int rc = sohoa_buf_add(&r->body, buf, n); /* length not announced: grows geometrically */
        if (rc < 0) {
            r->cb_code = rc; /* SOHOA_ELIMIT past max_len, or SOHOA_ENOMEM */
            return S3StatusAbortedByCallback;
        }
    } else {
        return S3StatusAbortedByCallback; /* a probe wants no body */
    }
    r->got += n;
    return S3StatusOK;
}

/* Issues the request into `ctx` (no I/O happens here). */
static void issue(struct req *r, S3RequestContext *ctx)
{
    const struct s3_be *be = r->be;
    S3BucketContext bc = {
        .hostName = be->host,
        .bucketName = be->bucket,
        .protocol = be->protocol,
        .uriStyle = S3UriStylePath,
        .accessKeyId = be->access_key,
        .secretAccessKey = be->secret_key,
    };
    S3ResponseHandler rh = {on_props, on_complete};
    pthread_mutex_lock(&issue_mu);
    if (r->kind == REQ_PUT) {
        S3NameValue meta = {SHA_META, r->sha_put};
        S3PutProperties pp = {.contentType = "application/octet-stream",
                              .expires = -1,
                              .metaDataCount = 1,
                              .metaData = &meta};
        S3PutObjectHandler h = {rh, on_put_data};
        S3_put_object(&bc, r->name, r->src_len, &pp, ctx, &h, r);
    } else if (r->kind == REQ_GET) {
        S3GetObjectHandler h = {rh, on_get_data};
        S3_get_object(&bc, r->name, NULL, 0, 0, ctx, &h, r);
    } else {
        S3_head_object(&bc, r->name, ctx, &rh, r);
    }
    pthread_mutex_unlock(&issue_mu);
}

/* One attempt: runs the request to its end, or cuts it when nothing moved for timeout_ms. */
static void run_once(struct req *r)
{
    S3RequestContext *ctx = NULL;
    r->status = S3StatusOK;
    r->done = r->timed_out = r->have_props = r->short_body = false;
    r->content_length = 0;
    r->sha_got[0] = '\0';
    r->last_modified = -1;
    r->started = time(NULL);
    r->cb_code = r->cb_errno = 0;
    r->server_msg[0] = '\0';
    r->src_off = 0;
    sohoa_buf_reset(&r->body); /* keeps the memory, clears a failure */
    r->got = 0;
    if (r->dst_fd >= 0 && (ftruncate(r->dst_fd, 0) < 0 || lseek(r->dst_fd, 0, SEEK_SET) < 0)) {
        r->cb_code = SOHOA_EIO;
        r->cb_errno = errno;
        r->status = S3StatusAbortedByCallback;
        return;
    }
    S3Status st = S3_create_request_context(&ctx);
    if (st != S3StatusOK) {
        r->status = st;
        return;
    }
    touch(r);
    issue(r, ctx);
    while (!r->done) {
        int remaining = 0;
        st = S3_runonce_request_context(ctx, &remaining);
        if (st != S3StatusOK || r->done || remaining == 0)
            break;
        long idle = ms_since(&r->last_progress);
        if (idle >= r->be->timeout_ms) {
            r->timed_out = true;
            break;
        }
        fd_set rd, wr, ex;
        FD_ZERO(&rd);
        FD_ZERO(&wr);
        FD_ZERO(&ex);
        int maxfd = -1;
        if (S3_get_request_context_fdsets(ctx, &rd, &wr, &ex, &maxfd) != S3StatusOK)
            maxfd = -1;
        long wait = (long)S3_get_request_context_timeout(ctx);
        if (wait < 0 || wait > POLL_MAX_MS)
            wait = POLL_MAX_MS;
        if (maxfd < 0 && wait > 1) /* no socket to wait on yet (or past FD_SETSIZE): poll */
            wait = 1;
        if (wait > r->be->timeout_ms - idle)
            wait = r->be->timeout_ms - idle;
        struct timeval tv = {wait / 1000, (wait % 1000) * 1000};
        select(maxfd + 1, &rd, &wr, &ex, &tv);
    }
    /* Finishes a request still in flight with S3StatusInterrupted. */
    S3_destroy_request_context(ctx);
    if (!r->done)
        r->status = st != S3StatusOK ? st : S3StatusInterrupted;
    /* libs3 2.0 reports a body cut short (CURLE_PARTIAL_FILE) as success: count the bytes. */
    r->short_body = r->kind == REQ_GET && r->status == S3StatusOK && r->have_props &&
                    r->got < r->content_length;
}

/* ---- errors --------------------------------------------------------------------------------- */

static const char *op_name(const struct req *r)
{
    if (r->op)
        return r->op;
    return r->kind == REQ_PUT ? "put" : r->kind == REQ_GET ? "get" : "stat";
}

static bool is_credentials_status(S3Status s)
{
    switch (s) {
    case S3StatusErrorAccessDenied:
    case S3StatusErrorAccountProblem:
    case S3StatusErrorCredentialsNotSupported:
    case S3StatusErrorExpiredToken:
    case S3StatusErrorInvalidAccessKeyId:
    case S3StatusErrorInvalidSecurity:
    case S3StatusErrorInvalidToken:
    case S3StatusErrorMissingSecurityHeader:
    case S3StatusErrorNotSignedUp:
    case S3StatusErrorSignatureDoesNotMatch:
    case S3StatusErrorTokenRefreshRequired:
    case S3StatusHttpErrorForbidden:
        return true;
    default:
        return false;
    }
}

static bool is_transient_status(S3Status s)
{
    switch (s) {
    case S3StatusNameLookupError:
    case S3StatusFailedToConnect:
    case S3StatusConnectionFailed:
    case S3StatusInterrupted:
    case S3StatusInternalError: /* libs3's name for most curl failures: reset, send/recv error */
    case S3StatusErrorInternalError:
    case S3StatusErrorIncompleteBody:
    case S3StatusErrorBadDigest:
    case S3StatusErrorOperationAborted:
    case S3StatusErrorRequestTimeout:
    case S3StatusErrorSlowDown:
    case S3StatusErrorNotImplemented: /* 501 without details: a proxy in the way */
    case S3StatusHttpErrorUnknown:    /* 502, 504 … */
    case S3StatusHttpErrorConflict:
        return true;
    default:
        return false;
    }
}

/* Translates the attempt's outcome into a sohoa code and message (0 on success). */
static int translate(const struct req *r, struct sohoa_err *err)
{
    const struct s3_be *be = r->be;
    const char *op = op_name(r);
    /* the server's message when it sent one, else the status alone */
    const char *why = r->server_msg[0] ? r->server_msg : "no details";
    if (r->timed_out)
        return sohoa_err_set(err, SOHOA_EIO, true, "s3 %s %s: no progress from %s for %ld ms", op,
                             r->key, be->host, be->timeout_ms);
    switch (r->cb_code) {
    case SOHOA_ELIMIT:
        if (r->have_props && r->content_length > r->max_len)
            return sohoa_err_set(err, SOHOA_ELIMIT, false, "object %s is %llu bytes, over %zu",
                                 r->key, (unsigned long long)r->content_length, r->max_len);
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "object %s is over %zu bytes", r->key,
                             r->max_len);
    case SOHOA_ENOMEM:
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading object %s", r->key);
    case SOHOA_EIO:
        if (r->kind == REQ_PUT && r->cb_errno == 0)
            return sohoa_err_set(err, SOHOA_EIO, false, "source of %s shrank during upload",
                                 r->key);
        if (r->kind == REQ_PUT)
            return sohoa_err_set(err, SOHOA_EIO, false, "cannot read source of %s: %s", r->key,
                                 strerror(r->cb_errno));
        return sohoa_err_set(err, SOHOA_EIO, r->cb_errno == ENOSPC,
                             "cannot write temporary file for %s: %s", r->key,
                             strerror(r->cb_errno));
    default:
        break;
    }
    S3Status s = r->status;
    if (r->short_body)
        return sohoa_err_set(
            err, SOHOA_EIO, true, "s3 get %s: %s sent %llu of the %llu bytes it announced", r->key,
            be->host, (unsigned long long)r->got, (unsigned long long)r->content_length);
    if (s == S3StatusOK)
        return 0;
    if (s == S3StatusErrorNoSuchBucket)
        return sohoa_err_set(err, SOHOA_ENOTFOUND, false, "bucket %s does not exist at %s",
                             be->bucket, be->host);
    if (s == S3StatusErrorNoSuchKey || s == S3StatusHttpErrorNotFound)
        return sohoa_err_set(err, SOHOA_ENOTFOUND, false, "no object %s in s3://%s/%s", r->key,
                             be->bucket, be->prefix);
    if (is_credentials_status(s))
        return sohoa_err_set(err, SOHOA_EBACKEND, false,
                             "s3 %s %s: credentials refused by %s for bucket %s (%s; credentials "
                             "from %s)",
                             op, r->key, be->host, be->bucket, S3_get_status_name(s),
                             be->cred_source);
    if (s == S3StatusErrorRequestTimeTooSkewed)
        return sohoa_err_set(err, SOHOA_EBACKEND, false,
                             "s3 %s %s: %s refuses our clock (RequestTimeTooSkewed): set the time",
                             op, r->key, be->host);
    if (s == S3StatusOutOfMemory)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory in s3 %s %s", op, r->key);
    if (s == S3StatusNameLookupError || s == S3StatusFailedToConnect)
        return sohoa_err_set(err, SOHOA_EIO, true, "s3 %s %s: cannot reach %s (%s)", op, r->key,
                             be->host, S3_get_status_name(s));
    if (is_transient_status(s))
        return sohoa_err_set(err, SOHOA_EIO, true, "s3 %s %s at %s failed: %s (%s)", op, r->key,
                             be->host, why, S3_get_status_name(s));
    if (s == S3StatusKeyTooLong || s == S3StatusUriTooLong || s == S3StatusErrorKeyTooLong)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "s3 %s %s: key too long for S3", op, r->key);
    return sohoa_err_set(err, SOHOA_EBACKEND, false, "s3 %s %s at %s failed: %s (%s)", op, r->key,
                         be->host, why, S3_get_status_name(s));
}

/* A check of an attempt that libs3 calls a success; 0 or a SOHOA_E* code with `e` filled. */
typedef int (*check_fn)(struct req *r, struct sohoa_err *e);

/* Runs the request, retrying what is retryable; 0 or a negative SOHOA_E* with `err` filled. */
static int perform(struct req *r, check_fn check, struct sohoa_err *err)
{
    int rc = 0;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
        run_once(r);
        struct sohoa_err e = {0};
        rc = translate(r, &e);
        if (rc == 0 && check)
            rc = check(r, &e);
        if (rc == 0)
            return 0;
        if (err)
            *err = e;
        if (!e.retryable)
            return rc;
        if (attempt < ATTEMPTS)
            sleep_ms((long)BACKOFF_MS << (attempt - 1));
    }
    sohoa_err_prefix(err, "after %d attempts", ATTEMPTS);
    return rc;
}

static int req_init(struct req *r, const struct s3_be *be, enum req_kind kind, const char *key,
                    struct sohoa_err *err)
{
    memset(r, 0, sizeof *r);
    r->be = be;
    r->kind = kind;
    r->key = key;
    r->src_fd = -1;
    r->dst_fd = -1;
    size_t n = strlen(be->prefix) + strlen(key);
    if (n > S3_MAX_KEY_SIZE)
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "key too long for S3 with the store's prefix (%zu bytes, over %d): %s",
                             n, S3_MAX_KEY_SIZE, key);
    size_t np = strlen(be->prefix);
    memcpy(r->name, be->prefix, np);
    memcpy(r->name + np, key, n - np + 1);
    return 0;
}

/* libs3 2.0 takes a PUT's HTTP status when it first reads the body, before the server answered
 * (fixed upstream after 2.0): an answer with no error document (a bodiless 500, a proxy's HTML
 * 502) then passes for success. When libs3 did not see a 2xx, a HEAD settles it: the object holds
 * our SHA-256, or a newer object replaced it (a concurrent writer, last one wins). */
static int confirm_put(struct req *r, struct sohoa_err *e)
{
    if (r->have_props)
        return 0;
    struct req h;
    int rc = req_init(&h, r->be, REQ_HEAD, r->key, e);
    if (rc < 0)
        return rc;
    run_once(&h);
    rc = translate(&h, e);
    if (rc == 0 && !strcmp(h.sha_got, r->sha_put))
        return 0;
    if (rc == 0 && h.last_modified >= (int64_t)r->started - 1)
        return 0;
    if (rc == 0 || rc == SOHOA_ENOTFOUND)
        return sohoa_err_set(e, SOHOA_EIO, true,
                             "s3 put %s: %s answered without storing it (no error document)",
                             r->key, r->be->host);
    return rc;
}

/* A GET's bytes against the SHA-256 the object was stored with (when it was stored by us). */
static int verify_get(struct req *r, struct sohoa_err *e)
{
    if (!r->sha_got[0])
        return 0;
    char hex[SOHOA_SHA256_HEX];
    if (r->to_mem) {
        sohoa_sha256_mem(r->body.data ? r->body.data : "", r->body.len, hex);
    } else {
        int rc = sohoa_sha256_file(r->dst_path, 0, hex, NULL, e);
        if (rc < 0)
            return rc;
    }
    if (strcmp(hex, r->sha_got) != 0)
        return sohoa_err_set(e, SOHOA_EIO, true,
                             "s3 get %s: the %llu bytes from %s do not match the object's SHA-256 "
                             "(changed while read, or damaged)",
                             r->key, (unsigned long long)r->got, r->be->host);
    return 0;
}

/* ---- operations ----------------------------------------------------------------------------- */

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* Uploads `len` bytes from fd (or data) whose SHA-256 is `sha`. */
static int s3_put(struct s3_be *be, const char *key, int fd, const void *data, uint64_t len,
                  const char *sha, struct sohoa_err *err)
{
    struct req r;
    int rc = req_init(&r, be, REQ_PUT, key, err);
    if (rc < 0)
        return rc;
    r.src_fd = fd;
    r.src_mem = data;
    r.src_len = len;
    memcpy(r.sha_put, sha, SOHOA_SHA256_HEX);
    return perform(&r, confirm_put, err);
}

static int over_put_max(const char *key, uint64_t len, struct sohoa_err *err)
{
    return sohoa_err_set(err, SOHOA_ELIMIT, false,
                         "object %s is %llu bytes, over the %llu bytes of one S3 upload", key,
                         (unsigned long long)len, S3_PUT_MAX);
}

static int s3_put_file(void *be, const char *key, const char *src, struct sohoa_err *err)
{
    int fd = open(src, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return sohoa_err_set(err, e == ENOENT ? SOHOA_ENOTFOUND : SOHOA_EIO, false,
                             "cannot open %s: %s", src, strerror(e));
    }
    int rc = 0;
    char sha[SOHOA_SHA256_HEX], self[64];
    uint64_t hashed = 0;
    (void)snprintf(self, sizeof self, "/proc/self/fd/%d",
                   fd); /* the file we opened, even if renamed */
    if (!S_ISREG(st.st_mode))
        rc = sohoa_err_set(err, SOHOA_EINVAL, false, "%s is not a regular file", src);
    else if ((uint64_t)st.st_size > S3_PUT_MAX)
        rc = over_put_max(key, (uint64_t)st.st_size, err);
    else if ((rc = sohoa_sha256_file(self, 0, sha, &hashed, err)) < 0)
        sohoa_err_prefix(err, "s3 put %s from %s", key, src);
    else if (hashed != (uint64_t)st.st_size)
        rc =
            sohoa_err_set(err, SOHOA_EIO, false, "s3 put %s: %s changed size while read", key, src);
    else
        rc = s3_put(be, key, fd, NULL, (uint64_t)st.st_size, sha, err);
    close(fd);
    return rc;
}

static int s3_put_mem(void *be, const char *key, const void *data, size_t len,
                      struct sohoa_err *err)
{
    if ((uint64_t)len > S3_PUT_MAX)
        return over_put_max(key, len, err);
    char sha[SOHOA_SHA256_HEX];
    sohoa_sha256_mem(len ? data : "", len, sha);
    return s3_put(be, key, -1, len ? data : "", len, sha, err);
}

static int s3_get_mem(void *be, const char *key, size_t max_len, uint8_t **data, size_t *len,
                      struct sohoa_err *err)
{
    struct req r;
    *data = NULL;
    *len = 0;
    int rc = req_init(&r, be, REQ_GET, key, err);
    if (rc < 0)
        return rc;
    r.to_mem = true;
    r.max_len = max_len;
    sohoa_buf_init(&r.body, max_len);
    rc = perform(&r, verify_get, err);
    if (rc < 0) {
        sohoa_buf_release(&r.body);
        return rc;
    }
    char *got = NULL; /* NUL-terminated: a convenience for text objects */
    if (sohoa_buf_take(&r.body, &got, len) < 0)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    *data = (uint8_t *)got;
    return 0;
}

static int s3_get_file(void *be, const char *key, char **path, bool *is_temp, struct sohoa_err *err)
{
    struct req r;
    *path = NULL;
    *is_temp = false;
    int rc = req_init(&r, be, REQ_GET, key, err);
    if (rc < 0)
        return rc;
    const char *dir = env("TMPDIR") ? env("TMPDIR") : "/tmp";
    size_t n = strlen(dir) + 32;
    char *tmp = malloc(n);
    if (!tmp)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    (void)snprintf(tmp, n, "%s/sohoa-s3-XXXXXX", dir);
    r.dst_fd = mkstemp(tmp);
    if (r.dst_fd >= 0)
        fcntl(r.dst_fd, F_SETFD, FD_CLOEXEC);
    if (r.dst_fd < 0) {
        int e = errno;
        rc =
            sohoa_err_set(err, SOHOA_EIO, e == ENOSPC || e == EMFILE || e == ENFILE,
                          "cannot create a temporary file for %s in %s: %s", key, dir, strerror(e));
        free(tmp);
        return rc;
    }
    r.dst_path = tmp;
    rc = perform(&r, verify_get, err);
    if (rc == 0 && close(r.dst_fd) < 0)
        rc = sohoa_err_set(err, SOHOA_EIO, true, "cannot write temporary file for %s: %s", key,
                           strerror(errno));
    else if (rc < 0)
        close(r.dst_fd);
    if (rc < 0) {
        unlink(tmp);
        free(tmp);
        return rc;
    }
    *path = tmp;
    *is_temp = true;
    return 0;
}

static int s3_stat(void *be, const char *key, bool *exists, uint64_t *size, struct sohoa_err *err)
{
    struct req r;
    int rc = req_init(&r, be, REQ_HEAD, key, err);
    if (rc < 0)
        return rc;
    rc = perform(&r, NULL, err);
    if (rc == SOHOA_ENOTFOUND && r.status != S3StatusErrorNoSuchBucket) {
        /* HEAD has no body to tell a missing key from a missing bucket; the bucket was there at
         * open time, so this is a missing key. */
        sohoa_err_clear(err);
        return 0;
    }
    if (rc < 0)
        return rc;
    *exists = true;
    if (size)
        *size = r.content_length;
    return 0;
}

static void s3_close(void *p)
{
    struct s3_be *be = p;
    if (!be)
        return;
    if (be->secret_key)
        explicit_bzero(be->secret_key, strlen(be->secret_key));
    free(be->bucket);
    free(be->prefix);
    free(be->host);
    free(be->access_key);
    free(be->secret_key);
    free(be->cred_source);
    free(be);
}

static const struct sohoa_objstore_ops s3_ops = {
    .version = 1,
    .scheme = "s3",
    .put_file = s3_put_file,
    .put_mem = s3_put_mem,
    .get_mem = s3_get_mem,
    .get_file = s3_get_file,
    .stat = s3_stat,
    .close = s3_close,
};

/* ---- opening -------------------------------------------------------------------------------- */

/* Trims blanks at both ends in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Reads access and secret key from a "name = value" file. */
static int load_credentials_file(struct s3_be *be, const char *path, struct sohoa_err *err)
{
    FILE *fp = fopen(path, "re");
    if (!fp)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "cannot open S3 credentials file %s: %s",
                             path, strerror(errno));
    int rc = 0;
    char line[1024];
    while (rc == 0 && fgets(line, sizeof line, fp)) {
        char *eq = strchr(line, '=');
        char *name = trim(line);
        if (!*name || *name == '#' || *name == ';' || *name == '[' || !eq)
            continue;
        *eq = '\0';
        name = trim(name);
        char *value = trim(eq + 1);
        char **slot = NULL;
        if (!strcmp(name, "access_key") || !strcmp(name, "aws_access_key_id"))
            slot = &be->access_key;
        else if (!strcmp(name, "secret_key") || !strcmp(name, "aws_secret_access_key"))
            slot = &be->secret_key;
        if (!slot || !*value)
            continue;
        free(*slot);
        if (!(*slot = strdup(value)))
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    }
    explicit_bzero(line, sizeof line);
    (void)fclose(fp);
    if (rc == 0 && (!be->access_key || !be->secret_key))
        rc = sohoa_err_set(err, SOHOA_EINVAL, false,
                           "S3 credentials file %s lacks access_key or secret_key", path);
    return rc;
}

static int load_credentials(struct s3_be *be, struct sohoa_err *err)
{
    static const char *const pairs[][2] = {
        {"SOHOA_S3_ACCESS_KEY", "SOHOA_S3_SECRET_KEY"},
        {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        const char *ak = env(pairs[i][0]), *sk = env(pairs[i][1]);
        if (!ak && !sk)
            continue;
        if (!ak || !sk)
            return sohoa_err_set(err, SOHOA_EINVAL, false, "%s is set but %s is not",
                                 ak ? pairs[i][0] : pairs[i][1], ak ? pairs[i][1] : pairs[i][0]);
        char src[96];
        (void)snprintf(src, sizeof src, "environment %s/%s", pairs[i][0], pairs[i][1]);
        if (!(be->access_key = strdup(ak)) || !(be->secret_key = strdup(sk)) ||
            !(be->cred_source = strdup(src)))
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        return 0;
    }
    const char *file = env("SOHOA_S3_CREDENTIALS_FILE");
    if (!file)
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "no S3 credentials: set SOHOA_S3_ACCESS_KEY and SOHOA_S3_SECRET_KEY "
                             "(or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                             "SOHOA_S3_CREDENTIALS_FILE)");
    int rc = load_credentials_file(be, file, err);
    if (rc < 0)
        return rc;
    size_t n = strlen(file) + 8;
    if (!(be->cred_source = malloc(n)))
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    (void)snprintf(be->cred_source, n, "file %s", file);
    return 0;
}

/* Splits "bucket[/prefix]" and reads the environment. */
static int configure(struct s3_be *be, const char *loc, struct sohoa_err *err)
{
    const char *slash = strchr(loc, '/');
    size_t blen = slash ? (size_t)(slash - loc) : strlen(loc);
    if (strpbrk(loc, "@?#")) /* user:secret@… must not travel in a URL that gets printed */
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "s3 URL must be s3://bucket[/prefix], without credentials, query or "
                             "fragment (credentials come from the environment)");
    if (blen == 0)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "s3 URL 's3://%s' names no bucket", loc);
    if (!(be->bucket = strndup(loc, blen)))
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    S3Status bs = S3_validate_bucket_name(be->bucket, S3UriStylePath);
    if (bs != S3StatusOK)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "s3 URL 's3://%s': bad bucket name (%s)",
                             loc, S3_get_status_name(bs));

    const char *p = slash ? slash + 1 : "";
    size_t plen = strlen(p);
    while (plen > 0 && p[plen - 1] == '/')
        plen--;
    if (!(be->prefix = malloc(plen + 2)))
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    memcpy(be->prefix, p, plen);
    be->prefix[plen] = '\0';
    if (plen > 0 && !sohoa_objstore_key_ok(be->prefix))
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "s3 URL 's3://%s': the prefix must be key segments of [A-Za-z0-9._-]",
                             loc);
    if (plen > 0) { /* room for it: plen + 2 bytes */
        be->prefix[plen] = '/';
        be->prefix[plen + 1] = '\0';
    }

    const char *host = env("SOHOA_S3_ENDPOINT");
    if (!host)
        host = DEFAULT_ENDPOINT;
    if (strlen(host) >= S3_MAX_HOSTNAME_SIZE || strpbrk(host, "/@ \t"))
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "SOHOA_S3_ENDPOINT must be host:port, without scheme or path");
    if (!(be->host = strdup(host)))
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");

    const char *https = env("SOHOA_S3_HTTPS");
    if (https && strcmp(https, "0") != 0 && strcmp(https, "1") != 0)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "SOHOA_S3_HTTPS must be 0 or 1, not '%s'",
                             https);
    be->protocol = https && !strcmp(https, "1") ? S3ProtocolHTTPS : S3ProtocolHTTP;

    be->timeout_ms = DEFAULT_TIMEOUT_MS;
    const char *t = env("SOHOA_S3_TIMEOUT_MS");
    if (t) {
        char *end = NULL;
        long v = strtol(t, &end, 10);
        if (*end || v < 1 || v > 3600L * 1000)
            return sohoa_err_set(err, SOHOA_EINVAL, false,
                                 "SOHOA_S3_TIMEOUT_MS must be 1..3600000, not '%s'", t);
        be->timeout_ms = v;
    }
    return load_credentials(be, err);
}

/* GETs a key that is not expected to exist: tells a missing bucket and refused credentials at
 * open time, where a HEAD's bodiless 404 cannot. */
static int probe(const struct s3_be *be, struct sohoa_err *err)
{
    struct req r;
    int rc = req_init(&r, be, REQ_GET, ".sohoa-probe", err);
    if (rc < 0)
        return rc;
    char url[S3_MAX_BUCKET_NAME_SIZE + S3_MAX_KEY_SIZE + 8];
    (void)snprintf(url, sizeof url, "s3://%s/%s", be->bucket, be->prefix);
    r.op = "open";
    r.key = url;
    rc = perform(&r, NULL, err);
    if (rc == SOHOA_ENOTFOUND && r.status != S3StatusErrorNoSuchBucket) {
        sohoa_err_clear(err);
        return 0;
    }
    if (rc < 0 && r.status == S3StatusAbortedByCallback && r.cb_code == 0) {
        sohoa_err_clear(err); /* the probe key exists: fine too */
        return 0;
    }
    return rc;
}

int sohoa_objstore_s3_open(const char *location, void **be_out,
                           const struct sohoa_objstore_ops **ops, struct sohoa_err *err)
{
    *be_out = NULL;
    *ops = NULL;
    pthread_once(&init_once, init_libs3);
    if (init_status != S3StatusOK)
        return sohoa_err_set(err, SOHOA_EBACKEND, false, "cannot initialise libs3: %s",
                             S3_get_status_name(init_status));
    struct s3_be *be = calloc(1, sizeof *be);
    if (!be)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    int rc = configure(be, location ? location : "", err);
    if (rc == 0)
        rc = probe(be, err);
    if (rc < 0) {
        s3_close(be);
        return rc;
    }
    *be_out = be;
    *ops = &s3_ops;
    return 0;
}
