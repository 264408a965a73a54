/* si-types.h — forward declarations shared by every part of libsaveidea. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _SiStore    SiStore;
typedef struct _SiIdea     SiIdea;
typedef struct _SiTag      SiTag;
typedef struct _SiIdeaList SiIdeaList;

/**
 * SiSyncState:
 * @SI_SYNC_STATE_SYNCED: the record is as the server has it
 * @SI_SYNC_STATE_CREATED: made here, never pushed
 * @SI_SYNC_STATE_MODIFIED: edited here since it was last synced
 * @SI_SYNC_STATE_DELETED: deleted here, a tombstone until the server has the deletion
 *
 * The sync state of a record in the offline store. The values are stored on disk.
 */
typedef enum {
  SI_SYNC_STATE_SYNCED = 0,
  SI_SYNC_STATE_CREATED = 1,
  SI_SYNC_STATE_MODIFIED = 2,
  SI_SYNC_STATE_DELETED = 3,
} SiSyncState;

/**
 * SiSaveFlags:
 * @SI_SAVE_LOCAL: a local edit: marks the record dirty and bumps its generation
 * @SI_SAVE_FROM_SERVER: the data came from the server (sync): the record stays clean
 */
typedef enum {
  SI_SAVE_LOCAL = 0,
  SI_SAVE_FROM_SERVER = 1 << 0,
} SiSaveFlags;

/* Limits for what a person can type; the server enforces the same ones. */
#define SI_TITLE_MAX_CHARS 1000
#define SI_BODY_MAX_BYTES (1024 * 1024)
#define SI_TAG_NAME_MAX_CHARS 100
#define SI_TAGS_PER_IDEA_MAX 100

G_END_DECLS
