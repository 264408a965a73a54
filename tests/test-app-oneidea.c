/* test-app-oneidea.c — one idea out (Export as Markdown, Copy as Markdown, Print) and things
 * dropped on the window (files, a folder, text), driven through the window's real actions and
 * drop target. */
#define _GNU_SOURCE 1  /* memmem() */
#define G_LOG_DOMAIN "saveidea-test"

#include "config.h"

#include <string.h>

#include "si-export.h"
#include "si-file-chooser.h"
#include "si-idea-print.h"
#include "si-import.h"
#include "si-test-app.h"

static const char *body_text_of_idea =
  "# Plans\n\n- [ ] call \"Bob\"\n- [x] write it down\n\nA line with a tab\tand a backslash \\.\n";

/* An idea with tags, the pin and a body that needs quoting, open in the window's editor. */
static SiIdea *
make_rich_idea (Fixture *f)
{
  g_autoptr(SiIdea) idea = si_idea_new ("Garden: \"spring\" / plans", body_text_of_idea);
  const char * const tags[] = { "home", "two words", NULL };
  g_autoptr(GError) error = NULL;

  si_idea_set_pinned (idea, TRUE);
  g_assert_true (si_import_save_idea (f->store, idea, tags, &error));
  g_assert_no_error (error);
  open_window (f, NULL);
  si_window_open_idea (f->window, si_idea_get_id (idea));
  WAIT_FOR (si_window_get_current_id (f->window) == si_idea_get_id (idea));
  return si_store_get_idea (f->store, si_idea_get_id (idea), NULL);
}

static char *
read_file (GFile *file)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;

  g_assert_true (g_file_load_contents (file, NULL, &data, NULL, NULL, &error));
  g_assert_no_error (error);
  return data;
}

/* A new file exists from its first byte on: a write is done when it ends as it should. */
static gboolean
file_ends_with (GFile      *file,
                const char *suffix)
{
  g_autofree char *data = NULL;

  return g_file_load_contents (file, NULL, &data, NULL, NULL, NULL) && g_str_has_suffix (data, suffix);
}

static void
test_export_idea (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(SiIdea) idea = make_rich_idea (f);
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "one-idea", NULL);
  g_autofree char *path = g_build_filename (dir, "chosen.md", NULL);
  g_autofree char *other_path = g_build_filename (g_get_user_data_dir (), "other.db", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GFile) notebook_export = NULL;
  g_autoptr(SiStore) other = NULL;
  g_auto(SiImportStats) stats = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) keys = NULL;
  g_autoptr(SiIdea) back = NULL;
  g_autofree char *exported = NULL;
  g_autofree char *notebook_text = NULL;
  const char * const *tags;
  GtkTextBuffer *buffer;
  GtkTextIter end;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  /* Typed a moment ago, not saved yet: the export has it. */
  buffer = _si_editor_get_body_buffer (_si_window_get_editor (f->window));
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, "Typed last.", -1);

  _si_file_chooser_set_test_file (file);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.export-markdown", NULL));
  WAIT_FOR (file_ends_with (file, "Typed last."));
  _si_file_chooser_set_test_file (NULL);
  spin (20);

  /* The chooser suggested a safe name made of the title. */
  g_clear_object (&idea);
  idea = si_store_get_idea (f->store, si_window_get_current_id (f->window), &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (si_idea_get_body (idea), "Typed last."));

  /* Exactly what the notebook export writes for this idea. */
  exported = read_file (file);
  g_assert_true (si_export_markdown (f->store, folder, NULL, NULL, &error));
  g_assert_no_error (error);
  notebook_export = g_file_get_child (folder, "Garden- -spring- - plans.md");
  notebook_text = read_file (notebook_export);
  g_assert_cmpstr (exported, ==, notebook_text);

  /* Imported into a fresh notebook (as saveidea-cli import does): the same idea. */
  other = si_store_new (other_path, &error);
  g_assert_no_error (error);
  g_assert_true (si_import (other, file, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_created, ==, 1);
  keys = si_store_query_ideas (other, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);
  back = si_store_get_idea (other, g_array_index (keys, SiIdeaKey, 0).id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_title (back), ==, si_idea_get_title (idea));
  g_assert_cmpstr (si_idea_get_body (back), ==, si_idea_get_body (idea));
  g_assert_cmpstr (si_idea_get_uid (back), ==, si_idea_get_uid (idea));
  g_assert_true (si_idea_get_pinned (back));
  tags = si_idea_get_tag_names (back);
  g_assert_nonnull (tags);
  g_assert_cmpuint (g_strv_length ((char **) tags), ==, 2);
  g_assert_true (g_strv_contains (tags, "home"));
  g_assert_true (g_strv_contains (tags, "two words"));
}

static void
test_export_file_name (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SiIdea) idea = make_rich_idea (f);
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "named.md", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  _si_file_chooser_set_test_file (file);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.export-markdown", NULL));
  /* The name the exporter gives this idea's file. */
  g_assert_cmpstr (_si_file_chooser_get_test_initial_name (), ==, "Garden- -spring- - plans.md");
  WAIT_FOR (file_ends_with (file, "backslash \\.\n"));
  _si_file_chooser_set_test_file (NULL);
  spin (20);
}

static void
read_text_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
}

static void
test_copy_markdown (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SiIdea) idea = make_rich_idea (f);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (f->window));
  g_autofree char *expected = NULL;
  g_autofree char *text = NULL;

  gdk_clipboard_set_text (clipboard, "something else");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.copy-markdown", NULL));
  expected = si_export_idea_markdown (idea, NULL);

  g_assert_true (gdk_content_formats_contain_mime_type (gdk_clipboard_get_formats (clipboard), "text/markdown"));
  gdk_clipboard_read_text_async (clipboard, NULL, read_text_cb, &text);
  WAIT_FOR (text != NULL);
  g_assert_cmpstr (text, ==, expected);
}

/* An emission hook sees every emission, whatever the handlers return. */
typedef struct {
  guint  n;
  gint64 last;
  gint64 longest;   /* µs between two steps: a step's work and a turn of the main loop */
} Steps;

static gboolean
count_paginate_cb (GSignalInvocationHint *hint,
                   guint                  n_params,
                   const GValue          *params,
                   gpointer               user_data)
{
  Steps *steps = user_data;
  gint64 now = g_get_monotonic_time ();

  if (steps->n++ > 0)
    steps->longest = MAX (steps->longest, now - steps->last);
  steps->last = now;
  return TRUE;
}

/* Runs @operation to a PDF file; returns its text. */
static char *
print_to_pdf (GtkPrintOperation *operation,
              const char        *name,
              gsize             *length)
{
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), name, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  gtk_print_operation_set_export_filename (operation, path);
  g_assert_cmpint (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_EXPORT, NULL, &error),
                   ==, GTK_PRINT_OPERATION_RESULT_APPLY);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &data, length, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (data, "%PDF"));
  return data;
}

/* The pages a PDF file made by cairo says it has. */
static guint
pdf_pages (const char *data,
           gsize       length)
{
  guint n = 0;

  /* The text has NUL bytes (compressed streams): not g_strstr_len(). */
  for (const char *p = data; (p = memmem (p, length - (p - data), "/Type /Page", 11)) != NULL; p++)
    if (p + 11 < data + length && p[11] != 's')
      n++;
  return n;
}

static void
check_pages_cover (GtkPrintOperation *operation,
                   gsize              body_length,
                   int                n_pages)
{
  gsize expected_start = 0;

  for (int i = 0; i < n_pages; i++)
    {
      gsize start, end;

      g_assert_true (_si_idea_print_get_page_range (operation, i, &start, &end));
      g_assert_cmpuint (start, ==, expected_start);
      g_assert_cmpuint (end, >=, start);
      expected_start = end;
    }
  g_assert_cmpuint (expected_start, ==, body_length);
}

static void
test_print (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GtkPrintOperation) small = si_idea_print_new ("A title", "A body.\nOf two lines.");
  g_autoptr(GtkPrintOperation) big = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *pdf = NULL;
  gsize length = 0;
  Steps steps = { 0 };
  gulong hook;
  int n_pages;

  pdf = print_to_pdf (small, "small.pdf", &length);
  g_assert_cmpint (gtk_print_operation_get_n_pages_to_print (small), ==, 1);
  g_assert_cmpuint (pdf_pages (pdf, length), ==, 1);
  check_pages_cover (small, strlen ("A body.\nOf two lines."), 1);
  g_clear_pointer (&pdf, g_free);

  /* A 1 MiB body: short paragraphs, blank lines, and one paragraph of 200 KiB without a line
   * break, and a word longer than a line. */
  while (body->len < 400 * 1024)
    g_string_append (body, "Some words to wrap across the width of the page, again and again.\n\n");
  for (guint i = 0; i < 200 * 1024 / 8; i++)
    g_string_append (body, "Ünïcödé ");
  g_string_append_c (body, '\n');
  for (guint i = 0; i < 2000; i++)
    g_string_append_c (body, 'x');
  g_string_append_c (body, '\n');
  while (body->len < 1024 * 1024)
    g_string_append (body, "A last line.\n");

  big = si_idea_print_new ("A long one", body->str);
  hook = g_signal_add_emission_hook (g_signal_lookup ("paginate", GTK_TYPE_PRINT_OPERATION), 0,
                                     count_paginate_cb, &steps, NULL);
  pdf = print_to_pdf (big, "big.pdf", &length);
  g_signal_remove_emission_hook (g_signal_lookup ("paginate", GTK_TYPE_PRINT_OPERATION), hook);
  n_pages = gtk_print_operation_get_n_pages_to_print (big);
  /* The time is information, not a check: tests assert no timings. */
  g_test_message ("1 MiB: %d pages, paginated in %u steps, at most %" G_GINT64_FORMAT " ms apart",
                  n_pages, steps.n, steps.longest / 1000);
  /* Laid out a step at a time, the main loop turning between them. */
  g_assert_cmpuint (steps.n, >, 10);
  g_assert_cmpint (n_pages, >, 200);
  g_assert_cmpuint (pdf_pages (pdf, length), ==, (guint) n_pages);
  check_pages_cover (big, body->len, n_pages);

  /* Nothing keeps a finished operation, and with it the copy of the body, alive. */
  g_object_add_weak_pointer (G_OBJECT (big), (gpointer *) &big);
  g_object_unref (big);
  WAIT_FOR (big == NULL);
}

static GtkDropTarget *
window_drop_target (SiWindow *window)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }
  return NULL;
}

static gboolean
drop (GtkDropTarget *target,
      const GValue  *value)
{
  gboolean taken = FALSE;

  g_signal_emit_by_name (target, "drop", value, 10.0, 10.0, &taken);
  return taken;
}

static SiIdea *
find_idea (SiStore    *store,
           const char *title)
{
  g_autoptr(GArray) keys = si_store_query_ideas (store, NULL, NULL);

  for (guint i = 0; keys && i < keys->len; i++)
    {
      g_autoptr(SiIdea) idea = si_store_get_idea (store, g_array_index (keys, SiIdeaKey, i).id, NULL);

      if (idea && g_strcmp0 (si_idea_get_title (idea), title) == 0)
        return g_steal_pointer (&idea);
    }
  return NULL;
}

static void
write_text (const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

static void
test_drop (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "dropped", NULL);
  g_autofree char *folder_path = g_build_filename (dir, "folder", NULL);
  g_autofree char *one = g_build_filename (dir, "one.md", NULL);
  g_autofree char *two = g_build_filename (dir, "two.txt", NULL);
  g_autofree char *three = g_build_filename (folder_path, "three.md", NULL);
  GFile *files[2];
  GdkFileList *list;
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) text = G_VALUE_INIT;
  g_auto(GValue) blank = G_VALUE_INIT;
  g_autoptr(SiIdea) idea = NULL;
  GtkDropTarget *target;

  g_assert_cmpint (g_mkdir_with_parents (folder_path, 0700), ==, 0);
  write_text (one, "---\ntitle: \"From a file\"\ntags: [\"dropped\"]\npinned: true\n---\n\nIts text.\n");
  write_text (two, "# A text file\n\nPlain text.\n");
  write_text (three, "In a folder\nbody three\n");

  open_window (f, NULL);
  target = window_drop_target (f->window);
  g_assert_nonnull (target);

  /* Two files: both imported, as Import would. */
  files[0] = g_file_new_for_path (one);
  files[1] = g_file_new_for_path (two);
  list = gdk_file_list_new_from_array (files, 2);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, list);
  g_assert_true (drop (target, &value));
  WAIT_FOR (count_in_store (f->store) == 2);
  idea = find_idea (f->store, "From a file");
  g_assert_nonnull (idea);
  g_assert_cmpstr (si_idea_get_body (idea), ==, "Its text.\n");
  g_assert_true (si_idea_get_pinned (idea));
  g_assert_true (g_strv_contains (si_idea_get_tag_names (idea), "dropped"));
  g_clear_object (&idea);
  idea = find_idea (f->store, "A text file");
  g_assert_nonnull (idea);
  g_assert_cmpstr (si_idea_get_body (idea), ==, "Plain text.\n");
  g_clear_object (&idea);
  g_object_unref (files[0]);
  g_object_unref (files[1]);
  g_boxed_free (GDK_TYPE_FILE_LIST, list);

  /* A folder, as importing a folder. */
  files[0] = g_file_new_for_path (folder_path);
  list = gdk_file_list_new_from_array (files, 1);
  g_value_set_boxed (&value, list);
  g_assert_true (drop (target, &value));
  WAIT_FOR (count_in_store (f->store) == 3);
  idea = find_idea (f->store, "In a folder");
  g_assert_nonnull (idea);
  g_assert_cmpstr (si_idea_get_body (idea), ==, "body three\n");
  g_clear_object (&idea);
  g_object_unref (files[0]);
  g_boxed_free (GDK_TYPE_FILE_LIST, list);

  /* Text: its first line is the title, the rest the body. */
  g_value_init (&text, G_TYPE_STRING);
  g_value_set_string (&text, "Dropped words\n\nand what follows them");
  g_assert_true (drop (target, &text));
  WAIT_FOR (count_in_store (f->store) == 4);
  idea = find_idea (f->store, "Dropped words");
  g_assert_nonnull (idea);
  g_assert_cmpstr (si_idea_get_body (idea), ==, "and what follows them");

  /* Nothing but white space makes no idea. */
  g_value_init (&blank, G_TYPE_STRING);
  g_value_set_string (&blank, " \n\t");
  g_assert_false (drop (target, &blank));
  spin (100);
  g_assert_cmpuint (count_in_store (f->store), ==, 4);
}

/* Dropped text is input from another program: checked as a file's text is. */
static void
test_import_text_checks (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(SiImportStats) stats = { 0 };
  g_autoptr(SiIdea) idea = NULL;
  g_autofree char *huge = g_strnfill (SI_BODY_MAX_BYTES + 128 * 1024, 'a');
  const char bad_utf8[] = "Title\n\xff\xfe body";
  const char with_nul[] = "Title\0body";
  const char *front = "---\ntitle: \"From front matter\"\npinned: true\n---\n\nBody.\n";

  g_assert_false (si_import_markdown_text (f->store, bad_utf8, sizeof bad_utf8 - 1, "Dropped", &stats, &error));
  g_assert_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (si_import_markdown_text (f->store, with_nul, sizeof with_nul - 1, "Dropped", &stats, &error));
  g_assert_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (si_import_markdown_text (f->store, huge, strlen (huge), "Dropped", &stats, &error));
  g_assert_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (count_in_store (f->store), ==, 0);

  /* A front matter counts, as in a file. */
  g_assert_true (si_import_markdown_text (f->store, front, strlen (front), "Dropped", &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_created, ==, 1);
  idea = find_idea (f->store, "From front matter");
  g_assert_nonnull (idea);
  g_assert_true (si_idea_get_pinned (idea));
  g_assert_cmpstr (si_idea_get_body (idea), ==, "Body.\n");
}

/* The file choosers the app shows (outside a sandbox, GTK's own dialog). */
static guint
n_choosers_shown (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* (transfer none) */
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (!SI_IS_WINDOW (window) && gtk_widget_get_visible (window))
        n++;
    }
  return n;
}

/* The chooser helper on this GTK: one chooser at a time; closed with the window. */
static void
test_chooser_lifetime (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SiIdea) idea = make_rich_idea (f);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.export-markdown", NULL));
  WAIT_FOR (n_choosers_shown () == 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "notebook.export", "s", "json"));
  spin (100);
  WAIT_FOR (n_choosers_shown () == 1);

  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
  WAIT_FOR (n_choosers_shown () == 0);
}

int
main (int   argc,
      char *argv[])
{
  /* GTK's own file chooser (no portal here) reads GTK's settings schema, which the isolated
   * test environment does not list. */
  if (g_file_test ("/usr/share/glib-2.0/schemas/gschemas.compiled", G_FILE_TEST_EXISTS))
    {
      const char *dirs = g_getenv ("GSETTINGS_SCHEMA_DIR");
      g_autofree char *all = dirs ? g_strconcat (dirs, ":/usr/share/glib-2.0/schemas", NULL)
                                  : g_strdup ("/usr/share/glib-2.0/schemas");
      g_setenv ("GSETTINGS_SCHEMA_DIR", all, TRUE);
    }
  si_test_app_init (&argc, &argv);

  g_test_add ("/app/oneidea/export", Fixture, NULL, fixture_setup, test_export_idea, fixture_teardown);
  g_test_add ("/app/oneidea/export-file-name", Fixture, NULL, fixture_setup, test_export_file_name, fixture_teardown);
  g_test_add ("/app/oneidea/copy-markdown", Fixture, NULL, fixture_setup, test_copy_markdown, fixture_teardown);
  g_test_add ("/app/oneidea/print", Fixture, NULL, fixture_setup, test_print, fixture_teardown);
  g_test_add ("/app/oneidea/drop", Fixture, NULL, fixture_setup, test_drop, fixture_teardown);
  g_test_add ("/app/oneidea/chooser-lifetime", Fixture, NULL, fixture_setup, test_chooser_lifetime, fixture_teardown);
  g_test_add ("/app/oneidea/import-text-checks", Fixture, NULL, fixture_setup, test_import_text_checks, fixture_teardown);
  return g_test_run ();
}
