/* si-markdown-editing.h — Markdown conveniences for a text view: lists that continue, list items
 * that indent, bold and italic around the selection, checkboxes that toggle, links that open. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SI_TYPE_MARKDOWN_EDITING (si_markdown_editing_get_type ())

G_DECLARE_FINAL_TYPE (SiMarkdownEditing, si_markdown_editing, SI, MARKDOWN_EDITING, GObject)

/* The delimiters Ctrl+B and Ctrl+I put around the selection. Italic is "_", so that it is never
 * mistaken for half of the bold "**". */
#define SI_MARKDOWN_BOLD   "**"
#define SI_MARKDOWN_ITALIC "_"

SiMarkdownEditing *
si_markdown_editing_attach (GtkTextView *view);

SiMarkdownEditing *
si_markdown_editing_get_for_view (GtkTextView *view);

/* The text logic, on UTF-8 strings and byte offsets, without widgets. Each returns FALSE when it
 * has nothing to do, and then leaves its out arguments alone. */

gboolean
si_markdown_enter (const char  *line,
                   gsize        cursor,
                   char       **new_line,
                   gsize       *new_cursor);

gboolean
si_markdown_indent (const char  *line,
                    gboolean     outdent,
                    char       **new_line);

gboolean
si_markdown_is_list_item (const char *line);

gboolean
si_markdown_toggle_checkbox (const char  *line,
                             gsize        offset,
                             char       **new_line);

void
si_markdown_wrap (const char  *before,
                  const char  *selected,
                  const char  *after,
                  const char  *delimiter,
                  char       **new_text,
                  gsize       *selection_start,
                  gsize       *selection_end);

char *
si_markdown_link_at (const char *line,
                     gsize       offset);

gboolean
si_markdown_uri_is_openable (const char *uri);

G_END_DECLS
