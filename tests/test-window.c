/* test-window.c: the real window under Xvfb, on real folders
 *
 * Folders are opened through cs_window_open_folder(), the code path the
 * file chooser's answer takes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "cs-application.h"
#include "cs-cell.h"
#include "cs-item.h"
#include "cs-preferences-window.h"
#include "cs-test-images.h"
#include "cs-test-util.h"
#include "cs-test-window.h"
#include "cs-window.h"

typedef struct
{
  char     *dir;
  CsWindow *window;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = cs_test_make_dir ();
  f->window = g_object_ref (g_object_new (CS_TYPE_WINDOW, NULL));
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window != NULL)
    {
      cs_test_destroy_window (&f->window);
    }
  cs_test_remove_tree (f->dir);
  g_free (f->dir);
}

static char *
make_folder (Fixture    *f,
             const char *name,
             guint       count,
             int         size)
{
  char *folder = g_build_filename (f->dir, name, NULL);

  g_mkdir_with_parents (folder, 0755);
  for (guint i = 0; i < count; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_strdup_printf ("%s/img-%04u.jpg", folder, i);

      cs_test_write_image (path, size, size * 3 / 4, "jpeg", i, &error);
      g_assert_no_error (error);
    }

  return folder;
}

/* Slow to thumbnail, quick to make: a few large PNGs (no reduced-size
 * decoding for PNG) under many names, so a test can act mid-batch. */
static char *
make_heavy_folder (Fixture    *f,
                   const char *name,
                   guint       count)
{
  char *folder = g_build_filename (f->dir, name, NULL);

  g_mkdir_with_parents (folder, 0755);
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/img-%04u.png", folder, i);

      if (i < 4)
        {
          g_autoptr(GError) error = NULL;

          cs_test_write_image (path, 2400, 1800, "png", i, &error);
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

static void
open_path (Fixture    *f,
           const char *path)
{
  cs_test_open_folder (f->window, path);
  g_assert_true (cs_window_get_running (f->window));
}

static gboolean
some_done (gpointer data)
{
  return cs_window_get_n_done (CS_WINDOW (data)) >= 3;
}

static guint
count_state (CsWindow    *window,
             CsItemState  state)
{
  GListModel *items = cs_window_get_items (window);
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      if (cs_item_get_state (item) == state)
        count++;
    }

  return count;
}

static guint64
cache_bytes (void)
{
  g_autofree char *folder = g_build_filename (g_get_user_cache_dir (), "thumbnails", "normal", NULL);
  g_autoptr(GPtrArray) names = cs_test_list_dir (folder);
  guint64 total = 0;

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (folder, g_ptr_array_index (names, i), NULL);
      GStatBuf st;

      g_assert_cmpint (g_stat (path, &st), ==, 0);
      total += st.st_size;
    }

  return total;
}

/* The text under a cell's picture, as it reads. */
static char *
cell_caption (GtkWidget *widget)
{
  if (GTK_IS_INSCRIPTION (widget))
    return cs_test_dup_visible_text (gtk_inscription_get_text (GTK_INSCRIPTION (widget)));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      char *caption = cell_caption (child);

      if (caption != NULL)
        return caption;
    }

  return NULL;
}

/* Whether a line of text in @widget, or under it, reads @text. */
static gboolean
shows_text (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_INSCRIPTION (widget))
    {
      g_autofree char *caption = cs_test_dup_visible_text (gtk_inscription_get_text (GTK_INSCRIPTION (widget)));

      if (g_strcmp0 (caption, text) == 0)
        return gtk_widget_is_drawable (widget);
    }
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return gtk_widget_is_drawable (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_text (child, text))
      return TRUE;

  return FALSE;
}

static gboolean
shown_cells_have_pixels (gpointer data)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  guint shown = 0;

  cs_test_collect_cells (GTK_WIDGET (data), cells);
  for (guint i = 0; i < cells->len; i++)
    {
      CsItem *item = cs_cell_get_item (g_ptr_array_index (cells, i));

      if (item == NULL || cs_item_get_state (item) != CS_ITEM_DONE)
        continue;
      if (cs_item_get_thumbnail (item) == NULL)
        return FALSE;
      shown++;
    }

  return shown > 0;
}

/* Whether a cell lies in the part of the grid that is scrolled into view.
 * GTK 4.8 leaves the cells it keeps off screen unmapped where they last
 * were, which may be inside the view. */
static gboolean
cell_on_screen (GtkWidget *cell,
                GtkWidget *grid)
{
  graphene_rect_t bounds;

  return gtk_widget_get_mapped (cell) &&
         gtk_widget_compute_bounds (cell, grid, &bounds) &&
         bounds.origin.y + bounds.size.height > 0 &&
         bounds.origin.y < gtk_widget_get_height (grid);
}

static gboolean
all_cells_have_pixels (gpointer data)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();

  cs_test_collect_cells (GTK_WIDGET (data), cells);
  for (guint i = 0; i < cells->len; i++)
    {
      CsItem *item = cs_cell_get_item (g_ptr_array_index (cells, i));

      if (item != NULL && cs_item_get_thumbnail (item) == NULL)
        return FALSE;
    }

  return cells->len > 0;
}

static void
on_thumbnail_arrived (CsItem     *item,
                      GParamSpec *pspec,
                      GPtrArray  *arrivals)
{
  if (cs_item_get_thumbnail (item) != NULL)
    g_ptr_array_add (arrivals, item);
}

/* Scrolled to images whose pixels were never read, the cells in view get
 * theirs before the many cells GTK keeps bound around them. */
static void
test_on_screen_first (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *folder = make_folder (f, "many", 1500, 48);
  g_autoptr(GPtrArray) arrivals = g_ptr_array_new ();
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  GListModel *items = cs_window_get_items (f->window);
  GtkWidget *grid;
  GtkAdjustment *vadjustment;
  guint on_screen = 0, bound = 0, last_on_screen = 0;

  open_path (f, folder);
  cs_test_wait_until (cs_test_window_idle, f->window, 120000);
  cs_test_wait_until (all_cells_have_pixels, f->window, 10000);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      g_signal_connect (item, "notify::thumbnail", G_CALLBACK (on_thumbnail_arrived), arrivals);
    }

  grid = cs_test_find_widget (GTK_WIDGET (f->window), GTK_TYPE_GRID_VIEW);
  g_assert_nonnull (grid);
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (grid));
  gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_upper (vadjustment) * 0.7);
  cs_test_wait_until (all_cells_have_pixels, f->window, 20000);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      g_signal_handlers_disconnect_by_func (item, on_thumbnail_arrived, arrivals);
    }

  cs_test_collect_cells (GTK_WIDGET (f->window), cells);
  for (guint i = 0; i < cells->len; i++)
    {
      CsItem *item = cs_cell_get_item (g_ptr_array_index (cells, i));
      guint index;

      if (item == NULL || !g_ptr_array_find (arrivals, item, &index))
        continue;
      bound++;
      if (cell_on_screen (g_ptr_array_index (cells, i), grid))
        {
          on_screen++;
          last_on_screen = MAX (last_on_screen, index + 1);
        }
    }

  g_test_message ("%u cells read back, %u of them on screen; the last of those came %u",
                  bound, on_screen, last_on_screen);
  /* Scrolled far enough that no cell there had pixels before, and GTK
   * keeps many more cells than it shows. */
  g_assert_cmpuint (on_screen, >, 0);
  g_assert_cmpuint (bound, >, 2 * on_screen);
  /* A few reads run at once, so reads started for cells off screen can
   * finish before the last ones on screen; in the order the cells were
   * bound, those on screen would come anywhere among all of them. */
  /* An order in time: a sanitized build draws its frames so slowly that
   * the cells in view are known only after reads in bind order began; the
   * plain build checks it, window-onscreen checks the workers' order. */
  if (SANITIZED_BUILD)
    return;
  g_assert_cmpuint (last_on_screen, <, (on_screen + bound) / 2);
}

static gboolean
on_screen_cells_made (gpointer data)
{
  GtkWidget *grid = cs_test_find_widget (GTK_WIDGET (data), GTK_TYPE_GRID_VIEW);
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  guint shown = 0;

  cs_test_collect_cells (GTK_WIDGET (data), cells);
  for (guint i = 0; i < cells->len; i++)
    {
      CsItem *item = cs_cell_get_item (g_ptr_array_index (cells, i));

      if (item == NULL || !cell_on_screen (g_ptr_array_index (cells, i), grid))
        continue;
      if (cs_item_get_state (item) == CS_ITEM_PENDING)
        return FALSE;
      shown++;
    }

  return shown > 0;
}

/* Scrolled to the end of a folder larger than the batch is fed at once:
 * the cells in view are made next, even those whose images the batch has
 * not been handed yet. */
static void
test_shown_first (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *folder = make_heavy_folder (f, "heavy", 1300);
  GtkWidget *grid;
  GtkAdjustment *vadjustment;
  guint done;

  open_path (f, folder);
  cs_test_wait_until (some_done, f->window, 60000);

  grid = cs_test_find_widget (GTK_WIDGET (f->window), GTK_TYPE_GRID_VIEW);
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (grid));
  gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_upper (vadjustment));
  cs_test_wait_until (on_screen_cells_made, f->window, 120000);

  done = cs_window_get_n_done (f->window) + cs_window_get_n_failed (f->window);
  g_test_message ("%u of 1300 made when the cells in view were", done);
  g_assert_true (cs_window_get_running (f->window));
  /* Some 40 cells in view; in the order found, at least one of them would
   * come after the first thousand. */
  g_assert_cmpuint (done, <, 600);

  cs_window_stop (f->window);
  cs_test_wait_until (cs_test_window_idle, f->window, 10000);
}

/* Names as people read them: a newline shown as a space, bytes that are
 * not UTF-8 shown as replacement characters (and GIO says so), the rest
 * as they are. */
static void
test_odd_names (Fixture       *f,
                gconstpointer  data)
{
  static const struct { const char *file; const char *shown; } names[] = {
    { "plain.jpg", "plain.jpg" },
    { "caf\xc3\xa9.jpg", "caf\xc3\xa9.jpg" },
    { "new\nline.jpg", "new line.jpg" },
    { "bad\xff.jpg", "bad\xef\xbf\xbd.jpg (invalid encoding)" },
  };
  g_autofree char *folder = g_build_filename (f->dir, "odd", NULL);
  GListModel *items = cs_window_get_items (f->window);

  g_mkdir_with_parents (folder, 0755);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (folder, names[i].file, NULL);
      g_autoptr(GError) error = NULL;

      cs_test_write_image (path, 64, 48, "jpeg", i, &error);
      g_assert_no_error (error);
    }

  open_path (f, folder);
  cs_test_wait_until (cs_test_window_idle, f->window, 60000);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, G_N_ELEMENTS (names));

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GFile) file = g_file_new_build_filename (folder, names[i].file, NULL);
      gboolean found = FALSE;

      for (guint j = 0; j < g_list_model_get_n_items (items); j++)
        {
          g_autoptr(CsItem) item = g_list_model_get_item (items, j);

          if (g_file_equal (cs_item_get_file (item), file))
            {
              g_assert_cmpstr (cs_item_get_name (item), ==, names[i].shown);
              found = TRUE;
            }
        }
      g_assert_true (found);
    }
}

static void
test_open_folder (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *folder = make_folder (f, "photos", 20, 800);
  g_autofree char *bad1 = g_build_filename (folder, "broken.jpg", NULL);
  g_autofree char *bad2 = g_build_filename (folder, "empty.png", NULL);
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  guint64 before = cache_bytes ();
  const char *status;

  g_file_set_contents (bad1, "this is no JPEG", -1, NULL);
  g_file_set_contents (bad2, "", 0, NULL);

  open_path (f, folder);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, "photos");
  cs_test_wait_until (cs_test_window_idle, f->window, 60000);

  g_assert_cmpuint (g_list_model_get_n_items (cs_window_get_items (f->window)), ==, 22);
  g_assert_cmpuint (cs_window_get_n_done (f->window), ==, 20);
  g_assert_cmpuint (cs_window_get_n_failed (f->window), ==, 2);
  g_assert_cmpuint (count_state (f->window, CS_ITEM_DONE), ==, 20);
  g_assert_cmpuint (count_state (f->window, CS_ITEM_FAILED), ==, 2);
  g_assert_cmpuint (cs_window_get_bytes_written (f->window), ==, cache_bytes () - before);

  status = cs_window_get_status_text (f->window);
  g_test_message ("status: %s", status);
  g_assert_true (g_str_has_prefix (status, "20 thumbnails · "));
  g_assert_true (g_str_has_suffix (status, " written · 2 failed"));
  g_assert_true (shows_text (GTK_WIDGET (f->window), status));

  /* The failed ones say why. */
  for (guint i = 0; i < 22; i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (cs_window_get_items (f->window), i);

      if (cs_item_get_state (item) == CS_ITEM_FAILED)
        g_assert_nonnull (cs_item_get_error_message (item));
      else
        g_assert_nonnull (cs_item_get_thumbnail (item));
    }

  /* Only visible cells are built, and they show their items. */
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  cs_test_collect_cells (GTK_WIDGET (f->window), cells);
  g_assert_cmpuint (cells->len, >, 0);
  for (guint i = 0; i < cells->len; i++)
    {
      CsItem *item = cs_cell_get_item (g_ptr_array_index (cells, i));
      g_autofree char *label = NULL;
      g_autofree char *caption = NULL;

      if (item == NULL)
        continue;
      label = cs_item_dup_state_text (item);
      g_assert_true (g_str_has_prefix (label, cs_item_get_name (item)));
      caption = cell_caption (g_ptr_array_index (cells, i));
      g_assert_cmpstr (caption, ==, cs_item_get_name (item));
    }

  /* Opening it again reuses every thumbnail, and the cells on screen read
   * theirs back from the cache. */
  before = cache_bytes ();
  open_path (f, folder);
  cs_test_wait_until (cs_test_window_idle, f->window, 60000);
  g_assert_cmpuint (cs_window_get_bytes_written (f->window), ==, 0);
  g_assert_cmpuint (cache_bytes (), ==, before);
  cs_test_wait_until (shown_cells_have_pixels, f->window, 10000);
}

static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *folder = make_heavy_folder (f, "many", 300);
  guint done, failed;
  gint64 settle;

  open_path (f, folder);
  cs_test_wait_until (some_done, f->window, 60000);
  g_assert_true (cs_window_get_running (f->window));

  cs_window_stop (f->window);
  cs_test_wait_until (cs_test_window_idle, f->window, 5000);

  done = cs_window_get_n_done (f->window);
  failed = cs_window_get_n_failed (f->window);
  g_assert_cmpuint (done, <, 300);
  g_assert_cmpuint (count_state (f->window, CS_ITEM_PENDING), ==, 0);
  g_assert_cmpuint (count_state (f->window, CS_ITEM_DONE), ==, done);
  g_assert_cmpuint (count_state (f->window, CS_ITEM_NOT_MADE), >, 0);
  g_assert_true (g_str_has_prefix (cs_window_get_status_text (f->window), "Stopped"));

  /* The totals froze. */
  settle = g_get_monotonic_time () + 300 * 1000;
  while (g_get_monotonic_time () < settle)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (cs_window_get_n_done (f->window), ==, done);
  g_assert_cmpuint (cs_window_get_n_failed (f->window), ==, failed);
}

typedef struct
{
  CsWindow *window;
  guint     n_items;
} ItemCount;

static gboolean
has_count (gpointer data)
{
  ItemCount *count = data;

  return g_list_model_get_n_items (cs_window_get_items (count->window)) == count->n_items;
}

static gboolean
all_gone (gpointer data)
{
  GPtrArray *weak = data;

  for (guint i = 0; i < weak->len; i++)
    if (g_ptr_array_index (weak, i) != NULL)
      return FALSE;

  return TRUE;
}

/* Files deleted while their jobs wait or their thumbnails show: they leave
 * the grid, are not counted as failures, and nothing keeps their items (a
 * job's result, a texture cache entry, a load in flight). */
static void
test_deleted_mid_batch (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *folder = make_heavy_folder (f, "many", 60);
  g_autoptr(GPtrArray) weak = g_ptr_array_new ();
  GListModel *items = cs_window_get_items (f->window);
  ItemCount all = { f->window, 60 };
  ItemCount kept = { f->window, 30 };

  open_path (f, folder);
  cs_test_wait_until (has_count, &all, 20000);
  cs_test_wait_until (some_done, f->window, 60000);
  g_assert_true (cs_window_get_running (f->window));

  /* The second half by name: the grid is sorted by name. */
  g_ptr_array_set_size (weak, 30);
  for (guint i = 30; i < 60; i++)
    {
      CsItem *item = g_list_model_get_item (items, i);
      g_autofree char *path = g_strdup_printf ("%s/img-%04u.png", folder, i);

      g_assert_cmpstr (g_file_peek_path (cs_item_get_file (item)), ==, path);
      g_ptr_array_index (weak, i - 30) = item;
      g_object_add_weak_pointer (G_OBJECT (item), &g_ptr_array_index (weak, i - 30));
      g_object_unref (item);
      g_assert_cmpint (g_unlink (path), ==, 0);
    }

  cs_test_wait_until (has_count, &kept, 20000);
  cs_test_wait_until (cs_test_window_idle, f->window, 120000);
  cs_test_wait_until (all_gone, weak, 10000);

  g_assert_cmpuint (cs_window_get_n_failed (f->window), ==, 0);
  g_assert_cmpuint (count_state (f->window, CS_ITEM_FAILED), ==, 0);
  g_assert_cmpuint (count_state (f->window, CS_ITEM_DONE), ==, 30);
}

static void
test_second_folder (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *first = make_heavy_folder (f, "first", 300);
  g_autofree char *second = make_folder (f, "second", 10, 400);
  g_autoptr(GFile) second_file = g_file_new_for_path (second);
  GListModel *items;

  open_path (f, first);
  cs_test_wait_until (some_done, f->window, 60000);
  open_path (f, second);
  cs_test_wait_until (cs_test_window_idle, f->window, 60000);

  items = cs_window_get_items (f->window);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);
      g_autoptr(GFile) parent = g_file_get_parent (cs_item_get_file (item));

      g_assert_true (g_file_equal (parent, second_file));
      g_assert_cmpint (cs_item_get_state (item), ==, CS_ITEM_DONE);
    }
  g_assert_cmpuint (cs_window_get_n_done (f->window), ==, 10);
  g_assert_cmpuint (cs_window_get_n_failed (f->window), ==, 0);
}

static void
test_close_mid_batch (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *folder = make_heavy_folder (f, "closing", 300);
  gpointer weak = f->window;
  gint64 start;

  open_path (f, folder);
  cs_test_wait_until (some_done, f->window, 60000);

  g_object_add_weak_pointer (G_OBJECT (f->window), &weak);
  start = g_get_monotonic_time ();
  gtk_window_close (GTK_WINDOW (f->window));
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  cs_test_wait_until (cs_test_is_null, &weak, 1000);
  g_test_message ("window gone after %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
}

static void
test_finalize (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *folder = make_folder (f, "small", 6, 300);
  CsWindow *window = g_steal_pointer (&f->window);

  open_path (&(Fixture) { f->dir, window }, folder);
  cs_test_wait_until (cs_test_window_idle, window, 60000);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static gboolean
shows_ten (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (data)) == 10;
}

static void
test_filter_and_sort (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *folder = make_folder (f, "names", 12, 200);
  GtkWidget *grid;
  GtkSelectionModel *model;
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();

  open_path (f, folder);
  cs_test_wait_until (cs_test_window_idle, f->window, 60000);

  cs_test_collect_cells (GTK_WIDGET (f->window), cells);
  g_assert_cmpuint (cells->len, >, 0);
  grid = gtk_widget_get_ancestor (g_ptr_array_index (cells, 0), GTK_TYPE_GRID_VIEW);
  g_assert_nonnull (grid);
  model = gtk_grid_view_get_model (GTK_GRID_VIEW (grid));

  /* Sorted by name. */
  for (guint i = 0; i < 12; i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (G_LIST_MODEL (model), i);
      g_autofree char *expected = g_strdup_printf ("img-%04u.jpg", i);

      g_assert_cmpstr (cs_item_get_name (item), ==, expected);
    }

  /* Filtered as you type. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.search", NULL);
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (f->window));
    GtkWidget *search = gtk_widget_get_ancestor (focus, GTK_TYPE_SEARCH_ENTRY);

    g_assert_nonnull (search);
    gtk_editable_set_text (GTK_EDITABLE (search), "IMG-000");
    /* search-changed comes a moment later (longer on a busy machine);
     * until then all 12 show, so this fails on a filter that never applies. */
    cs_test_wait_until (shows_ten, model, 10000);
    gtk_editable_set_text (GTK_EDITABLE (search), "");
  }
}

static gboolean
has_n_items (gpointer data)
{
  Fixture *f = data;

  return g_list_model_get_n_items (cs_window_get_items (f->window)) == 16 &&
         !cs_window_get_running (f->window);
}

/* The items as the grid shows them, one name after another. */
static char *
item_names (CsWindow *window)
{
  GListModel *items = cs_window_get_items (window);
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      g_string_append_printf (names, "%s%s", i ? " " : "", cs_item_get_name (item));
    }

  return g_string_free (names, FALSE);
}

/* Images that appear later are merged in where they sort, not appended. */
static void
test_merge_sorted (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *folder = make_folder (f, "merge", 12, 200);
  g_autofree char *names = NULL;

  open_path (f, folder);
  cs_test_wait_until (cs_test_window_idle, f->window, 60000);

  /* Between, before and after the ones there. */
  for (guint i = 0; i < 4; i++)
    {
      static const char *added[] = { "img-0003a.jpg", "img-0007a.jpg", "a-first.jpg", "z-last.jpg" };
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_build_filename (folder, added[i], NULL);

      cs_test_write_image (path, 200, 150, "jpeg", 100 + i, &error);
      g_assert_no_error (error);
    }

  cs_test_wait_until (has_n_items, f, 20000);
  names = item_names (f->window);
  g_assert_cmpstr (names, ==,
                   "a-first.jpg img-0000.jpg img-0001.jpg img-0002.jpg img-0003.jpg "
                   "img-0003a.jpg img-0004.jpg img-0005.jpg img-0006.jpg img-0007.jpg "
                   "img-0007a.jpg img-0008.jpg img-0009.jpg img-0010.jpg img-0011.jpg z-last.jpg");
  g_assert_cmpuint (count_state (f->window, CS_ITEM_DONE), ==, 16);
}

/* Each burst of found images changes the store at most twice (before or
 * among the cells, and beyond them): every change costs the grid and the
 * models above the store a pass of their own, and one per run of images
 * made the last burst of a large folder a long stall. A burst is what
 * lands in one turn of the main loop. */
typedef struct
{
  guint changes;      /* in the current turn */
  guint most;         /* in any turn */
  guint turns;
  guint turn_source;
} Changes;

static gboolean
end_turn (gpointer data)
{
  Changes *changes = data;

  changes->most = MAX (changes->most, changes->changes);
  changes->changes = 0;
  changes->turn_source = 0;

  return G_SOURCE_REMOVE;
}

static void
on_store_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  changes->changes++;
  /* Runs once the handler that changed the store has returned. */
  if (changes->turn_source == 0)
    {
      changes->turns++;
      changes->turn_source = g_idle_add_full (G_PRIORITY_HIGH, end_turn, changes, NULL);
    }
}

static void
link_images (const char *source,
             const char *folder,
             guint       count,
             guint       first)
{
  for (guint i = first; i < count; i += 2)
    {
      g_autofree char *path = g_strdup_printf ("%s/img-%04u.jpg", folder, i);

      g_assert_cmpint (link (source, path), ==, 0);
    }
}

static gboolean
has_all_items (gpointer data)
{
  Fixture *f = data;

  return g_list_model_get_n_items (cs_window_get_items (f->window)) == 1200 &&
         !cs_window_get_running (f->window);
}

static void
test_few_changes (Fixture       *f,
                  gconstpointer  data)
{
  const guint count = 1200;
  g_autofree char *folder = g_build_filename (f->dir, "many", NULL);
  g_autofree char *source = g_build_filename (f->dir, "source.jpg", NULL);
  g_autoptr(GError) error = NULL;
  Changes changes = { 0 };
  GListModel *items = cs_window_get_items (f->window);
  gulong handler;

  cs_test_write_image (source, 64, 48, "jpeg", 1, &error);
  g_assert_no_error (error);
  g_mkdir_with_parents (folder, 0755);

  /* Every other name first; the rest, which land between them all, while
   * the window watches the folder. */
  link_images (source, folder, count, 0);
  open_path (f, folder);
  cs_test_wait_until (cs_test_window_idle, f->window, 120000);

  handler = g_signal_connect (items, "items-changed", G_CALLBACK (on_store_changed), &changes);
  link_images (source, folder, count, 1);
  cs_test_wait_until (has_all_items, f, 120000);
  g_signal_handler_disconnect (items, handler);
  if (changes.turn_source != 0)
    {
      g_source_remove (changes.turn_source);
      end_turn (&changes);
    }

  g_test_message ("%u changes at most in one of %u turns", changes.most, changes.turns);
  for (guint i = 0; i < count; i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);
      g_autofree char *name = g_strdup_printf ("img-%04u.jpg", i);

      g_assert_cmpstr (cs_item_get_name (item), ==, name);
    }
  g_assert_cmpuint (changes.turns, >, 0);
  g_assert_cmpuint (changes.most, <=, 2);
}

/* Changing the sort key re-sorts what is there. */
static void
test_sort_order (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *folder = make_folder (f, "order", 12, 200);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *by_name = NULL;
  g_autofree char *again = NULL;
  GListModel *items;
  goffset previous = G_MAXINT64;
  gboolean differs = FALSE;

  open_path (f, folder);
  cs_test_wait_until (cs_test_window_idle, f->window, 60000);
  items = cs_window_get_items (f->window);
  by_name = item_names (f->window);

  g_settings_set_enum (settings, "sort-order", 2);   /* size, largest first */
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      g_assert_cmpint (cs_item_get_size (item), <=, previous);
      previous = cs_item_get_size (item);
    }
  again = item_names (f->window);
  differs = g_strcmp0 (again, by_name) != 0;
  g_assert_true (differs);

  g_settings_set_enum (settings, "sort-order", 0);
  g_clear_pointer (&again, g_free);
  again = item_names (f->window);
  g_assert_cmpstr (again, ==, by_name);
}

/* The dialogs, as the application's actions show them: the stack's current
 * widgets where it has them (libadwaita 1.4, 1.5, 1.8), the older ones on
 * Debian 12. */

typedef struct
{
  CsApplication *app;
  CsWindow      *window;
} AppFixture;

static void
app_fixture_setup (AppFixture    *f,
                   gconstpointer  data)
{
  f->app = g_object_ref (cs_test_get_app ());
  f->window = g_object_ref (cs_window_new (GTK_APPLICATION (f->app), NULL));
  gtk_window_present (GTK_WINDOW (f->window));
  cs_test_wait_until (cs_test_widget_mapped, f->window, 10000);
}

static void
app_fixture_teardown (AppFixture    *f,
                      gconstpointer  data)
{
  cs_test_destroy_window (&f->window);
  g_clear_object (&f->app);
}

typedef struct
{
  GtkWidget  *widget;
  const char *text;
} Showing;

static gboolean
is_showing (gpointer data)
{
  Showing *showing = data;

  return shows_text (showing->widget, showing->text);
}

/* Dialogs slide in: their rows are drawn a few frames after they map. */
static void
wait_until_shows (GtkWidget  *widget,
                  const char *text)
{
  Showing showing = { widget, text };

  cs_test_wait_until (is_showing, &showing, 10000);
}

#if ADW_CHECK_VERSION (1, 5, 0)
static gboolean
has_dialog (gpointer data)
{
  return adw_application_window_get_visible_dialog (data) != NULL;
}
#endif

/* The window's bars: AdwToolbarView's top and bottom bars, or a box. */
static void
test_layout (AppFixture    *f,
             gconstpointer  data)
{
  GtkWidget *content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (f->window));

#if ADW_CHECK_VERSION (1, 4, 0)
  g_assert_true (ADW_IS_TOOLBAR_VIEW (content));
  g_assert_true (ADW_IS_TOAST_OVERLAY (adw_toolbar_view_get_content (ADW_TOOLBAR_VIEW (content))));
#else
  g_assert_true (GTK_IS_BOX (content));
#endif
  g_assert_true (shows_text (content, "Open a Folder of Pictures"));
}

static void
test_about (AppFixture    *f,
            gconstpointer  data)
{
  g_autofree char *name = NULL;
  GtkWidget *about;

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "about", NULL);

#if ADW_CHECK_VERSION (1, 5, 0)
  cs_test_wait_until (has_dialog, f->window, 10000);
  about = GTK_WIDGET (adw_application_window_get_visible_dialog (ADW_APPLICATION_WINDOW (f->window)));
  g_assert_true (ADW_IS_ABOUT_DIALOG (about));
#else
  about = cs_application_show_about (GTK_WINDOW (f->window));
  g_assert_true (ADW_IS_ABOUT_WINDOW (about));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (about)) == GTK_WINDOW (f->window));
#endif
  cs_test_wait_until (cs_test_widget_mapped, about, 10000);
  g_object_get (about, "application-name", &name, NULL);
  g_assert_cmpstr (name, ==, "Contact Sheet");
  wait_until_shows (about, "Contact Sheet");

#if ADW_CHECK_VERSION (1, 5, 0)
  adw_dialog_force_close (ADW_DIALOG (about));
#else
  gtk_window_destroy (GTK_WINDOW (about));
#endif
}

static void
test_preferences (AppFixture    *f,
                  gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWidget *preferences;

#if ADW_CHECK_VERSION (1, 5, 0)
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
  cs_test_wait_until (has_dialog, f->window, 10000);
  preferences = GTK_WIDGET (adw_application_window_get_visible_dialog (ADW_APPLICATION_WINDOW (f->window)));
  g_assert_true (ADW_IS_PREFERENCES_DIALOG (preferences));
#else
  preferences = cs_preferences_window_show (GTK_WINDOW (f->window), NULL);
  g_assert_true (ADW_IS_PREFERENCES_WINDOW (preferences));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (preferences)) == GTK_WINDOW (f->window));
#endif
  g_assert_true (CS_IS_PREFERENCES_WINDOW (preferences));
  cs_test_wait_until (cs_test_widget_mapped, preferences, 10000);
  wait_until_shows (preferences, "Performance");

  /* Its rows are the settings. */
  g_settings_set_uint (settings, "workers", 3);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (cs_test_find_widget (preferences, GTK_TYPE_SPIN_BUTTON))), ==, 3);
  g_settings_reset (settings, "workers");

#if ADW_CHECK_VERSION (1, 5, 0)
  adw_dialog_force_close (ADW_DIALOG (preferences));
#else
  gtk_window_destroy (GTK_WINDOW (preferences));
#endif
}

/* Ctrl+? shows every shortcut the window has. */
static void
test_shortcuts (AppFixture    *f,
                gconstpointer  data)
{
#if ADW_CHECK_VERSION (1, 8, 0)
  const char *action = "app.shortcuts";
#else
  const char *action = "win.show-help-overlay";
#endif
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), action);
  GtkWidget *shortcuts;

  g_assert_true (g_strv_contains ((const char * const *) accels, "<Control>question"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), action, NULL));

#if ADW_CHECK_VERSION (1, 8, 0)
  cs_test_wait_until (has_dialog, f->window, 10000);
  shortcuts = GTK_WIDGET (adw_application_window_get_visible_dialog (ADW_APPLICATION_WINDOW (f->window)));
  g_assert_true (ADW_IS_SHORTCUTS_DIALOG (shortcuts));
#else
  shortcuts = GTK_WIDGET (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (f->window)));
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (shortcuts));
#endif
  cs_test_wait_until (cs_test_widget_mapped, shortcuts, 10000);
  wait_until_shows (shortcuts, "Open a folder");
  wait_until_shows (shortcuts, "Filter by name");

#if ADW_CHECK_VERSION (1, 8, 0)
  adw_dialog_force_close (ADW_DIALOG (shortcuts));
#else
  gtk_widget_set_visible (shortcuts, FALSE);
#endif
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

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/window/open-folder", test_open_folder);
  ADD ("/window/stop", test_stop);
  ADD ("/window/deleted-mid-batch", test_deleted_mid_batch);
  ADD ("/window/second-folder", test_second_folder);
  ADD ("/window/close-mid-batch", test_close_mid_batch);
  ADD ("/window/finalize", test_finalize);
  ADD ("/window/filter-and-sort", test_filter_and_sort);
  ADD ("/window/merge-sorted", test_merge_sorted);
  ADD ("/window/sort-order", test_sort_order);
  ADD ("/window/few-changes", test_few_changes);
  ADD ("/window/on-screen-first", test_on_screen_first);
  ADD ("/window/shown-first", test_shown_first);
  ADD ("/window/odd-names", test_odd_names);

#define ADD_APP(name, func) \
  g_test_add (name, AppFixture, NULL, app_fixture_setup, func, app_fixture_teardown)

  ADD_APP ("/window/dialogs/layout", test_layout);
  ADD_APP ("/window/dialogs/about", test_about);
  ADD_APP ("/window/dialogs/preferences", test_preferences);
  ADD_APP ("/window/dialogs/shortcuts", test_shortcuts);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
