/* cs-test-raw.c: DNG files made by code, for the RAW tests and bench
 *
 * A DNG is a TIFF: here the first IFD holds the DNG tags, the orientation
 * and either the sensor's data or a small JPEG preview, and its SubIFDs
 * the sensor's data and a large JPEG preview, as cameras and Adobe's
 * converter write them. The IFDs come first and the pictures after them,
 * the sensor's data last, so that a file cut short loses pictures rather
 * than its structure.
 *
 * The sensor's data is a Bayer mosaic (RGGB) of 16-bit samples whose four
 * quarters are solid colours; its colour matrix is sRGB's, so that a
 * demosaic gives those colours back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-test-raw.h"

#include <math.h>
#include <string.h>

/* Red, green, blue, white; the small preview's colours differ from the
 * large one's, and the sensor's are the large one's in another order. */
const guint32 cs_test_raw_preview_colors[CS_TEST_RAW_N_QUARTERS] = { 0xd22828, 0x28c828, 0x2828d2, 0xf0f0f0 };
const guint32 cs_test_raw_small_colors[CS_TEST_RAW_N_QUARTERS] = { 0xe6dc28, 0x28d2d2, 0xd228d2, 0x101010 };
const guint32 cs_test_raw_sensor_colors[CS_TEST_RAW_N_QUARTERS] = { 0xf0f0f0, 0xd22828, 0x28c828, 0x2828d2 };

enum
{
  TYPE_BYTE = 1,
  TYPE_ASCII = 2,
  TYPE_SHORT = 3,
  TYPE_LONG = 4,
  TYPE_RATIONAL = 5,
  TYPE_SRATIONAL = 10,
};

typedef struct
{
  guint16     tag;
  guint16     type;
  guint32     count;
  GByteArray *value;        /* little-endian, as written */
  gsize       value_at;     /* where the value (or its offset) went */
  gboolean    out_of_line;
} Entry;

typedef struct
{
  GArray *entries;          /* Entry, by tag */
  GBytes *strip;            /* the IFD's picture, or NULL */
} Ifd;

static void
entry_clear (gpointer data)
{
  Entry *entry = data;

  g_byte_array_unref (entry->value);
}

static Ifd *
ifd_new (void)
{
  Ifd *ifd = g_new0 (Ifd, 1);

  ifd->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (ifd->entries, entry_clear);
  return ifd;
}

static void
ifd_free (Ifd *ifd)
{
  g_array_unref (ifd->entries);
  g_clear_pointer (&ifd->strip, g_bytes_unref);
  g_free (ifd);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Ifd, ifd_free)

static void
put_u16 (GByteArray *out,
         guint16     v)
{
  guint8 b[2] = { v & 0xff, v >> 8 };

  g_byte_array_append (out, b, 2);
}

static void
put_u32 (GByteArray *out,
         guint32     v)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

  g_byte_array_append (out, b, 4);
}

static void
set_u32 (GByteArray *out,
         gsize       at,
         guint32     v)
{
  out->data[at] = v & 0xff;
  out->data[at + 1] = (v >> 8) & 0xff;
  out->data[at + 2] = (v >> 16) & 0xff;
  out->data[at + 3] = v >> 24;
}

static Entry *
add (Ifd     *ifd,
     guint16  tag,
     guint16  type,
     guint32  count)
{
  Entry entry = { tag, type, count, g_byte_array_new (), 0, FALSE };

  g_array_append_val (ifd->entries, entry);
  return &g_array_index (ifd->entries, Entry, ifd->entries->len - 1);
}

static void
add_short (Ifd     *ifd,
           guint16  tag,
           guint16  value)
{
  put_u16 (add (ifd, tag, TYPE_SHORT, 1)->value, value);
}

static void
add_shorts (Ifd           *ifd,
            guint16        tag,
            const guint16 *values,
            guint32        n)
{
  Entry *entry = add (ifd, tag, TYPE_SHORT, n);

  for (guint32 i = 0; i < n; i++)
    put_u16 (entry->value, values[i]);
}

static void
add_long (Ifd     *ifd,
          guint16  tag,
          guint32  value)
{
  put_u32 (add (ifd, tag, TYPE_LONG, 1)->value, value);
}

static void
add_bytes (Ifd          *ifd,
           guint16       tag,
           const guint8 *values,
           guint32       n)
{
  g_byte_array_append (add (ifd, tag, TYPE_BYTE, n)->value, values, n);
}

static void
add_ascii (Ifd        *ifd,
           guint16     tag,
           const char *text)
{
  g_byte_array_append (add (ifd, tag, TYPE_ASCII, strlen (text) + 1)->value,
                       (const guint8 *) text, strlen (text) + 1);
}

/* Fractions over 10000, signed or not. */
static void
add_rationals (Ifd          *ifd,
               guint16       tag,
               gboolean      is_signed,
               const double *values,
               guint32       n)
{
  Entry *entry = add (ifd, tag, is_signed ? TYPE_SRATIONAL : TYPE_RATIONAL, n);

  for (guint32 i = 0; i < n; i++)
    {
      put_u32 (entry->value, (guint32) (gint32) (values[i] * 10000 + (values[i] < 0 ? -0.5 : 0.5)));
      put_u32 (entry->value, 10000);
    }
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  return (int) ((const Entry *) a)->tag - (int) ((const Entry *) b)->tag;
}

static Entry *
find_entry (Ifd     *ifd,
            guint16  tag)
{
  for (guint i = 0; i < ifd->entries->len; i++)
    if (g_array_index (ifd->entries, Entry, i).tag == tag)
      return &g_array_index (ifd->entries, Entry, i);

  return NULL;
}

/* Appends @ifd (entries by tag, then the values that do not fit in
 * theirs) and returns where it starts. */
static guint32
write_ifd (GByteArray *out,
           Ifd        *ifd)
{
  guint32 start;

  if (out->len % 2 != 0)
    g_byte_array_append (out, (const guint8 *) "", 1);
  start = out->len;

  g_array_sort (ifd->entries, compare_entries);
  put_u16 (out, ifd->entries->len);
  for (guint i = 0; i < ifd->entries->len; i++)
    {
      Entry *entry = &g_array_index (ifd->entries, Entry, i);
      guint8 padding[4] = { 0 };

      put_u16 (out, entry->tag);
      put_u16 (out, entry->type);
      put_u32 (out, entry->count);
      entry->value_at = out->len;
      entry->out_of_line = entry->value->len > 4;
      if (entry->out_of_line)
        put_u32 (out, 0);
      else
        {
          g_byte_array_append (out, entry->value->data, entry->value->len);
          g_byte_array_append (out, padding, 4 - entry->value->len);
        }
    }
  put_u32 (out, 0);   /* no next IFD */

  for (guint i = 0; i < ifd->entries->len; i++)
    {
      Entry *entry = &g_array_index (ifd->entries, Entry, i);

      if (!entry->out_of_line)
        continue;
      if (out->len % 2 != 0)
        g_byte_array_append (out, (const guint8 *) "", 1);
      set_u32 (out, entry->value_at, out->len);
      entry->value_at = out->len;
      g_byte_array_append (out, entry->value->data, entry->value->len);
    }

  return start;
}

/* The picture's strip, appended, and its offset set in the IFD. */
static void
write_strip (GByteArray *out,
             Ifd        *ifd)
{
  Entry *offsets = find_entry (ifd, 273);
  gsize len;
  const guint8 *data = g_bytes_get_data (ifd->strip, &len);

  if (out->len % 2 != 0)
    g_byte_array_append (out, (const guint8 *) "", 1);
  set_u32 (out, offsets->value_at, out->len);
  g_byte_array_append (out, data, len);
}

static void
add_strip (Ifd    *ifd,
           GBytes *strip,
           int     width,
           int     height)
{
  add_long (ifd, 256, width);
  add_long (ifd, 257, height);
  add_long (ifd, 273, 0);                          /* set by write_strip() */
  add_long (ifd, 278, height);
  add_long (ifd, 279, g_bytes_get_size (strip));
  add_short (ifd, 284, 1);
  ifd->strip = strip;
}

/**
 * cs_test_raw_make_quarters:
 *
 * Returns: (transfer full): a picture of four solid quarters
 */
GdkPixbuf *
cs_test_raw_make_quarters (int            width,
                           int            height,
                           const guint32 *colors)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int rowstride = gdk_pixbuf_get_rowstride (pixbuf);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 c = colors[(y >= height / 2) * 2 + (x >= width / 2)];
        guint8 *p = pixels + y * rowstride + x * 3;

        p[0] = c >> 16;
        p[1] = (c >> 8) & 0xff;
        p[2] = c & 0xff;
      }

  return pixbuf;
}

static Ifd *
make_preview_ifd (int             width,
                  int             height,
                  const guint32  *colors,
                  GError        **error)
{
  static const guint16 bits[3] = { 8, 8, 8 };
  g_autoptr(Ifd) ifd = ifd_new ();
  g_autoptr(GdkPixbuf) pixbuf = cs_test_raw_make_quarters (width, height, colors);
  char *jpeg;
  gsize len;

  if (!gdk_pixbuf_save_to_buffer (pixbuf, &jpeg, &len, "jpeg", error, "quality", "92", NULL))
    return NULL;

  add_long (ifd, 254, 1);                  /* a reduced picture */
  add_shorts (ifd, 258, bits, 3);
  add_short (ifd, 259, 7);                 /* JPEG */
  add_short (ifd, 262, 6);                 /* YCbCr */
  add_short (ifd, 277, 3);
  add_strip (ifd, g_bytes_new_take (jpeg, len), width, height);
  return g_steal_pointer (&ifd);
}

/* Linear light, 16 bits, from an sRGB level. */
static guint16
linear (guint8 level)
{
  double v = level / 255.0;

  v = v <= 0.04045 ? v / 12.92 : pow ((v + 0.055) / 1.055, 2.4);
  return (guint16) (v * 65535 + 0.5);
}

static Ifd *
make_sensor_ifd (const CsTestDng *dng)
{
  int width = dng->width, height = dng->height;
  static const guint16 pattern_size[2] = { 2, 2 };
  static const guint8 pattern[4] = { 0, 1, 1, 2 };   /* RGGB */
  static const guint8 plane_colors[3] = { 0, 1, 2 };
  g_autoptr(Ifd) ifd = ifd_new ();
  gsize len = (gsize) width * height * 2;
  guint8 *data = g_malloc (len);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 c = cs_test_raw_sensor_colors[(y >= height / 2) * 2 + (x >= width / 2)];
        int channel = pattern[(y % 2) * 2 + x % 2];
        guint16 v = linear ((c >> (16 - 8 * channel)) & 0xff);
        gsize at = ((gsize) y * width + x) * 2;

        data[at] = v & 0xff;
        data[at + 1] = v >> 8;
      }

  add_long (ifd, 254, 0);                  /* the main picture */
  add_short (ifd, 258, 16);
  add_short (ifd, 259, 1);                 /* uncompressed */
  add_short (ifd, 262, 32803);             /* CFA */
  add_short (ifd, 277, 1);
  add_shorts (ifd, 33421, pattern_size, 2);
  add_bytes (ifd, 33422, pattern, 4);
  add_bytes (ifd, 50710, plane_colors, 3);
  add_short (ifd, 50711, 1);
  add_long (ifd, 50714, 0);                /* black level */
  add_long (ifd, 50717, 65535);            /* white level */
  add_strip (ifd, g_bytes_new_take (data, len),
             dng->claim_width > 0 ? dng->claim_width : width,
             dng->claim_height > 0 ? dng->claim_height : height);
  return g_steal_pointer (&ifd);
}

/* What a DNG reader needs of the file as a whole, in IFD0. */
static void
add_dng_tags (Ifd   *ifd,
              guint  orientation)
{
  static const guint8 version[4] = { 1, 4, 0, 0 };
  static const guint8 backward[4] = { 1, 1, 0, 0 };
  /* XYZ (D65) to linear sRGB: the "camera" sees sRGB's primaries. */
  static const double xyz_to_camera[9] = {
    3.2406, -1.5372, -0.4986,
    -0.9689, 1.8758, 0.0415,
    0.0557, -0.2040, 1.0570,
  };
  static const double neutral[3] = { 1, 1, 1 };

  add_ascii (ifd, 271, "Contact Sheet");
  add_ascii (ifd, 272, "Test DNG");
  add_short (ifd, 274, orientation);
  add_ascii (ifd, 305, "cs-test-raw");
  add_bytes (ifd, 50706, version, 4);
  add_bytes (ifd, 50707, backward, 4);
  add_ascii (ifd, 50708, "Contact Sheet Test DNG");
  add_rationals (ifd, 50721, TRUE, xyz_to_camera, 9);
  add_rationals (ifd, 50728, FALSE, neutral, 3);
  add_short (ifd, 50778, 21);              /* D65 */
}

/**
 * cs_test_raw_make_dng:
 *
 * Returns: (transfer full): the DNG file's bytes
 */
GBytes *
cs_test_raw_make_dng (const CsTestDng  *dng,
                      GError          **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(Ifd) ifd0 = NULL;
  g_autoptr(GPtrArray) sub_ifds = g_ptr_array_new_with_free_func ((GDestroyNotify) ifd_free);
  Entry *sub_entry = NULL;

  if (dng->small_width > 0)
    {
      ifd0 = make_preview_ifd (dng->small_width, dng->small_width * dng->height / dng->width,
                               cs_test_raw_small_colors, error);
      if (ifd0 == NULL)
        return NULL;
      g_ptr_array_add (sub_ifds, make_sensor_ifd (dng));
    }
  else
    ifd0 = make_sensor_ifd (dng);

  if (dng->preview_width > 0)
    {
      Ifd *preview = make_preview_ifd (dng->preview_width,
                                       dng->preview_width * dng->height / dng->width,
                                       cs_test_raw_preview_colors, error);
      if (preview == NULL)
        return NULL;
      g_ptr_array_add (sub_ifds, preview);
    }

  add_dng_tags (ifd0, dng->orientation);
  if (sub_ifds->len > 0)
    {
      sub_entry = add (ifd0, 330, TYPE_LONG, sub_ifds->len);
      for (guint i = 0; i < sub_ifds->len; i++)
        put_u32 (sub_entry->value, 0);   /* set once they are written */
    }

  g_byte_array_append (out, (const guint8 *) "II*\0", 4);
  put_u32 (out, 8);
  write_ifd (out, ifd0);
  sub_entry = find_entry (ifd0, 330);
  for (guint i = 0; i < sub_ifds->len; i++)
    set_u32 (out, sub_entry->value_at + 4 * i, write_ifd (out, sub_ifds->pdata[i]));

  /* The previews first, the sensor's data last. */
  if (dng->small_width > 0)
    write_strip (out, ifd0);
  for (guint i = sub_ifds->len; i-- > 0;)
    write_strip (out, sub_ifds->pdata[i]);
  if (dng->small_width <= 0)
    write_strip (out, ifd0);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
cs_test_raw_write_dng (const char       *path,
                       const CsTestDng  *dng,
                       GError          **error)
{
  g_autoptr(GBytes) bytes = cs_test_raw_make_dng (dng, error);

  return bytes != NULL &&
         g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), error);
}
