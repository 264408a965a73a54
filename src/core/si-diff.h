/* si-diff.h — what differs between two texts, word by word, for showing it to a person. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * SiDiffSpan:
 * @start: the first byte that differs
 * @end: the byte after the last one
 *
 * A stretch of one text that the other does not have, in byte offsets.
 */
typedef struct {
  gsize start;
  gsize end;
} SiDiffSpan;

void si_diff_words (const char  *a,
                    const char  *b,
                    GArray     **out_a,
                    GArray     **out_b);

G_END_DECLS
