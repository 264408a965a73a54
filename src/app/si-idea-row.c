/* si-idea-row.c — one idea in the list, kept current through the idea's notify signals.
 *
 * The row shows the title (or the first line), a snippet, the tags, how long ago it changed,
 * and marks for what a person should know: pinned, not synced yet, a conflicted copy, or a
 * change the server refused. "Not synced yet" means something only once the notebook has a sync
 * account: the window binds "has-account" to the account's "configured". */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-app-utils.h"
#include "si-idea-row.h"
#include "si-row-text.h"

struct _SiIdeaRow
{
  GtkWidget  parent_instance;

  SiIdea    *idea;
  gulong     notify_id;
  gboolean   has_account;

  SiRowText *title;
  SiRowText *snippet;
  GtkLabel  *tags;
  GtkLabel  *time;
  GtkImage  *pin_mark;
  GtkImage  *pending_mark;
  GtkImage  *conflict_mark;
  GtkImage  *error_mark;
};

G_DEFINE_FINAL_TYPE (SiIdeaRow, si_idea_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_HAS_ACCOUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_time (SiIdeaRow *self)
{
  g_autofree char *when = NULL;

  if (self->idea == NULL)
    return;
  when = si_format_relative_time (si_idea_get_updated_at (self->idea), g_get_real_time ());
  gtk_label_set_label (self->time, when);
}

static void
update (SiIdeaRow *self)
{
  g_autofree char *title = NULL;
  g_autofree char *snippet = NULL;
  g_autoptr(GString) tags = g_string_new (NULL);
  const char * const *names;
  const char *sync_error;

  if (self->idea == NULL)
    return;
  title = si_idea_dup_display_title (self->idea);
  snippet = si_idea_dup_snippet (self->idea, 160);
  si_row_text_set_text (self->title, title[0] ? title : _("New idea"));
  si_row_text_set_text (self->snippet, snippet);
  gtk_widget_set_visible (GTK_WIDGET (self->snippet), snippet[0] != '\0');

  names = si_idea_get_tag_names (self->idea);
  for (guint i = 0; names && names[i]; i++)
    {
      if (tags->len)
        g_string_append (tags, "  ");
      g_string_append_printf (tags, "#%s", names[i]);
    }
  gtk_label_set_label (self->tags, tags->str);
  gtk_widget_set_visible (GTK_WIDGET (self->tags), tags->len > 0);

  gtk_widget_set_visible (GTK_WIDGET (self->pin_mark), si_idea_get_pinned (self->idea));
  gtk_widget_set_visible (GTK_WIDGET (self->pending_mark), self->has_account && si_idea_is_dirty (self->idea));
  gtk_widget_set_visible (GTK_WIDGET (self->conflict_mark), si_idea_get_conflict_of (self->idea) != 0);
  sync_error = si_idea_get_sync_error (self->idea);
  gtk_widget_set_visible (GTK_WIDGET (self->error_mark), sync_error != NULL && sync_error[0] != '\0');
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->error_mark), sync_error);
  update_time (self);
}

SiIdea *
si_idea_row_get_idea (SiIdeaRow *self)
{
  g_return_val_if_fail (SI_IS_IDEA_ROW (self), NULL);
  return self->idea;
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

gboolean
si_idea_row_get_has_account (SiIdeaRow *self)
{
  g_return_val_if_fail (SI_IS_IDEA_ROW (self), FALSE);
  return self->has_account;
}

/* Whether the notebook syncs with an account: without one, nothing is "not synced yet". */
void
si_idea_row_set_has_account (SiIdeaRow *self,
                             gboolean   has_account)
{
  g_return_if_fail (SI_IS_IDEA_ROW (self));

  has_account = !!has_account;
  if (self->has_account == has_account)
    return;
  self->has_account = has_account;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_ACCOUNT]);
}

const char *
si_idea_row_get_title_text (SiIdeaRow *self)
{
  g_return_val_if_fail (SI_IS_IDEA_ROW (self), NULL);
  return si_row_text_get_text (self->title);
}

const char *
si_idea_row_get_time_text (SiIdeaRow *self)
{
  g_return_val_if_fail (SI_IS_IDEA_ROW (self), NULL);
  return gtk_label_get_label (self->time);
}

gboolean
si_idea_row_shows_pending (SiIdeaRow *self)
{
  g_return_val_if_fail (SI_IS_IDEA_ROW (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self->pending_mark));
}

gboolean
si_idea_row_shows_conflict (SiIdeaRow *self)
{
  g_return_val_if_fail (SI_IS_IDEA_ROW (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self->conflict_mark));
}

static void
si_idea_row_dispose (GObject *object)
{
  SiIdeaRow *self = SI_IDEA_ROW (object);
  GtkWidget *child;

  si_idea_row_set_idea (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SI_TYPE_IDEA_ROW);
  /* The template's unnamed root box is ours to remove. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (si_idea_row_parent_class)->dispose (object);
}

static void
si_idea_row_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SiIdeaRow *self = SI_IDEA_ROW (object);

  switch (prop_id)
    {
    case PROP_HAS_ACCOUNT: g_value_set_boolean (value, self->has_account); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_idea_row_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  SiIdeaRow *self = SI_IDEA_ROW (object);

  switch (prop_id)
    {
    case PROP_HAS_ACCOUNT: si_idea_row_set_has_account (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_idea_row_class_init (SiIdeaRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = si_idea_row_dispose;
  object_class->get_property = si_idea_row_get_property;
  object_class->set_property = si_idea_row_set_property;

  properties[PROP_HAS_ACCOUNT] =
    g_param_spec_boolean ("has-account", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SI_TYPE_ROW_TEXT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/saveidea/Saveidea/si-idea-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SiIdeaRow, title);
  gtk_widget_class_bind_template_child (widget_class, SiIdeaRow, snippet);
  gtk_widget_class_bind_template_child (widget_class, SiIdeaRow, tags);
  gtk_widget_class_bind_template_child (widget_class, SiIdeaRow, time);
  gtk_widget_class_bind_template_child (widget_class, SiIdeaRow, pin_mark);
  gtk_widget_class_bind_template_child (widget_class, SiIdeaRow, pending_mark);
  gtk_widget_class_bind_template_child (widget_class, SiIdeaRow, conflict_mark);
  gtk_widget_class_bind_template_child (widget_class, SiIdeaRow, error_mark);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "idearow");
}

static void
si_idea_row_init (SiIdeaRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (si_minute_clock_get (), "tick", G_CALLBACK (update_time), self, G_CONNECT_SWAPPED);
}

SiIdeaRow *
si_idea_row_new (void)
{
  return g_object_new (SI_TYPE_IDEA_ROW, NULL);
}
