/* si-server-pruner.h — the background job that applies the history policy
 * (si_server_storage_history_prune_all()) on a thread and a database connection of its own. */
#pragma once

#include "si-server-storage.h"

G_BEGIN_DECLS

#define SI_SERVER_PRUNE_INTERVAL_SECONDS 3600

typedef struct _SiServerPruner SiServerPruner;

/* Starts the thread: a first pass a few seconds after, then one every @interval_seconds (the
 * hidden environment variable SAVEIDEA_SERVER_TEST_PRUNE_SECONDS overrides both, for tests).
 * Opens its connection like the server's (@database or @data_dir) on the thread; a failure
 * there is logged and tried again at the next pass. */
SiServerPruner *si_server_pruner_start (const char     *database,
                                        const char     *data_dir,
                                        guint           interval_seconds);
/* Stops the pass under way at its next account and joins the thread. */
void            si_server_pruner_stop  (SiServerPruner *pruner);

G_END_DECLS
