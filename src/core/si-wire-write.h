/* si-wire-write.h — the sync protocol's JSON text written straight into a #GString.
 *
 * The same documents as the tree functions of si-wire.h (si_wire_page_to_json() and the rest
 * followed by si_wire_to_string()), with the members in the same order, but without building a
 * #JsonNode tree first: the server's pages and batch answers and the client's batch requests
 * are written here, where a tree costs most of the time (issue 21).
 *
 * The text is compact (no spaces or line breaks). Strings are escaped as JSON requires: `"`
 * and `\` with a backslash, \b \f \n \r \t in their short forms, every other byte below 0x20
 * (and DEL, as json-glib does) as `\u00xx`; everything else, UTF-8 included, is copied as it
 * is. The strings given must be valid UTF-8 (the codec checked them when they came in); the
 * writer does not check it again.
 */
#pragma once

#include "si-wire.h"

G_BEGIN_DECLS

/* The primitives: a JSON string (with its quotes; NULL writes ""), a whole number. */
void     si_wire_write_string           (GString                 *out,
                                         const char              *value);
void     si_wire_write_int              (GString                 *out,
                                         gint64                   value);

/* A record as si_wire_record_build() writes it. */
void     si_wire_record_write           (const SiWireRecord      *record,
                                         SiWireMode               mode,
                                         GString                 *out);
/* The same, as a string of its own (g_free); *@out_length may be NULL. */
char    *si_wire_record_to_text         (const SiWireRecord      *record,
                                         SiWireMode               mode,
                                         gsize                   *out_length);

/* The text of si_wire_page_to_json() and si_wire_changes_to_json(). */
GString *si_wire_page_to_text           (const SiWirePage        *page);
GString *si_wire_changes_to_text        (const SiWirePage        *page);

/* An error body, si_wire_problem_to_json()'s object. */
void     si_wire_problem_write          (const SiWireProblem     *problem,
                                         GString                 *out);
GString *si_wire_problem_to_text        (const SiWireProblem     *problem);

/* si_wire_batch_request_to_json()'s text. An operation's record is a #JsonNode: json-glib's
 * generator writes it. */
GString *si_wire_batch_request_to_text  (GPtrArray               *ops);

/* A batch request written an operation at a time, straight from the records (no
 * #SiWireBatchOp): begin, append each operation (as si_wire_batch_op_new() takes them:
 * @record may be NULL, and is not written for DELETE; @if_match -1 for none), end. */
void     si_wire_batch_request_begin    (GString                 *out);
void     si_wire_batch_request_append   (GString                 *out,
                                         SiWireMethod             method,
                                         SiWireCollection         collection,
                                         gint64                   id,
                                         gint64                   if_match,
                                         const SiWireRecord      *record);
void     si_wire_batch_request_end      (GString                 *out);

/* si_wire_batch_response_to_json_with_changes()'s text (@changes NULL or empty: none). */
GString *si_wire_batch_response_to_text (GPtrArray               *results,
                                         GArray                  *changes);

G_END_DECLS
