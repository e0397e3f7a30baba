/* cs-decode-jpeg.c: JPEG thumbnails straight from libjpeg-turbo
 *
 * GdkPixbuf's loader already asks libjpeg for a reduced size, but it keeps
 * the accurate integer IDCT, decodes progressive files scan by scan, reads
 * every byte of a camera file whose EXIF already holds a preview, and (in
 * GNOME 50 runtimes, through glycin) ignores the size hint altogether.
 * Photos are most of what people thumbnail, so they get a path of their own:
 *
 *  - an embedded EXIF preview, when it is at least the thumbnail's size and
 *    has the picture's shape (no letterbox bars, not a stale crop): only the
 *    file's first kilobytes are read;
 *  - otherwise the smallest DCT scale (1/8, 1/4, 1/2) that still gives at
 *    least the thumbnail's size, with the fast IDCT and plain upsampling;
 *  - for a progressive file at 1/8, only the scans that complete the DC
 *    coefficients (all a 1/8 decode uses), usually the first tenth of it.
 *
 * Anything it does not handle (CMYK, a library too old) goes back to
 * GdkPixbuf untouched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-jpeg"

#include "config.h"

#include "cs-decode-jpeg.h"
#include "cs-decode-util.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <jpeglib.h>
#include <jerror.h>

#include "cs-error.h"
#include "cs-exif.h"

#define READ_CHUNK (64 * 1024)
#define APP1 (JPEG_APP0 + 1)

typedef struct
{
  struct jpeg_error_mgr pub;
  jmp_buf               jump;
  char                  message[JMSG_LENGTH_MAX];
} ErrorManager;

/* The file, or a JPEG already in memory (a RAW file's preview), which is
 * handed over whole on the first fill and then ends like a file. */
typedef struct
{
  struct jpeg_source_mgr pub;
  CsDecodeInput          input;
  const JOCTET          *memory;         /* NULL: read input.fd */
  gsize                  memory_len;
  gboolean               memory_given;
  JDIMENSION             ended_at_row;   /* output_scanline when it ended early */
  JOCTET                 buffer[READ_CHUNK];
} FdSource;

static const JOCTET fake_eoi[2] = { 0xFF, JPEG_EOI };

static void
on_error_exit (j_common_ptr cinfo)
{
  ErrorManager *err = (ErrorManager *) cinfo->err;

  err->pub.format_message (cinfo, err->message);
  longjmp (err->jump, 1);
}

/* Warnings ("extraneous bytes before marker" and the like) are common in
 * real photos and harmless, so they are only counted (an EXIF preview with
 * any is not used); running out of data is caught by the source. */
static void
on_emit_message (j_common_ptr cinfo,
                 int          msg_level)
{
  if (msg_level < 0)
    cinfo->err->num_warnings++;
}

static void
source_init (j_decompress_ptr cinfo G_GNUC_UNUSED)
{
}

static boolean
source_fill (j_decompress_ptr cinfo)
{
  FdSource *src = (FdSource *) cinfo->src;
  gboolean ended_before = src->input.ended_early;
  gssize n;

  if (src->memory != NULL)
    {
      /* All of it at once; asked again, the data has run out, as a
       * file's would. */
      n = src->memory_given || g_cancellable_is_cancelled (src->input.cancellable)
          ? 0 : (gssize) src->memory_len;
      src->memory_given = TRUE;
      if (n > 0)
        {
          src->pub.next_input_byte = src->memory;
          src->pub.bytes_in_buffer = n;
          return TRUE;
        }
    }
  else
    n = g_cancellable_is_cancelled (src->input.cancellable)
        ? 0 : cs_decode_input_read (&src->input, src->buffer, READ_CHUNK);

  if (n <= 0)
    {
      /* The data stops before the image does (or reading failed, or the
       * job was cancelled): end the stream so that libjpeg winds down, and
       * remember it, so the result is an error rather than a grey band. */
      if (!ended_before)
        src->ended_at_row = cinfo->output_scanline;
      src->input.ended_early = TRUE;
      src->pub.next_input_byte = fake_eoi;
      src->pub.bytes_in_buffer = sizeof fake_eoi;
      return TRUE;
    }

  src->pub.next_input_byte = src->buffer;
  src->pub.bytes_in_buffer = n;
  return TRUE;
}

static void
source_skip (j_decompress_ptr cinfo,
             long             count)
{
  FdSource *src = (FdSource *) cinfo->src;

  while (count > 0)
    {
      if ((size_t) count <= src->pub.bytes_in_buffer)
        {
          src->pub.next_input_byte += count;
          src->pub.bytes_in_buffer -= count;
          return;
        }
      count -= src->pub.bytes_in_buffer;
      src->pub.bytes_in_buffer = 0;
      source_fill (cinfo);
      if (src->input.ended_early)
        return;
    }
}

static void
source_term (j_decompress_ptr cinfo G_GNUC_UNUSED)
{
}

/* --- EXIF: the orientation and the embedded preview ---------------------- */

typedef struct
{
  guint         orientation;    /* 1-8; 1 when absent or nonsense */
  const guint8 *preview;        /* the embedded JPEG preview, or NULL */
  gsize         preview_len;
} ExifInfo;

static void
read_exif (j_decompress_ptr  cinfo,
           ExifInfo         *info)
{
  jpeg_saved_marker_ptr marker;

  info->orientation = 1;
  info->preview = NULL;
  info->preview_len = 0;

  for (marker = cinfo->marker_list; marker != NULL; marker = marker->next)
    {
      CsTiff t;
      guint32 ifd0, ifd1, value, offset, length;

      if (marker->marker != APP1 || marker->data_length < 6 + 8 ||
          memcmp (marker->data, "Exif\0\0", 6) != 0 ||
          !cs_tiff_init (&t, marker->data + 6, marker->data_length - 6))
        continue;

      ifd0 = cs_tiff_u32 (&t, 4);
      if (cs_tiff_find (&t, ifd0, 0x0112, &value) && value >= 1 && value <= 8)
        info->orientation = value;

      ifd1 = cs_tiff_next_ifd (&t, ifd0);
      if (ifd1 != 0 &&
          cs_tiff_find (&t, ifd1, 0x0201, &offset) &&
          cs_tiff_find (&t, ifd1, 0x0202, &length) &&
          length > 0 && offset < t.len && length <= t.len - offset)
        {
          info->preview = t.data + offset;
          info->preview_len = length;
        }
      return;
    }
}

/* --- decoding ----------------------------------------------------------- */

/* The smallest of 1/8, 1/4, 1/2 and 1 that keeps the longest side at least
 * @size (the averaging scale-down afterwards keeps it sharp). */
static int
choose_scale_num (j_decompress_ptr cinfo,
                  guint            size)
{
  guint longest = MAX (cinfo->image_width, cinfo->image_height);
  int num;

  for (num = 1; num < 8; num *= 2)
    if ((guint64) longest * num / 8 >= size)
      break;

  return num;
}

/* TRUE once every component's DC coefficient is known to within its last
 * bit. Progressive files send the DC first, all but that bit, and refine it
 * only after most of the AC data; at 1/8 a missing last bit moves a pixel
 * by at most the DC quantizer over 8 (1-2 levels of 255), which nobody can
 * see in a thumbnail, while waiting for it means reading half the file. */
static gboolean
dc_known (j_decompress_ptr cinfo)
{
  int ci;

  for (ci = 0; ci < cinfo->num_components; ci++)
    if (cinfo->coef_bits[ci][0] < 0 || cinfo->coef_bits[ci][0] > 1)
      return FALSE;

  return TRUE;
}

/* One libjpeg decompressor. Everything a longjmp could disturb lives here,
 * on the heap, and each function that can take the jump sets its own
 * setjmp and touches nothing else. */
typedef struct
{
  struct jpeg_decompress_struct cinfo;
  ErrorManager                  err;
  GdkPixbuf                    *pixbuf;
  gboolean                      big_turn;
} Decoder;

static Decoder *
decoder_new (void)
{
  Decoder *d = g_new0 (Decoder, 1);

  d->cinfo.err = jpeg_std_error (&d->err.pub);
  d->err.pub.error_exit = on_error_exit;
  d->err.pub.emit_message = on_emit_message;
  jpeg_create_decompress (&d->cinfo);
  return d;
}

/* Frees what libjpeg holds for the image (its coefficients, for a
 * progressive file), and gives back the turn that held. */
static void
decoder_release_image (Decoder *d)
{
  jpeg_abort_decompress (&d->cinfo);
  if (d->big_turn)
    cs_decode_end_big_buffer ();
  d->big_turn = FALSE;
}

static void
decoder_free (Decoder *d)
{
  g_clear_object (&d->pixbuf);
  jpeg_destroy_decompress (&d->cinfo);
  if (d->big_turn)
    cs_decode_end_big_buffer ();
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Decoder, decoder_free)

static gboolean
is_rgb_convertible (j_decompress_ptr cinfo)
{
  return cinfo->jpeg_color_space == JCS_YCbCr ||
         cinfo->jpeg_color_space == JCS_GRAYSCALE ||
         cinfo->jpeg_color_space == JCS_RGB;
}

/* Header and markers; FALSE when libjpeg gave up on them. */
static gboolean
read_header (Decoder *d)
{
  if (setjmp (d->err.jump))
    return FALSE;

  jpeg_save_markers (&d->cinfo, APP1, 0xFFFF);
  jpeg_read_header (&d->cinfo, TRUE);
  return TRUE;
}

/* The output rows go straight into the pixbuf. */
static gboolean
read_rows (Decoder      *d,
           GCancellable *cancellable)
{
  j_decompress_ptr cinfo = &d->cinfo;
  guint8 *pixels;
  gsize rowstride;

  d->pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8,
                              cinfo->output_width, cinfo->output_height);
  if (d->pixbuf == NULL)
    return FALSE;

  pixels = gdk_pixbuf_get_pixels (d->pixbuf);
  rowstride = gdk_pixbuf_get_rowstride (d->pixbuf);

  while (cinfo->output_scanline < cinfo->output_height)
    {
      JSAMPROW rows[4];
      guint n = MIN (G_N_ELEMENTS (rows), cinfo->output_height - cinfo->output_scanline);
      guint i;

      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;

      for (i = 0; i < n; i++)
        rows[i] = pixels + (cinfo->output_scanline + i) * rowstride;
      jpeg_read_scanlines (cinfo, rows, n);
    }

  return TRUE;
}

static void
configure_output (j_decompress_ptr cinfo,
                  guint            size)
{
  cinfo->scale_num = choose_scale_num (cinfo, size);
  cinfo->scale_denom = 8;
  cinfo->dct_method = JDCT_IFAST;
  cinfo->do_fancy_upsampling = FALSE;
  cinfo->do_block_smoothing = FALSE;
  cinfo->out_color_space = JCS_RGB;
}

/* Some writers leave out the end marker, or a copy loses just the last
 * bytes: the data then runs out while the decoder reads ahead through the
 * last rows, with every pixel in. Within the last two MCU rows counts as
 * whole (at most a sliver of grey at the bottom, less than a row of the
 * thumbnail); anything earlier is a file cut short. */
static gboolean
ends_at_last_rows (j_decompress_ptr  cinfo,
                   const FdSource   *src)
{
  JDIMENSION rows = cinfo->total_iMCU_rows > 0
                    ? (cinfo->output_height + cinfo->total_iMCU_rows - 1) / cinfo->total_iMCU_rows
                    : cinfo->output_height;

  return (guint64) src->ended_at_row + 2 * (guint64) rows >= cinfo->output_height;
}

/* What libjpeg allocates for a file in several scans: a coefficient block
 * of 64 values for every 8x8 block of every component, in whole MCUs. */
static guint64
coefficient_bytes (j_decompress_ptr cinfo)
{
  guint64 bytes = 0;
  int ci;

  for (ci = 0; ci < cinfo->num_components; ci++)
    {
      jpeg_component_info *component = &cinfo->comp_info[ci];
      guint64 columns = component->width_in_blocks + component->h_samp_factor - 1;
      guint64 rows = component->height_in_blocks + component->v_samp_factor - 1;

      bytes += columns * rows * DCTSIZE2 * sizeof (JCOEF);
    }

  return bytes;
}

/* The picture itself, into d->pixbuf; FALSE when libjpeg gave up, the rows
 * could not be allocated or the job was cancelled. @src says whether the
 * data ran out. */
static gboolean
read_image (Decoder        *d,
            const FdSource *src,
            guint           size,
            GCancellable   *cancellable)
{
  j_decompress_ptr cinfo = &d->cinfo;

  if (setjmp (d->err.jump))
    return FALSE;

  configure_output (cinfo, size);

  /* A file in several scans keeps all its coefficients at once. */
  if (jpeg_has_multiple_scans (cinfo))
    d->big_turn = cs_decode_begin_big_buffer (coefficient_bytes (cinfo), cancellable);

  if (cinfo->scale_num == 1 && cinfo->progressive_mode)
    {
      gboolean dc_in = FALSE;
      int status;

      /* Only the DC coefficients matter at 1/8: stop reading once the
       * scans that carry them are in. (libjpeg notes a scan's bits when
       * it starts, so only a completed scan counts.) */
      cinfo->buffered_image = TRUE;
      jpeg_start_decompress (cinfo);
      do
        {
          status = jpeg_consume_input (cinfo);
          dc_in = status == JPEG_SCAN_COMPLETED && dc_known (cinfo);
        }
      while (status != JPEG_REACHED_EOI && !src->input.ended_early && !dc_in);

      if (src->input.ended_early && !dc_in)
        return FALSE;

      jpeg_start_output (cinfo, cinfo->input_scan_number);
      if (!read_rows (d, cancellable))
        return FALSE;
      jpeg_finish_output (cinfo);
      return TRUE;
    }

  jpeg_start_decompress (cinfo);
  if (!read_rows (d, cancellable))
    return FALSE;
  jpeg_finish_decompress (cinfo);
  return !src->input.ended_early || ends_at_last_rows (cinfo, src);
}

/* The EXIF preview, into d->pixbuf, if it is good enough to stand for the
 * picture: at least @size on its longest side, smaller than the picture and
 * of its shape to within a pixel (no letterbox bars, no stale crop). Any
 * trouble with it just means that the picture itself gets decoded. */
static gboolean
read_preview (Decoder        *d,
              const ExifInfo *exif,
              guint           width,
              guint           height,
              guint           size,
              GCancellable   *cancellable)
{
  j_decompress_ptr cinfo = &d->cinfo;
  guint pw, ph;

  if (setjmp (d->err.jump))
    return FALSE;

  jpeg_mem_src (cinfo, exif->preview, exif->preview_len);
  if (jpeg_read_header (cinfo, TRUE) != JPEG_HEADER_OK || !is_rgb_convertible (cinfo))
    return FALSE;

  pw = cinfo->image_width;
  ph = cinfo->image_height;
  if (MAX (pw, ph) < size || MAX (pw, ph) >= MAX (width, height) ||
      ABS ((gint64) pw * height - (gint64) ph * width) > (gint64) MAX (width, height))
    return FALSE;

  configure_output (cinfo, size);
  jpeg_start_decompress (cinfo);
  if (!read_rows (d, cancellable))
    return FALSE;
  jpeg_finish_decompress (cinfo);
  /* A preview cut short or damaged only warns; the picture is better. */
  return d->err.pub.num_warnings == 0;
}

/* Says why a decode gave nothing, in the words the rest of the engine uses.
 * @detail is libjpeg's own message, when it stopped with one. */
static void
set_failure (const FdSource  *src,
             const Decoder   *d,
             const char      *detail,
             GCancellable    *cancellable,
             GError         **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return;

  if (detail != NULL && d->err.pub.msg_code == JERR_OUT_OF_MEMORY)
    {
      cs_set_error_over_memory_limit (error, (int) d->cinfo.image_width, (int) d->cinfo.image_height);
      return;
    }

  if (cs_decode_input_set_error (&src->input, error))
    return;

  if (detail != NULL && detail[0] != '\0')
    cs_set_error_cannot_decode (error, "JPEG", detail);
  else
    cs_set_error_out_of_memory (error);
}

static GdkPixbuf *
orient (GdkPixbuf *pixbuf,
        guint      orientation)
{
  g_autoptr(GdkPixbuf) owned = pixbuf;
  char text[2] = { '0' + orientation, '\0' };

  if (orientation <= 1)
    return g_steal_pointer (&owned);

  gdk_pixbuf_set_option (owned, "orientation", text);
  return gdk_pixbuf_apply_embedded_orientation (owned);
}

/* The decode both entry points share, from @src. With @own_orientation
 * FALSE the JPEG's EXIF orientation is left alone: the file it came from
 * says which way is up. */
static GdkPixbuf *
decode_source (FdSource      *src,
               off_t          start_offset,
               gboolean       own_orientation,
               guint          size,
               guint64        max_pixels,
               gboolean      *handled,
               int           *image_width,
               int           *image_height,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(Decoder) d = decoder_new ();
  g_autoptr(GdkPixbuf) result = NULL;
  j_decompress_ptr cinfo = &d->cinfo;
  ExifInfo exif;
  gboolean swap;

  *handled = TRUE;

  src->input.cancellable = cancellable;
  src->pub.init_source = source_init;
  src->pub.fill_input_buffer = source_fill;
  src->pub.skip_input_data = source_skip;
  src->pub.resync_to_restart = jpeg_resync_to_restart;
  src->pub.term_source = source_term;
  cinfo->src = &src->pub;

  if (!read_header (d))
    {
      set_failure (src, d, d->err.message, cancellable, error);
      return NULL;
    }

  if (!is_rgb_convertible (cinfo))
    {
      if (src->memory == NULL && !cs_decode_input_rewind (&src->input, start_offset))
        {
          set_failure (src, d, NULL, cancellable, error);
          return NULL;
        }
      *handled = FALSE;
      return NULL;
    }

  if ((guint64) cinfo->image_width * cinfo->image_height > max_pixels)
    {
      cs_set_error_too_large (error, (int) cinfo->image_width, (int) cinfo->image_height);
      return NULL;
    }

  read_exif (cinfo, &exif);
  if (!own_orientation)
    exif.orientation = 1;
  swap = exif.orientation >= 5;
  *image_width = swap ? cinfo->image_height : cinfo->image_width;
  *image_height = swap ? cinfo->image_width : cinfo->image_height;

  if (exif.preview != NULL && MAX (cinfo->image_width, cinfo->image_height) > size)
    {
      g_autoptr(Decoder) preview = decoder_new ();

      if (read_preview (preview, &exif, cinfo->image_width, cinfo->image_height, size,
                        cancellable))
        result = g_steal_pointer (&preview->pixbuf);
    }

  if (result == NULL)
    {
      if (!read_image (d, src, size, cancellable))
        {
          set_failure (src, d, d->err.message, cancellable, error);
          return NULL;
        }
      result = g_steal_pointer (&d->pixbuf);
      decoder_release_image (d);
    }

  return orient (g_steal_pointer (&result), exif.orientation);
}

/**
 * cs_jpeg_decode:
 * @fd: a JPEG file, read from its current offset
 * @size: the longest side wanted; the result is at least this big unless
 *   the image is smaller
 * @handled: (out): %FALSE when the file is left to GdkPixbuf (@fd is then
 *   back at its offset)
 * @image_width: (out): the image's width as seen (after orientation)
 * @image_height: (out): its height
 *
 * Returns: (transfer full) (nullable): an upright pixbuf, or %NULL with
 *   @error set, or %NULL and *@handled %FALSE
 */
GdkPixbuf *
cs_jpeg_decode (int            fd,
                guint          size,
                guint64        max_pixels,
                gboolean      *handled,
                int           *image_width,
                int           *image_height,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree FdSource *src = g_new0 (FdSource, 1);

  src->input.fd = fd;
  return decode_source (src, lseek (fd, 0, SEEK_CUR), TRUE, size, max_pixels, handled,
                        image_width, image_height, cancellable, error);
}

/**
 * cs_jpeg_decode_memory:
 * @data: a whole JPEG in memory, such as the preview a camera embedded in
 *   a RAW file
 * @handled: (out): %FALSE when libjpeg-turbo cannot give RGB (CMYK)
 *
 * As cs_jpeg_decode(), but the JPEG's own EXIF orientation is not applied:
 * the file @data came from records which way is up, and its reader turns
 * the result.
 *
 * Returns: (transfer full) (nullable): the pixbuf as stored, or %NULL with
 *   @error set, or %NULL and *@handled %FALSE
 */
GdkPixbuf *
cs_jpeg_decode_memory (const guint8  *data,
                       gsize          len,
                       guint          size,
                       guint64        max_pixels,
                       gboolean      *handled,
                       int           *image_width,
                       int           *image_height,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autofree FdSource *src = g_new0 (FdSource, 1);

  src->input.fd = -1;
  src->memory = data;
  src->memory_len = len;
  return decode_source (src, 0, FALSE, size, max_pixels, handled,
                        image_width, image_height, cancellable, error);
}
