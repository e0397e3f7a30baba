/* test-ico.c: Windows icons through contact-sheet-cli and its helper
 *
 * Icons made here (cs_test_make_ico()), each image of its own colour, so
 * that the thumbnail's pixels say which image it was made from.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cs-cache.h"
#include "cs-test-images.h"
#include "cs-test-util.h"

#define RED 0xdc2828
#define GREEN 0x28b43c
#define BLUE 0x2850dc

static void
write_bytes (const char *dir,
             const char *name,
             GByteArray *bytes)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) bytes->data, bytes->len, &error);
  g_assert_no_error (error);
}

static int
run_cli (char ***out_lines,
         char ***err_lines,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("CS_CLI"));
  va_start (args, err_lines);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  return cs_test_run_program ((const char * const *) argv->pdata, out_lines, err_lines);
}

static void
assert_colour (const char *path,
               int         side,
               guint32     rgb)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) thumb = gdk_pixbuf_new_from_file (path, &error);
  const guint8 *p;

  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (thumb), ==, side);
  g_assert_cmpint (gdk_pixbuf_get_height (thumb), ==, side);
  p = gdk_pixbuf_read_pixels (thumb) + (gsize) (side / 2) * gdk_pixbuf_get_rowstride (thumb) +
      (gsize) (side / 2) * gdk_pixbuf_get_n_channels (thumb);
  g_test_message ("%s: %d %d %d", path, p[0], p[1], p[2]);
  g_assert_cmpint (ABS (p[0] - (int) (rgb >> 16)), <=, 4);
  g_assert_cmpint (ABS (p[1] - (int) ((rgb >> 8) & 0xff)), <=, 4);
  g_assert_cmpint (ABS (p[2] - (int) (rgb & 0xff)), <=, 4);
}

/* 16 and 32 as bitmaps, 256 as a PNG (GdkPixbuf's loader refuses those):
 * the thumbnail is the 256 one's, scaled; the cache says what it was. */
static void
test_png_entry (CsTestDir     *f,
                gconstpointer  data)
{
  static const CsTestIcoImage images[] = {
    { 16, RED, FALSE }, { 32, GREEN, FALSE }, { 256, BLUE, TRUE },
  };
  g_autoptr(GByteArray) ico = cs_test_make_ico (images, G_N_ELEMENTS (images));
  g_autofree char *source = g_build_filename (f->dir, "app.ico", NULL);
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_autofree char *thumb = g_build_filename (out, "app.thumb.ico.png", NULL);
  g_autofree char *cache_dir = g_build_filename (g_getenv ("XDG_CACHE_HOME"), "thumbnails", NULL);
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *cached = NULL;
  g_autoptr(GHashTable) keys = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) out_lines = NULL;
  g_auto(GStrv) err_lines = NULL;

  write_bytes (f->dir, "app.ico", ico);
  g_assert_cmpint (g_mkdir (out, 0755), ==, 0);
  g_assert_cmpint (run_cli (&out_lines, &err_lines, "-o", out, "-s", "64", source, NULL), ==, 0);
  assert_colour (thumb, 64, BLUE);

  g_assert_cmpint (run_cli (NULL, NULL, source, NULL), ==, 0);
  file = g_file_new_for_path (source);
  uri = g_file_get_uri (file);
  cached = cs_cache_thumbnail_path (cache_dir, CS_FLAVOR_NORMAL, uri);
  assert_colour (cached, 128, BLUE);
  keys = cs_cache_read_text_keys (cached, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (keys, "Thumb::Mimetype"), ==, "image/vnd.microsoft.icon");
  g_assert_cmpstr (g_hash_table_lookup (keys, "Thumb::Image::Width"), ==, "256");
}

/* Bitmaps only: GdkPixbuf or glycin, as before; the largest one. */
static void
test_classic (CsTestDir     *f,
              gconstpointer  data)
{
  static const CsTestIcoImage images[] = { { 16, RED, FALSE }, { 48, GREEN, FALSE } };
  g_autoptr(GByteArray) ico = cs_test_make_ico (images, G_N_ELEMENTS (images));
  g_autofree char *source = g_build_filename (f->dir, "old.ico", NULL);
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_autofree char *thumb = g_build_filename (out, "old.thumb.ico.png", NULL);

  write_bytes (f->dir, "old.ico", ico);
  g_assert_cmpint (g_mkdir (out, 0755), ==, 0);
  g_assert_cmpint (run_cli (NULL, NULL, "-o", out, "-s", "64", source, NULL), ==, 0);
  assert_colour (thumb, 48, GREEN);
}

static void
set_le32 (GByteArray *bytes,
          guint       offset,
          guint32     value)
{
  for (int i = 0; i < 4; i++)
    bytes->data[offset + i] = (value >> (8 * i)) & 0xff;
}

/* Damaged directories and a PNG cut short: one line each naming the
 * file, and the rest of the folder goes on. */
static void
test_hostile (CsTestDir     *f,
              gconstpointer  data)
{
  static const CsTestIcoImage images[] = { { 32, GREEN, FALSE }, { 256, BLUE, TRUE } };
  static const char * const names[] = {
    "empty.ico", "past-end.ico", "huge-count.ico", "cut-png.ico",
  };
  g_autoptr(GByteArray) empty = cs_test_make_ico (NULL, 0);
  g_autoptr(GByteArray) past_end = cs_test_make_ico (images, 2);
  g_autoptr(GByteArray) huge_count = cs_test_make_ico (images, 2);
  g_autoptr(GByteArray) cut_png = cs_test_make_ico (images, 2);
  g_autoptr(GByteArray) good = cs_test_make_ico (images, 2);
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_auto(GStrv) out_lines = NULL;
  g_auto(GStrv) err_lines = NULL;
  guint32 png_length = past_end->data[6 + 16 + 8] | (past_end->data[6 + 16 + 9] << 8);

  /* Both images start past the end; 65,535 images in a small file; the
   * PNG's bytes end half way, and so does the file. */
  set_le32 (past_end, 6 + 12, 1 << 30);
  set_le32 (past_end, 6 + 16 + 12, past_end->len);
  huge_count->data[4] = huge_count->data[5] = 0xff;
  g_byte_array_set_size (cut_png, cut_png->len - png_length / 2);
  set_le32 (cut_png, 6 + 16 + 8, png_length - png_length / 2);

  write_bytes (f->dir, "empty.ico", empty);
  write_bytes (f->dir, "past-end.ico", past_end);
  write_bytes (f->dir, "huge-count.ico", huge_count);
  write_bytes (f->dir, "cut-png.ico", cut_png);
  write_bytes (f->dir, "good.ico", good);
  g_assert_cmpint (g_mkdir (out, 0755), ==, 0);

  g_assert_cmpint (run_cli (&out_lines, &err_lines, "-o", out, "-s", "64", f->dir, NULL), ==, 1);
  g_assert_cmpuint (g_strv_length (out_lines), ==, 1);
  g_assert_true (g_str_has_suffix (out_lines[0], "good.thumb.ico.png"));
  /* One line a file, then the summary. */
  g_assert_cmpuint (g_strv_length (err_lines), ==, G_N_ELEMENTS (names) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *prefix = g_strconcat (f->dir, "/", names[i], ": ", NULL);
      gboolean seen = FALSE;

      for (guint j = 0; err_lines[j] != NULL; j++)
        seen |= g_str_has_prefix (err_lines[j], prefix);
      g_assert_true (seen);
    }
  g_assert_true (g_str_has_prefix (err_lines[G_N_ELEMENTS (names)], "1 thumbnails") ||
                 g_str_has_prefix (err_lines[G_N_ELEMENTS (names)], "1 thumbnail"));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = cs_test_isolate_cache ();
  int status;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("CS_CLI") == NULL)
    g_error ("CS_CLI must name contact-sheet-cli");

#define ADD(name, func) \
  g_test_add (name, CsTestDir, NULL, cs_test_dir_setup, func, cs_test_dir_teardown)

  ADD ("/ico/png-entry", test_png_entry);
  ADD ("/ico/classic", test_classic);
  ADD ("/ico/hostile", test_hostile);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
