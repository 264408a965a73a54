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

/**
 * SiDiffKind:
 * @SI_DIFF_SAME: both texts have it
 * @SI_DIFF_ONLY_A: only the first text has it
 * @SI_DIFF_ONLY_B: only the second text has it
 */
typedef enum {
  SI_DIFF_SAME,
  SI_DIFF_ONLY_A,
  SI_DIFF_ONLY_B,
} SiDiffKind;

/**
 * SiDiffPiece:
 * @kind: which text has it
 * @start: its first byte, in the second text for %SI_DIFF_ONLY_B, else in the first
 * @end: the byte after its last one
 *
 * A stretch of an inline diff (si_diff_words_inline()).
 */
typedef struct {
  SiDiffKind kind;
  gsize      start;
  gsize      end;
} SiDiffPiece;

void si_diff_words (const char  *a,
                    const char  *b,
                    GArray     **out_a,
                    GArray     **out_b);

GArray *si_diff_words_inline (const char *a,
                              const char *b);

G_END_DECLS
