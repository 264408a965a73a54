/* si-server-keep-stream.h — one request's view of a connection that is kept alive. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What a connection read and did not give to a request yet, kept from one request to the next. */
typedef struct _SiServerKeepCarry SiServerKeepCarry;

SiServerKeepCarry *si_server_keep_carry_new      (GIOStream         *base);
SiServerKeepCarry *si_server_keep_carry_ref      (SiServerKeepCarry *carry);
void               si_server_keep_carry_unref    (SiServerKeepCarry *carry);
gboolean           si_server_keep_carry_has_data (SiServerKeepCarry *carry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SiServerKeepCarry, si_server_keep_carry_unref)

#define SI_TYPE_SERVER_KEEP_STREAM (si_server_keep_stream_get_type ())
G_DECLARE_FINAL_TYPE (SiServerKeepStream, si_server_keep_stream, SI, SERVER_KEEP_STREAM, GIOStream)

/* Called once, when whoever was lent the stream closes it (or disposes of it): the real stream
 * stays open, and is the owner's to close or to lend again. */
typedef void (*SiServerKeepReleased) (gpointer user_data);

SiServerKeepStream *si_server_keep_stream_new    (GIOStream            *base,
                                                  SiServerKeepCarry    *carry,
                                                  SiServerKeepReleased  released,
                                                  gpointer              user_data);
/* The owner is gone: closing the stream closes the real one. */
void                si_server_keep_stream_disown (SiServerKeepStream   *self);

G_END_DECLS
