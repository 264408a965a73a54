/* si-count-label.h — a count beside a name, which changes without laying the window out again
 * while it keeps its width. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SI_TYPE_COUNT_LABEL (si_count_label_get_type ())
G_DECLARE_FINAL_TYPE (SiCountLabel, si_count_label, SI, COUNT_LABEL, GtkWidget)

GtkWidget  *si_count_label_new      (void);
const char *si_count_label_get_text (SiCountLabel *self);
void        si_count_label_set_text (SiCountLabel *self,
                                     const char   *text);

/* For the tests */
guint       _si_count_label_get_n_measures (SiCountLabel *self);

G_END_DECLS
