/* si-cli-transfer.c — saveidea-cli's export and import, on top of si-export.h and si-import.h. */
#define G_LOG_DOMAIN "saveidea-cli"

#include "config.h"

#include <stdio.h>

#include "si-cli.h"
#include "si-export.h"
#include "si-import.h"

int
si_cli_cmd_export (SiCliContext  *ctx,
                   int            argc,
                   char         **argv)
{
  g_autofree char *format_name = NULL;
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *where = NULL;
  SiExportFormat format;
  int status = SI_CLI_EXIT_OK;
  guint n_ideas = 0;
  SiStore *store;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_FILENAME, &format_name, "markdown (one .md file per idea) or json (saveidea.json)", "FORMAT" },
    { NULL }
  };

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 1)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, "export needs one DIR (try “saveidea-cli export --help”)");
  if (format_name == NULL)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, "export needs --format markdown or --format json");
  if (g_ascii_strcasecmp (format_name, "markdown") == 0 || g_ascii_strcasecmp (format_name, "md") == 0)
    format = SI_EXPORT_FORMAT_MARKDOWN;
  else if (g_ascii_strcasecmp (format_name, "json") == 0)
    format = SI_EXPORT_FORMAT_JSON;
  else
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, "Unknown format “%s”: use markdown or json", format_name);

  if (!(store = si_cli_get_store (ctx, &status)))
    return status;
  folder = g_file_new_for_commandline_arg (g_ptr_array_index (args, 0));
  if (!si_export (store, format, folder, &n_ideas, ctx->cancellable, &error))
    return si_cli_fail_error (ctx, error);

  if (format == SI_EXPORT_FORMAT_JSON)
    {
      g_autoptr(GFile) file = g_file_get_child (folder, SI_EXPORT_JSON_FILE_NAME);
      where = g_file_get_parse_name (file);
    }
  else
    where = g_file_get_parse_name (folder);
  printf ("Exported %u idea%s to %s\n", n_ideas, n_ideas == 1 ? "" : "s", where);
  return SI_CLI_EXIT_OK;
}

int
si_cli_cmd_import (SiCliContext  *ctx,
                   int            argc,
                   char         **argv)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  SiImportStats stats = { 0 };
  int status = SI_CLI_EXIT_OK;
  SiStore *store;

  if (!si_cli_parse_options (ctx, NULL, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 1)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, "import needs one PATH (try “saveidea-cli import --help”)");
  if (!(store = si_cli_get_store (ctx, &status)))
    return status;
  file = g_file_new_for_commandline_arg (g_ptr_array_index (args, 0));
  if (!si_import (store, file, &stats, ctx->cancellable, &error))
    return si_cli_fail_error (ctx, error);

  printf ("Imported %u file%s: %u new, %u updated, %u unchanged; %u new tag%s\n",
          stats.n_files, stats.n_files == 1 ? "" : "s", stats.n_created, stats.n_updated,
          stats.n_unchanged, stats.n_tags_created, stats.n_tags_created == 1 ? "" : "s");
  return SI_CLI_EXIT_OK;
}
