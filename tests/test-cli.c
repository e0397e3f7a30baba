/* test-cli.c: contact-sheet-cli run as a program, the way a script runs it
 *
 * Every case runs the real binary (CS_CLI) in a fresh temporary folder, with
 * XDG_CACHE_HOME pointing inside it, so the user's cache is never touched.
 * Expected names and sizes are worked out here from the documented contract,
 * not by calling the engine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#if HAVE_LIBJPEG
#include <stdio.h>
#include <jpeglib.h>
#endif

#include "cs-test-images.h"
#include "cs-test-util.h"

#define RUN_TIMEOUT_SECONDS 30
/* Ctrl+C must stop the CLI within 2 s; past that it is killed, and fails. */
#define INTERRUPT_TIMEOUT_SECONDS 2
#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130

static char *cli_path;   /* absolute: the child runs in another folder */

typedef struct
{
  char *root;        /* everything a case makes lives under here */
  char *cache_home;  /* the child's XDG_CACHE_HOME */
  char *images;      /* the source folder */
} Fixture;

typedef struct
{
  int    status;
  char  *out;
  gsize  out_len;   /* all of stdout, NUL bytes included */
  char  *err;
  char **out_lines;
  char **err_lines;
} Run;

typedef struct
{
  guint64 done;
  guint64 reused;
  guint64 failed;
  guint64 bytes;
} Summary;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
  g_clear_pointer (&run->out_lines, g_strfreev);
  g_clear_pointer (&run->err_lines, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Fixture */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->root = g_dir_make_tmp ("cs-test-cli-XXXXXX", &error);
  g_assert_no_error (error);
  f->cache_home = g_build_filename (f->root, "cache", NULL);
  f->images = g_build_filename (f->root, "images", NULL);
  g_assert_cmpint (g_mkdir (f->cache_home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (f->images, 0755), ==, 0);
}

/* Never follows links: a dangling or looping one is removed, not chased. */
static void
remove_tree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;

  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      if (g_rmdir (path) != 0)
        g_test_message ("Cannot remove %s: %s", path, g_strerror (errno));
    }
  else if (g_unlink (path) != 0)
    g_test_message ("Cannot remove %s: %s", path, g_strerror (errno));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  remove_tree (f->root);
  g_clear_pointer (&f->root, g_free);
  g_clear_pointer (&f->cache_home, g_free);
  g_clear_pointer (&f->images, g_free);
}

/* Strings and folders */

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static GPtrArray *
list_folder (const char *folder)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (folder, 0, &error);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);

  return names;
}

static GPtrArray *
strv_to_array (char **strv)
{
  GPtrArray *array = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    g_ptr_array_add (array, g_strdup (strv[i]));

  return array;
}

/* Sorts both (in place), then compares element by element, so that a failure shows the
 * first name that differs. */
static void
assert_same_strings (GPtrArray *actual,
                     GPtrArray *expected)
{
  g_ptr_array_sort (actual, compare_strings);
  g_ptr_array_sort (expected, compare_strings);

  for (guint i = 0; i < MAX (actual->len, expected->len); i++)
    g_assert_cmpstr (i < actual->len ? g_ptr_array_index (actual, i) : NULL, ==,
                     i < expected->len ? g_ptr_array_index (expected, i) : NULL);
}

static guint
count_lines_with_prefix (char       **lines,
                         const char  *prefix)
{
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      n++;

  return n;
}

/* The contract's naming rule, written out again: photo.jpg -> photo.thumb.jpg,
 * x.png -> x.thumb.png, anything else gains ".png". */
static char *
beside_name (const char *name)
{
  const char *dot = strrchr (name, '.');
  g_autofree char *stem = NULL;
  const char *ext;

  g_assert_nonnull (dot);
  stem = g_strndup (name, dot - name);
  ext = dot + 1;

  if (g_ascii_strcasecmp (ext, "jpg") == 0 ||
      g_ascii_strcasecmp (ext, "jpeg") == 0 ||
      g_ascii_strcasecmp (ext, "png") == 0)
    return g_strconcat (stem, ".thumb.", ext, NULL);

  return g_strconcat (stem, ".thumb.", ext, ".png", NULL);
}

static GPtrArray *
beside_paths (const char *folder,
              GPtrArray  *sources)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < sources->len; i++)
    {
      g_autofree char *name = beside_name (g_ptr_array_index (sources, i));

      g_ptr_array_add (paths, g_build_filename (folder, name, NULL));
    }

  return paths;
}

static char *
cache_path (Fixture    *f,
            const char *flavor,
            const char *source)
{
  g_autoptr(GFile) file = g_file_new_for_path (source);
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, uri, -1);
  g_autofree char *name = g_strconcat (md5, ".png", NULL);

  return g_build_filename (f->cache_home, "thumbnails", flavor, name, NULL);
}

static GStatBuf
stat_or_fail (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      g_test_message ("Cannot stat %s: %s", path, g_strerror (errno));
      g_assert_not_reached ();
    }

  return st;
}

static guint64
sum_of_sizes (char **paths)
{
  guint64 total = 0;

  for (guint i = 0; paths[i] != NULL; i++)
    total += stat_or_fail (paths[i]).st_size;

  return total;
}

/* A valid image, in the format its name says, whose longest side is @longest. */
static void
assert_thumbnail (const char *path,
                  int         longest)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_autofree char *format_name = NULL;
  GdkPixbufFormat *format;
  const char *expected_format = g_str_has_suffix (path, ".png") ? "png" : "jpeg";

  g_assert_no_error (error);
  g_assert_cmpint (MAX (gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf)),
                   ==, longest);

  format = gdk_pixbuf_get_file_info (path, NULL, NULL);
  g_assert_nonnull (format);
  format_name = gdk_pixbuf_format_get_name (format);
  g_assert_cmpstr (format_name, ==, expected_format);
}

static void
write_text (const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

/* The sample folder's photos (several shapes, a PNG, an EXIF-rotated JPEG)
 * plus a BMP, whose thumbnail keeps the name and gains ".png". */
static GPtrArray *
write_sources (const char *folder,
               guint       count)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bmp = g_build_filename (folder, "scan.bmp", NULL);

  cs_test_write_sample_folder (folder, count, &error);
  g_assert_no_error (error);
  cs_test_write_image (bmp, 900, 700, "bmp", 2, &error);
  g_assert_no_error (error);

  return list_folder (folder);
}

/* Running the program */

typedef struct
{
  guint         id;
  gboolean      expired;
  GSubprocess  *process;
} Deadline;

static gboolean
on_deadline (gpointer user_data)
{
  Deadline *deadline = user_data;

  deadline->id = 0;
  deadline->expired = TRUE;
  g_subprocess_force_exit (deadline->process);

  return G_SOURCE_REMOVE;
}

static void
deadline_start (Deadline    *deadline,
                GSubprocess *process,
                guint        seconds)
{
  deadline->process = process;
  deadline->expired = FALSE;
  deadline->id = g_timeout_add_seconds (seconds, on_deadline, deadline);
}

static void
deadline_stop (Deadline *deadline)
{
  g_clear_handle_id (&deadline->id, g_source_remove);
}

static GSubprocess *
spawn_cli (Fixture            *f,
           GSubprocessFlags    flags,
           const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  GSubprocess *process;

  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", f->cache_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  g_subprocess_launcher_set_cwd (launcher, f->root);

  g_ptr_array_add (argv, (char *) cli_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  command = g_strjoinv (" ", (char **) argv->pdata);
  g_test_message ("$ %s", command);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  return process;
}

/* Every byte, NUL bytes too, and a NUL after the last. */
static char *
bytes_to_string (GBytes *bytes,
                 gsize  *len_out)
{
  gsize len = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;
  char *text = g_malloc (len + 1);

  if (len > 0)
    memcpy (text, data, len);
  text[len] = '\0';
  if (len_out != NULL)
    *len_out = len;

  return text;
}

static char **
split_lines (const char *text)
{
  char **lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);

  if (n > 0 && lines[n - 1][0] == '\0')
    g_clear_pointer (&lines[n - 1], g_free);

  return lines;
}

typedef struct
{
  gboolean  finished;
  GBytes   *out;
  GBytes   *err;
  GError   *error;
} Communicate;

static void
on_communicated (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Communicate *c = user_data;

  g_subprocess_communicate_finish (G_SUBPROCESS (object), result,
                                   &c->out, &c->err, &c->error);
  c->finished = TRUE;
}

/* Feeds @input to the child, collects its output until it exits, and kills
 * it (failing the test) if that takes more than @timeout seconds. */
static void
communicate (GSubprocess *process,
             const char  *input,
             guint        timeout,
             Run         *run)
{
  /* With a stdin pipe, GLib wants bytes to write, if only none. */
  g_autoptr(GBytes) input_bytes = g_bytes_new (input ? input : "", input ? strlen (input) : 0);
  Communicate c = { FALSE, NULL, NULL, NULL };
  Deadline deadline = { 0 };

  deadline_start (&deadline, process, timeout);
  g_subprocess_communicate_async (process, input_bytes, NULL, on_communicated, &c);
  while (!c.finished)
    g_main_context_iteration (NULL, TRUE);
  deadline_stop (&deadline);

  g_assert_no_error (c.error);
  run->out = bytes_to_string (c.out, &run->out_len);
  run->err = bytes_to_string (c.err, NULL);
  run->out_lines = split_lines (run->out);
  run->err_lines = split_lines (run->err);
  g_clear_pointer (&c.out, g_bytes_unref);
  g_clear_pointer (&c.err, g_bytes_unref);

  for (guint i = 0; run->err_lines[i] != NULL; i++)
    g_test_message ("stderr: %s", run->err_lines[i]);
  cs_test_drop_sandbox_notices (&run->err_lines);

  if (deadline.expired)
    g_test_message ("Killed: still running after %u s", timeout);
  g_assert_false (deadline.expired);

  /* A program killed by a signal (a sanitizer aborts on what it finds) said
   * why on its stderr: show all of it where the test log is read. */
  if (g_subprocess_get_if_signaled (process))
    g_printerr ("Killed by signal %d; its stderr:\n%s\n",
                g_subprocess_get_term_sig (process), run->err);
  g_assert_true (g_subprocess_get_if_exited (process));

  run->status = g_subprocess_get_exit_status (process);
  g_test_message ("exit status %d, %u lines on stdout",
                  run->status, g_strv_length (run->out_lines));
}

static void
run_cliv (Fixture            *f,
          const char         *input,
          Run                *run,
          const char * const *args)
{
  g_autoptr(GSubprocess) process = NULL;

  run_clear (run);
  process = spawn_cli (f, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                          G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                          G_SUBPROCESS_FLAGS_STDERR_PIPE, args);
  communicate (process, input, RUN_TIMEOUT_SECONDS, run);
}

static void run_cli (Fixture    *f,
                     const char *input,
                     Run        *run,
                     ...) G_GNUC_NULL_TERMINATED;

static void
run_cli (Fixture    *f,
         const char *input,
         Run        *run,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, run);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  run_cliv (f, input, run, (const char * const *) args->pdata);
}

/* The last line of stderr: "N thumbnails (R reused), F failed, B bytes written (…)". */
static Summary
parse_summary (const Run *run)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GError) error = NULL;
  guint n = g_strv_length (run->err_lines);
  Summary summary = { 0 };
  guint64 *fields[] = { &summary.done, &summary.reused, &summary.failed, &summary.bytes };
  const char *last;

  g_assert_cmpuint (n, >, 0);
  last = run->err_lines[n - 1];

  regex = g_regex_new ("^([0-9]+) thumbnails? \\(([0-9]+) reused\\), ([0-9]+) failed, "
                       "([0-9]+) bytes? written \\(.+\\)$", 0, 0, &error);
  g_assert_no_error (error);

  if (!g_regex_match (regex, last, 0, &match))
    g_test_message ("Not a summary line: %s", last);
  g_assert_true (g_match_info_matches (match));

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *text = g_match_info_fetch (match, i + 1);

      *fields[i] = g_ascii_strtoull (text, NULL, 10);
    }

  return summary;
}

/* Checksums, sizes and times of every file in @folder. */
static GHashTable *
fingerprint_folder (const char *folder)
{
  g_autoptr(GPtrArray) names = list_folder (folder);
  GHashTable *prints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (folder, name, NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *data = NULL;
      g_autofree char *sha = NULL;
      gsize len;
      GStatBuf st;

      g_file_get_contents (path, &data, &len, &error);
      g_assert_no_error (error);
      sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) data, len);
      st = stat_or_fail (path);
      g_hash_table_insert (prints, g_strdup (name),
                           g_strdup_printf ("%s %" G_GSIZE_FORMAT " %" G_GINT64_FORMAT " %o",
                                            sha, len, (gint64) st.st_mtime,
                                            (unsigned) st.st_mode));
    }

  return prints;
}

/* Test cases */

static void
test_beside_folder (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) sources = write_sources (f->images, 6);
  g_autoptr(GPtrArray) expected = beside_paths (f->images, sources);
  g_autoptr(GPtrArray) printed = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) expected_after = NULL;
  g_auto(Run) run = { 0 };
  Summary summary;

  run_cli (f, NULL, &run, "-o", "beside", f->images, NULL);

  g_assert_cmpint (run.status, ==, 0);

  printed = strv_to_array (run.out_lines);
  assert_same_strings (printed, expected);

  for (guint i = 0; run.out_lines[i] != NULL; i++)
    {
      g_assert_true (g_file_test (run.out_lines[i], G_FILE_TEST_IS_REGULAR));
      assert_thumbnail (run.out_lines[i], 128);
    }

  /* Only the summary: no failure lines. */
  g_assert_cmpuint (g_strv_length (run.err_lines), ==, 1);
  summary = parse_summary (&run);
  g_assert_cmpuint (summary.done, ==, sources->len);
  g_assert_cmpuint (summary.reused, ==, 0);
  g_assert_cmpuint (summary.failed, ==, 0);
  g_assert_cmpuint (summary.bytes, >, 0);
  g_assert_cmpuint (summary.bytes, ==, sum_of_sizes (run.out_lines));

  /* The sources and their thumbnails, nothing else (no temporary files). */
  after = list_folder (f->images);
  expected_after = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < sources->len; i++)
    {
      g_ptr_array_add (expected_after, g_strdup (g_ptr_array_index (sources, i)));
      g_ptr_array_add (expected_after, beside_name (g_ptr_array_index (sources, i)));
    }
  assert_same_strings (after, expected_after);
}

/* A second run over a folder that now holds thumbnails makes the same ones
 * again and never thumbnails a "*.thumb.*" file. */
static void
test_beside_skips_thumbnails (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) sources = write_sources (f->images, 3);
  g_autoptr(GPtrArray) expected = beside_paths (f->images, sources);
  g_autofree char *foreign = g_build_filename (f->images, "old.thumb.jpg", NULL);
  g_autoptr(GPtrArray) printed = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };

  /* Someone else's thumbnail, with no source beside it. */
  cs_test_write_image (foreign, 400, 300, "jpeg", 1, &error);
  g_assert_no_error (error);

  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(GPtrArray) after = NULL;

      run_cli (f, NULL, &run, "-o", "beside", f->images, NULL);
      g_assert_cmpint (run.status, ==, 0);
      printed = strv_to_array (run.out_lines);
      assert_same_strings (printed, expected);
      g_clear_pointer (&printed, g_ptr_array_unref);

      after = list_folder (f->images);
      for (guint i = 0; i < after->len; i++)
        {
          const char *name = g_ptr_array_index (after, i);
          const char *first = strstr (name, ".thumb.");

          /* No thumbnail of a thumbnail. */
          g_assert_true (first == NULL || strstr (first + 1, ".thumb.") == NULL);
        }
      g_assert_cmpuint (after->len, ==, 2 * sources->len + 1);
    }
}

static void
test_cache_twice (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) sources = write_sources (f->images, 6);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) printed = NULL;
  g_autoptr(GHashTable) inodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *thumbnails_dir = g_build_filename (f->cache_home, "thumbnails", NULL);
  g_autofree char *normal_dir = g_build_filename (thumbnails_dir, "normal", NULL);
  g_auto(Run) run = { 0 };
  g_autofree char *reused_text = NULL;
  Summary summary;

  for (guint i = 0; i < sources->len; i++)
    {
      g_autofree char *source = g_build_filename (f->images, g_ptr_array_index (sources, i), NULL);

      g_ptr_array_add (expected, cache_path (f, "normal", source));
    }

  /* First run: every thumbnail is made. */
  run_cli (f, NULL, &run, f->images, NULL);
  g_assert_cmpint (run.status, ==, 0);
  printed = strv_to_array (run.out_lines);
  assert_same_strings (printed, expected);
  g_clear_pointer (&printed, g_ptr_array_unref);

  summary = parse_summary (&run);
  g_assert_cmpuint (summary.done, ==, sources->len);
  g_assert_cmpuint (summary.reused, ==, 0);
  g_assert_cmpuint (summary.failed, ==, 0);
  g_assert_cmpuint (summary.bytes, ==, sum_of_sizes (run.out_lines));

  g_assert_cmpint (stat_or_fail (thumbnails_dir).st_mode & 0777, ==, 0700);
  g_assert_cmpint (stat_or_fail (normal_dir).st_mode & 0777, ==, 0700);

  for (guint i = 0; i < sources->len; i++)
    {
      g_autofree char *source = g_build_filename (f->images, g_ptr_array_index (sources, i), NULL);
      g_autofree char *path = cache_path (f, "normal", source);
      g_autoptr(GFile) source_file = g_file_new_for_path (source);
      g_autofree char *uri = g_file_get_uri (source_file);
      g_autofree char *mtime = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                (gint64) stat_or_fail (source).st_mtime);
      g_autoptr(GdkPixbuf) pixbuf = NULL;
      g_autoptr(GError) error = NULL;
      GStatBuf st = stat_or_fail (path);

      g_assert_true (S_ISREG (st.st_mode));
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
      g_hash_table_insert (inodes, g_strdup (path), GSIZE_TO_POINTER ((gsize) st.st_ino));

      assert_thumbnail (path, 128);
      pixbuf = gdk_pixbuf_new_from_file (path, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (gdk_pixbuf_get_option (pixbuf, "tEXt::Thumb::URI"), ==, uri);
      g_assert_cmpstr (gdk_pixbuf_get_option (pixbuf, "tEXt::Thumb::MTime"), ==, mtime);
    }

  /* Second run: every thumbnail is reused, nothing is written. */
  run_cli (f, NULL, &run, f->images, NULL);
  g_assert_cmpint (run.status, ==, 0);
  printed = strv_to_array (run.out_lines);
  assert_same_strings (printed, expected);

  g_assert_cmpuint (g_strv_length (run.err_lines), ==, 1);
  g_assert_nonnull (strstr (run.err_lines[0], " 0 bytes written"));
  reused_text = g_strdup_printf ("(%u reused)", sources->len);
  g_assert_nonnull (strstr (run.err_lines[0], reused_text));

  summary = parse_summary (&run);
  g_assert_cmpuint (summary.done, ==, sources->len);
  g_assert_cmpuint (summary.reused, ==, sources->len);
  g_assert_cmpuint (summary.failed, ==, 0);
  g_assert_cmpuint (summary.bytes, ==, 0);

  /* Reused means left alone, not rewritten under the same name. */
  for (guint i = 0; i < expected->len; i++)
    {
      const char *path = g_ptr_array_index (expected, i);

      g_assert_cmpuint (stat_or_fail (path).st_ino, ==,
                        GPOINTER_TO_SIZE (g_hash_table_lookup (inodes, path)));
    }
}

/* Every warm run reuses every thumbnail, however its workers' first cache
 * checks fall together. GLib's number parsers once made a few valid entries
 * look stale: they clear errno, then wait for the C locale that the first
 * calls of a process set up, and the wait could leave errno set. Only the
 * first checks of a process could race, so this runs the program many times
 * with more workers than processors. */
static void
test_cache_warm_runs (Fixture       *f,
                      gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_autofree char *all_reused = NULL;
  Summary summary;
  const guint count = 12;
  guint stale_runs = 0;

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *name = g_strdup_printf ("photo-%02u.jpg", i);
      g_autofree char *path = g_build_filename (f->images, name, NULL);
      g_autoptr(GError) error = NULL;

      cs_test_write_image (path, 160, 120, "jpeg", i, &error);
      g_assert_no_error (error);
    }

  run_cli (f, NULL, &run, "-q", f->images, NULL);
  g_assert_cmpint (run.status, ==, 0);
  summary = parse_summary (&run);
  g_assert_cmpuint (summary.done, ==, count);
  g_assert_cmpuint (summary.reused, ==, 0);

  all_reused = g_strdup_printf ("%u thumbnails (%u reused), 0 failed, 0 bytes written",
                                count, count);
  for (guint i = 0; i < 30; i++)
    {
      run_cli (f, NULL, &run, "-q", "-j", "8", f->images, NULL);
      g_assert_cmpint (run.status, ==, 0);
      if (!g_str_has_prefix (run.err, all_reused))
        {
          g_test_message ("warm run %u: %s", i + 1, run.err);
          stale_runs++;
        }
    }

  g_assert_cmpuint (stale_runs, ==, 0);
}

/* A number of pixels that the cache holds picks that cache folder. */
static void
test_cache_numeric_size (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) sources = write_sources (f->images, 3);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) printed = NULL;
  g_autofree char *normal_dir = g_build_filename (f->cache_home, "thumbnails", "normal", NULL);
  g_auto(Run) run = { 0 };

  for (guint i = 0; i < sources->len; i++)
    {
      g_autofree char *source = g_build_filename (f->images, g_ptr_array_index (sources, i), NULL);

      g_ptr_array_add (expected, cache_path (f, "large", source));
    }

  run_cli (f, NULL, &run, "--size", "256", f->images, NULL);
  g_assert_cmpint (run.status, ==, 0);
  printed = strv_to_array (run.out_lines);
  assert_same_strings (printed, expected);
  for (guint i = 0; run.out_lines[i] != NULL; i++)
    assert_thumbnail (run.out_lines[i], 256);
  g_assert_false (g_file_test (normal_dir, G_FILE_TEST_EXISTS));
}

static void
test_output_folder (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) sources = write_sources (f->images, 6);
  g_autofree char *out_dir = g_build_filename (f->root, "out", "nested", NULL);
  g_autoptr(GPtrArray) expected = beside_paths (out_dir, sources);
  g_autoptr(GPtrArray) printed = NULL;
  g_autoptr(GPtrArray) in_out_dir = NULL;
  g_autoptr(GPtrArray) in_images = NULL;
  g_autoptr(GPtrArray) expected_names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *thumbnails_dir = g_build_filename (f->cache_home, "thumbnails", NULL);
  g_auto(Run) run = { 0 };
  Summary summary;

  g_assert_false (g_file_test (out_dir, G_FILE_TEST_EXISTS));

  run_cli (f, NULL, &run, "-o", out_dir, "--size", "64", f->images, NULL);
  g_assert_cmpint (run.status, ==, 0);

  g_assert_true (g_file_test (out_dir, G_FILE_TEST_IS_DIR));
  printed = strv_to_array (run.out_lines);
  assert_same_strings (printed, expected);
  for (guint i = 0; run.out_lines[i] != NULL; i++)
    assert_thumbnail (run.out_lines[i], 64);

  summary = parse_summary (&run);
  g_assert_cmpuint (summary.done, ==, sources->len);
  g_assert_cmpuint (summary.bytes, ==, sum_of_sizes (run.out_lines));

  /* The output folder holds the thumbnails only; the sources' folder and
   * the cache are left as they were. */
  for (guint i = 0; i < sources->len; i++)
    g_ptr_array_add (expected_names, beside_name (g_ptr_array_index (sources, i)));
  in_out_dir = list_folder (out_dir);
  assert_same_strings (in_out_dir, expected_names);
  in_images = list_folder (f->images);
  assert_same_strings (in_images, sources);
  g_assert_false (g_file_test (thumbnails_dir, G_FILE_TEST_EXISTS));
}

/* A numeric size that the cache does not hold is fine outside the cache. */
static void
test_beside_numeric_size (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) sources = write_sources (f->images, 2);
  g_auto(Run) run = { 0 };

  run_cli (f, NULL, &run, "--size", "100", "-o", "beside", f->images, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (g_strv_length (run.out_lines), ==, sources->len);
  for (guint i = 0; run.out_lines[i] != NULL; i++)
    assert_thumbnail (run.out_lines[i], 100);
}

static void
test_stdin (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) sources = write_sources (f->images, 5);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) expected_after = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) printed = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GString) input = g_string_new (NULL);
  g_auto(Run) run = { 0 };
  Summary summary;

  g_assert_cmpuint (sources->len, >=, 5);

  /* Every other source goes in; the rest must be left alone. */
  for (guint i = 0; i < sources->len; i++)
    {
      const char *name = g_ptr_array_index (sources, i);

      g_ptr_array_add (expected_after, g_strdup (name));
      if (i % 2 == 0)
        {
          g_autofree char *path = g_build_filename (f->images, name, NULL);
          g_autofree char *thumb = beside_name (name);

          g_string_append_printf (input, "%s\n", path);
          g_ptr_array_add (expected, g_build_filename (f->images, thumb, NULL));
          g_ptr_array_add (expected_after, g_steal_pointer (&thumb));
        }
    }

  run_cli (f, input->str, &run, "-o", "beside", "-", NULL);
  g_assert_cmpint (run.status, ==, 0);
  printed = strv_to_array (run.out_lines);
  assert_same_strings (printed, expected);

  summary = parse_summary (&run);
  g_assert_cmpuint (summary.done, ==, expected->len);
  g_assert_cmpuint (summary.failed, ==, 0);

  after = list_folder (f->images);
  assert_same_strings (after, expected_after);
}

static void
test_quiet (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) sources = write_sources (f->images, 3);
  g_autoptr(GPtrArray) expected = beside_paths (f->images, sources);
  g_auto(Run) run = { 0 };
  Summary summary;

  run_cli (f, NULL, &run, "-q", "-o", "beside", f->images, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "");
  summary = parse_summary (&run);
  g_assert_cmpuint (summary.done, ==, sources->len);
  for (guint i = 0; i < expected->len; i++)
    g_assert_true (g_file_test (g_ptr_array_index (expected, i), G_FILE_TEST_IS_REGULAR));
}

/* A name with a newline in it is still one line on standard output (the
 * newline printed as \n); with --null each path ends with a NUL byte and
 * comes out as it is, for xargs -0. */
static void
test_odd_names (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *odd = g_build_filename (f->images, "two\nlines.png", NULL);
  g_autofree char *plain = g_build_filename (f->images, "plain.png", NULL);
  g_autofree char *odd_thumb = g_build_filename (f->images, "two\nlines.thumb.png", NULL);
  g_autofree char *plain_thumb = g_build_filename (f->images, "plain.thumb.png", NULL);
  g_autofree char *escaped = g_build_filename (f->images, "two\\nlines.thumb.png", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };
  g_autoptr(GPtrArray) printed = g_ptr_array_new ();
  const char *p;

  cs_test_write_image (odd, 120, 80, "png", 1, &error);
  g_assert_no_error (error);
  cs_test_write_image (plain, 120, 80, "png", 2, &error);
  g_assert_no_error (error);

  run_cli (f, NULL, &run, "-j", "1", "-o", "beside", f->images, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (g_strv_length (run.out_lines), ==, 2);
  g_assert_true (g_strv_contains ((const char * const *) run.out_lines, escaped));
  g_assert_true (g_strv_contains ((const char * const *) run.out_lines, plain_thumb));
  g_assert_true (g_file_test (odd_thumb, G_FILE_TEST_IS_REGULAR));

  run_cli (f, NULL, &run, "-j", "1", "-z", "-o", "beside", f->images, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (run.out_len, >, 0);
  g_assert_cmpint (run.out[run.out_len - 1], ==, '\0');
  for (p = run.out; p < run.out + run.out_len; p += strlen (p) + 1)
    g_ptr_array_add (printed, (char *) p);
  g_ptr_array_add (printed, NULL);
  g_assert_cmpuint (printed->len, ==, 3);
  g_assert_true (g_strv_contains ((const char * const *) printed->pdata, odd_thumb));
  g_assert_true (g_strv_contains ((const char * const *) printed->pdata, plain_thumb));
}

static void
test_recursive (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *sub = g_build_filename (f->images, "sub", NULL);
  g_autofree char *top = g_build_filename (f->images, "top.jpg", NULL);
  g_autofree char *deep = g_build_filename (sub, "deep.png", NULL);
  g_autofree char *top_thumb = g_build_filename (f->images, "top.thumb.jpg", NULL);
  g_autofree char *deep_thumb = g_build_filename (sub, "deep.thumb.png", NULL);
  g_autoptr(GPtrArray) printed = NULL;
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };

  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  cs_test_write_image (top, 640, 480, "jpeg", 0, &error);
  g_assert_no_error (error);
  cs_test_write_image (deep, 480, 640, "png", 1, &error);
  g_assert_no_error (error);

  /* Without -r the sub-folder is not entered. */
  run_cli (f, NULL, &run, "-o", "beside", f->images, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (g_strv_length (run.out_lines), ==, 1);
  g_assert_cmpstr (run.out_lines[0], ==, top_thumb);
  g_assert_false (g_file_test (deep_thumb, G_FILE_TEST_EXISTS));

  run_cli (f, NULL, &run, "-r", "-o", "beside", f->images, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_ptr_array_add (expected, g_strdup (top_thumb));
  g_ptr_array_add (expected, g_strdup (deep_thumb));
  printed = strv_to_array (run.out_lines);
  assert_same_strings (printed, expected);
  assert_thumbnail (deep_thumb, 128);
}

typedef struct
{
  const char *name;
  const char *args[6];   /* "@IMAGES@" stands for the source folder */
  const char *mentions;  /* what the message must name */
} UsageCase;

static const UsageCase usage_cases[] = {
  { "no-path", { NULL }, "PATH" },
  { "size-word", { "--size=huge", "@IMAGES@", NULL }, "huge" },
  { "size-not-in-cache", { "--size", "100", "@IMAGES@", NULL }, "100" },
  { "size-not-in-explicit-cache", { "-s", "100", "-o", "cache", "@IMAGES@", NULL }, "100" },
  { "size-zero", { "--size=0", "-o", "beside", "@IMAGES@", NULL }, "0" },
  { "jobs-negative", { "--jobs", "-3", "@IMAGES@", NULL }, "jobs" },
  { "jobs-not-a-number", { "--jobs=many", "@IMAGES@", NULL }, "many" },
  { "unknown-option", { "--bogus", "@IMAGES@", NULL }, "--bogus" },
};

static void
test_usage (Fixture       *f,
            gconstpointer  data)
{
  const UsageCase *usage = data;
  g_autofree char *image = g_build_filename (f->images, "photo.jpg", NULL);
  g_autofree char *thumbnails_dir = g_build_filename (f->cache_home, "thumbnails", NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };

  cs_test_write_image (image, 640, 480, "jpeg", 0, &error);
  g_assert_no_error (error);

  for (guint i = 0; usage->args[i] != NULL; i++)
    g_ptr_array_add (args, g_str_equal (usage->args[i], "@IMAGES@")
                           ? f->images : (char *) usage->args[i]);
  g_ptr_array_add (args, NULL);

  run_cliv (f, NULL, &run, (const char * const *) args->pdata);

  g_assert_cmpint (run.status, ==, EXIT_USAGE);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpstr (run.err, !=, "");
  g_assert_nonnull (strstr (run.err, usage->mentions));

  /* Nothing was made, anywhere. */
  g_assert_false (g_file_test (thumbnails_dir, G_FILE_TEST_EXISTS));
  after = list_folder (f->images);
  g_assert_cmpuint (after->len, ==, 1);
}

/* Bad files: what each one is, by name; the good one is "good.jpg". */
static const char *bad_names[] = {
  "empty.jpg", "trunc.jpg", "notimage.jpg", "fifo.jpg", "dir.jpg", "dangling.jpg",
};

static void
write_bad_folder (Fixture *f)
{
  g_autofree char *good = g_build_filename (f->images, "good.jpg", NULL);
  g_autofree char *full = g_build_filename (f->root, "full.jpg", NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  cs_test_write_image (good, 800, 600, "jpeg", 0, &error);
  g_assert_no_error (error);

  /* The truncated one is the head of a real JPEG made outside the folder. */
  cs_test_write_image (full, 800, 600, "jpeg", 3, &error);
  g_assert_no_error (error);
  g_file_get_contents (full, &data, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 200);

  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++)
    {
      g_autofree char *path = g_build_filename (f->images, bad_names[i], NULL);

      if (g_str_equal (bad_names[i], "empty.jpg"))
        write_text (path, "");
      else if (g_str_equal (bad_names[i], "trunc.jpg"))
        {
          g_file_set_contents (path, data, 200, &error);
          g_assert_no_error (error);
        }
      else if (g_str_equal (bad_names[i], "notimage.jpg"))
        write_text (path, "This is a shopping list, not a photograph.\nEggs\nMilk\n");
      else if (g_str_equal (bad_names[i], "fifo.jpg"))
        g_assert_cmpint (mkfifo (path, 0600), ==, 0);
      else if (g_str_equal (bad_names[i], "dir.jpg"))
        g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
      else if (g_str_equal (bad_names[i], "dangling.jpg"))
        g_assert_cmpint (symlink ("nowhere.jpg", path), ==, 0);
      else
        g_assert_not_reached ();
    }
}

/* Exactly one "PATH: reason" line per bad file, then the summary. */
static void
assert_one_line_per_failure (const Run  *run,
                             GPtrArray  *bad_paths)
{
  for (guint i = 0; i < bad_paths->len; i++)
    {
      g_autofree char *prefix = g_strconcat (g_ptr_array_index (bad_paths, i), ": ", NULL);

      g_test_message ("expecting one line starting with “%s”", prefix);
      g_assert_cmpuint (count_lines_with_prefix (run->err_lines, prefix), ==, 1);
    }
  g_assert_cmpuint (g_strv_length (run->err_lines), ==, bad_paths->len + 1);
}

static void
test_bad_input_folder (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *good = g_build_filename (f->images, "good.jpg", NULL);
  g_autofree char *good_thumb = NULL;
  g_autoptr(GPtrArray) bad_paths = g_ptr_array_new_with_free_func (g_free);
  g_auto(Run) run = { 0 };
  Summary summary;

  write_bad_folder (f);
  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++)
    g_ptr_array_add (bad_paths, g_build_filename (f->images, bad_names[i], NULL));
  good_thumb = cache_path (f, "normal", good);

  run_cli (f, NULL, &run, f->images, NULL);

  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpuint (g_strv_length (run.out_lines), ==, 1);
  g_assert_cmpstr (run.out_lines[0], ==, good_thumb);
  assert_thumbnail (good_thumb, 128);

  assert_one_line_per_failure (&run, bad_paths);
  summary = parse_summary (&run);
  g_assert_cmpuint (summary.done, ==, 1);
  g_assert_cmpuint (summary.failed, ==, bad_paths->len);
}

/* The same files named on the command line, plus one that does not exist.
 * A folder named on the command line is a folder to scan, whatever its name:
 * "dir.jpg" is empty, so it adds nothing, and no failure either. */
static void
test_bad_input_arguments (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *good = g_build_filename (f->images, "good.jpg", NULL);
  g_autofree char *good_thumb = g_build_filename (f->images, "good.thumb.jpg", NULL);
  g_autofree char *folder = g_build_filename (f->images, "dir.jpg", NULL);
  g_autoptr(GPtrArray) bad_paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto(Run) run = { 0 };
  Summary summary;

  write_bad_folder (f);
  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++)
    if (!g_str_equal (bad_names[i], "dir.jpg"))
      g_ptr_array_add (bad_paths, g_build_filename (f->images, bad_names[i], NULL));
  g_ptr_array_add (bad_paths, g_build_filename (f->images, "missing.jpg", NULL));

  g_ptr_array_add (args, "-o");
  g_ptr_array_add (args, "beside");
  for (guint i = 0; i < bad_paths->len; i++)
    g_ptr_array_add (args, g_ptr_array_index (bad_paths, i));
  g_ptr_array_add (args, folder);
  g_ptr_array_add (args, good);
  g_ptr_array_add (args, NULL);

  run_cliv (f, NULL, &run, (const char * const *) args->pdata);

  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpuint (g_strv_length (run.out_lines), ==, 1);
  g_assert_cmpstr (run.out_lines[0], ==, good_thumb);
  assert_thumbnail (good_thumb, 128);

  assert_one_line_per_failure (&run, bad_paths);
  summary = parse_summary (&run);
  g_assert_cmpuint (summary.done, ==, 1);
  g_assert_cmpuint (summary.failed, ==, bad_paths->len);
}

/* Names that are sources or the thumbnail of a source, nothing else. */
static void
assert_no_leftovers (const char *folder,
                     GPtrArray  *sources)
{
  g_autoptr(GHashTable) allowed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) after = list_folder (folder);

  for (guint i = 0; i < sources->len; i++)
    {
      g_hash_table_add (allowed, g_strdup (g_ptr_array_index (sources, i)));
      g_hash_table_add (allowed, beside_name (g_ptr_array_index (sources, i)));
    }

  for (guint i = 0; i < after->len; i++)
    {
      const char *name = g_ptr_array_index (after, i);

      if (!g_hash_table_contains (allowed, name))
        g_test_message ("Left over in %s: %s", folder, name);
      g_assert_true (g_hash_table_contains (allowed, name));
    }
}

/* Every thumbnail in @folder was reported on stdout, and only those: a
 * stopped run may leave work undone, but never a file it did not tell about.
 * The summary's count and bytes agree with what is on disk. */
static void
assert_reported_matches_disk (const char     *folder,
                              char          **out_lines,
                              const Summary  *summary)
{
  g_autoptr(GPtrArray) names = list_folder (folder);
  g_autoptr(GPtrArray) on_disk = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) printed = strv_to_array (out_lines);
  guint64 bytes = 0;

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      if (strstr (name, ".thumb.") != NULL)
        {
          char *path = g_build_filename (folder, name, NULL);

          bytes += stat_or_fail (path).st_size;
          g_ptr_array_add (on_disk, path);
        }
    }

  g_test_message ("%u thumbnails on disk (%" G_GUINT64_FORMAT " bytes), %u reported, "
                  "summary says %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " bytes)",
                  on_disk->len, bytes, printed->len, summary->done, summary->bytes);
  for (guint i = 0; i < on_disk->len; i++)
    if (!g_ptr_array_find_with_equal_func (printed, g_ptr_array_index (on_disk, i),
                                           g_str_equal, NULL))
      g_test_message ("Written but not reported: %s", (char *) g_ptr_array_index (on_disk, i));
  assert_same_strings (printed, on_disk);
  g_assert_cmpuint (summary->done, ==, on_disk->len);
  g_assert_cmpuint (summary->bytes, ==, bytes);
}

/* Five photos and three files that are not, in one folder. */
static GPtrArray *
write_fail_fast_folder (Fixture   *f,
                        GPtrArray *bad_paths)
{
  g_autoptr(GError) error = NULL;

  cs_test_write_sample_folder (f->images, 5, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("broken-%u.jpg", i);
      g_autofree char *path = g_build_filename (f->images, name, NULL);

      write_text (path, "not a JPEG at all");
      g_ptr_array_add (bad_paths, g_steal_pointer (&path));
    }

  return list_folder (f->images);
}

/* With @files NULL the folder is named, else the files in @files, in order. */
static void
run_fail_fast (Fixture    *f,
               GPtrArray  *sources,
               GPtrArray  *bad_paths,
               const char *jobs,
               GPtrArray  *files,
               Run        *run,
               Summary    *summary)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *stopped = NULL;
  guint failure_lines = 0;

  g_ptr_array_add (args, "--fail-fast");
  g_ptr_array_add (args, "-j");
  g_ptr_array_add (args, (char *) jobs);
  g_ptr_array_add (args, "-o");
  g_ptr_array_add (args, "beside");
  if (files != NULL)
    g_ptr_array_extend (args, files, NULL, NULL);
  else
    g_ptr_array_add (args, f->images);
  g_ptr_array_add (args, NULL);

  run_cliv (f, NULL, run, (const char * const *) args->pdata);

  g_assert_cmpint (run->status, ==, 1);

  for (guint i = 0; run->err_lines[i] != NULL; i++)
    if (g_str_has_prefix (run->err_lines[i], "Stopped at the first error"))
      stopped = run->err_lines[i];
  g_assert_nonnull (stopped);

  /* The first error is the only one reported, and the stop message names it. */
  for (guint i = 0; i < bad_paths->len; i++)
    {
      g_autofree char *prefix = g_strconcat (g_ptr_array_index (bad_paths, i), ": ", NULL);
      guint n = count_lines_with_prefix (run->err_lines, prefix);

      g_assert_cmpuint (n, <=, 1);
      if (n == 1)
        g_assert_nonnull (strstr (stopped, g_ptr_array_index (bad_paths, i)));
      failure_lines += n;
    }
  g_assert_cmpuint (failure_lines, ==, 1);

  *summary = parse_summary (run);
  g_assert_cmpuint (summary->failed, ==, 1);
  g_assert_cmpuint (summary->done, ==, g_strv_length (run->out_lines));

  assert_no_leftovers (f->images, sources);
}

static void
test_fail_fast (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) bad_paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) sources = write_fail_fast_folder (f, bad_paths);
  g_auto(Run) run = { 0 };
  Summary summary;

  run_fail_fast (f, sources, bad_paths, "1", NULL, &run, &summary);
}

static void
remove_thumbnails (const char *folder)
{
  g_autoptr(GPtrArray) names = list_folder (folder);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (folder, name, NULL);

      if (strstr (name, ".thumb.") != NULL)
        g_assert_cmpint (g_unlink (path), ==, 0);
    }
}

/* Whether a result was in flight when the run stopped is a race: try a few
 * times, each from a folder without thumbnails. */
#define STOPPED_RUN_ATTEMPTS 5

/* Two workers and a bad file named second: the other worker is busy with a
 * photo when the error stops the run. */
static void
test_stopped_run_reports_fail_fast (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GPtrArray) bad_paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) sources = write_fail_fast_folder (f, bad_paths);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < sources->len; i++)
    {
      char *path = g_build_filename (f->images, g_ptr_array_index (sources, i), NULL);

      if (g_ptr_array_find_with_equal_func (bad_paths, path, g_str_equal, NULL))
        g_free (path);
      else
        g_ptr_array_add (files, path);
    }
  g_assert_cmpuint (files->len, >, 1);
  g_ptr_array_insert (files, 1, g_strdup (g_ptr_array_index (bad_paths, 0)));

  for (guint attempt = 0; attempt < 2 * STOPPED_RUN_ATTEMPTS; attempt++)
    {
      g_auto(Run) run = { 0 };
      Summary summary;

      remove_thumbnails (f->images);
      run_fail_fast (f, sources, bad_paths, "2", files, &run, &summary);
      assert_reported_matches_disk (f->images, run.out_lines, &summary);
    }
}

/* Big enough that a one-worker run takes seconds, not milliseconds: a few
 * distinct JPEGs under many names. The names are hard links where the file
 * system allows, so that a folder left behind by a failed case stays small. */
static void
write_large_folder (const char *folder,
                    guint       count)
{
  char *variants[3] = { NULL };

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *name = g_strdup_printf ("photo-%03u.jpg", i);
      g_autofree char *path = g_build_filename (folder, name, NULL);
      g_autofree char *data = NULL;
      g_autoptr(GError) error = NULL;
      guint v = i % G_N_ELEMENTS (variants);
      gsize len;

      if (variants[v] == NULL)
        {
          cs_test_write_image (path, 2000, 1500, "jpeg", v, &error);
          g_assert_no_error (error);
          variants[v] = g_steal_pointer (&path);
          continue;
        }

      if (link (variants[v], path) == 0)
        continue;

      g_file_get_contents (variants[v], &data, &len, &error);
      g_assert_no_error (error);
      g_file_set_contents (path, data, len, &error);
      g_assert_no_error (error);
    }

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    g_free (variants[v]);
}

typedef struct
{
  gboolean  finished;
  char     *line;
  GError   *error;
} ReadLine;

static void
on_line_read (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ReadLine *read = user_data;

  read->line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result,
                                                     NULL, &read->error);
  read->finished = TRUE;
}

#define INTERRUPT_IMAGES 300

static GPtrArray *
write_interrupt_folder (Fixture *f)
{
  gint64 start = g_get_monotonic_time ();
  GPtrArray *sources;

  write_large_folder (f->images, INTERRUPT_IMAGES);
  sources = list_folder (f->images);
  g_assert_cmpuint (sources->len, ==, INTERRUPT_IMAGES);
  g_test_message ("%u images written in %.1f s", INTERRUPT_IMAGES,
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);

  return sources;
}

/* Starts a beside run, sends SIGINT once the first thumbnail is out, and
 * checks how it ends. @out_lines gets all of stdout. */
static void
run_interrupted (Fixture     *f,
                 const char  *jobs,
                 GPtrArray   *sources,
                 Run         *run,
                 char      ***out_lines,
                 Summary     *summary)
{
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  ReadLine read = { FALSE, NULL, NULL };
  Deadline deadline = { 0 };
  const char *buffered;
  gsize n_buffered = 0;
  gint64 start, signalled;
  guint thumbnails = 0;

  if (jobs != NULL)
    {
      g_ptr_array_add (args, "-j");
      g_ptr_array_add (args, (char *) jobs);
    }
  g_ptr_array_add (args, "-o");
  g_ptr_array_add (args, "beside");
  g_ptr_array_add (args, f->images);
  g_ptr_array_add (args, NULL);

  process = spawn_cli (f, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                          G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                          G_SUBPROCESS_FLAGS_STDERR_PIPE,
                       (const char * const *) args->pdata);
  start = g_get_monotonic_time ();

  /* Wait for the first thumbnail: the run is under way. */
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  deadline_start (&deadline, process, RUN_TIMEOUT_SECONDS);
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, on_line_read, &read);
  while (!read.finished)
    g_main_context_iteration (NULL, TRUE);
  deadline_stop (&deadline);

  g_assert_no_error (read.error);
  g_assert_false (deadline.expired);
  g_assert_nonnull (read.line);
  g_test_message ("first line after %.3f s: %s",
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC, read.line);

  g_subprocess_send_signal (process, SIGINT);
  signalled = g_get_monotonic_time ();

  /* What the line reader has buffered past the first line, before the rest
   * of the pipe is collected. */
  buffered = g_buffered_input_stream_peek_buffer (G_BUFFERED_INPUT_STREAM (lines), &n_buffered);
  g_string_append_printf (out, "%s\n", read.line);
  g_string_append_len (out, buffered, n_buffered);
  g_clear_pointer (&read.line, g_free);

  communicate (process, NULL, INTERRUPT_TIMEOUT_SECONDS, run);
  g_test_message ("exited %.3f s after SIGINT",
                  (g_get_monotonic_time () - signalled) / (double) G_USEC_PER_SEC);
  g_string_append (out, run->out);
  *out_lines = split_lines (out->str);

  g_assert_cmpint (run->status, ==, EXIT_INTERRUPTED);
  g_assert_nonnull (strstr (run->err, "Interrupted"));
  *summary = parse_summary (run);
  g_assert_cmpuint (summary->failed, ==, 0);
  g_assert_cmpuint (summary->done, <, INTERRUPT_IMAGES);
  g_assert_cmpuint (summary->done, ==, g_strv_length (*out_lines));

  /* No temporary file, no half-written thumbnail under its real name. */
  assert_no_leftovers (f->images, sources);
  after = list_folder (f->images);
  for (guint i = 0; i < after->len; i++)
    {
      const char *name = g_ptr_array_index (after, i);

      if (strstr (name, ".thumb.") != NULL)
        {
          g_autofree char *path = g_build_filename (f->images, name, NULL);

          assert_thumbnail (path, 128);
          thumbnails++;
        }
    }
  g_test_message ("%u of %u thumbnails made before the interrupt took effect",
                  thumbnails, INTERRUPT_IMAGES);
  g_assert_cmpuint (thumbnails, <, INTERRUPT_IMAGES);
}

/* --- every format, and glycin's bounds ----------------------------------- */

/* Every picture below is this colour all over, so that a thumbnail shows
 * whether the file was decoded, not merely accepted. */
#define FLAT_R 200
#define FLAT_G 40
#define FLAT_B 60

static void
write_file (const char   *folder,
            const char   *name,
            const guint8 *data,
            gsize         len)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) data, len, &error);
  g_assert_no_error (error);
}

static void
append_le16 (GByteArray *out,
             guint       value)
{
  guint8 bytes[2] = { value & 0xff, (value >> 8) & 0xff };

  g_byte_array_append (out, bytes, 2);
}

static void
append_le32 (GByteArray *out,
             guint32     value)
{
  append_le16 (out, value & 0xffff);
  append_le16 (out, value >> 16);
}

/* A GIF whose logical screen is @canvas_width x @canvas_height, with one
 * @width x @height frame of the flat colour. The LZW codes stay 8 bits
 * wide (a 128-colour table, a clear code before the table would need a
 * ninth bit), so each code is a byte: no compression, no encoder. */
static GByteArray *
make_gif (int canvas_width,
          int canvas_height,
          int width,
          int height)
{
  GByteArray *out = g_byte_array_new ();
  g_autoptr(GByteArray) codes = g_byte_array_new ();
  const guint8 clear = 128, end = 129, literal = 0;
  const guint8 min_code_size = 7;
  gsize n = (gsize) width * height;

  g_byte_array_append (out, (const guint8 *) "GIF89a", 6);
  append_le16 (out, canvas_width);
  append_le16 (out, canvas_height);
  /* A global table of 128 colours, the first one ours. */
  g_byte_array_append (out, (const guint8 *) "\xf6\x00\x00", 3);
  for (int i = 0; i < 128; i++)
    {
      guint8 rgb[3] = { FLAT_R, FLAT_G, FLAT_B };

      if (i > 0)
        rgb[0] = rgb[1] = rgb[2] = 0;
      g_byte_array_append (out, rgb, 3);
    }

  g_byte_array_append (out, (const guint8 *) ",", 1);
  append_le16 (out, 0);
  append_le16 (out, 0);
  append_le16 (out, width);
  append_le16 (out, height);
  g_byte_array_append (out, (const guint8 *) "\x00", 1);
  g_byte_array_append (out, &min_code_size, 1);

  for (gsize i = 0; i < n; i++)
    {
      if (i % 100 == 0)
        g_byte_array_append (codes, &clear, 1);
      g_byte_array_append (codes, &literal, 1);
    }
  g_byte_array_append (codes, &end, 1);

  for (guint i = 0; i < codes->len; i += 255)
    {
      guint8 len = MIN (255, codes->len - i);

      g_byte_array_append (out, &len, 1);
      g_byte_array_append (out, codes->data + i, len);
    }
  g_byte_array_append (out, (const guint8 *) "\x00;", 2);

  return out;
}

/* A Windows icon, 32 x 32 at 32 bits, as the BMP-style entry every loader
 * reads. */
static GByteArray *
make_ico (void)
{
  const int side = 32;
  GByteArray *out = g_byte_array_new ();
  guint32 pixels_len = side * side * 4;
  guint32 mask_len = side * 4;   /* 32 one-bit pixels a row, padded to 4 bytes */

  append_le16 (out, 0);
  append_le16 (out, 1);          /* an icon */
  append_le16 (out, 1);          /* one image */
  g_byte_array_append (out, (const guint8 *) "\x20\x20\x00\x00", 4);
  append_le16 (out, 1);
  append_le16 (out, 32);
  append_le32 (out, 40 + pixels_len + mask_len);
  append_le32 (out, 22);

  append_le32 (out, 40);
  append_le32 (out, side);
  append_le32 (out, side * 2);   /* the pixels and the mask */
  append_le16 (out, 1);
  append_le16 (out, 32);
  for (int i = 0; i < 6; i++)
    append_le32 (out, 0);

  for (int i = 0; i < side * side; i++)
    {
      guint8 bgra[4] = { FLAT_B, FLAT_G, FLAT_R, 0xff };

      g_byte_array_append (out, bgra, 4);
    }
  for (guint32 i = 0; i < mask_len; i++)
    g_byte_array_append (out, (const guint8 *) "\x00", 1);

  return out;
}

/* Truecolour, uncompressed, bottom row first: what most TGA writers make. */
static GByteArray *
make_tga (int width,
          int height)
{
  GByteArray *out = g_byte_array_new ();

  g_byte_array_append (out, (const guint8 *) "\x00\x00\x02", 3);
  for (int i = 0; i < 5; i++)
    g_byte_array_append (out, (const guint8 *) "\x00", 1);
  append_le16 (out, 0);
  append_le16 (out, 0);
  append_le16 (out, width);
  append_le16 (out, height);
  g_byte_array_append (out, (const guint8 *) "\x18\x00", 2);
  for (int i = 0; i < width * height; i++)
    {
      guint8 bgr[3] = { FLAT_B, FLAT_G, FLAT_R };

      g_byte_array_append (out, bgr, 3);
    }

  return out;
}

#if HAVE_LIBJPEG
static void
on_jpeg_error (j_common_ptr cinfo)
{
  char message[JMSG_LENGTH_MAX];

  cinfo->err->format_message (cinfo, message);
  g_error ("libjpeg: %s", message);
}

/* A print shop's JPEG: four components, CMYK, which cs-decode-jpeg.c leaves to
 * GdkPixbuf or glycin. libjpeg marks it as Adobe's, whose samples are
 * inverted: no cyan, full magenta and yellow less a quarter, no black
 * make a red. */
static GByteArray *
make_cmyk_jpeg (int width,
                int height)
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr err;
  g_autofree guint8 *row = g_malloc ((gsize) width * 4);
  unsigned char *data = NULL;
  unsigned long len = 0;
  GByteArray *out = g_byte_array_new ();

  for (int x = 0; x < width; x++)
    memcpy (row + x * 4, "\xff\x40\x40\xff", 4);

  cinfo.err = jpeg_std_error (&err);
  err.error_exit = on_jpeg_error;
  jpeg_create_compress (&cinfo);
  jpeg_mem_dest (&cinfo, &data, &len);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = 4;
  cinfo.in_color_space = JCS_CMYK;
  jpeg_set_defaults (&cinfo);
  jpeg_start_compress (&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height)
    {
      JSAMPROW rows[1] = { row };

      jpeg_write_scanlines (&cinfo, rows, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);

  g_byte_array_append (out, data, len);
  free (data);

  return out;
}
#endif

typedef struct
{
  const char *name;
  int         width;    /* of the thumbnail at 64 */
  int         height;
  guint8      rgb[3];   /* the colour the file holds */
} FormatCase;

/* The README's formats, each through the CLI and its helper: JPEG, PNG and
 * WebP by our own decoders (tested on their own), the rest by GdkPixbuf in
 * the helper, or where GdkPixbuf decodes through glycin, by glycin from the
 * worker. HEIC and AVIF are not here: no encoder for them is installed to
 * make one. */
static void
test_every_format (Fixture       *f,
                   gconstpointer  data)
{
  static const FormatCase cases[] = {
    { "flat.gif", 64, 48, { FLAT_R, FLAT_G, FLAT_B } },
    { "flat.bmp", 64, 48, { FLAT_R, FLAT_G, FLAT_B } },
    { "flat.tiff", 64, 48, { FLAT_R, FLAT_G, FLAT_B } },
    { "flat.svg", 64, 32, { FLAT_R, FLAT_G, FLAT_B } },
    { "flat.ico", 32, 32, { FLAT_R, FLAT_G, FLAT_B } },
    { "flat.tga", 64, 48, { FLAT_R, FLAT_G, FLAT_B } },
    { "dots.xbm", 16, 8, { 0, 0, 0 } },
#if HAVE_LIBJPEG
    { "print.jpg", 64, 48, { 255, 64, 64 } },
#endif
  };
  static const char xbm[] =
    "#define dots_width 16\n#define dots_height 8\nstatic char dots_bits[] = {\n"
    "0xff,0xff,0xff,0xff,0xff,0xff,0xff,0xff,0xff,0xff,0xff,0xff,0xff,0xff,0xff,0xff};\n";
  static const char svg[] =
    "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'>"
    "<rect width='40' height='20' fill='rgb(200,40,60)'/></svg>";
  g_autoptr(GByteArray) gif = make_gif (160, 120, 160, 120);
  g_autoptr(GByteArray) ico = make_ico ();
  g_autoptr(GByteArray) tga = make_tga (160, 120);
  g_autoptr(GdkPixbuf) flat = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 160, 120);
  g_autofree char *out = g_build_filename (f->root, "thumbs", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };

  write_file (f->images, "flat.gif", gif->data, gif->len);
  write_file (f->images, "flat.ico", ico->data, ico->len);
  write_file (f->images, "flat.tga", tga->data, tga->len);
  write_file (f->images, "flat.svg", (const guint8 *) svg, strlen (svg));
  write_file (f->images, "dots.xbm", (const guint8 *) xbm, strlen (xbm));
  gdk_pixbuf_fill (flat, ((guint32) FLAT_R << 24) | (FLAT_G << 16) | (FLAT_B << 8) | 0xff);
  {
    g_autofree char *bmp = g_build_filename (f->images, "flat.bmp", NULL);
    g_autofree char *tiff = g_build_filename (f->images, "flat.tiff", NULL);

    gdk_pixbuf_save (flat, bmp, "bmp", &error, NULL);
    g_assert_no_error (error);
    gdk_pixbuf_save (flat, tiff, "tiff", &error, NULL);
    g_assert_no_error (error);
  }
#if HAVE_LIBJPEG
  {
    g_autoptr(GByteArray) cmyk = make_cmyk_jpeg (160, 120);

    write_file (f->images, "print.jpg", cmyk->data, cmyk->len);
  }
#endif

  run_cli (f, NULL, &run, "-o", out, "-s", "64", "-j", "2", f->images, NULL);

  for (guint i = 0; run.err_lines[i] != NULL; i++)
    g_test_message ("%s", run.err_lines[i]);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (g_strv_length (run.err_lines), ==, 1);
  g_assert_cmpuint (g_strv_length (run.out_lines), ==, G_N_ELEMENTS (cases));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = beside_name (cases[i].name);
      g_autofree char *path = g_build_filename (out, name, NULL);
      g_autoptr(GdkPixbuf) thumb = gdk_pixbuf_new_from_file (path, &error);
      const guint8 *p;

      g_assert_no_error (error);
      g_test_message ("%s: %d x %d", cases[i].name, gdk_pixbuf_get_width (thumb),
                      gdk_pixbuf_get_height (thumb));
      g_assert_cmpint (gdk_pixbuf_get_width (thumb), ==, cases[i].width);
      g_assert_cmpint (gdk_pixbuf_get_height (thumb), ==, cases[i].height);

      /* The middle pixel: the colour the file holds. */
      p = gdk_pixbuf_read_pixels (thumb) +
          (gsize) (cases[i].height / 2) * gdk_pixbuf_get_rowstride (thumb) +
          (gsize) (cases[i].width / 2) * gdk_pixbuf_get_n_channels (thumb);
      g_test_message ("%s: middle pixel %d %d %d", cases[i].name, p[0], p[1], p[2]);
      for (int c = 0; c < 3; c++)
        g_assert_cmpint (ABS (p[c] - cases[i].rgb[c]), <=, 8);
    }
}

/* What a glycin decode may cost is bounded as the helper's is: an image
 * over the pixel limit is refused from its header, before a frame exists
 * anywhere (a GIF's screen of 20,000 x 20,000, 400 megapixels, holding
 * one pixel); a decode over the time limit is stopped (100,000 nested
 * groups, which glycin's SVG loader takes seconds over). Without glycin
 * the same holds in the helper, tested with the decoder's own files. */
static void
test_glycin_bounds (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GByteArray) canvas = make_gif (20000, 20000, 1, 1);
  g_autoptr(GString) nested = g_string_new ("<svg xmlns='http://www.w3.org/2000/svg' width='100' height='100'>");
  g_autofree char *canvas_path = g_build_filename (f->images, "canvas.gif", NULL);
  g_autofree char *nested_path = g_build_filename (f->images, "nested.svg", NULL);
  g_autofree char *expected = NULL;
  g_auto(Run) run = { 0 };
  gint64 start;

  if (!HAVE_GLYCIN)
    {
      g_test_skip ("Built without glycin");
      return;
    }

  write_file (f->images, "canvas.gif", canvas->data, canvas->len);
  start = g_get_monotonic_time ();
  run_cli (f, NULL, &run, "-o", "beside", canvas_path, NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpuint (g_strv_length (run.err_lines), ==, 2);
  expected = g_strdup_printf ("%s: Image is too large (20000 × 20000 pixels)", canvas_path);
  g_assert_cmpstr (run.err_lines[0], ==, expected);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  for (int i = 0; i < 100000; i++)
    g_string_append (nested, "<g>");
  g_string_append (nested, "<rect width='100' height='100' fill='gray'/>");
  for (int i = 0; i < 100000; i++)
    g_string_append (nested, "</g>");
  g_string_append (nested, "</svg>");
  write_file (f->images, "nested.svg", (const guint8 *) nested->str, nested->len);

  g_clear_pointer (&expected, g_free);
  start = g_get_monotonic_time ();
  run_cli (f, NULL, &run, "-o", "beside", "--timeout", "1", nested_path, NULL);
  g_test_message ("stopped after %.2f s", (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpuint (g_strv_length (run.err_lines), ==, 2);
  expected = g_strdup_printf ("%s: Decoding took longer than 1 s; stopped", nested_path);
  g_assert_cmpstr (run.err_lines[0], ==, expected);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
}

static void
test_interrupt (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) sources = write_interrupt_folder (f);
  g_auto(GStrv) out_lines = NULL;
  g_auto(Run) run = { 0 };
  Summary summary;

  run_interrupted (f, data, sources, &run, &out_lines, &summary);
}

/* Four workers: several photos are being written when the interrupt comes. */
static void
test_stopped_run_reports_interrupt (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GPtrArray) sources = write_interrupt_folder (f);

  for (guint attempt = 0; attempt < STOPPED_RUN_ATTEMPTS; attempt++)
    {
      g_auto(GStrv) out_lines = NULL;
      g_auto(Run) run = { 0 };
      Summary summary;

      remove_thumbnails (f->images);
      run_interrupted (f, "4", sources, &run, &out_lines, &summary);
      assert_reported_matches_disk (f->images, out_lines, &summary);
    }
}

static void
test_sources_unchanged (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) sources = write_sources (f->images, 6);
  g_autoptr(GHashTable) before = fingerprint_folder (f->images);
  g_autoptr(GHashTable) after = NULL;
  g_auto(Run) run = { 0 };
  GHashTableIter iter;
  gpointer name, print;

  /* One run per output mode: beside, the cache, a folder. */
  run_cli (f, NULL, &run, "-o", "beside", f->images, NULL);
  g_assert_cmpint (run.status, ==, 0);
  run_cli (f, NULL, &run, f->images, NULL);
  g_assert_cmpint (run.status, ==, 0);
  run_cli (f, NULL, &run, "-o", "out", "-s", "200", f->images, NULL);
  g_assert_cmpint (run.status, ==, 0);

  after = fingerprint_folder (f->images);
  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &name, &print))
    {
      g_test_message ("%s: %s", (char *) name, (char *) print);
      g_assert_cmpstr (g_hash_table_lookup (after, name), ==, print);
    }
  /* The sources plus one thumbnail each, from the beside run. */
  g_assert_cmpuint (g_hash_table_size (after), ==, 2 * sources->len);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("CS_CLI") == NULL)
    {
      g_printerr ("CS_CLI must name the contact-sheet-cli program\n");
      return 1;
    }
  cli_path = g_canonicalize_filename (g_getenv ("CS_CLI"), NULL);
  if (!g_file_test (cli_path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("CS_CLI is not a program: %s\n", cli_path);
      return 1;
    }

  g_test_add ("/cli/beside/folder", Fixture, NULL,
              fixture_setup, test_beside_folder, fixture_teardown);
  g_test_add ("/cli/beside/skips-thumbnails", Fixture, NULL,
              fixture_setup, test_beside_skips_thumbnails, fixture_teardown);
  g_test_add ("/cli/beside/numeric-size", Fixture, NULL,
              fixture_setup, test_beside_numeric_size, fixture_teardown);
  g_test_add ("/cli/beside/sources-unchanged", Fixture, NULL,
              fixture_setup, test_sources_unchanged, fixture_teardown);
  g_test_add ("/cli/cache/twice", Fixture, NULL,
              fixture_setup, test_cache_twice, fixture_teardown);
  g_test_add ("/cli/cache/warm-runs", Fixture, NULL,
              fixture_setup, test_cache_warm_runs, fixture_teardown);
  g_test_add ("/cli/cache/numeric-size", Fixture, NULL,
              fixture_setup, test_cache_numeric_size, fixture_teardown);
  g_test_add ("/cli/output-folder", Fixture, NULL,
              fixture_setup, test_output_folder, fixture_teardown);
  g_test_add ("/cli/stdin", Fixture, NULL,
              fixture_setup, test_stdin, fixture_teardown);
  g_test_add ("/cli/quiet", Fixture, NULL,
              fixture_setup, test_quiet, fixture_teardown);
  g_test_add ("/cli/odd-names", Fixture, NULL,
              fixture_setup, test_odd_names, fixture_teardown);
  g_test_add ("/cli/recursive", Fixture, NULL,
              fixture_setup, test_recursive, fixture_teardown);

  for (guint i = 0; i < G_N_ELEMENTS (usage_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/usage/%s", usage_cases[i].name);

      g_test_add (path, Fixture, &usage_cases[i],
                  fixture_setup, test_usage, fixture_teardown);
    }

  g_test_add ("/cli/bad-input/folder", Fixture, NULL,
              fixture_setup, test_bad_input_folder, fixture_teardown);
  g_test_add ("/cli/bad-input/arguments", Fixture, NULL,
              fixture_setup, test_bad_input_arguments, fixture_teardown);
  g_test_add ("/cli/formats/every-format", Fixture, NULL,
              fixture_setup, test_every_format, fixture_teardown);
  g_test_add ("/cli/formats/glycin-bounds", Fixture, NULL,
              fixture_setup, test_glycin_bounds, fixture_teardown);
  g_test_add ("/cli/fail-fast", Fixture, NULL,
              fixture_setup, test_fail_fast, fixture_teardown);
  g_test_add ("/cli/interrupt/one-job", Fixture, "1",
              fixture_setup, test_interrupt, fixture_teardown);
  g_test_add ("/cli/interrupt/two-jobs", Fixture, "2",
              fixture_setup, test_interrupt, fixture_teardown);

  /* Last: these catch a race, and a failure stops the whole program. */
  g_test_add ("/cli/stopped-run-reports/fail-fast", Fixture, NULL,
              fixture_setup, test_stopped_run_reports_fail_fast, fixture_teardown);
  g_test_add ("/cli/stopped-run-reports/interrupt", Fixture, NULL,
              fixture_setup, test_stopped_run_reports_interrupt, fixture_teardown);

  status = g_test_run ();
  g_clear_pointer (&cli_path, g_free);

  return status;
}
