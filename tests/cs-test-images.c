/* cs-test-images.c: images made by code, for tests and the sample folder
 *
 * Nothing downloaded, nothing copyrighted: every picture is a formula.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-test-images.h"

#include <errno.h>
#include <math.h>
#include <string.h>

static void
palette (guint   pattern,
         double  t,
         guint8 *rgb)
{
  /* Smooth cosine palettes, a different phase per pattern. */
  static const double phases[][3] = {
    { 0.00, 0.10, 0.20 }, { 0.50, 0.20, 0.25 }, { 0.80, 0.90, 0.30 },
    { 0.00, 0.33, 0.67 }, { 0.30, 0.20, 0.20 }, { 0.10, 0.60, 0.90 },
  };
  const double *phase = phases[pattern % G_N_ELEMENTS (phases)];

  for (int c = 0; c < 3; c++)
    rgb[c] = (guint8) (255.0 * (0.5 + 0.5 * cos (2 * G_PI * (t + phase[c]))));
}

/* Pattern 0..5: sunset, rings, waves, stripes, hills, tiles. The top-left
 * corner is pure red, to test orientation, unless CS_TEST_NO_MARKER is
 * added to the pattern (the sample folder, which people look at). */
GdkPixbuf *
cs_test_make_pixbuf (int      width,
                     int      height,
                     guint    pattern,
                     gboolean alpha)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int corner = MAX (1, MIN (width, height) / 8);

  for (int y = 0; y < height; y++)
    {
      for (int x = 0; x < width; x++)
        {
          double u = (double) x / MAX (1, width - 1);
          double v = (double) y / MAX (1, height - 1);
          guint8 *p = pixels + (gsize) y * stride + (gsize) x * channels;
          double t;

          switch (pattern % 6)
            {
            case 0:
              t = v * 0.6 + 0.15 * exp (-((u - 0.5) * (u - 0.5) + (v - 0.6) * (v - 0.6)) * 20);
              break;
            case 1:
              t = sqrt ((u - 0.5) * (u - 0.5) + (v - 0.5) * (v - 0.5)) * 3;
              break;
            case 2:
              t = 0.25 * (sin (u * 9) + sin (v * 7) + sin ((u + v) * 5)) + 0.5;
              break;
            case 3:
              t = floor ((u + v) * 8) / 8;
              break;
            case 4:
              t = v > 0.55 + 0.15 * sin (u * 6 + pattern) ? 0.6 + 0.2 * v : 0.2 * v;
              break;
            default:
              t = (((int) (u * 6) + (int) (v * 6)) % 2) * 0.4 + u * 0.3;
              break;
            }

          palette (pattern / 6 + pattern, t, p);
          if (pattern < CS_TEST_NO_MARKER && x < corner && y < corner)
            {
              p[0] = 255;
              p[1] = 0;
              p[2] = 0;
            }
          if (alpha)
            p[3] = (guint8) (255 * (0.3 + 0.7 * u));
        }
    }

  return pixbuf;
}

gboolean
cs_test_write_image (const char  *path,
                     int          width,
                     int          height,
                     const char  *format,
                     guint        pattern,
                     GError     **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  pixbuf = cs_test_make_pixbuf (width, height, pattern, FALSE);

  if (g_str_equal (format, "jpeg"))
    return gdk_pixbuf_save (pixbuf, path, "jpeg", error, "quality", "90", NULL);

  return gdk_pixbuf_save (pixbuf, path, format, error, NULL);
}

/* A camera-style JPEG: the pixels stored sideways and an EXIF APP1 segment
 * whose Orientation tag says how to turn them. */
gboolean
cs_test_write_jpeg_exif (const char  *path,
                         int          width,
                         int          height,
                         guint        orientation,
                         guint        pattern,
                         GError     **error)
{
  static const guint8 exif_head[] = {
    0xff, 0xe1, 0x00, 0x22,                 /* APP1, length 34 */
    'E', 'x', 'i', 'f', 0, 0,
    'M', 'M', 0x00, 0x2a, 0, 0, 0, 8,       /* big-endian TIFF, IFD0 at 8 */
    0x00, 0x01,                             /* one entry */
    0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1,     /* Orientation, SHORT, 1 value */
  };
  static const guint8 exif_tail[] = { 0, 0, 0, 0, 0, 0 }; /* pad, no next IFD */
  g_autoptr(GdkPixbuf) pixbuf = cs_test_make_pixbuf (width, height, pattern, FALSE);
  g_autofree char *jpeg = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 value[2] = { 0, (guint8) orientation };
  gsize len;

  if (!gdk_pixbuf_save_to_buffer (pixbuf, &jpeg, &len, "jpeg", error, "quality", "90", NULL))
    return FALSE;

  g_byte_array_append (out, (guint8 *) jpeg, 2);            /* SOI */
  g_byte_array_append (out, exif_head, sizeof exif_head);
  g_byte_array_append (out, value, 2);
  g_byte_array_append (out, exif_tail, sizeof exif_tail);
  g_byte_array_append (out, (guint8 *) jpeg + 2, len - 2);

  return g_file_set_contents (path, (char *) out->data, out->len, error);
}

/* A folder that looks like someone's pictures: photos of several shapes,
 * a PNG with transparency, a sideways camera shot, and a panorama. */
gboolean
cs_test_write_sample_folder (const char *folder,
                             guint       count,
                             GError    **error)
{
  static const char *names[] = {
    "sunset", "ripples", "waves", "stripes", "hills", "tiles",
  };
  static const struct { int w, h; } shapes[] = {
    { 1600, 1200 }, { 1200, 1600 }, { 1920, 1080 }, { 1000, 1000 }, { 2400, 800 },
  };

  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "%s: %s", folder, g_strerror (errno));
      return FALSE;
    }

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *path = NULL;
      guint shape = i % G_N_ELEMENTS (shapes);
      gboolean png = i % 7 == 3;

      name = g_strdup_printf ("%s-%02u.%s", names[i % G_N_ELEMENTS (names)], i + 1,
                              png ? "png" : "jpg");
      path = g_build_filename (folder, name, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        continue;

      if (i % 11 == 5)
        {
          if (!cs_test_write_jpeg_exif (path, shapes[shape].w, shapes[shape].h, 6,
                                        CS_TEST_NO_MARKER + i, error))
            return FALSE;
        }
      else if (!cs_test_write_image (path, shapes[shape].w, shapes[shape].h,
                                     png ? "png" : "jpeg", CS_TEST_NO_MARKER + i, error))
        return FALSE;
    }

  return TRUE;
}

static void
append_le16 (GByteArray *out,
             guint16     value)
{
  guint8 bytes[2] = { value & 0xff, value >> 8 };

  g_byte_array_append (out, bytes, 2);
}

static void
append_le32 (GByteArray *out,
             guint32     value)
{
  guint8 bytes[4] = { value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >> 24 };

  g_byte_array_append (out, bytes, 4);
}

/* A classic icon image: a BITMAPINFOHEADER of twice the height (the
 * colours, then the mask), 32-bit BGRA bottom row first, an empty mask. */
static GByteArray *
make_ico_bitmap (int     side,
                 guint32 rgb)
{
  GByteArray *out = g_byte_array_new ();
  guint mask_row = ((side + 31) / 32) * 4;

  append_le32 (out, 40);
  append_le32 (out, side);
  append_le32 (out, side * 2);
  append_le16 (out, 1);
  append_le16 (out, 32);
  for (int i = 0; i < 6; i++)
    append_le32 (out, 0);

  for (int i = 0; i < side * side; i++)
    {
      guint8 bgra[4] = { rgb & 0xff, (rgb >> 8) & 0xff, (rgb >> 16) & 0xff, 0xff };

      g_byte_array_append (out, bgra, 4);
    }
  for (guint i = 0; i < mask_row * side; i++)
    g_byte_array_append (out, (const guint8 *) "", 1);

  return out;
}

static GByteArray *
make_ico_png (int     side,
              guint32 rgb)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, side, side);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  gdk_pixbuf_fill (pixbuf, (rgb << 8) | 0xff);
  gdk_pixbuf_save_to_buffer (pixbuf, &data, &len, "png", &error, NULL);
  g_assert_no_error (error);

  return g_byte_array_new_take ((guint8 *) data, len);
}

/**
 * cs_test_make_ico:
 *
 * A Windows icon of @images, in that order: the directory, then each
 * image's bytes. A side of 256 is written as 0, as the format says.
 *
 * Returns: (transfer full): the file's bytes
 */
GByteArray *
cs_test_make_ico (const CsTestIcoImage *images,
                  guint                 n_images)
{
  GByteArray *out = g_byte_array_new ();
  g_autoptr(GPtrArray) datas = g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
  guint32 offset = 6 + 16 * n_images;

  append_le16 (out, 0);
  append_le16 (out, 1);
  append_le16 (out, n_images);

  for (guint i = 0; i < n_images; i++)
    {
      GByteArray *data = images[i].png ? make_ico_png (images[i].side, images[i].rgb)
                                       : make_ico_bitmap (images[i].side, images[i].rgb);
      guint8 side = images[i].side >= 256 ? 0 : images[i].side;
      guint8 entry[4] = { side, side, 0, 0 };

      g_byte_array_append (out, entry, 4);
      append_le16 (out, 1);
      append_le16 (out, 32);
      append_le32 (out, data->len);
      append_le32 (out, offset);
      offset += data->len;
      g_ptr_array_add (datas, data);
    }

  for (guint i = 0; i < datas->len; i++)
    {
      GByteArray *data = g_ptr_array_index (datas, i);

      g_byte_array_append (out, data->data, data->len);
    }

  return out;
}
