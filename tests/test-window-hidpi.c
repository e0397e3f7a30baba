/* test-window-hidpi.c: the real window on a scale-2 screen (GDK_SCALE=2)
 *
 * Cells of 128 points are 256 device pixels there: the grid's thumbnails
 * must be the cache's `large` flavour, shown as 256-pixel textures, and a
 * `normal` one already in the cache shows until the large one is made.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "cs-cell.h"
#include "cs-flavor-chooser.h"
#include "cs-item.h"
#include "cs-test-images.h"
#include "cs-test-util.h"
#include "cs-test-window.h"
#include "cs-thumbnailer.h"
#include "cs-window.h"

typedef struct
{
  char       *dir;
  char       *cache;
  CsWindow   *window;
  GHashTable *seen;        /* CsItem -> GArray of the widths its cell drew */
  guint       tick;
  guint       n_ticks;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = cs_test_make_dir ();
  /* Each test starts with an empty thumbnail cache of its own. */
  f->cache = cs_test_isolate_cache ();
  f->seen = g_hash_table_new_full (NULL, NULL, g_object_unref, (GDestroyNotify) g_array_unref);
  f->window = g_object_ref (g_object_new (CS_TYPE_WINDOW, NULL));
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  if (f->tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (f->window), f->tick);
  cs_test_destroy_window (&f->window);
  g_settings_reset (settings, "thumbnail-size");

  g_hash_table_unref (f->seen);
  cs_test_remove_tree (f->dir);
  cs_test_remove_tree (f->cache);
  g_free (f->dir);
  g_free (f->cache);
}

/* @count pictures of @width × 3/4 @width: JPEGs (quick), or PNGs, which
 * have no reduced-size decoding and take a while at 2400 pixels. */
static char *
make_folder (Fixture    *f,
             guint       count,
             int         width,
             const char *format)
{
  char *folder = g_build_filename (f->dir, "pictures", NULL);

  g_mkdir_with_parents (folder, 0755);
  for (guint i = 0; i < count; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_strdup_printf ("%s/img-%04u.%s", folder, i,
                                               g_str_equal (format, "jpeg") ? "jpg" : format);

      cs_test_write_image (path, width, width * 3 / 4, format, i, &error);
      g_assert_no_error (error);
    }

  return folder;
}

static void
open_path (Fixture    *f,
           const char *path)
{
  cs_test_open_folder (f->window, path);
  g_assert_true (cs_window_get_running (f->window));
}

static guint
count_thumbnails (const char *flavor)
{
  g_autofree char *folder = g_build_filename (g_get_user_cache_dir (), "thumbnails", flavor, NULL);
  g_autoptr(GPtrArray) names = cs_test_list_dir (folder);

  return names->len;
}

/* What a cell draws: the width of its picture's texture, 0 for none. */
static int
cell_width (GtkWidget *cell)
{
  GtkPicture *picture = GTK_PICTURE (cs_test_find_widget (cell, GTK_TYPE_PICTURE));
  GdkPaintable *paintable = gtk_picture_get_paintable (picture);

  if (!gtk_widget_get_visible (GTK_WIDGET (picture)) || paintable == NULL)
    return 0;

  g_assert_true (GDK_IS_TEXTURE (paintable));

  return gdk_texture_get_width (GDK_TEXTURE (paintable));
}

typedef struct
{
  Fixture *f;
  int      width;
} WidthCheck;

/* Every cell bound to an image draws a texture @width pixels wide. */
static gboolean
all_cells_at (gpointer data)
{
  WidthCheck *check = data;
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  guint n_bound = 0;

  cs_test_collect_cells (GTK_WIDGET (check->f->window), cells);
  for (guint i = 0; i < cells->len; i++)
    {
      GtkWidget *cell = g_ptr_array_index (cells, i);

      if (cs_cell_get_item (CS_CELL (cell)) == NULL)
        continue;
      n_bound++;
      if (cell_width (cell) != check->width)
        return FALSE;
    }

  return n_bound > 0;
}

/* GDK_SCALE=2 reached GTK: without it this file tests nothing. */
static void
assert_scale_2 (Fixture *f)
{
  g_assert_cmpstr (g_getenv ("GDK_SCALE"), ==, "2");
  g_assert_cmpint (gtk_widget_get_scale_factor (GTK_WIDGET (f->window)), ==, 2);
}

/* A cold folder: its thumbnails are made as `large` files, none as
 * `normal`, and the cells draw them at 256 pixels. */
static void
test_large (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *folder = make_folder (f, 6, 1600, "jpeg");
  WidthCheck check = { f, 256 };

  assert_scale_2 (f);
  open_path (f, folder);
  cs_test_wait_until (cs_test_window_idle, f->window, 60000);
  g_assert_cmpuint (cs_window_get_n_done (f->window), ==, 6);
  g_assert_cmpuint (cs_window_get_n_failed (f->window), ==, 0);

  g_assert_cmpuint (count_thumbnails ("large"), ==, 6);
  g_assert_cmpuint (count_thumbnails ("normal"), ==, 0);
  cs_test_wait_until (all_cells_at, &check, 10000);
}

static void
note_width (Fixture   *f,
            CsItem    *item,
            int        width)
{
  GArray *widths = g_hash_table_lookup (f->seen, item);

  if (widths == NULL)
    {
      widths = g_array_new (FALSE, FALSE, sizeof (int));
      g_hash_table_insert (f->seen, g_object_ref (item), widths);
    }

  if (widths->len == 0 || g_array_index (widths, int, widths->len - 1) != width)
    g_array_append_val (widths, width);
}

/* Once a frame, before it is drawn: what each cell shows. */
static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  Fixture *f = data;
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();

  cs_test_collect_cells (widget, cells);
  for (guint i = 0; i < cells->len; i++)
    {
      GtkWidget *cell = g_ptr_array_index (cells, i);
      CsItem *item = cs_cell_get_item (CS_CELL (cell));

      if (item != NULL)
        note_width (f, item, cell_width (cell));
    }
  f->n_ticks++;

  return G_SOURCE_CONTINUE;
}

typedef struct
{
  Fixture *f;
  guint    n_ticks;
} TickCheck;

static gboolean
ticked (gpointer data)
{
  TickCheck *check = data;

  return check->f->n_ticks >= check->n_ticks;
}

/* The widths a cell drew, one after the other, as text. */
static char *
describe_widths (GArray *widths)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < widths->len; i++)
    g_string_append_printf (text, " %d", g_array_index (widths, int, i));

  return g_string_free (text, FALSE);
}

/* Zoomed in (Ctrl+plus: cells of 256 points), the cells' 512 device
 * pixels take `x-large`; the cells keep drawing the 256-pixel ones until
 * then, never nothing. */
static void
test_zoom (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *folder = make_folder (f, 4, 1600, "jpeg");
  WidthCheck check = { f, 256 };
  TickCheck tick_check = { f, 0 };
  GHashTableIter iter;
  GArray *widths;

  assert_scale_2 (f);
  open_path (f, folder);
  cs_test_wait_until (cs_test_window_idle, f->window, 60000);
  cs_test_wait_until (all_cells_at, &check, 10000);

  f->tick = gtk_widget_add_tick_callback (GTK_WIDGET (f->window), on_tick, f, NULL);
  tick_check.n_ticks = f->n_ticks + 1;
  cs_test_wait_until (ticked, &tick_check, 5000);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.zoom-in", NULL));
  cs_test_wait_until (cs_test_window_idle, f->window, 60000);
  g_assert_cmpuint (count_thumbnails ("x-large"), ==, 4);
  check.width = 512;
  cs_test_wait_until (all_cells_at, &check, 10000);
  tick_check.n_ticks = f->n_ticks + 2;
  cs_test_wait_until (ticked, &tick_check, 5000);

  g_assert_cmpuint (g_hash_table_size (f->seen), ==, 4);
  g_hash_table_iter_init (&iter, f->seen);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &widths))
    {
      g_autofree char *text = describe_widths (widths);

      g_test_message ("a cell drew:%s", text);
      g_assert_cmpstr (text, ==, " 256 512");
    }
}

/* The folder's `normal` thumbnails are in the cache (GNOME Files made
 * them): the cells show those at once, then the `large` ones as they are
 * made, with no empty frame between. */
static void
test_stand_in (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *folder = make_folder (f, 8, 2400, "png");
  g_autoptr(CsThumbnailer) normal = cs_thumbnailer_new_for_cache (CS_FLAVOR_NORMAL, NULL);
  g_autoptr(GPtrArray) names = cs_test_list_dir (folder);
  WidthCheck check = { f, 256 };
  TickCheck tick_check = { f, 0 };
  GHashTableIter iter;
  GArray *widths;
  guint n_stood_in = 0;

  assert_scale_2 (f);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (folder, g_ptr_array_index (names, i), NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(CsResult) result = cs_thumbnailer_process (normal, file, NULL, NULL);

      g_assert_no_error (cs_result_get_error (result));
    }
  g_assert_cmpuint (count_thumbnails ("normal"), ==, 8);

  f->tick = gtk_widget_add_tick_callback (GTK_WIDGET (f->window), on_tick, f, NULL);
  open_path (f, folder);
  cs_test_wait_until (cs_test_window_idle, f->window, 60000);
  cs_test_wait_until (all_cells_at, &check, 10000);
  /* What the cells show now, drawn: the frame after. */
  tick_check.n_ticks = f->n_ticks + 2;
  cs_test_wait_until (ticked, &tick_check, 5000);
  g_assert_cmpuint (count_thumbnails ("large"), ==, 8);

  g_assert_cmpuint (g_hash_table_size (f->seen), ==, 8);
  g_hash_table_iter_init (&iter, f->seen);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &widths))
    {
      g_autofree char *text = describe_widths (widths);
      guint first = 0;

      g_test_message ("a cell drew:%s", text);

      /* Empty until something was read, then never empty again. */
      while (first < widths->len && g_array_index (widths, int, first) == 0)
        first++;
      g_assert_cmpuint (first, <, widths->len);
      for (guint i = first; i < widths->len; i++)
        g_assert_cmpint (g_array_index (widths, int, i), !=, 0);
      g_assert_cmpint (g_array_index (widths, int, widths->len - 1), ==, 256);

      if (g_array_index (widths, int, first) == 128)
        n_stood_in++;
    }

  /* Two workers may make their first two before a stand-in is read. */
  g_assert_cmpuint (n_stood_in, >=, 6);
}

/* The chooser reads the scale from the widget it follows, as the window's
 * does from its grid: 2 here, so 128-point cells take `large`. */
static void
test_chooser_follows_widget (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(CsFlavorChooser) chooser = cs_flavor_chooser_new ();

  assert_scale_2 (f);
  cs_flavor_chooser_set_cell (chooser, 128, CS_FLAVOR_NORMAL);
  g_assert_cmpint (cs_flavor_chooser_get_flavor (chooser), ==, CS_FLAVOR_NORMAL);

  cs_flavor_chooser_follow_widget (chooser, GTK_WIDGET (f->window));
  g_assert_cmpfloat_with_epsilon (cs_flavor_chooser_get_scale (chooser), 2.0, 1e-6);
  g_assert_cmpint (cs_flavor_chooser_get_flavor (chooser), ==, CS_FLAVOR_LARGE);
}

int
main (int   argc,
      char *argv[])
{
  cs_test_allow_gtk_frame_warning ();
  g_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/window-hidpi/chooser-follows-widget", test_chooser_follows_widget);
  ADD ("/window-hidpi/large", test_large);
  ADD ("/window-hidpi/stand-in", test_stand_in);
  ADD ("/window-hidpi/zoom", test_zoom);

  return g_test_run ();
}
