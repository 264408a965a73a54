/* si-server-copy.h — `saveidea-server --data DIR copy-to URI`: a SQLite server's database
 * copied into an empty PostgreSQL database, so that the server can move without its clients
 * noticing (docs/deploy.md, "Moving from SQLite to PostgreSQL").
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char    instance_id[40];  /* the UUID the copy answers with, as the source did */
  guint64 accounts;
  guint64 tokens;
  guint64 ideas;       /* records of each collection, tombstones included */
  guint64 tags;
  guint64 tombstones;  /* of both collections */
  guint64 tag_links;   /* idea ↔ tag */
} SiServerCopyCounts;

/* Copies everything in DIR/server.db — the instance id, the accounts with their password
 * hashes and change sequences, the token hashes, every record and tombstone with its id, and
 * the links of ideas to tags — into the PostgreSQL database @conninfo, in one transaction.
 *
 * The source is held alone for the whole copy: a server running on it (or starting) makes the
 * copy fail with SI_SERVER_STORAGE_ERROR_IN_USE, as does a server connected to the target.
 * A target with data is SI_SERVER_STORAGE_ERROR_NOT_EMPTY. On any error the target is left
 * as it was. @out_counts (may be NULL) says what was copied. */
gboolean si_server_copy_to_pg (const char          *data_dir,
                               const char          *conninfo,
                               SiServerCopyCounts  *out_counts,
                               GError             **error);

G_END_DECLS
