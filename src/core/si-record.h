/* si-record.h — what every synced record has: its ids, version, generation and sync state. */
#pragma once

#include "si-types.h"

G_BEGIN_DECLS

#define SI_TYPE_RECORD (si_record_get_type ())
G_DECLARE_DERIVABLE_TYPE (SiRecord, si_record, SI, RECORD, GObject)

struct _SiRecordClass
{
  GObjectClass parent_class;
};

gint64        si_record_get_id          (SiRecord     *self);
const char   *si_record_get_uid         (SiRecord     *self);
gint64        si_record_get_sid         (SiRecord     *self);
gint64        si_record_get_version     (SiRecord     *self);
gint64        si_record_get_generation  (SiRecord     *self);
SiSyncState   si_record_get_sync_state  (SiRecord     *self);
gint64        si_record_get_created_at  (SiRecord     *self);
gint64        si_record_get_updated_at  (SiRecord     *self);

G_END_DECLS
