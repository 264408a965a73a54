/* si-idea-row.h — one idea in the list: title, snippet, tags, when, and what is not synced. */
#pragma once

#include <gtk/gtk.h>

#include "si-idea.h"

G_BEGIN_DECLS

#define SI_TYPE_IDEA_ROW (si_idea_row_get_type ())
G_DECLARE_FINAL_TYPE (SiIdeaRow, si_idea_row, SI, IDEA_ROW, GtkWidget)

SiIdeaRow  *si_idea_row_new            (void);
SiIdea     *si_idea_row_get_idea       (SiIdeaRow *self);
void        si_idea_row_set_idea       (SiIdeaRow *self,
                                        SiIdea    *idea);
gboolean    si_idea_row_get_has_account (SiIdeaRow *self);
void        si_idea_row_set_has_account (SiIdeaRow *self,
                                         gboolean   has_account);
const char *si_idea_row_get_title_text (SiIdeaRow *self);
const char *si_idea_row_get_time_text  (SiIdeaRow *self);
gboolean    si_idea_row_shows_pending  (SiIdeaRow *self);
gboolean    si_idea_row_shows_conflict (SiIdeaRow *self);

G_END_DECLS
