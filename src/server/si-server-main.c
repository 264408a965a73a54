/* si-server-main.c — saveidea-server's command line: serve, or manage accounts. */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib-unix.h>
#include <sqlite3.h>

#include "si-password.h"
#include "si-server.h"
#include "si-server-copy.h"
#include "si-server-pruner.h"
#include "si-server-storage.h"

/* Exit codes (documented in --help). */
enum {
  EXIT_OK = 0,
  EXIT_FAILED = 1,      /* the database, the network or TLS failed */
  EXIT_USAGE = 2,       /* a bad command line */
  EXIT_NO_USER = 3,     /* user del/passwd: no such account; user add: it exists */
  EXIT_BAD_PASSWORD = 4, /* the password read was empty, too short or did not match */
  EXIT_NOT_EMPTY = 5,    /* copy-to: the target database already holds data */
  EXIT_IN_USE = 6        /* copy-to: a server is running on the source or the target */
};

#define MIN_PASSWORD_CHARS 8
#define MAX_PASSWORD_BYTES 1024
#define SHUTDOWN_TIMEOUT_SECONDS 10
#define DEFAULT_POOL_SIZE 4
#define MAX_POOL_SIZE 256
#define MAX_MAX_CONNECTIONS 1000000
#define MAX_TIMEOUT_SECONDS 86400
#define MAX_HISTORY_DAYS 36500
#define MAX_HISTORY_MIB (G_GINT64_CONSTANT (1) << 30)

static const char summary[] =
  "Serves the Saveidea sync protocol (docs/protocol.md) from a data folder (SQLite) or a\n"
  "PostgreSQL database, which several instances may share (docs/deploy.md).\n"
  "\n"
  "Commands:\n"
  "  (none)              serve: the first line of output is the URL listened on\n"
  "  user add NAME       add an account; the password is read from standard input\n"
  "  user list           list the accounts, one per line\n"
  "  user del NAME       delete an account and all its data\n"
  "  user passwd NAME    set a new password (from standard input) and log out everywhere\n"
  "  copy-to [URI]       copy the --data folder's database, everything in it, into the\n"
  "                      empty PostgreSQL database URI (default $SAVEIDEA_DATABASE), to\n"
  "                      serve it from there with --database; stop the server first\n"
  "\n"
  "Passwords are read from standard input, one line; on a terminal they are asked for\n"
  "without echo. They need at least 8 characters.\n"
  "\n"
  "History: every earlier version of an idea is kept --history-days, then one a day (the\n"
  "newest of each UTC day) up to a year, within --history-max-mib per account (oldest\n"
  "first); a deleted idea stays restorable for --trash-days. A background job prunes\n"
  "them every hour (docs/protocol.md, \"History and trash\").";

static const char description[] =
  "Exit status:\n"
  "  0  success (also after SIGTERM or SIGINT: a graceful shutdown)\n"
  "  1  the database, the network or TLS failed\n"
  "  2  bad command line\n"
  "  3  no such account (user del, user passwd), or it exists already (user add)\n"
  "  4  the password was empty, too short, too long, or the two entries differed\n"
  "  5  copy-to: the PostgreSQL database is not empty (nothing was changed)\n"
  "  6  copy-to: a server or another command is using the data folder or the database\n"
  "\n"
  "Example:\n"
  "  saveidea-server --data /var/lib/saveidea-server user add alice\n"
  "  saveidea-server --data /var/lib/saveidea-server --listen 127.0.0.1:8080\n"
  "  saveidea-server --database postgresql://saveidea@db.example.org/saveidea --listen 0.0.0.0:8080\n"
  "  saveidea-server --data /var/lib/saveidea-server copy-to postgresql://saveidea@db.example.org/saveidea";

/* ---------------------------------------------------------------------------------------- */
/* passwords from stdin */

static char *
read_line (FILE *stream)
{
  GString *line = g_string_new (NULL);
  int c;

  while ((c = fgetc (stream)) != EOF && c != '\n')
    {
      if (line->len > MAX_PASSWORD_BYTES)
        continue;  /* keep reading the line, refuse it later */
      g_string_append_c (line, (char) c);
    }
  if (c == EOF && line->len == 0)
    {
      g_string_free (line, TRUE);
      return NULL;
    }
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);
  return g_string_free (line, FALSE);
}

static char *
prompt_hidden (const char *prompt)
{
  struct termios old, quiet;
  gboolean restore = FALSE;
  char *line;

  fputs (prompt, stderr);
  fflush (stderr);
  if (tcgetattr (STDIN_FILENO, &old) == 0)
    {
      quiet = old;
      quiet.c_lflag &= (tcflag_t) ~ECHO;
      restore = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  line = read_line (stdin);
  if (restore)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
  fputc ('\n', stderr);
  return line;
}

static void
free_password (char *password)
{
  if (password == NULL)
    return;
  memset (password, 0, strlen (password));
  g_free (password);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (char, free_password)

/* Returns NULL after printing why. */
static char *
read_password (const char *name)
{
  g_autoptr(char) password = NULL;

  if (isatty (STDIN_FILENO))
    {
      g_autofree char *prompt = g_strdup_printf ("Password for %s: ", name);
      g_autoptr(char) again = NULL;

      password = prompt_hidden (prompt);
      if (password != NULL)
        again = prompt_hidden ("Repeat the password: ");
      if (password != NULL && g_strcmp0 (password, again) != 0)
        {
          g_printerr ("saveidea-server: the two passwords differ\n");
          return NULL;
        }
    }
  else
    password = read_line (stdin);

  if (password == NULL || password[0] == '\0')
    {
      g_printerr ("saveidea-server: no password given; write it as one line on standard input\n");
      return NULL;
    }
  if (strlen (password) > MAX_PASSWORD_BYTES || !g_utf8_validate (password, -1, NULL))
    {
      g_printerr ("saveidea-server: the password must be UTF-8 text of at most %d bytes\n",
                  MAX_PASSWORD_BYTES);
      return NULL;
    }
  if (g_utf8_strlen (password, -1) < MIN_PASSWORD_CHARS)
    {
      g_printerr ("saveidea-server: the password needs at least %d characters\n", MIN_PASSWORD_CHARS);
      return NULL;
    }
  return g_steal_pointer (&password);
}

/* ---------------------------------------------------------------------------------------- */
/* user commands */

static int
exit_code_for (const GError *error)
{
  if (g_error_matches (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_FOUND) ||
      g_error_matches (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_EXISTS))
    return EXIT_NO_USER;
  return EXIT_FAILED;
}

static int
run_user_command (SiServerStorage *storage,
                  char           **args)
{
  g_autoptr(GError) error = NULL;
  guint n = g_strv_length (args);
  const char *verb = n > 1 ? args[1] : NULL;

  if (g_strcmp0 (verb, "list") == 0 && n == 2)
    {
      g_auto(GStrv) names = si_server_storage_account_list (storage, &error);

      if (names == NULL)
        {
          g_printerr ("saveidea-server: %s\n", error->message);
          return EXIT_FAILED;
        }
      for (guint i = 0; names[i]; i++)
        g_print ("%s\n", names[i]);
      return EXIT_OK;
    }

  if (n != 3 || (g_strcmp0 (verb, "add") != 0 && g_strcmp0 (verb, "del") != 0 &&
                 g_strcmp0 (verb, "passwd") != 0))
    {
      g_printerr ("saveidea-server: usage: user add NAME | user list | user del NAME | user passwd NAME\n");
      return EXIT_USAGE;
    }

  if (g_str_equal (verb, "del"))
    {
      if (!si_server_storage_account_delete (storage, args[2], &error))
        {
          g_printerr ("saveidea-server: %s\n", error->message);
          return exit_code_for (error);
        }
      g_printerr ("Deleted the account %s and all its data\n", args[2]);
      return EXIT_OK;
    }

  if (!si_server_account_name_is_valid (args[2]))
    {
      g_printerr ("saveidea-server: “%s” cannot be an account name: use 1 to 64 characters "
                  "without spaces, “/” or “:”\n", args[2]);
      return EXIT_USAGE;
    }

  {
    g_autoptr(char) password = NULL;
    g_autofree char *hash = NULL;
    gint64 account_id = 0;
    gboolean ok;

    /* Fail early, before asking for a password that would be thrown away. */
    if (g_str_equal (verb, "passwd"))
      {
        g_autofree char *old = si_server_storage_account_lookup (storage, args[2], &account_id, &error);
        if (old == NULL)
          {
            g_printerr ("saveidea-server: %s\n", error->message);
            return exit_code_for (error);
          }
      }
    else
      {
        g_autofree char *old = si_server_storage_account_lookup (storage, args[2], &account_id, NULL);
        if (old != NULL)
          {
            g_printerr ("saveidea-server: there is already an account named %s\n", args[2]);
            return EXIT_NO_USER;
          }
      }

    password = read_password (args[2]);
    if (password == NULL)
      return EXIT_BAD_PASSWORD;
    hash = si_password_hash (password, &error);
    if (hash == NULL)
      {
        g_printerr ("saveidea-server: %s\n", error->message);
        return EXIT_FAILED;
      }

    if (g_str_equal (verb, "add"))
      ok = si_server_storage_account_add (storage, args[2], hash, &error);
    else
      ok = si_server_storage_account_set_password (storage, args[2], hash, &error);
    if (!ok)
      {
        g_printerr ("saveidea-server: %s\n", error->message);
        return exit_code_for (error);
      }
    if (g_str_equal (verb, "add"))
      g_printerr ("Added the account %s\n", args[2]);
    else
      g_printerr ("Changed the password of %s and logged it out everywhere\n", args[2]);
    return EXIT_OK;
  }
}

/* ---------------------------------------------------------------------------------------- */
/* copy-to */

static const char copy_usage[] =
  "saveidea-server: usage: --data DIR copy-to postgresql://USER@HOST/DB (or with the URI in "
  "$SAVEIDEA_DATABASE)\n";

static int
run_copy_to (const char *data_dir,
             const char *target)
{
  g_autoptr(GError) error = NULL;
  SiServerCopyCounts counts = { 0 };

  if (target == NULL)
    {
      g_printerr ("%s", copy_usage);
      return EXIT_USAGE;
    }
  if (!g_str_has_prefix (target, "postgresql://") && !g_str_has_prefix (target, "postgres://"))
    {
      g_printerr ("saveidea-server: copy-to needs a PostgreSQL URI such as "
                  "postgresql://saveidea@localhost/saveidea\n");
      return EXIT_USAGE;
    }

  if (!si_server_copy_to_pg (data_dir, target, &counts, &error))
    {
      g_printerr ("saveidea-server: %s\n", error->message);
      if (g_error_matches (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_EMPTY))
        return EXIT_NOT_EMPTY;
      if (g_error_matches (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_IN_USE))
        return EXIT_IN_USE;
      return EXIT_FAILED;
    }
  g_print ("Copied:\n"
           "  instance   %s\n"
           "  accounts   %" G_GUINT64_FORMAT "\n"
           "  tokens     %" G_GUINT64_FORMAT "\n"
           "  records    %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " ideas, %" G_GUINT64_FORMAT
           " tags; %" G_GUINT64_FORMAT " deleted)\n"
           "  tag links  %" G_GUINT64_FORMAT "\n"
           "Serve the copy with --database instead of --data: the clients go on syncing.\n",
           counts.instance_id, counts.accounts, counts.tokens, counts.ideas + counts.tags,
           counts.ideas, counts.tags, counts.tombstones, counts.tag_links);
  return EXIT_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* serving */

typedef struct {
  GMainLoop *loop;
  SiServer  *server;
  gboolean   stopping;
} Serve;

static void
shutdown_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Serve *serve = user_data;

  si_server_shutdown_finish (SI_SERVER (source), result, NULL);
  g_main_loop_quit (serve->loop);
}

static gboolean
on_signal (gpointer user_data)
{
  Serve *serve = user_data;

  if (!serve->stopping)
    {
      serve->stopping = TRUE;
      g_message ("Shutting down");
      si_server_shutdown_async (serve->server, SHUTDOWN_TIMEOUT_SECONDS, shutdown_done, serve);
    }
  return G_SOURCE_CONTINUE;
}

static int
serve (SiServerStorage *storage,
       const char      *database,
       const char      *data_dir,
       guint            pool_size,
       const char      *listen,
       const char      *tls_cert,
       const char      *tls_key,
       gsize            max_body_bytes,
       GStrv            trusted_proxies,
       const SiServerLimits *limits)
{
  g_autoptr(SiServer) server = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  SiServerPruner *pruner = NULL;
  Serve state = { 0 };
  guint term_id, int_id;
  int status = EXIT_OK;

  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      g_printerr ("saveidea-server: --tls-cert and --tls-key go together\n");
      return EXIT_USAGE;
    }
  if (tls_cert != NULL)
    {
      certificate = g_tls_certificate_new_from_files (tls_cert, tls_key, &error);
      if (certificate == NULL)
        {
          g_printerr ("saveidea-server: cannot use the TLS certificate %s with key %s: %s\n",
                      tls_cert, tls_key, error->message);
          return EXIT_FAILED;
        }
    }

  server = si_server_new (storage, max_body_bytes);
  si_server_set_trusted_proxies (server, (const char * const *) trusted_proxies);
  si_server_set_limits (server, limits);

  /* From here on SIGTERM and SIGINT are a graceful shutdown, before anyone can know the URL:
   * a signal that arrives before the main loop runs waits in its source. */
  loop = g_main_loop_new (NULL, FALSE);
  state.loop = loop;
  state.server = server;
  term_id = g_unix_signal_add (SIGTERM, on_signal, &state);
  int_id = g_unix_signal_add (SIGINT, on_signal, &state);

  /* One connection per worker thread; @storage is the first. */
  for (guint i = 1; i < pool_size; i++)
    {
      g_autoptr(SiServerStorage) connection = si_server_storage_open (database, data_dir, &error);

      if (connection == NULL)
        {
          g_printerr ("saveidea-server: %s\n", error->message);
          status = EXIT_FAILED;
          goto out;
        }
      si_server_add_connection (server, connection);
    }
  url = si_server_listen (server, listen, certificate, &error);
  if (url == NULL)
    {
      g_printerr ("saveidea-server: %s\n", error->message);
      status = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) ? EXIT_USAGE : EXIT_FAILED;
      goto out;
    }

  /* The first line of output: scripts and tests read the URL from it. */
  g_print ("%s\n", url);
  fflush (stdout);
  g_message ("Serving %s (instance %s, %s, %u connections)", url,
             si_server_storage_get_instance_id (storage), database ? "PostgreSQL" : "SQLite", pool_size);

  pruner = si_server_pruner_start (database, data_dir, SI_SERVER_PRUNE_INTERVAL_SECONDS);
  g_main_loop_run (loop);
  g_clear_pointer (&pruner, si_server_pruner_stop);
  g_message ("Stopped");

out:
  g_source_remove (term_id);
  g_source_remove (int_id);
  g_clear_object (&server);
  return status;
}

/* ---------------------------------------------------------------------------------------- */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(SiServerStorage) storage = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *database = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_auto(GStrv) args = NULL;
  g_auto(GStrv) trusted_proxies = NULL;
  gint64 max_body_bytes = SI_SERVER_DEFAULT_MAX_BODY_BYTES;
  int pool_size = DEFAULT_POOL_SIZE;
  int max_connections = 0;
  int idle_timeout = SI_SERVER_DEFAULT_IDLE_TIMEOUT;
  int header_timeout = SI_SERVER_DEFAULT_HEADER_TIMEOUT;
  int body_timeout = SI_SERVER_DEFAULT_BODY_TIMEOUT;
  int history_days = SI_SERVER_HISTORY_DAYS_DEFAULT;
  int trash_days = SI_SERVER_TRASH_DAYS_DEFAULT;
  gint64 history_max_mib = SI_SERVER_HISTORY_MAX_MIB_DEFAULT;
  SiServerHistoryPolicy history;
  SiServerLimits limits;
  gboolean version = FALSE;
  int status;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      "The data folder (created if missing; holds server.db): SQLite", "DIR" },
    { "database", 0, 0, G_OPTION_ARG_STRING, &database,
      "Use this PostgreSQL database instead of --data (a libpq URI; also $SAVEIDEA_DATABASE)",
      "postgresql://USER@HOST/DB" },
    { "pool-size", 0, 0, G_OPTION_ARG_INT, &pool_size,
      "Database connections, one per worker thread (default 4)", "N" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "Where to listen (default 127.0.0.1:8080; port 0 picks a free one)", "ADDRESS:PORT" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
      "Serve HTTPS with this PEM certificate (chain)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
      "The PEM private key of --tls-cert", "FILE" },
    { "max-body-bytes", 0, 0, G_OPTION_ARG_INT64, &max_body_bytes,
      "Refuse request bodies larger than this (default 8 MiB)", "BYTES" },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &max_connections,
      "Open connections at most; beyond, new ones get 503 and are closed (default 1000, at"
      " most 3/4 of the open-files limit, RLIMIT_NOFILE)", "N" },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &idle_timeout,
      "Close a connection that starts no request for this long (default 60)", "SECONDS" },
    { "header-timeout", 0, 0, G_OPTION_ARG_INT, &header_timeout,
      "Close a connection whose request line and headers (or TLS handshake) take longer"
      " (default 20)", "SECONDS" },
    { "body-timeout", 0, 0, G_OPTION_ARG_INT, &body_timeout,
      "Close a connection whose request body takes longer than this plus 1 s per KiB"
      " received (default 60)", "SECONDS" },
    { "trusted-proxy", 0, 0, G_OPTION_ARG_STRING_ARRAY, &trusted_proxies,
      "A reverse proxy's IP address: for requests from it, count failed logins against the client"
      " it names last in X-Forwarded-For (repeat for several)", "ADDRESS" },
    { "history-days", 0, 0, G_OPTION_ARG_INT, &history_days,
      "Keep every earlier version of an idea this long, then one a day up to a year; 0 keeps"
      " none (default 30)", "DAYS" },
    { "history-max-mib", 0, 0, G_OPTION_ARG_INT64, &history_max_mib,
      "Per account, the most the kept versions may take; beyond, the oldest go first; 0: no"
      " cap (default 256)", "MIB" },
    { "trash-days", 0, 0, G_OPTION_ARG_INT, &trash_days,
      "Keep a deleted idea restorable this long; 0: a delete drops its content at once"
      " (default 30)", "DAYS" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, "[user add|list|del|passwd [NAME] | copy-to [URI]]" },
    { NULL }
  };

  /* SQLite keeps no count of its memory here (nothing reads it): its count is one global
   * mutex taken and released by every allocation of every connection. Only before any
   * connection exists, while the process has one thread. */
  sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
  setlocale (LC_ALL, "");
  signal (SIGPIPE, SIG_IGN);
  umask (077);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("saveidea-server: %s (see --help)\n", error->message);
      return EXIT_USAGE;
    }

  if (version)
    {
      g_print ("saveidea-server %s (protocol %d)\n", SI_SERVER_VERSION_STRING, SI_WIRE_PROTOCOL_VERSION);
      return EXIT_OK;
    }
  /* The environment keeps a password in the URI out of `ps`. */
  if (database == NULL && g_getenv ("SAVEIDEA_DATABASE") != NULL && data_dir == NULL)
    database = g_strdup (g_getenv ("SAVEIDEA_DATABASE"));
  if ((data_dir == NULL) == (database == NULL))
    {
      g_printerr ("saveidea-server: give either --data DIR (SQLite) or --database postgresql://... (see --help)\n");
      return EXIT_USAGE;
    }
  if (pool_size < 1 || pool_size > MAX_POOL_SIZE)
    {
      g_printerr ("saveidea-server: --pool-size must be from 1 to %d\n", MAX_POOL_SIZE);
      return EXIT_USAGE;
    }
  if (max_body_bytes < 1024 || (guint64) max_body_bytes > G_MAXSIZE / 2)
    {
      g_printerr ("saveidea-server: --max-body-bytes must be at least 1024\n");
      return EXIT_USAGE;
    }
  if (max_connections < 0 || max_connections > MAX_MAX_CONNECTIONS)
    {
      g_printerr ("saveidea-server: --max-connections must be from 1 to %d\n", MAX_MAX_CONNECTIONS);
      return EXIT_USAGE;
    }
  if (idle_timeout < 1 || idle_timeout > MAX_TIMEOUT_SECONDS ||
      header_timeout < 1 || header_timeout > MAX_TIMEOUT_SECONDS ||
      body_timeout < 1 || body_timeout > MAX_TIMEOUT_SECONDS)
    {
      g_printerr ("saveidea-server: --idle-timeout, --header-timeout and --body-timeout must be from 1 to %d seconds\n",
                  MAX_TIMEOUT_SECONDS);
      return EXIT_USAGE;
    }
  if (history_days < 0 || history_days > MAX_HISTORY_DAYS || trash_days < 0 || trash_days > MAX_HISTORY_DAYS)
    {
      g_printerr ("saveidea-server: --history-days and --trash-days must be from 0 to %d\n", MAX_HISTORY_DAYS);
      return EXIT_USAGE;
    }
  if (history_max_mib < 0 || history_max_mib > MAX_HISTORY_MIB)
    {
      g_printerr ("saveidea-server: --history-max-mib must be from 0 to %" G_GINT64_FORMAT "\n", MAX_HISTORY_MIB);
      return EXIT_USAGE;
    }
  history.history_days = (guint) history_days;
  history.trash_days = (guint) trash_days;
  history.max_bytes = (guint64) history_max_mib << 20;
  si_server_storage_set_history_policy (&history);
  si_server_limits_init_default (&limits);
  limits.max_connections = (guint) max_connections;
  limits.idle_timeout = (guint) idle_timeout;
  limits.header_timeout = (guint) header_timeout;
  limits.body_timeout = (guint) body_timeout;
  for (guint i = 0; trusted_proxies != NULL && trusted_proxies[i] != NULL; i++)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (trusted_proxies[i]);

      if (address == NULL)
        {
          g_printerr ("saveidea-server: --trusted-proxy “%s” is not an IP address\n", trusted_proxies[i]);
          return EXIT_USAGE;
        }
    }
  if (args != NULL && g_str_equal (args[0], "copy-to"))
    {
      if (data_dir == NULL || g_strv_length (args) > 2)
        {
          g_printerr ("%s", copy_usage);
          return EXIT_USAGE;
        }
      return run_copy_to (data_dir, args[1] ? args[1] : g_getenv ("SAVEIDEA_DATABASE"));
    }
  if (args != NULL && g_strcmp0 (args[0], "user") != 0)
    {
      g_printerr ("saveidea-server: unknown command “%s” (see --help)\n", args[0]);
      return EXIT_USAGE;
    }

  if (!si_password_init ())
    {
      g_printerr ("saveidea-server: libsodium cannot be initialised\n");
      return EXIT_FAILED;
    }

  storage = si_server_storage_open (database, data_dir, &error);
  if (storage == NULL)
    {
      g_printerr ("saveidea-server: %s\n", error->message);
      si_password_shutdown ();
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) ? EXIT_USAGE : EXIT_FAILED;
    }

  if (args != NULL)
    status = run_user_command (storage, args);
  else
    status = serve (storage, database, data_dir, (guint) pool_size, listen ? listen : "127.0.0.1:8080",
                    tls_cert, tls_key, (gsize) max_body_bytes, trusted_proxies, &limits);

  g_clear_object (&storage);
  si_password_shutdown ();
  return status;
}
