/* cs-texture.c: the engine's pixels as a GdkTexture
 *
 * The grid's cells, the preview and the clipboard all show what the
 * decoder helper made: 8-bit RGB(A) rows, not premultiplied, which GDK
 * reads as they are.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-texture.h"

/**
 * cs_texture_new_for_pixbuf:
 * @pixbuf: 8 bits a sample, as the engine makes them
 *
 * Returns: (transfer full): a texture on @pixbuf's own pixels, without a
 * copy; it keeps @pixbuf alive.
 */
GdkTexture *
cs_texture_new_for_pixbuf (GdkPixbuf *pixbuf)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (GDK_IS_PIXBUF (pixbuf), NULL);
  g_return_val_if_fail (gdk_pixbuf_get_bits_per_sample (pixbuf) == 8, NULL);

  bytes = g_bytes_new_with_free_func (gdk_pixbuf_get_pixels (pixbuf),
                                      gdk_pixbuf_get_byte_length (pixbuf),
                                      g_object_unref, g_object_ref (pixbuf));

  return gdk_memory_texture_new (gdk_pixbuf_get_width (pixbuf),
                                 gdk_pixbuf_get_height (pixbuf),
                                 gdk_pixbuf_get_has_alpha (pixbuf) ? GDK_MEMORY_R8G8B8A8 : GDK_MEMORY_R8G8B8,
                                 bytes,
                                 gdk_pixbuf_get_rowstride (pixbuf));
}
