/* test-video-cell.c: a video's cell shows a play mark and the length
 *
 * The mark is the cell's, never the thumbnail's: a picture's cell has
 * none, and the length follows the item.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gtk/gtk.h>

#include "cs-cell.h"
#include "cs-item.h"
#include "cs-texture.h"
#include "cs-video-badge.h"

static CsVideoBadge *
find_badge (GtkWidget *widget)
{
  if (CS_IS_VIDEO_BADGE (widget))
    return CS_VIDEO_BADGE (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      CsVideoBadge *badge = find_badge (child);

      if (badge != NULL)
        return badge;
    }

  return NULL;
}

static CsItem *
made_item (const char *name)
{
  g_autoptr(GFile) file = g_file_new_for_path (name);
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 128, 72);
  g_autoptr(GdkTexture) texture = NULL;
  CsItem *item = cs_item_new (file, NULL);

  gdk_pixbuf_fill (pixbuf, 0x336699ff);
  texture = cs_texture_new_for_pixbuf (pixbuf);
  cs_item_set_done (item, GDK_PAINTABLE (texture));

  return item;
}

static void
test_marker (void)
{
  g_autoptr(CsItem) video = made_item ("/nowhere/clip.mp4");
  g_autoptr(CsItem) picture = made_item ("/nowhere/photo.jpg");
  GtkWidget *cell = g_object_ref_sink (cs_cell_new ());
  CsVideoBadge *badge;

  cs_cell_set_item (CS_CELL (cell), picture);
  badge = find_badge (cell);
  g_assert_true (badge == NULL || !gtk_widget_get_visible (GTK_WIDGET (badge)));

  cs_item_set_duration (video, 42.2);
  cs_cell_set_item (CS_CELL (cell), video);
  badge = find_badge (cell);
  g_assert_nonnull (badge);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (badge)));
  g_assert_cmpstr (cs_video_badge_get_text (badge), ==, "0:42");

  /* Learnt later (a cached thumbnail's Thumb::Movie::Length). */
  cs_item_set_duration (video, 3723);
  g_assert_cmpstr (cs_video_badge_get_text (badge), ==, "1:02:03");

  /* The cell recycled for a picture. */
  cs_cell_set_item (CS_CELL (cell), picture);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (badge)));

  g_object_unref (cell);
}

static void
test_format (void)
{
  static const struct { double seconds; const char *text; } cases[] = {
    { 0.4, "0:00" }, { 9.6, "0:10" }, { 59.5, "1:00" }, { 605, "10:05" }, { 3600, "1:00:00" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = cs_video_badge_format_duration (cases[i].seconds);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/video-cell/marker", test_marker);
  g_test_add_func ("/video-cell/format", test_format);

  return g_test_run ();
}
