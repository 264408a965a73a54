/* si-store-private.h — what the parts of libsaveidea share about the offline store.
 *
 * The sync engine applies server data and keeps its cursors through these; nothing outside
 * src/core includes this header.
 */
#pragma once

#include <sqlite3.h>

#include "si-store.h"

G_BEGIN_DECLS

#define SI_STORE_SCHEMA_VERSION 2

gboolean      _si_store_migrate          (sqlite3     *db,
                                          GError     **error);

sqlite3      *_si_store_get_db           (SiStore     *self);
sqlite3_stmt *_si_store_prepare          (SiStore     *self,
                                          const char  *sql,
                                          GError     **error);
gboolean      _si_store_begin            (SiStore     *self,
                                          GError     **error);
gboolean      _si_store_commit           (SiStore     *self,
                                          GError     **error);
void          _si_store_rollback         (SiStore     *self);
gboolean      _si_store_set_error        (SiStore     *self,
                                          int          rc,
                                          const char  *what,
                                          GError     **error);
gboolean      _si_store_step_done        (SiStore      *self,
                                          sqlite3_stmt *stmt,
                                          const char   *what,
                                          GError      **error);

char         *_si_store_get_meta         (SiStore     *self,
                                          const char  *key);
gboolean      _si_store_set_meta         (SiStore     *self,
                                          const char  *key,
                                          const char  *value,
                                          GError     **error);

void          _si_outbox_entry_clear     (gpointer     entry);

G_END_DECLS
