/* test-store.c — the offline store: what a person relies on when they type an idea offline. */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "si-collection.h"
#include "si-device.h"
#include "si-store-private.h"
#include "si-wire-write.h"

static char *
temp_db_path (void)
{
  /* G_TEST_OPTION_ISOLATE_DIRS gives every test its own XDG_DATA_HOME. */
  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  return g_build_filename (g_get_user_data_dir (), "test.db", NULL);
}

static SiStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = temp_db_path ();
  SiStore *store = si_store_new (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* The first column of @sql's first row on @store's own connection, or -1. */
static gint64
sql_int_store (SiStore    *store,
               const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (_si_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static SiIdea *
add_idea (SiStore    *store,
          const char *title,
          const char *body)
{
  g_autoptr(GError) error = NULL;
  SiIdea *idea = si_idea_new (title, body);

  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  return idea;
}

/* Records a push as the sync engine does: _si_store_sync_mark_pushed() inside the engine's
 * transaction, with no merge base (no server here). */
static gboolean
mark_pushed (SiStore     *store,
             const char  *collection,
             gint64       id,
             gint64       generation,
             gint64       sid,
             gint64       version,
             gboolean    *cleaned,
             GError     **error)
{
  if (!_si_store_begin (store, error))
    return FALSE;
  if (!_si_store_sync_mark_pushed (store, collection, id, generation, sid, version, NULL, cleaned, error))
    {
      _si_store_rollback (store);
      return FALSE;
    }
  return _si_store_commit (store, error);
}

/* What the server would do: take the push, give the record an id and a version. */
static void
push (SiStore    *store,
      const char *collection,
      gint64      id,
      gint64      generation,
      gint64      sid,
      gint64      version)
{
  g_autoptr(GError) error = NULL;
  gboolean cleaned = FALSE;

  g_assert_true (mark_pushed (store, collection, id, generation, sid, version, &cleaned, &error));
  g_assert_no_error (error);
}

static int
sql_int (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int value = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
test_open_default_path (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) store = si_store_new (NULL, &error);
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "saveidea", "saveidea.db", NULL);
  g_autofree char *mode = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (si_store_get_path (store), ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (sql_int (expected, "PRAGMA user_version"), ==, SI_STORE_SCHEMA_VERSION);

  g_assert_cmpint (sqlite3_open (expected, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  mode = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpstr (mode, ==, "wal");
}

static void
test_create_marks_dirty (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiIdea) idea = add_idea (store, "Train thought", "Write it down at once");
  g_autoptr(SiIdea) loaded = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (si_idea_get_id (idea), >, 0);
  g_assert_true (g_uuid_string_is_valid (si_idea_get_uid (idea)));
  g_assert_cmpint (si_idea_get_sid (idea), ==, 0);
  g_assert_cmpint (si_idea_get_sync_state (idea), ==, SI_SYNC_STATE_CREATED);
  g_assert_cmpint (si_idea_get_generation (idea), ==, 1);
  g_assert_cmpint (si_idea_get_created_at (idea), >, 0);

  loaded = si_store_get_idea (store, si_idea_get_id (idea), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_title (loaded), ==, "Train thought");
  g_assert_cmpstr (si_idea_get_body (loaded), ==, "Write it down at once");
  g_assert_cmpstr (si_idea_get_uid (loaded), ==, si_idea_get_uid (idea));
  g_assert_cmpuint (si_store_count_pending (store, NULL), ==, 1);
}

static void
test_edit_generation (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiIdea) idea = add_idea (store, "One", "");
  g_autoptr(GError) error = NULL;
  gint64 id = si_idea_get_id (idea);

  /* Edits before the first push keep it "created", and bump the generation. */
  si_idea_set_title (idea, "One, edited");
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_cmpint (si_idea_get_generation (idea), ==, 2);
  g_assert_cmpint (si_idea_get_sync_state (idea), ==, SI_SYNC_STATE_CREATED);

  push (store, SI_COLLECTION_IDEAS, id, 2, 100, 5);
  {
    g_autoptr(SiIdea) synced = si_store_get_idea (store, id, &error);
    g_assert_cmpint (si_idea_get_sync_state (synced), ==, SI_SYNC_STATE_SYNCED);
    g_assert_cmpint (si_idea_get_sid (synced), ==, 100);
    g_assert_cmpint (si_idea_get_version (synced), ==, 5);
  }
  g_assert_cmpuint (si_store_count_pending (store, NULL), ==, 0);

  /* Saving the same content is no edit. */
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_cmpint (si_idea_get_sync_state (idea), ==, SI_SYNC_STATE_SYNCED);
  g_assert_cmpint (si_idea_get_generation (idea), ==, 2);

  /* A local edit of a synced idea makes it "modified". */
  si_idea_set_pinned (idea, TRUE);
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (si_idea_get_sync_state (idea), ==, SI_SYNC_STATE_MODIFIED);
  g_assert_cmpint (si_idea_get_generation (idea), ==, 3);
  g_assert_cmpint (si_idea_get_sid (idea), ==, 100);
}

static void
test_from_server_stays_clean (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiIdea) idea = si_idea_new ("From the server", "pulled");
  g_autoptr(GError) error = NULL;

  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_FROM_SERVER, &error));
  g_assert_no_error (error);
  g_assert_cmpint (si_idea_get_sync_state (idea), ==, SI_SYNC_STATE_SYNCED);
  g_assert_cmpint (si_idea_get_generation (idea), ==, 0);

  si_idea_set_body (idea, "pulled again, newer");
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_FROM_SERVER, &error));
  g_assert_cmpint (si_idea_get_sync_state (idea), ==, SI_SYNC_STATE_SYNCED);
  g_assert_cmpint (si_idea_get_generation (idea), ==, 0);
  g_assert_cmpuint (si_store_count_pending (store, NULL), ==, 0);
}

/* What an idea's insert writes beside its row, for a save, a pulled record, and a pulled page
 * (where it is written at the page's end): the line in search_pending, one line in the change
 * log for the idea and one for each new tag link, the idea count. Up to schema 9 insert
 * triggers wrote them; since schema 10 the insert itself does. */
static void
pull_idea (SiStore      *store,
           SiSyncPage   *page,
           gint64        sid,
           const gint64 *tag_sids,
           guint         n_tags)
{
  g_autoptr(GPtrArray) collections = si_collection_get_defaults ();
  g_autoptr(SiWireRecord) remote = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);
  g_autoptr(GError) error = NULL;
  SiSyncApplied applied = SI_SYNC_APPLIED_NOTHING;

  remote->id = sid;
  remote->version = sid;
  remote->uid = g_uuid_string_random ();
  remote->created_at = remote->updated_at = 1764302930123;
  g_free (remote->title);
  remote->title = g_strdup_printf ("Pulled %" G_GINT64_FORMAT, sid);
  remote->tags = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_vals (remote->tags, tag_sids, n_tags);
  if (page == NULL)
    g_assert_true (_si_store_begin (store, &error));
  g_assert_true (_si_store_sync_apply (store, collections, g_ptr_array_index (collections, 1), remote,
                                       &applied, &error));
  g_assert_no_error (error);
  g_assert_cmpint (applied, ==, SI_SYNC_APPLIED_TAKEN);
  if (page == NULL)
    g_assert_true (_si_store_commit (store, &error));
}

static void
assert_insert_bookkeeping (SiStore *store,
                           gint64   id,
                           gint64   log_lines)
{
  g_autofree char *pending = g_strdup_printf ("SELECT count (*) FROM search_pending WHERE id = %" G_GINT64_FORMAT, id);
  g_autofree char *log = g_strdup_printf ("SELECT count (*) FROM change_log WHERE collection = 'ideas'"
                                          " AND record_id = %" G_GINT64_FORMAT, id);

  g_assert_cmpint (sql_int_store (store, pending), ==, 1);
  g_assert_cmpint (sql_int_store (store, log), ==, log_lines);
  g_assert_cmpint (sql_int_store (store, "SELECT n FROM idea_count"), ==,
                   sql_int_store (store, "SELECT count (*) FROM ideas WHERE state != " SI_SQL_DELETED));
}

static void
test_insert_bookkeeping (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTag) a = si_store_ensure_tag (store, "a", &error);
  g_autoptr(SiTag) b = si_store_ensure_tag (store, "b", &error);
  g_autoptr(SiIdea) saved = si_idea_new ("Saved", "with two tags");
  g_auto(SiSyncPage) page = { 0, };
  const gint64 tag_sids[] = { 11, 12 };
  gint64 first, last;

  g_assert_no_error (error);
  si_idea_add_tag (saved, si_tag_get_id (a));
  si_idea_add_tag (saved, si_tag_get_id (b));
  g_assert_true (si_store_save_idea (store, saved, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  /* The insert's line and its two links'. */
  assert_insert_bookkeeping (store, si_idea_get_id (saved), 3);

  /* The tags on the server, then pulled ideas that have them. */
  push (store, SI_COLLECTION_TAGS, si_tag_get_id (a), 1, 11, 1);
  push (store, SI_COLLECTION_TAGS, si_tag_get_id (b), 1, 12, 1);
  pull_idea (store, NULL, 100, tag_sids, 2);
  first = sql_int_store (store, "SELECT id FROM ideas WHERE sid = 100");
  assert_insert_bookkeeping (store, first, 3);

  /* A page: everything at its end, one line an idea. */
  g_assert_true (_si_store_begin (store, &error));
  g_assert_true (_si_store_sync_begin_page (store, &page, &error));
  for (gint64 sid = 101; sid <= 103; sid++)
    pull_idea (store, &page, sid, tag_sids, sid == 102 ? 0 : 2);
  g_assert_cmpint (sql_int_store (store, "SELECT count (*) FROM search_pending WHERE id > 2"), ==, 0);
  g_assert_true (_si_store_sync_end_page (store, &page, &error));
  g_assert_true (_si_store_commit (store, &error));
  g_assert_no_error (error);
  last = sql_int_store (store, "SELECT id FROM ideas WHERE sid = 103");
  for (gint64 id = first + 1; id <= last; id++)
    assert_insert_bookkeeping (store, id, 1);
  g_assert_cmpint (last, ==, first + 3);
  g_assert_cmpint (sql_int_store (store, "SELECT n FROM idea_count"), ==, 5);

  /* A tag named twice by the server is one link, and its name is there once. */
  {
    const gint64 twice[] = { 12, 11, 12 };

    pull_idea (store, NULL, 104, twice, G_N_ELEMENTS (twice));
    assert_insert_bookkeeping (store, last + 1, 3);
    g_assert_cmpint (sql_int_store (store, "SELECT count (*) FROM ideas WHERE sid = 104 AND tag_names = 'a b'"), ==, 1);
  }
}

static SiSyncApplied pull_tag (SiStore    *store,
                               gint64      sid,
                               gint64      version,
                               const char *name);

/* A pulled idea new to the store is its own base (base ''), unless it names a tag the store
 * does not have yet: its row lacks that tag, so its base is the server's text, which has it. */
static void
test_pulled_own_base (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTag) a = si_store_ensure_tag (store, "a", &error);
  const gint64 known[] = { 11 };
  const gint64 unknown[] = { 11, 99 };

  g_assert_no_error (error);
  push (store, SI_COLLECTION_TAGS, si_tag_get_id (a), 1, 11, 1);
  pull_idea (store, NULL, 100, known, G_N_ELEMENTS (known));
  g_assert_cmpint (sql_int_store (store, "SELECT count (*) FROM ideas WHERE sid = 100 AND base = ''"), ==, 1);

  pull_idea (store, NULL, 101, unknown, G_N_ELEMENTS (unknown));
  g_assert_cmpint (sql_int_store (store, "SELECT count (*) FROM ideas WHERE sid = 101"
                                         " AND json_extract (base, '$.tags') = '[11,99]'"), ==, 1);
  /* The tag arrives: the idea has it, and keeps the server's text as its base. */
  g_assert_cmpint (pull_tag (store, 99, 1, "b"), ==, SI_SYNC_APPLIED_TAKEN);
  g_assert_cmpint (sql_int_store (store, "SELECT count (*) FROM ideas WHERE sid = 101 AND tag_names = 'a b'"
                                         " AND json_extract (base, '$.tags') = '[11,99]'"), ==, 1);
}

static void
test_delete_unsynced_goes_at_once (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiIdea) idea = add_idea (store, "Never synced", "");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) outbox = NULL;
  g_autofree char *path = temp_db_path ();

  g_assert_true (si_store_delete_idea (store, si_idea_get_id (idea), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  outbox = si_store_get_outbox (store, &error);
  g_assert_cmpuint (outbox->len, ==, 0);
  g_assert_cmpint (sql_int (path, "SELECT count (*) FROM ideas"), ==, 0);
}

static void
test_delete_synced_leaves_tombstone (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiIdea) idea = add_idea (store, "Synced", "");
  g_autoptr(SiIdea) gone = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) outbox = NULL;
  g_autofree char *path = temp_db_path ();
  gint64 id = si_idea_get_id (idea);
  SiOutboxEntry *entry;

  push (store, SI_COLLECTION_IDEAS, id, 1, 42, 3);
  g_assert_true (si_store_delete_idea (store, id, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);

  gone = si_store_get_idea (store, id, &error);
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND);
  g_assert_null (gone);
  g_clear_error (&error);
  g_assert_cmpuint (si_store_count_ideas (store, NULL, NULL), ==, 0);

  outbox = si_store_get_outbox (store, &error);
  g_assert_cmpuint (outbox->len, ==, 1);
  entry = &g_array_index (outbox, SiOutboxEntry, 0);
  g_assert_cmpint (entry->state, ==, SI_SYNC_STATE_DELETED);
  g_assert_cmpint (entry->sid, ==, 42);
  g_assert_cmpint (entry->version, ==, 3);
  g_assert_cmpint (sql_int (path, "SELECT count (*) FROM ideas"), ==, 1);

  /* Deleting it twice is an error that changes nothing. */
  g_assert_false (si_store_delete_idea (store, id, SI_SAVE_LOCAL, &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The server has the deletion: the tombstone goes. */
  push (store, SI_COLLECTION_IDEAS, id, entry->generation, 42, 4);
  g_assert_cmpint (sql_int (path, "SELECT count (*) FROM ideas"), ==, 0);
  g_assert_cmpuint (si_store_count_ideas (store, NULL, NULL), ==, 0);
  g_assert_cmpuint (si_store_count_pending (store, NULL), ==, 0);
}

/* SQLITE_TRACE_PROFILE: the rows each finished statement stepped over in a full scan. */
static int
count_full_scans (unsigned  type,
                  void     *context,
                  void     *statement,
                  void     *x)
{
  *(int *) context += sqlite3_stmt_status (statement, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
  return 0;
}

/* The outbox is read from the indexes of what waits: a notebook of synced ideas and one
 * tombstone is not read whole (a statement that did took 30 ms of each no-op sync at 100,000
 * ideas). */
static void
test_outbox_no_scan (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GArray) outbox = NULL;
  g_autoptr(GError) error = NULL;
  int scanned = 0;

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *title = g_strdup_printf ("Synced %u", i);
      g_autoptr(SiIdea) idea = add_idea (store, title, "");
    }
  g_assert_cmpint (sqlite3_exec (_si_store_get_db (store), "UPDATE ideas SET state = 0, sid = id", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (_si_store_get_db (store), "UPDATE ideas SET state = 3 WHERE id = 7", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_trace_v2 (_si_store_get_db (store), SQLITE_TRACE_PROFILE, count_full_scans, &scanned);
  outbox = si_store_get_outbox (store, &error);
  sqlite3_trace_v2 (_si_store_get_db (store), 0, NULL, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_assert_cmpint (g_array_index (outbox, SiOutboxEntry, 0).id, ==, 7);
  g_assert_cmpint (scanned, ==, 0);
}

static void
test_outbox_order (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTag) old_tag = si_tag_new ("old");
  g_autoptr(SiTag) renamed = si_tag_new ("renamed");
  g_autoptr(SiIdea) doomed = add_idea (store, "doomed", "");
  g_autoptr(SiIdea) edited = add_idea (store, "edited", "");
  g_autoptr(SiTag) fresh_tag = NULL;
  g_autoptr(SiIdea) fresh = NULL;
  g_autoptr(GArray) outbox = NULL;
  static const struct { const char *collection; SiSyncState state; } expected[] = {
    { SI_COLLECTION_TAGS, SI_SYNC_STATE_CREATED },
    { SI_COLLECTION_TAGS, SI_SYNC_STATE_MODIFIED },
    { SI_COLLECTION_IDEAS, SI_SYNC_STATE_CREATED },
    { SI_COLLECTION_IDEAS, SI_SYNC_STATE_MODIFIED },
    { SI_COLLECTION_IDEAS, SI_SYNC_STATE_DELETED },
    { SI_COLLECTION_TAGS, SI_SYNC_STATE_DELETED },
  };

  g_assert_true (si_store_save_tag (store, old_tag, SI_SAVE_LOCAL, &error));
  g_assert_true (si_store_save_tag (store, renamed, SI_SAVE_LOCAL, &error));
  push (store, SI_COLLECTION_TAGS, si_tag_get_id (old_tag), 1, 1, 1);
  push (store, SI_COLLECTION_TAGS, si_tag_get_id (renamed), 1, 2, 2);
  push (store, SI_COLLECTION_IDEAS, si_idea_get_id (doomed), 1, 3, 3);
  push (store, SI_COLLECTION_IDEAS, si_idea_get_id (edited), 1, 4, 4);
  g_assert_cmpuint (si_store_count_pending (store, NULL), ==, 0);

  /* Made in the reverse of the order they must be pushed in. */
  g_assert_true (si_store_delete_tag (store, si_tag_get_id (old_tag), SI_SAVE_LOCAL, &error));
  g_assert_true (si_store_delete_idea (store, si_idea_get_id (doomed), SI_SAVE_LOCAL, &error));
  si_idea_set_body (edited, "changed");
  g_assert_true (si_store_save_idea (store, edited, SI_SAVE_LOCAL, &error));
  fresh = add_idea (store, "fresh", "");
  si_tag_set_name (renamed, "Renamed");
  g_assert_true (si_store_save_tag (store, renamed, SI_SAVE_LOCAL, &error));
  fresh_tag = si_store_ensure_tag (store, "new tag", &error);
  g_assert_no_error (error);
  si_idea_add_tag (fresh, si_tag_get_id (fresh_tag));
  g_assert_true (si_store_save_idea (store, fresh, SI_SAVE_LOCAL, &error));

  outbox = si_store_get_outbox (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < outbox->len; i++)
    {
      SiOutboxEntry *entry = &g_array_index (outbox, SiOutboxEntry, i);
      g_assert_cmpstr (entry->collection, ==, expected[i].collection);
      g_assert_cmpint (entry->state, ==, expected[i].state);
    }
}

static void
test_mark_pushed_checks_generation (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiIdea) idea = add_idea (store, "Typing fast", "v1");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) outbox = si_store_get_outbox (store, &error);
  SiOutboxEntry entry = g_array_index (outbox, SiOutboxEntry, 0);
  gboolean cleaned = TRUE;
  g_autoptr(SiIdea) after = NULL;

  /* The push of generation 1 is in flight when the person types again. */
  si_idea_set_body (idea, "v2, typed during the push");
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));

  g_assert_true (mark_pushed (store, SI_COLLECTION_IDEAS, entry.id, entry.generation, 77, 9,
                              &cleaned, &error));
  g_assert_no_error (error);
  g_assert_false (cleaned);

  after = si_store_get_idea (store, entry.id, &error);
  g_assert_cmpint (si_idea_get_sync_state (after), ==, SI_SYNC_STATE_MODIFIED);
  g_assert_cmpint (si_idea_get_sid (after), ==, 77);
  g_assert_cmpint (si_idea_get_version (after), ==, 9);
  g_assert_cmpstr (si_idea_get_body (after), ==, "v2, typed during the push");
  g_assert_cmpuint (si_store_count_pending (store, NULL), ==, 1);

  /* The next push carries generation 2 and cleans it. */
  g_assert_true (mark_pushed (store, SI_COLLECTION_IDEAS, entry.id, si_idea_get_generation (after),
                              77, 10, &cleaned, &error));
  g_assert_true (cleaned);
  g_assert_cmpuint (si_store_count_pending (store, NULL), ==, 0);
}

/* The same five answers of a batch as the sync engine meets them, on a fresh store at @path:
 * a create taken as sent, one edited while in flight, an edited idea deleted while in flight,
 * a pushed deletion, and an idea gone before its answer came. Fills @pushed (5) and @answers
 * (5, the server's answers they point at, owned by the caller). */
static SiStore *
open_push_cases (const char    *name,
                 SiSyncPushed  *pushed,
                 SiWireRecord **answers)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), name, NULL);
  g_autoptr(SiStore) store = NULL;
  g_autoptr(SiIdea) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL;
  g_autoptr(GArray) outbox = NULL;
  g_autoptr(GPtrArray) collections = si_collection_get_defaults ();
  SiCollection *ideas = g_ptr_array_index (collections, 1);

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  store = si_store_new (path, &error);
  g_assert_no_error (error);
  c = add_idea (store, "C", "c");
  d = add_idea (store, "D", "d");
  push (store, SI_COLLECTION_IDEAS, si_idea_get_id (c), si_idea_get_generation (c), 30, 1);
  push (store, SI_COLLECTION_IDEAS, si_idea_get_id (d), si_idea_get_generation (d), 40, 1);
  g_clear_object (&c);
  g_clear_object (&d);
  c = si_store_get_idea (store, 1, &error);
  si_idea_set_body (c, "c, edited");
  g_assert_true (si_store_save_idea (store, c, SI_SAVE_LOCAL, &error));
  g_assert_true (si_store_delete_idea (store, 2, SI_SAVE_LOCAL, &error));
  a = add_idea (store, "A", "a");
  b = add_idea (store, "B", "b");
  e = add_idea (store, "E", "e");
  g_assert_no_error (error);

  /* What the batch sends, noted as the engine notes it. */
  outbox = si_store_get_outbox (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 5);
  g_assert_true (_si_store_begin (store, &error));
  for (guint i = 0; i < outbox->len; i++)
    {
      SiOutboxEntry *entry = &g_array_index (outbox, SiOutboxEntry, i);
      g_autoptr(SiWireRecord) record = _si_store_sync_read_for_server (store, collections, ideas, entry->id, NULL);
      SiSyncPushed one = { entry->id, entry->generation, entry->sid > 0 ? entry->sid : 100 + entry->id,
                           entry->sid > 0 ? 2 : 1, NULL, FALSE, FALSE };

      if (record != NULL)
        g_assert_true (_si_store_sync_note_pushing (store, ideas, entry->uid, entry->generation, record, &error));
      answers[entry->id - 1] = NULL;
      if (record != NULL && entry->id != 5)
        {
          /* The server's answer: what was sent, with its id and version. */
          record->id = one.sid;
          record->version = one.version;
          one.record = answers[entry->id - 1] = g_steal_pointer (&record);
          one.as_sent = TRUE;
        }
      pushed[entry->id - 1] = one;
    }
  g_assert_true (_si_store_commit (store, &error));
  g_assert_no_error (error);

  /* Meanwhile: B edited, C deleted, E deleted (never synced: gone at once). */
  si_idea_set_body (b, "b, edited");
  g_assert_true (si_store_save_idea (store, b, SI_SAVE_LOCAL, &error));
  g_assert_true (si_store_delete_idea (store, 1, SI_SAVE_LOCAL, &error));
  g_assert_true (si_store_delete_idea (store, si_idea_get_id (e), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&store);
}

/* Every row, note and Trash entry a push's record touches, as text. */
static char *
dump_push_state (SiStore *store)
{
  sqlite3 *db = _si_store_get_db (store);
  const char *queries[] = {
    "SELECT id, sid, version, generation, state,"
    " CASE WHEN base = '' THEN 'own' ELSE json_extract (base, '$.id') || '/' || json_extract (base, '$.version')"
    " || '/' || json_extract (base, '$.body') END, sync_error, title, body FROM ideas ORDER BY id",
    "SELECT count (*) FROM sync_meta WHERE key LIKE 'pushed:%'",
    "SELECT sid, version, title FROM trash ORDER BY title",
  };
  GString *dump = g_string_new (NULL);

  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, queries[q], -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          for (int i = 0; i < sqlite3_column_count (stmt); i++)
            g_string_append_printf (dump, "%s|", sqlite3_column_text (stmt, i) ? (const char *) sqlite3_column_text (stmt, i) : "NULL");
          g_string_append_c (dump, '\n');
        }
      sqlite3_finalize (stmt);
      g_string_append (dump, "--\n");
    }
  return g_string_free (dump, FALSE);
}

/* The note of what a push sent: the newest first, the same content once, at most four; a
 * record with no note gets one without a read, one with notes keeps them after it. */
static void
test_note_pushing_history (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GPtrArray) collections = si_collection_get_defaults ();
  SiCollection *ideas = g_ptr_array_index (collections, 1);
  g_autoptr(SiIdea) idea = add_idea (store, "Title", "body 0");
  g_autoptr(GPtrArray) digests = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_strconcat ("pushed:ideas:", si_idea_get_uid (idea), NULL);
  g_autofree char *value = NULL;

  g_assert_cmpstr (si_collection_get_name (ideas), ==, SI_COLLECTION_IDEAS);
  /* Generations 1 to 6 with bodies 0 to 5, then generation 7 with body 4 again. */
  for (guint i = 0; i < 7; i++)
    {
      g_autoptr(SiWireRecord) record = _si_store_sync_read_for_server (store, collections, ideas, si_idea_get_id (idea), NULL);
      g_autofree char *body = g_strdup_printf ("body %u", i == 6 ? 4 : i);

      g_assert_nonnull (record);
      g_free (record->body);
      record->body = g_strdup (body);
      g_ptr_array_add (digests, si_wire_record_content_digest (record));
      g_assert_true (_si_store_begin (store, &error));
      g_assert_true (_si_store_sync_note_pushing (store, ideas, si_idea_get_uid (idea), i + 1, record, &error));
      g_assert_true (_si_store_commit (store, &error));
      g_assert_no_error (error);
      if (i == 0)
        {
          g_autofree char *first = g_strdup_printf ("1 c:%s\n", (char *) digests->pdata[0]);

          value = _si_store_get_meta (store, key);
          g_assert_cmpstr (value, ==, first);
          g_clear_pointer (&value, g_free);
        }
    }
  /* Body 4 at generation 7 first, then bodies 5, 3 and 2: the older 4 is the same content. */
  g_string_append_printf (expected, "7 c:%s\n", (char *) digests->pdata[6]);
  g_string_append_printf (expected, "6 c:%s\n", (char *) digests->pdata[5]);
  g_string_append_printf (expected, "4 c:%s\n", (char *) digests->pdata[3]);
  g_string_append_printf (expected, "3 c:%s\n", (char *) digests->pdata[2]);
  value = _si_store_get_meta (store, key);
  g_assert_cmpstr (value, ==, expected->str);
  g_assert_cmpint (sql_int_store (store, "SELECT count (*) FROM sync_meta WHERE key LIKE 'pushed:%'"), ==, 1);
}

/* Whether sync_meta may have keys of a prefix: known for the transaction, true again once
 * such a key is written, asked again after a rollback (which may bring deleted keys back) and
 * outside a transaction always true. */
static void
test_meta_may_have (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;

  g_assert_true (_si_store_meta_may_have (store, "pending:"));
  g_assert_true (_si_store_begin (store, &error));
  g_assert_false (_si_store_meta_may_have (store, "pending:"));
  g_assert_false (_si_store_meta_may_have (store, "pushed:"));
  g_assert_true (_si_store_set_meta (store, "pending:ideas:7", "ideas tags 1\n", &error));
  g_assert_true (_si_store_meta_may_have (store, "pending:"));
  g_assert_false (_si_store_meta_may_have (store, "pushed:"));
  /* A key of another prefix that sorts right after it is not one of it. */
  g_assert_true (_si_store_set_meta (store, "pushed;", "x", &error));
  g_assert_false (_si_store_meta_may_have (store, "pushed:"));
  g_assert_true (_si_store_commit (store, &error));

  /* A deletion undone by a rollback: the key is back, and so is the answer. */
  g_assert_true (_si_store_begin (store, &error));
  g_assert_true (_si_store_begin (store, &error));
  g_assert_true (_si_store_set_meta (store, "pending:ideas:7", NULL, &error));
  g_assert_false (_si_store_meta_may_have (store, "pending:"));
  _si_store_rollback (store);
  g_assert_true (_si_store_meta_may_have (store, "pending:"));
  g_assert_true (_si_store_commit (store, &error));
  g_assert_no_error (error);
}

/* A batch's answers recorded together leave the store as recording them one by one does. */
static void
test_mark_pushed_many (void)
{
  SiSyncPushed one_by_one[5], together[5];
  SiWireRecord *answers_a[5], *answers_b[5];
  g_autoptr(SiStore) a = open_push_cases ("one-by-one.db", one_by_one, answers_a);
  g_autoptr(SiStore) b = open_push_cases ("together.db", together, answers_b);
  g_autoptr(GError) error = NULL;
  g_autofree char *dump_a = NULL;
  g_autofree char *dump_b = NULL;
  g_autoptr(SiIdea) idea = NULL;

  g_assert_true (_si_store_begin (a, &error));
  for (guint i = 0; i < G_N_ELEMENTS (one_by_one); i++)
    {
      g_autofree char *base = answers_a[i] ? si_wire_record_to_text (answers_a[i], SI_WIRE_MODE_RESPONSE, NULL) : NULL;

      g_assert_true (_si_store_sync_mark_pushed_found (a, SI_COLLECTION_IDEAS, one_by_one[i].id, one_by_one[i].generation,
                                                       one_by_one[i].sid, one_by_one[i].version, base,
                                                       NULL, &one_by_one[i].found, &error));
    }
  g_assert_true (_si_store_commit (a, &error));
  g_assert_true (_si_store_begin (b, &error));
  g_assert_true (_si_store_sync_mark_pushed_many (b, SI_COLLECTION_IDEAS, together, G_N_ELEMENTS (together), &error));
  g_assert_true (_si_store_commit (b, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (together); i++)
    g_assert_cmpint (together[i].found, ==, one_by_one[i].found);
  g_assert_false (together[4].found);   /* E, gone */
  /* A, clean, is its own base; B, edited since, and C, deleted since, have the answer's text,
   * as one by one. */
  g_assert_cmpint (sql_int_store (b, "SELECT count (*) FROM ideas WHERE id = 3 AND base = ''"), ==, 1);
  g_assert_cmpint (sql_int_store (b, "SELECT count (*) FROM ideas WHERE base IS NOT NULL AND base != ''"), ==, 2);
  g_assert_true (_si_store_exec_bind (a, "UPDATE ideas SET base = '' WHERE id = 3", &error, ""));
  g_assert_no_error (error);
  dump_a = dump_push_state (a);
  dump_b = dump_push_state (b);
  g_assert_cmpstr (dump_b, ==, dump_a);
  for (guint i = 0; i < G_N_ELEMENTS (answers_a); i++)
    {
      g_clear_pointer (&answers_a[i], si_wire_record_free);
      g_clear_pointer (&answers_b[i], si_wire_record_free);
    }

  /* And what that is: A clean, B still to push on the new version, C's deletion still to
   * push, D's deletion done and in the Trash. */
  idea = si_store_get_idea (b, 3, &error);
  g_assert_cmpint (si_idea_get_sync_state (idea), ==, SI_SYNC_STATE_SYNCED);
  g_assert_cmpint (si_idea_get_sid (idea), ==, 103);
  g_clear_object (&idea);
  idea = si_store_get_idea (b, 4, &error);
  g_assert_cmpint (si_idea_get_sync_state (idea), ==, SI_SYNC_STATE_MODIFIED);
  g_assert_cmpint (si_idea_get_sid (idea), ==, 104);
  g_assert_cmpstr (si_idea_get_body (idea), ==, "b, edited");
  g_assert_no_error (error);
  g_assert_cmpint (sql_int_store (b, "SELECT state FROM ideas WHERE id = 1"), ==, SI_SYNC_STATE_DELETED);
  g_assert_cmpint (sql_int_store (b, "SELECT version FROM ideas WHERE id = 1"), ==, 2);
  g_assert_cmpint (sql_int_store (b, "SELECT count (*) FROM ideas WHERE id = 2"), ==, 0);
  g_assert_cmpint (sql_int_store (b, "SELECT sid FROM trash WHERE title = 'D'"), ==, 40);
  /* E's note stays (a complete pull forgets it: _si_store_sync_forget_stale_pushes()). */
  g_assert_cmpint (sql_int_store (b, "SELECT count (*) FROM sync_meta WHERE key LIKE 'pushed:%'"), ==, 1);
  g_assert_cmpuint (si_store_count_pending (b, NULL), ==, 2);
}

/* What the server answers to a push of record @id of @collection: what is sent, with @sid and
 * @version. */
static SiWireRecord *
answer_for (SiStore      *store,
            SiCollection *collection,
            gint64        id,
            gint64        sid,
            gint64        version)
{
  g_autoptr(GPtrArray) collections = si_collection_get_defaults ();
  g_autoptr(GError) error = NULL;
  SiWireRecord *record = _si_store_sync_read_for_server (store, collections, collection, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (record);
  record->id = sid;
  record->version = version;
  return record;
}

/* Records @answer to the push of record @id at @generation as a batch's answers are recorded. */
static void
record_answer (SiStore            *store,
               const char         *table,
               gint64              id,
               gint64              generation,
               const SiWireRecord *answer,
               gboolean            as_sent)
{
  g_autoptr(GError) error = NULL;
  SiSyncPushed one = { id, generation, answer->id, answer->version, answer, as_sent, FALSE };

  g_assert_true (_si_store_begin (store, &error));
  g_assert_true (_si_store_sync_mark_pushed_many (store, table, &one, 1, &error));
  g_assert_true (_si_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_true (one.found);
}

/* Record @id's base as the merges read it; NULL when it has none. */
static SiWireRecord *
read_base (SiStore          *store,
           const char       *table,
           SiWireCollection  wire,
           gint64            id)
{
  g_auto(SiSyncRow) row = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  SiWireRecord *base;

  g_assert_true (_si_store_sync_get_row (store, table, id, &row, &error));
  g_assert_no_error (error);
  if (row.base == NULL)
    return NULL;
  node = si_wire_parse (row.base, strlen (row.base), &error);
  g_assert_no_error (error);
  base = si_wire_record_from_json (node, wire, SI_WIRE_MODE_RESPONSE, &error);
  g_assert_no_error (error);
  return base;
}

/* Record @id's base is @answer, and its text is what the codec writes for @answer byte for
 * byte (a base the triggers write from the row, as one written from an answer's text). */
static void
assert_base_is (SiStore            *store,
                const char         *table,
                SiWireCollection    wire,
                gint64              id,
                const SiWireRecord *answer)
{
  g_autoptr(SiWireRecord) base = read_base (store, table, wire, id);
  g_auto(SiSyncRow) row = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = si_wire_record_to_text (answer, SI_WIRE_MODE_RESPONSE, NULL);

  g_assert_true (_si_store_sync_get_row (store, table, id, &row, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (row.base, ==, expected);
  g_assert_nonnull (base);
  g_assert_cmpint (base->id, ==, answer->id);
  g_assert_cmpint (base->version, ==, answer->version);
  g_assert_cmpstr (base->uid, ==, answer->uid);
  g_assert_false (base->deleted);
  g_assert_true (si_wire_record_content_equal (base, answer));
}

/* A push the server took as sent leaves the record its own base (base ''): no JSON text is
 * written. The base is written from the row, as the server has the record, when the record
 * stops being synced: an edit, a deletion, its tag deleted, a tag's rename. A push whose answer
 * is not what was sent, or of a record edited since, keeps the answer's text. */
static void
test_own_base (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GPtrArray) collections = si_collection_get_defaults ();
  SiCollection *tags = g_ptr_array_index (collections, 0);
  SiCollection *ideas = g_ptr_array_index (collections, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTag) work = NULL, home = NULL;
  g_autoptr(SiIdea) x = NULL, y = NULL, z = NULL, w = NULL, v = NULL;
  g_autoptr(SiWireRecord) a_work = NULL, a_home = NULL, a_x = NULL, a_y = NULL, a_z = NULL, a_w = NULL, a_v = NULL;
  g_autoptr(SiWireRecord) base = NULL;

  g_assert_cmpstr (si_collection_get_name (tags), ==, SI_COLLECTION_TAGS);
  g_assert_cmpstr (si_collection_get_name (ideas), ==, SI_COLLECTION_IDEAS);
  work = si_store_ensure_tag (store, "work", &error);
  home = si_store_ensure_tag (store, "home", &error);
  g_assert_no_error (error);
  a_work = answer_for (store, tags, si_tag_get_id (work), 7, 1);
  a_home = answer_for (store, tags, si_tag_get_id (home), 8, 1);
  record_answer (store, SI_COLLECTION_TAGS, si_tag_get_id (work), si_tag_get_generation (work), a_work, TRUE);
  record_answer (store, SI_COLLECTION_TAGS, si_tag_get_id (home), si_tag_get_generation (home), a_home, TRUE);

  x = si_idea_new ("X", "line one\nline two\n");
  si_idea_add_tag (x, si_tag_get_id (work));
  si_idea_add_tag (x, si_tag_get_id (home));
  si_idea_set_pinned (x, TRUE);
  g_assert_true (si_store_save_idea (store, x, SI_SAVE_LOCAL, &error));
  y = add_idea (store, "Y", "y");
  z = si_idea_new ("Z", "z");
  si_idea_add_tag (z, si_tag_get_id (work));
  g_assert_true (si_store_save_idea (store, z, SI_SAVE_LOCAL, &error));
  w = add_idea (store, "W", "w");
  v = add_idea (store, "V", "v");
  g_assert_no_error (error);
  /* Times with µs past the ms (as a local save writes them): the wire has them in ms, cut. */
  g_assert_cmpint (sqlite3_exec (_si_store_get_db (store),
                                 "UPDATE ideas SET created_at = 1700000000123999, updated_at = 1700000060456500"
                                 " WHERE title = 'Y'", NULL, NULL, NULL), ==, SQLITE_OK);
  a_x = answer_for (store, ideas, si_idea_get_id (x), 20, 1);
  g_assert_cmpuint (a_x->tags->len, ==, 2);
  a_y = answer_for (store, ideas, si_idea_get_id (y), 21, 1);
  a_z = answer_for (store, ideas, si_idea_get_id (z), 22, 1);
  a_w = answer_for (store, ideas, si_idea_get_id (w), 23, 1);
  a_v = answer_for (store, ideas, si_idea_get_id (v), 24, 1);

  /* Taken as sent: its own base. */
  record_answer (store, SI_COLLECTION_IDEAS, si_idea_get_id (x), si_idea_get_generation (x), a_x, TRUE);
  record_answer (store, SI_COLLECTION_IDEAS, si_idea_get_id (y), si_idea_get_generation (y), a_y, TRUE);
  record_answer (store, SI_COLLECTION_IDEAS, si_idea_get_id (z), si_idea_get_generation (z), a_z, TRUE);
  g_assert_cmpint (sql_int_store (store, "SELECT count (*) FROM ideas WHERE state = " SI_SQL_SYNCED " AND base = ''"), ==, 3);
  g_assert_cmpint (sql_int_store (store, "SELECT count (*) FROM tags WHERE state = " SI_SQL_SYNCED " AND base = ''"), ==, 2);
  /* The answer not quite what was sent: its text. */
  a_w->pinned = TRUE;
  record_answer (store, SI_COLLECTION_IDEAS, si_idea_get_id (w), si_idea_get_generation (w), a_w, FALSE);
  assert_base_is (store, SI_COLLECTION_IDEAS, SI_WIRE_COLLECTION_IDEAS, si_idea_get_id (w), a_w);
  /* Edited while the push was on the server: the answer's text. */
  si_idea_set_body (v, "v, edited");
  g_assert_true (si_store_save_idea (store, v, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  record_answer (store, SI_COLLECTION_IDEAS, si_idea_get_id (v), si_idea_get_generation (v) - 1, a_v, TRUE);
  assert_base_is (store, SI_COLLECTION_IDEAS, SI_WIRE_COLLECTION_IDEAS, si_idea_get_id (v), a_v);
  g_assert_cmpint (sql_int_store (store, "SELECT state FROM ideas WHERE title = 'V'"), ==, SI_SYNC_STATE_MODIFIED);

  /* An edit: the base is the version the server has, tags and pin included. */
  si_idea_set_body (x, "line one, edited\nline two\n");
  si_idea_set_pinned (x, FALSE);
  si_idea_remove_tag (x, si_tag_get_id (home));
  g_assert_true (si_store_save_idea (store, x, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  assert_base_is (store, SI_COLLECTION_IDEAS, SI_WIRE_COLLECTION_IDEAS, si_idea_get_id (x), a_x);
  /* A second edit keeps it. */
  si_idea_set_title (x, "X2");
  g_assert_true (si_store_save_idea (store, x, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  assert_base_is (store, SI_COLLECTION_IDEAS, SI_WIRE_COLLECTION_IDEAS, si_idea_get_id (x), a_x);

  /* A deletion: the tombstone keeps it. */
  g_assert_true (si_store_delete_idea (store, si_idea_get_id (y), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sql_int_store (store, "SELECT state FROM ideas WHERE title = 'Y'"), ==, SI_SYNC_STATE_DELETED);
  assert_base_is (store, SI_COLLECTION_IDEAS, SI_WIRE_COLLECTION_IDEAS, si_idea_get_id (y), a_y);

  /* A tag deleted here: its ideas' bases still have it (the server's versions do). */
  g_assert_true (si_store_delete_tag (store, si_tag_get_id (work), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sql_int_store (store, "SELECT state FROM ideas WHERE title = 'Z'"), ==, SI_SYNC_STATE_MODIFIED);
  assert_base_is (store, SI_COLLECTION_IDEAS, SI_WIRE_COLLECTION_IDEAS, si_idea_get_id (z), a_z);
  base = read_base (store, SI_COLLECTION_IDEAS, SI_WIRE_COLLECTION_IDEAS, si_idea_get_id (z));
  g_assert_cmpuint (base->tags->len, ==, 1);
  g_assert_cmpint (g_array_index (base->tags, gint64, 0), ==, 7);

  /* A tag's rename. */
  si_tag_set_name (home, "house");
  g_assert_true (si_store_save_tag (store, home, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  assert_base_is (store, SI_COLLECTION_TAGS, SI_WIRE_COLLECTION_TAGS, si_tag_get_id (home), a_home);
}

/* A synced record's columns the codec cannot write (a notebook damaged or written by hand: text
 * that is not UTF-8, a server id that is not a number) give it no base, and the edit is saved. */
static void
test_own_base_damaged (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GPtrArray) collections = si_collection_get_defaults ();
  SiCollection *ideas = g_ptr_array_index (collections, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) bad = add_idea (store, "Bad", "bytes");
  g_autoptr(SiIdea) odd = add_idea (store, "Odd", "server id");
  g_autoptr(SiIdea) good = add_idea (store, "Good", "text");
  g_autoptr(SiWireRecord) a_bad = answer_for (store, ideas, si_idea_get_id (bad), 30, 1);
  g_autoptr(SiWireRecord) a_odd = answer_for (store, ideas, si_idea_get_id (odd), 31, 1);
  g_autoptr(SiWireRecord) a_good = answer_for (store, ideas, si_idea_get_id (good), 32, 1);
  sqlite3 *db = _si_store_get_db (store);

  record_answer (store, SI_COLLECTION_IDEAS, si_idea_get_id (bad), si_idea_get_generation (bad), a_bad, TRUE);
  record_answer (store, SI_COLLECTION_IDEAS, si_idea_get_id (odd), si_idea_get_generation (odd), a_odd, TRUE);
  record_answer (store, SI_COLLECTION_IDEAS, si_idea_get_id (good), si_idea_get_generation (good), a_good, TRUE);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE ideas SET device = CAST (X'C3FF' AS TEXT) WHERE title = 'Bad';"
                                     "UPDATE ideas SET sid = '31x' WHERE title = 'Odd'", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE ideas SET state = " SI_SQL_MODIFIED, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sql_int_store (store, "SELECT count (*) FROM ideas WHERE state = " SI_SQL_MODIFIED), ==, 3);
  g_assert_cmpint (sql_int_store (store, "SELECT count (*) FROM ideas WHERE title IN ('Bad', 'Odd') AND base IS NULL"), ==, 2);
  assert_base_is (store, SI_COLLECTION_IDEAS, SI_WIRE_COLLECTION_IDEAS, si_idea_get_id (good), a_good);
  g_assert_no_error (error);
}

static void
assert_same_wire (const SiWireRecord *a,
                  const SiWireRecord *b)
{
  g_assert_cmpstr (a->uid, ==, b->uid);
  g_assert_cmpint (a->created_at, ==, b->created_at);
  g_assert_cmpint (a->updated_at, ==, b->updated_at);
  g_assert_cmpstr (a->device, ==, b->device);
  g_assert_cmpstr (a->title, ==, b->title);
  g_assert_cmpstr (a->body, ==, b->body);
  g_assert_cmpint (a->pinned, ==, b->pinned);
  g_assert_cmpuint (a->tags->len, ==, b->tags->len);
  for (guint i = 0; i < a->tags->len; i++)   /* in the same order */
    g_assert_cmpint (g_array_index (a->tags, gint64, i), ==, g_array_index (b->tags, gint64, i));
}

/* A push's records read together (read_many, _si_store_sync_read_pending()) are what reading
 * each one says: content, tags in their order, times, device; tombstones, synced and missing
 * records have nothing to send, and a tag the server does not have yet is left out. */
static void
test_read_pending (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GPtrArray) collections = si_collection_get_defaults ();
  SiCollection *ideas = g_ptr_array_index (collections, 1);
  const SiCollectionCodec *codec = si_collection_get_codec (ideas);
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTag) zebra = si_store_ensure_tag (store, "zebra", &error);
  g_autoptr(SiTag) apple = si_store_ensure_tag (store, "apple", &error);
  g_autoptr(SiTag) gone = si_store_ensure_tag (store, "gone", &error);
  g_autoptr(SiIdea) tagged = si_idea_new ("Tagged", "three tags");
  g_autoptr(SiIdea) plain = add_idea (store, "Plain", "");
  g_autoptr(SiIdea) synced = add_idea (store, "Synced", "");
  g_autoptr(SiIdea) deleted = add_idea (store, "Deleted", "");
  g_autoptr(GHashTable) many = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                      (GDestroyNotify) si_wire_record_free);
  gint64 tag_ids[3];
  gint64 ids[5];
  SiSyncRow rows[5] = { { 0, } };
  SiWireRecord *records[5] = { NULL, };

  g_assert_no_error (error);
  tag_ids[0] = si_tag_get_id (zebra);
  tag_ids[1] = si_tag_get_id (apple);
  tag_ids[2] = si_tag_get_id (gone);
  si_idea_set_tag_ids (tagged, tag_ids, 3);
  si_idea_set_pinned (tagged, TRUE);
  g_assert_true (si_store_save_idea (store, tagged, SI_SAVE_LOCAL, &error));
  g_assert_true (si_store_delete_tag (store, si_tag_get_id (gone), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  push (store, SI_COLLECTION_IDEAS, si_idea_get_id (synced), si_idea_get_generation (synced), 50, 1);
  push (store, SI_COLLECTION_IDEAS, si_idea_get_id (deleted), si_idea_get_generation (deleted), 51, 1);
  g_assert_true (si_store_delete_idea (store, si_idea_get_id (deleted), SI_SAVE_LOCAL, &error));
  push (store, SI_COLLECTION_TAGS, si_tag_get_id (zebra), si_tag_get_generation (zebra), 70, 1);
  g_assert_no_error (error);

  ids[0] = si_idea_get_id (plain);
  ids[1] = si_idea_get_id (tagged);
  ids[2] = si_idea_get_id (synced);
  ids[3] = si_idea_get_id (deleted);
  ids[4] = 999;   /* not there */

  /* The collection's read of many is its read of each. */
  g_assert_true (codec->read_many (store, ids, G_N_ELEMENTS (ids), many, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (many), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(SiWireRecord) one = codec->read (store, ids[i], &error);

      g_assert_no_error (error);
      assert_same_wire (g_hash_table_lookup (many, &ids[i]), one);
    }
  g_assert_cmpuint (((SiWireRecord *) g_hash_table_lookup (many, &ids[1]))->tags->len, ==, 2);

  /* What a push reads: only what there is to send, relations as server ids. */
  g_assert_true (_si_store_sync_read_pending (store, collections, ideas, ids, G_N_ELEMENTS (ids), rows, records, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(SiWireRecord) one = _si_store_sync_read_for_server (store, collections, ideas, ids[i], &error);

      g_assert_no_error (error);
      g_assert_nonnull (records[i]);
      assert_same_wire (records[i], one);
      g_assert_cmpint (rows[i].id, ==, ids[i]);
      g_assert_cmpint (rows[i].state, ==, SI_SYNC_STATE_CREATED);
    }
  g_assert_cmpuint (records[1]->tags->len, ==, 1);
  g_assert_cmpint (g_array_index (records[1]->tags, gint64, 0), ==, 70);   /* zebra; apple is not on the server */
  g_assert_null (records[2]);
  g_assert_cmpint (rows[2].state, ==, SI_SYNC_STATE_SYNCED);
  g_assert_null (records[3]);
  g_assert_cmpint (rows[3].state, ==, SI_SYNC_STATE_DELETED);
  g_assert_cmpint (rows[3].sid, ==, 51);
  g_assert_null (records[4]);
  g_assert_cmpint (rows[4].id, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      _si_sync_row_clear (&rows[i]);
      g_clear_pointer (&records[i], si_wire_record_free);
    }
}

static void
test_tags_on_ideas (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTag) work = si_store_ensure_tag (store, "Work", &error);
  g_autoptr(SiTag) same = si_store_ensure_tag (store, "  wORK ", &error);
  g_autoptr(SiIdea) idea = si_idea_new ("Tagged", "");
  g_autoptr(SiIdea) loaded = NULL;
  g_autoptr(GPtrArray) tags = NULL;
  const char * const *names;

  g_assert_no_error (error);
  g_assert_cmpint (si_tag_get_id (work), ==, si_tag_get_id (same));

  si_idea_add_tag (idea, si_tag_get_id (work));
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  names = si_idea_get_tag_names (idea);
  g_assert_cmpstr (names[0], ==, "Work");
  g_assert_null (names[1]);

  tags = si_store_list_tags (store, &error);
  g_assert_cmpuint (tags->len, ==, 1);
  g_assert_cmpuint (si_tag_get_idea_count (g_ptr_array_index (tags, 0)), ==, 1);

  /* Deleting a synced tag takes it off the idea, and the idea must tell the server. */
  push (store, SI_COLLECTION_TAGS, si_tag_get_id (work), 1, 5, 5);
  push (store, SI_COLLECTION_IDEAS, si_idea_get_id (idea), si_idea_get_generation (idea), 6, 6);
  g_assert_true (si_store_delete_tag (store, si_tag_get_id (work), SI_SAVE_LOCAL, &error));
  loaded = si_store_get_idea (store, si_idea_get_id (idea), &error);
  g_assert_no_error (error);
  g_assert_null (si_idea_get_tag_names (loaded)[0]);
  g_assert_cmpint (si_idea_get_sync_state (loaded), ==, SI_SYNC_STATE_MODIFIED);
  g_assert_cmpuint (si_store_count_pending (store, NULL), ==, 2);
}

/* Pulls one tag record as the sync engine does. */
static SiSyncApplied
pull_tag (SiStore    *store,
          gint64      sid,
          gint64      version,
          const char *name)
{
  g_autoptr(GPtrArray) collections = si_collection_get_defaults ();
  g_autoptr(SiWireRecord) remote = si_wire_record_new (SI_WIRE_COLLECTION_TAGS);
  g_autoptr(GError) error = NULL;
  SiSyncApplied applied = SI_SYNC_APPLIED_NOTHING;

  remote->id = sid;
  remote->version = version;
  remote->uid = g_uuid_string_random ();
  remote->created_at = remote->updated_at = 1764302930123;
  g_free (remote->name);
  remote->name = g_strdup (name);
  g_assert_true (_si_store_begin (store, &error));
  g_assert_true (_si_store_sync_apply (store, collections, g_ptr_array_index (collections, 0), remote,
                                       &applied, &error));
  g_assert_no_error (error);
  g_assert_true (_si_store_commit (store, &error));
  return applied;
}

/* A new tag name is normalised before the uniqueness check (white space trimmed, zero-width
 * characters removed); a pulled name is kept as the server holds it. */
static void
test_tag_names (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTag) x = si_store_ensure_tag (store, "x", &error);
  g_autoptr(SiTag) other = si_store_ensure_tag (store, "Other", &error);
  g_autoptr(GPtrArray) tags = NULL;

  g_assert_no_error (error);

  /* "x" with zero-width or Unicode space characters is "x". */
  {
    const char *same[] = { "x\u200b", "\u200bx", "x\u00a0", " X\u3000", "\ufeffx\u2060", "x\u200d\u200c" };

    for (guint i = 0; i < G_N_ELEMENTS (same); i++)
      {
        g_autoptr(SiTag) found = si_store_ensure_tag (store, same[i], &error);
        g_autoptr(SiTag) fresh = si_tag_new (same[i]);
        g_autofree char *key = si_tag_name_key (same[i]);
        g_autofree char *x_key = si_tag_name_key ("x");

        g_assert_no_error (error);
        g_assert_cmpint (si_tag_get_id (found), ==, si_tag_get_id (x));
        g_assert_false (si_store_save_tag (store, fresh, SI_SAVE_LOCAL, &error));
        g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_EXISTS);
        g_clear_error (&error);
        g_assert_cmpstr (key, ==, x_key);
      }
  }
  /* Nothing but white space or zero-width characters: no name. A control character: refused. */
  {
    const char *refused[] = { " ", "\u200b", "\u00a0\u200b\u3000", "\t\ufeff", "a\x01" "b", "\x1b[1m" };

    for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
      {
        g_autoptr(SiTag) fresh = si_tag_new (refused[i]);
        g_autoptr(SiTag) found = si_store_ensure_tag (store, refused[i], &error);

        g_assert_null (found);
        g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID);
        g_clear_error (&error);
        g_assert_false (si_store_save_tag (store, fresh, SI_SAVE_LOCAL, &error));
        g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID);
        g_assert_nonnull (error->message);
        g_clear_error (&error);
      }
  }
  /* Renaming to either: refused, the old name stays. */
  si_tag_set_name (other, "x\u200b");
  g_assert_false (si_store_save_tag (store, other, SI_SAVE_LOCAL, &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  si_tag_set_name (other, "\u3000\u200b");
  g_assert_false (si_store_save_tag (store, other, SI_SAVE_LOCAL, &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autoptr(SiTag) still = si_store_get_tag (store, si_tag_get_id (other), &error);

    g_assert_cmpstr (si_tag_get_name (still), ==, "Other");
  }
  /* What is stored is the normalised name. */
  {
    g_autoptr(SiTag) fresh = si_tag_new (" \u200bTwo \t\u00a0words\u200b ");
    g_autoptr(SiTag) composed = si_tag_new ("cafe\u0301");

    g_assert_true (si_store_save_tag (store, fresh, SI_SAVE_LOCAL, &error));
    g_assert_cmpstr (si_tag_get_name (fresh), ==, "Two words");
    g_assert_true (si_store_save_tag (store, composed, SI_SAVE_LOCAL, &error));
    g_assert_cmpstr (si_tag_get_name (composed), ==, "caf\u00e9");
  }

  /* Names a server stored before the rule arrive as they are, beside "x", and are not lost;
   * "x" itself is left alone (no "x (3)" to make way). */
  push (store, SI_COLLECTION_TAGS, si_tag_get_id (x), 1, 1, 1);
  g_assert_cmpint (pull_tag (store, 3, 10, "x\u200b"), ==, SI_SYNC_APPLIED_TAKEN);
  g_assert_cmpint (pull_tag (store, 4, 11, " "), ==, SI_SYNC_APPLIED_TAKEN);
  tags = si_store_list_tags (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tags->len, ==, 6);
  {
    g_autoptr(SiTag) still_x = si_store_get_tag (store, si_tag_get_id (x), &error);
    g_autoptr(SiTag) zw = NULL;
    g_autoptr(SiTag) blank = NULL;

    g_assert_cmpstr (si_tag_get_name (still_x), ==, "x");
    for (guint i = 0; i < tags->len; i++)
      {
        SiTag *tag = g_ptr_array_index (tags, i);

        if (si_tag_get_sid (tag) == 3)
          zw = g_object_ref (tag);
        else if (si_tag_get_sid (tag) == 4)
          blank = g_object_ref (tag);
      }
    g_assert_nonnull (zw);
    g_assert_nonnull (blank);
    g_assert_cmpstr (si_tag_get_name (zw), ==, "x\u200b");
    g_assert_cmpstr (si_tag_get_name (blank), ==, " ");

    /* Such a tag's colour can still change here (its name is kept as it is)... */
    si_tag_set_colour (zw, "#3584e4");
    g_assert_true (si_store_save_tag (store, zw, SI_SAVE_LOCAL, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (si_tag_get_name (zw), ==, "x\u200b");
    g_assert_cmpstr (si_tag_get_colour (zw), ==, "#3584e4");
    /* ...and a new name for it is normalised like any other. */
    si_tag_set_name (blank, " Blank\u200b");
    g_assert_true (si_store_save_tag (store, blank, SI_SAVE_LOCAL, &error));
    g_assert_cmpstr (si_tag_get_name (blank), ==, "Blank");
  }
}

static void
test_bad_input (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiIdea) good = add_idea (store, "Good", "fine");
  g_autoptr(SiIdea) bad = si_idea_new (NULL, NULL);
  g_autoptr(SiTag) tag = si_tag_new ("Café");
  g_autoptr(SiTag) clash = si_tag_new ("CAFÉ");
  g_autoptr(SiTag) empty = si_tag_new ("   ");
  g_autoptr(SiTag) pink = si_tag_new ("pink");
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) still = NULL;
  g_autofree char *long_title = g_strnfill (SI_TITLE_MAX_CHARS + 1, 'x');
  g_autofree char *path = temp_db_path ();
  int changes_before;

  changes_before = sql_int (path, "SELECT count (*) FROM change_log");

  si_idea_set_title (bad, "bad \xff\xfe bytes");
  g_assert_false (si_store_save_idea (store, bad, SI_SAVE_LOCAL, &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID);
  g_clear_error (&error);

  si_idea_set_title (bad, long_title);
  g_assert_false (si_store_save_idea (store, bad, SI_SAVE_LOCAL, &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "too long"));
  g_clear_error (&error);

  /* An edit of an existing idea that is refused leaves it as it was. */
  si_idea_set_title (good, long_title);
  g_assert_false (si_store_save_idea (store, good, SI_SAVE_LOCAL, &error));
  g_clear_error (&error);
  still = si_store_get_idea (store, si_idea_get_id (good), &error);
  g_assert_cmpstr (si_idea_get_title (still), ==, "Good");

  /* A tag that does not exist. */
  si_idea_set_title (bad, "fine");
  si_idea_add_tag (bad, 9999);
  g_assert_false (si_store_save_idea (store, bad, SI_SAVE_LOCAL, &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_null (si_store_get_idea (store, 12345, &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (si_store_delete_idea (store, 12345, SI_SAVE_LOCAL, &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Tag names are unique ignoring case, accents included. */
  g_assert_true (si_store_save_tag (store, tag, SI_SAVE_LOCAL, &error));
  g_assert_false (si_store_save_tag (store, clash, SI_SAVE_LOCAL, &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (si_store_save_tag (store, empty, SI_SAVE_LOCAL, &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID);
  g_clear_error (&error);
  si_tag_set_colour (pink, "pink");
  g_assert_false (si_store_save_tag (store, pink, SI_SAVE_LOCAL, &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Only the good idea and the one tag were ever written. */
  g_assert_cmpint (sql_int (path, "SELECT count (*) FROM ideas"), ==, 1);
  g_assert_cmpint (sql_int (path, "SELECT count (*) FROM tags"), ==, 1);
  g_assert_cmpint (sql_int (path, "SELECT count (*) FROM change_log"), ==, changes_before + 1);
}

static void
assert_file_untouched (const char *path,
                       const char *contents,
                       gsize       length)
{
  g_autofree char *after = NULL;
  gsize after_length = 0;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  g_assert_true (g_file_get_contents (path, &after, &after_length, NULL));
  g_assert_cmpmem (after, after_length, contents, length);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

static void
test_corrupt_file_untouched (void)
{
  g_autofree char *path = temp_db_path ();
  static const char garbage[] = "These are my notes in a text file, not a database.\n";
  g_autoptr(GError) error = NULL;
  SiStore *store;

  g_assert_true (g_file_set_contents (path, garbage, sizeof garbage - 1, NULL));
  store = si_store_new (path, &error);
  g_assert_null (store);
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));
  assert_file_untouched (path, garbage, sizeof garbage - 1);
}

static void
test_damaged_database_untouched (void)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  SiStore *store;

  /* A real notebook whose pages were overwritten after the header. */
  store = open_store ();
  g_clear_object (&store);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 4096);
  memset (contents + 100, 0xA5, length - 100);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));

  store = si_store_new (path, &error);
  g_assert_null (store);
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_CORRUPT);
  assert_file_untouched (path, contents, length);
}

static void
test_foreign_database_untouched (void)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  gsize length;
  SiStore *store;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));

  store = si_store_new (path, &error);
  g_assert_null (store);
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_CORRUPT);
  assert_file_untouched (path, contents, length);
}

static void
test_newer_schema_refused (void)
{
  g_autofree char *path = temp_db_path ();
  g_autoptr(GError) error = NULL;
  SiStore *store = open_store ();
  sqlite3 *db = NULL;

  g_clear_object (&store);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = si_store_new (path, &error);
  g_assert_null (store);
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_TOO_NEW);
  g_assert_cmpint (sql_int (path, "PRAGMA user_version"), ==, 99);
}

static void
test_migrate_from_v1 (void)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *fixture = g_test_build_filename (G_TEST_DIST, "data", "schema-v1.sql", NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) store = NULL;
  g_autoptr(SiIdea) night = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GArray) outbox = NULL;
  sqlite3 *db = NULL;

  g_assert_true (g_file_get_contents (fixture, &sql, NULL, &error));
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpint (sql_int (path, "PRAGMA user_version"), ==, 1);

  store = si_store_new (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (path, "PRAGMA user_version"), ==, SI_STORE_SCHEMA_VERSION);
  g_assert_cmpuint (si_store_count_ideas (store, NULL, NULL), ==, 2);

  night = si_store_get_idea (store, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_title (night), ==, "Night train to Vienna");
  g_assert_cmpint (si_idea_get_sid (night), ==, 8);
  g_assert_true (si_idea_get_pinned (night));
  g_assert_cmpstr (si_idea_get_tag_names (night)[0], ==, "Travel");

  /* The old ideas are in the new search index, accents folded, tags included. */
  found = si_store_search (store, "cafe", 0, &error);
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = si_store_search (store, "trav", 0, &error);
  g_assert_cmpuint (found->len, ==, 1);

  /* The unsynced idea is still waiting to be pushed. */
  outbox = si_store_get_outbox (store, &error);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_assert_cmpint (g_array_index (outbox, SiOutboxEntry, 0).id, ==, 2);
  g_assert_cmpint (g_array_index (outbox, SiOutboxEntry, 0).generation, ==, 3);

  /* The synced idea as a push the server took as sent leaves it (its own base), then edited:
   * the migrated notebook's trigger writes its base as the codec writes the server's record. */
  {
    g_auto(SiSyncRow) row = { 0, };
    g_autoptr(SiWireRecord) expected = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);
    g_autofree char *expected_text = NULL;

    g_assert_cmpint (sqlite3_exec (_si_store_get_db (store), "UPDATE ideas SET base = '' WHERE id = 1",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    si_idea_set_body (night, "Book the sleeper café car, and a seat");
    g_assert_true (si_store_save_idea (store, night, SI_SAVE_LOCAL, &error));
    g_assert_no_error (error);
    g_assert_true (_si_store_sync_get_row (store, SI_COLLECTION_IDEAS, 1, &row, &error));
    g_assert_no_error (error);
    expected->id = 8;
    expected->version = 8;
    expected->uid = g_strdup ("0b7d4a8e-2f3c-4e61-8d5a-9c1e2b3f4a50");
    expected->created_at = 1700000000000;
    expected->updated_at = 1700000001000;
    g_free (expected->title);
    expected->title = g_strdup ("Night train to Vienna");
    g_free (expected->body);
    expected->body = g_strdup ("Book the sleeper café car");
    expected->pinned = TRUE;
    si_wire_record_add_tag (expected, 7);
    expected_text = si_wire_record_to_text (expected, SI_WIRE_MODE_RESPONSE, NULL);
    g_assert_cmpstr (row.base, ==, expected_text);
  }
}

static void
test_search (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) body_match = add_idea (store, "Groceries", "coffee beans and a café crème");
  g_autoptr(SiIdea) title_match = add_idea (store, "Café on the corner", "open late");
  g_autoptr(SiIdea) other = add_idea (store, "Garden", "plant tomatoes");
  g_autoptr(SiTag) tag = si_store_ensure_tag (store, "Kitchen", &error);
  g_autoptr(GPtrArray) found = NULL;

  si_idea_add_tag (other, si_tag_get_id (tag));
  g_assert_true (si_store_save_idea (store, other, SI_SAVE_LOCAL, &error));

  /* Accents folded both ways, prefix matching, title ranked above body. */
  found = si_store_search (store, "cafe", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 2);
  g_assert_cmpint (si_idea_get_id (found->pdata[0]), ==, si_idea_get_id (title_match));
  g_assert_cmpint (si_idea_get_id (found->pdata[1]), ==, si_idea_get_id (body_match));
  g_clear_pointer (&found, g_ptr_array_unref);

  found = si_store_search (store, "CRÈM", 0, &error);
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_ptr_array_unref);

  /* Every word must match; tag names are searched too. */
  found = si_store_search (store, "caf lat", 0, &error);
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = si_store_search (store, "kitch", 0, &error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpint (si_idea_get_id (found->pdata[0]), ==, si_idea_get_id (other));
  g_clear_pointer (&found, g_ptr_array_unref);

  /* What FTS would take as syntax is just text; punctuation alone matches nothing. */
  found = si_store_search (store, "\"cafe OR NOT (", 0, &error);
  g_assert_no_error (error);
  g_clear_pointer (&found, g_ptr_array_unref);
  {
    SiIdeaFilter filter = { .search = "!!! ..." };
    g_autoptr(GArray) keys = si_store_query_ideas (store, &filter, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (keys->len, ==, 0);
    g_assert_cmpuint (si_store_count_ideas (store, &filter, NULL), ==, 0);
  }

  /* Edits and deletions keep the index current. */
  si_idea_set_title (title_match, "Bakery on the corner");
  g_assert_true (si_store_save_idea (store, title_match, SI_SAVE_LOCAL, &error));
  g_assert_true (si_store_delete_idea (store, si_idea_get_id (body_match), SI_SAVE_LOCAL, &error));
  found = si_store_search (store, "cafe", 0, &error);
  g_assert_cmpuint (found->len, ==, 0);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = si_store_search (store, "bak", 0, &error);
  g_assert_cmpuint (found->len, ==, 1);
}

typedef struct {
  GArray *ids;
} Seen;

static void
on_changed (SiStore    *store,
            const char *collection,
            gint64      id,
            Seen       *seen)
{
  if (g_str_equal (collection, SI_COLLECTION_IDEAS))
    g_array_append_val (seen->ids, id);
}

/* One commit that changes an idea, a hundred others, then the first again: `changed` names
 * each once (the duplicate is found after the list of ids has grown: ASan saw its keys move). */
static void
test_changed_once_per_idea (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GPtrArray) ideas = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  Seen seen = { g_array_new (FALSE, FALSE, sizeof (gint64)) };

  for (guint i = 0; i < 101; i++)
    {
      g_autofree char *title = g_strdup_printf ("Idea %u", i);
      g_ptr_array_add (ideas, add_idea (store, title, ""));
    }
  g_signal_connect (store, "changed", G_CALLBACK (on_changed), &seen);
  g_assert_true (_si_store_begin (store, &error));
  for (guint i = 0; i <= ideas->len; i++)
    {
      SiIdea *idea = g_ptr_array_index (ideas, i % ideas->len);
      g_autofree char *body = g_strdup_printf ("edit %u", i);

      si_idea_set_body (idea, body);
      g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
    }
  g_assert_true (_si_store_commit (store, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (seen.ids->len, ==, ideas->len);
  for (guint i = 0; i < ideas->len; i++)
    g_assert_cmpint (g_array_index (seen.ids, gint64, i), ==, si_idea_get_id (g_ptr_array_index (ideas, i)));
  g_array_unref (seen.ids);
}

/* Changes with nobody listening are passed over: a listener connected later (to one
 * collection's changes) hears of the changes after it, each once, and of none before. */
static void
test_changed_listener_later (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiIdea) before = add_idea (store, "Before", "");
  g_autoptr(SiIdea) after = NULL;
  g_autoptr(GError) error = NULL;
  Seen seen = { g_array_new (FALSE, FALSE, sizeof (gint64)) };

  si_idea_set_body (before, "edited with nobody listening");
  g_assert_true (si_store_save_idea (store, before, SI_SAVE_LOCAL, &error));
  g_signal_connect (store, "changed::" SI_COLLECTION_IDEAS, G_CALLBACK (on_changed), &seen);
  after = add_idea (store, "After", "");
  si_idea_set_body (after, "edited");
  g_assert_true (si_store_save_idea (store, after, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (seen.ids->len, ==, 2);
  g_assert_cmpint (g_array_index (seen.ids, gint64, 0), ==, si_idea_get_id (after));
  g_assert_cmpint (g_array_index (seen.ids, gint64, 1), ==, si_idea_get_id (after));
  g_array_unref (seen.ids);
}

/* Frames in the notebook's write-ahead log now (the PRAGMA then copies them, too). */
static int
wal_frames (SiStore *store)
{
  sqlite3_stmt *stmt = NULL;
  int frames;

  g_assert_cmpint (sqlite3_prepare_v2 (_si_store_get_db (store), "PRAGMA wal_checkpoint(PASSIVE)", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  frames = sqlite3_column_int (stmt, 1);
  sqlite3_finalize (stmt);
  return frames;
}

static void
save_big_ideas (SiStore *store, guint n, gsize body_size)
{
  g_autoptr(GString) body = g_string_new (NULL);

  for (guint i = 0; body->len < body_size; i++)
    g_string_append_printf (body, "word%u ", i % 997);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *title = g_strdup_printf ("Long idea %u", i);
      g_autoptr(SiIdea) idea = si_idea_new (title, body->str);

      g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
      g_assert_no_error (error);
    }
}

static guint count_found (SiStore *store, const char *search);

/* Ideas of 12 KiB each that the search index holds nothing of (no words): they grow the log,
 * and filling them writes little. */
static void
save_wordless_ideas (SiStore *store,
                     guint    n)
{
  g_autofree char *body = g_strnfill (12 * 1024, '.');

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SiIdea) idea = si_idea_new ("", body);

      g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
      g_assert_no_error (error);
    }
}

/* The log's first salt (bytes 16–19 of its header): a writer that starts the log again from
 * its beginning changes it, and syncs the new header before its own pages. (The checkpoint
 * sequence number of bytes 12–15 is counted per connection: two may write the same.) */
static guint32
wal_sequence (SiStore *store)
{
  g_autofree char *wal = g_strconcat (si_store_get_path (store), "-wal", NULL);
  guint8 header[20] = { 0 };
  int fd = open (wal, O_RDONLY | O_CLOEXEC);

  /* SQLite holds no lock on the log file itself: closing this descriptor drops none. */
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pread (fd, header, sizeof header, 0), ==, sizeof header);
  close (fd);
  return (guint32) header[16] << 24 | header[17] << 16 | header[18] << 8 | header[19];
}

/* The log is copied into the database by the store's thread once the saves pause, not by the
 * save that crosses 1,000 pages, and started again by the thread's own next commit (its fill of
 * the search index), not by the next save: a save that starts the log waits for two fdatasyncs
 * (the header's, then its own), and in the app every save after a pause was one. */
static void
test_checkpoint_when_quiet (void)
{
  g_autoptr(SiStore) store = open_store ();
  guint32 sequence, after_pause;
  guint done;
  int frames;

  /* Well over 1,000 pages of log (not the cap), one save at a time. */
  save_wordless_ideas (store, 150);
  sequence = wal_sequence (store);
  done = _si_store_wait_checkpoints (store);
  g_test_message ("%u checkpoints", done);
  g_assert_cmpuint (done, >=, 1);
  /* Started again by the thread (unless a slow machine gave the thread a quiet moment during
   * the saves, and the log was started again then). */
  after_pause = wal_sequence (store);
  g_test_message ("the log was%s started again in the pause", after_pause != sequence ? "" : " not");

  /* The save after the pause adds to the log the thread started. */
  save_big_ideas (store, 1, 100);
  g_assert_cmpuint (wal_sequence (store), ==, after_pause);
  frames = wal_frames (store);
  g_test_message ("%d frames in the log after one more save", frames);
  g_assert_cmpint (frames, <, 1000);
}

/* Edits with a pause after each, as someone types: the thread fills the search index with each
 * edited idea in the pause, and the next save never starts the log again (the thread's
 * commits do, when they follow a copy of the whole log). */
static void
test_checkpoint_pauses_no_restart (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiIdea) idea = add_idea (store, "Typing", "first words");
  g_autoptr(GError) error = NULL;
  guint restarts = 0;

  save_wordless_ideas (store, 150);
  _si_store_wait_checkpoints (store);
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *body = g_strdup_printf ("first words and %u more", i);
      guint32 before = wal_sequence (store);

      si_idea_set_body (idea, body);
      g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
      g_assert_no_error (error);
      if (wal_sequence (store) != before)
        {
          g_test_message ("save %u started the log again", i);
          restarts++;
        }
      _si_store_wait_checkpoints (store);
      /* Big saves now and then take the log past 1,000 pages: the thread copies it. */
      if (i % 10 == 9)
        {
          save_wordless_ideas (store, 150);
          _si_store_wait_checkpoints (store);
        }
    }
  g_test_message ("%u checkpoints; %u of 30 saves after a pause started the log again",
                  _si_store_count_checkpoints (store), restarts);
  g_assert_cmpuint (_si_store_count_checkpoints (store), >=, 3);
  g_assert_cmpuint (restarts, ==, 0);
  g_assert_cmpuint (count_found (store, "more"), ==, 1);
}

typedef struct {
  SiStoreCheckpointer *checkpointer;
  GMutex               mutex;
  GCond                cond;
  gboolean             in_step;
} StepHook;

/* On the checkpoint thread, inside a fill step, holding the write lock: tells the test, then
 * waits until the test's save waits for the lock. */
static void
hold_step_until_save_waits (gpointer data)
{
  StepHook *hook = data;
  gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  g_mutex_lock (&hook->mutex);
  if (hook->in_step)
    {
      /* Only the first step. */
      g_mutex_unlock (&hook->mutex);
      return;
    }
  hook->in_step = TRUE;
  g_cond_broadcast (&hook->cond);
  g_mutex_unlock (&hook->mutex);
  while (!_si_store_checkpointer_writer_waits (hook->checkpointer) && g_get_monotonic_time () < end)
    g_usleep (1000);
}

/* A save that finds the thread in a fill step does not wait for the step to end: the step
 * gives the write lock back at once (it is rolled back, and its idea filled in a later
 * pause), and search is right after all. */
static void
test_checkpoint_fill_yields (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(SiIdea) other = NULL;
  StepHook hook = { _si_store_get_checkpointer (store) };
  guint yielded = 0, overrun = 0;
  gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  g_mutex_init (&hook.mutex);
  g_cond_init (&hook.cond);
  _si_store_checkpointer_set_step_hook (hook.checkpointer, hold_step_until_save_waits, &hook);
  for (guint i = 0; i < 3000; i++)
    g_string_append_printf (body, "word%u ", i);
  idea = add_idea (store, "A long idea", body->str);

  /* The thread fills it once the notebook is quiet; the hook holds the step. */
  g_mutex_lock (&hook.mutex);
  while (!hook.in_step && g_get_monotonic_time () < end)
    g_cond_wait_until (&hook.cond, &hook.mutex, end);
  g_mutex_unlock (&hook.mutex);
  g_assert_true (hook.in_step);
  other = add_idea (store, "Saved meanwhile", "while the thread filled");

  _si_store_checkpointer_steps (hook.checkpointer, &yielded, &overrun);
  g_test_message ("steps given up for a save: %u; waited for to their end: %u", yielded, overrun);
  g_assert_cmpuint (yielded, >=, 1);
  g_assert_cmpuint (overrun, ==, 0);

  /* Both are found, indexed (the next pause) or not. */
  _si_store_wait_checkpoints (store);
  g_assert_cmpuint (count_found (store, "word2999"), ==, 1);
  g_assert_cmpuint (count_found (store, "meanwhile"), ==, 1);
  g_assert_cmpuint (si_store_get_search_pending (store), ==, 0);
  g_assert_no_error (error);
  _si_store_checkpointer_set_step_hook (hook.checkpointer, NULL, NULL);
  g_mutex_clear (&hook.mutex);
  g_cond_clear (&hook.cond);
}

/* Writes that never pause: the commit that takes the log past its cap copies it itself, so the
 * log does not grow without end. */
static void
test_checkpoint_cap (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  int frames;

  /* One transaction of well over 4,000 pages, then at once another save: the log was copied by
   * the big commit, so that save starts it again (the thread would wait for a quiet moment). */
  g_assert_true (_si_store_begin (store, &error));
  save_big_ideas (store, 1200, 16 * 1024);
  g_assert_true (_si_store_commit (store, &error));
  save_big_ideas (store, 1, 100);
  frames = wal_frames (store);
  g_test_message ("%d frames in the log after one more save", frames);
  g_assert_cmpint (frames, <, 100);
}

/* Writes that never pause: the thread copies the log while they go on (it does not block them),
 * so that the commit at the cap has only the rest to copy; and the cap still starts the log
 * again, so the log file stays bounded. */
static void
test_checkpoint_burst (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autofree char *wal = g_strconcat (si_store_get_path (store), "-wal", NULL);
  GStatBuf st;
  guint saves = 0;

  /* About 33 pages of log a save: the thread's first copy is due at 1,500 pages; the loop ends
   * well before the cap (4,000). The saves follow each other with no pause of 100 ms. */
  while (_si_store_count_checkpoints (store) == 0 && saves < 105)
    {
      save_big_ideas (store, 1, 12 * 1024);
      saves++;
    }
  g_test_message ("the thread's first checkpoint after %u saves", saves);
  /* A loaded machine may not have run the thread during those saves (it was woken, the copy is
   * due): wait for it, rather than assume it ran. */
  if (_si_store_count_checkpoints (store) == 0)
    _si_store_wait_checkpoints (store);
  g_assert_cmpuint (_si_store_count_checkpoints (store), >=, 1);

  /* On past the cap twice over, still without a pause: the log is started again at the cap. */
  save_big_ideas (store, 250, 12 * 1024);
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_test_message ("log file of %" G_GINT64_FORMAT " bytes", (gint64) st.st_size);
  g_assert_cmpint (st.st_size, <, (goffset) 5000 * (4096 + 24));
}

/* How many ideas a search finds. */
static guint
count_found (SiStore *store, const char *search)
{
  g_autoptr(GError) error = NULL;
  SiIdeaFilter filter = { .search = search };
  g_autoptr(GArray) keys = si_store_query_ideas (store, &filter, &error);

  g_assert_no_error (error);
  return keys->len;
}

/* Saves with pauses between them: the store's thread merges the search indexes' segments in
 * the pauses (instead of the saves), and search stays right through edits and deletions. */
static void
test_checkpoint_merges_search (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GPtrArray) ideas = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  sqlite3 *db = _si_store_get_db (store);

  for (guint i = 0; i < 24; i++)
    {
      g_autofree char *title = g_strdup_printf ("Idea alpha%u", i);
      g_autofree char *body = g_strdup_printf ("common words %s 東京の旅行メモ%u", i % 2 ? "odd" : "even", i);

      g_ptr_array_add (ideas, add_idea (store, title, body));
      /* A pause: the thread merges once the notebook is quiet. */
      _si_store_wait_checkpoints (store);
    }
  g_test_message ("%u merge steps", _si_store_count_search_merges (store));
  g_assert_cmpuint (_si_store_count_search_merges (store), >=, 2);

  /* Edits and deletions, with pauses, while the thread merges. */
  for (guint i = 0; i < 24; i += 3)
    {
      SiIdea *idea = ideas->pdata[i];
      g_autofree char *title = g_strdup_printf ("Idea beta%u", i);

      si_idea_set_title (idea, title);
      g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
      g_assert_no_error (error);
      _si_store_wait_checkpoints (store);
    }
  g_assert_true (si_store_delete_idea (store, si_idea_get_id (ideas->pdata[1]), SI_SAVE_LOCAL, &error));
  _si_store_wait_checkpoints (store);

  for (guint i = 0; i < 24; i++)
    {
      g_autofree char *alpha = g_strdup_printf ("alpha%u", i);
      g_autofree char *beta = g_strdup_printf ("beta%u", i);
      gboolean edited = i % 3 == 0, deleted = i == 1;

      /* "alpha1" is a prefix of alpha10..alpha19 too: count those that are live and not renamed. */
      guint expect_alpha = 0;

      for (guint j = 0; j < 24; j++)
        {
          g_autofree char *other = g_strdup_printf ("alpha%u", j);

          if (g_str_has_prefix (other, alpha) && j % 3 != 0 && j != 1)
            expect_alpha++;
        }
      g_assert_cmpuint (count_found (store, alpha), ==, expect_alpha);
      if (edited && !deleted)
        g_assert_cmpuint (count_found (store, beta), >=, 1);
    }
  g_assert_cmpuint (count_found (store, "common"), ==, 23);
  g_assert_cmpuint (count_found (store, "odd"), ==, 11);
  g_assert_cmpuint (count_found (store, "東京"), ==, 23);
  g_assert_cmpuint (count_found (store, "旅行"), ==, 23);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO ideas_fts (ideas_fts) VALUES ('integrity-check')", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO ideas_cjk (ideas_cjk) VALUES ('integrity-check')", NULL, NULL, NULL),
                   ==, SQLITE_OK);
}

static void
test_two_stores_see_each_other (void)
{
  g_autoptr(SiStore) app = open_store ();
  g_autoptr(SiStore) cli = open_store ();
  g_autoptr(SiIdea) from_cli = NULL;
  g_autoptr(SiIdea) seen_by_app = NULL;
  g_autoptr(GError) error = NULL;
  Seen seen = { g_array_new (FALSE, FALSE, sizeof (gint64)) };

  g_signal_connect (app, "changed", G_CALLBACK (on_changed), &seen);

  from_cli = add_idea (cli, "Added from the terminal", "");
  si_store_check_changes (app);
  g_assert_cmpuint (seen.ids->len, ==, 1);
  g_assert_cmpint (g_array_index (seen.ids, gint64, 0), ==, si_idea_get_id (from_cli));

  seen_by_app = si_store_get_idea (app, si_idea_get_id (from_cli), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_title (seen_by_app), ==, "Added from the terminal");

  /* The app's own edit reaches the other store the same way. */
  si_idea_set_body (seen_by_app, "edited in the app");
  g_assert_true (si_store_save_idea (app, seen_by_app, SI_SAVE_LOCAL, &error));
  g_assert_cmpuint (seen.ids->len, ==, 2);
  g_clear_object (&from_cli);
  from_cli = si_store_get_idea (cli, si_idea_get_id (seen_by_app), &error);
  g_assert_cmpstr (si_idea_get_body (from_cli), ==, "edited in the app");

  g_array_unref (seen.ids);
}

static void
test_restore_after_delete (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiIdea) synced = add_idea (store, "Synced", "keep me");
  g_autoptr(SiIdea) local = add_idea (store, "Local", "me too");
  g_autoptr(GError) error = NULL;
  gint64 synced_id = si_idea_get_id (synced);

  push (store, SI_COLLECTION_IDEAS, synced_id, 1, 50, 50);
  g_assert_true (si_store_delete_idea (store, synced_id, SI_SAVE_LOCAL, &error));
  g_assert_true (si_store_delete_idea (store, si_idea_get_id (local), SI_SAVE_LOCAL, &error));
  g_assert_cmpuint (si_store_count_ideas (store, NULL, NULL), ==, 0);

  g_assert_true (si_store_restore_idea (store, synced, &error));
  g_assert_no_error (error);
  g_assert_cmpint (si_idea_get_id (synced), ==, synced_id);
  g_assert_cmpint (si_idea_get_sync_state (synced), ==, SI_SYNC_STATE_MODIFIED);
  g_assert_cmpstr (si_idea_get_body (synced), ==, "keep me");

  g_assert_true (si_store_restore_idea (store, local, &error));
  g_assert_no_error (error);
  g_assert_cmpint (si_idea_get_sync_state (local), ==, SI_SYNC_STATE_CREATED);
  g_assert_cmpstr (si_idea_get_body (local), ==, "me too");
  g_assert_cmpuint (si_store_count_ideas (store, NULL, NULL), ==, 2);
}

/* The sync engine makes conflicted copies; these tests mark one the same way on disk. */
static void
mark_conflicted_copy (SiStore *store,
                      gint64   copy_id,
                      gint64   of_id)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = _si_store_prepare (store, "UPDATE ideas SET conflict_of = ?2 WHERE id = ?1", &error);

  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, copy_id);
  sqlite3_bind_int64 (stmt, 2, of_id);
  g_assert_true (_si_store_step_done (store, stmt, "marking a conflicted copy", &error));
}

static void
test_resolve_conflict (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiIdea) server = add_idea (store, "Trip", "server's plan");
  g_autoptr(SiIdea) mine = add_idea (store, "Trip", "my plan");
  g_autoptr(SiIdea) plain = add_idea (store, "Plain", "");
  g_autoptr(SiIdea) after = NULL;
  g_autoptr(GError) error = NULL;
  gint64 remaining = -1;
  SiIdeaFilter conflicts = { .conflicts_only = TRUE };

  push (store, SI_COLLECTION_IDEAS, si_idea_get_id (server), 1, 10, 10);
  mark_conflicted_copy (store, si_idea_get_id (mine), si_idea_get_id (server));
  g_assert_cmpuint (si_store_count_ideas (store, &conflicts, NULL), ==, 1);

  /* Not a conflicted copy: refused, nothing changes. */
  g_assert_false (si_store_resolve_conflict (store, si_idea_get_id (plain), SI_CONFLICT_KEEP_COPY, NULL, &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Keeping my copy: the server's idea takes my text and must be pushed; the copy goes. */
  g_assert_true (si_store_resolve_conflict (store, si_idea_get_id (mine), SI_CONFLICT_KEEP_COPY, &remaining, &error));
  g_assert_no_error (error);
  g_assert_cmpint (remaining, ==, si_idea_get_id (server));
  after = si_store_get_idea (store, remaining, &error);
  g_assert_cmpstr (si_idea_get_body (after), ==, "my plan");
  g_assert_cmpint (si_idea_get_sync_state (after), ==, SI_SYNC_STATE_MODIFIED);
  g_assert_null (si_store_get_idea (store, si_idea_get_id (mine), NULL));
  g_assert_cmpuint (si_store_count_ideas (store, &conflicts, NULL), ==, 0);

  /* Keeping both: the copy loses its mark and stays. */
  g_clear_object (&mine);
  mine = add_idea (store, "Trip", "another plan");
  mark_conflicted_copy (store, si_idea_get_id (mine), si_idea_get_id (server));
  g_assert_true (si_store_resolve_conflict (store, si_idea_get_id (mine), SI_CONFLICT_KEEP_BOTH, &remaining, &error));
  g_assert_cmpint (remaining, ==, si_idea_get_id (mine));
  g_clear_object (&after);
  after = si_store_get_idea (store, si_idea_get_id (mine), &error);
  g_assert_cmpint (si_idea_get_conflict_of (after), ==, 0);
  g_assert_cmpstr (si_idea_get_body (after), ==, "another plan");
  /* ...and, as both were "Trip", a title that tells it apart: where and when it was written. */
  {
    g_autofree char *device = si_device_dup_name (store);
    g_autoptr(GDateTime) written = g_date_time_new_from_unix_local (si_idea_get_updated_at (mine) / G_USEC_PER_SEC);
    g_autofree char *hhmm = g_date_time_format (written, "%H:%M");
    g_autofree char *want = g_strdup_printf ("Trip (copy from %s, %s)", device, hhmm);

    g_assert_cmpstr (si_idea_get_title (after), ==, want);
    g_assert_cmpint (si_idea_get_sync_state (after), ==, SI_SYNC_STATE_CREATED);
    g_clear_object (&after);
    after = si_store_get_idea (store, si_idea_get_id (server), &error);
    g_assert_cmpstr (si_idea_get_title (after), ==, "Trip");
  }

  /* Keeping the other: the copy goes, the other is untouched. */
  mark_conflicted_copy (store, si_idea_get_id (mine), si_idea_get_id (server));
  g_assert_true (si_store_resolve_conflict (store, si_idea_get_id (mine), SI_CONFLICT_KEEP_OTHER, &remaining, &error));
  g_assert_cmpint (remaining, ==, si_idea_get_id (server));
  g_assert_null (si_store_get_idea (store, si_idea_get_id (mine), NULL));
  g_clear_object (&after);
  after = si_store_get_idea (store, si_idea_get_id (server), &error);
  g_assert_cmpstr (si_idea_get_body (after), ==, "my plan");
}

/* The title Keep Both gives a copy: device and time, the date when not today, within the
 * title limit. */
static void
test_copy_title (void)
{
  g_autoptr(GDateTime) noon = g_date_time_new_local (2026, 12, 5, 14, 3, 0);
  gint64 written = g_date_time_to_unix (noon) * G_USEC_PER_SEC;
  gint64 later = written + G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC;
  gint64 next_week = written + G_GINT64_CONSTANT (7 * 24 * 3600) * G_USEC_PER_SEC;
  g_autofree char *today = _si_store_dup_copy_title ("Trip", "laptop", written, later);
  g_autofree char *other_day = _si_store_dup_copy_title ("Trip", "laptop", written, next_week);
  g_autofree char *no_device = _si_store_dup_copy_title ("Trip", NULL, written, later);
  g_autofree char *untitled = _si_store_dup_copy_title ("", "laptop", written, later);
  g_autofree char *long_title = g_strnfill (SI_TITLE_MAX_CHARS, 'x');
  g_autofree char *kept_long = _si_store_dup_copy_title (long_title, "laptop", written, later);

  g_assert_cmpstr (today, ==, "Trip (copy from laptop, 14:03)");
  g_assert_cmpstr (other_day, ==, "Trip (copy from laptop, 5 Dec, 14:03)");
  g_assert_cmpstr (no_device, ==, "Trip (copy, 14:03)");
  g_assert_cmpstr (untitled, ==, "(copy from laptop, 14:03)");
  g_assert_cmpint (g_utf8_strlen (kept_long, -1), ==, SI_TITLE_MAX_CHARS);
  g_assert_true (g_str_has_suffix (kept_long, "x… (copy from laptop, 14:03)"));
}

/* What an editor keeps when another program's change overlaps what is typed: a new local idea,
 * marked as the conflicted copy of the other version, which stays as it was. */
static void
test_save_conflicted_copy (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiIdea) other = add_idea (store, "Trip", "their plan");
  g_autoptr(SiIdea) copy = si_idea_new ("Trip", "my plan");
  g_autoptr(SiIdea) stray = si_idea_new ("Trip", "lost");
  g_autoptr(SiIdea) stored = NULL;
  g_autoptr(GError) error = NULL;
  SiIdeaFilter conflicts = { .conflicts_only = TRUE };

  g_assert_true (si_store_save_conflicted_copy (store, copy, si_idea_get_id (other), &error));
  g_assert_no_error (error);
  g_assert_cmpint (si_idea_get_id (copy), >, 0);
  g_assert_cmpint (si_idea_get_conflict_of (copy), ==, si_idea_get_id (other));
  stored = si_store_get_idea (store, si_idea_get_id (copy), &error);
  g_assert_cmpstr (si_idea_get_body (stored), ==, "my plan");
  g_assert_true (si_idea_is_dirty (stored));
  g_assert_cmpuint (si_store_count_ideas (store, &conflicts, NULL), ==, 1);
  g_clear_object (&stored);
  stored = si_store_get_idea (store, si_idea_get_id (other), &error);
  g_assert_cmpstr (si_idea_get_body (stored), ==, "their plan");

  /* The other version is gone: refused, nothing written. */
  g_assert_false (si_store_save_conflicted_copy (store, stray, 9999, &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND);
  g_assert_cmpuint (si_store_count_ideas (store, &conflicts, NULL), ==, 1);
  g_assert_cmpint (si_idea_get_id (stray), ==, 0);
}

/* The notebook file truncated under a running store (another program, a restore that
 * overwrites it): reads fail with an error, and the process lives on. Memory-mapped reads died
 * of SIGBUS here. The reads run in a subprocess so that a signal fails the test. */
/* The other process of test_second_store_keeps_locks (). */
static void
test_second_store_other_process (void)
{
  const char *path = g_getenv ("SI_TEST_SECOND_PROCESS_DB");
  sqlite3 *db = NULL;

  if (!g_test_subprocess ())
    {
      g_test_skip ("run by /store/open/second-store-keeps-locks");
      return;
    }
  g_assert_nonnull (path);
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "SELECT count (*) FROM ideas", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

/* A second store on the notebook in this process (the sync engine's pull connection, an import
 * job) must not drop the locks the first one holds: otherwise another process closing its
 * connection finds itself the last user, deletes the write-ahead log, and the first store's
 * next writes go to a deleted file and are lost. */
static void
test_second_store_keeps_locks (void)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiStore) second = NULL;
  g_autoptr(SiStore) fresh = NULL;
  g_autoptr(SiIdea) one = add_idea (store, "One", "");
  g_autoptr(SiIdea) two = NULL;
  g_autoptr(SiIdea) seen = NULL;
  g_autoptr(GError) error = NULL;

  second = open_store ();
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));

  /* Another process (not a fork: it would share SQLite's notes of this process's locks) opens
   * the notebook, reads, and closes it. */
  g_setenv ("SI_TEST_SECOND_PROCESS_DB", path, TRUE);
  g_test_trap_subprocess ("/store/open/second-store-keeps-locks/other-process", 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));

  /* The first store's next write is there for everyone. */
  two = add_idea (store, "Two", "");
  fresh = si_store_new (path, &error);
  g_assert_no_error (error);
  seen = si_store_get_idea (fresh, si_idea_get_id (two), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_title (seen), ==, "Two");
}

static void
test_file_truncated_under_store (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *path = temp_db_path ();
      g_autofree char *body = g_strnfill (2000, 'x');
      g_autoptr(SiStore) store = open_store ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) ids = NULL;
      g_autoptr(GPtrArray) found = NULL;
      g_autoptr(SiIdea) last = NULL;
      int fd;

      for (guint i = 0; i < 2000; i++)
        {
          g_autofree char *title = g_strdup_printf ("Idea %u", i);
          g_autoptr(SiIdea) idea = add_idea (store, title, body);
        }
      /* Everything into the database file itself (closing the last connection checkpoints the
       * WAL), then one more write, as a running notebook has: the WAL, not the file's size, then
       * says how big the database is, and the reads below go to the file beyond its new end. */
      g_clear_object (&store);
      store = open_store ();
      g_clear_object (&last);
      last = add_idea (store, "Last", "");
      g_assert_cmpuint (si_store_count_ideas (store, &(SiIdeaFilter) { 0, }, &error), ==, 2001);
      g_assert_no_error (error);

      fd = g_open (path, O_RDWR, 0);
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (ftruncate (fd, 4 * 4096), ==, 0);
      g_close (fd, NULL);

      ids = si_store_query_ideas (store, &(SiIdeaFilter) { 0, }, &error);
      g_test_message ("query: %s", error ? error->message : "no error");
      g_clear_error (&error);
      found = si_store_search (store, "Idea", 100, &error);
      g_test_message ("search: %s", error ? error->message : "no error");
      g_clear_error (&error);
      for (gint64 id = 1; id <= 2000; id += 97)
        {
          g_autoptr(SiIdea) idea = si_store_get_idea (store, id, &error);
          g_clear_error (&error);
        }
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* New ideas and tags get time-ordered uids (version 7): each one greater than the one before,
 * so the indexes on uid grow at their right edge. Random (version 4) uids fail this. */
static void
test_uids_time_ordered (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autofree char *last = NULL;

  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(SiIdea) idea = add_idea (store, "Ordered", "by time");
      g_autoptr(SiTag) tag = si_tag_new (i % 2 ? "odd" : "even");
      const char *uid = si_idea_get_uid (idea);

      g_assert_true (g_uuid_string_is_valid (uid));
      g_assert_cmpint (uid[14], ==, '7');
      g_assert_nonnull (strchr ("89ab", uid[19]));
      if (last)
        g_assert_cmpstr (last, <, uid);
      g_free (last);
      last = g_strdup (uid);

      if (i < 2)
        {
          g_assert_true (si_store_save_tag (store, tag, SI_SAVE_LOCAL, &error));
          g_assert_no_error (error);
          g_assert_cmpint (si_tag_get_uid (tag)[14], ==, '7');
          g_assert_cmpstr (last, <, si_tag_get_uid (tag));
          g_free (last);
          last = g_strdup (si_tag_get_uid (tag));
        }
    }
}

/* The generator itself: the time in its first 48 bits, still increasing when the clock stands
 * still for more than its counter holds or goes back, and 62 random bits. */
static void
test_uid_clock (void)
{
  gint64 future = g_get_real_time () / 1000 + 10 * 24 * 3600 * 1000LL;
  g_autofree char *first = _si_record_new_uid_at (future);
  g_autofree char *last = g_strdup (first);
  g_autofree char *back = NULL;
  g_autofree char *now = NULL;
  g_autoptr(GHashTable) tails = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  char hex[13];

  memcpy (hex, first, 8);
  memcpy (hex + 8, first + 9, 4);
  hex[12] = '\0';
  g_assert_cmpint (g_ascii_strtoll (hex, NULL, 16), ==, future);

  /* 10,000 in one millisecond: more than the 12-bit counter holds. */
  for (guint i = 0; i < 10000; i++)
    {
      char *uid = _si_record_new_uid_at (future);

      g_assert_true (g_uuid_string_is_valid (uid));
      g_assert_cmpint (uid[14], ==, '7');
      g_assert_cmpstr (last, <, uid);
      g_assert_true (g_hash_table_add (tails, g_strdup (uid + 19)));
      g_free (last);
      last = uid;
    }
  memcpy (hex, last, 8);
  memcpy (hex + 8, last + 9, 4);
  g_assert_cmpint (g_ascii_strtoll (hex, NULL, 16), >, future);
  g_assert_cmpint (g_ascii_strtoll (hex, NULL, 16), <=, future + 3);

  /* The clock goes back (or is now, well before @future): still after the last. */
  back = _si_record_new_uid_at (future - 1000);
  g_assert_cmpstr (last, <, back);
  now = _si_record_new_uid ();
  g_assert_cmpstr (back, <, now);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/open/default-path", test_open_default_path);
  g_test_add_func ("/store/uid/time-ordered", test_uids_time_ordered);
  g_test_add_func ("/store/uid/clock", test_uid_clock);
  g_test_add_func ("/store/open/corrupt-file-untouched", test_corrupt_file_untouched);
  g_test_add_func ("/store/open/damaged-database-untouched", test_damaged_database_untouched);
  g_test_add_func ("/store/open/foreign-database-untouched", test_foreign_database_untouched);
  g_test_add_func ("/store/open/newer-schema-refused", test_newer_schema_refused);
  g_test_add_func ("/store/open/migrate-from-v1", test_migrate_from_v1);
  g_test_add_func ("/store/ideas/create-marks-dirty", test_create_marks_dirty);
  g_test_add_func ("/store/ideas/edit-generation", test_edit_generation);
  g_test_add_func ("/store/ideas/from-server-stays-clean", test_from_server_stays_clean);
  g_test_add_func ("/store/ideas/insert-bookkeeping", test_insert_bookkeeping);
  g_test_add_func ("/store/ideas/pulled-own-base", test_pulled_own_base);
  g_test_add_func ("/store/ideas/delete-unsynced", test_delete_unsynced_goes_at_once);
  g_test_add_func ("/store/ideas/delete-synced-tombstone", test_delete_synced_leaves_tombstone);
  g_test_add_func ("/store/ideas/restore-after-delete", test_restore_after_delete);
  g_test_add_func ("/store/ideas/bad-input", test_bad_input);
  g_test_add_func ("/store/tags/on-ideas", test_tags_on_ideas);
  g_test_add_func ("/store/tags/names", test_tag_names);
  g_test_add_func ("/store/outbox/order", test_outbox_order);
  g_test_add_func ("/store/outbox/no-scan", test_outbox_no_scan);
  g_test_add_func ("/store/outbox/mark-pushed-generation", test_mark_pushed_checks_generation);
  g_test_add_func ("/store/outbox/mark-pushed-many", test_mark_pushed_many);
  g_test_add_func ("/store/outbox/note-pushing-history", test_note_pushing_history);
  g_test_add_func ("/store/sync-meta/may-have", test_meta_may_have);
  g_test_add_func ("/store/outbox/own-base", test_own_base);
  g_test_add_func ("/store/outbox/own-base-damaged", test_own_base_damaged);
  g_test_add_func ("/store/outbox/read-pending", test_read_pending);
  g_test_add_func ("/store/search", test_search);
  g_test_add_func ("/store/two-stores", test_two_stores_see_each_other);
  g_test_add_func ("/store/checkpoint/when-quiet", test_checkpoint_when_quiet);
  g_test_add_func ("/store/checkpoint/cap", test_checkpoint_cap);
  g_test_add_func ("/store/checkpoint/burst", test_checkpoint_burst);
  g_test_add_func ("/store/checkpoint/merges-search", test_checkpoint_merges_search);
  g_test_add_func ("/store/checkpoint/pauses-no-restart", test_checkpoint_pauses_no_restart);
  g_test_add_func ("/store/checkpoint/fill-yields", test_checkpoint_fill_yields);
  g_test_add_func ("/store/ideas/resolve-conflict", test_resolve_conflict);
  g_test_add_func ("/store/ideas/copy-title", test_copy_title);
  g_test_add_func ("/store/ideas/save-conflicted-copy", test_save_conflicted_copy);
  g_test_add_func ("/store/open/file-truncated-under-store", test_file_truncated_under_store);
  g_test_add_func ("/store/open/second-store-keeps-locks", test_second_store_keeps_locks);
  g_test_add_func ("/store/changed/once-per-idea", test_changed_once_per_idea);
  g_test_add_func ("/store/changed/listener-later", test_changed_listener_later);
  g_test_add_func ("/store/open/second-store-keeps-locks/other-process", test_second_store_other_process);

  return g_test_run ();
}
