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
/* The values as preprocessor numbers as well, so that the store's SQL text is built from the
 * same constants (SI_SQL_SYNCED and the others in si-store-private.h). */
#define SI_SYNC_STATE_SYNCED_VALUE   0
#define SI_SYNC_STATE_CREATED_VALUE  1
#define SI_SYNC_STATE_MODIFIED_VALUE 2
#define SI_SYNC_STATE_DELETED_VALUE  3

typedef enum {
  SI_SYNC_STATE_SYNCED = SI_SYNC_STATE_SYNCED_VALUE,
  SI_SYNC_STATE_CREATED = SI_SYNC_STATE_CREATED_VALUE,
  SI_SYNC_STATE_MODIFIED = SI_SYNC_STATE_MODIFIED_VALUE,
  SI_SYNC_STATE_DELETED = SI_SYNC_STATE_DELETED_VALUE,
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
/* A device's name (si-device.h), in characters; the wire's `device` field has the same bound. */
#define SI_DEVICE_NAME_MAX_CHARS 64

G_END_DECLS
