/* cs-sheet-dialog.h: the contact sheet's options, preview, export and print
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cs-thumbnailer.h"

G_BEGIN_DECLS

typedef enum
{
  CS_SHEET_DIALOG_EXPORT,
  CS_SHEET_DIALOG_PRINT,
} CsSheetDialogMode;

#define CS_TYPE_SHEET_DIALOG (cs_sheet_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CsSheetDialog, cs_sheet_dialog, CS, SHEET_DIALOG, AdwWindow)

GtkWidget *cs_sheet_dialog_present (GtkWindow         *parent,
                                    GSettings         *settings,
                                    GListModel        *items,
                                    CsThumbnailer     *thumbnailer,
                                    const char        *folder_name,
                                    AdwToastOverlay   *toast_overlay,
                                    CsSheetDialogMode  mode);

G_END_DECLS
