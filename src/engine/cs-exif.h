/* cs-exif.h: reading EXIF's TIFF structure, and a picture's facts from it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const guint8 *data;        /* the TIFF header's first byte */
  gsize         len;
  gboolean      big_endian;
} CsTiff;

gboolean cs_tiff_init       (CsTiff       *tiff,
                             const guint8 *data,
                             gsize         len);
guint    cs_tiff_u16        (const CsTiff *tiff,
                             gsize         at);
guint32  cs_tiff_u32        (const CsTiff *tiff,
                             gsize         at);
gboolean cs_tiff_find       (const CsTiff *tiff,
                             guint32       ifd,
                             guint         tag,
                             guint32      *value);
guint32  cs_tiff_next_ifd   (const CsTiff *tiff,
                             guint32       ifd);

/* What a contact sheet's caption tells about a photo; zero or NULL where
 * the EXIF has nothing. */
typedef struct
{
  char    *date_time_original;   /* "YYYY:MM:DD HH:MM:SS" */
  guint32  exposure_num;
  guint32  exposure_den;
  guint32  f_number_num;
  guint32  f_number_den;
  guint    iso;
} CsExifFacts;

gboolean cs_exif_facts_parse (const guint8 *tiff_data,
                              gsize         len,
                              CsExifFacts  *facts);
gboolean cs_exif_facts_read_jpeg (const char  *path,
                                  CsExifFacts *facts);
void     cs_exif_facts_clear (CsExifFacts  *facts);

G_END_DECLS
