/* si-server-storage-private.h — helpers shared by the storage backends of saveidea-server. */
#pragma once

#include "si-server-storage.h"

G_BEGIN_DECLS

/* Wall-clock ms since the epoch (tombstones' and accounts' times, when a version was written).
 * Tests that link the storage may set it (0: the real clock again). */
gint64  _si_server_storage_now_ms         (void);
void    _si_server_storage_set_now_for_tests (gint64 now_ms);
/* Ideas' tag ids as stored: "12,5,40" in the client's order; "" for none. */
char   *_si_server_storage_tags_to_text   (GArray     *tags);
GArray *_si_server_storage_tags_from_text (const char *text);

/* Rows one write transaction changes at most before it commits and the rest of the work goes
 * on in a new one: a batch's operations (one row each) and a tag delete's idea updates are split
 * into such steps, so that no request holds the database (SQLite) or an account (PostgreSQL)
 * for long. The hidden environment variable SAVEIDEA_SERVER_TEST_TX_ROWS (1..100000) overrides
 * it for tests. */
#define SI_SERVER_STORAGE_TX_ROWS 500
guint   _si_server_storage_tx_rows        (void);
/* Called by a backend after a step of a split write committed, before the next step begins.
 * A test hook: with SAVEIDEA_SERVER_TEST_GATE=FILE it waits (holding no lock) until FILE
 * exists, at most 60 s, so that a test can look at, write to or kill the server in between. */
void    _si_server_storage_step_committed (void);

/* The checks of an update or delete of the stored @current against If-Match (@if_match, -1
 * for none): PRECONDITION_REQUIRED, or PRECONDITION_FAILED moving *@current to *@out_current
 * (if not NULL). @verb: "An update" / "A delete". */
gboolean _si_server_storage_check_precondition (SiWireRecord       **current,
                                                gint64               if_match,
                                                const char          *verb,
                                                SiWireRecord       **out_current,
                                                GError             **error);
/* An update of @current (record @id) to @record: DELETED, or INVALID for another uid. */
gboolean _si_server_storage_check_update      (const SiWireRecord  *current,
                                                const SiWireRecord  *record,
                                                gint64               id,
                                                GError             **error);

/* What the collection rules need from a backend, inside its write. */
typedef struct {
  /* The account's tag @id: *out_found, and whether it is a tombstone. */
  gboolean      (*tag_state)   (gpointer     backend,
                                gint64       account_id,
                                gint64       id,
                                gboolean    *out_found,
                                gboolean    *out_deleted,
                                GError     **error);
  /* The account's live tag with that name key (other than @except_id), or NULL. */
  SiWireRecord *(*tag_by_name) (gpointer     backend,
                                gint64       account_id,
                                const char  *name_key,
                                gint64       except_id,
                                GError     **error);
} SiServerStorageLookups;

/* The collection rules of a new state of @record (record @own_id, 0 for a create): an idea's
 * tags (ids of live tags kept in order in *@out_tags, deleted ones dropped, UNKNOWN_TAG for
 * others); a tag's name (*@out_name_key; NAME_TAKEN with the other tag in *@out_current). */
gboolean _si_server_storage_check_fields      (const SiServerStorageLookups *lookups,
                                                gpointer             backend,
                                                gint64               account_id,
                                                gint64               own_id,
                                                const SiWireRecord  *record,
                                                GArray             **out_tags,
                                                char               **out_name_key,
                                                SiWireRecord       **out_current,
                                                GError             **error);

/* ---------------------------------------------------------------------------------------- */
/* the record algorithm (si-server-storage-records.c) over a backend's row primitives */

/* What a backend supplies: its transactions and its rows, in its SQL. @backend is the backend
 * object; every function runs inside the write that _si_server_storage_write_begin() started. */
typedef struct {
  /* BEGIN (SQLite: IMMEDIATE, after the process's writer turn) and COMMIT (@commit) or
   * ROLLBACK; tx_end() is FALSE when undone. */
  gboolean      (*tx_begin)      (gpointer            backend,
                                  GError            **error);
  gboolean      (*tx_end)        (gpointer            backend,
                                  gboolean            commit,
                                  GError            **error);
  /* A statement without parameters or results: SAVEPOINT, ROLLBACK TO, RELEASE. */
  gboolean      (*exec)          (gpointer            backend,
                                  const char         *sql,
                                  const char         *what,
                                  GError            **error);

  /* The account's next change number (NOT_FOUND for no such account); the writers of one
   * account are serialised from here to the end of the transaction. The record algorithm
   * calls it once per transaction (_si_server_storage_take_version() counts on from there). */
  gint64        (*next_version)  (gpointer            backend,
                                  gint64              account_id,
                                  GError            **error);
  /* Stores @seq as the account's last change number, inside the transaction whose
   * next_version() locked the account, before it commits. */
  gboolean      (*store_version) (gpointer            backend,
                                  gint64              account_id,
                                  gint64              seq,
                                  GError            **error);
  /* Serialises the writers of the account without taking a number; NULL where the
   * transaction already does (SQLite's BEGIN IMMEDIATE). */
  gboolean      (*lock_account)  (gpointer            backend,
                                  gint64              account_id,
                                  GError            **error);
  /* Record @id of the account, or NOT_FOUND; @lock: for update (inside a write). */
  SiWireRecord *(*load)          (gpointer            backend,
                                  gint64              account_id,
                                  SiWireCollection    collection,
                                  gint64              id,
                                  gboolean            lock,
                                  GError            **error);
  /* The account's record with that uid, or NULL (no error) when there is none. */
  SiWireRecord *(*load_by_uid)   (gpointer            backend,
                                  gint64              account_id,
                                  SiWireCollection    collection,
                                  const char         *uid,
                                  GError            **error);
  /* Stores @record at @version with the checked fields (@tags_text for an idea, @name_key for
   * a tag), written (server time) at @written_at, and returns it as stored; NULL without error
   * when the uid is already there. */
  SiWireRecord *(*insert)        (gpointer            backend,
                                  gint64              account_id,
                                  const SiWireRecord *record,
                                  gint64              version,
                                  const char         *tags_text,
                                  const char         *name_key,
                                  gint64              written_at,
                                  GError            **error);
  /* Replaces the fields of record @id (at version @if_match) and returns it as stored; a
   * tombstone becomes live again (an undelete). */
  SiWireRecord *(*update)        (gpointer            backend,
                                  gint64              account_id,
                                  gint64              id,
                                  gint64              if_match,
                                  const SiWireRecord *record,
                                  gint64              version,
                                  const char         *tags_text,
                                  const char         *name_key,
                                  gint64              written_at,
                                  GError            **error);
  /* Makes record @id (at version @if_match) a tombstone: identity and times, no content;
   * @written_at is the time of the deletion. */
  gboolean      (*tombstone)     (gpointer            backend,
                                  gint64              id,
                                  gint64              if_match,
                                  gint64              version,
                                  gint64              updated_at,
                                  gint64              written_at,
                                  GError            **error);
  /* Which tags idea @idea_id has (@fresh: it had none yet). */
  gboolean      (*set_idea_tags) (gpointer            backend,
                                  gint64              idea_id,
                                  GArray             *tags,
                                  gboolean            fresh,
                                  GError            **error);
  /* How many ideas have tag @tag_id, counting up to @up_to. */
  gboolean      (*count_tagged)  (gpointer            backend,
                                  gint64              tag_id,
                                  guint               up_to,
                                  guint              *out_count,
                                  GError            **error);
  /* The cascade's set-based step: removes tag @tag_id from the first @count ideas (in id
   * order) that have it, each with the next change number. */
  gboolean      (*untag_ideas)   (gpointer            backend,
                                  gint64              account_id,
                                  gint64              tag_id,
                                  guint               count,
                                  GError            **error);

  /* history (si-server-storage-history.c) */

  /* Copies idea @id's live row into its kept versions (its version, content, device and the
   * time it was written, @now when that is not known). */
  gboolean      (*history_save)  (gpointer            backend,
                                  gint64              account_id,
                                  gint64              id,
                                  gint64              now,
                                  GError            **error);
  /* Idea @id's kept versions with version < @before (0: all), newest first, at most @limit:
   * idea records with version, updated_at, device and content. */
  GPtrArray    *(*history_list)  (gpointer            backend,
                                  gint64              account_id,
                                  gint64              id,
                                  gint64              before,
                                  guint               limit,
                                  GError            **error);
  /* Removes every kept version of idea @id. */
  gboolean      (*history_purge) (gpointer            backend,
                                  gint64              account_id,
                                  gint64              id,
                                  GError            **error);
  /* The account's deleted ideas (@id: only that one, 0: all) deleted at or after
   * @deleted_since with a kept version, tombstone version < @before (0: all), newest first,
   * at most @limit: #SiWireTrashEntry with the newest kept version's content. */
  GPtrArray    *(*trash_list)    (gpointer            backend,
                                  gint64              account_id,
                                  gint64              id,
                                  gint64              deleted_since,
                                  gint64              before,
                                  guint               limit,
                                  GError            **error);
  /* Pruning: the #SiServerHistoryMeta of the account's kept versions of the ideas with id >
   * @after_idea, whole ideas, about @max_rows rows (more when one idea has more), by idea and
   * newest version first. */
  GArray       *(*history_meta)  (gpointer            backend,
                                  gint64              account_id,
                                  gint64              after_idea,
                                  guint               max_rows,
                                  GError            **error);
  /* The account's kept versions oldest first (written_at, then row id) after (@after_written,
   * @after_row), at most @limit, with `protected` set for the newest kept version of an idea
   * deleted at or after @trash_since. */
  GArray       *(*history_oldest) (gpointer           backend,
                                   gint64             account_id,
                                   gint64             after_written,
                                   gint64             after_row,
                                   gint64             trash_since,
                                   guint              limit,
                                   GError           **error);
  /* What the account's kept versions count towards the cap. */
  gboolean      (*history_bytes) (gpointer            backend,
                                  gint64              account_id,
                                  guint64            *out_bytes,
                                  GError            **error);
  /* Removes the kept versions with these row ids (#gint64). */
  gboolean      (*history_delete) (gpointer           backend,
                                   GArray            *row_ids,
                                   GError           **error);
  /* Outside any transaction, after a purge: makes removed content unreadable in the files
   * (SQLite: a WAL checkpoint that truncates the log). NULL when there is nothing to do. */
  gboolean      (*scrub)         (gpointer            backend,
                                  GError            **error);

  SiServerStorageLookups lookups;
} SiServerStorageRowOps;

/* One kept version, as pruning sees it (no content). */
typedef struct {
  gint64   row_id;
  gint64   idea_id;
  gint64   version;
  gint64   written_at;
  gint64   bytes;
  gint64   deleted_at;  /* the idea's deletion (server time), 0 while it is live */
  gboolean protected;   /* history_oldest(): the trash's content */
} SiServerHistoryMeta;

/* The policy's cut-offs as of @now (si-server-storage-history.c); exposed for the records. */
const SiServerHistoryPolicy *_si_server_storage_history_policy (void);
/* Content was removed outside a purge: the next pruning pass makes it unreadable in the files
 * (the backend's scrub()). */
void    _si_server_storage_history_scrub_later (void);

/* Each backend object holds one, made by _si_server_storage_rows_init(), and returns it from
 * the interface's rows(). */
struct _SiServerStorageRows {
  const SiServerStorageRowOps *ops;
  gpointer                     backend;
  guint                        batch_depth; /* > 0 between begin() and commit()/rollback() */
  guint                        tx_rows;     /* rows changed in the open transaction */
  /* The change numbers of the open transaction: the last one taken for seq_account (0: none
   * taken yet), and the one stored in its row (next_version() or store_version()); the same
   * two as they were at the open savepoint, given back when it is undone. */
  gint64                       seq_account;
  gint64                       seq;
  gint64                       seq_stored;
  gint64                       savepoint_seq;
  gint64                       savepoint_seq_stored;
};

void     _si_server_storage_rows_init       (SiServerStorageRows          *rows,
                                             const SiServerStorageRowOps  *ops,
                                             gpointer                      backend);
/* One atomic write: a transaction, or a savepoint inside a batch (whose transaction is
 * committed first when it holds enough rows). write_end() commits (@commit) or undoes it and is
 * FALSE when undone. The backends' account and token writes use them too. */
gboolean _si_server_storage_write_begin     (SiServerStorageRows          *rows,
                                             GError                      **error);
gboolean _si_server_storage_write_end       (SiServerStorageRows          *rows,
                                             gboolean                      commit,
                                             GError                      **error);
/* Inside a write: the account's next change number (0 with @error when there is none). The
 * first in a transaction locks the account's row and takes it there (next_version()); the
 * others of the same transaction count on in memory, and the last is stored once before the
 * transaction commits, so the numbers of one transaction are contiguous and a write that is
 * undone gives its number back. */
gint64   _si_server_storage_take_version    (SiServerStorageRows          *rows,
                                             gint64                        account_id,
                                             GError                      **error);

/* ---------------------------------------------------------------------------------------- */
/* copy-to (si-server-copy.c): a SQLite database read as rows, written into PostgreSQL */

/* One row: the columns' values as text (NULL for SQL NULL). FALSE with @error stops. */
typedef gboolean (*SiServerStorageRowFunc) (const char * const  *values,
                                            guint                n_values,
                                            gpointer             user_data,
                                            GError             **error);

/* si-server-storage-sqlite.c: opens DIR/server.db, which must exist, and keeps it to itself
 * until the object is finalized; IN_USE if another process (a running server) has it open. */
SiServerStorage *_si_server_storage_sqlite_open_alone (const char              *data_dir,
                                                       GError                 **error);
/* Runs @sql (a SELECT) and calls @func on each row. */
gboolean         _si_server_storage_sqlite_read       (SiServerStorage         *storage,
                                                       const char              *sql,
                                                       SiServerStorageRowFunc   func,
                                                       gpointer                 user_data,
                                                       GError                 **error);

/* After a copy: a server (or a `user` command) refuses to open the database from now on. */
gboolean         _si_server_storage_sqlite_mark_moved (SiServerStorage         *storage,
                                                       GError                 **error);

/* si-server-storage-pg.c: connects to an empty database (no tables, or only the schema of a
 * server that never had an account: NOT_EMPTY otherwise; IN_USE while a saveidea-server is
 * connected to it), starts the one transaction of the copy and creates the schema in it
 * without an instance id. Finalizing the object before _finish_copy() rolls it all back. */
SiServerStorage *_si_server_storage_pg_open_empty     (const char              *conninfo,
                                                       GError                 **error);
/* COPY @table (@columns) FROM STDIN: begin, then data in COPY's text format, then end. */
gboolean         _si_server_storage_pg_copy_begin     (SiServerStorage         *storage,
                                                       const char              *table,
                                                       const char              *columns,
                                                       GError                 **error);
gboolean         _si_server_storage_pg_copy_data      (SiServerStorage         *storage,
                                                       const char              *data,
                                                       gsize                    length,
                                                       GError                 **error);
gboolean         _si_server_storage_pg_copy_end       (SiServerStorage         *storage,
                                                       GError                 **error);
/* Checks that the copied instance id is @instance_id, moves the id sequences past the copied
 * ids, sets the schema version and commits. */
gboolean         _si_server_storage_pg_finish_copy    (SiServerStorage         *storage,
                                                       const char              *instance_id,
                                                       GError                 **error);

G_END_DECLS
