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

static gboolean
is_leap_year (int year)
{
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

/* Whether @day exists in @month of @year (proleptic Gregorian), as g_date_time_new() checks. */
static gboolean
date_is_valid (int year,
               int month,
               int day)
{
  static const int days_in_month[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  if (month < 1 || month > 12 || day < 1)
    return FALSE;
  return day <= days_in_month[month - 1] + (month == 2 && is_leap_year (year));
}

/* The days from 1970-01-01 to the valid date @year-@month-@day (year >= 1): the inverse of
 * civil_from_days() below, with the same shifted epoch and eras. */
static gint64
days_from_civil (int year,
                 int month,
                 int day)
{
  int y = year - (month <= 2);
  int era = y / 400;
  int year_of_era = y - era * 400;
  int month_from_march = month > 2 ? month - 3 : month + 9;
  int day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
  int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;

  return (gint64) era * 146097 + day_of_era - 719468;
}

gboolean
si_wire_timestamp_parse (const char *text,
                         gint64     *out_ms)
{
  const char *p = text;
  int year, month, day, hour, minute, second;
  int millis = 0;
  int offset_minutes = 0;
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

  /* The day against the month (and leap years), as g_date_time_new_utc() did here: computed
   * without it, since a batch of 1,000 records parses 2,000 times. */
  if (!date_is_valid (year, month, day))
    return FALSE;

  ms = ((days_from_civil (year, month, day) * 24 + hour) * 60 + minute) * 60 * 1000 +
       (gint64) second * 1000 + millis - (gint64) offset_minutes * 60 * 1000;
  /* The year is checked as written; with its offset the time may leave 1970..9999 UTC, which
   * si_wire_timestamp_format() could not write back. */
  if (ms < 0 || ms > TIMESTAMP_MAX_MS)
    return FALSE;
  *out_ms = ms;
  return TRUE;
}

/* Two digits of @value (0..99) at @p. */
static inline void
put2 (char *p,
      int   value)
{
  p[0] = (char) ('0' + value / 10);
  p[1] = (char) ('0' + value % 10);
}

/* The civil (proleptic Gregorian) date of day @days after 1970-01-01 (@days >= 0): shift the
 * epoch to 0000-03-01 so that the leap day ends each year, then take 400-year eras
 * (146,097 days), years of the era, days of the year and months of 153 days per 5. */
static void
civil_from_days (gint64  days,
                 int    *out_year,
                 int    *out_month,
                 int    *out_day)
{
  gint64 z = days + 719468;
  gint64 era = z / 146097;
  int day_of_era = (int) (z - era * 146097);
  int year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  int day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  int month_from_march = (5 * day_of_year + 2) / 153;
  int month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;

  *out_day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
  *out_month = month;
  *out_year = (int) (year_of_era + era * 400) + (month <= 2);
}

void
si_wire_timestamp_append (GString *out,
                          gint64   ms)
{
  char text[24];
  gint64 seconds, days;
  int year, month, day, second_of_day, millis;

  g_return_if_fail (out != NULL);

  if (ms < 0)
    ms = 0;
  /* Past 9999-12-31T23:59:59 (which GDateTime, the first owner of this format, could not
   * hold) the epoch stands in, as it always has. */
  if (ms / 1000 > TIMESTAMP_MAX_MS / 1000)
    ms = 0;
  seconds = ms / 1000;
  millis = (int) (ms % 1000);
  days = seconds / 86400;
  second_of_day = (int) (seconds % 86400);
  civil_from_days (days, &year, &month, &day);

  put2 (text, year / 100);
  put2 (text + 2, year % 100);
  text[4] = '-';
  put2 (text + 5, month);
  text[7] = '-';
  put2 (text + 8, day);
  text[10] = 'T';
  put2 (text + 11, second_of_day / 3600);
  text[13] = ':';
  put2 (text + 14, second_of_day / 60 % 60);
  text[16] = ':';
  put2 (text + 17, second_of_day % 60);
  text[19] = '.';
  text[20] = (char) ('0' + millis / 100);
  put2 (text + 21, millis % 100);
  text[23] = 'Z';
  g_string_append_len (out, text, sizeof text);
}

char *
si_wire_timestamp_format (gint64 ms)
{
  GString *text = g_string_sized_new (25);

  si_wire_timestamp_append (text, ms);
  return g_string_free (text, FALSE);
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
