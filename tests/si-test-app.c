/* si-test-app.c — what the test-app*.c programs share (see si-test-app.h). */
#include "config.h"

#include <gtksourceview/gtksource.h>
#include <string.h>

#include "si-test-app.h"

void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}


SiIdea *
add_idea (SiStore    *store,
          const char *title,
          const char *body)
{
  SiIdea *idea = si_idea_new (title, body);
  g_autoptr(GError) error = NULL;

  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  return idea;
}

void
open_window (Fixture       *f,
             SiSyncManager *manager)
{
  f->window = si_window_new (NULL, f->store, manager);
  gtk_window_present (GTK_WINDOW (f->window));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
  spin (50);
  g_test_message ("window %d x %d, folded %d", gtk_widget_get_width (GTK_WIDGET (f->window)),
                  gtk_widget_get_height (GTK_WIDGET (f->window)),
                  adw_leaflet_get_folded (_si_window_get_leaflet (f->window)));
}

void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->path = g_build_filename (g_get_user_data_dir (), "notebook.db", NULL);
  f->store = si_store_new (f->path, &error);
  g_assert_no_error (error);
}

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window)
    gtk_window_destroy (GTK_WINDOW (f->window));
  spin (20);
  g_clear_object (&f->store);
  g_free (f->path);
}

/* Every SiIdeaRow the list shows, in the order of the widget tree. */
void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (SI_IS_IDEA_ROW (widget))
    {
      if (gtk_widget_get_mapped (widget) && si_idea_row_get_idea (SI_IDEA_ROW (widget)))
        g_ptr_array_add (rows, widget);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_rows (child, rows);
}

SiIdeaRow *
find_row (SiWindow   *window,
          const char *title)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect_rows (GTK_WIDGET (_si_window_get_list_view (window)), rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (si_idea_row_get_title_text (rows->pdata[i]), title) == 0)
      return rows->pdata[i];
  return NULL;
}

/* The title or snippet under @row that says @text. */
SiRowText *
find_row_text (GtkWidget  *row,
               const char *text)
{
  if (SI_IS_ROW_TEXT (row) && g_strcmp0 (si_row_text_get_text (SI_ROW_TEXT (row)), text) == 0)
    return SI_ROW_TEXT (row);
  for (GtkWidget *child = gtk_widget_get_first_child (row); child; child = gtk_widget_get_next_sibling (child))
    {
      SiRowText *found = find_row_text (child, text);
      if (found)
        return found;
    }
  return NULL;
}

guint
n_rows_shown (SiWindow *window)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  if (g_strcmp0 (gtk_stack_get_visible_child_name (_si_window_get_list_stack (window)), "list") != 0)
    return 0;
  collect_rows (GTK_WIDGET (_si_window_get_list_view (window)), rows);
  return rows->len;
}

guint
count_in_store (SiStore *store)
{
  SiIdeaFilter all = { 0 };
  return si_store_count_ideas (store, &all, NULL);
}

char *
body_text (SiEditor *editor)
{
  GtkTextBuffer *buffer = _si_editor_get_body_buffer (editor);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

gboolean
body_is (SiEditor   *editor,
         const char *text)
{
  g_autofree char *shown = body_text (editor);
  return g_strcmp0 (shown, text) == 0;
}

/* The sync engine makes conflicted copies; the test marks one the same way on disk. */
void
mark_conflicted_copy (SiStore *store,
                      gint64   copy_id,
                      gint64   original_id)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = _si_store_prepare (store, "UPDATE ideas SET conflict_of = ?2 WHERE id = ?1", &error);

  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, copy_id);
  sqlite3_bind_int64 (stmt, 2, original_id);
  g_assert_true (_si_store_step_done (store, stmt, "marking a conflicted copy", &error));
  g_assert_no_error (error);
}

/* Every idea as if the server had it: nothing waits to be sent. */
void
mark_all_synced (SiStore *store)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = _si_store_prepare (store, "UPDATE ideas SET state = " SI_SQL_SYNCED ", sid = id", &error);

  g_assert_no_error (error);
  g_assert_true (_si_store_step_done (store, stmt, "marking everything synced", &error));
  g_assert_no_error (error);
}

/* The first widget of @type in @widget's tree, @widget itself included, depth first. */
GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found)
        return found;
    }
  return NULL;
}

/* What the tags at the first @needle in @buffer (a GtkSourceBuffer, highlighted first) do to
 * the text there. */
Look
look_at (GtkTextBuffer *buffer,
         const char    *needle)
{
  g_autofree char *text = NULL;
  g_autoptr(GSList) tags = NULL;
  GtkTextIter start, end, at;
  const char *found;
  Look look = 0;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_source_buffer_ensure_highlight (GTK_SOURCE_BUFFER (buffer), &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  found = strstr (text, needle);
  g_assert_nonnull (found);
  gtk_text_buffer_get_iter_at_offset (buffer, &at, (int) g_utf8_strlen (text, found - text));
  tags = gtk_text_iter_get_tags (&at);
  for (GSList *l = tags; l; l = l->next)
    {
      gboolean weight_set, style_set, foreground_set;
      int weight;
      PangoStyle style;

      g_object_get (l->data, "weight-set", &weight_set, "weight", &weight, "style-set", &style_set,
                    "style", &style, "foreground-set", &foreground_set, NULL);
      if (weight_set && weight >= PANGO_WEIGHT_BOLD)
        look |= LOOK_BOLD;
      if (style_set && style == PANGO_STYLE_ITALIC)
        look |= LOOK_ITALIC;
      if (foreground_set)
        look |= LOOK_COLOURED;
    }
  return look;
}

/* A network monitor that says what the test wants. */
#define TEST_TYPE_NETWORK_MONITOR (test_network_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TestNetworkMonitor, test_network_monitor, TEST, NETWORK_MONITOR, GObject)

struct _TestNetworkMonitor
{
  GObject  parent_instance;
  gboolean available;
};

enum {
  MON_PROP_0,
  MON_PROP_AVAILABLE,
  MON_PROP_METERED,
  MON_PROP_CONNECTIVITY,
};

static void test_network_monitor_iface_init (GNetworkMonitorInterface *iface);
static void test_network_monitor_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestNetworkMonitor, test_network_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, test_network_monitor_initable_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, test_network_monitor_iface_init))

static gboolean
test_network_monitor_initable_init_fn (GInitable *initable, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

static void
test_network_monitor_initable_init (GInitableIface *iface)
{
  iface->init = test_network_monitor_initable_init_fn;
}

static gboolean
test_network_monitor_can_reach (GNetworkMonitor *monitor, GSocketConnectable *connectable,
                                GCancellable *cancellable, GError **error)
{
  if (TEST_NETWORK_MONITOR (monitor)->available)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE, "Network unreachable");
  return FALSE;
}

static void
test_network_monitor_can_reach_async (GNetworkMonitor *monitor, GSocketConnectable *connectable,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (monitor, cancellable, callback, user_data);
  GError *error = NULL;

  if (test_network_monitor_can_reach (monitor, connectable, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
test_network_monitor_can_reach_finish (GNetworkMonitor *monitor, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
test_network_monitor_iface_init (GNetworkMonitorInterface *iface)
{
  iface->can_reach = test_network_monitor_can_reach;
  iface->can_reach_async = test_network_monitor_can_reach_async;
  iface->can_reach_finish = test_network_monitor_can_reach_finish;
}

static void
test_network_monitor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TestNetworkMonitor *self = TEST_NETWORK_MONITOR (object);

  switch (prop_id)
    {
    case MON_PROP_AVAILABLE: g_value_set_boolean (value, self->available); break;
    case MON_PROP_METERED: g_value_set_boolean (value, FALSE); break;
    case MON_PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_network_monitor_class_init (TestNetworkMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_network_monitor_get_property;
  g_object_class_override_property (object_class, MON_PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, MON_PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, MON_PROP_CONNECTIVITY, "connectivity");
}

static void
test_network_monitor_init (TestNetworkMonitor *self)
{
}

GNetworkMonitor *
test_network_monitor_new (gboolean available)
{
  TestNetworkMonitor *self = g_object_new (TEST_TYPE_NETWORK_MONITOR, NULL);
  self->available = available;
  return G_NETWORK_MONITOR (self);
}


static void
fault_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  FaultServer *fault = user_data;

  if (fault->first_page && g_str_equal (path, "/api/v1/changes") &&
      g_strcmp0 (query ? g_hash_table_lookup (query, "since") : NULL, "0") == 0)
    {
      soup_message_headers_append (soup_server_message_get_response_headers (msg),
                                   "Saveidea-Instance", "543f3af9-1fc8-491c-bd00-85ffd97d9354");
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        fault->first_page, strlen (fault->first_page));
      return;
    }
  if (fault->hang)
    {
      soup_server_message_pause (msg);
      g_ptr_array_add (fault->paused, g_object_ref (msg));
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    "{\"error\":\"maintenance\",\"message\":\"Down for maintenance\"}", 57);
}

const char fault_page_two_of_5000[] =
  "{\"records\":["
  "{\"collection\":\"ideas\",\"id\":1,\"uid\":\"6f2a0e8e-1b7c-4d8e-9a53-0c4d1e2f3a4b\",\"version\":1,"
  "\"created_at\":\"2026-11-28T09:00:00Z\",\"updated_at\":\"2026-11-28T09:00:00Z\",\"deleted\":false,"
  "\"title\":\"From the server\",\"body\":\"first\",\"pinned\":false,\"tags\":[]},"
  "{\"collection\":\"ideas\",\"id\":2,\"uid\":\"0c1d9a53-1b7c-4d8e-9a53-0c4d1e2f3a4c\",\"version\":7,"
  "\"created_at\":\"2026-11-28T09:00:00Z\",\"updated_at\":\"2026-11-28T09:05:00Z\",\"deleted\":false,"
  "\"title\":\"Also from the server\",\"body\":\"second\",\"pinned\":false,\"tags\":[]}"
  "],\"cursor\":7,\"more\":true,\"remaining\":4998}";

FaultServer *
fault_server_new (gboolean hang)
{
  FaultServer *fault = g_new0 (FaultServer, 1);

  fault->hang = hang;
  fault->paused = g_ptr_array_new_with_free_func (g_object_unref);
  fault->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fault->server, NULL, fault_handler, fault, NULL);
  fault->url = si_test_listen_local (fault->server);
  return fault;
}

void
fault_server_free (FaultServer *fault)
{
  for (guint i = 0; i < fault->paused->len; i++)
    {
      soup_server_message_set_status (fault->paused->pdata[i], SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      soup_server_message_unpause (fault->paused->pdata[i]);
    }
  g_ptr_array_unref (fault->paused);
  soup_server_disconnect (fault->server);
  g_object_unref (fault->server);
  g_free (fault->url);
  g_free (fault);
}

SiSyncManager *
make_manager (SiStore         *store,
              const char      *url,
              GNetworkMonitor *monitor)
{
  g_autoptr(SiAccount) account = si_account_new (store);
  g_autoptr(GError) error = NULL;

  if (url)
    {
      g_assert_true (si_account_set_for_testing (account, url, "alice", "test-token", &error));
      g_assert_no_error (error);
    }
  return g_object_new (SI_TYPE_SYNC_MANAGER,
                       "store", store,
                       "account", account,
                       "network-monitor", monitor,
                       NULL);
}

/* GTK 4.8 warns when a squeezed container hands a child less than its margins for one frame
 * (seen with a loaded CPU, never in the same place twice). That is GTK's layout noise, not ours:
 * it is printed, and every other warning still aborts the test. */
static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL, *message = NULL;
  GLogWriterOutput out;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }
  out = g_log_writer_default (log_level, fields, n_fields, user_data);
  if ((log_level & G_LOG_LEVEL_WARNING) &&
      !(g_strcmp0 (domain, "Gtk") == 0 && message &&
        g_str_has_prefix (message, "gtk_widget_size_allocate(): attempt to allocate")))
    g_error ("Unexpected warning: %s", message ? message : "");
  return out;
}

void
si_test_app_init (int    *argc,
                  char ***argv)
{
  /* The isolated XDG folders hide the system's MIME database and icon themes, which GTK needs
   * to load icons: point it at the real ones (nothing is written there). */
  static const char * const mime_dirs[] = { "/usr/local/share/mime", "/usr/share/mime", NULL };
  static const char * const icon_dirs[] = { "/usr/local/share/icons", "/usr/share/icons", "/usr/share/pixmaps", NULL };

  /* And GtkSourceView's language specs and style schemes (the editor's Markdown): where the
   * system keeps them, also in a test's subprocess, which inherits the isolated folders. */
  static const char * const system_dirs[] = { "/usr/local/share", "/usr/share", NULL };
  g_autoptr(GStrvBuilder) dirs = g_strv_builder_new ();
  g_auto(GStrv) data_dirs = NULL;
  g_autoptr(GPtrArray) languages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) schemes = g_ptr_array_new_with_free_func (g_free);

  g_strv_builder_addv (dirs, (const char **) g_get_system_data_dirs ());
  g_strv_builder_addv (dirs, (const char **) system_dirs);
  data_dirs = g_strv_builder_end (dirs);
  g_content_type_set_mime_dirs (mime_dirs);
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_writer_func (log_writer, NULL, NULL);
  gtk_init ();
  adw_init ();
  {
    /* The app's style sheet, which AdwApplication loads from the app's resources: the
     * windows the tests lay out are the ones a person sees. */
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/github/saveidea/Saveidea/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
  gtk_icon_theme_set_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()), icon_dirs);
  gtk_source_init ();
  for (const char * const *d = gtk_source_language_manager_get_search_path (gtk_source_language_manager_get_default ()); *d; d++)
    g_ptr_array_add (languages, g_strdup (*d));
  for (const char * const *d = gtk_source_style_scheme_manager_get_search_path (gtk_source_style_scheme_manager_get_default ()); *d; d++)
    g_ptr_array_add (schemes, g_strdup (*d));
  for (guint i = 0; data_dirs[i]; i++)
    {
      g_ptr_array_add (languages, g_build_filename (data_dirs[i], "gtksourceview-5", "language-specs", NULL));
      g_ptr_array_add (schemes, g_build_filename (data_dirs[i], "gtksourceview-5", "styles", NULL));
    }
  g_ptr_array_add (languages, NULL);
  g_ptr_array_add (schemes, NULL);
  gtk_source_language_manager_set_search_path (gtk_source_language_manager_get_default (),
                                               (const char * const *) languages->pdata);
  gtk_source_style_scheme_manager_set_search_path (gtk_source_style_scheme_manager_get_default (),
                                                   (const char * const *) schemes->pdata);
  /* Transitions only make the tests wait (and a revealer mid-slide can be allocated less than
   * its padding on a loaded machine). */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/io/github/saveidea/Saveidea/icons");
}
