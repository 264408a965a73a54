/* si-sync-manager.c — when to sync, and what the UI shows about it. */
#define G_LOG_DOMAIN "saveidea-sync"

#include "config.h"

#include "si-store-private.h"
#include "si-sync-manager.h"

#define NETWORK_DEBOUNCE_MS 2000
#define DEFAULT_INTERVAL_S 300
#define DEFAULT_AUTO_PUSH_DELAY_S 3
#define DEFAULT_BACKOFF_INITIAL_MS 5000
#define DEFAULT_BACKOFF_MAX_MS (15 * 60 * 1000)

G_DEFINE_ENUM_TYPE (SiSyncManagerState, si_sync_manager_state,
  G_DEFINE_ENUM_VALUE (SI_SYNC_MANAGER_STATE_DISABLED, "disabled"),
  G_DEFINE_ENUM_VALUE (SI_SYNC_MANAGER_STATE_OFFLINE, "offline"),
  G_DEFINE_ENUM_VALUE (SI_SYNC_MANAGER_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (SI_SYNC_MANAGER_STATE_SYNCING, "syncing"),
  G_DEFINE_ENUM_VALUE (SI_SYNC_MANAGER_STATE_ERROR, "error"),
  G_DEFINE_ENUM_VALUE (SI_SYNC_MANAGER_STATE_NEEDS_LOGIN, "needs-login"))

struct _SiSyncManager {
  GObject             parent_instance;

  SiStore            *store;
  SiAccount          *account;
  GNetworkMonitor    *monitor;
  SiSyncEngine       *engine;
  GCancellable       *cancellable;

  SiSyncManagerState  state;
  guint               progress_done;
  guint               progress_total;
  guint               pending;
  guint               conflicts;
  gint64              last_sync_time;
  char               *last_error;
  gint64              next_retry_time;
  guint               interval;
  gboolean            auto_push;
  guint               auto_push_delay;
  SiSyncReport        last_report;

  guint               backoff_initial_ms;
  guint               backoff_max_ms;
  guint               failures;

  gboolean            started;
  gboolean            syncing;
  gboolean            again;
  gboolean            network_available;

  guint               retry_id;
  guint               periodic_id;
  guint               auto_push_id;
  guint               network_id;
  gulong              changed_handler;
  gulong              network_handler;
  gulong              progress_handlers[2];
  gulong              account_handler;
  gulong              needs_login_handler;
};

G_DEFINE_FINAL_TYPE (SiSyncManager, si_sync_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_ACCOUNT,
  PROP_NETWORK_MONITOR,
  PROP_STATE,
  PROP_PROGRESS_DONE,
  PROP_PROGRESS_TOTAL,
  PROP_PENDING_CHANGES,
  PROP_CONFLICTS,
  PROP_LAST_SYNC_TIME,
  PROP_LAST_ERROR,
  PROP_NEXT_RETRY_TIME,
  PROP_INTERVAL,
  PROP_AUTO_PUSH,
  PROP_AUTO_PUSH_DELAY,
  N_PROPS
};

enum { SYNC_FINISHED, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_sync (SiSyncManager *self);

#define SET_PROP(field, value, prop) \
  G_STMT_START { if (self->field != (value)) { self->field = (value); \
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]); } } G_STMT_END

static void
set_state (SiSyncManager      *self,
           SiSyncManagerState  state)
{
  SET_PROP (state, state, PROP_STATE);
}

static void
set_next_retry_time (SiSyncManager *self,
                     gint64         time)
{
  SET_PROP (next_retry_time, time, PROP_NEXT_RETRY_TIME);
}

static void
set_last_error (SiSyncManager *self,
                const char    *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void
update_counts (SiSyncManager *self)
{
  guint pending = si_store_count_pending (self->store, NULL);
  guint conflicts = _si_store_sync_count_conflicts (self->store);

  SET_PROP (pending, pending, PROP_PENDING_CHANGES);
  SET_PROP (conflicts, conflicts, PROP_CONFLICTS);
}

static SiSyncManagerState
resting_state (SiSyncManager *self)
{
  if (!si_account_get_configured (self->account))
    return SI_SYNC_MANAGER_STATE_DISABLED;
  if (si_account_get_needs_login (self->account))
    return SI_SYNC_MANAGER_STATE_NEEDS_LOGIN;
  if (!self->network_available)
    return SI_SYNC_MANAGER_STATE_OFFLINE;
  return SI_SYNC_MANAGER_STATE_IDLE;
}

/* Timers ------------------------------------------------------------------------------------- */

static gboolean
retry_cb (gpointer user_data)
{
  SiSyncManager *self = user_data;

  self->retry_id = 0;
  start_sync (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (SiSyncManager *self)
{
  double delay = self->backoff_initial_ms;
  guint ms;

  for (guint i = 0; i < self->failures && delay < self->backoff_max_ms; i++)
    delay *= 2;
  delay = MIN (delay, (double) self->backoff_max_ms);
  /* ±20 % so that many clients of one server do not come back all at once */
  delay *= g_random_double_range (0.8, 1.2);
  ms = (guint) MAX (delay, 1.0);
  self->failures++;

  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add_full (G_PRIORITY_DEFAULT, ms, retry_cb, self, NULL);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->retry_id), "[saveidea] sync retry");
  set_next_retry_time (self, g_get_real_time () + (gint64) ms * 1000);
  g_debug ("Next sync attempt in %u ms", ms);
}

static gboolean
periodic_cb (gpointer user_data)
{
  SiSyncManager *self = user_data;

  if (self->retry_id == 0)
    start_sync (self);
  return G_SOURCE_CONTINUE;
}

static void
reset_periodic (SiSyncManager *self)
{
  g_clear_handle_id (&self->periodic_id, g_source_remove);
  if (self->started && self->interval > 0)
    self->periodic_id = g_timeout_add_seconds (self->interval, periodic_cb, self);
}

static gboolean
auto_push_cb (gpointer user_data)
{
  SiSyncManager *self = user_data;

  self->auto_push_id = 0;
  if (self->retry_id == 0)
    start_sync (self);
  return G_SOURCE_REMOVE;
}

static void
store_changed (SiSyncManager *self)
{
  update_counts (self);
  if (!self->started || !self->auto_push || self->pending == 0)
    return;
  if (self->syncing)
    {
      self->again = TRUE;
      return;
    }
  /* Debounce: the timer restarts with every edit. */
  g_clear_handle_id (&self->auto_push_id, g_source_remove);
  self->auto_push_id = g_timeout_add_seconds (MAX (self->auto_push_delay, 1), auto_push_cb, self);
}

static gboolean
network_settled (gpointer user_data)
{
  SiSyncManager *self = user_data;
  gboolean available = g_network_monitor_get_network_available (self->monitor);

  self->network_id = 0;
  if (available == self->network_available)
    return G_SOURCE_REMOVE;
  self->network_available = available;
  g_debug ("Network %s", available ? "back" : "gone");
  if (available)
    {
      self->failures = 0;
      g_clear_handle_id (&self->retry_id, g_source_remove);
      set_next_retry_time (self, 0);
      start_sync (self);
    }
  else if (!self->syncing)
    set_state (self, resting_state (self));
  return G_SOURCE_REMOVE;
}

static void
network_changed (SiSyncManager *self)
{
  /* Networks flap while they come up: act when the monitor has been quiet a moment. */
  g_clear_handle_id (&self->network_id, g_source_remove);
  self->network_id = g_timeout_add (NETWORK_DEBOUNCE_MS, network_settled, self);
}

/* Syncing ------------------------------------------------------------------------------------ */

static void
engine_progress (SiSyncManager *self)
{
  SET_PROP (progress_done, si_sync_engine_get_progress_done (self->engine), PROP_PROGRESS_DONE);
  SET_PROP (progress_total, si_sync_engine_get_progress_total (self->engine), PROP_PROGRESS_TOTAL);
}

static void
finish_sync (SiSyncManager *self,
             GError        *error)
{
  self->syncing = FALSE;
  g_clear_object (&self->cancellable);
  update_counts (self);

  if (error == NULL)
    {
      self->failures = 0;
      SET_PROP (last_sync_time, g_get_real_time (), PROP_LAST_SYNC_TIME);
      set_last_error (self, NULL);
      set_next_retry_time (self, 0);
      set_state (self, resting_state (self));
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_state (self, resting_state (self));
  else
    {
      set_last_error (self, error->message);
      if (g_error_matches (error, SI_SYNC_ERROR, SI_SYNC_ERROR_NEEDS_LOGIN))
        {
          /* Retrying cannot help: nothing syncs until the user logs in again (the account's
           * "needs-login" going back to FALSE starts the next sync). */
          self->failures = 0;
          g_clear_handle_id (&self->retry_id, g_source_remove);
          set_next_retry_time (self, 0);
          si_account_forget_token_async (self->account, NULL, NULL, NULL);
          set_state (self, SI_SYNC_MANAGER_STATE_NEEDS_LOGIN);
        }
      else if (g_error_matches (error, SI_SYNC_ERROR, SI_SYNC_ERROR_NOT_CONFIGURED))
        set_state (self, SI_SYNC_MANAGER_STATE_DISABLED);
      else
        {
          set_state (self, g_error_matches (error, SI_SYNC_ERROR, SI_SYNC_ERROR_NETWORK)
                             ? SI_SYNC_MANAGER_STATE_OFFLINE : SI_SYNC_MANAGER_STATE_ERROR);
          if (si_sync_error_is_retryable (error) && self->started)
            schedule_retry (self);
          else
            set_next_retry_time (self, 0);
        }
    }
  g_signal_emit (self, signals[SYNC_FINISHED], 0, &self->last_report, error);

  if (error == NULL && self->again)
    {
      self->again = FALSE;
      if (self->pending > 0)
        store_changed (self);
    }
}

static void
sync_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SiSyncManager) self = user_data;
  g_autoptr(GError) error = NULL;

  si_sync_engine_sync_finish (SI_SYNC_ENGINE (source), result, &self->last_report, &error);
  /* The ideas of the pull's big pages are found already (read as they are), and indexed now,
   * on a thread: the run did not wait for it (si-store-search-index.c). */
  si_store_fill_search_in_background (self->store);
  finish_sync (self, error);
}

static void
token_found (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SiSyncManager) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = si_account_lookup_token_finish (self->account, result, &error);
  const char *url = si_account_get_server_url (self->account);

  if (token == NULL)
    {
      finish_sync (self, error);
      return;
    }
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
      finish_sync (self, cancelled);
      return;
    }
  if (self->engine == NULL || g_strcmp0 (si_sync_engine_get_server_url (self->engine), url) != 0)
    {
      if (self->engine)
        for (guint i = 0; i < 2; i++)
          g_clear_signal_handler (&self->progress_handlers[i], self->engine);
      g_clear_object (&self->engine);
      self->engine = si_sync_engine_new (self->store, url, token);
      self->progress_handlers[0] = g_signal_connect_swapped (self->engine, "notify::progress-done",
                                                             G_CALLBACK (engine_progress), self);
      self->progress_handlers[1] = g_signal_connect_swapped (self->engine, "notify::progress-total",
                                                             G_CALLBACK (engine_progress), self);
    }
  si_sync_engine_set_token (self->engine, token);
  si_sync_engine_sync_async (self->engine, SI_SYNC_MODE_INCREMENTAL, self->cancellable,
                             sync_done, g_object_ref (self));
}

static void
start_sync (SiSyncManager *self)
{
  /* What an earlier process left waiting for the search index (saveidea-cli, a fill killed). */
  si_store_fill_search_in_background (self->store);
  if (self->syncing)
    {
      self->again = TRUE;
      return;
    }
  if (!si_account_get_configured (self->account))
    {
      set_state (self, SI_SYNC_MANAGER_STATE_DISABLED);
      return;
    }
  if (si_account_get_needs_login (self->account))
    {
      g_clear_handle_id (&self->retry_id, g_source_remove);
      g_clear_handle_id (&self->auto_push_id, g_source_remove);
      set_next_retry_time (self, 0);
      /* saveidea-cli may have logged in again meanwhile (the notebook says so): then the
       * account's notify::needs-login has started the sync already. */
      si_account_reload (self->account);
      if (si_account_get_needs_login (self->account))
        set_state (self, SI_SYNC_MANAGER_STATE_NEEDS_LOGIN);
      return;
    }
  if (!self->network_available)
    {
      set_state (self, SI_SYNC_MANAGER_STATE_OFFLINE);
      return;
    }
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->auto_push_id, g_source_remove);
  set_next_retry_time (self, 0);
  self->syncing = TRUE;
  self->again = FALSE;
  self->cancellable = g_cancellable_new ();
  SET_PROP (progress_done, 0, PROP_PROGRESS_DONE);
  SET_PROP (progress_total, 0, PROP_PROGRESS_TOTAL);
  set_state (self, SI_SYNC_MANAGER_STATE_SYNCING);
  si_account_lookup_token_async (self->account, self->cancellable, token_found, g_object_ref (self));
}

/* A login as the same user clears "needs-login" without changing "configured": sync then. */
static void
needs_login_changed (SiSyncManager *self)
{
  if (si_account_get_needs_login (self->account))
    {
      if (!self->syncing)
        set_state (self, resting_state (self));
      return;
    }
  si_sync_manager_sync_now (self);
}

/* Public ------------------------------------------------------------------------------------- */

SiSyncManager *
si_sync_manager_new (SiStore   *store,
                     SiAccount *account)
{
  g_return_val_if_fail (SI_IS_STORE (store), NULL);
  g_return_val_if_fail (SI_IS_ACCOUNT (account), NULL);
  return g_object_new (SI_TYPE_SYNC_MANAGER, "store", store, "account", account, NULL);
}

void
si_sync_manager_start (SiSyncManager *self)
{
  g_return_if_fail (SI_IS_SYNC_MANAGER (self));

  if (self->started)
    return;
  self->started = TRUE;
  self->network_available = g_network_monitor_get_network_available (self->monitor);
  self->changed_handler = g_signal_connect_swapped (self->store, "changed", G_CALLBACK (store_changed), self);
  self->network_handler = g_signal_connect_swapped (self->monitor, "notify::network-available",
                                                    G_CALLBACK (network_changed), self);
  self->account_handler = g_signal_connect_swapped (self->account, "notify::configured",
                                                    G_CALLBACK (si_sync_manager_sync_now), self);
  self->needs_login_handler = g_signal_connect_swapped (self->account, "notify::needs-login",
                                                        G_CALLBACK (needs_login_changed), self);
  reset_periodic (self);
  update_counts (self);
  start_sync (self);
}

void
si_sync_manager_stop (SiSyncManager *self)
{
  g_return_if_fail (SI_IS_SYNC_MANAGER (self));

  self->started = FALSE;
  g_clear_signal_handler (&self->changed_handler, self->store);
  g_clear_signal_handler (&self->network_handler, self->monitor);
  g_clear_signal_handler (&self->account_handler, self->account);
  g_clear_signal_handler (&self->needs_login_handler, self->account);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->periodic_id, g_source_remove);
  g_clear_handle_id (&self->auto_push_id, g_source_remove);
  g_clear_handle_id (&self->network_id, g_source_remove);
  set_next_retry_time (self, 0);
  si_sync_manager_cancel (self);
}

void
si_sync_manager_sync_now (SiSyncManager *self)
{
  g_return_if_fail (SI_IS_SYNC_MANAGER (self));

  self->failures = 0;
  if (!self->started)
    self->network_available = g_network_monitor_get_network_available (self->monitor);
  start_sync (self);
}

void
si_sync_manager_cancel (SiSyncManager *self)
{
  g_return_if_fail (SI_IS_SYNC_MANAGER (self));
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
}

void
si_sync_manager_set_backoff (SiSyncManager *self,
                             guint          initial_ms,
                             guint          max_ms)
{
  g_return_if_fail (SI_IS_SYNC_MANAGER (self));
  self->backoff_initial_ms = MAX (initial_ms, 1);
  self->backoff_max_ms = MAX (max_ms, self->backoff_initial_ms);
}

SiStore *si_sync_manager_get_store (SiSyncManager *self) { g_return_val_if_fail (SI_IS_SYNC_MANAGER (self), NULL); return self->store; }
SiAccount *si_sync_manager_get_account (SiSyncManager *self) { g_return_val_if_fail (SI_IS_SYNC_MANAGER (self), NULL); return self->account; }
SiSyncManagerState si_sync_manager_get_state (SiSyncManager *self) { g_return_val_if_fail (SI_IS_SYNC_MANAGER (self), 0); return self->state; }
guint si_sync_manager_get_progress_done (SiSyncManager *self) { g_return_val_if_fail (SI_IS_SYNC_MANAGER (self), 0); return self->progress_done; }
guint si_sync_manager_get_progress_total (SiSyncManager *self) { g_return_val_if_fail (SI_IS_SYNC_MANAGER (self), 0); return self->progress_total; }
guint si_sync_manager_get_pending_changes (SiSyncManager *self) { g_return_val_if_fail (SI_IS_SYNC_MANAGER (self), 0); return self->pending; }
guint si_sync_manager_get_conflicts (SiSyncManager *self) { g_return_val_if_fail (SI_IS_SYNC_MANAGER (self), 0); return self->conflicts; }
gint64 si_sync_manager_get_last_sync_time (SiSyncManager *self) { g_return_val_if_fail (SI_IS_SYNC_MANAGER (self), 0); return self->last_sync_time; }
const char *si_sync_manager_get_last_error (SiSyncManager *self) { g_return_val_if_fail (SI_IS_SYNC_MANAGER (self), NULL); return self->last_error; }
gint64 si_sync_manager_get_next_retry_time (SiSyncManager *self) { g_return_val_if_fail (SI_IS_SYNC_MANAGER (self), 0); return self->next_retry_time; }
guint si_sync_manager_get_interval (SiSyncManager *self) { g_return_val_if_fail (SI_IS_SYNC_MANAGER (self), 0); return self->interval; }
gboolean si_sync_manager_get_auto_push (SiSyncManager *self) { g_return_val_if_fail (SI_IS_SYNC_MANAGER (self), FALSE); return self->auto_push; }
guint si_sync_manager_get_auto_push_delay (SiSyncManager *self) { g_return_val_if_fail (SI_IS_SYNC_MANAGER (self), 0); return self->auto_push_delay; }
const SiSyncReport *si_sync_manager_get_last_report (SiSyncManager *self) { g_return_val_if_fail (SI_IS_SYNC_MANAGER (self), NULL); return &self->last_report; }

void
si_sync_manager_set_interval (SiSyncManager *self,
                              guint          seconds)
{
  g_return_if_fail (SI_IS_SYNC_MANAGER (self));
  if (self->interval == seconds)
    return;
  self->interval = seconds;
  reset_periodic (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

void
si_sync_manager_set_auto_push (SiSyncManager *self,
                               gboolean       auto_push)
{
  g_return_if_fail (SI_IS_SYNC_MANAGER (self));
  auto_push = !!auto_push;
  if (self->auto_push == auto_push)
    return;
  self->auto_push = auto_push;
  if (!auto_push)
    g_clear_handle_id (&self->auto_push_id, g_source_remove);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTO_PUSH]);
}

void
si_sync_manager_set_auto_push_delay (SiSyncManager *self,
                                     guint          seconds)
{
  g_return_if_fail (SI_IS_SYNC_MANAGER (self));
  SET_PROP (auto_push_delay, seconds, PROP_AUTO_PUSH_DELAY);
}

static void
si_sync_manager_constructed (GObject *object)
{
  SiSyncManager *self = SI_SYNC_MANAGER (object);

  G_OBJECT_CLASS (si_sync_manager_parent_class)->constructed (object);
  if (self->monitor == NULL)
    self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_available = g_network_monitor_get_network_available (self->monitor);
  self->state = resting_state (self);
  self->last_sync_time = si_sync_engine_get_last_sync_time (self->store);
  update_counts (self);
}

static void
si_sync_manager_dispose (GObject *object)
{
  SiSyncManager *self = SI_SYNC_MANAGER (object);

  si_sync_manager_stop (self);
  if (self->engine)
    for (guint i = 0; i < 2; i++)
      g_clear_signal_handler (&self->progress_handlers[i], self->engine);
  g_clear_object (&self->engine);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->monitor);
  g_clear_object (&self->account);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (si_sync_manager_parent_class)->dispose (object);
}

static void
si_sync_manager_finalize (GObject *object)
{
  SiSyncManager *self = SI_SYNC_MANAGER (object);

  g_free (self->last_error);
  G_OBJECT_CLASS (si_sync_manager_parent_class)->finalize (object);
}

static void
si_sync_manager_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SiSyncManager *self = SI_SYNC_MANAGER (object);

  switch (prop_id)
    {
    case PROP_STORE: g_value_set_object (value, self->store); break;
    case PROP_ACCOUNT: g_value_set_object (value, self->account); break;
    case PROP_NETWORK_MONITOR: g_value_set_object (value, self->monitor); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_PROGRESS_DONE: g_value_set_uint (value, self->progress_done); break;
    case PROP_PROGRESS_TOTAL: g_value_set_uint (value, self->progress_total); break;
    case PROP_PENDING_CHANGES: g_value_set_uint (value, self->pending); break;
    case PROP_CONFLICTS: g_value_set_uint (value, self->conflicts); break;
    case PROP_LAST_SYNC_TIME: g_value_set_int64 (value, self->last_sync_time); break;
    case PROP_LAST_ERROR: g_value_set_string (value, self->last_error); break;
    case PROP_NEXT_RETRY_TIME: g_value_set_int64 (value, self->next_retry_time); break;
    case PROP_INTERVAL: g_value_set_uint (value, self->interval); break;
    case PROP_AUTO_PUSH: g_value_set_boolean (value, self->auto_push); break;
    case PROP_AUTO_PUSH_DELAY: g_value_set_uint (value, self->auto_push_delay); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_sync_manager_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  SiSyncManager *self = SI_SYNC_MANAGER (object);

  switch (prop_id)
    {
    case PROP_STORE: self->store = g_value_dup_object (value); break;
    case PROP_ACCOUNT: self->account = g_value_dup_object (value); break;
    case PROP_NETWORK_MONITOR: self->monitor = g_value_dup_object (value); break;
    case PROP_INTERVAL: si_sync_manager_set_interval (self, g_value_get_uint (value)); break;
    case PROP_AUTO_PUSH: si_sync_manager_set_auto_push (self, g_value_get_boolean (value)); break;
    case PROP_AUTO_PUSH_DELAY: si_sync_manager_set_auto_push_delay (self, g_value_get_uint (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_sync_manager_class_init (SiSyncManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = si_sync_manager_constructed;
  object_class->dispose = si_sync_manager_dispose;
  object_class->finalize = si_sync_manager_finalize;
  object_class->get_property = si_sync_manager_get_property;
  object_class->set_property = si_sync_manager_set_property;

  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, SI_TYPE_STORE, co);
  properties[PROP_ACCOUNT] = g_param_spec_object ("account", NULL, NULL, SI_TYPE_ACCOUNT, co);
  properties[PROP_NETWORK_MONITOR] = g_param_spec_object ("network-monitor", NULL, NULL, G_TYPE_NETWORK_MONITOR, co);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, SI_TYPE_SYNC_MANAGER_STATE,
                                              SI_SYNC_MANAGER_STATE_DISABLED, ro);
  properties[PROP_PROGRESS_DONE] = g_param_spec_uint ("progress-done", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_PROGRESS_TOTAL] = g_param_spec_uint ("progress-total", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_PENDING_CHANGES] = g_param_spec_uint ("pending-changes", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_CONFLICTS] = g_param_spec_uint ("conflicts", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_LAST_SYNC_TIME] = g_param_spec_int64 ("last-sync-time", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, ro);
  properties[PROP_NEXT_RETRY_TIME] = g_param_spec_int64 ("next-retry-time", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_INTERVAL] = g_param_spec_uint ("interval", NULL, NULL, 0, G_MAXUINT, DEFAULT_INTERVAL_S, rw);
  properties[PROP_AUTO_PUSH] = g_param_spec_boolean ("auto-push", NULL, NULL, TRUE, rw);
  properties[PROP_AUTO_PUSH_DELAY] = g_param_spec_uint ("auto-push-delay", NULL, NULL, 0, 3600,
                                                        DEFAULT_AUTO_PUSH_DELAY_S, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SYNC_FINISHED] = g_signal_new ("sync-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                         G_TYPE_POINTER, G_TYPE_POINTER);
}

static void
si_sync_manager_init (SiSyncManager *self)
{
  self->interval = DEFAULT_INTERVAL_S;
  self->auto_push = TRUE;
  self->auto_push_delay = DEFAULT_AUTO_PUSH_DELAY_S;
  self->backoff_initial_ms = DEFAULT_BACKOFF_INITIAL_MS;
  self->backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
}
