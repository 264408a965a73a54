/* si-wire-scan.c — the strict JSON tokenizer of the streaming reader (si-wire-read.c): a
 * pull scanner over the text that reads each value once, with RFC 8259's rules and the
 * codec's bounds (nesting, whole numbers, no NUL, surrogates). See si-wire-read-private.h. */
#define G_LOG_DOMAIN "saveidea-wire"

#include "config.h"

#include <string.h>

#include "si-wire-read-private.h"

/* ---------------------------------------------------------------------------------------- */
/* the tokenizer */

void
reader_init (Reader     *r,
             const char *data,
             gsize       length)
{
  r->start = r->p = data;
  r->end = data + length;
  r->depth = 0;
  r->error = NULL;
  r->scratch = g_string_sized_new (64);
}

void
reader_clear (Reader *r)
{
  g_clear_error (&r->error);
  g_string_free (r->scratch, TRUE);
}

gboolean
syntax_error (Reader     *r,
              const char *fmt,
              ...)
{
  g_autofree char *what = NULL;
  va_list args;

  if (r->error != NULL)
    return FALSE;
  va_start (args, fmt);
  what = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (&r->error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
               "The body is not valid JSON: %s at byte %" G_GSIZE_FORMAT, what, (gsize) (r->p - r->start));
  return FALSE;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
read_hex4 (Reader  *r,
           guint   *out)
{
  guint value = 0;

  if (r->end - r->p < 4)
    return syntax_error (r, "a \\u escape is cut short");
  for (guint i = 0; i < 4; i++)
    {
      int digit = hex_value (r->p[i]);

      if (digit < 0)
        return syntax_error (r, "a \\u escape needs four hex digits");
      value = value * 16 + (guint) digit;
    }
  r->p += 4;
  *out = value;
  return TRUE;
}

/* Whether byte @c may stand in a string as it is: not a control character, except U+001F,
 * which json-glib 1.6's writer leaves unescaped (it escapes only below U+001F), so that
 * every server and client of ours before si-wire-write.c sends it raw. */
#define RAW_STRING_BYTE(c) ((guchar) (c) >= 0x1F)

/* Reads the string at r->p (its opening quote). *@out and *@out_length are its decoded bytes:
 * inside the text when it has no escape, else in r->scratch (valid until the next string). The
 * text is known to be UTF-8. */
static gboolean
read_string (Reader      *r,
             const char **out,
             gsize       *out_length)
{
  const char *p = r->p + 1;
  const char *run;

  /* The common case: no escape. */
  while (p < r->end && *p != '"' && *p != '\\' && RAW_STRING_BYTE (*p))
    p++;
  if (p < r->end && *p == '"')
    {
      *out = r->p + 1;
      *out_length = (gsize) (p - (r->p + 1));
      r->p = p + 1;
      return TRUE;
    }

  g_string_truncate (r->scratch, 0);
  g_string_append_len (r->scratch, r->p + 1, p - (r->p + 1));
  r->p = p;
  for (;;)
    {
      guint unit, low;

      run = r->p;
      while (r->p < r->end && *r->p != '"' && *r->p != '\\' && RAW_STRING_BYTE (*r->p))
        r->p++;
      g_string_append_len (r->scratch, run, r->p - run);
      if (r->p >= r->end)
        return syntax_error (r, "a string is not closed");
      if (*r->p == '"')
        break;
      if (*r->p != '\\')
        return syntax_error (r, "a string holds a control character that is not escaped");
      if (++r->p >= r->end)
        return syntax_error (r, "a string is not closed");
      switch (*r->p++)
        {
        case '"': g_string_append_c (r->scratch, '"'); break;
        case '\\': g_string_append_c (r->scratch, '\\'); break;
        case '/': g_string_append_c (r->scratch, '/'); break;
        case 'b': g_string_append_c (r->scratch, '\b'); break;
        case 'f': g_string_append_c (r->scratch, '\f'); break;
        case 'n': g_string_append_c (r->scratch, '\n'); break;
        case 'r': g_string_append_c (r->scratch, '\r'); break;
        case 't': g_string_append_c (r->scratch, '\t'); break;
        case 'u':
          if (!read_hex4 (r, &unit))
            return FALSE;
          if (unit == 0)
            return syntax_error (r, "a string contains the NUL character \\u0000");
          if (unit >= 0xDC00 && unit <= 0xDFFF)
            return syntax_error (r, "a string holds a lone low surrogate");
          if (unit >= 0xD800 && unit <= 0xDBFF)
            {
              if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
                return syntax_error (r, "a string holds a lone high surrogate");
              r->p += 2;
              if (!read_hex4 (r, &low))
                return FALSE;
              if (low < 0xDC00 || low > 0xDFFF)
                return syntax_error (r, "a string holds a malformed surrogate pair");
              unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            }
          g_string_append_unichar (r->scratch, unit);
          break;
        default:
          r->p--;
          return syntax_error (r, "a string contains an escape that is not JSON");
        }
    }
  r->p++;
  *out = r->scratch->str;
  *out_length = r->scratch->len;
  return TRUE;
}

/* Reads the number at r->p: *@out_kind is V_INT (with *@out_value) or V_DOUBLE. */
static gboolean
read_number (Reader  *r,
             Kind    *out_kind,
             gint64  *out_value)
{
  const char *number = r->p;
  gboolean negative = FALSE;
  const char *digits;
  gsize n_digits;
  guint64 value = 0;

  if (*r->p == '-')
    {
      negative = TRUE;
      r->p++;
    }
  digits = r->p;
  if (r->p >= r->end || !g_ascii_isdigit (*r->p))
    return syntax_error (r, "a number has no digits");
  if (*r->p == '0' && r->p + 1 < r->end && g_ascii_isdigit (r->p[1]))
    return syntax_error (r, "a number starts with a leading zero");
  while (r->p < r->end && g_ascii_isdigit (*r->p))
    r->p++;
  n_digits = (gsize) (r->p - digits);

  if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E'))
    {
      if (*r->p == '.')
        {
          r->p++;
          if (r->p >= r->end || !g_ascii_isdigit (*r->p))
            return syntax_error (r, "a number's fraction has no digits");
          while (r->p < r->end && g_ascii_isdigit (*r->p))
            r->p++;
        }
      if (r->p < r->end && (*r->p == 'e' || *r->p == 'E'))
        {
          r->p++;
          if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
            r->p++;
          if (r->p >= r->end || !g_ascii_isdigit (*r->p))
            return syntax_error (r, "a number's exponent has no digits");
          while (r->p < r->end && g_ascii_isdigit (*r->p))
            r->p++;
        }
      *out_kind = V_DOUBLE;
      return TRUE;
    }

  if (n_digits > 19 ||
      (n_digits == 19 && memcmp (digits, negative ? "9223372036854775808" : "9223372036854775807", 19) > 0))
    {
      r->p = number;
      return syntax_error (r, "a whole number is out of range (-9223372036854775808 to 9223372036854775807)");
    }
  for (const char *q = digits; q < r->p; q++)
    value = value * 10 + (guint64) (*q - '0');
  *out_kind = V_INT;
  *out_value = negative ? (gint64) (0 - value) : (gint64) value;
  return TRUE;
}

static gboolean
read_literal (Reader     *r,
              const char *word,
              gsize       length)
{
  if ((gsize) (r->end - r->p) < length || memcmp (r->p, word, length) != 0)
    return syntax_error (r, "an unexpected character");
  r->p += length;
  return TRUE;
}

/* Opens an array or object at r->p (on its bracket). */
gboolean
enter (Reader *r)
{
  if (++r->depth > SI_WIRE_MAX_DEPTH)
    return syntax_error (r, "arrays and objects are nested deeper than %d levels", SI_WIRE_MAX_DEPTH);
  r->p++;
  return TRUE;
}

/* Iterates an object's members, after enter(): TRUE with r->p on the member's value and its
 * name in *@name (valid until the next string), FALSE at the closing brace (consumed) or on an
 * error (r->error set). *@first is TRUE before the first call. */
gboolean
next_member (Reader      *r,
             gboolean    *first,
             const char **name,
             gsize       *name_length)
{
  char c;

  if (r->error != NULL)
    return FALSE;
  c = peek (r);

  if (c == '}' && *first)
    {
      r->p++;
      r->depth--;
      return FALSE;
    }
  if (!*first)
    {
      if (c == '}')
        {
          r->p++;
          r->depth--;
          return FALSE;
        }
      if (c != ',')
        return syntax_error (r, "“,” or “}” expected");
      r->p++;
      c = peek (r);
    }
  *first = FALSE;
  if (c != '"')
    return syntax_error (r, "a member name expected");
  if (!read_string (r, name, name_length))
    return FALSE;
  if (peek (r) != ':')
    return syntax_error (r, "“:” expected");
  r->p++;
  skip_ws (r);
  return TRUE;
}

/* As next_member(), for an array's elements. */
gboolean
next_element (Reader   *r,
              gboolean *first)
{
  char c;

  if (r->error != NULL)
    return FALSE;
  c = peek (r);

  if (c == ']')
    {
      r->p++;
      r->depth--;
      return FALSE;
    }
  if (!*first)
    {
      if (c != ',')
        return syntax_error (r, "“,” or “]” expected");
      r->p++;
      skip_ws (r);
      if (r->p < r->end && *r->p == ']')
        return syntax_error (r, "a value expected after “,”");
    }
  *first = FALSE;
  return TRUE;
}

void
val_clear (Val *v)
{
  g_clear_pointer (&v->s, g_free);
  v->kind = V_ABSENT;
}

static gboolean skip_container (Reader *r);

/* Reads any value at r->p into @v (NULL: checked and dropped). Arrays and objects are checked
 * and skipped; only their kind is kept. */
gboolean
read_value (Reader *r,
            Val    *v)
{
  Kind kind;
  gint64 i = 0;
  const char *s = NULL;
  gsize length = 0;

  switch (peek (r))
    {
    case '"':
      if (!read_string (r, &s, &length))
        return FALSE;
      kind = V_STRING;
      break;
    case '{':
      kind = V_OBJECT;
      if (!skip_container (r))
        return FALSE;
      break;
    case '[':
      kind = V_ARRAY;
      if (!skip_container (r))
        return FALSE;
      break;
    case 't':
      if (!read_literal (r, "true", 4))
        return FALSE;
      kind = V_BOOL;
      i = 1;
      break;
    case 'f':
      if (!read_literal (r, "false", 5))
        return FALSE;
      kind = V_BOOL;
      break;
    case 'n':
      if (!read_literal (r, "null", 4))
        return FALSE;
      kind = V_NULL;
      break;
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      if (!read_number (r, &kind, &i))
        return FALSE;
      break;
    case '\0':
      return syntax_error (r, "the text ends where a value was expected");
    default:
      return syntax_error (r, "a value expected");
    }
  if (v != NULL)
    {
      val_clear (v);
      v->kind = kind;
      v->i = i;
      if (kind == V_STRING)
        v->s = g_strndup (s, length);
    }
  return TRUE;
}

static gboolean
skip_container (Reader *r)
{
  gboolean first = TRUE;
  const char *name;
  gsize name_length;

  if (*r->p == '{')
    {
      if (!enter (r))
        return FALSE;
      while (next_member (r, &first, &name, &name_length))
        if (!read_value (r, NULL))
          return FALSE;
    }
  else
    {
      if (!enter (r))
        return FALSE;
      while (next_element (r, &first))
        if (!read_value (r, NULL))
          return FALSE;
    }
  return r->error == NULL;
}
