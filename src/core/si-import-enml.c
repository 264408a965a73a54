/* si-import-enml.c — Evernote's note format, ENML (a subset of XHTML), turned into Markdown.
 *
 * Parsed with GMarkup, which never reads a DTD nor expands an entity declared by the document:
 * the DOCTYPE ENML starts with is skipped, and the only entities are XML's five, numeric
 * character references, and HTML's named ones (the ENML DTD includes them), which are turned
 * into characters here from a built-in table before parsing. So nothing outside the text is
 * ever fetched (no XXE) and nothing grows by expansion. Nesting is bounded (ENML_MAX_DEPTH).
 *
 * What becomes of the elements: p and headings are paragraphs, div a line (Evernote writes one
 * div per line, `<div><br/></div>` for an empty one), br a line break, ul/ol/li nested lists,
 * en-todo a checkbox (`- [ ]`, `- [x]`), `a` a link, b/strong, i/em, s/del, code and pre their
 * Markdown, hr a rule, table a Markdown table (the first row is the header; a table in a table is
 * flattened into its cell), img with a web address an image. en-media (an attachment, which the
 * ENEX reader lists from its <resource>) and en-crypt (encrypted text, listed in @media for the
 * import report) leave nothing in the text.
 */
#define G_LOG_DOMAIN "saveidea-import"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "si-import.h"
#include "si-import-private.h"

#define ENML_MAX_DEPTH 200
/* What a note's Markdown may grow to while it is made (indentation and table padding make it
 * larger than the ENML): more than a body can hold anyway. */
#define ENML_MAX_OUTPUT ((gsize) 4 * SI_BODY_MAX_BYTES)

/* HTML's named entities (HTML 4's three sets, which ENML's DTD includes). */
static const char * const latin1[] = {   /* U+00A0 to U+00FF, in order */
  "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf",
  "laquo", "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para",
  "middot", "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest", "Agrave",
  "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute", "Ecirc",
  "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc",
  "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN",
  "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil", "egrave",
  "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde", "ograve",
  "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute", "ucirc", "uuml",
  "yacute", "thorn", "yuml",
};

static const char * const greek_upper[] = {   /* U+0391 to U+03A9 (U+03A2 is unassigned) */
  "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa", "Lambda",
  "Mu", "Nu", "Xi", "Omicron", "Pi", "Rho", "", "Sigma", "Tau", "Upsilon", "Phi", "Chi", "Psi", "Omega",
};

static const char * const greek_lower[] = {   /* U+03B1 to U+03C9 */
  "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
  "mu", "nu", "xi", "omicron", "pi", "rho", "sigmaf", "sigma", "tau", "upsilon", "phi", "chi", "psi",
  "omega",
};

static const struct { const char *name; gunichar c; } others[] = {
  { "OElig", 338 }, { "oelig", 339 }, { "Scaron", 352 }, { "scaron", 353 }, { "Yuml", 376 },
  { "fnof", 402 }, { "circ", 710 }, { "tilde", 732 }, { "thetasym", 977 }, { "upsih", 978 },
  { "piv", 982 }, { "ensp", 8194 }, { "emsp", 8195 }, { "thinsp", 8201 }, { "zwnj", 8204 },
  { "zwj", 8205 }, { "lrm", 8206 }, { "rlm", 8207 }, { "ndash", 8211 }, { "mdash", 8212 },
  { "lsquo", 8216 }, { "rsquo", 8217 }, { "sbquo", 8218 }, { "ldquo", 8220 }, { "rdquo", 8221 },
  { "bdquo", 8222 }, { "dagger", 8224 }, { "Dagger", 8225 }, { "bull", 8226 }, { "hellip", 8230 },
  { "permil", 8240 }, { "prime", 8242 }, { "Prime", 8243 }, { "lsaquo", 8249 }, { "rsaquo", 8250 },
  { "oline", 8254 }, { "frasl", 8260 }, { "euro", 8364 }, { "image", 8465 }, { "weierp", 8472 },
  { "real", 8476 }, { "trade", 8482 }, { "alefsym", 8501 }, { "larr", 8592 }, { "uarr", 8593 },
  { "rarr", 8594 }, { "darr", 8595 }, { "harr", 8596 }, { "crarr", 8629 }, { "lArr", 8656 },
  { "uArr", 8657 }, { "rArr", 8658 }, { "dArr", 8659 }, { "hArr", 8660 }, { "forall", 8704 },
  { "part", 8706 }, { "exist", 8707 }, { "empty", 8709 }, { "nabla", 8711 }, { "isin", 8712 },
  { "notin", 8713 }, { "ni", 8715 }, { "prod", 8719 }, { "sum", 8721 }, { "minus", 8722 },
  { "lowast", 8727 }, { "radic", 8730 }, { "prop", 8733 }, { "infin", 8734 }, { "ang", 8736 },
  { "and", 8743 }, { "or", 8744 }, { "cap", 8745 }, { "cup", 8746 }, { "int", 8747 },
  { "there4", 8756 }, { "sim", 8764 }, { "cong", 8773 }, { "asymp", 8776 }, { "ne", 8800 },
  { "equiv", 8801 }, { "le", 8804 }, { "ge", 8805 }, { "sub", 8834 }, { "sup", 8835 },
  { "nsub", 8836 }, { "sube", 8838 }, { "supe", 8839 }, { "oplus", 8853 }, { "otimes", 8855 },
  { "perp", 8869 }, { "sdot", 8901 }, { "lceil", 8968 }, { "rceil", 8969 }, { "lfloor", 8970 },
  { "rfloor", 8971 }, { "lang", 9001 }, { "rang", 9002 }, { "loz", 9674 }, { "spades", 9824 },
  { "clubs", 9827 }, { "hearts", 9829 }, { "diams", 9830 },
};

static gboolean
name_is (const char *name,
         gsize       length,
         const char *candidate)
{
  return strlen (candidate) == length && memcmp (name, candidate, length) == 0;
}

const char *
_si_import_html_entity (const char *name,
                        gsize       length,
                        char        buffer[8])
{
  gunichar c = 0;

  for (guint i = 0; c == 0 && i < G_N_ELEMENTS (latin1); i++)
    if (name_is (name, length, latin1[i]))
      c = 0xa0 + i;
  for (guint i = 0; c == 0 && i < G_N_ELEMENTS (greek_upper); i++)
    if (greek_upper[i][0] && name_is (name, length, greek_upper[i]))
      c = 0x391 + i;
  for (guint i = 0; c == 0 && i < G_N_ELEMENTS (greek_lower); i++)
    if (name_is (name, length, greek_lower[i]))
      c = 0x3b1 + i;
  for (guint i = 0; c == 0 && i < G_N_ELEMENTS (others); i++)
    if (name_is (name, length, others[i].name))
      c = others[i].c;
  if (c == 0)
    return NULL;
  buffer[g_unichar_to_utf8 (c, buffer)] = '\0';
  return buffer;
}

/* @text with HTML's named entities replaced by their characters; XML's five stay for GMarkup,
 * unknown ones too (GMarkup then says which). */
static char *
replace_entities (const char *text,
                  gsize       length)
{
  GString *out = g_string_sized_new (length + 1);
  const char *p = text, *end = text + length;

  while (p < end)
    {
      const char *amp = memchr (p, '&', (gsize) (end - p)), *q;
      const char *character;
      char buffer[8];

      if (amp == NULL)
        {
          g_string_append_len (out, p, end - p);
          break;
        }
      g_string_append_len (out, p, amp - p);
      for (q = amp + 1; q < end && q - amp <= 10 && g_ascii_isalnum (*q); q++)
        ;
      if (q < end && *q == ';' && q > amp + 1 && g_ascii_isalpha (amp[1]) &&
          !name_is (amp + 1, q - amp - 1, "amp") && !name_is (amp + 1, q - amp - 1, "lt") &&
          !name_is (amp + 1, q - amp - 1, "gt") && !name_is (amp + 1, q - amp - 1, "quot") &&
          !name_is (amp + 1, q - amp - 1, "apos") &&
          (character = _si_import_html_entity (amp + 1, q - amp - 1, buffer)) != NULL)
        {
          g_string_append (out, character);
          p = q + 1;
          continue;
        }
      g_string_append_c (out, '&');
      p = amp + 1;
    }
  return g_string_free (out, FALSE);
}

/* Converting ---------------------------------------------------------------------------------- */

typedef struct {
  char  kind;          /* 'u' or 'o' */
  guint n;             /* items so far */
  guint indent;        /* the indentation of its items' text */
} List;

typedef struct {
  GString   *out;
  GString   *cell;       /* the table cell being read, or NULL */
  GPtrArray *rows;       /* GPtrArray of cells (char *) of the table being read */
  GPtrArray *media;
  List       lists[ENML_MAX_DEPTH];
  guint      n_lists;
  gsize      marks[ENML_MAX_DEPTH];   /* per open element: where its output started */
  char      *hrefs[ENML_MAX_DEPTH];
  guint      depth;
  guint      skip;       /* inside elements whose text is left out */
  guint      pre;
  guint      tables;
  gboolean   space;      /* whitespace was seen and is due before the next text */
  gboolean   after_marker;   /* a list marker was just written */
} Enml;

static GString *
current (Enml *c)
{
  return c->cell ? c->cell : c->out;
}

static gboolean
at_line_start (GString *s)
{
  return s->len == 0 || s->str[s->len - 1] == '\n';
}

static void
trim_spaces (GString *s)
{
  while (s->len > 0 && s->str[s->len - 1] == ' ')
    g_string_truncate (s, s->len - 1);
}

static guint
n_lines_end (GString *s)
{
  guint n = 0;

  for (gsize i = s->len; i > 0 && s->str[i - 1] == '\n'; i--)
    n++;
  return n;
}

/* Ends the line (or, with @blank, the paragraph). In a table cell, a space. */
static void
block_break (Enml     *c,
             gboolean  blank)
{
  GString *s = current (c);

  c->space = FALSE;
  c->after_marker = FALSE;
  if (c->cell != NULL || c->tables > 0)
    {
      if (c->cell != NULL && s->len > 0 && s->str[s->len - 1] != ' ')
        g_string_append_c (s, ' ');
      return;
    }
  trim_spaces (s);
  if (s->len == 0)
    return;
  if (!at_line_start (s))
    g_string_append_c (s, '\n');
  if (blank && n_lines_end (s) < 2)
    g_string_append_c (s, '\n');
}

static void
indent_line (Enml *c)
{
  GString *s = current (c);

  if (c->cell == NULL && c->n_lists > 0 && at_line_start (s) && !c->pre)
    for (guint i = 0; i < c->lists[c->n_lists - 1].indent; i++)
      g_string_append_c (s, ' ');
}

static void
append_text (Enml       *c,
             const char *text,
             gsize       length)
{
  GString *s = current (c);

  if (c->skip > 0 || (c->tables > 0 && c->cell == NULL))
    return;
  if (c->pre > 0 && c->cell == NULL)
    {
      g_string_append_len (s, text, length);
      return;
    }
  for (const char *p = text, *end = text + length; p < end; p++)
    {
      if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        {
          c->space = TRUE;
          continue;
        }
      if (at_line_start (s))
        indent_line (c);
      else if (c->space && s->str[s->len - 1] != ' ')
        g_string_append_c (s, ' ');
      c->space = FALSE;
      c->after_marker = FALSE;
      /* A no-break space (from &nbsp;) is a plain space in a text file. */
      if ((guchar) p[0] == 0xc2 && p + 1 < end && (guchar) p[1] == 0xa0)
        {
          g_string_append_c (s, ' ');
          p++;
          continue;
        }
      if (c->cell != NULL && *p == '|')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
}

/* Writes inline markup (“**”, “[x] ”) where text would go. */
static void
append_markup (Enml       *c,
               const char *markup)
{
  GString *s = current (c);

  if (c->skip > 0 || (c->tables > 0 && c->cell == NULL))
    return;
  if (at_line_start (s))
    indent_line (c);
  else if (c->space && s->str[s->len - 1] != ' ')
    g_string_append_c (s, ' ');
  c->space = FALSE;
  g_string_append (s, markup);
}

/* The Markdown of an inline element, or NULL. */
static const char *
inline_marker (const char *e)
{
  if (g_str_equal (e, "b") || g_str_equal (e, "strong"))
    return "**";
  if (g_str_equal (e, "i") || g_str_equal (e, "em"))
    return "*";
  if (g_str_equal (e, "s") || g_str_equal (e, "strike") || g_str_equal (e, "del"))
    return "~~";
  if (g_str_equal (e, "code"))
    return "`";
  return NULL;
}

static const char *
attribute (const char **names,
           const char **values,
           const char  *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (names[i], name) == 0)
      return values[i];
  return NULL;
}

static void
free_row (gpointer data)
{
  g_ptr_array_unref (data);
}

/* FALSE when the table would be too large written out (every row padded to the widest). */
static gboolean
end_table (Enml *c)
{
  GString *s = c->out;
  guint columns = 0;

  for (guint i = 0; i < c->rows->len; i++)
    columns = MAX (columns, ((GPtrArray *) g_ptr_array_index (c->rows, i))->len);
  if ((guint64) columns * (c->rows->len + 1) * 6 > ENML_MAX_OUTPUT)
    return FALSE;
  if (columns > 0)
    {
      block_break (c, TRUE);
      for (guint i = 0; i < c->rows->len; i++)
        {
          GPtrArray *row = g_ptr_array_index (c->rows, i);

          g_string_append (s, "|");
          for (guint j = 0; j < columns; j++)
            {
              const char *cell = j < row->len ? g_ptr_array_index (row, j) : "";

              g_string_append_printf (s, " %s |", cell);
            }
          g_string_append_c (s, '\n');
          if (i == 0)
            {
              g_string_append (s, "|");
              for (guint j = 0; j < columns; j++)
                g_string_append (s, " --- |");
              g_string_append_c (s, '\n');
            }
        }
      g_string_append_c (s, '\n');
    }
  g_ptr_array_set_size (c->rows, 0);
  return TRUE;
}

static void
end_cell (Enml *c)
{
  GPtrArray *row;

  if (c->cell == NULL)
    return;
  if (c->rows->len == 0)
    g_ptr_array_add (c->rows, g_ptr_array_new_with_free_func (g_free));
  row = g_ptr_array_index (c->rows, c->rows->len - 1);
  g_ptr_array_add (row, g_strstrip (g_string_free (c->cell, FALSE)));
  c->cell = NULL;
}

static void
too_long (GError **error)
{
  g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
               /* Translators: KiB are 1024 bytes. */
               _("the note's text is too long: at most %d KiB"), SI_BODY_MAX_BYTES / 1024);
}

/* Every step writes a bounded amount (or text as long as what it read): checked before each. */
static gboolean
output_too_long (Enml    *c,
                 GError **error)
{
  if (c->out->len + (c->cell ? c->cell->len : 0) <= ENML_MAX_OUTPUT)
    return FALSE;
  too_long (error);
  return TRUE;
}

static void
on_start (GMarkupParseContext  *context,
          const char           *element,
          const char          **names,
          const char          **values,
          gpointer              user_data,
          GError              **error)
{
  Enml *c = user_data;
  char e[16];

  if (output_too_long (c, error))
    return;
  if (c->depth >= ENML_MAX_DEPTH)
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                   /* Translators: %d is a number of elements. */
                   _("the note's text is nested more than %d elements deep"), ENML_MAX_DEPTH);
      return;
    }
  c->marks[c->depth] = current (c)->len;
  c->hrefs[c->depth] = NULL;
  c->depth++;
  g_strlcpy (e, element, sizeof e);
  for (char *p = e; *p; p++)
    *p = g_ascii_tolower (*p);

  if (c->skip > 0 || g_str_equal (e, "style") || g_str_equal (e, "script") || g_str_equal (e, "head") ||
      g_str_equal (e, "title") || g_str_equal (e, "object") || g_str_equal (e, "embed"))
    c->skip++;
  else if (g_str_equal (e, "en-crypt"))
    {
      c->skip++;
      /* Translators: in the import report, for text Evernote keeps encrypted. */
      g_ptr_array_add (c->media, g_strdup (_("encrypted text")));
    }
  else if (g_str_equal (e, "p") || g_str_equal (e, "blockquote"))
    block_break (c, TRUE);
  else if (g_str_equal (e, "div") || g_str_equal (e, "center") || g_str_equal (e, "section") ||
           g_str_equal (e, "dl") || g_str_equal (e, "dt") || g_str_equal (e, "dd"))
    block_break (c, FALSE);
  else if (g_str_equal (e, "br"))
    {
      if (c->cell != NULL)
        append_markup (c, " ");
      else if (c->tables == 0)
        {
          trim_spaces (c->out);
          g_string_append_c (c->out, '\n');
          c->space = FALSE;
        }
    }
  else if (e[0] == 'h' && e[1] >= '1' && e[1] <= '6' && e[2] == '\0')
    {
      block_break (c, TRUE);
      if (c->cell == NULL && c->tables == 0)
        {
          for (int i = 0; i < e[1] - '0'; i++)
            g_string_append_c (c->out, '#');
          g_string_append_c (c->out, ' ');
        }
    }
  else if (g_str_equal (e, "ul") || g_str_equal (e, "ol"))
    {
      List *list = &c->lists[c->n_lists];
      guint parent = c->n_lists > 0 ? c->lists[c->n_lists - 1].indent : 0;

      block_break (c, c->n_lists == 0);
      list->kind = e[0];
      list->n = 0;
      list->indent = parent + (e[0] == 'u' ? 2 : 3);
      c->n_lists++;
    }
  else if (g_str_equal (e, "li"))
    {
      block_break (c, FALSE);
      if (c->cell != NULL || c->tables > 0)
        {
          append_markup (c, "- ");
        }
      else if (c->n_lists == 0)
        {
          g_string_append (c->out, "- ");
          c->after_marker = TRUE;
        }
      else
        {
          List *list = &c->lists[c->n_lists - 1];
          guint width = list->kind == 'u' ? 2 : 3;

          list->n++;
          for (guint i = 0; i + width < list->indent; i++)
            g_string_append_c (c->out, ' ');
          if (list->kind == 'u')
            g_string_append (c->out, "- ");
          else
            g_string_append_printf (c->out, "%u. ", list->n);
          c->after_marker = TRUE;
        }
    }
  else if (g_str_equal (e, "en-todo"))
    {
      const char *checked = attribute (names, values, "checked");
      gboolean done = checked != NULL && g_ascii_strcasecmp (checked, "true") == 0;
      GString *s = current (c);

      if (c->after_marker || c->cell != NULL || !at_line_start (s))
        append_markup (c, done ? "[x] " : "[ ] ");
      else
        append_markup (c, done ? "- [x] " : "- [ ] ");
      c->after_marker = FALSE;
    }
  else if (g_str_equal (e, "a"))
    c->hrefs[c->depth - 1] = g_strdup (attribute (names, values, "href"));
  else if (inline_marker (e) != NULL)
    {
      if (c->pre == 0)
        {
          append_markup (c, inline_marker (e));
          c->marks[c->depth - 1] = current (c)->len;
        }
    }
  else if (g_str_equal (e, "pre"))
    {
      block_break (c, TRUE);
      if (c->cell == NULL && c->tables == 0)
        g_string_append (c->out, "```\n");
      c->pre++;
    }
  else if (g_str_equal (e, "hr"))
    {
      block_break (c, TRUE);
      if (c->cell == NULL && c->tables == 0)
        g_string_append (c->out, "---\n\n");
    }
  else if (g_str_equal (e, "img"))
    {
      const char *src = attribute (names, values, "src");

      if (src != NULL && (g_str_has_prefix (src, "http://") || g_str_has_prefix (src, "https://")))
        {
          g_autofree char *image = g_strdup_printf ("![](%s)", src);
          append_markup (c, image);
        }
    }
  else if (g_str_equal (e, "table"))
    {
      if (c->tables++ == 0)
        block_break (c, TRUE);
    }
  else if (g_str_equal (e, "tr"))
    {
      if (c->tables == 1)
        {
          end_cell (c);
          g_ptr_array_add (c->rows, g_ptr_array_new_with_free_func (g_free));
        }
    }
  else if (g_str_equal (e, "td") || g_str_equal (e, "th"))
    {
      if (c->tables == 1)
        {
          end_cell (c);
          c->cell = g_string_new (NULL);
          c->space = FALSE;
        }
      else
        append_markup (c, " ");
    }
}

static void
on_end (GMarkupParseContext  *context,
        const char           *element,
        gpointer              user_data,
        GError              **error)
{
  Enml *c = user_data;
  g_autofree char *href = NULL;
  gsize mark;
  char e[16];

  c->depth--;
  mark = c->marks[c->depth];
  href = g_steal_pointer (&c->hrefs[c->depth]);
  g_strlcpy (e, element, sizeof e);
  for (char *p = e; *p; p++)
    *p = g_ascii_tolower (*p);

  if (c->skip > 0)
    {
      c->skip--;   /* every element inside counted one */
      return;
    }
  if (g_str_equal (e, "p") || g_str_equal (e, "blockquote") || (e[0] == 'h' && e[1] >= '1' && e[1] <= '6' && e[2] == '\0'))
    block_break (c, TRUE);
  else if (g_str_equal (e, "div") || g_str_equal (e, "center") || g_str_equal (e, "section") ||
           g_str_equal (e, "dl") || g_str_equal (e, "dt") || g_str_equal (e, "dd") || g_str_equal (e, "li"))
    block_break (c, FALSE);
  else if (g_str_equal (e, "ul") || g_str_equal (e, "ol"))
    {
      if (c->n_lists > 0)
        c->n_lists--;
      block_break (c, c->n_lists == 0);
    }
  else if (g_str_equal (e, "a"))
    {
      GString *s = current (c);

      /* The space before the link's text stays before the link. */
      while (mark < s->len && s->str[mark] == ' ')
        mark++;
      if (href != NULL && *href != '\0' && mark <= s->len)
        {
          g_autofree char *text = g_strstrip (g_strndup (s->str + mark, s->len - mark));

          g_string_truncate (s, mark);
          if (*text == '\0' || g_str_equal (text, href))
            g_string_append_printf (s, "<%s>", href);
          else
            g_string_append_printf (s, "[%s](%s)", text, href);
        }
    }
  else if (inline_marker (e) != NULL)
    {
      const char *marker = inline_marker (e);
      GString *s = current (c);
      gsize n = strlen (marker);

      if (c->pre > 0 || (c->cell == NULL && c->tables > 0) || mark < n || mark > s->len)
        return;
      /* Nothing between the markers: none at all. */
      if (s->len == mark)
        {
          g_string_truncate (s, mark - n);
          return;
        }
      if (s->str[s->len - 1] == ' ')
        c->space = TRUE;   /* “**bold **word”: the space goes after the marker */
      trim_spaces (s);
      g_string_append (s, marker);
    }
  else if (g_str_equal (e, "pre"))
    {
      if (c->pre > 0)
        c->pre--;
      if (c->cell == NULL && c->tables == 0)
        {
          if (!at_line_start (c->out))
            g_string_append_c (c->out, '\n');
          g_string_append (c->out, "```\n\n");
        }
    }
  else if (g_str_equal (e, "td") || g_str_equal (e, "th"))
    {
      if (c->tables == 1)
        end_cell (c);
    }
  else if (g_str_equal (e, "table"))
    {
      if (c->tables > 0 && --c->tables == 0)
        {
          end_cell (c);
          if (!end_table (c))
            too_long (error);
        }
    }
}

static void
on_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 length,
         gpointer              user_data,
         GError              **error)
{
  if (!output_too_long (user_data, error))
    append_text (user_data, text, length);
}

/* Lines without trailing blanks, at most one empty line in a row (outside ``` blocks), and no
 * empty lines at the start or the end. */
static char *
tidy (GString *s)
{
  g_auto(GStrv) lines = g_strsplit (s->str, "\n", -1);
  GString *out = g_string_sized_new (s->len);
  gboolean fence = FALSE;
  guint empty = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];

      if (!fence)
        g_strchomp (line);
      if (g_str_has_prefix (line, "```"))
        fence = !fence;
      if (*line == '\0' && !fence)
        {
          empty++;
          continue;
        }
      if (out->len > 0)
        g_string_append (out, empty > 0 ? "\n\n" : "\n");
      empty = 0;
      g_string_append (out, line);
    }
  return g_string_free (out, FALSE);
}

/**
 * _si_import_enml_to_markdown:
 * @enml: a note's content (ENML)
 * @media: (element-type utf8): gets what the text had that is not imported (attachments,
 *   encrypted text)
 *
 * Returns: (transfer full): the Markdown, or NULL with @error (a GMarkupError saying what is wrong)
 */
char *
_si_import_enml_to_markdown (const char  *enml,
                             gsize        length,
                             GPtrArray   *media,
                             GError     **error)
{
  static const GMarkupParser parser = { on_start, on_end, on_text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autofree char *text = replace_entities (enml, length);
  Enml c = { 0 };
  gboolean ok;
  char *markdown;

  c.out = g_string_new (NULL);
  c.rows = g_ptr_array_new_with_free_func (free_row);
  c.media = media;
  context = g_markup_parse_context_new (&parser, G_MARKUP_PREFIX_ERROR_POSITION | G_MARKUP_TREAT_CDATA_AS_TEXT, &c, NULL);
  ok = g_markup_parse_context_parse (context, text, -1, error) && g_markup_parse_context_end_parse (context, error);
  for (guint i = 0; i < c.depth; i++)
    g_free (c.hrefs[i]);
  if (c.cell != NULL)
    g_string_free (c.cell, TRUE);
  g_ptr_array_unref (c.rows);
  if (!ok)
    {
      g_string_free (c.out, TRUE);
      return NULL;
    }
  markdown = tidy (c.out);
  g_string_free (c.out, TRUE);
  return markdown;
}
