/* test-diff.c — the word diff the Compare window highlights with. */
#include "config.h"

#include <string.h>

#include "si-diff.h"

/* The spans of @text, as "[word]" marks around what differs. */
static char *
marked (const char *text,
        GArray     *spans)
{
  GString *out = g_string_new (NULL);
  gsize at = 0;

  for (guint i = 0; i < spans->len; i++)
    {
      SiDiffSpan *span = &g_array_index (spans, SiDiffSpan, i);

      g_assert_cmpuint (span->start, >=, at);
      g_assert_cmpuint (span->end, >, span->start);
      g_assert_cmpuint (span->end, <=, strlen (text));
      g_string_append_len (out, text + at, span->start - at);
      g_string_append_c (out, '[');
      g_string_append_len (out, text + span->start, span->end - span->start);
      g_string_append_c (out, ']');
      at = span->end;
    }
  g_string_append (out, text + at);
  return g_string_free (out, FALSE);
}

static void
check (const char *a,
       const char *b,
       const char *want_a,
       const char *want_b)
{
  g_autoptr(GArray) sa = NULL;
  g_autoptr(GArray) sb = NULL;
  g_autofree char *got_a = NULL;
  g_autofree char *got_b = NULL;

  si_diff_words (a, b, &sa, &sb);
  got_a = marked (a, sa);
  got_b = marked (b, sb);
  g_assert_cmpstr (got_a, ==, want_a);
  g_assert_cmpstr (got_b, ==, want_b);
}

static void
test_words (void)
{
  check ("", "", "", "");
  check ("same text", "same text", "same text", "same text");
  check ("", "new", "", "[new]");
  check ("old", "", "[old]", "");
  /* One word changed: only that word, not its neighbours nor a part of it. */
  check ("Day 1: museum\nDay 2: beach", "Day 1: hike\nDay 2: beach",
         "Day 1: [museum]\nDay 2: beach", "Day 1: [hike]\nDay 2: beach");
  check ("the cat sat", "the cats sat", "the [cat] sat", "the [cats] sat");
  /* Words added and taken away, on both sides. */
  check ("buy milk and eggs", "buy oat milk and bread",
         "buy milk and [eggs]", "buy [oat] milk and [bread]");
  /* Neighbouring changed words are one span, across the space between them. */
  check ("a red big dog", "a blue small dog", "a [red big] dog", "a [blue small] dog");
  /* Punctuation is its own token. */
  check ("Hello, world.", "Hello; world!", "Hello[,] world[.]", "Hello[;] world[!]");
  /* Words in other scripts, with combining marks, are whole words. */
  check ("Grüße an Zoë", "Grüße an Chloé", "Grüße an [Zoë]", "Grüße an [Chloé]");
  check ("日本 語", "日本 文", "日本 [語]", "日本 [文]");
  /* A moved line: kept on one side, the other side's changes only. */
  check ("one\ntwo\nthree\n", "two\nthree\none\n", "[one]\ntwo\nthree\n", "two\nthree\n[one]\n");
  /* A change that is only white space still shows. */
  check ("a b", "a  b", "a b", "a [ ]b");
}

/* Stray bytes that are not UTF-8 are compared as they are, without reading past the end. */
static void
test_bad_utf8 (void)
{
  check ("ab \xff\xfe cd", "ab \xff cd", "ab \xff[\xfe] cd", "ab \xff cd");
  check ("x \xc3", "x \xc3\xa9", "x [\xc3]", "x [\xc3\xa9]");
}

static char *
numbered_lines (guint       n,
                guint       words,
                const char *first,
                const char *last)
{
  GString *text = g_string_new (first);

  for (guint i = 0; i < n; i++)
    {
      for (guint w = 0; w < words; w++)
        g_string_append_printf (text, "%sw%u_%u", w ? " " : "", i, w);
      g_string_append_c (text, '\n');
    }
  g_string_append (text, last);
  return g_string_free (text, FALSE);
}

/* Too many words to match one by one: whole lines are compared instead. */
static void
test_falls_back_to_lines (void)
{
  g_autofree char *body = numbered_lines (300, 60, "", "");
  g_autofree char *a = g_strconcat ("first A\n", body, "last A", NULL);
  g_autofree char *b = g_strconcat ("first B\n", body, "last B", NULL);
  g_autoptr(GArray) sa = NULL;
  g_autoptr(GArray) sb = NULL;
  SiDiffSpan *span;

  si_diff_words (a, b, &sa, &sb);
  /* The changed lines are marked whole (without their '\n'), the lines between not at all. */
  g_assert_cmpuint (sa->len, ==, 2);
  g_assert_cmpuint (sb->len, ==, 2);
  span = &g_array_index (sa, SiDiffSpan, 0);
  g_assert_cmpuint (span->start, ==, strlen ("first "));
  g_assert_cmpuint (span->end, ==, strlen ("first A"));
  span = &g_array_index (sb, SiDiffSpan, 1);
  g_assert_cmpuint (span->start, ==, strlen (b) - strlen ("last B"));
  g_assert_cmpuint (span->end, ==, strlen (b));
}

/* A 1 MiB body changed at both ends, every line different: past both bounds, the whole stretch
 * between the common beginning and end is one span, and the answer comes at once. */
static void
test_large_bounded (void)
{
  GString *a = g_string_new ("start A\n");
  GString *b = g_string_new ("start B\n");
  g_autoptr(GArray) sa = NULL;
  g_autoptr(GArray) sb = NULL;
  g_autofree char *text_a = NULL;
  g_autofree char *text_b = NULL;

  for (guint i = 0; a->len < 1024 * 1024; i++)
    {
      g_string_append_printf (a, "line %u of the first\n", i);
      g_string_append_printf (b, "line %u of the second\n", i);
    }
  text_a = g_string_free (a, FALSE);
  text_b = g_string_free (b, FALSE);

  si_diff_words (text_a, text_b, &sa, &sb);
  g_assert_cmpuint (sa->len, ==, 1);
  g_assert_cmpuint (sb->len, ==, 1);
  g_assert_cmpuint (g_array_index (sa, SiDiffSpan, 0).start, ==, strlen ("start "));
  g_assert_cmpuint (g_array_index (sa, SiDiffSpan, 0).end, ==, strlen (text_a) - 1);
  g_assert_cmpuint (g_array_index (sb, SiDiffSpan, 0).end, ==, strlen (text_b) - 1);

  /* The same body with one word changed in the middle: that word alone. */
  {
    g_autofree char *c = g_strdup (text_a);
    char *middle = strstr (c + strlen (c) / 2, "first");
    g_autoptr(GArray) sc = NULL;
    g_autoptr(GArray) sd = NULL;

    memcpy (middle, "FIRST", 5);
    si_diff_words (text_a, c, &sc, &sd);
    g_assert_cmpuint (sc->len, ==, 1);
    g_assert_cmpuint (sd->len, ==, 1);
    g_assert_cmpuint (g_array_index (sd, SiDiffSpan, 0).start, ==, (gsize) (middle - c));
    g_assert_cmpuint (g_array_index (sd, SiDiffSpan, 0).end, ==, (gsize) (middle - c) + 5);
  }
}


/* An inline diff as "{only b}" and "[only a]" marks in @a's text; asserts that the pieces put
 * @a together exactly, in order, and point inside @b. */
static char *
inline_marked (const char *a,
               const char *b)
{
  g_autoptr(GArray) pieces = si_diff_words_inline (a, b);
  GString *out = g_string_new (NULL);
  GString *again = g_string_new (NULL);
  gsize b_at = 0;

  for (guint i = 0; i < pieces->len; i++)
    {
      SiDiffPiece *piece = &g_array_index (pieces, SiDiffPiece, i);
      const char *text = piece->kind == SI_DIFF_ONLY_B ? b : a;

      g_assert_cmpuint (piece->end, >, piece->start);
      g_assert_cmpuint (piece->end, <=, strlen (text));
      if (piece->kind == SI_DIFF_ONLY_B)
        {
          g_assert_cmpuint (piece->start, >=, b_at);
          b_at = piece->end;
          g_string_append_c (out, '{');
        }
      else
        {
          g_assert_cmpuint (piece->start, ==, again->len);
          g_string_append_len (again, a + piece->start, piece->end - piece->start);
          if (piece->kind == SI_DIFF_ONLY_A)
            g_string_append_c (out, '[');
        }
      g_string_append_len (out, text + piece->start, piece->end - piece->start);
      if (piece->kind == SI_DIFF_ONLY_B)
        g_string_append_c (out, '}');
      else if (piece->kind == SI_DIFF_ONLY_A)
        g_string_append_c (out, ']');
    }
  g_assert_cmpstr (again->str, ==, a);
  g_string_free (again, TRUE);
  return g_string_free (out, FALSE);
}

#define CHECK_INLINE(a, b, want) \
  G_STMT_START { \
    g_autofree char *got_ = inline_marked ((a), (b)); \
    g_assert_cmpstr (got_, ==, (want)); \
  } G_STMT_END

/* What turning the current text (b) into an earlier version (a) takes, in one text: what goes,
 * then what comes, at each change. */
static void
test_inline (void)
{
  CHECK_INLINE ("", "", "");
  CHECK_INLINE ("same text", "same text", "same text");
  CHECK_INLINE ("", "new", "{new}");
  CHECK_INLINE ("old", "", "[old]");
  CHECK_INLINE ("x big dog", "x dog", "x [big] dog");
  CHECK_INLINE ("x dog", "x big dog", "x {big }dog");
  /* A change of neighbouring words is one change, not a patchwork. */
  CHECK_INLINE ("red big dog", "blue small dog", "{blue small}[red big] dog");
  CHECK_INLINE ("Day 1: museum\nDay 2: beach", "Day 1: hike\nDay 2: beach",
                "Day 1: {hike}[museum]\nDay 2: beach");
  CHECK_INLINE ("Plant tomatoes in May", "Plant beans in June", "Plant {beans}[tomatoes] in {June}[May]");
  CHECK_INLINE ("Grüße aus Köln", "Grüße aus Bonn", "Grüße aus {Bonn}[Köln]");
  CHECK_INLINE ("a \xff b", "a b", "a [\xff] b");
}

/* Past the word bound, whole lines; past that, the whole changed stretch: still the pieces put
 * the text together. */
static void
test_inline_large (void)
{
  GString *a = g_string_new (NULL), *b = g_string_new (NULL);
  g_autofree char *got = NULL;

  for (guint i = 0; i < 3000; i++)
    {
      g_string_append_printf (a, "alpha%u ", i);
      g_string_append_printf (b, "beta%u ", i);
    }
  got = inline_marked (a->str, b->str);
  g_assert_true (g_str_has_prefix (got, "{beta0 "));
  g_string_free (a, TRUE);
  g_string_free (b, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/diff/words", test_words);
  g_test_add_func ("/diff/bad-utf8", test_bad_utf8);
  g_test_add_func ("/diff/falls-back-to-lines", test_falls_back_to_lines);
  g_test_add_func ("/diff/large-bounded", test_large_bounded);
  g_test_add_func ("/diff/inline", test_inline);
  g_test_add_func ("/diff/inline-large", test_inline_large);
  return g_test_run ();
}
