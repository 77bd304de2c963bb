/* cli_show.c — `sohoa show DOSSIER`: a dossier, its documents (with their type and extracted
 * fields) and their pages. */
#include <stdio.h>
#include <string.h>

#include "storage/catalog.h"
#include "workers/cli/cli.h"
#include "workers/runtime/config.h"
#include "workers/runtime/intake.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: sohoa show [--data-dir DIR] DOSSIER\n"
               "\n"
               "Shows a dossier's metadata, its documents (status, pages, errors, where the\n"
               "searchable PDF and record are, type, extracted fields with their source, page\n"
               "and confidence) and every page (status, confidence, rotation, skew, reason of\n"
               "failure).\n"
               "Exit codes: 0 shown, 3 unknown dossier, 64 usage, 70 internal.\n");
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

int sohoa_cli_show(int argc, char **argv)
{
    struct sohoa_config cfg;
    struct sohoa_err err;
    struct sohoa_catalog *cat = NULL;
    struct sohoa_dossier_info *info = NULL;
    int rest = 0, code = SOHOA_EXIT_OK;
    sohoa_config_init(&cfg);
    sohoa_err_clear(&err);
    if ((code = sohoa_cli_config("show", &cfg, argc, argv, &rest)) != SOHOA_EXIT_OK)
        goto out;
    if (rest == 2 && !strcmp(argv[1], "--")) { /* sohoa show -- -odd-id */
        argv[1] = argv[2];
        rest = 1;
    } else if (rest == 1 && !strcmp(argv[1], "--")) {
        rest = 0;
    }
    if (rest != 1 || sohoa_cli_is_help(argv[1])) {
        usage(rest == 1 ? stdout : stderr);
        code = rest == 1 ? SOHOA_EXIT_OK : SOHOA_EXIT_USAGE;
        goto out;
    }
    if (sohoa_catalog_open(cfg.catalog_url, &cat, &err) < 0) {
        fprintf(stderr, "sohoa show: %s\n", err.msg);
        code = SOHOA_EXIT_INTERNAL;
        goto out;
    }
    int rc = sohoa_catalog_get_dossier(cat, argv[1], SOHOA_CATALOG_WITH_PAGES, &info, &err);
    if (rc == SOHOA_ENOTFOUND) { /* as written on the receipt: try the id intake made of it */
        char slug[80];
        sohoa_slug(argv[1], slug, sizeof slug);
        if (slug[0] && strcmp(slug, argv[1]) != 0)
            rc = sohoa_catalog_get_dossier(cat, slug, SOHOA_CATALOG_WITH_PAGES, &info, &err);
    }
    if (rc < 0) {
        fprintf(stderr, "sohoa show: %s\n", err.msg);
        code = rc == SOHOA_ENOTFOUND ? SOHOA_EXIT_NOTFOUND : SOHOA_EXIT_INTERNAL;
        goto out;
    }
    const struct sohoa_dossier *d = &info->dossier;
    printf("dossier %s\n  receipt %s, procedure %s, department %s\n  district %s, commune %s, "
           "received %s, source %s\n  title %s\n  from %s\n",
           info->id, or_dash(d->receipt_no), or_dash(d->procedure_code), or_dash(d->department),
           or_dash(d->district), or_dash(d->commune), or_dash(d->received_date),
           sohoa_source_name(d->source), or_dash(d->title), or_dash(d->path));
    for (size_t i = 0; i < info->n_docs; i++) {
        const struct sohoa_document_info *di = &info->docs[i];
        printf("\n%d. %s  [%s]  %d page(s), %d done, %d failed\n   id %s\n", di->doc.ordinal,
               di->doc.name, sohoa_doc_status_name(di->doc.status), di->doc.n_pages, di->pages_done,
               di->pages_failed, di->id);
        if (di->same_as)
            printf("   the same content as document %d: processed once, listed at both\n",
                   di->same_as);
        if (di->doc.error)
            printf("   error: %s\n", di->doc.error);
        if (di->pdf_key)
            printf("   pdf: %s/%s\n", cfg.store_url, di->pdf_key);
        if (di->record_key)
            printf("   record: %s/%s\n", cfg.store_url, di->record_key);
        if (di->doc_type)
            printf("   type: %s\n", di->doc_type);
        for (size_t f = 0; f < di->n_fields; f++) {
            const struct sohoa_field_row *r = &di->fields[f];
            printf("   %s%s = %s  (%s", f ? "        " : "fields: ", r->name, r->value,
                   or_dash(r->source));
            if (r->page > 0)
                printf(", page %d", r->page);
            if (r->confidence >= 0)
                printf(", conf %.2f", r->confidence);
            if (r->raw && strcmp(r->raw, r->value) != 0)
                printf(", read \"%s\"", r->raw);
            printf(")\n");
        }
        for (size_t p = 0; p < di->n_pages_listed; p++) {
            const struct sohoa_page_info *pi = &di->pages[p];
            printf("   page %d: %s, conf %.0f, rotated %d, skew %.2f°%s%s\n", pi->index + 1,
                   sohoa_page_status_name(pi->page.status), pi->page.mean_conf, pi->page.rotation,
                   pi->page.skew, pi->page.error ? " — " : "",
                   pi->page.error ? pi->page.error : "");
        }
    }
out:
    sohoa_dossier_info_free(&info);
    sohoa_catalog_free(&cat);
    sohoa_config_release(&cfg);
    return code;
}
