/* test-wire-slim.c — slim batch results (docs/protocol.md, POST /api/v1/batch, "Slim results"):
 * the Prefer header, when a server may leave a record out, how a client rebuilds it, and what
 * both readers refuse. */
#include "config.h"

#include <string.h>

#include "si-wire.h"
#include "si-wire-read.h"
#include "si-wire-write.h"

static SiWireRecord *
make_idea (const char *uid)
{
  SiWireRecord *record = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);
  gint64 tags[] = { 4, 9 };

  record->uid = g_strdup (uid);
  record->created_at = 1700000000123;
  record->updated_at = 1700000456789;
  record->device = g_strdup ("laptop");
  g_free (record->title);
  record->title = g_strdup ("Tea \"\xc3\xa9\" \t notes");
  g_free (record->body);
  record->body = g_strdup ("line one\nline two \xe2\x80\xa8 \x1f");
  record->pinned = TRUE;
  g_array_append_vals (record->tags, tags, G_N_ELEMENTS (tags));
  return record;
}

/* A copy of @records for one reader (slim results take theirs). */
static GPtrArray *
copy_sent (GPtrArray *records)
{
  GPtrArray *copy;

  if (records == NULL)
    return NULL;
  copy = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_record_free);
  for (guint i = 0; i < records->len; i++)
    {
      SiWireRecord *record = g_ptr_array_index (records, i);
      g_ptr_array_add (copy, record != NULL ? si_wire_record_copy (record) : NULL);
    }
  return copy;
}

static void
test_prefer (void)
{
  g_assert_true (si_wire_prefer_return_minimal ("return=minimal"));
  g_assert_true (si_wire_prefer_return_minimal ("RETURN = \"minimal\""));
  g_assert_true (si_wire_prefer_return_minimal ("respond-async, return=minimal; x=1, wait=10"));
  g_assert_false (si_wire_prefer_return_minimal (NULL));
  g_assert_false (si_wire_prefer_return_minimal (""));
  g_assert_false (si_wire_prefer_return_minimal ("return=representation"));
  g_assert_false (si_wire_prefer_return_minimal ("return=representation, return=minimal"));
  g_assert_false (si_wire_prefer_return_minimal ("returns=minimal"));
  g_assert_false (si_wire_prefer_return_minimal ("respond-async; return=minimal"));
  g_assert_false (si_wire_prefer_return_minimal ("return=minimalist"));
}

/* What the server compares: a changed member, a tombstone, a tag or no uid is not "as sent". */
static void
test_as_sent (void)
{
  g_autoptr(SiWireRecord) sent = make_idea ("0190c0de-0000-7000-8000-000000000001");
  g_autoptr(SiWireRecord) stored = si_wire_record_copy (sent);
  g_autoptr(SiWireRecord) tag = si_wire_record_new (SI_WIRE_COLLECTION_TAGS);
  gint64 one = 4;

  stored->id = 17;
  stored->version = 40;
  g_assert_true (si_wire_record_is_as_sent (stored, sent));

#define DIFFERS(change) G_STMT_START {                                   \
    g_autoptr(SiWireRecord) other = si_wire_record_copy (stored);        \
    change;                                                              \
    g_assert_false (si_wire_record_is_as_sent (other, sent));            \
  } G_STMT_END
  DIFFERS (other->deleted = TRUE);
  DIFFERS (other->created_at++);
  DIFFERS (other->updated_at--);
  DIFFERS (g_free (other->device); other->device = NULL);
  DIFFERS (g_free (other->device); other->device = g_strdup ("phone"));
  DIFFERS (g_free (other->title); other->title = g_strdup ("Tea"));
  DIFFERS (g_free (other->body); other->body = g_strdup (""));
  DIFFERS (other->pinned = FALSE);
  DIFFERS (g_array_set_size (other->tags, 1));
  DIFFERS (g_array_index (other->tags, gint64, 0) = 9; g_array_index (other->tags, gint64, 1) = 4);
  DIFFERS (g_free (other->uid); other->uid = NULL);
  DIFFERS (g_free (other->uid); other->uid = g_strdup ("0190c0de-0000-7000-8000-000000000002"));
#undef DIFFERS

  g_free (tag->uid);
  tag->uid = g_strdup (sent->uid);
  g_assert_false (si_wire_record_is_as_sent (tag, tag));
  g_array_append_val (stored->tags, one);
  g_assert_false (si_wire_record_is_as_sent (stored, sent));
}

/* The record rebuilt from the one sent gives the same base text as the full result would:
 * the server's full answer, read back, against the slim one, rebuilt. */
static void
test_rebuild_same_text (void)
{
  g_autoptr(SiWireRecord) sent = make_idea ("0190C0DE-0000-7000-8000-00000000ABCD");
  g_autoptr(GString) request = g_string_new (NULL);
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) full = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_batch_result_free);
  g_autoptr(GPtrArray) slim = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_batch_result_free);
  g_autoptr(GPtrArray) sent_records = g_ptr_array_new ();
  g_autoptr(GArray) collections = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GString) full_text = NULL;
  g_autoptr(GString) slim_text = NULL;
  g_autoptr(GPtrArray) full_read = NULL;
  g_autoptr(GPtrArray) slim_read = NULL;
  g_autoptr(GPtrArray) slim_tree = NULL;
  g_autoptr(JsonNode) slim_node = NULL;
  gint64 again = 4;
  SiWireRecord *decoded;
  SiWireRecord *stored;
  int ideas = SI_WIRE_COLLECTION_IDEAS;

  /* A repeated tag id and a uid in capitals: the server reads them as a set and in lower case. */
  g_array_append_val (sent->tags, again);
  si_wire_batch_request_begin (request);
  si_wire_batch_request_append (request, SI_WIRE_METHOD_POST, SI_WIRE_COLLECTION_IDEAS, 0, -1, sent);
  si_wire_batch_request_end (request);
  ops = si_wire_read_batch_request (request->str, request->len, 10, NULL, &error);
  g_assert_no_error (error);
  decoded = ((SiWireBatchOp *) g_ptr_array_index (ops, 0))->decoded;
  g_assert_nonnull (decoded);

  stored = si_wire_record_copy (decoded);
  stored->id = 31;
  stored->version = 977;
  g_assert_true (si_wire_record_is_as_sent (stored, decoded));
  g_ptr_array_add (full, si_wire_batch_result_new (201, si_wire_record_copy (stored), NULL));
  g_ptr_array_add (slim, si_wire_batch_result_new (201, stored, NULL));
  ((SiWireBatchResult *) g_ptr_array_index (slim, 0))->slim = TRUE;

  full_text = si_wire_batch_response_to_text (full, NULL);
  slim_text = si_wire_batch_response_to_text (slim, NULL);
  g_assert_cmpstr (slim_text->str, ==, "{\"results\":[{\"status\":201,\"id\":31,\"version\":977}]}");
  /* The tree writer writes the same. */
  {
    g_autoptr(JsonNode) node = si_wire_batch_response_to_json (slim);
    g_autofree char *text = si_wire_to_string (node, NULL);

    g_assert_cmpstr (text, ==, slim_text->str);
  }

  g_array_append_val (collections, ideas);
  g_ptr_array_add (sent_records, sent);
  {
    g_autoptr(GPtrArray) for_full = copy_sent (sent_records);
    g_autoptr(GPtrArray) for_slim = copy_sent (sent_records);
    g_autoptr(GPtrArray) for_tree = copy_sent (sent_records);

    full_read = si_wire_read_batch_response_sent (full_text->str, full_text->len, collections, for_full, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (g_ptr_array_index (for_full, 0));   /* a full result takes nothing */
    slim_read = si_wire_read_batch_response_sent (slim_text->str, slim_text->len, collections, for_slim, NULL, &error);
    g_assert_no_error (error);
    g_assert_null (g_ptr_array_index (for_slim, 0));      /* a slim one takes the record sent */
    slim_node = si_wire_parse (slim_text->str, slim_text->len, &error);
    g_assert_no_error (error);
    slim_tree = si_wire_batch_response_from_json_sent (slim_node, collections, for_tree, &error);
    g_assert_no_error (error);
    g_assert_null (g_ptr_array_index (for_tree, 0));
  }

  {
    SiWireRecord *a = ((SiWireBatchResult *) g_ptr_array_index (full_read, 0))->record;
    SiWireRecord *b = ((SiWireBatchResult *) g_ptr_array_index (slim_read, 0))->record;
    SiWireRecord *c = ((SiWireBatchResult *) g_ptr_array_index (slim_tree, 0))->record;
    g_autofree char *base_full = si_wire_record_to_text (a, SI_WIRE_MODE_RESPONSE, NULL);
    g_autofree char *base_slim = si_wire_record_to_text (b, SI_WIRE_MODE_RESPONSE, NULL);
    g_autofree char *base_tree = si_wire_record_to_text (c, SI_WIRE_MODE_RESPONSE, NULL);

    g_assert_cmpstr (base_slim, ==, base_full);
    g_assert_cmpstr (base_tree, ==, base_full);
    g_assert_true (si_wire_record_content_equal (b, decoded));
    g_assert_cmpuint (b->tags->len, ==, 2);
    g_assert_cmpint (b->id, ==, 31);
    g_assert_cmpint (b->version, ==, 977);
  }
}

/* Both readers refuse a slim result that may not be, with the same message. */
static void
expect_refused (const char *text,
                GPtrArray  *sent,
                const char *message)
{
  static const int c[] = { SI_WIRE_COLLECTION_IDEAS, SI_WIRE_COLLECTION_TAGS, SI_WIRE_COLLECTION_IDEAS };
  g_autoptr(GArray) collections = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GError) tree_error = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) tree = NULL;
  g_autoptr(GPtrArray) read = NULL;

  g_array_append_vals (collections, c, G_N_ELEMENTS (c));
  node = si_wire_parse (text, strlen (text), &tree_error);
  g_assert_no_error (tree_error);
  {
    g_autoptr(GPtrArray) for_tree = copy_sent (sent);
    g_autoptr(GPtrArray) for_read = copy_sent (sent);

    tree = si_wire_batch_response_from_json_sent (node, collections, for_tree, &tree_error);
    read = si_wire_read_batch_response_sent (text, strlen (text), collections, for_read, NULL, &read_error);
  }
  g_assert_null (tree);
  g_assert_null (read);
  g_assert_error (tree_error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD);
  g_assert_error (read_error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD);
  g_assert_cmpstr (tree_error->message, ==, read_error->message);
  if (strstr (read_error->message, message) == NULL)
    g_error ("“%s” does not say “%s”", read_error->message, message);
}

static void
test_refused (void)
{
  g_autoptr(SiWireRecord) idea = make_idea ("0190c0de-0000-7000-8000-000000000001");
  g_autoptr(SiWireRecord) tag = si_wire_record_new (SI_WIRE_COLLECTION_TAGS);
  g_autoptr(SiWireRecord) no_uid = make_idea ("0190c0de-0000-7000-8000-000000000002");
  g_autoptr(GPtrArray) sent = g_ptr_array_new ();
  g_autoptr(GPtrArray) deletes = g_ptr_array_new ();
  const char *ok_tag = "{\"status\":200,\"record\":{\"id\":3,\"uid\":\"0190c0de-0000-7000-8000-000000000009\","
                       "\"version\":5,\"created_at\":\"2024-01-01T00:00:00.000Z\",\"updated_at\":\"2024-01-01T00:00:00.000Z\","
                       "\"deleted\":false,\"name\":\"x\",\"colour\":\"\"}}";
  g_autofree char *not_asked = g_strdup_printf ("{\"results\":[{\"status\":201,\"id\":1,\"version\":2},%s,{\"status\":404,\"error\":\"not_found\"}]}", ok_tag);
  g_autofree char *on_tag = g_strdup_printf ("{\"results\":[{\"status\":201,\"id\":1,\"version\":2},{\"status\":201,\"id\":1,\"version\":2},{\"status\":404,\"error\":\"not_found\"}]}");
  g_autofree char *on_failure = g_strdup_printf ("{\"results\":[{\"status\":412,\"error\":\"precondition_failed\",\"id\":1,\"version\":2},%s,{\"status\":404,\"error\":\"not_found\"}]}", ok_tag);
  g_autofree char *on_delete = g_strdup_printf ("{\"results\":[{\"status\":201,\"id\":1,\"version\":2},%s,{\"status\":200,\"id\":1,\"version\":2}]}", ok_tag);
  g_autofree char *no_version = g_strdup_printf ("{\"results\":[{\"status\":201,\"id\":1},%s,{\"status\":404,\"error\":\"not_found\"}]}", ok_tag);
  g_autofree char *no_id = g_strdup_printf ("{\"results\":[{\"status\":201,\"version\":1},%s,{\"status\":404,\"error\":\"not_found\"}]}", ok_tag);
  g_autofree char *bad_id = g_strdup_printf ("{\"results\":[{\"status\":201,\"id\":0,\"version\":1},%s,{\"status\":404,\"error\":\"not_found\"}]}", ok_tag);
  g_autofree char *text_version = g_strdup_printf ("{\"results\":[{\"status\":201,\"id\":1,\"version\":\"1\"},%s,{\"status\":404,\"error\":\"not_found\"}]}", ok_tag);

  g_clear_pointer (&no_uid->uid, g_free);
  g_ptr_array_add (sent, idea);
  g_ptr_array_add (sent, tag);
  g_ptr_array_add (sent, NULL);   /* a DELETE */

  expect_refused (not_asked, NULL, "Result 0 leaves its record out, which was not asked for");
  expect_refused (on_tag, sent, "Result 1 leaves out a record that was not sent as it is");
  expect_refused (on_failure, sent, "Result 0 leaves its record out with status 412");
  expect_refused (on_delete, sent, "Result 2 leaves out a record that was not sent as it is");
  expect_refused (no_version, sent, "“version” is missing");
  expect_refused (no_id, sent, "“id” is missing");
  expect_refused (bad_id, sent, "“id” must be at least 1");
  expect_refused (text_version, sent, "“version” must be an integer");

  /* An idea sent without a uid (a PUT may leave it out) cannot be rebuilt. */
  g_ptr_array_add (deletes, no_uid);
  g_ptr_array_add (deletes, tag);
  g_ptr_array_add (deletes, idea);
  expect_refused (on_tag, deletes, "Result 0 leaves out a record that was not sent as it is");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wire-slim/prefer", test_prefer);
  g_test_add_func ("/wire-slim/as-sent", test_as_sent);
  g_test_add_func ("/wire-slim/rebuild-same-text", test_rebuild_same_text);
  g_test_add_func ("/wire-slim/refused", test_refused);
  return g_test_run ();
}
