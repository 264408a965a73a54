/* si-server-private.h — what the pieces of saveidea-server's HTTP API share: the server
 * object, replies, requests and the functions that cross files (si-server.c says which
 * piece does what). Only for src/server/si-server*.c. */
#pragma once

#include <libsoup/soup.h>

#include "si-server.h"
#include "si-server-listener.h"
#include "si-server-throttle.h"
#include "si-server-workers.h"
#include "si-wire.h"
#include "si-wire-write.h"

G_BEGIN_DECLS

struct _SiServer
{
  GObject          parent_instance;

  SiServerStorage *storage;           /* the first connection: the instance id */
  GAsyncQueue     *connections;       /* idle SiServerStorage connections */
  guint            n_connections;
  SiServerWorkers *workers;           /* as many threads as connections */
  GMainContext    *context;           /* where replies are sent */
  SoupServer      *soup;
  SiServerListener *listener;         /* accepts the connections soup serves */
  SiServerLimits   limits;
  gsize            max_body_bytes;

  SiServerThrottle *throttle;         /* login attempts per client address and per name */
  GPtrArray       *trusted_proxies;   /* GInetAddress: peers whose X-Forwarded-For is believed */

  guint            in_flight;
  gboolean         close_connections; /* see si_server_new() */
  gboolean         shutting_down;
  GTask           *shutdown_task;
  guint            shutdown_timeout_id;
};

/* replies: what a worker thread builds and the main loop sends */

typedef struct {
  guint      status;
  char      *body;     /* JSON text, or NULL */
  gsize      length;
  GPtrArray *headers;  /* name, value, name, value, ... */
} Reply;

/* requests: what the main loop parsed, handed to a worker */

typedef enum {
  KIND_LIST,      /* GET /<collection> and GET /changes */
  KIND_GET,
  KIND_CREATE,
  KIND_UPDATE,
  KIND_DELETE,
  KIND_BATCH,
  KIND_LOGOUT,
  KIND_LOGIN,     /* see Login */
  KIND_HISTORY,   /* GET /ideas/<id>/history */
  KIND_TRASH,     /* GET /trash */
  KIND_UNDELETE,  /* POST /ideas/<id>/undelete */
  KIND_PURGE,     /* POST /ideas/<id>/purge */
} Kind;

typedef struct _Request Request;

struct _Request
{
  SiServer          *self;
  SoupServerMessage *msg;
  gulong             finished_id;
  gboolean           finished;    /* the client went away: nothing to send */

  Kind               kind;
  SiWireCollection   collection;  /* SI_SERVER_STORAGE_ALL_COLLECTIONS for /changes */
  gint64             id;
  gint64             if_match;
  gint64             since;
  gint64             before;      /* history and trash pages: 0 for none */
  gint64             limit;
  char              *token;       /* the bearer token, if well formed */
  GBytes            *body;        /* a JSON request body, size and type checked */
  gboolean           prefer_minimal;  /* a batch: `Prefer: return=minimal` (slim results) */

  /* run on a worker thread with a connection; then done on the main loop */
  void             (*run)  (Request *request, SiServerStorage *storage);
  void             (*done) (Request *request);
  gpointer           data;
  GDestroyNotify     data_free;

  Reply              pending;     /* an error found before authentication, sent after it */
  Reply              reply;
};

/* replies (si-server.c) */
void           _si_server_reply_clear           (Reply              *reply);
void           _si_server_reply_set_header      (Reply              *reply,
                                                 const char         *name,
                                                 const char         *value);
void           _si_server_reply_send            (Reply              *reply,
                                                 SoupServerMessage  *msg);
void           _si_server_reply_set_retry_after (Reply              *reply,
                                                 SiServerStorage    *storage);
void           _si_server_respond_json          (Reply              *reply,
                                                 guint               status,
                                                 JsonNode           *node);
/* Ready JSON text (si-wire-write.h) as the body: takes @text. */
void           _si_server_respond_text          (Reply              *reply,
                                                 guint               status,
                                                 GString            *text);
void           _si_server_respond_problem       (Reply              *reply,
                                                 guint               status,
                                                 const char         *code,
                                                 const SiWireRecord *current,
                                                 const char         *format,
                                                 ...) G_GNUC_PRINTF (5, 6);
void           _si_server_respond_record        (Reply              *reply,
                                                 guint               status,
                                                 const SiWireRecord *record);
void           _si_server_respond_error         (Reply              *reply,
                                                 const GError       *error,
                                                 const SiWireRecord *current,
                                                 SiServerStorage    *storage);
SiWireProblem *_si_server_problem_from_error    (const GError       *error,
                                                 const SiWireRecord *current,
                                                 guint              *out_status);

/* requests and the worker pool (si-server.c) */
Request       *_si_server_request_new           (SiServer           *self,
                                                 SoupServerMessage  *msg,
                                                 Kind                kind);
void           _si_server_request_free          (Request            *request);
void           _si_server_request_send_reply    (Request            *request);
void           _si_server_request_dispatch      (Request            *request,
                                                 void              (*run) (Request *request, SiServerStorage *storage),
                                                 void              (*done) (Request *request),
                                                 gboolean            pause);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, _si_server_request_free)

/* reading requests and routing (si-server-routes.c) */
GBytes        *_si_server_read_body             (SiServer           *self,
                                                 SoupServerMessage  *msg,
                                                 Reply              *reply);
JsonNode      *_si_server_parse_body            (GBytes             *body,
                                                 Reply              *reply);
void           _si_server_handle_request        (SoupServer         *soup,
                                                 SoupServerMessage  *msg,
                                                 const char         *path,
                                                 GHashTable         *query,
                                                 gpointer            user_data);
void           _si_server_handle_early          (SoupServer         *soup,
                                                 SoupServerMessage  *msg,
                                                 const char         *path,
                                                 GHashTable         *query,
                                                 gpointer            user_data);

/* bearer tokens and the client's address (si-server-auth.c) */
char          *_si_server_read_bearer_token     (SoupServerMessage  *msg);
gint64         _si_server_authenticate          (Request            *request,
                                                 SiServerStorage    *storage,
                                                 char              **out_token_hash);
char          *_si_server_client_address        (SiServer           *self,
                                                 SoupServerMessage  *msg);

/* POST /login (si-server-login.c) */
void           _si_server_handle_login          (SiServer           *self,
                                                 SoupServerMessage  *msg,
                                                 Reply              *reply);

/* every authenticated request, on a worker thread (si-server-records.c) */
void           _si_server_api_run               (Request            *request,
                                                 SiServerStorage    *storage);
/* Whether batch answers carry `changes` and the server lists SI_WIRE_FEATURE_CHANGES: yes,
 * unless the hidden environment variable SAVEIDEA_SERVER_TEST_NO_CHANGES=1 makes it a server
 * from before the feature, for tests. */
gboolean       _si_server_reports_changes       (void);
gboolean       _si_server_answers_slim          (void);

G_END_DECLS
