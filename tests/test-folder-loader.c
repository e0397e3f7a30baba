/* test-folder-loader.c: a folder scanned and thumbnailed, without a window
 *
 * Real folders of generated images, the real engine and its decoder
 * helper; the loader is heard through its signals, as the window hears it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cs-folder-loader.h"
#include "cs-test-images.h"
#include "cs-test-util.h"

typedef struct
{
  char           *dir;
  GSettings      *settings;
  CsGridModel    *model;
  CsFolderLoader *loader;
  guint           n_item_done;
  guint           n_item_failed;
  guint           n_finished;
  guint           n_scanned;
  gboolean        scanned_ok;
} Fixture;

static void
on_item_done (CsFolderLoader *loader,
              CsItem         *item,
              GdkPixbuf      *pixbuf,
              Fixture        *f)
{
  g_assert_cmpint (cs_item_get_state (item), ==, CS_ITEM_DONE);
  f->n_item_done++;
}

static void
on_item_failed (CsFolderLoader *loader,
                CsItem         *item,
                Fixture        *f)
{
  f->n_item_failed++;
}

static void
on_finished (CsFolderLoader *loader,
             Fixture        *f)
{
  g_assert_false (cs_folder_loader_get_running (loader));
  f->n_finished++;
}

static void
on_scanned (CsFolderLoader *loader,
            gboolean        ok,
            Fixture        *f)
{
  f->n_scanned++;
  f->scanned_ok = ok;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = cs_test_make_dir ();
  f->settings = g_settings_new (APP_ID);
  f->model = cs_grid_model_new ();
  f->loader = cs_folder_loader_new (f->model, f->settings);
  g_signal_connect (f->loader, "item-done", G_CALLBACK (on_item_done), f);
  g_signal_connect (f->loader, "item-failed", G_CALLBACK (on_item_failed), f);
  g_signal_connect (f->loader, "finished", G_CALLBACK (on_finished), f);
  g_signal_connect (f->loader, "scanned", G_CALLBACK (on_scanned), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_signal_handlers_disconnect_by_data (f->loader, f);
  cs_folder_loader_drop (f->loader);
  g_assert_finalize_object (g_steal_pointer (&f->loader));
  g_assert_finalize_object (g_steal_pointer (&f->model));
  g_settings_reset (f->settings, "workers");
  g_clear_object (&f->settings);
  cs_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
write_images (Fixture *f,
              guint    n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("img-%04u.%s", i, i % 2 ? "png" : "jpg");
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_autoptr(GError) error = NULL;

      cs_test_write_image (path, 40 + i % 7, 30, i % 2 ? "png" : "jpeg", i, &error);
      g_assert_no_error (error);
    }
}

static void
write_broken (Fixture    *f,
              const char *name)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, "not a picture at all", -1, NULL));
}

static gboolean
is_idle (gpointer data)
{
  Fixture *f = data;

  return !cs_folder_loader_get_running (f->loader);
}

static void
open_and_wait (Fixture *f)
{
  g_autoptr(GFile) folder = g_file_new_for_path (f->dir);

  cs_folder_loader_clear (f->loader);
  cs_folder_loader_open_folder (f->loader, folder);
  g_assert_true (cs_folder_loader_get_running (f->loader));
  cs_test_wait_until (is_idle, f, 60000);
}

/* Everything found is made or failed, counted once, and the failures can
 * be retried. */
static void
test_folder (Fixture       *f,
             gconstpointer  data)
{
  GListModel *items = cs_grid_model_get_items (f->model);
  guint64 written;

  write_images (f, 12);
  write_broken (f, "broken.png");
  open_and_wait (f);

  g_assert_cmpuint (f->n_scanned, ==, 1);
  g_assert_true (f->scanned_ok);
  g_assert_cmpuint (f->n_finished, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 13);
  g_assert_cmpuint (cs_folder_loader_get_n_submitted (f->loader), ==, 13);
  g_assert_cmpuint (cs_folder_loader_get_n_done (f->loader), ==, 12);
  g_assert_cmpuint (cs_folder_loader_get_n_failed (f->loader), ==, 1);
  g_assert_cmpuint (f->n_item_done, ==, 12);
  g_assert_cmpuint (f->n_item_failed, ==, 1);
  g_assert_cmpuint (cs_folder_loader_get_failures (f->loader)->len, ==, 1);
  g_assert_false (cs_folder_loader_get_stopped (f->loader));
  written = cs_folder_loader_get_bytes_written (f->loader);
  g_assert_cmpuint (written, >, 0);
  g_assert_nonnull (cs_folder_loader_get_thumbnailer (f->loader));

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);
      gboolean broken = g_str_equal (cs_item_get_name (item), "broken.png");

      g_assert_cmpint (cs_item_get_state (item), ==, broken ? CS_ITEM_FAILED : CS_ITEM_DONE);
    }

  /* Retry: the broken file fails again, and is counted once. */
  cs_folder_loader_retry_failures (f->loader);
  g_assert_true (cs_folder_loader_get_running (f->loader));
  g_assert_cmpuint (cs_folder_loader_get_n_failed (f->loader), ==, 0);
  cs_test_wait_until (is_idle, f, 60000);
  g_assert_cmpuint (f->n_finished, ==, 2);
  g_assert_cmpuint (cs_folder_loader_get_n_submitted (f->loader), ==, 13);
  g_assert_cmpuint (cs_folder_loader_get_n_done (f->loader), ==, 12);
  g_assert_cmpuint (cs_folder_loader_get_n_failed (f->loader), ==, 1);
  g_assert_cmpuint (cs_folder_loader_get_failures (f->loader)->len, ==, 1);

  /* Opened again: the thumbnails are there, nothing more is written. */
  open_and_wait (f);
  g_assert_cmpuint (cs_folder_loader_get_n_done (f->loader), ==, 12);
  g_assert_cmpuint (cs_folder_loader_get_n_failed (f->loader), ==, 1);
  g_assert_cmpuint (cs_folder_loader_get_bytes_written (f->loader), ==, 0);
}

/* More images than the scan's batch is fed at once, made one at a time:
 * each one is fed in and made, none twice, none lost. */
static void
test_feed_ahead (Fixture       *f,
                 gconstpointer  data)
{
  guint n = 2600;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("tiny-%05u.png", i);
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_autoptr(GError) error = NULL;

      cs_test_write_image (path, 2, 2, "png", i, &error);
      g_assert_no_error (error);
    }
  g_settings_set_uint (f->settings, "workers", 2);

  open_and_wait (f);
  g_assert_cmpuint (cs_grid_model_get_n_found (f->model), ==, n);
  g_assert_cmpuint (cs_folder_loader_get_n_submitted (f->loader), ==, n);
  g_assert_cmpuint (cs_folder_loader_get_n_done (f->loader), ==, n);
  g_assert_cmpuint (f->n_item_done, ==, n);
  g_assert_cmpuint (f->n_finished, ==, 1);
}

static gboolean
has_done (gpointer data)
{
  Fixture *f = data;

  return f->n_item_done > 0;
}

/* Stopped mid-way: what was made stays, the rest is not made. */
static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GFile) folder = g_file_new_for_path (f->dir);
  GListModel *items = cs_grid_model_get_items (f->model);
  guint not_made = 0;

  write_images (f, 200);
  g_settings_set_uint (f->settings, "workers", 1);
  cs_folder_loader_clear (f->loader);
  cs_folder_loader_open_folder (f->loader, folder);
  cs_test_wait_until (has_done, f, 60000);
  cs_folder_loader_stop (f->loader);
  g_assert_true (cs_folder_loader_get_stopped (f->loader));
  cs_test_wait_until (is_idle, f, 60000);

  g_assert_cmpuint (cs_folder_loader_get_n_done (f->loader), <, 200);
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      not_made += cs_item_get_state (item) == CS_ITEM_NOT_MADE;
      g_assert_cmpint (cs_item_get_state (item), !=, CS_ITEM_PENDING);
    }
  g_assert_cmpuint (not_made, >, 0);
}

static gboolean
has_n_items (gpointer data)
{
  Fixture *f = data;

  return g_list_model_get_n_items (cs_grid_model_get_items (f->model)) == 4 &&
         cs_folder_loader_get_n_done (f->loader) == 4 &&
         !cs_folder_loader_get_running (f->loader);
}

static gboolean
has_two_items (gpointer data)
{
  Fixture *f = data;

  return g_list_model_get_n_items (cs_grid_model_get_items (f->model)) == 2;
}

/* A file added to the open folder is shown and made; one deleted goes. */
static void
test_monitor (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *added = g_build_filename (f->dir, "added.png", NULL);
  g_autofree char *gone = g_build_filename (f->dir, "img-0000.jpg", NULL);
  g_autofree char *gone_too = g_build_filename (f->dir, "img-0001.png", NULL);
  g_autoptr(GError) error = NULL;

  write_images (f, 3);
  open_and_wait (f);
  g_assert_cmpuint (cs_folder_loader_get_n_done (f->loader), ==, 3);

  cs_test_write_image (added, 20, 20, "png", 7, &error);
  g_assert_no_error (error);
  cs_test_wait_until (has_n_items, f, 20000);

  g_assert_cmpint (g_unlink (gone), ==, 0);
  g_assert_cmpint (g_unlink (gone_too), ==, 0);
  cs_test_wait_until (has_two_items, f, 20000);
  g_assert_cmpuint (cs_grid_model_get_n_found (f->model), ==, 2);
}

/* Files given one by one: just those, in one batch. */
static void
test_files (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *path_a = g_build_filename (f->dir, "img-0000.jpg", NULL);
  g_autofree char *path_b = g_build_filename (f->dir, "img-0001.png", NULL);
  GFile *files[2];

  write_images (f, 5);
  files[0] = g_file_new_for_path (path_a);
  files[1] = g_file_new_for_path (path_b);

  cs_folder_loader_clear (f->loader);
  cs_folder_loader_open_files (f->loader, files, 2);
  g_assert_cmpuint (g_list_model_get_n_items (cs_grid_model_get_items (f->model)), ==, 2);
  g_assert_true (cs_folder_loader_get_running (f->loader));
  cs_test_wait_until (is_idle, f, 60000);
  g_assert_cmpuint (cs_folder_loader_get_n_done (f->loader), ==, 2);
  g_assert_cmpuint (f->n_scanned, ==, 0);

  g_object_unref (files[0]);
  g_object_unref (files[1]);
}

/* The window asks for a larger flavour on a HiDPI monitor; files written
 * beside the pictures stay the size Preferences says (normal, 128), so a
 * move to another monitor never rewrites a person's folder. */
static void
test_beside_keeps_setting (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GFile) folder = g_file_new_for_path (f->dir);
  g_autoptr(GPtrArray) names = NULL;
  guint n_thumbs = 0;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/photo-%u.jpg", f->dir, i);
      g_autoptr(GError) error = NULL;

      cs_test_write_image (path, 800, 600, "jpeg", i, &error);
      g_assert_no_error (error);
    }

  g_settings_set_string (f->settings, "output-mode", "beside");
  cs_folder_loader_set_flavor (f->loader, CS_FLAVOR_LARGE);
  cs_folder_loader_clear (f->loader);
  /* The person's yes, which the window asks for after clearing. */
  cs_folder_loader_set_write_beside (f->loader, TRUE);
  cs_folder_loader_open_folder (f->loader, folder);
  cs_test_wait_until (is_idle, f, 60000);
  g_settings_reset (f->settings, "output-mode");
  g_assert_cmpuint (cs_folder_loader_get_n_done (f->loader), ==, 3);

  names = cs_test_list_dir (f->dir);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      int width = 0, height = 0;

      if (strstr (name, ".thumb.") == NULL)
        continue;
      g_assert_nonnull (gdk_pixbuf_get_file_info (path, &width, &height));
      g_assert_cmpint (MAX (width, height), ==, 128);
      n_thumbs++;
    }
  g_assert_cmpuint (n_thumbs, ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = cs_test_isolate_cache ();
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/folder-loader/folder", Fixture, NULL, fixture_setup, test_folder, fixture_teardown);
  g_test_add ("/folder-loader/feed-ahead", Fixture, NULL, fixture_setup, test_feed_ahead, fixture_teardown);
  g_test_add ("/folder-loader/stop", Fixture, NULL, fixture_setup, test_stop, fixture_teardown);
  g_test_add ("/folder-loader/monitor", Fixture, NULL, fixture_setup, test_monitor, fixture_teardown);
  g_test_add ("/folder-loader/files", Fixture, NULL, fixture_setup, test_files, fixture_teardown);
  g_test_add ("/folder-loader/beside-keeps-setting", Fixture, NULL, fixture_setup, test_beside_keeps_setting, fixture_teardown);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
