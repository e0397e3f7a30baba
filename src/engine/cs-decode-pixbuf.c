/* cs-decode-pixbuf.c: any format GdkPixbuf's loaders read, sized while read
 *
 * What no direct decoder takes (and, built without glycin, everything
 * else) goes through a GdkPixbufLoader, fed from the file descriptor in
 * chunks, with the pixel limit and the reduced size set as soon as the
 * loader knows the image's dimensions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-decode"

#include "config.h"

#include "cs-decode-pixbuf.h"
#include "cs-decode-util.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cs-error.h"
#include "cs-sniff.h"

#define READ_CHUNK (64 * 1024)

typedef struct
{
  guint     size;
  guint64   max_pixels;
  int       image_width;
  int       image_height;
  gboolean  too_large;
} DecodeState;

/* Called once the loader knows the image's dimensions, before it allocates
 * anything of that size: this is where the pixel limit and the reduced-size
 * decode (JPEG DCT scaling, SVG rendering size) happen. */
static void
on_size_prepared (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         user_data)
{
  DecodeState *state = user_data;
  int longest;

  state->image_width = width;
  state->image_height = height;

  if (width <= 0 || height <= 0 ||
      (guint64) width * (guint64) height > state->max_pixels)
    {
      state->too_large = TRUE;
      /* A zero size makes the loaders stop before allocating. */
      gdk_pixbuf_loader_set_size (loader, 0, 0);
      return;
    }

  longest = MAX (width, height);
  /* Raster images are never enlarged; drawings (SVG) are drawn at the size. */
  if ((guint) longest <= state->size &&
      !gdk_pixbuf_format_is_scalable (gdk_pixbuf_loader_get_format (loader)))
    return;

  cs_fit_dimensions (width, height, state->size, &width, &height);
  gdk_pixbuf_loader_set_size (loader, width, height);
}

/* Keeps the first and the last bytes of the stream, for ends_early(). */
static void
remember_ends (const guint8 *data,
               gsize         len,
               guint8       *head,
               gsize        *head_len,
               guint8       *tail,
               gsize        *tail_len)
{
  gsize take = MIN (len, 64 - *head_len);
  gsize keep;

  memcpy (head + *head_len, data, take);
  *head_len += take;

  if (len >= 16)
    {
      memcpy (tail, data + len - 16, 16);
      *tail_len = 16;
      return;
    }

  keep = MIN (*tail_len, 16 - len);
  memmove (tail, tail + *tail_len - keep, keep);
  memcpy (tail + keep, data, len);
  *tail_len = keep + len;
}

static guint32
read_le32 (const guint8 *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24);
}

/* Some loaders hand back the rows they got from a file cut short, grey
 * below, and call it a success. Where the format says where it ends, check
 * that the file got there: a PNG closes with its IEND chunk, a BMP states
 * its size. (A JPEG may carry data after its end, so it cannot be judged
 * this way; a JPEG cut short shows grey where it stops, as elsewhere.) */
static gboolean
ends_early (GdkPixbufFormat *format,
            const guint8    *head,
            gsize            head_len,
            const guint8    *tail,
            gsize            tail_len,
            goffset          total)
{
  static const guint8 iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
  g_autofree char *name = format ? gdk_pixbuf_format_get_name (format) : NULL;

  if (g_strcmp0 (name, "png") == 0)
    return tail_len < sizeof iend || memcmp (tail + tail_len - sizeof iend, iend, sizeof iend) != 0;

  if (g_strcmp0 (name, "bmp") == 0 && head_len >= 6 && head[0] == 'B' && head[1] == 'M')
    return total < (goffset) read_le32 (head + 2);

  return FALSE;
}


static GdkPixbufLoader *
new_loader (int         fd,
            const char *type_hint)
{
  const char *nameless_type = cs_decode_nameless_type (fd, type_hint);
  GdkPixbufLoader *loader;

  if (nameless_type == NULL)
    return gdk_pixbuf_loader_new ();

  loader = gdk_pixbuf_loader_new_with_mime_type (nameless_type, NULL);
  return loader != NULL ? loader : gdk_pixbuf_loader_new ();
}

/**
 * cs_decode_pixbuf:
 *
 * cs_decode_fd() through GdkPixbuf's loaders, without the final scaling
 * (see cs_decode_fit_to_size()).
 */
GdkPixbuf *
cs_decode_pixbuf (int            fd,
                  const char    *type_hint,
                  guint          size,
                  guint64        max_pixels,
                  char         **mime_type,
                  int           *image_width,
                  int           *image_height,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GdkPixbufLoader) loader = new_loader (fd, type_hint);
  g_autofree guint8 *buffer = g_malloc (READ_CHUNK);
  g_autoptr(GError) local_error = NULL;
  DecodeState state = { size, max_pixels, 0, 0, FALSE };
  GdkPixbufFormat *format;
  GdkPixbuf *pixbuf;
  const char *orientation;
  gboolean wrote_any = FALSE;
  gboolean wrote_all = TRUE;
  guint8 tail[16];
  gsize tail_len = 0;
  goffset total = 0;
  guint8 head[64];
  gsize head_len = 0;

  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &state);

  for (;;)
    {
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          gdk_pixbuf_loader_close (loader, NULL);
          return NULL;
        }

      n = read (fd, buffer, READ_CHUNK);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          gdk_pixbuf_loader_close (loader, NULL);
          cs_set_error_cannot_read (error, saved_errno);
          return NULL;
        }
      if (n == 0)
        break;

      wrote_any = TRUE;
      remember_ends (buffer, n, head, &head_len, tail, &tail_len);
      total += n;
      if (!gdk_pixbuf_loader_write (loader, buffer, n, &local_error) || state.too_large)
        {
          wrote_all = FALSE;
          break;
        }
    }

  if (!wrote_any)
    {
      gdk_pixbuf_loader_close (loader, NULL);
      cs_set_error_empty (error);
      return NULL;
    }

  /* The loader must always be closed; its verdict counts only when the data
   * went in cleanly. Small files only reach the size check inside close(),
   * so "too large" is looked at after it, before anything else. */
  if (local_error == NULL && !state.too_large)
    gdk_pixbuf_loader_close (loader, &local_error);
  else
    gdk_pixbuf_loader_close (loader, NULL);

  if (!state.too_large && local_error != NULL &&
      !g_error_matches (local_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE) &&
      wrote_all)
    {
      /* Every byte was accepted, yet the image is incomplete: its data
       * stops early. Say so; the loaders' own words here are cryptic. */
      g_clear_error (&local_error);
      cs_set_error_truncated (error);
      return NULL;
    }

  if (state.too_large)
    {
      cs_set_error_too_large (error, state.image_width, state.image_height);
      return NULL;
    }

  if (local_error != NULL)
    {
      if (g_error_matches (local_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE))
        cs_set_error_unsupported (error);
      else if (g_error_matches (local_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_INSUFFICIENT_MEMORY))
        cs_set_error_over_memory_limit (error, state.image_width, state.image_height);
      else
        {
          GdkPixbufFormat *claimed = gdk_pixbuf_loader_get_format (loader);
          g_autofree char *name = claimed ? gdk_pixbuf_format_get_name (claimed) : NULL;
          g_autofree char *upper = name ? g_ascii_strup (name, -1) : NULL;

          cs_set_error_cannot_decode (error, upper, local_error->message);
        }
      return NULL;
    }

  if (ends_early (gdk_pixbuf_loader_get_format (loader), head, head_len, tail, tail_len, total))
    {
      cs_set_error_truncated (error);
      return NULL;
    }

  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL)
    {
      cs_set_error_no_pixels (error);
      return NULL;
    }

  format = gdk_pixbuf_loader_get_format (loader);
  if (format != NULL)
    {
      g_auto(GStrv) mimes = gdk_pixbuf_format_get_mime_types (format);
      /* One loader may read several types (HEIC and AVIF): say which. */
      const char *sniffed = cs_sniff_bytes (head, head_len);

      if (sniffed != NULL && mimes != NULL && g_strv_contains ((const char * const *) mimes, sniffed))
        *mime_type = g_strdup (sniffed);
      else if (mimes != NULL && mimes[0] != NULL)
        *mime_type = g_strdup (mimes[0]);
    }

  /* Report the size as seen, after EXIF orientations 5-8 swap the sides. */
  orientation = gdk_pixbuf_get_option (pixbuf, "orientation");
  if (orientation != NULL && orientation[0] >= '5' && orientation[0] <= '8')
    {
      *image_width = state.image_height;
      *image_height = state.image_width;
    }
  else
    {
      *image_width = state.image_width;
      *image_height = state.image_height;
    }

  return gdk_pixbuf_apply_embedded_orientation (pixbuf);
}

