/* si-collection.h — a synced collection, declared: what the sync engine knows about it.
 *
 * As in the old library, the engine knows nothing about ideas: a collection is a name (also
 * the store's table with the sync bookkeeping columns), a REST path, relation keys (a field
 * holding ids of another collection: ideas.tags -> tags, remapped between local and server
 * ids), autoPush, and a codec that moves the collection's own fields between the store and
 * the wire. si_collection_get_defaults() declares Saveidea's two collections.
 */
#pragma once

#include "si-store.h"
#include "si-wire.h"

G_BEGIN_DECLS

typedef struct _SiCollection SiCollection;

/**
 * SiCollectionCodec:
 * @read: the live local record @id as a wire record; relation fields hold LOCAL ids.
 *   NULL with SI_STORE_ERROR_NOT_FOUND when it is gone or a tombstone.
 * @write: writes @record's fields (relations as local ids, all of which exist) as data from
 *   the server (the record's sync state is not changed): into record @id, or, for @id 0, into
 *   a new record with @record's uid. Returns the local id, 0 on error.
 * @remove: deletes record @id because the server did (no tombstone is kept).
 * @find_twin: (nullable): a local record that is not on the server yet but that @record stands
 *   for (the tag of the same name), or 0.
 * @refs: the relation array of @record for the key @field (never NULL for a live record).
 * @insert: (nullable): the fast path of a pull, for a record this store does not have: inserts
 *   @record (relations as local ids, all of which exist; its content already checked by the
 *   wire codec) as synced, at its server id and version, with @base_json as its merge base.
 *   Returns the local id, 0 on error. Without it, @write is used.
 * @read_many: (nullable): @read for each of @ids (@n_ids, each at most once) in a few
 *   statements whatever their number (a push's batch): adds each live one to @out (a
 *   #GHashTable from a #gint64 local id, g_int64_hash, to a #SiWireRecord, both owned by @out),
 *   leaves out the rest. Without it, @read is called for each.
 */
typedef struct {
  SiWireRecord *(*read)      (SiStore            *store,
                              gint64              id,
                              GError            **error);
  gint64        (*write)     (SiStore            *store,
                              gint64              id,
                              const SiWireRecord *record,
                              GError            **error);
  gboolean      (*remove)    (SiStore            *store,
                              gint64              id,
                              GError            **error);
  gint64        (*find_twin) (SiStore            *store,
                              const SiWireRecord *record);
  GArray       *(*refs)      (SiWireRecord       *record,
                              const char         *field);
  gint64        (*insert)    (SiStore            *store,
                              const SiWireRecord *record,
                              const char         *base_json,
                              GError            **error);
  gboolean      (*read_many) (SiStore            *store,
                              const gint64       *ids,
                              guint               n_ids,
                              GHashTable         *out,
                              GError            **error);
} SiCollectionCodec;

/**
 * SiCollectionKey:
 * @field: the relation field (e.g. "tags")
 * @target: the collection its ids belong to (e.g. "tags")
 */
typedef struct {
  const char *field;
  const char *target;
} SiCollectionKey;

SiCollection     *si_collection_new              (const char              *name,
                                                  const char              *path,
                                                  SiWireCollection         wire,
                                                  const SiCollectionCodec *codec);
SiCollection     *si_collection_ref              (SiCollection            *self);
void              si_collection_unref            (SiCollection            *self);

void              si_collection_add_key          (SiCollection            *self,
                                                  const char              *field,
                                                  const char              *target);
void              si_collection_set_auto_push    (SiCollection            *self,
                                                  gboolean                 auto_push);
/* Whether an overlapping conflict keeps the local version as a new record marked
 * conflict_of (ideas); otherwise the server's version wins and the conflict is only counted. */
void              si_collection_set_conflict_copies (SiCollection         *self,
                                                     gboolean              conflict_copies);

const char       *si_collection_get_name         (SiCollection            *self);
const char       *si_collection_get_path         (SiCollection            *self);
SiWireCollection  si_collection_get_wire         (SiCollection            *self);
gboolean          si_collection_get_auto_push    (SiCollection            *self);
gboolean          si_collection_get_conflict_copies (SiCollection         *self);
const SiCollectionCodec *si_collection_get_codec (SiCollection            *self);
guint             si_collection_get_n_keys       (SiCollection            *self);
const SiCollectionKey *si_collection_get_key     (SiCollection            *self,
                                                  guint                    i);

/* Saveidea's collections, parents first: tags, then ideas (ideas.tags -> tags).
 * Returns: (transfer full) (element-type SiCollection) */
GPtrArray        *si_collection_get_defaults     (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SiCollection, si_collection_unref)

G_END_DECLS
