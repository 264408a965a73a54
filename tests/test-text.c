/* test-text.c — previews without Markdown, the natural order of names, CJK grams (si-text.c). */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "si-i18n.h"
#include "si-idea.h"
#include "si-text.h"

static void
assert_preview (const char *markdown,
                const char *expected)
{
  g_autofree char *preview = si_text_markdown_preview (markdown, 200);

  g_assert_cmpstr (preview, ==, expected);
}

static void
test_preview_blocks (void)
{
  assert_preview ("# Home lab\n## Hardware\n- a switch\n- two mini PCs\n", "Home lab Hardware a switch two mini PCs");
  assert_preview ("1. first\n2) second\n   10. tenth", "first second tenth");
  assert_preview ("- [ ] buy milk\n- [x] call Anna\n* [X] done\n+ plus", "buy milk call Anna done plus");
  assert_preview ("> quoted\n> > twice\n>no space", "quoted twice no space");
  assert_preview ("Title\n=====\n\nText\n---\n***\n_ _ _\nend", "Title Text end");
  assert_preview ("```c\nint x = 1;\n```\nafter\n~~~\ntilde\n~~~", "int x = 1; after tilde");
  assert_preview ("[home]: https://example.org\nsee [home]", "see [home]");
  assert_preview ("#hashtag and #5 stay", "#hashtag and #5 stay");
  assert_preview ("-not a list and 3.5 is a number", "-not a list and 3.5 is a number");
  assert_preview ("   \n\n  \t", "");
  assert_preview (NULL, "");
}

static void
test_preview_inline (void)
{
  assert_preview ("**bold**, *it*, __b__, _i_ and ~~gone~~", "bold, it, b, i and gone");
  assert_preview ("snake_case_name and 2 * 3 and a~b", "snake_case_name and 2 * 3 and a~b");
  assert_preview ("run `make check` now", "run make check now");
  assert_preview ("see [the docs](https://example.org/a_(b)) and ![a cat](cat.png)", "see the docs and a cat");
  assert_preview ("ref [text][1] and [plain] brackets", "ref text and [plain] brackets");
  assert_preview ("<https://example.org> and <b>", "https://example.org and <b>");
  assert_preview ("\\*not emphasis\\* and a \\[bracket", "*not emphasis* and a [bracket");
  assert_preview ("# 東京の**旅行**メモ", "東京の旅行メモ");
}

static void
test_preview_bounded (void)
{
  gsize size = 1024 * 1024;
  g_autofree char *big = g_malloc (size + 1);
  g_autofree char *preview = NULL;
  g_autofree char *hashes = NULL;

  /* A body of 1 MiB: the preview has at most its characters. */
  for (gsize i = 0; i < size; i++)
    big[i] = "word "[i % 5];
  big[size] = '\0';
  preview = si_text_markdown_preview (big, 200);
  g_assert_cmpuint (g_utf8_strlen (preview, -1), ==, 200);
  g_clear_pointer (&preview, g_free);

  /* 1 MiB of syntax that shows nothing, and of one long link: nothing, quickly. */
  for (gsize i = 0; i < size; i++)
    big[i] = "#\n"[i % 2];
  preview = si_text_markdown_preview (big, 200);
  g_assert_cmpstr (preview, ==, "");
  g_clear_pointer (&preview, g_free);
  big[0] = '[';
  memset (big + 1, 'a', size - 1);
  preview = si_text_markdown_preview (big, 200);
  g_assert_cmpuint (g_utf8_strlen (preview, -1), ==, 200);
  g_clear_pointer (&preview, g_free);

  /* Brackets and angle brackets that open nothing: each is looked at within a bound. */
  memset (big, '[', size);
  preview = si_text_markdown_preview (big, 200);
  g_assert_cmpuint (strlen (preview), ==, 200);
  g_clear_pointer (&preview, g_free);
  memset (big, '<', size);
  preview = si_text_markdown_preview (big, 200);
  g_assert_cmpuint (strlen (preview), ==, 200);
  g_clear_pointer (&preview, g_free);

  /* Cut in the middle of a character at the input bound: the character is left out whole. */
  hashes = g_strnfill (SI_TEXT_PREVIEW_MAX_INPUT - 1, '\n');
  g_free (big);
  big = g_strconcat (hashes, "旅", NULL);
  preview = si_text_markdown_preview (big, 200);
  g_assert_true (g_utf8_validate (preview, -1, NULL));
  g_assert_cmpstr (preview, ==, "");
}

/* What a list row shows of an idea: its title and a preview, without Markdown. */
static void
test_idea_preview (void)
{
  g_autoptr(SiIdea) titled = si_idea_new ("Home lab", "# Home lab\n## Hardware\n- a switch\n- [ ] rack");
  g_autoptr(SiIdea) untitled = si_idea_new ("", "\n## Packing *list*\n1. socks\n2. [tickets](https://example.org)");
  g_autoptr(SiIdea) rule = si_idea_new ("", "---\nafter the rule");
  g_autofree char *snippet = si_idea_dup_snippet (titled, 160);
  g_autofree char *title = si_idea_dup_display_title (untitled);
  g_autofree char *untitled_snippet = si_idea_dup_snippet (untitled, 160);
  g_autofree char *rule_title = si_idea_dup_display_title (rule);
  g_autofree char *short_snippet = si_idea_dup_snippet (titled, 8);

  /* The heading that repeats the title is not shown twice. */
  g_assert_cmpstr (snippet, ==, "Hardware a switch rack");
  g_assert_cmpstr (title, ==, "Packing list");
  g_assert_cmpstr (untitled_snippet, ==, "socks tickets");
  /* A first line that is all syntax is the title as it is. */
  g_assert_cmpstr (rule_title, ==, "---");
  g_assert_cmpstr (short_snippet, ==, "Hardware");
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return si_text_natural_compare (*(const char * const *) a, *(const char * const *) b);
}

static void
test_natural_order (void)
{
  const char *names[] = { "t10", "T2", "t1", "b", "A", "t0", "t02", "t2", "Z9", "z10", "ä" };
  const char *expected[] = { "A", "b", "t0", "t1", "T2", "t02", "t2", "t10", "Z9", "z10", "ä" };

  qsort (names, G_N_ELEMENTS (names), sizeof names[0], compare_names);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpstr (names[i], ==, expected[i]);
  g_assert_cmpint (si_text_natural_compare ("x", "x"), ==, 0);
  g_assert_cmpint (si_text_natural_compare ("x", "x1"), <, 0);
  g_assert_cmpint (si_text_natural_compare ("99999999999999999999", "100000000000000000000"), <, 0);
}

static void
test_cjk_grams (void)
{
  struct { const char *text, *grams; } cases[] = {
    { "東京の旅行メモ", "東京 京の の旅 旅行 行メ メモ モ" },
    { "旅", "旅" },
    { "Trip to 東京, then ソウル and 서울에서", "東京 京 ソウ ウル ル 서울 울에 에서 서" },
    { "plain text only", "" },
    { "", "" },
    { "ラーメン", "ラー ーメ メン ン" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *grams = si_text_cjk_grams (cases[i].text, -1);

      g_assert_cmpstr (grams, ==, cases[i].grams);
      g_assert_true (si_text_has_cjk (cases[i].text, -1) == (cases[i].grams[0] != '\0'));
    }
  /* Bytes that are not UTF-8 separate runs and never end up in a gram. */
  {
    g_autofree char *grams = si_text_cjk_grams ("東\xff京\xe6\x9d", -1);

    g_assert_cmpstr (grams, ==, "東 京");
  }
  g_assert_false (si_text_is_cjk ('a'));
  g_assert_false (si_text_is_cjk (0x30FB));   /* ・ separates words */
  g_assert_true (si_text_is_cjk (0x30FC));    /* ー is part of them */
  g_assert_true (si_text_is_cjk (0x20B9F));   /* 𠮟, outside the BMP */
}

/* Compiles @locales into a temporary folder and has glibc look for locales there only: the
 * system may have none but C (glibc also remembers a locale it did not find, so this is done
 * before any is asked for). */
static void
compile_locales (const char * const *locales)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "locales", NULL);

  g_mkdir_with_parents (dir, 0700);
  for (guint i = 0; locales[i]; i++)
    {
      g_autofree char *source = g_strndup (locales[i], strcspn (locales[i], "."));
      g_autofree char *target = g_build_filename (dir, locales[i], NULL);
      const char *argv[] = { "localedef", "-i", source, "-f", "UTF-8", target, NULL };

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                    G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    }
  g_setenv ("LOCPATH", dir, TRUE);
}

/* Switches to @locale; FALSE (the test skipped) when it cannot be had here. */
static gboolean
use_locale (const char *locale)
{
  if (setlocale (LC_ALL, locale))
    return TRUE;
  g_test_skip_printf ("the locale %s is not available here", locale);
  return FALSE;
}

static void
assert_count (guint       n,
              const char *expected)
{
  g_autofree char *text = si_format_count (n);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_count_grouping (void)
{
  const char * const locales[] = { "de_DE.UTF-8", "en_IN.UTF-8", NULL };
  g_autofree char *of = NULL;

  compile_locales (locales);
  setlocale (LC_ALL, "C");
  assert_count (0, "0");
  assert_count (999, "999");
  assert_count (100000, "100,000");
  assert_count (G_MAXUINT, "4,294,967,295");
  of = si_format_idea_count (500, 2345);
  g_assert_cmpstr (of, ==, "500 of 2,345 ideas");
  g_clear_pointer (&of, g_free);
  of = si_format_idea_count (1, 1);
  g_assert_cmpstr (of, ==, "1 idea");
  g_clear_pointer (&of, g_free);

  if (use_locale ("de_DE.UTF-8"))
    {
      assert_count (100000, "100.000");
      assert_count (999, "999");
    }
  if (use_locale ("en_IN.UTF-8"))
    {
      assert_count (100000, "1,00,000");
      assert_count (12345678, "1,23,45,678");
    }
  setlocale (LC_ALL, "C");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/text/preview/blocks", test_preview_blocks);
  g_test_add_func ("/text/preview/inline", test_preview_inline);
  g_test_add_func ("/text/preview/bounded", test_preview_bounded);
  g_test_add_func ("/text/preview/idea", test_idea_preview);
  g_test_add_func ("/text/natural-order", test_natural_order);
  g_test_add_func ("/text/cjk-grams", test_cjk_grams);
  g_test_add_func ("/text/count-grouping", test_count_grouping);
  return g_test_run ();
}
