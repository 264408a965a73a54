/* si-import-standardnotes.c — a decrypted Standard Notes backup.
 *
 * Standard Notes (Preferences → Backups → Download backup, “Decrypted”) writes
 *
 *   { "version": "004", "items": [
 *       { "uuid", "content_type": "Note", "created_at", "updated_at", "deleted",
 *         "content": { "title", "text", "pinned", "archived", "trashed", "references": [],
 *                      "appData": { "org.standardnotes.sn": { "pinned", "archived" } } } },
 *       { "uuid", "content_type": "Tag",
 *         "content": { "title", "references": [ { "uuid", "content_type": "Note" },
 *                                               { "uuid", "content_type": "Tag",
 *                                                 "reference_type": "TagToParentTag" } ] } },
 *       … ] }
 *
 * Tags point at their notes (and a nested tag at its parent: its name here is
 * `parent/child`). An encrypted backup has each item's "content" as one string ("004:…"):
 * nothing of it can be read without the account's key, and it is refused.
 */
#define G_LOG_DOMAIN "saveidea-import"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "si-import.h"
#include "si-import-private.h"

#define APP "standard-notes"
#define TAG_DEPTH_MAX 16

gboolean
_si_import_standardnotes_probe_file (const Probe *probe)
{
  return _si_import_probe_has_key (probe, "items") &&
         (_si_import_probe_has_key (probe, "content_type") || _si_import_probe_has_key (probe, "version"));
}

static gboolean
app_flag (JsonObject *content,
          const char *member)
{
  JsonObject *app_data = _si_import_json_object (_si_import_json_object (content, "appData"), "org.standardnotes.sn");

  return _si_import_json_bool (content, member) || _si_import_json_bool (app_data, member);
}

/* The tag's full name, `parent/child` when it is nested. */
static char *
tag_path (GHashTable *tags,
          JsonObject *tag)
{
  g_autoptr(GString) path = g_string_new (_si_import_json_string (_si_import_json_object (tag, "content"), "title"));

  for (guint depth = 0; depth < TAG_DEPTH_MAX; depth++)
    {
      JsonArray *refs = _si_import_json_array (_si_import_json_object (tag, "content"), "references");
      JsonObject *parent = NULL;

      for (guint i = 0; refs != NULL && i < json_array_get_length (refs); i++)
        {
          JsonNode *node = json_array_get_element (refs, i);
          JsonObject *ref = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
          const char *uuid = _si_import_json_string (ref, "uuid");

          if (g_strcmp0 (_si_import_json_string (ref, "content_type"), "Tag") == 0 &&
              g_strcmp0 (_si_import_json_string (ref, "reference_type"), "TagToParentTag") == 0 && uuid != NULL)
            parent = g_hash_table_lookup (tags, uuid);
        }
      if (parent == NULL)
        break;
      g_string_prepend (path, "/");
      g_string_prepend (path, _si_import_json_string (_si_import_json_object (parent, "content"), "title"));
      tag = parent;
    }
  return g_string_free (g_steal_pointer (&path), FALSE);
}

static gboolean
read_note (const char  *source,
           guint        index,
           JsonObject  *item,
           JsonObject  *content,
           Record     **out,
           GError     **error)
{
  /* Translators: names a note of an export in the messages that follow (%s); %u counts from 1. */
  g_autofree char *where = g_strdup_printf (_("note %u"), index);
  const char *uuid = _si_import_json_string (item, "uuid");
  const char *title = _si_import_json_string (content, "title");
  const char *text = _si_import_json_string (content, "text");
  const char *time;
  Record *record;

  if (uuid == NULL || *uuid == '\0')
    /* Translators: %s names the note (“note 3”); keep “uuid”. */
    return _si_import_invalid (error, source, 0, _("%s has no “uuid”."), where);
  record = _si_import_record_new (source);
  record->index = index;
  g_free (record->body);
  record->body = _si_import_normalize_newlines (text ? text : "");
  g_free (record->title);
  record->title = title && *title ? _si_import_normalize_newlines (title) : _si_import_title_from_body (record->body);
  if ((time = _si_import_json_string (item, "created_at")) != NULL && !si_import_parse_time (time, &record->created_at))
    {
      _si_import_record_free (record);
      /* Translators: %s names the note (“note 3”); keep “created_at”. */
      return _si_import_invalid (error, source, 0, _("%s: “created_at” is not a date and time."), where);
    }
  if ((time = _si_import_json_string (item, "updated_at")) != NULL && !si_import_parse_time (time, &record->updated_at))
    {
      _si_import_record_free (record);
      /* Translators: %s names the note (“note 3”); keep “updated_at”. */
      return _si_import_invalid (error, source, 0, _("%s: “updated_at” is not a date and time."), where);
    }
  if (record->created_at <= 0)
    record->created_at = record->updated_at > 0 ? record->updated_at : g_get_real_time ();
  if (record->updated_at <= 0)
    record->updated_at = record->created_at;
  record->pinned = app_flag (content, "pinned");
  record->archived = app_flag (content, "archived");
  record->trashed = app_flag (content, "trashed");
  record->uid = _si_import_uid_from_id (APP, uuid);
  *out = record;
  return TRUE;
}

gboolean
_si_import_standardnotes_read (Batch         *batch,
                               GFile         *file,
                               GCancellable  *cancellable,
                               GError       **error)
{
  const char *source = _si_import_batch_add_source (batch, file);
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func ((GDestroyNotify) _si_import_record_free);
  g_autoptr(GHashTable) by_uuid = g_hash_table_new (g_str_hash, g_str_equal);   /* uuid → Record * */
  g_autoptr(GHashTable) tags = g_hash_table_new (g_str_hash, g_str_equal);      /* uuid → item */
  g_autoptr(GPtrArray) tag_list = g_ptr_array_new ();
  JsonNode *root;
  JsonArray *items;
  guint n_notes = 0;

  if (!(parser = _si_import_parse_json_file (file, source, cancellable, error)))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !(items = _si_import_json_array (json_node_get_object (root), "items")))
    /* Translators: keep “items”, a member name of a Standard Notes backup. */
    return _si_import_invalid (error, source, 0, _("this is not a Standard Notes backup: it has no list of “items”."));

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *item, *content;
      JsonNode *content_node;
      const char *type, *uuid;

      if (i % 256 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!JSON_NODE_HOLDS_OBJECT (node))
        /* Translators: %u counts the items of a Standard Notes backup from 1. */
        return _si_import_invalid (error, source, 0, _("item %u is not an object."), i + 1);
      item = json_node_get_object (node);
      type = _si_import_json_string (item, "content_type");
      content_node = json_object_get_member (item, "content");
      if (content_node != NULL && JSON_NODE_HOLDS_VALUE (content_node) &&
          json_node_get_value_type (content_node) == G_TYPE_STRING)
        {
          g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_UNSUPPORTED,
                       /* Translators: %s is the file. */
                       _("%s: this Standard Notes backup is encrypted. In Standard Notes, download "
                         "a decrypted backup (Preferences → Backups) and import that."), source);
          return FALSE;
        }
      if (_si_import_json_bool (item, "deleted") || type == NULL)
        continue;
      content = _si_import_json_object (item, "content");
      uuid = _si_import_json_string (item, "uuid");
      if (g_str_equal (type, "Note"))
        {
          Record *record = NULL;

          if (!read_note (source, ++n_notes, item, content, &record, error))
            return FALSE;
          g_ptr_array_add (notes, record);
          g_hash_table_insert (by_uuid, (gpointer) uuid, record);
        }
      else if (g_str_equal (type, "Tag") && uuid != NULL &&
               _si_import_json_string (content, "title") != NULL)
        {
          g_hash_table_insert (tags, (gpointer) uuid, item);
          g_ptr_array_add (tag_list, item);
        }
    }

  /* Tags by reference, once every note is known. */
  for (guint i = 0; i < tag_list->len; i++)
    {
      JsonObject *tag = g_ptr_array_index (tag_list, i);
      JsonArray *refs = _si_import_json_array (_si_import_json_object (tag, "content"), "references");
      g_autofree char *name = tag_path (tags, tag);

      for (guint r = 0; refs != NULL && r < json_array_get_length (refs); r++)
        {
          JsonNode *node = json_array_get_element (refs, r);
          JsonObject *ref = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
          const char *uuid = _si_import_json_string (ref, "uuid");
          Record *record = uuid ? g_hash_table_lookup (by_uuid, uuid) : NULL;

          if (record != NULL && g_strcmp0 (_si_import_json_string (ref, "content_type"), "Tag") != 0)
            _si_import_record_add_tag (record, name);
        }
    }

  for (guint i = 0; i < notes->len; i++)
    if (!_si_import_batch_add_record (batch, g_steal_pointer (&notes->pdata[i]), error))
      return FALSE;
  return TRUE;
}
