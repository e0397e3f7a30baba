/* cs-landlock.c: no file system for the decoder helper
 *
 * Landlock lets an unprivileged process give up the file system for good.
 * The helper asks for a ruleset that handles every right the kernel knows
 * (files, TCP, signals and abstract sockets beyond its own domain) and
 * grants none of them: descriptors it already holds keep working, opening
 * anything by name does not. Each kernel knows the rights of its Landlock
 * ABI; an older one enforces what it knows and the rest is left to the
 * seccomp filter. The one exception is reading beneath the folders the
 * helper is given: fontconfig's font folders (cs-preload.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "contact-sheet-decoder"

/* O_PATH */
#define _GNU_SOURCE

#include "config.h"

#include "cs-landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>

#if defined(__linux__)
# include <linux/landlock.h>
#endif

#if defined(__linux__) && defined(__NR_landlock_create_ruleset)
# define HAVE_LANDLOCK 1
#else
# define HAVE_LANDLOCK 0
#endif

#if HAVE_LANDLOCK
/* The rights of later ABIs, for headers older than the running kernel
 * (Debian 12's describe ABI 2). Their values are the kernel's ABI. */
# ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#  define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
# endif
# ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#  define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
# endif
# ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#  define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#  define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
# endif
# ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#  define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#  define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
# endif

/* struct landlock_ruleset_attr as of ABI 6; the kernel reads as much of it
 * as the size passed says. */
typedef struct
{
  guint64 handled_access_fs;
  guint64 handled_access_net;
  guint64 scoped;
} RulesetAttr;

/* Every file system right of ABI 1 (execute to make symlinks). */
# define ACCESS_FS_ABI_1 ((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1)

static void
allow_reading (int         ruleset,
               const char *folder)
{
  struct landlock_path_beneath_attr beneath = {
    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR, -1
  };

  beneath.parent_fd = open (folder, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (beneath.parent_fd < 0)
    return;
  if (syscall (__NR_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0) != 0)
    g_debug ("Landlock rule for %s: %s", folder, g_strerror (errno));
  close (beneath.parent_fd);
}
#endif

/**
 * cs_landlock_restrict:
 * @readable: (nullable): folders to keep reading beneath
 *
 * Gives up the file system (and, where the kernel's ABI covers them, TCP
 * and signals to processes outside the helper). Needs no_new_privs.
 *
 * Returns: the Landlock ABI enforced; 0 if none
 */
int
cs_landlock_restrict (const char * const *readable)
{
#if HAVE_LANDLOCK
  RulesetAttr attr = { 0 };
  gsize attr_size = sizeof attr.handled_access_fs;
  int abi, ruleset;

  abi = syscall (__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
  if (abi < 1)
    return 0;

  attr.handled_access_fs = ACCESS_FS_ABI_1;
  if (abi >= 2)
    attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3)
    attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
  if (abi >= 4)
    {
      attr.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
      attr_size = G_STRUCT_OFFSET (RulesetAttr, scoped);
    }
  if (abi >= 5)
    attr.handled_access_fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
  if (abi >= 6)
    {
      attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
      attr_size = sizeof attr;
    }

  /* Everything handled is refused, but for reading fonts. */
  ruleset = syscall (__NR_landlock_create_ruleset, &attr, attr_size, 0);
  if (ruleset < 0)
    {
      g_debug ("Landlock ruleset: %s", g_strerror (errno));
      return 0;
    }
  for (gsize i = 0; readable != NULL && readable[i] != NULL; i++)
    allow_reading (ruleset, readable[i]);

  if (syscall (__NR_landlock_restrict_self, ruleset, 0) != 0)
    {
      g_debug ("Landlock: %s", g_strerror (errno));
      close (ruleset);
      return 0;
    }

  close (ruleset);
  return abi;
#else
  return 0;
#endif
}
