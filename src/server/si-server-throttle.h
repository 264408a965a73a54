/* si-server-throttle.h — login throttling for saveidea-server (docs/protocol.md, "Login
 * throttling").
 *
 * Every login attempt is counted per client address and per account name (folded as the
 * storage matches names) from the moment it begins, not only once it has failed: a burst of
 * attempts sent at once is counted like the same attempts sent one after another.
 *
 *   attempt = si_server_throttle_begin (throttle, address, name, &retry_after);
 *   if (attempt == NULL)  → 429 with Retry-After: retry_after
 *   ... look the account up ...
 *   si_server_login_attempt_when_ready (attempt, verify, data);  → verify() once its delay has
 *       passed and no other attempt of the same address or name is being verified
 *   si_server_login_attempt_end (attempt, SI_SERVER_LOGIN_FAILED);
 *
 * So one address or one name keeps at most one Argon2id verification busy at a time, whatever
 * it sends; the others wait on a timer, holding no thread. Main loop only.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Failed logins are remembered this long after the last one. */
#define SI_SERVER_THROTTLE_WINDOW_SECONDS  600
/* Attempts (failed, or still running) from one address before 429. */
#define SI_SERVER_THROTTLE_ATTEMPTS_MAX    30

typedef enum {
  SI_SERVER_LOGIN_SUCCEEDED,
  SI_SERVER_LOGIN_FAILED,
  SI_SERVER_LOGIN_ABANDONED,  /* not checked: the client went away, or the database failed */
} SiServerLoginOutcome;

#define SI_TYPE_SERVER_THROTTLE (si_server_throttle_get_type ())
G_DECLARE_FINAL_TYPE (SiServerThrottle, si_server_throttle, SI, SERVER_THROTTLE, GObject)

typedef struct _SiServerLoginAttempt SiServerLoginAttempt;

SiServerThrottle     *si_server_throttle_new        (void);

/* Begins a login attempt by @name (a valid account name) from @address. NULL when it must be
 * refused with 429: then *@out_retry_after is in how many seconds (≥ 1) to try again. */
SiServerLoginAttempt *si_server_throttle_begin      (SiServerThrottle *self,
                                                     const char       *address,
                                                     const char       *name,
                                                     guint            *out_retry_after);

/* Calls @ready once on the main loop when the password may be checked (never, if the attempt
 * is ended first). */
void                  si_server_login_attempt_when_ready (SiServerLoginAttempt *attempt,
                                                          GSourceFunc           ready,
                                                          gpointer              user_data);
/* How long the attempt waits before it is checked, in ms (for the log). */
guint                 si_server_login_attempt_get_delay  (SiServerLoginAttempt *attempt);
/* Ends the attempt (it may still be waiting) and frees it. */
void                  si_server_login_attempt_end        (SiServerLoginAttempt *attempt,
                                                          SiServerLoginOutcome  outcome);

G_END_DECLS
