/* si-history-window.h — an idea's earlier versions, and Restore. */
#pragma once

#include <adwaita.h>

#include "si-history.h"
#include "si-store.h"
#include "si-sync-manager.h"

G_BEGIN_DECLS

#define SI_TYPE_HISTORY_WINDOW (si_history_window_get_type ())
G_DECLARE_FINAL_TYPE (SiHistoryWindow, si_history_window, SI, HISTORY_WINDOW, AdwWindow)

SiHistoryWindow *si_history_window_new (GtkWindow     *parent,
                                        SiStore       *store,
                                        SiSyncManager *manager,
                                        gint64         idea_id);

/* For the tests. */
GtkListBox      *_si_history_window_get_list        (SiHistoryWindow *self);
GtkTextView     *_si_history_window_get_text_view   (SiHistoryWindow *self);
GtkLabel        *_si_history_window_get_status      (SiHistoryWindow *self);
gboolean         _si_history_window_is_loading      (SiHistoryWindow *self);
GtkWidget       *_si_history_window_get_restore_button (SiHistoryWindow *self);
AdwLeaflet      *_si_history_window_get_leaflet        (SiHistoryWindow *self);

G_END_DECLS
