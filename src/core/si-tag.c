/* si-tag.c — a tag as a GObject with properties and notify. */
#define G_LOG_DOMAIN "saveidea-model"

#include "config.h"

#include "si-enums.h"
#include "si-record-private.h"
#include "si-wire.h"

struct _SiTag
{
  GObject      parent_instance;

  gint64       id;
  char        *uid;
  gint64       sid;
  gint64       version;
  gint64       generation;
  SiSyncState  state;
  gint64       created_at;
  gint64       updated_at;
  guint        idea_count;

  char        *name;
  char        *colour;
};

G_DEFINE_FINAL_TYPE (SiTag, si_tag, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_UID,
  PROP_SID,
  PROP_VERSION,
  PROP_GENERATION,
  PROP_SYNC_STATE,
  PROP_CREATED_AT,
  PROP_UPDATED_AT,
  PROP_IDEA_COUNT,
  PROP_NAME,
  PROP_COLOUR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
si_tag_finalize (GObject *object)
{
  SiTag *self = (SiTag *) object;

  g_clear_pointer (&self->uid, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->colour, g_free);

  G_OBJECT_CLASS (si_tag_parent_class)->finalize (object);
}

static void
si_tag_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  SiTag *self = SI_TAG (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_UID: g_value_set_string (value, self->uid); break;
    case PROP_SID: g_value_set_int64 (value, self->sid); break;
    case PROP_VERSION: g_value_set_int64 (value, self->version); break;
    case PROP_GENERATION: g_value_set_int64 (value, self->generation); break;
    case PROP_SYNC_STATE: g_value_set_enum (value, self->state); break;
    case PROP_CREATED_AT: g_value_set_int64 (value, self->created_at); break;
    case PROP_UPDATED_AT: g_value_set_int64 (value, self->updated_at); break;
    case PROP_IDEA_COUNT: g_value_set_uint (value, self->idea_count); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_COLOUR: g_value_set_string (value, self->colour); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_tag_set_property (GObject      *object,
                     guint         prop_id,
                     const GValue *value,
                     GParamSpec   *pspec)
{
  SiTag *self = SI_TAG (object);

  switch (prop_id)
    {
    case PROP_NAME: si_tag_set_name (self, g_value_get_string (value)); break;
    case PROP_COLOUR: si_tag_set_colour (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_tag_class_init (SiTagClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = si_tag_finalize;
  object_class->get_property = si_tag_get_property;
  object_class->set_property = si_tag_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_UID] = g_param_spec_string ("uid", NULL, NULL, NULL, ro);
  properties[PROP_SID] = g_param_spec_int64 ("sid", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_VERSION] = g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_GENERATION] = g_param_spec_int64 ("generation", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_SYNC_STATE] = g_param_spec_enum ("sync-state", NULL, NULL,
                                                   SI_TYPE_SYNC_STATE, SI_SYNC_STATE_CREATED, ro);
  properties[PROP_CREATED_AT] = g_param_spec_int64 ("created-at", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_UPDATED_AT] = g_param_spec_int64 ("updated-at", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_IDEA_COUNT] = g_param_spec_uint ("idea-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, "", rw);
  properties[PROP_COLOUR] = g_param_spec_string ("colour", NULL, NULL, "", rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
si_tag_init (SiTag *self)
{
  self->name = g_strdup ("");
  self->colour = g_strdup ("");
  self->state = SI_SYNC_STATE_CREATED;
}

SiTag *
si_tag_new (const char *name)
{
  return g_object_new (SI_TYPE_TAG, "name", name ? name : "", NULL);
}

gint64 si_tag_get_id (SiTag *self) { g_return_val_if_fail (SI_IS_TAG (self), 0); return self->id; }
const char *si_tag_get_uid (SiTag *self) { g_return_val_if_fail (SI_IS_TAG (self), NULL); return self->uid; }
gint64 si_tag_get_sid (SiTag *self) { g_return_val_if_fail (SI_IS_TAG (self), 0); return self->sid; }
gint64 si_tag_get_version (SiTag *self) { g_return_val_if_fail (SI_IS_TAG (self), 0); return self->version; }
gint64 si_tag_get_generation (SiTag *self) { g_return_val_if_fail (SI_IS_TAG (self), 0); return self->generation; }
SiSyncState si_tag_get_sync_state (SiTag *self) { g_return_val_if_fail (SI_IS_TAG (self), 0); return self->state; }
gint64 si_tag_get_created_at (SiTag *self) { g_return_val_if_fail (SI_IS_TAG (self), 0); return self->created_at; }
gint64 si_tag_get_updated_at (SiTag *self) { g_return_val_if_fail (SI_IS_TAG (self), 0); return self->updated_at; }
guint si_tag_get_idea_count (SiTag *self) { g_return_val_if_fail (SI_IS_TAG (self), 0); return self->idea_count; }
const char *si_tag_get_name (SiTag *self) { g_return_val_if_fail (SI_IS_TAG (self), NULL); return self->name; }
const char *si_tag_get_colour (SiTag *self) { g_return_val_if_fail (SI_IS_TAG (self), NULL); return self->colour; }

void
si_tag_set_name (SiTag      *self,
                 const char *name)
{
  g_return_if_fail (SI_IS_TAG (self));

  if (name == NULL)
    name = "";
  if (g_strcmp0 (self->name, name) == 0)
    return;
  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

void
si_tag_set_colour (SiTag      *self,
                   const char *colour)
{
  g_return_if_fail (SI_IS_TAG (self));

  if (colour == NULL)
    colour = "";
  if (g_strcmp0 (self->colour, colour) == 0)
    return;
  g_free (self->colour);
  self->colour = g_strdup (colour);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOUR]);
}

/**
 * si_tag_name_key:
 * @name: a tag name as a person typed it
 *
 * The key under which a typed name finds its tag: "Café", "CAFÉ", " café " and "café" with a
 * zero-width space share one. The name is normalised as a new name is
 * (si_wire_tag_name_normalize()), then keyed as the store and the server key names
 * (si_wire_tag_name_key()); a name the normalisation refuses is keyed as it is.
 *
 * Returns: (transfer full) (nullable): the key, or %NULL if @name is not valid UTF-8
 */
char *
si_tag_name_key (const char *name)
{
  g_autofree char *normal = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  if (si_wire_tag_name_normalize (name, &normal) == SI_WIRE_TAG_NAME_OK)
    return si_wire_tag_name_key (normal);
  return si_wire_tag_name_key (name);
}

void
_si_tag_set_meta (SiTag              *self,
                  const SiRecordMeta *meta)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
#define SET_FIELD(field, value, prop) \
  if (self->field != (value)) { self->field = (value); g_object_notify_by_pspec (object, properties[prop]); }
  SET_FIELD (id, meta->id, PROP_ID);
  SET_FIELD (sid, meta->sid, PROP_SID);
  SET_FIELD (version, meta->version, PROP_VERSION);
  SET_FIELD (generation, meta->generation, PROP_GENERATION);
  SET_FIELD (state, meta->state, PROP_SYNC_STATE);
  SET_FIELD (created_at, meta->created_at, PROP_CREATED_AT);
  SET_FIELD (updated_at, meta->updated_at, PROP_UPDATED_AT);
#undef SET_FIELD
  if (meta->uid && g_strcmp0 (self->uid, meta->uid) != 0)
    {
      g_free (self->uid);
      self->uid = g_strdup (meta->uid);
      g_object_notify_by_pspec (object, properties[PROP_UID]);
    }
  g_object_thaw_notify (object);
}

void
_si_tag_set_timestamps (SiTag  *self,
                        gint64  created_at,
                        gint64  updated_at)
{
  SiRecordMeta meta = {
    self->id, self->uid, self->sid, self->version, self->generation, self->state,
    created_at, updated_at,
  };
  _si_tag_set_meta (self, &meta);
}

void
_si_tag_set_idea_count (SiTag *self,
                        guint  count)
{
  if (self->idea_count == count)
    return;
  self->idea_count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDEA_COUNT]);
}
