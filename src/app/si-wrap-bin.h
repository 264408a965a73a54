/* si-wrap-bin.h — holds a wrapping label in a row, asking its width without a height. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SI_TYPE_WRAP_BIN (si_wrap_bin_get_type ())
G_DECLARE_FINAL_TYPE (SiWrapBin, si_wrap_bin, SI, WRAP_BIN, GtkWidget)

GtkWidget *si_wrap_bin_new       (GtkWidget *child);
GtkWidget *si_wrap_bin_get_child (SiWrapBin *self);

G_END_DECLS
