/* si-version-text.h — one version of an idea shown as text, with what differs highlighted: what
 * the Compare window, the History window and the Trash share. */
#pragma once

#include <gtk/gtk.h>

#include "si-idea.h"

G_BEGIN_DECLS

void  si_version_text_setup         (GtkTextView        *view);
void  si_version_text_show          (GtkTextView        *view,
                                     const char         *title,
                                     const char * const *tags,
                                     const char         *body);
void  si_version_text_show_idea     (GtkTextView        *view,
                                     SiIdea             *idea);
char *si_version_text_dup           (GtkTextView        *view);
void  si_version_text_highlight     (GtkTextView        *view,
                                     const char         *text,
                                     GArray             *spans);
gboolean si_version_text_show_inline (GtkTextView        *view,
                                      const char         *title,
                                      const char * const *tags,
                                      const char         *body,
                                      const char         *current);
void  si_version_text_compare       (GtkTextView        *view,
                                     GtkTextView        *other);
char *si_version_text_format_time   (gint64              when_usec);

G_END_DECLS
