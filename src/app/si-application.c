/* si-application.c — the application: opens the offline store and the main window. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-application.h"
#include "si-window.h"

struct _SiApplication
{
  AdwApplication  parent_instance;

  SiStore        *store;
  char           *db_path;
};

G_DEFINE_FINAL_TYPE (SiApplication, si_application, ADW_TYPE_APPLICATION)

static void
show_fatal_error (SiApplication *self,
                  const char    *message)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (NULL, _("Your Notebook Could Not Be Opened"), message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
si_application_activate (GApplication *app)
{
  SiApplication *self = SI_APPLICATION (app);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    {
      g_autoptr(GError) error = NULL;

      if (self->store == NULL && !(self->store = si_store_new (self->db_path, &error)))
        {
          g_warning ("%s", error->message);
          show_fatal_error (self, error->message);
          return;
        }
      window = GTK_WINDOW (si_window_new (self, self->store));
    }
  gtk_window_present (window);
}

static gint
si_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  SiApplication *self = SI_APPLICATION (app);
  const char *path = NULL;

  if (g_variant_dict_lookup (options, "db", "^&ay", &path))
    self->db_path = g_canonicalize_filename (path, NULL);
  return -1;
}

static void
si_application_finalize (GObject *object)
{
  SiApplication *self = SI_APPLICATION (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->db_path, g_free);

  G_OBJECT_CLASS (si_application_parent_class)->finalize (object);
}

static void
si_application_class_init (SiApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = si_application_finalize;
  app_class->activate = si_application_activate;
  app_class->handle_local_options = si_application_handle_local_options;
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
si_application_init (SiApplication *self)
{
  static const GActionEntry actions[] = {
    { .name = "quit", .activate = quit_activated },
  };
  static const GOptionEntry options[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Use the notebook database at PATH"), N_("PATH") },
    { NULL }
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

SiApplication *
si_application_new (void)
{
  return g_object_new (SI_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/saveidea/Saveidea",
                       NULL);
}

SiStore *
si_application_get_store (SiApplication *self)
{
  g_return_val_if_fail (SI_IS_APPLICATION (self), NULL);
  return self->store;
}
