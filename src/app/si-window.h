/* si-window.h — the main window: the list of ideas. */
#pragma once

#include <adwaita.h>

#include "si-application.h"
#include "si-idea-list.h"

G_BEGIN_DECLS

#define SI_TYPE_WINDOW (si_window_get_type ())
G_DECLARE_FINAL_TYPE (SiWindow, si_window, SI, WINDOW, AdwApplicationWindow)

SiWindow   *si_window_new           (SiApplication *application,
                                     SiStore       *store);
SiIdeaList *si_window_get_idea_list (SiWindow      *self);

G_END_DECLS
