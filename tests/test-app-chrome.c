/* test-app-chrome.c — what is around the ideas: the marks on a row, and the keyboard shortcuts
 * the shortcuts window lists, pressed as real keys through the X server (XTest) with the focus
 * where each one claims to work. */
#include "config.h"

#include <X11/XKBlib.h>
#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>
#include <gdk/x11/gdkx.h>

#include "si-history-window.h"
#include "si-test-app.h"

/* "Not synced yet" ------------------------------------------------------------------------------ */

static void
logged_out_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (si_account_logout_finish (SI_ACCOUNT (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

/* A notebook without a sync account has nothing "not synced yet"; the marks come with the
 * account and go with it, on the rows already on screen. */
static void
test_pending_marks_need_account (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) offline = test_network_monitor_new (FALSE);
  g_autoptr(SiSyncManager) manager = make_manager (f->store, NULL, offline);
  g_autoptr(SiIdea) idea = add_idea (f->store, "Written before any account", "");
  SiAccount *account = si_sync_manager_get_account (manager);
  FaultServer *server = fault_server_new (FALSE);
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;
  SiIdeaRow *row;

  open_window (f, manager);
  WAIT_FOR ((row = find_row (f->window, "Written before any account")) != NULL);
  g_assert_true (si_idea_is_dirty (idea));
  g_assert_false (si_idea_row_shows_pending (row));

  /* An idea made in the window, too. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.new", NULL));
  WAIT_FOR (find_row (f->window, "New idea") != NULL);
  g_assert_false (si_idea_row_shows_pending (find_row (f->window, "New idea")));

  /* An account is set up (offline: nothing is sent), and the rows on screen say what waits. */
  g_assert_true (si_account_set_for_testing (account, server->url, "alice", "test-token", &error));
  g_assert_no_error (error);
  WAIT_FOR (si_idea_row_shows_pending (find_row (f->window, "Written before any account")));
  g_assert_true (si_idea_row_shows_pending (find_row (f->window, "New idea")));

  /* Logging out (the changes stay in the notebook) takes the marks away again. */
  si_account_logout_async (account, TRUE, NULL, logged_out_cb, &done);
  WAIT_FOR (done);
  g_assert_false (si_account_get_configured (account));
  WAIT_FOR (!si_idea_row_shows_pending (find_row (f->window, "Written before any account")));
  g_assert_false (si_idea_row_shows_pending (find_row (f->window, "New idea")));

  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
  fault_server_free (server);
}

/* The sync popover's layout ------------------------------------------------------------------ */

/* Every visible widget in the popover gets at least the height it asks for at its width (a
 * squeezed one pushes the buttons against the edge), and a list no more than its rows. */
static void
assert_laid_out (GtkWidget *widget)
{
  int min, nat;

  if (!gtk_widget_get_visible (widget))
    return;
  if (!GTK_IS_SCROLLBAR (gtk_widget_get_parent (widget)) && !GTK_IS_SCROLLBAR (widget))
    {
      GtkWidget *parent = gtk_widget_get_parent (widget);
      GtkBorder margin = { gtk_widget_get_margin_start (widget), gtk_widget_get_margin_end (widget),
                           gtk_widget_get_margin_top (widget), gtk_widget_get_margin_bottom (widget) };
      graphene_rect_t bounds;

      g_assert_true (gtk_widget_compute_bounds (widget, parent, &bounds));
      gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL,
                          (int) bounds.size.width + margin.left + margin.right, &min, &nat, NULL, NULL);
      if ((int) bounds.size.height + margin.top + margin.bottom < min)
        g_error ("In the sync popover, a %s is %d px high, but needs %d", G_OBJECT_TYPE_NAME (widget),
                 (int) bounds.size.height + margin.top + margin.bottom, min);
      if (GTK_IS_LIST_BOX (widget) && (int) bounds.size.height + margin.top + margin.bottom > nat)
        g_error ("In the sync popover, the list is %d px high for %d px of rows",
                 (int) bounds.size.height + margin.top + margin.bottom, nat);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    assert_laid_out (child);
}

static void
check_popover (SiWindow *window)
{
  SiSyncIndicator *indicator = _si_window_get_sync_indicator (window);
  GtkWidget *popover = find_descendant (GTK_WIDGET (indicator), GTK_TYPE_POPOVER);

  g_assert_nonnull (popover);
  si_sync_indicator_popup (indicator);
  WAIT_FOR (gtk_widget_get_mapped (popover));
  spin (100);
  assert_laid_out (gtk_popover_get_child (GTK_POPOVER (popover)));
  si_sync_indicator_popdown (indicator);
  WAIT_FOR (!gtk_widget_get_mapped (popover));
}

/* Without an account (a long text, the Account… button alone), and offline with one change
 * waiting (a list of one row). */
static void
test_sync_popover_layout (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) offline = test_network_monitor_new (FALSE);
  g_autoptr(SiSyncManager) manager = make_manager (f->store, NULL, offline);
  g_autoptr(SiIdea) idea = add_idea (f->store, "Waiting", "");
  g_autoptr(GError) error = NULL;

  open_window (f, manager);
  si_sync_manager_start (manager);
  WAIT_FOR (si_sync_manager_get_state (manager) == SI_SYNC_MANAGER_STATE_DISABLED);
  check_popover (f->window);

  g_assert_true (si_account_set_for_testing (si_sync_manager_get_account (manager), "http://127.0.0.1:9",
                                             "alice", "test-token", &error));
  g_assert_no_error (error);
  si_sync_manager_sync_now (manager);
  WAIT_FOR (si_sync_manager_get_state (manager) == SI_SYNC_MANAGER_STATE_OFFLINE &&
            si_sync_manager_get_pending_changes (manager) == 1);
  check_popover (f->window);
  si_sync_manager_stop (manager);
}

/* Keyboard shortcuts --------------------------------------------------------------------------- */

/* Where the focus is when a key is pressed. */
typedef enum {
  FOCUS_LIST   = 1 << 0,   /* a row of the list */
  FOCUS_TITLE  = 1 << 1,   /* the editor's title */
  FOCUS_BODY   = 1 << 2,   /* the editor's body */
  FOCUS_SEARCH = 1 << 3,   /* the search entry */
} Focus;

#define FOCUS_ANYWHERE (FOCUS_LIST | FOCUS_TITLE | FOCUS_BODY | FOCUS_SEARCH)

typedef enum {
  EFFECT_NEW,
  EFFECT_PIN,
  EFFECT_DELETE,
  EFFECT_SEARCH,
  EFFECT_FIND,
  EFFECT_REPLACE,
  EFFECT_FIND_NEXT,
  EFFECT_BACK,
  EFFECT_SYNC,
  EFFECT_PREFERENCES,
  EFFECT_HELP,
  EFFECT_HISTORY,
  EFFECT_CLOSE,
  EFFECT_QUIT,
  /* Writing keys: they edit the body, as they claim (si-markdown-editing.c). */
  EFFECT_BOLD,
  EFFECT_ITALIC,
  EFFECT_INDENT,
  EFFECT_OUTDENT,
  EFFECT_PLAIN_NEWLINE,
} Effect;

#define IS_WRITING(effect) ((effect) >= EFFECT_BOLD)

/* What each entry of the shortcuts window claims: its action, and the focus it works from. An
 * entry names the place when it works in one place only ("selected in the list"); "Back to the
 * list" is the editor's way back in a narrow window. A new entry in the shortcuts window must be
 * described here, or this test fails. */
static const struct {
  const char *title;
  Focus       focus;
  gboolean    narrow;
  Effect      effect;
} claims[] = {
  { "New idea", FOCUS_ANYWHERE, FALSE, EFFECT_NEW },
  { "Pin or unpin the idea", FOCUS_ANYWHERE, FALSE, EFFECT_PIN },
  { "Delete the idea selected in the list", FOCUS_LIST, FALSE, EFFECT_DELETE },
  { "Delete the idea", FOCUS_ANYWHERE, FALSE, EFFECT_DELETE },
  /* From the search entry, Ctrl+F has nothing left to do; in the editor, it finds in the idea. */
  { "Search the list", FOCUS_LIST, FALSE, EFFECT_SEARCH },
  { "Find in the idea", FOCUS_TITLE | FOCUS_BODY, FALSE, EFFECT_FIND },
  { "Find and replace in the idea", FOCUS_TITLE | FOCUS_BODY, FALSE, EFFECT_REPLACE },
  /* prepare() leaves FIND_TEXT to find, once in the text, and the cursor before it. */
  { "Next match in the idea", FOCUS_TITLE | FOCUS_BODY, FALSE, EFFECT_FIND_NEXT },
  { "Previous match in the idea", FOCUS_TITLE | FOCUS_BODY, FALSE, EFFECT_FIND_NEXT },
  { "Back to the list", FOCUS_TITLE | FOCUS_BODY, TRUE, EFFECT_BACK },
  { "Sync now", FOCUS_ANYWHERE, FALSE, EFFECT_SYNC },
  { "Preferences", FOCUS_ANYWHERE, FALSE, EFFECT_PREFERENCES },
  { "Keyboard shortcuts", FOCUS_ANYWHERE, FALSE, EFFECT_HELP },
  { "Show the idea’s history", FOCUS_ANYWHERE, FALSE, EFFECT_HISTORY },
  { "Close the window", FOCUS_ANYWHERE, FALSE, EFFECT_CLOSE },
  { "Quit", FOCUS_ANYWHERE, FALSE, EFFECT_QUIT },
  /* The writing keys work in the body; the list keys on a list item (the test writes one). */
  { "Bold", FOCUS_BODY, FALSE, EFFECT_BOLD },
  { "Italic", FOCUS_BODY, FALSE, EFFECT_ITALIC },
  { "Indent the list item", FOCUS_BODY, FALSE, EFFECT_INDENT },
  { "Outdent the list item", FOCUS_BODY, FALSE, EFFECT_OUTDENT },
  { "New line without continuing the list", FOCUS_BODY, FALSE, EFFECT_PLAIN_NEWLINE },
};

typedef struct {
  SiApplication *app;
  Fixture       *f;
  GtkWidget     *help;
  guint          n_sync;
  guint          n_preferences;
  guint          n_quit;
  guint          n_close;
  guint          n_text_edits;   /* keybinding signals of the text widgets: a key edited text */
  GString       *text_edits;
  GArray        *hook_signals;
  GArray        *hooks;
} Keys;

typedef struct {
  guint        n_ideas;
  gint64       open_id;
  gboolean     pinned;
  gboolean     searching;
  const char  *pane;
  guint        n_sync, n_preferences, n_quit, n_close;
  char        *title;
  char        *body;
} Snapshot;

/* The History window the key opened, if it did. */
static SiHistoryWindow *
find_history_window (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l; l = l->next)
    if (SI_IS_HISTORY_WINDOW (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static void
snapshot_clear (Snapshot *s)
{
  g_clear_pointer (&s->title, g_free);
  g_clear_pointer (&s->body, g_free);
}

static void
take_snapshot (Keys     *k,
               Snapshot *s)
{
  SiEditor *editor = _si_window_get_editor (k->f->window);
  SiIdea *idea = si_editor_get_idea (editor);

  s->n_ideas = count_in_store (k->f->store);
  s->open_id = idea ? si_idea_get_id (idea) : 0;
  s->pinned = idea ? si_idea_get_pinned (idea) : FALSE;
  s->searching = gtk_search_bar_get_search_mode (_si_window_get_search_bar (k->f->window));
  s->pane = adw_leaflet_get_visible_child_name (_si_window_get_leaflet (k->f->window));
  s->n_sync = k->n_sync;
  s->n_preferences = k->n_preferences;
  s->n_quit = k->n_quit;
  s->n_close = k->n_close;
  s->title = g_strdup (gtk_editable_get_text (_si_editor_get_title_editable (editor)));
  s->body = body_text (editor);
}

static gboolean
is_in (GtkWidget *widget,
       gpointer   container)
{
  return widget != NULL && (widget == container || gtk_widget_is_ancestor (widget, container));
}

/* What the find bar looks for while the keys are checked: once in each idea's text. */
#define FIND_TEXT "idea"

static gboolean
find_bar_has_focus (SiWindow *window)
{
  SiFindBar *bar = _si_editor_get_find_bar (_si_window_get_editor (window));
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return si_find_bar_is_open (bar) && is_in (focus, _si_find_bar_get_search_entry (bar));
}

static gboolean
effect_seen (Keys           *k,
             Effect          effect,
             const Snapshot *before)
{
  SiWindow *window = k->f->window;
  SiIdea *idea = si_editor_get_idea (_si_window_get_editor (window));
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  switch (effect)
    {
    case EFFECT_NEW:
      return count_in_store (k->f->store) == before->n_ideas + 1 && idea &&
             si_idea_get_id (idea) != before->open_id;
    case EFFECT_PIN:
      return idea && si_idea_get_id (idea) == before->open_id && si_idea_get_pinned (idea) != before->pinned;
    case EFFECT_DELETE:
      return count_in_store (k->f->store) == before->n_ideas - 1 &&
             (idea == NULL || si_idea_get_id (idea) != before->open_id);
    case EFFECT_SEARCH:
      return gtk_search_bar_get_search_mode (_si_window_get_search_bar (window)) &&
             is_in (focus, _si_window_get_search_entry (window));
    case EFFECT_FIND:
      return find_bar_has_focus (window);
    case EFFECT_REPLACE:
      return find_bar_has_focus (window) &&
             gtk_widget_get_mapped (GTK_WIDGET (_si_find_bar_get_replace_entry (_si_editor_get_find_bar (_si_window_get_editor (window)))));
    case EFFECT_FIND_NEXT:
      {
        GtkTextBuffer *buffer = _si_editor_get_body_buffer (_si_window_get_editor (window));
        g_autofree char *selected = NULL;
        GtkTextIter start, end;

        if (!gtk_text_buffer_get_selection_bounds (buffer, &start, &end))
          return FALSE;
        selected = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
        return g_str_equal (selected, FIND_TEXT);
      }
    case EFFECT_BACK:
      return g_strcmp0 (adw_leaflet_get_visible_child_name (_si_window_get_leaflet (window)), "editor") != 0;
    case EFFECT_SYNC: return k->n_sync == before->n_sync + 1;
    case EFFECT_PREFERENCES: return k->n_preferences == before->n_preferences + 1;
    case EFFECT_HELP: return gtk_widget_get_visible (k->help);
    case EFFECT_HISTORY: return find_history_window () != NULL;
    case EFFECT_CLOSE: return k->n_close == before->n_close + 1;
    case EFFECT_QUIT: return k->n_quit == before->n_quit + 1;
    case EFFECT_BOLD:
    case EFFECT_ITALIC:
    case EFFECT_INDENT:
    case EFFECT_OUTDENT:
    case EFFECT_PLAIN_NEWLINE:
      {
        g_autofree char *body = body_text (_si_window_get_editor (window));
        g_autofree char *expected = NULL;

        switch (effect)
          {
          case EFFECT_BOLD: expected = g_strconcat ("****", before->body, NULL); break;
          case EFFECT_ITALIC: expected = g_strconcat ("__", before->body, NULL); break;
          case EFFECT_INDENT: expected = g_strdup ("  - item"); break;
          case EFFECT_OUTDENT: expected = g_strdup ("- item"); break;
          default: expected = g_strdup ("- item\n"); break;
          }
        /* The text changed as claimed, and the focus stayed in it (Tab did not move it). */
        return g_str_equal (body, expected) && GTK_IS_TEXT_VIEW (focus) &&
               gtk_text_view_get_buffer (GTK_TEXT_VIEW (focus)) == _si_editor_get_body_buffer (_si_window_get_editor (window));
      }
    default: g_assert_not_reached ();
    }
}

/* The application's own actions are replaced by ones that count: Quit must not end the test. */
static void
count_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  (*(guint *) user_data)++;
}

static void
replace_app_action (SiApplication *app,
                    const char    *name,
                    guint         *counter)
{
  g_autoptr(GSimpleAction) action = g_simple_action_new (name, NULL);

  g_assert_true (g_action_map_lookup_action (G_ACTION_MAP (app), name) != NULL);
  g_action_map_remove_action (G_ACTION_MAP (app), name);
  g_signal_connect (action, "activate", G_CALLBACK (count_activated), counter);
  g_action_map_add_action (G_ACTION_MAP (app), G_ACTION (action));
}

static gboolean
close_request_cb (GtkWindow *window,
                  Keys      *k)
{
  k->n_close++;
  return TRUE;   /* stays open for the next key */
}

static gboolean
text_edited_hook (GSignalInvocationHint *hint,
                  guint                  n_params,
                  const GValue          *params,
                  gpointer               user_data)
{
  Keys *k = user_data;

  k->n_text_edits++;
  g_string_append_printf (k->text_edits, " %s::%s", G_OBJECT_TYPE_NAME (g_value_get_object (&params[0])),
                          g_signal_name (hint->signal_id));
  return TRUE;
}

/* Counts every signal by which a key edits a GtkText or a GtkTextView (their keybindings), in
 * any of them: the title, the body, the tag entry, the search entry. */
static void
watch_text_widgets (Keys *k)
{
  static const char * const signals[] = {
    "delete-from-cursor", "backspace", "cut-clipboard", "paste-clipboard", "insert-at-cursor",
    "toggle-overwrite", "insert-emoji",
  };
  GType types[] = { GTK_TYPE_TEXT, GTK_TYPE_TEXT_VIEW };

  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
      {
        guint id = g_signal_lookup (signals[i], types[t]);
        gulong hook;

        g_assert_cmpuint (id, !=, 0);
        hook = g_signal_add_emission_hook (id, 0, text_edited_hook, k, NULL);
        g_array_append_val (k->hook_signals, id);
        g_array_append_val (k->hooks, hook);
      }
}

static void
unwatch_text_widgets (Keys *k)
{
  for (guint i = 0; i < k->hooks->len; i++)
    g_signal_remove_emission_hook (g_array_index (k->hook_signals, guint, i),
                                   g_array_index (k->hooks, gulong, i));
}

/* Each entry once: the window also keeps copies of them for its search. */
static void
collect_shortcuts (GtkWidget  *widget,
                   GPtrArray  *shortcuts,
                   GHashTable *seen)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *title = NULL;
      g_autofree char *accelerator = NULL;

      g_object_get (widget, "title", &title, "accelerator", &accelerator, NULL);
      if (g_hash_table_add (seen, g_strconcat (title, "\n", accelerator, NULL)))
        g_ptr_array_add (shortcuts, widget);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_shortcuts (child, shortcuts, seen);
}

/* Presses and releases @accelerator on the X server's keyboard (XTest), as a person would: the
 * event reaches the window with the focus through GDK like any other key. */
static void
press_keys (Display    *display,
            const char *accelerator)
{
  guint keyval = 0;
  GdkModifierType mods = 0;
  KeyCode code, modifiers[3];
  guint n_modifiers = 0;

  g_assert_true (gtk_accelerator_parse (accelerator, &keyval, &mods));
  code = XKeysymToKeycode (display, keyval);
  g_assert_cmpuint (code, !=, 0);
  /* A keysym on a key's second level (question is Shift+slash) needs Shift. */
  if (XkbKeycodeToKeysym (display, code, 0, 0) != keyval)
    {
      g_assert_cmpuint (XkbKeycodeToKeysym (display, code, 0, 1), ==, keyval);
      mods |= GDK_SHIFT_MASK;
    }
  if (mods & GDK_CONTROL_MASK)
    modifiers[n_modifiers++] = XKeysymToKeycode (display, GDK_KEY_Control_L);
  if (mods & GDK_SHIFT_MASK)
    modifiers[n_modifiers++] = XKeysymToKeycode (display, GDK_KEY_Shift_L);
  if (mods & GDK_ALT_MASK)
    modifiers[n_modifiers++] = XKeysymToKeycode (display, GDK_KEY_Alt_L);
  g_assert_true ((mods & ~(GDK_CONTROL_MASK | GDK_SHIFT_MASK | GDK_ALT_MASK)) == 0);

  for (guint i = 0; i < n_modifiers; i++)
    XTestFakeKeyEvent (display, modifiers[i], True, CurrentTime);
  XTestFakeKeyEvent (display, code, True, CurrentTime);
  XTestFakeKeyEvent (display, code, False, CurrentTime);
  for (guint i = n_modifiers; i > 0; i--)
    XTestFakeKeyEvent (display, modifiers[i - 1], False, CurrentTime);
  XSync (display, False);
}

static const char *
focus_name (Focus focus)
{
  switch (focus)
    {
    case FOCUS_LIST: return "the list";
    case FOCUS_TITLE: return "the title";
    case FOCUS_BODY: return "the body";
    case FOCUS_SEARCH: return "the search entry";
    default: g_assert_not_reached ();
    }
}

/* The first idea in the list with a title: a blank new idea would be dropped when left. */
static gint64
first_written_idea (Keys *k)
{
  SiIdeaList *list = si_window_get_idea_list (k->f->window);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr(SiIdea) idea = si_store_get_idea (k->f->store, si_idea_list_get_id_at (list, i), NULL);

      if (idea && si_idea_get_title (idea) && si_idea_get_title (idea)[0])
        return si_idea_get_id (idea);
    }
  g_error ("No idea with a title is left");
}

/* Opens an idea and puts the focus on @focus, with the cursor at the start of any text, where
 * a text binding such as Delete or Ctrl+Delete would change it. */
static void
prepare (Keys     *k,
         Focus     focus,
         gboolean  narrow)
{
  SiWindow *window = k->f->window;
  SiEditor *editor = _si_window_get_editor (window);
  GtkSearchBar *search_bar = _si_window_get_search_bar (window);
  AdwLeaflet *leaflet = _si_window_get_leaflet (window);
  GtkTextBuffer *buffer;
  GtkTextIter start;
  GtkWidget *focused;
  gint64 id;

  gtk_widget_set_visible (k->help, FALSE);
  {
    SiHistoryWindow *history;

    /* Gone, and the focus given back to the main window at once: with no window manager, the
     * X server would refuse GTK's request, dated with the key press before the window took it. */
    while ((history = find_history_window ()))
      {
        GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

        gtk_window_destroy (GTK_WINDOW (history));
        spin (50);
        XSetInputFocus (gdk_x11_display_get_xdisplay (gtk_widget_get_display (GTK_WIDGET (window))),
                        gdk_x11_surface_get_xid (surface), RevertToParent, CurrentTime);
      }
  }
  gtk_search_bar_set_search_mode (search_bar, focus == FOCUS_SEARCH);
  /* The find bar closed, with something to find for Ctrl+G. */
  {
    SiFindBar *bar = _si_editor_get_find_bar (editor);

    if (g_strcmp0 (gtk_editable_get_text (_si_find_bar_get_search_entry (bar)), FIND_TEXT) != 0)
      {
        gtk_editable_set_text (_si_find_bar_get_search_entry (bar), FIND_TEXT);
        spin (300);   /* the entry's search-changed comes a moment later */
      }
    si_find_bar_close (bar);
  }
  id = first_written_idea (k);
  si_window_open_idea (window, id);
  WAIT_FOR (si_window_get_current_id (window) == id);
  if (narrow)
    adw_leaflet_set_visible_child_name (leaflet, "editor");
  /* No match selected: the cursor at the start of the text. */
  buffer = _si_editor_get_body_buffer (editor);
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);

  gtk_window_present (GTK_WINDOW (window));
  WAIT_FOR (gtk_window_is_active (GTK_WINDOW (window)));
  switch (focus)
    {
    case FOCUS_LIST:
      gtk_widget_grab_focus (GTK_WIDGET (_si_window_get_list_view (window)));
      break;
    case FOCUS_TITLE:
      si_editor_focus_title (editor);
      gtk_editable_set_position (_si_editor_get_title_editable (editor), 0);
      break;
    case FOCUS_BODY:
      si_editor_focus_body (editor);
      buffer = _si_editor_get_body_buffer (editor);
      gtk_text_buffer_get_start_iter (buffer, &start);
      gtk_text_buffer_place_cursor (buffer, &start);
      break;
    case FOCUS_SEARCH:
      gtk_widget_grab_focus (GTK_WIDGET (_si_window_get_search_entry (window)));
      break;
    default:
      g_assert_not_reached ();
    }
  spin (30);

  /* The focus is where the test says, and nowhere else. */
  focused = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focused);
  switch (focus)
    {
    case FOCUS_LIST:
      g_assert_true (is_in (focused, _si_window_get_list_view (window)));
      break;
    case FOCUS_TITLE:
      g_assert_true (focused == GTK_WIDGET (_si_editor_get_title_editable (editor)));
      break;
    case FOCUS_BODY:
      g_assert_true (GTK_IS_TEXT_VIEW (focused) &&
                     gtk_text_view_get_buffer (GTK_TEXT_VIEW (focused)) == _si_editor_get_body_buffer (editor));
      break;
    case FOCUS_SEARCH:
      g_assert_true (is_in (focused, _si_window_get_search_entry (window)));
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
check_key (Keys       *k,
           Display    *display,
           const char *title,
           const char *accelerator,
           Focus       focus,
           gboolean    narrow,
           Effect      effect)
{
  Snapshot before = { 0 };
  gint64 end;
  gboolean seen = FALSE;
  g_autofree char *written = NULL;

  prepare (k, focus, narrow);
  /* A writing key's edit is taken back afterwards: the other keys expect the idea's own text. */
  if (IS_WRITING (effect))
    written = body_text (_si_window_get_editor (k->f->window));
  if (effect == EFFECT_INDENT || effect == EFFECT_OUTDENT || effect == EFFECT_PLAIN_NEWLINE)
    {
      GtkTextBuffer *buffer = _si_editor_get_body_buffer (_si_window_get_editor (k->f->window));
      GtkTextIter text_end;

      gtk_text_buffer_set_text (buffer, effect == EFFECT_OUTDENT ? "  - item" : "- item", -1);
      gtk_text_buffer_get_end_iter (buffer, &text_end);
      gtk_text_buffer_place_cursor (buffer, &text_end);
      spin (30);
    }
  take_snapshot (k, &before);
  k->n_text_edits = 0;
  g_string_truncate (k->text_edits, 0);
  g_test_message ("“%s”: %s in %s", title, accelerator, focus_name (focus));

  press_keys (display, accelerator);
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!(seen = effect_seen (k, effect, &before)) && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
  spin (50);

  if (!seen)
    g_error ("The shortcuts window says %s is “%s”, but pressed in %s it did not do that"
             " (text edits:%s)", accelerator, title, focus_name (focus),
             k->text_edits->len ? k->text_edits->str : " none");
  if (k->n_text_edits > 0)
    g_error ("%s in %s did “%s” but also edited the text:%s", accelerator, focus_name (focus),
             title, k->text_edits->str);
  /* Where the same idea is still open, its text is as it was (a writing key's edit aside). */
  if (si_window_get_current_id (k->f->window) == before.open_id && !IS_WRITING (effect))
    {
      SiEditor *editor = _si_window_get_editor (k->f->window);
      g_autofree char *body = body_text (editor);

      g_assert_cmpstr (gtk_editable_get_text (_si_editor_get_title_editable (editor)), ==, before.title);
      g_assert_cmpstr (body, ==, before.body);
    }
  if (written)
    {
      SiEditor *editor = _si_window_get_editor (k->f->window);

      gtk_text_buffer_set_text (_si_editor_get_body_buffer (editor), written, -1);
      g_assert_true (si_editor_save_now (editor));
    }
  snapshot_clear (&before);
}

/* Every shortcut the shortcuts window lists, pressed as a key with the focus in each place it
 * claims to work from: it does what the window says, and never edits the text in the focus. */
static void
test_shortcuts_window_tells_the_truth (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(SiApplication) app = si_application_new ();
  g_autoptr(GPtrArray) shortcuts = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) delete_accels = NULL;
  g_autoptr(GPtrArray) delete_listed = g_ptr_array_new_with_free_func (g_free);
  Keys k = { .f = f, .text_edits = g_string_new (NULL),
             .hook_signals = g_array_new (FALSE, FALSE, sizeof (guint)),
             .hooks = g_array_new (FALSE, FALSE, sizeof (gulong)) };
  const char *display_name = g_getenv ("DISPLAY");
  Display *display;
  guint n_checked = 0;

  if (display_name == NULL || !g_str_equal (G_OBJECT_TYPE_NAME (gdk_display_get_default ()), "GdkX11Display"))
    {
      g_test_skip ("Needs an X server (the app tests run under Xvfb)");
      g_string_free (k.text_edits, TRUE);
      g_array_unref (k.hook_signals);
      g_array_unref (k.hooks);
      return;
    }
  display = XOpenDisplay (display_name);
  g_assert_nonnull (display);

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  k.app = app;
  replace_app_action (app, "sync-now", &k.n_sync);
  replace_app_action (app, "preferences", &k.n_preferences);
  replace_app_action (app, "quit", &k.n_quit);

  for (guint i = 1; i <= 12; i++)
    {
      g_autofree char *title = g_strdup_printf ("Idea %u", i);
      g_autofree char *body = g_strdup_printf ("The body of idea %u, which no key may change", i);
      g_autoptr(SiIdea) idea = add_idea (f->store, title, body);
    }

  f->window = si_window_new (app, f->store, NULL);
  gtk_window_present (GTK_WINDOW (f->window));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
  WAIT_FOR (n_rows_shown (f->window) > 0);
  g_assert_false (adw_leaflet_get_folded (_si_window_get_leaflet (f->window)));
  g_signal_connect (f->window, "close-request", G_CALLBACK (close_request_cb), &k);

  /* Built when first shown, not with the window (start-up time). */
  g_assert_null (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (f->window)));
  k.help = GTK_WIDGET (_si_window_ensure_help_overlay (f->window));
  g_assert_nonnull (k.help);
  g_assert_true (GTK_WIDGET (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (f->window))) == k.help);
  g_assert_false (gtk_widget_get_visible (k.help));
  collect_shortcuts (k.help, shortcuts, seen);
  g_assert_cmpuint (shortcuts->len, >, 0);

  watch_text_widgets (&k);

  /* Keys that leave the wide window first; "Back to the list" needs a narrow one, last. */
  for (int narrow = 0; narrow <= 1; narrow++)
    {
      if (narrow)
        {
          gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 600);
          WAIT_FOR (adw_leaflet_get_folded (_si_window_get_leaflet (f->window)));
        }
      for (guint i = 0; i < shortcuts->len; i++)
        {
          g_autofree char *title = NULL;
          g_autofree char *accelerator = NULL;
          g_auto(GStrv) accels = NULL;
          guint c;

          g_object_get (shortcuts->pdata[i], "title", &title, "accelerator", &accelerator, NULL);
          for (c = 0; c < G_N_ELEMENTS (claims); c++)
            if (g_strcmp0 (claims[c].title, title) == 0)
              break;
          if (c == G_N_ELEMENTS (claims))
            g_error ("The shortcuts window lists “%s”, which this test does not know: add what it "
                     "claims to claims[]", title);
          if (claims[c].narrow != narrow)
            continue;
          g_assert_nonnull (accelerator);
          accels = g_strsplit (accelerator, " ", -1);
          for (guint a = 0; accels[a]; a++)
            {
              if (accels[a][0] == '\0')
                continue;
              if (g_str_equal (title, "Delete the idea"))
                g_ptr_array_add (delete_listed, g_strdup (accels[a]));
              for (Focus focus = FOCUS_LIST; focus <= FOCUS_SEARCH; focus <<= 1)
                if (claims[c].focus & focus)
                  {
                    check_key (&k, display, title, accels[a], focus, claims[c].narrow, claims[c].effect);
                    n_checked++;
                  }
            }
        }
    }
  g_test_message ("%u keys checked", n_checked);
  g_assert_cmpuint (n_checked, >=, shortcuts->len);

  /* The idea menu's Delete Idea shows the shortcut that deletes the idea from anywhere. */
  delete_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "idea.delete");
  g_assert_cmpuint (delete_listed->len, >, 0);
  for (guint i = 0; i < delete_listed->len; i++)
    g_assert_true (g_strv_contains ((const char * const *) delete_accels, delete_listed->pdata[i]));

  gtk_widget_set_visible (k.help, FALSE);
  g_signal_handlers_disconnect_by_func (f->window, close_request_cb, &k);
  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
  spin (20);
  XCloseDisplay (display);
  unwatch_text_widgets (&k);
  g_string_free (k.text_edits, TRUE);
  g_array_unref (k.hook_signals);
  g_array_unref (k.hooks);
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

#define ADD(path, fn) g_test_add ("/app-chrome/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("pending-marks-need-account", test_pending_marks_need_account);
  ADD ("sync-popover-layout", test_sync_popover_layout);
  ADD ("shortcuts-window-tells-the-truth", test_shortcuts_window_tells_the_truth);
#undef ADD

  return g_test_run ();
}
