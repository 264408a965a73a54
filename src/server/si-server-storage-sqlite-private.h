/* si-server-storage-sqlite-private.h — what the SQLite backend's files share: the connection
 * object and the statement helpers (si-server-storage-sqlite.c), the row primitives of records
 * and the feed (si-server-storage-sqlite-rows.c), and the row primitives of kept versions
 * (si-server-storage-sqlite-history.c). */
#pragma once

#include <sqlite3.h>

#include "si-server-storage-private.h"

G_BEGIN_DECLS

#define BUSY_TIMEOUT_MS 5000

#define RECORD_COLUMNS \
  "id, uid, version, created_at, updated_at, deleted, title, body, pinned, tags, name, colour, device"

struct _SiServerStorageSqlite
{
  GObject     parent_instance;

  sqlite3    *db;
  char       *path;
  char       *instance_id;
  GHashTable *statements;   /* const char *sql (static) -> sqlite3_stmt * */
  SiServerStorageRows rows; /* the record algorithm's state (si-server-storage-records.c) */
  gboolean    has_turn;     /* holds the process's writer turn (turn_take()) */
};

#define SI_TYPE_SERVER_STORAGE_SQLITE (si_server_storage_sqlite_get_type ())
G_DECLARE_FINAL_TYPE (SiServerStorageSqlite, si_server_storage_sqlite, SI, SERVER_STORAGE_SQLITE, GObject)

/* Sets @error from the connection's last error while doing @what; FALSE. */
gboolean      _si_sqlite_db_error         (SiServerStorageSqlite  *self,
                                           GError                **error,
                                           const char             *what);
/* The cached statement for @sql (a static string), reset and unbound; NULL with @error. */
sqlite3_stmt *_si_sqlite_stmt             (SiServerStorageSqlite  *self,
                                           const char             *sql,
                                           GError                **error);
void          _si_sqlite_stmt_done        (sqlite3_stmt           *s);
/* Steps @s to its end and resets it. */
gboolean      _si_sqlite_exec_stmt        (SiServerStorageSqlite  *self,
                                           sqlite3_stmt           *s,
                                           const char             *what,
                                           GError                **error);
const char   *_si_sqlite_column_text      (sqlite3_stmt           *s,
                                           int                     col);
/* A record from a row of RECORD_COLUMNS. */
SiWireRecord *_si_sqlite_record_from_row  (sqlite3_stmt           *s,
                                           SiWireCollection        collection);

/* si-server-storage-sqlite-rows.c: the row primitives of the record algorithm, and the feed. */
extern const SiServerStorageRowOps _si_sqlite_row_ops;
SiWirePage   *_si_sqlite_records_list     (SiServerStorage        *storage,
                                           gint64                  account_id,
                                           SiWireCollection        collection,
                                           gint64                  since,
                                           guint                   limit,
                                           GError                **error);

/* Row primitives of kept versions (SiServerStorageRowOps). */
gboolean _si_sqlite_history_save (gpointer   backend,
                                  gint64     account_id,
                                  gint64     id,
                                  gint64     now,
                                  GError   **error);
GPtrArray *_si_sqlite_history_list (gpointer   backend,
                                    gint64     account_id,
                                    gint64     id,
                                    gint64     before,
                                    guint      limit,
                                    GError   **error);
gboolean _si_sqlite_history_purge (gpointer   backend,
                                   gint64     account_id,
                                   gint64     id,
                                   GError   **error);
GPtrArray *_si_sqlite_trash_list (gpointer   backend,
                                  gint64     account_id,
                                  gint64     id,
                                  gint64     deleted_since,
                                  gint64     before,
                                  guint      limit,
                                  GError   **error);
GArray *_si_sqlite_history_meta (gpointer   backend,
                                 gint64     account_id,
                                 gint64     after_idea,
                                 guint      max_rows,
                                 GError   **error);
GArray *_si_sqlite_history_oldest (gpointer   backend,
                                   gint64     account_id,
                                   gint64     after_written,
                                   gint64     after_row,
                                   gint64     trash_since,
                                   guint      limit,
                                   GError   **error);
gboolean _si_sqlite_history_bytes (gpointer   backend,
                                   gint64     account_id,
                                   guint64   *out_bytes,
                                   GError   **error);
gboolean _si_sqlite_history_delete (gpointer   backend,
                                    GArray    *row_ids,
                                    GError   **error);
gboolean _si_sqlite_scrub (gpointer   backend,
                           GError   **error);

G_END_DECLS
