/* cs-decode-video.h: a video's thumbnail, one representative frame through GStreamer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

const char *cs_video_sniff   (int            fd,
                              const char    *type_hint);
GdkPixbuf  *cs_video_decode  (int            fd,
                              guint          size,
                              guint64        max_pixels,
                              int           *image_width,
                              int           *image_height,
                              double        *duration,
                              GCancellable  *cancellable,
                              GError       **error);
void        cs_video_prepare (void);
void        cs_video_preload (void);

G_END_DECLS
