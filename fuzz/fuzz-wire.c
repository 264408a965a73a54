/* fuzz-wire.c — the client's decoding of whatever a server (or a proxy) answers.
 *
 * Arbitrary bytes are parsed as each kind of response body. Decoding may fail with a GError,
 * never crash; what decodes must encode and decode again to the same content.
 */
#include "config.h"

#include "si-wire.h"

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
  return 0;
}
