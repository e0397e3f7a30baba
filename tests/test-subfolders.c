/* test-subfolders.c: sub-folders' tiles, and their pictures in one grid
 *
 * The grid model's grouped order, and the folder loader walking a real
 * tree of generated images with the scan the command line's --recursive
 * uses; no display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "cs-folder-loader.h"
#include "cs-test-images.h"
#include "cs-test-util.h"

typedef struct
{
  char           *dir;
  GSettings      *settings;
  CsGridModel    *model;
  CsFolderLoader *loader;
  gboolean        scanned;
  guint           n_problems;
  /* Seen between two steps of the scan: some jobs in, not all */
  guint           n_expected;
  gboolean        fed_while_scanning;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = cs_test_make_dir ();
  f->settings = g_settings_new (APP_ID);
  f->model = cs_grid_model_new ();
  f->loader = cs_folder_loader_new (f->model, f->settings);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_signal_handlers_disconnect_by_data (f->loader, f);
  cs_folder_loader_drop (f->loader);
  g_assert_finalize_object (g_steal_pointer (&f->loader));
  g_assert_finalize_object (g_steal_pointer (&f->model));
  g_settings_reset (f->settings, "include-subfolders");
  g_settings_reset (f->settings, "output-mode");
  g_clear_object (&f->settings);
  cs_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
write_image (const char *dir,
             const char *relative,
             guint       seed)
{
  g_autofree char *path = g_build_filename (dir, relative, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  cs_test_write_image (path, 40, 30, "jpeg", seed, &error);
  g_assert_no_error (error);
}

static GFile *
child (Fixture    *f,
       const char *relative)
{
  g_autofree char *path = g_build_filename (f->dir, relative, NULL);

  return g_file_new_for_path (path);
}

/* "[2024/June]x.jpg", or "<beta>" for a folder's tile */
static char *
describe (CsItem *item)
{
  if (cs_item_is_folder (item))
    return g_strdup_printf ("<%s>", cs_item_get_name (item));

  return g_strdup_printf ("[%s]%s",
                          cs_item_get_relative_dir (item) ? cs_item_get_relative_dir (item) : "",
                          cs_item_get_name (item));
}

static char *
describe_all (GListModel *items)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);
      g_autofree char *one = describe (item);

      g_string_append_printf (text, "%s%s", i ? " " : "", one);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
add_image (Fixture    *f,
           const char *relative_dir,
           const char *name,
           guint64     mtime)
{
  g_autofree char *relative = g_build_filename (relative_dir, name, NULL);
  g_autoptr(GFile) file = child (f, relative);
  g_autoptr(GFileInfo) info = g_file_info_new ();
  CsItem *item;

  g_file_info_set_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED, mtime);
  g_file_info_set_size (info, 1000 + mtime);
  item = cs_grid_model_add (f->model, file, info);
  cs_item_set_relative_dir (item, relative_dir);
}

/* Folders' tiles first, then each folder's pictures together, the folders
 * in path order (a folder right before its own sub-folders), whatever the
 * sort and the order they were found in. */
static void
test_grouped_order (Fixture       *f,
                    gconstpointer  data)
{
  GListModel *items = cs_grid_model_get_items (f->model);
  g_autoptr(GFile) beta = child (f, "beta");
  g_autoptr(GFile) alpha = child (f, "Alpha");
  g_autofree char *by_name = NULL;
  g_autofree char *by_date = NULL;

  add_image (f, "2024/June", "b.jpg", 5);
  add_image (f, "", "z.jpg", 1);
  add_image (f, "2024 x", "a.jpg", 9);
  add_image (f, "2024", "c.jpg", 2);
  add_image (f, "2024/June", "a.jpg", 7);
  add_image (f, "", "a.jpg", 3);
  add_image (f, "2024/April", "q.jpg", 4);
  add_image (f, "10", "m.jpg", 8);
  add_image (f, "9", "m.jpg", 6);
  cs_grid_model_add_folder (f->model, beta, NULL);
  cs_grid_model_add_folder (f->model, alpha, NULL);
  cs_grid_model_flush (f->model);

  by_name = describe_all (items);
  g_assert_cmpstr (by_name, ==,
                   "<Alpha> <beta> []a.jpg []z.jpg [9]m.jpg [10]m.jpg [2024]c.jpg "
                   "[2024/April]q.jpg [2024/June]a.jpg [2024/June]b.jpg [2024 x]a.jpg");

  /* Newest first inside each group; the groups stay where they were. */
  cs_grid_model_set_sort_order (f->model, CS_SORT_DATE);
  by_date = describe_all (items);
  g_assert_cmpstr (by_date, ==,
                   "<Alpha> <beta> []a.jpg []z.jpg [9]m.jpg [10]m.jpg [2024]c.jpg "
                   "[2024/April]q.jpg [2024/June]a.jpg [2024/June]b.jpg [2024 x]a.jpg");

  /* Pictures found later join their own group. */
  add_image (f, "2024", "d.jpg", 10);
  cs_grid_model_flush (f->model);
  {
    g_autoptr(CsItem) item = g_list_model_get_item (items, 6);
    g_autofree char *one = describe (item);

    g_assert_cmpstr (one, ==, "[2024]d.jpg");
  }
}

static gboolean
is_scanned (gpointer data)
{
  Fixture *f = data;

  return f->scanned && !cs_folder_loader_get_running (f->loader);
}

static void
on_scanned (CsFolderLoader *loader,
            gboolean        ok,
            Fixture        *f)
{
  g_assert_true (ok);
  f->scanned = TRUE;
}

static void
on_problem (CsFolderLoader *loader,
            const char     *message,
            Fixture        *f)
{
  f->n_problems++;
}

/* Between two of the scan's steps: how far the batch is fed. */
static gboolean
watch_feed (gpointer data)
{
  Fixture *f = data;
  guint n;

  if (f->scanned)
    return G_SOURCE_REMOVE;

  n = cs_folder_loader_get_n_submitted (f->loader);
  f->fed_while_scanning |= n > 0 && n < f->n_expected;

  return G_SOURCE_CONTINUE;
}

/* With sub-folders included, every picture below the folder is in the
 * grid and thumbnailed, fed to the batch while the walk goes on; hidden
 * folders are skipped, a link back up is not followed, and in "beside"
 * mode each thumbnail is written in its picture's own folder. */
static void
test_recursive_feed (Fixture       *f,
                     gconstpointer  data)
{
  GListModel *items = cs_grid_model_get_items (f->model);
  g_autoptr(GFile) root = g_file_new_for_path (f->dir);
  g_autofree char *loop = g_build_filename (f->dir, "2024", "June", "up", NULL);
  const guint n_folders = 30;
  guint n_images = 0;
  guint source;

  write_image (f->dir, "top.jpg", 0);
  n_images++;
  for (guint i = 0; i < n_folders; i++)
    {
      g_autofree char *relative = g_strdup_printf ("d%02u/e/pic-%02u.jpg", i, i);

      write_image (f->dir, relative, i + 1);
      n_images++;
    }
  write_image (f->dir, "2024/June/x.jpg", 40);
  n_images++;
  write_image (f->dir, ".hidden/secret.jpg", 41);
  g_assert_cmpint (symlink ("../..", loop), ==, 0);

  g_settings_set_boolean (f->settings, "include-subfolders", TRUE);
  g_settings_set_string (f->settings, "output-mode", "beside");
  /* The person's yes to writing there, which the window asks for. */
  cs_folder_loader_set_write_beside (f->loader, TRUE);
  g_signal_connect (f->loader, "scanned", G_CALLBACK (on_scanned), f);
  g_signal_connect (f->loader, "problem", G_CALLBACK (on_problem), f);

  f->n_expected = n_images;
  cs_folder_loader_open_folder (f->loader, root);
  /* As urgent as the scan's own steps, so it runs between them. */
  source = g_timeout_add (0, watch_feed, f);
  cs_test_wait_until (is_scanned, f, 60000);
  if (!f->scanned)
    g_source_remove (source);

  cs_grid_model_flush (f->model);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, n_images);
  g_assert_cmpuint (cs_folder_loader_get_n_submitted (f->loader), ==, n_images);
  g_assert_cmpuint (cs_folder_loader_get_n_done (f->loader), ==, n_images);
  g_assert_cmpuint (cs_folder_loader_get_n_failed (f->loader), ==, 0);
  /* Fed as found: jobs were in before the walk had listed every folder. */
  g_assert_true (f->fed_while_scanning);
  /* The link back up, said once. */
  g_assert_cmpuint (f->n_problems, ==, 1);

  for (guint i = 0; i < n_images; i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      g_assert_false (cs_item_is_folder (item));
      g_assert_null (strstr (cs_item_get_name (item), "secret"));
    }
  {
    g_autoptr(CsItem) first = g_list_model_get_item (items, 0);
    g_autoptr(CsItem) second = g_list_model_get_item (items, 1);
    g_autoptr(CsItem) last = g_list_model_get_item (items, n_images - 1);

    g_assert_cmpstr (cs_item_get_name (first), ==, "top.jpg");
    g_assert_null (cs_item_get_relative_dir (first));
    g_assert_cmpstr (cs_item_get_relative_dir (second), ==, "2024/June");
    g_assert_cmpstr (cs_item_get_relative_dir (last), ==, "d29/e");
  }

  /* Beside each picture, in its own folder; nothing in the top folder for it. */
  {
    g_autofree char *beside = g_build_filename (f->dir, "2024", "June", "x.thumb.jpg", NULL);
    g_autofree char *wrong = g_build_filename (f->dir, "x.thumb.jpg", NULL);
    g_autofree char *deep = g_build_filename (f->dir, "d07", "e", "pic-07.thumb.jpg", NULL);

    g_assert_true (g_file_test (beside, G_FILE_TEST_IS_REGULAR));
    g_assert_true (g_file_test (deep, G_FILE_TEST_IS_REGULAR));
    g_assert_false (g_file_test (wrong, G_FILE_TEST_EXISTS));
  }
}

/* As the grid view does when a cell shows an item: every tile shown while
 * the scan's batch still takes jobs asks to go first. */
static void
on_merged (CsGridModel *model,
           Fixture     *f)
{
  GListModel *items = cs_grid_model_get_items (model);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      if (cs_item_is_folder (item) && !f->scanned)
        {
          cs_folder_loader_prioritize (f->loader, item);
          f->fed_while_scanning = TRUE;
        }
    }
}

/* Tiles shown mid-scan are not thumbnailed, failed nor counted. */
static void
test_tiles_not_thumbnailed (Fixture       *f,
                            gconstpointer  data)
{
  GListModel *items = cs_grid_model_get_items (f->model);
  g_autoptr(GFile) root = g_file_new_for_path (f->dir);
  /* More than the scan lists in one request: it is still going when the
   * first tiles join the grid. */
  const guint n_folders = 300;

  write_image (f->dir, "a.jpg", 1);
  write_image (f->dir, "b.jpg", 2);
  for (guint i = 0; i < n_folders; i++)
    {
      g_autofree char *name = g_strdup_printf ("folder-%03u", i);
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
    }

  g_signal_connect (f->loader, "scanned", G_CALLBACK (on_scanned), f);
  g_signal_connect (f->model, "merged", G_CALLBACK (on_merged), f);
  cs_folder_loader_open_folder (f->loader, root);
  cs_test_wait_until (is_scanned, f, 30000);
  cs_grid_model_flush (f->model);

  g_assert_true (f->fed_while_scanning);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, n_folders + 2);
  g_assert_cmpuint (cs_folder_loader_get_n_submitted (f->loader), ==, 2);
  g_assert_cmpuint (cs_folder_loader_get_n_done (f->loader), ==, 2);
  g_assert_cmpuint (cs_folder_loader_get_n_failed (f->loader), ==, 0);
  for (guint i = 0; i < n_folders; i++)
    {
      g_autoptr(CsItem) tile = g_list_model_get_item (items, i);

      g_assert_true (cs_item_is_folder (tile));
      g_assert_cmpint (cs_item_get_state (tile), !=, CS_ITEM_FAILED);
    }
  g_signal_handlers_disconnect_by_data (f->model, f);
}

/* Without it: a tile per sub-folder (not the hidden ones), before the
 * pictures; tiles are never thumbnailed nor counted; the folder monitor
 * adds a new sub-folder's tile and takes a removed one's away. */
static gboolean
has_n_items (gpointer data)
{
  Fixture *f = data;
  guint n = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (f->model), "want"));

  cs_grid_model_flush (f->model);

  return g_list_model_get_n_items (cs_grid_model_get_items (f->model)) == n;
}

static void
wait_for_n_items (Fixture *f,
                  guint    n)
{
  g_object_set_data (G_OBJECT (f->model), "want", GUINT_TO_POINTER (n));
  cs_test_wait_until (has_n_items, f, 10000);
  g_assert_cmpuint (g_list_model_get_n_items (cs_grid_model_get_items (f->model)), ==, n);
}

static void
test_folder_tiles (Fixture       *f,
                   gconstpointer  data)
{
  GListModel *items = cs_grid_model_get_items (f->model);
  g_autoptr(GFile) root = g_file_new_for_path (f->dir);
  g_autofree char *order = NULL;
  g_autofree char *named_like_image = g_build_filename (f->dir, "album.jpg", NULL);
  g_autofree char *made = g_build_filename (f->dir, "Made later", NULL);
  g_autofree char *empty = g_build_filename (f->dir, "empty", NULL);

  write_image (f->dir, "b.jpg", 1);
  write_image (f->dir, "a.jpg", 2);
  write_image (f->dir, "zoo/inner.jpg", 3);
  write_image (f->dir, ".hidden/secret.jpg", 4);
  g_assert_cmpint (g_mkdir (named_like_image, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);

  g_signal_connect (f->loader, "scanned", G_CALLBACK (on_scanned), f);
  cs_folder_loader_open_folder (f->loader, root);
  cs_test_wait_until (is_scanned, f, 30000);
  cs_grid_model_flush (f->model);

  order = describe_all (items);
  g_assert_cmpstr (order, ==, "<album.jpg> <empty> <zoo> []a.jpg []b.jpg");
  g_assert_cmpuint (cs_folder_loader_get_n_submitted (f->loader), ==, 2);
  g_assert_cmpuint (cs_folder_loader_get_n_done (f->loader), ==, 2);
  g_assert_cmpuint (cs_folder_loader_get_n_failed (f->loader), ==, 0);

  g_assert_cmpint (g_mkdir (made, 0755), ==, 0);
  wait_for_n_items (f, 6);
  g_assert_cmpint (g_rmdir (made), ==, 0);
  wait_for_n_items (f, 5);
  g_assert_cmpuint (cs_folder_loader_get_n_submitted (f->loader), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = cs_test_isolate_cache ();
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/subfolders/grouped-order", test_grouped_order);
  ADD ("/subfolders/recursive-feed", test_recursive_feed);
  ADD ("/subfolders/folder-tiles", test_folder_tiles);
  ADD ("/subfolders/tiles-not-thumbnailed", test_tiles_not_thumbnailed);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
