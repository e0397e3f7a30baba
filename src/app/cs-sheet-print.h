/* cs-sheet-print.h: a contact sheet through the print dialog
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cs-sheet-renderer.h"

G_BEGIN_DECLS

void                    cs_sheet_print_async  (CsSheetRenderer      *renderer,
                                               GtkWindow            *parent,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
GtkPrintOperationResult cs_sheet_print_finish (GAsyncResult         *result,
                                               GError              **error);

G_END_DECLS
