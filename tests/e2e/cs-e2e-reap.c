/* cs-e2e-reap.c: runs a command as a child subreaper and reports every exit
 *
 * `gio launch` starts the application the way a desktop does, through a
 * double fork, and returns at once: the application is then nobody's child
 * and its exit status would be lost. Run as a subreaper, this program adopts
 * it and can tell the end-to-end test how it ended.
 *
 * Usage: cs-e2e-reap STATUS-FILE COMMAND [ARGUMENT…]
 *
 * Writes "started PID" for COMMAND to STATUS-FILE, then "PID exited STATUS" or
 * "PID killed SIGNAL" for each process it reaps (COMMAND and every adopted
 * one), and exits once it has no children left: 0 if they all exited with
 * status 0, else 1.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

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
      int status;
      pid_t pid = waitpid (-1, &status, 0);

      if (pid < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == ECHILD)
            break;
          fprintf (stderr, "cs-e2e-reap: waitpid: %s\n", strerror (errno));
          return 2;
        }

      if (WIFEXITED (status))
        fprintf (report, "%ld exited %d\n", (long) pid, WEXITSTATUS (status));
      else
        fprintf (report, "%ld killed %d\n", (long) pid, WTERMSIG (status));
      fflush (report);

      if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        result = 1;
    }

  fclose (report);
  return result;
}
