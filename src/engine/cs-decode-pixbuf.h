/* cs-decode-pixbuf.h: any format GdkPixbuf's loaders read, sized while read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

GdkPixbuf *cs_decode_pixbuf (int            fd,
                             const char    *type_hint,
                             guint          size,
                             guint64        max_pixels,
                             char         **mime_type,
                             int           *image_width,
                             int           *image_height,
                             GCancellable  *cancellable,
                             GError       **error);

G_END_DECLS
