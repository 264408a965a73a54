/* si-idea-row.c — one idea in the list, kept current through the idea's notify signals. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-idea-row.h"

struct _SiIdeaRow
{
  GtkWidget  parent_instance;

  SiIdea    *idea;
  gulong     notify_id;

  GtkLabel  *title;
  GtkLabel  *snippet;
};

G_DEFINE_FINAL_TYPE (SiIdeaRow, si_idea_row, GTK_TYPE_WIDGET)

static void
update (SiIdeaRow *self)
{
  g_autofree char *title = NULL;
  g_autofree char *snippet = NULL;

  if (self->idea == NULL)
    return;
  title = si_idea_dup_display_title (self->idea);
  snippet = si_idea_dup_snippet (self->idea, 120);
  gtk_label_set_label (self->title, title[0] ? title : _("Untitled idea"));
  gtk_label_set_label (self->snippet, snippet);
  gtk_widget_set_visible (GTK_WIDGET (self->snippet), snippet[0] != '\0');
}

void
si_idea_row_set_idea (SiIdeaRow *self,
                      SiIdea    *idea)
{
  g_return_if_fail (SI_IS_IDEA_ROW (self));

  if (self->idea == idea)
    return;
  if (self->idea)
    g_clear_signal_handler (&self->notify_id, self->idea);
  g_set_object (&self->idea, idea);
  if (idea)
    self->notify_id = g_signal_connect_object (idea, "notify", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
}

static void
si_idea_row_dispose (GObject *object)
{
  SiIdeaRow *self = SI_IDEA_ROW (object);

  si_idea_row_set_idea (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SI_TYPE_IDEA_ROW);

  G_OBJECT_CLASS (si_idea_row_parent_class)->dispose (object);
}

static void
si_idea_row_class_init (SiIdeaRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = si_idea_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/saveidea/Saveidea/si-idea-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SiIdeaRow, title);
  gtk_widget_class_bind_template_child (widget_class, SiIdeaRow, snippet);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
si_idea_row_init (SiIdeaRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

SiIdeaRow *
si_idea_row_new (void)
{
  return g_object_new (SI_TYPE_IDEA_ROW, NULL);
}
