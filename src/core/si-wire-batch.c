/* si-wire-batch.c — the JSON codec of the sync protocol, part 2:
 * the bodies of POST /batch: requests, results and responses.
 * See si-wire.h and docs/protocol.md. */
#define G_LOG_DOMAIN "saveidea-wire"

#include "config.h"

#include <string.h>

#include "si-wire-private.h"

/* ---------------------------------------------------------------------------------------- */
/* batch */

const char *
_si_wire_method_to_string (SiWireMethod method)
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
  g_clear_pointer (&op->decoded, si_wire_record_free);
  g_clear_error (&op->record_error);
  g_free (op);
}

/* The rules of an operation's envelope once its members are read, for both readers (this
 * file's tree path and si-wire-read.c): sets @op's method and collection from @method and
 * @collection; @has_record and @record_is_object say what `record` was. */
gboolean
_si_wire_batch_op_check (SiWireBatchOp  *op,
                         const char     *method,
                         const char     *collection,
                         gboolean        has_id,
                         gboolean        has_if_match,
                         gboolean        has_record,
                         gboolean        record_is_object,
                         GError        **error)
{
  if (g_strcmp0 (method, "POST") == 0)
    op->method = SI_WIRE_METHOD_POST;
  else if (g_strcmp0 (method, "PUT") == 0)
    op->method = SI_WIRE_METHOD_PUT;
  else if (g_strcmp0 (method, "DELETE") == 0)
    op->method = SI_WIRE_METHOD_DELETE;
  else
    return _si_wire_field_error (error, "method", "must be \"POST\", \"PUT\" or \"DELETE\"");

  if (!si_wire_collection_from_string (collection, &op->collection))
    return _si_wire_field_error (error, "collection", "must be \"ideas\" or \"tags\"");

  if (op->method != SI_WIRE_METHOD_POST && !has_id)
    return _si_wire_field_error (error, "id", "is missing (needed for %s)", method);
  if (op->method == SI_WIRE_METHOD_POST && (has_id || has_if_match))
    return _si_wire_field_error (error, has_id ? "id" : "if_match", "is not allowed with POST");

  if (op->method == SI_WIRE_METHOD_DELETE)
    {
      if (has_record)
        return _si_wire_field_error (error, "record", "is not allowed with DELETE");
    }
  else
    {
      if (!has_record)
        return _si_wire_field_error (error, "record", "is missing (needed for %s)", method);
      if (!record_is_object)
        return _si_wire_field_error (error, "record", "must be a JSON object");
    }
  return TRUE;
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

  if (!_si_wire_check_unknown_fields (object, known, &local_error) ||
      !_si_wire_get_string (object, "method", TRUE, &method, &local_error) ||
      !_si_wire_get_string (object, "collection", TRUE, &collection, &local_error) ||
      !_si_wire_get_int (object, "id", FALSE, 1, &op->id, &has_id, &local_error) ||
      !_si_wire_get_int (object, "if_match", FALSE, 0, &op->if_match, &has_if_match, &local_error))
    goto fail;

  record = json_object_get_member (object, "record");
  if (!_si_wire_batch_op_check (op, method, collection, has_id, has_if_match, record != NULL,
                                record != NULL && JSON_NODE_HOLDS_OBJECT (record), &local_error))
    goto fail;
  if (record != NULL)
    op->record = json_node_ref (record);

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
  if (!_si_wire_check_unknown_fields (object, known, error))
    return NULL;

  operations = json_object_get_member (object, "operations");
  if (operations == NULL)
    {
      _si_wire_field_error (error, "operations", "is missing");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_ARRAY (operations))
    {
      _si_wire_field_error (error, "operations", "must be an array");
      return NULL;
    }
  array = json_node_get_array (operations);
  n = json_array_get_length (array);
  if (n > max_ops)
    {
      if (out_too_many)
        *out_too_many = TRUE;
      _si_wire_field_error (error, "operations", "holds %u operations; at most %u are allowed", n, max_ops);
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
      json_builder_add_string_value (builder, _si_wire_method_to_string (op->method));
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
  return si_wire_batch_response_to_json_with_changes (results, NULL);
}

JsonNode *
si_wire_batch_response_to_json_with_changes (GPtrArray *results,
                                             GArray    *changes)
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
      if (result->record != NULL && result->slim)
        {
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, result->record->id);
          json_builder_set_member_name (builder, "version");
          json_builder_add_int_value (builder, result->record->version);
        }
      else if (result->record != NULL)
        {
          json_builder_set_member_name (builder, "record");
          si_wire_record_build (result->record, SI_WIRE_MODE_RESPONSE, builder);
        }
      if (result->problem != NULL)
        _si_wire_problem_build_members (result->problem, builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  if (changes != NULL && changes->len > 0)
    {
      json_builder_set_member_name (builder, "changes");
      json_builder_begin_array (builder);
      for (guint i = 0; i < changes->len; i++)
        {
          const SiWireChangeRange *range = &g_array_index (changes, SiWireChangeRange, i);

          json_builder_begin_array (builder);
          json_builder_add_int_value (builder, range->from);
          json_builder_add_int_value (builder, range->to);
          json_builder_end_array (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

GArray *
si_wire_change_ranges_from_versions (GArray *versions)
{
  GArray *ranges = g_array_new (FALSE, FALSE, sizeof (SiWireChangeRange));

  g_return_val_if_fail (versions != NULL, ranges);

  g_array_sort (versions, compare_int64);
  for (guint i = 0; i < versions->len; i++)
    {
      gint64 v = g_array_index (versions, gint64, i);
      SiWireChangeRange *last = ranges->len ? &g_array_index (ranges, SiWireChangeRange, ranges->len - 1) : NULL;

      if (last != NULL && v <= last->to)
        continue;
      if (last != NULL && v == last->to + 1)
        last->to = v;
      else
        {
          SiWireChangeRange range = { v, v };
          g_array_append_val (ranges, range);
        }
    }
  return ranges;
}

/* An element of `changes`: [from, to], both int64 from 1, from <= to. */
static gboolean
change_range_from_json (JsonNode          *node,
                        guint              index,
                        SiWireChangeRange *out,
                        GError           **error)
{
  JsonArray *pair;
  gint64 values[2];

  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (pair = json_node_get_array (node)) != 2)
    {
      _si_wire_field_error (error, "changes", "element %u must be an array of two numbers", index);
      return FALSE;
    }
  for (guint k = 0; k < 2; k++)
    {
      JsonNode *value = json_array_get_element (pair, k);

      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_INT64 ||
          (values[k] = json_node_get_int (value)) < 1)
        {
          _si_wire_field_error (error, "changes", "element %u must hold whole numbers from 1", index);
          return FALSE;
        }
    }
  if (values[0] > values[1])
    {
      _si_wire_field_error (error, "changes", "element %u ends before it starts", index);
      return FALSE;
    }
  out->from = values[0];
  out->to = values[1];
  return TRUE;
}

GArray *
si_wire_batch_response_changes_from_json (JsonNode  *node,
                                          guint      max_ranges,
                                          GError   **error)
{
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (SiWireChangeRange));
  JsonNode *member;
  JsonArray *array;
  guint n;

  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "A batch response must be a JSON object");
      return NULL;
    }
  member = json_object_get_member (json_node_get_object (node), "changes");
  if (member == NULL)
    return g_steal_pointer (&ranges);
  if (!JSON_NODE_HOLDS_ARRAY (member))
    {
      _si_wire_field_error (error, "changes", "must be an array");
      return NULL;
    }
  array = json_node_get_array (member);
  n = json_array_get_length (array);
  if (n > max_ranges)
    {
      _si_wire_field_error (error, "changes", "holds %u ranges; at most %u are possible", n, max_ranges);
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    {
      SiWireChangeRange range;

      if (!change_range_from_json (json_array_get_element (array, i), i, &range, error))
        return NULL;
      if (ranges->len > 0 && range.from <= g_array_index (ranges, SiWireChangeRange, ranges->len - 1).to)
        {
          _si_wire_field_error (error, "changes", "element %u does not follow the one before", i);
          return NULL;
        }
      g_array_append_val (ranges, range);
    }
  return g_steal_pointer (&ranges);
}

GPtrArray *
si_wire_batch_response_from_json (JsonNode  *node,
                                  GArray    *collections,
                                  GError   **error)
{
  return si_wire_batch_response_from_json_sent (node, collections, NULL, error);
}

GPtrArray *
si_wire_batch_response_from_json_sent (JsonNode  *node,
                                       GArray    *collections,
                                       GPtrArray *sent,
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
      _si_wire_field_error (error, "results", "must be an array");
      return NULL;
    }
  array = json_node_get_array (member);
  n = json_array_get_length (array);
  if (n != collections->len)
    {
      _si_wire_field_error (error, "results", "holds %u results for %u operations", n, collections->len);
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
      if (!_si_wire_get_int (object, "status", TRUE, 100, &status, NULL, error))
        return NULL;
      /* An HTTP status; 4294967496 must not wrap to 200 on its way into a guint. */
      if (status > 599)
        {
          _si_wire_field_error (error, "status", "must be at most 599");
          return NULL;
        }

      record_node = json_object_get_member (object, "record");
      if (record_node != NULL)
        {
          record = si_wire_record_from_json (record_node, collection, SI_WIRE_MODE_RESPONSE, error);
          if (record == NULL)
            return NULL;
        }
      else if (json_object_has_member (object, "id") || json_object_has_member (object, "version"))
        {
          /* A slim result: the record is the one sent, with what the server set. */
          gint64 id = 0, version = 0;

          if (!_si_wire_batch_slim_allowed (i, status, collection, sent, error) ||
              !_si_wire_get_int (object, "id", TRUE, 1, &id, NULL, error) ||
              !_si_wire_get_int (object, "version", TRUE, 1, &version, NULL, error))
            return NULL;
          record = _si_wire_batch_slim_take (sent, i, id, version);
        }
      if (json_object_has_member (object, "error"))
        {
          problem = _si_wire_problem_from_object (object, collection, error);
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
/* slim results */

gboolean
si_wire_prefer_return_minimal (const char *prefer)
{
  g_auto(GStrv) items = NULL;

  if (prefer == NULL)
    return FALSE;
  /* RFC 7240: preferences separated by commas, each `token [= word] *( ; parameter )`; names
   * are case-insensitive. A quoted "minimal" is the same word. */
  items = g_strsplit (prefer, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = items[i];
      char *semicolon = strchr (item, ';');
      char *equals;
      char *value;
      gsize length;

      if (semicolon != NULL)
        *semicolon = '\0';
      equals = strchr (item, '=');
      if (equals == NULL)
        continue;
      *equals = '\0';
      value = g_strstrip (equals + 1);
      length = strlen (value);
      if (length >= 2 && value[0] == '"' && value[length - 1] == '"')
        {
          value[length - 1] = '\0';
          value++;
        }
      if (g_ascii_strcasecmp (g_strstrip (item), "return") == 0)
        /* The first `return` counts (RFC 7240, section 2: a repeated preference is ignored). */
        return g_ascii_strcasecmp (value, "minimal") == 0;
    }
  return FALSE;
}

static gboolean
tags_equal (const GArray *a,
            const GArray *b)
{
  guint na = a != NULL ? a->len : 0;
  guint nb = b != NULL ? b->len : 0;

  return na == nb && (na == 0 || memcmp (a->data, b->data, na * sizeof (gint64)) == 0);
}

gboolean
si_wire_record_is_as_sent (const SiWireRecord *stored,
                           const SiWireRecord *sent)
{
  g_return_val_if_fail (stored != NULL && sent != NULL, FALSE);

  /* Every member a response carries but id and version: record_write()'s. */
  return stored->collection == SI_WIRE_COLLECTION_IDEAS && sent->collection == SI_WIRE_COLLECTION_IDEAS &&
         !stored->deleted && !sent->deleted &&
         stored->uid != NULL && sent->uid != NULL && strcmp (stored->uid, sent->uid) == 0 &&
         stored->created_at == sent->created_at && stored->updated_at == sent->updated_at &&
         g_strcmp0 (stored->device, sent->device) == 0 &&
         g_strcmp0 (stored->title, sent->title) == 0 && g_strcmp0 (stored->body, sent->body) == 0 &&
         !stored->pinned == !sent->pinned && tags_equal (stored->tags, sent->tags);
}

static gboolean
can_rebuild (const SiWireRecord *sent)
{
  return sent != NULL && sent->collection == SI_WIRE_COLLECTION_IDEAS && !sent->deleted && sent->uid != NULL;
}

SiWireRecord *
si_wire_record_rebuild (SiWireRecord *sent,
                        gint64        id,
                        gint64        version)
{
  guint kept = 0;

  g_return_val_if_fail (id > 0 && version > 0, NULL);

  if (!can_rebuild (sent))
    return NULL;
  /* In place, without copying the text: what reading the request made of it
   * (_si_wire_uid_check(), the tag list as a set), i.e. what the server stored and what a full
   * result would have said. */
  sent->id = id;
  sent->version = version;
  sent->deleted = FALSE;
  sent->pinned = sent->pinned ? TRUE : FALSE;
  for (char *c = sent->uid; *c != '\0'; c++)
    *c = g_ascii_tolower (*c);
  if (sent->title == NULL)
    sent->title = g_strdup ("");
  if (sent->body == NULL)
    sent->body = g_strdup ("");
  if (sent->tags == NULL)
    sent->tags = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < sent->tags->len; i++)
    {
      gint64 tag = g_array_index (sent->tags, gint64, i);
      gboolean seen = FALSE;

      for (guint j = 0; j < kept && !seen; j++)
        seen = g_array_index (sent->tags, gint64, j) == tag;
      if (!seen)
        g_array_index (sent->tags, gint64, kept++) = tag;
    }
  g_array_set_size (sent->tags, kept);
  return sent;
}

SiWireRecord *
_si_wire_batch_slim_take (GPtrArray *sent,
                          guint      index,
                          gint64     id,
                          gint64     version)
{
  /* _si_wire_batch_slim_allowed() said it can be rebuilt. */
  SiWireRecord *record = si_wire_record_rebuild (sent->pdata[index], id, version);

  if (record != NULL)
    sent->pdata[index] = NULL;
  return record;
}

gboolean
_si_wire_batch_slim_allowed (guint              index,
                             gint64             status,
                             SiWireCollection   collection,
                             GPtrArray         *sent,
                             GError           **error)
{
  if (sent == NULL)
    {
      g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
                   "Result %u leaves its record out, which was not asked for", index);
      return FALSE;
    }
  if (status < 200 || status > 299)
    {
      g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
                   "Result %u leaves its record out with status %" G_GINT64_FORMAT ", not a success",
                   index, status);
      return FALSE;
    }
  if (index >= sent->len || collection != SI_WIRE_COLLECTION_IDEAS ||
      !can_rebuild (g_ptr_array_index (sent, index)))
    {
      g_set_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
                   "Result %u leaves out a record that was not sent as it is (only a created or updated idea may be left out)",
                   index);
      return FALSE;
    }
  return TRUE;
}
