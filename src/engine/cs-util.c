/* cs-util.c: small helpers every floor of the engine may use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-util"

#include "config.h"

#include "cs-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Lowers the calling thread's CPU priority by CS_BACKGROUND_NICE, once:
 * later calls in the same thread do nothing. On Linux, niceness belongs
 * to a thread, not to the process, and without privileges it can only go
 * up: call this only in a thread that will never do anything but
 * background work. Elsewhere, or when the call fails, the thread keeps
 * its priority. */
void
cs_lower_thread_priority (void)
{
#ifdef __linux__
  static GPrivate lowered = G_PRIVATE_INIT (NULL);
  pid_t tid;
  int nice_now;

  if (g_private_get (&lowered) != NULL)
    return;
  g_private_set (&lowered, GINT_TO_POINTER (TRUE));

  tid = (pid_t) syscall (SYS_gettid);
  errno = 0;
  nice_now = getpriority (PRIO_PROCESS, tid);
  if (errno == 0 &&
      setpriority (PRIO_PROCESS, tid, MIN (nice_now + CS_BACKGROUND_NICE, 19)) != 0)
    g_debug ("Cannot lower a worker's priority: %s", g_strerror (errno));
#endif
}

/* Makes @text fit on one line of a terminal or a label: control characters
 * (a newline in a file name, an escape sequence) are shown, not obeyed. */
char *
cs_escape_line (const char *text)
{
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_sized_new (strlen (text));

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '\t')
        g_string_append (out, "\\t");
      else if (*p == '\r')
        g_string_append (out, "\\r");
      else if (*p < 0x20 || *p == 0x7f)
        g_string_append_printf (out, "\\x%02x", *p);
      else
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

/* A path for messages: valid UTF-8 (undecodable bytes become U+FFFD, as
 * g_filename_display_name() does) and on one line. */
char *
cs_describe_file (GFile *file)
{
  g_autofree char *display = NULL;
  const char *path;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  path = g_file_peek_path (file);
  if (path != NULL)
    display = g_filename_display_name (path);
  else
    display = g_file_get_uri (file);

  return cs_escape_line (display);
}

/**
 * cs_write_file_atomically:
 * @mode: the new file's permissions (before the umask)
 *
 * Writes @data to a temporary file in @path's folder and renames it over
 * @path: whoever reads @path sees the old file or the whole new one, and a
 * crash, a kill or a full disk leaves no half-written file under that name
 * (the temporary one is removed on every error).
 *
 * Unlike g_file_set_contents_full() with %G_FILE_SET_CONTENTS_CONSISTENT it
 * does not fsync(): thumbnails can always be made again, and a sync per
 * thumbnail costs more than making it.
 */
gboolean
cs_write_file_atomically (const char  *path,
                          const void  *data,
                          gsize        len,
                          int          mode,
                          GError     **error)
{
  g_autofree char *tmp = NULL;
  const guint8 *p = data;
  gsize left = len;
  int saved_errno = 0;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);

  tmp = g_strconcat (path, ".XXXXXX", NULL);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0)
    {
      saved_errno = errno;
      goto failed;
    }

  while (left > 0)
    {
      gssize n = write (fd, p, left);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          saved_errno = errno;
          break;
        }
      p += n;
      left -= n;
    }

  if (close (fd) != 0 && saved_errno == 0)
    saved_errno = errno;

  if (saved_errno == 0 && g_rename (tmp, path) != 0)
    saved_errno = errno;

  if (saved_errno == 0)
    return TRUE;

  g_unlink (tmp);

failed:
  {
    g_autofree char *display = g_filename_display_name (path);

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                 "%s: %s", display, g_strerror (saved_errno));
  }
  return FALSE;
}
