/* si-app-utils.h — small helpers the app's widgets share: relative times, a minute clock and
 * counting words. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

char    *si_format_relative_time (gint64 when_usec,
                                  gint64 now_usec);
GObject *si_minute_clock_get     (void);
guint    si_count_words          (const char *text,
                                  gssize      len);

G_END_DECLS
