/* catalog_pg_schema.c — the PostgreSQL catalog's tables, index and fan-in function, as
 * migrations applied in order by catalog_pg.c (one transaction, under an advisory lock).
 *
 * Index choice: each page keeps two tsvectors built with the 'simple' configuration (lower-case
 * words, no stemming, no stop words) from words cut on the client (sohoa_text_words), so page text
 * and queries are split by the same rule: canon_tsv over the canonical text, fold_tsv over its
 * folded copy. Searches match fold_tsv through a GIN index and test canon_tsv only on the rows
 * found, for the exact-tone class. tsvector keeps word positions, so phrases are the <-> operator,
 * and ts_rank gives relevance. pg_trgm was the other candidate: it finds substrings, but knows no
 * words (a phrase is not "adjacent words" to it), ranks by trigram similarity rather than by how
 * often a word occurs, and its index is several times larger than GIN over lexemes.
 *
 * Fan-in: sohoa_page_done() runs as one statement. It locks the document's row first, so the
 * pages of one document are recorded one after another; being a PL/pgSQL function, each statement
 * after the lock sees every page committed before it (READ COMMITTED takes a fresh snapshot per
 * statement), so the last page always sees the others, and the conditional UPDATE lets exactly
 * one call move the document from 'processing' to 'assembling'.
 *
 * Fields (migration 2): one row per extracted field of a document, with its value as shown and a
 * folded key (sohoa_catalog_field_key) that filters compare through a b-tree on (name, key);
 * put_fields replaces a document's rows in one transaction.
 *
 * Membership (migration 3): memberships holds (dossier, position) -> document, the name given
 * there and when it was put there; a document's content is stored and processed once whatever
 * number of dossiers hold it. Searches reach the dossier filters through memberships_doc. The
 * assembler's lease is documents.lease_until, set only while the document is 'assembling'
 * (sohoa_page_done() leaves it NULL: every write that sets a document back to 'processing'
 * clears it).
 *
 * Never edit a released migration: append a new one.
 */
#include "storage/catalog_pg_schema.h"

const char *const sohoa_pg_migrations[] = {
    /* 1: dossiers, documents, pages with their two tsvectors, the fan-in function */
    "CREATE TABLE dossiers ("
    "  id text PRIMARY KEY,"
    "  receipt_no text, procedure_code text, department text, district text, commune text,"
    "  received_date date,"
    "  source text NOT NULL CHECK (source IN ('desk', 'portal', 'archive')),"
    "  title text, path text, meta_json json,"
    "  created_at timestamptz NOT NULL DEFAULT now(),"
    "  updated_at timestamptz NOT NULL DEFAULT now());"
    "CREATE INDEX dossiers_department ON dossiers (department, received_date);"
    "CREATE INDEX dossiers_received ON dossiers (received_date);"
    "CREATE TABLE documents ("
    "  id text PRIMARY KEY,"
    "  dossier_id text NOT NULL REFERENCES dossiers (id),"
    "  name text, ordinal integer NOT NULL, format text,"
    "  n_pages integer NOT NULL CHECK (n_pages >= 0), size_bytes bigint,"
    "  status text NOT NULL"
    "    CHECK (status IN ('processing', 'assembling', 'done', 'partial', 'failed')),"
    "  error text, record_key text, pdf_key text,"
    "  created_at timestamptz NOT NULL DEFAULT now(),"
    "  updated_at timestamptz NOT NULL DEFAULT now(),"
    "  assembling_at timestamptz, finished_at timestamptz);"
    "CREATE INDEX documents_dossier ON documents (dossier_id, ordinal);"
    "CREATE TABLE pages ("
    "  doc_id text NOT NULL REFERENCES documents (id),"
    "  page_index integer NOT NULL CHECK (page_index >= 0),"
    "  status text NOT NULL CHECK (status IN ('ok', 'blank', 'failed')),"
    "  error text, mean_conf double precision, rotation integer, skew double precision,"
    "  width integer, height integer, dpi integer, text_source text,"
    "  elapsed_ms double precision,"
    "  updated_at timestamptz NOT NULL DEFAULT now(),"
    "  canon text, canon_tsv tsvector, fold_tsv tsvector,"
    "  PRIMARY KEY (doc_id, page_index));"
    "CREATE INDEX pages_fold ON pages USING gin (fold_tsv);"
    /* A failed retry never replaces a page that had succeeded (WHERE of the DO UPDATE). */
    "CREATE FUNCTION sohoa_page_done(p_doc text, p_index integer, p_status text, p_error text,"
    "  p_conf double precision, p_rotation integer, p_skew double precision,"
    "  p_width integer, p_height integer, p_dpi integer, p_source text,"
    "  p_elapsed double precision, p_canon text, p_canon_words text, p_fold_words text,"
    "  OUT remaining integer, OUT you_finish boolean)"
    " LANGUAGE plpgsql AS $f$"
    " DECLARE n integer; done integer;"
    " BEGIN"
    "  you_finish := false;"
    "  SELECT n_pages INTO n FROM documents WHERE id = p_doc FOR NO KEY UPDATE;"
    "  IF NOT FOUND THEN"
    "    RAISE EXCEPTION 'document % is not in the catalog', left(p_doc, 12) USING ERRCODE = "
    "'P0002';"
    "  END IF;"
    "  IF p_index >= n THEN"
    "    RAISE EXCEPTION 'document %: page % is out of range (% pages)', left(p_doc, 12), p_index, "
    "n"
    "      USING ERRCODE = '22023';"
    "  END IF;"
    "  INSERT INTO pages AS p (doc_id, page_index, status, error, mean_conf, rotation, skew,"
    "    width, height, dpi, text_source, elapsed_ms, canon, canon_tsv, fold_tsv)"
    "  VALUES (p_doc, p_index, p_status, p_error, p_conf, p_rotation, p_skew, p_width, p_height,"
    "    p_dpi, p_source, p_elapsed, p_canon, to_tsvector('simple', p_canon_words),"
    "    to_tsvector('simple', p_fold_words))"
    "  ON CONFLICT (doc_id, page_index) DO UPDATE SET status = excluded.status,"
    "    error = excluded.error, mean_conf = excluded.mean_conf, rotation = excluded.rotation,"
    "    skew = excluded.skew, width = excluded.width, height = excluded.height,"
    "    dpi = excluded.dpi, text_source = excluded.text_source,"
    "    elapsed_ms = excluded.elapsed_ms, updated_at = now(), canon = excluded.canon,"
    "    canon_tsv = excluded.canon_tsv, fold_tsv = excluded.fold_tsv"
    "    WHERE excluded.status <> 'failed' OR p.status = 'failed';"
    "  SELECT count(*) INTO done FROM pages WHERE doc_id = p_doc AND page_index < n;"
    "  remaining := greatest(n - done, 0);"
    "  IF remaining = 0 THEN"
    "    UPDATE documents SET status = 'assembling', assembling_at = now(), updated_at = now()"
    "      WHERE id = p_doc AND status = 'processing';"
    "    you_finish := FOUND;"
    "  END IF;"
    " END $f$;",
    /* 2: the document's type and its extracted fields; value_key is the folded value filters
     * compare (sohoa_catalog_field_key), looked up by (name, value_key) */
    "ALTER TABLE documents ADD COLUMN doc_type text;"
    "CREATE INDEX documents_type ON documents (doc_type);"
    "CREATE TABLE fields ("
    "  doc_id text NOT NULL REFERENCES documents (id),"
    "  name text NOT NULL, ordinal integer NOT NULL,"
    "  value text NOT NULL, value_key text NOT NULL, raw text,"
    "  confidence double precision, page integer, source text,"
    "  PRIMARY KEY (doc_id, name));"
    "CREATE INDEX fields_key ON fields (name, value_key, doc_id);",
    /* 3: membership of documents in dossiers as its own relation (a document may belong to many
     * dossiers, and stand twice in one), filled from the documents as they were (where two stood
     * at one position, the later one keeps it); documents.dossier_id, name and ordinal stay as
     * the first dossier that brought the content. The assembler's lease, and the status index
     * the sweepers' stalled() reads through. */
    "CREATE TABLE memberships ("
    "  dossier_id text NOT NULL REFERENCES dossiers (id),"
    "  ordinal integer NOT NULL CHECK (ordinal >= 0),"
    "  doc_id text NOT NULL REFERENCES documents (id),"
    "  name text,"
    "  added_at timestamptz NOT NULL DEFAULT now(),"
    "  PRIMARY KEY (dossier_id, ordinal));"
    "CREATE INDEX memberships_doc ON memberships (doc_id, dossier_id);"
    "INSERT INTO memberships (dossier_id, ordinal, doc_id, name, added_at)"
    "  SELECT dossier_id, ordinal, id, name, created_at FROM documents"
    "  ORDER BY created_at DESC, id ON CONFLICT DO NOTHING;"
    "ALTER TABLE documents ADD COLUMN lease_until timestamptz;"
    "CREATE INDEX documents_status ON documents (status);",
};

const size_t sohoa_pg_n_migrations = sizeof sohoa_pg_migrations / sizeof sohoa_pg_migrations[0];
