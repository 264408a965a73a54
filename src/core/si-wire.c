/* si-wire.c — the JSON codec of the sync protocol (see si-wire.h and docs/protocol.md). */
#define G_LOG_DOMAIN "saveidea-wire"

#include "config.h"

#include <string.h>
#include <stdlib.h>

#include "si-wire.h"

G_DEFINE_QUARK (si-wire-error-quark, si_wire_error)

G_DEFINE_BOXED_TYPE (SiWireRecord, si_wire_record, si_wire_record_copy, si_wire_record_free)

/* ---------------------------------------------------------------------------------------- */
/* collections */

const char *
si_wire_collection_to_string (SiWireCollection collection)
{
  switch (collection)
    {
    case SI_WIRE_COLLECTION_TAGS: return "tags";
    case SI_WIRE_COLLECTION_IDEAS: return "ideas";
    default: break;
    }
  g_return_val_if_reached (NULL);
}

gboolean
si_wire_collection_from_string (const char       *name,
                                SiWireCollection *out_collection)
{
  g_return_val_if_fail (out_collection != NULL, FALSE);

  if (g_strcmp0 (name, "tags") == 0)
    *out_collection = SI_WIRE_COLLECTION_TAGS;
  else if (g_strcmp0 (name, "ideas") == 0)
    *out_collection = SI_WIRE_COLLECTION_IDEAS;
  else
    return FALSE;
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* records */

SiWireRecord *
si_wire_record_new (SiWireCollection collection)
{
  SiWireRecord *record;

  g_return_val_if_fail (collection == SI_WIRE_COLLECTION_TAGS ||
                        collection == SI_WIRE_COLLECTION_IDEAS, NULL);

  record = g_new0 (SiWireRecord, 1);
  record->collection = collection;
  if (collection == SI_WIRE_COLLECTION_IDEAS)
    {
      record->title = g_strdup ("");
      record->body = g_strdup ("");
      record->tags = g_array_new (FALSE, FALSE, sizeof (gint64));
    }
  else
    {
      record->name = g_strdup ("");
      record->colour = g_strdup ("");
    }
  return record;
}

SiWireRecord *
si_wire_record_copy (const SiWireRecord *record)
{
  SiWireRecord *copy;

  g_return_val_if_fail (record != NULL, NULL);

  copy = g_new0 (SiWireRecord, 1);
  *copy = *record;
  copy->uid = g_strdup (record->uid);
  copy->title = g_strdup (record->title);
  copy->body = g_strdup (record->body);
  copy->name = g_strdup (record->name);
  copy->colour = g_strdup (record->colour);
  if (record->tags != NULL)
    {
      copy->tags = g_array_sized_new (FALSE, FALSE, sizeof (gint64), record->tags->len);
      g_array_append_vals (copy->tags, record->tags->data, record->tags->len);
    }
  return copy;
}

void
si_wire_record_free (SiWireRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->uid);
  g_free (record->title);
  g_free (record->body);
  g_free (record->name);
  g_free (record->colour);
  g_clear_pointer (&record->tags, g_array_unref);
  g_free (record);
}

void
si_wire_record_add_tag (SiWireRecord *record,
                        gint64        tag_id)
{
  g_return_if_fail (record != NULL);
  g_return_if_fail (record->collection == SI_WIRE_COLLECTION_IDEAS);

  if (record->tags == NULL)
    record->tags = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_val (record->tags, tag_id);
}

gboolean
si_wire_record_content_equal (const SiWireRecord *a,
                              const SiWireRecord *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->collection != b->collection || !a->deleted != !b->deleted)
    return FALSE;
  if (a->deleted)
    return TRUE;

  if (a->collection == SI_WIRE_COLLECTION_TAGS)
    return g_strcmp0 (a->name, b->name) == 0 && g_strcmp0 (a->colour, b->colour) == 0;

  if (g_strcmp0 (a->title, b->title) != 0 || g_strcmp0 (a->body, b->body) != 0 ||
      !a->pinned != !b->pinned)
    return FALSE;

  {
    guint na = a->tags ? a->tags->len : 0;
    guint nb = b->tags ? b->tags->len : 0;

    if (na != nb)
      return FALSE;
    /* Tags are a set: compare without regard to order. */
    for (guint i = 0; i < na; i++)
      {
        gint64 t = g_array_index (a->tags, gint64, i);
        gboolean found = FALSE;

        for (guint j = 0; j < nb && !found; j++)
          found = g_array_index (b->tags, gint64, j) == t;
        if (!found)
          return FALSE;
      }
  }
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* field helpers */

static gboolean
field_error (GError    **error,
             const char *field,
             const char *fmt,
             ...) G_GNUC_PRINTF (3, 4);

static gboolean
field_error (GError    **error,
             const char *field,
             const char *fmt,
             ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, fmt);
  what = g_strdup_vprintf (fmt, args);
  va_end (args);

  g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD, "Field “%s” %s", field, what);
  return FALSE;
}

static gboolean
node_is_type (JsonNode *node,
              GType     type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
get_string (JsonObject  *object,
            const char  *field,
            gboolean     required,
            char       **out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, field);
  const char *value;

  if (node == NULL)
    {
      if (required)
        return field_error (error, field, "is missing");
      return TRUE;
    }
  if (!node_is_type (node, G_TYPE_STRING))
    return field_error (error, field, "must be a string");

  value = json_node_get_string (node);
  if (!g_utf8_validate (value, -1, NULL))
    return field_error (error, field, "is not valid UTF-8");

  g_free (*out);
  *out = g_strdup (value);
  return TRUE;
}

static gboolean
get_int (JsonObject *object,
         const char *field,
         gboolean    required,
         gint64      min,
         gint64     *out,
         gboolean   *out_present,
         GError    **error)
{
  JsonNode *node = json_object_get_member (object, field);
  gint64 value;

  if (out_present)
    *out_present = node != NULL;
  if (node == NULL)
    {
      if (required)
        return field_error (error, field, "is missing");
      return TRUE;
    }
  if (!node_is_type (node, G_TYPE_INT64))
    return field_error (error, field, "must be an integer");
  value = json_node_get_int (node);
  if (value < min)
    return field_error (error, field, "must be at least %" G_GINT64_FORMAT, min);
  *out = value;
  return TRUE;
}

static gboolean
get_bool (JsonObject *object,
          const char *field,
          gboolean    required,
          gboolean   *out,
          GError    **error)
{
  JsonNode *node = json_object_get_member (object, field);

  if (node == NULL)
    {
      if (required)
        return field_error (error, field, "is missing");
      return TRUE;
    }
  if (!node_is_type (node, G_TYPE_BOOLEAN))
    return field_error (error, field, "must be true or false");
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
get_time (JsonObject *object,
          const char *field,
          gboolean    required,
          gint64     *out,
          GError    **error)
{
  g_autofree char *text = NULL;

  if (!get_string (object, field, required, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  if (!si_wire_timestamp_parse (text, out))
    return field_error (error, field,
                        "must be an RFC 3339 time such as 2026-11-28T04:08:50.123Z");
  return TRUE;
}

static gboolean
check_unknown_fields (JsonObject         *object,
                      const char * const *known,
                      GError            **error)
{
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &member, &value))
    {
      if (!g_strv_contains (known, member))
        {
          g_autofree char *shown = g_utf8_make_valid (member, -1);
          return field_error (error, shown, "is unknown");
        }
    }
  return TRUE;
}

static gboolean
get_tags (JsonObject *object,
          gboolean    required,
          GArray    **out,
          GError    **error)
{
  JsonNode *node = json_object_get_member (object, "tags");
  JsonArray *array;
  guint n;
  g_autoptr(GArray) tags = NULL;

  if (node == NULL)
    {
      if (required)
        return field_error (error, "tags", "is missing");
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return field_error (error, "tags", "must be an array of tag ids");

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n > SI_TAGS_PER_IDEA_MAX)
    return field_error (error, "tags", "holds %u tags; at most %d are allowed", n,
                        SI_TAGS_PER_IDEA_MAX);

  tags = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      gint64 id;
      gboolean seen = FALSE;

      if (!node_is_type (element, G_TYPE_INT64))
        return field_error (error, "tags", "must be an array of integer tag ids");
      id = json_node_get_int (element);
      if (id <= 0)
        return field_error (error, "tags", "holds %" G_GINT64_FORMAT ", which is not a tag id", id);
      /* A set: duplicates collapse, the order of first appearance is kept. */
      for (guint j = 0; j < tags->len && !seen; j++)
        seen = g_array_index (tags, gint64, j) == id;
      if (!seen)
        g_array_append_val (tags, id);
    }

  g_clear_pointer (out, g_array_unref);
  *out = g_steal_pointer (&tags);
  return TRUE;
}

/* A request's tag name is normalised here (si_wire_tag_name_normalize()), before the server
 * checks that it is unique. A name the server sends is taken as stored: a name stored before
 * that rule ("x\u200b" beside "x", " ") must not make a client's sync fail. */
static gboolean
validate_tag_name (SiWireRecord *record,
                   gboolean      request,
                   GError      **error)
{
  g_autofree char *normal = NULL;
  glong len;

  if (!request)
    {
      len = g_utf8_strlen (record->name, -1);
      if (len < 1)
        return field_error (error, "name", "must not be empty");
      if (len > SI_TAG_NAME_MAX_CHARS)
        return field_error (error, "name", "is longer than %d characters", SI_TAG_NAME_MAX_CHARS);
      return TRUE;
    }

  switch (si_wire_tag_name_normalize (record->name, &normal))
    {
    case SI_WIRE_TAG_NAME_OK:
      break;
    case SI_WIRE_TAG_NAME_NOT_UTF8:
      return field_error (error, "name", "is not valid UTF-8");
    case SI_WIRE_TAG_NAME_EMPTY:
      return field_error (error, "name", "must not be empty (white space and zero-width characters do not count)");
    case SI_WIRE_TAG_NAME_CONTROL:
      return field_error (error, "name", "must not contain control characters");
    case SI_WIRE_TAG_NAME_TOO_LONG:
    default:
      return field_error (error, "name", "is longer than %d characters", SI_TAG_NAME_MAX_CHARS);
    }
  g_free (record->name);
  record->name = g_steal_pointer (&normal);
  return TRUE;
}

static gboolean
validate_fields (SiWireRecord *record,
                 gboolean      request,
                 GError      **error)
{
  if (record->collection == SI_WIRE_COLLECTION_IDEAS)
    {
      if (g_utf8_strlen (record->title, -1) > SI_TITLE_MAX_CHARS)
        return field_error (error, "title", "is longer than %d characters", SI_TITLE_MAX_CHARS);
      if (strlen (record->body) > SI_BODY_MAX_BYTES)
        return field_error (error, "body", "is longer than %d bytes", SI_BODY_MAX_BYTES);
    }
  else
    {
      if (!validate_tag_name (record, request, error))
        return FALSE;
      if (!si_wire_colour_is_valid (record->colour))
        return field_error (error, "colour", "must be \"\" or a colour such as \"#3584e4\"");
    }
  return TRUE;
}

SiWireRecord *
si_wire_record_from_json (JsonNode          *node,
                          SiWireCollection   collection,
                          SiWireMode         mode,
                          GError           **error)
{
  static const char * const idea_fields[] = {
    "id", "uid", "version", "created_at", "updated_at", "deleted",
    "title", "body", "pinned", "tags", NULL
  };
  static const char * const tag_fields[] = {
    "id", "uid", "version", "created_at", "updated_at", "deleted",
    "name", "colour", NULL
  };
  g_autoptr(SiWireRecord) record = NULL;
  gboolean request = mode == SI_WIRE_MODE_REQUEST;
  gboolean need_fields;
  JsonObject *object;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
                           "A record must be a JSON object");
      return NULL;
    }
  object = json_node_get_object (node);

  if (request &&
      !check_unknown_fields (object,
                             collection == SI_WIRE_COLLECTION_IDEAS ? idea_fields : tag_fields,
                             error))
    return NULL;

  record = si_wire_record_new (collection);

  if (!get_string (object, "uid", !request, &record->uid, error))
    return NULL;
  if (record->uid != NULL)
    {
      if (!g_uuid_string_is_valid (record->uid))
        {
          field_error (error, "uid", "must be a UUID such as 6f2a0e8e-1b7c-4d8e-9a53-0c4d1e2f3a4b");
          return NULL;
        }
      {
        char *lower = g_ascii_strdown (record->uid, -1);
        g_free (record->uid);
        record->uid = lower;
      }
    }

  if (!request)
    {
      if (!get_int (object, "id", TRUE, 1, &record->id, NULL, error) ||
          !get_int (object, "version", TRUE, 1, &record->version, NULL, error) ||
          !get_bool (object, "deleted", TRUE, &record->deleted, error))
        return NULL;
    }

  if (!get_time (object, "created_at", TRUE, &record->created_at, error) ||
      !get_time (object, "updated_at", TRUE, &record->updated_at, error))
    return NULL;

  /* A tombstone from the server carries no fields; everything else carries them all. */
  need_fields = !record->deleted;

  if (collection == SI_WIRE_COLLECTION_IDEAS)
    {
      if (!get_string (object, "title", need_fields, &record->title, error) ||
          !get_string (object, "body", need_fields, &record->body, error) ||
          !get_bool (object, "pinned", need_fields, &record->pinned, error) ||
          !get_tags (object, need_fields, &record->tags, error))
        return NULL;
    }
  else
    {
      if (!get_string (object, "name", need_fields, &record->name, error) ||
          !get_string (object, "colour", need_fields, &record->colour, error))
        return NULL;
    }

  if (need_fields && !validate_fields (record, request, error))
    return NULL;

  return g_steal_pointer (&record);
}

static void
build_time (JsonBuilder *builder,
            const char  *name,
            gint64       ms)
{
  g_autofree char *text = si_wire_timestamp_format (ms);

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, text);
}

/* @with_collection: add `"collection"` (the records of GET /api/v1/changes). */
static void
record_build (const SiWireRecord *record,
              SiWireMode          mode,
              gboolean            with_collection,
              JsonBuilder        *builder)
{
  gboolean with_fields;

  json_builder_begin_object (builder);
  if (with_collection)
    {
      json_builder_set_member_name (builder, "collection");
      json_builder_add_string_value (builder, si_wire_collection_to_string (record->collection));
    }
  if (mode == SI_WIRE_MODE_RESPONSE)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, record->id);
    }
  if (record->uid != NULL)
    {
      json_builder_set_member_name (builder, "uid");
      json_builder_add_string_value (builder, record->uid);
    }
  if (mode == SI_WIRE_MODE_RESPONSE)
    {
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, record->version);
    }
  build_time (builder, "created_at", record->created_at);
  build_time (builder, "updated_at", record->updated_at);
  if (mode == SI_WIRE_MODE_RESPONSE)
    {
      json_builder_set_member_name (builder, "deleted");
      json_builder_add_boolean_value (builder, record->deleted);
    }

  with_fields = mode == SI_WIRE_MODE_REQUEST || !record->deleted;
  if (with_fields && record->collection == SI_WIRE_COLLECTION_IDEAS)
    {
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, record->title ? record->title : "");
      json_builder_set_member_name (builder, "body");
      json_builder_add_string_value (builder, record->body ? record->body : "");
      json_builder_set_member_name (builder, "pinned");
      json_builder_add_boolean_value (builder, record->pinned);
      json_builder_set_member_name (builder, "tags");
      json_builder_begin_array (builder);
      for (guint i = 0; record->tags != NULL && i < record->tags->len; i++)
        json_builder_add_int_value (builder, g_array_index (record->tags, gint64, i));
      json_builder_end_array (builder);
    }
  else if (with_fields)
    {
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, record->name ? record->name : "");
      json_builder_set_member_name (builder, "colour");
      json_builder_add_string_value (builder, record->colour ? record->colour : "");
    }
  json_builder_end_object (builder);
}

void
si_wire_record_build (const SiWireRecord *record,
                      SiWireMode          mode,
                      JsonBuilder        *builder)
{
  g_return_if_fail (record != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  record_build (record, mode, FALSE, builder);
}

JsonNode *
si_wire_record_to_json (const SiWireRecord *record,
                        SiWireMode          mode)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (record != NULL, NULL);

  si_wire_record_build (record, mode, builder);
  return json_builder_get_root (builder);
}

/* ---------------------------------------------------------------------------------------- */
/* pages */

SiWirePage *
si_wire_page_new (void)
{
  SiWirePage *page = g_new0 (SiWirePage, 1);

  page->records = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_record_free);
  page->remaining = -1;
  return page;
}

void
si_wire_page_free (SiWirePage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer (&page->records, g_ptr_array_unref);
  g_free (page);
}

/* @collection: the records' collection, or 0 when each record names its own. */
static SiWirePage *
page_from_json (JsonNode          *node,
                SiWireCollection   collection,
                GError           **error)
{
  g_autoptr(SiWirePage) page = si_wire_page_new ();
  JsonObject *object;
  JsonNode *records;
  JsonArray *array;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "A page must be a JSON object");
      return NULL;
    }
  object = json_node_get_object (node);

  if (!get_int (object, "cursor", TRUE, 0, &page->cursor, NULL, error) ||
      !get_bool (object, "more", TRUE, &page->more, error) ||
      !get_int (object, "remaining", FALSE, 0, &page->remaining, NULL, error))
    return NULL;
  if (!page->more)
    page->remaining = 0;

  records = json_object_get_member (object, "records");
  if (records == NULL || !JSON_NODE_HOLDS_ARRAY (records))
    {
      field_error (error, "records", "must be an array");
      return NULL;
    }
  array = json_node_get_array (records);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      SiWireCollection record_collection = collection;
      SiWireRecord *record;

      if (collection == 0)
        {
          g_autofree char *name = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            {
              field_error (error, "records", "must hold JSON objects");
              return NULL;
            }
          if (!get_string (json_node_get_object (element), "collection", TRUE, &name, error))
            return NULL;
          if (!si_wire_collection_from_string (name, &record_collection))
            {
              field_error (error, "collection", "must be \"ideas\" or \"tags\"");
              return NULL;
            }
        }
      record = si_wire_record_from_json (element, record_collection, SI_WIRE_MODE_RESPONSE, error);
      if (record == NULL)
        return NULL;
      g_ptr_array_add (page->records, record);
    }
  return g_steal_pointer (&page);
}

SiWirePage *
si_wire_page_from_json (JsonNode          *node,
                        SiWireCollection   collection,
                        GError           **error)
{
  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (collection == SI_WIRE_COLLECTION_TAGS ||
                        collection == SI_WIRE_COLLECTION_IDEAS, NULL);

  return page_from_json (node, collection, error);
}

SiWirePage *
si_wire_changes_from_json (JsonNode  *node,
                           GError   **error)
{
  g_return_val_if_fail (node != NULL, NULL);

  return page_from_json (node, 0, error);
}

static JsonNode *
page_to_json (const SiWirePage *page,
              gboolean          with_collection)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "records");
  json_builder_begin_array (builder);
  for (guint i = 0; i < page->records->len; i++)
    record_build (g_ptr_array_index (page->records, i), SI_WIRE_MODE_RESPONSE, with_collection,
                  builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "cursor");
  json_builder_add_int_value (builder, page->cursor);
  json_builder_set_member_name (builder, "more");
  json_builder_add_boolean_value (builder, page->more);
  if (page->more && page->remaining >= 0)
    {
      json_builder_set_member_name (builder, "remaining");
      json_builder_add_int_value (builder, page->remaining);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
si_wire_page_to_json (const SiWirePage *page)
{
  g_return_val_if_fail (page != NULL, NULL);

  return page_to_json (page, FALSE);
}

JsonNode *
si_wire_changes_to_json (const SiWirePage *page)
{
  g_return_val_if_fail (page != NULL, NULL);

  return page_to_json (page, TRUE);
}

/* ---------------------------------------------------------------------------------------- */
/* problems (error bodies) */

SiWireProblem *
si_wire_problem_new (const char         *error,
                     const char         *message,
                     const SiWireRecord *current)
{
  SiWireProblem *problem = g_new0 (SiWireProblem, 1);

  g_return_val_if_fail (error != NULL, problem);

  problem->error = g_strdup (error);
  problem->message = g_strdup (message ? message : "");
  problem->current = current ? si_wire_record_copy (current) : NULL;
  return problem;
}

void
si_wire_problem_free (SiWireProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->error);
  g_free (problem->message);
  g_clear_pointer (&problem->current, si_wire_record_free);
  g_free (problem);
}

static void
problem_build_members (const SiWireProblem *problem,
                       JsonBuilder         *builder)
{
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, problem->error);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, problem->message ? problem->message : "");
  if (problem->current != NULL)
    {
      json_builder_set_member_name (builder, "current");
      si_wire_record_build (problem->current, SI_WIRE_MODE_RESPONSE, builder);
    }
}

JsonNode *
si_wire_problem_to_json (const SiWireProblem *problem)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (problem != NULL, NULL);

  json_builder_begin_object (builder);
  problem_build_members (problem, builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static SiWireProblem *
problem_from_object (JsonObject        *object,
                     SiWireCollection   collection,
                     GError           **error)
{
  g_autoptr(SiWireProblem) problem = g_new0 (SiWireProblem, 1);
  JsonNode *current;

  if (!get_string (object, "error", TRUE, &problem->error, error) ||
      !get_string (object, "message", FALSE, &problem->message, error))
    return NULL;
  if (problem->message == NULL)
    problem->message = g_strdup ("");

  current = json_object_get_member (object, "current");
  if (current != NULL && !JSON_NODE_HOLDS_NULL (current))
    {
      problem->current = si_wire_record_from_json (current, collection,
                                                   SI_WIRE_MODE_RESPONSE, error);
      if (problem->current == NULL)
        return NULL;
    }
  return g_steal_pointer (&problem);
}

SiWireProblem *
si_wire_problem_from_json (JsonNode          *node,
                           SiWireCollection   collection,
                           GError           **error)
{
  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "An error body must be a JSON object");
      return NULL;
    }
  return problem_from_object (json_node_get_object (node), collection, error);
}

/* ---------------------------------------------------------------------------------------- */
/* batch */

static const char *
method_to_string (SiWireMethod method)
{
  switch (method)
    {
    case SI_WIRE_METHOD_POST: return "POST";
    case SI_WIRE_METHOD_PUT: return "PUT";
    case SI_WIRE_METHOD_DELETE: return "DELETE";
    default: break;
    }
  g_return_val_if_reached ("POST");
}

SiWireBatchOp *
si_wire_batch_op_new (SiWireMethod        method,
                      SiWireCollection    collection,
                      gint64              id,
                      gint64              if_match,
                      const SiWireRecord *record)
{
  SiWireBatchOp *op = g_new0 (SiWireBatchOp, 1);

  op->method = method;
  op->collection = collection;
  op->id = id;
  op->if_match = if_match;
  if (record != NULL)
    op->record = si_wire_record_to_json (record, SI_WIRE_MODE_REQUEST);
  return op;
}

void
si_wire_batch_op_free (SiWireBatchOp *op)
{
  if (op == NULL)
    return;
  g_clear_pointer (&op->record, json_node_unref);
  g_free (op);
}

static SiWireBatchOp *
batch_op_from_json (JsonNode *node,
                    guint     index,
                    GError  **error)
{
  static const char * const known[] = { "method", "collection", "id", "if_match", "record", NULL };
  g_autoptr(SiWireBatchOp) op = g_new0 (SiWireBatchOp, 1);
  g_autofree char *method = NULL;
  g_autofree char *collection = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean has_id = FALSE;
  gboolean has_if_match = FALSE;
  JsonObject *object;
  JsonNode *record;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
                   "Operation %u must be a JSON object", index);
      return NULL;
    }
  object = json_node_get_object (node);
  op->if_match = -1;

  if (!check_unknown_fields (object, known, &local_error) ||
      !get_string (object, "method", TRUE, &method, &local_error) ||
      !get_string (object, "collection", TRUE, &collection, &local_error) ||
      !get_int (object, "id", FALSE, 1, &op->id, &has_id, &local_error) ||
      !get_int (object, "if_match", FALSE, 0, &op->if_match, &has_if_match, &local_error))
    goto fail;

  if (g_strcmp0 (method, "POST") == 0)
    op->method = SI_WIRE_METHOD_POST;
  else if (g_strcmp0 (method, "PUT") == 0)
    op->method = SI_WIRE_METHOD_PUT;
  else if (g_strcmp0 (method, "DELETE") == 0)
    op->method = SI_WIRE_METHOD_DELETE;
  else
    {
      field_error (&local_error, "method", "must be \"POST\", \"PUT\" or \"DELETE\"");
      goto fail;
    }

  if (!si_wire_collection_from_string (collection, &op->collection))
    {
      field_error (&local_error, "collection", "must be \"ideas\" or \"tags\"");
      goto fail;
    }

  if (op->method != SI_WIRE_METHOD_POST && !has_id)
    {
      field_error (&local_error, "id", "is missing (needed for %s)", method);
      goto fail;
    }
  if (op->method == SI_WIRE_METHOD_POST && (has_id || has_if_match))
    {
      field_error (&local_error, has_id ? "id" : "if_match", "is not allowed with POST");
      goto fail;
    }

  record = json_object_get_member (object, "record");
  if (op->method == SI_WIRE_METHOD_DELETE)
    {
      if (record != NULL)
        {
          field_error (&local_error, "record", "is not allowed with DELETE");
          goto fail;
        }
    }
  else
    {
      if (record == NULL)
        {
          field_error (&local_error, "record", "is missing (needed for %s)", method);
          goto fail;
        }
      if (!JSON_NODE_HOLDS_OBJECT (record))
        {
          field_error (&local_error, "record", "must be a JSON object");
          goto fail;
        }
      op->record = json_node_ref (record);
    }

  return g_steal_pointer (&op);

fail:
  g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
               "Operation %u: %s", index, local_error->message);
  return NULL;
}

GPtrArray *
si_wire_batch_request_from_json (JsonNode  *node,
                                 guint      max_ops,
                                 gboolean  *out_too_many,
                                 GError   **error)
{
  static const char * const known[] = { "operations", NULL };
  g_autoptr(GPtrArray) ops = NULL;
  JsonObject *object;
  JsonNode *operations;
  JsonArray *array;
  guint n;

  g_return_val_if_fail (node != NULL, NULL);

  if (out_too_many)
    *out_too_many = FALSE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "A batch must be a JSON object");
      return NULL;
    }
  object = json_node_get_object (node);
  if (!check_unknown_fields (object, known, error))
    return NULL;

  operations = json_object_get_member (object, "operations");
  if (operations == NULL)
    {
      field_error (error, "operations", "is missing");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_ARRAY (operations))
    {
      field_error (error, "operations", "must be an array");
      return NULL;
    }
  array = json_node_get_array (operations);
  n = json_array_get_length (array);
  if (n > max_ops)
    {
      if (out_too_many)
        *out_too_many = TRUE;
      field_error (error, "operations", "holds %u operations; at most %u are allowed", n, max_ops);
      return NULL;
    }

  ops = g_ptr_array_new_full (n, (GDestroyNotify) si_wire_batch_op_free);
  for (guint i = 0; i < n; i++)
    {
      SiWireBatchOp *op = batch_op_from_json (json_array_get_element (array, i), i, error);

      if (op == NULL)
        return NULL;
      g_ptr_array_add (ops, op);
    }
  return g_steal_pointer (&ops);
}

JsonNode *
si_wire_batch_request_to_json (GPtrArray *ops)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (ops != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "operations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < ops->len; i++)
    {
      SiWireBatchOp *op = g_ptr_array_index (ops, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "method");
      json_builder_add_string_value (builder, method_to_string (op->method));
      json_builder_set_member_name (builder, "collection");
      json_builder_add_string_value (builder, si_wire_collection_to_string (op->collection));
      if (op->method != SI_WIRE_METHOD_POST)
        {
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, op->id);
          if (op->if_match >= 0)
            {
              json_builder_set_member_name (builder, "if_match");
              json_builder_add_int_value (builder, op->if_match);
            }
        }
      if (op->record != NULL && op->method != SI_WIRE_METHOD_DELETE)
        {
          json_builder_set_member_name (builder, "record");
          json_builder_add_value (builder, json_node_copy (op->record));
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

SiWireBatchResult *
si_wire_batch_result_new (guint          status,
                          SiWireRecord  *record,
                          SiWireProblem *problem)
{
  SiWireBatchResult *result = g_new0 (SiWireBatchResult, 1);

  result->status = status;
  result->record = record;
  result->problem = problem;
  if (problem != NULL)
    problem->status = status;
  return result;
}

void
si_wire_batch_result_free (SiWireBatchResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->record, si_wire_record_free);
  g_clear_pointer (&result->problem, si_wire_problem_free);
  g_free (result);
}

JsonNode *
si_wire_batch_response_to_json (GPtrArray *results)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (results != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; i < results->len; i++)
    {
      SiWireBatchResult *result = g_ptr_array_index (results, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "status");
      json_builder_add_int_value (builder, result->status);
      if (result->record != NULL)
        {
          json_builder_set_member_name (builder, "record");
          si_wire_record_build (result->record, SI_WIRE_MODE_RESPONSE, builder);
        }
      if (result->problem != NULL)
        problem_build_members (result->problem, builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

GPtrArray *
si_wire_batch_response_from_json (JsonNode  *node,
                                  GArray    *collections,
                                  GError   **error)
{
  g_autoptr(GPtrArray) results = NULL;
  JsonNode *member;
  JsonArray *array;
  guint n;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (collections != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "A batch response must be a JSON object");
      return NULL;
    }
  member = json_object_get_member (json_node_get_object (node), "results");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    {
      field_error (error, "results", "must be an array");
      return NULL;
    }
  array = json_node_get_array (member);
  n = json_array_get_length (array);
  if (n != collections->len)
    {
      field_error (error, "results", "holds %u results for %u operations", n, collections->len);
      return NULL;
    }

  results = g_ptr_array_new_full (n, (GDestroyNotify) si_wire_batch_result_free);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      SiWireCollection collection = (SiWireCollection) g_array_index (collections, int, i);
      g_autoptr(SiWireRecord) record = NULL;
      g_autoptr(SiWireProblem) problem = NULL;
      JsonObject *object;
      JsonNode *record_node;
      gint64 status = 0;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
                       "Result %u must be a JSON object", i);
          return NULL;
        }
      object = json_node_get_object (element);
      if (!get_int (object, "status", TRUE, 100, &status, NULL, error))
        return NULL;

      record_node = json_object_get_member (object, "record");
      if (record_node != NULL)
        {
          record = si_wire_record_from_json (record_node, collection, SI_WIRE_MODE_RESPONSE, error);
          if (record == NULL)
            return NULL;
        }
      if (json_object_has_member (object, "error"))
        {
          problem = problem_from_object (object, collection, error);
          if (problem == NULL)
            return NULL;
        }
      g_ptr_array_add (results, si_wire_batch_result_new ((guint) status,
                                                          g_steal_pointer (&record),
                                                          g_steal_pointer (&problem)));
    }
  return g_steal_pointer (&results);
}

/* ---------------------------------------------------------------------------------------- */
/* text */

/* Whether the four bytes at @p (inside the text) are the hex digits of U+0000. */
static gboolean
is_escaped_nul (const char *p,
                const char *end)
{
  return end - p >= 4 && p[0] == '0' && p[1] == '0' && p[2] == '0' && p[3] == '0';
}

/* Whether the JSON number at *@p fits: an integer must lie in -2^63..2^63-1, since json-glib
 * 1.6 wraps a larger one without a word (18446744073709551617 reads as 1, and an id or a
 * version would silently name another record). Numbers with a fraction or an exponent are
 * doubles and pass. Moves *@p onto the number's last character. */
static gboolean
json_number_fits (const char **p,
                  const char  *end)
{
  const char *q = *p;
  gboolean negative = *q == '-';
  const char *digits;
  gsize n_digits;

  if (negative)
    q++;
  while (q < end - 1 && *q == '0' && g_ascii_isdigit (q[1]))
    q++;
  digits = q;
  while (q < end && g_ascii_isdigit (*q))
    q++;
  n_digits = (gsize) (q - digits);
  if (q < end && (*q == '.' || *q == 'e' || *q == 'E'))
    {
      while (q < end && (g_ascii_isdigit (*q) || *q == '.' || *q == 'e' || *q == 'E' ||
                         *q == '+' || *q == '-'))
        q++;
      *p = q - 1;
      return TRUE;
    }
  *p = q > *p ? q - 1 : *p;
  if (n_digits != 19)
    return n_digits < 19;
  return memcmp (digits, negative ? "9223372036854775808" : "9223372036854775807", 19) <= 0;
}

gboolean
si_wire_check_text (const char  *data,
                    gsize        length,
                    GError     **error)
{
  const char *end = data + length;
  gboolean in_string = FALSE;
  guint depth = 0;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (length > SI_WIRE_MAX_BYTES)
    {
      g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                   "it is larger than %" G_GSIZE_FORMAT " bytes", (gsize) SI_WIRE_MAX_BYTES);
      return FALSE;
    }

  /* One pass, before json-glib (which recurses once per level and would run out of stack
   * on [[[[…): only brackets outside strings count, and a backslash in a string skips the
   * character it escapes, so "[[[" and "\"[" are no nesting. A NUL would cut the string
   * short when json-glib hands it on as a C string: refused, raw or escaped (as \\u0000, or
   * as "\\0": json-glib takes escapes JSON has not, so those are refused too). */
  for (const char *p = data; p < end; p++)
    {
      if (*p == '\0')
        {
          g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                       "it contains a NUL byte (at byte %" G_GSIZE_FORMAT ")", (gsize) (p - data));
          return FALSE;
        }
      if (in_string)
        {
          if (*p == '"')
            in_string = FALSE;
          else if (*p == '\\' && p + 1 < end)
            {
              p++;
              if (*p == 'u' && is_escaped_nul (p + 1, end))
                {
                  g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                               "a string contains the NUL character \\u0000 (at byte %" G_GSIZE_FORMAT ")",
                               (gsize) (p - 1 - data));
                  return FALSE;
                }
              /* json-glib also takes escapes JSON has not: "\0" (octal) is a NUL too. */
              if (strchr ("\"\\/bfnrtu", *p) == NULL || *p == '\0')
                {
                  g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                               "a string contains an escape that is not JSON (at byte %" G_GSIZE_FORMAT ")",
                               (gsize) (p - 1 - data));
                  return FALSE;
                }
            }
        }
      else if (*p == '"')
        in_string = TRUE;
      else if (*p == '[' || *p == '{')
        {
          if (++depth > SI_WIRE_MAX_DEPTH)
            {
              g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "arrays and objects are nested deeper than %d levels", SI_WIRE_MAX_DEPTH);
              return FALSE;
            }
        }
      else if ((*p == ']' || *p == '}') && depth > 0)
        depth--;
      else if (*p == '-' || g_ascii_isdigit (*p))
        {
          const char *number = p;

          if (!json_number_fits (&p, end))
            {
              g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "the number at byte %" G_GSIZE_FORMAT " is out of range: whole numbers "
                           "go from -9223372036854775808 to 9223372036854775807",
                           (gsize) (number - data));
              return FALSE;
            }
        }
    }
  return TRUE;
}

JsonNode *
si_wire_parse (const char  *data,
               gsize        length,
               GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length == 0)
    {
      g_set_error_literal (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "The body is empty; a JSON object was expected");
      return NULL;
    }
  if (!si_wire_check_text (data, length, &local_error))
    {
      g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                   "The body is not accepted: %s", local_error->message);
      return NULL;
    }
  if (!g_utf8_validate (data, (gssize) length, NULL))
    {
      g_set_error_literal (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "The body is not valid UTF-8");
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      /* json-glib quotes the bad token, decoded: "\320" becomes a lone byte 0xd0. The message
       * goes back to the client in a JSON error body, which must be UTF-8. */
      g_autofree char *message = g_utf8_make_valid (local_error->message, -1);

      g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                   "The body is not valid JSON: %s", message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "The body must be a JSON object");
      return NULL;
    }
  return json_node_ref (root);
}

char *
si_wire_to_string (JsonNode *node,
                   gsize    *out_length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  g_return_val_if_fail (node != NULL, NULL);

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, out_length);
}

/* ---------------------------------------------------------------------------------------- */
/* times */

static gboolean
parse_digits (const char **p,
              guint        n,
              int         *out)
{
  int value = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      value = value * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *out = value;
  return TRUE;
}

gboolean
si_wire_timestamp_parse (const char *text,
                         gint64     *out_ms)
{
  const char *p = text;
  int year, month, day, hour, minute, second;
  int millis = 0;
  int offset_minutes = 0;
  g_autoptr(GDateTime) dt = NULL;
  gint64 ms;

  g_return_val_if_fail (out_ms != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  if (!parse_digits (&p, 4, &year) || *p++ != '-' ||
      !parse_digits (&p, 2, &month) || *p++ != '-' ||
      !parse_digits (&p, 2, &day) || (*p != 'T' && *p != 't') || !*p++ ||
      !parse_digits (&p, 2, &hour) || *p++ != ':' ||
      !parse_digits (&p, 2, &minute) || *p++ != ':' ||
      !parse_digits (&p, 2, &second))
    return FALSE;

  if (*p == '.')
    {
      guint n = 0;

      p++;
      while (g_ascii_isdigit (*p))
        {
          if (n < 3)
            millis = millis * 10 + (*p - '0');
          n++;
          p++;
        }
      if (n == 0 || n > 9)
        return FALSE;
      for (; n < 3; n++)
        millis *= 10;
    }

  if (*p == 'Z' || *p == 'z')
    p++;
  else if (*p == '+' || *p == '-')
    {
      int sign = *p == '-' ? -1 : 1;
      int oh, om;

      p++;
      if (!parse_digits (&p, 2, &oh) || *p++ != ':' || !parse_digits (&p, 2, &om) ||
          oh > 23 || om > 59)
        return FALSE;
      offset_minutes = sign * (oh * 60 + om);
    }
  else
    return FALSE;

  if (*p != '\0')
    return FALSE;

  if (year < 1970 || hour > 23 || minute > 59 || second > 59)
    return FALSE;

  /* g_date_time_new_utc() checks the day against the month (and leap years). */
  dt = g_date_time_new_utc (year, month, day, hour, minute, second);
  if (dt == NULL)
    return FALSE;

  ms = g_date_time_to_unix (dt) * 1000 + millis - (gint64) offset_minutes * 60 * 1000;
  if (ms < 0)
    return FALSE;
  *out_ms = ms;
  return TRUE;
}

char *
si_wire_timestamp_format (gint64 ms)
{
  g_autoptr(GDateTime) dt = NULL;
  gint64 seconds;
  int millis;

  if (ms < 0)
    ms = 0;
  seconds = ms / 1000;
  millis = (int) (ms % 1000);

  dt = g_date_time_new_from_unix_utc (seconds);
  if (dt == NULL)
    return g_strdup ("1970-01-01T00:00:00.000Z");

  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                          g_date_time_get_year (dt), g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt), g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt), g_date_time_get_second (dt), millis);
}

/* ---------------------------------------------------------------------------------------- */
/* small values */

char *
si_wire_tag_name_key (const char *name)
{
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  normalized = g_utf8_normalize (name, -1, G_NORMALIZE_ALL_COMPOSE);
  if (normalized == NULL)
    return NULL;
  return g_utf8_casefold (normalized, -1);
}

/* U+200B ZERO WIDTH SPACE, U+200C ZWNJ, U+200D ZWJ, U+2060 WORD JOINER, U+FEFF BOM. */
static gboolean
tag_name_char_is_zero_width (gunichar c)
{
  return (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF;
}

/* Unicode spaces (Zs), U+2028, U+2029, and the ASCII/C1 controls that break text: TAB, LF,
 * VT, FF, CR, NEL. */
static gboolean
tag_name_char_is_space (gunichar c)
{
  return g_unichar_isspace (c) || c == 0x0B || c == 0x85;
}

SiWireTagNameProblem
si_wire_tag_name_normalize (const char  *name,
                            char       **out_name)
{
  g_autoptr(GString) text = NULL;
  g_autofree char *composed = NULL;
  gboolean space = FALSE;
  glong n_chars = 0;

  g_return_val_if_fail (out_name != NULL, SI_WIRE_TAG_NAME_NOT_UTF8);

  *out_name = NULL;
  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return SI_WIRE_TAG_NAME_NOT_UTF8;

  text = g_string_new (NULL);
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (tag_name_char_is_zero_width (c))
        continue;
      if (tag_name_char_is_space (c))
        {
          space = text->len > 0;   /* leading white space goes */
          continue;
        }
      if (g_unichar_type (c) == G_UNICODE_CONTROL)
        return SI_WIRE_TAG_NAME_CONTROL;
      /* NFC composes at most a few characters into one: far more than the limit is too long
       * whatever follows, and the work stays bounded. */
      if (++n_chars > 16 * SI_TAG_NAME_MAX_CHARS)
        return SI_WIRE_TAG_NAME_TOO_LONG;
      if (space)
        g_string_append_c (text, ' ');
      space = FALSE;
      g_string_append_unichar (text, c);
    }
  if (text->len == 0)
    return SI_WIRE_TAG_NAME_EMPTY;

  composed = g_utf8_normalize (text->str, text->len, G_NORMALIZE_DEFAULT_COMPOSE);
  if (composed == NULL)
    return SI_WIRE_TAG_NAME_NOT_UTF8;
  if (g_utf8_strlen (composed, -1) > SI_TAG_NAME_MAX_CHARS)
    return SI_WIRE_TAG_NAME_TOO_LONG;
  *out_name = g_steal_pointer (&composed);
  return SI_WIRE_TAG_NAME_OK;
}

gboolean
si_wire_colour_is_valid (const char *colour)
{
  if (colour == NULL)
    return FALSE;
  if (colour[0] == '\0')
    return TRUE;
  if (colour[0] != '#' || strlen (colour) != 7)
    return FALSE;
  for (guint i = 1; i < 7; i++)
    if (!g_ascii_isxdigit (colour[i]))
      return FALSE;
  return TRUE;
}

gboolean
si_wire_if_match_parse (const char *header,
                        gint64     *out_version)
{
  const char *p = header;
  const char *digits, *end;

  g_return_val_if_fail (out_version != NULL, FALSE);

  if (p == NULL)
    return FALSE;
  while (*p == ' ' || *p == '\t')
    p++;
  if (p[0] == 'W' && p[1] == '/')
    {
      p += 2;
      if (*p != '"')
        return FALSE;
    }
  if (*p == '"')
    {
      digits = p + 1;
      end = strchr (digits, '"');
      if (end == NULL)
        return FALSE;
      p = end + 1;
    }
  else
    {
      digits = p;
      while (*p != '\0' && *p != ' ' && *p != '\t')
        p++;
      end = p;
    }
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p != '\0')
    return FALSE;

  return si_wire_int64_parse (digits, end - digits, 0, G_MAXINT64, out_version);
}

/* G_MAXINT64 has 19 digits. */
#define INT64_MAX_DIGITS 19

gboolean
si_wire_int64_parse (const char *text,
                     gssize      length,
                     gint64      min,
                     gint64      max,
                     gint64     *out_value)
{
  guint64 value = 0;

  g_return_val_if_fail (out_value != NULL, FALSE);
  g_return_val_if_fail (0 <= min && min <= max, FALSE);

  if (text == NULL)
    return FALSE;
  if (length < 0)
    {
      /* Never reads further than one byte past what could be valid. */
      length = 0;
      while (length <= INT64_MAX_DIGITS && text[length] != '\0')
        length++;
    }
  if (length == 0 || length > INT64_MAX_DIGITS)
    return FALSE;
  if (text[0] == '0' && length > 1)
    return FALSE;
  for (gssize i = 0; i < length; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      /* 19 digits are below 10^19 < 2^64: no overflow of the guint64. */
      value = value * 10 + (guint64) (text[i] - '0');
    }
  if (value > (guint64) G_MAXINT64 || (gint64) value < min || (gint64) value > max)
    return FALSE;
  *out_value = (gint64) value;
  return TRUE;
}

char *
si_wire_etag_format (gint64 version)
{
  return g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", version);
}
