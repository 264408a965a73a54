/* si-test-server-api.h — small helpers the test-server*.c programs share, on top of
 * si-test-server.h: a server with users, records as JSON, requests that assert their status,
 * and reading pages and error bodies. Every function asserts on unexpected failures. */
#pragma once

#include "si-test-server.h"

G_BEGIN_DECLS

/* The password of every user start_server() adds, and two record times. */
#define PASSWORD "correct horse battery"
#define T0 "2026-11-28T04:08:50.123Z"
#define T1 "2026-11-28T05:00:00.000Z"

/* A started server with the NULL-terminated users, each with PASSWORD. */
SiTestServer   *start_server   (const char     *first_user,
                                ...);
/* An idea's or a tag's JSON; @uid NULL: a fresh one; @tags NULL: []. */
char           *idea_json      (const char     *uid,
                                const char     *title,
                                const char     *tags);
char           *tag_json       (const char     *uid,
                                const char     *name);
/* POSTs and asserts @expected; returns the response. */
SiTestResponse *post           (SiTestServer   *server,
                                const char     *token,
                                const char     *collection,
                                const char     *body,
                                guint           expected);
/* Creates one and returns its id (and version in @out_version, which may be NULL). */
gint64          create_idea    (SiTestServer   *server,
                                const char     *token,
                                const char     *title,
                                const char     *tags,
                                gint64         *out_version);
gint64          create_tag     (SiTestServer   *server,
                                const char     *token,
                                const char     *name,
                                gint64         *out_version);
/* GETs the path @format makes, with no assertion on the status. */
SiTestResponse *get            (SiTestServer   *server,
                                const char     *token,
                                const char     *format,
                                ...) G_GNUC_PRINTF (3, 4);
JsonArray      *page_records   (SiTestResponse *r);
JsonObject     *record_at      (JsonArray      *records,
                                guint           i);
/* Asserts the status and an error body with @code and a message. */
void            assert_error   (SiTestResponse *r,
                                guint           status,
                                const char     *code);
char           *version_header (gint64          version);
gboolean        array_has      (JsonArray      *array,
                                gint64          value);

/* What login_sent() saw of an asynchronous request sent with soup_session_send_and_read_async(). */
typedef struct {
  gboolean  done;
  guint     status;
  GError   *error;
} AsyncLogin;

void            login_sent     (GObject        *source,
                                GAsyncResult   *result,
                                gpointer        user_data);

G_END_DECLS
