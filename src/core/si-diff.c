/* si-diff.c — longest common subsequences of lines and words.
 *
 * The text merge matches lines with it; the Compare window shows, with si_diff_words(), which
 * words each version has that the other has not. Both are bounded: past a number of cells the
 * matching gives up, and the word diff falls back to whole lines, then to the whole changed
 * stretch, so a 1 MiB body costs linear time and memory, never a frozen window. */
#define G_LOG_DOMAIN "saveidea-merge"

#include "config.h"

#include <string.h>

#include "si-diff.h"
#include "si-diff-private.h"

/* The word diff's bound: 2 Mi cells of 4 bytes, a few milliseconds. */
#define MAX_WORD_CELLS (2 * 1024 * 1024)

#define TOKEN(arr, i) (&g_array_index ((arr), SiDiffToken, (i)))

GArray *
_si_diff_split_lines (const char *text,
                      gsize       len)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (SiDiffToken));
  const char *p = text, *end = text + len;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      SiDiffToken line = { p, nl ? (gsize) (nl - p + 1) : (gsize) (end - p) };

      g_array_append_val (lines, line);
      p += line.len;
    }
  return lines;
}

enum { CLASS_WORD, CLASS_SPACE, CLASS_SIGN };

/* The class of the character at @p, and its length (a stray byte of bad UTF-8 is a sign). */
static int
char_class (const char *p,
            const char *end,
            gsize      *len)
{
  gunichar c;

  if ((guchar) *p < 0x80)
    {
      *len = 1;
      if (g_ascii_isalnum (*p) || *p == '_')
        return CLASS_WORD;
      return g_ascii_isspace (*p) ? CLASS_SPACE : CLASS_SIGN;
    }
  c = g_utf8_get_char_validated (p, end - p);
  if (c == (gunichar) -1 || c == (gunichar) -2)
    {
      *len = 1;
      return CLASS_SIGN;
    }
  *len = g_utf8_next_char (p) - p;
  if (g_unichar_isalnum (c) || g_unichar_ismark (c) || c == '_')
    return CLASS_WORD;
  if (g_unichar_isspace (c))
    return CLASS_SPACE;
  return CLASS_SIGN;
}

/* The length of the word, run of white space or single other character at @p. */
static gsize
word_length (const char *p,
             const char *end)
{
  gsize n, len;
  int klass = char_class (p, end, &len);

  if (klass != CLASS_SIGN)
    while (p + len < end && char_class (p + len, end, &n) == klass)
      len += n;
  return len;
}

/* Words, runs of white space, and single other characters. */
GArray *
_si_diff_split_words (const char *text,
                      gsize       len)
{
  GArray *words = g_array_new (FALSE, FALSE, sizeof (SiDiffToken));
  const char *p = text, *end = text + len;

  while (p < end)
    {
      SiDiffToken word = { p, word_length (p, end) };

      g_array_append_val (words, word);
      p += word.len;
    }
  return words;
}

/* How many words _si_diff_split_words() makes of @text, counting no further than @limit. */
static guint64
count_words (const char *text,
             gsize       len,
             guint64     limit)
{
  const char *p = text, *end = text + len;
  guint64 n = 0;

  while (p < end && n <= limit)
    {
      p += word_length (p, end);
      n++;
    }
  return n;
}

static gboolean
token_equal (const SiDiffToken *a,
             const SiDiffToken *b)
{
  return a->len == b->len && memcmp (a->start, b->start, a->len) == 0;
}

/* For each token of @a, the index of the token of @b it is matched with in a longest common
 * subsequence, or -1. FALSE when the part between the common head and tail needs more than
 * @max_cells cells. */
gboolean
_si_diff_match (GArray  *a,
                GArray  *b,
                gint    *match,
                guint64  max_cells)
{
  guint na = a->len, nb = b->len, pre = 0, suf = 0, n, m;
  guint32 *dp;

  for (guint i = 0; i < na; i++)
    match[i] = -1;
  while (pre < na && pre < nb && token_equal (TOKEN (a, pre), TOKEN (b, pre)))
    {
      match[pre] = (gint) pre;
      pre++;
    }
  while (suf < na - pre && suf < nb - pre &&
         token_equal (TOKEN (a, na - 1 - suf), TOKEN (b, nb - 1 - suf)))
    {
      match[na - 1 - suf] = (gint) (nb - 1 - suf);
      suf++;
    }
  n = na - pre - suf;
  m = nb - pre - suf;
  if (n == 0 || m == 0)
    return TRUE;
  if ((guint64) (n + 1) * (m + 1) > max_cells)
    return FALSE;

  /* dp[i][j]: LCS length of a[pre+i..] and b[pre+j..] */
  dp = g_new0 (guint32, (gsize) (n + 1) * (m + 1));
#define DP(i, j) dp[(gsize) (i) * (m + 1) + (j)]
  for (guint i = n; i-- > 0;)
    for (guint j = m; j-- > 0;)
      {
        if (token_equal (TOKEN (a, pre + i), TOKEN (b, pre + j)))
          DP (i, j) = DP (i + 1, j + 1) + 1;
        else
          DP (i, j) = MAX (DP (i + 1, j), DP (i, j + 1));
      }
  for (guint i = 0, j = 0; i < n && j < m;)
    {
      if (token_equal (TOKEN (a, pre + i), TOKEN (b, pre + j)))
        {
          match[pre + i] = (gint) (pre + j);
          i++, j++;
        }
      else if (DP (i + 1, j) >= DP (i, j + 1))
        i++;
      else
        j++;
    }
#undef DP
  g_free (dp);
  return TRUE;
}

/* Word diffs ---------------------------------------------------------------------------------- */

static gboolean
is_break (char c)
{
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

static gboolean
token_is_space (const SiDiffToken *token)
{
  for (gsize i = 0; i < token->len; i++)
    if (!is_break (token->start[i]))
      return FALSE;
  return TRUE;
}

static void
add_span (GArray *spans,
          gsize   start,
          gsize   end)
{
  SiDiffSpan span = { start, end };

  if (start >= end)
    return;
  /* Touching spans read as one change. */
  if (spans->len > 0 && g_array_index (spans, SiDiffSpan, spans->len - 1).end == start)
    g_array_index (spans, SiDiffSpan, spans->len - 1).end = end;
  else
    g_array_append_val (spans, span);
}

/* The spans of @tokens (of @text) not @kept. White space between two changed tokens counts as
 * changed, so "red big dog" against "blue small dog" is one span, not two; a line's '\n' is
 * left out of it. */
static void
add_token_spans (GArray         *spans,
                 const char     *text,
                 GArray         *tokens,
                 const gboolean *kept,
                 gboolean        lines)
{
  for (guint i = 0; i < tokens->len; i++)
    {
      const SiDiffToken *token = TOKEN (tokens, i);
      gsize start = token->start - text, len = token->len;

      if (kept[i])
        {
          if (!(i > 0 && i + 1 < tokens->len && !kept[i - 1] && !kept[i + 1] && token_is_space (token)))
            continue;
        }
      else if (lines && len > 0 && token->start[len - 1] == '\n')
        len--;
      add_span (spans, start, start + len);
    }
}

/* Matches the tokens of the two middles and adds their unmatched ones as spans. FALSE (and
 * nothing added) when that is too large. */
static gboolean
diff_tokens (const char *a, gsize a0, gsize a1,
             const char *b, gsize b0, gsize b1,
             gboolean    lines,
             GArray     *spans_a,
             GArray     *spans_b)
{
  GArray *(*split) (const char *, gsize) = lines ? _si_diff_split_lines : _si_diff_split_words;
  g_autoptr(GArray) ta = NULL;
  g_autoptr(GArray) tb = NULL;
  g_autofree gint *match = NULL;
  g_autofree gboolean *kept_a = NULL;
  g_autofree gboolean *kept_b = NULL;

  /* The middles differ at both ends, so the matching could trim hardly any words: when their
   * counts alone are past the bound, do not make the words at all. */
  if (!lines)
    {
      guint64 na = count_words (a + a0, a1 - a0, MAX_WORD_CELLS);
      guint64 nb = count_words (b + b0, b1 - b0, MAX_WORD_CELLS / (na + 1));

      if ((na + 1) * (nb + 1) > MAX_WORD_CELLS)
        return FALSE;
    }
  ta = split (a + a0, a1 - a0);
  tb = split (b + b0, b1 - b0);
  match = g_new (gint, ta->len + 1);
  if (!_si_diff_match (ta, tb, match, MAX_WORD_CELLS))
    return FALSE;
  kept_a = g_new0 (gboolean, ta->len + 1);
  kept_b = g_new0 (gboolean, tb->len + 1);
  for (guint i = 0; i < ta->len; i++)
    if (match[i] >= 0)
      {
        kept_a[i] = TRUE;
        kept_b[match[i]] = TRUE;
      }
  add_token_spans (spans_a, a, ta, kept_a, lines);
  add_token_spans (spans_b, b, tb, kept_b, lines);
  return TRUE;
}

/* A change shows as its words: white space at its edges is left out, unless that is all it is. */
static void
trim_spans (const char *text,
            GArray     *spans)
{
  for (guint i = 0; i < spans->len; i++)
    {
      SiDiffSpan *span = &g_array_index (spans, SiDiffSpan, i);
      gsize start = span->start, end = span->end;

      while (start < end && is_break (text[start]))
        start++;
      while (end > start && is_break (text[end - 1]))
        end--;
      if (start < end)
        {
          span->start = start;
          span->end = end;
        }
    }
}

/**
 * si_diff_words:
 * @a: a text (UTF-8; stray bytes are compared as they are)
 * @b: the text to compare it with
 * @out_a: (out) (transfer full): the #SiDiffSpan<!-- -->s of @a that @b does not have
 * @out_b: (out) (transfer full): the #SiDiffSpan<!-- -->s of @b that @a does not have
 *
 * Finds what differs between two versions of a text, by word. Past a bound it compares whole
 * lines instead, and past that it marks the whole stretch between the common beginning and
 * end: the time and memory it takes grow with the length of the texts, never their product
 * beyond the bound. Spans are in order and do not overlap; equal texts have none.
 */
void
si_diff_words (const char  *a,
               const char  *b,
               GArray     **out_a,
               GArray     **out_b)
{
  g_autoptr(GArray) spans_a = g_array_new (FALSE, FALSE, sizeof (SiDiffSpan));
  g_autoptr(GArray) spans_b = g_array_new (FALSE, FALSE, sizeof (SiDiffSpan));
  gsize la, lb, pre = 0, suf = 0;

  g_return_if_fail (a != NULL && b != NULL && out_a != NULL && out_b != NULL);

  la = strlen (a);
  lb = strlen (b);
  /* The common beginning and end cost nothing to compare: cut them off at a white space, so
   * that no word is split, and diff only what lies between. */
  while (pre < la && pre < lb && a[pre] == b[pre])
    pre++;
  if (pre < la || pre < lb)
    {
      while (pre > 0 && !is_break (a[pre - 1]))
        pre--;
      while (suf < la - pre && suf < lb - pre && a[la - 1 - suf] == b[lb - 1 - suf])
        suf++;
      while (suf > 0 && !is_break (a[la - suf]))
        suf--;

      if (!diff_tokens (a, pre, la - suf, b, pre, lb - suf, FALSE, spans_a, spans_b) &&
          !diff_tokens (a, pre, la - suf, b, pre, lb - suf, TRUE, spans_a, spans_b))
        {
          add_span (spans_a, pre, la - suf);
          add_span (spans_b, pre, lb - suf);
        }
    }

  trim_spans (a, spans_a);
  trim_spans (b, spans_b);
  *out_a = g_steal_pointer (&spans_a);
  *out_b = g_steal_pointer (&spans_b);
}

/* Inline diffs ----------------------------------------------------------------------------- */

/* Builds the pieces of an inline diff: stretches both texts have, and changes (what only @a
 * has, what only @b has) between them. */
typedef struct {
  const char *a;
  const char *b;
  GArray     *pieces;
  gboolean    in_change;
  gsize       a0, a1, b0, b1;   /* the change being gathered */
  gboolean    has_space;
  gsize       space_a, space_b, space_len;   /* a shared space after a change, held back */
} Inline;

static void
add_piece (Inline     *in,
           SiDiffKind  kind,
           gsize       start,
           gsize       end)
{
  SiDiffPiece piece = { kind, start, end };

  if (start >= end)
    return;
  if (in->pieces->len > 0)
    {
      SiDiffPiece *last = &g_array_index (in->pieces, SiDiffPiece, in->pieces->len - 1);
      if (last->kind == kind && last->end == start)
        {
          last->end = end;
          return;
        }
    }
  g_array_append_val (in->pieces, piece);
}

/* Ends the change gathered: what @b had first (what goes), then what @a has (what comes), its
 * white space at the edges of @a's part left as shared text unless that is all it is. */
static void
flush_change (Inline *in)
{
  gsize start = in->a0, end = in->a1;

  if (!in->in_change)
    return;
  in->in_change = FALSE;
  while (start < end && is_break (in->a[start]))
    start++;
  while (end > start && is_break (in->a[end - 1]))
    end--;
  if (start == end)
    {
      start = in->a0;
      end = in->a1;
    }
  add_piece (in, SI_DIFF_SAME, in->a0, start);
  add_piece (in, SI_DIFF_ONLY_B, in->b0, in->b1);
  add_piece (in, SI_DIFF_ONLY_A, start, end);
  add_piece (in, SI_DIFF_SAME, end, in->a1);
}

static void
flush_space (Inline *in)
{
  if (!in->has_space)
    return;
  in->has_space = FALSE;
  flush_change (in);
  add_piece (in, SI_DIFF_SAME, in->space_a, in->space_a + in->space_len);
}

static void
inline_same (Inline *in,
             gsize   a_pos,
             gsize   b_pos,
             gsize   len,
             gboolean space)
{
  flush_space (in);
  /* White space between two changes belongs to them: "red big" for "blue small" is one. */
  if (space && in->in_change)
    {
      in->has_space = TRUE;
      in->space_a = a_pos;
      in->space_b = b_pos;
      in->space_len = len;
      return;
    }
  flush_change (in);
  add_piece (in, SI_DIFF_SAME, a_pos, a_pos + len);
}

/* A change: @a's bytes [a_pos, a_pos + a_len) and @b's [b_pos, b_pos + b_len). */
static void
inline_change (Inline *in,
               gsize   a_pos,
               gsize   a_len,
               gsize   b_pos,
               gsize   b_len)
{
  if (in->has_space)
    {
      /* The space held back joins the change on both sides. */
      in->has_space = FALSE;
      in->a1 = in->space_a + in->space_len;
      in->b1 = in->space_b + in->space_len;
    }
  if (!in->in_change)
    {
      in->in_change = TRUE;
      in->a0 = in->a1 = a_pos;
      in->b0 = in->b1 = b_pos;
    }
  in->a1 = MAX (in->a1, a_pos + a_len);
  in->b1 = MAX (in->b1, b_pos + b_len);
}

/* Matches the tokens of the two middles and adds them as pieces; FALSE (nothing added) when
 * that is too large. */
static gboolean
inline_tokens (Inline  *in,
               gsize    a0,
               gsize    a1,
               gsize    b0,
               gsize    b1,
               gboolean lines)
{
  GArray *(*split) (const char *, gsize) = lines ? _si_diff_split_lines : _si_diff_split_words;
  g_autoptr(GArray) ta = NULL;
  g_autoptr(GArray) tb = NULL;
  g_autofree gint *match = NULL;
  guint i = 0, j = 0;

  if (!lines)
    {
      guint64 na = count_words (in->a + a0, a1 - a0, MAX_WORD_CELLS);
      guint64 nb = count_words (in->b + b0, b1 - b0, MAX_WORD_CELLS / (na + 1));

      if ((na + 1) * (nb + 1) > MAX_WORD_CELLS)
        return FALSE;
    }
  ta = split (in->a + a0, a1 - a0);
  tb = split (in->b + b0, b1 - b0);
  match = g_new (gint, ta->len + 1);
  if (!_si_diff_match (ta, tb, match, MAX_WORD_CELLS))
    return FALSE;

  /* The match is in order: a token of @a matched with one of @b further on means @b's tokens
   * before it are @b's alone. */
  while (i < ta->len || j < tb->len)
    {
      const SiDiffToken *x = i < ta->len ? TOKEN (ta, i) : NULL;
      const SiDiffToken *y = j < tb->len ? TOKEN (tb, j) : NULL;

      if (x && y && match[i] == (gint) j)
        {
          inline_same (in, x->start - in->a, y->start - in->b, x->len, token_is_space (x));
          i++;
          j++;
        }
      else if (x && match[i] < 0)
        {
          inline_change (in, x->start - in->a, x->len, y ? (gsize) (y->start - in->b) : b1, 0);
          i++;
        }
      else
        {
          g_assert (y != NULL);
          inline_change (in, x ? (gsize) (x->start - in->a) : a1, 0, y->start - in->b, y->len);
          j++;
        }
    }
  return TRUE;
}

/**
 * si_diff_words_inline:
 * @a: a text (UTF-8; stray bytes are compared as they are), say an earlier version
 * @b: the text to compare it with, say the current one
 *
 * The two texts as one, for showing what turning @b into @a changes: in order, the stretches
 * both have (%SI_DIFF_SAME, offsets into @a) and at each change what only @b has
 * (%SI_DIFF_ONLY_B, offsets into @b) followed by what only @a has (%SI_DIFF_ONLY_A, offsets
 * into @a). The %SI_DIFF_SAME and %SI_DIFF_ONLY_A pieces put together are @a. Words are matched
 * as si_diff_words() matches them, within the same bounds (whole lines, then the whole changed
 * stretch, past them).
 *
 * Returns: (transfer full) (element-type SiDiffPiece): the pieces; none for two empty texts
 */
GArray *
si_diff_words_inline (const char *a,
                      const char *b)
{
  Inline in = { a, b, NULL };
  gsize la, lb, pre = 0, suf = 0;

  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  in.pieces = g_array_new (FALSE, FALSE, sizeof (SiDiffPiece));
  la = strlen (a);
  lb = strlen (b);
  while (pre < la && pre < lb && a[pre] == b[pre])
    pre++;
  if (pre == la && pre == lb)
    {
      add_piece (&in, SI_DIFF_SAME, 0, la);
      return in.pieces;
    }
  while (pre > 0 && !is_break (a[pre - 1]))
    pre--;
  while (suf < la - pre && suf < lb - pre && a[la - 1 - suf] == b[lb - 1 - suf])
    suf++;
  while (suf > 0 && !is_break (a[la - suf]))
    suf--;

  add_piece (&in, SI_DIFF_SAME, 0, pre);
  if (!inline_tokens (&in, pre, la - suf, pre, lb - suf, FALSE) &&
      !inline_tokens (&in, pre, la - suf, pre, lb - suf, TRUE))
    inline_change (&in, pre, la - suf - pre, pre, lb - suf - pre);
  flush_space (&in);
  flush_change (&in);
  add_piece (&in, SI_DIFF_SAME, la - suf, la);
  return in.pieces;
}
