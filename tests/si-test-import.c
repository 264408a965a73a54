/* si-test-import.c — what the importer tests share (see si-test-import.h). */
#include "config.h"

#include <string.h>

#include "si-test-import.h"

SiIdea *
find_idea (SiStore    *store,
           const char *title,
           const char *body_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) keys = si_store_query_ideas (store, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < keys->len; i++)
    {
      g_autoptr(SiIdea) idea = si_store_get_idea (store, g_array_index (keys, SiIdeaKey, i).id, &error);

      g_assert_no_error (error);
      if (g_str_equal (si_idea_get_title (idea), title) &&
          (body_part == NULL || strstr (si_idea_get_body (idea), body_part) != NULL))
        return g_steal_pointer (&idea);
    }
  return NULL;
}

SiIdea *
get_idea (SiStore    *store,
          const char *title,
          const char *body_part)
{
  SiIdea *idea = find_idea (store, title, body_part);

  if (idea == NULL)
    g_error ("no idea titled “%s”%s%s", title, body_part ? " with " : "", body_part ? body_part : "");
  return idea;
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

char *
tags_of (SiStore *store,
         SiIdea  *idea)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gint64 *ids;
  guint n;

  ids = si_idea_get_tag_ids (idea, &n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SiTag) tag = si_store_get_tag (store, ids[i], &error);

      g_assert_no_error (error);
      g_ptr_array_add (names, g_strdup (si_tag_get_name (tag)));
    }
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (char **) names->pdata);
}

guint
count_ideas (SiStore *store)
{
  g_autoptr(GError) error = NULL;
  guint n = si_store_count_ideas (store, NULL, &error);

  g_assert_no_error (error);
  return n;
}
