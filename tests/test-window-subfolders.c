/* test-window-subfolders.c: sub-folders in the real window, under Xvfb
 *
 * A tree of generated pictures with sub-folders, a hidden one and a link
 * back up, opened through cs_window_open_folder() (the file chooser's
 * path); folder tiles are entered the way GtkGridView's double-click and
 * Return do, and the rest goes through the window's actions, whose keys
 * the application sets.
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
#include "cs-test-images.h"
#include "cs-test-util.h"
#include "cs-test-window.h"
#include "cs-window.h"

typedef struct
{
  char          *dir;
  char          *top;
  CsApplication *app;
  CsWindow      *window;
  GSettings     *settings;
} Fixture;

static void
write_image (Fixture    *f,
             const char *relative,
             guint       seed)
{
  g_autofree char *path = g_build_filename (f->top, relative, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  cs_test_write_image (path, 160, 120, "jpeg", seed, &error);
  g_assert_no_error (error);
}

/* top/            a.jpg b.jpg
 * top/2024/       y.jpg, and "up", a link back to top
 * top/2024/June/  x.jpg
 * top/beta/       (empty)
 * top/.hidden/    secret.jpg */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *beta = NULL;
  g_autofree char *up = NULL;

  f->dir = cs_test_make_dir ();
  f->top = g_build_filename (f->dir, "top", NULL);
  write_image (f, "a.jpg", 1);
  write_image (f, "b.jpg", 2);
  write_image (f, "2024/y.jpg", 3);
  write_image (f, "2024/June/x.jpg", 4);
  write_image (f, ".hidden/secret.jpg", 5);
  beta = g_build_filename (f->top, "beta", NULL);
  g_assert_cmpint (g_mkdir (beta, 0755), ==, 0);
  up = g_build_filename (f->top, "2024", "up", NULL);
  g_assert_cmpint (symlink ("..", up), ==, 0);

  f->app = g_object_ref (cs_test_get_app ());
  f->window = g_object_ref (cs_window_new (GTK_APPLICATION (f->app), NULL));
  g_object_get (f->window, "settings", &f->settings, NULL);
  gtk_window_present (GTK_WINDOW (f->window));
  cs_test_wait_until (cs_test_widget_mapped, f->window, 10000);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_settings_reset (f->settings, "include-subfolders");
  g_clear_object (&f->settings);
  cs_test_destroy_window (&f->window);
  g_clear_object (&f->app);
  cs_test_remove_tree (f->dir);
  g_free (f->top);
  g_free (f->dir);
}

static gboolean
is_idle (gpointer data)
{
  CsWindow *window = data;

  return !cs_window_get_running (window) &&
         g_list_model_get_n_items (cs_window_get_items (window)) > 0;
}

static void
wait_idle (Fixture *f)
{
  cs_test_wait_until (is_idle, f->window, 30000);
}

static void
open_path (Fixture    *f,
           const char *path)
{
  cs_test_open_folder (f->window, path);
  wait_idle (f);
}

/* "<2024> <beta> a.jpg b.jpg": tiles in brackets, pictures by caption */
static char *
describe_items (Fixture *f)
{
  GListModel *items = cs_window_get_items (f->window);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);
      g_autofree char *caption = cs_item_dup_caption (item);

      if (i > 0)
        g_string_append_c (text, ' ');
      if (cs_item_is_folder (item))
        g_string_append_printf (text, "<%s>", cs_item_get_name (item));
      else
        g_string_append (text, caption);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
assert_items (Fixture    *f,
              const char *expected)
{
  g_autofree char *items = describe_items (f);

  g_assert_cmpstr (items, ==, expected);
}

static gboolean
is_cell_of (GtkWidget     *widget,
            gconstpointer  name)
{
  return CS_IS_CELL (widget) && cs_cell_get_item (CS_CELL (widget)) != NULL &&
         g_str_equal (cs_item_get_name (cs_cell_get_item (CS_CELL (widget))), name);
}

static CsCell *
find_cell (GtkWidget  *widget,
           const char *name)
{
  return (CsCell *) cs_test_find (widget, is_cell_of, name);
}

typedef struct
{
  Fixture    *f;
  const char *name;
} CellWanted;

static gboolean
has_cell (gpointer data)
{
  CellWanted *wanted = data;

  return find_cell (GTK_WIDGET (wanted->f->window), wanted->name) != NULL;
}

static CsCell *
wait_for_cell (Fixture    *f,
               const char *name)
{
  CellWanted wanted = { f, name };

  cs_test_wait_until (has_cell, &wanted, 10000);

  return find_cell (GTK_WIDGET (f->window), name);
}

/* What a double-click or Return on the tile does: the grid's "activate". */
static void
activate_tile (Fixture    *f,
               const char *name)
{
  GtkWidget *grid = cs_test_find_widget (GTK_WIDGET (f->window), GTK_TYPE_GRID_VIEW);
  GListModel *shown = G_LIST_MODEL (gtk_grid_view_get_model (GTK_GRID_VIEW (grid)));

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (shown, i);

      if (g_str_equal (cs_item_get_name (item), name))
        {
          g_assert_true (cs_item_is_folder (item));
          g_signal_emit_by_name (grid, "activate", i);
          return;
        }
    }

  g_assert_not_reached ();
}

/* The key is set for the action, however GTK spells it back. */
static void
assert_accel (Fixture    *f,
              const char *action,
              const char *accel)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), action);
  guint key, wanted_key;
  GdkModifierType mods, wanted_mods;
  gboolean found = FALSE;

  g_assert_true (gtk_accelerator_parse (accel, &wanted_key, &wanted_mods));
  for (guint i = 0; accels[i] != NULL; i++)
    found |= gtk_accelerator_parse (accels[i], &key, &mods) && key == wanted_key && mods == wanted_mods;
  g_assert_true (found);
}

static void
assert_title (Fixture    *f,
              const char *title)
{
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, title);
}

/* Tiles for the sub-folders, not the hidden one, before the pictures;
 * tiles are not counted; double-click enters, Alt+Up goes to the parent,
 * Alt+Left back, the path bar to any folder above. */
static void
test_tiles_and_navigation (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *in_2024 = g_build_filename (f->top, "2024", NULL);
  GtkWidget *path_bar;

  open_path (f, f->top);
  assert_title (f, "top");
  assert_items (f, "<2024> <beta> a.jpg b.jpg");
  g_assert_cmpuint (cs_window_get_n_done (f->window), ==, 2);
  g_assert_cmpuint (cs_window_get_n_failed (f->window), ==, 0);
  g_assert_true (g_str_has_prefix (cs_window_get_status_text (f->window), "2 thumbnails"));
  /* A tile is drawn as a folder, named as it. */
  {
    CsCell *tile = wait_for_cell (f, "2024");

    g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (tile), "folder"));
  }

  activate_tile (f, "2024");
  assert_title (f, "2024");
  wait_idle (f);
  assert_items (f, "<June> <up> y.jpg");
  g_assert_cmpuint (cs_window_get_n_done (f->window), ==, 1);

  assert_accel (f, "win.go-up", "<Alt>Up");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.go-up", NULL));
  assert_title (f, "top");
  wait_idle (f);
  assert_items (f, "<2024> <beta> a.jpg b.jpg");

  assert_accel (f, "win.go-back", "<Alt>Left");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.go-back", NULL));
  assert_title (f, "2024");
  wait_idle (f);

  /* Deeper, then straight back up two levels through the path bar. */
  activate_tile (f, "June");
  assert_title (f, "June");
  wait_idle (f);
  assert_items (f, "x.jpg");
  path_bar = cs_test_find_widget (GTK_WIDGET (f->window), g_type_from_name ("CsPathBar"));
  g_assert_nonnull (path_bar);
  g_assert_true (gtk_widget_get_visible (path_bar));
  g_assert_nonnull (cs_test_find_button (path_bar, "2024"));
  g_signal_emit_by_name (cs_test_find_button (path_bar, "top"), "clicked");
  assert_title (f, "top");
  wait_idle (f);
  assert_items (f, "<2024> <beta> a.jpg b.jpg");
}

/* The toggle: every picture below, grouped by folder in path order, each
 * saying where it lives; no tiles; the counts are the pictures'; the link
 * back up is not followed (the test would hang or count more). */
static void
test_include_subfolders (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *tooltip = NULL;
  g_autofree char *text = NULL;
  CsCell *cell;
  GtkWidget *caption;

  open_path (f, f->top);
  assert_items (f, "<2024> <beta> a.jpg b.jpg");

  assert_accel (f, "win.include-subfolders", "<Control><Shift>i");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.include-subfolders", NULL));
  g_assert_true (g_settings_get_boolean (f->settings, "include-subfolders"));
  wait_idle (f);

  assert_items (f, "a.jpg b.jpg 2024/y.jpg 2024/June/x.jpg");
  g_assert_cmpuint (cs_window_get_n_done (f->window), ==, 4);
  g_assert_cmpuint (cs_window_get_n_failed (f->window), ==, 0);
  g_assert_true (g_str_has_prefix (cs_window_get_status_text (f->window), "4 thumbnails"));

  cell = wait_for_cell (f, "x.jpg");
  tooltip = cs_cell_dup_tooltip_text (cell);
  g_assert_nonnull (strstr (tooltip, "x.jpg"));
  g_assert_nonnull (strstr (tooltip, "2024/June/"));
  caption = cs_test_find_widget (GTK_WIDGET (cell), GTK_TYPE_INSCRIPTION);
  text = cs_test_dup_visible_text (gtk_inscription_get_text (GTK_INSCRIPTION (caption)));
  g_assert_cmpstr (text, ==, "2024/June/x.jpg");
  {
    g_autofree char *top_tooltip = cs_cell_dup_tooltip_text (wait_for_cell (f, "a.jpg"));

    g_assert_cmpstr (top_tooltip, ==, "a.jpg");
  }

  /* Off again: the tiles are back. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.include-subfolders", NULL));
  wait_idle (f);
  assert_items (f, "<2024> <beta> a.jpg b.jpg");
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

  ADD ("/window-subfolders/tiles-and-navigation", test_tiles_and_navigation);
  ADD ("/window-subfolders/include-subfolders", test_include_subfolders);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
