/* si-idea.c — one idea as a GObject with properties and notify.
 *
 * An SiIdea is a value the store fills and saves; editing its title does not touch the disk
 * until si_store_save_idea() is called. The sync bookkeeping is SiRecord's (si-record.c), set
 * only by the store.
 */
#define G_LOG_DOMAIN "saveidea-model"

#include "config.h"

#include "si-record-private.h"
#include "si-text.h"

struct _SiIdea
{
  SiRecord     parent_instance;

  gint64       conflict_of;
  char        *sync_error;
  char        *device;

  char        *title;
  char        *body;
  gboolean     pinned;
  GArray      *tag_ids;   /* gint64, sorted, unique */
  GStrv        tag_names;
};

G_DEFINE_FINAL_TYPE (SiIdea, si_idea, SI_TYPE_RECORD)

enum {
  PROP_0,
  PROP_CONFLICT_OF,
  PROP_SYNC_ERROR,
  PROP_DEVICE,
  PROP_TITLE,
  PROP_BODY,
  PROP_PINNED,
  PROP_TAG_NAMES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
si_idea_finalize (GObject *object)
{
  SiIdea *self = (SiIdea *) object;

  g_clear_pointer (&self->sync_error, g_free);
  g_clear_pointer (&self->device, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->body, g_free);
  g_clear_pointer (&self->tag_ids, g_array_unref);
  g_clear_pointer (&self->tag_names, g_strfreev);

  G_OBJECT_CLASS (si_idea_parent_class)->finalize (object);
}

static void
si_idea_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  SiIdea *self = SI_IDEA (object);

  switch (prop_id)
    {
    case PROP_CONFLICT_OF: g_value_set_int64 (value, self->conflict_of); break;
    case PROP_SYNC_ERROR: g_value_set_string (value, self->sync_error); break;
    case PROP_DEVICE: g_value_set_string (value, self->device); break;
    case PROP_TITLE: g_value_set_string (value, self->title); break;
    case PROP_BODY: g_value_set_string (value, self->body); break;
    case PROP_PINNED: g_value_set_boolean (value, self->pinned); break;
    case PROP_TAG_NAMES: g_value_set_boxed (value, self->tag_names); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_idea_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  SiIdea *self = SI_IDEA (object);

  switch (prop_id)
    {
    case PROP_TITLE: si_idea_set_title (self, g_value_get_string (value)); break;
    case PROP_BODY: si_idea_set_body (self, g_value_get_string (value)); break;
    case PROP_PINNED: si_idea_set_pinned (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_idea_class_init (SiIdeaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = si_idea_finalize;
  object_class->get_property = si_idea_get_property;
  object_class->set_property = si_idea_set_property;

  properties[PROP_CONFLICT_OF] = g_param_spec_int64 ("conflict-of", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_SYNC_ERROR] = g_param_spec_string ("sync-error", NULL, NULL, NULL, ro);
  /**
   * SiIdea:device:
   *
   * The name of the device that wrote this version of the idea (si-device.h), or %NULL when
   * it is not known (pulled from a server or a client that does not send device names).
   */
  properties[PROP_DEVICE] = g_param_spec_string ("device", NULL, NULL, NULL, ro);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, "", rw);
  properties[PROP_BODY] = g_param_spec_string ("body", NULL, NULL, "", rw);
  properties[PROP_PINNED] = g_param_spec_boolean ("pinned", NULL, NULL, FALSE, rw);
  properties[PROP_TAG_NAMES] = g_param_spec_boxed ("tag-names", NULL, NULL, G_TYPE_STRV, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
si_idea_init (SiIdea *self)
{
  self->title = g_strdup ("");
  self->body = g_strdup ("");
  self->tag_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->tag_names = g_new0 (char *, 1);
}

/**
 * si_idea_new:
 * @title: (nullable): the title
 * @body: (nullable): the body
 *
 * Makes an idea that is not in any store yet; si_store_save_idea() gives it an id and a uid.
 */
SiIdea *
si_idea_new (const char *title,
             const char *body)
{
  return g_object_new (SI_TYPE_IDEA,
                       "title", title ? title : "",
                       "body", body ? body : "",
                       NULL);
}

/* si_idea_get_id() … si_idea_get_updated_at(): SiRecord's fields, under the old names. */
SI_RECORD_DEFINE_GETTERS (SiIdea, si_idea, SI_IS_IDEA)

gint64 si_idea_get_conflict_of (SiIdea *self) { g_return_val_if_fail (SI_IS_IDEA (self), 0); return self->conflict_of; }
const char *si_idea_get_sync_error (SiIdea *self) { g_return_val_if_fail (SI_IS_IDEA (self), NULL); return self->sync_error; }
/**
 * si_idea_get_device:
 *
 * Returns: (nullable): the name of the device that wrote this version of the idea: this
 *   notebook's device name for a local edit, the pushing device's for a pulled one; %NULL when
 *   not known
 */
const char *si_idea_get_device (SiIdea *self) { g_return_val_if_fail (SI_IS_IDEA (self), NULL); return self->device; }
const char *si_idea_get_title (SiIdea *self) { g_return_val_if_fail (SI_IS_IDEA (self), NULL); return self->title; }
const char *si_idea_get_body (SiIdea *self) { g_return_val_if_fail (SI_IS_IDEA (self), NULL); return self->body; }
gboolean si_idea_get_pinned (SiIdea *self) { g_return_val_if_fail (SI_IS_IDEA (self), FALSE); return self->pinned; }

gboolean
si_idea_is_dirty (SiIdea *self)
{
  g_return_val_if_fail (SI_IS_IDEA (self), FALSE);
  return si_record_get_sync_state (SI_RECORD (self)) != SI_SYNC_STATE_SYNCED;
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (value == NULL)
    value = "";
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

void
si_idea_set_title (SiIdea     *self,
                   const char *title)
{
  g_return_if_fail (SI_IS_IDEA (self));
  if (set_string (&self->title, title))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

void
si_idea_set_body (SiIdea     *self,
                  const char *body)
{
  g_return_if_fail (SI_IS_IDEA (self));
  if (set_string (&self->body, body))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BODY]);
}

void
si_idea_set_pinned (SiIdea   *self,
                    gboolean  pinned)
{
  g_return_if_fail (SI_IS_IDEA (self));
  pinned = !!pinned;
  if (self->pinned == pinned)
    return;
  self->pinned = pinned;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED]);
}

/**
 * si_idea_get_tag_ids:
 * @n_tags: (out): the number of tags
 *
 * Returns: (array length=n_tags) (transfer none): the local ids of the idea's tags, sorted
 */
const gint64 *
si_idea_get_tag_ids (SiIdea *self,
                     guint  *n_tags)
{
  g_return_val_if_fail (SI_IS_IDEA (self), NULL);
  g_return_val_if_fail (n_tags != NULL, NULL);

  *n_tags = self->tag_ids->len;
  return (const gint64 *) (gpointer) self->tag_ids->data;
}

static gint
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

void
si_idea_set_tag_ids (SiIdea       *self,
                     const gint64 *tag_ids,
                     guint         n_tags)
{
  g_return_if_fail (SI_IS_IDEA (self));
  g_return_if_fail (tag_ids != NULL || n_tags == 0);

  g_array_set_size (self->tag_ids, 0);
  for (guint i = 0; i < n_tags; i++)
    if (!si_idea_has_tag (self, tag_ids[i]))
      g_array_append_val (self->tag_ids, tag_ids[i]);
  g_array_sort (self->tag_ids, compare_int64);
}

gboolean
si_idea_has_tag (SiIdea *self,
                 gint64  tag_id)
{
  g_return_val_if_fail (SI_IS_IDEA (self), FALSE);

  for (guint i = 0; i < self->tag_ids->len; i++)
    if (g_array_index (self->tag_ids, gint64, i) == tag_id)
      return TRUE;
  return FALSE;
}

void
si_idea_add_tag (SiIdea *self,
                 gint64  tag_id)
{
  g_return_if_fail (SI_IS_IDEA (self));
  g_return_if_fail (tag_id > 0);

  if (si_idea_has_tag (self, tag_id))
    return;
  g_array_append_val (self->tag_ids, tag_id);
  g_array_sort (self->tag_ids, compare_int64);
}

void
si_idea_remove_tag (SiIdea *self,
                    gint64  tag_id)
{
  g_return_if_fail (SI_IS_IDEA (self));

  for (guint i = 0; i < self->tag_ids->len; i++)
    if (g_array_index (self->tag_ids, gint64, i) == tag_id)
      {
        g_array_remove_index (self->tag_ids, i);
        return;
      }
}

/**
 * si_idea_get_tag_names:
 *
 * Returns: (transfer none): the names of the idea's tags as last loaded from the store
 */
const char * const *
si_idea_get_tag_names (SiIdea *self)
{
  g_return_val_if_fail (SI_IS_IDEA (self), NULL);
  return (const char * const *) self->tag_names;
}

/* The first non-empty line of @text, stripped, or NULL. */
static char *
first_line (const char *text)
{
  while (text && *text)
    {
      const char *end = strchr (text, '\n');
      g_autofree char *line = end ? g_strndup (text, end - text) : g_strdup (text);

      g_strstrip (line);
      if (*line)
        return g_steal_pointer (&line);
      text = end ? end + 1 : NULL;
    }
  return NULL;
}

/**
 * si_idea_dup_display_title:
 *
 * Returns: (transfer full): the title, or the body's first line when there is no title, or ""
 */
char *
si_idea_dup_display_title (SiIdea *self)
{
  char *line;

  g_return_val_if_fail (SI_IS_IDEA (self), NULL);

  if ((line = first_line (self->title)))
    return line;
  if ((line = first_line (self->body)))
    {
      /* The body is Markdown: "# Home lab" is titled "Home lab". */
      char *plain = si_text_markdown_preview (line, SI_TITLE_MAX_CHARS);

      if (plain[0] == '\0')
        {
          g_free (plain);
          return line;
        }
      g_free (line);
      return plain;
    }
  return g_strdup ("");
}

/**
 * si_idea_dup_snippet:
 * @max_chars: at most this many characters
 *
 * Returns: (transfer full): the start of the body as plain text on one line (its Markdown
 *   left out: si_text_markdown_preview()), without the line shown as the title
 */
char *
si_idea_dup_snippet (SiIdea *self,
                     guint   max_chars)
{
  const char *p;
  g_autofree char *title = NULL;

  g_return_val_if_fail (SI_IS_IDEA (self), NULL);

  p = self->body;
  while (*p && g_ascii_isspace (*p))
    p++;
  /* With no title, the first body line already is the title: skip it; and so when it is the
   * title again ("# Home lab" under the title "Home lab"). */
  if ((title = first_line (self->title)) == NULL)
    p = strchr (p, '\n') ? strchr (p, '\n') : p + strlen (p);
  else
    {
      const char *end = strchr (p, '\n');
      /* No title is that long: the line is compared as far as a preview reads. */
      g_autofree char *line = g_strndup (p, MIN (end ? (gsize) (end - p) : strlen (p), SI_TEXT_PREVIEW_MAX_INPUT + 8));
      g_autofree char *plain = si_text_markdown_preview (line, SI_TITLE_MAX_CHARS);

      if (g_strcmp0 (plain, title) == 0)
        p = end ? end : p + strlen (p);
    }
  return si_text_markdown_preview (p, max_chars);
}

void
_si_idea_set_conflict (SiIdea     *self,
                       gint64      conflict_of,
                       const char *sync_error)
{
  if (self->conflict_of != conflict_of)
    {
      self->conflict_of = conflict_of;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFLICT_OF]);
    }
  if (g_strcmp0 (self->sync_error, sync_error) != 0)
    {
      g_free (self->sync_error);
      self->sync_error = g_strdup (sync_error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_ERROR]);
    }
}

void
_si_idea_set_device (SiIdea     *self,
                     const char *device)
{
  if (g_strcmp0 (self->device, device) == 0)
    return;
  g_free (self->device);
  self->device = g_strdup (device);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE]);
}

void
_si_idea_set_tag_names (SiIdea             *self,
                        const char * const *names)
{
  static const char * const none[] = { NULL };

  if (names == NULL)
    names = none;
  if (g_strv_equal ((const char * const *) self->tag_names, names))
    return;
  g_strfreev (self->tag_names);
  self->tag_names = g_strdupv ((char **) names);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TAG_NAMES]);
}

/* Makes @self what @other is, notifying only what changed: a list row bound to @self updates. */
void
_si_idea_update_from (SiIdea *self,
                      SiIdea *other)
{
  SiRecordMeta meta;
  guint n;
  const gint64 *ids;

  g_object_freeze_notify (G_OBJECT (self));
  _si_record_get_meta (SI_RECORD (other), &meta);
  _si_record_set_meta (SI_RECORD (self), &meta);
  _si_idea_set_conflict (self, other->conflict_of, other->sync_error);
  _si_idea_set_device (self, other->device);
  si_idea_set_title (self, other->title);
  si_idea_set_body (self, other->body);
  si_idea_set_pinned (self, other->pinned);
  ids = si_idea_get_tag_ids (other, &n);
  si_idea_set_tag_ids (self, ids, n);
  _si_idea_set_tag_names (self, (const char * const *) other->tag_names);
  g_object_thaw_notify (G_OBJECT (self));
}
