/* cs-flavor-chooser.c: the cache flavour a cell's device pixels need
 *
 * A cell of 128 points on a monitor that draws two device pixels per
 * point shows 256 pixels: a `normal` thumbnail there is stretched and
 * blurred. The chooser multiplies the cell's size by the scale of the
 * widget it follows and says which flavour of the cache covers that, as a
 * property that changes when the cell is zoomed or the window moves to a
 * monitor with another scale.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-flavor-chooser"

#include "config.h"

#include "cs-flavor-chooser.h"

struct _CsFlavorChooser
{
  GObject     parent_instance;

  int         cell_size;
  CsFlavor    minimum;
  double      scale;
  CsFlavor    flavor;

  GtkWidget  *widget;     /* weak */
  GdkSurface *surface;    /* weak: @widget's, while it is realized */
};

G_DEFINE_FINAL_TYPE (CsFlavorChooser, cs_flavor_chooser, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FLAVOR,
  PROP_SCALE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * cs_flavor_for_cell:
 * @cell_size: the cell's side, in points
 * @scale: device pixels per point
 *
 * Returns: the smallest flavour at least as large as the cell's side in
 *   device pixels; the largest there is for cells larger than that.
 */
CsFlavor
cs_flavor_for_cell (int    cell_size,
                    double scale)
{
  /* Rounded up, but 1.000001 × 128 is still 128 pixels: a scale read
   * back from a float must not ask for the next flavour. */
  guint pixels = (guint) (cell_size * MAX (scale, 1.0) + 0.999);
  CsFlavor flavor = CS_FLAVOR_NORMAL;

  while (flavor < CS_FLAVOR_XX_LARGE && cs_flavor_get_size (flavor) < pixels)
    flavor++;

  return flavor;
}

static void
update (CsFlavorChooser *self)
{
  CsFlavor flavor = MAX (self->minimum, cs_flavor_for_cell (self->cell_size, self->scale));

  if (flavor == self->flavor)
    return;

  self->flavor = flavor;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLAVOR]);
}

CsFlavor
cs_flavor_chooser_get_flavor (CsFlavorChooser *self)
{
  g_return_val_if_fail (CS_IS_FLAVOR_CHOOSER (self), CS_FLAVOR_NORMAL);

  return self->flavor;
}

/**
 * cs_flavor_chooser_set_cell:
 * @cell_size: the cell's side, in points
 * @minimum: the flavour asked for even if the cell is smaller (the
 *   thumbnail-size setting: its files are the ones asked for)
 */
void
cs_flavor_chooser_set_cell (CsFlavorChooser *self,
                            int              cell_size,
                            CsFlavor         minimum)
{
  g_return_if_fail (CS_IS_FLAVOR_CHOOSER (self));
  g_return_if_fail (cell_size > 0);
  g_return_if_fail (minimum < CS_N_FLAVORS);

  self->cell_size = cell_size;
  self->minimum = minimum;
  update (self);
}

double
cs_flavor_chooser_get_scale (CsFlavorChooser *self)
{
  g_return_val_if_fail (CS_IS_FLAVOR_CHOOSER (self), 1.0);

  return self->scale;
}

void
cs_flavor_chooser_set_scale (CsFlavorChooser *self,
                             double           scale)
{
  g_return_if_fail (CS_IS_FLAVOR_CHOOSER (self));
  g_return_if_fail (scale > 0);

  if (G_APPROX_VALUE (self->scale, scale, 1e-6))
    return;

  self->scale = scale;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALE]);
  update (self);
}

/* GTK 4.12 knows fractional scales (1.25, 1.5 on Wayland); the widget's
 * integer scale factor is that rounded up. */
static void
read_scale (CsFlavorChooser *self)
{
  double scale;

  if (self->widget == NULL)
    return;

  scale = gtk_widget_get_scale_factor (self->widget);
#if GTK_CHECK_VERSION (4, 12, 0)
  if (self->surface != NULL)
    scale = gdk_surface_get_scale (self->surface);
#endif

  cs_flavor_chooser_set_scale (self, scale);
}

static void
drop_surface (CsFlavorChooser *self)
{
  if (self->surface == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->surface, self);
  g_object_remove_weak_pointer (G_OBJECT (self->surface), (gpointer *) &self->surface);
  self->surface = NULL;
}

static void
on_realize (CsFlavorChooser *self)
{
#if GTK_CHECK_VERSION (4, 12, 0)
  GtkNative *native = gtk_widget_get_native (self->widget);
  GdkSurface *surface = native != NULL ? gtk_native_get_surface (native) : NULL;

  drop_surface (self);
  if (surface != NULL)
    {
      self->surface = surface;
      g_object_add_weak_pointer (G_OBJECT (surface), (gpointer *) &self->surface);
      g_signal_connect_swapped (surface, "notify::scale", G_CALLBACK (read_scale), self);
    }
#endif

  read_scale (self);
}

static void
on_unrealize (CsFlavorChooser *self)
{
  drop_surface (self);
}

static void
drop_widget (CsFlavorChooser *self)
{
  drop_surface (self);
  if (self->widget == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->widget, self);
  g_object_remove_weak_pointer (G_OBJECT (self->widget), (gpointer *) &self->widget);
  self->widget = NULL;
}

/**
 * cs_flavor_chooser_follow_widget:
 *
 * Takes the scale from @widget from now on, and again whenever it changes
 * (the window went to another monitor).
 */
void
cs_flavor_chooser_follow_widget (CsFlavorChooser *self,
                                 GtkWidget       *widget)
{
  g_return_if_fail (CS_IS_FLAVOR_CHOOSER (self));
  g_return_if_fail (widget == NULL || GTK_IS_WIDGET (widget));

  drop_widget (self);
  if (widget == NULL)
    return;

  self->widget = widget;
  g_object_add_weak_pointer (G_OBJECT (widget), (gpointer *) &self->widget);
  g_signal_connect_swapped (widget, "notify::scale-factor", G_CALLBACK (read_scale), self);
  g_signal_connect_swapped (widget, "realize", G_CALLBACK (on_realize), self);
  g_signal_connect_swapped (widget, "unrealize", G_CALLBACK (on_unrealize), self);

  if (gtk_widget_get_realized (widget))
    on_realize (self);
  else
    read_scale (self);
}

static void
cs_flavor_chooser_dispose (GObject *object)
{
  drop_widget (CS_FLAVOR_CHOOSER (object));

  G_OBJECT_CLASS (cs_flavor_chooser_parent_class)->dispose (object);
}

static void
cs_flavor_chooser_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CsFlavorChooser *self = CS_FLAVOR_CHOOSER (object);

  switch (prop_id)
    {
    case PROP_FLAVOR:
      g_value_set_int (value, self->flavor);
      break;
    case PROP_SCALE:
      g_value_set_double (value, self->scale);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_flavor_chooser_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CsFlavorChooser *self = CS_FLAVOR_CHOOSER (object);

  switch (prop_id)
    {
    case PROP_SCALE:
      cs_flavor_chooser_set_scale (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_flavor_chooser_class_init (CsFlavorChooserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_flavor_chooser_dispose;
  object_class->get_property = cs_flavor_chooser_get_property;
  object_class->set_property = cs_flavor_chooser_set_property;

  properties[PROP_FLAVOR] =
    g_param_spec_int ("flavor", NULL, NULL, CS_FLAVOR_NORMAL, CS_FLAVOR_XX_LARGE, CS_FLAVOR_NORMAL,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SCALE] =
    g_param_spec_double ("scale", NULL, NULL, 0.1, 16.0, 1.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_flavor_chooser_init (CsFlavorChooser *self)
{
  self->cell_size = 128;
  self->minimum = CS_FLAVOR_NORMAL;
  self->scale = 1.0;
  self->flavor = CS_FLAVOR_NORMAL;
}

CsFlavorChooser *
cs_flavor_chooser_new (void)
{
  return g_object_new (CS_TYPE_FLAVOR_CHOOSER, NULL);
}
