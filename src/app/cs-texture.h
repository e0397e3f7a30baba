/* cs-texture.h: the engine's pixels as a GdkTexture
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gdk/gdk.h>

G_BEGIN_DECLS

GdkTexture *cs_texture_new_for_pixbuf (GdkPixbuf *pixbuf);

G_END_DECLS
