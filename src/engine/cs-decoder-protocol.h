/* cs-decoder-protocol.h: what the decoder helper and its client agree on
 *
 * The helper (src/decoder/) and the client that starts it and talks to it
 * (cs-decoder-client.c) share one socket, in order: the request with the
 * file descriptor attached, then the reply with its strings and pixels
 * after it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The descriptors the helper finds its socket on, and the file through
 * which the helpers take turns with big buffers (cs-decode-util.c). */
#define CS_DECODER_SOCKET_FD 3
#define CS_DECODER_TURNS_FD  4

typedef struct
{
  guint32 magic;
  guint32 size;
  guint64 max_pixels;
  char    type_hint[64];   /* the type the name suggests, or "" */
} CsDecoderRequestHeader;

/* The reply's error domain. */
enum
{
  CS_DECODER_DOMAIN_NONE = 0,
  CS_DECODER_DOMAIN_THUMB = 1,   /* CS_THUMB_ERROR */
  CS_DECODER_DOMAIN_IO = 2,      /* G_IO_ERROR */
};

typedef struct
{
  guint32 magic;
  gint32  domain;          /* CS_DECODER_DOMAIN_* */
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
  guint64 duration_ms;     /* a video's length; 0 for a picture */
} CsDecoderReplyHeader;

#define CS_DECODER_MAGIC 0x43534432u   /* "CSD2" */

/* What confines the helper (src/decoder/cs-sandbox.c): the Landlock ABI it
 * enforces (0: none) and whether its seccomp filter is in place. */
#define CS_DECODER_SANDBOX_LANDLOCK_ABI 0xffu
#define CS_DECODER_SANDBOX_SECCOMP      (1u << 8)
/* The newest Landlock ABI whose rights the helper asks for. */
#define CS_LANDLOCK_ABI_KNOWN           7u

gboolean cs_decoder_send_request    (int                           socket_fd,
                                     const CsDecoderRequestHeader *header,
                                     int                           fd);
int      cs_decoder_receive_request (int                           socket_fd,
                                     CsDecoderRequestHeader       *header);

G_END_DECLS
