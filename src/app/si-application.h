/* si-application.h — the Saveidea application: one per session, owns the store. */
#pragma once

#include <adwaita.h>

#include "si-store.h"

G_BEGIN_DECLS

#define SI_TYPE_APPLICATION (si_application_get_type ())
G_DECLARE_FINAL_TYPE (SiApplication, si_application, SI, APPLICATION, AdwApplication)

SiApplication *si_application_new       (void);
SiStore       *si_application_get_store (SiApplication *self);

G_END_DECLS
