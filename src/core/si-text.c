/* si-text.c — text as the lists show and search it.
 *
 * A preview is the start of an idea's Markdown as plain text on one line; tag names sort as a
 * person reads them (t2 before t10, case ignored); and Chinese, Japanese and Korean text gets
 * the character grams of the search index ideas_cjk (si-store-schema.c), because those scripts
 * do not put spaces between words and the main index splits words at spaces and punctuation.
 */
#define G_LOG_DOMAIN "saveidea-store"

#include "config.h"

#include <string.h>

#include "si-text.h"

/* Previews ---------------------------------------------------------------------------------- */

typedef struct {
  GString *out;
  guint    n_chars;
  guint    max_chars;
  gboolean space;      /* a space is due before the next character */
} Preview;

static gboolean
preview_full (const Preview *preview)
{
  return preview->n_chars >= preview->max_chars;
}

static void
preview_space (Preview *preview)
{
  preview->space = preview->out->len > 0;
}

static void
preview_append (Preview  *preview,
                gunichar  c)
{
  if (preview_full (preview))
    return;
  if (g_unichar_isspace (c))
    {
      preview_space (preview);
      return;
    }
  if (preview->space)
    {
      g_string_append_c (preview->out, ' ');
      preview->space = FALSE;
      if (++preview->n_chars >= preview->max_chars)
        return;
    }
  g_string_append_unichar (preview->out, c);
  preview->n_chars++;
}

/* Whether [p, end) holds only @c (at least three) and spaces: a rule, or a heading's underline. */
static gboolean
is_rule (const char *p,
         const char *end,
         char        c)
{
  guint n = 0;

  for (; p < end; p++)
    {
      if (*p == c)
        n++;
      else if (*p != ' ' && *p != '\t' && *p != '\r')
        return FALSE;
    }
  return n >= 3;
}

static gboolean
is_fence (const char *p,
          const char *end)
{
  return end - p >= 3 && (strncmp (p, "```", 3) == 0 || strncmp (p, "~~~", 3) == 0);
}

static const char *
skip_blanks (const char *p,
             const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  return p;
}

/* Past the block syntax at the start of a line: quotes, a heading's #s, a list item's marker
 * and its checkbox. */
static const char *
skip_block_markers (const char *p,
                    const char *end)
{
  const char *q;

  p = skip_blanks (p, end);
  while (p < end && *p == '>')
    p = skip_blanks (p + 1, end);

  for (q = p; q < end && *q == '#' && q - p < 6; q++)
    ;
  if (q > p && (q == end || *q == ' ' || *q == '\t'))
    return skip_blanks (q, end);

  q = p;
  if (q < end && (*q == '-' || *q == '*' || *q == '+'))
    q++;
  else
    {
      while (q < end && g_ascii_isdigit (*q) && q - p < 9)
        q++;
      if (q == p || q == end || (*q != '.' && *q != ')'))
        return p;
      q++;
    }
  if (q < end && *q != ' ' && *q != '\t')
    return p;
  q = skip_blanks (q, end);
  if (end - q >= 3 && q[0] == '[' && (q[1] == ' ' || q[1] == 'x' || q[1] == 'X') && q[2] == ']')
    q = skip_blanks (q + 3, end);
  return q;
}

/* "[name]: https://…", which defines a reference link and shows nothing. */
static gboolean
is_reference_definition (const char *p,
                         const char *end)
{
  const char *close;

  if (p == end || *p != '[' || !(close = memchr (p, ']', end - p)))
    return FALSE;
  return close > p + 1 && close + 1 < end && close[1] == ':';
}

/* How far a link's text or an autolink is looked for: each "[" or "<" that is not one would
 * otherwise read the rest of its line, for every such character the preview shows. */
#define LINK_SCAN_MAX 1024

/* The end of the link text that starts after @open ('['), or NULL when the bracket is not a
 * link's: a "]" followed by "(", "[" or nothing that makes it a link. */
static const char *
link_text_end (const char *open,
               const char *end)
{
  int depth = 0;

  if (end - open > LINK_SCAN_MAX)
    end = open + LINK_SCAN_MAX;

  for (const char *p = open; p < end; p++)
    {
      if (*p == '\\' && p + 1 < end)
        p++;
      else if (*p == '[')
        depth++;
      else if (*p == ']' && --depth == 0)
        return p + 1 < end && (p[1] == '(' || p[1] == '[') ? p : NULL;
    }
  return NULL;
}

/* Past the link's destination "(…)" or reference "[…]" that starts at @p. */
static const char *
skip_link_target (const char *p,
                  const char *end)
{
  char close = *p == '(' ? ')' : ']';
  int depth = 0;

  for (; p < end; p++)
    {
      if (*p == '(' && close == ')')
        depth++;
      else if (*p == close && (close == ']' || --depth == 0))
        return p + 1;
    }
  return end;
}

static gboolean
is_word_char (const char *p,
              const char *start,
              const char *end)
{
  return p >= start && p < end && g_unichar_isalnum (g_utf8_get_char (p));
}

/* One line's text, its inline syntax left out: emphasis, code spans, links (their text stays),
 * images (their description stays), autolinks (their address stays), escapes. */
static void
preview_inline (Preview    *preview,
                const char *p,
                const char *end)
{
  const char *start = p;
  /* The end of link texts being shown: their "]" and what follows is skipped. */
  const char *link_ends[8];
  guint n_links = 0;

  while (p < end && !preview_full (preview))
    {
      char c = *p;

      if (n_links > 0 && p == link_ends[n_links - 1])
        {
          p = skip_link_target (p + 1, end);
          n_links--;
          continue;
        }
      if (c == '\\' && p + 1 < end && g_ascii_ispunct (p[1]))
        {
          preview_append (preview, (guchar) p[1]);
          p += 2;
          continue;
        }
      if ((c == '[' || (c == '!' && p + 1 < end && p[1] == '[')) && n_links < G_N_ELEMENTS (link_ends))
        {
          const char *open = c == '!' ? p + 1 : p;
          const char *close = link_text_end (open, end);

          if (close)
            {
              link_ends[n_links++] = close;
              p = open + 1;
              continue;
            }
        }
      if (c == '<')
        {
          const char *close = memchr (p, '>', MIN (end - p, LINK_SCAN_MAX));

          if (close && (g_str_has_prefix (p + 1, "http://") || g_str_has_prefix (p + 1, "https://") ||
                        g_str_has_prefix (p + 1, "mailto:")))
            {
              for (const char *q = p + 1; q < close; q++)
                preview_append (preview, (guchar) *q);
              p = close + 1;
              continue;
            }
        }
      if (c == '`')
        {
          p++;
          continue;
        }
      if (c == '*' || c == '_' || c == '~')
        {
          const char *run = p;
          gboolean before, after;

          while (p < end && *p == c)
            p++;
          before = run > start && is_word_char (g_utf8_prev_char (run), start, end);
          after = is_word_char (p, start, end);
          /* snake_case and 2*3 stay as they are; a single ~ is text. */
          if ((c != '*' && before && after) || (c == '~' && p - run < 2) ||
              (run > start && run[-1] == ' ' && p < end && *p == ' '))
            for (const char *q = run; q < p; q++)
              preview_append (preview, (guchar) *q);
          continue;
        }
      preview_append (preview, g_utf8_get_char (p));
      p = g_utf8_next_char (p);
    }
}

/**
 * si_text_markdown_preview:
 * @text: (nullable): Markdown, valid UTF-8
 * @max_chars: at most this many characters
 *
 * The start of @text as plain text on one line, for a list: without headings' #s, quote and
 * list markers, checkboxes, rules, code fences, emphasis and code marks, link and image syntax
 * (the link's text stays), reference definitions and backslash escapes; whitespace runs become
 * one space. At most SI_TEXT_PREVIEW_MAX_INPUT bytes of @text are read, however long it is.
 *
 * Returns: (transfer full): the preview, "" when nothing is left
 */
char *
si_text_markdown_preview (const char *text,
                          guint       max_chars)
{
  Preview preview = { g_string_new (NULL), 0, max_chars, FALSE };
  const char *end, *p;
  gboolean in_fence = FALSE;

  if (text == NULL)
    return g_string_free (preview.out, FALSE);
  end = text + strnlen (text, SI_TEXT_PREVIEW_MAX_INPUT);
  /* Not in the middle of a character. */
  while (end > text && (guchar) *end >= 0x80 && (guchar) *end < 0xC0 && *end != '\0')
    end--;

  for (p = text; p < end && !preview_full (&preview);)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl ? nl : end;
      const char *content = skip_blanks (p, line_end);

      if (is_fence (content, line_end))
        in_fence = !in_fence;
      else if (in_fence)
        preview_inline (&preview, p, line_end), preview_space (&preview);
      else if (!is_rule (content, line_end, '-') && !is_rule (content, line_end, '*') &&
               !is_rule (content, line_end, '_') && !is_rule (content, line_end, '=') &&
               !is_reference_definition (content, line_end))
        {
          preview_inline (&preview, skip_block_markers (content, line_end), line_end);
          preview_space (&preview);
        }
      p = nl ? nl + 1 : end;
    }
  return g_string_free (preview.out, FALSE);
}

/* Natural order ----------------------------------------------------------------------------- */

/**
 * si_text_natural_compare:
 *
 * Compares two names as a person reads them: case ignored, and runs of digits by their value
 * ("t2" before "t10", "t02" next to "t2"); names that differ only in case or leading zeros are
 * ordered by their bytes, so that the order is total.
 *
 * Returns: < 0, 0 or > 0, as strcmp()
 */
int
si_text_natural_compare (const char *a,
                         const char *b)
{
  const char *p = a, *q = b;

  while (*p && *q)
    {
      if (g_ascii_isdigit (*p) && g_ascii_isdigit (*q))
        {
          const char *p_end, *q_end;
          gsize p_len, q_len;
          int cmp;

          while (*p == '0' && g_ascii_isdigit (p[1]))
            p++;
          while (*q == '0' && g_ascii_isdigit (q[1]))
            q++;
          for (p_end = p; g_ascii_isdigit (*p_end); p_end++)
            ;
          for (q_end = q; g_ascii_isdigit (*q_end); q_end++)
            ;
          p_len = p_end - p;
          q_len = q_end - q;
          if (p_len != q_len)
            return p_len < q_len ? -1 : 1;
          if ((cmp = memcmp (p, q, p_len)) != 0)
            return cmp;
          p = p_end;
          q = q_end;
          continue;
        }
      {
        gunichar x = g_unichar_tolower (g_utf8_get_char (p));
        gunichar y = g_unichar_tolower (g_utf8_get_char (q));

        if (x != y)
          return x < y ? -1 : 1;
        p = g_utf8_next_char (p);
        q = g_utf8_next_char (q);
      }
    }
  if (*p || *q)
    return *p ? 1 : -1;
  return strcmp (a, b);
}

/* Chinese, Japanese and Korean -------------------------------------------------------------- */

/* The characters of words in Chinese, Japanese and Korean text: Han, kana (with the prolonged
 * sound mark and the iteration marks), Hangul, Bopomofo. A fixed table, never GLib's Unicode
 * data, which changes between versions: the grams of a text must stay exactly what they were
 * when it was indexed, for the index to delete them (si-store-schema.c). */
static const struct { gunichar first, last; } cjk_ranges[] = {
  { 0x1100, 0x11FF },     /* Hangul Jamo */
  { 0x2E80, 0x2FDF },     /* CJK radicals, Kangxi radicals */
  { 0x3005, 0x3007 },     /* 々 〆 〇 */
  { 0x3021, 0x3029 },     /* Hangzhou numerals */
  { 0x3031, 0x3035 },     /* kana repeat marks */
  { 0x303B, 0x303C },
  { 0x3041, 0x3096 },     /* Hiragana */
  { 0x309D, 0x309F },
  { 0x30A1, 0x30FA },     /* Katakana */
  { 0x30FC, 0x30FF },     /* ー and the iteration marks */
  { 0x3105, 0x312F },     /* Bopomofo */
  { 0x3131, 0x318E },     /* Hangul compatibility Jamo */
  { 0x31A0, 0x31BF },     /* Bopomofo extended */
  { 0x31F0, 0x31FF },     /* Katakana phonetic extensions */
  { 0x3400, 0x4DBF },     /* CJK extension A */
  { 0x4E00, 0x9FFF },     /* CJK unified ideographs */
  { 0xA960, 0xA97F },     /* Hangul Jamo extended A */
  { 0xAC00, 0xD7FF },     /* Hangul syllables, Jamo extended B */
  { 0xF900, 0xFAFF },     /* CJK compatibility ideographs */
  { 0xFF66, 0xFF9F },     /* half-width Katakana */
  { 0x1B000, 0x1B16F },   /* Kana supplement and extensions */
  { 0x20000, 0x3FFFD },   /* CJK extensions B and later */
};

/**
 * si_text_is_cjk:
 *
 * Returns: whether @c is a character of Chinese, Japanese or Korean words
 */
gboolean
si_text_is_cjk (gunichar c)
{
  guint lo = 0, hi = G_N_ELEMENTS (cjk_ranges);

  if (c < cjk_ranges[0].first)
    return FALSE;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (c < cjk_ranges[mid].first)
        hi = mid;
      else if (c > cjk_ranges[mid].last)
        lo = mid + 1;
      else
        return TRUE;
    }
  return FALSE;
}

/* The character at @p (before @end) and its length; a byte that does not start a valid
 * character is a character of its own that is not CJK. Every CJK character is encoded with a
 * first byte of 0xE1 or more: anything below is stepped over a byte at a time. */
static gunichar
next_char (const char *p,
           const char *end,
           gsize      *len)
{
  gunichar c;

  *len = 1;
  if ((guchar) *p < 0xE1)
    return (guchar) *p;
  c = g_utf8_get_char_validated (p, end - p);
  if (c == (gunichar) -1 || c == (gunichar) -2)
    return 0;
  *len = g_utf8_next_char (p) - p;
  return c;
}

/**
 * si_text_has_cjk:
 * @length: the length of @text in bytes, or -1 when it ends with a NUL
 *
 * Returns: whether @text holds a character of Chinese, Japanese or Korean words
 */
gboolean
si_text_has_cjk (const char *text,
                 gssize      length)
{
  const char *end;
  gsize len;

  if (text == NULL)
    return FALSE;
  end = text + (length < 0 ? strlen (text) : (gsize) length);
  for (const char *p = text; p < end; p += len)
    if (si_text_is_cjk (next_char (p, end, &len)))
      return TRUE;
  return FALSE;
}

/**
 * si_text_cjk_grams:
 * @text: (nullable): text, which need not be valid UTF-8 (invalid bytes separate words)
 * @length: the length of @text in bytes, or -1 when it ends with a NUL
 *
 * What the search index ideas_cjk holds for @text: for every run of CJK characters
 * c1 c2 … cn, its bigrams "c1c2 c2c3 … cn-1cn" and then "cn", separated by spaces. A word of
 * two or more characters anywhere in a run is then a phrase of its bigrams, and a single
 * character is a prefix of a bigram, or the run's last character.
 *
 * This is part of the search index's format: a change needs a schema migration that fills
 * ideas_cjk again.
 *
 * Returns: (transfer full): the grams, "" when @text has no CJK character
 */
char *
si_text_cjk_grams (const char *text,
                   gssize      length)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *end, *prev = NULL;
  gsize len = 1, prev_len = 0;

  if (text == NULL)
    return g_strdup ("");
  end = text + (length < 0 ? strlen (text) : (gsize) length);
  for (const char *p = text; p <= end; p += len)
    {
      gunichar c = 0;

      len = 1;
      if (p < end)
        c = next_char (p, end, &len);
      if (si_text_is_cjk (c))
        {
          if (prev)
            {
              g_string_append_len (out, prev, prev_len);
              g_string_append_len (out, p, len);
              g_string_append_c (out, ' ');
            }
          prev = p;
          prev_len = len;
        }
      else if (prev)
        {
          g_string_append_len (out, prev, prev_len);
          g_string_append_c (out, ' ');
          prev = NULL;
        }
    }
  if (out->len > 0)
    g_string_truncate (out, out->len - 1);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
