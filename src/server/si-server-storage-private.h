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

G_END_DECLS
