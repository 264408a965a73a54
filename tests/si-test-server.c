/* si-test-server.c — runs the real saveidea-server binary for tests (see si-test-server.h). */
#define G_LOG_DOMAIN "saveidea-test"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "si-test-server.h"

struct _SiTestServer
{
  char        *data_dir;
  char        *database;  /* PostgreSQL URI, or NULL for SQLite in data_dir */
  char       **args;
  GSubprocess *process;
  char        *url;
  SoupSession *session;
  guint        fd_limit;  /* RLIMIT_NOFILE of the next start, or 0 */
};

static const char *
server_binary (void)
{
  const char *path = g_getenv ("SAVEIDEA_SERVER");

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("SAVEIDEA_SERVER must name the saveidea-server binary (got %s)", path ? path : "nothing");
  return path;
}

/* ---------------------------------------------------------------------------------------- */
/* PostgreSQL (SAVEIDEA_TEST_DATABASE) */

static char *
run_pg_cluster (const char *action,
                const char *dir)
{
  const char *script = g_getenv ("SAVEIDEA_PG_CLUSTER");
  const char *argv[] = { script, action, dir, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (script == NULL)
    g_error ("SAVEIDEA_PG_CLUSTER must name tests/pg-cluster to start a PostgreSQL cluster in %s", dir);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("Cannot %s the PostgreSQL cluster in %s with %s: %s\n%s", action, dir, script,
             error->message, err ? err : "");
  return g_strstrip (g_steal_pointer (&out));
}

const char *
si_test_server_pg_admin_uri (void)
{
  static char *admin_uri = NULL;
  const char *setting = NULL;

  /* Only the PostgreSQL variants (SAVEIDEA_TEST_POSTGRESQL=1, set by tests/meson.build) use
   * it: the cluster named by SAVEIDEA_TEST_DATABASE, else one in the build folder. */
  if (g_strcmp0 (g_getenv ("SAVEIDEA_TEST_POSTGRESQL"), "1") != 0)
    return NULL;
  setting = g_getenv ("SAVEIDEA_TEST_DATABASE");
  if (setting == NULL || *setting == '\0')
    setting = g_getenv ("SAVEIDEA_PG_CLUSTER_DIR");
  if (setting == NULL || *setting == '\0')
    g_error ("SAVEIDEA_TEST_POSTGRESQL=1 needs SAVEIDEA_TEST_DATABASE or SAVEIDEA_PG_CLUSTER_DIR");
  if (admin_uri == NULL)
    {
      PGconn *conn;

      if (g_str_has_prefix (setting, "postgresql://") || g_str_has_prefix (setting, "postgres://"))
        admin_uri = g_strdup (setting);
      else
        admin_uri = run_pg_cluster ("start", setting);
      conn = PQconnectdb (admin_uri);
      if (PQstatus (conn) != CONNECTION_OK)
        g_error ("SAVEIDEA_TEST_DATABASE=%s: cannot reach PostgreSQL at %s: %s (this variant of the "
                 "tests needs a cluster: ./dev test starts one, or run tests/pg-cluster start DIR)",
                 setting, admin_uri, PQerrorMessage (conn));
      PQfinish (conn);
    }
  return admin_uri;
}

char *
si_test_server_pg_database_uri (const char *admin_uri,
                                const char *dbname)
{
  const char *query = strchr (admin_uri, '?');
  const char *path = NULL;

  /* postgresql://[authority]/DB[?params]: replace DB. */
  for (const char *p = admin_uri + strlen ("postgresql://"); *p && p != query; p++)
    if (*p == '/')
      {
        path = p;
        break;
      }
  g_assert_nonnull (path);
  return g_strdup_printf ("%.*s/%s%s", (int) (path - admin_uri), admin_uri, dbname, query ? query : "");
}

void
si_test_server_pg_exec (const char *uri,
                        const char *sql)
{
  PGconn *conn = PQconnectdb (uri);
  PGresult *res;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("Cannot connect to %s: %s", uri, PQerrorMessage (conn));
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s failed: %s", sql, PQerrorMessage (conn));
  PQclear (res);
  PQfinish (conn);
}

char *
si_test_server_pg_new_database (void)
{
  const char *admin_uri = si_test_server_pg_admin_uri ();
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;

  g_assert_nonnull (admin_uri);
  g_strdelimit (uuid, "-", '_');
  name = g_strconcat ("t_", uuid, NULL);
  sql = g_strdup_printf ("CREATE DATABASE %s", name);
  si_test_server_pg_exec (admin_uri, sql);
  return si_test_server_pg_database_uri (admin_uri, name);
}

/* ---------------------------------------------------------------------------------------- */
/* responses */

void
si_test_response_free (SiTestResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->json, json_node_unref);
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_free (response);
}

JsonObject *
si_test_response_object (SiTestResponse *response)
{
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  return json_node_get_object (response->json);
}

const char *
si_test_response_get_string (SiTestResponse *response,
                             const char     *member)
{
  JsonObject *object = si_test_response_object (response);

  g_assert_true (json_object_has_member (object, member));
  return json_object_get_string_member (object, member);
}

gint64
si_test_response_get_int (SiTestResponse *response,
                          const char     *member)
{
  JsonObject *object = si_test_response_object (response);

  g_assert_true (json_object_has_member (object, member));
  return json_object_get_int_member (object, member);
}

/* ---------------------------------------------------------------------------------------- */
/* lifetime */

SiTestServer *
si_test_server_new (const char *data_dir)
{
  SiTestServer *self = g_new0 (SiTestServer, 1);

  if (data_dir != NULL)
    self->data_dir = g_strdup (data_dir);
  else
    {
      /* Inside the per-test directories of G_TEST_OPTION_ISOLATE_DIRS, removed after the test. */
      g_autofree char *parent = g_build_filename (g_get_user_data_dir (), "saveidea-server-tests", NULL);
      g_autofree char *template = NULL;

      g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
      template = g_build_filename (parent, "data-XXXXXX", NULL);
      self->data_dir = g_mkdtemp (g_steal_pointer (&template));
      g_assert_nonnull (self->data_dir);
    }
  /* With SAVEIDEA_TEST_DATABASE, a data folder stands for a fresh PostgreSQL database, named
   * in it so that another SiTestServer on the same folder finds the same database. */
  if (si_test_server_pg_admin_uri () != NULL)
    {
      g_autofree char *named = g_build_filename (self->data_dir, "database-uri", NULL);

      if (!g_file_get_contents (named, &self->database, NULL, NULL))
        {
          self->database = si_test_server_pg_new_database ();
          g_assert_true (g_file_set_contents (named, self->database, -1, NULL));
        }
    }
  /* No proxy: only 127.0.0.1, and the default resolver would want GSettings schemas. */
  self->session = soup_session_new_with_options ("timeout", 60, "max-conns", 64,
                                                 "max-conns-per-host", 64,
                                                 "proxy-resolver", NULL, NULL);
  return self;
}

void
si_test_server_free (SiTestServer *self)
{
  if (self == NULL)
    return;
  if (si_test_server_is_running (self))
    si_test_server_stop (self, SIGKILL);
  g_clear_object (&self->session);
  g_clear_object (&self->process);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->args, g_strfreev);
  g_free (self->data_dir);
  g_free (self->database);
  g_free (self);
}

void
si_test_server_set_args (SiTestServer       *self,
                         const char * const *args)
{
  g_strfreev (self->args);
  self->args = g_strdupv ((char **) args);
}

const char *
si_test_server_get_data_dir (SiTestServer *self)
{
  return self->data_dir;
}

const char *
si_test_server_get_database (SiTestServer *self)
{
  return self->database;
}

void
si_test_server_set_database (SiTestServer *self,
                             const char   *database)
{
  g_autofree char *named = g_build_filename (self->data_dir, "database-uri", NULL);

  g_assert_null (self->process);
  g_free (self->database);
  self->database = g_strdup (database);
  if (database == NULL)
    g_assert_true (g_remove (named) == 0 || errno == ENOENT);
  else
    g_assert_true (g_file_set_contents (named, database, -1, NULL));
}

/* --data DIR, or --database URI. */
static void
add_storage_args (SiTestServer *self,
                  GPtrArray    *argv)
{
  g_ptr_array_add (argv, (gpointer) (self->database ? "--database" : "--data"));
  g_ptr_array_add (argv, self->database ? self->database : self->data_dir);
}

const char *
si_test_server_get_pid (SiTestServer *self)
{
  g_assert_nonnull (self->process);
  return g_subprocess_get_identifier (self->process);
}

SoupSession *
si_test_server_get_session (SiTestServer *self)
{
  return self->session;
}

void
si_test_server_set_fd_limit (SiTestServer *self,
                             guint         limit)
{
  self->fd_limit = limit;
}

/* A server must never outlive its test (it holds the test log's stderr open). With a
 * descriptor limit as @user_data, sets RLIMIT_NOFILE (soft and hard). */
static void
die_with_parent (gpointer user_data)
{
  guint fd_limit = GPOINTER_TO_UINT (user_data);

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (fd_limit > 0)
    {
      struct rlimit limit = { fd_limit, fd_limit };

      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        _exit (125);
    }
}

static GSubprocess *
spawn (const char * const  *argv,
       GSubprocessFlags     flags,
       guint                fd_limit,
       GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, GUINT_TO_POINTER (fd_limit), NULL);
  return g_subprocess_launcher_spawnv (launcher, argv, error);
}

void
si_test_server_start (SiTestServer *self)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  char *line;

  g_assert_null (self->process);

  g_ptr_array_add (argv, (gpointer) server_binary ());
  add_storage_args (self, argv);
  g_ptr_array_add (argv, (gpointer) "--listen");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1:0");
  for (guint i = 0; self->args && self->args[i]; i++)
    g_ptr_array_add (argv, self->args[i]);
  g_ptr_array_add (argv, NULL);

  /* stderr is inherited: the server's log lands in the test log. */
  self->process = spawn ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                         self->fd_limit, &error);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    g_error ("saveidea-server exited without printing its URL");
  g_assert_true (g_str_has_prefix (line, "http://127.0.0.1:") || g_str_has_prefix (line, "https://127.0.0.1:"));
  g_free (self->url);
  self->url = line;
}

gboolean
si_test_server_is_running (SiTestServer *self)
{
  return self->process != NULL;
}

const char *
si_test_server_get_url (SiTestServer *self)
{
  g_assert_nonnull (self->url);
  return self->url;
}

char *
si_test_server_url_for (SiTestServer *self,
                        const char   *path)
{
  return g_strconcat (si_test_server_get_url (self), path, NULL);
}

void
si_test_server_signal (SiTestServer *self,
                       int           signum)
{
  g_assert_nonnull (self->process);
  g_subprocess_send_signal (self->process, signum);
}

static void
wait_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static gboolean
wait_timed_out (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

int
si_test_server_wait (SiTestServer *self)
{
  g_autoptr(GSubprocess) process = g_steal_pointer (&self->process);
  gboolean done = FALSE;
  gboolean timed_out = FALSE;
  guint timeout_id;
  int status;

  g_assert_nonnull (process);

  g_subprocess_wait_async (process, NULL, wait_done, &done);
  timeout_id = g_timeout_add_seconds (30, wait_timed_out, &timed_out);
  while (!done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!done)
    {
      g_subprocess_force_exit (process);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
      g_error ("saveidea-server did not exit within 30 s");
    }
  g_source_remove (timeout_id);

  /* Connections to the old process are dead. */
  soup_session_abort (self->session);

  if (g_subprocess_get_if_signaled (process))
    status = 128 + g_subprocess_get_term_sig (process);
  else
    status = g_subprocess_get_exit_status (process);
  return status;
}

int
si_test_server_stop (SiTestServer *self,
                     int           signum)
{
  si_test_server_signal (self, signum);
  return si_test_server_wait (self);
}

/* ---------------------------------------------------------------------------------------- */
/* commands */

int
si_test_server_run (SiTestServer  *self,
                    const char    *stdin_text,
                    char         **out_stdout,
                    char         **out_stderr,
                    const char    *first_arg,
                    ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list args;

  g_ptr_array_add (argv, (gpointer) server_binary ());
  add_storage_args (self, argv);
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = spawn ((const char * const *) argv->pdata,
                   G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                   G_SUBPROCESS_FLAGS_STDERR_PIPE, 0, &error);
  g_assert_no_error (error);
  /* Written first, a broken pipe allowed: a command that fails before it reads its input (a
   * refused argument) may be gone already, and what it printed is still to be read. */
  if (stdin_text != NULL && *stdin_text)
    {
      GOutputStream *in = g_subprocess_get_stdin_pipe (process);
      g_autoptr(GError) write_error = NULL;

      if (!g_output_stream_write_all (in, stdin_text, strlen (stdin_text), NULL, NULL, &write_error) &&
          !g_error_matches (write_error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
        g_assert_no_error (write_error);
    }
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (err != NULL && *err)
    g_test_message ("saveidea-server %s: %s", first_arg, err);

  if (out_stdout)
    *out_stdout = g_steal_pointer (&out);
  if (out_stderr)
    *out_stderr = g_steal_pointer (&err);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

void
si_test_server_add_user (SiTestServer *self,
                         const char   *name,
                         const char   *password)
{
  g_autofree char *input = g_strconcat (password, "\n", NULL);

  g_assert_cmpint (si_test_server_run (self, input, NULL, NULL, "user", "add", name, NULL), ==, 0);
}

/* ---------------------------------------------------------------------------------------- */
/* HTTP */

static SiTestResponse *
request_va (SiTestServer *self,
            const char   *method,
            const char   *path,
            const char   *token,
            const char   *content_type,
            const void   *data,
            gsize         length,
            const char   *first_header,
            va_list       args)
{
  g_autofree char *url = si_test_server_url_for (self, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  SiTestResponse *response;
  SoupMessageHeaders *headers;
  const char *content;

  g_assert_nonnull (msg);
  headers = soup_message_get_request_headers (msg);
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (headers, "Authorization", auth);
    }
  for (const char *name = first_header; name != NULL; name = va_arg (args, const char *))
    soup_message_headers_replace (headers, name, va_arg (args, const char *));
  if (content_type != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (data, length);
      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }

  response = g_new0 (SiTestResponse, 1);
  response->body = soup_session_send_and_read (self->session, msg, NULL, &error);
  g_assert_no_error (error);
  response->status = soup_message_get_status (msg);
  response->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));

  content = soup_message_headers_get_content_type (response->headers, NULL);
  if (g_strcmp0 (content, "application/json") == 0 && g_bytes_get_size (response->body) > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      gsize size;
      const char *text = g_bytes_get_data (response->body, &size);

      json_parser_load_from_data (parser, text, (gssize) size, &error);
      g_assert_no_error (error);
      response->json = json_node_ref (json_parser_get_root (parser));
    }
  return response;
}

SiTestResponse *
si_test_server_request (SiTestServer *self,
                        const char   *method,
                        const char   *path,
                        const char   *token,
                        const char   *body,
                        const char   *first_header,
                        ...)
{
  SiTestResponse *response;
  va_list args;

  va_start (args, first_header);
  response = request_va (self, method, path, token, body ? "application/json" : NULL, body,
                         body ? strlen (body) : 0, first_header, args);
  va_end (args);
  return response;
}

SiTestResponse *
si_test_server_request_raw (SiTestServer *self,
                            const char   *method,
                            const char   *path,
                            const char   *token,
                            const char   *content_type,
                            const void   *data,
                            gsize         length,
                            const char   *first_header,
                            ...)
{
  SiTestResponse *response;
  va_list args;

  va_start (args, first_header);
  response = request_va (self, method, path, token, content_type, data, length, first_header, args);
  va_end (args);
  return response;
}

char *
si_test_server_login (SiTestServer *self,
                      const char   *name,
                      const char   *password)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *body = NULL;
  g_autoptr(SiTestResponse) response = NULL;
  const char *token;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  body = json_to_string (node, FALSE);

  response = si_test_server_request (self, "POST", "/api/v1/login", NULL, body, NULL);
  g_assert_cmpuint (response->status, ==, 200);
  token = si_test_response_get_string (response, "token");
  g_assert_cmpuint (strlen (token), ==, 64);
  return g_strdup (token);
}

/* The server's open descriptors, counted in /proc. */
guint
si_test_server_count_open_files (SiTestServer *self)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/fd", si_test_server_get_pid (self));
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}
