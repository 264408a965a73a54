/* test-markdown-editing.c — the text logic of the editor's Markdown conveniences, without
 * widgets: what Enter, Tab, Ctrl+B/Ctrl+I, a click on a checkbox and Ctrl+click do to a line. */
#include "config.h"

#include <string.h>

#include "si-markdown-editing.h"

/* "|" marks the cursor in @before and in @after. */
static void
check_enter (const char *before,
             const char *after)
{
  const char *bar = strchr (before, '|');
  g_autoptr(GString) line = g_string_new (before);
  g_autofree char *new_line = NULL;
  gsize new_cursor = 0;
  gboolean done;

  g_assert_nonnull (bar);
  g_string_erase (line, bar - before, 1);
  done = si_markdown_enter (line->str, (gsize) (bar - before), &new_line, &new_cursor);
  if (after == NULL)
    {
      g_assert_false (done);
      return;
    }
  g_assert_true (done);
  {
    g_autoptr(GString) shown = g_string_new (new_line);

    g_string_insert_c (shown, (gssize) new_cursor, '|');
    g_assert_cmpstr (shown->str, ==, after);
  }
}

static void
test_enter_continues_lists (void)
{
  check_enter ("- milk|", "- milk\n- |");
  check_enter ("* milk|", "* milk\n* |");
  check_enter ("+ milk|", "+ milk\n+ |");
  check_enter ("1. first|", "1. first\n2. |");
  check_enter ("9) ninth|", "9) ninth\n10) |");
  check_enter ("- [ ] buy|", "- [ ] buy\n- [ ] |");
  check_enter ("- [x] done|", "- [x] done\n- [ ] |");
  check_enter ("  - nested|", "  - nested\n  - |");
  check_enter ("\t1. tabbed|", "\t1. tabbed\n\t2. |");
  check_enter ("> quoted|", "> quoted\n> |");
  check_enter ("> - in a quote|", "> - in a quote\n> - |");
  /* In the middle of an item, the rest moves into the next one. */
  check_enter ("- milk| and eggs", "- milk\n- |and eggs");
  check_enter ("- [ ] bü|ßen", "- [ ] bü\n- [ ] |ßen");
}

static void
test_enter_ends_lists (void)
{
  check_enter ("- |", "|");
  check_enter ("- [ ] |", "|");
  check_enter ("3. |", "|");
  check_enter ("    - |  ", "|");
  check_enter ("> - |", "> |");
  check_enter ("> |", "|");
}

static void
test_enter_elsewhere (void)
{
  check_enter ("plain text|", NULL);
  check_enter ("|- item", NULL);
  check_enter ("-| item", NULL);
  check_enter ("- [|x] item", NULL);
  check_enter ("**bold**|", NULL);
  check_enter ("-not a list|", NULL);
  check_enter ("1.5 is a number|", NULL);
  check_enter ("1234567890. too long a number|", NULL);
  check_enter ("|", NULL);
}

static void
check_indent (const char *line,
              gboolean    outdent,
              const char *expected)
{
  g_autofree char *new_line = NULL;

  if (expected == NULL)
    {
      g_assert_false (si_markdown_indent (line, outdent, &new_line));
      g_assert_null (new_line);
      return;
    }
  g_assert_true (si_markdown_indent (line, outdent, &new_line));
  g_assert_cmpstr (new_line, ==, expected);
}

static void
test_indent (void)
{
  check_indent ("- item", FALSE, "  - item");
  check_indent ("  - item", FALSE, "    - item");
  check_indent ("1. item", FALSE, "   1. item");
  check_indent ("- [ ] task", FALSE, "  - [ ] task");
  check_indent ("\t- item", FALSE, "\t\t- item");
  check_indent ("> - quoted", FALSE, ">   - quoted");
  check_indent ("    - item", TRUE, "  - item");
  check_indent (" - item", TRUE, "- item");
  check_indent ("\t\t- item", TRUE, "\t- item");
  check_indent ("- item", TRUE, NULL);
  check_indent ("plain", FALSE, NULL);
  check_indent ("  plain", TRUE, NULL);
  g_assert_true (si_markdown_is_list_item ("- a"));
  g_assert_true (si_markdown_is_list_item ("12) a"));
  g_assert_false (si_markdown_is_list_item ("a - b"));
}

static void
test_toggle_checkbox (void)
{
  const char *line = "  - [ ] buy milk";
  g_autofree char *on = NULL;
  g_autofree char *off = NULL;
  g_autofree char *none = NULL;

  for (gsize i = 0; line[i]; i++)
    {
      g_autofree char *new_line = NULL;
      gboolean on_box = i >= 4 && i <= 6;

      g_assert_cmpint (si_markdown_toggle_checkbox (line, i, &new_line), ==, on_box);
      if (on_box)
        g_assert_cmpstr (new_line, ==, "  - [x] buy milk");
    }
  g_assert_true (si_markdown_toggle_checkbox ("1. [X] done", 4, &off));
  g_assert_cmpstr (off, ==, "1. [ ] done");
  g_assert_true (si_markdown_toggle_checkbox ("- [ ]", 2, &on));
  g_assert_cmpstr (on, ==, "- [x]");
  g_assert_false (si_markdown_toggle_checkbox ("[ ] no item", 1, &none));
  g_assert_false (si_markdown_toggle_checkbox ("- [y] not a box", 3, &none));
  g_assert_false (si_markdown_toggle_checkbox ("- [ ]x", 3, &none));
  g_assert_null (none);
}

/* "[" and "]" mark the selection in @before and in @after; the delimiters around the selection
 * that the editor passes are the text beside it. */
static void
check_wrap (const char *text,
            const char *delimiter,
            const char *expected)
{
  const char *open = strchr (text, '[');
  const char *close = strchr (text, ']');
  g_autofree char *before = g_strndup (text, (gsize) (open - text));
  g_autofree char *selected = g_strndup (open + 1, (gsize) (close - open - 1));
  g_autofree char *new_text = NULL;
  g_autoptr(GString) shown = NULL;
  gsize start = 0, end = 0;

  si_markdown_wrap (before, selected, close + 1, delimiter, &new_text, &start, &end);
  shown = g_string_new (new_text);
  g_string_insert_c (shown, (gssize) end, ']');
  g_string_insert_c (shown, (gssize) start, '[');
  g_assert_cmpstr (shown->str, ==, expected);
}

static void
test_wrap (void)
{
  check_wrap ("a [word] b", SI_MARKDOWN_BOLD, "a **[word]** b");
  check_wrap ("a [word] b", SI_MARKDOWN_ITALIC, "a _[word]_ b");
  check_wrap ("a[ word ]b", SI_MARKDOWN_BOLD, "a **[word]** b");
  check_wrap ("ab[]cd", SI_MARKDOWN_BOLD, "ab**[]**cd");
  /* Already there: taken away, inside or around the selection. */
  check_wrap ("a [**word**] b", SI_MARKDOWN_BOLD, "a [word] b");
  check_wrap ("a **[word]** b", SI_MARKDOWN_BOLD, "a [word] b");
  check_wrap ("a _[word]_ b", SI_MARKDOWN_ITALIC, "a [word] b");
  check_wrap ("**[]**", SI_MARKDOWN_BOLD, "[]");
  /* Bold and italic do not take each other's delimiters. */
  check_wrap ("a **[word]** b", SI_MARKDOWN_ITALIC, "a **_[word]_** b");
  check_wrap ("a _[word]_ b", SI_MARKDOWN_BOLD, "a _**[word]**_ b");
  check_wrap ("[grüße]", SI_MARKDOWN_BOLD, "**[grüße]**");
}

static void
check_link (const char *line,
            const char *at,
            const char *expected)
{
  const char *where = strstr (line, at);
  g_autofree char *uri = NULL;

  g_assert_nonnull (where);
  uri = si_markdown_link_at (line, (gsize) (where - line));
  g_assert_cmpstr (uri, ==, expected);
}

static void
test_links (void)
{
  const char *md = "See [the docs](https://example.org/a_(b) \"Title\") now";

  check_link (md, "[the", "https://example.org/a_(b)");
  check_link (md, "docs", "https://example.org/a_(b)");
  check_link (md, "example", "https://example.org/a_(b)");
  check_link (md, "See", NULL);
  check_link (md, "now", NULL);
  check_link ("go to https://example.org/x.html.", "example", "https://example.org/x.html");
  check_link ("(see https://en.wikipedia.org/wiki/C_(language))", "wiki", "https://en.wikipedia.org/wiki/C_(language)");
  check_link ("(see https://example.org/)", "example", "https://example.org/");
  check_link ("write to mailto:a@example.org, or", "a@", "mailto:a@example.org");
  check_link ("<https://example.org/q?a=1&b=2> x", "q?", "https://example.org/q?a=1&b=2");
  check_link ("[local](file:///etc/passwd)", "local", "file:///etc/passwd");
  check_link ("xhttps://example.org", "example", NULL);
  check_link ("[a] [b](<https://example.org/x y>)", "b]", "https://example.org/x y");
  check_link ("[a] (not a link) https://example.org", "not", NULL);
}

static void
test_openable (void)
{
  g_assert_true (si_markdown_uri_is_openable ("https://example.org/a?b=c#d"));
  g_assert_true (si_markdown_uri_is_openable ("HTTP://example.org"));
  g_assert_true (si_markdown_uri_is_openable ("mailto:someone@example.org"));
  g_assert_false (si_markdown_uri_is_openable ("file:///etc/passwd"));
  g_assert_false (si_markdown_uri_is_openable ("javascript:alert(1)"));
  g_assert_false (si_markdown_uri_is_openable ("ssh://example.org"));
  g_assert_false (si_markdown_uri_is_openable ("x-custom:whatever"));
  g_assert_false (si_markdown_uri_is_openable ("https://"));
  g_assert_false (si_markdown_uri_is_openable ("https:///path"));
  g_assert_false (si_markdown_uri_is_openable ("mailto:"));
  g_assert_false (si_markdown_uri_is_openable ("https://example.org/x y"));
  g_assert_false (si_markdown_uri_is_openable ("https://exämple.org/"));
  g_assert_false (si_markdown_uri_is_openable ("/relative/path"));
  g_assert_false (si_markdown_uri_is_openable (""));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/markdown-editing/enter-continues-lists", test_enter_continues_lists);
  g_test_add_func ("/markdown-editing/enter-ends-lists", test_enter_ends_lists);
  g_test_add_func ("/markdown-editing/enter-elsewhere", test_enter_elsewhere);
  g_test_add_func ("/markdown-editing/indent", test_indent);
  g_test_add_func ("/markdown-editing/toggle-checkbox", test_toggle_checkbox);
  g_test_add_func ("/markdown-editing/wrap", test_wrap);
  g_test_add_func ("/markdown-editing/links", test_links);
  g_test_add_func ("/markdown-editing/openable", test_openable);

  return g_test_run ();
}
