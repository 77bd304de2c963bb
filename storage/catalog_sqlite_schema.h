/* catalog_sqlite_schema.h — the SQLite catalog's schema as data: its migrations, in order.
 *
 * Private to the SQLite backend (catalog_sqlite_schema.c holds and applies them); also read by the
 * tests that build an old catalog to migrate. Ownership: static strings. Threads: read-only data,
 * any thread.
 */
#ifndef SOHOA_CATALOG_SQLITE_SCHEMA_H
#define SOHOA_CATALOG_SQLITE_SCHEMA_H

#include <stddef.h>

/* sohoa_sqlite_migrations[i] takes the schema from version i to i + 1 (several statements; the
 * schema_version table is sq_migrate's, not theirs). */
extern const char *const sohoa_sqlite_migrations[];
extern const size_t sohoa_sqlite_n_migrations;

#endif
