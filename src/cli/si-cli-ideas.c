/* si-cli-ideas.c — saveidea-cli's commands for ideas and tags: add, list, show, edit, delete, tags.
 *
 * JSON output is stable: an idea is
 *   {"id": 12, "uid": "…", "title": "…", "body": "…", "tags": ["…"], "pinned": false,
 *    "created": "2024-05-01T09:30:00.000000Z", "updated": "…", "sync_state": "created",
 *    "conflict_of": null, "sync_error": null, "device": "laptop"}
 * ("device": the device that wrote this version, null when not known)
 * and a tag {"id": 3, "uid": "…", "name": "…", "colour": "", "ideas": 2}. Members may be added,
 * never removed or changed.
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

/* The sync state as --json writes it: never translated. */
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
  json_builder_set_member_name (builder, "device");
  if (si_idea_get_device (idea) != NULL)
    json_builder_add_string_value (builder, si_idea_get_device (idea));
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
          /* Translators: %s is the idea's number as typed. */
          *exit_code = si_cli_fail (ctx, SI_CLI_EXIT_NOT_FOUND, _("There is no idea %s."), arg);
          return NULL;
        }
      idea = si_store_get_idea (store, (gint64) id, &error);
    }
  else if (g_utf8_validate (arg, -1, NULL))
    idea = si_store_get_idea_by_uid (store, arg, &error);
  else
    {
      *exit_code = si_cli_fail (ctx, SI_CLI_EXIT_NOT_FOUND, _("There is no such idea (the id is not valid UTF-8)."));
      return NULL;
    }
  /* The store's message names the idea by its number; this one says it as it was typed. */
  if (g_error_matches (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND))
    *exit_code = digits ? si_cli_fail (ctx, SI_CLI_EXIT_NOT_FOUND, _("There is no idea %s."), arg)
                        /* Translators: %s is an idea's uid, a long code. */
                        : si_cli_fail (ctx, SI_CLI_EXIT_NOT_FOUND, _("There is no idea with the uid %s."), arg);
  else if (idea == NULL)
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
    { "body", 'b', 0, G_OPTION_ARG_FILENAME, &body_option, N_("The text of the idea (- reads standard input)"), "TEXT" },
    { "tag", 't', 0, G_OPTION_ARG_FILENAME_ARRAY, &tags, N_("A tag; made when missing (repeatable)"), "NAME" },
    { "pin", 'p', 0, G_OPTION_ARG_NONE, &pin, N_("Pin the idea"), NULL },
    { NULL }
  };

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 1)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("add needs one TITLE (try “saveidea-cli add --help”)"));
  if (body_option && !(body = body_from_option (ctx, body_option, &status)))
    return status;
  if (*(const char *) g_ptr_array_index (args, 0) == '\0' && (body == NULL || *body == '\0'))
    return si_cli_fail (ctx, SI_CLI_EXIT_INVALID, _("An idea needs a title or a text."));

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
    { "tag", 't', 0, G_OPTION_ARG_FILENAME, &tag_name, N_("Only ideas with this tag"), "NAME" },
    { "search", 's', 0, G_OPTION_ARG_FILENAME, &search, N_("Only ideas matching this text, best first"), "TEXT" },
    { "pinned", 'p', 0, G_OPTION_ARG_NONE, &pinned, N_("Only pinned ideas"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array of ideas"), NULL },
    { NULL }
  };

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 0)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("list takes no arguments (to search, use --search TEXT)"));
  if (search && !g_utf8_validate (search, -1, NULL))
    return si_cli_fail (ctx, SI_CLI_EXIT_INVALID, _("The search text is not valid UTF-8."));

  if (!(store = si_cli_get_store (ctx, &status)))
    return status;
  if (tag_name)
    {
      g_autoptr(SiTag) tag = si_store_find_tag (store, tag_name, &error);

      if (g_error_matches (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND))
        return si_cli_fail (ctx, SI_CLI_EXIT_NOT_FOUND, _("There is no tag “%s”."), tag_name);
      if (tag == NULL)
        return si_cli_fail_error (ctx, error);
      filter.tag_id = si_tag_get_id (tag);
    }
  filter.search = search;
  filter.pinned_only = pinned;
  /* Ideas a big pull left waiting for the search index (si_cli_cmd_sync()) are indexed once,
   * now: each search would otherwise read all of their text. Found either way. */
  if (search && si_store_get_search_pending (store) > 0 &&
      !si_store_fill_search (store, ctx->cancellable, &error))
    {
      g_debug ("The search index was not filled: %s", error->message);
      g_clear_error (&error);
    }

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
              /* Translators: `saveidea-cli list` shows this for an idea without title or text. */
              *title ? title : _("(untitled)"),
              *tags ? "  [" : "", tags, *tags ? "]" : "");
    }
  return SI_CLI_EXIT_OK;
}

/* show --------------------------------------------------------------------------------------------- */

/* The lines of `show`'s text output, "label: value", the values lined up after the longest
 * label of the language. */
typedef enum {
  FIELD_ID,
  FIELD_UID,
  FIELD_TITLE,
  FIELD_TAGS,
  FIELD_PINNED,
  FIELD_CREATED,
  FIELD_UPDATED,
  FIELD_DEVICE,
  FIELD_SYNC,
  FIELD_CONFLICT,
  FIELD_REFUSED,
  N_FIELDS
} Field;

/* The labels, marked in the context "show" and translated with it where printed. */
static const char * const field_labels[N_FIELDS] = {
  /* Translators: the labels of `saveidea-cli show`, each before a value of the idea; the
   * values are lined up after the longest label. */
  NC_("show", "id:"),
  NC_("show", "uid:"),
  NC_("show", "title:"),
  NC_("show", "tags:"),
  NC_("show", "pinned:"),
  NC_("show", "created:"),
  NC_("show", "updated:"),
  /* Translators: the label of the name of the device that wrote this version of the idea. */
  NC_("show", "device:"),
  /* Translators: the label of the idea's sync state (synced, created, modified, deleted). */
  NC_("show", "sync:"),
  /* Translators: the label of the line that says which idea this one is a conflicted copy of. */
  NC_("show", "conflict:"),
  /* Translators: the label of the reason the server gave for refusing the idea. */
  NC_("show", "refused:"),
};

/* The column the values start at: one space after the longest label. */
static int
field_width (void)
{
  glong width = 0;

  for (guint i = 0; i < N_FIELDS; i++)
    width = MAX (width, g_utf8_strlen (g_dpgettext2 (NULL, "show", field_labels[i]), -1) + 1);
  return (int) width;
}

static void
print_field (int         width,
             Field       field,
             const char *value)
{
  const char *label = g_dpgettext2 (NULL, "show", field_labels[field]);

  printf ("%s%*s%s\n", label, (int) (width - g_utf8_strlen (label, -1)), "", value);
}

/* The sync state as the text output says it: the words of sync_state_name(), translated. */
static const char *
sync_state_label (SiSyncState state)
{
  switch (state)
    {
    /* Translators: the sync states of an idea. "created" and "modified": made or changed
     * here, not yet sent to the server; "deleted": deleted here, not yet sent. */
    case SI_SYNC_STATE_SYNCED: return C_("sync state", "synced");
    case SI_SYNC_STATE_CREATED: return C_("sync state", "created");
    case SI_SYNC_STATE_MODIFIED: return C_("sync state", "modified");
    case SI_SYNC_STATE_DELETED: return C_("sync state", "deleted");
    default: return C_("sync state", "unknown");
    }
}

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
  g_autofree char *id = NULL;
  gboolean json = FALSE;
  int status = SI_CLI_EXIT_OK, width;
  SiStore *store;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the idea as a JSON object"), NULL },
    { NULL }
  };

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 1)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("show needs one ID (try “saveidea-cli show --help”)"));
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
  id = g_strdup_printf ("%" G_GINT64_FORMAT, si_idea_get_id (idea));
  width = field_width ();
  print_field (width, FIELD_ID, id);
  print_field (width, FIELD_UID, si_idea_get_uid (idea));
  print_field (width, FIELD_TITLE, si_idea_get_title (idea));
  print_field (width, FIELD_TAGS, tags);
  /* Translators: whether the idea is pinned. */
  print_field (width, FIELD_PINNED, si_idea_get_pinned (idea) ? C_("pinned", "yes") : C_("pinned", "no"));
  print_field (width, FIELD_CREATED, created);
  print_field (width, FIELD_UPDATED, updated);
  if (si_idea_get_device (idea) != NULL)
    print_field (width, FIELD_DEVICE, si_idea_get_device (idea));
  print_field (width, FIELD_SYNC, sync_state_label (si_idea_get_sync_state (idea)));
  if (si_idea_get_conflict_of (idea) > 0)
    {
      g_autofree char *original = g_strdup_printf ("%" G_GINT64_FORMAT, si_idea_get_conflict_of (idea));
      g_autofree char *text = NULL;

      /* Translators: shown by `saveidea-cli show` beside “conflict:”; %s is the number of the
       * idea this one is a conflicted copy of. */
      text = g_strdup_printf (_("a conflicted copy of idea %s"), original);
      print_field (width, FIELD_CONFLICT, text);
    }
  if (si_idea_get_sync_error (idea) != NULL)
    print_field (width, FIELD_REFUSED, si_idea_get_sync_error (idea));
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
    { "title", 0, 0, G_OPTION_ARG_FILENAME, &title, N_("The new title"), "TITLE" },
    { "body", 'b', 0, G_OPTION_ARG_FILENAME, &body_option, N_("The new text (- reads standard input)"), "TEXT" },
    { "tag", 't', 0, G_OPTION_ARG_FILENAME_ARRAY, &add_tags, N_("Add a tag; made when missing (repeatable)"), "NAME" },
    { "untag", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &remove_tags, N_("Remove a tag (repeatable)"), "NAME" },
    { "pin", 'p', 0, G_OPTION_ARG_NONE, &pin, N_("Pin the idea"), NULL },
    { "unpin", 0, 0, G_OPTION_ARG_NONE, &unpin, N_("Unpin the idea"), NULL },
    { NULL }
  };

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 1)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("edit needs one ID (try “saveidea-cli edit --help”)"));
  if (pin && unpin)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("--pin and --unpin cannot go together"));
  if (!title && !body_option && !add_tags && !remove_tags && !pin && !unpin)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("Nothing to change: give --title, --body, --tag, --untag, --pin or --unpin"));
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
            return si_cli_fail (ctx, SI_CLI_EXIT_INVALID, _("The tag name is not valid UTF-8 text."));
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
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("delete needs one ID (try “saveidea-cli delete --help”)"));
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
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array of tags"), NULL },
    { NULL }
  };

  if (!si_cli_parse_options (ctx, entries, &argc, &argv, &status))
    return status;
  args = si_cli_positional (argc, argv);
  if (args->len != 0)
    return si_cli_fail (ctx, SI_CLI_EXIT_USAGE, _("tags takes no arguments"));
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
      g_autofree char *count = si_format_count (si_tag_get_idea_count (tag));

      printf ("%s (%s)\n", si_tag_get_name (tag), count);
    }
  return SI_CLI_EXIT_OK;
}

SiIdea *
si_cli_find_idea (SiCliContext *ctx,
                  SiStore      *store,
                  const char   *arg,
                  int          *exit_code)
{
  return find_idea (ctx, store, arg, exit_code);
}
