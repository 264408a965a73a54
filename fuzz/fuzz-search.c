/* fuzz-search.c — whatever a person types in the search bar is text, never an error.
 *
 * Feeds arbitrary bytes to the store's search (which builds an FTS5 query from them) on a small
 * notebook, with every filter combination. An SQL or FTS syntax error is a bug.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "si-store.h"

#include "si-fuzz.h"

static SiStore *store;
static gint64 tag_id;

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  static const char * const titles[] = { "Café crème", "Night train", "\"quoted\" OR NOT", "über straße" };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("saveidea-fuzz-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(SiTag) tag = NULL;

  si_fuzz_init_logging ();
  g_assert_no_error (error);
  path = g_build_filename (dir, "fuzz.db", NULL);
  store = si_store_new (path, &error);
  g_assert_no_error (error);
  tag = si_store_ensure_tag (store, "travel", &error);
  g_assert_no_error (error);
  tag_id = si_tag_get_id (tag);
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      g_autoptr(SiIdea) idea = si_idea_new (titles[i], "body text with words");
      if (i % 2)
        si_idea_add_tag (idea, tag_id);
      if (!si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error))
        g_error ("%s", error->message);
    }
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);

  for (guint combo = 0; combo < 4; combo++)
    {
      SiIdeaFilter filter = { .search = text, .tag_id = (combo & 1) ? tag_id : 0, .pinned_only = (combo & 2) != 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) keys = si_store_query_ideas (store, &filter, &error);
      guint count;

      if (keys == NULL)
        g_error ("search for %s failed: %s", text, error->message);
      count = si_store_count_ideas (store, &filter, &error);
      if (error != NULL)
        g_error ("count for %s failed: %s", text, error->message);
      if (count < keys->len)
        g_error ("count %u < %u results", count, keys->len);
    }
  return 0;
}
