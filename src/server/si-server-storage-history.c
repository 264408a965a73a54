/* si-server-storage-history.c — kept versions of ideas and the trash (issue 19), over the
 * backends' row primitives (SiServerStorageRowOps), written once for both.
 *
 * Storage: the live version of an idea stays in `records`; every version it replaces (an
 * update, a delete) is copied into the kept versions with the server's time of its write, so
 * an idea never edited costs nothing. A delete keeps the last content as a kept version (the
 * trash); an undelete writes it back as a new version; a purge removes every kept version.
 *
 * Pruning (si_server_storage_history_prune()) decides in C what goes, from rows without content
 * read in chunks of whole ideas, and deletes in transactions of at most
 * _si_server_storage_tx_rows() rows, never holding the database or the account between them:
 *  - an idea deleted longer ago than the trash period: every kept version goes;
 *  - the newest kept version of an idea deleted within the trash period stays (its content);
 *  - a version written within --history-days stays;
 *  - an older one written within SI_SERVER_HISTORY_DAILY_DAYS stays if it is the newest of
 *    its idea written that UTC day; anything older goes;
 *  - then, above the account's cap, the oldest kept versions go first, the trash's content
 *    last (oldest deletion first).
 */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include <string.h>

#include "si-server-storage-private.h"

#define DAY_MS G_GINT64_CONSTANT (86400000)
/* A page of versions or of the trash stops after about this much text, whatever its limit (at
 * least one entry): 100 bodies of 1 MiB would make a 100 MiB answer. */
#define PAGE_TEXT_BYTES (8 << 20)

static SiServerHistoryPolicy policy = {
  SI_SERVER_HISTORY_DAYS_DEFAULT,
  SI_SERVER_TRASH_DAYS_DEFAULT,
  (guint64) SI_SERVER_HISTORY_MAX_MIB_DEFAULT << 20,
};

/* A purge whose scrub could not run (readers kept the log busy): the pruner tries again. */
static gint scrub_pending;

void
si_server_storage_set_history_policy (const SiServerHistoryPolicy *new_policy)
{
  g_return_if_fail (new_policy != NULL);

  policy = *new_policy;
}

void
si_server_storage_get_history_policy (SiServerHistoryPolicy *out_policy)
{
  g_return_if_fail (out_policy != NULL);

  *out_policy = policy;
}

const SiServerHistoryPolicy *
_si_server_storage_history_policy (void)
{
  return &policy;
}

void
_si_server_storage_history_scrub_later (void)
{
  g_atomic_int_set (&scrub_pending, 1);
}

static SiServerStorageRows *
get_rows (SiServerStorage *self)
{
  return SI_SERVER_STORAGE_GET_IFACE (self)->rows (self);
}

/* How many of @records (the first ones) fit in a page: at most @limit, and no more text than
 * PAGE_TEXT_BYTES once the first is in. */
static guint
page_fit (GPtrArray *records,
          guint      offset,
          guint      limit)
{
  gsize bytes = 0;
  guint n = 0;

  for (; offset + n < records->len && n < limit; n++)
    {
      const SiWireRecord *record = g_ptr_array_index (records, offset + n);

      bytes += strlen (record->title ? record->title : "") + strlen (record->body ? record->body : "");
      if (n > 0 && bytes > PAGE_TEXT_BYTES)
        break;
    }
  return n;
}

static gint64
trash_since (gint64 now)
{
  return now - (gint64) policy.trash_days * DAY_MS;
}

/* ---------------------------------------------------------------------------------------- */
/* reading */

SiWireHistoryPage *
si_server_storage_history_list (SiServerStorage  *self,
                                gint64            account_id,
                                gint64            id,
                                gint64            before,
                                guint             limit,
                                GError          **error)
{
  SiServerStorageRows *rows;
  g_autoptr(SiWireHistoryPage) page = si_wire_history_page_new ();
  g_autoptr(SiWireRecord) live = NULL;
  g_autoptr(GPtrArray) kept = NULL;
  guint wanted;

  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), NULL);
  g_return_val_if_fail (limit > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = get_rows (self);
  /* The live row first: a write after it copies it into the kept versions, which are read
   * below its version, so no version is listed twice or missed. */
  live = rows->ops->load (rows->backend, account_id, SI_WIRE_COLLECTION_IDEAS, id, FALSE, error);
  if (live == NULL)
    return NULL;
  if (before <= 0 || before > live->version)
    before = live->version + (live->deleted ? 0 : 1);

  wanted = limit + 1;
  if (!live->deleted && live->version < before)
    {
      /* As a version: no identity beyond its number. */
      g_clear_pointer (&live->uid, g_free);
      live->id = 0;
      live->created_at = 0;
      g_ptr_array_add (page->versions, g_steal_pointer (&live));
      before = ((SiWireRecord *) g_ptr_array_index (page->versions, 0))->version;
      wanted--;
    }
  kept = rows->ops->history_list (rows->backend, account_id, id, before, wanted, error);
  if (kept == NULL)
    return NULL;
  for (guint i = 0; i < kept->len; i++)
    g_ptr_array_add (page->versions, g_steal_pointer (&g_ptr_array_index (kept, i)));

  limit = page_fit (page->versions, 0, limit);
  if (page->versions->len > limit)
    {
      g_ptr_array_set_size (page->versions, limit);
      page->more = TRUE;
      page->cursor = ((SiWireRecord *) g_ptr_array_index (page->versions, limit - 1))->version;
    }
  return g_steal_pointer (&page);
}

SiWireTrashPage *
si_server_storage_trash_list (SiServerStorage  *self,
                              gint64            account_id,
                              gint64            before,
                              guint             limit,
                              GError          **error)
{
  SiServerStorageRows *rows;
  g_autoptr(SiWireTrashPage) page = si_wire_trash_page_new ();
  g_autoptr(GPtrArray) entries = NULL;

  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), NULL);
  g_return_val_if_fail (limit > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = get_rows (self);
  if (policy.trash_days == 0)
    return g_steal_pointer (&page);
  entries = rows->ops->trash_list (rows->backend, account_id, 0, trash_since (_si_server_storage_now_ms ()),
                                   before, limit + 1, error);
  if (entries == NULL)
    return NULL;
  {
    g_autoptr(GPtrArray) records = g_ptr_array_new ();

    for (guint i = 0; i < entries->len; i++)
      g_ptr_array_add (records, ((SiWireTrashEntry *) g_ptr_array_index (entries, i))->record);
    limit = page_fit (records, 0, limit);
  }
  for (guint i = 0; i < entries->len && i < limit; i++)
    g_ptr_array_add (page->entries, g_steal_pointer (&g_ptr_array_index (entries, i)));
  if (entries->len > limit)
    {
      SiWireTrashEntry *last = g_ptr_array_index (page->entries, limit - 1);

      page->more = TRUE;
      page->cursor = last->record->version;
    }
  return g_steal_pointer (&page);
}

/* ---------------------------------------------------------------------------------------- */
/* undelete and purge */

SiWireRecord *
si_server_storage_record_undelete (SiServerStorage  *self,
                                   gint64            account_id,
                                   gint64            id,
                                   gint64            if_match,
                                   SiWireRecord    **out_current,
                                   GError          **error)
{
  SiServerStorageRows *rows;
  const SiServerStorageRowOps *ops;
  g_autoptr(SiWireRecord) current = NULL;
  g_autoptr(SiWireRecord) result = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) tags = NULL;
  g_autofree char *text = NULL;
  SiWireRecord *revived;
  gint64 version;

  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = get_rows (self);
  ops = rows->ops;
  if (!_si_server_storage_write_begin (rows, error))
    return NULL;

  version = _si_server_storage_take_version (rows, account_id, &local_error);
  if (version == 0)
    goto done;
  current = ops->load (rows->backend, account_id, SI_WIRE_COLLECTION_IDEAS, id, TRUE, &local_error);
  if (current == NULL)
    goto done;
  if (!current->deleted)
    {
      g_set_error_literal (&local_error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_DELETED,
                           "The idea is not deleted");
      if (out_current)
        *out_current = g_steal_pointer (&current);
      goto done;
    }
  if (!_si_server_storage_check_precondition (&current, if_match, "An undelete", out_current, &local_error))
    goto done;

  if (policy.trash_days > 0)
    entries = ops->trash_list (rows->backend, account_id, id, trash_since (_si_server_storage_now_ms ()), 0, 1,
                               &local_error);
  if (local_error != NULL)
    goto done;
  if (entries == NULL || entries->len == 0)
    {
      g_set_error_literal (&local_error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_GONE,
                           "The idea's content is no longer kept (purged, or deleted longer ago than the trash keeps it)");
      goto done;
    }

  /* The last live content as it was (times, device), under the idea's own identity; tags
   * deleted since are left out as in any write. */
  revived = ((SiWireTrashEntry *) g_ptr_array_index (entries, 0))->record;
  revived->deleted = FALSE;
  revived->created_at = current->created_at;
  if (!_si_server_storage_check_fields (&ops->lookups, rows->backend, account_id, id, revived, &tags, NULL, NULL,
                                        &local_error))
    goto done;
  text = _si_server_storage_tags_to_text (tags);
  result = ops->update (rows->backend, account_id, id, if_match, revived, version, text, NULL,
                        _si_server_storage_now_ms (), &local_error);
  if (result != NULL && !ops->set_idea_tags (rows->backend, id, tags, FALSE, &local_error))
    g_clear_pointer (&result, si_wire_record_free);

done:
  if (!_si_server_storage_write_end (rows, local_error == NULL, local_error ? NULL : &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_steal_pointer (&result);
}

/* Makes removed content unreadable in the files, outside any transaction. */
static void
scrub (SiServerStorageRows *rows)
{
  g_autoptr(GError) error = NULL;

  if (rows->ops->scrub == NULL)
    return;
  if (rows->batch_depth > 0 || !rows->ops->scrub (rows->backend, &error))
    {
      if (error != NULL)
        g_debug ("A purge's scrub waits for the next pruning: %s", error->message);
      g_atomic_int_set (&scrub_pending, 1);
    }
}

gboolean
si_server_storage_record_purge (SiServerStorage  *self,
                                gint64            account_id,
                                gint64            id,
                                SiWireRecord    **out_current,
                                GError          **error)
{
  SiServerStorageRows *rows;
  const SiServerStorageRowOps *ops;
  g_autoptr(SiWireRecord) current = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  rows = get_rows (self);
  ops = rows->ops;
  if (!_si_server_storage_write_begin (rows, error))
    return FALSE;

  if (ops->lock_account != NULL && !ops->lock_account (rows->backend, account_id, &local_error))
    goto done;
  current = ops->load (rows->backend, account_id, SI_WIRE_COLLECTION_IDEAS, id, TRUE, &local_error);
  if (current == NULL)
    goto done;
  if (!current->deleted)
    {
      g_set_error_literal (&local_error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_DELETED,
                           "Only a deleted idea can be purged");
      if (out_current)
        *out_current = g_steal_pointer (&current);
      goto done;
    }
  ops->history_purge (rows->backend, account_id, id, &local_error);

done:
  if (!_si_server_storage_write_end (rows, local_error == NULL, local_error ? NULL : &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  scrub (rows);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* pruning */

/* Which of one idea's kept versions (@meta[@first..@end), newest first) go, into @drop. */
static void
decide_idea (const SiServerHistoryMeta *meta,
             guint                      first,
             guint                      end,
             gint64                     now,
             GArray                    *drop)
{
  gint64 all_since = now - (gint64) policy.history_days * DAY_MS;
  gint64 daily_since = now - (gint64) MAX (policy.history_days, SI_SERVER_HISTORY_DAILY_DAYS) * DAY_MS;
  gboolean deleted = meta[first].deleted_at > 0;
  gboolean in_trash = deleted && policy.trash_days > 0 && meta[first].deleted_at >= trash_since (now);
  gint64 last_day = G_MININT64;

  for (guint i = first; i < end; i++)
    {
      const SiServerHistoryMeta *m = &meta[i];
      gint64 day = m->written_at / DAY_MS;
      gboolean keep;

      if (deleted && !in_trash)
        keep = FALSE;
      else if (i == first && in_trash)
        keep = TRUE;             /* the trash's content */
      else if (policy.history_days == 0)
        keep = FALSE;
      else if (m->written_at >= all_since)
        keep = TRUE;
      else if (m->written_at >= daily_since)
        keep = day != last_day;  /* newest first: the first seen of each day is its newest */
      else
        keep = FALSE;

      /* A day counts as seen by any version of it, kept or not, newer ones first. */
      if (m->written_at < all_since)
        last_day = day;
      if (!keep)
        g_array_append_val (drop, m->row_id);
    }
}

static gboolean
delete_rows (SiServerStorageRows  *rows,
             GArray               *ids,
             guint64              *dropped,
             GError              **error)
{
  guint step = _si_server_storage_tx_rows ();

  for (guint i = 0; i < ids->len; i += step)
    {
      g_autoptr(GArray) part = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(GError) local_error = NULL;

      g_array_append_vals (part, &g_array_index (ids, gint64, i), MIN (step, ids->len - i));
      if (!_si_server_storage_write_begin (rows, error))
        return FALSE;
      rows->ops->history_delete (rows->backend, part, &local_error);
      if (!_si_server_storage_write_end (rows, local_error == NULL, local_error ? NULL : &local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      *dropped += part->len;
    }
  return TRUE;
}

/* The rules by age and deletion, in chunks of whole ideas. */
static gboolean
prune_by_age (SiServerStorageRows  *rows,
              gint64                account_id,
              gint64                now,
              GCancellable         *cancellable,
              guint64              *dropped,
              GError              **error)
{
  gint64 after_idea = 0;

  for (;;)
    {
      g_autoptr(GArray) meta = NULL;
      g_autoptr(GArray) drop = g_array_new (FALSE, FALSE, sizeof (gint64));
      const SiServerHistoryMeta *m;
      guint first = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      meta = rows->ops->history_meta (rows->backend, account_id, after_idea, _si_server_storage_tx_rows (), error);
      if (meta == NULL)
        return FALSE;
      if (meta->len == 0)
        return TRUE;
      m = (const SiServerHistoryMeta *) (gpointer) meta->data;
      for (guint i = 1; i <= meta->len; i++)
        if (i == meta->len || m[i].idea_id != m[first].idea_id)
          {
            decide_idea (m, first, i, now, drop);
            first = i;
          }
      after_idea = m[meta->len - 1].idea_id;
      if (!delete_rows (rows, drop, dropped, error))
        return FALSE;
    }
}

/* Above the cap: the oldest first; the trash's content only when nothing else is left. */
static gboolean
prune_to_cap (SiServerStorageRows  *rows,
              gint64                account_id,
              gint64                now,
              GCancellable         *cancellable,
              guint64              *dropped,
              GError              **error)
{
  guint64 bytes = 0;

  if (policy.max_bytes == 0)
    return TRUE;
  if (!rows->ops->history_bytes (rows->backend, account_id, &bytes, error))
    return FALSE;

  for (guint pass = 0; pass < 2 && bytes > policy.max_bytes; pass++)
    {
      gint64 after_written = G_MININT64;
      gint64 after_row = 0;

      while (bytes > policy.max_bytes)
        {
          g_autoptr(GArray) oldest = NULL;
          g_autoptr(GArray) drop = g_array_new (FALSE, FALSE, sizeof (gint64));

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          oldest = rows->ops->history_oldest (rows->backend, account_id, after_written, after_row,
                                              pass == 0 && policy.trash_days > 0 ? trash_since (now) : G_MAXINT64,
                                              _si_server_storage_tx_rows (), error);
          if (oldest == NULL)
            return FALSE;
          if (oldest->len == 0)
            break;
          for (guint i = 0; i < oldest->len && bytes > policy.max_bytes; i++)
            {
              const SiServerHistoryMeta *m = &g_array_index (oldest, SiServerHistoryMeta, i);

              after_written = m->written_at;
              after_row = m->row_id;
              if (m->protected)
                continue;
              g_array_append_val (drop, m->row_id);
              bytes -= MIN (bytes, (guint64) m->bytes);
            }
          if (!delete_rows (rows, drop, dropped, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
prune_account (SiServerStorage  *self,
               gint64            account_id,
               gint64            now_ms,
               GCancellable     *cancellable,
               guint64          *out_dropped,
               GError          **error)
{
  SiServerStorageRows *rows = get_rows (self);
  guint64 dropped = 0;
  gboolean ok;

  g_return_val_if_fail (rows->batch_depth == 0, FALSE);

  ok = prune_by_age (rows, account_id, now_ms, cancellable, &dropped, error) &&
       prune_to_cap (rows, account_id, now_ms, cancellable, &dropped, error);
  if (out_dropped)
    *out_dropped = dropped;
  return ok;
}

gboolean
si_server_storage_history_prune (SiServerStorage  *self,
                                 gint64            account_id,
                                 gint64            now_ms,
                                 guint64          *out_dropped,
                                 GError          **error)
{
  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return prune_account (self, account_id, now_ms, NULL, out_dropped, error);
}

gboolean
si_server_storage_history_prune_all (SiServerStorage  *self,
                                     gint64            now_ms,
                                     GCancellable     *cancellable,
                                     GError          **error)
{
  g_auto(GStrv) names = NULL;
  SiServerStorageRows *rows;

  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  names = si_server_storage_account_list (self, error);
  if (names == NULL)
    return FALSE;
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *hash = NULL;
      guint64 dropped = 0;
      gint64 account_id = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      hash = si_server_storage_account_lookup (self, names[i], &account_id, &local_error);
      if (hash == NULL)
        continue;  /* deleted meanwhile */
      if (!prune_account (self, account_id, now_ms, cancellable, &dropped, error))
        return FALSE;
      if (dropped > 0)
        g_debug ("Pruned %" G_GUINT64_FORMAT " kept versions of %s", dropped, names[i]);
    }

  rows = get_rows (self);
  if (g_atomic_int_compare_and_exchange (&scrub_pending, 1, 0))
    scrub (rows);
  return TRUE;
}
