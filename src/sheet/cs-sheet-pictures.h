/* cs-sheet-pictures.h: a sheet's pictures, made ready for drawing ahead
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "cs-sheet-entry.h"
#include "cs-sheet-layout.h"

G_BEGIN_DECLS

/* One cell's picture, ready to paint: its pixels at the cell's size (with
 * their JPEG for a PDF, when asked), where they go in the cell, or why
 * there are none. */
typedef struct
{
  cairo_surface_t *surface;   /* NULL when the picture could not be read */
  CsSheetRect      image;
  char            *error;
} CsSheetPicture;

CsSheetPicture  *cs_sheet_picture_new      (const CsSheetLayout *layout,
                                            CsSheetEntry        *entry,
                                            guint                item,
                                            guint                dpi,
                                            gboolean             square,
                                            gboolean             with_jpeg);
void             cs_sheet_picture_free     (CsSheetPicture      *picture);

typedef struct _CsSheetPictures CsSheetPictures;

CsSheetPictures *cs_sheet_pictures_new     (const CsSheetLayout *layout,
                                            GPtrArray           *entries,
                                            guint                dpi,
                                            gboolean             square,
                                            gboolean             with_jpeg);
void             cs_sheet_pictures_request (CsSheetPictures     *self,
                                            guint                first,
                                            guint                count);
CsSheetPicture  *cs_sheet_pictures_take    (CsSheetPictures     *self,
                                            guint                item);
void             cs_sheet_pictures_free    (CsSheetPictures     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsSheetPicture, cs_sheet_picture_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsSheetPictures, cs_sheet_pictures_free)

G_END_DECLS
