/* test-sheet-entries.c: the grid's images as a contact sheet's cells
 *
 * A grid whose thumbnails are not made yet (the batch still running, or
 * stopped) must still become a whole sheet: every cell its thumbnail, made
 * there and then, in the grid's order; a failed image keeps the grid's
 * reason. And the dialog's sort is the grid's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "cs-sheet-entries.h"
#include "cs-test-images.h"
#include "cs-test-util.h"

#define N_IMAGES 6

typedef struct
{
  char       *dir;
  GListStore *items;
} Fixture;

/* The whole program's XDG_CACHE_HOME: GLib reads it once. */
static char *cache_dir;

static CsItem *
add_item (Fixture    *f,
          const char *name,
          guint       pattern,
          guint64     mtime)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsItem) item = NULL;

  /* Sizes that grow with the pattern: the size order is known. */
  g_assert_true (cs_test_write_image (path, 40 + 10 * pattern, 30, "png", pattern, &error));
  g_assert_no_error (error);
  g_file_set_attribute_uint64 (file, G_FILE_ATTRIBUTE_TIME_MODIFIED, mtime, G_FILE_QUERY_INFO_NONE, NULL, &error);
  g_assert_no_error (error);
  info = g_file_query_info (file,
                            G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                            G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                            G_FILE_ATTRIBUTE_TIME_MODIFIED,
                            G_FILE_QUERY_INFO_NONE, NULL, &error);
  g_assert_no_error (error);

  item = cs_item_new (file, info);
  g_list_store_append (f->items, item);
  return item;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = cs_test_make_dir ();
  f->items = g_list_store_new (CS_TYPE_ITEM);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->items);
  cs_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
on_collected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static GPtrArray *
collect (Fixture *f)
{
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_cache (CS_FLAVOR_NORMAL, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *entries;

  cs_sheet_entries_collect_async (G_LIST_MODEL (f->items), thumbnailer, NULL, on_collected, &result);
  cs_test_wait_until (is_set, &result, 30000);
  entries = cs_sheet_entries_collect_finish (result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entries);

  return entries;
}

static const char *
entry_name (GPtrArray *entries,
            guint      i)
{
  return cs_sheet_entry_get_display_name (g_ptr_array_index (entries, i));
}

/* In the grid's order (not the names'): pending and stopped ones made now,
 * the failed one with the grid's reason. */
static void
test_pending (Fixture       *f,
              gconstpointer  data)
{
  const char *names[N_IMAGES] = { "f.png", "a.png", "e.png", "b.png", "d.png", "c.png" };
  g_autoptr(GPtrArray) entries = NULL;

  for (guint i = 0; i < N_IMAGES; i++)
    {
      CsItem *item = add_item (f, names[i], i, 1000000 + i);

      if (i == 2)
        cs_item_set_failed (item, "The grid's reason");
      else if (i == 4)
        cs_item_set_not_made (item);
    }

  entries = collect (f);
  g_assert_cmpuint (entries->len, ==, N_IMAGES);
  for (guint i = 0; i < N_IMAGES; i++)
    {
      CsSheetEntry *entry = g_ptr_array_index (entries, i);
      const char *thumbnail = cs_sheet_entry_get_thumbnail_path (entry);

      g_assert_cmpstr (entry_name (entries, i), ==, names[i]);
      if (i == 2)
        {
          g_assert_cmpstr (cs_sheet_entry_get_error (entry), ==, "The grid's reason");
          continue;
        }
      g_assert_null (cs_sheet_entry_get_error (entry));
      g_assert_nonnull (thumbnail);
      g_assert_true (g_str_has_prefix (thumbnail, cache_dir));
      g_assert_true (g_file_test (thumbnail, G_FILE_TEST_IS_REGULAR));
      g_assert_cmpint (cs_sheet_entry_get_image_width (entry), ==, 40 + 10 * i);
      g_assert_cmpint (cs_sheet_entry_get_image_height (entry), ==, 30);
    }
}

static void
assert_order (GPtrArray  *entries,
              const char *expected)
{
  g_autoptr(GString) order = g_string_new (NULL);

  for (guint i = 0; i < entries->len; i++)
    g_string_append_c (order, entry_name (entries, i)[0]);
  g_assert_cmpstr (order->str, ==, expected);
}

/* Name, newest first, largest first: as the grid sorts. */
static void
test_sort (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = NULL;

  add_item (f, "b.png", 0, 3000000);
  add_item (f, "c.png", 2, 1000000);
  add_item (f, "a.png", 1, 2000000);

  entries = collect (f);
  assert_order (entries, "bca");
  cs_sheet_entries_sort (entries, CS_SORT_NAME);
  assert_order (entries, "abc");
  cs_sheet_entries_sort (entries, CS_SORT_DATE);
  assert_order (entries, "bac");
  cs_sheet_entries_sort (entries, CS_SORT_SIZE);
  assert_order (entries, "cab");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  cache_dir = cs_test_isolate_cache ();

  g_test_add ("/sheet-entries/pending", Fixture, NULL, fixture_setup, test_pending, fixture_teardown);
  g_test_add ("/sheet-entries/sort", Fixture, NULL, fixture_setup, test_sort, fixture_teardown);

  status = g_test_run ();
  cs_test_remove_tree (cache_dir);
  g_free (cache_dir);

  return status;
}
