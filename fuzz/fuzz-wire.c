/* fuzz-wire.c — the client's decoding of whatever a server (or a proxy) answers.
 *
 * Arbitrary bytes are parsed as each kind of response body. Decoding may fail with a GError,
 * never crash; what decodes must encode and decode again to the same content.
 */
#include "config.h"

#include "si-wire.h"
#include "si-wire-history.h"
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

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = si_wire_parse ((const char *) data, size, &error);
  g_autoptr(GArray) collections = g_array_new (FALSE, FALSE, sizeof (SiWireCollection));

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
