/* cs-tmpfile.c: temporary files in memory, for the loaders that want one
 *
 * GdkPixbuf's XBM and XPM loaders copy the data they are fed into a file
 * from g_file_open_tmp() and parse that file when it ends. The helper can
 * no longer create files once it is confined, so it provides
 * g_file_open_tmp() itself (the loaders are linked against the helper's
 * definition, see meson.build): an anonymous file in memory, which nobody
 * else can see, that disappears with its last descriptor, and that is
 * bounded by the helper's RLIMIT_FSIZE. The name it hands back names no file;
 * the loaders only unlink it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "contact-sheet-decoder"

/* memfd_create() */
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <glib.h>
#include <sys/mman.h>

#define NAME "contact-sheet-decoder-tmp"

gint
g_file_open_tmp (const gchar  *tmpl,
                 gchar       **name_used,
                 GError      **error)
{
  int fd = memfd_create (NAME, MFD_CLOEXEC);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "memfd_create: %s", g_strerror (saved_errno));
      return -1;
    }

  if (name_used != NULL)
    *name_used = g_strdup ("/memfd:" NAME " (deleted)");

  return fd;
}
