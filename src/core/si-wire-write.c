/* si-wire-write.c — the JSON codec of the sync protocol, part 5: text written straight into a
 * GString, without a JsonNode tree (see si-wire-write.h). The member order is the tree
 * functions' (si-wire.c, si-wire-batch.c), so that both give the same bytes. */
#define G_LOG_DOMAIN "saveidea-wire"

#include "config.h"

#include <string.h>

#include "si-wire-private.h"
#include "si-wire-write.h"

/* ---------------------------------------------------------------------------------------- */
/* primitives */

static inline gboolean
byte_needs_escape (guchar c)
{
  return c < 0x20 || c == '"' || c == '\\' || c == 0x7f;
}

static void
append_escape (GString *out,
               guchar   c)
{
  static const char hex[] = "0123456789abcdef";
  char text[6] = { '\\', 'u', '0', '0', 0, 0 };

  switch (c)
    {
    case '"': g_string_append_len (out, "\\\"", 2); return;
    case '\\': g_string_append_len (out, "\\\\", 2); return;
    case '\b': g_string_append_len (out, "\\b", 2); return;
    case '\f': g_string_append_len (out, "\\f", 2); return;
    case '\n': g_string_append_len (out, "\\n", 2); return;
    case '\r': g_string_append_len (out, "\\r", 2); return;
    case '\t': g_string_append_len (out, "\\t", 2); return;
    default: break;
    }
  text[4] = hex[c >> 4];
  text[5] = hex[c & 0xf];
  g_string_append_len (out, text, sizeof text);
}

void
si_wire_write_string (GString    *out,
                      const char *value)
{
  const guchar *p = (const guchar *) (value != NULL ? value : "");
  const guchar *run = p;

  g_return_if_fail (out != NULL);

  g_string_append_c (out, '"');
  for (;; p++)
    {
      if (G_LIKELY (!byte_needs_escape (*p)))
        continue;
      /* The bytes before @p need nothing: copied in one go. */
      if (p > run)
        g_string_append_len (out, (const char *) run, p - run);
      if (*p == '\0')
        break;
      append_escape (out, *p);
      run = p + 1;
    }
  g_string_append_c (out, '"');
}

void
si_wire_write_int (GString *out,
                   gint64   value)
{
  char text[21];
  char *end = text + sizeof text;
  char *p = end;
  /* The magnitude as unsigned: -G_MININT64 does not fit a gint64. */
  guint64 rest = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;

  g_return_if_fail (out != NULL);

  do
    {
      *--p = (char) ('0' + rest % 10);
      rest /= 10;
    }
  while (rest != 0);
  if (value < 0)
    *--p = '-';
  g_string_append_len (out, p, end - p);
}

/* `"name":` — @name is one of ours: nothing in it to escape. The leading comma is the
 * caller's. */
#define MEMBER(out, name) g_string_append_len ((out), "\"" name "\":", sizeof (name) + 2)

static inline void
write_bool (GString  *out,
            gboolean  value)
{
  if (value)
    g_string_append_len (out, "true", 4);
  else
    g_string_append_len (out, "false", 5);
}

static inline void
write_time (GString *out,
            gint64   ms)
{
  g_string_append_c (out, '"');
  si_wire_timestamp_append (out, ms);
  g_string_append_c (out, '"');
}

/* ---------------------------------------------------------------------------------------- */
/* records */

/* @with_collection: with `"collection"` first (the records of GET /api/v1/changes). */
static void
record_write (const SiWireRecord *record,
              SiWireMode          mode,
              gboolean            with_collection,
              GString            *out)
{
  gboolean response = mode == SI_WIRE_MODE_RESPONSE;

  g_string_append_c (out, '{');
  if (with_collection)
    {
      MEMBER (out, "collection");
      si_wire_write_string (out, si_wire_collection_to_string (record->collection));
      g_string_append_c (out, ',');
    }
  if (response)
    {
      MEMBER (out, "id");
      si_wire_write_int (out, record->id);
      g_string_append_c (out, ',');
    }
  if (record->uid != NULL)
    {
      MEMBER (out, "uid");
      si_wire_write_string (out, record->uid);
      g_string_append_c (out, ',');
    }
  if (response)
    {
      MEMBER (out, "version");
      si_wire_write_int (out, record->version);
      g_string_append_c (out, ',');
    }
  MEMBER (out, "created_at");
  write_time (out, record->created_at);
  g_string_append_c (out, ',');
  MEMBER (out, "updated_at");
  write_time (out, record->updated_at);
  if (response)
    {
      g_string_append_c (out, ',');
      MEMBER (out, "deleted");
      write_bool (out, record->deleted);
    }
  if (record->device != NULL)
    {
      g_string_append_c (out, ',');
      MEMBER (out, "device");
      si_wire_write_string (out, record->device);
    }

  /* A tombstone in a response carries no collection fields. */
  if (!response || !record->deleted)
    {
      if (record->collection == SI_WIRE_COLLECTION_IDEAS)
        {
          g_string_append_c (out, ',');
          MEMBER (out, "title");
          si_wire_write_string (out, record->title);
          g_string_append_c (out, ',');
          MEMBER (out, "body");
          si_wire_write_string (out, record->body);
          g_string_append_c (out, ',');
          MEMBER (out, "pinned");
          write_bool (out, record->pinned);
          g_string_append_c (out, ',');
          MEMBER (out, "tags");
          g_string_append_c (out, '[');
          for (guint i = 0; record->tags != NULL && i < record->tags->len; i++)
            {
              if (i > 0)
                g_string_append_c (out, ',');
              si_wire_write_int (out, g_array_index (record->tags, gint64, i));
            }
          g_string_append_c (out, ']');
        }
      else
        {
          g_string_append_c (out, ',');
          MEMBER (out, "name");
          si_wire_write_string (out, record->name);
          g_string_append_c (out, ',');
          MEMBER (out, "colour");
          si_wire_write_string (out, record->colour);
        }
    }
  g_string_append_c (out, '}');
}

void
si_wire_record_write (const SiWireRecord *record,
                      SiWireMode          mode,
                      GString            *out)
{
  g_return_if_fail (record != NULL);
  g_return_if_fail (out != NULL);

  record_write (record, mode, FALSE, out);
}

/* A guess at a record's text, so that a page's string grows once or twice, not a dozen times:
 * its strings and the members around them. */
static gsize
record_size_guess (const SiWireRecord *record)
{
  gsize size = 200;

  if (record->title != NULL)
    size += strlen (record->title);
  if (record->body != NULL)
    size += strlen (record->body);
  if (record->tags != NULL)
    size += 8 * record->tags->len;
  return size;
}

char *
si_wire_record_to_text (const SiWireRecord *record,
                        SiWireMode          mode,
                        gsize              *out_length)
{
  GString *out;

  g_return_val_if_fail (record != NULL, NULL);

  out = g_string_sized_new (record_size_guess (record));
  record_write (record, mode, FALSE, out);
  if (out_length != NULL)
    *out_length = out->len;
  return g_string_free (out, FALSE);
}

/* ---------------------------------------------------------------------------------------- */
/* pages */

static GString *
page_to_text (const SiWirePage *page,
              gboolean          with_collection)
{
  GString *out;
  gsize guess = 64;

  for (guint i = 0; i < page->records->len; i++)
    guess += record_size_guess (g_ptr_array_index (page->records, i));
  out = g_string_sized_new (guess);

  g_string_append_c (out, '{');
  MEMBER (out, "records");
  g_string_append_c (out, '[');
  for (guint i = 0; i < page->records->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      record_write (g_ptr_array_index (page->records, i), SI_WIRE_MODE_RESPONSE, with_collection, out);
    }
  g_string_append_len (out, "],", 2);
  MEMBER (out, "cursor");
  si_wire_write_int (out, page->cursor);
  g_string_append_c (out, ',');
  MEMBER (out, "more");
  write_bool (out, page->more);
  if (page->more && page->remaining >= 0)
    {
      g_string_append_c (out, ',');
      MEMBER (out, "remaining");
      si_wire_write_int (out, page->remaining);
    }
  g_string_append_c (out, '}');
  return out;
}

GString *
si_wire_page_to_text (const SiWirePage *page)
{
  g_return_val_if_fail (page != NULL, NULL);

  return page_to_text (page, FALSE);
}

GString *
si_wire_changes_to_text (const SiWirePage *page)
{
  g_return_val_if_fail (page != NULL, NULL);

  return page_to_text (page, TRUE);
}

/* ---------------------------------------------------------------------------------------- */
/* problems */

/* The members of _si_wire_problem_build_members(), without the braces. */
static void
problem_write_members (const SiWireProblem *problem,
                       GString             *out)
{
  MEMBER (out, "error");
  si_wire_write_string (out, problem->error);
  g_string_append_c (out, ',');
  MEMBER (out, "message");
  si_wire_write_string (out, problem->message);
  if (problem->current != NULL)
    {
      g_string_append_c (out, ',');
      MEMBER (out, "current");
      record_write (problem->current, SI_WIRE_MODE_RESPONSE, FALSE, out);
    }
}

void
si_wire_problem_write (const SiWireProblem *problem,
                       GString             *out)
{
  g_return_if_fail (problem != NULL);
  g_return_if_fail (out != NULL);

  g_string_append_c (out, '{');
  problem_write_members (problem, out);
  g_string_append_c (out, '}');
}

GString *
si_wire_problem_to_text (const SiWireProblem *problem)
{
  GString *out;

  g_return_val_if_fail (problem != NULL, NULL);

  out = g_string_sized_new (128);
  si_wire_problem_write (problem, out);
  return out;
}

/* ---------------------------------------------------------------------------------------- */
/* batch requests */

void
si_wire_batch_request_begin (GString *out)
{
  g_return_if_fail (out != NULL);

  g_string_append_c (out, '{');
  MEMBER (out, "operations");
  g_string_append_c (out, '[');
}

/* An operation's members up to its record, after the opening brace. */
static void
op_write_head (GString          *out,
               SiWireMethod      method,
               SiWireCollection  collection,
               gint64            id,
               gint64            if_match)
{
  MEMBER (out, "method");
  si_wire_write_string (out, _si_wire_method_to_string (method));
  g_string_append_c (out, ',');
  MEMBER (out, "collection");
  si_wire_write_string (out, si_wire_collection_to_string (collection));
  if (method != SI_WIRE_METHOD_POST)
    {
      g_string_append_c (out, ',');
      MEMBER (out, "id");
      si_wire_write_int (out, id);
      if (if_match >= 0)
        {
          g_string_append_c (out, ',');
          MEMBER (out, "if_match");
          si_wire_write_int (out, if_match);
        }
    }
}

/* The separator before an operation: none after the array's `[`. */
static void
op_separate (GString *out)
{
  if (out->len > 0 && out->str[out->len - 1] != '[')
    g_string_append_c (out, ',');
}

void
si_wire_batch_request_append (GString            *out,
                              SiWireMethod        method,
                              SiWireCollection    collection,
                              gint64              id,
                              gint64              if_match,
                              const SiWireRecord *record)
{
  g_return_if_fail (out != NULL);

  op_separate (out);
  g_string_append_c (out, '{');
  op_write_head (out, method, collection, id, if_match);
  if (record != NULL && method != SI_WIRE_METHOD_DELETE)
    {
      g_string_append_c (out, ',');
      MEMBER (out, "record");
      record_write (record, SI_WIRE_MODE_REQUEST, FALSE, out);
    }
  g_string_append_c (out, '}');
}

void
si_wire_batch_request_end (GString *out)
{
  g_return_if_fail (out != NULL);

  g_string_append_len (out, "]}", 2);
}

GString *
si_wire_batch_request_to_text (GPtrArray *ops)
{
  g_autoptr(JsonGenerator) generator = NULL;
  GString *out;

  g_return_val_if_fail (ops != NULL, NULL);

  out = g_string_sized_new (64 + 300 * (gsize) ops->len);
  si_wire_batch_request_begin (out);
  for (guint i = 0; i < ops->len; i++)
    {
      SiWireBatchOp *op = g_ptr_array_index (ops, i);

      op_separate (out);
      g_string_append_c (out, '{');
      op_write_head (out, op->method, op->collection, op->id, op->if_match);
      if (op->record != NULL && op->method != SI_WIRE_METHOD_DELETE)
        {
          g_string_append_c (out, ',');
          MEMBER (out, "record");
          if (generator == NULL)
            generator = json_generator_new ();
          json_generator_set_root (generator, op->record);
          json_generator_to_gstring (generator, out);
        }
      g_string_append_c (out, '}');
    }
  si_wire_batch_request_end (out);
  return out;
}

/* ---------------------------------------------------------------------------------------- */
/* batch responses */

GString *
si_wire_batch_response_to_text (GPtrArray *results,
                                GArray    *changes)
{
  GString *out;
  gsize guess = 64;

  g_return_val_if_fail (results != NULL, NULL);

  for (guint i = 0; i < results->len; i++)
    {
      SiWireBatchResult *result = g_ptr_array_index (results, i);

      guess += 16;
      if (result->record != NULL && result->slim)
        guess += 40;
      else if (result->record != NULL)
        guess += record_size_guess (result->record);
      if (result->problem != NULL)
        guess += 128 + (result->problem->current ? record_size_guess (result->problem->current) : 0);
    }
  out = g_string_sized_new (guess);

  g_string_append_c (out, '{');
  MEMBER (out, "results");
  g_string_append_c (out, '[');
  for (guint i = 0; i < results->len; i++)
    {
      SiWireBatchResult *result = g_ptr_array_index (results, i);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, '{');
      MEMBER (out, "status");
      si_wire_write_int (out, result->status);
      if (result->record != NULL && result->slim)
        {
          /* What the client cannot know of the record it sent (docs/protocol.md). */
          g_string_append_c (out, ',');
          MEMBER (out, "id");
          si_wire_write_int (out, result->record->id);
          g_string_append_c (out, ',');
          MEMBER (out, "version");
          si_wire_write_int (out, result->record->version);
        }
      else if (result->record != NULL)
        {
          g_string_append_c (out, ',');
          MEMBER (out, "record");
          record_write (result->record, SI_WIRE_MODE_RESPONSE, FALSE, out);
        }
      if (result->problem != NULL)
        {
          g_string_append_c (out, ',');
          problem_write_members (result->problem, out);
        }
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
  if (changes != NULL && changes->len > 0)
    {
      g_string_append_c (out, ',');
      MEMBER (out, "changes");
      g_string_append_c (out, '[');
      for (guint i = 0; i < changes->len; i++)
        {
          const SiWireChangeRange *range = &g_array_index (changes, SiWireChangeRange, i);

          if (i > 0)
            g_string_append_c (out, ',');
          g_string_append_c (out, '[');
          si_wire_write_int (out, range->from);
          g_string_append_c (out, ',');
          si_wire_write_int (out, range->to);
          g_string_append_c (out, ']');
        }
      g_string_append_c (out, ']');
    }
  g_string_append_c (out, '}');
  return out;
}
