/* test-app-spell.c — spell checking in the editor's body, with the real enchant dictionaries
 * (hunspell-en-us and hunspell-de-de): the underline, the context menu's suggestions, undo,
 * the language, Add to Dictionary and Ignore. The personal dictionary is a private folder. */
#include "config.h"

#include <glib/gstdio.h>

#include "si-test-app.h"

static void
find_text_view (GtkWidget      *widget,
                GtkTextBuffer  *buffer,
                GtkTextView   **found)
{
  if (GTK_IS_TEXT_VIEW (widget) && gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)) == buffer)
    *found = GTK_TEXT_VIEW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    find_text_view (child, buffer, found);
}

typedef struct {
  Fixture          f;
  SiEditor        *editor;
  SiSpellChecker  *checker;
  GtkTextBuffer   *buffer;
  GtkTextView     *view;
} Spell;

/* A window with @body open in the editor, checked. */
static void
open_body (Spell      *s,
           const char *body)
{
  g_autoptr(SiIdea) idea = NULL;

  fixture_setup (&s->f, NULL);
  idea = add_idea (s->f.store, "Spelling", body);
  open_window (&s->f, NULL);
  s->editor = _si_window_get_editor (s->f.window);
  si_editor_set_idea (s->editor, idea);
  s->checker = si_editor_get_spell_checker (s->editor);
  s->buffer = _si_editor_get_body_buffer (s->editor);
  find_text_view (GTK_WIDGET (s->f.window), s->buffer, &s->view);
  g_assert_nonnull (s->view);
  g_assert_true (body_is (s->editor, body));
  WAIT_FOR (_si_spell_checker_is_idle (s->checker));
}

static void
close_body (Spell *s)
{
  /* The language is a setting: the next test starts automatic again. */
  gtk_widget_activate_action (GTK_WIDGET (s->f.window), "spelling.language", "s", "");
  gtk_widget_activate_action (GTK_WIDGET (s->f.window), "spelling.enabled", NULL);
  if (!si_spell_checker_get_enabled (s->checker))
    gtk_widget_activate_action (GTK_WIDGET (s->f.window), "spelling.enabled", NULL);
  fixture_teardown (&s->f, NULL);
}

static gboolean
has_error_underline (const GtkTextIter *iter)
{
  g_autoptr(GSList) tags = gtk_text_iter_get_tags (iter);

  for (GSList *l = tags; l; l = l->next)
    {
      PangoUnderline underline;
      gboolean set;

      g_object_get (l->data, "underline", &underline, "underline-set", &set, NULL);
      if (set && underline == PANGO_UNDERLINE_ERROR)
        return TRUE;
    }
  return FALSE;
}

/* Whether the first @word in the body is underlined as misspelt, all of it and nothing around. */
static gboolean
underlined (Spell      *s,
            const char *word)
{
  g_autofree char *text = body_text (s->editor);
  const char *at = strstr (text, word);
  GtkTextIter iter;
  glong start, end;
  gboolean all = TRUE, any = FALSE;

  g_assert_nonnull (at);
  start = g_utf8_pointer_to_offset (text, at);
  end = start + g_utf8_strlen (word, -1);
  for (glong i = start; i < end; i++)
    {
      gtk_text_buffer_get_iter_at_offset (s->buffer, &iter, i);
      all &= has_error_underline (&iter);
      any |= has_error_underline (&iter);
    }
  if (all)
    {
      /* The underline ends with the word. */
      gtk_text_buffer_get_iter_at_offset (s->buffer, &iter, end);
      g_assert_false (has_error_underline (&iter));
      if (start > 0)
        {
          gtk_text_buffer_get_iter_at_offset (s->buffer, &iter, start - 1);
          g_assert_false (has_error_underline (&iter));
        }
    }
  g_assert_true (all == any);
  return all;
}

/* A right-click on the first @word: what the view's context menu then holds. */
static GMenuModel *
menu_at (Spell      *s,
         const char *word)
{
  g_autofree char *text = body_text (s->editor);
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_offset (s->buffer, &iter, g_utf8_pointer_to_offset (text, strstr (text, word)) + 1);
  _si_spell_checker_update_menu_at (s->checker, &iter);
  return gtk_text_view_get_extra_menu (s->view);
}

/* The targets of the menu's items with @action, in order. */
static GPtrArray *
menu_targets (GMenuModel *menu,
              const char *action)
{
  GPtrArray *targets = g_ptr_array_new_with_free_func (g_free);

  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);
      g_autoptr(GMenuModel) submenu = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SUBMENU);
      char *name = NULL, *target = NULL;

      if (section || submenu)
        {
          g_autoptr(GPtrArray) inner = menu_targets (section ? section : submenu, action);

          for (guint j = 0; j < inner->len; j++)
            g_ptr_array_add (targets, g_strdup (g_ptr_array_index (inner, j)));
          continue;
        }
      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_str_equal (name, action))
        {
          if (!g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_TARGET, "s", &target))
            target = g_strdup ("");
          g_ptr_array_add (targets, target);
        }
      g_free (name);
    }
  return targets;
}

static gboolean
contains (GPtrArray  *strings,
          const char *s)
{
  return g_ptr_array_find_with_equal_func (strings, s, g_str_equal, NULL);
}

static void
test_underline (void)
{
  Spell s = { 0 };

  open_body (&s, "This sentense has one mistake.\n"
                 "Code is `not prose: sentense` and https://exampel.org/sentense is a link.\n"
                 "```sentense\nplain\n```\n");
  g_assert_cmpstr (si_spell_checker_get_active_language (s.checker), ==, "en_US");
  g_assert_true (underlined (&s, "sentense"));
  g_assert_false (underlined (&s, "This"));
  g_assert_false (underlined (&s, "mistake"));
  g_assert_false (underlined (&s, "not prose"));
  g_assert_false (underlined (&s, "exampel"));

  /* Typing a misspelling: underlined once the cursor has left the word. */
  {
    GtkTextIter end;

    gtk_text_buffer_get_end_iter (s.buffer, &end);
    gtk_text_buffer_insert (s.buffer, &end, "Anothr line.\n", -1);
    WAIT_FOR (_si_spell_checker_is_idle (s.checker));
    g_assert_true (underlined (&s, "Anothr"));
    g_assert_false (underlined (&s, "line"));
  }

  /* Check Spelling off: no underline; on again: back. */
  gtk_widget_activate_action (GTK_WIDGET (s.f.window), "spelling.enabled", NULL);
  g_assert_false (si_spell_checker_get_enabled (s.checker));
  g_assert_false (underlined (&s, "sentense"));
  gtk_widget_activate_action (GTK_WIDGET (s.f.window), "spelling.enabled", NULL);
  WAIT_FOR (_si_spell_checker_is_idle (s.checker));
  g_assert_true (underlined (&s, "sentense"));
  close_body (&s);
}

/* With a highlighting GtkSourceBuffer, what its Markdown calls code is not checked: a fenced
 * block's lines too. */
static void
test_fenced_code (void)
{
  Spell s = { 0 };

  open_body (&s, "Some prose wiht a slip.\n\n```\nfrobnicatr --quux\n```\n");
  if (!g_signal_lookup ("highlight-updated", G_OBJECT_TYPE (s.buffer)))
    {
      close_body (&s);
      g_test_skip ("the body is not a GtkSourceBuffer");
      return;
    }
  g_assert_true (underlined (&s, "wiht"));
  WAIT_FOR (!underlined (&s, "frobnicatr") && _si_spell_checker_is_idle (s.checker));
  g_assert_false (underlined (&s, "quux"));
  g_assert_true (underlined (&s, "wiht"));
  close_body (&s);
}

/* The word being typed is left alone until the cursor leaves it. */
static void
test_typing (void)
{
  Spell s = { 0 };
  GtkTextIter end;

  open_body (&s, "Typing at the end: ");
  gtk_widget_grab_focus (GTK_WIDGET (s.view));
  WAIT_FOR (gtk_widget_has_focus (GTK_WIDGET (s.view)));
  gtk_text_buffer_get_end_iter (s.buffer, &end);
  gtk_text_buffer_place_cursor (s.buffer, &end);
  for (guint n = 1; n <= strlen ("Anothr"); n++)
    {
      g_autofree char *typed = g_strndup ("Anothr", n);

      gtk_text_buffer_insert_interactive_at_cursor (s.buffer, typed + n - 1, 1, TRUE);
      WAIT_FOR (_si_spell_checker_is_idle (s.checker));
      g_assert_false (underlined (&s, typed));
    }
  gtk_text_buffer_insert_interactive_at_cursor (s.buffer, " ", 1, TRUE);
  WAIT_FOR (_si_spell_checker_is_idle (s.checker));
  g_assert_true (underlined (&s, "Anothr"));

  /* Back into it: it stays underlined, and corrected, it is not. */
  gtk_text_buffer_get_iter_at_offset (s.buffer, &end, gtk_text_buffer_get_char_count (s.buffer) - 2);
  gtk_text_buffer_place_cursor (s.buffer, &end);
  gtk_text_buffer_insert_interactive_at_cursor (s.buffer, "e", 1, TRUE);
  gtk_text_buffer_get_end_iter (s.buffer, &end);
  gtk_text_buffer_place_cursor (s.buffer, &end);
  WAIT_FOR (_si_spell_checker_is_idle (s.checker));
  g_assert_true (body_is (s.editor, "Typing at the end: Another "));
  g_assert_false (underlined (&s, "Another"));
  close_body (&s);
}

static void
test_suggestion_and_undo (void)
{
  Spell s = { 0 };
  const char *body = "This sentense has one mistake.";
  g_autoptr(GPtrArray) suggestions = NULL;
  g_autoptr(GPtrArray) learn = NULL;

  open_body (&s, body);
  /* On a correct word, the menu has nothing of spelling. */
  g_assert_cmpint (g_menu_model_get_n_items (menu_at (&s, "mistake")), ==, 0);

  suggestions = menu_targets (menu_at (&s, "sentense"), "spelling.replace");
  g_assert_cmpuint (suggestions->len, >=, 1);
  g_assert_cmpuint (suggestions->len, <=, SI_SPELL_CHECKER_MAX_SUGGESTIONS);
  g_assert_true (contains (suggestions, "sentence"));
  learn = menu_targets (menu_at (&s, "sentense"), "spelling.add-word");
  g_assert_cmpuint (learn->len, ==, 1);

  /* The item as the view's popover activates it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (s.view), "spelling.replace", "s", "sentence"));
  g_assert_true (body_is (s.editor, "This sentence has one mistake."));
  WAIT_FOR (_si_spell_checker_is_idle (s.checker));
  g_assert_false (underlined (&s, "sentence"));

  /* One undo step brings the word back. */
  gtk_text_buffer_undo (s.buffer);
  g_assert_true (body_is (s.editor, body));
  WAIT_FOR (_si_spell_checker_is_idle (s.checker));
  g_assert_true (underlined (&s, "sentense"));
  close_body (&s);
}

static void
test_german (void)
{
  Spell s = { 0 };
  g_autoptr(GPtrArray) languages = NULL;

  open_body (&s, "The weather: Das Wetter ist heute schön.");
  gtk_widget_activate_action (GTK_WIDGET (s.f.window), "spelling.language", "s", "en_US");
  WAIT_FOR (_si_spell_checker_is_idle (s.checker));
  g_assert_true (underlined (&s, "heute"));
  g_assert_true (underlined (&s, "schön"));
  g_assert_false (underlined (&s, "weather"));

  /* From the idea menu's language submenu. */
  languages = menu_targets (si_spell_checker_get_menu (s.checker), "spelling.language");
  g_assert_true (contains (languages, ""));
  g_assert_true (contains (languages, "de_DE"));
  g_assert_true (contains (languages, "en_US"));
  gtk_widget_activate_action (GTK_WIDGET (s.f.window), "spelling.language", "s", "de_DE");
  g_assert_cmpstr (si_spell_checker_get_active_language (s.checker), ==, "de_DE");
  /* Kept for the next start. */
  {
    g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
    g_autofree char *kept = g_settings_get_string (settings, "spell-language");

    g_assert_cmpstr (kept, ==, "de_DE");
  }
  WAIT_FOR (_si_spell_checker_is_idle (s.checker));
  g_assert_false (underlined (&s, "heute"));
  g_assert_false (underlined (&s, "schön"));
  g_assert_true (underlined (&s, "weather"));

  /* A language without a dictionary: nothing underlined, and the menu says so. */
  gtk_widget_activate_action (GTK_WIDGET (s.f.window), "spelling.language", "s", "xx_XX");
  g_assert_null (si_spell_checker_get_active_language (s.checker));
  WAIT_FOR (_si_spell_checker_is_idle (s.checker));
  g_assert_false (underlined (&s, "weather"));
  g_assert_false (underlined (&s, "heute"));
  close_body (&s);
}

static void
test_automatic_language (void)
{
  Spell s = { 0 };

  /* The locale is English; the text is German. */
  open_body (&s, "Heute habe ich eine Idee für einen neuen Garten gehabt. Die Beete sollen im "
                 "Frühjahr angelegt werden, und die Wege bekommen Kies. Im Sommer pflanzen wir "
                 "Tomaten und Bohnen.");
  g_assert_cmpstr (si_spell_checker_get_active_language (s.checker), ==, "de_DE");
  g_assert_false (underlined (&s, "Frühjahr"));

  /* Another idea, in English. */
  {
    g_autoptr(SiIdea) english = add_idea (s.f.store, "English", "Today I had an idea for a new "
                                          "garden. The beds should be laid out in spring, and the "
                                          "paths get gravel. In summer we plant tomatos and beans.");

    si_editor_set_idea (s.editor, english);
    WAIT_FOR (_si_spell_checker_is_idle (s.checker));
    g_assert_cmpstr (si_spell_checker_get_active_language (s.checker), ==, "en_US");
    g_assert_true (underlined (&s, "tomatos"));
    g_assert_false (underlined (&s, "garden"));
  }

  /* A new idea, written in German. */
  {
    g_autoptr(SiIdea) empty = add_idea (s.f.store, "Neu", "");

    si_editor_set_idea (s.editor, empty);
    WAIT_FOR (_si_spell_checker_is_idle (s.checker));
    for (const char *p = "Morgen fahren wir mit dem Zug nach Hamburg und besuchen dort den Hafen. "
                         "Danach essen wir Fisch am Wasser und laufen durch die alte Stadt. "; *p; p++)
      {
        gtk_text_buffer_insert_interactive_at_cursor (s.buffer, p, 1, TRUE);
        if (*p == ' ')
          WAIT_FOR (_si_spell_checker_is_idle (s.checker));
      }
    g_assert_cmpstr (si_spell_checker_get_active_language (s.checker), ==, "de_DE");
    g_assert_false (underlined (&s, "fahren"));
  }
  close_body (&s);
}

/* Whether a file in the private enchant folder lists @word. */
static gboolean
personal_dictionary_has (const char *word)
{
  const char *dir_path = g_getenv ("ENCHANT_CONFIG_DIR");
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      lines = g_strsplit (contents, "\n", -1);
      if (g_strv_contains ((const char * const *) lines, word))
        return TRUE;
    }
  return FALSE;
}

static void
test_add_and_ignore (void)
{
  Spell s = { 0 };

  open_body (&s, "My frobnicator and my blorptastic widget.");
  g_assert_true (underlined (&s, "frobnicator"));
  g_assert_true (underlined (&s, "blorptastic"));
  g_assert_false (personal_dictionary_has ("frobnicator"));

  menu_at (&s, "frobnicator");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (s.view), "spelling.add-word", NULL));
  WAIT_FOR (_si_spell_checker_is_idle (s.checker));
  g_assert_false (underlined (&s, "frobnicator"));
  g_assert_true (underlined (&s, "blorptastic"));
  g_assert_true (personal_dictionary_has ("frobnicator"));

  menu_at (&s, "blorptastic");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (s.view), "spelling.ignore-word", NULL));
  WAIT_FOR (_si_spell_checker_is_idle (s.checker));
  g_assert_false (underlined (&s, "blorptastic"));
  g_assert_false (personal_dictionary_has ("blorptastic"));
  close_body (&s);
}

static void
remove_folder (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_remove (child);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *enchant_dir = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  /* An English locale, whatever the machine's. */
  g_setenv ("LANGUAGE", "en_US", TRUE);
  si_test_app_init (&argc, &argv);
  /* The personal dictionary lives in a folder of the test's own, never the user's (the
   * isolated XDG folders change with every test case; the dictionaries load once). */
  enchant_dir = g_dir_make_tmp ("test-app-spell-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("ENCHANT_CONFIG_DIR", enchant_dir, TRUE);

  g_test_add_func ("/app-spell/underline", test_underline);
  g_test_add_func ("/app-spell/typing", test_typing);
  g_test_add_func ("/app-spell/fenced-code", test_fenced_code);
  g_test_add_func ("/app-spell/suggestion-and-undo", test_suggestion_and_undo);
  g_test_add_func ("/app-spell/german", test_german);
  g_test_add_func ("/app-spell/automatic-language", test_automatic_language);
  g_test_add_func ("/app-spell/add-and-ignore", test_add_and_ignore);

  status = g_test_run ();
  remove_folder (enchant_dir);
  return status;
}
