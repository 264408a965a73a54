/* si-wire-private.h — what the parts of the wire codec share (si-wire.c, si-wire-batch.c, si-wire-history.c).
 *
 * Reading a JSON object's fields with the codec's checks and error messages, and an error
 * body's members; nothing outside si-wire*.c includes this header.
 */
#pragma once

#include "si-wire.h"

G_BEGIN_DECLS

gboolean       _si_wire_field_error           (GError             **error,
                                               const char          *field,
                                               const char          *fmt,
                                               ...) G_GNUC_PRINTF (3, 4);
gboolean       _si_wire_get_string            (JsonObject          *object,
                                               const char          *field,
                                               gboolean             required,
                                               char               **out,
                                               GError             **error);
gboolean       _si_wire_get_int               (JsonObject          *object,
                                               const char          *field,
                                               gboolean             required,
                                               gint64               min,
                                               gint64              *out,
                                               gboolean            *out_present,
                                               GError             **error);
gboolean       _si_wire_check_unknown_fields  (JsonObject          *object,
                                               const char * const  *known,
                                               GError             **error);

gboolean       _si_wire_get_bool              (JsonObject          *object,
                                               const char          *field,
                                               gboolean             required,
                                               gboolean            *out,
                                               GError             **error);
gboolean       _si_wire_get_time              (JsonObject          *object,
                                               const char          *field,
                                               gboolean             required,
                                               gint64              *out,
                                               GError             **error);
/* `device`: optional; a response's null means not known (@request FALSE). */
gboolean       _si_wire_get_device            (JsonObject          *object,
                                               gboolean             request,
                                               char               **out,
                                               GError             **error);
/* An idea's `title`, `body`, `pinned` and `tags` as a server sends them: all required. */
gboolean       _si_wire_get_idea_content      (JsonObject          *object,
                                               SiWireRecord        *record,
                                               GError             **error);
/* The checks of a record's collection fields once read (lengths, tag name, colour); a
 * request's tag name is normalised. Shared with si-wire-read.c. */
gboolean       _si_wire_record_validate       (SiWireRecord        *record,
                                               gboolean             request,
                                               GError             **error);
void           _si_wire_build_idea_content    (const SiWireRecord  *record,
                                               JsonBuilder         *builder);
void           _si_wire_build_time            (JsonBuilder         *builder,
                                               const char          *name,
                                               gint64               ms);

/* "POST", "PUT", "DELETE" */
const char    *_si_wire_method_to_string      (SiWireMethod         method);

void           _si_wire_problem_build_members (const SiWireProblem *problem,
                                               JsonBuilder         *builder);
SiWireProblem *_si_wire_problem_from_object   (JsonObject          *object,
                                               SiWireCollection     collection,
                                               GError             **error);

/* si-wire-batch.c: the envelope rules of one batch operation, shared by both readers. */
gboolean _si_wire_batch_op_check (SiWireBatchOp  *op,
                                  const char     *method,
                                  const char     *collection,
                                  gboolean        has_id,
                                  gboolean        has_if_match,
                                  gboolean        has_record,
                                  gboolean        record_is_object,
                                  GError        **error);

/* si-wire.c: the checks of a record's members once read, for both readers. */
gboolean _si_wire_time_check     (const char  *text,
                                  const char  *field,
                                  gint64      *out,
                                  GError     **error);
/* A uid (NULL passes) must be a UUID; it is kept in lower case. */
gboolean _si_wire_uid_check      (char       **uid,
                                  GError     **error);
gboolean _si_wire_device_check   (const char  *device,
                                  GError     **error);

/* A batch result that leaves its record out (it has `id` or `version` and no `record`): whether
 * result @index (status @status, of an operation on @collection) may, with @sent as in
 * si_wire_batch_response_from_json_sent(); both readers check this before `id` and `version`. */
gboolean       _si_wire_batch_slim_allowed    (guint                index,
                                               gint64               status,
                                               SiWireCollection     collection,
                                               GPtrArray           *sent,
                                               GError             **error);
/* The record of slim result @index: @sent's element, taken (set to NULL) and rebuilt. */
SiWireRecord  *_si_wire_batch_slim_take       (GPtrArray           *sent,
                                               guint                index,
                                               gint64               id,
                                               gint64               version);

G_END_DECLS
