/* test-sniff.c: pictures known by their content, not their name
 *
 * The signature table (cs_sniff_bytes()), the folder scan offering a JPEG
 * called IMG_0042 and leaving a text file and a FIFO alone, the real CLI
 * making their thumbnails with the type found in the content, and HEIC,
 * AVIF and JPEG XL made by heif-enc and cjxl where those and a loader
 * for the format are installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cs-cache.h"
#include "cs-candidate.h"
#include "cs-scan.h"
#include "cs-sniff.h"
#include "cs-test-images.h"
#include "cs-test-util.h"

#define NOBODY "65534"

static void
test_bytes (void)
{
  static const struct {
    const char *bytes;
    gsize       len;
    const char *type;
  } cases[] = {
    { "\xFF\xD8\xFF\xE0\0\x10JFIF", 10, "image/jpeg" },
    { "\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR", 16, "image/png" },
    { "GIF89a\x10\0\x10\0", 10, "image/gif" },
    { "RIFF\x24\0\0\0WEBPVP8 ", 16, "image/webp" },
    { "BM\x36\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0", 18, "image/bmp" },
    { "BMW cars and bikes, a price list", 32, NULL },
    { "II*\0\x08\0\0\0", 8, "image/tiff" },
    { "MM\0*\0\0\0\x08", 8, "image/tiff" },
    { "\0\0\1\0\1\0\x20\x20\0\0\1\0\x20\0\0\0\0\0\x16\0\0\0", 22, "image/vnd.microsoft.icon" },
    { "\0\0\1\0\0\0\x20\x20\0\0\1\0\x20\0\0\0\0\0\x16\0\0\0", 22, NULL },
    { "\0\0\0\x18" "ftypheic\0\0\0\0mif1heic", 24, "image/heic" },
    { "\0\0\0\x1C" "ftypavif\0\0\0\0avifmif1miaf", 28, "image/avif" },
    { "\0\0\0\x1C" "ftypmif1\0\0\0\0mif1avifmiaf", 28, "image/avif" },
    { "\0\0\0\x14" "ftypmif1\0\0\0\0mif1", 20, "image/heif" },
    /* The box says it ends before the brand that follows. */
    { "\0\0\0\x10" "ftypmif1\0\0\0\0heic", 20, "image/heif" },
    { "\xFF\x0A\xFA\x1F", 4, "image/jxl" },
    { "\0\0\0\x0CJXL \r\n\x87\n", 12, "image/jxl" },
    { "\0\0\0\x18" "ftypisom\0\0\0\0isomavc1", 24, "video/mp4" },
    { "hello, world\n", 13, NULL },
    { "\xFF", 1, NULL },
    { "", 0, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u", i);
      g_assert_cmpstr (cs_sniff_bytes ((const guint8 *) cases[i].bytes, cases[i].len), ==,
                       cases[i].type);
    }
}

typedef struct
{
  CsTestDir   dir;
  GHashTable *found;   /* "relative/name" -> sniffed type or "" */
  gboolean    done;
  GError     *error;
} ScanFixture;

static void
on_found (CsScan     *scan,
          GFile      *file,
          const char *relative_dir,
          GFileInfo  *info,
          GHashTable *found)
{
  g_autofree char *name = g_file_get_basename (file);
  const char *type = g_file_info_get_attribute_string (info, CS_CANDIDATE_ATTRIBUTE_TYPE);

  g_hash_table_insert (found, g_build_filename (relative_dir, name, NULL),
                       g_strdup (type != NULL ? type : ""));
}

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ScanFixture *f = user_data;

  cs_scan_run_finish (CS_SCAN (object), result, &f->error);
  f->done = TRUE;
}

static gboolean
is_done (gpointer data)
{
  return ((ScanFixture *) data)->done;
}

static void
scan (ScanFixture *f,
      gboolean     recursive)
{
  g_autoptr(GFile) root = g_file_new_for_path (f->dir.dir);
  g_autoptr(CsScan) scanner = cs_scan_new (root, recursive);

  g_clear_pointer (&f->found, g_hash_table_unref);
  f->found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  f->done = FALSE;
  g_signal_connect (scanner, "found", G_CALLBACK (on_found), f->found);
  cs_scan_run_async (scanner, NULL, on_done, f);
  cs_test_wait_until (is_done, f, 10000);
  g_assert_no_error (f->error);
}

static void
write_image (const char *dir,
             const char *name,
             const char *format,
             guint       pattern)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_test_write_image (path, 160, 120, format, pattern, &error));
  g_assert_no_error (error);
}

static void
write_text (const char *dir,
            const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* What a camera folder after a careless copy holds. */
static void
fill_folder (const char *dir)
{
  g_autofree char *pipe = g_build_filename (dir, "pipe", NULL);
  g_autofree char *link = g_build_filename (dir, "link", NULL);
  g_autofree char *sub = g_build_filename (dir, "sub", NULL);

  write_image (dir, "IMG_0042", "jpeg", 1);
  write_image (dir, "picture.dat", "png", 2);
  write_image (dir, "named.jpg", "jpeg", 3);
  write_image (dir, ".hidden", "jpeg", 4);
  write_image (dir, "IMG_0042.thumb", "png", 5);
  write_text (dir, "notes", "Shot list: the beach at 6, the harbour at 7.\n");
  write_text (dir, "BMW", "BMW cars and bikes, a price list\n");
  g_assert_cmpint (mkfifo (pipe, 0644), ==, 0);
  g_assert_cmpint (symlink ("IMG_0042", link), ==, 0);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  write_image (sub, "IMG_0043", "jpeg", 6);
}

static void
scan_setup (ScanFixture   *f,
            gconstpointer  data)
{
  cs_test_dir_setup (&f->dir, data);
}

static void
scan_teardown (ScanFixture   *f,
               gconstpointer  data)
{
  g_clear_pointer (&f->found, g_hash_table_unref);
  g_clear_error (&f->error);
  cs_test_dir_teardown (&f->dir, data);
}

/* A FIFO is never opened (the scan would hang on it), a text file, a
 * hidden file, our own thumbnail and a link without an image's name are
 * not offered; sub-folders follow the same rule. */
static void
test_scan (ScanFixture   *f,
           gconstpointer  data)
{
  fill_folder (f->dir.dir);

  scan (f, FALSE);
  g_assert_cmpuint (g_hash_table_size (f->found), ==, 3);
  g_assert_cmpstr (g_hash_table_lookup (f->found, "IMG_0042"), ==, "image/jpeg");
  g_assert_cmpstr (g_hash_table_lookup (f->found, "picture.dat"), ==, "image/png");
  g_assert_cmpstr (g_hash_table_lookup (f->found, "named.jpg"), ==, "");

  scan (f, TRUE);
  g_assert_cmpuint (g_hash_table_size (f->found), ==, 4);
  g_assert_cmpstr (g_hash_table_lookup (f->found, "sub/IMG_0043"), ==, "image/jpeg");
}

/* A file the user cannot read might be a picture: it is offered, and the
 * thumbnailer says why there is no thumbnail. */
static void
test_scan_unreadable (ScanFixture   *f,
                      gconstpointer  data)
{
  g_autofree char *locked = g_build_filename (f->dir.dir, "locked", NULL);

  if (geteuid () == 0)
    {
      g_test_skip ("root reads every file; /sniff/cli-unreadable runs the CLI as nobody");
      return;
    }

  write_image (f->dir.dir, "locked", "jpeg", 1);
  g_chmod (locked, 0);
  scan (f, FALSE);
  g_chmod (locked, 0644);
  g_assert_true (g_hash_table_contains (f->found, "locked"));
}

static char *
cached_path (const char *source)
{
  g_autoptr(GFile) file = g_file_new_for_path (source);
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *dir = g_build_filename (g_getenv ("XDG_CACHE_HOME"), "thumbnails", NULL);

  return cs_cache_thumbnail_path (dir, CS_FLAVOR_NORMAL, uri);
}

/* The thumbnail of @source in the cache: its size, the colour in its
 * middle (within @tolerance) and its Thumb::Mimetype. */
static void
assert_cached (const char *source,
               int         width,
               int         height,
               guint32     rgb,
               int         tolerance,
               const char *mime_type)
{
  g_autofree char *path = cached_path (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) thumb = gdk_pixbuf_new_from_file (path, &error);
  g_autoptr(GHashTable) keys = NULL;
  const guint8 *p;

  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (thumb), ==, width);
  g_assert_cmpint (gdk_pixbuf_get_height (thumb), ==, height);
  if (tolerance >= 0)
    {
      p = gdk_pixbuf_read_pixels (thumb) + (gsize) (height / 2) * gdk_pixbuf_get_rowstride (thumb) +
          (gsize) (width / 2) * gdk_pixbuf_get_n_channels (thumb);
      g_test_message ("%s: %d %d %d", source, p[0], p[1], p[2]);
      g_assert_cmpint (ABS (p[0] - (int) (rgb >> 16)), <=, tolerance);
      g_assert_cmpint (ABS (p[1] - (int) ((rgb >> 8) & 0xff)), <=, tolerance);
      g_assert_cmpint (ABS (p[2] - (int) (rgb & 0xff)), <=, tolerance);
    }
  keys = cs_cache_read_text_keys (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (keys, "Thumb::Mimetype"), ==, mime_type);
}

static int
run_cli (char ***out_lines,
         char ***err_lines,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  va_start (args, err_lines);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  return cs_test_run_program ((const char * const *) argv->pdata, out_lines, err_lines);
}

/* The real CLI over the same folder: the FIFO does not stop it, the
 * pictures without an image's name get thumbnails with their type. */
static void
test_cli (CsTestDir     *f,
          gconstpointer  data)
{
  g_autofree char *jpeg = g_build_filename (f->dir, "IMG_0042", NULL);
  g_autofree char *png = g_build_filename (f->dir, "picture.dat", NULL);
  g_autofree char *deep = g_build_filename (f->dir, "sub", "IMG_0043", NULL);
  g_auto(GStrv) out_lines = NULL;
  g_auto(GStrv) err_lines = NULL;

  fill_folder (f->dir);
  g_assert_cmpint (run_cli (&out_lines, &err_lines, g_getenv ("CS_CLI"), "-r", f->dir, NULL), ==, 0);
  g_assert_cmpuint (g_strv_length (out_lines), ==, 4);
  g_assert_cmpuint (g_strv_length (err_lines), ==, 1);
  assert_cached (jpeg, 128, 96, 0, -1, "image/jpeg");
  assert_cached (png, 128, 96, 0, -1, "image/png");
  assert_cached (deep, 128, 96, 0, -1, "image/jpeg");
}

/* A file without an image's name that cannot be read: one line saying
 * so, the rest is made. As root, the CLI runs as nobody for this. */
static void
test_cli_unreadable (CsTestDir     *f,
                     gconstpointer  data)
{
  g_autofree char *locked = g_build_filename (f->dir, "locked", NULL);
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *prefix = g_strconcat (locked, ": ", NULL);
  g_auto(GStrv) out_lines = NULL;
  g_auto(GStrv) err_lines = NULL;

  if (geteuid () == 0)
    {
      if (setpriv == NULL)
        {
          g_test_skip ("setpriv (util-linux) is missing: cannot run as an unprivileged user");
          return;
        }
      g_ptr_array_add (argv, setpriv);
      g_ptr_array_add (argv, "--reuid=" NOBODY);
      g_ptr_array_add (argv, "--regid=" NOBODY);
      g_ptr_array_add (argv, "--clear-groups");
      g_ptr_array_add (argv, "--");
    }
  g_ptr_array_add (argv, (gpointer) g_getenv ("CS_CLI"));
  g_ptr_array_add (argv, "-o");
  g_ptr_array_add (argv, out);
  g_ptr_array_add (argv, f->dir);
  g_ptr_array_add (argv, NULL);

  write_image (f->dir, "IMG_0042", "jpeg", 1);
  write_image (f->dir, "locked", "jpeg", 2);
  g_assert_cmpint (g_chmod (locked, 0), ==, 0);
  g_assert_cmpint (g_mkdir (out, 0777), ==, 0);
  g_assert_cmpint (g_chmod (out, 0777), ==, 0);
  g_assert_cmpint (g_chmod (f->dir, 0755), ==, 0);

  g_assert_cmpint (cs_test_run_program ((const char * const *) argv->pdata, &out_lines, &err_lines),
                   ==, 1);
  g_assert_cmpuint (g_strv_length (out_lines), ==, 1);
  g_assert_true (g_str_has_suffix (out_lines[0], "IMG_0042.thumb..png"));
  g_assert_cmpuint (g_strv_length (err_lines), ==, 2);
  g_assert_true (g_str_has_prefix (err_lines[0], prefix));
  g_assert_nonnull (strstr (err_lines[0], "ermission denied"));
}

/* Whether an installed loader reads @mime_type (GdkPixbuf's, or glycin's
 * through GdkPixbuf 2.44). */
static gboolean
have_loader (const char *mime_type)
{
  g_autoptr(GSList) formats = gdk_pixbuf_get_formats ();

  for (GSList *l = formats; l != NULL; l = l->next)
    {
      g_auto(GStrv) types = gdk_pixbuf_format_get_mime_types (l->data);

      if (types != NULL && g_strv_contains ((const char * const *) types, mime_type))
        return TRUE;
    }

  return FALSE;
}

typedef struct
{
  const char *name;       /* what the file is called */
  const char *mime_type;
  const char *tool;       /* its encoder, then its options */
  const char *options;
} ModernCase;

static const ModernCase heic_case = { "phone.heic", "image/heic", "heif-enc", "-q 90" };
static const ModernCase heic_nameless_case = { "IMG_0043", "image/heic", "heif-enc", "-q 90" };
static const ModernCase avif_case = { "phone.avif", "image/avif", "heif-enc", "-A -q 90" };
static const ModernCase jxl_case = { "drawing.jxl", "image/jxl", "cjxl", "-d 1" };

/* A flat picture of 160 x 120 encoded by the format's own tool, then the
 * CLI: a 128 x 96 thumbnail of its colour, with the format's type. */
static void
test_modern (CsTestDir     *f,
             gconstpointer  data)
{
  const ModernCase *c = data;
  const guint32 rgb = 0x3c78c8;
  g_autofree char *tool = g_find_program_in_path (c->tool);
  g_autofree char *png = g_build_filename (f->dir, "source.png", NULL);
  g_autofree char *made = g_build_filename (f->dir, "made", NULL);
  g_autofree char *target = NULL;
  g_autoptr(GdkPixbuf) flat = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 160, 120);
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  g_autofree char *encoder_err = NULL;
  g_auto(GStrv) out_lines = NULL;
  g_auto(GStrv) err_lines = NULL;
  int status = 0;

  if (!have_loader (c->mime_type))
    {
      g_autofree char *message = g_strdup_printf ("no loader for %s is installed on this stack",
                                                  c->mime_type);
      g_test_skip (message);
      return;
    }
  if (tool == NULL)
    {
      g_autofree char *message = g_strdup_printf ("%s is not installed (libheif-examples, "
                                                  "libjxl-tools)", c->tool);
      g_test_skip (message);
      return;
    }

  gdk_pixbuf_fill (flat, (rgb << 8) | 0xff);
  gdk_pixbuf_save (flat, png, "png", &error, NULL);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (made, 0755), ==, 0);
  target = g_build_filename (made, c->name, NULL);
  /* heif-enc knows AVIF by -A: the name may have no extension. */
  command = g_strdup_printf ("%s %s %s %s%s", tool, c->options, png,
                             g_str_equal (c->tool, "heif-enc") ? "-o " : "", target);
  g_spawn_command_line_sync (command, NULL, &encoder_err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *message = g_strdup_printf ("%s cannot make %s here: %s", c->tool,
                                                  c->mime_type, encoder_err);
      g_test_skip (message);
      return;
    }

  g_assert_cmpint (run_cli (&out_lines, &err_lines, g_getenv ("CS_CLI"), made, NULL), ==, 0);
  g_assert_cmpuint (g_strv_length (out_lines), ==, 1);
  assert_cached (target, 128, 96, rgb, 12, c->mime_type);
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

  g_test_add_func ("/sniff/bytes", test_bytes);
  g_test_add ("/sniff/scan", ScanFixture, NULL, scan_setup, test_scan, scan_teardown);
  g_test_add ("/sniff/scan-unreadable", ScanFixture, NULL, scan_setup, test_scan_unreadable,
              scan_teardown);

#define ADD(name, data, func) \
  g_test_add (name, CsTestDir, data, cs_test_dir_setup, func, cs_test_dir_teardown)

  ADD ("/sniff/cli", NULL, test_cli);
  ADD ("/sniff/cli-unreadable", NULL, test_cli_unreadable);
  ADD ("/sniff/formats/heic", &heic_case, test_modern);
  ADD ("/sniff/formats/heic-nameless", &heic_nameless_case, test_modern);
  ADD ("/sniff/formats/avif", &avif_case, test_modern);
  ADD ("/sniff/formats/jxl", &jxl_case, test_modern);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
