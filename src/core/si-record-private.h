/* si-record-private.h — what the store writes into SiIdea and SiTag objects.
 *
 * The sync bookkeeping (ids, versions, generation, state) is read-only for everyone else:
 * only the store knows what is on disk, so only the store sets it. SiRecord (si-record.c) owns
 * it; the _si_idea_ and _si_tag_ forms are the same call with the type the caller holds.
 */
#pragma once

#include "si-record.h"
#include "si-idea.h"
#include "si-tag.h"

G_BEGIN_DECLS

typedef struct {
  gint64      id;
  const char *uid;
  gint64      sid;
  gint64      version;
  gint64      generation;
  SiSyncState state;
  gint64      created_at;
  gint64      updated_at;
} SiRecordMeta;

void _si_record_set_meta       (SiRecord           *self,
                                const SiRecordMeta *meta);
void _si_record_get_meta       (SiRecord           *self,
                                SiRecordMeta       *meta);
void _si_record_set_timestamps (SiRecord           *self,
                                gint64              created_at,
                                gint64              updated_at);

/* A new record's uid: an RFC 9562 version 7 UUID (the Unix time in ms, then a counter and 62
 * random bits), always greater than the last one this process made. */
char *_si_record_new_uid    (void);
char *_si_record_new_uid_at (gint64              unix_ms);

/* Defines the getters a subclass has always had (si_idea_get_id() and so on, declared in its
 * own header): each checks its own type, then reads SiRecord's field. */
#define SI_RECORD_DEFINE_GETTERS(TypeName, type_name, IS_TYPE) \
  gint64 type_name##_get_id (TypeName *self) \
  { g_return_val_if_fail (IS_TYPE (self), 0); return si_record_get_id (SI_RECORD (self)); } \
  const char *type_name##_get_uid (TypeName *self) \
  { g_return_val_if_fail (IS_TYPE (self), NULL); return si_record_get_uid (SI_RECORD (self)); } \
  gint64 type_name##_get_sid (TypeName *self) \
  { g_return_val_if_fail (IS_TYPE (self), 0); return si_record_get_sid (SI_RECORD (self)); } \
  gint64 type_name##_get_version (TypeName *self) \
  { g_return_val_if_fail (IS_TYPE (self), 0); return si_record_get_version (SI_RECORD (self)); } \
  gint64 type_name##_get_generation (TypeName *self) \
  { g_return_val_if_fail (IS_TYPE (self), 0); return si_record_get_generation (SI_RECORD (self)); } \
  SiSyncState type_name##_get_sync_state (TypeName *self) \
  { g_return_val_if_fail (IS_TYPE (self), 0); return si_record_get_sync_state (SI_RECORD (self)); } \
  gint64 type_name##_get_created_at (TypeName *self) \
  { g_return_val_if_fail (IS_TYPE (self), 0); return si_record_get_created_at (SI_RECORD (self)); } \
  gint64 type_name##_get_updated_at (TypeName *self) \
  { g_return_val_if_fail (IS_TYPE (self), 0); return si_record_get_updated_at (SI_RECORD (self)); }

static inline void
_si_idea_set_meta (SiIdea             *self,
                   const SiRecordMeta *meta)
{
  _si_record_set_meta (SI_RECORD (self), meta);
}

static inline void
_si_idea_set_timestamps (SiIdea *self,
                         gint64  created_at,
                         gint64  updated_at)
{
  _si_record_set_timestamps (SI_RECORD (self), created_at, updated_at);
}

static inline void
_si_tag_set_meta (SiTag              *self,
                  const SiRecordMeta *meta)
{
  _si_record_set_meta (SI_RECORD (self), meta);
}

void _si_idea_set_conflict    (SiIdea             *self,
                               gint64              conflict_of,
                               const char         *sync_error);
/* The device that wrote this version (NULL: not known); si_store_save_idea() with
 * SI_SAVE_FROM_SERVER stores it, a local save stores this notebook's device name. */
void _si_idea_set_device      (SiIdea             *self,
                               const char         *device);
void _si_idea_set_tag_names   (SiIdea             *self,
                               const char * const *names);
void _si_idea_update_from     (SiIdea             *self,
                               SiIdea             *other);

void _si_tag_set_idea_count   (SiTag              *self,
                               guint               count);

G_END_DECLS
