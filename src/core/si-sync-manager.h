/* si-sync-manager.h — when to sync: what the app and its sync indicator bind to.
 *
 * Watches GNetworkMonitor (debounced) and syncs at start-up, when the network comes back, a
 * few seconds after the last local edit (when auto-push is on), every "interval" seconds, and
 * on si_sync_manager_sync_now(). One sync at a time; errors that may pass (network, 5xx) are
 * retried with exponential backoff and jitter, capped, reset by a success. All timing is
 * GSources on the thread-default main context of the thread that made the manager.
 */
#pragma once

#include <gio/gio.h>

#include "si-account.h"
#include "si-store.h"
#include "si-sync-engine.h"

G_BEGIN_DECLS

/**
 * SiSyncManagerState:
 * @SI_SYNC_MANAGER_STATE_DISABLED: no account is configured: nothing is synced
 * @SI_SYNC_MANAGER_STATE_OFFLINE: no network (or the server is unreachable); changes wait
 * @SI_SYNC_MANAGER_STATE_IDLE: everything that could be synced is
 * @SI_SYNC_MANAGER_STATE_SYNCING: a sync runs (see progress-done / progress-total)
 * @SI_SYNC_MANAGER_STATE_ERROR: the last sync failed ("last-error"); "next-retry-time" says when
 *   it is tried again (0: not automatically, e.g. the server was replaced)
 * @SI_SYNC_MANAGER_STATE_NEEDS_LOGIN: the server refused the token, or there is none (the
 *   account's "needs-login"): nothing is tried, not even by si_sync_manager_sync_now(), until a
 *   login clears it; then the waiting changes are synced at once
 */
typedef enum {
  SI_SYNC_MANAGER_STATE_DISABLED,
  SI_SYNC_MANAGER_STATE_OFFLINE,
  SI_SYNC_MANAGER_STATE_IDLE,
  SI_SYNC_MANAGER_STATE_SYNCING,
  SI_SYNC_MANAGER_STATE_ERROR,
  SI_SYNC_MANAGER_STATE_NEEDS_LOGIN,
} SiSyncManagerState;

GType si_sync_manager_state_get_type (void) G_GNUC_CONST;
#define SI_TYPE_SYNC_MANAGER_STATE (si_sync_manager_state_get_type ())

#define SI_TYPE_SYNC_MANAGER (si_sync_manager_get_type ())
G_DECLARE_FINAL_TYPE (SiSyncManager, si_sync_manager, SI, SYNC_MANAGER, GObject)

/* Properties (all notify; read-only unless said):
 *   "store" (SiStore, construct-only), "account" (SiAccount, construct-only),
 *   "network-monitor" (GNetworkMonitor, construct-only; default: g_network_monitor_get_default())
 *   "state" (SiSyncManagerState)
 *   "progress-done", "progress-total" (guint): records, during a sync
 *   "pending-changes" (guint): local changes waiting to be pushed
 *   "conflicts" (guint): conflicted copies in the notebook
 *   "last-sync-time" (gint64): µs since the epoch of the last successful sync, 0 never
 *   "last-error" (string, nullable): the last sync's error message, for people
 *   "next-retry-time" (gint64): µs since the epoch (g_get_real_time()) of the next automatic
 *     retry after an error, 0 when none is planned
 *   "interval" (guint, read-write): seconds between periodic syncs, 0 none (default 300)
 *   "auto-push" (gboolean, read-write): sync a few seconds after each local edit (default TRUE)
 *   "auto-push-delay" (guint, read-write): those seconds (default 3)
 *
 * Signal "sync-finished" (const SiSyncReport *report, const GError *error): after every sync,
 * error NULL on success.
 */
SiSyncManager      *si_sync_manager_new                (SiStore        *store,
                                                        SiAccount      *account);
SiStore            *si_sync_manager_get_store          (SiSyncManager  *self);
SiAccount          *si_sync_manager_get_account        (SiSyncManager  *self);
SiSyncManagerState  si_sync_manager_get_state          (SiSyncManager  *self);
guint               si_sync_manager_get_progress_done  (SiSyncManager  *self);
guint               si_sync_manager_get_progress_total (SiSyncManager  *self);
guint               si_sync_manager_get_pending_changes (SiSyncManager *self);
guint               si_sync_manager_get_conflicts      (SiSyncManager  *self);
gint64              si_sync_manager_get_last_sync_time (SiSyncManager  *self);
const char         *si_sync_manager_get_last_error     (SiSyncManager  *self);
gint64              si_sync_manager_get_next_retry_time (SiSyncManager *self);
guint               si_sync_manager_get_interval       (SiSyncManager  *self);
void                si_sync_manager_set_interval       (SiSyncManager  *self,
                                                        guint           seconds);
gboolean            si_sync_manager_get_auto_push      (SiSyncManager  *self);
void                si_sync_manager_set_auto_push      (SiSyncManager  *self,
                                                        gboolean        auto_push);
guint               si_sync_manager_get_auto_push_delay (SiSyncManager *self);
void                si_sync_manager_set_auto_push_delay (SiSyncManager *self,
                                                         guint          seconds);
/* The report of the last finished sync (zeros before the first). */
const SiSyncReport *si_sync_manager_get_last_report    (SiSyncManager  *self);

/* Starts watching (network, local edits, timers) and syncs once. Idempotent. */
void                si_sync_manager_start              (SiSyncManager  *self);
/* Stops all timers and cancels a running sync; local changes are kept. */
void                si_sync_manager_stop               (SiSyncManager  *self);
/* "Sync now": an incremental sync as soon as possible (joins a running one); resets the
 * backoff. */
void                si_sync_manager_sync_now           (SiSyncManager  *self);
/* Cancels the running sync, if any; the state goes back to idle (or offline). */
void                si_sync_manager_cancel             (SiSyncManager  *self);

/* Backoff after a retryable error: @initial_ms doubled each time, ±20 % jitter, at most
 * @max_ms (defaults 5 s and 15 min). For tests. */
void                si_sync_manager_set_backoff        (SiSyncManager  *self,
                                                        guint           initial_ms,
                                                        guint           max_ms);

G_END_DECLS
