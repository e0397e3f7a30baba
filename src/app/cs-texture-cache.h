/* cs-texture-cache.h: the pixels cells show, within a budget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cs-grid-model.h"
#include "cs-thumbnailer.h"
#include "cs-trace.h"

G_BEGIN_DECLS

#define CS_TYPE_TEXTURE_CACHE (cs_texture_cache_get_type ())
G_DECLARE_FINAL_TYPE (CsTextureCache, cs_texture_cache, CS, TEXTURE_CACHE, GObject)

CsTextureCache *cs_texture_cache_new             (CsGridModel    *model,
                                                  CsTraceProbe   *probe);
void            cs_texture_cache_set_thumbnailer (CsTextureCache *self,
                                                  CsThumbnailer  *thumbnailer);
void            cs_texture_cache_show            (CsTextureCache *self,
                                                  CsItem         *item);
void            cs_texture_cache_set_visible     (CsTextureCache *self,
                                                  GPtrArray      *items);
void            cs_texture_cache_hold_off_screen (CsTextureCache *self,
                                                  gboolean        hold);
void            cs_texture_cache_hide            (CsTextureCache *self,
                                                  CsItem         *item);
void            cs_texture_cache_set_pixels      (CsTextureCache *self,
                                                  CsItem         *item,
                                                  GdkPixbuf      *pixbuf);
void            cs_texture_cache_forget          (CsTextureCache *self,
                                                  CsItem         *item);
void            cs_texture_cache_clear           (CsTextureCache *self);

G_END_DECLS
