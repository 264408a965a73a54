/* si-server-storage.h — what saveidea-server needs from a database.
 *
 * One small interface: accounts, tokens, records and each account's change sequence. SQLite
 * (si-server-storage-sqlite.c) is the default; PostgreSQL (si-server-storage-pg.c) implements
 * the same vfuncs. The record writes and transactions are written once, in
 * si-server-storage-records.c, over each backend's row primitives. One object is one database connection: its calls are synchronous, and it is
 * used by one thread at a time (the server keeps a pool of them, one per worker thread).
 *
 * Contract for every backend:
 *  - Each record write (create, update, delete) is atomic: it allocates the account's next
 *    change number inside the same transaction as the change, and either all of it is stored
 *    or nothing is. Once it returns, the change is durable.
 *  - Between begin() and commit() the writes are part of one transaction, which the backend
 *    commits and begins again whenever it holds SI_SERVER_STORAGE_TX_ROWS changed rows (a
 *    batch in bounded steps); a write that fails undoes only itself (a savepoint), the others
 *    stay. rollback() undoes what was written since the last such step.
 *  - No transaction changes much more than SI_SERVER_STORAGE_TX_ROWS rows, so none holds the
 *    database (SQLite) or an account (PostgreSQL) for long: longer writes go in steps.
 *  - Records of one account are never visible to another: every record call takes the
 *    account id, and an id from another account is %SI_SERVER_STORAGE_ERROR_NOT_FOUND.
 *  - Several connections (threads, processes, server instances) may write at once: a change
 *    numbered N is visible before any reader can see a change numbered above N (writers of
 *    one account are serialised by the counter row), so paging with `since=` skips nothing.
 *  - A lost database connection is %SI_SERVER_STORAGE_ERROR_UNAVAILABLE and undoes the whole
 *    transaction; the connection is re-opened, with backoff, by a later call.
 */
#pragma once

#include <gio/gio.h>

#include "si-wire.h"
#include "si-wire-history.h"

G_BEGIN_DECLS

#define SI_SERVER_STORAGE_ERROR (si_server_storage_error_quark ())

/**
 * SiServerStorageError:
 * @SI_SERVER_STORAGE_ERROR_FAILED: the database failed (I/O, corruption, full disk)
 * @SI_SERVER_STORAGE_ERROR_NOT_FOUND: no such account, or no such record in this account
 * @SI_SERVER_STORAGE_ERROR_EXISTS: the account name is taken
 * @SI_SERVER_STORAGE_ERROR_PRECONDITION_REQUIRED: an update or delete without a base version
 * @SI_SERVER_STORAGE_ERROR_PRECONDITION_FAILED: the base version is not the current one;
 *   *out_current is set
 * @SI_SERVER_STORAGE_ERROR_DELETED: an update of a deleted record at its current version
 * @SI_SERVER_STORAGE_ERROR_NAME_TAKEN: a live tag of the account has that name;
 *   *out_current is that tag
 * @SI_SERVER_STORAGE_ERROR_UNKNOWN_TAG: an idea names a tag id that never was the account's
 * @SI_SERVER_STORAGE_ERROR_INVALID: the request contradicts the stored record (another uid)
 * @SI_SERVER_STORAGE_ERROR_NEWER_SCHEMA: the database was made by a newer server
 * @SI_SERVER_STORAGE_ERROR_UNAVAILABLE: the database cannot be reached right now (connection
 *   lost, server restarting); nothing was changed; try again after
 *   si_server_storage_get_retry_after() seconds
 * @SI_SERVER_STORAGE_ERROR_IN_USE: another process (a running server) holds the database that
 *   a copy needs to itself
 * @SI_SERVER_STORAGE_ERROR_NOT_EMPTY: the target of a copy already holds data
 * @SI_SERVER_STORAGE_ERROR_NOT_DELETED: an undelete or purge of a live idea; *out_current is set
 * @SI_SERVER_STORAGE_ERROR_GONE: an undelete of an idea whose content is no longer kept (purged,
 *   or deleted longer ago than the trash period)
 */
typedef enum {
  SI_SERVER_STORAGE_ERROR_FAILED,
  SI_SERVER_STORAGE_ERROR_NOT_FOUND,
  SI_SERVER_STORAGE_ERROR_EXISTS,
  SI_SERVER_STORAGE_ERROR_PRECONDITION_REQUIRED,
  SI_SERVER_STORAGE_ERROR_PRECONDITION_FAILED,
  SI_SERVER_STORAGE_ERROR_DELETED,
  SI_SERVER_STORAGE_ERROR_NAME_TAKEN,
  SI_SERVER_STORAGE_ERROR_UNKNOWN_TAG,
  SI_SERVER_STORAGE_ERROR_INVALID,
  SI_SERVER_STORAGE_ERROR_NEWER_SCHEMA,
  SI_SERVER_STORAGE_ERROR_UNAVAILABLE,
  SI_SERVER_STORAGE_ERROR_IN_USE,
  SI_SERVER_STORAGE_ERROR_NOT_EMPTY,
  SI_SERVER_STORAGE_ERROR_NOT_DELETED,
  SI_SERVER_STORAGE_ERROR_GONE,
} SiServerStorageError;

GQuark si_server_storage_error_quark (void);

/* records_list() of both collections at once. */
#define SI_SERVER_STORAGE_ALL_COLLECTIONS ((SiWireCollection) 0)

#define SI_SERVER_TOKEN_HASH_LEN 64 /* hex characters of a SHA-256 */

/* A backend's transactions and row primitives (si-server-storage-private.h). */
typedef struct _SiServerStorageRows SiServerStorageRows;

#define SI_TYPE_SERVER_STORAGE (si_server_storage_get_type ())
G_DECLARE_INTERFACE (SiServerStorage, si_server_storage, SI, SERVER_STORAGE, GObject)

struct _SiServerStorageInterface
{
  GTypeInterface parent_iface;

  const char   *(*get_instance_id)      (SiServerStorage   *self);
  guint         (*get_retry_after)      (SiServerStorage   *self);

  /* accounts */
  gboolean      (*account_add)          (SiServerStorage   *self,
                                         const char        *name,
                                         const char        *password_hash,
                                         GError           **error);
  char         *(*account_lookup)       (SiServerStorage   *self,
                                         const char        *name,
                                         gint64            *out_account_id,
                                         GError           **error);
  char        **(*account_list)         (SiServerStorage   *self,
                                         GError           **error);
  gboolean      (*account_delete)       (SiServerStorage   *self,
                                         const char        *name,
                                         GError           **error);
  gboolean      (*account_set_password) (SiServerStorage   *self,
                                         const char        *name,
                                         const char        *password_hash,
                                         GError           **error);

  /* tokens (only their hashes) */
  gboolean      (*token_add)            (SiServerStorage   *self,
                                         gint64             account_id,
                                         const char        *token_hash,
                                         GError           **error);
  gint64        (*token_lookup)         (SiServerStorage   *self,
                                         const char        *token_hash,
                                         GError           **error);
  gboolean      (*token_revoke)         (SiServerStorage   *self,
                                         const char        *token_hash,
                                         GError           **error);

  /* transactions and record writes: the record algorithm (si-server-storage-records.c) runs
   * them over the backend's row primitives (si-server-storage-private.h) */
  SiServerStorageRows *(*rows)          (SiServerStorage   *self);

  /* records */
  SiWirePage   *(*records_list)         (SiServerStorage    *self,
                                         gint64              account_id,
                                         SiWireCollection    collection,
                                         gint64              since,
                                         guint               limit,
                                         GError            **error);
};

/* The UUID made when the database was created (shared by every instance that uses it). */
const char   *si_server_storage_get_instance_id      (SiServerStorage *self);
/* After an UNAVAILABLE error: in how many seconds (≥ 1) the connection will be tried again. */
guint         si_server_storage_get_retry_after      (SiServerStorage *self);

/* Account names: 1 to SI_SERVER_ACCOUNT_NAME_MAX_CHARS characters of UTF-8, without spaces,
 * control characters, "/" or ":". Checked before any work that grows with the name. */
#define SI_SERVER_ACCOUNT_NAME_MAX_CHARS 64
gboolean      si_server_account_name_is_valid        (const char      *name);
/* The form under which two names are the same account: both backends match names without
 * regard to ASCII case (SQLite COLLATE NOCASE, PostgreSQL lower(name COLLATE "C")), and
 * whatever else is keyed by account name (login throttling) must use this. Newly allocated. */
char         *si_server_account_name_fold            (const char      *name);

gboolean      si_server_storage_account_add          (SiServerStorage *self,
                                                      const char      *name,
                                                      const char      *password_hash,
                                                      GError         **error);
/* Returns the Argon2id hash string and sets *out_account_id; NOT_FOUND for no such account. */
char         *si_server_storage_account_lookup       (SiServerStorage *self,
                                                      const char      *name,
                                                      gint64          *out_account_id,
                                                      GError         **error);
/* Sorted names. */
char        **si_server_storage_account_list         (SiServerStorage *self,
                                                      GError         **error);
/* Deletes the account, its tokens and all its records. */
gboolean      si_server_storage_account_delete       (SiServerStorage *self,
                                                      const char      *name,
                                                      GError         **error);
/* Sets the password hash and revokes every token of the account. */
gboolean      si_server_storage_account_set_password (SiServerStorage *self,
                                                      const char      *name,
                                                      const char      *password_hash,
                                                      GError         **error);

gboolean      si_server_storage_token_add            (SiServerStorage *self,
                                                      gint64           account_id,
                                                      const char      *token_hash,
                                                      GError         **error);
/* Returns the account id, or 0 (no error) for an unknown token. */
gint64        si_server_storage_token_lookup         (SiServerStorage *self,
                                                      const char      *token_hash,
                                                      GError         **error);
gboolean      si_server_storage_token_revoke         (SiServerStorage *self,
                                                      const char      *token_hash,
                                                      GError         **error);

gboolean      si_server_storage_begin                (SiServerStorage *self,
                                                      GError         **error);
gboolean      si_server_storage_commit               (SiServerStorage *self,
                                                      GError         **error);
void          si_server_storage_rollback             (SiServerStorage *self);

/* A record of the account (tombstones included), or NOT_FOUND. */
SiWireRecord *si_server_storage_record_get           (SiServerStorage    *self,
                                                      gint64              account_id,
                                                      SiWireCollection    collection,
                                                      gint64              id,
                                                      GError            **error);
/* Creates @record (its collection, uid, times and fields). If the account already has a record
 * of that collection with that uid, returns it unchanged with *out_created FALSE. Errors:
 * NAME_TAKEN (with *out_current), UNKNOWN_TAG. Ideas' tags naming deleted tags are dropped. */
SiWireRecord *si_server_storage_record_create        (SiServerStorage    *self,
                                                      gint64              account_id,
                                                      const SiWireRecord *record,
                                                      gboolean           *out_created,
                                                      SiWireRecord      **out_current,
                                                      GError            **error);
/* Replaces the fields of record @id with @record's if @if_match (-1: none) is its version.
 * Errors: NOT_FOUND, PRECONDITION_REQUIRED, PRECONDITION_FAILED (*out_current), DELETED,
 * NAME_TAKEN (*out_current), UNKNOWN_TAG, INVALID. */
SiWireRecord *si_server_storage_record_update        (SiServerStorage    *self,
                                                      gint64              account_id,
                                                      gint64              id,
                                                      gint64              if_match,
                                                      const SiWireRecord *record,
                                                      SiWireRecord      **out_current,
                                                      GError            **error);
/* Makes record @id a tombstone. An already deleted record is returned as it is with
 * *out_changed FALSE, whatever @if_match. Deleting a tag removes it from the account's ideas,
 * each of which gets a new version: in steps of SI_SERVER_STORAGE_TX_ROWS ideas, each committed
 * with the tag still live (@if_match checked again in each), the tombstone in the last one; an
 * interrupted delete leaves ideas without the tag and the tag live, and the same call again
 * finishes it. Errors: NOT_FOUND, PRECONDITION_REQUIRED, PRECONDITION_FAILED (*out_current). */
SiWireRecord *si_server_storage_record_delete        (SiServerStorage    *self,
                                                      gint64              account_id,
                                                      SiWireCollection    collection,
                                                      gint64              id,
                                                      gint64              if_match,
                                                      gboolean           *out_changed,
                                                      SiWireRecord      **out_current,
                                                      GError            **error);
/* Records and tombstones of @collection (or of both collections for
 * %SI_SERVER_STORAGE_ALL_COLLECTIONS: GET /api/v1/changes) with version > @since, in version
 * order, at most @limit. page->more tells whether more follow; page->cursor is the last
 * record's version when more follow, else the account's current change number. */
SiWirePage   *si_server_storage_records_list         (SiServerStorage    *self,
                                                      gint64              account_id,
                                                      SiWireCollection    collection,
                                                      gint64              since,
                                                      guint               limit,
                                                      GError            **error);

/* ---------------------------------------------------------------------------------------- */
/* history and trash (si-server-storage-history.c; docs/protocol.md, "History and trash") */

#define SI_SERVER_HISTORY_DAYS_DEFAULT 30
#define SI_SERVER_HISTORY_MAX_MIB_DEFAULT 256
#define SI_SERVER_TRASH_DAYS_DEFAULT 30
/* Older versions than --history-days are thinned to one a day (the newest of each UTC day) up
 * to this age, and dropped beyond it. */
#define SI_SERVER_HISTORY_DAILY_DAYS 365
/* What a kept version counts towards the cap beyond its title, body, tags and device. */
#define SI_SERVER_HISTORY_ROW_OVERHEAD 64

/**
 * SiServerHistoryPolicy:
 * @history_days: every earlier version is kept this many days (by the server's time of the
 *   write), then the newest of each UTC day up to %SI_SERVER_HISTORY_DAILY_DAYS; 0 keeps no
 *   earlier versions at all (an update saves none; only the trash's content is kept)
 * @trash_days: a deleted idea's last content is kept (and restorable) this long; 0: a delete
 *   drops the content at once, as purge does
 * @max_bytes: per account, the most the kept versions may count (content bytes plus
 *   %SI_SERVER_HISTORY_ROW_OVERHEAD each); 0: no cap
 *
 * Process-wide: set once before serving (saveidea-server's options).
 */
typedef struct {
  guint   history_days;
  guint   trash_days;
  guint64 max_bytes;
} SiServerHistoryPolicy;

void          si_server_storage_set_history_policy   (const SiServerHistoryPolicy *policy);
void          si_server_storage_get_history_policy   (SiServerHistoryPolicy       *out_policy);

/* The kept versions of idea @id (the live one first, unless it is a tombstone), newest first,
 * with version < @before (0: all), at most @limit. NOT_FOUND for an id that is not an idea of
 * the account. */
SiWireHistoryPage *si_server_storage_history_list    (SiServerStorage    *self,
                                                      gint64              account_id,
                                                      gint64              id,
                                                      gint64              before,
                                                      guint               limit,
                                                      GError            **error);
/* The account's ideas deleted within the trash period whose content is kept, newest deletion
 * first, with tombstone version < @before (0: all), at most @limit. */
SiWireTrashPage   *si_server_storage_trash_list      (SiServerStorage    *self,
                                                      gint64              account_id,
                                                      gint64              before,
                                                      guint               limit,
                                                      GError            **error);
/* Revives deleted idea @id (at tombstone version @if_match) with the content of its last live
 * version, as a new version. Errors: NOT_FOUND, PRECONDITION_REQUIRED, PRECONDITION_FAILED
 * (*out_current), NOT_DELETED (*out_current), GONE. */
SiWireRecord      *si_server_storage_record_undelete (SiServerStorage    *self,
                                                      gint64              account_id,
                                                      gint64              id,
                                                      gint64              if_match,
                                                      SiWireRecord      **out_current,
                                                      GError            **error);
/* Removes every kept version of deleted idea @id (the tombstone stays), and makes the bytes
 * unreadable in the database's files where the backend can (SQLite: secure_delete and a WAL
 * checkpoint). Purging again succeeds. Errors: NOT_FOUND, NOT_DELETED (*out_current). */
gboolean           si_server_storage_record_purge    (SiServerStorage    *self,
                                                      gint64              account_id,
                                                      gint64              id,
                                                      SiWireRecord      **out_current,
                                                      GError            **error);
/* Applies the policy to the account's kept versions as of @now_ms, in small transactions:
 * drops what it no longer keeps (docs/protocol.md says what it keeps). *out_dropped (may be
 * NULL): how many versions went. */
gboolean           si_server_storage_history_prune   (SiServerStorage    *self,
                                                      gint64              account_id,
                                                      gint64              now_ms,
                                                      guint64            *out_dropped,
                                                      GError            **error);
/* Every account's, then what a failed purge left in the files. */
gboolean           si_server_storage_history_prune_all (SiServerStorage  *self,
                                                        gint64            now_ms,
                                                        GCancellable     *cancellable,
                                                        GError          **error);

/* si-server-storage-sqlite.c: opens (creating if needed) DIR/server.db; FAILED for one that
 * copy-to moved to PostgreSQL (si-server-copy.h). */
SiServerStorage *si_server_storage_sqlite_open (const char  *data_dir,
                                                GError     **error);
/* si-server-storage-pg.c: connects to a PostgreSQL database (a libpq URI or "key=value"
 * string), creating or migrating the schema. Fails if the first connection fails. */
SiServerStorage *si_server_storage_pg_open     (const char  *conninfo,
                                                GError     **error);
/* @database: a postgresql:// URI (or "postgres://"), or NULL for SQLite in @data_dir. */
SiServerStorage *si_server_storage_open        (const char  *database,
                                                const char  *data_dir,
                                                GError     **error);

G_END_DECLS
