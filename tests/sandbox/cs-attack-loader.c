/* cs-attack-loader.c: a GdkPixbuf loader that behaves like a taken-over decoder
 *
 * Test only (test-sandbox.c registers it through GDK_PIXBUF_MODULE_FILE for
 * HEIF, in place of the real loader). Fed a file whose content says
 * "CS-ATTACK MODE", it does what code injected into a decoder would:
 *
 *  all    tries, one after the other, to write, create, rename and delete
 *         files in $HOME and in $CS_ATTACK_TMP, read /etc/passwd and
 *         ~/.ssh/id_ed25519, connect to $CS_ATTACK_UNIX and to 127.0.0.1
 *         on $CS_ATTACK_PORT, run /bin/sh, trace and kill $CS_ATTACK_VICTIM,
 *         make memory executable, raise its limits, make itself dumpable,
 *         trace and signal its parent (the app);
 *  spin   never returns;
 *  alloc  allocates until it is refused.
 *
 * Its error message says which attempts it saw succeed, and carries what it
 * read: the test checks it from outside, with everything else.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define GDK_PIXBUF_ENABLE_BACKEND
#define _GNU_SOURCE

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gdk-pixbuf/gdk-pixbuf-io.h>
#include <gmodule.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct
{
  GString *data;
  gboolean done;
} Context;

typedef struct
{
  guint    tried;
  GString *succeeded;
  GString *stolen;
} Report;

static void
attempt (Report     *report,
         const char *name,
         gboolean    succeeded)
{
  report->tried++;
  if (succeeded)
    g_string_append_printf (report->succeeded, " %s", name);
}

static gboolean
write_file (const char *path,
            int         flags)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC | flags, 0600);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = write (fd, "taken over\n", 11) == 11;
  close (fd);
  return ok;
}

static gboolean
steal (Report     *report,
       const char *path)
{
  char buf[256];
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return FALSE;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return FALSE;
  buf[n] = '\0';
  g_string_append_printf (report->stolen, " [%s]", g_strdelimit (buf, "\n", ' '));
  return TRUE;
}

static void
attack_folder (Report     *report,
               const char *prefix,
               const char *folder)
{
  g_autofree char *canary = g_build_filename (folder, "canary", NULL);
  g_autofree char *created = g_build_filename (folder, "created", NULL);
  g_autofree char *to_rename = g_build_filename (folder, "canary-rename", NULL);
  g_autofree char *renamed = g_build_filename (folder, "renamed", NULL);
  g_autofree char *to_delete = g_build_filename (folder, "canary-delete", NULL);
  g_autofree char *write_name = g_strconcat (prefix, "-write", NULL);
  g_autofree char *create_name = g_strconcat (prefix, "-create", NULL);
  g_autofree char *rename_name = g_strconcat (prefix, "-rename", NULL);
  g_autofree char *delete_name = g_strconcat (prefix, "-delete", NULL);

  attempt (report, write_name, write_file (canary, O_TRUNC));
  attempt (report, create_name, write_file (created, O_CREAT | O_EXCL));
  attempt (report, rename_name, rename (to_rename, renamed) == 0);
  attempt (report, delete_name, unlink (to_delete) == 0);
}

static gboolean
connect_unix (const char *path)
{
  struct sockaddr_un addr = { AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  gboolean ok;

  if (fd < 0 || path == NULL)
    return FALSE;
  g_strlcpy (addr.sun_path, path, sizeof addr.sun_path);
  ok = connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0;
  close (fd);
  return ok;
}

static gboolean
connect_tcp (const char *port)
{
  struct sockaddr_in addr = { AF_INET };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  gboolean ok;

  if (fd < 0 || port == NULL)
    return FALSE;
  addr.sin_port = htons (atoi (port));
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  ok = connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0;
  close (fd);
  return ok;
}

/* A shell that leaves a file behind, from a child if there can be one. */
static gboolean
run_shell (const char *folder)
{
  g_autofree char *command = g_strdup_printf ("echo ran > '%s/shell-ran'", folder);
  char *argv[] = { (char *) "/bin/sh", (char *) "-c", command, NULL };
  int status;
  pid_t pid = fork ();

  if (pid < 0)
    return FALSE;
  if (pid == 0)
    {
      execve (argv[0], argv, environ);
      _exit (127);
    }
  return waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static gboolean
make_executable (void)
{
  void *page = mmap (NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  gboolean ok;

  if (page == MAP_FAILED)
    return FALSE;
  ok = mprotect (page, 4096, PROT_READ | PROT_EXEC) == 0;
  munmap (page, 4096);
  return ok;
}

static gboolean
map_executable (void)
{
  void *page = mmap (NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  if (page == MAP_FAILED)
    return FALSE;
  munmap (page, 4096);
  return TRUE;
}

static gboolean
raise_limits (void)
{
  struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
  gboolean ok = FALSE;

  ok |= setrlimit (RLIMIT_AS, &unlimited) == 0;
  ok |= setrlimit (RLIMIT_CORE, &unlimited) == 0;
  ok |= prlimit (0, RLIMIT_FSIZE, &unlimited, NULL) == 0;
  return ok;
}

static char *
attack_all (void)
{
  Report report = { 0, g_string_new (NULL), g_string_new (NULL) };
  g_autofree char *ssh = g_build_filename (g_getenv ("HOME"), ".ssh", "id_ed25519", NULL);
  const char *victim = g_getenv ("CS_ATTACK_VICTIM");
  pid_t victim_pid = victim != NULL ? atoi (victim) : 0;
  pid_t app = getppid ();

  attack_folder (&report, "home", g_getenv ("HOME"));
  attack_folder (&report, "tmp", g_getenv ("CS_ATTACK_TMP"));
  attempt (&report, "read-passwd", steal (&report, "/etc/passwd"));
  attempt (&report, "read-ssh", steal (&report, ssh));
  attempt (&report, "connect-unix", connect_unix (g_getenv ("CS_ATTACK_UNIX")));
  attempt (&report, "connect-tcp", connect_tcp (g_getenv ("CS_ATTACK_PORT")));
  attempt (&report, "exec-shell", run_shell (g_getenv ("CS_ATTACK_TMP")));
  attempt (&report, "mprotect-exec", make_executable ());
  attempt (&report, "mmap-exec", map_executable ());
  attempt (&report, "raise-limits", raise_limits ());
  attempt (&report, "set-dumpable", prctl (PR_SET_DUMPABLE, 1, 0, 0, 0) == 0);
  /* Traced with PTRACE_O_EXITKILL, the victim dies when the helper does. */
  attempt (&report, "ptrace-victim",
           victim_pid > 0 && ptrace (PTRACE_SEIZE, victim_pid, NULL, PTRACE_O_EXITKILL) == 0);
  attempt (&report, "kill-victim", victim_pid > 0 && kill (victim_pid, SIGKILL) == 0);
  attempt (&report, "ptrace-app", ptrace (PTRACE_SEIZE, app, NULL, PTRACE_O_EXITKILL) == 0);
  attempt (&report, "signal-app",
           kill (app, SIGTERM) == 0 || syscall (SYS_tgkill, app, app, SIGTERM) == 0);

  {
    g_autofree char *succeeded = g_string_free (report.succeeded, FALSE);
    g_autofree char *stolen = g_string_free (report.stolen, FALSE);

    return g_strdup_printf ("CS-ATTACK: %u attempts, %s succeeded:%s;%s", report.tried,
                            succeeded[0] == '\0' ? "none" : "some", succeeded, stolen);
  }
}

static char *
allocate_without_bound (void)
{
  gsize total = 0;

  for (;;)
    {
      gsize chunk = 16 * 1024 * 1024;
      guint8 *p = malloc (chunk);

      if (p == NULL)
        break;
      memset (p, 0xa5, chunk);
      total += chunk;
    }

  return g_strdup_printf ("CS-ATTACK: allocation refused after %" G_GSIZE_FORMAT " MiB",
                          total >> 20);
}

static gpointer
begin_load (GdkPixbufModuleSizeFunc      size_func,
            GdkPixbufModulePreparedFunc  prepared_func,
            GdkPixbufModuleUpdatedFunc   updated_func,
            gpointer                     user_data,
            GError                     **error)
{
  Context *context = g_new0 (Context, 1);

  context->data = g_string_new (NULL);
  return context;
}

static gboolean
stop_load (gpointer   data,
           GError   **error)
{
  Context *context = data;

  g_string_free (context->data, TRUE);
  g_free (context);
  g_set_error_literal (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_CORRUPT_IMAGE, "CS-ATTACK: no mode");
  return FALSE;
}

static volatile guint64 spins;

/* Fails the write, so that the decoder passes the message on as it is. */
static gboolean
load_increment (gpointer       data,
                const guchar  *buf,
                guint          size,
                GError       **error)
{
  Context *context = data;
  const char *mode;
  g_autofree char *message = NULL;

  g_string_append_len (context->data, (const char *) buf, size);
  /* The file's header holds NUL bytes. */
  mode = memmem (context->data->str, context->data->len, "CS-ATTACK ", strlen ("CS-ATTACK "));
  if (mode == NULL || strchr (mode, '\n') == NULL)
    return TRUE;
  mode += strlen ("CS-ATTACK ");

  if (g_str_has_prefix (mode, "all\n"))
    message = attack_all ();
  else if (g_str_has_prefix (mode, "alloc\n"))
    message = allocate_without_bound ();
  else if (g_str_has_prefix (mode, "spin\n"))
    for (;;)
      spins++;
  else
    message = g_strdup ("CS-ATTACK: unknown mode");

  g_set_error_literal (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_CORRUPT_IMAGE, message);
  return FALSE;
}

G_MODULE_EXPORT void fill_vtable (GdkPixbufModule *module);
G_MODULE_EXPORT void fill_info (GdkPixbufFormat *info);

void
fill_vtable (GdkPixbufModule *module)
{
  module->begin_load = begin_load;
  module->stop_load = stop_load;
  module->load_increment = load_increment;
}

void
fill_info (GdkPixbufFormat *info)
{
  static GdkPixbufModulePattern signature[] = {
    { (char *) "    ftyp", (char *) "xxxx    ", 100 },
    { NULL, NULL, 0 }
  };
  static char *mime_types[] = { (char *) "image/heif", (char *) "image/heic", (char *) "image/avif", NULL };
  static char *extensions[] = { (char *) "heic", (char *) "heif", (char *) "avif", NULL };

  info->name = (char *) "cs-attack";
  info->signature = signature;
  info->description = (char *) "A taken-over decoder (test only)";
  info->mime_types = mime_types;
  info->extensions = extensions;
  info->flags = GDK_PIXBUF_FORMAT_THREADSAFE;
  info->license = (char *) "GPL";
}
