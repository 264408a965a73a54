/* si-idea-list.c — the store's ideas as a GListModel.
 *
 * The list holds only each row's sort key (id, pinned, updated_at, rank), and an SiIdea is loaded
 * when a row asks for it. When the store says one idea changed, the list emits exactly the rows
 * that moved: (p, 1, 1) for an edit in place, a removal and an insertion for a move, never a
 * reset. Search results, and any list when the store says anything may have changed, are
 * re-queried and diffed.
 *
 * The list of every idea loads lazily: it reads the first LOAD_PAGE keys and the number of ideas
 * (which the store keeps), and the keys after them only when a row that far is asked for. Until
 * then the rest of the list is a run of rows nobody has seen ("the tail"): a change that may
 * touch it replaces the tail's rows in one items-changed, with its new length. The filtered
 * lists (a tag, pinned, conflicts, a search) are small enough to load at once.
 */
#define G_LOG_DOMAIN "saveidea-model"

#include "config.h"

#include "si-idea-list.h"
#include "si-record-private.h"

/* Loaded ideas nobody else holds are dropped when the cache grows past this. */
#define CACHE_SOFT_LIMIT 256
/* The list of every idea reads this many keys at a time: more than the rows a GtkListView
 * builds at once. */
#define LOAD_PAGE 500
/* A paced list (si_idea_list_set_paced()) changes at most PACE_BUDGET of its first PACED_ROWS
 * rows per step (each change counting as one more), a step every PACE_INTERVAL_MS: a few rows
 * per frame. PACED_ROWS are the rows the window's list builds at the top: its one-column
 * GtkGridView keeps 30 rows alive (GTK_GRID_VIEW_MAX_VISIBLE_ROWS) and three more. Rows past
 * those have no widget, so their change costs the view one layout whatever their number, and
 * comes at once: at 100 paced rows, two thirds of a first sync's steps changed only such rows,
 * and each step laid the window out twice (the step, then the scrollbar's new range), on X11
 * with some ten round trips to the X server each (docs/performance.md). */
#define PACED_ROWS 40
#define PACE_BUDGET 4
/* A list shorter than PACED_ROWS (one filling up from empty at a first sync's first page, or a
 * short one) takes PACE_BUDGET_FILLING, one new row per step: the view makes each row it gains
 * new (a widget from its template, bound, measured and drawn for the first time), 2-3 ms of the
 * main thread each on a busy 2-core machine. Three per step made iterations of up to 17-25 ms
 * of CPU in a 100,000-idea first sync, one per step 12-15 ms. Longer lists keep PACE_BUDGET:
 * one row per step there too doubled each refresh's frames during a sync, and lowered the
 * app's share of it (docs/performance.md). */
#define PACE_BUDGET_FILLING 2
#define PACE_INTERVAL_MS 16
/* A paced list refreshes at most once per REFRESH_INTERVAL_MS when the store says again and
 * again that anything may have changed (a first sync's pages, 40 a second): the first at
 * once, the next when the interval is over, with all that came meanwhile. When that one had
 * to wait too, the next interval is REFRESH_INTERVAL_LONG_MS, until one passes without any
 * (refresh_all_throttled()). */
#define REFRESH_INTERVAL_MS 1000
#define REFRESH_INTERVAL_LONG_MS 2000
/* A paced list handles this many changes of one idea each within one main-loop iteration; more
 * (the last, small page of a sync, announced idea by idea) make one refresh right after it. */
#define BURST_MAX 4

struct _SiIdeaList
{
  GObject      parent_instance;

  SiStore     *store;
  gulong       changed_id;
  GArray      *keys;      /* SiIdeaKey, in display order: the whole list, or its loaded start */
  guint        n_tail;    /* rows after @keys not loaded yet */
  GHashTable  *cache;     /* id -> SiIdea */

  guint        n_matches; /* a search's matches, kept or not; 0: as many as the rows */

  gint64       tag_id;
  char        *search;
  gboolean     pinned_only;
  gboolean     conflicts_only;

  /* A paced refresh on its way: the keys the loaded ones become, with the count read with
   * them (the whole list when @target_short), and the next step's timeout. */
  gboolean     paced;
  GArray      *target;
  guint        target_total;
  gboolean     target_short;
  guint        pace_id;
  guint        burst;      /* changes of one idea in this main-loop iteration */
  gboolean     deferred;   /* more came: a refresh is due when @burst_id runs */
  guint        burst_id;
  /* A paced list re-reads the ideas its rows hold right after the main-loop iteration that
   * said anything may have changed, not inside it (see refresh_all()). */
  guint        reread_id;
  /* A paced list's last refresh for the store's "anything changed" (monotonic µs), and the
   * timeout of the next when one waits for REFRESH_INTERVAL_MS. */
  gint64       last_refresh;
  guint        refresh_id;
  guint        refresh_interval_ms;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SiIdeaList, si_idea_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_TAG_ID,
  PROP_SEARCH,
  PROP_PINNED_ONLY,
  PROP_CONFLICTS_ONLY,
  PROP_N_ITEMS,
  PROP_N_MATCHES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static SiIdeaFilter
current_filter (SiIdeaList *self)
{
  return (SiIdeaFilter) {
    .tag_id = self->tag_id,
    .search = self->search,
    .pinned_only = self->pinned_only,
    .conflicts_only = self->conflicts_only,
  };
}

static gboolean
searching (SiIdeaList *self)
{
  return self->search != NULL && self->search[0] != '\0';
}

/* Only the list of every idea is big enough to load as it scrolls. */
static gboolean
loads_lazily (SiIdeaList *self)
{
  return !searching (self) && self->tag_id == 0 && !self->pinned_only && !self->conflicts_only;
}

static guint
n_rows (SiIdeaList *self)
{
  return self->keys->len + self->n_tail;
}

/* Reads keys after the loaded ones until @position is loaded (or the list ends early: another
 * process removed ideas since the tail was counted; the next change settles that). */
static void
load_through_position (SiIdeaList *self,
                       guint       position)
{
  while (self->n_tail > 0 && position >= self->keys->len)
    {
      SiIdeaFilter filter = current_filter (self);
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) page = NULL;
      const SiIdeaKey *last = NULL;
      guint want = MAX (LOAD_PAGE, position + 1 - self->keys->len);

      if (self->keys->len > 0)
        last = &g_array_index (self->keys, SiIdeaKey, self->keys->len - 1);
      page = si_store_query_ideas_after (self->store, &filter, last, MIN (want, self->n_tail), &error);
      if (page == NULL)
        {
          g_warning ("Could not list the ideas: %s", error->message);
          return;
        }
      if (page->len == 0)
        return;
      g_array_append_vals (self->keys, page->data, page->len);
      self->n_tail -= page->len;
    }
}

/* GListModel ---------------------------------------------------------------------------------- */

static GType
si_idea_list_get_item_type (GListModel *model)
{
  return SI_TYPE_IDEA;
}

static guint
si_idea_list_get_n_items (GListModel *model)
{
  return n_rows (SI_IDEA_LIST (model));
}

static void
trim_cache (SiIdeaList *self)
{
  GHashTableIter iter;
  gpointer value;

  if (g_hash_table_size (self->cache) <= CACHE_SOFT_LIMIT)
    return;
  g_hash_table_iter_init (&iter, self->cache);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (G_OBJECT (value)->ref_count == 1)
      g_hash_table_iter_remove (&iter);
}

static gpointer
si_idea_list_get_item (GListModel *model,
                       guint       position)
{
  SiIdeaList *self = SI_IDEA_LIST (model);
  g_autoptr(GError) error = NULL;
  SiIdea *idea;
  gint64 id;

  if (position >= n_rows (self))
    return NULL;
  load_through_position (self, position);
  if (position >= self->keys->len)
    return si_idea_new (NULL, NULL);   /* removed meanwhile, as below */
  id = g_array_index (self->keys, SiIdeaKey, position).id;
  if ((idea = g_hash_table_lookup (self->cache, &id)))
    return g_object_ref (idea);

  idea = si_store_get_idea (self->store, id, &error);
  if (idea == NULL)
    {
      /* Deleted by another process a moment ago: the change signal is on its way. Hand out a
       * blank idea rather than NULL, which GTK does not expect for a valid position. */
      g_debug ("Idea %" G_GINT64_FORMAT " vanished: %s", id, error->message);
      return si_idea_new (NULL, NULL);
    }
  trim_cache (self);
  g_hash_table_insert (self->cache, g_memdup2 (&id, sizeof id), g_object_ref (idea));
  return idea;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = si_idea_list_get_item_type;
  iface->get_n_items = si_idea_list_get_n_items;
  iface->get_item = si_idea_list_get_item;
}

/* Keeping up with the store ------------------------------------------------------------------- */

static void
emit_items_changed (SiIdeaList *self,
                    guint       position,
                    guint       removed,
                    guint       added)
{
  if (removed == 0 && added == 0)
    return;
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
set_n_matches (SiIdeaList *self,
               guint       n_matches)
{
  if (self->n_matches == n_matches)
    return;
  self->n_matches = n_matches;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MATCHES]);
}

static void drop_pace   (SiIdeaList *self);
static void finish_pace (SiIdeaList *self);

/* Replaces every row, for a new filter. */
static void
reload (SiIdeaList *self)
{
  SiIdeaFilter filter = current_filter (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) keys = NULL;
  guint removed = n_rows (self), total = 0, n_matches = 0;

  drop_pace (self);
  if (loads_lazily (self))
    {
      total = si_store_count_ideas (self->store, &filter, &error);
      if (error == NULL)
        keys = si_store_query_ideas_after (self->store, &filter, NULL, LOAD_PAGE, &error);
    }
  else
    keys = si_store_query_ideas_counted (self->store, &filter, &n_matches, &error);
  if (keys == NULL)
    {
      g_warning ("Could not list the ideas: %s", error->message);
      keys = g_array_new (FALSE, FALSE, sizeof (SiIdeaKey));
    }
  /* Two changes: every row goes, then the new ones come. In one change that removes the row a
   * GtkListView or GtkGridView tracks (its focus, its selection), GTK looks for that row among
   * all the rows the change adds, one get_item() each: the whole notebook read from disk when a
   * search ends, all of a tag's ideas when one is chosen. An empty list has nothing to look in. */
  g_object_freeze_notify (G_OBJECT (self));
  set_n_matches (self, n_matches > keys->len ? n_matches : 0);
  g_array_set_size (self->keys, 0);
  self->n_tail = 0;
  emit_items_changed (self, 0, removed, 0);
  g_array_unref (self->keys);
  self->keys = g_steal_pointer (&keys);
  /* A short first page is the whole list, whatever the count said. */
  self->n_tail = self->keys->len == LOAD_PAGE && total > LOAD_PAGE ? total - LOAD_PAGE : 0;
  emit_items_changed (self, 0, 0, n_rows (self));
  g_object_thaw_notify (G_OBJECT (self));
}

/* Puts @keys (transfer full) in place of the loaded keys and announces only the rows that
 * differ: those between what the two share at their start and at their end. */
static void
replace_keys (SiIdeaList *self,
              GArray     *keys)
{
  GArray *old = self->keys;
  guint prefix = 0, suffix = 0, old_len = old->len, new_len = keys->len;

  while (prefix < old_len && prefix < new_len &&
         si_idea_key_compare (&g_array_index (old, SiIdeaKey, prefix),
                              &g_array_index (keys, SiIdeaKey, prefix)) == 0)
    prefix++;
  while (suffix < old_len - prefix && suffix < new_len - prefix &&
         si_idea_key_compare (&g_array_index (old, SiIdeaKey, old_len - 1 - suffix),
                              &g_array_index (keys, SiIdeaKey, new_len - 1 - suffix)) == 0)
    suffix++;
  self->keys = keys;
  g_array_unref (old);
  emit_items_changed (self, prefix, old_len - prefix - suffix, new_len - prefix - suffix);
}

/* Search results: re-query and emit one change covering what differs between the two lists. */
static void
rediff (SiIdeaList *self)
{
  SiIdeaFilter filter = current_filter (self);
  g_autoptr(GError) error = NULL;
  GArray *keys;
  guint n_matches = 0;

  if (!(keys = si_store_query_ideas_counted (self->store, &filter, &n_matches, &error)))
    {
      g_warning ("Could not search the ideas: %s", error->message);
      return;
    }
  set_n_matches (self, n_matches > keys->len ? n_matches : 0);
  replace_keys (self, keys);
}

/* The usual burst: ideas new or edited come on top, and the loaded rows follow as they were.
 * When @keys, the first rows now, are k new keys and then the loaded ones (read on to check
 * the last k), the change is k rows inserted at the top: no row GTK shows or tracks is
 * removed, so it looks for none (it did, among all the loaded rows, one get_item() each).
 * Returns FALSE, changing nothing, for any other change. */
static gboolean
insert_on_top (SiIdeaList *self,
               GArray     *keys)
{
  SiIdeaFilter filter = current_filter (self);
  GArray *old = self->keys;
  guint k, n = keys->len, need;
  g_autoptr(GArray) more = NULL;

  if (old->len == 0)
    return FALSE;
  for (k = 0; k < n; k++)
    if (si_idea_key_compare (&g_array_index (keys, SiIdeaKey, k), &g_array_index (old, SiIdeaKey, 0)) == 0)
      break;
  if (k == 0 || k == n || n - k > old->len)
    return FALSE;
  for (guint i = k; i < n; i++)
    if (si_idea_key_compare (&g_array_index (keys, SiIdeaKey, i), &g_array_index (old, SiIdeaKey, i - k)) != 0)
      return FALSE;
  need = old->len - (n - k);
  if (need > 0)
    {
      more = si_store_query_ideas_after (self->store, &filter, &g_array_index (keys, SiIdeaKey, n - 1), need, NULL);
      if (more == NULL || more->len != need)
        return FALSE;
      for (guint i = 0; i < need; i++)
        if (si_idea_key_compare (&g_array_index (more, SiIdeaKey, i), &g_array_index (old, SiIdeaKey, n - k + i)) != 0)
          return FALSE;
    }
  g_array_prepend_vals (old, keys->data, k);
  emit_items_changed (self, 0, 0, k);
  return TRUE;
}

/* Puts @keys (transfer full) in place of the loaded keys, both in display order, by walking
 * them side by side: each run of rows gone and of rows new is its own change, and a row in both
 * stays where it is. A page of a first sync spreads its ideas through the list by date: one
 * change from the first new row to the last replaced nearly every loaded row, and GTK bound,
 * measured and shaped its shown rows again and looked for the row it tracks among all the
 * rows added (an idea read from disk for each). Returns FALSE, changing nothing, when the two
 * differ in more than MAX_MERGE_RUNS places: then one change is cheaper than many. */
#define MAX_MERGE_RUNS 64

/* Which of the two comes first in display order; whichever array is used up comes last. */
static int
merge_compare (GArray *a,
               guint   i,
               GArray *b,
               guint   j)
{
  if (i == a->len)
    return 1;
  if (j == b->len)
    return -1;
  return si_idea_key_compare (&g_array_index (a, SiIdeaKey, i), &g_array_index (b, SiIdeaKey, j));
}

static gboolean
merge_keys (SiIdeaList *self,
            GArray     *keys)
{
  guint runs = 0, i = 0, j = 0, pos = 0;

  /* Count the runs first: the list must not be half changed when it gives up. */
  while (i < self->keys->len || j < keys->len)
    {
      if (merge_compare (self->keys, i, keys, j) == 0)
        {
          i++, j++;
          continue;
        }
      if (++runs > MAX_MERGE_RUNS)
        {
          g_array_unref (keys);
          return FALSE;
        }
      for (int cmp; (cmp = merge_compare (self->keys, i, keys, j)) != 0 && (i < self->keys->len || j < keys->len);)
        {
          if (cmp < 0)
            i++;
          else
            j++;
        }
    }

  /* Then change the rows run by run, so that during each signal they are what was announced. */
  j = 0;
  while (pos < self->keys->len || j < keys->len)
    {
      guint removed = 0, added = 0, len;
      int cmp;

      if (merge_compare (self->keys, pos, keys, j) == 0)
        {
          pos++, j++;
          continue;
        }
      /* A run: the rows before the next new key go, the new keys before the next row come. */
      while ((cmp = merge_compare (self->keys, pos + removed, keys, j + added)) != 0 &&
             (pos + removed < self->keys->len || j + added < keys->len))
        {
          if (cmp < 0)
            removed++;
          else
            added++;
        }
      g_array_remove_range (self->keys, pos, removed);
      g_array_insert_vals (self->keys, pos, &g_array_index (keys, SiIdeaKey, j), added);
      len = self->keys->len;
      emit_items_changed (self, pos, removed, added);
      pos += added;
      j += added;
      /* A handler read on into the tail: what it loaded was read after the change, and may
       * hold keys still to come here. The rest is done in one change. */
      if (self->keys->len != len)
        {
          replace_keys (self, keys);
          return TRUE;
        }
    }
  g_array_unref (keys);
  return TRUE;
}

/* The rows of a list whose refresh read @len keys and counted @total: a @short_read was the
 * whole list, whatever the count said; else the count, or the keys if more were read. */
static guint
rows_after (guint    len,
            guint    total,
            gboolean short_read)
{
  return short_read ? len : MAX (total, len);
}

/* After a refresh's changes of the loaded rows: the tail starts after what is loaded now (a
 * handler of those changes may have read on), its length what @total says is left. */
static void
settle_tail (SiIdeaList *self,
             guint       total,
             gboolean    short_read)
{
  guint new_len = self->keys->len;
  guint old_tail = self->n_tail;
  guint new_tail = rows_after (new_len, total, short_read) - new_len;

  if (new_tail != old_tail)
    {
      self->n_tail = new_tail;
      emit_items_changed (self, new_len, old_tail, new_tail);
    }
}

/* Pacing -------------------------------------------------------------------------------------- */

/* A page of a first sync brings ideas newer than every loaded one: the list's first rows all
 * change at each page, and GTK bound, measured and shaped every row it shows in one frame
 * (15-25 ms of the main thread, the longest iteration of a first sync). A paced list walks
 * the loaded keys and the new ones side by side from the top as merge_keys() does, but
 * changes only PACE_BUDGET rows per step; at any step the rows are the new keys down to
 * some idea and the old ones after it, both in display order, so the list is always sorted
 * and each row a real idea. Past the first PACED_ROWS rows, which a window shows, the rest
 * is done at once. The tail follows the count at each step, so the number of rows is right
 * from the first step (except while the list fills up from empty). */

static void
finish_pace (SiIdeaList *self)
{
  g_autoptr(GArray) target = g_steal_pointer (&self->target);

  g_clear_handle_id (&self->pace_id, g_source_remove);
  if (target == NULL)
    return;
  if (!merge_keys (self, g_array_ref (target)))
    replace_keys (self, g_array_ref (target));
  settle_tail (self, self->target_total, self->target_short);
}

/* Drops a paced refresh without finishing it: the rows are about to be replaced. */
static void
drop_pace (SiIdeaList *self)
{
  g_clear_handle_id (&self->pace_id, g_source_remove);
  g_clear_pointer (&self->target, g_array_unref);
}

/* One step; returns whether there is more to do. */
static gboolean
pace_step (SiIdeaList *self)
{
  GArray *target = self->target;
  guint pos = 0, j = 0;
  guint budget = self->keys->len < PACED_ROWS ? PACE_BUDGET_FILLING : PACE_BUDGET;

  while (pos < PACED_ROWS && (pos < self->keys->len || j < target->len))
    {
      guint removed = 0, added = 0, len;
      int cmp;

      if (merge_compare (self->keys, pos, target, j) == 0)
        {
          pos++, j++;
          continue;
        }
      if (budget == 0)
        break;
      budget--;
      /* A run, cut where the budget ends: every old row before the last new one taken goes. */
      while (budget > 0 &&
             (cmp = merge_compare (self->keys, pos + removed, target, j + added)) != 0 &&
             (pos + removed < self->keys->len || j + added < target->len))
        {
          if (cmp < 0)
            removed++;
          else
            added++;
          budget--;
        }
      g_array_remove_range (self->keys, pos, removed);
      g_array_insert_vals (self->keys, pos, &g_array_index (target, SiIdeaKey, j), added);
      len = self->keys->len;
      emit_items_changed (self, pos, removed, added);
      pos += added;
      j += added;
      /* A handler read on into the tail (see merge_keys()): the rest at once. */
      if (self->keys->len != len)
        break;
    }
  if (budget > 0 || pos >= PACED_ROWS)
    {
      finish_pace (self);
      return FALSE;
    }
  /* The count at once, unless the tail would start among the first rows (a list just
   * filling): its rows would come in all at once. */
  if (self->keys->len >= PACED_ROWS)
    settle_tail (self, self->target_total, self->target_short);
  return TRUE;
}

static gboolean
pace_cb (gpointer user_data)
{
  SiIdeaList *self = user_data;
  gboolean more;

  g_object_freeze_notify (G_OBJECT (self));
  more = pace_step (self);
  g_object_thaw_notify (G_OBJECT (self));
  if (more)
    return G_SOURCE_CONTINUE;
  self->pace_id = 0;
  return G_SOURCE_REMOVE;
}

/* Makes @keys (transfer full), the first rows now, the loaded keys step by step. */
static void
start_pace (SiIdeaList *self,
            GArray     *keys,
            guint       total,
            gboolean    short_read)
{
  g_clear_pointer (&self->target, g_array_unref);
  self->target = keys;
  self->target_total = total;
  self->target_short = short_read;
  /* The count at once (the tail's rows were never handed out), unless the tail would start
   * among the first rows (a list just filling: see pace_step()). */
  if (self->keys->len >= PACED_ROWS)
    settle_tail (self, total, short_read);
  /* The rows from the next main-loop iteration on, not in the store's announcement: GTK binds
   * a changed row at once and measures it in a high-priority idle right after the iteration
   * (GDK's X11 toplevel sizing), so a step taken here added 5-10 ms of layout to the iteration
   * of a sync's page, which already holds the page's announcement and progress. */
  if (self->pace_id == 0)
    /* After the frame that shows this step (GDK_PRIORITY_REDRAW comes before). */
    self->pace_id = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, PACE_INTERVAL_MS, pace_cb, self, NULL);
}

/* The store says anything may have changed (many ideas at once: a page of a sync, an import).
 * Re-reads as many keys as are loaded, emits the changes of the loaded rows (an insertion on
 * top, the usual case, or each run of rows that differ: merge_keys()), then one for the tail
 * when its length changed (its rows were never handed out). Replacing every row instead made GTK look for the rows it
 * shows among all the rows added, one get_item() each: the whole list loaded, at each page of
 * a first sync. */
static void start_pace (SiIdeaList *self,
                        GArray     *keys,
                        guint       total,
                        gboolean    short_read);

static void
refresh_lazily (SiIdeaList *self)
{
  SiIdeaFilter filter = current_filter (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) keys = NULL;
  guint want = MAX (self->keys->len, LOAD_PAGE);
  guint total = 0;
  gboolean short_read;

  total = si_store_count_ideas (self->store, &filter, &error);
  if (error == NULL)
    keys = si_store_query_ideas_after (self->store, &filter, NULL, want, &error);
  if (keys == NULL)
    {
      g_warning ("Could not list the ideas: %s", error->message);
      return;
    }
  short_read = keys->len < want;
  if (self->paced)
    {
      start_pace (self, g_steal_pointer (&keys), total, short_read);
      return;
    }
  /* The tail keeps its old length during the first change... */
  if (short_read || !insert_on_top (self, keys))
    {
      GArray *taken = g_steal_pointer (&keys);

      if (!merge_keys (self, g_array_ref (taken)))
        replace_keys (self, g_array_ref (taken));
      g_array_unref (taken);
    }
  /* ...and starts after what is loaded now. */
  settle_tail (self, total, short_read);
}

static gboolean
find_position (SiIdeaList *self,
               gint64      id,
               guint      *position)
{
  for (guint i = 0; i < self->keys->len; i++)
    if (g_array_index (self->keys, SiIdeaKey, i).id == id)
      {
        *position = i;
        return TRUE;
      }
  return FALSE;
}

/* Where @key goes in the sorted rows. */
static guint
insertion_point (SiIdeaList      *self,
                 const SiIdeaKey *key)
{
  guint lo = 0, hi = self->keys->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (si_idea_key_compare (&g_array_index (self->keys, SiIdeaKey, mid), key) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Brings a loaded SiIdea up to date, so rows bound to it see the change through notify. */
static void
refresh_cached (SiIdeaList *self,
                gint64      id)
{
  SiIdea *cached = g_hash_table_lookup (self->cache, &id);
  g_autoptr(SiIdea) fresh = NULL;

  if (cached == NULL)
    return;
  fresh = si_store_get_idea (self->store, id, NULL);
  if (fresh != NULL)
    _si_idea_update_from (cached, fresh);
  else
    g_hash_table_remove (self->cache, &id);
}

/* idea_changed() while the tail is not loaded. The loaded rows change precisely; whether the
 * idea was in the tail before is not known (its old key is gone), so the tail is counted again
 * and, when its length changed, its rows are replaced. Rows in the tail were never handed out,
 * so no one can tell which of them moved. */
static void
tail_idea_changed (SiIdeaList      *self,
                   gboolean         was_shown,
                   guint            old_pos,
                   gboolean         shown,
                   const SiIdeaKey *key)
{
  SiIdeaFilter filter = current_filter (self);
  g_autoptr(GError) error = NULL;
  gboolean loaded_range;
  guint total, n_tail;

  /* Only a key before the last loaded one has its place among the loaded rows. */
  loaded_range = shown && self->keys->len > 0 &&
                 si_idea_key_compare (key, &g_array_index (self->keys, SiIdeaKey, self->keys->len - 1)) < 0;

  if (was_shown && loaded_range &&
      si_idea_key_compare (&g_array_index (self->keys, SiIdeaKey, old_pos), key) == 0)
    {
      emit_items_changed (self, old_pos, 1, 1);
      return;
    }
  if (was_shown)
    {
      g_array_remove_index (self->keys, old_pos);
      emit_items_changed (self, old_pos, 1, 0);
    }
  if (loaded_range)
    {
      guint new_pos = insertion_point (self, key);

      g_array_insert_val (self->keys, new_pos, *key);
      emit_items_changed (self, new_pos, 0, 1);
    }

  total = si_store_count_ideas (self->store, &filter, &error);
  if (error != NULL)
    {
      g_warning ("Could not count the ideas: %s", error->message);
      return;
    }
  n_tail = total > self->keys->len ? total - self->keys->len : 0;
  if (n_tail != self->n_tail)
    {
      guint removed = self->n_tail;

      self->n_tail = n_tail;
      emit_items_changed (self, self->keys->len, removed, n_tail);
    }
}

static void
idea_changed (SiIdeaList *self,
              gint64      id)
{
  SiIdeaFilter filter = current_filter (self);
  g_autoptr(GError) error = NULL;
  SiIdeaKey key;
  guint old_pos = 0, new_pos;
  gboolean was_shown, shown;

  /* One idea's change goes on from the rows a paced refresh was to end with. */
  finish_pace (self);
  refresh_cached (self, id);

  if (searching (self))
    {
      rediff (self);
      return;
    }

  was_shown = find_position (self, id, &old_pos);
  shown = si_store_get_idea_key (self->store, id, &filter, &key, &error);
  if (error != NULL)
    {
      g_warning ("Could not read idea %" G_GINT64_FORMAT ": %s", id, error->message);
      return;
    }
  if (self->n_tail > 0)
    {
      tail_idea_changed (self, was_shown, old_pos, shown, &key);
      return;
    }

  if (was_shown && shown &&
      si_idea_key_compare (&g_array_index (self->keys, SiIdeaKey, old_pos), &key) == 0)
    {
      emit_items_changed (self, old_pos, 1, 1);
      return;
    }

  if (was_shown)
    g_array_remove_index (self->keys, old_pos);
  if (!shown)
    {
      if (was_shown)
        emit_items_changed (self, old_pos, 1, 0);
      return;
    }

  /* A move is a removal, then an insertion: during each signal the rows must be exactly what
   * the signals so far announced, or a GtkListView (and anything that asks for the position of
   * an idea from a handler) sees a row that is not there yet. */
  new_pos = insertion_point (self, &key);
  if (was_shown && new_pos == old_pos)
    {
      g_array_insert_val (self->keys, new_pos, key);
      emit_items_changed (self, old_pos, 1, 1);
      return;
    }
  if (was_shown)
    emit_items_changed (self, old_pos, 1, 0);
  new_pos = insertion_point (self, &key);
  g_array_insert_val (self->keys, new_pos, key);
  emit_items_changed (self, new_pos, 0, 1);
}

static void refresh_all (SiIdeaList *self);

static gboolean
burst_done_cb (gpointer user_data)
{
  SiIdeaList *self = user_data;

  self->burst_id = 0;
  self->burst = 0;
  if (self->deferred)
    {
      self->deferred = FALSE;
      refresh_all (self);
    }
  return G_SOURCE_REMOVE;
}

/* Whether a paced list leaves the change of one idea to a refresh after this burst. */
static gboolean
defer_in_burst (SiIdeaList *self)
{
  if (!self->paced)
    return FALSE;
  if (self->burst_id == 0)
    /* Before the next frame (GDK_PRIORITY_REDRAW), after what runs at the default priority. */
    self->burst_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, burst_done_cb, self, NULL);
  if (self->deferred || ++self->burst <= BURST_MAX)
    return self->deferred;
  self->deferred = TRUE;
  return TRUE;
}

static gboolean
throttled_refresh_cb (gpointer user_data)
{
  SiIdeaList *self = user_data;

  self->refresh_id = 0;
  self->last_refresh = g_get_monotonic_time ();
  /* The store went on announcing through a whole interval: the pages of a long sync. */
  self->refresh_interval_ms = REFRESH_INTERVAL_LONG_MS;
  refresh_all (self);
  return G_SOURCE_REMOVE;
}

/* The store says anything may have changed: a paced list refreshes now, or when its interval
 * has passed since its last such refresh. Each refresh of a first sync's page had GTK
 * measure, lay out and draw the rows it changed, the window's part of the sync (a third of
 * the app's CPU), and GTK keeps up to 200 rows alive, all rebound when new ideas come on top.
 * A second apart, the list still fills before a person's eyes while the sync indicator counts
 * the pages; at half a second the window's main thread spent a sixth more CPU in a first sync
 * of 100,000 ideas. When the announcements go on through a whole interval (a long sync, not
 * a person's two bulk changes), two seconds apart: a fifth less of the main thread's CPU again,
 * and a sync's last page is there within that. An announcement after a quiet interval is
 * shown at once, and the interval is a second again. */
static void
refresh_all_throttled (SiIdeaList *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 due = self->last_refresh + self->refresh_interval_ms * 1000;

  if (!self->paced || self->last_refresh == 0 || now >= due)
    {
      g_clear_handle_id (&self->refresh_id, g_source_remove);
      self->last_refresh = now;
      self->refresh_interval_ms = REFRESH_INTERVAL_MS;
      refresh_all (self);
    }
  else if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (due - now + 999) / 1000, throttled_refresh_cb, self, NULL);
}

static void
on_store_changed (SiStore    *store,
                  const char *collection,
                  gint64      id,
                  SiIdeaList *self)
{
  if (id == 0)
    {
      /* Whatever a burst left for later is in this. */
      self->deferred = FALSE;
      refresh_all_throttled (self);
      return;
    }
  if (!defer_in_burst (self))
    idea_changed (self, id);
}

/* Brings the loaded ideas a row holds up to date, so rows bound to them see any change. */
static void
reread_held (SiIdeaList *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->cache);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_autoptr(SiIdea) fresh = NULL;

      if (G_OBJECT (value)->ref_count == 1)
        continue;
      fresh = si_store_get_idea (self->store, si_idea_get_id (value), NULL);
      if (fresh)
        _si_idea_update_from (value, fresh);
      else
        g_hash_table_iter_remove (&iter);
    }
}

static gboolean
reread_cb (gpointer user_data)
{
  SiIdeaList *self = user_data;

  self->reread_id = 0;
  reread_held (self);
  return G_SOURCE_REMOVE;
}

/* The store says anything may have changed. */
static void
refresh_all (SiIdeaList *self)
{
  GHashTableIter iter;
  gpointer value;

  /* An idea no row holds is read again if one asks for it: reading the whole cache at each
   * page of a sync was hundreds of reads for nothing. */
  g_hash_table_iter_init (&iter, self->cache);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (G_OBJECT (value)->ref_count == 1)
      g_hash_table_iter_remove (&iter);
  /* The ideas the rows hold (the rows shown, about 30) are read again one by one: 0.5 ms of
   * the main thread at each page of a first sync, between the page's apply and the next
   * page's, which waits for this iteration to end (si-sync-engine-pull.c). A paced list does
   * it right after, before the next frame; a change of one idea meanwhile reads that one at
   * once (idea_changed()). */
  if (!self->paced)
    reread_held (self);
  else if (self->reread_id == 0)
    self->reread_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, reread_cb, self, NULL);
  if (loads_lazily (self))
    refresh_lazily (self);
  else
    rediff (self);
}

/* GObject --------------------------------------------------------------------------------------- */

static void
si_idea_list_constructed (GObject *object)
{
  SiIdeaList *self = SI_IDEA_LIST (object);

  G_OBJECT_CLASS (si_idea_list_parent_class)->constructed (object);

  g_return_if_fail (SI_IS_STORE (self->store));
  self->changed_id = g_signal_connect_object (self->store, "changed::" SI_COLLECTION_IDEAS,
                                              G_CALLBACK (on_store_changed), self, 0);
  si_store_watch (self->store);
  reload (self);
}

static void
si_idea_list_dispose (GObject *object)
{
  SiIdeaList *self = SI_IDEA_LIST (object);

  drop_pace (self);
  g_clear_handle_id (&self->burst_id, g_source_remove);
  g_clear_handle_id (&self->reread_id, g_source_remove);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->store)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);
  g_hash_table_remove_all (self->cache);

  G_OBJECT_CLASS (si_idea_list_parent_class)->dispose (object);
}

static void
si_idea_list_finalize (GObject *object)
{
  SiIdeaList *self = SI_IDEA_LIST (object);

  g_clear_pointer (&self->keys, g_array_unref);
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_pointer (&self->search, g_free);

  G_OBJECT_CLASS (si_idea_list_parent_class)->finalize (object);
}

static void
si_idea_list_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SiIdeaList *self = SI_IDEA_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE: g_value_set_object (value, self->store); break;
    case PROP_TAG_ID: g_value_set_int64 (value, self->tag_id); break;
    case PROP_SEARCH: g_value_set_string (value, self->search); break;
    case PROP_N_MATCHES: g_value_set_uint (value, si_idea_list_get_n_matches (self)); break;
    case PROP_PINNED_ONLY: g_value_set_boolean (value, self->pinned_only); break;
    case PROP_CONFLICTS_ONLY: g_value_set_boolean (value, self->conflicts_only); break;
    case PROP_N_ITEMS: g_value_set_uint (value, n_rows (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_idea_list_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  SiIdeaList *self = SI_IDEA_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE: self->store = g_value_dup_object (value); break;
    case PROP_TAG_ID: si_idea_list_set_tag_id (self, g_value_get_int64 (value)); break;
    case PROP_SEARCH: si_idea_list_set_search (self, g_value_get_string (value)); break;
    case PROP_PINNED_ONLY: si_idea_list_set_pinned_only (self, g_value_get_boolean (value)); break;
    case PROP_CONFLICTS_ONLY: si_idea_list_set_conflicts_only (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_idea_list_class_init (SiIdeaListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = si_idea_list_constructed;
  object_class->dispose = si_idea_list_dispose;
  object_class->finalize = si_idea_list_finalize;
  object_class->get_property = si_idea_list_get_property;
  object_class->set_property = si_idea_list_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, SI_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TAG_ID] = g_param_spec_int64 ("tag-id", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_SEARCH] = g_param_spec_string ("search", NULL, NULL, NULL, rw);
  properties[PROP_PINNED_ONLY] = g_param_spec_boolean ("pinned-only", NULL, NULL, FALSE, rw);
  properties[PROP_CONFLICTS_ONLY] = g_param_spec_boolean ("conflicts-only", NULL, NULL, FALSE, rw);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_MATCHES] =
    g_param_spec_uint ("n-matches", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
si_idea_list_init (SiIdeaList *self)
{
  self->keys = g_array_new (FALSE, FALSE, sizeof (SiIdeaKey));
  self->cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->refresh_interval_ms = REFRESH_INTERVAL_MS;
}

/**
 * si_idea_list_new:
 * @store: the store to show
 *
 * Returns: (transfer full): every idea of @store, pinned first, then the most recently changed
 */
SiIdeaList *
si_idea_list_new (SiStore *store)
{
  g_return_val_if_fail (SI_IS_STORE (store), NULL);
  return g_object_new (SI_TYPE_IDEA_LIST, "store", store, NULL);
}

SiStore *
si_idea_list_get_store (SiIdeaList *self)
{
  g_return_val_if_fail (SI_IS_IDEA_LIST (self), NULL);
  return self->store;
}

gint64
si_idea_list_get_tag_id (SiIdeaList *self)
{
  g_return_val_if_fail (SI_IS_IDEA_LIST (self), 0);
  return self->tag_id;
}

/**
 * si_idea_list_set_tag_id:
 * @tag_id: show only ideas with this tag; 0 for all
 */
void
si_idea_list_set_tag_id (SiIdeaList *self,
                         gint64      tag_id)
{
  g_return_if_fail (SI_IS_IDEA_LIST (self));

  if (self->tag_id == tag_id)
    return;
  self->tag_id = tag_id;
  reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TAG_ID]);
}

/**
 * si_idea_list_get_n_matches:
 *
 * Returns: how many ideas the list's filter matches: more than its rows when a search kept only
 *   the best SI_SEARCH_MAX_RESULTS, else as many as its rows. Notified (n-matches) only when it
 *   is more than the rows.
 */
guint
si_idea_list_get_n_matches (SiIdeaList *self)
{
  g_return_val_if_fail (SI_IS_IDEA_LIST (self), 0);
  return MAX (self->n_matches, n_rows (self));
}

/**
 * si_idea_list_get_n_coming:
 *
 * Returns: how many rows the list has once the paced change under way is done: while a list
 *   fills up from empty its rows come a few at a time, up to PACED_ROWS, before the rest at
 *   once, and a count of its rows alone said "49 ideas" of 15,950 for a moment. Else as many
 *   as its rows. Changes with them (n-items).
 */
guint
si_idea_list_get_n_coming (SiIdeaList *self)
{
  g_return_val_if_fail (SI_IS_IDEA_LIST (self), 0);
  if (self->target == NULL)
    return n_rows (self);
  return rows_after (self->target->len, self->target_total, self->target_short);
}

/**
 * si_idea_list_is_pacing:
 *
 * Returns: whether a paced change is under way: its rows are changing a few per step, each
 *   step a frame of the window's list.
 */
gboolean
si_idea_list_is_pacing (SiIdeaList *self)
{
  g_return_val_if_fail (SI_IS_IDEA_LIST (self), FALSE);
  return self->target != NULL;
}

const char *
si_idea_list_get_search (SiIdeaList *self)
{
  g_return_val_if_fail (SI_IS_IDEA_LIST (self), NULL);
  return self->search;
}

/**
 * si_idea_list_set_search:
 * @search: (nullable): show only ideas matching this text, best first; NULL or "" for all
 */
void
si_idea_list_set_search (SiIdeaList *self,
                         const char *search)
{
  g_return_if_fail (SI_IS_IDEA_LIST (self));

  if (search && search[0] == '\0')
    search = NULL;
  if (g_strcmp0 (self->search, search) == 0)
    return;
  g_free (self->search);
  self->search = g_strdup (search);
  reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);
}

gboolean
si_idea_list_get_pinned_only (SiIdeaList *self)
{
  g_return_val_if_fail (SI_IS_IDEA_LIST (self), FALSE);
  return self->pinned_only;
}

void
si_idea_list_set_pinned_only (SiIdeaList *self,
                              gboolean    pinned_only)
{
  g_return_if_fail (SI_IS_IDEA_LIST (self));

  pinned_only = !!pinned_only;
  if (self->pinned_only == pinned_only)
    return;
  self->pinned_only = pinned_only;
  reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED_ONLY]);
}

gboolean
si_idea_list_get_conflicts_only (SiIdeaList *self)
{
  g_return_val_if_fail (SI_IS_IDEA_LIST (self), FALSE);
  return self->conflicts_only;
}

void
si_idea_list_set_conflicts_only (SiIdeaList *self,
                                 gboolean    conflicts_only)
{
  g_return_if_fail (SI_IS_IDEA_LIST (self));

  conflicts_only = !!conflicts_only;
  if (self->conflicts_only == conflicts_only)
    return;
  self->conflicts_only = conflicts_only;
  reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFLICTS_ONLY]);
}

/**
 * si_idea_list_get_id_at:
 *
 * Returns: the local id of the idea at @position without loading it, or 0
 */
gint64
si_idea_list_get_id_at (SiIdeaList *self,
                        guint       position)
{
  g_return_val_if_fail (SI_IS_IDEA_LIST (self), 0);

  load_through_position (self, position);
  if (position >= self->keys->len)
    return 0;
  return g_array_index (self->keys, SiIdeaKey, position).id;
}

/* Loads the tail up to the idea @id, when the list shows it there. */
static gboolean
load_through_idea (SiIdeaList *self,
                   gint64      id,
                   guint      *position)
{
  SiIdeaFilter filter = current_filter (self);
  SiIdeaKey key;

  if (!si_store_get_idea_key (self->store, id, &filter, &key, NULL))
    return FALSE;
  while (self->n_tail > 0 && self->keys->len > 0 &&
         si_idea_key_compare (&g_array_index (self->keys, SiIdeaKey, self->keys->len - 1), &key) < 0)
    {
      guint before = self->keys->len;

      load_through_position (self, self->keys->len);
      if (self->keys->len == before)
        break;
    }
  return find_position (self, id, position);
}

/**
 * si_idea_list_find:
 * @position: (out) (optional): where the idea is
 *
 * Returns: whether the list shows the idea with local id @id
 */
gboolean
si_idea_list_find (SiIdeaList *self,
                   gint64      id,
                   guint      *position)
{
  guint pos;

  g_return_val_if_fail (SI_IS_IDEA_LIST (self), FALSE);

  if (!find_position (self, id, &pos) && !(self->n_tail > 0 && load_through_idea (self, id, &pos)))
    return FALSE;
  if (position)
    *position = pos;
  return TRUE;
}

/**
 * si_idea_list_set_paced:
 * @paced: whether a change of many of the first rows reaches them a few at a time
 *
 * A window sets this: when the store changes many ideas at once (a page of a sync), the list
 * changes at most a few of its first rows per main-loop step, so that no frame lays out
 * every row it shows. The number of rows is right at once; the first rows catch up within a
 * fraction of a second. Such changes closer together than REFRESH_INTERVAL_MS, a second (the
 * pages of a first sync), are taken together, a second after the last refresh, and two
 * seconds apart while they keep coming. A change of one idea, or a new filter, finishes any
 * paced change first.
 * Off by default: then every change is complete when the store's signal returns.
 */
void
si_idea_list_set_paced (SiIdeaList *self,
                        gboolean    paced)
{
  g_return_if_fail (SI_IS_IDEA_LIST (self));

  self->paced = !!paced;
  if (!self->paced)
    finish_pace (self);
}

gboolean
si_idea_list_get_paced (SiIdeaList *self)
{
  g_return_val_if_fail (SI_IS_IDEA_LIST (self), FALSE);
  return self->paced;
}
