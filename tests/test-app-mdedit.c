/* test-app-mdedit.c — the Markdown conveniences in the real editor: keys and clicks sent through
 * the X server (XTest) to the body of an open idea, as a person would press and click them. */
#include "config.h"

#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>
#include <gdk/x11/gdkx.h>

#include "si-markdown-editing.h"
#include "si-test-app.h"

typedef struct {
  Fixture      f;
  Display     *display;
  SiEditor    *editor;
  GtkTextView *view;
  GPtrArray   *opened;   /* the URIs Ctrl+click asked to open */
} Mdedit;

static gboolean
open_uri_cb (SiMarkdownEditing *editing,
             const char        *uri,
             Mdedit            *m)
{
  g_ptr_array_add (m->opened, g_strdup (uri));
  return TRUE;   /* nothing is launched in the tests */
}

/* A window on an idea, the focus in its body. FALSE: no X server to send keys through. */
static gboolean
open_editor (Mdedit *m)
{
  const char *display_name = g_getenv ("DISPLAY");
  g_autoptr(SiIdea) idea = NULL;
  GtkWidget *focus;

  if (display_name == NULL || !GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      g_test_skip ("Needs an X server (the app tests run under Xvfb)");
      return FALSE;
    }
  m->display = XOpenDisplay (display_name);
  g_assert_nonnull (m->display);
  m->opened = g_ptr_array_new_with_free_func (g_free);

  idea = add_idea (m->f.store, "Lists", "");
  open_window (&m->f, NULL);
  si_window_open_idea (m->f.window, si_idea_get_id (idea));
  WAIT_FOR (si_window_get_current_id (m->f.window) == si_idea_get_id (idea));
  m->editor = _si_window_get_editor (m->f.window);
  WAIT_FOR (gtk_window_is_active (GTK_WINDOW (m->f.window)));
  si_editor_focus_body (m->editor);
  spin (30);
  focus = gtk_root_get_focus (GTK_ROOT (m->f.window));
  g_assert_true (GTK_IS_TEXT_VIEW (focus));
  m->view = GTK_TEXT_VIEW (focus);
  g_assert_true (gtk_text_view_get_buffer (m->view) == _si_editor_get_body_buffer (m->editor));
  g_signal_connect (si_markdown_editing_get_for_view (m->view), "open-uri", G_CALLBACK (open_uri_cb), m);
  return TRUE;
}

static void
close_editor (Mdedit *m)
{
  if (m->display)
    XCloseDisplay (m->display);
  g_clear_pointer (&m->opened, g_ptr_array_unref);
}

static GtkTextBuffer *
buffer_of (Mdedit *m)
{
  return gtk_text_view_get_buffer (m->view);
}

/* Sets the body (one undo step, as a paste is) and puts the cursor at the first "|", or selects
 * from the first "[" to the first "]" when @text has no "|". On X11 a selection dropped and taken
 * again at once can be lost when the X server's word that PRIMARY went elsewhere comes late (a
 * GTK matter, not the editor's): the selection is checked and, if lost, set again. */
static void
set_body (Mdedit     *m,
          const char *text)
{
  g_autoptr(GString) plain = g_string_new (text);
  const char *bar = strchr (text, '|');
  GtkTextIter a, b;
  int start, end;

  if (bar)
    {
      g_string_erase (plain, bar - text, 1);
      start = end = (int) g_utf8_pointer_to_offset (text, bar);
    }
  else
    {
      const char *open = strchr (text, '[');
      const char *close = strchr (text, ']');

      start = (int) g_utf8_pointer_to_offset (text, open);
      end = (int) g_utf8_pointer_to_offset (text, close) - 1;
      g_string_erase (plain, close - text, 1);
      g_string_erase (plain, open - text, 1);
    }
  gtk_text_buffer_set_text (buffer_of (m), plain->str, -1);
  for (int attempt = 0; attempt < 5; attempt++)
    {
      GtkTextIter s, e;

      gtk_text_buffer_get_iter_at_offset (buffer_of (m), &a, start);
      gtk_text_buffer_get_iter_at_offset (buffer_of (m), &b, end);
      gtk_text_buffer_select_range (buffer_of (m), &a, &b);
      spin (100);
      gtk_text_buffer_get_selection_bounds (buffer_of (m), &s, &e);
      if (gtk_text_iter_get_offset (&s) == start && gtk_text_iter_get_offset (&e) == end)
        break;
    }
}

/* The body with "|" at the cursor, or "[" and "]" around the selection. */
static char *
shown_body (Mdedit *m)
{
  GtkTextBuffer *buffer = buffer_of (m);
  GtkTextIter start, end, all_start, all_end;
  g_autofree char *text = NULL;
  g_autoptr(GString) shown = NULL;
  gboolean selected;
  glong s, e;

  selected = gtk_text_buffer_get_selection_bounds (buffer, &start, &end);
  gtk_text_buffer_get_bounds (buffer, &all_start, &all_end);
  text = gtk_text_buffer_get_text (buffer, &all_start, &all_end, FALSE);
  shown = g_string_new (text);
  s = (glong) (g_utf8_offset_to_pointer (text, gtk_text_iter_get_offset (&start)) - text);
  e = (glong) (g_utf8_offset_to_pointer (text, gtk_text_iter_get_offset (&end)) - text);
  if (selected)
    {
      g_string_insert_c (shown, e, ']');
      g_string_insert_c (shown, s, '[');
    }
  else
    g_string_insert_c (shown, s, '|');
  return g_string_free (g_steal_pointer (&shown), FALSE);
}

static gboolean
shows (Mdedit     *m,
       const char *expected)
{
  g_autofree char *shown = shown_body (m);

  return g_str_equal (shown, expected);
}

#define ASSERT_SHOWS(m, expected) \
  G_STMT_START { \
    gint64 end_ = g_get_monotonic_time () + 5 * G_USEC_PER_SEC; \
    while (!shows ((m), (expected)) && g_get_monotonic_time () < end_) \
      if (!g_main_context_iteration (NULL, FALSE)) \
        g_usleep (2000); \
    { \
      g_autofree char *shown_ = shown_body (m); \
      g_assert_cmpstr (shown_, ==, (expected)); \
    } \
  } G_STMT_END

/* Presses @accelerator on the keyboard, through the X server. */
static void
press (Mdedit     *m,
       const char *accelerator)
{
  guint keyval = 0;
  GdkModifierType mods = 0;
  KeyCode code;
  KeyCode modifiers[2];
  guint n = 0;

  g_assert_true (gtk_accelerator_parse (accelerator, &keyval, &mods));
  code = XKeysymToKeycode (m->display, keyval);
  g_assert_cmpuint (code, !=, 0);
  if (mods & GDK_CONTROL_MASK)
    modifiers[n++] = XKeysymToKeycode (m->display, GDK_KEY_Control_L);
  if (mods & GDK_SHIFT_MASK)
    modifiers[n++] = XKeysymToKeycode (m->display, GDK_KEY_Shift_L);
  for (guint i = 0; i < n; i++)
    XTestFakeKeyEvent (m->display, modifiers[i], True, CurrentTime);
  XTestFakeKeyEvent (m->display, code, True, CurrentTime);
  XTestFakeKeyEvent (m->display, code, False, CurrentTime);
  for (guint i = n; i > 0; i--)
    XTestFakeKeyEvent (m->display, modifiers[i - 1], False, CurrentTime);
  XSync (m->display, False);
  spin (80);
}

/* Where on the screen the character at @offset of the body is, @across its width from its left
 * edge (0.5: in the middle). */
static void
screen_point (Mdedit *m,
              int     offset,
              double  across,
              int    *rx,
              int    *ry)
{
  GtkTextIter iter;
  GdkRectangle rect;
  int wx, wy;
  graphene_point_t in_view, in_root;
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (m->view));
  double sx, sy;
  Window child;

  gtk_text_buffer_get_iter_at_offset (buffer_of (m), &iter, offset);
  gtk_text_view_get_iter_location (m->view, &iter, &rect);
  gtk_text_view_buffer_to_window_coords (m->view, GTK_TEXT_WINDOW_WIDGET, rect.x + (int) (rect.width * across),
                                         rect.y + rect.height / 2, &wx, &wy);
  in_view = GRAPHENE_POINT_INIT (wx, wy);
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (m->view), GTK_WIDGET (native), &in_view, &in_root));
  gtk_native_get_surface_transform (native, &sx, &sy);
  XTranslateCoordinates (m->display, gdk_x11_surface_get_xid (gtk_native_get_surface (native)),
                         DefaultRootWindow (m->display), (int) (in_root.x + sx), (int) (in_root.y + sy),
                         rx, ry, &child);
}

/* Clicks with the first button on the character at @offset of the body, @across its width. */
static void
click_at_x (Mdedit   *m,
            int       offset,
            double    across,
            gboolean  control)
{
  int rx, ry;
  KeyCode ctrl = XKeysymToKeycode (m->display, GDK_KEY_Control_L);

  screen_point (m, offset, across, &rx, &ry);
  XTestFakeMotionEvent (m->display, -1, rx, ry, CurrentTime);
  XSync (m->display, False);
  spin (50);
  if (control)
    XTestFakeKeyEvent (m->display, ctrl, True, CurrentTime);
  XTestFakeButtonEvent (m->display, 1, True, CurrentTime);
  XTestFakeButtonEvent (m->display, 1, False, CurrentTime);
  if (control)
    XTestFakeKeyEvent (m->display, ctrl, False, CurrentTime);
  XSync (m->display, False);
  spin (150);
}

static void
click_at (Mdedit   *m,
          int       offset,
          gboolean  control)
{
  click_at_x (m, offset, 0.5, control);
}

static void
undo (Mdedit *m)
{
  g_assert_true (gtk_text_buffer_get_can_undo (buffer_of (m)));
  gtk_text_buffer_undo (buffer_of (m));
}

/* Enter continues a list and a checklist, and an empty item ends it; each is one undo step. */
static void
test_enter (Fixture       *f,
            gconstpointer  data)
{
  Mdedit m = { .f = *f };

  if (!open_editor (&m))
    return;

  set_body (&m, "- [x] milk|");
  press (&m, "Return");
  ASSERT_SHOWS (&m, "- [x] milk\n- [ ] |");
  press (&m, "Return");
  ASSERT_SHOWS (&m, "- [x] milk\n|");
  undo (&m);
  ASSERT_SHOWS (&m, "- [x] milk\n- [ ] |");
  undo (&m);
  ASSERT_SHOWS (&m, "- [x] milk|");

  set_body (&m, "Shopping\n9. bread| and butter");
  press (&m, "KP_Enter");
  ASSERT_SHOWS (&m, "Shopping\n9. bread\n10. |and butter");

  /* Shift+Enter is a plain newline, and so is Enter outside a list. */
  set_body (&m, "- milk|");
  press (&m, "<Shift>Return");
  ASSERT_SHOWS (&m, "- milk\n|");
  set_body (&m, "plain|");
  press (&m, "Return");
  ASSERT_SHOWS (&m, "plain\n|");

  /* A selection inside an item is replaced, then the list goes on, in one undo step. */
  set_body (&m, "> - one [two]");
  press (&m, "Return");
  ASSERT_SHOWS (&m, "> - one \n> - |");
  undo (&m);
  ASSERT_SHOWS (&m, "> - one [two]");

  close_editor (&m);
  f->window = m.f.window;
}

/* Tab and Shift+Tab indent and outdent list items; elsewhere Tab still moves the focus. */
static void
test_tab (Fixture       *f,
          gconstpointer  data)
{
  Mdedit m = { .f = *f };

  if (!open_editor (&m))
    return;

  set_body (&m, "- a\n- b|");
  press (&m, "Tab");
  ASSERT_SHOWS (&m, "- a\n  - b|");
  press (&m, "Tab");
  ASSERT_SHOWS (&m, "- a\n    - b|");
  press (&m, "<Shift>Tab");
  ASSERT_SHOWS (&m, "- a\n  - b|");
  undo (&m);
  ASSERT_SHOWS (&m, "- a\n    - b|");
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (m.view)));

  /* Several selected lines at once, one undo step. */
  set_body (&m, "[1. a\ntext\n2. b]");
  press (&m, "Tab");
  {
    g_autofree char *body = body_text (m.editor);
    g_assert_cmpstr (body, ==, "   1. a\ntext\n   2. b");
  }
  undo (&m);
  {
    g_autofree char *body = body_text (m.editor);
    g_assert_cmpstr (body, ==, "1. a\ntext\n2. b");
  }

  /* Not a list: Tab leaves the body, as it did before, and changes nothing. */
  set_body (&m, "no list|");
  press (&m, "Tab");
  WAIT_FOR (!gtk_widget_has_focus (GTK_WIDGET (m.view)));
  g_assert_true (body_is (m.editor, "no list"));

  close_editor (&m);
  f->window = m.f.window;
}

/* Ctrl+B and Ctrl+I put ** and _ around the selection, and take them away again. */
static void
test_bold_italic (Fixture       *f,
                  gconstpointer  data)
{
  Mdedit m = { .f = *f };

  if (!open_editor (&m))
    return;

  set_body (&m, "a [word] b");
  press (&m, "<Control>b");
  ASSERT_SHOWS (&m, "a **[word]** b");
  press (&m, "<Control>i");
  ASSERT_SHOWS (&m, "a **_[word]_** b");
  press (&m, "<Control>b");
  ASSERT_SHOWS (&m, "a **_**[word]**_** b");
  /* Each is one undo step (where undo puts the cursor is GTK's business). */
  undo (&m);
  g_assert_true (body_is (m.editor, "a **_word_** b"));
  undo (&m);
  g_assert_true (body_is (m.editor, "a **word** b"));

  /* The delimiters around the selection are taken away, and so are those inside it. */
  set_body (&m, "a **[word]** b");
  press (&m, "<Control>b");
  ASSERT_SHOWS (&m, "a [word] b");
  set_body (&m, "a [_word_] b");
  press (&m, "<Control>i");
  ASSERT_SHOWS (&m, "a [word] b");

  /* No selection: the pair, the cursor between. */
  set_body (&m, "x |y");
  press (&m, "<Control>i");
  ASSERT_SHOWS (&m, "x _|_y");
  press (&m, "<Control>i");
  ASSERT_SHOWS (&m, "x |y");

  close_editor (&m);
  f->window = m.f.window;
}

/* A click on a checkbox's brackets toggles it, in one undo step, and the cursor stays. */
static void
test_checkbox_click (Fixture       *f,
                     gconstpointer  data)
{
  Mdedit m = { .f = *f };

  if (!open_editor (&m))
    return;

  set_body (&m, "- [ ] task\nmore|");
  click_at (&m, 3, FALSE);   /* the space between the brackets */
  ASSERT_SHOWS (&m, "- [x] task\nmore|");
  click_at (&m, 2, FALSE);   /* the "[" */
  ASSERT_SHOWS (&m, "- [ ] task\nmore|");
  undo (&m);
  ASSERT_SHOWS (&m, "- [x] task\nmore|");

  /* Near the left edge of the "[", with the focus elsewhere (a click from the list, say). */
  si_editor_focus_title (m.editor);
  spin (50);
  click_at_x (&m, 2, 0.2, FALSE);
  g_assert_true (body_is (m.editor, "- [ ] task\nmore"));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (m.view)));   /* the click takes it there */
  ASSERT_SHOWS (&m, "- [ ] task\nmore|");

  /* Elsewhere a click places the cursor, as always. */
  click_at (&m, 8, FALSE);
  {
    GtkTextIter insert;

    gtk_text_buffer_get_iter_at_mark (buffer_of (&m), &insert, gtk_text_buffer_get_insert (buffer_of (&m)));
    g_assert_cmpint (gtk_text_iter_get_offset (&insert), >=, 8);
    g_assert_cmpint (gtk_text_iter_get_offset (&insert), <=, 9);
    g_assert_true (body_is (m.editor, "- [ ] task\nmore"));
  }

  close_editor (&m);
  f->window = m.f.window;
}

/* Ctrl+click opens http(s) and mailto links, nothing else; a plain click only moves the cursor. */
static void
test_link_click (Fixture       *f,
                 gconstpointer  data)
{
  Mdedit m = { .f = *f };
  const char *body = "see [docs](https://example.org/docs) and [me](file:///etc/passwd) or https://gnome.org.|";

  if (!open_editor (&m))
    return;

  set_body (&m, body);
  click_at (&m, 6, FALSE);   /* "docs", no Ctrl */
  g_assert_cmpuint (m.opened->len, ==, 0);
  /* Apart enough not to be a double click, which opens nothing. */
  {
    int double_click_ms = 400;

    g_object_get (gtk_settings_get_default (), "gtk-double-click-time", &double_click_ms, NULL);
    spin ((guint) double_click_ms + 100);
  }
  click_at (&m, 6, TRUE);
  WAIT_FOR (m.opened->len == 1);
  g_assert_cmpstr (m.opened->pdata[0], ==, "https://example.org/docs");
  click_at (&m, 42, TRUE);   /* "me": a file: link is not opened */
  click_at (&m, 78, TRUE);   /* "gnome" */
  WAIT_FOR (m.opened->len == 2);
  g_assert_cmpstr (m.opened->pdata[1], ==, "https://gnome.org");
  /* With Ctrl held, the pointer over a link says that a click opens it; not over the file: one. */
  {
    KeyCode ctrl = XKeysymToKeycode (m.display, GDK_KEY_Control_L);
    int rx, ry;

    screen_point (&m, 80, 0.5, &rx, &ry);
    XTestFakeMotionEvent (m.display, -1, rx, ry, CurrentTime);
    XTestFakeKeyEvent (m.display, ctrl, True, CurrentTime);
    XSync (m.display, False);
    WAIT_FOR (g_strcmp0 (gtk_widget_get_cursor (GTK_WIDGET (m.view)) ? gdk_cursor_get_name (gtk_widget_get_cursor (GTK_WIDGET (m.view))) : NULL, "pointer") == 0);
    screen_point (&m, 43, 0.5, &rx, &ry);
    XTestFakeMotionEvent (m.display, -1, rx, ry, CurrentTime);
    XSync (m.display, False);
    WAIT_FOR (g_strcmp0 (gdk_cursor_get_name (gtk_widget_get_cursor (GTK_WIDGET (m.view))), "pointer") != 0);
    screen_point (&m, 80, 0.5, &rx, &ry);
    XTestFakeMotionEvent (m.display, -1, rx, ry, CurrentTime);
    XSync (m.display, False);
    WAIT_FOR (g_strcmp0 (gdk_cursor_get_name (gtk_widget_get_cursor (GTK_WIDGET (m.view))), "pointer") == 0);
    XTestFakeKeyEvent (m.display, ctrl, False, CurrentTime);
    XSync (m.display, False);
    WAIT_FOR (g_strcmp0 (gdk_cursor_get_name (gtk_widget_get_cursor (GTK_WIDGET (m.view))), "pointer") != 0);
  }

  /* The text is as it was. */
  {
    g_autofree char *text = body_text (m.editor);
    g_assert_cmpstr (text, ==, "see [docs](https://example.org/docs) and [me](file:///etc/passwd) or https://gnome.org.");
  }

  close_editor (&m);
  f->window = m.f.window;
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

#define ADD(path, fn) g_test_add ("/app-mdedit/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("enter", test_enter);
  ADD ("tab", test_tab);
  ADD ("bold-italic", test_bold_italic);
  ADD ("checkbox-click", test_checkbox_click);
  ADD ("link-click", test_link_click);
#undef ADD

  return g_test_run ();
}
