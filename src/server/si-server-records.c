/* si-server-records.c — every authenticated request, on a worker thread: records, the
 * feeds, batches and logout.
 */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "si-server-private.h"
#include "si-wire-read.h"

/* ---------------------------------------------------------------------------------------- */
/* records (worker) */

/* One create; returns the status and the record or the problem. Shared with the batch.
 * @record is the request's record, or NULL with @decode_error saying why it is not valid. */
static guint
do_create (SiServerStorage   *storage,
           gint64             account_id,
           SiWireCollection   collection,
           SiWireRecord      *record,
           const GError      *decode_error,
           SiWireRecord     **out_record,
           SiWireProblem    **out_problem)
{
  g_autoptr(SiWireRecord) current = NULL;
  g_autoptr(GError) error = decode_error ? g_error_copy (decode_error) : NULL;
  gboolean created = FALSE;
  guint status;

  if (record != NULL && record->uid == NULL)
    g_set_error_literal (&error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
                         "Field “uid” is missing");
  if (error == NULL)
    *out_record = si_server_storage_record_create (storage, account_id, record, &created,
                                                   &current, &error);
  if (error != NULL)
    {
      *out_problem = _si_server_problem_from_error (error, current, &status);
      return status;
    }
  return created ? SOUP_STATUS_CREATED : SOUP_STATUS_OK;
}

static guint
do_update (SiServerStorage   *storage,
           gint64             account_id,
           SiWireCollection   collection,
           gint64             id,
           gint64             if_match,
           SiWireRecord      *record,
           const GError      *decode_error,
           SiWireRecord     **out_record,
           SiWireProblem    **out_problem)
{
  g_autoptr(SiWireRecord) current = NULL;
  g_autoptr(GError) error = decode_error ? g_error_copy (decode_error) : NULL;
  guint status;

  if (record != NULL)
    *out_record = si_server_storage_record_update (storage, account_id, id, if_match,
                                                   record, &current, &error);
  if (error != NULL)
    {
      *out_problem = _si_server_problem_from_error (error, current, &status);
      return status;
    }
  return SOUP_STATUS_OK;
}

/* @out_changed: whether it made a tombstone (not one that was there already). */
static guint
do_delete (SiServerStorage   *storage,
           gint64             account_id,
           SiWireCollection   collection,
           gint64             id,
           gint64             if_match,
           gboolean          *out_changed,
           SiWireRecord     **out_record,
           SiWireProblem    **out_problem)
{
  g_autoptr(SiWireRecord) current = NULL;
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;
  guint status;

  *out_record = si_server_storage_record_delete (storage, account_id, collection, id,
                                                 if_match, &changed, &current, &error);
  if (out_changed != NULL)
    *out_changed = changed;
  if (error != NULL)
    {
      *out_problem = _si_server_problem_from_error (error, current, &status);
      return status;
    }
  return SOUP_STATUS_OK;
}

static void
respond_outcome (Reply           *reply,
                 guint            status,
                 SiWireRecord    *record,
                 SiWireProblem   *problem,
                 SiServerStorage *storage)
{
  if (record != NULL)
    {
      _si_server_respond_record (reply, status, record);
      return;
    }
  g_assert (problem != NULL);
  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    _si_server_reply_set_retry_after (reply, storage);
  _si_server_respond_text (reply, status, si_wire_problem_to_text (problem));
}

static void
list_run (Request         *request,
          gint64           account_id,
          SiServerStorage *storage)
{
  g_autoptr(SiWirePage) page = NULL;
  g_autoptr(GError) error = NULL;
  GString *text;

  page = si_server_storage_records_list (storage, account_id, request->collection, request->since,
                                         (guint) request->limit, &error);
  if (page == NULL)
    {
      _si_server_respond_error (&request->reply, error, NULL, storage);
      return;
    }
  if (request->collection == SI_SERVER_STORAGE_ALL_COLLECTIONS)
    text = si_wire_changes_to_text (page);
  else
    text = si_wire_page_to_text (page);
  _si_server_respond_text (&request->reply, SOUP_STATUS_OK, text);
}

static void
batch_run (Request         *request,
           gint64           account_id,
           SiServerStorage *storage)
{
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) own = NULL;
  g_autoptr(GArray) changes = NULL;
  gboolean too_many = FALSE;
  gboolean slim = request->prefer_minimal && _si_server_answers_slim ();

  /* Straight from the text (si-wire-read.c): each operation's record decoded, or the reason
   * it is not valid, for a 400 of that operation alone. */
  ops = si_wire_read_batch_request (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body),
                                    SI_WIRE_BATCH_MAX_OPS, &too_many, &error);
  if (ops == NULL)
    {
      if (too_many)
        _si_server_respond_problem (&request->reply, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_many_operations",
                                    NULL, "%s", error->message);
      else
        _si_server_respond_error (&request->reply, error, NULL, NULL);
      return;
    }

  /* A savepoint per operation: an operation that fails undoes only itself. The storage commits
   * the batch in bounded steps (docs/protocol.md); a lost database undoes the current step and
   * answers 503, and the client retries the batch, whose operations are safe to repeat. */
  if (!si_server_storage_begin (storage, &error))
    {
      _si_server_respond_error (&request->reply, error, NULL, storage);
      return;
    }

  results = g_ptr_array_new_full (ops->len, (GDestroyNotify) si_wire_batch_result_free);
  own = g_array_sized_new (FALSE, FALSE, sizeof (gint64), ops->len);
  for (guint i = 0; i < ops->len; i++)
    {
      SiWireBatchOp *op = g_ptr_array_index (ops, i);
      SiWireRecord *record = NULL;
      SiWireProblem *problem = NULL;
      gboolean changed = FALSE;
      guint status = 0;

      switch (op->method)
        {
        case SI_WIRE_METHOD_POST:
          status = do_create (storage, account_id, op->collection, op->decoded, op->record_error,
                              &record, &problem);
          break;
        case SI_WIRE_METHOD_PUT:
          status = do_update (storage, account_id, op->collection, op->id, op->if_match, op->decoded,
                              op->record_error, &record, &problem);
          break;
        case SI_WIRE_METHOD_DELETE:
          status = do_delete (storage, account_id, op->collection, op->id, op->if_match, &changed,
                              &record, &problem);
          break;
        default:
          g_assert_not_reached ();
        }
      /* The change numbers this batch's own writes took, whose records the results carry: not
       * a repeated create (its record as it is now), not a tombstone that was there already,
       * and not the ideas a tag delete changed (they are in no result). */
      if (record != NULL &&
          ((op->method == SI_WIRE_METHOD_POST && status == SOUP_STATUS_CREATED) ||
           (op->method == SI_WIRE_METHOD_PUT && status == SOUP_STATUS_OK) ||
           (op->method == SI_WIRE_METHOD_DELETE && status == SOUP_STATUS_OK && changed)))
        g_array_append_val (own, record->version);
      g_ptr_array_add (results, si_wire_batch_result_new (status, record, problem));
      /* Slim: a created or updated record stored as it was sent says only its id and version
       * (a repeated create's record may be another device's, a tombstone or a normalised tag
       * name is not what was sent: those in full). */
      if (slim && record != NULL && op->decoded != NULL && op->method != SI_WIRE_METHOD_DELETE &&
          status >= 200 && status < 300 && si_wire_record_is_as_sent (record, op->decoded))
        ((SiWireBatchResult *) g_ptr_array_index (results, results->len - 1))->slim = TRUE;
      if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
        {
          si_server_storage_rollback (storage);
          respond_outcome (&request->reply, status, NULL, problem, storage);
          return;
        }
    }

  if (!si_server_storage_commit (storage, &error))
    {
      _si_server_respond_error (&request->reply, error, NULL, storage);
      return;
    }

  if (_si_server_reports_changes ())
    changes = si_wire_change_ranges_from_versions (own);
  if (slim)
    _si_server_reply_set_header (&request->reply, SI_WIRE_PREFERENCE_APPLIED_HEADER, SI_WIRE_PREFER_MINIMAL);
  _si_server_respond_text (&request->reply, SOUP_STATUS_OK, si_wire_batch_response_to_text (results, changes));
}

/* GET /ideas/<id>/history and GET /trash */
static void
history_run (Request         *request,
             gint64           account_id,
             SiServerStorage *storage)
{
  g_autoptr(SiWireHistoryPage) history = NULL;
  g_autoptr(SiWireTrashPage) trash = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (request->kind == KIND_HISTORY)
    {
      history = si_server_storage_history_list (storage, account_id, request->id, request->before,
                                                (guint) request->limit, &error);
      if (history != NULL)
        node = si_wire_history_page_to_json (history);
    }
  else
    {
      trash = si_server_storage_trash_list (storage, account_id, request->before, (guint) request->limit, &error);
      if (trash != NULL)
        node = si_wire_trash_page_to_json (trash);
    }
  if (node == NULL)
    _si_server_respond_error (&request->reply, error, NULL, storage);
  else
    _si_server_respond_json (&request->reply, SOUP_STATUS_OK, node);
}

/* Whether the server answers `Prefer: return=minimal` (SAVEIDEA_SERVER_TEST_NO_MINIMAL=1 plays a
 * server from before slim results, for the tests). */
gboolean
_si_server_answers_slim (void)
{
  static gsize answers = 0;

  if (g_once_init_enter (&answers))
    g_once_init_leave (&answers, g_strcmp0 (g_getenv ("SAVEIDEA_SERVER_TEST_NO_MINIMAL"), "1") == 0 ? 1 : 2);
  return answers == 2;
}

gboolean
_si_server_reports_changes (void)
{
  static gsize reports = 0;

  if (g_once_init_enter (&reports))
    g_once_init_leave (&reports, g_strcmp0 (g_getenv ("SAVEIDEA_SERVER_TEST_NO_CHANGES"), "1") == 0 ? 1 : 2);
  return reports == 2;
}

/* Every authenticated request, on a worker thread. */
void
_si_server_api_run (Request         *request,
                    SiServerStorage *storage)
{
  g_autoptr(SiWireRecord) record = NULL;
  g_autoptr(SiWireProblem) problem = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SiWireRecord) decoded = NULL;
  g_autoptr(GError) decode_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token_hash = NULL;
  gint64 account_id;
  guint status;

  account_id = _si_server_authenticate (request, storage, request->kind == KIND_LOGOUT ? &token_hash : NULL);
  if (account_id == 0)
    return;
  if (request->pending.status != 0)
    {
      /* A bad parameter, header or body, found on the main loop. */
      request->reply = request->pending;
      memset (&request->pending, 0, sizeof request->pending);
      return;
    }

  switch (request->kind)
    {
    case KIND_LIST:
      list_run (request, account_id, storage);
      return;
    case KIND_BATCH:
      batch_run (request, account_id, storage);
      return;
    case KIND_LOGOUT:
      if (!si_server_storage_token_revoke (storage, token_hash, &error))
        _si_server_respond_error (&request->reply, error, NULL, storage);
      else
        request->reply.status = SOUP_STATUS_NO_CONTENT;
      return;
    case KIND_GET:
      record = si_server_storage_record_get (storage, account_id, request->collection, request->id, &error);
      if (record == NULL)
        _si_server_respond_error (&request->reply, error, NULL, storage);
      else
        _si_server_respond_record (&request->reply, SOUP_STATUS_OK, record);
      return;
    case KIND_CREATE:
    case KIND_UPDATE:
      root = _si_server_parse_body (request->body, &request->reply);
      if (root == NULL)
        return;
      decoded = si_wire_record_from_json (root, request->collection, SI_WIRE_MODE_REQUEST, &decode_error);
      if (request->kind == KIND_CREATE)
        status = do_create (storage, account_id, request->collection, decoded, decode_error, &record, &problem);
      else
        status = do_update (storage, account_id, request->collection, request->id,
                            request->if_match, decoded, decode_error, &record, &problem);
      break;
    case KIND_DELETE:
      status = do_delete (storage, account_id, request->collection, request->id,
                          request->if_match, NULL, &record, &problem);
      break;
    case KIND_HISTORY:
    case KIND_TRASH:
      history_run (request, account_id, storage);
      return;
    case KIND_UNDELETE:
    case KIND_PURGE:
      {
        g_autoptr(SiWireRecord) current = NULL;

        if (request->kind == KIND_UNDELETE)
          record = si_server_storage_record_undelete (storage, account_id, request->id, request->if_match,
                                                      &current, &error);
        else if (si_server_storage_record_purge (storage, account_id, request->id, &current, &error))
          {
            request->reply.status = SOUP_STATUS_NO_CONTENT;
            return;
          }
        if (error != NULL)
          {
            problem = _si_server_problem_from_error (error, current, &status);
            break;
          }
        status = SOUP_STATUS_OK;
      }
      break;
    case KIND_LOGIN:
    default:
      g_assert_not_reached ();
    }
  respond_outcome (&request->reply, status, record, problem, storage);
}
