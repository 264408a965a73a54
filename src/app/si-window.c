/* si-window.c — the main window: the ideas of the notebook, or a friendly empty state. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-idea-row.h"
#include "si-window.h"

struct _SiWindow
{
  AdwApplicationWindow  parent_instance;

  SiStore              *store;
  SiIdeaList           *ideas;

  GtkStack             *stack;
  GtkListView          *list_view;
};

G_DEFINE_FINAL_TYPE (SiWindow, si_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_empty_state (SiWindow *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->ideas)) == 0;
  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  gtk_list_item_set_child (item, GTK_WIDGET (si_idea_row_new ()));
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  si_idea_row_set_idea (SI_IDEA_ROW (gtk_list_item_get_child (item)),
                        gtk_list_item_get_item (item));
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  si_idea_row_set_idea (SI_IDEA_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
si_window_constructed (GObject *object)
{
  SiWindow *self = SI_WINDOW (object);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkSelectionModel) selection = NULL;

  G_OBJECT_CLASS (si_window_parent_class)->constructed (object);

  self->ideas = si_idea_list_new (self->store);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);
  selection = GTK_SELECTION_MODEL (gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->ideas))));
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, selection);

  g_signal_connect_object (self->ideas, "notify::n-items", G_CALLBACK (update_empty_state),
                           self, G_CONNECT_SWAPPED);
  update_empty_state (self);
}

static void
si_window_dispose (GObject *object)
{
  SiWindow *self = SI_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SI_TYPE_WINDOW);
  g_clear_object (&self->ideas);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (si_window_parent_class)->dispose (object);
}

static void
si_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  SiWindow *self = SI_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_window_class_init (SiWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = si_window_constructed;
  object_class->dispose = si_window_dispose;
  object_class->set_property = si_window_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, SI_TYPE_STORE,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/saveidea/Saveidea/si-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SiWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, list_view);
}

static void
si_window_init (SiWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

SiWindow *
si_window_new (SiApplication *application,
               SiStore       *store)
{
  return g_object_new (SI_TYPE_WINDOW, "application", application, "store", store, NULL);
}

SiIdeaList *
si_window_get_idea_list (SiWindow *self)
{
  g_return_val_if_fail (SI_IS_WINDOW (self), NULL);
  return self->ideas;
}
