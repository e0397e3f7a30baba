/* cs-decode-ico.c: icons whose largest image is a PNG, through our PNG path
 *
 * A Windows icon is a directory of images of several sizes. Every current
 * icon tool writes the large ones (256 x 256) as PNG, which GdkPixbuf's ICO
 * loader refuses ("Compressed icons are not supported"). Here the
 * directory is read, with every offset and length checked against the
 * file, the largest image is chosen (by its declared size, then its depth)
 * and, when it is a PNG, decoded by cs-decode-png.c from its offset,
 * never past its length. An icon whose largest image is a classic bitmap
 * is left to GdkPixbuf or glycin, which read those.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-decode"

#include "config.h"

#include "cs-decode-ico.h"
#include "cs-decode-png.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cs-error.h"

#define HEADER_SIZE 6
#define ENTRY_SIZE 16

typedef struct
{
  guint   width;
  guint   height;
  guint   bit_count;
  guint32 length;
  guint32 offset;
} Entry;

static guint16
read_le16 (const guint8 *p)
{
  return p[0] | (p[1] << 8);
}

static guint32
read_le32 (const guint8 *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24);
}

static gboolean
read_at (int     fd,
         void   *buffer,
         gsize   len,
         off_t   offset,
         GError **error)
{
  ssize_t n;

  do
    n = pread (fd, buffer, len, offset);
  while (n < 0 && errno == EINTR);

  if (n < 0)
    {
      cs_set_error_cannot_read (error, errno);
      return FALSE;
    }
  if ((gsize) n < len)
    {
      cs_set_error_truncated (error);
      return FALSE;
    }

  return TRUE;
}

/* Whether @a is the better image for a thumbnail: larger, then deeper. */
static gboolean
is_better (const Entry *a,
           const Entry *b)
{
  guint64 area_a = (guint64) a->width * a->height;
  guint64 area_b = (guint64) b->width * b->height;

  return area_a > area_b || (area_a == area_b && a->bit_count > b->bit_count);
}

/* The largest image whose bytes all lie in the file, after the directory. */
static gboolean
choose_entry (int      fd,
              off_t    start,
              Entry   *best,
              GError **error)
{
  g_autofree guint8 *directory = NULL;
  guint8 header[HEADER_SIZE];
  struct stat st;
  guint64 file_size, directory_end;
  guint count;
  gboolean found = FALSE;

  if (fstat (fd, &st) != 0)
    {
      cs_set_error_cannot_read (error, errno);
      return FALSE;
    }
  if (!read_at (fd, header, sizeof header, start, error))
    return FALSE;

  file_size = st.st_size > start ? (guint64) (st.st_size - start) : 0;
  count = read_le16 (header + 4);
  if (count == 0)
    {
      cs_set_error_cannot_decode (error, "ICO", "the icon holds no images");
      return FALSE;
    }

  directory_end = HEADER_SIZE + (guint64) count * ENTRY_SIZE;
  if (directory_end > file_size)
    {
      cs_set_error_cannot_decode (error, "ICO", "its directory runs past the end of the file");
      return FALSE;
    }

  directory = g_malloc ((gsize) count * ENTRY_SIZE);
  if (!read_at (fd, directory, (gsize) count * ENTRY_SIZE, start + HEADER_SIZE, error))
    return FALSE;

  for (guint i = 0; i < count; i++)
    {
      const guint8 *p = directory + (gsize) i * ENTRY_SIZE;
      Entry entry = {
        /* A side of 0 says 256. */
        .width = p[0] != 0 ? p[0] : 256,
        .height = p[1] != 0 ? p[1] : 256,
        .bit_count = read_le16 (p + 6),
        .length = read_le32 (p + 8),
        .offset = read_le32 (p + 12),
      };

      if (entry.length == 0 || entry.offset < directory_end ||
          (guint64) entry.offset + entry.length > file_size)
        continue;

      if (!found || is_better (&entry, best))
        *best = entry;
      found = TRUE;
    }

  if (!found)
    {
      cs_set_error_cannot_decode (error, "ICO", "its images lie past the end of the file");
      return FALSE;
    }

  return TRUE;
}

/**
 * cs_ico_decode:
 * @fd: an icon file, read from its current offset
 * @handled: (out): %FALSE when the largest image is not a PNG: @fd is
 *   then back at its offset, for GdkPixbuf or glycin
 *
 * As cs_png_decode(), for the largest image of an icon; an icon whose
 * directory is damaged (no images, offsets past the end) is refused here,
 * whatever its images are.
 */
GdkPixbuf *
cs_ico_decode (int            fd,
               guint          size,
               guint64        max_pixels,
               gboolean      *handled,
               int           *image_width,
               int           *image_height,
               GCancellable  *cancellable,
               GError       **error)
{
  static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
  off_t start = lseek (fd, 0, SEEK_CUR);
  guint8 head[sizeof png_signature];
  Entry best = { 0 };
  GdkPixbuf *pixbuf;

  *handled = TRUE;

  if (start < 0)
    {
      cs_set_error_cannot_read (error, errno);
      return NULL;
    }

  if (!choose_entry (fd, start, &best, error))
    return NULL;

  if (best.length < sizeof head ||
      !read_at (fd, head, sizeof head, start + best.offset, error) ||
      memcmp (head, png_signature, sizeof head) != 0)
    {
      g_clear_error (error);
      *handled = FALSE;
      return NULL;
    }

  if (lseek (fd, start + best.offset, SEEK_SET) < 0)
    {
      cs_set_error_cannot_read (error, errno);
      return NULL;
    }

  pixbuf = cs_png_decode_part (fd, best.length, size, max_pixels, handled,
                               image_width, image_height, cancellable, error);

  /* An interlaced PNG: GdkPixbuf or glycin gets the whole icon. */
  if (!*handled && lseek (fd, start, SEEK_SET) < 0)
    {
      *handled = TRUE;
      cs_set_error_cannot_read (error, errno);
      return NULL;
    }

  return pixbuf;
}
