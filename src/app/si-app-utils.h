/* si-app-utils.h — small helpers the app's widgets share: relative times, a minute clock,
 * counting words, the text scale, and the rules the editor and the quick capture window share for new ideas
 * and typed tag names. */
#pragma once

#include <gtk/gtk.h>

#include "si-idea.h"

G_BEGIN_DECLS

char    *si_format_relative_time (gint64 when_usec,
                                  gint64 now_usec);
GObject *si_minute_clock_get     (void);
guint    si_count_words          (const char *text,
                                  gssize      len);
gboolean si_idea_is_blank_new    (SiIdea     *idea);
char    *si_tag_name_from_input  (const char *text);
double   si_text_scale           (GtkWidget  *widget);
gboolean si_widget_font_changed  (GtkWidget                  *widget,
                                  const PangoFontDescription *font);

G_END_DECLS
