/* test-import-export.c — exports a person can read and bring back without losing anything. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "si-export.h"
#include "si-import.h"
#include "si-store-private.h"

static char *
temp_path (const char *name)
{
  /* G_TEST_OPTION_ISOLATE_DIRS gives every test its own XDG_DATA_HOME. */
  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  return g_build_filename (g_get_user_data_dir (), name, NULL);
}

static SiStore *
open_store (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = temp_path (name);
  SiStore *store = si_store_new (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static SiIdea *
add_idea (SiStore            *store,
          const char         *title,
          const char         *body,
          gboolean            pinned,
          const char * const *tags)
{
  g_autoptr(GError) error = NULL;
  SiIdea *idea = si_idea_new (title, body);

  si_idea_set_pinned (idea, pinned);
  g_assert_true (si_import_save_idea (store, idea, tags, &error));
  g_assert_no_error (error);
  return idea;
}

static guint
count_ideas (SiStore *store)
{
  g_autoptr(GError) error = NULL;
  guint n = si_store_count_ideas (store, NULL, &error);

  g_assert_no_error (error);
  return n;
}

static guint
count_tags (SiStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tags = si_store_list_tags (store, &error);

  g_assert_no_error (error);
  return tags->len;
}

static GPtrArray *
all_ideas (SiStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) keys = si_store_query_ideas (store, NULL, &error);
  GPtrArray *ideas = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_no_error (error);
  for (guint i = 0; i < keys->len; i++)
    {
      SiIdea *idea = si_store_get_idea (store, g_array_index (keys, SiIdeaKey, i).id, &error);
      g_assert_no_error (error);
      g_ptr_array_add (ideas, idea);
    }
  return ideas;
}

static void
write_text (GFile      *folder,
            const char *name,
            const char *text,
            gssize      length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_get_child (folder, name);
  g_autofree char *path = g_file_get_path (file);

  g_assert_true (g_file_set_contents (path, text, length, &error));
  g_assert_no_error (error);
}

static GFile *
temp_folder (const char *name)
{
  g_autofree char *path = temp_path (name);

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  return g_file_new_for_path (path);
}

static guint
count_files (GFile *folder)
{
  g_autofree char *path = g_file_get_path (folder);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir))
    n++;
  return n;
}

/* A notebook with the awkward cases: quotes, colons and slashes in titles, a body that looks like
 * front matter, no title, the same title twice, non-ASCII, an unused tag with a colour. */
static SiStore *
make_notebook (const char *name)
{
  static const char * const work_home[] = { "work", "home", NULL };
  static const char * const cafe[] = { "Ünïcode ☕", NULL };
  static const char * const work[] = { "work", NULL };
  SiStore *store = open_store (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTag) unused = si_tag_new ("unused");
  SiIdea *ideas[] = {
    add_idea (store, "Plain", "Line 1\nLine 2\n", TRUE, work_home),
    add_idea (store, "She said \"hi\": a\\b / c", "---\ntitle: not front matter\n---\n", FALSE, NULL),
    add_idea (store, "", "Body first line\nmore", FALSE, work),
    add_idea (store, "Café ☕ 日本語", "\n\nleading blank lines, no trailing newline", FALSE, cafe),
    add_idea (store, "Same", "one", FALSE, NULL),
    add_idea (store, "Same", "two", TRUE, NULL),
    add_idea (store, "../../etc/passwd", "tab\there\r\nand a CR", FALSE, NULL),
  };

  for (guint i = 0; i < G_N_ELEMENTS (ideas); i++)
    g_object_unref (ideas[i]);
  si_tag_set_colour (unused, "#3584e4");
  g_assert_true (si_store_save_tag (store, unused, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  return store;
}

static void
assert_same_notebook (SiStore  *a,
                      SiStore  *b,
                      gboolean  same_tags)
{
  g_autoptr(GPtrArray) ideas = all_ideas (a);

  g_assert_cmpuint (count_ideas (b), ==, ideas->len);
  for (guint i = 0; i < ideas->len; i++)
    {
      SiIdea *x = g_ptr_array_index (ideas, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(SiIdea) y = si_store_get_idea_by_uid (b, si_idea_get_uid (x), &error);

      g_assert_no_error (error);
      g_assert_nonnull (y);
      g_assert_cmpstr (si_idea_get_title (y), ==, si_idea_get_title (x));
      g_assert_cmpstr (si_idea_get_body (y), ==, si_idea_get_body (x));
      g_assert_cmpint (si_idea_get_pinned (y), ==, si_idea_get_pinned (x));
      g_assert_true (g_strv_equal (si_idea_get_tag_names (y), si_idea_get_tag_names (x)));
      g_assert_cmpint (si_idea_get_created_at (y), ==, si_idea_get_created_at (x));
      g_assert_cmpint (si_idea_get_updated_at (y), ==, si_idea_get_updated_at (x));
      /* Imported ideas are local work: they wait to be pushed. */
      g_assert_cmpint (si_idea_get_sync_state (y), ==, SI_SYNC_STATE_CREATED);
    }
  if (same_tags)
    g_assert_cmpuint (count_tags (b), ==, count_tags (a));
}

static void
test_markdown_round_trip (void)
{
  g_autoptr(SiStore) a = make_notebook ("a.db");
  g_autoptr(SiStore) b = open_store ("b.db");
  g_autoptr(GFile) folder = temp_folder ("export-md");
  g_autoptr(GFile) same2 = g_file_get_child (folder, "Same (2).md");
  g_autoptr(GFile) passwd = g_file_get_child (folder, "-..-etc-passwd.md");
  g_autoptr(GError) error = NULL;
  SiImportStats stats = { 0 };
  guint n = 0;

  g_assert_true (si_export (a, SI_EXPORT_FORMAT_MARKDOWN, folder, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 7);
  g_assert_cmpuint (count_files (folder), ==, 7);
  /* Same title: two files. A path in a title stays inside the folder. */
  g_assert_true (g_file_query_exists (same2, NULL));
  g_assert_true (g_file_query_exists (passwd, NULL));

  g_assert_true (si_import (b, folder, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_files, ==, 7);
  g_assert_cmpuint (stats.n_created, ==, 7);
  g_assert_cmpuint (stats.n_tags_created, ==, 3);   /* the unused tag is not in Markdown */
  assert_same_notebook (a, b, FALSE);

  /* Importing it again changes nothing. */
  memset (&stats, 0, sizeof stats);
  g_assert_true (si_import (b, folder, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_created, ==, 0);
  g_assert_cmpuint (stats.n_updated, ==, 0);
  g_assert_cmpuint (stats.n_unchanged, ==, 7);
  g_assert_cmpuint (stats.n_tags_created, ==, 0);
  assert_same_notebook (a, b, FALSE);

  /* Exporting again into the folder overwrites its own files, nothing more. */
  g_assert_true (si_export_markdown (a, folder, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_files (folder), ==, 7);
}

static void
test_markdown_keeps_other_files (void)
{
  g_autoptr(SiStore) a = open_store ("a.db");
  g_autoptr(SiIdea) idea = add_idea (a, "Notes", "mine", FALSE, NULL);
  g_autoptr(GFile) folder = temp_folder ("export-md");
  g_autoptr(GFile) theirs = g_file_get_child (folder, "Notes.md");
  g_autoptr(GFile) ours = g_file_get_child (folder, "Notes (2).md");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  write_text (folder, "Notes.md", "somebody else's notes\n", -1);
  g_assert_true (si_export_markdown (a, folder, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_load_contents (theirs, NULL, &contents, NULL, NULL, &error));
  g_assert_cmpstr (contents, ==, "somebody else's notes\n");
  g_assert_true (g_file_query_exists (ours, NULL));
}

static void
test_json_round_trip (void)
{
  g_autoptr(SiStore) a = make_notebook ("a.db");
  g_autoptr(SiStore) b = open_store ("b.db");
  g_autoptr(GFile) folder = temp_folder ("export-json");
  g_autoptr(GFile) file = g_file_get_child (folder, SI_EXPORT_JSON_FILE_NAME);
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTag) unused = NULL;
  g_autoptr(SiTag) unused_a = NULL;
  SiImportStats stats = { 0 };
  guint n = 0;

  g_assert_true (si_export (a, SI_EXPORT_FORMAT_JSON, folder, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 7);
  g_assert_true (g_file_query_exists (file, NULL));

  /* The folder itself is importable: it holds saveidea.json. */
  g_assert_true (si_import (b, folder, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_created, ==, 7);
  g_assert_cmpuint (stats.n_tags_created, ==, 4);
  assert_same_notebook (a, b, TRUE);

  /* Tags come back with their colour and uid, even unused ones. */
  unused = si_store_find_tag (b, "UNUSED", &error);
  g_assert_no_error (error);
  unused_a = si_store_find_tag (a, "unused", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (si_tag_get_colour (unused), ==, "#3584e4");
  g_assert_cmpstr (si_tag_get_uid (unused), ==, si_tag_get_uid (unused_a));

  memset (&stats, 0, sizeof stats);
  g_assert_true (si_import_json_file (b, file, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_created, ==, 0);
  g_assert_cmpuint (stats.n_unchanged, ==, 7);
  g_assert_cmpuint (stats.n_tags_created, ==, 0);
  assert_same_notebook (a, b, TRUE);
}

static void
test_reimport_updates_changed (void)
{
  g_autoptr(SiStore) a = open_store ("a.db");
  g_autoptr(SiStore) b = open_store ("b.db");
  g_autoptr(SiIdea) one = add_idea (a, "One", "first", FALSE, NULL);
  g_autoptr(SiIdea) two = add_idea (a, "Two", "second", FALSE, NULL);
  g_autoptr(GFile) folder = temp_folder ("export-md");
  g_autoptr(GFile) file = g_file_get_child (folder, "One.md");
  g_autoptr(SiIdea) imported = NULL;
  g_autoptr(SiIdea) edited = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *path = g_file_get_path (file);
  SiImportStats stats = { 0 };

  g_assert_true (si_export_markdown (a, folder, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (si_import (b, folder, NULL, NULL, &error));
  g_assert_no_error (error);

  /* Someone edits one file and adds a tag: re-importing updates that idea only. */
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  changed = g_strconcat (text, " and more", NULL);
  {
    g_autoptr(GString) edit = g_string_new (changed);

    g_assert_cmpuint (g_string_replace (edit, "tags: []", "tags: [x]", 1), ==, 1);
    write_text (folder, "One.md", edit->str, -1);
  }
  g_assert_true (si_import (b, folder, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_updated, ==, 1);
  g_assert_cmpuint (stats.n_unchanged, ==, 1);
  g_assert_cmpuint (stats.n_tags_created, ==, 1);
  imported = si_store_get_idea_by_uid (b, si_idea_get_uid (one), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_body (imported), ==, "first and more");
  g_assert_cmpstr (si_idea_get_tag_names (imported)[0], ==, "x");
  g_assert_cmpint (si_idea_get_updated_at (imported), ==, si_idea_get_updated_at (one));
  g_assert_cmpuint (count_ideas (b), ==, 2);

  /* An idea changed in the notebook after the export keeps that change. */
  edited = si_store_get_idea_by_uid (b, si_idea_get_uid (two), &error);
  g_assert_no_error (error);
  si_idea_set_body (edited, "newer here");
  g_assert_true (si_store_save_idea (b, edited, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  g_assert_true (si_import (b, folder, NULL, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&edited);
  edited = si_store_get_idea_by_uid (b, si_idea_get_uid (two), &error);
  g_assert_cmpstr (si_idea_get_body (edited), ==, "newer here");

  /* A deleted idea comes back when imported again. */
  g_assert_true (si_store_delete_idea (b, si_idea_get_id (edited), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  memset (&stats, 0, sizeof stats);
  g_assert_true (si_import (b, folder, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_created, ==, 1);
  g_assert_cmpuint (count_ideas (b), ==, 2);

  /* So does one deleted after it reached the server (a tombstone until the deletion is pushed):
   * it is alive again, with its uid, and waits to be pushed. */
  g_clear_object (&imported);
  imported = si_store_get_idea_by_uid (b, si_idea_get_uid (one), &error);
  g_assert_no_error (error);
  g_assert_true (_si_store_begin (b, &error));
  g_assert_true (_si_store_sync_mark_pushed (b, SI_COLLECTION_IDEAS, si_idea_get_id (imported),
                                             si_idea_get_generation (imported), 77, 1, NULL, NULL, &error));
  g_assert_true (_si_store_commit (b, &error));
  g_assert_no_error (error);
  g_assert_true (si_store_delete_idea (b, si_idea_get_id (imported), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_ideas (b), ==, 1);
  memset (&stats, 0, sizeof stats);
  g_assert_true (si_import (b, folder, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_created, ==, 1);
  g_assert_cmpuint (count_ideas (b), ==, 2);
  g_clear_object (&imported);
  imported = si_store_get_idea_by_uid (b, si_idea_get_uid (one), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_body (imported), ==, "first and more");
  g_assert_cmpint (si_idea_get_sid (imported), ==, 77);
  g_assert_cmpint (si_idea_get_sync_state (imported), ==, SI_SYNC_STATE_MODIFIED);
  g_assert_cmpstr (si_idea_get_tag_names (imported)[0], ==, "x");
}

static void
test_markdown_without_front_matter (void)
{
  g_autoptr(SiStore) store = open_store ("a.db");
  g_autoptr(GFile) folder = temp_folder ("notes");
  g_autoptr(GFile) sub = g_file_get_child (folder, "sub");
  g_autoptr(GFile) heading = g_file_get_child (folder, "heading.md");
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GDateTime) mtime = NULL;
  g_autoptr(GPtrArray) ideas = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  SiImportStats stats = { 0 };
  gint64 heading_time;

  g_assert_true (g_file_make_directory (sub, NULL, &error));
  write_text (folder, "heading.md", "\n# A heading title ##\n\nThe text.\n", -1);
  write_text (folder, "line.markdown", "Just a first line\nand a second\n", -1);
  write_text (sub, "tagged.md",
              "---\n"
              "title: 'It''s quoted'\n"
              "aliases: [ignored]\n"
              "tags:\n"
              "  - alpha\n"
              "  - \"#beta\"\n"
              "pinned: yes   # a comment\n"
              "created: 2024-05-01\n"
              "---\n"
              "Body right after.\n", -1);
  write_text (folder, "commas.md", "---\ntags: one, two\ntitle: Plain: with colon\n---\n", -1);
  write_text (folder, "ignored.txt", "not markdown", -1);
  write_text (folder, ".hidden.md", "hidden", -1);

  g_assert_true (si_import (store, folder, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_files, ==, 4);
  g_assert_cmpuint (stats.n_created, ==, 4);

  found = si_store_search (store, "heading", 0, &error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (si_idea_get_title (g_ptr_array_index (found, 0)), ==, "A heading title");
  g_assert_cmpstr (si_idea_get_body (g_ptr_array_index (found, 0)), ==, "The text.\n");
  /* With no times in the file, the file's own time is kept. */
  info = g_file_query_info (heading, G_FILE_ATTRIBUTE_TIME_MODIFIED "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                            G_FILE_QUERY_INFO_NONE, NULL, &error);
  mtime = g_file_info_get_modification_date_time (info);
  heading_time = g_date_time_to_unix (mtime) * G_USEC_PER_SEC + g_date_time_get_microsecond (mtime);
  g_assert_cmpint (si_idea_get_created_at (g_ptr_array_index (found, 0)), ==, heading_time);
  g_clear_pointer (&found, g_ptr_array_unref);

  found = si_store_search (store, "second", 0, &error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (si_idea_get_title (g_ptr_array_index (found, 0)), ==, "Just a first line");
  g_assert_cmpstr (si_idea_get_body (g_ptr_array_index (found, 0)), ==, "and a second\n");
  g_clear_pointer (&found, g_ptr_array_unref);

  found = si_store_search (store, "quoted", 0, &error);
  g_assert_cmpuint (found->len, ==, 1);
  {
    SiIdea *idea = g_ptr_array_index (found, 0);
    const char * const tags[] = { "alpha", "beta", NULL };
    gint64 may_first = 0;

    g_assert_cmpstr (si_idea_get_title (idea), ==, "It's quoted");
    g_assert_cmpstr (si_idea_get_body (idea), ==, "Body right after.\n");
    g_assert_true (si_idea_get_pinned (idea));
    g_assert_true (g_strv_equal (si_idea_get_tag_names (idea), tags));
    g_assert_true (si_import_parse_time ("2024-05-01T00:00:00Z", &may_first));
    g_assert_cmpint (si_idea_get_created_at (idea), ==, may_first);
  }
  g_clear_pointer (&found, g_ptr_array_unref);

  found = si_store_search (store, "colon", 0, &error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (si_idea_get_title (g_ptr_array_index (found, 0)), ==, "Plain: with colon");
  g_assert_cmpuint (g_strv_length ((char **) si_idea_get_tag_names (g_ptr_array_index (found, 0))), ==, 2);

  /* No uid: importing the same files again matches them by their text. */
  memset (&stats, 0, sizeof stats);
  g_assert_true (si_import (store, folder, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_created, ==, 0);
  g_assert_cmpuint (stats.n_unchanged, ==, 4);
  ideas = all_ideas (store);
  g_assert_cmpuint (ideas->len, ==, 4);
}

static void
assert_import_fails (SiStore    *store,
                     GFile      *file,
                     GQuark      domain,
                     int         code,
                     const char *name_in_message)
{
  g_autoptr(GError) error = NULL;
  SiImportStats stats = { 0 };
  guint before = count_ideas (store), tags_before = count_tags (store);

  g_assert_false (si_import (store, file, &stats, NULL, &error));
  g_assert_error (error, domain, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, name_in_message));
  g_assert_cmpuint (stats.n_created, ==, 0);
  g_assert_cmpuint (count_ideas (store), ==, before);
  g_assert_cmpuint (count_tags (store), ==, tags_before);
}

static void
test_bad_input_changes_nothing (void)
{
  g_autoptr(SiStore) store = open_store ("a.db");
  g_autoptr(SiIdea) existing = add_idea (store, "Already here", "", FALSE, NULL);
  g_autoptr(GFile) folder = temp_folder ("bad");
  g_autoptr(GFile) mixed = g_file_get_child (folder, "mixed");
  g_autoptr(GFile) long_title = g_file_get_child (folder, "long.md");
  g_autoptr(GFile) broken = g_file_get_child (folder, "broken.json");
  g_autoptr(GFile) later_bad = g_file_get_child (folder, "later-bad.json");
  g_autoptr(GFile) newer = g_file_get_child (folder, "newer.json");
  g_autoptr(GFile) bad_colour = g_file_get_child (folder, "bad-colour.json");
  g_autoptr(GFile) foreign = g_file_get_child (folder, "foreign.json");
  g_autoptr(GFile) wrong_type = g_file_get_child (folder, "wrong-type.json");
  g_autoptr(GFile) bad_quote = g_file_get_child (folder, "bad-quote.md");
  g_autoptr(GFile) bad_time = g_file_get_child (folder, "bad-time.md");
  g_autoptr(GFile) missing = g_file_get_child (folder, "missing.md");
  g_autoptr(GFile) empty = g_file_get_child (folder, "empty");
  g_autoptr(GString) title = g_string_new (NULL);
  g_autofree char *long_md = NULL;
  g_autofree char *long_json = NULL;

  /* A folder with a good file and one that is not UTF-8: neither is imported. */
  g_assert_true (g_file_make_directory (mixed, NULL, NULL));
  write_text (mixed, "a-good.md", "---\ntags: [fresh]\n---\nfine\n", -1);
  write_text (mixed, "z-bad.md", "caf\xe9 in Latin-1\n", -1);
  assert_import_fails (store, mixed, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID, "z-bad.md");

  for (guint i = 0; i < SI_TITLE_MAX_CHARS + 1; i++)
    g_string_append (title, "é");
  long_md = g_strdup_printf ("---\ntitle: \"%s\"\n---\n", title->str);
  write_text (folder, "long.md", long_md, -1);
  assert_import_fails (store, long_title, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID, "long.md");

  write_text (folder, "broken.json", "{\"format\": \"saveidea\", \"version\": 1, \"ideas\": [{\"title\": \"x\"},", -1);
  assert_import_fails (store, broken, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID, "broken.json");

  /* The first idea and its tag are fine, the second is not: nothing is imported. */
  long_json = g_strdup_printf ("{\"format\": \"saveidea\", \"version\": 1, \"tags\": [{\"name\": \"t\"}],"
                               " \"ideas\": [{\"title\": \"ok\", \"tags\": [\"t2\"]}, {\"title\": \"%s\"}]}", title->str);
  write_text (folder, "later-bad.json", long_json, -1);
  assert_import_fails (store, later_bad, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID, "idea 2");

  /* Checked only while writing (the colour): the tag written before it is rolled back. */
  write_text (folder, "bad-colour.json",
              "{\"format\": \"saveidea\", \"version\": 1, \"tags\": [{\"name\": \"good\"},"
              " {\"name\": \"bad\", \"colour\": \"pink\"}], \"ideas\": [{\"title\": \"x\", \"tags\": [\"good\"]}]}", -1);
  assert_import_fails (store, bad_colour, SI_STORE_ERROR, SI_STORE_ERROR_INVALID, "bad-colour.json");

  write_text (folder, "newer.json", "{\"format\": \"saveidea\", \"version\": 2, \"ideas\": []}", -1);
  assert_import_fails (store, newer, SI_IMPORT_ERROR, SI_IMPORT_ERROR_UNSUPPORTED, "newer.json");
  write_text (folder, "foreign.json", "[1, 2, 3]", -1);
  assert_import_fails (store, foreign, SI_IMPORT_ERROR, SI_IMPORT_ERROR_UNSUPPORTED, "foreign.json");
  write_text (folder, "wrong-type.json", "{\"format\": \"saveidea\", \"version\": 1, \"ideas\": [{\"title\": 5}]}", -1);
  assert_import_fails (store, wrong_type, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID, "title");

  write_text (folder, "bad-quote.md", "---\ntitle: \"never closed\n---\nbody\n", -1);
  assert_import_fails (store, bad_quote, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID, "line 2");
  write_text (folder, "bad-time.md", "---\ncreated: last tuesday\n---\nbody\n", -1);
  assert_import_fails (store, bad_time, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID, "bad-time.md");

  /* A NUL byte: not a text file. */
  write_text (mixed, "z-bad.md", "nul\0byte", 8);
  assert_import_fails (store, mixed, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID, "z-bad.md");

  assert_import_fails (store, missing, SI_IMPORT_ERROR, SI_IMPORT_ERROR_NOT_FOUND, "missing.md");
  g_assert_true (g_file_make_directory (empty, NULL, NULL));
  assert_import_fails (store, empty, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID, "empty");

  g_assert_cmpuint (count_ideas (store), ==, 1);
  g_assert_cmpuint (count_tags (store), ==, 0);
}

static void
test_cancelled_changes_nothing (void)
{
  g_autoptr(SiStore) a = make_notebook ("a.db");
  g_autoptr(SiStore) b = open_store ("b.db");
  g_autoptr(GFile) folder = temp_folder ("export-json");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (si_export (a, SI_EXPORT_FORMAT_JSON, folder, NULL, NULL, &error));
  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  g_assert_false (si_import (b, folder, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (count_ideas (b), ==, 0);
  g_assert_cmpuint (count_tags (b), ==, 0);
  g_clear_error (&error);

  g_assert_false (si_export (a, SI_EXPORT_FORMAT_MARKDOWN, folder, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_export_to_a_file_fails (void)
{
  g_autoptr(SiStore) a = make_notebook ("a.db");
  g_autofree char *path = temp_path ("a-file");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "x", 1, NULL));
  g_assert_false (si_export (a, SI_EXPORT_FORMAT_MARKDOWN, file, NULL, NULL, &error));
  g_assert_error (error, SI_EXPORT_ERROR, SI_EXPORT_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, "a-file"));
}

static void
test_file_names (void)
{
  struct { const char *title; const char *name; } cases[] = {
    { "Plain", "Plain" },
    { "a/b\\c:d*e?f\"g<h>i|j", "a-b-c-d-e-f-g-h-i-j" },
    { "  ..hidden.  ", "hidden" },
    { "", "Untitled" },
    { "...", "Untitled" },
    { "line\nbreak\ttab", "line break tab" },
    { "Café ☕", "Café ☕" },
  };
  g_autoptr(GString) long_title = g_string_new (NULL);
  g_autofree char *long_name = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = si_export_file_name (cases[i].title);
      g_assert_cmpstr (name, ==, cases[i].name);
    }
  for (guint i = 0; i < 300; i++)
    g_string_append (long_title, "日");
  long_name = si_export_file_name (long_title->str);
  g_assert_cmpuint (g_utf8_strlen (long_name, -1), <=, 80);
  g_assert_cmpuint (strlen (long_name), <=, 200);
  g_assert_true (g_utf8_validate (long_name, -1, NULL));
}

static void
test_times (void)
{
  gint64 usec = 0;
  g_autofree char *text = si_export_format_time (1714555800123456);

  g_assert_cmpstr (text, ==, "2024-05-01T09:30:00.123456Z");
  g_assert_true (si_import_parse_time (text, &usec));
  g_assert_cmpint (usec, ==, 1714555800123456);
  g_assert_true (si_import_parse_time ("2024-05-01T11:30:00.5+02:00", &usec));
  g_assert_cmpint (usec, ==, 1714555800500000);
  g_assert_true (si_import_parse_time ("2024-05-01T09:30:00.999999Z", &usec));
  g_assert_cmpint (usec, ==, 1714555800999999);
  g_assert_true (si_import_parse_time ("2024-05-01", &usec));
  g_assert_cmpint (usec, ==, G_GINT64_CONSTANT (1714521600) * G_USEC_PER_SEC);
  g_assert_false (si_import_parse_time ("yesterday", &usec));
  g_assert_false (si_import_parse_time ("", &usec));
}

static void
test_save_idea_with_tags_is_atomic (void)
{
  g_autoptr(SiStore) store = open_store ("a.db");
  g_autoptr(GString) title = g_string_new (NULL);
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(GError) error = NULL;
  const char * const tags[] = { "new-tag", NULL };

  for (guint i = 0; i < SI_TITLE_MAX_CHARS + 1; i++)
    g_string_append_c (title, 'x');
  idea = si_idea_new (title->str, "");
  g_assert_false (si_import_save_idea (store, idea, tags, &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID);
  /* The tag it would have had was not left behind. */
  g_assert_cmpuint (count_tags (store), ==, 0);
  g_assert_cmpuint (count_ideas (store), ==, 0);
}

/* Only regular files are read. In a folder, a FIFO, a link to a device (/dev/zero) and a link to
 * nothing are left out, each named in a message, and the rest is imported; imported alone,
 * each is an error naming it. Nothing hangs on the FIFO, nothing reads /dev/zero until the
 * memory is gone: the direct imports run in a subprocess with a time limit (and a memory limit
 * where no sanitizer needs the address space), which must end normally. */
static void
test_not_regular_files (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(SiStore) store = open_store ("a.db");
      g_autoptr(GFile) folder = temp_folder ("odd");
      g_autofree char *path = g_file_get_path (folder);
      g_autofree char *fifo = g_build_filename (path, "fifo.md", NULL);
      g_autofree char *zero = g_build_filename (path, "zero.md", NULL);
      g_autofree char *dangling = g_build_filename (path, "dangling.md", NULL);
      g_autofree char *link = g_build_filename (path, "link.md", NULL);
      g_autofree char *target = g_build_filename (path, "real.txt", NULL);
      g_autoptr(GError) error = NULL;
      g_auto(SiImportStats) stats = { 0 };
      const char *odd[] = { fifo, zero };
#ifndef __SANITIZE_ADDRESS__
      struct rlimit limit = { (rlim_t) 1 << 30, (rlim_t) 1 << 30 };

      g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);
#endif
      write_text (folder, "a.md", "A\n\nfirst\n", -1);
      write_text (folder, "b.md", "B\n\nsecond\n", -1);
      write_text (folder, "real.txt", "Linked\n\nthird\n", -1);
      g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
      g_assert_cmpint (symlink ("/dev/zero", zero), ==, 0);
      g_assert_cmpint (symlink ("nowhere.md", dangling), ==, 0);
      g_assert_cmpint (symlink (target, link), ==, 0);

      g_assert_true (si_import (store, folder, &stats, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (stats.n_files, ==, 3);
      g_assert_cmpuint (stats.n_created, ==, 3);
      g_assert_cmpuint (stats.n_skipped, ==, 3);
      g_assert_nonnull (stats.skipped);
      g_assert_cmpuint (stats.skipped->len, ==, 3);
      for (guint i = 0; i < stats.skipped->len; i++)
        g_test_message ("%s", (const char *) g_ptr_array_index (stats.skipped, i));
      g_assert_nonnull (strstr (g_ptr_array_index (stats.skipped, 0), "dangling.md"));
      g_assert_nonnull (strstr (g_ptr_array_index (stats.skipped, 1), "fifo.md"));
      g_assert_nonnull (strstr (g_ptr_array_index (stats.skipped, 2), "zero.md"));
      g_assert_cmpuint (count_ideas (store), ==, 3);

      for (guint i = 0; i < G_N_ELEMENTS (odd); i++)
        {
          g_autoptr(GFile) file = g_file_new_for_path (odd[i]);

          g_clear_error (&error);
          g_assert_false (si_import (store, file, NULL, NULL, &error));
          g_assert_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_NOT_REGULAR);
          g_assert_nonnull (strstr (error->message, odd[i]));
          g_clear_error (&error);
          g_assert_false (si_import_markdown_file (store, file, NULL, NULL, &error));
          g_assert_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_NOT_REGULAR);
        }
      g_assert_cmpuint (count_ideas (store), ==, 3);
      return;
    }
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* A file larger than the largest body the store takes (with room for its front matter) is
 * refused before it is read, alone or in a folder. */
static void
test_too_large_file (void)
{
  g_autoptr(SiStore) store = open_store ("a.db");
  g_autoptr(GFile) folder = temp_folder ("large");
  g_autoptr(GFile) file = g_file_get_child (folder, "large.md");
  g_autofree char *text = g_strnfill (SI_BODY_MAX_BYTES + 64 * 1024 + 1, 'x');

  write_text (folder, "small.md", "fine\n", -1);
  write_text (folder, "large.md", text, -1);
  assert_import_fails (store, file, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID, "large.md");
  assert_import_fails (store, folder, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID, "large.md");
  g_assert_cmpuint (count_ideas (store), ==, 0);
}

/* Files without a uid are matched on their exact title and body: with ideas already in the
 * notebook, with files earlier in the same import, and not with an idea whose text an import
 * just changed. */
static void
test_duplicates_by_text (void)
{
  g_autoptr(SiStore) store = open_store ("a.db");
  g_autoptr(SiIdea) here = add_idea (store, "Here", "already\n", FALSE, NULL);
  g_autoptr(SiIdea) renamed = add_idea (store, "Old", "text\n", FALSE, NULL);
  g_autoptr(GFile) folder = temp_folder ("dups");
  g_autoptr(GFile) first = temp_folder ("first");
  g_autoptr(GError) error = NULL;
  g_autofree char *with_uid = NULL;
  SiImportStats stats = { 0 };

  /* The uid-carrying file sorts first and changes "Old" to "New"; the file with "Old"'s former
   * text is then a new idea. */
  with_uid = g_strdup_printf ("---\nuid: %s\nupdated: 2099-01-01T00:00:00Z\ntitle: New\n---\ntext\n",
                              si_idea_get_uid (renamed));
  write_text (first, "a.md", with_uid, -1);
  write_text (first, "b.md", "---\ntitle: Old\n---\ntext\n", -1);
  g_assert_true (si_import (store, first, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_updated, ==, 1);
  g_assert_cmpuint (stats.n_created, ==, 1);
  g_assert_cmpuint (count_ideas (store), ==, 3);

  write_text (folder, "1.md", "---\ntitle: Here\n---\nalready\n", -1);
  write_text (folder, "2.md", "Twice\n\nthe same\n", -1);
  write_text (folder, "3.md", "Twice\n\nthe same\n", -1);
  write_text (folder, "4.md", "Twice\n\nnot the same\n", -1);
  write_text (folder, "5.md", "---\ntitle: Here\n---\nalready, and more\n", -1);
  memset (&stats, 0, sizeof stats);
  g_assert_true (si_import (store, folder, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_created, ==, 3);
  g_assert_cmpuint (stats.n_unchanged, ==, 2);
  g_assert_cmpuint (count_ideas (store), ==, 6);

  /* Again: nothing new. */
  memset (&stats, 0, sizeof stats);
  g_assert_true (si_import (store, folder, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_created, ==, 0);
  g_assert_cmpuint (stats.n_unchanged, ==, 5);
  g_assert_cmpuint (count_ideas (store), ==, 6);
}

/* A file without a uid that matches an idea by its text, and a file with that idea's uid that
 * changes the text: whatever the order of the files, the first import keeps both texts, and
 * importing the same files again creates nothing (found by fuzz-import). */
static void
test_text_match_then_uid_change (void)
{
  g_autoptr(SiStore) store = open_store ("a.db");
  g_autoptr(SiIdea) renamed = add_idea (store, "Old", "text\n", FALSE, NULL);
  g_autoptr(GFile) folder = temp_folder ("text-then-uid");
  g_autoptr(GError) error = NULL;
  g_autofree char *with_uid = NULL;
  SiImportStats stats = { 0 };

  /* "a.md" (no uid) sorts before "b.md" (the uid). */
  write_text (folder, "a.md", "---\ntitle: Old\n---\ntext\n", -1);
  with_uid = g_strdup_printf ("---\nuid: %s\nupdated: 2099-01-01T00:00:00Z\ntitle: New\n---\ntext\n",
                              si_idea_get_uid (renamed));
  write_text (folder, "b.md", with_uid, -1);
  g_assert_true (si_import (store, folder, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_updated, ==, 1);
  g_assert_cmpuint (stats.n_created, ==, 1);
  g_assert_cmpuint (count_ideas (store), ==, 2);

  memset (&stats, 0, sizeof stats);
  g_assert_true (si_import (store, folder, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_created, ==, 0);
  g_assert_cmpuint (stats.n_unchanged, ==, 2);
  g_assert_cmpuint (count_ideas (store), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/import-export/markdown/round-trip", test_markdown_round_trip);
  g_test_add_func ("/import-export/markdown/keeps-other-files", test_markdown_keeps_other_files);
  g_test_add_func ("/import-export/markdown/without-front-matter", test_markdown_without_front_matter);
  g_test_add_func ("/import-export/json/round-trip", test_json_round_trip);
  g_test_add_func ("/import-export/reimport-updates-changed", test_reimport_updates_changed);
  g_test_add_func ("/import-export/bad-input-changes-nothing", test_bad_input_changes_nothing);
  g_test_add_func ("/import-export/cancelled-changes-nothing", test_cancelled_changes_nothing);
  g_test_add_func ("/import-export/export-to-a-file-fails", test_export_to_a_file_fails);
  g_test_add_func ("/import-export/file-names", test_file_names);
  g_test_add_func ("/import-export/times", test_times);
  g_test_add_func ("/import-export/save-idea-with-tags-is-atomic", test_save_idea_with_tags_is_atomic);
  g_test_add_func ("/import-export/markdown/not-regular-files", test_not_regular_files);
  g_test_add_func ("/import-export/markdown/too-large-file", test_too_large_file);
  g_test_add_func ("/import-export/markdown/duplicates-by-text", test_duplicates_by_text);
  g_test_add_func ("/import-export/markdown/text-match-then-uid-change", test_text_match_then_uid_change);

  return g_test_run ();
}
