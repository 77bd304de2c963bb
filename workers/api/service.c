/* service.c — service.h on today's runtime: an embedded runtime (in-process queue, worker
 * threads in this process), intake of uploads from the service's own upload area, and a watch
 * over submitted dossiers.
 *
 * DESIGN: on disk, under <data-dir>/serve/:
 *   tmp/                      uploads being received (the API spools here)
 *   uploads/<rand>/<id>/      an accepted dossier: dossier.json + "NN-name" files, removed once
 *                             taken in (a restart takes in what is left: intake is idempotent)
 *   watch/<id>                a submitted dossier whose completion has not been handled yet
 * Two threads: the intake thread takes accepted dossiers in, one at a time, on the bulk lane
 * (blocking while the bulk lane is full: back-pressure), then watches them; the watch thread
 * looks at every watched dossier twice a second and calls on_done when all its documents have
 * finished. POST /v1/extract takes its file in on the calling thread, on the interactive lane.
 * Backends: the runtime opens what cfg names. With a RabbitMQ queue (`queue = amqp://…`) this
 * process's threads consume the shared lanes like any `sohoa worker`, other hosts' workers help,
 * and extract and the watch read progress from the catalog, so documents finished elsewhere are
 * seen (tests/integration/queue_amqp.sh, part 3).
 */
#include "workers/api/service.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pipeline/base/deadline.h"
#include "pipeline/base/fs.h"
#include "pipeline/base/log.h"
#include "pipeline/base/vntext.h"
#include "workers/runtime/intake.h"
#include "workers/runtime/layout.h"
#include "workers/runtime/record.h"
#include "workers/runtime/runtime.h"
#include "workers/runtime/summary.h"

#define RECORD_MAX    (64u << 20)
#define WATCH_TICK_MS 500
#define POLL_MS       20

struct watch {
    char id[SOHOA_SERVICE_ID_MAX];
    bool taken_in;    /* intake has returned: every document is in the catalog */
    long signature;   /* pages recorded and states of its documents, to see movement */
    double last_move; /* when it or the workers last moved (ms, monotonic) */
    bool warned;      /* the watchdog said so once */
};

/* Every id here and in struct watch is shorter than SOHOA_SERVICE_ID_MAX (made by this file, or
 * a folder name resume() checked), every dir a PATH_MAX buffer: copies of them fit. */
struct accepted {
    struct accepted *next;
    char dir[PATH_MAX]; /* uploads/<rand> */
    char id[SOHOA_SERVICE_ID_MAX];
};

struct sohoa_service {
    const struct sohoa_config *cfg;
    struct sohoa_runtime rt;
    bool rt_open, workers_ok;
    char root[PATH_MAX], tmp[PATH_MAX], uploads[PATH_MAX], watchdir[PATH_MAX];
    sohoa_service_done_fn on_done;
    void *on_done_arg;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stopping;
    struct accepted *head, *tail; /* waiting for the intake thread */
    struct watch *watches;
    size_t n_watches, cap_watches;
    pthread_t intake_th, watch_th;
    bool intake_started, watch_started;
};

const char *sohoa_dossier_state_name(enum sohoa_dossier_state s)
{
    static const char *names[] = {"accepted", "processing", "done", "partial", "failed"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

static void rand_hex(char *out, size_t nbytes)
{
    unsigned char b[32];
    if (nbytes > sizeof b)
        nbytes = sizeof b;
    if (getrandom(b, nbytes, 0) != (ssize_t)nbytes) /* never short for <= 256 bytes; be safe */
        for (size_t i = 0; i < nbytes; i++)
            b[i] = (unsigned char)(rand() ^ (int)sohoa_now_ms());
    for (size_t i = 0; i < nbytes; i++)
        (void)snprintf(out + 2 * i, 3, "%02x", b[i]); /* two digits and the NUL: fits */
}

/* a + "/" + b into out; SOHOA_ELIMIT when it does not fit. */
static int join2(char *out, size_t sz, const char *a, const char *b)
{
    int n = snprintf(out, sz, "%s/%s", a, b);
    return n < 0 || (size_t)n >= sz ? SOHOA_ELIMIT : 0;
}

/* rm -r of our own upload folders (two levels: uploads/<rand>/<id>/files). */
static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[PATH_MAX];
            int n = snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            if (n > 0 && (size_t)n < sizeof sub)
                remove_tree(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int write_file(const char *path, const char *data, size_t len, struct sohoa_err *err)
{
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0) /* closed even when it fails: never a second fclose */
        ok = false;
    if (!ok)
        return sohoa_err_set(err, SOHOA_EIO, true, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

/* "NN-" + the client's name made safe (its extension kept apart so that "scan.PDF" stays
 * recognisable to a reader of the upload area; intake recognises formats by content). */
static void upload_name(const struct sohoa_upload *u, int ordinal, char *out, size_t outsz)
{
    char base[80] = "", ext[16] = "";
    const char *name = u->name ? u->name : "";
    const char *slash = strrchr(name, '/');
    name = slash ? slash + 1 : name;
    const char *dot = strrchr(name, '.');
    if (dot && dot != name && strlen(dot + 1) < 10) {
        sohoa_slug(dot + 1, ext, sizeof ext);
        char stem[256];
        /* a cut is harmless: the slug keeps at most 64 bytes of it */
        (void)snprintf(stem, sizeof stem, "%.*s", (int)(dot - name), name);
        sohoa_slug(stem, base, sizeof base);
    } else {
        sohoa_slug(name, base, sizeof base);
    }
    /* at most 107 bytes into the caller's char[128]: fits */
    (void)snprintf(out, outsz, "%02d-%s%s%s", ordinal, base[0] ? base : "upload", ext[0] ? "." : "",
                   ext);
}

static void drop_files(const struct sohoa_upload *files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        unlink(files[i].path);
}

/* Creates uploads/<rand>/<id>/ with dossier.json and the files moved in; on failure every file
 * is removed. */
static int stage(struct sohoa_service *svc, const char *id, const char *meta, size_t meta_len,
                 const struct sohoa_upload *files, size_t n, char dir[PATH_MAX],
                 char folder[PATH_MAX], struct sohoa_err *err)
{
    char r[13], path[PATH_MAX + 128];
    rand_hex(r, 6);
    size_t i = 0;
    int rc = 0;
    if (join2(dir, PATH_MAX, svc->uploads, r) < 0 || join2(folder, PATH_MAX, dir, id) < 0) {
        dir[0] = '\0'; /* a cut `dir` could name the uploads folder itself: remove nothing */
        rc = sohoa_err_set(err, SOHOA_ELIMIT, false, "data-dir is too long");
        goto fail;
    }
    if ((rc = sohoa_mkdir_p(folder, 0700, err)) < 0)
        goto fail;
    /* folder < PATH_MAX and a name < 128 bytes: these fit in path[PATH_MAX + 128] */
    (void)snprintf(path, sizeof path, "%s/dossier.json", folder);
    if ((rc = write_file(path, meta, meta_len, err)) < 0)
        goto fail;
    for (; i < n; i++) {
        char name[128];
        upload_name(&files[i], (int)i + 1, name, sizeof name);
        (void)snprintf(path, sizeof path, "%s/%s", folder, name);
        if (rename(files[i].path, path) < 0) {
            rc = sohoa_err_set(err, SOHOA_EIO, true, "cannot move an upload: %s", strerror(errno));
            goto fail;
        }
    }
    return 0;
fail:
    drop_files(files + i, n - i);
    remove_tree(dir);
    return rc;
}

static int watch_add(struct sohoa_service *svc, const char *id, bool taken_in)
{
    for (size_t i = 0; i < svc->n_watches; i++)
        if (!strcmp(svc->watches[i].id, id)) {
            svc->watches[i].taken_in = taken_in;
            return 0;
        }
    if (svc->n_watches == svc->cap_watches) {
        size_t cap = svc->cap_watches ? 2 * svc->cap_watches : 16;
        struct watch *w = svc->cap_watches <= SIZE_MAX / 2 / sizeof *w
                              ? realloc(svc->watches, cap * sizeof *w)
                              : NULL;
        if (!w)
            return SOHOA_ENOMEM;
        svc->watches = w;
        svc->cap_watches = cap;
    }
    struct watch *w = &svc->watches[svc->n_watches++];
    memset(w, 0, sizeof *w);
    (void)snprintf(w->id, sizeof w->id, "%s", id); /* ids fit: see struct accepted */
    w->taken_in = taken_in;
    w->signature = -1;
    w->last_move = sohoa_now_ms();
    return 0;
}

static bool is_accepted(struct sohoa_service *svc, const char *id)
{
    for (struct accepted *a = svc->head; a; a = a->next)
        if (!strcmp(a->id, id))
            return true;
    return false;
}

/* Queues uploads/<rand> (holding one dossier folder <id>) for the intake thread. */
static int accept_dir(struct sohoa_service *svc, const char *dir, const char *id)
{
    struct accepted *a = calloc(1, sizeof *a);
    if (!a)
        return SOHOA_ENOMEM;
    (void)snprintf(a->dir, sizeof a->dir, "%s", dir); /* fits: see struct accepted */
    (void)snprintf(a->id, sizeof a->id, "%s", id);
    pthread_mutex_lock(&svc->mu);
    if (svc->tail)
        svc->tail->next = a;
    else
        svc->head = a;
    svc->tail = a;
    int rc = watch_add(svc, id, false);
    pthread_cond_broadcast(&svc->cv);
    pthread_mutex_unlock(&svc->mu);
    return rc;
}

static void *intake_main(void *arg)
{
    struct sohoa_service *svc = arg;
    pthread_mutex_lock(&svc->mu);
    for (;;) {
        while (!svc->head && !svc->stopping)
            pthread_cond_wait(&svc->cv, &svc->mu);
        if (svc->stopping)
            break;
        struct accepted *a = svc->head; /* stays at the head (still "accepted") while taken in */
        pthread_mutex_unlock(&svc->mu);

        char folder[PATH_MAX + SOHOA_SERVICE_ID_MAX];
        (void)snprintf(folder, sizeof folder, "%s/%s", a->dir, a->id); /* sized for it: fits */
        char *paths[1] = {folder};
        struct sohoa_intake_stats st;
        struct sohoa_err err;
        sohoa_err_clear(&err);
        int rc = sohoa_intake_paths(&svc->rt, paths, 1, SOHOA_LANE_BULK, NULL, NULL, &st, &err);
        if (rc < 0)
            sohoa_log(SOHOA_LOG_WARN, "serve", "dossier %s: %s (kept for the next start)", a->id,
                      err.msg);
        else
            remove_tree(a->dir);

        pthread_mutex_lock(&svc->mu);
        svc->head = a->next;
        if (!svc->head)
            svc->tail = NULL;
        if (rc == 0)
            watch_add(svc, a->id, true);
        free(a);
    }
    pthread_mutex_unlock(&svc->mu);
    return NULL;
}

static enum sohoa_dossier_state state_of(const struct sohoa_dossier_info *info)
{
    size_t done = 0, failed = 0;
    for (size_t i = 0; i < info->n_docs; i++) {
        enum sohoa_doc_status s = info->docs[i].doc.status;
        if (s == SOHOA_DOC_PROCESSING || s == SOHOA_DOC_ASSEMBLING)
            return SOHOA_DOSSIER_PROCESSING;
        done += s == SOHOA_DOC_DONE;
        failed += s == SOHOA_DOC_FAILED;
    }
    return done == info->n_docs     ? SOHOA_DOSSIER_DONE
           : failed == info->n_docs ? SOHOA_DOSSIER_FAILED
                                    : SOHOA_DOSSIER_PARTIAL;
}

static long signature_of(const struct sohoa_dossier_info *info)
{
    long sig = 0;
    for (size_t i = 0; i < info->n_docs; i++)
        sig = sig * 31 + (long)info->docs[i].pages_done * 8 + (long)info->docs[i].doc.status;
    return sig;
}

/* The watchdog of one watched dossier that did not move, while the workers did not either: after
 * the stall bound it says which documents and why (the sweeper republishes what it can); after
 * three times that, it ends them as failed with the reason, so the dossier finishes and the
 * portal is told. The originals stay stored: submitting the dossier again processes them again. */
static void watchdog(struct sohoa_service *svc, const char *id, bool warned,
                     struct sohoa_dossier_info *info, double idle_ms)
{
    double stall = (double)sohoa_runtime_stall_ms(&svc->rt);
    if (idle_ms <= stall)
        return;
    bool give_up = idle_ms > 3 * stall;
    for (size_t i = 0; i < info->n_docs; i++) {
        const struct sohoa_document_info *d = &info->docs[i];
        if (d->doc.status != SOHOA_DOC_PROCESSING && d->doc.status != SOHOA_DOC_ASSEMBLING)
            continue;
        char why[SOHOA_ERR_MSG_MAX];
        /* a message: a cut is fine */
        (void)snprintf(why, sizeof why,
                       "no progress for %.0f s (%s, %d of %d pages recorded); the original is "
                       "stored: submit the dossier again to retry",
                       idle_ms / 1000, sohoa_doc_status_name(d->doc.status), d->pages_done,
                       d->doc.n_pages);
        if (!warned || give_up)
            sohoa_log(give_up ? SOHOA_LOG_ERROR : SOHOA_LOG_WARN, "serve",
                      "dossier %s, document %.12s: %s%s", id, d->id, why,
                      give_up ? " (ended as failed)" : "");
        struct sohoa_err ferr;
        if (give_up)
            sohoa_catalog_finish_document(svc->rt.catalog, d->id, SOHOA_DOC_FAILED, why, NULL, NULL,
                                          &ferr);
    }
}

/* One look at every watched dossier that has been taken in; on_done for the finished ones. */
static void watch_tick(struct sohoa_service *svc, long *last_activity)
{
    char ids[64][SOHOA_SERVICE_ID_MAX];
    size_t n = 0;
    struct sohoa_counts c = sohoa_runtime_counts(&svc->rt);
    long activity = c.pages_done * 7 + c.docs_done;
    bool workers_moved = activity != *last_activity;
    *last_activity = activity;
    double now = sohoa_now_ms();
    pthread_mutex_lock(&svc->mu);
    for (size_t i = 0; i < svc->n_watches; i++) {
        if (workers_moved)
            svc->watches[i].last_move = now;
        if (svc->watches[i].taken_in && n < 64) /* the same size: fits */
            (void)snprintf(ids[n++], SOHOA_SERVICE_ID_MAX, "%s", svc->watches[i].id);
    }
    pthread_mutex_unlock(&svc->mu);
    for (size_t i = 0; i < n; i++) {
        struct sohoa_dossier_info *info = NULL;
        if (sohoa_catalog_get_dossier(svc->rt.catalog, ids[i], 0, &info, NULL) < 0)
            continue;
        enum sohoa_dossier_state st = state_of(info);
        if (st == SOHOA_DOSSIER_PROCESSING) {
            long sig = signature_of(info);
            double idle = 0;
            bool warned = false;
            pthread_mutex_lock(&svc->mu); /* the watch's state only: the catalog outside the lock */
            for (size_t k = 0; k < svc->n_watches; k++) {
                struct watch *w = &svc->watches[k];
                if (strcmp(w->id, ids[i]) != 0)
                    continue;
                if (w->signature != sig) {
                    w->signature = sig;
                    w->last_move = now;
                }
                idle = now - w->last_move;
                warned = w->warned;
                w->warned |= idle > (double)sohoa_runtime_stall_ms(&svc->rt);
            }
            pthread_mutex_unlock(&svc->mu);
            watchdog(svc, ids[i], warned, info, idle);
        }
        sohoa_dossier_info_free(&info);
        if (st == SOHOA_DOSSIER_PROCESSING)
            continue;
        if (svc->on_done && svc->on_done(svc->on_done_arg, ids[i]) != 0)
            continue; /* try again on a later tick */
        char path[PATH_MAX + SOHOA_SERVICE_ID_MAX];
        if (join2(path, sizeof path, svc->watchdir, ids[i]) == 0)
            unlink(path);
        pthread_mutex_lock(&svc->mu);
        for (size_t k = 0; k < svc->n_watches; k++)
            if (!strcmp(svc->watches[k].id, ids[i]) && svc->watches[k].taken_in) {
                svc->watches[k] = svc->watches[--svc->n_watches];
                break;
            }
        pthread_mutex_unlock(&svc->mu);
    }
}

static void *watch_main(void *arg)
{
    struct sohoa_service *svc = arg;
    long last_activity = -1;
    pthread_mutex_lock(&svc->mu);
    while (!svc->stopping) {
        struct timespec until;
        sohoa_deadline_in(CLOCK_REALTIME, WATCH_TICK_MS, &until);
        pthread_cond_timedwait(&svc->cv, &svc->mu, &until);
        if (svc->stopping)
            break;
        pthread_mutex_unlock(&svc->mu);
        watch_tick(svc, &last_activity);
        pthread_mutex_lock(&svc->mu);
    }
    pthread_mutex_unlock(&svc->mu);
    return NULL;
}

/* What a previous run left: accepted dossiers not yet taken in, watches not yet handled. */
static void resume(struct sohoa_service *svc)
{
    DIR *d = opendir(svc->uploads);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char dir[PATH_MAX];
        DIR *sub = join2(dir, sizeof dir, svc->uploads, e->d_name) == 0 ? opendir(dir) : NULL;
        struct dirent *f;
        while (sub && (f = readdir(sub)))
            if (f->d_name[0] != '.' && strlen(f->d_name) < SOHOA_SERVICE_ID_MAX)
                accept_dir(svc, dir, f->d_name);
        if (sub)
            closedir(sub);
    }
    if (d)
        closedir(d);
    if (!(d = opendir(svc->watchdir)))
        return;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && strlen(e->d_name) < SOHOA_SERVICE_ID_MAX) {
            pthread_mutex_lock(&svc->mu);
            if (!is_accepted(svc, e->d_name))
                watch_add(svc, e->d_name, true);
            pthread_mutex_unlock(&svc->mu);
        }
    closedir(d);
}

/* The runtime this process works with. Today: embedded (in-process queue and workers). */
static int open_runtime(struct sohoa_service *svc, struct sohoa_err *err)
{
    int rc = sohoa_runtime_open(&svc->rt, svc->cfg, err);
    if (rc < 0)
        return rc;
    svc->rt_open = true;
    svc->rt.interactive_traffic = true; /* POST /v1/extract: a reserved interactive thread */
    if ((rc = sohoa_runtime_start_workers(&svc->rt, err)) < 0 ||
        (rc = sohoa_runtime_start_sweeper(&svc->rt, SOHOA_SWEEP_INTERVAL_MS, err)) < 0)
        return rc;
    svc->workers_ok = true;
    return 0;
}

int sohoa_service_open(const struct sohoa_config *cfg, sohoa_service_done_fn on_done,
                       void *on_done_arg, struct sohoa_service **out, struct sohoa_err *err)
{
    int rc = 0;
    *out = NULL;
    struct sohoa_service *svc = calloc(1, sizeof *svc);
    if (!svc)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    svc->cfg = cfg;
    svc->on_done = on_done;
    svc->on_done_arg = on_done_arg;
    pthread_mutex_init(&svc->mu, NULL);
    pthread_cond_init(&svc->cv, NULL);
    /* a cut path would be another folder (the %.3500s these replaced cut the data-dir short) */
    if (join2(svc->root, sizeof svc->root, cfg->data_dir ? cfg->data_dir : ".", "serve") < 0 ||
        join2(svc->tmp, sizeof svc->tmp, svc->root, "tmp") < 0 ||
        join2(svc->uploads, sizeof svc->uploads, svc->root, "uploads") < 0 ||
        join2(svc->watchdir, sizeof svc->watchdir, svc->root, "watch") < 0) {
        rc = sohoa_err_set(err, SOHOA_ELIMIT, false, "data-dir is too long");
        goto fail;
    }
    if ((rc = sohoa_mkdir_p(svc->tmp, 0700, err)) < 0 ||
        (rc = sohoa_mkdir_p(svc->uploads, 0700, err)) < 0 ||
        (rc = sohoa_mkdir_p(svc->watchdir, 0700, err)) < 0 || (rc = open_runtime(svc, err)) < 0)
        goto fail;
    resume(svc);
    if (pthread_create(&svc->intake_th, NULL, intake_main, svc) != 0) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "cannot start the intake thread");
        goto fail;
    }
    svc->intake_started = true;
    if (pthread_create(&svc->watch_th, NULL, watch_main, svc) != 0) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "cannot start the watch thread");
        goto fail;
    }
    svc->watch_started = true;
    *out = svc;
    return 0;
fail:
    sohoa_service_free(&svc);
    return rc;
}

void sohoa_service_free(struct sohoa_service **svcp)
{
    struct sohoa_service *svc = *svcp;
    if (!svc)
        return;
    pthread_mutex_lock(&svc->mu);
    svc->stopping = true;
    pthread_cond_broadcast(&svc->cv);
    pthread_mutex_unlock(&svc->mu);
    if (svc->intake_started)
        pthread_join(svc->intake_th, NULL);
    if (svc->watch_started)
        pthread_join(svc->watch_th, NULL);
    if (svc->rt_open) {
        sohoa_runtime_release(&svc->rt); /* the workers finish what was queued */
        struct sohoa_counts c = svc->rt.counts;
        sohoa_log(SOHOA_LOG_INFO, "serve",
                  "this process processed %ld page(s) and assembled %ld document(s)", c.pages_done,
                  c.docs_done);
    }
    while (svc->head) { /* left on disk for the next start */
        struct accepted *a = svc->head;
        svc->head = a->next;
        free(a);
    }
    free(svc->watches);
    pthread_cond_destroy(&svc->cv);
    pthread_mutex_destroy(&svc->mu);
    free(svc);
    *svcp = NULL;
}

const char *sohoa_service_tmp_dir(const struct sohoa_service *svc)
{
    return svc->tmp;
}

bool sohoa_service_ready(struct sohoa_service *svc, struct sohoa_err *err)
{
    struct sohoa_doc_progress p;
    bool exists = false;
    uint64_t size = 0;
    if (!svc->workers_ok) {
        sohoa_err_set(err, SOHOA_ECLOSED, true, "the workers are not running");
        return false;
    }
    int rc = sohoa_catalog_progress(svc->rt.catalog,
                                    "0000000000000000000000000000000000000000"
                                    "000000000000000000000000",
                                    &p, err);
    if (rc < 0 && rc != SOHOA_ENOTFOUND)
        return false;
    return sohoa_obj_stat(svc->rt.store, "originals/readyz", &exists, &size, err) == 0;
}

static bool stopping(struct sohoa_service *svc)
{
    pthread_mutex_lock(&svc->mu);
    bool s = svc->stopping;
    pthread_mutex_unlock(&svc->mu);
    return s;
}

int sohoa_service_extract(struct sohoa_service *svc, const struct sohoa_upload *file,
                          int deadline_ms, char doc_id[SOHOA_SHA256_HEX],
                          char dossier_id[SOHOA_SERVICE_ID_MAX], enum sohoa_doc_status *status,
                          struct sohoa_err *err)
{
    static const char meta[] = "{\"source\": \"portal\"}\n";
    char dir[PATH_MAX], folder[PATH_MAX], r[13];
    double t0 = sohoa_now_ms();
    doc_id[0] = dossier_id[0] = '\0';
    *status = SOHOA_DOC_PROCESSING;
    uint64_t size = 0;
    int rc = sohoa_sha256_file(file->path, 0, doc_id, &size, err);
    if (rc < 0) {
        drop_files(file, 1);
        return rc;
    }
    rand_hex(r, 6);
    (void)snprintf(dossier_id, SOHOA_SERVICE_ID_MAX, "upload-%s", r); /* 19 bytes: fits */
    if ((rc = stage(svc, dossier_id, meta, sizeof meta - 1, file, 1, dir, folder, err)) < 0)
        return rc;
    char *paths[1] = {folder};
    struct sohoa_intake_stats st;
    rc = sohoa_intake_paths(&svc->rt, paths, 1, SOHOA_LANE_INTERACTIVE, NULL, NULL, &st, err);
    remove_tree(dir);
    if (rc < 0)
        return rc;
    for (;;) {
        struct sohoa_doc_progress p;
        if ((rc = sohoa_catalog_progress(svc->rt.catalog, doc_id, &p, err)) < 0)
            return rc;
        *status = p.status;
        if (p.status == SOHOA_DOC_DONE || p.status == SOHOA_DOC_PARTIAL ||
            p.status == SOHOA_DOC_FAILED)
            return 0;
        if (stopping(svc))
            return sohoa_err_set(err, SOHOA_ECLOSED, true, "the service is stopping");
        if (sohoa_now_ms() - t0 > deadline_ms)
            return sohoa_err_set(err, SOHOA_ETIMEOUT, true,
                                 "the document was not finished within %d ms; it is still being "
                                 "processed",
                                 deadline_ms);
        usleep(POLL_MS * 1000);
    }
}

int sohoa_service_submit(struct sohoa_service *svc, const char *meta_json, size_t meta_len,
                         const struct sohoa_upload *files, size_t n, char id[SOHOA_SERVICE_ID_MAX],
                         struct sohoa_err *err)
{
    struct sohoa_dossier_meta dm;
    memset(&dm, 0, sizeof dm);
    char dir[PATH_MAX], folder[PATH_MAX], r[13];
    int rc = 0;
    id[0] = '\0';
    if (n == 0)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "a dossier needs at least one file");
    bool staged = false;
    if (!meta_json) {
        meta_json = "{}";
        meta_len = 2;
    }
    if ((rc = sohoa_dossier_meta_parse(meta_json, meta_len, &dm, err)) < 0)
        goto out;
    if (dm.receipt_no) {
        sohoa_slug(dm.receipt_no, id, SOHOA_SERVICE_ID_MAX);
        if (!id[0]) {
            rc = sohoa_err_set(err, SOHOA_EFORMAT, false,
                               "receipt_no has no letters or digits to make an id from");
            goto out;
        }
    } else {
        rand_hex(r, 6);
        (void)snprintf(id, SOHOA_SERVICE_ID_MAX, "dossier-%s", r); /* 20 bytes: fits */
    }
    staged = true; /* stage() takes the files over, whatever happens */
    if ((rc = stage(svc, id, meta_json, meta_len, files, n, dir, folder, err)) < 0)
        goto out;
    char marker[PATH_MAX + SOHOA_SERVICE_ID_MAX];
    (void)snprintf(marker, sizeof marker, "%s/%s", svc->watchdir, id); /* sized for it: fits */
    if ((rc = write_file(marker, "", 0, err)) < 0 || (rc = accept_dir(svc, dir, id)) < 0) {
        remove_tree(dir);
        unlink(marker);
        if (rc == SOHOA_ENOMEM)
            sohoa_err_set(err, rc, false, "out of memory");
    }
out:
    if (!staged)
        drop_files(files, n);
    sohoa_dossier_meta_release(&dm);
    if (rc < 0)
        id[0] = '\0';
    return rc;
}

int sohoa_service_dossier(struct sohoa_service *svc, const char *id,
                          enum sohoa_dossier_state *state, struct sohoa_dossier_info **info,
                          struct sohoa_err *err)
{
    *info = NULL;
    *state = SOHOA_DOSSIER_ACCEPTED;
    pthread_mutex_lock(&svc->mu);
    bool accepted = is_accepted(svc, id);
    pthread_mutex_unlock(&svc->mu);
    int rc = sohoa_catalog_get_dossier(svc->rt.catalog, id, 0, info, err);
    if (rc == SOHOA_ENOTFOUND && accepted) {
        sohoa_err_clear(err);
        return 0;
    }
    if (rc < 0)
        return rc;
    if (!accepted)
        *state = state_of(*info);
    return 0;
}

/* An object of the store as a NUL-terminated string. */
static int get_object(struct sohoa_service *svc, const char *key, char **json, size_t *len,
                      struct sohoa_err *err)
{
    uint8_t *data = NULL;
    *json = NULL;
    *len = 0;
    int rc = sohoa_obj_get_mem(svc->rt.store, key, RECORD_MAX, &data, len, err);
    if (rc < 0)
        return rc;
    char *s = realloc(data, *len + 1); /* NUL-terminate */
    if (!s) {
        free(data);
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    }
    s[*len] = '\0';
    *json = s;
    return 0;
}

int sohoa_service_record(struct sohoa_service *svc, const char *doc_id, char **json, size_t *len,
                         struct sohoa_err *err)
{
    char key[SOHOA_KEY_MAX];
    sohoa_key_doc(key, doc_id, "record.json");
    return get_object(svc, key, json, len, err);
}

int sohoa_service_summary(struct sohoa_service *svc, const char *id, char **json, size_t *len,
                          struct sohoa_err *err)
{
    char key[SOHOA_KEY_MAX];
    sohoa_key_dossier_summary(key, id);
    int rc = get_object(svc, key, json, len, err);
    if (rc != SOHOA_ENOTFOUND)
        return rc;
    bool written = false;
    sohoa_err_clear(err);
    if ((rc = sohoa_dossier_summarise(&svc->rt, id, &written, err)) < 0)
        return rc;
    if (!written)
        return sohoa_err_set(err, SOHOA_ENOTFOUND, false, "dossier %s is still processing", id);
    return get_object(svc, key, json, len, err);
}

int sohoa_service_output(struct sohoa_service *svc, const char *dossier_id, const char *doc_id,
                         enum sohoa_output what, char **path, bool *is_temp, struct sohoa_err *err)
{
    *path = NULL;
    *is_temp = false;
    struct sohoa_dossier_info *info = NULL;
    char key[SOHOA_KEY_MAX] = "";
    bool key_cut = false; /* a cut key would name another object */
    int rc = sohoa_catalog_get_dossier(svc->rt.catalog, dossier_id, 0, &info, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < info->n_docs; i++)
        if (!strcmp(info->docs[i].id, doc_id)) {
            if (what == SOHOA_OUTPUT_PDF && info->docs[i].pdf_key)
                key_cut = snprintf(key, sizeof key, "%s", info->docs[i].pdf_key) >= (int)sizeof key;
            else if (what == SOHOA_OUTPUT_TEXT)
                sohoa_key_doc(key, doc_id, "text.txt");
        }
    sohoa_dossier_info_free(&info);
    if (key_cut)
        return sohoa_err_set(err, SOHOA_EFORMAT, false,
                             "the catalog's PDF key of document %.12s is longer than %d bytes",
                             doc_id, SOHOA_KEY_MAX - 1);
    if (!key[0])
        return sohoa_err_set(err, SOHOA_ENOTFOUND, false,
                             "no such document in this dossier, or no such output yet");
    bool exists = false;
    uint64_t size = 0;
    if ((rc = sohoa_obj_stat(svc->rt.store, key, &exists, &size, err)) < 0)
        return rc;
    if (!exists)
        return sohoa_err_set(err, SOHOA_ENOTFOUND, false, "the output does not exist yet");
    return sohoa_obj_get_file(svc->rt.store, key, path, is_temp, err);
}

int sohoa_service_search(struct sohoa_service *svc, const char *query,
                         const struct sohoa_search_opts *opts, struct sohoa_hits *out,
                         struct sohoa_err *err)
{
    return sohoa_catalog_search(svc->rt.catalog, query, opts, out, err);
}
