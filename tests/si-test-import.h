/* si-test-import.h — what the importer tests (test-import-apps*.c) share: finding an imported
 * idea, its tags, and counting the notebook. Every function asserts on store errors. */
#pragma once

#include "si-store.h"

G_BEGIN_DECLS

/* The first idea titled @title whose body holds @body_part (any body when NULL), or NULL. */
SiIdea *find_idea   (SiStore    *store,
                     const char *title,
                     const char *body_part);
/* The same, failing the test when there is none. */
SiIdea *get_idea    (SiStore    *store,
                     const char *title,
                     const char *body_part);
/* @idea's tag names, sorted, joined by ", ". */
char   *tags_of     (SiStore    *store,
                     SiIdea     *idea);
guint   count_ideas (SiStore    *store);

G_END_DECLS
