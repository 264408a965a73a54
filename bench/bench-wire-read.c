/* bench-wire-read.c — decoding a page of N records and a batch request of N operations: the
 * tree path (si_wire_parse + si_wire_*_from_json) against the streaming reader
 * (si-wire-read.c), in CPU milliseconds (best of five).
 *
 *   bench-wire-read [N] [reader]   (default 100000; `reader`: the reader alone, for perf)
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "si-wire.h"
#include "si-wire-read.h"

static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* An idea like the peer benchmark's: a title and a 200-character body. */
static SiWireRecord *
make_record (guint i)
{
  SiWireRecord *record = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);
  GString *body = g_string_new (NULL);

  record->id = i + 1;
  record->version = i + 1;
  record->uid = g_uuid_string_random ();
  record->created_at = G_GINT64_CONSTANT (1764300000000) + i;
  record->updated_at = record->created_at;
  g_free (record->title);
  record->title = g_strdup_printf ("Idea number %u", i);
  while (body->len < 200)
    g_string_append (body, "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ");
  g_string_truncate (body, 200);
  g_free (record->body);
  record->body = g_string_free (body, FALSE);
  if (i % 3 == 0)
    si_wire_record_add_tag (record, 1 + i % 7);
  return record;
}

int
main (int    argc,
      char **argv)
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  g_autoptr(SiWirePage) page = si_wire_page_new ();
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_batch_op_free);
  g_autoptr(JsonNode) page_node = NULL;
  g_autoptr(JsonNode) ops_node = NULL;
  g_autofree char *page_text = NULL;
  g_autofree char *ops_text = NULL;
  gsize page_length, ops_length;
  double best[4] = { 1e300, 1e300, 1e300, 1e300 };
  gboolean tree = argc <= 2 || g_strcmp0 (argv[2], "reader") != 0;

  for (guint i = 0; i < n; i++)
    {
      SiWireRecord *record = make_record (i);

      g_ptr_array_add (ops, si_wire_batch_op_new (SI_WIRE_METHOD_POST, SI_WIRE_COLLECTION_IDEAS, 0, -1, record));
      g_ptr_array_add (page->records, record);
    }
  page->cursor = n;
  page_node = si_wire_changes_to_json (page);
  page_text = si_wire_to_string (page_node, &page_length);
  ops_node = si_wire_batch_request_to_json (ops);
  ops_text = si_wire_to_string (ops_node, &ops_length);

  for (guint round = 0; round < 5; round++)
    {
      double t;

      t = cpu_ms ();
      if (tree)
      {
        g_autoptr(JsonNode) node = si_wire_parse (page_text, page_length, NULL);
        g_autoptr(SiWirePage) p = si_wire_changes_from_json (node, NULL);
        g_assert (p != NULL && p->records->len == n);
      }
      best[0] = MIN (best[0], cpu_ms () - t);

      t = cpu_ms ();
      {
        g_autoptr(SiWirePage) p = si_wire_read_changes (page_text, page_length, NULL);
        g_assert (p != NULL && p->records->len == n);
      }
      best[1] = MIN (best[1], cpu_ms () - t);

      /* The server's batch route: the envelope, then each operation's record. */
      t = cpu_ms ();
      if (tree)
      {
        g_autoptr(JsonNode) node = si_wire_parse (ops_text, ops_length, NULL);
        g_autoptr(GPtrArray) o = si_wire_batch_request_from_json (node, G_MAXUINT, NULL, NULL);

        for (guint i = 0; i < o->len; i++)
          {
            SiWireBatchOp *op = g_ptr_array_index (o, i);
            g_autoptr(SiWireRecord) r = si_wire_record_from_json (op->record, op->collection, SI_WIRE_MODE_REQUEST, NULL);
            g_assert (r != NULL);
          }
      }
      best[2] = MIN (best[2], cpu_ms () - t);

      t = cpu_ms ();
      {
        g_autoptr(GPtrArray) o = si_wire_read_batch_request (ops_text, ops_length, G_MAXUINT, NULL, NULL);
        g_assert (o != NULL && o->len == n && ((SiWireBatchOp *) o->pdata[0])->decoded != NULL);
      }
      best[3] = MIN (best[3], cpu_ms () - t);
    }

  g_print ("page of %u records (%.1f MB): tree %.0f ms, reader %.0f ms (%.1fx)\n", n, page_length / 1e6,
           best[0], best[1], best[0] / best[1]);
  g_print ("batch request of %u operations (%.1f MB): tree %.0f ms, reader %.0f ms (%.1fx)\n", n,
           ops_length / 1e6, best[2], best[3], best[2] / best[3]);
  return 0;
}
