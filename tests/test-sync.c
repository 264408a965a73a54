/* test-sync.c — two notebooks and the real saveidea-server: nothing lost, nothing duplicated. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "si-account.h"
#include "si-device.h"
#include "si-store-private.h"
#include "si-sync-engine.h"
#include "si-test-server.h"
#include "si-test-sync.h"

/* Tests ----------------------------------------------------------------------------------- */

static void
test_offline_tags (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  g_autoptr(SiIdea) i1 = add_idea (a, "Groceries", "milk", (const char *[]) { "home", "todo", NULL });
  g_autoptr(SiIdea) i2 = add_idea (a, "Report", "", (const char *[]) { "work", NULL });
  g_autoptr(SiIdea) i3 = add_idea (a, "Nothing", "", NULL);
  g_autoptr(SiIdea) got = NULL;
  g_autofree char *da = NULL, *db = NULL;
  SiSyncReport report;

  report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pushed, ==, 6);
  g_assert_cmpuint (si_store_count_pending (a, NULL), ==, 0);
  g_assert_cmpuint (server_count (s, "tags", TRUE), ==, 3);
  g_assert_cmpuint (server_count (s, "ideas", TRUE), ==, 3);

  report = sync_ok (eb, SI_SYNC_MODE_FULL);
  g_assert_cmpuint (report.pulled, ==, 6);
  got = find_by_title (b, "Groceries");
  g_assert_nonnull (got);
  g_assert_cmpstr (si_idea_get_uid (got), ==, si_idea_get_uid (i1));
  g_assert_cmpstrv (si_idea_get_tag_names (got), ((const char *[]) { "home", "todo", NULL }));
  da = dump (a);
  db = dump (b);
  g_assert_cmpstr (da, ==, db);
}

static void
test_converge (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  g_autoptr(SiIdea) x = add_idea (a, "Shared", "line 1\nline 2\nline 3\n", (const char *[]) { "t1", NULL });
  g_autoptr(SiIdea) y = add_idea (a, "To delete", "", NULL);
  g_autoptr(SiIdea) xb = NULL, yb = NULL, na = NULL, nb = NULL;
  g_autofree char *da = NULL, *db = NULL;
  SiSyncReport report;
  g_autoptr(GError) error = NULL;

  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  xb = find_by_title (b, "Shared");
  yb = find_by_title (b, "To delete");
  g_assert_nonnull (xb);
  g_assert_nonnull (yb);

  /* Offline on both sides. */
  si_idea_set_body (x, "LINE 1\nline 2\nline 3\n");
  save (a, x);
  si_idea_set_pinned (x, TRUE);
  save (a, x);
  na = add_idea (a, "New on A", "a", (const char *[]) { "t2", NULL });
  si_idea_set_body (xb, "line 1\nline 2\nLINE 3\n");
  si_idea_set_title (xb, "Shared (edited on B)");
  save (b, xb);
  g_assert_true (si_store_delete_idea (b, si_idea_get_id (yb), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  nb = add_idea (b, "New on B", "b", (const char *[]) { "t2", NULL });

  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  report = sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.merged, ==, 1);
  g_assert_cmpuint (report.conflicts, ==, 0);
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);

  da = dump (a);
  db = dump (b);
  g_assert_cmpstr (da, ==, db);
  g_clear_object (&x);
  x = find_by_title (a, "Shared (edited on B)");
  g_assert_nonnull (x);
  g_assert_cmpstr (si_idea_get_body (x), ==, "LINE 1\nline 2\nLINE 3\n");
  g_assert_true (si_idea_get_pinned (x));
  g_assert_cmpstrv (si_idea_get_tag_names (x), ((const char *[]) { "t1", NULL }));
  g_assert_null (find_by_title (a, "To delete"));
  g_assert_cmpuint (server_count (s, "ideas", TRUE), ==, 3);
  /* Both created tag "t2" offline: one tag on the server. */
  g_assert_cmpuint (server_count (s, "tags", TRUE), ==, 2);
  g_assert_cmpuint (si_store_count_pending (a, NULL) + si_store_count_pending (b, NULL), ==, 0);
}

/* A, B synced on one idea; @edit_a and @edit_b change it offline; then A syncs, B syncs. */
typedef void (*EditFunc) (SiStore *store, SiIdea *idea);

typedef struct {
  Server       *s;
  SiStore      *a, *b;
  SiSyncEngine *ea, *eb;
  SiIdea       *ia, *ib;
} Pair;

static void
pair_setup (Pair *p, const char *title, const char *body)
{
  p->s = server_new ();
  p->a = open_store ("a");
  p->b = open_store ("b");
  p->ea = engine_for (p->s, p->a);
  p->eb = engine_for (p->s, p->b);
  p->ia = add_idea (p->a, title, body, (const char *[]) { "one", NULL });
  sync_ok (p->ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (p->eb, SI_SYNC_MODE_INCREMENTAL);
  p->ib = find_by_title (p->b, title);
  g_assert_nonnull (p->ib);
}

static void
pair_clear (Pair *p)
{
  g_clear_object (&p->ia);
  g_clear_object (&p->ib);
  g_clear_object (&p->ea);
  g_clear_object (&p->eb);
  g_clear_object (&p->a);
  g_clear_object (&p->b);
  g_clear_pointer (&p->s, server_free);
}

/* Each version of an idea knows the device that wrote it: a notebook's edits carry its
 * device name through the server to the other notebook, merges and conflicted copies
 * included, and so does the server's record. */
static void
test_device_names (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  g_autoptr(SiIdea) x = NULL, xb = NULL, again = NULL, copy = NULL, many = NULL;
  g_autoptr(GArray) conflicts = NULL;
  g_autoptr(GError) error = NULL;
  SiSyncReport report;

  g_assert_true (si_device_set_name (a, "Ada’s laptop", &error));
  g_assert_true (si_device_set_name (b, "desk", &error));
  g_assert_no_error (error);

  /* Written on A, pulled by B: B knows it is the laptop's. */
  x = add_idea (a, "Kettle", "one\ntwo\nthree\n", NULL);
  g_assert_cmpstr (si_idea_get_device (x), ==, "Ada’s laptop");
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  xb = find_by_title (b, "Kettle");
  g_assert_nonnull (xb);
  g_assert_cmpstr (si_idea_get_device (xb), ==, "Ada’s laptop");
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (s->server, "GET", "/api/v1/changes", s->token, NULL, NULL);
    JsonArray *records = json_object_get_array_member (si_test_response_object (r), "records");

    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (records, 0), "device"), ==,
                     "Ada’s laptop");
  }

  /* Edited on B: A pulls the desk's version. */
  si_idea_set_body (xb, "one\ntwo\nthree, from the desk\n");
  save (b, xb);
  g_assert_cmpstr (si_idea_get_device (xb), ==, "desk");
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  again = si_store_get_idea (a, si_idea_get_id (x), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_body (again), ==, "one\ntwo\nthree, from the desk\n");
  g_assert_cmpstr (si_idea_get_device (again), ==, "desk");
  g_clear_object (&x);
  x = g_steal_pointer (&again);

  /* Edits on both sides that merge: B's merged version is B's, and A gets it as the desk's. */
  si_idea_set_body (x, "ONE\ntwo\nthree, from the desk\n");
  save (a, x);
  si_idea_set_pinned (xb, TRUE);
  save (b, xb);
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  report = sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.merged, ==, 1);
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  again = si_store_get_idea (a, si_idea_get_id (x), &error);
  g_assert_true (si_idea_get_pinned (again));
  g_assert_cmpstr (si_idea_get_body (again), ==, "ONE\ntwo\nthree, from the desk\n");
  g_assert_cmpstr (si_idea_get_device (again), ==, "desk");
  g_clear_object (&again);

  /* A true conflict on B: the server's version is the laptop's, the conflicted copy the desk's. */
  g_clear_object (&xb);
  xb = find_by_title (b, "Kettle");
  g_clear_object (&x);
  x = find_by_title (a, "Kettle");
  si_idea_set_title (x, "Kettle (laptop)");
  save (a, x);
  si_idea_set_title (xb, "Kettle (desk)");
  save (b, xb);
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  report = sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.conflicts, ==, 1);
  again = si_store_get_idea (b, si_idea_get_id (xb), &error);
  g_assert_cmpstr (si_idea_get_title (again), ==, "Kettle (laptop)");
  g_assert_cmpstr (si_idea_get_device (again), ==, "Ada’s laptop");
  conflicts = si_store_query_ideas (b, &(SiIdeaFilter) { .conflicts_only = TRUE }, NULL);
  g_assert_cmpuint (conflicts->len, ==, 1);
  copy = si_store_get_idea (b, g_array_index (conflicts, SiIdeaKey, 0).id, NULL);
  g_assert_cmpstr (si_idea_get_title (copy), ==, "Kettle (desk)");
  g_assert_cmpstr (si_idea_get_device (copy), ==, "desk");

  /* A first upload in batches carries the name too; a renamed device sends its new name. */
  g_assert_true (si_device_set_name (a, "laptop, renamed", &error));
  add_many (a, 20, "Batch");
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  many = find_by_title (b, "Batch 7");
  g_assert_nonnull (many);
  g_assert_cmpstr (si_idea_get_device (many), ==, "laptop, renamed");
}

static void
test_conflict_overlap (void)
{
  Pair p = { 0, };
  g_autoptr(SiIdea) server_side = NULL, copy = NULL;
  g_autoptr(GArray) conflicts = NULL;
  SiSyncReport report;

  pair_setup (&p, "Plan", "intro\nmiddle\nend\n");
  si_idea_set_body (p.ia, "intro\nMIDDLE FROM A\nend\n");
  save (p.a, p.ia);
  si_idea_set_body (p.ib, "intro\nmiddle from b\nend\n");
  si_idea_set_pinned (p.ib, TRUE);
  save (p.b, p.ib);
  sync_ok (p.ea, SI_SYNC_MODE_INCREMENTAL);
  report = sync_ok (p.eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.conflicts, ==, 1);

  /* The server's version stays in place, B's is a conflicted copy of it. */
  server_side = si_store_get_idea (p.b, si_idea_get_id (p.ib), NULL);
  g_assert_cmpstr (si_idea_get_body (server_side), ==, "intro\nMIDDLE FROM A\nend\n");
  g_assert_false (si_idea_get_pinned (server_side));
  g_assert_cmpint (si_idea_get_conflict_of (server_side), ==, 0);
  conflicts = si_store_query_ideas (p.b, &(SiIdeaFilter) { .conflicts_only = TRUE }, NULL);
  g_assert_cmpuint (conflicts->len, ==, 1);
  copy = si_store_get_idea (p.b, g_array_index (conflicts, SiIdeaKey, 0).id, NULL);
  g_assert_cmpint (si_idea_get_conflict_of (copy), ==, si_idea_get_id (p.ib));
  g_assert_cmpstr (si_idea_get_title (copy), ==, "Plan");
  g_assert_cmpstr (si_idea_get_body (copy), ==, "intro\nmiddle from b\nend\n");
  g_assert_true (si_idea_get_pinned (copy));
  g_assert_cmpstrv (si_idea_get_tag_names (copy), ((const char *[]) { "one", NULL }));
  g_assert_cmpstr (si_idea_get_uid (copy), !=, si_idea_get_uid (p.ib));
  /* The copy was pushed: A gets it too. */
  g_assert_cmpuint (si_store_count_pending (p.b, NULL), ==, 0);
  sync_ok (p.ea, SI_SYNC_MODE_INCREMENTAL);
  {
    g_autofree char *da = dump (p.a), *db = dump (p.b);
    g_assert_cmpstr (da, ==, db);
  }
  pair_clear (&p);
}

/* The base of a record's last push, as the merges read it (si-store-sync.c). */
static char *
base_text (SiStore *store,
           gint64   id)
{
  g_autoptr(GError) error = NULL;
  g_auto(SiSyncRow) row = { 0, };

  g_assert_true (_si_store_sync_get_row (store, SI_COLLECTION_IDEAS, id, &row, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&row.base);
}

/* The idea of @p, its own base in @here (no JSON text written): @there changes its first line
 * and pins it and syncs, then @here changes its last line, which merges against the version
 * it has as its base: both lines kept, @there's pin and the tag kept, both notebooks the same.
 * @here_name and @there_name ("A", "B") mark each one's line. */
static void
assert_merge_over_own_base (Pair         *p,
                            SiStore      *here,
                            SiSyncEngine *here_engine,
                            const char   *here_name,
                            SiStore      *there,
                            SiSyncEngine *there_engine,
                            SiIdea       *there_idea,
                            const char   *there_name)
{
  g_autoptr(SiIdea) idea = find_by_title (here, "Plan");
  g_autoptr(SiIdea) got = NULL;
  g_autofree char *own = base_text (here, si_idea_get_id (idea));
  g_autofree char *there_body = g_strdup_printf ("INTRO FROM %s\nmiddle\nend\n", there_name);
  g_autofree char *here_body = g_strdup_printf ("intro\nmiddle\nEND FROM %s\n", here_name);
  g_autofree char *merged = g_strdup_printf ("INTRO FROM %s\nmiddle\nEND FROM %s\n", there_name, here_name);
  g_autofree char *edited = NULL;
  SiSyncReport report;

  g_assert_cmpstr (own, ==, "");

  si_idea_set_body (there_idea, there_body);
  si_idea_set_pinned (there_idea, TRUE);
  save (there, there_idea);
  sync_ok (there_engine, SI_SYNC_MODE_INCREMENTAL);

  g_clear_object (&idea);
  idea = find_by_title (here, "Plan");
  si_idea_set_body (idea, here_body);
  save (here, idea);
  edited = base_text (here, si_idea_get_id (idea));
  g_assert_nonnull (strstr (edited, "\"body\":\"intro\\nmiddle\\nend\\n\""));
  g_assert_nonnull (strstr (edited, "\"pinned\":false"));

  report = sync_ok (here_engine, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.merged, ==, 1);
  g_assert_cmpuint (report.conflicts, ==, 0);
  sync_ok (there_engine, SI_SYNC_MODE_INCREMENTAL);
  got = find_by_title (here, "Plan");
  g_assert_cmpstr (si_idea_get_body (got), ==, merged);
  g_assert_true (si_idea_get_pinned (got));
  g_assert_cmpstrv (si_idea_get_tag_names (got), ((const char *[]) { "one", NULL }));
  g_assert_cmpuint (si_store_count_pending (here, NULL), ==, 0);
  {
    g_autofree char *da = dump (p->a), *db = dump (p->b);
    g_assert_cmpstr (da, ==, db);
  }
}

/* A push the server took as sent leaves the record its own base (no JSON text written); an
 * edit on top of it, then another device's edit, merge against the version pushed, as when the
 * base was written with the push. */
static void
test_own_base_merge (void)
{
  Pair p = { 0, };

  pair_setup (&p, "Plan", "intro\nmiddle\nend\n");
  assert_merge_over_own_base (&p, p.a, p.ea, "A", p.b, p.eb, p.ib, "B");
  pair_clear (&p);
}

/* An idea pulled into a notebook that did not have it is its own base too (no JSON text
 * written, as for a push the server took as sent); an edit here on top of it, then the other
 * device's edit, merge against the version pulled. */
static void
test_own_base_pulled (void)
{
  Pair p = { 0, };

  pair_setup (&p, "Plan", "intro\nmiddle\nend\n");
  assert_merge_over_own_base (&p, p.b, p.eb, "B", p.a, p.ea, p.ia, "A");
  pair_clear (&p);
}

static void
test_conflict_identical_and_fields (void)
{
  Pair p = { 0, };
  g_autoptr(SiIdea) got = NULL;
  SiSyncReport report;

  pair_setup (&p, "Same", "body\n");
  /* identical edits: no conflict, nothing to merge */
  si_idea_set_body (p.ia, "new body\n");
  save (p.a, p.ia);
  si_idea_set_body (p.ib, "new body\n");
  save (p.b, p.ib);
  sync_ok (p.ea, SI_SYNC_MODE_INCREMENTAL);
  report = sync_ok (p.eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.conflicts, ==, 0);
  g_assert_cmpuint (report.merged, ==, 0);
  g_assert_cmpuint (si_store_count_pending (p.b, NULL), ==, 0);

  /* title on A, pin and tags on B: all kept */
  g_clear_object (&p.ib);
  p.ib = find_by_title (p.b, "Same");
  si_idea_set_title (p.ia, "Renamed");
  save (p.a, p.ia);
  si_idea_set_pinned (p.ib, TRUE);
  {
    g_autoptr(SiTag) t = si_store_ensure_tag (p.b, "two", NULL);
    si_idea_add_tag (p.ib, si_tag_get_id (t));
  }
  save (p.b, p.ib);
  sync_ok (p.ea, SI_SYNC_MODE_INCREMENTAL);
  report = sync_ok (p.eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.merged, ==, 1);
  g_assert_cmpuint (report.conflicts, ==, 0);
  sync_ok (p.ea, SI_SYNC_MODE_INCREMENTAL);
  got = find_by_title (p.a, "Renamed");
  g_assert_nonnull (got);
  g_assert_cmpstr (si_idea_get_body (got), ==, "new body\n");
  g_assert_true (si_idea_get_pinned (got));
  g_assert_cmpstrv (si_idea_get_tag_names (got), ((const char *[]) { "one", "two", NULL }));
  pair_clear (&p);
}

static void
test_conflict_deletion (void)
{
  Pair p = { 0, };
  g_autoptr(SiIdea) got = NULL;
  g_autoptr(GError) error = NULL;

  /* deleted on A, edited on B: the edit lives */
  pair_setup (&p, "Keep me", "text\n");
  g_assert_true (si_store_delete_idea (p.a, si_idea_get_id (p.ia), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  si_idea_set_body (p.ib, "text, edited\n");
  save (p.b, p.ib);
  sync_ok (p.ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (p.eb, SI_SYNC_MODE_INCREMENTAL);
  got = find_by_title (p.b, "Keep me");
  g_assert_nonnull (got);
  g_assert_cmpstr (si_idea_get_body (got), ==, "text, edited\n");
  g_assert_cmpint (si_idea_get_sync_state (got), ==, SI_SYNC_STATE_SYNCED);
  g_clear_object (&got);
  sync_ok (p.ea, SI_SYNC_MODE_INCREMENTAL);
  got = find_by_title (p.a, "Keep me");
  g_assert_nonnull (got);
  g_assert_cmpstr (si_idea_get_body (got), ==, "text, edited\n");
  g_assert_cmpuint (server_count (p.s, "ideas", TRUE), ==, 1);
  g_clear_object (&got);

  /* edited on A, deleted on B (not yet pushed): the edit lives */
  g_clear_object (&p.ib);
  g_clear_object (&p.ia);
  p.ia = find_by_title (p.a, "Keep me");
  p.ib = find_by_title (p.b, "Keep me");
  si_idea_set_title (p.ia, "Edited on A");
  save (p.a, p.ia);
  g_assert_true (si_store_delete_idea (p.b, si_idea_get_id (p.ib), SI_SAVE_LOCAL, &error));
  sync_ok (p.ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (p.eb, SI_SYNC_MODE_INCREMENTAL);
  got = find_by_title (p.b, "Edited on A");
  g_assert_nonnull (got);
  g_assert_cmpuint (server_count (p.s, "ideas", TRUE), ==, 1);
  pair_clear (&p);
}

static void
test_precondition_failed (void)
{
  Pair p = { 0, };
  g_autoptr(SiIdea) got = NULL;
  SiSyncReport report;

  pair_setup (&p, "Stale", "a\nb\nc\n");
  si_idea_set_body (p.ia, "A\nb\nc\n");
  save (p.a, p.ia);
  sync_ok (p.ea, SI_SYNC_MODE_INCREMENTAL);
  /* B pushes without pulling: its If-Match is stale, the server answers 412 with the
   * current record, B merges and tries again. */
  si_idea_set_body (p.ib, "a\nb\nC\n");
  save (p.b, p.ib);
  si_sync_engine_set_batch_threshold (p.eb, 0);
  report = sync_ok (p.eb, SI_SYNC_MODE_PUSH);
  g_assert_cmpuint (report.merged, ==, 1);
  g_assert_cmpuint (report.pushed, ==, 1);
  g_assert_cmpuint (report.requests, ==, 2);
  g_assert_cmpuint (si_store_count_pending (p.b, NULL), ==, 0);
  sync_ok (p.ea, SI_SYNC_MODE_INCREMENTAL);
  got = find_by_title (p.a, "Stale");
  g_assert_cmpstr (si_idea_get_body (got), ==, "A\nb\nC\n");
  pair_clear (&p);
}

static void
test_edit_in_flight (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiIdea) idea = add_idea (a, "Draft", "first", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) got = NULL;
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);

  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  si_idea_set_body (idea, "second");
  save (a, idea);
  si_sync_engine_sync_async (ea, SI_SYNC_MODE_PUSH, NULL, got_result, &result);
  /* The push of "second" is on its way; the person types on. */
  si_idea_set_body (idea, "third");
  save (a, idea);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (si_sync_engine_sync_finish (ea, result, NULL, &error));
  g_assert_no_error (error);

  got = si_store_get_idea (a, si_idea_get_id (idea), NULL);
  g_assert_true (si_idea_is_dirty (got));
  g_assert_cmpstr (si_idea_get_body (got), ==, "third");
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_clear_object (&got);
  got = find_by_title (b, "Draft");
  g_assert_cmpstr (si_idea_get_body (got), ==, "second");

  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_clear_object (&got);
  got = si_store_get_idea (a, si_idea_get_id (idea), NULL);
  g_assert_false (si_idea_is_dirty (got));
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_clear_object (&got);
  got = find_by_title (b, "Draft");
  g_assert_cmpstr (si_idea_get_body (got), ==, "third");
}

static void
test_paging (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  SiSyncReport report;

  add_many (a, 5000, "Idea");
  report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pushed, ==, 5000);
  /* one empty page of changes (the instance id in its header), then batches of at most 1000 */
  g_assert_cmpuint (report.requests, ==, 1 + 5);
  g_assert_cmpuint (server_count (s, "ideas", TRUE), ==, 5000);

  si_sync_engine_set_page_size (eb, 1000);
  report = sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pulled, ==, 5000);
  g_assert_cmpuint (si_store_count_ideas (b, &(SiIdeaFilter) { 0, }, NULL), ==, 5000);
  g_assert_cmpuint (si_store_count_pending (b, NULL), ==, 0);

  /* a no-op incremental sync: one request, by a new engine too (a new app or CLI run) */
  report = sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.requests, ==, 1);
  g_assert_cmpuint (report.pulled + report.pushed, ==, 0);
  g_clear_object (&eb);
  eb = engine_for (s, b);
  report = sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.requests, ==, 1);
  g_assert_cmpuint (report.pulled + report.pushed, ==, 0);
}

static guint
count_matches (SiStore *store, const char *search)
{
  g_autoptr(GError) error = NULL;
  guint n = si_store_count_ideas (store, &(SiIdeaFilter) { .search = search }, &error);

  g_assert_no_error (error);
  return n;
}

static void
assert_index_intact (SiStore *store)
{
  char *message = NULL;

  if (sqlite3_exec (_si_store_get_db (store), "INSERT INTO ideas_fts (ideas_fts) VALUES ('integrity-check')",
                    NULL, NULL, &message) != SQLITE_OK)
    g_error ("the search index is damaged: %s", message);
}

/* A pull of many pages (the store's fast path, the search index filled once per page) gives
 * ideas that search finds by title, body and tag, an intact index that later saves keep up to
 * date, and the same notebook as the slow path. */
static void
test_bulk_pull_searchable (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  g_autoptr(SiIdea) special = NULL;
  g_autofree char *da = NULL, *db = NULL;
  SiSyncReport report;

  add_many (a, 450, "Idea");
  special = add_idea (a, "Tomatoes", "Sow the cherry kind in March", (const char *[]) { "gardening", "zucchini", NULL });
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);

  si_sync_engine_set_page_size (eb, 100);
  report = sync_ok (eb, SI_SYNC_MODE_FULL);
  g_assert_cmpuint (report.pulled, ==, 453);
  /* The pages were written without waiting for the disk; the store's own saves wait again. */
  {
    sqlite3_stmt *stmt = _si_store_prepare (b, "PRAGMA synchronous", NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 2);
    sqlite3_reset (stmt);
  }
  g_assert_cmpuint (count_matches (b, "tomat"), ==, 1);
  g_assert_cmpuint (count_matches (b, "cherr"), ==, 1);
  g_assert_cmpuint (count_matches (b, "garden"), ==, 1);
  g_assert_cmpuint (count_matches (b, "zucch"), ==, 1);
  g_assert_cmpuint (count_matches (b, "idea"), ==, 450);
  assert_index_intact (b);
  /* The search index is filled after the pull, on a thread (the sync manager starts it, or
   * saveidea-cli fills it itself): found the same way then. */
  g_assert_cmpuint (si_store_get_search_pending (b), >, 0);
  si_store_fill_search_in_background (b);
  g_assert_true (si_store_get_search_filling (b));
  {
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (si_store_get_search_filling (b) && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_false (si_store_get_search_filling (b));
    g_assert_cmpuint (si_store_get_search_pending (b), ==, 0);
  }
  g_assert_cmpuint (count_matches (b, "tomat"), ==, 1);
  g_assert_cmpuint (count_matches (b, "zucch"), ==, 1);
  g_assert_cmpuint (count_matches (b, "idea"), ==, 450);
  assert_index_intact (b);
  da = dump (a);
  db = dump (b);
  g_assert_cmpstr (da, ==, db);
  g_assert_cmpuint (si_store_count_pending (b, NULL), ==, 0);
  /* The index's insert trigger is back: an idea saved now is found. */
  {
    g_autoptr(SiIdea) later = add_idea (b, "Later", "quinces", NULL);
    g_assert_cmpuint (count_matches (b, "quinc"), ==, 1);
  }

  /* A tag renamed there: the pulled ideas are found by the new name. */
  {
    g_autoptr(SiTag) tag = si_store_find_tag (a, "gardening", NULL);
    g_autoptr(GError) error = NULL;

    si_tag_set_name (tag, "orchard");
    g_assert_true (si_store_save_tag (a, tag, SI_SAVE_LOCAL, &error));
    g_assert_no_error (error);
  }
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (count_matches (b, "orchar"), ==, 1);
  g_assert_cmpuint (count_matches (b, "garden"), ==, 0);
  assert_index_intact (b);
}

static void
cancel_after (SiSyncEngine *engine, GParamSpec *pspec, GCancellable *cancellable)
{
  if (si_sync_engine_get_progress_done (engine) >= 300)
    g_cancellable_cancel (cancellable);
}

static void
test_interrupted_pull (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  SiSyncReport report;
  guint have;
  gulong id;

  add_many (a, 1000, "Idea");
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);

  si_sync_engine_set_page_size (eb, 100);
  id = g_signal_connect (eb, "notify::progress-done", G_CALLBACK (cancel_after), cancellable);
  g_assert_false (run_sync (eb, SI_SYNC_MODE_INCREMENTAL, cancellable, &report, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_signal_handler_disconnect (eb, id);
  have = si_store_count_ideas (b, &(SiIdeaFilter) { 0, }, NULL);
  g_assert_cmpuint (have, >=, 300);
  g_assert_cmpuint (have, <, 1000);
  g_assert_cmpuint (have % 100, ==, 0);

  /* The next sync goes on from the stored cursor: it pulls only what is missing. */
  report = sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pulled, ==, 1000 - have);
  g_assert_cmpuint (si_store_count_ideas (b, &(SiIdeaFilter) { 0, }, NULL), ==, 1000);
}

static void
note_progress (SiSyncEngine *engine, GParamSpec *pspec, GArray *seen)
{
  guint pair[2] = { si_sync_engine_get_progress_done (engine), si_sync_engine_get_progress_total (engine) };

  if (pair[0] > 0)
    g_array_append_vals (seen, pair, 1);
}

/* "Syncing 50 of 300" from the first page on: the server counts what follows, and the count is
 * of records, not of change numbers (edits leave gaps in the versions). */
static void
test_progress_total (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (guint) * 2);
  SiSyncReport report;
  gulong id;

  add_many (a, 300, "Idea");
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  /* The last 50 edited: their old versions are gone, 350 changes hold 300 records. */
  for (guint i = 250; i < 300; i++)
    {
      g_autofree char *title = g_strdup_printf ("Idea %u", i);
      g_autoptr(SiIdea) idea = find_by_title (a, title);

      si_idea_set_body (idea, "edited");
      save (a, idea);
    }
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);

  si_sync_engine_set_page_size (eb, 50);
  id = g_signal_connect (eb, "notify::progress-done", G_CALLBACK (note_progress), seen);
  report = sync_ok (eb, SI_SYNC_MODE_PULL);
  g_signal_handler_disconnect (eb, id);
  g_assert_cmpuint (report.pulled, ==, 300);

  g_assert_cmpuint (seen->len, ==, 6);
  for (guint i = 0; i < seen->len; i++)
    {
      guint *pair = &g_array_index (seen, guint, i * 2);

      g_test_message ("page %u: %u of %u", i + 1, pair[0], pair[1]);
      g_assert_cmpuint (pair[0], ==, 50 * (i + 1));
      g_assert_cmpuint (pair[1], ==, 300);
    }
}

static void
test_instance_changed (void)
{
  g_autoptr(Server) s1 = server_new ();
  g_autoptr(Server) s2 = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiSyncEngine) e1 = engine_for (s1, a);
  g_autoptr(SiSyncEngine) e2 = engine_for (s2, a);
  g_autoptr(SiIdea) idea = add_idea (a, "Precious", "", NULL);
  g_autoptr(SiIdea) local = add_idea (a, "Unpushed", "", NULL);
  g_autoptr(GError) error = NULL;
  SiSyncReport report;

  si_sync_engine_set_token (e2, s2->token);
  sync_ok (e1, SI_SYNC_MODE_INCREMENTAL);
  si_idea_set_body (local, "edited");
  save (a, local);

  g_assert_false (run_sync (e2, SI_SYNC_MODE_INCREMENTAL, NULL, &report, &error));
  g_assert_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER_REPLACED);
  g_assert_cmpuint (report.pulled + report.pushed, ==, 0);
  g_assert_cmpuint (si_store_count_ideas (a, &(SiIdeaFilter) { 0, }, NULL), ==, 2);
  g_assert_cmpuint (si_store_count_pending (a, NULL), ==, 1);
  g_assert_cmpuint (server_count (s2, "ideas", FALSE), ==, 0);
  g_clear_error (&error);

  /* The user agrees: the notebook goes to the new server whole. */
  g_assert_true (si_sync_engine_forget_server (a, &error));
  report = sync_ok (e2, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pushed, ==, 2);
  g_assert_cmpuint (server_count (s2, "ideas", TRUE), ==, 2);
}

static void
test_cli (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiAccount) account = si_account_new (a);
  g_autoptr(SiIdea) idea = add_idea (a, "From the shell", "", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_strdup (si_store_get_path (a));
  g_autofree char *out1 = NULL, *out2 = NULL, *out3 = NULL, *out4 = NULL, *out5 = NULL;

  if (g_getenv ("SAVEIDEA_CLI") == NULL || !g_file_test (g_getenv ("SAVEIDEA_CLI"), G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no saveidea-cli");
      return;
    }
  g_assert_true (si_account_set_for_testing (account, si_test_server_get_url (s->server), "alice", NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (run_cli (db, s->token, &out1, NULL, "sync", NULL), ==, 0);
  g_assert_cmpstr (out1, ==, "pulled 0, pushed 1, merged 0, conflicts 0, rejected 0\n");
  g_assert_cmpuint (server_count (s, "ideas", TRUE), ==, 1);
  g_assert_cmpint (run_cli (db, s->token, &out2, NULL, "status", "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (out2, "\"pending_changes\""));
  g_assert_nonnull (strstr (out2, "alice"));
  g_assert_cmpint (run_cli (db, "not-a-token", &out3, NULL, "sync", NULL), ==, 6);
  g_assert_cmpint (run_cli (db, s->token, &out4, NULL, "sync", "--full", "--push", NULL), ==, 1);
  si_test_server_stop (s->server, SIGKILL);
  g_assert_cmpint (run_cli (db, s->token, &out5, NULL, "sync", NULL), ==, 5);
}

/* saveidea-cli sync --progress: "Syncing N of TOTAL" on standard error, the total known from
 * the first page; standard output keeps its one line for scripts. */
static void
test_cli_progress (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiAccount) account = si_account_new (b);
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_strdup (si_store_get_path (b));
  g_autofree char *out = NULL, *err = NULL;

  if (g_getenv ("SAVEIDEA_CLI") == NULL || !g_file_test (g_getenv ("SAVEIDEA_CLI"), G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no saveidea-cli");
      return;
    }
  add_many (a, 2500, "Idea");
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_true (si_account_set_for_testing (account, si_test_server_get_url (s->server), "alice", NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&account);
  g_clear_object (&b);

  g_assert_cmpint (run_cli (db, s->token, &out, &err, "sync", "--pull", "--progress", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "pulled 2500, pushed 0, merged 0, conflicts 0, rejected 0\n");
  g_assert_cmpstr (err, ==, "Syncing 1,000 of 2,500\nSyncing 2,000 of 2,500\nSyncing 2,500 of 2,500\n");

  /* Not a terminal and no --progress: nothing on standard error. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (db, s->token, &out, &err, "sync", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
}

/* A notebook only saveidea-cli uses: a first download's ideas wait for the search index (the
 * command does not wait for it), the first search indexes them, and an everyday sync's few
 * leave nothing waiting. Found at every step. */
static void
test_cli_search_fill (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiAccount) account = si_account_new (b);
  g_autoptr(SiIdea) special = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_strdup (si_store_get_path (b));
  g_autofree char *out = NULL, *err = NULL, *found = NULL;

  if (g_getenv ("SAVEIDEA_CLI") == NULL || !g_file_test (g_getenv ("SAVEIDEA_CLI"), G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no saveidea-cli");
      return;
    }
  add_many (a, 4200, "Idea");
  special = add_idea (a, "Tomatoes", "Sow the cherry kind in March", NULL);
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_true (si_account_set_for_testing (account, si_test_server_get_url (s->server), "alice", NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&account);
  g_clear_object (&b);

  g_assert_cmpint (run_cli (db, s->token, &out, &err, "sync", "--progress", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "pulled 4201, pushed 0, merged 0, conflicts 0, rejected 0\n");
  g_assert_nonnull (strstr (err, "ideas wait for the search index"));
  b = open_store ("b");
  g_assert_cmpuint (si_store_get_search_pending (b), >, 4000);
  g_clear_object (&b);

  /* The first search indexes them, and finds what it looks for. */
  g_assert_cmpint (run_cli (db, s->token, &found, NULL, "list", "--search", "cherr", NULL), ==, 0);
  g_assert_nonnull (strstr (found, "Tomatoes"));
  b = open_store ("b");
  g_assert_cmpuint (si_store_get_search_pending (b), ==, 0);
  g_assert_cmpuint (count_matches (b, "idea"), ==, 4200);
  g_clear_object (&b);

  /* An everyday sync of a few hundred (pages of 100 or more wait at first): none left. */
  add_many (a, 300, "Later");
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (db, s->token, &out, &err, "sync", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "pulled 300, pushed 0, merged 0, conflicts 0, rejected 0\n");
  g_assert_cmpstr (err, ==, "");
  b = open_store ("b");
  g_assert_cmpuint (si_store_get_search_pending (b), ==, 0);
  g_assert_cmpuint (count_matches (b, "later"), ==, 300);
}

int
main (int argc, char **argv)
{
  /* Only 127.0.0.1: no proxy (the GNOME resolver would want the desktop's GSettings schemas). */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/sync/offline-tags", test_offline_tags);
  g_test_add_func ("/sync/converge", test_converge);
  g_test_add_func ("/sync/conflict/overlap", test_conflict_overlap);
  g_test_add_func ("/sync/conflict/identical-and-fields", test_conflict_identical_and_fields);
  g_test_add_func ("/sync/own-base-merge", test_own_base_merge);
  g_test_add_func ("/sync/own-base-pulled", test_own_base_pulled);
  g_test_add_func ("/sync/conflict/deletion", test_conflict_deletion);
  g_test_add_func ("/sync/device-names", test_device_names);
  g_test_add_func ("/sync/precondition-failed", test_precondition_failed);
  g_test_add_func ("/sync/edit-in-flight", test_edit_in_flight);
  g_test_add_func ("/sync/paging", test_paging);
  g_test_add_func ("/sync/bulk-pull-searchable", test_bulk_pull_searchable);
  g_test_add_func ("/sync/cli-search-fill", test_cli_search_fill);
  g_test_add_func ("/sync/interrupted-pull", test_interrupted_pull);
  g_test_add_func ("/sync/progress-total", test_progress_total);
  g_test_add_func ("/sync/instance-changed", test_instance_changed);
  g_test_add_func ("/sync/cli", test_cli);
  g_test_add_func ("/sync/cli-progress", test_cli_progress);
  return g_test_run ();
}
