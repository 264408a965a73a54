/* si-window-private.h — what si-window.c and si-window-actions.c share, and what the tests
 * reach into. */
#pragma once

#include "si-editor.h"
#include "si-sync-indicator.h"
#include "si-window.h"

G_BEGIN_DECLS

/* While the store keeps changing (a sync's pages, several a second), the sidebar counts at most
 * once in this long: each refresh lays the sidebar out again, in a frame of its own. */
#define SI_SIDEBAR_REFRESH_GAP_MS 1000

typedef enum {
  SI_COLLECTION_VIEW_ALL,
  SI_COLLECTION_VIEW_PINNED,
  SI_COLLECTION_VIEW_CONFLICTS,
  SI_COLLECTION_VIEW_TAG,
  SI_COLLECTION_VIEW_TRASH,
} SiCollectionView;

struct _SiWindow
{
  AdwApplicationWindow  parent_instance;

  SiStore              *store;
  SiSyncManager        *manager;
  SiIdeaList           *ideas;
  GtkSingleSelection   *selection;
  GSettings            *settings;
  GCancellable         *cancellable;

  SiCollectionView      view;
  gint64                view_tag_id;
  guint                 sidebar_refresh_id;
  /* The sidebar's delayed refresh counts on a worker (count_sidebar()), on its own store. */
  SiStore              *count_store;
  gint64                sidebar_counted_at;   /* when the last count started (monotonic µs) */
  guint                 sidebar_serial;   /* the sidebar's refreshes so far */
  GPtrArray            *tag_rows_due;     /* SiTag: rows made a few per step, from tag_rows_next */
  guint                 tag_rows_next;
  guint                 tag_rows_id;
  guint                 sidebar_counting : 1;
  guint                 sidebar_recount : 1;
  guint                 relayout_id;
  guint                 first_idea_id;   /* opens the newest idea once laid out */
  guint                 editor_page_id;  /* the editor pane's empty state, after the list's */
  guint                 sidebar_updating : 1;
  guint                 selecting : 1;
  GtkWidget            *all_row;
  GtkWidget            *pinned_row;
  GtkWidget            *conflicts_row;
  GtkWidget            *tags_header_row;
  GtkWidget            *trash_row;

  SiIdea               *deleted;          /* the last deleted idea, for Undo */
  AdwToast             *delete_toast;     /* weak */
  GCancellable         *chooser_cancellable;  /* the open file chooser's */

  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  AdwFlap              *flap;
  GtkWidget            *sidebar_pane;
  GtkWidget            *editor_pane;
  GtkListBox           *sidebar;
  GtkWidget            *search_fill_status;
  GtkWidget            *search_fill_spinner;
  GtkWidget            *list_pane;
  AdwWindowTitle       *list_title;
  GtkWidget            *list_header;
  GtkWidget            *new_button;      /* in the header, or hidden where the title needs room */
  GtkWidget            *search_button;   /* the same */
  int                   header_buttons_width;  /* both, as last measured in the header */
  GtkActionBar         *list_action_bar; /* New Idea and Search below the list in a narrow window */
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkStack             *list_stack;
  AdwStatusPage        *empty_page;
  GtkGridView          *list_view;
  GtkStack             *editor_stack;
  SiEditor             *editor;
  GMenu                *idea_menu;
  SiSyncIndicator      *sync_indicator;
  SiSyncIndicator      *list_sync_indicator;   /* in the list's header, while folded */

  /* Imports, one at a time (si-window-actions.c) */
  gpointer              import_job;       /* the one running, or NULL */
  GQueue                import_queue;     /* the ones waiting for it */
  GCancellable         *import_cancellable;
  gpointer              import_report;    /* SiImportStats: the last import with things left out */
  GtkRevealer          *import_bar;
  GtkLabel             *import_label;
  GtkProgressBar       *import_progress;

  /* The Trash (si-window-trash.c) */
  GPtrArray            *trash_entries;    /* SiTrashEntry, the rows' */
  GCancellable         *trash_cancellable;
  gboolean              trash_busy;       /* a Restore or Delete Forever under way */
  GtkStack             *trash_list_stack;
  GtkListBox           *trash_list;
  GtkLabel             *trash_status;
  GtkStack             *trash_detail_stack;
  GtkLabel             *trash_deleted_label;
  GtkLabel             *trash_expires_label;
  GtkTextView          *trash_view;
  GtkWidget            *idea_menu_button;
  GtkWidget            *delete_button;
};

/* si-window-actions.c */
void _si_window_class_actions_init (GtkWidgetClass *widget_class);
void _si_window_actions_update     (SiWindow       *self);
void _si_window_delete_idea        (SiWindow       *self,
                                    gint64          id);
void _si_window_new_chooser        (SiWindow       *self);
void _si_window_import_files       (SiWindow       *self,
                                    GPtrArray      *files);
void _si_window_import_text        (SiWindow       *self,
                                    const char     *text);
void _si_window_actions_init       (SiWindow       *self);
void _si_window_actions_dispose    (SiWindow       *self);

/* si-window-transfer.c */
void     _si_window_class_transfer_init (GtkWidgetClass *widget_class);
void     _si_window_transfer_init       (SiWindow       *self);
void     _si_window_export_idea         (SiWindow       *self,
                                         gint64          id,
                                         GFile          *file);
gboolean _si_window_drop                (SiWindow       *self,
                                         const GValue   *value);

/* si-window-trash.c */
void _si_window_class_trash_init    (GtkWidgetClass *widget_class);
void _si_window_trash_init          (SiWindow       *self);
void _si_window_trash_dispose       (SiWindow       *self);
void _si_window_trash_show          (SiWindow       *self);
void _si_window_trash_refresh_local (SiWindow       *self);

/* si-window.c */
void _si_window_update_list_state  (SiWindow         *self);
void _si_window_show_view          (SiWindow         *self,
                                    SiCollectionView  view,
                                    gint64            tag_id);
void _si_window_refresh_sidebar    (SiWindow         *self);
void _si_window_scroll_to_idea     (SiWindow         *self,
                                    gint64            id);

GtkWindow       *_si_window_ensure_help_overlay (SiWindow *self);

/* For the tests */
void             _si_window_hold_import        (gboolean  hold);
GListModel      *_si_window_get_import_filters (SiWindow *self);
char            *_si_window_import_report_text (SiWindow *self);
SiEditor        *_si_window_get_editor         (SiWindow *self);
GtkGridView     *_si_window_get_list_view      (SiWindow *self);
GtkSearchEntry  *_si_window_get_search_entry   (SiWindow *self);
GtkSearchBar    *_si_window_get_search_bar     (SiWindow *self);
GtkListBox      *_si_window_get_sidebar        (SiWindow *self);
GtkStack        *_si_window_get_list_stack     (SiWindow *self);
SiSyncIndicator *_si_window_get_sync_indicator (SiWindow *self);
SiSyncIndicator *_si_window_get_list_sync_indicator (SiWindow *self);
AdwLeaflet      *_si_window_get_leaflet        (SiWindow *self);
AdwFlap         *_si_window_get_flap           (SiWindow *self);
GtkListBox      *_si_window_get_trash_list      (SiWindow *self);
GtkStack        *_si_window_get_trash_list_stack (SiWindow *self);
GtkTextView     *_si_window_get_trash_view      (SiWindow *self);
GtkLabel        *_si_window_get_trash_status    (SiWindow *self);
GtkWidget       *_si_window_get_sidebar_row    (SiWindow         *self,
                                                SiCollectionView  view,
                                                gint64            tag_id);

G_END_DECLS
