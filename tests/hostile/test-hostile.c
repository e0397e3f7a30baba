/* test-hostile.c: hostile files and faults — never hang, never crash, never lose a byte
 *
 * contact-sheet-cli (CS_CLI) is run over a generated corpus of files made to
 * hurt a thumbnailer (see cs-hostile-corpus.c), one file at a time and as a
 * whole folder, in every output mode, and under faults: files rewritten
 * while they are read, unreadable files, read-only folders and caches, a
 * full disk. For every bad file the program must print exactly one clear
 * line naming it (control characters escaped), go on, finish, exit 1, stay
 * within a time and memory bound, and change nothing in the user's folder
 * but its own *.thumb.* files.
 *
 * Every run is timed and its peak memory taken; the table is printed at the
 * end (and written to $CS_HOSTILE_REPORT when set). Each run has a deadline
 * (60 s) and a memory watchdog (2 GiB) so that a runaway decoder fails its
 * test instead of taking the machine.
 *
 * /hostile/slow/... are the slow parts (suite e2e): the race, an image at the
 * pixel limit, and GdkPixbuf's own corpus of crashers (gdk-pixbuf-tests).
 *
 * Assertions do not stop a test: every broken promise in a run is reported.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cs-hostile-corpus.h"
#include "cs-hostile-run.h"
#include "cs-test-images.h"
#include "cs-test-util.h"

#define RUN_TIMEOUT_SECONDS 60
#define BATCH_TIMEOUT_SECONDS 180
/* Per file: the decoder's own limits (10 s, 512 MiB of address space) and
 * the program's start and write around them. */
#define DEFAULT_MAX_MS 12000
#define DEFAULT_MAX_RSS_MB 512
#define FAILED_BEFORE_MAX_MS 1000
#define BATCH_MAX_MS 60000
#define BATCH_MAX_RSS_MB 512
/* The harness's own safety net, far above any bound a test asserts: a
 * decoder that runs away is killed here rather than taking the machine. */
#define WATCHDOG_RSS_MB 2048
#define RACE_RUNS 60
#define NOBODY "65534"
#define FIXTURES "/usr/libexec/installed-tests/gdk-pixbuf/test-images"
#define FAIL_FOLDER "contact-sheet-" PACKAGE_VERSION


/* How the CLI prints a path on stdout, one per line: control characters
 * (a newline in a name above all) escaped, as its --help promises. */
static char *
as_printed (const char *path)
{
  GString *line = g_string_new (NULL);

  for (const guchar *p = (const guchar *) path; *p != '\0'; p++)
    {
      if (*p == '\n')
        g_string_append (line, "\\n");
      else if (*p == '\t')
        g_string_append (line, "\\t");
      else if (*p == '\r')
        g_string_append (line, "\\r");
      else if (*p < 0x20 || *p == 0x7f)
        g_string_append_printf (line, "\\x%02x", *p);
      else
        g_string_append_c (line, *p);
    }

  return g_string_free (line, FALSE);
}

static struct
{
  const char *cli;
  char       *root;         /* everything the tests make, 0755 */
  char       *corpus_dir;
  char       *private_dir;
  char       *idle_cache;   /* XDG_CACHE_HOME of runs that do not use the cache */
  char       *cli_copy;     /* the program where an unprivileged user can run it */
  char       *decoder_copy; /* and its decoder helper, if it has one */
  GPtrArray  *corpus;
  GHashTable *pristine;     /* the corpus as written */
  GHashTable *controls;     /* id -> the GdkPixbuf of its thumbnail */
  GString    *table;
  gboolean    sanitized;
  double      time_scale;
  double      rss_scale;
} T;

/* Helpers */

static void
fail_with (const char *format,
           ...) G_GNUC_PRINTF (1, 2);

static void
fail_with (const char *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_test_message ("FAILED: %s", message);
  g_test_fail ();
}

static guint
scaled_ms (guint ms)
{
  return (guint) (ms * T.time_scale);
}

static guint64
scaled_rss_kb (guint mb)
{
  return (guint64) (mb * 1024.0 * T.rss_scale);
}

static void
make_dir (const char *path,
          int         mode)
{
  if (g_mkdir_with_parents (path, 0755) != 0)
    g_error ("Cannot make %s: %s", path, g_strerror (errno));
  if (g_chmod (path, mode) != 0)
    g_error ("Cannot chmod %s: %s", path, g_strerror (errno));
}

static void
write_file (const char *path,
            const char *text,
            gssize      len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, len, &error);
  g_assert_no_error (error);
}

static void
write_image (const char *path,
             int         width,
             int         height,
             const char *format)
{
  g_autoptr(GError) error = NULL;

  cs_test_write_image (path, width, height, format, 1, &error);
  g_assert_no_error (error);
}

/* Never follows links; makes what it removes writable first. */
static void
remove_tree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;

  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = NULL;
      const char *name;

      g_chmod (path, 0700);
      dir = g_dir_open (path, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

/* The naming rule of the beside and folder modes, written out again. */
static char *
beside_name (const char *name)
{
  const char *dot = strrchr (name, '.');
  g_autofree char *stem = NULL;
  const char *ext;

  if (dot == NULL || dot == name)
    return g_strconcat (name, ".thumb..png", NULL);

  stem = g_strndup (name, dot - name);
  ext = dot + 1;

  if (g_ascii_strcasecmp (ext, "jpg") == 0 || g_ascii_strcasecmp (ext, "jpeg") == 0 ||
      g_ascii_strcasecmp (ext, "png") == 0)
    return g_strconcat (stem, ".thumb.", ext, NULL);

  return g_strconcat (stem, ".thumb.", ext, ".png", NULL);
}

static char *
md5_of_uri (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);

  return g_compute_checksum_for_string (G_CHECKSUM_MD5, uri, -1);
}

static char *
cache_thumbnail (const char *cache_home,
                 const char *path)
{
  g_autofree char *md5 = md5_of_uri (path);
  g_autofree char *name = g_strconcat (md5, ".png", NULL);

  return g_build_filename (cache_home, "thumbnails", "normal", name, NULL);
}

static char *
cache_fail_entry (const char *cache_home,
                  const char *path)
{
  g_autofree char *md5 = md5_of_uri (path);
  g_autofree char *name = g_strconcat (md5, ".png", NULL);

  return g_build_filename (cache_home, "thumbnails", "fail", FAIL_FOLDER, name, NULL);
}

/* Every file in a cache is "<32 hex digits>.png": anything else is a
 * temporary file left behind. A program killed in the middle of a write may
 * leave one; that is only noted. Only the thumbnail cache is ours: other
 * folders of XDG_CACHE_HOME are the libraries' (GStreamer keeps its plugin
 * registry there). */
static void
assert_cache_clean_full (const char *cache_home,
                         gboolean    killed)
{
  g_autoptr(GHashTable) prints = cs_fingerprint_tree (cache_home);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, prints);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *base = g_path_get_basename (key);
      gboolean ok = TRUE;

      if (!g_str_has_prefix (value, "file") || !g_str_has_prefix (key, "thumbnails/"))
        continue;
      if (strlen (base) != 36 || !g_str_has_suffix (base, ".png"))
        ok = FALSE;
      for (guint i = 0; ok && i < 32; i++)
        ok = g_ascii_isxdigit (base[i]);
      if (!ok && killed)
        g_test_message ("left in the cache by the killed program: %s", (char *) key);
      else if (!ok)
        fail_with ("stray file in the cache: %s", (char *) key);
    }
}

static void
assert_cache_clean (const char *cache_home)
{
  assert_cache_clean_full (cache_home, FALSE);
}

static void
record (const char  *id,
        const char  *mode,
        const CsRun *run,
        const char  *outcome)
{
  g_autofree char *name = cs_printable (id);

  g_string_append_printf (T.table, "%-34s %-8s %8.3f %9" G_GUINT64_FORMAT "  %s\n",
                          name, mode, run->seconds, run->max_rss_kb, outcome);
}

/* Running the program */

/* "==PID==..." lines come from a sanitizer's runtime, not the program; what
 * a sanitizer finds also changes the exit status, which is checked. (A
 * decoder helper's LeakSanitizer cannot attach to itself in its sandbox and
 * says so on the stderr it shares with the program.) */
static void
drop_sanitizer_chatter (CsRun *run)
{
  g_autoptr(GRegex) chatter = g_regex_new ("^==[0-9]+==", 0, 0, NULL);
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();

  for (guint i = 0; run->err_lines[i] != NULL; i++)
    {
      if (g_regex_match (chatter, run->err_lines[i], 0, NULL))
        {
          g_autofree char *line = cs_printable (run->err_lines[i]);

          g_test_message ("sanitizer runtime, ignored: %s", line);
          continue;
        }
      g_strv_builder_add (kept, run->err_lines[i]);
    }

  g_strfreev (run->err_lines);
  run->err_lines = g_strv_builder_end (kept);
}

static void
run_cli_full (CsRun              *run,
              gboolean            as_nobody,
              const char         *cache_home,
              const char * const *args,
              guint               timeout)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *cache_env = g_strconcat ("XDG_CACHE_HOME=", cache_home ? cache_home : T.idle_cache, NULL);
  g_autofree char *home_env = g_strconcat ("HOME=", T.root, NULL);
  g_autofree char *decoder_env = T.decoder_copy ? g_strconcat ("CONTACT_SHEET_DECODER=", T.decoder_copy, NULL) : NULL;
  const char *env[] = { "G_DEBUG", "LANGUAGE", "LC_ALL=C.UTF-8", cache_env, NULL, NULL, NULL };
  g_autoptr(GString) command = g_string_new ("$");

  if (as_nobody)
    {
      env[4] = home_env;
      env[5] = decoder_env;
      g_ptr_array_add (argv, "setpriv");
      g_ptr_array_add (argv, "--reuid=" NOBODY);
      g_ptr_array_add (argv, "--regid=" NOBODY);
      g_ptr_array_add (argv, "--clear-groups");
      g_ptr_array_add (argv, "--");
      g_ptr_array_add (argv, T.cli_copy);
    }
  else
    g_ptr_array_add (argv, (char *) T.cli);

  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  for (guint i = 0; i < argv->len - 1; i++)
    {
      g_autofree char *arg = cs_printable (g_ptr_array_index (argv, i));

      g_string_append_printf (command, " %s", arg);
    }
  g_test_message ("%s", command->str);

  cs_run_program (T.root, env, (const char * const *) argv->pdata, timeout,
                  (guint64) WATCHDOG_RSS_MB * 1024, run);

  for (guint i = 0; run->err_lines[i] != NULL && i < 40; i++)
    {
      g_autofree char *line = cs_printable (run->err_lines[i]);

      g_test_message ("stderr: %s", line);
    }
  /* A program that died of a signal (a sanitizer aborts on what it finds)
   * said why on its stderr: all of it goes where the test log is read. */
  if (run->term_signal != 0)
    for (guint i = 0; run->err_lines[i] != NULL; i++)
      {
        g_autofree char *line = cs_printable (run->err_lines[i]);

        g_printerr ("%s\n", line);
      }

  if (T.sanitized)
    drop_sanitizer_chatter (run);
  cs_test_drop_sandbox_notices (&run->err_lines);
}

static void run_cli (CsRun      *run,
                     const char *cache_home,
                     ...) G_GNUC_NULL_TERMINATED;

static void
run_cli (CsRun      *run,
         const char *cache_home,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, cache_home);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  run_cli_full (run, FALSE, cache_home, (const char * const *) args->pdata, RUN_TIMEOUT_SECONDS);
}

static void run_as_nobody (CsRun      *run,
                           const char *cache_home,
                           ...) G_GNUC_NULL_TERMINATED;

static void
run_as_nobody (CsRun      *run,
               const char *cache_home,
               ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, cache_home);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  run_cli_full (run, TRUE, cache_home, (const char * const *) args->pdata, RUN_TIMEOUT_SECONDS);
}

static gboolean
run_broken (const CsRun *run)
{
  return run->timed_out || run->memory_out || run->term_signal != 0;
}

/* Never hung, never crashed, left no process behind, stayed in bounds. */
static gboolean
assert_bounded (const CsRun *run,
                const char  *what,
                guint        max_ms,
                guint        max_rss_mb)
{
  g_autofree char *description = cs_run_describe (run);
  gboolean ok = TRUE;

  g_test_message ("%s: %s", what, description);

  if (run->timed_out)
    {
      fail_with ("%s: still running after %.0f s (a hang)", what, run->seconds);
      ok = FALSE;
    }
  if (run->memory_out)
    {
      fail_with ("%s: killed after %.1f s holding %" G_GUINT64_FORMAT " MiB (over the %u MiB watchdog)",
                 what, run->seconds, run->max_rss_kb / 1024, WATCHDOG_RSS_MB);
      ok = FALSE;
    }
  if (run->term_signal != 0)
    {
      fail_with ("%s: crashed with signal %d (%s)", what, run->term_signal,
                 g_strsignal (run->term_signal));
      ok = FALSE;
    }
  if (run->survivors)
    fail_with ("%s: processes it started were still running after it exited", what);

  if (ok && run->seconds * 1000 > scaled_ms (max_ms))
    fail_with ("%s: took %.2f s, more than %.2f s", what, run->seconds, scaled_ms (max_ms) / 1000.0);
  if (ok && run->max_rss_kb > scaled_rss_kb (max_rss_mb))
    fail_with ("%s: peak memory %" G_GUINT64_FORMAT " MiB, more than %" G_GUINT64_FORMAT " MiB",
               what, run->max_rss_kb / 1024, scaled_rss_kb (max_rss_mb) / 1024);

  return ok;
}

/* The line is one line, printable: no terminal control gets through. */
static void
assert_clean_line (const char *line)
{
  for (const guchar *p = (const guchar *) line; *p != '\0'; p++)
    if (*p < 0x20 || *p == 0x7f)
      {
        g_autofree char *shown = cs_printable (line);

        fail_with ("control character 0x%02x in the line: %s", *p, shown);
        return;
      }
}

typedef enum
{
  OUTCOME_THUMBNAIL,
  OUTCOME_ERROR,
  OUTCOME_BROKEN,
} Outcome;

static const char *
outcome_name (Outcome outcome)
{
  return outcome == OUTCOME_THUMBNAIL ? "thumbnail" : outcome == OUTCOME_ERROR ? "error" : "BROKEN";
}

static gboolean
contains_nocase (const char *haystack,
                 const char *needle)
{
  g_autofree char *h = g_utf8_casefold (haystack, -1);
  g_autofree char *n = g_utf8_casefold (needle, -1);

  return strstr (h, n) != NULL;
}

/* A valid image whose longest side is at most @size. */
static GdkPixbuf *
load_thumbnail (const char *path,
                guint       size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_autofree char *shown = cs_printable (path);

  if (pixbuf == NULL)
    {
      fail_with ("thumbnail %s does not load: %s", shown, error->message);
      return NULL;
    }
  if ((guint) MAX (gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf)) > size)
    fail_with ("thumbnail %s is %d × %d, larger than %u", shown,
               gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf), size);

  return g_steal_pointer (&pixbuf);
}

/* One file given, one outcome: either exactly one "FILE: reason" line and the
 * summary, exit 1, nothing on stdout; or the thumbnail's path on stdout, only
 * the summary on stderr, exit 0. */
static Outcome
check_single (const CsRun     *run,
              const char      *display_path,
              const char      *thumbnail,
              CsHostileExpect  expect,
              const char      *reason)
{
  g_autofree char *prefix = g_strconcat (display_path, ": ", NULL);
  g_autofree char *shown = cs_printable (display_path);
  CsSummary summary;

  if (run_broken (run))
    return OUTCOME_BROKEN;

  if (!cs_run_parse_summary (run, &summary))
    {
      fail_with ("%s: no summary line at the end of stderr", shown);
      return OUTCOME_BROKEN;
    }

  if (run->status == 1)
    {
      const char *line = cs_run_find_prefix (run, prefix);
      guint lines = cs_run_count_prefix (run, prefix);

      if (expect == CS_HOSTILE_OK)
        fail_with ("%s: a thumbnail was expected, the program refused it", shown);
      if (lines != 1)
        fail_with ("%s: %u lines name the file, exactly one expected", shown, lines);
      if (g_strv_length (run->err_lines) != 2)
        fail_with ("%s: %u lines on stderr; the one error line and the summary expected",
                   shown, g_strv_length (run->err_lines));
      if (line != NULL)
        {
          const char *why = line + strlen (prefix);

          assert_clean_line (line);
          if (strlen (why) < 4)
            fail_with ("%s: no reason given", shown);
          if (reason != NULL && !contains_nocase (why, reason))
            {
              g_autofree char *why_shown = cs_printable (why);

              fail_with ("%s: the reason “%s” does not say “%s”", shown, why_shown, reason);
            }
        }
      if (summary.failed != 1 || summary.done != 0)
        fail_with ("%s: the summary says %" G_GUINT64_FORMAT " done, %" G_GUINT64_FORMAT
                   " failed; 0 and 1 expected", shown, summary.done, summary.failed);
      if (run->out[0] != '\0')
        fail_with ("%s: something on stdout for a failure", shown);
      if (thumbnail != NULL && g_file_test (thumbnail, G_FILE_TEST_EXISTS))
        fail_with ("%s: a thumbnail exists although the program reported an error", shown);

      return OUTCOME_ERROR;
    }

  if (run->status == 0)
    {
      g_autofree char *line = as_printed (thumbnail ? thumbnail : "");
      g_autofree char *expected_out = g_strconcat (line, "\n", NULL);
      g_autoptr(GdkPixbuf) pixbuf = NULL;

      if (expect == CS_HOSTILE_FAIL)
        fail_with ("%s: one error line was expected, the program made a thumbnail", shown);
      if (g_strv_length (run->err_lines) != 1)
        fail_with ("%s: %u lines on stderr; only the summary expected",
                   shown, g_strv_length (run->err_lines));
      if (summary.done != 1 || summary.failed != 0)
        fail_with ("%s: the summary says %" G_GUINT64_FORMAT " done, %" G_GUINT64_FORMAT
                   " failed; 1 and 0 expected", shown, summary.done, summary.failed);
      if (thumbnail != NULL && !g_str_equal (run->out, expected_out))
        {
          g_autofree char *out = cs_printable (run->out);

          fail_with ("%s: stdout is “%s”, the thumbnail's path expected", shown, out);
        }
      if (thumbnail != NULL)
        pixbuf = load_thumbnail (thumbnail, 128);

      return OUTCOME_THUMBNAIL;
    }

  fail_with ("%s: exit status %d; 0 or 1 expected", shown, run->status);
  return OUTCOME_BROKEN;
}

/* The corpus */

static void
ensure_corpus (void)
{
  g_autoptr(GError) error = NULL;
  CsHostileContext context;
  gint64 start;

  if (T.pristine != NULL)
    return;

  start = g_get_monotonic_time ();
  context.folder = T.corpus_dir;
  context.private = T.private_dir;
  cs_hostile_write_corpus (T.corpus, &context, &error);
  g_assert_no_error (error);
  T.pristine = cs_fingerprint_tree (T.corpus_dir);
  g_test_message ("corpus of %u files written in %.2f s", T.corpus->len,
                  (g_get_monotonic_time () - start) / 1e6);
}

static const char *
entry_path (const CsHostileEntry *entry)
{
  static char *path;

  g_free (path);
  path = g_build_filename (T.corpus_dir, entry->name, NULL);

  return path;
}

static char *
display_path (const char           *folder,
              const CsHostileEntry *entry)
{
  return g_build_filename (folder, entry->display, NULL);
}

static void
assert_corpus_unchanged (GHashTable *allowed_new)
{
  g_autoptr(GHashTable) now = cs_fingerprint_tree (T.corpus_dir);
  g_autoptr(GPtrArray) problems = cs_fingerprint_diff (T.pristine, now, allowed_new);

  for (guint i = 0; i < problems->len; i++)
    fail_with ("the user's folder: %s", (char *) g_ptr_array_index (problems, i));
}

/* Secrets: what an SVG must not pull in */

static guint
count_secret (GdkPixbuf *pixbuf)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  guint n = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *p = pixels + (gsize) y * stride + (gsize) x * channels;

        if (ABS (p[0] - CS_HOSTILE_SECRET_R) <= 8 && ABS (p[1] - CS_HOSTILE_SECRET_G) <= 8 &&
            ABS (p[2] - CS_HOSTILE_SECRET_B) <= 8)
          n++;
      }

  return n;
}

static gboolean
same_pixels (GdkPixbuf *a,
             GdkPixbuf *b)
{
  int width = gdk_pixbuf_get_width (a);
  int height = gdk_pixbuf_get_height (a);
  int channels = gdk_pixbuf_get_n_channels (a);

  if (width != gdk_pixbuf_get_width (b) || height != gdk_pixbuf_get_height (b) ||
      channels != gdk_pixbuf_get_n_channels (b))
    return FALSE;

  for (int y = 0; y < height; y++)
    if (memcmp (gdk_pixbuf_read_pixels (a) + (gsize) y * gdk_pixbuf_get_rowstride (a),
                gdk_pixbuf_read_pixels (b) + (gsize) y * gdk_pixbuf_get_rowstride (b),
                (gsize) width * channels) != 0)
      return FALSE;

  return TRUE;
}

/* The thumbnail of a control entry, made once into a folder of its own. */
static GdkPixbuf *
control_pixbuf (const char *id)
{
  const CsHostileEntry *entry = cs_hostile_corpus_find (T.corpus, id);
  g_autofree char *folder = g_build_filename (T.root, "controls", NULL);
  g_autofree char *name = NULL;
  g_autofree char *thumbnail = NULL;
  g_auto(CsRun) run = { 0 };
  GdkPixbuf *pixbuf;

  g_assert_nonnull (entry);
  pixbuf = g_hash_table_lookup (T.controls, id);
  if (pixbuf != NULL)
    return pixbuf;

  make_dir (folder, 0755);
  name = beside_name (entry->name);
  thumbnail = g_build_filename (folder, name, NULL);
  run_cli (&run, NULL, "-o", folder, "-j", "1", entry_path (entry), NULL);
  if (run.status != 0)
    {
      fail_with ("the control %s got no thumbnail", id);
      return NULL;
    }
  pixbuf = load_thumbnail (thumbnail, 128);
  if (pixbuf != NULL)
    g_hash_table_insert (T.controls, g_strdup (id), pixbuf);

  return pixbuf;
}

static void
check_pixels (const CsHostileEntry *entry,
              const char           *thumbnail)
{
  const CsHostileSpec *spec = entry->spec;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GdkPixbuf *control = NULL;
  guint secret;

  if (spec->check == CS_HOSTILE_CHECK_NONE)
    return;

  pixbuf = load_thumbnail (thumbnail, 128);
  if (pixbuf == NULL)
    return;
  secret = count_secret (pixbuf);
  if (spec->control != NULL)
    control = control_pixbuf (spec->control);

  switch (spec->check)
    {
    case CS_HOSTILE_CHECK_NO_SECRET:
      if (secret > 0)
        fail_with ("%s: %u pixels of a private file's colour in the thumbnail: a local file leaked in",
                   spec->id, secret);
      if (control != NULL && !same_pixels (pixbuf, control))
        fail_with ("%s: the thumbnail differs from that of %s, the same drawing without the reference",
                   spec->id, spec->control);
      break;
    case CS_HOSTILE_CHECK_SECRET:
      if (secret == 0)
        fail_with ("%s: the secret colour is missing: the leak detector sees nothing", spec->id);
      break;
    case CS_HOSTILE_CHECK_DIFFERS:
      if (control != NULL && same_pixels (pixbuf, control))
        g_test_skip ("text draws no pixels here (no fonts?): a text leak could not be seen");
      break;
    default:
      break;
    }
}

/* One file at a time */

static void
test_file (gconstpointer data)
{
  const CsHostileEntry *entry = data;
  const CsHostileSpec *spec = entry->spec;
  guint max_ms = spec->max_ms ? spec->max_ms : DEFAULT_MAX_MS;
  guint max_rss = spec->max_rss_mb ? spec->max_rss_mb : DEFAULT_MAX_RSS_MB;
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *thumb_name = beside_name (entry->name);
  g_autofree char *thumbnail = NULL;
  g_autofree char *cache_home = NULL;
  g_autofree char *cached = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) allowed = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(CsRun) run = { 0 };
  const char *arg;
  Outcome outcome;

  ensure_corpus ();

  /* A folder named on the command line is scanned, so a folder named
   * "x.jpg" goes in a folder of its own. */
  if (spec->flags & CS_HOSTILE_NOT_ARG)
    {
      g_autoptr(GError) error = NULL;
      CsHostileContext context;

      folder = g_build_filename (T.root, "single", spec->id, NULL);
      make_dir (folder, 0755);
      context.folder = folder;
      context.private = T.private_dir;
      cs_hostile_write_entry (entry, &context, &error);
      g_assert_no_error (error);
    }
  else
    folder = g_strdup (T.corpus_dir);

  path = g_build_filename (folder, entry->name, NULL);
  arg = (spec->flags & CS_HOSTILE_NOT_ARG) ? folder : path;
  shown = display_path (folder, entry);
  thumbnail = g_build_filename (folder, thumb_name, NULL);
  before = cs_fingerprint_tree (folder);

  /* Beside: the book's mode, the user's own folder. */
  run_cli (&run, NULL, "-o", "beside", "-j", "1", arg, NULL);
  assert_bounded (&run, "beside", max_ms, max_rss);
  outcome = check_single (&run, shown, thumbnail, spec->expect, spec->reason);
  record (spec->id, "beside", &run, outcome_name (outcome));

  {
    g_autoptr(GHashTable) after = cs_fingerprint_tree (folder);
    g_autoptr(GPtrArray) problems = NULL;

    if (outcome == OUTCOME_THUMBNAIL)
      g_hash_table_add (allowed, thumb_name);
    problems = cs_fingerprint_diff (before, after, allowed);
    for (guint i = 0; i < problems->len; i++)
      fail_with ("the user's folder: %s", (char *) g_ptr_array_index (problems, i));
  }

  if (outcome == OUTCOME_THUMBNAIL)
    check_pixels (entry, thumbnail);
  g_unlink (thumbnail);

  /* The shared cache: the failure is recorded and not retried. */
  cache_home = g_build_filename (T.root, "cache", spec->id, NULL);
  cached = cache_thumbnail (cache_home, path);
  make_dir (cache_home, 0700);

  run_cli (&run, cache_home, "-j", "1", arg, NULL);
  assert_bounded (&run, "cache", max_ms, max_rss);
  outcome = check_single (&run, shown, cached, spec->expect_cache, spec->reason);
  record (spec->id, "cache", &run, outcome_name (outcome));
  assert_cache_clean_full (cache_home, run_broken (&run));

  {
    g_autoptr(GHashTable) after = cs_fingerprint_tree (folder);
    g_autoptr(GPtrArray) problems = cs_fingerprint_diff (before, after, NULL);

    for (guint i = 0; i < problems->len; i++)
      fail_with ("the user's folder: %s", (char *) g_ptr_array_index (problems, i));
  }

  if (outcome == OUTCOME_THUMBNAIL)
    {
      CsSummary summary;

      check_pixels (entry, cached);

      run_cli (&run, cache_home, "-j", "1", arg, NULL);
      assert_bounded (&run, "cache, again", FAILED_BEFORE_MAX_MS, max_rss);
      check_single (&run, shown, cached, CS_HOSTILE_OK, NULL);
      if (cs_run_parse_summary (&run, &summary) && summary.reused != 1)
        fail_with ("the second run made the thumbnail again instead of reusing it");
    }
  else if (outcome == OUTCOME_ERROR)
    {
      g_autofree char *fail_entry = cache_fail_entry (cache_home, path);
      gboolean content = !(spec->flags & CS_HOSTILE_NOT_CONTENT);

      if (content && !g_file_test (fail_entry, G_FILE_TEST_IS_REGULAR))
        fail_with ("no fail entry in thumbnails/fail/%s/ for a file that cannot be decoded", FAIL_FOLDER);

      run_cli (&run, cache_home, "-j", "1", arg, NULL);
      assert_bounded (&run, "cache, again", content ? FAILED_BEFORE_MAX_MS : max_ms, max_rss);
      outcome = check_single (&run, shown, cached, CS_HOSTILE_FAIL,
                              content ? "failed before" : spec->reason);
      record (spec->id, "cache-2", &run, outcome_name (outcome));
      assert_cache_clean (cache_home);
    }

  if (spec->flags & CS_HOSTILE_NOT_ARG)
    remove_tree (folder);
}

/* The whole folder at once */

/* Checks a batch's stderr and stdout against the corpus: one line per
 * failure, a thumbnail for the rest. Returns the number of failure lines. */
static guint
check_batch (const CsRun *run,
             const char  *cache_home,
             gboolean     recursive,
             gboolean     second)
{
  g_autoptr(GString) out = g_string_new ("\n");
  guint failures = 0, thumbnails = 0;
  CsSummary summary;

  g_string_append (out, run->out);

  /* Killed or crashed: what it left undone is no news. */
  if (run_broken (run))
    {
      guint printed = 0;

      for (const char *p = run->out; *p != '\0'; p++)
        printed += *p == '\n';
      fail_with ("the batch did not finish: it printed %u error lines and %u thumbnails first",
                 g_strv_length (run->err_lines), printed);
      return 0;
    }

  for (guint i = 0; i < T.corpus->len; i++)
    {
      const CsHostileEntry *entry = g_ptr_array_index (T.corpus, i);
      const CsHostileSpec *spec = entry->spec;
      CsHostileExpect expect = cache_home ? spec->expect_cache : spec->expect;
      g_autofree char *shown = display_path (T.corpus_dir, entry);
      g_autofree char *prefix = g_strconcat (shown, ": ", NULL);
      g_autofree char *printable = cs_printable (shown);
      g_autofree char *path = g_build_filename (T.corpus_dir, entry->name, NULL);
      g_autofree char *thumb_name = beside_name (entry->name);
      g_autofree char *thumbnail = cache_home ? cache_thumbnail (cache_home, path)
                                              : g_build_filename (T.corpus_dir, thumb_name, NULL);
      g_autofree char *thumbnail_line = as_printed (thumbnail);
      g_autofree char *printed = g_strconcat ("\n", thumbnail_line, "\n", NULL);
      guint lines = cs_run_count_prefix (run, prefix);
      gboolean reported = strstr (out->str, printed) != NULL;

      if (recursive && (spec->flags & CS_HOSTILE_RECURSE_SKIPS))
        {
          if (lines != 0)
            fail_with ("%s: reported, though a folder is descended with --recursive", printable);
          continue;
        }

      if (lines > 1)
        fail_with ("%s: %u lines name it, one expected", printable, lines);

      if (lines >= 1)
        {
          const char *line = cs_run_find_prefix (run, prefix);
          const char *reason = second && !(spec->flags & CS_HOSTILE_NOT_CONTENT)
                               ? "failed before" : spec->reason;

          failures++;
          assert_clean_line (line);
          if (expect == CS_HOSTILE_OK)
            fail_with ("%s: a thumbnail was expected; the program said %s", printable, line);
          if (reason != NULL && !contains_nocase (line + strlen (prefix), reason))
            fail_with ("%s: the reason does not say “%s”", printable, reason);
          if (reported || g_file_test (thumbnail, G_FILE_TEST_EXISTS))
            fail_with ("%s: both an error and a thumbnail", printable);
        }
      else
        {
          g_autoptr(GdkPixbuf) pixbuf = NULL;

          if (expect == CS_HOSTILE_FAIL)
            fail_with ("%s: no error line (exactly one expected)", printable);
          if (!reported)
            fail_with ("%s: neither an error line nor a thumbnail on stdout", printable);
          else
            {
              thumbnails++;
              pixbuf = load_thumbnail (thumbnail, 128);
              if (pixbuf != NULL && spec->check == CS_HOSTILE_CHECK_NO_SECRET && count_secret (pixbuf) > 0)
                fail_with ("%s: a private file's colour in the thumbnail", printable);
            }
        }
    }

  if (!cs_run_parse_summary (run, &summary))
    fail_with ("no summary line: the batch did not finish");
  else
    {
      if (summary.done != thumbnails)
        fail_with ("the summary says %" G_GUINT64_FORMAT " thumbnails, %u seen",
                   summary.done, thumbnails);
      if (second && summary.reused != summary.done)
        fail_with ("the second run reused %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " thumbnails",
                   summary.reused, summary.done);
    }

  return failures;
}

static void
test_batch_beside (void)
{
  g_autoptr(GHashTable) outputs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(CsRun) run = { 0 };
  const char *args[] = { "-o", "beside", "-j", "2", NULL, NULL };
  guint failures;
  CsSummary summary;

  ensure_corpus ();
  args[4] = T.corpus_dir;
  run_cli_full (&run, FALSE, NULL, args, BATCH_TIMEOUT_SECONDS);
  assert_bounded (&run, "batch", BATCH_MAX_MS, BATCH_MAX_RSS_MB);
  record ("(the corpus folder)", "beside", &run, run.status == 1 ? "finished" : "BROKEN");

  failures = check_batch (&run, NULL, FALSE, FALSE);
  if (!run_broken (&run))
    {
      if (cs_run_parse_summary (&run, &summary) && summary.failed != failures)
        fail_with ("the summary says %" G_GUINT64_FORMAT " failed, %u error lines",
                   summary.failed, failures);
      if (g_strv_length (run.err_lines) != failures + 1)
        fail_with ("%u lines on stderr, %u expected (one per failure and the summary)",
                   g_strv_length (run.err_lines), failures + 1);
      g_assert_cmpint (run.status, ==, 1);
    }

  /* Its own thumbnails and nothing else: no temporary file, no change. */
  for (guint i = 0; i < T.corpus->len; i++)
    {
      const CsHostileEntry *entry = g_ptr_array_index (T.corpus, i);

      g_hash_table_add (outputs, beside_name (entry->name));
    }
  assert_corpus_unchanged (outputs);

  {
    GHashTableIter iter;
    gpointer name;

    g_hash_table_iter_init (&iter, outputs);
    while (g_hash_table_iter_next (&iter, &name, NULL))
      {
        g_autofree char *path = g_build_filename (T.corpus_dir, name, NULL);

        g_unlink (path);
      }
  }
}

/* One copy in the folder of killers and good files. */
typedef struct
{
  char     *name;
  char     *prefix;     /* how its error line starts */
  char     *thumbnail;  /* where its beside thumbnail goes */
  gboolean  killer;
} Neighbour;

static void
neighbour_free (Neighbour *neighbour)
{
  g_free (neighbour->name);
  g_free (neighbour->prefix);
  g_free (neighbour->thumbnail);
  g_free (neighbour);
}

static Neighbour *
neighbour_new (const char *folder,
               char       *name,
               gboolean    killer)
{
  Neighbour *neighbour = g_new0 (Neighbour, 1);
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autofree char *thumb_name = beside_name (name);

  neighbour->name = name;
  neighbour->prefix = g_strconcat (path, ": ", NULL);
  neighbour->thumbnail = g_build_filename (folder, thumb_name, NULL);
  neighbour->killer = killer;

  return neighbour;
}

/* Files that kill their decoder next to good ones, several workers: a
 * good file's thumbnail must not depend on what it was decoded beside.
 * (glycin gives one loader process to every decode of a format running
 * at once, and hands out a dead one until it has reaped it.) */
static void
test_batch_neighbours (void)
{
  static const char *const killers[] = { "gif-frame-65535" };
  static const char *const good[] = { "good-gif", "good-tiff", "gif-3000-tiny" };
  g_autofree char *source = g_build_filename (T.root, "neighbours-source", NULL);
  g_autofree char *folder = g_build_filename (T.root, "neighbours", NULL);
  g_autoptr(GPtrArray) neighbours = g_ptr_array_new_with_free_func ((GDestroyNotify) neighbour_free);
  const char *args[] = { "-o", "beside", "-j", "3", NULL, NULL };
  CsHostileContext context = { source, T.private_dir };

  ensure_corpus ();
  make_dir (source, 0755);
  make_dir (folder, 0755);

  for (guint i = 0; i < G_N_ELEMENTS (killers) + G_N_ELEMENTS (good); i++)
    {
      gboolean killer = i < G_N_ELEMENTS (killers);
      const char *id = killer ? killers[i] : good[i - G_N_ELEMENTS (killers)];
      const CsHostileEntry *entry = cs_hostile_corpus_find (T.corpus, id);
      g_autoptr(GError) error = NULL;
      g_autofree char *from = NULL;
      g_autofree char *contents = NULL;
      gsize length;

      g_assert_nonnull (entry);
      cs_hostile_write_entry (entry, &context, &error);
      g_assert_no_error (error);
      from = g_build_filename (source, entry->name, NULL);
      g_file_get_contents (from, &contents, &length, &error);
      g_assert_no_error (error);

      /* Eight of each, their names interleaved. */
      for (guint copy = 0; copy < 8; copy++)
        {
          char *name = g_strdup_printf ("%02u-%u-%s", copy, i, entry->name);
          g_autofree char *to = g_build_filename (folder, name, NULL);

          g_file_set_contents (to, contents, length, &error);
          g_assert_no_error (error);
          g_ptr_array_add (neighbours, neighbour_new (folder, name, killer));
        }
    }

  /* Three times: which files meet in a loader is up to the workers. */
  args[4] = folder;
  for (guint pass = 0; pass < 3; pass++)
    {
      g_auto(CsRun) run = { 0 };
      guint failures = 0;

      run_cli_full (&run, FALSE, NULL, args, BATCH_TIMEOUT_SECONDS);
      assert_bounded (&run, "neighbours", BATCH_MAX_MS, BATCH_MAX_RSS_MB);
      if (pass == 0)
        record ("(killers beside good files)", "beside", &run, run_broken (&run) ? "BROKEN" : "finished");
      if (run_broken (&run))
        {
          fail_with ("the batch did not finish");
          return;
        }

      /* A good file gets its thumbnail; a killer fails on its own (or,
       * where the decoder keeps the frame inside the canvas, makes a
       * thumbnail), with one line. */
      for (guint i = 0; i < neighbours->len; i++)
        {
          const Neighbour *neighbour = g_ptr_array_index (neighbours, i);
          const char *line = cs_run_find_prefix (&run, neighbour->prefix);

          if (neighbour->killer)
            failures += cs_run_count_prefix (&run, neighbour->prefix);
          else if (line != NULL)
            fail_with ("%s failed beside files that kill their decoder: %s", neighbour->name, line);
          else if (!g_file_test (neighbour->thumbnail, G_FILE_TEST_IS_REGULAR))
            fail_with ("%s: no thumbnail", neighbour->name);
          g_unlink (neighbour->thumbnail);
        }
      if (g_strv_length (run.err_lines) != failures + 1)
        fail_with ("%u lines on stderr, %u expected (one per failed killer and the summary)",
                   g_strv_length (run.err_lines), failures + 1);
    }
}

/* Recursive, in the cache, twice: the second run retries nothing. A link
 * back to the folder itself is reported once and not followed. */
static void
test_batch_cache_twice (void)
{
  g_autofree char *cache_home = g_build_filename (T.root, "cache", "batch", NULL);
  g_autofree char *loop = NULL;
  g_autofree char *loop_prefix = NULL;
  g_auto(CsRun) first = { 0 };
  g_auto(CsRun) second = { 0 };
  const char *args[] = { "-r", "-j", "2", NULL, NULL };

  ensure_corpus ();
  loop = g_build_filename (T.corpus_dir, "loopdir", NULL);
  loop_prefix = g_strconcat (loop, ": ", NULL);
  g_assert_cmpint (symlink (".", loop), ==, 0);
  make_dir (cache_home, 0700);
  args[3] = T.corpus_dir;

  for (guint pass = 0; pass < 2; pass++)
    {
      CsRun *run = pass == 0 ? &first : &second;
      guint failures;
      CsSummary summary;
      const char *line;

      run_cli_full (run, FALSE, cache_home, args, BATCH_TIMEOUT_SECONDS);
      assert_bounded (run, pass == 0 ? "batch" : "batch, again",
                      pass == 0 ? BATCH_MAX_MS : scaled_ms (5000), BATCH_MAX_RSS_MB);
      record ("(the corpus folder, -r)", pass == 0 ? "cache" : "cache-2", run,
              run->status == 1 ? "finished" : "BROKEN");

      failures = check_batch (run, cache_home, TRUE, pass == 1);
      assert_cache_clean_full (cache_home, run_broken (run));
      if (run_broken (run))
        continue;

      line = cs_run_find_prefix (run, loop_prefix);
      if (cs_run_count_prefix (run, loop_prefix) != 1)
        fail_with ("the link loop: %u lines, one expected", cs_run_count_prefix (run, loop_prefix));
      else if (!contains_nocase (line, "loop"))
        fail_with ("the link loop's line does not say “loop”: %s", line);
      if (cs_run_parse_summary (run, &summary) && summary.failed != failures)
        fail_with ("the summary says %" G_GUINT64_FORMAT " failed, %u error lines", summary.failed, failures);
      if (g_strv_length (run->err_lines) != failures + 2)
        fail_with ("%u lines on stderr, %u expected", g_strv_length (run->err_lines), failures + 2);
      g_assert_cmpint (run->status, ==, 1);
    }

  if (!run_broken (&first) && second.seconds > first.seconds + 0.5)
    fail_with ("the second run (%.2f s) was slower than the first (%.2f s)", second.seconds, first.seconds);

  g_unlink (loop);
  assert_corpus_unchanged (NULL);
}

/* Names: what the program prints for a newline in a file name */

static void
test_name_newline_shown (void)
{
  const CsHostileEntry *entry = cs_hostile_corpus_find (T.corpus, "name-newline-bad");
  g_autofree char *expected = NULL;
  g_auto(CsRun) run = { 0 };

  ensure_corpus ();
  expected = g_strconcat (T.corpus_dir, "/new\\nline.jpg: ", NULL);
  run_cli (&run, NULL, "-o", "beside", entry_path (entry), NULL);
  assert_bounded (&run, "newline", DEFAULT_MAX_MS, DEFAULT_MAX_RSS_MB);
  g_assert_nonnull (run.err_lines[0]);
  g_assert_true (g_str_has_prefix (run.err_lines[0], expected));
  g_assert_cmpuint (g_strv_length (run.err_lines), ==, 2);
}

/* Permissions, as a user without privileges */

static char *
copy_program (const char *path,
              const char *name)
{
  g_autofree char *bin = g_build_filename (T.root, "bin", NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  char *copy = g_build_filename (bin, name, NULL);
  gsize len;

  make_dir (bin, 0755);
  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (copy, data, len, G_FILE_SET_CONTENTS_NONE, 0755, &error);
  g_assert_no_error (error);

  return copy;
}

static gboolean
need_nobody (void)
{
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");

  if (setpriv == NULL)
    {
      g_test_skip ("setpriv (util-linux) is missing: cannot run as an unprivileged user");
      return FALSE;
    }
  if (getuid () != 0)
    {
      g_test_skip ("not root: cannot switch to an unprivileged user (run as a user, the "
                   "other tests already are)");
      return FALSE;
    }

  /* The build tree may be closed to others: the programs go where the
   * unprivileged user can run them. */
  if (T.cli_copy == NULL)
    {
      const char *decoder = g_getenv ("CONTACT_SHEET_DECODER");

      T.cli_copy = copy_program (T.cli, "contact-sheet-cli");
      if (decoder != NULL && decoder[0] != '\0')
        T.decoder_copy = copy_program (decoder, "contact-sheet-decoder");
    }

  return TRUE;
}

static void
assert_failure_line (const CsRun *run,
                     const char  *path,
                     const char  *reason)
{
  g_autofree char *prefix = g_strconcat (path, ": ", NULL);
  const char *line = cs_run_find_prefix (run, prefix);
  guint n = cs_run_count_prefix (run, prefix);

  if (n != 1)
    fail_with ("%s: %u lines, exactly one expected", path, n);
  else
    {
      assert_clean_line (line);
      if (reason != NULL && !contains_nocase (line + strlen (prefix), reason))
        fail_with ("%s: the reason does not say “%s”: %s", path, reason, line);
    }
}

static void
assert_summary (const CsRun *run,
                guint        done,
                guint        failed)
{
  CsSummary summary;

  if (!cs_run_parse_summary (run, &summary))
    {
      fail_with ("no summary line");
      return;
    }
  g_assert_cmpuint (summary.done, ==, done);
  g_assert_cmpuint (summary.failed, ==, failed);
}

static void
assert_unchanged (const char *folder,
                  GHashTable *before)
{
  g_autoptr(GHashTable) after = cs_fingerprint_tree (folder);
  g_autoptr(GPtrArray) problems = cs_fingerprint_diff (before, after, NULL);

  for (guint i = 0; i < problems->len; i++)
    fail_with ("%s: %s", folder, (char *) g_ptr_array_index (problems, i));
}

static void
test_unreadable_files (void)
{
  g_autofree char *folder = g_build_filename (T.root, "perm-unreadable", NULL);
  g_autofree char *out = g_build_filename (T.root, "perm-unreadable-out", NULL);
  g_autofree char *good = g_build_filename (folder, "good.jpg", NULL);
  g_autofree char *locked = g_build_filename (folder, "locked.jpg", NULL);
  g_autofree char *write_only = g_build_filename (folder, "write-only.png", NULL);
  g_autofree char *good_thumb = g_build_filename (out, "good.thumb.jpg", NULL);
  g_autoptr(GHashTable) before = NULL;
  g_auto(CsRun) run = { 0 };

  if (!need_nobody ())
    return;

  make_dir (folder, 0755);
  make_dir (out, 0777);
  write_image (good, 320, 240, "jpeg");
  write_image (locked, 320, 240, "jpeg");
  write_image (write_only, 320, 240, "png");
  g_chmod (locked, 0000);
  g_chmod (write_only, 0200);
  before = cs_fingerprint_tree (folder);

  run_as_nobody (&run, NULL, "-o", out, "-j", "1", folder, NULL);
  assert_bounded (&run, "unreadable files", DEFAULT_MAX_MS, DEFAULT_MAX_RSS_MB);
  record ("(unreadable files, as nobody)", "folder", &run, run.status == 1 ? "finished" : "BROKEN");
  g_assert_cmpint (run.status, ==, 1);
  assert_failure_line (&run, locked, "permission denied");
  assert_failure_line (&run, write_only, "permission denied");
  g_assert_cmpuint (g_strv_length (run.err_lines), ==, 3);
  assert_summary (&run, 1, 2);
  g_assert_true (g_file_test (good_thumb, G_FILE_TEST_IS_REGULAR));
  assert_unchanged (folder, before);

  remove_tree (folder);
  remove_tree (out);
}

static void
test_read_only_folder (void)
{
  g_autofree char *folder = g_build_filename (T.root, "perm-read-only", NULL);
  const char *names[] = { "a.jpg", "b.png", "c.gif" };
  g_autofree char *bad = g_build_filename (folder, "notes.jpg", NULL);
  g_autoptr(GHashTable) before = NULL;
  g_auto(CsRun) run = { 0 };

  if (!need_nobody ())
    return;

  make_dir (folder, 0755);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (folder, names[i], NULL);
      g_autoptr(GBytes) gif = NULL;

      if (g_str_has_suffix (names[i], ".gif"))
        {
          gif = cs_hostile_gif_new (64, 64, 1, 64, 64, 1);
          write_file (path, g_bytes_get_data (gif, NULL), g_bytes_get_size (gif));
        }
      else
        write_image (path, 300, 200, g_str_has_suffix (names[i], ".png") ? "png" : "jpeg");
    }
  write_file (bad, "not a picture", -1);
  g_chmod (folder, 0555);
  before = cs_fingerprint_tree (folder);

  run_as_nobody (&run, NULL, "-o", "beside", "-j", "2", folder, NULL);
  assert_bounded (&run, "read-only folder", DEFAULT_MAX_MS, DEFAULT_MAX_RSS_MB);
  record ("(read-only folder, as nobody)", "beside", &run, run.status == 1 ? "finished" : "BROKEN");
  g_assert_cmpint (run.status, ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (folder, names[i], NULL);

      assert_failure_line (&run, path, "permission denied");
    }
  assert_failure_line (&run, bad, "not an image");
  g_assert_cmpuint (g_strv_length (run.err_lines), ==, 5);
  assert_summary (&run, 0, 4);
  g_assert_cmpstr (run.out, ==, "");
  assert_unchanged (folder, before);

  remove_tree (folder);
}

static void
test_unreadable_folder (void)
{
  g_autofree char *folder = g_build_filename (T.root, "perm-folder", NULL);
  g_autofree char *sub = g_build_filename (folder, "private", NULL);
  g_autofree char *hidden = g_build_filename (sub, "hidden.jpg", NULL);
  g_autofree char *ok = g_build_filename (folder, "ok.jpg", NULL);
  g_autofree char *out = g_build_filename (T.root, "perm-folder-out", NULL);
  g_auto(CsRun) run = { 0 };

  if (!need_nobody ())
    return;

  make_dir (sub, 0755);
  make_dir (out, 0777);
  write_image (ok, 300, 200, "jpeg");
  write_image (hidden, 300, 200, "jpeg");
  g_chmod (sub, 0700);

  /* A sub-folder it cannot list: one line, and the rest goes on. */
  run_as_nobody (&run, NULL, "-r", "-o", out, folder, NULL);
  assert_bounded (&run, "unreadable sub-folder", DEFAULT_MAX_MS, DEFAULT_MAX_RSS_MB);
  g_assert_cmpint (run.status, ==, 1);
  assert_failure_line (&run, sub, "permission denied");
  g_assert_cmpuint (g_strv_length (run.err_lines), ==, 2);
  assert_summary (&run, 1, 0);

  /* The folder given cannot be listed at all. */
  run_as_nobody (&run, NULL, "-o", out, sub, NULL);
  assert_bounded (&run, "unreadable folder", DEFAULT_MAX_MS, DEFAULT_MAX_RSS_MB);
  g_assert_cmpint (run.status, ==, 1);
  assert_failure_line (&run, sub, "permission denied");
  g_assert_cmpuint (g_strv_length (run.err_lines), ==, 2);
  assert_summary (&run, 0, 0);

  remove_tree (folder);
  remove_tree (out);
}

/* A few good images and one that is not, world-readable. */
static char *
write_small_folder (const char *name,
                    GPtrArray  *good,
                    char      **bad)
{
  char *folder = g_build_filename (T.root, name, NULL);

  make_dir (folder, 0755);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *base = g_strdup_printf ("photo-%u.jpg", i);
      char *path = g_build_filename (folder, base, NULL);

      write_image (path, 400, 300, "jpeg");
      g_ptr_array_add (good, path);
    }
  *bad = g_build_filename (folder, "notes.png", NULL);
  write_file (*bad, "not a picture", -1);

  return folder;
}

/* XDG_CACHE_HOME read-only, empty or with its folders made: every file fails
 * with a clear reason, nothing crashes, nothing is written. */
static void
test_cache_read_only (void)
{
  g_autoptr(GPtrArray) good = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *bad = NULL;
  g_autofree char *folder = NULL;

  if (!need_nobody ())
    return;

  folder = write_small_folder ("cache-ro-src", good, &bad);

  for (guint variant = 0; variant < 2; variant++)
    {
      g_autofree char *cache = g_build_filename (T.root, variant == 0 ? "cache-ro-empty" : "cache-ro-made", NULL);
      g_autoptr(GHashTable) before = NULL;
      g_auto(CsRun) run = { 0 };

      make_dir (cache, 0755);
      if (variant == 1)
        {
          g_autofree char *normal = g_build_filename (cache, "thumbnails", "normal", NULL);
          g_autofree char *fail = g_build_filename (cache, "thumbnails", "fail", FAIL_FOLDER, NULL);

          make_dir (normal, 0555);
          make_dir (fail, 0555);
        }
      g_chmod (cache, 0555);
      before = cs_fingerprint_tree (cache);

      run_as_nobody (&run, cache, "-j", "2", folder, NULL);
      assert_bounded (&run, "read-only cache", DEFAULT_MAX_MS, DEFAULT_MAX_RSS_MB);
      record (variant == 0 ? "(read-only empty cache, as nobody)" : "(read-only cache folders, as nobody)",
              "cache", &run, run.status == 1 ? "finished" : "BROKEN");
      g_assert_cmpint (run.status, ==, 1);
      for (guint i = 0; i < good->len; i++)
        assert_failure_line (&run, g_ptr_array_index (good, i), "permission denied");
      assert_failure_line (&run, bad, "not an image");
      g_assert_cmpuint (g_strv_length (run.err_lines), ==, good->len + 2);
      assert_summary (&run, 0, good->len + 1);
      assert_unchanged (cache, before);
      remove_tree (cache);
    }

  remove_tree (folder);
}

/* As root, a cache whose "thumbnails" is a file. */
static void
test_cache_not_a_folder (void)
{
  g_autoptr(GPtrArray) good = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *bad = NULL;
  g_autofree char *folder = write_small_folder ("cache-file-src", good, &bad);
  g_autofree char *cache = g_build_filename (T.root, "cache-file", NULL);
  g_autofree char *thumbnails = g_build_filename (cache, "thumbnails", NULL);
  g_auto(CsRun) run = { 0 };

  make_dir (cache, 0700);
  write_file (thumbnails, "I am not a folder", -1);

  run_cli (&run, cache, "-j", "2", folder, NULL);
  assert_bounded (&run, "cache is a file", DEFAULT_MAX_MS, DEFAULT_MAX_RSS_MB);
  g_assert_cmpint (run.status, ==, 1);
  for (guint i = 0; i < good->len; i++)
    assert_failure_line (&run, g_ptr_array_index (good, i), "not a directory");
  assert_failure_line (&run, bad, "not an image");
  g_assert_cmpuint (g_strv_length (run.err_lines), ==, good->len + 2);
  assert_summary (&run, 0, good->len + 1);

  remove_tree (folder);
  remove_tree (cache);
}

/* A full disk */

static const char *small_disks[] = { "full-disk", "full-cache" };

static gboolean
mount_small (const char *dir)
{
  make_dir (dir, 0755);
  if (mount ("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=256k,mode=0755") != 0)
    {
      g_autofree char *why = g_strdup_printf ("cannot mount a 256 KiB tmpfs (%s): "
                                              "the full disk needs root in a namespace that "
                                              "may mount", g_strerror (errno));
      g_test_skip (why);
      return FALSE;
    }

  return TRUE;
}

static void
unmount_small (const char *dir)
{
  if (umount2 (dir, MNT_DETACH) != 0)
    g_test_message ("Cannot unmount %s: %s", dir, g_strerror (errno));
  g_rmdir (dir);
}

/* Fills the file system under @dir, then frees @leave bytes. */
static void
fill_disk (const char *dir,
           gsize       leave)
{
  g_autofree char *path = g_build_filename (dir, "filler.bin", NULL);
  char block[4096];
  struct stat st;
  int fd;

  memset (block, 0x5a, sizeof block);
  fd = g_open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  while (write (fd, block, sizeof block) > 0)
    ;
  while (write (fd, block, 1) > 0)
    ;
  g_assert_cmpint (errno, ==, ENOSPC);
  fstat (fd, &st);
  if (leave > 0)
    g_assert_cmpint (ftruncate (fd, st.st_size > (off_t) leave ? st.st_size - leave : 0), ==, 0);
  close (fd);
}

static void
test_full_disk_beside (void)
{
  g_autofree char *disk = g_build_filename (T.root, small_disks[0], NULL);
  g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) before = NULL;
  g_auto(CsRun) run = { 0 };

  if (!mount_small (disk))
    return;

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("photo-%u.jpg", i);
      char *path = g_build_filename (disk, name, NULL);

      write_image (path, 400, 300, "jpeg");
      g_ptr_array_add (sources, path);
    }

  /* Not a byte free: every thumbnail fails, each with one clear line. */
  fill_disk (disk, 0);
  before = cs_fingerprint_tree (disk);
  run_cli (&run, NULL, "-o", "beside", "-s", "256", "-j", "2", disk, NULL);
  assert_bounded (&run, "full disk", DEFAULT_MAX_MS, DEFAULT_MAX_RSS_MB);
  record ("(full disk)", "beside", &run, run.status == 1 ? "finished" : "BROKEN");
  g_assert_cmpint (run.status, ==, 1);
  for (guint i = 0; i < sources->len; i++)
    assert_failure_line (&run, g_ptr_array_index (sources, i), "no space left");
  g_assert_cmpuint (g_strv_length (run.err_lines), ==, sources->len + 1);
  assert_summary (&run, 0, sources->len);
  assert_unchanged (disk, before);

  /* Room for some: each file has a complete thumbnail or one error line,
   * and no temporary file is left. */
  {
    g_autofree char *filler = g_build_filename (disk, "filler.bin", NULL);
    g_autoptr(GHashTable) allowed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) after = NULL;
    g_autoptr(GPtrArray) problems = NULL;
    guint done = 0, failed = 0;
    CsSummary summary;

    g_unlink (filler);
    fill_disk (disk, 24 * 1024);
    g_clear_pointer (&before, g_hash_table_unref);
    before = cs_fingerprint_tree (disk);

    run_cli (&run, NULL, "-o", "beside", "-s", "256", "-j", "2", disk, NULL);
    assert_bounded (&run, "nearly full disk", DEFAULT_MAX_MS, DEFAULT_MAX_RSS_MB);
    for (guint i = 0; i < sources->len; i++)
      {
        const char *path = g_ptr_array_index (sources, i);
        g_autofree char *base = g_path_get_basename (path);
        g_autofree char *thumb_name = beside_name (base);
        g_autofree char *thumbnail = g_build_filename (disk, thumb_name, NULL);
        g_autofree char *prefix = g_strconcat (path, ": ", NULL);

        if (cs_run_count_prefix (&run, prefix) == 1)
          {
            failed++;
            assert_failure_line (&run, path, "no space left");
            if (g_file_test (thumbnail, G_FILE_TEST_EXISTS))
              fail_with ("%s: an error and a thumbnail", path);
          }
        else
          {
            g_autoptr(GdkPixbuf) pixbuf = NULL;

            done++;
            g_assert_cmpuint (cs_run_count_prefix (&run, prefix), ==, 0);
            pixbuf = load_thumbnail (thumbnail, 256);
            g_hash_table_add (allowed, g_steal_pointer (&thumb_name));
          }
      }
    g_test_message ("nearly full disk: %u thumbnails, %u failures", done, failed);
    if (cs_run_parse_summary (&run, &summary))
      {
        g_assert_cmpuint (summary.done, ==, done);
        g_assert_cmpuint (summary.failed, ==, failed);
      }
    g_assert_cmpint (run.status, ==, failed > 0 ? 1 : 0);
    after = cs_fingerprint_tree (disk);
    problems = cs_fingerprint_diff (before, after, allowed);
    for (guint i = 0; i < problems->len; i++)
      fail_with ("%s: %s", disk, (char *) g_ptr_array_index (problems, i));
  }

  unmount_small (disk);
}

static void
test_full_disk_cache (void)
{
  g_autoptr(GPtrArray) good = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *bad = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *disk = g_build_filename (T.root, small_disks[1], NULL);
  g_autofree char *cache = g_build_filename (disk, "xdg", NULL);

  if (!mount_small (disk))
    return;

  folder = write_small_folder ("full-cache-src", good, &bad);
  make_dir (cache, 0700);
  fill_disk (disk, 0);

  for (guint pass = 0; pass < 2; pass++)
    {
      g_auto(CsRun) run = { 0 };

      run_cli (&run, cache, "-j", "2", folder, NULL);
      assert_bounded (&run, "full cache", DEFAULT_MAX_MS, DEFAULT_MAX_RSS_MB);
      record ("(full disk under the cache)", pass == 0 ? "cache" : "cache-2", &run,
              run.status == 1 ? "finished" : "BROKEN");
      g_assert_cmpint (run.status, ==, 1);
      for (guint i = 0; i < good->len; i++)
        assert_failure_line (&run, g_ptr_array_index (good, i), "no space left");
      assert_failure_line (&run, bad, NULL);
      g_assert_cmpuint (g_strv_length (run.err_lines), ==, good->len + 2);
      assert_summary (&run, 0, good->len + 1);
      assert_cache_clean (cache);
    }

  unmount_small (disk);
  remove_tree (folder);
}

/* Slow: a file rewritten while it is read */

typedef struct
{
  char   *path;
  char   *spare;    /* same file system, another folder: for rename() */
  GBytes *big;      /* a large PNG */
  GBytes *other;    /* a different, small JPEG */
  gint    stop;
  guint   rounds;
} Racer;

static void
write_slowly (const char *path,
              GBytes     *bytes,
              int         flags,
              GRand      *rand)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  int fd = g_open (path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);

  if (fd < 0)
    return;
  for (gsize done = 0; done < len;)
    {
      gssize n = write (fd, data + done, MIN (len - done, 256 * 1024));

      if (n <= 0)
        break;
      done += n;
      g_usleep (g_rand_int_range (rand, 0, 2000));
    }
  close (fd);
}

static gpointer
race (gpointer data)
{
  Racer *r = data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  gsize big_len = g_bytes_get_size (r->big);

  while (!g_atomic_int_get (&r->stop))
    {
      switch (r->rounds++ % 5)
        {
        case 0:  /* cut short where it stands, then the whole again */
          truncate (r->path, g_rand_int_range (rand, 0, big_len));
          g_usleep (g_rand_int_range (rand, 0, 20000));
          write_slowly (r->path, r->big, 0, rand);
          break;
        case 1:  /* deleted, then made again */
          g_unlink (r->path);
          g_usleep (g_rand_int_range (rand, 0, 20000));
          write_slowly (r->path, r->big, O_EXCL, rand);
          break;
        case 2:  /* replaced at once by another image */
          g_file_set_contents (r->spare, g_bytes_get_data (r->other, NULL),
                               g_bytes_get_size (r->other), NULL);
          g_rename (r->spare, r->path);
          g_usleep (g_rand_int_range (rand, 0, 20000));
          break;
        case 3:  /* zeros in the middle, in place */
          {
            int fd = g_open (r->path, O_WRONLY | O_CLOEXEC, 0);
            char zeros[65536] = { 0 };

            if (fd >= 0)
              {
                if (pwrite (fd, zeros, sizeof zeros, big_len / 2) < 0)
                  g_usleep (1000);
                close (fd);
              }
            g_usleep (g_rand_int_range (rand, 0, 20000));
          }
          break;
        default:  /* emptied, then written again slowly */
          write_slowly (r->path, r->big, O_TRUNC, rand);
          break;
        }
    }

  g_file_set_contents (r->path, g_bytes_get_data (r->big, NULL), big_len, NULL);

  return NULL;
}

static void
test_slow_race (void)
{
  g_autofree char *folder = g_build_filename (T.root, "race", NULL);
  g_autofree char *spare_dir = g_build_filename (T.root, "race-spare", NULL);
  g_autofree char *cache_home = g_build_filename (T.root, "cache", "race", NULL);
  g_autofree char *prefix = NULL;
  g_autoptr(GHashTable) reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  GThread *thread;
  Racer r = { 0 };
  guint thumbnails = 0, errors = 0;
  double worst_time = 0;
  guint64 worst_rss = 0;
  gsize len;

  make_dir (folder, 0755);
  make_dir (spare_dir, 0755);
  make_dir (cache_home, 0700);
  r.path = g_build_filename (folder, "photo.png", NULL);
  r.spare = g_build_filename (spare_dir, "next.png", NULL);
  cs_hostile_write_noise_png (r.path, 1600, 1200, 3, &error);
  g_assert_no_error (error);
  g_file_get_contents (r.path, &data, &len, &error);
  g_assert_no_error (error);
  r.big = g_bytes_new_take (g_steal_pointer (&data), len);
  {
    g_autofree char *small = g_build_filename (spare_dir, "small.jpg", NULL);

    write_image (small, 640, 480, "jpeg");
    g_file_get_contents (small, &data, &len, &error);
    g_assert_no_error (error);
    r.other = g_bytes_new_take (g_steal_pointer (&data), len);
  }
  prefix = g_strconcat (r.path, ": ", NULL);

  thread = g_thread_new ("racer", race, &r);

  for (guint i = 0; i < RACE_RUNS; i++)
    {
      gboolean cache = i % 2 == 1;
      g_autofree char *thumbnail = cache ? cache_thumbnail (cache_home, r.path)
                                         : g_build_filename (folder, "photo.thumb.png", NULL);
      g_auto(CsRun) run = { 0 };

      if (cache)
        run_cli (&run, cache_home, "-j", "1", r.path, NULL);
      else
        run_cli (&run, NULL, "-o", "beside", "-j", "1", r.path, NULL);

      if (!assert_bounded (&run, "race", scaled_ms (10000), DEFAULT_MAX_RSS_MB))
        continue;
      worst_time = MAX (worst_time, run.seconds);
      worst_rss = MAX (worst_rss, run.max_rss_kb);

      if (run.status == 0)
        {
          g_autofree char *expected = g_strconcat (thumbnail, "\n", NULL);
          g_autoptr(GdkPixbuf) pixbuf = NULL;

          thumbnails++;
          g_assert_cmpstr (run.out, ==, expected);
          g_assert_cmpuint (g_strv_length (run.err_lines), ==, 1);
          pixbuf = load_thumbnail (thumbnail, 128);
        }
      else if (run.status == 1)
        {
          const char *line = cs_run_find_prefix (&run, prefix);

          errors++;
          g_assert_cmpuint (cs_run_count_prefix (&run, prefix), ==, 1);
          g_assert_cmpuint (g_strv_length (run.err_lines), ==, 2);
          if (line != NULL)
            g_hash_table_add (reasons, g_strdup (line + strlen (prefix)));
        }
      else
        fail_with ("race: exit status %d", run.status);

      /* Nothing but the photo and its thumbnail, never a temporary file. */
      {
        g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
        const char *name;

        while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
          if (!g_str_equal (name, "photo.png") && !g_str_equal (name, "photo.thumb.png"))
            fail_with ("race: stray file %s", name);
      }
      if (!cache)
        g_unlink (thumbnail);
      if (cache)
        assert_cache_clean (cache_home);
    }

  g_atomic_int_set (&r.stop, 1);
  g_thread_join (thread);

  {
    g_autoptr(GString) text = g_string_new (NULL);
    GHashTableIter iter;
    gpointer reason;

    g_hash_table_iter_init (&iter, reasons);
    while (g_hash_table_iter_next (&iter, &reason, NULL))
      g_string_append_printf (text, " “%s”", (char *) reason);
    g_test_message ("race: %u rewrites, %u thumbnails, %u errors, worst %.2f s, %" G_GUINT64_FORMAT
                    " KiB; reasons:%s", r.rounds, thumbnails, errors, worst_time, worst_rss, text->str);
    g_string_append_printf (T.table, "%-34s %-8s %8.3f %9" G_GUINT64_FORMAT "  %u thumbnails, %u errors (worst of %u runs)\n",
                            "(rewritten while read)", "both", worst_time, worst_rss, thumbnails, errors,
                            RACE_RUNS);
  }

  g_bytes_unref (r.big);
  g_bytes_unref (r.other);
  g_free (r.path);
  g_free (r.spare);
  remove_tree (folder);
  remove_tree (spare_dir);
}

/* Slow: an image exactly at the pixel limit is allowed, within bounds */

static void
test_slow_at_limit (void)
{
  g_autofree char *folder = g_build_filename (T.root, "at-limit", NULL);
  g_autofree char *out = g_build_filename (T.root, "at-limit-out", NULL);
  g_autofree char *path = g_build_filename (folder, "at-limit-16384x16384.png", NULL);
  g_autofree char *thumbnail = g_build_filename (out, "at-limit-16384x16384.thumb.png", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(CsRun) run = { 0 };

  make_dir (folder, 0755);
  make_dir (out, 0755);
  cs_hostile_write_png_zeros (path, 16384, 16384, 2, &error);
  g_assert_no_error (error);

  run_cli (&run, NULL, "-o", out, "-j", "1", path, NULL);
  assert_bounded (&run, "at the limit", 60000, 1536);
  record ("at-limit-16384x16384 (RGB)", "folder",
          &run, outcome_name (check_single (&run, path, thumbnail, CS_HOSTILE_EITHER, NULL)));

  remove_tree (folder);
  remove_tree (out);
}

/* Slow: GdkPixbuf's own crashers and failures (package gdk-pixbuf-tests) */

static void
collect_files (const char *folder,
               GPtrArray  *files)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_files (path, files);
      else if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, g_steal_pointer (&path));
    }
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
test_slow_fixtures (void)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = g_build_filename (T.root, "fixtures-out", NULL);
  g_autoptr(GHashTable) before = NULL;
  guint thumbnails = 0, errors = 0;

  if (!g_file_test (FIXTURES, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("GdkPixbuf's test images are not installed (Debian package gdk-pixbuf-tests)");
      return;
    }

  collect_files (FIXTURES, files);
  g_ptr_array_sort (files, compare_paths);
  before = cs_fingerprint_tree (FIXTURES);
  make_dir (out, 0755);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *thumb_name = beside_name (base);
      g_autofree char *thumbnail = g_build_filename (out, thumb_name, NULL);
      g_auto(CsRun) run = { 0 };
      Outcome outcome;

      run_cli (&run, NULL, "-o", out, "-j", "1", path, NULL);
      assert_bounded (&run, path + strlen (FIXTURES) + 1, DEFAULT_MAX_MS, DEFAULT_MAX_RSS_MB);
      outcome = check_single (&run, path, thumbnail, CS_HOSTILE_EITHER, NULL);
      record (path + strlen (FIXTURES) + 1, "folder", &run, outcome_name (outcome));
      thumbnails += outcome == OUTCOME_THUMBNAIL;
      errors += outcome == OUTCOME_ERROR;
      g_unlink (thumbnail);
    }
  g_test_message ("%u files: %u thumbnails, %u errors", files->len, thumbnails, errors);

  /* And all of them in one batch. */
  {
    g_auto(CsRun) run = { 0 };
    const char *args[] = { "-r", "-o", out, "-j", "2", FIXTURES, NULL };
    CsSummary summary;

    run_cli_full (&run, FALSE, NULL, args, BATCH_TIMEOUT_SECONDS);
    assert_bounded (&run, "all fixtures", BATCH_MAX_MS, BATCH_MAX_RSS_MB);
    record ("(all of gdk-pixbuf-tests, -r)", "folder", &run,
            run.status == 0 || run.status == 1 ? "finished" : "BROKEN");
    /* The scan offers only image names (no .conf, no .rgba): not every file. */
    if (cs_run_parse_summary (&run, &summary))
      {
        guint printed = 0;

        for (const char *p = run.out; *p != '\0'; p++)
          printed += *p == '\n';
        g_assert_cmpuint (summary.done + summary.failed, >, files->len / 2);
        g_assert_cmpuint (summary.done, ==, printed);
        g_assert_cmpuint (g_strv_length (run.err_lines), ==, summary.failed + 1);
      }
    else
      fail_with ("all fixtures: no summary line");
  }

  assert_unchanged (FIXTURES, before);
  remove_tree (out);
}

/* The GIF from that corpus on which gdk-pixbuf-thumbnailer takes 6 GB. */
static void
test_slow_fixture_gif_6gb (void)
{
  const char *path = FIXTURES "/fail/bug778584.gif";
  g_autofree char *out = g_build_filename (T.root, "gif-6gb-out", NULL);
  g_auto(CsRun) run = { 0 };

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("GdkPixbuf's test images are not installed (Debian package gdk-pixbuf-tests)");
      return;
    }

  make_dir (out, 0755);
  run_cli (&run, NULL, "-o", out, "-j", "1", path, NULL);
  assert_bounded (&run, "bug778584.gif", DEFAULT_MAX_MS, DEFAULT_MAX_RSS_MB);
  /* Its bytes start as a TGA's do: GdkPixbuf's GIF loader refuses its
   * screen from the header, glycin takes it for a TGA of a colour type
   * its loader does not know. Either way an error at once. */
  check_single (&run, path, NULL, CS_HOSTILE_FAIL, HAVE_GLYCIN ? NULL : "too large");
  remove_tree (out);
}

/* Main */

/* The sanitizer setup names one suppressions file; the program's runs here
 * need a few more lines (third-party leaks on hostile paths), so the
 * children get both in one file. */
static void
add_suppressions (void)
{
  const char *options = g_getenv ("LSAN_OPTIONS");
  const char *extra = g_getenv ("CS_HOSTILE_LSAN_SUPP");
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) new_options = g_string_new (NULL);
  g_auto(GStrv) parts = g_strsplit (options ? options : "", ":", -1);
  g_autofree char *merged = g_build_filename (T.root, "lsan.supp", NULL);
  g_autofree char *contents = NULL;

  if (extra == NULL || !g_file_get_contents (extra, &contents, NULL, NULL))
    return;
  g_string_append (text, contents);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0')
        continue;
      if (g_str_has_prefix (parts[i], "suppressions="))
        {
          g_autofree char *base = NULL;

          if (g_file_get_contents (parts[i] + strlen ("suppressions="), &base, NULL, NULL))
            g_string_append_printf (text, "\n%s", base);
          continue;
        }
      g_string_append_printf (new_options, "%s:", parts[i]);
    }
  g_string_append_printf (new_options, "suppressions=%s", merged);

  if (g_file_set_contents (merged, text->str, text->len, NULL))
    g_setenv ("LSAN_OPTIONS", new_options->str, TRUE);
}

static void
print_table (void)
{
  const char *report = g_getenv ("CS_HOSTILE_REPORT");
  g_auto(GStrv) lines = NULL;
  g_autofree char *header = g_strdup_printf ("%-34s %-8s %8s %9s  %s\n", "file", "mode", "seconds",
                                             "peak KiB", "outcome");

  g_string_prepend (T.table, header);
  lines = g_strsplit (T.table->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      printf ("# %s\n", lines[i]);

  if (report != NULL && !g_file_set_contents (report, T.table->str, -1, NULL))
    printf ("# Cannot write %s\n", report);
}

/* The harness itself: it must see a helper that outlives the program, in
 * a process group of its own as decoder helpers are, and reach it at a
 * deadline. This program plays the one that leaves it behind. */

#define LEFT_SECONDS 30

/* Starts a child in a group of its own, without PR_SET_PDEATHSIG, prints
 * its pid, then exits or, with @hang, never does. */
static int
leave_helper (gboolean hang)
{
  pid_t child = fork ();

  if (child < 0)
    return 1;
  if (child == 0)
    {
      setpgid (0, 0);
      sleep (LEFT_SECONDS);
      _exit (0);
    }
  printf ("%d\n", (int) child);
  fflush (stdout);
  if (hang)
    sleep (LEFT_SECONDS);
  return 0;
}

static void
run_leaving_helper (const char *mode,
                    guint       timeout_seconds,
                    CsRun      *run,
                    pid_t      *helper)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  const char *argv[] = { self, mode, NULL };
  g_autofree char *description = NULL;

  g_assert_nonnull (self);
  cs_run_program (T.root, NULL, argv, timeout_seconds, 0, run);
  description = cs_run_describe (run);
  g_test_message ("%s: %s", mode, description);
  *helper = atoi (run->out);
  g_assert_cmpint (*helper, >, 0);
}

static void
test_harness_left_behind (void)
{
  g_auto(CsRun) run = { 0 };
  pid_t helper;

  run_leaving_helper ("--leave-helper", RUN_TIMEOUT_SECONDS, &run, &helper);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (run.survivors);
  g_assert_false (cs_process_is_running (helper));
  if (cs_process_is_running (helper))
    kill (helper, SIGKILL);
}

static void
test_harness_deadline (void)
{
  g_auto(CsRun) run = { 0 };
  pid_t helper;

  run_leaving_helper ("--leave-helper-and-hang", 1, &run, &helper);
  g_assert_true (run.timed_out);
  g_assert_false (run.survivors);
  g_assert_false (cs_process_is_running (helper));
  if (cs_process_is_running (helper))
    kill (helper, SIGKILL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  if (argc == 2 && g_str_equal (argv[1], "--leave-helper"))
    return leave_helper (FALSE);
  if (argc == 2 && g_str_equal (argv[1], "--leave-helper-and-hang"))
    return leave_helper (TRUE);

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  T.cli = g_getenv ("CS_CLI");
  if (T.cli == NULL)
    {
      printf ("1..0 # SKIP CS_CLI is not set\n");
      return 77;
    }

  /* Sanitizers take more time and memory for the same work. */
  T.sanitized = g_getenv ("ASAN_OPTIONS") != NULL;
  T.time_scale = T.sanitized ? 5.0 : 1.0;
  T.rss_scale = T.sanitized ? 4.0 : 1.0;

  T.root = g_dir_make_tmp ("cs-hostile-XXXXXX", &error);
  g_assert_no_error (error);
  /* An unprivileged user must reach the folders made for it. */
  g_chmod (T.root, 0755);
  T.corpus_dir = g_build_filename (T.root, "corpus", NULL);
  T.private_dir = g_build_filename (T.root, "private", NULL);
  T.idle_cache = g_build_filename (T.root, "idle-cache", NULL);
  make_dir (T.idle_cache, 0700);
  T.corpus = cs_hostile_corpus_new ();
  if (T.sanitized)
    add_suppressions ();

  /* Under sanitizers, decoders with inherently huge work (all of it in
   * uninstrumented libraries, slowed twentyfold by the instrumented
   * allocator) would only prove again what the plain build checks. */
  for (guint i = T.corpus->len; T.sanitized && i > 0; i--)
    {
      const CsHostileEntry *entry = g_ptr_array_index (T.corpus, i - 1);

      if (entry->spec->flags & CS_HOSTILE_HEAVY)
        {
          printf ("# %s left out under sanitizers\n", entry->spec->id);
          g_ptr_array_remove_index (T.corpus, i - 1);
        }
    }

  /* CS_HOSTILE_EXCLUDE=id,id leaves files out, to see how the rest fares
   * while a known runaway is being fixed. Never set in CI. */
  if (g_getenv ("CS_HOSTILE_EXCLUDE") != NULL)
    {
      g_auto(GStrv) ids = g_strsplit (g_getenv ("CS_HOSTILE_EXCLUDE"), ",", -1);

      for (guint i = 0; ids[i] != NULL; i++)
        {
          const CsHostileEntry *entry = cs_hostile_corpus_find (T.corpus, ids[i]);

          if (entry != NULL)
            g_ptr_array_remove (T.corpus, (gpointer) entry);
          printf ("# CS_HOSTILE_EXCLUDE: %s left out\n", ids[i]);
        }
    }
  T.controls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  T.table = g_string_new (NULL);

  for (guint i = 0; i < T.corpus->len; i++)
    {
      const CsHostileEntry *entry = g_ptr_array_index (T.corpus, i);
      g_autofree char *path = g_strdup_printf ("/hostile/file/%s/%s", entry->spec->kind, entry->spec->id);

      g_test_add_data_func (path, entry, test_file);
    }

  g_test_add_func ("/hostile/harness/left-behind-found", test_harness_left_behind);
  g_test_add_func ("/hostile/harness/deadline-reaches-helper", test_harness_deadline);
  g_test_add_func ("/hostile/name/newline-shown-escaped", test_name_newline_shown);
  g_test_add_func ("/hostile/batch/beside", test_batch_beside);
  g_test_add_func ("/hostile/batch/cache-recursive-twice", test_batch_cache_twice);
  g_test_add_func ("/hostile/batch/killers-beside-good-files", test_batch_neighbours);
  g_test_add_func ("/hostile/permissions/unreadable-files", test_unreadable_files);
  g_test_add_func ("/hostile/permissions/read-only-folder", test_read_only_folder);
  g_test_add_func ("/hostile/permissions/unreadable-folder", test_unreadable_folder);
  g_test_add_func ("/hostile/cache/read-only", test_cache_read_only);
  g_test_add_func ("/hostile/cache/not-a-folder", test_cache_not_a_folder);
  g_test_add_func ("/hostile/full-disk/beside", test_full_disk_beside);
  g_test_add_func ("/hostile/full-disk/cache", test_full_disk_cache);
  g_test_add_func ("/hostile/slow/rewritten-while-read", test_slow_race);
  g_test_add_func ("/hostile/slow/at-pixel-limit", test_slow_at_limit);
  g_test_add_func ("/hostile/slow/gdk-pixbuf-tests-bug778584-gif", test_slow_fixture_gif_6gb);
  g_test_add_func ("/hostile/slow/gdk-pixbuf-tests-all", test_slow_fixtures);

  status = g_test_run ();

  print_table ();

  /* A test stopped half-way may have left its small disks mounted. */
  for (guint i = 0; i < G_N_ELEMENTS (small_disks); i++)
    {
      g_autofree char *disk = g_build_filename (T.root, small_disks[i], NULL);

      umount2 (disk, MNT_DETACH);
    }
  remove_tree (T.root);
  g_ptr_array_free (T.corpus, TRUE);
  g_clear_pointer (&T.pristine, g_hash_table_unref);
  g_clear_pointer (&T.controls, g_hash_table_unref);
  g_string_free (T.table, TRUE);
  g_free (T.root);
  g_free (T.corpus_dir);
  g_free (T.private_dir);
  g_free (T.idle_cache);
  g_free (T.cli_copy);
  g_free (T.decoder_copy);

  return status;
}
