/* test-window-preview.c: the preview, through the real window and keys
 *
 * The application's window under Xvfb, on real folders; keys are typed
 * with xdotool into the X server, so they reach the window as a person's
 * do: Space on the grid, Left and Right, Escape (the application's Stop
 * accelerator too) in the preview.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cs-application.h"
#include "cs-cell.h"
#include "cs-item.h"
#include "cs-preview.h"
#include "cs-test-images.h"
#include "cs-test-util.h"
#include "cs-test-window.h"
#include "cs-window.h"

#define LONG_WAIT_MS 60000

/* The preview fits a picture by its thumbnail's shape until it knows the
 * picture's own, and a thumbnail's sides are rounded: 1 % either way. */
#define SIZE_SLACK(side) ((side) / 100 + 2)

typedef struct
{
  CsApplication *app;
  CsWindow      *window;
  char          *dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_reset (settings, "sort-order");
  f->dir = cs_test_make_dir ();
  f->app = g_object_ref (cs_test_get_app ());
  f->window = g_object_ref (cs_window_new (GTK_APPLICATION (f->app), NULL));
  gtk_window_present (GTK_WINDOW (f->window));
  cs_test_wait_until (cs_test_widget_mapped, f->window, 10000);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cs_test_destroy_window (&f->window);
  g_clear_object (&f->app);
  cs_test_remove_tree (f->dir);
  g_free (f->dir);
}

static CsPreview *
get_preview (Fixture *f)
{
  GtkWidget *preview = cs_test_find_widget (GTK_WIDGET (f->window), CS_TYPE_PREVIEW);

  g_assert_nonnull (preview);
  return CS_PREVIEW (preview);
}

static GtkGridView *
get_grid (Fixture *f)
{
  GtkWidget *grid = cs_test_find_widget (GTK_WIDGET (f->window), GTK_TYPE_GRID_VIEW);

  g_assert_nonnull (grid);
  return GTK_GRID_VIEW (grid);
}

/* The grid's list: its sorted, filtered order. */
static GListModel *
grid_items (Fixture *f)
{
  return G_LIST_MODEL (gtk_grid_view_get_model (get_grid (f)));
}

static CsItem *
grid_item (Fixture *f,
           guint    position)
{
  g_autoptr(CsItem) item = g_list_model_get_item (grid_items (f), position);

  g_assert_nonnull (item);
  /* The list keeps it. */
  return item;
}

static gboolean
is_cell_of (GtkWidget     *widget,
            gconstpointer  item)
{
  return CS_IS_CELL (widget) && cs_cell_get_item (CS_CELL (widget)) == item;
}

static gboolean
is_button_for (GtkWidget     *widget,
               gconstpointer  action)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

static gboolean
time_is_up (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* Lets the window lay out and draw for @ms. */
static void
spin (guint ms)
{
  gboolean up = FALSE;

  g_timeout_add (ms, time_is_up, &up);
  cs_test_wait_until (is_true, &up, ms + 5000);
}

static gboolean
is_idle (gpointer data)
{
  return !cs_window_get_running (CS_WINDOW (data));
}

static void
open_folder (Fixture    *f,
             const char *path)
{
  g_autoptr(GFile) folder = g_file_new_for_path (path);

  cs_window_open_folder (f->window, folder);
}

static void
write_jpeg (const char *folder,
            const char *name,
            int         width,
            int         height,
            guint       pattern)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (folder, name, NULL);

  cs_test_write_image (path, width, height, "jpeg", pattern, &error);
  g_assert_no_error (error);
}

/* Runs xdotool on the test's own window (%1): ACTION... */
static void
xdotool (const char *first,
         ...)
{
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;
  int status;

  for (const char **p = (const char *[]) { "xdotool", "search", "--onlyvisible", "--pid", pid,
                                           "--name", ".", "windowfocus", "--sync", NULL };
       *p != NULL; p++)
    g_ptr_array_add (argv, (char *) *p);
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* Types @keys (xdotool's names) into the window. */
static void
press (const char *keys)
{
  xdotool ("key", "--clearmodifiers", keys, NULL);
}

static gboolean
has_focus (gpointer data)
{
  return gtk_widget_has_focus (data);
}

/* Clicks the middle of @cell, as a person would: it takes the keyboard
 * focus and the selection. Returns the focused widget. */
static GtkWidget *
click (Fixture   *f,
       GtkWidget *cell)
{
  graphene_point_t point;
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;
  double dx, dy;

  g_assert_nonnull (cell);
  g_assert_true (gtk_widget_compute_point (cell, GTK_WIDGET (f->window),
                                           &GRAPHENE_POINT_INIT (gtk_widget_get_width (cell) / 2.0,
                                                                 gtk_widget_get_height (cell) / 2.0),
                                           &point));
  /* From the window's coordinates to its surface's (CSD shadows). */
  gtk_native_get_surface_transform (GTK_NATIVE (f->window), &dx, &dy);
  x = g_strdup_printf ("%d", (int) (point.x + dx));
  y = g_strdup_printf ("%d", (int) (point.y + dy));
  xdotool ("mousemove", "--window", "%1", x, y, "click", "1", "mousemove", "0", "0", NULL);
  cs_test_wait_until (has_focus, gtk_widget_get_parent (cell), 10000);

  return gtk_widget_get_parent (cell);
}

static GtkWidget *
click_cell (Fixture *f,
            guint    position)
{
  return click (f, cs_test_find (GTK_WIDGET (get_grid (f)), is_cell_of, grid_item (f, position)));
}

/* A cell drawn about the middle of the grid's view (the grid keeps cells
 * it no longer shows, so they are picked where they are drawn). */
static GtkWidget *
middle_cell (Fixture *f)
{
  GtkWidget *grid = GTK_WIDGET (get_grid (f));

  for (int y = gtk_widget_get_height (grid) / 2; y < gtk_widget_get_height (grid); y += 8)
    {
      GtkWidget *widget = gtk_widget_pick (grid, gtk_widget_get_width (grid) / 2.0, y, GTK_PICK_DEFAULT);

      for (; widget != NULL && widget != grid; widget = gtk_widget_get_parent (widget))
        {
          GtkWidget *child = gtk_widget_get_first_child (widget);

          if (CS_IS_CELL (widget))
            return widget;
          if (child != NULL && CS_IS_CELL (child))
            return child;
        }
    }

  g_assert_not_reached ();
}

static gboolean
is_open (gpointer data)
{
  return cs_preview_get_open (data);
}

static gboolean
is_closed (gpointer data)
{
  return !cs_preview_get_open (data);
}

static gboolean
is_sharp_or_failed (gpointer data)
{
  return cs_preview_get_sharp (data) || cs_preview_get_error_text (data) != NULL;
}

typedef struct
{
  CsPreview *preview;
  CsItem    *item;
} Showing;

static gboolean
shows_item (gpointer data)
{
  Showing *showing = data;

  return cs_preview_get_item (showing->preview) == showing->item &&
         is_sharp_or_failed (showing->preview);
}

static void
wait_for_item (CsPreview *preview,
               CsItem    *item)
{
  Showing showing = { preview, item };

  cs_test_wait_until (shows_item, &showing, LONG_WAIT_MS);
  g_assert_null (cs_preview_get_error_text (preview));
}

/* The longest side of a W×H picture fitted into the preview, in device
 * pixels, never more than the picture's own. */
static int
fitted_longest_side (CsPreview *preview,
                     int        width,
                     int        height)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (preview));
  double box_width = gtk_widget_get_width (GTK_WIDGET (preview)) * scale;
  double box_height = gtk_widget_get_height (GTK_WIDGET (preview)) * scale;
  double factor = MIN (1.0, MIN (box_width / width, box_height / height));

  return (int) (MAX (width, height) * factor);
}

/* Space on a cell: its picture, large and sharp, with its name and size;
 * Right and Left step in the grid's order, also after the sort changed;
 * Escape: the grid as it was, scroll position, selection and focus. */
static void
test_space_right_left_escape (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "walk", NULL);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  CsPreview *preview = get_preview (f);
  GtkAdjustment *vadjustment;
  GtkWidget *focused, *cell;
  GdkPaintable *paintable;
  CsItem *start, *item;
  double scrolled;
  guint position;
  int longest;

  g_mkdir_with_parents (folder, 0755);
  /* Enough rows to scroll; sizes that differ from the names' order. */
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *name = g_strdup_printf ("img-%04u.jpg", i);

      write_jpeg (folder, name, 1600 - 20 * (i % 7), 1200, i);
    }
  open_folder (f, folder);
  cs_test_wait_until (is_idle, f->window, LONG_WAIT_MS);
  g_assert_false (cs_preview_get_open (preview));

  /* Sorted by size while it shows: Right is the next by size, which is not
   * the next by name. */
  click_cell (f, 3);
  press ("space");
  cs_test_wait_until (is_open, preview, 10000);
  item = grid_item (f, 3);
  wait_for_item (preview, item);
  g_settings_set_string (settings, "sort-order", "size");
  for (position = 0; grid_item (f, position) != item; position++)
    ;
  g_assert_true (position + 1 < g_list_model_get_n_items (grid_items (f)));
  g_assert_cmpstr (cs_item_get_name (grid_item (f, position + 1)), !=, "img-0004.jpg");
  press ("Right");
  wait_for_item (preview, grid_item (f, position + 1));
  press ("Left");
  wait_for_item (preview, item);
  press ("Escape");
  cs_test_wait_until (is_closed, preview, 10000);
  g_settings_set_string (settings, "sort-order", "name");
  /* The grid lays out its new order before it is scrolled. */
  spin (300);

  /* Scrolled down with the wheel, a cell in view clicked. */
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (get_grid (f)));
  g_assert_cmpfloat (gtk_adjustment_get_upper (vadjustment), >,
                     gtk_adjustment_get_page_size (vadjustment) * 1.5);
  /* Three turns of the mouse wheel down. */
  xdotool ("mousemove", "--window", "%1", "400", "400", "click", "--repeat", "3", "5", NULL);
  spin (500);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), >, 0);
  cell = middle_cell (f);
  start = cs_cell_get_item (CS_CELL (cell));
  for (position = 0; grid_item (f, position) != start; position++)
    ;
  g_assert_cmpuint (position, >, 0);
  g_assert_cmpuint (position + 2, <, g_list_model_get_n_items (grid_items (f)));
  focused = click (f, cell);
  spin (300);
  scrolled = gtk_adjustment_get_value (vadjustment);
  g_assert_cmpfloat (scrolled, >, 0);

  press ("space");
  cs_test_wait_until (is_open, preview, 10000);
  wait_for_item (preview, start);

  g_assert_cmpstr (cs_preview_get_name_text (preview), ==, cs_item_get_name (start));
  paintable = cs_preview_get_paintable (preview);
  g_assert_nonnull (paintable);
  {
    int width = 1600 - 20 * (atoi (cs_item_get_name (start) + 4) % 7);
    g_autofree char *size = g_strdup_printf ("%d × 1200 pixels", width);

    g_assert_cmpstr (cs_preview_get_size_text (preview), ==, size);
    /* Decoded at the view's size: far larger than any grid thumbnail,
     * no larger than the view. */
    longest = MAX (gdk_paintable_get_intrinsic_width (paintable),
                   gdk_paintable_get_intrinsic_height (paintable));
    g_assert_cmpint (longest, >, 512);
    g_assert_cmpint (ABS (longest - fitted_longest_side (preview, width, 1200)), <=, SIZE_SLACK (longest));
  }
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (preview)), >,
                   gtk_widget_get_width (GTK_WIDGET (f->window)) * 9 / 10);

  /* Right, Right, Left: the next two in the grid's order, and back. */
  press ("Right");
  wait_for_item (preview, grid_item (f, position + 1));
  g_assert_cmpstr (cs_preview_get_name_text (preview), ==, cs_item_get_name (grid_item (f, position + 1)));
  press ("Right");
  wait_for_item (preview, grid_item (f, position + 2));
  press ("Left");
  wait_for_item (preview, grid_item (f, position + 1));

  /* Escape: closed; the grid where it was, the same selection, the focus
   * back on the cell. */
  press ("Escape");
  cs_test_wait_until (is_closed, preview, 10000);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), ==, scrolled);
  {
    g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (gtk_grid_view_get_model (get_grid (f)));

    g_assert_cmpuint (gtk_bitset_get_size (selected), ==, 1);
    g_assert_true (grid_item (f, gtk_bitset_get_minimum (selected)) == start);
  }
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f->window)) == focused);

  /* Space again, and Space closes it. */
  press ("space");
  cs_test_wait_until (is_open, preview, 10000);
  wait_for_item (preview, start);
  press ("space");
  cs_test_wait_until (is_closed, preview, 10000);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), ==, scrolled);
}

static gboolean
has_red (const guchar *pixels,
         gsize         stride,
         int           x,
         int           y)
{
  const guchar *p = pixels + y * stride + x * 4;

  /* GDK_MEMORY_DEFAULT is B8G8R8A8 premultiplied, little-endian. */
  return p[2] > 200 && p[1] < 60 && p[0] < 60;
}

/* A JPEG stored sideways with EXIF orientation 6 shows upright: portrait,
 * its red corner (top left as drawn) at the top right. */
static void
test_exif_upright (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "turned", NULL);
  g_autofree char *path = g_build_filename (folder, "turned.jpg", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree guchar *pixels = NULL;
  CsPreview *preview = get_preview (f);
  GdkTexture *texture;
  int width, height;

  g_mkdir_with_parents (folder, 0755);
  cs_test_write_jpeg_exif (path, 1600, 1000, 6, 1, &error);
  g_assert_no_error (error);
  open_folder (f, folder);
  cs_test_wait_until (is_idle, f->window, LONG_WAIT_MS);

  click_cell (f, 0);
  press ("space");
  cs_test_wait_until (is_open, preview, 10000);
  wait_for_item (preview, grid_item (f, 0));

  g_assert_cmpstr (cs_preview_get_size_text (preview), ==, "1000 × 1600 pixels");
  g_assert_true (GDK_IS_TEXTURE (cs_preview_get_paintable (preview)));
  texture = GDK_TEXTURE (cs_preview_get_paintable (preview));
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  g_assert_cmpint (height, >, width);
  g_assert_cmpint (height, >, 512);

  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, width * 4);
  g_assert_true (has_red (pixels, width * 4, width - 3, 2));
  g_assert_false (has_red (pixels, width * 4, 2, 2));

  press ("Escape");
  cs_test_wait_until (is_closed, preview, 10000);
}

/* A BMP: neither libjpeg, libpng nor libwebp reads it; glycin does where
 * the stack has it, GdkPixbuf elsewhere, at the view's size all the same. */
static void
test_other_format (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "scans", NULL);
  g_autofree char *path = g_build_filename (folder, "scan.bmp", NULL);
  g_autoptr(GError) error = NULL;
  CsPreview *preview = get_preview (f);
  GdkPaintable *paintable;
  int longest;

  g_mkdir_with_parents (folder, 0755);
  cs_test_write_image (path, 1800, 1200, "bmp", 2, &error);
  g_assert_no_error (error);
  open_folder (f, folder);
  cs_test_wait_until (is_idle, f->window, LONG_WAIT_MS);

  click_cell (f, 0);
  press ("space");
  cs_test_wait_until (is_open, preview, 10000);
  wait_for_item (preview, grid_item (f, 0));

  g_assert_cmpstr (cs_preview_get_size_text (preview), ==, "1800 × 1200 pixels");
  paintable = cs_preview_get_paintable (preview);
  longest = MAX (gdk_paintable_get_intrinsic_width (paintable),
                 gdk_paintable_get_intrinsic_height (paintable));
  g_assert_cmpint (longest, >, 512);
  g_assert_cmpint (ABS (longest - fitted_longest_side (preview, 1800, 1200)), <=, SIZE_SLACK (longest));

  press ("Escape");
  cs_test_wait_until (is_closed, preview, 10000);
}

typedef struct
{
  CsPreview *preview;
  int        longest;
} Growing;

static int
paintable_longest_side (CsPreview *preview)
{
  GdkPaintable *paintable = cs_preview_get_paintable (preview);

  return MAX (gdk_paintable_get_intrinsic_width (paintable),
              gdk_paintable_get_intrinsic_height (paintable));
}

static gboolean
grew (gpointer data)
{
  Growing *growing = data;

  return cs_preview_get_sharp (growing->preview) &&
         paintable_longest_side (growing->preview) > growing->longest;
}

/* A window made much larger gets a sharper picture, at its new size. */
static void
test_resized (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "wide", NULL);
  CsPreview *preview = get_preview (f);
  Growing growing = { preview, 0 };

  g_mkdir_with_parents (folder, 0755);
  write_jpeg (folder, "wide.jpg", 2400, 1600, 4);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 560, 440);
  open_folder (f, folder);
  cs_test_wait_until (is_idle, f->window, LONG_WAIT_MS);

  click_cell (f, 0);
  press ("space");
  cs_test_wait_until (is_open, preview, 10000);
  wait_for_item (preview, grid_item (f, 0));
  growing.longest = paintable_longest_side (preview);
  g_assert_cmpint (ABS (growing.longest - fitted_longest_side (preview, 2400, 1600)), <=,
                   SIZE_SLACK (growing.longest));

  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 780);
  cs_test_wait_until (grew, &growing, LONG_WAIT_MS);
  g_assert_cmpint (paintable_longest_side (preview), >, growing.longest * 3 / 2);
  g_assert_cmpint (ABS (paintable_longest_side (preview) - fitted_longest_side (preview, 2400, 1600)), <=,
                   SIZE_SLACK (paintable_longest_side (preview)));

  press ("Escape");
  cs_test_wait_until (is_closed, preview, 10000);
}

static gboolean
has_n_items (gpointer data)
{
  Fixture *f = data;

  return g_list_model_get_n_items (grid_items (f)) == 3;
}

/* Sub-folders' tiles come first in the grid: Space on one shows nothing,
 * and Left and Right pass over them. */
static void
test_folder_tiles (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "album", NULL);
  g_autofree char *sub = g_build_filename (folder, "a-sub", NULL);
  CsPreview *preview = get_preview (f);

  g_mkdir_with_parents (sub, 0755);
  write_jpeg (folder, "b.jpg", 1200, 900, 1);
  write_jpeg (folder, "c.jpg", 1200, 900, 2);
  open_folder (f, folder);
  cs_test_wait_until (is_idle, f->window, LONG_WAIT_MS);
  cs_test_wait_until (has_n_items, f, 10000);
  g_assert_true (cs_item_is_folder (grid_item (f, 0)));

  click_cell (f, 0);
  press ("space");
  spin (500);
  g_assert_false (cs_preview_get_open (preview));

  click_cell (f, 2);
  press ("space");
  cs_test_wait_until (is_open, preview, 10000);
  wait_for_item (preview, grid_item (f, 2));
  press ("Left");
  wait_for_item (preview, grid_item (f, 1));
  press ("Left");
  spin (500);
  g_assert_true (cs_preview_get_item (preview) == grid_item (f, 1));

  press ("Escape");
  cs_test_wait_until (is_closed, preview, 10000);
}

/* A file that is no picture: the preview says so in plain words. */
static void
test_failure_shown (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "broken", NULL);
  g_autofree char *path = g_build_filename (folder, "broken.jpg", NULL);
  g_autoptr(GError) error = NULL;
  CsPreview *preview = get_preview (f);

  g_mkdir_with_parents (folder, 0755);
  g_file_set_contents (path, "\xff\xd8\xff\xe0 not really a JPEG", -1, &error);
  g_assert_no_error (error);
  open_folder (f, folder);
  cs_test_wait_until (is_idle, f->window, LONG_WAIT_MS);

  click_cell (f, 0);
  press ("space");
  cs_test_wait_until (is_open, preview, 10000);
  cs_test_wait_until (is_sharp_or_failed, preview, LONG_WAIT_MS);
  g_assert_false (cs_preview_get_sharp (preview));
  g_assert_nonnull (cs_preview_get_error_text (preview));
  g_assert_true (g_str_has_prefix (cs_preview_get_error_text (preview), "Cannot show this picture: "));
  g_assert_cmpstr (cs_preview_get_name_text (preview), ==, "broken.jpg");

  press ("Escape");
  cs_test_wait_until (is_closed, preview, 10000);
}

static gboolean
has_done_some (gpointer data)
{
  return cs_window_get_n_done (CS_WINDOW (data)) >= 2;
}

/* Mid-batch, Escape is also Stop's accelerator: in the preview it closes
 * the preview and the batch goes on; the header's button opens it too. */
static void
test_escape_mid_batch (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "busy", NULL);
  CsPreview *preview = get_preview (f);
  GtkWidget *button;

  /* Slow to thumbnail, quick to make: a few large PNGs under many names. */
  g_mkdir_with_parents (folder, 0755);
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/img-%04u.png", folder, i);

      if (i < 3)
        {
          g_autoptr(GError) error = NULL;

          cs_test_write_image (path, 2400, 1800, "png", i, &error);
          g_assert_no_error (error);
        }
      else
        {
          g_autofree char *source = g_strdup_printf ("%s/img-%04u.png", folder, i % 3);

          g_assert_cmpint (link (source, path), ==, 0);
        }
    }
  open_folder (f, folder);
  cs_test_wait_until (has_done_some, f->window, LONG_WAIT_MS);

  click_cell (f, 0);
  button = cs_test_find (GTK_WIDGET (f->window), is_button_for, "win.preview");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_drawable (button));
  gtk_widget_activate (button);
  cs_test_wait_until (is_open, preview, 10000);
  g_assert_true (cs_preview_get_item (preview) == grid_item (f, 0));

  if (!cs_window_get_running (f->window))
    {
      g_test_skip ("the batch ended before Escape");
      return;
    }
  press ("Escape");
  cs_test_wait_until (is_closed, preview, 10000);
  g_assert_true (cs_window_get_running (f->window));
  cs_window_stop (f->window);
  cs_test_wait_until (is_idle, f->window, LONG_WAIT_MS);
}

static gboolean
file_gone (gpointer data)
{
  return !g_file_test (data, G_FILE_TEST_EXISTS);
}

static gboolean
shows_other_than (gpointer data)
{
  Showing *showing = data;

  return cs_preview_get_item (showing->preview) != showing->item;
}

static char *
picture_path (const char *folder,
              guint       i)
{
  return g_strdup_printf ("%s/img-%u.jpg", folder, i);
}

static gboolean
has_visible_popover (GtkWidget *widget)
{
  if (GTK_IS_POPOVER (widget) && gtk_widget_get_visible (widget))
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_visible_popover (child))
      return TRUE;

  return FALSE;
}

/* The text on the window's clipboard, when the window put it there. */
static char *
clipboard_text (Fixture *f)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (f->window));
  GdkContentProvider *content = gdk_clipboard_get_content (clipboard);
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  if (content == NULL || !gdk_content_provider_get_value (content, &value, NULL))
    return NULL;

  return g_value_dup_string (&value);
}

static gboolean
clipboard_has (gpointer data)
{
  gpointer *args = data;
  g_autofree char *text = clipboard_text (args[0]);

  return g_strcmp0 (text, args[1]) == 0;
}

/* Ctrl+C and Delete in the preview act on the picture shown, not what is selected
 * in the grid under it; the preview goes on to the next picture. */
static void
test_delete_shown (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "trash", NULL);
  g_autofree char *trashed = g_build_filename (g_get_user_data_dir (), "Trash", "files", "img-3.jpg", NULL);
  g_autofree char *path_3 = picture_path (folder, 3);
  CsPreview *preview = get_preview (f);
  CsItem *shown, *next;

  g_mkdir_with_parents (folder, 0755);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("img-%u.jpg", i);

      write_jpeg (folder, name, 640, 480, i);
    }
  open_folder (f, folder);
  cs_test_wait_until (is_idle, f->window, LONG_WAIT_MS);
  g_assert_cmpuint (g_list_model_get_n_items (grid_items (f)), ==, 5);

  /* Two pictures selected; the preview opens on the first and walks on
   * to a third. */
  click_cell (f, 1);
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (grid_items (f)), 2, FALSE);
  press ("space");
  cs_test_wait_until (is_open, preview, 10000);
  wait_for_item (preview, grid_item (f, 1));
  press ("Right");
  press ("Right");
  shown = grid_item (f, 3);
  next = grid_item (f, 4);
  wait_for_item (preview, shown);

  /* The grid's context menu does not open over the preview. */
  press ("shift+F10");
  press ("Menu");
  spin (500);
  g_assert_false (has_visible_popover (GTK_WIDGET (f->window)));
  g_assert_true (cs_preview_get_open (preview));

  press ("ctrl+c");
  cs_test_wait_until (clipboard_has, (gpointer[]) { f, path_3 }, 10000);

  press ("Delete");
  cs_test_wait_until (file_gone, path_3, LONG_WAIT_MS);
  g_assert_true (g_file_test (trashed, G_FILE_TEST_EXISTS));
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *path = picture_path (folder, i);

      if (i != 3)
        g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    }

  wait_for_item (preview, next);
  g_assert_true (cs_preview_get_open (preview));
  g_assert_cmpstr (cs_preview_get_name_text (preview), ==, "img-4.jpg");
}

/* The picture shown is deleted on disk: the preview shows the one now in
 * its place, and Right still walks on. */
static void
test_deleted_on_disk (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "gone", NULL);
  g_autofree char *gone = NULL;
  CsPreview *preview = get_preview (f);
  Showing showing;
  CsItem *after, *last;

  g_mkdir_with_parents (folder, 0755);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("img-%u.jpg", i);

      write_jpeg (folder, name, 640, 480, i);
    }
  open_folder (f, folder);
  cs_test_wait_until (is_idle, f->window, LONG_WAIT_MS);

  click_cell (f, 1);
  press ("space");
  cs_test_wait_until (is_open, preview, 10000);
  wait_for_item (preview, grid_item (f, 1));
  after = g_object_ref (grid_item (f, 2));
  last = g_object_ref (grid_item (f, 3));

  gone = picture_path (folder, 1);
  showing = (Showing) { preview, g_object_ref (grid_item (f, 1)) };
  g_assert_cmpint (g_unlink (gone), ==, 0);
  cs_test_wait_until (shows_other_than, &showing, LONG_WAIT_MS);
  g_object_unref (showing.item);
  wait_for_item (preview, after);
  g_assert_true (cs_preview_get_open (preview));

  press ("Right");
  wait_for_item (preview, last);
  g_object_unref (after);
  g_object_unref (last);
}

static gboolean
is_sensitive (gpointer data)
{
  return gtk_widget_get_sensitive (data);
}

/* Pictures that come after the preview opened (a folder still loading, a
 * file added): Next follows. */
static void
test_next_follows_list (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "grows", NULL);
  CsPreview *preview = get_preview (f);
  GtkWidget *next;

  g_mkdir_with_parents (folder, 0755);
  write_jpeg (folder, "img-0.jpg", 640, 480, 0);
  open_folder (f, folder);
  cs_test_wait_until (is_idle, f->window, LONG_WAIT_MS);

  click_cell (f, 0);
  press ("space");
  cs_test_wait_until (is_open, preview, 10000);
  wait_for_item (preview, grid_item (f, 0));
  next = cs_test_find (GTK_WIDGET (preview), is_button_for, "preview.next");
  g_assert_nonnull (next);
  g_assert_false (gtk_widget_get_sensitive (next));

  write_jpeg (folder, "img-1.jpg", 640, 480, 1);
  cs_test_wait_until (is_sensitive, next, LONG_WAIT_MS);

  press ("Right");
  wait_for_item (preview, grid_item (f, 1));
  g_assert_false (gtk_widget_get_sensitive (next));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = cs_test_make_dir ();
  g_autofree char *data_home = g_build_filename (home, ".local", "share", NULL);
  g_autofree char *cache = NULL;
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");
  int status;

  /* A home of the test's own, before GLib reads it: the trash is the
   * test's, on the pictures' file system. */
  g_mkdir_with_parents (data_home, 0700);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  cache = cs_test_isolate_cache ();

  cs_test_allow_gtk_frame_warning ();
  g_test_init (&argc, &argv, NULL);
  adw_init ();

  if (xdotool == NULL)
    {
      g_test_skip ("xdotool is not installed");
      return g_test_run ();
    }

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/window-preview/space-right-left-escape", test_space_right_left_escape);
  ADD ("/window-preview/exif-upright", test_exif_upright);
  ADD ("/window-preview/other-format", test_other_format);
  ADD ("/window-preview/resized", test_resized);
  ADD ("/window-preview/folder-tiles", test_folder_tiles);
  ADD ("/window-preview/failure-shown", test_failure_shown);
  ADD ("/window-preview/escape-mid-batch", test_escape_mid_batch);
  ADD ("/window-preview/delete-shown", test_delete_shown);
  ADD ("/window-preview/deleted-on-disk", test_deleted_on_disk);
  ADD ("/window-preview/next-follows-list", test_next_follows_list);

  status = g_test_run ();
  cs_test_remove_tree (cache);
  cs_test_remove_tree (home);

  return status;
}
