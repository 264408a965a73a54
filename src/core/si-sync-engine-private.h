/* si-sync-engine-private.h — what the pieces of the sync engine share: the engine, one running
 * sync (a Run) and its operations, sending a request and ending the run. Only for
 * src/core/si-sync-engine*.c. */
#pragma once

#include <libsoup/soup.h>

#include "si-collection.h"
#include "si-store-private.h"
#include "si-sync-engine.h"
#include "si-wire.h"
#include "si-wire-write.h"

G_BEGIN_DECLS

struct _SiSyncEngine {
  GObject      parent_instance;

  SiStore     *store;
  /* The pull's own connection to the store's file, used on the pull's thread (opened by the
   * first page applied; one step of one run at a time). */
  SiStore     *pull_store;
  /* The push's own connection to the store's file, read on a worker to take the next batch
   * ahead (si-sync-engine-push.c: read_ahead_start()); @push_reading while one does, so that
   * one reader at a time uses it, whichever run started it. */
  SiStore     *push_store;
  gboolean     push_reading;
  char        *server_url;
  char        *token;
  SoupSession *session;
  GPtrArray   *collections;
  guint        page_size;
  guint        batch_threshold;
  gboolean     running;
  gboolean     instance_checked;
  /* The server's last answer listed SI_WIRE_FEATURE_DEVICE: pushed records carry
   * @device_name (an older server refuses the field). */
  gboolean     server_takes_device;
  /* The server's last answer listed SI_WIRE_FEATURE_CHANGES: a batch answer says which change
   * numbers the batch took, and the cursor moves past them. */
  gboolean     server_reports_changes;
  char        *device_name;    /* this notebook's (si-device.h), read when a sync starts */
  guint        progress_done;
  guint        progress_total;
};

/* The cursor of GET /changes, account-wide (sync_meta "cursor:changes"). */
#define SI_SYNC_CHANGES_FEED "changes"

typedef struct {
  SiCollection *collection;
  gint64        id;
  gint64        generation;
  SiWireMethod  method;
  gint64        sid;
  gint64        if_match;
  SiWireRecord *record;      /* POST/PUT: as sent */
  gboolean      partial;     /* @record left out relations the server does not have yet */
} PushOp;

typedef struct {
  SiSyncMode    mode;
  SiSyncReport  report;
  /* pull */
  gboolean      legacy;        /* the server has no GET /changes: one feed per collection */
  guint         coll;          /* legacy: the collection being pulled */
  gint64        cursor;
  guint         pages;         /* pages of this feed so far */
  guint         max_pages;     /* at most this many (0: not known yet) */
  GPtrArray    *seen;          /* full: per collection, the server ids listed (GHashTable) */
  /* The pull's pipeline (si-sync-engine-pull.c): while a page is applied on the pull's
   * thread, the next one is asked for and decoded. */
  gboolean      applying;      /* a page is being applied: the run ends only after it */
  gboolean      prefetching;   /* the next page is asked for or being decoded */
  gpointer      parked;        /* the next page, decoded, waiting for the one being applied */
  GError       *deferred;      /* how the run ends, once the page being applied is in */
  gboolean      ended;         /* the run's task has returned: late answers are dropped */
  /* push */
  guint         round;
  GArray       *outbox;
  guint         pos;
  guint         batch_chunk;
  GHashTable   *only;          /* "table:id" to push this round (NULL: everything) */
  GHashTable   *retry;         /* "table:id" to push again next round */
  GPtrArray    *ops;           /* in flight */
  /* The next batch of the same group, read and written out on a worker, then noted (durably)
   * while the one in flight is on the server (si-sync-engine-push.c: read_ahead_start()); sent
   * as soon as that one's answer is read. */
  GPtrArray    *next_ops;
  GString      *next_body;
  guint         next_pos;      /* run->pos before the next batch was taken */
  gboolean      reading_ahead; /* the worker reads it now */
  guint         read_ahead_serial;  /* moves on when what it reads is not wanted any more */
  GBytes       *parked_answer; /* the answer to the batch in flight, come while it reads */
  /* The answer to the batch before the one in flight, recorded in an idle once the next
   * request is written out (si-sync-engine-push.c: on_batch_body()). */
  struct _PushAnswer *unrecorded;
  GSource      *record_source;
  gboolean      server_failed; /* an operation of a batch failed with a 5xx */
  gboolean      asked_slim;    /* the batch in flight asked for slim results */
  /* where the time goes (µs), for the debug output */
  gint64        sent_at;
  gint64        us_waiting;
  gint64        us_parsing;
  gint64        us_applying;
  gint64        us_applying_cpu;
  guint         bulk_pages;    /* pages whose search index was filled per page */
} Run;

typedef void (*ResponseFunc) (GTask    *task,
                              guint     status,
                              JsonNode *json);
/* A 200 answer's body, not parsed yet (at most SI_WIRE_MAX_BYTES). */
typedef void (*RawResponseFunc) (GTask  *task,
                                 GBytes *body);

/* What a request asked the server for; each has messages of its own, for translators. */
typedef enum {
  REQUEST_CHANGES,   /* a page of the changes */
  REQUEST_CHANGE,    /* one change */
  REQUEST_BATCH,     /* a batch of changes */
} RequestKind;
/* the run (si-sync-engine.c) */
void    _si_sync_engine_push_op_free     (PushOp        *op);
void    _si_sync_engine_set_progress     (SiSyncEngine  *self,
                                          guint          done,
                                          guint          total);
void    _si_sync_engine_run_finish       (GTask         *task,
                                          GError        *error);
void    _si_sync_engine_run_cancelled    (SiSyncEngine  *self);
GError *_si_sync_engine_store_error      (GError        *error);

/* HTTP (si-sync-engine.c) */
void    _si_sync_engine_send_request     (GTask         *task,
                                          const char    *method,
                                          const char    *path,
                                          JsonNode      *body,
                                          gint64         if_match,
                                          ResponseFunc   func);
/* The same with ready JSON text as the body (si-wire-write.h): takes @body. */
void    _si_sync_engine_send_request_text (GTask        *task,
                                           const char   *method,
                                           const char   *path,
                                           GString      *body,
                                           gint64        if_match,
                                           ResponseFunc  func);
/* GET @path; a 200 answer goes to @raw_func unparsed, any other to @func. */
void    _si_sync_engine_send_request_raw (GTask         *task,
                                          const char    *path,
                                          ResponseFunc   func,
                                          RawResponseFunc raw_func);
/* @method @path with ready JSON text @body (taken); a 200 answer goes to @raw_func unparsed,
 * any other to @func. @prefer: a `Prefer` header's value (RFC 7240), or NULL. The message
 * sent, NULL when the run has ended. */
SoupMessage *_si_sync_engine_send_request_read (GTask   *task,
                                           const char   *method,
                                           const char   *path,
                                           GString      *body,
                                           const char   *prefer,
                                           ResponseFunc  func,
                                           RawResponseFunc raw_func);
void    _si_sync_engine_unexpected       (GTask         *task,
                                          guint          status,
                                          JsonNode      *json,
                                          RequestKind    kind);
void    _si_sync_engine_answer_not_valid (GTask         *task,
                                          RequestKind    kind,
                                          const GError  *error);
void    _si_sync_engine_on_info          (GTask         *task,
                                          guint          status,
                                          JsonNode      *json);

/* One request outside a sync (si-history.c): the same checks of the answer as a sync's
 * (instance id, login, server failures, JSON), a network error as SI_SYNC_ERROR_NETWORK. The
 * finish gives the body (NULL when empty, as a 204's), the status, and whether the server
 * lists SI_WIRE_FEATURE_HISTORY. */
void      _si_sync_engine_call_async   (SiSyncEngine        *self,
                                        const char          *method,
                                        const char          *path,
                                        gint64               if_match,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
JsonNode *_si_sync_engine_call_finish  (SiSyncEngine        *self,
                                        GAsyncResult        *result,
                                        guint               *out_status,
                                        gboolean            *out_has_history,
                                        GError             **error);

/* pull (si-sync-engine-pull.c) and push (si-sync-engine-push.c) */
void    _si_sync_engine_pull_next        (GTask         *task);
void    _si_sync_engine_push_round       (GTask         *task);
void    _si_sync_engine_push_run_ends    (GTask         *task);
void    _si_sync_engine_push_unrecorded_clear (Run      *run);   /* in run_free() */

G_END_DECLS
