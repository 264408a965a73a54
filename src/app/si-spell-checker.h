/* si-spell-checker.h — spell checking as you type in any GtkTextView, with enchant-2: misspelt
 * words underlined, suggestions, Add to Dictionary and Ignore in the view's context menu, the
 * language chosen from the text or the locale, or by the user. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SI_TYPE_SPELL_CHECKER (si_spell_checker_get_type ())
G_DECLARE_FINAL_TYPE (SiSpellChecker, si_spell_checker, SI, SPELL_CHECKER, GObject)

/* At most this many suggestions in the context menu. */
#define SI_SPELL_CHECKER_MAX_SUGGESTIONS 5

SiSpellChecker *si_spell_checker_new                 (GtkTextView    *view);
gboolean        si_spell_checker_get_enabled         (SiSpellChecker *self);
void            si_spell_checker_set_enabled         (SiSpellChecker *self,
                                                      gboolean        enabled);
const char     *si_spell_checker_get_language        (SiSpellChecker *self);
void            si_spell_checker_set_language        (SiSpellChecker *self,
                                                      const char     *language);
const char     *si_spell_checker_get_active_language (SiSpellChecker *self);
GActionGroup   *si_spell_checker_get_actions         (SiSpellChecker *self);
GMenuModel     *si_spell_checker_get_menu            (SiSpellChecker *self);

/* For the tests: what a right-click at @iter does to the context menu. */
void            _si_spell_checker_update_menu_at     (SiSpellChecker    *self,
                                                      const GtkTextIter *iter);
gboolean        _si_spell_checker_is_idle            (SiSpellChecker *self);

G_END_DECLS
