/* cs-decoder-serve.c: the decoder helper's side of the socket
 *
 * One request in (the header, with the file's descriptor attached), the
 * file decoded in this process (cs-decode.c), one reply out; the client is
 * src/engine/cs-decoder-client.c, the wire format cs-decoder-protocol.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "contact-sheet-decoder"

#include "config.h"

#include "cs-decoder-serve.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cs-decode.h"
#include "cs-decode-util.h"
#include "cs-decoder-protocol.h"
#include "cs-error.h"

static gboolean
write_all (int         fd,
           const void *buf,
           gsize       len)
{
  const guint8 *p = buf;

  while (len > 0)
    {
      ssize_t n = send (fd, p, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      len -= n;
    }

  return TRUE;
}

/**
 * cs_decoder_serve:
 * @socket_fd: the socket to the worker
 * @sandbox: what confines the helper (CS_DECODER_SANDBOX_*), for the
 *   worker to log
 *
 * The helper's main loop: one file in, one reply out, until the worker
 * closes the socket.
 *
 * Returns: the exit status
 */
int
cs_decoder_serve (int     socket_fd,
                  guint32 sandbox)
{
  struct stat st;

  if (fstat (CS_DECODER_TURNS_FD, &st) == 0 && S_ISREG (st.st_mode))
    cs_decode_share_big_buffer_turns (CS_DECODER_TURNS_FD);

  for (;;)
    {
      CsDecoderRequestHeader request;
      CsDecoderReplyHeader reply = { CS_DECODER_MAGIC, 0 };
      g_autoptr(GdkPixbuf) pixbuf = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *mime = NULL;
      const char *message = "";
      const guint8 *data = NULL;
      int image_width = 0, image_height = 0;
      int fd;

      reply.sandbox = sandbox;

      fd = cs_decoder_receive_request (socket_fd, &request);
      if (fd < 0)
        return 0;

      /* The hint is text from the other side: make sure it ends. */
      request.type_hint[sizeof request.type_hint - 1] = '\0';
      pixbuf = cs_decode_fd (fd, request.type_hint[0] ? request.type_hint : NULL,
                             request.size, request.max_pixels, &mime,
                             &image_width, &image_height, NULL, &error);
      close (fd);

      if (pixbuf != NULL)
        {
          reply.width = gdk_pixbuf_get_width (pixbuf);
          reply.height = gdk_pixbuf_get_height (pixbuf);
          reply.rowstride = gdk_pixbuf_get_rowstride (pixbuf);
          reply.has_alpha = gdk_pixbuf_get_has_alpha (pixbuf);
          reply.image_width = image_width;
          reply.image_height = image_height;
          reply.data_len = gdk_pixbuf_get_byte_length (pixbuf);
          data = gdk_pixbuf_read_pixels (pixbuf);
          reply.duration_ms = cs_decode_get_duration_ms (pixbuf);
        }
      else
        {
          reply.domain = error->domain == CS_THUMB_ERROR ? CS_DECODER_DOMAIN_THUMB : CS_DECODER_DOMAIN_IO;
          reply.code = error->domain == CS_THUMB_ERROR || error->domain == G_IO_ERROR
                       ? error->code : G_IO_ERROR_FAILED;
          message = error->message;
        }

      if (mime == NULL)
        mime = g_strdup ("");
      reply.mime_len = strlen (mime);
      reply.message_len = strlen (message);

      if (!write_all (socket_fd, &reply, sizeof reply) ||
          !write_all (socket_fd, mime, reply.mime_len) ||
          !write_all (socket_fd, message, reply.message_len) ||
          (reply.data_len > 0 && !write_all (socket_fd, data, reply.data_len)))
        return 1;
    }
}
