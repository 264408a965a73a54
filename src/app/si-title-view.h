/* si-title-view.h — an idea's title as the editor shows it: one paragraph that wraps onto as
 * many lines as it needs, edited through GtkEditable like an entry. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SI_TYPE_TITLE_VIEW (si_title_view_get_type ())
G_DECLARE_FINAL_TYPE (SiTitleView, si_title_view, SI, TITLE_VIEW, GtkTextView)

GtkWidget  *si_title_view_new                  (void);
const char *si_title_view_get_placeholder_text (SiTitleView *self);
void        si_title_view_set_placeholder_text (SiTitleView *self,
                                                const char  *text);
int         si_title_view_get_max_length       (SiTitleView *self);
void        si_title_view_set_max_length       (SiTitleView *self,
                                                int          max_length);

G_END_DECLS
