/* catalog_pg_schema.h — the PostgreSQL catalog's schema as data: its migrations, in order.
 *
 * Private to the PostgreSQL backend (catalog_pg.c applies them; catalog_pg_schema.c holds them).
 * Ownership: static strings. Threads: read-only data, any thread.
 */
#ifndef SOHOA_CATALOG_PG_SCHEMA_H
#define SOHOA_CATALOG_PG_SCHEMA_H

#include <stddef.h>

/* sohoa_pg_migrations[i] takes the schema from version i to i + 1 (several statements). */
extern const char *const sohoa_pg_migrations[];
extern const size_t sohoa_pg_n_migrations;

#endif
