/* test-app-capture.c — quick capture (`saveidea --new`, the desktop file's New Idea action): the
 * small window writes into the same store a main window shows, live; an empty capture writes
 * nothing; Escape and Ctrl+Enter (real keys, through XTest) close it and write what waits; the
 * typed tags are applied; `--new` opens only the capture window in a new instance, and in a
 * running one (the real `saveidea --new` as the second process) the capture window there. */
#include "config.h"

#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>
#include <gdk/x11/gdkx.h>

#include "si-capture-window.h"
#include "si-test-app.h"

/* A capture window on @store, presented and mapped; with @app, the application's. */
static SiCaptureWindow *
open_capture (SiStore        *store,
              GtkApplication *app)
{
  SiCaptureWindow *capture = si_capture_window_new (app, store);

  gtk_window_present (GTK_WINDOW (capture));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (capture)));
  return capture;
}

static void
type_body (SiCaptureWindow *capture,
           const char      *text)
{
  GtkTextBuffer *buffer = _si_capture_window_get_body_buffer (capture);
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text, -1);
}

/* Closes @capture as the window manager's close button does, and waits until it is gone. */
static void
close_capture (SiCaptureWindow *capture)
{
  GtkWidget *widget = GTK_WIDGET (capture);

  g_object_add_weak_pointer (G_OBJECT (capture), (gpointer *) &widget);
  gtk_window_close (GTK_WINDOW (capture));
  WAIT_FOR (widget == NULL);
}

/* The one idea @search finds (NULL: the one idea in @store). */
static SiIdea *
only_idea (SiStore    *store,
           const char *search)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) keys = NULL;
  SiIdeaFilter filter = { .search = search };
  SiIdea *idea;

  keys = si_store_query_ideas (store, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);
  idea = si_store_get_idea (store, g_array_index (keys, SiIdeaKey, 0).id, &error);
  g_assert_no_error (error);
  return idea;
}

/* The capture window and the main window on one store: the row appears while typing. */
static void
test_live (Fixture       *f,
           gconstpointer  data)
{
  SiCaptureWindow *capture;
  g_autoptr(SiIdea) idea = NULL;
  gint64 id;

  open_window (f, NULL);
  capture = open_capture (f->store, NULL);

  /* Open, nothing typed: nothing written. */
  spin (SI_EDITOR_SAVE_DELAY_MS + 200);
  g_assert_cmpuint (count_in_store (f->store), ==, 0);
  g_assert_cmpint (si_capture_window_get_idea_id (capture), ==, 0);

  /* Typed: written after the pause, and the main window's list shows it, without a save call. */
  gtk_editable_set_text (_si_capture_window_get_title_editable (capture), "Buy flour");
  type_body (capture, "Rye, for the sourdough");
  WAIT_FOR (find_row (f->window, "Buy flour") != NULL);
  g_assert_cmpuint (count_in_store (f->store), ==, 1);
  id = si_capture_window_get_idea_id (capture);
  g_assert_cmpint (id, !=, 0);

  /* More typing updates the same idea. */
  type_body (capture, " and spelt");
  WAIT_FOR (({ g_autoptr(SiIdea) i = si_store_get_idea (f->store, id, NULL);
               i && g_str_equal (si_idea_get_body (i), "Rye, for the sourdough and spelt"); }));
  gtk_editable_set_text (_si_capture_window_get_title_editable (capture), "Buy flour today");
  WAIT_FOR (find_row (f->window, "Buy flour today") != NULL);
  close_capture (capture);

  g_assert_cmpuint (count_in_store (f->store), ==, 1);
  idea = only_idea (f->store, NULL);
  g_assert_cmpint (si_idea_get_id (idea), ==, id);
  g_assert_cmpstr (si_idea_get_title (idea), ==, "Buy flour today");
  g_assert_cmpuint (n_rows_shown (f->window), ==, 1);
}

/* Spaces and empty lines are no idea: nothing is written, and an idea emptied again after it
 * was written goes when the window closes, as a blank new idea does in the main window. */
static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  SiCaptureWindow *capture;

  open_window (f, NULL);
  capture = open_capture (f->store, NULL);
  gtk_editable_set_text (_si_capture_window_get_title_editable (capture), "   ");
  type_body (capture, "\n\n ");
  spin (SI_EDITOR_SAVE_DELAY_MS + 200);
  g_assert_cmpuint (count_in_store (f->store), ==, 0);
  g_assert_true (si_capture_window_save_now (capture));
  g_assert_cmpuint (count_in_store (f->store), ==, 0);
  close_capture (capture);
  g_assert_cmpuint (count_in_store (f->store), ==, 0);

  capture = open_capture (f->store, NULL);
  gtk_editable_set_text (_si_capture_window_get_title_editable (capture), "Second thoughts");
  WAIT_FOR (find_row (f->window, "Second thoughts") != NULL);
  gtk_editable_set_text (_si_capture_window_get_title_editable (capture), "");
  close_capture (capture);
  g_assert_cmpuint (count_in_store (f->store), ==, 0);
  WAIT_FOR (n_rows_shown (f->window) == 0);
}

/* Presses @accelerator on the keyboard, through the X server. */
static void
press (Display    *display,
       const char *accelerator)
{
  guint keyval = 0;
  GdkModifierType mods = 0;
  KeyCode code, ctrl = XKeysymToKeycode (display, GDK_KEY_Control_L);

  g_assert_true (gtk_accelerator_parse (accelerator, &keyval, &mods));
  code = XKeysymToKeycode (display, keyval);
  g_assert_cmpuint (code, !=, 0);
  if (mods & GDK_CONTROL_MASK)
    XTestFakeKeyEvent (display, ctrl, True, CurrentTime);
  XTestFakeKeyEvent (display, code, True, CurrentTime);
  XTestFakeKeyEvent (display, code, False, CurrentTime);
  if (mods & GDK_CONTROL_MASK)
    XTestFakeKeyEvent (display, ctrl, False, CurrentTime);
  XSync (display, False);
}

/* Escape and Ctrl+Enter close the window right after typing, before the pause that would have
 * saved: what was typed is written; Ctrl+Enter in the text adds no line. */
static void
test_keys_close_and_flush (Fixture       *f,
                           gconstpointer  data)
{
  static const struct { const char *key, *word; } keys[] = {
    { "Escape", "Escape" }, { "<Control>Return", "Return" }, { "<Control>KP_Enter", "keypad" },
  };
  const char *display_name = g_getenv ("DISPLAY");
  Display *display;

  if (display_name == NULL || !GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      g_test_skip ("Needs an X server (the app tests run under Xvfb)");
      return;
    }
  display = XOpenDisplay (display_name);
  g_assert_nonnull (display);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      SiCaptureWindow *capture = open_capture (f->store, NULL);
      GtkWidget *widget = GTK_WIDGET (capture);
      g_autofree char *title = g_strdup_printf ("Closed with %s", keys[i].word);
      g_autoptr(SiIdea) idea = NULL;
      gint64 id;

      g_object_add_weak_pointer (G_OBJECT (capture), (gpointer *) &widget);
      WAIT_FOR (gtk_window_is_active (GTK_WINDOW (capture)));
      gtk_editable_set_text (_si_capture_window_get_title_editable (capture), title);
      type_body (capture, "typed just now");
      /* Enter in the title goes on to the text, where Enter makes a new line. */
      g_signal_emit_by_name (_si_capture_window_get_title_editable (capture), "activate");
      g_assert_true (GTK_IS_TEXT_VIEW (gtk_root_get_focus (GTK_ROOT (capture))));
      g_assert_cmpuint (count_in_store (f->store), ==, i);
      press (display, keys[i].key);
      WAIT_FOR (widget == NULL);

      g_assert_cmpuint (count_in_store (f->store), ==, i + 1);
      idea = only_idea (f->store, keys[i].word);
      id = si_idea_get_id (idea);
      g_assert_cmpint (id, !=, 0);
      g_assert_cmpstr (si_idea_get_title (idea), ==, title);
      g_assert_cmpstr (si_idea_get_body (idea), ==, "typed just now");
    }
  XCloseDisplay (display);
}

/* Tags typed with commas (and a '#' or spaces, as in the editor's tag field) are applied. */
static void
test_tags (Fixture       *f,
           gconstpointer  data)
{
  SiCaptureWindow *capture;
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(SiTag) errands = NULL;
  g_autoptr(SiTag) food = NULL;
  guint n_tags = 0;

  open_window (f, NULL);
  capture = open_capture (f->store, NULL);
  gtk_editable_set_text (_si_capture_window_get_title_editable (capture), "Bakery");
  gtk_editable_set_text (_si_capture_window_get_tags_editable (capture), " errands, #food ,, ");
  close_capture (capture);

  errands = si_store_find_tag (f->store, "errands", NULL);
  food = si_store_find_tag (f->store, "food", NULL);
  g_assert_nonnull (errands);
  g_assert_nonnull (food);
  idea = only_idea (f->store, NULL);
  si_idea_get_tag_ids (idea, &n_tags);
  g_assert_cmpuint (n_tags, ==, 2);
  g_assert_true (si_idea_has_tag (idea, si_tag_get_id (errands)));
  g_assert_true (si_idea_has_tag (idea, si_tag_get_id (food)));
  WAIT_FOR (find_row (f->window, "Bakery") != NULL);

  /* Tags alone are an idea too, as in the editor. */
  capture = open_capture (f->store, NULL);
  gtk_editable_set_text (_si_capture_window_get_tags_editable (capture), "food");
  close_capture (capture);
  g_assert_cmpuint (count_in_store (f->store), ==, 2);
}

/* Destroyed without a close request (as when the app quits): what waits is still written. */
static void
test_destroyed (Fixture       *f,
                gconstpointer  data)
{
  SiCaptureWindow *capture = open_capture (f->store, NULL);
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(SiTag) late = NULL;

  gtk_editable_set_text (_si_capture_window_get_title_editable (capture), "Last words");
  gtk_editable_set_text (_si_capture_window_get_tags_editable (capture), "late");
  gtk_window_destroy (GTK_WINDOW (capture));
  idea = only_idea (f->store, NULL);
  g_assert_cmpstr (si_idea_get_title (idea), ==, "Last words");
  late = si_store_find_tag (f->store, "late", NULL);
  g_assert_nonnull (late);
  g_assert_true (si_idea_has_tag (idea, si_tag_get_id (late)));
}

/* Command line ------------------------------------------------------------------------------ */

typedef struct {
  char         *path;
  SiStore      *store;      /* the application's, once open */
  gboolean      saw_main;
  guint         n_captures;
} Run;

static guint
n_captures (GtkApplication *app)
{
  guint n = 0;

  for (GList *l = gtk_application_get_windows (app); l; l = l->next)
    n += SI_IS_CAPTURE_WINDOW (l->data);
  return n;
}

static SiCaptureWindow *
find_capture (GtkApplication *app)
{
  for (GList *l = gtk_application_get_windows (app); l; l = l->next)
    if (SI_IS_CAPTURE_WINDOW (l->data))
      return l->data;
  return NULL;
}

static void
second_exited (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  int *status = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error));
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
}

/* Runs the real saveidea with @arg (or none) beside this instance; its exit status. */
static int
run_second (const char *arg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) second = NULL;
  int status = -1;

  second = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, g_getenv ("SAVEIDEA_APP"), arg, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (second, NULL, second_exited, &status);
  WAIT_FOR (status != -1);
  return status;
}

/* Not running: `saveidea --new` opens only the capture window, and the app quits with it;
 * `saveidea` meanwhile opens the main window beside it (not the capture window again). */
static gboolean
script_new_instance (gpointer user_data)
{
  GtkApplication *app = user_data;
  Run *run = g_object_get_data (G_OBJECT (app), "run");
  SiCaptureWindow *capture;
  GtkWindow *main_window;

  WAIT_FOR ((capture = find_capture (app)) != NULL && gtk_widget_get_mapped (GTK_WIDGET (capture)));
  spin (100);
  run->saw_main = si_application_get_main_window (SI_APPLICATION (app)) != NULL;
  run->n_captures = g_list_length (gtk_application_get_windows (app));
  gtk_editable_set_text (_si_capture_window_get_title_editable (capture), "From the command line");
  WAIT_FOR (gtk_window_is_active (GTK_WINDOW (capture)));

  g_assert_cmpint (run_second (NULL), ==, 0);
  WAIT_FOR ((main_window = si_application_get_main_window (SI_APPLICATION (app))) != NULL);
  WAIT_FOR (find_row (SI_WINDOW (main_window), "From the command line") != NULL);
  gtk_window_close (main_window);
  WAIT_FOR (si_application_get_main_window (SI_APPLICATION (app)) == NULL);
  g_assert_true (find_capture (app) == capture);

  /* Closing the only window ends g_application_run(). */
  gtk_window_close (GTK_WINDOW (capture));
  return G_SOURCE_REMOVE;
}

static SiApplication *
new_app (const char *id)
{
  return g_object_new (SI_TYPE_APPLICATION, "application-id", id,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/saveidea/Saveidea", NULL);
}

static void
test_command_line_new (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SiApplication) app = new_app (APP_ID);
  char *argv[] = { "saveidea", "--new", "--db", f->path, NULL };
  Run run = { 0 };
  g_autoptr(SiIdea) idea = NULL;
  int status;

  if (g_getenv ("SAVEIDEA_APP") == NULL)
    {
      g_test_skip ("SAVEIDEA_APP is not set (tests/meson.build sets it)");
      return;
    }
  g_object_set_data (G_OBJECT (app), "run", &run);
  g_idle_add (script_new_instance, app);
  status = g_application_run (G_APPLICATION (app), G_N_ELEMENTS (argv) - 1, argv);
  g_assert_cmpint (status, ==, 0);
  g_assert_false (run.saw_main);
  g_assert_cmpuint (run.n_captures, ==, 1);

  g_assert_cmpuint (count_in_store (f->store), ==, 1);
  idea = only_idea (f->store, NULL);
  g_assert_cmpstr (si_idea_get_title (idea), ==, "From the command line");
}

/* Running with its main window: a second `saveidea --new` (the real program) opens the capture
 * window in this instance, and what is typed there shows in the main window's list. */
static gboolean
script_running_instance (gpointer user_data)
{
  GtkApplication *app = user_data;
  Run *run = g_object_get_data (G_OBJECT (app), "run");
  SiCaptureWindow *capture;
  SiWindow *main_window;

  WAIT_FOR (si_application_get_main_window (SI_APPLICATION (app)) != NULL);
  main_window = SI_WINDOW (si_application_get_main_window (SI_APPLICATION (app)));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (main_window)));
  run->saw_main = TRUE;
  g_assert_null (find_capture (app));

  g_assert_cmpint (run_second ("--new"), ==, 0);
  WAIT_FOR ((capture = find_capture (app)) != NULL && gtk_widget_get_mapped (GTK_WIDGET (capture)));
  g_assert_true (si_capture_window_is_blank (capture));

  /* The shortcut again while it is blank: the same window, not a second one. */
  g_assert_cmpint (run_second ("--new"), ==, 0);
  spin (300);
  g_assert_cmpuint (n_captures (app), ==, 1);

  gtk_editable_set_text (_si_capture_window_get_title_editable (capture), "From the shortcut");
  g_assert_false (si_capture_window_is_blank (capture));
  WAIT_FOR (find_row (main_window, "From the shortcut") != NULL);

  /* And once something is typed, a new window beside it. */
  g_assert_cmpint (run_second ("--new"), ==, 0);
  WAIT_FOR (n_captures (app) == 2);
  run->n_captures = n_captures (app);
  for (GList *l = gtk_application_get_windows (app); l; l = l->next)
    if (SI_IS_CAPTURE_WINDOW (l->data) && l->data != (gpointer) capture)
      {
        gtk_window_close (l->data);
        break;
      }
  WAIT_FOR (n_captures (app) == 1);
  gtk_window_close (GTK_WINDOW (capture));
  WAIT_FOR (find_capture (app) == NULL);
  /* The main window stays. */
  g_assert_true (si_application_get_main_window (SI_APPLICATION (app)) == GTK_WINDOW (main_window));
  g_assert_nonnull (find_row (main_window, "From the shortcut"));
  gtk_window_close (GTK_WINDOW (main_window));
  return G_SOURCE_REMOVE;
}

static void
test_running_instance (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SiApplication) app = new_app (APP_ID);
  char *argv[] = { "saveidea", "--db", f->path, NULL };
  Run run = { 0 };
  int status;

  if (g_getenv ("SAVEIDEA_APP") == NULL)
    {
      g_test_skip ("SAVEIDEA_APP is not set (tests/meson.build sets it)");
      return;
    }
  g_object_set_data (G_OBJECT (app), "run", &run);
  g_idle_add (script_running_instance, app);
  status = g_application_run (G_APPLICATION (app), G_N_ELEMENTS (argv) - 1, argv);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.saw_main);
  g_assert_cmpuint (run.n_captures, ==, 2);
  g_assert_cmpuint (count_in_store (f->store), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

#define ADD(path, fn) g_test_add ("/app-capture/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("live", test_live);
  ADD ("empty", test_empty);
  ADD ("keys-close-and-flush", test_keys_close_and_flush);
  ADD ("tags", test_tags);
  ADD ("destroyed", test_destroyed);
  ADD ("command-line-new", test_command_line_new);
  ADD ("running-instance", test_running_instance);
#undef ADD

  return g_test_run ();
}
