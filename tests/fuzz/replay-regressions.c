/* replay-regressions.c: the fuzz harness, without libFuzzer
 *
 * Feeds each file of the folders (or the files) given on the command line
 * to LLVMFuzzerTestOneInput(), one test case per file, so that every input
 * the fuzzer ever broke us with keeps being tried by a normal build.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <stdio.h>

#include "cs-fuzz.h"

static void
replay (gconstpointer data)
{
  const char *path = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, len);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static void
add_path (GPtrArray  *paths,
          const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  /* regressions/system/ exists only once a system decoder was caught. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (paths, g_strdup (path));
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      /* Notes about the files live beside them. */
      if (name[0] == '.' || g_str_has_suffix (name, ".md"))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (paths, g_steal_pointer (&child));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);
  LLVMFuzzerInitialize (&argc, &argv);

  for (int i = 1; i < argc; i++)
    add_path (paths, argv[i]);
  g_ptr_array_sort (paths, compare_names);

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *name = g_strdup_printf ("/fuzz/replay/%s", base);

      g_test_add_data_func (name, path, replay);
    }

  if (paths->len == 0)
    {
      fprintf (stderr, "usage: %s FOLDER-OR-FILE...\n", argv[0]);
      return 2;
    }

  return g_test_run ();
}
