-- A notebook as Saveidea's schema version 1 wrote it (frozen: never edit this file).
CREATE TABLE tags (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  sid INTEGER UNIQUE,
  version INTEGER NOT NULL DEFAULT 0,
  generation INTEGER NOT NULL DEFAULT 0,
  state INTEGER NOT NULL DEFAULT 1,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  colour TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX tags_name_key ON tags (name_key) WHERE state != 3;
CREATE TABLE ideas (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  sid INTEGER UNIQUE,
  version INTEGER NOT NULL DEFAULT 0,
  generation INTEGER NOT NULL DEFAULT 0,
  state INTEGER NOT NULL DEFAULT 1,
  title TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  pinned INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX ideas_order ON ideas (pinned DESC, updated_at DESC, id DESC) WHERE state != 3;
CREATE INDEX ideas_dirty ON ideas (state) WHERE state != 0;
CREATE INDEX tags_dirty ON tags (state) WHERE state != 0;
CREATE TABLE idea_tags (
  idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
  tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
  PRIMARY KEY (idea_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX idea_tags_tag ON idea_tags (tag_id, idea_id);

INSERT INTO tags VALUES (1, '6c1b0a52-7d0c-4b7e-9a51-1f0e8a3c2b10', 7, 7, 1, 0, 'Travel', 'travel', '#3584e4', 1700000000000000, 1700000000000000);
INSERT INTO ideas VALUES (1, '0b7d4a8e-2f3c-4e61-8d5a-9c1e2b3f4a50', 8, 8, 1, 0, 'Night train to Vienna', 'Book the sleeper café car', 1, 1700000000000000, 1700000001000000);
INSERT INTO ideas VALUES (2, '1c8e5b9f-3a4d-4f72-9e6b-ad2f3c4e5b61', NULL, 0, 3, 1, 'Unsynced thought', 'written offline', 0, 1700000002000000, 1700000003000000);
INSERT INTO idea_tags VALUES (1, 1);
PRAGMA user_version = 1;
