/* si-wire-read.c — the JSON codec of the sync protocol, part 5: a strict streaming reader for
 * the hot documents (pages, batch responses, batch requests), straight into the codec's structs.
 * See si-wire-read.h.
 *
 * A pull tokenizer over the text (si-wire-scan.c) reads each value once. What a document's
 * members hold is gathered as the text goes (a member named twice keeps its last value, as in
 * json-glib), and each object is checked when it ends, in the order and with the messages of
 * the tree functions in si-wire.c and si-wire-batch.c. A field's error does not stop the reading: the
 * rest of the text is still checked to be JSON, since the tree path refuses a text that is not
 * JSON before it looks at any field. */
#define G_LOG_DOMAIN "saveidea-wire"

#include "config.h"

#include <string.h>

#include "si-wire-read.h"
#include "si-wire-private.h"
#include "si-wire-read-private.h"

static gboolean
name_is (const char *name,
         gsize       length,
         const char *literal)
{
  return strlen (literal) == length && memcmp (name, literal, length) == 0;
}

/* ---------------------------------------------------------------------------------------- */
/* fields, checked as si-wire.c checks them */

static gboolean
get_string (Val         *v,
            const char  *field,
            gboolean     required,
            char       **out,
            GError     **error)
{
  if (v->kind == V_ABSENT)
    return required ? _si_wire_field_error (error, field, "is missing") : TRUE;
  if (v->kind != V_STRING)
    return _si_wire_field_error (error, field, "must be a string");
  g_free (*out);
  *out = g_steal_pointer (&v->s);
  v->kind = V_ABSENT;
  return TRUE;
}

static gboolean
get_int (Val        *v,
         const char *field,
         gboolean    required,
         gint64      min,
         gint64     *out,
         gboolean   *out_present,
         GError    **error)
{
  if (out_present)
    *out_present = v->kind != V_ABSENT;
  if (v->kind == V_ABSENT)
    return required ? _si_wire_field_error (error, field, "is missing") : TRUE;
  if (v->kind != V_INT)
    return _si_wire_field_error (error, field, "must be an integer");
  if (v->i < min)
    return _si_wire_field_error (error, field, "must be at least %" G_GINT64_FORMAT, min);
  *out = v->i;
  return TRUE;
}

static gboolean
get_bool (Val        *v,
          const char *field,
          gboolean    required,
          gboolean   *out,
          GError    **error)
{
  if (v->kind == V_ABSENT)
    return required ? _si_wire_field_error (error, field, "is missing") : TRUE;
  if (v->kind != V_BOOL)
    return _si_wire_field_error (error, field, "must be true or false");
  *out = v->i != 0;
  return TRUE;
}

static gboolean
get_time (Val        *v,
          const char *field,
          gboolean    required,
          gint64     *out,
          GError    **error)
{
  g_autofree char *text = NULL;

  if (!get_string (v, field, required, &text, error))
    return FALSE;
  return text == NULL || _si_wire_time_check (text, field, out, error);
}

/* ---------------------------------------------------------------------------------------- */
/* records */

/* What a record object's members hold, gathered before they are checked. */
typedef struct {
  Kind    kind;          /* V_OBJECT, or what stood there instead */
  Val     id, uid, version, created_at, updated_at, deleted, device;
  Val     title, body, pinned, name, colour, collection;
  /* tags: the whole numbers up to the first element that is not one (at most one more than
   * allowed), how many elements there are, and whether one is not a whole number */
  Kind    tags_kind;
  guint   n_tags;
  gboolean tags_bad;
  GArray *tag_ids;
  /* the first member an idea and a tag would not know (%SI_WIRE_MODE_REQUEST) */
  char   *unknown_idea;
  char   *unknown_tag;
} Slots;

static void
slots_clear (Slots *s)
{
  Val *vals[] = { &s->id, &s->uid, &s->version, &s->created_at, &s->updated_at, &s->deleted,
                  &s->device, &s->title, &s->body, &s->pinned, &s->name, &s->colour,
                  &s->collection };

  for (guint i = 0; i < G_N_ELEMENTS (vals); i++)
    val_clear (vals[i]);
  g_clear_pointer (&s->tag_ids, g_array_unref);
  g_clear_pointer (&s->unknown_idea, g_free);
  g_clear_pointer (&s->unknown_tag, g_free);
  memset (s, 0, sizeof *s);
}

static gboolean
read_tags (Reader *r,
           Slots  *s)
{
  gboolean first = TRUE;
  Val element = { 0 };

  s->tags_kind = V_ARRAY;
  s->n_tags = 0;
  s->tags_bad = FALSE;
  if (s->tag_ids == NULL)
    s->tag_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_set_size (s->tag_ids, 0);
  if (!enter (r))
    return FALSE;
  while (next_element (r, &first))
    {
      if (!read_value (r, &element))
        {
          val_clear (&element);
          return FALSE;
        }
      s->n_tags++;
      if (element.kind != V_INT)
        s->tags_bad = TRUE;
      else if (!s->tags_bad && s->tag_ids->len <= SI_TAGS_PER_IDEA_MAX)
        g_array_append_val (s->tag_ids, element.i);
      val_clear (&element);
    }
  return r->error == NULL;
}

/* Notes a member unknown to one or both collections (only the first of each counts). */
static void
note_unknown (Slots      *s,
              const char *name,
              gsize       length,
              gboolean    for_ideas,
              gboolean    for_tags)
{
  if (for_ideas && s->unknown_idea == NULL)
    s->unknown_idea = g_strndup (name, length);
  if (for_tags && s->unknown_tag == NULL)
    s->unknown_tag = g_strndup (name, length);
}

/* Reads the value at r->p as a record into @s (which must be clear). @with_collection: keep
 * its `collection` member (the records of /changes). A value that is not an object is only
 * noted in s->kind. */
static gboolean
read_record (Reader   *r,
             gboolean  with_collection,
             Slots    *s)
{
  gboolean first = TRUE;
  const char *name;
  gsize n;

  if (peek (r) != '{')
    {
      Val v = { 0 };
      gboolean ok = read_value (r, &v);

      s->kind = v.kind;
      val_clear (&v);
      return ok;
    }
  s->kind = V_OBJECT;
  if (!enter (r))
    return FALSE;
  while (next_member (r, &first, &name, &n))
    {
      Val *slot = NULL;
      gboolean ideas_only = FALSE, tags_only = FALSE;

      switch (n > 0 ? name[0] : '\0')
        {
        case 'i':
          if (name_is (name, n, "id"))
            slot = &s->id;
          break;
        case 'u':
          if (name_is (name, n, "uid"))
            slot = &s->uid;
          else if (name_is (name, n, "updated_at"))
            slot = &s->updated_at;
          break;
        case 'v':
          if (name_is (name, n, "version"))
            slot = &s->version;
          break;
        case 'c':
          if (name_is (name, n, "created_at"))
            slot = &s->created_at;
          else if (name_is (name, n, "colour"))
            slot = &s->colour, tags_only = TRUE;
          else if (with_collection && name_is (name, n, "collection"))
            slot = &s->collection;
          break;
        case 'd':
          if (name_is (name, n, "deleted"))
            slot = &s->deleted;
          else if (name_is (name, n, "device"))
            slot = &s->device;
          break;
        case 't':
          if (name_is (name, n, "title"))
            slot = &s->title, ideas_only = TRUE;
          else if (name_is (name, n, "tags"))
            {
              note_unknown (s, name, n, FALSE, TRUE);
              if (peek (r) == '[')
                {
                  if (!read_tags (r, s))
                    return FALSE;
                }
              else
                {
                  Val v = { 0 };
                  gboolean ok = read_value (r, &v);

                  s->tags_kind = v.kind;
                  val_clear (&v);
                  if (!ok)
                    return FALSE;
                }
              continue;
            }
          break;
        case 'b':
          if (name_is (name, n, "body"))
            slot = &s->body, ideas_only = TRUE;
          break;
        case 'p':
          if (name_is (name, n, "pinned"))
            slot = &s->pinned, ideas_only = TRUE;
          break;
        case 'n':
          if (name_is (name, n, "name"))
            slot = &s->name, tags_only = TRUE;
          break;
        default:
          break;
        }
      if (slot == NULL)
        {
          note_unknown (s, name, n, TRUE, TRUE);
          if (!read_value (r, NULL))
            return FALSE;
          continue;
        }
      if (ideas_only || tags_only)
        note_unknown (s, name, n, tags_only, ideas_only);
      if (!read_value (r, slot))
        return FALSE;
    }
  return r->error == NULL;
}

static gboolean
take_tags (Slots    *s,
           gboolean  required,
           GArray  **out,
           GError  **error)
{
  GArray *ids = s->tag_ids;
  guint kept = 0;

  if (s->tags_kind == V_ABSENT)
    return required ? _si_wire_field_error (error, "tags", "is missing") : TRUE;
  if (s->tags_kind != V_ARRAY)
    return _si_wire_field_error (error, "tags", "must be an array of tag ids");
  if (s->n_tags > SI_TAGS_PER_IDEA_MAX)
    return _si_wire_field_error (error, "tags", "holds %u tags; at most %d are allowed", s->n_tags,
                                 SI_TAGS_PER_IDEA_MAX);
  /* The ids read become the record's, their repeats dropped in place (the first kept). */
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      gboolean seen = FALSE;

      if (id <= 0)
        return _si_wire_field_error (error, "tags", "holds %" G_GINT64_FORMAT ", which is not a tag id", id);
      for (guint j = 0; j < kept && !seen; j++)
        seen = g_array_index (ids, gint64, j) == id;
      if (!seen)
        g_array_index (ids, gint64, kept++) = id;
    }
  if (s->tags_bad)
    return _si_wire_field_error (error, "tags", "must be an array of integer tag ids");
  g_clear_pointer (out, g_array_unref);
  if (ids == NULL)
    *out = g_array_new (FALSE, FALSE, sizeof (gint64));
  else
    {
      g_array_set_size (ids, kept);
      *out = g_steal_pointer (&s->tag_ids);
    }
  return TRUE;
}

/* si_wire_record_from_json() on what read_record() gathered. */
static SiWireRecord *
record_from_slots (Slots             *s,
                   SiWireCollection   collection,
                   SiWireMode         mode,
                   GError           **error)
{
  g_autoptr(SiWireRecord) record = NULL;
  gboolean request = mode == SI_WIRE_MODE_REQUEST;
  gboolean need_fields;

  if (s->kind != V_OBJECT)
    {
      g_set_error_literal (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
                           "A record must be a JSON object");
      return NULL;
    }
  if (request)
    {
      const char *unknown = collection == SI_WIRE_COLLECTION_IDEAS ? s->unknown_idea : s->unknown_tag;

      if (unknown != NULL)
        {
          _si_wire_field_error (error, unknown, "is unknown");
          return NULL;
        }
    }

  /* The fields are taken from the slots; only those left unset get si_wire_record_new()'s
   * empty values at the end (one allocation each fewer per record of a batch). */
  record = g_new0 (SiWireRecord, 1);
  record->collection = collection;
  if (!get_string (&s->uid, "uid", !request, &record->uid, error) ||
      !_si_wire_uid_check (&record->uid, error))
    return NULL;

  if (!request &&
      (!get_int (&s->id, "id", TRUE, 1, &record->id, NULL, error) ||
       !get_int (&s->version, "version", TRUE, 1, &record->version, NULL, error) ||
       !get_bool (&s->deleted, "deleted", TRUE, &record->deleted, error)))
    return NULL;

  if (!get_time (&s->created_at, "created_at", TRUE, &record->created_at, error) ||
      !get_time (&s->updated_at, "updated_at", TRUE, &record->updated_at, error))
    return NULL;

  /* `device`: a response's null means not known. */
  if ((request || s->device.kind != V_NULL) &&
      !get_string (&s->device, "device", FALSE, &record->device, error))
    return NULL;
  if (!_si_wire_device_check (record->device, error))
    return NULL;

  need_fields = !record->deleted;
  if (collection == SI_WIRE_COLLECTION_IDEAS)
    {
      if (!get_string (&s->title, "title", need_fields, &record->title, error) ||
          !get_string (&s->body, "body", need_fields, &record->body, error) ||
          !get_bool (&s->pinned, "pinned", need_fields, &record->pinned, error) ||
          !take_tags (s, need_fields, &record->tags, error))
        return NULL;
    }
  else
    {
      if (!get_string (&s->name, "name", need_fields, &record->name, error) ||
          !get_string (&s->colour, "colour", need_fields, &record->colour, error))
        return NULL;
    }

  if (collection == SI_WIRE_COLLECTION_IDEAS)
    {
      if (record->title == NULL)
        record->title = g_strdup ("");
      if (record->body == NULL)
        record->body = g_strdup ("");
      if (record->tags == NULL)
        record->tags = g_array_new (FALSE, FALSE, sizeof (gint64));
    }
  else
    {
      if (record->name == NULL)
        record->name = g_strdup ("");
      if (record->colour == NULL)
        record->colour = g_strdup ("");
    }

  if (need_fields && !_si_wire_record_validate (record, request, error))
    return NULL;
  return g_steal_pointer (&record);
}

/* ---------------------------------------------------------------------------------------- */
/* documents */

/* g_utf8_validate() on @data (which holds no NUL), inline and a word at a time over ASCII: a
 * body of notes holds a non-ASCII character every few words, too often to hand each one to
 * GLib. Well-formed UTF-8 as RFC 3629 and Unicode's table 3-7 say, which is what GLib
 * accepts: no overlong forms, no surrogates, nothing above U+10FFFF, no sequence cut short. */
static gboolean
utf8_is_valid (const char *data,
               gsize       length)
{
  const guchar *p = (const guchar *) data;
  const guchar *end = p + length;

  while (p < end)
    {
      guint64 word;
      guchar c = *p, low = 0x80, high = 0xbf;
      gsize more;

      if (end - p >= 8)
        {
          memcpy (&word, p, sizeof word);
          if ((word & G_GUINT64_CONSTANT (0x8080808080808080)) == 0)
            {
              p += 8;
              continue;
            }
        }
      if (c < 0x80)
        {
          p++;
          continue;
        }
      if (c < 0xc2)
        return FALSE;
      else if (c < 0xe0)
        more = 1;
      else if (c < 0xf0)
        {
          more = 2;
          if (c == 0xe0)
            low = 0xa0;   /* overlong */
          else if (c == 0xed)
            high = 0x9f;  /* surrogates */
        }
      else if (c < 0xf5)
        {
          more = 3;
          if (c == 0xf0)
            low = 0x90;   /* overlong */
          else if (c == 0xf4)
            high = 0x8f;  /* above U+10FFFF */
        }
      else
        return FALSE;
      if ((gsize) (end - p) <= more || p[1] < low || p[1] > high)
        return FALSE;
      for (gsize k = 2; k <= more; k++)
        if ((p[k] & 0xc0) != 0x80)
          return FALSE;
      p += more + 1;
    }
  return TRUE;
}

/* Checks what si_wire_parse() checks before json-glib, and opens the top-level object. */
static gboolean
begin_document (Reader     *r,
                const char *data,
                gsize       length)
{
  if (length == 0)
    {
      g_set_error_literal (&r->error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "The body is empty; a JSON object was expected");
      return FALSE;
    }
  if (length > SI_WIRE_MAX_BYTES)
    {
      g_set_error (&r->error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                   "The body is not accepted: it is larger than %" G_GSIZE_FORMAT " bytes",
                   (gsize) SI_WIRE_MAX_BYTES);
      return FALSE;
    }
  if (memchr (data, '\0', length) != NULL)
    {
      g_set_error (&r->error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                   "The body is not accepted: it contains a NUL byte (at byte %" G_GSIZE_FORMAT ")",
                   (gsize) ((const char *) memchr (data, '\0', length) - data));
      return FALSE;
    }
  if (!utf8_is_valid (data, length))
    {
      g_set_error_literal (&r->error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                           "The body is not valid UTF-8");
      return FALSE;
    }
  if (peek (r) != '{')
    {
      /* Whether it is JSON at all decides the message, as in si_wire_parse(). */
      if (read_value (r, NULL) && peek (r) == '\0')
        g_set_error_literal (&r->error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON,
                             "The body must be a JSON object");
      else
        syntax_error (r, "trailing text after the value");
      return FALSE;
    }
  return enter (r);
}

/* After the top-level object: only white space. */
static gboolean
end_document (Reader *r)
{
  if (r->error != NULL)
    return FALSE;
  if (peek (r) != '\0')
    return syntax_error (r, "text after the top-level object");
  return TRUE;
}

/* Sets @error from the reading: the text's error first, then @field_error. */
static gboolean
finish (Reader  *r,
        GError **field_error,
        GError **error)
{
  if (!end_document (r))
    {
      g_propagate_error (error, g_steal_pointer (&r->error));
      return FALSE;
    }
  if (field_error != NULL && *field_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (field_error));
      return FALSE;
    }
  return TRUE;
}

SiWireRecord *
si_wire_read_record (const char        *data,
                     gsize              length,
                     SiWireCollection   collection,
                     SiWireMode         mode,
                     GError           **error)
{
  Reader r;
  Slots s = { 0 };
  g_autoptr(GError) field_error = NULL;
  g_autoptr(SiWireRecord) record = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  reader_init (&r, data, length);
  if (begin_document (&r, data, length))
    {
      /* The document is the record: step back onto its brace. */
      r.p--;
      r.depth--;
      if (read_record (&r, FALSE, &s))
        record = record_from_slots (&s, collection, mode, &field_error);
    }
  slots_clear (&s);
  if (!finish (&r, &field_error, error))
    g_clear_pointer (&record, si_wire_record_free);
  reader_clear (&r);
  return g_steal_pointer (&record);
}

static SiWirePage *
read_page (const char        *data,
           gsize              length,
           SiWireCollection   collection,
           GError           **error)
{
  Reader r;
  g_autoptr(SiWirePage) page = si_wire_page_new ();
  g_autoptr(GError) field_error = NULL;
  g_autoptr(GError) records_error = NULL;
  Val cursor = { 0 }, more = { 0 }, remaining = { 0 };
  Kind records_kind = V_ABSENT;
  gboolean first = TRUE;
  const char *name;
  gsize n;

  reader_init (&r, data, length);
  if (!begin_document (&r, data, length))
    goto out;
  while (next_member (&r, &first, &name, &n))
    {
      gboolean el_first = TRUE;
      guint index = 0;

      if (name_is (name, n, "cursor"))
        read_value (&r, &cursor);
      else if (name_is (name, n, "more"))
        read_value (&r, &more);
      else if (name_is (name, n, "remaining"))
        read_value (&r, &remaining);
      else if (!name_is (name, n, "records"))
        read_value (&r, NULL);
      else if (peek (&r) != '[')
        {
          Val v = { 0 };

          read_value (&r, &v);
          records_kind = v.kind;
          val_clear (&v);
        }
      else if (enter (&r))
        {
          /* The last `records` counts. */
          records_kind = V_ARRAY;
          g_ptr_array_set_size (page->records, 0);
          g_clear_error (&records_error);
          for (; next_element (&r, &el_first); index++)
            {
              Slots s = { 0 };
              SiWireCollection record_collection = collection;
              SiWireRecord *record;

              if (records_error != NULL)
                {
                  read_value (&r, NULL);
                  continue;
                }
              if (!read_record (&r, collection == 0, &s))
                {
                  slots_clear (&s);
                  break;
                }
              if (collection == 0)
                {
                  g_autofree char *cname = NULL;

                  if (s.kind != V_OBJECT)
                    _si_wire_field_error (&records_error, "records", "must hold JSON objects");
                  else if (get_string (&s.collection, "collection", TRUE, &cname, &records_error) &&
                           !si_wire_collection_from_string (cname, &record_collection))
                    _si_wire_field_error (&records_error, "collection", "must be \"ideas\" or \"tags\"");
                }
              if (records_error == NULL)
                {
                  record = record_from_slots (&s, record_collection, SI_WIRE_MODE_RESPONSE, &records_error);
                  if (record != NULL)
                    g_ptr_array_add (page->records, record);
                }
              slots_clear (&s);
            }
        }
      if (r.error != NULL)
        break;
    }
  if (r.error != NULL)
    goto out;

  if (!get_int (&cursor, "cursor", TRUE, 0, &page->cursor, NULL, &field_error) ||
      !get_bool (&more, "more", TRUE, &page->more, &field_error) ||
      !get_int (&remaining, "remaining", FALSE, 0, &page->remaining, NULL, &field_error))
    goto out;
  if (!page->more)
    page->remaining = 0;
  if (records_kind != V_ARRAY)
    _si_wire_field_error (&field_error, "records", "must be an array");
  else if (records_error != NULL)
    field_error = g_steal_pointer (&records_error);

out:
  val_clear (&cursor);
  val_clear (&more);
  val_clear (&remaining);
  if (!finish (&r, &field_error, error))
    g_clear_pointer (&page, si_wire_page_free);
  reader_clear (&r);
  return g_steal_pointer (&page);
}

SiWirePage *
si_wire_read_page (const char        *data,
                   gsize              length,
                   SiWireCollection   collection,
                   GError           **error)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (collection == SI_WIRE_COLLECTION_TAGS ||
                        collection == SI_WIRE_COLLECTION_IDEAS, NULL);

  return read_page (data, length, collection, error);
}

SiWirePage *
si_wire_read_changes (const char  *data,
                      gsize        length,
                      GError     **error)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  return read_page (data, length, 0, error);
}

/* ---------------------------------------------------------------------------------------- */
/* batch responses */

/* One element of `changes` as read; checked once all are there. */
typedef struct {
  gboolean pair;      /* an array of two elements */
  gboolean numbers;   /* both whole numbers from 1 */
  gint64   from, to;
} RangeSlot;

static gboolean
read_range (Reader    *r,
            RangeSlot *slot)
{
  gboolean first = TRUE;
  guint n = 0;
  Val v = { 0 };

  memset (slot, 0, sizeof *slot);
  slot->numbers = TRUE;
  if (peek (r) != '[')
    return read_value (r, NULL);
  if (!enter (r))
    return FALSE;
  while (next_element (r, &first))
    {
      if (!read_value (r, &v))
        break;
      if (v.kind != V_INT || v.i < 1)
        slot->numbers = FALSE;
      else if (n == 0)
        slot->from = v.i;
      else if (n == 1)
        slot->to = v.i;
      n++;
    }
  val_clear (&v);
  slot->pair = n == 2;
  return r->error == NULL;
}

/* si_wire_batch_response_changes_from_json() on what was read. */
static GArray *
ranges_check (GArray   *slots,
              guint     n,
              guint     max_ranges,
              GError  **error)
{
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (SiWireChangeRange));

  if (n > max_ranges)
    {
      _si_wire_field_error (error, "changes", "holds %u ranges; at most %u are possible", n, max_ranges);
      return NULL;
    }
  for (guint i = 0; i < slots->len; i++)
    {
      RangeSlot *slot = &g_array_index (slots, RangeSlot, i);
      SiWireChangeRange range;

      if (!slot->pair)
        {
          _si_wire_field_error (error, "changes", "element %u must be an array of two numbers", i);
          return NULL;
        }
      if (!slot->numbers)
        {
          _si_wire_field_error (error, "changes", "element %u must hold whole numbers from 1", i);
          return NULL;
        }
      if (slot->from > slot->to)
        {
          _si_wire_field_error (error, "changes", "element %u ends before it starts", i);
          return NULL;
        }
      if (ranges->len > 0 && slot->from <= g_array_index (ranges, SiWireChangeRange, ranges->len - 1).to)
        {
          _si_wire_field_error (error, "changes", "element %u does not follow the one before", i);
          return NULL;
        }
      range.from = slot->from;
      range.to = slot->to;
      g_array_append_val (ranges, range);
    }
  return g_steal_pointer (&ranges);
}

/* One result object at r->p, of an operation on @collection (0: not known, only checked as
 * JSON); the result or *@result_error. */
static SiWireBatchResult *
read_result (Reader            *r,
             guint              index,
             SiWireCollection   collection,
             GPtrArray         *sent,
             GError           **result_error)
{
  Val status = { 0 }, err = { 0 }, message = { 0 }, id = { 0 }, version = { 0 };
  Slots record = { 0 }, current = { 0 };
  gboolean has_record = FALSE, has_current = FALSE;
  g_autoptr(SiWireRecord) decoded = NULL;
  g_autoptr(SiWireProblem) problem = NULL;
  SiWireBatchResult *result = NULL;
  gboolean first = TRUE;
  const char *name;
  gsize n;
  gint64 code = 0;

  if (peek (r) != '{')
    {
      if (read_value (r, NULL) && collection != 0)
        g_set_error (result_error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
                     "Result %u must be a JSON object", index);
      return NULL;
    }
  if (!enter (r))
    return NULL;
  while (next_member (r, &first, &name, &n))
    {
      if (name_is (name, n, "status"))
        read_value (r, &status);
      else if (name_is (name, n, "error"))
        read_value (r, &err);
      else if (name_is (name, n, "message"))
        read_value (r, &message);
      else if (name_is (name, n, "id"))
        read_value (r, &id);
      else if (name_is (name, n, "version"))
        read_value (r, &version);
      else if (name_is (name, n, "record"))
        {
          slots_clear (&record);
          has_record = TRUE;
          read_record (r, FALSE, &record);
        }
      else if (name_is (name, n, "current"))
        {
          slots_clear (&current);
          has_current = TRUE;
          read_record (r, FALSE, &current);
        }
      else
        read_value (r, NULL);
      if (r->error != NULL)
        break;
    }
  if (r->error != NULL || collection == 0)
    goto out;

  if (!get_int (&status, "status", TRUE, 100, &code, NULL, result_error))
    goto out;
  if (code > 599)
    {
      _si_wire_field_error (result_error, "status", "must be at most 599");
      goto out;
    }
  if (has_record &&
      (decoded = record_from_slots (&record, collection, SI_WIRE_MODE_RESPONSE, result_error)) == NULL)
    goto out;
  if (!has_record && (id.kind != V_ABSENT || version.kind != V_ABSENT))
    {
      /* A slim result: the record is the one sent, with what the server set. */
      gint64 record_id = 0, record_version = 0;

      if (!_si_wire_batch_slim_allowed (index, code, collection, sent, result_error) ||
          !get_int (&id, "id", TRUE, 1, &record_id, NULL, result_error) ||
          !get_int (&version, "version", TRUE, 1, &record_version, NULL, result_error))
        goto out;
      decoded = _si_wire_batch_slim_take (sent, index, record_id, record_version);
    }
  if (err.kind != V_ABSENT)
    {
      problem = g_new0 (SiWireProblem, 1);
      if (!get_string (&err, "error", TRUE, &problem->error, result_error) ||
          !get_string (&message, "message", FALSE, &problem->message, result_error))
        goto out;
      if (problem->message == NULL)
        problem->message = g_strdup ("");
      if (has_current && current.kind != V_NULL &&
          (problem->current = record_from_slots (&current, collection, SI_WIRE_MODE_RESPONSE,
                                                 result_error)) == NULL)
        goto out;
    }
  result = si_wire_batch_result_new ((guint) code, g_steal_pointer (&decoded), g_steal_pointer (&problem));

out:
  val_clear (&status);
  val_clear (&err);
  val_clear (&message);
  val_clear (&id);
  val_clear (&version);
  slots_clear (&record);
  slots_clear (&current);
  return result;
}

GPtrArray *
si_wire_read_batch_response (const char  *data,
                             gsize        length,
                             GArray      *collections,
                             GArray     **out_changes,
                             GError     **error)
{
  return si_wire_read_batch_response_sent (data, length, collections, NULL, out_changes, error);
}

GPtrArray *
si_wire_read_batch_response_sent (const char  *data,
                                  gsize        length,
                                  GArray      *collections,
                                  GPtrArray   *sent,
                                  GArray     **out_changes,
                                  GError     **error)
{
  Reader r;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) results_error = NULL;
  g_autoptr(GError) field_error = NULL;
  g_autoptr(GArray) range_slots = g_array_new (FALSE, FALSE, sizeof (RangeSlot));
  g_autoptr(GArray) changes = NULL;
  Kind results_kind = V_ABSENT, changes_kind = V_ABSENT;
  guint n_results = 0, n_changes = 0;
  gboolean first = TRUE;
  const char *name;
  gsize n;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (collections != NULL, NULL);

  results = g_ptr_array_new_full (collections->len, (GDestroyNotify) si_wire_batch_result_free);
  reader_init (&r, data, length);
  if (!begin_document (&r, data, length))
    goto out;
  while (next_member (&r, &first, &name, &n))
    {
      gboolean el_first = TRUE;

      if (name_is (name, n, "results") && peek (&r) == '[')
        {
          if (!enter (&r))
            break;
          results_kind = V_ARRAY;
          n_results = 0;
          g_ptr_array_set_size (results, 0);
          g_clear_error (&results_error);
          for (; next_element (&r, &el_first); n_results++)
            {
              SiWireCollection collection = 0;
              SiWireBatchResult *result;

              if (results_error == NULL && n_results < collections->len)
                collection = (SiWireCollection) g_array_index (collections, int, n_results);
              result = read_result (&r, n_results, collection, sent, &results_error);
              if (result != NULL)
                g_ptr_array_add (results, result);
            }
        }
      else if (name_is (name, n, "results"))
        {
          Val v = { 0 };

          read_value (&r, &v);
          results_kind = v.kind;
          val_clear (&v);
        }
      else if (name_is (name, n, "changes") && out_changes != NULL && peek (&r) == '[')
        {
          RangeSlot slot;

          if (!enter (&r))
            break;
          changes_kind = V_ARRAY;
          n_changes = 0;
          g_array_set_size (range_slots, 0);
          for (; next_element (&r, &el_first); n_changes++)
            {
              if (!read_range (&r, &slot))
                break;
              /* More than there can be is an error whatever they hold. */
              if (range_slots->len <= collections->len)
                g_array_append_val (range_slots, slot);
            }
        }
      else if (name_is (name, n, "changes") && out_changes != NULL)
        {
          Val v = { 0 };

          read_value (&r, &v);
          changes_kind = v.kind;
          val_clear (&v);
        }
      else
        read_value (&r, NULL);
      if (r.error != NULL)
        break;
    }
  if (r.error != NULL)
    goto out;

  if (results_kind != V_ARRAY)
    _si_wire_field_error (&field_error, "results", "must be an array");
  else if (n_results != collections->len)
    _si_wire_field_error (&field_error, "results", "holds %u results for %u operations", n_results,
                          collections->len);
  else if (results_error != NULL)
    field_error = g_steal_pointer (&results_error);
  else if (out_changes != NULL && changes_kind == V_ABSENT)
    changes = g_array_new (FALSE, FALSE, sizeof (SiWireChangeRange));
  else if (out_changes != NULL && changes_kind != V_ARRAY)
    _si_wire_field_error (&field_error, "changes", "must be an array");
  else if (out_changes != NULL)
    changes = ranges_check (range_slots, n_changes, results->len, &field_error);

out:
  if (!finish (&r, &field_error, error))
    {
      g_clear_pointer (&results, g_ptr_array_unref);
      g_clear_pointer (&changes, g_array_unref);
    }
  reader_clear (&r);
  if (out_changes != NULL)
    *out_changes = g_steal_pointer (&changes);
  return g_steal_pointer (&results);
}

/* ---------------------------------------------------------------------------------------- */
/* batch requests */

/* One operation object at r->p; NULL with *@op_error when it is not valid (a 400 for the
 * whole batch), or NULL alone after a text error. */
static SiWireBatchOp *
read_op (Reader  *r,
         guint    index,
         GError **op_error)
{
  g_autoptr(SiWireBatchOp) op = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *method = NULL;
  g_autofree char *collection = NULL;
  g_autofree char *unknown = NULL;
  Val vmethod = { 0 }, vcollection = { 0 }, vid = { 0 }, vif_match = { 0 };
  Slots record = { 0 };
  gboolean has_record = FALSE, has_id = FALSE, has_if_match = FALSE;
  gboolean first = TRUE;
  const char *name;
  gsize n;

  if (peek (r) != '{')
    {
      if (read_value (r, NULL))
        g_set_error (op_error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
                     "Operation %u must be a JSON object", index);
      return NULL;
    }
  if (!enter (r))
    return NULL;
  while (next_member (r, &first, &name, &n))
    {
      if (name_is (name, n, "method"))
        read_value (r, &vmethod);
      else if (name_is (name, n, "collection"))
        read_value (r, &vcollection);
      else if (name_is (name, n, "id"))
        read_value (r, &vid);
      else if (name_is (name, n, "if_match"))
        read_value (r, &vif_match);
      else if (name_is (name, n, "record"))
        {
          slots_clear (&record);
          has_record = TRUE;
          read_record (r, FALSE, &record);
        }
      else
        {
          if (unknown == NULL)
            unknown = g_strndup (name, n);
          read_value (r, NULL);
        }
      if (r->error != NULL)
        break;
    }
  if (r->error != NULL)
    goto out;

  op = g_new0 (SiWireBatchOp, 1);
  op->if_match = -1;
  if (unknown != NULL)
    {
      _si_wire_field_error (&local_error, unknown, "is unknown");
      goto fail;
    }
  if (!get_string (&vmethod, "method", TRUE, &method, &local_error) ||
      !get_string (&vcollection, "collection", TRUE, &collection, &local_error) ||
      !get_int (&vid, "id", FALSE, 1, &op->id, &has_id, &local_error) ||
      !get_int (&vif_match, "if_match", FALSE, 0, &op->if_match, &has_if_match, &local_error))
    goto fail;

  if (!_si_wire_batch_op_check (op, method, collection, has_id, has_if_match, has_record,
                                record.kind == V_OBJECT, &local_error))
    goto fail;
  if (op->method != SI_WIRE_METHOD_DELETE)
    op->decoded = record_from_slots (&record, op->collection, SI_WIRE_MODE_REQUEST, &op->record_error);
  goto out;

fail:
  g_set_error (op_error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
               "Operation %u: %s", index, local_error->message);
  g_clear_pointer (&op, si_wire_batch_op_free);

out:
  val_clear (&vmethod);
  val_clear (&vcollection);
  val_clear (&vid);
  val_clear (&vif_match);
  slots_clear (&record);
  return g_steal_pointer (&op);
}

GPtrArray *
si_wire_read_batch_request (const char  *data,
                            gsize        length,
                            guint        max_ops,
                            gboolean    *out_too_many,
                            GError     **error)
{
  Reader r;
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_batch_op_free);
  g_autoptr(GError) ops_error = NULL;
  g_autoptr(GError) field_error = NULL;
  g_autofree char *unknown = NULL;
  Kind ops_kind = V_ABSENT;
  guint n_ops = 0;
  gboolean too_many = FALSE;
  gboolean first = TRUE;
  const char *name;
  gsize n;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (out_too_many)
    *out_too_many = FALSE;
  reader_init (&r, data, length);
  if (!begin_document (&r, data, length))
    goto out;
  while (next_member (&r, &first, &name, &n))
    {
      gboolean el_first = TRUE;

      if (name_is (name, n, "operations") && peek (&r) == '[')
        {
          if (!enter (&r))
            break;
          ops_kind = V_ARRAY;
          n_ops = 0;
          g_ptr_array_set_size (ops, 0);
          g_clear_error (&ops_error);
          for (; next_element (&r, &el_first); n_ops++)
            {
              SiWireBatchOp *op;

              /* Past an error or the most there may be, only the text is checked. */
              if (ops_error != NULL || n_ops >= max_ops)
                {
                  read_value (&r, NULL);
                  continue;
                }
              op = read_op (&r, n_ops, &ops_error);
              if (op != NULL)
                g_ptr_array_add (ops, op);
            }
        }
      else if (name_is (name, n, "operations"))
        {
          Val v = { 0 };

          read_value (&r, &v);
          ops_kind = v.kind;
          val_clear (&v);
        }
      else
        {
          if (unknown == NULL)
            unknown = g_strndup (name, n);
          read_value (&r, NULL);
        }
      if (r.error != NULL)
        break;
    }
  if (r.error != NULL)
    goto out;

  if (unknown != NULL)
    _si_wire_field_error (&field_error, unknown, "is unknown");
  else if (ops_kind == V_ABSENT)
    _si_wire_field_error (&field_error, "operations", "is missing");
  else if (ops_kind != V_ARRAY)
    _si_wire_field_error (&field_error, "operations", "must be an array");
  else if (n_ops > max_ops)
    {
      too_many = TRUE;
      _si_wire_field_error (&field_error, "operations", "holds %u operations; at most %u are allowed",
                            n_ops, max_ops);
    }
  else if (ops_error != NULL)
    field_error = g_steal_pointer (&ops_error);

out:
  if (!finish (&r, &field_error, error))
    {
      g_clear_pointer (&ops, g_ptr_array_unref);
      if (out_too_many)
        *out_too_many = too_many;
    }
  reader_clear (&r);
  return g_steal_pointer (&ops);
}
