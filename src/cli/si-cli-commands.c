/* si-cli-commands.c — the commands of saveidea-cli: one line each, in the order --help lists them. */
#define G_LOG_DOMAIN "saveidea-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "si-cli.h"

/* The summaries are translated where they are shown (--help); the names and the arguments are
 * typed as they are, so they are not. */
const SiCliCommand si_cli_commands[] = {
  { "add",    si_cli_cmd_add,    "TITLE [--body TEXT|-] [--tag NAME]... [--pin]", N_("Add an idea; prints its id") },
  { "list",   si_cli_cmd_list,   "[--tag NAME] [--search TEXT] [--pinned] [--json]", N_("List ideas, pinned first, then the most recently changed") },
  { "show",   si_cli_cmd_show,   "ID [--json]", N_("Show one idea") },
  { "edit",   si_cli_cmd_edit,   "ID [--title T] [--body TEXT|-] [--tag NAME]... [--untag NAME]... [--pin|--unpin]", N_("Change an idea") },
  { "delete", si_cli_cmd_delete, "ID", N_("Delete an idea") },
  { "tags",   si_cli_cmd_tags,   "[--json]", N_("List tags with the number of ideas that have them") },
  { "history", si_cli_cmd_history, "ID [--json]", N_("List an idea’s versions, the newest first: this device’s and the server’s") },
  { "restore", si_cli_cmd_restore, "ID VERSION", N_("Make an earlier version (from history) the idea’s text again, as a new edit") },
  { "trash",  si_cli_cmd_trash,  "[--json]", N_("List deleted ideas (kept for 30 days)") },
  { "undelete", si_cli_cmd_undelete, "ID", N_("Bring back a deleted idea (ID from trash)") },
  { "purge",  si_cli_cmd_purge,  "ID", N_("Delete an idea in the trash forever, on the server too (ID from trash)") },
  { "export", si_cli_cmd_export, "--format markdown|json DIR", N_("Write every idea to DIR as Markdown files or as saveidea.json") },
  { "import", si_cli_cmd_import, "PATH", N_("Import a Markdown file, a folder of them, a JSON export, or another app's export") },
  { "login",  si_cli_cmd_login,  "[URL USER]", N_("Log in to a Saveidea server (the password on standard input); without URL USER, again to the notebook's") },
  { "logout", si_cli_cmd_logout, "[--force]", N_("Log out (refused while changes wait, unless --force)") },
  { "sync",   si_cli_cmd_sync,   "[--full|--pull|--push]", N_("Sync with the server; prints pulled, pushed, merged, conflicts") },
  { "status", si_cli_cmd_status, "[--json]", N_("Server, user, changes waiting, conflicts, last sync") },
  { "device-name", si_cli_cmd_device_name, "[NAME|--reset] [--json]", N_("Show or set the name this device’s changes carry (the computer’s name by default)") },
};

const guint si_cli_n_commands = G_N_ELEMENTS (si_cli_commands);
