/* test-window-onscreen.c: the cells in view are made first, through the
 * real window under Xvfb
 *
 * A small window on a folder of a few hundred slow images: its first
 * screen is made before the images below it, and after a scroll or a
 * search, the cells then in view come next. "On screen" is
 * worked out here from the cells' own geometry, not from the app's idea
 * of it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "cs-cell.h"
#include "cs-item.h"
#include "cs-test-images.h"
#include "cs-test-util.h"
#include "cs-test-window.h"
#include "cs-window.h"

#define N_IMAGES 400
#define N_WORKERS 2

/* Jobs the workers had taken before the window knew its new cells (and,
 * at most as many, whose thumbnails were being written): made before the
 * screen's cells without breaking the rule. The bug it guards against
 * makes hundreds. */
#define SLACK (4 * N_WORKERS)

typedef struct
{
  char      *dir;
  GSettings *settings;
  CsWindow  *window;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = cs_test_make_dir ();
  f->settings = g_settings_new (APP_ID);
  g_settings_set_uint (f->settings, "workers", N_WORKERS);
  f->window = g_object_ref (g_object_new (CS_TYPE_WINDOW, NULL));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 640, 480);
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cs_test_destroy_window (&f->window);
  g_settings_reset (f->settings, "workers");
  g_clear_object (&f->settings);
  cs_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* Slow to thumbnail, quick to make: four PNGs (which have no reduced-size
 * decoding) of different sizes under many names, names and sizes in no
 * common order. Slow enough that a screen of them takes longer than the
 * window takes to settle after a change. */
static char *
make_folder (Fixture *f)
{
  char *folder = g_build_filename (f->dir, "photos", NULL);

  g_mkdir_with_parents (folder, 0755);
  for (guint i = 0; i < N_IMAGES; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/img-%04u.png", folder, i);

      if (i < 4)
        {
          g_autoptr(GError) error = NULL;

          cs_test_write_image (path, 2400 - 200 * i, 1800 - 150 * i, "png", i, &error);
          g_assert_no_error (error);
        }
      else
        {
          g_autofree char *source = g_strdup_printf ("%s/img-%04u.png", folder, i % 4);

          g_assert_cmpint (link (source, path), ==, 0);
        }
    }

  return folder;
}

/* The items of the cells that lie in the part of the grid scrolled into
 * view. */
static GPtrArray *
items_on_screen (Fixture *f)
{
  GtkWidget *grid = cs_test_find_widget (GTK_WIDGET (f->window), GTK_TYPE_GRID_VIEW);
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  GPtrArray *items = g_ptr_array_new ();

  cs_test_collect_cells (grid, cells);
  for (guint i = 0; i < cells->len; i++)
    {
      GtkWidget *cell = g_ptr_array_index (cells, i);
      CsItem *item = cs_cell_get_item (CS_CELL (cell));
      graphene_rect_t bounds;

      if (item != NULL && gtk_widget_get_mapped (cell) &&
          gtk_widget_compute_bounds (cell, grid, &bounds) &&
          bounds.origin.y + bounds.size.height > 0 &&
          bounds.origin.y < gtk_widget_get_height (grid))
        g_ptr_array_add (items, item);
    }

  return items;
}

/* When a worker wrote @item's thumbnail, in µs; 0 if it has not. Workers
 * write it as they finish, however long their result then waits for the
 * main loop (which a busy machine holds for a second at times). */
static gint64
made_at (CsItem *item)
{
  g_autofree char *uri = g_file_get_uri (cs_item_get_file (item));
  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, uri, -1);
  g_autofree char *name = g_strconcat (md5, ".png", NULL);
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "thumbnails", "normal", name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                                                 G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                                                 G_FILE_QUERY_INFO_NONE, NULL, NULL);

  if (info == NULL)
    return 0;

  return g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED) * G_USEC_PER_SEC +
         g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
}

/* The images off screen, and whether each was made already. */
static GHashTable *
off_screen (Fixture   *f,
            GPtrArray *on_screen)
{
  GListModel *items = cs_window_get_items (f->window);
  GHashTable *made = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      CsItem *item = g_list_model_get_item (items, i);

      if (g_ptr_array_find (on_screen, item, NULL))
        g_object_unref (item);
      else
        g_hash_table_insert (made, item, GINT_TO_POINTER (made_at (item) > 0));
    }

  return made;
}

static gboolean
screen_made (gpointer data)
{
  g_autoptr(GPtrArray) items = items_on_screen (data);

  for (guint i = 0; i < items->len; i++)
    if (cs_item_get_state (g_ptr_array_index (items, i)) == CS_ITEM_PENDING)
      return FALSE;

  return items->len > 0;
}

/* Every image found is in the grid: the first few join it a few at a
 * time, which moves what the first screen shows. */
static gboolean
listed (gpointer data)
{
  Fixture *f = data;
  GtkWidget *grid = cs_test_find_widget (GTK_WIDGET (f->window), GTK_TYPE_GRID_VIEW);

  return g_list_model_get_n_items (G_LIST_MODEL (gtk_grid_view_get_model (GTK_GRID_VIEW (grid)))) == N_IMAGES;
}

static void
on_after_paint (GdkFrameClock *clock,
                guint         *frames)
{
  (*frames)++;
}

static gboolean
painted_twice (gpointer data)
{
  return *(guint *) data >= 2;
}

/* A search entry waits a moment before it searches; then the grid lays
 * out and paints what changed, and the app looks at what it painted. */
static void
settle (Fixture *f)
{
  GtkWidget *grid = cs_test_find_widget (GTK_WIDGET (f->window), GTK_TYPE_GRID_VIEW);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (grid);
  gint64 until = g_get_monotonic_time () + 300 * 1000;
  guint frames = 0;
  gulong id;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);

  id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &frames);
  gtk_widget_queue_draw (grid);
  cs_test_wait_until (painted_twice, &frames, 10000);
  g_signal_handler_disconnect (clock, id);
}

/* Once what changed is on screen, counts the cells in view whose images
 * were still to be made at @since (the real time of the change: the
 * workers may make them while the window settles); waits until they are,
 * and checks that before the last of them was made, the only images made
 * off screen after the window settled were those already under way. The first screen may be made before the window has
 * settled, and the workers start before the window has painted its first
 * frame: there, most images off screen come after it. */
static void
assert_screen_comes_first (Fixture    *f,
                           const char *what,
                           gboolean    first,
                           gint64      since)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GHashTable) others = NULL;
  GHashTableIter iter;
  gpointer item, was_made;
  guint waiting = 0;
  guint made = 0;
  gint64 last = 0;

  settle (f);

  items = items_on_screen (f);
  for (guint i = 0; i < items->len; i++)
    {
      gint64 when = made_at (g_ptr_array_index (items, i));

      if (when == 0 || (!first && when > since))
        waiting++;
    }
  /* Off screen, what was made by the time the window had settled on its
   * new cells: the workers cannot know them before. */
  others = off_screen (f, items);
  if (first)
    {
      g_hash_table_iter_init (&iter, others);
      while (g_hash_table_iter_next (&iter, NULL, NULL))
        g_hash_table_iter_replace (&iter, GINT_TO_POINTER (FALSE));
    }

  cs_test_wait_until (screen_made, f, 60000);
  for (guint i = 0; i < items->len; i++)
    last = MAX (last, made_at (g_ptr_array_index (items, i)));
  g_hash_table_iter_init (&iter, others);
  while (g_hash_table_iter_next (&iter, &item, &was_made))
    {
      gint64 when = made_at (item);

      if (!was_made && when > 0 && when <= last)
        made++;
    }
  g_test_message ("%s: %u cells in view, %u to make; %u images off screen made before they were",
                  what, items->len, waiting, made);

  if (first)
    {
      g_assert_cmpuint (made, <, g_hash_table_size (others) / 4);
      return;
    }
  g_assert_cmpuint (waiting, >, 0);
  g_assert_cmpuint (made, <=, SLACK);
}

static void
test_first_screen_then_scroll (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *folder = make_folder (f);
  g_autoptr(GFile) file = g_file_new_for_path (folder);
  GtkWidget *grid;
  GtkAdjustment *vadjustment;
  gint64 since;

  cs_window_open_folder (f->window, file);
  cs_test_wait_until (listed, f, 30000);
  assert_screen_comes_first (f, "first screen", TRUE, 0);

  /* To the middle, or, when the workers got there in their own order
   * meanwhile, to the end. */
  grid = cs_test_find_widget (GTK_WIDGET (f->window), GTK_TYPE_GRID_VIEW);
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (grid));
  since = g_get_real_time ();
  gtk_adjustment_set_value (vadjustment, (gtk_adjustment_get_upper (vadjustment) -
                                          gtk_adjustment_get_page_size (vadjustment)) / 2);
  settle (f);
  if (screen_made (f))
    {
      since = g_get_real_time ();
      gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_upper (vadjustment));
    }
  assert_screen_comes_first (f, "scrolled", FALSE, since);

  cs_window_stop (f->window);
}

/* A search shows images from far down the list: those come next. */
static void
test_search (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *folder = make_folder (f);
  g_autoptr(GFile) file = g_file_new_for_path (folder);
  GtkWidget *entry;
  gint64 since;

  cs_window_open_folder (f->window, file);
  cs_test_wait_until (listed, f, 30000);
  assert_screen_comes_first (f, "first screen", TRUE, 0);

  entry = cs_test_find_widget (GTK_WIDGET (f->window), GTK_TYPE_SEARCH_ENTRY);
  g_assert_nonnull (entry);
  since = g_get_real_time ();
  gtk_editable_set_text (GTK_EDITABLE (entry), "img-03");
  assert_screen_comes_first (f, "searched", FALSE, since);

  cs_window_stop (f->window);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = cs_test_isolate_cache ();
  int status;

  cs_test_allow_gtk_frame_warning ();
  g_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/window-onscreen/first-screen-then-scroll", Fixture, NULL,
              fixture_setup, test_first_screen_then_scroll, fixture_teardown);
  g_test_add ("/window-onscreen/search", Fixture, NULL,
              fixture_setup, test_search, fixture_teardown);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
