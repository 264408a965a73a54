/* si-row-text.h — a list row's wrapped, ellipsized text, sized by characters without laying it
 * out. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SI_TYPE_ROW_TEXT (si_row_text_get_type ())
G_DECLARE_FINAL_TYPE (SiRowText, si_row_text, SI, ROW_TEXT, GtkWidget)

const char  *si_row_text_get_text   (SiRowText  *self);
void         si_row_text_set_text   (SiRowText  *self,
                                     const char *text);
int          si_row_text_get_lines  (SiRowText  *self);
PangoLayout *si_row_text_get_layout (SiRowText  *self);

G_END_DECLS
