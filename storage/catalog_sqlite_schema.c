/* catalog_sqlite_schema.c — the SQLite catalog's schema, as migrations applied in order, and
 * applying them (sq_migrate) when a catalog is opened.
 *
 * Never edit a released migration: append a new one. A file written by a newer sohoa (a higher
 * version) is refused rather than guessed at.
 */
#include "storage/catalog_sqlite_schema.h"
#include "storage/catalog_sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* sohoa_sqlite_migrations[i] takes the schema from version i to i + 1. Never edit a released
 * entry: append. */
const char *const sohoa_sqlite_migrations[] = {
    /* 1: dossiers, documents, pages and the two-column page index */
    "CREATE TABLE dossiers ("
    "  id TEXT PRIMARY KEY,"
    "  receipt_no TEXT, procedure_code TEXT, department TEXT, district TEXT, commune TEXT,"
    "  received_date TEXT,"
    "  source TEXT NOT NULL CHECK (source IN ('desk', 'portal', 'archive')),"
    "  title TEXT, path TEXT,"
    "  meta_json TEXT CHECK (meta_json IS NULL OR json_valid(meta_json)),"
    "  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
    "CREATE INDEX dossiers_department ON dossiers (department, received_date);"
    "CREATE INDEX dossiers_received ON dossiers (received_date);"
    "CREATE TABLE documents ("
    "  id TEXT PRIMARY KEY,"
    "  dossier_id TEXT NOT NULL REFERENCES dossiers (id),"
    "  name TEXT, ordinal INTEGER NOT NULL, format TEXT,"
    "  n_pages INTEGER NOT NULL CHECK (n_pages >= 0), size_bytes INTEGER,"
    "  status TEXT NOT NULL"
    "    CHECK (status IN ('processing', 'assembling', 'done', 'partial', 'failed')),"
    "  error TEXT, record_key TEXT, pdf_key TEXT,"
    "  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, assembling_at TEXT, finished_at TEXT);"
    "CREATE INDEX documents_dossier ON documents (dossier_id, ordinal);"
    "CREATE TABLE pages ("
    "  id INTEGER PRIMARY KEY,"
    "  doc_id TEXT NOT NULL REFERENCES documents (id),"
    "  page_index INTEGER NOT NULL CHECK (page_index >= 0),"
    "  status TEXT NOT NULL CHECK (status IN ('ok', 'blank', 'failed')),"
    "  error TEXT, mean_conf REAL, rotation INTEGER, skew REAL,"
    "  width INTEGER, height INTEGER, dpi INTEGER, text_source TEXT, elapsed_ms REAL,"
    "  updated_at TEXT NOT NULL,"
    "  UNIQUE (doc_id, page_index));"
    "CREATE VIRTUAL TABLE pages_fts USING fts5 (canon, fold,"
    "  tokenize = '" TOKENIZER " " TOKENIZER_ARG0 " " TOKENIZER_ARG1 "');",
    /* 2: the document's type and its extracted fields; `value_key` is the folded value filters
     * compare (sohoa_catalog_field_key), looked up by (name, value_key) */
    "ALTER TABLE documents ADD COLUMN doc_type TEXT;"
    "CREATE INDEX documents_type ON documents (doc_type);"
    "CREATE TABLE fields ("
    "  doc_id TEXT NOT NULL REFERENCES documents (id),"
    "  name TEXT NOT NULL, ordinal INTEGER NOT NULL,"
    "  value TEXT NOT NULL, value_key TEXT NOT NULL, raw TEXT,"
    "  confidence REAL, page INTEGER, source TEXT,"
    "  PRIMARY KEY (doc_id, name)) WITHOUT ROWID;"
    "CREATE INDEX fields_key ON fields (name, value_key, doc_id);",
    /* 3: membership of documents in dossiers as its own relation (a document may belong to many
     * dossiers, and stand twice in one); documents.dossier_id, name and ordinal stay as the first
     * dossier that brought the content. The assembler's lease. */
    "CREATE TABLE memberships ("
    "  dossier_id TEXT NOT NULL REFERENCES dossiers (id),"
    "  ordinal INTEGER NOT NULL CHECK (ordinal >= 0),"
    "  doc_id TEXT NOT NULL REFERENCES documents (id),"
    "  name TEXT, added_at TEXT NOT NULL,"
    "  PRIMARY KEY (dossier_id, ordinal)) WITHOUT ROWID;"
    "CREATE INDEX memberships_doc ON memberships (doc_id, dossier_id);"
    "INSERT OR IGNORE INTO memberships (dossier_id, ordinal, doc_id, name, added_at)"
    "  SELECT dossier_id, ordinal, id, name, created_at FROM documents;"
    "ALTER TABLE documents ADD COLUMN lease_until TEXT;"
    "CREATE INDEX documents_status ON documents (status);",
};

const size_t sohoa_sqlite_n_migrations =
    sizeof sohoa_sqlite_migrations / sizeof sohoa_sqlite_migrations[0];

#define SCHEMA_VERSION ((int)(sizeof sohoa_sqlite_migrations / sizeof sohoa_sqlite_migrations[0]))

/* Bring the schema to SCHEMA_VERSION, one migration after another, in one transaction. */
int sq_migrate(struct conn *c, struct sohoa_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sq_exec(c, "BEGIN IMMEDIATE", "begin migration", err);
    if (rc)
        return rc;
    rc = sq_exec(c, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);",
                 "create schema_version", err);
    if (rc)
        goto out;
    int version = 0,
        src = sqlite3_prepare_v2(c->db, "SELECT max(version) FROM schema_version", -1, &st, NULL);
    if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    else {
        rc = sq_fail(c->db, src, "read schema version", err);
        goto out;
    }
    if (version > SCHEMA_VERSION) {
        rc = sohoa_err_set(err, SOHOA_EFORMAT, false,
                           "catalog schema version %d is newer than this sohoa (%d)", version,
                           SCHEMA_VERSION);
        goto out;
    }
    for (int v = version; v < SCHEMA_VERSION; v++) {
        char bump[96];
        (void)snprintf(bump, sizeof bump, /* 70 chars and an int: fits */
                       "DELETE FROM schema_version; INSERT INTO schema_version "
                       "VALUES (%d);",
                       v + 1);
        if ((rc = sq_exec(c, sohoa_sqlite_migrations[v], "migrate schema", err)) ||
            (rc = sq_exec(c, bump, "record schema version", err))) {
            sohoa_err_prefix(err, "to version %d", v + 1);
            goto out;
        }
    }
out:
    sqlite3_finalize(st);
    return sq_tx_end(c, rc, err);
}
