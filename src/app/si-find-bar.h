/* si-find-bar.h — find and replace in a GtkSourceView: the editor's search bar. */
#pragma once

#include <adwaita.h>
#include <gtksourceview/gtksource.h>

G_BEGIN_DECLS

#define SI_TYPE_FIND_BAR (si_find_bar_get_type ())
G_DECLARE_FINAL_TYPE (SiFindBar, si_find_bar, SI, FIND_BAR, GtkWidget)

void      si_find_bar_set_view      (SiFindBar     *self,
                                     GtkSourceView *view);
void      si_find_bar_open          (SiFindBar     *self,
                                     gboolean       replace);
void      si_find_bar_close         (SiFindBar     *self);
gboolean  si_find_bar_is_open       (SiFindBar     *self);
gboolean  si_find_bar_next          (SiFindBar     *self);
gboolean  si_find_bar_previous      (SiFindBar     *self);
gboolean  si_find_bar_replace       (SiFindBar     *self);
guint     si_find_bar_replace_all   (SiFindBar     *self);

/* For the tests */
GtkEditable *_si_find_bar_get_search_entry  (SiFindBar *self);
GtkEditable *_si_find_bar_get_replace_entry (SiFindBar *self);
const char  *_si_find_bar_get_count_text    (SiFindBar *self);
GtkSourceSearchContext *_si_find_bar_get_context (SiFindBar *self);

G_END_DECLS
