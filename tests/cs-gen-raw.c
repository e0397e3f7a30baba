/* cs-gen-raw.c: writes DNG files like a camera's, for the RAW tests and bench
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>

#include "cs-test-raw.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  guint64 values[5];
  CsTestDng dng = { 0 };

  if (argc != 7)
    {
      fprintf (stderr, "usage: %s OUT.dng WIDTH HEIGHT ORIENTATION PREVIEW_WIDTH SMALL_WIDTH\n"
               "(a preview width of 0 leaves that preview out)\n", argv[0]);
      return 2;
    }

  for (int i = 0; i < 5; i++)
    if (!g_ascii_string_to_unsigned (argv[i + 2], 10, i == 2 ? 1 : 0, i == 2 ? 8 : 60000,
                                     &values[i], &error))
      {
        fprintf (stderr, "%s: %s\n", argv[i + 2], error->message);
        return 2;
      }

  dng.width = values[0];
  dng.height = values[1];
  dng.orientation = values[2];
  dng.preview_width = values[3];
  dng.small_width = values[4];

  if (!cs_test_raw_write_dng (argv[1], &dng, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[1], error->message);
      return 1;
    }

  return 0;
}
