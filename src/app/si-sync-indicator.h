/* si-sync-indicator.h — the header bar's word on syncing, bound to an SiSyncManager. */
#pragma once

#include <gtk/gtk.h>

#include "si-sync-manager.h"

G_BEGIN_DECLS

#define SI_TYPE_SYNC_INDICATOR (si_sync_indicator_get_type ())
G_DECLARE_FINAL_TYPE (SiSyncIndicator, si_sync_indicator, SI, SYNC_INDICATOR, GtkWidget)

SiSyncManager *si_sync_indicator_get_manager  (SiSyncIndicator *self);
void           si_sync_indicator_set_manager  (SiSyncIndicator *self,
                                               SiSyncManager   *manager);
const char    *si_sync_indicator_get_text     (SiSyncIndicator *self);
gboolean       si_sync_indicator_get_progress_visible (SiSyncIndicator *self);
double         si_sync_indicator_get_fraction (SiSyncIndicator *self);
void           si_sync_indicator_popup        (SiSyncIndicator *self);
void           si_sync_indicator_popdown      (SiSyncIndicator *self);

char          *si_format_duration             (gint64           usec);

/* For the tests: the popover's account button ("Account…", or "Log In…" when a login is needed). */
GtkWidget       *_si_sync_indicator_get_account_button (SiSyncIndicator *self);

G_END_DECLS
