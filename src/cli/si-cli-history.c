/* si-cli-history.c — saveidea-cli history, restore, trash, undelete and purge (si-history.h).
 *
 * Each asks the notebook's server when an account is set up (the token as `sync` finds it),
 * and works on what this notebook keeps when it is not: history and trash then list what is
 * kept here (and say why on standard error), undelete and purge of a deletion the server has
 * fail with exit 5.
 */
#define G_LOG_DOMAIN "saveidea-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "si-account.h"
#include "si-cli.h"
#include "si-export.h"
#include "si-history.h"

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

static int
exit_code_for (const GError *error)
{
  if (error->domain == SI_HISTORY_ERROR)
    switch ((SiHistoryError) error->code)
      {
      case SI_HISTORY_ERROR_GONE:
        return SI_CLI_EXIT_NOT_FOUND;
      case SI_HISTORY_ERROR_NOT_DELETED:
      case SI_HISTORY_ERROR_NOT_SENT:
        return SI_CLI_EXIT_INVALID;
      case SI_HISTORY_ERROR_OFFLINE:
      case SI_HISTORY_ERROR_UNSUPPORTED:
      case SI_HISTORY_ERROR_INVALID:
      default:
        return SI_CLI_EXIT_NETWORK;
      }
  if (error->domain == SI_SYNC_ERROR)
    return si_cli_sync_exit_code (error);
  return si_cli_exit_code_for_error (error);
}

static int
fail (SiCliContext *ctx,
      const GError *error)
{
  return si_cli_fail (ctx, exit_code_for (error), "%s", error->message);
}

/* The server to ask: NULL without an account. With @required, a missing token is an error
 * (*@exit_code); else it is said on standard error and NULL returned. */
static SiSyncEngine *
open_engine (SiCliContext *ctx,
             SiStore      *store,
             gboolean      required,
             int          *exit_code)
{
  g_autoptr(SiAccount) account = si_account_new (store);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SiSyncEngine *engine;

  *exit_code = SI_CLI_EXIT_OK;
  if (!si_account_get_configured (account))
    return NULL;
  si_history_engine_new_async (account, ctx->cancellable, got_result, &result);
  engine = si_history_engine_new_finish (account, wait_for (&result), &error);
  if (engine == NULL)
    {
      if (required)
        *exit_code = fail (ctx, error);
      else
        /* Translators: %s says why the server is not asked. */
        g_printerr (_("saveidea-cli: only what this device keeps is listed: %s\n"), error->message);
    }
  return engine;
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_time (JsonBuilder *builder,
          const char  *member,
          gint64       usec)
{
  g_autofree char *text = usec > 0 ? si_export_format_time (usec) : NULL;
  add_string_or_null (builder, member, text);
}

static void
add_tags (JsonBuilder         *builder,
          const char * const  *tags)
{
  json_builder_set_member_name (builder, "tags");
  json_builder_begin_array (builder);
  for (guint i = 0; tags[i]; i++)
    json_builder_add_string_value (builder, tags[i]);
  json_builder_end_array (builder);
}

static char *
first_line (const char *title,
            const char *body)
{
  const char *text = title && *title ? title : body;
  const char *end = text ? strchr (text, '\n') : NULL;

  if (text == NULL || *text == '\0')
    /* Translators: `saveidea-cli list` shows this for an idea without title or text. */
    return g_strdup (_("(untitled)"));
  return end ? g_strndup (text, end - text) : g_strdup (text);
}

/* What `history` and `restore` call a version: its number, or L<n> for one only this device
 * has, "-" for the idea's present text that never reached the server. */
static char *
version_name (SiHistoryEntry *entry)
{
  if (si_history_entry_get_version (entry) > 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, si_history_entry_get_version (entry));
  if (si_history_entry_get_local_id (entry) > 0)
    return g_strdup_printf ("L%" G_GINT64_FORMAT, si_history_entry_get_local_id (entry));
  return g_strdup ("-");
}

/* An idea's versions, from the server too when it can be asked. */
static GPtrArray *
list_history (SiCliContext  *ctx,
              SiStore       *store,
              gint64         idea_id,
              int           *exit_code)
{
  g_autoptr(SiSyncEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) server_error = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *entries;

  engine = open_engine (ctx, store, FALSE, exit_code);
  si_history_list_async (store, engine, idea_id, ctx->cancellable, got_result, &result);
  entries = si_history_list_finish (store, wait_for (&result), &server_error, &error);
  if (entries == NULL)
    {
      *exit_code = fail (ctx, error);
      return NULL;
    }
  if (server_error && engine)
    /* Translators: %s says why the server's versions are missing. */
    g_printerr (_("saveidea-cli: only the versions this device keeps are listed: %s\n"), server_error->message);
  return entries;
}

int
si_cli_cmd_history (SiCliContext  *ctx,
                    int            argc,
                    char         **argv)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(SiIdea) idea = NULL;
  gboolean json = FALSE;
  int status = SI_CLI_EXIT_OK;
  SiStore *store;
  const GOptionEntry options[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the versions as a JSON array"), NULL },
    { NULL }
  };

  if (!si_cli_parse_options (ctx, options, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 1)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("history needs one ID (try “saveidea-cli history --help”)"));
  if (!(store = si_cli_get_store (ctx, &status)) ||
      !(idea = si_cli_find_idea (ctx, store, g_ptr_array_index (args, 0), &status)) ||
      !(entries = list_history (ctx, store, si_idea_get_id (idea), &status)))
    return status;

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < entries->len; i++)
        {
          SiHistoryEntry *entry = g_ptr_array_index (entries, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "version");
          if (si_history_entry_get_version (entry) > 0)
            json_builder_add_int_value (builder, si_history_entry_get_version (entry));
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "local_id");
          if (si_history_entry_get_local_id (entry) > 0)
            json_builder_add_int_value (builder, si_history_entry_get_local_id (entry));
          else
            json_builder_add_null_value (builder);
          add_time (builder, "updated", si_history_entry_get_updated_at (entry));
          add_string_or_null (builder, "device", si_history_entry_get_device (entry));
          add_string_or_null (builder, "title", si_history_entry_get_title (entry));
          add_string_or_null (builder, "body", si_history_entry_get_body (entry));
          json_builder_set_member_name (builder, "pinned");
          json_builder_add_boolean_value (builder, si_history_entry_get_pinned (entry));
          add_tags (builder, si_history_entry_get_tags (entry));
          json_builder_set_member_name (builder, "this_device_only");
          json_builder_add_boolean_value (builder, si_history_entry_get_local_only (entry));
          json_builder_set_member_name (builder, "current");
          json_builder_add_boolean_value (builder, si_history_entry_get_current (entry));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      si_cli_print_json (root);
      return SI_CLI_EXIT_OK;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      SiHistoryEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *name = version_name (entry);
      g_autofree char *when = si_cli_format_local_time (si_history_entry_get_updated_at (entry));
      g_autofree char *title = first_line (si_history_entry_get_title (entry), si_history_entry_get_body (entry));
      const char *device = si_history_entry_get_device (entry);
      GString *marks = g_string_new (NULL);

      if (si_history_entry_get_current (entry))
        /* Translators: `saveidea-cli history` marks the idea as it is now with this. */
        g_string_append_printf (marks, "  (%s)", _("current"));
      if (si_history_entry_get_local_only (entry))
        /* Translators: `saveidea-cli history` marks a version the server does not have with this. */
        g_string_append_printf (marks, "  (%s)", _("this device only"));
      printf ("%6s  %s  %-16s  %s%s\n", name, when, device ? device : "-", title, marks->str);
      g_string_free (marks, TRUE);
    }
  return SI_CLI_EXIT_OK;
}

int
si_cli_cmd_restore (SiCliContext  *ctx,
                    int            argc,
                    char         **argv)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(GError) error = NULL;
  SiHistoryEntry *found = NULL;
  const char *wanted;
  int status = SI_CLI_EXIT_OK;
  SiStore *store;

  if (!si_cli_parse_options (ctx, NULL, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 2)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("restore needs an ID and a VERSION (try “saveidea-cli restore --help”)"));
  if (!(store = si_cli_get_store (ctx, &status)) ||
      !(idea = si_cli_find_idea (ctx, store, g_ptr_array_index (args, 0), &status)) ||
      !(entries = list_history (ctx, store, si_idea_get_id (idea), &status)))
    return status;

  wanted = g_ptr_array_index (args, 1);
  for (guint i = 0; i < entries->len && found == NULL; i++)
    {
      SiHistoryEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *name = version_name (entry);

      if (g_ascii_strcasecmp (name, wanted) == 0 && !g_str_equal (name, "-"))
        found = entry;
    }
  if (found == NULL)
    /* Translators: the version as typed, then the idea's id as typed. */
    return si_cli_fail (ctx, SI_CLI_EXIT_NOT_FOUND, _("There is no version %s of idea %s (see saveidea-cli history)."),
                        wanted, (const char *) g_ptr_array_index (args, 0));
  if (!si_history_restore (store, si_idea_get_id (idea), found, &error))
    return fail (ctx, error);
  return SI_CLI_EXIT_OK;
}

int
si_cli_cmd_trash (SiCliContext  *ctx,
                  int            argc,
                  char         **argv)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(SiSyncEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) server_error = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  int status = SI_CLI_EXIT_OK;
  SiStore *store;
  const GOptionEntry options[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the Trash as a JSON array"), NULL },
    { NULL }
  };

  if (!si_cli_parse_options (ctx, options, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("trash takes no arguments (try “saveidea-cli trash --help”)"));
  if (!(store = si_cli_get_store (ctx, &status)))
    return status;
  engine = open_engine (ctx, store, FALSE, &status);
  si_trash_list_async (store, engine, ctx->cancellable, got_result, &result);
  if (!(entries = si_trash_list_finish (store, wait_for (&result), &server_error, &error)))
    return fail (ctx, error);
  if (server_error && engine)
    /* Translators: %s says why the server's Trash is missing. */
    g_printerr (_("saveidea-cli: only the Trash this device keeps is listed: %s\n"), server_error->message);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < entries->len; i++)
        {
          SiTrashEntry *entry = g_ptr_array_index (entries, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, si_trash_entry_get_id (entry));
          add_string_or_null (builder, "uid", si_trash_entry_get_uid (entry));
          add_string_or_null (builder, "title", si_trash_entry_get_title (entry));
          add_string_or_null (builder, "body", si_trash_entry_get_body (entry));
          add_tags (builder, si_trash_entry_get_tags (entry));
          json_builder_set_member_name (builder, "pinned");
          json_builder_add_boolean_value (builder, si_trash_entry_get_pinned (entry));
          add_time (builder, "deleted", si_trash_entry_get_deleted_at (entry));
          add_time (builder, "created", si_trash_entry_get_created_at (entry));
          add_time (builder, "updated", si_trash_entry_get_updated_at (entry));
          add_time (builder, "expires", si_trash_entry_get_expires_at (entry));
          add_string_or_null (builder, "device", si_trash_entry_get_device (entry));
          json_builder_set_member_name (builder, "on_server");
          json_builder_add_boolean_value (builder, si_trash_entry_get_on_server (entry));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      si_cli_print_json (root);
      return SI_CLI_EXIT_OK;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      SiTrashEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *when = si_cli_format_local_time (si_trash_entry_get_deleted_at (entry));
      g_autofree char *title = first_line (si_trash_entry_get_title (entry), si_trash_entry_get_body (entry));

      printf ("%6" G_GINT64_FORMAT "  %s  %s\n", si_trash_entry_get_id (entry), when, title);
    }
  return SI_CLI_EXIT_OK;
}

/* The Trash entry named by the one argument. */
static SiTrashEntry *
find_entry (SiCliContext  *ctx,
            SiStore       *store,
            int            argc,
            char         **argv,
            const char    *usage,
            int           *exit_code)
{
  g_autoptr(GPtrArray) args = si_cli_positional (argc, argv);
  g_autoptr(GError) error = NULL;
  guint64 id = 0;
  SiTrashEntry *entry;

  if (args->len != 1)
    {
      *exit_code = si_cli_fail (ctx, SI_CLI_EXIT_USAGE, "%s", usage);
      return NULL;
    }
  if (!g_ascii_string_to_unsigned (g_ptr_array_index (args, 0), 10, 1, G_MAXINT64, &id, NULL))
    {
      /* Translators: %s is the number as typed. */
      *exit_code = si_cli_fail (ctx, SI_CLI_EXIT_NOT_FOUND, _("There is no idea %s in the Trash."),
                                (const char *) g_ptr_array_index (args, 0));
      return NULL;
    }
  if (!(entry = si_trash_lookup (store, (gint64) id, &error)))
    *exit_code = fail (ctx, error);
  return entry;
}

int
si_cli_cmd_undelete (SiCliContext  *ctx,
                     int            argc,
                     char         **argv)
{
  g_autoptr(SiTrashEntry) entry = NULL;
  g_autoptr(SiSyncEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  int status = SI_CLI_EXIT_OK;
  SiStore *store;
  gint64 id;

  if (!si_cli_parse_options (ctx, NULL, &argc, &argv, &status) ||
      !(store = si_cli_get_store (ctx, &status)) ||
      !(entry = find_entry (ctx, store, argc, argv,
                            _("undelete needs one ID from saveidea-cli trash (try “saveidea-cli undelete --help”)"), &status)))
    return status;
  if (si_trash_entry_get_on_server (entry) && !(engine = open_engine (ctx, store, TRUE, &status)) &&
      status != SI_CLI_EXIT_OK)
    return status;
  si_trash_undelete_async (store, engine, entry, ctx->cancellable, got_result, &result);
  if ((id = si_trash_undelete_finish (store, wait_for (&result), &error)) == 0)
    return fail (ctx, error);
  printf ("%" G_GINT64_FORMAT "\n", id);
  return SI_CLI_EXIT_OK;
}

int
si_cli_cmd_purge (SiCliContext  *ctx,
                  int            argc,
                  char         **argv)
{
  g_autoptr(SiTrashEntry) entry = NULL;
  g_autoptr(SiSyncEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  int status = SI_CLI_EXIT_OK;
  SiStore *store;

  if (!si_cli_parse_options (ctx, NULL, &argc, &argv, &status) ||
      !(store = si_cli_get_store (ctx, &status)) ||
      !(entry = find_entry (ctx, store, argc, argv,
                            _("purge needs one ID from saveidea-cli trash (try “saveidea-cli purge --help”)"), &status)))
    return status;
  if (si_trash_entry_get_on_server (entry) && !(engine = open_engine (ctx, store, TRUE, &status)) &&
      status != SI_CLI_EXIT_OK)
    return status;
  si_trash_purge_async (store, engine, entry, ctx->cancellable, got_result, &result);
  if (!si_trash_purge_finish (store, wait_for (&result), &error))
    return fail (ctx, error);
  return SI_CLI_EXIT_OK;
}
