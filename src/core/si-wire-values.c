/* si-wire-values.c — the JSON codec of the sync protocol, part 4:
 * times and small values: timestamps, tag names, colours, If-Match, ETags.
 * See si-wire.h and docs/protocol.md. */
#define G_LOG_DOMAIN "saveidea-wire"

#include "config.h"

#include <string.h>
#include <stdlib.h>

#include "si-wire.h"

/* ---------------------------------------------------------------------------------------- */
/* times */

static gboolean
parse_digits (const char **p,
              guint        n,
              int         *out)
{
  int value = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      value = value * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *out = value;
  return TRUE;
}

/* 9999-12-31T23:59:59.999Z, the last time the wire format can write. */
#define TIMESTAMP_MAX_MS G_GINT64_CONSTANT (253402300799999)

gboolean
si_wire_timestamp_parse (const char *text,
                         gint64     *out_ms)
{
  const char *p = text;
  int year, month, day, hour, minute, second;
  int millis = 0;
  int offset_minutes = 0;
  g_autoptr(GDateTime) dt = NULL;
  gint64 ms;

  g_return_val_if_fail (out_ms != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  if (!parse_digits (&p, 4, &year) || *p++ != '-' ||
      !parse_digits (&p, 2, &month) || *p++ != '-' ||
      !parse_digits (&p, 2, &day) || (*p != 'T' && *p != 't') || !*p++ ||
      !parse_digits (&p, 2, &hour) || *p++ != ':' ||
      !parse_digits (&p, 2, &minute) || *p++ != ':' ||
      !parse_digits (&p, 2, &second))
    return FALSE;

  if (*p == '.')
    {
      guint n = 0;

      p++;
      while (g_ascii_isdigit (*p))
        {
          if (n < 3)
            millis = millis * 10 + (*p - '0');
          n++;
          p++;
        }
      /* RFC 3339 allows any number of digits: those beyond the milliseconds are dropped. */
      if (n == 0)
        return FALSE;
      for (; n < 3; n++)
        millis *= 10;
    }

  if (*p == 'Z' || *p == 'z')
    p++;
  else if (*p == '+' || *p == '-')
    {
      int sign = *p == '-' ? -1 : 1;
      int oh, om;

      p++;
      if (!parse_digits (&p, 2, &oh) || *p++ != ':' || !parse_digits (&p, 2, &om) ||
          oh > 23 || om > 59)
        return FALSE;
      offset_minutes = sign * (oh * 60 + om);
    }
  else
    return FALSE;

  if (*p != '\0')
    return FALSE;

  if (year < 1970 || hour > 23 || minute > 59 || second > 59)
    return FALSE;

  /* g_date_time_new_utc() checks the day against the month (and leap years). */
  dt = g_date_time_new_utc (year, month, day, hour, minute, second);
  if (dt == NULL)
    return FALSE;

  ms = g_date_time_to_unix (dt) * 1000 + millis - (gint64) offset_minutes * 60 * 1000;
  /* The year is checked as written; with its offset the time may leave 1970..9999 UTC, which
   * si_wire_timestamp_format() could not write back. */
  if (ms < 0 || ms > TIMESTAMP_MAX_MS)
    return FALSE;
  *out_ms = ms;
  return TRUE;
}

char *
si_wire_timestamp_format (gint64 ms)
{
  g_autoptr(GDateTime) dt = NULL;
  gint64 seconds;
  int millis;

  if (ms < 0)
    ms = 0;
  seconds = ms / 1000;
  millis = (int) (ms % 1000);

  dt = g_date_time_new_from_unix_utc (seconds);
  if (dt == NULL)
    return g_strdup ("1970-01-01T00:00:00.000Z");

  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                          g_date_time_get_year (dt), g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt), g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt), g_date_time_get_second (dt), millis);
}

/* ---------------------------------------------------------------------------------------- */
/* small values */

char *
si_wire_tag_name_key (const char *name)
{
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  normalized = g_utf8_normalize (name, -1, G_NORMALIZE_ALL_COMPOSE);
  if (normalized == NULL)
    return NULL;
  return g_utf8_casefold (normalized, -1);
}

/* U+200B ZERO WIDTH SPACE, U+200C ZWNJ, U+200D ZWJ, U+2060 WORD JOINER, U+FEFF BOM. */
static gboolean
tag_name_char_is_zero_width (gunichar c)
{
  return (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF;
}

/* Unicode spaces (Zs), U+2028, U+2029, and the ASCII/C1 controls that break text: TAB, LF,
 * VT, FF, CR, NEL. */
static gboolean
tag_name_char_is_space (gunichar c)
{
  return g_unichar_isspace (c) || c == 0x0B || c == 0x85;
}

SiWireTagNameProblem
si_wire_tag_name_normalize (const char  *name,
                            char       **out_name)
{
  g_autoptr(GString) text = NULL;
  g_autofree char *composed = NULL;
  gboolean space = FALSE;
  glong n_chars = 0;

  g_return_val_if_fail (out_name != NULL, SI_WIRE_TAG_NAME_NOT_UTF8);

  *out_name = NULL;
  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return SI_WIRE_TAG_NAME_NOT_UTF8;

  text = g_string_new (NULL);
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (tag_name_char_is_zero_width (c))
        continue;
      if (tag_name_char_is_space (c))
        {
          space = text->len > 0;   /* leading white space goes */
          continue;
        }
      if (g_unichar_type (c) == G_UNICODE_CONTROL)
        return SI_WIRE_TAG_NAME_CONTROL;
      /* NFC composes at most a few characters into one: far more than the limit is too long
       * whatever follows, and the work stays bounded. */
      if (++n_chars > 16 * SI_TAG_NAME_MAX_CHARS)
        return SI_WIRE_TAG_NAME_TOO_LONG;
      if (space)
        g_string_append_c (text, ' ');
      space = FALSE;
      g_string_append_unichar (text, c);
    }
  if (text->len == 0)
    return SI_WIRE_TAG_NAME_EMPTY;

  composed = g_utf8_normalize (text->str, text->len, G_NORMALIZE_DEFAULT_COMPOSE);
  if (composed == NULL)
    return SI_WIRE_TAG_NAME_NOT_UTF8;
  if (g_utf8_strlen (composed, -1) > SI_TAG_NAME_MAX_CHARS)
    return SI_WIRE_TAG_NAME_TOO_LONG;
  *out_name = g_steal_pointer (&composed);
  return SI_WIRE_TAG_NAME_OK;
}

gboolean
si_wire_device_name_is_valid (const char *name)
{
  gboolean blank = TRUE;
  glong n_chars = 0;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return FALSE;
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (type == G_UNICODE_CONTROL || type == G_UNICODE_LINE_SEPARATOR ||
          type == G_UNICODE_PARAGRAPH_SEPARATOR)
        return FALSE;
      if (++n_chars > SI_DEVICE_NAME_MAX_CHARS)
        return FALSE;
      if (!g_unichar_isspace (c))
        blank = FALSE;
    }
  return !blank;
}

gboolean
si_wire_colour_is_valid (const char *colour)
{
  if (colour == NULL)
    return FALSE;
  if (colour[0] == '\0')
    return TRUE;
  if (colour[0] != '#' || strlen (colour) != 7)
    return FALSE;
  for (guint i = 1; i < 7; i++)
    if (!g_ascii_isxdigit (colour[i]))
      return FALSE;
  return TRUE;
}

gboolean
si_wire_if_match_parse (const char *header,
                        gint64     *out_version)
{
  const char *p = header;
  const char *digits, *end;

  g_return_val_if_fail (out_version != NULL, FALSE);

  if (p == NULL)
    return FALSE;
  while (*p == ' ' || *p == '\t')
    p++;
  if (p[0] == 'W' && p[1] == '/')
    {
      p += 2;
      if (*p != '"')
        return FALSE;
    }
  if (*p == '"')
    {
      digits = p + 1;
      end = strchr (digits, '"');
      if (end == NULL)
        return FALSE;
      p = end + 1;
    }
  else
    {
      digits = p;
      while (*p != '\0' && *p != ' ' && *p != '\t')
        p++;
      end = p;
    }
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p != '\0')
    return FALSE;

  return si_wire_int64_parse (digits, end - digits, 0, G_MAXINT64, out_version);
}

/* G_MAXINT64 has 19 digits. */
#define INT64_MAX_DIGITS 19

gboolean
si_wire_int64_parse (const char *text,
                     gssize      length,
                     gint64      min,
                     gint64      max,
                     gint64     *out_value)
{
  guint64 value = 0;

  g_return_val_if_fail (out_value != NULL, FALSE);
  g_return_val_if_fail (0 <= min && min <= max, FALSE);

  if (text == NULL)
    return FALSE;
  if (length < 0)
    {
      /* Never reads further than one byte past what could be valid. */
      length = 0;
      while (length <= INT64_MAX_DIGITS && text[length] != '\0')
        length++;
    }
  if (length == 0 || length > INT64_MAX_DIGITS)
    return FALSE;
  if (text[0] == '0' && length > 1)
    return FALSE;
  for (gssize i = 0; i < length; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      /* 19 digits are below 10^19 < 2^64: no overflow of the guint64. */
      value = value * 10 + (guint64) (text[i] - '0');
    }
  if (value > (guint64) G_MAXINT64 || (gint64) value < min || (gint64) value > max)
    return FALSE;
  *out_value = (gint64) value;
  return TRUE;
}

char *
si_wire_etag_format (gint64 version)
{
  return g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", version);
}
