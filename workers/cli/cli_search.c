/* cli_search.c — `sohoa search [--field NAME=VALUE] [--type T] QUERY`: find pages by words, with or
 * without diacritics, and documents by extracted field values and type. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/catalog.h"
#include "workers/cli/cli.h"
#include "workers/runtime/config.h"

static void usage(FILE *f)
{
    fprintf(
        f,
        "Usage: sohoa search [options] QUERY...\n"
        "       sohoa search --field NAME=VALUE [--type TYPE] [options] [QUERY...]\n"
        "\n"
        "Finds pages whose text holds every word of QUERY. Words match with or without\n"
        "diacritics (\"duong\" finds \"đường\"); pages matching the exact tones rank first.\n"
        "Put a phrase in double quotes: sohoa search '\"quyết định\" ubnd'.\n"
        "With --field or --type, QUERY may be left out: the first page of each matching\n"
        "document is listed, newest dossier first.\n"
        "\n"
        "Options:\n"
        "  --field NAME=VALUE only documents whose extracted field NAME (id_number,\n"
        "                     full_name, receipt_number, doc_number, issue_date, ...) equals\n"
        "                     VALUE, ignoring case, diacritics and spacing:\n"
        "                     --field full_name='nguyen van an', --field id_number=001099012345\n"
        "  --field NAME       only documents that have the field NAME\n"
        "  --type TYPE        only documents of this type (cccd_front, birth_certificate, ...)\n"
        "  --department NAME  only dossiers of this department\n"
        "  --from YYYY-MM-DD  only dossiers received on or after this date\n"
        "  --to YYYY-MM-DD    only dossiers received on or before this date\n"
        "  --dossier ID       only this dossier\n"
        "  --limit N          at most N hits (default 20)\n"
        "  --data-dir DIR     where the catalog is (default ./sohoa-data)\n"
        "  --help             this text\n"
        "\n"
        "Exit codes: 0 hits found, 3 no hit, 64 usage, 70 internal.\n");
}

int sohoa_cli_search(int argc, char **argv)
{
    struct sohoa_config cfg;
    struct sohoa_err err;
    struct sohoa_catalog *cat = NULL;
    struct sohoa_hits hits;
    struct sohoa_search_opts opts;
    int rest = 0, code = SOHOA_EXIT_OK;
    char query[4096] = "", field[64] = "";
    size_t qlen = 0;
    memset(&hits, 0, sizeof hits);
    memset(&opts, 0, sizeof opts);
    sohoa_config_init(&cfg);
    sohoa_err_clear(&err);

    if ((code = sohoa_cli_config("search", &cfg, argc, argv, &rest)) != SOHOA_EXIT_OK)
        goto out;
    bool only_words = false;
    for (int i = 1; i <= rest; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!only_words && !strcmp(a, "--")) {
            only_words = true;
            continue;
        }
        if (only_words)
            goto word;
        if (sohoa_cli_is_help(a)) {
            usage(stdout);
            goto out;
        }
        if (!strcmp(a, "--department"))
            slot = &opts.department;
        else if (!strcmp(a, "--from"))
            slot = &opts.date_from;
        else if (!strcmp(a, "--to"))
            slot = &opts.date_to;
        else if (!strcmp(a, "--dossier"))
            slot = &opts.dossier_id;
        else if (!strcmp(a, "--type"))
            slot = &opts.doc_type;
        bool is_field = !strcmp(a, "--field");
        if (slot || is_field || !strcmp(a, "--limit")) {
            if (i + 1 > rest) {
                fprintf(stderr, "sohoa search: %s needs a value\n", a);
                code = SOHOA_EXIT_USAGE;
                goto out;
            }
            if (slot) {
                *slot = argv[++i];
            } else if (is_field) { /* NAME=VALUE: the name before the first '=' */
                const char *spec = argv[++i], *eq = strchr(spec, '=');
                size_t n = eq ? (size_t)(eq - spec) : strlen(spec);
                if (n == 0 || n >= sizeof field) {
                    fprintf(stderr, "sohoa search: --field wants NAME=VALUE, got \"%s\"\n", spec);
                    code = SOHOA_EXIT_USAGE;
                    goto out;
                }
                memcpy(field, spec, n);
                field[n] = '\0';
                opts.field = field;
                opts.field_value = eq ? eq + 1 : NULL;
            } else {
                opts.limit = atoi(argv[++i]);
            }
            continue;
        }
        if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "sohoa search: unknown option %s (see --help)\n", a);
            code = SOHOA_EXIT_USAGE;
            goto out;
        }
    word:;
        int w = snprintf(query + qlen, sizeof query - qlen, "%s%s", qlen ? " " : "", a);
        if (w < 0 || (size_t)w >= sizeof query - qlen) {
            fprintf(stderr, "sohoa search: query too long\n");
            code = SOHOA_EXIT_USAGE;
            goto out;
        }
        qlen += (size_t)w;
    }
    if (!qlen && !opts.field && !opts.doc_type) {
        usage(stderr);
        code = SOHOA_EXIT_USAGE;
        goto out;
    }
    if (sohoa_catalog_open(cfg.catalog_url, &cat, &err) < 0) {
        fprintf(stderr, "sohoa search: %s\n", err.msg);
        code = SOHOA_EXIT_INTERNAL;
        goto out;
    }
    int rc = sohoa_catalog_search(cat, query, &opts, &hits, &err);
    if (rc < 0) {
        fprintf(stderr, "sohoa search: %s\n", err.msg);
        code = rc == SOHOA_EINVAL || rc == SOHOA_ELIMIT ? SOHOA_EXIT_USAGE : SOHOA_EXIT_INTERNAL;
        goto out;
    }
    for (size_t i = 0; i < hits.n; i++) {
        const struct sohoa_hit *h = &hits.v[i];
        printf("%zu. [%s] dossier %s, document %s (%.12s…%s%s), page %d\n   %s\n", i + 1,
               sohoa_match_name(h->match), h->dossier_id, h->doc_name, h->doc_id,
               h->doc_type ? ", " : "", h->doc_type ? h->doc_type : "", h->page_index + 1,
               h->snippet ? h->snippet : "");
        if (h->n_dossiers > 1) { /* the same document in other dossiers too */
            printf("   also in:");
            for (size_t k = 1; k < h->n_dossiers; k++)
                printf("%s dossier %s (as %s)", k > 1 ? "," : "", h->dossiers[k].id,
                       h->dossiers[k].doc_name ? h->dossiers[k].doc_name : "-");
            printf("\n");
        }
    }
    if (hits.n == 0) {
        if (opts.field)
            printf("no document has %s%s%s%s%s\n", opts.field, opts.field_value ? " = \"" : "",
                   opts.field_value ? opts.field_value : "", opts.field_value ? "\"" : "",
                   qlen ? " and matches the words" : "");
        else if (!qlen)
            printf("no document of type %s\n", opts.doc_type);
        else
            printf("no page matches \"%s\"\n", query);
        code = SOHOA_EXIT_NOTFOUND;
    }
out:
    sohoa_hits_release(&hits);
    sohoa_catalog_free(&cat);
    sohoa_config_release(&cfg);
    return code;
}
