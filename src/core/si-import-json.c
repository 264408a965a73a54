/* si-import-json.c — JSON exports (si-export.c writes them). */
#define G_LOG_DOMAIN "saveidea-import"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "si-export.h"
#include "si-import.h"
#include "si-import-private.h"
#include "si-record-private.h"
#include "si-store-private.h"

/* JSON ---------------------------------------------------------------------------------------- */

static gboolean
json_string_member (JsonObject   *object,
                    const char   *member,
                    const char  **value,
                    gboolean     *wrong_type)
{
  JsonNode *node = json_object_get_member (object, member);

  *value = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      *wrong_type = TRUE;
      return FALSE;
    }
  *value = json_node_get_string (node);
  return TRUE;
}

/* A time member: an ISO 8601 string, or an integer of microseconds. 0 when absent. */
static gboolean
json_time_member (JsonObject *object,
                  const char *member,
                  gint64     *usec)
{
  JsonNode *node = json_object_get_member (object, member);

  *usec = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *usec = json_node_get_int (node);
      return *usec > 0;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return si_import_parse_time (json_node_get_string (node), usec) && *usec > 0;
  return FALSE;
}

static gboolean
read_json_tag (Batch       *batch,
               const char  *source,
               guint        index,
               JsonNode    *node,
               GError     **error)
{
  JsonObject *object;
  const char *name = NULL, *uid = NULL, *colour = NULL;
  gboolean wrong = FALSE;
  TagRecord *tag;
  gint64 created = 0;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    /* Translators: %u counts the tags of a JSON export from 1. */
    return _si_import_invalid (error, source, 0, _("tag %u is not an object."), index);
  object = json_node_get_object (node);
  if (!json_string_member (object, "name", &name, &wrong))
    return _si_import_invalid (error, source, 0, _("tag %u has no name."), index);
  json_string_member (object, "uid", &uid, &wrong);
  json_string_member (object, "colour", &colour, &wrong);
  if (wrong)
    /* Translators: “uid” and “colour” are member names of the JSON file; keep them. */
    return _si_import_invalid (error, source, 0, _("tag %u: “uid” and “colour” must be strings."), index);
  if (!json_time_member (object, "created", &created))
    /* Translators: “created” is a member name of the JSON file; keep it. */
    return _si_import_invalid (error, source, 0, _("tag %u: “created” is not a date and time."), index);
  if (!g_utf8_validate (name, -1, NULL) || g_utf8_strlen (name, -1) > SI_TAG_NAME_MAX_CHARS)
    return _si_import_invalid (error, source, 0,
                               /* Translators: %u counts the tags of a JSON export from 1. */
                               g_dngettext (GETTEXT_PACKAGE, "tag %u: the name is not valid or too long (at most %d character).",
                                            "tag %u: the name is not valid or too long (at most %d characters).",
                                            SI_TAG_NAME_MAX_CHARS),
                               index, SI_TAG_NAME_MAX_CHARS);

  tag = g_new0 (TagRecord, 1);
  tag->name = g_strdup (name);
  tag->uid = uid && *uid && strlen (uid) <= UID_MAX_BYTES ? g_strdup (uid) : NULL;
  tag->colour = g_strdup (colour);
  tag->created_at = created;
  g_ptr_array_add (batch->tags, tag);
  return TRUE;
}

static gboolean
read_json_idea (Batch       *batch,
                const char  *source,
                guint        index,
                JsonNode    *node,
                GError     **error)
{
  /* Translators: names an idea of a JSON export in the messages below (%s); %u counts from 1. */
  g_autofree char *where = g_strdup_printf (_("idea %u"), index);
  JsonObject *object;
  JsonNode *member;
  const char *value = NULL;
  gboolean wrong = FALSE;
  Record *record;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    /* Translators: %s names the idea (“idea 3”). */
    return _si_import_invalid (error, source, 0, _("%s is not an object."), where);
  object = json_node_get_object (node);
  record = _si_import_record_new (source);
  record->index = index;
  g_ptr_array_add (batch->records, record);

  if (json_string_member (object, "uid", &value, &wrong))
    record->uid = g_strdup (value);
  if (json_string_member (object, "title", &value, &wrong))
    {
      g_free (record->title);
      record->title = g_strdup (value);
    }
  if (json_string_member (object, "body", &value, &wrong))
    {
      g_free (record->body);
      record->body = g_strdup (value);
    }
  if (wrong)
    /* Translators: %s names the idea (“idea 3”); the quoted words are member names of the JSON
     * file, keep them. */
    return _si_import_invalid (error, source, 0, _("%s: “uid”, “title” and “body” must be strings."), where);

  if ((member = json_object_get_member (object, "pinned")) != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_BOOLEAN)
        /* Translators: %s names the idea (“idea 3”); keep “pinned”, true and false. */
        return _si_import_invalid (error, source, 0, _("%s: “pinned” must be true or false."), where);
      record->pinned = json_node_get_boolean (member);
    }

  if ((member = json_object_get_member (object, "tags")) != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (member))
        /* Translators: %s names the idea (“idea 3”); keep “tags”. */
        return _si_import_invalid (error, source, 0, _("%s: “tags” must be a list of names."), where);
      array = json_node_get_array (member);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *tag = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (tag) || json_node_get_value_type (tag) != G_TYPE_STRING)
            /* Translators: %s names the idea (“idea 3”); keep “tags”. */
            return _si_import_invalid (error, source, 0, _("%s: “tags” must be a list of names."), where);
          _si_import_record_add_tag (record, json_node_get_string (tag));
        }
    }

  if (!json_time_member (object, "created", &record->created_at))
    /* Translators: %s names the idea (“idea 3”); keep “created”. */
    return _si_import_invalid (error, source, 0, _("%s: “created” is not a date and time."), where);
  if (!json_time_member (object, "updated", &record->updated_at))
    /* Translators: %s names the idea (“idea 3”); keep “updated”. */
    return _si_import_invalid (error, source, 0, _("%s: “updated” is not a date and time."), where);
  if (record->created_at == 0)
    record->created_at = record->updated_at ? record->updated_at : g_get_real_time ();
  if (record->updated_at == 0)
    record->updated_at = record->created_at;
  return _si_import_check_record (record, 0, error);
}

JsonParser *
_si_import_parse_json_file (GFile         *file,
                            const char    *source,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!_si_import_load_file (file, source, JSON_MAX_BYTES, &data, &length, cancellable, error) ||
      !_si_import_check_utf8 (source, data, length, error))
    return NULL;
  /* The codec's guard first: json-glib recurses per level of nesting. */
  if (!si_wire_check_text (data, length, &local_error) ||
      !json_parser_load_from_data (parser, data, length, &local_error))
    {
      /* Translators: %s is the JSON parser's message. */
      _si_import_invalid (error, source, 0, _("the file is not valid JSON: %s"), local_error->message);
      return NULL;
    }
  return g_steal_pointer (&parser);
}

const char *
_si_import_json_string (JsonObject *object,
                        const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gboolean
_si_import_json_bool (JsonObject *object,
                      const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node) != 0;
  return FALSE;
}

JsonObject *
_si_import_json_object (JsonObject *object,
                        const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
_si_import_json_array (JsonObject *object,
                       const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  return node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

gboolean
_si_import_read_json_file (Batch         *batch,
                           GFile         *file,
                           GCancellable  *cancellable,
                           GError       **error)
{
  const char *source = _si_import_batch_add_source (batch, file);
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *root;
  JsonNode *node, *format, *version;
  JsonArray *array;

  if (!(parser = _si_import_parse_json_file (file, source, cancellable, error)))
    return FALSE;

  node = json_parser_get_root (parser);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      !(format = json_object_get_member (root = json_node_get_object (node), "format")) ||
      !JSON_NODE_HOLDS_VALUE (format) || json_node_get_value_type (format) != G_TYPE_STRING ||
      g_strcmp0 (json_node_get_string (format), SI_EXPORT_JSON_FORMAT) != 0)
    {
      g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_UNSUPPORTED,
                   /* Translators: %s is the file; keep "format": "saveidea" as it is. */
                   _("%s: this is not a Saveidea export (it has no \"format\": \"saveidea\")."), source);
      return FALSE;
    }
  version = json_object_get_member (root, "version");
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version) || json_node_get_value_type (version) != G_TYPE_INT64 ||
      json_node_get_int (version) < 1)
    /* Translators: keep “version”, a member name of the JSON file. */
    return _si_import_invalid (error, source, 0, _("the export has no valid “version”."));
  if (json_node_get_int (version) > SI_EXPORT_JSON_VERSION)
    {
      g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_UNSUPPORTED,
                   /* Translators: the file, then the version of the export format it has. */
                   _("%s: this export was written by a newer Saveidea (format version %lld); "
                     "update Saveidea to import it."), source, (long long) json_node_get_int (version));
      return FALSE;
    }

  if ((node = json_object_get_member (root, "tags")) != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_ARRAY (node))
        /* Translators: keep “tags”, a member name of the JSON file. */
        return _si_import_invalid (error, source, 0, _("“tags” must be a list."));
      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!read_json_tag (batch, source, i + 1, json_array_get_element (array, i), error))
          return FALSE;
    }

  node = json_object_get_member (root, "ideas");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    /* Translators: keep “ideas”, a member name of the JSON file. */
    return _si_import_invalid (error, source, 0, _("“ideas” must be a list."));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      if (i % 256 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!read_json_idea (batch, source, i + 1, json_array_get_element (array, i), error))
        return FALSE;
    }
  return TRUE;
}
