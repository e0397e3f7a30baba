/* cs-sheet-writer.h: a contact sheet into a PDF, or PNG or JPEG pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-sheet-renderer.h"

G_BEGIN_DECLS

typedef enum
{
  CS_SHEET_FORMAT_PDF,
  CS_SHEET_FORMAT_PNG,
  CS_SHEET_FORMAT_JPEG,
} CsSheetFormat;

gboolean   cs_sheet_format_from_path    (const char           *path,
                                         CsSheetFormat        *format,
                                         GError              **error);
char     **cs_sheet_writer_page_paths   (const char           *path,
                                         CsSheetFormat         format,
                                         guint                 n_pages);

char     **cs_sheet_writer_write        (CsSheetRenderer      *renderer,
                                         const char           *path,
                                         CsSheetFormat         format,
                                         GCancellable         *cancellable,
                                         GError              **error);
void       cs_sheet_writer_write_async  (CsSheetRenderer      *renderer,
                                         const char           *path,
                                         CsSheetFormat         format,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
char     **cs_sheet_writer_write_finish (GAsyncResult         *result,
                                         GError              **error);

void       cs_sheet_writer_abandon      (void);

G_END_DECLS
