/* cs-e2e-reap.c: runs a command as a child subreaper and reports every exit
 *
 * The end-to-end test runs its session bus under this program. The bus starts
 * the application through a helper process that exits once the application
 * owns its name: the application is then nobody's child and its exit status
 * would be lost. As a subreaper, this program adopts it and can tell the
 * test how it ended.
 *
 * Usage: cs-e2e-reap STATUS-FILE COMMAND [ARGUMENT…]
 *
 * Writes "reaper PID" for itself and "started PID" for COMMAND to
 * STATUS-FILE, then "PID exited STATUS COMM" or "PID killed SIGNAL COMM" for
 * each process it reaps (COMMAND and every adopted one; COMM is the kernel's
 * name for it), and exits once it has no children left, with COMMAND's
 * status (128 + the signal if a signal ended it), as a shell would.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* The name of a process that has ended but is not reaped yet: a zombie
 * keeps its /proc/PID/comm, not its /proc/PID/exe. */
static void
read_comm (pid_t  pid,
           char  *comm,
           size_t size)
{
  char path[64];
  FILE *file;

  snprintf (comm, size, "?");
  snprintf (path, sizeof path, "/proc/%ld/comm", (long) pid);
  file = fopen (path, "r");
  if (file == NULL)
    return;
  if (fgets (comm, (int) size, file) != NULL)
    comm[strcspn (comm, "\n")] = '\0';
  fclose (file);
}

int
main (int   argc,
      char *argv[])
{
  FILE *report;
  pid_t child;
  int result = 0;

  if (argc < 3)
    {
      fprintf (stderr, "usage: %s STATUS-FILE COMMAND [ARGUMENT…]\n", argv[0]);
      return 2;
    }

  if (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
    {
      fprintf (stderr, "cs-e2e-reap: PR_SET_CHILD_SUBREAPER: %s\n", strerror (errno));
      return 2;
    }

  report = fopen (argv[1], "a");
  if (report == NULL)
    {
      fprintf (stderr, "cs-e2e-reap: %s: %s\n", argv[1], strerror (errno));
      return 2;
    }

  /* Before COMMAND starts, so that it can read it. */
  fprintf (report, "reaper %ld\n", (long) getpid ());
  fflush (report);

  child = fork ();
  if (child < 0)
    {
      fprintf (stderr, "cs-e2e-reap: fork: %s\n", strerror (errno));
      return 2;
    }
  if (child == 0)
    {
      fclose (report);
      execvp (argv[2], &argv[2]);
      fprintf (stderr, "cs-e2e-reap: %s: %s\n", argv[2], strerror (errno));
      _exit (127);
    }

  fprintf (report, "started %ld\n", (long) child);
  fflush (report);

  for (;;)
    {
      siginfo_t info;
      char comm[64];
      int status;
      pid_t pid;

      /* Look first, so that the name can still be read. */
      memset (&info, 0, sizeof info);
      if (waitid (P_ALL, 0, &info, WEXITED | WNOWAIT) != 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == ECHILD)
            break;
          fprintf (stderr, "cs-e2e-reap: waitid: %s\n", strerror (errno));
          return 2;
        }
      read_comm (info.si_pid, comm, sizeof comm);

      do
        pid = waitpid (info.si_pid, &status, 0);
      while (pid < 0 && errno == EINTR);
      if (pid < 0)
        {
          fprintf (stderr, "cs-e2e-reap: waitpid: %s\n", strerror (errno));
          return 2;
        }

      if (WIFEXITED (status))
        fprintf (report, "%ld exited %d %s\n", (long) pid, WEXITSTATUS (status), comm);
      else
        fprintf (report, "%ld killed %d %s\n", (long) pid, WTERMSIG (status), comm);
      fflush (report);

      if (pid == child)
        result = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
    }

  fclose (report);
  return result;
}
