/* bench-ui.c — what a person sees at N ideas: from a key press or a click to the frame that shows
 * the new list.
 *
 * Usage: bench-ui [N_IDEAS [PARTS]] (default 100000; PARTS: any of search,tags,keys, all by
 * default, to profile one), with an X display (bench/run starts it under
 * xvfb-run and dbus-run-session). Runs the real application in this process on a copy of the
 * N-idea notebook (SAVEIDEA_BENCH_DB when it names an existing file, else made by the generator),
 * in a private HOME, and drives its window with real input: key presses and clicks synthesised
 * through the XTEST extension, so they travel through the X server, GDK's event queue and GTK's
 * event controllers as a keyboard's do. Measured:
 *
 *   ui_search_ms_*         each letter after the first typed into the search (the entry's own
 *                          delay included), a dozen words from the notebook's vocabulary
 *   ui_search_first_...    the first letter, which opens the search bar from the list
 *   ui_tag_filter_ms_*     a click on a tag in the sidebar, from another tag
 *   ui_list_end_ms_p50     End in the list (the last idea selected and opened), from the top
 *   ui_list_home_ms_p50    Home, from the end
 *
 * Each time runs from just before the event is sent to the GdkFrameClock::after-paint of the
 * first frame after the last change to the list (its rows, its filter, its selection or its
 * scroll position), once nothing has changed for QUIET_MS: the list has settled, and the frame
 * that shows it has been drawn.
 *
 * GSK_RENDERER defaults to cairo, as in bench-first-frame.c: Xvfb has only software OpenGL.
 * BENCH_UI_DEBUG=1 prints, for each action, when the list changed, laid out and painted.
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>
#include <X11/keysym.h>
#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "si-application.h"
#include "si-bench-data.h"
#include "si-i18n.h"
#include "si-window-private.h"

/* A change to the list counts as settled after this long without another. */
#define QUIET_MS 250
/* One action that never settles is reported and left out. */
#define TIMEOUT_MS 15000
#define N_WORDS 12
#define N_TAG_CLICKS 16
#define N_END_HOME 9

typedef struct {
  SiApplication *app;
  guint          n_ideas;
  const char    *parts;
  SiWindow      *window;
  SiIdeaList    *list;
  GtkSingleSelection *selection;
  Display       *dpy;
  Window         xid;

  gint64         last_change;   /* monotonic µs of the latest change to the list */
  guint          n_changes;
  GArray        *paints;        /* gint64: monotonic µs of each after-paint since the action */
  gint64         start;
  GString       *trace;         /* BENCH_UI_DEBUG=1: what happened when, for each action */

  GArray        *search;        /* double ms: each letter after the first */
  GArray        *search_first;
  GArray        *tag_filter;
  GArray        *end;
  GArray        *home;
} Bench;

static void
trace (Bench      *b,
       const char *what)
{
  if (b->trace)
    g_string_append_printf (b->trace, " %s@%.1f", what, (g_get_monotonic_time () - b->start) / 1000.0);
}

static void
note_change (Bench *b)
{
  b->last_change = g_get_monotonic_time ();
  b->n_changes++;
  trace (b, "change");
}

static void trace_layout (Bench *b) { trace (b, "layout"); }
static void trace_paint (Bench *b) { trace (b, "paint"); }
static void trace_search (Bench *b) { trace (b, "searched"); }

static void
after_paint (GdkFrameClock *clock,
             Bench         *b)
{
  gint64 now = g_get_monotonic_time ();
  g_array_append_val (b->paints, now);
  trace (b, "after-paint");
}

static void
spin_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (500);
}

/* Input through the X server ------------------------------------------------------------------ */

static void
key (Bench  *b,
     KeySym  sym,
     Bool    press)
{
  XTestFakeKeyEvent (b->dpy, XKeysymToKeycode (b->dpy, sym), press, CurrentTime);
}

static void
tap (Bench  *b,
     KeySym  sym)
{
  key (b, sym, True);
  key (b, sym, False);
  XFlush (b->dpy);
}

/* Clicks the middle of @widget, which must be on screen. */
static void
click (Bench     *b,
       GtkWidget *widget)
{
  graphene_rect_t bounds;
  double sx, sy;
  int rx, ry;
  Window child;

  if (!gtk_widget_compute_bounds (widget, GTK_WIDGET (b->window), &bounds))
    g_error ("The widget to click is not in the window");
  gtk_native_get_surface_transform (GTK_NATIVE (b->window), &sx, &sy);
  XTranslateCoordinates (b->dpy, b->xid, DefaultRootWindow (b->dpy),
                         (int) (sx + bounds.origin.x + bounds.size.width / 2),
                         (int) (sy + bounds.origin.y + bounds.size.height / 2), &rx, &ry, &child);
  XTestFakeMotionEvent (b->dpy, -1, rx, ry, CurrentTime);
  XTestFakeButtonEvent (b->dpy, 1, True, CurrentTime);
  XTestFakeButtonEvent (b->dpy, 1, False, CurrentTime);
  XFlush (b->dpy);
}

/* Measuring ----------------------------------------------------------------------------------- */

typedef gboolean (*DoneFunc) (Bench *b, gconstpointer data);

/* Waits until @done holds and the list has settled; returns the milliseconds from @start to the
 * first frame painted after the last change, or NAN when it never settled. */
static double
wait_settled (Bench         *b,
              gint64         start,
              DoneFunc       done,
              gconstpointer  data)
{
  gint64 deadline = start + TIMEOUT_MS * 1000;

  for (;;)
    {
      gint64 now = g_get_monotonic_time ();

      if (now > deadline)
        return NAN;
      if (b->n_changes > 0 && done (b, data) && now - b->last_change >= QUIET_MS * 1000)
        {
          for (guint i = 0; i < b->paints->len; i++)
            {
              gint64 painted = g_array_index (b->paints, gint64, i);
              if (painted >= b->last_change)
                return (painted - start) / 1000.0;
            }
          /* Nothing was left to draw: the list looked the same (a letter that kept the results). */
          if (now - b->last_change >= 2 * QUIET_MS * 1000)
            return (b->last_change - start) / 1000.0;
        }
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (200);
    }
}

static void
begin (Bench *b)
{
  b->n_changes = 0;
  g_array_set_size (b->paints, 0);
  b->start = g_get_monotonic_time ();
  if (b->trace)
    g_string_truncate (b->trace, 0);
}

/* Records one time in @samples (when it settled), naming @what otherwise. */
static void
record (Bench      *b,
        GArray     *samples,
        double      ms,
        const char *what)
{
  if (b->trace)
    printf ("# %s: %.1f ms:%s\n", what, ms, b->trace->str);
  if (isnan (ms))
    {
      g_printerr ("bench-ui: %s did not settle within %d ms; left out\n", what, TIMEOUT_MS);
      return;
    }
  if (samples)
    g_array_append_val (samples, ms);
}

static gboolean
search_is (Bench         *b,
           gconstpointer  data)
{
  return g_strcmp0 (si_idea_list_get_search (b->list), data) == 0;
}

static gboolean
tag_is (Bench         *b,
        gconstpointer  data)
{
  return si_idea_list_get_tag_id (b->list) == *(const gint64 *) data;
}

static gboolean
selected_is (Bench         *b,
             gconstpointer  data)
{
  return gtk_single_selection_get_selected (b->selection) == GPOINTER_TO_UINT (data);
}

/* The actions --------------------------------------------------------------------------------- */

/* Words of the notebook's vocabulary, plain letters only, 4 to 8 of them: every prefix matches. */
static GPtrArray *
pick_words (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  GPtrArray *words = g_ptr_array_new ();

  while (words->len < N_WORDS)
    {
      const char *w = si_bench_word (rand);
      gboolean plain = strlen (w) >= 4 && strlen (w) <= 8;

      for (const char *p = w; *p && plain; p++)
        plain = g_ascii_islower (*p);
      for (guint i = 0; i < words->len && plain; i++)
        plain = strcmp (words->pdata[i], w) != 0;
      if (plain)
        g_ptr_array_add (words, (gpointer) w);
    }
  return words;
}

static void
bench_search (Bench *b)
{
  g_autoptr(GPtrArray) words = pick_words ();

  for (guint w = 0; w < words->len; w++)
    {
      const char *word = words->pdata[w];

      /* Typing in the list opens the search with the first letter. */
      gtk_widget_grab_focus (GTK_WIDGET (_si_window_get_list_view (b->window)));
      spin_ms (50);
      for (guint i = 1; word[i - 1]; i++)
        {
          g_autofree char *prefix = g_strndup (word, i);
          gint64 start;

          begin (b);
          start = g_get_monotonic_time ();
          tap (b, XStringToKeysym ((char[]) { word[i - 1], '\0' }));
          record (b, i == 1 ? b->search_first : b->search, wait_settled (b, start, search_is, prefix), prefix);
        }
      /* Escape ends the search: the whole list again. */
      begin (b);
      tap (b, XK_Escape);
      record (b, NULL, wait_settled (b, g_get_monotonic_time (), search_is, NULL), "Escape");
    }
}

/* Whether @row is wholly inside the sidebar's visible part. */
static gboolean
row_on_screen (Bench     *b,
               GtkWidget *row)
{
  GtkWidget *sidebar = GTK_WIDGET (_si_window_get_sidebar (b->window));
  GtkWidget *scroller = gtk_widget_get_ancestor (sidebar, GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds;

  if (scroller == NULL || !gtk_widget_get_mapped (row) ||
      !gtk_widget_compute_bounds (row, scroller, &bounds))
    return FALSE;
  return bounds.origin.y >= 0 && bounds.origin.y + bounds.size.height <= gtk_widget_get_height (scroller);
}

static void
bench_tag_filter (Bench *b)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  GtkWidget *sidebar = GTK_WIDGET (_si_window_get_sidebar (b->window));

  for (GtkWidget *row = gtk_widget_get_first_child (sidebar); row; row = gtk_widget_get_next_sibling (row))
    if (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "view")) == SI_COLLECTION_VIEW_TAG &&
        g_object_get_data (G_OBJECT (row), "tag-id") != NULL && row_on_screen (b, row))
      g_ptr_array_add (rows, row);
  if (rows->len < 2)
    g_error ("The sidebar shows %u tags; the benchmark needs two or more", rows->len);

  /* The first click, from All Ideas, is not counted: then each from another tag. */
  for (guint i = 0; i <= N_TAG_CLICKS; i++)
    {
      GtkWidget *row = rows->pdata[i % rows->len];
      gint64 tag_id = *(gint64 *) g_object_get_data (G_OBJECT (row), "tag-id");
      gint64 start;

      begin (b);
      start = g_get_monotonic_time ();
      click (b, row);
      record (b, i > 0 ? b->tag_filter : NULL, wait_settled (b, start, tag_is, &tag_id), "a tag");
    }
  /* Back to every idea. */
  begin (b);
  click (b, b->window->all_row);
  record (b, NULL, wait_settled (b, g_get_monotonic_time (), tag_is, &(gint64) { 0 }), "All Ideas");
}

static void
bench_home_end (Bench *b)
{
  GtkWidget *view = GTK_WIDGET (_si_window_get_list_view (b->window));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (b->list));
  GtkWidget *first_row = NULL;

  /* A click on the first row: the list has the keyboard focus, the first idea is open. */
  gtk_adjustment_set_value (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view)), 0);
  spin_ms (100);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view)); child;
       child = gtk_widget_get_next_sibling (child))
    {
      graphene_rect_t bounds;

      if (gtk_widget_get_mapped (child) && gtk_widget_compute_bounds (child, GTK_WIDGET (view), &bounds) &&
          bounds.origin.y >= 0 && bounds.origin.y < 40)
        first_row = child;
    }
  if (first_row == NULL)
    g_error ("The list shows no row to click");
  click (b, first_row);
  for (gint64 end = g_get_monotonic_time () + TIMEOUT_MS * 1000;
       !selected_is (b, GUINT_TO_POINTER (0)) && g_get_monotonic_time () < end;)
    spin_ms (10);
  spin_ms (QUIET_MS);
  if (!selected_is (b, GUINT_TO_POINTER (0)))
    g_error ("A click on the first row selected %u, not 0",
             gtk_single_selection_get_selected (b->selection));

  for (guint i = 0; i < N_END_HOME; i++)
    {
      gint64 start;

      begin (b);
      start = g_get_monotonic_time ();
      tap (b, XK_End);
      record (b, b->end, wait_settled (b, start, selected_is, GUINT_TO_POINTER (n - 1)), "End");

      begin (b);
      start = g_get_monotonic_time ();
      tap (b, XK_Home);
      record (b, b->home, wait_settled (b, start, selected_is, GUINT_TO_POINTER (0)), "Home");
    }
}

static void
report (const char *name,
        GArray     *samples,
        double      p,
        const char *target)
{
  if (samples->len == 0)
    g_error ("No measurement of %s settled", name);
  si_bench_report (name, si_bench_percentile (samples, p), "ms", target);
}

static gboolean
wanted (Bench      *b,
        const char *part)
{
  g_auto(GStrv) parts = g_strsplit (b->parts, ",", -1);
  return g_strv_contains ((const char * const *) parts, part);
}

static gboolean
run_benchmarks (gpointer user_data)
{
  Bench *b = user_data;
  GdkFrameClock *clock;
  GtkSelectionModel *selection;

  b->window = SI_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (b->app)));
  b->list = si_window_get_idea_list (b->window);
  gtk_window_set_default_size (GTK_WINDOW (b->window), 1200, 860);
  while (!gtk_widget_get_mapped (GTK_WIDGET (b->window)))
    g_main_context_iteration (NULL, TRUE);
  b->dpy = gdk_x11_display_get_xdisplay (gtk_widget_get_display (GTK_WIDGET (b->window)));
  b->xid = gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (b->window)));
  XSetInputFocus (b->dpy, b->xid, RevertToParent, CurrentTime);
  spin_ms (1000);
  if (g_list_model_get_n_items (G_LIST_MODEL (b->list)) != b->n_ideas)
    g_error ("The window lists %u ideas, not %u", g_list_model_get_n_items (G_LIST_MODEL (b->list)), b->n_ideas);

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (b->window));
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint), b);
  if (g_getenv ("BENCH_UI_DEBUG"))
    {
      b->trace = g_string_new (NULL);
      g_signal_connect_swapped (clock, "layout", G_CALLBACK (trace_layout), b);
      g_signal_connect_swapped (clock, "paint", G_CALLBACK (trace_paint), b);
      g_signal_connect_swapped (_si_window_get_search_entry (b->window), "search-changed", G_CALLBACK (trace_search), b);
    }
  g_object_get (_si_window_get_list_view (b->window), "model", &selection, NULL);
  g_object_unref (selection);   /* the window keeps it */
  b->selection = GTK_SINGLE_SELECTION (selection);
  g_signal_connect_swapped (b->list, "items-changed", G_CALLBACK (note_change), b);
  g_signal_connect_swapped (b->list, "notify::search", G_CALLBACK (note_change), b);
  g_signal_connect_swapped (b->list, "notify::tag-id", G_CALLBACK (note_change), b);
  g_signal_connect_swapped (selection, "selection-changed", G_CALLBACK (note_change), b);
  g_signal_connect_swapped (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (_si_window_get_list_view (b->window))),
                            "value-changed", G_CALLBACK (note_change), b);

  if (g_getenv ("BENCH_UI_DEBUG"))
    {
      guint n = 0;
      for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (_si_window_get_list_view (b->window))); c; c = gtk_widget_get_next_sibling (c))
        n++;
      printf ("children %u\n", n);
    }
  printf ("# the window on %u ideas: key press or click to the frame after the list settled, GSK_RENDERER=%s\n",
          b->n_ideas, g_getenv ("GSK_RENDERER"));
  fflush (stdout);
  if (wanted (b, "search"))
    {
      bench_search (b);
      report ("ui_search_ms_p50", b->search, 50, "≤ 100 ms");
      report ("ui_search_ms_p99", b->search, 99, "≤ 250 ms");
      report ("ui_search_first_letter_ms_p50", b->search_first, 50, "");
    }
  if (wanted (b, "tags"))
    {
      bench_tag_filter (b);
      report ("ui_tag_filter_ms_p50", b->tag_filter, 50, "≤ 100 ms");
      report ("ui_tag_filter_ms_p99", b->tag_filter, 99, "≤ 250 ms");
    }
  if (wanted (b, "keys"))
    {
      bench_home_end (b);
      report ("ui_list_end_ms_p50", b->end, 50, "≤ 50 ms");
      report ("ui_list_home_ms_p50", b->home, 50, "≤ 50 ms");
    }
  si_bench_print_json ();

  g_signal_handlers_disconnect_by_data (clock, b);
  if (b->trace)
    g_string_free (b->trace, TRUE);
  g_application_quit (G_APPLICATION (b->app));
  return G_SOURCE_REMOVE;
}

static void
activated (Bench *b)
{
  g_idle_add (run_benchmarks, b);
}

int
main (int   argc,
      char *argv[])
{
  Bench bench = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *home = NULL;
  g_autofree char *data = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *db_arg = NULL;
  char *app_argv[3];
  int status;

  bench.n_ideas = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  bench.parts = argc > 2 ? argv[2] : "search,tags,keys";
  if (!g_getenv ("DISPLAY"))
    {
      g_printerr ("bench-ui needs an X display: run it under xvfb-run\n");
      return 2;
    }

  /* A private HOME and notebook, before GLib reads any of these. */
  home = g_dir_make_tmp ("saveidea-bench-ui-XXXXXX", &error);
  g_assert_no_error (error);
  data = g_build_filename (home, "data", NULL);
  folder = g_build_filename (data, "saveidea", NULL);
  path = g_build_filename (folder, "saveidea.db", NULL);
  g_mkdir_with_parents (folder, 0700);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  g_setenv ("XDG_CACHE_HOME", home, TRUE);
  g_setenv ("XDG_STATE_HOME", home, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  if (!si_bench_make_notebook (path, bench.n_ideas, &error))
    g_error ("%s", error->message);

  bench.paints = g_array_new (FALSE, FALSE, sizeof (gint64));
  bench.search = g_array_new (FALSE, FALSE, sizeof (double));
  bench.search_first = g_array_new (FALSE, FALSE, sizeof (double));
  bench.tag_filter = g_array_new (FALSE, FALSE, sizeof (double));
  bench.end = g_array_new (FALSE, FALSE, sizeof (double));
  bench.home = g_array_new (FALSE, FALSE, sizeof (double));

  si_i18n_init ();
  bench.app = si_application_new ();
  g_application_set_flags (G_APPLICATION (bench.app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_swapped (bench.app, "activate", G_CALLBACK (activated), &bench);
  db_arg = g_strconcat ("--db=", path, NULL);
  app_argv[0] = argv[0];
  app_argv[1] = db_arg;
  app_argv[2] = NULL;
  status = g_application_run (G_APPLICATION (bench.app), 2, app_argv);
  g_clear_object (&bench.app);

  g_array_unref (bench.paints);
  g_array_unref (bench.search);
  g_array_unref (bench.search_first);
  g_array_unref (bench.tag_filter);
  g_array_unref (bench.end);
  g_array_unref (bench.home);
  si_bench_remove_tree (home);
  return status;
}
