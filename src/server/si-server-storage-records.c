/* si-server-storage-records.c — the record algorithm of saveidea-server's storage.
 *
 * Written once for both backends: a write begins (a transaction, or a savepoint inside a
 * batch), takes the account's next change number (which serialises the account's writers),
 * loads the record, checks If-Match and the collection rules, writes the row and ends. The
 * backends supply only their transactions and row primitives, in their SQL
 * (SiServerStorageRowOps in si-server-storage-private.h). A write that fails or changes nothing
 * is undone, so its change number is given back. No transaction changes much more than
 * _si_server_storage_tx_rows() rows: a batch commits and begins again between operations, and a
 * tag delete takes the tag off its ideas in steps (one set-based statement each, committed with
 * the tag still live, so a retried delete finishes the job) and tombstones it in the last one.
 */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include "si-server-storage-private.h"

void
_si_server_storage_rows_init (SiServerStorageRows         *rows,
                              const SiServerStorageRowOps *ops,
                              gpointer                     backend)
{
  rows->ops = ops;
  rows->backend = backend;
  rows->batch_depth = 0;
  rows->tx_rows = 0;
  rows->seq_account = 0;
  rows->seq = rows->seq_stored = 0;
  rows->savepoint_seq = rows->savepoint_seq_stored = 0;
}

static SiServerStorageRows *
get_rows (SiServerStorage *self)
{
  return SI_SERVER_STORAGE_GET_IFACE (self)->rows (self);
}

/* ---------------------------------------------------------------------------------------- */
/* transactions */

/* No change number taken in the transaction (or the savepoint) from here on. */
static void
seq_forget (SiServerStorageRows *rows)
{
  rows->seq_account = 0;
  rows->seq = rows->seq_stored = 0;
  rows->savepoint_seq = rows->savepoint_seq_stored = 0;
}

/* Stores the last change number taken, if the account's row does not hold it yet. */
static gboolean
seq_store (SiServerStorageRows  *rows,
           GError              **error)
{
  if (rows->seq == rows->seq_stored)
    return TRUE;
  if (!rows->ops->store_version (rows->backend, rows->seq_account, rows->seq, error))
    return FALSE;
  rows->seq_stored = rows->seq;
  return TRUE;
}

gint64
_si_server_storage_take_version (SiServerStorageRows  *rows,
                                 gint64                account_id,
                                 GError              **error)
{
  gint64 version;

  if (rows->seq != 0 && rows->seq_account == account_id)
    return ++rows->seq;
  if (rows->seq != 0 && !seq_store (rows, error))
    return 0;
  version = rows->ops->next_version (rows->backend, account_id, error);
  if (version == 0)
    return 0;
  rows->seq_account = account_id;
  rows->seq = rows->seq_stored = version;
  return version;
}

static gboolean
tx_begin (SiServerStorageRows  *rows,
          GError              **error)
{
  seq_forget (rows);
  if (!rows->ops->tx_begin (rows->backend, error))
    return FALSE;
  rows->tx_rows = 0;
  return TRUE;
}

/* COMMIT (@commit, with the last change number stored first) or ROLLBACK; FALSE when undone. */
static gboolean
tx_end (SiServerStorageRows  *rows,
        gboolean              commit,
        GError              **error)
{
  gboolean ok;

  if (commit && !seq_store (rows, error))
    {
      rows->ops->tx_end (rows->backend, FALSE, NULL);
      seq_forget (rows);
      return FALSE;
    }
  ok = rows->ops->tx_end (rows->backend, commit, error);
  seq_forget (rows);
  return ok;
}

/* Commits what was written so far and begins a new transaction. */
static gboolean
tx_split (SiServerStorageRows  *rows,
          GError              **error)
{
  if (!tx_end (rows, TRUE, error))
    return FALSE;
  _si_server_storage_step_committed ();
  return tx_begin (rows, error);
}

/* Inside a batch, before an operation: commits the open transaction when it holds enough rows. */
static gboolean
batch_step (SiServerStorageRows  *rows,
            GError              **error)
{
  return rows->tx_rows < _si_server_storage_tx_rows () || tx_split (rows, error);
}

gboolean
_si_server_storage_write_begin (SiServerStorageRows  *rows,
                                GError              **error)
{
  if (rows->batch_depth > 0)
    {
      if (!batch_step (rows, error))
        return FALSE;
      rows->savepoint_seq = rows->seq;
      rows->savepoint_seq_stored = rows->seq_stored;
      return rows->ops->exec (rows->backend, "SAVEPOINT op", "start an operation", error);
    }
  return tx_begin (rows, error);
}

gboolean
_si_server_storage_write_end (SiServerStorageRows  *rows,
                              gboolean              commit,
                              GError              **error)
{
  if (rows->batch_depth > 0)
    {
      if (!commit)
        {
          rows->ops->exec (rows->backend, "ROLLBACK TO op", "undo an operation", NULL);
          /* Its change numbers are given back, and its store of one undone. */
          rows->seq = rows->savepoint_seq;
          rows->seq_stored = rows->savepoint_seq_stored;
          if (rows->seq == 0)
            rows->seq_account = 0;
        }
      commit = rows->ops->exec (rows->backend, "RELEASE op", "finish an operation", commit ? error : NULL) && commit;
      if (commit)
        rows->tx_rows++;
      return commit;
    }
  return tx_end (rows, commit, error);
}

/* A create whose only write is its one INSERT, inside a batch, is not wrapped in a savepoint:
 * an idea without tags, once the step has taken the account's row and its change numbers (the
 * first operation of each step has a savepoint, and takes them). That saves two statements of
 * three per operation of a first upload (SAVEPOINT and RELEASE: two round trips each with
 * PostgreSQL). Undoing such a create (a repeated uid) has nothing to undo in the database, only
 * its change number to give back. If a statement of it fails, the step cannot go on as if the
 * operation had undone only itself (PostgreSQL refuses every later statement of the
 * transaction; SQLite may have rolled the transaction back): lone_create_end() makes that
 * %SI_SERVER_STORAGE_ERROR_UNAVAILABLE, so the batch undoes its step and answers 503, and the
 * client retries it (docs/protocol.md). Sets *@out_lone when it began one. */
static gboolean
lone_create_begin (SiServerStorageRows  *rows,
                   gint64                account_id,
                   const SiWireRecord   *record,
                   gboolean             *out_lone,
                   GError              **error)
{
  *out_lone = FALSE;
  if (rows->batch_depth > 0 && record->collection == SI_WIRE_COLLECTION_IDEAS &&
      (record->tags == NULL || record->tags->len == 0))
    {
      if (!batch_step (rows, error))
        return FALSE;
      if (rows->seq != 0 && rows->seq_account == account_id)
        {
          rows->savepoint_seq = rows->seq;
          rows->savepoint_seq_stored = rows->seq_stored;
          *out_lone = TRUE;
          return TRUE;
        }
    }
  return _si_server_storage_write_begin (rows, error);
}

/* _si_server_storage_write_end() of a lone create; @local_error is what went wrong in it. */
static gboolean
lone_create_end (SiServerStorageRows  *rows,
                 gboolean              commit,
                 GError              **local_error)
{
  if (*local_error != NULL &&
      !g_error_matches (*local_error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_UNAVAILABLE))
    {
      g_autoptr(GError) failed = g_steal_pointer (local_error);

      g_set_error (local_error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_UNAVAILABLE,
                   "%s; the batch's step is undone", failed->message);
    }
  if (commit)
    {
      rows->tx_rows++;
      return TRUE;
    }
  rows->seq = rows->savepoint_seq;
  rows->seq_stored = rows->savepoint_seq_stored;
  return FALSE;
}

/* In the middle of a split write: makes the steps so far durable and goes on in a new
 * transaction (and a new savepoint, inside a batch). */
static gboolean
write_checkpoint (SiServerStorageRows  *rows,
                  GError              **error)
{
  /* tx_split() forgets the change numbers: the new savepoint starts with none. */
  if (rows->batch_depth > 0)
    return rows->ops->exec (rows->backend, "RELEASE op", "finish a step", error) &&
           tx_split (rows, error) &&
           rows->ops->exec (rows->backend, "SAVEPOINT op", "start an operation", error);
  return tx_split (rows, error);
}

gboolean
si_server_storage_begin (SiServerStorage *self,
                         GError **error)
{
  SiServerStorageRows *rows;

  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  rows = get_rows (self);
  g_return_val_if_fail (rows->batch_depth == 0, FALSE);

  if (!tx_begin (rows, error))
    return FALSE;
  rows->batch_depth = 1;
  return TRUE;
}

gboolean
si_server_storage_commit (SiServerStorage *self,
                          GError **error)
{
  SiServerStorageRows *rows;

  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  rows = get_rows (self);
  g_return_val_if_fail (rows->batch_depth == 1, FALSE);

  rows->batch_depth = 0;
  return tx_end (rows, TRUE, error);
}

void
si_server_storage_rollback (SiServerStorage *self)
{
  SiServerStorageRows *rows;

  g_return_if_fail (SI_IS_SERVER_STORAGE (self));

  rows = get_rows (self);
  g_return_if_fail (rows->batch_depth == 1);

  rows->batch_depth = 0;
  tx_end (rows, FALSE, NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* records */

SiWireRecord *
si_server_storage_record_get (SiServerStorage *self,
                              gint64 account_id,
                              SiWireCollection collection,
                              gint64 id,
                              GError **error)
{
  SiServerStorageRows *rows;

  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = get_rows (self);
  return rows->ops->load (rows->backend, account_id, collection, id, FALSE, error);
}

/* The fields of @record as stored: an idea's tag ids as text ("" for none), NULL for a tag. */
static char *
tags_text (const SiWireRecord *record,
           GArray             *tags)
{
  if (record->collection != SI_WIRE_COLLECTION_IDEAS)
    return NULL;
  return _si_server_storage_tags_to_text (tags);
}

SiWireRecord *
si_server_storage_record_create (SiServerStorage *self,
                                 gint64 account_id,
                                 const SiWireRecord *record,
                                 gboolean *out_created,
                                 SiWireRecord **out_current,
                                 GError **error)
{
  SiServerStorageRows *rows;
  const SiServerStorageRowOps *ops;
  g_autoptr(SiWireRecord) existing = NULL;
  g_autoptr(SiWireRecord) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) tags = NULL;
  g_autofree char *name_key = NULL;
  g_autofree char *text = NULL;
  gint64 version;
  gboolean lone, ended;

  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), NULL);
  g_return_val_if_fail (record != NULL && record->uid != NULL, NULL);
  g_return_val_if_fail (out_created != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = get_rows (self);
  ops = rows->ops;
  *out_created = FALSE;
  if (!lone_create_begin (rows, account_id, record, &lone, error))
    return NULL;

  version = _si_server_storage_take_version (rows, account_id, &local_error);
  if (version == 0)
    goto done;

  /* The same uid again: the first create's record, whatever happened to it since. Looked up
   * first for a tag (its own name must not count as taken); an idea goes straight to the
   * insert, whose conflict on the uid tells, and is looked up only when its tags fail the
   * rules (a repeated create is answered with the record whatever its tags are now). */
  if (record->collection == SI_WIRE_COLLECTION_TAGS)
    {
      existing = ops->load_by_uid (rows->backend, account_id, record->collection, record->uid, &local_error);
      if (existing != NULL || local_error != NULL)
        goto done;
    }

  if (!_si_server_storage_check_fields (&ops->lookups, rows->backend, account_id, 0, record, &tags, &name_key,
                                        out_current, &local_error))
    {
      g_autoptr(GError) lookup_error = NULL;

      if (record->collection == SI_WIRE_COLLECTION_IDEAS &&
          !g_error_matches (local_error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_UNAVAILABLE) &&
          !g_error_matches (local_error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_FAILED))
        {
          existing = ops->load_by_uid (rows->backend, account_id, record->collection, record->uid, &lookup_error);
          if (existing != NULL)
            g_clear_error (&local_error);
          else if (lookup_error != NULL)
            {
              g_clear_error (&local_error);
              local_error = g_steal_pointer (&lookup_error);
            }
        }
      goto done;
    }

  text = tags_text (record, tags);
  result = ops->insert (rows->backend, account_id, record, version, text, name_key, _si_server_storage_now_ms (),
                        &local_error);
  if (result == NULL)
    {
      if (local_error != NULL)
        goto done;
      /* It exists: the account's lock makes this the repeated create of an idea. */
      existing = ops->load_by_uid (rows->backend, account_id, record->collection, record->uid, &local_error);
      if (existing == NULL && local_error == NULL)
        g_set_error_literal (&local_error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_FAILED,
                             "A record conflicted on its uid but cannot be found");
      goto done;
    }

  if (record->collection == SI_WIRE_COLLECTION_IDEAS &&
      !ops->set_idea_tags (rows->backend, result->id, tags, TRUE, &local_error))
    g_clear_pointer (&result, si_wire_record_free);

done:
  /* A repeated create changes nothing: its change number is given back. */
  if (lone)
    ended = lone_create_end (rows, local_error == NULL && existing == NULL, &local_error);
  else
    ended = _si_server_storage_write_end (rows, local_error == NULL && existing == NULL,
                                          local_error ? NULL : &local_error);
  if (!ended && (local_error != NULL || existing == NULL))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (existing != NULL)
    return g_steal_pointer (&existing);
  *out_created = TRUE;
  return g_steal_pointer (&result);
}

SiWireRecord *
si_server_storage_record_update (SiServerStorage *self,
                                 gint64 account_id,
                                 gint64 id,
                                 gint64 if_match,
                                 const SiWireRecord *record,
                                 SiWireRecord **out_current,
                                 GError **error)
{
  SiServerStorageRows *rows;
  const SiServerStorageRowOps *ops;
  g_autoptr(SiWireRecord) current = NULL;
  g_autoptr(SiWireRecord) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) tags = NULL;
  g_autofree char *name_key = NULL;
  g_autofree char *text = NULL;
  gint64 version;

  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), NULL);
  g_return_val_if_fail (record != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = get_rows (self);
  ops = rows->ops;
  if (!_si_server_storage_write_begin (rows, error))
    return NULL;

  version = _si_server_storage_take_version (rows, account_id, &local_error);
  if (version == 0)
    goto done;

  current = ops->load (rows->backend, account_id, record->collection, id, TRUE, &local_error);
  if (current == NULL)
    goto done;
  if (!_si_server_storage_check_precondition (&current, if_match, "An update", out_current, &local_error) ||
      !_si_server_storage_check_update (current, record, id, &local_error))
    goto done;

  if (!_si_server_storage_check_fields (&ops->lookups, rows->backend, account_id, id, record, &tags, &name_key,
                                        out_current, &local_error))
    goto done;

  /* The version this one replaces is kept (docs/protocol.md, "History and trash"). */
  if (record->collection == SI_WIRE_COLLECTION_IDEAS && _si_server_storage_history_policy ()->history_days > 0 &&
      !ops->history_save (rows->backend, account_id, id, _si_server_storage_now_ms (), &local_error))
    goto done;

  text = tags_text (record, tags);
  result = ops->update (rows->backend, account_id, id, if_match, record, version, text, name_key,
                        _si_server_storage_now_ms (), &local_error);
  if (result == NULL)
    goto done;

  if (record->collection == SI_WIRE_COLLECTION_IDEAS &&
      !ops->set_idea_tags (rows->backend, id, tags, FALSE, &local_error))
    g_clear_pointer (&result, si_wire_record_free);

done:
  if (!_si_server_storage_write_end (rows, local_error == NULL, local_error ? NULL : &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_steal_pointer (&result);
}

/* The cascade's step: takes tag @tag_id off the first @count ideas that have it. */
static gboolean
untag_ideas (SiServerStorageRows  *rows,
             gint64                account_id,
             gint64                tag_id,
             guint                 count,
             GError              **error)
{
  if (count == 0)
    return TRUE;
  /* It numbers the ideas in SQL from the account's row: the row must hold the last number
   * taken, and what it takes is read from there again. */
  if (!seq_store (rows, error))
    return FALSE;
  rows->seq = rows->seq_stored = 0;
  rows->seq_account = 0;
  if (!rows->ops->untag_ideas (rows->backend, account_id, tag_id, count, error))
    return FALSE;
  rows->tx_rows += count;
  return TRUE;
}

SiWireRecord *
si_server_storage_record_delete (SiServerStorage *self,
                                 gint64 account_id,
                                 SiWireCollection collection,
                                 gint64 id,
                                 gint64 if_match,
                                 gboolean *out_changed,
                                 SiWireRecord **out_current,
                                 GError **error)
{
  SiServerStorageRows *rows;
  const SiServerStorageRowOps *ops;
  g_autoptr(SiWireRecord) current = NULL;
  g_autoptr(SiWireRecord) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean unchanged = FALSE;
  gint64 version;
  guint tagged = 0;

  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), NULL);
  g_return_val_if_fail (out_changed != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = get_rows (self);
  ops = rows->ops;
  *out_changed = FALSE;
  if (!_si_server_storage_write_begin (rows, error))
    return NULL;

  for (;;)
    {
      if (ops->lock_account != NULL && !ops->lock_account (rows->backend, account_id, &local_error))
        goto done;
      current = ops->load (rows->backend, account_id, collection, id, TRUE, &local_error);
      if (current == NULL)
        goto done;
      if (current->deleted)
        {
          result = g_steal_pointer (&current);
          unchanged = TRUE;
          goto done;
        }
      if (!_si_server_storage_check_precondition (&current, if_match, "A delete", out_current, &local_error))
        goto done;
      if (collection == SI_WIRE_COLLECTION_IDEAS)
        break;

      /* A tag on more ideas than one transaction may change: take it off the first ones and
       * commit, the tag still live (a crash here leaves a consistent state that a retried
       * delete finishes), then look again. */
      if (!ops->count_tagged (rows->backend, id, _si_server_storage_tx_rows () + 1, &tagged, &local_error))
        goto done;
      if (tagged <= _si_server_storage_tx_rows ())
        break;
      if (!untag_ideas (rows, account_id, id, _si_server_storage_tx_rows (), &local_error) ||
          !write_checkpoint (rows, &local_error))
        goto done;
      g_clear_pointer (&current, si_wire_record_free);
    }

  version = _si_server_storage_take_version (rows, account_id, &local_error);
  if (version == 0)
    goto done;

  /* A tombstone keeps its identity and times, not the content; the trash keeps the content
   * as the idea's last kept version, or, without a trash, no version is kept. */
  if (collection == SI_WIRE_COLLECTION_IDEAS &&
      !(_si_server_storage_history_policy ()->trash_days > 0
          ? ops->history_save (rows->backend, account_id, id, _si_server_storage_now_ms (), &local_error)
          : ops->history_purge (rows->backend, account_id, id, &local_error)))
    goto done;
  if (collection == SI_WIRE_COLLECTION_IDEAS && _si_server_storage_history_policy ()->trash_days == 0)
    _si_server_storage_history_scrub_later ();
  if (!ops->tombstone (rows->backend, id, if_match, version,
                       MAX (_si_server_storage_now_ms (), current->updated_at), _si_server_storage_now_ms (),
                       &local_error))
    goto done;

  if (collection == SI_WIRE_COLLECTION_IDEAS)
    {
      if (!ops->set_idea_tags (rows->backend, id, NULL, FALSE, &local_error))
        goto done;
    }
  else if (!untag_ideas (rows, account_id, id, tagged, &local_error))
    goto done;

  result = ops->load (rows->backend, account_id, collection, id, FALSE, &local_error);

done:
  /* Deleting a tombstone again changes nothing: its change number is given back. */
  if (!_si_server_storage_write_end (rows, local_error == NULL && !unchanged, local_error ? NULL : &local_error) &&
      (local_error != NULL || !unchanged))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  *out_changed = !unchanged;
  return g_steal_pointer (&result);
}
