/* si-wrap-bin.c — holds a wrapping label in a row, asking its width without a height.
 *
 * A horizontal GtkBox of GTK 4.8 gives out its width by measuring each child's width for the
 * box's height. For a wrapping GtkLabel that is a bisection: the narrowest width at which its
 * text fits that height, some eight Pango layouts for the natural width and as many for the
 * minimum, at every allocation of the row. The sidebar's tag rows, made ten at a time during a
 * first sync and laid out again when their counts gain a digit, made the longest main-loop
 * iterations of the sync that way (docs/performance.md).
 *
 * SiWrapBin asks its child's width as a height-for-width widget should be asked: without a
 * height (the child's minimum and natural width, which GTK keeps), then its height for the width
 * it gets. The row's box still gives it the room left beside the icon and the count. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include "si-wrap-bin.h"

/* Its one child is its first (si_wrap_bin_new()). */
struct _SiWrapBin
{
  GtkWidget  parent_instance;
};

G_DEFINE_FINAL_TYPE (SiWrapBin, si_wrap_bin, GTK_TYPE_WIDGET)

static GtkSizeRequestMode
si_wrap_bin_get_request_mode (GtkWidget *widget)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  return child ? gtk_widget_get_request_mode (child) : GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

static void
si_wrap_bin_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  if (child == NULL || !gtk_widget_should_layout (child))
    return;
  /* The width without a height: no bisection. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    for_size = -1;
  gtk_widget_measure (child, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
}

static void
si_wrap_bin_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  if (child && gtk_widget_should_layout (child))
    gtk_widget_allocate (child, width, height, baseline, NULL);
}

static void
si_wrap_bin_compute_expand (GtkWidget *widget,
                            gboolean  *hexpand,
                            gboolean  *vexpand)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  *hexpand = child && gtk_widget_compute_expand (child, GTK_ORIENTATION_HORIZONTAL);
  *vexpand = child && gtk_widget_compute_expand (child, GTK_ORIENTATION_VERTICAL);
}

GtkWidget *
si_wrap_bin_get_child (SiWrapBin *self)
{
  g_return_val_if_fail (SI_IS_WRAP_BIN (self), NULL);
  return gtk_widget_get_first_child (GTK_WIDGET (self));
}

static void
si_wrap_bin_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))))
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (si_wrap_bin_parent_class)->dispose (object);
}

static void
si_wrap_bin_class_init (SiWrapBinClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = si_wrap_bin_dispose;
  widget_class->get_request_mode = si_wrap_bin_get_request_mode;
  widget_class->measure = si_wrap_bin_measure;
  widget_class->size_allocate = si_wrap_bin_size_allocate;
  widget_class->compute_expand = si_wrap_bin_compute_expand;
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GENERIC);
}

static void
si_wrap_bin_init (SiWrapBin *self)
{
}

/* A bin around @child (a wrapping GtkLabel, usually). */
GtkWidget *
si_wrap_bin_new (GtkWidget *child)
{
  SiWrapBin *self;

  g_return_val_if_fail (GTK_IS_WIDGET (child), NULL);
  self = g_object_new (SI_TYPE_WRAP_BIN, NULL);
  gtk_widget_set_parent (child, GTK_WIDGET (self));
  return GTK_WIDGET (self);
}
