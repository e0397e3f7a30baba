/* cs-grid-view.h: the grid's cells, and what can be done with an image
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cs-grid-model.h"
#include "cs-texture-cache.h"

G_BEGIN_DECLS

#define CS_TYPE_GRID_VIEW (cs_grid_view_get_type ())
G_DECLARE_FINAL_TYPE (CsGridView, cs_grid_view, CS, GRID_VIEW, GObject)

CsGridView *cs_grid_view_new                    (GtkGridView    *grid,
                                                 CsGridModel    *model,
                                                 CsTextureCache *cache,
                                                 GMenuModel     *item_menu);
int         cs_grid_view_get_cell_size          (CsGridView     *self);
void        cs_grid_view_set_flavor             (CsGridView     *self,
                                                 CsFlavor        flavor);
void        cs_grid_view_set_search             (CsGridView     *self,
                                                 const char     *text);
GtkSelectionModel *cs_grid_view_get_selection  (CsGridView     *self);
void        cs_grid_view_popup_selected_menu    (CsGridView     *self);
CsItem     *cs_grid_view_get_current_item       (CsGridView     *self);

G_END_DECLS
