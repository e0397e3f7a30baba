/* cs-decoder-client.h: decoding in helper processes, the worker's side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/* What a worker asks of the decoder: the same as cs_decode_fd(), bounded. */
typedef struct
{
  guint    size;
  guint64  max_pixels;
  guint    timeout_ms;     /* 0: no limit */
  guint64  memory_limit;   /* bytes of address space; 0: no limit */
  gboolean background;     /* run the helper at a lower CPU priority */
} CsDecodeLimits;

const char *cs_decoder_get_helper_path (void);
GdkPixbuf  *cs_decoder_decode          (int                    fd,
                                        const char            *type_hint,
                                        const CsDecodeLimits  *limits,
                                        char                 **mime_type,
                                        int                   *image_width,
                                        int                   *image_height,
                                        GCancellable          *cancellable,
                                        GError               **error);

G_END_DECLS
