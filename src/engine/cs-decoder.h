/* cs-decoder.h: decoding in helper processes
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

typedef struct _CsDecodeRequest CsDecodeRequest;

/* The wire format between a worker and its helper (one socket, in order):
 * the request with the file descriptor attached, then the reply with its
 * strings and pixels after it. */
typedef struct
{
  guint32 magic;
  guint32 size;
  guint64 max_pixels;
  char    type_hint[64];   /* the type the name suggests, or "" */
} CsDecoderRequestHeader;

typedef struct
{
  guint32 magic;
  gint32  domain;          /* 0: ok; 1: CS_THUMB_ERROR; 2: G_IO_ERROR */
  gint32  code;
  gint32  width;
  gint32  height;
  gint32  rowstride;
  gint32  has_alpha;
  gint32  image_width;
  gint32  image_height;
  guint32 mime_len;
  guint32 message_len;
  guint32 sandbox;         /* CS_DECODER_SANDBOX_* */
  guint64 data_len;
} CsDecoderReplyHeader;

#define CS_DECODER_MAGIC 0x43534431u   /* "CSD1" */

/* What confines the helper (src/decoder/cs-sandbox.c): the Landlock ABI it
 * enforces (0: none) and whether its seccomp filter is in place. */
#define CS_DECODER_SANDBOX_LANDLOCK_ABI 0xffu
#define CS_DECODER_SANDBOX_SECCOMP      (1u << 8)
/* The newest Landlock ABI whose rights the helper asks for. */
#define CS_LANDLOCK_ABI_KNOWN           7u

const char *cs_decoder_get_helper_path (void);
GdkPixbuf  *cs_decoder_decode          (int                    fd,
                                        const char            *type_hint,
                                        const CsDecodeLimits  *limits,
                                        char                 **mime_type,
                                        int                   *image_width,
                                        int                   *image_height,
                                        GCancellable          *cancellable,
                                        GError               **error);
int         cs_decoder_serve           (int                    socket_fd,
                                        guint32                sandbox);

G_END_DECLS
