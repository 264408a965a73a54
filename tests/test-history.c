/* test-history.c — every version of every idea, and the Trash (si-history.h): what this
 * notebook keeps offline, against the real saveidea-server with two notebooks, against a
 * server that answers garbage, and through saveidea-cli. */
#include "config.h"

#include <string.h>

#include "si-account.h"
#include "si-device.h"
#include "si-history-private.h"
#include "si-test-fake-server.h"
#include "si-test-sync.h"

#define DAY_US ((gint64) 24 * 3600 * G_USEC_PER_SEC)

/* Helpers --------------------------------------------------------------------------------------- */

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static GPtrArray *
history (SiStore       *store,
         SiSyncEngine  *engine,
         gint64         id,
         GError       **server_error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *entries;

  si_history_list_async (store, engine, id, NULL, got_result, &result);
  entries = si_history_list_finish (store, wait_for (&result), server_error, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entries);
  return entries;
}

static GPtrArray *
trash (SiStore       *store,
       SiSyncEngine  *engine,
       GError       **server_error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *entries;

  si_trash_list_async (store, engine, NULL, got_result, &result);
  entries = si_trash_list_finish (store, wait_for (&result), server_error, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entries);
  return entries;
}

static gint64
undelete (SiStore       *store,
          SiSyncEngine  *engine,
          SiTrashEntry  *entry,
          GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  si_trash_undelete_async (store, engine, entry, NULL, got_result, &result);
  return si_trash_undelete_finish (store, wait_for (&result), error);
}

static gboolean
purge (SiStore       *store,
       SiSyncEngine  *engine,
       SiTrashEntry  *entry,
       GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  si_trash_purge_async (store, engine, entry, NULL, got_result, &result);
  return si_trash_purge_finish (store, wait_for (&result), error);
}

/* Records a push of @idea as the server's @sid at @version, as the engine would. */
static void
pushed (SiStore *store,
        SiIdea  *idea,
        gint64   sid,
        gint64   version)
{
  g_autoptr(GError) error = NULL;
  gboolean cleaned = FALSE;

  g_assert_true (_si_store_begin (store, &error));
  g_assert_true (_si_store_sync_mark_pushed (store, SI_COLLECTION_IDEAS, si_idea_get_id (idea),
                                             si_record_get_generation (SI_RECORD (idea)), sid, version,
                                             NULL, &cleaned, &error));
  g_assert_no_error (error);
  g_assert_true (_si_store_commit (store, &error));
  g_assert_true (cleaned);
}

static SiHistoryEntry *
entry_at (GPtrArray *entries,
          guint      i)
{
  g_assert_cmpuint (i, <, entries->len);
  return g_ptr_array_index (entries, i);
}

static SiTrashEntry *
trash_with_title (GPtrArray  *entries,
                  const char *title)
{
  for (guint i = 0; i < entries->len; i++)
    if (g_str_equal (si_trash_entry_get_title (g_ptr_array_index (entries, i)), title))
      return g_ptr_array_index (entries, i);
  return NULL;
}

static guint
count_ideas (SiStore *store)
{
  g_autoptr(GError) error = NULL;
  guint n = si_store_count_ideas (store, &(SiIdeaFilter) { 0, }, &error);

  g_assert_no_error (error);
  return n;
}

/* Offline: what this notebook keeps ------------------------------------------------------------ */

/* Each server version the first local edit replaces is kept, at most SI_HISTORY_LOCAL_MAX of
 * them, the newest first; the idea as it is now comes first. */
static void
test_local_bound (void)
{
  g_autoptr(SiStore) store = open_store ("bound");
  g_autoptr(SiIdea) idea = add_idea (store, "Plan", "v0", NULL);
  g_autoptr(GPtrArray) entries = NULL;
  const guint rounds = SI_HISTORY_LOCAL_MAX + 5;

  for (guint i = 1; i <= rounds; i++)
    {
      g_autofree char *body = g_strdup_printf ("v%u", i);

      pushed (store, idea, 100, i);
      si_idea_set_body (idea, body);
      save (store, idea);
      /* More saves of the same edit keep nothing more. */
      si_idea_set_body (idea, "typing…");
      save (store, idea);
      si_idea_set_body (idea, body);
      save (store, idea);
    }
  entries = si_history_list_local (store, si_idea_get_id (idea), NULL);
  g_assert_nonnull (entries);
  g_assert_cmpuint (entries->len, ==, 1 + SI_HISTORY_LOCAL_MAX);
  g_assert_true (si_history_entry_get_current (entry_at (entries, 0)));
  g_assert_true (si_history_entry_get_local_only (entry_at (entries, 0)));
  g_assert_cmpstr (si_history_entry_get_body (entry_at (entries, 0)), ==, "v25");
  /* Version i held the text "v(i-1)". */
  g_assert_cmpint (si_history_entry_get_version (entry_at (entries, 1)), ==, rounds);
  g_assert_cmpstr (si_history_entry_get_body (entry_at (entries, 1)), ==, "v24");
  g_assert_false (si_history_entry_get_local_only (entry_at (entries, 1)));
  g_assert_cmpint (si_history_entry_get_version (entry_at (entries, SI_HISTORY_LOCAL_MAX)), ==, rounds - SI_HISTORY_LOCAL_MAX + 1);
  for (guint i = 1; i < entries->len; i++)
    g_assert_false (si_history_entry_get_current (entry_at (entries, i)));
}

/* A server version larger than SI_HISTORY_LOCAL_BODY_MAX is not kept here (the server has it);
 * this device's own text is, whatever its size. */
static void
test_local_large (void)
{
  g_autoptr(SiStore) store = open_store ("large");
  g_autofree char *big = g_strnfill (SI_HISTORY_LOCAL_BODY_MAX + 1, 'x');
  g_autoptr(SiIdea) idea = add_idea (store, "Big", big, NULL);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) after = NULL;

  pushed (store, idea, 5, 1);
  si_idea_set_body (idea, "small");
  save (store, idea);
  entries = si_history_list_local (store, si_idea_get_id (idea), NULL);
  g_assert_cmpuint (entries->len, ==, 1);

  si_idea_set_body (idea, big);
  save (store, idea);
  g_assert_true (si_history_restore (store, si_idea_get_id (idea), entry_at (entries, 0), NULL));
  after = si_history_list_local (store, si_idea_get_id (idea), NULL);
  g_assert_cmpuint (after->len, ==, 2);
  g_assert_true (si_history_entry_get_local_only (entry_at (after, 1)));
  g_assert_cmpuint (strlen (si_history_entry_get_body (entry_at (after, 1))), ==, SI_HISTORY_LOCAL_BODY_MAX + 1);
}

/* Restoring a version is a new local edit; the text it replaces (here never synced) is kept as
 * "this device only", and its tags come back even when the tag was deleted. */
static void
test_local_restore (void)
{
  g_autoptr(SiStore) store = open_store ("restore");
  const char *tags[] = { "trip", NULL };
  g_autoptr(SiIdea) idea = add_idea (store, "Trip", "first", tags);
  g_autoptr(SiIdea) fresh = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(SiTag) tag = NULL;
  g_autoptr(GError) error = NULL;
  SiHistoryEntry *first;

  pushed (store, idea, 7, 1);
  si_idea_set_body (idea, "second, typed here");
  si_idea_set_tag_ids (idea, NULL, 0);
  save (store, idea);
  tag = si_store_find_tag (store, "trip", &error);
  g_assert_no_error (error);
  g_assert_true (si_store_delete_tag (store, si_tag_get_id (tag), SI_SAVE_LOCAL, &error));

  entries = si_history_list_local (store, si_idea_get_id (idea), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  first = entry_at (entries, 1);
  g_assert_cmpint (si_history_entry_get_version (first), ==, 1);
  g_assert_cmpstr (si_history_entry_get_body (first), ==, "first");
  g_assert_cmpstr (si_history_entry_get_tags (first)[0], ==, "trip");

  g_assert_true (si_history_restore (store, si_idea_get_id (idea), first, &error));
  g_assert_no_error (error);
  fresh = si_store_get_idea (store, si_idea_get_id (idea), &error);
  g_assert_cmpstr (si_idea_get_body (fresh), ==, "first");
  g_assert_cmpint (si_idea_get_sync_state (fresh), ==, SI_SYNC_STATE_MODIFIED);
  g_assert_cmpstr (si_idea_get_tag_names (fresh)[0], ==, "trip");

  after = si_history_list_local (store, si_idea_get_id (idea), &error);
  g_assert_cmpuint (after->len, ==, 3);
  g_assert_cmpstr (si_history_entry_get_body (entry_at (after, 0)), ==, "first");
  g_assert_cmpstr (si_history_entry_get_body (entry_at (after, 1)), ==, "second, typed here");
  g_assert_true (si_history_entry_get_local_only (entry_at (after, 1)));
  g_assert_cmpint (si_history_entry_get_local_id (entry_at (after, 1)), >, 0);
}

/* A deleted idea stays in the Trash for SI_TRASH_RETENTION_DAYS, offline; undeleting one the
 * server never had brings it back as it was. */
static void
test_trash_retention (void)
{
  g_autoptr(SiStore) store = open_store ("retention");
  const char *tags[] = { "keep", NULL };
  g_autoptr(SiIdea) gone = add_idea (store, "Gone", "for a month", NULL);
  g_autoptr(SiIdea) back = add_idea (store, "Back", "again", tags);
  g_autoptr(SiIdea) revived = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) later = NULL;
  g_autoptr(GPtrArray) much_later = NULL;
  g_autoptr(GError) error = NULL;
  SiTrashEntry *entry;
  gint64 id;

  g_assert_true (si_store_delete_idea (store, si_idea_get_id (gone), SI_SAVE_LOCAL, &error));
  g_assert_true (si_store_delete_idea (store, si_idea_get_id (back), SI_SAVE_LOCAL, &error));
  entries = si_trash_list_local (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  entry = trash_with_title (entries, "Back");
  g_assert_nonnull (entry);
  g_assert_false (si_trash_entry_get_on_server (entry));
  g_assert_cmpstr (si_trash_entry_get_body (entry), ==, "again");
  g_assert_cmpint (si_trash_entry_get_expires_at (entry) - si_trash_entry_get_deleted_at (entry), ==,
                   SI_TRASH_RETENTION_DAYS * DAY_US);

  id = undelete (store, NULL, entry, &error);
  g_assert_no_error (error);
  revived = si_store_get_idea (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_uid (revived), ==, si_idea_get_uid (back));
  g_assert_cmpstr (si_idea_get_body (revived), ==, "again");
  g_assert_cmpstr (si_idea_get_tag_names (revived)[0], ==, "keep");

  g_assert_true (_si_store_begin (store, &error));
  g_assert_true (_si_store_trash_prune (store, g_get_real_time () + (SI_TRASH_RETENTION_DAYS - 1) * DAY_US, &error));
  g_assert_true (_si_store_commit (store, &error));
  later = si_trash_list_local (store, &error);
  g_assert_cmpuint (later->len, ==, 1);
  g_assert_cmpstr (si_trash_entry_get_title (g_ptr_array_index (later, 0)), ==, "Gone");

  g_assert_true (_si_store_begin (store, &error));
  g_assert_true (_si_store_trash_prune (store, g_get_real_time () + (SI_TRASH_RETENTION_DAYS + 1) * DAY_US, &error));
  g_assert_true (_si_store_commit (store, &error));
  much_later = si_trash_list_local (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (much_later->len, ==, 0);
}

/* Settling a conflict: the copy set aside with Keep Other can be brought back from the Trash;
 * the copy whose text Keep Copy moved into the other idea is not in the Trash twice. */
static void
test_trash_conflict (void)
{
  g_autoptr(SiStore) store = open_store ("conflict");
  g_autoptr(SiIdea) idea = add_idea (store, "Menu", "soup", NULL);
  g_autoptr(SiIdea) copy1 = si_idea_new ("Menu", "stew");
  g_autoptr(SiIdea) copy2 = si_idea_new ("Menu", "salad");
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (si_store_save_conflicted_copy (store, copy1, si_idea_get_id (idea), &error));
  g_assert_true (si_store_resolve_conflict (store, si_idea_get_id (copy1), SI_CONFLICT_KEEP_OTHER, NULL, &error));
  g_assert_true (si_store_save_conflicted_copy (store, copy2, si_idea_get_id (idea), &error));
  g_assert_true (si_store_resolve_conflict (store, si_idea_get_id (copy2), SI_CONFLICT_KEEP_COPY, NULL, &error));
  g_assert_no_error (error);
  entries = si_trash_list_local (store, &error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpstr (si_trash_entry_get_body (g_ptr_array_index (entries, 0)), ==, "stew");
}

/* A deletion not sent yet is undone here; once the server has it, undoing it needs the server:
 * offline, a clear error and nothing changed. */
static void
test_trash_offline (void)
{
  g_autoptr(SiStore) store = open_store ("offline");
  g_autoptr(SiIdea) idea = add_idea (store, "Synced", "text", NULL);
  g_autoptr(SiIdea) back = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) sent = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTrashEntry) entry = NULL;
  gint64 id;

  pushed (store, idea, 9, 1);
  g_assert_true (si_store_delete_idea (store, si_idea_get_id (idea), SI_SAVE_LOCAL, &error));
  entries = si_trash_list_local (store, &error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_false (si_trash_entry_get_on_server (g_ptr_array_index (entries, 0)));
  g_assert_false (purge (store, NULL, g_ptr_array_index (entries, 0), &error));
  g_assert_error (error, SI_HISTORY_ERROR, SI_HISTORY_ERROR_NOT_SENT);
  g_clear_error (&error);
  id = undelete (store, NULL, g_ptr_array_index (entries, 0), &error);
  g_assert_no_error (error);
  back = si_store_get_idea (store, id, &error);
  g_assert_cmpstr (si_idea_get_body (back), ==, "text");
  g_assert_cmpint (si_idea_get_sid (back), ==, 9);

  /* The deletion again, and its push acknowledged. */
  g_assert_true (si_store_delete_idea (store, id, SI_SAVE_LOCAL, &error));
  g_clear_object (&back);
  {
    g_auto(SiSyncRow) row = { 0, };
    gboolean cleaned;

    g_assert_true (_si_store_sync_get_row (store, SI_COLLECTION_IDEAS, id, &row, &error));
    g_assert_true (_si_store_begin (store, &error));
    g_assert_true (_si_store_sync_mark_pushed (store, SI_COLLECTION_IDEAS, id, row.generation, 9, 3, NULL, &cleaned, &error));
    g_assert_true (_si_store_commit (store, &error));
  }
  sent = si_trash_list_local (store, &error);
  g_assert_cmpuint (sent->len, ==, 1);
  entry = g_object_ref (g_ptr_array_index (sent, 0));
  g_assert_true (si_trash_entry_get_on_server (entry));
  g_assert_cmpint (_si_trash_entry_get_version (entry), ==, 3);
  g_assert_cmpint (undelete (store, NULL, entry, &error), ==, 0);
  g_assert_error (error, SI_HISTORY_ERROR, SI_HISTORY_ERROR_OFFLINE);
  g_assert_nonnull (strstr (error->message, "Connect to the server"));
  g_assert_cmpuint (count_ideas (store), ==, 0);
}

/* After the server was replaced and forgotten, the kept versions and the Trash no longer name
 * the old server's ids: its deletions are undone here, its versions are this device's. */
static void
test_server_forgotten (void)
{
  g_autoptr(SiStore) store = open_store ("forgotten");
  g_autoptr(SiIdea) kept = add_idea (store, "Kept", "old", NULL);
  g_autoptr(SiIdea) gone = add_idea (store, "Gone", "text", NULL);
  g_autoptr(SiIdea) back = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(SiSyncRow) row = { 0, };
  gboolean cleaned;
  gint64 id;

  pushed (store, kept, 11, 1);
  si_idea_set_body (kept, "new");
  save (store, kept);
  pushed (store, gone, 12, 2);
  g_assert_true (si_store_delete_idea (store, si_idea_get_id (gone), SI_SAVE_LOCAL, &error));
  g_assert_true (_si_store_sync_get_row (store, SI_COLLECTION_IDEAS, si_idea_get_id (gone), &row, &error));
  g_assert_true (_si_store_begin (store, &error));
  g_assert_true (_si_store_sync_mark_pushed (store, SI_COLLECTION_IDEAS, si_idea_get_id (gone), row.generation, 12, 3,
                                             NULL, &cleaned, &error));
  g_assert_true (_si_store_commit (store, &error));

  g_assert_true (si_sync_engine_forget_server (store, &error));
  g_assert_no_error (error);
  versions = si_history_list_local (store, si_idea_get_id (kept), &error);
  g_assert_cmpuint (versions->len, ==, 2);
  g_assert_cmpint (si_history_entry_get_version (entry_at (versions, 1)), ==, 0);
  g_assert_true (si_history_entry_get_local_only (entry_at (versions, 1)));
  entries = si_trash_list_local (store, &error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_false (si_trash_entry_get_on_server (g_ptr_array_index (entries, 0)));
  id = undelete (store, NULL, g_ptr_array_index (entries, 0), &error);
  g_assert_no_error (error);
  back = si_store_get_idea (store, id, &error);
  g_assert_cmpstr (si_idea_get_body (back), ==, "text");
  g_assert_cmpint (si_idea_get_sid (back), ==, 0);
  g_assert_cmpint (si_idea_get_sync_state (back), ==, SI_SYNC_STATE_CREATED);
}

/* Against the real server ----------------------------------------------------------------------- */

static SiStore *
device_store (const char *name)
{
  SiStore *store = open_store (name);
  g_autoptr(GError) error = NULL;

  g_assert_true (si_device_set_name (store, name, &error));
  g_assert_no_error (error);
  return store;
}

/* Versions from two devices, newest first with their device names; offline, the ones this
 * notebook saw; a restore reaches the other device. */
static void
test_two_devices (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = device_store ("laptop");
  g_autoptr(SiStore) b = device_store ("desk");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  g_autoptr(SiIdea) idea = add_idea (a, "Plan", "one", NULL);
  g_autoptr(SiIdea) on_b = NULL;
  g_autoptr(SiIdea) restored = NULL;
  g_autoptr(GPtrArray) online = NULL;
  g_autoptr(GPtrArray) offline = NULL;
  g_autoptr(GError) server_error = NULL;
  g_autoptr(GError) error = NULL;
  const char *expected[][2] = { { "three", "laptop" }, { "two", "desk" }, { "one", "laptop" } };
  SiHistoryEntry *one = NULL;

  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  on_b = find_by_title (b, "Plan");
  si_idea_set_body (on_b, "two");
  save (b, on_b);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_clear_object (&idea);
  idea = find_by_title (a, "Plan");
  si_idea_set_body (idea, "three");
  save (a, idea);
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);

  online = history (a, ea, si_idea_get_id (idea), &server_error);
  g_assert_no_error (server_error);
  g_assert_cmpuint (online->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpstr (si_history_entry_get_body (entry_at (online, i)), ==, expected[i][0]);
      g_assert_cmpstr (si_history_entry_get_device (entry_at (online, i)), ==, expected[i][1]);
      g_assert_false (si_history_entry_get_local_only (entry_at (online, i)));
      if (i > 0)
        g_assert_cmpint (si_history_entry_get_version (entry_at (online, i)), <,
                         si_history_entry_get_version (entry_at (online, i - 1)));
    }
  g_assert_true (si_history_entry_get_current (entry_at (online, 0)));

  /* Offline: the same three, all seen here. */
  offline = history (a, NULL, si_idea_get_id (idea), NULL);
  g_assert_cmpuint (offline->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpstr (si_history_entry_get_body (entry_at (offline, i)), ==, expected[i][0]);
      g_assert_cmpstr (si_history_entry_get_device (entry_at (offline, i)), ==, expected[i][1]);
      g_assert_cmpint (si_history_entry_get_version (entry_at (offline, i)), ==,
                       si_history_entry_get_version (entry_at (online, i)));
    }

  /* Restore "one" on B: a new edit, which reaches A. */
  g_clear_pointer (&online, g_ptr_array_unref);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  online = history (b, eb, si_idea_get_id (on_b), &server_error);
  g_assert_no_error (server_error);
  for (guint i = 0; i < online->len; i++)
    if (g_str_equal (si_history_entry_get_body (entry_at (online, i)), "one"))
      one = entry_at (online, i);
  g_assert_nonnull (one);
  g_assert_true (si_history_restore (b, si_idea_get_id (on_b), one, &error));
  g_assert_no_error (error);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  restored = si_store_get_idea (a, si_idea_get_id (idea), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_body (restored), ==, "one");
  g_assert_cmpstr (si_idea_get_device (restored), ==, "desk");
}

/* More versions and deletions than one page of the server's: every page is read; the server's
 * Trash reaches a notebook that never had those ideas. */
static void
test_paging (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = device_store ("laptop");
  g_autoptr(SiStore) b = device_store ("desk");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  g_autoptr(SiIdea) idea = add_idea (a, "Diary", "day 0", NULL);
  g_autoptr(GPtrArray) online = NULL;
  g_autoptr(GPtrArray) local = NULL;
  g_autoptr(GPtrArray) on_b = NULL;
  g_autoptr(GArray) ideas = NULL;
  g_autoptr(GError) server_error = NULL;
  g_autoptr(GError) error = NULL;
  const guint edits = SI_WIRE_HISTORY_DEFAULT_LIMIT + 10;
  const guint deletions = SI_WIRE_HISTORY_DEFAULT_LIMIT + 5;

  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  for (guint i = 1; i <= edits; i++)
    {
      g_autofree char *body = g_strdup_printf ("day %u", i);

      si_idea_set_body (idea, body);
      save (a, idea);
      sync_ok (ea, SI_SYNC_MODE_PUSH);
    }
  online = history (a, ea, si_idea_get_id (idea), &server_error);
  g_assert_no_error (server_error);
  g_assert_cmpuint (online->len, ==, edits + 1);
  for (guint i = 1; i < online->len; i++)
    g_assert_cmpint (si_history_entry_get_version (entry_at (online, i)), <,
                     si_history_entry_get_version (entry_at (online, i - 1)));
  g_assert_cmpstr (si_history_entry_get_body (entry_at (online, edits)), ==, "day 0");
  local = history (a, NULL, si_idea_get_id (idea), NULL);
  g_assert_cmpuint (local->len, ==, 1 + SI_HISTORY_LOCAL_MAX);

  add_many (a, deletions, "Old");
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  ideas = si_store_query_ideas (a, &(SiIdeaFilter) { .search = "Old" }, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ideas->len, ==, deletions);
  for (guint i = 0; i < ideas->len; i++)
    g_assert_true (si_store_delete_idea (a, g_array_index (ideas, SiIdeaKey, i).id, SI_SAVE_LOCAL, &error));
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);

  on_b = trash (b, eb, &server_error);
  g_assert_no_error (server_error);
  g_assert_cmpuint (on_b->len, ==, deletions);
  for (guint i = 0; i < on_b->len; i++)
    g_assert_true (si_trash_entry_get_on_server (g_ptr_array_index (on_b, i)));
}

/* Text typed here that a pulled change replaces (the edits overlap: the typed text goes into a
 * conflicted copy) stays in the idea's history as "this device only". */
static void
test_pulled_over_local (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = device_store ("laptop");
  g_autoptr(SiStore) b = device_store ("desk");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  g_autoptr(SiIdea) idea = add_idea (a, "Menu", "soup", NULL);
  g_autoptr(SiIdea) on_b = NULL;
  g_autoptr(SiIdea) fresh = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  SiSyncReport report;
  gboolean found = FALSE;

  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  on_b = find_by_title (b, "Menu");
  si_idea_set_body (on_b, "salad");
  save (b, on_b);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  si_idea_set_body (idea, "stew");
  save (a, idea);
  report = sync_ok (ea, SI_SYNC_MODE_PULL);
  g_assert_cmpuint (report.conflicts, ==, 1);
  fresh = si_store_get_idea (a, si_idea_get_id (idea), &error);
  g_assert_cmpstr (si_idea_get_body (fresh), ==, "salad");

  entries = history (a, NULL, si_idea_get_id (idea), NULL);
  for (guint i = 0; i < entries->len; i++)
    if (g_str_equal (si_history_entry_get_body (entry_at (entries, i)), "stew"))
      {
        g_assert_true (si_history_entry_get_local_only (entry_at (entries, i)));
        g_assert_cmpint (si_history_entry_get_version (entry_at (entries, i)), ==, 0);
        g_assert_cmpstr (si_history_entry_get_device (entry_at (entries, i)), ==, "laptop");
        found = TRUE;
      }
  g_assert_true (found);
}

/* A deletion synced to both devices, undone on one: the other gets the idea back through its
 * ordinary sync, and the undoing device does not get it twice. */
static void
test_undelete_syncs (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = device_store ("laptop");
  g_autoptr(SiStore) b = device_store ("desk");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  const char *tags[] = { "later", NULL };
  g_autoptr(SiIdea) idea = add_idea (a, "Letter", "Dear B", tags);
  g_autoptr(SiIdea) back = NULL;
  g_autoptr(GPtrArray) on_b = NULL;
  g_autoptr(GPtrArray) on_a = NULL;
  g_autoptr(GError) server_error = NULL;
  g_autoptr(GError) error = NULL;
  SiSyncReport report;
  SiTrashEntry *entry;
  gint64 id;

  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_true (si_store_delete_idea (a, si_idea_get_id (idea), SI_SAVE_LOCAL, &error));
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (count_ideas (b), ==, 0);

  /* B's Trash has it from the pulled deletion, offline too. */
  on_b = trash (b, NULL, NULL);
  g_assert_cmpuint (on_b->len, ==, 1);
  entry = g_ptr_array_index (on_b, 0);
  g_assert_true (si_trash_entry_get_on_server (entry));
  g_assert_cmpstr (si_trash_entry_get_body (entry), ==, "Dear B");
  g_assert_cmpstr (si_trash_entry_get_device (entry), ==, "laptop");

  id = undelete (b, eb, entry, &error);
  g_assert_no_error (error);
  back = si_store_get_idea (b, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_body (back), ==, "Dear B");
  g_assert_cmpstr (si_idea_get_tag_names (back)[0], ==, "later");
  g_assert_cmpint (si_idea_get_sync_state (back), ==, SI_SYNC_STATE_SYNCED);

  report = sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pushed, ==, 0);
  g_assert_cmpuint (count_ideas (b), ==, 1);
  g_clear_pointer (&on_b, g_ptr_array_unref);
  on_b = trash (b, eb, &server_error);
  g_assert_no_error (server_error);
  g_assert_cmpuint (on_b->len, ==, 0);

  /* A, not synced since, undoes it too: the server has it live already, A takes it. */
  on_a = trash (a, NULL, NULL);
  g_assert_cmpuint (on_a->len, ==, 1);
  g_assert_cmpint (undelete (a, ea, g_ptr_array_index (on_a, 0), &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (count_ideas (a), ==, 1);
  g_clear_pointer (&on_a, g_ptr_array_unref);

  report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pushed, ==, 0);
  g_assert_cmpuint (count_ideas (a), ==, 1);
  g_assert_nonnull (find_by_title (a, "Letter"));
  on_a = trash (a, NULL, NULL);
  g_assert_cmpuint (on_a->len, ==, 0);
  g_assert_cmpuint (server_count (s, "ideas", TRUE), ==, 1);
}

/* Deleting forever removes the content from the server, and from the other device's Trash when
 * it lists the server's. */
static void
test_purge (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = device_store ("laptop");
  g_autoptr(SiStore) b = device_store ("desk");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  g_autoptr(SiIdea) idea = add_idea (a, "Secret", "password hunter2", NULL);
  g_autoptr(GPtrArray) on_a = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) on_b = NULL;
  g_autoptr(GError) server_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTestResponse) listed = NULL;
  g_autofree char *path = NULL;
  gint64 sid;

  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  {
    g_autoptr(SiIdea) synced = si_store_get_idea (a, si_idea_get_id (idea), &error);
    sid = si_idea_get_sid (synced);
  }
  g_assert_cmpint (sid, >, 0);
  g_assert_true (si_store_delete_idea (a, si_idea_get_id (idea), SI_SAVE_LOCAL, &error));
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);

  on_a = trash (a, ea, &server_error);
  g_assert_no_error (server_error);
  g_assert_cmpuint (on_a->len, ==, 1);
  g_assert_true (purge (a, ea, g_ptr_array_index (on_a, 0), &error));
  g_assert_no_error (error);
  after = trash (a, NULL, NULL);
  g_assert_cmpuint (after->len, ==, 0);

  /* The server no longer has the text, nor any version of it. */
  listed = si_test_server_request (s->server, "GET", "/api/v1/trash", s->token, NULL, NULL);
  g_assert_cmpuint (listed->status, ==, 200);
  g_assert_null (strstr (g_bytes_get_data (listed->body, NULL), "hunter2"));
  path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT "/history", sid);
  {
    g_autoptr(SiTestResponse) versions = si_test_server_request (s->server, "GET", path, s->token, NULL, NULL);
    g_assert_null (strstr (g_bytes_get_data (versions->body, NULL) ? g_bytes_get_data (versions->body, NULL) : "", "hunter2"));
  }

  /* B had it in its Trash from the pull; listing the server's drops it. */
  on_b = trash (b, eb, &server_error);
  g_assert_no_error (server_error);
  g_assert_cmpuint (on_b->len, ==, 0);
}

/* saveidea-cli history, restore, trash, undelete and purge on a synced notebook. */
static void
test_cli (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = device_store ("laptop");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiAccount) account = si_account_new (a);
  g_autoptr(SiIdea) idea = add_idea (a, "Draft", "first", NULL);
  g_autoptr(SiIdea) fresh = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *db = g_strdup (si_store_get_path (a));
  g_autofree char *id = NULL;
  g_autofree char *out = NULL, *out2 = NULL, *out3 = NULL, *out4 = NULL, *out5 = NULL, *out6 = NULL, *err = NULL;
  JsonArray *array;
  gint64 first_version;
  g_autofree char *version = NULL;

  g_assert_true (si_account_set_for_testing (account, si_test_server_get_url (s->server), "alice", NULL, &error));
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  si_idea_set_body (idea, "second");
  save (a, idea);
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, si_idea_get_id (idea));

  g_assert_cmpint (run_cli (db, s->token, &out, &err, "history", id, "--json", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "body"), ==, "second");
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (array, 0), "current"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "body"), ==, "first");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "device"), ==, "laptop");
  first_version = json_object_get_int_member (json_array_get_object_element (array, 1), "version");
  version = g_strdup_printf ("%" G_GINT64_FORMAT, first_version);

  g_assert_cmpint (run_cli (db, s->token, &out2, NULL, "restore", id, version, NULL), ==, 0);
  fresh = si_store_get_idea (a, si_idea_get_id (idea), &error);
  g_assert_cmpstr (si_idea_get_body (fresh), ==, "first");
  g_assert_cmpint (run_cli (db, s->token, &out3, NULL, "restore", id, "999999", NULL), ==, 2);
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);

  g_assert_true (si_store_delete_idea (a, si_idea_get_id (idea), SI_SAVE_LOCAL, &error));
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpint (run_cli (db, s->token, &out4, NULL, "trash", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out4, -1, &error));
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (array, 0), "on_server"));
  {
    g_autofree char *trash_id = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                 json_object_get_int_member (json_array_get_object_element (array, 0), "id"));
    g_autofree char *o1 = NULL, *o2 = NULL, *o3 = NULL;

    /* Without the server: exit 5, nothing changed. */
    g_assert_cmpint (run_cli (db, "", &o1, NULL, "undelete", trash_id, NULL), !=, 0);
    g_assert_cmpuint (count_ideas (a), ==, 0);
    g_assert_cmpint (run_cli (db, s->token, &o2, NULL, "undelete", trash_id, NULL), ==, 0);
    g_assert_cmpuint (count_ideas (a), ==, 1);
    g_assert_cmpint (run_cli (db, s->token, &o3, NULL, "undelete", trash_id, NULL), ==, 2);
  }

  /* Delete again, then forever. */
  g_clear_object (&fresh);
  fresh = find_by_title (a, "Draft");
  g_assert_true (si_store_delete_idea (a, si_idea_get_id (fresh), SI_SAVE_LOCAL, &error));
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpint (run_cli (db, s->token, &out5, NULL, "trash", NULL), ==, 0);
  g_assert_nonnull (strstr (out5, "Draft"));
  {
    g_autoptr(GPtrArray) entries = si_trash_list_local (a, &error);
    g_autofree char *trash_id = g_strdup_printf ("%" G_GINT64_FORMAT, si_trash_entry_get_id (g_ptr_array_index (entries, 0)));
    g_autofree char *o1 = NULL;

    g_assert_cmpint (run_cli (db, s->token, &o1, NULL, "purge", trash_id, NULL), ==, 0);
  }
  g_assert_cmpint (run_cli (db, s->token, &out6, NULL, "trash", NULL), ==, 0);
  g_assert_cmpstr (out6, ==, "");
}

/* A hostile server ------------------------------------------------------------------------------ */

typedef enum {
  ANSWER_DEEP,
  ANSWER_GARBAGE,
  ANSWER_WRONG_TYPES,
  ANSWER_CURSOR_STUCK,
} Answer;

static void
hostile_handler (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  Answer answer = GPOINTER_TO_INT (user_data);
  g_autoptr(GString) body = g_string_new (NULL);

  switch (answer)
    {
    case ANSWER_DEEP:
      g_string_append (body, "{\"versions\":");
      for (guint i = 0; i < 100000; i++)
        g_string_append_c (body, '[');
      for (guint i = 0; i < 100000; i++)
        g_string_append_c (body, ']');
      g_string_append (body, ",\"records\":[],\"more\":false}");
      break;
    case ANSWER_GARBAGE:
      g_string_append (body, "\x01\xff not json at all");
      break;
    case ANSWER_WRONG_TYPES:
      g_string_append (body, "{\"versions\":\"x\",\"records\":{\"id\":-1},\"more\":\"yes\",\"id\":\"x\"}");
      break;
    case ANSWER_CURSOR_STUCK:
      if (strstr (path, "/history"))
        g_string_append (body, "{\"versions\":[{\"version\":5,\"updated_at\":\"2026-12-01T00:00:00Z\",\"device\":null,"
                               "\"title\":\"t\",\"body\":\"b\",\"pinned\":false,\"tags\":[]}],\"more\":true,\"cursor\":5}");
      else
        g_string_append (body, "{\"records\":[],\"more\":true,\"cursor\":0}");
      break;
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body->str, body->len);
}

/* Deep, broken or lying answers to the history, Trash and undelete requests: a clear error,
 * this notebook's own versions and Trash still listed, nothing changed, no crash or hang. */
static void
test_hostile (gconstpointer data)
{
  Answer answer = GPOINTER_TO_INT (data);
  g_autoptr(SiTestFakeServer) fake = si_test_fake_server_start (hostile_handler, GINT_TO_POINTER (answer));
  g_autoptr(SiStore) store = open_store ("hostile");
  g_autoptr(SiSyncEngine) engine = si_sync_engine_new (store, si_test_fake_server_get_url (fake), "token");
  g_autoptr(SiIdea) idea = add_idea (store, "Kept", "v1", NULL);
  g_autoptr(SiIdea) gone = add_idea (store, "Gone", "bye", NULL);
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) server_error = NULL;
  g_autoptr(GError) trash_error = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(SiSyncRow) row = { 0, };
  gboolean cleaned;

  pushed (store, idea, 3, 4);
  si_idea_set_body (idea, "v2");
  save (store, idea);
  pushed (store, gone, 4, 5);
  g_assert_true (si_store_delete_idea (store, si_idea_get_id (gone), SI_SAVE_LOCAL, &error));
  g_assert_true (_si_store_sync_get_row (store, SI_COLLECTION_IDEAS, si_idea_get_id (gone), &row, &error));
  g_assert_true (_si_store_begin (store, &error));
  g_assert_true (_si_store_sync_mark_pushed (store, SI_COLLECTION_IDEAS, si_idea_get_id (gone), row.generation, 4, 6,
                                             NULL, &cleaned, &error));
  g_assert_true (_si_store_commit (store, &error));

  versions = history (store, engine, si_idea_get_id (idea), &server_error);
  g_assert_nonnull (server_error);
  if (answer == ANSWER_CURSOR_STUCK)
    {
      /* The first page's version is listed, the endless paging is refused. */
      g_assert_error (server_error, SI_HISTORY_ERROR, SI_HISTORY_ERROR_INVALID);
      g_assert_cmpuint (versions->len, ==, 3);
    }
  else
    {
      g_assert_true (server_error->domain == SI_HISTORY_ERROR || server_error->domain == SI_SYNC_ERROR);
      g_assert_cmpuint (versions->len, ==, 2);
    }
  g_assert_cmpstr (si_history_entry_get_body (entry_at (versions, 1)), ==, "v1");

  entries = trash (store, engine, &trash_error);
  g_assert_nonnull (trash_error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpint (undelete (store, engine, g_ptr_array_index (entries, 0), &error), ==, 0);
  g_assert_nonnull (error);
  g_assert_cmpuint (count_ideas (store), ==, 1);
}

int
main (int argc, char **argv)
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/history/local-bound", test_local_bound);
  g_test_add_func ("/history/local-large", test_local_large);
  g_test_add_func ("/history/local-restore", test_local_restore);
  g_test_add_func ("/history/trash-retention", test_trash_retention);
  g_test_add_func ("/history/trash-offline", test_trash_offline);
  g_test_add_func ("/history/trash-conflict", test_trash_conflict);
  g_test_add_func ("/history/server-forgotten", test_server_forgotten);
  g_test_add_func ("/history/two-devices", test_two_devices);
  g_test_add_func ("/history/paging", test_paging);
  g_test_add_func ("/history/pulled-over-local", test_pulled_over_local);
  g_test_add_func ("/history/undelete-syncs", test_undelete_syncs);
  g_test_add_func ("/history/purge", test_purge);
  g_test_add_func ("/history/cli", test_cli);
  g_test_add_data_func ("/history/hostile/deep", GINT_TO_POINTER (ANSWER_DEEP), test_hostile);
  g_test_add_data_func ("/history/hostile/garbage", GINT_TO_POINTER (ANSWER_GARBAGE), test_hostile);
  g_test_add_data_func ("/history/hostile/wrong-types", GINT_TO_POINTER (ANSWER_WRONG_TYPES), test_hostile);
  g_test_add_data_func ("/history/hostile/cursor-stuck", GINT_TO_POINTER (ANSWER_CURSOR_STUCK), test_hostile);
  return g_test_run ();
}
