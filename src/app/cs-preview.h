/* cs-preview.h: one picture, large, over the grid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cs-item.h"
#include "cs-thumbnailer.h"

G_BEGIN_DECLS

#define CS_TYPE_PREVIEW (cs_preview_get_type ())
G_DECLARE_FINAL_TYPE (CsPreview, cs_preview, CS, PREVIEW, GtkWidget)

void          cs_preview_set_thumbnailer (CsPreview     *self,
                                          CsThumbnailer *thumbnailer);
void          cs_preview_open            (CsPreview     *self,
                                          GListModel    *items,
                                          CsItem        *item);
void          cs_preview_close           (CsPreview     *self);
gboolean      cs_preview_get_open        (CsPreview     *self);
gboolean      cs_preview_has_focus       (CsPreview     *self);
CsItem       *cs_preview_get_item        (CsPreview     *self);
gboolean      cs_preview_get_position    (CsPreview     *self,
                                          guint         *position);
GdkPaintable *cs_preview_get_paintable   (CsPreview     *self);
gboolean      cs_preview_get_sharp       (CsPreview     *self);
const char   *cs_preview_get_name_text   (CsPreview     *self);
const char   *cs_preview_get_size_text   (CsPreview     *self);
const char   *cs_preview_get_error_text  (CsPreview     *self);

G_END_DECLS
