/* cs-test-images.h: images made by code, for tests and the sample folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

#define CS_TEST_NO_MARKER 1200

GdkPixbuf *cs_test_make_pixbuf     (int          width,
                                    int          height,
                                    guint        pattern,
                                    gboolean     alpha);
gboolean   cs_test_write_image     (const char  *path,
                                    int          width,
                                    int          height,
                                    const char  *format,
                                    guint        pattern,
                                    GError     **error);
gboolean   cs_test_write_jpeg_exif (const char  *path,
                                    int          width,
                                    int          height,
                                    guint        orientation,
                                    guint        pattern,
                                    GError     **error);
/* One image of an icon: its side, its colour, PNG or classic bitmap. */
typedef struct
{
  int      side;
  guint32  rgb;        /* 0xRRGGBB */
  gboolean png;
} CsTestIcoImage;

GByteArray *cs_test_make_ico       (const CsTestIcoImage *images,
                                    guint                 n_images);
gboolean   cs_test_write_sample_folder (const char *folder,
                                        guint       count,
                                        GError    **error);

G_END_DECLS
