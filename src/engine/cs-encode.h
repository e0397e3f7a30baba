/* cs-encode.h: thumbnails encoded as PNG or JPEG in this process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

GBytes *cs_encode_png  (GdkPixbuf          *pixbuf,
                        const char * const *keys,
                        const char * const *values,
                        GError            **error);

GBytes *cs_encode_jpeg (GdkPixbuf          *pixbuf,
                        int                 quality,
                        GError            **error);

G_END_DECLS
