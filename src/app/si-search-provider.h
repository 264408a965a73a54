/* si-search-provider.h — the GNOME Shell search provider (org.gnome.Shell.SearchProvider2): the
 * Activities overview finds ideas with the app's own search. */
#pragma once

#include <gio/gio.h>

#include "si-application.h"

G_BEGIN_DECLS

/* The most results one search hands the Shell, which shows only a few. */
#define SI_SEARCH_PROVIDER_MAX_RESULTS 20
/* What is read from the Shell (or anyone else on the bus): at most this many terms, each at
 * most this many bytes, and at most this many ids for GetResultMetas. */
#define SI_SEARCH_PROVIDER_MAX_TERMS 32
#define SI_SEARCH_PROVIDER_MAX_TERM_BYTES 256
#define SI_SEARCH_PROVIDER_MAX_IDS 64

#define SI_TYPE_SEARCH_PROVIDER (si_search_provider_get_type ())
G_DECLARE_FINAL_TYPE (SiSearchProvider, si_search_provider, SI, SEARCH_PROVIDER, GObject)

SiSearchProvider *si_search_provider_new      (SiApplication     *application);
gboolean          si_search_provider_export   (SiSearchProvider  *self,
                                               GDBusConnection   *connection,
                                               const char        *object_path,
                                               GError           **error);
void              si_search_provider_unexport (SiSearchProvider  *self);
char            **si_search_provider_search   (SiSearchProvider  *self,
                                               const char *const *terms,
                                               GError           **error);

G_END_DECLS
