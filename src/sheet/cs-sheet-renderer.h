/* cs-sheet-renderer.h: a contact sheet's pages drawn onto any cairo_t
 *
 * One renderer serves every output: cs-sheet-writer for files; a preview
 * draws page 0 with cs_sheet_renderer_draw_page_at_size() into its own
 * size; GtkPrintOperation's draw-page draws page N the same way at
 * gtk_print_context_get_width()/get_height(), with the paper and
 * orientation of the page setup in the options. Pages count from 0.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <cairo.h>

#include "cs-sheet-entry.h"
#include "cs-sheet-layout.h"
#include "cs-sheet-options.h"
#include "cs-sheet-pictures.h"

G_BEGIN_DECLS

#define CS_TYPE_SHEET_RENDERER (cs_sheet_renderer_get_type ())
G_DECLARE_FINAL_TYPE (CsSheetRenderer, cs_sheet_renderer, CS, SHEET_RENDERER, GObject)

CsSheetRenderer     *cs_sheet_renderer_new                (const CsSheetOptions *options,
                                                           GPtrArray            *entries,
                                                           const char           *folder_name,
                                                           GError              **error);

const CsSheetOptions *cs_sheet_renderer_get_options       (CsSheetRenderer      *self);
const CsSheetLayout *cs_sheet_renderer_get_layout         (CsSheetRenderer      *self);
guint                cs_sheet_renderer_get_n_pages        (CsSheetRenderer      *self);
char                *cs_sheet_renderer_dup_title          (CsSheetRenderer      *self);
void                 cs_sheet_renderer_set_date           (CsSheetRenderer      *self,
                                                           const char           *date);

CsSheetPictures     *cs_sheet_renderer_new_pictures       (CsSheetRenderer      *self,
                                                           gboolean              for_pdf);
gboolean             cs_sheet_renderer_draw_page          (CsSheetRenderer      *self,
                                                           cairo_t              *cr,
                                                           guint                 page,
                                                           GCancellable         *cancellable,
                                                           GError              **error);
gboolean             cs_sheet_renderer_draw_page_ahead    (CsSheetRenderer      *self,
                                                           cairo_t              *cr,
                                                           guint                 page,
                                                           CsSheetPictures      *pictures,
                                                           GCancellable         *cancellable,
                                                           GError              **error);
gboolean             cs_sheet_renderer_draw_page_at_size  (CsSheetRenderer      *self,
                                                           cairo_t              *cr,
                                                           guint                 page,
                                                           double                width,
                                                           double                height,
                                                           GCancellable         *cancellable,
                                                           GError              **error);

G_END_DECLS
