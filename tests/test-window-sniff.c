/* test-window-sniff.c: pictures without an image's name in the real window
 *
 * A folder holding a JPEG called IMG_0042, a text file and a FIFO is
 * opened as the file chooser does it; then a PNG called "later" arrives,
 * as a copy finishing does, for the folder monitor to find.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

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
  CsApplication *app;
  CsWindow      *window;
} Fixture;

static void
write_image (Fixture    *f,
             const char *name,
             const char *format)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  cs_test_write_image (path, 160, 120, format, 1, &error);
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *notes = NULL;
  g_autofree char *pipe = NULL;

  f->dir = cs_test_make_dir ();
  write_image (f, "IMG_0042", "jpeg");
  notes = g_build_filename (f->dir, "notes", NULL);
  g_assert_true (g_file_set_contents (notes, "Not a picture.\n", -1, NULL));
  pipe = g_build_filename (f->dir, "pipe", NULL);
  g_assert_cmpint (mkfifo (pipe, 0644), ==, 0);

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

typedef struct
{
  Fixture    *f;
  const char *name;
  guint       n_done;
} Wanted;

static CsCell *
find_cell (Fixture    *f,
           const char *name)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();

  cs_test_collect_cells (GTK_WIDGET (f->window), cells);
  for (guint i = 0; i < cells->len; i++)
    {
      CsItem *item = cs_cell_get_item (g_ptr_array_index (cells, i));

      if (item != NULL && g_str_equal (cs_item_get_name (item), name))
        return g_ptr_array_index (cells, i);
    }

  return NULL;
}

/* The cell of the picture shows its thumbnail: 128 x 96, drawn. */
static gboolean
thumbnail_shown (gpointer data)
{
  Wanted *wanted = data;
  CsCell *cell = find_cell (wanted->f, wanted->name);
  GtkWidget *picture = cell != NULL ? cs_test_find_widget (GTK_WIDGET (cell), GTK_TYPE_PICTURE) : NULL;
  GdkPaintable *paintable = picture != NULL ? gtk_picture_get_paintable (GTK_PICTURE (picture)) : NULL;

  return cs_window_get_n_done (wanted->f->window) == wanted->n_done &&
         !cs_window_get_running (wanted->f->window) &&
         paintable != NULL && gtk_widget_get_mapped (picture) &&
         gdk_paintable_get_intrinsic_width (paintable) == 128 &&
         gdk_paintable_get_intrinsic_height (paintable) == 96;
}

static char *
describe_items (Fixture *f)
{
  GListModel *items = cs_window_get_items (f->window);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      g_string_append_printf (text, "%s%s", i > 0 ? " " : "", cs_item_get_name (item));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_nameless (Fixture       *f,
               gconstpointer  data)
{
  Wanted first = { f, "IMG_0042", 1 };
  Wanted later = { f, "later", 2 };
  g_autofree char *items = NULL;
  g_autofree char *text = g_build_filename (f->dir, "later-notes", NULL);
  g_autofree char *partial = g_build_filename (f->dir, ".later.part", NULL);
  g_autofree char *final = g_build_filename (f->dir, "later", NULL);
  g_autoptr(GError) error = NULL;

  cs_test_open_folder (f->window, f->dir);
  cs_test_wait_until (thumbnail_shown, &first, 30000);
  items = describe_items (f);
  g_assert_cmpstr (items, ==, "IMG_0042");
  g_assert_cmpuint (cs_window_get_n_failed (f->window), ==, 0);

  /* A copy done the careful way: written under a hidden name, renamed. */
  g_assert_true (g_file_set_contents (text, "Neither is this.\n", -1, NULL));
  cs_test_write_image (partial, 160, 120, "png", 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_rename (partial, final), ==, 0);
  cs_test_wait_until (thumbnail_shown, &later, 30000);
  g_clear_pointer (&items, g_free);
  items = describe_items (f);
  g_assert_cmpstr (items, ==, "IMG_0042 later");
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

  g_test_add ("/window-sniff/nameless", Fixture, NULL, fixture_setup, test_nameless,
              fixture_teardown);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
