/* test-scan.c: asynchronous folder enumeration
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "cs-scan.h"
#include "cs-test-util.h"

typedef struct
{
  char       *dir;
  GPtrArray  *found;     /* "relative/name" */
  GPtrArray  *problems;  /* basenames */
  gboolean    done;
  GError     *error;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = cs_test_make_dir ();
  f->found = g_ptr_array_new_with_free_func (g_free);
  f->problems = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_ptr_array_unref (f->found);
  g_ptr_array_unref (f->problems);
  g_clear_error (&f->error);
  cs_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
touch (Fixture    *f,
       const char *relative)
{
  g_autofree char *path = g_build_filename (f->dir, relative, NULL);
  g_autofree char *folder = g_path_get_dirname (path);

  g_mkdir_with_parents (folder, 0755);
  g_assert_true (g_file_set_contents (path, "x", 1, NULL));
}

static void
on_found (CsScan     *scan,
          GFile      *file,
          const char *relative_dir,
          GFileInfo  *info,
          Fixture    *f)
{
  g_assert_true (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_TIME_MODIFIED));

  g_autofree char *name = g_file_get_basename (file);

  g_ptr_array_add (f->found, relative_dir[0] ? g_build_filename (relative_dir, name, NULL)
                                             : g_strdup (name));
}

static void
on_problem (CsScan       *scan,
            GFile        *file,
            const GError *error,
            Fixture      *f)
{
  g_test_message ("problem: %s", error->message);
  g_ptr_array_add (f->problems, g_file_get_basename (file));
}

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *f = user_data;

  cs_scan_run_finish (CS_SCAN (object), result, &f->error);
  f->done = TRUE;
}

static gboolean
is_done (gpointer data)
{
  return ((Fixture *) data)->done;
}

static int
compare (gconstpointer a,
         gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static char *
run_scan (Fixture      *f,
          const char   *root,
          gboolean      recursive,
          GCancellable *cancellable)
{
  g_autoptr(GFile) file = g_file_new_for_path (root);
  g_autoptr(CsScan) scan = cs_scan_new (file, recursive);
  GString *joined = g_string_new (NULL);

  f->done = FALSE;
  g_signal_connect (scan, "found", G_CALLBACK (on_found), f);
  g_signal_connect (scan, "problem", G_CALLBACK (on_problem), f);
  cs_scan_run_async (scan, cancellable, on_done, f);
  cs_test_wait_until (is_done, f, 10000);

  g_ptr_array_sort (f->found, compare);
  for (guint i = 0; i < f->found->len; i++)
    g_string_append_printf (joined, "%s%s", i ? " " : "", (char *) g_ptr_array_index (f->found, i));

  return g_string_free (joined, FALSE);
}

static void
test_images_only (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *seen = NULL;
  g_autofree char *folder_jpg = g_build_filename (f->dir, "folder.jpg", NULL);

  touch (f, "a.jpg");
  touch (f, "B.PNG");
  touch (f, "c.webp");
  touch (f, "notes.txt");
  touch (f, "a.thumb.jpg");
  touch (f, ".hidden.jpg");
  touch (f, "sub/deep.jpg");
  g_mkdir (folder_jpg, 0755);

  seen = run_scan (f, f->dir, FALSE, NULL);
  g_assert_no_error (f->error);
  /* A folder named like an image goes on, for the thumbnailer to refuse. */
  g_assert_cmpstr (seen, ==, "B.PNG a.jpg c.webp folder.jpg");
  g_assert_cmpuint (f->problems->len, ==, 0);
}

static void
test_recursive (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *seen = NULL;
  g_autofree char *link = g_build_filename (f->dir, "sub", "back-up", NULL);
  g_autofree char *again = g_build_filename (f->dir, "again", NULL);

  touch (f, "a.jpg");
  touch (f, "sub/b.jpg");
  touch (f, "sub/deeper/c.png");
  touch (f, ".hidden/d.jpg");
  /* A loop back to the root, and a second way into sub/. */
  g_assert_cmpint (symlink ("..", link), ==, 0);
  g_assert_cmpint (symlink ("sub", again), ==, 0);

  seen = run_scan (f, f->dir, TRUE, NULL);
  g_assert_no_error (f->error);
  g_assert_true (g_str_equal (seen, "a.jpg sub/b.jpg sub/deeper/c.png") ||
                 g_str_equal (seen, "a.jpg again/b.jpg again/deeper/c.png"));
  g_assert_cmpuint (f->problems->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->problems, 0), ==, "back-up");
}

static void
test_not_a_folder (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *file = g_build_filename (f->dir, "a.jpg", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing", NULL);
  g_autofree char *seen = NULL;

  touch (f, "a.jpg");
  g_free (run_scan (f, file, FALSE, NULL));
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  g_clear_error (&f->error);

  seen = run_scan (f, missing, FALSE, NULL);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *seen = NULL;

  touch (f, "a.jpg");
  g_cancellable_cancel (cancellable);
  seen = run_scan (f, f->dir, TRUE, cancellable);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_unreadable_subfolder (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *locked = g_build_filename (f->dir, "locked", NULL);
  g_autofree char *seen = NULL;

  if (geteuid () == 0)
    {
      g_test_skip ("root reads every folder; run as a user to test this");
      return;
    }

  touch (f, "a.jpg");
  touch (f, "locked/b.jpg");
  g_chmod (locked, 0);
  seen = run_scan (f, f->dir, TRUE, NULL);
  g_chmod (locked, 0755);

  g_assert_no_error (f->error);
  g_assert_cmpstr (seen, ==, "a.jpg");
  g_assert_cmpuint (f->problems->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/scan/images-only", test_images_only);
  ADD ("/scan/recursive", test_recursive);
  ADD ("/scan/not-a-folder", test_not_a_folder);
  ADD ("/scan/cancelled", test_cancelled);
  ADD ("/scan/unreadable-subfolder", test_unreadable_subfolder);

  return g_test_run ();
}
