/* si-server-storage-pg-private.h — what the files of the PostgreSQL backend share:
 * si-server-storage-pg.c (connection, transactions, accounts, tokens, schema, copy-to) and
 * si-server-storage-pg-rows.c (records: the row primitives of the record algorithm, the feed). */
#pragma once

#include <libpq-fe.h>

#include "si-server-storage-private.h"

G_BEGIN_DECLS

#define RECORD_COLUMNS \
  "id, uid, version, created_at, updated_at, deleted, title, body, pinned, tags, name, colour, collection, device"

#define MAX_PARAMS 16

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* Statement parameters, as text. */
typedef struct {
  const char *values[MAX_PARAMS];
  char        numbers[MAX_PARAMS][24];
  int         n;
} Params;

static inline void
param_int (Params *p,
           gint64  value)
{
  g_assert (p->n < MAX_PARAMS);
  g_snprintf (p->numbers[p->n], sizeof p->numbers[p->n], "%" G_GINT64_FORMAT, value);
  p->values[p->n] = p->numbers[p->n];
  p->n++;
}

/* @text is not copied: it must outlive the statement. NULL is SQL NULL. */
static inline void
param_text (Params     *p,
            const char *text)
{
  g_assert (p->n < MAX_PARAMS);
  p->values[p->n++] = text;
}

static inline void
param_bool (Params   *p,
            gboolean  value)
{
  param_text (p, value ? "t" : "f");
}

static inline gint64
get_int (const PGresult *res,
         int             row,
         int             col)
{
  return g_ascii_strtoll (PQgetvalue (res, row, col), NULL, 10);
}

static inline gboolean
get_bool (const PGresult *res,
          int             row,
          int             col)
{
  return PQgetvalue (res, row, col)[0] == 't';
}

/* Runs @sql (a string literal: it is the key of the prepared statement) with @p on @self (a
 * SiServerStoragePg). Returns the result of a successful statement, or NULL with @error set. */
PGresult    *_si_server_storage_pg_exec_params (gpointer            self,
                                                const char         *sql,
                                                const Params       *p,
                                                const char         *what,
                                                GError            **error);
/* Runs a statement without parameters or results (transaction control, DDL). */
gboolean     _si_server_storage_pg_exec_simple (gpointer            self,
                                                const char         *sql,
                                                const char         *what,
                                                GError            **error);
/* BEGIN; COMMIT (@commit) or ROLLBACK, FALSE when undone. */
gboolean     _si_server_storage_pg_tx_begin    (gpointer            self,
                                                GError            **error);
gboolean     _si_server_storage_pg_tx_end      (gpointer            self,
                                                gboolean            commit,
                                                GError            **error);

/* si-server-storage-pg-rows.c */
extern const SiServerStorageRowOps _si_server_storage_pg_row_ops;
SiWirePage  *_si_server_storage_pg_records_list (SiServerStorage   *storage,
                                                 gint64             account_id,
                                                 SiWireCollection   collection,
                                                 gint64             since,
                                                 guint              limit,
                                                 GError           **error);

G_END_DECLS
