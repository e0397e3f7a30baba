/* cs-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-test-util.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *
cs_test_make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *path = g_dir_make_tmp ("cs-test-XXXXXX", &error);

  g_assert_no_error (error);

  return path;
}

void
cs_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        cs_test_remove_tree (child);
      else
        g_remove (child);
    }

  g_rmdir (path);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* Sorted names of a folder's entries. */
GPtrArray *
cs_test_list_dir (const char *path)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));

  g_ptr_array_sort (names, compare_names);

  return names;
}

/* Iterates the default main context until @check says so, failing the test
 * after @timeout_ms. */
void
cs_test_wait_until (gboolean (*check) (gpointer),
                    gpointer   data,
                    guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!check (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out after %u ms", timeout_ms);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (200);
    }
}

/* A private XDG_CACHE_HOME for the whole test program, set before GLib reads
 * it. (G_TEST_OPTION_ISOLATE_DIRS would also hide the MIME database, which
 * GdkPixbuf's content sniffing needs.) */
char *
cs_test_isolate_cache (void)
{
  char *dir = cs_test_make_dir ();

  g_setenv ("XDG_CACHE_HOME", dir, TRUE);

  return dir;
}

void
cs_test_dir_setup (CsTestDir     *f,
                   gconstpointer  data)
{
  f->dir = cs_test_make_dir ();
}

void
cs_test_dir_teardown (CsTestDir     *f,
                      gconstpointer  data)
{
  cs_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* The pids of this process's live helpers. */
GArray *
cs_test_find_helpers (void)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  g_autofree char *parent = g_strdup_printf ("PPid:\t%d\n", (int) getpid ());
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));
  const char *name;

  g_assert_nonnull (proc);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *status_path = g_build_filename ("/proc", name, "status", NULL);
      g_autofree char *status = NULL;
      int pid = atoi (name);

      if (!g_ascii_isdigit (name[0]) ||
          !g_file_get_contents (status_path, &status, NULL, NULL) ||
          strstr (status, parent) == NULL ||
          !g_str_has_prefix (status, "Name:\tcontact-sheet-d") ||
          strstr (status, "State:\tZ") != NULL)
        continue;

      g_array_append_val (pids, pid);
    }

  return pids;
}

/**
 * cs_test_drop_sandbox_notices:
 * @lines: (inout): a program's stderr, a line each
 *
 * Where glycin's loaders have no sandbox (bubblewrap cannot make one, as in
 * a chroot) the engine says so in one plain line a run, and glycin's own
 * line may come too (gdk-pixbuf's encoders print it on their first use; it
 * is not a GLib warning). Neither is about a file, so neither is counted:
 * both are dropped. More than one of the engine's is a bug.
 */
void
cs_test_drop_sandbox_notices (char ***lines)
{
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
  guint ours = 0;

  for (guint i = 0; (*lines)[i] != NULL; i++)
    {
      const char *line = (*lines)[i];

      if (g_str_equal (line, "Image loaders run without a sandbox: bubblewrap cannot make one here"))
        ours++;
      else if (!g_str_has_prefix (line, "WARNING: Glycin running without sandbox."))
        g_strv_builder_add (kept, line);
    }

  g_assert_cmpuint (ours, <=, 1);
  g_strfreev (*lines);
  *lines = g_strv_builder_end (kept);
}

/* GTK 4.24 (4.24.1, Debian forky) on Xvfb now and then reports a frame as
 * submitted twice from inside GDK: gdk_frame_timings_submitted() is GDK's
 * private frame accounting, which no code of ours can reach, and the
 * warning comes on windows that never touch a frame clock, with the GL and
 * the cairo renderer alike. Exactly that message is let through, printed and
 * not fatal; every other warning stays fatal. */
#define GTK_FRAME_TIMINGS_WARNING "gdk_frame_timings_submitted() called on submitted frame."

static GLogWriterOutput
test_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }

  if ((log_level & G_LOG_LEVEL_MASK) == G_LOG_LEVEL_WARNING &&
      g_strcmp0 (domain, "Gdk") == 0 &&
      g_strcmp0 (message, GTK_FRAME_TIMINGS_WARNING) == 0)
    return g_log_writer_standard_streams (log_level & ~G_LOG_FLAG_FATAL, fields, n_fields, user_data);

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

void
cs_test_allow_gtk_frame_warning (void)
{
  g_log_set_writer_func (test_log_writer, NULL, NULL);
}

char *
cs_test_dup_visible_text (const char *text)
{
  g_autoptr(GString) visible = NULL;

  if (text == NULL)
    return NULL;

  visible = g_string_new (text);
  g_string_replace (visible, "\xe2\x80\x8b", "", 0);

  return g_string_free (g_steal_pointer (&visible), FALSE);
}

typedef struct
{
  gboolean  done;
  char     *out;
  char     *err;
  GError   *error;
} Communicated;

static void
on_communicated (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Communicated *c = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &c->out, &c->err,
                                        &c->error);
  c->done = TRUE;
}

static gboolean
is_communicated (gpointer data)
{
  return ((Communicated *) data)->done;
}

static char **
split_lines (const char *text)
{
  g_autofree char *trimmed = g_strdup (text != NULL ? text : "");
  gsize len = strlen (trimmed);

  if (len > 0 && trimmed[len - 1] == '\n')
    trimmed[len - 1] = '\0';
  if (trimmed[0] == '\0')
    return g_new0 (char *, 1);

  return g_strsplit (trimmed, "\n", -1);
}

int
cs_test_run_program (const char * const  *argv,
                     char              ***out_lines,
                     char              ***err_lines)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  Communicated c = { 0 };
  g_auto(GStrv) errors = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                     G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_communicated, &c);
  cs_test_wait_until (is_communicated, &c, 60000);
  g_assert_no_error (c.error);
  g_subprocess_wait (process, NULL, NULL);

  if (out_lines != NULL)
    *out_lines = split_lines (c.out);
  errors = split_lines (c.err);
  for (guint i = 0; errors[i] != NULL; i++)
    g_test_message ("stderr: %s", errors[i]);
  cs_test_drop_sandbox_notices (&errors);
  if (err_lines != NULL)
    *err_lines = g_steal_pointer (&errors);
  g_free (c.out);
  g_free (c.err);

  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}
