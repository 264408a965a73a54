/* test-app-source.c — the idea's text as GtkSourceView edits it: Markdown highlighted, the style
 * scheme following the dark style, find and replace, the word count, and the undo history of
 * one idea kept through autosaves and changes from elsewhere. */
#include "config.h"

#include <gtksourceview/gtksource.h>

#include "si-test-app.h"

static SiEditor *
open_idea (Fixture *f,
           SiIdea  *idea)
{
  if (f->window == NULL)
    open_window (f, NULL);
  si_window_open_idea (f->window, si_idea_get_id (idea));
  WAIT_FOR (si_window_get_current_id (f->window) == si_idea_get_id (idea));
  return _si_window_get_editor (f->window);
}

/* Markdown ------------------------------------------------------------------------------------- */

static void
test_markdown_highlighted (Fixture       *f,
                           gconstpointer  data)
{
  static const char body[] = "# A heading\n"
                             "\n"
                             "Some *emphasis* and a [link text](https://example.org).\n"
                             "- a list item\n"
                             "- [ ] a task\n"
                             "Plain words.";
  g_autoptr(SiIdea) idea = add_idea (f->store, "Markdown", body);
  g_autoptr(SiIdea) stored = NULL;
  SiEditor *editor = open_idea (f, idea);
  GtkTextBuffer *buffer = _si_editor_get_body_buffer (editor);
  GtkSourceLanguage *language;
  GtkTextIter start, end;

  g_assert_true (GTK_SOURCE_IS_BUFFER (buffer));
  language = gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (buffer));
  g_assert_nonnull (language);
  g_assert_cmpstr (gtk_source_language_get_id (language), ==, "saveidea-markdown");
  g_assert_true (gtk_source_buffer_get_highlight_syntax (GTK_SOURCE_BUFFER (buffer)));

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_source_buffer_ensure_highlight (GTK_SOURCE_BUFFER (buffer), &start, &end);
  g_assert_true (look_at (buffer, "A heading") & LOOK_BOLD);
  g_assert_true (look_at (buffer, "emphasis") & LOOK_ITALIC);
  g_assert_true (look_at (buffer, "link text") & LOOK_COLOURED);
  g_assert_true (look_at (buffer, "https://example.org") & LOOK_COLOURED);
  g_assert_true (look_at (buffer, "- a list") & LOOK_COLOURED);
  /* The task's box, which the stock language leaves plain. */
  g_assert_true (look_at (buffer, "[ ] a task") & LOOK_COLOURED);
  g_assert_true (look_at (buffer, " ] a task") & LOOK_COLOURED);
  g_assert_cmpint (look_at (buffer, "Plain"), ==, 0);
  g_assert_cmpint (look_at (buffer, "a task"), ==, 0);

  /* Highlighting is only on screen: the store keeps the text as typed. */
  gtk_text_buffer_insert (buffer, &end, "\n**more**", -1);
  WAIT_FOR (!si_editor_has_pending (editor));
  stored = si_store_get_idea (f->store, si_idea_get_id (idea), NULL);
  g_assert_true (g_str_has_suffix (si_idea_get_body (stored), "Plain words.\n**more**"));
}

static const char *
scheme_id (SiEditor *editor)
{
  GtkSourceStyleScheme *scheme = gtk_source_buffer_get_style_scheme (GTK_SOURCE_BUFFER (_si_editor_get_body_buffer (editor)));

  return scheme ? gtk_source_style_scheme_get_id (scheme) : NULL;
}

static void
test_scheme_follows_dark_style (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(SiIdea) idea = add_idea (f->store, "Night", "# Dark");
  AdwStyleManager *style = adw_style_manager_get_default ();
  SiEditor *editor;

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  editor = open_idea (f, idea);
  g_assert_cmpstr (scheme_id (editor), ==, "Adwaita");

  /* Live, with the idea open. */
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  WAIT_FOR (g_strcmp0 (scheme_id (editor), "Adwaita-dark") == 0);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  WAIT_FOR (g_strcmp0 (scheme_id (editor), "Adwaita") == 0);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

/* Find and replace ----------------------------------------------------------------------------- */

static gboolean
count_is (SiFindBar  *bar,
          const char *text)
{
  return g_strcmp0 (_si_find_bar_get_count_text (bar), text) == 0;
}

static char *
selected_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  if (!gtk_text_buffer_get_selection_bounds (buffer, &start, &end))
    return g_strdup ("");
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
test_find_and_replace (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SiIdea) idea = add_idea (f->store, "Pets", "Cat, dog, cat, bird, CAT.");
  g_autoptr(SiIdea) stored = NULL;
  SiEditor *editor = open_idea (f, idea);
  GtkTextBuffer *buffer = _si_editor_get_body_buffer (editor);
  SiFindBar *bar = _si_editor_get_find_bar (editor);
  GtkWidget *focus;
  GtkTextIter start;
  g_autofree char *selected = NULL;

  gtk_window_present (GTK_WINDOW (f->window));
  si_editor_focus_body (editor);
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
  g_assert_false (si_find_bar_is_open (bar));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.find", NULL));
  g_assert_true (si_find_bar_is_open (bar));
  focus = gtk_root_get_focus (GTK_ROOT (f->window));
  g_assert_true (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (_si_find_bar_get_search_entry (bar))));

  /* As you type, the first match is selected; case does not matter. */
  gtk_editable_set_text (_si_find_bar_get_search_entry (bar), "cat");
  WAIT_FOR (count_is (bar, "1 of 3"));
  selected = selected_text (buffer);
  g_assert_cmpstr (selected, ==, "Cat");
  g_assert_true (si_find_bar_next (bar));
  g_assert_true (count_is (bar, "2 of 3"));
  g_assert_true (si_find_bar_next (bar));
  g_assert_true (count_is (bar, "3 of 3"));
  /* Around the end, and back. */
  g_assert_true (si_find_bar_next (bar));
  g_assert_true (count_is (bar, "1 of 3"));
  g_assert_true (si_find_bar_previous (bar));
  g_assert_true (count_is (bar, "3 of 3"));
  /* Ctrl+G and Ctrl+Shift+G from the text. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.find-previous", NULL));
  g_assert_true (count_is (bar, "2 of 3"));

  /* Replace the selected match: the next one is selected. */
  gtk_editable_set_text (_si_find_bar_get_replace_entry (bar), "fox");
  g_assert_true (si_find_bar_replace (bar));
  g_assert_true (body_is (editor, "Cat, dog, fox, bird, CAT."));
  WAIT_FOR (count_is (bar, "2 of 2"));
  g_clear_pointer (&selected, g_free);
  selected = selected_text (buffer);
  g_assert_cmpstr (selected, ==, "CAT");

  /* Replace all, as one step to undo; saved like typing. */
  g_assert_cmpuint (si_find_bar_replace_all (bar), ==, 2);
  g_assert_true (body_is (editor, "fox, dog, fox, bird, fox."));
  WAIT_FOR (count_is (bar, "No matches"));
  WAIT_FOR (!si_editor_has_pending (editor));
  stored = si_store_get_idea (f->store, si_idea_get_id (idea), NULL);
  g_assert_cmpstr (si_idea_get_body (stored), ==, "fox, dog, fox, bird, fox.");
  gtk_text_buffer_undo (buffer);
  g_assert_true (body_is (editor, "Cat, dog, fox, bird, CAT."));
  WAIT_FOR (count_is (bar, "2 matches") || count_is (bar, "1 of 2") || count_is (bar, "2 of 2"));

  /* Escape (the search entry's stop-search) closes the bar and gives the text the focus. */
  g_signal_emit_by_name (_si_find_bar_get_search_entry (bar), "stop-search");
  g_assert_false (si_find_bar_is_open (bar));
  WAIT_FOR (gtk_root_get_focus (GTK_ROOT (f->window)) != NULL);
  focus = gtk_root_get_focus (GTK_ROOT (f->window));
  g_assert_true (GTK_IS_TEXT_VIEW (focus) && gtk_text_view_get_buffer (GTK_TEXT_VIEW (focus)) == buffer);

  /* Ctrl+H opens it with the replacement; a selected word is what is looked for. */
  {
    GtkTextIter a, b;

    gtk_text_buffer_get_iter_at_offset (buffer, &a, 5);
    gtk_text_buffer_get_iter_at_offset (buffer, &b, 8);
    gtk_text_buffer_select_range (buffer, &a, &b);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.replace", NULL));
  g_assert_true (si_find_bar_is_open (bar));
  g_assert_cmpstr (gtk_editable_get_text (_si_find_bar_get_search_entry (bar)), ==, "dog");
  WAIT_FOR (count_is (bar, "1 of 1"));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (_si_find_bar_get_replace_entry (bar))));
}

/* Words and characters ------------------------------------------------------------------------- */

static gboolean
count_label_is (SiEditor   *editor,
                const char *text)
{
  return g_strcmp0 (gtk_label_get_label (_si_editor_get_count_label (editor)), text) == 0;
}

static void
test_word_count (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SiIdea) idea = add_idea (f->store, "Count", "One two three");
  g_autoptr(GString) long_body = g_string_new (NULL);
  g_autoptr(SiIdea) long_idea = NULL;
  SiEditor *editor = open_idea (f, idea);
  GtkTextBuffer *buffer = _si_editor_get_body_buffer (editor);
  GtkLabel *label = _si_editor_get_count_label (editor);
  GtkTextIter a, b;

  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (label)));
  g_assert_true (count_label_is (editor, "3 words · 13 characters"));

  /* The selection's part. */
  gtk_text_buffer_get_iter_at_offset (buffer, &a, 4);
  gtk_text_buffer_get_end_iter (buffer, &b);
  gtk_text_buffer_select_range (buffer, &a, &b);
  WAIT_FOR (count_label_is (editor, "2 of 3 words · 9 of 13 characters"));

  /* Typing: counted again once it pauses. */
  gtk_text_buffer_get_end_iter (buffer, &b);
  gtk_text_buffer_place_cursor (buffer, &b);
  gtk_text_buffer_insert_at_cursor (buffer, " four\n- [ ] *five*, don't", -1);
  WAIT_FOR (count_label_is (editor, "6 words · 38 characters"));
  gtk_text_buffer_get_start_iter (buffer, &a);
  gtk_text_buffer_get_iter_at_offset (buffer, &b, 3);
  gtk_text_buffer_select_range (buffer, &a, &b);
  WAIT_FOR (count_label_is (editor, "1 of 6 words · 3 of 38 characters"));

  /* Numbers in the locale's way (C.UTF-8 here: the comma si_format_count() falls back on). */
  for (guint i = 0; i < 1234; i++)
    g_string_append (long_body, "word ");
  long_idea = add_idea (f->store, "Long", long_body->str);
  editor = open_idea (f, long_idea);
  g_assert_true (count_label_is (editor, "1,234 words · 6,170 characters"));

  /* No idea, no count. */
  si_window_open_idea (f->window, 0);
  WAIT_FOR (!gtk_widget_get_visible (GTK_WIDGET (label)));
}

static void
test_count_words (void)
{
  g_assert_cmpuint (si_count_words ("", -1), ==, 0);
  g_assert_cmpuint (si_count_words ("  \n\t ", -1), ==, 0);
  g_assert_cmpuint (si_count_words ("one", -1), ==, 1);
  g_assert_cmpuint (si_count_words ("don't e-mail **bold** - [ ] # 42", -1), ==, 4);
  g_assert_cmpuint (si_count_words ("Überall grüne Bäume", -1), ==, 3);
  g_assert_cmpuint (si_count_words ("日本語 text", -1), ==, 4);
  g_assert_cmpuint (si_count_words ("one two", 3), ==, 1);
  /* Broken UTF-8 counts what it can, and stops at the length given. */
  g_assert_cmpuint (si_count_words ("a \xff b", -1), ==, 2);
}

/* Undo ----------------------------------------------------------------------------------------- */

static void
type_at_end (GtkTextBuffer *buffer,
             const char    *text)
{
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_insert_interactive_at_cursor (buffer, text, -1, TRUE);
  gtk_text_buffer_end_user_action (buffer);
}

static void
test_undo_survives_autosave (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(SiIdea) a = add_idea (f->store, "A", "first");
  g_autoptr(SiIdea) b = add_idea (f->store, "B", "other idea");
  g_autoptr(SiStore) other = NULL;
  g_autoptr(GError) error = NULL;
  SiEditor *editor = open_idea (f, a);
  GtkTextBuffer *buffer = _si_editor_get_body_buffer (editor);

  g_assert_false (gtk_text_buffer_get_can_undo (buffer));
  type_at_end (buffer, " second");
  type_at_end (buffer, " third");
  WAIT_FOR (!si_editor_has_pending (editor));
  {
    g_autoptr(SiIdea) stored = si_store_get_idea (f->store, si_idea_get_id (a), NULL);
    g_assert_cmpstr (si_idea_get_body (stored), ==, "first second third");
  }

  /* After the autosave, the history is all there. */
  g_assert_true (gtk_text_buffer_get_can_undo (buffer));
  gtk_text_buffer_undo (buffer);
  g_assert_true (body_is (editor, "first second"));
  WAIT_FOR (!si_editor_has_pending (editor));
  gtk_text_buffer_redo (buffer);
  g_assert_true (body_is (editor, "first second third"));
  WAIT_FOR (!si_editor_has_pending (editor));

  /* A change from elsewhere (a sync, saveidea-cli) is one more step, on top of the others. */
  other = si_store_new (f->path, &error);
  g_assert_no_error (error);
  {
    g_autoptr(SiIdea) copy = si_store_get_idea (other, si_idea_get_id (a), NULL);
    si_idea_set_title (copy, "A, renamed");
    si_idea_set_body (copy, "first second third\nfrom elsewhere");
    g_assert_true (si_store_save_idea (other, copy, SI_SAVE_LOCAL, NULL));
  }
  WAIT_FOR (body_is (editor, "first second third\nfrom elsewhere"));
  g_assert_true (gtk_text_buffer_get_can_undo (buffer));
  gtk_text_buffer_undo (buffer);
  g_assert_true (body_is (editor, "first second third"));
  gtk_text_buffer_undo (buffer);
  g_assert_true (body_is (editor, "first second"));
  gtk_text_buffer_undo (buffer);
  g_assert_true (body_is (editor, "first"));
  WAIT_FOR (!si_editor_has_pending (editor));
  {
    g_autoptr(SiIdea) stored = si_store_get_idea (f->store, si_idea_get_id (a), NULL);
    g_assert_cmpstr (si_idea_get_body (stored), ==, "first");
  }

  /* Another idea starts a history of its own: undo never brings the last idea's text into it. */
  editor = open_idea (f, b);
  g_assert_true (body_is (editor, "other idea"));
  g_assert_false (gtk_text_buffer_get_can_undo (buffer));
  g_assert_false (gtk_text_buffer_get_can_redo (buffer));
  gtk_text_buffer_undo (buffer);
  g_assert_true (body_is (editor, "other idea"));
  g_assert_false (si_editor_has_pending (editor));

  /* Also when both have the same text. */
  type_at_end (buffer, "!");
  {
    g_autoptr(SiIdea) same = add_idea (f->store, "C", "other idea!");

    editor = open_idea (f, same);
  }
  g_assert_false (gtk_text_buffer_get_can_undo (buffer));
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

#define ADD(path, fn) g_test_add ("/app-source/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("markdown-highlighted", test_markdown_highlighted);
  ADD ("scheme-follows-dark-style", test_scheme_follows_dark_style);
  ADD ("find-and-replace", test_find_and_replace);
  ADD ("word-count", test_word_count);
  ADD ("undo-survives-autosave", test_undo_survives_autosave);
#undef ADD
  g_test_add_func ("/app-source/count-words", test_count_words);

  return g_test_run ();
}
