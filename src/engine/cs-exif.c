/* cs-exif.c: reading EXIF's TIFF structure, and a picture's facts from it
 *
 * The JPEG decoder reads the orientation and the embedded preview through
 * the same bounds-checked reader a contact sheet reads the date and the
 * exposure through: one parser for untrusted EXIF, not two.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-exif"

#include "config.h"

#include "cs-exif.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* An APP1 segment is at most 64 KiB; the EXIF one comes first or after a
 * JFIF APP0, so the file's head holds it. */
#define JPEG_HEAD_BYTES (128 * 1024)

#define TAG_EXIF_IFD          0x8769
#define TAG_EXPOSURE_TIME     0x829a
#define TAG_F_NUMBER          0x829d
#define TAG_ISO               0x8827
#define TAG_DATE_TIME_ORIGINAL 0x9003

#define TYPE_ASCII    2
#define TYPE_SHORT    3
#define TYPE_LONG     4
#define TYPE_RATIONAL 5

gboolean
cs_tiff_init (CsTiff       *tiff,
              const guint8 *data,
              gsize         len)
{
  if (len < 8)
    return FALSE;

  tiff->data = data;
  tiff->len = len;
  if (memcmp (data, "MM\0\x2a", 4) == 0)
    tiff->big_endian = TRUE;
  else if (memcmp (data, "II\x2a\0", 4) == 0)
    tiff->big_endian = FALSE;
  else
    return FALSE;

  return TRUE;
}

guint
cs_tiff_u16 (const CsTiff *tiff,
             gsize         at)
{
  const guint8 *p = tiff->data + at;

  return tiff->big_endian ? (guint) (p[0] << 8 | p[1]) : (guint) (p[1] << 8 | p[0]);
}

guint32
cs_tiff_u32 (const CsTiff *tiff,
             gsize         at)
{
  const guint8 *p = tiff->data + at;

  return tiff->big_endian
    ? (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3]
    : (guint32) p[3] << 24 | (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0];
}

/* The entry for @tag in the IFD at @ifd, or 0. Every offset is checked
 * against the data's end. */
static gsize
find_entry (const CsTiff *tiff,
            guint32       ifd,
            guint         tag)
{
  guint count;

  if (ifd < 8 || (gsize) ifd + 2 > tiff->len)
    return 0;

  count = cs_tiff_u16 (tiff, ifd);
  for (guint i = 0; i < count; i++)
    {
      gsize entry = (gsize) ifd + 2 + (gsize) i * 12;

      if (entry + 12 > tiff->len)
        return 0;
      if (cs_tiff_u16 (tiff, entry) == tag)
        return entry;
    }

  return 0;
}

/* Looks @tag up in the IFD at @ifd; SHORT and LONG values both fit in the
 * entry itself. */
gboolean
cs_tiff_find (const CsTiff *tiff,
              guint32       ifd,
              guint         tag,
              guint32      *value)
{
  gsize entry = find_entry (tiff, ifd, tag);

  if (entry == 0)
    return FALSE;

  switch (cs_tiff_u16 (tiff, entry + 2))
    {
    case TYPE_SHORT:
      *value = cs_tiff_u16 (tiff, entry + 8);
      return TRUE;
    case TYPE_LONG:
      *value = cs_tiff_u32 (tiff, entry + 8);
      return TRUE;
    default:
      return FALSE;
    }
}

/* The offset of the IFD that follows @ifd's entries (IFD1 after IFD0), or 0. */
guint32
cs_tiff_next_ifd (const CsTiff *tiff,
                  guint32       ifd)
{
  gsize at;

  if (ifd < 8 || (gsize) ifd + 2 > tiff->len)
    return 0;
  at = (gsize) ifd + 2 + (gsize) cs_tiff_u16 (tiff, ifd) * 12;
  if (at + 4 > tiff->len)
    return 0;

  return cs_tiff_u32 (tiff, at);
}

static gboolean
find_rational (const CsTiff *tiff,
               guint32       ifd,
               guint         tag,
               guint32      *num,
               guint32      *den)
{
  gsize entry = find_entry (tiff, ifd, tag);
  guint32 at;

  if (entry == 0 || cs_tiff_u16 (tiff, entry + 2) != TYPE_RATIONAL)
    return FALSE;

  at = cs_tiff_u32 (tiff, entry + 8);
  if (at < 8 || (gsize) at + 8 > tiff->len)
    return FALSE;

  *num = cs_tiff_u32 (tiff, at);
  *den = cs_tiff_u32 (tiff, at + 4);
  return *den != 0 && *num != 0;
}

/* A valid-looking "YYYY:MM:DD HH:MM:SS", or NULL: cameras write blanks or
 * zeros when the clock was never set. */
static char *
find_date (const CsTiff *tiff,
           guint32       ifd)
{
  gsize entry = find_entry (tiff, ifd, TAG_DATE_TIME_ORIGINAL);
  guint32 count, at;
  const char *text;

  if (entry == 0 || cs_tiff_u16 (tiff, entry + 2) != TYPE_ASCII)
    return NULL;

  count = cs_tiff_u32 (tiff, entry + 4);
  if (count < 20)
    return NULL;
  at = cs_tiff_u32 (tiff, entry + 8);
  if ((gsize) at + 19 > tiff->len)
    return NULL;

  text = (const char *) tiff->data + at;
  for (guint i = 0; i < 19; i++)
    {
      gboolean separator = i == 4 || i == 7 || i == 10 || i == 13 || i == 16;

      if (separator ? text[i] != (i == 10 ? ' ' : ':') : !g_ascii_isdigit (text[i]))
        return NULL;
    }
  if (strncmp (text, "0000", 4) == 0)
    return NULL;

  return g_strndup (text, 19);
}

/* Reads the facts from a TIFF structure (an EXIF APP1 segment after its
 * "Exif\0\0"). Returns whether it found any. */
gboolean
cs_exif_facts_parse (const guint8 *tiff_data,
                     gsize         len,
                     CsExifFacts  *facts)
{
  CsTiff tiff;
  guint32 ifd0, exif_ifd, value;

  memset (facts, 0, sizeof *facts);

  if (!cs_tiff_init (&tiff, tiff_data, len))
    return FALSE;

  ifd0 = cs_tiff_u32 (&tiff, 4);
  if (!cs_tiff_find (&tiff, ifd0, TAG_EXIF_IFD, &exif_ifd))
    return FALSE;

  facts->date_time_original = find_date (&tiff, exif_ifd);
  if (!find_rational (&tiff, exif_ifd, TAG_EXPOSURE_TIME, &facts->exposure_num, &facts->exposure_den))
    facts->exposure_num = facts->exposure_den = 0;
  if (!find_rational (&tiff, exif_ifd, TAG_F_NUMBER, &facts->f_number_num, &facts->f_number_den))
    facts->f_number_num = facts->f_number_den = 0;
  if (cs_tiff_find (&tiff, exif_ifd, TAG_ISO, &value))
    facts->iso = value;

  return facts->date_time_original != NULL || facts->exposure_den != 0 ||
         facts->f_number_den != 0 || facts->iso != 0;
}

/* The facts of the JPEG at @path, from its first EXIF APP1 segment; only
 * the file's head is read. */
gboolean
cs_exif_facts_read_jpeg (const char  *path,
                         CsExifFacts *facts)
{
  g_autofree guint8 *head = g_malloc (JPEG_HEAD_BYTES);
  gsize len = 0, at = 2;
  int fd;

  memset (facts, 0, sizeof *facts);

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return FALSE;
  while (len < JPEG_HEAD_BYTES)
    {
      ssize_t n = read (fd, head + len, JPEG_HEAD_BYTES - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += n;
    }
  close (fd);

  if (len < 4 || head[0] != 0xFF || head[1] != 0xD8)
    return FALSE;

  /* Markers up to the first scan: APPn, COM, tables. */
  while (at + 4 <= len && head[at] == 0xFF)
    {
      guint marker = head[at + 1];
      gsize segment = (gsize) head[at + 2] << 8 | head[at + 3];

      if (marker == 0xDA || segment < 2 || at + 2 + segment > len)
        return FALSE;
      if (marker == 0xE1 && segment >= 2 + 6 + 8 &&
          memcmp (head + at + 4, "Exif\0\0", 6) == 0)
        return cs_exif_facts_parse (head + at + 10, segment - 8, facts);
      at += 2 + segment;
    }

  return FALSE;
}

void
cs_exif_facts_clear (CsExifFacts *facts)
{
  g_clear_pointer (&facts->date_time_original, g_free);
}
