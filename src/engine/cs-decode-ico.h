/* cs-decode-ico.h: icons whose largest image is a PNG, through our PNG path
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

GdkPixbuf *cs_ico_decode (int            fd,
                          guint          size,
                          guint64        max_pixels,
                          gboolean      *handled,
                          int           *image_width,
                          int           *image_height,
                          GCancellable  *cancellable,
                          GError       **error);

G_END_DECLS
