/* si-sync-indicator.c — says what syncing is doing, in the words a person expects:
 * "All changes synced · 2 min ago", "Offline — 3 changes waiting", "Syncing 1,200 of 5,000",
 * "Sync failed: <reason> · retrying in 30 s". Everything shown comes from the manager's
 * properties; the popover adds details, the ideas waiting to be sent, and Sync Now. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "si-app-utils.h"
#include "si-i18n.h"
#include "si-login-dialog.h"
#include "si-sync-indicator.h"

/* The popover lists this many changes, then "and N more": it stays short enough for a small
 * screen without a scrolled window. */
#define WAITING_SHOWN_MAX 5

struct _SiSyncIndicator
{
  GtkWidget       parent_instance;

  SiSyncManager  *manager;
  gulong          notify_id;
  guint           countdown_id;
  guint           progress_id;   /* a change of the progress alone, shown when it is due */
  gint64          last_update;   /* monotonic µs */

  GtkMenuButton  *button;
  GtkImage       *icon;
  GtkLabel       *label;
  GtkLabel       *short_label;
  GtkLabel       *word_label;
  GtkLabel       *cut_label;
  GtkProgressBar *progress;
  GtkPopover     *popover;
  GtkLabel       *heading;
  GtkLabel       *details;
  GtkProgressBar *popover_progress;
  GtkWidget      *waiting_box;
  GtkLabel       *waiting_heading;
  GtkListBox     *waiting_list;
  GtkWidget      *account_button;
  GtkWidget      *sync_button;
};

G_DEFINE_FINAL_TYPE (SiSyncIndicator, si_sync_indicator, GTK_TYPE_WIDGET)

/* A change of the sync's progress alone is shown at most this often (manager_notify()). */
#define PROGRESS_INTERVAL_MS 250

enum {
  PROP_0,
  PROP_MANAGER,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update (SiSyncIndicator *self);

/**
 * si_format_duration:
 *
 * Returns: (transfer full): a short duration, "30 s", "2 min", "1 h"
 */
char *
si_format_duration (gint64 usec)
{
  gint64 seconds = MAX (0, (usec + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);

  if (seconds < 60)
    /* Translators: a short duration in seconds */
    return g_strdup_printf (_("%d s"), (int) seconds);
  if (seconds < 60 * 60)
    /* Translators: a short duration in minutes */
    return g_strdup_printf (_("%d min"), (int) ((seconds + 30) / 60));
  /* Translators: a short duration in hours */
  return g_strdup_printf (_("%d h"), (int) ((seconds + 1800) / 3600));
}

static char *
dup_waiting_text (guint pending)
{
  g_autofree char *count = si_format_count (pending);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s change waiting", "%s changes waiting", pending), count);
}

typedef struct {
  char       *label;
  /* A word or two for a header too narrow even for the label's part before " · " ("Synced"),
   * or NULL. */
  const char *word;
  char       *heading;
  char       *details;
  const char *icon;
  const char *css;
  gboolean    progress;
  double      fraction;
  /* When the label counts down to a retry: how long until the number it shows changes, in µs
   * (0: no countdown). */
  gint64      countdown;
  gboolean    can_sync;
  gboolean    account;
  gboolean    relogin;
} Status;

static void
status_clear (Status *status)
{
  g_free (status->label);
  g_free (status->heading);
  g_free (status->details);
}

/* How long until si_format_duration() of @left, which rounds up to whole seconds, shows one
 * second less: the countdown's next step, in µs. Timed from the retry's own time, every indicator
 * of the same manager steps at the same moment, and none shows a number a second stale. */
static gint64
countdown_step (gint64 left)
{
  if (left <= 0)
    return G_USEC_PER_SEC;
  return (left - 1) % G_USEC_PER_SEC + 1;
}

static void
describe (SiSyncIndicator *self,
          Status          *st)
{
  SiSyncManagerState state = si_sync_manager_get_state (self->manager);
  guint pending = si_sync_manager_get_pending_changes (self->manager);
  guint conflicts = si_sync_manager_get_conflicts (self->manager);
  gint64 last = si_sync_manager_get_last_sync_time (self->manager);
  gint64 now = g_get_real_time ();
  g_autofree char *last_text = last ? si_format_relative_time (last, now) : NULL;
  g_autofree char *last_line = last ? g_strdup_printf (_("Last synced %s."), last_text)
                                    : g_strdup (_("Never synced yet."));

  st->can_sync = TRUE;
  switch (state)
    {
    case SI_SYNC_MANAGER_STATE_DISABLED:
      st->label = g_strdup (_("Saved on this computer"));
      st->heading = g_strdup (_("Not syncing"));
      st->details = g_strdup (_("Your ideas are saved on this computer. Log in to your Saveidea server to keep them in sync across devices."));
      st->icon = "computer-symbolic";
      st->can_sync = FALSE;
      st->account = TRUE;
      break;

    case SI_SYNC_MANAGER_STATE_NEEDS_LOGIN:
      st->label = g_strdup (_("Log in again"));
      st->heading = g_strdup (_("Log in again to sync"));
      st->details = g_strdup (_("The server no longer accepts this device’s sign-in. Your changes are kept here until you log in again."));
      st->icon = "dialog-warning-symbolic";
      st->css = "warning";
      st->can_sync = FALSE;
      st->account = TRUE;
      st->relogin = TRUE;
      break;

    case SI_SYNC_MANAGER_STATE_OFFLINE:
      if (pending > 0)
        {
          g_autofree char *waiting = dup_waiting_text (pending);
          /* Translators: "Offline — 3 changes waiting" */
          st->label = g_strdup_printf (_("Offline — %s"), waiting);
          st->word = _("Offline");
        }
      else
        st->label = g_strdup (_("Offline"));
      st->heading = g_strdup (_("Offline"));
      st->details = g_strdup_printf ("%s %s", _("The server cannot be reached. Everything you write is saved here and sent when the connection is back."), last_line);
      st->icon = "network-offline-symbolic";
      break;

    case SI_SYNC_MANAGER_STATE_SYNCING:
      {
        guint done = si_sync_manager_get_progress_done (self->manager);
        guint total = si_sync_manager_get_progress_total (self->manager);

        if (total > 0)
          {
            st->label = si_format_sync_progress (done, total);
            st->progress = TRUE;
            st->fraction = (double) MIN (done, total) / total;
          }
        else
          st->label = g_strdup (_("Syncing…"));
        /* Translators: the header's sync status, beside its progress bar, where "Syncing 1,200
         * of 5,000" does not fit */
        st->word = C_("short sync status", "Syncing");
        st->heading = g_strdup (_("Syncing"));
        st->details = g_strdup (last_line);
        st->icon = "emblem-synchronizing-symbolic";
        st->can_sync = FALSE;
      }
      break;

    case SI_SYNC_MANAGER_STATE_ERROR:
      {
        const char *reason = si_sync_manager_get_last_error (self->manager);
        gint64 retry = si_sync_manager_get_next_retry_time (self->manager);

        if (reason == NULL || reason[0] == '\0')
          reason = _("unknown error");
        if (retry > 0)
          {
            g_autofree char *in = si_format_duration (retry - now);
            /* Translators: "Sync failed: <reason> · retrying in 30 s" */
            st->label = g_strdup_printf (_("Sync failed: %s · retrying in %s"), reason, in);
            st->countdown = countdown_step (retry - now);
          }
        else
          /* Translators: "Sync failed: <reason>" */
          st->label = g_strdup_printf (_("Sync failed: %s"), reason);
        /* Translators: the header's sync status where the reason does not fit */
        st->word = C_("short sync status", "Sync failed");
        st->heading = g_strdup (_("Sync failed"));
        st->details = g_strdup_printf ("%s\n%s %s", reason, _("Your changes are safe on this computer."), last_line);
        st->icon = "dialog-warning-symbolic";
        st->css = "warning";
      }
      break;

    case SI_SYNC_MANAGER_STATE_IDLE:
    default:
      if (conflicts > 0)
        {
          /* Synced or not, a conflict waits for the person: say so rather than "All synced". */
          g_autofree char *count = si_format_count (conflicts);
          /* Translators: in the header bar, "1 conflict", "2 conflicts" */
          st->label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s conflict", "%s conflicts", conflicts), count);
          st->heading = g_strdup (st->label);
          st->details = g_strdup_printf ("%s %s",
                                         g_dngettext (GETTEXT_PACKAGE,
                                                      "An idea was changed here and on another device at the same time. Both versions are kept: open it from Conflicts to choose.",
                                                      "Ideas were changed here and on another device at the same time. Both versions are kept: open them from Conflicts to choose.",
                                                      conflicts),
                                         last_line);
          st->icon = "dialog-warning-symbolic";
          st->css = "warning";
          break;
        }
      if (pending > 0)
        st->label = dup_waiting_text (pending);
      else if (last > 0)
        /* Translators: "All changes synced · 2 min ago" */
        st->label = g_strdup_printf (_("All changes synced · %s"), last_text);
      else
        st->label = g_strdup (_("All changes synced"));
      if (pending == 0)
        /* Translators: the header's sync status where "All changes synced" does not fit */
        st->word = C_("short sync status", "Synced");
      st->heading = g_strdup (pending > 0 ? _("Changes waiting") : _("All changes synced"));
      st->details = g_strdup (last_line);
      st->icon = pending > 0 ? "emblem-synchronizing-symbolic" : "emblem-ok-symbolic";
      break;
    }
}

static gboolean
countdown_cb (gpointer user_data)
{
  SiSyncIndicator *self = user_data;

  self->countdown_id = 0;
  update (self);
  return G_SOURCE_REMOVE;
}

/* The status for a header too narrow for all of it: the label without what follows " · " (the
 * time, the retry), hidden when there is nothing to leave out; then the state's word, or where
 * it has none, that part cut. */
static void
set_short_labels (SiSyncIndicator *self,
                  const Status    *st)
{
  const char *dot = strstr (st->label, " · ");
  g_autofree char *first = dot ? g_strndup (st->label, dot - st->label) : NULL;

  gtk_label_set_label (self->short_label, first ? first : "");
  gtk_widget_set_visible (GTK_WIDGET (self->short_label), first != NULL);
  gtk_label_set_label (self->word_label, st->word ? st->word : "");
  gtk_widget_set_visible (GTK_WIDGET (self->word_label), st->word != NULL);
  gtk_label_set_label (self->cut_label, first ? first : "");
  gtk_widget_set_visible (GTK_WIDGET (self->cut_label), first != NULL && st->word == NULL);
}

static void
update (SiSyncIndicator *self)
{
  Status st = { 0 };
  guint pending;
  g_autofree char *waiting = NULL;

  g_clear_handle_id (&self->progress_id, g_source_remove);
  self->last_update = g_get_monotonic_time ();
  gtk_widget_set_visible (GTK_WIDGET (self), self->manager != NULL);
  if (self->manager == NULL)
    {
      g_clear_handle_id (&self->countdown_id, g_source_remove);
      return;
    }

  describe (self, &st);
  gtk_label_set_label (self->label, st.label);
  set_short_labels (self, &st);
  /* The whole status in the tooltip (query_tooltip_cb()), and for screen readers. Not with
   * gtk_widget_set_tooltip_text(): at each change it asked the display server where the pointer
   * is (on X11 a round trip, XIQueryPointer), once or twice per pulled page of a sync. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, st.label, -1);
  gtk_image_set_from_icon_name (self->icon, st.icon);
  gtk_widget_remove_css_class (GTK_WIDGET (self->icon), "warning");
  if (st.css)
    gtk_widget_add_css_class (GTK_WIDGET (self->icon), st.css);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), st.progress);
  gtk_progress_bar_set_fraction (self->progress, st.fraction);

  gtk_label_set_label (self->heading, st.heading);
  gtk_label_set_label (self->details, st.details);
  gtk_widget_set_visible (GTK_WIDGET (self->popover_progress), st.progress);
  gtk_progress_bar_set_fraction (self->popover_progress, st.fraction);
  gtk_progress_bar_set_text (self->popover_progress, st.progress ? st.label : NULL);
  gtk_widget_set_sensitive (self->sync_button, st.can_sync);
  gtk_widget_set_visible (self->sync_button, st.can_sync || !st.account);
  gtk_widget_set_visible (self->account_button, st.account);
  /* Needs login: the button opens the Log In dialog itself (server and user filled in). */
  gtk_button_set_label (GTK_BUTTON (self->account_button), st.relogin ? _("Log _In…") : _("_Account…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->account_button), st.relogin ? NULL : "app.preferences");
  /* Without an action the button keeps the sensitivity the last one gave it. */
  if (st.relogin)
    gtk_widget_set_sensitive (self->account_button, TRUE);
  if (st.relogin)
    gtk_widget_add_css_class (self->account_button, "suggested-action");
  else
    gtk_widget_remove_css_class (self->account_button, "suggested-action");

  pending = si_sync_manager_get_pending_changes (self->manager);
  waiting = dup_waiting_text (pending);
  gtk_label_set_label (self->waiting_heading, waiting);
  /* Without an account nothing waits to be sent: the ideas are simply on this computer. */
  gtk_widget_set_visible (self->waiting_box, pending > 0 &&
                          si_sync_manager_get_state (self->manager) != SI_SYNC_MANAGER_STATE_DISABLED);

  g_clear_handle_id (&self->countdown_id, g_source_remove);
  if (st.countdown > 0)
    self->countdown_id = g_timeout_add ((st.countdown + 999) / 1000, countdown_cb, self);

  status_clear (&st);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

static gboolean
query_tooltip_cb (GtkWidget       *button,
                  int              x,
                  int              y,
                  gboolean         keyboard,
                  GtkTooltip      *tooltip,
                  SiSyncIndicator *self)
{
  const char *text = gtk_label_get_label (self->label);

  if (text == NULL || text[0] == '\0')
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
add_waiting_row (SiSyncIndicator *self,
                 const char      *text,
                 const char      *icon_name)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 9);
  GtkWidget *image = gtk_image_new_from_icon_name (icon_name);
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (image, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), image);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_add_css_class (box, "waiting-row");
  /* A boxed list's own spacing, as libadwaita's rows have it. */
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_list_box_append (self->waiting_list, box);
  gtk_widget_set_focusable (gtk_widget_get_parent (box), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (gtk_widget_get_parent (box)), FALSE);
}

static void
fill_waiting_list (SiSyncIndicator *self)
{
  SiStore *store = si_sync_manager_get_store (self->manager);
  g_autoptr(GArray) outbox = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->waiting_list))))
    gtk_list_box_remove (self->waiting_list, child);

  if (!(outbox = si_store_get_outbox (store, &error)))
    {
      g_warning ("Could not list the changes waiting: %s", error->message);
      return;
    }
  for (guint i = 0; i < outbox->len && shown < WAITING_SHOWN_MAX; i++, shown++)
    {
      const SiOutboxEntry *entry = &g_array_index (outbox, SiOutboxEntry, i);
      g_autofree char *text = NULL;

      if (g_str_equal (entry->collection, SI_COLLECTION_IDEAS))
        {
          g_autoptr(SiIdea) idea = NULL;

          if (entry->state != SI_SYNC_STATE_DELETED)
            idea = si_store_get_idea (store, entry->id, NULL);
          if (idea)
            {
              g_autofree char *title = si_idea_dup_display_title (idea);
              text = g_strdup (title[0] ? title : _("New idea"));
            }
          else
            text = g_strdup (_("A deleted idea"));
          add_waiting_row (self, text, entry->state == SI_SYNC_STATE_DELETED ? "user-trash-symbolic"
                                                                             : "document-edit-symbolic");
        }
      else
        {
          g_autoptr(SiTag) tag = NULL;

          if (entry->state != SI_SYNC_STATE_DELETED)
            tag = si_store_get_tag (store, entry->id, NULL);
          if (tag)
            text = g_strdup_printf (_("Tag “%s”"), si_tag_get_name (tag));
          else
            text = g_strdup (_("A deleted tag"));
          add_waiting_row (self, text, "tag-symbolic");
        }
    }
  if (outbox->len > shown)
    {
      g_autofree char *count = si_format_count (outbox->len - shown);
      g_autofree char *more = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "and %s more", "and %s more",
                                                            outbox->len - shown), count);
      add_waiting_row (self, more, "view-more-horizontal-symbolic");
    }
}

static void
account_clicked_cb (SiSyncIndicator *self)
{
  SiAccount *account;
  GtkRoot *root;

  if (self->manager == NULL || si_sync_manager_get_state (self->manager) != SI_SYNC_MANAGER_STATE_NEEDS_LOGIN)
    return;
  account = si_sync_manager_get_account (self->manager);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  gtk_menu_button_popdown (self->button);
  gtk_window_present (GTK_WINDOW (si_login_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, account)));
}

static gboolean
progress_due_cb (gpointer user_data)
{
  SiSyncIndicator *self = user_data;

  self->progress_id = 0;
  update (self);
  return G_SOURCE_REMOVE;
}

/* The manager changed. A sync's progress moves with each page it pulls, up to 40 times a
 * second in a first sync, and each time the header's texts changed GTK laid the whole window
 * out again (on X11 asking the display server for the monitor's work area): about as much of
 * the window's CPU in a first sync of 100,000 ideas as its list's rows. So the progress alone
 * is shown at once when PROGRESS_INTERVAL_MS have passed since the last update, else when
 * they have, with what came meanwhile; any other change of the manager, at once. */
static void
manager_notify (SiSyncIndicator *self,
                GParamSpec      *pspec)
{
  gint64 now, due;

  if (g_strcmp0 (pspec->name, "progress-done") != 0 && g_strcmp0 (pspec->name, "progress-total") != 0)
    {
      update (self);
      return;
    }
  if (self->progress_id != 0)
    return;
  now = g_get_monotonic_time ();
  due = self->last_update + PROGRESS_INTERVAL_MS * 1000;
  if (now >= due)
    update (self);
  else
    self->progress_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (due - now + 999) / 1000, progress_due_cb, self, NULL);
}

static void
popover_show_cb (SiSyncIndicator *self)
{
  if (self->manager == NULL)
    return;
  update (self);
  fill_waiting_list (self);
}

SiSyncManager *
si_sync_indicator_get_manager (SiSyncIndicator *self)
{
  g_return_val_if_fail (SI_IS_SYNC_INDICATOR (self), NULL);
  return self->manager;
}

void
si_sync_indicator_set_manager (SiSyncIndicator *self,
                               SiSyncManager   *manager)
{
  g_return_if_fail (SI_IS_SYNC_INDICATOR (self));
  g_return_if_fail (manager == NULL || SI_IS_SYNC_MANAGER (manager));

  if (self->manager == manager)
    return;
  if (self->manager)
    g_clear_signal_handler (&self->notify_id, self->manager);
  g_set_object (&self->manager, manager);
  if (manager)
    self->notify_id = g_signal_connect_object (manager, "notify", G_CALLBACK (manager_notify), self, G_CONNECT_SWAPPED);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MANAGER]);
}

/**
 * si_sync_indicator_get_text:
 *
 * Returns: what the header bar says now
 */
const char *
si_sync_indicator_get_text (SiSyncIndicator *self)
{
  g_return_val_if_fail (SI_IS_SYNC_INDICATOR (self), NULL);
  return gtk_label_get_label (self->label);
}

gboolean
si_sync_indicator_get_progress_visible (SiSyncIndicator *self)
{
  g_return_val_if_fail (SI_IS_SYNC_INDICATOR (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self->progress));
}

double
si_sync_indicator_get_fraction (SiSyncIndicator *self)
{
  g_return_val_if_fail (SI_IS_SYNC_INDICATOR (self), 0);
  return gtk_progress_bar_get_fraction (self->progress);
}

void
si_sync_indicator_popup (SiSyncIndicator *self)
{
  g_return_if_fail (SI_IS_SYNC_INDICATOR (self));
  gtk_menu_button_popup (self->button);
}

void
si_sync_indicator_popdown (SiSyncIndicator *self)
{
  g_return_if_fail (SI_IS_SYNC_INDICATOR (self));
  gtk_menu_button_popdown (self->button);
}

GtkWidget *
_si_sync_indicator_get_account_button (SiSyncIndicator *self)
{
  g_return_val_if_fail (SI_IS_SYNC_INDICATOR (self), NULL);
  return self->account_button;
}

static void
si_sync_indicator_dispose (GObject *object)
{
  SiSyncIndicator *self = SI_SYNC_INDICATOR (object);
  GtkWidget *child;

  if (self->manager)
    g_clear_signal_handler (&self->notify_id, self->manager);
  g_clear_object (&self->manager);
  g_clear_handle_id (&self->countdown_id, g_source_remove);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), SI_TYPE_SYNC_INDICATOR);
  /* The template's unnamed root box is ours to remove. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (si_sync_indicator_parent_class)->dispose (object);
}

static void
si_sync_indicator_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SiSyncIndicator *self = SI_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_MANAGER: g_value_set_object (value, self->manager); break;
    case PROP_TEXT: g_value_set_string (value, si_sync_indicator_get_text (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_sync_indicator_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SiSyncIndicator *self = SI_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_MANAGER: si_sync_indicator_set_manager (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_sync_indicator_class_init (SiSyncIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = si_sync_indicator_dispose;
  object_class->get_property = si_sync_indicator_get_property;
  object_class->set_property = si_sync_indicator_set_property;

  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, SI_TYPE_SYNC_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/saveidea/Saveidea/si-sync-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, SiSyncIndicator, button);
  gtk_widget_class_bind_template_child (widget_class, SiSyncIndicator, icon);
  gtk_widget_class_bind_template_child (widget_class, SiSyncIndicator, label);
  gtk_widget_class_bind_template_child (widget_class, SiSyncIndicator, short_label);
  gtk_widget_class_bind_template_child (widget_class, SiSyncIndicator, word_label);
  gtk_widget_class_bind_template_child (widget_class, SiSyncIndicator, cut_label);
  gtk_widget_class_bind_template_child (widget_class, SiSyncIndicator, progress);
  gtk_widget_class_bind_template_child (widget_class, SiSyncIndicator, popover);
  gtk_widget_class_bind_template_child (widget_class, SiSyncIndicator, heading);
  gtk_widget_class_bind_template_child (widget_class, SiSyncIndicator, details);
  gtk_widget_class_bind_template_child (widget_class, SiSyncIndicator, popover_progress);
  gtk_widget_class_bind_template_child (widget_class, SiSyncIndicator, waiting_box);
  gtk_widget_class_bind_template_child (widget_class, SiSyncIndicator, waiting_heading);
  gtk_widget_class_bind_template_child (widget_class, SiSyncIndicator, waiting_list);
  gtk_widget_class_bind_template_child (widget_class, SiSyncIndicator, account_button);
  gtk_widget_class_bind_template_child (widget_class, SiSyncIndicator, sync_button);
  gtk_widget_class_bind_template_callback (widget_class, popover_show_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "syncindicator");
}

static void
si_sync_indicator_init (SiSyncIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->account_button, "clicked", G_CALLBACK (account_clicked_cb), self);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->button), TRUE);
  g_signal_connect (self->button, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);
  g_signal_connect_object (si_minute_clock_get (), "tick", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
}
