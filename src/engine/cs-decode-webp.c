/* cs-decode-webp.c: WebP thumbnails straight from libwebp, scaled while decoded
 *
 * libwebp can scale as it decodes: a lossy picture is decoded a row of
 * macroblocks at a time, each row area-averaged into the thumbnail and
 * dropped, so that the thumbnail is the only picture-sized buffer there is,
 * and libwebp writes it straight into the pixbuf. (A lossless picture's
 * decoder keeps all its pixels, for its back references, and a lossy
 * one's alpha is kept whole, a byte a pixel.) GdkPixbuf's own WebP loader
 * asks for that too, but through glycin (GNOME 50 runtimes and later)
 * GdkPixbuf ignores the size hint and decodes the whole picture: 96 MB for
 * 24 megapixels with alpha. Here the file goes
 * to libwebp's incremental decoder a chunk at a time: it is never whole in
 * memory, and a cancelled job stops between chunks.
 *
 * Animations go back to GdkPixbuf untouched; its loader shows the first
 * frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-webp"

#include "config.h"

#include "cs-decode-webp.h"

#include <errno.h>
#include <unistd.h>
#include <webp/decode.h>

#include "cs-decode-util.h"
#include "cs-error.h"

#define READ_CHUNK (64 * 1024)

typedef struct
{
  CsDecodeInput     input;
  GByteArray       *data;           /* read from the file, not yet decoded */
  VP8StatusCode     status;
  WebPDecoderConfig config;         /* libwebp keeps pointers into it */
  WebPIDecoder     *idec;
  GdkPixbuf        *pixbuf;
} Decoder;

static Decoder *
decoder_new (int           fd,
             GCancellable *cancellable)
{
  Decoder *d = g_new0 (Decoder, 1);

  d->input.fd = fd;
  d->input.cancellable = cancellable;
  d->data = g_byte_array_sized_new (READ_CHUNK);
  d->status = VP8_STATUS_OK;
  /* Only fails when the library's ABI is not the one built against. */
  if (!WebPInitDecoderConfig (&d->config))
    d->status = VP8_STATUS_INVALID_PARAM;

  return d;
}

static void
decoder_free (Decoder *d)
{
  /* Before the pixbuf: the decoder writes into its pixels. */
  g_clear_pointer (&d->idec, WebPIDelete);
  g_clear_object (&d->pixbuf);
  g_byte_array_unref (d->data);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Decoder, decoder_free)

/* Up to READ_CHUNK more bytes of the file after those in d->data. FALSE at
 * the end of the file, on a read error or once cancelled (also while the
 * read waited: what it brought is not decoded); set_failure() tells
 * which. */
static gboolean
read_more (Decoder *d)
{
  guint len = d->data->len;
  ssize_t n;

  if (g_cancellable_is_cancelled (d->input.cancellable))
    return FALSE;

  g_byte_array_set_size (d->data, len + READ_CHUNK);
  n = cs_decode_input_read (&d->input, d->data->data + len, READ_CHUNK);
  g_byte_array_set_size (d->data, len + MAX (n, 0));
  if (n <= 0)
    return FALSE;

  return !g_cancellable_is_cancelled (d->input.cancellable);
}

/* The picture's size and kind, into d->config.input, from the file's first
 * 30 bytes or so (the VP8X chunk, or the picture's own header when there is
 * none). */
static gboolean
read_features (Decoder *d)
{
  while ((d->status = WebPGetFeatures (d->data->data, d->data->len, &d->config.input)) ==
         VP8_STATUS_NOT_ENOUGH_DATA)
    {
      if (!read_more (d))
        return FALSE;
    }

  return d->status == VP8_STATUS_OK;
}

/* Everything read so far, then the rest of the file until the picture is
 * complete. libwebp holds what it is given until it has the picture's
 * data (chunks before it are skipped once they are whole), never more
 * than the file has; what follows the picture (EXIF, XMP) is not read. */
static gboolean
decode_image (Decoder *d)
{
  for (;;)
    {
      d->status = WebPIAppend (d->idec, d->data->data, d->data->len);
      if (d->status != VP8_STATUS_SUSPENDED)
        return d->status == VP8_STATUS_OK;

      g_byte_array_set_size (d->data, 0);
      if (!read_more (d))
        return FALSE;
    }
}

/* Says why a decode gave nothing, in the words the rest of the engine uses. */
static void
set_failure (const Decoder  *d,
             int             width,
             int             height,
             GError        **error)
{
  const char *detail;

  if (g_cancellable_set_error_if_cancelled (d->input.cancellable, error))
    return;

  if (cs_decode_input_set_error (&d->input, error))
    return;

  if (d->status == VP8_STATUS_NOT_ENOUGH_DATA)
    {
      cs_set_error_truncated (error);
      return;
    }

  switch (d->status)
    {
    case VP8_STATUS_OUT_OF_MEMORY:
      if (width > 0)
        cs_set_error_over_memory_limit (error, width, height);
      else
        cs_set_error_out_of_memory (error);
      return;
    case VP8_STATUS_UNSUPPORTED_FEATURE:
      detail = "a WebP feature libwebp does not support";
      break;
    case VP8_STATUS_BITSTREAM_ERROR:
      detail = "damaged WebP data";
      break;
    case VP8_STATUS_USER_ABORT:
      /* What the incremental decoder says of a row it could not finish:
       * damaged alpha data, or no memory left for the alpha plane. */
      detail = "damaged WebP data, or too little memory for it";
      break;
    default:
      detail = "libwebp refused the image";
      break;
    }

  cs_set_error_cannot_decode (error, "WebP", detail);
}

/**
 * cs_webp_decode:
 * @fd: a WebP file, read from its current offset
 * @size: the longest side wanted
 * @max_pixels: larger images are refused before anything of their size
 *   is allocated
 * @handled: (out): %FALSE when the file is left to GdkPixbuf (@fd is then
 *   back at its offset)
 * @image_width: (out): the image's width
 * @image_height: (out): its height
 *
 * Returns: (transfer full) (nullable): the image at exactly the size
 *   cs_fit_dimensions() gives, or as it is if no side is over @size, with
 *   alpha if the file has any; %NULL with @error set, or %NULL and
 *   *@handled %FALSE
 */
GdkPixbuf *
cs_webp_decode (int            fd,
                guint          size,
                guint64        max_pixels,
                gboolean      *handled,
                int           *image_width,
                int           *image_height,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(Decoder) d = NULL;
  off_t start_offset = lseek (fd, 0, SEEK_CUR);
  WebPBitstreamFeatures *features;
  WebPRGBABuffer *rgba;
  int width, height, dst_width, dst_height;

  *handled = TRUE;
  g_return_val_if_fail (size > 0, NULL);

  d = decoder_new (fd, cancellable);
  features = &d->config.input;
  if (d->status != VP8_STATUS_OK || !read_features (d))
    {
      set_failure (d, 0, 0, error);
      return NULL;
    }

  width = features->width;
  height = features->height;
  if (width <= 0 || height <= 0)
    {
      cs_set_error_no_pixels (error);
      return NULL;
    }

  if ((guint64) width * height > max_pixels)
    {
      cs_set_error_too_large (error, width, height);
      return NULL;
    }

  /* Frames are drawn over one another on a canvas, which libwebp's
   * decoder of still pictures knows nothing of. Nothing of the pixels has
   * been used: GdkPixbuf starts over from the top. */
  if (features->has_animation)
    {
      if (!cs_decode_input_rewind (&d->input, start_offset))
        {
          set_failure (d, width, height, error);
          return NULL;
        }
      *handled = FALSE;
      return NULL;
    }

  if ((guint) MAX (width, height) > size)
    {
      cs_fit_dimensions (width, height, size, &dst_width, &dst_height);
      d->config.options.use_scaling = 1;
      d->config.options.scaled_width = dst_width;
      d->config.options.scaled_height = dst_height;
    }
  else
    {
      dst_width = width;
      dst_height = height;
    }

  d->pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, features->has_alpha, 8, dst_width, dst_height);
  if (d->pixbuf == NULL)
    {
      d->status = VP8_STATUS_OUT_OF_MEMORY;
      set_failure (d, width, height, error);
      return NULL;
    }

  /* Not premultiplied, as GdkPixbuf has it. Scaling, libwebp weighs a
   * lossless picture's colours by their alpha, but not a lossy one's: there,
   * the colour under transparent pixels next to opaque ones tints the edge
   * a little (the encoder has made it like its neighbours' already). */
  d->config.output.colorspace = features->has_alpha ? MODE_RGBA : MODE_RGB;
  d->config.output.is_external_memory = 1;
  rgba = &d->config.output.u.RGBA;
  rgba->rgba = gdk_pixbuf_get_pixels (d->pixbuf);
  rgba->stride = gdk_pixbuf_get_rowstride (d->pixbuf);
  rgba->size = gdk_pixbuf_get_byte_length (d->pixbuf);

  d->idec = WebPIDecode (NULL, 0, &d->config);
  if (d->idec == NULL)
    {
      d->status = VP8_STATUS_OUT_OF_MEMORY;
      set_failure (d, width, height, error);
      return NULL;
    }

  if (!decode_image (d))
    {
      set_failure (d, width, height, error);
      return NULL;
    }

  *image_width = width;
  *image_height = height;
  return g_steal_pointer (&d->pixbuf);
}
