/* si-cli-device.c — saveidea-cli's device-name: the name this notebook's changes carry.
 *
 * JSON output is stable: {"name": "…", "default": "…", "custom": true}; members may be added,
 * never removed or changed.
 */
#define G_LOG_DOMAIN "saveidea-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "si-cli.h"
#include "si-device.h"

int
si_cli_cmd_device_name (SiCliContext  *ctx,
                        int            argc,
                        char         **argv)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *custom = NULL;
  g_autofree char *fallback = NULL;
  gboolean json = FALSE, reset = FALSE;
  int status = SI_CLI_EXIT_OK;
  SiStore *store;
  const GOptionEntry entries[] = {
    { "reset", 0, 0, G_OPTION_ARG_NONE, &reset, N_("Use the computer’s name again"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the name as a JSON object"), NULL },
    { NULL }
  };

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len > 1 || (reset && args->len > 0))
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE,
                        _("device-name takes one NAME, or --reset (try “saveidea-cli device-name --help”)"));
  if (!(store = si_cli_get_store (ctx, &status)))
    return status;

  if ((args->len == 1 || reset) &&
      !si_device_set_name (store, reset ? NULL : g_ptr_array_index (args, 0), &error))
    return si_cli_fail_error (ctx, error);

  name = si_device_dup_name (store);
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      custom = si_device_dup_custom_name (store);
      fallback = si_device_dup_default_name ();
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, name);
      json_builder_set_member_name (builder, "default");
      json_builder_add_string_value (builder, fallback);
      json_builder_set_member_name (builder, "custom");
      json_builder_add_boolean_value (builder, custom != NULL);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      si_cli_print_json (root);
      return SI_CLI_EXIT_OK;
    }
  printf ("%s\n", name);
  return SI_CLI_EXIT_OK;
}
