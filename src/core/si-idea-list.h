/* si-idea-list.h — a GListModel of the store's ideas, sorted and filtered, updated row by row. */
#pragma once

#include <gio/gio.h>

#include "si-store.h"

G_BEGIN_DECLS

#define SI_TYPE_IDEA_LIST (si_idea_list_get_type ())
G_DECLARE_FINAL_TYPE (SiIdeaList, si_idea_list, SI, IDEA_LIST, GObject)

SiIdeaList *si_idea_list_new                (SiStore    *store);
SiStore    *si_idea_list_get_store          (SiIdeaList *self);

gint64      si_idea_list_get_tag_id         (SiIdeaList *self);
void        si_idea_list_set_tag_id         (SiIdeaList *self,
                                             gint64      tag_id);
guint       si_idea_list_get_n_matches      (SiIdeaList *self);
guint       si_idea_list_get_n_coming       (SiIdeaList *self);
const char *si_idea_list_get_search         (SiIdeaList *self);
void        si_idea_list_set_search         (SiIdeaList *self,
                                             const char *search);
gboolean    si_idea_list_get_pinned_only    (SiIdeaList *self);
void        si_idea_list_set_pinned_only    (SiIdeaList *self,
                                             gboolean    pinned_only);
gboolean    si_idea_list_get_conflicts_only (SiIdeaList *self);
void        si_idea_list_set_conflicts_only (SiIdeaList *self,
                                             gboolean    conflicts_only);

gboolean    si_idea_list_get_paced          (SiIdeaList *self);
void        si_idea_list_set_paced          (SiIdeaList *self,
                                             gboolean    paced);
gboolean    si_idea_list_is_pacing          (SiIdeaList *self);

gint64      si_idea_list_get_id_at          (SiIdeaList *self,
                                             guint       position);
gboolean    si_idea_list_find               (SiIdeaList *self,
                                             gint64      id,
                                             guint      *position);

G_END_DECLS
