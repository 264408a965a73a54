/* si-wire-history.h — the JSON codec of the history and trash pages of the sync protocol:
 * `GET /api/v1/ideas/<id>/history` and `GET /api/v1/trash` (docs/protocol.md, "History and
 * trash"). A server that has them says %SI_WIRE_FEATURE_HISTORY in %SI_WIRE_FEATURES_HEADER.
 *
 * The `_to_json` functions are the server's, the `_from_json` ones the client's: strict about
 * what the client relies on (types, ranges, UTF-8, the order of the entries, a cursor that
 * moves), tolerant of members it does not know, as for every answer of a server.
 */
#pragma once

#include "si-wire.h"

G_BEGIN_DECLS

/** The default and the largest `limit` of a history or trash page. */
#define SI_WIRE_HISTORY_DEFAULT_LIMIT 50
#define SI_WIRE_HISTORY_MAX_LIMIT 100

/**
 * SiWireHistoryPage:
 * @versions: (element-type SiWireRecord): versions of one idea, newest first (strictly
 *   decreasing @version). Each is an idea record with @version, @updated_at, @device (%NULL
 *   when unknown), @title, @body, @pinned and @tags set; @id, @uid and @created_at are not on
 *   the wire (0 / %NULL; the caller knows which idea it asked for) and @deleted is FALSE.
 *   @tags are the tag ids as stored at that version: ids of tags deleted since may appear.
 * @more: whether older versions follow
 * @cursor: when @more, the `before` to ask next (the last listed version); 0 when not sent
 *
 * A page of `GET /api/v1/ideas/<id>/history?before=V&limit=M`:
 * `{"versions": [...], "more": true, "cursor": 9}`.
 */
typedef struct {
  GPtrArray *versions;
  gboolean   more;
  gint64     cursor;
} SiWireHistoryPage;

SiWireHistoryPage *si_wire_history_page_new       (void);
void               si_wire_history_page_free      (SiWireHistoryPage       *page);
/* Fails with %SI_WIRE_ERROR_INVALID_FIELD (naming the field) for a wrong type or range, a
 * title or body longer than an idea may hold, versions not strictly newest first, @more
 * without versions or without a `cursor`, or a cursor above the last listed version. */
SiWireHistoryPage *si_wire_history_page_from_json (JsonNode                *node,
                                                   GError                 **error);
JsonNode          *si_wire_history_page_to_json   (const SiWireHistoryPage *page);

/**
 * SiWireTrashEntry:
 * @record: the deleted idea: @id, @uid, @created_at as ever; @version is the TOMBSTONE's
 *   version (the `If-Match` of an undelete, the `before` of the next page); @deleted is TRUE;
 *   @updated_at, @device, @title, @body, @pinned and @tags are those of the last live version
 * @deleted_at: when the server took the deletion, ms since the epoch (UTC)
 *
 * One idea in the trash.
 */
typedef struct {
  SiWireRecord *record;
  gint64        deleted_at;
} SiWireTrashEntry;

/* Takes ownership of @record. */
SiWireTrashEntry *si_wire_trash_entry_new  (SiWireRecord     *record,
                                            gint64            deleted_at);
void              si_wire_trash_entry_free (SiWireTrashEntry *entry);

/**
 * SiWireTrashPage:
 * @entries: (element-type SiWireTrashEntry): newest deletion first (strictly decreasing
 *   tombstone version)
 * @more: whether more follow
 * @cursor: when @more, the `before` to ask next (the last listed tombstone version); a page
 *   without a `cursor` member gets that value when parsed
 *
 * A page of `GET /api/v1/trash?before=V&limit=M`:
 * `{"records": [{"id": 42, "uid": "…", "version": 1240, "deleted_at": "…", …}], "more": false}`.
 */
typedef struct {
  GPtrArray *entries;
  gboolean   more;
  gint64     cursor;
} SiWireTrashPage;

SiWireTrashPage *si_wire_trash_page_new       (void);
void             si_wire_trash_page_free      (SiWireTrashPage       *page);
/* The same checks as si_wire_history_page_from_json(), and those of a record's id and uid. */
SiWireTrashPage *si_wire_trash_page_from_json (JsonNode              *node,
                                               GError               **error);
JsonNode        *si_wire_trash_page_to_json   (const SiWireTrashPage *page);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SiWireHistoryPage, si_wire_history_page_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SiWireTrashEntry, si_wire_trash_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SiWireTrashPage, si_wire_trash_page_free)

G_END_DECLS
