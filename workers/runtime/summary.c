/* summary.c — a dossier's summary once all its documents finished (see summary.h). */
#include "workers/runtime/summary.h"

#include <stdlib.h>
#include <string.h>

#include "pipeline/fields/completeness.h"
#include "workers/runtime/layout.h"
#include "workers/runtime/record.h"

int sohoa_dossier_summarise(struct sohoa_runtime *rt, const char *id, bool *written,
                            struct sohoa_err *err)
{
    struct sohoa_dossier_info *info = NULL;
    struct sohoa_summary_doc *docs = NULL;
    const char **types = NULL;
    char *json = NULL;
    if (written)
        *written = false;
    int rc = sohoa_catalog_get_dossier(rt->catalog, id, 0, &info, err);
    if (rc < 0)
        return rc;
    const char *procedure = info->dossier.procedure_code;
    for (size_t i = 0; i < info->n_docs; i++)
        if (info->docs[i].doc.status == SOHOA_DOC_PROCESSING ||
            info->docs[i].doc.status == SOHOA_DOC_ASSEMBLING)
            goto out; /* not the last */
    docs = calloc(info->n_docs + 1, sizeof *docs);
    types = calloc(info->n_docs + 1, sizeof *types);
    if (!docs || !types) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        goto out;
    }
    size_t nt = 0;
    for (size_t i = 0; i < info->n_docs; i++) {
        const struct sohoa_document_info *d = &info->docs[i];
        docs[i] = (struct sohoa_summary_doc){d->id, d->doc.name,
                                             sohoa_doc_status_name(d->doc.status), d->doc_type};
        if (d->doc_type)
            types[nt++] = d->doc_type;
    }
    struct sohoa_dossier_summary sum = {.dossier_id = id, .docs = docs, .n_docs = info->n_docs};
    struct sohoa_completeness c;
    if (procedure && *procedure && rt->models &&
        sohoa_completeness_check(rt->models, procedure, types, nt, &c, err) == 0) {
        sum.procedure_code = procedure;
        sum.known = c.known;
        sum.missing = c.missing;
        sum.n_missing = c.n_missing;
        sum.severity = (int)c.check.severity;
        sum.code = c.check.code;
        sum.msg_vi = c.check.msg_vi;
        sum.msg_en = c.check.msg_en;
    }
    sohoa_err_clear(err);
    char key[SOHOA_KEY_MAX];
    sohoa_key_dossier_summary(key, id);
    if ((rc = sohoa_dossier_summary_to_json(&sum, &json, err)) == 0)
        rc = sohoa_obj_put_str(rt->store, key, json, err);
    if (rc == 0 && written)
        *written = true;
out:
    free(json);
    free(docs);
    free(types);
    sohoa_dossier_info_free(&info);
    return rc;
}
