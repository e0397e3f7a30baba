/* test-thumbnailer.c: one file in, one thumbnail out; the cache layout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cs-cache.h"
#include "cs-decode.h"
#include "cs-test-images.h"
#include "cs-test-util.h"
#include "cs-thumbnailer.h"

typedef CsTestDir Fixture;

static char *
write_image (Fixture    *f,
             const char *name,
             int         width,
             int         height,
             const char *format)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);

  cs_test_write_image (path, width, height, format, 1, &error);
  g_assert_no_error (error);

  return path;
}

static CsResult *
process_path (CsThumbnailer *thumbnailer,
              const char    *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return cs_thumbnailer_process (thumbnailer, file, NULL, NULL);
}

static void
assert_pixbuf_size (const char *path,
                    int         width,
                    int         height)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, width);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, height);
}

static void
test_sizes (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *path = write_image (f, "photo.jpg", 2400, 1800, "jpeg");

  for (guint i = 0; i < CS_N_FLAVORS; i++)
    {
      g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_cache (i, NULL);
      g_autoptr(CsResult) result = process_path (thumbnailer, path);
      guint size = cs_flavor_get_size (i);
      g_autofree char *dir = NULL;

      g_assert_no_error (cs_result_get_error (result));
      g_assert_cmpint (cs_result_get_width (result), ==, size);
      g_assert_cmpint (cs_result_get_height (result), ==, size * 3 / 4);
      dir = g_path_get_dirname (cs_result_get_thumbnail_path (result));
      g_assert_true (g_str_has_suffix (dir, cs_flavor_get_name (i)));
      assert_pixbuf_size (cs_result_get_thumbnail_path (result), size, size * 3 / 4);
    }
}

static void
test_export_size (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = write_image (f, "tall.png", 300, 900, "png");
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_FOLDER, 90, out);
  g_autoptr(CsResult) result = process_path (thumbnailer, path);
  g_autofree char *expected = g_build_filename (out, "tall.thumb.png", NULL);

  g_assert_no_error (cs_result_get_error (result));
  g_assert_cmpstr (cs_result_get_thumbnail_path (result), ==, expected);
  assert_pixbuf_size (expected, 30, 90);
}

static void
test_extreme_aspect (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *wide = write_image (f, "wide.png", 4000, 3, "png");
  g_autofree char *tall = write_image (f, "tall.png", 2, 3000, "png");
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 128, NULL);
  g_autoptr(CsResult) r1 = process_path (thumbnailer, wide);
  g_autoptr(CsResult) r2 = process_path (thumbnailer, tall);

  g_assert_no_error (cs_result_get_error (r1));
  g_assert_cmpint (cs_result_get_width (r1), ==, 128);
  g_assert_cmpint (cs_result_get_height (r1), ==, 1);
  assert_pixbuf_size (cs_result_get_thumbnail_path (r1), 128, 1);

  g_assert_no_error (cs_result_get_error (r2));
  g_assert_cmpint (cs_result_get_width (r2), ==, 1);
  g_assert_cmpint (cs_result_get_height (r2), ==, 128);
}

static void
test_no_upscale (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *path = write_image (f, "small.jpg", 50, 40, "jpeg");
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_cache (CS_FLAVOR_LARGE, NULL);
  g_autoptr(CsResult) result = process_path (thumbnailer, path);

  g_assert_no_error (cs_result_get_error (result));
  g_assert_cmpint (cs_result_get_width (result), ==, 50);
  g_assert_cmpint (cs_result_get_height (result), ==, 40);
  assert_pixbuf_size (cs_result_get_thumbnail_path (result), 50, 40);
}

/* Scaling must average, not sample: a fine checkerboard turns grey. */
static void
test_filter (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "checker.png", NULL);
  g_autoptr(GdkPixbuf) checker = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 1024, 1024);
  g_autoptr(GdkPixbuf) thumb = NULL;
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 128, NULL);
  g_autoptr(CsResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *pixels = gdk_pixbuf_get_pixels (checker);
  int stride = gdk_pixbuf_get_rowstride (checker);
  guint8 *p;

  for (int y = 0; y < 1024; y++)
    for (int x = 0; x < 1024; x++)
      memset (pixels + y * stride + x * 3, ((x + y) % 2) ? 255 : 0, 3);
  gdk_pixbuf_save (checker, path, "png", &error, NULL);
  g_assert_no_error (error);

  result = process_path (thumbnailer, path);
  g_assert_no_error (cs_result_get_error (result));
  thumb = gdk_pixbuf_new_from_file (cs_result_get_thumbnail_path (result), &error);
  g_assert_no_error (error);

  p = gdk_pixbuf_get_pixels (thumb) + 64 * gdk_pixbuf_get_rowstride (thumb) + 64 * gdk_pixbuf_get_n_channels (thumb);
  g_assert_cmpint (p[0], >, 100);
  g_assert_cmpint (p[0], <, 155);
}

static void
test_exif_orientation (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "camera.jpg", NULL);
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 128, NULL);
  g_autoptr(CsResult) result = NULL;
  g_autoptr(GdkPixbuf) thumb = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *top_right, *top_left;

  /* Stored 1600x1200 with the red corner top-left; orientation 6 turns it
   * clockwise: shown 1200x1600 with the red corner top-right. */
  cs_test_write_jpeg_exif (path, 1600, 1200, 6, 0, &error);
  g_assert_no_error (error);

  result = process_path (thumbnailer, path);
  g_assert_no_error (cs_result_get_error (result));
  g_assert_cmpint (cs_result_get_width (result), ==, 96);
  g_assert_cmpint (cs_result_get_height (result), ==, 128);
  g_assert_cmpint (cs_result_get_image_width (result), ==, 1200);
  g_assert_cmpint (cs_result_get_image_height (result), ==, 1600);

  thumb = gdk_pixbuf_new_from_file (cs_result_get_thumbnail_path (result), &error);
  g_assert_no_error (error);
  top_right = gdk_pixbuf_get_pixels (thumb) + 2 * gdk_pixbuf_get_rowstride (thumb) + 93 * 3;
  top_left = gdk_pixbuf_get_pixels (thumb) + 2 * gdk_pixbuf_get_rowstride (thumb) + 2 * 3;
  g_assert_cmpint (top_right[0], >, 200);
  g_assert_cmpint (top_right[1], <, 60);
  g_assert_false (top_left[0] > 200 && top_left[1] < 60);
}

static void
on_decoded (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

/* What a preview asks: a picture at a size, upright, through the same
 * isolated decoders, and nothing written, not even a failure. */
static void
test_decode_at_size (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "camera.jpg", NULL);
  g_autofree char *broken_path = g_build_filename (f->dir, "broken.jpg", NULL);
  g_autofree char *cache_dir = g_build_filename (f->dir, "cache", NULL);
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_cache (CS_FLAVOR_NORMAL, cache_dir);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) broken = NULL;
  g_autoptr(CsResult) result = NULL;
  g_autoptr(CsResult) whole = NULL;
  g_autoptr(CsResult) failed = NULL;
  g_autoptr(CsResult) later = NULL;
  g_autoptr(GAsyncResult) async_result = NULL;
  g_autoptr(GAsyncResult) cancelled_result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf;
  guint8 *top_right;

  cs_test_write_jpeg_exif (path, 1600, 1200, 6, 0, &error);
  g_assert_no_error (error);
  g_file_set_contents (broken_path, "\xff\xd8\xff not a JPEG", -1, &error);
  g_assert_no_error (error);
  file = g_file_new_for_path (path);
  broken = g_file_new_for_path (broken_path);

  /* Upright, at the size asked for. */
  result = cs_thumbnailer_decode (thumbnailer, file, 800, NULL);
  g_assert_no_error (cs_result_get_error (result));
  pixbuf = cs_result_get_pixbuf (result);
  g_assert_nonnull (pixbuf);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 600);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 800);
  g_assert_cmpint (cs_result_get_image_width (result), ==, 1200);
  g_assert_cmpint (cs_result_get_image_height (result), ==, 1600);
  top_right = gdk_pixbuf_get_pixels (pixbuf) + 2 * gdk_pixbuf_get_rowstride (pixbuf) +
              597 * gdk_pixbuf_get_n_channels (pixbuf);
  g_assert_cmpint (top_right[0], >, 200);
  g_assert_cmpint (top_right[1], <, 60);

  /* Never larger than the picture. */
  whole = cs_thumbnailer_decode (thumbnailer, file, 4000, NULL);
  g_assert_no_error (cs_result_get_error (whole));
  g_assert_cmpint (gdk_pixbuf_get_width (cs_result_get_pixbuf (whole)), ==, 1200);
  g_assert_cmpint (gdk_pixbuf_get_height (cs_result_get_pixbuf (whole)), ==, 1600);

  /* A failure is an error, and no fail entry. */
  failed = cs_thumbnailer_decode (thumbnailer, broken, 800, NULL);
  g_assert_nonnull (cs_result_get_error (failed));
  g_assert_null (cs_result_get_pixbuf (failed));
  g_assert_false (g_file_test (cache_dir, G_FILE_TEST_EXISTS));

  /* The same from a thread; cancelled, it says so. */
  cs_thumbnailer_decode_async (thumbnailer, file, 400, NULL, on_decoded, &async_result);
  cs_test_wait_until (is_set, &async_result, 30000);
  later = cs_thumbnailer_decode_finish (thumbnailer, async_result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (cs_result_get_pixbuf (later)), ==, 300);
  g_assert_cmpint (gdk_pixbuf_get_height (cs_result_get_pixbuf (later)), ==, 400);

  g_cancellable_cancel (cancellable);
  cs_thumbnailer_decode_async (thumbnailer, file, 400, cancellable, on_decoded, &cancelled_result);
  cs_test_wait_until (is_set, &cancelled_result, 30000);
  g_assert_null (cs_thumbnailer_decode_finish (thumbnailer, cancelled_result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static GHashTable *
read_keys (const char *path)
{
  g_autoptr(GError) error = NULL;
  GHashTable *keys = cs_cache_read_text_keys (path, &error);

  g_assert_no_error (error);

  return keys;
}

static void
append_chunk (GByteArray *png,
              const char *type,
              const char *key,
              gsize       fill,
              char        fill_char)
{
  gsize key_len = key ? strlen (key) + 1 : 0;
  guint32 length = key_len + fill;
  guint8 header[8] = { length >> 24, length >> 16, length >> 8, length, 0, 0, 0, 0 };
  static const guint8 crc[4] = { 0 };

  memcpy (header + 4, type, 4);
  g_byte_array_append (png, header, sizeof header);
  if (key != NULL)
    g_byte_array_append (png, (const guint8 *) key, key_len);
  for (gsize i = 0; i < fill; i++)
    g_byte_array_append (png, (const guint8 *) &fill_char, 1);
  g_byte_array_append (png, crc, sizeof crc);
}

/* The keys are read through a window onto the file: text that starts in
 * one window and ends in the next, text longer than a window, text after
 * the image data and far into the file all come back whole. */
static void
test_text_keys (Fixture       *f,
                gconstpointer  data)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autofree char *path = g_build_filename (f->dir, "keys.png", NULL);
  g_autoptr(GByteArray) png = g_byte_array_new ();
  g_autoptr(GHashTable) keys = NULL;
  g_autoptr(GError) error = NULL;
  const char *value;
  gsize truncated_at;

  g_byte_array_append (png, signature, sizeof signature);
  append_chunk (png, "IHDR", NULL, 13, 0);
  append_chunk (png, "tEXt", "Short", 1, 's');
  append_chunk (png, "zTXt", NULL, 16 * 1024 - 80, 0);
  /* Starts just before the end of the first 16 KiB. */
  append_chunk (png, "tEXt", "Straddles", 200, 'b');
  append_chunk (png, "tEXt", "Long", 40 * 1024, 'l');
  append_chunk (png, "tEXt", "Too long", 70 * 1024, 't');
  append_chunk (png, "IDAT", NULL, 100 * 1024, 'x');
  append_chunk (png, "tEXt", "After", 3, 'a');
  truncated_at = png->len;
  append_chunk (png, "tEXt", "Cut", 10, 'c');
  append_chunk (png, "IEND", NULL, 0, 0);
  append_chunk (png, "tEXt", "Beyond", 1, 'e');

  g_file_set_contents (path, (const char *) png->data, png->len, &error);
  g_assert_no_error (error);
  keys = read_keys (path);

  g_assert_cmpstr (g_hash_table_lookup (keys, "Short"), ==, "s");
  value = g_hash_table_lookup (keys, "Straddles");
  g_assert_nonnull (value);
  g_assert_cmpuint (strlen (value), ==, 200);
  g_assert_cmpuint (strspn (value, "b"), ==, 200);
  value = g_hash_table_lookup (keys, "Long");
  g_assert_nonnull (value);
  g_assert_cmpuint (strlen (value), ==, 40 * 1024);
  g_assert_cmpuint (strspn (value, "l"), ==, 40 * 1024);
  g_assert_false (g_hash_table_contains (keys, "Too long"));
  g_assert_cmpstr (g_hash_table_lookup (keys, "After"), ==, "aaa");
  g_assert_cmpstr (g_hash_table_lookup (keys, "Cut"), ==, "cccccccccc");
  g_assert_false (g_hash_table_contains (keys, "Beyond"));
  g_assert_cmpuint (g_hash_table_size (keys), ==, 5);
  g_clear_pointer (&keys, g_hash_table_unref);

  /* Cut short in a chunk: what came before it is still read. */
  g_file_set_contents (path, (const char *) png->data, truncated_at + 12, &error);
  g_assert_no_error (error);
  keys = read_keys (path);
  g_assert_cmpstr (g_hash_table_lookup (keys, "After"), ==, "aaa");
  g_assert_false (g_hash_table_contains (keys, "Cut"));
}

static void
test_sniffing (Fixture       *f,
               gconstpointer  data)
{
  /* PNG content behind a .jpg name. */
  g_autofree char *path = write_image (f, "liar.jpg", 300, 200, "png");
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_cache (CS_FLAVOR_NORMAL, NULL);
  g_autoptr(CsThumbnailer) beside = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 128, NULL);
  g_autoptr(CsResult) result = process_path (thumbnailer, path);
  g_autoptr(CsResult) result2 = process_path (beside, path);
  g_autoptr(GHashTable) keys = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_no_error (cs_result_get_error (result));
  keys = read_keys (cs_result_get_thumbnail_path (result));
  g_assert_cmpstr (g_hash_table_lookup (keys, "Thumb::Mimetype"), ==, "image/png");

  /* The beside name says JPEG, so the content is JPEG. */
  g_assert_no_error (cs_result_get_error (result2));
  g_assert_true (g_str_has_suffix (cs_result_get_thumbnail_path (result2), "liar.thumb.jpg"));
  g_file_get_contents (cs_result_get_thumbnail_path (result2), &contents, &len, NULL);
  g_assert_cmpuint (len, >, 3);
  g_assert_cmpint ((guint8) contents[0], ==, 0xff);
  g_assert_cmpint ((guint8) contents[1], ==, 0xd8);
}

static const struct {
  const char *name;
  const char *text;
} text_images[] = {
  { "drawing.svg",
    "<svg xmlns='http://www.w3.org/2000/svg' width='400' height='200'>"
    "<rect width='400' height='200' fill='#3465a4'/><circle cx='200' cy='100' r='80' fill='#f57900'/></svg>" },
  { "icon.xpm",
    "/* XPM */\nstatic char *x[] = {\"4 2 2 1\", \". c #ff0000\", \"# c #0000ff\", \"..##\", \"##..\"};\n" },
  { "plain.ppm", "P3\n4 2\n255\n255 0 0  0 255 0  0 0 255  255 255 255\n0 0 0  9 9 9  90 90 90  200 0 200\n" },
  /* No signature: known by its name only. */
  { "cursor.xbm", "#define c_width 8\n#define c_height 4\nstatic char c_bits[] = {\n"
                  "  0xff, 0x81, 0x81, 0xff };\n" },
};

/* A 2x2 uncompressed true-colour TGA, top-left origin: no signature either. */
static const guint8 tiny_tga[] = {
  0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 24, 0x20,
  0, 0, 255,  0, 255, 0,
  255, 0, 0,  255, 255, 255,
};

/* A 2x1 GIF, by hand: gdk-pixbuf cannot write GIF. */
static const guint8 tiny_gif[] = {
  'G', 'I', 'F', '8', '9', 'a', 2, 0, 1, 0, 0x80, 0, 0,
  0xff, 0, 0, 0, 0, 0xff,
  0x2c, 0, 0, 0, 0, 2, 0, 1, 0, 0,
  0x02, 0x02, 0x44, 0x0a, 0x00, 0x3b,
};

static void
test_formats (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_cache (CS_FLAVOR_NORMAL, NULL);
  g_autoptr(GdkPixbuf) pixbuf = cs_test_make_pixbuf (300, 150, 2, FALSE);
  GSList *formats = gdk_pixbuf_get_formats ();
  g_autofree char *gif = g_build_filename (f->dir, "tiny.gif", NULL);
  g_autoptr(GHashTable) names_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint tried = 0;

  for (GSList *l = formats; l != NULL; l = l->next)
    {
      g_autofree char *name = gdk_pixbuf_format_get_name (l->data);
      g_auto(GStrv) extensions = gdk_pixbuf_format_get_extensions (l->data);
      g_autofree char *path = NULL;
      g_autoptr(CsResult) result = NULL;
      g_autoptr(GError) error = NULL;

      if (!gdk_pixbuf_format_is_writable (l->data) || gdk_pixbuf_format_is_disabled (l->data))
        continue;
      /* gdk-pixbuf over glycin lists some formats twice (webp): the second
       * file would be the first one again, whose thumbnail is reused. */
      if (!g_hash_table_add (names_seen, g_strdup (name)))
        continue;
      /* ICO holds at most 256x256 and wants a square-ish icon size. */
      if (g_str_equal (name, "ico"))
        continue;

      path = g_strdup_printf ("%s/sample-%s.%s", f->dir, name, extensions[0]);
      if (!gdk_pixbuf_save (pixbuf, path, name, &error, NULL))
        {
          g_test_message ("cannot write %s: %s", name, error->message);
          continue;
        }

      result = process_path (thumbnailer, path);
      g_test_message ("%s -> %s", name, cs_result_get_error (result) ? cs_result_get_error (result)->message : "ok");
      g_assert_no_error (cs_result_get_error (result));
      g_assert_cmpint (cs_result_get_width (result), ==, 128);
      g_assert_cmpint (cs_result_get_height (result), ==, 64);
      tried++;
    }
  g_slist_free (formats);

  for (guint i = 0; i < G_N_ELEMENTS (text_images); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, text_images[i].name, NULL);
      g_autoptr(CsResult) result = NULL;

      g_file_set_contents (path, text_images[i].text, -1, NULL);
      result = process_path (thumbnailer, path);
      g_test_message ("%s -> %s", text_images[i].name,
                      cs_result_get_error (result) ? cs_result_get_error (result)->message : "ok");
      g_assert_no_error (cs_result_get_error (result));
      g_assert_cmpint (cs_result_get_width (result), >, 0);
      tried++;
    }

  {
    g_autoptr(CsResult) result = NULL;

    g_file_set_contents (gif, (const char *) tiny_gif, sizeof tiny_gif, NULL);
    result = process_path (thumbnailer, gif);
    g_assert_no_error (cs_result_get_error (result));
    g_assert_cmpint (cs_result_get_width (result), ==, 2);
    g_assert_cmpint (cs_result_get_height (result), ==, 1);
    tried++;
  }

  {
    g_autofree char *tga = g_build_filename (f->dir, "tiny.tga", NULL);
    g_autoptr(CsResult) result = NULL;

    g_file_set_contents (tga, (const char *) tiny_tga, sizeof tiny_tga, NULL);
    result = process_path (thumbnailer, tga);
    g_assert_no_error (cs_result_get_error (result));
    g_assert_cmpint (cs_result_get_width (result), ==, 2);
    g_assert_cmpint (cs_result_get_height (result), ==, 2);
    tried++;
  }

  /* png, jpeg, bmp, tiff at least, plus svg, xpm, ppm, xbm, gif, tga. */
  g_assert_cmpuint (tried, >=, 10);
}

static void
test_cache_entry (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = write_image (f, "photo one.jpg", 640, 480, "jpeg");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, uri, -1);
  g_autofree char *expected = g_strdup_printf ("%s/thumbnails/normal/%s.png",
                                               g_get_user_cache_dir (), md5);
  g_autofree char *folder = g_path_get_dirname (expected);
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_cache (CS_FLAVOR_NORMAL, NULL);
  g_autoptr(CsResult) result = cs_thumbnailer_process (thumbnailer, file, NULL, NULL);
  g_autoptr(GHashTable) keys = NULL;
  g_autofree char *mtime = NULL;
  g_autofree char *size = NULL;
  GStatBuf st, thumb_st, folder_st;

  g_assert_true (g_str_has_suffix (uri, "photo%20one.jpg"));
  g_assert_no_error (cs_result_get_error (result));
  g_assert_false (cs_result_get_reused (result));
  g_assert_cmpstr (cs_result_get_thumbnail_path (result), ==, expected);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (g_stat (expected, &thumb_st), ==, 0);
  g_assert_cmpint (g_stat (folder, &folder_st), ==, 0);
  g_assert_cmpint (thumb_st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (folder_st.st_mode & 0777, ==, 0700);
  g_assert_cmpuint (cs_result_get_bytes_written (result), ==, thumb_st.st_size);

  keys = read_keys (expected);
  mtime = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) st.st_mtime);
  size = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) st.st_size);
  g_assert_cmpstr (g_hash_table_lookup (keys, "Thumb::URI"), ==, uri);
  g_assert_cmpstr (g_hash_table_lookup (keys, "Thumb::MTime"), ==, mtime);
  g_assert_cmpstr (g_hash_table_lookup (keys, "Thumb::Size"), ==, size);
  g_assert_cmpstr (g_hash_table_lookup (keys, "Thumb::Mimetype"), ==, "image/jpeg");
  g_assert_cmpstr (g_hash_table_lookup (keys, "Thumb::Image::Width"), ==, "640");
  g_assert_cmpstr (g_hash_table_lookup (keys, "Thumb::Image::Height"), ==, "480");

  /* No temporary file left beside it: only MD5.png names. */
  {
    g_autoptr(GPtrArray) names = cs_test_list_dir (folder);

    for (guint i = 0; i < names->len; i++)
      {
        const char *name = g_ptr_array_index (names, i);

        g_assert_cmpuint (strlen (name), ==, 36);
        g_assert_true (g_str_has_suffix (name, ".png"));
      }
  }
}

static void
set_mtime (const char *path,
           gint64      seconds)
{
  struct timespec times[2] = { { seconds, 0 }, { seconds, 0 } };

  g_assert_cmpint (utimensat (AT_FDCWD, path, times, 0), ==, 0);
}

static void
test_cache_reuse (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = write_image (f, "photo.jpg", 640, 480, "jpeg");
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_cache (CS_FLAVOR_NORMAL, NULL);
  g_autoptr(CsThumbnailer) pixels = g_object_new (CS_TYPE_THUMBNAILER, "want-pixels", TRUE, NULL);
  g_autoptr(CsResult) first = process_path (pixels, path);
  g_autoptr(CsResult) second = NULL;
  g_autoptr(CsResult) third = NULL;
  g_autoptr(CsResult) fourth = NULL;
  GStatBuf before, after;

  g_assert_no_error (cs_result_get_error (first));
  g_assert_nonnull (cs_result_get_pixbuf (first));
  g_assert_cmpint (g_stat (cs_result_get_thumbnail_path (first), &before), ==, 0);

  second = process_path (pixels, path);
  g_assert_no_error (cs_result_get_error (second));
  g_assert_true (cs_result_get_reused (second));
  g_assert_cmpuint (cs_result_get_bytes_written (second), ==, 0);
  /* Reuse reads no pixels at all: the key check is the whole cost. */
  g_assert_null (cs_result_get_pixbuf (second));
  g_assert_cmpint (cs_result_get_image_width (second), ==, 640);
  g_assert_cmpint (g_stat (cs_result_get_thumbnail_path (second), &after), ==, 0);
  g_assert_cmpint (before.st_ino, ==, after.st_ino);

  /* The source changes: the thumbnail is made again. */
  set_mtime (path, 1000000000);
  third = process_path (thumbnailer, path);
  g_assert_no_error (cs_result_get_error (third));
  g_assert_false (cs_result_get_reused (third));
  g_assert_cmpuint (cs_result_get_bytes_written (third), >, 0);

  /* Same mtime, other size: made again too. */
  {
    g_autoptr(GError) error = NULL;

    cs_test_write_image (path, 320, 240, "jpeg", 4, &error);
    g_assert_no_error (error);
    set_mtime (path, 1000000000);
  }
  fourth = process_path (thumbnailer, path);
  g_assert_false (cs_result_get_reused (fourth));
  g_assert_cmpint (cs_result_get_image_width (fourth), ==, 320);
}

/* "Nothing is ever half-written": a writer stopped mid-file (here by the
 * file size limit, its signal ignored, as a full disk would) leaves a valid
 * older thumbnail as it was, and a thumbnail made again is a new file
 * renamed over the old one, never the old one rewritten in place. */
static void
test_never_half_written (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *path = write_image (f, "photo.png", 1200, 900, "png");
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 512, NULL);
  g_autoptr(CsResult) first = process_path (thumbnailer, path);
  g_autoptr(CsResult) stopped = NULL;
  g_autoptr(CsResult) again = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len, after_len;
  struct rlimit saved, limited;
  struct sigaction ignore = { .sa_handler = SIG_IGN }, saved_action;
  GStatBuf old_st, new_st;
  const char *thumb;

  g_assert_no_error (cs_result_get_error (first));
  thumb = cs_result_get_thumbnail_path (first);
  g_assert_true (g_file_get_contents (thumb, &before, &before_len, NULL));
  g_assert_cmpint (g_stat (thumb, &old_st), ==, 0);
  g_assert_cmpuint (before_len, >, 8192);

  /* Beside thumbnails are always made again: this one cannot be written
   * whole. */
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  limited = saved;
  limited.rlim_cur = before_len / 2;
  g_assert_cmpint (sigaction (SIGXFSZ, &ignore, &saved_action), ==, 0);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limited), ==, 0);
  stopped = process_path (thumbnailer, path);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  g_assert_cmpint (sigaction (SIGXFSZ, &saved_action, NULL), ==, 0);

  /* One line, naming the file that could not be written. */
  g_assert_nonnull (cs_result_get_error (stopped));
  g_assert_nonnull (strstr (cs_result_get_error (stopped)->message, thumb));
  g_assert_null (strchr (cs_result_get_error (stopped)->message, '\n'));
  g_assert_true (g_file_get_contents (thumb, &after, &after_len, NULL));
  g_assert_cmpmem (after, after_len, before, before_len);
  assert_pixbuf_size (thumb, 512, 384);

  again = process_path (thumbnailer, path);
  g_assert_no_error (cs_result_get_error (again));
  g_assert_cmpint (g_stat (thumb, &new_st), ==, 0);
  g_assert_cmpuint (new_st.st_ino, !=, old_st.st_ino);
}

/* Other tools write "Thumb::MTime" with a fraction, or leave out Size. */
static void
test_cache_tolerant (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *path = write_image (f, "photo.jpg", 200, 100, "jpeg");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_cache (CS_FLAVOR_NORMAL, NULL);
  g_autofree char *thumb_path = cs_thumbnailer_get_output_path (thumbnailer, file, NULL);
  g_autofree char *folder = g_path_get_dirname (thumb_path);
  g_autoptr(GdkPixbuf) pixbuf = cs_test_make_pixbuf (128, 64, 3, TRUE);
  g_autoptr(CsResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *mtime = NULL;
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  mtime = g_strdup_printf ("%" G_GINT64_FORMAT ".734501", (gint64) st.st_mtime);
  g_mkdir_with_parents (folder, 0700);
  gdk_pixbuf_save (pixbuf, thumb_path, "png", &error,
                   "tEXt::Thumb::URI", uri, "tEXt::Thumb::MTime", mtime, NULL);
  g_assert_no_error (error);

  result = cs_thumbnailer_process (thumbnailer, file, NULL, NULL);
  g_assert_no_error (cs_result_get_error (result));
  g_assert_true (cs_result_get_reused (result));

  /* A wrong URI is not ours. */
  gdk_pixbuf_save (pixbuf, thumb_path, "png", &error,
                   "tEXt::Thumb::URI", "file:///elsewhere.jpg", "tEXt::Thumb::MTime", mtime, NULL);
  g_clear_pointer (&result, cs_result_unref);
  result = cs_thumbnailer_process (thumbnailer, file, NULL, NULL);
  g_assert_false (cs_result_get_reused (result));

  /* Nor is a time or a size that only starts with the right number; the
   * first pair, with nothing added, is the control. */
  {
    const char *suffixes[][2] = { { "", "" }, { "x", "" }, { " ", "" }, { "", "0" }, { "", "e0" } };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *text_mtime = g_strdup_printf ("%" G_GINT64_FORMAT "%s",
                                                       (gint64) st.st_mtime, suffixes[i][0]);
        g_autofree char *text_size = g_strdup_printf ("%" G_GINT64_FORMAT "%s",
                                                      (gint64) st.st_size, suffixes[i][1]);

        gdk_pixbuf_save (pixbuf, thumb_path, "png", &error, "tEXt::Thumb::URI", uri,
                         "tEXt::Thumb::MTime", text_mtime, "tEXt::Thumb::Size", text_size, NULL);
        g_assert_no_error (error);
        g_clear_pointer (&result, cs_result_unref);
        result = cs_thumbnailer_process (thumbnailer, file, NULL, NULL);
        g_assert_no_error (cs_result_get_error (result));
        g_assert_true (cs_result_get_reused (result) == (i == 0));
      }
  }
}

static void
test_fail_entry (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "broken.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, uri, -1);
  g_autofree char *fail_path = g_strdup_printf ("%s/thumbnails/fail/contact-sheet-%s/%s.png",
                                                g_get_user_cache_dir (), PACKAGE_VERSION, md5);
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_cache (CS_FLAVOR_NORMAL, NULL);
  g_autoptr(CsResult) first = NULL;
  g_autoptr(CsResult) second = NULL;
  g_autoptr(CsResult) third = NULL;
  g_autoptr(GHashTable) keys = NULL;
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "\x89PNG\r\n\x1a\n garbage that is no PNG", -1, NULL);

  first = cs_thumbnailer_process (thumbnailer, file, NULL, NULL);
  g_assert_nonnull (cs_result_get_error (first));
  g_assert_true (g_file_test (fail_path, G_FILE_TEST_IS_REGULAR));
  keys = read_keys (fail_path);
  g_assert_cmpstr (g_hash_table_lookup (keys, "Thumb::URI"), ==, uri);
  g_assert_nonnull (g_hash_table_lookup (keys, "Thumb::MTime"));

  second = cs_thumbnailer_process (thumbnailer, file, NULL, NULL);
  g_assert_error (cs_result_get_error (second), CS_THUMB_ERROR, CS_THUMB_ERROR_FAILED_BEFORE);
  /* The reason is kept. */
  g_assert_nonnull (strstr (cs_result_get_error (second)->message,
                            cs_result_get_error (first)->message));

  /* Asked to retry, it tries (and fails again, with the real reason). */
  {
    g_autoptr(CsThumbnailer) retry = g_object_new (CS_TYPE_THUMBNAILER, "retry-failed", TRUE, NULL);
    g_autoptr(CsResult) again = cs_thumbnailer_process (retry, file, NULL, NULL);

    g_assert_nonnull (cs_result_get_error (again));
    g_assert_false (g_error_matches (cs_result_get_error (again), CS_THUMB_ERROR,
                                     CS_THUMB_ERROR_FAILED_BEFORE));
  }

  /* Fixed: tried again, and it works. */
  cs_test_write_image (path, 100, 100, "png", 0, &error);
  g_assert_no_error (error);
  set_mtime (path, 1200000000);
  third = cs_thumbnailer_process (thumbnailer, file, NULL, NULL);
  g_assert_no_error (cs_result_get_error (third));
}

static void
assert_fails (CsThumbnailer *thumbnailer,
              const char    *path,
              GQuark         domain,
              int            code)
{
  g_autoptr(CsResult) result = process_path (thumbnailer, path);
  const GError *error = cs_result_get_error (result);

  g_assert_nonnull (error);
  g_test_message ("%s: %s", path, error->message);
  if (domain != 0)
    g_assert_error (error, domain, code);
  g_assert_null (strchr (error->message, '\n'));
  g_assert_cmpuint (cs_result_get_bytes_written (result), ==, 0);
  g_assert_false (g_file_test (cs_result_get_thumbnail_path (result) ? cs_result_get_thumbnail_path (result) : "/nonexistent",
                               G_FILE_TEST_EXISTS));
}

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 128, NULL);
  g_autofree char *good = write_image (f, "good.jpg", 800, 600, "jpeg");
  g_autofree char *empty = g_build_filename (f->dir, "empty.jpg", NULL);
  g_autofree char *truncated = g_build_filename (f->dir, "truncated.jpg", NULL);
  g_autofree char *text = g_build_filename (f->dir, "text.png", NULL);
  g_autofree char *fifo = g_build_filename (f->dir, "fifo.jpg", NULL);
  g_autofree char *folder = g_build_filename (f->dir, "folder.jpg", NULL);
  g_autofree char *dangling = g_build_filename (f->dir, "dangling.jpg", NULL);
  g_autofree char *loop = g_build_filename (f->dir, "loop.jpg", NULL);
  g_autofree char *socket_path = g_build_filename (f->dir, "socket.jpg", NULL);
  g_autofree char *thumb = g_build_filename (f->dir, "old.thumb.jpg", NULL);
  g_autofree char *contents = NULL;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  gsize len;
  int sock;

  g_file_get_contents (good, &contents, &len, NULL);
  g_file_set_contents (empty, "", 0, NULL);
  g_file_set_contents (truncated, contents, 300, NULL);
  g_file_set_contents (text, "Dear diary, today I was not an image.\n", -1, NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_assert_cmpint (symlink ("does-not-exist.jpg", dangling), ==, 0);
  g_assert_cmpint (symlink ("loop.jpg", loop), ==, 0);
  g_file_set_contents (thumb, contents, len, NULL);

  sock = socket (AF_UNIX, SOCK_STREAM, 0);
  g_strlcpy (addr.sun_path, socket_path, sizeof addr.sun_path);
  g_assert_cmpint (bind (sock, (struct sockaddr *) &addr, sizeof addr), ==, 0);

  assert_fails (thumbnailer, empty, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT);
  assert_fails (thumbnailer, truncated, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT);
  assert_fails (thumbnailer, text, CS_THUMB_ERROR, CS_THUMB_ERROR_UNSUPPORTED);
  assert_fails (thumbnailer, fifo, CS_THUMB_ERROR, CS_THUMB_ERROR_NOT_REGULAR);
  assert_fails (thumbnailer, folder, CS_THUMB_ERROR, CS_THUMB_ERROR_NOT_REGULAR);
  assert_fails (thumbnailer, socket_path, 0, 0);
  assert_fails (thumbnailer, "/dev/zero", CS_THUMB_ERROR, CS_THUMB_ERROR_NOT_REGULAR);
  assert_fails (thumbnailer, dangling, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  assert_fails (thumbnailer, loop, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS);
  assert_fails (thumbnailer, thumb, CS_THUMB_ERROR, CS_THUMB_ERROR_IS_THUMBNAIL);

  /* And the good one still works after all that. */
  {
    g_autoptr(CsResult) result = process_path (thumbnailer, good);
    g_assert_no_error (cs_result_get_error (result));
  }

  close (sock);
}

static void
test_pixel_limit (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *png = write_image (f, "big.png", 400, 300, "png");
  g_autofree char *jpeg = write_image (f, "big.jpg", 400, 300, "jpeg");
  g_autoptr(CsThumbnailer) thumbnailer = g_object_new (CS_TYPE_THUMBNAILER,
                                                       "mode", CS_OUTPUT_BESIDE,
                                                       "max-pixels", (guint64) 100000,
                                                       NULL);

  assert_fails (thumbnailer, png, CS_THUMB_ERROR, CS_THUMB_ERROR_TOO_LARGE);
  assert_fails (thumbnailer, jpeg, CS_THUMB_ERROR, CS_THUMB_ERROR_TOO_LARGE);
}

/* A decoder that takes too long or maps too much memory costs that file
 * only: the helper is killed and the next file gets a fresh one. (A BMP,
 * which GdkPixbuf holds whole; a PNG would be scaled as it is read.) */
static void
test_isolation (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *big = write_image (f, "big.bmp", 4000, 3000, "bmp");
  g_autofree char *small = write_image (f, "small.jpg", 300, 200, "jpeg");
  g_autoptr(CsThumbnailer) hasty = g_object_new (CS_TYPE_THUMBNAILER,
                                                 "mode", CS_OUTPUT_BESIDE,
                                                 "decode-timeout", 1,
                                                 NULL);
  g_autoptr(CsThumbnailer) frugal = g_object_new (CS_TYPE_THUMBNAILER,
                                                  "mode", CS_OUTPUT_BESIDE,
                                                  "memory-limit", (guint64) 24 * 1024 * 1024,
                                                  NULL);
  g_autoptr(CsThumbnailer) normal = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 128, NULL);
  g_autoptr(CsResult) late = NULL;
  g_autoptr(CsResult) hungry = NULL;
  g_autoptr(CsResult) fine = NULL;
  g_autoptr(CsResult) fine_again = NULL;
  gint64 start;

  if (g_getenv ("CONTACT_SHEET_DECODER") == NULL)
    {
      g_test_skip ("Decoding in-process: set CONTACT_SHEET_DECODER (meson test does)");
      return;
    }

  start = g_get_monotonic_time ();
  late = process_path (hasty, big);
  g_assert_error (cs_result_get_error (late), CS_THUMB_ERROR, CS_THUMB_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  fine = process_path (normal, small);
  g_assert_no_error (cs_result_get_error (fine));

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || HAVE_GLYCIN
  /* No address-space limit under a sanitizer (see cs-decoder-client.c); built
   * with glycin, a BMP is decoded by glycin's loader, under glycin's own
   * memory limit (see cs-decode-glycin.c). The helper's limit is tested
   * with the files it decodes whole in test-png and test-webp. */
  (void) frugal;
  (void) hungry;
  (void) fine_again;
  return;
#endif

  hungry = process_path (frugal, big);
  g_test_message ("over the memory limit: %s",
                  cs_result_get_error (hungry) ? cs_result_get_error (hungry)->message : "no error");
  g_assert_nonnull (cs_result_get_error (hungry));
  /* The limit in the units it was given in (MiB), not in MB. */
  if (g_error_matches (cs_result_get_error (hungry), CS_THUMB_ERROR, CS_THUMB_ERROR_DECODER_DIED))
    g_assert_nonnull (strstr (cs_result_get_error (hungry)->message, "24.0\u00a0MiB"));
  else
    g_assert_error (cs_result_get_error (hungry), CS_THUMB_ERROR, CS_THUMB_ERROR_TOO_LARGE);
  g_assert_false (g_file_test (cs_result_get_thumbnail_path (hungry), G_FILE_TEST_EXISTS));

  fine_again = process_path (normal, small);
  g_assert_no_error (cs_result_get_error (fine_again));
}

/* Who decodes what, as the helper sees it. Its direct decoders take a JPEG
 * (and PNG, WebP); what they leave, a BMP or a GIF here, GdkPixbuf decodes
 * in the helper, except where GdkPixbuf itself goes through glycin: there
 * the helper must not try (glycin's programs would be refused) and says the
 * file is not its own, for the worker to decode through glycin. */
static void
test_split (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *jpeg = write_image (f, "photo.jpg", 300, 200, "jpeg");
  g_autofree char *bmp = write_image (f, "scan.bmp", 300, 200, "bmp");
  g_autofree char *gif = g_build_filename (f->dir, "tiny.gif", NULL);
  const char *paths[] = { jpeg, bmp, gif };

  g_assert_true (g_file_set_contents (gif, (const char *) tiny_gif, sizeof tiny_gif, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      int fd = g_open (paths[i], O_RDONLY | O_CLOEXEC, 0);
      g_autoptr(GdkPixbuf) pixbuf = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *mime_type = NULL;
      int width = 0, height = 0;

      g_assert_cmpint (fd, >=, 0);
      pixbuf = cs_decode_fd (fd, NULL, 64, CS_DEFAULT_MAX_PIXELS, &mime_type, &width, &height,
                             NULL, &error);
      g_close (fd, NULL);
      g_test_message ("%s: %s", paths[i], error ? error->message : mime_type);

      if (i == 0 || !HAVE_GLYCIN)
        {
          g_assert_no_error (error);
          g_assert_nonnull (pixbuf);
        }
      else
        {
          g_assert_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_NOT_DIRECT);
          g_assert_null (pixbuf);
        }
    }
}

static char *
read_proc (int         pid,
           const char *what)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", pid, what);
  char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));

  /* environ separates its entries with NULs. */
  for (gsize i = 0; i + 1 < len; i++)
    if (contents[i] == '\0')
      contents[i] = '\n';

  return contents;
}

/* The helper that decoded for us gave up the network and new programs; it
 * takes turns with the other helpers through the file on its descriptor 4,
 * and asks glibc for huge pages. */
static void
test_sandbox (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *path = write_image (f, "photo.jpg", 300, 200, "jpeg");
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 64, NULL);
  g_autoptr(CsResult) result = NULL;
  g_autoptr(GArray) helpers = NULL;

  if (g_getenv ("CONTACT_SHEET_DECODER") == NULL)
    {
      g_test_skip ("Decoding in-process: set CONTACT_SHEET_DECODER (meson test does)");
      return;
    }

  result = process_path (thumbnailer, path);
  g_assert_no_error (cs_result_get_error (result));

  helpers = cs_test_find_helpers ();
  g_assert_cmpuint (helpers->len, >, 0);
  for (guint i = 0; i < helpers->len; i++)
    {
      int pid = g_array_index (helpers, int, i);
      g_autofree char *status = read_proc (pid, "status");
      g_autofree char *environ = read_proc (pid, "environ");
      g_autofree char *turns_path = g_strdup_printf ("/proc/%d/fd/4", pid);
      g_autofree char *turns = g_file_read_link (turns_path, NULL);

      g_test_message ("helper %d, descriptor 4: %s", pid, turns);
      g_assert_nonnull (strstr (status, "NoNewPrivs:\t1"));
#if defined(__x86_64__) || defined(__aarch64__)
      /* A sanitizer build's helper keeps its system calls. */
      if (!SANITIZED_BUILD)
        g_assert_nonnull (strstr (status, "Seccomp:\t2"));
#endif
      g_assert_true (g_str_has_prefix (turns, "/memfd:contact-sheet-turns"));
      /* The helper's glibc splits the value where it read it, in place:
       * with tunables of the person's own, ours is then an entry of its own. */
      g_assert_nonnull (strstr (environ, "GLIBC_TUNABLES="));
      if (strstr (g_getenv ("GLIBC_TUNABLES") ? g_getenv ("GLIBC_TUNABLES") : "", "hugetlb") == NULL)
        g_assert_nonnull (strstr (environ, "glibc.malloc.hugetlb=1"));
    }
}

/* Whether one of our live helpers runs at this niceness. */
static gboolean
have_helper_at (int nice)
{
  g_autoptr(GArray) helpers = cs_test_find_helpers ();

  for (guint i = 0; i < helpers->len; i++)
    {
      int pid = g_array_index (helpers, int, i);
      int helper_nice, saved_errno;

      errno = 0;
      helper_nice = getpriority (PRIO_PROCESS, (id_t) pid);
      /* Before g_test_message(), which may set errno (GLib 2.90 does). */
      saved_errno = errno;
      g_test_message ("helper %d at nice %d", pid, helper_nice);
      if (saved_errno == 0 && helper_nice == nice)
        return TRUE;
    }

  return FALSE;
}

/* The window's decoders give way to it: they run ten steps nicer than the
 * app, and only when asked to. */
static void
test_background (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *path = write_image (f, "photo.jpg", 300, 200, "jpeg");
  g_autoptr(CsThumbnailer) background = g_object_new (CS_TYPE_THUMBNAILER,
                                                      "mode", CS_OUTPUT_BESIDE,
                                                      "background", TRUE,
                                                      NULL);
  g_autoptr(CsThumbnailer) normal = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 128, NULL);
  g_autoptr(CsResult) first = NULL;
  g_autoptr(CsResult) second = NULL;
  int own;

  if (g_getenv ("CONTACT_SHEET_DECODER") == NULL)
    {
      g_test_skip ("Decoding in-process: set CONTACT_SHEET_DECODER (meson test does)");
      return;
    }

  errno = 0;
  own = getpriority (PRIO_PROCESS, 0);
  g_assert_cmpint (errno, ==, 0);
  if (own > 9)
    {
      g_test_skip ("This test already runs at the lowest priorities");
      return;
    }

  first = process_path (background, path);
  g_assert_no_error (cs_result_get_error (first));
  g_assert_true (have_helper_at (own + 10));

  second = process_path (normal, path);
  g_assert_no_error (cs_result_get_error (second));
  g_assert_true (have_helper_at (own));
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = write_image (f, "photo.jpg", 300, 200, "jpeg");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 128, NULL);
  g_autoptr(CsResult) result = NULL;
  g_autoptr(GPtrArray) names = NULL;

  g_cancellable_cancel (cancellable);
  result = cs_thumbnailer_process (thumbnailer, file, NULL, cancellable);
  g_assert_true (cs_result_is_cancelled (result));
  names = cs_test_list_dir (f->dir);
  g_assert_cmpuint (names->len, ==, 1);
}

/* The loader glycin started for a file dies under it (as one does when an
 * animation's frames, decoded ahead, reach the memory limit; see
 * cs-decode-glycin.c): the file gets one more loader, and its thumbnail. */
typedef struct
{
  gint     done;
  gboolean killed;
} LoaderKiller;

static gboolean
is_loader (const char *pid)
{
  g_autofree char *exe_path = g_build_filename ("/proc", pid, "exe", NULL);
  g_autofree char *exe = g_file_read_link (exe_path, NULL);

  return exe != NULL && strstr (exe, "/glycin-loaders/") != NULL;
}

/* Kills the first loader among the children of @process's threads, and
 * (where glycin's sandbox stands between) their children. */
static gboolean
kill_loader_under (const char *process,
                   guint       depth)
{
  g_autofree char *tasks_path = g_build_filename ("/proc", process, "task", NULL);
  g_autoptr(GDir) tasks = g_dir_open (tasks_path, 0, NULL);
  const char *task;

  while (tasks != NULL && (task = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *path = g_build_filename (tasks_path, task, "children", NULL);
      g_autofree char *children = NULL;
      g_auto(GStrv) pids = NULL;

      if (!g_file_get_contents (path, &children, NULL, NULL))
        continue;
      pids = g_strsplit (g_strstrip (children), " ", -1);
      for (guint i = 0; pids[i] != NULL; i++)
        {
          if (*pids[i] == '\0')
            continue;
          if (is_loader (pids[i]) && kill ((pid_t) g_ascii_strtoll (pids[i], NULL, 10), SIGKILL) == 0)
            return TRUE;
          if (depth > 0 && kill_loader_under (pids[i], depth - 1))
            return TRUE;
        }
    }

  return FALSE;
}

static gpointer
kill_first_loader (gpointer data)
{
  LoaderKiller *killer = data;

  while (!g_atomic_int_get (&killer->done) && !killer->killed)
    {
      killer->killed = kill_loader_under ("self", 1);
      g_usleep (100);
    }

  return NULL;
}

static void
test_loader_killed (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(CsThumbnailer) thumbnailer = NULL;
  g_autoptr(CsResult) result = NULL;
  LoaderKiller killer = { 0, FALSE };
  GThread *thread;

  if (!HAVE_GLYCIN)
    {
      g_test_skip ("glycin decodes nothing here");
      return;
    }

  /* Large enough that its loader lives a while. */
  path = write_image (f, "scan.tiff", 4000, 3000, "tiff");
  thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 128, NULL);

  /* glycin keeps loaders in a pool for the next file: the one that wrote
   * the image must not be the one killed, nor be handed over killed. */
  while (kill_loader_under ("self", 1))
    ;
  g_usleep (200 * 1000);

  thread = g_thread_new ("loader-killer", kill_first_loader, &killer);
  result = process_path (thumbnailer, path);
  g_atomic_int_set (&killer.done, 1);
  g_thread_join (thread);

  g_assert_true (killer.killed);
  g_assert_no_error (cs_result_get_error (result));
  assert_pixbuf_size (cs_result_get_thumbnail_path (result), 128, 96);
}

/* A file seen through the document portal is cached under its real URI. */
static void
test_portal_uri (void)
{
  g_autofree char *dir = g_strdup ("/run/cs-test-XXXXXX");
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GFile) file = NULL;
  const char *host = "/home/someone/Pictures/holiday photo.jpg";

  if (g_mkdtemp (dir) == NULL)
    {
      g_test_skip ("/run is not writable here");
      return;
    }

  path = g_build_filename (dir, "holiday photo.jpg", NULL);
  g_file_set_contents (path, "x", 1, NULL);
  if (setxattr (path, "user.document-portal.host-path", host, strlen (host), 0) != 0)
    {
      g_test_skip ("no user extended attributes on /run");
      cs_test_remove_tree (dir);
      return;
    }

  file = g_file_new_for_path (path);
  uri = cs_cache_uri_for_file (file);
  g_assert_cmpstr (uri, ==, "file:///home/someone/Pictures/holiday%20photo.jpg");
  cs_test_remove_tree (dir);

  /* Without the attribute: the plain URI. */
  {
    g_autofree char *plain = g_build_filename (g_get_tmp_dir (), "plain.jpg", NULL);
    g_autoptr(GFile) plain_file = g_file_new_for_path (plain);
    g_autofree char *plain_uri = cs_cache_uri_for_file (plain_file);
    g_autofree char *expected = g_file_get_uri (plain_file);

    g_assert_cmpstr (plain_uri, ==, expected);
  }
}

static void
test_names (void)
{
  static const struct {
    const char *source;
    const char *output;
    const char *format;
  } cases[] = {
    { "photo.jpg", "photo.thumb.jpg", "jpeg" },
    { "IMG_0001.JPEG", "IMG_0001.thumb.JPEG", "jpeg" },
    { "a.png", "a.thumb.png", "png" },
    { "a.webp", "a.thumb.webp.png", "png" },
    { "a.gif", "a.thumb.gif.png", "png" },
    { "a.gif.png", "a.gif.thumb.png", "png" },
    { "drawing.svg", "drawing.thumb.svg.png", "png" },
    { "README", "README.thumb..png", "png" },
    { "two.dots.tiff", "two.dots.thumb.tiff.png", "png" },
  };
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *format = NULL;
      g_autofree char *output = cs_output_basename (cases[i].source, &format);

      g_assert_cmpstr (output, ==, cases[i].output);
      g_assert_cmpstr (format, ==, cases[i].format);
      g_assert_true (cs_is_thumbnail_name (output));
      g_assert_false (cs_is_thumbnail_name (cases[i].source));
      g_assert_true (g_hash_table_add (seen, (gpointer) cases[i].output));
    }

  g_assert_true (cs_is_image_name ("photo.jpg"));
  g_assert_true (cs_is_image_name ("PHOTO.JPG"));
  g_assert_true (cs_is_image_name ("a.png"));
  g_assert_false (cs_is_image_name ("photo.thumb.jpg"));
  g_assert_false (cs_is_image_name ("notes.txt"));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = cs_test_isolate_cache ();
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, cs_test_dir_setup, func, cs_test_dir_teardown)

  g_test_add_func ("/thumbnailer/names", test_names);
  g_test_add_func ("/thumbnailer/portal-uri", test_portal_uri);
  ADD ("/thumbnailer/sizes", test_sizes);
  ADD ("/thumbnailer/split", test_split);
  ADD ("/thumbnailer/export-size", test_export_size);
  ADD ("/thumbnailer/extreme-aspect", test_extreme_aspect);
  ADD ("/thumbnailer/no-upscale", test_no_upscale);
  ADD ("/thumbnailer/filter", test_filter);
  ADD ("/thumbnailer/exif-orientation", test_exif_orientation);
  ADD ("/thumbnailer/decode-at-size", test_decode_at_size);
  ADD ("/thumbnailer/sniffing", test_sniffing);
  ADD ("/thumbnailer/formats", test_formats);
  ADD ("/thumbnailer/cache-entry", test_cache_entry);
  ADD ("/thumbnailer/cache-reuse", test_cache_reuse);
  ADD ("/thumbnailer/cache-tolerant", test_cache_tolerant);
  ADD ("/thumbnailer/never-half-written", test_never_half_written);
  ADD ("/thumbnailer/text-keys", test_text_keys);
  ADD ("/thumbnailer/fail-entry", test_fail_entry);
  ADD ("/thumbnailer/bad-input", test_bad_input);
  ADD ("/thumbnailer/pixel-limit", test_pixel_limit);
  ADD ("/thumbnailer/cancelled", test_cancelled);
  ADD ("/thumbnailer/isolation", test_isolation);
  ADD ("/thumbnailer/sandbox", test_sandbox);
  ADD ("/thumbnailer/background", test_background);
  ADD ("/thumbnailer/loader-killed", test_loader_killed);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
