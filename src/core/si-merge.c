/* si-merge.c — three-way merges of text and of records. */
#define G_LOG_DOMAIN "saveidea-merge"

#include "config.h"

#include <string.h>

#include "si-diff-private.h"
#include "si-merge.h"

/* Beyond this many cells the line matching gives up and calls it a conflict: nothing is lost,
 * the user gets a conflicted copy instead of a slow merge. */
#define MAX_LCS_CELLS (8 * 1024 * 1024)

typedef SiDiffToken Line;

static GArray *
split_lines (const char *text)
{
  return _si_diff_split_lines (text, strlen (text));
}

static gboolean
line_equal (const Line *a,
            const Line *b)
{
  return a->len == b->len && memcmp (a->start, b->start, a->len) == 0;
}

#define LINE(arr, i) (&g_array_index ((arr), Line, (i)))

/* For each line of @a, the index of the line of @b it is matched with in a longest common
 * subsequence, or -1. FALSE when the problem is too large. */
static gboolean
match_lines (GArray *a,
             GArray *b,
             gint   *match)
{
  return _si_diff_match (a, b, match, MAX_LCS_CELLS);
}

static gboolean
ranges_equal (GArray *a, guint a0, guint a1,
              GArray *b, guint b0, guint b1)
{
  if (a1 - a0 != b1 - b0)
    return FALSE;
  for (guint i = 0; i < a1 - a0; i++)
    if (!line_equal (LINE (a, a0 + i), LINE (b, b0 + i)))
      return FALSE;
  return TRUE;
}

static void
append_range (GString *out, GArray *lines, guint from, guint to)
{
  for (guint i = from; i < to; i++)
    g_string_append_len (out, LINE (lines, i)->start, LINE (lines, i)->len);
}

gboolean
si_merge_text (const char  *base,
               const char  *local,
               const char  *remote,
               char       **out_merged)
{
  g_autoptr(GArray) b = NULL, l = NULL, r = NULL;
  g_autofree gint *ml = NULL, *mr = NULL;
  g_autoptr(GString) out = NULL;
  guint pb = 0, pl = 0, pr = 0;

  g_return_val_if_fail (base && local && remote && out_merged, FALSE);
  *out_merged = NULL;

  if (g_str_equal (local, remote) || g_str_equal (remote, base))
    {
      *out_merged = g_strdup (local);
      return TRUE;
    }
  if (g_str_equal (local, base))
    {
      *out_merged = g_strdup (remote);
      return TRUE;
    }

  b = split_lines (base);
  l = split_lines (local);
  r = split_lines (remote);
  ml = g_new (gint, b->len + 1);
  mr = g_new (gint, b->len + 1);
  if (!match_lines (b, l, ml) || !match_lines (b, r, mr))
    return FALSE;

  out = g_string_new (NULL);
  /* Walk the base lines kept by both sides (sync points); between two of them, each side either
   * kept the base's lines or changed them. Both changing them differently is a conflict. */
  for (guint i = 0; i <= b->len; i++)
    {
      guint el, er;

      if (i < b->len && (ml[i] < 0 || mr[i] < 0))
        continue;
      el = i < b->len ? (guint) ml[i] : l->len;
      er = i < b->len ? (guint) mr[i] : r->len;

      if (ranges_equal (b, pb, i, l, pl, el))
        append_range (out, r, pr, er);
      else if (ranges_equal (b, pb, i, r, pr, er) || ranges_equal (l, pl, el, r, pr, er))
        append_range (out, l, pl, el);
      else
        return FALSE;

      if (i < b->len)
        g_string_append_len (out, LINE (b, i)->start, LINE (b, i)->len);
      pb = i + 1;
      pl = el + 1;
      pr = er + 1;
    }

  *out_merged = g_string_free (g_steal_pointer (&out), FALSE);
  return TRUE;
}

/* Diffs ------------------------------------------------------------------------------------- */

static gsize
line_offset (GArray     *lines,
             guint       i,
             const char *text,
             gsize       length)
{
  return i < lines->len ? (gsize) (LINE (lines, i)->start - text) : length;
}

/* Adds the edit from old[o0, o1) to new[n0, n1), less what both begin and end with. The ends
 * stay between characters: equal bytes before a point make equal whole characters, so a point
 * that is not inside a character of the old text is not inside one of the new text either. */
static void
add_edit (GArray     *edits,
          const char *old_text,
          gsize       o0,
          gsize       o1,
          const char *new_text,
          gsize       n0,
          gsize       n1)
{
  gsize ol = o1 - o0, nl = n1 - n0, pre = 0, suf = 0;
  SiTextEdit edit;

  while (pre < ol && pre < nl && old_text[o0 + pre] == new_text[n0 + pre])
    pre++;
  while (pre > 0 && pre < ol && ((guchar) old_text[o0 + pre] & 0xC0) == 0x80)
    pre--;
  while (suf < ol - pre && suf < nl - pre && old_text[o1 - 1 - suf] == new_text[n1 - 1 - suf])
    suf++;
  while (suf > 0 && suf < ol && ((guchar) old_text[o1 - suf] & 0xC0) == 0x80)
    suf--;
  if (ol - pre - suf == 0 && nl - pre - suf == 0)
    return;
  edit.start = o0 + pre;
  edit.old_len = ol - pre - suf;
  edit.new_start = n0 + pre;
  edit.new_len = nl - pre - suf;
  g_array_append_val (edits, edit);
}

GArray *
si_merge_diff_text (const char *old_text,
                    const char *new_text)
{
  GArray *edits = g_array_new (FALSE, FALSE, sizeof (SiTextEdit));
  g_autoptr(GArray) a = NULL, b = NULL;
  g_autofree gint *match = NULL;
  gsize old_length, new_length;
  guint pa = 0, pb = 0;

  g_return_val_if_fail (old_text != NULL && new_text != NULL, edits);

  if (g_str_equal (old_text, new_text))
    return edits;
  old_length = strlen (old_text);
  new_length = strlen (new_text);
  a = split_lines (old_text);
  b = split_lines (new_text);
  match = g_new (gint, a->len + 1);
  if (!match_lines (a, b, match))
    {
      add_edit (edits, old_text, 0, old_length, new_text, 0, new_length);
      return edits;
    }
  /* Between two lines both texts have (and the ends), whatever differs is one edit. */
  for (guint i = 0; i <= a->len; i++)
    {
      guint j;

      if (i < a->len && match[i] < 0)
        continue;
      j = i < a->len ? (guint) match[i] : b->len;
      if (i > pa || j > pb)
        add_edit (edits, old_text, line_offset (a, pa, old_text, old_length), line_offset (a, i, old_text, old_length),
                  new_text, line_offset (b, pb, new_text, new_length), line_offset (b, j, new_text, new_length));
      pa = i + 1;
      pb = j + 1;
    }
  return edits;
}

/* Records ------------------------------------------------------------------------------------ */

/* A field that is replaced as a whole. FALSE: both sides changed it differently. */
static gboolean
merge_string (const char  *base,
              const char  *local,
              const char  *remote,
              const char **out)
{
  if (g_strcmp0 (local, remote) == 0 || (base && g_strcmp0 (remote, base) == 0))
    *out = local;
  else if (base && g_strcmp0 (local, base) == 0)
    *out = remote;
  else
    return FALSE;
  return TRUE;
}

static gboolean
array_has (GArray *array,
           gint64  value)
{
  for (guint i = 0; array && i < array->len; i++)
    if (g_array_index (array, gint64, i) == value)
      return TRUE;
  return FALSE;
}

/* x survives when both sides have it, or one side added it (it was not in the base). Without a
 * base, the union: nothing is lost. */
static GArray *
merge_set (GArray *base,
           GArray *local,
           GArray *remote,
           gboolean has_base)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint pass = 0; pass < 2; pass++)
    {
      GArray *side = pass == 0 ? remote : local;
      GArray *other = pass == 0 ? local : remote;

      for (guint i = 0; side && i < side->len; i++)
        {
          gint64 x = g_array_index (side, gint64, i);
          gboolean keep = !has_base || array_has (other, x) || !array_has (base, x);

          if (keep && !array_has (out, x))
            g_array_append_val (out, x);
        }
    }
  return out;
}

SiMergeResult
si_merge_records (const SiWireRecord  *base,
                  const SiWireRecord  *local,
                  const SiWireRecord  *remote,
                  SiWireRecord       **out_merged)
{
  g_autoptr(SiWireRecord) merged = NULL;
  gboolean has_base;

  g_return_val_if_fail (local != NULL && remote != NULL, SI_MERGE_CONFLICT);
  g_return_val_if_fail (local->collection == remote->collection, SI_MERGE_CONFLICT);

  if (out_merged)
    *out_merged = NULL;
  if (si_wire_record_content_equal (local, remote))
    return SI_MERGE_IDENTICAL;

  has_base = base != NULL && !base->deleted && base->collection == local->collection;
  if (!has_base)
    base = NULL;
  else if (si_wire_record_content_equal (local, base))
    return SI_MERGE_TAKE_REMOTE;

  merged = si_wire_record_copy (remote);
  g_free (merged->uid);
  merged->uid = g_strdup (local->uid);
  merged->created_at = local->created_at;
  merged->updated_at = MAX (local->updated_at, remote->updated_at);

  if (local->collection == SI_WIRE_COLLECTION_TAGS)
    {
      const char *name, *colour;

      if (!merge_string (base ? base->name : NULL, local->name, remote->name, &name) ||
          !merge_string (base ? base->colour : NULL, local->colour, remote->colour, &colour))
        return SI_MERGE_CONFLICT;
      g_free (merged->name);
      merged->name = g_strdup (name);
      g_free (merged->colour);
      merged->colour = g_strdup (colour);
    }
  else
    {
      const char *title;
      g_autofree char *body = NULL;

      if (!merge_string (base ? base->title : NULL, local->title, remote->title, &title))
        return SI_MERGE_CONFLICT;
      {
        const char *plain;

        if (merge_string (base ? base->body : NULL, local->body, remote->body, &plain))
          body = g_strdup (plain);
        else if (base == NULL || !si_merge_text (base->body, local->body, remote->body, &body))
          return SI_MERGE_CONFLICT;
      }
      g_free (merged->title);
      merged->title = g_strdup (title);
      g_free (merged->body);
      merged->body = g_steal_pointer (&body);

      /* A flag cannot be changed differently on both sides; without a base, pinned wins. */
      if (base)
        merged->pinned = local->pinned != base->pinned ? local->pinned : remote->pinned;
      else
        merged->pinned = local->pinned || remote->pinned;

      g_clear_pointer (&merged->tags, g_array_unref);
      merged->tags = merge_set (base ? base->tags : NULL, local->tags, remote->tags, has_base);
    }

  if (si_wire_record_content_equal (merged, remote))
    return SI_MERGE_TAKE_REMOTE;
  if (si_wire_record_content_equal (merged, local))
    {
      if (out_merged)
        *out_merged = g_steal_pointer (&merged);
      return SI_MERGE_KEEP_LOCAL;
    }
  if (out_merged)
    *out_merged = g_steal_pointer (&merged);
  return SI_MERGE_MERGED;
}
