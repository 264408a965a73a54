/* test-wire-read.c — the streaming reader (si-wire-read.c) against the tree path
 * (si_wire_check_text + si_wire_parse + si_wire_*_from_json), on generated documents.
 *
 * Each text is decoded by both, as every kind of document. What the reader accepts, the tree
 * path accepts, with equal structs; what the tree path accepts, the reader accepts when the text
 * is RFC 8259 JSON (the generator knows when it is), and otherwise refuses only as not JSON;
 * a field error is the same error with the same message on both paths.
 */
#include "config.h"

#include <string.h>

#include "si-wire.h"
#include "si-wire-read.h"

/* How a text was made: RFC 8259 JSON for sure, or perhaps not. */
typedef enum {
  TEXT_VALID,
  TEXT_ANY,
} TextKind;

static guint n_checked;
static guint n_accepted;
static guint n_lax;   /* taken by json-glib, refused by the reader as not RFC 8259 JSON */

static GRand *rng;
/* How many documents: more with `-m thorough` (the default fits a run under AddressSanitizer). */
static guint scale = 1;
/* Which half of the wrong values check_member_variants() tries when not thorough. */
static guint value_offset;

/* ---------------------------------------------------------------------------------------- */
/* comparing */

static gboolean
tags_equal_in_order (const SiWireRecord *a,
                     const SiWireRecord *b)
{
  guint na = a->tags ? a->tags->len : 0, nb = b->tags ? b->tags->len : 0;

  if (na != nb)
    return FALSE;
  for (guint i = 0; i < na; i++)
    if (g_array_index (a->tags, gint64, i) != g_array_index (b->tags, gint64, i))
      return FALSE;
  return TRUE;
}

static void
assert_records_equal (const SiWireRecord *a,
                      const SiWireRecord *b,
                      const char         *text)
{
  if (a == NULL || b == NULL)
    {
      if (a != b)
        g_error ("one record is NULL for %s", text);
      return;
    }
  if (a->collection != b->collection || !si_wire_record_content_equal (a, b) ||
      !tags_equal_in_order (a, b) || a->id != b->id || a->version != b->version ||
      g_strcmp0 (a->uid, b->uid) != 0 || a->created_at != b->created_at ||
      a->updated_at != b->updated_at || g_strcmp0 (a->device, b->device) != 0 ||
      !a->deleted != !b->deleted || g_strcmp0 (a->title, b->title) != 0 ||
      g_strcmp0 (a->body, b->body) != 0 || g_strcmp0 (a->name, b->name) != 0 ||
      g_strcmp0 (a->colour, b->colour) != 0)
    g_error ("the records differ for %s", text);
}

/* Both paths ran on @text: @tree_ok / @read_ok with their errors. FALSE when both accepted (the
 * caller compares the results). */
static gboolean
outcome_settled (gboolean      tree_ok,
                 const GError *tree_error,
                 gboolean      read_ok,
                 const GError *read_error,
                 TextKind      kind,
                 const char   *what,
                 const char   *text)
{
  n_checked++;
  if (read_ok && !tree_ok)
    g_error ("%s: the reader accepts what the tree path refuses (%s): %s", what, tree_error->message, text);
  if (tree_ok && !read_ok)
    {
      g_assert_error (read_error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON);
      if (kind == TEXT_VALID)
        g_error ("%s: the reader refuses RFC 8259 JSON the tree path takes (%s): %s", what,
                 read_error->message, text);
      n_lax++;
      return TRUE;
    }
  if (!tree_ok)
    {
      g_assert_true (tree_error->domain == SI_WIRE_ERROR && read_error->domain == SI_WIRE_ERROR);
      /* A text json-glib takes and the reader does not may meet a field error on the tree
       * path; otherwise both object to the same thing, in the same words for a field. */
      if (read_error->code == SI_WIRE_ERROR_INVALID_JSON && tree_error->code != SI_WIRE_ERROR_INVALID_JSON)
        {
          if (kind == TEXT_VALID)
            g_error ("%s: not JSON for the reader (%s) but a field error for the tree path (%s): %s",
                     what, read_error->message, tree_error->message, text);
          n_lax++;
          return TRUE;
        }
      if (read_error->code != tree_error->code)
        g_error ("%s: error codes differ: tree “%s”, reader “%s”: %s", what, tree_error->message,
                 read_error->message, text);
      if (tree_error->code == SI_WIRE_ERROR_INVALID_FIELD &&
          g_strcmp0 (tree_error->message, read_error->message) != 0)
        g_error ("%s: messages differ: tree “%s”, reader “%s”: %s", what, tree_error->message,
                 read_error->message, text);
      return TRUE;
    }
  n_accepted++;
  return FALSE;
}

static void
check_record (const char       *text,
              gsize             length,
              TextKind          kind,
              SiWireCollection  collection,
              SiWireMode        mode)
{
  g_autoptr(GError) tree_error = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autoptr(JsonNode) node = si_wire_parse (text, length, &tree_error);
  g_autoptr(SiWireRecord) tree = node ? si_wire_record_from_json (node, collection, mode, &tree_error) : NULL;
  g_autoptr(SiWireRecord) read = si_wire_read_record (text, length, collection, mode, &read_error);

  if (!outcome_settled (tree != NULL, tree_error, read != NULL, read_error, kind, "record", text))
    assert_records_equal (tree, read, text);
}

static void
check_page (const char       *text,
            gsize             length,
            TextKind          kind,
            SiWireCollection  collection)
{
  g_autoptr(GError) tree_error = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autoptr(JsonNode) node = si_wire_parse (text, length, &tree_error);
  g_autoptr(SiWirePage) tree = NULL;
  g_autoptr(SiWirePage) read = NULL;

  if (node != NULL)
    tree = collection ? si_wire_page_from_json (node, collection, &tree_error)
                      : si_wire_changes_from_json (node, &tree_error);
  read = collection ? si_wire_read_page (text, length, collection, &read_error)
                    : si_wire_read_changes (text, length, &read_error);
  if (outcome_settled (tree != NULL, tree_error, read != NULL, read_error, kind, "page", text))
    return;
  if (tree == NULL || read == NULL)
    g_error ("unreachable");
  if (tree->cursor != read->cursor || !tree->more != !read->more || tree->remaining != read->remaining ||
      tree->records->len != read->records->len)
    g_error ("the pages differ for %s", text);
  for (guint i = 0; i < tree->records->len; i++)
    assert_records_equal (g_ptr_array_index (tree->records, i), g_ptr_array_index (read->records, i), text);
}

/* The records a client sent with the operations of three_collections(): an idea, a tag, an idea. */
static GPtrArray *
sent_records (void)
{
  GPtrArray *sent = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_record_free);

  for (guint i = 0; i < 3; i++)
    {
      SiWireRecord *record = si_wire_record_new (i == 1 ? SI_WIRE_COLLECTION_TAGS : SI_WIRE_COLLECTION_IDEAS);

      record->uid = g_strdup ("0190c0de-0000-7000-8000-00000000000A");
      record->created_at = 1700000000000;
      record->updated_at = 1700000000001;
      g_ptr_array_add (sent, record);
    }
  return sent;
}

static void
check_batch_response (const char *text,
                      gsize       length,
                      TextKind    kind,
                      GArray     *collections,
                      GPtrArray  *sent,
                      gboolean    with_changes)
{
  g_autoptr(GError) tree_error = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autoptr(JsonNode) node = si_wire_parse (text, length, &tree_error);
  g_autoptr(GPtrArray) tree = NULL;
  g_autoptr(GPtrArray) read = NULL;
  g_autoptr(GArray) tree_changes = NULL;
  g_autoptr(GArray) read_changes = NULL;

  g_autoptr(GPtrArray) tree_sent = sent != NULL ? sent_records () : NULL;
  g_autoptr(GPtrArray) read_sent = sent != NULL ? sent_records () : NULL;

  /* Each reader with its own records sent: a slim result takes its own. */
  if (node != NULL && (tree = si_wire_batch_response_from_json_sent (node, collections, tree_sent, &tree_error)) != NULL &&
      with_changes &&
      (tree_changes = si_wire_batch_response_changes_from_json (node, tree->len, &tree_error)) == NULL)
    g_clear_pointer (&tree, g_ptr_array_unref);
  read = si_wire_read_batch_response_sent (text, length, collections, read_sent, with_changes ? &read_changes : NULL,
                                           &read_error);
  if (outcome_settled (tree != NULL, tree_error, read != NULL, read_error, kind, "batch response", text))
    return;
  if (tree == NULL || read == NULL)
    g_error ("unreachable");
  g_assert_cmpuint (tree->len, ==, read->len);
  for (guint i = 0; i < tree->len; i++)
    {
      SiWireBatchResult *a = g_ptr_array_index (tree, i), *b = g_ptr_array_index (read, i);

      g_assert_cmpuint (a->status, ==, b->status);
      assert_records_equal (a->record, b->record, text);
      g_assert_true ((a->problem == NULL) == (b->problem == NULL));
      if (a->problem != NULL)
        {
          g_assert_cmpuint (a->problem->status, ==, b->problem->status);
          g_assert_cmpstr (a->problem->error, ==, b->problem->error);
          g_assert_cmpstr (a->problem->message, ==, b->problem->message);
          assert_records_equal (a->problem->current, b->problem->current, text);
        }
    }
  g_assert_true ((tree_changes == NULL) == (read_changes == NULL));
  if (tree_changes != NULL)
    {
      g_assert_cmpuint (tree_changes->len, ==, read_changes->len);
      g_assert_cmpmem (tree_changes->data, tree_changes->len * sizeof (SiWireChangeRange),
                       read_changes->data, read_changes->len * sizeof (SiWireChangeRange));
    }
}

static void
check_batch_request (const char *text,
                     gsize       length,
                     TextKind    kind,
                     guint       max_ops)
{
  g_autoptr(GError) tree_error = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autoptr(JsonNode) node = si_wire_parse (text, length, &tree_error);
  g_autoptr(GPtrArray) tree = NULL;
  g_autoptr(GPtrArray) read = NULL;
  gboolean tree_too_many = FALSE, read_too_many = FALSE;

  if (node != NULL)
    tree = si_wire_batch_request_from_json (node, max_ops, &tree_too_many, &tree_error);
  read = si_wire_read_batch_request (text, length, max_ops, &read_too_many, &read_error);
  if (tree == NULL && read == NULL && read_error->code == tree_error->code && !tree_too_many != !read_too_many)
    g_error ("batch request: too many for one path only: %s", text);
  if (outcome_settled (tree != NULL, tree_error, read != NULL, read_error, kind, "batch request", text))
    return;
  if (tree == NULL || read == NULL)
    g_error ("unreachable");
  g_assert_cmpuint (tree->len, ==, read->len);
  for (guint i = 0; i < tree->len; i++)
    {
      SiWireBatchOp *a = g_ptr_array_index (tree, i), *b = g_ptr_array_index (read, i);
      g_autoptr(GError) record_error = NULL;
      g_autoptr(SiWireRecord) record = NULL;

      g_assert_cmpint (a->method, ==, b->method);
      g_assert_cmpint (a->collection, ==, b->collection);
      g_assert_cmpint (a->id, ==, b->id);
      g_assert_cmpint (a->if_match, ==, b->if_match);
      g_assert_null (b->record);
      if (a->record == NULL)
        {
          g_assert_null (b->decoded);
          g_assert_null (b->record_error);
          continue;
        }
      /* The record, as the server's batch route decoded it from the tree. */
      record = si_wire_record_from_json (a->record, a->collection, SI_WIRE_MODE_REQUEST, &record_error);
      if (record == NULL)
        {
          g_assert_null (b->decoded);
          g_assert_nonnull (b->record_error);
          g_assert_cmpint (b->record_error->code, ==, record_error->code);
          g_assert_cmpstr (b->record_error->message, ==, record_error->message);
        }
      else
        {
          g_assert_null (b->record_error);
          assert_records_equal (record, b->decoded, text);
        }
    }
}

static GArray *
three_collections (void)
{
  static const int c[] = { SI_WIRE_COLLECTION_IDEAS, SI_WIRE_COLLECTION_TAGS, SI_WIRE_COLLECTION_IDEAS };
  GArray *collections = g_array_new (FALSE, FALSE, sizeof (int));

  g_array_append_vals (collections, c, G_N_ELEMENTS (c));
  return collections;
}

/* Which kinds of document a text is decoded as. */
enum {
  AS_RECORD = 1 << 0,
  AS_PAGE = 1 << 1,
  AS_RESPONSE = 1 << 2,
  AS_REQUEST = 1 << 3,
  AS_ALL = 0xF,
};

static void
check_text_as (const char *text,
               gsize       length,
               TextKind    kind,
               guint       as)
{
  g_autoptr(GArray) collections = three_collections ();

  for (SiWireCollection c = SI_WIRE_COLLECTION_TAGS; c <= SI_WIRE_COLLECTION_IDEAS; c++)
    {
      if (as & AS_RECORD)
        {
          check_record (text, length, kind, c, SI_WIRE_MODE_RESPONSE);
          check_record (text, length, kind, c, SI_WIRE_MODE_REQUEST);
        }
      if (as & AS_PAGE)
        check_page (text, length, kind, c);
    }
  if (as & AS_PAGE)
    check_page (text, length, kind, 0);
  if (as & AS_RESPONSE)
    {
      g_autoptr(GPtrArray) sent = sent_records ();

      /* A client that did not ask for slim results, and (without `changes`, to keep the
       * count of checks) one that did. */
      check_batch_response (text, length, kind, collections, NULL, TRUE);
      check_batch_response (text, length, kind, collections, sent, FALSE);
    }
  if (as & AS_REQUEST)
    {
      check_batch_request (text, length, kind, 3);
      check_batch_request (text, length, kind, SI_WIRE_BATCH_MAX_OPS);
    }
}

/* Every kind of document on one text. */
static void
check_text (const char *text,
            gsize       length,
            TextKind    kind)
{
  check_text_as (text, length, kind, AS_ALL);
}

static void
check_string (const char *text,
              TextKind    kind)
{
  check_text (text, strlen (text), kind);
}

/* ---------------------------------------------------------------------------------------- */
/* generating */

/* A string meant to hurt: quotes, backslashes, controls, U+2028, zero-width, emoji, combining
 * marks, long runs; sometimes empty. */
static char *
nasty_string (guint max_chars)
{
  static const char * const pieces[] = {
    "a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\r", "\b", "\f", "\x01", "\x1f", "\x7f",
    "é", "e\xcc\x81", "\xe2\x80\xa8", "\xe2\x80\x8b", "\xef\xbb\xbf", "😀", "\xf4\x8f\xbf\xbf",
    "日本", "#", "{", "}", "[", "]", ",", ":", "\\u0000", "0", "-", "null", "true",
  };
  GString *s = g_string_new (NULL);
  guint n = g_rand_int_range (rng, 0, (gint32) max_chars + 1);

  for (guint i = 0; i < n; i++)
    g_string_append (s, pieces[g_rand_int_range (rng, 0, G_N_ELEMENTS (pieces))]);
  return g_string_free (s, FALSE);
}

static gint64
random_time (void)
{
  return g_rand_int_range (rng, 0, 2) ? g_rand_int_range (rng, 0, 1000)
                                      : (gint64) g_rand_int (rng) * 1000 + g_rand_int_range (rng, 0, 1000);
}

static SiWireRecord *
random_record (SiWireCollection collection)
{
  SiWireRecord *record = si_wire_record_new (collection);
  g_autofree char *uid = g_uuid_string_random ();

  record->id = g_rand_int_range (rng, 1, 100000);
  record->version = g_rand_int_range (rng, 1, 100000);
  record->uid = g_rand_boolean (rng) ? g_ascii_strup (uid, -1) : g_strdup (uid);
  record->created_at = random_time ();
  record->updated_at = random_time ();
  record->deleted = g_rand_int_range (rng, 0, 6) == 0;
  if (g_rand_boolean (rng))
    record->device = g_rand_boolean (rng) ? g_strdup ("Laptop ☃") : nasty_string (8);
  if (collection == SI_WIRE_COLLECTION_IDEAS)
    {
      guint n_tags = g_rand_int_range (rng, 0, 5);

      g_free (record->title);
      record->title = nasty_string (12);
      g_free (record->body);
      record->body = nasty_string (40);
      record->pinned = g_rand_boolean (rng);
      for (guint i = 0; i < n_tags; i++)
        si_wire_record_add_tag (record, g_rand_int_range (rng, 1, 5));
    }
  else
    {
      static const char * const colours[] = { "", "#3584e4", "#ABCDEF", "#12345", "red" };

      g_free (record->name);
      record->name = g_rand_int_range (rng, 0, 3) ? nasty_string (6) : g_strdup ("Work");
      g_free (record->colour);
      record->colour = g_strdup (colours[g_rand_int_range (rng, 0, G_N_ELEMENTS (colours))]);
    }
  return record;
}

static char *
to_text (JsonNode *node)
{
  return si_wire_to_string (node, NULL);
}

/* Writes @text again with every non-ASCII character and a random share of ASCII escaped as
 * \uXXXX (surrogate pairs above U+FFFF), and white space between tokens: the same JSON. */
static char *
respell (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean in_string = FALSE;

  for (const char *p = text; *p != '\0'; )
    {
      gunichar c = g_utf8_get_char (p);
      const char *next = g_utf8_next_char (p);

      if (!in_string)
        {
          if (*p == '"')
            in_string = TRUE;
          if ((*p == ',' || *p == ':' || *p == '[' || *p == '{') && g_rand_int_range (rng, 0, 4) == 0)
            {
              g_string_append_c (out, *p);
              g_string_append (out, g_rand_boolean (rng) ? " \n" : "\t\r ");
              p = next;
              continue;
            }
          g_string_append_len (out, p, next - p);
        }
      else if (*p == '\\')
        {
          /* An escape: copied whole. */
          g_string_append_c (out, *p++);
          if (*p == 'u')
            {
              g_string_append_len (out, p, 5);
              p += 5;
            }
          else
            g_string_append_c (out, *p++);
          continue;
        }
      else if (*p == '"')
        {
          in_string = FALSE;
          g_string_append_c (out, '"');
        }
      else if (c > 0xFFFF)
        {
          gunichar v = c - 0x10000;
          g_string_append_printf (out, g_rand_boolean (rng) ? "\\u%04X\\u%04X" : "\\u%04x\\u%04x",
                                  0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
        }
      else if (c > 0x7F || g_rand_int_range (rng, 0, 8) == 0)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_len (out, p, next - p);
      p = next;
    }
  return g_string_free (out, FALSE);
}

/* Values of every type and some out of range, to put in place of a field. */
static const char * const wrong_values[] = {
  "null", "true", "false", "0", "-1", "1", "1.5", "1e3", "-0", "9223372036854775807",
  "-9223372036854775808", "\"\"", "\"x\"", "\"2026-11-28T04:08:50.123Z\"", "\"2026-02-30T00:00:00Z\"",
  "\"6F2A0E8E-1B7C-4D8E-9A53-0C4D1E2F3A4B\"", "\"#3584e4\"", "[]", "[1]", "[1,1,2]", "[0]", "[-3]",
  "[1,\"2\"]", "[\"2\",0]", "{}", "{\"a\":1}", "\"   \"", "\"\\u200b\"", "600", "599", "99", "[[1,2]]",
  "[[2,1]]", "[[1,2],[2,3]]", "[[1,2],[4,5]]", "[[0,1]]", "[[1,2,3]]", "\"ideas\"", "\"tags\"",
  "\"POST\"", "\"PUT\"", "\"DELETE\"", "\"posts\"",
};

/* Object member text with @field removed, replaced, duplicated or added: @object_text is
 * a compact JSON object. */
static void
check_member_variants (const char *object_text,
                       const char *field,
                       void      (*wrap) (const char *record, GString *out),
                       guint       as)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\":", field);
  const char *at = strstr (object_text, needle);

  for (guint v = value_offset % 2; v < G_N_ELEMENTS (wrong_values); v += scale == 1 ? 2 : 1)
    {
      g_autoptr(GString) edited = g_string_new (NULL);
      g_autoptr(GString) doc = g_string_new (NULL);

      if (at != NULL)
        {
          /* The value ends at the next top-level comma or the closing brace: find it with
           * json-glib's help by replacing the member through a tree. */
          g_autoptr(JsonNode) node = json_from_string (object_text, NULL);
          JsonObject *object = json_node_get_object (node);
          g_autoptr(JsonNode) value = json_from_string (wrong_values[v], NULL);
          g_autofree char *text = NULL;

          json_object_set_member (object, field, g_steal_pointer (&value));
          text = to_text (node);
          g_string_append (edited, text);
        }
      else
        {
          /* Added (an unknown member, or one that was not there). */
          g_string_append_len (edited, object_text, strlen (object_text) - 1);
          g_string_append_printf (edited, "%s\"%s\":%s}", strlen (object_text) > 2 ? "," : "",
                                  field, wrong_values[v]);
        }
      wrap (edited->str, doc);
      check_text_as (doc->str, doc->len, TEXT_VALID, as);

      /* The same member again at the end: the last one counts. */
      if (scale == 1 && v % 3 != 0)
        continue;
      g_string_truncate (doc, 0);
      g_string_truncate (edited, edited->len - 1);
      g_string_append_printf (edited, ",\"%s\":%s}", field, wrong_values[(v + 7) % G_N_ELEMENTS (wrong_values)]);
      wrap (edited->str, doc);
      check_text_as (doc->str, doc->len, TEXT_VALID, as);
    }
  if (at != NULL)
    {
      g_autoptr(JsonNode) node = json_from_string (object_text, NULL);
      g_autofree char *text = NULL;
      g_autoptr(GString) doc = g_string_new (NULL);

      json_object_remove_member (json_node_get_object (node), field);
      text = to_text (node);
      wrap (text, doc);
      check_text_as (doc->str, doc->len, TEXT_VALID, as);
    }
}

static void
wrap_alone (const char *record,
            GString    *out)
{
  g_string_append (out, record);
}

static void
wrap_page (const char *record,
           GString    *out)
{
  g_string_append_printf (out, "{\"records\":[%s],\"cursor\":5,\"more\":true,\"remaining\":3}", record);
}

static void
wrap_changes (const char *record,
              GString    *out)
{
  g_string_append_printf (out, "{\"cursor\":5,\"records\":[%s,%s],\"more\":false}", record, record);
}

static void
wrap_result (const char *record,
             GString    *out)
{
  g_string_append_printf (out, "{\"results\":[{\"status\":200,\"record\":%s},"
                               "{\"status\":412,\"error\":\"precondition_failed\",\"message\":\"m\",\"current\":null},"
                               "{\"status\":201,\"record\":%s}],\"changes\":[[1,2],[4,4]]}", record, record);
}

/* A slim result first (of an idea sent: sent_records()), then a full one and a failure. */
static void
wrap_slim (const char *result,
           GString    *out)
{
  g_string_append_printf (out, "{\"results\":[%s,{\"status\":404,\"error\":\"not_found\",\"message\":\"m\"},"
                               "{\"status\":201,\"id\":8,\"version\":9}],\"changes\":[[7,7],[9,9]]}", result);
}

static void
wrap_op (const char *op,
         GString    *out)
{
  g_string_append_printf (out, "{\"operations\":[%s,{\"method\":\"DELETE\",\"collection\":\"tags\",\"id\":3}]}", op);
}

static void
wrap_post_idea (const char *record,
                GString    *out)
{
  g_string_append_printf (out, "{\"operations\":[{\"method\":\"POST\",\"record\":%s,\"collection\":\"ideas\"}]}",
                          record);
}

static void
wrap_put_tag (const char *record,
              GString    *out)
{
  g_string_append_printf (out, "{\"operations\":[{\"record\":%s,\"id\":2,\"method\":\"PUT\",\"collection\":\"tags\"}]}",
                          record);
}

/* A whole page / batch response / batch request around random records. */
static char *
random_document (guint which)
{
  g_autoptr(GString) out = g_string_new (NULL);
  SiWireCollection collection = g_rand_boolean (rng) ? SI_WIRE_COLLECTION_IDEAS : SI_WIRE_COLLECTION_TAGS;

  switch (which % 4)
    {
    case 0:
      {
        g_autoptr(SiWirePage) page = si_wire_page_new ();
        g_autoptr(JsonNode) node = NULL;
        g_autofree char *text = NULL;

        for (guint i = g_rand_int_range (rng, 0, 6); i > 0; i--)
          g_ptr_array_add (page->records, random_record (g_rand_boolean (rng) ? SI_WIRE_COLLECTION_IDEAS
                                                                               : SI_WIRE_COLLECTION_TAGS));
        page->cursor = g_rand_int_range (rng, 0, 100);
        page->more = g_rand_boolean (rng);
        page->remaining = g_rand_int_range (rng, -1, 100);
        node = g_rand_boolean (rng) ? si_wire_changes_to_json (page) : si_wire_page_to_json (page);
        text = to_text (node);
        g_string_append (out, text);
        break;
      }
    case 1:
      {
        g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_batch_result_free);
        g_autoptr(GArray) collections = three_collections ();
        g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (SiWireChangeRange));
        g_autoptr(JsonNode) node = NULL;
        g_autofree char *text = NULL;

        for (guint i = 0; i < collections->len; i++)
          {
            SiWireCollection c = g_array_index (collections, int, i);

            if (g_rand_boolean (rng))
              g_ptr_array_add (results, si_wire_batch_result_new (g_rand_boolean (rng) ? 200 : 201,
                                                                  random_record (c), NULL));
            else
              {
                g_autoptr(SiWireRecord) current = random_record (c);

                g_ptr_array_add (results, si_wire_batch_result_new (
                  412, NULL, si_wire_problem_new ("precondition_failed", "changed", g_rand_boolean (rng) ? current : NULL)));
              }
          }
        if (g_rand_boolean (rng))
          {
            SiWireChangeRange r1 = { 1, 2 }, r2 = { 5, 5 };
            g_array_append_val (changes, r1);
            g_array_append_val (changes, r2);
          }
        node = si_wire_batch_response_to_json_with_changes (results, changes);
        text = to_text (node);
        g_string_append (out, text);
        break;
      }
    case 2:
      {
        g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_batch_op_free);
        g_autoptr(JsonNode) node = NULL;
        g_autofree char *text = NULL;

        for (guint i = g_rand_int_range (rng, 0, 5); i > 0; i--)
          {
            SiWireMethod method = g_rand_int_range (rng, 0, 3);
            g_autoptr(SiWireRecord) record = random_record (collection);

            g_ptr_array_add (ops, si_wire_batch_op_new (method, collection,
                                                        method == SI_WIRE_METHOD_POST ? 0 : g_rand_int_range (rng, 1, 9),
                                                        method == SI_WIRE_METHOD_POST ? -1 : g_rand_int_range (rng, -1, 9),
                                                        record));
          }
        node = si_wire_batch_request_to_json (ops);
        text = to_text (node);
        g_string_append (out, text);
        break;
      }
    default:
      {
        g_autoptr(SiWireRecord) record = random_record (collection);
        g_autoptr(JsonNode) node = si_wire_record_to_json (record, g_rand_boolean (rng) ? SI_WIRE_MODE_REQUEST
                                                                                          : SI_WIRE_MODE_RESPONSE);
        g_autofree char *text = to_text (node);

        g_string_append (out, text);
        break;
      }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---------------------------------------------------------------------------------------- */
/* tests */

static void
test_random_documents (void)
{
  for (guint i = 0; i < 500 * scale; i++)
    {
      g_autofree char *text = random_document (i);
      g_autofree char *respelled = respell (text);

      check_string (text, TEXT_VALID);
      check_string (respelled, TEXT_VALID);
    }
  g_test_message ("%u checks, %u accepted, %u lax", n_checked, n_accepted, n_lax);
  g_assert_cmpuint (n_accepted, >, 1000);  /* most documents are taken, on every path */
}

static void
test_every_field (void)
{
  static const char * const record_fields[] = {
    "id", "uid", "version", "created_at", "updated_at", "deleted", "device", "title", "body",
    "pinned", "tags", "name", "colour", "collection", "unknown", "",
  };
  static const char * const result_fields[] = { "status", "record", "error", "message", "current", "other" };
  static const char * const op_fields[] = { "method", "collection", "id", "if_match", "record", "other" };
  static const char * const envelope_fields[] = { "records", "cursor", "more", "remaining", "results",
                                                  "changes", "operations", "other" };

  /* A live response, a request, and (thorough) a live response again and a tombstone. */
  for (guint round = 0; round < (scale == 1 ? 2 : 4); round++)
    for (SiWireCollection c = SI_WIRE_COLLECTION_TAGS; c <= SI_WIRE_COLLECTION_IDEAS; c++)
      {
        g_autoptr(SiWireRecord) record = random_record (c);
        g_autoptr(JsonNode) node = NULL;
        g_autofree char *text = NULL;

        value_offset = round + c;

        record->deleted = round == 3;
        node = si_wire_record_to_json (record, round % 2 ? SI_WIRE_MODE_REQUEST : SI_WIRE_MODE_RESPONSE);
        text = to_text (node);
        for (guint f = 0; f < G_N_ELEMENTS (record_fields); f++)
          {
            check_member_variants (text, record_fields[f], wrap_alone, AS_RECORD);
            check_member_variants (text, record_fields[f], wrap_page, AS_PAGE);
            if (scale > 1)
              check_member_variants (text, record_fields[f], wrap_changes, AS_PAGE);
            check_member_variants (text, record_fields[f], wrap_result, AS_RESPONSE);
          }
        {
          g_autoptr(GString) op = g_string_new (NULL);
          g_autoptr(SiWireRecord) plain = random_record (c);
          g_autoptr(JsonNode) plain_node = si_wire_record_to_json (plain, SI_WIRE_MODE_REQUEST);
          g_autofree char *plain_text = to_text (plain_node);

          g_string_append_printf (op, "{\"method\":\"%s\",\"collection\":\"%s\",%s\"record\":%s}",
                                  round % 2 ? "PUT" : "POST", si_wire_collection_to_string (c),
                                  round % 2 ? "\"id\":4,\"if_match\":2," : "", plain_text);
          for (guint f = 0; f < G_N_ELEMENTS (op_fields); f++)
            check_member_variants (op->str, op_fields[f], wrap_op, AS_REQUEST);
          for (guint f = 0; f < G_N_ELEMENTS (record_fields); f++)
            check_member_variants (text, record_fields[f],
                                   c == SI_WIRE_COLLECTION_IDEAS ? wrap_post_idea : wrap_put_tag, AS_REQUEST);
        }
      }
  {
    static const char * const result = "{\"status\":409,\"error\":\"name_taken\",\"message\":\"m\",\"record\":null}";
    static const char * const envelope = "{\"records\":[],\"cursor\":1,\"more\":false,\"results\":[],\"operations\":[]}";

    for (guint f = 0; f < G_N_ELEMENTS (result_fields); f++)
      check_member_variants (result, result_fields[f], wrap_op, AS_ALL);
    {
      static const char * const slim = "{\"status\":201,\"id\":5,\"version\":7}";
      static const char * const slim_fields[] = { "status", "id", "version", "record", "error", "other" };

      for (guint f = 0; f < G_N_ELEMENTS (slim_fields); f++)
        check_member_variants (slim, slim_fields[f], wrap_slim, AS_RESPONSE);
    }
    for (guint f = 0; f < G_N_ELEMENTS (envelope_fields); f++)
      check_member_variants (envelope, envelope_fields[f], wrap_alone, AS_ALL);
  }
  g_test_message ("%u checks, %u accepted, %u lax", n_checked, n_accepted, n_lax);
}

static void
test_truncated (void)
{
  for (guint i = 0; i < 2 * scale; i++)
    {
      g_autofree char *text = random_document (i);
      g_autofree char *respelled = respell (text);
      const char *texts[] = { text, respelled };

      for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
        for (gsize n = 0; n < strlen (texts[t]); n++)
          {
            g_autofree char *cut = g_strndup (texts[t], n);
            /* A cut text is not JSON, and neither path may take it. */
            check_text (cut, n, TEXT_VALID);
          }
    }
}

static void
test_mutated (void)
{
  static const char bytes[] = "\"\\{}[],:0123456789-+.eEtrufalsn \t\n\x01\x7f\xc3\xa9\xff\xed\xa0\x80";

  for (guint i = 0; i < 500 * scale; i++)
    {
      g_autofree char *text = random_document (i);
      gsize length = strlen (text);
      guint n = g_rand_int_range (rng, 1, 4);

      for (guint k = 0; k < n && length > 0; k++)
        {
          gsize at = g_rand_int_range (rng, 0, (gint32) length);

          switch (g_rand_int_range (rng, 0, 3))
            {
            case 0:
              text[at] = bytes[g_rand_int_range (rng, 0, sizeof bytes - 1)];
              break;
            case 1:
              memmove (text + at, text + at + 1, length - at);
              length--;
              break;
            default:
              text = g_realloc (text, length + 2);
              memmove (text + at + 1, text + at, length - at + 1);
              text[at] = bytes[g_rand_int_range (rng, 0, sizeof bytes - 1)];
              length++;
              break;
            }
        }
      check_text (text, length, TEXT_ANY);
    }
  g_test_message ("%u checks, %u accepted, %u lax", n_checked, n_accepted, n_lax);
}

/* The body's UTF-8 check skips ASCII a word at a time: valid and broken sequences at each
 * offset of a word, cut by ASCII, at the end of the text, and long runs, held against the
 * tree path (a text that is not UTF-8 is refused by both with one message). */
static void
test_utf8 (void)
{
  static const char * const sequences[] = {
    "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",   /* valid */
    "\xc3", "\xc3\xa9\xa9", "\xe2\x82", "\xc0\xaf", "\xe0\x80\xaf",         /* cut, overlong */
    "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xff", "\x80",
    "\xef\xbf\xbe", "\xef\xbf\xbf", "\xef\xb7\x90",                             /* noncharacters */
    /* each lead byte's edges */
    "\xc2\x80", "\xc1\xbf", "\xdf\xbf", "\xe0\xa0\x80", "\xe0\x9f\xbf", "\xed\x9f\xbf",
    "\xee\x80\x80", "\xf0\x90\x80\x80", "\xf0\x8f\xbf\xbf", "\xf1\x80\x80\x80",
    "\xf4\x8f\xbf\xc0", "\xf5\x80\x80\x80", "\xe2\x28\xa1", "\xf0\x9f\x98",
  };

  for (guint i = 0; i < G_N_ELEMENTS (sequences); i++)
    for (guint pad = 0; pad < 17; pad++)
      for (guint where = 0; where < 3; where++)
        {
          g_autoptr(GString) text = g_string_new ("{\"operations\":[],\"x\":\"");
          g_autofree char *padding = g_strnfill (pad, 'a');

          g_string_append (text, padding);
          g_string_append (text, sequences[i]);
          if (where == 1)   /* twice, with ASCII between */
            g_string_append_printf (text, "b%s", sequences[i]);
          if (where == 2)   /* a long run of it */
            for (guint k = 0; k < 9; k++)
              g_string_append (text, sequences[i]);
          g_string_append (text, "\"}");
          check_text_as (text->str, text->len, TEXT_ANY, AS_REQUEST | AS_PAGE);
          /* and at the very end of the text */
          g_string_truncate (text, text->len - 2);
          check_text_as (text->str, text->len, TEXT_ANY, AS_REQUEST | AS_PAGE);
        }
}

static void
test_hostile (void)
{
  static const char * const texts[] = {
    "", " ", "{", "}", "[]", "null", "1", "\"x\"", "{}", "{} ", " {}\n", "{}{}", "{},", "[{}]",
    "{\"records\":[],\"cursor\":0,\"more\":false}",
    "{\"records\":[],\"cursor\":0,\"more\":false,}",
    "{\"records\":[,],\"cursor\":0,\"more\":false}",
    "{\"records\":[1,],\"cursor\":0,\"more\":false}",
    "{\"records\":[],\"cursor\":9223372036854775807,\"more\":false}",
    "{\"records\":[],\"cursor\":9223372036854775808,\"more\":false}",
    "{\"records\":[],\"cursor\":-9223372036854775809,\"more\":false}",
    "{\"records\":[],\"cursor\":18446744073709551617,\"more\":false}",
    "{\"records\":[],\"cursor\":1e400,\"more\":false}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":\"\\u0000\"}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":\"\\0\"}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":\"\\x41\"}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":\"\\ud800\"}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":\"\\udc00\\ud800\"}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":\"\\ud83d\\ude00\"}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":\"\\uD83D\\uDE00\"}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":\"\\u12\"}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":\"\\u\"}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":\"\xc3\"}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":\"\xed\xa0\x80\"}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":\"\xf8\x88\x80\x80\x80\"}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":-}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":-0}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":0.0e-0}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":1E+9}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":tru}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":nul}",
    "{\"records\":[],\"cursor\":0,\"more\":false \"x\":1}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"\":1}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"more\":true}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"records\":{}}",
    "{\"records\":{},\"cursor\":0,\"more\":false,\"records\":[]}",
    "{\"records\":[1],\"cursor\":0,\"more\":false,\"records\":[]}",
    "{\"records\":[],\"cursor\":\"0\",\"more\":false}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"remaining\":-1}",
    "{\"records\":[],\"cursor\":0,\"more\":true,\"remaining\":null}",
    "{\"operations\":[]}", "{\"operations\":[],\"operations\":{}}", "{\"operations\":{}}",
    "{\"operations\":[{}]}", "{\"operations\":[1]}", "{\"operations\":[{},{},{},{}]}",
    "{\"operations\":[{\"method\":\"DELETE\",\"collection\":\"ideas\",\"id\":1},{},{},{}],\"x\":1}",
    "{\"operations\":[{\"method\":\"DELETE\",\"collection\":\"ideas\",\"id\":1},1,2,3]}",
    "{\"operations\":[{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":[]}]}",
    "{\"operations\":[{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":{}}]}",
    "{\"operations\":[{\"method\":\"POST\",\"record\":{\"title\":1},\"collection\":\"tags\"}]}",
    "{\"operations\":[{\"method\":\"POST\",\"record\":{\"name\":1},\"collection\":\"ideas\"}]}",
    "{\"operations\":[{\"record\":{\"title\":1,\"name\":2},\"method\":\"PUT\",\"id\":1,\"collection\":\"tags\"}]}",
    "{\"results\":[]}", "{\"results\":[1,2,3]}", "{\"results\":[{},{},{}]}",
    "{\"results\":[{\"status\":200},{\"status\":200},{\"status\":200}],\"changes\":[]}",
    "{\"results\":[{\"status\":200},{\"status\":200},{\"status\":200}],\"changes\":{}}",
    "{\"results\":[{\"status\":200},{\"status\":200},{\"status\":200}],\"changes\":[[1,1],[2,2],[3,3],[4,4]]}",
    "{\"results\":[{\"status\":200},{\"status\":200},{\"status\":200}],\"changes\":[[1,1],[1,1]]}",
    "{\"results\":[{\"status\":200},{\"status\":200},{\"status\":200}],\"changes\":[[1,\"1\"]]}",
    "{\"results\":[{\"status\":200},{\"status\":4294967496},{\"status\":200}]}",
    "{\"results\":[{\"status\":200},{\"status\":400,\"error\":null},{\"status\":200}]}",
    "{\"results\":[{\"status\":200},{\"status\":400,\"error\":\"e\",\"current\":1},{\"status\":200}]}",
    "{\"results\":[{\"status\":200},{\"status\":400,\"error\":\"e\",\"message\":1},{\"status\":200,\"record\":1}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    check_string (texts[i], TEXT_ANY);

  /* Nesting at the limit, one beyond, and far beyond, inside an ignored member. */
  for (guint depth = SI_WIRE_MAX_DEPTH - 2; depth <= SI_WIRE_MAX_DEPTH + 1; depth++)
    {
      g_autoptr(GString) text = g_string_new ("{\"records\":[],\"cursor\":0,\"more\":false,\"x\":");

      for (guint d = 1; d < depth; d++)
        g_string_append_c (text, d % 2 ? '[' : '[');
      for (guint d = 1; d < depth; d++)
        g_string_append_c (text, ']');
      g_string_append_c (text, '}');
      check_string (text->str, TEXT_VALID);
    }
  {
    g_autoptr(GString) text = g_string_new ("{\"x\":");

    for (guint d = 0; d < 100000; d++)
      g_string_append (text, "{\"a\":[");
    check_string (text->str, TEXT_VALID);
  }
}

/* What json-glib takes and RFC 8259 does not: the reader refuses it as not JSON. */
static void
test_strict (void)
{
  static const char * const lax[] = {
    "{\"records\":[],\"cursor\":01,\"more\":false}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":1.}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":.5}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":0x10}",
    "{\"records\":[],\"cursor\":0,\"more\":false /* c */}",
    "{\"records\":[],\"cursor\":0,\"more\":false,'x':1}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":\"a\tb\"}",
    "{\"records\":[],\"cursor\":0,\"more\":false,\"x\":\"\\uzzzz\"}",
    "{\"records\":[],\"cursor\":0,\"more\":false}{}",
    "\xef\xbb\xbf{\"records\":[],\"cursor\":0,\"more\":false}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (lax); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = si_wire_parse (lax[i], strlen (lax[i]), NULL);
      g_autoptr(SiWirePage) page = si_wire_read_page (lax[i], strlen (lax[i]), SI_WIRE_COLLECTION_IDEAS, &error);

      g_assert_nonnull (node);
      g_assert_null (page);
      g_assert_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON);
      check_string (lax[i], TEXT_ANY);
    }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  rng = g_rand_new_with_seed (g_test_rand_int ());
  if (g_test_thorough ())
    scale = 6;

  g_test_add_func ("/wire-read/random-documents", test_random_documents);
  g_test_add_func ("/wire-read/every-field", test_every_field);
  g_test_add_func ("/wire-read/truncated", test_truncated);
  g_test_add_func ("/wire-read/mutated", test_mutated);
  g_test_add_func ("/wire-read/hostile", test_hostile);
  g_test_add_func ("/wire-read/utf8", test_utf8);
  g_test_add_func ("/wire-read/strict", test_strict);

  status = g_test_run ();
  g_rand_free (rng);
  return status;
}
