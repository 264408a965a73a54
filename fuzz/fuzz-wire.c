/* fuzz-wire.c — the client's decoding of whatever a server (or a proxy) answers.
 *
 * Arbitrary bytes are parsed as each kind of response body. Decoding may fail with a GError,
 * never crash; what decodes must encode and decode again to the same content. The streaming
 * reader (si-wire-read.c) reads the same bytes as a page, a /changes page, a batch response
 * and a batch request, and must agree with the tree path: what it takes, the tree path takes,
 * with equal structs; what it refuses as a field error, the tree path refuses in the same
 * words; it may refuse as not JSON what json-glib takes beyond RFC 8259.
 */
#include "config.h"

#include <string.h>

#include "si-wire.h"
#include "si-wire-history.h"
#include "si-wire-read.h"
#include "si-wire-write.h"

#include "si-fuzz.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  si_fuzz_init_logging ();
  return 0;
}

static void
check_record (JsonNode         *node,
              SiWireCollection  collection)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SiWireRecord) record = si_wire_record_from_json (node, collection, SI_WIRE_MODE_RESPONSE, &error);
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(SiWireRecord) round = NULL;

  if (record == NULL)
    return;
  again = si_wire_record_to_json (record, SI_WIRE_MODE_RESPONSE);
  /* The streaming writer (the server's pages, si-wire-write.c) writes the tree's document. */
  {
    gsize length = 0;
    g_autofree char *text = si_wire_record_to_text (record, SI_WIRE_MODE_RESPONSE, &length);
    g_autoptr(JsonNode) written = si_wire_parse (text, length, &error);

    if (written == NULL)
      g_error ("the writer's text of a decoded record does not parse: %s", error->message);
    if (!json_node_equal (written, again))
      g_error ("the writer and the tree write a record differently");
  }
  round = si_wire_record_from_json (again, collection, SI_WIRE_MODE_RESPONSE, &error);
  if (round == NULL)
    g_error ("a decoded record does not decode again: %s", error->message);
  if (!si_wire_record_content_equal (record, round))
    g_error ("a record changed on a round trip");
}

/* The two paths' outcomes on one text; TRUE when both took it (the caller compares). */
static gboolean
both_took (gboolean      tree_ok,
           const GError *tree_error,
           gboolean      read_ok,
           const GError *read_error,
           const char   *what)
{
  if (read_ok && !tree_ok)
    g_error ("%s: the reader takes what the tree path refuses: %s", what, tree_error->message);
  if (!read_ok && read_error->domain != SI_WIRE_ERROR)
    g_error ("%s: the reader's error is not a wire error", what);
  if (!read_ok && !g_utf8_validate (read_error->message, -1, NULL))
    g_error ("%s: the reader's message is not UTF-8", what);
  if (tree_ok && !read_ok && read_error->code != SI_WIRE_ERROR_INVALID_JSON)
    g_error ("%s: the reader refuses a field the tree path takes: %s", what, read_error->message);
  if (!tree_ok && !read_ok && read_error->code == SI_WIRE_ERROR_INVALID_FIELD &&
      (tree_error->code != SI_WIRE_ERROR_INVALID_FIELD || g_strcmp0 (tree_error->message, read_error->message) != 0))
    g_error ("%s: the paths refuse differently: tree “%s”, reader “%s”", what, tree_error->message,
             read_error->message);
  return tree_ok && read_ok;
}

static void
same_record (const SiWireRecord *a,
             const SiWireRecord *b)
{
  if ((a == NULL) != (b == NULL))
    g_error ("a record on one path only");
  if (a == NULL)
    return;
  if (!si_wire_record_content_equal (a, b) || a->id != b->id || a->version != b->version ||
      a->created_at != b->created_at || a->updated_at != b->updated_at ||
      g_strcmp0 (a->uid, b->uid) != 0 || g_strcmp0 (a->device, b->device) != 0 ||
      g_strcmp0 (a->title, b->title) != 0 || g_strcmp0 (a->name, b->name) != 0)
    g_error ("the paths decode different records");
}

/* What a client sent with the operations on @collections: a record of each (uid in capitals,
 * a repeated tag id: what the rebuild reads as the server did). */
static GPtrArray *
sent_records (GArray *collections)
{
  GPtrArray *sent = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_record_free);

  for (guint i = 0; i < collections->len; i++)
    {
      SiWireRecord *record = si_wire_record_new ((SiWireCollection) g_array_index (collections, int, i));
      gint64 tags[] = { 3, 1, 3 };

      record->uid = g_strdup ("0190C0DE-0000-7000-8000-00000000000A");
      if (record->tags != NULL)
        g_array_append_vals (record->tags, tags, G_N_ELEMENTS (tags));
      g_ptr_array_add (sent, record);
    }
  return sent;
}

/* The streaming reader against the tree path (@node: si_wire_parse()'s, or NULL). */
static void
check_reader (const char *data,
              gsize       size,
              JsonNode   *node,
              const GError *parse_error,
              GArray     *collections)
{
  for (int c = 0; c <= SI_WIRE_COLLECTION_IDEAS; c = c ? c + 1 : SI_WIRE_COLLECTION_TAGS)
    {
      g_autoptr(GError) tree_error = parse_error ? g_error_copy (parse_error) : NULL;
      g_autoptr(GError) read_error = NULL;
      g_autoptr(SiWirePage) tree = NULL;
      g_autoptr(SiWirePage) read = NULL;

      if (node != NULL)
        tree = c ? si_wire_page_from_json (node, c, &tree_error) : si_wire_changes_from_json (node, &tree_error);
      read = c ? si_wire_read_page (data, size, c, &read_error) : si_wire_read_changes (data, size, &read_error);
      if (!both_took (tree != NULL, tree_error, read != NULL, read_error, "page"))
        continue;
      if (tree->cursor != read->cursor || !tree->more != !read->more || tree->remaining != read->remaining ||
          tree->records->len != read->records->len)
        g_error ("the paths decode different pages");
      for (guint i = 0; i < tree->records->len; i++)
        same_record (g_ptr_array_index (tree->records, i), g_ptr_array_index (read->records, i));
    }
  /* A client that did not ask for slim results, and one that did (the records it sent). */
  for (guint asked = 0; asked < 2; asked++)
  {
    g_autoptr(GError) tree_error = parse_error ? g_error_copy (parse_error) : NULL;
    g_autoptr(GError) read_error = NULL;
    g_autoptr(GPtrArray) tree = NULL;
    g_autoptr(GPtrArray) read = NULL;
    g_autoptr(GArray) tree_changes = NULL;
    g_autoptr(GArray) read_changes = NULL;
    /* Each reader with its own: a slim result takes the record sent. */
    g_autoptr(GPtrArray) tree_sent = asked ? sent_records (collections) : NULL;
    g_autoptr(GPtrArray) read_sent = asked ? sent_records (collections) : NULL;

    if (node != NULL && (tree = si_wire_batch_response_from_json_sent (node, collections, tree_sent, &tree_error)) != NULL &&
        (tree_changes = si_wire_batch_response_changes_from_json (node, tree->len, &tree_error)) == NULL)
      g_clear_pointer (&tree, g_ptr_array_unref);
    read = si_wire_read_batch_response_sent (data, size, collections, read_sent, &read_changes, &read_error);
    if (both_took (tree != NULL, tree_error, read != NULL, read_error, "batch response"))
      {
        /* (memcmp() only over something: an empty GArray's data may be NULL.) */
        if (tree->len != read->len || tree_changes->len != read_changes->len ||
            (tree_changes->len > 0 &&
             memcmp (tree_changes->data, read_changes->data, tree_changes->len * sizeof (SiWireChangeRange)) != 0))
          g_error ("the paths decode different batch responses");
        for (guint i = 0; i < tree->len; i++)
          {
            SiWireBatchResult *a = g_ptr_array_index (tree, i), *b = g_ptr_array_index (read, i);

            if (a->status != b->status || (a->problem == NULL) != (b->problem == NULL) ||
                (a->problem && (g_strcmp0 (a->problem->error, b->problem->error) != 0 ||
                                g_strcmp0 (a->problem->message, b->problem->message) != 0)))
              g_error ("the paths decode different batch results");
            same_record (a->record, b->record);
            if (a->problem != NULL)
              same_record (a->problem->current, b->problem->current);
          }
      }
  }
  {
    g_autoptr(GError) tree_error = parse_error ? g_error_copy (parse_error) : NULL;
    g_autoptr(GError) read_error = NULL;
    g_autoptr(GPtrArray) tree = NULL;
    g_autoptr(GPtrArray) read = NULL;

    if (node != NULL)
      tree = si_wire_batch_request_from_json (node, 4, NULL, &tree_error);
    read = si_wire_read_batch_request (data, size, 4, NULL, &read_error);
    if (both_took (tree != NULL, tree_error, read != NULL, read_error, "batch request"))
      {
        if (tree->len != read->len)
          g_error ("the paths decode different batch requests");
        for (guint i = 0; i < tree->len; i++)
          {
            SiWireBatchOp *a = g_ptr_array_index (tree, i), *b = g_ptr_array_index (read, i);
            g_autoptr(GError) record_error = NULL;
            g_autoptr(SiWireRecord) record = NULL;

            if (a->method != b->method || a->collection != b->collection || a->id != b->id || a->if_match != b->if_match)
              g_error ("the paths decode different operations");
            if (a->record == NULL)
              {
                if (b->decoded != NULL || b->record_error != NULL)
                  g_error ("a record on one path only");
                continue;
              }
            record = si_wire_record_from_json (a->record, a->collection, SI_WIRE_MODE_REQUEST, &record_error);
            if ((record == NULL) != (b->decoded == NULL) ||
                (record == NULL && g_strcmp0 (record_error->message, b->record_error->message) != 0))
              g_error ("the paths decode an operation's record differently");
            same_record (record, b->decoded);
          }
      }
  }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = si_wire_parse ((const char *) data, size, &error);
  g_autoptr(GArray) collections = g_array_new (FALSE, FALSE, sizeof (SiWireCollection));

  {
    static const int three[] = { SI_WIRE_COLLECTION_IDEAS, SI_WIRE_COLLECTION_TAGS, SI_WIRE_COLLECTION_IDEAS };
    g_autoptr(GArray) ops = g_array_new (FALSE, FALSE, sizeof (int));

    g_array_append_vals (ops, three, G_N_ELEMENTS (three));
    check_reader ((const char *) data, size, node, error, ops);
  }
  if (node == NULL)
    {
      /* The server sends this message back in a JSON body. */
      if (!g_utf8_validate (error->message, -1, NULL))
        g_error ("si_wire_parse's message is not UTF-8");
      return 0;
    }

  for (SiWireCollection c = SI_WIRE_COLLECTION_TAGS; c <= SI_WIRE_COLLECTION_IDEAS; c++)
    {
      SiWirePage *page;
      SiWireProblem *problem;

      check_record (node, c);
      if ((page = si_wire_page_from_json (node, c, NULL)))
        si_wire_page_free (page);
      if ((problem = si_wire_problem_from_json (node, c, NULL)))
        si_wire_problem_free (problem);
      g_array_append_val (collections, c);
    }
  {
    GPtrArray *results = si_wire_batch_response_from_json (node, collections, NULL);
    GArray *changes = si_wire_batch_response_changes_from_json (node, SI_WIRE_BATCH_MAX_OPS, NULL);

    if (results)
      g_ptr_array_unref (results);
    if (changes)
      g_array_unref (changes);
  }
  /* A server's history and trash pages: what decodes must encode and decode again. */
  {
    g_autoptr(SiWireHistoryPage) history = si_wire_history_page_from_json (node, NULL);
    g_autoptr(SiWireTrashPage) trash = si_wire_trash_page_from_json (node, NULL);

    if (history != NULL)
      {
        g_autoptr(JsonNode) again = si_wire_history_page_to_json (history);
        g_autoptr(SiWireHistoryPage) round = si_wire_history_page_from_json (again, &error);

        if (round == NULL || round->versions->len != history->versions->len)
          g_error ("A history page does not decode again: %s", error ? error->message : "other length");
      }
    if (trash != NULL)
      {
        g_autoptr(JsonNode) again = si_wire_trash_page_to_json (trash);
        g_autoptr(SiWireTrashPage) round = si_wire_trash_page_from_json (again, &error);

        if (round == NULL || round->entries->len != trash->entries->len)
          g_error ("A trash page does not decode again: %s", error ? error->message : "other length");
      }
  }
  return 0;
}
