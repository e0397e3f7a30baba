/* cs-decode-raw.c: camera RAW thumbnails through LibRaw
 *
 * A RAW file holds the sensor's data, which takes a demosaic to become a
 * picture, and, nearly always, one or more pictures the camera made of it:
 * a JPEG preview a screen wide, sometimes a small bitmap too. A thumbnail
 * is made from the smallest preview at least as large as the thumbnail
 * (the largest, when none is), through our own libjpeg-turbo path at a
 * reduced DCT scale; only a file with no usable preview has its sensor
 * data decoded, at half size, which costs a hundred times more.
 *
 * LibRaw rather than exiv2's preview manager: it knows the previews of
 * every camera dcraw knew, including those in maker notes, it reads the
 * orientation the camera recorded, and it can decode the sensor data when
 * there is no preview, which exiv2 cannot. It reads the file from memory
 * (the decoder helper can open no file by name): the file is mapped, so
 * only the pages LibRaw touches are read, a preview's rather than the
 * whole file, and the mapping counts against the helper's address space
 * limit like any buffer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-raw"

/* memmem() */
#define _GNU_SOURCE

#include "config.h"

#include "cs-decode-raw.h"
#include "cs-decode-util.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
/* LibRaw's C header declares its argumentless functions as "()". */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <libraw.h>
#pragma GCC diagnostic pop

#include "cs-error.h"
#if HAVE_LIBJPEG
#include "cs-decode-jpeg.h"
#endif

/* LibRaw's build links OpenMP, whose threads would demosaic a half-size
 * decode in parallel; a thumbnail's worker is one of several already, and
 * the decoder helper is one thread. Declared weak: present only when
 * libgomp is loaded. */
extern void omp_set_num_threads (int n) __attribute__ ((weak));

/* The types GIO gives RAW files' names (shared-mime-info), and the one
 * they all derive from. */
static const char * const raw_types[] = {
  "image/x-adobe-dng", "image/x-canon-cr2", "image/x-canon-cr3", "image/x-canon-crw",
  "image/x-nikon-nef", "image/x-nikon-nrw", "image/x-sony-arw", "image/x-sony-srf",
  "image/x-sony-sr2", "image/x-olympus-orf", "image/x-panasonic-rw2",
  "image/x-panasonic-raw", "image/x-fuji-raf", "image/x-pentax-pef",
  "image/x-samsung-srw", "image/x-sigma-x3f", "image/x-minolta-mrw",
  "image/x-kodak-dcr", "image/x-kodak-kdc", "image/x-kodak-k25", "image/x-epson-erf",
  "image/x-hasselblad-3fr", "image/x-leica-rwl", "image/x-phaseone-iiq",
  "image/x-dcraw", NULL
};

/* The type of a file whose name said nothing, from the maker LibRaw
 * found (LibRaw spells each maker one way). */
static const struct
{
  const char *make;
  const char *mime_type;
} maker_types[] = {
  { "Canon", "image/x-canon-cr2" },
  { "Nikon", "image/x-nikon-nef" },
  { "Sony", "image/x-sony-arw" },
  { "Olympus", "image/x-olympus-orf" },
  { "OM Digital", "image/x-olympus-orf" },
  { "Panasonic", "image/x-panasonic-rw2" },
  { "Fujifilm", "image/x-fuji-raf" },
  { "Pentax", "image/x-pentax-pef" },
  { "Ricoh", "image/x-pentax-pef" },
  { "Samsung", "image/x-samsung-srw" },
  { "Sigma", "image/x-sigma-x3f" },
  { "Minolta", "image/x-minolta-mrw" },
  { "Konica", "image/x-minolta-mrw" },
  { "Kodak", "image/x-kodak-dcr" },
  { "Epson", "image/x-epson-erf" },
  { "Hasselblad", "image/x-hasselblad-3fr" },
  { "Leica", "image/x-leica-rwl" },
  { "Phase One", "image/x-phaseone-iiq" },
};

/**
 * cs_raw_is_candidate:
 * @type_hint: (nullable): the type the file's name suggests
 *
 * Whether cs_raw_decode() should look at the file: its name says RAW, or
 * says nothing (some RAW extensions have no type in shared-mime-info).
 * LibRaw's own reading of the file has the last word.
 */
gboolean
cs_raw_is_candidate (const char *type_hint)
{
  return type_hint == NULL ||
         g_content_type_equals (type_hint, "application/octet-stream") ||
         g_strv_contains (raw_types, type_hint);
}

/* A name that said nothing, with content GIO knows as another image
 * format (a GIF, a PNG): not LibRaw's, which also guesses cameras from a
 * file's size alone. TIFF is left in: most RAW formats are TIFF inside. */
static gboolean
content_is_other_image (const guint8 *data,
                        gsize         len)
{
  g_autofree char *content_type = g_content_type_guess (NULL, data, MIN (len, 4096), NULL);

  return g_str_has_prefix (content_type, "image/") &&
         !g_content_type_equals (content_type, "image/tiff") &&
         !g_strv_contains (raw_types, content_type);
}

typedef struct
{
  libraw_data_t *lr;
  GCancellable  *cancellable;
  gboolean       ended_early;     /* LibRaw read past the end */
  gboolean       damaged;         /* LibRaw found data it could not use */
  gboolean       big_turn;
  const guint8  *map;
  gsize          map_len;
} RawDecoder;

static void
raw_decoder_free (RawDecoder *d)
{
  if (d->lr != NULL)
    libraw_close (d->lr);
  if (d->big_turn)
    cs_decode_end_big_buffer ();
  if (d->map != NULL)
    munmap ((void *) d->map, d->map_len);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawDecoder, raw_decoder_free)

/* The offset's type in LibRaw's data error handler, and whether it still
 * has a memory error handler (0.21 widened the one and dropped the other). */
#if LIBRAW_COMPILE_CHECK_VERSION_NOTLESS(0, 21)
typedef INT64 DataErrorOffset;
#define HAVE_MEMORY_HANDLER 0
#else
typedef int DataErrorOffset;
#define HAVE_MEMORY_HANDLER 1
#endif

/* LibRaw's default handlers print to stderr; the reason goes into the
 * error instead. An offset below 0 is a read past the end. */
static void
on_data_error (void                  *user_data,
               const char            *file G_GNUC_UNUSED,
               const DataErrorOffset  offset)
{
  RawDecoder *d = user_data;

  if (offset < 0)
    d->ended_early = TRUE;
  else
    d->damaged = TRUE;
}

#if HAVE_MEMORY_HANDLER
static void
on_memory_error (void       *user_data G_GNUC_UNUSED,
                 const char *file G_GNUC_UNUSED,
                 const char *where G_GNUC_UNUSED)
{
}
#endif

static int
on_progress (void                 *user_data,
             enum LibRaw_progress  stage G_GNUC_UNUSED,
             int                   iteration G_GNUC_UNUSED,
             int                   expected G_GNUC_UNUSED)
{
  RawDecoder *d = user_data;

  return g_cancellable_is_cancelled (d->cancellable) ? 1 : 0;
}

/* Says why LibRaw gave nothing, in the engine's words. */
static void
set_failure (const RawDecoder  *d,
             int                code,
             GError           **error)
{
  if (g_cancellable_set_error_if_cancelled (d->cancellable, error))
    return;

  if (d->ended_early || code == LIBRAW_IO_ERROR)
    cs_set_error_truncated (error);
  else if (code == LIBRAW_UNSUFFICIENT_MEMORY || code == LIBRAW_TOO_BIG)
    cs_set_error_over_memory_limit (error, d->lr->sizes.width, d->lr->sizes.height);
  else
    cs_set_error_cannot_decode (error, "RAW", libraw_strerror (code));
}

/* LibRaw's flip (dcraw's: bit 4 swaps the axes, bits 1 and 2 mirror them)
 * as the EXIF orientation GdkPixbuf applies. */
static GdkPixbuf *
orient (GdkPixbuf *pixbuf,
        int        flip)
{
  static const char orientation[8] = { '1', '2', '4', '3', '5', '8', '6', '7' };
  g_autoptr(GdkPixbuf) owned = pixbuf;
  char text[2] = { orientation[flip & 7], '\0' };

  if (text[0] == '1')
    return g_steal_pointer (&owned);

  gdk_pixbuf_set_option (owned, "orientation", text);
  return gdk_pixbuf_apply_embedded_orientation (owned);
}

/* 8-bit samples, one (grey) or three (RGB) a pixel, row after row. */
static GdkPixbuf *
pixbuf_from_samples (const guint8 *data,
                     gsize         len,
                     int           width,
                     int           height,
                     int           colors)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  guint8 *pixels;
  gsize rowstride;

  if (width <= 0 || height <= 0 || (colors != 1 && colors != 3) ||
      (guint64) width * height * colors > len)
    return NULL;

  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  if (pixbuf == NULL)
    return NULL;

  pixels = gdk_pixbuf_get_pixels (pixbuf);
  rowstride = gdk_pixbuf_get_rowstride (pixbuf);
  for (int y = 0; y < height; y++)
    {
      const guint8 *in = data + (gsize) y * width * colors;
      guint8 *out = pixels + y * rowstride;

      if (colors == 3)
        memcpy (out, in, (gsize) width * 3);
      else
        for (int x = 0; x < width; x++)
          out[3 * x] = out[3 * x + 1] = out[3 * x + 2] = in[x];
    }

  return g_steal_pointer (&pixbuf);
}

#if LIBRAW_COMPILE_CHECK_VERSION_NOTLESS(0, 21)
/* The preview to unpack: the smallest at least @size on its longest side,
 * else the largest. */
static int
choose_thumbnail (const libraw_thumbnail_list_t *list,
                  guint                          size)
{
  int best = -1;
  guint best_side = 0;

  for (int i = 0; i < MIN (list->thumbcount, LIBRAW_THUMBNAIL_MAXCOUNT); i++)
    {
      guint side = MAX (list->thumblist[i].twidth, list->thumblist[i].theight);
      gboolean big_enough = side >= size;
      gboolean best_big_enough = best_side >= size;

      if (side == 0)
        continue;
      if (best < 0 ||
          (big_enough && (!best_big_enough || side < best_side)) ||
          (!big_enough && !best_big_enough && side > best_side))
        {
          best = i;
          best_side = side;
        }
    }

  return best;
}
#endif

/* Whether the unpacked preview runs past the end of the file. LibRaw
 * reads a preview into a buffer of the length its tags claim and does not
 * check how much it got, so the rest of a cut preview is whatever memory
 * held, which a JPEG decoder may take for data. LibRaw 0.21 says where the
 * preview starts; with 0.20 it is looked for: a preview stored as it is
 * (as almost all are) starts with bytes found in the file, and a cut one
 * matches the file up to its end. A preview LibRaw made over is not found
 * and counts as whole. */
static gboolean
preview_is_cut (const RawDecoder *d,
                int               index,
                const guint8     *data,
                gsize             len)
{
  const libraw_thumbnail_t *thumbnail = &d->lr->thumbnail;
  const guint8 *thumb = (const guint8 *) thumbnail->thumb;
  gsize length = thumbnail->tlength;
  gsize needle = MIN (length, 64);
  const guint8 *p;

#if LIBRAW_COMPILE_CHECK_VERSION_NOTLESS(0, 21)
  const libraw_thumbnail_item_t *item = &d->lr->thumbs_list.thumblist[index];

  if (item->toffset > 0 && item->tlength > 0)
    return (guint64) item->toffset + (guint64) item->tlength > len;
#endif

  if (needle == 0)
    return FALSE;

  for (p = memmem (data, len, thumb, needle); p != NULL;
       p = memmem (p + 1, len - (p + 1 - data), thumb, needle))
    {
      gsize available = len - (p - data);

      if (available >= length ? memcmp (p, thumb, length) == 0 : memcmp (p, thumb, available) == 0)
        return available < length;
      if (p + 1 >= data + len)
        break;
    }

  return FALSE;
}

/* The embedded preview as it is stored, or %NULL when there is none that
 * decodes (or it is cut short, said in d->ended_early). */
static GdkPixbuf *
read_preview (RawDecoder   *d,
              const guint8 *data,
              gsize         len,
              guint         size,
              guint64       max_pixels)
{
  libraw_thumbnail_t *thumbnail = &d->lr->thumbnail;
  int index = 0;
  int code;

#if LIBRAW_COMPILE_CHECK_VERSION_NOTLESS(0, 21)
  index = choose_thumbnail (&d->lr->thumbs_list, size);
  if (index < 0)
    return NULL;
  code = libraw_unpack_thumb_ex (d->lr, index);
#else
  /* LibRaw 0.20 unpacks the one preview it chose, the largest it knows. */
  code = libraw_unpack_thumb (d->lr);
#endif
  if (code != LIBRAW_SUCCESS || thumbnail->thumb == NULL)
    return NULL;

  if (preview_is_cut (d, index, data, len))
    {
      d->ended_early = TRUE;
      return NULL;
    }

  if (thumbnail->tformat == LIBRAW_THUMBNAIL_JPEG)
    {
#if HAVE_LIBJPEG
      g_autoptr(GError) error = NULL;
      GdkPixbuf *pixbuf;
      gboolean handled;
      int width, height;

      pixbuf = cs_jpeg_decode_memory ((const guint8 *) thumbnail->thumb, thumbnail->tlength,
                                      size, max_pixels, &handled, &width, &height,
                                      d->cancellable, &error);
      if (error != NULL)
        g_debug ("The preview does not decode: %s", error->message);
      return pixbuf;
#else
      return NULL;
#endif
    }

  if (thumbnail->tformat == LIBRAW_THUMBNAIL_BITMAP)
    {
      if ((guint64) thumbnail->twidth * thumbnail->theight > max_pixels)
        return NULL;
      return pixbuf_from_samples ((const guint8 *) thumbnail->thumb, thumbnail->tlength,
                                  thumbnail->twidth, thumbnail->theight, thumbnail->tcolors);
    }

  return NULL;
}

/* The sensor data demosaiced at half size, already upright. */
static GdkPixbuf *
read_half_size (RawDecoder  *d,
                GError     **error)
{
  libraw_data_t *lr = d->lr;
  libraw_processed_image_t *image;
  GdkPixbuf *pixbuf;
  guint64 bytes;
  int code;

  /* The raw samples and LibRaw's four 16-bit channels of the half-size
   * image, at once. */
  bytes = (guint64) lr->sizes.raw_width * lr->sizes.raw_height * 2 +
          (guint64) (lr->sizes.width / 2 + 1) * (lr->sizes.height / 2 + 1) * 8;
  d->big_turn = cs_decode_begin_big_buffer (bytes, d->cancellable);

  lr->params.half_size = 1;
  lr->params.use_camera_wb = 1;
  lr->params.output_bps = 8;
  if (omp_set_num_threads != NULL)
    omp_set_num_threads (1);

  code = libraw_unpack (lr);
  if (code == LIBRAW_SUCCESS)
    code = libraw_dcraw_process (lr);
  if (code != LIBRAW_SUCCESS)
    {
      set_failure (d, code, error);
      return NULL;
    }

  image = libraw_dcraw_make_mem_image (lr, &code);
  if (image == NULL)
    {
      set_failure (d, code, error);
      return NULL;
    }

  pixbuf = image->type == LIBRAW_IMAGE_BITMAP && image->bits == 8
           ? pixbuf_from_samples (image->data, image->data_size,
                                  image->width, image->height, image->colors)
           : NULL;
  libraw_dcraw_clear_mem (image);
  if (pixbuf == NULL)
    cs_set_error_out_of_memory (error);
  else if (d->ended_early)
    {
      /* LibRaw fills what it could not read and carries on. */
      g_clear_object (&pixbuf);
      cs_set_error_truncated (error);
    }

  return pixbuf;
}

/* The type of the file: its name's when that is a RAW type, else what
 * LibRaw found. */
static char *
find_mime_type (const RawDecoder *d,
                const char       *type_hint,
                const guint8     *data,
                gsize             len)
{
  const char *make = d->lr->idata.make;

  if (type_hint != NULL && g_strv_contains (raw_types, type_hint))
    return g_strdup (type_hint);

  if (d->lr->idata.dng_version != 0)
    return g_strdup ("image/x-adobe-dng");

  /* Canon's CR3 is an ISO media file, not a TIFF like its CR2. */
  if (g_ascii_strcasecmp (make, "Canon") == 0 && len >= 12 && memcmp (data + 4, "ftypcrx ", 8) == 0)
    return g_strdup ("image/x-canon-cr3");

  for (gsize i = 0; i < G_N_ELEMENTS (maker_types); i++)
    if (g_ascii_strcasecmp (make, maker_types[i].make) == 0)
      return g_strdup (maker_types[i].mime_type);

  return g_strdup ("image/x-dcraw");
}

/**
 * cs_raw_decode:
 * @fd: a regular file, read from its current offset
 * @type_hint: (nullable): the type the file's name suggests
 * @size: the longest side wanted
 * @handled: (out): %FALSE when LibRaw does not know the file (a TIFF that
 *   is no camera's): it is left to GdkPixbuf or glycin
 * @mime_type: (out): the RAW format, for the cache's Thumb::Mimetype
 * @image_width: (out): the picture's width as seen (after orientation)
 * @image_height: (out): its height
 *
 * Returns: (transfer full) (nullable): an upright pixbuf at least @size
 *   on its longest side when the preview or the image allows, or %NULL
 *   with @error set, or %NULL and *@handled %FALSE
 */
GdkPixbuf *
cs_raw_decode (int            fd,
               const char    *type_hint,
               guint          size,
               guint64        max_pixels,
               gboolean      *handled,
               char         **mime_type,
               int           *image_width,
               int           *image_height,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(RawDecoder) d = g_new0 (RawDecoder, 1);
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  const guint8 *data;
  gsize len;
  struct stat st;
  off_t offset;
  int code, width, height, flip;

  *handled = FALSE;
  d->cancellable = cancellable;

  offset = lseek (fd, 0, SEEK_CUR);
  if (offset < 0 || fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size <= offset)
    return NULL;

  d->map_len = st.st_size;
  d->map = mmap (NULL, d->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
  if (d->map == MAP_FAILED)
    {
      int saved_errno = errno;

      d->map = NULL;
      *handled = TRUE;
      if (saved_errno == ENOMEM)
        cs_set_error_out_of_memory (error);
      else
        cs_set_error_cannot_read (error, saved_errno);
      return NULL;
    }
  data = d->map + offset;
  len = d->map_len - offset;

  if ((type_hint == NULL || !g_strv_contains (raw_types, type_hint)) &&
      content_is_other_image (data, len))
    return NULL;

  d->lr = libraw_init (0);
  if (d->lr == NULL)
    {
      *handled = TRUE;
      cs_set_error_out_of_memory (error);
      return NULL;
    }
  libraw_set_dataerror_handler (d->lr, on_data_error, d);
#if HAVE_MEMORY_HANDLER
  libraw_set_memerror_handler (d->lr, on_memory_error, d);
#endif
  libraw_set_progress_handler (d->lr, on_progress, d);

  code = libraw_open_buffer (d->lr, (void *) data, len);
  if (code == LIBRAW_FILE_UNSUPPORTED && !d->ended_early)
    return NULL;

  *handled = TRUE;
  if (code != LIBRAW_SUCCESS)
    {
      set_failure (d, code, error);
      return NULL;
    }

  width = d->lr->sizes.width;
  height = d->lr->sizes.height;
  flip = d->lr->sizes.flip;
  if (width <= 0 || height <= 0)
    {
      cs_set_error_no_pixels (error);
      return NULL;
    }
  if ((guint64) width * height > max_pixels ||
      (guint64) d->lr->sizes.raw_width * d->lr->sizes.raw_height > max_pixels)
    {
      cs_set_error_too_large (error, width, height);
      return NULL;
    }

  *image_width = flip & 4 ? height : width;
  *image_height = flip & 4 ? width : height;
  *mime_type = find_mime_type (d, type_hint, data, len);

  pixbuf = read_preview (d, data, len, size, max_pixels);
  if (pixbuf != NULL)
    return orient (g_steal_pointer (&pixbuf), flip);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* The file ends inside its preview: it is cut short, and a thumbnail
   * of what is left would hide that. */
  if (d->ended_early)
    {
      g_clear_pointer (mime_type, g_free);
      cs_set_error_truncated (error);
      return NULL;
    }

  g_debug ("No usable preview in the %s file: decoding its sensor data at half size",
           *mime_type);
  pixbuf = read_half_size (d, error);
  if (pixbuf == NULL)
    g_clear_pointer (mime_type, g_free);

  return g_steal_pointer (&pixbuf);
}
