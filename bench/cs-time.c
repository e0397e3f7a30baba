/* cs-time.c: what GNU time measures, without its cost in the wall time
 *
 *   cs-time OUTFILE PROGRAM [ARGUMENT...]
 *
 * Runs PROGRAM and writes "WALL USER SYS MAXRSS" to OUTFILE: wall seconds
 * from just before the fork to just after wait4() returns (monotonic
 * clock), then user and system seconds and the peak RSS in KiB of every
 * process under it, as GNU time's %U %S %M give them for PROGRAM and the
 * children it reaped. The exit status is PROGRAM's (128 + N if a signal N
 * ended it; 127 if it could not be started).
 *
 * cs-time is a child subreaper: a process that PROGRAM leaves behind (the
 * decoder helpers, which outlive the CLI by the instant its exit takes to
 * end them, or glycin's loaders) becomes cs-time's child instead of going
 * to init, so the harness's tree sampler still sees it and its CPU time and
 * peak RSS are counted. cs-time waits for them after the wall time is
 * taken; one still alive after ORPHAN_WAIT_S seconds is killed.
 *
 * Why: the harness measured runs of 15 ms under /usr/bin/time, and starting
 * GNU time (a dynamically linked program) added about 4 ms to each. Built
 * static, this starts in a fraction of that and, being small, does not raise
 * the peak RSS that wait4() reports (ru_maxrss keeps the largest RSS the
 * process had, including before it exec'd).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ORPHAN_WAIT_S 30

static double
seconds (struct timespec t)
{
  return t.tv_sec + t.tv_nsec / 1e9;
}

/* SIGALRM: the orphans that are still alive are killed, each by its own
 * pid, as /proc lists this (single-threaded) process's children. */
static void
kill_children (int sig)
{
  char path[64];
  FILE *f;
  long child;

  (void) sig;
  snprintf (path, sizeof path, "/proc/self/task/%ld/children", (long) getpid ());
  f = fopen (path, "r");
  if (f == NULL)
    return;
  while (fscanf (f, "%ld", &child) == 1)
    kill ((pid_t) child, SIGKILL);
  fclose (f);
}

int
main (int   argc,
      char *argv[])
{
  struct timespec start, end;
  struct rusage usage;
  FILE *out;
  pid_t pid;
  int status;

  if (argc < 3)
    {
      fprintf (stderr, "usage: cs-time OUTFILE PROGRAM [ARGUMENT...]\n");
      return 2;
    }

  prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  clock_gettime (CLOCK_MONOTONIC, &start);
  pid = fork ();
  if (pid < 0)
    {
      perror ("cs-time: fork");
      return 127;
    }
  if (pid == 0)
    {
      execvp (argv[2], argv + 2);
      perror ("cs-time: exec");
      _exit (127);
    }

  while (wait4 (pid, &status, 0, NULL) < 0)
    ;
  clock_gettime (CLOCK_MONOTONIC, &end);

  signal (SIGALRM, kill_children);
  alarm (ORPHAN_WAIT_S);
  while (wait4 (-1, NULL, 0, NULL) > 0 || errno == EINTR)
    ;
  alarm (0);
  getrusage (RUSAGE_CHILDREN, &usage);

  out = fopen (argv[1], "w");
  if (out == NULL)
    {
      perror ("cs-time: output");
      return 127;
    }
  fprintf (out, "%.6f %.6f %.6f %ld\n",
           seconds (end) - seconds (start),
           usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6,
           usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6,
           usage.ru_maxrss);
  fclose (out);

  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}
