/* si-idea-row.h — one idea in the list: its title and a snippet of its text. */
#pragma once

#include <gtk/gtk.h>

#include "si-idea.h"

G_BEGIN_DECLS

#define SI_TYPE_IDEA_ROW (si_idea_row_get_type ())
G_DECLARE_FINAL_TYPE (SiIdeaRow, si_idea_row, SI, IDEA_ROW, GtkWidget)

SiIdeaRow *si_idea_row_new      (void);
void       si_idea_row_set_idea (SiIdeaRow *self,
                                 SiIdea    *idea);

G_END_DECLS
