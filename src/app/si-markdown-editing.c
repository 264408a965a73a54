/* si-markdown-editing.c — Markdown conveniences for any GtkTextView (the body of an idea).
 *
 * - Enter in a list item ("- ", "* ", "+ ", "1. ", "1) ", "- [ ] ") or a quote ("> ") starts the
 *   next one (numbers count up, a checkbox starts unchecked); Enter on an empty item removes its
 *   marker and so ends the list. Shift+Enter is a plain newline.
 * - Tab and Shift+Tab on list items (the cursor's line, or every selected line) indent and outdent
 *   them by the width of the item's marker ("- " by two spaces, "1. " by three), or by a tab
 *   where the item is indented with tabs. Anywhere else Tab keeps moving the focus, as it did;
 *   Ctrl+Tab always does.
 * - Ctrl+B and Ctrl+I put "**" and "_" around the selection, or take them away when they are
 *   already there; with no selection they insert the pair and put the cursor between.
 * - A click on the "[ ]" or "[x]" of a checkbox toggles it, without moving the cursor.
 * - Ctrl+click on a link (a bare URL, <URL> or [text](URL)) opens it, through the desktop portal
 *   in a Flatpak. Only http, https and mailto links are opened: the text may come from another
 *   device, and a file: or custom-scheme link in it could start anything on this one.
 *
 * Each edit is one user action, so one undo step. The text logic is in plain functions on
 * strings (si_markdown_enter() and the rest) that the tests call without widgets; the rest of
 * this file is the glue to the view's keys and clicks. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <string.h>

#include "si-markdown-editing.h"

struct _SiMarkdownEditing
{
  GObject      parent_instance;

  GtkTextView *view;            /* weak: the view owns this object */
  gboolean     preedit;         /* an input method is composing: its keys are its own */
  gboolean     over_link;       /* the pointer shows that Ctrl+click opens a link */
  double       pointer_x;
  double       pointer_y;
  gboolean     pointer_inside;
};

G_DEFINE_FINAL_TYPE (SiMarkdownEditing, si_markdown_editing, G_TYPE_OBJECT)

enum {
  OPEN_URI,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define DATA_KEY "si-markdown-editing"

/* The text logic -------------------------------------------------------------------------------- */

/* What the start of a line is made of. Offsets are in bytes. */
typedef struct {
  gsize    quote_end;      /* after the "> " prefixes */
  gsize    indent_end;     /* after the indentation that follows them */
  gsize    marker_end;     /* after the list marker and its space (== indent_end when no item) */
  gsize    content_start;  /* after the checkbox and its space, when there is one */
  gboolean item;
  gboolean ordered;
  char     bullet;         /* '-', '*' or '+' */
  guint64  number;         /* of an ordered item */
  char     delimiter;      /* '.' or ')' after the number */
  gssize   checkbox;       /* where its '[' is, or -1 */
  gboolean checked;
} LineParts;

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

static void
parse_line (const char *line,
            LineParts  *parts)
{
  gsize p = 0;

  memset (parts, 0, sizeof *parts);
  parts->checkbox = -1;

  while (line[p] == '>')
    {
      p++;
      if (line[p] == ' ')
        p++;
    }
  parts->quote_end = p;

  while (is_blank (line[p]))
    p++;
  parts->indent_end = p;
  parts->marker_end = p;

  if ((line[p] == '-' || line[p] == '*' || line[p] == '+') && (is_blank (line[p + 1]) || line[p + 1] == '\0'))
    {
      parts->item = TRUE;
      parts->bullet = line[p];
      p++;
    }
  else if (g_ascii_isdigit (line[p]))
    {
      gsize digits = 0;
      guint64 number = 0;

      while (g_ascii_isdigit (line[p + digits]) && digits < 9)
        {
          number = number * 10 + (guint64) (line[p + digits] - '0');
          digits++;
        }
      if ((line[p + digits] == '.' || line[p + digits] == ')') &&
          (is_blank (line[p + digits + 1]) || line[p + digits + 1] == '\0'))
        {
          parts->item = TRUE;
          parts->ordered = TRUE;
          parts->number = number;
          parts->delimiter = line[p + digits];
          p += digits + 1;
        }
    }

  if (!parts->item)
    {
      parts->marker_end = parts->quote_end;
      parts->content_start = parts->quote_end;
      return;
    }

  if (is_blank (line[p]))
    p++;
  parts->marker_end = p;
  parts->content_start = p;

  if (line[p] == '[' && line[p + 1] != '\0' && strchr (" xX", line[p + 1]) != NULL && line[p + 2] == ']' &&
      (is_blank (line[p + 3]) || line[p + 3] == '\0'))
    {
      parts->checkbox = (gssize) p;
      parts->checked = line[p + 1] != ' ';
      p += 3;
      if (is_blank (line[p]))
        p++;
      parts->content_start = p;
    }
}

gboolean
si_markdown_is_list_item (const char *line)
{
  LineParts parts;

  g_return_val_if_fail (line != NULL, FALSE);

  parse_line (line, &parts);
  return parts.item;
}

/**
 * si_markdown_enter:
 * @line: the text of the cursor's line, without its newline
 * @cursor: where the cursor is in it
 * @new_line: (out): what the line becomes (with the newline Enter adds, when it adds one)
 * @new_cursor: (out): where the cursor goes in @new_line
 *
 * What Enter does in a list item or a quote. FALSE: nothing special, a plain newline.
 */
gboolean
si_markdown_enter (const char  *line,
                   gsize        cursor,
                   char       **new_line,
                   gsize       *new_cursor)
{
  LineParts parts;
  g_autoptr(GString) next = NULL;
  const char *rest;
  gsize len;

  g_return_val_if_fail (line != NULL, FALSE);
  g_return_val_if_fail (new_line != NULL && new_cursor != NULL, FALSE);

  len = strlen (line);
  if (cursor > len)
    return FALSE;
  parse_line (line, &parts);
  if (!parts.item && parts.quote_end == 0)
    return FALSE;
  /* Before the end of the marker (or at the very start), Enter only moves the line down. */
  if (cursor < parts.content_start || cursor == 0)
    return FALSE;

  for (rest = line + parts.content_start; is_blank (*rest); rest++)
    ;
  if (*rest == '\0')
    {
      /* An empty item ends the list: its marker goes (a quote's ends the quote), no new line. */
      gsize keep = parts.item ? parts.quote_end : 0;

      *new_line = g_strndup (line, keep);
      *new_cursor = keep;
      return TRUE;
    }

  next = g_string_new_len (line, (gssize) parts.indent_end);
  if (parts.item && parts.ordered)
    g_string_append_printf (next, "%" G_GUINT64_FORMAT "%c ", parts.number + 1, parts.delimiter);
  else if (parts.item)
    g_string_append_printf (next, "%c ", parts.bullet);
  if (parts.checkbox >= 0)
    g_string_append (next, "[ ] ");
  if (!parts.item)
    g_string_truncate (next, parts.quote_end);

  rest = line + cursor;
  while (is_blank (*rest))
    rest++;

  {
    GString *out = g_string_new_len (line, (gssize) cursor);

    g_string_append_c (out, '\n');
    g_string_append_len (out, next->str, (gssize) next->len);
    *new_cursor = out->len;
    g_string_append (out, rest);
    *new_line = g_string_free (out, FALSE);
  }
  return TRUE;
}

/**
 * si_markdown_indent:
 * @line: one line
 * @outdent: take one level away instead of adding one
 * @new_line: (out): the line indented or outdented
 *
 * FALSE when @line is no list item, or when there is nothing to outdent.
 */
gboolean
si_markdown_indent (const char  *line,
                    gboolean     outdent,
                    char       **new_line)
{
  LineParts parts;
  const char *indent;
  gsize indent_len, unit;
  gboolean tabs;

  g_return_val_if_fail (line != NULL && new_line != NULL, FALSE);

  parse_line (line, &parts);
  if (!parts.item)
    return FALSE;

  indent = line + parts.quote_end;
  indent_len = parts.indent_end - parts.quote_end;
  tabs = memchr (indent, '\t', indent_len) != NULL;
  unit = tabs ? 1 : parts.marker_end - parts.indent_end;

  if (outdent)
    {
      gsize remove = 0;

      if (indent_len == 0)
        return FALSE;
      if (indent[0] == '\t')
        remove = 1;
      else
        while (remove < unit && remove < indent_len && indent[remove] == ' ')
          remove++;
      if (remove == 0)
        return FALSE;
      {
        GString *out = g_string_new_len (line, (gssize) parts.quote_end);

        g_string_append (out, indent + remove);
        *new_line = g_string_free (out, FALSE);
      }
      return TRUE;
    }

  {
    GString *out = g_string_new_len (line, (gssize) parts.quote_end);

    if (tabs)
      g_string_append_c (out, '\t');
    else
      for (gsize i = 0; i < unit; i++)
        g_string_append_c (out, ' ');
    g_string_append (out, indent);
    *new_line = g_string_free (out, FALSE);
  }
  return TRUE;
}

/**
 * si_markdown_toggle_checkbox:
 * @line: one line
 * @offset: a place in it (where a click was)
 * @new_line: (out): the line with its checkbox toggled
 *
 * FALSE unless @offset is on the "[ ]" or "[x]" of a list item's checkbox.
 */
gboolean
si_markdown_toggle_checkbox (const char  *line,
                             gsize        offset,
                             char       **new_line)
{
  LineParts parts;
  char *out;

  g_return_val_if_fail (line != NULL && new_line != NULL, FALSE);

  parse_line (line, &parts);
  if (parts.checkbox < 0 || offset < (gsize) parts.checkbox || offset >= (gsize) parts.checkbox + 3)
    return FALSE;
  out = g_strdup (line);
  out[parts.checkbox + 1] = parts.checked ? ' ' : 'x';
  *new_line = out;
  return TRUE;
}

static gboolean
has_prefix_len (const char *text,
                gsize       len,
                const char *prefix)
{
  gsize n = strlen (prefix);

  return len >= n && memcmp (text, prefix, n) == 0;
}

static gboolean
has_suffix_len (const char *text,
                gsize       len,
                const char *suffix)
{
  gsize n = strlen (suffix);

  return len >= n && memcmp (text + len - n, suffix, n) == 0;
}

/**
 * si_markdown_wrap:
 * @before: the text just before the selection (at least as long as @delimiter where there is one)
 * @selected: the selected text (empty: the cursor)
 * @after: the text just after it
 * @delimiter: SI_MARKDOWN_BOLD or SI_MARKDOWN_ITALIC
 * @new_text: (out): what @before, @selected and @after together become
 * @selection_start: (out): where the selection starts in @new_text
 * @selection_end: (out): and where it ends
 *
 * Puts @delimiter around the selection, or takes it away where it is already there, inside the
 * selection or just around it. Blanks at the selection's ends stay outside the delimiters.
 */
void
si_markdown_wrap (const char  *before,
                  const char  *selected,
                  const char  *after,
                  const char  *delimiter,
                  char       **new_text,
                  gsize       *selection_start,
                  gsize       *selection_end)
{
  gsize before_len, selected_len, after_len, d;
  GString *out;

  g_return_if_fail (before != NULL && selected != NULL && after != NULL);
  g_return_if_fail (delimiter != NULL && delimiter[0] != '\0');
  g_return_if_fail (new_text != NULL && selection_start != NULL && selection_end != NULL);

  before_len = strlen (before);
  selected_len = strlen (selected);
  after_len = strlen (after);
  d = strlen (delimiter);
  out = g_string_sized_new (before_len + selected_len + after_len + 2 * d);

  if (selected_len >= 2 * d && has_prefix_len (selected, selected_len, delimiter) &&
      has_suffix_len (selected, selected_len, delimiter))
    {
      /* "**word**" selected: the delimiters inside the selection go. */
      g_string_append (out, before);
      *selection_start = out->len;
      g_string_append_len (out, selected + d, (gssize) (selected_len - 2 * d));
      *selection_end = out->len;
      g_string_append (out, after);
    }
  else if (has_suffix_len (before, before_len, delimiter) && has_prefix_len (after, after_len, delimiter))
    {
      /* "word" selected in "**word**", or the cursor in "**|**": the delimiters around it go. */
      g_string_append_len (out, before, (gssize) (before_len - d));
      *selection_start = out->len;
      g_string_append (out, selected);
      *selection_end = out->len;
      g_string_append (out, after + d);
    }
  else
    {
      gsize lead = 0, trail = 0;

      while (lead < selected_len && g_ascii_isspace (selected[lead]))
        lead++;
      while (trail < selected_len - lead && g_ascii_isspace (selected[selected_len - 1 - trail]))
        trail++;
      if (lead == selected_len)
        lead = 0;   /* only blanks: wrapped as they are */

      g_string_append (out, before);
      g_string_append_len (out, selected, (gssize) lead);
      g_string_append (out, delimiter);
      *selection_start = out->len;
      g_string_append_len (out, selected + lead, (gssize) (selected_len - lead - trail));
      *selection_end = out->len;
      g_string_append (out, delimiter);
      g_string_append_len (out, selected + selected_len - trail, (gssize) trail);
      g_string_append (out, after);
    }

  *new_text = g_string_free (out, FALSE);
}

static gboolean
url_char (char c)
{
  return (guchar) c > ' ' && strchr ("<>\"`", c) == NULL;
}

static gboolean
starts_with_scheme (const char *text)
{
  return g_ascii_strncasecmp (text, "https://", 8) == 0 ||
         g_ascii_strncasecmp (text, "http://", 7) == 0 ||
         g_ascii_strncasecmp (text, "mailto:", 7) == 0;
}

/* The end of a bare URL starting at @start: trailing punctuation is the sentence's, and a ")" is
 * the URL's only when it closes a "(" inside it. */
static gsize
bare_url_end (const char *line,
              gsize       start)
{
  gsize end = start;
  int depth = 0;

  while (url_char (line[end]))
    end++;
  for (gsize i = start; i < end; i++)
    if (line[i] == '(')
      depth++;
    else if (line[i] == ')')
      depth--;
  while (end > start)
    {
      char c = line[end - 1];

      if (strchr (".,;:!?'*_", c) != NULL)
        end--;
      else if (c == ')' && depth < 0)
        end--, depth++;
      else
        break;
    }
  return end;
}

/**
 * si_markdown_link_at:
 * @line: one line
 * @offset: a place in it
 *
 * Returns: (nullable): the target of the link at @offset — of a [text](target), a <target> or a
 * bare http(s) or mailto URL — or NULL. Whether it may be opened is for
 * si_markdown_uri_is_openable() to say.
 */
char *
si_markdown_link_at (const char *line,
                     gsize       offset)
{
  gsize len;

  g_return_val_if_fail (line != NULL, NULL);

  len = strlen (line);
  if (offset >= len)
    return NULL;

  /* [text](target "title") and <target>, left to right. */
  for (gsize i = 0; i < len; i++)
    {
      if (line[i] == '[')
        {
          const char *close = strstr (line + i + 1, "](");
          const char *target, *target_end, *paren;

          if (close == NULL)
            continue;
          target = close + 2;
          /* The target may hold balanced parentheses: the first unmatched ")" ends the link. */
          {
            int depth = 0;

            for (paren = target; *paren; paren++)
              if (*paren == '(')
                depth++;
              else if (*paren == ')' && depth-- == 0)
                break;
          }
          if (*paren != ')')
            continue;
          if (memchr (line + i + 1, '[', (gsize) (close - line) - i - 1) != NULL)
            continue;   /* the nearest "[" before the "](" starts the link */
          if (offset >= i && offset <= (gsize) (paren - line))
            {
              while (is_blank (*target))
                target++;
              if (*target == '<')
                {
                  target++;
                  target_end = target;
                  while (target_end < paren && *target_end != '>')
                    target_end++;
                }
              else
                {
                  target_end = target;
                  while (target_end < paren && !is_blank (*target_end))
                    target_end++;
                }
              if (target_end == target)
                return NULL;
              return g_strndup (target, (gsize) (target_end - target));
            }
          i = (gsize) (paren - line);
        }
      else if (line[i] == '<' && starts_with_scheme (line + i + 1))
        {
          const char *close = strchr (line + i + 1, '>');

          if (close != NULL && offset >= i && offset <= (gsize) (close - line))
            {
              for (const char *c = line + i + 1; c < close; c++)
                if (!url_char (*c))
                  return NULL;
              return g_strndup (line + i + 1, (gsize) (close - line) - i - 1);
            }
        }
    }

  /* A bare URL around @offset. */
  for (gsize i = 0; i < len; i++)
    {
      gsize end;

      if ((i > 0 && (g_ascii_isalnum (line[i - 1]) || line[i - 1] == '/')) || !starts_with_scheme (line + i))
        continue;
      end = bare_url_end (line, i);
      if (offset >= i && offset < end)
        return g_strndup (line + i, end - i);
      i = end > i ? end - 1 : i;
    }
  return NULL;
}

/**
 * si_markdown_uri_is_openable:
 * @uri: a link's target, from the text of an idea
 *
 * Returns: TRUE for a well-formed http or https URL with a host, or a mailto: URL. Nothing else
 * is opened: the text may have come from another device, and file:, ssh:, or a custom scheme
 * would hand it to whatever program claims that scheme here.
 */
gboolean
si_markdown_uri_is_openable (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  const char *scheme;

  g_return_val_if_fail (uri != NULL, FALSE);

  if (strlen (uri) > 8192)
    return FALSE;
  for (const char *c = uri; *c; c++)
    if ((guchar) *c <= ' ' || (guchar) *c >= 0x7f)
      return FALSE;
  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  if (parsed == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (parsed);
  if (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0)
    return g_uri_get_host (parsed) != NULL && g_uri_get_host (parsed)[0] != '\0';
  if (g_ascii_strcasecmp (scheme, "mailto") == 0)
    return g_uri_get_path (parsed)[0] != '\0';
  return FALSE;
}

/* The glue ------------------------------------------------------------------------------------- */

static GtkTextBuffer *
get_buffer (SiMarkdownEditing *self)
{
  return gtk_text_view_get_buffer (self->view);
}

/* The text of @iter's line, without its newline, with hidden text and with U+FFFC for a
 * paintable, so that byte offsets in it are the iterators' line indexes. */
static char *
dup_line (const GtkTextIter *iter,
          GtkTextIter       *line_start)
{
  GtkTextIter end;

  *line_start = *iter;
  gtk_text_iter_set_line_offset (line_start, 0);
  end = *line_start;
  if (!gtk_text_iter_ends_line (&end))
    gtk_text_iter_forward_to_line_end (&end);
  return gtk_text_iter_get_slice (line_start, &end);
}

/* Deletes @n_chars characters at @offset and inserts @n_bytes of @text there. */
static void
splice (SiMarkdownEditing *self,
        int                offset,
        int                n_chars,
        const char        *text,
        gsize              n_bytes)
{
  GtkTextBuffer *buffer = get_buffer (self);
  gboolean editable = gtk_text_view_get_editable (self->view);
  GtkTextIter from, to;

  gtk_text_buffer_get_iter_at_offset (buffer, &from, offset);
  if (n_chars > 0)
    {
      gtk_text_buffer_get_iter_at_offset (buffer, &to, offset + n_chars);
      gtk_text_buffer_delete_interactive (buffer, &from, &to, editable);
    }
  if (n_bytes > 0)
    gtk_text_buffer_insert_interactive (buffer, &from, text, (int) n_bytes, editable);
}

/* Replaces the text from @start that was @old with @new, touching only the parts that differ, so
 * that marks outside them (the cursor, the selection, other views' places) stay where they were.
 * Where one middle part holds the other (a word wrapped in "**", or unwrapped), the text between
 * the changes is left alone: a selection over it is never emptied on the way, which on X11 would
 * give up the PRIMARY selection and, when the news of that comes late, unselect it. */
static void
replace_text (SiMarkdownEditing *self,
              const GtkTextIter *start,
              const char        *old,
              const char        *new)
{
  gsize old_len = strlen (old), new_len = strlen (new);
  gsize prefix = 0, suffix = 0, old_mid, new_mid;
  int base = gtk_text_iter_get_offset (start);
  int at;

  while (prefix < old_len && prefix < new_len && old[prefix] == new[prefix])
    prefix++;
  while (prefix > 0 && (old[prefix] & 0xc0) == 0x80)   /* at a character's start */
    prefix--;
  while (suffix < old_len - prefix && suffix < new_len - prefix &&
         old[old_len - 1 - suffix] == new[new_len - 1 - suffix])
    suffix++;
  while (suffix > 0 && (old[old_len - suffix] & 0xc0) == 0x80)
    suffix--;

  old_mid = old_len - prefix - suffix;
  new_mid = new_len - prefix - suffix;
  at = base + (int) g_utf8_strlen (old, (gssize) prefix);

  if (old_mid > 0 && new_mid > old_mid)
    {
      g_autofree char *haystack = g_strndup (new + prefix, new_mid);
      g_autofree char *needle = g_strndup (old + prefix, old_mid);
      const char *found = strstr (haystack, needle);

      if (found != NULL)
        {
          gsize head = (gsize) (found - haystack);
          int kept = (int) g_utf8_strlen (needle, -1);

          /* The tail first, so that the head's offset still holds. */
          splice (self, at + kept, 0, found + old_mid, new_mid - head - old_mid);
          splice (self, at, 0, haystack, head);
          return;
        }
    }
  else if (new_mid > 0 && old_mid > new_mid)
    {
      g_autofree char *haystack = g_strndup (old + prefix, old_mid);
      g_autofree char *needle = g_strndup (new + prefix, new_mid);
      const char *found = strstr (haystack, needle);

      if (found != NULL)
        {
          int head = (int) g_utf8_strlen (haystack, found - haystack);
          int kept = (int) g_utf8_strlen (needle, -1);
          int tail = (int) g_utf8_strlen (found + new_mid, -1);

          splice (self, at + head + kept, tail, NULL, 0);
          splice (self, at, head, NULL, 0);
          return;
        }
    }

  splice (self, at, (int) g_utf8_strlen (old + prefix, (gssize) old_mid), new + prefix, new_mid);
}

static void
place_cursor_at (SiMarkdownEditing *self,
                 int                base,
                 const char        *text,
                 gsize              cursor,
                 gsize              bound)
{
  GtkTextBuffer *buffer = get_buffer (self);
  GtkTextIter insert, other;

  gtk_text_buffer_get_iter_at_offset (buffer, &insert, base + (int) g_utf8_strlen (text, (gssize) cursor));
  gtk_text_buffer_get_iter_at_offset (buffer, &other, base + (int) g_utf8_strlen (text, (gssize) bound));
  gtk_text_buffer_select_range (buffer, &insert, &other);
  gtk_text_view_scroll_mark_onscreen (self->view, gtk_text_buffer_get_insert (buffer));
}

static gboolean
handle_enter (SiMarkdownEditing *self)
{
  GtkTextBuffer *buffer = get_buffer (self);
  GtkTextIter insert, line_start, sel_start, sel_end;
  g_autofree char *line = NULL;
  g_autofree char *new_line = NULL;
  gsize new_cursor = 0;
  gboolean had_selection;
  int base;

  had_selection = gtk_text_buffer_get_selection_bounds (buffer, &sel_start, &sel_end);
  /* A selection over several lines is the view's to replace with a newline. */
  if (had_selection && gtk_text_iter_get_line (&sel_start) != gtk_text_iter_get_line (&sel_end))
    return FALSE;
  insert = sel_start;
  line = dup_line (&insert, &line_start);
  if (!si_markdown_is_list_item (line) && line[0] != '>')
    return FALSE;
  if (!had_selection &&
      !si_markdown_enter (line, (gsize) gtk_text_iter_get_line_index (&insert), &new_line, &new_cursor))
    return FALSE;

  gtk_text_buffer_begin_user_action (buffer);
  if (had_selection)
    {
      /* The selection goes first, in the same undo step; then Enter is as at its start. */
      gtk_text_buffer_delete_interactive (buffer, &sel_start, &sel_end, gtk_text_view_get_editable (self->view));
      gtk_text_buffer_get_iter_at_mark (buffer, &insert, gtk_text_buffer_get_insert (buffer));
      g_free (line);
      line = dup_line (&insert, &line_start);
      if (!si_markdown_enter (line, (gsize) gtk_text_iter_get_line_index (&insert), &new_line, &new_cursor))
        new_line = NULL;
    }
  base = gtk_text_iter_get_offset (&line_start);
  if (new_line != NULL)
    {
      replace_text (self, &line_start, line, new_line);
      place_cursor_at (self, base, new_line, new_cursor, new_cursor);
    }
  else
    {
      gtk_text_buffer_insert_interactive_at_cursor (buffer, "\n", 1, gtk_text_view_get_editable (self->view));
      gtk_text_view_scroll_mark_onscreen (self->view, gtk_text_buffer_get_insert (buffer));
    }
  gtk_text_buffer_end_user_action (buffer);
  return TRUE;
}

static gboolean
handle_tab (SiMarkdownEditing *self,
            gboolean           outdent)
{
  GtkTextBuffer *buffer = get_buffer (self);
  GtkTextIter start, end;
  int first, last;
  gboolean any_item = FALSE, changed = FALSE;

  gtk_text_buffer_get_selection_bounds (buffer, &start, &end);
  first = gtk_text_iter_get_line (&start);
  last = gtk_text_iter_get_line (&end);
  /* A selection that ends at the start of a line does not take that line in. */
  if (last > first && gtk_text_iter_starts_line (&end))
    last--;

  for (int l = first; l <= last; l++)
    {
      GtkTextIter iter, line_start;
      g_autofree char *line = NULL;

      gtk_text_buffer_get_iter_at_line (buffer, &iter, l);
      line = dup_line (&iter, &line_start);
      if (si_markdown_is_list_item (line))
        any_item = TRUE;
    }
  if (!any_item)
    return FALSE;   /* Tab moves the focus, as everywhere */

  gtk_text_buffer_begin_user_action (buffer);
  for (int l = first; l <= last; l++)
    {
      GtkTextIter iter, line_start;
      g_autofree char *line = NULL;
      g_autofree char *new_line = NULL;

      gtk_text_buffer_get_iter_at_line (buffer, &iter, l);
      line = dup_line (&iter, &line_start);
      if (si_markdown_indent (line, outdent, &new_line))
        {
          replace_text (self, &line_start, line, new_line);
          changed = TRUE;
        }
    }
  gtk_text_buffer_end_user_action (buffer);

  /* Shift+Tab on items that are all at the left edge moves the focus back, as it did. */
  return changed || !outdent;
}

static void
wrap_selection (SiMarkdownEditing *self,
                const char        *delimiter)
{
  GtkTextBuffer *buffer = get_buffer (self);
  GtkTextIter start, end, region_start, region_end;
  g_autofree char *before = NULL;
  g_autofree char *selected = NULL;
  g_autofree char *after = NULL;
  g_autofree char *old = NULL;
  g_autofree char *new = NULL;
  gsize sel_start = 0, sel_end = 0;
  int d = (int) g_utf8_strlen (delimiter, -1);
  int base;

  if (!gtk_text_view_get_editable (self->view))
    return;
  gtk_text_buffer_get_selection_bounds (buffer, &start, &end);
  region_start = start;
  gtk_text_iter_backward_chars (&region_start, d);
  region_end = end;
  gtk_text_iter_forward_chars (&region_end, d);
  before = gtk_text_iter_get_slice (&region_start, &start);
  selected = gtk_text_iter_get_slice (&start, &end);
  after = gtk_text_iter_get_slice (&end, &region_end);
  old = gtk_text_iter_get_slice (&region_start, &region_end);
  base = gtk_text_iter_get_offset (&region_start);

  si_markdown_wrap (before, selected, after, delimiter, &new, &sel_start, &sel_end);

  gtk_text_buffer_begin_user_action (buffer);
  replace_text (self, &region_start, old, new);
  place_cursor_at (self, base, new, sel_end, sel_start);
  gtk_text_buffer_end_user_action (buffer);
}

static gboolean
bold_cb (GtkWidget *widget,
         GVariant  *args,
         gpointer   user_data)
{
  if (!gtk_widget_has_focus (widget))
    return FALSE;
  wrap_selection (user_data, SI_MARKDOWN_BOLD);
  return TRUE;
}

static gboolean
italic_cb (GtkWidget *widget,
           GVariant  *args,
           gpointer   user_data)
{
  if (!gtk_widget_has_focus (widget))
    return FALSE;
  wrap_selection (user_data, SI_MARKDOWN_ITALIC);
  return TRUE;
}

static void update_pointer (SiMarkdownEditing *self,
                            GdkModifierType    state);

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                SiMarkdownEditing     *self)
{
  GdkModifierType mods = state & gtk_accelerator_get_default_mod_mask ();

  /* A key event's state is from before the key: Ctrl pressed is added here. */
  if (keyval == GDK_KEY_Control_L || keyval == GDK_KEY_Control_R)
    {
      update_pointer (self, state | GDK_CONTROL_MASK);
      return FALSE;
    }

  /* Keys for a widget inside the view (a popover's menu) pass by in the capture phase too. */
  if (!gtk_text_view_get_editable (self->view) || self->preedit || !gtk_widget_has_focus (GTK_WIDGET (self->view)))
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
      return mods == 0 && handle_enter (self);
    case GDK_KEY_Tab:
    case GDK_KEY_KP_Tab:
      return mods == 0 && handle_tab (self, FALSE);
    case GDK_KEY_ISO_Left_Tab:
      return mods == GDK_SHIFT_MASK && handle_tab (self, TRUE);
    default:
      return FALSE;
    }
}

static void
preedit_changed_cb (GtkTextView       *view,
                    const char        *preedit,
                    SiMarkdownEditing *self)
{
  self->preedit = preedit != NULL && preedit[0] != '\0';
}

/* The line and the place in it under the point (@x, @y) of the view, if a character is there. */
static char *
dup_line_at_point (SiMarkdownEditing *self,
                   double             x,
                   double             y,
                   GtkTextIter       *line_start,
                   gsize             *index)
{
  GtkTextIter iter;
  int bx, by;

  gtk_text_view_window_to_buffer_coords (self->view, GTK_TEXT_WINDOW_WIDGET, (int) x, (int) y, &bx, &by);
  /* FALSE past the end of a line. (Its iterator's rectangle may start a pixel or two further
   * right than the point: GTK 4.8 measures the two a little differently.) */
  if (!gtk_text_view_get_iter_at_location (self->view, &iter, bx, by))
    return NULL;
  *index = (gsize) gtk_text_iter_get_line_index (&iter);
  return dup_line (&iter, line_start);
}

static char *
link_at_point (SiMarkdownEditing *self,
               double             x,
               double             y)
{
  GtkTextIter line_start;
  gsize index = 0;
  g_autofree char *line = dup_line_at_point (self, x, y, &line_start, &index);
  g_autofree char *uri = NULL;

  if (line == NULL)
    return NULL;
  uri = si_markdown_link_at (line, index);
  if (uri == NULL || !si_markdown_uri_is_openable (uri))
    return NULL;
  return g_steal_pointer (&uri);
}

static void
pressed_cb (GtkGestureClick   *gesture,
            int                n_press,
            double             x,
            double             y,
            SiMarkdownEditing *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  GdkModifierType mods = state & gtk_accelerator_get_default_mod_mask ();

  /* Only clicks on the text itself: not on a gutter, a popover or another child of the view. */
  if (gtk_widget_pick (GTK_WIDGET (self->view), x, y, GTK_PICK_DEFAULT) != GTK_WIDGET (self->view))
    return;

  if (mods == GDK_CONTROL_MASK && n_press == 1)
    {
      g_autofree char *uri = link_at_point (self, x, y);
      gboolean handled = FALSE;

      if (uri != NULL)
        {
          gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
          g_signal_emit (self, signals[OPEN_URI], 0, uri, &handled);
        }
      return;
    }

  /* Every click counts on a checkbox, a quick second one as well. */
  if (mods == 0 && gtk_text_view_get_editable (self->view))
    {
      GtkTextBuffer *buffer = get_buffer (self);
      GtkTextIter line_start;
      gsize index = 0;
      g_autofree char *line = dup_line_at_point (self, x, y, &line_start, &index);
      g_autofree char *new_line = NULL;

      if (line != NULL && si_markdown_toggle_checkbox (line, index, &new_line))
        {
          gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
          gtk_widget_grab_focus (GTK_WIDGET (self->view));   /* the cursor stays where it was */
          gtk_text_buffer_begin_user_action (buffer);
          replace_text (self, &line_start, line, new_line);
          gtk_text_buffer_end_user_action (buffer);
        }
    }
}

static void
update_pointer (SiMarkdownEditing *self,
                GdkModifierType    state)
{
  gboolean over = FALSE;

  if (self->pointer_inside && (state & gtk_accelerator_get_default_mod_mask ()) == GDK_CONTROL_MASK)
    {
      g_autofree char *uri = link_at_point (self, self->pointer_x, self->pointer_y);

      over = uri != NULL;
    }
  if (over == self->over_link)
    return;
  self->over_link = over;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self->view), over ? "pointer" : "text");
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           SiMarkdownEditing        *self)
{
  self->pointer_inside = TRUE;
  self->pointer_x = x;
  self->pointer_y = y;
  update_pointer (self, gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller)));
}

static void
leave_cb (GtkEventControllerMotion *controller,
          SiMarkdownEditing        *self)
{
  self->pointer_inside = FALSE;
  update_pointer (self, 0);
}

static void
key_released_cb (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 SiMarkdownEditing     *self)
{
  if (keyval == GDK_KEY_Control_L || keyval == GDK_KEY_Control_R)
    update_pointer (self, state & ~GDK_CONTROL_MASK);
}
static void
launched_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_message ("Could not open the link: %s", error->message);
}

static gboolean
si_markdown_editing_real_open_uri (SiMarkdownEditing *self,
                                   const char        *uri)
{
  g_autoptr(GdkAppLaunchContext) context = NULL;

  if (self->view != NULL)
    context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self->view)));
  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL, launched_cb, NULL);
  return TRUE;
}

static void
si_markdown_editing_class_init (SiMarkdownEditingClass *klass)
{
  /**
   * SiMarkdownEditing::open-uri:
   * @uri: an http, https or mailto link that was Ctrl+clicked
   *
   * Opens @uri with the default application (the default handler), unless a handler returns
   * TRUE first.
   */
  signals[OPEN_URI] = g_signal_new_class_handler ("open-uri", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                  G_CALLBACK (si_markdown_editing_real_open_uri),
                                                  g_signal_accumulator_true_handled, NULL, NULL,
                                                  G_TYPE_BOOLEAN, 1, G_TYPE_STRING);
}

static void
si_markdown_editing_init (SiMarkdownEditing *self)
{
}

/**
 * si_markdown_editing_attach:
 * @view: a text view (the body of an idea)
 *
 * Gives @view the Markdown conveniences, for as long as it lives.
 *
 * Returns: (transfer none): the object that does it, owned by @view
 */
SiMarkdownEditing *
si_markdown_editing_attach (GtkTextView *view)
{
  SiMarkdownEditing *self;
  GtkEventController *controller;
  GtkShortcutController *shortcuts;

  g_return_val_if_fail (GTK_IS_TEXT_VIEW (view), NULL);
  g_return_val_if_fail (si_markdown_editing_get_for_view (view) == NULL, NULL);

  self = g_object_new (SI_TYPE_MARKDOWN_EDITING, NULL);
  self->view = view;
  g_object_add_weak_pointer (G_OBJECT (view), (gpointer *) &self->view);
  g_object_set_data_full (G_OBJECT (view), DATA_KEY, self, g_object_unref);

  /* Before the view's own handling, so that Enter and Tab are ours on a list item. */
  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self, 0);
  g_signal_connect_object (controller, "key-released", G_CALLBACK (key_released_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (view), controller);
  g_signal_connect_object (view, "preedit-changed", G_CALLBACK (preedit_changed_cb), self, 0);

  shortcuts = GTK_SHORTCUT_CONTROLLER (gtk_shortcut_controller_new ());
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (shortcuts), GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (shortcuts,
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_b, GDK_CONTROL_MASK),
                                                          gtk_callback_action_new (bold_cb, self, NULL)));
  gtk_shortcut_controller_add_shortcut (shortcuts,
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_i, GDK_CONTROL_MASK),
                                                          gtk_callback_action_new (italic_cb, self, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (view), GTK_EVENT_CONTROLLER (shortcuts));

  controller = GTK_EVENT_CONTROLLER (gtk_gesture_click_new ());
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (controller), GDK_BUTTON_PRIMARY);
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "pressed", G_CALLBACK (pressed_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (view), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_object (controller, "motion", G_CALLBACK (motion_cb), self, 0);
  g_signal_connect_object (controller, "leave", G_CALLBACK (leave_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (view), controller);

  return self;
}

/**
 * si_markdown_editing_get_for_view:
 * @view: a text view
 *
 * Returns: (transfer none) (nullable): what si_markdown_editing_attach() gave @view
 */
SiMarkdownEditing *
si_markdown_editing_get_for_view (GtkTextView *view)
{
  g_return_val_if_fail (GTK_IS_TEXT_VIEW (view), NULL);

  return g_object_get_data (G_OBJECT (view), DATA_KEY);
}
