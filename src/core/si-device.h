/* si-device.h — the name of the device a notebook lives on.
 *
 * Every version of an idea knows which device wrote it (si_idea_get_device()): a local edit is
 * by this notebook's device, and each change it pushes carries the name (`device` in the
 * protocol), so other devices can say "written on laptop". The name is kept in the notebook's
 * database; until someone sets one, it is the computer's pretty hostname.
 */
#pragma once

#include "si-store.h"

G_BEGIN_DECLS

/* The computer's name as people see it: PRETTY_HOSTNAME in /etc/machine-info when set, else
 * the host name; cleaned (si_device_name_clean()). Never NULL. */
char     *si_device_dup_default_name       (void);

/* The name the notebook in @store uses: the one set with si_device_set_name(), else the
 * default. Never NULL. */
char     *si_device_dup_name               (SiStore     *store);
/* The name set with si_device_set_name(), or NULL when the notebook uses the default. */
char     *si_device_dup_custom_name        (SiStore     *store);
/* Sets the notebook's device name (white space at the ends is dropped); NULL or "" goes back
 * to the default. SI_STORE_ERROR_INVALID for a name that is too long (more than
 * SI_DEVICE_NAME_MAX_CHARS characters) or holds control characters or line breaks. */
gboolean  si_device_set_name               (SiStore     *store,
                                            const char  *name,
                                            GError     **error);

/* Makes a device name of any text: valid UTF-8, control characters and runs of white space
 * become one space, the ends trimmed, at most SI_DEVICE_NAME_MAX_CHARS characters. NULL when
 * nothing is left. */
char     *si_device_name_clean             (const char  *text);
/* PRETTY_HOSTNAME from the text of a machine-info file (shell-style KEY=value lines), cleaned;
 * NULL when it has none. */
char     *si_device_name_from_machine_info (const char  *text);

G_END_DECLS
