/* cs-sniff.c: what a file is, by its first bytes
 *
 * A camera, a phone or a transfer tool may leave a picture without its
 * extension ("IMG_0042"); the folder scan reads such a file's first bytes
 * (cs-candidate.c), and the decoders ask the same table what a file is.
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
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


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
  { "RIFF????AVI ", 12, "video/x-msvideo" },
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
  { "qt  ", "video/quicktime" },
  { "3gp4", "video/3gpp" }, { "3gp5", "video/3gpp" }, { "3gp6", "video/3gpp" },
  { "3g2a", "video/3gpp2" },
  { "isom", "video/mp4" }, { "iso2", "video/mp4" }, { "iso3", "video/mp4" },
  { "iso4", "video/mp4" }, { "iso5", "video/mp4" }, { "iso6", "video/mp4" },
  { "iso8", "video/mp4" }, { "mp41", "video/mp4" }, { "mp42", "video/mp4" },
  { "mp71", "video/mp4" }, { "avc1", "video/mp4" }, { "dash", "video/mp4" },
  { "mmp4", "video/mp4" }, { "MSNV", "video/mp4" }, { "XAVC", "video/mp4" },
  { "M4V ", "video/mp4" }, { "M4VH", "video/mp4" }, { "M4VP", "video/mp4" },
  { "f4v ", "video/mp4" },
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
  if ((type = sniff_ebml (data, len)) != NULL)
    return type;

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
