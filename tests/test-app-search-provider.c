/* test-app-search-provider.c — the GNOME Shell search provider, called over D-Bus as the Shell
 * calls it: a real SiApplication registered on the session bus (dbus-run-session), and a
 * connection of its own for the caller. Prefix and accent-folded search of titles, bodies and
 * tags, the results' names and previews, opening an idea, searching in the app, and hostile
 * input. Each case registers an application of its own id, so that nothing else on the bus
 * (another test, a running Saveidea) answers in its place. */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "si-search-provider.h"
#include "si-test-app.h"

#define IFACE "org.gnome.Shell.SearchProvider2"

typedef struct {
  SiApplication   *app;
  SiStore         *store;
  GDBusConnection *bus;
  char            *name;
  char            *path;
} Provider;

typedef struct {
  gboolean  done;
  GVariant *reply;
  GError   *error;
} Call;

static void
provider_setup (Provider      *f,
                gconstpointer  data)
{
  static guint n_apps;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;

  f->name = g_strdup_printf ("io.github.saveidea.Saveidea.TestProvider%d_%u", (int) getpid (), ++n_apps);
  f->path = g_strconcat ("/", f->name, "/SearchProvider", NULL);
  g_strdelimit (f->path, ".", '/');
  f->app = g_object_new (SI_TYPE_APPLICATION,
                         "application-id", f->name,
                         "flags", G_APPLICATION_DEFAULT_FLAGS,
                         "resource-base-path", "/io/github/saveidea/Saveidea",
                         NULL);
  g_assert_true (g_application_register (G_APPLICATION (f->app), NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_application_get_is_remote (G_APPLICATION (f->app)));
  f->store = g_object_ref (si_application_ensure_store (f->app, &error));
  g_assert_no_error (error);

  /* The caller, as the Shell is: another connection to the same bus. */
  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  f->bus = g_dbus_connection_new_for_address_sync (address,
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
provider_teardown (Provider      *f,
                   gconstpointer  data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (f->app));
  g_autoptr(GList) copy = g_list_copy (windows);

  for (GList *l = copy; l; l = l->next)
    gtk_window_destroy (l->data);
  spin (20);
  g_dbus_connection_close_sync (f->bus, NULL, NULL);
  g_clear_object (&f->bus);
  g_clear_object (&f->store);
  g_clear_object (&f->app);
  g_free (f->name);
  g_free (f->path);
}

static void
call_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Call *call = user_data;

  call->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &call->error);
  call->done = TRUE;
}

/* Calls @method and spins the main loop meanwhile: the application answers on it. */
static GVariant *
call (Provider    *f,
      const char  *method,
      GVariant    *parameters,
      const char  *reply_type,
      GError     **error)
{
  Call c = { FALSE, NULL, NULL };

  g_dbus_connection_call (f->bus, f->name, f->path, IFACE, method, parameters,
                          G_VARIANT_TYPE (reply_type), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, call_done, &c);
  WAIT_FOR (c.done);
  if (c.error)
    g_propagate_error (error, c.error);
  return c.reply;
}

static GVariant *
terms_variant (const char *text)
{
  g_auto(GStrv) terms = g_strsplit (text, " ", -1);
  return g_variant_new_strv ((const char * const *) terms, -1);
}

/* GetInitialResultSet for @text, its words as the terms: the ids as "id,id,…". */
static char *
search (Provider   *f,
        const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (f, "GetInitialResultSet", g_variant_new_tuple ((GVariant *[]) { terms_variant (text) }, 1),
                                    "(as)", &error);
  g_autofree const char **ids = NULL;

  g_assert_no_error (error);
  g_variant_get (reply, "(^a&s)", &ids);
  return g_strjoinv (",", (char **) ids);
}

static char *
id_string (SiIdea *idea)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, si_idea_get_id (idea));
}

static char *
ids_string (SiIdea *a,
            SiIdea *b)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT, si_idea_get_id (a), si_idea_get_id (b));
}

static void
test_prefix (Provider      *f,
             gconstpointer  data)
{
  g_autoptr(SiIdea) garden = add_idea (f->store, "Garden plans", "Tomatoes along the fence");
  g_autoptr(SiIdea) garage = add_idea (f->store, "Garage sale", "Old bikes");
  g_autoptr(SiIdea) kitchen = add_idea (f->store, "Kitchen", "A new tap");
  g_autofree char *garden_id = id_string (garden);
  g_autofree char *garage_id = id_string (garage);
  g_autofree char *both = NULL, *found = NULL;

  /* Both start with "gar", in any order the ranking gives; the kitchen does not. */
  found = search (f, "gar");
  both = ids_string (garden, garage);
  if (g_strcmp0 (found, both) != 0)
    {
      g_free (both);
      both = ids_string (garage, garden);
    }
  g_assert_cmpstr (found, ==, both);
  g_clear_pointer (&found, g_free);

  /* Every term must match, titles and bodies alike. */
  found = search (f, "gar toma");
  g_assert_cmpstr (found, ==, garden_id);
  g_clear_pointer (&found, g_free);
  found = search (f, "GARAGE");
  g_assert_cmpstr (found, ==, garage_id);
  g_clear_pointer (&found, g_free);

  /* A subsearch is a search of its own terms. */
  {
    g_autoptr(GError) error = NULL;
    const char *previous[] = { garden_id, garage_id, NULL };
    g_autoptr(GVariant) reply = call (f, "GetSubsearchResultSet",
                                      g_variant_new ("(^as@as)", previous, terms_variant ("gara")),
                                      "(as)", &error);
    g_autofree const char **ids = NULL;

    g_assert_no_error (error);
    g_variant_get (reply, "(^a&s)", &ids);
    g_assert_cmpuint (g_strv_length ((char **) ids), ==, 1);
    g_assert_cmpstr (ids[0], ==, garage_id);
  }
  (void) kitchen;
}

static void
test_accents (Provider      *f,
              gconstpointer  data)
{
  g_autoptr(SiIdea) cafe = add_idea (f->store, "Café on the corner", "Open at seven");
  g_autoptr(SiIdea) resume = add_idea (f->store, "Job", "Update the résumé");
  g_autofree char *cafe_id = id_string (cafe);
  g_autofree char *resume_id = id_string (resume);
  g_autofree char *a = search (f, "cafe");
  g_autofree char *b = search (f, "CAFÉ");
  g_autofree char *c = search (f, "resum");
  g_autofree char *d = search (f, "Résumé");

  g_assert_cmpstr (a, ==, cafe_id);
  g_assert_cmpstr (b, ==, cafe_id);
  g_assert_cmpstr (c, ==, resume_id);
  g_assert_cmpstr (d, ==, resume_id);
}

static void
test_tags (Provider      *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) trip = add_idea (f->store, "Trip", "Pack light");
  g_autoptr(SiIdea) other = add_idea (f->store, "Other", "Nothing");
  g_autoptr(SiTag) tag = si_store_ensure_tag (f->store, "Holidays", &error);
  g_autofree char *trip_id = id_string (trip);
  g_autofree char *found = NULL;

  g_assert_no_error (error);
  si_idea_add_tag (trip, si_tag_get_id (tag));
  g_assert_true (si_store_save_idea (f->store, trip, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);

  found = search (f, "holi");
  g_assert_cmpstr (found, ==, trip_id);
  (void) other;
}

/* The Shell shows a few: the provider hands it the best SI_SEARCH_PROVIDER_MAX_RESULTS. */
static void
test_capped (Provider      *f,
             gconstpointer  data)
{
  g_autofree char *found = NULL;
  g_auto(GStrv) ids = NULL;

  for (guint i = 0; i < SI_SEARCH_PROVIDER_MAX_RESULTS + 10; i++)
    {
      g_autofree char *title = g_strdup_printf ("Plum %u", i);
      g_autoptr(SiIdea) idea = add_idea (f->store, title, "");
    }
  found = search (f, "plu");
  ids = g_strsplit (found, ",", -1);
  g_assert_cmpuint (g_strv_length (ids), ==, SI_SEARCH_PROVIDER_MAX_RESULTS);
}

/* Nothing searchable (only punctuation, or no terms at all) finds nothing, not every idea. */
static void
test_nothing_searchable (Provider      *f,
                         gconstpointer  data)
{
  g_autoptr(SiIdea) idea = add_idea (f->store, "Anything", "at all");
  g_autofree char *a = search (f, "***");
  g_autofree char *b = search (f, "");

  g_assert_cmpstr (a, ==, "");
  g_assert_cmpstr (b, ==, "");
}

/* The meta of each id: its own id, the title and a one-line preview without Markdown. */
static void
test_metas (Provider      *f,
            gconstpointer  data)
{
  g_autoptr(SiIdea) plans = add_idea (f->store, "Garden plans", "**Tomatoes** along the _fence_\n\n- beans\n- peas");
  g_autoptr(SiIdea) untitled = add_idea (f->store, "", "# Shopping\nMilk and bread");
  g_autofree char *plans_id = id_string (plans);
  g_autofree char *untitled_id = id_string (untitled);
  const char *ids[] = { plans_id, untitled_id, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (f, "GetResultMetas", g_variant_new ("(^as)", ids), "(aa{sv})", &error);
  g_autoptr(GVariant) metas = NULL;
  g_autoptr(GVariantDict) first = NULL, second = NULL;
  const char *s;

  g_assert_no_error (error);
  metas = g_variant_get_child_value (reply, 0);
  g_assert_cmpuint (g_variant_n_children (metas), ==, 2);
  first = g_variant_dict_new (g_variant_get_child_value (metas, 0));
  second = g_variant_dict_new (g_variant_get_child_value (metas, 1));

  g_assert_true (g_variant_dict_lookup (first, "id", "&s", &s));
  g_assert_cmpstr (s, ==, plans_id);
  g_assert_true (g_variant_dict_lookup (first, "name", "&s", &s));
  g_assert_cmpstr (s, ==, "Garden plans");
  g_assert_true (g_variant_dict_lookup (first, "description", "&s", &s));
  g_assert_true (g_str_has_prefix (s, "Tomatoes along the fence"));
  g_assert_null (strchr (s, '\n'));
  g_assert_null (strchr (s, '*'));

  g_assert_true (g_variant_dict_lookup (second, "id", "&s", &s));
  g_assert_cmpstr (s, ==, untitled_id);
  g_assert_true (g_variant_dict_lookup (second, "name", "&s", &s));
  g_assert_cmpstr (s, ==, "Shopping");
  g_assert_true (g_variant_dict_lookup (second, "description", "&s", &s));
  g_assert_cmpstr (s, ==, "Milk and bread");
}

static void
assert_invalid_args (Provider   *f,
                     const char *method,
                     GVariant   *parameters,
                     const char *reply_type)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (f, method, parameters, reply_type, &error);

  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
}

/* What comes over the bus is checked: too many terms or ids, too long a term, and ids that
 * are not ours (a deleted idea, junk) give an error or no result, never a crash. */
static void
test_hostile_input (Provider      *f,
                    gconstpointer  data)
{
  g_autoptr(SiIdea) idea = add_idea (f->store, "Real", "idea");
  g_autoptr(SiIdea) gone = add_idea (f->store, "Gone", "soon");
  g_autofree char *idea_id = id_string (idea);
  g_autofree char *gone_id = id_string (gone);
  g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *long_term = g_strnfill (SI_SEARCH_PROVIDER_MAX_TERM_BYTES + 1, 'a');
  const char *long_terms[] = { "ok", long_term, NULL };
  const char *junk[] = { "abc", "-1", "0", "", "99999999999999999999999", " 1", "1e3", gone_id, idea_id, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) metas = NULL;

  g_assert_true (si_store_delete_idea (f->store, si_idea_get_id (gone), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < SI_SEARCH_PROVIDER_MAX_TERMS + 1; i++)
    g_ptr_array_add (many, g_strdup ("re"));
  g_ptr_array_add (many, NULL);
  assert_invalid_args (f, "GetInitialResultSet", g_variant_new ("(^as)", many->pdata), "(as)");
  assert_invalid_args (f, "GetInitialResultSet", g_variant_new ("(^as)", long_terms), "(as)");
  assert_invalid_args (f, "GetSubsearchResultSet", g_variant_new ("(^as^as)", junk, long_terms), "(as)");
  g_ptr_array_set_size (many, 0);
  for (guint i = 0; i < SI_SEARCH_PROVIDER_MAX_IDS + 1; i++)
    g_ptr_array_add (many, g_strdup (idea_id));
  g_ptr_array_add (many, NULL);
  assert_invalid_args (f, "GetResultMetas", g_variant_new ("(^as)", many->pdata), "(aa{sv})");

  /* FTS5's query syntax is text like any other: no error, and the words still match. */
  {
    g_autofree char *found = search (f, "\"rea ^idea* (real) - : * \"");

    g_assert_cmpstr (found, ==, idea_id);
  }

  /* Only the live idea has a meta. */
  reply = call (f, "GetResultMetas", g_variant_new ("(^as)", junk), "(aa{sv})", &error);
  g_assert_no_error (error);
  metas = g_variant_get_child_value (reply, 0);
  g_assert_cmpuint (g_variant_n_children (metas), ==, 1);
  {
    g_autoptr(GVariantDict) meta = g_variant_dict_new (g_variant_get_child_value (metas, 0));
    const char *s;

    g_assert_true (g_variant_dict_lookup (meta, "id", "&s", &s));
    g_assert_cmpstr (s, ==, idea_id);
  }

  /* Activating junk or a deleted idea opens the window on nothing. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = call (f, "ActivateResult", g_variant_new ("(s^asu)", "abc", junk, 0), "()", &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  reply = call (f, "ActivateResult", g_variant_new ("(s^asu)", gone_id, junk, 0), "()", &error);
  g_assert_no_error (error);
  {
    GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (f->app));

    g_assert_true (SI_IS_WINDOW (window));
    g_assert_cmpint (si_window_get_current_id (SI_WINDOW (window)), ==, 0);
  }
}

static SiWindow *
main_window (Provider *f)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (SI_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

/* ActivateResult opens the window on the idea: made if there was none, reused if there is. */
static void
test_activate_result (Provider      *f,
                      gconstpointer  data)
{
  g_autoptr(SiIdea) garden = add_idea (f->store, "Garden plans", "Tomatoes");
  g_autoptr(SiIdea) garage = add_idea (f->store, "Garage sale", "Bikes");
  g_autofree char *garden_id = id_string (garden);
  g_autofree char *garage_id = id_string (garage);
  const char *terms[] = { "gar", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  SiWindow *window;

  g_assert_null (main_window (f));
  reply = call (f, "ActivateResult", g_variant_new ("(s^asu)", garden_id, terms, 0), "()", &error);
  g_assert_no_error (error);
  WAIT_FOR ((window = main_window (f)) != NULL && gtk_widget_get_mapped (GTK_WIDGET (window)));
  g_assert_cmpint (si_window_get_current_id (window), ==, si_idea_get_id (garden));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (_si_window_get_editor (window))));

  g_clear_pointer (&reply, g_variant_unref);
  reply = call (f, "ActivateResult", g_variant_new ("(s^asu)", garage_id, terms, 0), "()", &error);
  g_assert_no_error (error);
  g_assert_true (main_window (f) == window);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (f->app))), ==, 1);
  g_assert_cmpint (si_window_get_current_id (window), ==, si_idea_get_id (garage));
}

/* "Search in the app": the window opens with the terms in its search bar, and lists the match. */
static void
test_launch_search (Provider      *f,
                    gconstpointer  data)
{
  g_autoptr(SiIdea) garden = add_idea (f->store, "Garden plans", "Tomatoes");
  g_autoptr(SiIdea) kitchen = add_idea (f->store, "Kitchen", "Tap");
  const char *terms[] = { "gar", "pla", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GtkSearchEntry *entry;
  SiWindow *window;

  reply = call (f, "LaunchSearch", g_variant_new ("(^asu)", terms, 0), "()", &error);
  g_assert_no_error (error);
  WAIT_FOR ((window = main_window (f)) != NULL && gtk_widget_get_mapped (GTK_WIDGET (window)));
  entry = _si_window_get_search_entry (window);
  g_assert_true (gtk_search_bar_get_search_mode (_si_window_get_search_bar (window)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "gar pla");
  WAIT_FOR (n_rows_shown (window) == 1 && find_row (window, "Garden plans") != NULL);
  (void) kitchen;
}

/* A bus left behind by a failed test would keep the test runner waiting on its output. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* The real app, started by a bus of its own from a service file as the session bus starts it
 * for the Shell (the service file in data/: --gapplication-service), answers a search in the notebook
 * of its user's data folder, and quits when asked. */
static void
test_activated_service (void)
{
  const char *binary = g_getenv ("SAVEIDEA_APP");
  g_autoptr(GError) error = NULL;
  /* In the test's own data folder, which GTest removes afterwards. */
  g_autofree char *tmp = g_build_filename (g_get_user_cache_dir (), "provider", NULL);
  g_autofree char *services = g_build_filename (tmp, "services", NULL);
  g_autofree char *data = g_build_filename (tmp, "data", NULL);
  g_autofree char *folder = g_build_filename (data, "saveidea", NULL);
  g_autofree char *db = g_build_filename (folder, "saveidea.db", NULL);
  g_autofree char *config = g_build_filename (tmp, "bus.conf", NULL);
  g_autofree char *service_file = g_strdup_printf ("%s/%s.service", services, APP_ID);
  g_autofree char *service = NULL, *config_text = NULL, *address = NULL, *path = NULL;
  g_autofree char *idea_id = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree const char **ids = NULL;
  const char *terms[] = { "gard", NULL };

  if (binary == NULL)
    {
      g_test_skip ("SAVEIDEA_APP is not set");
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (services, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  {
    g_autoptr(SiStore) store = si_store_new (db, &error);
    g_autoptr(SiIdea) garden = NULL;

    g_assert_no_error (error);
    garden = add_idea (store, "Garden plans", "Tomatoes");
    idea_id = id_string (garden);
  }

  service = g_strdup_printf ("[D-BUS Service]\nName=%s\nExec=%s --gapplication-service\n", APP_ID, binary);
  g_assert_true (g_file_set_contents (service_file, service, -1, &error));
  config_text = g_strdup_printf ("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\""
                                 " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                                 "<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen><auth>EXTERNAL</auth>"
                                 "<servicedir>%s</servicedir>"
                                 "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
                                 "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy>"
                                 "</busconfig>\n", services);
  g_assert_true (g_file_set_contents (config, config_text, -1, &error));

  /* The bus passes its environment on to the app it starts. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "HOME", tmp, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", tmp, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", tmp, TRUE);
  daemon = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--nofork", "--print-address=1",
                                        "--config-file", config, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon));
  address = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);
  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);

  /* The first call starts the app (nothing owns the name yet): the call waits for it. */
  path = g_strconcat ("/", APP_ID, "/SearchProvider", NULL);
  g_strdelimit (path, ".", '/');
  reply = g_dbus_connection_call_sync (bus, APP_ID, path, IFACE, "GetInitialResultSet",
                                       g_variant_new ("(^as)", terms), G_VARIANT_TYPE ("(as)"),
                                       G_DBUS_CALL_FLAGS_NONE, 20000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(^a&s)", &ids);
  g_assert_cmpuint (g_strv_length ((char **) ids), ==, 1);
  g_assert_cmpstr (ids[0], ==, idea_id);

  /* It quits when asked (app.quit on the application's own object), and the bus goes with the
   * test. */
  {
    g_autofree char *app_path = g_strconcat ("/", APP_ID, NULL);

    g_strdelimit (app_path, ".", '/');
    g_clear_pointer (&reply, g_variant_unref);
    reply = g_dbus_connection_call_sync (bus, APP_ID, app_path, "org.gtk.Actions", "Activate",
                                         g_variant_new ("(sava{sv})", "quit", NULL, NULL), NULL,
                                         G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
    g_assert_no_error (error);
  }
  g_dbus_connection_close_sync (bus, NULL, NULL);
  g_subprocess_force_exit (daemon);
  g_subprocess_wait (daemon, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

#define ADD(path, fn) g_test_add ("/app-search-provider/" path, Provider, NULL, provider_setup, fn, provider_teardown)
  ADD ("prefix", test_prefix);
  ADD ("accents", test_accents);
  ADD ("tags", test_tags);
  ADD ("capped", test_capped);
  ADD ("nothing-searchable", test_nothing_searchable);
  ADD ("metas", test_metas);
  ADD ("hostile-input", test_hostile_input);
  ADD ("activate-result", test_activate_result);
  ADD ("launch-search", test_launch_search);
#undef ADD
  g_test_add_func ("/app-search-provider/activated-service", test_activated_service);
  return g_test_run ();
}
