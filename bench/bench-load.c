/* bench-load.c — saveidea-server under load: many accounts, many clients, one or more instances.
 *
 * Two commands, driven by bench/run-load:
 *
 *   bench-load seed (--data DIR | --database postgresql://…) [--name NAME] [--accounts 1000]
 *                   [--ideas 1000000] [--seed 42] [--jobs 1]
 *     Fills a server database through the server's own storage code (si-server-storage.h,
 *     the same record_create the server runs for a POST), one transaction per account:
 *     accounts load0000 … (password BENCH_PASSWORD), each with LOAD_TAGS tags and its share
 *     of the ideas, generated deterministically from the seed by si-bench-data. With --jobs N,
 *     N connections write at once (PostgreSQL; SQLite has one writer at a time anyway).
 *
 *   bench-load run --name NAME [--accounts 1000] [--clients 200] [--duration 20] [--warmup 5]
 *                  [--edit-every 4] [--threads 1] [--tokens FILE] [--watch-pid PID …]
 *                  [--watch-database PID] URL [URL …]
 *     Simulated clients, each logged in to its own account (spread evenly over the accounts)
 *     and bound to one URL (client i to URL i mod n). Each first logs in and learns its
 *     cursors and its most recent ideas; then, for the duration after the warm-up, it loops as
 *     the real sync engine does: an incremental sync (GET /api/v1/changes?since=CURSOR, paging
 *     while `more`), and after one sync in EDIT_EVERY on average a
 *     small edit of one of its ideas (PUT with If-Match on the version it knows). No pause
 *     between requests: the clients keep the server(s) saturated.
 *
 *     Counted as errors: a failed request, any status other than 2xx (a 412 on an edit is
 *     counted apart), a body that does not parse, a cursor going back, and an acknowledged
 *     edit that the client's next sync does not bring back. Latency is from sending a request
 *     to having read its whole response; requests/s counts the requests completed inside the
 *     measured window. CPU over the window, in cores: the generator's own (getrusage), the
 *     watched server processes' and database's (/proc/PID/stat, the database with its
 *     children) and the rest of the machine's (/proc/stat); and the CPU time each request
 *     cost the generator and the server side (servers plus database).
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <libsoup/soup.h>

#include "si-bench-data.h"
#include "si-password.h"
#include "si-server-storage.h"
#include "si-wire.h"

#define BENCH_PASSWORD "load-bench-password"
#define LOAD_TAGS 12          /* tags per account */
#define WORKING_SET 50        /* recent ideas a client knows at the start and edits */
#define PAGE_LIMIT 500        /* the sync engine's page size */
#define MAX_LOGGED_ERRORS 10
#define LOGINS_AT_ONCE 4      /* per worker: each login is an Argon2id verification (~0.1 s of CPU) */

/* ---------------------------------------------------------------------------------------- */
/* seeding */

/* One number, named PREFIX_WHAT. */
static void
report (const char *prefix,
        const char *what,
        double      value,
        const char *unit,
        const char *target)
{
  g_autofree char *name = g_strdup_printf ("%s_%s", prefix, what);

  si_bench_report (name, value, unit, target);
}

static char *
account_name (guint index)
{
  return g_strdup_printf ("load%04u", index);
}

/* A version 4 UUID drawn from @rand, so that a seed makes the same records every time. */
static char *
make_uid (GRand *rand)
{
  guint8 b[16];

  for (guint i = 0; i < 16; i += 4)
    {
      guint32 r = g_rand_int (rand);
      memcpy (b + i, &r, 4);
    }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* One account with its tags and @n_ideas ideas, in one transaction. */
static gboolean
seed_account (SiServerStorage *storage,
              const char      *password_hash,
              guint            index,
              guint            n_ideas,
              guint32          seed,
              GError         **error)
{
  static const char * const colours[] = { "", "#3584e4", "#33d17a", "#f6d32d", "#ff7800", "#e01b24", "#9141ac" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed + index);
  g_autofree char *name = account_name (index);
  g_autofree char *old_hash = NULL;
  gint64 tag_ids[LOAD_TAGS];
  gint64 account_id = 0;
  gint64 start_ms = 1700000000000LL + (gint64) index * 1000;

  if (!si_server_storage_account_add (storage, name, password_hash, error))
    return FALSE;
  old_hash = si_server_storage_account_lookup (storage, name, &account_id, error);
  if (old_hash == NULL)
    return FALSE;

  if (!si_server_storage_begin (storage, error))
    return FALSE;
  for (guint t = 0; t < LOAD_TAGS; t++)
    {
      g_autoptr(SiWireRecord) tag = si_wire_record_new (SI_WIRE_COLLECTION_TAGS);
      g_autoptr(SiWireRecord) stored = NULL;
      gboolean created;

      tag->uid = make_uid (rand);
      tag->created_at = tag->updated_at = start_ms;
      g_free (tag->name);
      tag->name = g_strdup_printf ("%s %u", si_bench_word (rand), t + 1);
      g_free (tag->colour);
      tag->colour = g_strdup (colours[g_rand_int_range (rand, 0, G_N_ELEMENTS (colours))]);
      stored = si_server_storage_record_create (storage, account_id, tag, &created, NULL, error);
      if (stored == NULL)
        goto fail;
      tag_ids[t] = stored->id;
    }
  for (guint i = 0; i < n_ideas; i++)
    {
      g_autoptr(SiWireRecord) idea = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);
      g_autoptr(SiWireRecord) stored = NULL;
      int n_tags = g_rand_int_range (rand, 0, 5);
      gboolean created;

      idea->uid = make_uid (rand);
      idea->created_at = idea->updated_at = start_ms + (gint64) i * 60000;
      g_free (idea->title);
      idea->title = si_bench_make_title (rand);
      g_free (idea->body);
      idea->body = si_bench_make_body (rand);
      idea->pinned = g_rand_int_range (rand, 0, 200) == 0;
      for (int t = 0; t < n_tags; t++)
        {
          gint64 tag = tag_ids[g_rand_int_range (rand, 0, LOAD_TAGS)];
          gboolean seen = FALSE;

          for (guint k = 0; k < idea->tags->len; k++)
            seen |= g_array_index (idea->tags, gint64, k) == tag;
          if (!seen)
            si_wire_record_add_tag (idea, tag);
        }
      stored = si_server_storage_record_create (storage, account_id, idea, &created, NULL, error);
      if (stored == NULL)
        goto fail;
    }
  return si_server_storage_commit (storage, error);

fail:
  si_server_storage_rollback (storage);
  return FALSE;
}

typedef struct {
  SiServerStorage *storage;    /* a connection of this job's own */
  const char      *hash;
  guint            job;
  guint            n_jobs;
  guint            n_accounts;
  guint            n_ideas;
  guint32          seed;
  double           start;
  GError          *error;
} SeedJob;

static gint seeded_accounts;

/* Seeds the accounts job, job + n_jobs, … */
static gpointer
seed_job (gpointer data)
{
  SeedJob *job = data;

  for (guint a = job->job; a < job->n_accounts; a += job->n_jobs)
    {
      guint share = job->n_ideas / job->n_accounts + (a < job->n_ideas % job->n_accounts ? 1 : 0);
      guint done;

      if (!seed_account (job->storage, job->hash, a, share, job->seed, &job->error))
        {
          g_prefix_error (&job->error, "Seeding the account number %u: ", a);
          return NULL;
        }
      done = (guint) g_atomic_int_add (&seeded_accounts, 1) + 1;
      if (done % 100 == 0)
        g_printerr ("# seeded %u of %u accounts (%.0f s)\n", done, job->n_accounts,
                    (si_bench_now_ms () - job->start) / 1000.0);
    }
  return NULL;
}

static int
seed_main (int    argc,
           char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— fill a server database");
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *database = NULL;
  g_autofree char *name = NULL;
  g_autofree char *hash = NULL;
  int n_accounts = 1000, n_ideas = 1000000, seed = 42, n_jobs = 1;
  SeedJob *jobs;
  GThread **threads;
  double start;
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Prefix of the reported number", "NAME" },
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "The server's data folder (SQLite)", "DIR" },
    { "database", 0, 0, G_OPTION_ARG_STRING, &database, "The server's PostgreSQL database", "postgresql://…" },
    { "accounts", 0, 0, G_OPTION_ARG_INT, &n_accounts, "Accounts (default 1000)", "N" },
    { "ideas", 0, 0, G_OPTION_ARG_INT, &n_ideas, "Ideas over all accounts (default 1000000)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Seed of the generator (default 42)", "S" },
    { "jobs", 0, 0, G_OPTION_ARG_INT, &n_jobs, "Connections writing at once (default 1)", "N" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if ((data_dir == NULL) == (database == NULL) || n_accounts < 1 || n_ideas < 0 || n_jobs < 1)
    g_error ("usage: bench-load seed (--data DIR | --database URL) [--name NAME] [--accounts N] [--ideas N] [--seed S] [--jobs N]");

  if (!si_password_init ())
    g_error ("libsodium cannot be initialised");
  /* Argon2id takes a tenth of a second: every account gets the same hash (the salt is in it),
   * which the server verifies at login exactly as any other. */
  hash = si_password_hash (BENCH_PASSWORD, &error);
  if (hash == NULL)
    g_error ("%s", error->message);
  {
    g_autoptr(GRand) rand = g_rand_new_with_seed (0);
    si_bench_word (rand);  /* builds the shared vocabulary before the threads use it */
  }

  jobs = g_new0 (SeedJob, n_jobs);
  threads = g_new0 (GThread *, n_jobs);
  start = si_bench_now_ms ();
  for (int j = 0; j < n_jobs; j++)
    {
      jobs[j] = (SeedJob) { NULL, hash, (guint) j, (guint) n_jobs, (guint) n_accounts, (guint) n_ideas,
                            (guint32) seed, start, NULL };
      /* The server's own way to open its database, as `saveidea-server --data/--database`. */
      jobs[j].storage = si_server_storage_open (database, data_dir, &error);
      if (jobs[j].storage == NULL)
        g_error ("%s", error->message);
      threads[j] = g_thread_new ("seed", seed_job, &jobs[j]);
    }
  for (int j = 0; j < n_jobs; j++)
    {
      g_thread_join (threads[j]);
      if (jobs[j].error != NULL)
        g_error ("%s", jobs[j].error->message);
      g_clear_object (&jobs[j].storage);
    }
  printf ("# seeded %d accounts, %d ideas, %d tags in %.1f s\n", n_accounts, n_ideas,
          n_accounts * LOAD_TAGS, (si_bench_now_ms () - start) / 1000.0);
  report (name ? name : "load", "seed_ideas_per_s", n_ideas / ((si_bench_now_ms () - start) / 1000.0), "ideas/s", "");
  si_bench_print_json ();
  g_free (jobs);
  g_free (threads);
  si_password_shutdown ();
  return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* the simulated clients */

typedef enum {
  REQUEST_LOGIN,   /* before the warm-up */
  REQUEST_SETUP,   /* the first syncs, before the warm-up */
  REQUEST_FEED,
  REQUEST_EDIT,
} RequestKind;

typedef struct {
  GArray  *feed_ms;    /* latencies of the feed requests completed in the window */
  GArray  *edit_ms;    /* latencies of the edits completed in the window */
  guint64  requests;   /* requests completed in the window */
  guint64  syncs;      /* incremental syncs finished in the window */
  guint64  conflicts;  /* 412 answers to edits, whole run */
  guint64  errors;     /* whole run, setup included */
} Stats;

typedef struct _Worker Worker;

typedef struct {
  Worker       *worker;
  guint         index;
  char         *account;
  const char   *url;
  char         *auth;          /* "Bearer …", NULL until logged in */
  gint64        cursor;        /* of GET /api/v1/changes */
  char         *instance;      /* the Saveidea-Instance of its first answer */
  GHashTable   *known;         /* id -> SiWireRecord: the ideas it may edit */
  GRand        *rand;
  gint64        sent_at;       /* µs, monotonic */
  gint64        echo_id;       /* an acknowledged edit its next sync must bring back */
  gint64        echo_version;
  guint         edits;
} Client;

struct _Worker {
  GThread      *thread;
  GMainContext *context;
  SoupSession  *session;
  GPtrArray    *clients;       /* Client *, not owned */
  guint         busy;          /* clients still in the current phase */
  GQueue        logins;        /* Client * waiting to log in */
  guint         logins_in_flight;
  Stats         stats;
};

/* Shared by all workers; written only by the main thread before they read it. */
static struct {
  guint      n_clients;
  guint      n_accounts;
  guint      edit_every;
  gint64     window_start;     /* µs, monotonic */
  gint64     window_end;
  GMutex     lock;
  GCond      cond;
  guint      ready;            /* workers done with the setup */
  gboolean   go;
  guint      logged_errors;
} load;

static void client_sync (Client *client);
static void client_next (Client *client);
static void logins_pump (Worker *worker);

static void
client_error (Client     *client,
              const char *format,
              ...) G_GNUC_PRINTF (2, 3);

static void
client_error (Client     *client,
              const char *format,
              ...)
{
  va_list args;
  g_autofree char *text = NULL;
  gboolean log;

  client->worker->stats.errors++;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_mutex_lock (&load.lock);
  log = load.logged_errors++ < MAX_LOGGED_ERRORS;
  g_mutex_unlock (&load.lock);
  if (log)
    g_printerr ("# error: client %u (%s at %s): %s\n", client->index, client->account, client->url, text);
}

static void
client_free (Client *client)
{
  g_free (client->account);
  g_free (client->auth);
  g_free (client->instance);
  g_hash_table_unref (client->known);
  g_rand_free (client->rand);
  g_free (client);
}

static void
client_finished (Client *client)
{
  Worker *worker = client->worker;

  if (--worker->busy == 0)
    g_main_context_wakeup (worker->context);
}

/* Keeps the client's copy of an idea it knows (or may learn) up to date. */
static void
remember (Client             *client,
          const SiWireRecord *record)
{
  if (record->deleted)
    g_hash_table_remove (client->known, &record->id);
  else if (g_hash_table_contains (client->known, &record->id) ||
           g_hash_table_size (client->known) < WORKING_SET)
    g_hash_table_replace (client->known, g_memdup2 (&record->id, sizeof record->id),
                          si_wire_record_copy (record));
}

typedef void (*ResponseHandler) (Client      *client,
                                 guint        status,
                                 JsonNode    *node);

typedef struct {
  Client          *client;
  RequestKind      kind;
  ResponseHandler  handler;
} Pending;

static void
on_response (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Pending *pending = user_data;
  Client *client = pending->client;
  Stats *stats = &client->worker->stats;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(JsonNode) node = NULL;
  gint64 now = g_get_monotonic_time ();
  double ms = (now - client->sent_at) / 1000.0;
  guint status = msg ? soup_message_get_status (msg) : 0;
  ResponseHandler handler = pending->handler;
  RequestKind kind = pending->kind;

  g_free (pending);
  if (kind == REQUEST_LOGIN)
    {
      client->worker->logins_in_flight--;
      logins_pump (client->worker);
    }
  if (kind != REQUEST_LOGIN && kind != REQUEST_SETUP && now >= load.window_start && now < load.window_end)
    {
      stats->requests++;
      g_array_append_val (kind == REQUEST_EDIT ? stats->edit_ms : stats->feed_ms, ms);
    }
  if (body == NULL)
    {
      client_error (client, "%s", error->message);
      client_next (client);
      return;
    }
  /* Every instance in front of one database must say it is the same server. */
  {
    const char *instance = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                         SI_WIRE_INSTANCE_HEADER);
    if (instance != NULL && client->instance == NULL)
      client->instance = g_strdup (instance);
    else if (g_strcmp0 (instance, client->instance) != 0)
      client_error (client, "the server's instance id changed from %s to %s", client->instance, instance);
  }
  if (g_bytes_get_size (body) > 0)
    node = si_wire_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  if (node == NULL)
    {
      client_error (client, "HTTP %u with a body that does not parse: %s", status,
                    error ? error->message : "empty");
      client_next (client);
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status) && !(kind == REQUEST_EDIT && status == SOUP_STATUS_PRECONDITION_FAILED))
    {
      JsonObject *object = json_node_get_object (node);
      client_error (client, "HTTP %u %s", status,
                    json_object_has_member (object, "error") ? json_object_get_string_member (object, "error") : "");
      client_next (client);
      return;
    }
  handler (client, status, node);
}

static void
client_send (Client          *client,
             const char      *method,
             const char      *path,
             const char      *json,
             gint64           if_match,
             RequestKind      kind,
             ResponseHandler  handler)
{
  g_autofree char *uri = g_strconcat (client->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  Pending *pending = g_new0 (Pending, 1);

  if (client->auth != NULL)
    soup_message_headers_replace (headers, "Authorization", client->auth);
  if (if_match > 0)
    {
      g_autofree char *etag = si_wire_etag_format (if_match);
      soup_message_headers_replace (headers, "If-Match", etag);
    }
  if (json != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  pending->client = client;
  pending->kind = kind;
  pending->handler = handler;
  client->sent_at = g_get_monotonic_time ();
  soup_session_send_and_read_async (client->worker->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    on_response, pending);
}

/* Takes the page out of an answer of /api/v1/changes (@changes) or of @collection's feed; NULL (after counting an error) if it is not one or the cursor went
 * back. */
static SiWirePage *
take_page (Client           *client,
           JsonNode         *node,
           gboolean          changes,
           SiWireCollection  collection)
{
  g_autoptr(GError) error = NULL;
  SiWirePage *page = changes ? si_wire_changes_from_json (node, &error)
                             : si_wire_page_from_json (node, collection, &error);

  if (page == NULL)
    {
      client_error (client, "a bad page: %s", error->message);
      return NULL;
    }
  if (page->cursor < client->cursor)
    {
      client_error (client, "the cursor went back from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                    client->cursor, page->cursor);
      si_wire_page_free (page);
      return NULL;
    }
  client->cursor = page->cursor;
  return page;
}

/* setup: login; the tags (whose cursor is the account's change number); then the last
 * WORKING_SET changes, which are ideas (the seed writes the tags first): the client's recent
 * work, which it will edit. Then it waits for the others. */

static void
setup_done (Client *client)
{
  client_finished (client);
}

static void
on_setup_recent (Client   *client,
                 guint     status,
                 JsonNode *node)
{
  g_autoptr(SiWirePage) page = take_page (client, node, TRUE, 0);

  for (guint i = 0; page != NULL && i < page->records->len; i++)
    {
      SiWireRecord *record = g_ptr_array_index (page->records, i);
      if (record->collection == SI_WIRE_COLLECTION_IDEAS)
        remember (client, record);
    }
  if (page != NULL && page->more)
    client_error (client, "more than %u recent changes", WORKING_SET);
  setup_done (client);
}

static void
on_setup_tags (Client   *client,
               guint     status,
               JsonNode *node)
{
  g_autoptr(SiWirePage) page = take_page (client, node, FALSE, SI_WIRE_COLLECTION_TAGS);
  g_autofree char *path = NULL;

  if (page == NULL || page->more)
    {
      if (page != NULL)
        client_error (client, "more than %u tags", PAGE_LIMIT);
      setup_done (client);
      return;
    }
  client->cursor = MAX (0, client->cursor - WORKING_SET);
  path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT "&limit=%u", client->cursor, WORKING_SET);
  client_send (client, "GET", path, NULL, -1, REQUEST_SETUP, on_setup_recent);
}

static void
setup_feed (Client *client)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/tags?since=0&limit=%u", PAGE_LIMIT);

  client_send (client, "GET", path, NULL, -1, REQUEST_SETUP, on_setup_tags);
}

static void
on_login (Client   *client,
          guint     status,
          JsonNode *node)
{
  JsonObject *object = json_node_get_object (node);
  const char *token = json_object_has_member (object, "token") ?
                      json_object_get_string_member (object, "token") : NULL;

  if (token == NULL)
    {
      client_error (client, "no token in the login answer");
      setup_done (client);
      return;
    }
  client->auth = g_strconcat ("Bearer ", token, NULL);
  setup_feed (client);
}

/* Logs in the waiting clients, a few at a time: 200 logins at once would queue behind the
 * server's few Argon2id workers for longer than a request's timeout (and real clients do not
 * all log in in the same second). */
static void
logins_pump (Worker *worker)
{
  while (worker->logins_in_flight < LOGINS_AT_ONCE && !g_queue_is_empty (&worker->logins))
    {
      Client *client = g_queue_pop_head (&worker->logins);
      g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}",
                                               client->account, BENCH_PASSWORD);

      worker->logins_in_flight++;
      client_send (client, "POST", "/api/v1/login", body, -1, REQUEST_LOGIN, on_login);
    }
}

static void
client_setup (Client *client)
{
  if (client->auth != NULL)
    {
      setup_feed (client);
      return;
    }
  g_queue_push_tail (&client->worker->logins, client);
  logins_pump (client->worker);
}

/* the loop: sync, sometimes edit, again */

static void
client_next (Client *client)
{
  if (!load.go)
    {
      setup_done (client);  /* a setup request failed */
      return;
    }
  /* A client whose login failed has nothing to do. */
  if (client->auth == NULL || g_get_monotonic_time () >= load.window_end)
    {
      client_finished (client);
      return;
    }
  client_sync (client);
}

static void
on_edit (Client   *client,
         guint     status,
         JsonNode *node)
{
  g_autoptr(GError) error = NULL;

  if (status == SOUP_STATUS_PRECONDITION_FAILED)
    {
      g_autoptr(SiWireProblem) problem = si_wire_problem_from_json (node, SI_WIRE_COLLECTION_IDEAS, &error);

      client->worker->stats.conflicts++;
      if (problem != NULL && problem->current != NULL)
        remember (client, problem->current);
    }
  else
    {
      g_autoptr(SiWireRecord) record = si_wire_record_from_json (node, SI_WIRE_COLLECTION_IDEAS,
                                                                 SI_WIRE_MODE_RESPONSE, &error);
      if (record == NULL)
        client_error (client, "a bad record after an edit: %s", error->message);
      else
        {
          remember (client, record);
          client->echo_id = record->id;
          client->echo_version = record->version;
        }
    }
  client_next (client);
}

/* A small edit of one known idea: its last line becomes "edit #N". */
static void
client_edit (Client *client)
{
  g_autoptr(GList) ids = g_hash_table_get_keys (client->known);
  const SiWireRecord *known;
  g_autoptr(SiWireRecord) edited = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;
  g_autofree char *path = NULL;
  char *mark;

  if (ids == NULL)
    {
      client_next (client);
      return;
    }
  known = g_hash_table_lookup (client->known,
                               g_list_nth_data (ids, g_rand_int_range (client->rand, 0, (gint32) g_list_length (ids))));
  edited = si_wire_record_copy (known);
  mark = strstr (edited->body, "\nedit #");
  if (mark != NULL)
    *mark = '\0';
  {
    char *body = g_strdup_printf ("%s\nedit #%u", edited->body, ++client->edits);
    g_free (edited->body);
    edited->body = body;
  }
  edited->updated_at = g_get_real_time () / 1000;
  node = si_wire_record_to_json (edited, SI_WIRE_MODE_REQUEST);
  json = si_wire_to_string (node, NULL);
  path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, edited->id);
  client_send (client, "PUT", path, json, edited->version, REQUEST_EDIT, on_edit);
}

static void
sync_finished (Client *client)
{
  gint64 now = g_get_monotonic_time ();

  if (client->echo_id != 0)
    {
      client_error (client, "its edit of idea %" G_GINT64_FORMAT " (version %" G_GINT64_FORMAT
                    ") did not come back in the next sync", client->echo_id, client->echo_version);
      client->echo_id = 0;
    }
  if (now >= load.window_start && now < load.window_end)
    client->worker->stats.syncs++;
  if (g_rand_int_range (client->rand, 0, (gint32) load.edit_every) == 0 && now < load.window_end)
    client_edit (client);
  else
    client_next (client);
}

static void
on_changes (Client   *client,
            guint     status,
            JsonNode *node)
{
  g_autoptr(SiWirePage) page = take_page (client, node, TRUE, 0);

  if (page == NULL)
    {
      client_next (client);
      return;
    }
  for (guint i = 0; i < page->records->len; i++)
    {
      SiWireRecord *record = g_ptr_array_index (page->records, i);

      if (record->collection != SI_WIRE_COLLECTION_IDEAS)
        continue;
      if (record->id == client->echo_id && record->version >= client->echo_version)
        client->echo_id = 0;
      remember (client, record);
    }
  if (page->more)
    {
      client_sync (client);
      return;
    }
  sync_finished (client);
}

/* An incremental sync: what changed in the account since the cursor, page after page. */
static void
client_sync (Client *client)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT "&limit=%u",
                                           client->cursor, PAGE_LIMIT);

  client_send (client, "GET", path, NULL, -1, REQUEST_FEED, on_changes);
}

/* ---------------------------------------------------------------------------------------- */
/* workers: a thread each, with its own main context and SoupSession */

static void
worker_run_phase (Worker *worker,
                  void  (*start) (Client *client))
{
  worker->busy = worker->clients->len;
  for (guint i = 0; i < worker->clients->len; i++)
    start (g_ptr_array_index (worker->clients, i));
  while (worker->busy > 0)
    g_main_context_iteration (worker->context, TRUE);
}

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;
  guint n = MAX (worker->clients->len, 1);

  g_main_context_push_thread_default (worker->context);
  /* No proxy resolver: the clients talk to the server directly, and asking libproxy for every
   * new connection (the server closes each one) would cost the generator more than HTTP. */
  worker->session = soup_session_new_with_options ("max-conns", n + 8, "max-conns-per-host", n,
                                                   "timeout", 30, "proxy-resolver", NULL, NULL);
  worker_run_phase (worker, client_setup);

  g_mutex_lock (&load.lock);
  load.ready++;
  g_cond_broadcast (&load.cond);
  while (!load.go)
    g_cond_wait (&load.cond, &load.lock);
  g_mutex_unlock (&load.lock);

  worker_run_phase (worker, client_next);
  /* Let libsoup close what it still holds before the context goes. */
  g_clear_object (&worker->session);
  while (g_main_context_iteration (worker->context, FALSE))
    ;
  g_main_context_pop_thread_default (worker->context);
  return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* CPU accounting over the window */

typedef struct {
  double self_s;       /* the generator, all threads */
  double servers_s;    /* the watched server processes */
  double database_s;   /* the watched database process and its children */
  double busy_s;       /* the whole machine, all cores */
} CpuSample;

static double
ticks_to_s (guint64 ticks)
{
  return (double) ticks / (double) sysconf (_SC_CLK_TCK);
}

/* The fields of /proc/PID/stat after the command name (which may hold spaces): [0] is the
 * state (field 3), [1] the parent (4), [11] utime (14), [12] stime (15), [13] cutime, [14]
 * cstime (the children it waited for). NULL when the process is gone. */
static char **
read_proc_stat (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *text = NULL;
  char **fields;
  const char *after;

  if (!g_file_get_contents (path, &text, NULL, NULL) || !(after = strrchr (text, ')')) || !after[1])
    return NULL;
  fields = g_strsplit (after + 2, " ", -1);
  if (g_strv_length (fields) < 15)
    g_clear_pointer (&fields, g_strfreev);
  return fields;
}

static double
field_s (char **fields,
         guint  i)
{
  return ticks_to_s (g_ascii_strtoull (fields[i], NULL, 10));
}

/* CPU seconds of @pid; with @tree, also of its children, living or reaped (PostgreSQL: the
 * postmaster's backends, WAL writer, checkpointer). */
static double
process_cpu_s (int      pid,
               gboolean tree)
{
  g_autofree char *name = g_strdup_printf ("%d", pid);
  g_auto(GStrv) fields = read_proc_stat (name);
  g_autoptr(GDir) proc = NULL;
  const char *entry;
  double total;

  if (fields == NULL)
    return 0;
  total = field_s (fields, 11) + field_s (fields, 12);
  if (!tree)
    return total;
  total += field_s (fields, 13) + field_s (fields, 14);
  proc = g_dir_open ("/proc", 0, NULL);
  while (proc != NULL && (entry = g_dir_read_name (proc)) != NULL)
    {
      g_auto(GStrv) child = NULL;

      if (!g_ascii_isdigit (entry[0]) || !(child = read_proc_stat (entry)) ||
          g_ascii_strtoll (child[1], NULL, 10) != pid)
        continue;
      total += field_s (child, 11) + field_s (child, 12);
    }
  return total;
}

static CpuSample
sample_cpu (GArray *server_pids,
            int     database_pid)
{
  CpuSample sample = { 0 };
  struct rusage usage;
  g_autofree char *stat = NULL;

  getrusage (RUSAGE_SELF, &usage);
  sample.self_s = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
                  usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  for (guint i = 0; i < server_pids->len; i++)
    sample.servers_s += process_cpu_s (g_array_index (server_pids, int, i), FALSE);
  if (database_pid > 0)
    sample.database_s = process_cpu_s (database_pid, TRUE);

  if (g_file_get_contents ("/proc/stat", &stat, NULL, NULL) && g_str_has_prefix (stat, "cpu "))
    {
      g_auto(GStrv) fields = g_strsplit_set (stat + 4, " \n", 12);
      guint64 busy = 0;

      /* "cpu  user nice system idle iowait irq softirq steal …" (fields[0] is the empty string
       * between the two spaces): busy is all but idle and iowait. */
      for (guint i = 1; fields[i] && i < 9; i++)
        if (i != 4 && i != 5)
          busy += g_ascii_strtoull (fields[i], NULL, 10);
      sample.busy_s = ticks_to_s (busy);
    }
  return sample;
}

static void
sleep_until (gint64 monotonic_us)
{
  gint64 now = g_get_monotonic_time ();

  if (monotonic_us > now)
    g_usleep ((gulong) (monotonic_us - now));
}

/* ---------------------------------------------------------------------------------------- */

/* A percentile, or nothing when no request of that kind completed (the JSON has no NaN). */
static void
report_percentile (const char *prefix,
                   const char *what,
                   GArray     *samples_ms,
                   double      p)
{
  if (samples_ms->len > 0)
    report (prefix, what, si_bench_percentile (samples_ms, p), "ms", "");
}

static void
read_tokens (const char *path,
             GHashTable *tokens)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (path == NULL || !g_file_get_contents (path, &text, NULL, NULL))
    return;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *space = strchr (lines[i], ' ');
      if (space != NULL)
        g_hash_table_replace (tokens, g_strndup (lines[i], space - lines[i]), g_strdup (space + 1));
    }
}

static void
write_tokens (const char *path,
              GPtrArray  *clients)
{
  GString *text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < clients->len; i++)
    {
      Client *client = g_ptr_array_index (clients, i);
      if (client->auth != NULL)
        g_string_append_printf (text, "%s %s\n", client->account, client->auth + strlen ("Bearer "));
    }
  if (!g_file_set_contents (path, text->str, (gssize) text->len, &error))
    g_warning ("%s", error->message);
  g_string_free (text, TRUE);
}

static int
run_main (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("URL [URL …] — simulated clients");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_free);
  g_autoptr(GHashTable) tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree char *name = NULL;
  g_autofree char *tokens_path = NULL;
  g_auto(GStrv) pid_args = NULL;
  g_auto(GStrv) urls = NULL;
  int n_clients = 200, n_accounts = 1000, duration = 20, warmup = 5, edit_every = 4, n_threads = 1;
  Worker *workers;
  Stats total = { 0 };
  CpuSample before, after;
  double setup_start, window_s, cpu_self, cpu_servers, cpu_database, cpu_busy;
  int database_pid = 0;
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Prefix of the reported numbers", "NAME" },
    { "clients", 0, 0, G_OPTION_ARG_INT, &n_clients, "Simulated clients (default 200)", "N" },
    { "accounts", 0, 0, G_OPTION_ARG_INT, &n_accounts, "Accounts seeded (default 1000)", "N" },
    { "duration", 0, 0, G_OPTION_ARG_INT, &duration, "Seconds measured (default 20)", "S" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "Seconds of warm-up (default 5)", "S" },
    { "edit-every", 0, 0, G_OPTION_ARG_INT, &edit_every, "One edit per N syncs on average (default 4)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &n_threads, "Threads of the generator (default 1)", "N" },
    { "tokens", 0, 0, G_OPTION_ARG_FILENAME, &tokens_path, "Reuse and keep login tokens in FILE", "FILE" },
    { "watch-pid", 0, 0, G_OPTION_ARG_STRING_ARRAY, &pid_args, "Count this process's CPU as a server's", "PID" },
    { "watch-database", 0, 0, G_OPTION_ARG_INT, &database_pid, "Count this process's and its children's CPU as the database's", "PID" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &urls, NULL, "URL…" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (name == NULL || urls == NULL || n_clients < 1 || n_accounts < 1 || duration < 1 ||
      warmup < 0 || edit_every < 1 || n_threads < 1)
    g_error ("usage: bench-load run --name NAME [--clients N] [--accounts N] [--duration S] [--warmup S] "
             "[--edit-every N] [--threads N] [--tokens FILE] [--watch-pid PID]… [--watch-database PID] URL…");
  for (guint i = 0; pid_args && pid_args[i]; i++)
    {
      int pid = atoi (pid_args[i]);
      g_array_append_val (pids, pid);
    }
  load.n_clients = (guint) n_clients;
  load.n_accounts = (guint) n_accounts;
  load.edit_every = (guint) edit_every;
  load.window_start = load.window_end = G_MAXINT64;
  read_tokens (tokens_path, tokens);

  workers = g_new0 (Worker, n_threads);
  for (int t = 0; t < n_threads; t++)
    {
      workers[t].context = g_main_context_new ();
      workers[t].clients = g_ptr_array_new ();
      workers[t].stats.feed_ms = g_array_new (FALSE, FALSE, sizeof (double));
      workers[t].stats.edit_ms = g_array_new (FALSE, FALSE, sizeof (double));
    }
  for (guint i = 0; i < load.n_clients; i++)
    {
      Client *client = g_new0 (Client, 1);
      const char *token;

      client->index = i;
      client->worker = &workers[i % (guint) n_threads];
      client->account = account_name ((guint) ((guint64) i * load.n_accounts / load.n_clients));
      client->url = urls[i % g_strv_length (urls)];
      client->known = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                             (GDestroyNotify) si_wire_record_free);
      client->rand = g_rand_new_with_seed (1000 + i);
      if ((token = g_hash_table_lookup (tokens, client->account)) != NULL)
        client->auth = g_strconcat ("Bearer ", token, NULL);
      g_ptr_array_add (clients, client);
      g_ptr_array_add (client->worker->clients, client);
    }

  printf ("# %s: %u clients over %u accounts, %u URL(s) (%s), %d thread(s), one edit per %d syncs, "
          "%d s warm-up, %d s measured\n", name, load.n_clients, load.n_accounts, g_strv_length (urls),
          urls[0], n_threads, edit_every, warmup, duration);
  fflush (stdout);

  setup_start = si_bench_now_ms ();
  for (int t = 0; t < n_threads; t++)
    workers[t].thread = g_thread_new ("load-worker", worker_thread, &workers[t]);
  g_mutex_lock (&load.lock);
  while (load.ready < (guint) n_threads)
    g_cond_wait (&load.cond, &load.lock);
  {
    guint logged_in = 0;

    for (guint i = 0; i < clients->len; i++)
      logged_in += ((Client *) g_ptr_array_index (clients, i))->auth != NULL;
    printf ("# %s: logins and first syncs of %u clients in %.1f s%s\n", name, load.n_clients,
            (si_bench_now_ms () - setup_start) / 1000.0,
            logged_in < load.n_clients ? " — SOME FAILED, fewer clients run" : "");
  }
  fflush (stdout);
  load.window_start = g_get_monotonic_time () + (gint64) warmup * G_USEC_PER_SEC;
  load.window_end = load.window_start + (gint64) duration * G_USEC_PER_SEC;
  load.go = TRUE;
  g_cond_broadcast (&load.cond);
  g_mutex_unlock (&load.lock);

  sleep_until (load.window_start);
  before = sample_cpu (pids, database_pid);
  sleep_until (load.window_end);
  after = sample_cpu (pids, database_pid);
  for (int t = 0; t < n_threads; t++)
    g_thread_join (workers[t].thread);
  if (tokens_path != NULL)
    write_tokens (tokens_path, clients);

  total.feed_ms = g_array_new (FALSE, FALSE, sizeof (double));
  total.edit_ms = g_array_new (FALSE, FALSE, sizeof (double));
  for (int t = 0; t < n_threads; t++)
    {
      Stats *s = &workers[t].stats;

      g_array_append_vals (total.feed_ms, s->feed_ms->data, s->feed_ms->len);
      g_array_append_vals (total.edit_ms, s->edit_ms->data, s->edit_ms->len);
      total.requests += s->requests;
      total.syncs += s->syncs;
      total.conflicts += s->conflicts;
      total.errors += s->errors;
    }

  window_s = duration;
  cpu_self = (after.self_s - before.self_s) / window_s;
  cpu_servers = (after.servers_s - before.servers_s) / window_s;
  cpu_database = (after.database_s - before.database_s) / window_s;
  cpu_busy = (after.busy_s - before.busy_s) / window_s;
  {
    g_autoptr(GArray) all_ms = g_array_new (FALSE, FALSE, sizeof (double));

    g_array_append_vals (all_ms, total.feed_ms->data, total.feed_ms->len);
    g_array_append_vals (all_ms, total.edit_ms->data, total.edit_ms->len);
    report (name, "req_per_s", total.requests / window_s, "req/s", "");
    report_percentile (name, "p50_ms", all_ms, 50);
    report_percentile (name, "p99_ms", all_ms, 99);
    report (name, "syncs_per_s", total.syncs / window_s, "syncs/s", "");
    report (name, "edits_per_s", total.edit_ms->len / window_s, "edits/s", "");
    report_percentile (name, "feed_p99_ms", total.feed_ms, 99);
    report_percentile (name, "edit_p50_ms", total.edit_ms, 50);
    report_percentile (name, "edit_p99_ms", total.edit_ms, 99);
    report (name, "errors", (double) total.errors, "requests", "0");
    report (name, "edit_412", (double) total.conflicts, "requests", "");
    /* Where the 2 cores went: the generator, the server(s), the database, and the rest
     * (the kernel's loopback work not charged to a process, and anything else running). */
    report (name, "cpu_generator", cpu_self, "cores", "");
    if (pids->len > 0)
      report (name, "cpu_servers", cpu_servers, "cores", "");
    if (database_pid > 0)
      report (name, "cpu_database", cpu_database, "cores", "");
    report (name, "cpu_other", MAX (0.0, cpu_busy - cpu_self - cpu_servers - cpu_database), "cores", "");
    if (total.requests > 0)
      {
        report (name, "cpu_generator_ms_per_req", cpu_self * 1000.0 / (total.requests / window_s), "ms", "");
        if (pids->len > 0)
          report (name, "cpu_server_ms_per_req", (cpu_servers + cpu_database) * 1000.0 / (total.requests / window_s),
                  "ms", "");
      }
  }
  si_bench_print_json ();

  for (int t = 0; t < n_threads; t++)
    {
      g_main_context_unref (workers[t].context);
      g_ptr_array_unref (workers[t].clients);
      g_array_unref (workers[t].stats.feed_ms);
      g_array_unref (workers[t].stats.edit_ms);
    }
  g_free (workers);
  g_array_unref (total.feed_ms);
  g_array_unref (total.edit_ms);
  return total.errors > 0 ? 1 : 0;
}

int
main (int   argc,
      char *argv[])
{
  if (argc >= 2 && g_str_equal (argv[1], "seed"))
    return seed_main (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "run"))
    return run_main (argc - 1, argv + 1);
  g_printerr ("usage: bench-load seed (--data DIR | --database URL) [--name NAME] [--accounts N] [--ideas N] [--seed S] [--jobs N]\n"
              "       bench-load run --name NAME [--clients N] [--accounts N] [--duration S] [--warmup S]\n"
              "                      [--edit-every N] [--threads N] [--tokens FILE] [--watch-pid PID]…\n"
              "                      [--watch-database PID] URL…\n");
  return 2;
}
