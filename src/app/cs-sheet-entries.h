/* cs-sheet-entries.h: the grid's images as a contact sheet's cells
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-grid-model.h"
#include "cs-sheet-entry.h"
#include "cs-thumbnailer.h"

G_BEGIN_DECLS

void       cs_sheet_entries_collect_async  (GListModel          *items,
                                            CsThumbnailer       *thumbnailer,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GPtrArray *cs_sheet_entries_collect_finish (GAsyncResult        *result,
                                            GError             **error);
void       cs_sheet_entries_sort           (GPtrArray           *entries,
                                            CsSortOrder          order);

G_END_DECLS
