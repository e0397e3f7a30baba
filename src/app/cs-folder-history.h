/* cs-folder-history.h: the folders shown before, for going back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CS_TYPE_FOLDER_HISTORY (cs_folder_history_get_type ())
G_DECLARE_FINAL_TYPE (CsFolderHistory, cs_folder_history, CS, FOLDER_HISTORY, GObject)

CsFolderHistory *cs_folder_history_new             (void);
void             cs_folder_history_push            (CsFolderHistory *self,
                                                    GFile           *folder);
GFile           *cs_folder_history_pop             (CsFolderHistory *self);
gboolean         cs_folder_history_get_can_go_back (CsFolderHistory *self);

G_END_DECLS
