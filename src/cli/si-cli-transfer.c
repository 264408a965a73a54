/* si-cli-transfer.c — saveidea-cli's export and import, on top of si-export.h and si-import.h. */
#define G_LOG_DOMAIN "saveidea-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

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
    { "format", 'f', 0, G_OPTION_ARG_FILENAME, &format_name, N_("markdown (one .md file per idea) or json (saveidea.json)"), "FORMAT" },
    { NULL }
  };

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 1)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("export needs one DIR (try “saveidea-cli export --help”)"));
  if (format_name == NULL)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("export needs --format markdown or --format json"));
  if (g_ascii_strcasecmp (format_name, "markdown") == 0 || g_ascii_strcasecmp (format_name, "md") == 0)
    format = SI_EXPORT_FORMAT_MARKDOWN;
  else if (g_ascii_strcasecmp (format_name, "json") == 0)
    format = SI_EXPORT_FORMAT_JSON;
  else
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("Unknown format “%s”: use markdown or json"), format_name);

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
  /* Translators: %u is the number of ideas, %s the folder or file written. */
  printf (ngettext ("Exported %u idea to %s\n", "Exported %u ideas to %s\n", n_ideas), n_ideas, where);
  return SI_CLI_EXIT_OK;
}

/* Progress on a terminal: one line, rewritten. */
static void
import_progress (guint    done,
                 guint    total,
                 gpointer user_data)
{
  gboolean *shown = user_data;

  if (total < 1000 && !*shown)
    return;
  g_printerr ("\r");
  /* Translators: progress of an import: notes written, of all notes. */
  g_printerr (_("Importing: %u of %u"), done, total);
  *shown = TRUE;
}

int
si_cli_cmd_import (SiCliContext  *ctx,
                   int            argc,
                   char         **argv)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *files = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *archived = NULL;
  g_auto(SiImportStats) stats = { 0 };
  SiImportOptions options = { 0 };
  gboolean shown = FALSE;
  int status = SI_CLI_EXIT_OK;
  SiStore *store;
  const GOptionEntry entries[] = {
    { "archived", 0, 0, G_OPTION_ARG_STRING, &archived,
      N_("Another app's archived and trashed notes: tag (with “archived” or “trash”, the default) or skip"), "tag|skip" },
    { NULL }
  };

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 1)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("import needs one PATH (try “saveidea-cli import --help”)"));
  if (archived == NULL || g_ascii_strcasecmp (archived, "tag") == 0)
    options.archived = SI_IMPORT_ARCHIVED_TAG;
  else if (g_ascii_strcasecmp (archived, "skip") == 0)
    options.archived = SI_IMPORT_ARCHIVED_SKIP;
  else
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("Unknown value “%s” for --archived: use tag or skip"), archived);
  if (isatty (STDERR_FILENO))
    {
      options.progress = import_progress;
      options.user_data = &shown;
    }
  if (!(store = si_cli_get_store (ctx, &status)))
    return status;
  file = g_file_new_for_commandline_arg (g_ptr_array_index (args, 0));
  if (!si_import_with_options (store, file, &options, &stats, ctx->cancellable, &error))
    {
      if (shown)
        g_printerr ("\n");
      return si_cli_fail_error (ctx, error);
    }
  if (shown)
    g_printerr ("\n");
  /* FIFOs, devices, links to them: left out, each named on standard error. */
  for (guint i = 0; stats.skipped != NULL && i < stats.skipped->len; i++)
    g_printerr ("saveidea-cli: %s\n", (const char *) g_ptr_array_index (stats.skipped, i));
  if (stats.skipped != NULL && stats.n_skipped > stats.skipped->len)
    g_printerr (ngettext ("saveidea-cli: and %u more entry that is not a regular file, left out\n",
                          "saveidea-cli: and %u more entries that are not regular files, left out\n",
                          stats.n_skipped - stats.skipped->len), stats.n_skipped - stats.skipped->len);
  /* Attachments: not stored by Saveidea, each named so nothing goes silently. */
  if (stats.n_attachments > 0)
    g_printerr (ngettext ("saveidea-cli: %u attachment was not imported (Saveidea does not store files):\n",
                          "saveidea-cli: %u attachments were not imported (Saveidea does not store files):\n",
                          stats.n_attachments), stats.n_attachments);
  for (guint i = 0; stats.attachments != NULL && i < stats.attachments->len; i++)
    g_printerr ("  %s\n", (const char *) g_ptr_array_index (stats.attachments, i));
  if (stats.attachments != NULL && stats.n_attachments > stats.attachments->len)
    g_printerr (ngettext ("  and %u more\n", "  and %u more\n", stats.n_attachments - stats.attachments->len),
                stats.n_attachments - stats.attachments->len);
  if (stats.n_left_out > 0)
    g_printerr (ngettext ("saveidea-cli: %u archived or trashed note was left out (--archived=skip)\n",
                          "saveidea-cli: %u archived or trashed notes were left out (--archived=skip)\n",
                          stats.n_left_out), stats.n_left_out);

  files = g_strdup_printf (ngettext ("Imported %u file", "Imported %u files", stats.n_files), stats.n_files);
  tags = g_strdup_printf (ngettext ("%u new tag", "%u new tags", stats.n_tags_created), stats.n_tags_created);
  /* Translators: “Imported 3 files: 2 new, 1 updated, 0 unchanged; 1 new tag”. The first %s is
   * “Imported %u file(s)”, the last “%u new tag(s)”; the numbers between count ideas. */
  printf (_("%s: %u new, %u updated, %u unchanged; %s\n"), files, stats.n_created, stats.n_updated,
          stats.n_unchanged, tags);
  return SI_CLI_EXIT_OK;
}
