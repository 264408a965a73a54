/* si-capture-window.h — quick capture: a small window that writes one new idea as you type. */
#pragma once

#include <adwaita.h>

#include "si-store.h"

G_BEGIN_DECLS

#define SI_TYPE_CAPTURE_WINDOW (si_capture_window_get_type ())
G_DECLARE_FINAL_TYPE (SiCaptureWindow, si_capture_window, SI, CAPTURE_WINDOW, AdwWindow)

SiCaptureWindow *si_capture_window_new      (GtkApplication  *application,
                                             SiStore         *store);
gboolean         si_capture_window_save_now (SiCaptureWindow *self);
gint64           si_capture_window_get_idea_id (SiCaptureWindow *self);
gboolean         si_capture_window_is_blank (SiCaptureWindow *self);

/* For the tests */
GtkEditable   *_si_capture_window_get_title_editable (SiCaptureWindow *self);
GtkTextBuffer *_si_capture_window_get_body_buffer    (SiCaptureWindow *self);
GtkEditable   *_si_capture_window_get_tags_editable  (SiCaptureWindow *self);

G_END_DECLS
