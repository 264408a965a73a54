/* si-cli-main.c — saveidea-cli: the notebook from a terminal.
 *
 * `saveidea-cli [--db PATH] COMMAND [ARGS]`. Global options come before the command; each
 * command parses its own. Results go to stdout (raw UTF-8, whatever the locale: scripts read
 * them), messages to stderr as "saveidea-cli: <message>", and the exit code says what happened
 * (SiCliExit, documented in --help).
 *
 * Messages, help and the text output are translated; what a script parses is not: --json, ids,
 * the `sync` report line, exit codes, command and option names.
 */
#define G_LOG_DOMAIN "saveidea-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "si-cli.h"
#include "si-export.h"
#include "si-i18n.h"
#include "si-import.h"

#define PROGRAM "saveidea-cli"

/* Messages -------------------------------------------------------------------------------------- */

static void
print_message (const char *message)
{
  fprintf (stderr, "%s: %s\n", PROGRAM, message);
  fflush (stderr);
}

int
si_cli_fail (SiCliContext *ctx,
             int           exit_code,
             const char   *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  print_message (message);
  return exit_code;
}

/**
 * si_cli_exit_code_for_error:
 *
 * Returns: the SiCliExit code for @error from the core
 */
int
si_cli_exit_code_for_error (const GError *error)
{
  if (error == NULL)
    return SI_CLI_EXIT_OK;
  if (error->domain == G_OPTION_ERROR)
    return SI_CLI_EXIT_USAGE;
  if (error->domain == SI_STORE_ERROR)
    switch ((SiStoreError) error->code)
      {
      case SI_STORE_ERROR_NOT_FOUND:
        return SI_CLI_EXIT_NOT_FOUND;
      case SI_STORE_ERROR_INVALID:
      case SI_STORE_ERROR_EXISTS:
        return SI_CLI_EXIT_INVALID;
      case SI_STORE_ERROR_OPEN:
      case SI_STORE_ERROR_CORRUPT:
      case SI_STORE_ERROR_TOO_NEW:
      case SI_STORE_ERROR_FULL:
      case SI_STORE_ERROR_BUSY:
      case SI_STORE_ERROR_FAILED:
      default:
        return SI_CLI_EXIT_STORAGE;
      }
  if (error->domain == SI_IMPORT_ERROR)
    switch ((SiImportError) error->code)
      {
      case SI_IMPORT_ERROR_NOT_FOUND:
        return SI_CLI_EXIT_NOT_FOUND;
      case SI_IMPORT_ERROR_INVALID:
      case SI_IMPORT_ERROR_UNSUPPORTED:
      case SI_IMPORT_ERROR_NOT_REGULAR:
        return SI_CLI_EXIT_INVALID;
      case SI_IMPORT_ERROR_READ:
      default:
        return SI_CLI_EXIT_STORAGE;
      }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return SI_CLI_EXIT_NOT_FOUND;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    return SI_CLI_EXIT_INVALID;
  return SI_CLI_EXIT_STORAGE;
}

int
si_cli_fail_error (SiCliContext *ctx,
                   const GError *error)
{
  print_message (error->message);
  return si_cli_exit_code_for_error (error);
}

/* Helpers for commands ---------------------------------------------------------------------------- */

/**
 * si_cli_get_store:
 * @exit_code: (out): the code to exit with when the notebook cannot be opened
 *
 * Returns: (transfer none) (nullable): the notebook, opened on first use; NULL after printing
 *   why it could not be opened
 */
SiStore *
si_cli_get_store (SiCliContext *ctx,
                  int          *exit_code)
{
  g_autoptr(GError) error = NULL;

  if (ctx->store != NULL)
    return ctx->store;
  ctx->store = si_store_new (ctx->db_path, &error);
  if (ctx->store == NULL)
    {
      *exit_code = si_cli_fail_error (ctx, error);
      return NULL;
    }
  return ctx->store;
}

/**
 * si_cli_parse_options:
 * @entries: the command's options (string values should be G_OPTION_ARG_FILENAME: they are
 *   taken as the bytes typed, and the core checks that they are UTF-8)
 * @argc: (inout): the command's arguments; what is left are the positional ones
 * @argv: (inout): argv[0] is the command's name
 * @exit_code: (out): set when FALSE is returned
 *
 * Parses a command's options. `--help` prints the command's help and exits.
 */
gboolean
si_cli_parse_options (SiCliContext        *ctx,
                      const GOptionEntry  *entries,
                      int                 *argc,
                      char              ***argv,
                      int                 *exit_code)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parameters = g_strdup_printf ("%s %s", ctx->command->name, ctx->command->args);

  context = g_option_context_new (parameters);
  /* The summary and the options' descriptions are N_() strings: GOption translates them. */
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, ctx->command->summary);
  g_option_context_set_help_enabled (context, TRUE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      /* Translators: what was wrong with the command line, then the program's and the
       * command's names, which are typed as they are. */
      *exit_code = si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("%s (try “%s %s --help”)"),
                                error->message, PROGRAM, ctx->command->name);
      return FALSE;
    }
  return TRUE;
}

/**
 * si_cli_positional:
 *
 * Returns: (transfer container) (element-type utf8): what si_cli_parse_options() left after the
 *   command's name, without the "--" that ends the options
 */
GPtrArray *
si_cli_positional (int    argc,
                   char **argv)
{
  GPtrArray *args = g_ptr_array_new ();
  gboolean dashes = FALSE;

  for (int i = 1; i < argc; i++)
    {
      if (!dashes && g_str_equal (argv[i], "--"))
        {
          dashes = TRUE;
          continue;
        }
      g_ptr_array_add (args, argv[i]);
    }
  return args;
}

/**
 * si_cli_read_stdin:
 * @max_bytes: refuse more than this
 *
 * Returns: (transfer full) (nullable): all of standard input, checked to be UTF-8; NULL with
 *   G_IO_ERROR_INVALID_DATA when it is not or is too long
 */
char *
si_cli_read_stdin (gsize    max_bytes,
                   GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char buffer[8192];
  size_t n;

  while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
    {
      g_string_append_len (text, buffer, n);
      if (text->len > max_bytes)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The text on standard input is too long: at most %zu KiB."),
                       (size_t) (max_bytes / 1024));
          return NULL;
        }
    }
  if (ferror (stdin))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot read standard input."));
      return NULL;
    }
  if (!g_utf8_validate_len (text->str, text->len, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The text on standard input is not valid UTF-8."));
      return NULL;
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Prints @node as indented JSON and a newline. */
void
si_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *data = NULL;
  gsize length = 0;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, node);
  data = json_generator_to_data (generator, &length);
  fwrite (data, 1, length, stdout);
  fputc ('\n', stdout);
}

/* @usec as "2024-05-01 09:30" in the local time zone. */
char *
si_cli_format_local_time (gint64 usec)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

  if (local == NULL)
    return g_strdup ("?");
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

/* Main -------------------------------------------------------------------------------------------- */

static void
print_help (FILE *out)
{
  /* Translators: the first line of saveidea-cli --help. %s is the program's name; the
   * option and the upper-case words are typed as they are. */
  g_autofree char *usage = g_strdup_printf (_("Usage: %s [--db PATH] COMMAND [ARGS]\n"), PROGRAM);

  fputs (usage, out);
  fputs ("\n", out);
  /* Translators: keep the lines of saveidea-cli --help under 80 characters. */
  fputs (_("Saveidea's notebook from a terminal. It uses the same notebook as the app, and both\n"
           "may run at once.\n"), out);
  fputs ("\n", out);
  fputs (_("Commands:\n"), out);
  for (guint i = 0; i < si_cli_n_commands; i++)
    fprintf (out, "  %s %s\n      %s\n", si_cli_commands[i].name, si_cli_commands[i].args,
             _(si_cli_commands[i].summary));
  fputs ("\n", out);
  /* Translators: ID, `list`, `--body -` and `COMMAND --help` are typed as they are; keep the
   * lines under 80 characters. */
  fputs (_("ID is an idea's number (as `list` shows it) or its uid. `--body -` reads the text from\n"
           "standard input. `COMMAND --help` shows a command's options.\n"), out);
  fputs ("\n", out);
  /* Translators: the options and PATH are typed as they are; keep the descriptions aligned
   * and the lines under 80 characters. */
  fputs (_("Global options:\n"
           "  --db PATH    use the notebook at PATH (default: the app's, in $XDG_DATA_HOME/saveidea)\n"
           "  --help       show this help\n"
           "  --version    show the version\n"), out);
  fputs ("\n", out);
  /* Translators: the numbers are what saveidea-cli exits with; keep them and the alignment,
   * and the lines under 80 characters. */
  fputs (_("Exit codes:\n"
           "  0  done\n"
           "  1  usage error: unknown command or option, missing argument\n"
           "  2  not found: no such idea, tag, file or folder\n"
           "  3  invalid input: not UTF-8, too long, a broken import file; nothing was changed\n"
           "  4  storage error: the notebook is damaged, not a notebook, from a newer Saveidea,\n"
           "     busy, or the disk is full; or an export could not be written\n"
           "  5  network error: the server could not be reached\n"
           "  6  login needed: not logged in, or the server refused the login (a changed\n"
           "     password): `saveidea-cli login` logs in again; waiting changes are kept\n"
           "  7  server replaced: the server is not the one this notebook synced with\n"), out);
}

static const SiCliCommand *
find_command (const char *name)
{
  for (guint i = 0; i < si_cli_n_commands; i++)
    if (g_str_equal (si_cli_commands[i].name, name))
      return &si_cli_commands[i];
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  SiCliContext ctx = { NULL, NULL, NULL, cancellable };
  int i, status;

  si_i18n_init ();
  g_set_prgname (PROGRAM);

  for (i = 1; i < argc && argv[i][0] == '-'; i++)
    {
      const char *arg = argv[i];

      if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        {
          print_help (stdout);
          return SI_CLI_EXIT_OK;
        }
      else if (g_str_equal (arg, "--version"))
        {
          printf ("%s %s\n", PROGRAM, PACKAGE_VERSION);
          return SI_CLI_EXIT_OK;
        }
      else if (g_str_equal (arg, "--db"))
        {
          if (i + 1 >= argc || argv[i + 1][0] == '\0')
            return si_cli_fail (&ctx, SI_CLI_EXIT_USAGE, _("--db needs a file name (try “%s --help”)"), PROGRAM);
          ctx.db_path = argv[++i];
        }
      else if (g_str_has_prefix (arg, "--db="))
        {
          if (arg[5] == '\0')
            return si_cli_fail (&ctx, SI_CLI_EXIT_USAGE, _("--db needs a file name (try “%s --help”)"), PROGRAM);
          ctx.db_path = arg + 5;
        }
      else
        return si_cli_fail (&ctx, SI_CLI_EXIT_USAGE, _("Unknown option %s (try “%s --help”)"), arg, PROGRAM);
    }

  if (i >= argc)
    {
      print_help (stderr);
      return SI_CLI_EXIT_USAGE;
    }
  if (g_str_equal (argv[i], "help"))
    {
      print_help (stdout);
      return SI_CLI_EXIT_OK;
    }
  if ((ctx.command = find_command (argv[i])) == NULL)
    return si_cli_fail (&ctx, SI_CLI_EXIT_USAGE, _("There is no command “%s” (try “%s --help”)"), argv[i], PROGRAM);

  status = ctx.command->func (&ctx, argc - i, argv + i);

  fflush (stdout);
  if (ferror (stdout) && status == SI_CLI_EXIT_OK)
    status = si_cli_fail (&ctx, SI_CLI_EXIT_STORAGE, _("Cannot write to standard output."));
  g_clear_object (&ctx.store);
  return status;
}
