/* cs-test-decode.h: what the tests of the direct decoders share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

G_BEGIN_DECLS

/* The decoder helper's memory limit in the tests that prove a large image
 * is thumbnailed without ever being held whole (6000 x 4000, 96 MB as
 * GdkPixbuf would hold it). The limit is of address space, and much of
 * what the helper uses is the libraries it loads before it confines itself
 * (GdkPixbuf's loader modules, librsvg's and libheif's among them,
 * message catalogues, fontconfig's configuration; GStreamer stays out of
 * a helper this small): for this decode it peaks at 25 MiB on Debian 12 and
 * 34 MiB on GNOME 51's stack, where a limit of 32 MiB failed 5 runs in 40
 * under load. */
#define CS_TEST_SMALL_HELPER_MEMORY ((guint64) 64 * 1024 * 1024)

/* The signature of cs_jpeg_decode(), cs_png_decode() and cs_webp_decode(). */
typedef GdkPixbuf *(*CsTestDecodeFunc) (int            fd,
                                        guint          size,
                                        guint64        max_pixels,
                                        gboolean      *handled,
                                        int           *image_width,
                                        int           *image_height,
                                        GCancellable  *cancellable,
                                        GError       **error);

void cs_test_assert_cancelled_midway (CsTestDecodeFunc  decode,
                                      const guint8     *contents,
                                      gsize             len,
                                      gsize             first,
                                      guint             size);

void       cs_test_assert_sides     (GdkPixbuf *pixbuf,
                                     int        width,
                                     int        height);
void       cs_test_assert_identical (GdkPixbuf *a,
                                     GdkPixbuf *b);
double     cs_test_compare          (GdkPixbuf *a,
                                     GdkPixbuf *b,
                                     int       *largest);
GdkPixbuf *cs_test_make_noise       (int        width,
                                     int        height,
                                     gboolean   alpha);
GdkPixbuf *cs_test_box_average      (GdkPixbuf *source,
                                     int        width,
                                     int        height);
void       cs_test_expected_sides   (int        width,
                                     int        height,
                                     guint      size,
                                     int       *fit_width,
                                     int       *fit_height);

G_END_DECLS
