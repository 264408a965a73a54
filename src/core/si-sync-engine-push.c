/* si-sync-engine-push.c — a sync's push: the outbox in rounds, one request or a batch at a
 * time, each answer applied in one transaction (merges, conflicts, refusals). */
#define G_LOG_DOMAIN "saveidea-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "si-sync-engine-private.h"
#include "si-wire-read.h"
#include "si-worker.h"

#define MAX_PUSH_ROUNDS 3

static void push_next (GTask *task);

/* Push ------------------------------------------------------------------------------------------ */

static SiCollection *
collection_by_name (SiSyncEngine *self,
                    const char   *name)
{
  for (guint i = 0; i < self->collections->len; i++)
    if (g_str_equal (si_collection_get_name (g_ptr_array_index (self->collections, i)), name))
      return g_ptr_array_index (self->collections, i);
  return NULL;
}

static char *
entry_key (const char *table,
           gint64      id)
{
  return g_strdup_printf ("%s:%" G_GINT64_FORMAT, table, id);
}

static void
push_finish (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (run->server_failed)
    _si_sync_engine_run_finish (task, g_error_new_literal (SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                                                           _("The server could not take some changes. They are kept and will be sent later.")));
  else
    _si_sync_engine_run_finish (task, NULL);
}

void
_si_sync_engine_push_round (GTask *task)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) outbox = si_store_get_outbox (self->store, &error);
  GArray *kept;

  if (outbox == NULL)
    {
      _si_sync_engine_run_finish (task, _si_sync_engine_store_error (g_steal_pointer (&error)));
      return;
    }
  kept = g_array_new (FALSE, FALSE, sizeof (SiOutboxEntry));
  g_array_set_clear_func (kept, _si_outbox_entry_clear);
  for (guint i = 0; i < outbox->len; i++)
    {
      SiOutboxEntry *entry = &g_array_index (outbox, SiOutboxEntry, i);
      g_autofree char *key = NULL;

      if (collection_by_name (self, entry->collection) == NULL)
        continue;
      /* Only a later round, with a few records to push again, names them. */
      if (run->only == NULL ||
          g_hash_table_contains (run->only, (key = entry_key (entry->collection, entry->id))))
        {
          g_array_append_val (kept, *entry);
          entry->uid = NULL;   /* moved */
        }
    }
  g_clear_pointer (&run->outbox, g_array_unref);
  run->outbox = kept;
  run->pos = 0;
  if (run->round == 0)
    _si_sync_engine_set_progress (self, 0, kept->len);
  g_debug ("Push round %u: %u records", run->round, kept->len);
  push_next (task);
}

/* Builds the operation for an outbox entry from its record as it is now, @row and @record
 * (_si_store_sync_read_pending(); taken), sent by @device (NULL: the server does not take
 * it); NULL to skip it. */
static PushOp *
build_op (SiCollection  *collection,
          SiSyncRow     *row,
          SiWireRecord **record,
          const char    *device)
{
  PushOp *op;

  if (row->id == 0 || row->state == SI_SYNC_STATE_SYNCED || row->sync_error != NULL)
    return NULL;

  op = g_new0 (PushOp, 1);
  op->collection = collection;
  op->id = row->id;
  op->generation = row->generation;
  op->sid = row->sid;
  op->if_match = row->version;
  if (row->state == SI_SYNC_STATE_DELETED)
    {
      op->method = SI_WIRE_METHOD_DELETE;
      if (row->sid == 0)
        {
          _si_sync_engine_push_op_free (op);
          return NULL;
        }
      return op;
    }
  op->method = row->sid == 0 ? SI_WIRE_METHOD_POST : SI_WIRE_METHOD_PUT;
  if (op->method == SI_WIRE_METHOD_POST)
    op->if_match = -1;
  op->record = g_steal_pointer (record);
  op->partial = row->partial;
  if (op->record == NULL)
    {
      /* Gone meanwhile. */
      _si_sync_engine_push_op_free (op);
      return NULL;
    }
  g_free (op->record->uid);
  op->record->uid = g_strdup (row->uid);
  /* Each change pushed says which device sent it, to a server that takes it. */
  g_free (op->record->device);
  op->record->device = g_strdup (device);
  return op;
}

/* Who the records pushed now say sent them (NULL: the server does not take it). */
static const char *
push_device (SiSyncEngine *self)
{
  return self->server_takes_device ? self->device_name : NULL;
}

/* The ids of outbox entries @first to @first + @n - 1. */
static gint64 *
outbox_ids (Run   *run,
            guint  first,
            guint  n)
{
  gint64 *ids = g_new (gint64, n);

  for (guint i = 0; i < n; i++)
    ids[i] = g_array_index (run->outbox, SiOutboxEntry, first + i).id;
  return ids;
}

/* The operations for records @ids of @collection, read from @store (the engine's, or the
 * push's own on a worker), into @ops: their records read in a few statements for all. */
static gboolean
build_ops (SiSyncEngine  *self,
           SiStore       *store,
           SiCollection  *collection,
           const gint64  *ids,
           guint          n,
           const char    *device,
           GPtrArray     *ops,
           GError       **error)
{
  g_autofree SiSyncRow *rows = g_new0 (SiSyncRow, n);
  g_autofree SiWireRecord **records = g_new0 (SiWireRecord *, n);
  gboolean ok;

  ok = _si_store_sync_read_pending (store, self->collections, collection, ids, n, rows, records, error);
  for (guint i = 0; i < n; i++)
    {
      PushOp *op = ok ? build_op (collection, &rows[i], &records[i], device) : NULL;

      if (op != NULL)
        g_ptr_array_add (ops, op);
      _si_sync_row_clear (&rows[i]);
      g_clear_pointer (&records[i], si_wire_record_free);
    }
  return ok;
}

static void
add_retry (Run    *run,
           PushOp *op)
{
  g_hash_table_add (run->retry, entry_key (si_collection_get_name (op->collection), op->id));
}

/* Applies the server's current version of a record we tried to push; a merged result is
 * pushed again. */
static gboolean
take_current (SiSyncEngine  *self,
              Run           *run,
              PushOp        *op,
              SiWireRecord  *current,
              GError       **error)
{
  SiSyncApplied applied = SI_SYNC_APPLIED_NOTHING;

  if (!_si_store_sync_apply (self->store, self->collections, op->collection, current, &applied, error))
    return FALSE;
  switch (applied)
    {
    case SI_SYNC_APPLIED_MERGED:
      run->report.merged++;
      add_retry (run, op);
      break;
    case SI_SYNC_APPLIED_KEPT_LOCAL:
    case SI_SYNC_APPLIED_RECREATED:
      add_retry (run, op);
      break;
    case SI_SYNC_APPLIED_CONFLICT:
      run->report.conflicts++;
      break;
    case SI_SYNC_APPLIED_ADOPTED:
      /* It was ours: pushed after all; edits made since go in the next round. */
      run->report.pushed++;
      add_retry (run, op);
      break;
    case SI_SYNC_APPLIED_NOTHING:
    case SI_SYNC_APPLIED_TAKEN:
    case SI_SYNC_APPLIED_DELETED:
    default:
      break;
    }
  return TRUE;
}

/* A batch's answers that say the server took the push as sent, recorded together
 * (_si_store_sync_mark_pushed_many()) once a different answer or the batch's end comes. */
typedef struct {
  const char *table;
  /* SiSyncPushed; each points at its answer (the batch's result's record), which must stay
   * alive, unchanged, until pushed_batch_flush() */
  GArray     *pushed;
} PushedBatch;

static void
pushed_batch_init (PushedBatch *batch,
                   guint        size)
{
  batch->table = NULL;
  batch->pushed = g_array_sized_new (FALSE, FALSE, sizeof (SiSyncPushed), size);
}

static void
pushed_batch_clear (PushedBatch *batch)
{
  g_clear_pointer (&batch->pushed, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PushedBatch, pushed_batch_clear)

/* Records what @batch holds; @applied (may be NULL) gets the versions of those found. */
static gboolean
pushed_batch_flush (SiSyncEngine  *self,
                    PushedBatch   *batch,
                    GArray        *applied,
                    GError       **error)
{
  if (batch->pushed->len == 0)
    return TRUE;
  if (!_si_store_sync_mark_pushed_many (self->store, batch->table, (SiSyncPushed *) (gpointer) batch->pushed->data,
                                        batch->pushed->len, error))
    return FALSE;
  for (guint i = 0; applied != NULL && i < batch->pushed->len; i++)
    {
      const SiSyncPushed *pushed = &g_array_index (batch->pushed, SiSyncPushed, i);

      if (pushed->found)
        g_array_append_val (applied, pushed->version);
    }
  g_array_set_size (batch->pushed, 0);
  return TRUE;
}

/* Whether @record (a 2xx result's) holds what @op sent. An operation without its record
 * (a POST or PUT) lent it to its slim result, which is that record (on_batch_body()). */
static gboolean
same_as_sent (PushOp       *op,
              SiWireRecord *record)
{
  return op->record == NULL || si_wire_record_content_equal (record, op->record);
}

/* Whether the answer says the server took @op as sent: then handle_result() records it as
 * pushed, and nothing else. */
static gboolean
took_as_sent (PushOp       *op,
              guint         status,
              SiWireRecord *record)
{
  if (status < 200 || status >= 300 || record == NULL)
    return FALSE;
  if (op->method == SI_WIRE_METHOD_POST && record->deleted)
    return FALSE;
  if (op->method == SI_WIRE_METHOD_POST && status == SOUP_STATUS_OK && !same_as_sent (op, record))
    return FALSE;
  return TRUE;
}

/* @applied (may be NULL): gets the version of @record when it was recorded as what the
 * server now has of the record. @batch (may be NULL): where an answer that took the push as
 * sent waits to be recorded with the batch's others (pushed_batch_flush() records it; the
 * caller flushes before any other answer, so that the answers are recorded in their order). */
static gboolean
handle_result (SiSyncEngine   *self,
               Run            *run,
               PushOp         *op,
               guint           status,
               SiWireRecord   *record,
               SiWireProblem  *problem,
               GArray         *applied,
               PushedBatch    *batch,
               GError        **error)
{
  const char *table = si_collection_get_name (op->collection);
  const char *code = problem && problem->error ? problem->error : "";

  if (status >= 200 && status < 300 && record != NULL)
    {
      g_autofree char *base = NULL;
      gboolean found = FALSE;

      if (op->method == SI_WIRE_METHOD_POST && record->deleted)
        {
          /* This uid was created and deleted on the server before: a new record, new uid. */
          if (!_si_store_sync_recreate (self->store, table, op->id, error))
            return FALSE;
          add_retry (run, op);
          return TRUE;
        }
      if (op->method == SI_WIRE_METHOD_POST && status == SOUP_STATUS_OK && !same_as_sent (op, record))
        /* The create had happened already (a lost response) and the record changed since. */
        return take_current (self, run, op, record, error);

      if (batch != NULL)
        {
          /* A slim result's record is the one sent (same_as_sent()). */
          SiSyncPushed pushed = { op->id, op->generation, record->id, record->version, record,
                                  !op->partial && same_as_sent (op, record), FALSE };

          batch->table = table;
          g_array_append_val (batch->pushed, pushed);
          run->report.pushed++;
          return TRUE;
        }
      base = si_wire_record_to_text (record, SI_WIRE_MODE_RESPONSE, NULL);
      if (!_si_store_sync_mark_pushed_found (self->store, table, op->id, op->generation, record->id,
                                             record->version, record->deleted ? NULL : base, NULL,
                                             &found, error))
        return FALSE;
      if (found && applied != NULL)
        g_array_append_val (applied, record->version);
      run->report.pushed++;
      return TRUE;
    }

  if (status == SOUP_STATUS_PRECONDITION_FAILED && problem && problem->current)
    {
      if (op->method == SI_WIRE_METHOD_PUT && !problem->current->deleted &&
          problem->current->id == op->sid && si_wire_record_content_equal (problem->current, op->record))
        {
          /* The server has what we send (our earlier push of it, its answer lost): done. */
          g_autofree char *base = si_wire_record_to_text (problem->current, SI_WIRE_MODE_RESPONSE, NULL);

          if (!_si_store_sync_mark_pushed (self->store, table, op->id, op->generation, op->sid,
                                           problem->current->version, base, NULL, error))
            return FALSE;
          run->report.pushed++;
          return TRUE;
        }
      return take_current (self, run, op, problem->current, error);
    }

  if (status == SOUP_STATUS_CONFLICT && g_str_equal (code, "name_taken") && problem->current &&
      op->method == SI_WIRE_METHOD_POST)
    return take_current (self, run, op, problem->current, error);   /* adopt the server's */

  if ((status == SOUP_STATUS_CONFLICT && g_str_equal (code, "deleted")) || status == SOUP_STATUS_NOT_FOUND)
    {
      if (op->method == SI_WIRE_METHOD_DELETE)
        return _si_store_sync_mark_pushed (self->store, table, op->id, op->generation, op->sid,
                                           op->if_match, NULL, NULL, error);
      /* Edited here, deleted there: the edit lives on as a new record. */
      if (!_si_store_sync_recreate (self->store, table, op->id, error))
        return FALSE;
      add_retry (run, op);
      return TRUE;
    }

  if (status >= 500 || status == 429 || status == 408)
    {
      run->server_failed = TRUE;
      return TRUE;
    }

  /* Refused for good: keep the reason, do not try again until the record is edited. */
  g_debug ("The server refused %s:%" G_GINT64_FORMAT ": %u %s", table, op->id, status, code);
  if (!_si_store_sync_set_rejected (self->store, table, op->id, op->generation,
                                    problem ? problem->message : NULL,
                                    error))
    return FALSE;
  run->report.rejected++;
  return TRUE;
}

static void
ops_done (GTask     *task,
          GPtrArray *ops)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  _si_sync_engine_set_progress (self, self->progress_done + ops->len, self->progress_total);
  g_ptr_array_set_size (ops, 0);
  /* The next batch is on the server already (on_batch_body()): its answer goes on. */
  if (run->ops->len > 0)
    return;
  push_next (task);
}

/* An answer that brings the server's version of a record to merge (take_current()): edits of it
 * waiting to be saved go into the store first (SiStore::save-pending). */
static void
save_pending_for (SiSyncEngine  *self,
                  PushOp        *op,
                  guint          status,
                  SiWireRecord  *record,
                  SiWireProblem *problem)
{
  g_autoptr(GPtrArray) current = g_ptr_array_new ();

  if (status == SOUP_STATUS_PRECONDITION_FAILED && problem != NULL && problem->current != NULL)
    g_ptr_array_add (current, problem->current);
  else if (op->method == SI_WIRE_METHOD_POST && record != NULL && op->record != NULL &&
           !si_wire_record_content_equal (record, op->record))
    g_ptr_array_add (current, record);
  if (current->len > 0)
    _si_store_save_pending (self->store, current);
}

static void
on_single (GTask    *task,
           guint     status,
           JsonNode *json)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  PushOp *op = g_ptr_array_index (run->ops, 0);
  SiWireCollection wire = si_collection_get_wire (op->collection);
  g_autoptr(SiWireRecord) record = NULL;
  g_autoptr(SiWireProblem) problem = NULL;
  g_autoptr(GError) error = NULL;

  if (status >= 200 && status < 300)
    {
      record = json ? si_wire_record_from_json (json, wire, SI_WIRE_MODE_RESPONSE, &error) : NULL;
      if (record == NULL)
        {
          _si_sync_engine_answer_not_valid (task, REQUEST_CHANGE, error);
          return;
        }
    }
  else if (json != NULL)
    problem = si_wire_problem_from_json (json, wire, NULL);

  save_pending_for (self, op, status, record, problem);
  if (!_si_store_begin (self->store, &error))
    {
      _si_sync_engine_run_finish (task, _si_sync_engine_store_error (g_steal_pointer (&error)));
      return;
    }
  if (!handle_result (self, run, op, status, record, problem, NULL, NULL, &error) ||
      !_si_store_commit (self->store, &error))
    {
      _si_store_rollback (self->store);
      _si_sync_engine_run_finish (task, _si_sync_engine_store_error (g_steal_pointer (&error)));
      return;
    }
  ops_done (task, run->ops);
}

static void batch_results (GTask *task, GPtrArray *ops, GPtrArray *results, GArray *changes);
static gboolean record_batch (SiSyncEngine *self, Run *run, GPtrArray *ops, GPtrArray *results,
                              GArray *changes, GError **error);
static void send_batch (GTask *task, GString *body);

/* An answer whose next batch was sent before it was recorded (on_batch_body()) --------------- */

/* A batch's answer, read and not recorded yet. */
typedef struct _PushAnswer {
  GPtrArray *ops;
  GPtrArray *results;
  GArray    *changes;   /* may be NULL */
} PushAnswer;

static void
push_answer_free (PushAnswer *answer)
{
  g_ptr_array_unref (answer->ops);
  g_ptr_array_unref (answer->results);
  g_clear_pointer (&answer->changes, g_array_unref);
  g_free (answer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PushAnswer, push_answer_free)

/* The answer waiting to be recorded, taken out of @run (NULL when none), its idle gone. */
static PushAnswer *
take_unrecorded (Run *run)
{
  if (run->record_source != NULL)
    g_source_destroy (run->record_source);
  g_clear_pointer (&run->record_source, g_source_unref);
  return g_steal_pointer (&run->unrecorded);
}

void
_si_sync_engine_push_unrecorded_clear (Run *run)
{
  PushAnswer *answer = take_unrecorded (run);

  if (answer != NULL)
    push_answer_free (answer);
}

/* Records the answer left for later now, if there is one: before the next answer, and before
 * the run ends. FALSE when that ended the run (a store error). */
static gboolean
record_unrecorded (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  g_autoptr(PushAnswer) answer = take_unrecorded (run);

  if (answer == NULL)
    return TRUE;
  batch_results (task, answer->ops, answer->results, answer->changes);
  return !run->ended;
}

static gboolean
record_unrecorded_cb (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  g_clear_pointer (&run->record_source, g_source_unref);
  record_unrecorded (task);
  return G_SOURCE_REMOVE;
}

static void read_ahead_start (GTask *task);
static GPtrArray *read_batch_answer (GTask *task, GBytes *bytes, GArray **changes, GError **error);

/* A batch's request is written out: the answer before it (if it waits) is recorded from an
 * idle (not inside libsoup's signal), while a worker reads the next batch. */
static void
request_written_cb (SoupMessage *msg,
                    GTask       *task)
{
  Run *run = g_task_get_task_data (task);

  if (run->ended)
    return;
  if (run->unrecorded != NULL && run->record_source == NULL)
    {
      run->record_source = g_idle_source_new ();
      g_source_set_priority (run->record_source, G_PRIORITY_DEFAULT_IDLE);
      g_source_set_callback (run->record_source, record_unrecorded_cb, g_object_ref (task), g_object_unref);
      g_source_set_static_name (run->record_source, "[saveidea] record a batch's answer");
      g_source_attach (run->record_source, g_task_get_context (task));
    }
  read_ahead_start (task);
}

/* The run ends (si-sync-engine.c: _si_sync_engine_run_finish()) with answers not recorded
 * yet (the one left for later, and one that came while the next batch was read): they are
 * recorded, as they would have been had the run gone on; nothing more is sent, and what a
 * worker still reads ahead is dropped when it comes. */
void
_si_sync_engine_push_run_ends (GTask *task)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(PushAnswer) answer = take_unrecorded (run);
  g_autoptr(GBytes) parked = g_steal_pointer (&run->parked_answer);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GArray) changes = NULL;
  g_autoptr(GError) error = NULL;

  run->read_ahead_serial++;
  if (answer != NULL)
    {
      if (!record_batch (self, run, answer->ops, answer->results, answer->changes, &error))
        {
          /* Neither is recorded: answers are recorded in their order. */
          g_debug ("Could not record the answer to a batch: %s (its records go again next time)", error->message);
          return;
        }
      _si_sync_engine_set_progress (self, self->progress_done + answer->ops->len, self->progress_total);
    }
  if (parked == NULL || run->ops->len == 0)
    return;
  results = read_batch_answer (task, parked, &changes, &error);
  if (results == NULL || !record_batch (self, run, run->ops, results, changes, &error))
    g_debug ("Could not record the answer to a batch: %s (its records go again next time)",
             error ? error->message : "not valid");
  else
    _si_sync_engine_set_progress (self, self->progress_done + run->ops->len, self->progress_total);
}

/* Gives the batch taken ahead back to the outbox (its notes stay: a note of a push never sent
 * only lets a later pull recognise that content as ours, which it is); what a worker still
 * reads ahead is dropped when it comes. */
static void
discard_prefetched (Run *run)
{
  run->read_ahead_serial++;
  if (run->next_ops == NULL)
    return;
  run->pos = run->next_pos;
  g_clear_pointer (&run->next_ops, g_ptr_array_unref);
  g_string_free (run->next_body, TRUE);
  run->next_body = NULL;
}

/* The results of the batch in flight (run->ops) in its 200 answer @bytes, read straight from
 * the text (si-wire-read.c); NULL when the answer is not valid. */
static GPtrArray *
read_batch_answer (GTask   *task,
                   GBytes  *bytes,
                   GArray **changes,
                   GError **error)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GArray) collections = g_array_sized_new (FALSE, FALSE, sizeof (int), run->ops->len);
  g_autoptr(GPtrArray) sent = run->asked_slim ? g_ptr_array_sized_new (run->ops->len) : NULL;
  g_autoptr(GPtrArray) results = NULL;

  for (guint i = 0; i < run->ops->len; i++)
    {
      PushOp *op = g_ptr_array_index (run->ops, i);
      int wire = si_collection_get_wire (op->collection);
      g_array_append_val (collections, wire);
      /* A slim result's record is the one sent, rebuilt in place (si_wire_record_rebuild()):
       * lent to the reader, which keeps those it rebuilds. */
      if (sent != NULL)
        g_ptr_array_add (sent, op->method != SI_WIRE_METHOD_DELETE ? g_steal_pointer (&op->record) : NULL);
    }
  /* Which change numbers the batch took (a server that says): with the versions recorded
   * below, the cursor moves past them, so the next pull does not bring them back. */
  results = si_wire_read_batch_response_sent (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), collections,
                                              sent, self->server_reports_changes && !run->legacy ? changes : NULL,
                                              error);
  /* What was not taken goes back; an operation whose record became its slim result's is left
   * without (same_as_sent()). */
  for (guint i = 0; sent != NULL && i < sent->len; i++)
    if (g_ptr_array_index (sent, i) != NULL)
      ((PushOp *) g_ptr_array_index (run->ops, i))->record = g_steal_pointer (&sent->pdata[i]);
  if (results != NULL && results->len != run->ops->len)
    g_clear_pointer (&results, g_ptr_array_unref);
  return g_steal_pointer (&results);
}

/* A batch's 200 answer. */
static void
on_batch_body (GTask  *task,
               GBytes *bytes)
{
  Run *run = g_task_get_task_data (task);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GArray) changes = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GError) error = NULL;

  /* The next batch is being read: the answer waits for it (read_ahead_done()), so that it goes
   * out first. */
  if (run->reading_ahead)
    {
      g_clear_pointer (&run->parked_answer, g_bytes_unref);
      run->parked_answer = g_bytes_ref (bytes);
      return;
    }
  /* The answer before this one first, if it is still waiting (answers are recorded in order). */
  if (!record_unrecorded (task))
    return;
  results = read_batch_answer (task, bytes, &changes, &error);
  if (results == NULL)
    {
      _si_sync_engine_answer_not_valid (task, REQUEST_BATCH, error);
      return;
    }
  ops = g_steal_pointer (&run->ops);
  if (run->next_ops != NULL)
    {
      /* The next batch, taken while this one was on the server, goes before this answer is
       * recorded: the server works on it meanwhile. Its change numbers follow this batch's
       * (the server answered this one first) and the answers are recorded in their order.
       * This answer is recorded once that request is written out (request_written_cb()):
       * libsoup writes it from the main loop, often on another connection it sets up first
       * (this answer's is not free yet), and recording at once held the request back by the
       * whole recording, so that the two sides took turns. It is recorded before anything
       * else happens to the run (record_unrecorded(), _si_sync_engine_push_run_ends()). */
      GString *body = g_steal_pointer (&run->next_body);

      run->unrecorded = g_new0 (PushAnswer, 1);
      run->unrecorded->ops = g_steal_pointer (&ops);
      run->unrecorded->results = g_steal_pointer (&results);
      run->unrecorded->changes = g_steal_pointer (&changes);
      run->ops = g_steal_pointer (&run->next_ops);
      send_batch (task, body);
      return;
    }
  run->ops = g_ptr_array_new_with_free_func ((GDestroyNotify) _si_sync_engine_push_op_free);
  batch_results (task, ops, results, changes);
}

/* A batch's answer other than 200. */
static void
on_batch (GTask    *task,
          guint     status,
          JsonNode *json)
{
  Run *run = g_task_get_task_data (task);

  if (!record_unrecorded (task))
    return;
  /* Any other answer than 200: the batch taken ahead goes back to the outbox. */
  discard_prefetched (run);
  if (status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE && run->ops->len > 1)
    {
      /* Too big for this server: smaller batches. */
      run->batch_chunk = MAX (1, run->ops->len / 2);
      run->pos -= run->ops->len;
      g_ptr_array_set_size (run->ops, 0);
      push_next (task);
      return;
    }
  if (status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE)
    {
      /* One record too big for this server, alone in its batch: refused, as it would be on its
       * own; the others go on. */
      on_single (task, status, json);
      return;
    }
  _si_sync_engine_unexpected (task, status, json, REQUEST_BATCH);
}

/* Records the answers @results to @ops; @changes: the change numbers the batch took, or NULL
 * when not asked for. FALSE on a store error (nothing recorded). */
static gboolean
record_batch (SiSyncEngine  *self,
              Run           *run,
              GPtrArray     *ops,
              GPtrArray     *results,
              GArray        *changes,
              GError       **error)
{
  g_autoptr(GArray) applied = NULL;
  g_auto(SiSyncDurability) durability = { NULL, -1 };
  g_auto(PushedBatch) batch = { NULL, NULL };

  if (changes != NULL)
    applied = g_array_sized_new (FALSE, FALSE, sizeof (gint64), results->len);

  for (guint i = 0; i < results->len; i++)
    {
      SiWireBatchResult *result = g_ptr_array_index (results, i);

      save_pending_for (self, g_ptr_array_index (ops, i), result->status, result->record, result->problem);
    }
  /* An answer recorded here and lost to a power cut is no loss: its records stay unpushed with
   * their notes (note_pushing(), committed before the batch was sent), the cursor stays where it
   * was, and the next sync pulls them and recognises them as its own. So no waiting for the
   * disk at each batch, as for a pulled page. */
  _si_store_sync_relax_durability (self->store, &durability);
  if (!_si_store_begin (self->store, error))
    return FALSE;
  pushed_batch_init (&batch, results->len);
  for (guint i = 0; i < results->len; i++)
    {
      SiWireBatchResult *result = g_ptr_array_index (results, i);
      PushOp *op = g_ptr_array_index (ops, i);

      if ((!took_as_sent (op, result->status, result->record) && !pushed_batch_flush (self, &batch, applied, error)) ||
          !handle_result (self, run, op, result->status, result->record, result->problem, applied, &batch, error))
        {
          _si_store_rollback (self->store);
          return FALSE;
        }
    }
  /* In the transaction that recorded the results: a crash keeps both or neither. */
  if (!pushed_batch_flush (self, &batch, applied, error) ||
      (changes != NULL && changes->len > 0 &&
       !_si_store_sync_skip_own_changes (self->store, SI_SYNC_CHANGES_FEED, changes, applied, error)))
    {
      _si_store_rollback (self->store);
      return FALSE;
    }
  if (!_si_store_commit (self->store, error))
    return FALSE;
  /* Before anything else writes: the next batch's notes must reach the disk before it is sent. */
  _si_sync_durability_clear (&durability);
  return TRUE;
}

/* Records the answers @results to @ops and goes on. */
static void
batch_results (GTask     *task,
               GPtrArray *ops,
               GPtrArray *results,
               GArray    *changes)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!record_batch (self, run, ops, results, changes, &error))
    {
      _si_sync_engine_run_finish (task, _si_sync_engine_store_error (g_steal_pointer (&error)));
      return;
    }
  ops_done (task, ops);
}

static JsonNode *
op_record_json (PushOp *op)
{
  return op->record ? si_wire_record_to_json (op->record, SI_WIRE_MODE_REQUEST) : NULL;
}

/* A server that says which change numbers a batch took: everything goes in batches (even of
 * one), so that the next pull skips every upload of ours. */
static gboolean
batches_only (SiSyncEngine *self)
{
  return self->server_reports_changes && self->batch_threshold > 0;
}

/* Notes what @ops send, inside the caller's transaction; @digests: each operation's note's
 * digest, made on the worker that read them (read_ahead_thread()), or NULL to make them here. */
static gboolean
note_pushing (SiSyncEngine  *self,
              GPtrArray     *ops,
              GPtrArray     *digests,
              GError       **error)
{
  for (guint i = 0; i < ops->len; i++)
    {
      PushOp *op = g_ptr_array_index (ops, i);
      g_autofree char *made = NULL;
      const char *digest;

      if (op->record == NULL)
        continue;
      digest = digests != NULL ? g_ptr_array_index (digests, i) : (made = _si_store_sync_pushed_digest (op->record));
      if (!_si_store_sync_note_pushed_digest (self->store, op->collection, op->record->uid, op->generation,
                                              digest, error))
        return FALSE;
    }
  return TRUE;
}

/* The end of the group that starts at @pos: the following entries of one collection. */
static guint
group_end (Run   *run,
           guint  pos)
{
  const char *group = g_array_index (run->outbox, SiOutboxEntry, pos).collection;
  guint end;

  for (end = pos; end < run->outbox->len && g_array_index (run->outbox, SiOutboxEntry, end).collection == group; end++)
    ;
  return end;
}

/* The next operations to send, from the outbox at run->pos, into run->ops (empty at the end of
 * the round), noted as sent: read and noted in one transaction, so that a batch's thousand
 * records cost one lock of the notebook, not a few each. FALSE on a store error. */
static gboolean
take_ops (SiSyncEngine  *self,
          Run           *run,
          guint         *out_take,
          GError       **error)
{
  guint end, take = 0;

  if (!_si_store_begin (self->store, error))
    return FALSE;
  while (run->pos < run->outbox->len)
    {
      g_autofree gint64 *ids = NULL;

      /* A group: the following entries of one collection; relations of a later group point
       * at records of an earlier one, pushed (and given server ids) by then. */
      end = group_end (run, run->pos);
      take = 1;
      if (batches_only (self) || (self->batch_threshold > 0 && end - run->pos >= self->batch_threshold))
        take = MIN (end - run->pos, run->batch_chunk);

      ids = outbox_ids (run, run->pos, take);
      if (!build_ops (self, self->store, collection_by_name (self, g_array_index (run->outbox, SiOutboxEntry, run->pos).collection),
                      ids, take, push_device (self), run->ops, error))
        {
          _si_store_rollback (self->store);
          g_ptr_array_set_size (run->ops, 0);
          return FALSE;
        }
      run->pos += take;
      if (run->ops->len > 0)
        break;
    }
  /* What is sent is noted first: if the answer is lost, the next sync knows its own write. */
  if (!note_pushing (self, run->ops, NULL, error))
    {
      _si_store_rollback (self->store);
      g_ptr_array_set_size (run->ops, 0);
      return FALSE;
    }
  if (!_si_store_commit (self->store, error))
    {
      g_ptr_array_set_size (run->ops, 0);
      return FALSE;
    }
  *out_take = take;
  return TRUE;
}

/* The request text of a batch of @ops, written straight from the records: no JSON tree per
 * operation. */
static GString *
batch_body (GPtrArray *ops)
{
  GString *body = g_string_sized_new (400 * (gsize) ops->len + 32);

  si_wire_batch_request_begin (body);
  for (guint i = 0; i < ops->len; i++)
    {
      PushOp *op = g_ptr_array_index (ops, i);
      si_wire_batch_request_append (body, op->method, si_collection_get_wire (op->collection),
                                    op->sid, op->if_match, op->record);
    }
  si_wire_batch_request_end (body);
  return body;
}

/* Whether records of @collection point at others of the same collection: then a batch of it
 * needs the server ids the previous batch's answer gives. */
static gboolean
refers_to_itself (SiCollection *collection)
{
  for (guint k = 0; k < si_collection_get_n_keys (collection); k++)
    if (g_str_equal (si_collection_get_key (collection, k)->target, si_collection_get_name (collection)))
      return TRUE;
  return FALSE;
}

/* While a batch is on the server, the next one of the same group (the same collection: its
 * records do not wait for this batch's answer, no relation points at them) is read and written
 * out on a worker, from the push's own connection (one snapshot), with the digests of its
 * notes; back on the main loop it is noted as sent (committed with the notebook's durability,
 * as before any send), so that the client's share of it is done when the answer comes. It is
 * sent as soon as that answer is read (on_batch_body(), which waits for the worker), before
 * the answer is recorded: one batch on the server at a time, as before, and the answers
 * recorded in the order sent. The worker's part is a third of saveidea-cli's CPU in a first
 * upload, and runs beside the recording of the answer before. Nothing is taken when the store
 * fails (push_next() takes it again and reports the error). */
typedef struct {
  GTask        *task;        /* the run's */
  guint         serial;      /* run->read_ahead_serial when it started */
  guint         first;       /* run->pos when it started */
  guint         take;        /* outbox entries read */
  SiCollection *collection;
  gint64       *ids;
  char         *device;
  GPtrArray    *ops;         /* read on the worker */
  GPtrArray    *digests;     /* each operation's note (NULL: none) */
  GString      *body;
} ReadAhead;

static void
read_ahead_free (ReadAhead *job)
{
  g_object_unref (job->task);
  g_free (job->ids);
  g_free (job->device);
  g_clear_pointer (&job->ops, g_ptr_array_unref);
  g_clear_pointer (&job->digests, g_ptr_array_unref);
  if (job->body != NULL)
    g_string_free (job->body, TRUE);
  g_free (job);
}

/* The worker: the batch read from the push's connection, its notes' digests, its text. */
static void
read_ahead_thread (GTask        *step,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  SiSyncEngine *self = source_object;
  ReadAhead *job = task_data;
  g_autoptr(GError) error = NULL;
  const char *delay = g_getenv ("SAVEIDEA_SYNC_TEST_READ_AHEAD_DELAY_MS");
  gboolean ok;

  /* For the tests: a worker slower than the server, so that the answer comes first. */
  if (delay != NULL)
    g_usleep (g_ascii_strtoull (delay, NULL, 10) * 1000);
  /* Opened once, by the engine's first read ahead; one reader at a time (push_reading). */
  if (self->push_store == NULL)
    self->push_store = si_store_new (si_store_get_path (self->store), &error);
  if (self->push_store == NULL || !_si_store_begin_read (self->push_store, &error))
    {
      g_task_return_error (step, g_steal_pointer (&error));
      return;
    }
  ok = build_ops (self, self->push_store, job->collection, job->ids, job->take, job->device, job->ops, &error);
  _si_store_rollback (self->push_store);
  if (!ok)
    {
      g_task_return_error (step, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < job->ops->len; i++)
    {
      PushOp *op = g_ptr_array_index (job->ops, i);
      g_ptr_array_add (job->digests, op->record != NULL ? _si_store_sync_pushed_digest (op->record) : NULL);
    }
  job->body = batch_body (job->ops);
  g_task_return_boolean (step, TRUE);
}

/* Back on the main loop: the batch read is noted as sent and waits for the answer to the one
 * in flight, unless it is not wanted any more; an answer that came meanwhile goes on. */
static void
read_ahead_done (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SiSyncEngine *self = SI_SYNC_ENGINE (source_object);
  ReadAhead *job = g_task_get_task_data (G_TASK (result));
  GTask *task = job->task;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GBytes) parked = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  self->push_reading = FALSE;
  run->reading_ahead = FALSE;
  parked = g_steal_pointer (&run->parked_answer);
  if (!ok)
    g_debug ("Could not read the next batch ahead: %s", error->message);
  else if (!run->ended && run->read_ahead_serial == job->serial && run->next_ops == NULL &&
           run->pos == job->first && job->ops->len > 0 && !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      ok = _si_store_begin (self->store, &error);
      if (ok && !note_pushing (self, job->ops, job->digests, &error))
        {
          _si_store_rollback (self->store);
          ok = FALSE;
        }
      if (ok)
        ok = _si_store_commit (self->store, &error);
      if (ok)
        {
          run->next_pos = run->pos;
          run->pos += job->take;
          run->next_body = g_steal_pointer (&job->body);
          run->next_ops = g_steal_pointer (&job->ops);
        }
      else
        g_debug ("Could not note the next batch: %s", error->message);
    }
  if (parked != NULL && !run->ended)
    on_batch_body (task, parked);
}

/* Starts reading the batch after the one in flight on a worker, when there is one to take
 * ahead. */
static void
read_ahead_start (GTask *task)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GTask) step = NULL;
  ReadAhead *job;
  guint end;

  if (run->ended || run->reading_ahead || self->push_reading || run->next_ops != NULL || run->ops->len == 0 ||
      run->pos >= run->outbox->len || g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return;
  /* The same group as the batch in flight, and one that push_next() would send as a batch. */
  if (((PushOp *) g_ptr_array_index (run->ops, 0))->collection != collection_by_name (self, g_array_index (run->outbox, SiOutboxEntry, run->pos).collection) ||
      refers_to_itself (((PushOp *) g_ptr_array_index (run->ops, 0))->collection))
    return;
  end = group_end (run, run->pos);
  if (!batches_only (self) && !(self->batch_threshold > 0 && end - run->pos >= self->batch_threshold))
    return;

  job = g_new0 (ReadAhead, 1);
  job->task = g_object_ref (task);
  job->serial = run->read_ahead_serial;
  job->first = run->pos;
  job->take = MIN (end - run->pos, run->batch_chunk);
  job->collection = ((PushOp *) g_ptr_array_index (run->ops, 0))->collection;
  job->ids = outbox_ids (run, run->pos, job->take);
  job->device = g_strdup (push_device (self));
  job->ops = g_ptr_array_new_with_free_func ((GDestroyNotify) _si_sync_engine_push_op_free);
  job->digests = g_ptr_array_new_with_free_func (g_free);
  run->reading_ahead = TRUE;
  self->push_reading = TRUE;
  step = g_task_new (self, NULL, read_ahead_done, NULL);
  g_task_set_source_tag (step, read_ahead_start);
  g_task_set_task_data (step, job, (GDestroyNotify) read_ahead_free);
  si_worker_run_in_thread (step, read_ahead_thread);
}

/* Whether a batch asks for slim results (`Prefer: return=minimal`): always, but for the tests
 * that compare them with full ones (SAVEIDEA_SYNC_TEST_FULL_ANSWERS=1). A server from before
 * them ignores the header and answers in full, which is read as ever. */
static gboolean
asks_slim (void)
{
  return g_strcmp0 (g_getenv ("SAVEIDEA_SYNC_TEST_FULL_ANSWERS"), "1") != 0;
}

/* Sends a batch; once its request is written out, the answer before it (if it waits) is
 * recorded and the next batch taken ahead (request_written_cb()). */
static void
send_batch (GTask   *task,
            GString *body)
{
  Run *run = g_task_get_task_data (task);
  SoupMessage *msg;

  run->asked_slim = asks_slim ();
  msg = _si_sync_engine_send_request_read (task, SOUP_METHOD_POST, "batch", body,
                                           run->asked_slim ? SI_WIRE_PREFER_MINIMAL : NULL, on_batch, on_batch_body);
  if (msg == NULL || run->ended)
    return;
  g_signal_connect_data (msg, "wrote-body", G_CALLBACK (request_written_cb), g_object_ref (task),
                         (GClosureNotify) (void (*) (void)) g_object_unref, 0);
}

static void
push_next (GTask *task)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint take = 0;

  if (g_task_return_error_if_cancelled (task))
    {
      _si_sync_engine_run_cancelled (self);
      return;
    }

  if (run->next_ops != NULL)
    {
      /* Taken while the previous batch was on the server. */
      GString *body = g_steal_pointer (&run->next_body);

      g_ptr_array_unref (run->ops);
      run->ops = g_steal_pointer (&run->next_ops);
      send_batch (task, body);
      return;
    }
  if (!take_ops (self, run, &take, &error))
    {
      _si_sync_engine_run_finish (task, _si_sync_engine_store_error (g_steal_pointer (&error)));
      return;
    }

  if (run->ops->len == 0)
    {
      /* End of a round: push again what was merged, a few times at most. */
      if (g_hash_table_size (run->retry) > 0 && run->round + 1 < MAX_PUSH_ROUNDS)
        {
          g_clear_pointer (&run->only, g_hash_table_unref);
          run->only = g_steal_pointer (&run->retry);
          run->retry = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          run->round++;
          _si_sync_engine_push_round (task);
        }
      else
        push_finish (task);
      return;
    }

  if (take > 1 || (self->batch_threshold > 0 && run->ops->len > 1) || batches_only (self))
    send_batch (task, batch_body (run->ops));
  else
    {
      PushOp *op = g_ptr_array_index (run->ops, 0);
      const char *path = si_collection_get_path (op->collection);
      g_autoptr(JsonNode) body = op_record_json (op);
      g_autofree char *record_path = g_strdup_printf ("%s/%" G_GINT64_FORMAT, path, op->sid);

      switch (op->method)
        {
        case SI_WIRE_METHOD_POST:
          _si_sync_engine_send_request (task, SOUP_METHOD_POST, path, body, -1, on_single);
          break;
        case SI_WIRE_METHOD_PUT:
          _si_sync_engine_send_request (task, SOUP_METHOD_PUT, record_path, body, op->if_match, on_single);
          break;
        case SI_WIRE_METHOD_DELETE:
        default:
          _si_sync_engine_send_request (task, SOUP_METHOD_DELETE, record_path, NULL, op->if_match, on_single);
          break;
        }
    }
}
