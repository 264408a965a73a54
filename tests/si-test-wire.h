/* si-test-wire.h — what the wire codec's unit tests (test-wire-codec.c, test-wire-batch.c)
 * share: JSON values from text, a full idea and tag, and the checks of a refusal. */
#pragma once

#include <json-glib/json-glib.h>

#include "si-wire.h"

#define UID "6f2a0e8e-1b7c-4d8e-9a53-0c4d1e2f3a4b"
#define UID2 "0c1d2e3f-4a5b-4c6d-8e7f-901234567890"
#define T_CREATED G_GINT64_CONSTANT (1795838930123)
#define T_UPDATED G_GINT64_CONSTANT (1795858730456)

JsonNode     *jv                        (const char         *text);
JsonNode     *jstr                      (const char         *s);
JsonNode     *parse_text                (const char         *text);
JsonNode     *via_text                  (JsonNode           *node);
char         *shown_json                (JsonNode           *node);
void          assert_field_error        (const GError       *error,
                                         const char         *field);
SiWireRecord *make_idea                 (void);
SiWireRecord *make_tag                  (void);
SiWireRecord *make_record               (SiWireCollection    collection);
void          assert_same_tags_in_order (const SiWireRecord *a,
                                         const SiWireRecord *b);
void          assert_same_record        (const SiWireRecord *a,
                                         const SiWireRecord *b,
                                         gboolean            server_fields);
JsonNode     *record_json_with          (SiWireCollection    collection,
                                         SiWireMode          mode,
                                         const char         *member,
                                         JsonNode           *value);
const char   *mode_name                 (SiWireMode          mode);
void          expect_record_error       (SiWireCollection    collection,
                                         SiWireMode          mode,
                                         const char         *member,
                                         JsonNode           *value,
                                         const char         *field);
SiWireRecord *expect_record_ok          (SiWireCollection    collection,
                                         SiWireMode          mode,
                                         const char         *member,
                                         JsonNode           *value);
