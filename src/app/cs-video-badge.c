/* cs-video-badge.c: a video's marker and length on its grid cell
 *
 * A play mark and the length ("0:42", "1:02:03") in a small dark pill over
 * the thumbnail's corner. Drawn by the cell, never into the cached
 * thumbnail: other programs read the same cache, and a smaller flavour
 * standing in must not carry a mark of another size.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-video-badge"

#include "config.h"

#include "cs-video-badge.h"

#include <math.h>

struct _CsVideoBadge
{
  GtkWidget  parent_instance;

  GtkWidget *mark;
  GtkWidget *length;
};

G_DEFINE_FINAL_TYPE (CsVideoBadge, cs_video_badge, GTK_TYPE_WIDGET)

static void
cs_video_badge_dispose (GObject *object)
{
  CsVideoBadge *self = CS_VIDEO_BADGE (object);

  g_clear_pointer (&self->mark, gtk_widget_unparent);
  g_clear_pointer (&self->length, gtk_widget_unparent);

  G_OBJECT_CLASS (cs_video_badge_parent_class)->dispose (object);
}

static void
cs_video_badge_class_init (CsVideoBadgeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_video_badge_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cs-video-badge");
}

static void
cs_video_badge_init (CsVideoBadge *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 2);

  self->mark = gtk_image_new_from_icon_name ("media-playback-start-symbolic");
  gtk_image_set_pixel_size (GTK_IMAGE (self->mark), 10);
  gtk_widget_set_parent (self->mark, GTK_WIDGET (self));

  self->length = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->length, "numeric");
  gtk_widget_set_parent (self->length, GTK_WIDGET (self));

  gtk_widget_set_halign (GTK_WIDGET (self), GTK_ALIGN_END);
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_END);
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
}

GtkWidget *
cs_video_badge_new (void)
{
  return g_object_new (CS_TYPE_VIDEO_BADGE, NULL);
}

/**
 * cs_video_badge_format_duration:
 * @duration: seconds
 *
 * Returns: (transfer full): the length as video players show it: minutes
 *   and seconds ("0:42", "12:05"), with the hours in front past an hour
 */
char *
cs_video_badge_format_duration (double duration)
{
  guint64 total = duration > 0 ? (guint64) floor (duration + 0.5) : 0;
  guint64 hours = total / 3600, minutes = total / 60 % 60, seconds = total % 60;

  if (hours > 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT ":%02u:%02u", hours,
                            (guint) minutes, (guint) seconds);

  return g_strdup_printf ("%u:%02u", (guint) minutes, (guint) seconds);
}

/* @duration: seconds; 0 (unknown) shows the mark alone */
void
cs_video_badge_set_duration (CsVideoBadge *self,
                             double        duration)
{
  g_autofree char *text = NULL;

  g_return_if_fail (CS_IS_VIDEO_BADGE (self));

  if (duration > 0)
    text = cs_video_badge_format_duration (duration);
  gtk_label_set_text (GTK_LABEL (self->length), text ? text : "");
  gtk_widget_set_visible (self->length, text != NULL);
}

const char *
cs_video_badge_get_text (CsVideoBadge *self)
{
  g_return_val_if_fail (CS_IS_VIDEO_BADGE (self), NULL);

  return gtk_label_get_text (GTK_LABEL (self->length));
}
