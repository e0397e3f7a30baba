/* cs-sheet-renderer.c: a contact sheet's pages drawn onto any cairo_t
 *
 * A page is drawn in points, so the same code fills a PDF page, a PNG at
 * any resolution (the caller scales), a print context and a preview. Each
 * thumbnail is read from disk when its page is drawn and dropped after:
 * memory stays flat in the number of pictures. Thumbnails are scaled to
 * the cell's size at the sheet's resolution before they are drawn, so a
 * PDF embeds pixels at that size, never more.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-sheet"

#include "config.h"

#include "cs-sheet-renderer.h"

#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "cs-sheet-caption.h"
#include "cs-sheet-pictures.h"

#define FONT_FAMILY "Sans"

struct _CsSheetRenderer
{
  GObject         parent_instance;

  CsSheetOptions *options;
  CsSheetLayout  *layout;
  GPtrArray      *entries;   /* CsSheetEntry */
  char           *folder;
  char           *title;
  char           *date;
};

G_DEFINE_FINAL_TYPE (CsSheetRenderer, cs_sheet_renderer, G_TYPE_OBJECT)

static void
cs_sheet_renderer_finalize (GObject *object)
{
  CsSheetRenderer *self = CS_SHEET_RENDERER (object);

  cs_sheet_options_free (self->options);
  cs_sheet_layout_free (self->layout);
  g_ptr_array_unref (self->entries);
  g_free (self->folder);
  g_free (self->title);
  g_free (self->date);

  G_OBJECT_CLASS (cs_sheet_renderer_parent_class)->finalize (object);
}

static void
cs_sheet_renderer_class_init (CsSheetRendererClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cs_sheet_renderer_finalize;
}

static void
cs_sheet_renderer_init (CsSheetRenderer *self)
{
}

/**
 * cs_sheet_renderer_new:
 * @options: the sheet's look; copied
 * @entries: (element-type CsSheetEntry): the pictures in sheet order; kept
 *   (not copied), so it must not change while the renderer draws
 * @folder_name: (nullable): for the default title and {folder}
 *
 * Returns: (transfer full): the renderer, or NULL when the options leave
 * no room for pictures.
 */
CsSheetRenderer *
cs_sheet_renderer_new (const CsSheetOptions  *options,
                       GPtrArray             *entries,
                       const char            *folder_name,
                       GError               **error)
{
  g_autoptr(CsSheetRenderer) self = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  CsSheetLayout *layout;

  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (entries != NULL, NULL);

  layout = cs_sheet_layout_new (options, entries->len, error);
  if (layout == NULL)
    return NULL;

  self = g_object_new (CS_TYPE_SHEET_RENDERER, NULL);
  self->options = cs_sheet_options_copy (options);
  self->layout = layout;
  self->entries = g_ptr_array_ref (entries);
  self->folder = g_strdup (folder_name != NULL ? folder_name : "");
  self->title = g_strdup (options->title != NULL ? options->title : self->folder);
  self->date = g_date_time_format (now, "%Y-%m-%d");

  return g_steal_pointer (&self);
}

const CsSheetOptions *
cs_sheet_renderer_get_options (CsSheetRenderer *self)
{
  return self->options;
}

const CsSheetLayout *
cs_sheet_renderer_get_layout (CsSheetRenderer *self)
{
  return self->layout;
}

guint
cs_sheet_renderer_get_n_pages (CsSheetRenderer *self)
{
  return cs_sheet_layout_get_n_pages (self->layout);
}

/* The title as the first page shows it: a PDF's metadata title. */
char *
cs_sheet_renderer_dup_title (CsSheetRenderer *self)
{
  return cs_sheet_page_text_expand (self->title, 1, cs_sheet_renderer_get_n_pages (self),
                                    self->date, self->folder);
}

/* The date {date} stands for in titles and footers (today by default). */
void
cs_sheet_renderer_set_date (CsSheetRenderer *self,
                            const char      *date)
{
  g_free (self->date);
  self->date = g_strdup (date);
}

/* --- text ---------------------------------------------------------------- */

static PangoLayout *
make_text (cairo_t    *cr,
           double      size_pt,
           gboolean    bold)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (FONT_FAMILY);
  cairo_font_options_t *font_options = cairo_font_options_create ();

  /* The same metrics at every scale: a PNG page and the PDF break and
   * ellipsize their lines at the same places. */
  cairo_font_options_set_hint_metrics (font_options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (font_options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (pango_layout_get_context (layout), font_options);
  pango_layout_context_changed (layout);
  cairo_font_options_destroy (font_options);

  pango_font_description_set_absolute_size (font, size_pt * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);

  return layout;
}

/* One line of text in @width, ellipsized in the middle so that the end of
 * a name (its extension, a counter) stays visible; Pango picks the
 * direction from the text, so Arabic and Hebrew names read right to left. */
static void
draw_line (cairo_t          *cr,
           PangoLayout      *layout,
           const char       *text,
           double            x,
           double            y,
           double            width,
           PangoAlignment    alignment)
{
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_MIDDLE);
  pango_layout_set_alignment (layout, alignment);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

/* --- pictures ------------------------------------------------------------ */

static void
draw_picture (cairo_t              *cr,
              const CsSheetPicture *picture)
{
  const CsSheetRect *rect = &picture->image;

  cairo_save (cr);
  cairo_rectangle (cr, rect->x, rect->y, rect->width, rect->height);
  cairo_clip (cr);
  cairo_translate (cr, rect->x, rect->y);
  cairo_scale (cr, rect->width / cairo_image_surface_get_width (picture->surface),
               rect->height / cairo_image_surface_get_height (picture->surface));
  cairo_set_source_surface (cr, picture->surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_restore (cr);
}

/* A cell for a picture that has no thumbnail: a framed box with its name
 * and why, so the sheet accounts for every file. */
static void
draw_placeholder (cairo_t           *cr,
                  const CsSheetRect *area,
                  const char        *name,
                  const char        *reason)
{
  g_autoptr(PangoLayout) bold = make_text (cr, CS_SHEET_CAPTION_FONT_PT, TRUE);
  g_autoptr(PangoLayout) text = make_text (cr, CS_SHEET_CAPTION_FONT_PT, FALSE);
  double pad = 4, inner = area->width - 2 * pad;
  int name_height;

  cairo_save (cr);
  cairo_rectangle (cr, area->x + 0.5, area->y + 0.5, area->width - 1, area->height - 1);
  cairo_set_source_rgb (cr, 0.93, 0.93, 0.93);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0.6, 0.6, 0.6);
  cairo_set_line_width (cr, 0.75);
  cairo_stroke (cr);

  cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
  draw_line (cr, bold, name, area->x + pad, area->y + pad, inner, PANGO_ALIGN_CENTER);
  pango_layout_get_pixel_size (bold, NULL, &name_height);

  pango_layout_set_text (text, reason, -1);
  pango_layout_set_width (text, (int) (inner * PANGO_SCALE));
  pango_layout_set_height (text, (int) ((area->height - 3 * pad - name_height) * PANGO_SCALE));
  pango_layout_set_wrap (text, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_ellipsize (text, PANGO_ELLIPSIZE_END);
  pango_layout_set_alignment (text, PANGO_ALIGN_CENTER);
  cairo_move_to (cr, area->x + pad, area->y + 2 * pad + name_height);
  pango_cairo_show_layout (cr, text);
  cairo_restore (cr);
}

/* The link attribute for @file, quoted for cairo's attribute parser. */
static char *
link_attributes (GFile *file)
{
  g_autofree char *uri = g_file_get_uri (file);
  GString *text = g_string_new ("uri='");

  for (const char *p = uri; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (text, '\\');
      g_string_append_c (text, *p);
    }
  g_string_append_c (text, '\'');

  return g_string_free (text, FALSE);
}

static void
draw_cell (CsSheetRenderer *self,
           cairo_t         *cr,
           CsSheetPictures *pictures,
           PangoLayout     *caption_text,
           guint            item)
{
  CsSheetEntry *entry = g_ptr_array_index (self->entries, item);
  g_autofree char *link = link_attributes (cs_sheet_entry_get_file (entry));
  g_autoptr(CsSheetPicture) picture = NULL;
  g_auto(GStrv) lines = NULL;
  CsSheetRect caption;

  if (pictures != NULL)
    picture = cs_sheet_pictures_take (pictures, item);
  else
    picture = cs_sheet_picture_new (self->layout, entry, item, self->options->dpi, self->options->square,
                                    cairo_surface_get_type (cairo_get_target (cr)) == CAIRO_SURFACE_TYPE_PDF);

  cairo_tag_begin (cr, CAIRO_TAG_LINK, link);

  if (picture->surface != NULL && cairo_surface_status (picture->surface) == CAIRO_STATUS_SUCCESS)
    draw_picture (cr, picture);
  else
    draw_placeholder (cr, &picture->image, cs_sheet_entry_get_display_name (entry),
                      picture->error != NULL ? picture->error : _("Out of memory"));

  cs_sheet_layout_get_caption_area (self->layout, item, &caption);
  lines = cs_sheet_caption_expand (self->options->caption, entry, item + 1);
  cairo_set_source_rgb (cr, 0, 0, 0);
  for (guint i = 0; lines[i] != NULL; i++)
    draw_line (cr, caption_text, lines[i], caption.x,
               caption.y + i * caption.height / cs_sheet_layout_get_caption_lines (self->layout),
               caption.width, PANGO_ALIGN_CENTER);

  cairo_tag_end (cr, CAIRO_TAG_LINK);
}

/* --- pages --------------------------------------------------------------- */

/**
 * cs_sheet_renderer_new_pictures:
 * @for_pdf: whether the pages go into a PDF (the pictures then carry
 *   their JPEG)
 *
 * Worker threads that make the pictures of the pages ahead, for drawing
 * every page in turn with cs_sheet_renderer_draw_page_ahead(), as a file
 * is written. The caller's own: the renderer stays as it was, for a
 * preview drawn meanwhile.
 *
 * Returns: (transfer full): free with cs_sheet_pictures_free() before
 *   the renderer goes
 */
CsSheetPictures *
cs_sheet_renderer_new_pictures (CsSheetRenderer *self,
                                gboolean         for_pdf)
{
  g_return_val_if_fail (CS_IS_SHEET_RENDERER (self), NULL);

  return cs_sheet_pictures_new (self->layout, self->entries, self->options->dpi,
                                self->options->square, for_pdf);
}

/**
 * cs_sheet_renderer_draw_page:
 * @page: from 0
 *
 * Draws @page in points, from (0, 0) to the layout's page size, on a white
 * background. Thumbnails are read from disk here: call it off the UI
 * thread for big sheets. Returns FALSE only when cancelled.
 */
gboolean
cs_sheet_renderer_draw_page (CsSheetRenderer  *self,
                             cairo_t          *cr,
                             guint             page,
                             GCancellable     *cancellable,
                             GError          **error)
{
  return cs_sheet_renderer_draw_page_ahead (self, cr, page, NULL, cancellable, error);
}

/**
 * cs_sheet_renderer_draw_page_ahead:
 * @pictures: (nullable): from cs_sheet_renderer_new_pictures(): this
 *   page's pictures are taken from it, and the next page's made meanwhile
 *
 * What cs_sheet_renderer_draw_page() does, for drawing the pages in turn.
 */
gboolean
cs_sheet_renderer_draw_page_ahead (CsSheetRenderer  *self,
                                   cairo_t          *cr,
                                   guint             page,
                                   CsSheetPictures  *pictures,
                                   GCancellable     *cancellable,
                                   GError          **error)
{
  g_autoptr(PangoLayout) caption_text = NULL;
  guint n_pages = cs_sheet_layout_get_n_pages (self->layout);
  guint first, count;
  CsSheetRect band;

  g_return_val_if_fail (CS_IS_SHEET_RENDERER (self), FALSE);
  g_return_val_if_fail (cr != NULL, FALSE);
  g_return_val_if_fail (page < n_pages, FALSE);

  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 0, 0, cs_sheet_layout_get_page_width (self->layout),
                   cs_sheet_layout_get_page_height (self->layout));
  cairo_fill (cr);

  caption_text = make_text (cr, CS_SHEET_CAPTION_FONT_PT, FALSE);
  count = cs_sheet_layout_get_page_items (self->layout, page, &first);
  if (pictures != NULL)
    {
      guint next_first, next_count = 0;

      if (page + 1 < n_pages)
        next_count = cs_sheet_layout_get_page_items (self->layout, page + 1, &next_first);
      cs_sheet_pictures_request (pictures, first, count);
      if (next_count > 0)
        cs_sheet_pictures_request (pictures, next_first, next_count);
    }
  for (guint i = first; i < first + count; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          cairo_restore (cr);
          return FALSE;
        }
      draw_cell (self, cr, pictures, caption_text, i);
    }

  cairo_set_source_rgb (cr, 0, 0, 0);
  cs_sheet_layout_get_title_area (self->layout, &band);
  if (band.height > 0)
    {
      g_autoptr(PangoLayout) layout = make_text (cr, CS_SHEET_TITLE_FONT_PT, TRUE);
      g_autofree char *text = cs_sheet_page_text_expand (self->title, page + 1, n_pages,
                                                         self->date, self->folder);

      draw_line (cr, layout, text, band.x, band.y, band.width, PANGO_ALIGN_LEFT);
    }

  cs_sheet_layout_get_footer_area (self->layout, &band);
  if (band.height > 0)
    {
      g_autoptr(PangoLayout) layout = make_text (cr, CS_SHEET_FOOTER_FONT_PT, FALSE);
      g_autofree char *text = cs_sheet_page_text_expand (cs_sheet_options_get_footer (self->options),
                                                         page + 1, n_pages, self->date, self->folder);
      int height;

      pango_layout_set_text (layout, text, -1);
      pango_layout_get_pixel_size (layout, NULL, &height);
      cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
      draw_line (cr, layout, text, band.x, band.y + band.height - height, band.width,
                 PANGO_ALIGN_CENTER);
    }

  cairo_restore (cr);
  return TRUE;
}

/**
 * cs_sheet_renderer_draw_page_at_size:
 *
 * Draws @page scaled to fit @width × @height (in @cr's units), centred: a
 * preview widget's allocation, or a print context's page.
 */
gboolean
cs_sheet_renderer_draw_page_at_size (CsSheetRenderer  *self,
                                     cairo_t          *cr,
                                     guint             page,
                                     double            width,
                                     double            height,
                                     GCancellable     *cancellable,
                                     GError          **error)
{
  double page_width = cs_sheet_layout_get_page_width (self->layout);
  double page_height = cs_sheet_layout_get_page_height (self->layout);
  double scale = MIN (width / page_width, height / page_height);
  gboolean drawn;

  cairo_save (cr);
  cairo_translate (cr, (width - page_width * scale) / 2, (height - page_height * scale) / 2);
  cairo_scale (cr, scale, scale);
  drawn = cs_sheet_renderer_draw_page (self, cr, page, cancellable, error);
  cairo_restore (cr);

  return drawn;
}
