/* cs-decoder-protocol.c: a request and its file over the helper's socket
 *
 * The client sends (cs-decoder-client.c), the helper receives
 * (src/decoder/cs-decoder-serve.c); the file travels as an SCM_RIGHTS
 * message next to the header.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-decoder"

#include "config.h"

#include "cs-decoder-protocol.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

/* Room for one descriptor, aligned as the kernel wants it. */
typedef union
{
  char            buf[CMSG_SPACE (sizeof (int))];
  struct cmsghdr  align;
} Control;

static void
message_init (struct msghdr *msg,
              struct iovec  *iov,
              Control       *control)
{
  memset (msg, 0, sizeof *msg);
  memset (control, 0, sizeof *control);
  msg->msg_iov = iov;
  msg->msg_iovlen = 1;
  msg->msg_control = control->buf;
  msg->msg_controllen = sizeof control->buf;
}

/**
 * cs_decoder_send_request:
 * @fd: the file to decode, which the helper gets a copy of
 *
 * Returns: whether the whole request went out
 */
gboolean
cs_decoder_send_request (int                           socket_fd,
                         const CsDecoderRequestHeader *header,
                         int                           fd)
{
  struct iovec iov = { (void *) header, sizeof *header };
  Control control;
  struct msghdr msg;
  struct cmsghdr *cmsg;

  message_init (&msg, &iov, &control);
  cmsg = CMSG_FIRSTHDR (&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &fd, sizeof (int));

  for (;;)
    {
      ssize_t n = sendmsg (socket_fd, &msg, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      return n == (ssize_t) sizeof *header;
    }
}

/**
 * cs_decoder_receive_request:
 *
 * Returns: the file sent with @header, or -1 when the socket closed or
 *   what came is no request
 */
int
cs_decoder_receive_request (int                     socket_fd,
                            CsDecoderRequestHeader *header)
{
  struct iovec iov = { header, sizeof *header };
  Control control;
  struct msghdr msg;
  struct cmsghdr *cmsg;
  ssize_t n;
  int fd = -1;

  message_init (&msg, &iov, &control);

  do
    n = recvmsg (socket_fd, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);

  if (n != (ssize_t) sizeof *header || header->magic != CS_DECODER_MAGIC)
    return -1;

  for (cmsg = CMSG_FIRSTHDR (&msg); cmsg != NULL; cmsg = CMSG_NXTHDR (&msg, cmsg))
    if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
      memcpy (&fd, CMSG_DATA (cmsg), sizeof (int));

  return fd;
}
