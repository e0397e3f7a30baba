/* cs-selection-actions.h: what can be done with the selected images
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cs-thumbnailer.h"

G_BEGIN_DECLS

#define CS_TYPE_SELECTION_ACTIONS (cs_selection_actions_get_type ())
G_DECLARE_FINAL_TYPE (CsSelectionActions, cs_selection_actions, CS, SELECTION_ACTIONS, GObject)

CsSelectionActions *cs_selection_actions_new            (GtkSelectionModel  *selection,
                                                         GtkWidget          *grid,
                                                         AdwToastOverlay    *toasts);
GPtrArray          *cs_selection_actions_get_files      (CsSelectionActions *self);
void                cs_selection_actions_set_thumbnailer (CsSelectionActions *self,
                                                          CsThumbnailer      *thumbnailer);
void                cs_selection_actions_open           (CsSelectionActions *self);
void                cs_selection_actions_show_in_files  (CsSelectionActions *self);
void                cs_selection_actions_copy           (CsSelectionActions *self);
void                cs_selection_actions_trash          (CsSelectionActions *self);

G_END_DECLS
