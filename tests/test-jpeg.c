/* test-jpeg.c: photos through libjpeg-turbo (cs-decode-jpeg.c), end to end
 *
 * Every JPEG here is made by libjpeg's own compressor, with an EXIF segment
 * built by hand where a test needs one. The picture and its EXIF preview
 * differ in colour (a red picture, a blue preview), so the thumbnail's
 * pixels say which of the two was decoded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* memfd_create() */
#define _GNU_SOURCE

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <jpeglib.h>

#include "cs-test-images.h"
#include "cs-test-util.h"
#include "cs-decode.h"
#include "cs-decode-util.h"
#include "cs-decode-jpeg.h"
#include "cs-thumbnailer.h"

#define RED    0xd22828
#define BLUE   0x2828d2
#define GREEN  0x28c828
#define YELLOW 0xe6dc28

/* Solid colours survive two JPEG encodings and a scale-down well within
 * this; red, blue and grey are over 100 apart. */
#define COLOUR_TOLERANCE 40.0
/* Mean difference per channel from a full-size decode scaled down. */
#define SHARPNESS_TOLERANCE 50.0
/* Smooth pictures, compared cell by cell. */
#define CELL_TOLERANCE 12.0

#define TRUNCATED_MESSAGE "The file is truncated: its image data stops before the end"

typedef CsTestDir Fixture;

/* --- making JPEGs ------------------------------------------------------- */

static void
on_compress_error (j_common_ptr cinfo)
{
  char message[JMSG_LENGTH_MAX];

  cinfo->err->format_message (cinfo, message);
  g_error ("libjpeg cannot write the test image: %s", message);
}

/* @components bytes a pixel in @space; @app1, when given, is written as an
 * APP1 segment in place of the JFIF one, as cameras do. */
static GBytes *
encode_raw (const guint8 *pixels,
            int           width,
            int           height,
            gsize         stride,
            int           components,
            J_COLOR_SPACE space,
            gboolean      progressive,
            GByteArray   *app1)
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr err;
  unsigned char *out = NULL;
  unsigned long out_len = 0;
  GBytes *bytes;

  cinfo.err = jpeg_std_error (&err);
  err.error_exit = on_compress_error;
  jpeg_create_compress (&cinfo);
  jpeg_mem_dest (&cinfo, &out, &out_len);

  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = components;
  cinfo.in_color_space = space;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, 90, TRUE);
  if (progressive)
    jpeg_simple_progression (&cinfo);
  if (app1 != NULL)
    cinfo.write_JFIF_header = FALSE;

  jpeg_start_compress (&cinfo, TRUE);
  if (app1 != NULL)
    {
      g_assert_cmpuint (app1->len, <=, 65533);
      jpeg_write_marker (&cinfo, JPEG_APP0 + 1, app1->data, app1->len);
    }
  while (cinfo.next_scanline < cinfo.image_height)
    {
      JSAMPROW row = (JSAMPROW) pixels + (gsize) cinfo.next_scanline * stride;

      jpeg_write_scanlines (&cinfo, &row, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);

  bytes = g_bytes_new (out, out_len);
  free (out);

  return bytes;
}

static GBytes *
encode (GdkPixbuf  *pixbuf,
        gboolean    progressive,
        GByteArray *app1)
{
  g_assert_false (gdk_pixbuf_get_has_alpha (pixbuf));

  return encode_raw (gdk_pixbuf_read_pixels (pixbuf),
                     gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf),
                     gdk_pixbuf_get_rowstride (pixbuf), 3, JCS_RGB, progressive, app1);
}

/* @colour all over but for the top-left corner, a quarter of each side,
 * in @marker (unless 0): where that corner ends up shows how the picture
 * was turned. */
static GdkPixbuf *
make_picture (int     width,
              int     height,
              guint32 colour,
              guint32 marker)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);

  gdk_pixbuf_fill (pixbuf, colour << 8 | 0xff);
  if (marker != 0)
    {
      g_autoptr(GdkPixbuf) corner = gdk_pixbuf_new_subpixbuf (pixbuf, 0, 0,
                                                              MAX (1, width / 4),
                                                              MAX (1, height / 4));

      gdk_pixbuf_fill (corner, marker << 8 | 0xff);
    }

  return pixbuf;
}

/* @colour give or take some noise: a JPEG of it is mostly scan data, so
 * that cutting it short loses pixels rather than tables. */
static GdkPixbuf *
make_noisy_picture (int     width,
                    int     height,
                    guint32 colour)
{
  GdkPixbuf *pixbuf = make_picture (width, height, colour, 0);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width * 3; x++)
      {
        guint8 *p = pixels + (gsize) y * stride + x;

        *p = CLAMP (*p + g_rand_int_range (rand, -24, 25), 0, 255);
      }

  return pixbuf;
}

static GBytes *
make_jpeg (int         width,
           int         height,
           guint32     colour,
           guint32     marker,
           GByteArray *app1)
{
  g_autoptr(GdkPixbuf) pixbuf = make_picture (width, height, colour, marker);

  return encode (pixbuf, FALSE, app1);
}

/* --- EXIF, by hand ------------------------------------------------------ */

/* Where things are in the TIFF structure exif_new() writes (offsets from
 * its header, which follows "Exif\0\0"): IFD0 holds the Orientation, IFD1
 * the preview's Compression, JPEGInterchangeFormat and its length. */
enum
{
  TIFF_IFD0_POINTER = 4,
  TIFF_IFD0 = 8,
  TIFF_ORIENTATION_TYPE = TIFF_IFD0 + 2 + 2,
  TIFF_IFD1_POINTER = TIFF_IFD0 + 2 + 12,
  TIFF_IFD1 = TIFF_IFD1_POINTER + 4,
  TIFF_PREVIEW_OFFSET = TIFF_IFD1 + 2 + 12 + 8,
  TIFF_PREVIEW_LENGTH = TIFF_IFD1 + 2 + 24 + 8,
  TIFF_PREVIEW = TIFF_IFD1 + 2 + 36 + 4,
};

#define EXIF_HEADER 6

typedef struct
{
  GByteArray *data;
  gboolean    little_endian;
} Exif;

static void
exif_put16 (Exif  *exif,
            gsize  at,
            guint  value)
{
  guint8 *p = exif->data->data + EXIF_HEADER + at;

  g_assert_cmpuint (EXIF_HEADER + at + 2, <=, exif->data->len);
  p[exif->little_endian ? 0 : 1] = value & 0xff;
  p[exif->little_endian ? 1 : 0] = value >> 8 & 0xff;
}

static void
exif_put32 (Exif    *exif,
            gsize    at,
            guint32  value)
{
  exif_put16 (exif, at + (exif->little_endian ? 0 : 2), value & 0xffff);
  exif_put16 (exif, at + (exif->little_endian ? 2 : 0), value >> 16);
}

static void
exif_put_entry (Exif    *exif,
                gsize    at,
                guint    tag,
                guint    type,
                guint32  value)
{
  exif_put16 (exif, at, tag);
  exif_put16 (exif, at + 2, type);
  exif_put32 (exif, at + 4, 1);
  if (type == 3)
    exif_put16 (exif, at + 8, value);
  else
    exif_put32 (exif, at + 8, value);
}

/* An APP1 payload: IFD0 with the Orientation @orientation, and when
 * @preview is given, IFD1 pointing at it. */
static Exif
exif_new (gboolean  little_endian,
          guint     orientation,
          GBytes   *preview)
{
  Exif exif = { g_byte_array_new (), little_endian };
  gsize len = preview ? TIFF_PREVIEW + g_bytes_get_size (preview) : TIFF_IFD1;

  g_byte_array_append (exif.data, (const guint8 *) "Exif\0\0", EXIF_HEADER);
  g_byte_array_set_size (exif.data, EXIF_HEADER + len);
  memset (exif.data->data + EXIF_HEADER, 0, len);

  memcpy (exif.data->data + EXIF_HEADER, little_endian ? "II" : "MM", 2);
  exif_put16 (&exif, 2, 42);
  exif_put32 (&exif, TIFF_IFD0_POINTER, TIFF_IFD0);
  exif_put16 (&exif, TIFF_IFD0, 1);
  exif_put_entry (&exif, TIFF_IFD0 + 2, 0x0112, 3, orientation);

  if (preview != NULL)
    {
      exif_put32 (&exif, TIFF_IFD1_POINTER, TIFF_IFD1);
      exif_put16 (&exif, TIFF_IFD1, 3);
      exif_put_entry (&exif, TIFF_IFD1 + 2, 0x0103, 3, 6);
      exif_put_entry (&exif, TIFF_IFD1 + 2 + 12, 0x0201, 4, TIFF_PREVIEW);
      exif_put_entry (&exif, TIFF_IFD1 + 2 + 24, 0x0202, 4, g_bytes_get_size (preview));
      memcpy (exif.data->data + EXIF_HEADER + TIFF_PREVIEW,
              g_bytes_get_data (preview, NULL), g_bytes_get_size (preview));
    }

  return exif;
}

static void
exif_clear (Exif *exif)
{
  g_clear_pointer (&exif->data, g_byte_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Exif, exif_clear)

/* A camera file: a @width x @height red picture (with a green corner when
 * @marked), EXIF Orientation @orientation and a blue @preview_width x
 * @preview_height preview (with a yellow corner when @marked), or none when
 * its width is 0. */
static GBytes *
make_camera_jpeg (int      width,
                  int      height,
                  guint    orientation,
                  int      preview_width,
                  int      preview_height,
                  gboolean marked)
{
  g_autoptr(GBytes) preview = NULL;
  g_auto(Exif) exif = { NULL, FALSE };

  if (preview_width > 0)
    preview = make_jpeg (preview_width, preview_height, BLUE, marked ? YELLOW : 0, NULL);
  exif = exif_new (FALSE, orientation, preview);

  return make_jpeg (width, height, RED, marked ? GREEN : 0, exif.data);
}

/* --- the thumbnailer and what it made ----------------------------------- */

static char *
write_file (Fixture    *f,
            const char *name,
            GBytes     *bytes,
            gsize       len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_cmpuint (len, <=, g_bytes_get_size (bytes));
  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), len, &error);
  g_assert_no_error (error);

  return path;
}

static char *
write_jpeg (Fixture    *f,
            const char *name,
            GBytes     *bytes)
{
  return write_file (f, name, bytes, g_bytes_get_size (bytes));
}

static CsResult *
process_path (CsThumbnailer *thumbnailer,
              const char    *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return cs_thumbnailer_process (thumbnailer, file, NULL, NULL);
}

/* Thumbnails @path at @size (longest side) and reads the thumbnail back;
 * @result, if given, gets what the thumbnailer said. */
static GdkPixbuf *
thumbnail (const char  *path,
           guint        size,
           CsResult   **result)
{
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, size, NULL);
  g_autoptr(CsResult) processed = process_path (thumbnailer, path);
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf;

  g_assert_no_error (cs_result_get_error (processed));
  pixbuf = gdk_pixbuf_new_from_file (cs_result_get_thumbnail_path (processed), &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, cs_result_get_width (processed));
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, cs_result_get_height (processed));

  if (result != NULL)
    *result = g_steal_pointer (&processed);

  return pixbuf;
}

/* The same, checking the thumbnail's size and the picture's as reported. */
static GdkPixbuf *
thumbnail_at (const char *path,
              guint       size,
              int         width,
              int         height,
              int         image_width,
              int         image_height)
{
  g_autoptr(CsResult) result = NULL;
  GdkPixbuf *pixbuf = thumbnail (path, size, &result);

  g_assert_cmpint (cs_result_get_width (result), ==, width);
  g_assert_cmpint (cs_result_get_height (result), ==, height);
  g_assert_cmpint (cs_result_get_image_width (result), ==, image_width);
  g_assert_cmpint (cs_result_get_image_height (result), ==, image_height);

  return pixbuf;
}

static void
assert_fails_at (const char *path,
                 guint       size,
                 int         code,
                 const char *message)
{
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, size, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *output = cs_thumbnailer_get_output_path (thumbnailer, file, NULL);
  g_autoptr(CsResult) result = NULL;
  const GError *error;

  /* What an earlier, successful size left there. */
  g_remove (output);
  result = cs_thumbnailer_process (thumbnailer, file, NULL, NULL);
  error = cs_result_get_error (result);

  g_assert_nonnull (error);
  g_test_message ("%s at %u: %s", path, size, error->message);
  g_assert_error (error, CS_THUMB_ERROR, code);
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
  g_assert_false (g_file_test (cs_result_get_thumbnail_path (result), G_FILE_TEST_EXISTS));
}

/* The mean colour of a part of @pixbuf, its corners given as fractions. */
static void
region_mean (GdkPixbuf *pixbuf,
             double     x0,
             double     y0,
             double     x1,
             double     y1,
             double     mean[3])
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  int left = (int) (x0 * width);
  int top = (int) (y0 * height);
  int right = MAX (left + 1, (int) (x1 * width));
  int bottom = MAX (top + 1, (int) (y1 * height));
  double sum[3] = { 0, 0, 0 };

  g_assert_cmpint (right, <=, width);
  g_assert_cmpint (bottom, <=, height);

  for (int y = top; y < bottom; y++)
    for (int x = left; x < right; x++)
      for (int c = 0; c < 3; c++)
        sum[c] += pixels[(gsize) y * stride + (gsize) x * channels + c];

  for (int c = 0; c < 3; c++)
    mean[c] = sum[c] / ((double) (right - left) * (bottom - top));
}

static double
channel (guint32 rgb,
         int     c)
{
  return (rgb >> (16 - 8 * c)) & 0xff;
}

static void
assert_region (GdkPixbuf *pixbuf,
               double     x0,
               double     y0,
               double     x1,
               double     y1,
               guint32    rgb)
{
  double mean[3];

  region_mean (pixbuf, x0, y0, x1, y1, mean);
  g_test_message ("(%.2f, %.2f)-(%.2f, %.2f): %.0f %.0f %.0f, expected %06x",
                  x0, y0, x1, y1, mean[0], mean[1], mean[2], rgb);
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat_with_epsilon (mean[c], channel (rgb, c), COLOUR_TOLERANCE);
}

/* @rgb everywhere: each cell of a 3 x 3 grid. */
static void
assert_uniform (GdkPixbuf *pixbuf,
                guint32    rgb)
{
  for (int j = 0; j < 3; j++)
    for (int i = 0; i < 3; i++)
      assert_region (pixbuf, i / 3.0, j / 3.0, (i + 1) / 3.0, (j + 1) / 3.0, rgb);
}

typedef enum
{
  TOP_LEFT,
  TOP_RIGHT,
  BOTTOM_RIGHT,
  BOTTOM_LEFT,
} Corner;

/* @marker inside @corner's quarter, @background in the other corners. */
static void
assert_marker_at (GdkPixbuf *pixbuf,
                  Corner     corner,
                  guint32    marker,
                  guint32    background)
{
  static const double xs[] = { 0.03, 0.80, 0.80, 0.03 };
  static const double ys[] = { 0.03, 0.03, 0.80, 0.80 };

  for (int c = TOP_LEFT; c <= BOTTOM_LEFT; c++)
    assert_region (pixbuf, xs[c], ys[c], xs[c] + 0.17, ys[c] + 0.17,
                   c == (int) corner ? marker : background);
}

#define GRID 4

static void
grid_means (GdkPixbuf *pixbuf,
            double     means[GRID][GRID][3])
{
  for (int j = 0; j < GRID; j++)
    for (int i = 0; i < GRID; i++)
      region_mean (pixbuf, (double) i / GRID, (double) j / GRID,
                   (double) (i + 1) / GRID, (double) (j + 1) / GRID, means[j][i]);
}

/* The same picture, cell by cell, within @tolerance. */
static void
assert_same_picture (GdkPixbuf *a,
                     GdkPixbuf *b,
                     double     tolerance)
{
  double ma[GRID][GRID][3], mb[GRID][GRID][3];

  grid_means (a, ma);
  grid_means (b, mb);
  for (int j = 0; j < GRID; j++)
    for (int i = 0; i < GRID; i++)
      {
        g_test_message ("cell %d,%d: %.0f %.0f %.0f against %.0f %.0f %.0f", i, j,
                        ma[j][i][0], ma[j][i][1], ma[j][i][2],
                        mb[j][i][0], mb[j][i][1], mb[j][i][2]);
        for (int c = 0; c < 3; c++)
          g_assert_cmpfloat_with_epsilon (ma[j][i][c], mb[j][i][c], tolerance);
      }
}

/* The offset of the @nth (from 0) @marker in @jpeg, or -1. Walks the
 * segments and steps over entropy-coded data, so that bytes inside tables
 * or scans are never taken for a marker. */
static gssize
find_marker (GBytes *jpeg,
             guint8  marker,
             guint   nth)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (jpeg, &len);
  gsize at = 2;

  while (at + 4 <= len && data[at] == 0xff)
    {
      guint8 code = data[at + 1];

      if (code == 0xff)
        {
          at++;
          continue;
        }
      if (code == marker)
        {
          if (nth == 0)
            return at;
          nth--;
        }
      if (code == JPEG_EOI)
        break;

      at += 2 + (data[at + 2] << 8 | data[at + 3]);
      if (code == 0xda)
        while (at + 1 < len &&
               !(data[at] == 0xff && data[at + 1] != 0 &&
                 !(data[at + 1] >= 0xd0 && data[at + 1] <= 0xd7)))
          at++;
    }

  return -1;
}

/* --- the EXIF preview --------------------------------------------------- */

static void
test_preview_used (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) jpeg = make_camera_jpeg (1600, 1200, 1, 160, 120, FALSE);
  g_autofree char *path = write_jpeg (f, "camera.jpg", jpeg);
  g_autoptr(GdkPixbuf) thumb = thumbnail_at (path, 128, 128, 96, 1600, 1200);

  assert_uniform (thumb, BLUE);

  /* A preview exactly the thumbnail's size will do too. */
  {
    g_autoptr(GBytes) exact = make_camera_jpeg (1600, 1200, 1, 256, 192, FALSE);
    g_autofree char *exact_path = write_jpeg (f, "exact.jpg", exact);
    g_autoptr(GdkPixbuf) exact_thumb = thumbnail_at (exact_path, 256, 256, 192, 1600, 1200);

    assert_uniform (exact_thumb, BLUE);
  }
}

/* Only the file's first kilobytes are read when the preview will do: the
 * picture's own data, cut short, is never reached. */
static void
test_preview_reads_little (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (1600, 1200, 2, FALSE);
  g_autoptr(GBytes) preview = make_jpeg (160, 120, BLUE, 0, NULL);
  g_auto(Exif) exif = exif_new (FALSE, 1, preview);
  g_autoptr(GBytes) jpeg = encode (source, FALSE, exif.data);
  g_autofree char *path = write_file (f, "cut.jpg", jpeg, g_bytes_get_size (jpeg) / 2);
  g_autoptr(GdkPixbuf) thumb = thumbnail_at (path, 128, 128, 96, 1600, 1200);

  assert_uniform (thumb, BLUE);
}

/* A preview of another shape has bars or a crop that the picture has not. */
static void
test_preview_shape (Fixture       *f,
                    gconstpointer  data)
{
  static const struct {
    int      width, height;
    int      preview_width, preview_height;
    guint32  colour;
  } cases[] = {
    /* 3:2 picture, 4:3 preview (letterboxed). */
    { 1500, 1000, 160, 120, RED },
    /* A square crop of a 4:3 picture. */
    { 1600, 1200, 120, 120, RED },
    /* Portrait preview of a landscape picture. */
    { 1600, 1200, 120, 160, RED },
    /* 1600 x 1067 scaled to 160 wide is 106.7 tall: 106 and 107 are within
     * a pixel, 105 and 109 are not. */
    { 1600, 1067, 160, 107, BLUE },
    { 1600, 1067, 160, 106, BLUE },
    { 1600, 1067, 160, 105, RED },
    { 1600, 1067, 160, 109, RED },
    /* The same, standing. */
    { 1067, 1600, 107, 160, BLUE },
    { 1067, 1600, 104, 160, RED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("shape-%u.jpg", i);
      g_autoptr(GBytes) jpeg = make_camera_jpeg (cases[i].width, cases[i].height, 1,
                                                 cases[i].preview_width,
                                                 cases[i].preview_height, FALSE);
      g_autofree char *path = write_jpeg (f, name, jpeg);
      gboolean landscape = cases[i].width >= cases[i].height;
      int shorter = landscape ? cases[i].height : cases[i].width;
      int longer = landscape ? cases[i].width : cases[i].height;
      int fit = (int) ((double) shorter * 128 / longer + 0.5);
      g_autoptr(CsResult) result = NULL;
      g_autoptr(GdkPixbuf) thumb = NULL;

      g_test_message ("%d x %d with a %d x %d preview", cases[i].width, cases[i].height,
                      cases[i].preview_width, cases[i].preview_height);
      thumb = thumbnail (path, 128, &result);
      g_assert_cmpint (cs_result_get_image_width (result), ==, cases[i].width);
      g_assert_cmpint (cs_result_get_image_height (result), ==, cases[i].height);
      /* The short side may round the other way: it follows whichever was
       * decoded, the preview or the picture at 1/8. */
      g_assert_cmpint (landscape ? cs_result_get_width (result) : cs_result_get_height (result),
                       ==, 128);
      g_assert_cmpint (ABS ((landscape ? cs_result_get_height (result)
                                       : cs_result_get_width (result)) - fit), <=, 1);
      assert_uniform (thumb, cases[i].colour);
    }
}

/* Previews smaller than the thumbnail, or no smaller than the picture. */
static void
test_preview_size (Fixture       *f,
                   gconstpointer  data)
{
  static const struct {
    int      width, height;
    int      preview_width, preview_height;
    guint    size;
    int      thumb_width, thumb_height;
  } cases[] = {
    { 1600, 1200, 160, 120, 256, 256, 192 },
    { 1600, 1200, 255, 191, 256, 256, 192 },
    { 320, 240, 320, 240, 128, 128, 96 },
    { 320, 240, 480, 360, 128, 128, 96 },
    /* A picture smaller than the thumbnail is not enlarged. */
    { 100, 75, 80, 60, 64, 64, 48 },
    { 100, 75, 80, 60, 128, 100, 75 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("size-%u.jpg", i);
      g_autoptr(GBytes) jpeg = make_camera_jpeg (cases[i].width, cases[i].height, 1,
                                                 cases[i].preview_width,
                                                 cases[i].preview_height, FALSE);
      g_autofree char *path = write_jpeg (f, name, jpeg);
      g_autoptr(GdkPixbuf) thumb = NULL;

      g_test_message ("%d x %d with a %d x %d preview, at %u", cases[i].width, cases[i].height,
                      cases[i].preview_width, cases[i].preview_height, cases[i].size);
      thumb = thumbnail_at (path, cases[i].size, cases[i].thumb_width, cases[i].thumb_height,
                            cases[i].width, cases[i].height);
      /* Only the 64-pixel thumbnail of the small picture may use its preview:
       * 80 x 60 is at least 64 and smaller than the picture. */
      assert_uniform (thumb, cases[i].size == 64 ? BLUE : RED);
    }
}

/* Whatever is wrong with the preview, the picture is there to decode. */
static void
test_preview_broken (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) good = make_jpeg (160, 120, BLUE, 0, NULL);
  const guint8 *good_data = g_bytes_get_data (good, NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GPtrArray) previews = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GByteArray) noise = g_byte_array_new ();
  g_autoptr(GByteArray) soi_noise = g_byte_array_new ();
  gssize sos = find_marker (good, 0xda, 0);

  for (guint i = 0; i < 4000; i++)
    {
      guint8 byte = g_rand_int_range (rand, 0, 256);

      g_byte_array_append (noise, &byte, 1);
    }
  g_byte_array_append (soi_noise, (const guint8 *) "\xff\xd8\xff", 3);
  g_byte_array_append (soi_noise, noise->data, 2000);

  g_assert_cmpint (sos, >, 0);

  /* The good one first: it would do. Then random bytes; a JPEG start and
   * random bytes; the tables without a scan. (Previews cut short:
   * test_truncated_preview.) */
  g_ptr_array_add (previews, g_bytes_ref (good));
  g_ptr_array_add (previews, g_bytes_new (noise->data, noise->len));
  g_ptr_array_add (previews, g_bytes_new (soi_noise->data, soi_noise->len));
  g_ptr_array_add (previews, g_bytes_new (good_data, sos));

  /* A CMYK preview, which cs-decode-jpeg.c does not convert. */
  {
    g_autofree guint8 *cmyk = g_malloc (160 * 120 * 4);

    for (gsize i = 0; i < 160 * 120; i++)
      memcpy (cmyk + i * 4, "\x00\x00\xff\x00", 4);
    g_ptr_array_add (previews, encode_raw (cmyk, 160, 120, 160 * 4, 4, JCS_CMYK, FALSE, NULL));
  }

  for (guint i = 0; i < previews->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("broken-%u.jpg", i);
      g_auto(Exif) exif = exif_new (FALSE, 1, g_ptr_array_index (previews, i));
      g_autoptr(GBytes) jpeg = make_jpeg (1600, 1200, RED, 0, exif.data);
      g_autofree char *path = write_jpeg (f, name, jpeg);
      g_autoptr(GdkPixbuf) thumb = NULL;

      g_test_message ("preview %u", i);
      thumb = thumbnail_at (path, 128, 128, 96, 1600, 1200);
      assert_uniform (thumb, i == 0 ? BLUE : RED);
    }
}

typedef void (*ExifDamage) (Exif *exif);

static void
damage_offset_past_end (Exif *exif)
{
  exif_put32 (exif, TIFF_PREVIEW_OFFSET, exif->data->len - EXIF_HEADER + 100);
}

static void
damage_length_past_end (Exif *exif)
{
  exif_put32 (exif, TIFF_PREVIEW_LENGTH, exif->data->len);
}

static void
damage_offset_wraps (Exif *exif)
{
  exif_put32 (exif, TIFF_PREVIEW_OFFSET, 0xfffffff0);
  exif_put32 (exif, TIFF_PREVIEW_LENGTH, 0x20);
}

static void
damage_length_huge (Exif *exif)
{
  exif_put32 (exif, TIFF_PREVIEW_LENGTH, 0xffffffff);
}

static void
damage_ifd0_huge (Exif *exif)
{
  exif_put32 (exif, TIFF_IFD0_POINTER, 0xfffffff0);
}

static void
damage_ifd0_past_end (Exif *exif)
{
  exif_put32 (exif, TIFF_IFD0_POINTER, exif->data->len - EXIF_HEADER - 1);
}

static void
damage_ifd1_huge (Exif *exif)
{
  exif_put32 (exif, TIFF_IFD1_POINTER, 0xfffffff0);
}

static void
damage_ifd1_is_header (Exif *exif)
{
  exif_put32 (exif, TIFF_IFD1_POINTER, 2);
}

static void
damage_ifd0_count_huge (Exif *exif)
{
  exif_put16 (exif, TIFF_IFD0, 0xffff);
}

/* Nothing to find among them: the search runs to the segment's end. */
static void
damage_ifd0_count_huge_no_orientation (Exif *exif)
{
  exif_put16 (exif, TIFF_IFD0, 0xffff);
  exif_put16 (exif, TIFF_IFD0 + 2, 0x0131);
}

static void
damage_ifd1_count_huge_no_preview (Exif *exif)
{
  exif_put16 (exif, TIFF_IFD1, 0xffff);
  exif_put16 (exif, TIFF_IFD1 + 2 + 12, 0x0131);
}

static void
damage_ifd1_loops (Exif *exif)
{
  exif_put32 (exif, TIFF_IFD1_POINTER, TIFF_IFD0);
}

static void
damage_preview_is_tiff (Exif *exif)
{
  exif_put32 (exif, TIFF_PREVIEW_OFFSET, 0);
}

static void
damage_wrong_types (Exif *exif)
{
  /* ASCII instead of LONG. */
  exif_put16 (exif, TIFF_IFD1 + 2 + 12 + 2, 2);
  exif_put16 (exif, TIFF_IFD1 + 2 + 24 + 2, 2);
}

static void
damage_segment_short (Exif *exif)
{
  g_byte_array_set_size (exif->data, EXIF_HEADER + 10);
}

static void
damage_segment_cut_in_ifd0 (Exif *exif)
{
  g_byte_array_set_size (exif->data, EXIF_HEADER + TIFF_IFD0 + 7);
}

static void
damage_byte_order (Exif *exif)
{
  memcpy (exif->data->data + EXIF_HEADER, "MI", 2);
}

/* EXIF that points outside itself: the picture is decoded, nothing breaks. */
static void
test_exif_hostile (Fixture       *f,
                   gconstpointer  data)
{
  static const ExifDamage damages[] = {
    damage_offset_past_end, damage_length_past_end, damage_offset_wraps,
    damage_length_huge, damage_ifd0_huge, damage_ifd0_past_end, damage_ifd1_huge,
    damage_ifd1_is_header, damage_ifd0_count_huge, damage_ifd0_count_huge_no_orientation,
    damage_ifd1_count_huge_no_preview, damage_ifd1_loops, damage_preview_is_tiff,
    damage_wrong_types, damage_segment_short, damage_segment_cut_in_ifd0, damage_byte_order,
  };
  g_autoptr(GBytes) preview = make_jpeg (160, 120, BLUE, 0, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (damages); i++)
    {
      g_autofree char *name = g_strdup_printf ("hostile-%u.jpg", i);
      g_auto(Exif) exif = exif_new (i % 2 == 1, 1, preview);
      g_autoptr(GBytes) jpeg = NULL;
      g_autofree char *path = NULL;
      g_autoptr(GdkPixbuf) thumb = NULL;

      damages[i] (&exif);
      jpeg = make_jpeg (1600, 1200, RED, 0, exif.data);
      path = write_jpeg (f, name, jpeg);

      g_test_message ("damaged EXIF %u", i);
      thumb = thumbnail_at (path, 128, 128, 96, 1600, 1200);
      assert_uniform (thumb, RED);
    }
}

/* --- orientation -------------------------------------------------------- */

/* Stored with the marker top-left, shown as EXIF Orientation says: by the
 * corner it ends up in and whether the sides swap, all eight differ. */
static const struct {
  Corner   corner;
  gboolean swapped;
} orientations[] = {
  [1] = { TOP_LEFT, FALSE },      /* as stored */
  [2] = { TOP_RIGHT, FALSE },     /* mirrored left to right */
  [3] = { BOTTOM_RIGHT, FALSE },  /* turned half way */
  [4] = { BOTTOM_LEFT, FALSE },   /* mirrored top to bottom */
  [5] = { TOP_LEFT, TRUE },       /* mirrored along the main diagonal */
  [6] = { TOP_RIGHT, TRUE },      /* turned clockwise */
  [7] = { BOTTOM_RIGHT, TRUE },   /* mirrored along the other diagonal */
  [8] = { BOTTOM_LEFT, TRUE },    /* turned anticlockwise */
};

static void
check_orientation (Fixture  *f,
                   guint     orientation,
                   gboolean  with_preview)
{
  g_autofree char *name = g_strdup_printf ("turned-%u-%d.jpg", orientation, with_preview);
  g_autoptr(GBytes) jpeg = make_camera_jpeg (1600, 1200, orientation,
                                             with_preview ? 160 : 0, 120, TRUE);
  g_autofree char *path = write_jpeg (f, name, jpeg);
  gboolean swapped = orientations[orientation].swapped;
  g_autoptr(GdkPixbuf) thumb = NULL;

  g_test_message ("orientation %u, %s preview", orientation, with_preview ? "with" : "no");
  thumb = thumbnail_at (path, 128, swapped ? 96 : 128, swapped ? 128 : 96,
                        swapped ? 1200 : 1600, swapped ? 1600 : 1200);
  if (with_preview)
    assert_marker_at (thumb, orientations[orientation].corner, YELLOW, BLUE);
  else
    assert_marker_at (thumb, orientations[orientation].corner, GREEN, RED);
}

static void
test_orientation (Fixture       *f,
                  gconstpointer  data)
{
  for (guint orientation = 1; orientation <= 8; orientation++)
    {
      check_orientation (f, orientation, FALSE);
      check_orientation (f, orientation, TRUE);
    }
}

/* Little-endian EXIF ("II"), as most cameras write it. */
static void
test_orientation_little_endian (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GBytes) preview = make_jpeg (160, 120, BLUE, YELLOW, NULL);
  g_auto(Exif) exif = exif_new (TRUE, 6, preview);
  g_autoptr(GBytes) jpeg = make_jpeg (1600, 1200, RED, GREEN, exif.data);
  g_autofree char *path = write_jpeg (f, "intel.jpg", jpeg);
  g_autoptr(GdkPixbuf) thumb = thumbnail_at (path, 128, 96, 128, 1200, 1600);

  assert_marker_at (thumb, TOP_RIGHT, YELLOW, BLUE);
}

/* Orientation values that mean nothing leave the picture as stored. */
static void
test_orientation_nonsense (Fixture       *f,
                           gconstpointer  data)
{
  static const guint values[] = { 0, 9, 0x106, 0xffff };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *name = g_strdup_printf ("nonsense-%u.jpg", i);
      g_autoptr(GBytes) jpeg = make_camera_jpeg (1600, 1200, values[i], 0, 0, TRUE);
      g_autofree char *path = write_jpeg (f, name, jpeg);
      g_autoptr(GdkPixbuf) thumb = NULL;

      g_test_message ("orientation %u", values[i]);
      thumb = thumbnail_at (path, 128, 128, 96, 1600, 1200);
      assert_marker_at (thumb, TOP_LEFT, GREEN, RED);
    }

  /* Orientation 6 typed as ASCII is no orientation. */
  {
    g_auto(Exif) exif = exif_new (FALSE, 6, NULL);
    g_autoptr(GBytes) jpeg = NULL;
    g_autofree char *path = NULL;
    g_autoptr(GdkPixbuf) thumb = NULL;

    exif_put16 (&exif, TIFF_ORIENTATION_TYPE, 2);
    jpeg = make_jpeg (1600, 1200, RED, GREEN, exif.data);
    path = write_jpeg (f, "ascii.jpg", jpeg);
    thumb = thumbnail_at (path, 128, 128, 96, 1600, 1200);
    assert_marker_at (thumb, TOP_LEFT, GREEN, RED);
  }
}

/* --- progressive files and truncation ----------------------------------- */

static void
test_progressive (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (2048, 1536, 0, FALSE);
  g_autoptr(GBytes) jpeg = encode (source, TRUE, NULL);
  g_autofree char *full = write_jpeg (f, "full.jpg", jpeg);
  gssize first_sos = find_marker (jpeg, 0xda, 0);
  gssize second_sos = find_marker (jpeg, 0xda, 1);
  g_autofree char *first_scan = NULL;
  g_autoptr(GdkPixbuf) reference = NULL;
  g_autoptr(GdkPixbuf) reference_256 = NULL;

  g_assert_cmpint (first_sos, >, 0);
  g_assert_cmpint (second_sos, >, first_sos);
  g_test_message ("%" G_GSIZE_FORMAT " bytes, the first scan from %" G_GSSIZE_FORMAT
                  " to %" G_GSSIZE_FORMAT, g_bytes_get_size (jpeg), first_sos, second_sos);
  /* Otherwise the cut below would prove nothing. */
  g_assert_cmpint (second_sos, <, g_bytes_get_size (jpeg) / 2);

  first_scan = write_file (f, "first-scan.jpg", jpeg, second_sos);

  /* The whole file: at 128 and 256 from 1/8 of its size, at 1024 from 1/2,
   * the same picture. */
  reference = thumbnail_at (full, 128, 128, 96, 2048, 1536);
  reference_256 = thumbnail_at (full, 256, 256, 192, 2048, 1536);
  {
    g_autoptr(GdkPixbuf) big = thumbnail_at (full, 1024, 1024, 768, 2048, 1536);

    assert_same_picture (big, reference, CELL_TOLERANCE);
  }

  /* At 1/8 only the first scan's DC coefficients are needed. */
  {
    g_autoptr(GdkPixbuf) thumb = thumbnail_at (first_scan, 128, 128, 96, 2048, 1536);
    g_autoptr(GdkPixbuf) thumb_256 = thumbnail_at (first_scan, 256, 256, 192, 2048, 1536);

    assert_same_picture (thumb, reference, CELL_TOLERANCE);
    assert_same_picture (thumb_256, reference_256, CELL_TOLERANCE);
  }

  /* Larger thumbnails need every scan. */
  assert_fails_at (first_scan, 257, CS_THUMB_ERROR_CORRUPT, TRUNCATED_MESSAGE);
  assert_fails_at (first_scan, 1024, CS_THUMB_ERROR_CORRUPT, TRUNCATED_MESSAGE);
}

/* --- turns for big buffers ---------------------------------------------- */

typedef struct
{
  const char *path;
  GdkPixbuf  *pixbuf;
  GError     *error;
  gint        done;
} DecodeJob;

static gpointer
decode_in_thread (gpointer data)
{
  DecodeJob *job = data;
  int fd = open (job->path, O_RDONLY | O_CLOEXEC);
  gboolean handled;
  int width, height;

  g_assert_cmpint (fd, >=, 0);
  job->pixbuf = cs_jpeg_decode (fd, 128, G_MAXUINT64, &handled, &width, &height, NULL, &job->error);
  g_assert_true (handled);
  close (fd);
  g_atomic_int_set (&job->done, TRUE);

  return NULL;
}

/* A progressive file keeps every coefficient until its last scan; a big
 * one waits for its turn, while a baseline one, which needs no such
 * buffer, goes ahead. */
static void
test_turns_in_process (Fixture       *f,
                       gconstpointer  data)
{
  /* 4:2:0 coefficients take 3 bytes a pixel: 34 MB for these 11.5 MP. */
  g_autoptr(GdkPixbuf) big_source = make_picture (4096, 2800, RED, GREEN);
  g_autoptr(GdkPixbuf) small_source = make_picture (4096, 2800, BLUE, 0);
  g_autoptr(GBytes) big_jpeg = encode (big_source, TRUE, NULL);
  g_autoptr(GBytes) small_jpeg = encode (small_source, FALSE, NULL);
  g_autofree char *big_path = write_jpeg (f, "progressive.jpg", big_jpeg);
  g_autofree char *small_path = write_jpeg (f, "baseline.jpg", small_jpeg);
  DecodeJob big = { big_path }, small = { small_path };
  GThread *big_thread, *small_thread;
  double mean[3];

  g_assert_true (cs_decode_begin_big_buffer (CS_DECODE_BIG_BUFFER, NULL));
  big_thread = g_thread_new ("big", decode_in_thread, &big);
  small_thread = g_thread_new ("small", decode_in_thread, &small);

  g_thread_join (small_thread);
  g_assert_no_error (small.error);
  g_assert_nonnull (small.pixbuf);
  g_usleep (300 * 1000);
  g_assert_false (g_atomic_int_get (&big.done));

  cs_decode_end_big_buffer ();
  g_thread_join (big_thread);
  g_assert_no_error (big.error);
  g_assert_cmpint (gdk_pixbuf_get_width (big.pixbuf), ==, 512);
  region_mean (big.pixbuf, 0.5, 0.5, 1.0, 1.0, mean);
  g_assert_cmpfloat (mean[0], >, 200);
  g_assert_cmpfloat (mean[1], <, 50);

  /* Its turn is given back once its buffer is freed. */
  g_assert_true (cs_decode_begin_big_buffer (CS_DECODE_BIG_BUFFER, NULL));
  cs_decode_end_big_buffer ();

  g_clear_object (&big.pixbuf);
  g_clear_object (&small.pixbuf);
}

static gint64
resident_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "\nVmRSS:");
  g_assert_nonnull (line);

  return g_ascii_strtoll (line + strlen ("\nVmRSS:"), NULL, 10);
}

/* The coefficients of a big progressive file leave when its decode ends,
 * the second time as well as the first (main() asks for that). In a
 * process of its own: what the other tests left in the heap would hide it. */
static void
test_buffers_returned (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GdkPixbuf) source = NULL;
  g_autoptr(GBytes) jpeg = NULL;
  g_autofree char *path = NULL;
  gint64 before;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  g_test_skip ("A sanitizer's allocator keeps freed memory on purpose");
  return;
#endif

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  source = make_picture (4096, 2800, RED, GREEN);
  jpeg = encode (source, TRUE, NULL);
  path = write_jpeg (f, "progressive.jpg", jpeg);
  g_clear_object (&source);
  g_clear_pointer (&jpeg, g_bytes_unref);
  before = resident_kib ();

  for (int i = 0; i < 2; i++)
    {
      DecodeJob job = { path };

      decode_in_thread (&job);
      g_assert_no_error (job.error);
      g_clear_object (&job.pixbuf);
      g_test_message ("after decode %d: %" G_GINT64_FORMAT " KiB resident, %" G_GINT64_FORMAT
                      " before", i + 1, resident_kib (), before);
      /* The coefficients alone are 34 MB. */
      g_assert_cmpint (resident_kib () - before, <, 8 * 1024);
    }
}

/* A child process that takes the turn through @fd, says so on @ready,
 * and dies @hold_us later without giving it back. */
static GPid
hold_turn_in_child (int    fd,
                    gint64 hold_us)
{
  int ready[2];
  char byte;
  pid_t pid;

  g_assert_cmpint (pipe (ready), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      close (ready[0]);
      cs_decode_share_big_buffer_turns (fd);
      if (!cs_decode_begin_big_buffer (CS_DECODE_BIG_BUFFER, NULL))
        _exit (1);
      if (write (ready[1], "x", 1) != 1)
        _exit (1);
      g_usleep (hold_us);
      _exit (0);
    }

  close (ready[1]);
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  close (ready[0]);

  return pid;
}

/* The helper processes take turns through a file they share; the kernel
 * lets go of a dead helper's turn, and a decode that has waited too long
 * goes ahead without one. */
static void
test_turns_between_processes (Fixture       *f,
                              gconstpointer  data)
{
  int fd = memfd_create ("turns", MFD_CLOEXEC);
  gint64 start;
  GPid child;
  int status;

  g_assert_cmpint (fd, >=, 0);
  cs_decode_share_big_buffer_turns (fd);

  /* Small buffers need no turn. */
  child = hold_turn_in_child (fd, 400 * 1000);
  g_assert_false (cs_decode_begin_big_buffer (CS_DECODE_BIG_BUFFER - 1, NULL));

  /* A big one waits until the child has died. */
  start = g_get_monotonic_time ();
  g_assert_true (cs_decode_begin_big_buffer (CS_DECODE_BIG_BUFFER, NULL));
  g_test_message ("waited %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - start) / 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  cs_decode_end_big_buffer ();

  /* One that hangs holding its turn holds the others up for a while only. */
  child = hold_turn_in_child (fd, 60 * G_USEC_PER_SEC);
  start = g_get_monotonic_time ();
  g_assert_false (cs_decode_begin_big_buffer (CS_DECODE_BIG_BUFFER, NULL));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC);
  kill (child, SIGKILL);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);

  cs_decode_share_big_buffer_turns (-1);
  close (fd);
}

static void
test_truncated_baseline (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (1600, 1200, 1, FALSE);
  g_autoptr(GBytes) jpeg = encode (source, FALSE, NULL);
  gssize sos = find_marker (jpeg, 0xda, 0);
  g_autofree char *half = write_file (f, "half.jpg", jpeg, g_bytes_get_size (jpeg) / 2);
  g_autofree char *header = NULL;
  g_autofree char *start = write_file (f, "start.jpg", jpeg, 3);

  g_assert_cmpint (sos, >, 0);
  header = write_file (f, "header.jpg", jpeg, sos + 14);

  for (guint size = 128; size <= 1024; size *= 2)
    assert_fails_at (half, size, CS_THUMB_ERROR_CORRUPT, TRUNCATED_MESSAGE);
  assert_fails_at (header, 128, CS_THUMB_ERROR_CORRUPT, TRUNCATED_MESSAGE);
  assert_fails_at (start, 128, CS_THUMB_ERROR_CORRUPT, NULL);
}

/* A progressive file cut before its first scan ends: the DC coefficients
 * are not all there, even at 1/8. */
static void
test_truncated_progressive (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (2048, 1536, 0, FALSE);
  g_autoptr(GBytes) jpeg = encode (source, TRUE, NULL);
  gssize first_sos = find_marker (jpeg, 0xda, 0);
  gssize second_sos = find_marker (jpeg, 0xda, 1);
  g_autofree char *header = NULL;
  g_autofree char *mid_scan = NULL;

  g_assert_cmpint (first_sos, >, 0);
  g_assert_cmpint (second_sos, >, first_sos);
  header = write_file (f, "header.jpg", jpeg, first_sos);
  mid_scan = write_file (f, "mid-scan.jpg", jpeg, first_sos + (second_sos - first_sos) / 2);

  assert_fails_at (header, 128, CS_THUMB_ERROR_CORRUPT, TRUNCATED_MESSAGE);
  assert_fails_at (mid_scan, 128, CS_THUMB_ERROR_CORRUPT, TRUNCATED_MESSAGE);
}

/* A preview cut short is no preview: the picture is decoded instead. */
static void
test_truncated_preview (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GdkPixbuf) noisy = make_noisy_picture (160, 120, BLUE);
  g_autoptr(GBytes) preview = encode (noisy, FALSE, NULL);
  gsize len = g_bytes_get_size (preview);
  gssize sos = find_marker (preview, 0xda, 0);
  /* The whole preview first: it would do, were it complete. */
  const gsize cuts[] = { len, sos + (len - sos) / 2, len - 40 };

  g_assert_cmpint (sos, >, 0);

  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_autofree char *name = g_strdup_printf ("cut-preview-%u.jpg", i);
      g_autoptr(GBytes) cut = g_bytes_new_from_bytes (preview, 0, cuts[i]);
      g_auto(Exif) exif = exif_new (FALSE, 1, cut);
      g_autoptr(GBytes) jpeg = make_jpeg (1600, 1200, RED, 0, exif.data);
      g_autofree char *path = write_jpeg (f, name, jpeg);
      g_autoptr(GdkPixbuf) thumb = NULL;

      g_test_message ("preview of %" G_GSIZE_FORMAT " bytes cut to %" G_GSIZE_FORMAT,
                      len, cuts[i]);
      thumb = thumbnail_at (path, 128, 128, 96, 1600, 1200);
      assert_uniform (thumb, i == 0 ? BLUE : RED);
    }
}

/* --- colour spaces ------------------------------------------------------ */

/* CMYK goes to GdkPixbuf, which converts it. */
static void
test_cmyk (Fixture       *f,
           gconstpointer  data)
{
  g_autofree guint8 *cmyk = g_malloc (800 * 600 * 4);
  g_autoptr(GBytes) jpeg = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GdkPixbuf) thumb = NULL;

  for (gsize i = 0; i < 800 * 600; i++)
    memcpy (cmyk + i * 4, "\x20\xd0\xd0\x10", 4);
  jpeg = encode_raw (cmyk, 800, 600, 800 * 4, 4, JCS_CMYK, FALSE, NULL);
  path = write_jpeg (f, "print.jpg", jpeg);

  thumb = thumbnail_at (path, 128, 128, 96, 800, 600);

  /* The colours GdkPixbuf itself sees in the file. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkPixbuf) direct = gdk_pixbuf_new_from_file (path, &error);

    g_assert_no_error (error);
    assert_same_picture (thumb, direct, CELL_TOLERANCE);
  }
}

static void
test_grayscale (Fixture       *f,
                gconstpointer  data)
{
  for (int progressive = 0; progressive <= 1; progressive++)
    {
      int width = progressive ? 2048 : 800;
      int height = width * 3 / 4;
      g_autofree guint8 *grey = g_malloc ((gsize) width * height);
      g_autofree char *name = g_strdup_printf ("grey-%d.jpg", progressive);
      g_autoptr(GBytes) jpeg = NULL;
      g_autofree char *path = NULL;
      g_autoptr(GdkPixbuf) thumb = NULL;

      memset (grey, 100, (gsize) width * height);
      jpeg = encode_raw (grey, width, height, width, 1, JCS_GRAYSCALE, progressive, NULL);
      path = write_jpeg (f, name, jpeg);

      thumb = thumbnail_at (path, 128, 128, 96, width, height);
      assert_uniform (thumb, 0x646464);
    }
}

/* --- DCT scaling and the pixel limit ------------------------------------ */

/* Each size from its own DCT scale (1/8, 1/8, 1/4, 1/2), always exactly the
 * size asked for and the same picture as the source's. */
static void
test_sizes (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (4000, 3000, 0, FALSE);

  for (int progressive = 0; progressive <= 1; progressive++)
    {
      g_autofree char *name = g_strdup_printf ("big-%d.jpg", progressive);
      g_autoptr(GBytes) jpeg = encode (source, progressive, NULL);
      g_autofree char *path = write_jpeg (f, name, jpeg);

      for (guint size = 128; size <= 1024; size *= 2)
        {
          g_autoptr(GdkPixbuf) thumb = thumbnail_at (path, size, size, size * 3 / 4, 4000, 3000);

          g_test_message ("%s at %u", progressive ? "progressive" : "baseline", size);
          assert_same_picture (thumb, source, CELL_TOLERANCE);
        }
    }
}

/* A file whose only loss is its end marker (some writers leave it out) has
 * every pixel: a thumbnail, as everywhere else. Cut further back, into the
 * rows, it is a file cut short. */
static void
test_missing_end_marker (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (1600, 1200, 2, FALSE);
  g_autoptr(GBytes) jpeg = encode (source, FALSE, NULL);
  gsize len = g_bytes_get_size (jpeg);
  const guint8 *bytes = g_bytes_get_data (jpeg, NULL);
  g_autofree char *no_eoi = NULL;
  g_autofree char *cut = NULL;

  g_assert_cmpint (bytes[len - 2], ==, 0xFF);
  g_assert_cmpint (bytes[len - 1], ==, 0xD9);
  no_eoi = write_file (f, "no-eoi.jpg", jpeg, len - 2);
  cut = write_file (f, "cut.jpg", jpeg, len * 3 / 4);

  for (guint size = 128; size <= 1024; size *= 2)
    {
      g_autoptr(GdkPixbuf) thumb = thumbnail_at (no_eoi, size, size, size * 3 / 4, 1600, 1200);

      assert_same_picture (thumb, source, CELL_TOLERANCE);
      assert_fails_at (cut, size, CS_THUMB_ERROR_CORRUPT, TRUNCATED_MESSAGE);
    }
}

/* The thumbnail's sides come from the picture's, whatever was decoded: a
 * 1/8 decode or a preview rounds them its own way. */
/* Vertical lines, black and white, two thumbnail pixels wide each at
 * @size: detail a thumbnail of that size can just hold. */
static GdkPixbuf *
make_lines (int   width,
            int   height,
            guint size)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  double per_pixel = (double) size / MAX (width, height);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      memset (pixels + (gsize) y * stride + (gsize) x * 3,
              fmod (x * per_pixel, 4.0) < 2.0 ? 0 : 255, 3);

  return pixbuf;
}

/* The mean difference, per channel, of two pictures of one size. */
static double
mean_difference (GdkPixbuf *a,
                 GdkPixbuf *b)
{
  int width = gdk_pixbuf_get_width (a);
  int height = gdk_pixbuf_get_height (a);
  const guint8 *pa = gdk_pixbuf_read_pixels (a);
  const guint8 *pb = gdk_pixbuf_read_pixels (b);
  int na = gdk_pixbuf_get_n_channels (a), nb = gdk_pixbuf_get_n_channels (b);
  double sum = 0;

  g_assert_cmpint (gdk_pixbuf_get_width (b), ==, width);
  g_assert_cmpint (gdk_pixbuf_get_height (b), ==, height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      for (int c = 0; c < 3; c++)
        sum += fabs ((double) pa[(gsize) y * gdk_pixbuf_get_rowstride (a) + (gsize) x * na + c] -
                     pb[(gsize) y * gdk_pixbuf_get_rowstride (b) + (gsize) x * nb + c]);

  return sum / ((double) width * height * 3);
}

/* A DCT scale one step too small gives a thumbnail of the right size, but
 * blurred: just above each scale boundary (the longest side a little over
 * 8, 4, 2 and 1 times the thumbnail's), fine lines come out as sharp as
 * from a full-size decode scaled down. (Here a scale a step too small
 * differs by 69 to 83; the right ones by 1 to 35.) */
static void
test_sharpness (Fixture       *f,
                gconstpointer  data)
{
  static const guint size = 128;
  static const int factors[] = { 8, 4, 2, 1 };

  for (guint i = 0; i < G_N_ELEMENTS (factors); i++)
    {
      int width = factors[i] * size + 8;
      int height = width * 3 / 4;
      g_autoptr(GdkPixbuf) lines = make_lines (width, height, size);
      g_autoptr(GBytes) bytes = encode (lines, FALSE, NULL);
      g_autofree char *name = g_strdup_printf ("lines-%d.jpg", width);
      g_autofree char *path = write_jpeg (f, name, bytes);
      g_autoptr(GdkPixbuf) thumb = thumbnail (path, size, NULL);
      g_autoptr(GdkPixbuf) full = NULL;
      g_autoptr(GdkPixbuf) reference = NULL;
      g_autoptr(GError) error = NULL;
      double difference;

      full = gdk_pixbuf_new_from_file (path, &error);
      g_assert_no_error (error);
      reference = gdk_pixbuf_scale_simple (full, gdk_pixbuf_get_width (thumb),
                                           gdk_pixbuf_get_height (thumb), GDK_INTERP_BILINEAR);
      difference = mean_difference (thumb, reference);
      g_test_message ("%d × %d at %u: mean difference %.1f", width, height, size, difference);
      g_assert_cmpfloat (difference, <, SHARPNESS_TOLERANCE);
    }
}

static void
test_exact_sides (Fixture       *f,
                  gconstpointer  data)
{
  static const struct { int pw, ph; } previews[] = { { 0, 0 }, { 160, 106 }, { 160, 107 } };

  for (guint i = 0; i < G_N_ELEMENTS (previews); i++)
    {
      g_autofree char *name = g_strdup_printf ("photo-%u.jpg", i);
      g_autoptr(GBytes) jpeg = make_camera_jpeg (1600, 1067, 1, previews[i].pw, previews[i].ph, FALSE);
      g_autofree char *path = write_jpeg (f, name, jpeg);
      g_autoptr(GdkPixbuf) thumb = NULL;

      g_test_message ("preview %dx%d", previews[i].pw, previews[i].ph);
      /* 1067 * 128 / 1600 = 85.36 */
      thumb = thumbnail_at (path, 128, 128, 85, 1600, 1067);
    }
}

static void
test_pixel_limit (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsThumbnailer) thumbnailer = g_object_new (CS_TYPE_THUMBNAILER,
                                                       "mode", CS_OUTPUT_BESIDE,
                                                       "size", 128,
                                                       "max-pixels", (guint64) 100000,
                                                       NULL);
  g_autoptr(GBytes) over = make_jpeg (400, 251, RED, 0, NULL);
  g_autoptr(GBytes) at = make_jpeg (400, 250, RED, 0, NULL);
  g_autofree char *over_path = write_jpeg (f, "over.jpg", over);
  g_autofree char *at_path = write_jpeg (f, "at.jpg", at);
  g_autoptr(CsResult) refused = process_path (thumbnailer, over_path);
  g_autoptr(CsResult) accepted = process_path (thumbnailer, at_path);

  g_assert_nonnull (cs_result_get_error (refused));
  g_test_message ("%s", cs_result_get_error (refused)->message);
  g_assert_error (cs_result_get_error (refused), CS_THUMB_ERROR, CS_THUMB_ERROR_TOO_LARGE);
  g_assert_false (g_file_test (cs_result_get_thumbnail_path (refused), G_FILE_TEST_EXISTS));

  g_assert_no_error (cs_result_get_error (accepted));
  g_assert_cmpint (cs_result_get_width (accepted), ==, 128);
  g_assert_cmpint (cs_result_get_height (accepted), ==, 80);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = cs_test_isolate_cache ();
  int status;

  /* The messages compared come from the helper process, untranslated. */
  g_setenv ("LC_ALL", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  cs_decode_return_big_buffers ();

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, cs_test_dir_setup, func, cs_test_dir_teardown)

  ADD ("/jpeg/preview/used", test_preview_used);
  ADD ("/jpeg/preview/reads-little", test_preview_reads_little);
  ADD ("/jpeg/preview/shape", test_preview_shape);
  ADD ("/jpeg/preview/size", test_preview_size);
  ADD ("/jpeg/preview/broken", test_preview_broken);
  ADD ("/jpeg/exif/hostile", test_exif_hostile);
  ADD ("/jpeg/orientation/all", test_orientation);
  ADD ("/jpeg/orientation/little-endian", test_orientation_little_endian);
  ADD ("/jpeg/orientation/nonsense", test_orientation_nonsense);
  ADD ("/jpeg/progressive/first-scan", test_progressive);
  ADD ("/jpeg/progressive/turns", test_turns_in_process);
  ADD ("/jpeg/progressive/buffers-returned", test_buffers_returned);
  ADD ("/jpeg/progressive/turns-between-processes", test_turns_between_processes);
  ADD ("/jpeg/colour/cmyk", test_cmyk);
  ADD ("/jpeg/colour/grayscale", test_grayscale);
  ADD ("/jpeg/scale/sizes", test_sizes);
  ADD ("/jpeg/scale/pixel-limit", test_pixel_limit);
  ADD ("/jpeg/scale/exact-sides", test_exact_sides);
  ADD ("/jpeg/scale/sharpness", test_sharpness);
  ADD ("/jpeg/truncated/end-marker", test_missing_end_marker);
  ADD ("/jpeg/truncated/baseline", test_truncated_baseline);
  ADD ("/jpeg/truncated/progressive", test_truncated_progressive);
  ADD ("/jpeg/truncated/preview", test_truncated_preview);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
