/* test-webp.c: WebP pictures through libwebp, scaled while decoded (cs-decode-webp.c)
 *
 * Every WebP here is written by libwebp's own encoder, lossy and lossless,
 * with alpha and without; animations by libwebpmux's. The references are a
 * lossless picture's own pixels averaged in floating point, and what
 * GdkPixbuf's loader decodes at full size, scaled by GdkPixbuf.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <webp/encode.h>
#if HAVE_LIBWEBPMUX
#include <webp/mux.h>
#endif

#include "cs-decode.h"
#include "cs-decoder-client.h"
#include "cs-test-decode.h"
#include "cs-test-images.h"
#include "cs-test-util.h"
#include "cs-thumbnailer.h"
#include "cs-decode-webp.h"

#define TRUNCATED_MESSAGE "The file is truncated: its image data stops before the end"
#define DAMAGED_MESSAGE "Not a valid WebP image: damaged WebP data"
#define ROW_FAILED_MESSAGE "Not a valid WebP image: damaged WebP data, or too little memory for it"

typedef CsTestDir Fixture;

typedef enum
{
  LOSSY,
  LOSSLESS,
} Compression;

static const char * const compression_names[] = { "lossy", "lossless" };

/* --- writing WebPs with libwebp ----------------------------------------- */

static int
on_write (const uint8_t     *data,
          size_t             len,
          const WebPPicture *picture)
{
  g_byte_array_append (picture->custom_ptr, data, len);
  return 1;
}

/* A lossless file keeps the colour of wholly transparent pixels too, so
 * that it is the pixbuf exactly; a lossy one is made as cwebp makes it. */
static void
encode_picture (WebPPicture *picture,
                GdkPixbuf   *pixbuf,
                Compression  compression,
                WebPConfig  *config)
{
  g_assert_true (WebPConfigInit (config));
  config->lossless = compression == LOSSLESS;
  config->exact = compression == LOSSLESS;
  config->quality = compression == LOSSLESS ? 0 : 90;
  config->method = compression == LOSSLESS ? 0 : 2;
  g_assert_true (WebPValidateConfig (config));

  g_assert_true (WebPPictureInit (picture));
  picture->use_argb = compression == LOSSLESS;
  picture->width = gdk_pixbuf_get_width (pixbuf);
  picture->height = gdk_pixbuf_get_height (pixbuf);
  if (gdk_pixbuf_get_has_alpha (pixbuf))
    g_assert_true (WebPPictureImportRGBA (picture, gdk_pixbuf_read_pixels (pixbuf),
                                          gdk_pixbuf_get_rowstride (pixbuf)));
  else
    g_assert_true (WebPPictureImportRGB (picture, gdk_pixbuf_read_pixels (pixbuf),
                                         gdk_pixbuf_get_rowstride (pixbuf)));
}

static GBytes *
encode (GdkPixbuf   *pixbuf,
        Compression  compression)
{
  GByteArray *out = g_byte_array_new ();
  WebPPicture picture;
  WebPConfig config;

  encode_picture (&picture, pixbuf, compression, &config);
  picture.writer = on_write;
  picture.custom_ptr = out;
  if (!WebPEncode (&config, &picture))
    g_error ("libwebp cannot encode the test image: error %d", picture.error_code);
  WebPPictureFree (&picture);

  return g_byte_array_free_to_bytes (out);
}

static char *
write_bytes (Fixture      *f,
             const char   *name,
             const guint8 *data,
             gsize         len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);

  g_file_set_contents (path, (const char *) data, len, &error);
  g_assert_no_error (error);

  return path;
}

static char *
write_webp (Fixture     *f,
            const char  *name,
            GdkPixbuf   *pixbuf,
            Compression  compression)
{
  g_autoptr(GBytes) bytes = encode (pixbuf, compression);

  return write_bytes (f, name, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* --- decoding ----------------------------------------------------------- */

/* cs_webp_decode() on @fd, which is left open. */
static GdkPixbuf *
decode_webp_fd (int            fd,
                guint          size,
                guint64        max_pixels,
                gboolean      *handled,
                int           *image_width,
                int           *image_height,
                GCancellable  *cancellable,
                GError       **error)
{
  off_t offset = lseek (fd, 0, SEEK_CUR);
  int width = -1, height = -1;
  GdkPixbuf *pixbuf;

  *handled = -1;
  pixbuf = cs_webp_decode (fd, size, max_pixels, handled, &width, &height, cancellable, error);
  g_assert_true (*handled == TRUE || *handled == FALSE);
  if (pixbuf != NULL)
    {
      g_assert_true (*handled);
      g_assert_no_error (error == NULL ? NULL : *error);
    }
  else if (!*handled)
    {
      /* Left for GdkPixbuf, from where it was. */
      g_assert_true (error == NULL || *error == NULL);
      g_assert_cmpint (lseek (fd, 0, SEEK_CUR), ==, offset);
    }
  else
    g_assert_true (error == NULL || *error != NULL);

  if (image_width != NULL)
    *image_width = width;
  if (image_height != NULL)
    *image_height = height;

  return pixbuf;
}

/* cs_webp_decode() on @path from @offset. */
static GdkPixbuf *
decode_webp (const char    *path,
             off_t          offset,
             guint          size,
             guint64        max_pixels,
             gboolean      *handled,
             GCancellable  *cancellable,
             GError       **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  GdkPixbuf *pixbuf;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (lseek (fd, offset, SEEK_SET), ==, offset);
  pixbuf = decode_webp_fd (fd, size, max_pixels, handled, NULL, NULL, cancellable, error);
  g_close (fd, NULL);

  return pixbuf;
}

/* The engine's way in, as a worker calls it: the helper (the tests set
 * CONTACT_SHEET_DECODER), then glycin for what the direct decoders leave
 * where the build has it. */
static GdkPixbuf *
decode_any (const char  *path,
            guint        size,
            guint64      max_pixels,
            char       **mime_type,
            int         *image_width,
            int         *image_height,
            GError     **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  CsDecodeLimits limits = { size, max_pixels, CS_DEFAULT_DECODE_TIMEOUT_MS,
                            CS_DEFAULT_MEMORY_LIMIT, FALSE };
  int width = -1, height = -1;
  GdkPixbuf *pixbuf;

  g_assert_cmpint (fd, >=, 0);
  pixbuf = cs_decoder_decode (fd, "image/webp", &limits, mime_type, &width, &height, NULL, error);
  g_close (fd, NULL);
  if (image_width != NULL)
    *image_width = width;
  if (image_height != NULL)
    *image_height = height;

  return pixbuf;
}

static GdkPixbuf *
decode (const char  *path,
        guint        size,
        guint64      max_pixels,
        int         *image_width,
        int         *image_height,
        GError     **error)
{
  g_autofree char *mime_type = NULL;
  GdkPixbuf *pixbuf = decode_any (path, size, max_pixels, &mime_type, image_width, image_height,
                                  error);

  if (pixbuf != NULL)
    g_assert_cmpstr (mime_type, ==, "image/webp");

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

/* The picture as GdkPixbuf's loader decodes it whole, scaled by GdkPixbuf
 * to the thumbnail's sides: an average of the same area by other code. */
static GdkPixbuf *
reference (const char *path,
           int         width,
           int         height)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) whole = gdk_pixbuf_new_from_file (path, &error);

  g_assert_no_error (error);
  return gdk_pixbuf_scale_simple (whole, width, height, GDK_INTERP_BILINEAR);
}

/* The mean of each channel over a region of a picture. */
static void
mean_colour (GdkPixbuf *pixbuf,
             int        left,
             int        top,
             int        width,
             int        height,
             double     mean[4])
{
  int channels = gdk_pixbuf_get_n_channels (pixbuf);

  memset (mean, 0, 4 * sizeof (double));
  for (int y = top; y < top + height; y++)
    for (int x = left; x < left + width; x++)
      for (int c = 0; c < channels; c++)
        mean[c] += gdk_pixbuf_read_pixels (pixbuf)[(gsize) y * gdk_pixbuf_get_rowstride (pixbuf) +
                                                   (gsize) x * channels + c];
  for (int c = 0; c < channels; c++)
    mean[c] /= (double) width * height;
}

/* The largest difference between the mean colours of two pictures' regions,
 * over a grid of @n × @n of them. */
static double
compare_regions (GdkPixbuf *a,
                 GdkPixbuf *b,
                 int        n)
{
  int width = gdk_pixbuf_get_width (a);
  int height = gdk_pixbuf_get_height (a);
  double largest = 0;

  n = MIN (n, MIN (width, height));
  for (int j = 0; j < n; j++)
    for (int i = 0; i < n; i++)
      {
        int left = i * width / n, top = j * height / n;
        int right = (i + 1) * width / n, bottom = (j + 1) * height / n;
        double got[4], want[4];

        mean_colour (a, left, top, right - left, bottom - top, got);
        mean_colour (b, left, top, right - left, bottom - top, want);
        for (int c = 0; c < gdk_pixbuf_get_n_channels (a); c++)
          largest = MAX (largest, ABS (got[c] - want[c]));
      }

  return largest;
}

/* Within rounding of GdkPixbuf's thumbnail of @path, on the whole, region
 * by region and pixel by pixel. A lossy picture's colours are stored at
 * half the resolution of its brightness: scaling, libwebp averages them
 * there, GdkPixbuf after its loader has interpolated them, so that a pixel
 * on the edge of a strong colour can differ a lot, though not the area
 * around it. */
static void
assert_like_reference (GdkPixbuf   *thumb,
                       const char  *path,
                       Compression  compression)
{
  g_autoptr(GdkPixbuf) expected = reference (path, gdk_pixbuf_get_width (thumb),
                                             gdk_pixbuf_get_height (thumb));
  int largest;
  double mean = cs_test_compare (thumb, expected, &largest);
  double whole = compare_regions (thumb, expected, 1);
  double regions = compare_regions (thumb, expected, 8);

  g_test_message ("%s at %d x %d: mean difference %.3f, largest %d, of the mean colour %.3f, "
                  "of a region's %.3f", path, gdk_pixbuf_get_width (thumb),
                  gdk_pixbuf_get_height (thumb), mean, largest, whole, regions);
  g_assert_cmpfloat (mean, <, compression == LOSSY ? 1.5 : 1.0);
  g_assert_cmpfloat (whole, <, 1.0);
  g_assert_cmpfloat (regions, <, compression == LOSSY ? 4.0 : 2.0);
  g_assert_cmpint (largest, <=, compression == LOSSY ? 128 : 16);
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
    { 100, 75, 128, 100, 75 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (Compression compression = LOSSY; compression <= LOSSLESS; compression++)
      for (int alpha = 0; alpha <= 1; alpha++)
        {
          g_autofree char *name = g_strdup_printf ("sides-%u-%s-%d.webp", i,
                                                   compression_names[compression], alpha);
          g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (cases[i].width, cases[i].height,
                                                             i, alpha);
          g_autofree char *path = write_webp (f, name, source, compression);
          g_autoptr(GError) error = NULL;
          g_autoptr(GdkPixbuf) thumb = NULL;
          g_autoptr(GdkPixbuf) direct = NULL;
          int fit_width, fit_height, image_width, image_height;
          gboolean handled;

          g_test_message ("%d x %d %s%s at %u", cases[i].width, cases[i].height,
                          compression_names[compression], alpha ? " with alpha" : "",
                          cases[i].size);
          cs_test_expected_sides (cases[i].width, cases[i].height, cases[i].size, &fit_width, &fit_height);
          g_assert_cmpint (fit_width, ==, cases[i].fit_width);
          g_assert_cmpint (fit_height, ==, cases[i].fit_height);

          thumb = decode (path, cases[i].size, CS_DEFAULT_MAX_PIXELS, &image_width,
                          &image_height, &error);
          g_assert_no_error (error);
          cs_test_assert_sides (thumb, cases[i].fit_width, cases[i].fit_height);
          g_assert_cmpint (gdk_pixbuf_get_has_alpha (thumb), ==, alpha);
          g_assert_cmpint (image_width, ==, cases[i].width);
          g_assert_cmpint (image_height, ==, cases[i].height);

          /* From libwebp itself, not fixed up afterwards. */
          {
            int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

            g_assert_cmpint (fd, >=, 0);
            direct = decode_webp_fd (fd, cases[i].size, CS_DEFAULT_MAX_PIXELS, &handled,
                                     &image_width, &image_height, NULL, &error);
            g_close (fd, NULL);
          }
          g_assert_no_error (error);
          g_assert_true (handled);
          cs_test_assert_sides (direct, cases[i].fit_width, cases[i].fit_height);
          g_assert_cmpint (gdk_pixbuf_get_has_alpha (direct), ==, alpha);
          g_assert_cmpint (image_width, ==, cases[i].width);
          g_assert_cmpint (image_height, ==, cases[i].height);
        }
}

/* --- pixels ------------------------------------------------------------- */

/* Smooth pictures and hard edges, with and without alpha, lossy and
 * lossless, at each size: like GdkPixbuf's. */
static void
test_pixels (Fixture       *f,
             gconstpointer  data)
{
  static const guint patterns[] = { 0, 2, 3, 5 };
  static const guint sizes[] = { 64, 128, 256, 500 };

  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    for (Compression compression = LOSSY; compression <= LOSSLESS; compression++)
      for (int alpha = 0; alpha <= 1; alpha++)
        {
          g_autofree char *name = g_strdup_printf ("pattern-%u-%s-%d.webp", patterns[i],
                                                   compression_names[compression], alpha);
          g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (1203, 907, patterns[i], alpha);
          g_autofree char *path = write_webp (f, name, source, compression);

          for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
            {
              g_autoptr(GdkPixbuf) thumb = decode_ok (path, sizes[s]);

              assert_like_reference (thumb, path, compression);
            }
        }
}

/* A lossless picture is its source's pixels: the thumbnail is their area
 * average, to libwebp's fixed-point rounding (and, with alpha, its 8-bit
 * premultiplication). */
static void
test_exact (Fixture       *f,
            gconstpointer  data)
{
  static const struct { int width, height; guint size; guint pattern; } cases[] = {
    { 301, 203, 64, 2 }, { 301, 203, 150, 5 }, { 203, 301, 97, 3 }, { 300, 200, 100, 0 },
    { 1203, 907, 128, 2 }, { 257, 3, 16, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (int alpha = 0; alpha <= 1; alpha++)
      {
        g_autofree char *name = g_strdup_printf ("exact-%u-%d.webp", i, alpha);
        g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (cases[i].width, cases[i].height,
                                                           cases[i].pattern, alpha);
        g_autofree char *path = write_webp (f, name, source, LOSSLESS);
        g_autoptr(GdkPixbuf) thumb = decode_ok (path, cases[i].size);
        g_autoptr(GdkPixbuf) expected = cs_test_box_average (source, gdk_pixbuf_get_width (thumb),
                                                     gdk_pixbuf_get_height (thumb));
        int largest;
        double mean = cs_test_compare (thumb, expected, &largest);

        g_test_message ("%d x %d%s at %u: mean difference %.4f, largest %d", cases[i].width,
                        cases[i].height, alpha ? " with alpha" : "", cases[i].size, mean, largest);
        g_assert_cmpint (largest, <=, alpha ? 5 : 1);
        g_assert_cmpfloat (mean, <, alpha ? 0.5 : 0.1);
      }
}

/* A WebP no larger than the thumbnail is the thumbnail, as GdkPixbuf
 * decodes it; a lossless one is its source, colours hidden under
 * transparent pixels included. */
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
    for (Compression compression = LOSSY; compression <= LOSSLESS; compression++)
      {
        g_autofree char *name = g_strdup_printf ("small-%u-%s.webp", i,
                                                 compression_names[compression]);
        g_autoptr(GdkPixbuf) source = cs_test_make_noise (cases[i].width, cases[i].height, TRUE);
        g_autofree char *path = NULL;
        g_autoptr(GdkPixbuf) thumb = NULL;
        g_autoptr(GdkPixbuf) direct = NULL;
        g_autoptr(GError) error = NULL;
        int image_width, image_height;

        /* Some pixels wholly transparent, whatever their colour. */
        for (int y = 0; y < cases[i].height; y++)
          gdk_pixbuf_get_pixels (source)[(gsize) y * gdk_pixbuf_get_rowstride (source) + 3] = 0;
        path = write_webp (f, name, source, compression);

        thumb = decode (path, cases[i].size, CS_DEFAULT_MAX_PIXELS, &image_width, &image_height,
                        &error);
        g_assert_no_error (error);
        g_assert_cmpint (image_width, ==, cases[i].width);
        g_assert_cmpint (image_height, ==, cases[i].height);
        direct = gdk_pixbuf_new_from_file (path, &error);
        g_assert_no_error (error);
        cs_test_assert_identical (thumb, direct);
        if (compression == LOSSLESS)
          cs_test_assert_identical (thumb, source);
      }
}

/* --- alpha -------------------------------------------------------------- */

/* An opaque picture has no alpha channel, even from a pixbuf that had one;
 * a translucent one keeps its alpha, averaged like its colours. */
static void
test_alpha (Fixture       *f,
            gconstpointer  data)
{
  for (Compression compression = LOSSY; compression <= LOSSLESS; compression++)
    {
      g_autoptr(GdkPixbuf) translucent = cs_test_make_pixbuf (640, 480, 1, TRUE);
      g_autoptr(GdkPixbuf) opaque = gdk_pixbuf_copy (translucent);
      g_autofree char *translucent_name = g_strdup_printf ("translucent-%s.webp",
                                                           compression_names[compression]);
      g_autofree char *opaque_name = g_strdup_printf ("opaque-%s.webp",
                                                      compression_names[compression]);
      g_autofree char *translucent_path = NULL;
      g_autofree char *opaque_path = NULL;
      g_autoptr(GdkPixbuf) thumb = NULL;
      g_autoptr(GdkPixbuf) expected = NULL;
      int stride = gdk_pixbuf_get_rowstride (opaque);

      for (int y = 0; y < 480; y++)
        for (int x = 0; x < 640; x++)
          gdk_pixbuf_get_pixels (opaque)[(gsize) y * stride + (gsize) x * 4 + 3] = 255;
      translucent_path = write_webp (f, translucent_name, translucent, compression);
      opaque_path = write_webp (f, opaque_name, opaque, compression);

      thumb = decode_ok (opaque_path, 128);
      g_assert_false (gdk_pixbuf_get_has_alpha (thumb));
      g_assert_cmpint (gdk_pixbuf_get_n_channels (thumb), ==, 3);
      assert_like_reference (thumb, opaque_path, compression);
      g_clear_object (&thumb);

      /* The alpha channel is stored losslessly either way. */
      thumb = decode_ok (translucent_path, 128);
      g_assert_true (gdk_pixbuf_get_has_alpha (thumb));
      expected = cs_test_box_average (translucent, 128, 96);
      for (int y = 0; y < 96; y++)
        for (int x = 0; x < 128; x++)
          {
            guint8 a = gdk_pixbuf_read_pixels (thumb)[(gsize) y * gdk_pixbuf_get_rowstride (thumb) +
                                                      (gsize) x * 4 + 3];
            guint8 b = gdk_pixbuf_read_pixels (expected)[(gsize) y * gdk_pixbuf_get_rowstride (expected) +
                                                         (gsize) x * 4 + 3];

            if (ABS (a - b) > 1)
              g_error ("alpha at %d,%d is %d, not %d", x, y, a, b);
          }
      assert_like_reference (thumb, translucent_path, compression);
    }
}

/* Fully transparent red between opaque blue pixels, kept in a lossless
 * file: the red is no colour and must not tint the blue. */
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
  path = write_webp (f, "checker.webp", source, LOSSLESS);

  thumb = decode_ok (path, 128);
  cs_test_assert_sides (thumb, 128, 128);
  for (int y = 0; y < 128; y++)
    for (int x = 0; x < 128; x++)
      {
        const guint8 *p = gdk_pixbuf_read_pixels (thumb) + (gsize) y * gdk_pixbuf_get_rowstride (thumb) +
                          (gsize) x * 4;

        if (p[0] > 2 || p[1] > 2 || p[2] < 250 || ABS (p[3] - 128) > 8)
          g_error ("pixel %d,%d is %d %d %d %d, not a half-transparent blue",
                   x, y, p[0], p[1], p[2], p[3]);
      }
}

/* --- where the file starts ---------------------------------------------- */

/* Read from the descriptor's offset, as the helper hands it over. */
static void
test_offset (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (400, 300, 3, FALSE);
  g_autoptr(GBytes) bytes = encode (source, LOSSY);
  g_autoptr(GByteArray) shifted = g_byte_array_new ();
  g_autofree char *plain = write_bytes (f, "plain.webp", g_bytes_get_data (bytes, NULL),
                                        g_bytes_get_size (bytes));
  g_autofree char *path = NULL;
  g_autoptr(GdkPixbuf) expected = decode_ok (plain, 128);
  g_autoptr(GdkPixbuf) thumb = NULL;
  g_autoptr(GError) error = NULL;
  gboolean handled;

  g_byte_array_append (shifted, (const guint8 *) "not a picture, 37 bytes of something", 37);
  g_byte_array_append (shifted, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  path = write_bytes (f, "shifted", shifted->data, shifted->len);

  thumb = decode_webp (path, 37, 128, CS_DEFAULT_MAX_PIXELS, &handled, NULL, &error);
  g_assert_no_error (error);
  cs_test_assert_identical (thumb, expected);
}

/* --- what goes back to GdkPixbuf ---------------------------------------- */

#if HAVE_LIBWEBPMUX
static GdkPixbuf *
make_flat (int          width,
           int          height,
           const guint8 rgba[4])
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, width, height);

  gdk_pixbuf_fill (pixbuf, (guint32) rgba[0] << 24 | rgba[1] << 16 | rgba[2] << 8 | rgba[3]);
  return pixbuf;
}

/* Two frames, the first red, the second blue. */
static GBytes *
encode_animation (int width,
                  int height)
{
  static const guint8 colours[2][4] = { { 220, 20, 20, 255 }, { 20, 20, 220, 255 } };
  WebPAnimEncoderOptions options;
  WebPAnimEncoder *encoder;
  WebPData out;
  GBytes *bytes;
  int timestamp = 0;

  g_assert_true (WebPAnimEncoderOptionsInit (&options));
  encoder = WebPAnimEncoderNew (width, height, &options);
  g_assert_nonnull (encoder);

  for (int i = 0; i < 2; i++, timestamp += 100)
    {
      g_autoptr(GdkPixbuf) frame = make_flat (width, height, colours[i]);
      WebPPicture picture;
      WebPConfig config;

      encode_picture (&picture, frame, LOSSY, &config);
      if (!WebPAnimEncoderAdd (encoder, &picture, timestamp, &config))
        g_error ("libwebpmux cannot add a frame: %s", WebPAnimEncoderGetError (encoder));
      WebPPictureFree (&picture);
    }
  g_assert_true (WebPAnimEncoderAdd (encoder, NULL, timestamp, NULL));

  WebPDataInit (&out);
  g_assert_true (WebPAnimEncoderAssemble (encoder, &out));
  bytes = g_bytes_new (out.bytes, out.size);
  WebPDataClear (&out);
  WebPAnimEncoderDelete (encoder);

  return bytes;
}
#endif

/* Animations: left to GdkPixbuf from where they start, which shows the
 * first frame. */
static void
test_animated (Fixture       *f,
               gconstpointer  data)
{
#if HAVE_LIBWEBPMUX
  g_autoptr(GBytes) bytes = encode_animation (300, 200);
  g_autoptr(GByteArray) shifted = g_byte_array_new ();
  g_autofree char *path = write_bytes (f, "animated.webp", g_bytes_get_data (bytes, NULL),
                                       g_bytes_get_size (bytes));
  g_autofree char *shifted_path = NULL;
  g_autofree char *mime_type = NULL;
  g_autoptr(GdkPixbuf) none = NULL;
  g_autoptr(GdkPixbuf) thumb = NULL;
  g_autoptr(GError) error = NULL;
  gboolean handled;
  double mean[4];
  int width, height;

  g_byte_array_append (shifted, (const guint8 *) "0123456789", 10);
  g_byte_array_append (shifted, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  shifted_path = write_bytes (f, "shifted", shifted->data, shifted->len);

  none = decode_webp (path, 0, 128, CS_DEFAULT_MAX_PIXELS, &handled, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (none);
  g_assert_false (handled);
  none = decode_webp (shifted_path, 10, 128, CS_DEFAULT_MAX_PIXELS, &handled, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (none);
  g_assert_false (handled);

  /* Still refused over the limit, like any other picture. */
  none = decode_webp (path, 0, 128, 50000, &handled, NULL, &error);
  g_assert_null (none);
  g_assert_true (handled);
  g_assert_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "Image is too large (300 × 200 pixels)");
  g_clear_error (&error);

  thumb = decode_any (path, 128, CS_DEFAULT_MAX_PIXELS, &mime_type, &width, &height, &error);
  g_assert_no_error (error);
  g_test_message ("GdkPixbuf calls it %s", mime_type);
  g_assert_true (g_str_has_prefix (mime_type, "image/webp"));
  cs_test_assert_sides (thumb, 128, 85);
  g_assert_cmpint (width, ==, 300);
  g_assert_cmpint (height, ==, 200);
  mean_colour (thumb, 0, 0, 128, 85, mean);
  g_test_message ("first frame: %.1f %.1f %.1f", mean[0], mean[1], mean[2]);
  g_assert_cmpfloat (mean[0], >, 200);
  g_assert_cmpfloat (mean[2], <, 40);
#else
  g_test_skip ("Built without libwebpmux, which makes the animation");
#endif
}

/* --- damaged files ------------------------------------------------------ */

static void
assert_decode_fails (const char *path,
                     int         code,
                     const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = decode (path, 128, CS_DEFAULT_MAX_PIXELS, NULL, NULL, &error);
  g_autoptr(GdkPixbuf) direct = NULL;
  gboolean handled;

  g_test_message ("%s: %s", path, error != NULL ? error->message : "no error");
  g_assert_null (pixbuf);
  g_assert_error (error, CS_THUMB_ERROR, code);
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
  g_clear_error (&error);

  /* libwebp's verdict, not GdkPixbuf's. */
  direct = decode_webp (path, 0, 128, CS_DEFAULT_MAX_PIXELS, &handled, NULL, &error);
  g_assert_null (direct);
  g_assert_true (handled);
  g_assert_error (error, CS_THUMB_ERROR, code);
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
}

/* Cut in its headers (but after the signature), in the middle of its data
 * and near its end: an error that says so, never the rows that came with
 * grey below. */
static void
test_truncated (Fixture       *f,
                gconstpointer  data)
{
  for (Compression compression = LOSSY; compression <= LOSSLESS; compression++)
    for (int alpha = 0; alpha <= 1; alpha++)
      {
        g_autoptr(GdkPixbuf) source = cs_test_make_noise (300, 200, alpha);
        g_autoptr(GBytes) bytes = encode (source, compression);
        const guint8 *contents = g_bytes_get_data (bytes, NULL);
        gsize len = g_bytes_get_size (bytes);
        gsize cuts[] = { 12, 16, 24, 40, len / 4, len / 2, len - len / 8 };

        for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
          {
            g_autofree char *name = g_strdup_printf ("cut-%s-%d-%u.webp",
                                                     compression_names[compression], alpha, i);
            g_autofree char *path = write_bytes (f, name, contents, cuts[i]);

            assert_decode_fails (path, CS_THUMB_ERROR_CORRUPT, TRUNCATED_MESSAGE);
          }
      }
}

/* A RIFF WEBP header and then anything; pictures whose data is damaged. */
static void
test_damaged (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GByteArray) garbage = g_byte_array_new ();
  g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (300, 200, 2, FALSE);
  g_autoptr(GBytes) lossy = encode (source, LOSSY);
  g_autoptr(GBytes) lossless = encode (source, LOSSLESS);
  g_autoptr(GdkPixbuf) translucent = cs_test_make_pixbuf (300, 200, 2, TRUE);
  g_autoptr(GBytes) with_alpha = encode (translucent, LOSSY);
  g_autofree guint8 *copy = NULL;
  g_autofree char *garbage_path = NULL;
  g_autofree char *lossy_path = NULL;
  g_autofree char *lossless_path = NULL;
  guint32 riff_size = GUINT32_TO_LE (4 + 4096);

  g_byte_array_append (garbage, (const guint8 *) "RIFF", 4);
  g_byte_array_append (garbage, (const guint8 *) &riff_size, 4);
  g_byte_array_append (garbage, (const guint8 *) "WEBP", 4);
  for (int i = 0; i < 4096; i++)
    {
      guint8 byte = g_rand_int_range (rand, 0, 256);

      g_byte_array_append (garbage, &byte, 1);
    }
  garbage_path = write_bytes (f, "garbage.webp", garbage->data, garbage->len);
  assert_decode_fails (garbage_path, CS_THUMB_ERROR_CORRUPT, DAMAGED_MESSAGE);

  /* A lossy picture's frame header (RIFF, "VP8 ", its size, the frame
   * tag): its start code broken. */
  copy = g_memdup2 (g_bytes_get_data (lossy, NULL), g_bytes_get_size (lossy));
  g_assert_cmpmem (copy + 12, 4, "VP8 ", 4);
  g_assert_cmpint (copy[23], ==, 0x9d);
  copy[23] = 0x9e;
  lossy_path = write_bytes (f, "start-code.webp", copy, g_bytes_get_size (lossy));
  assert_decode_fails (lossy_path, CS_THUMB_ERROR_CORRUPT, DAMAGED_MESSAGE);
  g_clear_pointer (&copy, g_free);

  /* A lossless one's: its signature byte, then its version. */
  copy = g_memdup2 (g_bytes_get_data (lossless, NULL), g_bytes_get_size (lossless));
  g_assert_cmpmem (copy + 12, 4, "VP8L", 4);
  g_assert_cmpint (copy[20], ==, 0x2f);
  copy[20] = 0x2e;
  lossless_path = write_bytes (f, "signature.webp", copy, g_bytes_get_size (lossless));
  assert_decode_fails (lossless_path, CS_THUMB_ERROR_CORRUPT, DAMAGED_MESSAGE);
  copy[20] = 0x2f;
  copy[24] |= 0xe0;
  g_clear_pointer (&lossless_path, g_free);
  lossless_path = write_bytes (f, "version.webp", copy, g_bytes_get_size (lossless));
  assert_decode_fails (lossless_path, CS_THUMB_ERROR_CORRUPT, DAMAGED_MESSAGE);
  g_clear_pointer (&copy, g_free);

  /* A lossy one's alpha (RIFF, VP8X, then ALPH): its header byte, which
   * says how the alpha is stored, made nonsense. libwebp finds out only
   * when the first row is made. */
  copy = g_memdup2 (g_bytes_get_data (with_alpha, NULL), g_bytes_get_size (with_alpha));
  g_assert_cmpmem (copy + 12, 4, "VP8X", 4);
  g_assert_cmpmem (copy + 30, 4, "ALPH", 4);
  copy[38] = 0xff;
  g_clear_pointer (&lossy_path, g_free);
  lossy_path = write_bytes (f, "alpha.webp", copy, g_bytes_get_size (with_alpha));
  assert_decode_fails (lossy_path, CS_THUMB_ERROR_CORRUPT, ROW_FAILED_MESSAGE);
}

/* Other RIFF files (sounds, videos, animated cursors) are not WebPs: they
 * are what GdkPixbuf makes of them, not damaged WebPs. */
static void
test_other_riff (Fixture       *f,
                 gconstpointer  data)
{
  static const guint8 wave[] = {
    'R', 'I', 'F', 'F', 36, 0, 0, 0, 'W', 'A', 'V', 'E',
    'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 1, 0, 0x44, 0xac, 0, 0, 0x88, 0x58, 1, 0, 2, 0, 16, 0,
    'd', 'a', 't', 'a', 0, 0, 0, 0,
  };
  g_autofree char *path = write_bytes (f, "sound.webp", wave, sizeof wave);
  g_autoptr(GError) error = NULL;
  g_autofree char *mime_type = NULL;
  g_autoptr(GdkPixbuf) none = decode_any (path, 128, CS_DEFAULT_MAX_PIXELS, &mime_type, NULL,
                                          NULL, &error);

  g_assert_null (none);
  g_assert_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_UNSUPPORTED);
}

/* --- what comes before the picture -------------------------------------- */

/* A lossy picture with alpha (RIFF, VP8X, ALPH, VP8) with a chunk that
 * libwebp skips between its VP8X chunk and the rest: @claimed bytes long,
 * of which the first @written are in the file. */
static char *
write_with_chunk (Fixture    *f,
                  const char *name,
                  guint32     claimed,
                  gsize       written)
{
  g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (300, 200, 4, TRUE);
  g_autoptr(GBytes) bytes = encode (source, LOSSY);
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  gsize len = g_bytes_get_size (bytes);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree guint8 *zeros = g_malloc0 (written);
  guint32 riff_size = GUINT32_TO_LE (len - 8 + 8 + claimed);
  guint32 chunk_size = GUINT32_TO_LE (claimed);

  g_assert_cmpmem (data + 12, 4, "VP8X", 4);
  g_byte_array_append (out, (const guint8 *) "RIFF", 4);
  g_byte_array_append (out, (const guint8 *) &riff_size, 4);
  g_byte_array_append (out, data + 8, 30 - 8);
  g_byte_array_append (out, (const guint8 *) "ZZZZ", 4);
  g_byte_array_append (out, (const guint8 *) &chunk_size, 4);
  g_byte_array_append (out, zeros, written);
  if (written == claimed)
    g_byte_array_append (out, data + 30, len - 30);

  return write_bytes (f, name, out->data, out->len);
}

/* A chunk of megabytes before the picture is read past; one that claims
 * gigabytes and is not there is the file's end, not an allocation of its
 * size. */
static void
test_skipped_chunk (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *long_path = write_with_chunk (f, "long.webp", 5 * 1024 * 1024,
                                                 5 * 1024 * 1024);
  g_autofree char *claims_path = write_with_chunk (f, "claims.webp", 0x7ffffff0, 256);
  g_autoptr(GdkPixbuf) thumb = NULL;
  g_autoptr(GError) error = NULL;
  gboolean handled;

  thumb = decode_webp (long_path, 0, 128, CS_DEFAULT_MAX_PIXELS, &handled, NULL, &error);
  g_assert_no_error (error);
  cs_test_assert_sides (thumb, 128, 85);
  g_assert_true (gdk_pixbuf_get_has_alpha (thumb));

  assert_decode_fails (claims_path, CS_THUMB_ERROR_CORRUPT, TRUNCATED_MESSAGE);
}

/* --- limits and cancelling ---------------------------------------------- */

/* A lossy file whose frame header claims @width × @height. */
static char *
write_claims (Fixture    *f,
              const char *name,
              guint       width,
              guint       height)
{
  g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (64, 64, 1, FALSE);
  g_autoptr(GBytes) bytes = encode (source, LOSSY);
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  g_assert_cmpmem (copy + 12, 4, "VP8 ", 4);
  copy[26] = width & 0xff;
  copy[27] = width >> 8;
  copy[28] = height & 0xff;
  copy[29] = height >> 8;

  return write_bytes (f, name, copy, g_bytes_get_size (bytes));
}

static void
test_pixel_limit (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GdkPixbuf) over = cs_test_make_pixbuf (400, 251, 1, FALSE);
  g_autoptr(GdkPixbuf) at = cs_test_make_pixbuf (400, 250, 1, FALSE);
  g_autofree char *over_path = write_webp (f, "over.webp", over, LOSSY);
  g_autofree char *at_path = write_webp (f, "at.webp", at, LOSSLESS);
  g_autofree char *claims_path = write_claims (f, "claims.webp", 16000, 16000);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) refused = decode (over_path, 128, 100000, NULL, NULL, &error);
  g_autoptr(GdkPixbuf) accepted = NULL;
  gboolean handled;

  g_assert_null (refused);
  g_assert_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "Image is too large (400 × 251 pixels)");
  g_clear_error (&error);

  accepted = decode (at_path, 128, 100000, NULL, NULL, &error);
  g_assert_no_error (error);
  cs_test_assert_sides (accepted, 128, 80);

  /* 256 million pixels claimed, 64 × 64 there: refused from the header,
   * before anything of that size is allocated or any data decoded (or
   * the data's end would be the error). */
  refused = decode_webp (claims_path, 0, 128, 100000000, &handled, NULL, &error);
  g_assert_null (refused);
  g_assert_true (handled);
  g_assert_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "Image is too large (16000 × 16000 pixels)");
  g_clear_error (&error);

  /* Under the limit, the same file is what it is: damaged. */
  assert_decode_fails (claims_path, CS_THUMB_ERROR_CORRUPT, NULL);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  for (Compression compression = LOSSY; compression <= LOSSLESS; compression++)
    {
      g_autoptr(GdkPixbuf) source = cs_test_make_noise (150, 100, FALSE);
      g_autoptr(GBytes) bytes = encode (source, compression);
      g_autofree char *path = write_bytes (f, "noise.webp", g_bytes_get_data (bytes, NULL),
                                           g_bytes_get_size (bytes));
      const guint8 *contents = g_bytes_get_data (bytes, NULL);
      gsize len = g_bytes_get_size (bytes);
      g_autoptr(GError) error = NULL;

      /* All of it fits in a pipe, so that writing never waits on the reader. */
      g_assert_cmpuint (len, <, 60 * 1024);

      /* Cancelled before it starts. */
      {
        g_autoptr(GCancellable) cancellable = g_cancellable_new ();
        gboolean handled;
        g_autoptr(GdkPixbuf) none = NULL;

        g_cancellable_cancel (cancellable);
        none = decode_webp (path, 0, 64, CS_DEFAULT_MAX_PIXELS, &handled, cancellable, &error);
        g_assert_null (none);
        g_assert_true (handled);
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        g_clear_error (&error);
      }

      /* Cancelled while the headers come, then halfway through the
       * picture, scaling and not. */
      cs_test_assert_cancelled_midway (cs_webp_decode, contents, len, 20, 64);
      for (guint size = 64; size <= 256; size *= 4)
        cs_test_assert_cancelled_midway (cs_webp_decode, contents, len, len / 2, size);
    }
}

/* --- through the decoder helper ----------------------------------------- */

/* A picture that would take 72 MB whole is thumbnailed by a helper allowed
 * a fraction of that. */
static void
test_memory (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GdkPixbuf) source = cs_test_make_pixbuf (6000, 4000, 1, FALSE);
  g_autofree char *path = write_webp (f, "big.webp", source, LOSSY);
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

  ADD ("/webp/scale/sides", test_sides);
  ADD ("/webp/scale/pixels", test_pixels);
  ADD ("/webp/scale/exact", test_exact);
  ADD ("/webp/scale/small", test_small);
  ADD ("/webp/alpha/kept", test_alpha);
  ADD ("/webp/alpha/weighted", test_alpha_weighted);
  ADD ("/webp/offset", test_offset);
  ADD ("/webp/animated", test_animated);
  ADD ("/webp/broken/truncated", test_truncated);
  ADD ("/webp/broken/damaged", test_damaged);
  ADD ("/webp/broken/other-riff", test_other_riff);
  ADD ("/webp/skipped-chunk", test_skipped_chunk);
  ADD ("/webp/limits/pixels", test_pixel_limit);
  ADD ("/webp/limits/cancel", test_cancel);
  ADD ("/webp/limits/memory", test_memory);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
