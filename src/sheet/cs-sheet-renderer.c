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

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <math.h>
#include <unistd.h>
#include <pango/pangocairo.h>

#include "cs-decode.h"
#include "cs-encode.h"
#include "cs-sheet-caption.h"

#define FONT_FAMILY "Sans"
#define JPEG_QUALITY 90
/* Thumbnails are at most 1024 px a side (xx-large): anything far larger in
 * the cache is not one of ours. */
#define MAX_THUMBNAIL_PIXELS (G_GUINT64_CONSTANT (4096) * 4096)

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

static cairo_surface_t *
surface_from_pixbuf (GdkPixbuf *pixbuf)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  int src_stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *src = gdk_pixbuf_read_pixels (pixbuf);
  gboolean alpha = gdk_pixbuf_get_has_alpha (pixbuf);
  cairo_surface_t *surface;
  guint8 *dst;
  int dst_stride;

  surface = cairo_image_surface_create (alpha ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24,
                                        width, height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    return surface;

  cairo_surface_flush (surface);
  dst = cairo_image_surface_get_data (surface);
  dst_stride = cairo_image_surface_get_stride (surface);

  for (int y = 0; y < height; y++)
    {
      const guint8 *s = src + (gsize) y * src_stride;
      guint32 *d = (guint32 *) (dst + (gsize) y * dst_stride);

      for (int x = 0; x < width; x++, s += channels)
        {
          guint a = alpha ? s[3] : 0xff;
          /* Cairo wants premultiplied alpha. */
          guint r = (s[0] * a + 127) / 255;
          guint g = (s[1] * a + 127) / 255;
          guint b = (s[2] * a + 127) / 255;

          d[x] = a << 24 | r << 16 | g << 8 | b;
        }
    }
  cairo_surface_mark_dirty (surface);

  return surface;
}

/* The thumbnail at @path, no larger than @max_side, read by the engine's
 * own decoders in this process: a cached thumbnail is a PNG that libpng
 * reads in a fraction of a millisecond, where GdkPixbuf 2.44 would start a
 * glycin process for each one. */
static GdkPixbuf *
read_thumbnail (const char    *path,
                guint          max_side,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *mime_type = NULL;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  int width, height;
  GdkPixbuf *pixbuf;

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s", g_strerror (saved_errno));
      return NULL;
    }
  pixbuf = cs_decode_fd (fd, "image/png", MAX (1, max_side), MAX_THUMBNAIL_PIXELS,
                         &mime_type, &width, &height, cancellable, error);
  close (fd);

  return pixbuf;
}

/* @pixbuf scaled (never up) to fill @pixels_w × @pixels_h; for a square
 * crop, its middle. */
static GdkPixbuf *
fit_thumbnail (GdkPixbuf *thumbnail,
               int        pixels_w,
               int        pixels_h,
               gboolean   square)
{
  g_autoptr(GdkPixbuf) pixbuf = g_object_ref (thumbnail);
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  double scale;

  if (square)
    {
      int side = MIN (width, height);
      g_autoptr(GdkPixbuf) middle = gdk_pixbuf_new_subpixbuf (pixbuf, (width - side) / 2,
                                                              (height - side) / 2, side, side);

      g_set_object (&pixbuf, middle);
      width = height = side;
    }

  scale = MIN ((double) pixels_w / width, (double) pixels_h / height);
  if (scale >= 1.0)
    return g_steal_pointer (&pixbuf);

  return gdk_pixbuf_scale_simple (pixbuf, MAX (1, (int) round (width * scale)),
                                  MAX (1, (int) round (height * scale)), GDK_INTERP_BILINEAR);
}

static void
draw_pixbuf (cairo_t           *cr,
             GdkPixbuf         *pixbuf,
             const CsSheetRect *rect)
{
  cairo_surface_t *surface = surface_from_pixbuf (pixbuf);

  /* A PDF embeds what it is given as JPEG as it is: a tenth of the size of
   * the raw pixels cairo would otherwise deflate, and most of the time it
   * spends. Transparency is laid on white, which is what the paper shows. */
  if (cairo_surface_get_type (cairo_get_target (cr)) == CAIRO_SURFACE_TYPE_PDF)
    {
      GBytes *jpeg = cs_encode_jpeg (pixbuf, JPEG_QUALITY, NULL);

      if (jpeg != NULL)
        cairo_surface_set_mime_data (surface, CAIRO_MIME_TYPE_JPEG,
                                     g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg),
                                     (cairo_destroy_func_t) g_bytes_unref, jpeg);
    }

  cairo_save (cr);
  cairo_rectangle (cr, rect->x, rect->y, rect->width, rect->height);
  cairo_clip (cr);
  cairo_translate (cr, rect->x, rect->y);
  cairo_scale (cr, rect->width / gdk_pixbuf_get_width (pixbuf),
               rect->height / gdk_pixbuf_get_height (pixbuf));
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_restore (cr);
  cairo_surface_destroy (surface);
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
           PangoLayout     *caption_text,
           guint            item)
{
  CsSheetEntry *entry = g_ptr_array_index (self->entries, item);
  g_autofree char *link = link_attributes (cs_sheet_entry_get_file (entry));
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  const char *reason = cs_sheet_entry_get_error (entry);
  const char *thumbnail = cs_sheet_entry_get_thumbnail_path (entry);
  CsSheetRect area, image, caption;

  cs_sheet_layout_get_image_area (self->layout, item, &area);
  cs_sheet_layout_get_caption_area (self->layout, item, &caption);

  cairo_tag_begin (cr, CAIRO_TAG_LINK, link);

  if (reason == NULL && thumbnail == NULL)
    reason = _("No thumbnail");
  if (reason == NULL)
    {
      double dpi = self->options->dpi;
      g_autoptr(GdkPixbuf) thumbnail_pixbuf =
        read_thumbnail (thumbnail, (guint) ceil (MAX (area.width, area.height) * dpi / 72.0),
                        NULL, &error);

      /* The thumbnail's own shape is the picture's (orientation applied). */
      if (thumbnail_pixbuf != NULL)
        {
          cs_sheet_layout_fit_image (self->layout, &area, gdk_pixbuf_get_width (thumbnail_pixbuf),
                                     gdk_pixbuf_get_height (thumbnail_pixbuf), &image);
          pixbuf = fit_thumbnail (thumbnail_pixbuf, (int) ceil (image.width * dpi / 72.0),
                                  (int) ceil (image.height * dpi / 72.0), self->options->square);
          draw_pixbuf (cr, pixbuf, &image);
        }
      else
        reason = error->message;
    }
  if (pixbuf == NULL)
    draw_placeholder (cr, &area, cs_sheet_entry_get_display_name (entry), reason);

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
  for (guint i = first; i < first + count; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          cairo_restore (cr);
          return FALSE;
        }
      draw_cell (self, cr, caption_text, i);
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
