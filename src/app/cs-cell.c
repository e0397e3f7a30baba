/* cs-cell.c: one cell of the thumbnail grid
 *
 * A cell follows its item through a GBindingGroup and a GSignalGroup: when
 * the grid recycles the cell for another item, every binding moves with it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-cell"

#include "config.h"

#include "cs-cell.h"
#include "cs-video-badge.h"

#include <glib/gi18n.h>
#include <math.h>

struct _CsCell
{
  GtkWidget      parent_instance;

  CsItem        *item;
  GBindingGroup *bindings;
  GSignalGroup  *signals;
  int            pixel_size;

  GtkWidget     *frame;
  GtkWidget     *picture;
  GtkWidget     *backdrop;
  GtkWidget     *placeholder;
  GtkWidget     *badge;
  GtkWidget     *video_badge;
  GtkWidget     *caption;
  const char    *icon_name;
};

G_DEFINE_FINAL_TYPE (CsCell, cs_cell, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ITEM,
  PROP_PIXEL_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The backdrop covers what the picture draws: its paintable, fitted
 * (GTK_CONTENT_FIT_CONTAIN) and centred in the frame, rounded inwards so
 * that no square shows past the picture's edge. */
static gboolean
on_frame_child_position (CsCell       *self,
                         GtkWidget    *child,
                         GdkRectangle *allocation)
{
  GdkPaintable *paintable = gtk_picture_get_paintable (GTK_PICTURE (self->picture));
  double width = gtk_widget_get_width (self->frame);
  double height = gtk_widget_get_height (self->frame);
  double ratio = paintable ? gdk_paintable_get_intrinsic_aspect_ratio (paintable) : 0.0;
  double w = width, h = height;

  if (child != self->backdrop)
    return FALSE;

  if (ratio > 0.0 && ratio > width / MAX (height, 1.0))
    h = width / ratio;
  else if (ratio > 0.0)
    w = height * ratio;

  allocation->x = (int) ceil ((width - w) / 2);
  allocation->y = (int) ceil ((height - h) / 2);
  allocation->width = MAX (0, (int) floor ((width + w) / 2) - allocation->x);
  allocation->height = MAX (0, (int) floor ((height + h) / 2) - allocation->y);

  return TRUE;
}

/* The grid makes a cell for every picture it keeps (some 250 as a large
 * folder fills, and all again on a zoom), so a cell is built in code: a
 * template costs a GtkBuilder, and a parse, per cell, and made a cell take
 * twice as long (85-95 µs against 41-48). The badge is made when a picture
 * first fails. */

/* File names are one "word" to Pango: "Fossa_by_Jasper_Roks.jpg" would be
 * cut wherever the line ends. A zero-width space after each separator
 * lets the first line end at one, as file managers do. */
static gboolean
caption_with_breaks (GBinding     *binding,
                     const GValue *from,
                     GValue       *to,
                     gpointer      user_data)
{
  const char *name = g_value_get_string (from);
  const char *extension;
  GString *text;

  if (name == NULL)
    return FALSE;

  /* Not before the extension: "Roks.jpg" stays whole. */
  extension = strrchr (name, '.');
  text = g_string_sized_new (strlen (name) + 16);
  for (const char *p = name; *p != '\0'; p++)
    {
      g_string_append_c (text, *p);
      if (strchr ("_-.+,", *p) != NULL && p[1] != '\0' && p != extension)
        g_string_append (text, "\xe2\x80\x8b");  /* U+200B */
    }
  g_value_take_string (to, g_string_free (text, FALSE));

  return TRUE;
}

static void
build_children (CsCell *self)
{
  g_autoptr(PangoAttrList) attributes = NULL;
  GtkWidget *widget = GTK_WIDGET (self);
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (widget);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 6);

  /* The frame is the cell's size in points, whatever the thumbnail's
   * pixels: a texture's pixels count as points, and a 256-pixel one made
   * for a scale-2 screen would otherwise draw a cell twice as large. So
   * the picture is an overlay, which is not measured, filling the frame. */
  self->frame = gtk_overlay_new ();
  gtk_widget_set_halign (self->frame, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->frame, "thumbnail-frame");
  gtk_widget_set_parent (self->frame, widget);

  self->placeholder = gtk_image_new ();
  gtk_widget_set_halign (self->placeholder, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (self->placeholder, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->placeholder, "dim-label");
  gtk_overlay_set_child (GTK_OVERLAY (self->frame), self->placeholder);

  /* Under the picture, over its own rectangle only: a checkerboard
   * (style.css), so a transparent or white picture does not look like an
   * empty tile. Placed by on_frame_child_position(). */
  self->backdrop = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (self->backdrop, "thumbnail-backdrop");
  gtk_widget_set_can_target (self->backdrop, FALSE);
  gtk_overlay_add_overlay (GTK_OVERLAY (self->frame), self->backdrop);
  g_signal_connect_swapped (self->frame, "get-child-position",
                            G_CALLBACK (on_frame_child_position), self);

  self->picture = gtk_picture_new ();
  gtk_picture_set_can_shrink (GTK_PICTURE (self->picture), TRUE);
  gtk_picture_set_content_fit (GTK_PICTURE (self->picture), GTK_CONTENT_FIT_CONTAIN);
  gtk_overlay_add_overlay (GTK_OVERLAY (self->frame), self->picture);

  self->caption = gtk_inscription_new (NULL);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (self->caption),
                                     GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_MIDDLE);
  gtk_inscription_set_xalign (GTK_INSCRIPTION (self->caption), 0.5);
  gtk_inscription_set_min_chars (GTK_INSCRIPTION (self->caption), 1);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (self->caption), 1);
  /* Two lines: the first wraps at a word, else anywhere; Pango ellipsizes
   * the last line in its middle, so a name's end (a number, the
   * extension) stays, and names alike up to their end look different. */
  gtk_inscription_set_min_lines (GTK_INSCRIPTION (self->caption), 2);
  gtk_inscription_set_nat_lines (GTK_INSCRIPTION (self->caption), 2);
  gtk_inscription_set_wrap_mode (GTK_INSCRIPTION (self->caption), PANGO_WRAP_WORD_CHAR);
  /* A name cut inside a word gets no hyphen: "photo.j-" / "pg" reads as
   * another name. */
  attributes = pango_attr_list_new ();
  pango_attr_list_insert (attributes, pango_attr_insert_hyphens_new (FALSE));
  gtk_inscription_set_attributes (GTK_INSCRIPTION (self->caption), attributes);
  gtk_widget_add_css_class (self->caption, "caption");
  gtk_widget_set_parent (self->caption, widget);
}

/* The caption's height: two lines as Pango fits them into a height. It
 * lays out a further line only where the font's whole line height (with
 * its line gap) still fits below, which can be more than the line itself
 * (GTK 4.24's unhinted metrics: 12.7-pixel lines, 14.9 with the gap), so
 * two lines of the inscription's own measure show one, ellipsized. */
static void
update_caption_height (CsCell *self)
{
  PangoContext *context = gtk_widget_get_pango_context (self->caption);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (self->caption, "Ag");
  PangoFontMetrics *metrics = pango_context_get_metrics (context, NULL, NULL);
  int width, line;

  pango_layout_get_size (layout, &width, &line);
  line = MAX (line, pango_font_metrics_get_height (metrics));
  pango_font_metrics_unref (metrics);
  gtk_widget_set_size_request (self->caption, self->pixel_size, PANGO_PIXELS_CEIL (2 * line));
}

static void
cs_cell_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (cs_cell_parent_class)->root (widget);

  update_caption_height (CS_CELL (widget));
}

static void
show_badge (CsCell   *self,
            gboolean  visible)
{
  if (self->badge == NULL && !visible)
    return;

  if (self->badge == NULL)
    {
      self->badge = gtk_image_new_from_icon_name ("dialog-error-symbolic");
      gtk_widget_set_halign (self->badge, GTK_ALIGN_END);
      gtk_widget_set_valign (self->badge, GTK_ALIGN_START);
      gtk_widget_set_margin_top (self->badge, 4);
      gtk_widget_set_margin_end (self->badge, 4);
      gtk_widget_add_css_class (self->badge, "error");
      gtk_widget_add_css_class (self->badge, "badge");
      gtk_overlay_add_overlay (GTK_OVERLAY (self->frame), self->badge);
    }

  gtk_widget_set_visible (self->badge, visible);
}

/* Made for the first video the cell shows, like the error badge. */
static void
show_video_badge (CsCell   *self,
                  gboolean  picture)
{
  double duration = self->item ? cs_item_get_duration (self->item) : 0;
  gboolean visible = picture && duration > 0;

  if (self->video_badge == NULL && !visible)
    return;

  if (self->video_badge == NULL)
    {
      self->video_badge = cs_video_badge_new ();
      gtk_widget_set_margin_bottom (self->video_badge, 4);
      gtk_widget_set_margin_end (self->video_badge, 4);
      gtk_overlay_add_overlay (GTK_OVERLAY (self->frame), self->video_badge);
    }

  if (visible)
    cs_video_badge_set_duration (CS_VIDEO_BADGE (self->video_badge), duration);
  gtk_widget_set_visible (self->video_badge, visible);
}

static void
update_state (CsCell *self)
{
  CsItemState state = self->item ? cs_item_get_state (self->item) : CS_ITEM_PENDING;
  g_autofree char *text = self->item ? cs_item_dup_state_text (self->item) : NULL;
  const char *icon = "image-x-generic-symbolic";
  gboolean folder = self->item != NULL && cs_item_is_folder (self->item);

  /* A sub-folder's tile: its icon, never a thumbnail's state. */
  if (folder)
    state = CS_ITEM_NOT_MADE;
  if (folder)
    gtk_widget_add_css_class (GTK_WIDGET (self), "folder");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "folder");

  /* A pending item may have a smaller flavour's thumbnail to show until
   * its own is made (cs-texture-cache.c's stand-ins). */
  gboolean picture = state == CS_ITEM_DONE ||
                     (state == CS_ITEM_PENDING && self->item != NULL &&
                      cs_item_get_thumbnail (self->item) != NULL);

  gtk_widget_set_visible (self->picture, picture);
  gtk_widget_set_visible (self->backdrop, picture);
  gtk_widget_set_visible (self->placeholder, !picture);
  show_badge (self, state == CS_ITEM_FAILED);
  show_video_badge (self, picture && !folder);

  if (folder)
    icon = "folder-symbolic";
  else if (state == CS_ITEM_FAILED)
    icon = "image-missing-symbolic";
  else if (state == CS_ITEM_NOT_MADE)
    icon = "action-unavailable-symbolic";
  /* Setting an image's icon, even the same one, measures the cell again. */
  if (icon != self->icon_name)
    gtk_image_set_from_icon_name (GTK_IMAGE (self->placeholder), icon);
  self->icon_name = icon;

  if (state == CS_ITEM_FAILED)
    gtk_widget_add_css_class (GTK_WIDGET (self), "failed");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "failed");

  if (state == CS_ITEM_PENDING && !picture)
    gtk_widget_add_css_class (GTK_WIDGET (self), "pending");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "pending");

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text ? text : "",
                                  -1);
}

/**
 * cs_cell_dup_tooltip_text:
 *
 * Returns: (nullable): what the cell's tooltip says: the name, what became
 * of it, and where it lives below the open folder.
 */
char *
cs_cell_dup_tooltip_text (CsCell *self)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (CS_IS_CELL (self), NULL);

  if (self->item == NULL)
    return NULL;

  switch (cs_item_get_state (self->item))
    {
    case CS_ITEM_FAILED:
      text = g_strdup_printf ("%s\n%s", cs_item_get_name (self->item),
                              cs_item_get_error_message (self->item));
      break;
    case CS_ITEM_NOT_MADE:
      text = g_strdup_printf ("%s\n%s", cs_item_get_name (self->item),
                              _("Not made: stopped before this image"));
      break;
    case CS_ITEM_PENDING:
    case CS_ITEM_DONE:
    default:
      text = g_strdup (cs_item_get_name (self->item));
      break;
    }

  /* Below the open folder: say where. */
  if (cs_item_get_relative_dir (self->item) != NULL)
    {
      g_autofree char *dir = g_filename_display_name (cs_item_get_relative_dir (self->item));
      g_autofree char *name_and_state = g_steal_pointer (&text);

      /* Translators: the folder, below the open one, a picture lives in */
      text = g_strdup_printf (_("%s\nIn %s/"), name_and_state, dir);
    }

  return g_steal_pointer (&text);
}

/**
 * cs_cell_create_tooltip:
 * @self: a #CsCell
 *
 * The tooltip's contents (cs_cell_dup_tooltip_text()) wrapped at about
 * fifty characters, anywhere in a name without spaces, so that a 255-byte
 * name does not run off the screen.
 *
 * Returns: (transfer floating) (nullable): a label, %NULL without an item
 */
GtkWidget *
cs_cell_create_tooltip (CsCell *self)
{
  g_autofree char *text = NULL;
  GtkWidget *label;

  g_return_val_if_fail (CS_IS_CELL (self), NULL);

  text = cs_cell_dup_tooltip_text (self);
  if (text == NULL)
    return NULL;

  label = gtk_label_new (text);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 50);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);

  return label;
}

/* Tooltips are made when asked for: setting one on every bind would cost a
 * round trip to the display server per cell, thousands while a grid fills. */
static gboolean
on_query_tooltip (CsCell     *self,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip)
{
  GtkWidget *label = cs_cell_create_tooltip (self);

  if (label == NULL)
    return FALSE;

  gtk_tooltip_set_custom (tooltip, label);

  return TRUE;
}

static void
on_item_state_changed (CsItem     *item,
                       GParamSpec *pspec,
                       CsCell     *self)
{
  update_state (self);
}

static void
cs_cell_dispose (GObject *object)
{
  CsCell *self = (CsCell *)object;

  GtkWidget *child;

  cs_cell_set_item (self, NULL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (cs_cell_parent_class)->dispose (object);
}

static void
cs_cell_finalize (GObject *object)
{
  CsCell *self = (CsCell *)object;

  g_clear_object (&self->bindings);
  g_clear_object (&self->signals);

  G_OBJECT_CLASS (cs_cell_parent_class)->finalize (object);
}

static void
cs_cell_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  CsCell *self = CS_CELL (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;
    case PROP_PIXEL_SIZE:
      g_value_set_int (value, self->pixel_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_cell_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  CsCell *self = CS_CELL (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      cs_cell_set_item (self, g_value_get_object (value));
      break;
    case PROP_PIXEL_SIZE:
      cs_cell_set_pixel_size (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_cell_class_init (CsCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_cell_dispose;
  object_class->finalize = cs_cell_finalize;
  object_class->get_property = cs_cell_get_property;
  object_class->set_property = cs_cell_set_property;
  widget_class->root = cs_cell_root;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, CS_TYPE_ITEM,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PIXEL_SIZE] =
    g_param_spec_int ("pixel-size", NULL, NULL, 16, 1024, 128,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cs-cell");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cs_cell_init (CsCell *self)
{
  build_children (self);

  self->pixel_size = 0;

  self->bindings = g_binding_group_new ();
  g_binding_group_bind (self->bindings, "thumbnail", self->picture, "paintable", G_BINDING_SYNC_CREATE);
  /* A GtkInscription, not a GtkLabel: its size does not follow its text,
   * so a cell given another image is not measured again, and no text is
   * laid out until it is drawn. GTK 4.8 binds every cell it keeps again
   * after a change to the list (some 250), so labels cost a pass of Pango
   * over every name each time images landed before the cells. */
  g_binding_group_bind_full (self->bindings, "caption", self->caption, "text", G_BINDING_SYNC_CREATE,
                             caption_with_breaks, NULL, NULL, NULL);

  self->signals = g_signal_group_new (CS_TYPE_ITEM);
  g_signal_group_connect_object (self->signals, "notify::state",
                                 G_CALLBACK (on_item_state_changed), self, 0);
  g_signal_group_connect_object (self->signals, "notify::error-message",
                                 G_CALLBACK (on_item_state_changed), self, 0);
  g_signal_group_connect_object (self->signals, "notify::thumbnail",
                                 G_CALLBACK (on_item_state_changed), self, 0);
  g_signal_group_connect_object (self->signals, "notify::duration",
                                 G_CALLBACK (on_item_state_changed), self, 0);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);

  cs_cell_set_pixel_size (self, 128);
  update_state (self);
}

GtkWidget *
cs_cell_new (void)
{
  return g_object_new (CS_TYPE_CELL, NULL);
}

CsItem *
cs_cell_get_item (CsCell *self)
{
  g_return_val_if_fail (CS_IS_CELL (self), NULL);
  return self->item;
}

void
cs_cell_set_item (CsCell *self,
                  CsItem *item)
{
  g_return_if_fail (CS_IS_CELL (self));
  g_return_if_fail (!item || CS_IS_ITEM (item));

  if (!g_set_object (&self->item, item))
    return;

  g_binding_group_set_source (self->bindings, item);
  g_signal_group_set_target (self->signals, item);
  update_state (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

void
cs_cell_set_pixel_size (CsCell *self,
                        int     pixel_size)
{
  g_return_if_fail (CS_IS_CELL (self));

  if (self->pixel_size == pixel_size)
    return;

  self->pixel_size = pixel_size;
  gtk_widget_set_size_request (self->frame, pixel_size, pixel_size);
  update_caption_height (self);
  gtk_image_set_pixel_size (GTK_IMAGE (self->placeholder), MAX (16, pixel_size / 4));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PIXEL_SIZE]);
}
