/* test-raw.c: camera RAW files through LibRaw (cs-decode-raw.c), end to end
 *
 * Every DNG here is written by cs-test-raw.c. Its pictures are four solid
 * quarters, in different colours for the large preview, the small one and
 * the sensor's data, so a thumbnail's pixels say which picture it was made
 * from and which way it was turned. Decodes go through the real decoder
 * helper, within the app's limits, and the last case through the real CLI.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <libraw.h>
#pragma GCC diagnostic pop

#include "cs-decoder-client.h"
#include "cs-error.h"
#include "cs-test-raw.h"
#include "cs-test-util.h"
#include "cs-thumbnailer.h"

/* JPEG and the scale-down move a solid colour by a few levels; the
 * demosaic and its colour conversion by a few more. */
#define TOLERANCE 40

typedef struct
{
  GdkPixbuf *pixbuf;
  char      *mime_type;
  int        image_width;
  int        image_height;
  GError    *error;
  gint64     elapsed_us;
} Decoded;

static void
decoded_clear (Decoded *d)
{
  g_clear_object (&d->pixbuf);
  g_clear_pointer (&d->mime_type, g_free);
  g_clear_error (&d->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Decoded, decoded_clear)

static char *
write_dng (const char      *dir,
           const char      *name,
           const CsTestDng *dng)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  cs_test_raw_write_dng (path, dng, &error);
  g_assert_no_error (error);
  return path;
}

/* Through the decoder helper, with the thumbnailer's limits. */
static void
decode (const char *path,
        const char *type_hint,
        guint       size,
        guint64     max_pixels,
        Decoded    *out)
{
  CsDecodeLimits limits = {
    .size = size,
    .max_pixels = max_pixels,
    .timeout_ms = CS_DEFAULT_DECODE_TIMEOUT_MS,
    .memory_limit = CS_DEFAULT_MEMORY_LIMIT,
  };
  gint64 start = g_get_monotonic_time ();
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  out->pixbuf = cs_decoder_decode (fd, type_hint, &limits, &out->mime_type,
                                   &out->image_width, &out->image_height, NULL, &out->error);
  out->elapsed_us = g_get_monotonic_time () - start;
  close (fd);
}

static guint32
pixel_at (GdkPixbuf *pixbuf,
          int        x,
          int        y)
{
  const guint8 *p = gdk_pixbuf_get_pixels (pixbuf) + y * gdk_pixbuf_get_rowstride (pixbuf) +
                    x * gdk_pixbuf_get_n_channels (pixbuf);

  return (guint32) p[0] << 16 | (guint32) p[1] << 8 | p[2];
}

static gboolean
near (guint32 a,
      guint32 b)
{
  for (int shift = 0; shift <= 16; shift += 8)
    if (ABS ((int) ((a >> shift) & 0xff) - (int) ((b >> shift) & 0xff)) > TOLERANCE)
      return FALSE;

  return TRUE;
}

/* The stored quarter (column, row) that the EXIF @orientation shows at
 * the quarter (qx, qy) of the upright picture. */
static void
stored_quarter (guint  orientation,
                int    qx,
                int    qy,
                int   *sx,
                int   *sy)
{
  switch (orientation)
    {
    case 2: *sx = 1 - qx; *sy = qy; break;
    case 3: *sx = 1 - qx; *sy = 1 - qy; break;
    case 4: *sx = qx; *sy = 1 - qy; break;
    case 5: *sx = qy; *sy = qx; break;
    case 6: *sx = qy; *sy = 1 - qx; break;
    case 7: *sx = 1 - qy; *sy = 1 - qx; break;
    case 8: *sx = 1 - qy; *sy = qx; break;
    default: *sx = qx; *sy = qy; break;
    }
}

/* The middle of each quarter of @pixbuf has the colour @colors gives the
 * stored quarter that @orientation puts there. */
static void
assert_quarters (GdkPixbuf     *pixbuf,
                 guint          orientation,
                 const guint32 *colors)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);

  for (int qy = 0; qy < 2; qy++)
    for (int qx = 0; qx < 2; qx++)
      {
        int sx, sy;
        guint32 expected, actual;

        stored_quarter (orientation, qx, qy, &sx, &sy);
        expected = colors[sy * 2 + sx];
        actual = pixel_at (pixbuf, width / 4 + qx * width / 2, height / 4 + qy * height / 2);
        if (!near (actual, expected))
          g_error ("orientation %u, quarter (%d, %d): #%06x, expected #%06x",
                   orientation, qx, qy, actual, expected);
      }
}

static void
assert_one_line_error (const GError *error,
                       int           code,
                       const char   *words)
{
  g_assert_error ((GError *) error, CS_THUMB_ERROR, code);
  g_assert_null (strchr (error->message, '\n'));
  g_assert_nonnull (strstr (error->message, words));
}

/* Each orientation turns the preview, and the picture's size as seen. */
static void
test_preview_orientation (CsTestDir     *f,
                          gconstpointer  data)
{
  for (guint orientation = 1; orientation <= 8; orientation++)
    {
      CsTestDng dng = { .width = 600, .height = 400, .orientation = orientation,
                        .preview_width = 300 };
      g_autofree char *name = g_strdup_printf ("turned-%u.dng", orientation);
      g_autofree char *path = write_dng (f->dir, name, &dng);
      g_auto(Decoded) d = { 0 };
      gboolean swap = orientation >= 5;

      decode (path, "image/x-adobe-dng", 128, CS_DEFAULT_MAX_PIXELS, &d);
      g_assert_no_error (d.error);
      g_assert_cmpstr (d.mime_type, ==, "image/x-adobe-dng");
      g_assert_cmpint (d.image_width, ==, swap ? 400 : 600);
      g_assert_cmpint (d.image_height, ==, swap ? 600 : 400);
      g_assert_cmpint (gdk_pixbuf_get_width (d.pixbuf), ==, swap ? 85 : 128);
      g_assert_cmpint (gdk_pixbuf_get_height (d.pixbuf), ==, swap ? 128 : 85);
      assert_quarters (d.pixbuf, orientation, cs_test_raw_preview_colors);
    }
}

/* The smallest preview at least the thumbnail's size; the largest when
 * none is. LibRaw 0.20 offers only the preview it chose (the largest). */
static void
test_preview_choice (CsTestDir     *f,
                     gconstpointer  data)
{
  CsTestDng dng = { .width = 600, .height = 400, .orientation = 1,
                    .preview_width = 300, .small_width = 96 };
  g_autofree char *path = write_dng (f->dir, "two-previews.dng", &dng);
  g_auto(Decoded) small = { 0 };
  g_auto(Decoded) large = { 0 };
  g_auto(Decoded) larger = { 0 };

  decode (path, "image/x-adobe-dng", 64, CS_DEFAULT_MAX_PIXELS, &small);
  g_assert_no_error (small.error);
  g_assert_cmpint (gdk_pixbuf_get_width (small.pixbuf), ==, 64);
#if LIBRAW_COMPILE_CHECK_VERSION_NOTLESS(0, 21)
  assert_quarters (small.pixbuf, 1, cs_test_raw_small_colors);
#else
  assert_quarters (small.pixbuf, 1, cs_test_raw_preview_colors);
#endif

  decode (path, "image/x-adobe-dng", 128, CS_DEFAULT_MAX_PIXELS, &large);
  g_assert_no_error (large.error);
  g_assert_cmpint (gdk_pixbuf_get_width (large.pixbuf), ==, 128);
  assert_quarters (large.pixbuf, 1, cs_test_raw_preview_colors);

  /* No preview is 512 wide: the largest, as it is, never enlarged. */
  decode (path, "image/x-adobe-dng", 512, CS_DEFAULT_MAX_PIXELS, &larger);
  g_assert_no_error (larger.error);
  g_assert_cmpint (gdk_pixbuf_get_width (larger.pixbuf), ==, 300);
  g_assert_cmpint (gdk_pixbuf_get_height (larger.pixbuf), ==, 200);
  assert_quarters (larger.pixbuf, 1, cs_test_raw_preview_colors);
}

/* No preview: the sensor's data, demosaiced at half size, turned. */
static void
test_half_size (CsTestDir     *f,
                gconstpointer  data)
{
  for (guint orientation = 1; orientation <= 8; orientation += 5)
    {
      CsTestDng dng = { .width = 600, .height = 400, .orientation = orientation };
      g_autofree char *name = g_strdup_printf ("sensor-only-%u.dng", orientation);
      g_autofree char *path = write_dng (f->dir, name, &dng);
      g_auto(Decoded) d = { 0 };
      gboolean swap = orientation >= 5;

      decode (path, "image/x-adobe-dng", 128, CS_DEFAULT_MAX_PIXELS, &d);
      g_assert_no_error (d.error);
      g_assert_cmpint (d.image_width, ==, swap ? 400 : 600);
      g_assert_cmpint (d.image_height, ==, swap ? 600 : 400);
      g_assert_cmpint (gdk_pixbuf_get_width (d.pixbuf), ==, swap ? 85 : 128);
      g_assert_cmpint (gdk_pixbuf_get_height (d.pixbuf), ==, swap ? 128 : 85);
      assert_quarters (d.pixbuf, orientation, cs_test_raw_sensor_colors);
    }
}

static char *
write_cut (const char      *dir,
           const char      *name,
           const CsTestDng *dng,
           gsize            keep)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = cs_test_raw_make_dng (dng, &error);
  char *path = g_build_filename (dir, name, NULL);

  g_assert_no_error (error);
  g_assert_cmpuint (keep, <, g_bytes_get_size (bytes));
  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), keep, &error);
  g_assert_no_error (error);
  return path;
}

/* Cut inside the only preview, or inside the sensor's data of a file with
 * none: one line that says so. */
static void
test_truncated (CsTestDir     *f,
                gconstpointer  data)
{
  CsTestDng with_preview = { .width = 600, .height = 400, .orientation = 1, .preview_width = 300 };
  CsTestDng without = { .width = 600, .height = 400, .orientation = 1 };
  g_autoptr(GBytes) whole = cs_test_raw_make_dng (&with_preview, NULL);
  gsize sensor_bytes = 600 * 400 * 2;
  /* The previews come before the sensor's data, at the end. */
  gsize preview_end = g_bytes_get_size (whole) - sensor_bytes;
  g_autofree char *cut_preview = write_cut (f->dir, "cut-preview.dng", &with_preview,
                                            preview_end - 1000);
  g_autofree char *cut_sensor = write_cut (f->dir, "cut-sensor.dng", &without,
                                           g_bytes_get_size (whole) - sensor_bytes / 2);
  g_auto(Decoded) a = { 0 };
  g_auto(Decoded) b = { 0 };

  decode (cut_preview, "image/x-adobe-dng", 128, CS_DEFAULT_MAX_PIXELS, &a);
  g_assert_null (a.pixbuf);
  assert_one_line_error (a.error, CS_THUMB_ERROR_CORRUPT, "truncated");

  decode (cut_sensor, "image/x-adobe-dng", 128, CS_DEFAULT_MAX_PIXELS, &b);
  g_assert_null (b.pixbuf);
  assert_one_line_error (b.error, CS_THUMB_ERROR_CORRUPT, "truncated");
}

/* A sensor that claims 50000 x 40000 pixels, and a real one over a lower
 * limit: refused from the header, before anything that size is allocated,
 * well within the time limit. */
static void
test_too_large (CsTestDir     *f,
                gconstpointer  data)
{
  CsTestDng hostile = { .width = 600, .height = 400, .orientation = 1,
                        .claim_width = 50000, .claim_height = 40000 };
  CsTestDng real = { .width = 600, .height = 400, .orientation = 1 };
  g_autofree char *hostile_path = write_dng (f->dir, "huge.dng", &hostile);
  g_autofree char *real_path = write_dng (f->dir, "real.dng", &real);
  g_auto(Decoded) a = { 0 };
  g_auto(Decoded) b = { 0 };

  decode (hostile_path, "image/x-adobe-dng", 128, CS_DEFAULT_MAX_PIXELS, &a);
  g_assert_null (a.pixbuf);
  assert_one_line_error (a.error, CS_THUMB_ERROR_TOO_LARGE, "50000 × 40000");
  g_assert_cmpint (a.elapsed_us, <, 2 * G_USEC_PER_SEC);

  decode (real_path, "image/x-adobe-dng", 128, 600 * 400 - 1, &b);
  g_assert_null (b.pixbuf);
  assert_one_line_error (b.error, CS_THUMB_ERROR_TOO_LARGE, "600 × 400");
}

/* A TIFF that is no camera's goes on to GdkPixbuf or glycin as before,
 * named .tif or even .dng. */
static void
test_plain_tiff (CsTestDir     *f,
                 gconstpointer  data)
{
  static const char * const names[] = { "plain.tif", "plain.dng" };
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_FOLDER, 128, f->dir);
  g_autoptr(GdkPixbuf) picture = cs_test_raw_make_quarters (300, 200, cs_test_raw_preview_colors);

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, names[i], NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GError) error = NULL;
      g_autoptr(CsResult) result = NULL;

      gdk_pixbuf_save (picture, path, "tiff", &error, NULL);
      if (error != NULL)
        {
          g_test_skip ("GdkPixbuf cannot write TIFF here");
          return;
        }

      result = cs_thumbnailer_decode (thumbnailer, file, 128, NULL);
      g_assert_null (cs_result_get_error (result));
      g_assert_cmpint (cs_result_get_image_width (result), ==, 300);
      assert_quarters (cs_result_get_pixbuf (result), 1, cs_test_raw_preview_colors);
    }
}

/* The scan offers RAW names. */
static void
test_names (void)
{
  static const char * const names[] = {
    "a.CR2", "a.cr3", "a.nef", "a.arw", "a.dng", "a.orf", "a.rw2", "a.raf", "a.pef", "a.srw",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_true (cs_is_image_name (names[i]));
  g_assert_false (cs_is_image_name ("a.dngx"));
}

/* contact-sheet-cli on a folder of DNGs: each thumbnail in the cache with
 * the source's type and size. */
static void
test_cli_cache (CsTestDir     *f,
                gconstpointer  data)
{
  static const guint orientations[] = { 1, 6, 8 };
  g_autofree char *images = g_build_filename (f->dir, "images", NULL);
  g_autofree char *cache_home = g_build_filename (f->dir, "cache", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (g_mkdir (images, 0755), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (orientations); i++)
    {
      CsTestDng dng = { .width = 600, .height = 400, .orientation = orientations[i],
                        .preview_width = i == 2 ? 0 : 300 };
      g_autofree char *name = g_strdup_printf ("IMG_%04zu.dng", i);

      g_free (write_dng (images, name, &dng));
    }

  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CS_CLI"), images, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%s%s", out, err);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (orientations); i++)
    {
      g_autofree char *name = g_strdup_printf ("IMG_%04zu.dng", i);
      g_autofree char *source = g_build_filename (images, name, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (source);
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, uri, -1);
      g_autofree char *png = g_strconcat (md5, ".png", NULL);
      g_autofree char *path = g_build_filename (cache_home, "thumbnails", "normal", png, NULL);
      g_autoptr(GdkPixbuf) thumbnail = gdk_pixbuf_new_from_file (path, &error);
      gboolean swap = orientations[i] >= 5;

      g_assert_no_error (error);
      g_assert_cmpstr (gdk_pixbuf_get_option (thumbnail, "tEXt::Thumb::URI"), ==, uri);
      g_assert_cmpstr (gdk_pixbuf_get_option (thumbnail, "tEXt::Thumb::Mimetype"), ==,
                       "image/x-adobe-dng");
      g_assert_cmpstr (gdk_pixbuf_get_option (thumbnail, "tEXt::Thumb::Image::Width"), ==,
                       swap ? "400" : "600");
      g_assert_cmpstr (gdk_pixbuf_get_option (thumbnail, "tEXt::Thumb::Image::Height"), ==,
                       swap ? "600" : "400");
      g_assert_cmpint (MAX (gdk_pixbuf_get_width (thumbnail), gdk_pixbuf_get_height (thumbnail)), ==, 128);
      assert_quarters (thumbnail, orientations[i],
                       i == 2 ? cs_test_raw_sensor_colors : cs_test_raw_preview_colors);
    }
}

/* LibRaw's own tools read the DNGs as the tests mean them: the preview's
 * size, the orientation, and a preview that simple_dcraw -e extracts. */
static void
test_libraw_tools (CsTestDir     *f,
                   gconstpointer  data)
{
  g_autofree char *identify = g_find_program_in_path ("raw-identify");
  g_autofree char *extract = g_find_program_in_path ("simple_dcraw");
  CsTestDng dng = { .width = 600, .height = 400, .orientation = 6, .preview_width = 300 };
  g_autofree char *path = write_dng (f->dir, "tools.dng", &dng);
  g_autofree char *thumb_path = g_strconcat (path, ".thumb.jpg", NULL);
  g_autofree char *out = NULL;
  g_autoptr(GdkPixbuf) thumb = NULL;
  g_autoptr(GError) error = NULL;
  const char *identify_argv[] = { identify, "-v", path, NULL };
  const char *extract_argv[] = { extract, "-e", path, NULL };
  int status;

  if (identify == NULL || extract == NULL)
    {
      g_test_skip ("No raw-identify or simple_dcraw (libraw-bin)");
      return;
    }

  g_spawn_sync (NULL, (char **) identify_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "Thumb size:   300 x 200"));
  g_assert_nonnull (strstr (out, "Image size:   600 x 400"));
  g_assert_nonnull (strstr (out, "Image flip: 6"));

  g_spawn_sync (NULL, (char **) extract_argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  thumb = gdk_pixbuf_new_from_file (thumb_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (thumb), ==, 300);
  assert_quarters (thumb, 1, cs_test_raw_preview_colors);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/raw/names", test_names);
#define ADD(path, func) \
  g_test_add (path, CsTestDir, NULL, cs_test_dir_setup, func, cs_test_dir_teardown)
  ADD ("/raw/preview-orientation", test_preview_orientation);
  ADD ("/raw/preview-choice", test_preview_choice);
  ADD ("/raw/half-size", test_half_size);
  ADD ("/raw/truncated", test_truncated);
  ADD ("/raw/too-large", test_too_large);
  ADD ("/raw/plain-tiff", test_plain_tiff);
  ADD ("/raw/cli-cache", test_cli_cache);
  ADD ("/raw/libraw-tools", test_libraw_tools);
#undef ADD

  return g_test_run ();
}
