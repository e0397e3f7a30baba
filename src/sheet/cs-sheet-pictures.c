/* cs-sheet-pictures.c: a sheet's pictures, made ready for drawing ahead
 *
 * What a cell's picture costs is reading its thumbnail, scaling it to the
 * cell and, for a PDF, encoding it as JPEG; drawing it is cheap. A PDF's
 * pages must be drawn one after the other into one file, but their
 * pictures need not be made so: while one page is drawn, worker threads
 * make the next page's, one thread a processor. At most the pictures of
 * the pages asked for are held, so memory stays flat in the number of
 * pictures.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-sheet"

#include "config.h"

#include "cs-sheet-pictures.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <math.h>
#include <unistd.h>

#include "cs-decode.h"
#include "cs-encode.h"

#define JPEG_QUALITY 90
/* Thumbnails are at most 1024 px a side (xx-large): anything far larger in
 * the cache is not one of ours. */
#define MAX_THUMBNAIL_PIXELS (G_GUINT64_CONSTANT (4096) * 4096)

/* --- one picture ---------------------------------------------------------- */

/* The thumbnail at @path, no larger than @max_side, read by the engine's
 * own decoders in this process: a cached thumbnail is a PNG that libpng
 * reads in a fraction of a millisecond, where GdkPixbuf 2.44 would start a
 * glycin process for each one. */
static GdkPixbuf *
read_thumbnail (const char  *path,
                guint        max_side,
                GError     **error)
{
  g_autofree char *mime_type = NULL;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  int width, height;
  GdkPixbuf *pixbuf;

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s", g_strerror (saved_errno));
      return NULL;
    }
  pixbuf = cs_decode_fd (fd, "image/png", MAX (1, max_side), MAX_THUMBNAIL_PIXELS,
                         &mime_type, &width, &height, NULL, error);
  close (fd);

  return pixbuf;
}

/* @thumbnail scaled (never up) to fill @pixels_w × @pixels_h; for a square
 * crop, its middle. */
static GdkPixbuf *
fit_thumbnail (GdkPixbuf *thumbnail,
               int        pixels_w,
               int        pixels_h,
               gboolean   square)
{
  g_autoptr(GdkPixbuf) pixbuf = g_object_ref (thumbnail);
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  double scale;

  if (square)
    {
      int side = MIN (width, height);
      g_autoptr(GdkPixbuf) middle = gdk_pixbuf_new_subpixbuf (pixbuf, (width - side) / 2,
                                                              (height - side) / 2, side, side);

      g_set_object (&pixbuf, middle);
      width = height = side;
    }

  scale = MIN ((double) pixels_w / width, (double) pixels_h / height);
  if (scale >= 1.0)
    return g_steal_pointer (&pixbuf);

  return gdk_pixbuf_scale_simple (pixbuf, MAX (1, (int) round (width * scale)),
                                  MAX (1, (int) round (height * scale)), GDK_INTERP_BILINEAR);
}

static cairo_surface_t *
surface_from_pixbuf (GdkPixbuf *pixbuf)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  int src_stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *src = gdk_pixbuf_read_pixels (pixbuf);
  gboolean alpha = gdk_pixbuf_get_has_alpha (pixbuf);
  cairo_surface_t *surface;
  guint8 *dst;
  int dst_stride;

  surface = cairo_image_surface_create (alpha ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24,
                                        width, height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    return surface;

  cairo_surface_flush (surface);
  dst = cairo_image_surface_get_data (surface);
  dst_stride = cairo_image_surface_get_stride (surface);

  for (int y = 0; y < height; y++)
    {
      const guint8 *s = src + (gsize) y * src_stride;
      guint32 *d = (guint32 *) (dst + (gsize) y * dst_stride);

      for (int x = 0; x < width; x++, s += channels)
        {
          guint a = alpha ? s[3] : 0xff;
          /* Cairo wants premultiplied alpha. */
          guint r = (s[0] * a + 127) / 255;
          guint g = (s[1] * a + 127) / 255;
          guint b = (s[2] * a + 127) / 255;

          d[x] = a << 24 | r << 16 | g << 8 | b;
        }
    }
  cairo_surface_mark_dirty (surface);

  return surface;
}

/**
 * cs_sheet_picture_new:
 * @with_jpeg: attach the pixels' JPEG, which a PDF embeds as it is: a
 *   tenth of the size of the raw pixels cairo would otherwise deflate, and
 *   most of the time it spends (transparency is laid on white, as the
 *   paper shows it)
 *
 * Makes the picture of @entry, the @item'th cell, here and now. Thread-safe.
 */
CsSheetPicture *
cs_sheet_picture_new (const CsSheetLayout *layout,
                      CsSheetEntry        *entry,
                      guint                item,
                      guint                dpi,
                      gboolean             square,
                      gboolean             with_jpeg)
{
  CsSheetPicture *picture = g_new0 (CsSheetPicture, 1);
  const char *thumbnail = cs_sheet_entry_get_thumbnail_path (entry);
  g_autoptr(GdkPixbuf) read = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  CsSheetRect area;

  cs_sheet_layout_get_image_area (layout, item, &area);
  picture->image = area;

  if (cs_sheet_entry_get_error (entry) != NULL || thumbnail == NULL)
    {
      picture->error = g_strdup (cs_sheet_entry_get_error (entry) != NULL
                                 ? cs_sheet_entry_get_error (entry) : _("No thumbnail"));
      return picture;
    }

  read = read_thumbnail (thumbnail, (guint) ceil (MAX (area.width, area.height) * dpi / 72.0), &error);
  if (read == NULL)
    {
      picture->error = g_strdup (error->message);
      return picture;
    }

  /* The thumbnail's own shape is the picture's (orientation applied). */
  cs_sheet_layout_fit_image (layout, &area, gdk_pixbuf_get_width (read),
                             gdk_pixbuf_get_height (read), &picture->image);
  pixbuf = fit_thumbnail (read, (int) ceil (picture->image.width * dpi / 72.0),
                          (int) ceil (picture->image.height * dpi / 72.0), square);
  picture->surface = surface_from_pixbuf (pixbuf);
  if (with_jpeg)
    {
      GBytes *jpeg = cs_encode_jpeg (pixbuf, JPEG_QUALITY, NULL);

      if (jpeg != NULL)
        cairo_surface_set_mime_data (picture->surface, CAIRO_MIME_TYPE_JPEG,
                                     g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg),
                                     (cairo_destroy_func_t) g_bytes_unref, jpeg);
    }

  return picture;
}

void
cs_sheet_picture_free (CsSheetPicture *picture)
{
  if (picture == NULL)
    return;

  g_clear_pointer (&picture->surface, cairo_surface_destroy);
  g_free (picture->error);
  g_free (picture);
}

/* --- made ahead ------------------------------------------------------------- */

/* A picture asked for: made by a worker, taken by the drawing thread. */
typedef struct
{
  guint           item;
  CsSheetPicture *picture;   /* NULL until made */
} Slot;

static void
slot_free (Slot *slot)
{
  cs_sheet_picture_free (slot->picture);
  g_free (slot);
}

struct _CsSheetPictures
{
  const CsSheetLayout *layout;
  GPtrArray           *entries;
  guint                dpi;
  gboolean             square;
  gboolean             with_jpeg;

  GThreadPool         *pool;
  GMutex               lock;
  GCond                made;
  GHashTable          *asked;     /* item -> Slot */
};

static void
make_in_worker (gpointer data,
                gpointer user_data)
{
  CsSheetPictures *self = user_data;
  Slot *slot = data;
  CsSheetPicture *picture = cs_sheet_picture_new (self->layout, g_ptr_array_index (self->entries, slot->item),
                                                  slot->item, self->dpi, self->square, self->with_jpeg);

  g_mutex_lock (&self->lock);
  slot->picture = picture;
  g_cond_broadcast (&self->made);
  g_mutex_unlock (&self->lock);
}

/**
 * cs_sheet_pictures_new:
 * @layout: (transfer none): kept, unchanged, until cs_sheet_pictures_free()
 * @entries: (transfer none): the same
 */
CsSheetPictures *
cs_sheet_pictures_new (const CsSheetLayout *layout,
                       GPtrArray           *entries,
                       guint                dpi,
                       gboolean             square,
                       gboolean             with_jpeg)
{
  CsSheetPictures *self = g_new0 (CsSheetPictures, 1);

  self->layout = layout;
  self->entries = g_ptr_array_ref (entries);
  self->dpi = dpi;
  self->square = square;
  self->with_jpeg = with_jpeg;
  g_mutex_init (&self->lock);
  g_cond_init (&self->made);
  self->asked = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) slot_free);
  self->pool = g_thread_pool_new (make_in_worker, self, (int) g_get_num_processors (), FALSE, NULL);

  return self;
}

/* Has the pictures of cells @first to @first + @count - 1 made in the
 * background, those not asked for already. */
void
cs_sheet_pictures_request (CsSheetPictures *self,
                           guint            first,
                           guint            count)
{
  guint end = MIN (first + count, self->entries->len);

  g_mutex_lock (&self->lock);
  for (guint item = first; item < end; item++)
    {
      Slot *slot;

      if (g_hash_table_contains (self->asked, GUINT_TO_POINTER (item)))
        continue;
      slot = g_new0 (Slot, 1);
      slot->item = item;
      g_hash_table_insert (self->asked, GUINT_TO_POINTER (item), slot);
      g_thread_pool_push (self->pool, slot, NULL);
    }
  g_mutex_unlock (&self->lock);
}

/* The picture of cell @item: made in the background if it was asked for
 * (waiting until it is), else here. */
CsSheetPicture *
cs_sheet_pictures_take (CsSheetPictures *self,
                        guint            item)
{
  CsSheetPicture *picture = NULL;
  Slot *slot;

  g_return_val_if_fail (item < self->entries->len, NULL);

  g_mutex_lock (&self->lock);
  slot = g_hash_table_lookup (self->asked, GUINT_TO_POINTER (item));
  while (slot != NULL && slot->picture == NULL)
    g_cond_wait (&self->made, &self->lock);
  if (slot != NULL)
    {
      picture = g_steal_pointer (&slot->picture);
      g_hash_table_remove (self->asked, GUINT_TO_POINTER (item));
    }
  g_mutex_unlock (&self->lock);

  if (picture == NULL)
    picture = cs_sheet_picture_new (self->layout, g_ptr_array_index (self->entries, item), item,
                                    self->dpi, self->square, self->with_jpeg);

  return picture;
}

/* Drops what is still queued, waits for what is being made. */
void
cs_sheet_pictures_free (CsSheetPictures *self)
{
  if (self == NULL)
    return;

  g_thread_pool_free (self->pool, TRUE, TRUE);
  /* Under the lock the workers made their pictures under. */
  g_mutex_lock (&self->lock);
  g_hash_table_destroy (self->asked);
  g_mutex_unlock (&self->lock);
  g_ptr_array_unref (self->entries);
  g_cond_clear (&self->made);
  g_mutex_clear (&self->lock);
  g_free (self);
}
