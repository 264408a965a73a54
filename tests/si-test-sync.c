/* si-test-sync.c — what the test-sync*.c programs share: a real server with one user, notebooks,
 * syncing and waiting for it, ideas, and what a notebook or the server holds (see
 * si-test-sync.h). */
#define G_LOG_DOMAIN "saveidea-test"

#include "config.h"

#include "si-store-private.h"
#include "si-test-sync.h"

#define PASSWORD "correct horse battery"

Server *
server_new (void)
{
  Server *s = g_new0 (Server, 1);

  s->server = si_test_server_new (NULL);
  si_test_server_add_user (s->server, "alice", PASSWORD);
  si_test_server_start (s->server);
  s->token = si_test_server_login (s->server, "alice", PASSWORD);
  return s;
}

void
server_free (Server *s)
{
  si_test_server_free (s->server);
  g_free (s->token);
  g_free (s);
}

SiStore *
open_store (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_strconcat (name, ".db", NULL);
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), file, NULL);
  SiStore *store;

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  store = si_store_new (path, &error);
  g_assert_no_error (error);
  return store;
}

SiSyncEngine *
engine_for (Server *s, SiStore *store)
{
  return si_sync_engine_new (store, si_test_server_get_url (s->server), s->token);
}

void
got_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

gboolean
run_sync (SiSyncEngine *engine, SiSyncMode mode, GCancellable *cancellable,
          SiSyncReport *report, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  si_sync_engine_sync_async (engine, mode, cancellable, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return si_sync_engine_sync_finish (engine, result, report, error);
}

SiSyncReport
sync_ok (SiSyncEngine *engine, SiSyncMode mode)
{
  g_autoptr(GError) error = NULL;
  SiSyncReport report = { 0, };

  g_assert_true (run_sync (engine, mode, NULL, &report, &error));
  g_assert_no_error (error);
  return report;
}

SiIdea *
add_idea (SiStore *store, const char *title, const char *body, const char * const *tags)
{
  g_autoptr(GError) error = NULL;
  SiIdea *idea = si_idea_new (title, body);

  for (; tags && *tags; tags++)
    {
      g_autoptr(SiTag) tag = si_store_ensure_tag (store, *tags, &error);
      g_assert_no_error (error);
      si_idea_add_tag (idea, si_tag_get_id (tag));
    }
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  return idea;
}

SiIdea *
find_by_title (SiStore *store, const char *title)
{
  g_autoptr(GArray) keys = si_store_query_ideas (store, &(SiIdeaFilter) { 0, }, NULL);

  for (guint i = 0; i < keys->len; i++)
    {
      SiIdea *idea = si_store_get_idea (store, g_array_index (keys, SiIdeaKey, i).id, NULL);
      if (idea && g_str_equal (si_idea_get_title (idea), title))
        return idea;
      g_clear_object (&idea);
    }
  return NULL;
}

void
save (SiStore *store, SiIdea *idea)
{
  g_autoptr(GError) error = NULL;
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
}

static int
compare_lines (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* Everything a person sees in a notebook, as one sorted text: uid, title, body, pin, tag
 * names. */
char *
dump (SiStore *store)
{
  g_autoptr(GArray) keys = si_store_query_ideas (store, &(SiIdeaFilter) { 0, }, NULL);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < keys->len; i++)
    {
      g_autoptr(SiIdea) idea = si_store_get_idea (store, g_array_index (keys, SiIdeaKey, i).id, NULL);
      g_autofree char *tags = g_strjoinv (",", (char **) si_idea_get_tag_names (idea));
      /* The conflict mark is this device's note for its user; the protocol does not carry it. */
      g_ptr_array_add (lines, g_strdup_printf ("%s|%s|%s|%d|%s", si_idea_get_title (idea),
                                               si_idea_get_body (idea), si_idea_get_uid (idea),
                                               si_idea_get_pinned (idea), tags));
    }
  g_ptr_array_sort (lines, compare_lines);
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (out, "%s\n", (char *) g_ptr_array_index (lines, i));
  return g_string_free (out, FALSE);
}

guint
server_count (Server *s, const char *collection, gboolean live_only)
{
  guint count = 0;
  gint64 since = 0;
  gboolean more = TRUE;

  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/%s?since=%" G_GINT64_FORMAT "&limit=1000", collection, since);
      g_autoptr(SiTestResponse) r = si_test_server_request (s->server, "GET", path, s->token, NULL, NULL);
      JsonArray *records;

      g_assert_cmpuint (r->status, ==, 200);
      records = json_object_get_array_member (si_test_response_object (r), "records");
      for (guint i = 0; i < json_array_get_length (records); i++)
        if (!live_only || !json_object_get_boolean_member_with_default (json_array_get_object_element (records, i), "deleted", FALSE))
          count++;
      since = si_test_response_get_int (r, "cursor");
      more = json_object_get_boolean_member (si_test_response_object (r), "more");
    }
  return count;
}

void
add_many (SiStore *store, guint n, const char *prefix)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (_si_store_begin (store, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *title = g_strdup_printf ("%s %u", prefix, i);
      g_autoptr(SiIdea) idea = si_idea_new (title, "body");
      g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
    }
  g_assert_true (_si_store_commit (store, &error));
}

/* Runs saveidea-cli on @db with @token, in English; its standard output in @out, its standard
 * error in @err (NULL: dropped). */
int
run_cli (const char *db, const char *token, char **out, char **err, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       (err ? G_SUBPROCESS_FLAGS_STDERR_PIPE
                                                                            : G_SUBPROCESS_FLAGS_STDERR_SILENCE));
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("SAVEIDEA_CLI"));
  g_ptr_array_add (argv, (char *) "--db");
  g_ptr_array_add (argv, (char *) db);
  va_start (args, first);
  for (const char *a = first; a; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "SAVEIDEA_TOKEN", token, TRUE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "C", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, out, err, &error));
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (proc);
}
