/* stress-make-folder.c: writes the heavy folder for stress-quit.sh
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>

#include "stress-folder.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  guint64 count = 0;

  if (argc != 3 || !g_ascii_string_to_unsigned (argv[2], 10, 1, 100000, &count, NULL))
    {
      fprintf (stderr, "usage: %s FOLDER COUNT\n", argv[0]);
      return 2;
    }

  if (!cs_stress_make_heavy_folder (argv[1], count, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }

  return 0;
}
