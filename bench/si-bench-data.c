/* si-bench-data.c — a generator of realistic notebooks and a small reporter of numbers.
 *
 * Ideas get titles of 2–8 words, bodies of 50–2,000 characters in short paragraphs, and 0–4 of
 * 50 tags, all drawn from a GRand seeded by the caller, so every run builds the same notebook.
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <math.h>
#include <stdio.h>
#ifdef __linux__
#include <signal.h>
#include <sys/prctl.h>
#endif

#include "si-account.h"
#include "si-bench-data.h"
#include "si-record-private.h"
#include "si-store-private.h"
#include "si-wire.h"

/* Everyday words, then thousands of made-up ones: real notes have a large vocabulary, and a
 * search benchmark over a hundred words would match every idea. */
static const char * const common[] = {
  "the", "a", "of", "to", "and", "in", "for", "with", "on", "at", "from", "about", "under",
  "idea", "train", "night", "coffee", "café", "garden", "window", "letter", "river", "market",
  "music", "paper", "winter", "summer", "bridge", "forest", "recipe", "soup", "bread", "lamp",
  "notebook", "meeting", "project", "design", "sketch", "draft", "budget", "holiday", "ticket",
  "station", "mountain", "señor", "naïve", "résumé", "über", "pantry", "balcony", "bicycle",
  "harbour", "island", "library", "museum", "pottery", "violin", "orchard", "kitchen", "lantern",
  "write", "build", "plan", "call", "buy", "fix", "read", "paint", "cook", "visit", "learn",
};

#define VOCABULARY 20000

static GPtrArray *vocabulary;

static void
ensure_vocabulary (void)
{
  static const char * const onsets[] = { "b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s",
                                         "t", "v", "z", "br", "ch", "st", "tr", "pl", "gr", "sh" };
  static const char * const vowels[] = { "a", "e", "i", "o", "u", "é", "ou", "ai", "y" };
  g_autoptr(GRand) rand = NULL;

  if (vocabulary)
    return;
  rand = g_rand_new_with_seed (1);
  vocabulary = g_ptr_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (common); i++)
    g_ptr_array_add (vocabulary, g_strdup (common[i]));
  while (vocabulary->len < VOCABULARY)
    {
      GString *w = g_string_new (NULL);
      int syllables = g_rand_int_range (rand, 2, 5);

      for (int s = 0; s < syllables; s++)
        {
          g_string_append (w, onsets[g_rand_int_range (rand, 0, G_N_ELEMENTS (onsets))]);
          g_string_append (w, vowels[g_rand_int_range (rand, 0, G_N_ELEMENTS (vowels))]);
        }
      if (g_rand_boolean (rand))
        g_string_append (w, onsets[g_rand_int_range (rand, 0, 12)]);
      g_ptr_array_add (vocabulary, g_string_free (w, FALSE));
    }
}

/* A word drawn with a Zipf-like law: the first words are by far the most frequent. */
const char *
si_bench_word (GRand *rand)
{
  double u = g_rand_double (rand);
  guint rank;

  ensure_vocabulary ();
  rank = (guint) (exp (u * log (VOCABULARY)) - 1.0);
  return g_ptr_array_index (vocabulary, MIN (rank, VOCABULARY - 1));
}

static const char *
word (GRand *rand)
{
  return si_bench_word (rand);
}

char *
si_bench_make_title (GRand *rand)
{
  GString *title = g_string_new (NULL);
  int n = g_rand_int_range (rand, 2, 9);

  for (int i = 0; i < n; i++)
    {
      const char *w = word (rand);
      if (i == 0)
        {
          g_autofree char *up = g_utf8_strup (w, 1);
          g_string_append_len (title, up, strlen (up) > 0 ? g_utf8_next_char (up) - up : 0);
          g_string_append (title, g_utf8_next_char (w));
        }
      else
        g_string_append_printf (title, " %s", w);
    }
  return g_string_free (title, FALSE);
}

char *
si_bench_make_body (GRand *rand)
{
  GString *body = g_string_new (NULL);
  gsize target = g_rand_int_range (rand, 50, 2001);

  while (body->len < target)
    {
      g_string_append (body, word (rand));
      if (g_rand_int_range (rand, 0, 12) == 0)
        g_string_append (body, ".\n\n");
      else
        g_string_append_c (body, ' ');
    }
  return g_string_free (body, FALSE);
}

/* Fills @store with @n_ideas ideas and SI_BENCH_TAGS tags in one transaction. */
gboolean
si_bench_fill_store (SiStore  *store,
                     guint     n_ideas,
                     guint32   seed,
                     GError  **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gint64 tag_ids[SI_BENCH_TAGS];
  gint64 start = 1700000000LL * G_USEC_PER_SEC;

  if (!_si_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < SI_BENCH_TAGS; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%u", common[13 + i], i);
      g_autoptr(SiTag) tag = si_tag_new (name);

      if (!si_store_save_tag (store, tag, SI_SAVE_LOCAL, error))
        goto fail;
      tag_ids[i] = si_tag_get_id (tag);
    }
  for (guint i = 0; i < n_ideas; i++)
    {
      g_autofree char *title = si_bench_make_title (rand);
      g_autofree char *body = si_bench_make_body (rand);
      g_autoptr(SiIdea) idea = si_idea_new (title, body);
      int n_tags = g_rand_int_range (rand, 0, 5);
      gint64 when = start + (gint64) i * 60 * G_USEC_PER_SEC;
      for (int t = 0; t < n_tags; t++)
        si_idea_add_tag (idea, tag_ids[g_rand_int_range (rand, 0, SI_BENCH_TAGS)]);
      si_idea_set_pinned (idea, g_rand_int_range (rand, 0, 200) == 0);
      _si_idea_set_timestamps (idea, when, when);
      if (!si_store_save_idea (store, idea, SI_SAVE_LOCAL, error))
        goto fail;
    }
  /* Saved ideas wait for the search index (store schema 8): indexed now, as a notebook whose
   * ideas were typed over time has them. */
  return _si_store_commit (store, error) && si_store_fill_search (store, NULL, error);

fail:
  _si_store_rollback (store);
  return FALSE;
}

/* A notebook of @n_ideas ideas (seed 42) at @path: a copy of $SAVEIDEA_BENCH_DB when that file
 * exists; otherwise the generator makes one and, when $SAVEIDEA_BENCH_DB is set, leaves a copy
 * there for the next benchmark. */
gboolean
si_bench_make_notebook (const char  *path,
                        guint        n_ideas,
                        GError     **error)
{
  const char *reuse = g_getenv ("SAVEIDEA_BENCH_DB");
  g_autoptr(GFile) file = g_file_new_for_path (path);

  if (reuse && g_file_test (reuse, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GFile) from = g_file_new_for_path (reuse);
      return g_file_copy (from, file, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error);
    }
  {
    g_autoptr(SiStore) store = si_store_new (path, error);

    if (store == NULL || !si_bench_fill_store (store, n_ideas, 42, error))
      return FALSE;
  }
  if (reuse)
    {
      g_autoptr(GFile) to = g_file_new_for_path (reuse);
      return g_file_copy (file, to, G_FILE_COPY_NONE, NULL, NULL, NULL, error);
    }
  return TRUE;
}

/* Removes @path and, for a folder, everything in it. */
void
si_bench_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK) && (dir = g_dir_open (path, 0, NULL)))
    while ((name = g_dir_read_name (dir)))
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        si_bench_remove_tree (child);
      }
  g_remove (path);
}

double
si_bench_now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* The @p-th percentile (0–100) of @samples_ms, nearest rank; sorts the samples. */
double
si_bench_percentile (GArray *samples_ms,
                     double  p)
{
  guint rank;

  if (samples_ms->len == 0)
    return NAN;
  g_array_sort (samples_ms, compare_double);
  rank = (guint) ceil (p / 100.0 * samples_ms->len);
  rank = CLAMP (rank, 1, samples_ms->len);
  return g_array_index (samples_ms, double, rank - 1);
}

typedef struct {
  char   *name;
  double  value;
  char   *unit;
  char   *target;
} Result;

static GArray *results;

/* Prints one line of the table now and keeps the number for the JSON at the end. */
void
si_bench_report (const char *name,
                 double      value,
                 const char *unit,
                 const char *target)
{
  Result r = { g_strdup (name), value, g_strdup (unit), g_strdup (target ? target : "") };

  if (results == NULL)
    results = g_array_new (FALSE, FALSE, sizeof (Result));
  g_array_append_val (results, r);
  printf ("%-44s %12.3f %-10s %s\n", name, value, unit, target ? target : "");
  fflush (stdout);
}

/* One JSON object with every number reported, on one line starting with "JSON ". */
void
si_bench_print_json (void)
{
  GString *json = g_string_new ("{");

  for (guint i = 0; results && i < results->len; i++)
    {
      Result *r = &g_array_index (results, Result, i);
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (number, sizeof number, "%.3f", r->value);
      g_string_append_printf (json, "%s\"%s\": {\"value\": %s, \"unit\": \"%s\", \"target\": \"%s\"}",
                              i ? ", " : "", r->name, number, r->unit, r->target);
    }
  g_string_append (json, "}");
  printf ("JSON %s\n", json->str);
  g_string_free (json, TRUE);
}

/* ---------------------------------------------------------------------------------------- */
/* saveidea-server for the benchmarks */

void
si_bench_server_add_user (const char *binary,
                          const char *data_dir,
                          const char *name,
                          const char *password)
{
  const char *argv[] = { binary, "--data", data_dir, "user", "add", name, NULL };
  g_autofree char *input = g_strconcat (password, "\n", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                               G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, input, NULL, NULL, NULL, &error) ||
      !g_subprocess_get_successful (process))
    g_error ("saveidea-server user add %s failed%s%s", name, error ? ": " : "", error ? error->message : "");
}

/* In the server's process, before it runs: it ends with the bench, also when the bench aborts
 * (g_error()) before it could stop it (a server left behind kept the caller's pipe open). */
static void
die_with_parent (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

GSubprocess *
si_bench_server_start (const char * const  *argv,
                       char               **out_url)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (server == NULL)
    g_error ("Could not start %s: %s", argv[0], error->message);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, NULL);
  if (line == NULL || !g_str_has_prefix (line, "http"))
    g_error ("saveidea-server did not start: %s", line ? line : "no output");
  *out_url = g_strdup (g_strstrip (line));
  return g_steal_pointer (&server);
}

/* Logs in as @name with @password at the server at @url and returns the token; aborts when
 * that fails. */
char *
si_bench_server_log_in (const char *url,
                        const char *name,
                        const char *password)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *endpoint = g_strconcat (url, "/api/v1/login", NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", endpoint);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  char *json;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  request = json_builder_get_root (builder);
  json = json_to_string (request, FALSE);
  soup_message_set_request_body_from_bytes (message, "application/json", g_bytes_new_take (json, strlen (json)));
  if (!(answer = soup_session_send_and_read (session, message, NULL, &error)) ||
      !(root = si_wire_parse (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), &error)) ||
      !JSON_NODE_HOLDS_OBJECT (root) || !json_object_has_member (json_node_get_object (root), "token"))
    g_error ("Could not log in as %s%s%s", name, error ? ": " : "", error ? error->message : "");
  return g_strdup (json_object_get_string_member (json_node_get_object (root), "token"));
}

/* Sets the notebook at @path (made when missing) up for the account @name at @url; the token is
 * not stored: saveidea-cli gets it from SAVEIDEA_TOKEN. Aborts when that fails. */
void
si_bench_notebook_set_account (const char *path,
                               const char *url,
                               const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) store = si_store_new (path, &error);
  g_autoptr(SiAccount) account = NULL;

  if (store == NULL)
    g_error ("%s", error->message);
  account = si_account_new (store);
  if (!si_account_set_for_testing (account, url, name, NULL, &error))
    g_error ("%s", error->message);
}
