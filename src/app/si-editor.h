/* si-editor.h — the editor of one idea: title, text, tags, pin; saved as you type. */
#pragma once

#include <adwaita.h>

#include "si-spell-checker.h"
#include "si-find-bar.h"
#include "si-store.h"

G_BEGIN_DECLS

#define SI_TYPE_EDITOR (si_editor_get_type ())
G_DECLARE_FINAL_TYPE (SiEditor, si_editor, SI, EDITOR, GtkWidget)

/* How long typing may pause before the edit is written to disk. */
#define SI_EDITOR_SAVE_DELAY_MS 500
/* How often, at most, the word count under the text is brought up to date while typing. */
#define SI_EDITOR_COUNT_DELAY_MS 250

SiStore  *si_editor_get_store    (SiEditor *self);
void      si_editor_set_store    (SiEditor *self,
                                  SiStore  *store);
SiIdea   *si_editor_get_idea     (SiEditor *self);
void      si_editor_set_idea     (SiEditor *self,
                                  SiIdea   *idea);
gboolean  si_editor_save_now     (SiEditor *self);
gboolean  si_editor_has_pending  (SiEditor *self);
void      si_editor_focus_title  (SiEditor *self);
void      si_editor_focus_body   (SiEditor *self);
void      si_editor_set_pinned   (SiEditor *self,
                                  gboolean  pinned);
gboolean  si_editor_add_tag      (SiEditor   *self,
                                  const char *name,
                                  GError    **error);
void      si_editor_remove_tag   (SiEditor *self,
                                  gint64    tag_id);
void      si_editor_resolve      (SiEditor   *self,
                                  const char *choice);
SiSpellChecker *si_editor_get_spell_checker (SiEditor *self);

/* For the tests */
GtkEditable   *_si_editor_get_title_editable (SiEditor *self);
GtkTextBuffer *_si_editor_get_body_buffer    (SiEditor *self);
GtkWidget     *_si_editor_get_conflict_banner (SiEditor *self);
GtkWidget     *_si_editor_get_tag_box        (SiEditor *self);
GtkWidget     *_si_editor_get_add_tag_button (SiEditor *self);
SiFindBar     *_si_editor_get_find_bar       (SiEditor *self);
GtkLabel      *_si_editor_get_count_label    (SiEditor *self);

G_END_DECLS
