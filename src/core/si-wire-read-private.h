/* si-wire-read-private.h — what the streaming reader's two files share: the strict JSON
 * tokenizer (si-wire-scan.c) and the decoding of documents into the codec's structs
 * (si-wire-read.c). Only these two files include it.
 *
 * The tokenizer's functions keep their short names in the reader's source; these macros give
 * them the symbols _si_wire_scan_*, so that nothing else linked with the core can collide
 * with them. */
#pragma once

#include "si-wire.h"

G_BEGIN_DECLS

#define reader_init(...)   _si_wire_scan_reader_init (__VA_ARGS__)
#define reader_clear(...)  _si_wire_scan_reader_clear (__VA_ARGS__)
#define syntax_error(...)  _si_wire_scan_syntax_error (__VA_ARGS__)
#define enter(...)         _si_wire_scan_enter (__VA_ARGS__)
#define next_member(...)   _si_wire_scan_next_member (__VA_ARGS__)
#define next_element(...)  _si_wire_scan_next_element (__VA_ARGS__)
#define val_clear(...)     _si_wire_scan_val_clear (__VA_ARGS__)
#define read_value(...)    _si_wire_scan_read_value (__VA_ARGS__)

typedef struct {
  const char *start;
  const char *p;
  const char *end;
  guint       depth;
  GError     *error;      /* the text is not JSON: reading stops */
  GString    *scratch;    /* a string with escapes, decoded */
} Reader;

typedef enum {
  V_ABSENT,
  V_NULL,
  V_BOOL,
  V_INT,
  V_DOUBLE,
  V_STRING,
  V_ARRAY,
  V_OBJECT,
} Kind;

/* A value read by read_value(): its kind and, for a boolean or whole number, its value; a
 * string is kept (g_free) when asked for. */
typedef struct {
  Kind    kind;
  gint64  i;
  char   *s;
} Val;

void     reader_init  (Reader      *r,
                       const char  *data,
                       gsize        length);
void     reader_clear (Reader      *r);
gboolean syntax_error (Reader *r, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
/* Opens an array or object at r->p (on its bracket). */
gboolean enter        (Reader      *r);
/* Iterates an object's members, after enter(): see si-wire-scan.c. */
gboolean next_member  (Reader      *r,
                       gboolean    *first,
                       const char **name,
                       gsize       *name_length);
/* As next_member(), for an array's elements. */
gboolean next_element (Reader      *r,
                       gboolean    *first);
void     val_clear    (Val         *v);
/* Reads any value at r->p into @v (NULL: checked and dropped). */
gboolean read_value   (Reader      *r,
                       Val         *v);

static inline void
skip_ws (Reader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
    r->p++;
}

/* The next character after white space, or 0 at the end. */
static inline char
peek (Reader *r)
{
  skip_ws (r);
  return r->p < r->end ? *r->p : '\0';
}

G_END_DECLS
