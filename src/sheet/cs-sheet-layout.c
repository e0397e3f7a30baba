/* cs-sheet-layout.c: a contact sheet's geometry, in points
 *
 * Pure arithmetic, no drawing: the PDF, the PNG pages, the print preview
 * and the tests all ask the same questions and get the same answers.
 * Pages and items count from 0.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-sheet"

#include "config.h"

#include "cs-sheet-layout.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cs-sheet-caption.h"

#define GAP_MM 3.0
#define TITLE_BAND_MM 10.0
#define FOOTER_BAND_MM 7.0
#define CAPTION_LINE_PT (CS_SHEET_CAPTION_FONT_PT * 1.3)
#define CAPTION_PAD_PT 2.0
/* Smaller than this, a thumbnail shows nothing. */
#define MIN_IMAGE_MM 8.0

struct _CsSheetLayout
{
  double      page_width;
  double      page_height;
  guint       columns;
  guint       rows;
  guint       n_items;
  guint       n_pages;
  guint       caption_lines;
  gboolean    square;
  CsSheetRect title;
  CsSheetRect footer;
  CsSheetRect grid;
  double      cell_width;
  double      cell_height;
  double      gap;
};

double
cs_sheet_mm_to_points (double mm)
{
  return mm * 72.0 / 25.4;
}

/* How many cells of @cell fit in @length with gaps of @gap. */
static guint
fit_cells (double length,
           double cell,
           double gap)
{
  return (guint) MAX (1.0, floor ((length + gap) / (cell + gap)));
}

/* Returns NULL, with a one-line reason, when a cell would be too small to
 * show a picture: too many rows or columns for the paper. */
CsSheetLayout *
cs_sheet_layout_new (const CsSheetOptions  *options,
                     guint                  n_items,
                     GError               **error)
{
  g_autoptr(CsSheetLayout) self = g_new0 (CsSheetLayout, 1);
  double width_mm, height_mm, margin, title_band, footer_band, caption_band;
  CsSheetRect image;
  guint per_page;

  g_return_val_if_fail (options != NULL, NULL);

  cs_sheet_options_get_page_size_mm (options, &width_mm, &height_mm);
  self->page_width = cs_sheet_mm_to_points (width_mm);
  self->page_height = cs_sheet_mm_to_points (height_mm);
  self->square = options->square;
  self->gap = cs_sheet_mm_to_points (GAP_MM);
  self->caption_lines = cs_sheet_caption_count_lines (options->caption);

  margin = cs_sheet_mm_to_points (options->margin_mm);
  title_band = options->title != NULL && options->title[0] == '\0'
               ? 0 : cs_sheet_mm_to_points (TITLE_BAND_MM);
  footer_band = cs_sheet_options_get_footer (options)[0] == '\0'
                ? 0 : cs_sheet_mm_to_points (FOOTER_BAND_MM);

  self->title = (CsSheetRect) { margin, margin, self->page_width - 2 * margin, title_band };
  self->footer = (CsSheetRect) { margin, self->page_height - margin - footer_band,
                                 self->page_width - 2 * margin, footer_band };
  self->grid = (CsSheetRect) { margin, margin + title_band, self->page_width - 2 * margin,
                               self->page_height - 2 * margin - title_band - footer_band };

  caption_band = self->caption_lines > 0 ? self->caption_lines * CAPTION_LINE_PT + CAPTION_PAD_PT : 0;
  if (options->columns > 0 && options->rows > 0)
    {
      self->columns = options->columns;
      self->rows = options->rows;
    }
  else
    {
      double cell = cs_sheet_mm_to_points (options->cell_mm);

      self->columns = fit_cells (self->grid.width, cell, self->gap);
      self->rows = fit_cells (self->grid.height, cell + caption_band, self->gap);
    }

  self->cell_width = (self->grid.width - (self->columns - 1) * self->gap) / self->columns;
  self->cell_height = (self->grid.height - (self->rows - 1) * self->gap) / self->rows;

  cs_sheet_layout_get_image_area (self, 0, &image);
  if (image.width < cs_sheet_mm_to_points (MIN_IMAGE_MM) ||
      image.height < cs_sheet_mm_to_points (MIN_IMAGE_MM))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("A grid of %u × %u leaves no room for pictures on this paper"),
                   self->columns, self->rows);
      return NULL;
    }

  per_page = self->columns * self->rows;
  self->n_items = n_items;
  self->n_pages = MAX (1, (n_items + per_page - 1) / per_page);

  return g_steal_pointer (&self);
}

void
cs_sheet_layout_free (CsSheetLayout *self)
{
  g_free (self);
}

double
cs_sheet_layout_get_page_width (const CsSheetLayout *self)
{
  return self->page_width;
}

double
cs_sheet_layout_get_page_height (const CsSheetLayout *self)
{
  return self->page_height;
}

guint
cs_sheet_layout_get_columns (const CsSheetLayout *self)
{
  return self->columns;
}

guint
cs_sheet_layout_get_rows (const CsSheetLayout *self)
{
  return self->rows;
}

guint
cs_sheet_layout_get_n_items (const CsSheetLayout *self)
{
  return self->n_items;
}

guint
cs_sheet_layout_get_n_pages (const CsSheetLayout *self)
{
  return self->n_pages;
}

guint
cs_sheet_layout_get_caption_lines (const CsSheetLayout *self)
{
  return self->caption_lines;
}

/* The items on @page: returns how many, and the first in @first. */
guint
cs_sheet_layout_get_page_items (const CsSheetLayout *self,
                                guint                page,
                                guint               *first)
{
  guint per_page = self->columns * self->rows;
  guint start = page * per_page;

  *first = start;
  if (page >= self->n_pages || start >= self->n_items)
    return 0;

  return MIN (per_page, self->n_items - start);
}

void
cs_sheet_layout_get_title_area (const CsSheetLayout *self,
                                CsSheetRect         *area)
{
  *area = self->title;
}

void
cs_sheet_layout_get_footer_area (const CsSheetLayout *self,
                                 CsSheetRect         *area)
{
  *area = self->footer;
}

/* Where @item's cell is on its page, left to right, top to bottom. */
void
cs_sheet_layout_get_cell (const CsSheetLayout *self,
                          guint                item,
                          CsSheetRect         *cell)
{
  guint slot = item % (self->columns * self->rows);
  guint column = slot % self->columns;
  guint row = slot / self->columns;

  cell->x = self->grid.x + column * (self->cell_width + self->gap);
  cell->y = self->grid.y + row * (self->cell_height + self->gap);
  cell->width = self->cell_width;
  cell->height = self->cell_height;
}

static double
caption_band (const CsSheetLayout *self)
{
  return self->caption_lines > 0 ? self->caption_lines * CAPTION_LINE_PT + CAPTION_PAD_PT : 0;
}

/* The part of the cell above its caption, where the picture goes. */
void
cs_sheet_layout_get_image_area (const CsSheetLayout *self,
                                guint                item,
                                CsSheetRect         *area)
{
  cs_sheet_layout_get_cell (self, item, area);
  area->height -= caption_band (self);
}

void
cs_sheet_layout_get_caption_area (const CsSheetLayout *self,
                                  guint                item,
                                  CsSheetRect         *area)
{
  double band = caption_band (self);

  cs_sheet_layout_get_cell (self, item, area);
  area->y += area->height - band + CAPTION_PAD_PT;
  area->height = band - CAPTION_PAD_PT;
}

/* The picture's rectangle in @area: as large as fits with its aspect kept,
 * centred; a square of the area's shorter side when cropping to squares;
 * the whole area when the picture's size is unknown. */
void
cs_sheet_layout_fit_image (const CsSheetLayout *self,
                           const CsSheetRect   *area,
                           int                  image_width,
                           int                  image_height,
                           CsSheetRect         *image)
{
  double scale;

  if (self->square)
    {
      double side = MIN (area->width, area->height);

      image->width = image->height = side;
    }
  else if (image_width <= 0 || image_height <= 0)
    {
      image->width = area->width;
      image->height = area->height;
    }
  else
    {
      scale = MIN (area->width / image_width, area->height / image_height);
      image->width = image_width * scale;
      image->height = image_height * scale;
    }

  image->x = area->x + (area->width - image->width) / 2;
  image->y = area->y + (area->height - image->height) / 2;
}

/* The longest side of a cell's picture area in pixels at @dpi: the
 * thumbnail size worth making for this sheet. */
guint
cs_sheet_layout_get_image_pixels (const CsSheetLayout *self,
                                  guint                dpi)
{
  CsSheetRect area;

  cs_sheet_layout_get_image_area (self, 0, &area);
  return (guint) ceil (MAX (area.width, area.height) * dpi / 72.0);
}
