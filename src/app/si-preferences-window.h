/* si-preferences-window.h — the sync account, how often to sync, and where the notebook lives. */
#pragma once

#include <adwaita.h>

#include "si-sync-manager.h"

G_BEGIN_DECLS

#define SI_TYPE_PREFERENCES_WINDOW (si_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (SiPreferencesWindow, si_preferences_window, SI, PREFERENCES_WINDOW, AdwPreferencesWindow)

SiPreferencesWindow *si_preferences_window_new (GtkWindow     *parent,
                                                SiSyncManager *manager,
                                                GSettings     *settings);

/* For the tests */
const char          *_si_preferences_window_get_error (SiPreferencesWindow *self);
GtkWidget           *_si_preferences_window_get_relogin_button (SiPreferencesWindow *self);
const char          *_si_preferences_window_get_account_title  (SiPreferencesWindow *self);
GtkSwitch           *_si_preferences_window_get_import_archived_switch (SiPreferencesWindow *self);

G_END_DECLS
