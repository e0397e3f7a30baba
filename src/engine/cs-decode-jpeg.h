/* cs-decode-jpeg.h: JPEG thumbnails straight from libjpeg-turbo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

GdkPixbuf *cs_jpeg_decode (int            fd,
                           guint          size,
                           guint64        max_pixels,
                           gboolean      *handled,
                           int           *image_width,
                           int           *image_height,
                           GCancellable  *cancellable,
                           GError       **error);

GdkPixbuf *cs_jpeg_decode_memory (const guint8  *data,
                                  gsize          len,
                                  guint          size,
                                  guint64        max_pixels,
                                  gboolean      *handled,
                                  int           *image_width,
                                  int           *image_height,
                                  GCancellable  *cancellable,
                                  GError       **error);

G_END_DECLS
