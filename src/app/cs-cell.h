/* cs-cell.h: one cell of the thumbnail grid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cs-item.h"

G_BEGIN_DECLS

#define CS_TYPE_CELL (cs_cell_get_type ())
G_DECLARE_FINAL_TYPE (CsCell, cs_cell, CS, CELL, GtkWidget)

GtkWidget *cs_cell_new            (void);
CsItem    *cs_cell_get_item       (CsCell *self);
void       cs_cell_set_item       (CsCell *self,
                                   CsItem *item);
void       cs_cell_set_pixel_size (CsCell *self,
                                   int     pixel_size);
char      *cs_cell_dup_tooltip_text (CsCell *self);
GtkWidget *cs_cell_create_tooltip (CsCell *self);

G_END_DECLS
