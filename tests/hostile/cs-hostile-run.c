/* cs-hostile-run.c: runs a program the way a harsh user would, and measures it
 *
 * The child starts a session of its own, so that a deadline or the memory
 * watchdog kills it together with every process it started, and anything
 * of that session still running after it exits is caught. A session, not
 * a process group: decoder helpers put themselves in groups of their own,
 * and one that outlives the program is no longer its descendant (the init
 * adopts it), but both stay in the session. Standard output and error go
 * to memory files, never pipes, so a child that writes a lot cannot stall.
 * The peak resident set is that of the program or of one of its decoder
 * helpers, whichever is larger: wait4()'s, as /usr/bin/time's %M (which
 * counts only the children it reaped), and the VmHWM of every process of the
 * tree, read every few milliseconds while it runs (helpers it never reaps).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* memfd_create() */
#define _GNU_SOURCE

#include "config.h"

#include "cs-hostile-run.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define POLL_MS 5
#define GRACE_MS 500

void
cs_run_clear (CsRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
  g_clear_pointer (&run->err_lines, g_strfreev);
  memset (run, 0, sizeof *run);
}

static char *
read_all (int fd)
{
  GString *text = g_string_new (NULL);
  char buf[65536];
  gssize n;

  lseek (fd, 0, SEEK_SET);
  while ((n = read (fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len (text, buf, n);

  return g_string_free (text, FALSE);
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

/* The resident set of @pid now, and its peak so far (VmHWM) into @peak_kb. */
static guint64
rss_kb_of (pid_t    pid,
           guint64 *peak_kb)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  const char *line;
  guint64 rss = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;

  if ((line = strstr (text, "\nVmRSS:")) != NULL)
    rss = g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
  if ((line = strstr (text, "\nVmHWM:")) != NULL)
    *peak_kb = MAX (*peak_kb, g_ascii_strtoull (line + strlen ("\nVmHWM:"), NULL, 10));

  return rss;
}

/* The resident set of @pid and all its descendants (decoder helpers), now;
 * the peak of any one of them so far goes into @peak_kb. */
static guint64
tree_rss_kb (pid_t    pid,
             guint    depth,
             guint64 *peak_kb)
{
  g_autofree char *task_dir = g_strdup_printf ("/proc/%d/task", (int) pid);
  g_autoptr(GDir) dir = NULL;
  const char *tid;
  guint64 total = rss_kb_of (pid, peak_kb);

  if (depth > 8)
    return total;

  dir = g_dir_open (task_dir, 0, NULL);
  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (task_dir, tid, "children", NULL);
      g_autofree char *text = NULL;
      g_auto(GStrv) pids = NULL;

      if (!g_file_get_contents (path, &text, NULL, NULL))
        continue;
      pids = g_strsplit (g_strstrip (text), " ", -1);
      for (guint i = 0; pids[i] != NULL; i++)
        if (pids[i][0] != '\0')
          total += tree_rss_kb (atoi (pids[i]), depth + 1, peak_kb);
    }

  return total;
}

/* The state and session of process @pid, from /proc/PID/stat. */
static gboolean
read_stat (const char *pid,
           char       *state,
           int        *session)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *text = NULL;
  const char *after;
  int ppid, pgrp;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  /* "pid (comm) S ppid pgrp session ...": comm may hold spaces and
   * parentheses. */
  after = strrchr (text, ')');
  return after != NULL && sscanf (after + 1, " %c %d %d %d", state, &ppid, &pgrp, session) == 4;
}

static gboolean
is_running (char state)
{
  /* Zombies left to an init that does not reap are gone all the same. */
  return state != 'Z' && state != 'X';
}

/**
 * cs_process_is_running:
 *
 * Whether @pid names a process that still runs (not a zombie).
 */
gboolean
cs_process_is_running (pid_t pid)
{
  g_autofree char *name = g_strdup_printf ("%d", (int) pid);
  char state;
  int session;

  return read_stat (name, &state, &session) && is_running (state);
}

/* The processes of session @sid that still run. */
static GArray *
session_members (pid_t sid)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      pid_t pid;
      char state;
      int session;

      if (!g_ascii_isdigit (name[0]) || !read_stat (name, &state, &session))
        continue;
      pid = atoi (name);
      if (session == sid && is_running (state))
        g_array_append_val (pids, pid);
    }

  return pids;
}

static gboolean
session_has_members (pid_t sid)
{
  g_autoptr(GArray) pids = session_members (sid);

  return pids->len > 0;
}

/* Kills what runs in session @sid, and waits until it is gone: SIGKILL
 * takes effect when the process is next scheduled, not when kill()
 * returns, and a process may fork while it is being killed. */
static void
kill_session (pid_t sid)
{
  for (guint waited = 0; waited < GRACE_MS; waited += POLL_MS)
    {
      g_autoptr(GArray) pids = session_members (sid);

      if (pids->len == 0)
        return;
      for (guint i = 0; i < pids->len; i++)
        kill (g_array_index (pids, pid_t, i), SIGKILL);
      g_usleep (POLL_MS * 1000);
    }
}

static int
open_pidfd (pid_t pid)
{
#ifdef SYS_pidfd_open
  return syscall (SYS_pidfd_open, pid, 0);
#else
  return -1;
#endif
}

/**
 * cs_run_program:
 * @env: (nullable): "KEY=VALUE" to set, "KEY" to unset, over the test's own
 * @argv: the program and its arguments; the program is looked up in PATH
 * @kill_rss_kb: the watchdog: kill the child once it and its descendants
 *   hold more than this (0: no watchdog)
 */
void
cs_run_program (const char         *cwd,
                const char * const *env,
                const char * const *argv,
                guint               timeout_seconds,
                guint64             kill_rss_kb,
                CsRun              *run)
{
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *program = g_find_program_in_path (argv[0]);
  struct rusage usage = { 0 };
  gint64 start, deadline;
  int out_fd, err_fd, null_fd, pidfd;
  int status = 0;
  pid_t pid;

  cs_run_clear (run);
  run->status = -1;

  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      const char *eq = strchr (env[i], '=');

      if (eq == NULL)
        envp = g_environ_unsetenv (envp, env[i]);
      else
        {
          g_autofree char *key = g_strndup (env[i], eq - env[i]);

          envp = g_environ_setenv (envp, key, eq + 1, TRUE);
        }
    }

  if (program == NULL)
    g_error ("Cannot find %s", argv[0]);

  out_fd = memfd_create ("stdout", MFD_CLOEXEC);
  err_fd = memfd_create ("stderr", MFD_CLOEXEC);
  null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out_fd < 0 || err_fd < 0 || null_fd < 0)
    g_error ("Cannot set up the child's files: %s", g_strerror (errno));

  start = g_get_monotonic_time ();
  deadline = start + (gint64) timeout_seconds * G_USEC_PER_SEC;

  pid = fork ();
  if (pid < 0)
    g_error ("fork: %s", g_strerror (errno));

  if (pid == 0)
    {
      /* Only async-signal-safe calls from here to exec. */
      setsid ();
      dup2 (null_fd, STDIN_FILENO);
      dup2 (out_fd, STDOUT_FILENO);
      dup2 (err_fd, STDERR_FILENO);
      if (cwd != NULL && chdir (cwd) != 0)
        _exit (126);
      execve (program, (char * const *) argv, envp);
      _exit (127);
    }

  /* Not setpgid() from here as well: a group leader cannot start a
   * session, and the deadline is long after the child's exec. */
  pidfd = open_pidfd (pid);

  for (;;)
    {
      pid_t r = wait4 (pid, &status, WNOHANG, &usage);
      gboolean kill_now = FALSE;

      if (r == pid)
        break;
      if (r < 0 && errno != EINTR)
        g_error ("wait4: %s", g_strerror (errno));

      if (g_get_monotonic_time () > deadline)
        {
          run->timed_out = TRUE;
          kill_now = TRUE;
        }
      else
        {
          guint64 rss = tree_rss_kb (pid, 0, &run->max_rss_kb);

          if (kill_rss_kb > 0 && rss > kill_rss_kb)
            {
              run->memory_out = TRUE;
              run->max_rss_kb = MAX (run->max_rss_kb, rss);
              kill_now = TRUE;
            }
        }

      if (kill_now)
        {
          kill_session (pid);
          kill (pid, SIGKILL);
          while (wait4 (pid, &status, 0, &usage) < 0 && errno == EINTR)
            ;
          break;
        }

      if (pidfd >= 0)
        {
          struct pollfd pfd = { pidfd, POLLIN, 0 };

          poll (&pfd, 1, POLL_MS);
        }
      else
        g_usleep (POLL_MS * 1000);
    }

  run->seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  run->max_rss_kb = MAX (run->max_rss_kb, (guint64) usage.ru_maxrss);
  if (pidfd >= 0)
    close (pidfd);

  if (WIFEXITED (status))
    run->status = WEXITSTATUS (status);
  else if (WIFSIGNALED (status) && !run->timed_out && !run->memory_out)
    run->term_signal = WTERMSIG (status);

  /* A helper that outlives the program is a leak; give it a moment to go. */
  for (guint waited = 0; session_has_members (pid); waited += 20)
    {
      if (waited >= GRACE_MS)
        {
          run->survivors = TRUE;
          kill_session (pid);
          break;
        }
      g_usleep (20 * 1000);
    }

  run->out = read_all (out_fd);
  run->err = read_all (err_fd);
  run->err_lines = split_lines (run->err);
  close (out_fd);
  close (err_fd);
  close (null_fd);
}

/* Valid UTF-8 without control characters, for test messages. */
char *
cs_printable (const char *bytes)
{
  GString *out = g_string_new (NULL);
  const char *p = bytes;

  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", (guchar) *p);
          p++;
        }
      else
        {
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\x%02x", c);
          else
            g_string_append_unichar (out, c);
          p = g_utf8_next_char (p);
        }
    }

  return g_string_free (out, FALSE);
}

char *
cs_run_describe (const CsRun *run)
{
  g_autofree char *last = NULL;
  guint n = run->err_lines ? g_strv_length (run->err_lines) : 0;
  const char *how;
  g_autofree char *status = NULL;

  if (run->timed_out)
    how = "HUNG, killed at the deadline";
  else if (run->memory_out)
    how = "killed by the memory watchdog";
  else if (run->term_signal != 0)
    how = status = g_strdup_printf ("CRASHED, signal %d (%s)", run->term_signal,
                                    g_strsignal (run->term_signal));
  else
    how = status = g_strdup_printf ("exit %d", run->status);

  last = n > 0 ? cs_printable (run->err_lines[0]) : g_strdup ("");

  return g_strdup_printf ("%s, %.2f s, %" G_GUINT64_FORMAT " MiB peak%s; stderr %u lines, first: %s",
                          how, run->seconds, run->max_rss_kb / 1024,
                          run->survivors ? ", PROCESSES OUTLIVED IT" : "", n, last);
}

/* The last line of stderr: "N thumbnails (R reused), F failed, B bytes written (…)". */
gboolean
cs_run_parse_summary (const CsRun *run,
                      CsSummary   *summary)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  guint n = run->err_lines ? g_strv_length (run->err_lines) : 0;
  guint64 *fields[] = { &summary->done, &summary->reused, &summary->failed, &summary->bytes };

  memset (summary, 0, sizeof *summary);
  if (n == 0)
    return FALSE;

  regex = g_regex_new ("^([0-9]+) thumbnails? \\(([0-9]+) reused\\), ([0-9]+) failed, "
                       "([0-9]+) bytes? written \\(.+\\)$", 0, 0, NULL);
  if (!g_regex_match (regex, run->err_lines[n - 1], 0, &match))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *text = g_match_info_fetch (match, i + 1);

      *fields[i] = g_ascii_strtoull (text, NULL, 10);
    }

  return TRUE;
}

guint
cs_run_count_prefix (const CsRun *run,
                     const char  *prefix)
{
  guint n = 0;

  for (guint i = 0; run->err_lines != NULL && run->err_lines[i] != NULL; i++)
    if (g_str_has_prefix (run->err_lines[i], prefix))
      n++;

  return n;
}

const char *
cs_run_find_prefix (const CsRun *run,
                    const char  *prefix)
{
  for (guint i = 0; run->err_lines != NULL && run->err_lines[i] != NULL; i++)
    if (g_str_has_prefix (run->err_lines[i], prefix))
      return run->err_lines[i];

  return NULL;
}

/* Fingerprints */

static char *
hash_file (const char *path)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 buf[65536];
  gssize n;
  int fd = g_open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0);

  if (fd < 0)
    return g_strdup_printf ("unreadable(%s)", g_strerror (errno));

  while ((n = read (fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_checksum_update (sum, buf, n);
  close (fd);

  return g_strdup (g_checksum_get_string (sum));
}

static void
fingerprint_into (GHashTable *prints,
                  const char *root,
                  const char *relative)
{
  g_autofree char *path = relative ? g_build_filename (root, relative, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf st;
  char *print;

  if (g_lstat (path, &st) != 0)
    return;

  if (S_ISREG (st.st_mode))
    {
      g_autofree char *sum = hash_file (path);

      print = g_strdup_printf ("file %o %" G_GINT64_FORMAT " %ld.%09ld %s",
                               (unsigned) st.st_mode, (gint64) st.st_size,
                               (long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec, sum);
    }
  else if (S_ISLNK (st.st_mode))
    {
      g_autofree char *target = g_file_read_link (path, NULL);

      print = g_strdup_printf ("link -> %s", target ? target : "?");
    }
  else if (S_ISDIR (st.st_mode))
    print = g_strdup_printf ("folder %o", (unsigned) st.st_mode);
  else
    print = g_strdup_printf ("special %o", (unsigned) st.st_mode);

  g_hash_table_insert (prints, g_strdup (relative ? relative : "."), print);

  if (!S_ISDIR (st.st_mode))
    return;

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = relative ? g_build_filename (relative, name, NULL) : g_strdup (name);

      fingerprint_into (prints, root, child);
    }
}

/* Every entry under @root, without following links: relative path ->
 * type, mode, size, modification time and SHA-256 of regular files. */
GHashTable *
cs_fingerprint_tree (const char *root)
{
  GHashTable *prints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  fingerprint_into (prints, root, NULL);

  return prints;
}

/* What differs, one readable line each; new entries named in @allowed_new
 * (nullable) are fine. */
GPtrArray *
cs_fingerprint_diff (GHashTable *before,
                     GHashTable *after,
                     GHashTable *allowed_new)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *now = g_hash_table_lookup (after, key);
      g_autofree char *name = cs_printable (key);

      if (now == NULL)
        g_ptr_array_add (problems, g_strdup_printf ("removed: %s", name));
      else if (!g_str_equal (now, value) && !g_str_equal (key, "."))
        g_ptr_array_add (problems, g_strdup_printf ("changed: %s (%s -> %s)", name,
                                                    (char *) value, now));
    }

  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *name = cs_printable (key);

      if (g_hash_table_contains (before, key))
        continue;
      if (allowed_new != NULL && g_hash_table_contains (allowed_new, key))
        continue;
      g_ptr_array_add (problems, g_strdup_printf ("created: %s (%s)", name, (char *) value));
    }

  return problems;
}
