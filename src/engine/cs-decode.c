/* cs-decode.c: bytes in, a thumbnail-sized, upright pixbuf out
 *
 * The in-process dispatch: a file whose first bytes a direct decoder
 * knows (cs-decode-jpeg.c, cs-decode-png.c, cs-decode-webp.c, and
 * cs-decode-ico.c for icons holding PNGs) goes to it, a camera's RAW file
 * to LibRaw (cs-decode-raw.c), a video to GStreamer (cs-decode-video.c);
 * the rest to glycin (through the worker, see cs-decoder-client.c) or to
 * GdkPixbuf (cs-decode-pixbuf.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-decode"

#include "config.h"

#include "cs-decode.h"
#include "cs-decode-pixbuf.h"
#include "cs-decode-util.h"

#include <string.h>
#include <unistd.h>

#include "cs-error.h"
#if HAVE_LIBJPEG
#include "cs-decode-jpeg.h"
#endif
#if HAVE_LIBPNG
#include "cs-decode-ico.h"
#include "cs-decode-png.h"
#endif
#if HAVE_LIBWEBP
#include "cs-decode-webp.h"
#endif
#if HAVE_GSTREAMER
#include "cs-decode-video.h"
#endif
#if HAVE_LIBRAW
#include "cs-decode-raw.h"
#endif

#define HAVE_DIRECT_DECODERS (HAVE_LIBJPEG || HAVE_LIBPNG || HAVE_LIBWEBP)

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

/* Whether the file, from its offset, starts with the @len bytes of @magic
 * (all of the string when @len is 0), where a '?' stands for any byte (no
 * signature here has a '?' of its own); the offset stays. */
static gboolean
starts_with (int         fd,
             const char *magic,
             gsize       len)
{
  guint8 head[12];
  off_t offset = lseek (fd, 0, SEEK_CUR);

  if (len == 0)
    len = strlen (magic);
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
  gsize          magic_len;     /* for a magic with NUL bytes; 0: strlen */
} DirectDecoder;

static const DirectDecoder direct_decoders[] = {
#if HAVE_LIBJPEG
  { "\xFF\xD8\xFF", "image/jpeg", cs_jpeg_decode },
#endif
#if HAVE_LIBPNG
  { "\x89PNG\r\n\x1A\n", "image/png", cs_png_decode },
  /* An icon whose largest image is a PNG; a classic one goes on. */
  { "\0\0\1\0", "image/vnd.microsoft.icon", cs_ico_decode, 4 },
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
 * @type_hint: (nullable): the type the file's name suggests; see cs_decode_nameless_type()
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

      if (!starts_with (fd, direct->magic, direct->magic_len))
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

#if HAVE_GSTREAMER
  {
    const char *video_type = cs_video_sniff (fd, type_hint);
    g_autoptr(GdkPixbuf) thumb = NULL;
    double duration;

    /* No image loader reads videos, glycin neither. */
    if (video_type != NULL)
      {
        decoded = cs_video_decode (fd, size, max_pixels, image_width, image_height, &duration,
                                   cancellable, error);
        if (decoded == NULL)
          return NULL;
        thumb = cs_decode_fit_to_size (decoded, size);
        cs_decode_set_duration_ms (thumb, (guint64) (duration * 1000));
        *mime_type = g_strdup (video_type);
        return g_steal_pointer (&thumb);
      }
  }
#endif

#if HAVE_LIBRAW
  /* Most RAW formats are TIFF inside, so the name decides who looks, and
   * LibRaw whether it is a camera's: a plain TIFF goes on as before. */
  if (cs_raw_is_candidate (type_hint))
    {
      gboolean handled;

      decoded = cs_raw_decode (fd, type_hint, size, max_pixels, &handled, mime_type,
                               image_width, image_height, cancellable, error);
      if (handled)
        return decoded != NULL ? cs_decode_fit_to_size (decoded, size) : NULL;
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

  decoded = cs_decode_pixbuf (fd, type_hint, size, max_pixels, mime_type, image_width, image_height,
                              cancellable, error);
  if (decoded == NULL)
    return NULL;

  return cs_decode_fit_to_size (decoded, size);
}

