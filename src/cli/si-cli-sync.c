/* si-cli-sync.c — saveidea-cli login, logout, sync and status. */
#define G_LOG_DOMAIN "saveidea-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "si-account.h"
#include "si-cli.h"
#include "si-i18n.h"
#include "si-sync-engine.h"

static int
exit_code_for (const GError *error)
{
  if (error->domain == SI_SYNC_ERROR)
    switch ((SiSyncError) error->code)
      {
      case SI_SYNC_ERROR_NETWORK:
      case SI_SYNC_ERROR_SERVER:
      case SI_SYNC_ERROR_NOT_SAVEIDEA:
        return SI_CLI_EXIT_NETWORK;
      case SI_SYNC_ERROR_NEEDS_LOGIN:
      case SI_SYNC_ERROR_WRONG_PASSWORD:
      case SI_SYNC_ERROR_NOT_CONFIGURED:
      case SI_SYNC_ERROR_KEYRING:
        return SI_CLI_EXIT_NEEDS_LOGIN;
      case SI_SYNC_ERROR_SERVER_REPLACED:
        return SI_CLI_EXIT_SERVER_REPLACED;
      case SI_SYNC_ERROR_UNSYNCED_CHANGES:
        return SI_CLI_EXIT_INVALID;
      case SI_SYNC_ERROR_STORE:
      case SI_SYNC_ERROR_BUSY:
      case SI_SYNC_ERROR_FAILED:
      default:
        return SI_CLI_EXIT_STORAGE;
      }
  return si_cli_exit_code_for_error (error);
}

static int
fail (SiCliContext *ctx,
      const GError *error)
{
  return si_cli_fail (ctx, exit_code_for (error), "%s", error->message);
}

static GAsyncResult *wait_for (GAsyncResult **result);
static void got_result (GObject *source, GAsyncResult *result, gpointer user_data);

/* The server refused the token (or there is none): the account goes into "needs login" (the
 * token leaves the keyring; the server, the user and the changes waiting stay), exit 6. */
static int
fail_needs_login (SiCliContext *ctx,
                  SiAccount    *account,
                  const GError *error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) forget_error = NULL;

  si_account_forget_token_async (account, NULL, got_result, &result);
  if (!si_account_forget_token_finish (account, wait_for (&result), &forget_error))
    g_printerr ("saveidea-cli: %s\n", forget_error->message);
  /* Translators: %s says why the login is needed; the command is typed as it is. */
  return si_cli_fail (ctx, SI_CLI_EXIT_NEEDS_LOGIN, _("%s (log in again with: saveidea-cli login)"), error->message);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

int
si_cli_cmd_login (SiCliContext *ctx,
                  int           argc,
                  char        **argv)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *password = NULL;
  g_autofree char *url = NULL, *user = NULL;
  SiStore *store;
  int code = 0;
  gsize len;

  if (!si_cli_parse_options (ctx, NULL, &argc, &argv, &code))
    return code;
  args = si_cli_positional (argc, argv);
  if (args->len != 2 && args->len != 0)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("usage: login [URL USER] (the password on standard input)"));
  if (!(store = si_cli_get_store (ctx, &code)))
    return code;
  account = si_account_new (store);
  if (args->len == 2)
    {
      url = g_strdup (g_ptr_array_index (args, 0));
      user = g_strdup (g_ptr_array_index (args, 1));
    }
  else if (si_account_get_configured (account))
    {
      /* Log in again (a changed password, a revoked login): the notebook's server and user. */
      url = g_strdup (si_account_get_server_url (account));
      user = g_strdup (si_account_get_username (account));
    }
  else
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE,
                        _("this notebook has no server account yet: log in with: saveidea-cli login URL USER"));
  password = si_cli_read_stdin (4096, &error);
  if (password == NULL)
    return si_cli_fail_error (ctx, error);
  len = strlen (password);
  while (len > 0 && (password[len - 1] == '\n' || password[len - 1] == '\r'))
    password[--len] = '\0';
  if (len == 0)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("no password given: write it as one line on standard input"));

  si_account_login_async (account, url, user, password, ctx->cancellable, got_result, &result);
  memset (password, 0, len);
  if (!si_account_login_finish (account, wait_for (&result), &error))
    return fail (ctx, error);
  /* Translators: the server's address, then the user name. */
  g_print (_("Logged in to %s as %s\n"), si_account_get_server_url (account), si_account_get_username (account));
  return SI_CLI_EXIT_OK;
}

int
si_cli_cmd_logout (SiCliContext *ctx,
                   int           argc,
                   char        **argv)
{
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Log out even though changes are not synced (they stay here)"), NULL },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(SiAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  SiStore *store;
  int code = 0;

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &code))
    return code;
  if (!(store = si_cli_get_store (ctx, &code)))
    return code;
  account = si_account_new (store);
  si_account_logout_async (account, force, ctx->cancellable, got_result, &result);
  if (!si_account_logout_finish (account, wait_for (&result), &error))
    return fail (ctx, error);
  g_print (_("Logged out\n"));
  return SI_CLI_EXIT_OK;
}

/* "Syncing 1,200 of 5,000" on standard error while a sync runs: rewritten in place on a
 * terminal (at most ten times a second), one line per step otherwise (--progress). */
typedef struct {
  gboolean terminal;
  gint64   last_shown;
  gboolean shown;
} Progress;

static void
progress_cb (SiSyncEngine *engine,
             GParamSpec   *pspec,
             Progress     *progress)
{
  guint done = si_sync_engine_get_progress_done (engine);
  guint total = si_sync_engine_get_progress_total (engine);
  gint64 now = g_get_monotonic_time ();
  g_autofree char *text = NULL;

  if (total == 0 || done == 0)
    return;
  if (progress->terminal && done < total && now - progress->last_shown < G_USEC_PER_SEC / 10)
    return;
  progress->last_shown = now;
  text = si_format_sync_progress (done, total);
  if (progress->terminal)
    g_printerr ("\r\033[K%s", text);
  else
    g_printerr ("%s\n", text);
  progress->shown = TRUE;
}

/* What a sync's pull leaves waiting for the search index (its pages of 100 records or more:
 * si-store-search.c) is indexed before the command ends when it is this many ideas or fewer,
 * about 60 ms: an everyday sync leaves the notebook whole. More, as in a first download, is
 * left for the first search (si_cli_cmd_list()) or the app, so that the download itself does
 * not wait for it; a search finds the waiting ideas all the same meanwhile. */
#define FILL_AT_SYNC 4000

static void
fill_search_if_small (SiCliContext *ctx,
                      SiStore      *store,
                      gboolean      tell)
{
  g_autoptr(GError) error = NULL;
  guint waiting = si_store_get_search_pending (store);

  if (waiting == 0)
    return;
  if (waiting > FILL_AT_SYNC)
    {
      if (tell)
        g_printerr (ngettext ("%u idea waits for the search index; the next search indexes it first\n",
                              "%u ideas wait for the search index; the next search indexes them first\n",
                              waiting), waiting);
      return;
    }
  /* A notebook that cannot be written now keeps them waiting: still found. */
  if (!si_store_fill_search (store, ctx->cancellable, &error))
    g_debug ("The search index was not filled: %s", error->message);
}

int
si_cli_cmd_sync (SiCliContext *ctx,
                 int           argc,
                 char        **argv)
{
  gboolean full = FALSE, pull = FALSE, push = FALSE, show_progress = FALSE;
  const GOptionEntry entries[] = {
    { "progress", 0, 0, G_OPTION_ARG_NONE, &show_progress, N_("Show the progress on standard error even when it is not a terminal"), NULL },
    { "full", 0, 0, G_OPTION_ARG_NONE, &full, N_("Reload everything from the server (local changes are kept and sent)"), NULL },
    { "pull", 0, 0, G_OPTION_ARG_NONE, &pull, N_("Only get the server's changes"), NULL },
    { "push", 0, 0, G_OPTION_ARG_NONE, &push, N_("Only send local changes"), NULL },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(SiAccount) account = NULL;
  g_autoptr(SiSyncEngine) engine = NULL;
  g_autoptr(GAsyncResult) token_result = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *token = NULL;
  SiSyncReport report = { 0, };
  SiSyncMode mode = SI_SYNC_MODE_INCREMENTAL;
  Progress progress = { 0, };
  SiStore *store;
  gboolean ok;
  int code = 0;

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &code))
    return code;
  if (full + pull + push > 1)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("--full, --pull and --push go alone"));
  mode = full ? SI_SYNC_MODE_FULL : pull ? SI_SYNC_MODE_PULL : push ? SI_SYNC_MODE_PUSH : SI_SYNC_MODE_INCREMENTAL;
  if (!(store = si_cli_get_store (ctx, &code)))
    return code;

  account = si_account_new (store);
  si_account_lookup_token_async (account, ctx->cancellable, got_result, &token_result);
  token = si_account_lookup_token_finish (account, wait_for (&token_result), &error);
  if (token == NULL)
    {
      if (g_error_matches (error, SI_SYNC_ERROR, SI_SYNC_ERROR_NOT_CONFIGURED))
        /* Translators: %s says why there is no login; the command is typed as it is. */
        return si_cli_fail (ctx, SI_CLI_EXIT_NEEDS_LOGIN, _("%s (log in with: saveidea-cli login URL USER)"), error->message);
      if (g_error_matches (error, SI_SYNC_ERROR, SI_SYNC_ERROR_NEEDS_LOGIN))
        return fail_needs_login (ctx, account, error);
      return fail (ctx, error);
    }

  engine = si_sync_engine_new (store, si_account_get_server_url (account), token);
  progress.terminal = isatty (STDERR_FILENO);
  if (progress.terminal || show_progress)
    g_signal_connect (engine, "notify::progress-done", G_CALLBACK (progress_cb), &progress);
  si_sync_engine_sync_async (engine, mode, ctx->cancellable, got_result, &result);
  ok = si_sync_engine_sync_finish (engine, wait_for (&result), &report, &error);
  g_signal_handlers_disconnect_by_data (engine, &progress);
  if (progress.shown && progress.terminal)
    g_printerr ("\r\033[K");
  fill_search_if_small (ctx, store, progress.terminal || show_progress);
  /* Scripts read this line (README.md, tests/test-sync.c): it is not translated. */
  g_print ("pulled %u, pushed %u, merged %u, conflicts %u, rejected %u\n",
           report.pulled, report.pushed, report.merged, report.conflicts, report.rejected);
  if (!ok && g_error_matches (error, SI_SYNC_ERROR, SI_SYNC_ERROR_NEEDS_LOGIN))
    return fail_needs_login (ctx, account, error);
  if (!ok)
    return fail (ctx, error);
  return SI_CLI_EXIT_OK;
}

int
si_cli_cmd_status (SiCliContext *ctx,
                   int           argc,
                   char        **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(SiAccount) account = NULL;
  SiIdeaFilter conflicts_filter = { .conflicts_only = TRUE };
  g_autofree char *last = NULL;
  SiStore *store;
  guint pending, conflicts;
  gint64 last_sync;
  int code = 0;

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &code))
    return code;
  if (!(store = si_cli_get_store (ctx, &code)))
    return code;
  account = si_account_new (store);
  pending = si_store_count_pending (store, &error);
  if (error == NULL)
    conflicts = si_store_count_ideas (store, &conflicts_filter, &error);
  if (error != NULL)
    return si_cli_fail_error (ctx, error);
  last_sync = si_sync_engine_get_last_sync_time (store);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "server");
      if (si_account_get_server_url (account))
        json_builder_add_string_value (b, si_account_get_server_url (account));
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "username");
      if (si_account_get_username (account))
        json_builder_add_string_value (b, si_account_get_username (account));
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "needs_login");
      json_builder_add_boolean_value (b, si_account_get_needs_login (account));
      json_builder_set_member_name (b, "pending_changes");
      json_builder_add_int_value (b, pending);
      json_builder_set_member_name (b, "conflicts");
      json_builder_add_int_value (b, conflicts);
      json_builder_set_member_name (b, "last_sync");
      if (last_sync > 0)
        {
          g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (last_sync / G_USEC_PER_SEC);
          g_autofree char *iso = g_date_time_format_iso8601 (dt);
          json_builder_add_string_value (b, iso);
        }
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
      node = json_builder_get_root (b);
      si_cli_print_json (node);
      return SI_CLI_EXIT_OK;
    }

  /* Translators: when the last sync was, when there was none. */
  last = last_sync > 0 ? si_cli_format_local_time (last_sync) : g_strdup (_("never"));
  g_print (_("Server: %s\n"), si_account_get_server_url (account) ? si_account_get_server_url (account) : _("(not logged in)"));
  g_print (_("User: %s\n"), si_account_get_username (account) ? si_account_get_username (account) : "-");
  if (si_account_get_needs_login (account))
    g_print ("%s\n", _("Login needed: the server no longer accepts this login (run: saveidea-cli login)"));
  g_print (_("Changes waiting: %u\n"), pending);
  g_print (_("Conflicts: %u\n"), conflicts);
  g_print (_("Last sync: %s\n"), last);
  return SI_CLI_EXIT_OK;
}

int
si_cli_sync_exit_code (const GError *error)
{
  return exit_code_for (error);
}
