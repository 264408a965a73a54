/* si-store-private.h — what the parts of libsaveidea share about the offline store.
 *
 * The sync engine applies server data and keeps its cursors through these; nothing outside
 * src/core includes this header.
 */
#pragma once

#include <sqlite3.h>

#include "si-record-private.h"
#include "si-store.h"

G_BEGIN_DECLS

#define SI_STORE_SCHEMA_VERSION 11

/* A record's sync state (SiSyncState) as SQL text: the store's statements are built from these,
 * never from a bare number. Literals rather than parameters, so that SQLite can still use the
 * partial indexes whose WHERE names a state (ideas_order, ideas_dirty, ...). */
#define _SI_SQL_NUMBER(n)    #n
#define _SI_SQL_STRINGIFY(n) _SI_SQL_NUMBER (n)
#define SI_SQL_SYNCED   _SI_SQL_STRINGIFY (SI_SYNC_STATE_SYNCED_VALUE)
#define SI_SQL_CREATED  _SI_SQL_STRINGIFY (SI_SYNC_STATE_CREATED_VALUE)
#define SI_SQL_MODIFIED _SI_SQL_STRINGIFY (SI_SYNC_STATE_MODIFIED_VALUE)
#define SI_SQL_DELETED  _SI_SQL_STRINGIFY (SI_SYNC_STATE_DELETED_VALUE)

gboolean      _si_store_migrate          (sqlite3     *db,
                                          GError     **error);
/* si-store-search-index.c: the SQL functions the schema's triggers call (si_cjk_grams (),
 * si_has_cjk ()) and the collation si_natural; registered on a connection before it migrates
 * or writes ideas. @store: the SiStore whose connection @db is, or NULL (none of them needs it
 * since schema 10 took si_bulk_page () out). */
gboolean      _si_store_register_text_functions (sqlite3 *db,
                                                 SiStore *store);
/* si-collection.c: si_idea_base () and si_tag_base (), which the own-base triggers (schema 11)
 * call to write a synced record's merge base with the wire codec's writer. */
gboolean      _si_collection_register_sql_functions (sqlite3 *db);
/* Opens a connection to the notebook at @path (sqlite3_open_v2() with @flags) with every SQL
 * function of the schema's triggers registered (the two sets above; @store as for
 * _si_store_register_text_functions()). Every connection to a notebook is opened here. Returns
 * SQLite's code; *@out_db is set as sqlite3_open_v2() sets it (the caller closes it, also after
 * an error). */
int           _si_store_open_connection  (const char  *path,
                                          int          flags,
                                          SiStore     *store,
                                          sqlite3    **out_db);
/* The trigger that indexed a new idea's CJK grams, up to schema 7. */
#define SI_CJK_INSERT_TRIGGER "ideas_cjk_insert"

sqlite3      *_si_store_get_db           (SiStore     *self);
sqlite3_stmt *_si_store_prepare          (SiStore     *self,
                                          const char  *sql,
                                          GError     **error);
gboolean      _si_store_begin_read       (SiStore     *self,
                                          GError     **error);
gboolean      _si_store_begin            (SiStore     *self,
                                          GError     **error);
gboolean      _si_store_commit           (SiStore     *self,
                                          GError     **error);
void          _si_store_rollback         (SiStore     *self);
void          _si_store_save_pending     (SiStore     *self,
                                          GPtrArray   *records);
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
gboolean      _si_store_meta_may_have    (SiStore     *self,
                                          const char  *prefix);
gboolean      _si_store_add_meta         (SiStore     *self,
                                          const char  *key,
                                          const char  *value,
                                          gboolean    *out_added,
                                          GError     **error);

void          _si_outbox_entry_clear     (gpointer     entry);
/* The first column of @sql's first row with ?1 bound to @value, 0 when there is none. */
gint64        _si_store_query_id         (SiStore     *self,
                                          const char  *sql,
                                          gint64       value);
/* Runs @sql with its parameters bound in order, by @types: 'i' a gint64, 's' a string (NULL:
 * SQL NULL). */
gboolean      _si_store_exec_bind        (SiStore     *self,
                                          const char  *sql,
                                          GError     **error,
                                          const char  *types,
                                          ...);

/* Shared by the store's files (si-store.c, si-store-ideas.c, si-store-tags.c,
 * si-store-search.c). */
typedef enum {
  SI_STORE_FIELD_TITLE,        /* at most SI_TITLE_MAX_CHARS characters */
  SI_STORE_FIELD_BODY,         /* at most SI_BODY_MAX_BYTES bytes */
  SI_STORE_FIELD_TAG_NAME,     /* at most SI_TAG_NAME_MAX_CHARS characters */
} SiStoreField;

gboolean      _si_store_validate_text    (const char    *text,
                                          SiStoreField   field,
                                          GError       **error);
/* The text in @column, "" for NULL. */
const char   *_si_store_column_text      (sqlite3_stmt  *stmt,
                                          int            column);
/* The columns every record has, in this order first: id, uid, sid, version, generation, state. */
void          _si_store_read_meta        (sqlite3_stmt  *stmt,
                                          SiRecordMeta  *meta);
/* Reads a record's state and server id (@sql: SELECT state, sid ... WHERE id = ?1); FALSE with
 * NOT_FOUND when it is missing or a tombstone. */
gboolean      _si_store_read_sync_state  (SiStore       *self,
                                          const char    *sql,
                                          gint64         id,
                                          SiSyncState   *state,
                                          gint64        *sid,
                                          GError       **error);

/* si-store-ideas.c: one new idea row, as a save (si_store_save_idea()) or a pull (the ideas
 * collection's codec, si-collection.c) inserts it. Times in µs. */
typedef struct {
  const char   *uid;
  gint64        sid;          /* 0: not on the server */
  gint64        version;
  gint64        generation;
  SiSyncState   state;
  const char   *title;
  const char   *body;
  gboolean      pinned;
  gint64        created_at;
  gint64        updated_at;
  const char   *base;         /* JSON of the server record it is based on, or NULL */
  const char   *device;       /* the device that wrote it (si_idea_get_device()), or NULL */
  const gint64 *tag_ids;      /* sorted */
  guint         n_tags;
  const char   *tag_names;    /* for the search index; NULL: the live tags' among @tag_ids */
} SiStoreNewIdea;

/* Inserts @row and its tag links (inside the caller's transaction); the new id, or 0 with
 * SI_STORE_ERROR_EXISTS when the uid is taken. @what: what failed, as for
 * _si_store_set_error(). */
gint64        _si_store_insert_idea      (SiStore              *self,
                                          const SiStoreNewIdea *row,
                                          const char           *what,
                                          GError              **error);
/* Removes idea @id at once, tombstone or not: the server no longer has it. */
gboolean      _si_store_purge_idea       (SiStore              *self,
                                          gint64                id,
                                          GError              **error);

/* The live ideas among @ids (@n_ids, each at most once), read in two statements whatever
 * their number (for a sync's push): @func gets each one's local id and row (sid, version,
 * generation, state, content and its live tags' ids, ascending; no base, no tag
 * names), whose pointers live until it returns. */
typedef void (*SiStoreIdeaRowFunc) (gint64                id,
                                    const SiStoreNewIdea *row,
                                    gpointer              user_data);
gboolean      _si_store_read_ideas       (SiStore              *self,
                                          const gint64         *ids,
                                          guint                 n_ids,
                                          SiStoreIdeaRowFunc    func,
                                          gpointer              user_data,
                                          GError              **error);
/* @ids (@n_ids) as a JSON array of numbers, for a statement's json_each (?): one statement for
 * a set of records instead of one each. */
char         *_si_store_ids_json         (const gint64         *ids,
                                          guint                 n_ids);

/* For the importer (si-import.c). */
typedef void (*SiStoreIdeaTextFunc) (const char *title,
                                     const char *body,
                                     gint64      id,
                                     gpointer    user_data);
/* Calls @func for every live idea. */
gboolean      _si_store_foreach_idea_text   (SiStore              *self,
                                             SiStoreIdeaTextFunc   func,
                                             gpointer              user_data,
                                             GError              **error);
/* Whether live idea @id (0: any live idea) has exactly @title and @body. */
gboolean      _si_store_find_idea_text      (SiStore              *self,
                                             gint64                id,
                                             const char           *title,
                                             const char           *body,
                                             gboolean             *found,
                                             GError              **error);
/* Sets the idea's updated_at (µs) as it is, without making it an edit. */
gboolean      _si_store_set_idea_updated_at (SiStore              *self,
                                             gint64                id,
                                             gint64                updated_at,
                                             GError              **error);
/* si-store.c: the record of @collection (SI_COLLECTION_IDEAS or SI_COLLECTION_TAGS) with
 * @uid, tombstone or not: its id and state, or 0 and -1. */
gboolean      _si_store_find_uid            (SiStore              *self,
                                             const char           *collection,
                                             const char           *uid,
                                             gint64               *id,
                                             int                  *state,
                                             GError              **error);

/* The live tag whose name has the same uniqueness key as @name taken as it is (not normalised:
 * a name from the server), or 0. */
gint64        _si_store_find_tag_as_stored (SiStore    *self,
                                            const char *name);

/* si-store-checkpoint.c: the WAL is checkpointed by a thread of the store's, not by a save. */
typedef struct _SiStoreCheckpointer SiStoreCheckpointer;

SiStoreCheckpointer *_si_store_checkpointer_new  (sqlite3             *db,
                                                  const char          *path);
guint                _si_store_checkpointer_wait (SiStoreCheckpointer *self);
guint                _si_store_checkpointer_count (SiStoreCheckpointer *self);
guint                _si_store_checkpointer_merges (SiStoreCheckpointer *self);
guint                _si_store_checkpointer_filled (SiStoreCheckpointer *self);
int                  _si_store_checkpointer_log_pages (SiStoreCheckpointer *self);
void                 _si_store_checkpointer_want_write (SiStoreCheckpointer *self,
                                                        gboolean             waiting);
void                 _si_store_checkpointer_free (SiStoreCheckpointer *self);
void                 _si_store_checkpointer_steps (SiStoreCheckpointer *self,
                                                   guint               *yielded,
                                                   guint               *overrun);
gboolean             _si_store_checkpointer_writer_waits (SiStoreCheckpointer *self);
void                 _si_store_checkpointer_set_step_hook (SiStoreCheckpointer *self,
                                                           void               (*hook) (gpointer data),
                                                           gpointer             data);
/* For the tests: the store's checkpoint thread (NULL before the store is open). */
SiStoreCheckpointer *_si_store_get_checkpointer  (SiStore             *self);
/* For the tests: waits for the store's checkpoint in progress; the number run so far. */
guint                _si_store_wait_checkpoints  (SiStore             *self);
/* For the benchmarks: the log's size in pages after the store's last commit. */
int                  _si_store_log_pages         (SiStore             *self);
/* For the benchmarks: the store's last transaction, in ms: its wait for the write lock (BEGIN),
 * its statements, its COMMIT (with the log's fsync). */
void                 _si_store_last_write_times  (SiStore             *self,
                                                  double              *wait_ms,
                                                  double              *work_ms,
                                                  double              *commit_ms);
/* For the tests: how many checkpoints the store's thread has run so far, without waiting. */
guint                _si_store_count_checkpoints (SiStore             *self);
/* For the tests: how many merge steps of the search indexes the store's thread has run. */
guint                _si_store_count_search_merges (SiStore           *self);

G_END_DECLS

/* ===== Sync bookkeeping: si-store-sync.c, used by the sync engine ===================== */
/* Every function here expects to run inside a transaction the caller holds
 * (_si_store_begin/_commit), except where said. Tables are the collections' names. */

#include "si-collection.h"
#include "si-wire.h"

typedef struct {
  gint64       id;         /* 0: no such record */
  char        *uid;
  gint64       sid;
  gint64       version;
  gint64       generation;
  SiSyncState  state;
  char        *base;       /* JSON of the server record the local one is based on, or NULL;
                            * SI_SYNC_OWN_BASE: the record is its own base */
  char        *sync_error;
  /* _si_store_sync_read_pending(): the record read names records the server does not have
   * yet, left out of what is sent. */
  gboolean     partial;
} SiSyncRow;

/* The base of a synced record whose content is the server's, as a push the server took as sent
 * leaves it: the schema's triggers (ideas_own_base, tags_own_base) write the base from the row
 * when the record stops being synced, before its content changes. */
#define SI_SYNC_OWN_BASE ""

void          _si_sync_row_clear              (SiSyncRow    *row);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SiSyncRow, _si_sync_row_clear)

/**
 * SiSyncApplied:
 * What applying one server record did to the store.
 */
typedef enum {
  SI_SYNC_APPLIED_NOTHING,    /* nothing new */
  SI_SYNC_APPLIED_TAKEN,      /* the server's record was written (inserted, updated, revived) */
  SI_SYNC_APPLIED_DELETED,    /* the server deleted it, so did we */
  SI_SYNC_APPLIED_KEPT_LOCAL, /* local edits on top of the server's version: stays dirty */
  SI_SYNC_APPLIED_MERGED,     /* both sides changed, merged: stays dirty, to push */
  SI_SYNC_APPLIED_CONFLICT,   /* overlapping edits: server's version in place, local one copied */
  SI_SYNC_APPLIED_RECREATED,  /* an edit against the server's deletion: to be created again */
  SI_SYNC_APPLIED_ADOPTED,    /* our own push whose answer was lost: the server's record is
                               * now the base; dirty only if edited since */
} SiSyncApplied;

gboolean      _si_store_sync_get_row          (SiStore      *self,
                                               const char   *table,
                                               gint64        id,
                                               SiSyncRow    *row,
                                               GError      **error);
/* By server id, else by uid. row->id 0 when neither is known. */
gboolean      _si_store_sync_find             (SiStore      *self,
                                               const char   *table,
                                               gint64        sid,
                                               const char   *uid,
                                               SiSyncRow    *row,
                                               GError      **error);
gint64        _si_store_sync_local_id         (SiStore      *self,
                                               const char   *table,
                                               gint64        sid);
gint64        _si_store_sync_server_id        (SiStore      *self,
                                               const char   *table,
                                               gint64        id);

/* Applies one server record or tombstone (relations as server ids) to the store, merging with
 * a dirty local record. @collections: every declared collection (for relation keys). */
gboolean      _si_store_sync_apply            (SiStore      *self,
                                               GPtrArray    *collections,
                                               SiCollection *collection,
                                               const SiWireRecord *remote,
                                               SiSyncApplied *out_applied,
                                               GError      **error);
/* A local record as the server should get it: relation ids remapped to server ids (relations
 * to records the server does not have yet are left out). NULL for a tombstone/missing. */
SiWireRecord *_si_store_sync_read_for_server (SiStore    *self,
                                               GPtrArray    *collections,
                                               SiCollection *collection,
                                               gint64        id,
                                               GError      **error);
/* For a push, what records @ids (@n_ids of @collection, each at most once) are now, in a few
 * statements whatever their number: @rows[i] the sync state of @ids[i] (id 0: gone; no base),
 * @records[i] (transfer full) its content as the server takes it (server ids), or NULL when it
 * is gone, a tombstone, synced or refused (nothing to send). */
gboolean      _si_store_sync_read_pending     (SiStore      *self,
                                               GPtrArray    *collections,
                                               SiCollection *collection,
                                               const gint64 *ids,
                                               guint         n_ids,
                                               SiSyncRow    *rows,
                                               SiWireRecord **records,
                                               GError      **error);
/* Before a push of @record (server ids) for local record @uid at @generation is sent:
 * remembers what is sent, so that a later sync recognises the server's record as our own write
 * when the answer never came. Forgotten once the record's server state is known. */
gboolean      _si_store_sync_note_pushing     (SiStore      *self,
                                               SiCollection *collection,
                                               const char   *uid,
                                               gint64        generation,
                                               const SiWireRecord *record,
                                               GError      **error);
/* The same in two steps: the digest a note keeps of @record (no store: any thread), then the
 * note of it. */
char         *_si_store_sync_pushed_digest    (const SiWireRecord *record);
gboolean      _si_store_sync_note_pushed_digest (SiStore     *self,
                                                 SiCollection *collection,
                                                 const char  *uid,
                                                 gint64       generation,
                                                 const char  *digest,
                                                 GError     **error);
/* After a complete pull: forgets the notes of pushes whose record is no longer in the store
 * (if the server had applied such a push, the pull would have brought its record back). Not
 * inside a transaction of the caller's. */
gboolean      _si_store_sync_forget_stale_pushes (SiStore   *self,
                                                  GPtrArray *collections,
                                                  GError   **error);
/* The server has what was pushed of record @id at @generation (from the outbox): it is now the
 * server's @sid (<= 0: keeps the one it has) at @version, based on @base_json (the merge base;
 * NULL: none). The record becomes clean only if it was not edited meanwhile (its generation is
 * still @generation), else it stays dirty, now based on @version, and is pushed again next
 * time; @cleaned says which. A pushed tombstone goes away for good. The one way to record a
 * push: the sync engine's, and the tests'. */
gboolean      _si_store_sync_mark_pushed      (SiStore      *self,
                                               const char   *table,
                                               gint64        id,
                                               gint64        generation,
                                               gint64        sid,
                                               gint64        version,
                                               const char   *base_json,
                                               gboolean     *cleaned,
                                               GError      **error);
/* _si_store_sync_mark_pushed(), and *@out_found: FALSE when the record was no longer in the
 * store (then nothing was recorded). */
gboolean      _si_store_sync_mark_pushed_found (SiStore     *self,
                                                const char  *table,
                                                gint64       id,
                                                gint64       generation,
                                                gint64       sid,
                                                gint64       version,
                                                const char  *base_json,
                                                gboolean    *cleaned,
                                                gboolean    *out_found,
                                                GError     **error);
/* One of a batch's pushes the server took, for _si_store_sync_mark_pushed_many(): the
 * arguments of _si_store_sync_mark_pushed_found(), with the server's answer in place of its
 * text, and what it found. */
typedef struct {
  gint64              id;
  gint64              generation;
  gint64              sid;
  gint64              version;
  const SiWireRecord *record;     /* the server's answer (server ids) */
  /* The answer's content is what was sent, all of the record (no relation left out): where the
   * record is still the generation sent, it is its own base (SI_SYNC_OWN_BASE). */
  gboolean            as_sent;
  gboolean            found;      /* out */
} SiSyncPushed;

/* _si_store_sync_mark_pushed_found() for each of @pushed (@n_pushed records of @table, each at
 * most once), inside the caller's transaction, in a few statements for all of them. */
gboolean      _si_store_sync_mark_pushed_many (SiStore      *self,
                                               const char   *table,
                                               SiSyncPushed *pushed,
                                               guint         n_pushed,
                                               GError      **error);
/* After a batch answer, in the transaction that recorded it: moves the cursor of @feed past the
 * batch's own changes. @ranges (#SiWireChangeRange, ascending): the change numbers the server
 * says the batch's writes took; @applied (gint64, sorted here): the versions of the answer's
 * records this store has recorded. The cursor moves only over numbers in both, from where it
 * stands (cursor + 1) on without a gap: a change of another writer in between stops it there,
 * and the next pull brings it. */
gboolean      _si_store_sync_skip_own_changes (SiStore      *self,
                                               const char   *feed,
                                               GArray       *ranges,
                                               GArray       *applied,
                                               GError      **error);
/* The server refused the record: keep the reason, leave it out of pushes until edited.
 * Nothing happens if it was edited since @generation. */
gboolean      _si_store_sync_set_rejected     (SiStore      *self,
                                               const char   *table,
                                               gint64        id,
                                               gint64        generation,
                                               const char   *reason,
                                               GError      **error);
/* The server has no (live) record for it: make it a new record again (new uid, no sid). */
gboolean      _si_store_sync_recreate         (SiStore      *self,
                                               const char   *table,
                                               gint64        id,
                                               GError      **error);
/* After a full pull: local records with a server id that the server did not list go (or are
 * created again when they carry unpushed edits). @seen: set of server ids (gint64*). */
gboolean      _si_store_sync_prune            (SiStore      *self,
                                               SiCollection *collection,
                                               GHashTable   *seen,
                                               guint        *out_removed,
                                               GError      **error);
/* Forgets the server entirely (see si_sync_engine_forget_server()). Own transaction. */
gboolean      _si_store_sync_forget_server    (SiStore      *self,
                                               GError      **error);

gint64        _si_store_sync_get_cursor       (SiStore      *self,
                                               const char   *collection);
gboolean      _si_store_sync_set_cursor       (SiStore      *self,
                                               const char   *collection,
                                               gint64        cursor,
                                               GError      **error);
char         *_si_store_sync_dup_instance_id  (SiStore      *self);
gboolean      _si_store_sync_set_instance_id  (SiStore      *self,
                                               const char   *instance_id,
                                               GError      **error);
/* si-store-ideas.c: the live conflicted copies. */
guint         _si_store_sync_count_conflicts  (SiStore      *self);
char         *_si_store_dup_copy_title        (const char   *title,
                                               const char   *device,
                                               gint64        written,
                                               gint64        now);
/* si-store-search-index.c: a page of many records applied in one transaction: the inserts of
 * ideas and tag links on this connection (si-store-ideas.c) leave their lines in search_pending
 * and the change log, and the idea count, alone, and the ideas inserted meanwhile are listed in
 * search_pending, their log lines and count written, at the end, in one statement each, for
 * _si_store_search_fill() to index after the pull. Between begin and end, no idea inserted in
 * the page may be updated or deleted. */
typedef struct {
  SiStore *store;         /* NULL: nothing switched off */
  gint64   live_inserts;
  gint64   max_id;
} SiSyncPage;

void          _si_sync_page_clear             (SiSyncPage   *page);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SiSyncPage, _si_sync_page_clear)
gboolean      _si_store_sync_begin_page       (SiStore      *self,
                                               SiSyncPage   *page,
                                               GError      **error);
gboolean      _si_store_sync_end_page         (SiStore      *self,
                                               SiSyncPage   *page,
                                               GError      **error);
/* Until cleared (outside a transaction), commits of this connection do not wait for the disk
 * (PRAGMA synchronous = NORMAL; WAL keeps them atomic and consistent, a power cut may lose the
 * last ones): for data the server still has, like pulled pages with their cursor. */
typedef struct {
  SiStore *store;
  int      saved;       /* the level to restore, -1: nothing changed */
} SiSyncDurability;

void          _si_store_sync_relax_durability (SiStore      *self,
                                               SiSyncDurability *durability);
void          _si_sync_durability_clear       (SiSyncDurability *durability);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SiSyncDurability, _si_sync_durability_clear)
/* si-store-search-index.c: after pages filled per page, merges the index's segments into one (its
 * own transaction), work that later saves would otherwise do bit by bit. */
gboolean      _si_store_sync_optimize_index   (SiStore      *self,
                                               GError      **error);
/* si-store-search-index.c: the ideas of search_pending (si-store-schema.c) indexed, at most
 * @max_ideas of them in one transaction of its own; on a thread with a connection of its own
 * (nothing done when none wait or one runs for this notebook already). */
gboolean      _si_store_search_fill       (SiStore      *self,
                                           guint         max_ideas,
                                           guint        *filled,
                                           GError      **error);
/* How many ideas si_search_pending () has looked at in this process (for the tests). */
guint         _si_store_search_pending_calls (void);
/* The same inside the caller's transaction on @db (the checkpoint thread's connection, with
 * the text functions registered); an SQLite result code. */
int           _si_store_search_fill_db    (sqlite3      *db,
                                           guint         max_ideas,
                                           guint        *filled);
/* si-store.c: the page whose per-row bookkeeping is left to its end
 * (_si_store_sync_begin_page()), or NULL. */
SiSyncPage   *_si_store_get_page           (SiStore     *self);
void          _si_store_set_page           (SiStore     *self,
                                            SiSyncPage  *page);
/* si-store.c: SiStore:search-filling, on the store's own thread. */
void          _si_store_set_search_filling (SiStore     *self,
                                            gboolean     filling);
/* ===== end of sync bookkeeping ======================================================== */
