/* cs-gen-images.c: writes the sample folder the README's run command opens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cs-test-images.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  guint64 count = 24;

  if (argc < 2 || argc > 3 ||
      (argc == 3 && !g_ascii_string_to_unsigned (argv[2], 10, 1, 1000000, &count, NULL)))
    {
      fprintf (stderr, "usage: %s FOLDER [COUNT]\n", argv[0]);
      return 2;
    }

  if (!cs_test_write_sample_folder (argv[1], count, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[1], error->message);
      return 1;
    }

  return 0;
}
