/* si-record.c — the sync bookkeeping SiIdea and SiTag share, as an abstract GObject.
 *
 * Local id, uid, server id, version, edit generation, sync state and the two times, with their
 * read-only properties and notify. Only the store sets them (si-record-private.h): it alone
 * knows what is on disk. It also makes new records' uids (_si_record_new_uid()).
 */
#define G_LOG_DOMAIN "saveidea-model"

#include "config.h"

#include <string.h>

#include "si-enums.h"
#include "si-record-private.h"

typedef struct
{
  SiRecordMeta meta;   /* meta.uid is owned here */
} SiRecordPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (SiRecord, si_record, G_TYPE_OBJECT)

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
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static inline SiRecordPrivate *
get_priv (SiRecord *self)
{
  return si_record_get_instance_private (self);
}

static void
si_record_finalize (GObject *object)
{
  SiRecordPrivate *priv = get_priv (SI_RECORD (object));

  g_clear_pointer ((char **) &priv->meta.uid, g_free);

  G_OBJECT_CLASS (si_record_parent_class)->finalize (object);
}

static void
si_record_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SiRecordPrivate *priv = get_priv (SI_RECORD (object));

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, priv->meta.id); break;
    case PROP_UID: g_value_set_string (value, priv->meta.uid); break;
    case PROP_SID: g_value_set_int64 (value, priv->meta.sid); break;
    case PROP_VERSION: g_value_set_int64 (value, priv->meta.version); break;
    case PROP_GENERATION: g_value_set_int64 (value, priv->meta.generation); break;
    case PROP_SYNC_STATE: g_value_set_enum (value, priv->meta.state); break;
    case PROP_CREATED_AT: g_value_set_int64 (value, priv->meta.created_at); break;
    case PROP_UPDATED_AT: g_value_set_int64 (value, priv->meta.updated_at); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_record_class_init (SiRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = si_record_finalize;
  object_class->get_property = si_record_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_UID] = g_param_spec_string ("uid", NULL, NULL, NULL, ro);
  properties[PROP_SID] = g_param_spec_int64 ("sid", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_VERSION] = g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_GENERATION] = g_param_spec_int64 ("generation", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_SYNC_STATE] = g_param_spec_enum ("sync-state", NULL, NULL,
                                                   SI_TYPE_SYNC_STATE, SI_SYNC_STATE_CREATED, ro);
  properties[PROP_CREATED_AT] = g_param_spec_int64 ("created-at", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_UPDATED_AT] = g_param_spec_int64 ("updated-at", NULL, NULL, 0, G_MAXINT64, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
si_record_init (SiRecord *self)
{
  SiRecordPrivate *priv = get_priv (self);

  priv->meta.state = SI_SYNC_STATE_CREATED;
}

gint64 si_record_get_id (SiRecord *self) { g_return_val_if_fail (SI_IS_RECORD (self), 0); return get_priv (self)->meta.id; }
const char *si_record_get_uid (SiRecord *self) { g_return_val_if_fail (SI_IS_RECORD (self), NULL); return get_priv (self)->meta.uid; }
gint64 si_record_get_sid (SiRecord *self) { g_return_val_if_fail (SI_IS_RECORD (self), 0); return get_priv (self)->meta.sid; }
gint64 si_record_get_version (SiRecord *self) { g_return_val_if_fail (SI_IS_RECORD (self), 0); return get_priv (self)->meta.version; }
gint64 si_record_get_generation (SiRecord *self) { g_return_val_if_fail (SI_IS_RECORD (self), 0); return get_priv (self)->meta.generation; }
SiSyncState si_record_get_sync_state (SiRecord *self) { g_return_val_if_fail (SI_IS_RECORD (self), 0); return get_priv (self)->meta.state; }
gint64 si_record_get_created_at (SiRecord *self) { g_return_val_if_fail (SI_IS_RECORD (self), 0); return get_priv (self)->meta.created_at; }
gint64 si_record_get_updated_at (SiRecord *self) { g_return_val_if_fail (SI_IS_RECORD (self), 0); return get_priv (self)->meta.updated_at; }

/* Sets what differs in @meta and notifies it; a %NULL uid leaves the uid as it is. */
void
_si_record_set_meta (SiRecord           *self,
                     const SiRecordMeta *meta)
{
  SiRecordPrivate *priv;
  GObject *object = G_OBJECT (self);

  g_return_if_fail (SI_IS_RECORD (self));
  g_return_if_fail (meta != NULL);

  priv = get_priv (self);
  g_object_freeze_notify (object);
#define SET_FIELD(field, value, prop) \
  if (priv->meta.field != (value)) { priv->meta.field = (value); g_object_notify_by_pspec (object, properties[prop]); }
  SET_FIELD (id, meta->id, PROP_ID);
  SET_FIELD (sid, meta->sid, PROP_SID);
  SET_FIELD (version, meta->version, PROP_VERSION);
  SET_FIELD (generation, meta->generation, PROP_GENERATION);
  SET_FIELD (state, meta->state, PROP_SYNC_STATE);
  SET_FIELD (created_at, meta->created_at, PROP_CREATED_AT);
  SET_FIELD (updated_at, meta->updated_at, PROP_UPDATED_AT);
#undef SET_FIELD
  if (meta->uid && g_strcmp0 (priv->meta.uid, meta->uid) != 0)
    {
      g_free ((char *) priv->meta.uid);
      priv->meta.uid = g_strdup (meta->uid);
      g_object_notify_by_pspec (object, properties[PROP_UID]);
    }
  g_object_thaw_notify (object);
}

/* Fills @meta with what @self has now; meta->uid points into @self. */
void
_si_record_get_meta (SiRecord     *self,
                     SiRecordMeta *meta)
{
  SiRecordPrivate *priv;

  g_return_if_fail (SI_IS_RECORD (self));
  g_return_if_fail (meta != NULL);

  priv = get_priv (self);
  *meta = priv->meta;
}

void
_si_record_set_timestamps (SiRecord *self,
                           gint64    created_at,
                           gint64    updated_at)
{
  SiRecordMeta meta;

  _si_record_get_meta (self, &meta);
  meta.created_at = created_at;
  meta.updated_at = updated_at;
  _si_record_set_meta (self, &meta);
}

/* Uids ---------------------------------------------------------------------------------------
 *
 * Time-ordered (version 7) rather than random (version 4): a notebook's ideas are created one
 * after another, so their uids arrive in order and every index on a uid (the client's `ideas`
 * and `tags`, the server's `records`) grows at its right edge. With random uids each 500-row
 * step of a first upload or download rewrote most of those indexes' leaf pages: about 40 % of
 * the work at 100,000 ideas on both sides (docs/performance.md). Any RFC 9562 UUID is valid on
 * the wire, so old servers and clients take them as before.
 *
 * The 12 bits after the version are a counter within one millisecond (started at a random
 * value below 2,048 when the millisecond changes); when the clock stands still or goes back,
 * the last millisecond is kept and the counter counts on, and a counter that runs out moves to
 * the next millisecond. 62 bits stay random, as in the RFC's layout.
 */
G_LOCK_DEFINE_STATIC (uid_clock);
static gint64 uid_last_ms = -1;
static guint  uid_counter;

char *
_si_record_new_uid_at (gint64 unix_ms)
{
  guint8 b[16];
  gint64 ms;
  guint counter;

  G_LOCK (uid_clock);
  if (unix_ms > uid_last_ms)
    {
      uid_last_ms = unix_ms;
      uid_counter = g_random_int_range (0, 2048);
    }
  else if (++uid_counter > 0xfff)
    {
      uid_last_ms++;
      uid_counter = 0;
    }
  ms = uid_last_ms;
  counter = uid_counter;
  G_UNLOCK (uid_clock);

  for (guint i = 0; i < 6; i++)
    b[i] = (guint8) ((guint64) ms >> (40 - 8 * i));
  b[6] = 0x70 | (guint8) (counter >> 8);
  b[7] = (guint8) counter;
  for (guint i = 8; i < 16; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (b + i, &r, 4);
    }
  b[8] = 0x80 | (b[8] & 0x3f);

  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

char *
_si_record_new_uid (void)
{
  return _si_record_new_uid_at (g_get_real_time () / 1000);
}
