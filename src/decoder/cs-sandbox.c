/* cs-sandbox.c: what the decoder helper gives up before it reads a file
 *
 * A decoder exploited by a crafted image runs with the helper's rights. The
 * helper needs none but reading the descriptors it is handed and writing
 * pixels back on its socket: it gives up privileges (no_new_privs) and, with
 * a seccomp filter, the network and starting programs. Where seccomp is not
 * available, the helper still runs, under the memory and time limits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "contact-sheet-decoder"

#include "config.h"

#include "cs-sandbox.h"

#include <errno.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
# include <linux/audit.h>
# include <linux/filter.h>
# include <linux/seccomp.h>
# define HAVE_FILTER 1
# if defined(__x86_64__)
#  define ARCH AUDIT_ARCH_X86_64
# else
#  define ARCH AUDIT_ARCH_AARCH64
# endif
#else
# define HAVE_FILTER 0
#endif

#if HAVE_FILTER
/* Refused with EPERM rather than killed: a library that tries is told no. */
# define DENY(nr) \
  BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
  BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))

static struct sock_filter filter[] = {
  /* Another architecture's system call numbers mean other calls: refuse. */
  BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch)),
  BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
  BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
  BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
  DENY (__NR_socket),
  DENY (__NR_socketpair),
  DENY (__NR_connect),
  DENY (__NR_bind),
  DENY (__NR_listen),
  DENY (__NR_accept),
  DENY (__NR_accept4),
  DENY (__NR_execve),
  DENY (__NR_execveat),
  DENY (__NR_ptrace),
  BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
#endif

gboolean
cs_sandbox_enter (void)
{
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    {
      g_debug ("no_new_privs: %s", g_strerror (errno));
      return FALSE;
    }

#if HAVE_FILTER
  {
    struct sock_fprog program = { G_N_ELEMENTS (filter), filter };

    if (prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) != 0)
      {
        g_debug ("seccomp: %s", g_strerror (errno));
        return FALSE;
      }
    return TRUE;
  }
#else
  return FALSE;
#endif
}
