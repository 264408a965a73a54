/* si-history.h — every version of an idea, and the Trash.
 *
 * History. The server keeps the earlier versions of each idea; this notebook keeps the last
 * SI_HISTORY_LOCAL_MAX versions it has seen of each (the server's versions it had in place, and
 * its own text before a pulled change or a restore replaced it), so an idea's history works
 * offline, and the rest comes from the server when it can be reached
 * (`GET /api/v1/ideas/<id>/history`). Restoring a version is a new local edit of the idea (its
 * title, text, pin and tags): it syncs like any other edit, so every device gets it.
 *
 * Trash. A deleted idea (here, or on another device: a pulled deletion) stays in this notebook's
 * Trash with its last content for SI_TRASH_RETENTION_DAYS days, so the Trash works offline; the
 * server's Trash (`GET /api/v1/trash`) is merged in by uid when online. Undeleting a deletion
 * not sent yet undoes it here; a deletion the server has is undone on the server
 * (`POST …/undelete`), whose answer, the idea's new live version, is applied like a pulled
 * change, so every device gets the idea back through its ordinary sync. Deleting forever
 * removes the content from the server (`POST …/purge`) and from this notebook.
 *
 * The online functions take an SiSyncEngine (server address and token: see
 * si_history_engine_new_async()), or NULL to work on this notebook alone. They run on the
 * thread-default main context of the caller; nothing blocks on the network. The sync protocol
 * and the conflict rules are unchanged.
 */
#pragma once

#include <gio/gio.h>

#include "si-account.h"
#include "si-store.h"
#include "si-sync-engine.h"

G_BEGIN_DECLS

/* How many versions of one idea this notebook keeps (the current one not counted); older ones
 * go first. A version of the server's whose text is larger than SI_HISTORY_LOCAL_BODY_MAX bytes
 * is not kept (the server has it); this notebook's own versions always are. */
#define SI_HISTORY_LOCAL_MAX 20
#define SI_HISTORY_LOCAL_BODY_MAX (256 * 1024)
/* At most this many versions are listed by si_history_list_async(), the newest first; and no
 * further page of the server's is asked for once the texts listed pass SI_HISTORY_LIST_MAX_BYTES
 * (the same bound holds for the server's Trash in si_trash_list_async()). */
#define SI_HISTORY_LIST_MAX 500
#define SI_HISTORY_LIST_MAX_BYTES (64 * 1024 * 1024)
/* How long a deleted idea stays in this notebook's Trash. */
#define SI_TRASH_RETENTION_DAYS 30
/* At most this many entries are kept in this notebook's Trash (the oldest deletions go first). */
#define SI_TRASH_LOCAL_MAX 2000

#define SI_HISTORY_ERROR (si_history_error_quark ())

/**
 * SiHistoryError:
 * @SI_HISTORY_ERROR_OFFLINE: the deletion is on the server: undoing it (or deleting forever)
 *   needs the server, which is not set up or cannot be reached now
 * @SI_HISTORY_ERROR_GONE: the server no longer keeps the deleted idea's content (HTTP 410)
 * @SI_HISTORY_ERROR_NOT_DELETED: the idea is not deleted (any more) on the server (HTTP 409)
 * @SI_HISTORY_ERROR_NOT_SENT: the deletion has not reached the server yet: sync first, then
 *   delete it forever
 * @SI_HISTORY_ERROR_UNSUPPORTED: the server keeps no history or Trash (an older server)
 * @SI_HISTORY_ERROR_INVALID: the server's answer is not a valid history or Trash page
 *
 * Errors of this part. Errors of the connection are SI_SYNC_ERROR's (network, login, server
 * replaced), of the notebook SI_STORE_ERROR's (a missing idea, a full disk).
 */
typedef enum {
  SI_HISTORY_ERROR_OFFLINE,
  SI_HISTORY_ERROR_GONE,
  SI_HISTORY_ERROR_NOT_DELETED,
  SI_HISTORY_ERROR_NOT_SENT,
  SI_HISTORY_ERROR_UNSUPPORTED,
  SI_HISTORY_ERROR_INVALID,
} SiHistoryError;

GQuark si_history_error_quark (void);

/* ===== One version of an idea ============================================================ */

#define SI_TYPE_HISTORY_ENTRY (si_history_entry_get_type ())
G_DECLARE_FINAL_TYPE (SiHistoryEntry, si_history_entry, SI, HISTORY_ENTRY, GObject)

/* The server's version number; 0 for a version that never reached the server (local-only). */
gint64              si_history_entry_get_version    (SiHistoryEntry *self);
/* When the version was written, µs since the epoch. */
gint64              si_history_entry_get_updated_at (SiHistoryEntry *self);
/* The device that wrote it (si-device.h), NULL when not known. */
const char         *si_history_entry_get_device     (SiHistoryEntry *self);
const char         *si_history_entry_get_title      (SiHistoryEntry *self);
const char         *si_history_entry_get_body       (SiHistoryEntry *self);
gboolean            si_history_entry_get_pinned     (SiHistoryEntry *self);
/* The version's tags by name (NULL-terminated, never NULL); tags this notebook does not know
 * are left out. */
const char * const *si_history_entry_get_tags       (SiHistoryEntry *self);
/* TRUE for a version only this notebook has (never sent to the server: "this device only"). */
gboolean            si_history_entry_get_local_only (SiHistoryEntry *self);
/* TRUE for the idea as it is now (the first entry of a list). */
gboolean            si_history_entry_get_current    (SiHistoryEntry *self);
/* The entry's number in this notebook (a version kept here), 0 when it is not kept here (the
 * current one, or one of the server's). What `saveidea-cli restore ID L<n>` takes. */
gint64              si_history_entry_get_local_id   (SiHistoryEntry *self);

/* ===== An idea's history ================================================================= */

/**
 * si_history_list_local:
 * @idea_id: an idea's local id (a live idea)
 *
 * The versions this notebook has of the idea, the newest first: the idea as it is now
 * (si_history_entry_get_current()), then the versions kept here. Works offline.
 *
 * Returns: (transfer container) (element-type SiHistoryEntry): the versions, or NULL with
 *   SI_STORE_ERROR_NOT_FOUND when there is no such idea
 */
GPtrArray *si_history_list_local  (SiStore             *store,
                                   gint64               idea_id,
                                   GError             **error);

/**
 * si_history_list_async:
 * @engine: (nullable): the server to ask; NULL: this notebook's versions only
 *
 * The idea's versions from this notebook and from the server, merged (one entry per server
 * version; the local-only ones kept), the newest first, at most SI_HISTORY_LIST_MAX. An idea
 * that never reached the server, or a server that cannot be reached, gives this notebook's
 * versions (and the reason in si_history_list_finish()'s @out_server_error).
 */
void       si_history_list_async  (SiStore             *store,
                                   SiSyncEngine        *engine,
                                   gint64               idea_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
/**
 * si_history_list_finish:
 * @out_server_error: (out) (optional) (nullable): why the server's versions are not in the list
 *   (no server, offline, an older server, a broken answer), NULL when they are
 *
 * Returns: (transfer container) (element-type SiHistoryEntry): the versions, or NULL with
 *   @error when not even this notebook's could be read (no such idea; the notebook failed)
 */
GPtrArray *si_history_list_finish (SiStore             *store,
                                   GAsyncResult        *result,
                                   GError             **out_server_error,
                                   GError             **error);

/**
 * si_history_restore:
 * @idea_id: a live idea
 * @entry: one of its versions (from a list of its history)
 *
 * Makes @entry's title, text, pin and tags the idea's content again, as a new local edit (it
 * syncs like one); tags that no longer exist are made again. The text it replaces is kept in the
 * idea's history first. One transaction.
 */
gboolean   si_history_restore     (SiStore             *store,
                                   gint64               idea_id,
                                   SiHistoryEntry      *entry,
                                   GError             **error);

/* ===== The Trash ========================================================================= */

#define SI_TYPE_TRASH_ENTRY (si_trash_entry_get_type ())
G_DECLARE_FINAL_TYPE (SiTrashEntry, si_trash_entry, SI, TRASH_ENTRY, GObject)

/* The entry's number in this notebook's Trash: what `saveidea-cli trash` lists and `undelete`
 * and `purge` take. */
gint64              si_trash_entry_get_id          (SiTrashEntry *self);
const char         *si_trash_entry_get_uid         (SiTrashEntry *self);
/* When it was deleted, created, last changed: µs since the epoch (0: not known). */
gint64              si_trash_entry_get_deleted_at  (SiTrashEntry *self);
gint64              si_trash_entry_get_created_at  (SiTrashEntry *self);
gint64              si_trash_entry_get_updated_at  (SiTrashEntry *self);
/* The device that wrote its last version, NULL when not known. */
const char         *si_trash_entry_get_device      (SiTrashEntry *self);
const char         *si_trash_entry_get_title       (SiTrashEntry *self);
const char         *si_trash_entry_get_body        (SiTrashEntry *self);
gboolean            si_trash_entry_get_pinned      (SiTrashEntry *self);
/* Its tags by name (NULL-terminated, never NULL). */
const char * const *si_trash_entry_get_tags        (SiTrashEntry *self);
/* TRUE when the server has the deletion: undoing it needs the server. FALSE for a deletion not
 * sent yet, and for an idea that never reached the server. */
gboolean            si_trash_entry_get_on_server   (SiTrashEntry *self);
/* When it leaves this notebook's Trash by itself (µs since the epoch). */
gint64              si_trash_entry_get_expires_at  (SiTrashEntry *self);

/**
 * si_trash_list_local:
 *
 * This notebook's Trash, the newest deletion first (the server's entries that an earlier
 * si_trash_list_async() brought included). Entries older than SI_TRASH_RETENTION_DAYS go first.
 *
 * Returns: (transfer container) (element-type SiTrashEntry)
 */
GPtrArray    *si_trash_list_local     (SiStore             *store,
                                       GError             **error);
/**
 * si_trash_lookup:
 * @id: si_trash_entry_get_id()
 *
 * Returns: (transfer full) (nullable): the entry, or NULL with SI_STORE_ERROR_NOT_FOUND
 */
SiTrashEntry *si_trash_lookup         (SiStore             *store,
                                       gint64               id,
                                       GError             **error);

/**
 * si_trash_list_async:
 * @engine: (nullable): the server to ask; NULL: this notebook's Trash only
 *
 * This notebook's Trash merged with the server's (by uid), the newest deletion first. The
 * server's entries are kept in this notebook's Trash (so it works offline after); entries of
 * the server's that it no longer lists (deleted forever, or undone, on another device) leave
 * it. A server that cannot be reached gives this notebook's Trash and the reason in
 * si_trash_list_finish()'s @out_server_error.
 */
void          si_trash_list_async     (SiStore             *store,
                                       SiSyncEngine        *engine,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
/* Returns: (transfer container) (element-type SiTrashEntry); see si_history_list_finish() */
GPtrArray    *si_trash_list_finish    (SiStore             *store,
                                       GAsyncResult        *result,
                                       GError             **out_server_error,
                                       GError             **error);

/**
 * si_trash_undelete_async:
 * @engine: (nullable): the server; needed when the server has the deletion
 *   (si_trash_entry_get_on_server()), else SI_HISTORY_ERROR_OFFLINE ("Connect to the server to
 *   restore this idea.")
 * @entry: an entry of the Trash
 *
 * Brings the idea back with its last content. A deletion not sent yet (or of an idea the server
 * never had) is undone in this notebook; one the server has is undone there
 * (`POST /api/v1/ideas/<id>/undelete`) and the idea's new version is applied like a pulled
 * change (a later pull of the same version changes nothing); an idea undone on another device
 * meanwhile is taken as it is on the server. The entry leaves the Trash.
 */
void          si_trash_undelete_async  (SiStore             *store,
                                        SiSyncEngine        *engine,
                                        SiTrashEntry        *entry,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
/* Returns: the restored idea's local id, 0 with @error */
gint64        si_trash_undelete_finish (SiStore             *store,
                                        GAsyncResult        *result,
                                        GError             **error);

/**
 * si_trash_purge_async:
 * @engine: (nullable): the server; needed when the server has the deletion
 * @entry: an entry of the Trash
 *
 * Deletes the idea forever: the server removes its content and every version of it
 * (`POST /api/v1/ideas/<id>/purge`), then this notebook forgets the entry and the versions it
 * kept. An idea the server never had is only forgotten here; a deletion not sent yet fails with
 * SI_HISTORY_ERROR_NOT_SENT (sync first).
 */
void          si_trash_purge_async     (SiStore             *store,
                                        SiSyncEngine        *engine,
                                        SiTrashEntry        *entry,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean      si_trash_purge_finish    (SiStore             *store,
                                        GAsyncResult        *result,
                                        GError             **error);

/* ===== The server to ask ================================================================= */

/**
 * si_history_engine_new_async:
 * @account: the notebook's account
 *
 * An engine for the functions above, with the account's server and token (the keyring's, or
 * SAVEIDEA_TOKEN): what the app and saveidea-cli pass them. Fails with
 * SI_SYNC_ERROR_NOT_CONFIGURED without an account, SI_SYNC_ERROR_NEEDS_LOGIN without a token.
 */
void          si_history_engine_new_async  (SiAccount           *account,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
/* Returns: (transfer full): the engine, NULL with @error */
SiSyncEngine *si_history_engine_new_finish (SiAccount           *account,
                                            GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
