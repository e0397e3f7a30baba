/* cs-fuzz-seeds.c: the fuzzer's seed corpus, one small valid file per format
 *
 * Formats GdkPixbuf can write are written by it; the others are a few bytes
 * made by hand here. Every seed is then read back with GdkPixbuf, so a seed
 * that its installed loader rejects fails the build instead of quietly
 * starving the fuzzer of that format. Nothing is downloaded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if HAVE_LIBJPEG
#include <jpeglib.h>
#endif

#include "cs-test-images.h"

/* Two frames of one pixel each, looping (NETSCAPE2.0). */
static const guint8 gif_anim[] = {
  'G', 'I', 'F', '8', '9', 'a', 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00,
  0xff, 0x00, 0x00, 0x00, 0x00, 0xff,
  0x21, 0xff, 0x0b, 'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0',
  0x03, 0x01, 0x00, 0x00, 0x00,
  0x21, 0xf9, 0x04, 0x00, 0x0a, 0x00, 0x00, 0x00,
  0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  0x02, 0x02, 0x44, 0x01, 0x00,
  0x21, 0xf9, 0x04, 0x00, 0x0a, 0x00, 0x00, 0x00,
  0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  0x02, 0x02, 0x4c, 0x01, 0x00,
  0x3b,
};

/* 4 × 3, lossy with an alpha channel (VP8X, ALPH, VP8). */
static const guint8 webp[] = {
  0x52, 0x49, 0x46, 0x46, 0x70, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50,
  0x56, 0x50, 0x38, 0x58, 0x0a, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
  0x03, 0x00, 0x00, 0x02, 0x00, 0x00, 0x41, 0x4c, 0x50, 0x48, 0x0c, 0x00,
  0x00, 0x00, 0x01, 0x1f, 0x70, 0xec, 0xff, 0x88, 0x88, 0x40, 0xc9, 0x23,
  0xfa, 0x1f, 0x56, 0x50, 0x38, 0x20, 0x3e, 0x00, 0x00, 0x00, 0xf0, 0x01,
  0x00, 0x9d, 0x01, 0x2a, 0x04, 0x00, 0x03, 0x00, 0x02, 0xc0, 0x4c, 0x25,
  0xb0, 0x02, 0x74, 0x4c, 0x80, 0x01, 0xd5, 0xad, 0xc2, 0x5c, 0x00, 0xf6,
  0xba, 0x87, 0xd6, 0x1b, 0x2c, 0xff, 0xc9, 0xe3, 0xb2, 0x37, 0xad, 0x4b,
  0x7f, 0x4f, 0x3f, 0x32, 0x23, 0x9f, 0xbd, 0xc5, 0x28, 0x9f, 0x6d, 0xb9,
  0x3e, 0xa6, 0x24, 0x7f, 0xf5, 0x86, 0x6d, 0xf7, 0x07, 0xa0, 0x00, 0x00,
};

/* 2 × 2, one run-length packet of four pixels (type 10), top-left origin. */
static const guint8 tga_rle[] = {
  0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x02, 0x00, 0x02, 0x00, 0x18, 0x20,
  0x83, 0x30, 0x60, 0x90,
};

static const char svg[] =
  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"30\" viewBox=\"0 0 40 30\">"
  "<rect width=\"40\" height=\"30\" fill=\"#c33\"/>"
  "<circle cx=\"20\" cy=\"15\" r=\"10\" fill=\"#36c\" opacity=\"0.5\"/></svg>\n";

static const char xpm[] =
  "/* XPM */\n"
  "static char *seed[] = {\n"
  "\"4 3 2 1\",\n"
  "\"a c #ff0000\",\n"
  "\"b c None\",\n"
  "\"abab\",\n"
  "\"baba\",\n"
  "\"abab\"};\n";

static const char xbm[] =
  "#define seed_width 8\n"
  "#define seed_height 2\n"
  "static unsigned char seed_bits[] = {\n"
  "   0x55, 0xaa };\n";

static void
write_bytes (const char   *folder,
             const char   *name,
             const void   *data,
             gsize         len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (folder, name, NULL);

  if (!g_file_set_contents (path, data, len, &error))
    g_error ("%s", error->message);
}

static guint32
png_crc (const guint8 *data,
       gsize         len)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }

  return crc ^ 0xffffffff;
}

static void
append_be32 (GByteArray *out,
             guint32     value)
{
  guint8 bytes[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (out, bytes, 4);
}

static void
append_png_chunk (GByteArray   *out,
                  const char   *type,
                  const guint8 *data,
                  guint32       len)
{
  g_autoptr(GByteArray) typed = g_byte_array_new ();

  g_byte_array_append (typed, (const guint8 *) type, 4);
  g_byte_array_append (typed, data, len);
  append_be32 (out, len);
  g_byte_array_append (out, typed->data, typed->len);
  append_be32 (out, png_crc (typed->data, typed->len));
}

/* A PNG whose header claims 20000 × 20000 pixels: the pixel limit's case.
 * Over 128 bytes, the most GdkPixbufLoader holds back to sniff the format,
 * so that the limit is met while the data is written. */
static void
write_huge_png (const char *folder)
{
  static const guint8 signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  static const guint8 empty_zlib[] = { 0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) ihdr = g_byte_array_new ();
  static const guint8 ihdr_tail[] = { 8, 2, 0, 0, 0 };   /* 8-bit RGB */
  static const char comment[] =
    "Comment\0A header that claims far more pixels than any limit allows, "
    "followed by no pixel data at all.";

  append_be32 (ihdr, 20000);
  append_be32 (ihdr, 20000);
  g_byte_array_append (ihdr, ihdr_tail, sizeof ihdr_tail);

  g_byte_array_append (out, signature, sizeof signature);
  append_png_chunk (out, "IHDR", ihdr->data, ihdr->len);
  append_png_chunk (out, "tEXt", (const guint8 *) comment, sizeof comment - 1);
  append_png_chunk (out, "IDAT", empty_zlib, sizeof empty_zlib);
  append_png_chunk (out, "IEND", NULL, 0);
  write_bytes (folder, "huge.png", out->data, out->len);
}

static void
append_le32 (GByteArray *out,
             guint32     value)
{
  guint8 bytes[4] = { value, value >> 8, value >> 16, value >> 24 };

  g_byte_array_append (out, bytes, 4);
}

static void
append_le16 (GByteArray *out,
             guint       value)
{
  guint8 bytes[2] = { value, value >> 8 };

  g_byte_array_append (out, bytes, 2);
}

/* One IFD entry of one SHORT (3) or LONG (4) value, little-endian. */
static void
append_ifd_entry (GByteArray *out,
                  guint       tag,
                  guint       type,
                  guint32     value)
{
  append_le16 (out, tag);
  append_le16 (out, type);
  append_le32 (out, 1);
  if (type == 3)
    {
      append_le16 (out, value);
      append_le16 (out, 0);
    }
  else
    append_le32 (out, value);
}

/* @jpeg with @tiff as its EXIF: an APP1 segment right after its SOI. */
static void
write_jpeg_with_exif (const char       *folder,
                      const char       *name,
                      const char       *jpeg,
                      gsize             jpeg_len,
                      const GByteArray *tiff)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 app1[4] = { 0xff, 0xe1, (2 + 6 + tiff->len) >> 8, (2 + 6 + tiff->len) & 0xff };

  g_byte_array_append (out, (const guint8 *) jpeg, 2);  /* SOI */
  g_byte_array_append (out, app1, sizeof app1);
  g_byte_array_append (out, (const guint8 *) "Exif\0\0", 6);
  g_byte_array_append (out, tiff->data, tiff->len);
  g_byte_array_append (out, (const guint8 *) jpeg + 2, jpeg_len - 2);

  write_bytes (folder, name, out->data, out->len);
}

/* A camera's JPEG: little-endian EXIF with Orientation 6 and, in IFD1, a
 * preview of the picture's shape. The preview is at least the harness's 64
 * pixels and smaller than the picture, so cs-decode-jpeg.c decodes it instead. */
static void
write_exif_preview (const char *folder)
{
  g_autoptr(GdkPixbuf) picture = cs_test_make_pixbuf (96, 72, 1, FALSE);
  g_autoptr(GdkPixbuf) small = cs_test_make_pixbuf (64, 48, 1, FALSE);
  g_autoptr(GByteArray) tiff = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *jpeg = NULL;
  g_autofree char *preview = NULL;
  gsize jpeg_len, preview_len;

  if (!gdk_pixbuf_save_to_buffer (picture, &jpeg, &jpeg_len, "jpeg", &error, NULL) ||
      !gdk_pixbuf_save_to_buffer (small, &preview, &preview_len, "jpeg", &error, NULL))
    g_error ("%s", error->message);

  g_byte_array_append (tiff, (const guint8 *) "II*\0", 4);
  append_le32 (tiff, 8);                                /* IFD0 */
  append_le16 (tiff, 1);
  append_ifd_entry (tiff, 0x0112, 3, 6);                /* Orientation */
  append_le32 (tiff, 8 + 2 + 12 + 4);                   /* IFD1 */
  append_le16 (tiff, 3);
  append_ifd_entry (tiff, 0x0103, 3, 6);                /* Compression: JPEG */
  append_ifd_entry (tiff, 0x0201, 4, 26 + 2 + 36 + 4);  /* JPEGInterchangeFormat */
  append_ifd_entry (tiff, 0x0202, 4, preview_len);      /* ...Length */
  append_le32 (tiff, 0);
  g_byte_array_append (tiff, (const guint8 *) preview, preview_len);

  write_jpeg_with_exif (folder, "preview.jpg", jpeg, jpeg_len, tiff);
}

/* A camera's JPEG with what a contact sheet's caption shows: in the Exif
 * IFD, ExposureTime 1/250, FNumber 2.8, ISO 400 and DateTimeOriginal
 * (cs-exif.c). */
static void
write_exif_facts (const char *folder)
{
  static const char date[20] = "2021:07:14 18:30:05";
  g_autoptr(GdkPixbuf) picture = cs_test_make_pixbuf (96, 72, 2, FALSE);
  g_autoptr(GByteArray) tiff = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *jpeg = NULL;
  const guint32 values = 26 + 2 + 4 * 12 + 4;
  gsize jpeg_len;

  if (!gdk_pixbuf_save_to_buffer (picture, &jpeg, &jpeg_len, "jpeg", &error, NULL))
    g_error ("%s", error->message);

  g_byte_array_append (tiff, (const guint8 *) "II*\0", 4);
  append_le32 (tiff, 8);                                /* IFD0 */
  append_le16 (tiff, 1);
  append_ifd_entry (tiff, 0x8769, 4, 26);               /* the Exif IFD */
  append_le32 (tiff, 0);
  append_le16 (tiff, 4);
  append_ifd_entry (tiff, 0x829a, 5, values);           /* ExposureTime */
  append_ifd_entry (tiff, 0x829d, 5, values + 8);       /* FNumber */
  append_ifd_entry (tiff, 0x8827, 3, 400);              /* ISO */
  append_le16 (tiff, 0x9003);                           /* DateTimeOriginal */
  append_le16 (tiff, 2);
  append_le32 (tiff, sizeof date);
  append_le32 (tiff, values + 16);
  append_le32 (tiff, 0);
  g_assert (tiff->len == values);
  append_le32 (tiff, 1);
  append_le32 (tiff, 250);
  append_le32 (tiff, 28);
  append_le32 (tiff, 10);
  g_byte_array_append (tiff, (const guint8 *) date, sizeof date);

  write_jpeg_with_exif (folder, "facts.jpg", jpeg, jpeg_len, tiff);
}

#if HAVE_LIBJPEG
static void
on_jpeg_error (j_common_ptr cinfo)
{
  char message[JMSG_LENGTH_MAX];

  cinfo->err->format_message (cinfo, message);
  g_error ("libjpeg: %s", message);
}

/* A progressive JPEG (GdkPixbuf writes none), 512 pixels wide: at the
 * harness's 64 pixels, cs-decode-jpeg.c reads only the scans with the DC. */
static void
write_progressive (const char *folder)
{
  g_autoptr(GdkPixbuf) pixbuf = cs_test_make_pixbuf (512, 24, 0, FALSE);
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr err;
  unsigned char *out = NULL;
  unsigned long out_len = 0;

  cinfo.err = jpeg_std_error (&err);
  err.error_exit = on_jpeg_error;
  jpeg_create_compress (&cinfo);
  jpeg_mem_dest (&cinfo, &out, &out_len);
  cinfo.image_width = gdk_pixbuf_get_width (pixbuf);
  cinfo.image_height = gdk_pixbuf_get_height (pixbuf);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, 50, TRUE);
  jpeg_simple_progression (&cinfo);
  jpeg_start_compress (&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height)
    {
      JSAMPROW row = gdk_pixbuf_get_pixels (pixbuf) +
                     (gsize) cinfo.next_scanline * gdk_pixbuf_get_rowstride (pixbuf);

      jpeg_write_scanlines (&cinfo, &row, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);

  write_bytes (folder, "progressive.jpg", out, out_len);
  free (out);
}
#endif

/* An animated cursor: a RIFF "ACON" holding two frames, each an ICO. */
static void
write_ani (const char *folder)
{
  g_autoptr(GdkPixbuf) pixbuf = cs_test_make_pixbuf (16, 16, 1, TRUE);
  g_autoptr(GByteArray) frames = g_byte_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *ico = NULL;
  gsize ico_len;

  if (!gdk_pixbuf_save_to_buffer (pixbuf, &ico, &ico_len, "ico", &error, NULL))
    g_error ("%s", error->message);

  g_byte_array_append (frames, (const guint8 *) "fram", 4);
  for (int i = 0; i < 2; i++)
    {
      g_byte_array_append (frames, (const guint8 *) "icon", 4);
      append_le32 (frames, ico_len);
      g_byte_array_append (frames, (const guint8 *) ico, ico_len);
      if (ico_len % 2 == 1)
        g_byte_array_append (frames, (const guint8 *) "", 1);
    }

  g_byte_array_append (out, (const guint8 *) "RIFF", 4);
  append_le32 (out, 4 + 8 + 36 + 8 + frames->len);
  g_byte_array_append (out, (const guint8 *) "ACON", 4);
  g_byte_array_append (out, (const guint8 *) "anih", 4);
  append_le32 (out, 36);
  append_le32 (out, 36);      /* cbSize */
  append_le32 (out, 2);       /* frames */
  append_le32 (out, 2);       /* steps */
  append_le32 (out, 0);       /* width, height, bits, planes: from the icons */
  append_le32 (out, 0);
  append_le32 (out, 0);
  append_le32 (out, 0);
  append_le32 (out, 10);      /* jiffies per frame */
  append_le32 (out, 1);       /* AF_ICON */
  g_byte_array_append (out, (const guint8 *) "LIST", 4);
  append_le32 (out, frames->len);
  g_byte_array_append (out, frames->data, frames->len);

  write_bytes (folder, "cursor.ani", out->data, out->len);
}

static void
write_pnm (const char *folder)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  const char *header = "P6\n3 2\n255\n";

  g_byte_array_append (out, (const guint8 *) header, strlen (header));
  for (guint8 i = 0; i < 18; i++)
    {
      guint8 value = i * 14;

      g_byte_array_append (out, &value, 1);
    }
  write_bytes (folder, "seed.ppm", out->data, out->len);
}

static void
save (const char *folder,
      const char *name,
      GdkPixbuf  *pixbuf,
      const char *format)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (folder, name, NULL);

  if (!gdk_pixbuf_save (pixbuf, path, format, &error, NULL))
    g_error ("%s: %s", name, error->message);
}

/* Every seed but the oversized one must decode, with the loaders installed. */
static void
check_seeds (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      g_autoptr(GdkPixbuf) pixbuf = NULL;
      g_autoptr(GError) error = NULL;

      if (g_str_equal (name, "huge.png"))
        continue;

      pixbuf = gdk_pixbuf_new_from_file (path, &error);
      /* A loader that is not installed here (WebP in a bare runtime) is
       * not a broken seed. */
      if (pixbuf == NULL && g_error_matches (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE))
        continue;
      if (pixbuf == NULL)
        g_error ("Seed %s does not decode: %s", name, error->message);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GdkPixbuf) rgb = NULL;
  g_autoptr(GdkPixbuf) rgba = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *exif = NULL;
  const char *folder;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s FOLDER\n", argv[0]);
      return 2;
    }
  folder = argv[1];
  if (g_mkdir_with_parents (folder, 0755) != 0)
    g_error ("Cannot make %s", folder);

  rgb = cs_test_make_pixbuf (20, 15, 0, FALSE);
  rgba = cs_test_make_pixbuf (16, 16, 2, TRUE);

  save (folder, "seed.png", rgb, "png");
  save (folder, "alpha.png", rgba, "png");
  save (folder, "seed.jpg", rgb, "jpeg");
  save (folder, "seed.bmp", rgb, "bmp");
  save (folder, "seed.ico", rgba, "ico");
  save (folder, "seed.tiff", rgba, "tiff");

  exif = g_build_filename (folder, "exif.jpg", NULL);
  if (!cs_test_write_jpeg_exif (exif, 24, 16, 6, 0, &error))
    g_error ("%s", error->message);

  write_bytes (folder, "anim.gif", gif_anim, sizeof gif_anim);
  write_bytes (folder, "seed.webp", webp, sizeof webp);
  write_bytes (folder, "rle.tga", tga_rle, sizeof tga_rle);
  write_bytes (folder, "seed.svg", svg, strlen (svg));
  write_bytes (folder, "seed.xpm", xpm, strlen (xpm));
  write_bytes (folder, "seed.xbm", xbm, strlen (xbm));
  write_pnm (folder);
  write_ani (folder);
  write_huge_png (folder);
  write_exif_preview (folder);
  write_exif_facts (folder);
#if HAVE_LIBJPEG
  write_progressive (folder);
#endif

  check_seeds (folder);

  return 0;
}
