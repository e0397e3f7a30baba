/* cs-decode-util.c: what every decoder of this process shares
 *
 * The sizes a thumbnail gets, the name's word on formats that have no
 * signature, reading the file, and the turns decodes take with buffers of
 * a whole image. The
 * format decoders (cs-decode-*.c) and the dispatch (cs-decode.c) stand on
 * it; it calls none of them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-decode"

#include "config.h"

#include "cs-decode-util.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <unistd.h>

#include "cs-error.h"

/* The longest side becomes @size, the aspect is kept, and no side is ever
 * 0 pixels (a 4000x3 image still gives a 1 pixel tall thumbnail). Every
 * decoder sizes its thumbnails with it, so that they agree to the pixel. */
void
cs_fit_dimensions (int    width,
                   int    height,
                   guint  size,
                   int   *fit_width,
                   int   *fit_height)
{
  if (width >= height)
    {
      *fit_width = size;
      *fit_height = MAX (1, (int) ((double) height * size / width + 0.5));
    }
  else
    {
      *fit_height = size;
      *fit_width = MAX (1, (int) ((double) width * size / height + 0.5));
    }
}

/* A video's length travels with its thumbnail as a pixbuf option, the way
 * GdkPixbuf's loaders hand on an "orientation": from the video decoder
 * through the helper's reply (cs-decoder-protocol.h) to the thumbnailer. */
#define DURATION_OPTION "contact-sheet::duration-ms"

/**
 * cs_decode_get_duration_ms:
 *
 * Returns: the length of the video @pixbuf was taken from, in
 *   milliseconds; 0 for a picture, or a video of unknown length
 */
guint64
cs_decode_get_duration_ms (GdkPixbuf *pixbuf)
{
  const char *value = gdk_pixbuf_get_option (pixbuf, DURATION_OPTION);

  return value != NULL ? g_ascii_strtoull (value, NULL, 10) : 0;
}

void
cs_decode_set_duration_ms (GdkPixbuf *pixbuf,
                           guint64    duration_ms)
{
  g_autofree char *value = NULL;

  if (duration_ms == 0)
    return;

  value = g_strdup_printf ("%" G_GUINT64_FORMAT, duration_ms);
  gdk_pixbuf_set_option (pixbuf, DURATION_OPTION, value);
}

/**
 * cs_decode_fit_to_size:
 *
 * A decoder that can hands back exactly the size asked for; this only
 * scales what it could not (most GdkPixbuf loaders ignore the hint), with a
 * filter that averages rather than samples.
 *
 * Returns: (transfer full): @pixbuf, or a smaller copy
 */
GdkPixbuf *
cs_decode_fit_to_size (GdkPixbuf *pixbuf,
                       guint      size)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int new_width, new_height;

  if ((guint) MAX (width, height) <= size)
    return g_object_ref (pixbuf);

  cs_fit_dimensions (width, height, size, &new_width, &new_height);

  return gdk_pixbuf_scale_simple (pixbuf, new_width, new_height, GDK_INTERP_BILINEAR);
}

/**
 * cs_decode_nameless_type:
 * @fd: a regular file, looked at from its current offset (which stays)
 * @type_hint: (nullable): the type the file's name suggests
 *
 * GIO recognises formats by their content, and so do GdkPixbuf's loader
 * when it is given no type and glycin; XBM and TGA files have no signature
 * to see, and only their name tells them apart. The name's type is used
 * for those two only, and only when the content looks like no image at
 * all, so that a file's name never overrules what its bytes are.
 *
 * Returns: (nullable): @type_hint when the decoder should take the name's
 *   word for it
 */
const char *
cs_decode_nameless_type (int         fd,
                         const char *type_hint)
{
  static const char * const nameless[] = { "image/x-xbitmap", "image/x-tga", NULL };
  g_autofree char *content_type = NULL;
  guint8 head[4096];
  off_t offset;
  ssize_t n;

  if (type_hint == NULL || !g_strv_contains (nameless, type_hint))
    return NULL;

  offset = lseek (fd, 0, SEEK_CUR);
  n = offset < 0 ? -1 : pread (fd, head, sizeof head, offset);
  if (n <= 0)
    return NULL;

  content_type = g_content_type_guess (NULL, head, n, NULL);
  if (g_str_has_prefix (content_type, "image/"))
    return NULL;

  return type_hint;
}

/**
 * cs_decode_input_read:
 *
 * read() from the input's file, again when a signal interrupts it, never
 * past the end of the part that is the image when it is limited; a
 * failure or the end is remembered for cs_decode_input_set_error().
 *
 * Returns: the bytes read, 0 at the end, -1 on failure
 */
gssize
cs_decode_input_read (CsDecodeInput *input,
                      void          *buffer,
                      gsize          len)
{
  gssize n;

  if (input->limited)
    len = MIN (len, input->remaining);

  do
    n = len > 0 ? read (input->fd, buffer, len) : 0;
  while (n < 0 && errno == EINTR);

  if (n < 0)
    input->read_errno = errno;
  else if (n == 0)
    input->ended_early = TRUE;
  else if (input->limited)
    input->remaining -= n;

  return n;
}

/* Back to @offset, for a decoder that leaves the file to another. */
gboolean
cs_decode_input_rewind (CsDecodeInput *input,
                        goffset        offset)
{
  if (lseek (input->fd, offset, SEEK_SET) == offset)
    return TRUE;

  input->read_errno = errno;
  return FALSE;
}

/* Sets @error when reading is why the decode failed. */
gboolean
cs_decode_input_set_error (const CsDecodeInput  *input,
                           GError              **error)
{
  if (input->read_errno != 0)
    cs_set_error_cannot_read (error, input->read_errno);
  else if (input->ended_early)
    cs_set_error_truncated (error);
  else
    return FALSE;

  return TRUE;
}

/* Turns for big buffers. Most decodes need a few megabytes, but a
 * progressive JPEG keeps every coefficient of the image until its last scan:
 * about 100 MB for 16 megapixels at full colour resolution. Two of those at
 * once would double a batch's peak, and every worker more adds another, so
 * such decodes take turns while the others go on. The threads of one
 * process take turns through a mutex; the helper processes of one app
 * through a POSIX record lock on a file they share, which the kernel lets
 * go when a helper dies. A decode that waited this long goes ahead anyway:
 * a hostile file that hangs while holding its turn costs the others time,
 * not their thumbnails. */
#define BIG_BUFFER_WAIT_US (2 * G_USEC_PER_SEC)
#define BIG_BUFFER_POLL_US 2000

static GMutex big_buffer_mutex;
static int big_buffer_fd = -1;

/**
 * cs_decode_return_big_buffers:
 *
 * For a process that decodes: glibc hands a freed buffer of 16 MiB or more
 * back to the system at once. Left to itself, it raises that threshold to
 * the size of the last big buffer freed and serves the next ones from its
 * heap, which then keeps the largest decode's memory resident for good.
 */
void
cs_decode_return_big_buffers (void)
{
#ifdef __GLIBC__
  mallopt (M_MMAP_THRESHOLD, 16 * 1024 * 1024);
#endif
}

/**
 * cs_decode_share_big_buffer_turns:
 * @fd: a regular file every helper process of the app holds
 *
 * Makes this process take its big-buffer turns with the others holding the
 * same file. Called once, before any decoding.
 */
void
cs_decode_share_big_buffer_turns (int fd)
{
  big_buffer_fd = fd;
}

static gboolean
lock_turn (short type)
{
  struct flock lock = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };

  return big_buffer_fd < 0 || fcntl (big_buffer_fd, F_SETLK, &lock) == 0;
}

/**
 * cs_decode_begin_big_buffer:
 * @bytes: how much the decode is about to allocate at once
 * @cancellable: (nullable): stops the wait
 *
 * Waits, for at most a couple of seconds, until no other decode of this
 * process or of the app's other helpers holds a buffer of
 * %CS_DECODE_BIG_BUFFER bytes or more. Buffers smaller than that need no
 * turn.
 *
 * Returns: whether the caller holds the turn, to be given back with
 *   cs_decode_end_big_buffer() when the buffer is freed
 */
gboolean
cs_decode_begin_big_buffer (guint64       bytes,
                            GCancellable *cancellable)
{
  gint64 deadline = g_get_monotonic_time () + BIG_BUFFER_WAIT_US;

  if (bytes < CS_DECODE_BIG_BUFFER)
    return FALSE;

  for (;;)
    {
      if (g_mutex_trylock (&big_buffer_mutex))
        {
          if (lock_turn (F_WRLCK))
            return TRUE;
          g_mutex_unlock (&big_buffer_mutex);
        }

      if (g_get_monotonic_time () >= deadline ||
          g_cancellable_is_cancelled (cancellable))
        return FALSE;
      g_usleep (BIG_BUFFER_POLL_US);
    }
}

/**
 * cs_decode_end_big_buffer:
 *
 * Gives back the turn that cs_decode_begin_big_buffer() gave.
 */
void
cs_decode_end_big_buffer (void)
{
  lock_turn (F_UNLCK);
  g_mutex_unlock (&big_buffer_mutex);
}

