/* si-store.h — the offline store: every idea and tag, safe on this computer's disk.
 *
 * One SQLite database (WAL, foreign keys, a busy timeout), shared safely by several processes:
 * the app and saveidea-cli may use one database at once, and each SiStore notices what the
 * others wrote (the "changed" signal). Every logical change is one transaction.
 */
#pragma once

#include <gio/gio.h>

#include "si-idea.h"
#include "si-tag.h"

G_BEGIN_DECLS

#define SI_STORE_ERROR (si_store_error_quark ())

/**
 * SiStoreError:
 * @SI_STORE_ERROR_OPEN: the database file could not be opened or created
 * @SI_STORE_ERROR_CORRUPT: the file is not a Saveidea database, or it is damaged; it is left untouched
 * @SI_STORE_ERROR_TOO_NEW: the database was written by a newer Saveidea
 * @SI_STORE_ERROR_INVALID: the input was refused (invalid UTF-8, too long, empty name, …); nothing changed
 * @SI_STORE_ERROR_NOT_FOUND: no such record
 * @SI_STORE_ERROR_EXISTS: a tag with that name exists already
 * @SI_STORE_ERROR_FULL: the disk is full; nothing was written
 * @SI_STORE_ERROR_BUSY: another program held the database for too long
 * @SI_STORE_ERROR_FAILED: any other database error
 */
typedef enum {
  SI_STORE_ERROR_OPEN,
  SI_STORE_ERROR_CORRUPT,
  SI_STORE_ERROR_TOO_NEW,
  SI_STORE_ERROR_INVALID,
  SI_STORE_ERROR_NOT_FOUND,
  SI_STORE_ERROR_EXISTS,
  SI_STORE_ERROR_FULL,
  SI_STORE_ERROR_BUSY,
  SI_STORE_ERROR_FAILED,
} SiStoreError;

/* A search lists at most this many ideas, the best first.
 *
 * Relevance is not bm25 (): for every word typed, each field it occurs in counts — the title
 * 10, the tags 5, the text 1 — a little more when it occurs there often, and the length of the
 * idea does not count. That needs nothing but the index FTS5 reads anyway, so a prefix of two
 * letters that matches 40,000 ideas costs a few milliseconds, not 50 (docs/performance.md).
 * Among equally relevant matches past the first SI_SEARCH_MAX_RESULTS, the newest ideas (by
 * creation) are kept; the kept ones are then listed by relevance, pinned first, most recently
 * changed first. */
#define SI_SEARCH_MAX_RESULTS 500

/* The collections of the store, by the name they have on the wire. */
#define SI_COLLECTION_TAGS "tags"
#define SI_COLLECTION_IDEAS "ideas"

/**
 * SiIdeaFilter:
 * @tag_id: only ideas with this tag (0: any)
 * @search: only ideas matching this text (NULL or "": no search): every word as a prefix,
 *   accents and case ignored, words of one or two letters in titles and tags only; words in
 *   Chinese, Japanese or Korean anywhere inside a text (one character: in titles and tags
 *   only); the best SI_SEARCH_MAX_RESULTS by relevance
 * @pinned_only: only pinned ideas
 * @conflicts_only: only conflicted copies
 *
 * What a list of ideas shows.
 */
typedef struct {
  gint64      tag_id;
  const char *search;
  gboolean    pinned_only;
  gboolean    conflicts_only;
} SiIdeaFilter;

/**
 * SiIdeaKey:
 * An idea's place in a list: the list is sorted by pinned (first), then updated_at, then id,
 * all descending; search results by rank first.
 */
typedef struct {
  gint64  id;
  gint64  updated_at;
  gint    pinned;
  double  rank;
} SiIdeaKey;

/**
 * SiOutboxEntry:
 * @collection: SI_COLLECTION_TAGS or SI_COLLECTION_IDEAS
 * @id: the local id
 * @uid: the record's UUID
 * @sid: the server id, 0 before the first push
 * @version: the server version the local record is based on
 * @generation: the edit generation that was read (a push hands it back so that an edit made meanwhile
 *   keeps the record dirty)
 * @state: created, modified or deleted
 *
 * One record waiting to be pushed.
 */
typedef struct {
  const char  *collection;
  gint64       id;
  char        *uid;
  gint64       sid;
  gint64       version;
  gint64       generation;
  SiSyncState  state;
} SiOutboxEntry;

/**
 * SiConflictChoice:
 * @SI_CONFLICT_KEEP_COPY: the conflicted copy's content replaces the other version; the copy goes
 * @SI_CONFLICT_KEEP_OTHER: the other version stays as it is; the copy goes
 * @SI_CONFLICT_KEEP_BOTH: the copy becomes an idea of its own
 *
 * How a person settles a conflicted copy.
 */
typedef enum {
  SI_CONFLICT_KEEP_COPY,
  SI_CONFLICT_KEEP_OTHER,
  SI_CONFLICT_KEEP_BOTH,
} SiConflictChoice;

#define SI_TYPE_STORE (si_store_get_type ())
G_DECLARE_FINAL_TYPE (SiStore, si_store, SI, STORE, GObject)

GQuark      si_store_error_quark       (void);
char       *si_store_dup_default_path  (void);

SiStore    *si_store_new               (const char         *path,
                                        GError            **error);
const char *si_store_get_path          (SiStore            *self);
void        si_store_check_changes     (SiStore            *self);
void        si_store_watch             (SiStore            *self);

/* Ideas */
SiIdea     *si_store_get_idea          (SiStore            *self,
                                        gint64              id,
                                        GError            **error);
SiIdea     *si_store_get_idea_by_uid   (SiStore            *self,
                                        const char         *uid,
                                        GError            **error);
gboolean    si_store_save_idea         (SiStore            *self,
                                        SiIdea             *idea,
                                        SiSaveFlags         flags,
                                        GError            **error);
gboolean    si_store_delete_idea       (SiStore            *self,
                                        gint64              id,
                                        SiSaveFlags         flags,
                                        GError            **error);
gboolean    si_store_restore_idea      (SiStore            *self,
                                        SiIdea             *idea,
                                        GError            **error);
gboolean    si_store_save_conflicted_copy (SiStore         *self,
                                        SiIdea             *idea,
                                        gint64              of,
                                        GError            **error);
gboolean    si_store_resolve_conflict  (SiStore            *self,
                                        gint64              copy_id,
                                        SiConflictChoice    choice,
                                        gint64             *remaining_id,
                                        GError            **error);
guint       si_store_get_search_pending (SiStore           *self);
gboolean    si_store_fill_search       (SiStore            *self,
                                        GCancellable       *cancellable,
                                        GError            **error);
void        si_store_fill_search_in_background (SiStore    *self);
gboolean    si_store_get_search_filling (SiStore           *self);
guint       si_store_count_ideas       (SiStore            *self,
                                        const SiIdeaFilter *filter,
                                        GError            **error);
GArray     *si_store_query_ideas       (SiStore            *self,
                                        const SiIdeaFilter *filter,
                                        GError            **error);
GArray     *si_store_query_ideas_counted (SiStore          *self,
                                          const SiIdeaFilter *filter,
                                          guint            *n_matches,
                                          GError          **error);
GArray     *si_store_query_ideas_after (SiStore            *self,
                                        const SiIdeaFilter *filter,
                                        const SiIdeaKey    *after,
                                        guint               limit,
                                        GError            **error);
gboolean    si_store_get_idea_key      (SiStore            *self,
                                        gint64              id,
                                        const SiIdeaFilter *filter,
                                        SiIdeaKey          *key,
                                        GError            **error);
int         si_idea_key_compare        (const SiIdeaKey    *a,
                                        const SiIdeaKey    *b);
GPtrArray  *si_store_search            (SiStore            *self,
                                        const char         *text,
                                        guint               limit,
                                        GError            **error);

/* Tags */
SiTag      *si_store_get_tag           (SiStore            *self,
                                        gint64              id,
                                        GError            **error);
SiTag      *si_store_find_tag          (SiStore            *self,
                                        const char         *name,
                                        GError            **error);
SiTag      *si_store_ensure_tag        (SiStore            *self,
                                        const char         *name,
                                        GError            **error);
gboolean    si_store_save_tag          (SiStore            *self,
                                        SiTag              *tag,
                                        SiSaveFlags         flags,
                                        GError            **error);
gboolean    si_store_delete_tag        (SiStore            *self,
                                        gint64              id,
                                        SiSaveFlags         flags,
                                        GError            **error);
GPtrArray  *si_store_list_tags         (SiStore            *self,
                                        GError            **error);

/* What must be pushed */
GArray     *si_store_get_outbox        (SiStore            *self,
                                        GError            **error);
guint       si_store_count_pending     (SiStore            *self,
                                        GError            **error);

G_END_DECLS
