/* si-store-schema.c — the offline store's schema and its forward migrations.
 *
 * migrations[i] takes a database from user_version i to i + 1, inside one transaction with the
 * version bump, so a crash mid-migration leaves the old schema intact. Never edit a migration
 * that has shipped: add one.
 */
#define G_LOG_DOMAIN "saveidea-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "si-store-private.h"

static const char * const migrations[SI_STORE_SCHEMA_VERSION] = {
  /* 0 -> 1: ideas, tags and the relation between them. */
  "CREATE TABLE tags ("
  "  id INTEGER PRIMARY KEY,"
  "  uid TEXT NOT NULL UNIQUE,"
  "  sid INTEGER UNIQUE,"
  "  version INTEGER NOT NULL DEFAULT 0,"
  "  generation INTEGER NOT NULL DEFAULT 0,"
  "  state INTEGER NOT NULL DEFAULT " SI_SQL_CREATED ","
  "  name TEXT NOT NULL,"
  "  name_key TEXT NOT NULL,"
  "  colour TEXT NOT NULL DEFAULT '',"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE UNIQUE INDEX tags_name_key ON tags (name_key) WHERE state != " SI_SQL_DELETED ";"
  "CREATE TABLE ideas ("
  "  id INTEGER PRIMARY KEY,"
  "  uid TEXT NOT NULL UNIQUE,"
  "  sid INTEGER UNIQUE,"
  "  version INTEGER NOT NULL DEFAULT 0,"
  "  generation INTEGER NOT NULL DEFAULT 0,"
  "  state INTEGER NOT NULL DEFAULT " SI_SQL_CREATED ","
  "  title TEXT NOT NULL DEFAULT '',"
  "  body TEXT NOT NULL DEFAULT '',"
  "  pinned INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX ideas_order ON ideas (pinned DESC, updated_at DESC, id DESC) WHERE state != " SI_SQL_DELETED ";"
  "CREATE INDEX ideas_dirty ON ideas (state) WHERE state != " SI_SQL_SYNCED ";"
  "CREATE INDEX tags_dirty ON tags (state) WHERE state != " SI_SQL_SYNCED ";"
  "CREATE TABLE idea_tags ("
  "  idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,"
  "  tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,"
  "  PRIMARY KEY (idea_id, tag_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX idea_tags_tag ON idea_tags (tag_id, idea_id);",

  /* 1 -> 2: full-text search, the change log other processes watch, and sync bookkeeping. */
  "ALTER TABLE ideas ADD COLUMN conflict_of INTEGER REFERENCES ideas (id) ON DELETE SET NULL;"
  "ALTER TABLE ideas ADD COLUMN sync_error TEXT;"
  "ALTER TABLE ideas ADD COLUMN base TEXT;"
  "ALTER TABLE tags ADD COLUMN sync_error TEXT;"
  "ALTER TABLE tags ADD COLUMN base TEXT;"
  "CREATE INDEX ideas_conflicts ON ideas (conflict_of) WHERE conflict_of IS NOT NULL;"
  "CREATE TABLE sync_meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"

  /* The search index reads its text from the ideas table itself (external content), so the
   * text is stored once. tag_names holds the idea's tag names for it: si-store.c writes it with
   * the idea (one index update per save), a trigger follows tag renames. */
  "ALTER TABLE ideas ADD COLUMN tag_names TEXT NOT NULL DEFAULT '';"
  "UPDATE ideas SET tag_names = coalesce ((SELECT group_concat (name, ' ') FROM (SELECT t.name"
  "  FROM idea_tags it JOIN tags t ON t.id = it.tag_id WHERE it.idea_id = ideas.id AND t.state != " SI_SQL_DELETED
  "  ORDER BY t.name_key)), '');"
  "CREATE VIRTUAL TABLE ideas_fts USING fts5 ("
  "  title, body, tag_names,"
  "  content = 'ideas', content_rowid = 'id',"
  "  tokenize = 'unicode61 remove_diacritics 2',"
  "  prefix = '2 3'"
  ");"
  "INSERT INTO ideas_fts (ideas_fts) VALUES ('rebuild');"
  "CREATE TRIGGER ideas_fts_insert AFTER INSERT ON ideas BEGIN"
  "  INSERT INTO ideas_fts (rowid, title, body, tag_names) VALUES (new.id, new.title, new.body, new.tag_names);"
  "END;"
  "CREATE TRIGGER ideas_fts_update AFTER UPDATE OF title, body, tag_names ON ideas BEGIN"
  "  INSERT INTO ideas_fts (ideas_fts, rowid, title, body, tag_names)"
  "    VALUES ('delete', old.id, old.title, old.body, old.tag_names);"
  "  INSERT INTO ideas_fts (rowid, title, body, tag_names) VALUES (new.id, new.title, new.body, new.tag_names);"
  "END;"
  "CREATE TRIGGER ideas_fts_delete AFTER DELETE ON ideas BEGIN"
  "  INSERT INTO ideas_fts (ideas_fts, rowid, title, body, tag_names)"
  "    VALUES ('delete', old.id, old.title, old.body, old.tag_names);"
  "END;"
  "CREATE TRIGGER tags_names_rename AFTER UPDATE OF name ON tags BEGIN"
  "  UPDATE ideas SET tag_names = coalesce ((SELECT group_concat (name, ' ') FROM (SELECT t.name"
  "    FROM idea_tags it JOIN tags t ON t.id = it.tag_id WHERE it.idea_id = ideas.id AND t.state != " SI_SQL_DELETED
  "    ORDER BY t.name_key)), '')"
  "  WHERE id IN (SELECT idea_id FROM idea_tags WHERE tag_id = new.id);"
  "END;"

  /* Every write leaves a line here; each SiStore reads the lines after the last it saw. */
  "CREATE TABLE change_log ("
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  collection TEXT NOT NULL,"
  "  record_id INTEGER NOT NULL"
  ");"
  "CREATE TRIGGER ideas_log_insert AFTER INSERT ON ideas BEGIN"
  "  INSERT INTO change_log (collection, record_id) VALUES ('ideas', new.id);"
  "END;"
  "CREATE TRIGGER ideas_log_update AFTER UPDATE ON ideas BEGIN"
  "  INSERT INTO change_log (collection, record_id) VALUES ('ideas', new.id);"
  "END;"
  "CREATE TRIGGER ideas_log_delete AFTER DELETE ON ideas BEGIN"
  "  INSERT INTO change_log (collection, record_id) VALUES ('ideas', old.id);"
  "END;"
  "CREATE TRIGGER tags_log_insert AFTER INSERT ON tags BEGIN"
  "  INSERT INTO change_log (collection, record_id) VALUES ('tags', new.id);"
  "END;"
  "CREATE TRIGGER tags_log_update AFTER UPDATE ON tags BEGIN"
  "  INSERT INTO change_log (collection, record_id) VALUES ('tags', new.id);"
  "END;"
  "CREATE TRIGGER tags_log_delete AFTER DELETE ON tags BEGIN"
  "  INSERT INTO change_log (collection, record_id) VALUES ('tags', old.id);"
  "END;"
  "CREATE TRIGGER idea_tags_log_insert AFTER INSERT ON idea_tags BEGIN"
  "  INSERT INTO change_log (collection, record_id) VALUES ('ideas', new.idea_id);"
  "END;"
  "CREATE TRIGGER idea_tags_log_delete AFTER DELETE ON idea_tags BEGIN"
  "  INSERT INTO change_log (collection, record_id) VALUES ('ideas', old.idea_id);"
  "END;",

  /* 2 -> 3: what keeps a notebook of 100,000 ideas quick (docs/performance.md).
   *
   * A search reads the list keys of its best matches from this narrow index (about 2 MB for
   * 100,000 ideas) instead of the wide rows, which hold the text. */
  "CREATE INDEX ideas_keys ON ideas (id, pinned, updated_at) WHERE state != " SI_SQL_DELETED ";"

  /* The text is indexed again only when it changed: pinning an idea (any save whose text
   * did not change) must not tokenize its whole text twice. */
  "DROP TRIGGER ideas_fts_update;"
  "CREATE TRIGGER ideas_fts_update AFTER UPDATE OF title, body, tag_names ON ideas"
  "  WHEN old.title IS NOT new.title OR old.body IS NOT new.body OR old.tag_names IS NOT new.tag_names BEGIN"
  "  INSERT INTO ideas_fts (ideas_fts, rowid, title, body, tag_names)"
  "    VALUES ('delete', old.id, old.title, old.body, old.tag_names);"
  "  INSERT INTO ideas_fts (rowid, title, body, tag_names) VALUES (new.id, new.title, new.body, new.tag_names);"
  "END;"

  /* How many ideas there are (tombstones left out), kept by triggers: the list of every idea
   * reads it instead of counting 100,000 index entries. */
  "CREATE TABLE idea_count (n INTEGER NOT NULL);"
  "INSERT INTO idea_count (n) SELECT count (*) FROM ideas WHERE state != " SI_SQL_DELETED ";"
  "CREATE TRIGGER idea_count_insert AFTER INSERT ON ideas WHEN new.state != " SI_SQL_DELETED " BEGIN"
  "  UPDATE idea_count SET n = n + 1;"
  "END;"
  "CREATE TRIGGER idea_count_delete AFTER DELETE ON ideas WHEN old.state != " SI_SQL_DELETED " BEGIN"
  "  UPDATE idea_count SET n = n - 1;"
  "END;"
  "CREATE TRIGGER idea_count_state AFTER UPDATE OF state ON ideas"
  "  WHEN (old.state = " SI_SQL_DELETED ") != (new.state = " SI_SQL_DELETED ") BEGIN"
  "  UPDATE idea_count SET n = n + CASE WHEN new.state = " SI_SQL_DELETED " THEN -1 ELSE 1 END;"
  "END;",

  /* 3 -> 4: which device wrote each idea's version (si_idea_get_device(); si-device.c); NULL
   * when not known, as for every idea written before. */
  "ALTER TABLE ideas ADD COLUMN device TEXT;",
  /* 4 -> 5: Chinese, Japanese and Korean words inside text. Those scripts put no spaces
   * between words, so ideas_fts holds "東京の旅行メモ" as one word and finds it only by its
   * start. ideas_cjk holds, for the ideas that have such text, the character bigrams of every
   * run of it (si_text_cjk_grams() in si-text.c): a word of two or more characters is a phrase
   * of its bigrams, one character a prefix (si-store-search.c). Contentless (the grams are
   * made again to delete them: si_cjk_grams () is part of this format and must never change)
   * and without the column sizes, which si_rank () does not read. si_cjk_grams () and
   * si_has_cjk () are registered on every connection of a SiStore
   * (_si_store_register_text_functions()); a bare sqlite3 shell can read the notebook, but not
   * write ideas with such text. */
  "CREATE VIRTUAL TABLE ideas_cjk USING fts5 ("
  "  title, body, tag_names,"
  "  content = '', columnsize = 0,"
  "  tokenize = 'ascii'"
  ");"
  "INSERT INTO ideas_cjk (rowid, title, body, tag_names)"
  "  SELECT id, si_cjk_grams (title), si_cjk_grams (body), si_cjk_grams (tag_names) FROM ideas"
  "  WHERE si_has_cjk (title, body, tag_names);"
  "CREATE TRIGGER " SI_CJK_INSERT_TRIGGER " AFTER INSERT ON ideas WHEN si_has_cjk (new.title, new.body, new.tag_names) BEGIN"
  "  INSERT INTO ideas_cjk (rowid, title, body, tag_names)"
  "    VALUES (new.id, si_cjk_grams (new.title), si_cjk_grams (new.body), si_cjk_grams (new.tag_names));"
  "END;"
  "CREATE TRIGGER ideas_cjk_update AFTER UPDATE OF title, body, tag_names ON ideas"
  "  WHEN old.title IS NOT new.title OR old.body IS NOT new.body OR old.tag_names IS NOT new.tag_names BEGIN"
  "  INSERT INTO ideas_cjk (ideas_cjk, rowid, title, body, tag_names)"
  "    SELECT 'delete', old.id, si_cjk_grams (old.title), si_cjk_grams (old.body), si_cjk_grams (old.tag_names)"
  "    WHERE si_has_cjk (old.title, old.body, old.tag_names);"
  "  INSERT INTO ideas_cjk (rowid, title, body, tag_names)"
  "    SELECT new.id, si_cjk_grams (new.title), si_cjk_grams (new.body), si_cjk_grams (new.tag_names)"
  "    WHERE si_has_cjk (new.title, new.body, new.tag_names);"
  "END;"
  "CREATE TRIGGER ideas_cjk_delete AFTER DELETE ON ideas WHEN si_has_cjk (old.title, old.body, old.tag_names) BEGIN"
  "  INSERT INTO ideas_cjk (ideas_cjk, rowid, title, body, tag_names)"
  "    VALUES ('delete', old.id, si_cjk_grams (old.title), si_cjk_grams (old.body), si_cjk_grams (old.tag_names));"
  "END;",
  /* 5 -> 6: an idea's earlier versions and the Trash, kept offline (si-store-history.c,
   * si-history.h). idea_versions: the last versions this notebook saw of each idea, by uid
   * (so they outlive a deletion and an undelete); version 0 for text that never reached the
   * server; tags as their names, one a line. trash: the last content of each deleted idea (and
   * of the server's Trash, once listed), for 30 days; sid and version (the tombstone's, 0 not
   * known yet) are the server's. Neither is synced, so neither has triggers. */
  "CREATE TABLE idea_versions ("
  "  id INTEGER PRIMARY KEY,"
  "  uid TEXT NOT NULL,"
  "  version INTEGER NOT NULL DEFAULT 0,"
  "  updated_at INTEGER NOT NULL,"
  "  device TEXT,"
  "  title TEXT NOT NULL,"
  "  body TEXT NOT NULL,"
  "  pinned INTEGER NOT NULL DEFAULT 0,"
  "  tags TEXT NOT NULL DEFAULT ''"
  ");"
  "CREATE INDEX idea_versions_uid ON idea_versions (uid, id);"
  "CREATE UNIQUE INDEX idea_versions_version ON idea_versions (uid, version) WHERE version > 0;"
  "CREATE TABLE trash ("
  "  id INTEGER PRIMARY KEY,"
  "  uid TEXT NOT NULL UNIQUE,"
  "  sid INTEGER,"
  "  version INTEGER NOT NULL DEFAULT 0,"
  "  deleted_at INTEGER NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  device TEXT,"
  "  title TEXT NOT NULL,"
  "  body TEXT NOT NULL,"
  "  pinned INTEGER NOT NULL DEFAULT 0,"
  "  tags TEXT NOT NULL DEFAULT ''"
  ");"
  "CREATE INDEX trash_deleted ON trash (deleted_at);",
  /* 6 -> 7: the ideas a big pull wrote without indexing them (si-store-search-index.c): the search
   * index is filled from here later, in short transactions, and a search reads these rows
   * directly meanwhile. An idea listed here is in neither ideas_fts nor ideas_cjk, so the
   * triggers leave the index alone for it (an update keeps it here, with its new text; a
   * deletion takes it out of here), all in one trigger so that the order of triggers cannot
   * matter. */
  "CREATE TABLE search_pending (id INTEGER PRIMARY KEY);"
  "DROP TRIGGER ideas_fts_update;"
  "CREATE TRIGGER ideas_fts_update AFTER UPDATE OF title, body, tag_names ON ideas"
  "  WHEN (old.title IS NOT new.title OR old.body IS NOT new.body OR old.tag_names IS NOT new.tag_names)"
  "  AND NOT EXISTS (SELECT 1 FROM search_pending WHERE id = old.id) BEGIN"
  "  INSERT INTO ideas_fts (ideas_fts, rowid, title, body, tag_names)"
  "    VALUES ('delete', old.id, old.title, old.body, old.tag_names);"
  "  INSERT INTO ideas_fts (rowid, title, body, tag_names) VALUES (new.id, new.title, new.body, new.tag_names);"
  "END;"
  "DROP TRIGGER ideas_cjk_update;"
  "CREATE TRIGGER ideas_cjk_update AFTER UPDATE OF title, body, tag_names ON ideas"
  "  WHEN (old.title IS NOT new.title OR old.body IS NOT new.body OR old.tag_names IS NOT new.tag_names)"
  "  AND NOT EXISTS (SELECT 1 FROM search_pending WHERE id = old.id) BEGIN"
  "  INSERT INTO ideas_cjk (ideas_cjk, rowid, title, body, tag_names)"
  "    SELECT 'delete', old.id, si_cjk_grams (old.title), si_cjk_grams (old.body), si_cjk_grams (old.tag_names)"
  "    WHERE si_has_cjk (old.title, old.body, old.tag_names);"
  "  INSERT INTO ideas_cjk (rowid, title, body, tag_names)"
  "    SELECT new.id, si_cjk_grams (new.title), si_cjk_grams (new.body), si_cjk_grams (new.tag_names)"
  "    WHERE si_has_cjk (new.title, new.body, new.tag_names);"
  "END;"
  "DROP TRIGGER ideas_fts_delete;"
  "DROP TRIGGER ideas_cjk_delete;"
  "CREATE TRIGGER ideas_search_delete AFTER DELETE ON ideas BEGIN"
  "  INSERT INTO ideas_fts (ideas_fts, rowid, title, body, tag_names)"
  "    SELECT 'delete', old.id, old.title, old.body, old.tag_names"
  "    WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE id = old.id);"
  "  INSERT INTO ideas_cjk (ideas_cjk, rowid, title, body, tag_names)"
  "    SELECT 'delete', old.id, si_cjk_grams (old.title), si_cjk_grams (old.body), si_cjk_grams (old.tag_names)"
  "    WHERE si_has_cjk (old.title, old.body, old.tag_names)"
  "    AND NOT EXISTS (SELECT 1 FROM search_pending WHERE id = old.id);"
  "  DELETE FROM search_pending WHERE id = old.id;"
  "END;",
  /* 7 -> 8: a synced record's merge base written only when a merge can need it. A push the
   * server took as sent leaves base = '' (SI_SYNC_OWN_BASE): the record is its own base, its
   * content being the server's. When such a record stops being synced (a local edit, a
   * deletion, a tag taken off its ideas), these triggers write the base from the row as it was,
   * in the server's terms (si_wire_record_from_json(), response mode): its server id, version,
   * fields, and the server ids of its tags (those the server has, as a push sends them). They
   * run before anything else of the statement's transaction changes the record's tags (the
   * idea's tags are written after its row, and a deleted tag leaves its ideas after marking
   * them). A NULL base (no base) and a written one are left alone. */
  "CREATE TRIGGER ideas_own_base AFTER UPDATE OF state ON ideas"
  "  WHEN old.state = " SI_SQL_SYNCED " AND new.state != " SI_SQL_SYNCED " AND new.base = '' BEGIN"
  "  UPDATE ideas SET base = json_object ("
  "    'id', old.sid, 'uid', old.uid, 'version', old.version,"
  "    'created_at', strftime ('%Y-%m-%dT%H:%M:%fZ', old.created_at / 1000000.0, 'unixepoch'),"
  "    'updated_at', strftime ('%Y-%m-%dT%H:%M:%fZ', old.updated_at / 1000000.0, 'unixepoch'),"
  "    'deleted', json ('false'), 'device', old.device,"
  "    'title', old.title, 'body', old.body, 'pinned', json (CASE WHEN old.pinned THEN 'true' ELSE 'false' END),"
  "    'tags', (SELECT json_group_array (sid) FROM (SELECT t.sid FROM idea_tags it JOIN tags t ON t.id = it.tag_id"
  "             WHERE it.idea_id = old.id AND t.sid IS NOT NULL AND t.state != " SI_SQL_DELETED " ORDER BY t.sid)))"
  "  WHERE id = new.id;"
  "END;"
  "CREATE TRIGGER tags_own_base AFTER UPDATE OF state ON tags"
  "  WHEN old.state = " SI_SQL_SYNCED " AND new.state != " SI_SQL_SYNCED " AND new.base = '' BEGIN"
  "  UPDATE tags SET base = json_object ("
  "    'id', old.sid, 'uid', old.uid, 'version', old.version,"
  "    'created_at', strftime ('%Y-%m-%dT%H:%M:%fZ', old.created_at / 1000000.0, 'unixepoch'),"
  "    'updated_at', strftime ('%Y-%m-%dT%H:%M:%fZ', old.updated_at / 1000000.0, 'unixepoch'),"
  "    'deleted', json ('false'), 'device', NULL,"
  "    'name', old.name, 'colour', old.colour)"
  "  WHERE id = new.id;"
  "END;",
  /* 8 -> 9: a save leaves the search indexes alone (issue 21: most of a save's pages were
   * ideas_fts's, with FTS5's merging now and then). A new or edited idea waits in
   * search_pending, as a pulled one does, and is indexed later in a short transaction of its
   * own (_si_store_search_fill(): the checkpoint thread in a quiet moment, or the fill after
   * a pull). An indexed idea whose text changes keeps, in search_stale, the text the indexes
   * still hold for it (external content: FTS5 needs the old text to delete an entry); a
   * search ignores the indexes' entry of an idea listed there and reads its current text
   * instead (si_search_pending ()). So an idea in search_pending has no entry in the indexes,
   * or one with the text of its search_stale line.
   *
   * The insert triggers that a pulled page sets aside (_si_store_sync_begin_page()) ask
   * si_bulk_page (), true only on the connection applying such a page, instead of being
   * dropped and made again (each drop changed the schema, which every connection of the
   * process then read again). Registered on every connection of a SiStore
   * (_si_store_register_text_functions()); a connection without it (a bare sqlite3 shell)
   * cannot insert ideas, as si_has_cjk () already kept it from doing before. */
  "CREATE TABLE search_stale ("
  "  id INTEGER PRIMARY KEY,"
  "  title TEXT NOT NULL,"
  "  body TEXT NOT NULL,"
  "  tag_names TEXT NOT NULL"
  ");"
  "DROP TRIGGER ideas_fts_insert;"
  "DROP TRIGGER " SI_CJK_INSERT_TRIGGER ";"
  "DROP TRIGGER ideas_fts_update;"
  "DROP TRIGGER ideas_cjk_update;"
  "DROP TRIGGER ideas_search_delete;"
  "CREATE TRIGGER ideas_search_insert AFTER INSERT ON ideas WHEN NOT si_bulk_page () BEGIN"
  "  INSERT OR IGNORE INTO search_pending (id) VALUES (new.id);"
  "END;"
  "CREATE TRIGGER ideas_search_update AFTER UPDATE OF title, body, tag_names ON ideas"
  "  WHEN (old.title IS NOT new.title OR old.body IS NOT new.body OR old.tag_names IS NOT new.tag_names)"
  "  AND NOT EXISTS (SELECT 1 FROM search_pending WHERE id = old.id) BEGIN"
  "  INSERT OR REPLACE INTO search_stale (id, title, body, tag_names) VALUES (old.id, old.title, old.body, old.tag_names);"
  "  INSERT INTO search_pending (id) VALUES (old.id);"
  "END;"
  "CREATE TRIGGER ideas_search_delete AFTER DELETE ON ideas BEGIN"
  "  INSERT INTO ideas_fts (ideas_fts, rowid, title, body, tag_names)"
  "    SELECT 'delete', old.id, old.title, old.body, old.tag_names"
  "    WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE id = old.id)"
  "    UNION ALL SELECT 'delete', s.id, s.title, s.body, s.tag_names FROM search_stale s WHERE s.id = old.id;"
  "  INSERT INTO ideas_cjk (ideas_cjk, rowid, title, body, tag_names)"
  "    SELECT 'delete', old.id, si_cjk_grams (old.title), si_cjk_grams (old.body), si_cjk_grams (old.tag_names)"
  "    WHERE si_has_cjk (old.title, old.body, old.tag_names)"
  "    AND NOT EXISTS (SELECT 1 FROM search_pending WHERE id = old.id)"
  "    UNION ALL SELECT 'delete', s.id, si_cjk_grams (s.title), si_cjk_grams (s.body), si_cjk_grams (s.tag_names)"
  "    FROM search_stale s WHERE s.id = old.id AND si_has_cjk (s.title, s.body, s.tag_names);"
  "  DELETE FROM search_stale WHERE id = old.id;"
  "  DELETE FROM search_pending WHERE id = old.id;"
  "END;"
  "DROP TRIGGER ideas_log_insert;"
  "CREATE TRIGGER ideas_log_insert AFTER INSERT ON ideas WHEN NOT si_bulk_page () BEGIN"
  "  INSERT INTO change_log (collection, record_id) VALUES ('ideas', new.id);"
  "END;"
  "DROP TRIGGER idea_count_insert;"
  "CREATE TRIGGER idea_count_insert AFTER INSERT ON ideas WHEN new.state != " SI_SQL_DELETED " AND NOT si_bulk_page () BEGIN"
  "  UPDATE idea_count SET n = n + 1;"
  "END;"
  "DROP TRIGGER idea_tags_log_insert;"
  "CREATE TRIGGER idea_tags_log_insert AFTER INSERT ON idea_tags WHEN NOT si_bulk_page () BEGIN"
  "  INSERT INTO change_log (collection, record_id) VALUES ('ideas', new.idea_id);"
  "END;",
  /* 9 -> 10: no insert triggers on ideas and idea_tags. Their
   * mere presence made SQLite open a statement journal for every INSERT (a statement with
   * triggers may write several rows and abort halfway), which copied each page the INSERT
   * touched into it first: a pulled page's inserts cost 10 % more CPU with the triggers
   * switched off by si_bulk_page () than they did when schema 8 dropped them for the page.
   * What they wrote (the idea's line in search_pending, the change log's lines, the idea
   * count) is written by the one INSERT of an idea and the one INSERT of a tag link,
   * _si_store_insert_idea() and write_idea_tags() (si-store-ideas.c), or for a pulled page at
   * its end (_si_store_sync_end_page()). The update and delete triggers stay. */
  "DROP TRIGGER ideas_search_insert;"
  "DROP TRIGGER ideas_log_insert;"
  "DROP TRIGGER idea_count_insert;"
  "DROP TRIGGER idea_tags_log_insert;",
  /* 10 -> 11: the own-base triggers of schema 8 write the base with the wire codec's writer, as
   * every other base is written, instead of a copy of the record's shape in SQL (which wrote
   * "device": null, and times rounded to the ms where a push truncates them). si_idea_base ()
   * and si_tag_base () (si-collection.c) take the row's columns as a push reads them, and the
   * idea's live tags' server ids (group_concat (); the function sorts them); registered on
   * every connection of a SiStore (_si_store_open_connection()). A bare sqlite3 shell cannot
   * edit a synced record whose base is its own; as before, the triggers run before anything
   * else of the statement's transaction changes the record's tags. */
  "DROP TRIGGER ideas_own_base;"
  "CREATE TRIGGER ideas_own_base AFTER UPDATE OF state ON ideas"
  "  WHEN old.state = " SI_SQL_SYNCED " AND new.state != " SI_SQL_SYNCED " AND new.base = '' BEGIN"
  "  UPDATE ideas SET base = si_idea_base (old.sid, old.uid, old.version, old.created_at, old.updated_at,"
  "    old.device, old.title, old.body, old.pinned,"
  "    (SELECT group_concat (t.sid) FROM idea_tags it JOIN tags t ON t.id = it.tag_id"
  "     WHERE it.idea_id = old.id AND t.sid IS NOT NULL AND t.state != " SI_SQL_DELETED "))"
  "  WHERE id = new.id;"
  "END;"
  "DROP TRIGGER tags_own_base;"
  "CREATE TRIGGER tags_own_base AFTER UPDATE OF state ON tags"
  "  WHEN old.state = " SI_SQL_SYNCED " AND new.state != " SI_SQL_SYNCED " AND new.base = '' BEGIN"
  "  UPDATE tags SET base = si_tag_base (old.sid, old.uid, old.version, old.created_at, old.updated_at,"
  "    old.name, old.colour)"
  "  WHERE id = new.id;"
  "END;",
};

static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          GError     **error)
{
  char *message = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    {
      int code = (rc & 0xff) == SQLITE_FULL ? SI_STORE_ERROR_FULL : SI_STORE_ERROR_FAILED;

      g_set_error (error, SI_STORE_ERROR, code,
                   /* Translators: %s is SQLite's reason, in English. */
                   _("Could not update the database: %s"), message ? message : sqlite3_errstr (rc));
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

/* Brings @db to SI_STORE_SCHEMA_VERSION, one transaction per step. */
gboolean
_si_store_migrate (sqlite3  *db,
                   GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  int version = 0;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  if (version > SI_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_TOO_NEW,
                   /* Translators: the notebook's schema version, then the newest this Saveidea knows. */
                   _("This notebook was written by a newer version of Saveidea (schema %d; this one knows %d). "
                     "Update Saveidea to open it."), version, SI_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (; version < SI_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      g_debug ("Migrating the store from schema %d to %d", version, version + 1);
      if (!exec_sql (db, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!exec_sql (db, migrations[version], error) || !exec_sql (db, bump, error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
      if (!exec_sql (db, "COMMIT", error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }
  return TRUE;
}
