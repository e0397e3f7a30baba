/* stress-folder.c: a folder that takes long to thumbnail, made quickly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "stress-folder.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "cs-test-images.h"

#define N_IMAGES 4

/* A few large PNGs (PNG has no reduced-size decoding) under @n_files names,
 * hard links of each other: every name is a full decode. */
gboolean
cs_stress_make_heavy_folder (const char  *folder,
                             guint        n_files,
                             GError     **error)
{
  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: %s", folder, g_strerror (saved_errno));
      return FALSE;
    }

  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/img-%04u.png", folder, i);
      g_autofree char *source = NULL;

      if (i < N_IMAGES)
        {
          if (!cs_test_write_image (path, 1600, 1200, "png", i, error))
            return FALSE;
          continue;
        }

      source = g_strdup_printf ("%s/img-%04u.png", folder, i % N_IMAGES);
      if (link (source, path) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       "%s: %s", path, g_strerror (saved_errno));
          return FALSE;
        }
    }

  return TRUE;
}
