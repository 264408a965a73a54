/* test-app-layout-narrow.c — the window at 360 px with large text, where every pixel of a
 * header and a sidebar row counts: the list's title whole (New Idea moves below the list to
 * make room for it), and a collection's name whole beside its count.
 *
 * German titles are longer than English ones ("Alle Ideen", "Geschäftsideen"); the tests run in
 * the C locale, so tags of those names stand in for them: a tag's list shows its name as the
 * title ("#Alle Ideen"), as "All Ideas" shows its translation. */
#include "config.h"

#include "si-login-dialog.h"
#include "si-test-app.h"

#define DPI_1_0 (96 * 1024)
#define DPI_1_5 (144 * 1024)
#define DPI_2_0 (192 * 1024)

static void
set_text_scale (int xft_dpi)
{
  g_object_set (gtk_settings_get_default (), "gtk-xft-dpi", xft_dpi, NULL);
}

static void
open_window_at (Fixture *f,
                int      width)
{
  if (f->window)
    gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = si_window_new (NULL, f->store, NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, 700);
  gtk_window_present (GTK_WINDOW (f->window));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
  spin (200);
}

/* Whether @widget is drawn: mapped, visible up to the window, with a size, inside the window. */
static gboolean
is_shown (SiWindow  *window,
          GtkWidget *widget)
{
  graphene_rect_t bounds;
  int window_width = gtk_widget_get_width (GTK_WIDGET (window));

  if (!gtk_widget_get_mapped (widget) ||
      !gtk_widget_compute_bounds (widget, GTK_WIDGET (window), &bounds))
    return FALSE;
  for (GtkWidget *w = widget; w; w = gtk_widget_get_parent (w))
    if (!gtk_widget_get_child_visible (w) || !gtk_widget_get_visible (w))
      return FALSE;
  return bounds.size.width >= 1 && bounds.origin.x < window_width &&
         bounds.origin.x + bounds.size.width > 0;
}

/* The shown label under @root that says @text, inside a header bar or not. */
static GtkLabel *
find_label (SiWindow   *window,
            GtkWidget  *root,
            const char *text,
            gboolean    in_header)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (root)), text) == 0 &&
      is_shown (window, root) &&
      (gtk_widget_get_ancestor (root, ADW_TYPE_HEADER_BAR) != NULL) == in_header)
    return GTK_LABEL (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label (window, child, text, in_header);
      if (found)
        return found;
    }
  return NULL;
}

/* The shown buttons under @root that activate @action. */
static void
find_action_buttons (SiWindow   *window,
                     GtkWidget  *root,
                     const char *action,
                     GPtrArray  *found)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0 &&
      is_shown (window, root))
    g_ptr_array_add (found, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    find_action_buttons (window, child, action, found);
}

static gboolean
is_ellipsized (GtkLabel *label)
{
  return pango_layout_is_ellipsized (gtk_label_get_layout (label));
}

static SiTag *
tag_with_ideas (Fixture    *f,
                const char *name,
                guint       n)
{
  g_autoptr(GError) error = NULL;
  SiTag *tag = si_store_ensure_tag (f->store, name, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *title = g_strdup_printf ("Idea %u", i);
      g_autoptr(SiIdea) idea = si_idea_new (title, "");

      si_idea_add_tag (idea, si_tag_get_id (tag));
      g_assert_true (si_store_save_idea (f->store, idea, SI_SAVE_LOCAL, &error));
      g_assert_no_error (error);
    }
  return tag;
}

/* Shows the list of @tag, with the window on the list. */
static void
show_tag (Fixture *f,
          SiTag   *tag)
{
  _si_window_show_view (f->window, SI_COLLECTION_VIEW_TAG, si_tag_get_id (tag));
  if (adw_leaflet_get_folded (_si_window_get_leaflet (f->window)))
    adw_leaflet_set_visible_child_name (_si_window_get_leaflet (f->window), "list");
  spin (200);
}

/* At 360 px and text scale 1.5, with the window buttons a desktop shows (minimize, maximize,
 * close), the list's header still shows a German-length title and its count whole: New Idea
 * leaves the header for a bar below the list. In a wide window it is back in the header. */
static void
test_header_title_whole (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(SiTag) tag = tag_with_ideas (f, "Alle Ideen", 3);
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  GtkLabel *title, *subtitle;

  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "menu:minimize,maximize,close", NULL);
  set_text_scale (DPI_1_5);
  open_window_at (f, 360);
  show_tag (f, tag);

  title = find_label (f->window, GTK_WIDGET (f->window), "#Alle Ideen", TRUE);
  g_assert_nonnull (title);
  subtitle = find_label (f->window, GTK_WIDGET (f->window), "3 ideas", TRUE);
  g_assert_nonnull (subtitle);
  g_test_message ("360 px: title %d px wide, ellipsized %d", gtk_widget_get_width (GTK_WIDGET (title)),
                  is_ellipsized (title));
  g_assert_false (is_ellipsized (title));
  g_assert_false (is_ellipsized (subtitle));

  /* New Idea is still one click away, below the list. */
  find_action_buttons (f->window, GTK_WIDGET (f->window), "idea.new", buttons);
  g_assert_cmpuint (buttons->len, ==, 1);
  g_assert_null (gtk_widget_get_ancestor (g_ptr_array_index (buttons, 0), ADW_TYPE_HEADER_BAR));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.new", NULL));

  /* Wide: the title has room beside New Idea in the header, and the bar below is gone. */
  open_window_at (f, 1280);
  show_tag (f, tag);
  title = find_label (f->window, GTK_WIDGET (f->window), "#Alle Ideen", TRUE);
  g_assert_nonnull (title);
  g_assert_false (is_ellipsized (title));
  g_ptr_array_set_size (buttons, 0);
  find_action_buttons (f->window, GTK_WIDGET (f->window), "idea.new", buttons);
  g_assert_cmpuint (buttons->len, ==, 1);
  g_assert_nonnull (gtk_widget_get_ancestor (g_ptr_array_index (buttons, 0), ADW_TYPE_HEADER_BAR));

  set_text_scale (DPI_1_0);
}

/* Asserts that the sidebar row of @tag shows its name whole, left of its count. */
static void
check_row_whole (Fixture    *f,
                 GtkWidget  *row,
                 const char *what)
{
  GtkLabel *name = g_object_get_data (G_OBJECT (row), "name-label");
  SiCountLabel *count = g_object_get_data (G_OBJECT (row), "count-label");
  graphene_rect_t name_bounds, count_bounds;
  int count_width;

  g_assert_true (is_shown (f->window, GTK_WIDGET (name)));
  g_assert_true (is_shown (f->window, GTK_WIDGET (count)));
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (name), GTK_WIDGET (f->window), &name_bounds));
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (count), GTK_WIDGET (f->window), &count_bounds));
  g_test_message ("%s: “%s” %g px wide, ellipsized %d; count “%s” %g px", what,
                  gtk_label_get_label (name), name_bounds.size.width, is_ellipsized (name),
                  si_count_label_get_text (count), count_bounds.size.width);
  g_assert_false (is_ellipsized (name));
  /* The count has the width its digits ask for: never cut. */
  gtk_widget_measure (GTK_WIDGET (count), GTK_ORIENTATION_HORIZONTAL, -1, &count_width, NULL, NULL, NULL);
  g_assert_cmpint (count_width, >, 0);
  g_assert_cmpfloat (count_bounds.size.width, >=, count_width);
  /* One word on one line: not broken inside it ("Geschäftside" / "en"). */
  g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (name)), ==, 1);
  g_assert_cmpfloat (name_bounds.origin.x + name_bounds.size.width, <=, count_bounds.origin.x);
}

/* The sidebar over a 360 px window at text scale 1.5: a German-length tag name is whole beside
 * its count (it was "Gesc… 120", the count taking the name's room), and so beside the list in a
 * wide window. */
static void
test_sidebar_name_over_count (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(SiTag) tag = tag_with_ideas (f, "Geschäftsideen", 120);
  static const int widths[] = { 360, 1280 };

  set_text_scale (DPI_1_5);
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *what = g_strdup_printf ("%d px", widths[i]);
      GtkWidget *row;

      open_window_at (f, widths[i]);
      /* Back (Alt+Left) until the sidebar is there, over the list in a narrow window. */
      for (int n = 0; n < 2 && !is_shown (f->window, GTK_WIDGET (_si_window_get_sidebar (f->window))); n++)
        {
          g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "list.back", NULL));
          spin (200);
        }
      g_assert_true (is_shown (f->window, GTK_WIDGET (_si_window_get_sidebar (f->window))));
      /* The sidebar over the list still leaves some of the list in sight. */
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (_si_window_get_sidebar (f->window))), <,
                       gtk_widget_get_width (GTK_WIDGET (f->window)));

      row = _si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, si_tag_get_id (tag));
      g_assert_nonnull (row);
      check_row_whole (f, row, what);
      check_row_whole (f, _si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_ALL, 0), what);
    }
  set_text_scale (DPI_1_0);
}

static void
collect_chips (GtkWidget *root,
               GPtrArray *chips)
{
  if (gtk_widget_has_css_class (root, "tag-chip"))
    g_ptr_array_add (chips, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    collect_chips (child, chips);
}

/* @idea in the editor of a window 360 px wide, text at 1.5. */
static void
open_idea_narrow (Fixture *f,
                  SiIdea  *idea)
{
  set_text_scale (DPI_1_5);
  open_window_at (f, 360);
  si_window_open_idea (f->window, si_idea_get_id (idea));
  if (adw_leaflet_get_folded (_si_window_get_leaflet (f->window)))
    adw_leaflet_set_visible_child_name (_si_window_get_leaflet (f->window), "editor");
}

/* An idea's tags in a narrow editor, one to a line: each chip as wide as its name, not
 * stretched across the line (it was a long pale bar with the × far from the name). */
static void
test_tag_chips_not_stretched (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(SiTag) writing = tag_with_ideas (f, "writing", 0);
  g_autoptr(SiTag) kitchen = tag_with_ideas (f, "Küche", 0);
  g_autoptr(SiIdea) idea = si_idea_new ("Autumn talk", "Body");
  g_autoptr(GPtrArray) chips = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int editor_width;

  si_idea_add_tag (idea, si_tag_get_id (writing));
  si_idea_add_tag (idea, si_tag_get_id (kitchen));
  g_assert_true (si_store_save_idea (f->store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);

  open_idea_narrow (f, idea);
  spin (200);

  editor_width = gtk_widget_get_width (GTK_WIDGET (_si_window_get_editor (f->window)));
  collect_chips (GTK_WIDGET (_si_window_get_editor (f->window)), chips);
  g_assert_cmpuint (chips->len, ==, 2);
  for (guint i = 0; i < chips->len; i++)
    {
      GtkWidget *chip = g_ptr_array_index (chips, i);
      int natural = 0;

      gtk_widget_measure (chip, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
      g_test_message ("chip %u: %d px wide, natural %d, editor %d", i, gtk_widget_get_width (chip),
                      natural, editor_width);
      g_assert_true (is_shown (f->window, chip));
      g_assert_cmpint (gtk_widget_get_width (chip), <=, natural + 1);
    }
  set_text_scale (DPI_1_0);
}

/* The label inside @chip. */
static GtkLabel *
chip_label (GtkWidget *chip)
{
  for (GtkWidget *child = gtk_widget_get_first_child (chip); child; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LABEL (child))
      return GTK_LABEL (child);
  g_assert_not_reached ();
}

/* A tag whose chip fits the editor's line is shown whole: the Add Tag button wraps with the
 * chips instead of squeezing them beside it (at 760 px in German, "books" was a chip of "…"
 * next to "Schlagwort hinzufügen"). */
static void
test_tag_chip_whole_beside_add (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(SiTag) tag = tag_with_ideas (f, "Wochenmarkt Gemüse", 0);
  g_autoptr(SiIdea) idea = si_idea_new ("Market", "Leeks");
  g_autoptr(GPtrArray) chips = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GtkWidget *chip, *tag_box;
  int natural = 0;

  si_idea_add_tag (idea, si_tag_get_id (tag));
  g_assert_true (si_store_save_idea (f->store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);

  open_idea_narrow (f, idea);
  spin (300);

  collect_chips (GTK_WIDGET (_si_window_get_editor (f->window)), chips);
  g_assert_cmpuint (chips->len, ==, 1);
  chip = g_ptr_array_index (chips, 0);
  tag_box = _si_editor_get_tag_box (_si_window_get_editor (f->window));
  gtk_widget_measure (chip, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
  g_test_message ("chip natural %d px, shown %d px; the tags' line %d px", natural,
                  gtk_widget_get_width (chip), gtk_widget_get_width (gtk_widget_get_parent (tag_box)));
  /* The case this is about: the chip fits the line, not the line less the Add Tag button. */
  g_assert_cmpint (natural, <=, gtk_widget_get_width (gtk_widget_get_parent (tag_box)));
  g_assert_true (is_shown (f->window, chip));
  g_assert_false (is_ellipsized (chip_label (chip)));
  g_assert_true (is_shown (f->window, _si_editor_get_add_tag_button (_si_window_get_editor (f->window))));
  set_text_scale (DPI_1_0);
}

/* A window of two panes stays two panes when an idea with a long tag is opened: the chip is
 * cut (its name in a tooltip) rather than widening the editor's minimum, which folded the
 * window and took the list away under the pointer. */
static void
test_long_tag_keeps_two_panes (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(SiTag) tag = tag_with_ideas (f, "Geschäftsideen und Projekte für das nächste Jahr im Garten", 0);
  g_autoptr(SiIdea) plain = add_idea (f->store, "Plain", "No tags");
  g_autoptr(SiIdea) tagged = si_idea_new ("Tagged", "One long tag");
  g_autoptr(GError) error = NULL;
  AdwLeaflet *leaflet;
  g_autoptr(GPtrArray) chips = g_ptr_array_new ();
  GtkWidget *editor;

  si_idea_add_tag (tagged, si_tag_get_id (tag));
  g_assert_true (si_store_save_idea (f->store, tagged, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);

  open_window_at (f, 640);
  leaflet = _si_window_get_leaflet (f->window);
  si_window_open_idea (f->window, si_idea_get_id (plain));
  spin (200);
  g_assert_false (adw_leaflet_get_folded (leaflet));

  si_window_open_idea (f->window, si_idea_get_id (tagged));
  spin (300);
  g_assert_false (adw_leaflet_get_folded (leaflet));
  g_assert_true (is_shown (f->window, GTK_WIDGET (_si_window_get_list_view (f->window))));

  /* The chip is there, inside the editor. */
  editor = GTK_WIDGET (_si_window_get_editor (f->window));
  collect_chips (editor, chips);
  g_assert_cmpuint (chips->len, ==, 1);
  g_assert_true (is_shown (f->window, g_ptr_array_index (chips, 0)));
  g_assert_cmpint (gtk_widget_get_width (g_ptr_array_index (chips, 0)), <=, gtk_widget_get_width (editor));
}

/* Whether @widget lies wholly inside @dialog's window, and is drawn. */
static gboolean
wholly_inside (GtkWidget *dialog,
               GtkWidget *widget)
{
  graphene_rect_t bounds;

  if (!gtk_widget_get_mapped (widget) || !gtk_widget_compute_bounds (widget, dialog, &bounds))
    return FALSE;
  return bounds.origin.x >= 0 && bounds.origin.y >= 0 && bounds.size.height >= 1 &&
         bounds.origin.x + bounds.size.width <= gtk_widget_get_width (dialog) &&
         bounds.origin.y + bounds.size.height <= gtk_widget_get_height (dialog);
}

/* Log In Again with large text: the password field is in sight without scrolling (a fixed
 * 340 px hid it under the explanation in German at 1.5; in English it takes 2.0) and the title
 * between Cancel and Log In is whole. */
static void
test_login_dialog_large_text (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(SiAccount) account = si_account_new (f->store);
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog, *password, *header, *title;

  g_assert_true (si_account_set_for_testing (account, "http://127.0.0.1:9", "ada", "token", &error));
  g_assert_no_error (error);
  set_text_scale (DPI_2_0);
  open_window_at (f, 1280);
  dialog = GTK_WIDGET (si_login_dialog_new (GTK_WINDOW (f->window), account));
  gtk_window_present (GTK_WINDOW (dialog));
  WAIT_FOR (gtk_widget_get_mapped (dialog));
  spin (300);

  password = find_descendant (dialog, ADW_TYPE_PASSWORD_ENTRY_ROW);
  g_assert_nonnull (password);
  g_test_message ("dialog %d × %d px", gtk_widget_get_width (dialog), gtk_widget_get_height (dialog));
  g_assert_true (wholly_inside (dialog, password));

  header = find_descendant (dialog, ADW_TYPE_HEADER_BAR);
  g_assert_nonnull (header);
  /* The window title's label: the one that says the dialog's title. */
  title = NULL;
  {
    g_autoptr(GPtrArray) stack = g_ptr_array_new ();

    g_ptr_array_add (stack, header);
    while (stack->len > 0 && title == NULL)
      {
        GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);

        if (GTK_IS_LABEL (w) &&
            g_strcmp0 (gtk_label_get_label (GTK_LABEL (w)), gtk_window_get_title (GTK_WINDOW (dialog))) == 0)
          title = w;
        for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
          g_ptr_array_add (stack, c);
      }
  }
  g_assert_nonnull (title);
  g_assert_true (wholly_inside (dialog, title));
  g_assert_false (is_ellipsized (GTK_LABEL (title)));

  gtk_window_destroy (GTK_WINDOW (dialog));
  set_text_scale (DPI_1_0);
}

/* A list row's title that fills its line keeps 12 px from the pin and the time beside it (at
 * 6 px, with large text, "Ask Lea for the garden photos gerade eben" read as one line). */
static void
test_row_title_apart_from_time (Fixture       *f,
                                gconstpointer  data)
{
  const char *title_text = "Ask Lea for the garden photos";
  g_autoptr(SiIdea) idea = add_idea (f->store, title_text, "");
  GtkWidget *title = NULL, *next;
  graphene_rect_t title_bounds, next_bounds;
  SiIdeaRow *row;

  set_text_scale (DPI_1_5);
  open_window_at (f, 360);
  WAIT_FOR ((row = find_row (f->window, title_text)) != NULL && is_shown (f->window, GTK_WIDGET (row)));
  title = GTK_WIDGET (find_row_text (GTK_WIDGET (row), title_text));
  g_assert_true (is_shown (f->window, title));
  g_assert_nonnull (title);
  /* What is drawn right of the title: a mark or the time. */
  for (next = gtk_widget_get_next_sibling (title); next && !is_shown (f->window, next);
       next = gtk_widget_get_next_sibling (next))
    ;
  g_assert_nonnull (next);
  g_assert_true (gtk_widget_compute_bounds (title, GTK_WIDGET (f->window), &title_bounds));
  g_assert_true (gtk_widget_compute_bounds (next, GTK_WIDGET (f->window), &next_bounds));
  g_test_message ("title ends at %g, %s starts at %g", title_bounds.origin.x + title_bounds.size.width,
                  G_OBJECT_TYPE_NAME (next), next_bounds.origin.x);
  g_assert_cmpfloat (next_bounds.origin.x - (title_bounds.origin.x + title_bounds.size.width), >=, 12);
  set_text_scale (DPI_1_0);
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

  g_test_add ("/app-layout-narrow/header-title-whole", Fixture, NULL, fixture_setup,
              test_header_title_whole, fixture_teardown);
  g_test_add ("/app-layout-narrow/sidebar-name-over-count", Fixture, NULL, fixture_setup,
              test_sidebar_name_over_count, fixture_teardown);
  g_test_add ("/app-layout-narrow/tag-chips-not-stretched", Fixture, NULL, fixture_setup,
              test_tag_chips_not_stretched, fixture_teardown);
  g_test_add ("/app-layout-narrow/row-title-apart-from-time", Fixture, NULL, fixture_setup,
              test_row_title_apart_from_time, fixture_teardown);
  g_test_add ("/app-layout-narrow/tag-chip-whole-beside-add", Fixture, NULL, fixture_setup,
              test_tag_chip_whole_beside_add, fixture_teardown);
  g_test_add ("/app-layout-narrow/long-tag-keeps-two-panes", Fixture, NULL, fixture_setup,
              test_long_tag_keeps_two_panes, fixture_teardown);
  g_test_add ("/app-layout-narrow/login-dialog-large-text", Fixture, NULL, fixture_setup,
              test_login_dialog_large_text, fixture_teardown);

  return g_test_run ();
}
