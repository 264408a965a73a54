/* test-cli.c — saveidea-cli as a script uses it: the real binary, its output and its exit codes. */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "si-account.h"
#include "si-store.h"
#include "si-test-fake-server.h"

typedef struct {
  int    status;
  char  *out;
  char  *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static char *
db_path (const char *name)
{
  /* G_TEST_OPTION_ISOLATE_DIRS gives every test its own XDG_DATA_HOME. */
  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  return g_build_filename (g_get_user_data_dir (), name, NULL);
}

static char *
bytes_to_string (GBytes *bytes)
{
  gsize length = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &length) : NULL;

  return g_strndup (data ? data : "", length);
}

/* Runs saveidea-cli with @argv (NULL-terminated, without the program), @input on its standard
 * input. @db: the --db argument, or NULL for none. @language: LANGUAGE for its messages, or
 * NULL for none (English). */
static void
run_argv_in (Run                *run,
             const char         *language,
             const char         *db,
             const char         *input,
             const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) in = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("SAVEIDEA_CLI");

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  if (db != NULL)
    {
      g_ptr_array_add (argv, "--db");
      g_ptr_array_add (argv, (char *) db);
    }
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  /* ISOLATE_DIRS changes this process's idea of the user's folders, not the environment a
   * child inherits: hand them over, so the CLI's default notebook is this test's too. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  /* English unless a test asks for a language, whatever the environment the tests run in. Run
   * from the build tree, saveidea-cli reads the translations built there. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  if (language != NULL)
    g_subprocess_launcher_setenv (launcher, "LANGUAGE", language, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  in = g_bytes_new (input ? input : "", input ? strlen (input) : 0);
  g_subprocess_communicate (process, in, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));

  run_clear (run);
  run->status = g_subprocess_get_exit_status (process);
  run->out = bytes_to_string (out);
  run->err = bytes_to_string (err);
  g_test_message ("saveidea-cli %s → %d\n%s%s", args[0] ? args[0] : "", run->status, run->out, run->err);
}

static void
run_argv (Run                *run,
          const char         *db,
          const char         *input,
          const char * const *args)
{
  run_argv_in (run, NULL, db, input, args);
}

#define RUN(run, db, input, ...) \
  G_STMT_START { \
    const char * const run_args_[] = { __VA_ARGS__, NULL }; \
    run_argv ((run), (db), (input), run_args_); \
  } G_STMT_END

/* RUN with LANGUAGE=@language */
#define RUN_IN(language, run, db, input, ...) \
  G_STMT_START { \
    const char * const run_args_[] = { __VA_ARGS__, NULL }; \
    run_argv_in ((run), (language), (db), (input), run_args_); \
  } G_STMT_END

static void
assert_ok (Run *run)
{
  if (run->status != 0)
    g_error ("saveidea-cli failed with %d: %s", run->status, run->err);
  g_assert_cmpstr (run->err, ==, "");
}

static void
assert_fails (Run        *run,
              int         status,
              const char *in_message)
{
  g_assert_cmpint (run->status, ==, status);
  g_assert_true (g_str_has_prefix (run->err, "saveidea-cli: ") || status == 1);
  if (in_message)
    g_assert_nonnull (strstr (run->err, in_message));
  g_assert_cmpstr (run->out, ==, "");
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static gint64
add_idea (const char *db,
          const char *title,
          const char *tag)
{
  g_auto(Run) run = { 0 };
  guint64 id = 0;

  if (tag)
    RUN (&run, db, NULL, "add", title, "--tag", tag);
  else
    RUN (&run, db, NULL, "add", title);
  assert_ok (&run);
  g_assert_true (g_str_has_suffix (run.out, "\n"));
  g_strchomp (run.out);
  g_assert_true (g_ascii_string_to_unsigned (run.out, 10, 1, G_MAXINT64, &id, NULL));
  return (gint64) id;
}

static JsonObject *
show_json (const char *db,
           const char *id,
           JsonNode  **keep)
{
  g_auto(Run) run = { 0 };

  RUN (&run, db, NULL, "show", id, "--json");
  assert_ok (&run);
  *keep = parse_json (run.out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*keep));
  return json_node_get_object (*keep);
}

static char *
tags_of (JsonObject *idea)
{
  JsonArray *tags = json_object_get_array_member (idea, "tags");
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (tags); i++)
    g_string_append_printf (out, "%s%s", i ? "," : "", json_array_get_string_element (tags, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_add_list_show (void)
{
  g_autofree char *db = db_path ("cli.db");
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) shown = NULL;
  g_autoptr(JsonNode) by_uid = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *array;
  JsonObject *first, *idea;
  g_autofree char *tags = NULL;

  RUN (&run, db, NULL, "add", "First idea", "--body", "hello world", "--tag", "work", "--tag", "Home", "--pin");
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "1\n");
  g_assert_cmpint (add_idea (db, "Second idea", "WORK"), ==, 2);   /* the same tag, any case */
  g_assert_cmpint (add_idea (db, "Café ☕", NULL), ==, 3);

  /* Human output: one line per idea, pinned first: id, pin mark, title, tags. */
  RUN (&run, db, NULL, "list");
  assert_ok (&run);
  lines = g_strsplit (run.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[0], ==, "1 * First idea  [Home, work]");
  g_assert_cmpstr (lines[1], ==, "3   Café ☕");
  g_assert_cmpstr (lines[2], ==, "2   Second idea  [work]");
  g_assert_cmpstr (lines[3], ==, "");

  RUN (&run, db, NULL, "list", "--json");
  assert_ok (&run);
  list = parse_json (run.out);
  array = json_node_get_array (list);
  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  first = json_array_get_object_element (array, 0);
  g_assert_cmpint (json_object_get_int_member (first, "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (first, "title"), ==, "First idea");
  g_assert_cmpstr (json_object_get_string_member (first, "body"), ==, "hello world");
  g_assert_true (json_object_get_boolean_member (first, "pinned"));
  g_assert_cmpstr (json_object_get_string_member (first, "sync_state"), ==, "created");
  g_assert_true (json_object_get_null_member (first, "conflict_of"));
  tags = tags_of (first);
  g_assert_cmpstr (tags, ==, "Home,work");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (first, "created"), "Z"));

  idea = show_json (db, "2", &shown);
  g_assert_cmpstr (json_object_get_string_member (idea, "title"), ==, "Second idea");
  g_assert_false (json_object_get_boolean_member (idea, "pinned"));

  /* An idea can be named by its uid too. */
  idea = show_json (db, json_object_get_string_member (first, "uid"), &by_uid);
  g_assert_cmpint (json_object_get_int_member (idea, "id"), ==, 1);

  RUN (&run, db, NULL, "show", "1");
  assert_ok (&run);
  g_assert_nonnull (strstr (run.out, "title:    First idea\n"));
  g_assert_nonnull (strstr (run.out, "pinned:   yes\n"));
  g_assert_true (g_str_has_suffix (run.out, "\nhello world\n"));

  /* Filters. */
  RUN (&run, db, NULL, "list", "--tag", "work");
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "1 * First idea  [Home, work]\n2   Second idea  [work]\n");
  RUN (&run, db, NULL, "list", "--pinned");
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "1 * First idea  [Home, work]\n");
  RUN (&run, db, NULL, "list", "--search", "caf");
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "3   Café ☕\n");
  RUN (&run, db, NULL, "list", "--search", "nothing-like-this");
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "");
}

static void
test_edit (void)
{
  g_autofree char *db = db_path ("cli.db");
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) node2 = NULL;
  g_autofree char *tags = NULL;
  JsonObject *idea;

  RUN (&run, db, NULL, "add", "Old title", "--tag", "a", "--tag", "b", "--body", "old body");
  assert_ok (&run);

  RUN (&run, db, NULL, "edit", "1", "--title", "New title", "--untag", "A", "--tag", "c", "--tag", "b", "--pin");
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "");
  idea = show_json (db, "1", &node);
  g_assert_cmpstr (json_object_get_string_member (idea, "title"), ==, "New title");
  g_assert_cmpstr (json_object_get_string_member (idea, "body"), ==, "old body");
  g_assert_true (json_object_get_boolean_member (idea, "pinned"));
  tags = tags_of (idea);
  g_assert_cmpstr (tags, ==, "b,c");

  RUN (&run, db, NULL, "edit", "1", "--unpin", "--body", "");
  assert_ok (&run);
  idea = show_json (db, "1", &node2);
  g_assert_false (json_object_get_boolean_member (idea, "pinned"));
  g_assert_cmpstr (json_object_get_string_member (idea, "body"), ==, "");

  RUN (&run, db, NULL, "edit", "1");
  assert_fails (&run, 1, "Nothing to change");
  RUN (&run, db, NULL, "edit", "1", "--pin", "--unpin");
  assert_fails (&run, 1, NULL);
  RUN (&run, db, NULL, "edit", "42", "--pin");
  assert_fails (&run, 2, "42");
}

static void
test_delete (void)
{
  g_autofree char *db = db_path ("cli.db");
  g_auto(Run) run = { 0 };

  add_idea (db, "Doomed", "t");
  add_idea (db, "Stays", "t");
  RUN (&run, db, NULL, "delete", "1");
  assert_ok (&run);
  RUN (&run, db, NULL, "show", "1");
  assert_fails (&run, 2, NULL);
  RUN (&run, db, NULL, "delete", "1");
  assert_fails (&run, 2, NULL);
  RUN (&run, db, NULL, "list");
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "2   Stays  [t]\n");
}

static void
test_tags (void)
{
  g_autofree char *db = db_path ("cli.db");
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;

  add_idea (db, "One", "zeta");
  add_idea (db, "Two", "alpha");
  add_idea (db, "Three", "Alpha");

  RUN (&run, db, NULL, "tags");
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "alpha (2)\nzeta (1)\n");

  RUN (&run, db, NULL, "tags", "--json");
  assert_ok (&run);
  node = parse_json (run.out);
  array = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "name"), ==, "alpha");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (array, 0), "ideas"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (array, 1), "ideas"), ==, 1);
}

/* device-name shows the name this notebook's changes carry, sets it (the app sees the same
 * one), refuses a bad one with exit 3, and goes back to the computer's name; the ideas written
 * afterwards say so in show and --json. */
static void
test_device_name (void)
{
  g_autofree char *db = db_path ("cli.db");
  g_autofree char *too_long = g_strnfill (65, 'x');
  g_autofree char *fallback = NULL;
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) keep = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) store = NULL;
  g_autofree char *id = NULL;
  JsonObject *idea, *object;

  RUN (&run, db, NULL, "device-name");
  assert_ok (&run);
  g_assert_true (g_str_has_suffix (run.out, "\n"));
  fallback = g_strndup (run.out, strlen (run.out) - 1);
  g_assert_cmpstr (fallback, !=, "");

  RUN (&run, db, NULL, "device-name", "  Ada’s laptop ");
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "Ada’s laptop\n");
  RUN (&run, db, NULL, "device-name", "--json");
  assert_ok (&run);
  node = parse_json (run.out);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "Ada’s laptop");
  g_assert_cmpstr (json_object_get_string_member (object, "default"), ==, fallback);
  g_assert_true (json_object_get_boolean_member (object, "custom"));

  /* The app's notebook object reads the same name. */
  store = si_store_new (db, &error);
  g_assert_no_error (error);
  {
    g_autoptr(SiIdea) written = si_idea_new ("Written here", "");

    g_assert_true (si_store_save_idea (store, written, SI_SAVE_LOCAL, &error));
    g_assert_cmpstr (si_idea_get_device (written), ==, "Ada’s laptop");
    id = g_strdup_printf ("%" G_GINT64_FORMAT, si_idea_get_id (written));
  }
  idea = show_json (db, id, &keep);
  g_assert_cmpstr (json_object_get_string_member (idea, "device"), ==, "Ada’s laptop");
  RUN (&run, db, NULL, "show", id);
  assert_ok (&run);
  g_assert_nonnull (strstr (run.out, "\ndevice:   Ada’s laptop\n"));

  RUN (&run, db, NULL, "device-name", too_long);
  assert_fails (&run, 3, "64 characters");
  RUN (&run, db, NULL, "device-name", "two\nlines");
  assert_fails (&run, 3, NULL);
  RUN (&run, db, NULL, "device-name", "one", "two");
  assert_fails (&run, 1, "device-name");
  RUN (&run, db, NULL, "device-name", "one", "--reset");
  assert_fails (&run, 1, NULL);
  RUN (&run, db, NULL, "device-name");
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "Ada’s laptop\n");

  RUN (&run, db, NULL, "device-name", "--reset");
  assert_ok (&run);
  g_assert_true (g_str_has_prefix (run.out, fallback));
  RUN (&run, db, NULL, "device-name", "--json");
  assert_ok (&run);
  g_clear_pointer (&node, json_node_unref);
  node = parse_json (run.out);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (node), "custom"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "name"), ==, fallback);
}

static void
test_body_from_stdin (void)
{
  g_autofree char *db = db_path ("cli.db");
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) node2 = NULL;
  JsonObject *idea;

  RUN (&run, db, "from standard input\nline two ☕\n", "add", "Piped", "--body", "-");
  assert_ok (&run);
  idea = show_json (db, "1", &node);
  g_assert_cmpstr (json_object_get_string_member (idea, "body"), ==, "from standard input\nline two ☕\n");

  RUN (&run, db, "replaced", "edit", "1", "--body", "-");
  assert_ok (&run);
  idea = show_json (db, "1", &node2);
  g_assert_cmpstr (json_object_get_string_member (idea, "body"), ==, "replaced");

  RUN (&run, db, "caf\xe9", "add", "Latin-1", "--body", "-");
  assert_fails (&run, 3, "UTF-8");
  RUN (&run, db, NULL, "list");
  g_assert_cmpstr (run.out, ==, "1   Piped\n");
}

static void
test_exit_codes (void)
{
  g_autofree char *db = db_path ("cli.db");
  g_autofree char *corrupt = db_path ("corrupt.db");
  g_autofree char *after = NULL;
  g_auto(Run) run = { 0 };
  static const char garbage[] = "This is not a database, but someone's precious notes.\n";

  add_idea (db, "Exists", NULL);

  /* 1: usage */
  RUN (&run, db, NULL, "frobnicate");
  assert_fails (&run, 1, "frobnicate");
  RUN (&run, db, NULL, "list", "--no-such-option");
  assert_fails (&run, 1, NULL);
  RUN (&run, db, NULL, "add");
  assert_fails (&run, 1, NULL);
  RUN (&run, db, NULL, "show");
  assert_fails (&run, 1, NULL);
  RUN (&run, db, NULL, "export", "somewhere");
  assert_fails (&run, 1, "--format");
  RUN (&run, NULL, NULL, "--db");
  assert_fails (&run, 1, NULL);
  RUN (&run, NULL, NULL, "--bogus", "list");
  assert_fails (&run, 1, NULL);
  {
    const char * const none[] = { NULL };
    run_argv (&run, db, NULL, none);
    g_assert_cmpint (run.status, ==, 1);
  }

  /* 2: not found */
  RUN (&run, db, NULL, "show", "999");
  assert_fails (&run, 2, "999");
  RUN (&run, db, NULL, "show", "no-such-uid");
  assert_fails (&run, 2, NULL);
  RUN (&run, db, NULL, "list", "--tag", "nope");
  assert_fails (&run, 2, "nope");
  RUN (&run, db, NULL, "import", "/nonexistent/folder");
  assert_fails (&run, 2, "/nonexistent/folder");

  /* 3: invalid input, and nothing changed */
  RUN (&run, db, NULL, "add", "bad \xff title");
  assert_fails (&run, 3, "UTF-8");
  RUN (&run, db, NULL, "add", "fine title", "--tag", "bad \xc3\x28 tag");
  assert_fails (&run, 3, NULL);
  RUN (&run, db, NULL, "edit", "1", "--title", "\xfe");
  assert_fails (&run, 3, NULL);
  RUN (&run, db, NULL, "list");
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "1   Exists\n");
  RUN (&run, db, NULL, "tags");
  g_assert_cmpstr (run.out, ==, "");

  /* 4: storage — a file that is not a notebook is refused and left as it was. */
  g_assert_true (g_file_set_contents (corrupt, garbage, -1, NULL));
  RUN (&run, corrupt, NULL, "list");
  assert_fails (&run, 4, "corrupt.db");
  RUN (&run, corrupt, NULL, "add", "x");
  assert_fails (&run, 4, NULL);
  g_assert_true (g_file_get_contents (corrupt, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, garbage);

  /* 0, and the codes are documented. */
  RUN (&run, NULL, NULL, "--help");
  assert_ok (&run);
  g_assert_nonnull (strstr (run.out, "Exit codes:"));
  g_assert_nonnull (strstr (run.out, "  4  storage error"));
  g_assert_nonnull (strstr (run.out, "  7  server replaced"));
  RUN (&run, NULL, NULL, "--version");
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "saveidea-cli " PACKAGE_VERSION "\n");
  RUN (&run, db, NULL, "add", "--help");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "--body"));
}

static void
test_export_import (void)
{
  g_autofree char *db = db_path ("cli.db");
  g_autofree char *other = db_path ("other.db");
  g_autofree char *md = db_path ("export-md");
  g_autofree char *js = db_path ("export-json");
  g_autofree char *json_file = g_build_filename (js, "saveidea.json", NULL);
  g_autofree char *bad = db_path ("bad.json");
  g_auto(Run) run = { 0 };
  g_auto(Run) listed = { 0 };
  g_autoptr(GDir) dir = NULL;
  guint n = 0;

  add_idea (db, "Alpha", "x");
  add_idea (db, "Beta / Gamma", NULL);
  RUN (&run, db, "text ☕\n", "add", "Gamma", "--body", "-", "--pin");
  assert_ok (&run);

  RUN (&run, db, NULL, "export", "--format", "markdown", md);
  assert_ok (&run);
  g_assert_nonnull (strstr (run.out, "3 ideas"));
  dir = g_dir_open (md, 0, NULL);
  while (g_dir_read_name (dir))
    n++;
  g_assert_cmpuint (n, ==, 3);

  RUN (&run, db, NULL, "export", "--format", "json", js);
  assert_ok (&run);
  g_assert_true (g_file_test (json_file, G_FILE_TEST_IS_REGULAR));
  RUN (&run, db, NULL, "export", "--format", "pdf", js);
  assert_fails (&run, 1, "pdf");

  RUN (&run, other, NULL, "import", md);
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "Imported 3 files: 3 new, 0 updated, 0 unchanged; 1 new tag\n");
  RUN (&run, other, NULL, "import", json_file);
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "Imported 1 file: 0 new, 0 updated, 3 unchanged; 0 new tags\n");

  RUN (&run, db, NULL, "list");
  RUN (&listed, other, NULL, "list");
  g_assert_cmpstr (listed.out, ==, run.out);

  g_assert_true (g_file_set_contents (bad, "{\"format\": \"saveidea\", \"version\": 1, \"ideas\": [", -1, NULL));
  RUN (&run, other, NULL, "import", bad);
  assert_fails (&run, 3, "bad.json");
}

/* Another app's export (tests/data/import/): recognised with no flag, archived and trashed
 * notes tagged or left out (--archived), attachments named on standard error. */
static void
test_import_apps (void)
{
  g_autofree char *db = db_path ("apps.db");
  g_autofree char *skip_db = db_path ("skip.db");
  g_autofree char *keep = g_test_build_filename (G_TEST_DIST, "data", "import", "keep", "Takeout", NULL);
  g_autofree char *encrypted = g_test_build_filename (G_TEST_DIST, "data", "import", "standardnotes",
                                                      "encrypted.json", NULL);
  g_auto(Run) run = { 0 };

  RUN (&run, db, NULL, "import", keep);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 3 files: 3 new, 0 updated, 0 unchanged; 4 new tags\n");
  g_assert_nonnull (strstr (run.err, "3 attachments were not imported"));
  g_assert_nonnull (strstr (run.err, "  Shopping — 1a2b3c4d.jpg\n"));
  RUN (&run, db, NULL, "list", "--tag", "trash");
  assert_ok (&run);
  g_assert_nonnull (strstr (run.out, "Café ☕"));

  RUN (&run, skip_db, NULL, "import", "--archived=skip", keep);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 3 files: 1 new, 0 updated, 0 unchanged; 1 new tag\n");
  g_assert_nonnull (strstr (run.err, "2 archived or trashed notes were left out"));
  RUN (&run, skip_db, NULL, "import", "--archived=maybe", keep);
  assert_fails (&run, 1, "--archived");

  RUN (&run, skip_db, NULL, "import", encrypted);
  assert_fails (&run, 3, "encrypted.json: this Standard Notes backup is encrypted");

  /* Joplin and Evernote: a JEX with a path outside it is refused (exit 3), an ENEX imported. */
  {
    g_autofree char *jex = g_test_build_filename (G_TEST_DIST, "data", "import", "joplin", "traversal.jex", NULL);
    g_autofree char *enex = g_test_build_filename (G_TEST_DIST, "data", "import", "evernote", "notebook.enex", NULL);

    RUN (&run, skip_db, NULL, "import", jex);
    assert_fails (&run, 3, "traversal.jex: the entry “../../escape.md” points outside the archive");
    RUN (&run, skip_db, NULL, "import", enex);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, "Imported 1 file: 5 new, 0 updated, 0 unchanged; 2 new tags\n");
    g_assert_nonnull (strstr (run.err, "  Formatting & lists — bread.png\n"));
  }
}

/* ---------------------------------------------------------------------------------------- */
/* a hostile server: an in-process SoupServer in a thread of its own (the test waits for
 * saveidea-cli on its main context); the handler's user_data is its Hostility */

typedef enum {
  HOSTILE_DEEP_INFO,    /* GET /info answers 100,000 '[' */
  HOSTILE_DEEP_LOGIN,   /* /info is fine, POST /login answers 100,000 '[' */
  HOSTILE_DEEP_PAGE,    /* /info is fine, every other answer is 100,000 '[' */
  HOSTILE_NUL_PAGE,     /* /info is fine, the page of changes has a title with \u0000 */
} Hostility;

#define HOSTILE_INSTANCE "5b0f6c1e-8a3d-4e2f-9c7b-1d2e3f4a5b6c"

static gboolean
hostility_info_is_fine (Hostility hostility)
{
  return hostility != HOSTILE_DEEP_INFO;
}

static void
hostile_handle (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  Hostility hostility = GPOINTER_TO_INT (user_data);
  char *body;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Saveidea-Instance",
                                HOSTILE_INSTANCE);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  if (g_str_equal (path, "/api/v1/info") && hostility_info_is_fine (hostility))
    body = g_strdup ("{\"server\":\"saveidea-server\",\"version\":\"0.1.0\",\"protocol\":1,"
                     "\"instance_id\":\"" HOSTILE_INSTANCE "\"}");
  else if (hostility == HOSTILE_NUL_PAGE)
    body = g_strdup ("{\"records\":[{\"collection\":\"ideas\",\"id\":1,\"uid\":\"0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f\","
                     "\"version\":1,\"created_at\":\"2026-11-28T04:08:50.123Z\",\"updated_at\":\"2026-11-28T04:08:50.123Z\","
                     "\"deleted\":false,\"title\":\"Visible\\u0000hidden\",\"body\":\"\",\"pinned\":false,\"tags\":[]}],"
                     "\"cursor\":1,\"more\":false}");
  else
    {
      GString *deep = g_string_new (NULL);

      for (guint i = 0; i < 100000; i++)
        g_string_append_c (deep, '[');
      for (guint i = 0; i < 100000; i++)
        g_string_append_c (deep, ']');
      body = g_string_free (deep, FALSE);
    }
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, strlen (body));
}

/* The notebook @db syncs with @url as alice (the token comes from SAVEIDEA_TOKEN). */
static void
set_account (const char *db,
             const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) store = si_store_new (db, &error);
  g_autoptr(SiAccount) account = NULL;

  g_assert_no_error (error);
  account = si_account_new (store);
  g_assert_true (si_account_set_for_testing (account, url, "alice", NULL, &error));
  g_assert_no_error (error);
}

/* A server that answers login or a page of changes with JSON nested 100,000 deep crashed
 * saveidea-cli in json-glib; a title with \u0000 was stored cut short. Now: exit 5 with the
 * reason, and nothing stored. */
static void
test_hostile_server (void)
{
  g_autofree char *db = db_path ("cli.db");
  g_auto(Run) run = { 0 };

  /* The isolated XDG folders hide the GSettings schemas GNOME's proxy resolver reads. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  {
    g_autoptr(SiTestFakeServer) hostile = si_test_fake_server_start (hostile_handle,
                                                                    GINT_TO_POINTER (HOSTILE_DEEP_INFO));
    RUN (&run, db, "secret\n", "login", si_test_fake_server_get_url (hostile), "alice");
    assert_fails (&run, 5, "not a Saveidea server");
  }
  {
    g_autoptr(SiTestFakeServer) hostile = si_test_fake_server_start (hostile_handle,
                                                                    GINT_TO_POINTER (HOSTILE_DEEP_LOGIN));
    RUN (&run, db, "secret\n", "login", si_test_fake_server_get_url (hostile), "alice");
    assert_fails (&run, 5, "did not log you in");
  }

  g_setenv ("SAVEIDEA_TOKEN", "hostile-token", TRUE);
  {
    g_autoptr(SiTestFakeServer) hostile = si_test_fake_server_start (hostile_handle,
                                                                    GINT_TO_POINTER (HOSTILE_DEEP_PAGE));
    set_account (db, si_test_fake_server_get_url (hostile));
    RUN (&run, db, NULL, "sync");
    g_assert_cmpint (run.status, ==, 5);
    g_assert_nonnull (strstr (run.err, "nested deeper than 64 levels"));
  }
  {
    g_autoptr(SiTestFakeServer) hostile = si_test_fake_server_start (hostile_handle,
                                                                    GINT_TO_POINTER (HOSTILE_NUL_PAGE));
    set_account (db, si_test_fake_server_get_url (hostile));
    RUN (&run, db, NULL, "sync", "--pull");
    g_assert_cmpint (run.status, ==, 5);
    g_assert_nonnull (strstr (run.err, "NUL"));
  }
  g_unsetenv ("SAVEIDEA_TOKEN");

  /* Nothing was stored, neither whole nor cut short. */
  RUN (&run, db, NULL, "list");
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "");
}

/* An import file nested 100,000 deep crashed saveidea-cli; one with \u0000 in a title stored
 * it cut short. Both are invalid files now: exit 3, nothing imported. */
static void
test_import_hostile_json (void)
{
  g_autofree char *db = db_path ("cli.db");
  g_autofree char *deep_file = db_path ("deep.json");
  g_autofree char *nul_file = db_path ("nul.json");
  g_auto(Run) run = { 0 };
  GString *deep = g_string_new ("{\"format\":\"saveidea\",\"version\":1,\"ideas\":[");

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, ']');
  g_string_append (deep, "]}");
  g_assert_true (g_file_set_contents (deep_file, deep->str, (gssize) deep->len, NULL));
  g_string_free (deep, TRUE);
  g_assert_true (g_file_set_contents (nul_file,
                                      "{\"format\":\"saveidea\",\"version\":1,\"ideas\":[{\"uid\":\"0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f\","
                                      "\"title\":\"Visible\\u0000hidden\",\"body\":\"\"}]}", -1, NULL));

  RUN (&run, db, NULL, "import", deep_file);
  assert_fails (&run, 3, "deep.json");
  g_assert_nonnull (strstr (run.err, "nested deeper than 64 levels"));
  RUN (&run, db, NULL, "import", nul_file);
  assert_fails (&run, 3, "nul.json");
  g_assert_nonnull (strstr (run.err, "NUL"));

  RUN (&run, db, NULL, "list");
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "");
}

/* Messages, help and text output follow the language; what scripts read does not. */
static void
test_translated (void)
{
  g_autofree char *db = db_path ("cli.db");
  g_autofree char *missing = db_path ("no-such-folder");
  g_auto(Run) english = { 0 };
  g_auto(Run) german = { 0 };

  add_idea (db, "Café ☕", "work");

  /* A message of saveidea-cli itself */
  RUN (&english, db, NULL, "show", "42");
  assert_fails (&english, 2, "saveidea-cli: There is no idea 42.\n");
  RUN_IN ("de", &german, db, NULL, "show", "42");
  assert_fails (&german, 2, "saveidea-cli: Es gibt keine Idee 42.\n");

  /* A message of the core (si-import.c), which the app shows too */
  RUN (&english, db, NULL, "import", missing);
  assert_fails (&english, 2, ": there is no such file or folder.");
  RUN_IN ("de", &german, db, NULL, "import", missing);
  assert_fails (&german, 2, ": Diese Datei oder diesen Ordner gibt es nicht.");
  g_assert_nonnull (strstr (german.err, missing));

  /* The help, the command summaries and GOption's descriptions of a command's options */
  RUN_IN ("de", &german, NULL, NULL, "--help");
  assert_ok (&german);
  g_assert_nonnull (strstr (german.out, "Befehle:\n"));
  g_assert_nonnull (strstr (german.out, "      Eine Idee anzeigen\n"));
  g_assert_nonnull (strstr (german.out, "Beendigungsstatus:\n"));
  RUN_IN ("de", &german, db, NULL, "edit", "--help");
  g_assert_cmpint (german.status, ==, 0);
  g_assert_nonnull (strstr (german.out, "Die Idee anheften"));

  /* Text output: translated labels, lined up after the longest one */
  RUN_IN ("de", &german, db, NULL, "show", "1");
  assert_ok (&german);
  g_assert_nonnull (strstr (german.out, "Titel:       Café ☕\n"));
  g_assert_nonnull (strstr (german.out, "Angeheftet:  nein\n"));

  /* What scripts read is the same in every language: ids, JSON, the tag list. */
  RUN_IN ("de", &german, db, NULL, "add", "Zweite Idee");
  assert_ok (&german);
  g_assert_cmpstr (german.out, ==, "2\n");
  RUN (&english, db, NULL, "list", "--json");
  RUN_IN ("de", &german, db, NULL, "list", "--json");
  assert_ok (&german);
  g_assert_cmpstr (german.out, ==, english.out);
  g_assert_nonnull (strstr (german.out, "\"sync_state\" : \"created\""));
  RUN_IN ("de", &german, db, NULL, "tags");
  g_assert_cmpstr (german.out, ==, "work (1)\n");
}

/* The store's own messages (si-store.c), which the app shows too, follow the language: a file
 * that is not a notebook, a refused title, and a failed change, whose sentence names what failed. */
static void
test_translated_store (void)
{
  g_autofree char *db = db_path ("cli.db");
  g_autofree char *not_notebook = db_path ("notes.txt");
  g_autofree char *long_title = g_strnfill (1001, 'x');
  g_auto(Run) english = { 0 };
  g_auto(Run) german = { 0 };
  sqlite3 *handle = NULL;

  g_assert_true (g_file_set_contents (not_notebook, "Someone's notes, not a database.\n", -1, NULL));
  RUN (&english, not_notebook, NULL, "list");
  assert_fails (&english, 4, "notes.txt is not a Saveidea notebook (it is not an SQLite database). "
                "It was left untouched; move it away or choose another file.\n");
  RUN_IN ("de", &german, not_notebook, NULL, "list");
  assert_fails (&german, 4, "notes.txt ist kein Saveidea-Notizbuch (es ist keine SQLite-Datenbank). "
                "Die Datei wurde nicht verändert; verschieben Sie sie oder wählen Sie eine andere Datei.\n");

  add_idea (db, "Kept", NULL);
  RUN (&english, db, NULL, "add", long_title);
  assert_fails (&english, 3, "saveidea-cli: The title is too long: at most 1000 characters.\n");
  RUN_IN ("de", &german, db, NULL, "add", long_title);
  assert_fails (&german, 3, "saveidea-cli: Der Titel ist zu lang: höchstens 1000 Zeichen.\n");

  /* SQLite refuses to delete (a trigger stands in for a failing database): the message says
   * what failed in the same language. */
  g_assert_cmpint (sqlite3_open (db, &handle), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (handle, "CREATE TRIGGER refuse_delete BEFORE DELETE ON ideas"
                                 " BEGIN SELECT RAISE (ABORT, 'refused by the test'); END",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (handle), ==, SQLITE_OK);
  RUN (&english, db, NULL, "delete", "1");
  assert_fails (&english, 4, "saveidea-cli: The notebook database failed (deleting an idea: refused by the test).\n");
  RUN_IN ("de", &german, db, NULL, "delete", "1");
  assert_fails (&german, 4, "saveidea-cli: Fehler in der Notizbuch-Datenbank (Löschen einer Idee: refused by the test).\n");
  RUN (&english, db, NULL, "list");
  assert_ok (&english);
  g_assert_cmpstr (english.out, ==, "1   Kept\n");
}

static void
test_default_notebook (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "saveidea", "saveidea.db", NULL);
  g_auto(Run) run = { 0 };

  /* Without --db: the app's notebook (in this test's own XDG_DATA_HOME). */
  RUN (&run, NULL, NULL, "add", "In the default notebook");
  assert_ok (&run);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  RUN (&run, path, NULL, "list");
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "1   In the default notebook\n");
}

/* A folder with a FIFO and a link to /dev/zero among its notes: the notes are imported, each
 * odd entry is named on standard error, and nothing hangs or fills the memory. */
static void
test_import_not_regular (void)
{
  g_autofree char *db = db_path ("cli.db");
  g_autofree char *folder = db_path ("notes");
  g_autofree char *note = g_build_filename (folder, "note.md", NULL);
  g_autofree char *fifo = g_build_filename (folder, "fifo.md", NULL);
  g_autofree char *zero = g_build_filename (folder, "zero.md", NULL);
  g_auto(Run) run = { 0 };

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (note, "A note\n\nits text\n", -1, NULL));
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (symlink ("/dev/zero", zero), ==, 0);

  RUN (&run, db, NULL, "import", folder);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 1 file: 1 new, 0 updated, 0 unchanged; 0 new tags\n");
  g_assert_nonnull (strstr (run.err, "saveidea-cli: "));
  g_assert_nonnull (strstr (run.err, "fifo.md: not a regular file"));
  g_assert_nonnull (strstr (run.err, "zero.md: not a regular file"));

  RUN (&run, db, NULL, "import", fifo);
  assert_fails (&run, 3, "fifo.md");
}

/* ---------------------------------------------------------------------------------------- */
/* a server that no longer accepts the notebook's login (its password was changed): every
 * request with a token gets 401, and a login is refused; it notes the user name it was asked
 * to log in */

static GMutex refusing_lock;
static char *refusing_login_body;

static void
refusing_handle (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  static const char info[] = "{\"server\":\"saveidea-server\",\"version\":\"0.1.0\",\"protocol\":1,"
                             "\"instance_id\":\"" HOSTILE_INSTANCE "\"}";
  static const char refused[] = "{\"error\":\"unauthorized\",\"message\":\"Log in first\"}";

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Saveidea-Instance",
                                HOSTILE_INSTANCE);
  if (g_str_equal (path, "/api/v1/info"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, info, strlen (info));
      return;
    }
  if (g_str_equal (path, "/api/v1/login"))
    {
      g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));

      g_mutex_lock (&refusing_lock);
      g_free (refusing_login_body);
      refusing_login_body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      g_mutex_unlock (&refusing_lock);
    }
  soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, refused, strlen (refused));
}

/* The server refuses the token: `sync` exits 6 and says how to log in again, `status` says a
 * login is needed, and `login` without arguments logs in again as the notebook's user on its
 * server. Nothing waiting is lost. */
static void
test_relogin (void)
{
  g_autofree char *db = db_path ("cli.db");
  g_autofree char *fresh = db_path ("fresh.db");
  g_autoptr(SiTestFakeServer) refusing = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JsonNode) sent = NULL;
  g_auto(Run) run = { 0 };

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  refusing = si_test_fake_server_start (refusing_handle, NULL);
  set_account (db, si_test_fake_server_get_url (refusing));
  RUN (&run, db, NULL, "add", "Written while logged out");
  assert_ok (&run);

  g_setenv ("SAVEIDEA_TOKEN", "revoked-token", TRUE);
  RUN (&run, db, NULL, "sync");
  g_unsetenv ("SAVEIDEA_TOKEN");
  g_assert_cmpint (run.status, ==, 6);
  g_assert_nonnull (strstr (run.err, "saveidea-cli login)"));

  RUN (&run, db, NULL, "status");
  assert_ok (&run);
  g_assert_nonnull (strstr (run.out, "Login needed"));
  g_assert_nonnull (strstr (run.out, "User: alice\n"));
  g_assert_nonnull (strstr (run.out, "Changes waiting: 1\n"));
  RUN (&run, db, NULL, "status", "--json");
  assert_ok (&run);
  json = parse_json (run.out);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (json), "needs_login"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "server"), ==,
                   si_test_fake_server_get_url (refusing));

  /* login with no arguments: the notebook's server and user, only the password is read */
  RUN (&run, db, "the new password\n", "login");
  assert_fails (&run, 6, "refused the password for alice");
  g_mutex_lock (&refusing_lock);
  sent = parse_json (refusing_login_body);
  g_mutex_unlock (&refusing_lock);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (sent), "username"), ==, "alice");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (sent), "password"), ==, "the new password");
  /* a refused password changes nothing */
  RUN (&run, db, NULL, "status");
  g_assert_nonnull (strstr (run.out, "Login needed"));
  g_assert_nonnull (strstr (run.out, "Changes waiting: 1\n"));

  /* a notebook without an account has nothing to log in again to */
  RUN (&run, fresh, "password\n", "login");
  assert_fails (&run, 1, "login URL USER");
  RUN (&run, fresh, NULL, "status", "--json");
  g_clear_pointer (&json, json_node_unref);
  json = parse_json (run.out);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (json), "needs_login"));

  g_mutex_lock (&refusing_lock);
  g_clear_pointer (&refusing_login_body, g_free);
  g_mutex_unlock (&refusing_lock);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (g_getenv ("SAVEIDEA_CLI") == NULL)
    {
      g_test_skip ("SAVEIDEA_CLI is not set");
      return g_test_run ();
    }

  g_test_add_func ("/cli/add-list-show", test_add_list_show);
  g_test_add_func ("/cli/edit", test_edit);
  g_test_add_func ("/cli/delete", test_delete);
  g_test_add_func ("/cli/tags", test_tags);
  g_test_add_func ("/cli/device-name", test_device_name);
  g_test_add_func ("/cli/body-from-stdin", test_body_from_stdin);
  g_test_add_func ("/cli/exit-codes", test_exit_codes);
  g_test_add_func ("/cli/export-import", test_export_import);
  g_test_add_func ("/cli/hostile-server", test_hostile_server);
  g_test_add_func ("/cli/import-hostile-json", test_import_hostile_json);
  g_test_add_func ("/cli/import-not-regular", test_import_not_regular);
  g_test_add_func ("/cli/default-notebook", test_default_notebook);
  g_test_add_func ("/cli/import-apps", test_import_apps);
  g_test_add_func ("/cli/translated", test_translated);
  g_test_add_func ("/cli/translated-store", test_translated_store);
  g_test_add_func ("/cli/relogin", test_relogin);

  return g_test_run ();
}
