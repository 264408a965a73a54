/* bench-tag-delete.c — one account's huge write against another account's small ones.
 *
 *   bench-tag-delete SERVER (--data DIR | --database postgresql://…) [--tags 1000] [--per-tag 1000]
 *
 * Seeds, through the server's storage code, an account "big" with TAGS tags, each on PER_TAG
 * ideas (every idea carries 100 tags, the most an idea may have, so TAGS × PER_TAG / 100
 * ideas), and an empty account "other". Then starts SERVER (saveidea-server) on that database,
 * sends one POST /api/v1/batch that deletes all of big's tags (TAGS × PER_TAG idea updates),
 * and while it runs, "other" creates ideas one after the other. Prints the batch's time and
 * status, and other's write latencies (p50, p99, max) and failures (any non-2xx, e.g. a 503
 * while the database was held). The figures for docs/performance.md: the default case.
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libsoup/soup.h>

#include "si-bench-data.h"
#include "si-password.h"
#include "si-server-storage.h"
#include "si-wire.h"

#define BENCH_PASSWORD "tag-delete-bench-password"
#define TAGS_PER_IDEA 100

static char *
make_uid (GRand *rand)
{
  return g_strdup_printf ("%08x-%04x-4%03x-%04x-%08x%04x", g_rand_int (rand),
                          g_rand_int_range (rand, 0, 0x10000), g_rand_int_range (rand, 0, 0x1000),
                          0x8000 | g_rand_int_range (rand, 0, 0x4000), g_rand_int (rand),
                          g_rand_int_range (rand, 0, 0x10000));
}

static gint64
add_account (SiServerStorage *storage,
             const char      *name,
             const char      *hash)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  gint64 account_id = 0;

  if (!si_server_storage_account_add (storage, name, hash, &error) ||
      !(stored = si_server_storage_account_lookup (storage, name, &account_id, &error)))
    g_error ("%s", error->message);
  return account_id;
}

/* big's tags (ids and versions in @tags, two gint64 each) and ideas. */
static void
seed (SiServerStorage *storage,
      guint            n_tags,
      guint            per_tag,
      GArray          *tags)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autofree char *hash = si_password_hash (BENCH_PASSWORD, &error);
  guint per_idea = MIN (n_tags, TAGS_PER_IDEA);
  guint groups = n_tags / per_idea;
  guint n_ideas = groups * per_tag;
  gint64 big;
  double start = si_bench_now_ms ();

  if (hash == NULL)
    g_error ("%s", error->message);
  big = add_account (storage, "big", hash);
  add_account (storage, "other", hash);

  if (!si_server_storage_begin (storage, &error))
    g_error ("%s", error->message);
  for (guint t = 0; t < n_tags; t++)
    {
      g_autoptr(SiWireRecord) tag = si_wire_record_new (SI_WIRE_COLLECTION_TAGS);
      g_autoptr(SiWireRecord) stored = NULL;
      gboolean created;

      tag->uid = make_uid (rand);
      tag->created_at = tag->updated_at = 1700000000000LL;
      g_free (tag->name);
      tag->name = g_strdup_printf ("Tag %u", t + 1);
      stored = si_server_storage_record_create (storage, big, tag, &created, NULL, &error);
      if (stored == NULL)
        g_error ("%s", error->message);
      g_array_append_val (tags, stored->id);
      g_array_append_val (tags, stored->version);
    }
  /* Idea i carries the tags of group i mod groups: every tag is on per_tag ideas. */
  for (guint i = 0; i < n_ideas; i++)
    {
      g_autoptr(SiWireRecord) idea = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);
      g_autoptr(SiWireRecord) stored = NULL;
      guint group = i % groups;
      gboolean created;

      idea->uid = make_uid (rand);
      idea->created_at = idea->updated_at = 1700000000000LL + (gint64) i * 1000;
      g_free (idea->title);
      idea->title = si_bench_make_title (rand);
      g_free (idea->body);
      idea->body = g_strdup ("A short body");
      for (guint k = 0; k < per_idea; k++)
        si_wire_record_add_tag (idea, g_array_index (tags, gint64, 2 * (group * per_idea + k)));
      stored = si_server_storage_record_create (storage, big, idea, &created, NULL, &error);
      if (stored == NULL)
        g_error ("%s", error->message);
    }
  if (!si_server_storage_commit (storage, &error))
    g_error ("%s", error->message);
  printf ("# seeded %u tags on %u ideas each (%u ideas) in %.1f s\n", n_tags, per_tag, n_ideas,
          (si_bench_now_ms () - start) / 1000.0);
}

static GSubprocess *
start_server (const char  *binary,
              const char  *data_dir,
              const char  *database,
              char       **out_url)
{
  const char *argv[] = { binary, database ? "--database" : "--data", database ? database : data_dir,
                         "--listen", "127.0.0.1:0", NULL };

  return si_bench_server_start (argv, out_url);
}

/* Sends a request; returns the status and sets *out_ms to the time to the whole answer. */
static guint
request (SoupSession  *session,
         const char   *url,
         const char   *token,
         const char   *body,
         double       *out_ms,
         GBytes      **out_answer)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) answer = NULL;
  double start = si_bench_now_ms ();
  guint status;

  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  answer = soup_session_send_and_read (session, msg, NULL, NULL);
  if (out_ms)
    *out_ms = si_bench_now_ms () - start;
  status = answer != NULL ? soup_message_get_status (msg) : 0;
  if (out_answer)
    *out_answer = g_steal_pointer (&answer);
  return status;
}

static char *
login (SoupSession *session,
       const char  *base,
       const char  *name)
{
  g_autofree char *url = g_strconcat (base, "/api/v1/login", NULL);
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"" BENCH_PASSWORD "\"}", name);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (request (session, url, NULL, body, NULL, &answer) != 200 ||
      !(node = json_from_string (g_bytes_get_data (answer, NULL), NULL)))
    g_error ("Could not log in as %s", name);
  return g_strdup (json_object_get_string_member (json_node_get_object (node), "token"));
}

typedef struct {
  SoupSession *session;
  char        *url;
  const char  *token;
  char        *body;
  guint        status;
  double       ms;
  gint         done;
} Batch;

static gpointer
batch_run (gpointer data)
{
  Batch *batch = data;

  batch->status = request (batch->session, batch->url, batch->token, batch->body, &batch->ms, NULL);
  g_atomic_int_set (&batch->done, 1);
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("SERVER — one account's huge batch, another's writes");
  g_autoptr(GError) error = NULL;
  g_autoptr(SiServerStorage) storage = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GArray) tags = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) write_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GString) body = g_string_new ("{\"operations\":[");
  g_autofree char *data_dir = NULL;
  g_autofree char *database = NULL;
  g_autofree char *base = NULL;
  g_autofree char *big = NULL;
  g_autofree char *other = NULL;
  g_autofree char *ideas_url = NULL;
  int n_tags = 1000, per_tag = 1000;
  guint failed = 0, n = 0;
  Batch batch = { 0 };
  GThread *thread;
  double max_ms = 0;
  GOptionEntry entries[] = {
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "A new data folder (SQLite)", "DIR" },
    { "database", 0, 0, G_OPTION_ARG_STRING, &database, "An empty PostgreSQL database", "postgresql://…" },
    { "tags", 0, 0, G_OPTION_ARG_INT, &n_tags, "Tags to delete (default 1000; ≤ 100 or a multiple of 100)", "N" },
    { "per-tag", 0, 0, G_OPTION_ARG_INT, &per_tag, "Ideas each tag is on (default 1000)", "N" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (argc != 2 || (data_dir == NULL) == (database == NULL) || n_tags < 1 || per_tag < 1 ||
      n_tags > SI_WIRE_BATCH_MAX_OPS || (n_tags > TAGS_PER_IDEA && n_tags % TAGS_PER_IDEA != 0))
    g_error ("usage: bench-tag-delete SERVER (--data DIR | --database URL) [--tags N] [--per-tag N]");
  if (!si_password_init ())
    g_error ("libsodium cannot be initialised");

  storage = si_server_storage_open (database, data_dir, &error);
  if (storage == NULL)
    g_error ("%s", error->message);
  seed (storage, (guint) n_tags, (guint) per_tag, tags);
  g_clear_object (&storage);

  server = start_server (argv[1], data_dir, database, &base);
  session = soup_session_new_with_options ("timeout", 3600, "max-conns", 8, "max-conns-per-host", 8, NULL);
  big = login (session, base, "big");
  other = login (session, base, "other");
  ideas_url = g_strconcat (base, "/api/v1/ideas", NULL);

  for (guint t = 0; t < tags->len / 2; t++)
    g_string_append_printf (body, "%s{\"method\":\"DELETE\",\"collection\":\"tags\",\"id\":%" G_GINT64_FORMAT
                            ",\"if_match\":%" G_GINT64_FORMAT "}", t ? "," : "",
                            g_array_index (tags, gint64, 2 * t), g_array_index (tags, gint64, 2 * t + 1));
  g_string_append (body, "]}");
  batch = (Batch) { session, g_strconcat (base, "/api/v1/batch", NULL), big, g_strdup (body->str), 0, 0, 0 };
  thread = g_thread_new ("batch", batch_run, &batch);

  /* Meanwhile "other" writes, one create after the other, until the batch has its answer. */
  while (!g_atomic_int_get (&batch.done))
    {
      g_autofree char *uid = g_uuid_string_random ();
      g_autofree char *idea = g_strdup_printf ("{\"uid\":\"%s\",\"title\":\"Meanwhile %u\",\"body\":\"\","
                                               "\"pinned\":false,\"tags\":[],\"created_at\":\"2026-11-28T04:08:50.123Z\","
                                               "\"updated_at\":\"2026-11-28T04:08:50.123Z\"}", uid, n);
      double ms = 0;
      guint status = request (session, ideas_url, other, idea, &ms, NULL);

      if (status != 201)
        failed++;
      g_array_append_val (write_ms, ms);
      max_ms = MAX (max_ms, ms);
      n++;
    }
  g_thread_join (thread);

  printf ("# batch of %d tag deletes (%d idea updates): HTTP %u in %.1f s\n", n_tags, n_tags * per_tag,
          batch.status, batch.ms / 1000.0);
  printf ("# other account meanwhile: %u writes, %u failed\n", n, failed);
  si_bench_report ("tag_delete_batch_s", batch.ms / 1000.0, "s", "");
  si_bench_report ("tag_delete_other_writes", n, "writes", "");
  si_bench_report ("tag_delete_other_failed", failed, "writes", "0");
  si_bench_report ("tag_delete_other_p50", si_bench_percentile (write_ms, 50), "ms", "");
  si_bench_report ("tag_delete_other_p99", si_bench_percentile (write_ms, 99), "ms", "");
  si_bench_report ("tag_delete_other_max", max_ms, "ms", "< 1000");
  si_bench_print_json ();

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  g_free (batch.url);
  g_free (batch.body);
  si_password_shutdown ();
  return batch.status == 200 && failed == 0 ? 0 : 1;
}
