/* si-test-app.h — what the test-app*.c programs share: a window on a fresh notebook under Xvfb,
 * waiting for the main loop, the rows the list shows, a network monitor and a sync server that
 * say what a test wants. Every function asserts on unexpected failures. */
#pragma once

#include <gtk/gtk.h>
#include <libsoup/soup.h>

#include "si-app-utils.h"
#include "si-application.h"
#include "si-count-label.h"
#include "si-i18n.h"
#include "si-idea-row.h"
#include "si-row-text.h"
#include "si-store-private.h"
#include "si-sync-indicator.h"
#include "si-test-fake-server.h"
#include "si-window-private.h"
#include "si-wrap-bin.h"

G_BEGIN_DECLS

/* Spins the default main context until @cond holds; fails the test after 10 s. */
#define WAIT_FOR(cond) \
  G_STMT_START { \
    gint64 wait_end_ = g_get_monotonic_time () + 10 * G_USEC_PER_SEC; \
    while (!(cond)) \
      { \
        if (g_get_monotonic_time () > wait_end_) \
          g_error ("Timed out waiting for %s", #cond); \
        if (!g_main_context_iteration (NULL, FALSE)) \
          g_usleep (2000); \
      } \
  } G_STMT_END

/* A notebook in the isolated user data folder, and the window a test opened on it. */
typedef struct {
  char     *path;
  SiStore  *store;
  SiWindow *window;
} Fixture;

/* A server that answers every request with a 503, or never answers at all; with @first_page,
 * it answers the first page of the change feed with it, then never answers again. */
typedef struct {
  SoupServer *server;
  char       *url;
  gboolean    hang;
  const char *first_page;
  GPtrArray  *paused;
} FaultServer;

/* A first page of the change feed for FaultServer: two ideas, 4,998 more to come. */
extern const char fault_page_two_of_5000[];


void
spin (guint ms);

SiIdea *
add_idea (SiStore    *store,
          const char *title,
          const char *body);

void
open_window (Fixture       *f,
             SiSyncManager *manager);

void
fixture_setup (Fixture       *f,
               gconstpointer  data);

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data);

void
collect_rows (GtkWidget *widget,
              GPtrArray *rows);

SiIdeaRow *
find_row (SiWindow   *window,
          const char *title);

SiRowText *
find_row_text (GtkWidget  *row,
               const char *text);

guint
n_rows_shown (SiWindow *window);

guint
count_in_store (SiStore *store);

char *
body_text (SiEditor *editor);

gboolean
body_is (SiEditor   *editor,
         const char *text);

void
mark_conflicted_copy (SiStore *store,
                      gint64   copy_id,
                      gint64   original_id);

void
mark_all_synced (SiStore *store);

GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type);

/* What the highlighting's tags do to some text, as a person would see it. */
typedef enum {
  LOOK_BOLD      = 1 << 0,
  LOOK_ITALIC    = 1 << 1,
  LOOK_COLOURED  = 1 << 2,
} Look;

Look
look_at (GtkTextBuffer *buffer,
         const char    *needle);

GNetworkMonitor *
test_network_monitor_new (gboolean available);

FaultServer *
fault_server_new (gboolean hang);

void
fault_server_free (FaultServer *fault);

SiSyncManager *
make_manager (SiStore         *store,
              const char      *url,
              GNetworkMonitor *monitor);

/* Sets up GTK and libadwaita for the tests (isolated folders, warnings fatal, no animations). */
void
si_test_app_init (int    *argc,
                  char ***argv);

G_END_DECLS
