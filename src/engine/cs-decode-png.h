/* cs-decode-png.h: PNG thumbnails straight from libpng, scaled while they are read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

GdkPixbuf *cs_png_decode (int            fd,
                          guint          size,
                          guint64        max_pixels,
                          gboolean      *handled,
                          int           *image_width,
                          int           *image_height,
                          GCancellable  *cancellable,
                          GError       **error);

GdkPixbuf *cs_png_decode_part (int            fd,
                               guint64        length,
                               guint          size,
                               guint64        max_pixels,
                               gboolean      *handled,
                               int           *image_width,
                               int           *image_height,
                               GCancellable  *cancellable,
                               GError       **error);

G_END_DECLS
