/* cs-sheet-layout.h: a contact sheet's geometry, in points
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "cs-sheet-options.h"

G_BEGIN_DECLS

#define CS_SHEET_TITLE_FONT_PT 14.0
#define CS_SHEET_FOOTER_FONT_PT 8.0
#define CS_SHEET_CAPTION_FONT_PT 7.0

typedef struct
{
  double x;
  double y;
  double width;
  double height;
} CsSheetRect;

typedef struct _CsSheetLayout CsSheetLayout;

CsSheetLayout *cs_sheet_layout_new              (const CsSheetOptions *options,
                                                 guint                 n_items,
                                                 GError              **error);
void           cs_sheet_layout_free             (CsSheetLayout        *self);

double         cs_sheet_layout_get_page_width   (const CsSheetLayout  *self);
double         cs_sheet_layout_get_page_height  (const CsSheetLayout  *self);
guint          cs_sheet_layout_get_columns      (const CsSheetLayout  *self);
guint          cs_sheet_layout_get_rows         (const CsSheetLayout  *self);
guint          cs_sheet_layout_get_n_items      (const CsSheetLayout  *self);
guint          cs_sheet_layout_get_n_pages      (const CsSheetLayout  *self);
guint          cs_sheet_layout_get_caption_lines (const CsSheetLayout *self);
guint          cs_sheet_layout_get_page_items   (const CsSheetLayout  *self,
                                                 guint                 page,
                                                 guint                *first);
void           cs_sheet_layout_get_title_area   (const CsSheetLayout  *self,
                                                 CsSheetRect          *area);
void           cs_sheet_layout_get_footer_area  (const CsSheetLayout  *self,
                                                 CsSheetRect          *area);
void           cs_sheet_layout_get_cell         (const CsSheetLayout  *self,
                                                 guint                 item,
                                                 CsSheetRect          *cell);
void           cs_sheet_layout_get_image_area   (const CsSheetLayout  *self,
                                                 guint                 item,
                                                 CsSheetRect          *area);
void           cs_sheet_layout_get_caption_area (const CsSheetLayout  *self,
                                                 guint                 item,
                                                 CsSheetRect          *area);
void           cs_sheet_layout_fit_image        (const CsSheetLayout  *self,
                                                 const CsSheetRect    *area,
                                                 int                   image_width,
                                                 int                   image_height,
                                                 CsSheetRect          *image);
guint          cs_sheet_layout_get_image_pixels (const CsSheetLayout  *self,
                                                 guint                 dpi);

double         cs_sheet_mm_to_points            (double                mm);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsSheetLayout, cs_sheet_layout_free)

G_END_DECLS
