/* si-wire-read.h — a strict streaming JSON reader for the codec's hot documents.
 *
 * The same documents as si_wire_parse() followed by si_wire_*_from_json(), read straight from
 * the text into the codec's structs, without a JsonNode tree: a page of `GET /api/v1/<collection>`
 * and `/api/v1/changes`, a batch response with its `changes`, and a batch request. Each field
 * is checked exactly as the tree functions check it, with the same error codes and, for a
 * field, the same message.
 *
 * The text must be RFC 8259 JSON, which json-glib does not insist on: the reader refuses
 * leading zeros, `1.`, `.5`, hex numbers, comments, single quotes, raw control characters in
 * strings, a byte order mark and anything after the top-level object, all of which json-glib
 * takes. Beyond that, what the tree path refuses it refuses (si_wire_check_text(): at most
 * %SI_WIRE_MAX_BYTES, nesting at most %SI_WIRE_MAX_DEPTH, no NUL raw or as `\u0000`, whole
 * numbers in -2^63..2^63-1; valid UTF-8; lone surrogates), and what the tree path accepts that
 * is RFC 8259 JSON, it accepts. A member named twice counts with its last value, as in json-glib.
 * tests/test-wire-read.c holds the two paths against each other.
 */
#pragma once

#include "si-wire.h"

G_BEGIN_DECLS

/* One record object, as si_wire_parse() + si_wire_record_from_json(). */
SiWireRecord *si_wire_read_record          (const char        *data,
                                            gsize              length,
                                            SiWireCollection   collection,
                                            SiWireMode         mode,
                                            GError           **error);

/* As si_wire_parse() + si_wire_page_from_json(). */
SiWirePage   *si_wire_read_page            (const char        *data,
                                            gsize              length,
                                            SiWireCollection   collection,
                                            GError           **error);

/* As si_wire_parse() + si_wire_changes_from_json(). */
SiWirePage   *si_wire_read_changes         (const char        *data,
                                            gsize              length,
                                            GError           **error);

/* As si_wire_parse() + si_wire_batch_response_from_json() and, when @out_changes is not NULL,
 * si_wire_batch_response_changes_from_json() with at most as many ranges as results (the
 * results' error first). Without @out_changes, `changes` is only checked to be JSON. */
GPtrArray    *si_wire_read_batch_response  (const char        *data,
                                            gsize              length,
                                            GArray            *collections,
                                            GArray           **out_changes,
                                            GError           **error);
/* The same with slim results allowed where @sent (may be NULL) says what was sent:
 * si_wire_batch_response_from_json_sent(). */
GPtrArray    *si_wire_read_batch_response_sent (const char     *data,
                                                gsize           length,
                                                GArray         *collections,
                                                GPtrArray      *sent,
                                                GArray        **out_changes,
                                                GError        **error);

/* As si_wire_parse() + si_wire_batch_request_from_json(), and each POST or PUT operation's
 * record decoded as si_wire_record_from_json() in %SI_WIRE_MODE_REQUEST would: into the
 * operation's @decoded, or, when it is not valid, its @record_error (the server answers that
 * operation alone with 400). The operations' @record stays NULL. */
GPtrArray    *si_wire_read_batch_request   (const char        *data,
                                            gsize              length,
                                            guint              max_ops,
                                            gboolean          *out_too_many,
                                            GError           **error);

G_END_DECLS
