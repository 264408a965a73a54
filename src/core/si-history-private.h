/* si-history-private.h — what the store (si-store-history.c, and the hooks in si-store-ideas.c
 * and si-store-sync.c) and si-history.c share about versions and the Trash. Only for src/core
 * and the tests. */
#pragma once

#include "si-history.h"
#include "si-store-private.h"
#include "si-wire-history.h"

G_BEGIN_DECLS

/* si-history.c: the entries, as the store reads them. Times in µs; @tags NULL-terminated
 * (NULL: none). */
SiHistoryEntry *_si_history_entry_new (gint64               local_id,
                                       gint64               version,
                                       gint64               updated_at,
                                       const char          *device,
                                       const char          *title,
                                       const char          *body,
                                       gboolean             pinned,
                                       const char * const  *tags,
                                       gboolean             local_only,
                                       gboolean             current);

typedef struct {
  gint64       id;
  const char  *uid;
  gint64       sid;          /* 0: never on the server */
  gint64       version;      /* the tombstone's on the server, 0: not known */
  gint64       deleted_at;
  gint64       created_at;
  gint64       updated_at;
  const char  *device;
  const char  *title;
  const char  *body;
  gboolean     pinned;
  const char * const *tags;
  gboolean     on_server;
} SiTrashRow;

SiTrashEntry   *_si_trash_entry_new         (const SiTrashRow *row);
gint64          _si_trash_entry_get_sid     (SiTrashEntry     *self);
gint64          _si_trash_entry_get_version (SiTrashEntry     *self);

/* si-store-history.c. Each expects the caller's transaction unless said. */

/* Keeps the idea's present content as a version before it is replaced: when it is a server
 * version (synced), or, with @dirty_too, when it is local text (version 0, "this device
 * only"). Nothing for a tombstone, or a version kept already. */
gboolean   _si_store_history_note          (SiStore            *self,
                                            gint64              idea_id,
                                            gboolean            dirty_too,
                                            GError            **error);
/* Around the application of a pulled idea record (_si_store_sync_apply()): before, the local
 * text it replaces is kept, and a deleted idea goes to the Trash; after, a server version that
 * was merged into local edits (@applied) is kept. */
gboolean   _si_store_history_before_apply  (SiStore            *self,
                                            const SiWireRecord *remote,
                                            GError            **error);
gboolean   _si_store_history_after_apply   (SiStore            *self,
                                            const SiWireRecord *remote,
                                            SiSyncApplied       applied,
                                            GError            **error);
/* A local deletion of idea @idea_id (still in place): its content goes to the Trash. */
gboolean   _si_store_trash_keep            (SiStore            *self,
                                            gint64              idea_id,
                                            GError            **error);
/* The server took the deletion of @uid (its @sid) as tombstone @version. */
gboolean   _si_store_trash_pushed          (SiStore            *self,
                                            const char         *uid,
                                            gint64              sid,
                                            gint64              version,
                                            GError            **error);
/* Forgets the Trash entry of @uid, and with @versions_too the versions kept of it. */
gboolean   _si_store_trash_forget          (SiStore            *self,
                                            const char         *uid,
                                            gboolean            versions_too,
                                            GError            **error);
/* Entries older than SI_TRASH_RETENTION_DAYS before @now (µs), past SI_TRASH_LOCAL_MAX, and
 * the versions of ideas neither live nor in the Trash, go. */
gboolean   _si_store_trash_prune           (SiStore            *self,
                                            gint64              now,
                                            GError            **error);
/* Takes the server's Trash (SiWireTrashEntry, all of it when @complete) in: new entries are
 * kept, known ones updated; with @complete, entries of deletions the server had that it no
 * longer lists go. Own transaction. */
gboolean   _si_store_trash_merge_server    (SiStore            *self,
                                            GPtrArray          *entries,
                                            gboolean            complete,
                                            GError            **error);

/* The server is forgotten (si_sync_engine_forget_server()): the kept versions and the Trash
 * become this notebook's own (no server ids or versions). */
gboolean   _si_store_history_forget_server (SiStore            *self,
                                            GError            **error);

/* Reading (no transaction needed). */
GPtrArray *_si_store_history_read          (SiStore            *self,
                                            gint64              idea_id,
                                            char              **out_uid,
                                            gint64             *out_sid,
                                            GError            **error);
/* @id 0: the whole Trash, else that entry (an empty array when there is none). */
GPtrArray *_si_store_trash_read            (SiStore            *self,
                                            gint64              id,
                                            GError            **error);
/* The names, one a line, of the local tags with server ids @tags (unknown ones left out). */
char      *_si_store_history_tag_names     (SiStore            *self,
                                            GArray             *tags);

G_END_DECLS
