/* test-sheet.c: the contact sheet's options, layout, captions and drawing
 *
 * Geometry is checked against the documented layout (12 mm margins, a
 * 10 mm title band, a 7 mm footer band, 3 mm gaps); pages are drawn onto
 * image surfaces and their pixels read back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "cs-exif.h"
#include "cs-sheet-caption.h"
#include "cs-sheet-entry.h"
#include "cs-sheet-layout.h"
#include "cs-sheet-options.h"
#include "cs-sheet-renderer.h"
#include "cs-test-util.h"

#define MM (72.0 / 25.4)
#define A4_W (210 * MM)
#define A4_H (297 * MM)
/* Pixels per point the pages are drawn at here. */
#define SCALE 2.0

static void
assert_bad_value (GError *error)
{
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_assert_null (strchr (error->message, '\n'));
}

static void
test_parse_paper (void)
{
  static const struct { const char *text; double w, h; } good[] = {
    { "a4", 210, 297 }, { "Letter", 215.9, 279.4 }, { "A3", 297, 420 },
    { "legal", 215.9, 355.6 }, { "100x150mm", 100, 150 }, { "99.5x200MM", 99.5, 200 },
  };
  static const char *bad[] = { "napkin", "", "10x10mm", "100x150", "x150mm", "100x150x3mm",
                               "-100x150mm", "100x3000mm", "a4 " };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      double w = 0, h = 0;

      g_assert_true (cs_sheet_parse_paper (good[i].text, &w, &h, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat_with_epsilon (w, good[i].w, 1e-9);
      g_assert_cmpfloat_with_epsilon (h, good[i].h, 1e-9);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      double w, h;

      g_assert_false (cs_sheet_parse_paper (bad[i], &w, &h, &error));
      assert_bad_value (error);
      g_assert_nonnull (strstr (error->message, bad[i]));
    }
}

static void
test_parse_grid_and_dpi (void)
{
  static const char *bad_grids[] = { "0x5", "5x0", "3", "3x4x5", "51x1", "ax3", "", "-1x3" };
  static const char *bad_dpis[] = { "0", "35", "1201", "150dpi", "" };
  g_autoptr(GError) error = NULL;
  guint columns = 0, rows = 0, dpi = 0;

  g_assert_true (cs_sheet_parse_grid ("4x6", &columns, &rows, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (columns, ==, 4);
  g_assert_cmpuint (rows, ==, 6);

  for (guint i = 0; i < G_N_ELEMENTS (bad_grids); i++)
    {
      g_assert_false (cs_sheet_parse_grid (bad_grids[i], &columns, &rows, &error));
      assert_bad_value (error);
      g_clear_error (&error);
    }

  g_assert_true (cs_sheet_parse_dpi ("300", &dpi, &error));
  g_assert_cmpuint (dpi, ==, 300);
  for (guint i = 0; i < G_N_ELEMENTS (bad_dpis); i++)
    {
      g_assert_false (cs_sheet_parse_dpi (bad_dpis[i], &dpi, &error));
      assert_bad_value (error);
      g_clear_error (&error);
    }
}

static void
test_paper_from_locale (void)
{
  g_autofree char *saved = g_strdup (setlocale (LC_PAPER, NULL));
  double w, h;

  g_assert_nonnull (setlocale (LC_PAPER, "C"));
  cs_sheet_paper_from_locale (&w, &h);
  g_assert_cmpfloat (w, ==, 210);
  g_assert_cmpfloat (h, ==, 297);

  /* Where glibc has the locale, the US gets Letter, Germany A4. */
  if (setlocale (LC_PAPER, "en_US.UTF-8") != NULL)
    {
      cs_sheet_paper_from_locale (&w, &h);
      g_assert_cmpfloat (w, ==, 215.9);
      g_assert_cmpfloat (h, ==, 279.4);
    }
  else
    g_test_message ("no en_US.UTF-8 locale here");
  if (setlocale (LC_PAPER, "de_DE.UTF-8") != NULL)
    {
      cs_sheet_paper_from_locale (&w, &h);
      g_assert_cmpfloat (w, ==, 210);
      g_assert_cmpfloat (h, ==, 297);
    }

  setlocale (LC_PAPER, saved);
}

static CsSheetOptions *
a4_options (guint columns,
            guint rows)
{
  CsSheetOptions *options = cs_sheet_options_new ();

  options->paper_width_mm = 210;
  options->paper_height_mm = 297;
  options->columns = columns;
  options->rows = rows;
  return options;
}

static void
test_layout_cells (void)
{
  g_autoptr(CsSheetOptions) options = a4_options (4, 3);
  g_autoptr(CsSheetLayout) layout = NULL;
  g_autoptr(GError) error = NULL;
  double grid_w = A4_W - 24 * MM, grid_h = A4_H - 24 * MM - 17 * MM;
  double cell_w = (grid_w - 3 * 3 * MM) / 4, cell_h = (grid_h - 2 * 3 * MM) / 3;
  CsSheetRect cell, area, caption, band;

  layout = cs_sheet_layout_new (options, 12, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (cs_sheet_layout_get_page_width (layout), 595.2756, 1e-3);
  g_assert_cmpfloat_with_epsilon (cs_sheet_layout_get_page_height (layout), 841.8898, 1e-3);

  for (guint i = 0; i < 12; i++)
    {
      cs_sheet_layout_get_cell (layout, i, &cell);
      g_assert_cmpfloat_with_epsilon (cell.x, 12 * MM + (i % 4) * (cell_w + 3 * MM), 1e-6);
      g_assert_cmpfloat_with_epsilon (cell.y, 22 * MM + (i / 4) * (cell_h + 3 * MM), 1e-6);
      g_assert_cmpfloat_with_epsilon (cell.width, cell_w, 1e-6);
      g_assert_cmpfloat_with_epsilon (cell.height, cell_h, 1e-6);

      /* The picture above the caption, both inside the cell. */
      cs_sheet_layout_get_image_area (layout, i, &area);
      cs_sheet_layout_get_caption_area (layout, i, &caption);
      g_assert_cmpfloat (area.y, ==, cell.y);
      g_assert_cmpfloat (area.y + area.height, <=, caption.y);
      g_assert_cmpfloat_with_epsilon (caption.y + caption.height, cell.y + cell.height, 1e-6);
      g_assert_cmpfloat (caption.height, >=, CS_SHEET_CAPTION_FONT_PT);
    }

  /* The title above the grid, the footer below it. */
  cs_sheet_layout_get_title_area (layout, &band);
  g_assert_cmpfloat_with_epsilon (band.y + band.height, 22 * MM, 1e-6);
  cs_sheet_layout_get_footer_area (layout, &band);
  cs_sheet_layout_get_cell (layout, 11, &cell);
  g_assert_cmpfloat_with_epsilon (band.y, cell.y + cell.height, 1e-6);
  g_assert_cmpfloat_with_epsilon (band.y + band.height, A4_H - 12 * MM, 1e-6);

  /* Landscape turns the paper. */
  options->landscape = TRUE;
  g_clear_pointer (&layout, cs_sheet_layout_free);
  layout = cs_sheet_layout_new (options, 12, &error);
  g_assert_cmpfloat_with_epsilon (cs_sheet_layout_get_page_width (layout), 841.8898, 1e-3);
  g_assert_cmpfloat_with_epsilon (cs_sheet_layout_get_page_height (layout), 595.2756, 1e-3);
}

static void
test_layout_pagination (void)
{
  g_autoptr(CsSheetOptions) options = a4_options (4, 3);
  static const struct { guint items, pages; } cases[] = {
    { 0, 1 }, { 1, 1 }, { 12, 1 }, { 13, 2 }, { 24, 2 }, { 25, 3 }, { 1000, 84 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CsSheetLayout) layout = cs_sheet_layout_new (options, cases[i].items, NULL);
      guint first, total = 0;

      g_assert_cmpuint (cs_sheet_layout_get_n_pages (layout), ==, cases[i].pages);
      for (guint page = 0; page < cases[i].pages; page++)
        {
          guint count = cs_sheet_layout_get_page_items (layout, page, &first);

          g_assert_cmpuint (first, ==, page * 12);
          g_assert_cmpuint (count, <=, 12);
          total += count;
        }
      g_assert_cmpuint (total, ==, cases[i].items);
    }
}

static void
test_layout_fit (void)
{
  g_autoptr(CsSheetOptions) options = a4_options (0, 0);
  g_autoptr(CsSheetLayout) layout = NULL;
  g_autoptr(GError) error = NULL;
  CsSheetRect area = { 10, 20, 100, 100 }, image;

  /* 40 mm cells: four across A4's 186 mm (4 × 40 + 3 × 3 = 169). */
  options->cell_mm = 40;
  layout = cs_sheet_layout_new (options, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cs_sheet_layout_get_columns (layout), ==, 4);
  g_assert_cmpuint (cs_sheet_layout_get_rows (layout), ==, 5);

  cs_sheet_layout_fit_image (layout, &area, 2000, 1000, &image);
  g_assert_cmpfloat (image.x, ==, 10);
  g_assert_cmpfloat (image.width, ==, 100);
  g_assert_cmpfloat (image.height, ==, 50);
  g_assert_cmpfloat (image.y, ==, 45);

  cs_sheet_layout_fit_image (layout, &area, 300, 600, &image);
  g_assert_cmpfloat (image.width, ==, 50);
  g_assert_cmpfloat (image.x, ==, 35);

  options->square = TRUE;
  g_clear_pointer (&layout, cs_sheet_layout_free);
  layout = cs_sheet_layout_new (options, 0, NULL);
  area.height = 80;
  cs_sheet_layout_fit_image (layout, &area, 2000, 1000, &image);
  g_assert_cmpfloat (image.width, ==, 80);
  g_assert_cmpfloat (image.height, ==, 80);
  g_assert_cmpfloat (image.x, ==, 20);

  /* 50 rows leave no room for a picture: a one-line error, no layout. */
  options->columns = 2;
  options->rows = 50;
  g_clear_pointer (&layout, cs_sheet_layout_free);
  layout = cs_sheet_layout_new (options, 10, &error);
  g_assert_null (layout);
  assert_bad_value (error);
}

static CsSheetEntry *
entry_for (const char *name)
{
  g_autoptr(GFile) file = g_file_new_build_filename ("/nowhere", name, NULL);

  return cs_sheet_entry_new (file);
}

static void
test_caption_expand (void)
{
  g_autoptr(CsSheetEntry) entry = entry_for ("beach.jpg");
  g_auto(GStrv) lines = NULL;
  g_autofree char *page = NULL;

  cs_sheet_entry_set_image_size (entry, 4000, 3000);
  cs_sheet_entry_set_file_facts (entry, 2500000, 0);
  cs_sheet_entry_set_exif (entry, "2021:07:14 18:30:05", "1/250 s  ƒ/2.8  ISO 400");

  lines = cs_sheet_caption_expand ("{index}. {name}\\n{dims}, {size}\n{date} {exposure}", entry, 7);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[0], ==, "7. beach.jpg");
  g_assert_cmpstr (lines[1], ==, "4000 × 3000, 2.5\u00a0MB");
  g_assert_cmpstr (lines[2], ==, "2021-07-14 18:30 1/250 s  ƒ/2.8  ISO 400");
  g_clear_pointer (&lines, g_strfreev);

  /* Unknown tokens stay, a fourth line is dropped. */
  lines = cs_sheet_caption_expand ("{nmae} {name\n2\n3\n4", entry, 1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[0], ==, "{nmae} {name");
  g_assert_cmpuint (cs_sheet_caption_count_lines ("a\nb\nc\nd"), ==, 3);
  g_assert_cmpuint (cs_sheet_caption_count_lines ("{name}"), ==, 1);
  g_assert_cmpuint (cs_sheet_caption_count_lines (""), ==, 0);

  page = cs_sheet_page_text_expand ("{folder}: page {page} of {pages}, {date} {x}", 2, 5,
                                    "2026-12-04", "Trip");
  g_assert_cmpstr (page, ==, "Trip: page 2 of 5, 2026-12-04 {x}");
}

static void
test_entry_names_and_dates (void)
{
  g_autoptr(CsSheetEntry) two = entry_for ("img-2.jpg");
  g_autoptr(CsSheetEntry) ten = entry_for ("img-10.jpg");
  g_autoptr(CsSheetEntry) latin1 = entry_for ("caf\xe9.jpg");
  g_autoptr(CsSheetEntry) arabic = entry_for ("صورة.jpg");
  g_autoptr(GDateTime) when = g_date_time_new_local (2020, 2, 29, 13, 45, 0);
  g_autofree char *date = NULL;
  g_autofree char *exif_date = NULL;

  /* Numbers sort by value, as in the window's grid. */
  g_assert_cmpint (strcmp (cs_sheet_entry_get_collate_key (two),
                           cs_sheet_entry_get_collate_key (ten)), <, 0);
  g_assert_true (g_utf8_validate (cs_sheet_entry_get_display_name (latin1), -1, NULL));
  g_assert_cmpstr (cs_sheet_entry_get_display_name (arabic), ==, "صورة.jpg");

  g_assert_null (cs_sheet_entry_dup_date (two));
  cs_sheet_entry_set_file_facts (two, 10, g_date_time_to_unix (when));
  date = cs_sheet_entry_dup_date (two);
  g_assert_cmpstr (date, ==, "2020-02-29 13:45");
  cs_sheet_entry_set_exif (two, "2019:01:02 03:04:05", NULL);
  exif_date = cs_sheet_entry_dup_date (two);
  g_assert_cmpstr (exif_date, ==, "2019-01-02 03:04");
}

static void
test_exif_hostile (void)
{
  /* A big-endian TIFF whose IFD0 points at an Exif IFD past its end, or
   * whose DateTimeOriginal's offset runs off it: nothing is read. */
  static const guint8 past_end[] = {
    'M', 'M', 0, 0x2a, 0, 0, 0, 8,
    0, 1, 0x87, 0x69, 0, 4, 0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0,
  };
  static const guint8 date_off_end[] = {
    'M', 'M', 0, 0x2a, 0, 0, 0, 8,
    0, 1, 0x87, 0x69, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0,
    0, 1, 0x90, 0x03, 0, 2, 0, 0, 0, 20, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0,
  };
  CsExifFacts facts;

  for (gsize len = 0; len <= sizeof past_end; len++)
    g_assert_false (cs_exif_facts_parse (past_end, len, &facts));
  for (gsize len = 0; len <= sizeof date_off_end; len++)
    {
      g_assert_false (cs_exif_facts_parse (date_off_end, len, &facts));
      g_assert_null (facts.date_time_original);
    }
}

/* --- drawing ------------------------------------------------------------- */

typedef struct
{
  cairo_surface_t *surface;
  const guint8    *data;
  int              stride;
} Page;

static void
draw (CsSheetRenderer *renderer,
      guint            page_number,
      Page            *page)
{
  const CsSheetLayout *layout = cs_sheet_renderer_get_layout (renderer);
  g_autoptr(GError) error = NULL;
  cairo_t *cr;

  page->surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                              (int) (cs_sheet_layout_get_page_width (layout) * SCALE),
                                              (int) (cs_sheet_layout_get_page_height (layout) * SCALE));
  cr = cairo_create (page->surface);
  cairo_scale (cr, SCALE, SCALE);
  g_assert_true (cs_sheet_renderer_draw_page (renderer, cr, page_number, NULL, &error));
  g_assert_no_error (error);
  cairo_destroy (cr);
  cairo_surface_flush (page->surface);
  page->data = cairo_image_surface_get_data (page->surface);
  page->stride = cairo_image_surface_get_stride (page->surface);
}

static guint32
pixel_at (const Page *page,
          double      x,
          double      y)
{
  return ((const guint32 *) (page->data + (gsize) (y * SCALE) * page->stride))[(gsize) (x * SCALE)] & 0xffffff;
}

/* Whether anything but white is in the rectangle (in points). */
static gboolean
has_ink (const Page *page,
         double      x,
         double      y,
         double      width,
         double      height)
{
  for (int py = (int) (y * SCALE); py < (int) ((y + height) * SCALE); py++)
    for (int px = (int) (x * SCALE); px < (int) ((x + width) * SCALE); px++)
      if ((((const guint32 *) (page->data + (gsize) py * page->stride))[px] & 0xffffff) != 0xffffff)
        return TRUE;
  return FALSE;
}

static char *
write_thumbnail (const char *dir,
                 guint32     rgba)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, 256, 128);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "thumb.png", NULL);

  gdk_pixbuf_fill (pixbuf, rgba);
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, NULL));
  return path;
}

static void
test_draw_cells_and_placeholders (CsTestDir     *f,
                                  gconstpointer  data)
{
  g_autoptr(CsSheetOptions) options = a4_options (2, 2);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_sheet_entry_unref);
  g_autoptr(CsSheetRenderer) renderer = NULL;
  g_autofree char *thumbnail = write_thumbnail (f->dir, 0x204080ff);
  const CsSheetLayout *layout;
  CsSheetEntry *entry;
  CsSheetRect area;
  Page page;

  entry = entry_for ("good.jpg");
  cs_sheet_entry_set_thumbnail (entry, thumbnail);
  g_ptr_array_add (entries, entry);
  entry = entry_for ("bad.jpg");
  cs_sheet_entry_set_error (entry, "Not an image");
  g_ptr_array_add (entries, entry);
  entry = entry_for ("gone.jpg");
  cs_sheet_entry_set_thumbnail (entry, "/nowhere/thumb.png");
  g_ptr_array_add (entries, entry);

  renderer = cs_sheet_renderer_new (options, entries, "Folder", NULL);
  layout = cs_sheet_renderer_get_layout (renderer);
  draw (renderer, 0, &page);

  /* The thumbnail, 2:1, across its area's middle. */
  cs_sheet_layout_get_image_area (layout, 0, &area);
  g_assert_cmphex (pixel_at (&page, area.x + area.width / 2, area.y + area.height / 2), ==, 0x204080);
  g_assert_false (has_ink (&page, area.x + 2, area.y + 2, area.width - 4, area.height / 5));

  /* A failure, and a thumbnail gone from disk: framed grey placeholders. */
  for (guint i = 1; i <= 2; i++)
    {
      cs_sheet_layout_get_image_area (layout, i, &area);
      guint32 fill = pixel_at (&page, area.x + 3, area.y + area.height - 3);

      g_assert_true (fill != 0xffffff && fill >> 16 == (fill & 0xff) && fill >> 16 > 0xd0);
      g_assert_cmphex (pixel_at (&page, area.x + 0.5, area.y + area.height / 2), !=, 0xffffff);
    }

  /* The empty fourth cell is paper. */
  cs_sheet_layout_get_cell (layout, 3, &area);
  g_assert_false (has_ink (&page, area.x, area.y, area.width, area.height));
  cairo_surface_destroy (page.surface);
}

/* Long names in any script stay in their cell: ellipsized, not spilled
 * into the gap or the next cell. */
static void
test_draw_long_names_any_script (void)
{
  static const char *names[] = {
    "a-very-long-name-of-a-holiday-photograph-taken-at-the-beach-0042.jpg",
    "صورة طويلة جدا من الرحلة الصيفية إلى البحر مع العائلة والأصدقاء.jpg",
    "תמונה ארוכה מאוד מהטיול לים עם המשפחה והחברים בקיץ שעבר.jpg",
    "夏休みに家族と友達と一緒に海へ行った時のとても長い名前の写真です.jpg",
  };
  g_autoptr(CsSheetOptions) options = a4_options (4, 6);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_sheet_entry_unref);
  g_autoptr(CsSheetRenderer) renderer = NULL;
  const CsSheetLayout *layout;
  Page page;

  options->footer = g_strdup ("");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      CsSheetEntry *entry = entry_for (names[i]);

      cs_sheet_entry_set_error (entry, "x");
      g_ptr_array_add (entries, entry);
    }
  renderer = cs_sheet_renderer_new (options, entries, "", NULL);
  layout = cs_sheet_renderer_get_layout (renderer);
  draw (renderer, 0, &page);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      CsSheetRect cell, caption;

      cs_sheet_layout_get_cell (layout, i, &cell);
      cs_sheet_layout_get_caption_area (layout, i, &caption);
      g_assert_true (has_ink (&page, caption.x, caption.y, caption.width, caption.height));
      /* The gap right of the cell, and the one below it: one line, cut. */
      g_assert_false (has_ink (&page, cell.x + cell.width + 0.5, caption.y, 3 * MM - 1, caption.height));
      g_assert_false (has_ink (&page, cell.x, cell.y + cell.height + 0.5, cell.width, 3 * MM - 1));
    }
  cairo_surface_destroy (page.surface);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sheet/options/paper", test_parse_paper);
  g_test_add_func ("/sheet/options/grid-and-dpi", test_parse_grid_and_dpi);
  g_test_add_func ("/sheet/options/paper-from-locale", test_paper_from_locale);
  g_test_add_func ("/sheet/layout/cells", test_layout_cells);
  g_test_add_func ("/sheet/layout/pagination", test_layout_pagination);
  g_test_add_func ("/sheet/layout/fit", test_layout_fit);
  g_test_add_func ("/sheet/caption/expand", test_caption_expand);
  g_test_add_func ("/sheet/entry/names-and-dates", test_entry_names_and_dates);
  g_test_add_func ("/sheet/exif/hostile", test_exif_hostile);
  g_test_add ("/sheet/draw/cells-and-placeholders", CsTestDir, NULL,
              cs_test_dir_setup, test_draw_cells_and_placeholders, cs_test_dir_teardown);
  g_test_add_func ("/sheet/draw/long-names-any-script", test_draw_long_names_any_script);

  return g_test_run ();
}
