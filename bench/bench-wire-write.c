/* bench-wire-write.c — the sync protocol's JSON text: the json-glib tree against the streaming
 * writer (si-wire-write.c), on the documents sync sends most.
 *
 * Usage: bench-wire-write [N_RECORDS] (default 100000). Makes N ideas of a title and a body
 * (the generator's words, seed 42; a uid, two times, a device name, two tags) and writes them,
 * in pages of %SI_WIRE_PAGE_MAX_LIMIT as sync does, five times each way:
 *   changes   the server's pages of GET /api/v1/changes (si_wire_changes_to_json() and
 *             si_wire_to_string() against si_wire_changes_to_text())
 *   request   the client's POST /api/v1/batch (si_wire_batch_op_new() for each record,
 *             si_wire_batch_request_to_json(), si_wire_to_string() against
 *             si_wire_batch_request_append())
 *   response  the server's answer to it (si_wire_batch_response_to_json_with_changes() and
 *             si_wire_to_string() against si_wire_batch_response_to_text())
 *   base      the base text the client keeps of each pushed record (si_wire_record_to_json()
 *             and si_wire_to_string() against si_wire_record_to_text())
 * Prints the median CPU time of the five, per way and document, and the ratio; each pair of
 * texts is checked to be the same bytes first.
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "si-bench-data.h"
#include "si-wire-write.h"

#define RUNS 5

typedef struct {
  GPtrArray *pages;     /* SiWirePage, SI_WIRE_PAGE_MAX_LIMIT records each */
  GPtrArray *results;   /* per page: a GPtrArray of SiWireBatchResult */
  GPtrArray *changes;   /* per page: a GArray of SiWireChangeRange */
  guint      n;
} Data;

static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static void
make_data (Data  *data,
           guint  n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  SiWirePage *page = NULL;

  data->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_page_free);
  data->results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  data->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  data->n = n;
  for (guint i = 0; i < n; i++)
    {
      SiWireRecord *record = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);

      if (page == NULL || page->records->len == SI_WIRE_PAGE_MAX_LIMIT)
        {
          page = si_wire_page_new ();
          page->more = TRUE;
          page->remaining = n - i;
          g_ptr_array_add (data->pages, page);
        }
      record->id = i + 1;
      record->version = i + 1;
      record->uid = g_uuid_string_random ();
      record->created_at = G_GINT64_CONSTANT (1700000000000) + (gint64) i * 60000;
      record->updated_at = record->created_at + 1234;
      record->device = g_strdup ("Bench laptop");
      g_free (record->title);
      record->title = si_bench_make_title (rand);
      g_free (record->body);
      record->body = si_bench_make_body (rand);
      si_wire_record_add_tag (record, 1 + i % 50);
      si_wire_record_add_tag (record, 51 + i % 7);
      g_ptr_array_add (page->records, record);
    }
  if (page != NULL)
    page->more = FALSE;

  for (guint p = 0; p < data->pages->len; p++)
    {
      SiWirePage *each = g_ptr_array_index (data->pages, p);
      GPtrArray *results = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_batch_result_free);
      g_autoptr(GArray) versions = g_array_new (FALSE, FALSE, sizeof (gint64));

      for (guint i = 0; i < each->records->len; i++)
        {
          SiWireRecord *record = g_ptr_array_index (each->records, i);

          g_ptr_array_add (results, si_wire_batch_result_new (201, si_wire_record_copy (record), NULL));
          g_array_append_val (versions, record->version);
        }
      g_ptr_array_add (data->results, results);
      g_ptr_array_add (data->changes, si_wire_change_ranges_from_versions (versions));
    }
}

/* One way of writing page @p: the text (g_free). */
typedef char *(*WriteFunc) (Data *data, guint p, gsize *out_length);

static char *
changes_tree (Data  *data,
              guint  p,
              gsize *out_length)
{
  g_autoptr(JsonNode) node = si_wire_changes_to_json (g_ptr_array_index (data->pages, p));
  return si_wire_to_string (node, out_length);
}

static char *
changes_writer (Data  *data,
                guint  p,
                gsize *out_length)
{
  GString *text = si_wire_changes_to_text (g_ptr_array_index (data->pages, p));

  *out_length = text->len;
  return g_string_free (text, FALSE);
}

static char *
request_tree (Data  *data,
              guint  p,
              gsize *out_length)
{
  SiWirePage *page = g_ptr_array_index (data->pages, p);
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_batch_op_free);
  g_autoptr(JsonNode) node = NULL;

  for (guint i = 0; i < page->records->len; i++)
    g_ptr_array_add (ops, si_wire_batch_op_new (SI_WIRE_METHOD_POST, SI_WIRE_COLLECTION_IDEAS, 0, -1,
                                                g_ptr_array_index (page->records, i)));
  node = si_wire_batch_request_to_json (ops);
  return si_wire_to_string (node, out_length);
}

static char *
request_writer (Data  *data,
                guint  p,
                gsize *out_length)
{
  SiWirePage *page = g_ptr_array_index (data->pages, p);
  GString *text = g_string_sized_new (400 * (gsize) page->records->len + 32);

  si_wire_batch_request_begin (text);
  for (guint i = 0; i < page->records->len; i++)
    si_wire_batch_request_append (text, SI_WIRE_METHOD_POST, SI_WIRE_COLLECTION_IDEAS, 0, -1,
                                  g_ptr_array_index (page->records, i));
  si_wire_batch_request_end (text);
  *out_length = text->len;
  return g_string_free (text, FALSE);
}

static char *
response_tree (Data  *data,
               guint  p,
               gsize *out_length)
{
  g_autoptr(JsonNode) node = si_wire_batch_response_to_json_with_changes (g_ptr_array_index (data->results, p),
                                                                          g_ptr_array_index (data->changes, p));
  return si_wire_to_string (node, out_length);
}

static char *
response_writer (Data  *data,
                 guint  p,
                 gsize *out_length)
{
  GString *text = si_wire_batch_response_to_text (g_ptr_array_index (data->results, p),
                                                  g_ptr_array_index (data->changes, p));

  *out_length = text->len;
  return g_string_free (text, FALSE);
}

/* The bases of a page's records, one text each; the length is their sum, the text the last. */
static char *
base_tree (Data  *data,
           guint  p,
           gsize *out_length)
{
  SiWirePage *page = g_ptr_array_index (data->pages, p);
  char *text = NULL;

  *out_length = 0;
  for (guint i = 0; i < page->records->len; i++)
    {
      g_autoptr(JsonNode) node = si_wire_record_to_json (g_ptr_array_index (page->records, i), SI_WIRE_MODE_RESPONSE);
      gsize length = 0;

      g_free (text);
      text = si_wire_to_string (node, &length);
      *out_length += length;
    }
  return text;
}

static char *
base_writer (Data  *data,
             guint  p,
             gsize *out_length)
{
  SiWirePage *page = g_ptr_array_index (data->pages, p);
  char *text = NULL;

  *out_length = 0;
  for (guint i = 0; i < page->records->len; i++)
    {
      gsize length = 0;

      g_free (text);
      text = si_wire_record_to_text (g_ptr_array_index (page->records, i), SI_WIRE_MODE_RESPONSE, &length);
      *out_length += length;
    }
  return text;
}

/* The median CPU ms of writing every page with @func; *@out_bytes the text's total length. */
static double
measure (Data      *data,
         WriteFunc  func,
         gsize     *out_bytes)
{
  double runs[RUNS];

  for (guint r = 0; r < RUNS; r++)
    {
      double start = cpu_ms ();

      *out_bytes = 0;
      for (guint p = 0; p < data->pages->len; p++)
        {
          gsize length = 0;
          g_autofree char *text = func (data, p, &length);

          *out_bytes += length;
        }
      runs[r] = cpu_ms () - start;
    }
  qsort (runs, RUNS, sizeof runs[0], compare_doubles);
  return runs[RUNS / 2];
}

static void
compare (Data       *data,
         const char *name,
         WriteFunc   tree,
         WriteFunc   writer)
{
  g_autofree char *tree_name = g_strdup_printf ("wire_%s_%u_tree_ms", name, data->n);
  g_autofree char *writer_name = g_strdup_printf ("wire_%s_%u_writer_ms", name, data->n);
  g_autofree char *ratio_name = g_strdup_printf ("wire_%s_%u_speedup", name, data->n);
  gsize tree_bytes = 0, writer_bytes = 0;
  double tree_ms, writer_ms;

  /* The same bytes, or the comparison means nothing. */
  for (guint p = 0; p < data->pages->len; p++)
    {
      gsize a = 0, b = 0;
      g_autofree char *ta = tree (data, p, &a);
      g_autofree char *tb = writer (data, p, &b);

      if (a != b || strcmp (ta, tb) != 0)
        g_error ("%s: the writer's text of page %u differs from the tree's", name, p);
    }

  tree_ms = measure (data, tree, &tree_bytes);
  writer_ms = measure (data, writer, &writer_bytes);
  g_assert_cmpuint (tree_bytes, ==, writer_bytes);
  printf ("# %s: %u records, %.1f MB of JSON\n", name, data->n, writer_bytes / 1e6);
  si_bench_report (tree_name, tree_ms, "ms", "");
  si_bench_report (writer_name, writer_ms, "ms", "");
  si_bench_report (ratio_name, writer_ms > 0 ? tree_ms / writer_ms : 0, "x", "");
}

int
main (int    argc,
      char **argv)
{
  Data data = { 0 };
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100000;

  if (n == 0)
    {
      fprintf (stderr, "usage: bench-wire-write [N_RECORDS]\n");
      return 2;
    }
  make_data (&data, n);
  printf ("# the sync protocol's JSON text: json-glib tree against si-wire-write.c, median CPU of %d runs\n", RUNS);
  compare (&data, "changes", changes_tree, changes_writer);
  compare (&data, "request", request_tree, request_writer);
  compare (&data, "response", response_tree, response_writer);
  compare (&data, "base", base_tree, base_writer);
  si_bench_print_json ();

  g_ptr_array_unref (data.pages);
  g_ptr_array_unref (data.results);
  g_ptr_array_unref (data.changes);
  return 0;
}
