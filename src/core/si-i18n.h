/* si-i18n.h — how a Saveidea program finds its translations. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void si_i18n_init (void);

G_END_DECLS
