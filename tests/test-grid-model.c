/* test-grid-model.c: the grid's sorted store, its merges and its search
 *
 * Items are made from real files in a fresh folder, as the scan finds
 * them; no display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-grid-model.h"
#include "cs-test-images.h"
#include "cs-test-util.h"

typedef struct
{
  char        *dir;
  CsGridModel *model;
  guint        n_changes;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = cs_test_make_dir ();
  f->model = cs_grid_model_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (g_steal_pointer (&f->model));
  cs_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* Writes an image of @side pixels (its size on disk grows with it) and
 * dates it @mtime seconds after the epoch. */
static GFile *
write_image (Fixture    *f,
             const char *name,
             int         side,
             guint64     mtime)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;
  GFile *file;

  cs_test_write_image (path, side, side, "png", side, &error);
  g_assert_no_error (error);
  file = g_file_new_for_path (path);
  g_file_set_attribute_uint64 (file, G_FILE_ATTRIBUTE_TIME_MODIFIED, mtime,
                               G_FILE_QUERY_INFO_NONE, NULL, &error);
  g_assert_no_error (error);

  return file;
}

static GFileInfo *
query (GFile *file)
{
  g_autoptr(GError) error = NULL;
  GFileInfo *info = g_file_query_info (file,
                                       G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                                       G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                       G_FILE_ATTRIBUTE_TIME_MODIFIED,
                                       G_FILE_QUERY_INFO_NONE, NULL, &error);

  g_assert_no_error (error);
  return info;
}

static CsItem *
add (Fixture    *f,
     const char *name,
     int         side,
     guint64     mtime)
{
  g_autoptr(GFile) file = write_image (f, name, side, mtime);
  g_autoptr(GFileInfo) info = query (file);

  return cs_grid_model_add (f->model, file, info);
}

/* The names in the store, in order, joined by spaces. */
static char *
names (Fixture *f)
{
  GListModel *items = cs_grid_model_get_items (f->model);
  GString *string = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      g_string_append_printf (string, "%s%s", i ? " " : "", cs_item_get_name (item));
    }

  return g_string_free (string, FALSE);
}

static goffset
file_size (Fixture    *f,
           const char *name)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = query (file);

  return g_file_info_get_size (info);
}

static void
test_sorted (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *by_name = NULL;
  g_autofree char *by_date = NULL;
  g_autofree char *by_size = NULL;

  add (f, "b.png", 2, 3000);
  add (f, "c.png", 200, 1000);
  add (f, "a.png", 40, 2000);
  g_assert_cmpuint (cs_grid_model_get_n_found (f->model), ==, 3);
  /* Found, not yet shown. */
  g_assert_cmpuint (g_list_model_get_n_items (cs_grid_model_get_items (f->model)), ==, 0);

  cs_grid_model_flush (f->model);
  by_name = names (f);
  g_assert_cmpstr (by_name, ==, "a.png b.png c.png");

  cs_grid_model_set_sort_order (f->model, CS_SORT_DATE);
  by_date = names (f);
  g_assert_cmpstr (by_date, ==, "b.png a.png c.png");

  /* Largest first, by the files' sizes as written. */
  cs_grid_model_set_sort_order (f->model, CS_SORT_SIZE);
  by_size = names (f);
  g_assert_cmpuint (file_size (f, "c.png"), >, file_size (f, "a.png"));
  g_assert_cmpuint (file_size (f, "a.png"), >, file_size (f, "b.png"));
  g_assert_cmpstr (by_size, ==, "c.png a.png b.png");
}

/* The first images join at once, a few at a time while the grid has
 * fewer than it keeps cells for. */
static gboolean
has_items (gpointer data)
{
  Fixture *f = data;

  return g_list_model_get_n_items (cs_grid_model_get_items (f->model)) > 0;
}

static void
test_first_burst (Fixture       *f,
                  gconstpointer  data)
{
  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *name = g_strdup_printf ("img-%03u.png", i);

      add (f, name, 4, 1000);
    }
  cs_grid_model_set_n_cells (f->model, 512);

  cs_test_wait_until (has_items, f, 5000);
  g_assert_cmpuint (g_list_model_get_n_items (cs_grid_model_get_items (f->model)), ==, 24);

  cs_grid_model_flush (f->model);
  g_assert_cmpuint (g_list_model_get_n_items (cs_grid_model_get_items (f->model)), ==, 60);
}

static void
on_items_changed (GListModel *items,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *f)
{
  f->n_changes++;
}

static gboolean
is_sorted (Fixture *f)
{
  GListModel *items = cs_grid_model_get_items (f->model);

  for (guint i = 1; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) a = g_list_model_get_item (items, i - 1);
      g_autoptr(CsItem) b = g_list_model_get_item (items, i);

      if (g_strcmp0 (cs_item_get_collate_key (a), cs_item_get_collate_key (b)) > 0)
        return FALSE;
    }

  return TRUE;
}

/* Images found later land all over the store, among cells shown and
 * beyond them: two splices at most, one before the last shown item and
 * one after it; one while searching. */
static void
test_few_changes (Fixture       *f,
                  gconstpointer  data)
{
  GListModel *items = cs_grid_model_get_items (f->model);
  g_autoptr(CsItem) shown = NULL;

  for (guint i = 0; i < 40; i += 2)
    {
      g_autofree char *name = g_strdup_printf ("img-%03u.png", i);

      add (f, name, 4, 1000);
    }
  cs_grid_model_flush (f->model);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 20);

  /* Cells show the items from 10 to 20. */
  for (guint i = 5; i < 10; i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      g_assert_cmpuint (cs_grid_model_show (f->model, item), ==, 1);
    }
  shown = g_list_model_get_item (items, 9);
  g_assert_cmpuint (cs_grid_model_show (f->model, shown), ==, 2);
  g_assert_cmpuint (cs_grid_model_hide (f->model, shown), ==, 1);

  for (guint i = 1; i < 40; i += 2)
    {
      g_autofree char *name = g_strdup_printf ("img-%03u.png", i);

      add (f, name, 4, 1000);
    }
  g_signal_connect (items, "items-changed", G_CALLBACK (on_items_changed), f);
  cs_grid_model_flush (f->model);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 40);
  g_assert_true (is_sorted (f));
  g_assert_cmpuint (f->n_changes, ==, 2);

  /* While searching: one. */
  cs_grid_model_set_search (f->model, "IMG");
  for (guint i = 0; i < 40; i += 4)
    {
      g_autofree char *name = g_strdup_printf ("img-%03u-b.png", i);

      add (f, name, 4, 1000);
    }
  f->n_changes = 0;
  cs_grid_model_flush (f->model);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 50);
  g_assert_cmpuint (f->n_changes, ==, 1);
  g_signal_handlers_disconnect_by_data (items, f);
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  CsItem *holiday = add (f, "Holiday.png", 4, 1000);
  CsItem *work = add (f, "work.png", 4, 1000);

  g_assert_true (cs_grid_model_matches (f->model, holiday));
  cs_grid_model_set_search (f->model, "HOLI");
  g_assert_true (cs_grid_model_matches (f->model, holiday));
  g_assert_false (cs_grid_model_matches (f->model, work));
  cs_grid_model_set_search (f->model, "");
  g_assert_true (cs_grid_model_matches (f->model, work));
}

static void
on_item_removed (CsGridModel *model,
                 CsItem      *item,
                 CsItem     **removed)
{
  *removed = item;
}

/* A file deleted leaves, one changed moves to where its new date puts it. */
static void
test_remove_update (Fixture       *f,
                    gconstpointer  data)
{
  CsItem *removed = NULL;
  CsItem *a = add (f, "a.png", 4, 1000);
  g_autoptr(CsItem) b = g_object_ref (add (f, "b.png", 4, 2000));
  g_autoptr(GFile) file_b = g_object_ref (cs_item_get_file (b));
  g_autoptr(GFile) file_a = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *left = NULL;

  add (f, "c.png", 4, 3000);
  cs_grid_model_set_sort_order (f->model, CS_SORT_DATE);
  cs_grid_model_flush (f->model);
  before = names (f);
  g_assert_cmpstr (before, ==, "c.png b.png a.png");

  /* The same file again is the same item. */
  file_a = g_object_ref (cs_item_get_file (a));
  g_assert_true (cs_grid_model_add (f->model, file_a, NULL) == a);

  g_file_set_attribute_uint64 (file_a, G_FILE_ATTRIBUTE_TIME_MODIFIED, 4000,
                               G_FILE_QUERY_INFO_NONE, NULL, NULL);
  info = query (file_a);
  g_assert_true (cs_grid_model_update (f->model, file_a, info) == a);
  cs_grid_model_flush (f->model);
  after = names (f);
  g_assert_cmpstr (after, ==, "a.png c.png b.png");

  g_signal_connect (f->model, "item-removed", G_CALLBACK (on_item_removed), &removed);
  g_assert_true (cs_grid_model_contains (f->model, b));
  cs_grid_model_remove (f->model, file_b);
  g_assert_true (removed == b);
  g_assert_false (cs_grid_model_contains (f->model, b));
  left = names (f);
  g_assert_cmpstr (left, ==, "a.png c.png");
  g_assert_cmpuint (cs_grid_model_get_n_found (f->model), ==, 2);

  cs_grid_model_clear (f->model);
  g_assert_cmpuint (g_list_model_get_n_items (cs_grid_model_get_items (f->model)), ==, 0);
  g_assert_cmpuint (cs_grid_model_get_n_found (f->model), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/grid-model/sorted", Fixture, NULL, fixture_setup, test_sorted, fixture_teardown);
  g_test_add ("/grid-model/first-burst", Fixture, NULL, fixture_setup, test_first_burst, fixture_teardown);
  g_test_add ("/grid-model/few-changes", Fixture, NULL, fixture_setup, test_few_changes, fixture_teardown);
  g_test_add ("/grid-model/search", Fixture, NULL, fixture_setup, test_search, fixture_teardown);
  g_test_add ("/grid-model/remove-update", Fixture, NULL, fixture_setup, test_remove_update, fixture_teardown);

  return g_test_run ();
}
