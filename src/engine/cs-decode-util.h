/* cs-decode-util.h: what every decoder of this process shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

void cs_fit_dimensions (int    width,
                        int    height,
                        guint  size,
                        int   *fit_width,
                        int   *fit_height);

GdkPixbuf  *cs_decode_fit_to_size   (GdkPixbuf  *pixbuf,
                                     guint       size);
const char *cs_decode_nameless_type (int         fd,
                                     const char *type_hint);

/* A decode that needs a whole-image buffer of at least this many bytes (a
 * progressive JPEG's coefficients) waits for its turn. */
#define CS_DECODE_BIG_BUFFER (32u << 20)

gboolean cs_decode_begin_big_buffer (guint64       bytes,
                                     GCancellable *cancellable);
void     cs_decode_end_big_buffer   (void);
void     cs_decode_share_big_buffer_turns (int fd);
void     cs_decode_return_big_buffers     (void);

G_END_DECLS
