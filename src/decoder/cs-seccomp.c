/* cs-seccomp.c: the only system calls a decoder may make
 *
 * An allow-list, measured by running the helper under strace -f over every
 * format it decodes (the fuzz seeds, the hostile corpus, gdk-pixbuf-tests'
 * images, HEIC, AVIF, animated WebP, SVG with text, DNGs with and without
 * previews, whole and cut short, on LibRaw 0.20 and 0.22) and keeping the calls
 * made after the filter is in place: reading and writing the descriptors it
 * holds, memory, futexes and threads, clocks, signals to itself, and leaving.
 * Everything else is refused with EPERM, so that a library that tries
 * something new is told no rather than killed: opening a file, sockets,
 * programs, other processes, executable memory, higher limits, and the
 * prctl() calls that would undo the rest. Opening a file to read it is let
 * through only when Landlock is in place to say which (fonts, for SVG text).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "contact-sheet-decoder"

/* CLONE_THREAD */
#define _GNU_SOURCE

#include "config.h"

#include "cs-seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
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
/* Little-endian on both architectures: an argument's low word comes first. */
# define ARG_LO(i) (offsetof (struct seccomp_data, args) + (i) * sizeof (guint64))
# define ARG_HI(i) (ARG_LO (i) + sizeof (guint32))

# define RET_ALLOW SECCOMP_RET_ALLOW
# define RET_EPERM (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))
# define RET_ENOSYS (SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA))

/* Allowed whatever their arguments: they touch only the helper itself and
 * the descriptors it already holds. The most frequent come first. */
static const int allowed[] = {
  __NR_read,
  __NR_lseek,
  __NR_pread64,
  __NR_futex,
  __NR_write,
  __NR_close,
  __NR_munmap,
  __NR_madvise,
  __NR_brk,
  __NR_mremap,
  __NR_newfstatat,
# ifdef __NR_fstat
  __NR_fstat,
# endif
  __NR_fcntl,
  __NR_readv,
  __NR_writev,
  __NR_recvmsg,
  __NR_recvfrom,
  __NR_sendmsg,
  __NR_sendto,
  __NR_getrandom,
  __NR_rt_sigprocmask,
  __NR_rt_sigaction,
  __NR_rt_sigreturn,
  __NR_sigaltstack,
  __NR_restart_syscall,
  __NR_set_robust_list,
  __NR_rseq,
  __NR_exit,
  __NR_exit_group,
  __NR_getpid,
  __NR_gettid,
  __NR_getuid,
  __NR_geteuid,
  __NR_getgid,
  __NR_getegid,
  __NR_sched_getaffinity,
  __NR_sched_yield,
  __NR_sysinfo,
  __NR_clock_gettime,
  __NR_clock_getres,
  __NR_clock_nanosleep,
  __NR_nanosleep,
  __NR_gettimeofday,
# ifdef __NR_getrlimit
  __NR_getrlimit,
# endif
  /* GdkPixbuf's XBM and XPM loaders write the data to a temporary file:
   * an anonymous one in memory (cs-tmpfile.c), within RLIMIT_FSIZE. */
  __NR_memfd_create,
  /* GStreamer's bus and fdsrc wait on their own sockets (socketpair()
   * below); glibc's poll() is ppoll() on newer architectures. */
  __NR_ppoll,
# ifdef __NR_poll
  __NR_poll,
# endif
};

static void
emit (GArray  *program,
      guint16  code,
      guint32  k,
      guint8   jt,
      guint8   jf)
{
  struct sock_filter insn = { code, jt, jf, k };

  g_array_append_val (program, insn);
}

static void
emit_ret (GArray  *program,
          guint32  action)
{
  emit (program, BPF_RET | BPF_K, action, 0, 0);
}

static void
emit_load (GArray *program,
           gsize   offset)
{
  emit (program, BPF_LD | BPF_W | BPF_ABS, offset, 0, 0);
}

/* A block for one call: if the number is @nr, run the next @length
 * instructions (which must all end in a return), else skip them. The
 * number is loaded again after each block. */
static void
begin_block (GArray *program,
             int     nr,
             guint8  length)
{
  emit (program, BPF_JMP | BPF_JEQ | BPF_K, nr, 0, length);
}

static void
end_block (GArray *program)
{
  emit_load (program, offsetof (struct seccomp_data, nr));
}

/* mmap() and mprotect() without PROT_EXEC: no code but what was loaded
 * before the filter. */
static void
emit_no_exec (GArray *program,
              int     nr)
{
  begin_block (program, nr, 4);
  emit_load (program, ARG_LO (2));
  emit (program, BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1);
  emit_ret (program, RET_EPERM);
  emit_ret (program, RET_ALLOW);
  end_block (program);
}

/* kill() and tgkill() of the helper itself (abort() raises SIGABRT). */
static void
emit_self_only (GArray *program,
                int     nr,
                pid_t   self)
{
  begin_block (program, nr, 4);
  emit_load (program, ARG_LO (0));
  emit (program, BPF_JMP | BPF_JEQ | BPF_K, (guint32) self, 0, 1);
  emit_ret (program, RET_ALLOW);
  emit_ret (program, RET_EPERM);
  end_block (program);
}

/* The flags of an open() that could write, create, or hand out a
 * descriptor for anything but reading. */
#define OPEN_NOT_READ_ONLY (O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | O_TMPFILE | O_PATH)

static GArray *
build_program (gboolean may_read_files)
{
  GArray *program = g_array_new (FALSE, FALSE, sizeof (struct sock_filter));
  pid_t self = getpid ();

  /* Another architecture's system call numbers mean other calls. */
  emit_load (program, offsetof (struct seccomp_data, arch));
  emit (program, BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0);
  emit_ret (program, SECCOMP_RET_KILL_PROCESS);
  emit_load (program, offsetof (struct seccomp_data, nr));

  for (gsize i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      emit (program, BPF_JMP | BPF_JEQ | BPF_K, allowed[i], 0, 1);
      emit_ret (program, RET_ALLOW);
    }

  emit_no_exec (program, __NR_mmap);
  emit_no_exec (program, __NR_mprotect);
  emit_self_only (program, __NR_kill, self);
  emit_self_only (program, __NR_tgkill, self);

  /* Threads (libdav1d's, libheif's), never a new process. clone3() takes
   * its flags in memory the filter cannot read: "not implemented" makes
   * glibc fall back to clone(). */
  begin_block (program, __NR_clone, 4);
  emit_load (program, ARG_LO (0));
  emit (program, BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 0, 1);
  emit_ret (program, RET_ALLOW);
  emit_ret (program, RET_EPERM);
  end_block (program);
#ifdef __NR_clone3
  emit (program, BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1);
  emit_ret (program, RET_ENOSYS);
#endif

  /* GStreamer's wake-ups (GstPoll, for its bus and fdsrc): a pair of
   * sockets joined to each other, which reach nothing outside. */
  begin_block (program, __NR_socketpair, 4);
  emit_load (program, ARG_LO (0));
  emit (program, BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 0, 1);
  emit_ret (program, RET_ALLOW);
  emit_ret (program, RET_EPERM);
  end_block (program);

  /* Reading a limit (getrlimit() is prlimit64() without a new one), never
   * setting one. */
  begin_block (program, __NR_prlimit64, 6);
  emit_load (program, ARG_LO (2));
  emit (program, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3);
  emit_load (program, ARG_HI (2));
  emit (program, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1);
  emit_ret (program, RET_ALLOW);
  emit_ret (program, RET_EPERM);
  end_block (program);

  /* Naming a thread; no other prctl(), none that undoes a limit. */
  begin_block (program, __NR_prctl, 5);
  emit_load (program, ARG_LO (0));
  emit (program, BPF_JMP | BPF_JEQ | BPF_K, PR_SET_NAME, 1, 0);
  emit (program, BPF_JMP | BPF_JEQ | BPF_K, PR_GET_NAME, 0, 1);
  emit_ret (program, RET_ALLOW);
  emit_ret (program, RET_EPERM);
  end_block (program);

  if (may_read_files)
    {
      begin_block (program, __NR_openat, 4);
      emit_load (program, ARG_LO (2));
      emit (program, BPF_JMP | BPF_JSET | BPF_K, OPEN_NOT_READ_ONLY, 0, 1);
      emit_ret (program, RET_EPERM);
      emit_ret (program, RET_ALLOW);
      end_block (program);
      /* cairo checks that a font file is readable before it opens it. */
#ifdef __NR_access
      emit (program, BPF_JMP | BPF_JEQ | BPF_K, __NR_access, 0, 1);
      emit_ret (program, RET_ALLOW);
#endif
      emit (program, BPF_JMP | BPF_JEQ | BPF_K, __NR_faccessat, 0, 1);
      emit_ret (program, RET_ALLOW);
    }

  emit_ret (program, RET_EPERM);

  return program;
}
#endif

/**
 * cs_seccomp_restrict:
 * @may_read_files: let open() for reading through (Landlock decides which)
 *
 * Installs the allow-list on every thread of the helper. Needs
 * no_new_privs.
 *
 * Returns: whether the filter is in place
 */
gboolean
cs_seccomp_restrict (gboolean may_read_files)
{
#if HAVE_FILTER
  g_autoptr(GArray) program = build_program (may_read_files);
  struct sock_fprog fprog = { program->len, (struct sock_filter *) (gpointer) program->data };

  if (syscall (__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fprog) != 0)
    {
      g_debug ("seccomp: %s", g_strerror (errno));
      return FALSE;
    }

  return TRUE;
#else
  return FALSE;
#endif
}
