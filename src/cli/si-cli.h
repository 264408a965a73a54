/* si-cli.h — what the commands of saveidea-cli share.
 *
 * Adding a command:
 *   1. write `int si_cli_cmd_xxx (SiCliContext *ctx, int argc, char **argv)` in a file of its own
 *      part (argv[0] is the command's name; parse the rest with si_cli_parse_options());
 *   2. declare it below;
 *   3. add one line to the table in si-cli-commands.c.
 * A command returns one of the SiCliExit codes; it prints errors with si_cli_fail() or
 * si_cli_fail_error() (they return the code to exit with), results on stdout.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "si-store.h"

G_BEGIN_DECLS

/**
 * SiCliExit:
 * @SI_CLI_EXIT_OK: done
 * @SI_CLI_EXIT_USAGE: the command line was wrong (unknown command or option, missing argument)
 * @SI_CLI_EXIT_NOT_FOUND: no such idea, tag, file or folder
 * @SI_CLI_EXIT_INVALID: the input was refused (invalid UTF-8, too long, a broken import file);
 *   nothing was changed
 * @SI_CLI_EXIT_STORAGE: the notebook database (or an export file) could not be read or written:
 *   damaged, not a Saveidea notebook, from a newer Saveidea, disk full, busy
 * @SI_CLI_EXIT_NETWORK: the server could not be reached (sync commands)
 * @SI_CLI_EXIT_NEEDS_LOGIN: not logged in, or the server refused the login (sync commands)
 * @SI_CLI_EXIT_SERVER_REPLACED: the server is not the one this notebook synced with (sync commands)
 *
 * The exit codes a script can rely on. They never change meaning.
 */
typedef enum {
  SI_CLI_EXIT_OK = 0,
  SI_CLI_EXIT_USAGE = 1,
  SI_CLI_EXIT_NOT_FOUND = 2,
  SI_CLI_EXIT_INVALID = 3,
  SI_CLI_EXIT_STORAGE = 4,
  SI_CLI_EXIT_NETWORK = 5,
  SI_CLI_EXIT_NEEDS_LOGIN = 6,
  SI_CLI_EXIT_SERVER_REPLACED = 7,
} SiCliExit;

typedef struct _SiCliContext SiCliContext;
typedef int (*SiCliCommandFunc) (SiCliContext *ctx,
                                 int           argc,
                                 char        **argv);

/**
 * SiCliCommand:
 * @name: what is typed: `saveidea-cli NAME …`
 * @func: runs the command
 * @args: the arguments, for the help: "ID [--json]"
 * @summary: one line for the help, marked for translation (the N_ macro) and translated where
 *   it is shown
 */
typedef struct {
  const char       *name;
  SiCliCommandFunc  func;
  const char       *args;
  const char       *summary;
} SiCliCommand;

/**
 * SiCliContext:
 * @db_path: the notebook given with --db, or NULL for the default (the app's)
 * @store: the notebook, once si_cli_get_store() opened it
 * @command: the command that runs
 * @cancellable: passed to long work (export, import, sync)
 */
struct _SiCliContext {
  const char          *db_path;
  SiStore             *store;
  const SiCliCommand  *command;
  GCancellable        *cancellable;
};

/* si-cli-commands.c */
extern const SiCliCommand si_cli_commands[];
extern const guint si_cli_n_commands;

/* si-cli-main.c: helpers for commands */
SiStore  *si_cli_get_store            (SiCliContext        *ctx,
                                       int                 *exit_code);
int       si_cli_fail                 (SiCliContext        *ctx,
                                       int                  exit_code,
                                       const char          *format,
                                       ...) G_GNUC_PRINTF (3, 4);
int       si_cli_fail_error           (SiCliContext        *ctx,
                                       const GError        *error);
int       si_cli_exit_code_for_error  (const GError        *error);
gboolean  si_cli_parse_options        (SiCliContext        *ctx,
                                       const GOptionEntry  *entries,
                                       int                 *argc,
                                       char              ***argv,
                                       int                 *exit_code);
GPtrArray *si_cli_positional          (int                  argc,
                                       char               **argv);
char     *si_cli_read_stdin           (gsize                max_bytes,
                                       GError             **error);
void      si_cli_print_json           (JsonNode            *node);
char     *si_cli_format_local_time    (gint64               usec);

/* si-cli-ideas.c */
int si_cli_cmd_add    (SiCliContext *ctx, int argc, char **argv);
int si_cli_cmd_list   (SiCliContext *ctx, int argc, char **argv);
int si_cli_cmd_show   (SiCliContext *ctx, int argc, char **argv);
int si_cli_cmd_edit   (SiCliContext *ctx, int argc, char **argv);
int si_cli_cmd_delete (SiCliContext *ctx, int argc, char **argv);
int si_cli_cmd_tags   (SiCliContext *ctx, int argc, char **argv);

/* si-cli-ideas.c: the idea an argument names (its number or its uid), or NULL with the exit
 * code in *@exit_code (the message printed) */
SiIdea *si_cli_find_idea (SiCliContext *ctx, SiStore *store, const char *arg, int *exit_code);

/* si-cli-transfer.c */
int si_cli_cmd_export (SiCliContext *ctx, int argc, char **argv);
int si_cli_cmd_import (SiCliContext *ctx, int argc, char **argv);

/* si-cli-device.c */
int si_cli_cmd_device_name (SiCliContext *ctx, int argc, char **argv);

/* si-cli-sync.c (login, logout, sync, status): declared here by its author */
int si_cli_cmd_login  (SiCliContext *ctx, int argc, char **argv);
int si_cli_cmd_logout (SiCliContext *ctx, int argc, char **argv);
int si_cli_cmd_sync   (SiCliContext *ctx, int argc, char **argv);
int si_cli_cmd_status (SiCliContext *ctx, int argc, char **argv);
/* si-cli-sync.c: the exit code for an SI_SYNC_ERROR */
int si_cli_sync_exit_code (const GError *error);

/* si-cli-history.c (history, restore, trash, undelete, purge) */
int si_cli_cmd_history  (SiCliContext *ctx, int argc, char **argv);
int si_cli_cmd_restore  (SiCliContext *ctx, int argc, char **argv);
int si_cli_cmd_trash    (SiCliContext *ctx, int argc, char **argv);
int si_cli_cmd_undelete (SiCliContext *ctx, int argc, char **argv);
int si_cli_cmd_purge    (SiCliContext *ctx, int argc, char **argv);

G_END_DECLS
