/* si-sync-engine.h — one sync of an SiStore with a saveidea-server.
 *
 * The four verbs of the old Backbone.offline library, done right:
 *  - pull: pages through `GET /api/v1/<collection>?since=<cursor>` in dependency order (tags
 *    before ideas), applying each page and moving the cursor in one transaction; a dirty local
 *    record is merged with the server's (si-merge.h), never overwritten.
 *  - push: sends the outbox in dependency order, remapping local relation ids to server ids;
 *    creates carry the uid (idempotent), updates and deletes carry If-Match; a 412 leads to a
 *    merge and another try; many waiting records go through `POST /api/v1/batch`.
 *  - incremental: pull, then push.
 *  - full: pull from cursor 0 (local records the server no longer has go away, unless they
 *    carry unpushed work), then push: unpushed local work is kept.
 *
 * Everything is asynchronous (libsoup); the main loop never waits on the network. Local
 * changes are never lost on an error: a network error, a 5xx, a 401 or a cancellation leave
 * every dirty record dirty.
 */
#pragma once

#include <gio/gio.h>

#include "si-store.h"

G_BEGIN_DECLS

#define SI_SYNC_ERROR (si_sync_error_quark ())

/**
 * SiSyncError:
 * @SI_SYNC_ERROR_NETWORK: the server could not be reached, or the connection broke; retry later
 * @SI_SYNC_ERROR_SERVER: the server failed (5xx, 429) or answered something that is not the
 *   protocol (malformed JSON); retry later
 * @SI_SYNC_ERROR_NEEDS_LOGIN: the server refused the token (401), or there is none: log in again
 * @SI_SYNC_ERROR_SERVER_REPLACED: the server's instance id is not the one this notebook synced
 *   with (the server was reset or replaced); nothing was applied. See
 *   si_sync_engine_forget_server().
 * @SI_SYNC_ERROR_NOT_SAVEIDEA: the URL does not answer like a saveidea-server (or speaks
 *   another protocol version)
 * @SI_SYNC_ERROR_WRONG_PASSWORD: the server refused the user name or the password (login)
 * @SI_SYNC_ERROR_UNSYNCED_CHANGES: logging out would strand changes that are not synced yet
 * @SI_SYNC_ERROR_NOT_CONFIGURED: no server account is set up for this notebook
 * @SI_SYNC_ERROR_BUSY: a sync is already running
 * @SI_SYNC_ERROR_KEYRING: the keyring could not be used (locked, or no Secret Service)
 * @SI_SYNC_ERROR_STORE: the local database failed; the message says why
 * @SI_SYNC_ERROR_FAILED: anything else
 *
 * Errors of the sync engine, the manager and the account. Cancellation is
 * G_IO_ERROR_CANCELLED.
 */
typedef enum {
  SI_SYNC_ERROR_NETWORK,
  SI_SYNC_ERROR_SERVER,
  SI_SYNC_ERROR_NEEDS_LOGIN,
  SI_SYNC_ERROR_SERVER_REPLACED,
  SI_SYNC_ERROR_NOT_SAVEIDEA,
  SI_SYNC_ERROR_WRONG_PASSWORD,
  SI_SYNC_ERROR_UNSYNCED_CHANGES,
  SI_SYNC_ERROR_NOT_CONFIGURED,
  SI_SYNC_ERROR_BUSY,
  SI_SYNC_ERROR_KEYRING,
  SI_SYNC_ERROR_STORE,
  SI_SYNC_ERROR_FAILED,
} SiSyncError;

GQuark   si_sync_error_quark         (void);
/* TRUE for errors that a later retry may cure (network, server). */
gboolean si_sync_error_is_retryable  (const GError *error);

/**
 * SiSyncMode:
 * @SI_SYNC_MODE_INCREMENTAL: pull, then push
 * @SI_SYNC_MODE_FULL: pull everything from cursor 0, then push
 * @SI_SYNC_MODE_PULL: pull only
 * @SI_SYNC_MODE_PUSH: push only
 */
typedef enum {
  SI_SYNC_MODE_INCREMENTAL,
  SI_SYNC_MODE_FULL,
  SI_SYNC_MODE_PULL,
  SI_SYNC_MODE_PUSH,
} SiSyncMode;

/**
 * SiSyncReport:
 * @pulled: server records (and tombstones) applied to the store
 * @pushed: local changes the server accepted
 * @merged: records changed on both sides whose changes were merged without a conflict
 * @conflicts: conflicted copies made (the server's version stays, the local one is kept as a copy)
 * @rejected: local records the server refused; each carries the reason (si_idea_get_sync_error())
 * @requests: HTTP requests made
 *
 * What one sync did.
 */
typedef struct {
  guint pulled;
  guint pushed;
  guint merged;
  guint conflicts;
  guint rejected;
  guint requests;
} SiSyncReport;

#define SI_TYPE_SYNC_REPORT (si_sync_report_get_type ())
GType         si_sync_report_get_type (void) G_GNUC_CONST;
SiSyncReport *si_sync_report_copy     (const SiSyncReport *report);
void          si_sync_report_free     (SiSyncReport       *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SiSyncReport, si_sync_report_free)

#define SI_TYPE_SYNC_ENGINE (si_sync_engine_get_type ())
G_DECLARE_FINAL_TYPE (SiSyncEngine, si_sync_engine, SI, SYNC_ENGINE, GObject)

/* @server_url: e.g. "https://ideas.example.org" (no /api/v1); @token: the bearer token */
SiSyncEngine *si_sync_engine_new             (SiStore            *store,
                                              const char         *server_url,
                                              const char         *token);
SiStore      *si_sync_engine_get_store       (SiSyncEngine       *self);
const char   *si_sync_engine_get_server_url  (SiSyncEngine       *self);
void          si_sync_engine_set_token       (SiSyncEngine       *self,
                                              const char         *token);
gboolean      si_sync_engine_get_running     (SiSyncEngine       *self);
/* Progress of the running sync, in records ("progress-done" / "progress-total" notify). */
guint         si_sync_engine_get_progress_done  (SiSyncEngine    *self);
guint         si_sync_engine_get_progress_total (SiSyncEngine    *self);

/* Tuning (tests and benchmarks): records per pulled page (1..1000, default 1000); from how
 * many waiting records on the batch endpoint is used (default 8; 0 never). */
void          si_sync_engine_set_page_size       (SiSyncEngine   *self,
                                                  guint           page_size);
void          si_sync_engine_set_batch_threshold (SiSyncEngine   *self,
                                                  guint           threshold);

/* One sync at a time per engine: a second call fails with SI_SYNC_ERROR_BUSY. */
void          si_sync_engine_sync_async      (SiSyncEngine       *self,
                                              SiSyncMode          mode,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
/* @out_report: (optional): what the sync did; also filled (partially) on failure */
gboolean      si_sync_engine_sync_finish     (SiSyncEngine       *self,
                                              GAsyncResult       *result,
                                              SiSyncReport       *out_report,
                                              GError            **error);

/* The four verbs, as si_sync_engine_sync_async() with a mode; finish with
 * si_sync_engine_sync_finish(). */
void          si_sync_engine_full_async        (SiSyncEngine *self, GCancellable *cancellable,
                                                GAsyncReadyCallback callback, gpointer user_data);
void          si_sync_engine_pull_async        (SiSyncEngine *self, GCancellable *cancellable,
                                                GAsyncReadyCallback callback, gpointer user_data);
void          si_sync_engine_push_async        (SiSyncEngine *self, GCancellable *cancellable,
                                                GAsyncReadyCallback callback, gpointer user_data);
void          si_sync_engine_incremental_async (SiSyncEngine *self, GCancellable *cancellable,
                                                GAsyncReadyCallback callback, gpointer user_data);

/* After SI_SYNC_ERROR_SERVER_REPLACED, when the user agrees: forgets everything this notebook
 * knew about the old server (cursors, server ids, versions, the instance id) and marks every
 * live record to be uploaded again; the next sync treats the new server as a fresh one.
 * Local tombstones of server records are dropped. Nothing local is deleted. */
gboolean      si_sync_engine_forget_server   (SiStore            *store,
                                              GError            **error);

/* When @store last finished a sync successfully (µs since the epoch), 0 never. */
gint64        si_sync_engine_get_last_sync_time (SiStore         *store);

G_END_DECLS
