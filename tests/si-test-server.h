/* si-test-server.h — runs the real saveidea-server binary for tests.
 *
 * The binary comes from $SAVEIDEA_SERVER (set by tests/meson.build). A server is started with
 * `--data DIR --listen 127.0.0.1:0`; its first line of output is its URL. The data folder
 * survives stop/start, so a test can restart the server or kill -9 it and look again.
 *
 * With $SAVEIDEA_TEST_POSTGRESQL=1 (the PostgreSQL variants in tests/meson.build), every
 * server uses PostgreSQL instead: a fresh database per data folder (`--database URI`) in the
 * cluster named by $SAVEIDEA_TEST_DATABASE (an admin URI, or a folder where tests/pg-cluster,
 * $SAVEIDEA_PG_CLUSTER, starts a throwaway cluster on demand), by default
 * $SAVEIDEA_PG_CLUSTER_DIR in the build folder. A cluster that cannot be started or reached
 * fails the test (g_error), never skips it.
 *
 *   g_autoptr(SiTestServer) server = si_test_server_new (NULL);
 *   si_test_server_add_user (server, "alice", "correct horse");
 *   si_test_server_start (server);
 *   g_autofree char *token = si_test_server_login (server, "alice", "correct horse");
 *   g_autoptr(SiTestResponse) r = si_test_server_request (server, "GET", "/api/v1/ideas", token, NULL, NULL);
 *   g_assert_cmpuint (r->status, ==, 200);
 *
 * Every function asserts on unexpected failures (they are test helpers).
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _SiTestServer SiTestServer;

typedef struct {
  guint               status;
  GBytes             *body;
  JsonNode           *json;     /* the body parsed, or NULL if it is not JSON */
  SoupMessageHeaders *headers;  /* response headers */
} SiTestResponse;

void            si_test_response_free       (SiTestResponse *response);
/* Shortcuts into response->json (an object): assert that the member exists. */
JsonObject     *si_test_response_object     (SiTestResponse *response);
const char     *si_test_response_get_string (SiTestResponse *response,
                                             const char     *member);
gint64          si_test_response_get_int    (SiTestResponse *response,
                                             const char     *member);

/* @data_dir: NULL for a new empty folder inside the test's temporary directories. */
SiTestServer   *si_test_server_new          (const char     *data_dir);
void            si_test_server_free         (SiTestServer   *self);
/* Extra command-line arguments for the next start, e.g. {"--max-body-bytes", "2048", NULL}. */
void            si_test_server_set_args     (SiTestServer   *self,
                                             const char * const *args);
/* The server's open-files limit (RLIMIT_NOFILE, soft and hard) from the next start; 0: inherited. */
void            si_test_server_set_fd_limit (SiTestServer   *self,
                                             guint           limit);
const char     *si_test_server_get_data_dir (SiTestServer   *self);
/* The PostgreSQL URI the server uses, or NULL (SQLite in the data folder). */
const char     *si_test_server_get_database (SiTestServer   *self);
/* Uses @database (e.g. another server's, to run two instances on one database); NULL: SQLite
 * in the data folder, even in the PostgreSQL variants. */
void            si_test_server_set_database (SiTestServer   *self,
                                             const char     *database);
/* The process id of the running server (for /proc checks). */
const char     *si_test_server_get_pid      (SiTestServer   *self);
guint           si_test_server_count_open_files (SiTestServer *self);

void            si_test_server_start        (SiTestServer   *self);
gboolean        si_test_server_is_running   (SiTestServer   *self);
/* The URL the running server printed, e.g. "http://127.0.0.1:40123". */
const char     *si_test_server_get_url      (SiTestServer   *self);
char           *si_test_server_url_for      (SiTestServer   *self,
                                             const char     *path);
/* Sends @signum (SIGTERM: waits for a graceful exit; SIGKILL: a crash) and waits. Returns the
 * exit status if it exited, or 128 + the signal if a signal ended it. */
int             si_test_server_stop         (SiTestServer   *self,
                                             int             signum);
/* Sends @signum without waiting (see si_test_server_wait()). */
void            si_test_server_signal       (SiTestServer   *self,
                                             int             signum);
int             si_test_server_wait         (SiTestServer   *self);

/* Runs `saveidea-server --data DIR ARGS...` with @stdin_text on standard input; returns its
 * exit status. @out_stdout/@out_stderr may be NULL. @args is NULL-terminated. */
int             si_test_server_run          (SiTestServer   *self,
                                             const char     *stdin_text,
                                             char          **out_stdout,
                                             char          **out_stderr,
                                             const char     *first_arg,
                                             ...) G_GNUC_NULL_TERMINATED;
/* `user add NAME` with @password on stdin; asserts success. */
void            si_test_server_add_user     (SiTestServer   *self,
                                             const char     *name,
                                             const char     *password);

/* The session the requests use (one per server, keep-alive). */
SoupSession    *si_test_server_get_session  (SiTestServer   *self);
/* A request with an optional bearer @token and an optional JSON @body, then NULL-terminated
 * header name/value pairs. */
SiTestResponse *si_test_server_request      (SiTestServer   *self,
                                             const char     *method,
                                             const char     *path,
                                             const char     *token,
                                             const char     *body,
                                             const char     *first_header,
                                             ...);
/* Same with any content type and bytes (@content_type NULL: no body). */
SiTestResponse *si_test_server_request_raw  (SiTestServer   *self,
                                             const char     *method,
                                             const char     *path,
                                             const char     *token,
                                             const char     *content_type,
                                             const void     *data,
                                             gsize           length,
                                             const char     *first_header,
                                             ...);
/* POST /api/v1/login; asserts 200 and returns the token. */
char           *si_test_server_login        (SiTestServer   *self,
                                             const char     *name,
                                             const char     *password);

/* PostgreSQL: the admin URI of the cluster of $SAVEIDEA_TEST_DATABASE (starting it if it is
 * a folder), or NULL when the tests run on SQLite. */
const char     *si_test_server_pg_admin_uri    (void);
/* A new empty database in that cluster; returns its URI. */
char           *si_test_server_pg_new_database (void);
/* @admin_uri with another database name. */
char           *si_test_server_pg_database_uri (const char     *admin_uri,
                                                const char     *dbname);
/* Runs one SQL statement; asserts success. */
void            si_test_server_pg_exec         (const char     *uri,
                                                const char     *sql);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SiTestServer, si_test_server_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SiTestResponse, si_test_response_free)

G_END_DECLS
