/* cs-cache.c: paths, validity and fail entries of the shared thumbnail cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-cache"

#include "config.h"

#include "cs-cache.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cs-encode.h"
#include "cs-util.h"

#define FAIL_FOLDER "contact-sheet-" PACKAGE_VERSION
#define ERROR_KEY "X-ContactSheet::Error"

/* A thumbnail's text chunks are small; anything larger is not one of ours. */
#define MAX_TEXT_CHUNK (64 * 1024)

/* The thumbnails folder shared with the desktop. Inside a flatpak GLib's
 * cache folder is the app's private one: use the host's when the sandbox
 * mounted it for us (--filesystem=xdg-cache/thumbnails), else the private
 * one (still correct, only not shared). The folder must already be there:
 * the sandbox's home is a throw-away file system where creating it would
 * succeed, and every thumbnail written into it would be lost. */
char *
cs_cache_get_default_dir (void)
{
  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      const char *host = g_getenv ("HOST_XDG_CACHE_HOME");
      g_autofree char *dir = NULL;

      if (host != NULL && g_path_is_absolute (host))
        dir = g_build_filename (host, "thumbnails", NULL);
      else
        dir = g_build_filename (g_get_home_dir (), ".cache", "thumbnails", NULL);

      if (g_file_test (dir, G_FILE_TEST_IS_DIR) && g_access (dir, W_OK) == 0)
        return g_steal_pointer (&dir);
    }

  return g_build_filename (g_get_user_cache_dir (), "thumbnails", NULL);
}

/* A file reached through the document portal (a folder chosen in the file
 * chooser of a sandboxed app) lives at /run/user/UID/doc/ID/…; the desktop
 * knows it by its real path, which the portal keeps in an attribute. The
 * cache key must be that real URI, or nothing else finds the thumbnail. */
static char *
portal_host_path (const char *path)
{
  char value[4096];
  ssize_t len;

  if (!g_str_has_prefix (path, "/run/"))
    return NULL;

  len = getxattr (path, "user.document-portal.host-path", value, sizeof value - 1);
  if (len <= 0)
    return NULL;

  value[len] = '\0';
  if (!g_path_is_absolute (value))
    return NULL;

  return g_strdup (value);
}

char *
cs_cache_uri_for_file (GFile *file)
{
  const char *path;
  g_autofree char *host_path = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  path = g_file_peek_path (file);
  if (path != NULL && (host_path = portal_host_path (path)) != NULL)
    return g_filename_to_uri (host_path, NULL, NULL);

  return g_file_get_uri (file);
}

static char *
md5_name (const char *uri)
{
  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, uri, -1);

  return g_strconcat (md5, ".png", NULL);
}

char *
cs_cache_thumbnail_path (const char *cache_dir,
                         CsFlavor    flavor,
                         const char *uri)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (cache_dir != NULL, NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  name = md5_name (uri);

  return g_build_filename (cache_dir, cs_flavor_get_name (flavor), name, NULL);
}

char *
cs_cache_fail_path (const char *cache_dir,
                    const char *uri)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (cache_dir != NULL, NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  name = md5_name (uri);

  return g_build_filename (cache_dir, "fail", FAIL_FOLDER, name, NULL);
}

static gboolean
read_exactly (int     fd,
              void   *buf,
              gsize   len,
              goffset offset)
{
  guint8 *p = buf;

  while (len > 0)
    {
      gssize n = pread (fd, p, len, offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      len -= n;
      offset += n;
    }

  return TRUE;
}

/* A window onto the file: one read fills it, and the chunk headers and
 * text chunks that fall inside it cost no further system call. A normal
 * thumbnail is one or two windows, where reading each chunk header and
 * text on its own took some twenty reads. */
#define WINDOW_SIZE (16 * 1024)

typedef struct
{
  int     fd;
  goffset start;
  gsize   len;
  guint8  data[WINDOW_SIZE];
} Window;

/* Points at @len bytes of the file at @offset, valid until the next call;
 * NULL at the end of the file or when @len does not fit in the window. */
static const guint8 *
window_at (Window  *w,
           goffset  offset,
           gsize    len)
{
  if (len > WINDOW_SIZE)
    return NULL;

  if (offset < w->start || offset + (goffset) len > w->start + (goffset) w->len)
    {
      gsize got = 0;

      w->start = offset;
      while (got < WINDOW_SIZE)
        {
          gssize n = pread (w->fd, w->data + got, WINDOW_SIZE - got, offset + got);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          got += n;
        }
      w->len = got;
      if (got < len)
        return NULL;
    }

  return w->data + (offset - w->start);
}

/* Walks the PNG's chunks without decoding any pixels: reading a cache entry's
 * keys costs a read or two, whatever the size of the image data. */
GHashTable *
cs_cache_read_text_keys (const char  *png_path,
                         GError     **error)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autoptr(GHashTable) keys = NULL;
  g_autofree Window *w = g_new (Window, 1);
  const guint8 *header;
  goffset offset = 8;

  g_return_val_if_fail (png_path != NULL, NULL);

  w->fd = g_open (png_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  w->start = 0;
  w->len = 0;
  if (w->fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s", g_strerror (saved_errno));
      return NULL;
    }

  header = window_at (w, 0, sizeof signature);
  if (header == NULL || memcmp (header, signature, sizeof signature) != 0)
    {
      close (w->fd);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "Not a PNG file");
      return NULL;
    }

  keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (;;)
    {
      guint32 length;

      header = window_at (w, offset, 8);
      if (header == NULL)
        break;

      length = ((guint32) header[0] << 24) | ((guint32) header[1] << 16) |
               ((guint32) header[2] << 8) | header[3];
      if (length > G_MAXINT32)
        break;

      if (memcmp (header + 4, "IEND", 4) == 0)
        break;

      if (memcmp (header + 4, "tEXt", 4) == 0 && length <= MAX_TEXT_CHUNK)
        {
          g_autofree char *owned = NULL;
          const char *data = (const char *) window_at (w, offset + 8, length);
          gsize key_len;

          if (data == NULL)
            {
              owned = g_malloc (length);
              if (!read_exactly (w->fd, owned, length, offset + 8))
                break;
              data = owned;
            }
          key_len = strnlen (data, length);
          if (key_len > 0 && key_len < length)
            g_hash_table_replace (keys,
                                  g_strndup (data, key_len),
                                  g_strndup (data + key_len + 1, length - key_len - 1));
        }

      offset += 12 + (goffset) length;
    }

  close (w->fd);

  return g_steal_pointer (&keys);
}

/* Reads a run of decimal digits at *p into *value.
 *
 * The keys are parsed here rather than with g_ascii_strtod() or
 * g_ascii_string_to_unsigned(): those report errors through errno, and
 * GLib clears errno before it looks up its C locale, which the first calls
 * from two threads at once wait for; the wait can leave errno set, and a
 * valid entry read by two workers at the same moment looked stale. */
static gboolean
parse_digits (const char **p,
              guint64     *value)
{
  const char *start = *p;
  guint64 v = 0;

  for (; g_ascii_isdigit (**p); (*p)++)
    {
      guint digit = **p - '0';

      if (v > (G_MAXUINT64 - digit) / 10)
        return FALSE;
      v = v * 10 + digit;
    }

  *value = v;

  return *p != start;
}

/* Other tools write Thumb::MTime with a fraction ("1700000000.123456"):
 * compare whole seconds. */
static gboolean
mtime_matches (const char *text,
               gint64      mtime)
{
  const char *p = text;
  gboolean negative;
  guint64 seconds;

  if (text == NULL)
    return FALSE;

  negative = *p == '-';
  if (negative)
    p++;

  if (!parse_digits (&p, &seconds) || seconds > G_MAXINT64)
    return FALSE;

  if (*p == '.')
    {
      /* The fraction is checked for form only. */
      for (p++; g_ascii_isdigit (*p); p++)
        ;
    }

  if (*p != '\0')
    return FALSE;

  return (negative ? -(gint64) seconds : (gint64) seconds) == mtime;
}

static gboolean
size_matches (const char *text,
              goffset     size)
{
  const char *p = text;
  guint64 value;

  /* Thumb::Size is optional: when absent, URI and MTime decide. */
  if (text == NULL)
    return TRUE;

  if (!parse_digits (&p, &value) || *p != '\0')
    return FALSE;

  return value == (guint64) size;
}

gboolean
cs_cache_entry_is_valid (const char  *png_path,
                         const char  *uri,
                         gint64       mtime,
                         goffset      size,
                         GHashTable **keys_out)
{
  g_autoptr(GHashTable) keys = NULL;

  g_return_val_if_fail (png_path != NULL, FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);

  keys = cs_cache_read_text_keys (png_path, NULL);
  if (keys == NULL)
    return FALSE;

  if (g_strcmp0 (g_hash_table_lookup (keys, "Thumb::URI"), uri) != 0 ||
      !mtime_matches (g_hash_table_lookup (keys, "Thumb::MTime"), mtime) ||
      !size_matches (g_hash_table_lookup (keys, "Thumb::Size"), size))
    return FALSE;

  if (keys_out != NULL)
    *keys_out = g_steal_pointer (&keys);

  return TRUE;
}

gboolean
cs_cache_write_fail_entry (const char  *cache_dir,
                           const char  *uri,
                           gint64       mtime,
                           goffset      size,
                           const char  *reason,
                           GError     **error)
{
  g_autofree char *path = cs_cache_fail_path (cache_dir, uri);
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *mtime_text = g_strdup_printf ("%" G_GINT64_FORMAT, mtime);
  g_autofree char *size_text = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) size);
  g_autoptr(GdkPixbuf) pixel = NULL;
  g_autoptr(GBytes) data = NULL;
  const void *bytes;
  gsize len;
  const char *keys[] = { "Thumb::URI", "Thumb::MTime", "Thumb::Size", ERROR_KEY, NULL };
  const char *values[] = { uri, mtime_text, size_text, reason, NULL };

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s: %s", folder, g_strerror (saved_errno));
      return FALSE;
    }

  pixel = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, 1, 1);
  gdk_pixbuf_fill (pixel, 0);

  data = cs_encode_png (pixel, keys, values, error);
  if (data == NULL)
    return FALSE;
  bytes = g_bytes_get_data (data, &len);

  return cs_write_file_atomically (path, bytes, len, 0600, error);
}

const char *
cs_cache_fail_reason (GHashTable *keys)
{
  g_return_val_if_fail (keys != NULL, NULL);

  return g_hash_table_lookup (keys, ERROR_KEY);
}
