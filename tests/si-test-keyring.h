/* si-test-keyring.h — a real gnome-keyring-daemon (secrets only) on a private D-Bus session
 * bus, both inside the test's temporary HOME, so that a test never touches the user's keyring.
 *
 *   if (!si_test_keyring_start ()) { si_test_keyring_stop (); g_test_skip ("…"); return; }
 *   …
 *   si_test_keyring_stop ();
 *
 * Start sets DBUS_SESSION_BUS_ADDRESS, HOME and the XDG folders for the process. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* FALSE when dbus-daemon or gnome-keyring-daemon could not be started (then call stop). */
gboolean si_test_keyring_start (void);
/* Stops both daemons (the test process survives the bus going away). */
void     si_test_keyring_stop  (void);

G_END_DECLS
