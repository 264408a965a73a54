/* si-idea-print.h — one idea as a print operation: its title as a heading, its body wrapped at
 * the page's width, page numbers at the foot. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GtkPrintOperation *si_idea_print_new (const char *title,
                                      const char *body);

/* For the tests: after pagination, the byte range of the body on @page (from 0). */
gboolean _si_idea_print_get_page_range (GtkPrintOperation *operation,
                                        int                page,
                                        gsize             *start,
                                        gsize             *end);

G_END_DECLS
