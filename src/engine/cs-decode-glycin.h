/* cs-decode-glycin.h: decoding through glycin's sandboxed loaders, from this process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

GdkPixbuf *cs_decode_glycin (int            fd,
                             const char    *type_hint,
                             guint          size,
                             guint64        max_pixels,
                             guint          timeout_ms,
                             guint64        memory_limit,
                             char         **mime_type,
                             int           *image_width,
                             int           *image_height,
                             GCancellable  *cancellable,
                             GError       **error);

G_END_DECLS
