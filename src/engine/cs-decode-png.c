/* cs-decode-png.c: PNG thumbnails straight from libpng, scaled while they are read
 *
 * GdkPixbuf's loader decodes a PNG into a buffer of its full size (96 MB
 * for a 24 megapixel RGBA screenshot or scan) before the thumbnail is cut
 * from it, and with a worker per processor that buffer is most of the
 * program's memory. PNG has no reduced-size decoding, but its rows come in
 * order: here each row, as libpng hands it over, is averaged into the
 * thumbnail's rows and dropped, so that only a row of the image, a row of
 * sums and the thumbnail itself are ever held.
 *
 * The pixels are those GdkPixbuf's loader gives (the same libpng
 * transformations: no gamma, 16-bit samples truncated) and the thumbnail's
 * sides those of the rest of the engine. Interlaced files, whose rows
 * arrive in seven passes, go back to GdkPixbuf untouched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-png"

#include "config.h"

#include "cs-decode-png.h"

#include <errno.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <png.h>

#include "cs-decode-util.h"
#include "cs-error.h"

#define READ_CHUNK (64 * 1024)
/* A highly compressed image gives thousands of rows for one read: a
 * cancelled job is noticed every few rows, as well as at every read. */
#define CANCEL_CHECK_ROWS 16
/* The sums of premultiplied samples (at most 255 × 255 a pixel) over the
 * whole image fit in 64 bits below this many pixels. */
#define MAX_SUMMED_PIXELS (G_MAXUINT64 / (256 * 256))

/* --- scaling while reading ---------------------------------------------- */

/* The source pixels under one pixel of the thumbnail, across. With a
 * source pixel dst_width units wide and a thumbnail pixel src_width units
 * wide, every overlap is a whole number of units: the pixels from @first
 * to @end lie wholly under it, and those either side of them, partly, by
 * @left and @right units (0 when the edges fall between pixels). */
typedef struct
{
  guint first;
  guint end;
  guint left;
  guint right;
} Span;

/* An area-averaging (box) filter fed one source row at a time. A source
 * row, summed across into @row_sums, adds to the thumbnail row it lies
 * under, or to the two it straddles; a thumbnail row is written out as
 * soon as its last source row is in. Samples are weighted by their alpha,
 * so that the colour hidden under transparent pixels does not bleed into
 * their neighbours; the thumbnail, like every GdkPixbuf, is not
 * premultiplied. */
typedef struct
{
  guint    src_width;
  guint    src_height;
  guint    dst_width;
  guint    dst_height;
  guint    channels;
  Span    *spans;
  guint64 *row_sums;
  guint64 *sums;        /* the thumbnail row being filled */
  guint64 *next_sums;   /* the one below it */
  guint    src_y;
  guint    dst_y;
} Scaler;

static gboolean
scaler_init (Scaler *s,
             guint   src_width,
             guint   src_height,
             guint   dst_width,
             guint   dst_height,
             guint   channels)
{
  gsize n = (gsize) dst_width * channels;

  s->src_width = src_width;
  s->src_height = src_height;
  s->dst_width = dst_width;
  s->dst_height = dst_height;
  s->channels = channels;
  s->src_y = 0;
  s->dst_y = 0;
  s->spans = g_try_new (Span, dst_width);
  s->row_sums = g_try_new (guint64, n);
  s->sums = g_try_new0 (guint64, n);
  s->next_sums = g_try_new0 (guint64, n);
  if (s->spans == NULL || s->row_sums == NULL || s->sums == NULL || s->next_sums == NULL)
    return FALSE;

  for (guint x = 0; x < dst_width; x++)
    {
      guint64 start = (guint64) x * src_width;
      guint64 end = start + src_width;
      Span *span = &s->spans[x];

      span->first = (start + dst_width - 1) / dst_width;
      span->end = end / dst_width;
      span->left = (guint64) span->first * dst_width - start;
      span->right = end - (guint64) span->end * dst_width;
    }

  return TRUE;
}

static void
scaler_clear (Scaler *s)
{
  g_clear_pointer (&s->spans, g_free);
  g_clear_pointer (&s->row_sums, g_free);
  g_clear_pointer (&s->sums, g_free);
  g_clear_pointer (&s->next_sums, g_free);
}

/* One source row summed across, each thumbnail pixel's sum weighted by
 * overlap: a source pixel weighs dst_width where it lies wholly under it. */
static void
sum_row_rgb (Scaler       *s,
             const guint8 *row)
{
  guint64 *out = s->row_sums;

  for (guint x = 0; x < s->dst_width; x++, out += 3)
    {
      const Span *span = &s->spans[x];
      const guint8 *p = row + (gsize) span->first * 3;
      const guint8 *end = row + (gsize) span->end * 3;
      guint64 r = 0, g = 0, b = 0;

      for (; p < end; p += 3)
        {
          r += p[0];
          g += p[1];
          b += p[2];
        }
      r *= s->dst_width;
      g *= s->dst_width;
      b *= s->dst_width;

      if (span->left > 0)
        {
          p = row + (gsize) (span->first - 1) * 3;
          r += (guint64) p[0] * span->left;
          g += (guint64) p[1] * span->left;
          b += (guint64) p[2] * span->left;
        }
      if (span->right > 0)
        {
          p = end;
          r += (guint64) p[0] * span->right;
          g += (guint64) p[1] * span->right;
          b += (guint64) p[2] * span->right;
        }

      out[0] = r;
      out[1] = g;
      out[2] = b;
    }
}

/* The same with alpha: colours are summed premultiplied. */
static void
sum_row_rgba (Scaler       *s,
              const guint8 *row)
{
  guint64 *out = s->row_sums;

  for (guint x = 0; x < s->dst_width; x++, out += 4)
    {
      const Span *span = &s->spans[x];
      const guint8 *p = row + (gsize) span->first * 4;
      const guint8 *end = row + (gsize) span->end * 4;
      guint64 r = 0, g = 0, b = 0, a = 0;

      for (; p < end; p += 4)
        {
          guint alpha = p[3];

          r += p[0] * alpha;
          g += p[1] * alpha;
          b += p[2] * alpha;
          a += alpha;
        }
      r *= s->dst_width;
      g *= s->dst_width;
      b *= s->dst_width;
      a *= s->dst_width;

      if (span->left > 0)
        {
          guint64 weight;

          p = row + (gsize) (span->first - 1) * 4;
          weight = (guint64) p[3] * span->left;
          r += p[0] * weight;
          g += p[1] * weight;
          b += p[2] * weight;
          a += weight;
        }
      if (span->right > 0)
        {
          guint64 weight;

          p = end;
          weight = (guint64) p[3] * span->right;
          r += p[0] * weight;
          g += p[1] * weight;
          b += p[2] * weight;
          a += weight;
        }

      out[0] = r;
      out[1] = g;
      out[2] = b;
      out[3] = a;
    }
}

/* Every pixel of a thumbnail row has summed weights of src_width ×
 * src_height: divide, rounding, and undo the premultiplication. */
static void
scaler_emit (Scaler *s,
             guint8 *out)
{
  guint64 total = (guint64) s->src_width * s->src_height;
  const guint64 *sum = s->sums;

  if (s->channels == 3)
    {
      for (gsize i = 0; i < (gsize) s->dst_width * 3; i++)
        out[i] = (sum[i] + total / 2) / total;
      return;
    }

  for (guint x = 0; x < s->dst_width; x++, sum += 4, out += 4)
    {
      guint64 a = sum[3];

      out[3] = (a + total / 2) / total;
      for (int c = 0; c < 3; c++)
        out[c] = a > 0 ? (sum[c] + a / 2) / a : 0;
    }
}

/* Adds source row src_y; returns the thumbnail row it completed, or -1.
 * In units where a source row is dst_height tall and a thumbnail row
 * src_height, source row y covers [y × dst_height, (y + 1) × dst_height),
 * and never more than two thumbnail rows, the thumbnail being smaller. */
static int
scaler_add_row (Scaler       *s,
                const guint8 *row)
{
  guint64 start = (guint64) s->src_y * s->dst_height;
  guint64 end = start + s->dst_height;
  guint64 boundary = (guint64) (s->dst_y + 1) * s->src_height;
  guint64 weight = MIN (end, boundary) - start;
  gsize n = (gsize) s->dst_width * s->channels;

  if (s->channels == 3)
    sum_row_rgb (s, row);
  else
    sum_row_rgba (s, row);

  for (gsize i = 0; i < n; i++)
    s->sums[i] += s->row_sums[i] * weight;
  /* Only the one row that straddles a boundary feeds the row below. */
  if (end > boundary)
    for (gsize i = 0; i < n; i++)
      s->next_sums[i] = s->row_sums[i] * (end - boundary);

  s->src_y++;
  if (end < boundary)
    return -1;

  return s->dst_y++;
}

/* After scaler_emit(): the row below becomes the one being filled. */
static void
scaler_next_row (Scaler *s)
{
  guint64 *done = s->sums;

  s->sums = s->next_sums;
  s->next_sums = done;
  memset (s->next_sums, 0, (gsize) s->dst_width * s->channels * sizeof (guint64));
}

/* --- libpng ------------------------------------------------------------- */

/* One libpng reader and everything a longjmp could disturb: each function
 * that can take the jump sets its own setjmp and touches nothing else. */
typedef struct
{
  png_structp   png;
  png_infop     info;

  CsDecodeInput input;
  gboolean      out_of_memory;
  char          message[256];

  guint8       *row;
  Scaler        scaler;
  GdkPixbuf    *pixbuf;

  gsize         buffered;
  gsize         consumed;
  guint8        buffer[READ_CHUNK];
} Decoder;

static void
on_error (png_structp     png,
          png_const_charp message)
{
  Decoder *d = png_get_error_ptr (png);

  g_strlcpy (d->message, message, sizeof d->message);
  png_longjmp (png, 1);
}

/* Warnings (a damaged ancillary chunk, a bad CRC on one, an unknown sRGB
 * profile) leave the pixels as they are; GdkPixbuf ignores them too. */
static void
on_warning (png_structp     png G_GNUC_UNUSED,
            png_const_charp message G_GNUC_UNUSED)
{
}

/* Through GLib's allocator, to tell memory running out (the helper
 * process's limit) from a damaged file. */
static png_voidp
on_malloc (png_structp      png,
           png_alloc_size_t size)
{
  Decoder *d = png_get_mem_ptr (png);
  png_voidp p = g_try_malloc (size);

  if (p == NULL)
    d->out_of_memory = TRUE;

  return p;
}

static void
on_free (png_structp png G_GNUC_UNUSED,
         png_voidp   p)
{
  g_free (p);
}

static gboolean
fill_buffer (Decoder *d)
{
  gssize n;

  if (g_cancellable_is_cancelled (d->input.cancellable))
    return FALSE;

  n = cs_decode_input_read (&d->input, d->buffer, READ_CHUNK);
  if (n <= 0)
    return FALSE;

  d->buffered = n;
  d->consumed = 0;
  return TRUE;
}

static void
on_read (png_structp png,
         png_bytep   data,
         size_t      length)
{
  Decoder *d = png_get_io_ptr (png);

  while (length > 0)
    {
      gsize n;

      if (d->consumed == d->buffered && !fill_buffer (d))
        png_error (png, d->input.ended_early ? "truncated" : "read stopped");

      n = MIN (length, d->buffered - d->consumed);
      memcpy (data, d->buffer + d->consumed, n);
      d->consumed += n;
      data += n;
      length -= n;
    }
}

static Decoder *
decoder_new (int           fd,
             gint64        length,
             GCancellable *cancellable)
{
  Decoder *d = g_new0 (Decoder, 1);

  d->input.fd = fd;
  d->input.cancellable = cancellable;
  d->input.limited = length >= 0;
  d->input.remaining = MAX (length, 0);
  d->png = png_create_read_struct_2 (PNG_LIBPNG_VER_STRING, d, on_error, on_warning,
                                     d, on_malloc, on_free);
  if (d->png != NULL)
    d->info = png_create_info_struct (d->png);
  if (d->png != NULL)
    png_set_read_fn (d->png, d, on_read);

  return d;
}

static void
decoder_free (Decoder *d)
{
  if (d->png != NULL)
    png_destroy_read_struct (&d->png, d->info != NULL ? &d->info : NULL, NULL);
  scaler_clear (&d->scaler);
  g_free (d->row);
  g_clear_object (&d->pixbuf);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Decoder, decoder_free)

/* The signature and every chunk up to the pixel data. Only those that make
 * the pixels (IHDR, PLTE, tRNS, IDAT, IEND) are looked at; the others are
 * read past. libpng would otherwise allocate (and clear) whatever length a
 * text or profile chunk claims before reading it: 2 GB for a 300-byte
 * file. */
static gboolean
read_header (Decoder *d)
{
  if (setjmp (png_jmpbuf (d->png)))
    return FALSE;

  png_set_keep_unknown_chunks (d->png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
  png_read_info (d->png, d->info);
  return TRUE;
}

/* 8-bit RGB or RGBA rows, as GdkPixbuf's loader asks for them: palettes,
 * grey below 8 bits and tRNS expanded, 16 bits cut to 8, grey made RGB,
 * and no gamma correction (the loader makes none). */
static gboolean
set_transformations (Decoder *d)
{
  png_structp png = d->png;

  if (setjmp (png_jmpbuf (png)))
    return FALSE;

  png_set_expand (png);
  png_set_strip_16 (png);
  png_set_gray_to_rgb (png);
  png_read_update_info (png, d->info);
  return TRUE;
}

/* An image no larger than the thumbnail is the thumbnail: its rows go
 * straight into the pixbuf. */
static gboolean
read_rows_unscaled (Decoder *d)
{
  guint8 *pixels = gdk_pixbuf_get_pixels (d->pixbuf);
  gsize rowstride = gdk_pixbuf_get_rowstride (d->pixbuf);
  int height = gdk_pixbuf_get_height (d->pixbuf);

  for (int y = 0; y < height; y++)
    {
      if (y % CANCEL_CHECK_ROWS == 0 && g_cancellable_is_cancelled (d->input.cancellable))
        return FALSE;
      png_read_row (d->png, pixels + (gsize) y * rowstride, NULL);
    }

  return TRUE;
}

static gboolean
read_rows_scaled (Decoder *d)
{
  Scaler *s = &d->scaler;
  guint8 *pixels = gdk_pixbuf_get_pixels (d->pixbuf);
  gsize rowstride = gdk_pixbuf_get_rowstride (d->pixbuf);

  for (guint y = 0; y < s->src_height; y++)
    {
      int done;

      if (y % CANCEL_CHECK_ROWS == 0 && g_cancellable_is_cancelled (d->input.cancellable))
        return FALSE;

      png_read_row (d->png, d->row, NULL);
      done = scaler_add_row (s, d->row);
      if (done >= 0)
        {
          scaler_emit (s, pixels + (gsize) done * rowstride);
          scaler_next_row (s);
        }
    }

  g_assert (s->dst_y == s->dst_height);
  return TRUE;
}

/* The pixels, then the rest of the file up to IEND: a file cut anywhere
 * before its end is cut short (GdkPixbuf's path insists on IEND too), and
 * the last chunk's checksum is checked. FALSE when libpng gave up or the
 * job was cancelled. */
static gboolean
read_image (Decoder  *d,
            gboolean  scaled)
{
  if (setjmp (png_jmpbuf (d->png)))
    return FALSE;

  if (!(scaled ? read_rows_scaled (d) : read_rows_unscaled (d)))
    return FALSE;

  png_read_end (d->png, d->info);
  return TRUE;
}

/* Says why a decode gave nothing, in the words the rest of the engine uses. */
static void
set_failure (const Decoder  *d,
             guint           width,
             guint           height,
             GError        **error)
{
  if (g_cancellable_set_error_if_cancelled (d->input.cancellable, error))
    return;

  if (d->out_of_memory && width > 0)
    {
      cs_set_error_over_memory_limit (error, (int) width, (int) height);
      return;
    }

  if (cs_decode_input_set_error (&d->input, error))
    return;

  if (d->message[0] != '\0' && !d->out_of_memory)
    cs_set_error_cannot_decode (error, "PNG", d->message);
  else
    cs_set_error_out_of_memory (error);
}

static GdkPixbuf *
decode (int            fd,
        gint64         length,
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
  guint width, height, channels;
  gsize row_bytes;
  gboolean scaled;
  int dst_width, dst_height;

  *handled = TRUE;
  g_return_val_if_fail (size > 0, NULL);

  d = decoder_new (fd, length, cancellable);
  if (d->png == NULL || d->info == NULL)
    {
      set_failure (d, 0, 0, error);
      return NULL;
    }

  if (!read_header (d))
    {
      set_failure (d, 0, 0, error);
      return NULL;
    }

  width = png_get_image_width (d->png, d->info);
  height = png_get_image_height (d->png, d->info);
  if (width == 0 || height == 0 || width > G_MAXINT || height > G_MAXINT)
    {
      cs_set_error_no_pixels (error);
      return NULL;
    }

  if ((guint64) width * height > MIN (max_pixels, MAX_SUMMED_PIXELS))
    {
      cs_set_error_too_large (error, (int) width, (int) height);
      return NULL;
    }

  /* Adam7 sends every row seven times over, partly: GdkPixbuf keeps the
   * whole image for it anyway. Nothing of the pixels has been read, so it
   * starts over from the top. */
  if (png_get_interlace_type (d->png, d->info) != PNG_INTERLACE_NONE)
    {
      if (!cs_decode_input_rewind (&d->input, start_offset))
        {
          set_failure (d, width, height, error);
          return NULL;
        }
      *handled = FALSE;
      return NULL;
    }

  if (!set_transformations (d))
    {
      set_failure (d, width, height, error);
      return NULL;
    }

  channels = png_get_channels (d->png, d->info);
  if (png_get_bit_depth (d->png, d->info) != 8 || (channels != 3 && channels != 4) ||
      !g_size_checked_mul (&row_bytes, width, channels) ||
      png_get_rowbytes (d->png, d->info) != row_bytes)
    {
      cs_set_error_cannot_decode (error, "PNG", "unexpected pixel format");
      return NULL;
    }

  scaled = MAX (width, height) > size;
  if (scaled)
    cs_fit_dimensions (width, height, size, &dst_width, &dst_height);
  else
    {
      dst_width = width;
      dst_height = height;
    }

  d->pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, channels == 4, 8, dst_width, dst_height);
  if (d->pixbuf == NULL ||
      (scaled && ((d->row = g_try_malloc (row_bytes)) == NULL ||
                  !scaler_init (&d->scaler, width, height, dst_width, dst_height, channels))))
    {
      d->out_of_memory = TRUE;
      set_failure (d, width, height, error);
      return NULL;
    }

  if (!read_image (d, scaled))
    {
      set_failure (d, width, height, error);
      return NULL;
    }

  *image_width = width;
  *image_height = height;
  return g_steal_pointer (&d->pixbuf);
}

/**
 * cs_png_decode:
 * @fd: a PNG file, read from its current offset
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
cs_png_decode (int            fd,
               guint          size,
               guint64        max_pixels,
               gboolean      *handled,
               int           *image_width,
               int           *image_height,
               GCancellable  *cancellable,
               GError       **error)
{
  return decode (fd, -1, size, max_pixels, handled, image_width, image_height,
                 cancellable, error);
}

/**
 * cs_png_decode_part:
 * @fd: a file holding a PNG at its current offset (an icon's image)
 * @length: how many bytes from there are the PNG; it is not read past them
 *
 * cs_png_decode() of a part of a file: a PNG that needs more than @length
 * bytes is truncated.
 */
GdkPixbuf *
cs_png_decode_part (int            fd,
                    guint64        length,
                    guint          size,
                    guint64        max_pixels,
                    gboolean      *handled,
                    int           *image_width,
                    int           *image_height,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return decode (fd, (gint64) MIN (length, (guint64) G_MAXINT64), size, max_pixels, handled,
                 image_width, image_height, cancellable, error);
}
