/* cs-decoder-client.c: decoding in helper processes, the worker's side
 *
 * Image decoders are the part of a thumbnailer that meets hostile input. Each
 * worker thread keeps one long-lived helper process (contact-sheet-decoder)
 * and hands it file after file: the worker opens the file and checks it is a
 * regular one, passes the descriptor over a socket, and waits, with a time
 * limit, for the pixels of the finished thumbnail. The helper runs under an
 * address-space limit. A helper that crashes, hangs or runs out of memory is
 * killed and replaced; the file gets an error, the batch goes on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-decoder"

/* memfd_create() */
#define _GNU_SOURCE

#include "config.h"

#include "cs-decoder-client.h"
#include "cs-decoder-protocol.h"
#include "cs-util.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cs-decode.h"
#include "cs-decode-util.h"
#if HAVE_GLYCIN
#include "cs-decode-glycin.h"
#endif
#if HAVE_GSTREAMER
#include "cs-decode-video.h"
#endif
#include "cs-error.h"

/* Sanitizer builds reserve terabytes of address space up front: an
 * address-space limit would stop the helper before it starts. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
# define CS_SANITIZED 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#  define CS_SANITIZED 1
# endif
#endif
#ifndef CS_SANITIZED
# define CS_SANITIZED 0
#endif

typedef struct
{
  GSubprocess *process;
  int          socket;
  guint64      memory_limit;
  gboolean     background;
} Helper;

static void
helper_free (gpointer data)
{
  Helper *helper = data;

  if (helper == NULL)
    return;

  /* Closing the socket ends an idle helper; a busy one is killed. */
  if (helper->socket >= 0)
    close (helper->socket);
  if (helper->process != NULL)
    {
      g_subprocess_force_exit (helper->process);
      g_object_unref (helper->process);
    }
  g_free (helper);
}

static GPrivate thread_helper = G_PRIVATE_INIT (helper_free);

/* Says once per process what the helpers' sandbox lacks on this kernel. */
static void
note_sandbox (guint32 sandbox)
{
  static gsize noted;
  guint abi = sandbox & CS_DECODER_SANDBOX_LANDLOCK_ABI;

  if (CS_SANITIZED || !g_once_init_enter (&noted))
    return;

  if (abi == 0)
    g_message ("The kernel offers no Landlock: decoder helpers are confined by seccomp%s",
               (sandbox & CS_DECODER_SANDBOX_SECCOMP) ? " alone" : " neither, only by their limits");
  else if (abi < CS_LANDLOCK_ABI_KNOWN)
    g_message ("The kernel offers Landlock ABI %u of %u: decoder helpers are confined with its rights%s",
               abi, CS_LANDLOCK_ABI_KNOWN,
               (sandbox & CS_DECODER_SANDBOX_SECCOMP) ? " and seccomp" : ", without seccomp");
  else if (!(sandbox & CS_DECODER_SANDBOX_SECCOMP))
    g_message ("No seccomp: decoder helpers are confined by Landlock alone");

  g_once_init_leave (&noted, 1);
}

/**
 * cs_decoder_get_helper_path:
 *
 * Returns: (nullable): the helper program: $CONTACT_SHEET_DECODER (the
 *   build tree sets it), else the installed one; %NULL if neither exists
 */
const char *
cs_decoder_get_helper_path (void)
{
  static const char *path;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      const char *env = g_getenv ("CONTACT_SHEET_DECODER");

      if (env != NULL && env[0] != '\0')
        path = g_strdup (env);
      else if (g_file_test (LIBEXECDIR "/contact-sheet-decoder", G_FILE_TEST_IS_EXECUTABLE))
        path = LIBEXECDIR "/contact-sheet-decoder";
      else
        path = NULL;

      if (path == NULL)
        g_debug ("No contact-sheet-decoder: decoding in-process");

      g_once_init_leave (&initialized, 1);
    }

  return path;
}

/* One file for all of this process's helpers: an empty one in memory. */
static int
get_turns_fd (void)
{
  static int fd = -1;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      fd = memfd_create ("contact-sheet-turns", MFD_CLOEXEC);
      if (fd < 0)
        g_debug ("No file for the helpers' turns: %s", g_strerror (errno));
      g_once_init_leave (&initialized, 1);
    }

  return fd;
}

/* Runs in the helper between fork and exec. */
static void
limit_helper (gpointer user_data)
{
  const CsDecodeLimits *limits = user_data;
  struct rlimit core = { 0, 0 };

  /* Never outlive the app; never dump a core of someone's file; a group
   * of its own, so that signalling "its group" reaches only itself and the
   * terminal's Ctrl+C goes to the app, which stops the helpers itself. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  setrlimit (RLIMIT_CORE, &core);
  setpgid (0, 0);

  /* Soft and hard limits alike: the helper cannot raise them again. The
   * file size limit bounds the temporary files in memory some loaders
   * write (src/decoder/cs-tmpfile.c), which the address space does not. */
  if (limits->memory_limit > 0 && !CS_SANITIZED)
    {
      struct rlimit as = { limits->memory_limit, limits->memory_limit };

      setrlimit (RLIMIT_AS, &as);
      setrlimit (RLIMIT_FSIZE, &as);
    }

  /* Ten steps nicer than the app: its main thread's niceness, since the
   * worker that starts a helper may already run nicer itself (and the
   * helper started with the worker's). A failure leaves it as it is. */
  if (limits->background)
    {
      int app_nice, target;

      errno = 0;
      app_nice = getpriority (PRIO_PROCESS, getppid ());
      target = MIN (app_nice + CS_BACKGROUND_NICE, 19);
      if (errno == 0 && target != getpriority (PRIO_PROCESS, 0))
        setpriority (PRIO_PROCESS, 0, target);
    }
}

/* A decode's big buffers (a photo's rows, a progressive JPEG's
 * coefficients) are touched once each, so the helper spends much of its
 * time in page faults, one per 4 KiB. glibc asks for transparent huge pages
 * for them when told to (glibc 2.35 and later; older ones ignore it, and so
 * does a kernel with THP set to never): one fault per 2 MiB. The person's
 * own tunables come first and win. */
static void
set_helper_tunables (GSubprocessLauncher *launcher)
{
  const char *tunables = g_getenv ("GLIBC_TUNABLES");
  g_autofree char *value = NULL;

  if (tunables != NULL && strstr (tunables, "glibc.malloc.hugetlb") != NULL)
    return;

  value = tunables != NULL && tunables[0] != '\0'
          ? g_strconcat (tunables, ":glibc.malloc.hugetlb=1", NULL)
          : g_strdup ("glibc.malloc.hugetlb=1");
  g_subprocess_launcher_setenv (launcher, "GLIBC_TUNABLES", value, TRUE);
}

static Helper *
helper_start (const CsDecodeLimits  *limits,
              GError               **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  CsDecodeLimits copy = *limits;
  Helper *helper;
  int sv[2];

#if HAVE_GSTREAMER
  /* A plugin scan takes more memory than a helper may have. */
  cs_video_prepare ();
#endif

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot start the decoder: %s"), g_strerror (saved_errno));
      return NULL;
    }

  /* What a decoder prints about a bad file ("memory allocation failed") is
   * not for the person: the error they get says it in one line. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_take_fd (launcher, sv[1], CS_DECODER_SOCKET_FD);
  set_helper_tunables (launcher);
  if (get_turns_fd () >= 0)
    {
      int turns = fcntl (get_turns_fd (), F_DUPFD_CLOEXEC, 0);

      if (turns >= 0)
        g_subprocess_launcher_take_fd (launcher, turns, CS_DECODER_TURNS_FD);
    }
  /* The child setup runs in the forked child, on its copy of this stack. */
  g_subprocess_launcher_set_child_setup (launcher, limit_helper, &copy, NULL);

  helper = g_new0 (Helper, 1);
  helper->socket = sv[0];
  helper->memory_limit = limits->memory_limit;
  helper->background = limits->background;
  helper->process = g_subprocess_launcher_spawn (launcher, error,
                                                 cs_decoder_get_helper_path (), NULL);
  if (helper->process == NULL)
    {
      helper_free (helper);
      return NULL;
    }

  return helper;
}

static Helper *
get_helper (const CsDecodeLimits  *limits,
            GError               **error)
{
  Helper *helper = g_private_get (&thread_helper);

  if (helper != NULL && helper->memory_limit == limits->memory_limit &&
      helper->background == limits->background)
    return helper;

  helper = helper_start (limits, error);
  g_private_replace (&thread_helper, helper);

  return helper;
}

static void
drop_helper (void)
{
  g_private_replace (&thread_helper, NULL);
}

typedef enum
{
  WAIT_OK,
  WAIT_TIMEOUT,
  WAIT_CANCELLED,
  WAIT_CLOSED,
} WaitResult;

/* Reads exactly @len bytes, within @deadline (monotonic µs, 0: none). */
static WaitResult
read_all (int           socket_fd,
          void         *buf,
          gsize         len,
          gint64        deadline,
          GCancellable *cancellable)
{
  guint8 *p = buf;
  GPollFD fds[2];
  guint n_fds = 1;

  fds[0].fd = socket_fd;
  fds[0].events = G_IO_IN;
  if (g_cancellable_make_pollfd (cancellable, &fds[1]))
    n_fds = 2;

  while (len > 0)
    {
      int timeout = -1;
      ssize_t n;

      if (deadline > 0)
        {
          gint64 left = deadline - g_get_monotonic_time ();

          if (left <= 0)
            {
              g_cancellable_release_fd (cancellable);
              return WAIT_TIMEOUT;
            }
          timeout = (int) MIN (left / 1000 + 1, G_MAXINT);
        }

      fds[0].revents = 0;
      if (n_fds == 2)
        fds[1].revents = 0;
      if (g_poll (fds, n_fds, timeout) < 0 && errno != EINTR)
        break;

      if (g_cancellable_is_cancelled (cancellable))
        {
          g_cancellable_release_fd (cancellable);
          return WAIT_CANCELLED;
        }

      if (fds[0].revents == 0)
        continue;

      n = read (socket_fd, p, len);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0)
        break;
      p += n;
      len -= n;
    }

  if (n_fds == 2)
    g_cancellable_release_fd (cancellable);

  return len == 0 ? WAIT_OK : WAIT_CLOSED;
}

static char *
describe_death (Helper               *helper,
                const CsDecodeLimits *limits)
{
  g_autofree char *memory = g_format_size_full (limits->memory_limit, G_FORMAT_SIZE_IEC_UNITS);

  g_subprocess_wait (helper->process, NULL, NULL);

  if (g_subprocess_get_if_signaled (helper->process))
    return g_strdup_printf (_("The decoder crashed on this file (signal %d), or it needed more than %s of memory"),
                            g_subprocess_get_term_sig (helper->process), memory);

  return g_strdup_printf (_("The decoder stopped on this file, or it needed more than %s of memory"),
                          memory);
}

static GdkPixbuf *
decode_isolated (int                    fd,
                 const char            *type_hint,
                 const CsDecodeLimits  *limits,
                 char                 **mime_type,
                 int                   *image_width,
                 int                   *image_height,
                 GCancellable          *cancellable,
                 GError               **error)
{
  CsDecoderRequestHeader request = { CS_DECODER_MAGIC, limits->size, limits->max_pixels, "" };
  CsDecoderReplyHeader reply;
  g_autofree char *mime = NULL;
  g_autofree char *message = NULL;
  g_autofree guint8 *pixels = NULL;
  gint64 deadline = 0;
  WaitResult result;
  Helper *helper;

  if (type_hint != NULL)
    g_strlcpy (request.type_hint, type_hint, sizeof request.type_hint);

  helper = get_helper (limits, error);
  if (helper == NULL)
    return NULL;

  if (!cs_decoder_send_request (helper->socket, &request, fd))
    {
      /* The helper went away between two files: start a new one, once. */
      drop_helper ();
      helper = get_helper (limits, error);
      if (helper == NULL)
        return NULL;
      if (!cs_decoder_send_request (helper->socket, &request, fd))
        {
          drop_helper ();
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE,
                               _("Cannot reach the decoder"));
          return NULL;
        }
    }

  if (limits->timeout_ms > 0)
    deadline = g_get_monotonic_time () + (gint64) limits->timeout_ms * 1000;

  result = read_all (helper->socket, &reply, sizeof reply, deadline, cancellable);
  if (result == WAIT_OK)
    {
      if (reply.magic != CS_DECODER_MAGIC || reply.mime_len > 1024 ||
          reply.message_len > 65536 || reply.data_len > G_MAXINT32)
        result = WAIT_CLOSED;
      else
        note_sandbox (reply.sandbox);
    }
  if (result == WAIT_OK)
    {
      mime = g_malloc0 (reply.mime_len + 1);
      message = g_malloc0 (reply.message_len + 1);
      pixels = g_malloc (MAX (reply.data_len, 1));
      result = read_all (helper->socket, mime, reply.mime_len, deadline, cancellable);
      if (result == WAIT_OK)
        result = read_all (helper->socket, message, reply.message_len, deadline, cancellable);
      if (result == WAIT_OK)
        result = read_all (helper->socket, pixels, reply.data_len, deadline, cancellable);
    }

  switch (result)
    {
    case WAIT_OK:
      break;

    case WAIT_CANCELLED:
      /* It may be deep in a large file: a new helper is cheaper. */
      drop_helper ();
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
      return NULL;

    case WAIT_TIMEOUT:
      drop_helper ();
      cs_set_error_timeout (error, limits->timeout_ms);
      return NULL;

    case WAIT_CLOSED:
    default:
      {
        g_autofree char *why = describe_death (helper, limits);

        drop_helper ();
        g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_DECODER_DIED, why);
        return NULL;
      }
    }

  if (reply.domain != 0)
    {
      GQuark domain = reply.domain == CS_DECODER_DOMAIN_THUMB ? CS_THUMB_ERROR : G_IO_ERROR;

      g_set_error_literal (error, domain, reply.code, message);
      return NULL;
    }

  if (reply.width <= 0 || reply.height <= 0 || reply.rowstride < reply.width * (reply.has_alpha ? 4 : 3) ||
      (guint64) reply.rowstride * (reply.height - 1) + (guint64) reply.width * (reply.has_alpha ? 4 : 3) > reply.data_len)
    {
      drop_helper ();
      g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_DECODER_DIED,
                           _("The decoder sent back something that is not a picture"));
      return NULL;
    }

  *mime_type = g_steal_pointer (&mime);
  *image_width = reply.image_width;
  *image_height = reply.image_height;

  {
    g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&pixels), reply.data_len);
    GdkPixbuf *pixbuf = gdk_pixbuf_new_from_bytes (bytes, GDK_COLORSPACE_RGB, reply.has_alpha, 8,
                                                   reply.width, reply.height, reply.rowstride);

    cs_decode_set_duration_ms (pixbuf, reply.duration_ms);
    return pixbuf;
  }
}

/**
 * cs_decoder_decode:
 *
 * cs_decode_fd() in this thread's helper process, within @limits. Without a
 * helper program (an uninstalled build run without the environment variable)
 * it decodes in-process. Built with glycin, a file the direct decoders
 * leave is decoded through glycin from this thread, within the same pixel
 * and time limits; glycin's sandboxed loaders have memory limits of their
 * own, and unsandboxed ones get ours.
 */
GdkPixbuf *
cs_decoder_decode (int                    fd,
                   const char            *type_hint,
                   const CsDecodeLimits  *limits,
                   char                 **mime_type,
                   int                   *image_width,
                   int                   *image_height,
                   GCancellable          *cancellable,
                   GError               **error)
{
  g_autoptr(GError) local_error = NULL;
  GdkPixbuf *pixbuf;

  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (limits != NULL, NULL);

  if (cs_decoder_get_helper_path () == NULL)
    pixbuf = cs_decode_fd (fd, type_hint, limits->size, limits->max_pixels, mime_type,
                           image_width, image_height, cancellable, &local_error);
  else
    pixbuf = decode_isolated (fd, type_hint, limits, mime_type, image_width, image_height,
                              cancellable, &local_error);

#if HAVE_GLYCIN
  if (g_error_matches (local_error, CS_THUMB_ERROR, CS_THUMB_ERROR_NOT_DIRECT))
    return cs_decode_glycin (fd, type_hint, limits->size, limits->max_pixels, limits->timeout_ms,
                             limits->memory_limit, mime_type, image_width, image_height,
                             cancellable, error);
#endif

  if (pixbuf == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));

  return pixbuf;
}
