/* test-import-apps.c — the exports of other notes apps, recognised by si_import() by content.
 *
 * The fixtures in tests/data/import/<app>/ are small exports written by hand from each
 * format's own description and from exports made with the apps:
 *   simplenote/notes.json   the `source/notes.json` of Simplenote's “Export notes” zip
 *                           (activeNotes / trashedNotes, ISO times, tags, systemTags "pinned",
 *                           CRLF lines as the Windows and web apps write them)
 *   simplenote/txt/         the .txt files of the same zip (first line the title)
 *   keep/Takeout/Keep/      Google Takeout's Keep folder: one .json per note beside its .html,
 *                           listContent checklists, labels, µs timestamps, attachments,
 *                           Labels.txt, and an .html left without its .json (older Takeouts)
 *   standardnotes/          a decrypted backup (“items” of Note and Tag, tags by reference, a
 *                           nested tag, appData pinned, archived, trashed, a deleted item) and
 *                           an encrypted one (each "content" a "004:…" string)
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <utime.h>

#include "si-import.h"
#include "si-store-private.h"
#include "si-test-import.h"

static SiStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  SiStore *store;

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  path = g_build_filename (g_get_user_data_dir (), "notebook.db", NULL);
  store = si_store_new (path, &error);
  g_assert_no_error (error);
  return store;
}

static GFile *
fixture (const char *first,
         ...)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autofree char *path = NULL;
  va_list args;

  g_ptr_array_add (parts, (gpointer) g_test_get_dir (G_TEST_DIST));
  g_ptr_array_add (parts, "data");
  g_ptr_array_add (parts, "import");
  va_start (args, first);
  for (const char *p = first; p != NULL; p = va_arg (args, const char *))
    g_ptr_array_add (parts, (gpointer) p);
  va_end (args);
  g_ptr_array_add (parts, NULL);
  path = g_build_filenamev ((char **) parts->pdata);
  return g_file_new_for_path (path);
}

static gint64
usec_of (const char *iso)
{
  gint64 usec = 0;

  g_assert_true (si_import_parse_time (iso, &usec));
  return usec;
}

static void
assert_tags (SiStore    *store,
             SiIdea     *idea,
             const char *expected)
{
  g_autofree char *tags = tags_of (store, idea);

  g_assert_cmpstr (tags, ==, expected);
}

static void
import_ok (SiStore               *store,
           GFile                 *file,
           const SiImportOptions *options,
           SiImportStats         *stats)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (si_import_with_options (store, file, options, stats, NULL, &error));
  g_assert_no_error (error);
}

static GFile *write_temp (const char *name,
                          const char *text);

/* Simplenote ----------------------------------------------------------------------------------- */

static void
test_simplenote_json (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) file = fixture ("simplenote", "notes.json", NULL);
  g_auto(SiImportStats) stats = { 0 };
  g_auto(SiImportStats) again = { 0 };
  g_autoptr(SiIdea) groceries = NULL, monday = NULL, tuesday = NULL, cafe = NULL, old = NULL;

  import_ok (store, file, NULL, &stats);
  g_assert_cmpuint (stats.n_created, ==, 5);
  g_assert_cmpuint (count_ideas (store), ==, 5);

  /* First line the title (a Markdown heading's '#' goes), CRLF made LF. */
  groceries = get_idea (store, "Groceries", NULL);
  g_assert_cmpstr (si_idea_get_body (groceries), ==, "- milk\n- eggs\n");
  g_assert_true (si_idea_get_pinned (groceries));   /* systemTags "pinned" */
  assert_tags (store, groceries, "home, shopping");
  g_assert_cmpint (si_idea_get_created_at (groceries), ==, usec_of ("2023-01-02T10:00:00Z"));
  g_assert_cmpint (si_idea_get_updated_at (groceries), ==, usec_of ("2023-01-03T11:00:00.123Z"));
  g_assert_true (g_uuid_string_is_valid (si_idea_get_uid (groceries)));

  /* The same title twice: two ideas. */
  monday = get_idea (store, "Meeting", "Monday");
  tuesday = get_idea (store, "Meeting", "Tuesday");
  g_assert_true (si_idea_get_pinned (monday));      /* "pinned": true */
  g_assert_false (si_idea_get_pinned (tuesday));
  g_assert_cmpstr (si_idea_get_uid (monday), !=, si_idea_get_uid (tuesday));

  /* Blank first lines: the title is the first line with text. */
  cafe = get_idea (store, "Café ☕ — Grüße", NULL);
  g_assert_cmpstr (si_idea_get_body (cafe), ==, "A note whose first lines are empty");

  /* A trashed note: tagged by default. */
  old = get_idea (store, "Old plan", NULL);
  assert_tags (store, old, "trash, work");

  /* Again: nothing new, nothing changed. */
  import_ok (store, file, NULL, &again);
  g_assert_cmpuint (again.n_created, ==, 0);
  g_assert_cmpuint (again.n_updated, ==, 0);
  g_assert_cmpuint (again.n_unchanged, ==, 5);
}

static void
test_simplenote_skip_trashed (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) file = fixture ("simplenote", "notes.json", NULL);
  g_auto(SiImportStats) stats = { 0 };
  SiImportOptions options = { SI_IMPORT_ARCHIVED_SKIP, NULL, NULL };
  g_autoptr(SiIdea) old = NULL;

  import_ok (store, file, &options, &stats);
  g_assert_cmpuint (stats.n_created, ==, 4);
  g_assert_cmpuint (stats.n_left_out, ==, 1);
  old = find_idea (store, "Old plan", NULL);
  g_assert_null (old);
}

/* A changed export updates what changed and creates nothing. */
static void
test_simplenote_reimport_updates (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "export", NULL);
  g_autofree char *path = g_build_filename (folder, "notes.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_auto(SiImportStats) stats = { 0 };
  g_auto(SiImportStats) again = { 0 };
  g_autoptr(SiIdea) idea = NULL;
  const char *v1 =
    "{\"activeNotes\":[{\"id\":\"n1\",\"content\":\"Plan\\nfirst\",\"creationDate\":\"2024-01-01T00:00:00Z\","
    "\"lastModified\":\"2024-01-01T00:00:00Z\"},{\"id\":\"n2\",\"content\":\"Other\\nsame\","
    "\"creationDate\":\"2024-01-01T00:00:00Z\",\"lastModified\":\"2024-01-01T00:00:00Z\"}]}";
  const char *v2 =
    "{\"activeNotes\":[{\"id\":\"n1\",\"content\":\"Plan B\\nsecond\",\"creationDate\":\"2024-01-01T00:00:00Z\","
    "\"lastModified\":\"2024-02-01T00:00:00Z\"},{\"id\":\"n2\",\"content\":\"Other\\nsame\","
    "\"creationDate\":\"2024-01-01T00:00:00Z\",\"lastModified\":\"2024-01-01T00:00:00Z\"}]}";

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, v1, -1, NULL));
  import_ok (store, file, NULL, &stats);
  g_assert_cmpuint (stats.n_created, ==, 2);

  g_assert_true (g_file_set_contents (path, v2, -1, NULL));
  import_ok (store, file, NULL, &again);
  g_assert_cmpuint (again.n_created, ==, 0);
  g_assert_cmpuint (again.n_updated, ==, 1);
  g_assert_cmpuint (again.n_unchanged, ==, 1);
  g_assert_cmpuint (count_ideas (store), ==, 2);
  idea = get_idea (store, "Plan B", NULL);
  g_assert_cmpstr (si_idea_get_body (idea), ==, "second");
}

static void
test_simplenote_txt_folder (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) folder = fixture ("simplenote", "txt", NULL);
  g_auto(SiImportStats) stats = { 0 };
  g_auto(SiImportStats) again = { 0 };
  g_autoptr(SiIdea) reading = NULL, einkauf = NULL;

  import_ok (store, folder, NULL, &stats);
  g_assert_cmpuint (stats.n_files, ==, 2);
  g_assert_cmpuint (stats.n_created, ==, 2);
  reading = get_idea (store, "Reading list", NULL);
  g_assert_cmpstr (si_idea_get_body (reading), ==, "Dune\nSolaris\n");
  /* A Unicode file name, CRLF lines. */
  einkauf = get_idea (store, "Einkäufe ☕", NULL);
  g_assert_cmpstr (si_idea_get_body (einkauf), ==, "Brot\n");

  import_ok (store, folder, NULL, &again);
  g_assert_cmpuint (again.n_created, ==, 0);
  g_assert_cmpuint (again.n_unchanged, ==, 2);
}

/* A .txt file's time is the note's; a changed file updates its note (the uid is its name's). */
static void
test_simplenote_txt_times (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "txt", NULL);
  g_autofree char *path = g_build_filename (folder, "Trip.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (folder);
  g_auto(SiImportStats) stats = { 0 };
  g_auto(SiImportStats) again = { 0 };
  g_autoptr(SiIdea) idea = NULL;
  struct utimbuf times = { 1577836800, 1577836800 };   /* 2020-01-01 */

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "Trip\n\nPack\n", -1, NULL));
  g_assert_cmpint (g_utime (path, &times), ==, 0);
  import_ok (store, file, NULL, &stats);
  idea = get_idea (store, "Trip", NULL);
  g_assert_cmpint (si_idea_get_created_at (idea), ==, G_GINT64_CONSTANT (1577836800) * G_USEC_PER_SEC);
  g_assert_cmpint (si_idea_get_updated_at (idea), ==, G_GINT64_CONSTANT (1577836800) * G_USEC_PER_SEC);
  g_clear_object (&idea);

  times.actime = times.modtime = 1580515200;   /* 2020-02-01 */
  g_assert_true (g_file_set_contents (path, "Trip\n\nPack the tent\n", -1, NULL));
  g_assert_cmpint (g_utime (path, &times), ==, 0);
  import_ok (store, file, NULL, &again);
  g_assert_cmpuint (again.n_created, ==, 0);
  g_assert_cmpuint (again.n_updated, ==, 1);
  idea = get_idea (store, "Trip", NULL);
  g_assert_cmpstr (si_idea_get_body (idea), ==, "Pack the tent\n");
}

/* The unzipped export: notes.json in source/, the .txt files beside it; notes.json is read. */
static void
test_simplenote_unzipped (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) json = fixture ("simplenote", "notes.json", NULL);
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "notes", NULL);
  g_autofree char *source = g_build_filename (folder, "source", NULL);
  g_autofree char *copy = g_build_filename (source, "notes.json", NULL);
  g_autofree char *txt = g_build_filename (folder, "Groceries.txt", NULL);
  g_autofree char *data = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (folder);
  g_auto(SiImportStats) stats = { 0 };
  gsize length = 0;

  g_assert_cmpint (g_mkdir_with_parents (source, 0700), ==, 0);
  g_assert_true (g_file_load_contents (json, NULL, &data, &length, NULL, NULL));
  g_assert_true (g_file_set_contents (copy, data, (gssize) length, NULL));
  g_assert_true (g_file_set_contents (txt, "Groceries\n\n- milk\n- eggs\n", -1, NULL));
  import_ok (store, file, NULL, &stats);
  g_assert_cmpuint (stats.n_files, ==, 1);
  g_assert_cmpuint (stats.n_created, ==, 5);

  /* Its source/ folder alone: the same notes. */
  {
    g_autoptr(GFile) source_folder = g_file_new_for_path (source);
    g_auto(SiImportStats) again = { 0 };

    import_ok (store, source_folder, NULL, &again);
    g_assert_cmpuint (again.n_created, ==, 0);
    g_assert_cmpuint (again.n_unchanged, ==, 5);
  }
}

/* A folder of Markdown notes with a folder “Keep” or “source” in it stays Markdown. */
static void
test_markdown_folder_not_taken (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "notes", NULL);
  g_autofree char *keep = g_build_filename (folder, "Keep", NULL);
  g_autofree char *source = g_build_filename (folder, "source", NULL);
  g_autofree char *a = g_build_filename (keep, "a.md", NULL);
  g_autofree char *b = g_build_filename (source, "notes.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (folder);
  g_auto(SiImportStats) stats = { 0 };

  g_assert_cmpint (g_mkdir_with_parents (keep, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (source, 0700), ==, 0);
  g_assert_true (g_file_set_contents (a, "# Kept\n\ntext\n", -1, NULL));
  g_assert_true (g_file_set_contents (b, "{\"dependencies\": {}}", -1, NULL));
  import_ok (store, file, NULL, &stats);
  g_assert_cmpuint (stats.n_created, ==, 1);
  g_object_unref (get_idea (store, "Kept", NULL));
}

/* Google Keep ---------------------------------------------------------------------------------- */

static void
test_keep_takeout (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) takeout = fixture ("keep", "Takeout", NULL);
  g_auto(SiImportStats) stats = { 0 };
  g_auto(SiImportStats) again = { 0 };
  g_autoptr(SiIdea) shopping = NULL, plumber = NULL, cafe = NULL;

  /* The Takeout folder (holding Keep/) is recognised as well as Keep/ itself. */
  import_ok (store, takeout, NULL, &stats);
  g_assert_cmpuint (stats.n_created, ==, 3);
  g_assert_cmpuint (stats.n_files, ==, 3);

  /* A checklist, µs times. */
  shopping = get_idea (store, "Shopping", NULL);
  g_assert_cmpstr (si_idea_get_body (shopping), ==, "- [x] Bread\n- [ ] Jam");
  g_assert_true (si_idea_get_pinned (shopping));
  assert_tags (store, shopping, "Errands");
  g_assert_cmpint (si_idea_get_created_at (shopping), ==, G_GINT64_CONSTANT (1690000000000001));
  g_assert_cmpint (si_idea_get_updated_at (shopping), ==, G_GINT64_CONSTANT (1700000000123456));

  /* No title: the first line; archived: tagged; a web link kept in the text. */
  plumber = get_idea (store, "Call the plumber", NULL);
  g_assert_cmpstr (si_idea_get_body (plumber), ==, "Call the plumber\nabout the sink\n\nhttps://example.com/plumbers");
  assert_tags (store, plumber, "Errands, Home, archived");

  /* Trashed, with a Unicode file name. */
  cafe = get_idea (store, "Café ☕", NULL);
  assert_tags (store, cafe, "trash");

  /* Attachments: each reported with its note. */
  g_assert_cmpuint (stats.n_attachments, ==, 3);
  g_assert_nonnull (stats.attachments);
  g_assert_cmpstr (g_ptr_array_index (stats.attachments, 0), ==, "Café ☕ — ABC-photo.png");
  g_assert_cmpstr (g_ptr_array_index (stats.attachments, 1), ==, "Café ☕ — voice.3gp");
  g_assert_cmpstr (g_ptr_array_index (stats.attachments, 2), ==, "Shopping — 1a2b3c4d.jpg");

  /* The .html beside a .json is not read; one without its .json is reported. */
  g_assert_cmpuint (stats.n_skipped, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (stats.skipped, 0), "Old note.html"));

  /* From the folder the zip was unpacked into (Takeout/Keep in it): the same notes. */
  {
    g_autoptr(GFile) unpacked = fixture ("keep", NULL);
    g_auto(SiImportStats) from_above = { 0 };

    import_ok (store, unpacked, NULL, &from_above);
    g_assert_cmpuint (from_above.n_created, ==, 0);
    g_assert_cmpuint (from_above.n_unchanged, ==, 3);
  }

  /* Again, from Keep/ itself: the same notes. */
  {
    g_autoptr(GFile) keep = fixture ("keep", "Takeout", "Keep", NULL);

    import_ok (store, keep, NULL, &again);
    g_assert_cmpuint (again.n_created, ==, 0);
    g_assert_cmpuint (again.n_unchanged, ==, 3);
  }
}

static void
test_keep_skip_archived (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) keep = fixture ("keep", "Takeout", "Keep", NULL);
  g_auto(SiImportStats) stats = { 0 };
  SiImportOptions options = { SI_IMPORT_ARCHIVED_SKIP, NULL, NULL };
  g_autoptr(SiIdea) shopping = NULL;

  import_ok (store, keep, &options, &stats);
  g_assert_cmpuint (stats.n_created, ==, 1);
  g_assert_cmpuint (stats.n_left_out, ==, 2);
  /* Only the imported note's attachments are listed. */
  g_assert_cmpuint (stats.n_attachments, ==, 1);
  shopping = get_idea (store, "Shopping", NULL);
  g_assert_cmpuint (count_ideas (store), ==, 1);
}

/* Two notes with one id (Keep's creation time): both are kept, and stay apart on a re-import. */
static void
test_keep_same_id (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "Keep", NULL);
  g_autofree char *a = g_build_filename (folder, "a.json", NULL);
  g_autofree char *b = g_build_filename (folder, "b.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (folder);
  g_auto(SiImportStats) stats = { 0 };
  g_auto(SiImportStats) again = { 0 };

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (a, "{\"title\":\"A\",\"textContent\":\"one\",\"isTrashed\":false,"
                                         "\"createdTimestampUsec\":1600000000000000}", -1, NULL));
  g_assert_true (g_file_set_contents (b, "{\"title\":\"B\",\"textContent\":\"two\",\"isTrashed\":false,"
                                         "\"createdTimestampUsec\":1600000000000000}", -1, NULL));
  import_ok (store, file, NULL, &stats);
  g_assert_cmpuint (stats.n_created, ==, 2);
  import_ok (store, file, NULL, &again);
  g_assert_cmpuint (again.n_created, ==, 0);
  g_assert_cmpuint (again.n_unchanged, ==, 2);
  g_assert_cmpuint (count_ideas (store), ==, 2);
}

/* Standard Notes ------------------------------------------------------------------------------- */

static void
test_standardnotes_backup (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) file = fixture ("standardnotes", "backup.json", NULL);
  g_auto(SiImportStats) stats = { 0 };
  g_auto(SiImportStats) again = { 0 };
  g_autoptr(SiIdea) plan = NULL, untitled = NULL, archived = NULL, binned = NULL;

  import_ok (store, file, NULL, &stats);
  g_assert_cmpuint (stats.n_created, ==, 4);   /* the deleted item and the preferences are not notes */

  plan = get_idea (store, "Plan", NULL);
  g_assert_cmpstr (si_idea_get_body (plan), ==, "Step one\nStep two");
  g_assert_true (si_idea_get_pinned (plan));
  assert_tags (store, plan, "Work");
  g_assert_cmpint (si_idea_get_updated_at (plan), ==, usec_of ("2021-05-02T08:00:00Z"));

  /* No title: the first line. A nested tag: parent/child. */
  untitled = get_idea (store, "A note without a title", NULL);
  g_assert_cmpstr (si_idea_get_body (untitled), ==, "A note without a title\nand a second line");
  assert_tags (store, untitled, "Work, Work/Ideas");

  archived = get_idea (store, "Archived thought", NULL);
  assert_tags (store, archived, "archived");
  binned = get_idea (store, "Binned", NULL);
  assert_tags (store, binned, "trash");

  import_ok (store, file, NULL, &again);
  g_assert_cmpuint (again.n_created, ==, 0);
  g_assert_cmpuint (again.n_unchanged, ==, 4);

  /* Standard Notes saves its backups as .txt files: recognised by the content, not the name. */
  {
    g_autofree char *data = NULL;
    g_autoptr(GFile) txt = NULL;
    g_auto(SiImportStats) as_txt = { 0 };
    gsize length = 0;

    g_assert_true (g_file_load_contents (file, NULL, &data, &length, NULL, NULL));
    txt = write_temp ("Standard Notes Decrypted Backup.txt", data);
    import_ok (store, txt, NULL, &as_txt);
    g_assert_cmpuint (as_txt.n_created, ==, 0);
    g_assert_cmpuint (as_txt.n_unchanged, ==, 4);
  }
}

static void
test_standardnotes_skip_archived (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) file = fixture ("standardnotes", "backup.json", NULL);
  g_auto(SiImportStats) stats = { 0 };
  SiImportOptions options = { SI_IMPORT_ARCHIVED_SKIP, NULL, NULL };

  import_ok (store, file, &options, &stats);
  g_assert_cmpuint (stats.n_created, ==, 2);
  g_assert_cmpuint (stats.n_left_out, ==, 2);
}

/* A title longer than Saveidea's: cut, and the body starts with all of it. */
static void
test_long_title (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autofree char *title = g_strnfill (SI_TITLE_MAX_CHARS + 5, 'x');
  g_autofree char *text = g_strdup_printf ("{\"version\":\"004\",\"items\":[{\"uuid\":\"u\",\"content_type\":\"Note\","
                                           "\"content\":{\"title\":\"%s\",\"text\":\"body\"}}]}", title);
  g_autofree char *body = g_strconcat (title, "\n\nbody", NULL);
  g_autofree char *cut = NULL;
  g_autoptr(GFile) file = write_temp ("long.json", text);
  g_auto(SiImportStats) stats = { 0 };
  g_autoptr(SiIdea) idea = NULL;
  g_autofree char *prefix = g_strnfill (SI_TITLE_MAX_CHARS - 1, 'x');

  import_ok (store, file, NULL, &stats);
  g_assert_cmpuint (stats.n_created, ==, 1);
  cut = g_strconcat (prefix, "…", NULL);
  idea = get_idea (store, cut, NULL);
  g_assert_cmpstr (si_idea_get_body (idea), ==, body);
}

/* A Saveidea export whose ideas quote other apps' keys is still read as Saveidea's, whatever
 * its name. */
static void
test_saveidea_export_first (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) file = write_temp ("backup.txt",
    "{\"format\": \"saveidea\", \"version\": 1, \"ideas\": [{\"uid\": \"5b0f6c1e-8a3d-4e2f-9c7b-1d2e3f4a5b6c\", "
    "\"title\": \"Keys\", \"body\": \"x\"}], \"activeNotes\": [], \"items\": [], \"version\": 1}");
  g_auto(SiImportStats) stats = { 0 };
  g_autoptr(SiIdea) idea = NULL;

  import_ok (store, file, NULL, &stats);
  g_assert_cmpuint (stats.n_created, ==, 1);
  idea = get_idea (store, "Keys", NULL);
  g_assert_cmpstr (si_idea_get_uid (idea), ==, "5b0f6c1e-8a3d-4e2f-9c7b-1d2e3f4a5b6c");
}

/* Bad input ------------------------------------------------------------------------------------ */

static void
assert_import_fails (SiStore    *store,
                     GFile      *file,
                     gint        code,
                     const char *in_message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (file);
  guint before = count_ideas (store);

  g_assert_false (si_import (store, file, NULL, NULL, &error));
  g_assert_error (error, SI_IMPORT_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, name));
  if (strstr (error->message, in_message) == NULL)
    g_error ("“%s” does not say “%s”", error->message, in_message);
  g_assert_cmpuint (count_ideas (store), ==, before);
}

static GFile *
write_temp (const char *name,
            const char *text)
{
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "bad", NULL);
  g_autofree char *path = g_build_filename (folder, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return g_file_new_for_path (path);
}

static void
test_bad_files (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) encrypted = fixture ("standardnotes", "encrypted.json", NULL);
  struct {
    const char *name;
    const char *text;
    gint        code;
    const char *message;
  } cases[] = {
    /* A good note first, then a broken one: nothing of the file is imported. */
    { "bad-date.json",
      "{\"activeNotes\":[{\"id\":\"a\",\"content\":\"Fine\"},{\"id\":\"b\",\"content\":\"x\",\"creationDate\":\"yesterday\"}]}",
      SI_IMPORT_ERROR_INVALID, "note 2: “creationDate” is not a date and time" },
    { "no-content.json", "{\"activeNotes\":[{\"id\":\"a\"}]}", SI_IMPORT_ERROR_INVALID, "note 1 has no “content”" },
    { "not-list.json", "{\"activeNotes\":{}}", SI_IMPORT_ERROR_INVALID, "“activeNotes” must be a list" },
    { "truncated.json", "{\"activeNotes\":[{\"id\":\"a\",\"content\":\"x", SI_IMPORT_ERROR_INVALID, "not valid JSON" },
    { "keep-usec.json", "{\"title\":\"t\",\"textContent\":\"x\",\"isTrashed\":false,\"userEditedTimestampUsec\":\"soon\"}",
      SI_IMPORT_ERROR_INVALID, "“userEditedTimestampUsec” is not a time in microseconds" },
    { "keep-huge-usec.json", "{\"textContent\":\"x\",\"isTrashed\":false,\"createdTimestampUsec\":999999999999999999}",
      SI_IMPORT_ERROR_INVALID, "“createdTimestampUsec” is not a time in microseconds" },
    { "sn-no-uuid.json", "{\"version\":\"004\",\"items\":[{\"content_type\":\"Note\",\"content\":{\"text\":\"x\"}}]}",
      SI_IMPORT_ERROR_INVALID, "note 1 has no “uuid”" },
    { "sn-not-object.json", "{\"version\":\"004\",\"items\":[3]}", SI_IMPORT_ERROR_INVALID, "item 1 is not an object" },
    /* Foreign files nobody reads. */
    { "picture.png", "\x89PNG\r\n\x1a\n\x01\x02\xff\xfe", SI_IMPORT_ERROR_UNSUPPORTED, "does not know this kind of file" },
    { "other.json", "{\"notes\":[]}", SI_IMPORT_ERROR_UNSUPPORTED, "not a Saveidea export" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GFile) file = NULL;

      file = write_temp (cases[i].name, cases[i].text);
      assert_import_fails (store, file, cases[i].code, cases[i].message);
    }
  assert_import_fails (store, encrypted, SI_IMPORT_ERROR_UNSUPPORTED, "decrypted backup");
  g_assert_cmpuint (count_ideas (store), ==, 0);
}

static void
progress_cb (guint    done,
             guint    total,
             gpointer user_data)
{
  guint *seen = user_data;

  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (done, >=, seen[0]);
  seen[0] = done;
  seen[1] = total;
  seen[2]++;
}

/* The writer says how far it is, and last that it is done. */
static void
test_progress (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) file = fixture ("simplenote", "notes.json", NULL);
  g_auto(SiImportStats) stats = { 0 };
  guint seen[3] = { 0, 0, 0 };
  SiImportOptions options = { SI_IMPORT_ARCHIVED_TAG, progress_cb, seen };

  import_ok (store, file, &options, &stats);
  g_assert_cmpuint (stats.n_created, ==, 5);
  g_assert_cmpuint (seen[0], ==, 5);
  g_assert_cmpuint (seen[1], ==, 5);
  g_assert_cmpuint (seen[2], >=, 2);
}

/* Notes without any time (and, for Simplenote, without an id): their uids come from what the
 * export holds, never from the time now, so a second import creates nothing (fuzz-import found
 * the Keep case: a new idea at every import). */
static void
test_untimed_notes_once (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autofree char *keep_dir = g_build_filename (g_get_user_data_dir (), "untimed", "Takeout", "Keep", NULL);
  g_autofree char *keep_note = g_build_filename (keep_dir, "No times.json", NULL);
  g_autoptr(GFile) keep = NULL;
  g_autoptr(GFile) simplenote = write_temp ("notes.json",
                                            "{\"activeNotes\":[{\"content\":\"Untimed\\nbody\"},"
                                            "{\"content\":\"Untimed\\nbody\"}]}");
  SiImportStats stats = { 0 };

  g_assert_cmpint (g_mkdir_with_parents (keep_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (keep_note, "{\"title\":\"No times\",\"textContent\":\"body\",\"isTrashed\":false}", -1, NULL));
  keep = g_file_new_for_path (keep_dir);

  for (guint round = 0; round < 2; round++)
    {
      memset (&stats, 0, sizeof stats);
      import_ok (store, keep, NULL, &stats);
      g_assert_cmpuint (stats.n_created, ==, round == 0 ? 1 : 0);
      memset (&stats, 0, sizeof stats);
      import_ok (store, simplenote, NULL, &stats);
      g_assert_cmpuint (stats.n_created, ==, round == 0 ? 2 : 0);
    }
  g_assert_cmpuint (count_ideas (store), ==, 3);
}

/* A Keep note whose .json has no "textContent" (only its .html has the text): the .html's
 * text, as Markdown. The .html is laid out as Takeout writes one: the note's div holds a
 * heading, a "title" div and a "content" div whose lines are separated by <br> (HTML, not
 * closed). */
static void
test_keep_html_only (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "html-only", "Takeout", "Keep", NULL);
  g_autofree char *json = g_build_filename (dir, "Garden.json", NULL);
  g_autofree char *html = g_build_filename (dir, "Garden.html", NULL);
  g_autofree char *broken_dir = g_build_filename (g_get_user_data_dir (), "html-broken", "Keep", NULL);
  g_autofree char *broken_json = g_build_filename (broken_dir, "Broken.json", NULL);
  g_autofree char *broken_html = g_build_filename (broken_dir, "Broken.html", NULL);
  g_autoptr(GFile) keep = NULL;
  g_autoptr(GFile) broken = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(SiImportStats) stats = { 0 };
  g_auto(SiImportStats) none = { 0 };
  g_autoptr(SiIdea) garden = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (json, "{\"color\":\"DEFAULT\",\"isTrashed\":false,\"isPinned\":false,"
                                      "\"isArchived\":false,\"title\":\"Garden\","
                                      "\"userEditedTimestampUsec\":1700000000000000,"
                                      "\"createdTimestampUsec\":1690000000000000}", -1, NULL));
  g_assert_true (g_file_set_contents (html,
                                      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                      "<html><head><meta charset=\"utf-8\"><title>Garden</title>"
                                      "<style type=\"text/css\">.note { margin: 0 }</style></head>"
                                      "<body><div class=\"note DEFAULT\"><div class=\"heading\">"
                                      "<div class=\"meta-icons\"></div>Nov 14, 2023</div>\n"
                                      "<div class=\"title\">Garden</div>\n"
                                      "<div class=\"content\">Plant <b>tulips</b><br>in autumn &amp; "
                                      "water&nbsp;them<br><br>Then wait</div>\n"
                                      "</div></body></html>", -1, NULL));
  keep = g_file_new_for_path (dir);
  import_ok (store, keep, NULL, &stats);
  g_assert_cmpuint (stats.n_created, ==, 1);
  garden = get_idea (store, "Garden", NULL);
  g_assert_cmpstr (si_idea_get_body (garden), ==, "Plant **tulips**\nin autumn & water them\n\nThen wait");

  /* An .html GMarkup cannot read even so: the import says which file, and imports nothing. */
  g_assert_cmpint (g_mkdir_with_parents (broken_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (broken_json, "{\"isTrashed\":false,\"title\":\"Broken\","
                                      "\"userEditedTimestampUsec\":1700000000000000}", -1, NULL));
  g_assert_true (g_file_set_contents (broken_html, "<div class=\"content\">a <i>b</b></div>", -1, NULL));
  broken = g_file_new_for_path (broken_dir);
  g_assert_false (si_import (store, broken, &none, NULL, &error));
  g_assert_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Broken.html"));
  g_assert_cmpuint (count_ideas (store), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/import-apps/simplenote/json", test_simplenote_json);
  g_test_add_func ("/import-apps/simplenote/skip-trashed", test_simplenote_skip_trashed);
  g_test_add_func ("/import-apps/simplenote/reimport-updates", test_simplenote_reimport_updates);
  g_test_add_func ("/import-apps/simplenote/txt-folder", test_simplenote_txt_folder);
  g_test_add_func ("/import-apps/simplenote/txt-times", test_simplenote_txt_times);
  g_test_add_func ("/import-apps/simplenote/unzipped", test_simplenote_unzipped);
  g_test_add_func ("/import-apps/markdown-folder-not-taken", test_markdown_folder_not_taken);
  g_test_add_func ("/import-apps/keep/takeout", test_keep_takeout);
  g_test_add_func ("/import-apps/keep/skip-archived", test_keep_skip_archived);
  g_test_add_func ("/import-apps/keep/same-id", test_keep_same_id);
  g_test_add_func ("/import-apps/keep/html-only", test_keep_html_only);
  g_test_add_func ("/import-apps/standardnotes/backup", test_standardnotes_backup);
  g_test_add_func ("/import-apps/standardnotes/skip-archived", test_standardnotes_skip_archived);
  g_test_add_func ("/import-apps/saveidea-export-first", test_saveidea_export_first);
  g_test_add_func ("/import-apps/long-title", test_long_title);
  g_test_add_func ("/import-apps/bad-files", test_bad_files);
  g_test_add_func ("/import-apps/progress", test_progress);
  g_test_add_func ("/import-apps/untimed-notes-once", test_untimed_notes_once);
  return g_test_run ();
}
