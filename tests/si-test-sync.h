/* si-test-sync.h — what the test-sync*.c programs share, on top of si-test-server.h: a real
 * server with one user, notebooks, syncing and waiting for it, ideas, and what a notebook or
 * the server holds. Every function asserts on unexpected failures. */
#pragma once

#include "si-store.h"
#include "si-sync-engine.h"
#include "si-test-server.h"

G_BEGIN_DECLS

/* A started saveidea-server with the user alice, and her token. */
typedef struct {
  SiTestServer *server;
  char         *token;
} Server;

Server       *server_new    (void);
void          server_free   (Server          *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

/* The notebook @name.db in the user data directory. */
SiStore      *open_store    (const char      *name);
SiSyncEngine *engine_for    (Server          *s,
                             SiStore         *store);
/* A GAsyncReadyCallback that keeps a reference to the result in *@user_data. */
void          got_result    (GObject         *source,
                             GAsyncResult    *result,
                             gpointer         user_data);
/* Runs one sync to its end in the default main context. */
gboolean      run_sync      (SiSyncEngine    *engine,
                             SiSyncMode       mode,
                             GCancellable    *cancellable,
                             SiSyncReport    *report,
                             GError         **error);
/* run_sync() that must succeed. */
SiSyncReport  sync_ok       (SiSyncEngine    *engine,
                             SiSyncMode       mode);
/* Saves a new idea with the NULL-terminated @tags (NULL: none). */
SiIdea       *add_idea      (SiStore         *store,
                             const char      *title,
                             const char      *body,
                             const char * const *tags);
/* The idea titled @title, or NULL. */
SiIdea       *find_by_title (SiStore         *store,
                             const char      *title);
void          save          (SiStore         *store,
                             SiIdea          *idea);
/* Everything a person sees in a notebook, as one sorted text. */
char         *dump          (SiStore         *store);
/* The records in @collection on the server (@live_only: not deleted ones). */
guint         server_count  (Server          *s,
                             const char      *collection,
                             gboolean         live_only);
/* Saves @n ideas titled "@prefix N" in one transaction. */
void          add_many      (SiStore         *store,
                             guint            n,
                             const char      *prefix);
/* Runs saveidea-cli on @db with @token and the NULL-terminated arguments; its exit status. */
int           run_cli       (const char      *db,
                             const char      *token,
                             char           **out,
                             char           **err,
                             const char      *first,
                             ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
