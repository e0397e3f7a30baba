/* cs-test-raw.h: DNG files made by code, for the RAW tests and bench
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/* The colours of the four quarters of every picture in a test DNG, as
 * stored (before the orientation): top left, top right, bottom left,
 * bottom right. The small preview has its own, so that a thumbnail says
 * which of the pictures it was made from. */
#define CS_TEST_RAW_N_QUARTERS 4
extern const guint32 cs_test_raw_preview_colors[CS_TEST_RAW_N_QUARTERS];
extern const guint32 cs_test_raw_small_colors[CS_TEST_RAW_N_QUARTERS];
extern const guint32 cs_test_raw_sensor_colors[CS_TEST_RAW_N_QUARTERS];

typedef struct
{
  int   width;           /* the sensor's (CFA) size */
  int   height;
  guint orientation;     /* EXIF's 1-8 */
  int   preview_width;   /* the large JPEG preview, in a SubIFD; 0: none */
  int   small_width;     /* the small JPEG preview, in IFD0; 0: none */
  int   claim_width;     /* the size the sensor's IFD claims; 0: its own */
  int   claim_height;
} CsTestDng;

GdkPixbuf *cs_test_raw_make_quarters (int             width,
                                      int             height,
                                      const guint32  *colors);
GBytes    *cs_test_raw_make_dng      (const CsTestDng *dng,
                                      GError         **error);
gboolean   cs_test_raw_write_dng     (const char      *path,
                                      const CsTestDng *dng,
                                      GError         **error);

G_END_DECLS
