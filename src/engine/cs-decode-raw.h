/* cs-decode-raw.h: camera RAW thumbnails through LibRaw
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

gboolean   cs_raw_is_candidate (const char    *type_hint);

GdkPixbuf *cs_raw_decode       (int            fd,
                                const char    *type_hint,
                                guint          size,
                                guint64        max_pixels,
                                gboolean      *handled,
                                char         **mime_type,
                                int           *image_width,
                                int           *image_height,
                                GCancellable  *cancellable,
                                GError       **error);

G_END_DECLS
