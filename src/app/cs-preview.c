/* cs-preview.c: one picture, large, over the grid
 *
 * Space on the grid opens it: the picture shows at once from its grid
 * thumbnail, scaled up, and then sharp, decoded at the size the view has
 * in device pixels by the same isolated decoders that make thumbnails
 * (cs_thumbnailer_decode_async()), upright. Left and Right step through
 * the grid's own list, so its sort and filter are the preview's order;
 * Esc or Space closes it and gives the focus back to where it was. The
 * grid under it is never touched: its scroll position and selection stay.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-preview"

#include "config.h"

#include "cs-preview.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cs-trace.h"
#include "cs-texture.h"

/* A view that grew by more than a quarter asks for a sharper picture, once
 * the resizing has paused this long. */
#define RESIZE_DELAY_MS 200

struct _CsPreview
{
  GtkWidget      parent_instance;

  /* Template widgets */
  GtkWidget     *overlay;
  GtkPicture    *picture;
  GtkLabel      *error_label;
  GtkLabel      *name_label;
  GtkLabel      *size_label;

  CsThumbnailer *thumbnailer;
  GListModel    *items;          /* the grid's, in its order */
  gulong         items_changed_id;
  CsItem        *item;
  guint          position;       /* the item's in @items, when last seen */
  GtkWidget     *return_focus;   /* weak */

  GCancellable  *cancellable;
  guint          decode_source;
  guint          requested_size; /* the longest side asked of the decoder */
  int            image_width;
  int            image_height;
  gboolean       sharp;          /* the decoded picture is shown */
  gboolean       whole;          /* ... at the picture's own size */
};

G_DEFINE_FINAL_TYPE (CsPreview, cs_preview, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_OPEN,
  PROP_ITEM,
  PROP_SHARP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_sharp (CsPreview *self,
           gboolean   sharp)
{
  if (self->sharp == sharp)
    return;

  self->sharp = sharp;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHARP]);
}

/* The view's scale: fractional where GDK knows it (4.12). */
static double
get_device_scale (CsPreview *self)
{
#if GTK_CHECK_VERSION (4, 12, 0)
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  GdkSurface *surface = native != NULL ? gtk_native_get_surface (native) : NULL;

  if (surface != NULL)
    return gdk_surface_get_scale (surface);
#endif

  return gtk_widget_get_scale_factor (GTK_WIDGET (self));
}

/* The longest side, in device pixels, of the picture fitted into the
 * view: its shape is known from an earlier decode or its thumbnail; without
 * either, the view's longest side. 0 while the view has no size. */
static guint
get_wanted_size (CsPreview *self)
{
  double scale = get_device_scale (self);
  double width = gtk_widget_get_width (GTK_WIDGET (self)) * scale;
  double height = gtk_widget_get_height (GTK_WIDGET (self)) * scale;
  GdkPaintable *paintable = gtk_picture_get_paintable (self->picture);
  double aspect = 0;

  if (width <= 0 || height <= 0)
    return 0;

  if (self->image_width > 0 && self->image_height > 0)
    aspect = (double) self->image_width / self->image_height;
  else if (paintable != NULL)
    aspect = gdk_paintable_get_intrinsic_aspect_ratio (paintable);

  if (aspect <= 0)
    return (guint) ceil (MAX (width, height));
  if (width / height > aspect)
    return (guint) ceil (MAX (height * aspect, height));

  return (guint) ceil (MAX (width, width / aspect));
}

static void
show_error (CsPreview  *self,
            const char *message)
{
  g_autofree char *text = g_strdup_printf (_("Cannot show this picture: %s"), message);

  gtk_picture_set_paintable (self->picture, NULL);
  gtk_label_set_text (self->error_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

static void
on_decoded (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CsPreview) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsResult) decoded = cs_thumbnailer_decode_finish (CS_THUMBNAILER (object), result, &error);
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *size_text = NULL;
  GdkPixbuf *pixbuf;

  /* Another picture, another size, or closed: a later decode is coming or
   * none is wanted. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->item == NULL)
    return;

  if (decoded == NULL)
    {
      cs_trace ("preview-failed %s", cs_item_get_name (self->item));
      show_error (self, error->message);
      return;
    }

  pixbuf = cs_result_get_pixbuf (decoded);
  texture = cs_texture_new_for_pixbuf (pixbuf);
  self->image_width = cs_result_get_image_width (decoded);
  self->image_height = cs_result_get_image_height (decoded);
  self->whole = MAX (gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf)) >=
                MAX (self->image_width, self->image_height);

  /* Drawn at most at its own size: a small picture is not blown up. */
  gtk_picture_set_content_fit (self->picture, GTK_CONTENT_FIT_SCALE_DOWN);
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
  /* TRANSLATORS: a picture's width and height */
  size_text = g_strdup_printf (_("%d × %d pixels"), self->image_width, self->image_height);
  gtk_label_set_text (self->size_label, size_text);
  set_sharp (self, TRUE);
  cs_trace ("preview-sharp %s %dx%d of %dx%d", cs_item_get_name (self->item),
            gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf),
            self->image_width, self->image_height);
}

static void
start_decode (CsPreview *self)
{
  guint size = get_wanted_size (self);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  /* Not laid out yet: the first allocation starts it. */
  if (size == 0 || self->item == NULL)
    return;

  if (self->thumbnailer == NULL)
    {
      show_error (self, _("No folder is open"));
      return;
    }

  self->cancellable = g_cancellable_new ();
  self->requested_size = size;
  cs_thumbnailer_decode_async (self->thumbnailer, cs_item_get_file (self->item), size,
                               self->cancellable, on_decoded, g_object_ref (self));
}

static gboolean
on_decode_due (gpointer data)
{
  CsPreview *self = data;

  self->decode_source = 0;
  start_decode (self);

  return G_SOURCE_REMOVE;
}

static void
cs_preview_size_allocate (GtkWidget *widget,
                          int        width,
                          int        height,
                          int        baseline)
{
  CsPreview *self = CS_PREVIEW (widget);
  guint wanted;

  gtk_widget_allocate (self->overlay, width, height, baseline, NULL);

  if (self->item == NULL || self->decode_source != 0 || self->whole)
    return;

  wanted = get_wanted_size (self);
  if (self->requested_size == 0)
    self->decode_source = g_idle_add (on_decode_due, self);
  else if (wanted > self->requested_size + self->requested_size / 4)
    self->decode_source = g_timeout_add (RESIZE_DELAY_MS, on_decode_due, self);
}

static void
cs_preview_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  CsPreview *self = CS_PREVIEW (widget);

  gtk_widget_measure (self->overlay, orientation, for_size,
                      minimum, natural, minimum_baseline, natural_baseline);
}

static gboolean
find_position (CsPreview *self,
               guint     *position)
{
  guint n_items = g_list_model_get_n_items (self->items);

  /* Where it was last seen first: the usual case, and quick. */
  if (self->position < n_items)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (self->items, self->position);

      if (item == self->item)
        {
          *position = self->position;
          return TRUE;
        }
    }

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (self->items, i);

      if (item == self->item)
        {
          *position = self->position = i;
          return TRUE;
        }
    }

  return FALSE;
}

/* The picture @delta steps from the one shown, passing over folder tiles;
 * %NULL at either end. */
static CsItem *
get_neighbour (CsPreview *self,
               int        delta)
{
  guint n_items = self->items != NULL ? g_list_model_get_n_items (self->items) : 0;
  guint position;

  if (self->items == NULL || !find_position (self, &position))
    return NULL;

  while ((delta < 0 && position > 0) || (delta > 0 && position + 1 < n_items))
    {
      g_autoptr(CsItem) item = NULL;

      position += delta;
      item = g_list_model_get_item (self->items, position);
      if (!cs_item_is_folder (item))
        return g_steal_pointer (&item);
    }

  return NULL;
}

static void
update_actions (CsPreview *self)
{
  g_autoptr(CsItem) previous = get_neighbour (self, -1);
  g_autoptr(CsItem) next = get_neighbour (self, 1);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preview.previous", previous != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preview.next", next != NULL);
}

static void
show_item (CsPreview *self,
           CsItem    *item)
{
  g_clear_handle_id (&self->decode_source, g_source_remove);
  g_set_object (&self->item, item);
  self->image_width = 0;
  self->image_height = 0;
  self->requested_size = 0;
  self->whole = FALSE;
  set_sharp (self, FALSE);

  gtk_label_set_text (self->name_label, cs_item_get_name (item));
  gtk_label_set_text (self->size_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  /* The thumbnail the grid has, until the sharp picture comes. */
  gtk_picture_set_content_fit (self->picture, GTK_CONTENT_FIT_CONTAIN);
  gtk_picture_set_paintable (self->picture, cs_item_get_thumbnail (item));
  if (self->items != NULL)
    find_position (self, &self->position);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
  cs_trace ("preview %s", cs_item_get_name (item));

  start_decode (self);
}

/* The picture at @position or, past the end, the last one; a folder's
 * tile passed over forwards, then backwards. %NULL if none is left. */
static CsItem *
get_picture_near (CsPreview *self,
                  guint      position)
{
  guint n_items = g_list_model_get_n_items (self->items);

  for (guint i = MIN (position, n_items); i < n_items; i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (self->items, i);

      if (!cs_item_is_folder (item))
        return g_steal_pointer (&item);
    }

  for (guint i = MIN (position, n_items); i > 0; i--)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (self->items, i - 1);

      if (!cs_item_is_folder (item))
        return g_steal_pointer (&item);
    }

  return NULL;
}

/* The list changed under the preview (a folder still loading, a picture
 * trashed or gone from the disk, a new filter): Previous and Next follow;
 * a picture that left is followed by the one now in its place. */
static void
on_items_changed (CsPreview  *self,
                  guint       changed_at,
                  guint       removed,
                  guint       added,
                  GListModel *items)
{
  g_autoptr(CsItem) replacement = NULL;
  guint position = self->position;

  if (self->item == NULL)
    return;

  if (find_position (self, &self->position))
    {
      update_actions (self);
      return;
    }

  /* Gone: what was after it is where it was. */
  replacement = get_picture_near (self, position);
  if (replacement == NULL)
    {
      cs_preview_close (self);
      return;
    }
  show_item (self, replacement);
}

static void
step (CsPreview *self,
      int        delta)
{
  g_autoptr(CsItem) item = get_neighbour (self, delta);

  if (item != NULL)
    show_item (self, item);
}

static void
step_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  step (CS_PREVIEW (widget), g_str_equal (action_name, "preview.next") ? 1 : -1);
}

/* Left and Right are the preview's also at either end: the window would
 * take an arrow key no one used to move the focus out of it. */
static gboolean
on_step_key (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  step (CS_PREVIEW (widget), g_variant_get_int32 (args));

  return TRUE;
}

/* The keys stay with the preview while it shows: Tab does not wander off
 * to the header bar, where Space or Esc would mean something else. */
static gboolean
cs_preview_focus (GtkWidget        *widget,
                  GtkDirectionType  direction)
{
  if (!gtk_widget_has_focus (widget))
    gtk_widget_grab_focus (widget);

  return TRUE;
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  cs_preview_close (CS_PREVIEW (widget));
}

void
cs_preview_set_thumbnailer (CsPreview     *self,
                            CsThumbnailer *thumbnailer)
{
  g_return_if_fail (CS_IS_PREVIEW (self));
  g_return_if_fail (thumbnailer == NULL || CS_IS_THUMBNAILER (thumbnailer));

  g_set_object (&self->thumbnailer, thumbnailer);
}

/**
 * cs_preview_open:
 * @items: the grid's list, in the grid's order
 * @item: the picture to show, one of @items; a folder's tile is not
 *   shown
 *
 * Shows @item and takes the keyboard focus; closing gives it back to the
 * widget that had it.
 */
void
cs_preview_open (CsPreview  *self,
                 GListModel *items,
                 CsItem     *item)
{
  GtkRoot *root;

  g_return_if_fail (CS_IS_PREVIEW (self));
  g_return_if_fail (G_IS_LIST_MODEL (items));
  g_return_if_fail (CS_IS_ITEM (item));

  /* A folder tile has no picture to show. */
  if (cs_item_is_folder (item))
    return;

  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (!cs_preview_get_open (self) && root != NULL)
    g_set_weak_pointer (&self->return_focus, gtk_root_get_focus (root));

  if (self->items != items)
    {
      g_clear_signal_handler (&self->items_changed_id, self->items);
      g_set_object (&self->items, items);
      self->items_changed_id = g_signal_connect_object (items, "items-changed",
                                                        G_CALLBACK (on_items_changed), self,
                                                        G_CONNECT_SWAPPED);
    }
  self->position = 0;
  show_item (self, item);
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN]);
}

void
cs_preview_close (CsPreview *self)
{
  g_return_if_fail (CS_IS_PREVIEW (self));

  if (!cs_preview_get_open (self))
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->decode_source, g_source_remove);

  /* Back to the cell before the preview goes: hiding the focused widget
   * would hand the focus to the window. */
  if (self->return_focus != NULL)
    gtk_widget_grab_focus (self->return_focus);
  g_clear_weak_pointer (&self->return_focus);

  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  gtk_picture_set_paintable (self->picture, NULL);
  g_clear_object (&self->item);
  g_clear_signal_handler (&self->items_changed_id, self->items);
  g_clear_object (&self->items);
  set_sharp (self, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN]);
  cs_trace ("preview-closed");
}

gboolean
cs_preview_get_open (CsPreview *self)
{
  g_return_val_if_fail (CS_IS_PREVIEW (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self));
}

/* Whether keys go to the preview (or to one of its buttons). */
gboolean
cs_preview_has_focus (CsPreview *self)
{
  GtkRoot *root;
  GtkWidget *focus;

  g_return_val_if_fail (CS_IS_PREVIEW (self), FALSE);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  return cs_preview_get_open (self) && focus != NULL &&
         (focus == GTK_WIDGET (self) || gtk_widget_is_ancestor (focus, GTK_WIDGET (self)));
}

CsItem *
cs_preview_get_item (CsPreview *self)
{
  g_return_val_if_fail (CS_IS_PREVIEW (self), NULL);

  return self->item;
}

/**
 * cs_preview_get_position:
 * @position: (out): the shown picture's position in the list the preview
 *   walks (the grid's)
 *
 * Returns: whether a picture is shown and is in that list
 */
gboolean
cs_preview_get_position (CsPreview *self,
                         guint     *position)
{
  g_return_val_if_fail (CS_IS_PREVIEW (self), FALSE);

  return self->item != NULL && self->items != NULL && find_position (self, position);
}

GdkPaintable *
cs_preview_get_paintable (CsPreview *self)
{
  g_return_val_if_fail (CS_IS_PREVIEW (self), NULL);

  return gtk_picture_get_paintable (self->picture);
}

/* Whether the decoded picture (not the thumbnail) is shown. */
gboolean
cs_preview_get_sharp (CsPreview *self)
{
  g_return_val_if_fail (CS_IS_PREVIEW (self), FALSE);

  return self->sharp;
}

const char *
cs_preview_get_name_text (CsPreview *self)
{
  g_return_val_if_fail (CS_IS_PREVIEW (self), NULL);

  return gtk_label_get_text (self->name_label);
}

const char *
cs_preview_get_size_text (CsPreview *self)
{
  g_return_val_if_fail (CS_IS_PREVIEW (self), NULL);

  return gtk_label_get_text (self->size_label);
}

/* Returns: (nullable): the error shown instead of the picture */
const char *
cs_preview_get_error_text (CsPreview *self)
{
  g_return_val_if_fail (CS_IS_PREVIEW (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;

  return gtk_label_get_text (self->error_label);
}

static void
cs_preview_dispose (GObject *object)
{
  CsPreview *self = (CsPreview *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->decode_source, g_source_remove);
  g_clear_weak_pointer (&self->return_focus);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_PREVIEW);
  g_clear_object (&self->item);
  if (self->items != NULL)
    g_clear_signal_handler (&self->items_changed_id, self->items);
  g_clear_object (&self->items);
  g_clear_object (&self->thumbnailer);

  G_OBJECT_CLASS (cs_preview_parent_class)->dispose (object);
}

static void
cs_preview_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CsPreview *self = CS_PREVIEW (object);

  switch (prop_id)
    {
    case PROP_OPEN:
      g_value_set_boolean (value, cs_preview_get_open (self));
      break;
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;
    case PROP_SHARP:
      g_value_set_boolean (value, self->sharp);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_preview_class_init (CsPreviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_preview_dispose;
  object_class->get_property = cs_preview_get_property;
  widget_class->measure = cs_preview_measure;
  widget_class->size_allocate = cs_preview_size_allocate;
  widget_class->focus = cs_preview_focus;

  properties[PROP_OPEN] =
    g_param_spec_boolean ("open", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, CS_TYPE_ITEM,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SHARP] =
    g_param_spec_boolean ("sharp", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/contactsheet/ContactSheet/cs-preview.ui");
  gtk_widget_class_bind_template_child (widget_class, CsPreview, overlay);
  gtk_widget_class_bind_template_child (widget_class, CsPreview, picture);
  gtk_widget_class_bind_template_child (widget_class, CsPreview, error_label);
  gtk_widget_class_bind_template_child (widget_class, CsPreview, name_label);
  gtk_widget_class_bind_template_child (widget_class, CsPreview, size_label);
  gtk_widget_class_set_css_name (widget_class, "cs-preview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  gtk_widget_class_install_action (widget_class, "preview.previous", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "preview.next", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "preview.close", NULL, close_action);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Left, 0, on_step_key, "i", -1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Left, 0, on_step_key, "i", -1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Right, 0, on_step_key, "i", 1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Right, 0, on_step_key, "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "preview.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "preview.close", NULL);
}

static void
cs_preview_init (CsPreview *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
