/* cs-sniff.c: which files are pictures, by name or by their first bytes
 *
 * A camera, a phone or a transfer tool may leave a picture without its
 * extension ("IMG_0042"). The folder scan and the folder monitor both ask
 * cs_is_candidate(), so that what a folder shows does not depend on how a
 * file arrived: a name of a format we read is enough; a name without one
 * is read, 256 bytes at most, and offered when those bytes start like a
 * picture (or a video, when the video decoder is built).
 *
 * The bytes are matched against our own table rather than through
 * g_content_type_guess(): the table answers the same on every stack and in
 * a container without shared-mime-info, knows only formats some decoder of
 * ours can take, never calls a text file an image, and looks into an ISO
 * base media "ftyp" box for the brands that tell HEIC, AVIF and MP4 apart.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-sniff"

#include "config.h"

#include "cs-sniff.h"

#include <errno.h>
#include <fcntl.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cs-thumbnailer.h"

/* Set by meson once the video decoder exists; until then, no videos. */
#ifndef HAVE_GSTREAMER
#define HAVE_GSTREAMER 0
#endif

/* Signatures at the start of a file; '?' is any byte. */
static const struct {
  const char *magic;
  gsize       len;
  const char *mime_type;
} signatures[] = {
  { "\xFF\xD8\xFF", 3, "image/jpeg" },
  { "\x89PNG\r\n\x1A\n", 8, "image/png" },
  { "GIF87a", 6, "image/gif" },
  { "GIF89a", 6, "image/gif" },
  { "RIFF????WEBP", 12, "image/webp" },
  { "II*\0", 4, "image/tiff" },
  { "MM\0*", 4, "image/tiff" },
  /* JPEG XL: the bare code stream, and the ISO box container. */
  { "\xFF\x0A", 2, "image/jxl" },
  { "\0\0\0\x0CJXL \r\n\x87\n", 12, "image/jxl" },
#if HAVE_GSTREAMER
  { "RIFF????AVI ", 12, "video/x-msvideo" },
#endif
};

/* ISO base media brands ("ftyp" box): pictures first, the major brand
 * before the compatible ones. */
static const struct {
  const char *brand;
  const char *mime_type;
} brands[] = {
  { "heic", "image/heic" }, { "heix", "image/heic" }, { "heim", "image/heic" },
  { "heis", "image/heic" }, { "hevc", "image/heic" }, { "hevx", "image/heic" },
  { "avif", "image/avif" }, { "avis", "image/avif" },
  { "mif1", "image/heif" }, { "msf1", "image/heif" },
#if HAVE_GSTREAMER
  { "qt  ", "video/quicktime" },
  { "3gp4", "video/3gpp" }, { "3gp5", "video/3gpp" }, { "3gp6", "video/3gpp" },
  { "3g2a", "video/3gpp2" },
  { "isom", "video/mp4" }, { "iso2", "video/mp4" }, { "iso4", "video/mp4" },
  { "iso5", "video/mp4" }, { "iso6", "video/mp4" }, { "mp41", "video/mp4" },
  { "mp42", "video/mp4" }, { "avc1", "video/mp4" }, { "M4V ", "video/mp4" },
  { "dash", "video/mp4" },
#endif
};

static gboolean
matches (const guint8 *data,
         gsize         len,
         const char   *magic,
         gsize         magic_len)
{
  if (len < magic_len)
    return FALSE;

  for (gsize i = 0; i < magic_len; i++)
    if (data[i] != (guint8) magic[i] && magic[i] != '?')
      return FALSE;

  return TRUE;
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static guint32
read_le32 (const guint8 *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24);
}

static const char *
brand_type (const guint8 *brand)
{
  for (gsize i = 0; i < G_N_ELEMENTS (brands); i++)
    if (memcmp (brand, brands[i].brand, 4) == 0)
      return brands[i].mime_type;

  return NULL;
}

/* An "ftyp" box: its size, "ftyp", the major brand, a version, then the
 * compatible brands, as many as the box holds (and we were given). A
 * picture's brand wins over a video's, and a specific one (heic, avif)
 * over the generic "some HEIF" (mif1). */
static const char *
sniff_ftyp (const guint8 *data,
            gsize         len)
{
  const char *generic = NULL;
  const char *video = NULL;
  gsize end;

  if (len < 16 || memcmp (data + 4, "ftyp", 4) != 0)
    return NULL;

  end = MIN (len, read_be32 (data));
  for (gsize offset = 8; offset + 4 <= end; offset += offset == 8 ? 8 : 4)
    {
      const char *type = brand_type (data + offset);

      if (type == NULL)
        continue;
      if (g_str_has_prefix (type, "video/"))
        video = video != NULL ? video : type;
      else if (g_str_equal (type, "image/heif"))
        generic = type;
      else
        return type;
    }

  return generic != NULL ? generic : video;
}

/* A BMP says "BM", then sizes; the size of its second header tells a real
 * one from a text that starts with those two letters. */
static gboolean
is_bmp (const guint8 *data,
        gsize         len)
{
  static const guint32 header_sizes[] = { 12, 40, 52, 56, 64, 108, 124 };

  if (len < 18 || data[0] != 'B' || data[1] != 'M')
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (header_sizes); i++)
    if (read_le32 (data + 14) == header_sizes[i])
      return TRUE;

  return FALSE;
}

/* An icon: reserved 0, type 1, at least one image, whose reserved byte is 0. */
static gboolean
is_ico (const guint8 *data,
        gsize         len)
{
  return len >= 22 && matches (data, len, "\0\0\1\0", 4) &&
         (data[4] | data[5]) != 0 && data[9] == 0;
}

#if HAVE_GSTREAMER
/* Matroska and WebM: an EBML header, whose DocType says which. */
static const char *
sniff_ebml (const guint8 *data,
            gsize         len)
{
  if (!matches (data, len, "\x1A\x45\xDF\xA3", 4))
    return NULL;

  for (gsize i = 4; i + 4 <= len; i++)
    if (memcmp (data + i, "webm", 4) == 0)
      return "video/webm";

  return "video/x-matroska";
}
#endif

/**
 * cs_sniff_bytes:
 * @data: the first bytes of a file
 * @len: how many (CS_SNIFF_LENGTH is enough)
 *
 * Returns: (nullable): the type of picture (or video) @data starts like
 */
const char *
cs_sniff_bytes (const guint8 *data,
                gsize         len)
{
  const char *type;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (signatures); i++)
    if (matches (data, len, signatures[i].magic, signatures[i].len))
      return signatures[i].mime_type;

  if (is_bmp (data, len))
    return "image/bmp";
  if (is_ico (data, len))
    return "image/vnd.microsoft.icon";
  if ((type = sniff_ftyp (data, len)) != NULL)
    return type;
#if HAVE_GSTREAMER
  if ((type = sniff_ebml (data, len)) != NULL)
    return type;
#endif

  return NULL;
}

/**
 * cs_sniff_path:
 * @path: a file
 * @error_number: (out): errno when it cannot be opened or read, else 0
 *
 * Reads the first bytes of a regular file, and nothing else: the file is
 * opened without following a link and without waiting (a FIFO put there
 * meanwhile opens at once and is then refused, unread). Blocks on the
 * disk: call from a worker thread.
 *
 * Returns: (nullable): what cs_sniff_bytes() says of them
 */
const char *
cs_sniff_path (const char *path,
               int        *error_number)
{
  guint8 head[CS_SNIFF_LENGTH];
  struct stat st;
  ssize_t n;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  *error_number = 0;

  fd = open (path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      *error_number = errno;
      return NULL;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return NULL;
    }

  do
    n = pread (fd, head, sizeof head, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    *error_number = errno;
  close (fd);

  return n > 0 ? cs_sniff_bytes (head, n) : NULL;
}

static gpointer
collect_types (gpointer data)
{
  GHashTable *types = g_hash_table_new (g_str_hash, g_str_equal);
  GSList *formats = gdk_pixbuf_get_formats ();

  /* Our direct decoders' formats, whichever loaders there are. */
  g_hash_table_add (types, (gpointer) g_intern_static_string ("image/jpeg"));
  g_hash_table_add (types, (gpointer) g_intern_static_string ("image/png"));
  g_hash_table_add (types, (gpointer) g_intern_static_string ("image/webp"));

  for (GSList *l = formats; l != NULL; l = l->next)
    {
      g_auto(GStrv) mime_types = NULL;

      if (gdk_pixbuf_format_is_disabled (l->data))
        continue;

      mime_types = gdk_pixbuf_format_get_mime_types (l->data);
      for (guint i = 0; mime_types != NULL && mime_types[i] != NULL; i++)
        g_hash_table_add (types, (gpointer) g_intern_string (mime_types[i]));
    }

  g_slist_free (formats);

  return types;
}

/* Whether an installed decoder reads @mime_type: as with names, a HEIC
 * is offered only where a loader for it is installed. */
static gboolean
is_readable_type (const char *mime_type)
{
  static GOnce once = G_ONCE_INIT;
  GHashTable *types = g_once (&once, collect_types, NULL);

  if (g_str_has_prefix (mime_type, "video/"))
    return HAVE_GSTREAMER;

  return g_hash_table_contains (types, mime_type) ||
         /* GdkPixbuf's ICO loader calls it image/x-icon first. */
         (g_str_equal (mime_type, "image/vnd.microsoft.icon") &&
          g_hash_table_contains (types, "image/x-icon"));
}

/**
 * cs_is_candidate:
 * @file: a file in a folder being shown
 * @info: its CS_SNIFF_ATTRIBUTES
 *
 * Whether the folder's scan or monitor should offer @file to the
 * thumbnailer: not hidden, not one of our own thumbnails, and either named
 * like a format we read (a FIFO or a folder so named too, for the
 * thumbnailer to refuse with its reason) or a regular file, not a link,
 * whose first bytes are a picture's. A sniffed file gets its type in
 * @info's CS_SNIFF_ATTRIBUTE_TYPE. A file that cannot be read cannot be
 * sniffed: it is offered, and the thumbnailer says why it has no
 * thumbnail, rather than hiding what may be a picture.
 *
 * May read the file: call it from a worker thread.
 */
gboolean
cs_is_candidate (GFile     *file,
                 GFileInfo *info)
{
  const char *name = g_file_info_get_name (info);
  const char *path = g_file_peek_path (file);
  const char *type;
  int error_number;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (G_IS_FILE_INFO (info), FALSE);

  if (name == NULL || name[0] == '.' || g_file_info_get_is_hidden (info) ||
      cs_is_thumbnail_name (name))
    return FALSE;

  if (cs_is_image_name (name))
    return TRUE;

  if (path == NULL || g_file_info_get_is_symlink (info) ||
      g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    return FALSE;

  type = cs_sniff_path (path, &error_number);
  if (type == NULL)
    return error_number == EACCES || error_number == EPERM;

  if (!is_readable_type (type))
    return FALSE;

  /* The enumerator's mask would drop an attribute it was not asked for. */
  g_file_info_unset_attribute_mask (info);
  g_file_info_set_attribute_string (info, CS_SNIFF_ATTRIBUTE_TYPE, type);
  return TRUE;
}
