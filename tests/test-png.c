/* test-png.c: PNGs through libpng, scaled while read (cs-decode-png.c)
 *
 * Every PNG here is written by libpng itself, in each of the colour types
 * and depths the format has. What GdkPixbuf's own loader makes of the same
 * file, scaled by GdkPixbuf as the engine did before, is the reference: the
 * same sides to the pixel, the same pixels within rounding.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <png.h>

#include "cs-decode.h"
#include "cs-decoder-client.h"
#include "cs-decode-png.h"
#include "cs-test-decode.h"
#include "cs-test-images.h"
#include "cs-test-util.h"
#include "cs-thumbnailer.h"

#define TRUNCATED_MESSAGE "The file is truncated: its image data stops before the end"

typedef CsTestDir Fixture;

/* --- writing PNGs with libpng ------------------------------------------- */

typedef struct
{
  int                 width;
  int                 height;
  int                 color_type;
  int                 bit_depth;
  gboolean            interlaced;
  /* Rows as the file stores them, but below 8 bits one sample a byte. */
  const guint8       *pixels;
  gsize               stride;
  /* The rows written, if fewer than @height: the pixel data stops short,
   * and when @unfinished, so does the file, wherever the writer got to. */
  int                 rows;
  gboolean            unfinished;
  const png_color    *palette;
  int                 n_palette;
  const guint8       *palette_alpha;
  int                 n_palette_alpha;
  const png_color_16 *trans_colour;
  double              gamma;            /* for a gAMA chunk, if not 0 */
  gsize               trailing;         /* a private chunk this long after the pixels */
} PngSpec;

static void
on_write_error (png_structp     png,
                png_const_charp message)
{
  g_error ("libpng cannot write the test image: %s", message);
}

static void
on_write_warning (png_structp     png,
                  png_const_charp message)
{
}

static char *
write_png (Fixture       *f,
           const char    *name,
           const PngSpec *spec)
{
  char *path = g_build_filename (f->dir, name, NULL);
  FILE *file = fopen (path, "wb");
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL,
                                             on_write_error, on_write_warning);
  png_infop info = png_create_info_struct (png);
  int rows = spec->rows > 0 ? spec->rows : spec->height;
  int passes;

  g_assert_nonnull (file);
  png_init_io (png, file);
  png_set_IHDR (png, info, spec->width, spec->height, spec->bit_depth, spec->color_type,
                spec->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (spec->palette != NULL)
    png_set_PLTE (png, info, spec->palette, spec->n_palette);
  if (spec->palette_alpha != NULL || spec->trans_colour != NULL)
    png_set_tRNS (png, info, spec->palette_alpha, spec->n_palette_alpha, spec->trans_colour);
  if (spec->gamma > 0)
    png_set_gAMA (png, info, spec->gamma);
  png_set_compression_level (png, 1);
  png_write_info (png, info);
  if (spec->bit_depth < 8)
    png_set_packing (png);

  passes = png_set_interlace_handling (png);
  for (int pass = 0; pass < passes; pass++)
    for (int y = 0; y < rows; y++)
      png_write_row (png, spec->pixels + (gsize) y * spec->stride);
  if (spec->trailing > 0)
    {
      g_autofree guint8 *junk = g_malloc0 (spec->trailing);

      png_write_chunk (png, (png_const_bytep) "prVt", junk, spec->trailing);
    }
  if (!spec->unfinished)
    png_write_end (png, NULL);

  png_destroy_write_struct (&png, &info);
  g_assert_cmpint (fclose (file), ==, 0);

  return path;
}

static char *
write_pixbuf (Fixture    *f,
              const char *name,
              GdkPixbuf  *pixbuf,
              gboolean    interlaced)
{
  PngSpec spec = {
    .width = gdk_pixbuf_get_width (pixbuf),
    .height = gdk_pixbuf_get_height (pixbuf),
    .color_type = gdk_pixbuf_get_has_alpha (pixbuf) ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB,
    .bit_depth = 8,
    .interlaced = interlaced,
    .pixels = gdk_pixbuf_read_pixels (pixbuf),
    .stride = gdk_pixbuf_get_rowstride (pixbuf),
  };

  return write_png (f, name, &spec);
}

/* The first @len bytes of @path, as @name. */
static char *
write_cut (Fixture    *f,
           const char *name,
           const char *path,
           gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  char *cut = g_build_filename (f->dir, name, NULL);
  gsize full;

  g_file_get_contents (path, &contents, &full, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, <=, full);
  g_file_set_contents (cut, contents, len, &error);
  g_assert_no_error (error);

  return cut;
}

static gsize
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_size;
}

/* --- decoding ----------------------------------------------------------- */

/* cs_png_decode() on @path from @offset. */
static GdkPixbuf *
decode_png (const char    *path,
            off_t          offset,
            guint          size,
            guint64        max_pixels,
            gboolean      *handled,
            GCancellable  *cancellable,
            GError       **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  int width = -1, height = -1;
  GdkPixbuf *pixbuf;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (lseek (fd, offset, SEEK_SET), ==, offset);
  pixbuf = cs_png_decode (fd, size, max_pixels, handled, &width, &height, cancellable, error);
  if (pixbuf != NULL)
    {
      g_assert_true (*handled);
      g_assert_cmpint (lseek (fd, 0, SEEK_CUR), >, offset);
    }
  else if (!*handled)
    {
      /* Left for GdkPixbuf, from where it was. */
      g_assert_cmpint (lseek (fd, 0, SEEK_CUR), ==, offset);
    }
  g_close (fd, NULL);

  return pixbuf;
}

/* The engine's way in, as a worker calls it: the helper (the tests set
 * CONTACT_SHEET_DECODER), then glycin for what the direct decoders leave
 * where the build has it. */
static GdkPixbuf *
decode (const char  *path,
        guint        size,
        guint64      max_pixels,
        int         *image_width,
        int         *image_height,
        GError     **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  CsDecodeLimits limits = { size, max_pixels, CS_DEFAULT_DECODE_TIMEOUT_MS,
                            CS_DEFAULT_MEMORY_LIMIT, FALSE };
  g_autofree char *mime_type = NULL;
  int width = -1, height = -1;
  GdkPixbuf *pixbuf;

  g_assert_cmpint (fd, >=, 0);
  pixbuf = cs_decoder_decode (fd, "image/png", &limits, &mime_type, &width, &height, NULL, error);
  g_close (fd, NULL);
  if (pixbuf != NULL)
    g_assert_cmpstr (mime_type, ==, "image/png");
  if (image_width != NULL)
    *image_width = width;
  if (image_height != NULL)
    *image_height = height;

  return pixbuf;
}

static GdkPixbuf *
decode_ok (const char *path,
           guint       size)
{
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf = decode (path, size, CS_DEFAULT_MAX_PIXELS, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (pixbuf);

  return pixbuf;
}

/* What the engine made of @path before: GdkPixbuf's loader, asked for the
 * thumbnail's sides, scales the whole image down with its own filter. */
static GdkPixbuf *
reference (const char *path,
           guint       size)
{
  g_autoptr(GError) error = NULL;
  int width, height, fit_width, fit_height;
  GdkPixbuf *pixbuf;

  g_assert_nonnull (gdk_pixbuf_get_file_info (path, &width, &height));
  cs_test_expected_sides (width, height, size, &fit_width, &fit_height);
  pixbuf = gdk_pixbuf_new_from_file_at_scale (path, fit_width, fit_height, FALSE, &error);
  g_assert_no_error (error);

  return pixbuf;
}

/* Within rounding of GdkPixbuf's own thumbnail of @path: both average the
 * same area, each with its own filter and rounding. */
static void
assert_like_reference (GdkPixbuf  *thumb,
                       const char *path,
                       guint       size)
{
  g_autoptr(GdkPixbuf) expected = reference (path, size);
  int largest;
  double mean = cs_test_compare (thumb, expected, &largest);

  g_test_message ("%s at %u: mean difference %.3f, largest %d", path, size, mean, largest);
  g_assert_cmpfloat (mean, <, 1.0);
  g_assert_cmpint (largest, <=, 16);
}

/* --- sides -------------------------------------------------------------- */

static void
test_sides (Fixture       *f,
            gconstpointer  data)
{
  static const struct { int width, height; guint size; int fit_width, fit_height; } cases[] = {
    { 1600, 1067, 128, 128, 85 },
    { 1067, 1600, 128, 85, 128 },
    { 1000, 667, 256, 256, 171 },
    { 1001, 999, 256, 256, 255 },
    { 333, 77, 100, 100, 23 },
    { 640, 480, 639, 639, 479 },
    { 130, 2, 128, 128, 2 },
    { 4000, 3, 128, 128, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (int alpha = 0; alpha <= 1; alpha++)
      {
        g_autofree char *name = g_strdup_printf ("sides-%u-%d.png", i, alpha);
        g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (cases[i].width, cases[i].height,
                                                           i, alpha);
        g_autofree char *path = write_pixbuf (f, name, source, FALSE);
        g_autoptr(GError) error = NULL;
        g_autoptr(GdkPixbuf) thumb = NULL;
        g_autoptr(GdkPixbuf) expected = NULL;
        int fit_width, fit_height, image_width, image_height;

        g_test_message ("%d x %d%s at %u", cases[i].width, cases[i].height,
                        alpha ? " with alpha" : "", cases[i].size);
        cs_test_expected_sides (cases[i].width, cases[i].height, cases[i].size, &fit_width, &fit_height);
        g_assert_cmpint (fit_width, ==, cases[i].fit_width);
        g_assert_cmpint (fit_height, ==, cases[i].fit_height);

        thumb = decode (path, cases[i].size, CS_DEFAULT_MAX_PIXELS, &image_width, &image_height,
                        &error);
        g_assert_no_error (error);
        cs_test_assert_sides (thumb, cases[i].fit_width, cases[i].fit_height);
        g_assert_cmpint (gdk_pixbuf_get_has_alpha (thumb), ==, alpha);
        g_assert_cmpint (image_width, ==, cases[i].width);
        g_assert_cmpint (image_height, ==, cases[i].height);

        /* The sides GdkPixbuf's path gave the same file. */
        expected = reference (path, cases[i].size);
        cs_test_assert_sides (thumb, gdk_pixbuf_get_width (expected), gdk_pixbuf_get_height (expected));

        /* From libpng's path itself, not fixed up afterwards. */
        {
          gboolean handled = FALSE;
          g_autoptr(GdkPixbuf) direct = decode_png (path, 0, cases[i].size, CS_DEFAULT_MAX_PIXELS,
                                                    &handled, NULL, &error);

          g_assert_no_error (error);
          cs_test_assert_sides (direct, cases[i].fit_width, cases[i].fit_height);
        }
      }
}

/* --- pixels ------------------------------------------------------------- */

/* Smooth pictures and hard edges, with and without alpha, at each size. */
static void
test_pixels (Fixture       *f,
             gconstpointer  data)
{
  static const guint patterns[] = { 0, 2, 3, 5 };
  static const guint sizes[] = { 64, 128, 256, 500 };

  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    for (int alpha = 0; alpha <= 1; alpha++)
      {
        g_autofree char *name = g_strdup_printf ("pattern-%u-%d.png", patterns[i], alpha);
        g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (1203, 907, patterns[i], alpha);
        g_autofree char *path = write_pixbuf (f, name, source, FALSE);

        for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
          {
            g_autoptr(GdkPixbuf) thumb = decode_ok (path, sizes[s]);

            assert_like_reference (thumb, path, sizes[s]);
          }
      }
}

/* Against that, to the rounding: noise, where every sample counts. */
static void
test_exact (Fixture       *f,
            gconstpointer  data)
{
  static const struct { int width, height; guint size; } cases[] = {
    { 301, 203, 64 }, { 301, 203, 150 }, { 203, 301, 97 }, { 300, 200, 100 }, { 257, 3, 16 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (int alpha = 0; alpha <= 1; alpha++)
      {
        g_autofree char *name = g_strdup_printf ("noise-%u-%d.png", i, alpha);
        g_autoptr(GdkPixbuf) source = cs_test_make_noise (cases[i].width, cases[i].height, alpha);
        g_autofree char *path = write_pixbuf (f, name, source, FALSE);
        g_autoptr(GdkPixbuf) thumb = decode_ok (path, cases[i].size);
        g_autoptr(GdkPixbuf) expected = cs_test_box_average (source, gdk_pixbuf_get_width (thumb),
                                                     gdk_pixbuf_get_height (thumb));
        int largest;
        double mean = cs_test_compare (thumb, expected, &largest);

        g_test_message ("%d x %d%s at %u: mean difference %.4f, largest %d", cases[i].width,
                        cases[i].height, alpha ? " with alpha" : "", cases[i].size, mean, largest);
        g_assert_cmpint (largest, <=, 1);
        g_assert_cmpfloat (mean, <, 0.01);
      }
}

/* Fully transparent red between opaque blue pixels: the red is no colour
 * and must not tint the blue. */
static void
test_alpha_weighted (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GdkPixbuf) source = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, 999, 997);
  guint8 *pixels = gdk_pixbuf_get_pixels (source);
  int stride = gdk_pixbuf_get_rowstride (source);
  g_autofree char *path = NULL;
  g_autoptr(GdkPixbuf) thumb = NULL;

  for (int y = 0; y < 997; y++)
    for (int x = 0; x < 999; x++)
      {
        static const guint8 red[4] = { 255, 0, 0, 0 };
        static const guint8 blue[4] = { 0, 0, 255, 255 };

        memcpy (pixels + (gsize) y * stride + (gsize) x * 4, (x + y) % 2 ? blue : red, 4);
      }
  path = write_pixbuf (f, "checker.png", source, FALSE);

  thumb = decode_ok (path, 128);
  cs_test_assert_sides (thumb, 128, 128);
  for (int y = 0; y < 128; y++)
    for (int x = 0; x < 128; x++)
      {
        const guint8 *p = gdk_pixbuf_read_pixels (thumb) + (gsize) y * gdk_pixbuf_get_rowstride (thumb) +
                          (gsize) x * 4;

        if (p[0] > 2 || p[1] > 2 || p[2] < 253 || ABS (p[3] - 128) > 8)
          g_error ("pixel %d,%d is %d %d %d %d, not a half-transparent blue",
                   x, y, p[0], p[1], p[2], p[3]);
      }

  assert_like_reference (thumb, path, 128);
}

/* --- every colour type and depth ---------------------------------------- */

typedef enum
{
  FORMAT_RGB_16,
  FORMAT_RGBA_16,
  FORMAT_RGB_TRNS,
  FORMAT_RGB_GAMMA,
  FORMAT_GRAY_1,
  FORMAT_GRAY_2,
  FORMAT_GRAY_4,
  FORMAT_GRAY_8,
  FORMAT_GRAY_16,
  FORMAT_GRAY_TRNS,
  FORMAT_GRAY_ALPHA_8,
  FORMAT_GRAY_ALPHA_16,
  FORMAT_PALETTE_1,
  FORMAT_PALETTE_4,
  FORMAT_PALETTE_8,
  FORMAT_PALETTE_TRNS,
  N_FORMATS
} Format;

static const struct
{
  const char *name;
  int         color_type;
  int         bit_depth;
  gboolean    alpha;            /* what GdkPixbuf makes of it */
} formats[N_FORMATS] = {
  [FORMAT_RGB_16] = { "rgb-16", PNG_COLOR_TYPE_RGB, 16, FALSE },
  [FORMAT_RGBA_16] = { "rgba-16", PNG_COLOR_TYPE_RGBA, 16, TRUE },
  [FORMAT_RGB_TRNS] = { "rgb-trns", PNG_COLOR_TYPE_RGB, 8, TRUE },
  /* A gAMA chunk far from the display's: GdkPixbuf ignores it. */
  [FORMAT_RGB_GAMMA] = { "rgb-gamma", PNG_COLOR_TYPE_RGB, 8, FALSE },
  [FORMAT_GRAY_1] = { "gray-1", PNG_COLOR_TYPE_GRAY, 1, FALSE },
  [FORMAT_GRAY_2] = { "gray-2", PNG_COLOR_TYPE_GRAY, 2, FALSE },
  [FORMAT_GRAY_4] = { "gray-4", PNG_COLOR_TYPE_GRAY, 4, FALSE },
  [FORMAT_GRAY_8] = { "gray-8", PNG_COLOR_TYPE_GRAY, 8, FALSE },
  [FORMAT_GRAY_16] = { "gray-16", PNG_COLOR_TYPE_GRAY, 16, FALSE },
  [FORMAT_GRAY_TRNS] = { "gray-trns", PNG_COLOR_TYPE_GRAY, 8, TRUE },
  [FORMAT_GRAY_ALPHA_8] = { "gray-alpha-8", PNG_COLOR_TYPE_GRAY_ALPHA, 8, TRUE },
  [FORMAT_GRAY_ALPHA_16] = { "gray-alpha-16", PNG_COLOR_TYPE_GRAY_ALPHA, 16, TRUE },
  [FORMAT_PALETTE_1] = { "palette-1", PNG_COLOR_TYPE_PALETTE, 1, FALSE },
  [FORMAT_PALETTE_4] = { "palette-4", PNG_COLOR_TYPE_PALETTE, 4, FALSE },
  [FORMAT_PALETTE_8] = { "palette-8", PNG_COLOR_TYPE_PALETTE, 8, FALSE },
  [FORMAT_PALETTE_TRNS] = { "palette-trns", PNG_COLOR_TYPE_PALETTE, 8, TRUE },
};

/* A sample of @bits bits at @x, @y: smooth across, stepped down, so that
 * every value of the depth turns up. 16-bit samples have low bytes that
 * vary on their own, to tell cutting them off from rounding them. */
static guint
sample (int x,
        int y,
        int c,
        int bits)
{
  guint max = (1u << bits) - 1;
  guint v = ((guint) x * 3 + (guint) (y / 16) * 37 + (guint) c * 101) % 1024;

  if (bits == 16)
    return (v * 64 + (guint) (x * 7 + y * 13 + c * 5) % 64) & max;

  return v * max / 1023;
}

static int
channels_of (int color_type)
{
  switch (color_type)
    {
    case PNG_COLOR_TYPE_GRAY:
    case PNG_COLOR_TYPE_PALETTE:
      return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
      return 2;
    case PNG_COLOR_TYPE_RGB:
      return 3;
    default:
      return 4;
    }
}

static const png_color_16 trans_grey = { .gray = 100 };
static const png_color_16 trans_rgb = { .red = 30, .green = 60, .blue = 90 };

/* The sample write_format() stores at @x, @y: a quarter of the picture is
 * the colour tRNS makes transparent. */
static guint
written_sample (Format format,
                int    width,
                int    height,
                int    x,
                int    y,
                int    c)
{
  if ((format == FORMAT_GRAY_TRNS || format == FORMAT_RGB_TRNS) && x < width / 2 && y < height / 2)
    return format == FORMAT_GRAY_TRNS ? trans_grey.gray
                                      : c == 0 ? trans_rgb.red : c == 1 ? trans_rgb.green : trans_rgb.blue;

  return sample (x, y, c, formats[format].bit_depth);
}

static void
fill_palette (png_color *palette,
              guint8    *palette_alpha)
{
  for (int i = 0; i < 256; i++)
    {
      palette[i].red = i;
      palette[i].green = 255 - i;
      palette[i].blue = (i * 7) % 256;
      palette_alpha[i] = (i * 11) % 256;
    }
  palette_alpha[0] = 0;
}

/* What the file written by write_format() holds, as 8-bit RGB or RGBA,
 * worked out from the samples themselves rather than by any decoder:
 * 16-bit samples cut to their high byte and grey below 8 bits scaled up
 * (what libpng's png_set_strip_16() and png_set_expand() make of them),
 * palette entries looked up, the tRNS colour transparent, no gamma. */
static GdkPixbuf *
expected_pixels (Format format,
                 int    width,
                 int    height)
{
  png_color palette[256];
  guint8 palette_alpha[256];
  int bits = formats[format].bit_depth;
  int color_type = formats[format].color_type;
  gboolean alpha = formats[format].alpha;
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  int channels = alpha ? 4 : 3;

  fill_palette (palette, palette_alpha);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = gdk_pixbuf_get_pixels (pixbuf) + (gsize) y * gdk_pixbuf_get_rowstride (pixbuf) +
                    (gsize) x * channels;
        guint v[4];

        for (int c = 0; c < channels_of (color_type); c++)
          {
            v[c] = written_sample (format, width, height, x, y, c);
            if (color_type != PNG_COLOR_TYPE_PALETTE)
              v[c] = bits == 16 ? v[c] >> 8 : v[c] * 255 / ((1u << bits) - 1);
          }

        switch (color_type)
          {
          case PNG_COLOR_TYPE_PALETTE:
            p[0] = palette[v[0]].red;
            p[1] = palette[v[0]].green;
            p[2] = palette[v[0]].blue;
            if (alpha)
              p[3] = palette_alpha[v[0]];
            break;
          case PNG_COLOR_TYPE_GRAY:
          case PNG_COLOR_TYPE_GRAY_ALPHA:
            p[0] = p[1] = p[2] = v[0];
            if (color_type == PNG_COLOR_TYPE_GRAY_ALPHA)
              p[3] = v[1];
            else if (alpha)
              p[3] = v[0] == trans_grey.gray ? 0 : 255;
            break;
          default:
            p[0] = v[0];
            p[1] = v[1];
            p[2] = v[2];
            if (color_type == PNG_COLOR_TYPE_RGBA)
              p[3] = v[3];
            else if (alpha)
              p[3] = v[0] == trans_rgb.red && v[1] == trans_rgb.green && v[2] == trans_rgb.blue ? 0 : 255;
            break;
          }
      }

  return pixbuf;
}

static char *
write_format (Fixture *f,
              Format   format,
              int      width,
              int      height)
{
  png_color palette[256];
  guint8 palette_alpha[256];
  int bits = formats[format].bit_depth;
  int bytes = bits == 16 ? 2 : 1;
  int samples = channels_of (formats[format].color_type);
  gsize stride = (gsize) width * samples * bytes;
  g_autofree guint8 *pixels = g_malloc (stride * height);
  g_autofree char *name = g_strdup_printf ("%s.png", formats[format].name);
  PngSpec spec = {
    .width = width,
    .height = height,
    .color_type = formats[format].color_type,
    .bit_depth = bits,
    .pixels = pixels,
    .stride = stride,
  };

  fill_palette (palette, palette_alpha);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      for (int c = 0; c < samples; c++)
        {
          guint8 *p = pixels + (gsize) y * stride + ((gsize) x * samples + c) * bytes;
          guint v = written_sample (format, width, height, x, y, c);

          if (bytes == 2)
            {
              p[0] = v >> 8;
              p[1] = v & 0xff;
            }
          else
            p[0] = v;
        }

  if (spec.color_type == PNG_COLOR_TYPE_PALETTE)
    {
      spec.palette = palette;
      spec.n_palette = 1 << MIN (bits, 8);
    }
  if (format == FORMAT_PALETTE_TRNS)
    {
      spec.palette_alpha = palette_alpha;
      spec.n_palette_alpha = 256;
    }
  if (format == FORMAT_GRAY_TRNS)
    spec.trans_colour = &trans_grey;
  if (format == FORMAT_RGB_TRNS)
    spec.trans_colour = &trans_rgb;
  if (format == FORMAT_RGB_GAMMA)
    spec.gamma = 1.0;

  return write_png (f, name, &spec);
}

static void
test_formats (Fixture       *f,
              gconstpointer  data)
{
  for (Format format = 0; format < N_FORMATS; format++)
    {
      g_autofree char *path = write_format (f, format, 640, 480);
      g_autoptr(GError) error = NULL;
      g_autoptr(GdkPixbuf) whole = NULL;
      g_autoptr(GdkPixbuf) expected = NULL;
      g_autoptr(GdkPixbuf) direct = NULL;
      double mean;
      int largest;

      g_test_message ("%s", formats[format].name);

      /* As it is: exactly the pixels the file holds. */
      whole = decode_ok (path, 640);
      expected = expected_pixels (format, 640, 480);
      cs_test_assert_identical (whole, expected);

      /* And GdkPixbuf's: the same bytes from its libpng loader (Debian
       * 12); through glycin (gdk-pixbuf 2.44) 16-bit samples are rounded
       * to 8 bits, not cut, which is one step at most. */
      direct = gdk_pixbuf_new_from_file (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gdk_pixbuf_get_has_alpha (direct), ==, formats[format].alpha);
      mean = cs_test_compare (whole, direct, &largest);
      g_test_message ("GdkPixbuf's pixels: mean difference %.4f, largest %d", mean, largest);
      g_assert_cmpint (largest, <=, formats[format].bit_depth == 16 ? 1 : 0);

      for (guint size = 64; size <= 256; size *= 2)
        {
          g_autoptr(GdkPixbuf) thumb = decode_ok (path, size);

          assert_like_reference (thumb, path, size);
        }
    }
}

/* A PNG no larger than the thumbnail is the thumbnail, colours hidden
 * under transparent pixels included. */
static void
test_small (Fixture       *f,
            gconstpointer  data)
{
  static const struct { int width, height; guint size; } cases[] = {
    { 100, 75, 128 },
    { 128, 128, 128 },
    { 128, 40, 128 },
    { 40, 128, 128 },
    { 1, 1, 128 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("small-%u.png", i);
      g_autoptr(GdkPixbuf) source = cs_test_make_noise (cases[i].width, cases[i].height, TRUE);
      g_autofree char *path = NULL;
      g_autoptr(GdkPixbuf) thumb = NULL;
      g_autoptr(GdkPixbuf) direct = NULL;
      g_autoptr(GError) error = NULL;
      int image_width, image_height;

      /* Some pixels wholly transparent, whatever their colour. */
      for (int y = 0; y < cases[i].height; y++)
        gdk_pixbuf_get_pixels (source)[(gsize) y * gdk_pixbuf_get_rowstride (source) + 3] = 0;
      path = write_pixbuf (f, name, source, FALSE);

      thumb = decode (path, cases[i].size, CS_DEFAULT_MAX_PIXELS, &image_width, &image_height,
                      &error);
      g_assert_no_error (error);
      g_assert_cmpint (image_width, ==, cases[i].width);
      g_assert_cmpint (image_height, ==, cases[i].height);
      direct = gdk_pixbuf_new_from_file (path, &error);
      g_assert_no_error (error);
      cs_test_assert_identical (thumb, direct);
      cs_test_assert_identical (thumb, source);
    }
}

/* One pixel wide or tall, and two. */
static void
test_thin (Fixture       *f,
           gconstpointer  data)
{
  static const struct { int width, height; } cases[] = {
    { 1, 3000 }, { 3000, 1 }, { 2, 5001 }, { 5001, 2 }, { 1, 129 }, { 129, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (int alpha = 0; alpha <= 1; alpha++)
      {
        g_autofree char *name = g_strdup_printf ("thin-%u-%d.png", i, alpha);
        g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (cases[i].width, cases[i].height, 2,
                                                           alpha);
        g_autofree char *path = write_pixbuf (f, name, source, FALSE);
        g_autoptr(GdkPixbuf) thumb = decode_ok (path, 128);
        int fit_width, fit_height;

        g_test_message ("%d x %d%s", cases[i].width, cases[i].height, alpha ? " with alpha" : "");
        cs_test_expected_sides (cases[i].width, cases[i].height, 128, &fit_width, &fit_height);
        cs_test_assert_sides (thumb, fit_width, fit_height);
        assert_like_reference (thumb, path, 128);
      }
}

/* --- what goes back to GdkPixbuf ---------------------------------------- */

/* Adam7 files: left to GdkPixbuf from where they start, which then makes
 * the same thumbnail as of the same picture stored plainly. */
static void
test_interlaced (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (800, 600, 0, TRUE);
  g_autofree char *path = write_pixbuf (f, "adam7.png", source, TRUE);
  g_autofree char *plain = write_pixbuf (f, "plain.png", source, FALSE);
  g_autofree char *prefixed = g_build_filename (f->dir, "prefixed", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GString) with_prefix = g_string_new ("junk!!!");
  g_autoptr(GError) error = NULL;
  gsize len;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_string_append_len (with_prefix, contents, len);
  g_file_set_contents (prefixed, with_prefix->str, with_prefix->len, &error);
  g_assert_no_error (error);

  for (guint size = 128; size <= 1024; size *= 8)
    {
      gboolean handled = TRUE;
      g_autoptr(GdkPixbuf) none = decode_png (prefixed, 7, size, CS_DEFAULT_MAX_PIXELS,
                                              &handled, NULL, &error);
      g_autoptr(GdkPixbuf) thumb = NULL;
      g_autoptr(GdkPixbuf) plain_thumb = NULL;
      int largest;

      g_assert_no_error (error);
      g_assert_null (none);
      g_assert_false (handled);

      thumb = decode_ok (path, size);
      plain_thumb = decode_ok (plain, size);
      g_assert_cmpfloat (cs_test_compare (thumb, plain_thumb, &largest), <, 1.0);
    }
}

/* --- broken files ------------------------------------------------------- */

static void
assert_decode_fails (const char *path,
                     int         code,
                     const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = decode (path, 128, CS_DEFAULT_MAX_PIXELS, NULL, NULL, &error);

  g_assert_null (pixbuf);
  g_assert_nonnull (error);
  g_test_message ("%s: %s", path, error->message);
  g_assert_error (error, CS_THUMB_ERROR, code);
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
}

/* Cut anywhere, a file is an error, never the rows it had with grey
 * below; so is one cut just before its end chunk. */
static void
test_truncated (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GdkPixbuf) source = cs_test_make_noise (600, 400, FALSE);
  g_autofree char *path = write_pixbuf (f, "noise.png", source, FALSE);
  gsize len = file_size (path);
  /* Signature, IHDR, IDAT's header, the data, no IEND, IEND's CRC cut. */
  const gsize cuts[] = { 8, 20, 41, len / 2, len - 12, len - 1 };

  g_assert_cmpuint (len, >, 600 * 400 * 3 / 2);

  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_autofree char *name = g_strdup_printf ("cut-%u.png", i);
      g_autofree char *cut = write_cut (f, name, path, cuts[i]);

      g_test_message ("cut at %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT, cuts[i], len);
      assert_decode_fails (cut, CS_THUMB_ERROR_CORRUPT, TRUNCATED_MESSAGE);
    }

  /* The same at the size of the picture, where rows go straight in. */
  {
    g_autofree char *cut = write_cut (f, "cut-big.png", path, len / 2);
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkPixbuf) pixbuf = decode (cut, 600, CS_DEFAULT_MAX_PIXELS, NULL, NULL, &error);

    g_assert_null (pixbuf);
    g_assert_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT);
  }
}

/* The offset of the first @type chunk in a PNG file's @data (its length field). */
static gsize
find_chunk (const guint8 *data,
            gsize         len,
            const char   *type)
{
  gsize at = 8;

  while (at + 12 <= len)
    {
      guint32 length = (guint32) data[at] << 24 | data[at + 1] << 16 | data[at + 2] << 8 | data[at + 3];

      if (memcmp (data + at + 4, type, 4) == 0)
        return at;
      at += 12 + (gsize) length;
    }

  g_assert_not_reached ();
}

/* Pixel data that stops short inside a complete file, damaged data and a
 * damaged checksum on good data: errors too, as GdkPixbuf has them. */
static void
test_damaged (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GdkPixbuf) source = cs_test_make_noise (300, 200, FALSE);
  PngSpec spec = {
    .width = 300,
    .height = 200,
    .color_type = PNG_COLOR_TYPE_RGB,
    .bit_depth = 8,
    .pixels = gdk_pixbuf_read_pixels (source),
    .stride = gdk_pixbuf_get_rowstride (source),
    .rows = 120,
  };
  g_autofree char *short_path = write_png (f, "short.png", &spec);
  g_autofree char *path = write_pixbuf (f, "whole.png", source, FALSE);
  g_autofree char *damaged = g_build_filename (f->dir, "damaged.png", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  assert_decode_fails (short_path, CS_THUMB_ERROR_CORRUPT, NULL);

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  contents[len / 2] ^= 0x10;
  g_file_set_contents (damaged, contents, len, &error);
  g_assert_no_error (error);
  assert_decode_fails (damaged, CS_THUMB_ERROR_CORRUPT, NULL);
  contents[len / 2] ^= 0x10;

  {
    gsize idat = find_chunk ((const guint8 *) contents, len, "IDAT");
    guint32 length = (guint8) contents[idat] << 24 | (guint8) contents[idat + 1] << 16 |
                     (guint8) contents[idat + 2] << 8 | (guint8) contents[idat + 3];
    g_autofree char *crc = g_build_filename (f->dir, "crc.png", NULL);

    contents[idat + 8 + length + 3] ^= 0x01;
    g_file_set_contents (crc, contents, len, &error);
    g_assert_no_error (error);
    assert_decode_fails (crc, CS_THUMB_ERROR_CORRUPT, "Not a valid PNG image: IDAT: CRC error");
    contents[idat + 8 + length + 3] ^= 0x01;
  }

  /* Plain words first, libpng's after the colon: a chunk type byte that is
   * no letter ("IDA[AB]" is how libpng shows the byte 0xAB; what follows
   * is "invalid chunk type" in libpng 1.6.39, "bad header (invalid type)"
   * in 1.6.50). */
  {
    gsize idat = find_chunk ((const guint8 *) contents, len, "IDAT");
    g_autofree char *chunk = g_build_filename (f->dir, "chunk.png", NULL);
    g_autoptr(GdkPixbuf) pixbuf = NULL;

    contents[idat + 7] = (char) 0xab;
    g_file_set_contents (chunk, contents, len, &error);
    g_assert_no_error (error);
    pixbuf = decode (chunk, 128, CS_DEFAULT_MAX_PIXELS, NULL, NULL, &error);
    g_assert_null (pixbuf);
    g_assert_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT);
    g_assert_true (g_str_has_prefix (error->message, "Not a valid PNG image: IDA[AB]: "));
    g_assert_true (g_str_has_suffix (error->message, "invalid chunk type") ||
                   g_str_has_suffix (error->message, "(invalid type)"));
    g_clear_error (&error);
  }
}

/* A few hundred bytes claiming a text chunk of 1.8 GB before the pixels:
 * the file ends inside it, and that is all there is to it. (libpng left to
 * itself allocates and clears the whole length first; in the decoder
 * helper, that is more than its memory limit.) */
static void
test_huge_chunk (Fixture       *f,
                 gconstpointer  data)
{
  static const guint8 text[] = { 0x6d, 0x61, 0x67, 0x65, 't', 'E', 'X', 't', 'C', 'o', 'm' };
  g_autoptr(GdkPixbuf) source = cs_test_make_noise (16, 16, FALSE);
  g_autofree char *path = write_pixbuf (f, "small.png", source, FALSE);
  g_autofree char *claims = g_build_filename (f->dir, "claims.png", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  gsize len, idat;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  idat = find_chunk ((const guint8 *) contents, len, "IDAT");
  g_byte_array_append (bytes, (const guint8 *) contents, idat);
  g_byte_array_append (bytes, text, sizeof text);
  g_byte_array_append (bytes, (const guint8 *) contents + idat, len - idat);
  g_file_set_contents (claims, (const char *) bytes->data, bytes->len, &error);
  g_assert_no_error (error);

  assert_decode_fails (claims, CS_THUMB_ERROR_CORRUPT, TRUNCATED_MESSAGE);

  if (g_getenv ("CONTACT_SHEET_DECODER") == NULL)
    {
      g_test_skip ("Decoding in-process: set CONTACT_SHEET_DECODER (meson test does)");
      return;
    }
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  g_test_skip ("No address-space limit under a sanitizer (see cs-decoder-client.c)");
  return;
#endif

  {
    g_autoptr(CsThumbnailer) thumbnailer = g_object_new (CS_TYPE_THUMBNAILER,
                                                         "mode", CS_OUTPUT_BESIDE,
                                                         "memory-limit", (guint64) 64 * 1024 * 1024,
                                                         NULL);
    g_autoptr(GFile) file = g_file_new_for_path (claims);
    g_autoptr(CsResult) result = cs_thumbnailer_process (thumbnailer, file, NULL, NULL);

    g_assert_error (cs_result_get_error (result), CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT);
    g_assert_cmpstr (cs_result_get_error (result)->message, ==, TRUNCATED_MESSAGE);
  }
}

/* --- limits and cancelling ---------------------------------------------- */

static void
test_pixel_limit (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GdkPixbuf) over = cs_test_make_pixbuf (400, 251, 1, FALSE);
  g_autoptr(GdkPixbuf) at = cs_test_make_pixbuf (400, 250, 1, FALSE);
  g_autofree char *over_path = write_pixbuf (f, "over.png", over, FALSE);
  g_autofree char *at_path = write_pixbuf (f, "at.png", at, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) refused = decode (over_path, 128, 100000, NULL, NULL, &error);
  g_autoptr(GdkPixbuf) accepted = NULL;

  g_assert_null (refused);
  g_assert_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "Image is too large (400 × 251 pixels)");
  g_clear_error (&error);

  accepted = decode (at_path, 128, 100000, NULL, NULL, &error);
  g_assert_no_error (error);
  cs_test_assert_sides (accepted, 128, 80);

  /* A billion pixels claimed, the first of them there, plain and
   * interlaced: refused from the header, before any pixel is read or
   * anything of that size allocated (or the file's end would be the
   * error). */
  for (int interlaced = 0; interlaced <= 1; interlaced++)
    {
      g_autofree char *name = g_strdup_printf ("claims-%d.png", interlaced);
      g_autoptr(GdkPixbuf) noise = cs_test_make_noise (40000, 1, TRUE);
      PngSpec spec = {
        .width = 40000,
        .height = 25000,
        .color_type = PNG_COLOR_TYPE_RGBA,
        .bit_depth = 8,
        .interlaced = interlaced,
        .pixels = gdk_pixbuf_read_pixels (noise),
        .stride = 0,
        .rows = 1,
        .unfinished = TRUE,
      };
      g_autofree char *path = write_png (f, name, &spec);
      gboolean handled = FALSE;
      g_autoptr(GdkPixbuf) none = decode_png (path, 0, 128, CS_DEFAULT_MAX_PIXELS, &handled,
                                              NULL, &error);

      g_assert_null (none);
      g_assert_true (handled);
      g_assert_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_TOO_LARGE);
      g_assert_cmpstr (error->message, ==, "Image is too large (40000 × 25000 pixels)");
      g_clear_error (&error);
    }
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GdkPixbuf) source = cs_test_make_noise (200, 100, FALSE);
  g_autofree char *path = write_pixbuf (f, "noise.png", source, FALSE);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  /* All of it fits in a pipe, so that writing never waits on the reader. */
  g_assert_cmpuint (len, <, 60 * 1024);

  /* Cancelled before it starts. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    gboolean handled = FALSE;
    g_autoptr(GdkPixbuf) none = NULL;

    g_cancellable_cancel (cancellable);
    none = decode_png (path, 0, 64, CS_DEFAULT_MAX_PIXELS, &handled, cancellable, &error);
    g_assert_null (none);
    g_assert_true (handled);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }

  /* Cancelled halfway through the rows, scaling and not: the first rows
   * come, then the decoder waits for more; it is cancelled, the rest comes
   * in one read, and it stops rather than finishing the picture. */
  for (guint size = 64; size <= 256; size *= 4)
    cs_test_assert_cancelled_midway (cs_png_decode, (const guint8 *) contents, len, 8192, size);

  /* Cancelled in a megabyte of chunks after the pixels, all of them in:
   * reading stops too. */
  {
    g_autoptr(GdkPixbuf) small = cs_test_make_noise (64, 64, FALSE);
    PngSpec spec = {
      .width = 64,
      .height = 64,
      .color_type = PNG_COLOR_TYPE_RGB,
      .bit_depth = 8,
      .pixels = gdk_pixbuf_read_pixels (small),
      .stride = gdk_pixbuf_get_rowstride (small),
      .trailing = 1024 * 1024,
    };
    g_autofree char *trailing = write_png (f, "trailing.png", &spec);
    g_autofree char *bytes = NULL;
    gsize bytes_len;

    g_file_get_contents (trailing, &bytes, &bytes_len, &error);
    g_assert_no_error (error);
    cs_test_assert_cancelled_midway (cs_png_decode, (const guint8 *) bytes, bytes_len,
                                     bytes_len / 2, 32);
  }
}

/* --- through the decoder helper ----------------------------------------- */

/* The point of it all: a picture GdkPixbuf would hold whole (96 MB) is
 * thumbnailed by a helper allowed a fraction of that. */
static void
test_memory (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (6000, 4000, 1, TRUE);
  g_autofree char *path = write_pixbuf (f, "big.png", source, FALSE);
  g_autoptr(CsThumbnailer) thumbnailer = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(CsResult) result = NULL;
  g_autoptr(GdkPixbuf) thumb = NULL;
  g_autoptr(GError) error = NULL;

  if (g_getenv ("CONTACT_SHEET_DECODER") == NULL)
    {
      g_test_skip ("Decoding in-process: set CONTACT_SHEET_DECODER (meson test does)");
      return;
    }
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  g_test_skip ("No address-space limit under a sanitizer (see cs-decoder-client.c)");
  return;
#endif

  g_clear_object (&source);
  thumbnailer = g_object_new (CS_TYPE_THUMBNAILER,
                              "mode", CS_OUTPUT_BESIDE,
                              "size", 256,
                              "memory-limit", CS_TEST_SMALL_HELPER_MEMORY,
                              NULL);
  result = cs_thumbnailer_process (thumbnailer, file, NULL, NULL);
  g_assert_no_error (cs_result_get_error (result));
  g_assert_cmpint (cs_result_get_width (result), ==, 256);
  g_assert_cmpint (cs_result_get_height (result), ==, 171);
  g_assert_cmpint (cs_result_get_image_width (result), ==, 6000);
  g_assert_cmpint (cs_result_get_image_height (result), ==, 4000);

  thumb = gdk_pixbuf_new_from_file (cs_result_get_thumbnail_path (result), &error);
  g_assert_no_error (error);
  cs_test_assert_sides (thumb, 256, 171);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = cs_test_isolate_cache ();
  int status;

  /* The messages compared come from the helper process, untranslated. */
  g_setenv ("LC_ALL", "C", TRUE);
  /* A pipe's reader may leave before its writer: see test_cancel(). */
  signal (SIGPIPE, SIG_IGN);
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, cs_test_dir_setup, func, cs_test_dir_teardown)

  ADD ("/png/scale/sides", test_sides);
  ADD ("/png/scale/pixels", test_pixels);
  ADD ("/png/scale/exact", test_exact);
  ADD ("/png/scale/alpha-weighted", test_alpha_weighted);
  ADD ("/png/scale/small", test_small);
  ADD ("/png/scale/thin", test_thin);
  ADD ("/png/formats", test_formats);
  ADD ("/png/interlaced", test_interlaced);
  ADD ("/png/broken/truncated", test_truncated);
  ADD ("/png/broken/damaged", test_damaged);
  ADD ("/png/broken/huge-chunk", test_huge_chunk);
  ADD ("/png/limits/pixels", test_pixel_limit);
  ADD ("/png/limits/cancel", test_cancel);
  ADD ("/png/limits/memory", test_memory);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
