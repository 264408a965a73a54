/* si-cli-ideas.c — saveidea-cli's commands for ideas and tags: add, list, show, edit, delete, tags.
 *
 * JSON output is stable: an idea is
 *   {"id": 12, "uid": "…", "title": "…", "body": "…", "tags": ["…"], "pinned": false,
 *    "created": "2024-05-01T09:30:00.000000Z", "updated": "…", "sync_state": "created",
 *    "conflict_of": null, "sync_error": null}
 * and a tag {"id": 3, "uid": "…", "name": "…", "colour": "", "ideas": 2}. Members may be added,
 * never removed or changed.
 */
#define G_LOG_DOMAIN "saveidea-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "si-cli.h"
#include "si-export.h"
#include "si-import.h"

static const char *
sync_state_name (SiSyncState state)
{
  switch (state)
    {
    case SI_SYNC_STATE_SYNCED: return "synced";
    case SI_SYNC_STATE_CREATED: return "created";
    case SI_SYNC_STATE_MODIFIED: return "modified";
    case SI_SYNC_STATE_DELETED: return "deleted";
    default: return "unknown";
    }
}

static void
add_time_member (JsonBuilder *builder,
                 const char  *member,
                 gint64       usec)
{
  g_autofree char *text = si_export_format_time (usec);

  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, text);
}

static void
build_idea (JsonBuilder *builder,
            SiIdea      *idea)
{
  const char * const *tags = si_idea_get_tag_names (idea);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, si_idea_get_id (idea));
  json_builder_set_member_name (builder, "uid");
  json_builder_add_string_value (builder, si_idea_get_uid (idea));
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, si_idea_get_title (idea));
  json_builder_set_member_name (builder, "body");
  json_builder_add_string_value (builder, si_idea_get_body (idea));
  json_builder_set_member_name (builder, "tags");
  json_builder_begin_array (builder);
  for (guint i = 0; tags && tags[i]; i++)
    json_builder_add_string_value (builder, tags[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "pinned");
  json_builder_add_boolean_value (builder, si_idea_get_pinned (idea));
  add_time_member (builder, "created", si_idea_get_created_at (idea));
  add_time_member (builder, "updated", si_idea_get_updated_at (idea));
  json_builder_set_member_name (builder, "sync_state");
  json_builder_add_string_value (builder, sync_state_name (si_idea_get_sync_state (idea)));
  json_builder_set_member_name (builder, "conflict_of");
  if (si_idea_get_conflict_of (idea) > 0)
    json_builder_add_int_value (builder, si_idea_get_conflict_of (idea));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "sync_error");
  if (si_idea_get_sync_error (idea) != NULL)
    json_builder_add_string_value (builder, si_idea_get_sync_error (idea));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

static char *
join_tags (SiIdea *idea)
{
  const char * const *tags = si_idea_get_tag_names (idea);

  return g_strjoinv (", ", (char **) tags);
}

/* The idea @arg names: a local id, or a uid. Prints why when there is none. */
static SiIdea *
find_idea (SiCliContext *ctx,
           SiStore      *store,
           const char   *arg,
           int          *exit_code)
{
  g_autoptr(GError) error = NULL;
  SiIdea *idea = NULL;
  gboolean digits = arg[0] != '\0';

  for (const char *p = arg; *p && digits; p++)
    digits = g_ascii_isdigit (*p);

  if (digits)
    {
      guint64 id = 0;

      if (!g_ascii_string_to_unsigned (arg, 10, 1, G_MAXINT64, &id, NULL))
        {
          *exit_code = si_cli_fail (ctx, SI_CLI_EXIT_NOT_FOUND, "There is no idea %s.", arg);
          return NULL;
        }
      idea = si_store_get_idea (store, (gint64) id, &error);
    }
  else if (g_utf8_validate (arg, -1, NULL))
    idea = si_store_get_idea_by_uid (store, arg, &error);
  else
    {
      *exit_code = si_cli_fail (ctx, SI_CLI_EXIT_NOT_FOUND, "There is no such idea (the id is not valid UTF-8).");
      return NULL;
    }
  if (idea == NULL)
    *exit_code = si_cli_fail_error (ctx, error);
  return idea;
}

/* The text of --body: the argument, or standard input for "-". */
static char *
body_from_option (SiCliContext *ctx,
                  const char   *option,
                  int          *exit_code)
{
  g_autoptr(GError) error = NULL;
  char *body;

  if (!g_str_equal (option, "-"))
    return g_strdup (option);
  if (!(body = si_cli_read_stdin (SI_BODY_MAX_BYTES, &error)))
    *exit_code = si_cli_fail_error (ctx, error);
  return body;
}

/* add ---------------------------------------------------------------------------------------------- */

int
si_cli_cmd_add (SiCliContext  *ctx,
                int            argc,
                char         **argv)
{
  g_autofree char *body_option = NULL;
  g_autofree char *body = NULL;
  g_auto(GStrv) tags = NULL;
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(GError) error = NULL;
  gboolean pin = FALSE;
  int status = SI_CLI_EXIT_OK;
  SiStore *store;
  const GOptionEntry entries[] = {
    { "body", 'b', 0, G_OPTION_ARG_FILENAME, &body_option, "The text of the idea (- reads standard input)", "TEXT" },
    { "tag", 't', 0, G_OPTION_ARG_FILENAME_ARRAY, &tags, "A tag; made when missing (repeatable)", "NAME" },
    { "pin", 'p', 0, G_OPTION_ARG_NONE, &pin, "Pin the idea", NULL },
    { NULL }
  };

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 1)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, "add needs one TITLE (try “saveidea-cli add --help”)");
  if (body_option && !(body = body_from_option (ctx, body_option, &status)))
    return status;
  if (*(const char *) g_ptr_array_index (args, 0) == '\0' && (body == NULL || *body == '\0'))
    return si_cli_fail (ctx, SI_CLI_EXIT_INVALID, "An idea needs a title or a text.");

  if (!(store = si_cli_get_store (ctx, &status)))
    return status;
  idea = si_idea_new (g_ptr_array_index (args, 0), body);
  si_idea_set_pinned (idea, pin);
  if (!si_import_save_idea (store, idea, (const char * const *) tags, &error))
    return si_cli_fail_error (ctx, error);
  printf ("%" G_GINT64_FORMAT "\n", si_idea_get_id (idea));
  return SI_CLI_EXIT_OK;
}

static int
count_digits (gint64 n)
{
  int digits = 1;

  for (; n >= 10; n /= 10)
    digits++;
  return digits;
}

/* list --------------------------------------------------------------------------------------------- */

int
si_cli_cmd_list (SiCliContext  *ctx,
                 int            argc,
                 char         **argv)
{
  g_autofree char *tag_name = NULL;
  g_autofree char *search = NULL;
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GPtrArray) ideas = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) keys = NULL;
  g_autoptr(GError) error = NULL;
  gboolean pinned = FALSE, json = FALSE;
  SiIdeaFilter filter = { 0 };
  int status = SI_CLI_EXIT_OK, width = 1;
  SiStore *store;
  const GOptionEntry entries[] = {
    { "tag", 't', 0, G_OPTION_ARG_FILENAME, &tag_name, "Only ideas with this tag", "NAME" },
    { "search", 's', 0, G_OPTION_ARG_FILENAME, &search, "Only ideas matching this text, best first", "TEXT" },
    { "pinned", 'p', 0, G_OPTION_ARG_NONE, &pinned, "Only pinned ideas", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON array of ideas", NULL },
    { NULL }
  };

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 0)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, "list takes no arguments (to search, use --search TEXT)");
  if (search && !g_utf8_validate (search, -1, NULL))
    return si_cli_fail (ctx, SI_CLI_EXIT_INVALID, "The search text is not valid UTF-8.");

  if (!(store = si_cli_get_store (ctx, &status)))
    return status;
  if (tag_name)
    {
      g_autoptr(SiTag) tag = si_store_find_tag (store, tag_name, &error);

      if (tag == NULL)
        return si_cli_fail_error (ctx, error);
      filter.tag_id = si_tag_get_id (tag);
    }
  filter.search = search;
  filter.pinned_only = pinned;

  if (!(keys = si_store_query_ideas (store, &filter, &error)))
    return si_cli_fail_error (ctx, error);
  for (guint i = 0; i < keys->len; i++)
    {
      SiIdea *idea = si_store_get_idea (store, g_array_index (keys, SiIdeaKey, i).id, &error);

      if (idea == NULL)
        return si_cli_fail_error (ctx, error);
      g_ptr_array_add (ideas, idea);
      width = MAX (width, count_digits (si_idea_get_id (idea)));
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < ideas->len; i++)
        build_idea (builder, g_ptr_array_index (ideas, i));
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      si_cli_print_json (root);
      return SI_CLI_EXIT_OK;
    }

  for (guint i = 0; i < ideas->len; i++)
    {
      SiIdea *idea = g_ptr_array_index (ideas, i);
      g_autofree char *title = si_idea_dup_display_title (idea);
      g_autofree char *tags = join_tags (idea);

      printf ("%*" G_GINT64_FORMAT " %s %s%s%s%s\n", width, si_idea_get_id (idea),
              si_idea_get_pinned (idea) ? "*" : " ",
              *title ? title : "(untitled)",
              *tags ? "  [" : "", tags, *tags ? "]" : "");
    }
  return SI_CLI_EXIT_OK;
}

/* show --------------------------------------------------------------------------------------------- */

int
si_cli_cmd_show (SiCliContext  *ctx,
                 int            argc,
                 char         **argv)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(SiIdea) idea = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *created = NULL;
  g_autofree char *updated = NULL;
  gboolean json = FALSE;
  int status = SI_CLI_EXIT_OK;
  SiStore *store;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the idea as a JSON object", NULL },
    { NULL }
  };

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 1)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, "show needs one ID (try “saveidea-cli show --help”)");
  if (!(store = si_cli_get_store (ctx, &status)))
    return status;
  if (!(idea = find_idea (ctx, store, g_ptr_array_index (args, 0), &status)))
    return status;

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      build_idea (builder, idea);
      root = json_builder_get_root (builder);
      si_cli_print_json (root);
      return SI_CLI_EXIT_OK;
    }

  tags = join_tags (idea);
  created = si_cli_format_local_time (si_idea_get_created_at (idea));
  updated = si_cli_format_local_time (si_idea_get_updated_at (idea));
  printf ("id:       %" G_GINT64_FORMAT "\n"
          "uid:      %s\n"
          "title:    %s\n"
          "tags:     %s\n"
          "pinned:   %s\n"
          "created:  %s\n"
          "updated:  %s\n"
          "sync:     %s\n",
          si_idea_get_id (idea), si_idea_get_uid (idea), si_idea_get_title (idea), tags,
          si_idea_get_pinned (idea) ? "yes" : "no", created, updated,
          sync_state_name (si_idea_get_sync_state (idea)));
  if (si_idea_get_conflict_of (idea) > 0)
    printf ("conflict: a conflicted copy of idea %" G_GINT64_FORMAT "\n", si_idea_get_conflict_of (idea));
  if (si_idea_get_sync_error (idea) != NULL)
    printf ("refused:  %s\n", si_idea_get_sync_error (idea));
  if (*si_idea_get_body (idea) != '\0')
    {
      const char *body = si_idea_get_body (idea);

      printf ("\n%s%s", body, g_str_has_suffix (body, "\n") ? "" : "\n");
    }
  return SI_CLI_EXIT_OK;
}

/* edit --------------------------------------------------------------------------------------------- */

static gboolean
names_contain (GPtrArray  *names,
               const char *name)
{
  g_autofree char *key = si_tag_name_key (name);

  for (guint i = 0; key && i < names->len; i++)
    {
      g_autofree char *other = si_tag_name_key (g_ptr_array_index (names, i));

      if (g_strcmp0 (key, other) == 0)
        return TRUE;
    }
  return FALSE;
}

int
si_cli_cmd_edit (SiCliContext  *ctx,
                 int            argc,
                 char         **argv)
{
  g_autofree char *title = NULL;
  g_autofree char *body_option = NULL;
  g_autofree char *body = NULL;
  g_auto(GStrv) add_tags = NULL;
  g_auto(GStrv) remove_tags = NULL;
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(GError) error = NULL;
  gboolean pin = FALSE, unpin = FALSE;
  int status = SI_CLI_EXIT_OK;
  SiStore *store;
  const GOptionEntry entries[] = {
    { "title", 0, 0, G_OPTION_ARG_FILENAME, &title, "The new title", "TITLE" },
    { "body", 'b', 0, G_OPTION_ARG_FILENAME, &body_option, "The new text (- reads standard input)", "TEXT" },
    { "tag", 't', 0, G_OPTION_ARG_FILENAME_ARRAY, &add_tags, "Add a tag; made when missing (repeatable)", "NAME" },
    { "untag", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &remove_tags, "Remove a tag (repeatable)", "NAME" },
    { "pin", 'p', 0, G_OPTION_ARG_NONE, &pin, "Pin the idea", NULL },
    { "unpin", 0, 0, G_OPTION_ARG_NONE, &unpin, "Unpin the idea", NULL },
    { NULL }
  };

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 1)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, "edit needs one ID (try “saveidea-cli edit --help”)");
  if (pin && unpin)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, "--pin and --unpin cannot go together");
  if (!title && !body_option && !add_tags && !remove_tags && !pin && !unpin)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, "Nothing to change: give --title, --body, --tag, --untag, --pin or --unpin");
  if (body_option && !(body = body_from_option (ctx, body_option, &status)))
    return status;

  if (!(store = si_cli_get_store (ctx, &status)))
    return status;
  if (!(idea = find_idea (ctx, store, g_ptr_array_index (args, 0), &status)))
    return status;

  if (title)
    si_idea_set_title (idea, title);
  if (body)
    si_idea_set_body (idea, body);
  if (pin || unpin)
    si_idea_set_pinned (idea, pin);

  if (add_tags || remove_tags)
    {
      const char * const *current = si_idea_get_tag_names (idea);
      g_autoptr(GPtrArray) removed = g_ptr_array_new ();

      names = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; remove_tags && remove_tags[i]; i++)
        {
          if (!g_utf8_validate (remove_tags[i], -1, NULL))
            return si_cli_fail (ctx, SI_CLI_EXIT_INVALID, "The tag name is not valid UTF-8 text.");
          g_ptr_array_add (removed, remove_tags[i]);
        }
      for (guint i = 0; current && current[i]; i++)
        if (!names_contain (removed, current[i]))
          g_ptr_array_add (names, g_strdup (current[i]));
      for (guint i = 0; add_tags && add_tags[i]; i++)
        if (!g_utf8_validate (add_tags[i], -1, NULL) || !names_contain (names, add_tags[i]))
          g_ptr_array_add (names, g_strdup (add_tags[i]));
      g_ptr_array_add (names, NULL);
    }

  if (!si_import_save_idea (store, idea, names ? (const char * const *) names->pdata : NULL, &error))
    return si_cli_fail_error (ctx, error);
  return SI_CLI_EXIT_OK;
}

/* delete ------------------------------------------------------------------------------------------- */

int
si_cli_cmd_delete (SiCliContext  *ctx,
                   int            argc,
                   char         **argv)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(GError) error = NULL;
  int status = SI_CLI_EXIT_OK;
  SiStore *store;

  if (!si_cli_parse_options (ctx, NULL, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 1)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, "delete needs one ID (try “saveidea-cli delete --help”)");
  if (!(store = si_cli_get_store (ctx, &status)))
    return status;
  if (!(idea = find_idea (ctx, store, g_ptr_array_index (args, 0), &status)))
    return status;
  if (!si_store_delete_idea (store, si_idea_get_id (idea), SI_SAVE_LOCAL, &error))
    return si_cli_fail_error (ctx, error);
  return SI_CLI_EXIT_OK;
}

/* tags --------------------------------------------------------------------------------------------- */

int
si_cli_cmd_tags (SiCliContext  *ctx,
                 int            argc,
                 char         **argv)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GPtrArray) tags = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  int status = SI_CLI_EXIT_OK;
  SiStore *store;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON array of tags", NULL },
    { NULL }
  };

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 0)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, "tags takes no arguments");
  if (!(store = si_cli_get_store (ctx, &status)))
    return status;
  if (!(tags = si_store_list_tags (store, &error)))
    return si_cli_fail_error (ctx, error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < tags->len; i++)
        {
          SiTag *tag = g_ptr_array_index (tags, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, si_tag_get_id (tag));
          json_builder_set_member_name (builder, "uid");
          json_builder_add_string_value (builder, si_tag_get_uid (tag));
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, si_tag_get_name (tag));
          json_builder_set_member_name (builder, "colour");
          json_builder_add_string_value (builder, si_tag_get_colour (tag));
          json_builder_set_member_name (builder, "ideas");
          json_builder_add_int_value (builder, si_tag_get_idea_count (tag));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      si_cli_print_json (root);
      return SI_CLI_EXIT_OK;
    }

  for (guint i = 0; i < tags->len; i++)
    {
      SiTag *tag = g_ptr_array_index (tags, i);

      printf ("%s (%u)\n", si_tag_get_name (tag), si_tag_get_idea_count (tag));
    }
  return SI_CLI_EXIT_OK;
}
