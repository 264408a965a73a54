/* si-spell-checker.c — spell checking as you type in any GtkTextView, with enchant-2.
 *
 * What needs checking carries an invisible "unchecked" tag: an edit tags its lines, a new
 * language or dictionary word tags what it may change. An idle source checks the tagged text
 * in chunks with a time budget, the visible part first, so a long idea never holds up typing.
 * A misspelt word gets an error-underline tag; the word the cursor is typing at the end of is
 * left alone until the cursor leaves it. Markdown code spans, fence lines, URLs and e-mail
 * addresses are skipped, and so is whatever a GtkSourceBuffer's highlighting marks with the
 * "no-spell-check" context class (fenced code blocks, link targets).
 *
 * The language is the user's choice, or, left automatic, the dictionary of the locale's
 * languages (g_get_language_names()) or of another installed language that accepts the most
 * words at the start of the text. Without a dictionary nothing is underlined and the menu
 * says so; enchant without providers or dictionaries is no error.
 *
 * The actions ("spelling.enabled", "spelling.language", and for the context menu
 * "spelling.replace", "spelling.add-word", "spelling.ignore-word") are in a GActionGroup the
 * checker inserts into its view, and the owner may insert into an ancestor too (the window
 * does, for the idea menu). */
#define G_LOG_DOMAIN "saveidea-spell"

#include "config.h"

#include <adwaita.h>
#include <enchant.h>
#include <glib/gi18n.h>
#include <string.h>

#include "si-spell-checker.h"

/* How long one idle pass may check, how much text one step takes at most, and how far around
 * an edit the line is checked again (a backtick typed changes what the rest of the line is). */
#define CHECK_BUDGET_USEC   3000
#define CHUNK_CHARS         200
#define LINE_WINDOW_CHARS   2000
/* The start of the text the automatic language is chosen from, and how many languages it
 * weighs (each is a dictionary loaded into memory). */
#define DETECT_SAMPLE_CHARS 4000
#define DETECT_MIN_WORDS    5
#define DETECT_ENOUGH_WORDS 20
#define DETECT_MAX_LANGUAGES 4
/* Longer "words" are not words, and the language menu lists at most this many. */
#define MAX_WORD_BYTES      100
#define MAX_MENU_LANGUAGES  60

/* A GtkSourceBuffer's tag for text its language says is not prose. */
#define NO_SPELL_CHECK_TAG "gtksourceview:context-classes:no-spell-check"

struct _SiSpellChecker
{
  GObject             parent_instance;

  GtkTextView        *view;          /* weak */
  GtkTextBuffer      *buffer;        /* owned, while attached */
  GtkTextTag         *misspelt_tag;
  GtkTextTag         *unchecked_tag;
  GtkEventController *click;
  GtkEventController *keys;

  gboolean            enabled;
  char               *language;      /* the user's choice; "" for automatic */
  char               *active;        /* the dictionary in use, or NULL */
  EnchantDict        *dict;          /* the shared one for @active */
  gboolean            detect_pending;
  guint               idle_id;
  GtkTextMark        *deferred;      /* the start of the word the cursor is typing */

  GSimpleActionGroup *actions;
  GMenu              *menu;          /* Check Spelling and the language submenu */
  GMenu              *language_menu;
  GMenu              *context_menu;  /* the view's extra menu */
  char               *menu_word;     /* the misspelt word the context menu is about */
  GtkTextMark        *menu_start;
  GtkTextMark        *menu_end;
};

G_DEFINE_FINAL_TYPE (SiSpellChecker, si_spell_checker, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ENABLED,
  PROP_LANGUAGE,
  PROP_ACTIVE_LANGUAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void schedule (SiSpellChecker *self);
static void update_language_menu (SiSpellChecker *self);

/* The process's enchant broker and dictionaries --------------------------------------------- */

static EnchantBroker *broker;
static GHashTable    *dicts;      /* tag → EnchantDict, or the tag → NULL of one that failed */
static GPtrArray     *available;  /* the installed dictionaries' tags, sorted */
static gboolean       broker_tried;

static void
describe_dict_cb (const char * const lang_tag,
                  const char * const provider_name,
                  const char * const provider_desc,
                  const char * const provider_file,
                  void              *user_data)
{
  GPtrArray *tags = user_data;

  if (lang_tag == NULL || !g_utf8_validate (lang_tag, -1, NULL) || strlen (lang_tag) > 64)
    return;
  if (!g_ptr_array_find_with_equal_func (tags, lang_tag, g_str_equal, NULL))
    g_ptr_array_add (tags, g_strdup (lang_tag));
}

static int
compare_tags (gconstpointer a,
              gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static EnchantBroker *
get_broker (void)
{
  if (!broker_tried)
    {
      broker_tried = TRUE;
      broker = enchant_broker_init ();
      dicts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      available = g_ptr_array_new_with_free_func (g_free);
      if (broker == NULL)
        g_debug ("enchant could not start: no spell checking");
      else
        enchant_broker_list_dicts (broker, describe_dict_cb, available);
      g_ptr_array_sort (available, compare_tags);
      g_debug ("%u spelling dictionaries", available->len);
    }
  return broker;
}

static gboolean
is_available (const char *tag)
{
  get_broker ();
  return tag != NULL && g_ptr_array_find_with_equal_func (available, tag, g_str_equal, NULL);
}

static EnchantDict *
get_dict (const char *tag)
{
  EnchantDict *dict = NULL;

  if (get_broker () == NULL || !is_available (tag))
    return NULL;
  if (g_hash_table_lookup_extended (dicts, tag, NULL, (gpointer *) &dict))
    return dict;
  dict = enchant_broker_request_dict (broker, tag);
  if (dict == NULL)
    g_debug ("No dictionary for %s: %s", tag, enchant_broker_get_error (broker));
  g_hash_table_insert (dicts, g_strdup (tag), dict);
  return dict;
}

/* "de" of "de_DE". */
static char *
language_of (const char *tag)
{
  return g_strndup (tag, strcspn (tag, "_-.@"));
}

/* The installed dictionary for a locale name ("de_DE.UTF-8", "de"): the same, else one of its
 * language, the language's home country first (de_DE before de_AT). */
static const char *
dict_for_locale (const char *name)
{
  g_autofree char *tag = g_strndup (name, strcspn (name, ".@"));
  g_autofree char *lang = language_of (tag);
  g_autofree char *upper = g_ascii_strup (lang, -1);
  g_autofree char *home = g_strdup_printf ("%s_%s", lang, upper);
  const char *found = NULL;

  if (*lang == '\0' || g_str_equal (tag, "C") || g_str_equal (tag, "POSIX"))
    return NULL;
  get_broker ();
  for (guint i = 0; i < available->len; i++)
    {
      const char *candidate = g_ptr_array_index (available, i);
      g_autofree char *candidate_lang = language_of (candidate);

      if (g_str_equal (candidate, tag))
        return candidate;
      if (g_str_equal (candidate_lang, lang) && (found == NULL || g_str_equal (candidate, home)))
        found = candidate;
    }
  return found;
}

/* The dictionaries the automatic language chooses from: the locale's first, then one for each
 * other installed language, at most DETECT_MAX_LANGUAGES. */
static GPtrArray *
candidate_dicts (void)
{
  GPtrArray *tags = g_ptr_array_new ();
  const char * const *names = g_get_language_names ();

  get_broker ();
  for (guint i = 0; names[i] != NULL && tags->len < DETECT_MAX_LANGUAGES; i++)
    {
      const char *tag = dict_for_locale (names[i]);

      if (tag && !g_ptr_array_find_with_equal_func (tags, tag, g_str_equal, NULL))
        g_ptr_array_add (tags, (gpointer) tag);
    }
  for (guint i = 0; i < available->len && tags->len < DETECT_MAX_LANGUAGES; i++)
    {
      g_autofree char *lang = language_of (g_ptr_array_index (available, i));
      const char *tag = dict_for_locale (lang);
      gboolean same_language = FALSE;

      for (guint j = 0; j < tags->len; j++)
        {
          g_autofree char *other = language_of (g_ptr_array_index (tags, j));
          same_language |= g_str_equal (lang, other);
        }
      if (!same_language)
        g_ptr_array_add (tags, (gpointer) tag);
    }
  return tags;
}

/* "German (de_DE)" for the menu. */
static char *
describe_language (const char *tag)
{
  static const struct { const char *code; const char *name; } names[] = {
    { "ca", N_("Catalan") },    { "cs", N_("Czech") },      { "da", N_("Danish") },
    { "de", N_("German") },     { "el", N_("Greek") },      { "en", N_("English") },
    { "es", N_("Spanish") },    { "fi", N_("Finnish") },    { "fr", N_("French") },
    { "hu", N_("Hungarian") },  { "it", N_("Italian") },    { "nb", N_("Norwegian Bokmål") },
    { "nl", N_("Dutch") },      { "pl", N_("Polish") },     { "pt", N_("Portuguese") },
    { "ro", N_("Romanian") },   { "ru", N_("Russian") },    { "sv", N_("Swedish") },
    { "tr", N_("Turkish") },    { "uk", N_("Ukrainian") },
  };
  g_autofree char *lang = language_of (tag);

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i].code, lang))
      return g_strdup_printf ("%s (%s)", _(names[i].name), tag);
  return g_strdup (tag);
}

/* Menu labels are mnemonic: a word's underscores are its own. */
static char *
escape_mnemonic (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, "_", -1);

  return g_strjoinv ("__", parts);
}

/* Which words are checked ------------------------------------------------------------------ */

typedef struct { int start, end; } Range;

/* The parts of a line (or of a window into a long one, @text, starting at the line's start if
 * @at_line_start) that are not prose: `code spans`, fence lines, URLs and e-mail addresses.
 * In character offsets into @text. */
static GArray *
find_skips (const char *text,
            gboolean    at_line_start)
{
  GArray *skips = g_array_new (FALSE, FALSE, sizeof (Range));
  const char *p = text;
  int i = 0;

  if (at_line_start)
    {
      const char *q = text;

      while (*q == ' ' && q - text < 3)
        q++;
      if (g_str_has_prefix (q, "```") || g_str_has_prefix (q, "~~~"))
        {
          Range all = { 0, G_MAXINT };
          g_array_append_val (skips, all);
          return skips;
        }
    }

  /* Code spans: a run of n backticks up to the next run of exactly n. */
  while (*p)
    {
      if (*p == '`')
        {
          int n = 0, j = i;
          const char *q = p;

          while (*q == '`')
            q++, n++;
          j = i + n;
          while (*q)
            {
              if (*q == '`')
                {
                  int m = 0;

                  while (q[m] == '`')
                    m++;
                  if (m == n)
                    {
                      Range span = { i, j + m };

                      g_array_append_val (skips, span);
                      break;
                    }
                  q += m, j += m;
                }
              else
                {
                  q = g_utf8_next_char (q);
                  j++;
                }
            }
          if (*q == '\0')
            {
              /* Unclosed: plain backticks. */
              p += n, i += n;
            }
          else
            {
              p = q + n, i = j + n;
            }
          continue;
        }
      p = g_utf8_next_char (p);
      i++;
    }

  /* Links and addresses: a whitespace-separated token with "://", "www." or "@". */
  p = text;
  i = 0;
  while (*p)
    {
      const char *token = p;
      int token_start = i;
      gboolean link = FALSE;

      if (g_unichar_isspace (g_utf8_get_char (p)))
        {
          p = g_utf8_next_char (p), i++;
          continue;
        }
      while (*p && !g_unichar_isspace (g_utf8_get_char (p)))
        {
          if (*p == '@' || g_str_has_prefix (p, "://") || (p == token && g_str_has_prefix (p, "www.")) ||
              (p == token + 1 && g_str_has_prefix (p, "www.")))
            link = TRUE;
          p = g_utf8_next_char (p), i++;
        }
      if (link)
        {
          Range range = { token_start, i };
          g_array_append_val (skips, range);
        }
    }
  return skips;
}

static gboolean
in_skips (GArray *skips,
          int     start,
          int     end)
{
  for (guint i = 0; i < skips->len; i++)
    {
      Range *range = &g_array_index (skips, Range, i);

      if (start < range->end && end > range->start)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_checkable (const char *word)
{
  if (*word == '\0' || strlen (word) > MAX_WORD_BYTES)
    return FALSE;
  for (const char *p = word; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isdigit (c) || c == 0xFFFC)
        return FALSE;
    }
  return TRUE;
}

typedef void (*WordFunc) (SiSpellChecker    *self,
                          const GtkTextIter *start,
                          const GtkTextIter *end,
                          const char        *word,
                          gpointer           data);

/* Calls @func for each prose word that starts in [@start, @end). */
static void
foreach_word (SiSpellChecker    *self,
              const GtkTextIter *start,
              const GtkTextIter *end,
              WordFunc           func,
              gpointer           data)
{
  GtkTextTag *no_check = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (self->buffer),
                                                    NO_SPELL_CHECK_TAG);
  GtkTextIter line = *start;

  while (gtk_text_iter_compare (&line, end) < 0)
    {
      GtkTextIter line_start = line, line_end = line, piece_end, win_start, win_end, word_end;
      g_autofree char *text = NULL;
      g_autoptr(GArray) skips = NULL;
      int base, last = -1;

      gtk_text_iter_set_line_offset (&line_start, 0);
      if (!gtk_text_iter_ends_line (&line_end))
        gtk_text_iter_forward_to_line_end (&line_end);
      piece_end = gtk_text_iter_compare (&line_end, end) < 0 ? line_end : *end;

      win_start = line_start;
      if (gtk_text_iter_get_offset (&line) - gtk_text_iter_get_offset (&line_start) > LINE_WINDOW_CHARS)
        {
          win_start = line;
          gtk_text_iter_backward_chars (&win_start, LINE_WINDOW_CHARS);
        }
      win_end = line_end;
      if (gtk_text_iter_get_offset (&line_end) - gtk_text_iter_get_offset (&piece_end) > LINE_WINDOW_CHARS)
        {
          win_end = piece_end;
          gtk_text_iter_forward_chars (&win_end, LINE_WINDOW_CHARS);
        }
      text = gtk_text_iter_get_slice (&win_start, &win_end);
      skips = find_skips (text, gtk_text_iter_equal (&win_start, &line_start));
      base = gtk_text_iter_get_offset (&win_start);

      word_end = line;
      while (TRUE)
        {
          GtkTextIter word_start;
          g_autofree char *word = NULL;
          int offset;

          gtk_text_iter_forward_word_end (&word_end);
          offset = gtk_text_iter_get_offset (&word_end);
          if (offset <= last || !gtk_text_iter_ends_word (&word_end))
            break;
          last = offset;
          word_start = word_end;
          gtk_text_iter_backward_word_start (&word_start);
          if (gtk_text_iter_compare (&word_start, &piece_end) >= 0)
            break;
          if (in_skips (skips, gtk_text_iter_get_offset (&word_start) - base, offset - base))
            continue;
          if (no_check && (gtk_text_iter_has_tag (&word_start, no_check)))
            continue;
          word = gtk_text_iter_get_slice (&word_start, &word_end);
          if (is_checkable (word))
            func (self, &word_start, &word_end, word, data);
        }

      line = line_end;
      if (!gtk_text_iter_forward_line (&line))
        break;
    }
}

/* The language --------------------------------------------------------------------------- */

static void
set_active (SiSpellChecker *self,
            const char     *tag)
{
  GtkTextIter start, end;

  if (g_strcmp0 (tag, self->active) == 0)
    return;
  g_free (self->active);
  self->active = g_strdup (tag);
  self->dict = get_dict (tag);
  if (self->dict == NULL)
    g_clear_pointer (&self->active, g_free);
  g_debug ("Checking in %s", self->active ? self->active : "no language");

  if (self->buffer)
    {
      gtk_text_buffer_get_bounds (self->buffer, &start, &end);
      gtk_text_buffer_remove_tag (self->buffer, self->misspelt_tag, &start, &end);
      gtk_text_buffer_apply_tag (self->buffer, self->unchecked_tag, &start, &end);
      schedule (self);
    }
  update_language_menu (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE_LANGUAGE]);
}

static void
count_correct_cb (SiSpellChecker    *self,
                  const GtkTextIter *start,
                  const GtkTextIter *end,
                  const char        *word,
                  gpointer           data)
{
  GPtrArray *candidates = ((gpointer *) data)[0];
  guint *counts = ((gpointer *) data)[1];
  guint *n_words = ((gpointer *) data)[2];

  (*n_words)++;
  for (guint i = 0; i < candidates->len; i++)
    {
      EnchantDict *dict = get_dict (g_ptr_array_index (candidates, i));

      if (dict && enchant_dict_check (dict, word, -1) == 0)
        counts[i]++;
    }
}

/* Left automatic: the locale's language, unless another installed one accepts more of the
 * words at the start of the text. */
static void
detect_language (SiSpellChecker *self)
{
  g_autoptr(GPtrArray) candidates = candidate_dicts ();
  g_autofree guint *counts = g_new0 (guint, MAX (candidates->len, 1));
  guint n_words = 0, best = 0;
  gpointer data[3] = { candidates, counts, &n_words };
  GtkTextIter start, end;

  self->detect_pending = FALSE;
  if (candidates->len == 0)
    {
      /* An installed dictionary of another language is better than none. */
      get_broker ();
      set_active (self, available->len ? g_ptr_array_index (available, 0) : NULL);
      return;
    }
  if (candidates->len > 1 && self->buffer)
    {
      gtk_text_buffer_get_start_iter (self->buffer, &start);
      gtk_text_buffer_get_iter_at_offset (self->buffer, &end, DETECT_SAMPLE_CHARS);
      foreach_word (self, &start, &end, count_correct_cb, data);
      for (guint i = 1; i < candidates->len; i++)
        if (counts[i] > counts[best])
          best = i;
      if (n_words < DETECT_MIN_WORDS)
        best = 0;
      /* Too little text to tell yet (a new idea): look again as more is typed. */
      self->detect_pending = n_words < DETECT_ENOUGH_WORDS && gtk_text_iter_is_end (&end);
    }
  set_active (self, g_ptr_array_index (candidates, best));
}

static void
choose_language (SiSpellChecker *self)
{
  if (self->language && *self->language)
    {
      self->detect_pending = FALSE;
      set_active (self, is_available (self->language) ? self->language : NULL);
    }
  else
    {
      self->detect_pending = TRUE;
      schedule (self);
    }
}

/* Checking ---------------------------------------------------------------------------------- */

static void
check_word_cb (SiSpellChecker    *self,
               const GtkTextIter *start,
               const GtkTextIter *end,
               const char        *word,
               gpointer           data)
{
  GtkTextIter cursor;

  if (enchant_dict_check (self->dict, word, -1) <= 0)
    return;

  /* The word being typed is checked when the cursor leaves it. */
  gtk_text_buffer_get_iter_at_mark (self->buffer, &cursor, gtk_text_buffer_get_insert (self->buffer));
  if (gtk_text_iter_equal (&cursor, end) && self->view && gtk_widget_has_focus (GTK_WIDGET (self->view)))
    {
      if (self->deferred == NULL)
        self->deferred = gtk_text_buffer_create_mark (self->buffer, NULL, start, TRUE);
      else
        gtk_text_buffer_move_mark (self->buffer, self->deferred, start);
      return;
    }
  gtk_text_buffer_apply_tag (self->buffer, self->misspelt_tag, start, end);
}

/* The next unchecked text in [@from, @limit), at most CHUNK_CHARS of it. */
static gboolean
next_unchecked (SiSpellChecker    *self,
                const GtkTextIter *from,
                const GtkTextIter *limit,
                GtkTextIter       *start,
                GtkTextIter       *end)
{
  *start = *from;
  if (!gtk_text_iter_has_tag (start, self->unchecked_tag) &&
      !gtk_text_iter_forward_to_tag_toggle (start, self->unchecked_tag))
    return FALSE;
  if (gtk_text_iter_compare (start, limit) >= 0 || gtk_text_iter_is_end (start))
    return FALSE;
  *end = *start;
  gtk_text_iter_forward_to_tag_toggle (end, self->unchecked_tag);
  if (gtk_text_iter_get_offset (end) - gtk_text_iter_get_offset (start) > CHUNK_CHARS)
    {
      *end = *start;
      gtk_text_iter_forward_chars (end, CHUNK_CHARS);
    }
  return TRUE;
}

static void
check_range (SiSpellChecker *self,
             GtkTextIter    *start,
             GtkTextIter    *end)
{
  if (gtk_text_iter_inside_word (start) && !gtk_text_iter_starts_word (start))
    gtk_text_iter_backward_word_start (start);
  if (gtk_text_iter_inside_word (end) && !gtk_text_iter_starts_word (end))
    gtk_text_iter_forward_word_end (end);
  gtk_text_buffer_remove_tag (self->buffer, self->unchecked_tag, start, end);
  gtk_text_buffer_remove_tag (self->buffer, self->misspelt_tag, start, end);
  foreach_word (self, start, end, check_word_cb, NULL);
}

static gboolean
check_idle_cb (gpointer user_data)
{
  SiSpellChecker *self = user_data;
  gint64 deadline = g_get_monotonic_time () + CHECK_BUDGET_USEC;
  GtkTextIter buffer_start, buffer_end, visible_start, visible_end, start, end;
  GdkRectangle visible;

  /* Nothing to check, or nothing yet (the window opened on no idea): the dictionaries load
   * with the first text, not while the window starts (and its first sync with it). */
  if (self->buffer == NULL || !self->enabled || gtk_text_buffer_get_char_count (self->buffer) == 0)
    {
      self->idle_id = 0;
      return G_SOURCE_REMOVE;
    }
  if (self->detect_pending)
    detect_language (self);
  if (self->dict == NULL)
    {
      self->idle_id = 0;
      return G_SOURCE_REMOVE;
    }

  gtk_text_buffer_get_bounds (self->buffer, &buffer_start, &buffer_end);
  visible_start = buffer_start;
  visible_end = buffer_start;
  if (self->view && gtk_widget_get_mapped (GTK_WIDGET (self->view)))
    {
      gtk_text_view_get_visible_rect (self->view, &visible);
      gtk_text_view_get_iter_at_location (self->view, &visible_start, visible.x, visible.y);
      gtk_text_view_get_iter_at_location (self->view, &visible_end, visible.x + visible.width,
                                          visible.y + visible.height);
      gtk_text_iter_forward_line (&visible_end);
    }

  do
    {
      if (!next_unchecked (self, &visible_start, &visible_end, &start, &end) &&
          !next_unchecked (self, &buffer_start, &buffer_end, &start, &end))
        {
          self->idle_id = 0;
          return G_SOURCE_REMOVE;
        }
      check_range (self, &start, &end);
    }
  while (g_get_monotonic_time () < deadline);

  return G_SOURCE_CONTINUE;
}

static void
schedule (SiSpellChecker *self)
{
  if (self->idle_id == 0 && self->enabled && self->buffer)
    self->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, check_idle_cb, self, NULL);
}

/* Tags @start to @end, widened to its lines (LINE_WINDOW_CHARS at most each way), to be
 * checked again. */
static void
mark_unchecked (SiSpellChecker    *self,
                const GtkTextIter *start,
                const GtkTextIter *end)
{
  GtkTextIter from = *start, to = *end;
  int limit;

  if (!self->enabled)
    return;
  limit = gtk_text_iter_get_offset (&from) - LINE_WINDOW_CHARS;
  gtk_text_iter_set_line_offset (&from, 0);
  if (gtk_text_iter_get_offset (&from) < limit)
    gtk_text_buffer_get_iter_at_offset (self->buffer, &from, limit);
  limit = gtk_text_iter_get_offset (&to) + LINE_WINDOW_CHARS;
  if (!gtk_text_iter_ends_line (&to))
    gtk_text_iter_forward_to_line_end (&to);
  if (gtk_text_iter_get_offset (&to) > limit)
    gtk_text_buffer_get_iter_at_offset (self->buffer, &to, limit);
  gtk_text_buffer_apply_tag (self->buffer, self->unchecked_tag, &from, &to);
  schedule (self);
}

/* Every misspelt word again, after the dictionary learnt one. */
static void
recheck_misspelt (SiSpellChecker *self)
{
  GtkTextIter iter, end;

  gtk_text_buffer_get_start_iter (self->buffer, &iter);
  while (gtk_text_iter_has_tag (&iter, self->misspelt_tag) ||
         gtk_text_iter_forward_to_tag_toggle (&iter, self->misspelt_tag))
    {
      if (gtk_text_iter_is_end (&iter))
        break;
      end = iter;
      gtk_text_iter_forward_to_tag_toggle (&end, self->misspelt_tag);
      gtk_text_buffer_apply_tag (self->buffer, self->unchecked_tag, &iter, &end);
      iter = end;
    }
  schedule (self);
}

static void
insert_text_cb (SiSpellChecker *self,
                GtkTextIter    *location,
                const char     *text,
                int             len)
{
  GtkTextIter start = *location;

  gtk_text_iter_backward_chars (&start, g_utf8_strlen (text, len));
  mark_unchecked (self, &start, location);
}

static void
delete_range_cb (SiSpellChecker *self,
                 GtkTextIter    *start,
                 GtkTextIter    *end)
{
  /* Emptied: a new text, whose language may be another. */
  if (gtk_text_buffer_get_char_count (self->buffer) == 0 && (self->language == NULL || *self->language == '\0'))
    {
      self->detect_pending = TRUE;
      schedule (self);
    }
  mark_unchecked (self, start, end);
}

static void
cursor_moved_cb (SiSpellChecker *self)
{
  GtkTextIter cursor, word_start, word_end;

  if (self->deferred == NULL)
    return;
  gtk_text_buffer_get_iter_at_mark (self->buffer, &cursor, gtk_text_buffer_get_insert (self->buffer));
  gtk_text_buffer_get_iter_at_mark (self->buffer, &word_start, self->deferred);
  word_end = word_start;
  gtk_text_iter_forward_word_end (&word_end);
  if (gtk_text_iter_in_range (&cursor, &word_start, &word_end) || gtk_text_iter_equal (&cursor, &word_end))
    return;
  gtk_text_buffer_delete_mark (self->buffer, self->deferred);
  self->deferred = NULL;
  mark_unchecked (self, &word_start, &word_end);
}

static void
highlight_updated_cb (SiSpellChecker *self,
                      GtkTextIter    *start,
                      GtkTextIter    *end)
{
  if (self->enabled && gtk_text_buffer_get_tag_table (self->buffer) &&
      gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (self->buffer), NO_SPELL_CHECK_TAG))
    {
      gtk_text_buffer_apply_tag (self->buffer, self->unchecked_tag, start, end);
      schedule (self);
    }
}

/* The underline's colour: the style's error colour (libadwaita's @error_color). */
static void
update_underline_color (SiSpellChecker *self)
{
  GdkRGBA color;

  gdk_rgba_parse (&color, adw_style_manager_get_dark (adw_style_manager_get_default ()) ? "#ff7b63" : "#e01b24");
  g_object_set (self->misspelt_tag, "underline-rgba", &color, NULL);
}

static void
detach_buffer (SiSpellChecker *self)
{
  GtkTextIter start, end;

  if (self->buffer == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->buffer, self);
  gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  gtk_text_buffer_remove_tag (self->buffer, self->misspelt_tag, &start, &end);
  gtk_text_buffer_remove_tag (self->buffer, self->unchecked_tag, &start, &end);
  gtk_text_tag_table_remove (gtk_text_buffer_get_tag_table (self->buffer), self->misspelt_tag);
  gtk_text_tag_table_remove (gtk_text_buffer_get_tag_table (self->buffer), self->unchecked_tag);
  if (self->deferred)
    gtk_text_buffer_delete_mark (self->buffer, self->deferred);
  if (self->menu_start)
    gtk_text_buffer_delete_mark (self->buffer, self->menu_start);
  if (self->menu_end)
    gtk_text_buffer_delete_mark (self->buffer, self->menu_end);
  self->deferred = self->menu_start = self->menu_end = NULL;
  self->misspelt_tag = self->unchecked_tag = NULL;
  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_clear_object (&self->buffer);
}

static void
attach_buffer (SiSpellChecker *self)
{
  GtkTextIter start, end;

  detach_buffer (self);
  if (self->view == NULL)
    return;
  self->buffer = g_object_ref (gtk_text_view_get_buffer (self->view));
  self->misspelt_tag = gtk_text_buffer_create_tag (self->buffer, NULL, "underline", PANGO_UNDERLINE_ERROR, NULL);
  self->unchecked_tag = gtk_text_buffer_create_tag (self->buffer, NULL, NULL);
  update_underline_color (self);

  g_signal_connect_object (self->buffer, "insert-text", G_CALLBACK (insert_text_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (self->buffer, "delete-range", G_CALLBACK (delete_range_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (self->buffer, "notify::cursor-position", G_CALLBACK (cursor_moved_cb), self,
                           G_CONNECT_SWAPPED);
  /* A GtkSourceBuffer says when its highlighting (and so what is code) changed. */
  if (g_signal_lookup ("highlight-updated", G_OBJECT_TYPE (self->buffer)))
    g_signal_connect_object (self->buffer, "highlight-updated", G_CALLBACK (highlight_updated_cb), self,
                             G_CONNECT_SWAPPED);

  gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  if (self->enabled)
    gtk_text_buffer_apply_tag (self->buffer, self->unchecked_tag, &start, &end);
  self->detect_pending = self->language == NULL || *self->language == '\0';
  schedule (self);
}

/* The context menu --------------------------------------------------------------------------- */

static void
clear_menu_word (SiSpellChecker *self)
{
  g_clear_pointer (&self->menu_word, g_free);
  g_menu_remove_all (self->context_menu);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "replace")), FALSE);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "add-word")), FALSE);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "ignore-word")), FALSE);
}

void
_si_spell_checker_update_menu_at (SiSpellChecker    *self,
                                  const GtkTextIter *iter)
{
  GtkTextIter start = *iter, end = *iter;
  g_autoptr(GMenu) suggestions = NULL;
  g_autoptr(GMenu) learn = NULL;
  char **words = NULL;
  size_t n_words = 0;

  g_return_if_fail (SI_IS_SPELL_CHECKER (self));

  clear_menu_word (self);
  if (self->buffer == NULL || self->dict == NULL || !self->enabled)
    return;
  /* On the word, or just after its end. */
  if (!gtk_text_iter_has_tag (&start, self->misspelt_tag))
    {
      if (!gtk_text_iter_backward_char (&start) || !gtk_text_iter_has_tag (&start, self->misspelt_tag))
        return;
      end = start;
    }
  if (!gtk_text_iter_starts_tag (&start, self->misspelt_tag))
    gtk_text_iter_backward_to_tag_toggle (&start, self->misspelt_tag);
  gtk_text_iter_forward_to_tag_toggle (&end, self->misspelt_tag);

  self->menu_word = gtk_text_iter_get_slice (&start, &end);
  if (self->menu_start == NULL)
    {
      self->menu_start = gtk_text_buffer_create_mark (self->buffer, NULL, &start, TRUE);
      self->menu_end = gtk_text_buffer_create_mark (self->buffer, NULL, &end, FALSE);
    }
  gtk_text_buffer_move_mark (self->buffer, self->menu_start, &start);
  gtk_text_buffer_move_mark (self->buffer, self->menu_end, &end);

  suggestions = g_menu_new ();
  words = enchant_dict_suggest (self->dict, self->menu_word, -1, &n_words);
  for (size_t i = 0; i < n_words && i < SI_SPELL_CHECKER_MAX_SUGGESTIONS; i++)
    {
      g_autoptr(GMenuItem) item = NULL;
      g_autofree char *label = NULL;

      if (!g_utf8_validate (words[i], -1, NULL))
        continue;
      label = escape_mnemonic (words[i]);
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "spelling.replace", g_variant_new_string (words[i]));
      g_menu_append_item (suggestions, item);
    }
  if (words)
    enchant_dict_free_string_list (self->dict, words);
  if (g_menu_model_get_n_items (G_MENU_MODEL (suggestions)) == 0)
    g_menu_append (suggestions, _("No Suggestions"), "spelling.no-suggestions");

  learn = g_menu_new ();
  g_menu_append (learn, _("_Add to Dictionary"), "spelling.add-word");
  g_menu_append (learn, _("_Ignore"), "spelling.ignore-word");

  g_menu_append_section (self->context_menu, NULL, G_MENU_MODEL (suggestions));
  g_menu_append_section (self->context_menu, NULL, G_MENU_MODEL (learn));
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "replace")), TRUE);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "add-word")), TRUE);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "ignore-word")), TRUE);
}

static void
click_pressed_cb (SiSpellChecker *self,
                  int             n_press,
                  double          x,
                  double          y)
{
  GtkTextIter iter;
  int buffer_x, buffer_y;

  if (self->view == NULL)
    return;
  gtk_text_view_window_to_buffer_coords (self->view, GTK_TEXT_WINDOW_WIDGET, (int) x, (int) y,
                                         &buffer_x, &buffer_y);
  gtk_text_view_get_iter_at_location (self->view, &iter, buffer_x, buffer_y);
  _si_spell_checker_update_menu_at (self, &iter);
}

/* Shift+F10 and the Menu key open the context menu at the cursor. */
static gboolean
key_pressed_cb (SiSpellChecker  *self,
                guint            keyval,
                guint            keycode,
                GdkModifierType  state)
{
  GtkTextIter iter;

  if (self->buffer && (keyval == GDK_KEY_Menu || (keyval == GDK_KEY_F10 && (state & GDK_SHIFT_MASK))))
    {
      gtk_text_buffer_get_iter_at_mark (self->buffer, &iter, gtk_text_buffer_get_insert (self->buffer));
      _si_spell_checker_update_menu_at (self, &iter);
    }
  return FALSE;
}

/* The word the menu is about, if it is still there. */
static gboolean
get_menu_word (SiSpellChecker *self,
               GtkTextIter    *start,
               GtkTextIter    *end)
{
  g_autofree char *text = NULL;

  if (self->menu_word == NULL || self->buffer == NULL || self->menu_start == NULL)
    return FALSE;
  gtk_text_buffer_get_iter_at_mark (self->buffer, start, self->menu_start);
  gtk_text_buffer_get_iter_at_mark (self->buffer, end, self->menu_end);
  text = gtk_text_iter_get_slice (start, end);
  return g_str_equal (text, self->menu_word);
}

static void
replace_action (SiSpellChecker *self,
                GVariant       *parameter)
{
  GtkTextIter start, end;
  const char *replacement = g_variant_get_string (parameter, NULL);

  if (!get_menu_word (self, &start, &end) || !g_utf8_validate (replacement, -1, NULL))
    return;
  gtk_text_buffer_begin_user_action (self->buffer);
  gtk_text_buffer_delete (self->buffer, &start, &end);
  gtk_text_buffer_insert (self->buffer, &start, replacement, -1);
  gtk_text_buffer_end_user_action (self->buffer);
  clear_menu_word (self);
}

static void
add_word_action (SiSpellChecker *self)
{
  GtkTextIter start, end;

  if (!get_menu_word (self, &start, &end) || self->dict == NULL)
    return;
  enchant_dict_add (self->dict, self->menu_word, -1);
  clear_menu_word (self);
  recheck_misspelt (self);
}

static void
ignore_word_action (SiSpellChecker *self)
{
  GtkTextIter start, end;

  if (!get_menu_word (self, &start, &end) || self->dict == NULL)
    return;
  enchant_dict_add_to_session (self->dict, self->menu_word, -1);
  clear_menu_word (self);
  recheck_misspelt (self);
}

/* The menu of the owner: Check Spelling and the language ----------------------------------- */

static void
update_language_menu (SiSpellChecker *self)
{
  g_autoptr(GMenu) status = g_menu_new ();
  g_autoptr(GMenu) languages = g_menu_new ();
  g_autofree char *automatic = NULL;
  GAction *enabled;

  get_broker ();
  g_menu_remove_all (self->language_menu);

  if (available->len == 0)
    g_menu_append (status, _("No spelling dictionaries installed"), "spelling.none");
  else if (self->active == NULL)
    {
      g_autofree char *name = describe_language (self->language && *self->language ? self->language : "");
      g_autofree char *label = *name ? g_strdup_printf (_("No dictionary for %s"), name)
                                     : g_strdup (_("No dictionary for this language"));
      g_menu_append (status, label, "spelling.none");
    }
  if (g_menu_model_get_n_items (G_MENU_MODEL (status)) > 0)
    g_menu_append_section (self->language_menu, NULL, G_MENU_MODEL (status));

  if ((self->language == NULL || *self->language == '\0') && self->active)
    {
      g_autofree char *name = describe_language (self->active);
      g_autofree char *escaped = escape_mnemonic (name);
      automatic = g_strdup_printf (_("Automatic: %s"), escaped);
    }
  g_menu_append (languages, automatic ? automatic : _("_Automatic"), "spelling.language::");
  for (guint i = 0; i < available->len && i < MAX_MENU_LANGUAGES; i++)
    {
      const char *tag = g_ptr_array_index (available, i);
      g_autofree char *name = describe_language (tag);
      g_autofree char *label = escape_mnemonic (name);
      g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

      g_menu_item_set_action_and_target_value (item, "spelling.language", g_variant_new_string (tag));
      g_menu_append_item (languages, item);
    }
  g_menu_append_section (self->language_menu, NULL, G_MENU_MODEL (languages));

  enabled = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "enabled");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (enabled), available->len > 0);
}

static void
enabled_change_state (GSimpleAction *action,
                      GVariant      *value,
                      gpointer       user_data)
{
  si_spell_checker_set_enabled (user_data, g_variant_get_boolean (value));
}

static void
language_change_state (GSimpleAction *action,
                       GVariant      *value,
                       gpointer       user_data)
{
  si_spell_checker_set_language (user_data, g_variant_get_string (value, NULL));
}

/* GObject ---------------------------------------------------------------------------------- */

static void
view_buffer_changed_cb (SiSpellChecker *self)
{
  /* A view going away drops its buffer; asking it for one then would make a new one. */
  if (self->view == NULL || gtk_widget_in_destruction (GTK_WIDGET (self->view)))
    detach_buffer (self);
  else
    attach_buffer (self);
}

static void
si_spell_checker_dispose (GObject *object)
{
  SiSpellChecker *self = SI_SPELL_CHECKER (object);

  detach_buffer (self);
  if (self->view)
    {
      g_signal_handlers_disconnect_by_data (self->view, self);
      gtk_widget_remove_controller (GTK_WIDGET (self->view), self->click);
      gtk_widget_remove_controller (GTK_WIDGET (self->view), self->keys);
      gtk_widget_insert_action_group (GTK_WIDGET (self->view), "spelling", NULL);
      if (gtk_text_view_get_extra_menu (self->view) == G_MENU_MODEL (self->context_menu))
        gtk_text_view_set_extra_menu (self->view, NULL);
      g_object_remove_weak_pointer (G_OBJECT (self->view), (gpointer *) &self->view);
      self->view = NULL;
    }
  self->click = self->keys = NULL;
  g_clear_object (&self->actions);
  g_clear_object (&self->menu);
  g_clear_object (&self->language_menu);
  g_clear_object (&self->context_menu);

  G_OBJECT_CLASS (si_spell_checker_parent_class)->dispose (object);
}

static void
si_spell_checker_finalize (GObject *object)
{
  SiSpellChecker *self = SI_SPELL_CHECKER (object);

  g_free (self->language);
  g_free (self->active);
  g_free (self->menu_word);

  G_OBJECT_CLASS (si_spell_checker_parent_class)->finalize (object);
}

static void
si_spell_checker_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SiSpellChecker *self = SI_SPELL_CHECKER (object);

  switch (prop_id)
    {
    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;
    case PROP_LANGUAGE:
      g_value_set_string (value, self->language);
      break;
    case PROP_ACTIVE_LANGUAGE:
      g_value_set_string (value, self->active);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_spell_checker_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SiSpellChecker *self = SI_SPELL_CHECKER (object);

  switch (prop_id)
    {
    case PROP_ENABLED:
      si_spell_checker_set_enabled (self, g_value_get_boolean (value));
      break;
    case PROP_LANGUAGE:
      si_spell_checker_set_language (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_spell_checker_class_init (SiSpellCheckerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = si_spell_checker_dispose;
  object_class->finalize = si_spell_checker_finalize;
  object_class->get_property = si_spell_checker_get_property;
  object_class->set_property = si_spell_checker_set_property;

  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The user's choice of dictionary ("de_DE"), or "" to choose from the text and the locale. */
  properties[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The dictionary in use, or NULL when there is none for the language. */
  properties[PROP_ACTIVE_LANGUAGE] =
    g_param_spec_string ("active-language", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
si_spell_checker_init (SiSpellChecker *self)
{
  static const GActionEntry entries[] = {
    { "enabled", NULL, NULL, "true", enabled_change_state },
    { "language", NULL, "s", "''", language_change_state },
  };
  GSimpleAction *action;

  self->enabled = TRUE;
  self->language = g_strdup ("");
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), entries, G_N_ELEMENTS (entries), self);

  action = g_simple_action_new ("replace", G_VARIANT_TYPE_STRING);
  g_signal_connect_object (action, "activate", G_CALLBACK (replace_action), self, G_CONNECT_SWAPPED);
  g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (action));
  g_object_unref (action);
  action = g_simple_action_new ("add-word", NULL);
  g_signal_connect_object (action, "activate", G_CALLBACK (add_word_action), self, G_CONNECT_SWAPPED);
  g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (action));
  g_object_unref (action);
  action = g_simple_action_new ("ignore-word", NULL);
  g_signal_connect_object (action, "activate", G_CALLBACK (ignore_word_action), self, G_CONNECT_SWAPPED);
  g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (action));
  g_object_unref (action);

  self->context_menu = g_menu_new ();
  self->language_menu = g_menu_new ();
  self->menu = g_menu_new ();
  g_menu_append (self->menu, _("Check _Spelling"), "spelling.enabled");
  g_menu_append_submenu (self->menu, _("Spelling _Language"), G_MENU_MODEL (self->language_menu));
  clear_menu_word (self);
  update_language_menu (self);
}

/**
 * si_spell_checker_new:
 * @view: the view to check; the checker must not outlive it, and goes away with its owner
 *
 * Returns: (transfer full): a checker, checking @view's buffer (and whichever buffer @view
 * shows later) in the automatic language
 */
SiSpellChecker *
si_spell_checker_new (GtkTextView *view)
{
  SiSpellChecker *self;

  g_return_val_if_fail (GTK_IS_TEXT_VIEW (view), NULL);

  self = g_object_new (SI_TYPE_SPELL_CHECKER, NULL);
  self->view = view;
  g_object_add_weak_pointer (G_OBJECT (view), (gpointer *) &self->view);

  self->click = GTK_EVENT_CONTROLLER (gtk_gesture_click_new ());
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (self->click), GDK_BUTTON_SECONDARY);
  gtk_event_controller_set_propagation_phase (self->click, GTK_PHASE_CAPTURE);
  g_signal_connect_object (self->click, "pressed", G_CALLBACK (click_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (view), self->click);
  self->keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (self->keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (self->keys, "key-pressed", G_CALLBACK (key_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (view), self->keys);

  gtk_widget_insert_action_group (GTK_WIDGET (view), "spelling", G_ACTION_GROUP (self->actions));
  gtk_text_view_set_extra_menu (view, G_MENU_MODEL (self->context_menu));
  g_signal_connect_object (view, "notify::buffer", G_CALLBACK (view_buffer_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_underline_color), self, G_CONNECT_SWAPPED);

  attach_buffer (self);
  return self;
}

gboolean
si_spell_checker_get_enabled (SiSpellChecker *self)
{
  g_return_val_if_fail (SI_IS_SPELL_CHECKER (self), FALSE);

  return self->enabled;
}

void
si_spell_checker_set_enabled (SiSpellChecker *self,
                              gboolean        enabled)
{
  GtkTextIter start, end;

  g_return_if_fail (SI_IS_SPELL_CHECKER (self));

  enabled = !!enabled;
  if (self->enabled == enabled)
    return;
  self->enabled = enabled;
  g_simple_action_set_state (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "enabled")),
                             g_variant_new_boolean (enabled));
  if (self->buffer)
    {
      gtk_text_buffer_get_bounds (self->buffer, &start, &end);
      gtk_text_buffer_remove_tag (self->buffer, self->misspelt_tag, &start, &end);
      if (enabled)
        gtk_text_buffer_apply_tag (self->buffer, self->unchecked_tag, &start, &end);
      else
        gtk_text_buffer_remove_tag (self->buffer, self->unchecked_tag, &start, &end);
    }
  if (!enabled)
    {
      g_clear_handle_id (&self->idle_id, g_source_remove);
      clear_menu_word (self);
    }
  schedule (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
}

const char *
si_spell_checker_get_language (SiSpellChecker *self)
{
  g_return_val_if_fail (SI_IS_SPELL_CHECKER (self), NULL);

  return self->language;
}

/**
 * si_spell_checker_set_language:
 * @language: (nullable): a dictionary's tag ("de_DE"), or "" or NULL for automatic
 */
void
si_spell_checker_set_language (SiSpellChecker *self,
                               const char     *language)
{
  g_return_if_fail (SI_IS_SPELL_CHECKER (self));

  if (language == NULL || !g_utf8_validate (language, -1, NULL) || strlen (language) > 64)
    language = "";
  if (g_strcmp0 (self->language, language) == 0)
    return;
  g_free (self->language);
  self->language = g_strdup (language);
  g_simple_action_set_state (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "language")),
                             g_variant_new_string (language));
  choose_language (self);
  update_language_menu (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
}

const char *
si_spell_checker_get_active_language (SiSpellChecker *self)
{
  g_return_val_if_fail (SI_IS_SPELL_CHECKER (self), NULL);

  return self->active;
}

/**
 * si_spell_checker_get_actions:
 *
 * Returns: (transfer none): the "spelling" actions, to insert into an ancestor of a menu that
 * uses them (the checker's view has them already)
 */
GActionGroup *
si_spell_checker_get_actions (SiSpellChecker *self)
{
  g_return_val_if_fail (SI_IS_SPELL_CHECKER (self), NULL);

  return G_ACTION_GROUP (self->actions);
}

/**
 * si_spell_checker_get_menu:
 *
 * Returns: (transfer none): Check Spelling and the language submenu, for a menu section
 */
GMenuModel *
si_spell_checker_get_menu (SiSpellChecker *self)
{
  g_return_val_if_fail (SI_IS_SPELL_CHECKER (self), NULL);

  return G_MENU_MODEL (self->menu);
}

gboolean
_si_spell_checker_is_idle (SiSpellChecker *self)
{
  g_return_val_if_fail (SI_IS_SPELL_CHECKER (self), FALSE);

  return self->idle_id == 0;
}
