/* si-text.h — text as the lists show and search it: previews without Markdown, names in a
 * natural order, and the character grams that let search find Chinese and Japanese words. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A preview reads at most this much of a text, however long the text is. */
#define SI_TEXT_PREVIEW_MAX_INPUT (64 * 1024)

char     *si_text_markdown_preview (const char *text,
                                    guint       max_chars);
int       si_text_natural_compare  (const char *a,
                                    const char *b);

gboolean  si_text_is_cjk           (gunichar    c);
gboolean  si_text_has_cjk          (const char *text,
                                    gssize      length);
char     *si_text_cjk_grams        (const char *text,
                                    gssize      length);

G_END_DECLS
