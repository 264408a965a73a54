/* si-window.h — the main window: collections, the list of ideas, and the editor. */
#pragma once

#include <adwaita.h>

#include "si-application.h"
#include "si-idea-list.h"
#include "si-sync-manager.h"

G_BEGIN_DECLS

#define SI_TYPE_WINDOW (si_window_get_type ())
G_DECLARE_FINAL_TYPE (SiWindow, si_window, SI, WINDOW, AdwApplicationWindow)

SiWindow      *si_window_new              (SiApplication *application,
                                           SiStore       *store,
                                           SiSyncManager *manager);
SiIdeaList    *si_window_get_idea_list    (SiWindow      *self);
SiStore       *si_window_get_store        (SiWindow      *self);
SiSyncManager *si_window_get_sync_manager (SiWindow      *self);
void           si_window_open_idea        (SiWindow      *self,
                                           gint64         id);
void           si_window_show_idea        (SiWindow      *self,
                                           gint64         id);
void           si_window_search           (SiWindow      *self,
                                           const char    *text);
gint64         si_window_get_current_id   (SiWindow      *self);
void           si_window_show_toast       (SiWindow      *self,
                                           const char    *message);
gboolean       si_window_save_now         (SiWindow      *self);
void           si_window_show_sync_status (SiWindow      *self);

G_END_DECLS
