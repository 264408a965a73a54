/* si-diff-private.h — the token matching that the text merge and the word diff share. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A piece of a text: a line (with its '\n', if any) or a word, a run of spaces, a sign. */
typedef struct {
  const char *start;
  gsize       len;
} SiDiffToken;

GArray   *_si_diff_split_lines (const char *text,
                                gsize       len);
GArray   *_si_diff_split_words (const char *text,
                                gsize       len);
gboolean  _si_diff_match       (GArray     *a,
                                GArray     *b,
                                gint       *match,
                                guint64     max_cells);

G_END_DECLS
