/* si-editor.c — edits one idea and keeps it safe.
 *
 * Every change is written to the store SI_EDITOR_SAVE_DELAY_MS after the last keystroke, and at
 * once when another idea is opened, when the window closes, or when the editor goes away, so
 * nothing typed is ever lost. Tags and the pin are saved the moment they change.
 *
 * When the idea changes on disk (a sync, saveidea-cli), the text being typed is never replaced
 * under the cursor. Before the sync engine writes, the editor saves what is waiting
 * (SiStore::save-pending), so the store merges it with the server's version. What changed is then
 * applied as the few edits it takes, as one undo step: the cursor, the selection and the undo
 * history stay. When the store had to keep the typed text as a conflicted copy, the editor goes
 * on editing that copy (its text is the one shown) and says so with a toast that offers Compare.
 * A change that arrives while an edit is still waiting (another program wrote) is merged here the
 * same way, three ways against what the editor last read or wrote. A conflicted copy shows a
 * banner to compare and choose.
 *
 * The text is a GtkSourceView over a GtkSourceBuffer in our Markdown language
 * (language-specs/saveidea-markdown.lang: the stock one and task boxes), in the Adwaita style
 * scheme that follows the dark style, both set when the editor first shows an idea (parsing the
 * language is slow). The store keeps plain text: the highlighting is only tags.
 * Each idea opened starts a new undo history, which saving and a sync's changes keep. Ctrl+F
 * finds and Ctrl+H replaces in the text (si-find-bar.c); a dim line under it counts the words
 * and characters of the idea, or of the selection. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <string.h>

#include "si-app-utils.h"
#include "si-compare-window.h"
#include "si-editor.h"
#include "si-markdown-editing.h"
#include "si-find-bar.h"
#include "si-i18n.h"
#include "si-merge.h"
#include "si-spell-checker.h"
#include "si-title-view.h"

struct _SiEditor
{
  GtkWidget       parent_instance;

  SiStore        *store;
  gulong          changed_id;
  gulong          save_pending_id;
  SiIdea         *idea;          /* with the title and text last read from or written to disk */
  AdwToast       *conflict_toast; /* weak */
  GPtrArray      *all_tags;      /* SiTag, while the tag popover is open */

  guint           save_id;
  guint           count_id;      /* the word count, soon */
  guint           n_words;       /* of the whole text, while words_known */
  guint           words_known : 1;
  guint           pending : 1;   /* edits not yet on disk */
  guint           loading : 1;   /* filling the widgets from the idea */
  guint           saving : 1;    /* inside si_store_save_idea() */
  guint           highlighting : 1;  /* the Markdown language and the style scheme are set */

  GtkRevealer    *conflict_revealer;
  GtkWidget      *conflict_banner;
  GtkRevealer    *error_revealer;
  GtkLabel       *error_label;
  SiTitleView    *title_entry;
  GtkFlowBox     *tag_box;
  GtkMenuButton  *add_tag_button;
  GtkPopover     *tag_popover;
  GtkEntry       *tag_entry;
  GtkListBox     *tag_suggestions;
  GtkTextView    *body_view;
  SiSpellChecker *spell_checker;
  SiFindBar      *find_bar;
  GtkLabel       *count_label;
};

G_DEFINE_FINAL_TYPE (SiEditor, si_editor, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_IDEA,
  PROP_PINNED,
  N_PROPS
};

enum {
  OPEN_IDEA,
  SHOW_MESSAGE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void load_idea (SiEditor *self);
static void take_fresh (SiEditor *self,
                        SiIdea   *fresh);

static GtkTextBuffer *
body_buffer (SiEditor *self)
{
  return gtk_text_view_get_buffer (self->body_view);
}

/* The Markdown language and the style scheme ----------------------------------------------------- */

#define SI_LANGUAGE_SPECS_PATH "resource:///io/github/saveidea/Saveidea/language-specs"

/* GtkSourceView's types and our language, once per process. */
static void
ensure_source_view (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      GtkSourceLanguageManager *languages;
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) path = NULL;

      gtk_source_init ();
      /* Ours first, then the default ones (the stock Markdown): 5.6 prepends to an empty path
       * when the default one was not asked for yet. */
      languages = gtk_source_language_manager_get_default ();
      g_strv_builder_add (builder, SI_LANGUAGE_SPECS_PATH);
      g_strv_builder_addv (builder, (const char **) gtk_source_language_manager_get_search_path (languages));
      path = g_strv_builder_end (builder);
      gtk_source_language_manager_set_search_path (languages, (const char * const *) path);
      g_once_init_leave (&done, 1);
    }
}

/* Adwaita or Adwaita-dark, as the style is now. */
static void
update_style_scheme (SiEditor *self)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  GtkSourceStyleScheme *scheme = gtk_source_style_scheme_manager_get_scheme (schemes, dark ? "Adwaita-dark" : "Adwaita");

  gtk_source_buffer_set_style_scheme (GTK_SOURCE_BUFFER (body_buffer (self)), scheme);
}

/* The Markdown language and the style scheme on the body, once the editor first shows an idea.
 * Our language includes the stock Markdown, which includes HTML, CSS, JavaScript and XML:
 * finding and parsing them takes 60–100 ms of CPU, which a window that opens on the list
 * (and starts its first sync) does not wait for. Until then the body is not on screen. */
static void
ensure_highlighting (SiEditor *self)
{
  GtkSourceLanguage *markdown;

  if (self->highlighting)
    return;
  self->highlighting = TRUE;
  markdown = gtk_source_language_manager_get_language (gtk_source_language_manager_get_default (),
                                                       "saveidea-markdown");
  g_warn_if_fail (markdown != NULL);
  gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (body_buffer (self)), markdown);
  update_style_scheme (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark", G_CALLBACK (update_style_scheme),
                           self, G_CONNECT_SWAPPED);
}

/* GtkSourceView moves the word at the cursor with Alt+Left and Alt+Right, a code editor's way:
 * in the text of an idea, Alt+Left goes back to the list as it does everywhere in the window,
 * and Alt+Right leaves the words where they are. */
static gboolean
body_alt_left_cb (GtkWidget *widget,
                  GVariant  *args,
                  gpointer   user_data)
{
  return gtk_widget_activate_action (widget, "list.back", NULL);
}

static gboolean
body_alt_right_cb (GtkWidget *widget,
                   GVariant  *args,
                   gpointer   user_data)
{
  return TRUE;
}

static void
setup_source_buffer (SiEditor *self)
{
  GtkEventController *keys = gtk_shortcut_controller_new ();
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (body_buffer (self));

  gtk_source_buffer_set_highlight_syntax (buffer, TRUE);
  /* Prose, not code: a bracket is not worth a colour. */
  gtk_source_buffer_set_highlight_matching_brackets (buffer, FALSE);

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Left, GDK_ALT_MASK),
                                                          gtk_callback_action_new (body_alt_left_cb, NULL, NULL)));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Right, GDK_ALT_MASK),
                                                          gtk_callback_action_new (body_alt_right_cb, NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self->body_view), keys);
}

static char *
dup_body_text (SiEditor *self)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (body_buffer (self), &start, &end);
  return gtk_text_buffer_get_text (body_buffer (self), &start, &end, FALSE);
}

static void
show_error (SiEditor   *self,
            const char *message)
{
  if (message)
    gtk_label_set_label (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
update_banner (SiEditor *self)
{
  gboolean conflicted = self->idea != NULL && si_idea_get_conflict_of (self->idea) != 0;
  const char *sync_error = self->idea ? si_idea_get_sync_error (self->idea) : NULL;

  gtk_revealer_set_reveal_child (self->conflict_revealer, conflicted);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.compare", conflicted);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.keep-this", conflicted);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.keep-other", conflicted);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.keep-both", conflicted);

  if (sync_error && sync_error[0])
    {
      g_autofree char *text = g_strdup_printf (_("The server refused this idea: %s"), sync_error);
      show_error (self, text);
    }
  else
    show_error (self, NULL);
}

/* Words and characters -------------------------------------------------------------------------- */

static void
update_count (SiEditor *self)
{
  GtkTextBuffer *buffer = body_buffer (self);
  guint n_chars = (guint) gtk_text_buffer_get_char_count (buffer);
  g_autofree char *words = NULL;
  g_autofree char *chars = NULL;
  g_autofree char *total_words = NULL;
  g_autofree char *total_chars = NULL;
  g_autofree char *label = NULL;
  GtkTextIter start, end;

  gtk_widget_set_visible (GTK_WIDGET (self->count_label), self->idea != NULL);
  if (self->idea == NULL)
    return;
  if (!self->words_known)
    {
      g_autofree char *text = dup_body_text (self);

      self->n_words = si_count_words (text, -1);
      self->words_known = TRUE;
    }
  total_words = si_format_count (self->n_words);
  total_chars = si_format_count (n_chars);

  if (gtk_text_buffer_get_selection_bounds (buffer, &start, &end))
    {
      g_autofree char *selected = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      g_autofree char *sel_words = si_format_count (si_count_words (selected, -1));
      g_autofree char *sel_chars = si_format_count ((guint) (gtk_text_iter_get_offset (&end) - gtk_text_iter_get_offset (&start)));

      /* Translators: words in the selection, of the idea's words: "12 of 345 words" */
      words = g_strdup_printf (ngettext ("%s of %s word", "%s of %s words", self->n_words), sel_words, total_words);
      /* Translators: characters in the selection, of the idea's: "60 of 2,000 characters" */
      chars = g_strdup_printf (ngettext ("%s of %s character", "%s of %s characters", n_chars), sel_chars, total_chars);
    }
  else
    {
      words = g_strdup_printf (ngettext ("%s word", "%s words", self->n_words), total_words);
      chars = g_strdup_printf (ngettext ("%s character", "%s characters", n_chars), total_chars);
    }
  /* Translators: the count under an idea's text: "345 words · 2,000 characters" */
  label = g_strdup_printf (C_("word count", "%s · %s"), words, chars);
  gtk_label_set_label (self->count_label, label);
}

static gboolean
count_timeout_cb (gpointer user_data)
{
  SiEditor *self = user_data;

  self->count_id = 0;
  update_count (self);
  return G_SOURCE_REMOVE;
}

/* At most one count per SI_EDITOR_COUNT_DELAY_MS, however fast the typing: a keystroke in a
 * long text costs no counting of its own. */
static void
count_soon (SiEditor *self)
{
  if (self->count_id == 0)
    self->count_id = g_timeout_add_full (G_PRIORITY_LOW, SI_EDITOR_COUNT_DELAY_MS, count_timeout_cb, self, NULL);
}

static void
body_changed_cb (SiEditor *self)
{
  self->words_known = FALSE;
  count_soon (self);
}

static void
body_mark_set_cb (GtkTextBuffer *buffer,
                  GtkTextIter   *location,
                  GtkTextMark   *mark,
                  SiEditor      *self)
{
  if (mark == gtk_text_buffer_get_insert (buffer) || mark == gtk_text_buffer_get_selection_bound (buffer))
    count_soon (self);
}

/* Find and replace ------------------------------------------------------------------------------ */

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SiEditor *self = SI_EDITOR (widget);

  if (g_str_equal (action_name, "editor.find"))
    si_find_bar_open (self->find_bar, FALSE);
  else if (g_str_equal (action_name, "editor.replace"))
    si_find_bar_open (self->find_bar, TRUE);
  else if (g_str_equal (action_name, "editor.find-next"))
    si_find_bar_next (self->find_bar);
  else
    si_find_bar_previous (self->find_bar);
}

/* Saving ---------------------------------------------------------------------------------------- */

static gboolean
same_text (SiIdea *a,
           SiIdea *b)
{
  return g_str_equal (si_idea_get_title (a), si_idea_get_title (b)) &&
         g_str_equal (si_idea_get_body (a), si_idea_get_body (b));
}

static void save_pending_cb (SiStore    *store,
                             const char *collection,
                             const char *uid,
                             gint64      version,
                             SiEditor   *self);

/* Whether what the widgets hold is not on disk yet. Only while it is, the editor listens to the
 * sync engine's SiStore::save-pending (a page of the server's versions is about to be written:
 * the edit is saved first, so that the store merges the two). The store emits it once per
 * record of a page, and not at all when nobody listens: a first sync of 100,000 ideas emitted
 * it 100,000 times on the main thread for an editor with nothing to save. */
static void
set_pending (SiEditor *self,
             gboolean  pending)
{
  self->pending = pending;
  if (pending && self->save_pending_id == 0 && self->store != NULL)
    self->save_pending_id = g_signal_connect_object (self->store, "save-pending::" SI_COLLECTION_IDEAS,
                                                     G_CALLBACK (save_pending_cb), self, 0);
  else if (!pending && self->save_pending_id != 0)
    g_clear_signal_handler (&self->save_pending_id, self->store);
}

/* Writes what the widgets hold; returns FALSE (and keeps the edit pending) when the store refused. */
static gboolean
save (SiEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  gboolean ok;

  g_clear_handle_id (&self->save_id, g_source_remove);
  if (self->idea == NULL || self->store == NULL || !self->pending)
    return TRUE;

  /* Written meanwhile by another program, and not heard of yet: merged first, not overwritten. */
  {
    g_autoptr(SiIdea) fresh = si_store_get_idea (self->store, si_idea_get_id (self->idea), NULL);

    if (fresh != NULL && !same_text (fresh, self->idea))
      take_fresh (self, fresh);
  }

  body = dup_body_text (self);
  si_idea_set_title (self->idea, gtk_editable_get_text (GTK_EDITABLE (self->title_entry)));
  si_idea_set_body (self->idea, body);

  g_debug ("Saving idea %" G_GINT64_FORMAT, si_idea_get_id (self->idea));
  self->saving = TRUE;
  ok = si_store_save_idea (self->store, self->idea, SI_SAVE_LOCAL, &error);
  if (!ok && g_error_matches (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND))
    {
      /* Deleted elsewhere while it was being edited: an edit wins over a deletion. */
      g_debug ("Idea %" G_GINT64_FORMAT " was deleted meanwhile; keeping the edit", si_idea_get_id (self->idea));
      g_clear_error (&error);
      ok = si_store_restore_idea (self->store, self->idea, &error);
    }
  self->saving = FALSE;

  if (!ok)
    {
      g_warning ("Could not save the idea: %s", error->message);
      show_error (self, error->message);
      return FALSE;
    }
  set_pending (self, FALSE);
  update_banner (self);
  return TRUE;
}

static gboolean
save_timeout_cb (gpointer user_data)
{
  SiEditor *self = user_data;

  self->save_id = 0;
  save (self);
  return G_SOURCE_REMOVE;
}

static void
edited (SiEditor *self)
{
  if (self->loading || self->idea == NULL)
    return;
  set_pending (self, TRUE);
  g_clear_handle_id (&self->save_id, g_source_remove);
  self->save_id = g_timeout_add_full (G_PRIORITY_DEFAULT, SI_EDITOR_SAVE_DELAY_MS, save_timeout_cb, self, NULL);
}

/**
 * si_editor_save_now:
 *
 * Writes any edit that is waiting for the typing to pause.
 *
 * Returns: FALSE when the store refused it (the editor shows why)
 */
gboolean
si_editor_save_now (SiEditor *self)
{
  g_return_val_if_fail (SI_IS_EDITOR (self), FALSE);
  return save (self);
}

gboolean
si_editor_has_pending (SiEditor *self)
{
  g_return_val_if_fail (SI_IS_EDITOR (self), FALSE);
  return self->pending;
}

/* Tags ------------------------------------------------------------------------------------------ */

static void
remove_tag_clicked (GtkButton *button,
                    SiEditor  *self)
{
  gint64 *id = g_object_get_data (G_OBJECT (button), "tag-id");
  si_editor_remove_tag (self, *id);
}

static void
rebuild_tag_chips (SiEditor *self)
{
  GtkWidget *add_child = gtk_widget_get_parent (GTK_WIDGET (self->add_tag_button));
  GtkWidget *child;
  const gint64 *ids;
  guint n = 0;
  int at = 0;

  /* Every child but the Add Tag button's, which stays last. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tag_box))) && child != add_child)
    gtk_flow_box_remove (self->tag_box, child);
  gtk_widget_set_focusable (add_child, FALSE);
  if (self->idea == NULL)
    return;

  ids = si_idea_get_tag_ids (self->idea, &n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SiTag) tag = si_store_get_tag (self->store, ids[i], NULL);
      g_autofree char *remove_label = NULL;
      GtkWidget *chip, *label, *button;

      if (tag == NULL)
        continue;
      chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      gtk_widget_add_css_class (chip, "tag-chip");
      /* As wide as its name, also alone on a line of the flow box (not stretched across it). */
      gtk_widget_set_halign (chip, GTK_ALIGN_START);
      label = gtk_label_new (si_tag_get_name (tag));
      /* Cut only when the chip alone is wider than the line, with the name in a tooltip: a
       * long tag must not widen the editor's minimum, which folds the window to one pane
       * as soon as such an idea is opened. */
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_set_tooltip_text (label, si_tag_get_name (tag));
      gtk_box_append (GTK_BOX (chip), label);
      button = gtk_button_new_from_icon_name ("window-close-symbolic");
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "circular");
      remove_label = g_strdup_printf (_("Remove the tag %s"), si_tag_get_name (tag));
      gtk_widget_set_tooltip_text (button, remove_label);
      g_object_set_data_full (G_OBJECT (button), "tag-id", g_memdup2 (&ids[i], sizeof ids[i]), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (remove_tag_clicked), self, 0);
      gtk_box_append (GTK_BOX (chip), button);
      gtk_flow_box_insert (self->tag_box, chip, at++);
      gtk_widget_set_focusable (gtk_widget_get_parent (chip), FALSE);
    }
}

static gboolean
save_tags_and_pin (SiEditor *self)
{
  /* Title and text go along, so the disk holds exactly what is shown. */
  set_pending (self, TRUE);
  if (!save (self))
    return FALSE;
  rebuild_tag_chips (self);
  return TRUE;
}

/**
 * si_editor_add_tag:
 * @name: a tag's name; the tag is made when there is none of that name
 *
 * Returns: FALSE with a store error when the name is refused
 */
gboolean
si_editor_add_tag (SiEditor    *self,
                   const char  *name,
                   GError     **error)
{
  g_autoptr(SiTag) tag = NULL;
  g_autofree char *stripped = NULL;

  g_return_val_if_fail (SI_IS_EDITOR (self), FALSE);
  g_return_val_if_fail (self->idea != NULL, FALSE);

  stripped = si_tag_name_from_input (name);
  if (!(tag = si_store_ensure_tag (self->store, stripped, error)))
    return FALSE;
  if (si_idea_has_tag (self->idea, si_tag_get_id (tag)))
    return TRUE;
  si_idea_add_tag (self->idea, si_tag_get_id (tag));
  return save_tags_and_pin (self);
}

void
si_editor_remove_tag (SiEditor *self,
                      gint64    tag_id)
{
  g_return_if_fail (SI_IS_EDITOR (self));

  if (self->idea == NULL || !si_idea_has_tag (self->idea, tag_id))
    return;
  si_idea_remove_tag (self->idea, tag_id);
  save_tags_and_pin (self);
}

static void
fill_suggestions (SiEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->tag_entry));
  g_autofree char *needle = g_utf8_casefold (text, -1);
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  gboolean exact = FALSE;
  GtkWidget *child;
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tag_suggestions))))
    gtk_list_box_remove (self->tag_suggestions, child);
  if (self->all_tags == NULL || self->idea == NULL)
    return;

  for (guint i = 0; i < self->all_tags->len && shown < 8; i++)
    {
      SiTag *tag = g_ptr_array_index (self->all_tags, i);
      g_autofree char *name = g_utf8_casefold (si_tag_get_name (tag), -1);
      GtkWidget *row, *label;

      if (g_str_equal (name, g_strstrip (needle)))
        exact = TRUE;
      if (si_idea_has_tag (self->idea, si_tag_get_id (tag)) || strstr (name, g_strstrip (needle)) == NULL)
        continue;
      label = gtk_label_new (si_tag_get_name (tag));
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      row = gtk_list_box_row_new ();
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      gtk_widget_add_css_class (label, "tag-suggestion");
      g_object_set_data_full (G_OBJECT (row), "tag-name", g_strdup (si_tag_get_name (tag)), g_free);
      gtk_list_box_append (self->tag_suggestions, row);
      shown++;
    }

  if (stripped[0] && !exact)
    {
      g_autofree char *create = g_strdup_printf (_("Create “%s”"), stripped);
      GtkWidget *label = gtk_label_new (create);
      GtkWidget *row = gtk_list_box_row_new ();

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (label, "tag-suggestion");
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      g_object_set_data_full (G_OBJECT (row), "tag-name", g_strdup (stripped), g_free);
      gtk_list_box_append (self->tag_suggestions, row);
      shown++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->tag_suggestions), shown > 0);
}

static void
tag_popover_show_cb (SiEditor *self)
{
  g_clear_pointer (&self->all_tags, g_ptr_array_unref);
  self->all_tags = si_store_list_tags (self->store, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->tag_entry), "");
  fill_suggestions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->tag_entry));
}

static void
tag_entry_changed_cb (SiEditor *self)
{
  fill_suggestions (self);
}

static void
add_tag_from_popover (SiEditor   *self,
                      const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (name));

  if (stripped[0] == '\0' || self->idea == NULL)
    return;
  if (!si_editor_add_tag (self, stripped, &error))
    {
      g_signal_emit (self, signals[SHOW_MESSAGE], 0, error->message);
      return;
    }
  gtk_popover_popdown (self->tag_popover);
}

static void
tag_entry_activate_cb (SiEditor *self)
{
  add_tag_from_popover (self, gtk_editable_get_text (GTK_EDITABLE (self->tag_entry)));
}

static void
tag_suggestion_activated_cb (SiEditor      *self,
                             GtkListBoxRow *row)
{
  add_tag_from_popover (self, g_object_get_data (G_OBJECT (row), "tag-name"));
}

/* Pin ------------------------------------------------------------------------------------------- */

static gboolean
get_pinned (SiEditor *self)
{
  return self->idea != NULL && si_idea_get_pinned (self->idea);
}

void
si_editor_set_pinned (SiEditor *self,
                      gboolean  pinned)
{
  g_return_if_fail (SI_IS_EDITOR (self));

  if (self->idea == NULL || get_pinned (self) == !!pinned)
    return;
  si_idea_set_pinned (self->idea, pinned);
  save_tags_and_pin (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED]);
}

/* Conflicts ------------------------------------------------------------------------------------- */

static void
emit_message_for_error (SiEditor *self,
                        GError   *error)
{
  g_warning ("Could not resolve the conflict: %s", error->message);
  g_signal_emit (self, signals[SHOW_MESSAGE], 0, error->message);
}

/**
 * si_editor_resolve:
 * @choice: "this" (this copy replaces the other version), "other" (this copy goes), or "both"
 *   (this copy becomes an idea of its own)
 *
 * Settles the conflicted copy shown in the editor, then asks the window to open the idea that
 * remains.
 */
void
si_editor_resolve (SiEditor   *self,
                   const char *choice)
{
  g_autoptr(GError) error = NULL;
  SiConflictChoice how = SI_CONFLICT_KEEP_BOTH;
  gint64 copy_id, open_id = 0;

  g_return_if_fail (SI_IS_EDITOR (self));

  if (self->idea == NULL || si_idea_get_conflict_of (self->idea) == 0)
    return;
  if (!save (self))
    return;

  if (g_str_equal (choice, "this"))
    how = SI_CONFLICT_KEEP_COPY;
  else if (g_str_equal (choice, "other"))
    how = SI_CONFLICT_KEEP_OTHER;
  copy_id = si_idea_get_id (self->idea);

  si_editor_set_idea (self, NULL);
  if (!si_store_resolve_conflict (self->store, copy_id, how, &open_id, &error))
    {
      emit_message_for_error (self, error);
      return;
    }
  g_signal_emit (self, signals[OPEN_IDEA], 0, open_id);
}

static void
compare_chosen_cb (SiCompareWindow *window,
                   const char      *choice,
                   SiEditor        *self)
{
  si_editor_resolve (self, choice);
}

static void
compare_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SiEditor *self = SI_EDITOR (widget);
  g_autoptr(SiIdea) other = NULL;
  SiCompareWindow *window;

  if (self->idea == NULL || !save (self))
    return;
  other = si_store_get_idea (self->store, si_idea_get_conflict_of (self->idea), NULL);
  if (other == NULL)
    {
      g_signal_emit (self, signals[SHOW_MESSAGE], 0, _("The other version was deleted"));
      return;
    }
  window = si_compare_window_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->idea, other);
  g_signal_connect_object (window, "chosen", G_CALLBACK (compare_chosen_cb), self, 0);
  gtk_window_present (GTK_WINDOW (window));
}

static void
keep_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  si_editor_resolve (SI_EDITOR (widget), action_name + strlen ("editor.keep-"));
}

/* Loading --------------------------------------------------------------------------------------- */

static void
load_idea (SiEditor *self)
{
  const char *title = self->idea ? si_idea_get_title (self->idea) : "";
  const char *body = self->idea ? si_idea_get_body (self->idea) : "";
  g_autofree char *shown_body = dup_body_text (self);

  if (self->idea)
    ensure_highlighting (self);
  self->loading = TRUE;
  if (!g_str_equal (gtk_editable_get_text (GTK_EDITABLE (self->title_entry)), title))
    gtk_editable_set_text (GTK_EDITABLE (self->title_entry), title);
  /* Another idea's text is not a step to undo: each idea opened starts a history of its own. */
  gtk_text_buffer_begin_irreversible_action (body_buffer (self));
  if (!g_str_equal (shown_body, body))
    {
      GtkTextIter start;

      gtk_text_buffer_set_text (body_buffer (self), body, -1);
      gtk_text_buffer_get_start_iter (body_buffer (self), &start);
      gtk_text_buffer_place_cursor (body_buffer (self), &start);
    }
  gtk_text_buffer_end_irreversible_action (body_buffer (self));
  self->loading = FALSE;
  self->words_known = FALSE;
  g_clear_handle_id (&self->count_id, g_source_remove);
  update_count (self);

  rebuild_tag_chips (self);
  update_banner (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_tag_button), self->idea != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED]);
}

/* Changes on disk ------------------------------------------------------------------------------ */

/* Turns what the body shows into @text with only the edits that differ, as one step of the undo
 * history, so that the cursor, the selection and the undo steps before it keep their places. */
static void
apply_body (SiEditor   *self,
            const char *text)
{
  GtkTextBuffer *buffer = body_buffer (self);
  g_autofree char *shown = dup_body_text (self);
  g_autoptr(GArray) edits = si_merge_diff_text (shown, text);
  g_autofree int *offsets = NULL;
  gsize byte = 0;
  int offset = 0;

  if (edits->len == 0)
    return;
  /* Character offsets of each edit's ends, counted once from the start. */
  offsets = g_new (int, edits->len * 2);
  for (guint i = 0; i < edits->len * 2; i++)
    {
      const SiTextEdit *edit = &g_array_index (edits, SiTextEdit, i / 2);
      gsize at = i % 2 == 0 ? edit->start : edit->start + edit->old_len;

      offset += (int) g_utf8_strlen (shown + byte, (gssize) (at - byte));
      byte = at;
      offsets[i] = offset;
    }

  gtk_text_buffer_begin_user_action (buffer);
  for (guint i = edits->len; i-- > 0;)
    {
      const SiTextEdit *edit = &g_array_index (edits, SiTextEdit, i);
      GtkTextIter start, end;

      gtk_text_buffer_get_iter_at_offset (buffer, &start, offsets[i * 2]);
      gtk_text_buffer_get_iter_at_offset (buffer, &end, offsets[i * 2 + 1]);
      if (edit->old_len > 0)
        gtk_text_buffer_delete (buffer, &start, &end);
      if (edit->new_len > 0)
        gtk_text_buffer_insert (buffer, &start, text + edit->new_start, (int) edit->new_len);
    }
  gtk_text_buffer_end_user_action (buffer);
}

/* The same for the title: the cursor stays where it was in the words around it. */
static void
apply_title (SiEditor   *self,
             const char *text)
{
  GtkEditable *editable = GTK_EDITABLE (self->title_entry);
  g_autofree char *shown = g_strdup (gtk_editable_get_text (editable));
  g_autoptr(GArray) edits = si_merge_diff_text (shown, text);

  for (guint i = edits->len; i-- > 0;)
    {
      const SiTextEdit *edit = &g_array_index (edits, SiTextEdit, i);
      int start = (int) g_utf8_strlen (shown, (gssize) edit->start);
      int end = start + (int) g_utf8_strlen (shown + edit->start, (gssize) edit->old_len);

      if (edit->old_len > 0)
        gtk_editable_delete_text (editable, start, end);
      if (edit->new_len > 0)
        gtk_editable_insert_text (editable, text + edit->new_start, (int) edit->new_len, &start);
    }
}

/* Merges the title and text on disk (@fresh) into what the widgets show, against what the
 * editor last read or wrote (self->idea): a side that did not change a field takes the other's,
 * and a text changed on both sides merges line by line. FALSE when the changes overlap. */
static gboolean
merge_into_widgets (SiEditor *self,
                    SiIdea   *fresh)
{
  const char *base_title = si_idea_get_title (self->idea);
  const char *title = gtk_editable_get_text (GTK_EDITABLE (self->title_entry));
  const char *fresh_title = si_idea_get_title (fresh);
  g_autofree char *body = dup_body_text (self);
  g_autofree char *merged_body = NULL;
  g_autofree char *merged_title = NULL;

  if (g_str_equal (title, base_title) || g_str_equal (title, fresh_title))
    merged_title = g_strdup (fresh_title);
  else if (g_str_equal (fresh_title, base_title))
    merged_title = g_strdup (title);
  else
    return FALSE;
  if (!si_merge_text (si_idea_get_body (self->idea), body, si_idea_get_body (fresh), &merged_body))
    return FALSE;

  self->loading = TRUE;
  apply_title (self, merged_title);
  apply_body (self, merged_body);
  self->loading = FALSE;
  return TRUE;
}

/* The conflicted copy of idea @of that holds @idea's title and text: what the sync engine makes
 * when the edit saved here and the server's overlap. The newest, or NULL. */
static SiIdea *
find_conflicted_copy (SiEditor *self,
                      gint64    of,
                      SiIdea   *idea)
{
  SiIdeaFilter conflicts = { .conflicts_only = TRUE };
  g_autoptr(GArray) keys = si_store_query_ideas (self->store, &conflicts, NULL);
  SiIdea *found = NULL;

  for (guint i = 0; keys != NULL && i < keys->len; i++)
    {
      g_autoptr(SiIdea) copy = si_store_get_idea (self->store, g_array_index (keys, SiIdeaKey, i).id, NULL);

      if (copy != NULL && si_idea_get_conflict_of (copy) == of &&
          g_str_equal (si_idea_get_title (copy), si_idea_get_title (idea)) &&
          g_str_equal (si_idea_get_body (copy), si_idea_get_body (idea)) &&
          (found == NULL || si_idea_get_id (copy) > si_idea_get_id (found)))
        g_set_object (&found, copy);
    }
  return found;
}

static void
conflict_toast_dismissed_cb (AdwToast *toast,
                             SiEditor *self)
{
  if (self->conflict_toast == toast)
    self->conflict_toast = NULL;
}

static void
conflict_toast_compare_cb (AdwToast *toast,
                           SiEditor *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "editor.compare", NULL);
}

/* "Changed on another device — Compare", in the window's toast overlay. */
static void
show_conflict_toast (SiEditor *self)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  AdwToast *toast;

  if (overlay == NULL)
    return;
  if (self->conflict_toast)
    adw_toast_dismiss (self->conflict_toast);
  /* Translators: a toast when a sync brought another version of the idea being edited; the
   * editor keeps what was typed here */
  toast = adw_toast_new (_("Changed on another device"));
  /* Translators: the button of the toast "Changed on another device": opens the two versions */
  adw_toast_set_button_label (toast, _("_Compare"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (conflict_toast_compare_cb), self, 0);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (conflict_toast_dismissed_cb), self, 0);
  self->conflict_toast = toast;
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

/* The typed text lives on in @copy: the editor goes on editing it, without touching the words
 * shown (what is still waiting is saved into the copy). */
static void
switch_to_copy (SiEditor *self,
                SiIdea   *copy)
{
  g_debug ("Idea %" G_GINT64_FORMAT " changed on both sides; editing its conflicted copy %" G_GINT64_FORMAT,
           si_idea_get_id (self->idea), si_idea_get_id (copy));
  g_set_object (&self->idea, copy);
  rebuild_tag_chips (self);
  update_banner (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDEA]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED]);
  show_conflict_toast (self);
}

/* Another program changed the idea while an edit waited here (before a sync, the edit is saved
 * first, so the store decides), and the changes overlap: as a sync does it, the other version
 * stays in place and what is typed here becomes its conflicted copy. NULL when the store
 * refused; then what is typed stays and is saved over the other version, as before. */
static SiIdea *
keep_typed_as_copy (SiEditor *self)
{
  g_autofree char *body = dup_body_text (self);
  g_autoptr(SiIdea) copy = si_idea_new (gtk_editable_get_text (GTK_EDITABLE (self->title_entry)), body);
  g_autoptr(GError) error = NULL;
  const gint64 *tags;
  guint n_tags = 0;
  gboolean ok;

  tags = si_idea_get_tag_ids (self->idea, &n_tags);
  si_idea_set_tag_ids (copy, tags, n_tags);
  si_idea_set_pinned (copy, si_idea_get_pinned (self->idea));
  self->saving = TRUE;
  ok = si_store_save_conflicted_copy (self->store, copy, si_idea_get_id (self->idea), &error);
  self->saving = FALSE;
  if (!ok)
    {
      g_warning ("Could not keep the idea's text as a conflicted copy: %s", error->message);
      return NULL;
    }
  return g_steal_pointer (&copy);
}

/* @fresh is the idea as it is on disk now. */
static void
take_fresh (SiEditor *self,
            SiIdea   *fresh)
{
  if (!same_text (fresh, self->idea))
    {
      g_autoptr(SiIdea) copy = find_conflicted_copy (self, si_idea_get_id (self->idea), self->idea);

      if (copy != NULL)
        {
          switch_to_copy (self, copy);
          return;
        }
      if (!merge_into_widgets (self, fresh) && (copy = keep_typed_as_copy (self)) != NULL)
        {
          switch_to_copy (self, copy);
          return;
        }
    }

  g_set_object (&self->idea, fresh);
  rebuild_tag_chips (self);
  update_banner (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED]);
}

static void
store_changed_cb (SiStore    *store,
                  const char *collection,
                  gint64      id,
                  SiEditor   *self)
{
  g_autoptr(SiIdea) fresh = NULL;

  if (self->idea == NULL || self->saving || (id != 0 && id != si_idea_get_id (self->idea)))
    return;

  fresh = si_store_get_idea (store, si_idea_get_id (self->idea), NULL);
  if (fresh == NULL)
    {
      /* Deleted by another program (or by sync): nothing left to edit, unless something typed
       * is waiting (an edit wins over a deletion: it is saved in a moment). */
      if (!self->pending)
        si_editor_set_idea (self, NULL);
      return;
    }
  take_fresh (self, fresh);
}

/* The sync engine is about to write the server's @version of idea @uid: what is typed goes to
 * disk first, so that the store merges it with that version. */
static void
save_pending_cb (SiStore    *store,
                 const char *collection,
                 const char *uid,
                 gint64      version,
                 SiEditor   *self)
{
  if (self->pending && self->idea != NULL && version > si_idea_get_version (self->idea) &&
      g_strcmp0 (uid, si_idea_get_uid (self->idea)) == 0)
    save (self);
}

SiIdea *
si_editor_get_idea (SiEditor *self)
{
  g_return_val_if_fail (SI_IS_EDITOR (self), NULL);
  return self->idea;
}

/**
 * si_editor_set_idea:
 * @idea: (nullable): the idea to edit; the editor keeps its own copy
 *
 * Saves what was typed in the previous idea first (and drops it if it is a new idea left blank).
 */
void
si_editor_set_idea (SiEditor *self,
                    SiIdea   *idea)
{
  g_autoptr(SiIdea) copy = NULL;

  g_return_if_fail (SI_IS_EDITOR (self));
  g_return_if_fail (idea == NULL || SI_IS_IDEA (idea));

  if (self->idea && idea && si_idea_get_id (self->idea) == si_idea_get_id (idea))
    return;

  if (self->idea)
    {
      save (self);
      if (!self->pending && si_idea_is_blank_new (self->idea))
        {
          g_autoptr(GError) error = NULL;
          if (!si_store_delete_idea (self->store, si_idea_get_id (self->idea), SI_SAVE_LOCAL, &error))
            g_debug ("Could not drop a blank idea: %s", error->message);
        }
    }
  g_clear_handle_id (&self->save_id, g_source_remove);
  set_pending (self, FALSE);

  /* An idea of our own: the list's copies are shared between rows. */
  if (idea && si_idea_get_id (idea) != 0)
    copy = si_store_get_idea (self->store, si_idea_get_id (idea), NULL);
  g_set_object (&self->idea, copy);
  load_idea (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDEA]);
}

SiStore *
si_editor_get_store (SiEditor *self)
{
  g_return_val_if_fail (SI_IS_EDITOR (self), NULL);
  return self->store;
}

void
si_editor_set_store (SiEditor *self,
                     SiStore  *store)
{
  g_return_if_fail (SI_IS_EDITOR (self));

  if (self->store == store)
    return;
  /* Nothing is pending after this: set_pending() has stopped listening for save-pending. */
  si_editor_set_idea (self, NULL);
  if (self->store)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_set_object (&self->store, store);
  if (store)
    self->changed_id = g_signal_connect_object (store, "changed::" SI_COLLECTION_IDEAS,
                                                G_CALLBACK (store_changed_cb), self, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

void
si_editor_focus_title (SiEditor *self)
{
  g_return_if_fail (SI_IS_EDITOR (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->title_entry));
}

void
si_editor_focus_body (SiEditor *self)
{
  g_return_if_fail (SI_IS_EDITOR (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->body_view));
}

static void
title_activate_cb (SiEditor *self)
{
  si_editor_focus_body (self);
}

/**
 * si_editor_get_spell_checker:
 *
 * Returns: (transfer none): the body's spell checker, whose actions and menu the window shows
 */
SiSpellChecker *
si_editor_get_spell_checker (SiEditor *self)
{
  g_return_val_if_fail (SI_IS_EDITOR (self), NULL);

  return self->spell_checker;
}

/* Test accessors */
GtkEditable *
_si_editor_get_title_editable (SiEditor *self)
{
  return GTK_EDITABLE (self->title_entry);
}

GtkTextBuffer *
_si_editor_get_body_buffer (SiEditor *self)
{
  return body_buffer (self);
}

GtkWidget *
_si_editor_get_conflict_banner (SiEditor *self)
{
  return GTK_WIDGET (self->conflict_revealer);
}

GtkWidget *
_si_editor_get_tag_box (SiEditor *self)
{
  return GTK_WIDGET (self->tag_box);
}

GtkWidget *
_si_editor_get_add_tag_button (SiEditor *self)
{
  return GTK_WIDGET (self->add_tag_button);
}

SiFindBar *
_si_editor_get_find_bar (SiEditor *self)
{
  return self->find_bar;
}

GtkLabel *
_si_editor_get_count_label (SiEditor *self)
{
  return self->count_label;
}

/* GObject --------------------------------------------------------------------------------------- */

static void
si_editor_dispose (GObject *object)
{
  SiEditor *self = SI_EDITOR (object);
  GtkWidget *child;

  /* The last keystrokes reach the disk even when the window is simply destroyed. */
  if (self->store)
    si_editor_set_store (self, NULL);
  g_clear_handle_id (&self->save_id, g_source_remove);
  g_clear_handle_id (&self->count_id, g_source_remove);
  g_clear_object (&self->idea);
  g_clear_pointer (&self->all_tags, g_ptr_array_unref);
  g_clear_object (&self->spell_checker);
  gtk_widget_dispose_template (GTK_WIDGET (self), SI_TYPE_EDITOR);
  /* The template's unnamed root box is ours to remove. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (si_editor_parent_class)->dispose (object);
}

static void
si_editor_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SiEditor *self = SI_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE: g_value_set_object (value, self->store); break;
    case PROP_IDEA: g_value_set_object (value, self->idea); break;
    case PROP_PINNED: g_value_set_boolean (value, get_pinned (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_editor_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  SiEditor *self = SI_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE: si_editor_set_store (self, g_value_get_object (value)); break;
    case PROP_PINNED: si_editor_set_pinned (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_editor_class_init (SiEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = si_editor_dispose;
  object_class->get_property = si_editor_get_property;
  object_class->set_property = si_editor_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, SI_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_IDEA] =
    g_param_spec_object ("idea", NULL, NULL, SI_TYPE_IDEA,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PINNED] =
    g_param_spec_boolean ("pinned", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SiEditor::open-idea:
   * @id: the idea to show next, or 0 for none
   *
   * A conflict was settled; the idea that remains should be shown.
   */
  signals[OPEN_IDEA] = g_signal_new ("open-idea", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  /**
   * SiEditor::show-message:
   * @message: something went wrong that a person should know about
   */
  signals[SHOW_MESSAGE] = g_signal_new ("show-message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (SI_TYPE_TITLE_VIEW);
  g_type_ensure (SI_TYPE_FIND_BAR);
  ensure_source_view ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/saveidea/Saveidea/si-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, SiEditor, conflict_revealer);
  gtk_widget_class_bind_template_child (widget_class, SiEditor, conflict_banner);
  gtk_widget_class_bind_template_child (widget_class, SiEditor, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, SiEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, SiEditor, title_entry);
  gtk_widget_class_bind_template_child (widget_class, SiEditor, tag_box);
  gtk_widget_class_bind_template_child (widget_class, SiEditor, add_tag_button);
  gtk_widget_class_bind_template_child (widget_class, SiEditor, tag_popover);
  gtk_widget_class_bind_template_child (widget_class, SiEditor, tag_entry);
  gtk_widget_class_bind_template_child (widget_class, SiEditor, tag_suggestions);
  gtk_widget_class_bind_template_child (widget_class, SiEditor, body_view);
  gtk_widget_class_bind_template_child (widget_class, SiEditor, find_bar);
  gtk_widget_class_bind_template_child (widget_class, SiEditor, count_label);
  gtk_widget_class_bind_template_callback (widget_class, tag_popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, tag_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, tag_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, tag_suggestion_activated_cb);

  gtk_widget_class_install_action (widget_class, "editor.compare", NULL, compare_action);
  gtk_widget_class_install_action (widget_class, "editor.keep-this", NULL, keep_action);
  gtk_widget_class_install_action (widget_class, "editor.keep-other", NULL, keep_action);
  gtk_widget_class_install_action (widget_class, "editor.keep-both", NULL, keep_action);
  gtk_widget_class_install_action (widget_class, "editor.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "editor.replace", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "editor.find-next", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "editor.find-previous", NULL, find_action);
  /* In the editor, Ctrl+F finds in the idea; the window's Ctrl+F searches the list. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "editor.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_h, GDK_CONTROL_MASK, "editor.replace", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK, "editor.find-next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "editor.find-previous", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ideaeditor");
}

static void
si_editor_init (SiEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  setup_source_buffer (self);

  g_signal_connect_object (self->title_entry, "changed", G_CALLBACK (edited), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->title_entry, "activate", G_CALLBACK (title_activate_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (body_buffer (self), "changed", G_CALLBACK (edited), self, G_CONNECT_SWAPPED);
  self->spell_checker = si_spell_checker_new (self->body_view);
  si_markdown_editing_attach (GTK_TEXT_VIEW (self->body_view));
  g_signal_connect_object (body_buffer (self), "changed", G_CALLBACK (body_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (body_buffer (self), "mark-set", G_CALLBACK (body_mark_set_cb), self, 0);
  si_find_bar_set_view (self->find_bar, GTK_SOURCE_VIEW (self->body_view));
  load_idea (self);
}
