/* si-search-provider.c — the GNOME Shell search provider: org.gnome.Shell.SearchProvider2 on the
 * application's own D-Bus connection, beside its object path (…/SearchProvider).
 *
 * Typing in the Activities overview searches the notebook as the window's search bar does —
 * si_store_search(), every word a prefix, accents and case ignored, titles, bodies and tags —
 * and shows the best few by title with a one-line preview of the body without Markdown.
 * Activating one opens the window on that idea; "search in the app" opens the window with the
 * terms in its search bar.
 *
 * The Shell starts the application with --gapplication-service when it is not running (the
 * D-Bus service in data/); each call keeps it alive for a while, so the keystrokes of one search
 * do not each start a new process. Whatever comes over the bus is checked here first: the
 * number and length of the terms, the number of ids and their form (a local id in decimal). */
#define G_LOG_DOMAIN "saveidea-search-provider"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "si-search-provider.h"
#include "si-window.h"

/* How long the application stays after the last call from the Shell, with no window open. */
#define KEEP_ALIVE_SECONDS 30
/* The preview under a result's title: one line, as long as the Shell shows. */
#define PREVIEW_MAX_CHARS 100

struct _SiSearchProvider
{
  GObject          parent_instance;

  SiApplication   *application;      /* weak: it owns this */
  GDBusConnection *connection;
  guint            registration_id;
  guint            keep_alive_id;
};

G_DEFINE_FINAL_TYPE (SiSearchProvider, si_search_provider, G_TYPE_OBJECT)

/* The interface as GNOME Shell documents it (search-provider.xml in gnome-shell's data). */
static const char introspection_xml[] =
  "<node>"
  "  <interface name='org.gnome.Shell.SearchProvider2'>"
  "    <method name='GetInitialResultSet'>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='as' name='results' direction='out'/>"
  "    </method>"
  "    <method name='GetSubsearchResultSet'>"
  "      <arg type='as' name='previous_results' direction='in'/>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='as' name='results' direction='out'/>"
  "    </method>"
  "    <method name='GetResultMetas'>"
  "      <arg type='as' name='identifiers' direction='in'/>"
  "      <arg type='aa{sv}' name='metas' direction='out'/>"
  "    </method>"
  "    <method name='ActivateResult'>"
  "      <arg type='s' name='identifier' direction='in'/>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='u' name='timestamp' direction='in'/>"
  "    </method>"
  "    <method name='LaunchSearch'>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='u' name='timestamp' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static GDBusInterfaceInfo *
interface_info (void)
{
  static GDBusNodeInfo *node;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      node = g_dbus_node_info_new_for_xml (introspection_xml, NULL);
      g_assert (node != NULL);
      g_once_init_leave (&once, 1);
    }
  return node->interfaces[0];
}

static gboolean
keep_alive_done (gpointer user_data)
{
  SiSearchProvider *self = user_data;

  self->keep_alive_id = 0;
  if (self->application)
    g_application_release (G_APPLICATION (self->application));
  return G_SOURCE_REMOVE;
}

/* Holds the application for KEEP_ALIVE_SECONDS after each call. */
static void
keep_alive (SiSearchProvider *self)
{
  if (self->application == NULL)
    return;
  if (self->keep_alive_id == 0)
    g_application_hold (G_APPLICATION (self->application));
  else
    g_source_remove (self->keep_alive_id);
  self->keep_alive_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, KEEP_ALIVE_SECONDS,
                                                    keep_alive_done, self, NULL);
}

/* The terms as one search text, or NULL (an error) when there are too many or one is too long.
 * GDBus has already checked that each is valid UTF-8 without NUL. */
static char *
join_terms (const char *const  *terms,
            GError            **error)
{
  guint n = g_strv_length ((char **) terms);

  if (n > SI_SEARCH_PROVIDER_MAX_TERMS)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "At most %d search terms are accepted", SI_SEARCH_PROVIDER_MAX_TERMS);
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    if (strlen (terms[i]) > SI_SEARCH_PROVIDER_MAX_TERM_BYTES)
      {
        g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                     "A search term is longer than %d bytes", SI_SEARCH_PROVIDER_MAX_TERM_BYTES);
        return NULL;
      }
  return g_strjoinv (" ", (char **) terms);
}

/* An id the Shell got from us: a local id in decimal. 0 when it is not one. */
static gint64
parse_id (const char *text)
{
  guint64 id = 0;

  if (strlen (text) > 19 || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &id, NULL))
    return 0;
  return (gint64) id;
}

static SiStore *
get_store (SiSearchProvider  *self,
           GError           **error)
{
  if (self->application == NULL)
    {
      g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "The application is quitting");
      return NULL;
    }
  return si_application_ensure_store (self->application, error);
}

/**
 * si_search_provider_search:
 * @terms: what was typed in the overview, split into words
 *
 * The search the Shell runs: the ideas the window's search shows first, at most
 * SI_SEARCH_PROVIDER_MAX_RESULTS, as their ids.
 *
 * Returns: (transfer full): the ids, best first, or NULL with @error
 */
char **
si_search_provider_search (SiSearchProvider  *self,
                           const char *const *terms,
                           GError           **error)
{
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_autoptr(GPtrArray) ideas = NULL;
  g_autofree char *text = NULL;
  SiStore *store;

  g_return_val_if_fail (SI_IS_SEARCH_PROVIDER (self), NULL);
  g_return_val_if_fail (terms != NULL, NULL);

  if (!(text = join_terms (terms, error)) || !(store = get_store (self, error)))
    return NULL;
  if (!(ideas = si_store_search (store, text, SI_SEARCH_PROVIDER_MAX_RESULTS, error)))
    return NULL;
  for (guint i = 0; i < ideas->len; i++)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, si_idea_get_id (ideas->pdata[i]));
      g_strv_builder_add (ids, id);
    }
  return g_strv_builder_end (ids);
}

static void
return_results (SiSearchProvider      *self,
                GDBusMethodInvocation *invocation,
                const char *const     *terms)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = si_search_provider_search (self, terms, &error);

  if (ids == NULL)
    {
      g_debug ("Search failed: %s", error->message);
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(^as)", ids));
}

static void
return_metas (SiSearchProvider      *self,
              GDBusMethodInvocation *invocation,
              const char *const     *identifiers)
{
  g_autoptr(GError) error = NULL;
  GVariantBuilder metas;
  SiStore *store;
  guint n = g_strv_length ((char **) identifiers);

  if (n > SI_SEARCH_PROVIDER_MAX_IDS)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "At most %d ids are accepted", SI_SEARCH_PROVIDER_MAX_IDS);
      return;
    }
  if (!(store = get_store (self, &error)))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  g_variant_builder_init (&metas, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SiIdea) idea = NULL;
      g_autofree char *title = NULL;
      g_autofree char *preview = NULL;
      gint64 id = parse_id (identifiers[i]);

      /* An idea deleted since the search, or an id that was never ours, has no result. */
      if (id == 0 || !(idea = si_store_get_idea (store, id, NULL)))
        continue;
      title = si_idea_dup_display_title (idea);
      preview = si_idea_dup_snippet (idea, PREVIEW_MAX_CHARS);
      g_variant_builder_open (&metas, G_VARIANT_TYPE ("a{sv}"));
      g_variant_builder_add (&metas, "{sv}", "id", g_variant_new_string (identifiers[i]));
      g_variant_builder_add (&metas, "{sv}", "name", g_variant_new_string (title[0] ? title : _("New idea")));
      g_variant_builder_add (&metas, "{sv}", "description", g_variant_new_string (preview));
      g_variant_builder_close (&metas);
    }
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(aa{sv})", &metas));
}

/* The main window, made and shown if there is none. NULL when the notebook cannot be opened
 * (the application then shows why). */
static SiWindow *
present_window (SiSearchProvider *self)
{
  GApplication *app = G_APPLICATION (self->application);

  g_application_activate (app);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
    if (SI_IS_WINDOW (l->data))
      {
        gtk_window_present (l->data);
        return l->data;
      }
  return NULL;
}

static void
activate_result (SiSearchProvider *self,
                 const char       *identifier)
{
  SiWindow *window;
  gint64 id = parse_id (identifier);

  if ((window = present_window (self)) && id != 0)
    si_window_show_idea (window, id);
}

static void
launch_search (SiSearchProvider  *self,
               const char *const *terms)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = join_terms (terms, &error);
  SiWindow *window;

  if ((window = present_window (self)))
    si_window_search (window, text ? text : "");
}

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  SiSearchProvider *self = user_data;

  if (self->application == NULL)
    {
      g_dbus_method_invocation_return_error_literal (invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                                                     "The application is quitting");
      return;
    }
  keep_alive (self);

  /* GDBus checked the arguments' types against the interface before this is called. */
  if (g_strcmp0 (method_name, "GetInitialResultSet") == 0)
    {
      g_autofree const char **terms = NULL;

      g_variant_get (parameters, "(^a&s)", &terms);
      return_results (self, invocation, terms);
    }
  else if (g_strcmp0 (method_name, "GetSubsearchResultSet") == 0)
    {
      g_autofree const char **previous = NULL;
      g_autofree const char **terms = NULL;

      /* A search anew, not a filter of the previous results: it costs as little, and a longer
       * word can rank ideas that were not among the first few. */
      g_variant_get (parameters, "(^a&s^a&s)", &previous, &terms);
      return_results (self, invocation, terms);
    }
  else if (g_strcmp0 (method_name, "GetResultMetas") == 0)
    {
      g_autofree const char **ids = NULL;

      g_variant_get (parameters, "(^a&s)", &ids);
      return_metas (self, invocation, ids);
    }
  else if (g_strcmp0 (method_name, "ActivateResult") == 0)
    {
      g_autofree const char **terms = NULL;
      const char *id;
      guint32 timestamp;

      g_variant_get (parameters, "(&s^a&su)", &id, &terms, &timestamp);
      activate_result (self, id);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_strcmp0 (method_name, "LaunchSearch") == 0)
    {
      g_autofree const char **terms = NULL;
      guint32 timestamp;

      g_variant_get (parameters, "(^a&su)", &terms, &timestamp);
      launch_search (self, terms);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "No method %s", method_name);
}

static const GDBusInterfaceVTable vtable = { .method_call = method_call };

/**
 * si_search_provider_export:
 * @object_path: the application's object path; the provider goes at …/SearchProvider, which
 *   the .ini in data/ names
 */
gboolean
si_search_provider_export (SiSearchProvider  *self,
                           GDBusConnection   *connection,
                           const char        *object_path,
                           GError           **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (SI_IS_SEARCH_PROVIDER (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (self->registration_id == 0, FALSE);

  path = g_strconcat (object_path, "/SearchProvider", NULL);
  self->registration_id = g_dbus_connection_register_object (connection, path, interface_info (),
                                                             &vtable, self, NULL, error);
  if (self->registration_id == 0)
    return FALSE;
  g_set_object (&self->connection, connection);
  return TRUE;
}

void
si_search_provider_unexport (SiSearchProvider *self)
{
  g_return_if_fail (SI_IS_SEARCH_PROVIDER (self));

  if (self->registration_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
  g_clear_object (&self->connection);
}

static void
si_search_provider_dispose (GObject *object)
{
  SiSearchProvider *self = SI_SEARCH_PROVIDER (object);

  /* Only the application holds this, so it is going away: its hold goes with it. */
  si_search_provider_unexport (self);
  g_clear_handle_id (&self->keep_alive_id, g_source_remove);
  g_clear_weak_pointer (&self->application);

  G_OBJECT_CLASS (si_search_provider_parent_class)->dispose (object);
}

static void
si_search_provider_class_init (SiSearchProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = si_search_provider_dispose;
}

static void
si_search_provider_init (SiSearchProvider *self)
{
}

SiSearchProvider *
si_search_provider_new (SiApplication *application)
{
  SiSearchProvider *self;

  g_return_val_if_fail (SI_IS_APPLICATION (application), NULL);

  self = g_object_new (SI_TYPE_SEARCH_PROVIDER, NULL);
  g_set_weak_pointer (&self->application, application);
  return self;
}
