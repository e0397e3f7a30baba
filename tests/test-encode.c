/* test-encode.c: thumbnails encoded in this process (cs-encode.c)
 *
 * What the encoder writes is read back by readers that are not ours:
 * libpng's and libjpeg's own (in builds that have them), and GdkPixbuf's
 * loader, as another desktop program would read a thumbnail. Pixels come
 * back as they went in, every text key with its value, and the chunks in
 * the order GdkPixbuf 2.42's saver wrote them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#if HAVE_LIBPNG
#include <png.h>
#endif
#if HAVE_LIBJPEG
#include <jpeglib.h>
#endif

#include "cs-cache.h"
#include "cs-encode.h"
#include "cs-test-util.h"

typedef CsTestDir Fixture;

#define WIDTH 37
#define HEIGHT 23

static const char * const keys[] = {
  "Thumb::URI", "Thumb::MTime", "Thumb::Size", "Thumb::Mimetype",
  "Thumb::Image::Width", "Thumb::Image::Height", "Software",
  "Latin", "Wide", NULL
};
static const char * const values[] = {
  "file:///home/someone/Pictures/caf%C3%A9%20at%20night.jpg", "1700000000", "123456",
  "image/jpeg", "4000", "3000", "Contact Sheet " PACKAGE_VERSION,
  "Café",                         /* fits ISO 8859-1: tEXt */
  "写真を読めません", /* does not: iTXt, in UTF-8 */
  NULL
};
/* The keys above that tEXt carries, in ISO 8859-1. */
#define N_TEXT_KEYS 8
#define LATIN_VALUE "Caf\xe9"

/* Every byte value in every channel, alpha included, from a fixed seed, in
 * rows padded as GdkPixbuf pads them (more, for RGBA, which it does not
 * pad): the padding must not reach the file. */
static GdkPixbuf *
make_noise (gboolean alpha)
{
  int row_bytes = WIDTH * (alpha ? 4 : 3);
  int stride = row_bytes + 5;
  g_autofree guint8 *pixels = g_malloc (stride * HEIGHT);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240101);

  for (int y = 0; y < HEIGHT; y++)
    {
      for (int x = 0; x < row_bytes; x++)
        pixels[y * stride + x] = g_rand_int_range (rand, 0, 256);
      /* What would show if a row's padding were written as pixels. */
      memset (pixels + y * stride + row_bytes, 0xa5, stride - row_bytes);
    }

  bytes = g_bytes_new_take (g_steal_pointer (&pixels), stride * HEIGHT);

  return gdk_pixbuf_new_from_bytes (bytes, GDK_COLORSPACE_RGB, alpha, 8, WIDTH, HEIGHT, stride);
}

static char *
write_bytes (Fixture    *f,
             const char *name,
             GBytes     *bytes)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);

  return path;
}

static void
assert_same_pixels (GdkPixbuf *expected,
                    GdkPixbuf *actual)
{
  int channels = gdk_pixbuf_get_n_channels (expected);

  g_assert_cmpint (gdk_pixbuf_get_width (actual), ==, WIDTH);
  g_assert_cmpint (gdk_pixbuf_get_height (actual), ==, HEIGHT);
  g_assert_cmpint (gdk_pixbuf_get_has_alpha (actual), ==, gdk_pixbuf_get_has_alpha (expected));
  for (int y = 0; y < HEIGHT; y++)
    g_assert_cmpmem (gdk_pixbuf_read_pixels (actual) + y * gdk_pixbuf_get_rowstride (actual),
                     WIDTH * channels,
                     gdk_pixbuf_read_pixels (expected) + y * gdk_pixbuf_get_rowstride (expected),
                     WIDTH * channels);
}

/* The chunk types of a PNG file, in order, IDATs counted as one. */
static char *
chunk_list (GBytes *png)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (png, &len);
  g_autoptr(GString) list = g_string_new (NULL);
  gsize pos = 8;

  g_assert_cmpuint (len, >, 8);
  g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);
  while (pos + 12 <= len)
    {
      guint32 length = ((guint32) data[pos] << 24) | ((guint32) data[pos + 1] << 16) |
                       ((guint32) data[pos + 2] << 8) | data[pos + 3];
      const char *type = (const char *) data + pos + 4;

      if (!(list->len >= 4 && memcmp (type, "IDAT", 4) == 0 &&
            memcmp (list->str + list->len - 4, "IDAT", 4) == 0))
        {
          if (list->len > 0)
            g_string_append_c (list, ' ');
          g_string_append_len (list, type, 4);
        }
      pos += 12 + (gsize) length;
    }
  g_assert_cmpuint (pos, ==, len);

  return g_string_free (g_steal_pointer (&list), FALSE);
}

#if HAVE_LIBPNG
/* The jump skips only this function, which sets nothing but what libpng
 * fills in. */
static gboolean
libpng_read (png_structp  png,
             png_infop    info,
             FILE        *file,
             guint8      *rows,
             gsize        row_bytes)
{
  if (setjmp (png_jmpbuf (png)))
    return FALSE;

  png_init_io (png, file);
  png_read_info (png, info);
  if (png_get_rowbytes (png, info) != row_bytes || png_get_image_height (png, info) != HEIGHT)
    return FALSE;
  for (int y = 0; y < HEIGHT; y++)
    png_read_row (png, rows + y * row_bytes, NULL);
  png_read_end (png, info);

  return TRUE;
}

/* libpng's own reader: the pixels as stored, every text chunk as stored
 * (CRCs checked on the way). */
static void
assert_libpng_reads (const char *path,
                     GdkPixbuf  *expected)
{
  FILE *file = g_fopen (path, "rb");
  png_structp png = png_create_read_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  gboolean alpha = gdk_pixbuf_get_has_alpha (expected);
  gsize row_bytes = WIDTH * (alpha ? 4 : 3);
  g_autofree guint8 *rows = g_malloc (row_bytes * HEIGHT);
  png_textp text = NULL;
  int n_text;

  g_assert_nonnull (file);
  g_assert_nonnull (info);
  g_assert_true (libpng_read (png, info, file, rows, row_bytes));

  g_assert_cmpuint (png_get_image_width (png, info), ==, WIDTH);
  g_assert_cmpint (png_get_bit_depth (png, info), ==, 8);
  g_assert_cmpint (png_get_color_type (png, info), ==,
                   alpha ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB);
  g_assert_cmpint (png_get_interlace_type (png, info), ==, PNG_INTERLACE_NONE);
  for (int y = 0; y < HEIGHT; y++)
    g_assert_cmpmem (rows + y * row_bytes, row_bytes,
                     gdk_pixbuf_read_pixels (expected) + y * gdk_pixbuf_get_rowstride (expected),
                     row_bytes);

  n_text = png_get_text (png, info, &text, NULL);
  g_assert_cmpint (n_text, ==, g_strv_length ((char **) keys));
  for (int i = 0; i < n_text; i++)
    {
      g_assert_cmpstr (text[i].key, ==, keys[i]);
      if (g_str_equal (keys[i], "Latin"))
        {
          g_assert_cmpint (text[i].compression, ==, PNG_TEXT_COMPRESSION_NONE);
          g_assert_cmpstr (text[i].text, ==, LATIN_VALUE);
        }
      else if (g_str_equal (keys[i], "Wide"))
        {
          g_assert_cmpint (text[i].compression, ==, PNG_ITXT_COMPRESSION_NONE);
          g_assert_cmpstr (text[i].text, ==, values[i]);
        }
      else
        {
          g_assert_cmpint (text[i].compression, ==, PNG_TEXT_COMPRESSION_NONE);
          g_assert_cmpstr (text[i].text, ==, values[i]);
        }
    }

  png_destroy_read_struct (&png, &info, NULL);
  fclose (file);
}
#endif

/* GdkPixbuf's loader, as another desktop program would read it: its
 * options are the text chunks, in UTF-8. Through glycin (GdkPixbuf 2.43
 * and later) they are the tEXt chunks only, not iTXt. */
static void
assert_pixbuf_reads (const char *path,
                     GdkPixbuf  *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) read = gdk_pixbuf_new_from_file (path, &error);

  g_assert_no_error (error);
  assert_same_pixels (expected, read);

  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *option = g_strconcat ("tEXt::", keys[i], NULL);

      if (i >= N_TEXT_KEYS && gdk_pixbuf_minor_version >= 43)
        break;
      g_assert_cmpstr (gdk_pixbuf_get_option (read, option), ==, values[i]);
    }
}

static void
test_png (Fixture       *f,
          gconstpointer  data)
{
  gboolean alpha = GPOINTER_TO_INT (data);
  g_autoptr(GdkPixbuf) pixbuf = make_noise (alpha);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = cs_encode_png (pixbuf, keys, values, &error);
  g_autoptr(GHashTable) read_keys = NULL;
  g_autofree char *path = NULL;
  g_autofree char *chunks = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (png);
  path = write_bytes (f, "noise.png", png);

  chunks = chunk_list (png);
  if (HAVE_LIBPNG)
    g_assert_cmpstr (chunks, ==,
                     "IHDR sBIT tEXt tEXt tEXt tEXt tEXt tEXt tEXt tEXt iTXt IDAT IEND");

#if HAVE_LIBPNG
  assert_libpng_reads (path, pixbuf);
#endif
  assert_pixbuf_reads (path, pixbuf);

  /* What the cache itself reads back: the tEXt keys, as stored. */
  read_keys = cs_cache_read_text_keys (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < N_TEXT_KEYS; i++)
    g_assert_cmpstr (g_hash_table_lookup (read_keys, keys[i]), ==,
                     g_str_equal (keys[i], "Latin") ? LATIN_VALUE : values[i]);
}

/* A PNG without text, as the beside mode writes. */
static void
test_png_no_keys (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GdkPixbuf) pixbuf = make_noise (TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = cs_encode_png (pixbuf, NULL, NULL, &error);
  g_autoptr(GdkPixbuf) read = NULL;
  g_autofree char *path = NULL;
  g_autofree char *chunks = NULL;

  g_assert_no_error (error);
  path = write_bytes (f, "plain.png", png);
  chunks = chunk_list (png);
  if (HAVE_LIBPNG)
    g_assert_cmpstr (chunks, ==, "IHDR sBIT IDAT IEND");

  read = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  assert_same_pixels (pixbuf, read);
}

/* Quarters in flat colours, the bottom right one half transparent, and a
 * fully transparent column: JPEG has no alpha, so they come back on
 * white. */
static GdkPixbuf *
make_quarters (gboolean alpha)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, 64, 64);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);

  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 64; x++)
      {
        guint8 *p = gdk_pixbuf_get_pixels (pixbuf) + y * gdk_pixbuf_get_rowstride (pixbuf) + x * channels;
        static const guint8 colours[4][3] = { { 200, 30, 30 }, { 30, 160, 40 },
                                              { 20, 40, 180 }, { 0, 0, 0 } };
        const guint8 *c = colours[(y / 32) * 2 + x / 32];

        memcpy (p, c, 3);
        if (alpha)
          p[3] = x >= 56 ? 0 : (x >= 32 && y >= 32) ? 128 : 255;
      }

  return pixbuf;
}

static void
assert_near (const guint8 *pixel,
             int           r,
             int           g,
             int           b)
{
  g_assert_cmpint (ABS (pixel[0] - r), <=, 6);
  g_assert_cmpint (ABS (pixel[1] - g), <=, 6);
  g_assert_cmpint (ABS (pixel[2] - b), <=, 6);
}

#if HAVE_LIBJPEG
/* The first luminance quantizer of libjpeg's tables scaled to @quality,
 * as libjpeg's reader finds it in the file. */
static void
assert_jpeg_quality (GBytes *jpeg,
                     int     quality)
{
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr err;
  gsize len;
  const guint8 *data = g_bytes_get_data (jpeg, &len);
  int scale = quality < 50 ? 5000 / quality : 200 - quality * 2;

  cinfo.err = jpeg_std_error (&err);
  jpeg_create_decompress (&cinfo);
  jpeg_mem_src (&cinfo, data, len);
  g_assert_cmpint (jpeg_read_header (&cinfo, TRUE), ==, JPEG_HEADER_OK);
  g_assert_cmpint (cinfo.num_components, ==, 3);
  g_assert_nonnull (cinfo.quant_tbl_ptrs[0]);
  /* libjpeg's table starts at 16. */
  g_assert_cmpint (cinfo.quant_tbl_ptrs[0]->quantval[0], ==, (16 * scale + 50) / 100);
  jpeg_destroy_decompress (&cinfo);
}
#endif

static void
test_jpeg (Fixture       *f,
           gconstpointer  data)
{
  gboolean alpha = GPOINTER_TO_INT (data);
  g_autoptr(GdkPixbuf) pixbuf = make_quarters (alpha);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) jpeg = cs_encode_jpeg (pixbuf, 85, &error);
  g_autoptr(GdkPixbuf) read = NULL;
  g_autofree char *path = NULL;
  const guint8 *pixels;
  int stride, channels;

  g_assert_no_error (error);
  g_assert_nonnull (jpeg);
  path = write_bytes (f, "quarters.jpg", jpeg);

#if HAVE_LIBJPEG
  assert_jpeg_quality (jpeg, 85);
#endif

  read = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (read), ==, 64);
  g_assert_cmpint (gdk_pixbuf_get_height (read), ==, 64);
  pixels = gdk_pixbuf_read_pixels (read);
  stride = gdk_pixbuf_get_rowstride (read);
  channels = gdk_pixbuf_get_n_channels (read);

  /* The middle of each quarter, away from the edges JPEG blurs. */
  assert_near (pixels + 12 * stride + 12 * channels, 200, 30, 30);
  assert_near (pixels + 12 * stride + 44 * channels, 30, 160, 40);
  assert_near (pixels + 44 * stride + 12 * channels, 20, 40, 180);
  if (alpha)
    {
      /* Black at half opacity over white; nothing at all over white. */
      assert_near (pixels + 44 * stride + 42 * channels, 127, 127, 127);
      assert_near (pixels + 12 * stride + 61 * channels, 255, 255, 255);
      assert_near (pixels + 44 * stride + 61 * channels, 255, 255, 255);
    }
  else
    assert_near (pixels + 44 * stride + 44 * channels, 0, 0, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, data, func) \
  g_test_add (name, Fixture, data, cs_test_dir_setup, func, cs_test_dir_teardown)
  ADD ("/encode/png/rgb", GINT_TO_POINTER (FALSE), test_png);
  ADD ("/encode/png/rgba", GINT_TO_POINTER (TRUE), test_png);
  ADD ("/encode/png/no-keys", NULL, test_png_no_keys);
  ADD ("/encode/jpeg/rgb", GINT_TO_POINTER (FALSE), test_jpeg);
  ADD ("/encode/jpeg/rgba", GINT_TO_POINTER (TRUE), test_jpeg);
#undef ADD

  return g_test_run ();
}
