/* cs-encode.c: thumbnails encoded as PNG or JPEG in this process
 *
 * Where GdkPixbuf decodes through glycin (2.44 and later) it encodes
 * through it too: each save starts, or talks to, a glycin process of its
 * own, a round trip per thumbnail that fails outright wherever starting
 * processes is forbidden. libpng and libjpeg-turbo, which the direct
 * decoders link already, write the same files here, into memory; GdkPixbuf
 * encodes only in builds without them.
 *
 * The PNGs have the chunks GdkPixbuf 2.42's saver wrote: IHDR, sBIT, one
 * text chunk a key in the order given (tEXt in ISO 8859-1 as the PNG
 * specification asks, iTXt for a value that does not fit it), IDAT and
 * IEND. The JPEGs are libjpeg's defaults at the quality asked for, with
 * transparent pixels laid on white.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-encode"

#include "config.h"

#include "cs-encode.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#if HAVE_LIBPNG
#include <png.h>
#endif
#if HAVE_LIBJPEG
#include <jpeglib.h>
#endif

/* zlib level 1 is several times faster than the default 6 and costs a few
 * percent of size at thumbnail dimensions. */
#define PNG_COMPRESSION 1
/* libpng's default tries all five filters on every row, which took about
 * a third of the time. Sub and Up alone encode thumbnails (photos, artwork,
 * icons, patterns) about 30% faster into as many bytes, give or take 2%.
 * zlib's run-length strategy was faster still but twice the size on
 * repeating patterns, which screenshots and drawings have. */
#define PNG_FILTERS (PNG_FILTER_SUB | PNG_FILTER_UP)

static gboolean
is_encodable (GdkPixbuf *pixbuf)
{
  return gdk_pixbuf_get_colorspace (pixbuf) == GDK_COLORSPACE_RGB &&
         gdk_pixbuf_get_bits_per_sample (pixbuf) == 8 &&
         gdk_pixbuf_get_n_channels (pixbuf) == (gdk_pixbuf_get_has_alpha (pixbuf) ? 4 : 3);
}

#if HAVE_LIBPNG || HAVE_LIBJPEG
static void
set_encode_error (GError     **error,
                  const char  *reason)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _("Cannot encode the thumbnail: %s"), reason);
}
#endif

#if HAVE_LIBPNG

/* --- PNG through libpng ------------------------------------------------- */

typedef struct
{
  GByteArray *out;
  char        message[200];
} PngSink;

static void
on_png_error (png_structp     png,
              png_const_charp message)
{
  PngSink *sink = png_get_error_ptr (png);

  g_strlcpy (sink->message, message, sizeof sink->message);
  png_longjmp (png, 1);
}

static void
on_png_warning (png_structp     png G_GNUC_UNUSED,
                png_const_charp message G_GNUC_UNUSED)
{
}

static void
on_png_write (png_structp png,
              png_bytep   data,
              png_size_t  len)
{
  PngSink *sink = png_get_io_ptr (png);

  g_byte_array_append (sink->out, data, len);
}

static void
on_png_flush (png_structp png G_GNUC_UNUSED)
{
}

/* @text in ISO 8859-1, or %NULL when a character is outside it. By hand
 * rather than with g_convert(): no iconv descriptor per key. */
static char *
to_latin1 (const char *text,
           gsize      *len)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c > 0xff)
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      g_string_append_c (out, (char) c);
    }

  *len = out->len;

  return g_string_free (out, FALSE);
}

/* Everything the jump can skip is set up by the caller: this function
 * takes the jump and touches nothing else. */
static gboolean
write_png (png_structp  png,
           png_infop    info,
           GdkPixbuf   *pixbuf,
           png_text    *text,
           int          n_text)
{
  gboolean alpha = gdk_pixbuf_get_has_alpha (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  gsize stride = gdk_pixbuf_get_rowstride (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  png_color_8 sig_bit = { 8, 8, 8, 0, alpha ? 8 : 0 };

  if (setjmp (png_jmpbuf (png)))
    return FALSE;

  png_set_IHDR (png, info, gdk_pixbuf_get_width (pixbuf), height, 8,
                alpha ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
                PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_sBIT (png, info, &sig_bit);
  if (n_text > 0)
    png_set_text (png, info, text, n_text);
  png_set_compression_level (png, PNG_COMPRESSION);
  png_set_filter (png, PNG_FILTER_TYPE_BASE, PNG_FILTERS);

  png_write_info (png, info);
  for (int y = 0; y < height; y++)
    png_write_row (png, pixels + y * stride);
  png_write_end (png, info);

  return TRUE;
}

static GBytes *
encode_png (GdkPixbuf          *pixbuf,
            const char * const *keys,
            const char * const *values,
            GError            **error)
{
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  g_autofree png_text *text = NULL;
  guint n_text = keys != NULL ? g_strv_length ((char **) keys) : 0;
  PngSink sink = { NULL, "" };
  png_structp png;
  png_infop info = NULL;
  gboolean ok = FALSE;

  text = g_new0 (png_text, n_text);
  for (guint i = 0; i < n_text; i++)
    {
      char *latin1 = to_latin1 (values[i], &text[i].text_length);

      text[i].key = (char *) keys[i];
      if (latin1 != NULL)
        {
          g_ptr_array_add (owned, latin1);
          text[i].compression = PNG_TEXT_COMPRESSION_NONE;
          text[i].text = latin1;
        }
      else
        {
          text[i].compression = PNG_ITXT_COMPRESSION_NONE;
          text[i].text = (char *) values[i];
          text[i].text_length = 0;
          text[i].itxt_length = strlen (values[i]);
        }
    }

  /* Compressed, a thumbnail is a fraction of its pixels. */
  sink.out = g_byte_array_sized_new (gdk_pixbuf_get_byte_length (pixbuf) / 2 + 1024);

  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &sink, on_png_error, on_png_warning);
  if (png != NULL)
    info = png_create_info_struct (png);
  if (info != NULL)
    {
      png_set_write_fn (png, &sink, on_png_write, on_png_flush);
      ok = write_png (png, info, pixbuf, text, n_text);
    }
  else
    g_strlcpy (sink.message, g_strerror (ENOMEM), sizeof sink.message);
  png_destroy_write_struct (&png, &info);

  if (!ok)
    {
      set_encode_error (error, sink.message);
      g_byte_array_unref (sink.out);
      return NULL;
    }

  return g_byte_array_free_to_bytes (sink.out);
}

#else /* !HAVE_LIBPNG */

static GBytes *
encode_png (GdkPixbuf          *pixbuf,
            const char * const *keys,
            const char * const *values,
            GError            **error)
{
  g_autoptr(GPtrArray) all_keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) all_values = g_ptr_array_new ();
  char *data = NULL;
  gsize len = 0;

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_ptr_array_add (all_keys, g_strconcat ("tEXt::", keys[i], NULL));
      g_ptr_array_add (all_values, (char *) values[i]);
    }
  g_ptr_array_add (all_keys, g_strdup ("compression"));
  g_ptr_array_add (all_values, G_STRINGIFY (PNG_COMPRESSION));
  g_ptr_array_add (all_keys, NULL);
  g_ptr_array_add (all_values, NULL);

  if (!gdk_pixbuf_save_to_bufferv (pixbuf, &data, &len, "png",
                                   (char **) all_keys->pdata,
                                   (char **) all_values->pdata, error))
    return NULL;

  return g_bytes_new_take (data, len);
}

#endif /* HAVE_LIBPNG */

/**
 * cs_encode_png:
 * @pixbuf: 8-bit RGB or RGBA
 * @keys: (nullable) (array zero-terminated=1): text chunk keywords
 *   ("Thumb::URI"), written in this order
 * @values: (array zero-terminated=1): their values, in UTF-8
 *
 * Returns: (transfer full): the PNG file, or %NULL with @error set
 */
GBytes *
cs_encode_png (GdkPixbuf          *pixbuf,
               const char * const *keys,
               const char * const *values,
               GError            **error)
{
  g_return_val_if_fail (GDK_IS_PIXBUF (pixbuf), NULL);
  g_return_val_if_fail (is_encodable (pixbuf), NULL);
  g_return_val_if_fail (keys == NULL || values != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return encode_png (pixbuf, keys, values, error);
}

#if HAVE_LIBJPEG

/* --- JPEG through libjpeg-turbo ----------------------------------------- */

/* The output grows from this size by doubling. */
#define JPEG_FIRST_BUFFER (16 * 1024)

typedef struct
{
  struct jpeg_error_mgr pub;
  jmp_buf               jump;
  char                  message[JMSG_LENGTH_MAX];
} JpegError;

typedef struct
{
  struct jpeg_destination_mgr pub;
  GByteArray                 *out;
} ByteSink;

/* One libjpeg compressor and everything a longjmp could disturb. */
typedef struct
{
  struct jpeg_compress_struct cinfo;
  JpegError                   err;
  ByteSink                    sink;
  guint8                     *row;   /* a row laid on white */
} JpegEncoder;

static void
on_jpeg_error_exit (j_common_ptr cinfo)
{
  JpegError *err = (JpegError *) cinfo->err;

  err->pub.format_message (cinfo, err->message);
  longjmp (err->jump, 1);
}

static void
on_jpeg_message (j_common_ptr cinfo G_GNUC_UNUSED)
{
}

static void
sink_init (j_compress_ptr cinfo)
{
  ByteSink *sink = (ByteSink *) cinfo->dest;

  g_byte_array_set_size (sink->out, JPEG_FIRST_BUFFER);
  sink->pub.next_output_byte = sink->out->data;
  sink->pub.free_in_buffer = sink->out->len;
}

/* Called when the buffer is full. */
static boolean
sink_grow (j_compress_ptr cinfo)
{
  ByteSink *sink = (ByteSink *) cinfo->dest;
  guint used = sink->out->len;

  g_byte_array_set_size (sink->out, used * 2);
  sink->pub.next_output_byte = sink->out->data + used;
  sink->pub.free_in_buffer = sink->out->len - used;

  return TRUE;
}

static void
sink_term (j_compress_ptr cinfo)
{
  ByteSink *sink = (ByteSink *) cinfo->dest;

  g_byte_array_set_size (sink->out, sink->out->len - sink->pub.free_in_buffer);
}

/* JPEG has no alpha: each pixel over white, rounded to nearest. */
static void
lay_on_white (const guint8 *src,
              guint8       *dst,
              int           width)
{
  for (int x = 0; x < width; x++, src += 4, dst += 3)
    {
      guint a = src[3];

      for (int c = 0; c < 3; c++)
        dst[c] = (src[c] * a + 255 * (255 - a) + 127) / 255;
    }
}

static gboolean
write_jpeg (JpegEncoder *e,
            GdkPixbuf   *pixbuf,
            int          quality)
{
  gboolean alpha = gdk_pixbuf_get_has_alpha (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  gsize stride = gdk_pixbuf_get_rowstride (pixbuf);
  int width = gdk_pixbuf_get_width (pixbuf);

  if (setjmp (e->err.jump))
    return FALSE;

  jpeg_create_compress (&e->cinfo);
  e->cinfo.dest = &e->sink.pub;
  e->cinfo.image_width = width;
  e->cinfo.image_height = gdk_pixbuf_get_height (pixbuf);
  e->cinfo.input_components = 3;
  e->cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults (&e->cinfo);
  jpeg_set_quality (&e->cinfo, quality, TRUE);
  jpeg_start_compress (&e->cinfo, TRUE);

  while (e->cinfo.next_scanline < e->cinfo.image_height)
    {
      const guint8 *src = pixels + e->cinfo.next_scanline * stride;
      JSAMPROW row = (JSAMPROW) src;

      if (alpha)
        {
          lay_on_white (src, e->row, width);
          row = e->row;
        }
      jpeg_write_scanlines (&e->cinfo, &row, 1);
    }

  jpeg_finish_compress (&e->cinfo);

  return TRUE;
}

static GBytes *
encode_jpeg (GdkPixbuf  *pixbuf,
             int         quality,
             GError    **error)
{
  JpegEncoder e;
  gboolean ok;

  memset (&e, 0, sizeof e);
  e.cinfo.err = jpeg_std_error (&e.err.pub);
  e.err.pub.error_exit = on_jpeg_error_exit;
  e.err.pub.output_message = on_jpeg_message;
  e.sink.pub.init_destination = sink_init;
  e.sink.pub.empty_output_buffer = sink_grow;
  e.sink.pub.term_destination = sink_term;
  e.sink.out = g_byte_array_new ();
  e.row = g_malloc (gdk_pixbuf_get_width (pixbuf) * 3);

  ok = write_jpeg (&e, pixbuf, quality);
  jpeg_destroy_compress (&e.cinfo);
  g_free (e.row);

  if (!ok)
    {
      set_encode_error (error, e.err.message);
      g_byte_array_unref (e.sink.out);
      return NULL;
    }

  return g_byte_array_free_to_bytes (e.sink.out);
}

#else /* !HAVE_LIBJPEG */

static GBytes *
encode_jpeg (GdkPixbuf  *pixbuf,
             int         quality,
             GError    **error)
{
  g_autoptr(GdkPixbuf) flat = NULL;
  g_autofree char *quality_text = g_strdup_printf ("%d", quality);
  char *data = NULL;
  gsize len = 0;

  /* JPEG has no alpha: lay transparent images on white. */
  if (gdk_pixbuf_get_has_alpha (pixbuf))
    flat = gdk_pixbuf_composite_color_simple (pixbuf,
                                              gdk_pixbuf_get_width (pixbuf),
                                              gdk_pixbuf_get_height (pixbuf),
                                              GDK_INTERP_NEAREST, 255, 8,
                                              0xffffffff, 0xffffffff);
  if (!gdk_pixbuf_save_to_buffer (flat != NULL ? flat : pixbuf, &data, &len, "jpeg", error,
                                  "quality", quality_text, NULL))
    return NULL;

  return g_bytes_new_take (data, len);
}

#endif /* HAVE_LIBJPEG */

/**
 * cs_encode_jpeg:
 * @pixbuf: 8-bit RGB or RGBA; transparent pixels are laid on white
 * @quality: 0 to 100
 *
 * Returns: (transfer full): the JPEG file, or %NULL with @error set
 */
GBytes *
cs_encode_jpeg (GdkPixbuf  *pixbuf,
                int         quality,
                GError    **error)
{
  g_return_val_if_fail (GDK_IS_PIXBUF (pixbuf), NULL);
  g_return_val_if_fail (is_encodable (pixbuf), NULL);
  g_return_val_if_fail (quality >= 0 && quality <= 100, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return encode_jpeg (pixbuf, quality, error);
}
