/* fuzz-import.c — whatever file a person imports, the notebook is either changed as a whole or
 * not at all, and nothing crashes.
 *
 * Byte 0 picks a file name or a folder of files (modes[] below), which steers si_import()'s
 * detection to one importer: a Markdown file, a JSON export, a folder of Markdown files, and the
 * exports of other apps. In a folder mode the rest of the input is split at NUL bytes, one file
 * each. The files are written to a temporary folder and imported through si_import() into one
 * notebook that lives for the whole run; byte 0's bit 7 imports with SI_IMPORT_ARCHIVED_SKIP.
 * Checked: a failed import changes nothing (the counts of ideas and tags stay); a successful
 * one imported again creates nothing (imports are idempotent).
 */
#define G_LOG_DOMAIN "saveidea-fuzz"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "si-import.h"
#include "si-store.h"

#include "si-fuzz.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* A file's name, or a folder's files' extension (they are note-0.EXT, note-1.EXT, …, or start
 * with @files instead of "note-"; the folder has the empty folder @subfolder). */
static const struct {
  const char *name;
  gboolean    folder;
  const char *files;
  const char *subfolder;
} modes[] = {
  { "idea.md", FALSE },             /* 0: Markdown */
  { "export.json", FALSE },         /* 1: Saveidea's JSON export */
  { ".md", TRUE },                  /* 2: a folder of Markdown files */
  { "notes.json", FALSE },          /* 3: Simplenote's notes.json */
  { ".txt", TRUE },                 /* 4: Simplenote's folder of .txt files */
  { ".json", TRUE },                /* 5: Google Keep's Takeout folder */
  { "backup.json", FALSE },         /* 6: a Standard Notes backup */
  { "export.jex", FALSE },          /* 7: Joplin's JEX (a tar) */
  { ".md", TRUE, "0123456789abcdef0123456789abcde" },   /* 8: Joplin's RAW folder */
  { "notebook.enex", FALSE },       /* 9: Evernote's ENEX */
  { ".md", TRUE, NULL, ".obsidian" },   /* 10: an Obsidian vault */
};

static SiStore *store;
static char *dir;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  si_fuzz_init_logging ();
  dir = g_dir_make_tmp ("saveidea-fuzz-import-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "fuzz.db", NULL);
  store = si_store_new (path, &error);
  g_assert_no_error (error);
  return 0;
}

static void
counts (guint *ideas,
        guint *tags)
{
  g_autoptr(GError) error = NULL;
  SiIdeaFilter filter = { 0 };
  g_autoptr(GPtrArray) list = NULL;

  *ideas = si_store_count_ideas (store, &filter, &error);
  g_assert_no_error (error);
  list = si_store_list_tags (store, &error);
  g_assert_no_error (error);
  *tags = list->len;
}

static void
write_file (const char   *path,
            const guint8 *data,
            gsize         length)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, (const char *) data, (gssize) length, &error))
    g_error ("%s", error->message);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) target = NULL;
  g_autofree char *folder = NULL;
  SiImportStats stats = { 0 };
  SiImportOptions options = { 0 };
  guint ideas_before, tags_before, ideas_after, tags_after;
  guint mode;

  if (size < 1)
    return 0;
  mode = (data[0] & 0x7f) % G_N_ELEMENTS (modes);
  options.archived = data[0] & 0x80 ? SI_IMPORT_ARCHIVED_SKIP : SI_IMPORT_ARCHIVED_TAG;
  data++, size--;

  folder = g_build_filename (dir, "in", NULL);
  g_mkdir (folder, 0700);
  if (!modes[mode].folder)
    {
      g_autofree char *path = g_build_filename (folder, modes[mode].name, NULL);
      write_file (path, data, size);
      target = g_file_new_for_path (path);
    }
  else
    {
      const guint8 *p = data, *end = data + size;

      if (modes[mode].subfolder != NULL)
        {
          g_autofree char *sub = g_build_filename (folder, modes[mode].subfolder, NULL);
          g_mkdir (sub, 0700);
        }
      for (guint n = 0; n < 8 && p <= end; n++)
        {
          const guint8 *nul = memchr (p, '\0', (gsize) (end - p));
          g_autofree char *name = g_strdup_printf ("%s%u%s", modes[mode].files ? modes[mode].files : "note-",
                                                   n, modes[mode].name);
          g_autofree char *path = g_build_filename (folder, name, NULL);

          write_file (path, p, (gsize) ((nul ? nul : end) - p));
          if (nul == NULL)
            break;
          p = nul + 1;
        }
      target = g_file_new_for_path (folder);
    }

  counts (&ideas_before, &tags_before);
  if (!si_import_with_options (store, target, &options, &stats, NULL, &error))
    {
      counts (&ideas_after, &tags_after);
      if (ideas_after != ideas_before || tags_after != tags_before)
        g_error ("a failed import (%s) changed the notebook: %u → %u ideas, %u → %u tags",
                 error->message, ideas_before, ideas_after, tags_before, tags_after);
      if (error->domain != SI_IMPORT_ERROR && error->domain != SI_STORE_ERROR)
        g_error ("an import failed with an unexpected error: %s", error->message);
    }
  else
    {
      SiImportStats again = { 0 };
      g_autoptr(GError) again_error = NULL;

      counts (&ideas_after, &tags_after);
      if (ideas_after != ideas_before + stats.n_created)
        g_error ("an import reported %u new ideas but the notebook grew by %d", stats.n_created,
                 (int) ideas_after - (int) ideas_before);
      if (!si_import_with_options (store, target, &options, &again, NULL, &again_error))
        g_error ("an import that worked fails the second time: %s", again_error->message);
      if (again.n_created != 0 || again.n_tags_created != 0)
        g_error ("importing the same file again created %u ideas and %u tags", again.n_created,
                 again.n_tags_created);
      si_import_stats_clear (&again);
    }
  si_import_stats_clear (&stats);

  /* Empty the folder for the next input. */
  {
    g_autoptr(GDir) d = g_dir_open (folder, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name (d)))
      {
        g_autofree char *path = g_build_filename (folder, name, NULL);
        if (g_unlink (path) != 0)
          g_rmdir (path);   /* a mode's empty subfolder */
      }
  }
  return 0;
}
