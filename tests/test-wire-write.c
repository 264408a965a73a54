/* test-wire-write.c — the streaming writer (si-wire-write.c) against the tree functions.
 *
 * For many random records (strings with quotes, backslashes, control characters, non-ASCII
 * text and emoji, empty strings; tags, tombstones, with and without a device, both modes),
 * pages, pages of changes, batch requests and responses (problems, `current`, ranges of
 * changes) and error bodies: the writer's text, parsed by json-glib, is json_node_equal() to
 * the tree's node, and it is byte for byte what si_wire_to_string() makes of that node. The
 * primitives too: every escape, whole numbers to both ends, and times against GDateTime.
 */
#include "config.h"

#include <string.h>

#include "si-test-wire.h"
#include "si-wire-write.h"

/* Rounds of each comparison: records are small, the other documents hold up to 30 of them
 * (and AddressSanitizer makes json-glib's many allocations slow). */
#define RECORD_ROUNDS 300
#define DOCUMENT_ROUNDS 40

/* ---------------------------------------------------------------------------------------- */
/* random documents */

/* Appends a random piece of text: plain words, JSON's specials, control characters, other
 * scripts, emoji and the line separators JavaScript minds. @with_unit_separator: may hold
 * U+001F, which json-glib 1.6 writes unescaped (its bug, not JSON: see test_escapes()). */
static void
append_random_piece (GRand   *rand,
                     GString *out,
                     gboolean with_unit_separator)
{
  static const char * const pieces[] = {
    "idea", " ", "Hello, world", "\"", "\\", "\\\"", "\"\\", "/", "\n", "\r\n", "\t", "\b", "\f",
    "é", "ß", "中文", "Ελληνικά", "😀", "🎉🎉", "\u2028", "\u2029", "\xc2\x80", "\xef\xbf\xbf",
    "{\"x\": [1, 2]}", "\\u0041", "%s%d", "\x7f", "'", "<b>&amp;</b>",
  };
  guint kind = g_rand_int_range (rand, 0, 10);

  if (kind < 7)
    g_string_append (out, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
  else if (kind < 9)
    {
      /* A control character, U+0001 to U+001F. */
      char c = (char) g_rand_int_range (rand, 1, with_unit_separator ? 0x20 : 0x1f);
      g_string_append_c (out, c);
    }
  else
    {
      /* Any character from the BMP and beyond, but no surrogate and no NUL. */
      gunichar u;
      char utf8[6];

      do
        u = (gunichar) g_rand_int_range (rand, 1, 0x110000);
      while ((u >= 0xd800 && u < 0xe000) || (!with_unit_separator && u == 0x1f));
      g_string_append_len (out, utf8, g_unichar_to_utf8 (u, utf8));
    }
}

static char *
random_string (GRand   *rand,
               guint    max_pieces,
               gboolean with_unit_separator)
{
  GString *out = g_string_new (NULL);
  guint n = g_rand_int_range (rand, 0, 4) == 0 ? 0 : g_rand_int_range (rand, 1, max_pieces + 1);

  for (guint i = 0; i < n; i++)
    append_random_piece (rand, out, with_unit_separator);
  g_assert_true (g_utf8_validate (out->str, out->len, NULL));
  return g_string_free (out, FALSE);
}

static gint64
random_time (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 6))
    {
    case 0: return 0;
    case 1: return G_GINT64_CONSTANT (253402300799999);
    case 2: return -g_rand_int_range (rand, 1, 1000);
    default: return (gint64) (g_rand_double (rand) * 4102444800000.0);
    }
}

static gint64
random_id (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 5))
    {
    case 0: return G_MAXINT64;
    case 1: return 0;
    default: return g_rand_int_range (rand, 1, G_MAXINT32);
    }
}

static SiWireRecord *
random_record (GRand            *rand,
               SiWireCollection  collection,
               gboolean          with_unit_separator)
{
  SiWireRecord *record;

  if (collection == 0)
    collection = g_rand_boolean (rand) ? SI_WIRE_COLLECTION_IDEAS : SI_WIRE_COLLECTION_TAGS;
  record = si_wire_record_new (collection);
  record->id = random_id (rand);
  record->version = random_id (rand);
  if (g_rand_int_range (rand, 0, 5) > 0)
    record->uid = g_uuid_string_random ();
  record->created_at = random_time (rand);
  record->updated_at = random_time (rand);
  record->deleted = g_rand_int_range (rand, 0, 4) == 0;
  if (g_rand_boolean (rand))
    record->device = random_string (rand, 3, with_unit_separator);

  if (collection == SI_WIRE_COLLECTION_IDEAS)
    {
      guint n_tags = g_rand_int_range (rand, 0, 3) == 0 ? 0 : g_rand_int_range (rand, 1, 8);

      g_free (record->title);
      record->title = random_string (rand, 4, with_unit_separator);
      g_free (record->body);
      record->body = random_string (rand, 40, with_unit_separator);
      record->pinned = g_rand_boolean (rand);
      for (guint i = 0; i < n_tags; i++)
        si_wire_record_add_tag (record, random_id (rand));
      if (g_rand_int_range (rand, 0, 10) == 0)
        g_clear_pointer (&record->tags, g_array_unref);
    }
  else
    {
      g_free (record->name);
      record->name = random_string (rand, 3, with_unit_separator);
      g_free (record->colour);
      record->colour = g_rand_boolean (rand) ? g_strdup ("#3584e4") : g_strdup ("");
    }
  return record;
}

static SiWirePage *
random_page (GRand    *rand,
             gboolean  changes,
             gboolean  with_unit_separator)
{
  SiWirePage *page = si_wire_page_new ();
  SiWireCollection collection = g_rand_boolean (rand) ? SI_WIRE_COLLECTION_IDEAS : SI_WIRE_COLLECTION_TAGS;
  guint n = g_rand_int_range (rand, 0, 4) == 0 ? 0 : g_rand_int_range (rand, 1, 25);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (page->records, random_record (rand, changes ? 0 : collection, with_unit_separator));
  page->cursor = random_id (rand);
  page->more = g_rand_boolean (rand);
  page->remaining = g_rand_boolean (rand) ? -1 : random_id (rand);
  return page;
}

static SiWireProblem *
random_problem (GRand    *rand,
                gboolean  with_unit_separator)
{
  static const char * const codes[] = { "precondition_failed", "name_taken", "not_found", "invalid_field" };
  g_autofree char *message = random_string (rand, 6, with_unit_separator);
  g_autoptr(SiWireRecord) current = g_rand_boolean (rand) ? random_record (rand, 0, with_unit_separator) : NULL;

  return si_wire_problem_new (codes[g_rand_int_range (rand, 0, G_N_ELEMENTS (codes))], message, current);
}

/* ---------------------------------------------------------------------------------------- */
/* the comparison */

/* @text parses, is json_node_equal() to @tree, and (with @bytes) is what the tree's text is. */
static void
assert_same_document (JsonNode   *tree,
                      const char *text,
                      gsize       length,
                      gboolean    bytes)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *tree_text = si_wire_to_string (tree, NULL);

  g_assert_cmpuint (length, ==, strlen (text));
  if (!json_parser_load_from_data (parser, text, (gssize) length, &error))
    g_error ("The writer's text does not parse (%s): %s", error->message, text);
  if (!json_node_equal (tree, json_parser_get_root (parser)))
    g_error ("The writer's document differs from the tree's:\n  writer: %s\n  tree:   %s", text, tree_text);
  if (bytes)
    g_assert_cmpstr (text, ==, tree_text);
}

static void
assert_same_gstring (JsonNode *tree,
                     GString  *text,
                     gboolean  bytes)
{
  assert_same_document (tree, text->str, text->len, bytes);
  g_string_free (text, TRUE);
}

/* Each test runs twice: any text (the same document), and without U+001F (the same bytes). */
typedef void (*CompareFunc) (GRand *rand, gboolean bytes);

static void
run_both (CompareFunc func,
          guint       rounds)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint i = 0; i < rounds; i++)
    {
      func (rand, FALSE);
      func (rand, TRUE);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* documents */

static void
compare_record (GRand    *rand,
                gboolean  bytes)
{
  g_autoptr(SiWireRecord) record = random_record (rand, 0, !bytes);

  for (SiWireMode mode = SI_WIRE_MODE_REQUEST; mode <= SI_WIRE_MODE_RESPONSE; mode++)
    {
      g_autoptr(JsonNode) tree = si_wire_record_to_json (record, mode);
      gsize length = 0;
      g_autofree char *text = si_wire_record_to_text (record, mode, &length);
      g_autoptr(GString) appended = g_string_new ("[");

      assert_same_document (tree, text, length, bytes);
      /* si_wire_record_write() appends to what is there. */
      si_wire_record_write (record, mode, appended);
      g_assert_cmpstr (appended->str + 1, ==, text);
    }
}

static void
test_records (void)
{
  run_both (compare_record, RECORD_ROUNDS);
}

static void
compare_page (GRand    *rand,
              gboolean  bytes)
{
  for (int changes = 0; changes <= 1; changes++)
    {
      g_autoptr(SiWirePage) page = random_page (rand, changes, !bytes);
      g_autoptr(JsonNode) tree = changes ? si_wire_changes_to_json (page) : si_wire_page_to_json (page);

      assert_same_gstring (tree, changes ? si_wire_changes_to_text (page) : si_wire_page_to_text (page), bytes);
    }
}

static void
test_pages (void)
{
  run_both (compare_page, DOCUMENT_ROUNDS);
}

static void
compare_problem (GRand    *rand,
                 gboolean  bytes)
{
  g_autoptr(SiWireProblem) problem = random_problem (rand, !bytes);
  g_autoptr(JsonNode) tree = si_wire_problem_to_json (problem);

  assert_same_gstring (tree, si_wire_problem_to_text (problem), bytes);
}

static void
test_problems (void)
{
  run_both (compare_problem, RECORD_ROUNDS);
}

/* Both ways of writing a request: from #SiWireBatchOp (records kept as JSON) and an operation
 * at a time from the records. */
static void
compare_batch_request (GRand    *rand,
                       gboolean  bytes)
{
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_batch_op_free);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_record_free);
  g_autoptr(GString) appended = g_string_new (NULL);
  g_autoptr(JsonNode) tree = NULL;
  guint n = g_rand_int_range (rand, 0, 4) == 0 ? 0 : g_rand_int_range (rand, 1, 30);

  si_wire_batch_request_begin (appended);
  for (guint i = 0; i < n; i++)
    {
      SiWireMethod method = (SiWireMethod) g_rand_int_range (rand, SI_WIRE_METHOD_POST, SI_WIRE_METHOD_DELETE + 1);
      SiWireCollection collection = g_rand_boolean (rand) ? SI_WIRE_COLLECTION_IDEAS : SI_WIRE_COLLECTION_TAGS;
      SiWireRecord *record = random_record (rand, collection, !bytes);
      gint64 id = random_id (rand);
      gint64 if_match = g_rand_boolean (rand) ? -1 : random_id (rand);

      /* A DELETE may be given a record or not: it is not sent. */
      if (method == SI_WIRE_METHOD_DELETE && g_rand_boolean (rand))
        g_clear_pointer (&record, si_wire_record_free);
      g_ptr_array_add (ops, si_wire_batch_op_new (method, collection, id, if_match, record));
      si_wire_batch_request_append (appended, method, collection, id, if_match, record);
      g_ptr_array_add (records, record);
    }
  si_wire_batch_request_end (appended);

  tree = si_wire_batch_request_to_json (ops);
  assert_same_gstring (tree, si_wire_batch_request_to_text (ops), bytes);
  assert_same_document (tree, appended->str, appended->len, bytes);
}

static void
test_batch_requests (void)
{
  run_both (compare_batch_request, DOCUMENT_ROUNDS);
}

static void
compare_batch_response (GRand    *rand,
                        gboolean  bytes)
{
  static const guint statuses[] = { 200, 201, 400, 404, 409, 412, 428, 500, 503 };
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_batch_result_free);
  g_autoptr(GArray) changes = NULL;
  g_autoptr(JsonNode) tree = NULL;
  guint n = g_rand_int_range (rand, 0, 4) == 0 ? 0 : g_rand_int_range (rand, 1, 30);

  for (guint i = 0; i < n; i++)
    {
      guint status = statuses[g_rand_int_range (rand, 0, G_N_ELEMENTS (statuses))];
      SiWireRecord *record = NULL;
      SiWireProblem *problem = NULL;

      if (status < 300 || g_rand_int_range (rand, 0, 8) == 0)
        record = random_record (rand, 0, !bytes);
      if (status >= 300 || g_rand_int_range (rand, 0, 8) == 0)
        problem = random_problem (rand, !bytes);
      g_ptr_array_add (results, si_wire_batch_result_new (status, record, problem));
    }
  switch (g_rand_int_range (rand, 0, 3))
    {
    case 0:
      break;
    case 1:
      changes = g_array_new (FALSE, FALSE, sizeof (SiWireChangeRange));
      break;
    default:
      {
        g_autoptr(GArray) versions = g_array_new (FALSE, FALSE, sizeof (gint64));
        guint k = g_rand_int_range (rand, 1, 40);

        for (guint i = 0; i < k; i++)
          {
            gint64 v = g_rand_int_range (rand, 1, 60);
            g_array_append_val (versions, v);
          }
        if (g_rand_boolean (rand))
          {
            gint64 big = G_MAXINT64;
            g_array_append_val (versions, big);
          }
        changes = si_wire_change_ranges_from_versions (versions);
      }
    }

  tree = si_wire_batch_response_to_json_with_changes (results, changes);
  assert_same_gstring (tree, si_wire_batch_response_to_text (results, changes), bytes);
}

static void
test_batch_responses (void)
{
  run_both (compare_batch_response, DOCUMENT_ROUNDS);
}

/* ---------------------------------------------------------------------------------------- */
/* primitives */

static char *
written_string (const char *value)
{
  GString *out = g_string_new (NULL);

  si_wire_write_string (out, value);
  return g_string_free (out, FALSE);
}

/* Every escape JSON has, every control character as \u00xx, and U+001F escaped as JSON
 * requires (json-glib 1.6's generator leaves it raw, which strict parsers refuse). */
static void
test_escapes (void)
{
  static const struct {
    const char *value;
    const char *text;
  } cases[] = {
    { "", "\"\"" },
    { "plain", "\"plain\"" },
    { "\"", "\"\\\"\"" },
    { "\\", "\"\\\\\"" },
    { "a\bb\fc\nd\re\tf", "\"a\\bb\\fc\\nd\\re\\tf\"" },
    { "\x01\x0b\x1f", "\"\\u0001\\u000b\\u001f\"" },
    { "\x7f", "\"\\u007f\"" },
    { "/", "\"/\"" },
    { "é 😀 \u2028", "\"é 😀 \u2028\"" },
  };
  GString *all = g_string_new (NULL);
  g_autofree char *all_text = NULL;
  g_autofree char *null_text = written_string (NULL);
  g_autoptr(JsonNode) back = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = written_string (cases[i].value);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
  g_assert_cmpstr (null_text, ==, "\"\"");

  /* Every byte from 1 to 127 comes back as it went. */
  for (int c = 1; c < 0x80; c++)
    g_string_append_c (all, (char) c);
  all_text = written_string (all->str);
  for (const char *p = all_text; *p; p++)
    g_assert_cmpint ((guchar) *p, >=, 0x20);
  back = json_from_string (all_text, NULL);
  g_assert_nonnull (back);
  g_assert_cmpstr (json_node_get_string (back), ==, all->str);
  g_string_free (all, TRUE);
}

static void
test_integers (void)
{
  static const gint64 values[] = {
    0, 1, -1, 9, 10, -10, 99, 100, 1000000007, G_MAXINT32, G_MININT32,
    G_GINT64_CONSTANT (1795838930123), G_MAXINT64, G_MININT64, G_MININT64 + 1,
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint i = 0; i < G_N_ELEMENTS (values) + 10000; i++)
    {
      gint64 value = i < G_N_ELEMENTS (values) ? values[i]
                     : (gint64) (((guint64) g_rand_int (rand) << 32) | g_rand_int (rand)) >> g_rand_int_range (rand, 0, 63);
      g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT, value);
      g_autoptr(GString) out = g_string_new ("x");

      si_wire_write_int (out, value);
      g_assert_cmpstr (out->str + 1, ==, expected);
    }
}

/* The time as the codec wrote it with GDateTime before it had its own formatter. */
static char *
time_with_gdatetime (gint64 ms)
{
  g_autoptr(GDateTime) dt = NULL;

  if (ms < 0)
    ms = 0;
  dt = g_date_time_new_from_unix_utc (ms / 1000);
  if (dt == NULL)
    return g_strdup ("1970-01-01T00:00:00.000Z");
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                          g_date_time_get_year (dt), g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt), g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt), g_date_time_get_second (dt), (int) (ms % 1000));
}

static void
assert_time (gint64 ms)
{
  g_autofree char *expected = time_with_gdatetime (ms);
  g_autofree char *formatted = si_wire_timestamp_format (ms);
  g_autoptr(GString) out = g_string_new ("\"");

  si_wire_timestamp_append (out, ms);
  if (g_strcmp0 (out->str + 1, expected) != 0)
    g_error ("%" G_GINT64_FORMAT " ms: written %s, GDateTime says %s", ms, out->str + 1, expected);
  g_assert_cmpstr (formatted, ==, expected);
}

static void
test_times (void)
{
  static const gint64 edges[] = {
    G_MININT64, -1001, -1, 0, 1, 999, 1000, 86399999, 86400000,
    G_GINT64_CONSTANT (951782400000),      /* 2000-02-29 */
    G_GINT64_CONSTANT (951868800000),      /* 2000-03-01 */
    G_GINT64_CONSTANT (4107542400000),     /* 2100-03-01 (not a leap year) */
    G_GINT64_CONSTANT (1795838930123),
    G_GINT64_CONSTANT (253402300799999),   /* 9999-12-31T23:59:59.999Z */
    G_GINT64_CONSTANT (253402300800000),   /* beyond: the epoch */
    G_GINT64_CONSTANT (253402300800999),
    G_MAXINT64 / 1000, G_MAXINT64,
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint i = 0; i < G_N_ELEMENTS (edges); i++)
    assert_time (edges[i]);
  /* Every day of 1970–1973, 1999–2001 and 2099–2101 (leap years and not), then days at random
   * steps to the last year the format can write, each at a random moment. */
  for (gint64 day = 0; day <= G_GINT64_CONSTANT (253402300799999) / 86400000;
       day += (day < 1461 || (day >= 10592 && day < 11688) || (day >= 47117 && day < 48212)) ? 1 : g_rand_int_range (rand, 1, 800))
    assert_time (day * 86400000 + g_rand_int_range (rand, 0, 86400000));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire-write/escapes", test_escapes);
  g_test_add_func ("/wire-write/integers", test_integers);
  g_test_add_func ("/wire-write/times", test_times);
  g_test_add_func ("/wire-write/records", test_records);
  g_test_add_func ("/wire-write/pages", test_pages);
  g_test_add_func ("/wire-write/problems", test_problems);
  g_test_add_func ("/wire-write/batch-requests", test_batch_requests);
  g_test_add_func ("/wire-write/batch-responses", test_batch_responses);

  return g_test_run ();
}
