/* cs-status-bar.h: the running total under the grid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cs-folder-loader.h"

G_BEGIN_DECLS

#define CS_TYPE_STATUS_BAR (cs_status_bar_get_type ())
G_DECLARE_FINAL_TYPE (CsStatusBar, cs_status_bar, CS, STATUS_BAR, GtkWidget)

void        cs_status_bar_set_loader (CsStatusBar    *self,
                                      CsFolderLoader *loader);
void        cs_status_bar_set_selection (CsStatusBar       *self,
                                         GtkSelectionModel *selection);
void        cs_status_bar_update     (CsStatusBar    *self);
const char *cs_status_bar_get_text   (CsStatusBar    *self);

G_END_DECLS
