/* test-video.c: video thumbnails through GStreamer, in the decoder helper
 *
 * The clips are made here by GStreamer itself (gst-launch-1.0 with
 * videotestsrc); a format whose encoder or muxer is not installed is
 * skipped. Damaged files are made from the good ones.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "cs-cache.h"
#include "cs-error.h"
#include "cs-test-util.h"
#include "cs-thumbnailer.h"

/* Which elements exist, asked once each. */
static gboolean
have_element (const char *name)
{
  static GHashTable *known;
  const char *argv[] = { "gst-inspect-1.0", "--exists", name, NULL };
  gpointer value;
  int status = 1;

  if (known == NULL)
    known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_lookup_extended (known, name, NULL, &value))
    return GPOINTER_TO_INT (value);

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL))
    status = 1;
  g_hash_table_insert (known, g_strdup (name), GINT_TO_POINTER (status == 0));

  return status == 0;
}

/* The H.264 encoder if there is one, else MPEG-4 part 2, for MP4 and MOV. */
static const char *
mp4_encoder (void)
{
  if (have_element ("x264enc"))
    return "x264enc key-int-max=15 speed-preset=ultrafast";
  if (have_element ("avenc_mpeg4"))
    return "avenc_mpeg4";
  return NULL;
}

/* Runs gst-launch-1.0 with @pipeline, whose "%s" is where the file goes. */
static char *
make_clip (const char *dir,
           const char *name,
           const char *pipeline)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *command = NULL;
  g_autofree char *quoted = g_shell_quote (path);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  command = g_strdup_printf ("gst-launch-1.0 -q %s ! filesink location=%s", pipeline, quoted);
  g_assert_true (g_spawn_command_line_sync (command, NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (status != 0)
    g_error ("%s: %s", command, err);

  return g_steal_pointer (&path);
}

#define RAW_320 "video/x-raw,width=320,height=240,framerate=15/1"

static CsResult *
process (CsThumbnailer *thumbnailer,
         const char    *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return cs_thumbnailer_process (thumbnailer, file, NULL, NULL);
}

static double
mean_level (GdkPixbuf *pixbuf)
{
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  guint64 sum = 0;

  for (int y = 0; y < gdk_pixbuf_get_height (pixbuf); y++)
    for (int x = 0; x < gdk_pixbuf_get_width (pixbuf) * channels; x++)
      sum += pixels[(gsize) y * gdk_pixbuf_get_rowstride (pixbuf) + x];

  return (double) sum / (gdk_pixbuf_get_width (pixbuf) * gdk_pixbuf_get_height (pixbuf) * channels);
}

/* The key from the thumbnail in the cache, or %NULL. */
static char *
dup_cache_key (const CsResult *result,
               const char     *path,
               const char     *key)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = cs_cache_uri_for_file (file);
  g_autoptr(GHashTable) keys = NULL;
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_true (cs_cache_entry_is_valid (cs_result_get_thumbnail_path (result), uri,
                                          st.st_mtime, st.st_size, &keys));

  return g_strdup (g_hash_table_lookup (keys, key));
}

typedef struct
{
  const char *name;
  const char *encoder;     /* NULL: mp4_encoder() */
  const char *muxer;
  const char *mime_type;
} Format;

static const Format formats[] = {
  { "clip.mp4", NULL, "mp4mux", "video/mp4" },
  { "clip.mov", NULL, "qtmux", "video/quicktime" },
  { "clip.webm", "vp8enc deadline=1", "webmmux", "video/webm" },
  { "clip.mkv", "vp8enc deadline=1", "matroskamux", "video/x-matroska" },
};

/* A frame, its mime type, its size, and its length in the result and in
 * the cache, where a second run finds it. */
static void
test_formats (CsTestDir     *f,
              gconstpointer  data)
{
  const Format *format = data;
  const char *encoder = format->encoder ? format->encoder : mp4_encoder ();
  g_autofree char *encoder_name = NULL;
  g_autofree char *pipeline = NULL;
  g_autofree char *path = NULL;
  g_autofree char *length = NULL;
  g_autoptr(CsThumbnailer) thumbnailer = g_object_new (CS_TYPE_THUMBNAILER, "want-pixels", TRUE, NULL);
  g_autoptr(CsResult) result = NULL;
  g_autoptr(CsResult) again = NULL;

  encoder_name = encoder ? g_strndup (encoder, strcspn (encoder, " ")) : NULL;
  if (encoder == NULL || !have_element (encoder_name) || !have_element (format->muxer))
    {
      g_test_skip ("No encoder or muxer for this format");
      return;
    }

  pipeline = g_strdup_printf ("videotestsrc num-buffers=60 pattern=smpte ! " RAW_320 " ! %s ! %s",
                              encoder, format->muxer);
  path = make_clip (f->dir, format->name, pipeline);

  result = process (thumbnailer, path);
  g_assert_no_error (cs_result_get_error (result));
  g_assert_cmpint (cs_result_get_width (result), ==, 128);
  g_assert_cmpint (cs_result_get_height (result), ==, 96);
  g_assert_cmpint (cs_result_get_image_width (result), ==, 320);
  g_assert_cmpint (cs_result_get_image_height (result), ==, 240);
  g_assert_cmpfloat_with_epsilon (cs_result_get_duration (result), 4.0, 0.25);
  g_assert_cmpfloat (mean_level (cs_result_get_pixbuf (result)), >, 60);

  length = dup_cache_key (result, path, "Thumb::Movie::Length");
  g_assert_cmpstr (length, ==, "4");
  g_clear_pointer (&length, g_free);
  length = dup_cache_key (result, path, "Thumb::Mimetype");
  g_assert_cmpstr (length, ==, format->mime_type);

  again = process (thumbnailer, path);
  g_assert_no_error (cs_result_get_error (again));
  g_assert_true (cs_result_get_reused (again));
  g_assert_cmpfloat (cs_result_get_duration (again), ==, 4.0);
}

/* Black for the first second and a half of five: the frame at a tenth is
 * black, a later one is not. */
static void
test_black_start (CsTestDir     *f,
                  gconstpointer  data)
{
  const char *encoder = mp4_encoder ();
  g_autofree char *pipeline = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CsThumbnailer) thumbnailer = g_object_new (CS_TYPE_THUMBNAILER, "want-pixels", TRUE, NULL);
  g_autoptr(CsResult) result = NULL;

  if (encoder == NULL || !have_element ("mp4mux") || !have_element ("concat"))
    {
      g_test_skip ("No MP4 encoder, muxer or concat");
      return;
    }

  pipeline = g_strdup_printf ("videotestsrc pattern=black num-buffers=23 ! " RAW_320 " ! c. "
                              "videotestsrc pattern=smpte num-buffers=52 ! " RAW_320 " ! c. "
                              "concat name=c ! videoconvert ! %s ! mp4mux", encoder);
  path = make_clip (f->dir, "black-start.mp4", pipeline);

  result = process (thumbnailer, path);
  g_assert_no_error (cs_result_get_error (result));
  g_assert_cmpfloat (mean_level (cs_result_get_pixbuf (result)), >, 60);
}

static char *
make_mp4 (const char *dir,
          const char *name)
{
  g_autofree char *pipeline = g_strdup_printf ("videotestsrc num-buffers=60 ! " RAW_320 " ! %s ! mp4mux",
                                               mp4_encoder ());

  return make_clip (dir, name, pipeline);
}

static void
write_file (const char *path,
            const char *data,
            gsize       len)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, data, len, &error));
  g_assert_no_error (error);
}

static void
assert_one_line_failure (const CsResult *result,
                         int             code)
{
  const GError *error = cs_result_get_error (result);

  g_assert_error (error, CS_THUMB_ERROR, code);
  g_assert_cmpuint (strlen (error->message), >, 10);
  g_assert_null (strchr (error->message, '\n'));
  g_test_message ("%s", error->message);
}

/* The MP4's index (moov) comes last: cut in half, the file has frames no
 * one can find. */
static void
test_truncated (CsTestDir     *f,
                gconstpointer  data)
{
  g_autoptr(CsThumbnailer) thumbnailer = g_object_new (CS_TYPE_THUMBNAILER, NULL);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(CsResult) result = NULL;
  gsize len;

  if (mp4_encoder () == NULL || !have_element ("mp4mux"))
    {
      g_test_skip ("No MP4 encoder or muxer");
      return;
    }

  path = make_mp4 (f->dir, "truncated.mp4");
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  write_file (path, contents, len / 2);

  result = process (thumbnailer, path);
  assert_one_line_failure (result, CS_THUMB_ERROR_CORRUPT);
}

/* An MP4 header, then noise. */
static void
test_corrupt (CsTestDir     *f,
              gconstpointer  data)
{
  g_autoptr(CsThumbnailer) thumbnailer = g_object_new (CS_TYPE_THUMBNAILER, NULL);
  g_autofree char *path = g_build_filename (f->dir, "corrupt.mp4", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (18);
  g_autoptr(CsResult) result = NULL;
  char data_[64 * 1024];

  memcpy (data_, "\0\0\0\x18" "ftypisom\0\0\0\0isommp41", 24);
  for (gsize i = 24; i < sizeof data_; i++)
    data_[i] = (char) g_rand_int (rand);
  write_file (path, data_, sizeof data_);

  result = process (thumbnailer, path);
  assert_one_line_failure (result, CS_THUMB_ERROR_CORRUPT);
}

/* A live stream's recording declares no length (GStreamer may estimate
 * one from the last frames): it still gets its thumbnail. */
static void
test_streamed (CsTestDir     *f,
                     gconstpointer  data)
{
  g_autoptr(CsThumbnailer) thumbnailer = g_object_new (CS_TYPE_THUMBNAILER, NULL);
  g_autofree char *path = NULL;
  g_autoptr(CsResult) result = NULL;

  if (!have_element ("vp8enc") || !have_element ("matroskamux"))
    {
      g_test_skip ("No VP8 encoder or Matroska muxer");
      return;
    }

  path = make_clip (f->dir, "live.mkv", "videotestsrc num-buffers=30 ! " RAW_320
                    " ! vp8enc deadline=1 ! matroskamux streamable=true");

  result = process (thumbnailer, path);
  g_assert_no_error (cs_result_get_error (result));
  g_assert_cmpint (cs_result_get_width (result), ==, 128);
}

/* A decode past the time limit is stopped with one line; the next file
 * gets a new helper and its thumbnail. */
static void
test_time_limit (CsTestDir     *f,
                 gconstpointer  data)
{
  g_autoptr(CsThumbnailer) hurried = g_object_new (CS_TYPE_THUMBNAILER, "decode-timeout", 1, NULL);
  g_autoptr(CsThumbnailer) patient = g_object_new (CS_TYPE_THUMBNAILER, NULL);
  g_autofree char *path = NULL;
  g_autofree char *other = NULL;
  g_autoptr(CsResult) result = NULL;
  g_autoptr(CsResult) next = NULL;

  if (mp4_encoder () == NULL || !have_element ("mp4mux"))
    {
      g_test_skip ("No MP4 encoder or muxer");
      return;
    }

  path = make_mp4 (f->dir, "slow.mp4");
  other = make_mp4 (f->dir, "next.mp4");

  result = process (hurried, path);
  assert_one_line_failure (result, CS_THUMB_ERROR_TIMEOUT);

  next = process (patient, other);
  g_assert_no_error (cs_result_get_error (next));
}

/* Through the real program: the good clip's thumbnail, one line on
 * standard error for the bad one, and exit status 1. */
static void
test_cli (CsTestDir     *f,
          gconstpointer  data)
{
  const char *cli = g_getenv ("CS_CLI");
  g_autofree char *good = NULL;
  g_autofree char *bad = g_build_filename (f->dir, "bad.mkv", NULL);
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_autofree char *std_out = NULL;
  g_autofree char *std_err = NULL;
  g_auto(GStrv) err_lines = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (cli == NULL || mp4_encoder () == NULL || !have_element ("mp4mux"))
    {
      g_test_skip ("No CS_CLI, or no MP4 encoder or muxer");
      return;
    }

  good = make_mp4 (f->dir, "good.mp4");
  write_file (bad, "\x1A\x45\xDF\xA3" "garbage, not Matroska", 25);
  g_assert_cmpint (g_mkdir (out, 0700), ==, 0);

  {
    const char *argv[] = { cli, "-o", out, f->dir, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &std_out, &std_err, &status, &error));
  }
  g_assert_no_error (error);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (std_out, "good.thumb.mp4.png"));

  err_lines = g_strsplit (std_err, "\n", -1);
  cs_test_drop_sandbox_notices (&err_lines);
  /* The bad file's line, then the summary. */
  g_assert_cmpuint (g_strv_length (err_lines), ==, 3);
  g_assert_true (g_str_has_prefix (err_lines[0], bad));
  g_assert_nonnull (strstr (err_lines[1], "1 thumbnail"));
  g_assert_cmpstr (err_lines[2], ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = NULL;

  g_test_init (&argc, &argv, NULL);
  cache = cs_test_isolate_cache ();

  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *name = g_strdup_printf ("/video/formats/%s", formats[i].name);

      g_test_add (name, CsTestDir, &formats[i], cs_test_dir_setup, test_formats, cs_test_dir_teardown);
    }
  g_test_add ("/video/black-start", CsTestDir, NULL, cs_test_dir_setup, test_black_start, cs_test_dir_teardown);
  g_test_add ("/video/truncated", CsTestDir, NULL, cs_test_dir_setup, test_truncated, cs_test_dir_teardown);
  g_test_add ("/video/corrupt", CsTestDir, NULL, cs_test_dir_setup, test_corrupt, cs_test_dir_teardown);
  g_test_add ("/video/streamed", CsTestDir, NULL, cs_test_dir_setup, test_streamed, cs_test_dir_teardown);
  g_test_add ("/video/time-limit", CsTestDir, NULL, cs_test_dir_setup, test_time_limit, cs_test_dir_teardown);
  g_test_add ("/video/cli", CsTestDir, NULL, cs_test_dir_setup, test_cli, cs_test_dir_teardown);

  return g_test_run ();
}
