/* si-idea-print.c — one idea as a print operation.
 *
 * The title is a heading on the first page, the body follows in the text font, wrapped at the
 * page's width (at words, or anywhere in a word longer than a line), and each page has
 * "Page n of m" at its foot. The body is printed as it is written: Markdown stays plain text.
 *
 * Pagination is incremental: each "paginate" emission lays out at most PAGINATE_BYTES of the
 * body, a paragraph at a time and a long paragraph in chunks of CHUNK_BYTES, so a body of
 * several MiB neither blocks the main loop nor builds one giant PangoLayout. It records where
 * each page begins in the body; "draw-page" lays out just that page's slice, which starts at a
 * line's start and so wraps into the same lines.
 */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "si-idea-print.h"

#define CHUNK_BYTES 8192
#define PAGINATE_BYTES (32 * 1024)
#define TITLE_SCALE 1.6
#define BODY_POINTS 11
#define FOOTER_POINTS 9
#define PRINT_KEY "si-idea-print"

typedef struct {
  gsize start;
  gsize end;
} Page;

typedef struct {
  char                 *title;
  char                 *body;
  gsize                 body_len;
  PangoFontDescription *title_font;
  PangoFontDescription *body_font;
  PangoFontDescription *footer_font;
  PangoLayout          *layout;       /* for pagination */
  double                width;        /* of the text, in the context's units */
  double                height;       /* of the text on a page, above the footer */
  double                title_height; /* with the gap below it */
  GArray               *pages;        /* Page */
  gsize                 pos;          /* the next byte of the body to lay out */
  gsize                 page_start;
  double                y;            /* used on the page being filled */
} Print;

static void
print_free (gpointer data)
{
  Print *p = data;

  g_free (p->title);
  g_free (p->body);
  g_clear_pointer (&p->title_font, pango_font_description_free);
  g_clear_pointer (&p->body_font, pango_font_description_free);
  g_clear_pointer (&p->footer_font, pango_font_description_free);
  g_clear_object (&p->layout);
  g_clear_pointer (&p->pages, g_array_unref);
  g_free (p);
}

/* The user's interface font family, at @points. */
static PangoFontDescription *
make_font (double   points,
           gboolean bold)
{
  GtkSettings *settings = gtk_settings_get_default ();
  g_autofree char *name = NULL;
  PangoFontDescription *font;

  if (settings)
    g_object_get (settings, "gtk-font-name", &name, NULL);
  font = pango_font_description_from_string (name ? name : "Sans");
  pango_font_description_unset_fields (font, PANGO_FONT_MASK_STYLE | PANGO_FONT_MASK_WEIGHT |
                                             PANGO_FONT_MASK_VARIANT | PANGO_FONT_MASK_STRETCH);
  pango_font_description_set_size (font, (int) (points * PANGO_SCALE));
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  return font;
}

static PangoLayout *
make_layout (Print                      *p,
             GtkPrintContext            *context,
             const PangoFontDescription *font)
{
  PangoLayout *layout = gtk_print_context_create_pango_layout (context);

  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int) (p->width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  int height;

  pango_layout_get_size (layout, NULL, &height);
  return (double) height / PANGO_SCALE;
}

static void
begin_print_cb (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                Print             *p)
{
  g_autoptr(PangoLayout) title = NULL;
  g_autoptr(PangoLayout) footer = NULL;

  p->width = gtk_print_context_get_width (context);
  footer = make_layout (p, context, p->footer_font);
  pango_layout_set_text (footer, "0", -1);
  /* The footer's line, and as much again between it and the text. */
  p->height = MAX (gtk_print_context_get_height (context) - 2 * layout_height (footer), 1.0);

  title = make_layout (p, context, p->title_font);
  pango_layout_set_text (title, p->title, -1);
  p->title_height = p->title[0] ? layout_height (title) * 1.5 : 0;

  g_clear_object (&p->layout);
  p->layout = make_layout (p, context, p->body_font);
  g_array_set_size (p->pages, 0);
  p->pos = 0;
  p->page_start = 0;
  p->y = p->title_height;
}

/* Where the chunk of the paragraph at @start may end, at most CHUNK_BYTES on, at a character. */
static gsize
chunk_end (Print *p,
           gsize  start,
           gsize  paragraph_end)
{
  gsize end;

  if (paragraph_end - start <= CHUNK_BYTES)
    return paragraph_end;
  end = start + CHUNK_BYTES;
  while (end > start && (p->body[end] & 0xc0) == 0x80)
    end--;
  return end;
}

/* Lays out the paragraph (or the chunk of one) at p->pos, assigning its lines to pages.
 * Returns the body offset where the next one starts. */
static gsize
paginate_chunk (Print *p)
{
  const char *nl = memchr (p->body + p->pos, '\n', p->body_len - p->pos);
  gsize paragraph_end = nl ? (gsize) (nl - p->body) : p->body_len;
  gsize end = chunk_end (p, p->pos, paragraph_end);
  gboolean cut = end < paragraph_end;
  gsize next = nl && !cut ? paragraph_end + 1 : end;
  PangoLayoutIter *iter;
  int n_lines;
  int i = 0;

  pango_layout_set_text (p->layout, p->body + p->pos, (int) (end - p->pos));
  n_lines = pango_layout_get_line_count (p->layout);
  iter = pango_layout_get_iter (p->layout);
  do
    {
      PangoLayoutLine *line = pango_layout_iter_get_line_readonly (iter);
      gsize line_start = p->pos + (gsize) line->start_index;
      int y0, y1;
      double h;

      /* The last line of a cut chunk may go on in the next chunk: lay it out again there. */
      if (cut && i == n_lines - 1 && i > 0)
        {
          next = line_start;
          break;
        }
      pango_layout_iter_get_line_yrange (iter, &y0, &y1);
      h = (double) (y1 - y0) / PANGO_SCALE;
      if (p->y + h > p->height && p->y > 0 && line_start > p->page_start)
        {
          Page page = { p->page_start, line_start };

          g_array_append_val (p->pages, page);
          p->page_start = line_start;
          p->y = 0;
        }
      p->y += h;
      i++;
    }
  while (pango_layout_iter_next_line (iter));
  pango_layout_iter_free (iter);
  return next;
}

static gboolean
paginate_cb (GtkPrintOperation *operation,
             GtkPrintContext   *context,
             Print             *p)
{
  gsize budget_end = p->pos + PAGINATE_BYTES;

  while (p->pos < p->body_len && p->pos < budget_end)
    p->pos = paginate_chunk (p);
  if (p->pos < p->body_len)
    return FALSE;

  {
    Page page = { p->page_start, p->body_len };
    g_array_append_val (p->pages, page);
  }
  gtk_print_operation_set_n_pages (operation, (int) p->pages->len);
  g_debug ("Paginated %" G_GSIZE_FORMAT " bytes into %u pages", p->body_len, p->pages->len);
  return TRUE;
}

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              Print             *p)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  g_autoptr(PangoLayout) body = NULL;
  g_autoptr(PangoLayout) footer = NULL;
  g_autofree char *number = NULL;
  const Page *page;
  gsize length;
  double y = 0;
  int footer_width, footer_height;

  if (page_nr < 0 || (guint) page_nr >= p->pages->len)
    return;
  page = &g_array_index (p->pages, Page, page_nr);

  cairo_set_source_rgb (cr, 0, 0, 0);
  if (page_nr == 0 && p->title[0])
    {
      g_autoptr(PangoLayout) title = make_layout (p, context, p->title_font);

      pango_layout_set_text (title, p->title, -1);
      cairo_move_to (cr, 0, 0);
      pango_cairo_show_layout (cr, title);
      y = p->title_height;
    }

  /* The newline that ends the page's last paragraph would only add an empty line. */
  length = page->end - page->start;
  if (length > 0 && p->body[page->start + length - 1] == '\n')
    length--;
  body = make_layout (p, context, p->body_font);
  pango_layout_set_text (body, p->body + page->start, (int) length);
  cairo_move_to (cr, 0, y);
  pango_cairo_show_layout (cr, body);

  footer = make_layout (p, context, p->footer_font);
  pango_layout_set_alignment (footer, PANGO_ALIGN_CENTER);
  /* Translators: at the foot of each printed page. */
  number = g_strdup_printf (_("Page %d of %u"), page_nr + 1, p->pages->len);
  pango_layout_set_text (footer, number, -1);
  pango_layout_get_pixel_size (footer, &footer_width, &footer_height);
  cairo_move_to (cr, 0, gtk_print_context_get_height (context) - footer_height);
  pango_cairo_show_layout (cr, footer);
}

static void
end_print_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              Print             *p)
{
  g_clear_object (&p->layout);
}

/**
 * si_idea_print_new:
 * @title: the idea's title (shown as given; may be empty)
 * @body: its text
 *
 * Returns: (transfer full): an operation that prints them; run it with
 *   gtk_print_operation_run()
 */
GtkPrintOperation *
si_idea_print_new (const char *title,
                   const char *body)
{
  GtkPrintOperation *operation;
  Print *p;

  g_return_val_if_fail (title != NULL, NULL);
  g_return_val_if_fail (body != NULL, NULL);

  p = g_new0 (Print, 1);
  p->title = g_strdup (title);
  p->body = g_strdup (body);
  p->body_len = strlen (body);
  p->title_font = make_font (BODY_POINTS * TITLE_SCALE, TRUE);
  p->body_font = make_font (BODY_POINTS, FALSE);
  p->footer_font = make_font (FOOTER_POINTS, FALSE);
  p->pages = g_array_new (FALSE, FALSE, sizeof (Page));

  operation = gtk_print_operation_new ();
  gtk_print_operation_set_job_name (operation, title[0] ? title : _("Idea"));
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  g_object_set_data_full (G_OBJECT (operation), PRINT_KEY, p, print_free);
  g_signal_connect (operation, "begin-print", G_CALLBACK (begin_print_cb), p);
  g_signal_connect (operation, "paginate", G_CALLBACK (paginate_cb), p);
  g_signal_connect (operation, "draw-page", G_CALLBACK (draw_page_cb), p);
  g_signal_connect (operation, "end-print", G_CALLBACK (end_print_cb), p);
  return operation;
}

gboolean
_si_idea_print_get_page_range (GtkPrintOperation *operation,
                               int                page,
                               gsize             *start,
                               gsize             *end)
{
  Print *p = g_object_get_data (G_OBJECT (operation), PRINT_KEY);

  if (p == NULL || page < 0 || (guint) page >= p->pages->len)
    return FALSE;
  *start = g_array_index (p->pages, Page, page).start;
  *end = g_array_index (p->pages, Page, page).end;
  return TRUE;
}
