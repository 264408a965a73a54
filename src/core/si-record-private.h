/* si-record-private.h — what the store writes into SiIdea and SiTag objects.
 *
 * The sync bookkeeping (ids, versions, generation, state) is read-only for everyone else:
 * only the store knows what is on disk, so only the store sets it.
 */
#pragma once

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

void _si_idea_set_meta        (SiIdea             *self,
                               const SiRecordMeta *meta);
void _si_idea_set_conflict    (SiIdea             *self,
                               gint64              conflict_of,
                               const char         *sync_error);
void _si_idea_set_tag_names   (SiIdea             *self,
                               const char * const *names);
void _si_idea_set_timestamps  (SiIdea             *self,
                               gint64              created_at,
                               gint64              updated_at);
void _si_idea_update_from     (SiIdea             *self,
                               SiIdea             *other);

void _si_tag_set_meta         (SiTag              *self,
                               const SiRecordMeta *meta);
void _si_tag_set_idea_count   (SiTag              *self,
                               guint               count);
void _si_tag_set_timestamps   (SiTag              *self,
                               gint64              created_at,
                               gint64              updated_at);

G_END_DECLS
