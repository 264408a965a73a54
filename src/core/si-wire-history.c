/* si-wire-history.c — the JSON codec of the sync protocol, part 3: the pages of an idea's
 * history and of the trash. See si-wire-history.h and docs/protocol.md. */
#define G_LOG_DOMAIN "saveidea-wire"

#include "config.h"

#include "si-wire-history.h"
#include "si-wire-private.h"

/* ---------------------------------------------------------------------------------------- */
/* what both pages share */

/* The entries' array, `more` and `cursor` of a page object; checks the order of @versions
 * (strictly decreasing) and the cursor against them. With @cursor_optional, a page with
 * `more` and no cursor gets the last listed version. */
static gboolean
page_envelope_check (JsonObject *object,
                     const char *member,
                     GArray     *versions,
                     gboolean    cursor_optional,
                     gboolean   *out_more,
                     gint64     *out_cursor,
                     GError    **error)
{
  gboolean has_cursor = FALSE;
  gint64 cursor = 0;
  gint64 last = 0;

  if (!_si_wire_get_bool (object, "more", TRUE, out_more, error) ||
      !_si_wire_get_int (object, "cursor", FALSE, 1, &cursor, &has_cursor, error))
    return FALSE;

  for (guint i = 0; i < versions->len; i++)
    {
      gint64 v = g_array_index (versions, gint64, i);

      if (i > 0 && v >= last)
        return _si_wire_field_error (error, member, "must be listed newest first (version %" G_GINT64_FORMAT
                                     " follows %" G_GINT64_FORMAT ")", v, last);
      last = v;
    }

  if (!*out_more)
    {
      *out_cursor = has_cursor ? cursor : 0;
      return TRUE;
    }
  /* More follow: the next page must start below this one, or a client would loop. */
  if (versions->len == 0)
    return _si_wire_field_error (error, member, "is empty, but \"more\" says more follow");
  if (!has_cursor)
    {
      if (!cursor_optional)
        return _si_wire_field_error (error, "cursor", "is missing (needed when \"more\" is true)");
      cursor = last;
    }
  if (cursor > last)
    return _si_wire_field_error (error, "cursor", "must not be above the last listed version %" G_GINT64_FORMAT,
                                 last);
  *out_cursor = cursor;
  return TRUE;
}

static JsonArray *
get_array (JsonObject *object,
           const char *member,
           GError    **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      _si_wire_field_error (error, member, "must be an array");
      return NULL;
    }
  return json_node_get_array (node);
}

static void
build_envelope_end (JsonBuilder *builder,
                    gboolean     more,
                    gint64       cursor)
{
  json_builder_set_member_name (builder, "more");
  json_builder_add_boolean_value (builder, more);
  if (cursor > 0)
    {
      json_builder_set_member_name (builder, "cursor");
      json_builder_add_int_value (builder, cursor);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* history */

SiWireHistoryPage *
si_wire_history_page_new (void)
{
  SiWireHistoryPage *page = g_new0 (SiWireHistoryPage, 1);

  page->versions = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_record_free);
  return page;
}

void
si_wire_history_page_free (SiWireHistoryPage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer (&page->versions, g_ptr_array_unref);
  g_free (page);
}

static SiWireRecord *
history_version_from_json (JsonNode *node,
                           guint     index,
                           GError  **error)
{
  g_autoptr(SiWireRecord) record = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
                   "Version %u of the history must be a JSON object", index);
      return NULL;
    }
  object = json_node_get_object (node);
  if (!_si_wire_get_int (object, "version", TRUE, 1, &record->version, NULL, &local_error) ||
      !_si_wire_get_time (object, "updated_at", TRUE, &record->updated_at, &local_error) ||
      !_si_wire_get_device (object, FALSE, &record->device, &local_error) ||
      !_si_wire_get_idea_content (object, record, &local_error))
    {
      g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
                   "Version %u of the history: %s", index, local_error->message);
      return NULL;
    }
  return g_steal_pointer (&record);
}

SiWireHistoryPage *
si_wire_history_page_from_json (JsonNode  *node,
                                GError   **error)
{
  g_autoptr(SiWireHistoryPage) page = si_wire_history_page_new ();
  g_autoptr(GArray) versions = NULL;
  JsonObject *object;
  JsonArray *array;
  guint n;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "A history page must be a JSON object");
      return NULL;
    }
  object = json_node_get_object (node);
  array = get_array (object, "versions", error);
  if (array == NULL)
    return NULL;

  n = json_array_get_length (array);
  versions = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
  for (guint i = 0; i < n; i++)
    {
      SiWireRecord *record = history_version_from_json (json_array_get_element (array, i), i, error);

      if (record == NULL)
        return NULL;
      g_ptr_array_add (page->versions, record);
      g_array_append_val (versions, record->version);
    }

  if (!page_envelope_check (object, "versions", versions, FALSE, &page->more, &page->cursor, error))
    return NULL;
  return g_steal_pointer (&page);
}

JsonNode *
si_wire_history_page_to_json (const SiWireHistoryPage *page)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (page != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "versions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < page->versions->len; i++)
    {
      const SiWireRecord *record = g_ptr_array_index (page->versions, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, record->version);
      _si_wire_build_time (builder, "updated_at", record->updated_at);
      if (record->device != NULL)
        {
          json_builder_set_member_name (builder, "device");
          json_builder_add_string_value (builder, record->device);
        }
      _si_wire_build_idea_content (record, builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  build_envelope_end (builder, page->more, page->more ? page->cursor : 0);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ---------------------------------------------------------------------------------------- */
/* trash */

SiWireTrashEntry *
si_wire_trash_entry_new (SiWireRecord *record,
                         gint64        deleted_at)
{
  SiWireTrashEntry *entry = g_new0 (SiWireTrashEntry, 1);

  g_return_val_if_fail (record != NULL, entry);

  entry->record = record;
  entry->deleted_at = deleted_at;
  return entry;
}

void
si_wire_trash_entry_free (SiWireTrashEntry *entry)
{
  if (entry == NULL)
    return;
  g_clear_pointer (&entry->record, si_wire_record_free);
  g_free (entry);
}

SiWireTrashPage *
si_wire_trash_page_new (void)
{
  SiWireTrashPage *page = g_new0 (SiWireTrashPage, 1);

  page->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_trash_entry_free);
  return page;
}

void
si_wire_trash_page_free (SiWireTrashPage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer (&page->entries, g_ptr_array_unref);
  g_free (page);
}

static SiWireTrashEntry *
trash_entry_from_json (JsonNode *node,
                       guint     index,
                       GError  **error)
{
  g_autoptr(SiWireRecord) record = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);
  g_autoptr(GError) local_error = NULL;
  gint64 deleted_at = 0;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
                   "Record %u of the trash must be a JSON object", index);
      return NULL;
    }
  object = json_node_get_object (node);
  record->deleted = TRUE;
  if (!_si_wire_get_int (object, "id", TRUE, 1, &record->id, NULL, &local_error) ||
      !_si_wire_get_string (object, "uid", TRUE, &record->uid, &local_error) ||
      !_si_wire_uid_check (&record->uid, &local_error) ||
      !_si_wire_get_int (object, "version", TRUE, 1, &record->version, NULL, &local_error) ||
      !_si_wire_get_time (object, "deleted_at", TRUE, &deleted_at, &local_error) ||
      !_si_wire_get_time (object, "created_at", TRUE, &record->created_at, &local_error) ||
      !_si_wire_get_time (object, "updated_at", TRUE, &record->updated_at, &local_error) ||
      !_si_wire_get_device (object, FALSE, &record->device, &local_error) ||
      !_si_wire_get_idea_content (object, record, &local_error))
    goto fail;
  return si_wire_trash_entry_new (g_steal_pointer (&record), deleted_at);

fail:
  g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
               "Record %u of the trash: %s", index, local_error->message);
  return NULL;
}

SiWireTrashPage *
si_wire_trash_page_from_json (JsonNode  *node,
                              GError   **error)
{
  g_autoptr(SiWireTrashPage) page = si_wire_trash_page_new ();
  g_autoptr(GArray) versions = NULL;
  JsonObject *object;
  JsonArray *array;
  guint n;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "A trash page must be a JSON object");
      return NULL;
    }
  object = json_node_get_object (node);
  array = get_array (object, "records", error);
  if (array == NULL)
    return NULL;

  n = json_array_get_length (array);
  versions = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
  for (guint i = 0; i < n; i++)
    {
      SiWireTrashEntry *entry = trash_entry_from_json (json_array_get_element (array, i), i, error);

      if (entry == NULL)
        return NULL;
      g_ptr_array_add (page->entries, entry);
      g_array_append_val (versions, entry->record->version);
    }

  if (!page_envelope_check (object, "records", versions, TRUE, &page->more, &page->cursor, error))
    return NULL;
  return g_steal_pointer (&page);
}

JsonNode *
si_wire_trash_page_to_json (const SiWireTrashPage *page)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (page != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "records");
  json_builder_begin_array (builder);
  for (guint i = 0; i < page->entries->len; i++)
    {
      const SiWireTrashEntry *entry = g_ptr_array_index (page->entries, i);
      const SiWireRecord *record = entry->record;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, record->id);
      json_builder_set_member_name (builder, "uid");
      json_builder_add_string_value (builder, record->uid ? record->uid : "");
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, record->version);
      _si_wire_build_time (builder, "deleted_at", entry->deleted_at);
      _si_wire_build_time (builder, "created_at", record->created_at);
      _si_wire_build_time (builder, "updated_at", record->updated_at);
      if (record->device != NULL)
        {
          json_builder_set_member_name (builder, "device");
          json_builder_add_string_value (builder, record->device);
        }
      _si_wire_build_idea_content (record, builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  build_envelope_end (builder, page->more, page->more ? page->cursor : 0);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
