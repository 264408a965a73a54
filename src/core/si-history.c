/* si-history.c — an idea's versions and the Trash: the entries, the lists (this notebook's and
 * the server's, merged), restoring a version, undelete and purge (si-history.h).
 *
 * No SQL here: the store's side is si-store-history.c; requests go through the sync engine's
 * _si_sync_engine_call_async(), with the checks every answer of the server gets; the pages'
 * JSON is read by the codec (si-wire-history.c). An undelete's answer is applied by
 * _si_store_sync_apply(), as a pulled record is.
 */
#define G_LOG_DOMAIN "saveidea-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "si-history-private.h"
#include "si-record-private.h"
#include "si-sync-engine-private.h"

G_DEFINE_QUARK (si-history-error-quark, si_history_error)

/* Entries per page asked for (a page of texts of 1 MiB each is then at most 50 MiB), and pages
 * of the server's to read at most, per list. */
#define PAGE_LIMIT SI_WIRE_HISTORY_DEFAULT_LIMIT
#define MAX_HISTORY_PAGES ((SI_HISTORY_LIST_MAX + PAGE_LIMIT - 1) / PAGE_LIMIT)
#define MAX_TRASH_PAGES ((SI_TRASH_LOCAL_MAX + PAGE_LIMIT - 1) / PAGE_LIMIT)

static gsize
record_bytes (const SiWireRecord *record)
{
  return (record->title ? strlen (record->title) : 0) + (record->body ? strlen (record->body) : 0);
}

/* Entries ------------------------------------------------------------------------------------- */

struct _SiHistoryEntry {
  GObject   parent_instance;
  gint64    local_id;
  gint64    version;
  gint64    updated_at;
  char     *device;
  char     *title;
  char     *body;
  gboolean  pinned;
  GStrv     tags;
  gboolean  local_only;
  gboolean  current;
};

G_DEFINE_FINAL_TYPE (SiHistoryEntry, si_history_entry, G_TYPE_OBJECT)

static void
si_history_entry_finalize (GObject *object)
{
  SiHistoryEntry *self = SI_HISTORY_ENTRY (object);

  g_free (self->device);
  g_free (self->title);
  g_free (self->body);
  g_strfreev (self->tags);
  G_OBJECT_CLASS (si_history_entry_parent_class)->finalize (object);
}

static void
si_history_entry_class_init (SiHistoryEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = si_history_entry_finalize;
}

static void
si_history_entry_init (SiHistoryEntry *self)
{
}

static GStrv
copy_tags (const char * const *tags)
{
  return tags ? g_strdupv ((char **) tags) : g_new0 (char *, 1);
}

SiHistoryEntry *
_si_history_entry_new (gint64               local_id,
                       gint64               version,
                       gint64               updated_at,
                       const char          *device,
                       const char          *title,
                       const char          *body,
                       gboolean             pinned,
                       const char * const  *tags,
                       gboolean             local_only,
                       gboolean             current)
{
  SiHistoryEntry *self = g_object_new (SI_TYPE_HISTORY_ENTRY, NULL);

  self->local_id = local_id;
  self->version = version;
  self->updated_at = updated_at;
  self->device = g_strdup (device);
  self->title = g_strdup (title ? title : "");
  self->body = g_strdup (body ? body : "");
  self->pinned = pinned;
  self->tags = copy_tags (tags);
  self->local_only = local_only;
  self->current = current;
  return self;
}

#define GETTER(type, name, field, fallback) \
  type si_history_entry_get_##name (SiHistoryEntry *self) \
  { g_return_val_if_fail (SI_IS_HISTORY_ENTRY (self), fallback); return self->field; }

GETTER (gint64, version, version, 0)
GETTER (gint64, updated_at, updated_at, 0)
GETTER (const char *, device, device, NULL)
GETTER (const char *, title, title, NULL)
GETTER (const char *, body, body, NULL)
GETTER (gboolean, pinned, pinned, FALSE)
GETTER (gboolean, local_only, local_only, FALSE)
GETTER (gboolean, current, current, FALSE)
GETTER (gint64, local_id, local_id, 0)
#undef GETTER

const char * const *
si_history_entry_get_tags (SiHistoryEntry *self)
{
  g_return_val_if_fail (SI_IS_HISTORY_ENTRY (self), NULL);
  return (const char * const *) self->tags;
}

struct _SiTrashEntry {
  GObject   parent_instance;
  gint64    id;
  char     *uid;
  gint64    sid;
  gint64    version;
  gint64    deleted_at;
  gint64    created_at;
  gint64    updated_at;
  char     *device;
  char     *title;
  char     *body;
  gboolean  pinned;
  GStrv     tags;
  gboolean  on_server;
};

G_DEFINE_FINAL_TYPE (SiTrashEntry, si_trash_entry, G_TYPE_OBJECT)

static void
si_trash_entry_finalize (GObject *object)
{
  SiTrashEntry *self = SI_TRASH_ENTRY (object);

  g_free (self->uid);
  g_free (self->device);
  g_free (self->title);
  g_free (self->body);
  g_strfreev (self->tags);
  G_OBJECT_CLASS (si_trash_entry_parent_class)->finalize (object);
}

static void
si_trash_entry_class_init (SiTrashEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = si_trash_entry_finalize;
}

static void
si_trash_entry_init (SiTrashEntry *self)
{
}

SiTrashEntry *
_si_trash_entry_new (const SiTrashRow *row)
{
  SiTrashEntry *self = g_object_new (SI_TYPE_TRASH_ENTRY, NULL);

  self->id = row->id;
  self->uid = g_strdup (row->uid);
  self->sid = row->sid;
  self->version = row->version;
  self->deleted_at = row->deleted_at;
  self->created_at = row->created_at;
  self->updated_at = row->updated_at;
  self->device = g_strdup (row->device);
  self->title = g_strdup (row->title ? row->title : "");
  self->body = g_strdup (row->body ? row->body : "");
  self->pinned = row->pinned;
  self->tags = copy_tags (row->tags);
  self->on_server = row->on_server;
  return self;
}

#define GETTER(type, name, field, fallback) \
  type si_trash_entry_get_##name (SiTrashEntry *self) \
  { g_return_val_if_fail (SI_IS_TRASH_ENTRY (self), fallback); return self->field; }

GETTER (gint64, id, id, 0)
GETTER (const char *, uid, uid, NULL)
GETTER (gint64, deleted_at, deleted_at, 0)
GETTER (gint64, created_at, created_at, 0)
GETTER (gint64, updated_at, updated_at, 0)
GETTER (const char *, device, device, NULL)
GETTER (const char *, title, title, NULL)
GETTER (const char *, body, body, NULL)
GETTER (gboolean, pinned, pinned, FALSE)
GETTER (gboolean, on_server, on_server, FALSE)
#undef GETTER

const char * const *
si_trash_entry_get_tags (SiTrashEntry *self)
{
  g_return_val_if_fail (SI_IS_TRASH_ENTRY (self), NULL);
  return (const char * const *) self->tags;
}

gint64
si_trash_entry_get_expires_at (SiTrashEntry *self)
{
  g_return_val_if_fail (SI_IS_TRASH_ENTRY (self), 0);
  return self->deleted_at + (gint64) SI_TRASH_RETENTION_DAYS * 24 * 3600 * G_USEC_PER_SEC;
}

gint64 _si_trash_entry_get_sid (SiTrashEntry *self) { return self->sid; }
gint64 _si_trash_entry_get_version (SiTrashEntry *self) { return self->version; }

/* Helpers --------------------------------------------------------------------------------------- */

/* The server answered @status with @json where a success was expected. */
static GError *
refused (guint        status,
         JsonNode    *json,
         gboolean     has_history)
{
  g_autoptr(SiWireProblem) problem = json ? si_wire_problem_from_json (json, SI_WIRE_COLLECTION_IDEAS, NULL) : NULL;
  /* Translators: stands for the server's reason (in English) in the next message. */
  const char *reason = problem && problem->message ? problem->message : _("no reason given");

  if (status == SOUP_STATUS_NOT_FOUND && !has_history)
    return g_error_new_literal (SI_HISTORY_ERROR, SI_HISTORY_ERROR_UNSUPPORTED,
                                _("The server keeps no earlier versions or deleted ideas. Update it to use them."));
  return g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                      /* Translators: the HTTP status code, then the server's reason (in English) or
                       * “no reason given”. */
                      _("The server refused the request (HTTP %u: %s)."), status, reason);
}

static GError *
invalid_answer (const GError *error)
{
  return g_error_new (SI_HISTORY_ERROR, SI_HISTORY_ERROR_INVALID,
                      /* Translators: %s says what is wrong with the answer, in English. */
                      _("The server’s answer is not valid: %s"), error ? error->message : "?");
}

static gint
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  SiHistoryEntry *x = *(SiHistoryEntry * const *) a;
  SiHistoryEntry *y = *(SiHistoryEntry * const *) b;

  if (x->current != y->current)
    return x->current ? -1 : 1;
  if (x->updated_at != y->updated_at)
    return x->updated_at > y->updated_at ? -1 : 1;
  if (x->version != y->version)
    return x->version > y->version ? -1 : 1;
  return x->local_id > y->local_id ? -1 : x->local_id < y->local_id;
}

/* History --------------------------------------------------------------------------------------- */

GPtrArray *
si_history_list_local (SiStore  *store,
                       gint64    idea_id,
                       GError  **error)
{
  g_return_val_if_fail (SI_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _si_store_history_read (store, idea_id, NULL, NULL, error);
}

typedef struct {
  SiSyncEngine *engine;
  GPtrArray    *entries;
  GHashTable   *versions;     /* the versions listed, gint64 */
  gint64        sid;
  gint64        before;
  guint         pages;
  gsize         bytes;        /* of the server's texts listed */
  GError       *server_error;
} HistoryList;

static void
history_list_free (HistoryList *data)
{
  g_clear_object (&data->engine);
  g_clear_pointer (&data->entries, g_ptr_array_unref);
  g_clear_pointer (&data->versions, g_hash_table_unref);
  g_clear_error (&data->server_error);
  g_free (data);
}

static void
history_list_return (GTask *task)
{
  HistoryList *data = g_task_get_task_data (task);

  g_ptr_array_sort (data->entries, compare_entries);
  if (data->entries->len > SI_HISTORY_LIST_MAX)
    g_ptr_array_set_size (data->entries, SI_HISTORY_LIST_MAX);
  g_task_return_pointer (task, g_ptr_array_ref (data->entries), (GDestroyNotify) g_ptr_array_unref);
}

static void history_page_next (GTask *task);

static void
history_page_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HistoryList *data = g_task_get_task_data (task);
  SiStore *store = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(SiWireHistoryPage) page = NULL;
  gboolean has_history = FALSE;
  guint status = 0;

  json = _si_sync_engine_call_finish (data->engine, result, &status, &has_history, &error);
  if (json == NULL && error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      data->server_error = g_steal_pointer (&error);
      history_list_return (task);
      return;
    }
  if (status != SOUP_STATUS_OK)
    {
      data->server_error = refused (status, json, has_history);
      history_list_return (task);
      return;
    }
  if (!(page = si_wire_history_page_from_json (json, &error)))
    {
      data->server_error = invalid_answer (error);
      history_list_return (task);
      return;
    }
  if (data->before > 0 && page->more && page->cursor >= data->before)
    {
      data->server_error = g_error_new_literal (SI_HISTORY_ERROR, SI_HISTORY_ERROR_INVALID,
                                                _("The server’s answer is not valid: its pages do not move on."));
      history_list_return (task);
      return;
    }
  for (guint i = 0; i < page->versions->len; i++)
    {
      const SiWireRecord *r = g_ptr_array_index (page->versions, i);
      g_autofree char *names = NULL;
      g_auto(GStrv) tags = NULL;

      if (g_hash_table_contains (data->versions, &r->version))
        continue;
      names = _si_store_history_tag_names (store, r->tags);
      tags = names[0] ? g_strsplit (names, "\n", -1) : NULL;
      g_ptr_array_add (data->entries,
                       _si_history_entry_new (0, r->version, r->updated_at * 1000, r->device, r->title, r->body,
                                              r->pinned, (const char * const *) tags, FALSE, FALSE));
      g_hash_table_add (data->versions, g_memdup2 (&r->version, sizeof r->version));
      data->bytes += record_bytes (r);
    }
  data->pages++;
  /* The cursor must move back; the pages, entries and bytes are bounded too. */
  if (page->more && page->cursor > 0 && data->pages < MAX_HISTORY_PAGES &&
      data->entries->len < SI_HISTORY_LIST_MAX && data->bytes < SI_HISTORY_LIST_MAX_BYTES)
    {
      data->before = page->cursor;
      history_page_next (g_steal_pointer (&task));
      return;
    }
  history_list_return (task);
}

static void
history_page_next (GTask *task)
{
  HistoryList *data = g_task_get_task_data (task);
  g_autofree char *path = NULL;

  if (data->before > 0)
    path = g_strdup_printf ("ideas/%" G_GINT64_FORMAT "/history?before=%" G_GINT64_FORMAT "&limit=%d",
                            data->sid, data->before, PAGE_LIMIT);
  else
    path = g_strdup_printf ("ideas/%" G_GINT64_FORMAT "/history?limit=%d", data->sid, PAGE_LIMIT);
  _si_sync_engine_call_async (data->engine, SOUP_METHOD_GET, path, -1, g_task_get_cancellable (task),
                              history_page_done, task);
}

void
si_history_list_async (SiStore             *store,
                       SiSyncEngine        *engine,
                       gint64               idea_id,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  HistoryList *data;

  g_return_if_fail (SI_IS_STORE (store));
  g_return_if_fail (engine == NULL || SI_IS_SYNC_ENGINE (engine));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, si_history_list_async);
  data = g_new0 (HistoryList, 1);
  data->engine = engine ? g_object_ref (engine) : NULL;
  data->versions = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) history_list_free);

  data->entries = _si_store_history_read (store, idea_id, NULL, &data->sid, &error);
  if (data->entries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < data->entries->len; i++)
    {
      SiHistoryEntry *entry = g_ptr_array_index (data->entries, i);
      if (entry->version > 0)
        g_hash_table_add (data->versions, g_memdup2 (&entry->version, sizeof entry->version));
    }
  if (engine == NULL)
    {
      data->server_error = g_error_new_literal (SI_SYNC_ERROR, SI_SYNC_ERROR_NOT_CONFIGURED,
                                                _("No server is set up: only the versions kept on this device are listed."));
      history_list_return (task);
      return;
    }
  if (data->sid <= 0)
    {
      /* Never on the server: it has no versions of it. */
      history_list_return (task);
      return;
    }
  history_page_next (g_steal_pointer (&task));
}

/* @server_error: the task's own, copied to @out_server_error */
static GPtrArray *
list_finish (SiStore       *store,
             GAsyncResult  *result,
             const GError  *server_error,
             GError       **out_server_error,
             GError       **error)
{
  if (out_server_error)
    *out_server_error = server_error ? g_error_copy (server_error) : NULL;
  return g_task_propagate_pointer (G_TASK (result), error);
}

GPtrArray *
si_history_list_finish (SiStore       *store,
                        GAsyncResult  *result,
                        GError       **out_server_error,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == si_history_list_async, NULL);
  return list_finish (store, result, ((HistoryList *) g_task_get_task_data (G_TASK (result)))->server_error,
                      out_server_error, error);
}

/* The local ids of @names' tags, made again where they are gone; sorted. */
static GArray *
ensure_tags (SiStore             *store,
             const char * const  *names,
             GError             **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; names && names[i]; i++)
    {
      g_autoptr(SiTag) tag = si_store_ensure_tag (store, names[i], error);
      gint64 id;

      if (tag == NULL)
        return NULL;
      id = si_tag_get_id (tag);
      g_array_append_val (ids, id);
    }
  return g_steal_pointer (&ids);
}

gboolean
si_history_restore (SiStore         *store,
                    gint64           idea_id,
                    SiHistoryEntry  *entry,
                    GError         **error)
{
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(GArray) tags = NULL;

  g_return_val_if_fail (SI_IS_STORE (store), FALSE);
  g_return_val_if_fail (SI_IS_HISTORY_ENTRY (entry), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_si_store_begin (store, error))
    return FALSE;
  /* The text it replaces (a server version, or this device's) stays in the history. */
  if (!(idea = si_store_get_idea (store, idea_id, error)) ||
      !_si_store_history_note (store, idea_id, TRUE, error) ||
      !(tags = ensure_tags (store, (const char * const *) entry->tags, error)))
    goto fail;
  si_idea_set_title (idea, entry->title);
  si_idea_set_body (idea, entry->body);
  si_idea_set_pinned (idea, entry->pinned);
  si_idea_set_tag_ids (idea, (const gint64 *) (gpointer) tags->data, tags->len);
  if (!si_store_save_idea (store, idea, SI_SAVE_LOCAL, error))
    goto fail;
  return _si_store_commit (store, error);

fail:
  _si_store_rollback (store);
  return FALSE;
}

/* The Trash ------------------------------------------------------------------------------------- */

typedef struct {
  GError       *server_error;
  SiSyncEngine *engine;
  GPtrArray    *server;        /* SiWireTrashEntry */
  gint64        before;
  guint         pages;
  gsize         bytes;         /* of the server's texts listed */
} TrashList;

static void
trash_list_free (TrashList *data)
{
  g_clear_error (&data->server_error);
  g_clear_object (&data->engine);
  g_clear_pointer (&data->server, g_ptr_array_unref);
  g_free (data);
}

static GPtrArray *
read_trash (SiStore  *store,
            gint64    id,
            GError  **error)
{
  if (!_si_store_begin (store, error))
    return NULL;
  if (!_si_store_trash_prune (store, g_get_real_time (), error))
    {
      _si_store_rollback (store);
      return NULL;
    }
  if (!_si_store_commit (store, error))
    return NULL;
  return _si_store_trash_read (store, id, error);
}

GPtrArray *
si_trash_list_local (SiStore  *store,
                     GError  **error)
{
  g_return_val_if_fail (SI_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return read_trash (store, 0, error);
}

SiTrashEntry *
si_trash_lookup (SiStore  *store,
                 gint64    id,
                 GError  **error)
{
  g_autoptr(GPtrArray) entries = NULL;

  g_return_val_if_fail (SI_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (id <= 0 || !(entries = read_trash (store, id, error)) || entries->len == 0)
    {
      if (error && *error == NULL)
        g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND,
                     /* Translators: %lld is the number of an entry in the Trash. */
                     _("There is no idea %lld in the Trash."), (long long) id);
      return NULL;
    }
  return g_object_ref (g_ptr_array_index (entries, 0));
}

static void
trash_list_return (GTask    *task,
                   gboolean  complete)
{
  SiStore *store = g_task_get_source_object (task);
  TrashList *data = g_task_get_task_data (task);
  GError *error = NULL;
  GPtrArray *entries;

  if (data->server != NULL && !_si_store_trash_merge_server (store, data->server, complete, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!(entries = read_trash (store, 0, &error)))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
}

static void trash_page_next (GTask *task);

static void
trash_page_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TrashList *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(SiWireTrashPage) page = NULL;
  g_autofree gpointer *stolen = NULL;
  gboolean has_history = FALSE;
  guint status = 0;
  gsize n;

  json = _si_sync_engine_call_finish (data->engine, result, &status, &has_history, &error);
  if (json == NULL && error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      data->server_error = g_steal_pointer (&error);
      g_clear_pointer (&data->server, g_ptr_array_unref);
      trash_list_return (task, FALSE);
      return;
    }
  if (status != SOUP_STATUS_OK || !(page = si_wire_trash_page_from_json (json, &error)))
    {
      data->server_error = status != SOUP_STATUS_OK ? refused (status, json, has_history) : invalid_answer (error);
      g_clear_pointer (&data->server, g_ptr_array_unref);
      trash_list_return (task, FALSE);
      return;
    }
  if (data->before > 0 && page->more && page->cursor >= data->before)
    {
      data->server_error = g_error_new_literal (SI_HISTORY_ERROR, SI_HISTORY_ERROR_INVALID,
                                                _("The server’s answer is not valid: its pages do not move on."));
      g_clear_pointer (&data->server, g_ptr_array_unref);
      trash_list_return (task, FALSE);
      return;
    }
  n = page->entries->len;
  stolen = g_ptr_array_steal (page->entries, NULL);
  for (gsize i = 0; i < n; i++)
    {
      SiWireTrashEntry *entry = stolen[i];

      data->bytes += record_bytes (entry->record);
      g_ptr_array_add (data->server, entry);
    }
  data->pages++;
  /* Not all of it (more pages, or past a bound): nothing is dropped from the Trash here. */
  if (page->more && page->cursor > 0 && data->pages < MAX_TRASH_PAGES && data->bytes < SI_HISTORY_LIST_MAX_BYTES)
    {
      data->before = page->cursor;
      trash_page_next (g_steal_pointer (&task));
      return;
    }
  trash_list_return (task, !page->more);
}

static void
trash_page_next (GTask *task)
{
  TrashList *data = g_task_get_task_data (task);
  g_autofree char *path = NULL;

  if (data->before > 0)
    path = g_strdup_printf ("trash?before=%" G_GINT64_FORMAT "&limit=%d", data->before, PAGE_LIMIT);
  else
    path = g_strdup_printf ("trash?limit=%d", PAGE_LIMIT);
  _si_sync_engine_call_async (data->engine, SOUP_METHOD_GET, path, -1, g_task_get_cancellable (task),
                              trash_page_done, task);
}

void
si_trash_list_async (SiStore             *store,
                     SiSyncEngine        *engine,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TrashList *data;

  g_return_if_fail (SI_IS_STORE (store));
  g_return_if_fail (engine == NULL || SI_IS_SYNC_ENGINE (engine));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, si_trash_list_async);
  data = g_new0 (TrashList, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) trash_list_free);
  if (engine == NULL)
    {
      data->server_error = g_error_new_literal (SI_SYNC_ERROR, SI_SYNC_ERROR_NOT_CONFIGURED,
                                                _("No server is set up: only the ideas deleted on this device are listed."));
      trash_list_return (task, FALSE);
      return;
    }
  data->engine = g_object_ref (engine);
  data->server = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_trash_entry_free);
  trash_page_next (g_steal_pointer (&task));
}

GPtrArray *
si_trash_list_finish (SiStore       *store,
                      GAsyncResult  *result,
                      GError       **out_server_error,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == si_trash_list_async, NULL);
  return list_finish (store, result, ((TrashList *) g_task_get_task_data (G_TASK (result)))->server_error,
                      out_server_error, error);
}

/* Undelete and purge ---------------------------------------------------------------------------- */

typedef struct {
  SiSyncEngine *engine;
  SiTrashEntry *entry;
  gboolean      retried;
} TrashOp;

static void
trash_op_free (TrashOp *op)
{
  g_clear_object (&op->engine);
  g_clear_object (&op->entry);
  g_free (op);
}

static GError *
offline_error (void)
{
  return g_error_new_literal (SI_HISTORY_ERROR, SI_HISTORY_ERROR_OFFLINE,
                              _("Connect to the server to restore this idea."));
}

/* A deletion the server does not have (yet): undone here. */
static gint64
undelete_here (SiStore       *store,
               SiTrashEntry  *entry,
               GError       **error)
{
  g_autoptr(SiIdea) idea = si_idea_new (entry->title, entry->body);
  g_autoptr(GArray) tags = NULL;
  SiRecordMeta meta = { 0, entry->uid, entry->sid, 0, 0, SI_SYNC_STATE_CREATED,
                        entry->created_at, entry->updated_at };

  if (!_si_store_begin (store, error))
    return 0;
  if (!(tags = ensure_tags (store, (const char * const *) entry->tags, error)))
    goto fail;
  _si_idea_set_meta (idea, &meta);
  _si_idea_set_device (idea, entry->device);
  si_idea_set_pinned (idea, entry->pinned);
  si_idea_set_tag_ids (idea, (const gint64 *) (gpointer) tags->data, tags->len);
  if (!si_store_restore_idea (store, idea, error) ||
      !_si_store_trash_forget (store, entry->uid, FALSE, error))
    goto fail;
  if (!_si_store_commit (store, error))
    return 0;
  return si_idea_get_id (idea);

fail:
  _si_store_rollback (store);
  return 0;
}

/* The server's live record of the idea, after an undelete: applied as a pulled change. */
static gint64
apply_live (SiStore             *store,
            SiSyncEngine        *engine,
            SiTrashEntry        *entry,
            const SiWireRecord  *record,
            GError             **error)
{
  SiCollection *ideas = NULL;

  for (guint i = 0; i < engine->collections->len && ideas == NULL; i++)
    if (si_collection_get_wire (g_ptr_array_index (engine->collections, i)) == SI_WIRE_COLLECTION_IDEAS)
      ideas = g_ptr_array_index (engine->collections, i);
  g_assert (ideas != NULL);

  if (!_si_store_sync_apply (store, engine->collections, ideas, record, NULL, error))
    return 0;
  if (!_si_store_begin (store, error))
    return 0;
  if (!_si_store_trash_forget (store, entry->uid, FALSE, error))
    {
      _si_store_rollback (store);
      return 0;
    }
  if (!_si_store_commit (store, error))
    return 0;
  return _si_store_sync_local_id (store, SI_COLLECTION_IDEAS, record->id);
}

static void undelete_send (GTask *task, gint64 if_match);

static void
undelete_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SiStore *store = g_task_get_source_object (task);
  TrashOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(SiWireRecord) record = NULL;
  g_autoptr(SiWireProblem) problem = NULL;
  gboolean has_history = FALSE;
  guint status = 0;
  gint64 id;

  json = _si_sync_engine_call_finish (op->engine, result, &status, &has_history, &error);
  if (json == NULL && error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  switch (status)
    {
    case SOUP_STATUS_OK:
      if (json == NULL || !(record = si_wire_record_from_json (json, SI_WIRE_COLLECTION_IDEAS, SI_WIRE_MODE_RESPONSE, &error)) ||
          record->deleted || record->id != op->entry->sid)
        {
          g_task_return_error (task, invalid_answer (error));
          return;
        }
      break;

    case SOUP_STATUS_PRECONDITION_FAILED:
      /* The tombstone is another version than this notebook knew: once more with it. A live
       * idea (undone elsewhere meanwhile) is what was asked for. */
      if (json == NULL || !(problem = si_wire_problem_from_json (json, SI_WIRE_COLLECTION_IDEAS, &error)) ||
          problem->current == NULL || problem->current->id != op->entry->sid)
        {
          g_task_return_error (task, invalid_answer (error));
          return;
        }
      if (problem->current->deleted)
        {
          if (op->retried)
            {
              g_task_return_error (task, refused (status, json, has_history));
              return;
            }
          op->retried = TRUE;
          undelete_send (g_steal_pointer (&task), problem->current->version);
          return;
        }
      record = si_wire_record_copy (problem->current);
      break;

    case SOUP_STATUS_CONFLICT:
      /* Undone already (on another device): the live idea it sends along is what was asked
       * for. */
      if (json != NULL && (problem = si_wire_problem_from_json (json, SI_WIRE_COLLECTION_IDEAS, NULL)) != NULL &&
          problem->current != NULL && !problem->current->deleted && problem->current->id == op->entry->sid)
        {
          record = si_wire_record_copy (problem->current);
          break;
        }
      g_task_return_new_error (task, SI_HISTORY_ERROR, SI_HISTORY_ERROR_NOT_DELETED, "%s",
                               _("This idea is not deleted on the server. Sync to get it back."));
      return;

    case SOUP_STATUS_GONE:
    case SOUP_STATUS_NOT_FOUND:
      if (status == SOUP_STATUS_NOT_FOUND && !has_history)
        {
          g_task_return_error (task, refused (status, json, has_history));
          return;
        }
      g_task_return_new_error (task, SI_HISTORY_ERROR, SI_HISTORY_ERROR_GONE, "%s",
                               _("The server no longer keeps this idea."));
      return;

    default:
      g_task_return_error (task, refused (status, json, has_history));
      return;
    }

  if ((id = apply_live (store, op->engine, op->entry, record, &error)) == 0)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, id);
}

static void
undelete_send (GTask  *task,
               gint64  if_match)
{
  TrashOp *op = g_task_get_task_data (task);
  g_autofree char *path = g_strdup_printf ("ideas/%" G_GINT64_FORMAT "/undelete", op->entry->sid);

  _si_sync_engine_call_async (op->engine, SOUP_METHOD_POST, path, if_match, g_task_get_cancellable (task),
                              undelete_done, task);
}

/* The entry as the Trash has it now, in a new task of @tag. NULL when the task returned. */
static GTask *
trash_op_start (SiStore             *store,
                SiSyncEngine        *engine,
                SiTrashEntry        *entry,
                gpointer             tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (store, cancellable, callback, user_data);
  GError *error = NULL;
  TrashOp *op = g_new0 (TrashOp, 1);

  g_task_set_source_tag (task, tag);
  g_task_set_task_data (task, op, (GDestroyNotify) trash_op_free);
  op->engine = engine ? g_object_ref (engine) : NULL;
  if (!(op->entry = si_trash_lookup (store, entry->id, &error)))
    {
      g_task_return_error (task, error);
      return NULL;
    }
  return g_steal_pointer (&task);
}

void
si_trash_undelete_async (SiStore             *store,
                         SiSyncEngine        *engine,
                         SiTrashEntry        *entry,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TrashOp *op;

  g_return_if_fail (SI_IS_STORE (store));
  g_return_if_fail (engine == NULL || SI_IS_SYNC_ENGINE (engine));
  g_return_if_fail (SI_IS_TRASH_ENTRY (entry));

  if (!(task = trash_op_start (store, engine, entry, si_trash_undelete_async, cancellable, callback, user_data)))
    return;
  op = g_task_get_task_data (task);
  if (!op->entry->on_server)
    {
      GError *error = NULL;
      gint64 id = undelete_here (store, op->entry, &error);

      if (id == 0)
        g_task_return_error (task, error);
      else
        g_task_return_int (task, id);
      return;
    }
  if (engine == NULL)
    {
      g_task_return_error (task, offline_error ());
      return;
    }
  undelete_send (g_steal_pointer (&task), op->entry->version > 0 ? op->entry->version : -1);
}

gint64
si_trash_undelete_finish (SiStore       *store,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 id;

  g_return_val_if_fail (g_task_is_valid (result, store), 0);

  id = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error == NULL)
    return id;
  /* Offline: what the person can do about it. */
  if (g_error_matches (local_error, SI_SYNC_ERROR, SI_SYNC_ERROR_NETWORK))
    g_set_error (error, SI_HISTORY_ERROR, SI_HISTORY_ERROR_OFFLINE, "%s %s",
                 _("Connect to the server to restore this idea."), local_error->message);
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
  return 0;
}

static gboolean
forget_here (SiStore       *store,
             SiTrashEntry  *entry,
             GError       **error)
{
  if (!_si_store_begin (store, error))
    return FALSE;
  if (!_si_store_trash_forget (store, entry->uid, TRUE, error))
    {
      _si_store_rollback (store);
      return FALSE;
    }
  return _si_store_commit (store, error);
}

static void
purge_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SiStore *store = g_task_get_source_object (task);
  TrashOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  gboolean has_history = FALSE;
  guint status = 0;

  json = _si_sync_engine_call_finish (op->engine, result, &status, &has_history, &error);
  if (json == NULL && error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (status == SOUP_STATUS_CONFLICT)
    {
      g_task_return_new_error (task, SI_HISTORY_ERROR, SI_HISTORY_ERROR_NOT_DELETED, "%s",
                               _("This idea is not deleted on the server. Sync to get it back."));
      return;
    }
  /* Gone already (deleted forever elsewhere) is what was asked for. */
  if (!SOUP_STATUS_IS_SUCCESSFUL (status) && status != SOUP_STATUS_GONE &&
      !(status == SOUP_STATUS_NOT_FOUND && has_history))
    {
      g_task_return_error (task, refused (status, json, has_history));
      return;
    }
  if (!forget_here (store, op->entry, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
si_trash_purge_async (SiStore             *store,
                      SiSyncEngine        *engine,
                      SiTrashEntry        *entry,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;
  TrashOp *op;

  g_return_if_fail (SI_IS_STORE (store));
  g_return_if_fail (engine == NULL || SI_IS_SYNC_ENGINE (engine));
  g_return_if_fail (SI_IS_TRASH_ENTRY (entry));

  if (!(task = trash_op_start (store, engine, entry, si_trash_purge_async, cancellable, callback, user_data)))
    return;
  op = g_task_get_task_data (task);
  if (op->entry->sid <= 0)
    {
      /* The server never had it. */
      GError *error = NULL;

      if (!forget_here (store, op->entry, &error))
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      return;
    }
  if (!op->entry->on_server)
    {
      g_task_return_new_error (task, SI_HISTORY_ERROR, SI_HISTORY_ERROR_NOT_SENT, "%s",
                               _("The deletion has not reached the server yet. Sync, then delete the idea forever."));
      return;
    }
  if (engine == NULL)
    {
      g_task_return_new_error (task, SI_HISTORY_ERROR, SI_HISTORY_ERROR_OFFLINE, "%s",
                               _("Connect to the server to delete this idea forever."));
      return;
    }
  path = g_strdup_printf ("ideas/%" G_GINT64_FORMAT "/purge", op->entry->sid);
  _si_sync_engine_call_async (engine, SOUP_METHOD_POST, path, -1, cancellable, purge_done, g_steal_pointer (&task));
}

gboolean
si_trash_purge_finish (SiStore       *store,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The engine ------------------------------------------------------------------------------------ */

static void
engine_token_found (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SiAccount *account = SI_ACCOUNT (source);
  GError *error = NULL;
  g_autofree char *token = si_account_lookup_token_finish (account, result, &error);

  if (token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, si_sync_engine_new (si_account_get_store (account),
                                                   si_account_get_server_url (account), token),
                         g_object_unref);
}

void
si_history_engine_new_async (SiAccount           *account,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SI_IS_ACCOUNT (account));

  task = g_task_new (account, cancellable, callback, user_data);
  g_task_set_source_tag (task, si_history_engine_new_async);
  if (!si_account_get_configured (account))
    {
      g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_NOT_CONFIGURED, "%s",
                               _("No server is set up for this notebook."));
      return;
    }
  si_account_lookup_token_async (account, cancellable, engine_token_found, g_steal_pointer (&task));
}

SiSyncEngine *
si_history_engine_new_finish (SiAccount     *account,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, account), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
