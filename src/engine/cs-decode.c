/* cs-decode.c: bytes in, a thumbnail-sized, upright pixbuf out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-decode"

#include "config.h"

#include "cs-decode.h"
#include "cs-decode-private.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <glib/gi18n-lib.h>
#include <unistd.h>

#include "cs-thumbnailer.h"
#if HAVE_LIBJPEG
#include "cs-jpeg.h"
#endif
#if HAVE_LIBPNG
#include "cs-png.h"
#endif
#if HAVE_LIBWEBP
#include "cs-webp.h"
#endif

#define HAVE_DIRECT_DECODERS (HAVE_LIBJPEG || HAVE_LIBPNG || HAVE_LIBWEBP)

#define READ_CHUNK (64 * 1024)

static GError *
error_from_errno (int         saved_errno,
                  const char *what)
{
  return g_error_new (G_IO_ERROR, g_io_error_from_errno (saved_errno),
                      "%s: %s", what, g_strerror (saved_errno));
}

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

typedef struct
{
  guint     size;
  guint64   max_pixels;
  int       image_width;
  int       image_height;
  gboolean  too_large;
} DecodeState;

/* Called once the loader knows the image's dimensions, before it allocates
 * anything of that size: this is where the pixel limit and the reduced-size
 * decode (JPEG DCT scaling, SVG rendering size) happen. */
static void
on_size_prepared (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         user_data)
{
  DecodeState *state = user_data;
  int longest;

  state->image_width = width;
  state->image_height = height;

  if (width <= 0 || height <= 0 ||
      (guint64) width * (guint64) height > state->max_pixels)
    {
      state->too_large = TRUE;
      /* A zero size makes the loaders stop before allocating. */
      gdk_pixbuf_loader_set_size (loader, 0, 0);
      return;
    }

  longest = MAX (width, height);
  /* Raster images are never enlarged; drawings (SVG) are drawn at the size. */
  if ((guint) longest <= state->size &&
      !gdk_pixbuf_format_is_scalable (gdk_pixbuf_loader_get_format (loader)))
    return;

  cs_fit_dimensions (width, height, state->size, &width, &height);
  gdk_pixbuf_loader_set_size (loader, width, height);
}

/* Keeps the first and the last bytes of the stream, for ends_early(). */
static void
remember_ends (const guint8 *data,
               gsize         len,
               guint8       *head,
               gsize        *head_len,
               guint8       *tail,
               gsize        *tail_len)
{
  gsize take = MIN (len, 64 - *head_len);
  gsize keep;

  memcpy (head + *head_len, data, take);
  *head_len += take;

  if (len >= 16)
    {
      memcpy (tail, data + len - 16, 16);
      *tail_len = 16;
      return;
    }

  keep = MIN (*tail_len, 16 - len);
  memmove (tail, tail + *tail_len - keep, keep);
  memcpy (tail + keep, data, len);
  *tail_len = keep + len;
}

static guint32
read_le32 (const guint8 *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24);
}

/* Some loaders hand back the rows they got from a file cut short, grey
 * below, and call it a success. Where the format says where it ends, check
 * that the file got there: a PNG closes with its IEND chunk, a BMP states
 * its size. (A JPEG may carry data after its end, so it cannot be judged
 * this way; a JPEG cut short shows grey where it stops, as elsewhere.) */
static gboolean
ends_early (GdkPixbufFormat *format,
            const guint8    *head,
            gsize            head_len,
            const guint8    *tail,
            gsize            tail_len,
            goffset          total)
{
  static const guint8 iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
  g_autofree char *name = format ? gdk_pixbuf_format_get_name (format) : NULL;

  if (g_strcmp0 (name, "png") == 0)
    return tail_len < sizeof iend || memcmp (tail + tail_len - sizeof iend, iend, sizeof iend) != 0;

  if (g_strcmp0 (name, "bmp") == 0 && head_len >= 6 && head[0] == 'B' && head[1] == 'M')
    return total < (goffset) read_le32 (head + 2);

  return FALSE;
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

static GdkPixbufLoader *
new_loader (int         fd,
            const char *type_hint)
{
  const char *nameless_type = cs_decode_nameless_type (fd, type_hint);
  GdkPixbufLoader *loader;

  if (nameless_type == NULL)
    return gdk_pixbuf_loader_new ();

  loader = gdk_pixbuf_loader_new_with_mime_type (nameless_type, NULL);
  return loader != NULL ? loader : gdk_pixbuf_loader_new ();
}

static GdkPixbuf *
decode_full (int            fd,
             const char    *type_hint,
             guint          size,
             guint64        max_pixels,
             char         **mime_type,
             int           *image_width,
             int           *image_height,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GdkPixbufLoader) loader = new_loader (fd, type_hint);
  g_autofree guint8 *buffer = g_malloc (READ_CHUNK);
  g_autoptr(GError) local_error = NULL;
  DecodeState state = { size, max_pixels, 0, 0, FALSE };
  GdkPixbufFormat *format;
  GdkPixbuf *pixbuf;
  const char *orientation;
  gboolean wrote_any = FALSE;
  gboolean wrote_all = TRUE;
  guint8 tail[16];
  gsize tail_len = 0;
  goffset total = 0;
  guint8 head[64];
  gsize head_len = 0;

  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &state);

  for (;;)
    {
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          gdk_pixbuf_loader_close (loader, NULL);
          return NULL;
        }

      n = read (fd, buffer, READ_CHUNK);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          gdk_pixbuf_loader_close (loader, NULL);
          g_propagate_error (error, error_from_errno (saved_errno, _("Cannot read")));
          return NULL;
        }
      if (n == 0)
        break;

      wrote_any = TRUE;
      remember_ends (buffer, n, head, &head_len, tail, &tail_len);
      total += n;
      if (!gdk_pixbuf_loader_write (loader, buffer, n, &local_error) || state.too_large)
        {
          wrote_all = FALSE;
          break;
        }
    }

  if (!wrote_any)
    {
      gdk_pixbuf_loader_close (loader, NULL);
      g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT,
                           _("File is empty"));
      return NULL;
    }

  /* The loader must always be closed; its verdict counts only when the data
   * went in cleanly. Small files only reach the size check inside close(),
   * so "too large" is looked at after it, before anything else. */
  if (local_error == NULL && !state.too_large)
    gdk_pixbuf_loader_close (loader, &local_error);
  else
    gdk_pixbuf_loader_close (loader, NULL);

  if (!state.too_large && local_error != NULL &&
      !g_error_matches (local_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE) &&
      wrote_all)
    {
      /* Every byte was accepted, yet the image is incomplete: its data
       * stops early. Say so; the loaders' own words here are cryptic. */
      g_clear_error (&local_error);
      g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT,
                           _("The image data is truncated or damaged"));
      return NULL;
    }

  if (state.too_large)
    {
      g_set_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_TOO_LARGE,
                   _("Image is too large (%d × %d pixels)"),
                   state.image_width, state.image_height);
      return NULL;
    }

  if (local_error != NULL)
    {
      if (g_error_matches (local_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE))
        g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_UNSUPPORTED,
                             _("Not an image, or a format no installed loader reads"));
      else if (g_error_matches (local_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_INSUFFICIENT_MEMORY))
        g_set_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_TOO_LARGE,
                     _("Image is too large to decode within the memory limit (%d × %d pixels)"),
                     state.image_width, state.image_height);
      else
        g_set_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT,
                     _("Cannot decode the image: %s"), local_error->message);
      return NULL;
    }

  if (ends_early (gdk_pixbuf_loader_get_format (loader), head, head_len, tail, tail_len, total))
    {
      g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT,
                           _("The image data is truncated or damaged"));
      return NULL;
    }

  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL)
    {
      g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT,
                           _("Cannot decode the image: no pixels in the file"));
      return NULL;
    }

  format = gdk_pixbuf_loader_get_format (loader);
  if (format != NULL)
    {
      g_auto(GStrv) mimes = gdk_pixbuf_format_get_mime_types (format);

      if (mimes != NULL && mimes[0] != NULL)
        *mime_type = g_strdup (mimes[0]);
    }

  /* Report the size as seen, after EXIF orientations 5-8 swap the sides. */
  orientation = gdk_pixbuf_get_option (pixbuf, "orientation");
  if (orientation != NULL && orientation[0] >= '5' && orientation[0] <= '8')
    {
      *image_width = state.image_height;
      *image_height = state.image_width;
    }
  else
    {
      *image_width = state.image_width;
      *image_height = state.image_height;
    }

  return gdk_pixbuf_apply_embedded_orientation (pixbuf);
}

/**
 * cs_decode_fit_to_size:
 *
 * The loader hands back exactly the size asked for; this only runs when it
 * could not (most loaders ignore the hint), with a filter that averages
 * rather than samples.
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

#if HAVE_DIRECT_DECODERS
/* The libjpeg path decodes at 1/8, 1/4 or 1/2 or takes the EXIF preview,
 * whose sides are rounded versions of the picture's: the thumbnail's sides
 * come from the picture itself, as they would from a full decode. (The
 * libpng and libwebp paths make them so already.) */
static GdkPixbuf *
fit_to_image (GdkPixbuf *pixbuf,
              int        image_width,
              int        image_height,
              guint      size)
{
  int width, height;

  if ((guint) MAX (image_width, image_height) <= size)
    return cs_decode_fit_to_size (pixbuf, size);

  cs_fit_dimensions (image_width, image_height, size, &width, &height);
  if (width == gdk_pixbuf_get_width (pixbuf) && height == gdk_pixbuf_get_height (pixbuf))
    return g_object_ref (pixbuf);

  return gdk_pixbuf_scale_simple (pixbuf, width, height, GDK_INTERP_BILINEAR);
}

/* Whether the file, from its offset, starts with @magic, where a '?'
 * stands for any byte (no signature here has a '?' of its own); the offset
 * stays. */
static gboolean
starts_with (int         fd,
             const char *magic)
{
  gsize len = strlen (magic);
  guint8 head[12];
  off_t offset = lseek (fd, 0, SEEK_CUR);

  g_assert (len <= sizeof head);

  if (offset < 0 || pread (fd, head, len, offset) != (ssize_t) len)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    if (head[i] != (guint8) magic[i] && magic[i] != '?')
      return FALSE;

  return TRUE;
}
#endif

#if HAVE_DIRECT_DECODERS
/* Formats decoded by their own library rather than GdkPixbuf, known by
 * their first bytes. Each decoder says whether it took the file. */
typedef struct
{
  const char    *magic;         /* for starts_with() */
  const char    *mime_type;
  GdkPixbuf   *(*decode) (int            fd,
                          guint          size,
                          guint64        max_pixels,
                          gboolean      *handled,
                          int           *image_width,
                          int           *image_height,
                          GCancellable  *cancellable,
                          GError       **error);
} DirectDecoder;

static const DirectDecoder direct_decoders[] = {
#if HAVE_LIBJPEG
  { "\xFF\xD8\xFF", "image/jpeg", cs_jpeg_decode },
#endif
#if HAVE_LIBPNG
  { "\x89PNG\r\n\x1A\n", "image/png", cs_png_decode },
#endif
#if HAVE_LIBWEBP
  /* A RIFF file of any size, of the WEBP kind. */
  { "RIFF????WEBP", "image/webp", cs_webp_decode },
#endif
};
#endif

/**
 * cs_decode_fd:
 * @fd: a regular file, read from its current offset
 * @type_hint: (nullable): the type the file's name suggests; see new_loader()
 * @size: the longest side of the result
 * @mime_type: (out): the format found in the content
 * @image_width: (out): the image's width as seen (after orientation)
 * @image_height: (out): its height
 *
 * Decodes at reduced size where the format allows, refuses images over
 * @max_pixels before allocating them, applies the EXIF orientation and
 * scales with an averaging filter. Built with glycin, what no direct
 * decoder takes is refused with %CS_THUMB_ERROR_NOT_DIRECT, for
 * cs_decode_glycin().
 */
GdkPixbuf *
cs_decode_fd (int            fd,
              const char    *type_hint,
              guint          size,
              guint64        max_pixels,
              char         **mime_type,
              int           *image_width,
              int           *image_height,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GdkPixbuf) decoded = NULL;

#if HAVE_DIRECT_DECODERS
  for (gsize i = 0; i < G_N_ELEMENTS (direct_decoders); i++)
    {
      const DirectDecoder *direct = &direct_decoders[i];
      gboolean handled;

      if (!starts_with (fd, direct->magic))
        continue;

      /* A file the library leaves alone (a CMYK JPEG, an interlaced PNG,
       * an animated WebP) is back at its offset, for GdkPixbuf or glycin. */
      decoded = direct->decode (fd, size, max_pixels, &handled, image_width, image_height,
                                cancellable, error);
      if (!handled)
        break;
      if (decoded == NULL)
        return NULL;
      *mime_type = g_strdup (direct->mime_type);
      return fit_to_image (decoded, *image_width, *image_height, size);
    }
#endif

  /* Where GdkPixbuf would start glycin's loaders, which the helper may not
   * do, the worker decodes the file through glycin itself. */
  if (HAVE_GLYCIN)
    {
      g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_NOT_DIRECT,
                           "Left to glycin");
      return NULL;
    }

  decoded = decode_full (fd, type_hint, size, max_pixels, mime_type, image_width, image_height,
                         cancellable, error);
  if (decoded == NULL)
    return NULL;

  return cs_decode_fit_to_size (decoded, size);
}
