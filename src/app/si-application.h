/* si-application.h — the Saveidea application: one per session, owns the store and syncing. */
#pragma once

#include <adwaita.h>

#include "si-background.h"
#include "si-store.h"
#include "si-sync-manager.h"

G_BEGIN_DECLS

#define SI_TYPE_APPLICATION (si_application_get_type ())
G_DECLARE_FINAL_TYPE (SiApplication, si_application, SI, APPLICATION, AdwApplication)

SiApplication *si_application_new              (void);
SiStore       *si_application_get_store        (SiApplication *self);
SiStore       *si_application_ensure_store     (SiApplication *self,
                                                GError       **error);
SiSyncManager *si_application_get_sync_manager (SiApplication *self);
GSettings     *si_application_get_settings     (SiApplication *self);
/* For tests: what happens after the last window (NULL before the notebook is open). */
SiBackground  *_si_application_get_background  (SiApplication *self);
GtkWindow     *si_application_get_main_window  (SiApplication *self);

G_END_DECLS
