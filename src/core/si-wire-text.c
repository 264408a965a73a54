/* si-wire-text.c — the JSON codec of the sync protocol, part 3:
 * the guard on JSON text from the network, parsing it and writing it out.
 * See si-wire.h and docs/protocol.md. */
#define G_LOG_DOMAIN "saveidea-wire"

#include "config.h"

#include <string.h>

#include "si-wire.h"

/* ---------------------------------------------------------------------------------------- */
/* text */

/* Whether the four bytes at @p (inside the text) are the hex digits of U+0000. */
static gboolean
is_escaped_nul (const char *p,
                const char *end)
{
  return end - p >= 4 && p[0] == '0' && p[1] == '0' && p[2] == '0' && p[3] == '0';
}

/* Whether the JSON number at *@p fits: an integer must lie in -2^63..2^63-1, since json-glib
 * 1.6 wraps a larger one without a word (18446744073709551617 reads as 1, and an id or a
 * version would silently name another record). Numbers with a fraction or an exponent are
 * doubles and pass. Moves *@p onto the number's last character. */
static gboolean
json_number_fits (const char **p,
                  const char  *end)
{
  const char *q = *p;
  gboolean negative = *q == '-';
  const char *digits;
  gsize n_digits;

  if (negative)
    q++;
  while (q < end - 1 && *q == '0' && g_ascii_isdigit (q[1]))
    q++;
  digits = q;
  while (q < end && g_ascii_isdigit (*q))
    q++;
  n_digits = (gsize) (q - digits);
  if (q < end && (*q == '.' || *q == 'e' || *q == 'E'))
    {
      while (q < end && (g_ascii_isdigit (*q) || *q == '.' || *q == 'e' || *q == 'E' ||
                         *q == '+' || *q == '-'))
        q++;
      *p = q - 1;
      return TRUE;
    }
  *p = q > *p ? q - 1 : *p;
  if (n_digits != 19)
    return n_digits < 19;
  return memcmp (digits, negative ? "9223372036854775808" : "9223372036854775807", 19) <= 0;
}

gboolean
si_wire_check_text (const char  *data,
                    gsize        length,
                    GError     **error)
{
  const char *end = data + length;
  gboolean in_string = FALSE;
  guint depth = 0;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (length > SI_WIRE_MAX_BYTES)
    {
      g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                   "it is larger than %" G_GSIZE_FORMAT " bytes", (gsize) SI_WIRE_MAX_BYTES);
      return FALSE;
    }

  /* One pass, before json-glib (which recurses once per level and would run out of stack
   * on [[[[…): only brackets outside strings count, and a backslash in a string skips the
   * character it escapes, so "[[[" and "\"[" are no nesting. A NUL would cut the string
   * short when json-glib hands it on as a C string: refused, raw or escaped (as \\u0000, or
   * as "\\0": json-glib takes escapes JSON has not, so those are refused too). */
  for (const char *p = data; p < end; p++)
    {
      if (*p == '\0')
        {
          g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                       "it contains a NUL byte (at byte %" G_GSIZE_FORMAT ")", (gsize) (p - data));
          return FALSE;
        }
      if (in_string)
        {
          if (*p == '"')
            in_string = FALSE;
          else if (*p == '\\' && p + 1 < end)
            {
              p++;
              if (*p == 'u' && is_escaped_nul (p + 1, end))
                {
                  g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                               "a string contains the NUL character \\u0000 (at byte %" G_GSIZE_FORMAT ")",
                               (gsize) (p - 1 - data));
                  return FALSE;
                }
              /* json-glib also takes escapes JSON has not: "\0" (octal) is a NUL too. */
              if (strchr ("\"\\/bfnrtu", *p) == NULL || *p == '\0')
                {
                  g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                               "a string contains an escape that is not JSON (at byte %" G_GSIZE_FORMAT ")",
                               (gsize) (p - 1 - data));
                  return FALSE;
                }
            }
        }
      else if (*p == '"')
        in_string = TRUE;
      else if (*p == '[' || *p == '{')
        {
          if (++depth > SI_WIRE_MAX_DEPTH)
            {
              g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "arrays and objects are nested deeper than %d levels", SI_WIRE_MAX_DEPTH);
              return FALSE;
            }
        }
      else if ((*p == ']' || *p == '}') && depth > 0)
        depth--;
      else if (*p == '-' || g_ascii_isdigit (*p))
        {
          const char *number = p;

          if (!json_number_fits (&p, end))
            {
              g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "the number at byte %" G_GSIZE_FORMAT " is out of range: whole numbers "
                           "go from -9223372036854775808 to 9223372036854775807",
                           (gsize) (number - data));
              return FALSE;
            }
        }
    }
  return TRUE;
}

JsonNode *
si_wire_parse (const char  *data,
               gsize        length,
               GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length == 0)
    {
      g_set_error_literal (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "The body is empty; a JSON object was expected");
      return NULL;
    }
  if (!si_wire_check_text (data, length, &local_error))
    {
      g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                   "The body is not accepted: %s", local_error->message);
      return NULL;
    }
  if (!g_utf8_validate (data, (gssize) length, NULL))
    {
      g_set_error_literal (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "The body is not valid UTF-8");
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      /* json-glib quotes the bad token, decoded: "\320" becomes a lone byte 0xd0. The message
       * goes back to the client in a JSON error body, which must be UTF-8. */
      g_autofree char *message = g_utf8_make_valid (local_error->message, -1);

      g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                   "The body is not valid JSON: %s", message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "The body must be a JSON object");
      return NULL;
    }
  return json_node_ref (root);
}

char *
si_wire_to_string (JsonNode *node,
                   gsize    *out_length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  g_return_val_if_fail (node != NULL, NULL);

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, out_length);
}
