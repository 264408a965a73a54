/* si-server-storage-pg.c — the PostgreSQL backend of saveidea-server's storage (libpq).
 *
 * One object is one PGconn; the server opens one per worker thread (--pool-size), and several
 * server instances may share the database. What makes that correct (docs/deploy.md explains it
 * for operators):
 *
 *  - Every write transaction starts with `UPDATE accounts SET seq = seq + 1 ... RETURNING seq`.
 *    That row lock is held until COMMIT, so the writers of one account take turns, and change
 *    N commits before change N + 1 is even numbered. A reader that reads the account's `seq`
 *    and then the records with `version <= seq` sees every change up to it: no page skips a
 *    change that commits later with a lower number.
 *  - Creates are idempotent through the unique constraint (account_id, collection, uid) with
 *    INSERT ... ON CONFLICT DO NOTHING, not a check-then-insert.
 *  - If-Match is checked on the row locked with SELECT ... FOR UPDATE, and the UPDATE repeats
 *    the check (WHERE version = $if_match).
 *  - No transaction changes much more than _si_server_storage_tx_rows() rows, so none holds an
 *    account's row lock for long: a batch commits and begins again between operations, and a
 *    tag delete takes the tag off its ideas in steps (one set-based statement each, committed
 *    with the tag still live, so a retried delete finishes the job) and tombstones it in the
 *    last step.
 *  - A lost connection (the database restarted, pg_terminate_backend, a network cut) is
 *    UNAVAILABLE: the transaction is gone on the server, so nothing is half applied. The next
 *    call reconnects; failed attempts back off from 250 ms to 10 s, and calls in between fail
 *    at once with UNAVAILABLE and the time left (the server's Retry-After).
 *
 * Statements are prepared once per connection (again after a reconnect). Parameters and
 * results travel as text.
 */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include <string.h>
#include <libpq-fe.h>

#include "si-server-storage-pg-private.h"

#define SCHEMA_VERSION 3

#define BACKOFF_MIN_USEC (250 * 1000)
#define BACKOFF_MAX_USEC (10 * G_USEC_PER_SEC)

/* Any number: the lock that serialises the schema set-up of instances starting together. */
#define SCHEMA_LOCK_KEY "7302148810463"

/* Made first, and on its own: it holds the schema version. */
#define META_SQL "CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL)"

/* Schema 3: kept versions of ideas and the trash (si-server-storage-history.c); see the
 * SQLite backend's schema 4. No foreign key to records: their rows go only with the account. */
#define HISTORY_SCHEMA_SQL \
  "CREATE TABLE idea_history (" \
  "  id         bigserial PRIMARY KEY," \
  "  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE," \
  "  idea_id    bigint NOT NULL," \
  "  version    bigint NOT NULL," \
  "  written_at bigint NOT NULL," \
  "  updated_at bigint NOT NULL," \
  "  device     text," \
  "  title      text NOT NULL," \
  "  body       text NOT NULL," \
  "  pinned     boolean NOT NULL," \
  "  tags       text NOT NULL," \
  "  bytes      bigint NOT NULL" \
  ");" \
  "CREATE UNIQUE INDEX idea_history_idea ON idea_history (account_id, idea_id, version);" \
  "CREATE INDEX idea_history_age ON idea_history (account_id, written_at, bytes);"

static const char schema_sql[] =
  "CREATE TABLE accounts ("
  "  id         bigserial PRIMARY KEY,"
  "  name       text NOT NULL,"
  "  pwhash     text NOT NULL,"
  "  seq        bigint NOT NULL DEFAULT 0,"
  "  created_at bigint NOT NULL"
  ");"
  /* As SQLite's COLLATE NOCASE: names differing only in ASCII case are the same account. */
  "CREATE UNIQUE INDEX accounts_name ON accounts (lower(name COLLATE \"C\"));"
  "CREATE TABLE tokens ("
  "  hash       text PRIMARY KEY,"
  "  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  created_at bigint NOT NULL"
  ");"
  "CREATE INDEX tokens_account ON tokens (account_id);"
  "CREATE TABLE records ("
  "  id         bigserial PRIMARY KEY,"
  "  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  collection smallint NOT NULL,"
  "  uid        text NOT NULL,"
  "  version    bigint NOT NULL,"
  "  created_at bigint NOT NULL,"
  "  updated_at bigint NOT NULL,"
  "  deleted    boolean NOT NULL DEFAULT false,"
  "  title      text,"
  "  body       text,"
  "  pinned     boolean,"
  "  tags       text,"
  "  name       text,"
  "  name_key   text,"
  "  colour     text,"
  "  device     text,"   /* schema 2: the device that wrote the version (`device`), or NULL */
  "  written_at bigint,"  /* schema 3: the server's time of the last write, or NULL */
  "  UNIQUE (account_id, collection, uid)"
  ");"
  "CREATE INDEX records_feed ON records (account_id, collection, version);"
  "CREATE INDEX records_changes ON records (account_id, version);"
  "CREATE UNIQUE INDEX records_tag_name ON records (account_id, name_key)"
  "  WHERE collection = 1 AND NOT deleted;"
  "CREATE TABLE idea_tags ("
  "  tag_id  bigint NOT NULL REFERENCES records (id) ON DELETE CASCADE,"
  "  idea_id bigint NOT NULL REFERENCES records (id) ON DELETE CASCADE,"
  "  PRIMARY KEY (tag_id, idea_id)"
  ");"
  "CREATE INDEX idea_tags_idea ON idea_tags (idea_id);"
  HISTORY_SCHEMA_SQL;

struct _SiServerStoragePg
{
  GObject     parent_instance;

  char       *conninfo;
  char       *display;      /* for messages: host and database, never the password */
  PGconn     *conn;         /* NULL or bad while the database is unreachable */
  char       *instance_id;
  GHashTable *prepared;     /* const char *sql (static) -> statement name */
  SiServerStorageRows rows; /* the record algorithm's state (si-server-storage-records.c) */
  gboolean    in_transaction; /* BEGIN sent, COMMIT or ROLLBACK not yet */
  gint64      backoff_usec;
  gint64      next_attempt; /* monotonic µs of the next reconnection attempt */
  char        sqlstate[6];  /* of the last failed statement */
};

#define SI_TYPE_SERVER_STORAGE_PG (si_server_storage_pg_get_type ())
G_DECLARE_FINAL_TYPE (SiServerStoragePg, si_server_storage_pg, SI, SERVER_STORAGE_PG, GObject)

static void storage_iface_init (SiServerStorageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SiServerStoragePg, si_server_storage_pg, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SI_TYPE_SERVER_STORAGE, storage_iface_init))

/* ---------------------------------------------------------------------------------------- */
/* connection */

static gboolean
state_is_connection_loss (const char *state)
{
  /* 08: connection exception; 57P01-03: admin/crash shutdown, cannot connect now;
   * 40001/40P01: serialization failure, deadlock (try again). */
  return g_str_has_prefix (state, "08") || g_str_has_prefix (state, "57P") ||
         g_str_equal (state, "40001") || g_str_equal (state, "40P01");
}

static void
schedule_reconnect (SiServerStoragePg *self)
{
  self->backoff_usec = self->backoff_usec == 0 ? BACKOFF_MIN_USEC
                                               : MIN (self->backoff_usec * 2, BACKOFF_MAX_USEC);
  self->next_attempt = g_get_monotonic_time () + self->backoff_usec;
}

static gboolean
set_unavailable (SiServerStoragePg  *self,
                 GError            **error,
                 const char         *detail)
{
  g_autofree char *clean = g_strchomp (g_strdup (detail ? detail : ""));

  g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_UNAVAILABLE,
               "The database %s cannot be reached: %s", self->display, clean);
  return FALSE;
}

static gboolean
try_connect (SiServerStoragePg  *self,
             GError            **error)
{
  /* Defaults first: the URI's own values override them. */
  const char *keywords[] = { "application_name", "connect_timeout", "dbname", NULL };
  const char *values[] = { "saveidea-server", "5", self->conninfo, NULL };

  g_clear_pointer (&self->conn, PQfinish);
  g_hash_table_remove_all (self->prepared);

  self->conn = PQconnectdbParams (keywords, values, 1);
  if (self->conn == NULL || PQstatus (self->conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strdup (self->conn ? PQerrorMessage (self->conn) : "out of memory");

      g_clear_pointer (&self->conn, PQfinish);
      schedule_reconnect (self);
      return set_unavailable (self, error, message);
    }
  if (self->backoff_usec != 0)
    g_message ("Connected again to the database %s", self->display);
  self->backoff_usec = 0;
  self->next_attempt = 0;
  return TRUE;
}

/* Makes sure the connection is usable before a call: notices a connection that the database
 * closed while it was idle, and reconnects (outside a transaction) when the backoff allows. */
static gboolean
ensure_connected (SiServerStoragePg  *self,
                  GError            **error)
{
  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK && !self->in_transaction)
    PQconsumeInput (self->conn);  /* reads a pending FATAL and EOF, if any */

  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK)
    return TRUE;

  /* Never carry on a transaction on a new connection: the old one's work is gone. */
  if (self->in_transaction)
    return set_unavailable (self, error, "the connection was lost during the transaction");

  if (self->conn != NULL)
    {
      g_message ("Lost the connection to the database %s: %s", self->display,
                 PQerrorMessage (self->conn));
      g_clear_pointer (&self->conn, PQfinish);
      self->next_attempt = 0;  /* the first attempt at once */
    }
  if (g_get_monotonic_time () < self->next_attempt)
    return set_unavailable (self, error, "waiting before the next attempt to reconnect");
  return try_connect (self, error);
}

static gboolean
result_error (SiServerStoragePg  *self,
              PGresult           *res,
              const char         *what,
              GError            **error)
{
  const char *state = res ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
  const char *message = res ? PQresultErrorMessage (res) : PQerrorMessage (self->conn);
  g_autofree char *clean = g_strchomp (g_strdup (message ? message : ""));

  g_assert (self->conn != NULL);
  g_strlcpy (self->sqlstate, state ? state : "", sizeof self->sqlstate);
  if (PQstatus (self->conn) != CONNECTION_OK || (state != NULL && state_is_connection_loss (state)))
    {
      /* The backend is going away (terminated, shut down): drop the connection now, and the
       * next call outside a transaction makes a new one. A deadlock or serialization failure
       * keeps the connection; the transaction is undone all the same. */
      if (!g_str_has_prefix (self->sqlstate, "40"))
        {
          g_message ("Lost the connection to the database %s: %s", self->display, clean);
          g_clear_pointer (&self->conn, PQfinish);
          self->next_attempt = 0;
        }
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_UNAVAILABLE,
                   "Could not %s in %s: %s", what, self->display, clean);
      return FALSE;
    }
  g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_FAILED,
               "Could not %s in %s: %s", what, self->display, clean);
  return FALSE;
}

/* A statement outside a transaction that failed because the connection was found dead (the
 * database restarted, or ended the idle connection) runs once more on a new connection. Only
 * outside a transaction: inside one, the work done so far is gone, and the caller must fail. */
static gboolean
retry_on_new_connection (SiServerStoragePg  *self,
                         guint               attempt,
                         GError            **error)
{
  if (attempt > 0 || self->in_transaction || self->conn != NULL || error == NULL || *error == NULL ||
      !g_error_matches (*error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_UNAVAILABLE))
    return FALSE;
  g_clear_error (error);
  return TRUE;
}

static PGresult *exec_params_once (SiServerStoragePg  *self,
                                   const char         *sql,
                                   const Params       *p,
                                   const char         *what,
                                   GError            **error);

/* self->sqlstate says why a statement failed. */
PGresult *
_si_server_storage_pg_exec_params (gpointer       backend,
                                   const char    *sql,
                                   const Params  *p,
                                   const char    *what,
                                   GError       **error)
{
  SiServerStoragePg *self = backend;
  g_autoptr(GError) local_error = NULL;
  PGresult *res;

  for (guint attempt = 0; ; attempt++)
    {
      res = exec_params_once (self, sql, p, what, &local_error);
      if (res != NULL || !retry_on_new_connection (self, attempt, &local_error))
        break;
    }
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return res;
}

static PGresult *
exec_params_once (SiServerStoragePg  *self,
                  const char         *sql,
                  const Params       *p,
                  const char         *what,
                  GError            **error)
{
  const char *name;
  PGresult *res;
  ExecStatusType status;

  self->sqlstate[0] = '\0';
  if (!ensure_connected (self, error))
    return NULL;
  /* After ensure_connected(): a new connection has none of the old one's statements. */
  name = g_hash_table_lookup (self->prepared, sql);

  if (name == NULL)
    {
      g_autoptr(PGresult) prepared = NULL;
      char *new_name = g_strdup_printf ("s%u", g_hash_table_size (self->prepared));

      prepared = PQprepare (self->conn, new_name, sql, p ? p->n : 0, NULL);
      if (prepared == NULL || PQresultStatus (prepared) != PGRES_COMMAND_OK)
        {
          g_free (new_name);
          result_error (self, prepared, what, error);
          return NULL;
        }
      g_hash_table_insert (self->prepared, (gpointer) sql, new_name);
      name = new_name;
    }

  res = PQexecPrepared (self->conn, name, p ? p->n : 0, p ? p->values : NULL, NULL, NULL, 0);
  status = res ? PQresultStatus (res) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      result_error (self, res, what, error);
      g_clear_pointer (&res, PQclear);
    }
  return res;
}

/* Runs a statement without parameters or results (transaction control, DDL). */
gboolean
_si_server_storage_pg_exec_simple (gpointer     backend,
                                   const char  *sql,
                                   const char  *what,
                                   GError     **error)
{
  SiServerStoragePg *self = backend;
  g_autoptr(GError) local_error = NULL;

  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(PGresult) res = NULL;
      ExecStatusType status;

      if (ensure_connected (self, &local_error))
        {
          res = PQexec (self->conn, sql);
          status = res ? PQresultStatus (res) : PGRES_FATAL_ERROR;
          if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
            return TRUE;
          result_error (self, res, what, &local_error);
        }
      if (!retry_on_new_connection (self, attempt, &local_error))
        break;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
_si_server_storage_pg_tx_begin (gpointer   backend,
                                GError   **error)
{
  SiServerStoragePg *self = backend;

  g_assert (!self->in_transaction);
  if (!_si_server_storage_pg_exec_simple (self, "BEGIN", "start a transaction", error))
    return FALSE;
  self->in_transaction = TRUE;
  return TRUE;
}

/* COMMIT (@commit) or ROLLBACK. A COMMIT is sent only on the connection that began the
 * transaction and only if nothing in it failed: otherwise PostgreSQL would answer a COMMIT
 * of an aborted transaction with a quiet ROLLBACK. */
gboolean
_si_server_storage_pg_tx_end (gpointer   backend,
                              gboolean   commit,
                              GError   **error)
{
  SiServerStoragePg *self = backend;
  gboolean alive = self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK;
  gboolean ok = FALSE;

  if (commit && alive && PQtransactionStatus (self->conn) == PQTRANS_INTRANS)
    ok = _si_server_storage_pg_exec_simple (self, "COMMIT", "commit", error);
  else if (commit && !alive)
    set_unavailable (self, error, "the connection was lost during the transaction");
  else if (commit)
    g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_FAILED,
                 "Could not commit in %s: a statement of the transaction failed", self->display);

  if (!ok && self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK &&
      PQtransactionStatus (self->conn) != PQTRANS_IDLE)
    _si_server_storage_pg_exec_simple (self, "ROLLBACK", "roll back", NULL);
  self->in_transaction = FALSE;
  return ok;
}

/* ---------------------------------------------------------------------------------------- */
/* interface: instance, accounts, tokens */

static const char *
pg_get_instance_id (SiServerStorage *storage)
{
  return SI_SERVER_STORAGE_PG (storage)->instance_id;
}

static guint
pg_get_retry_after (SiServerStorage *storage)
{
  SiServerStoragePg *self = SI_SERVER_STORAGE_PG (storage);
  gint64 left = self->next_attempt - g_get_monotonic_time ();

  return left > 0 ? (guint) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 1;
}

static gboolean
pg_account_add (SiServerStorage  *storage,
                const char       *name,
                const char       *password_hash,
                GError          **error)
{
  SiServerStoragePg *self = SI_SERVER_STORAGE_PG (storage);
  g_autoptr(PGresult) res = NULL;
  g_autoptr(GError) local_error = NULL;
  Params p = { 0 };

  param_text (&p, name);
  param_text (&p, password_hash);
  param_int (&p, _si_server_storage_now_ms ());
  res = _si_server_storage_pg_exec_params (self, "INSERT INTO accounts (name, pwhash, created_at) VALUES ($1, $2, $3)",
                                           &p, "add an account", &local_error);
  if (res == NULL && g_str_equal (self->sqlstate, "23505"))
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_EXISTS,
                   "There is already an account named %s", name);
      return FALSE;
    }
  if (res == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static char *
pg_account_lookup (SiServerStorage  *storage,
                   const char       *name,
                   gint64           *out_account_id,
                   GError          **error)
{
  SiServerStoragePg *self = SI_SERVER_STORAGE_PG (storage);
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_text (&p, name);
  res = _si_server_storage_pg_exec_params (self, "SELECT id, pwhash FROM accounts WHERE lower(name COLLATE \"C\") = lower($1 COLLATE \"C\")",
                                           &p, "look up an account", error);
  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_FOUND,
                   "There is no account named %s", name);
      return NULL;
    }
  if (out_account_id)
    *out_account_id = get_int (res, 0, 0);
  return g_strdup (PQgetvalue (res, 0, 1));
}

static char **
pg_account_list (SiServerStorage  *storage,
                 GError          **error)
{
  SiServerStoragePg *self = SI_SERVER_STORAGE_PG (storage);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr(PGresult) res = NULL;

  res = _si_server_storage_pg_exec_params (self, "SELECT name FROM accounts ORDER BY lower(name COLLATE \"C\")", NULL,
                                           "list the accounts", error);
  if (res == NULL)
    return NULL;
  for (int i = 0; i < PQntuples (res); i++)
    g_strv_builder_add (names, PQgetvalue (res, i, 0));
  return g_strv_builder_end (names);
}

/* Runs a statement on the account named by its first parameter; NOT_FOUND if none. */
static gboolean
change_account (SiServerStoragePg  *self,
                const char         *sql,
                const Params       *p,
                const char         *what,
                GError            **error)
{
  g_autoptr(PGresult) res = _si_server_storage_pg_exec_params (self, sql, p, what, error);

  if (res == NULL)
    return FALSE;
  if (g_ascii_strtoll (PQcmdTuples (res), NULL, 10) == 0)
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_FOUND,
                   "There is no account named %s", p->values[0]);
      return FALSE;
    }
  return TRUE;
}

static gboolean
pg_account_delete (SiServerStorage  *storage,
                   const char       *name,
                   GError          **error)
{
  SiServerStoragePg *self = SI_SERVER_STORAGE_PG (storage);
  Params p = { 0 };

  /* One statement; the cascades take the tokens, the records and the tag links with it. */
  param_text (&p, name);
  return change_account (self, "DELETE FROM accounts WHERE lower(name COLLATE \"C\") = lower($1 COLLATE \"C\")",
                         &p, "delete an account", error);
}

static gboolean
pg_account_set_password (SiServerStorage  *storage,
                         const char       *name,
                         const char       *password_hash,
                         GError          **error)
{
  SiServerStoragePg *self = SI_SERVER_STORAGE_PG (storage);
  g_autoptr(PGresult) res = NULL;
  gboolean ok;
  Params p = { 0 };

  if (!_si_server_storage_write_begin (&self->rows, error))
    return FALSE;
  param_text (&p, name);
  param_text (&p, password_hash);
  ok = change_account (self, "UPDATE accounts SET pwhash = $2 WHERE lower(name COLLATE \"C\") = lower($1 COLLATE \"C\")",
                       &p, "change a password", error);
  if (ok)
    {
      p.n = 1;
      res = _si_server_storage_pg_exec_params (self, "DELETE FROM tokens WHERE account_id ="
                               " (SELECT id FROM accounts WHERE lower(name COLLATE \"C\") = lower($1 COLLATE \"C\"))",
                         &p, "revoke tokens", error);
      ok = res != NULL;
    }
  return _si_server_storage_write_end (&self->rows, ok, ok ? error : NULL) && ok;
}

static gboolean
pg_token_add (SiServerStorage  *storage,
              gint64            account_id,
              const char       *token_hash,
              GError          **error)
{
  SiServerStoragePg *self = SI_SERVER_STORAGE_PG (storage);
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_text (&p, token_hash);
  param_int (&p, account_id);
  param_int (&p, _si_server_storage_now_ms ());
  res = _si_server_storage_pg_exec_params (self, "INSERT INTO tokens (hash, account_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                           &p, "store a token", error);
  return res != NULL;
}

static gint64
pg_token_lookup (SiServerStorage  *storage,
                 const char       *token_hash,
                 GError          **error)
{
  SiServerStoragePg *self = SI_SERVER_STORAGE_PG (storage);
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_text (&p, token_hash);
  res = _si_server_storage_pg_exec_params (self, "SELECT account_id FROM tokens WHERE hash = $1", &p, "look up a token", error);
  if (res == NULL || PQntuples (res) == 0)
    return 0;
  return get_int (res, 0, 0);
}

static gboolean
pg_token_revoke (SiServerStorage  *storage,
                 const char       *token_hash,
                 GError          **error)
{
  SiServerStoragePg *self = SI_SERVER_STORAGE_PG (storage);
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_text (&p, token_hash);
  res = _si_server_storage_pg_exec_params (self, "DELETE FROM tokens WHERE hash = $1", &p, "revoke a token", error);
  return res != NULL;
}

static SiServerStorageRows *
pg_rows (SiServerStorage *storage)
{
  return &SI_SERVER_STORAGE_PG (storage)->rows;
}

/* ---------------------------------------------------------------------------------------- */
/* opening */

static void
si_server_storage_pg_finalize (GObject *object)
{
  SiServerStoragePg *self = SI_SERVER_STORAGE_PG (object);

  g_clear_pointer (&self->conn, PQfinish);
  g_clear_pointer (&self->prepared, g_hash_table_unref);
  g_clear_pointer (&self->conninfo, g_free);
  g_clear_pointer (&self->display, g_free);
  g_clear_pointer (&self->instance_id, g_free);

  G_OBJECT_CLASS (si_server_storage_pg_parent_class)->finalize (object);
}

static void
si_server_storage_pg_class_init (SiServerStoragePgClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = si_server_storage_pg_finalize;
}

static void
si_server_storage_pg_init (SiServerStoragePg *self)
{
  self->prepared = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  _si_server_storage_rows_init (&self->rows, &_si_server_storage_pg_row_ops, self);
}

static void
storage_iface_init (SiServerStorageInterface *iface)
{
  iface->get_instance_id = pg_get_instance_id;
  iface->get_retry_after = pg_get_retry_after;
  iface->account_add = pg_account_add;
  iface->account_lookup = pg_account_lookup;
  iface->account_list = pg_account_list;
  iface->account_delete = pg_account_delete;
  iface->account_set_password = pg_account_set_password;
  iface->token_add = pg_token_add;
  iface->token_lookup = pg_token_lookup;
  iface->token_revoke = pg_token_revoke;
  iface->rows = pg_rows;
  iface->records_list = _si_server_storage_pg_records_list;
}

/* "host/dbname" of a connection string, for messages (never the password). */
static char *
describe (const char *conninfo)
{
  PQconninfoOption *options = PQconninfoParse (conninfo, NULL);
  const char *host = NULL;
  const char *dbname = NULL;
  char *text;

  for (PQconninfoOption *o = options; o != NULL && o->keyword != NULL; o++)
    {
      if (g_str_equal (o->keyword, "host") && o->val != NULL && o->val[0] != '\0')
        host = o->val;
      else if (g_str_equal (o->keyword, "dbname") && o->val != NULL)
        dbname = o->val;
    }
  text = g_strdup_printf ("%s/%s", host ? host : "localhost", dbname ? dbname : "");
  PQconninfoFree (options);
  return text;
}

/* The value of meta @key, or NULL (no error) if absent. */
static char *
meta_get (SiServerStoragePg  *self,
          const char         *key,
          GError            **error)
{
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_text (&p, key);
  res = _si_server_storage_pg_exec_params (self, "SELECT value FROM meta WHERE key = $1", &p, "read the schema version", error);
  if (res == NULL || PQntuples (res) == 0)
    return NULL;
  return g_strdup (PQgetvalue (res, 0, 0));
}

static gboolean
meta_set (SiServerStoragePg  *self,
          const char         *key,
          const char         *value,
          GError            **error)
{
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_text (&p, key);
  param_text (&p, value);
  res = _si_server_storage_pg_exec_params (self, "INSERT INTO meta (key, value) VALUES ($1, $2)"
                           " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     &p, "write the schema version", error);
  return res != NULL;
}

/* Forward migrations of a schema of @version (schema_sql makes the newest at once). */
static gboolean
migrate_schema (SiServerStoragePg  *self,
                gint64              version,
                GError            **error)
{
  /* 1 -> 2: the device that wrote each record's version. */
  if (version < 2 &&
      (!_si_server_storage_pg_exec_simple (self, "ALTER TABLE records ADD COLUMN IF NOT EXISTS device text",
                                           "add the records' device column", error) ||
       !meta_set (self, "schema_version", "2", error)))
    return FALSE;
  /* 2 -> 3: kept versions of ideas and the trash. */
  if (version < 3 &&
      (!_si_server_storage_pg_exec_simple (self, "ALTER TABLE records ADD COLUMN IF NOT EXISTS written_at bigint;"
                                           HISTORY_SCHEMA_SQL, "add the kept versions of ideas", error) ||
       !meta_set (self, "schema_version", "3", error)))
    return FALSE;
  return TRUE;
}

/* Creates or migrates the schema, one instance at a time (an advisory lock). */
static gboolean
prepare_schema (SiServerStoragePg  *self,
                GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *version_text = NULL;
  gint64 version = 0;

  if (!_si_server_storage_pg_tx_begin (self, error))
    return FALSE;
  if (!_si_server_storage_pg_exec_simple (self, "SELECT pg_advisory_xact_lock(" SCHEMA_LOCK_KEY ")", "lock the schema", &local_error) ||
      !_si_server_storage_pg_exec_simple (self, "SET LOCAL client_min_messages = warning;" META_SQL,
                                          "create the schema", &local_error))
    goto fail;

  version_text = meta_get (self, "schema_version", &local_error);
  if (local_error != NULL)
    goto fail;
  if (version_text != NULL)
    version = g_ascii_strtoll (version_text, NULL, 10);
  if (version > SCHEMA_VERSION)
    {
      g_set_error (&local_error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NEWER_SCHEMA,
                   "The database %s was made by a newer saveidea-server (schema %" G_GINT64_FORMAT
                   ", this one knows up to %d); use that version", self->display, version, SCHEMA_VERSION);
      goto fail;
    }
  if (version == 0)
    {
      g_autofree char *uuid = g_uuid_string_random ();

      g_debug ("Creating the schema in %s (instance %s)", self->display, uuid);
      if (!_si_server_storage_pg_exec_simple (self, schema_sql, "create the schema", &local_error) ||
          !meta_set (self, "instance_id", uuid, &local_error) ||
          !meta_set (self, "schema_version", G_STRINGIFY (SCHEMA_VERSION), &local_error))
        goto fail;
    }
  else if (!migrate_schema (self, version, &local_error))
    goto fail;

  self->instance_id = meta_get (self, "instance_id", &local_error);
  if (self->instance_id == NULL || !g_uuid_string_is_valid (self->instance_id))
    {
      g_clear_error (&local_error);
      g_set_error (&local_error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_FAILED,
                   "The database %s has no valid instance id; it is not a saveidea-server database",
                   self->display);
      goto fail;
    }
  return _si_server_storage_pg_tx_end (self, TRUE, error);

fail:
  _si_server_storage_pg_tx_end (self, FALSE, NULL);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* A new object with its first connection. */
static SiServerStoragePg *
connect_new (const char  *conninfo,
             GError     **error)
{
  g_autoptr(SiServerStoragePg) self = NULL;
  g_autoptr(GError) local_error = NULL;

  self = g_object_new (SI_TYPE_SERVER_STORAGE_PG, NULL);
  self->conninfo = g_strdup (conninfo);
  self->display = describe (conninfo);

  if (!try_connect (self, &local_error))
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_FAILED,
                   "Could not connect to PostgreSQL: %s", local_error->message);
      return NULL;
    }
  return g_steal_pointer (&self);
}

SiServerStorage *
si_server_storage_pg_open (const char  *conninfo,
                           GError     **error)
{
  g_autoptr(SiServerStoragePg) self = NULL;

  g_return_val_if_fail (conninfo != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = connect_new (conninfo, error);
  if (self == NULL || !prepare_schema (self, error))
    return NULL;
  return SI_SERVER_STORAGE (g_steal_pointer (&self));
}

/* ---------------------------------------------------------------------------------------- */
/* the target of copy-to */

/* IN_USE while another saveidea-server is connected to the database: it would go on serving
 * with the instance id it read when it started. */
static gboolean
check_no_server (SiServerStoragePg  *self,
                 GError            **error)
{
  g_autoptr(PGresult) res = NULL;

  res = _si_server_storage_pg_exec_params (self, "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                           " AND application_name = 'saveidea-server' AND pid <> pg_backend_pid()",
                     NULL, "look for running servers", error);
  if (res == NULL)
    return FALSE;
  if (PQntuples (res) > 0)
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_IN_USE,
                   "A saveidea-server is connected to the database %s (backend process %s): "
                   "stop every server that uses it first", self->display, PQgetvalue (res, 0, 0));
      return FALSE;
    }
  return TRUE;
}

/* Whether the database is empty: no tables (*out_has_schema FALSE), or the tables of a
 * saveidea-server of this schema version that never had an account (*out_has_schema TRUE).
 * NOT_EMPTY otherwise. */
static gboolean
check_empty (SiServerStoragePg  *self,
             gboolean           *out_has_schema,
             GError            **error)
{
  g_autoptr(PGresult) tables = NULL;
  g_autoptr(PGresult) rows = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *version = NULL;

  tables = _si_server_storage_pg_exec_params (self, "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                              " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
                              " ORDER BY c.relname",
                        NULL, "list the tables", error);
  if (tables == NULL)
    return FALSE;
  for (int i = 0; i < PQntuples (tables); i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", PQgetvalue (tables, i, 0));

  *out_has_schema = PQntuples (tables) > 0;
  if (!*out_has_schema)
    return TRUE;
  /* This server's tables, or those of a schema before 3 (migrated below). */
  if (!g_str_equal (names->str, "accounts, idea_history, idea_tags, meta, records, tokens") &&
      !g_str_equal (names->str, "accounts, idea_tags, meta, records, tokens"))
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_EMPTY,
                   "The database %s is not empty (it has the tables %s): copy into a new, "
                   "empty database", self->display, names->str);
      return FALSE;
    }

  version = meta_get (self, "schema_version", error);
  if (version == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_EMPTY,
                     "The database %s has tables but no schema version: copy into a new, empty "
                     "database", self->display);
      return FALSE;
    }
  rows = _si_server_storage_pg_exec_params (self, "SELECT EXISTS (SELECT 1 FROM accounts) OR EXISTS (SELECT 1 FROM tokens)"
                            " OR EXISTS (SELECT 1 FROM records) OR EXISTS (SELECT 1 FROM idea_tags)"
                            " OR (to_regclass('idea_history') IS NOT NULL AND EXISTS (SELECT 1 FROM idea_history))",
                      NULL, "look for data", error);
  if (rows == NULL)
    return FALSE;
  if (get_bool (rows, 0, 0) || g_ascii_strtoll (version, NULL, 10) > SCHEMA_VERSION ||
      g_ascii_strtoll (version, NULL, 10) < 1)
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_EMPTY,
                   "The database %s already holds a saveidea-server's data: copy into a new, "
                   "empty database", self->display);
      return FALSE;
    }
  return TRUE;
}

SiServerStorage *
_si_server_storage_pg_open_empty (const char  *conninfo,
                                  GError     **error)
{
  g_autoptr(SiServerStoragePg) self = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean has_schema = FALSE;

  g_return_val_if_fail (conninfo != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = connect_new (conninfo, error);
  if (self == NULL || !_si_server_storage_pg_tx_begin (self, error))
    return NULL;
  /* The lock of prepare_schema(): a server that starts meanwhile waits for the copy. */
  if (!_si_server_storage_pg_exec_simple (self, "SELECT pg_advisory_xact_lock(" SCHEMA_LOCK_KEY ")", "lock the schema", &local_error) ||
      !_si_server_storage_pg_exec_simple (self, "SET LOCAL client_min_messages = warning; SET LOCAL client_encoding = 'UTF8'",
                                          "set up the copy", &local_error) ||
      !check_no_server (self, &local_error) ||
      !check_empty (self, &has_schema, &local_error))
    goto fail;

  /* A schema made by a server that never had an account: only its instance id goes, and an
   * older server's schema is brought up to date. */
  if (has_schema)
    {
      g_autofree char *version = meta_get (self, "schema_version", &local_error);

      if (version == NULL ||
          !migrate_schema (self, g_ascii_strtoll (version, NULL, 10), &local_error) ||
          !_si_server_storage_pg_exec_simple (self, "DELETE FROM meta WHERE key <> 'schema_version'",
                                              "clear the instance id", &local_error))
        goto fail;
    }
  if (!has_schema &&
      !_si_server_storage_pg_exec_simple (self, META_SQL, "create the schema", &local_error))
    goto fail;
  if (!has_schema && !_si_server_storage_pg_exec_simple (self, schema_sql, "create the schema", &local_error))
    goto fail;
  return SI_SERVER_STORAGE (g_steal_pointer (&self));

fail:
  _si_server_storage_pg_tx_end (self, FALSE, NULL);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/* The connection of a copy, still in its transaction. */
static gboolean
copy_connection_ok (SiServerStoragePg  *self,
                    GError            **error)
{
  if (self->in_transaction && self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK)
    return TRUE;
  return set_unavailable (self, error, "the connection was lost during the copy");
}

gboolean
_si_server_storage_pg_copy_begin (SiServerStorage  *storage,
                                  const char       *table,
                                  const char       *columns,
                                  GError          **error)
{
  SiServerStoragePg *self = SI_SERVER_STORAGE_PG (storage);
  g_autofree char *sql = NULL;
  g_autoptr(PGresult) res = NULL;

  if (!copy_connection_ok (self, error))
    return FALSE;
  /* @table and @columns are the copier's constants, never user input. */
  sql = g_strdup_printf ("COPY %s (%s) FROM STDIN", table, columns);
  res = PQexec (self->conn, sql);
  if (res == NULL || PQresultStatus (res) != PGRES_COPY_IN)
    return result_error (self, res, "start copying a table", error);
  return TRUE;
}

gboolean
_si_server_storage_pg_copy_data (SiServerStorage  *storage,
                                 const char       *data,
                                 gsize             length,
                                 GError          **error)
{
  SiServerStoragePg *self = SI_SERVER_STORAGE_PG (storage);

  g_return_val_if_fail (length <= G_MAXINT, FALSE);

  if (!copy_connection_ok (self, error))
    return FALSE;
  if (PQputCopyData (self->conn, data, (int) length) != 1)
    return result_error (self, NULL, "copy rows", error);
  return TRUE;
}

gboolean
_si_server_storage_pg_copy_end (SiServerStorage  *storage,
                                GError          **error)
{
  SiServerStoragePg *self = SI_SERVER_STORAGE_PG (storage);
  gboolean ok = TRUE;
  PGresult *res;

  if (!copy_connection_ok (self, error))
    return FALSE;
  if (PQputCopyEnd (self->conn, NULL) != 1)
    return result_error (self, NULL, "finish copying a table", error);
  /* The result of the COPY (its constraint checks), then the NULL that ends it. */
  while ((res = PQgetResult (self->conn)) != NULL)
    {
      if (ok && PQresultStatus (res) != PGRES_COMMAND_OK)
        ok = result_error (self, res, "copy a table", error);
      PQclear (res);
    }
  return ok;
}

gboolean
_si_server_storage_pg_finish_copy (SiServerStorage  *storage,
                                   const char       *expected_instance_id,
                                   GError          **error)
{
  SiServerStoragePg *self = SI_SERVER_STORAGE_PG (storage);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *version = g_strdup_printf ("%d", SCHEMA_VERSION);
  g_autofree char *instance_id = NULL;

  if (!copy_connection_ok (self, error))
    return FALSE;

  /* The next account and record get ids above the copied ones (none was ever reused). */
  if (!_si_server_storage_pg_exec_simple (self,
                                          "SELECT setval(pg_get_serial_sequence('accounts', 'id'), coalesce(max(id), 0) + 1, false) FROM accounts;"
                                          "SELECT setval(pg_get_serial_sequence('records', 'id'), coalesce(max(id), 0) + 1, false) FROM records;"
                                          "SELECT setval(pg_get_serial_sequence('idea_history', 'id'), coalesce(max(id), 0) + 1, false) FROM idea_history",
                                          "move the id sequences past the copied ids", &local_error) ||
      !meta_set (self, "schema_version", version, &local_error))
    goto fail;

  instance_id = meta_get (self, "instance_id", &local_error);
  if (instance_id == NULL || !g_str_equal (instance_id, expected_instance_id))
    {
      g_clear_error (&local_error);
      g_set_error (&local_error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_FAILED,
                   "The copy has the instance id %s instead of %s; nothing was copied to %s",
                   instance_id ? instance_id : "(none)", expected_instance_id, self->display);
      goto fail;
    }
  /* Statistics for the planner at once, rather than at autovacuum's next round. */
  if (!_si_server_storage_pg_exec_simple (self, "ANALYZE accounts, tokens, records, idea_tags", "analyze the copy", &local_error) ||
      !_si_server_storage_pg_tx_end (self, TRUE, &local_error))
    goto fail;
  g_free (self->instance_id);
  self->instance_id = g_steal_pointer (&instance_id);
  return TRUE;

fail:
  _si_server_storage_pg_tx_end (self, FALSE, NULL);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}
