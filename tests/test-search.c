/* test-search.c — search in the offline store: Chinese, Japanese and Korean words inside text
 * (the ideas_cjk index), and how many ideas a search matched when it keeps only the best. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <sqlite3.h>

#include "si-store-private.h"

static char *
temp_db_path (void)
{
  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  return g_build_filename (g_get_user_data_dir (), "test.db", NULL);
}

static SiStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = temp_db_path ();
  SiStore *store = si_store_new (path, &error);

  g_assert_no_error (error);
  return store;
}

static SiIdea *
add_idea (SiStore    *store,
          const char *title,
          const char *body)
{
  g_autoptr(GError) error = NULL;
  SiIdea *idea = si_idea_new (title, body);

  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  return idea;
}

/* The ids a search finds, in its order, as "1 2 3". */
static char *
search_ids (SiStore    *store,
            const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = si_store_search (store, text, 0, &error);
  g_autoptr(GString) ids = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < found->len; i++)
    g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, i ? " " : "", si_idea_get_id (found->pdata[i]));
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static char *self_path;   /* this test's executable */

static int
compare_key_ids (gconstpointer a,
                 gconstpointer b)
{
  gint64 x = ((const SiIdeaKey *) a)->id, y = ((const SiIdeaKey *) b)->id;
  return (x > y) - (x < y);
}

#define assert_found(store, text, expected) \
  G_STMT_START { \
    g_autofree char *ids_ = search_ids ((store), (text)); \
    g_assert_cmpstr (ids_, ==, (expected)); \
  } G_STMT_END

/* FTS5's own check of both search indexes. */
static void
assert_indexes_sound (SiStore *store)
{
  char *message = NULL;

  g_assert_cmpint (sqlite3_exec (_si_store_get_db (store),
                                 "INSERT INTO ideas_fts (ideas_fts) VALUES ('integrity-check');"
                                 "INSERT INTO ideas_cjk (ideas_cjk) VALUES ('integrity-check')",
                                 NULL, NULL, &message), ==, SQLITE_OK);
  g_assert_null (message);
}

/* One string of every entry of the search index @table ("term,id,column,offset ..."), read
 * through an fts5vocab table in the temp schema. */
static char *
index_entries (SiStore    *store,
               const char *schema,
               const char *table)
{
  g_autofree char *create = g_strdup_printf ("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab_%s USING fts5vocab (%s, %s, instance)",
                                             table, schema, table);
  g_autofree char *select = g_strdup_printf ("SELECT coalesce (group_concat (e, ' '), '') FROM (SELECT term || ',' || doc || ','"
                                             " || col || ',' || offset AS e FROM temp.vocab_%s ORDER BY term, doc, col, offset)",
                                             table);
  sqlite3 *db = _si_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  char *entries;

  g_assert_cmpint (sqlite3_exec (db, create, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, select, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  entries = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return entries;
}

/* Both search indexes hold exactly what indexing every idea afresh would: ideas_fts against
 * its own 'rebuild' (rolled back), ideas_cjk against a new table filled from the ideas. For a
 * notebook where no idea waits. */
static void
assert_index_exact (SiStore *store)
{
  sqlite3 *db = _si_store_get_db (store);
  g_autofree char *fts = NULL, *fts_rebuilt = NULL, *cjk = NULL, *cjk_rebuilt = NULL;

  g_assert_cmpuint (si_store_get_search_pending (store), ==, 0);
  assert_indexes_sound (store);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  fts = index_entries (store, "main", "ideas_fts");
  cjk = index_entries (store, "main", "ideas_cjk");
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO ideas_fts (ideas_fts) VALUES ('rebuild');"
                                     "CREATE VIRTUAL TABLE temp.cjk_afresh USING fts5 (title, body, tag_names,"
                                     " content = '', columnsize = 0, tokenize = 'ascii');"
                                     "INSERT INTO temp.cjk_afresh (rowid, title, body, tag_names)"
                                     " SELECT id, si_cjk_grams (title), si_cjk_grams (body), si_cjk_grams (tag_names) FROM ideas"
                                     " WHERE si_has_cjk (title, body, tag_names)", NULL, NULL, NULL), ==, SQLITE_OK);
  fts_rebuilt = index_entries (store, "main", "ideas_fts");
  cjk_rebuilt = index_entries (store, "temp", "cjk_afresh");
  g_assert_cmpint (sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE IF EXISTS temp.vocab_cjk_afresh", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpstr (fts, ==, fts_rebuilt);
  g_assert_cmpstr (cjk, ==, cjk_rebuilt);
}

static void
test_cjk_inside_text (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) memo = add_idea (store, "Trip", "東京の旅行メモ");          /* 1 */
  g_autoptr(SiIdea) titled = add_idea (store, "旅行の準備", "pack light");       /* 2 */
  g_autoptr(SiIdea) chinese = add_idea (store, "", "我们去北京旅游吧");          /* 3 */
  g_autoptr(SiIdea) korean = add_idea (store, "약속", "서울에서 만나요");        /* 4 */
  g_autoptr(SiIdea) latin = add_idea (store, "Café", "crème brûlée");           /* 5 */
  SiIdeaFilter filter = { .search = "旅行" };

  /* A word inside a run of text, at its start and at its end; the title first. */
  assert_found (store, "旅行", "2 1");
  assert_found (store, "東京", "1");
  assert_found (store, "メモ", "1");
  assert_found (store, "京の旅", "1");
  assert_found (store, "東京の旅行メモ", "1");
  assert_found (store, "北京旅游", "3");
  assert_found (store, "京旅", "3");
  assert_found (store, "에서", "4");
  /* Only the characters in their order, nothing across a run. */
  assert_found (store, "旅京", "");
  assert_found (store, "メモ東京", "");
  /* One character: in titles and tags, as one Latin letter. */
  assert_found (store, "準", "2");
  assert_found (store, "旅", "2");
  /* Every word is required, CJK or not; prefixes and folded accents still work. */
  assert_found (store, "東京 tri", "1");
  assert_found (store, "旅行 pack", "2");
  assert_found (store, "東京 pack", "");
  assert_found (store, "creme brul", "5");
  assert_found (store, "CAF", "5");
  g_assert_cmpuint (si_store_count_ideas (store, &filter, &error), ==, 2);
  g_assert_no_error (error);

  /* Edits and deletions keep the index current. */
  si_idea_set_body (memo, "大阪の出張メモ");
  g_assert_true (si_store_save_idea (store, memo, SI_SAVE_LOCAL, &error));
  assert_found (store, "旅行", "2");
  assert_found (store, "出張", "1");
  si_idea_set_body (memo, "no longer Japanese");
  g_assert_true (si_store_save_idea (store, memo, SI_SAVE_LOCAL, &error));
  assert_found (store, "出張", "");
  assert_found (store, "japanese", "1");
  g_assert_true (si_store_delete_idea (store, si_idea_get_id (chinese), SI_SAVE_LOCAL, &error));
  assert_found (store, "北京", "");
  g_assert_no_error (error);
  (void) korean;
  (void) latin;
  (void) titled;
  assert_indexes_sound (store);
}

/* Tag names are searched too, renames included. */
static void
test_cjk_tags (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) idea = add_idea (store, "Plan", "nothing Japanese here");
  g_autoptr(SiTag) tag = si_store_ensure_tag (store, "家族旅行", &error);

  si_idea_add_tag (idea, si_tag_get_id (tag));
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  assert_found (store, "旅行", "1");
  si_tag_set_name (tag, "出張");
  g_assert_true (si_store_save_tag (store, tag, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  assert_found (store, "旅行", "");
  assert_found (store, "出張", "1");
  assert_indexes_sound (store);
}

static guint
count_keys (SiStore      *store,
            SiIdeaFilter *filter)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) keys = si_store_query_ideas (store, filter, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (si_store_count_ideas (store, filter, NULL), ==, keys->len);
  return keys->len;
}

/* A search inside a tag or among the pinned ideas, Latin, CJK or both. */
static void
test_within_filters (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) a = add_idea (store, "Trip", "東京の旅行メモ");
  g_autoptr(SiIdea) b = add_idea (store, "Trip too", "大阪の旅行");
  g_autoptr(SiIdea) c = add_idea (store, "Other trip", "nothing");
  g_autoptr(SiTag) tag = si_store_ensure_tag (store, "plans", &error);
  SiIdeaFilter filter = { .tag_id = si_tag_get_id (tag) };

  si_idea_add_tag (a, si_tag_get_id (tag));
  si_idea_add_tag (c, si_tag_get_id (tag));
  si_idea_set_pinned (b, TRUE);
  g_assert_true (si_store_save_idea (store, a, SI_SAVE_LOCAL, &error));
  g_assert_true (si_store_save_idea (store, b, SI_SAVE_LOCAL, &error));
  g_assert_true (si_store_save_idea (store, c, SI_SAVE_LOCAL, &error));

  /* Both indexes' matches merged: every idea in both, none in one only. */
  {
    SiIdeaFilter all = { .search = "旅行 trip" };

    g_assert_cmpuint (count_keys (store, &all), ==, 2);
    all.search = "trip 東京";
    g_assert_cmpuint (count_keys (store, &all), ==, 1);
    all.search = "trip 大阪";
    g_assert_cmpuint (count_keys (store, &all), ==, 1);
    all.search = "noth 旅行";
    g_assert_cmpuint (count_keys (store, &all), ==, 0);
  }
  filter.search = "trip";
  g_assert_cmpuint (count_keys (store, &filter), ==, 2);
  filter.search = "旅行";
  g_assert_cmpuint (count_keys (store, &filter), ==, 1);
  filter.search = "旅行 trip";
  g_assert_cmpuint (count_keys (store, &filter), ==, 1);
  filter.search = "大阪";
  g_assert_cmpuint (count_keys (store, &filter), ==, 0);
  filter = (SiIdeaFilter) { .pinned_only = TRUE, .search = "旅行 trip" };
  g_assert_cmpuint (count_keys (store, &filter), ==, 1);
  filter.search = "東京";
  g_assert_cmpuint (count_keys (store, &filter), ==, 0);
}

/* A pulled page sets the insert triggers aside and indexes its ideas at its end. */
static void
test_cjk_sync_page (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_auto(SiSyncPage) page = { 0 };
  SiStoreNewIdea rows[] = {
    { .uid = "3b0c4b86-6a0d-4a55-8f0a-000000000001", .sid = 1, .version = 1, .state = SI_SYNC_STATE_SYNCED,
      .title = "同期", .body = "京都の紅葉", .created_at = 1, .updated_at = 1 },
    { .uid = "3b0c4b86-6a0d-4a55-8f0a-000000000002", .sid = 2, .version = 2, .state = SI_SYNC_STATE_SYNCED,
      .title = "Synced", .body = "autumn leaves", .created_at = 2, .updated_at = 2 },
  };

  g_assert_true (_si_store_begin (store, &error));
  g_assert_true (_si_store_sync_begin_page (store, &page, &error));
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_assert_cmpint (_si_store_insert_idea (store, &rows[i], "test", &error), >, 0);
  g_assert_true (_si_store_sync_end_page (store, &page, &error));
  g_assert_true (_si_store_commit (store, &error));
  g_assert_no_error (error);

  assert_found (store, "紅葉", "1");
  assert_found (store, "autumn", "2");
  /* The triggers are back: a later save is found (waiting, then indexed). */
  g_autoptr(SiIdea) later = add_idea (store, "", "紅葉狩り");
  assert_found (store, "紅葉", "3 1");
  g_assert_true (_si_store_sync_optimize_index (store, &error));
  assert_indexes_sound (store);
}

/* A notebook of schema 1 with Japanese text gets it indexed when it is migrated. */
static void
test_cjk_migrated (void)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *fixture = g_test_build_filename (G_TEST_DIST, "data", "schema-v1.sql", NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) store = NULL;
  sqlite3 *db = NULL;

  g_assert_true (g_file_get_contents (fixture, &sql, NULL, &error));
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO ideas (id, uid, title, body, created_at, updated_at)"
                                     " VALUES (3, '2d9f6ca0-4b5e-4a83-8f7c-be3a4d5f6c72', '', '東京の旅行メモ', 1, 1)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = si_store_new (path, &error);
  g_assert_no_error (error);
  assert_found (store, "旅行", "3");
  assert_found (store, "cafe", "1");
  assert_indexes_sound (store);
  g_assert_cmpuint (si_store_get_search_pending (store), ==, 0);
}

/* What a search matched beyond the best it keeps, and the ideas deleted here but not yet on the
 * server, which the index still holds: they are neither counted nor kept. */
static void
test_counts_every_match (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) keys = NULL;
  SiIdeaFilter apples = { .search = "apple" };
  SiIdeaFilter pears = { .search = "pear" };
  guint n_matches = 0;
  gint64 newest = 0;

  g_assert_true (_si_store_begin (store, &error));
  for (guint i = 0; i < SI_SEARCH_MAX_RESULTS + 100; i++)
    {
      g_autofree char *uid = g_uuid_string_random ();
      g_autofree char *body = g_strdup_printf ("%s number %u", i < SI_SEARCH_MAX_RESULTS + 2 ? "pear" : "apple", i);
      SiStoreNewIdea row = { .uid = uid, .sid = i + 1, .version = 1, .state = SI_SYNC_STATE_SYNCED,
                             .title = "Fruit", .body = body, .created_at = i, .updated_at = i };

      newest = _si_store_insert_idea (store, &row, "test", &error);
      g_assert_cmpint (newest, >, 0);
    }
  g_assert_true (_si_store_commit (store, &error));

  keys = si_store_query_ideas_counted (store, &apples, &n_matches, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 98);
  g_assert_cmpuint (n_matches, ==, 98);
  g_clear_pointer (&keys, g_array_unref);

  /* 502 pears: the best 500 are kept, all 502 counted. */
  keys = si_store_query_ideas_counted (store, &pears, &n_matches, &error);
  g_assert_cmpuint (keys->len, ==, SI_SEARCH_MAX_RESULTS);
  g_assert_cmpuint (n_matches, ==, SI_SEARCH_MAX_RESULTS + 2);
  g_assert_cmpuint (si_store_count_ideas (store, &pears, &error), ==, SI_SEARCH_MAX_RESULTS + 2);
  g_clear_pointer (&keys, g_array_unref);

  /* Three synced pears deleted: tombstones until pushed, still in the index. 499 remain, all
   * of them listed. */
  for (gint64 id = SI_SEARCH_MAX_RESULTS; id <= SI_SEARCH_MAX_RESULTS + 2; id++)
    g_assert_true (si_store_delete_idea (store, id, SI_SAVE_LOCAL, &error));
  g_assert_cmpint (si_store_count_pending (store, NULL), >=, 3);
  keys = si_store_query_ideas_counted (store, &pears, &n_matches, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, SI_SEARCH_MAX_RESULTS - 1);
  g_assert_cmpuint (n_matches, ==, SI_SEARCH_MAX_RESULTS - 1);
  g_assert_cmpuint (si_store_count_ideas (store, &pears, &error), ==, SI_SEARCH_MAX_RESULTS - 1);

  /* Without a search, the count is the list's length. */
  g_clear_pointer (&keys, g_array_unref);
  keys = si_store_query_ideas_counted (store, NULL, &n_matches, &error);
  g_assert_cmpuint (n_matches, ==, keys->len);
  g_assert_cmpuint (n_matches, ==, SI_SEARCH_MAX_RESULTS + 97);
  (void) newest;
}


/* Ideas a big pull wrote: inserted as a pulled page inserts them, so that they wait in
 * search_pending for the index. */
typedef struct {
  const char *title;
  const char *body;
  const char *tag_names;
} Text;

static const Text pending_texts[] = {
  { "Café au lait", "Morning ritual with croissants", "breakfast" },
  { "Déjà vu", "An e-mail from Zoë about the CAFÉ", "" },
  { "京都の紅葉", "秋の旅行メモ", "旅" },
  { "Garden", "Sow tomatoes in March; repot the basil", "gardening zucchini" },
  { "Ab", "a short title", "xy" },
  { "Numbers", "Invoice 2026-12 for 4500 EUR", "" },
};

static void
insert_as_page (SiStore    *store,
                const Text *texts,
                guint       n_texts,
                gint64      first_sid)
{
  g_autoptr(GError) error = NULL;
  g_auto(SiSyncPage) page = { 0 };

  g_assert_true (_si_store_begin (store, &error));
  g_assert_true (_si_store_sync_begin_page (store, &page, &error));
  for (guint i = 0; i < n_texts; i++)
    {
      g_autofree char *uid = g_uuid_string_random ();
      SiStoreNewIdea row = { .uid = uid, .sid = first_sid + i, .version = 1, .state = SI_SYNC_STATE_SYNCED,
                             .title = texts[i].title, .body = texts[i].body, .tag_names = texts[i].tag_names,
                             .created_at = first_sid + i, .updated_at = first_sid + i };

      g_assert_cmpint (_si_store_insert_idea (store, &row, "test", &error), >, 0);
    }
  g_assert_true (_si_store_sync_end_page (store, &page, &error));
  g_assert_true (_si_store_commit (store, &error));
  g_assert_no_error (error);
}

static void
fill_all (SiStore *store,
          guint    chunk)
{
  g_autoptr(GError) error = NULL;
  guint filled;

  do
    g_assert_true (_si_store_search_fill (store, chunk, &filled, &error));
  while (filled > 0);
  g_assert_no_error (error);
  g_assert_cmpuint (si_store_get_search_pending (store), ==, 0);
}

/* The ids a search finds, in id order: pending ideas rank after indexed ones. */
static char *
search_id_set (SiStore    *store,
               const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) keys = si_store_query_ideas (store, &(SiIdeaFilter) { .search = text }, &error);
  g_autoptr(GString) ids = g_string_new (NULL);
  guint count;

  g_assert_no_error (error);
  g_array_sort (keys, compare_key_ids);
  for (guint i = 0; i < keys->len; i++)
    g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, i ? " " : "", g_array_index (keys, SiIdeaKey, i).id);
  /* The count and each idea's key agree with the list. */
  count = si_store_count_ideas (store, &(SiIdeaFilter) { .search = text }, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, keys->len);
  for (guint i = 0; i < keys->len; i++)
    {
      SiIdeaKey key;

      g_assert_true (si_store_get_idea_key (store, g_array_index (keys, SiIdeaKey, i).id,
                                            &(SiIdeaFilter) { .search = text }, &key, &error));
    }
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static const char * const pending_queries[] = {
  "cafe", "CAFÉ", "café au", "lait", "croiss", "deja", "e-mail", "mail", "zoe", "紅葉", "旅行", "旅", "秋",
  "tomat", "gardening", "zucch", "basil", "ab", "xy", "short", "sho", "2026", "4500", "inv", "eur",
  "ritual breakfast", "march garden", "nothing", "au", "紅葉 cafe",
};

/* A search reads the waiting ideas through the tokenizer, and only those: not every idea of the
 * notebook (SQLite's plan had scanned all ideas first, a second per search at 100,000). */
static void
test_pending_only_waiting (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) waiting = NULL;
  guint before;

  g_assert_true (_si_store_begin (store, &error));
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *uid = g_uuid_string_random ();
      g_autofree char *title = g_strdup_printf ("Idea %u about a café", i);
      SiStoreNewIdea row = { .uid = uid, .sid = i + 1, .version = 1, .state = SI_SYNC_STATE_SYNCED,
                             .title = title, .body = "body", .tag_names = "",
                             .created_at = i + 1, .updated_at = i + 1 };

      g_assert_cmpint (_si_store_insert_idea (store, &row, "test", &error), >, 0);
    }
  g_assert_true (_si_store_commit (store, &error));
  g_assert_no_error (error);
  fill_all (store, 100);
  g_assert_cmpuint (si_store_get_search_pending (store), ==, 0);

  /* Inside a transaction: the checkpoint thread cannot fill the waiting idea meanwhile. */
  g_assert_true (_si_store_begin (store, &error));
  before = _si_store_search_pending_calls ();
  {
    g_autofree char *found = search_id_set (store, "cafe");
    g_assert_nonnull (strstr (found, "300"));
  }
  g_assert_cmpuint (_si_store_search_pending_calls () - before, ==, 0);

  waiting = add_idea (store, "Waiting café", "");
  g_assert_cmpuint (si_store_get_search_pending (store), ==, 1);
  before = _si_store_search_pending_calls ();
  assert_found (store, "waiting", "301");
  g_assert_cmpuint (_si_store_search_pending_calls () - before, >=, 1);
  g_assert_cmpuint (_si_store_search_pending_calls () - before, <=, 2);
  g_assert_true (_si_store_commit (store, &error));
  g_assert_no_error (error);
}

/* What a pull wrote waits in search_pending and is found all the same, exactly as the index
 * finds it once filled. */
static void
test_pending_found (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiStore) indexed = NULL;
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "indexed.db", NULL);
  g_autoptr(GError) error = NULL;
  guint n = G_N_ELEMENTS (pending_texts);

  /* The same ideas, indexed as they were written. */
  indexed = si_store_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (_si_store_begin (indexed, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *uid = g_uuid_string_random ();
      SiStoreNewIdea row = { .uid = uid, .sid = i + 1, .version = 1, .state = SI_SYNC_STATE_SYNCED,
                             .title = pending_texts[i].title, .body = pending_texts[i].body,
                             .tag_names = pending_texts[i].tag_names, .created_at = i + 1, .updated_at = i + 1 };

      g_assert_cmpint (_si_store_insert_idea (indexed, &row, "test", &error), >, 0);
    }
  g_assert_true (_si_store_commit (indexed, &error));
  /* (Saved ideas wait too, since store schema 9.) */
  fill_all (indexed, 100);

  /* Inside a transaction until the checks of what waits: the checkpoint thread cannot fill
   * anything meanwhile. */
  g_assert_true (_si_store_begin (store, &error));
  insert_as_page (store, pending_texts, n, 1);
  g_assert_cmpuint (si_store_get_search_pending (store), ==, n);
  for (guint q = 0; q < G_N_ELEMENTS (pending_queries); q++)
    {
      g_autofree char *expected = search_id_set (indexed, pending_queries[q]);
      g_autofree char *pending = search_id_set (store, pending_queries[q]);

      g_test_message ("%s: %s", pending_queries[q], expected);
      g_assert_cmpstr (pending, ==, expected);
    }
  {
    g_autofree char *cafes = search_id_set (store, "cafe");
    g_assert_cmpstr (cafes, ==, "1 2");
  }

  /* Halfway: some indexed, some not, and an idea saved meanwhile (waiting too, since store
   * schema 9: a save leaves the index alone). */
  {
    guint filled;
    g_autoptr(SiIdea) later = add_idea (store, "Later café", "");
    g_autoptr(SiIdea) later_too = add_idea (indexed, "Later café", "");

    fill_all (indexed, 100);
    /* Indexed matches first: the pending ones (1 and 2) after the new one, newest first. */
    assert_found (store, "cafe", "7 2 1");
    g_assert_true (_si_store_search_fill (store, 3, &filled, &error));
    g_assert_cmpuint (filled, ==, 3);
    g_assert_cmpuint (si_store_get_search_pending (store), ==, n - 3 + 1);
  }
  for (guint q = 0; q < G_N_ELEMENTS (pending_queries); q++)
    {
      g_autofree char *expected = search_id_set (indexed, pending_queries[q]);
      g_autofree char *pending = search_id_set (store, pending_queries[q]);

      g_assert_cmpstr (pending, ==, expected);
    }
  /* The indexed matches ranked, the waiting one after them. */
  assert_found (store, "cafe", "1 2 7");
  g_assert_true (_si_store_commit (store, &error));

  fill_all (store, 2);
  assert_indexes_sound (store);
  for (guint q = 0; q < G_N_ELEMENTS (pending_queries); q++)
    {
      g_autofree char *expected = search_id_set (indexed, pending_queries[q]);
      g_autofree char *filled = search_id_set (store, pending_queries[q]);

      g_assert_cmpstr (filled, ==, expected);
    }
}

/* Text whose words FTS5's unicode61 tokenizer cuts and folds in its own way: composed (NFC) and
 * decomposed (NFD) accents, accents it keeps (Greek, Cyrillic), case beyond ASCII, Hangul as
 * syllables and as jamo, ligatures, punctuation inside words, CJK next to Latin letters. */
static const Text unicode_texts[] = {
  { "Caf\u00e9 cr\u00e8me", "Cr\u00e8me br\u00fbl\u00e9e for Ren\u00e9e", "d\u00e9j\u00e0" },
  { "Cafe\u0301 cre\u0300me", "Cre\u0300me bru\u0302le\u0301e for Rene\u0301e", "de\u0301ja\u0300" },
  { "\u03a9\u03bc\u03ad\u03b3\u03b1 \u03ac\u03bb\u03c6\u03b1", "\u1f00\u03b8\u03ae\u03bd\u03b1 and \u03bf\u03b9\u03ba\u03bf\u03b3\u03ad\u03bd\u03b5\u03b9\u03b1", "" },
  { "\u041c\u043e\u0439 \u0439\u043e\u0433\u0443\u0440\u0442", "\u0401\u043b\u043a\u0430 \u0438 \u0435\u043b\u043a\u0430", "" },
  { "STRASSE Stra\u00dfe", "\u0130stanbul \u01c5emal \ufb01sh \uff26\uff55\uff4c\uff4c", "" },
  { "\ud55c\uad6d\uc5b4 \uba54\ubaa8", "\u1112\u1161\u11ab\u1100\u116e\u11a8 in jamo", "" },
  { "don't stop", "x\u0301y z\u0308\u0301w e-mail", "ab.cd" },
  { "iPhone\u65c5\u884c", "\u6771\u4eac\u306e\u65c5\u884c\u30e1\u30e2", "\u65c5" },
  { "\u00c5ngstr\u00f6m", "A\u030angstro\u0308m \u00f8re \u0153uvre", "na\u00efve" },
};

static const char * const unicode_queries[] = {
  "cafe", "caf\u00e9", "cafe\u0301", "CAF\u00c9", "CAFE\u0301", "creme brul", "cre\u0300me", "renee", "deja",
  "de\u0301ja\u0300", "d\u00e9j\u00e0", "\u03c9\u03bc\u03b5\u03b3\u03b1", "\u03c9\u03bc\u03ad\u03b3\u03b1",
  "\u03a9\u039c\u0388\u0393\u0391", "\u03b1\u03bb\u03c6\u03b1", "\u03b1\u03b8\u03b7\u03bd\u03b1", "\u1f00\u03b8\u03ae\u03bd",
  "\u03bf\u03b9\u03ba\u03bf\u03b3\u03b5\u03bd", "\u0438\u043e\u0433\u0443\u0440\u0442", "\u0439\u043e\u0433", "\u0435\u043b\u043a\u0430",
  "\u0451\u043b\u043a", "\u0415\u041b\u041a", "strasse", "stra\u00df", "STRA\u1e9e", "istanbul", "\u0131stanbul",
  "i\u0307stanbul", "dzemal", "\u01c6emal", "\u01c4EMAL", "fish", "\ufb01s", "full", "\uff46\uff55\uff4c",
  "\ud55c\uad6d", "\ud55c", "\u1112\u1161\u11ab", "\u1112", "\uba54\ubaa8", "dont", "don't", "don", "t stop",
  "xy", "x\u0301y", "zw", "z\u0308", "e-mail", "mail", "ab.cd", "abcd", "cd", "iphone", "iphone\u65c5",
  "\u65c5\u884c", "\u65c5", "\u30e1\u30e2", "\u6771\u4eac", "angstrom", "\u00e5ngstr\u00f6m", "a\u030angstro\u0308m",
  "ore", "\u00f8re", "oeuvre", "\u0153uv", "naive", "na\u00efv", "-", "\u0301", "cafe \u0301", "\u00e9\u00e9\u00e9",
};

/* A waiting idea is found by exactly what FTS5 finds it by once indexed, however its accents
 * are encoded and whatever its script: the tokens are FTS5's own. */
static void
test_pending_unicode (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiStore) indexed = NULL;
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "indexed.db", NULL);
  g_autoptr(GError) error = NULL;
  guint n = G_N_ELEMENTS (unicode_texts);

  indexed = si_store_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (_si_store_begin (indexed, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *uid = g_uuid_string_random ();
      SiStoreNewIdea row = { .uid = uid, .sid = i + 1, .version = 1, .state = SI_SYNC_STATE_SYNCED,
                             .title = unicode_texts[i].title, .body = unicode_texts[i].body,
                             .tag_names = unicode_texts[i].tag_names, .created_at = i + 1, .updated_at = i + 1 };

      g_assert_cmpint (_si_store_insert_idea (indexed, &row, "test", &error), >, 0);
    }
  g_assert_true (_si_store_commit (indexed, &error));
  g_assert_no_error (error);
  /* (Saved ideas wait too, since store schema 9.) */
  fill_all (indexed, 100);
  /* In a transaction: the checkpoint thread cannot fill them meanwhile. */
  g_assert_true (_si_store_begin (store, &error));
  insert_as_page (store, unicode_texts, n, 1);
  g_assert_cmpuint (si_store_get_search_pending (store), ==, n);

  for (guint q = 0; q < G_N_ELEMENTS (unicode_queries); q++)
    {
      g_autofree char *expected = search_id_set (indexed, unicode_queries[q]);
      g_autofree char *pending = search_id_set (store, unicode_queries[q]);

      g_test_message ("%s: %s", unicode_queries[q], expected);
      g_assert_cmpstr (pending, ==, expected);
    }
  /* Not a comparison of two empty answers: NFC and NFD find each other. */
  {
    g_autofree char *nfd = search_id_set (store, "cafe\u0301");
    g_autofree char *nfc = search_id_set (store, "caf\u00e9 cr\u00e8me");

    g_assert_cmpstr (nfd, ==, "1 2");
    g_assert_cmpstr (nfc, ==, "1 2");
  }
  g_assert_true (_si_store_commit (store, &error));
  fill_all (store, 4);
  assert_indexes_sound (store);
  for (guint q = 0; q < G_N_ELEMENTS (unicode_queries); q++)
    {
      g_autofree char *expected = search_id_set (indexed, unicode_queries[q]);
      g_autofree char *filled = search_id_set (store, unicode_queries[q]);

      g_assert_cmpstr (filled, ==, expected);
    }
}

static gint64
query_int (SiStore    *store,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (_si_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* A pulled page sets the change log's and the idea count's per-row triggers aside and writes
 * them once: the count is what counting says, every idea inserted (tombstones too) has its
 * line, and the triggers are back for the next write. */
static void
test_page_bookkeeping (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiIdea) old = add_idea (store, "Old", "");
  g_autoptr(SiTag) tag = si_store_ensure_tag (store, "fruit", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(SiSyncPage) page = { 0 };
  gint64 tag_id = si_tag_get_id (tag);
  gint64 before = query_int (store, "SELECT coalesce (max (seq), 0) FROM change_log");

  g_assert_true (_si_store_begin (store, &error));
  g_assert_true (_si_store_sync_begin_page (store, &page, &error));
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *uid = g_uuid_string_random ();
      SiStoreNewIdea row = { .uid = uid, .sid = 100 + i, .version = 1,
                             .state = i == 3 ? SI_SYNC_STATE_DELETED : SI_SYNC_STATE_SYNCED,
                             .title = "New", .body = "", .tag_ids = i % 2 ? &tag_id : NULL, .n_tags = i % 2,
                             .created_at = 1, .updated_at = 1 };

      g_assert_cmpint (_si_store_insert_idea (store, &row, "test", &error), >, 0);
    }
  g_assert_true (_si_store_sync_end_page (store, &page, &error));
  g_assert_true (_si_store_commit (store, &error));
  g_assert_no_error (error);

  g_assert_cmpint (query_int (store, "SELECT n FROM idea_count"), ==,
                   query_int (store, "SELECT count (*) FROM ideas WHERE state != " SI_SQL_DELETED));
  g_assert_cmpint (query_int (store, "SELECT n FROM idea_count"), ==, 5);
  /* Each of the page's ideas, the tombstone too, has a line after the page began. */
  for (gint64 id = 2; id <= 6; id++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM change_log WHERE collection = 'ideas'"
                                              " AND record_id = %" G_GINT64_FORMAT " AND seq > %" G_GINT64_FORMAT,
                                              id, before);
      g_assert_cmpint (query_int (store, sql), >=, 1);
    }
  g_assert_cmpint (query_int (store, "SELECT count (*) FROM idea_tags WHERE tag_id = (SELECT id FROM tags WHERE name = 'fruit')"), ==, 2);

  /* The triggers are back: a save counts and logs as before. */
  {
    g_autoptr(SiIdea) later = add_idea (store, "Later", "");

    g_assert_cmpint (query_int (store, "SELECT n FROM idea_count"), ==, 6);
    g_assert_cmpint (query_int (store, "SELECT max (seq) FROM change_log WHERE record_id = 7 AND collection = 'ideas'"), >, 0);
    g_assert_true (si_store_delete_idea (store, si_idea_get_id (later), SI_SAVE_LOCAL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (query_int (store, "SELECT n FROM idea_count"), ==, 5);
  }
  (void) old;
}

/* An idea edited or deleted while it waits for the index: found by its new text only, not
 * found once deleted, and the index sound once filled. */
static void
test_pending_edited (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) idea = NULL;

  /* In a transaction until the fill: the checkpoint thread cannot fill them meanwhile. */
  g_assert_true (_si_store_begin (store, &error));
  insert_as_page (store, pending_texts, G_N_ELEMENTS (pending_texts), 1);
  g_assert_cmpuint (si_store_get_search_pending (store), ==, G_N_ELEMENTS (pending_texts));

  idea = si_store_get_idea (store, 4, &error);
  g_assert_no_error (error);
  si_idea_set_body (idea, "Plant quinces in autumn");
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  assert_found (store, "quince", "4");
  assert_found (store, "tomat", "");
  assert_found (store, "garden", "4");

  /* Deleted here (a tombstone until pushed) and removed for good (the server's deletion). */
  g_assert_true (si_store_delete_idea (store, 1, SI_SAVE_LOCAL, &error));
  assert_found (store, "croiss", "");
  g_assert_true (_si_store_begin (store, &error));
  g_assert_true (_si_store_purge_idea (store, 2, &error));
  g_assert_true (_si_store_commit (store, &error));
  g_assert_no_error (error);
  assert_found (store, "zoe", "");
  assert_found (store, "cafe", "");
  g_assert_cmpuint (si_store_get_search_pending (store), ==, G_N_ELEMENTS (pending_texts) - 1);
  g_assert_true (_si_store_commit (store, &error));

  fill_all (store, 100);
  assert_indexes_sound (store);
  assert_found (store, "quince", "4");
  assert_found (store, "tomat", "");
  assert_found (store, "zoe", "");
  assert_found (store, "紅葉", "3");
  /* And edited again, now indexed: waiting again, then indexed. */
  si_idea_set_body (idea, "Plant medlars");
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  assert_found (store, "quince", "");
  assert_found (store, "medlar", "4");
  fill_all (store, 100);
  assert_index_exact (store);
  assert_found (store, "quince", "");
  assert_found (store, "medlar", "4");
}

/* A fill killed with SIGKILL at any moment: what it indexed is indexed, the rest still waits
 * (and is found), and the next fill finishes it. */
static void
test_pending_fill_killed (void)
{
  g_autofree char *path = temp_db_path ();
  g_autoptr(GError) error = NULL;
  GRand *rand = g_rand_new_with_seed (20261206);
  const guint n = 3000;
  guint last_pending = n;

  {
    g_autoptr(SiStore) store = open_store ();
    g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
    g_autofree Text *rows = g_new0 (Text, n);

    for (guint i = 0; i < n; i++)
      {
        g_ptr_array_add (texts, g_strdup_printf ("Pulled idea %u", i));
        rows[i].title = g_ptr_array_index (texts, i);
        rows[i].body = i % 2 ? "odd apples" : "even pears";
        rows[i].tag_names = "";
      }
    insert_as_page (store, rows, n, 1);
    g_assert_cmpuint (si_store_get_search_pending (store), ==, n);
  }

  for (guint trial = 0; trial < 4; trial++)
    {
      g_autoptr(SiStore) store = NULL;
      g_autoptr(GSubprocess) child = NULL;
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      g_autoptr(GDataInputStream) out = NULL;
      g_autofree char *line = NULL;
      guint pending;

      g_subprocess_launcher_setenv (launcher, "SAVEIDEA_TEST_FILL", path, TRUE);
      child = g_subprocess_launcher_spawn (launcher, &error, self_path, NULL);
      g_assert_no_error (error);
      /* Killed at a random moment once its first chunk is in. */
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
      line = g_data_input_stream_read_line (out, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (line, ==, "filling");
      g_usleep (g_rand_int_range (rand, 0, 50000));
      g_subprocess_send_signal (child, SIGKILL);
      g_subprocess_wait (child, NULL, &error);
      g_assert_no_error (error);

      store = si_store_new (path, &error);
      g_assert_no_error (error);
      assert_indexes_sound (store);
      pending = si_store_get_search_pending (store);
      g_test_message ("trial %u: %u waiting", trial, pending);
      g_assert_cmpuint (pending, <=, last_pending);
      last_pending = pending;
      g_assert_cmpuint (si_store_count_ideas (store, &(SiIdeaFilter) { .search = "pulled idea" }, &error), ==, n);
      g_assert_cmpuint (si_store_count_ideas (store, &(SiIdeaFilter) { .search = "apple" }, &error), ==, n / 2);
      g_assert_no_error (error);
    }
  {
    g_autoptr(SiStore) store = si_store_new (path, &error);

    g_assert_no_error (error);
    fill_all (store, 500);
    assert_indexes_sound (store);
    g_assert_cmpuint (si_store_count_ideas (store, &(SiIdeaFilter) { .search = "pear" }, &error), ==, n / 2);
    assert_found (store, "idea 2999", "3000");
  }
  g_assert_cmpuint (last_pending, <, n);
  g_rand_free (rand);
}

/* The child of test_pending_fill_killed(): fills the notebook at @path in small chunks until
 * killed. */
static int
fill_child (const char *path)
{
  g_autoptr(SiStore) store = si_store_new (path, NULL);
  guint filled = 1;

  for (guint chunks = 0; store && filled > 0; chunks++)
    {
      if (!_si_store_search_fill (store, 20, &filled, NULL))
        return 1;
      if (chunks == 0)
        {
          g_print ("filling\n");
          fflush (stdout);
        }
    }
  return 0;
}

/* Since store schema 9 a save leaves the search indexes alone: a new or edited idea waits in
 * search_pending (an edited one with the text the indexes still hold in search_stale), is
 * found by its new text and not by its old one all the while, and the fill makes the indexes
 * exactly what indexing afresh would. The checks inside the transaction: there the
 * checkpoint thread cannot fill anything yet. */
static void
test_saved_waits (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) garden = add_idea (store, "Garden plans", "tomatoes and basil");      /* 1 */
  g_autoptr(SiIdea) kyoto = add_idea (store, "京都の紅葉", "秋の旅行メモ");                  /* 2 */
  g_autoptr(SiIdea) doomed = add_idea (store, "Doomed note", "walnuts");                  /* 3 */
  g_autoptr(SiIdea) purged = add_idea (store, "Purged note", "hazelnuts 東京");            /* 4 */
  g_autoptr(SiTag) tag = si_store_ensure_tag (store, "fruit", &error);

  g_assert_no_error (error);
  si_idea_add_tag (garden, si_tag_get_id (tag));
  g_assert_true (si_store_save_idea (store, garden, SI_SAVE_LOCAL, &error));
  fill_all (store, 100);
  assert_index_exact (store);
  assert_found (store, "tomat", "1");

  g_assert_true (_si_store_begin (store, &error));
  si_idea_set_body (garden, "quinces and medlars");
  g_assert_true (si_store_save_idea (store, garden, SI_SAVE_LOCAL, &error));
  si_idea_set_body (kyoto, "冬の温泉");
  g_assert_true (si_store_save_idea (store, kyoto, SI_SAVE_LOCAL, &error));
  si_idea_set_body (doomed, "almonds");
  g_assert_true (si_store_save_idea (store, doomed, SI_SAVE_LOCAL, &error));
  si_idea_set_body (purged, "pistachios 大阪");
  g_assert_true (si_store_save_idea (store, purged, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  /* Each waits; the indexes still hold the old text, kept beside them. */
  g_assert_cmpuint (si_store_get_search_pending (store), ==, 4);
  g_assert_cmpint (query_int (store, "SELECT count (*) FROM search_stale"), ==, 4);
  g_assert_cmpint (query_int (store, "SELECT count (*) FROM ideas_fts WHERE ideas_fts MATCH 'tomatoes'"), ==, 1);
  assert_found (store, "quince", "1");
  assert_found (store, "tomat", "");
  assert_found (store, "basil", "");
  assert_found (store, "garden", "1");
  assert_found (store, "fruit", "1");
  assert_found (store, "温泉", "2");
  assert_found (store, "旅行", "");
  assert_found (store, "紅葉", "2");
  assert_found (store, "東京", "");
  assert_found (store, "大阪", "4");
  g_assert_cmpuint (si_store_count_ideas (store, &(SiIdeaFilter) { .search = "tomatoes" }, &error), ==, 0);
  g_assert_cmpuint (si_store_count_ideas (store, &(SiIdeaFilter) { .search = "note" }, &error), ==, 2);

  /* Edited again while waiting: the indexes' text (the first) is still the one kept. */
  si_idea_set_body (garden, "quinces, medlars and plums");
  g_assert_true (si_store_save_idea (store, garden, SI_SAVE_LOCAL, &error));
  g_assert_cmpint (query_int (store, "SELECT count (*) FROM search_stale WHERE body = 'tomatoes and basil'"), ==, 1);
  assert_found (store, "plum", "1");
  /* A tag renamed: its ideas wait with their new names. */
  si_tag_set_name (tag, "orchard");
  g_assert_true (si_store_save_tag (store, tag, SI_SAVE_LOCAL, &error));
  assert_found (store, "orchard", "1");
  assert_found (store, "fruit", "");
  /* Deleted (a tombstone until pushed) and removed for good while waiting: the indexes lose
   * the old entry at once, with the kept text. */
  g_assert_true (si_store_delete_idea (store, 3, SI_SAVE_LOCAL, &error));
  g_assert_true (_si_store_purge_idea (store, 4, &error));
  g_assert_no_error (error);
  assert_found (store, "almond", "");
  assert_found (store, "walnut", "");
  assert_found (store, "pistach", "");
  assert_found (store, "hazelnut", "");
  assert_found (store, "大阪", "");
  g_assert_cmpint (query_int (store, "SELECT count (*) FROM search_stale WHERE id = 4"), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count (*) FROM ideas_fts WHERE ideas_fts MATCH 'hazelnuts'"), ==, 0);
  g_assert_true (_si_store_commit (store, &error));
  g_assert_no_error (error);

  /* The checkpoint thread indexes them in the next quiet moment. */
  _si_store_wait_checkpoints (store);
  g_assert_cmpuint (si_store_get_search_pending (store), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count (*) FROM search_stale"), ==, 0);
  assert_index_exact (store);
  assert_found (store, "quince", "1");
  assert_found (store, "plum", "1");
  assert_found (store, "tomat", "");
  assert_found (store, "orchard", "1");
  assert_found (store, "fruit", "");
  assert_found (store, "温泉", "2");
  assert_found (store, "旅行", "");
  assert_found (store, "almond", "");
  assert_found (store, "walnut", "");
  assert_found (store, "大阪", "");
  /* And a new idea waits as well, then is indexed the same way. */
  {
    g_autoptr(SiIdea) later = NULL;

    g_assert_true (_si_store_begin (store, &error));
    later = add_idea (store, "Later", "apricots 奈良");
    g_assert_cmpuint (si_store_get_search_pending (store), ==, 1);
    g_assert_cmpint (query_int (store, "SELECT count (*) FROM search_stale"), ==, 0);
    /* (The id of a deleted idea, which had no tombstone to keep, taken again.) */
    g_assert_cmpint (si_idea_get_id (later), ==, 3);
    assert_found (store, "apricot", "3");
    assert_found (store, "奈良", "3");
    assert_found (store, "almond", "");
    g_assert_true (_si_store_commit (store, &error));
    fill_all (store, 1);
    assert_index_exact (store);
    assert_found (store, "apricot", "3");
    assert_found (store, "almond", "");
  }
}

/* The child of test_saved_crash(): edits idea 1 and dies at once, before the checkpoint
 * thread's quiet moment. */
static int
save_crash_child (const char *path)
{
  g_autoptr(SiStore) store = si_store_new (path, NULL);
  g_autoptr(SiIdea) idea = store ? si_store_get_idea (store, 1, NULL) : NULL;
  g_autoptr(SiIdea) added = si_idea_new ("Added", "figs 神戸");

  if (idea == NULL)
    return 1;
  si_idea_set_body (idea, "cherries 札幌");
  if (!si_store_save_idea (store, idea, SI_SAVE_LOCAL, NULL) ||
      !si_store_save_idea (store, added, SI_SAVE_LOCAL, NULL))
    return 1;
  /* Holding the write lock, so that the checkpoint thread cannot fill them first. */
  if (!_si_store_begin (store, NULL))
    return 1;
  raise (SIGKILL);
  return 1;
}

/* A process killed between its saves and their indexing: the notebook reopened finds the
 * edits by their new text, not by the old, and the fill takes the indexes to exactly the
 * ideas' text. */
static void
test_saved_crash (void)
{
  g_autofree char *path = temp_db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) child = NULL;

  {
    g_autoptr(SiStore) store = open_store ();
    g_autoptr(SiIdea) idea = add_idea (store, "Fruit", "plums 京都");

    fill_all (store, 10);
  }
  g_subprocess_launcher_setenv (launcher, "SAVEIDEA_TEST_SAVE_CRASH", path, TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, self_path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
  {
    g_autoptr(SiStore) store = si_store_new (path, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (si_store_get_search_pending (store), ==, 2);
    g_assert_cmpint (query_int (store, "SELECT count (*) FROM search_stale WHERE id = 1 AND body = 'plums 京都'"), ==, 1);
    assert_found (store, "cherr", "1");
    assert_found (store, "札幌", "1");
    assert_found (store, "plum", "");
    assert_found (store, "京都", "");
    assert_found (store, "fig", "2");
    assert_found (store, "神戸", "2");
    fill_all (store, 10);
    assert_index_exact (store);
    assert_found (store, "cherr", "1");
    assert_found (store, "plum", "");
    assert_found (store, "京都", "");
    assert_found (store, "神戸", "2");
  }
}

/* The per-row insert triggers a pulled page switches off are off on that connection only, and
 * nothing in the schema changes for it. Another connection (another SiStore: the app's
 * workers, the CLI) that writes an idea while the page is on still has it wait for the index,
 * logged and counted. (Outside a transaction here only to let the other connection write; a
 * pull applies a page inside one.) */
static void
test_page_switch_per_connection (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autofree char *path = temp_db_path ();
  g_autoptr(SiStore) other = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(SiSyncPage) page = { 0 };
  gint64 schema, count, other_id;

  other = si_store_new (path, &error);
  g_assert_no_error (error);
  schema = query_int (store, "PRAGMA schema_version");
  count = query_int (store, "SELECT n FROM idea_count");

  g_assert_true (_si_store_sync_begin_page (store, &page, &error));
  /* (The checks inside the writer's transaction: no checkpoint thread fills it meanwhile.) */
  g_assert_true (_si_store_begin (other, &error));
  {
    g_autoptr(SiIdea) written = add_idea (other, "Written elsewhere", "during the page");

    other_id = si_idea_get_id (written);
  }
  g_assert_cmpint (other_id, ==, 1);
  g_assert_cmpint (query_int (other, "SELECT n FROM idea_count"), ==, count + 1);
  g_assert_cmpint (query_int (other, "SELECT count (*) FROM change_log WHERE collection = 'ideas' AND record_id = 1"), ==, 1);
  g_assert_cmpint (query_int (other, "SELECT count (*) FROM search_pending WHERE id = 1"), ==, 1);
  g_assert_true (_si_store_commit (other, &error));
  g_assert_true (_si_store_sync_end_page (store, &page, &error));
  g_assert_no_error (error);

  /* A page in its transaction, as a pull applies it. */
  g_assert_true (_si_store_begin (store, &error));
  insert_as_page (store, pending_texts, G_N_ELEMENTS (pending_texts), 1);
  g_assert_cmpint (query_int (store, "PRAGMA schema_version"), ==, schema);
  g_assert_cmpint (query_int (store, "SELECT n FROM idea_count"), ==, count + 1 + G_N_ELEMENTS (pending_texts));
  g_assert_cmpuint (si_store_get_search_pending (store), ==, 1 + G_N_ELEMENTS (pending_texts));
  g_assert_true (_si_store_commit (store, &error));
  g_assert_cmpint (query_int (other, "PRAGMA schema_version"), ==, schema);
  assert_found (other, "during", "1");
  assert_found (other, "croiss", "2");
  fill_all (other, 100);
  assert_index_exact (other);
  assert_found (store, "during", "1");
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv ("SAVEIDEA_TEST_FILL"))
    return fill_child (g_getenv ("SAVEIDEA_TEST_FILL"));
  if (g_getenv ("SAVEIDEA_TEST_SAVE_CRASH"))
    return save_crash_child (g_getenv ("SAVEIDEA_TEST_SAVE_CRASH"));
  self_path = g_canonicalize_filename (argv[0], NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/search/cjk/inside-text", test_cjk_inside_text);
  g_test_add_func ("/search/cjk/tags", test_cjk_tags);
  g_test_add_func ("/search/within-filters", test_within_filters);
  g_test_add_func ("/search/cjk/sync-page", test_cjk_sync_page);
  g_test_add_func ("/search/cjk/migrated", test_cjk_migrated);
  g_test_add_func ("/search/counts-every-match", test_counts_every_match);
  g_test_add_func ("/search/pending/found", test_pending_found);
  g_test_add_func ("/search/pending/only-waiting", test_pending_only_waiting);
  g_test_add_func ("/search/pending/edited", test_pending_edited);
  g_test_add_func ("/search/pending/unicode", test_pending_unicode);
  g_test_add_func ("/search/pending/page-bookkeeping", test_page_bookkeeping);
  g_test_add_func ("/search/pending/fill-killed", test_pending_fill_killed);
  g_test_add_func ("/search/saved/waits", test_saved_waits);
  g_test_add_func ("/search/saved/crash", test_saved_crash);
  g_test_add_func ("/search/page-switch-per-connection", test_page_switch_per_connection);
  return g_test_run ();
}
