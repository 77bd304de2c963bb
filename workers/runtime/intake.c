/* intake.c — user paths → dossiers → stored originals → queued page jobs (see intake.h). */
#include "workers/runtime/intake.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/base/hash.h"
#include "pipeline/image/imageio.h"
#include "pipeline/base/vntext.h"
#include "workers/runtime/layout.h"
#include "workers/runtime/record.h"
#include "workers/runtime/summary.h"
#include "workers/runtime/version.h"

#define DOSSIER_JSON_MAX (1 << 20)

struct intake {
    struct sohoa_runtime *rt;
    enum sohoa_lane lane;
    sohoa_intake_note_fn note;
    void *note_arg;
    struct sohoa_intake_stats *stats;
};

void sohoa_slug(const char *label, char *out, size_t outsz)
{
    char *canon = NULL, *folded = NULL;
    out[0] = '\0';
    /* any bytes (NFD from macOS, invalid UTF-8) → canonical → folded */
    int rc = vn_normalize(label, strlen(label), &canon, NULL);
    if (rc == 0)
        rc = vn_fold(canon, &folded, NULL);
    free(canon);
    if (rc < 0 || !folded)
        return;
    size_t n = 0;
    bool dash = false;
    for (const unsigned char *p = (const unsigned char *)folded; *p && n + 1 < outsz && n < 64;
         p++) {
        unsigned char c = *p;
        bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
        if (c >= 'A' && c <= 'Z') {
            c = (unsigned char)(c - 'A' + 'a');
            keep = true;
        }
        if (keep && !(c == '.' && n == 0)) {
            out[n++] = (char)c;
            dash = false;
        } else if (!dash && n > 0) {
            out[n++] = '-';
            dash = true;
        }
    }
    while (n > 0 && (out[n - 1] == '-' || out[n - 1] == '.'))
        n--;
    out[n] = '\0';
    free(folded);
}

static const char *mime_of(const char *format)
{
    static const struct {
        const char *fmt, *mime;
    } map[] = {{"pdf", "application/pdf"}, {"tiff", "image/tiff"}, {"jpeg", "image/jpeg"},
               {"png", "image/png"},       {"webp", "image/webp"}, {"jp2k", "image/jp2"},
               {"heif", "image/heif"},     {"gif", "image/gif"},   {"jxl", "image/jxl"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].fmt, format) == 0)
            return map[i].mime;
    return format[0] ? "application/octet-stream" : NULL;
}

static void note(struct intake *in, const char *dossier, const char *name,
                 const struct sohoa_err *why)
{
    if (in->note)
        in->note(in->note_arg, dossier, name, why);
}

/* The document id of a file we could not read: stable for the same dossier and name. */
static void unreadable_id(const char *dossier, const char *name, char id[SOHOA_SHA256_HEX])
{
    char buf[PATH_MAX + 256];
    int n = snprintf(buf, sizeof buf, "unreadable\n%s\n%s", dossier, name);
    sohoa_sha256_mem(buf, n > 0 ? (size_t)n : 0, id);
}

/* Records a document refused at intake: catalog row, manifest and record with the reason. */
static void record_refused(struct intake *in, const struct sohoa_dossier_meta *dm,
                           struct sohoa_manifest *m, const struct sohoa_err *why)
{
    struct sohoa_runtime *rt = in->rt;
    struct sohoa_err err;
    char key[SOHOA_KEY_MAX];
    char *json = NULL;
    m->error_code = why->code ? why->code : SOHOA_EFORMAT;
    free(m->error);
    m->error = strdup(why->msg);
    struct sohoa_document doc = {
        .dossier_id = dm->id,
        .name = m->name,
        .ordinal = m->ordinal,
        .format = mime_of(m->format),
        .n_pages = 0,
        .size_bytes = (int64_t)m->size,
        .status = SOHOA_DOC_FAILED,
        .error = why->msg,
    };
    sohoa_err_clear(&err);
    if (sohoa_catalog_upsert_document(rt->catalog, m->doc_id, &doc, &err) < 0)
        note(in, dm->id, m->name, &err);
    struct sohoa_record_info ri = {.status = "failed"};
    sohoa_versions(ri.versions, sizeof ri.versions / sizeof ri.versions[0]);
    if (sohoa_record_to_json(m, dm, NULL, NULL, 0, &ri, &json, &err) == 0) {
        sohoa_key_doc(key, m->doc_id, "record.json");
        if (sohoa_obj_put_str(rt->store, key, json, &err) < 0)
            note(in, dm->id, m->name, &err);
        free(json);
    }
    in->stats->files_refused++;
    note(in, dm->id, m->name, why);
}

/* Checks a directory entry: a regular file, or a link to one that stays inside `root`. */
static int check_entry(const char *path, const char *root_real, struct sohoa_err *err)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return sohoa_err_set(err, SOHOA_EIO, false, "cannot read file: %s", strerror(errno));
    if (S_ISLNK(st.st_mode)) {
        char real[PATH_MAX];
        if (!realpath(path, real))
            return sohoa_err_set(err, SOHOA_EIO, false, "symbolic link cannot be followed: %s",
                                 strerror(errno));
        size_t n = strlen(root_real);
        if (root_real[0] && (strncmp(real, root_real, n) != 0 || real[n] != '/'))
            return sohoa_err_set(err, SOHOA_EINVAL, false,
                                 "refused: symbolic link points outside the dossier folder");
        if (stat(path, &st) < 0)
            return sohoa_err_set(err, SOHOA_EIO, false, "cannot read file: %s", strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        return sohoa_err_set(err, SOHOA_EFORMAT, false,
                             "not a regular file (device, pipe or socket)");
    if (access(path, R_OK) < 0)
        return sohoa_err_set(err, SOHOA_EIO, false, "cannot read file: %s", strerror(errno));
    return 0;
}

static int queue_pages(struct intake *in, const struct sohoa_manifest *m, struct sohoa_err *err)
{
    struct sohoa_job job;
    memset(&job, 0, sizeof job);
    job.kind = SOHOA_JOB_PAGE;
    job.lane = in->lane;
    memcpy(job.doc_id, m->doc_id, sizeof job.doc_id);
    job.n_pages = m->n_pages;
    job.attempt = 1;
    (void)snprintf(job.format, sizeof job.format, "%s", m->format); /* both char[16]: fits */
    sohoa_runtime_doc_queued(in->rt);
    sohoa_runtime_add_pages(in->rt, m->n_pages);
    for (int p = 0; p < m->n_pages; p++) {
        job.page = p;
        int rc = sohoa_queue_publish(in->rt->queue, &job, false, err);
        if (rc < 0)
            return rc;
        in->stats->pages_queued++;
    }
    return 0;
}

/* What intake learned of a file it is to process: format, pages and the manifest. A file that
 * cannot be read as a document is recorded as refused (*refused). */
static int probe_file(struct intake *in, const struct sohoa_dossier_meta *dm, const char *path,
                      struct sohoa_manifest *m, bool *refused, struct sohoa_err *err)
{
    struct sohoa_runtime *rt = in->rt;
    struct sohoa_err why;
    sohoa_err_clear(&why);
    char key[SOHOA_KEY_MAX];
    char *json = NULL;
    struct sohoa_probe probe;
    *refused = false;
    if (sohoa_imageio_probe(path, &rt->cfg->limits, &probe, &why) < 0) {
        record_refused(in, dm, m, &why);
        *refused = true;
        return 0;
    }
    /* format names are at most 7 chars: fits */
    (void)snprintf(m->format, sizeof m->format, "%s", sohoa_format_name(probe.format));
    m->n_pages = probe.n_pages;
    int rc = sohoa_manifest_to_json(m, dm, &json, err);
    if (rc == 0) {
        sohoa_key_doc(key, m->doc_id, "manifest.json");
        rc = sohoa_obj_put_str(rt->store, key, json, err);
    }
    free(json);
    return rc;
}

/* One file of a dossier. Only a failure of the backends is returned; a bad file is recorded. The
 * catalog's admission decides whether this call processes the content (new, failed before, or
 * left stale) or only puts it in the dossier (being processed, or finished, elsewhere). */
static int ingest_file(struct intake *in, const struct sohoa_dossier_meta *dm,
                       const char *root_real, const char *path, const char *raw_name, int ordinal,
                       struct sohoa_manifest *m)
{
    struct sohoa_runtime *rt = in->rt;
    const struct sohoa_limits *lim = &rt->cfg->limits;
    struct sohoa_err err, why;
    sohoa_err_clear(&err);
    sohoa_err_clear(&why);
    char key[SOHOA_KEY_MAX];
    int rc = 0;
    bool refused = false;
    memset(m, 0, sizeof *m);
    m->ordinal = ordinal;
    m->dossier_id = strdup(dm->id);
    if (vn_sanitize_label(raw_name, strlen(raw_name), &m->name, &err) < 0 || !m->dossier_id)
        return sohoa_err_set(&err, SOHOA_ENOMEM, false, "out of memory");
    in->stats->files++;

    if (check_entry(path, root_real, &why) < 0 ||
        sohoa_sha256_file(path, lim->max_file_bytes, m->doc_id, &m->size, &why) < 0) {
        unreadable_id(dm->id, m->name, m->doc_id);
        record_refused(in, dm, m, &why);
        return 0;
    }

    /* Store first: whatever happens next, the citizen's scan is kept. */
    bool exists = false;
    uint64_t size = 0;
    sohoa_key_original(key, m->doc_id);
    if ((rc = sohoa_obj_stat(rt->store, key, &exists, &size, &err)) < 0)
        goto backend;
    if ((!exists || size != m->size) && (rc = sohoa_obj_put_file(rt->store, key, path, &err)) < 0)
        goto backend;

    /* Content finished before needs no probe: the admission below only adds it to the dossier. */
    struct sohoa_doc_progress prog;
    bool finished = sohoa_catalog_progress(rt->catalog, m->doc_id, &prog, NULL) == 0 &&
                    (prog.status == SOHOA_DOC_DONE || prog.status == SOHOA_DOC_PARTIAL) &&
                    prog.n_pages > 0;
    if (finished)
        m->n_pages = prog.n_pages;
    else if ((rc = probe_file(in, dm, path, m, &refused, &err)) < 0 || refused)
        goto backend;

    for (int round = 0; round < 2; round++) {
        struct sohoa_document doc = {
            .dossier_id = dm->id,
            .name = m->name,
            .ordinal = ordinal,
            .format = mime_of(m->format),
            .n_pages = m->n_pages,
            .size_bytes = (int64_t)m->size,
            .status = SOHOA_DOC_PROCESSING,
        };
        enum sohoa_admit admit = SOHOA_ADMIT_NEW;
        if ((rc = sohoa_catalog_admit_document(rt->catalog, m->doc_id, &doc,
                                               sohoa_runtime_stall_ms(rt), &admit, NULL, &err)) < 0)
            goto backend;
        if (admit == SOHOA_ADMIT_FINISHED) {
            in->stats->files_reused++;
            goto backend;
        }
        if ((rc = sohoa_runtime_follow(rt, m->doc_id, &err)) < 0)
            goto backend;
        if (admit == SOHOA_ADMIT_RUNNING) {
            in->stats->files_followed++;
            goto backend;
        }
        if (finished) { /* it failed since we looked: processed again, so probed first */
            finished = false;
            if ((rc = probe_file(in, dm, path, m, &refused, &err)) < 0 || refused)
                goto backend;
            continue;
        }
        rc = queue_pages(in, m, &err);
        break;
    }
backend:
    if (rc < 0)
        note(in, dm->id, m->name, &err);
    return rc;
}

/* The file just taken in (docs[n]) has the same content as an earlier one of its dossier: the
 * log says so; the catalog lists it at both positions and processes it once. */
static void same_as_earlier(struct intake *in, const struct sohoa_dossier_meta *dm,
                            const struct sohoa_manifest *docs, size_t n)
{
    if (!docs[n].doc_id[0] || docs[n].error)
        return;
    for (size_t j = 0; j < n; j++)
        if (!docs[j].error && !strcmp(docs[j].doc_id, docs[n].doc_id)) {
            struct sohoa_err same;
            sohoa_err_set(&same, SOHOA_OK, false,
                          "same content as %s (position %d): listed at both, processed once",
                          docs[j].name, docs[j].ordinal);
            in->stats->files_same++;
            note(in, dm->id, docs[n].name, &same);
            return;
        }
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* dir + "/" + name into out; SOHOA_ELIMIT when it does not fit in PATH_MAX. */
static int join_path(char out[PATH_MAX], const char *dir, const char *name, struct sohoa_err *err)
{
    int n = dir ? snprintf(out, PATH_MAX, "%s/%s", dir, name) : snprintf(out, PATH_MAX, "%s", name);
    if (n < 0 || n >= PATH_MAX)
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "path is longer than %d bytes", PATH_MAX);
    return 0;
}

static int read_meta(const char *dir, struct sohoa_dossier_meta *dm, struct sohoa_err *err)
{
    char path[PATH_MAX];
    int rc = join_path(path, dir, "dossier.json", err);
    if (rc < 0)
        return rc;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? 0
                               : sohoa_err_set(err, SOHOA_EIO, false, "cannot read %s: %s", path,
                                               strerror(errno));
    char *buf = malloc(DOSSIER_JSON_MAX);
    size_t n = buf ? fread(buf, 1, DOSSIER_JSON_MAX, f) : 0;
    (void)fclose(f); /* read-only */
    rc = !buf ? sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory")
         : n == DOSSIER_JSON_MAX
             ? sohoa_err_set(err, SOHOA_ELIMIT, false, "dossier.json is over 1 MiB")
             : sohoa_dossier_meta_parse(buf, n, dm, err);
    free(buf);
    return rc;
}

static int upsert_dossier(struct intake *in, const struct sohoa_dossier_meta *dm, const char *path,
                          struct sohoa_err *err)
{
    enum sohoa_source src = SOHOA_SOURCE_DESK;
    if (dm->source)
        sohoa_source_parse(dm->source, &src);
    struct sohoa_dossier d = {
        .receipt_no = dm->receipt_no,
        .procedure_code = dm->procedure_code,
        .department = dm->department,
        .district = dm->district,
        .commune = dm->commune,
        .received_date = dm->received_date,
        .source = src,
        .title = dm->title,
        .path = path,
    };
    return sohoa_catalog_upsert_dossier(in->rt->catalog, dm->id, &d, err);
}

static int write_dossier(struct intake *in, const struct sohoa_dossier_meta *dm,
                         const struct sohoa_manifest *docs, size_t n, struct sohoa_err *err)
{
    char key[SOHOA_KEY_MAX];
    char *json = NULL;
    int rc = sohoa_dossier_to_json(dm, docs, n, &json, err);
    if (rc == 0) {
        sohoa_key_dossier(key, dm->id);
        rc = sohoa_obj_put_str(in->rt->store, key, json, err);
    }
    free(json);
    return rc;
}

static void set_id(struct sohoa_dossier_meta *dm, const char *label)
{
    char slug[80];
    sohoa_slug(label, slug, sizeof slug);
    if (!slug[0]) {
        char hex[SOHOA_SHA256_HEX];
        sohoa_sha256_mem(label, strlen(label), hex);
        (void)snprintf(slug, sizeof slug, "dossier-%.12s", hex); /* 20 chars: fits */
    }
    free(dm->id);
    dm->id = strdup(slug);
}

/* A dossier: files of `dir` (or the single file `only`), in name order; sub-folders are
 * dossiers of their own, at most 16 levels deep. */
static int ingest_dossier(struct intake *in, const char *dir, const char *only, int depth,
                          struct sohoa_err *err)
{
    int rc = 0;
    struct sohoa_dossier_meta dm;
    memset(&dm, 0, sizeof dm);
    struct dirent **ents = NULL;
    int n_ents = 0;
    struct sohoa_manifest *docs = NULL;
    size_t n_docs = 0;
    char root_real[PATH_MAX] = "";
    struct sohoa_err why;
    sohoa_err_clear(&why);

    char label[PATH_MAX];
    const char *base = strrchr(only ? only : dir, '/');
    /* a name for notes and the id, which keeps at most 64 chars of it: a cut is harmless */
    (void)snprintf(label, sizeof label, "%s", base ? base + 1 : (only ? only : dir));
    if (only) {
        char *dot = strrchr(label, '.');
        if (dot && dot != label)
            *dot = '\0';
    } else if (read_meta(dir, &dm, &why) < 0) {
        note(in, label, "dossier.json", &why); /* bad metadata: the scans still go in */
    }
    set_id(&dm, dm.receipt_no ? dm.receipt_no : label);
    if (!dm.id)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    if (!only && !realpath(dir, root_real))
        root_real[0] = '\0';
    if ((rc = upsert_dossier(in, &dm, only ? only : dir, err)) < 0)
        goto out;
    in->stats->dossiers++;

    if (only) {
        n_ents = 1;
    } else if ((n_ents = scandir(dir, &ents, NULL, name_cmp)) < 0) {
        rc = sohoa_err_set(err, SOHOA_EIO, false, "cannot list %s: %s", dir, strerror(errno));
        n_ents = 0;
        goto out;
    }
    docs = calloc((size_t)n_ents + 1, sizeof *docs);
    if (!docs) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        goto out;
    }
    for (int i = 0; i < n_ents && rc == 0; i++) {
        char path[PATH_MAX];
        const char *name = only ? label : ents[i]->d_name;
        if (only) {
            const char *b = strrchr(only, '/');
            name = b ? b + 1 : only;
            if (join_path(path, NULL, only, err) < 0) {
                note(in, dm.id, name, err);
                continue;
            }
        } else {
            if (name[0] == '.' || strcmp(name, "dossier.json") == 0)
                continue;
            if (join_path(path, dir, name, &why) < 0) {
                note(in, dm.id, name, &why);
                in->stats->files_refused++;
                continue;
            }
            struct stat st;
            if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
                if (depth >= 16) {
                    sohoa_err_set(&why, SOHOA_ELIMIT, false, "folders nested more than 16 deep");
                    note(in, dm.id, name, &why);
                    continue;
                }
                rc = ingest_dossier(in, path, NULL, depth + 1, err); /* a dossier in a batch */
                continue;
            }
        }
        rc = ingest_file(in, &dm, root_real, path, name, (int)n_docs + 1, &docs[n_docs]);
        same_as_earlier(in, &dm, docs, n_docs);
        n_docs++;
    }
    if (rc == 0 && n_docs > 0)
        rc = write_dossier(in, &dm, docs, n_docs, err);
    if (rc == 0 && n_docs > 0) {
        /* written now when every document finished before (reused content): no document job
         * of this run will */
        struct sohoa_err serr;
        sohoa_err_clear(&serr);
        if (sohoa_dossier_summarise(in->rt, dm.id, NULL, &serr) < 0)
            note(in, dm.id, "summary.json", &serr);
    }
out:
    for (size_t i = 0; i < n_docs; i++)
        sohoa_manifest_release(&docs[i]);
    free(docs);
    for (int i = 0; ents && i < n_ents; i++)
        free(ents[i]);
    free(ents);
    sohoa_dossier_meta_release(&dm);
    return rc;
}

int sohoa_intake_paths(struct sohoa_runtime *rt, char *const *paths, int n, enum sohoa_lane lane,
                       sohoa_intake_note_fn note_fn, void *note_arg,
                       struct sohoa_intake_stats *stats, struct sohoa_err *err)
{
    struct intake in = {rt, lane, note_fn, note_arg, stats};
    memset(stats, 0, sizeof *stats);
    for (int i = 0; i < n; i++) {
        struct stat st;
        int rc;
        struct sohoa_err why;
        sohoa_err_clear(&why);
        if (stat(paths[i], &st) < 0) {
            sohoa_err_set(&why, SOHOA_ENOTFOUND, false, "no such file or folder");
            note(&in, "", paths[i], &why);
            stats->files_refused++;
            continue;
        }
        rc = S_ISDIR(st.st_mode) ? ingest_dossier(&in, paths[i], NULL, 0, err)
                                 : ingest_dossier(&in, NULL, paths[i], 0, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}
