/* si-wire.c — the JSON codec of the sync protocol (see si-wire.h and docs/protocol.md). */
#define G_LOG_DOMAIN "saveidea-wire"

#include "config.h"

#include <string.h>
#include <stdlib.h>
#include <nettle/sha2.h>

#include "si-wire-private.h"

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
  copy->device = g_strdup (record->device);
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
  g_free (record->device);
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

/* A number into @checksum as 8 bytes, least significant first (the same on every machine). */
static void
digest_int (struct sha256_ctx *checksum,
            gint64             value)
{
  guint64 bits = (guint64) value;
  guchar bytes[8];

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (bits >> (8 * i)) & 0xff;
  sha256_update (checksum, sizeof bytes, bytes);
}

/* A string with its length first ("ab", "c" and "a", "bc" differ; NULL and "" too). */
static void
digest_string (struct sha256_ctx *checksum,
               const char        *text)
{
  gsize length = text ? strlen (text) : 0;

  digest_int (checksum, text ? (gint64) length : -1);
  if (length > 0)
    sha256_update (checksum, length, (const guchar *) text);
}

static int
compare_tag_ids (gconstpointer a,
                 gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* Nettle's SHA-256 (with the CPU's SHA instructions where it has them): a first upload notes
 * each record it sends by this digest, and GLib's portable SHA-256 took 2.4 µs of the 0.4
 * here. The same bytes and the same algorithm as before, so notes written by earlier versions
 * still match. */
char *
si_wire_record_content_digest (const SiWireRecord *record)
{
  static const char hex[] = "0123456789abcdef";
  struct sha256_ctx context;
  struct sha256_ctx *checksum = &context;
  guchar sum[SHA256_DIGEST_SIZE];
  char *text;

  g_return_val_if_fail (record != NULL, NULL);

  sha256_init (checksum);
  digest_int (checksum, record->collection);
  digest_int (checksum, record->deleted ? 1 : 0);
  if (record->deleted)
    ;
  else if (record->collection == SI_WIRE_COLLECTION_TAGS)
    {
      digest_string (checksum, record->name);
      digest_string (checksum, record->colour);
    }
  else
    {
      guint n = record->tags ? record->tags->len : 0;
      g_autofree gint64 *tags = n > 0 ? g_memdup2 (record->tags->data, n * sizeof (gint64)) : NULL;
      guint distinct = 0;

      digest_string (checksum, record->title);
      digest_string (checksum, record->body);
      digest_int (checksum, record->pinned ? 1 : 0);
      /* A set: in order, each once. */
      if (n > 0)
        qsort (tags, n, sizeof (gint64), compare_tag_ids);
      for (guint i = 0; i < n; i++)
        if (i == 0 || tags[i] != tags[i - 1])
          distinct++;
      digest_int (checksum, distinct);
      for (guint i = 0; i < n; i++)
        if (i == 0 || tags[i] != tags[i - 1])
          digest_int (checksum, tags[i]);
    }
  sha256_digest (checksum, sizeof sum, sum);
  text = g_malloc (2 * sizeof sum + 1);
  for (guint i = 0; i < sizeof sum; i++)
    {
      text[2 * i] = hex[sum[i] >> 4];
      text[2 * i + 1] = hex[sum[i] & 0xf];
    }
  text[2 * sizeof sum] = '\0';
  return text;
}

/* ---------------------------------------------------------------------------------------- */
/* field helpers */

gboolean
_si_wire_field_error (GError    **error,
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

gboolean
_si_wire_get_string (JsonObject  *object,
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
        return _si_wire_field_error (error, field, "is missing");
      return TRUE;
    }
  if (!node_is_type (node, G_TYPE_STRING))
    return _si_wire_field_error (error, field, "must be a string");

  value = json_node_get_string (node);
  if (!g_utf8_validate (value, -1, NULL))
    return _si_wire_field_error (error, field, "is not valid UTF-8");

  g_free (*out);
  *out = g_strdup (value);
  return TRUE;
}

gboolean
_si_wire_get_int (JsonObject *object,
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
        return _si_wire_field_error (error, field, "is missing");
      return TRUE;
    }
  if (!node_is_type (node, G_TYPE_INT64))
    return _si_wire_field_error (error, field, "must be an integer");
  value = json_node_get_int (node);
  if (value < min)
    return _si_wire_field_error (error, field, "must be at least %" G_GINT64_FORMAT, min);
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
        return _si_wire_field_error (error, field, "is missing");
      return TRUE;
    }
  if (!node_is_type (node, G_TYPE_BOOLEAN))
    return _si_wire_field_error (error, field, "must be true or false");
  *out = json_node_get_boolean (node);
  return TRUE;
}

/* The checks of a record's members once read, shared by the tree path and the streaming
 * reader (si-wire-read.c). */

gboolean
_si_wire_time_check (const char *text,
                     const char *field,
                     gint64     *out,
                     GError    **error)
{
  if (!si_wire_timestamp_parse (text, out))
    return _si_wire_field_error (error, field,
                                 "must be an RFC 3339 time such as 2026-11-28T04:08:50.123Z");
  return TRUE;
}

gboolean
_si_wire_uid_check (char   **uid,
                    GError **error)
{
  char *c;
  guint i;

  if (*uid == NULL)
    return TRUE;
  /* What g_uuid_string_is_valid() checks (36 characters, hex digits with hyphens between
   * 8-4-4-4-12, any version), in one pass that also lowers the case in place (the string is
   * ours); the text is not changed unless it is valid. */
  c = *uid;
  for (i = 0; i < 36 && c[i] != '\0'; i++)
    if ((i == 8 || i == 13 || i == 18 || i == 23) ? c[i] != '-' : !g_ascii_isxdigit (c[i]))
      break;
  if (i < 36 || c[36] != '\0')
    return _si_wire_field_error (error, "uid", "must be a UUID such as 6f2a0e8e-1b7c-4d8e-9a53-0c4d1e2f3a4b");
  for (i = 0; i < 36; i++)
    c[i] = g_ascii_tolower (c[i]);
  return TRUE;
}

gboolean
_si_wire_device_check (const char  *device,
                       GError     **error)
{
  if (device != NULL && !si_wire_device_name_is_valid (device))
    return _si_wire_field_error (error, "device",
                                 "must be 1 to %d characters, not only white space, without control characters",
                                 SI_DEVICE_NAME_MAX_CHARS);
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

  if (!_si_wire_get_string (object, field, required, &text, error))
    return FALSE;
  return text == NULL || _si_wire_time_check (text, field, out, error);
}

gboolean
_si_wire_check_unknown_fields (JsonObject         *object,
                               const char * const *known,
                               GError            **error)
{
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;

  /* In the text's order, so that the member named is the first unknown one (and the
   * streaming reader, si-wire-read.c, names the same). */
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &member, &value))
    {
      if (!g_strv_contains (known, member))
        {
          g_autofree char *shown = g_utf8_make_valid (member, -1);
          return _si_wire_field_error (error, shown, "is unknown");
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
        return _si_wire_field_error (error, "tags", "is missing");
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return _si_wire_field_error (error, "tags", "must be an array of tag ids");

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n > SI_TAGS_PER_IDEA_MAX)
    return _si_wire_field_error (error, "tags", "holds %u tags; at most %d are allowed", n,
                                 SI_TAGS_PER_IDEA_MAX);

  tags = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      gint64 id;
      gboolean seen = FALSE;

      if (!node_is_type (element, G_TYPE_INT64))
        return _si_wire_field_error (error, "tags", "must be an array of integer tag ids");
      id = json_node_get_int (element);
      if (id <= 0)
        return _si_wire_field_error (error, "tags", "holds %" G_GINT64_FORMAT ", which is not a tag id", id);
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
        return _si_wire_field_error (error, "name", "must not be empty");
      if (len > SI_TAG_NAME_MAX_CHARS)
        return _si_wire_field_error (error, "name", "is longer than %d characters", SI_TAG_NAME_MAX_CHARS);
      return TRUE;
    }

  switch (si_wire_tag_name_normalize (record->name, &normal))
    {
    case SI_WIRE_TAG_NAME_OK:
      break;
    case SI_WIRE_TAG_NAME_NOT_UTF8:
      return _si_wire_field_error (error, "name", "is not valid UTF-8");
    case SI_WIRE_TAG_NAME_EMPTY:
      return _si_wire_field_error (error, "name", "must not be empty (white space and zero-width characters do not count)");
    case SI_WIRE_TAG_NAME_CONTROL:
      return _si_wire_field_error (error, "name", "must not contain control characters");
    case SI_WIRE_TAG_NAME_TOO_LONG:
    default:
      return _si_wire_field_error (error, "name", "is longer than %d characters", SI_TAG_NAME_MAX_CHARS);
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
        return _si_wire_field_error (error, "title", "is longer than %d characters", SI_TITLE_MAX_CHARS);
      if (strlen (record->body) > SI_BODY_MAX_BYTES)
        return _si_wire_field_error (error, "body", "is longer than %d bytes", SI_BODY_MAX_BYTES);
    }
  else
    {
      if (!validate_tag_name (record, request, error))
        return FALSE;
      if (!si_wire_colour_is_valid (record->colour))
        return _si_wire_field_error (error, "colour", "must be \"\" or a colour such as \"#3584e4\"");
    }
  return TRUE;
}

gboolean
_si_wire_record_validate (SiWireRecord *record,
                          gboolean      request,
                          GError      **error)
{
  return validate_fields (record, request, error);
}

/* Optional in both directions: older clients and servers do not know it. A server's null
 * says "not known" as leaving it out does; a request says it with a name or not at all. */
gboolean
_si_wire_get_device (JsonObject  *object,
                     gboolean     request,
                     char       **out,
                     GError     **error)
{
  if ((request || !json_object_has_member (object, "device") ||
       !JSON_NODE_HOLDS_NULL (json_object_get_member (object, "device"))) &&
      !_si_wire_get_string (object, "device", FALSE, out, error))
    return FALSE;
  return _si_wire_device_check (*out, error);
}

/* An idea's content as a server sends it (all four fields required), checked as a record's. */
gboolean
_si_wire_get_idea_content (JsonObject   *object,
                           SiWireRecord *record,
                           GError      **error)
{
  g_return_val_if_fail (record->collection == SI_WIRE_COLLECTION_IDEAS, FALSE);

  return _si_wire_get_string (object, "title", TRUE, &record->title, error) &&
         _si_wire_get_string (object, "body", TRUE, &record->body, error) &&
         get_bool (object, "pinned", TRUE, &record->pinned, error) &&
         get_tags (object, TRUE, &record->tags, error) &&
         validate_fields (record, FALSE, error);
}

gboolean
_si_wire_get_bool (JsonObject *object,
                   const char *field,
                   gboolean    required,
                   gboolean   *out,
                   GError    **error)
{
  return get_bool (object, field, required, out, error);
}

gboolean
_si_wire_get_time (JsonObject *object,
                   const char *field,
                   gboolean    required,
                   gint64     *out,
                   GError    **error)
{
  return get_time (object, field, required, out, error);
}

SiWireRecord *
si_wire_record_from_json (JsonNode          *node,
                          SiWireCollection   collection,
                          SiWireMode         mode,
                          GError           **error)
{
  static const char * const idea_fields[] = {
    "id", "uid", "version", "created_at", "updated_at", "deleted", "device",
    "title", "body", "pinned", "tags", NULL
  };
  static const char * const tag_fields[] = {
    "id", "uid", "version", "created_at", "updated_at", "deleted", "device",
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
      !_si_wire_check_unknown_fields (object,
                                      collection == SI_WIRE_COLLECTION_IDEAS ? idea_fields : tag_fields,
                                      error))
    return NULL;

  record = si_wire_record_new (collection);

  if (!_si_wire_get_string (object, "uid", !request, &record->uid, error) ||
      !_si_wire_uid_check (&record->uid, error))
    return NULL;

  if (!request)
    {
      if (!_si_wire_get_int (object, "id", TRUE, 1, &record->id, NULL, error) ||
          !_si_wire_get_int (object, "version", TRUE, 1, &record->version, NULL, error) ||
          !get_bool (object, "deleted", TRUE, &record->deleted, error))
        return NULL;
    }

  if (!get_time (object, "created_at", TRUE, &record->created_at, error) ||
      !get_time (object, "updated_at", TRUE, &record->updated_at, error))
    return NULL;

  if (!_si_wire_get_device (object, request, &record->device, error))
    return NULL;

  /* A tombstone from the server carries no fields; everything else carries them all. */
  need_fields = !record->deleted;

  if (collection == SI_WIRE_COLLECTION_IDEAS)
    {
      if (!_si_wire_get_string (object, "title", need_fields, &record->title, error) ||
          !_si_wire_get_string (object, "body", need_fields, &record->body, error) ||
          !get_bool (object, "pinned", need_fields, &record->pinned, error) ||
          !get_tags (object, need_fields, &record->tags, error))
        return NULL;
    }
  else
    {
      if (!_si_wire_get_string (object, "name", need_fields, &record->name, error) ||
          !_si_wire_get_string (object, "colour", need_fields, &record->colour, error))
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

void
_si_wire_build_idea_content (const SiWireRecord *record,
                             JsonBuilder        *builder)
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

/* Writes `name: "<RFC 3339 time>"` into @builder. */
void
_si_wire_build_time (JsonBuilder *builder,
                     const char  *name,
                     gint64       ms)
{
  build_time (builder, name, ms);
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
  if (record->device != NULL)
    {
      json_builder_set_member_name (builder, "device");
      json_builder_add_string_value (builder, record->device);
    }

  with_fields = mode == SI_WIRE_MODE_REQUEST || !record->deleted;
  if (with_fields && record->collection == SI_WIRE_COLLECTION_IDEAS)
    _si_wire_build_idea_content (record, builder);
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

  if (!_si_wire_get_int (object, "cursor", TRUE, 0, &page->cursor, NULL, error) ||
      !get_bool (object, "more", TRUE, &page->more, error) ||
      !_si_wire_get_int (object, "remaining", FALSE, 0, &page->remaining, NULL, error))
    return NULL;
  if (!page->more)
    page->remaining = 0;

  records = json_object_get_member (object, "records");
  if (records == NULL || !JSON_NODE_HOLDS_ARRAY (records))
    {
      _si_wire_field_error (error, "records", "must be an array");
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
              _si_wire_field_error (error, "records", "must hold JSON objects");
              return NULL;
            }
          if (!_si_wire_get_string (json_node_get_object (element), "collection", TRUE, &name, error))
            return NULL;
          if (!si_wire_collection_from_string (name, &record_collection))
            {
              _si_wire_field_error (error, "collection", "must be \"ideas\" or \"tags\"");
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

void
_si_wire_problem_build_members (const SiWireProblem *problem,
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
  _si_wire_problem_build_members (problem, builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

SiWireProblem *
_si_wire_problem_from_object (JsonObject        *object,
                              SiWireCollection   collection,
                              GError           **error)
{
  g_autoptr(SiWireProblem) problem = g_new0 (SiWireProblem, 1);
  JsonNode *current;

  if (!_si_wire_get_string (object, "error", TRUE, &problem->error, error) ||
      !_si_wire_get_string (object, "message", FALSE, &problem->message, error))
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
  return _si_wire_problem_from_object (json_node_get_object (node), collection, error);
}
