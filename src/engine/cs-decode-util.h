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

guint64     cs_decode_get_duration_ms (GdkPixbuf *pixbuf);
void        cs_decode_set_duration_ms (GdkPixbuf *pixbuf,
                                       guint64    duration_ms);
GdkPixbuf  *cs_decode_fit_to_size   (GdkPixbuf  *pixbuf,
                                     guint       size);
const char *cs_decode_nameless_type (int         fd,
                                     const char *type_hint);

/* The file a decoder reads, and how reading it ended: a decoder that
 * stops short gives an error, never the rows that came with grey below. */
typedef struct
{
  int           fd;
  GCancellable *cancellable;
  int           read_errno;    /* the read that failed, or 0 */
  gboolean      ended_early;   /* the file ended before the image did */
  gboolean      limited;       /* the image is a part of the file (an icon's)... */
  guint64       remaining;     /* ...of which this much is left to read */
} CsDecodeInput;

gssize   cs_decode_input_read      (CsDecodeInput        *input,
                                    void                 *buffer,
                                    gsize                 len);
gboolean cs_decode_input_rewind    (CsDecodeInput        *input,
                                    goffset               offset);
gboolean cs_decode_input_set_error (const CsDecodeInput  *input,
                                    GError              **error);

/* A decode that needs a whole-image buffer of at least this many bytes (a
 * progressive JPEG's coefficients) waits for its turn. */
#define CS_DECODE_BIG_BUFFER (32u << 20)

gboolean cs_decode_begin_big_buffer (guint64       bytes,
                                     GCancellable *cancellable);
void     cs_decode_end_big_buffer   (void);
void     cs_decode_share_big_buffer_turns (int fd);
void     cs_decode_return_big_buffers     (void);

G_END_DECLS
