/* si-window.c — the main window: collections in the sidebar, the list of ideas with its search
 * bar, and the editor, in an AdwLeaflet that folds into one pane at a time in a narrow window.
 *
 * The list is a one-column GtkGridView over SiIdeaList, which holds only sort keys and loads an
 * idea when its row is shown: opening a notebook of 100,000 ideas never walks them all on the
 * main thread. A grid view keeps about 30 rows alive, where a GtkListView keeps 200 and makes,
 * binds and measures them all again for each new search or tag.
 * The sidebar's counts come from the store's COUNT queries and si_store_list_tags(), refreshed a
 * moment after the store changes. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-app-utils.h"
#include "si-count-label.h"
#include "si-i18n.h"
#include "si-idea-row.h"
#include "si-window-private.h"
#include "si-worker.h"
#include "si-wrap-bin.h"

#define SIDEBAR_REFRESH_DELAY_MS 250
/* New tag rows a refresh after a store change makes per main-loop step, a step per frame. */
#define TAG_ROWS_PER_STEP 10
#define TAG_ROWS_INTERVAL_MS 16
/* The sidebar's width at text scale 1 (update_sidebar_width()). */
#define SIDEBAR_WIDTH 200
/* The sidebar stays beside the list only while the editor keeps at least this much room. */
#define EDITOR_COMFORT_WIDTH 400

/* How long the search entry waits for more letters before it searches. What the person waits
 * for is this plus the search, the list's change and a frame (60-80 ms at 100,000 ideas on a
 * busy 2-core machine): GTK's 150 ms alone was more than a letter's budget of 100. Letters
 * that queued up while the main loop was busy still make one search. */
#define SEARCH_DELAY_MS 10

G_DEFINE_FINAL_TYPE (SiWindow, si_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SYNC_MANAGER,
  PROP_PINNED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The list ----------------------------------------------------------------------------------- */

static const char *
view_title (SiWindow *self,
            char    **free_me)
{
  switch (self->view)
    {
    case SI_COLLECTION_VIEW_PINNED: return _("Pinned");
    case SI_COLLECTION_VIEW_CONFLICTS: return _("Conflicts");
    case SI_COLLECTION_VIEW_TRASH: return _("Trash");
    case SI_COLLECTION_VIEW_TAG:
      {
        g_autoptr(SiTag) tag = si_store_get_tag (self->store, self->view_tag_id, NULL);
        *free_me = g_strdup_printf ("#%s", tag ? si_tag_get_name (tag) : "");
        return *free_me;
      }
    case SI_COLLECTION_VIEW_ALL:
    default:
      return _("All Ideas");
    }
}

/* One empty state at a time: with no idea open, the editor pane says "pick one" only when the
 * list has ideas to pick. */
static void
update_editor_page (SiWindow *self)
{
  const char *page = "editor";

  if (self->view == SI_COLLECTION_VIEW_TRASH)
    page = "trash";
  else if (si_editor_get_idea (self->editor) == NULL)
    page = g_strcmp0 (gtk_stack_get_visible_child_name (self->list_stack), "list") == 0 ? "none" : "blank";
  gtk_stack_set_visible_child_name (self->editor_stack, page);
}

/* The editor pane's empty state follows the list's in a frame of its own, once the list is no
 * longer filling up step by step. A first sync's first page shows the list and makes the
 * editor pane say "pick one" at once: its status page, allocated for the first time, had GTK
 * 4.8 measure each of its wrapping labels by bisection (a width for a height, about sixteen
 * Pango layouts each), 4-7 ms of the main thread in the frame that also laid out the list's
 * first rows, the longest main-loop iteration of the sync (docs/performance.md). */
#define EDITOR_PAGE_DELAY_MS 16

static gboolean
editor_page_cb (gpointer user_data)
{
  SiWindow *self = user_data;

  if (si_idea_list_is_pacing (self->ideas))
    return G_SOURCE_CONTINUE;
  self->editor_page_id = 0;
  update_editor_page (self);
  return G_SOURCE_REMOVE;
}

static void
list_page_changed_cb (SiWindow *self)
{
  if (self->editor_page_id == 0)
    self->editor_page_id = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, EDITOR_PAGE_DELAY_MS, editor_page_cb, self, NULL);
}

static void
update_list_state (SiWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->ideas));
  const char *search = si_idea_list_get_search (self->ideas);
  gboolean searching = search != NULL && search[0] != '\0';
  g_autofree char *free_me = NULL;
  g_autofree char *subtitle = NULL;
  const char *title = view_title (self, &free_me);

  /* The Trash has its own list (si-window-trash.c). */
  if (self->view == SI_COLLECTION_VIEW_TRASH)
    {
      n = self->trash_entries ? self->trash_entries->len : 0;
      subtitle = si_format_idea_count (n, n);
      gtk_stack_set_visible_child_name (self->list_stack, "trash");
      adw_window_title_set_title (self->list_title, title);
      adw_window_title_set_subtitle (self->list_title, subtitle);
      return;
    }
  if (n > 0)
    gtk_stack_set_visible_child_name (self->list_stack, "list");
  else if (searching)
    gtk_stack_set_visible_child_name (self->list_stack, "no-results");
  else
    {
      switch (self->view)
        {
        case SI_COLLECTION_VIEW_PINNED:
          adw_status_page_set_title (self->empty_page, _("No Pinned Ideas"));
          adw_status_page_set_description (self->empty_page, _("Pin the ideas you come back to, and they stay at the top"));
          break;
        case SI_COLLECTION_VIEW_CONFLICTS:
          adw_status_page_set_title (self->empty_page, _("No Conflicts"));
          adw_status_page_set_description (self->empty_page, _("Every idea agrees with the server"));
          break;
        case SI_COLLECTION_VIEW_TAG:
          adw_status_page_set_title (self->empty_page, _("No Ideas With This Tag"));
          adw_status_page_set_description (self->empty_page, _("Ideas you write here get the tag"));
          break;
        case SI_COLLECTION_VIEW_ALL:
        default:
          adw_status_page_set_title (self->empty_page, _("No Ideas Yet"));
          adw_status_page_set_description (self->empty_page, _("Ideas you write are saved on this computer at once, with or without a network"));
          break;
        }
      gtk_stack_set_visible_child_name (self->list_stack, "empty");
    }

  /* The count a paced change is filling the list up to, not the rows filled so far. */
  subtitle = si_format_idea_count (si_idea_list_get_n_coming (self->ideas),
                                   si_idea_list_get_n_matches (self->ideas));
  adw_window_title_set_title (self->list_title, title);
  adw_window_title_set_subtitle (self->list_title, subtitle);
}

void
_si_window_update_list_state (SiWindow *self)
{
  update_list_state (self);
}

/* Keeps the list's selection on the idea in the editor, wherever the idea moves. */
static void
sync_selection (SiWindow *self)
{
  SiIdea *idea = si_editor_get_idea (self->editor);
  guint position = GTK_INVALID_LIST_POSITION;

  if (idea == NULL || !si_idea_list_find (self->ideas, si_idea_get_id (idea), &position))
    position = GTK_INVALID_LIST_POSITION;
  if (gtk_single_selection_get_selected (self->selection) == position)
    return;
  self->selecting = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->selecting = FALSE;
}

static void scroll_list_to (SiWindow *self,
                            guint     position);

/* Rows that come in above the first one shown push it down, and GTK keeps showing it: a list
 * scrolled to the top stays there, to show new ideas as they come (a sync brings them a
 * few rows at a time). */
static void
ideas_changed_cb (SiWindow *self,
                  guint     position,
                  guint     removed,
                  guint     added)
{
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view));

  guint n_before = g_list_model_get_n_items (G_LIST_MODEL (self->ideas)) + removed - added;

  sync_selection (self);
  /* Not when the list fills from empty (a new filter): it starts at the top anyway. */
  if (position == 0 && added > removed && n_before > 0 && adjustment != NULL &&
      gtk_adjustment_get_value (adjustment) <= gtk_adjustment_get_lower (adjustment))
    scroll_list_to (self, 0);
}

static void
selection_changed_cb (SiWindow *self)
{
  guint position = gtk_single_selection_get_selected (self->selection);
  SiIdea *current = si_editor_get_idea (self->editor);
  gint64 id;

  if (self->selecting || position == GTK_INVALID_LIST_POSITION)
    return;
  id = si_idea_list_get_id_at (self->ideas, position);
  if (current && si_idea_get_id (current) == id)
    return;
  si_window_open_idea (self, id);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "editor");
}

/* Clicking the row already selected still shows the editor in a folded window. */
static void
list_activate_cb (SiWindow *self,
                  guint     position)
{
  gint64 id = si_idea_list_get_id_at (self->ideas, position);

  si_window_open_idea (self, id);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "editor");
  si_editor_focus_body (self->editor);
}

/* Rows put aside for the next change (at most ROW_POOL_MAX): GTK destroys the rows of a list
 * it replaces and asks for new ones, and taking one back is much cheaper than building a row
 * from its template and destroying the old one. Each list item keeps a reference to its row,
 * which teardown puts in the pool: by then GTK 4.8 has taken the row out of the item. */
#define ROW_POOL_MAX 64

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           SiWindow                 *self)
{
  GPtrArray *pool = g_object_get_data (G_OBJECT (factory), "row-pool");
  GtkWidget *row;

  if (pool->len > 0)
    row = g_ptr_array_steal_index_fast (pool, pool->len - 1);
  else
    {
      SiAccount *account = self->manager ? si_sync_manager_get_account (self->manager) : NULL;

      row = g_object_ref_sink (GTK_WIDGET (si_idea_row_new ()));
      /* "Not synced yet" marks only once an account is set up, and gone when it is removed
       * (a pooled row keeps its binding). */
      if (account)
        g_object_bind_property (account, "configured", row, "has-account", G_BINDING_SYNC_CREATE);
    }
  gtk_list_item_set_child (item, row);
  g_object_set_data_full (G_OBJECT (item), "si-idea-row", row, g_object_unref);
}

static void
teardown_row (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  GPtrArray *pool = g_object_get_data (G_OBJECT (factory), "row-pool");
  GtkWidget *row = g_object_steal_data (G_OBJECT (item), "si-idea-row");

  if (row == NULL)
    return;
  if (gtk_list_item_get_child (item) == row)
    gtk_list_item_set_child (item, NULL);
  if (pool->len < ROW_POOL_MAX && gtk_widget_get_parent (row) == NULL)
    g_ptr_array_add (pool, row);
  else
    g_object_unref (row);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  si_idea_row_set_idea (SI_IDEA_ROW (gtk_list_item_get_child (item)), gtk_list_item_get_item (item));
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  si_idea_row_set_idea (SI_IDEA_ROW (gtk_list_item_get_child (item)), NULL);
}

/* Scrolls the list to bring @position into view (GTK 4.8's list view has no scroll_to(); its
 * list.scroll-to-item action does the same, through the rows' estimated positions: right after
 * the model changed, the adjustment has no rows to map a value to). */
static void
scroll_list_to (SiWindow *self,
                guint     position)
{
  if (position < g_list_model_get_n_items (G_LIST_MODEL (self->ideas)))
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
}

/* New results start at the top, with the best match in sight. */
static void
scroll_list_to_top (SiWindow *self)
{
  scroll_list_to (self, 0);
}

/**
 * _si_window_scroll_to_idea:
 * @id: an idea the list may show
 *
 * Scrolls the list so that @id's row is in sight.
 */
void
_si_window_scroll_to_idea (SiWindow *self,
                           gint64    id)
{
  guint position;

  if (si_idea_list_find (self->ideas, id, &position))
    scroll_list_to (self, position);
}

/* Search ------------------------------------------------------------------------------------- */

static void
search_changed_cb (SiWindow *self)
{
  /* A search looks in the ideas, not in the Trash. */
  if (self->view == SI_COLLECTION_VIEW_TRASH && gtk_editable_get_text (GTK_EDITABLE (self->search_entry))[0])
    _si_window_show_view (self, SI_COLLECTION_VIEW_ALL, 0);
  si_idea_list_set_search (self->ideas, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  scroll_list_to_top (self);
  update_list_state (self);
}

static void
stop_search_cb (SiWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

/* Enter in the search entry opens the best match. */
static void
search_activate_cb (SiWindow *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->ideas)) > 0)
    list_activate_cb (self, 0);
}

static void
search_mode_cb (SiWindow *self)
{
  if (!gtk_search_bar_get_search_mode (self->search_bar) &&
      gtk_editable_get_text (GTK_EDITABLE (self->search_entry))[0] != '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

/* The sidebar -------------------------------------------------------------------------------- */

static GtkWidget *
make_sidebar_row (SiCollectionView  view,
                  gint64            tag_id,
                  const char       *icon_name,
                  const char       *label)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *image = gtk_image_new_from_icon_name (icon_name);
  GtkWidget *name = gtk_label_new (label);
  GtkWidget *count = si_count_label_new ();

  /* The name wins over the count: the count keeps its width, the name wraps in what is left
   * (ellipsized only past three lines), and asks for up to 14 characters of room, which the
   * sidebar takes over a narrow window instead of cutting "Alle Ideen" to "Alle I…". */
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_wrap (GTK_LABEL (name), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (name), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_lines (GTK_LABEL (name), 3);
  gtk_label_set_width_chars (GTK_LABEL (name), 6);
  gtk_label_set_max_width_chars (GTK_LABEL (name), 14);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (count, "dim-label");
  gtk_widget_add_css_class (count, "numeric");
  gtk_widget_add_css_class (count, "sidebar-count");
  gtk_box_append (GTK_BOX (box), image);
  /* Its width asked without a height: the box's bisection of a wrapping label at each of the
   * row's layouts was most of the sidebar's cost in a first sync (si-wrap-bin.c). */
  gtk_box_append (GTK_BOX (box), si_wrap_bin_new (name));
  gtk_box_append (GTK_BOX (box), count);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  g_object_set_data (G_OBJECT (row), "view", GINT_TO_POINTER (view));
  g_object_set_data_full (G_OBJECT (row), "tag-id", g_memdup2 (&tag_id, sizeof tag_id), g_free);
  g_object_set_data (G_OBJECT (row), "count-label", count);
  g_object_set_data (G_OBJECT (row), "name-label", name);
  return row;
}

/* The sidebar's width grows with the text scale, as libadwaita's later split views measure
 * theirs in "sp": 200 px at 1.0, 300 at 1.5, where 200 px cut "Alle Ideen" to "Alle I…". */
static void
update_sidebar_width (SiWindow *self)
{
  gtk_widget_set_size_request (self->sidebar_pane, (int) (SIDEBAR_WIDTH * si_text_scale (GTK_WIDGET (self))), -1);
}

static void
set_row_count (GtkWidget *row,
               guint      count)
{
  g_autofree char *text = si_format_count (count);
  si_count_label_set_text (g_object_get_data (G_OBJECT (row), "count-label"), text);
}

static gint64
row_tag_id (GtkWidget *row)
{
  gint64 *id = g_object_get_data (G_OBJECT (row), "tag-id");
  return id ? *id : 0;
}

GtkWidget *
_si_window_get_sidebar_row (SiWindow         *self,
                            SiCollectionView  view,
                            gint64            tag_id)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar)); row;
       row = gtk_widget_get_next_sibling (row))
    if (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "view")) == (int) view &&
        g_object_get_data (G_OBJECT (row), "tag-id") != NULL &&
        (view != SI_COLLECTION_VIEW_TAG || row_tag_id (row) == tag_id))
      return row;
  return NULL;
}

static guint
count_ideas (SiStore      *store,
             SiIdeaFilter *filter)
{
  g_autoptr(GError) error = NULL;
  guint n = si_store_count_ideas (store, filter, &error);

  if (error)
    g_warning ("Could not count the ideas: %s", error->message);
  return n;
}

/* What the sidebar's rows count, read in one go from a store. */
typedef struct {
  guint      all;
  guint      pinned;
  guint      conflicts;
  GPtrArray *tags;   /* SiTag, with their idea counts */
} SidebarCounts;

static void
sidebar_counts_free (SidebarCounts *counts)
{
  g_clear_pointer (&counts->tags, g_ptr_array_unref);
  g_free (counts);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SidebarCounts, sidebar_counts_free)

static SidebarCounts *
read_sidebar_counts (SiStore *store)
{
  SidebarCounts *counts = g_new0 (SidebarCounts, 1);
  SiIdeaFilter all = { 0 }, pinned = { .pinned_only = TRUE }, conflicts = { .conflicts_only = TRUE };
  g_autoptr(GError) error = NULL;

  counts->all = count_ideas (store, &all);
  counts->pinned = count_ideas (store, &pinned);
  counts->conflicts = count_ideas (store, &conflicts);
  if (!(counts->tags = si_store_list_tags (store, &error)))
    {
      g_warning ("Could not list the tags: %s", error->message);
      counts->tags = g_ptr_array_new_with_free_func (g_object_unref);
    }
  return counts;
}

/* Whether the sidebar's tag rows, then the rows still to be made (add_tag_rows()), are @tags,
 * by id and name, in the same order. */
static gboolean
tag_rows_match (SiWindow  *self,
                GPtrArray *tags)
{
  GtkWidget *row = gtk_widget_get_next_sibling (self->tags_header_row);
  guint i = 0, due = self->tag_rows_due ? self->tag_rows_due->len - self->tag_rows_next : 0;

  for (; row != NULL && row != self->trash_row; i++, row = gtk_widget_get_next_sibling (row))
    {
      SiTag *tag = i < tags->len ? g_ptr_array_index (tags, i) : NULL;

      if (tag == NULL || row_tag_id (row) != si_tag_get_id (tag) ||
          g_strcmp0 (gtk_label_get_label (g_object_get_data (G_OBJECT (row), "name-label")), si_tag_get_name (tag)) != 0)
        return FALSE;
    }
  if (row == NULL || tags->len - i != due)
    return FALSE;
  for (guint k = self->tag_rows_next; i < tags->len; i++, k++)
    {
      SiTag *tag = g_ptr_array_index (tags, i), *waiting = g_ptr_array_index (self->tag_rows_due, k);

      if (si_tag_get_id (tag) != si_tag_get_id (waiting) || g_strcmp0 (si_tag_get_name (tag), si_tag_get_name (waiting)) != 0)
        return FALSE;
    }
  return TRUE;
}

/* Makes the next TAG_ROWS_PER_STEP rows of self->tag_rows_due, or all of them; returns whether
 * more are due. Fifty new tag rows at once (a first sync's first page brings every tag) were
 * 10 ms of layout in one main-loop iteration. */
static gboolean
add_tag_rows (SiWindow *self,
              guint     at_most)
{
  GPtrArray *tags = self->tag_rows_due;
  guint end = MIN (tags->len, self->tag_rows_next + at_most);

  for (; self->tag_rows_next < end; self->tag_rows_next++)
    {
      SiTag *tag = g_ptr_array_index (tags, self->tag_rows_next);
      GtkWidget *row = make_sidebar_row (SI_COLLECTION_VIEW_TAG, si_tag_get_id (tag), "tag-symbolic", si_tag_get_name (tag));

      set_row_count (row, si_tag_get_idea_count (tag));
      gtk_list_box_insert (self->sidebar, row, gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (self->trash_row)));
      if (self->view == SI_COLLECTION_VIEW_TAG && si_tag_get_id (tag) == self->view_tag_id)
        {
          self->sidebar_updating = TRUE;
          gtk_list_box_select_row (self->sidebar, GTK_LIST_BOX_ROW (row));
          self->sidebar_updating = FALSE;
        }
    }
  if (self->tag_rows_next < tags->len)
    return TRUE;
  g_clear_pointer (&self->tag_rows_due, g_ptr_array_unref);
  self->tag_rows_next = 0;
  return FALSE;
}

static gboolean
tag_rows_cb (gpointer user_data)
{
  SiWindow *self = user_data;

  if (add_tag_rows (self, TAG_ROWS_PER_STEP))
    return G_SOURCE_CONTINUE;
  self->tag_rows_id = 0;
  return G_SOURCE_REMOVE;
}

static void
drop_due_tag_rows (SiWindow *self)
{
  g_clear_handle_id (&self->tag_rows_id, g_source_remove);
  g_clear_pointer (&self->tag_rows_due, g_ptr_array_unref);
  self->tag_rows_next = 0;
}

/* Shows @counts in the sidebar; new tag rows a few per step when @paced. */
static void
apply_sidebar (SiWindow      *self,
               SidebarCounts *counts,
               gboolean       paced)
{
  GPtrArray *tags = counts->tags;
  GtkWidget *row, *selected_row;
  gboolean tag_still_there = FALSE;
  guint i = 0;

  self->sidebar_serial++;
  self->sidebar_updating = TRUE;

  set_row_count (self->all_row, counts->all);
  set_row_count (self->pinned_row, counts->pinned);
  set_row_count (self->conflicts_row, counts->conflicts);
  gtk_widget_set_visible (self->conflicts_row, counts->conflicts > 0 || self->view == SI_COLLECTION_VIEW_CONFLICTS);

  for (guint t = 0; t < tags->len; t++)
    if (si_tag_get_id (g_ptr_array_index (tags, t)) == self->view_tag_id)
      tag_still_there = TRUE;
  gtk_widget_set_visible (self->tags_header_row, tags->len > 0);
  if (tag_rows_match (self, tags))
    {
      /* The usual refresh, during a sync or after an edit: only counts changed. Making the
       * rows again each time took more of a first sync's main thread than counting. */
      for (row = gtk_widget_get_next_sibling (self->tags_header_row); row != self->trash_row;
           i++, row = gtk_widget_get_next_sibling (row))
        set_row_count (row, si_tag_get_idea_count (g_ptr_array_index (tags, i)));
      /* The rows still to be made get these counts. */
      if (self->tag_rows_due != NULL)
        {
          g_ptr_array_unref (self->tag_rows_due);
          self->tag_rows_due = g_ptr_array_ref (tags);
          self->tag_rows_next = i;
        }
    }
  else
    {
      /* Tags: few, so the rows are simply made again. */
      drop_due_tag_rows (self);
      while ((row = gtk_widget_get_next_sibling (self->tags_header_row)) && row != self->trash_row)
        gtk_list_box_remove (self->sidebar, row);
      self->tag_rows_due = g_ptr_array_ref (tags);
      if (add_tag_rows (self, paced ? TAG_ROWS_PER_STEP : G_MAXUINT))
        /* After the frame that shows these, as the list's paced rows (si-idea-list.c). */
        self->tag_rows_id = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, TAG_ROWS_INTERVAL_MS, tag_rows_cb, self, NULL);
    }

  if (self->view == SI_COLLECTION_VIEW_TAG && !tag_still_there)
    {
      self->sidebar_updating = FALSE;
      _si_window_show_view (self, SI_COLLECTION_VIEW_ALL, 0);
      return;
    }
  selected_row = _si_window_get_sidebar_row (self, self->view, self->view_tag_id);
  if (selected_row != GTK_WIDGET (gtk_list_box_get_selected_row (self->sidebar)))
    gtk_list_box_select_row (self->sidebar, GTK_LIST_BOX_ROW (selected_row));
  self->sidebar_updating = FALSE;
  if (self->view == SI_COLLECTION_VIEW_TRASH)
    _si_window_trash_refresh_local (self);
  update_list_state (self);
}

void
_si_window_refresh_sidebar (SiWindow *self)
{
  g_autoptr(SidebarCounts) counts = NULL;

  g_clear_handle_id (&self->sidebar_refresh_id, g_source_remove);
  counts = read_sidebar_counts (self->store);
  apply_sidebar (self, counts, FALSE);
}

/* The sidebar's refresh after the store changed counts on a worker: counting 50 tags' ideas
 * among 100,000 took 2-12 ms, each time in a main-loop iteration of its own every 250 ms of a
 * first sync. The worker has its own connection to the notebook (opened by its first count),
 * and one count runs at a time. */
typedef struct {
  SiStore       *store;   /* the window's count_store, or NULL: the worker opens one */
  char          *path;
  guint          serial;  /* the window's sidebar_serial when the count started */
  SidebarCounts *counts;
} CountJob;

static void
count_job_free (CountJob *job)
{
  g_clear_object (&job->store);
  g_free (job->path);
  g_clear_pointer (&job->counts, sidebar_counts_free);
  g_free (job);
}

static void
count_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CountJob *job = task_data;
  g_autoptr(GError) error = NULL;

  if (job->store == NULL && !(job->store = si_store_new (job->path, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  job->counts = read_sidebar_counts (job->store);
  g_task_return_boolean (task, TRUE);
}

static void count_sidebar (SiWindow *self);

static void
sidebar_counted_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  SiWindow *self = SI_WINDOW (source);
  CountJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->sidebar_counting = FALSE;
  if (g_cancellable_is_cancelled (self->cancellable))
    return;   /* the window is closing */
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_warning ("Could not count the ideas: %s", error->message);
      _si_window_refresh_sidebar (self);
      return;
    }
  if (self->count_store == NULL)
    self->count_store = g_object_ref (job->store);
  /* A refresh since the count started showed newer counts: these are older. */
  if (job->serial == self->sidebar_serial)
    apply_sidebar (self, job->counts, TRUE);
  if (self->sidebar_recount)
    count_sidebar (self);
}

static void
count_sidebar (SiWindow *self)
{
  g_autoptr(GTask) task = NULL;
  CountJob *job;

  if (self->sidebar_counting)
    {
      /* The store changed during the count: once more when it is done. */
      self->sidebar_recount = TRUE;
      return;
    }
  self->sidebar_recount = FALSE;
  self->sidebar_counting = TRUE;
  self->sidebar_counted_at = g_get_monotonic_time ();
  job = g_new0 (CountJob, 1);
  job->store = self->count_store ? g_object_ref (self->count_store) : NULL;
  job->path = g_strdup (si_store_get_path (self->store));
  job->serial = self->sidebar_serial;
  task = g_task_new (self, self->cancellable, sidebar_counted_cb, NULL);
  g_task_set_source_tag (task, count_sidebar);
  g_task_set_task_data (task, job, (GDestroyNotify) count_job_free);
  si_worker_run_in_thread (task, count_thread);
}

static gboolean
sidebar_refresh_cb (gpointer user_data)
{
  SiWindow *self = user_data;

  self->sidebar_refresh_id = 0;
  count_sidebar (self);
  return G_SOURCE_REMOVE;
}

/* The sidebar's last line while the search index is filled with what a big pull brought
 * (SiStore:search-filling): search works meanwhile, more slowly. */
static void
search_filling_cb (SiWindow *self)
{
  gboolean filling = si_store_get_search_filling (self->store);

  gtk_widget_set_visible (self->search_fill_status, filling);
  gtk_spinner_set_spinning (GTK_SPINNER (self->search_fill_spinner), filling);
}

static void
show_search_fill (SiWindow *self)
{
  g_signal_connect_object (self->store, "notify::search-filling", G_CALLBACK (search_filling_cb),
                           self, G_CONNECT_SWAPPED);
  search_filling_cb (self);
}

/* The sidebar's counts follow a store change SIDEBAR_REFRESH_DELAY_MS later, or, when the
 * last count started less than SI_SIDEBAR_REFRESH_GAP_MS before that, that long after it. */
static void
store_changed_cb (SiWindow *self)
{
  gint64 delay_ms = SIDEBAR_REFRESH_DELAY_MS;

  if (self->sidebar_refresh_id != 0)
    return;
  if (self->sidebar_counted_at != 0)
    delay_ms = MAX (delay_ms, (self->sidebar_counted_at - g_get_monotonic_time ()) / 1000 + SI_SIDEBAR_REFRESH_GAP_MS);
  self->sidebar_refresh_id = g_timeout_add ((guint) delay_ms, sidebar_refresh_cb, self);
}

/**
 * _si_window_show_view:
 *
 * Shows a collection: all ideas, the pinned ones, the conflicted copies, or one tag's.
 */
void
_si_window_show_view (SiWindow         *self,
                      SiCollectionView  view,
                      gint64            tag_id)
{
  GtkWidget *row;
  gboolean trash = view == SI_COLLECTION_VIEW_TRASH;
  gboolean was_trash = self->view == SI_COLLECTION_VIEW_TRASH;

  if (view != SI_COLLECTION_VIEW_TAG)
    tag_id = 0;
  /* The Trash shows deleted ideas in place of the editor: what was typed goes to disk first. */
  if (trash && !was_trash)
    si_editor_set_idea (self->editor, NULL);
  self->view = view;
  self->view_tag_id = tag_id;
  gtk_widget_set_visible (self->idea_menu_button, !trash);
  gtk_widget_set_visible (self->delete_button, !trash);
  gtk_widget_set_visible (GTK_WIDGET (self->trash_status), FALSE);
  if (trash)
    _si_window_trash_show (self);

  g_object_freeze_notify (G_OBJECT (self->ideas));
  si_idea_list_set_tag_id (self->ideas, tag_id);
  si_idea_list_set_pinned_only (self->ideas, view == SI_COLLECTION_VIEW_PINNED);
  si_idea_list_set_conflicts_only (self->ideas, view == SI_COLLECTION_VIEW_CONFLICTS);
  g_object_thaw_notify (G_OBJECT (self->ideas));
  scroll_list_to_top (self);

  row = _si_window_get_sidebar_row (self, view, tag_id);
  if (row && row != GTK_WIDGET (gtk_list_box_get_selected_row (self->sidebar)))
    {
      self->sidebar_updating = TRUE;
      gtk_list_box_select_row (self->sidebar, GTK_LIST_BOX_ROW (row));
      self->sidebar_updating = FALSE;
    }
  sync_selection (self);
  update_list_state (self);
  update_editor_page (self);
}

static void
sidebar_row_selected_cb (SiWindow      *self,
                         GtkListBoxRow *row)
{
  if (self->sidebar_updating || row == NULL)
    return;
  _si_window_show_view (self, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "view")), row_tag_id (GTK_WIDGET (row)));
}

/* Choosing a collection shows its list: the sidebar over it closes. */
static void
sidebar_row_activated_cb (SiWindow      *self,
                          GtkListBoxRow *row)
{
  if (adw_flap_get_folded (self->flap) && adw_flap_get_reveal_flap (self->flap))
    {
      adw_flap_set_reveal_flap (self->flap, FALSE);
      gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
    }
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "list");
}

static void
build_sidebar (SiWindow *self)
{
  GtkWidget *label;

  self->all_row = make_sidebar_row (SI_COLLECTION_VIEW_ALL, 0, "view-list-bullet-symbolic", _("All Ideas"));
  self->pinned_row = make_sidebar_row (SI_COLLECTION_VIEW_PINNED, 0, "view-pin-symbolic", _("Pinned"));
  self->conflicts_row = make_sidebar_row (SI_COLLECTION_VIEW_CONFLICTS, 0, "dialog-warning-symbolic", _("Conflicts"));
  gtk_widget_set_visible (self->conflicts_row, FALSE);
  gtk_list_box_append (self->sidebar, self->all_row);
  gtk_list_box_append (self->sidebar, self->pinned_row);
  gtk_list_box_append (self->sidebar, self->conflicts_row);

  self->tags_header_row = gtk_list_box_row_new ();
  label = gtk_label_new (_("Tags"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (self->tags_header_row, "sidebar-heading");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (self->tags_header_row), label);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (self->tags_header_row), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self->tags_header_row), FALSE);
  gtk_widget_set_focusable (self->tags_header_row, FALSE);
  gtk_list_box_append (self->sidebar, self->tags_header_row);

  /* Below the tags, which are made again between the heading and it. */
  self->trash_row = make_sidebar_row (SI_COLLECTION_VIEW_TRASH, 0, "user-trash-symbolic", _("Trash"));
  gtk_list_box_append (self->sidebar, self->trash_row);

  gtk_list_box_select_row (self->sidebar, GTK_LIST_BOX_ROW (self->all_row));
}

/* The editor --------------------------------------------------------------------------------- */

static void
editor_idea_changed_cb (SiWindow *self)
{
  SiIdea *idea = si_editor_get_idea (self->editor);

  update_editor_page (self);
  if (idea == NULL && adw_leaflet_get_folded (self->leaflet) &&
      g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "editor") == 0)
    adw_leaflet_set_visible_child_name (self->leaflet, "list");
  sync_selection (self);
  _si_window_actions_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED]);
}

static void
editor_open_idea_cb (SiWindow *self,
                     gint64    id)
{
  si_window_open_idea (self, id);
}

static void
editor_show_message_cb (SiWindow   *self,
                        const char *message)
{
  si_window_show_toast (self, message);
}

static void
editor_pinned_cb (SiWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED]);
}

/* The list's header shows the sync status while the window is folded, when the editor's
 * header is not beside it; otherwise it follows no manager, and costs nothing during a sync. */
static void
update_list_sync_indicator (SiWindow *self)
{
  gboolean folded = adw_leaflet_get_folded (self->leaflet);

  si_sync_indicator_set_manager (self->list_sync_indicator, folded ? self->manager : NULL);
}

static void
leaflet_folded_cb (SiWindow *self)
{
  update_list_sync_indicator (self);
  /* Folded, the window shows the list first, or the editor when an idea is open. */
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, si_editor_get_idea (self->editor) ? "editor" : "list");
}

/**
 * si_window_open_idea:
 * @id: the idea to edit, 0 for none
 *
 * Saves what was typed in the idea open before, then opens @id.
 */
void
si_window_open_idea (SiWindow *self,
                     gint64    id)
{
  g_autoptr(SiIdea) idea = NULL;

  g_return_if_fail (SI_IS_WINDOW (self));

  if (id != 0 && !(idea = si_store_get_idea (self->store, id, NULL)))
    g_debug ("Idea %" G_GINT64_FORMAT " is gone", id);
  /* An idea opened from the Trash view (a search, the Shell) shows with the ideas. */
  if (idea && self->view == SI_COLLECTION_VIEW_TRASH)
    _si_window_show_view (self, SI_COLLECTION_VIEW_ALL, 0);
  si_editor_set_idea (self->editor, idea);
  /* An idea outside the collection shown (a resolved conflict, a search hit) is still opened;
   * the list simply has nothing selected. */
  sync_selection (self);
}

/**
 * si_window_show_idea:
 *
 * Opens @id as a click on its row does, for a request from outside the window (the Shell's
 * search): the editor is shown in a folded window too.
 */
void
si_window_show_idea (SiWindow *self,
                     gint64    id)
{
  g_return_if_fail (SI_IS_WINDOW (self));

  si_window_open_idea (self, id);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, si_editor_get_idea (self->editor) ? "editor" : "list");
}

/**
 * si_window_search:
 * @text: what to search for
 *
 * Opens the search bar with @text in it, as if it had been typed there.
 */
void
si_window_search (SiWindow   *self,
                  const char *text)
{
  g_return_if_fail (SI_IS_WINDOW (self));
  g_return_if_fail (text != NULL);

  gtk_widget_activate_action (GTK_WIDGET (self), "list.search", NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  gtk_editable_set_position (GTK_EDITABLE (self->search_entry), -1);
}

gint64
si_window_get_current_id (SiWindow *self)
{
  SiIdea *idea;

  g_return_val_if_fail (SI_IS_WINDOW (self), 0);
  idea = si_editor_get_idea (self->editor);
  return idea ? si_idea_get_id (idea) : 0;
}

void
si_window_show_toast (SiWindow   *self,
                      const char *message)
{
  AdwToast *toast;

  g_return_if_fail (SI_IS_WINDOW (self));
  toast = adw_toast_new (message);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * si_window_save_now:
 *
 * Writes whatever the editor holds that is not on disk yet.
 */
gboolean
si_window_save_now (SiWindow *self)
{
  g_return_val_if_fail (SI_IS_WINDOW (self), FALSE);
  return si_editor_save_now (self->editor);
}

/**
 * si_window_show_sync_status:
 *
 * Opens the sync indicator's popover (details, the changes waiting, Sync Now).
 */
void
si_window_show_sync_status (SiWindow *self)
{
  SiSyncIndicator *indicator;

  g_return_if_fail (SI_IS_WINDOW (self));

  indicator = self->sync_indicator;
  /* Folded, the pane shown has one: the list's header has its own. */
  if (adw_leaflet_get_folded (self->leaflet) &&
      g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "editor") != 0)
    indicator = self->list_sync_indicator;
  if (gtk_widget_get_visible (GTK_WIDGET (indicator)))
    si_sync_indicator_popup (indicator);
}

/* A wide window opens with the newest idea in the editor, ready to read or continue; a narrow
 * one on the list. Run once the window is laid out: at map, the leaflet does not know yet
 * whether it is folded, and an idea opened then would put a narrow window on the editor. */
static gboolean
open_first_idea_cb (gpointer user_data)
{
  SiWindow *self = user_data;

  self->first_idea_id = 0;
  if (si_editor_get_idea (self->editor) == NULL && !adw_leaflet_get_folded (self->leaflet) &&
      g_list_model_get_n_items (G_LIST_MODEL (self->ideas)) > 0)
    si_window_open_idea (self, si_idea_list_get_id_at (self->ideas, 0));
  return G_SOURCE_REMOVE;
}

static int
min_width (GtkWidget *widget)
{
  int min = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  return min;
}

/* Whether the list's header is too narrow for its title whole beside its buttons (a German
 * "Alle Ideen" and "100.000 Ideen" beside three window buttons at text scale 1.5 in 360 px).
 * Then New Idea and Search leave the header for the bar below the list, as GNOME apps move
 * header buttons to a bottom bar in a narrow window. Measured as if they were in the header
 * (their width as last measured there while they are not), so the answer does not flip back. */
#define HEADER_SPACING 6

static gboolean
list_header_is_narrow (SiWindow *self)
{
  int width = gtk_widget_get_width (self->list_header);
  int header_min = 0, title_min = 0, title_nat = 0;

  if (width <= 0)
    return FALSE;
  gtk_widget_measure (self->list_header, GTK_ORIENTATION_HORIZONTAL, -1, &header_min, NULL, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (self->list_title), GTK_ORIENTATION_HORIZONTAL, -1,
                      &title_min, &title_nat, NULL, NULL);
  if (gtk_widget_get_visible (self->new_button))
    self->header_buttons_width = min_width (self->new_button) + min_width (self->search_button) +
                                 2 * HEADER_SPACING;
  else
    header_min += self->header_buttons_width;
  return header_min - title_min + title_nat > width;
}

static void
update_list_header (SiWindow *self)
{
  gboolean narrow = list_header_is_narrow (self);

  if (narrow == !gtk_widget_get_visible (self->new_button))
    return;
  gtk_widget_set_visible (self->new_button, !narrow);
  gtk_widget_set_visible (self->search_button, !narrow);
  gtk_action_bar_set_revealed (self->list_action_bar, narrow);
}

static gboolean
relayout_cb (gpointer user_data)
{
  SiWindow *self = user_data;

  self->relayout_id = 0;
  update_list_header (self);
  gtk_widget_queue_resize (GTK_WIDGET (self->flap));
  return G_SOURCE_REMOVE;
}

/* Three panes from the width where the sidebar, the list and a comfortable editor fit; the
 * sidebar over the list below it. Decided here rather than by the flap, which would keep the
 * sidebar while the list and the editor still get their natural widths: those depend on the
 * ideas and the language, and the window would fold at a different width for each. */
static void
si_window_size_allocate (GtkWidget *widget,
                         int        width,
                         int        height,
                         int        baseline)
{
  SiWindow *self = SI_WINDOW (widget);
  int three_panes = min_width (self->sidebar_pane) + min_width (self->list_pane) +
                    MAX (min_width (self->editor_pane), EDITOR_COMFORT_WIDTH) + 2;
  AdwFlapFoldPolicy policy = width < three_panes ? ADW_FLAP_FOLD_POLICY_ALWAYS : ADW_FLAP_FOLD_POLICY_NEVER;

  if (adw_flap_get_fold_policy (self->flap) != policy)
    {
      adw_flap_set_fold_policy (self->flap, policy);
      /* Mid-allocation, the panes' sizes measured for this frame stay as they were: lay them
       * out again once this frame is done. */
      if (self->relayout_id == 0)
        self->relayout_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, relayout_cb, self, NULL);
    }
  GTK_WIDGET_CLASS (si_window_parent_class)->size_allocate (widget, width, height, baseline);
  /* The header's own width is known only now: change it once this frame is done. */
  if (list_header_is_narrow (self) == gtk_widget_get_visible (self->new_button) && self->relayout_id == 0)
    self->relayout_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, relayout_cb, self, NULL);
}

static void
si_window_map (GtkWidget *widget)
{
  SiWindow *self = SI_WINDOW (widget);

  GTK_WIDGET_CLASS (si_window_parent_class)->map (widget);
  /* After the first layout (GDK's redraw priority is higher than an idle's). */
  if (self->first_idea_id == 0)
    self->first_idea_id = g_idle_add (open_first_idea_cb, self);
}

/* GObject and GtkWindow ------------------------------------------------------------------------ */

static gboolean
si_window_close_request (GtkWindow *window)
{
  SiWindow *self = SI_WINDOW (window);

  /* The last keystrokes go to disk before anything else; a blank new idea is dropped. */
  si_editor_set_idea (self->editor, NULL);

  if (self->settings)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
      if (!gtk_window_is_maximized (window))
        {
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
    }
  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (si_window_parent_class)->close_request (window);
}

static GSettings *
settings_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source)
    schema = g_settings_schema_source_lookup (source, BASE_APP_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("The GSettings schema %s is not installed; settings are not kept", BASE_APP_ID);
      return NULL;
    }
  return g_settings_new (BASE_APP_ID);
}

static void
si_window_constructed (GObject *object)
{
  SiWindow *self = SI_WINDOW (object);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  SiSpellChecker *checker;
  GPtrArray *pool;

  G_OBJECT_CLASS (si_window_parent_class)->constructed (object);

  g_return_if_fail (SI_IS_STORE (self->store));

  self->ideas = si_idea_list_new (self->store);
  /* A page of a sync changes every row the list shows: a few per frame, not all in one. */
  si_idea_list_set_paced (self->ideas, TRUE);
  pool = g_ptr_array_new_with_free_func (g_object_unref);
  g_object_set_data_full (G_OBJECT (factory), "row-pool", pool, (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "teardown", G_CALLBACK (teardown_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->ideas)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_grid_view_set_factory (self->list_view, factory);
  gtk_grid_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
  /* After the selection model has seen the change, put the selection back on the open idea. */
  g_signal_connect_object (self->ideas, "items-changed", G_CALLBACK (ideas_changed_cb),
                           self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (self->ideas, "notify::n-matches", G_CALLBACK (update_list_state),
                           self, G_CONNECT_SWAPPED);
  /* The count, not each change: a new search empties the list, then fills it, and the page
   * for no results was shown and hidden again in between (the list unmapped and mapped). */
  g_signal_connect_object (self->ideas, "notify::n-items", G_CALLBACK (update_list_state),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list_view, "activate", G_CALLBACK (list_activate_cb),
                           self, G_CONNECT_SWAPPED);

  si_editor_set_store (self->editor, self->store);
  g_signal_connect_object (self->editor, "notify::pinned", G_CALLBACK (editor_pinned_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->store, "changed", G_CALLBACK (store_changed_cb),
                           self, G_CONNECT_SWAPPED);
  show_search_fill (self);
  si_sync_indicator_set_manager (self->sync_indicator, self->manager);
  update_list_sync_indicator (self);

  self->settings = settings_if_installed ();
  if (self->settings)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }

  /* Check Spelling and the language, in the idea menu. */
  checker = si_editor_get_spell_checker (self->editor);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "spelling", si_spell_checker_get_actions (checker));
  g_menu_insert_section (self->idea_menu, 1, NULL, si_spell_checker_get_menu (checker));
  if (self->settings)
    {
      g_autoptr(GSettingsSchema) schema = NULL;

      /* An older schema installed beside a newer build lacks the keys: binding one would abort. */
      g_object_get (self->settings, "settings-schema", &schema, NULL);
      if (g_settings_schema_has_key (schema, "spell-checking") && g_settings_schema_has_key (schema, "spell-language"))
        {
          g_settings_bind (self->settings, "spell-checking", checker, "enabled", G_SETTINGS_BIND_DEFAULT);
          g_settings_bind (self->settings, "spell-language", checker, "language", G_SETTINGS_BIND_DEFAULT);
        }
    }

  build_sidebar (self);
  _si_window_refresh_sidebar (self);
  editor_idea_changed_cb (self);
  update_list_state (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
si_window_dispose (GObject *object)
{
  SiWindow *self = SI_WINDOW (object);

  if (self->editor)
    si_editor_set_idea (self->editor, NULL);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->sidebar_refresh_id, g_source_remove);
  drop_due_tag_rows (self);
  g_clear_handle_id (&self->relayout_id, g_source_remove);
  g_clear_handle_id (&self->first_idea_id, g_source_remove);
  g_clear_handle_id (&self->editor_page_id, g_source_remove);
  g_cancellable_cancel (self->chooser_cancellable);
  g_clear_object (&self->chooser_cancellable);
  _si_window_actions_dispose (self);
  _si_window_trash_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SI_TYPE_WINDOW);
  g_clear_object (&self->selection);
  g_clear_object (&self->ideas);
  g_clear_object (&self->deleted);
  g_clear_object (&self->settings);
  g_clear_object (&self->manager);
  g_clear_object (&self->count_store);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (si_window_parent_class)->dispose (object);
}

static void
si_window_finalize (GObject *object)
{
  SiWindow *self = SI_WINDOW (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (si_window_parent_class)->finalize (object);
}

static void
si_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SiWindow *self = SI_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE: g_value_set_object (value, self->store); break;
    case PROP_SYNC_MANAGER: g_value_set_object (value, self->manager); break;
    case PROP_PINNED:
      g_value_set_boolean (value, self->editor && si_editor_get_idea (self->editor) &&
                                  si_idea_get_pinned (si_editor_get_idea (self->editor)));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  SiWindow *self = SI_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE: self->store = g_value_dup_object (value); break;
    case PROP_SYNC_MANAGER: self->manager = g_value_dup_object (value); break;
    case PROP_PINNED: si_editor_set_pinned (self->editor, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_window_class_init (SiWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = si_window_constructed;
  object_class->dispose = si_window_dispose;
  object_class->finalize = si_window_finalize;
  object_class->get_property = si_window_get_property;
  object_class->set_property = si_window_set_property;
  window_class->close_request = si_window_close_request;
  widget_class->map = si_window_map;
  widget_class->size_allocate = si_window_size_allocate;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, SI_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SYNC_MANAGER] =
    g_param_spec_object ("sync-manager", NULL, NULL, SI_TYPE_SYNC_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The open idea's pin, for the idea.pin action and its toggle button. */
  properties[PROP_PINNED] =
    g_param_spec_boolean ("pinned", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SI_TYPE_EDITOR);
  g_type_ensure (SI_TYPE_SYNC_INDICATOR);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/saveidea/Saveidea/si-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SiWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, sidebar_pane);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, search_fill_status);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, search_fill_spinner);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, editor_pane);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, list_pane);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, list_title);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, list_header);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, new_button);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, list_action_bar);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, editor_stack);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, editor);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, idea_menu);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, sync_indicator);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, list_sync_indicator);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, import_bar);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, import_label);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, import_progress);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, idea_menu_button);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, delete_button);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, editor_open_idea_cb);
  gtk_widget_class_bind_template_callback (widget_class, editor_show_message_cb);
  gtk_widget_class_bind_template_callback (widget_class, editor_idea_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, leaflet_folded_cb);

  _si_window_class_actions_init (widget_class);
  _si_window_class_transfer_init (widget_class);
  _si_window_class_trash_init (widget_class);
}

static void
si_window_init (SiWindow *self)
{
  GtkEventController *controller;

  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  _si_window_transfer_init (self);
  _si_window_actions_init (self);
  _si_window_trash_init (self);

  /* Start typing in the list or the sidebar, and the search begins. */
  /* The editor pane's empty state depends on the list's. */
  g_signal_connect_object (self->list_stack, "notify::visible-child", G_CALLBACK (list_page_changed_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_entry_set_search_delay (self->search_entry, SEARCH_DELAY_MS);
  gtk_search_bar_set_key_capture_widget (self->search_bar, self->list_pane);
  g_signal_connect_object (self->search_bar, "notify::search-mode-enabled", G_CALLBACK (search_mode_cb),
                           self, G_CONNECT_SWAPPED);

  /* Delete in the list deletes the selected idea (Ctrl+D works anywhere). */
  controller = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Delete, 0),
                                                          gtk_named_action_new ("idea.delete")));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_KP_Delete, 0),
                                                          gtk_named_action_new ("idea.delete")));
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), controller);

  g_signal_connect_object (gtk_widget_get_settings (GTK_WIDGET (self)), "notify::gtk-xft-dpi",
                           G_CALLBACK (update_sidebar_width), self, G_CONNECT_SWAPPED);
  update_sidebar_width (self);
}

SiWindow *
si_window_new (SiApplication *application,
               SiStore       *store,
               SiSyncManager *manager)
{
  return g_object_new (SI_TYPE_WINDOW,
                       "application", application,
                       "store", store,
                       "sync-manager", manager,
                       NULL);
}

SiIdeaList *
si_window_get_idea_list (SiWindow *self)
{
  g_return_val_if_fail (SI_IS_WINDOW (self), NULL);
  return self->ideas;
}

SiStore *
si_window_get_store (SiWindow *self)
{
  g_return_val_if_fail (SI_IS_WINDOW (self), NULL);
  return self->store;
}

SiSyncManager *
si_window_get_sync_manager (SiWindow *self)
{
  g_return_val_if_fail (SI_IS_WINDOW (self), NULL);
  return self->manager;
}

/* Test accessors */
SiEditor *_si_window_get_editor (SiWindow *self) { return self->editor; }
GtkGridView *_si_window_get_list_view (SiWindow *self) { return self->list_view; }
GtkSearchEntry *_si_window_get_search_entry (SiWindow *self) { return self->search_entry; }
GtkSearchBar *_si_window_get_search_bar (SiWindow *self) { return self->search_bar; }
GtkListBox *_si_window_get_sidebar (SiWindow *self) { return self->sidebar; }
GtkStack *_si_window_get_list_stack (SiWindow *self) { return self->list_stack; }
SiSyncIndicator *_si_window_get_sync_indicator (SiWindow *self) { return self->sync_indicator; }
SiSyncIndicator *_si_window_get_list_sync_indicator (SiWindow *self) { return self->list_sync_indicator; }
AdwLeaflet *_si_window_get_leaflet (SiWindow *self) { return self->leaflet; }
AdwFlap *_si_window_get_flap (SiWindow *self) { return self->flap; }
