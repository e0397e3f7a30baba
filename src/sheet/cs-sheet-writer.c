/* cs-sheet-writer.c: a contact sheet into a PDF, or PNG or JPEG pages
 *
 * Every file is written under a hidden temporary name in its own folder and
 * renamed when all of them are complete: an error or Ctrl+C leaves the old
 * sheet (or none), never half of one. Pages are drawn one at a time and
 * streamed out; a PDF page's thumbnails are gone once it is shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-sheet"

#include "config.h"

#include "cs-sheet-writer.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <cairo-pdf.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#define JPEG_QUALITY "90"

gboolean
cs_sheet_format_from_path (const char     *path,
                           CsSheetFormat  *format,
                           GError        **error)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (g_str_has_suffix (lower, ".pdf"))
    *format = CS_SHEET_FORMAT_PDF;
  else if (g_str_has_suffix (lower, ".png"))
    *format = CS_SHEET_FORMAT_PNG;
  else if (g_str_has_suffix (lower, ".jpg") || g_str_has_suffix (lower, ".jpeg"))
    *format = CS_SHEET_FORMAT_JPEG;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Invalid sheet “%s”: the name must end in .pdf, .png or .jpg"), path);
      return FALSE;
    }

  return TRUE;
}

/* The files a sheet of @n_pages becomes: @path itself for a PDF or a single
 * page, else NAME-1.png, NAME-2.png, ... */
char **
cs_sheet_writer_page_paths (const char    *path,
                            CsSheetFormat  format,
                            guint          n_pages)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  const char *dot = strrchr (path, '.');
  const char *slash = strrchr (path, '/');
  char **paths;

  if (format == CS_SHEET_FORMAT_PDF || n_pages <= 1)
    g_strv_builder_add (builder, path);
  else
    {
      if (dot == NULL || (slash != NULL && dot < slash))
        dot = path + strlen (path);
      for (guint i = 1; i <= n_pages; i++)
        {
          g_autofree char *page = g_strdup_printf ("%.*s-%u%s", (int) (dot - path), path, i, dot);

          g_strv_builder_add (builder, page);
        }
    }

  paths = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return paths;
}

typedef struct
{
  int     fd;
  GError *error;
} Sink;

static cairo_status_t
sink_write (void                *closure,
            const unsigned char *data,
            unsigned int         length)
{
  Sink *sink = closure;

  while (length > 0 && sink->error == NULL)
    {
      ssize_t n = write (sink->fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (&sink->error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "%s", g_strerror (saved_errno));
          break;
        }
      data += n;
      length -= n;
    }

  return sink->error == NULL ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static gboolean
sink_write_pixbuf (const char  *buffer,
                   gsize        count,
                   GError     **error,
                   gpointer     user_data)
{
  Sink *sink = user_data;

  if (sink_write (sink, (const unsigned char *) buffer, count) == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_propagate_error (error, g_error_copy (sink->error));
  return FALSE;
}

/* A temporary file beside @path, to be renamed onto it. */
/* Every temporary file a write in progress holds, in this process: what
 * cs_sheet_writer_abandon() removes. */
static GMutex temporaries_lock;
static GPtrArray *live_temporaries;

static void
hold_temporary (const char *temporary)
{
  g_mutex_lock (&temporaries_lock);
  if (live_temporaries == NULL)
    live_temporaries = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (live_temporaries, g_strdup (temporary));
  g_mutex_unlock (&temporaries_lock);
}

static void
let_go_temporary (const char *temporary)
{
  g_mutex_lock (&temporaries_lock);
  for (guint i = 0; live_temporaries != NULL && i < live_temporaries->len; i++)
    if (g_str_equal (g_ptr_array_index (live_temporaries, i), temporary))
      {
        g_ptr_array_remove_index_fast (live_temporaries, i);
        break;
      }
  g_mutex_unlock (&temporaries_lock);
}

/**
 * cs_sheet_writer_abandon:
 *
 * Removes the temporary files of every write in progress, for a program
 * about to exit without waiting for them (a second Ctrl+C): a sheet is
 * whole or not there, and no hidden part of one is left behind either.
 */
void
cs_sheet_writer_abandon (void)
{
  g_mutex_lock (&temporaries_lock);
  for (guint i = 0; live_temporaries != NULL && i < live_temporaries->len; i++)
    g_unlink (g_ptr_array_index (live_temporaries, i));
  g_clear_pointer (&live_temporaries, g_ptr_array_unref);
  g_mutex_unlock (&temporaries_lock);
}

static int
open_temporary (const char  *path,
                char       **temporary,
                GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *template = g_strdup_printf (".%s.XXXXXX", base);
  g_autofree char *full = g_build_filename (dir, template, NULL);
  int fd = g_mkstemp_full (full, O_WRONLY | O_CLOEXEC, 0666 & ~0022);

  if (fd < 0)
    {
      int saved_errno = errno;
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot write %s: %s"), display, g_strerror (saved_errno));
      return -1;
    }

  hold_temporary (full);
  *temporary = g_steal_pointer (&full);
  return fd;
}

static gboolean
finish_sink (Sink        *sink,
             const char  *path,
             GError     **error)
{
  int result = close (sink->fd);

  sink->fd = -1;
  if (sink->error == NULL && result != 0)
    g_set_error (&sink->error, G_IO_ERROR, g_io_error_from_errno (errno), "%s", g_strerror (errno));
  if (sink->error != NULL)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, sink->error->domain, sink->error->code,
                   _("Cannot write %s: %s"), display, sink->error->message);
      g_clear_error (&sink->error);
      return FALSE;
    }

  return TRUE;
}

static gboolean
write_pdf (CsSheetRenderer  *renderer,
           CsSheetPictures  *pictures,
           const char       *path,
           const char       *temporary,
           int               fd,
           GCancellable     *cancellable,
           GError          **error)
{
  const CsSheetLayout *layout = cs_sheet_renderer_get_layout (renderer);
  g_autofree char *title = cs_sheet_renderer_dup_title (renderer);
  Sink sink = { fd, NULL };
  cairo_surface_t *surface;
  cairo_t *cr;
  gboolean ok = TRUE;

  surface = cairo_pdf_surface_create_for_stream (sink_write, &sink,
                                                 cs_sheet_layout_get_page_width (layout),
                                                 cs_sheet_layout_get_page_height (layout));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Contact Sheet " PACKAGE_VERSION);
  cr = cairo_create (surface);

  for (guint page = 0; ok && page < cs_sheet_layout_get_n_pages (layout); page++)
    {
      ok = cs_sheet_renderer_draw_page_ahead (renderer, cr, page, pictures, cancellable, error);
      if (ok)
        cairo_show_page (cr);
      if (sink.error != NULL)
        ok = FALSE;
    }

  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (ok && sink.error == NULL && cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    g_set_error (&sink.error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                 cairo_status_to_string (cairo_surface_status (surface)));
  cairo_surface_destroy (surface);

  if (!ok && sink.error == NULL)
    {
      close (sink.fd);
      return FALSE;
    }

  return finish_sink (&sink, path, error);
}

static GdkPixbuf *
pixbuf_from_surface (cairo_surface_t *surface)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data = cairo_image_surface_get_data (surface);
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  int dst_stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *dst = gdk_pixbuf_get_pixels (pixbuf);

  cairo_surface_flush (surface);
  for (int y = 0; y < height; y++)
    {
      const guint32 *s = (const guint32 *) (data + (gsize) y * stride);
      guint8 *d = dst + (gsize) y * dst_stride;

      for (int x = 0; x < width; x++, d += 3)
        {
          d[0] = s[x] >> 16 & 0xff;
          d[1] = s[x] >> 8 & 0xff;
          d[2] = s[x] & 0xff;
        }
    }

  return pixbuf;
}

static gboolean
write_raster_page (CsSheetRenderer  *renderer,
                   CsSheetPictures  *pictures,
                   guint             page,
                   CsSheetFormat     format,
                   const char       *path,
                   int               fd,
                   GCancellable     *cancellable,
                   GError          **error)
{
  const CsSheetLayout *layout = cs_sheet_renderer_get_layout (renderer);
  double scale = cs_sheet_renderer_get_options (renderer)->dpi / 72.0;
  Sink sink = { fd, NULL };
  cairo_surface_t *surface;
  cairo_t *cr;
  gboolean ok;

  /* Opaque: a sheet is paper. */
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                        (int) ceil (cs_sheet_layout_get_page_width (layout) * scale),
                                        (int) ceil (cs_sheet_layout_get_page_height (layout) * scale));
  cr = cairo_create (surface);
  cairo_scale (cr, scale, scale);
  ok = cs_sheet_renderer_draw_page_ahead (renderer, cr, page, pictures, cancellable, error);
  cairo_destroy (cr);

  if (ok && format == CS_SHEET_FORMAT_PNG)
    cairo_surface_write_to_png_stream (surface, sink_write, &sink);
  else if (ok)
    {
      g_autoptr(GdkPixbuf) pixbuf = pixbuf_from_surface (surface);

      gdk_pixbuf_save_to_callback (pixbuf, sink_write_pixbuf, &sink, "jpeg", NULL,
                                   "quality", JPEG_QUALITY, NULL);
    }
  cairo_surface_destroy (surface);

  if (!ok)
    {
      close (sink.fd);
      return FALSE;
    }

  return finish_sink (&sink, path, error);
}

static void
remove_all (GPtrArray *temporaries)
{
  for (guint i = 0; i < temporaries->len; i++)
    {
      g_unlink (g_ptr_array_index (temporaries, i));
      let_go_temporary (g_ptr_array_index (temporaries, i));
    }
}

/**
 * cs_sheet_writer_write:
 * @path: the sheet's file; more than one raster page get numbered names
 *
 * Writes every page of @renderer. Blocking: see cs_sheet_writer_write_async().
 *
 * Returns: (transfer full): the files written, or NULL with @error set
 * (G_IO_ERROR_CANCELLED when cancelled); then nothing was written.
 */
char **
cs_sheet_writer_write (CsSheetRenderer  *renderer,
                       const char       *path,
                       CsSheetFormat     format,
                       GCancellable     *cancellable,
                       GError          **error)
{
  guint n_pages = cs_sheet_renderer_get_n_pages (renderer);
  g_auto(GStrv) paths = cs_sheet_writer_page_paths (path, format, n_pages);
  g_autoptr(GPtrArray) temporaries = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CsSheetPictures) pictures = NULL;

  g_return_val_if_fail (CS_IS_SHEET_RENDERER (renderer), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  /* The pages are drawn in turn, their pictures made a page ahead. */
  pictures = cs_sheet_renderer_new_pictures (renderer, format == CS_SHEET_FORMAT_PDF);

  for (guint i = 0; paths[i] != NULL; i++)
    {
      char *temporary = NULL;
      int fd = open_temporary (paths[i], &temporary, error);
      gboolean ok;

      if (fd < 0)
        {
          remove_all (temporaries);
          return NULL;
        }
      g_ptr_array_add (temporaries, temporary);

      if (format == CS_SHEET_FORMAT_PDF)
        ok = write_pdf (renderer, pictures, paths[i], temporary, fd, cancellable, error);
      else
        ok = write_raster_page (renderer, pictures, i, format, paths[i], fd, cancellable, error);

      if (!ok)
        {
          remove_all (temporaries);
          return NULL;
        }
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      remove_all (temporaries);
      return NULL;
    }

  for (guint i = 0; paths[i] != NULL; i++)
    {
      if (g_rename (g_ptr_array_index (temporaries, i), paths[i]) != 0)
        {
          int saved_errno = errno;
          g_autofree char *display = g_filename_display_name (paths[i]);

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot write %s: %s"), display, g_strerror (saved_errno));
          remove_all (temporaries);
          return NULL;
        }
      let_go_temporary (g_ptr_array_index (temporaries, i));
    }

  return g_steal_pointer (&paths);
}

typedef struct
{
  char          *path;
  CsSheetFormat  format;
} WriteData;

static void
write_data_free (WriteData *data)
{
  g_free (data->path);
  g_free (data);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WriteData *data = task_data;
  GError *error = NULL;
  char **paths = cs_sheet_writer_write (CS_SHEET_RENDERER (source_object), data->path,
                                        data->format, cancellable, &error);

  if (paths == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, paths, (GDestroyNotify) g_strfreev);
}

/**
 * cs_sheet_writer_write_async:
 *
 * Writes the sheet in a worker thread; @renderer must not be drawn from
 * elsewhere meanwhile.
 */
void
cs_sheet_writer_write_async (CsSheetRenderer     *renderer,
                             const char          *path,
                             CsSheetFormat        format,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (renderer, cancellable, callback, user_data);
  WriteData *data = g_new0 (WriteData, 1);

  data->path = g_strdup (path);
  data->format = format;
  g_task_set_source_tag (task, cs_sheet_writer_write_async);
  g_task_set_task_data (task, data, (GDestroyNotify) write_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, write_thread);
}

char **
cs_sheet_writer_write_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_sheet_writer_write_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
