/* si-server-storage-private.h — helpers shared by the storage backends of saveidea-server. */
#pragma once

#include "si-server-storage.h"

G_BEGIN_DECLS

/* Wall-clock ms since the epoch (tombstones' and accounts' times). */
gint64  _si_server_storage_now_ms         (void);
/* Ideas' tag ids as stored: "12,5,40" in the client's order; "" for none. */
char   *_si_server_storage_tags_to_text   (GArray     *tags);
GArray *_si_server_storage_tags_from_text (const char *text);
/* @tags without @tag_id (a tag that was deleted). */
GArray *_si_server_storage_tags_without   (GArray     *tags,
                                           gint64      tag_id);

/* The checks of an update or delete of the stored @current against If-Match (@if_match, -1
 * for none): PRECONDITION_REQUIRED, or PRECONDITION_FAILED moving *@current to *@out_current
 * (if not NULL). @verb: "An update" / "A delete". */
gboolean _si_server_storage_check_precondition (SiWireRecord       **current,
                                                gint64               if_match,
                                                const char          *verb,
                                                SiWireRecord       **out_current,
                                                GError             **error);
/* An update of @current (record @id) to @record: DELETED, or INVALID for another uid. */
gboolean _si_server_storage_check_update      (const SiWireRecord  *current,
                                                const SiWireRecord  *record,
                                                gint64               id,
                                                GError             **error);

/* What the collection rules need from a backend, inside its write. */
typedef struct {
  /* The account's tag @id: *out_found, and whether it is a tombstone. */
  gboolean      (*tag_state)   (gpointer     backend,
                                gint64       account_id,
                                gint64       id,
                                gboolean    *out_found,
                                gboolean    *out_deleted,
                                GError     **error);
  /* The account's live tag with that name key (other than @except_id), or NULL. */
  SiWireRecord *(*tag_by_name) (gpointer     backend,
                                gint64       account_id,
                                const char  *name_key,
                                gint64       except_id,
                                GError     **error);
} SiServerStorageLookups;

/* The collection rules of a new state of @record (record @own_id, 0 for a create): an idea's
 * tags (ids of live tags kept in order in *@out_tags, deleted ones dropped, UNKNOWN_TAG for
 * others); a tag's name (*@out_name_key; NAME_TAKEN with the other tag in *@out_current). */
gboolean _si_server_storage_check_fields      (const SiServerStorageLookups *lookups,
                                                gpointer             backend,
                                                gint64               account_id,
                                                gint64               own_id,
                                                const SiWireRecord  *record,
                                                GArray             **out_tags,
                                                char               **out_name_key,
                                                SiWireRecord       **out_current,
                                                GError             **error);

G_END_DECLS
