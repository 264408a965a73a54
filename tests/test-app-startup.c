/* test-app-startup.c — what the window leaves until it is needed, so that it opens (and starts
 * its first sync) sooner: the editor's Markdown language and style scheme, which GtkSourceView
 * finds and parses only when the editor first shows an idea (issue 21). The highlighting and
 * the dark style must be as before once an idea is open. */
#include "config.h"

#include <gtksourceview/gtksource.h>

#include "si-spell-checker.h"
#include "si-test-app.h"

static GtkSourceBuffer *
body_source_buffer (Fixture *f)
{
  return GTK_SOURCE_BUFFER (_si_editor_get_body_buffer (_si_window_get_editor (f->window)));
}

static const char *
language_id (Fixture *f)
{
  GtkSourceLanguage *language = gtk_source_buffer_get_language (body_source_buffer (f));

  return language ? gtk_source_language_get_id (language) : NULL;
}

static const char *
scheme_id (Fixture *f)
{
  GtkSourceStyleScheme *scheme = gtk_source_buffer_get_style_scheme (body_source_buffer (f));

  return scheme ? gtk_source_style_scheme_get_id (scheme) : NULL;
}

static void
open_idea (Fixture *f,
           SiIdea  *idea)
{
  si_window_open_idea (f->window, si_idea_get_id (idea));
  WAIT_FOR (si_window_get_current_id (f->window) == si_idea_get_id (idea));
}

/* The window opens on an empty notebook (a first sync's): no language is parsed for the hidden
 * editor; the first idea opened is highlighted, and so is the next. */
static void
test_language_when_first_shown (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(SiIdea) first = NULL;
  g_autoptr(SiIdea) second = NULL;

  open_window (f, NULL);
  spin (100);
  g_assert_cmpint (si_window_get_current_id (f->window), ==, 0);
  g_assert_null (language_id (f));

  first = add_idea (f->store, "First", "# A heading\n\nPlain words.");
  second = add_idea (f->store, "Second", "Words.\n\n## Another heading");

  open_idea (f, first);
  g_assert_cmpstr (language_id (f), ==, "saveidea-markdown");
  g_assert_true (gtk_source_buffer_get_highlight_syntax (body_source_buffer (f)));
  g_assert_false (gtk_source_buffer_get_highlight_matching_brackets (body_source_buffer (f)));
  g_assert_true (look_at (_si_editor_get_body_buffer (_si_window_get_editor (f->window)), "A heading") & LOOK_BOLD);
  g_assert_false (look_at (_si_editor_get_body_buffer (_si_window_get_editor (f->window)), "Plain") & LOOK_BOLD);

  open_idea (f, second);
  g_assert_cmpstr (language_id (f), ==, "saveidea-markdown");
  g_assert_true (look_at (_si_editor_get_body_buffer (_si_window_get_editor (f->window)), "Another heading") & LOOK_BOLD);
}

/* The style changed before any idea was open: the first one opened is in the style of now,
 * and the scheme follows the style from then on, also with no idea open. */
static void
test_dark_before_first_idea (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(SiIdea) idea = NULL;
  AdwStyleManager *style = adw_style_manager_get_default ();

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  open_window (f, NULL);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  spin (50);
  idea = add_idea (f->store, "Night", "# Dark");

  open_idea (f, idea);
  g_assert_cmpstr (scheme_id (f), ==, "Adwaita-dark");

  si_editor_set_idea (_si_window_get_editor (f->window), NULL);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  WAIT_FOR (g_strcmp0 (scheme_id (f), "Adwaita") == 0);
  open_idea (f, idea);
  g_assert_cmpstr (scheme_id (f), ==, "Adwaita");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

/* The spell checker loads no dictionary (tens of ms of CPU for a Hunspell one) for the empty
 * editor of a window opened on an empty notebook; it does with the first text. */
static void
test_dictionary_with_first_text (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(SiIdea) idea = NULL;
  SiSpellChecker *checker;

  open_window (f, NULL);
  checker = si_editor_get_spell_checker (_si_window_get_editor (f->window));
  spin (100);
  WAIT_FOR (_si_spell_checker_is_idle (checker));
  g_assert_null (si_spell_checker_get_active_language (checker));

  idea = add_idea (f->store, "Words", "Today I had an idea for a new garden.");
  open_idea (f, idea);
  WAIT_FOR (si_spell_checker_get_active_language (checker) != NULL);
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

#define ADD(path, fn) g_test_add ("/app-startup/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("language-when-first-shown", test_language_when_first_shown);
  ADD ("dark-before-first-idea", test_dark_before_first_idea);
  ADD ("dictionary-with-first-text", test_dictionary_with_first_text);
#undef ADD

  return g_test_run ();
}
