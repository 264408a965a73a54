/* si-tag.c — a tag as a GObject with properties and notify, an SiRecord (si-record.c). */
#define G_LOG_DOMAIN "saveidea-model"

#include "config.h"

#include "si-record-private.h"
#include "si-wire.h"

struct _SiTag
{
  SiRecord     parent_instance;

  guint        idea_count;

  char        *name;
  char        *colour;
};

G_DEFINE_FINAL_TYPE (SiTag, si_tag, SI_TYPE_RECORD)

enum {
  PROP_0,
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
}

SiTag *
si_tag_new (const char *name)
{
  return g_object_new (SI_TYPE_TAG, "name", name ? name : "", NULL);
}

/* si_tag_get_id() … si_tag_get_updated_at(): SiRecord's fields, under the old names. */
SI_RECORD_DEFINE_GETTERS (SiTag, si_tag, SI_IS_TAG)

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
_si_tag_set_idea_count (SiTag *self,
                        guint  count)
{
  if (self->idea_count == count)
    return;
  self->idea_count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDEA_COUNT]);
}
