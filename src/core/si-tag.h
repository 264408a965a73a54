/* si-tag.h — a tag: a name (unique per notebook, case-insensitive) and a colour. */
#pragma once

#include "si-record.h"

G_BEGIN_DECLS

#define SI_TYPE_TAG (si_tag_get_type ())
G_DECLARE_FINAL_TYPE (SiTag, si_tag, SI, TAG, SiRecord)

SiTag        *si_tag_new             (const char *name);

gint64        si_tag_get_id          (SiTag      *self);
const char   *si_tag_get_uid         (SiTag      *self);
gint64        si_tag_get_sid         (SiTag      *self);
gint64        si_tag_get_version     (SiTag      *self);
gint64        si_tag_get_generation  (SiTag      *self);
SiSyncState   si_tag_get_sync_state  (SiTag      *self);
gint64        si_tag_get_created_at  (SiTag      *self);
gint64        si_tag_get_updated_at  (SiTag      *self);
guint         si_tag_get_idea_count  (SiTag      *self);

const char   *si_tag_get_name        (SiTag      *self);
void          si_tag_set_name        (SiTag      *self,
                                      const char *name);
const char   *si_tag_get_colour      (SiTag      *self);
void          si_tag_set_colour      (SiTag      *self,
                                      const char *colour);

char         *si_tag_name_key        (const char *name);

G_END_DECLS
