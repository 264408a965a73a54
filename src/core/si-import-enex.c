/* si-import-enex.c — Evernote's export, an ENEX file.
 *
 * The shape, from Evernote's DTD (evernote-export4.dtd) and exports of Evernote 10:
 *
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <!DOCTYPE en-export SYSTEM "http://xml.evernote.com/pub/evernote-export4.dtd">
 *   <en-export export-date="20240131T120000Z" application="Evernote" version="10.0">
 *     <note>
 *       <title>…</title>
 *       <created>20240131T120000Z</created> <updated>…</updated>
 *       <tag>…</tag> …
 *       <note-attributes>…</note-attributes>
 *       <content><![CDATA[<?xml …?><!DOCTYPE en-note …><en-note>ENML</en-note>]]></content>
 *       <resource><data encoding="base64">…</data><mime>image/png</mime>
 *         <resource-attributes><file-name>…</file-name></resource-attributes></resource>
 *     </note> …
 *   </en-export>
 *
 * Read with GMarkup: the DOCTYPE is skipped and never fetched, entities are XML's five and
 * numeric ones only (no DTD, no external entities, no expansion). The content is ENML, turned
 * into Markdown by si-import-enml.c. Resources (attachments, images) are not imported: each is
 * listed in the report. An export has no ids of its notes: a note's uid is derived from its
 * creation time and title, so that importing a later export of the same notebook updates it.
 */
#define G_LOG_DOMAIN "saveidea-import"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "si-import.h"
#include "si-import-private.h"

#define ENEX_MAX_BYTES JSON_MAX_BYTES
/* A note's ENML: Evernote allows notes of 200 MB with their attachments; the text is far less. */
#define ENEX_CONTENT_MAX_BYTES ((gsize) 32 * 1024 * 1024)
#define ENEX_FIELD_MAX_BYTES ((gsize) 64 * 1024)
#define ENEX_MAX_DEPTH 32

typedef enum {
  FIELD_NONE,
  FIELD_TITLE,
  FIELD_CONTENT,
  FIELD_CREATED,
  FIELD_UPDATED,
  FIELD_TAG,
  FIELD_MIME,
  FIELD_FILE_NAME,
} Field;

typedef struct {
  Batch       *batch;
  const char  *source;
  gint64       mtime;
  GHashTable  *ids;        /* the ids the uids were made from, to tell equal ones apart */
  GCancellable *cancellable;
  GError      *error;      /* an error of ours (or cancellation), passed on as it is */
  guint        depth;
  guint        n_notes;
  Field        field;
  GString     *text;
  /* The note being read */
  gboolean     in_note;
  char        *title;
  char        *content;
  char        *created;
  char        *updated;
  GPtrArray   *tags;
  GPtrArray   *resources;  /* char *: their file names, or types */
  char        *mime;
  char        *file_name;
} Enex;

static void
note_clear (Enex *x)
{
  x->in_note = FALSE;
  g_clear_pointer (&x->title, g_free);
  g_clear_pointer (&x->content, g_free);
  g_clear_pointer (&x->created, g_free);
  g_clear_pointer (&x->updated, g_free);
  g_clear_pointer (&x->mime, g_free);
  g_clear_pointer (&x->file_name, g_free);
  g_ptr_array_set_size (x->tags, 0);
  g_ptr_array_set_size (x->resources, 0);
}

gboolean
_si_import_enex_probe_file (const Probe *probe)
{
  return strstr (probe->head, "<en-export") != NULL;
}

static const char *
parent_element (GMarkupParseContext *context)
{
  const GSList *stack = g_markup_parse_context_get_element_stack (context);

  return stack != NULL && stack->next != NULL ? stack->next->data : "";
}

static void
on_start (GMarkupParseContext  *context,
          const char           *element,
          const char          **names,
          const char          **values,
          gpointer              user_data,
          GError              **error)
{
  Enex *x = user_data;
  const char *parent = parent_element (context);

  if (++x->depth > ENEX_MAX_DEPTH)
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                   /* Translators: %d is a number of elements. */
                   _("the file is nested more than %d elements deep"), ENEX_MAX_DEPTH);
      return;
    }
  if (x->depth == 1)
    {
      if (!g_str_equal (element, "en-export"))
        g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                     /* Translators: “en-export” is the name of an element; keep it. */
                     _("the file does not start with <en-export>"));
      return;
    }
  x->field = FIELD_NONE;
  if (g_str_equal (element, "note") && g_str_equal (parent, "en-export"))
    {
      note_clear (x);
      x->in_note = TRUE;
      x->n_notes++;
    }
  else if (x->in_note && g_str_equal (parent, "note"))
    {
      if (g_str_equal (element, "title"))
        x->field = FIELD_TITLE;
      else if (g_str_equal (element, "content"))
        x->field = FIELD_CONTENT;
      else if (g_str_equal (element, "created"))
        x->field = FIELD_CREATED;
      else if (g_str_equal (element, "updated"))
        x->field = FIELD_UPDATED;
      else if (g_str_equal (element, "tag"))
        x->field = FIELD_TAG;
      else if (g_str_equal (element, "resource"))
        {
          g_clear_pointer (&x->mime, g_free);
          g_clear_pointer (&x->file_name, g_free);
        }
    }
  else if (x->in_note && g_str_equal (parent, "resource") && g_str_equal (element, "mime"))
    x->field = FIELD_MIME;
  else if (x->in_note && g_str_equal (parent, "resource-attributes") && g_str_equal (element, "file-name"))
    x->field = FIELD_FILE_NAME;
  g_string_truncate (x->text, 0);
}

static void
on_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 length,
         gpointer              user_data,
         GError              **error)
{
  Enex *x = user_data;
  gsize max = x->field == FIELD_CONTENT ? ENEX_CONTENT_MAX_BYTES : ENEX_FIELD_MAX_BYTES;

  if (x->field == FIELD_NONE)
    return;
  if (x->text->len + length > max)
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                   /* Translators: %u counts the notes of the file from 1. */
                   _("note %u is too long"), x->n_notes);
      return;
    }
  g_string_append_len (x->text, text, length);
}

static gboolean
parse_time (Enex        *x,
            const char  *text,
            gint64      *usec,
            GError     **error)
{
  *usec = 0;
  if (text == NULL || *text == '\0')
    return TRUE;
  if (si_import_parse_time (text, usec) && *usec > 0)
    return TRUE;
  g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
               /* Translators: %u counts the notes from 1; then the text that should be a time. */
               _("note %u: “%.40s” is not a date and time"), x->n_notes, text);
  return FALSE;
}

/* A note is read: it becomes a record. */
static gboolean
end_note (Enex    *x,
          GError **error)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *markdown = NULL;
  g_autofree char *id = NULL;
  Record *record;
  gint64 created, updated;
  const char *title;

  if (x->content != NULL)
    markdown = _si_import_enml_to_markdown (x->content, strlen (x->content), media, &local_error);
  else
    markdown = g_strdup ("");
  if (markdown == NULL)
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                   /* Translators: %u counts the notes from 1, %s is its title; then what is wrong
                    * with its text. */
                   _("note %u (“%.80s”): the text is not valid ENML: %s"), x->n_notes,
                   x->title ? g_strstrip (x->title) : "", local_error->message);
      return FALSE;
    }
  if (!parse_time (x, x->created, &created, error) || !parse_time (x, x->updated, &updated, error))
    return FALSE;
  if (created == 0)
    created = updated ? updated : x->mtime;
  if (updated == 0)
    updated = created;

  record = _si_import_record_new (x->source);
  record->index = x->n_notes;
  g_free (record->body);
  record->body = g_steal_pointer (&markdown);
  title = x->title ? g_strstrip (x->title) : "";
  g_free (record->title);
  record->title = *title ? g_strdup (title) : _si_import_title_from_body (record->body);
  record->created_at = created;
  record->updated_at = MAX (updated, created);
  for (guint i = 0; i < x->tags->len; i++)
    _si_import_record_add_tag (record, g_ptr_array_index (x->tags, i));

  /* The same creation time and title twice in one export: told apart by their order. */
  id = g_strdup_printf ("%s\n%s", x->created ? x->created : "", title);
  for (guint n = 2; g_hash_table_contains (x->ids, id); n++)
    {
      g_free (id);
      id = g_strdup_printf ("%s\n%s\n%u", x->created ? x->created : "", title, n);
    }
  g_hash_table_add (x->ids, g_strdup (id));
  record->uid = _si_import_uid_from_id ("evernote", id);

  for (guint i = 0; i < x->resources->len; i++)
    _si_import_batch_add_attachment (x->batch, record->title, g_ptr_array_index (x->resources, i));
  for (guint i = 0; i < media->len; i++)
    _si_import_batch_add_attachment (x->batch, record->title, g_ptr_array_index (media, i));

  if (!_si_import_batch_add_record (x->batch, record, error))
    return FALSE;
  note_clear (x);
  return TRUE;
}

static void
on_end (GMarkupParseContext  *context,
        const char           *element,
        gpointer              user_data,
        GError              **error)
{
  Enex *x = user_data;
  char **slot = NULL;

  x->depth--;
  switch (x->field)
    {
    case FIELD_TITLE: slot = &x->title; break;
    case FIELD_CONTENT: slot = &x->content; break;
    case FIELD_CREATED: slot = &x->created; break;
    case FIELD_UPDATED: slot = &x->updated; break;
    case FIELD_MIME: slot = &x->mime; break;
    case FIELD_FILE_NAME: slot = &x->file_name; break;
    case FIELD_TAG:
      g_ptr_array_add (x->tags, g_strdup (x->text->str));
      break;
    case FIELD_NONE:
    default:
      break;
    }
  if (slot != NULL)
    {
      g_free (*slot);
      *slot = g_strdup (g_strstrip (x->text->str));
    }
  x->field = FIELD_NONE;
  g_string_truncate (x->text, 0);

  if (!x->in_note)
    return;
  if (g_str_equal (element, "resource"))
    {
      const char *name = x->file_name && *x->file_name ? x->file_name : NULL;

      g_ptr_array_add (x->resources, name ? g_strdup (name)
                                          /* Translators: an attachment without a name, by its type (image/png). */
                                          : g_strdup_printf (_("an attachment (%s)"), x->mime ? x->mime : "?"));
      g_clear_pointer (&x->mime, g_free);
      g_clear_pointer (&x->file_name, g_free);
    }
  else if (g_str_equal (element, "note"))
    {
      g_autoptr(GError) local_error = NULL;

      if (g_cancellable_set_error_if_cancelled (x->cancellable, &x->error))
        g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "");
      else if (!end_note (x, &local_error))
        {
          /* A message of ours (not GMarkup's) goes through as it is, without GMarkup's position. */
          if (local_error->domain == SI_IMPORT_ERROR)
            {
              x->error = g_steal_pointer (&local_error);
              g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "");
            }
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
        }
    }
}

gboolean
_si_import_enex_read (Batch         *batch,
                      GFile         *file,
                      GCancellable  *cancellable,
                      GError       **error)
{
  static const GMarkupParser parser = { on_start, on_end, on_text, NULL, NULL };
  const char *source = _si_import_batch_add_source (batch, file);
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;
  gboolean ok;
  Enex x = { 0 };

  if (!_si_import_load_file (file, source, ENEX_MAX_BYTES, &data, &length, cancellable, error) ||
      !_si_import_check_utf8 (source, data, length, error))
    return FALSE;
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_TIME_MODIFIED "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                            G_FILE_QUERY_INFO_NONE, cancellable, NULL);

  x.batch = batch;
  x.source = source;
  x.cancellable = cancellable;
  x.mtime = _si_import_file_mtime (info);
  x.ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  x.text = g_string_new (NULL);
  x.tags = g_ptr_array_new_with_free_func (g_free);
  x.resources = g_ptr_array_new_with_free_func (g_free);
  context = g_markup_parse_context_new (&parser, G_MARKUP_PREFIX_ERROR_POSITION | G_MARKUP_TREAT_CDATA_AS_TEXT, &x, NULL);
  ok = g_markup_parse_context_parse (context, data, (gssize) length, &local_error) &&
       g_markup_parse_context_end_parse (context, &local_error);
  if (ok && x.depth == 0 && x.n_notes == 0 && !g_cancellable_is_cancelled (cancellable))
    ok = _si_import_invalid (&local_error, source, 0, _("the Evernote export has no notes."));
  note_clear (&x);
  g_hash_table_unref (x.ids);
  g_string_free (x.text, TRUE);
  g_ptr_array_unref (x.tags);
  g_ptr_array_unref (x.resources);
  if (ok)
    return TRUE;
  if (x.error != NULL)
    {
      g_propagate_error (error, x.error);
      return FALSE;
    }
  if (local_error->domain == SI_IMPORT_ERROR)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    /* Translators: what is wrong with the Evernote export follows. */
    _si_import_invalid (error, source, 0, _("this is not a valid Evernote export (ENEX): %s"), local_error->message);
  return FALSE;
}
