/* cs-decode.h: bytes in, a thumbnail-sized, upright pixbuf out
 *
 * Decoding in this process, whichever process that is: the app's workers
 * call it through the decoder helper (contact-sheet-decoder, see
 * cs-decoder-client.h), so that a decoder that crashes, hangs or balloons
 * costs one file, not the app; the helper calls it for each file it gets.
 * (glycin's loaders run in processes of their own; see cs-decode-glycin.h.)
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

G_END_DECLS
