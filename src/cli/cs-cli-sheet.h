/* cs-cli-sheet.h: contact-sheet-cli --sheet, the thumbnails laid out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-result.h"

G_BEGIN_DECLS

typedef struct
{
  char     *path;
  char     *paper;
  gboolean  landscape;
  char     *grid;
  char     *caption;
  char     *title;
  char     *dpi;
  char     *sort;
} CsCliSheetArgs;

void        cs_cli_sheet_args_clear           (CsCliSheetArgs       *args);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CsCliSheetArgs, cs_cli_sheet_args_clear)

typedef struct _CsCliSheet CsCliSheet;

CsCliSheet *cs_cli_sheet_new                  (const CsCliSheetArgs *args,
                                               const char           *folder_name,
                                               GError              **error);
void        cs_cli_sheet_free                 (CsCliSheet           *self);

guint       cs_cli_sheet_get_thumbnail_pixels (CsCliSheet           *self);
void        cs_cli_sheet_add_result           (CsCliSheet           *self,
                                               CsResult             *result);

void        cs_cli_sheet_write_async          (CsCliSheet           *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
char      **cs_cli_sheet_write_finish         (CsCliSheet           *self,
                                               GAsyncResult         *result,
                                               GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsCliSheet, cs_cli_sheet_free)

G_END_DECLS
