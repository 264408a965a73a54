/* test-import-apps2.c — Joplin, Evernote and Obsidian exports, recognised by si_import().
 *
 * The fixtures in tests/data/import/<app>/ are small exports written by hand from each
 * format's own description and from exports made with the apps:
 *   joplin/raw/        Joplin's “Export → RAW - Joplin Export Directory” (Joplin 2.14/3.0):
 *                      one <id>.md per item, the title, the body, then the metadata block
 *                      (BaseItem.serialize); nested notebooks (type_ 2), a tag (5) and its link
 *                      (6), a resource (4) and resources/, a resource no note links to, a
 *                      completed to-do, an HTML note
 *                      (markup_language 2), a note without a title, duplicate titles, a note in
 *                      the trash (deleted_time), a Unicode title; a body line “id: …” that is
 *                      text, not metadata
 *   joplin/…jex       “Export → JEX”: a plain tar of the same files (made from raw/ by
 *                      joplin/make-fixtures.py); traversal.jex adds “../../escape.md”, symlink.jex a
 *                      symbolic link, truncated.jex is cut in the middle of an entry
 *   evernote/          ENEX from Evernote 10 (“Export notebook”, evernote-export4.dtd): ENML in
 *                      CDATA with HTML entities, nested lists, en-todo, a table, pre, en-media
 *                      and its resource, a note without a title, duplicate titles; xxe.enex
 *                      declares an external entity (refused), truncated.enex is cut,
 *                      bad-enml.enex has a note whose ENML is not well-formed
 *   obsidian/Vault/    an Obsidian 1.5 vault (.obsidian/, nested folders, front matter tags
 *                      as a list and as a string, aliases, inline and nested #tags, code that
 *                      is not tags, wikilinks, embeds, .trash/, a Unicode file name);
 *                      obsidian/broken/ a vault with a broken front matter
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "si-import.h"
#include "si-import-private.h"
#include "si-store-private.h"
#include "si-test-import.h"

static SiStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("saveidea-apps2-XXXXXX", &error);
  g_autofree char *path = NULL;
  SiStore *store;

  g_assert_no_error (error);
  path = g_build_filename (dir, "notebook.db", NULL);
  store = si_store_new (path, &error);
  g_assert_no_error (error);
  return store;
}

static char *
fixture_path (const char *first,
              ...)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (parts, (gpointer) g_test_get_dir (G_TEST_DIST));
  g_ptr_array_add (parts, "data");
  g_ptr_array_add (parts, "import");
  va_start (args, first);
  for (const char *p = first; p != NULL; p = va_arg (args, const char *))
    g_ptr_array_add (parts, (gpointer) p);
  va_end (args);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

static GFile *
fixture (const char *app,
         const char *name)
{
  g_autofree char *path = fixture_path (app, name, NULL);

  return g_file_new_for_path (path);
}

static void
assert_tags (SiStore    *store,
             const char *title,
             const char *body_part,
             const char *expected)
{
  g_autoptr(SiIdea) idea = get_idea (store, title, body_part);
  g_autofree char *tags = tags_of (store, idea);

  g_assert_cmpstr (tags, ==, expected);
}

static gboolean
has_attachment (SiImportStats *stats,
                const char    *text)
{
  for (guint i = 0; stats->attachments != NULL && i < stats->attachments->len; i++)
    if (strstr (g_ptr_array_index (stats->attachments, i), text) != NULL)
      return TRUE;
  return FALSE;
}

static gint64
utc (int year, int month, int day, int hour, int minute, double seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (year, month, day, hour, minute, seconds);

  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

/* Copies the files of @from (one level, and resources/) into a new temporary folder. */
static char *
copy_folder (const char *from)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (from, 0, &error);
  char *to = g_dir_make_tmp ("saveidea-apps2-copy-XXXXXX", &error);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, name, NULL);
      g_autofree char *data = NULL;
      gsize length;

      if (g_file_test (src, G_FILE_TEST_IS_DIR))
        continue;
      g_file_get_contents (src, &data, &length, &error);
      g_assert_no_error (error);
      g_file_set_contents (dst, data, (gssize) length, &error);
      g_assert_no_error (error);
    }
  return to;
}

static void
replace_in_file (const char *path,
                 const char *from,
                 const char *to)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *joined = NULL;

  g_file_get_contents (path, &data, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (data, from));
  parts = g_strsplit (data, from, -1);
  joined = g_strjoinv (to, parts);
  g_file_set_contents (path, joined, -1, &error);
  g_assert_no_error (error);
}

/* Joplin ------------------------------------------------------------------------------------ */

static void
check_joplin_notebook (SiStore *store)
{
  g_autoptr(SiIdea) garden = get_idea (store, "Garden plan", NULL);
  g_autoptr(SiIdea) todo = get_idea (store, "Call the plumber", NULL);
  g_autoptr(SiIdea) untitled = get_idea (store, "A note without a title", NULL);
  g_autoptr(SiIdea) html = get_idea (store, "Clipped page", NULL);

  /* Notebooks nested as a path, tags by their links; the body keeps its “id: ” line. */
  assert_tags (store, "Garden plan", NULL, "Work/Projects, idea");
  g_assert_cmpstr (si_idea_get_body (garden), ==,
                   "Beds for spring.\n\n- [ ] buy seeds\n- [x] dig\n\n"
                   "![photo.jpg](:/3c1b2c3d4e5f60718293a4b5c6d7e8f9)\n\nid: this line is text, not metadata");
  g_assert_cmpint (si_idea_get_created_at (garden), ==, utc (2024, 1, 31, 12, 0, 0));
  g_assert_cmpint (si_idea_get_updated_at (garden), ==, utc (2024, 2, 1, 8, 30, 0.123));
  /* A completed to-do starts with a ticked box. */
  g_assert_cmpstr (si_idea_get_body (todo), ==, "- [x] Call the plumber\n\nTuesday morning");
  g_assert_cmpstr (si_idea_get_body (untitled), ==, "A note without a title\nsecond line");
  /* HTML made Markdown. */
  g_assert_cmpstr (si_idea_get_body (html), ==, "Hello **web**\n\n- one\n- two");
  /* Both notes titled “Meeting”. */
  g_assert_nonnull (find_idea (store, "Meeting", "First meeting"));
  g_assert_nonnull (find_idea (store, "Meeting", "Second meeting"));
  assert_tags (store, "Café ☕ Ünïcode", "Grüße", "Work/Projects");
  assert_tags (store, "Old idea", NULL, "Work, trash");
}

static void
test_joplin_raw (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) raw = fixture ("joplin", "raw");
  g_autoptr(GError) error = NULL;
  gboolean ok;
  g_auto(SiImportStats) stats = { 0 };
  g_auto(SiImportStats) again = { 0 };

  ok = si_import (store, raw, &stats, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (stats.n_created, ==, 8);
  g_assert_cmpuint (count_ideas (store), ==, 8);
  check_joplin_notebook (store);
  g_assert_cmpuint (stats.n_attachments, ==, 2);
  g_assert_true (has_attachment (&stats, "Garden plan — photo.jpg"));
  g_assert_true (has_attachment (&stats, "(no note) — minutes.pdf"));

  /* Again: nothing new, nothing changed. */
  ok = si_import (store, raw, &again, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (again.n_created, ==, 0);
  g_assert_cmpuint (again.n_updated, ==, 0);
  g_assert_cmpuint (again.n_unchanged, ==, 8);
}

static void
test_joplin_reimport_updates (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autofree char *from = fixture_path ("joplin", "raw", NULL);
  g_autofree char *copy = copy_folder (from);
  g_autofree char *note = g_build_filename (copy, "2e1b2c3d4e5f60718293a4b5c6d7e8f9.md", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (copy);
  g_autoptr(GError) error = NULL;
  gboolean ok;
  g_auto(SiImportStats) stats = { 0 };
  g_auto(SiImportStats) again = { 0 };

  ok = si_import (store, folder, &stats, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (stats.n_created, ==, 8);

  /* Edited in Joplin and exported again: the same idea, changed. */
  replace_in_file (note, "First meeting", "First meeting, moved to Friday");
  replace_in_file (note, "user_updated_time: 2024-02-01T08:30:00.123Z", "user_updated_time: 2024-03-01T08:30:00.000Z");
  ok = si_import (store, folder, &again, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (again.n_created, ==, 0);
  g_assert_cmpuint (again.n_updated, ==, 1);
  g_assert_cmpuint (count_ideas (store), ==, 8);
  g_assert_nonnull (find_idea (store, "Meeting", "moved to Friday"));
}

static void
test_joplin_jex (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) jex = fixture ("joplin", "export.jex");
  g_autoptr(GFile) raw = fixture ("joplin", "raw");
  g_autoptr(GError) error = NULL;
  gboolean ok;
  g_auto(SiImportStats) stats = { 0 };
  g_auto(SiImportStats) again = { 0 };

  ok = si_import (store, jex, &stats, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (stats.n_created, ==, 8);
  check_joplin_notebook (store);
  g_assert_true (has_attachment (&stats, "photo.jpg"));

  /* The RAW export of the same notebook is the same notes (uids from Joplin's ids). */
  ok = si_import (store, raw, &again, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (again.n_created, ==, 0);
  g_assert_cmpuint (again.n_unchanged, ==, 8);
}

static void
test_joplin_skip_trashed (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) jex = fixture ("joplin", "export.jex");
  g_autoptr(GError) error = NULL;
  gboolean ok;
  g_auto(SiImportStats) stats = { 0 };
  SiImportOptions options = { .archived = SI_IMPORT_ARCHIVED_SKIP };

  ok = si_import_with_options (store, jex, &options, &stats, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (stats.n_created, ==, 7);
  g_assert_cmpuint (stats.n_left_out, ==, 1);
  g_assert_null (find_idea (store, "Old idea", NULL));
}

/* Bad archives: refused with a message naming the file and what is wrong; nothing imported. */
static void
test_joplin_bad_archives (void)
{
  static const struct { const char *name; const char *says; } cases[] = {
    { "traversal.jex", "“../../escape.md” points outside the archive" },
    { "symlink.jex", "“passwd.md” is a link" },
    { "truncated.jex", "cut short" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SiStore) store = open_store ();
      g_autoptr(GFile) file = fixture ("joplin", cases[i].name);
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_file_get_path (file);
      g_auto(SiImportStats) stats = { 0 };

      g_assert_false (si_import (store, file, &stats, NULL, &error));
      g_assert_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, path));
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("%s: “%s” does not say “%s”", cases[i].name, error->message, cases[i].says);
      g_assert_cmpuint (count_ideas (store), ==, 0);
    }
}

/* The tar reader alone: a header with a wrong checksum, a size in base-256, an absolute name. */
static gboolean
want_all (const char *name,
          gpointer    user_data)
{
  return TRUE;
}

static char *last_entry;

static gboolean
on_entry_count (const char  *name,
                const char  *data,
                gsize        length,
                gpointer     user_data,
                GError     **error)
{
  (*(guint *) user_data)++;
  g_free (last_entry);
  last_entry = g_strdup (name);
  return TRUE;
}

static void
set_checksum (guint8 *header)
{
  guint sum = 0;

  memset (header + 148, ' ', 8);
  for (guint i = 0; i < 512; i++)
    sum += header[i];
  g_snprintf ((char *) header + 148, 8, "%06o", sum);
}

static void
test_tar_headers (void)
{
  static const struct { const char *name; const char *size; char type; const char *says; } cases[] = {
    { "a.md", "00000000005", '0', NULL },
    { "./a.md", "00000000005", '0', NULL },   /* as `tar -C dir .` writes names */
    { "/etc/passwd", "00000000005", '0', "points outside" },
    { "dir/../../x.md", "00000000005", '0', "points outside" },
    { "dev.md", "00000000000", '3', "not a regular file" },
    { "huge.md", "\x80\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00", '0', "no valid size" },
    { "big.md", "77777777777", '0', "too large" },
    { "short.md", "00000010000", '0', "cut short" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(GError) error = NULL;
      guint8 *archive = g_malloc0 (512 * 4);
      guint n = 0;
      gboolean ok;

      memcpy (archive, cases[i].name, strlen (cases[i].name));
      memcpy (archive + 100, "0000644", 7);
      memcpy (archive + 124, cases[i].size, 11);
      archive[156] = (guint8) cases[i].type;
      memcpy (archive + 257, "ustar", 6);
      memcpy (archive + 263, "00", 2);
      set_checksum (archive);
      memcpy (archive + 512, "hello", 5);
      g_assert_true (_si_import_tar_probe (archive, 512));
      stream = g_memory_input_stream_new_from_data (archive, 512 * 4, g_free);
      ok = _si_import_tar_read (stream, "test.tar", want_all, 8192, on_entry_count, &n, NULL, &error);
      if (cases[i].says == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpuint (n, ==, 1);
          g_assert_cmpstr (last_entry, ==, "a.md");
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID);
          if (strstr (error->message, cases[i].says) == NULL)
            g_error ("%s: “%s” does not say “%s”", cases[i].name, error->message, cases[i].says);
        }
    }

  g_clear_pointer (&last_entry, g_free);

  /* A damaged header (its checksum is wrong) is not read as one. */
  {
    guint8 block[512] = { 0 };

    memcpy (block, "a.md", 4);
    memcpy (block + 124, "00000000005", 11);
    memcpy (block + 257, "ustar", 6);
    set_checksum (block);
    block[0] = 'b';
    g_assert_false (_si_import_tar_probe (block, 512));
  }
}

/* Evernote ---------------------------------------------------------------------------------- */

static void
test_enex (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) enex = fixture ("evernote", "notebook.enex");
  g_autoptr(GError) error = NULL;
  gboolean ok;
  g_auto(SiImportStats) stats = { 0 };
  g_auto(SiImportStats) again = { 0 };
  g_autoptr(SiIdea) formatted = NULL;
  g_autoptr(SiIdea) untitled = NULL;
  g_autoptr(SiIdea) unicode = NULL;

  ok = si_import (store, enex, &stats, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (stats.n_created, ==, 5);

  formatted = get_idea (store, "Formatting & lists", NULL);
  g_assert_cmpstr (si_idea_get_body (formatted), ==,
                   "First line with **bold**, *italic* and [a link](https://example.com/).\n"
                   "Café au lait – 5€\n"
                   "\n"
                   "## Steps\n"
                   "\n"
                   "1. Mix\n"
                   "2. Knead\n"
                   "   - ten minutes\n"
                   "   - by hand\n"
                   "3. Bake\n"
                   "\n"
                   "- [x] Buy flour\n"
                   "- [ ] Buy yeast\n"
                   "\n"
                   "| Flour | 500 g |\n"
                   "| --- | --- |\n"
                   "| Water \\| cold | 350 g |\n"
                   "\n"
                   "```\n"
                   "  code   stays\n"
                   "as is\n"
                   "```");
  g_assert_cmpint (si_idea_get_created_at (formatted), ==, utc (2024, 1, 31, 12, 0, 0));
  g_assert_cmpint (si_idea_get_updated_at (formatted), ==, utc (2024, 2, 1, 8, 30, 0));
  assert_tags (store, "Formatting & lists", NULL, "Kitchen/Baking, recipes");

  untitled = get_idea (store, "Untitled thoughts", NULL);
  g_assert_cmpstr (si_idea_get_body (untitled), ==, "Untitled thoughts\nmore");
  g_assert_nonnull (find_idea (store, "Meeting", "First meeting"));
  g_assert_nonnull (find_idea (store, "Meeting", "Second meeting"));
  unicode = get_idea (store, "Grüße ☕", NULL);
  g_assert_cmpstr (si_idea_get_body (unicode), ==, "Ünïcödé <kept> & escaped");

  g_assert_cmpuint (stats.n_attachments, ==, 2);
  g_assert_true (has_attachment (&stats, "bread.png"));
  g_assert_true (has_attachment (&stats, "application/pdf"));

  ok = si_import (store, enex, &again, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (again.n_created, ==, 0);
  g_assert_cmpuint (again.n_unchanged, ==, 5);
}

static void
test_enex_bad_files (void)
{
  static const struct { const char *name; const char *says; } cases[] = {
    { "xxe.enex", "secret" },                /* the entity is unknown: never fetched */
    { "truncated.enex", "not a valid Evernote export" },
    { "bad-enml.enex", "note 2 (“Broken”): the text is not valid ENML" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SiStore) store = open_store ();
      g_autoptr(GFile) file = fixture ("evernote", cases[i].name);
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_file_get_path (file);

      g_assert_false (si_import (store, file, NULL, NULL, &error));
      g_assert_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, path));
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("%s: “%s” does not say “%s”", cases[i].name, error->message, cases[i].says);
      g_assert_null (strstr (error->message, "root:"));
      g_assert_cmpuint (count_ideas (store), ==, 0);
    }
}

static void
assert_enml (const char *enml,
             const char *markdown)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *got = _si_import_enml_to_markdown (enml, strlen (enml), media, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, markdown);
}

static void
test_enml (void)
{
  assert_enml ("<en-note><p>One</p><p>Two<br/>three</p></en-note>", "One\n\nTwo\nthree");
  assert_enml ("<en-note><ul><li>a<ul><li>b<ul><li>c</li></ul></li></ul></li><li>d</li></ul></en-note>",
               "- a\n  - b\n    - c\n- d");
  assert_enml ("<en-note><ul><li><en-todo checked=\"true\"/>done</li><li><en-todo/>open</li></ul></en-note>",
               "- [x] done\n- [ ] open");
  assert_enml ("<en-note><h1>Title</h1><div>text</div><hr/><div>after</div></en-note>",
               "# Title\n\ntext\n\n---\n\nafter");
  assert_enml ("<en-note><div><a href=\"https://a.example/\">https://a.example/</a> <b></b>x</div></en-note>",
               "<https://a.example/> x");
  assert_enml ("<en-note><div>&copy; &laquo;&hellip;&raquo; &#233; &amp;nbsp;</div></en-note>",
               "© «…» é &nbsp;");
  assert_enml ("<en-note><table><tr><th>A</th><th>B</th></tr><tr><td>1</td></tr></table></en-note>",
               "| A | B |\n| --- | --- |\n| 1 |  |");
  assert_enml ("<en-note><div>a <en-crypt hint=\"x\">U2FsdGVk</en-crypt>b</div></en-note>", "a b");
  assert_enml ("<en-note><div><span style=\"color:red\">red</span> <u>under</u> <s>gone</s></div></en-note>",
               "red under ~~gone~~");

  /* Too deep, broken, or an entity HTML does not have: an error, not a crash. */
  {
    g_autoptr(GString) deep = g_string_new ("<en-note>");
    g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(GError) error = NULL;
    char *got;

    for (guint i = 0; i < 1000; i++)
      g_string_append (deep, "<div>");
    got = _si_import_enml_to_markdown (deep->str, deep->len, media, &error);
    g_assert_null (got);
    g_assert_nonnull (error);
    g_clear_error (&error);
    got = _si_import_enml_to_markdown ("<en-note>&bogus;</en-note>", 26, media, &error);
    g_assert_null (got);
    g_assert_nonnull (error);
    g_clear_error (&error);

    /* A table of one wide row and many short ones would be rows × columns written out. */
    g_string_assign (deep, "<en-note><table><tr>");
    for (guint i = 0; i < 3000; i++)
      g_string_append (deep, "<td/>");
    g_string_append (deep, "</tr>");
    for (guint i = 0; i < 3000; i++)
      g_string_append (deep, "<tr/>");
    g_string_append (deep, "</table></en-note>");
    got = _si_import_enml_to_markdown (deep->str, deep->len, media, &error);
    g_assert_null (got);
    g_assert_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT);
    g_clear_error (&error);

    /* Deeply nested lists: every line indented, the text grows past any body. */
    g_string_assign (deep, "<en-note>");
    for (guint i = 0; i < 90; i++)
      g_string_append (deep, "<ul><li>");
    for (guint i = 0; i < 40000; i++)
      g_string_append (deep, "x<br/>");
    for (guint i = 0; i < 90; i++)
      g_string_append (deep, "</li></ul>");
    g_string_append (deep, "</en-note>");
    got = _si_import_enml_to_markdown (deep->str, deep->len, media, &error);
    g_assert_null (got);
    g_assert_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT);
  }
}

/* Obsidian ---------------------------------------------------------------------------------- */

static void
test_obsidian (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) vault = fixture ("obsidian", "Vault");
  g_autoptr(GError) error = NULL;
  gboolean ok;
  g_auto(SiImportStats) stats = { 0 };
  g_auto(SiImportStats) again = { 0 };
  g_autoptr(SiIdea) welcome = NULL;
  g_autoptr(SiIdea) plan = NULL;

  ok = si_import (store, vault, &stats, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  /* Welcome, Plan, Café ☕, 2024-01-31 and the trashed one; nothing of .obsidian/. */
  g_assert_cmpuint (stats.n_created, ==, 5);
  g_assert_null (find_idea (store, "hidden", NULL));
  g_assert_null (find_idea (store, "Not a note", NULL));

  welcome = get_idea (store, "Welcome", NULL);
  assert_tags (store, "Welcome", NULL, "area/health, inbox, reading, start");
  /* The text as written (wikilinks too), with the aliases kept at its end. */
  g_assert_true (g_str_has_prefix (si_idea_get_body (welcome), "# Welcome\n\nThis vault links to "
                                   "[[Projects/Garden/Plan|the plan]] and [[Café ☕]].\n"));
  g_assert_true (g_str_has_suffix (si_idea_get_body (welcome), "\n\nAliases: Home, Start page\n"));

  plan = get_idea (store, "Plan", NULL);
  g_assert_true (g_str_has_prefix (si_idea_get_body (plan), "- [ ] buy seeds\n- [x] dig the beds #todo/now"));
  assert_tags (store, "Plan", NULL, "Projects/Garden, garden, outdoor, spring, todo/now");
  assert_tags (store, "Café ☕", NULL, "");
  assert_tags (store, "2024-01-31", NULL, "Daily, journal");
  assert_tags (store, "Old idea", NULL, "trash");

  g_assert_cmpuint (stats.n_attachments, ==, 2);
  g_assert_true (has_attachment (&stats, "sketch.png"));
  g_assert_true (has_attachment (&stats, "attachments/diagram.svg"));

  ok = si_import (store, vault, &again, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (again.n_created, ==, 0);
  g_assert_cmpuint (again.n_unchanged, ==, 5);
}

static void
test_obsidian_skip_trash (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) vault = fixture ("obsidian", "Vault");
  g_autoptr(GError) error = NULL;
  gboolean ok;
  g_auto(SiImportStats) stats = { 0 };
  SiImportOptions options = { .archived = SI_IMPORT_ARCHIVED_SKIP };

  ok = si_import_with_options (store, vault, &options, &stats, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (stats.n_created, ==, 4);
  g_assert_cmpuint (stats.n_left_out, ==, 1);
  g_assert_null (find_idea (store, "Old idea", NULL));
}

static void
test_obsidian_broken (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GFile) vault = fixture ("obsidian", "broken");
  g_autoptr(GError) error = NULL;

  g_assert_false (si_import (store, vault, NULL, NULL, &error));
  g_assert_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Bad.md"));
  g_assert_nonnull (strstr (error->message, "tags: the list has no closing"));
  g_assert_cmpuint (count_ideas (store), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/import-apps2/joplin/raw", test_joplin_raw);
  g_test_add_func ("/import-apps2/joplin/reimport-updates", test_joplin_reimport_updates);
  g_test_add_func ("/import-apps2/joplin/jex", test_joplin_jex);
  g_test_add_func ("/import-apps2/joplin/skip-trashed", test_joplin_skip_trashed);
  g_test_add_func ("/import-apps2/joplin/bad-archives", test_joplin_bad_archives);
  g_test_add_func ("/import-apps2/tar/headers", test_tar_headers);
  g_test_add_func ("/import-apps2/evernote/enex", test_enex);
  g_test_add_func ("/import-apps2/evernote/bad-files", test_enex_bad_files);
  g_test_add_func ("/import-apps2/evernote/enml", test_enml);
  g_test_add_func ("/import-apps2/obsidian/vault", test_obsidian);
  g_test_add_func ("/import-apps2/obsidian/skip-trash", test_obsidian_skip_trash);
  g_test_add_func ("/import-apps2/obsidian/broken", test_obsidian_broken);

  return g_test_run ();
}
