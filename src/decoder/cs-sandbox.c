/* cs-sandbox.c: what the decoder helper gives up before it reads a file
 *
 * A decoder exploited by a crafted image runs with the helper's rights. The
 * helper needs none but reading the descriptors it is handed and writing
 * pixels back on its socket, so once everything it needs is loaded
 * (cs-preload.c) it gives up the rest, for good:
 *
 *  - privileges (no_new_privs);
 *  - the file system but for reading fonts, TCP, and signals to anything
 *    outside it (Landlock, cs-landlock.c);
 *  - every system call but the few decoders make (seccomp, cs-seccomp.c).
 *
 * Each layer stands alone: a kernel without Landlock still gets the filter,
 * which refuses open() by itself. The worker that started the helper adds
 * a process group of its own, no core dumps (RLIMIT_CORE 0, which the
 * filter keeps it from raising) and the memory, file size and time limits
 * (cs-decoder-client.c). The helper stays dumpable: the tests read its /proc
 * entries as the user.
 *
 * A sanitizer build's runtime reads /proc and traces the process to report
 * leaks, and starts a symbolizer: there the helper keeps its file system
 * and system calls, and only the limits apply.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "contact-sheet-decoder"

#include "config.h"

#include "cs-sandbox.h"

#include <errno.h>
#include <sys/prctl.h>

#include "cs-decoder-protocol.h"
#include "cs-landlock.h"
#include "cs-seccomp.h"


/* Test-only builds of the helper (tests/sandbox/) leave out one layer, to
 * prove that the attack test notices. Without the ruleset, the rest goes
 * on as if it were in place: the filter lets read-only opens through, as
 * it would if a ruleset silently failed to bind. */
#ifndef CS_SANDBOX_SKIP_LANDLOCK
# define CS_SANDBOX_SKIP_LANDLOCK 0
#endif
#ifndef CS_SANDBOX_SKIP_SECCOMP
# define CS_SANDBOX_SKIP_SECCOMP 0
#endif

/* A Landlock ruleset binds the calling thread only (the seccomp filter is
 * synchronised to all). The threads libraries start while loading (Pango
 * runs FcInit() in one) have returned by now, but a thread that returned
 * is listed until the kernel has reaped it: wait for that, briefly. */
static gboolean
wait_single_threaded (void)
{
  for (guint waited_ms = 0; waited_ms < 1000; waited_ms++)
    {
      g_autoptr(GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
      guint n = 0;

      if (tasks == NULL)
        return FALSE;
      while (g_dir_read_name (tasks) != NULL)
        n++;
      if (n == 1)
        return TRUE;

      g_usleep (1000);
    }

  return FALSE;
}

/**
 * cs_sandbox_enter:
 * @readable: (nullable): folders whose files stay readable (fonts)
 *
 * Returns: what is in place, as CS_DECODER_SANDBOX_* bits and the Landlock
 *   ABI, for the worker to log
 */
guint32
cs_sandbox_enter (const char * const *readable)
{
  guint32 status = 0;
  guint abi = 0;

  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    {
      g_debug ("no_new_privs: %s", g_strerror (errno));
      return status;
    }

  if (SANITIZED_BUILD)
    return status;

  /* A thread outside the Landlock domain could open anything; with one
   * left, Landlock does not count and the filter lets no open() through. */
  if (CS_SANDBOX_SKIP_LANDLOCK)
    abi = CS_LANDLOCK_ABI_KNOWN;
  else if (wait_single_threaded ())
    abi = MIN ((guint) cs_landlock_restrict (readable), CS_LANDLOCK_ABI_KNOWN);
  status |= abi & CS_DECODER_SANDBOX_LANDLOCK_ABI;

  /* Without Landlock to choose, no file is opened at all. */
  if (!CS_SANDBOX_SKIP_SECCOMP && cs_seccomp_restrict (abi > 0))
    status |= CS_DECODER_SANDBOX_SECCOMP;

  return status;
}
