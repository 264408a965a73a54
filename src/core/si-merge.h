/* si-merge.h — merging a record changed on both sides, without losing anything.
 *
 * Identical content is no conflict. Otherwise every field is merged against the base (the
 * server version the local edit started from): a field changed on one side only takes that
 * side's value, so changes to different fields both survive. A body changed on both sides gets
 * a three-way line merge when the edits do not overlap. Tags are a set: additions and removals
 * of both sides are applied. When the edits overlap, the result is a conflict: the caller keeps
 * the server's version in place and the local one as a conflicted copy.
 */
#pragma once

#include "si-wire.h"

G_BEGIN_DECLS

/**
 * SiMergeResult:
 * @SI_MERGE_IDENTICAL: local and remote have the same content: nothing to do
 * @SI_MERGE_TAKE_REMOTE: only the server changed something: take the remote record
 * @SI_MERGE_KEEP_LOCAL: only this side changed something: push the local content
 * @SI_MERGE_MERGED: both changed, and the changes merged cleanly: push the merged record
 * @SI_MERGE_CONFLICT: the changes overlap: the server's version stays, the local one becomes a
 *   conflicted copy
 */
typedef enum {
  SI_MERGE_IDENTICAL,
  SI_MERGE_TAKE_REMOTE,
  SI_MERGE_KEEP_LOCAL,
  SI_MERGE_MERGED,
  SI_MERGE_CONFLICT,
} SiMergeResult;

/* Three-way merge of @local and @remote against @base, line by line. Returns TRUE and the
 * merged text when no edits overlap; FALSE (and *@out_merged NULL) otherwise. */
gboolean      si_merge_text    (const char          *base,
                                const char          *local,
                                const char          *remote,
                                char               **out_merged);

/**
 * SiTextEdit:
 * @start: where the edit begins in the old text, in bytes
 * @old_len: how many bytes of the old text it replaces
 * @new_start: where its replacement begins in the new text, in bytes
 * @new_len: how many bytes the replacement has
 *
 * One change between two texts; both its ends fall between characters.
 */
typedef struct {
  gsize start;
  gsize old_len;
  gsize new_start;
  gsize new_len;
} SiTextEdit;

/* The edits that turn @old_text into @new_text (element-type SiTextEdit, in order, none
 * overlapping, none empty): the lines that differ, matched as si_merge_text() matches them,
 * each narrowed to the characters that differ. Texts too large to match line by line give one
 * edit, from their common start to their common end. An editor applies them to keep the
 * cursor and the rest of the text where they are. */
GArray       *si_merge_diff_text (const char          *old_text,
                                  const char          *new_text);

/* Merges the content of two live records of one collection. @base may be NULL (unknown): then
 * only identical fields (and tag sets, which are united) merge. *@out_merged (nullable) is set
 * for SI_MERGE_KEEP_LOCAL and SI_MERGE_MERGED: a copy of @remote (id, version) with the merged
 * content and @local's uid and times. Relation fields must be in one id space (server ids). */
SiMergeResult si_merge_records (const SiWireRecord  *base,
                                const SiWireRecord  *local,
                                const SiWireRecord  *remote,
                                SiWireRecord       **out_merged);

G_END_DECLS
