/* si-idea.h — one idea: a title, a body, tags and a pin, with its sync bookkeeping. */
#pragma once

#include "si-record.h"

G_BEGIN_DECLS

#define SI_TYPE_IDEA (si_idea_get_type ())
G_DECLARE_FINAL_TYPE (SiIdea, si_idea, SI, IDEA, SiRecord)

SiIdea       *si_idea_new              (const char   *title,
                                        const char   *body);

gint64        si_idea_get_id           (SiIdea       *self);
const char   *si_idea_get_uid          (SiIdea       *self);
gint64        si_idea_get_sid          (SiIdea       *self);
gint64        si_idea_get_version      (SiIdea       *self);
gint64        si_idea_get_generation   (SiIdea       *self);
SiSyncState   si_idea_get_sync_state   (SiIdea       *self);
gint64        si_idea_get_created_at   (SiIdea       *self);
gint64        si_idea_get_updated_at   (SiIdea       *self);
gint64        si_idea_get_conflict_of  (SiIdea       *self);
const char   *si_idea_get_sync_error   (SiIdea       *self);
const char   *si_idea_get_device       (SiIdea       *self);

const char   *si_idea_get_title        (SiIdea       *self);
void          si_idea_set_title        (SiIdea       *self,
                                        const char   *title);
const char   *si_idea_get_body         (SiIdea       *self);
void          si_idea_set_body         (SiIdea       *self,
                                        const char   *body);
gboolean      si_idea_get_pinned       (SiIdea       *self);
void          si_idea_set_pinned       (SiIdea       *self,
                                        gboolean      pinned);

const gint64 *si_idea_get_tag_ids      (SiIdea       *self,
                                        guint        *n_tags);
void          si_idea_set_tag_ids      (SiIdea       *self,
                                        const gint64 *tag_ids,
                                        guint         n_tags);
gboolean      si_idea_has_tag          (SiIdea       *self,
                                        gint64        tag_id);
void          si_idea_add_tag          (SiIdea       *self,
                                        gint64        tag_id);
void          si_idea_remove_tag       (SiIdea       *self,
                                        gint64        tag_id);
const char * const *si_idea_get_tag_names (SiIdea    *self);

char         *si_idea_dup_display_title (SiIdea      *self);
char         *si_idea_dup_snippet       (SiIdea      *self,
                                         guint        max_chars);
gboolean      si_idea_is_dirty          (SiIdea      *self);

G_END_DECLS
