/* cs-sheet-options.h: what a contact sheet looks like, and its parsers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CS_SHEET_DEFAULT_DPI 150
#define CS_SHEET_DEFAULT_CAPTION "{name}"
#define CS_SHEET_DEFAULT_MARGIN_MM 12.0
#define CS_SHEET_DEFAULT_CELL_MM 40.0

typedef struct
{
  double    paper_width_mm;    /* as named: A4 is 210 x 297 */
  double    paper_height_mm;
  gboolean  landscape;
  guint     columns;           /* 0: as many cells of cell_mm as fit */
  guint     rows;
  double    cell_mm;
  double    margin_mm;
  char     *caption;           /* template, see cs-sheet-caption.h */
  char     *title;             /* NULL: the folder's name */
  char     *footer;            /* NULL: page N of M and the date */
  guint     dpi;               /* raster pages, and images embedded in a PDF */
  gboolean  square;            /* thumbnails cropped to squares */
} CsSheetOptions;

CsSheetOptions *cs_sheet_options_new        (void);
CsSheetOptions *cs_sheet_options_copy       (const CsSheetOptions *options);
void            cs_sheet_options_free       (CsSheetOptions       *options);

void            cs_sheet_options_get_page_size_mm (const CsSheetOptions *options,
                                                   double               *width_mm,
                                                   double               *height_mm);
const char     *cs_sheet_options_get_footer (const CsSheetOptions *options);

void            cs_sheet_paper_from_locale  (double      *width_mm,
                                             double      *height_mm);
gboolean        cs_sheet_parse_paper        (const char  *text,
                                             double      *width_mm,
                                             double      *height_mm,
                                             GError     **error);
gboolean        cs_sheet_parse_grid         (const char  *text,
                                             guint       *columns,
                                             guint       *rows,
                                             GError     **error);
gboolean        cs_sheet_parse_dpi          (const char  *text,
                                             guint       *dpi,
                                             GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsSheetOptions, cs_sheet_options_free)

G_END_DECLS
