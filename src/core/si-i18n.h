/* si-i18n.h — how a Saveidea program finds its translations, and numbers in the user's locale. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void  si_i18n_init            (void);
char *si_format_count         (guint n);
char *si_format_sync_progress (guint done,
                               guint total);
char *si_format_idea_count    (guint shown,
                               guint matches);

G_END_DECLS
