/* si-background.h — what the application does once its last window is closed: push what waits
 * before quitting (bounded), or keep running and syncing when the preference says so, and tell
 * about conflicts a sync finds while no window is in front.
 */
#pragma once

#include <gtk/gtk.h>

#include "si-sync-manager.h"

G_BEGIN_DECLS

/* How long closing or quitting waits, at most, for the waiting changes to reach the server. */
#define SI_BACKGROUND_FLUSH_TIMEOUT_MS 5000

#define SI_TYPE_BACKGROUND (si_background_get_type ())
G_DECLARE_FINAL_TYPE (SiBackground, si_background, SI, BACKGROUND, GObject)

/* Watches @app's windows and @manager; @settings (nullable) has "run-in-background". */
SiBackground *si_background_new                (GtkApplication *app,
                                                SiSyncManager  *manager,
                                                GSettings      *settings);
/* app.quit: closes every window (each saves), pushes what waits (bounded), then quits; a second
 * quit while that runs quits at once. */
void          si_background_quit               (SiBackground   *self);

/* For tests: the idea the conflict notification opens, 0 when none is shown. */
gint64        _si_background_get_notified_idea (SiBackground   *self);

G_END_DECLS
