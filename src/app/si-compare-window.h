/* si-compare-window.h — a conflicted copy and the other version, side by side. */
#pragma once

#include <adwaita.h>

#include "si-idea.h"

G_BEGIN_DECLS

#define SI_TYPE_COMPARE_WINDOW (si_compare_window_get_type ())
G_DECLARE_FINAL_TYPE (SiCompareWindow, si_compare_window, SI, COMPARE_WINDOW, AdwWindow)

SiCompareWindow *si_compare_window_new (GtkWindow *parent,
                                        SiIdea    *this_copy,
                                        SiIdea    *other);

/* For the tests. */
GtkTextView     *_si_compare_window_get_view          (SiCompareWindow *self,
                                                       gboolean         other);
GtkLabel        *_si_compare_window_get_written_label (SiCompareWindow *self,
                                                       gboolean         other);

G_END_DECLS
