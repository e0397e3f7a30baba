/* cs-decode.h: bytes in, a thumbnail-sized, upright pixbuf out
 *
 * The one place that runs image decoders in this process or the helper's.
 * It runs in a helper process (contact-sheet-decoder) so that a decoder
 * that crashes, hangs or balloons costs one file, not the app; see
 * cs-decoder.h. (glycin's loaders run in processes of their own; see
 * cs-decode-glycin.h.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

GdkPixbuf *cs_decode_fd (int            fd,
                         const char    *type_hint,
                         guint          size,
                         guint64        max_pixels,
                         char         **mime_type,
                         int           *image_width,
                         int           *image_height,
                         GCancellable  *cancellable,
                         GError       **error);

void       cs_decode_return_big_buffers (void);

G_END_DECLS
