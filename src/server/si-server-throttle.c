/* si-server-throttle.c — login throttling for saveidea-server (see si-server-throttle.h).
 *
 * A table of keys, "addr:ADDRESS" and "user:FOLDED-NAME", each with its failures in the window
 * and its attempts still running. An attempt's delay comes from the larger count of its two
 * keys, failures and running attempts together, taken when it begins; the 429 from the
 * address's count. Once its delay has passed, an attempt waits for both its keys to have no
 * verification running, so that a burst from one address (or against one name) holds one of
 * the few Argon2id threads, not all of them, and every other client's login goes on.
 *
 * The table is bounded in bytes: when it is full, it forgets idle keys, those with the fewest
 * failures first. Keys with attempts running are never forgotten (attempts point at them).
 */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include <string.h>

#include "si-server-storage.h"
#include "si-server-throttle.h"

#define WINDOW_USEC             ((gint64) SI_SERVER_THROTTLE_WINDOW_SECONDS * G_USEC_PER_SEC)
#define FAILURES_BEFORE_DELAY   3
#define DELAY_BASE_MS           250
#define DELAY_MAX_MS            8000
/* Argon2id verifications running at once for one key. */
#define VERIFYING_PER_KEY_MAX   1
/* About 12,000 keys. */
#define TABLE_MAX_BYTES         (2 * 1024 * 1024)

typedef struct {
  char   *key;
  guint   failures;
  gint64  last;       /* monotonic µs of the last failure */
  guint   running;    /* attempts begun and not ended */
  guint   verifying;  /* of them, those being checked now */
  GQueue  waiting;    /* SiServerLoginAttempt: delay over, waiting for this key's turn */
} Entry;

struct _SiServerThrottle
{
  GObject     parent_instance;

  GHashTable *entries;  /* key -> Entry (owned) */
  gsize       bytes;    /* what entries holds, roughly: see entry_bytes() */
};

struct _SiServerLoginAttempt
{
  SiServerThrottle *throttle;   /* a reference */
  Entry            *entries[2]; /* the address's, the name's */
  gint64            not_before; /* monotonic µs */
  guint             delay_ms;
  guint             source_id;  /* the delay's timer, or the idle that calls ready */
  Entry            *waiting_on;
  gboolean          verifying;
  GSourceFunc       ready;
  gpointer          ready_data;
};

G_DEFINE_FINAL_TYPE (SiServerThrottle, si_server_throttle, G_TYPE_OBJECT)

static gsize
entry_bytes (const char *key)
{
  /* The entry, its key, and the hash table's key, value and hash slots. */
  return sizeof (Entry) + strlen (key) + 1 + 2 * sizeof (gpointer) + sizeof (guint);
}

static void
entry_free (Entry *entry)
{
  g_assert (entry->running == 0);
  g_free (entry->key);
  g_free (entry);
}

static void
entry_remove (SiServerThrottle *self,
              Entry            *entry)
{
  g_assert (entry->running == 0);
  self->bytes -= entry_bytes (entry->key);
  g_hash_table_remove (self->entries, entry->key);  /* frees it */
}

/* Forgets failures older than the window. */
static void
entry_expire (Entry  *entry,
              gint64  now)
{
  if (entry->failures > 0 && now - entry->last > WINDOW_USEC)
    entry->failures = 0;
}

/* An idle key that holds no failures is worth nothing: drop it. */
static void
entry_drop_if_empty (SiServerThrottle *self,
                     Entry            *entry)
{
  if (entry->running == 0 && entry->failures == 0)
    entry_remove (self, entry);
}

static int
compare_usefulness (gconstpointer a,
                    gconstpointer b)
{
  const Entry *x = *(Entry * const *) a;
  const Entry *y = *(Entry * const *) b;

  if (x->failures != y->failures)
    return x->failures < y->failures ? -1 : 1;
  return x->last < y->last ? -1 : x->last > y->last;
}

/* Makes room for @needed more bytes, forgetting idle keys, the least useful first, down to
 * three quarters of the limit (so that this runs once per many insertions, not at each).
 * FALSE if even that leaves no room: every key has attempts running. */
static gboolean
ensure_room (SiServerThrottle *self,
             gsize             needed)
{
  g_autoptr(GPtrArray) idle = NULL;
  GHashTableIter iter;
  Entry *entry;
  gint64 now;

  if (self->bytes + needed <= TABLE_MAX_BYTES)
    return TRUE;

  now = g_get_monotonic_time ();
  idle = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->running == 0)
      {
        entry_expire (entry, now);
        g_ptr_array_add (idle, entry);
      }
  g_ptr_array_sort (idle, compare_usefulness);
  for (guint i = 0; i < idle->len && self->bytes + needed > TABLE_MAX_BYTES / 4 * 3; i++)
    entry_remove (self, g_ptr_array_index (idle, i));
  g_debug ("Login throttling forgot idle keys: %u keys, %" G_GSIZE_FORMAT " bytes left",
           g_hash_table_size (self->entries), self->bytes);
  return self->bytes + needed <= TABLE_MAX_BYTES;
}

/* The entry of @key, created if need be (call ensure_room() first). */
static Entry *
entry_get (SiServerThrottle *self,
           const char       *key,
           gint64            now)
{
  Entry *entry = g_hash_table_lookup (self->entries, key);

  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      entry->key = g_strdup (key);
      g_queue_init (&entry->waiting);
      g_hash_table_insert (self->entries, entry->key, entry);
      self->bytes += entry_bytes (key);
    }
  entry_expire (entry, now);
  return entry;
}

static guint
delay_for (guint count)
{
  guint shift;

  if (count < FAILURES_BEFORE_DELAY)
    return 0;
  shift = count - FAILURES_BEFORE_DELAY;
  if (shift > 6)
    return DELAY_MAX_MS;
  return MIN ((guint) DELAY_BASE_MS << shift, (guint) DELAY_MAX_MS);
}

SiServerThrottle *
si_server_throttle_new (void)
{
  return g_object_new (SI_TYPE_SERVER_THROTTLE, NULL);
}

SiServerLoginAttempt *
si_server_throttle_begin (SiServerThrottle *self,
                          const char       *address,
                          const char       *name,
                          guint            *out_retry_after)
{
  g_autofree char *folded = NULL;
  g_autofree char *addr_key = NULL;
  g_autofree char *user_key = NULL;
  SiServerLoginAttempt *attempt;
  Entry *addr, *user;
  gint64 now = g_get_monotonic_time ();
  guint count;

  g_return_val_if_fail (SI_IS_SERVER_THROTTLE (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (si_server_account_name_is_valid (name), NULL);
  g_return_val_if_fail (out_retry_after != NULL, NULL);

  folded = si_server_account_name_fold (name);
  addr_key = g_strconcat ("addr:", address, NULL);
  user_key = g_strconcat ("user:", folded, NULL);

  if (!ensure_room (self, entry_bytes (addr_key) + entry_bytes (user_key)))
    {
      static gint64 warned;

      if (warned == 0 || now - warned > 60 * G_USEC_PER_SEC)  /* once a minute at most */
        {
          g_warning ("Login throttling is full of logins in progress; refusing more for now");
          warned = now;
        }
      *out_retry_after = 1;
      return NULL;
    }
  addr = entry_get (self, addr_key, now);
  user = entry_get (self, user_key, now);

  if (addr->failures + addr->running >= SI_SERVER_THROTTLE_ATTEMPTS_MAX)
    {
      if (addr->failures >= SI_SERVER_THROTTLE_ATTEMPTS_MAX)
        *out_retry_after = MAX ((addr->last + WINDOW_USEC - now) / G_USEC_PER_SEC + 1, 1);
      else  /* by the time the running ones are through, the count is known */
        *out_retry_after = DELAY_MAX_MS / 1000 + 1;
      entry_drop_if_empty (self, user);
      return NULL;
    }

  count = MAX (addr->failures + addr->running, user->failures + user->running);
  addr->running++;
  user->running++;

  attempt = g_new0 (SiServerLoginAttempt, 1);
  attempt->throttle = g_object_ref (self);
  attempt->entries[0] = addr;
  attempt->entries[1] = user;
  attempt->delay_ms = delay_for (count);
  attempt->not_before = now + (gint64) attempt->delay_ms * 1000;
  return attempt;
}

guint
si_server_login_attempt_get_delay (SiServerLoginAttempt *attempt)
{
  g_return_val_if_fail (attempt != NULL, 0);

  return attempt->delay_ms;
}

static gboolean
call_ready (gpointer user_data)
{
  SiServerLoginAttempt *attempt = user_data;

  attempt->source_id = 0;
  attempt->ready (attempt->ready_data);
  return G_SOURCE_REMOVE;
}

/* Takes both keys' turn and calls ready (from an idle: never from inside begin or end), or
 * waits in the queue of a key whose turn is taken. */
static void
try_start (SiServerLoginAttempt *attempt)
{
  for (guint i = 0; i < G_N_ELEMENTS (attempt->entries); i++)
    if (attempt->entries[i]->verifying >= VERIFYING_PER_KEY_MAX)
      {
        attempt->waiting_on = attempt->entries[i];
        g_queue_push_tail (&attempt->waiting_on->waiting, attempt);
        return;
      }
  for (guint i = 0; i < G_N_ELEMENTS (attempt->entries); i++)
    attempt->entries[i]->verifying++;
  attempt->verifying = TRUE;
  attempt->source_id = g_idle_add (call_ready, attempt);
}

static gboolean
delay_over (gpointer user_data)
{
  SiServerLoginAttempt *attempt = user_data;

  attempt->source_id = 0;
  try_start (attempt);
  return G_SOURCE_REMOVE;
}

void
si_server_login_attempt_when_ready (SiServerLoginAttempt *attempt,
                                    GSourceFunc           ready,
                                    gpointer              user_data)
{
  gint64 wait;

  g_return_if_fail (attempt != NULL);
  g_return_if_fail (attempt->ready == NULL);
  g_return_if_fail (ready != NULL);

  attempt->ready = ready;
  attempt->ready_data = user_data;
  wait = attempt->not_before - g_get_monotonic_time ();
  if (wait > 0)
    attempt->source_id = g_timeout_add ((guint) ((wait + 999) / 1000), delay_over, attempt);
  else
    try_start (attempt);
}

/* A key's turn is free: let its waiting attempts try again, in order. */
static void
wake (Entry *entry)
{
  while (entry->verifying < VERIFYING_PER_KEY_MAX && !g_queue_is_empty (&entry->waiting))
    {
      SiServerLoginAttempt *next = g_queue_pop_head (&entry->waiting);

      next->waiting_on = NULL;
      try_start (next);
    }
}

void
si_server_login_attempt_end (SiServerLoginAttempt *attempt,
                             SiServerLoginOutcome  outcome)
{
  SiServerThrottle *self;
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (attempt != NULL);

  self = attempt->throttle;
  g_clear_handle_id (&attempt->source_id, g_source_remove);
  if (attempt->waiting_on != NULL)
    g_queue_remove (&attempt->waiting_on->waiting, attempt);

  for (guint i = 0; i < G_N_ELEMENTS (attempt->entries); i++)
    {
      Entry *entry = attempt->entries[i];

      entry->running--;
      if (attempt->verifying)
        entry->verifying--;
      entry_expire (entry, now);
      if (outcome == SI_SERVER_LOGIN_FAILED)
        {
          entry->failures++;
          entry->last = now;
        }
    }
  /* A correct password clears the name's count, not the address's. */
  if (outcome == SI_SERVER_LOGIN_SUCCEEDED)
    attempt->entries[1]->failures = 0;

  for (guint i = 0; i < G_N_ELEMENTS (attempt->entries); i++)
    {
      wake (attempt->entries[i]);
      entry_drop_if_empty (self, attempt->entries[i]);
    }
  g_object_unref (self);
  g_free (attempt);
}

static void
si_server_throttle_finalize (GObject *object)
{
  SiServerThrottle *self = SI_SERVER_THROTTLE (object);

  g_clear_pointer (&self->entries, g_hash_table_unref);

  G_OBJECT_CLASS (si_server_throttle_parent_class)->finalize (object);
}

static void
si_server_throttle_class_init (SiServerThrottleClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = si_server_throttle_finalize;
}

static void
si_server_throttle_init (SiServerThrottle *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) entry_free);
}
