/* si-wire.h — the JSON codec of the sync protocol, shared by saveidea-server and the client.
 *
 * Everything that crosses the wire goes through these functions, so that the server and the
 * client cannot disagree about the format. docs/protocol.md describes the protocol itself.
 *
 * Conventions:
 *  - Times are #gint64 milliseconds since the Unix epoch, UTC. On the wire they are RFC 3339
 *    strings in UTC with milliseconds: `2026-11-28T04:08:50.123Z`.
 *  - Server ids and versions are #gint64, always > 0 once the server has assigned them
 *    (0 means "not set").
 *  - Parsing is strict: wrong types, invalid UTF-8, unknown fields in a request, values out of
 *    range all fail with an #SiWireError whose message names the field.
 *  - Nothing here does I/O; the functions are thread-safe on distinct data.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "si-types.h"

G_BEGIN_DECLS

/** The protocol version this codec speaks (`"protocol"` in `GET /api/v1/info`). */
#define SI_WIRE_PROTOCOL_VERSION 1

/** The most operations one `POST /api/v1/batch` may carry. */
#define SI_WIRE_BATCH_MAX_OPS 1000

/** The response header that names the server's instance id on every `/api/v1` response. */
#define SI_WIRE_INSTANCE_HEADER "Saveidea-Instance"

/** The response header, on every `/api/v1` response of a server that has them, that lists the
 * optional parts of the protocol it takes, separated by commas: %SI_WIRE_FEATURE_DEVICE. */
#define SI_WIRE_FEATURES_HEADER "Saveidea-Features"
/** The feature of a server that stores a record's `device` (an older one refuses the field). */
#define SI_WIRE_FEATURE_DEVICE "device"
/** The feature of a server that keeps earlier versions of ideas and a trash
 * (`GET /api/v1/ideas/<id>/history`, `/api/v1/trash`, undelete, purge: si-wire-history.h). */
#define SI_WIRE_FEATURE_HISTORY "history"
/** The feature of a server whose batch answers say which change numbers the batch's own writes
 * took (`changes`, si_wire_batch_response_changes_from_json()), so that the writer's next pull
 * does not bring them back. */
#define SI_WIRE_FEATURE_CHANGES "changes"

/** The default and the largest page size of `GET /api/v1/<collection>` and `/api/v1/changes`. */
#define SI_WIRE_PAGE_DEFAULT_LIMIT 500
#define SI_WIRE_PAGE_MAX_LIMIT 1000

#define SI_WIRE_ERROR (si_wire_error_quark ())

/**
 * SiWireError:
 * @SI_WIRE_ERROR_INVALID_JSON: the text is not JSON, not UTF-8, or not the expected shape
 *   (e.g. the top level is not an object)
 * @SI_WIRE_ERROR_INVALID_FIELD: a field has the wrong type, is missing, unknown, or out of range;
 *   the message names the field
 *
 * Errors of the codec. The server answers both with `400`.
 */
typedef enum {
  SI_WIRE_ERROR_INVALID_JSON,
  SI_WIRE_ERROR_INVALID_FIELD,
} SiWireError;

GQuark si_wire_error_quark (void);

/**
 * SiWireCollection:
 * @SI_WIRE_COLLECTION_TAGS: `tags`
 * @SI_WIRE_COLLECTION_IDEAS: `ideas`
 *
 * The synced collections. The numeric values are stored on disk by the server.
 */
typedef enum {
  SI_WIRE_COLLECTION_TAGS = 1,
  SI_WIRE_COLLECTION_IDEAS = 2,
} SiWireCollection;

/* "tags" / "ideas" */
const char *si_wire_collection_to_string   (SiWireCollection  collection);
/* Returns FALSE (and leaves @out_collection alone) for an unknown name. */
gboolean    si_wire_collection_from_string (const char       *name,
                                            SiWireCollection *out_collection);

/**
 * SiWireMode:
 * @SI_WIRE_MODE_REQUEST: a record as a client sends it in `POST`/`PUT`: `uid` (required for a
 *   create, checked against the stored one for an update), `created_at`, `updated_at` and every
 *   field of the collection. `id`, `version` and `deleted` are ignored when parsing and not
 *   written. Unknown fields are an error.
 * @SI_WIRE_MODE_RESPONSE: a record as the server sends it: everything. A tombstone
 *   (`"deleted": true`) carries no collection fields. Unknown fields are ignored when parsing,
 *   so a server may add fields without breaking older clients.
 */
typedef enum {
  SI_WIRE_MODE_REQUEST,
  SI_WIRE_MODE_RESPONSE,
} SiWireMode;

/**
 * SiWireRecord:
 * @collection: which collection the record belongs to
 * @id: the server id, 0 if not known
 * @uid: the client-made UUID (lower case), %NULL if absent (only in a %SI_WIRE_MODE_REQUEST
 *   without uid)
 * @version: the server version (the account's change sequence at the last change), 0 if unknown
 * @created_at: the client's time of creation, ms since the epoch (UTC)
 * @updated_at: the client's time of the last edit, ms since the epoch (UTC)
 * @deleted: whether this is a tombstone
 * @device: (nullable): the name of the device that wrote this version (`device`: optional,
 *   1 to %SI_DEVICE_NAME_MAX_CHARS characters, si_wire_device_name_is_valid()); %NULL when not
 *   known. Written only when set; a client sends it only to a server that says it takes it
 *   (%SI_WIRE_FEATURES_HEADER). Not content: si_wire_record_content_equal() ignores it.
 * @title: ideas: the title (≤ %SI_TITLE_MAX_CHARS characters)
 * @body: ideas: the body (≤ %SI_BODY_MAX_BYTES bytes)
 * @pinned: ideas: pinned or not
 * @tags: ideas: #gint64 server ids of the account's tags (≤ %SI_TAGS_PER_IDEA_MAX, no duplicates)
 * @name: tags: the name (1 to %SI_TAG_NAME_MAX_CHARS characters)
 * @colour: tags: "" or "#rrggbb"
 *
 * One record of a collection, as the protocol carries it. A plain boxed struct: the fields are
 * public. Strings are owned (g_free), @tags is an owned #GArray of #gint64 and never %NULL for
 * an idea made by si_wire_record_new().
 */
typedef struct {
  SiWireCollection collection;
  gint64           id;
  char            *uid;
  gint64           version;
  gint64           created_at;
  gint64           updated_at;
  gboolean         deleted;
  char            *device;

  /* ideas */
  char            *title;
  char            *body;
  gboolean         pinned;
  GArray          *tags;

  /* tags */
  char            *name;
  char            *colour;
} SiWireRecord;

#define SI_TYPE_WIRE_RECORD (si_wire_record_get_type ())
GType         si_wire_record_get_type  (void) G_GNUC_CONST;

/* An empty live record of @collection: strings "", no tags, times 0. */
SiWireRecord *si_wire_record_new       (SiWireCollection    collection);
SiWireRecord *si_wire_record_copy      (const SiWireRecord *record);
void          si_wire_record_free      (SiWireRecord       *record);

/* Appends a tag id (ideas only). */
void          si_wire_record_add_tag   (SiWireRecord       *record,
                                        gint64              tag_id);

/* TRUE when @a and @b have the same collection fields (and the same deleted state);
 * ids, versions, uids and times are not compared. "Identical content is no conflict." */
gboolean      si_wire_record_content_equal (const SiWireRecord *a,
                                            const SiWireRecord *b);
/* A SHA-256 digest (hexadecimal) of what si_wire_record_content_equal() compares: records it
 * finds equal have one digest, and different content (tags as a set) has different digests. */
char         *si_wire_record_content_digest (const SiWireRecord *record);

/* Parses and validates one record object of @collection. */
SiWireRecord *si_wire_record_from_json (JsonNode           *node,
                                        SiWireCollection    collection,
                                        SiWireMode          mode,
                                        GError            **error);
/* Writes @record as a JSON object into @builder (which must expect a value). */
void          si_wire_record_build     (const SiWireRecord *record,
                                        SiWireMode          mode,
                                        JsonBuilder        *builder);
JsonNode     *si_wire_record_to_json   (const SiWireRecord *record,
                                        SiWireMode          mode);

/**
 * SiWirePage:
 * @records: (element-type SiWireRecord): records and tombstones, in version order
 * @cursor: the `since` to ask next
 * @more: whether more records follow right now
 * @remaining: when @more, how many records of the feed follow this page (as the server
 *   counted them when it read the page); -1 when unknown (not sent, or from an older server)
 *
 * A page of `GET /api/v1/<collection>?since=N`.
 */
typedef struct {
  GPtrArray *records;
  gint64     cursor;
  gboolean   more;
  gint64     remaining;
} SiWirePage;

SiWirePage *si_wire_page_new       (void);
void        si_wire_page_free      (SiWirePage       *page);
SiWirePage *si_wire_page_from_json (JsonNode         *node,
                                    SiWireCollection  collection,
                                    GError          **error);
JsonNode   *si_wire_page_to_json   (const SiWirePage *page);

/* A page of `GET /api/v1/changes?since=N`: the same shape, but the records may be of either
 * collection and each carries a `"collection": "tags"|"ideas"` member, which sets its
 * @collection when parsing. */
SiWirePage *si_wire_changes_from_json (JsonNode         *node,
                                       GError          **error);
JsonNode   *si_wire_changes_to_json   (const SiWirePage *page);

/**
 * SiWireProblem:
 * @status: the HTTP status (in a batch result; 0 when parsed from a plain error body)
 * @error: the machine-readable code, e.g. `precondition_failed`, `name_taken`, `unknown_tag`
 * @message: a sentence for people
 * @current: (nullable): the current record, for `412 precondition_failed` and `409 name_taken`
 *
 * An error body: `{"error": "...", "message": "...", "current": {...}}`.
 */
typedef struct {
  guint         status;
  char         *error;
  char         *message;
  SiWireRecord *current;
} SiWireProblem;

SiWireProblem *si_wire_problem_new       (const char         *error,
                                          const char         *message,
                                          const SiWireRecord *current);
void           si_wire_problem_free      (SiWireProblem      *problem);
/* @collection is the collection of "current", if any. */
SiWireProblem *si_wire_problem_from_json (JsonNode           *node,
                                          SiWireCollection    collection,
                                          GError            **error);
JsonNode      *si_wire_problem_to_json   (const SiWireProblem *problem);

/**
 * SiWireMethod:
 * @SI_WIRE_METHOD_POST: create
 * @SI_WIRE_METHOD_PUT: update
 * @SI_WIRE_METHOD_DELETE: delete
 */
typedef enum {
  SI_WIRE_METHOD_POST,
  SI_WIRE_METHOD_PUT,
  SI_WIRE_METHOD_DELETE,
} SiWireMethod;

/**
 * SiWireBatchOp:
 * @method: what to do
 * @collection: on which collection
 * @id: the record's server id (PUT, DELETE), else 0
 * @if_match: the base version (PUT, DELETE), or -1 when absent
 * @record: (nullable): the record object (POST, PUT), kept as JSON so that the server can
 *   answer a bad record with a 400 result for that operation alone
 * @decoded: (nullable): from si_wire_read_batch_request(): the record (POST, PUT), decoded in
 *   %SI_WIRE_MODE_REQUEST; @record is then NULL
 * @record_error: (nullable): from si_wire_read_batch_request(): why the record is not valid
 *   (then @decoded is NULL), for a 400 result of this operation alone
 *
 * One operation of `POST /api/v1/batch`.
 */
typedef struct {
  SiWireMethod     method;
  SiWireCollection collection;
  gint64           id;
  gint64           if_match;
  JsonNode        *record;
  SiWireRecord    *decoded;
  GError          *record_error;
} SiWireBatchOp;

/* For a client: @record may be NULL for DELETE; @if_match -1 for none. */
SiWireBatchOp *si_wire_batch_op_new  (SiWireMethod        method,
                                      SiWireCollection    collection,
                                      gint64              id,
                                      gint64              if_match,
                                      const SiWireRecord *record);
void           si_wire_batch_op_free (SiWireBatchOp      *op);

/* Parses the envelope `{"operations": [...]}`: an array of #SiWireBatchOp. More than
 * @max_ops operations fail with %SI_WIRE_ERROR_INVALID_FIELD and set *@out_too_many (the
 * server answers 413); any other envelope error is a 400 for the whole batch. */
GPtrArray     *si_wire_batch_request_from_json (JsonNode   *node,
                                                guint       max_ops,
                                                gboolean   *out_too_many,
                                                GError    **error);
/* @ops: (element-type SiWireBatchOp) */
JsonNode      *si_wire_batch_request_to_json   (GPtrArray  *ops);

/**
 * SiWireBatchResult:
 * @status: the HTTP status this operation would have had on its own (200, 201, 400, 404, 409,
 *   412, 428, ...)
 * @record: (nullable): for a 2xx, the record as stored
 * @problem: (nullable): otherwise, the error (its @current set for 412 and name_taken)
 * @slim: a server's answer to a client that asked for slim results: @record is written as its
 *   `id` and `version` alone (set only where si_wire_record_is_as_sent() holds)
 */
typedef struct {
  guint          status;
  SiWireRecord  *record;
  SiWireProblem *problem;
  gboolean       slim;
} SiWireBatchResult;

/* Takes ownership of @record and @problem. */
SiWireBatchResult *si_wire_batch_result_new  (guint          status,
                                              SiWireRecord  *record,
                                              SiWireProblem *problem);
void               si_wire_batch_result_free (SiWireBatchResult *result);
/* @results: (element-type SiWireBatchResult). When parsing, @collections gives the collection
 * of each operation sent, in order (a #GArray of #SiWireCollection as int), since results do
 * not repeat it. */
JsonNode          *si_wire_batch_response_to_json   (GPtrArray  *results);
GPtrArray         *si_wire_batch_response_from_json (JsonNode   *node,
                                                     GArray     *collections,
                                                     GError    **error);

/* Slim batch results (docs/protocol.md, `POST /api/v1/batch`, "Slim results"): a client asks
 * with `Prefer: return=minimal` (RFC 7240) and a server that does answers
 * `Preference-Applied: return=minimal`. */
#define SI_WIRE_PREFER_HEADER "Prefer"
#define SI_WIRE_PREFERENCE_APPLIED_HEADER "Preference-Applied"
#define SI_WIRE_PREFER_MINIMAL "return=minimal"

/* Whether a request's `Prefer` header value(s) (NULL: none) ask for `return=minimal`. */
gboolean           si_wire_prefer_return_minimal    (const char         *prefer);
/* Whether @stored (a record as stored and answered) is @sent (the operation's record as the
 * server read it) plus what only the server sets (id, version, deleted false): then a slim
 * result says all of it. Only ideas: a tag's name may have been normalised. */
gboolean           si_wire_record_is_as_sent        (const SiWireRecord *stored,
                                                     const SiWireRecord *sent);
/* The record a slim result of id @id and version @version stands for, rebuilt in place from
 * @sent (the operation's record as the client sent it; its text is not copied): what the
 * server read of it (the uid in lower case, a repeated tag id once) with @id and @version, and
 * @sent itself. NULL, and @sent untouched, when it cannot be rebuilt (not an idea, or no uid). */
SiWireRecord      *si_wire_record_rebuild           (SiWireRecord       *sent,
                                                     gint64              id,
                                                     gint64              version);
/* As si_wire_batch_response_from_json(); @sent (may be NULL: the client did not ask for slim
 * results) holds, for each operation, the record it sent (element-type SiWireRecord, NULL for
 * none). A slim result's record is rebuilt from its element (si_wire_record_rebuild()), which
 * it takes: the element is set to NULL, also when a later result makes the answer invalid.
 * A slim result where none may be is an error. */
GPtrArray         *si_wire_batch_response_from_json_sent (JsonNode  *node,
                                                          GArray    *collections,
                                                          GPtrArray *sent,
                                                          GError   **error);

/**
 * SiWireChangeRange:
 * @from: the first change number
 * @to: the last one (@from <= @to)
 *
 * A run of the account's change numbers, all of them taken by writes of one batch whose
 * records are in its results (docs/protocol.md, `POST /api/v1/batch`).
 */
typedef struct {
  gint64 from;
  gint64 to;
} SiWireChangeRange;

/* The runs of consecutive numbers in @versions (a #GArray of gint64, sorted here, duplicates
 * allowed), in ascending order: a #GArray of #SiWireChangeRange. */
GArray            *si_wire_change_ranges_from_versions (GArray *versions);
/* A batch response with its `changes` member (@changes: #SiWireChangeRange in ascending order;
 * NULL or empty: none). */
JsonNode          *si_wire_batch_response_to_json_with_changes (GPtrArray  *results,
                                                                GArray     *changes);
/* The `changes` of a batch response: ranges of numbers from 1, each after the one before,
 * at most @max_ranges of them; an empty array when the member is absent (an older server).
 * NULL with @error when they are malformed. */
GArray            *si_wire_batch_response_changes_from_json (JsonNode  *node,
                                                             guint      max_ranges,
                                                             GError   **error);

/* Parsing helpers */

/**
 * SI_WIRE_MAX_DEPTH:
 *
 * The deepest nesting of arrays and objects accepted in JSON text from outside (the top-level
 * object is level 1). Saveidea's own documents nest at most 5 levels deep (the tag list of a
 * batch operation's record); json-glib recurses once per level and runs out of stack somewhere
 * between 50,000 and 100,000 levels (far fewer under AddressSanitizer).
 */
#define SI_WIRE_MAX_DEPTH 64

/**
 * SI_WIRE_MAX_BYTES:
 *
 * The largest JSON text accepted from outside (1 GiB), and the most a client reads of one
 * answer of a server. A power of two.
 */
#define SI_WIRE_MAX_BYTES ((gsize) 1 << 30)

/* The guard for every JSON text from outside, run before json-glib sees it: at most
 * %SI_WIRE_MAX_BYTES, arrays and objects nested at most %SI_WIRE_MAX_DEPTH deep, no NUL
 * (neither a raw byte nor a `\u0000` escape, which json-glib would pass on as a C string cut
 * short), no escape JSON has not (json-glib reads `\0` as a NUL), and no whole number outside
 * -2^63..2^63-1 (json-glib 1.6 wraps those without a word). One linear pass; it
 * does not check that the text is JSON or UTF-8. Fails with %SI_WIRE_ERROR_INVALID_JSON and
 * a message without a subject ("it contains a NUL byte …") for the caller's own sentence. */
gboolean  si_wire_check_text   (const char  *data,
                                gsize        length,
                                GError     **error);
/* si_wire_check_text(), validates UTF-8 and parses JSON text; the top level must be an object. */
JsonNode *si_wire_parse        (const char  *data,
                                gsize        length,
                                GError     **error);
/* Compact JSON text; *@out_length may be NULL. */
char     *si_wire_to_string    (JsonNode    *node,
                                gsize       *out_length);

/* RFC 3339 -> ms since the epoch. Accepts `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`
 * (a fraction beyond milliseconds is truncated); years 1970 to 9999. */
gboolean  si_wire_timestamp_parse  (const char *text,
                                    gint64     *out_ms);
/* ms since the epoch -> `2026-11-28T04:08:50.123Z` */
char     *si_wire_timestamp_format (gint64      ms);
/* The same text appended to @out (no quotes), without an allocation of its own. Before the
 * epoch: the epoch; past 9999-12-31T23:59:59.999Z: the epoch too. */
void      si_wire_timestamp_append (GString    *out,
                                    gint64      ms);

/* The key under which tag names are unique: casefold(normalize(name, NFKC)). It is computed
 * from the name as stored; a name is normalised (si_wire_tag_name_normalize()) before it is
 * stored, so a new name never differs from a stored one only by white space or zero-width
 * characters. Names stored before that rule keep their own key. */
char     *si_wire_tag_name_key     (const char *name);

/**
 * SiWireTagNameProblem:
 * @SI_WIRE_TAG_NAME_OK: the name is valid
 * @SI_WIRE_TAG_NAME_NOT_UTF8: not valid UTF-8
 * @SI_WIRE_TAG_NAME_EMPTY: nothing is left once white space and zero-width characters are gone
 * @SI_WIRE_TAG_NAME_CONTROL: holds a control character other than white space (U+0000–U+001F,
 *   U+007F–U+009F)
 * @SI_WIRE_TAG_NAME_TOO_LONG: more than %SI_TAG_NAME_MAX_CHARS characters once normalised
 *
 * Why si_wire_tag_name_normalize() refused a name; each caller words its own message (the
 * server in English, the client translated).
 */
typedef enum {
  SI_WIRE_TAG_NAME_OK,
  SI_WIRE_TAG_NAME_NOT_UTF8,
  SI_WIRE_TAG_NAME_EMPTY,
  SI_WIRE_TAG_NAME_CONTROL,
  SI_WIRE_TAG_NAME_TOO_LONG,
} SiWireTagNameProblem;

/* Normalises a new tag name, the one rule of the server and the client (docs/protocol.md,
 * "Tag names"): zero-width characters (U+200B–U+200D, U+2060, U+FEFF) are removed; white space
 * (Unicode spaces, tabs, line breaks) is trimmed at both ends and each run inside becomes one
 * U+0020; the result is NFC. Other control characters are refused, and so is a name that is
 * empty or longer than %SI_TAG_NAME_MAX_CHARS characters afterwards. On success *@out_name is
 * the normalised name (g_free); otherwise it is set to %NULL. */
SiWireTagNameProblem si_wire_tag_name_normalize (const char  *name,
                                                 char       **out_name);
gboolean  si_wire_colour_is_valid  (const char *colour);
/* A device name as the `device` field carries it: valid UTF-8, 1 to SI_DEVICE_NAME_MAX_CHARS
 * characters, not only white space, no control characters or line breaks. */
gboolean  si_wire_device_name_is_valid (const char *name);

/* `If-Match` / `ETag` values. Parsing accepts `12`, `"12"` and `W/"12"` (with optional spaces
 * or tabs around them), where the number is as si_wire_int64_parse() reads it, from 0 to
 * 2^63-1; formatting gives `"12"`. */
gboolean  si_wire_if_match_parse   (const char *header,
                                    gint64     *out_version);

/* Reads a whole number written in plain decimal — ids and `since` in URLs, versions in
 * `If-Match`: ASCII digits only (no sign, no spaces, no leading zero except in "0" itself),
 * from @min to @max (0 <= @min <= @max <= G_MAXINT64, so up to 9223372036854775807).
 * @length is the number of bytes of @text to read, or -1 when @text ends with a NUL. Returns
 * FALSE for anything else, and then leaves *@out_value alone; it never overflows. */
gboolean  si_wire_int64_parse      (const char *text,
                                    gssize      length,
                                    gint64      min,
                                    gint64      max,
                                    gint64     *out_value);

char     *si_wire_etag_format      (gint64      version);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SiWireRecord, si_wire_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SiWirePage, si_wire_page_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SiWireProblem, si_wire_problem_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SiWireBatchOp, si_wire_batch_op_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SiWireBatchResult, si_wire_batch_result_free)

G_END_DECLS
