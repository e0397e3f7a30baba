/* main.c: contact-sheet-cli, the engine from a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "contact-sheet-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "cs-batch.h"
#include "cs-cli-sheet.h"
#include "cs-sheet-writer.h"
#include "cs-decode-util.h"
#include "cs-i18n.h"
#include "cs-scan.h"
#include "cs-thumbnailer.h"
#include "cs-util.h"

#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130
#define PROGRESS_INTERVAL_USEC (100 * 1000)

typedef struct
{
  GMainLoop        *loop;
  CsBatch          *batch;
  GCancellable     *cancellable;   /* scans and standard input */
  GDataInputStream *stdin_lines;
  guint             pending_inputs;
  guint             problems;
  gboolean          recursive;
  gboolean          quiet;
  gboolean          null_separated;
  gboolean          progress;
  gboolean          progress_shown;
  gint64            progress_time;
  guint             interrupts;
  CsCliSheet       *sheet;         /* with --sheet */
  char            **sheet_paths;
  GError           *sheet_error;
} Cli;

static void
clear_progress (Cli *cli)
{
  if (cli->progress_shown)
    {
      fputs ("\r\033[K", stderr);
      cli->progress_shown = FALSE;
    }
}

static void
draw_progress (Cli      *cli,
               gboolean  force)
{
  const int width = 30;
  guint submitted, finished;
  g_autofree char *bytes = NULL;
  gint64 now = g_get_monotonic_time ();
  int filled;

  if (!cli->progress || (!force && now - cli->progress_time < PROGRESS_INTERVAL_USEC))
    return;
  cli->progress_time = now;

  submitted = cs_batch_get_submitted (cli->batch);
  finished = cs_batch_get_done (cli->batch) + cs_batch_get_failed (cli->batch);
  filled = submitted > 0 ? (int) ((guint64) finished * width / submitted) : 0;
  bytes = g_format_size (cs_batch_get_bytes_written (cli->batch));

  fprintf (stderr, "\r\033[K[%.*s%*s] %u/%u  %s",
           filled, "##############################", width - filled, "",
           finished, submitted, bytes);
  cli->progress_shown = TRUE;
}

/* What the engine says once about the whole run (that glycin's loaders
 * have no sandbox here) goes out as a plain line of its own, from whichever
 * thread says it; on a terminal it first clears the progress bar's line. */
static void
print_notice (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
  fprintf (stderr, "%s%s\n", isatty (STDERR_FILENO) ? "\r\033[K" : "", message);
}

static void
report_problem (Cli          *cli,
                GFile        *file,
                const GError *error)
{
  g_autofree char *name = cs_describe_file (file);
  g_autofree char *reason = cs_escape_line (error->message);

  clear_progress (cli);
  fprintf (stderr, "%s: %s\n", name, reason);
}

/* One line per file (a thumbnail, or a sheet): a newline in a name must
 * not start another (it is printed as \n); with --null the path goes out
 * as it is. */
static void
print_path (Cli        *cli,
            const char *path)
{
  if (cli->null_separated)
    {
      fputs (path, stdout);
      fputc ('\0', stdout);
    }
  else
    {
      g_autofree char *line = cs_escape_line (path);

      fprintf (stdout, "%s\n", line);
    }
  fflush (stdout);
}

static void
on_item_done (CsBatch  *batch,
              CsResult *result,
              Cli      *cli)
{
  const GError *error = cs_result_get_error (result);

  if (cli->sheet != NULL)
    cs_cli_sheet_add_result (cli->sheet, result);

  if (error != NULL)
    report_problem (cli, cs_result_get_file (result), error);
  else if (!cli->quiet && cli->sheet == NULL)
    {
      clear_progress (cli);
      print_path (cli, cs_result_get_thumbnail_path (result));
    }

  draw_progress (cli, FALSE);
}

static void
on_sheet_written (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Cli *cli = user_data;

  cli->sheet_paths = cs_cli_sheet_write_finish (cli->sheet, result, &cli->sheet_error);
  g_main_loop_quit (cli->loop);
}

/* The title a sheet gets by default: the folder's name, for a file the
 * name of the folder it is in. */
static char *
folder_name_for (const char *arg)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) parent = NULL;
  g_autofree char *name = NULL;

  if (g_str_equal (arg, "-"))
    return NULL;

  file = g_file_new_for_commandline_arg (arg);
  if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY)
    {
      parent = g_file_get_parent (file);
      if (parent != NULL)
        g_set_object (&file, parent);
    }

  name = g_file_get_basename (file);
  return name != NULL ? g_filename_display_name (name) : NULL;
}

static void
on_finished (CsBatch *batch,
             int      outcome,
             Cli     *cli)
{
  g_main_loop_quit (cli->loop);
}

static void
input_done (Cli *cli)
{
  g_assert (cli->pending_inputs > 0);

  if (--cli->pending_inputs == 0)
    cs_batch_close (cli->batch);
}

static void
on_scan_found (CsScan     *scan,
               GFile      *file,
               const char *relative_dir,
               GFileInfo  *info,
               Cli        *cli)
{
  cs_batch_add (cli->batch, file, relative_dir, NULL, NULL);
}

static void
on_scan_problem (CsScan       *scan,
                 GFile        *file,
                 const GError *error,
                 Cli          *cli)
{
  cli->problems++;
  report_problem (cli, file, error);
}

static void
on_scan_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;

  if (!cs_scan_run_finish (CS_SCAN (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      cli->problems++;
      report_problem (cli, cs_scan_get_root (CS_SCAN (object)), error);
    }

  input_done (cli);
}

/* A folder is scanned; anything else goes to the thumbnailer as it is, which
 * refuses what is not a regular image file with a clear reason. */
static void
add_path (Cli        *cli,
          const char *arg)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (arg);

  if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY)
    {
      g_autoptr(CsScan) scan = cs_scan_new (file, cli->recursive);

      g_signal_connect (scan, "found", G_CALLBACK (on_scan_found), cli);
      g_signal_connect (scan, "problem", G_CALLBACK (on_scan_problem), cli);
      cli->pending_inputs++;
      cs_scan_run_async (scan, cli->cancellable, on_scan_done, cli);
    }
  else
    cs_batch_add (cli->batch, file, NULL, NULL, NULL);
}

static void
on_stdin_line (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result, NULL, &error);

  if (line == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          cli->problems++;
          clear_progress (cli);
          fprintf (stderr, _("standard input: %s\n"), error->message);
        }
      input_done (cli);
      return;
    }

  if (line[0] != '\0')
    add_path (cli, line);

  g_data_input_stream_read_line_async (cli->stdin_lines, G_PRIORITY_DEFAULT,
                                       cli->cancellable, on_stdin_line, cli);
}

static void
read_stdin (Cli *cli)
{
  g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);

  cli->stdin_lines = g_data_input_stream_new (in);
  g_data_input_stream_set_newline_type (cli->stdin_lines, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  cli->pending_inputs++;
  g_data_input_stream_read_line_async (cli->stdin_lines, G_PRIORITY_DEFAULT,
                                       cli->cancellable, on_stdin_line, cli);
}

static gboolean
on_interrupt (gpointer user_data)
{
  Cli *cli = user_data;

  /* The second Ctrl+C does not wait for the drain, nor for a sheet being
   * written: its parts go first. */
  if (++cli->interrupts > 1)
    {
      cs_sheet_writer_abandon ();
      _exit (EXIT_INTERRUPTED);
    }

  g_cancellable_cancel (cli->cancellable);
  cs_batch_cancel (cli->batch);

  return G_SOURCE_CONTINUE;
}

static gboolean
parse_size (const char   *text,
            gboolean      cache,
            CsFlavor     *flavor,
            guint        *pixels,
            GError      **error)
{
  guint64 value;

  if (cs_flavor_from_name (text, flavor))
    {
      *pixels = cs_flavor_get_size (*flavor);
      return TRUE;
    }

  if (!g_ascii_string_to_unsigned (text, 10, 1, 16384, &value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Invalid size “%s”: use normal, large, x-large, xx-large or a number of pixels from 1 to 16384"),
                   text);
      return FALSE;
    }

  *pixels = value;

  if (!cache)
    return TRUE;

  for (guint i = 0; i < CS_N_FLAVORS; i++)
    {
      if (cs_flavor_get_size (i) == value)
        {
          *flavor = i;
          return TRUE;
        }
    }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("The thumbnail cache only holds 128, 256, 512 and 1024 pixels; use --output beside or a folder for %s"),
               text);
  return FALSE;
}

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  g_autofree char *prgname = g_strdup (g_get_prgname ());

  fprintf (stderr, "%s: %s\n", prgname, message);
  fprintf (stderr, _("Try “%s --help” for more information.\n"), prgname);

  return EXIT_USAGE;
}

static void
print_summary (Cli *cli)
{
  guint done = cs_batch_get_done (cli->batch);
  guint reused = cs_batch_get_reused (cli->batch);
  guint failed = cs_batch_get_failed (cli->batch);
  guint64 bytes = cs_batch_get_bytes_written (cli->batch);
  g_autofree char *size = g_format_size (bytes);
  g_autofree char *thumbnails = NULL;
  g_autofree char *failures = NULL;
  g_autofree char *written = NULL;
  g_autofree char *count = NULL;

  clear_progress (cli);

  if (cs_batch_get_outcome (cli->batch) == CS_BATCH_CANCELLED)
    fprintf (stderr, "%s\n", _("Interrupted: pending work was cancelled."));
  else if (cs_batch_get_outcome (cli->batch) == CS_BATCH_FAILED)
    fprintf (stderr, _("Stopped at the first error: %s\n"),
             cs_batch_get_error (cli->batch)->message);

  thumbnails = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u thumbnail (%u reused)",
                                             "%u thumbnails (%u reused)", done),
                                done, reused);
  failures = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u failed", "%u failed", failed),
                              failed);
  /* The exact integer comes first so that scripts can read it. */
  count = g_strdup_printf ("%" G_GUINT64_FORMAT, bytes);
  written = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%s byte written (%s)",
                                          "%s bytes written (%s)",
                                          (gulong) bytes),
                             count, size);

  fprintf (stderr, "%s, %s, %s\n", thumbnails, failures, written);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsThumbnailer) thumbnailer = NULL;
  g_autofree char *size_arg = NULL;
  g_autofree char *output_arg = NULL;
  g_auto(GStrv) paths = NULL;
  gboolean recursive = FALSE, fail_fast = FALSE, quiet = FALSE, null_separated = FALSE;
  int jobs = 0;
  double timeout_seconds = CS_DEFAULT_DECODE_TIMEOUT_MS / 1000.0;
  int memory_mib = (int) (CS_DEFAULT_MEMORY_LIMIT / (1024 * 1024));
  CsFlavor flavor = CS_FLAVOR_NORMAL;
  guint pixels = 128;
  gboolean cache;
  gboolean from_stdin = FALSE;
  g_auto(CsCliSheetArgs) sheet_args = { 0 };
  Cli cli = { 0 };
  int status;
  const GOptionEntry entries[] = {
    { "size", 's', 0, G_OPTION_ARG_STRING, &size_arg,
      N_("Thumbnail size: normal (128), large (256), x-large (512), xx-large (1024) or pixels"),
      N_("SIZE") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output_arg,
      N_("Where thumbnails go: cache (the shared thumbnail cache), beside (next to each image) or a folder"),
      N_("cache|beside|FOLDER") },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs,
      N_("Parallel jobs (default: the number of processors)"), N_("N") },
    { "recursive", 'r', 0, G_OPTION_ARG_NONE, &recursive,
      N_("Descend into sub-folders"), NULL },
    { "fail-fast", 0, 0, G_OPTION_ARG_NONE, &fail_fast,
      N_("Stop at the first error (exit 1), cancel and drain the rest"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      N_("No per-file lines on standard output"), NULL },
    { "null", 'z', 0, G_OPTION_ARG_NONE, &null_separated,
      N_("End each path on standard output with a NUL byte instead of a newline, unescaped (for xargs -0)"),
      NULL },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout_seconds,
      N_("Seconds a decoder may spend on one file (default 10; 0: no limit)"), N_("SECONDS") },
    { "memory-limit", 0, 0, G_OPTION_ARG_INT, &memory_mib,
      N_("Memory a decoder may use on one file, in MiB (default 512; 0: no limit)"), N_("MIB") },
    { "sheet", 0, 0, G_OPTION_ARG_FILENAME, &sheet_args.path,
      N_("Lay the thumbnails out on a contact sheet: a PDF, or PNG or JPEG pages"),
      N_("FILE.pdf|FILE.png|FILE.jpg") },
    { "paper", 0, 0, G_OPTION_ARG_STRING, &sheet_args.paper,
      N_("The sheet's paper (default: the locale's, else A4)"), N_("a4|letter|a3|legal|WxHmm") },
    { "landscape", 0, 0, G_OPTION_ARG_NONE, &sheet_args.landscape,
      N_("Turn the sheet's paper sideways"), NULL },
    { "grid", 0, 0, G_OPTION_ARG_STRING, &sheet_args.grid,
      N_("Thumbnails per page (default: as many 40 mm cells as fit)"), N_("COLUMNSxROWS") },
    { "caption", 0, 0, G_OPTION_ARG_STRING, &sheet_args.caption,
      N_("Caption under each thumbnail, up to three lines split by \\n: {name} {size} {dims} {date} {exposure} {index}"),
      N_("TEMPLATE") },
    { "title", 0, 0, G_OPTION_ARG_STRING, &sheet_args.title,
      N_("The sheet's title (default: the folder's name); {page} {pages} {date} {folder}"), N_("TEXT") },
    { "dpi", 0, 0, G_OPTION_ARG_STRING, &sheet_args.dpi,
      N_("Resolution of PNG and JPEG pages and of the thumbnails in a PDF (default 150)"), N_("N") },
    { "sort", 0, 0, G_OPTION_ARG_STRING, &sheet_args.sort,
      N_("Order on the sheet (default: name)"), N_("name|date|size") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &paths, NULL, N_("PATH…") },
    { NULL }
  };

  setlocale (LC_ALL, "");
  cs_i18n_bind ();
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("contact-sheet-cli");
  g_log_set_handler ("cs-decode-glycin", G_LOG_LEVEL_MESSAGE, print_notice, NULL);
  /* Without the helper, this process decodes. */
  cs_decode_return_big_buffers ();

  context = g_option_context_new (_("PATH… — make thumbnails of images"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("PATH is an image, a folder, or “-” for one file name per line on standard input.\n"
      "Prints each thumbnail's path as it completes; errors go to standard error."));
  g_option_context_set_description (context,
    _("Exit status: 0 all good, 1 at least one file failed, 2 usage error, 130 interrupted."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, error->message);

  if (paths == NULL || paths[0] == NULL)
    return usage_error (context, _("No PATH given"));

  if (jobs < 0 || jobs > 1024)
    return usage_error (context, _("--jobs takes a number from 1 to 1024"));

  if (timeout_seconds < 0 || timeout_seconds > 86400)
    return usage_error (context, _("--timeout takes seconds from 0 to 86400"));

  if (memory_mib < 0 || (memory_mib > 0 && memory_mib < 16))
    return usage_error (context, _("--memory-limit takes at least 16 MiB, or 0 for no limit"));

  cache = output_arg == NULL || g_str_equal (output_arg, "cache");
  if (size_arg != NULL && !parse_size (size_arg, cache, &flavor, &pixels, &error))
    return usage_error (context, error->message);

  if (sheet_args.path != NULL)
    {
      g_autofree char *folder_name = folder_name_for (paths[0]);

      cli.sheet = cs_cli_sheet_new (&sheet_args, folder_name, &error);
      if (cli.sheet == NULL)
        return usage_error (context, error->message);
      /* Thumbnails as large as a cell shows them, up to the cache's largest. */
      if (size_arg == NULL)
        {
          while (flavor + 1 < CS_N_FLAVORS &&
                 cs_flavor_get_size (flavor) < cs_cli_sheet_get_thumbnail_pixels (cli.sheet))
            flavor++;
          pixels = cs_flavor_get_size (flavor);
        }
    }
  else if (sheet_args.paper != NULL || sheet_args.landscape || sheet_args.grid != NULL ||
           sheet_args.caption != NULL || sheet_args.title != NULL || sheet_args.dpi != NULL ||
           sheet_args.sort != NULL)
    return usage_error (context, _("--paper, --landscape, --grid, --caption, --title, --dpi and --sort need --sheet"));

  {
    g_autofree char *folder_path = NULL;
    CsOutputMode mode = CS_OUTPUT_CACHE;

    if (!cache && g_str_equal (output_arg, "beside"))
      mode = CS_OUTPUT_BESIDE;
    else if (!cache)
      {
        g_autoptr(GFile) folder = g_file_new_for_commandline_arg (output_arg);

        mode = CS_OUTPUT_FOLDER;
        folder_path = g_file_get_path (folder);
      }

    thumbnailer = g_object_new (CS_TYPE_THUMBNAILER,
                                "mode", mode,
                                "flavor", flavor,
                                "size", pixels,
                                "output-dir", folder_path,
                                "decode-timeout", (guint) (timeout_seconds * 1000),
                                "memory-limit", (guint64) memory_mib * 1024 * 1024,
                                NULL);
  }

  cli.loop = g_main_loop_new (NULL, FALSE);
  cli.cancellable = g_cancellable_new ();
  cli.recursive = recursive;
  cli.quiet = quiet;
  cli.null_separated = null_separated;
  cli.progress = isatty (STDERR_FILENO);
  cli.batch = cs_batch_new (thumbnailer, jobs);
  cs_batch_set_policy (cli.batch, fail_fast ? CS_BATCH_FAIL_FAST : CS_BATCH_KEEP_GOING);

  g_signal_connect (cli.batch, "item-done", G_CALLBACK (on_item_done), &cli);
  g_signal_connect (cli.batch, "finished", G_CALLBACK (on_finished), &cli);
  g_unix_signal_add (SIGINT, on_interrupt, &cli);
  g_unix_signal_add (SIGTERM, on_interrupt, &cli);

  /* Held until every PATH is queued, so a quick first folder cannot finish
   * the batch before the next one is read. */
  cli.pending_inputs = 1;
  for (guint i = 0; paths[i] != NULL; i++)
    {
      if (g_str_equal (paths[i], "-"))
        {
          if (!from_stdin)
            read_stdin (&cli);
          from_stdin = TRUE;
        }
      else
        add_path (&cli, paths[i]);
    }
  input_done (&cli);

  if (cs_batch_get_running (cli.batch))
    g_main_loop_run (cli.loop);

  /* The sheet is laid out once every thumbnail is made; Ctrl+C still
   * cancels it, and then leaves nothing behind. */
  if (cli.sheet != NULL && cs_batch_get_outcome (cli.batch) == CS_BATCH_COMPLETE)
    {
      cs_cli_sheet_write_async (cli.sheet, cli.cancellable, on_sheet_written, &cli);
      g_main_loop_run (cli.loop);
      for (guint i = 0; cli.sheet_paths != NULL && cli.sheet_paths[i] != NULL; i++)
        print_path (&cli, cli.sheet_paths[i]);
    }

  print_summary (&cli);

  if (cs_batch_get_outcome (cli.batch) == CS_BATCH_CANCELLED ||
      g_error_matches (cli.sheet_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (cli.sheet_error != NULL)
        fprintf (stderr, "%s\n", _("Interrupted: the contact sheet was not written."));
      status = EXIT_INTERRUPTED;
    }
  else if (cli.sheet_error != NULL)
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), cli.sheet_error->message);
      status = EXIT_FAILURE;
    }
  else if (cs_batch_get_failed (cli.batch) > 0 || cli.problems > 0)
    status = EXIT_FAILURE;
  else
    status = EXIT_SUCCESS;

  g_clear_pointer (&cli.sheet, cs_cli_sheet_free);
  g_clear_pointer (&cli.sheet_paths, g_strfreev);
  g_clear_error (&cli.sheet_error);
  g_clear_object (&cli.stdin_lines);
  g_clear_object (&cli.batch);
  g_clear_object (&cli.cancellable);
  g_clear_pointer (&cli.loop, g_main_loop_unref);

  return status;
}
