/* cs-sheet-print.c: a contact sheet through the print dialog
 *
 * From GTK 4.14, GtkPrintDialog (the print portal, else GTK's own dialog):
 * the sheet is written as a PDF, by the writer that exports it, into a
 * private temporary folder, in a thread; the dialog, which starts on the
 * sheet's paper and orientation, prints that file, so "Print to File"
 * gives the exported PDF's pages. The folder goes once the job is handed
 * over, or the dialog dismissed.
 *
 * Before, GtkPrintOperation, which GTK 4.8 has: its dialog gives the
 * printers, "Print to File" and the preview; each page is the renderer's,
 * scaled to the page the dialog settles on, which starts as the sheet's
 * own paper and orientation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-sheet-print"

#include "config.h"

#include "cs-sheet-print.h"

#include <glib/gstdio.h>

#include "cs-sheet-writer.h"
#include "cs-trace.h"

/* Once: GtkPrintOperation emits "done" for a job that went on in the
 * background, and for some that ended inside gtk_print_operation_run()
 * too. */
static void
complete (GTask                   *task,
          GtkPrintOperationResult  result,
          GError                  *error)
{
  if (g_object_get_data (G_OBJECT (task), "completed") != NULL)
    {
      g_clear_error (&error);
      return;
    }
  g_object_set_data (G_OBJECT (task), "completed", GINT_TO_POINTER (TRUE));

  cs_trace ("sheet-printed %d", result);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, result);
}

static GtkPageSetup *
page_setup_new (const CsSheetOptions *options)
{
  GtkPageSetup *setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) paper =
    gtk_paper_size_new_custom ("contact-sheet", "Contact Sheet",
                               options->paper_width_mm, options->paper_height_mm, GTK_UNIT_MM);

  gtk_page_setup_set_paper_size (setup, paper);
  gtk_page_setup_set_orientation (setup, options->landscape ? GTK_PAGE_ORIENTATION_LANDSCAPE
                                                            : GTK_PAGE_ORIENTATION_PORTRAIT);
  return setup;
}

#if GTK_CHECK_VERSION (4, 14, 0)

typedef struct
{
  CsSheetRenderer *renderer;
  GtkWindow       *parent;
  char            *folder;
  char            *path;
} PrintData;

static void
print_data_free (PrintData *data)
{
  /* The PDF goes with the task: it was handed over, or is not wanted. */
  if (data->path != NULL)
    g_unlink (data->path);
  if (data->folder != NULL)
    g_rmdir (data->folder);
  g_clear_object (&data->renderer);
  g_clear_object (&data->parent);
  g_free (data->folder);
  g_free (data->path);
  g_free (data);
}

static void
on_file_printed (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (gtk_print_dialog_print_file_finish (GTK_PRINT_DIALOG (object), result, &error))
    complete (task, GTK_PRINT_OPERATION_RESULT_APPLY, NULL);
  else if (g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&error);
      complete (task, GTK_PRINT_OPERATION_RESULT_CANCEL, NULL);
    }
  else
    complete (task, GTK_PRINT_OPERATION_RESULT_ERROR, error);
}

static void
on_written (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PrintData *data = g_task_get_task_data (task);
  g_autoptr(GtkPrintDialog) dialog = NULL;
  g_autoptr(GtkPageSetup) setup = NULL;
  g_autoptr(GFile) file = NULL;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      complete (task, GTK_PRINT_OPERATION_RESULT_ERROR, error);
      return;
    }

  /* Only the dialog makes a GtkPrintSetup: the sheet's paper and
   * orientation go in as the dialog's page setup. */
  dialog = gtk_print_dialog_new ();
  setup = page_setup_new (cs_sheet_renderer_get_options (data->renderer));
  gtk_print_dialog_set_page_setup (dialog, setup);
  file = g_file_new_for_path (data->path);
  gtk_print_dialog_print_file (dialog, data->parent, NULL, file, NULL, on_file_printed, g_object_ref (task));
}

static void
write_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  PrintData *data = task_data;
  g_auto(GStrv) written = NULL;
  GError *error = NULL;

  written = cs_sheet_writer_write (data->renderer, data->path, CS_SHEET_FORMAT_PDF, cancellable, &error);
  if (written == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * cs_sheet_print_async:
 *
 * Writes @renderer's pages as a PDF, shows the print dialog over @parent
 * and prints the PDF; the callback comes when the job is handed over,
 * cancelled or failed.
 */
void
cs_sheet_print_async (CsSheetRenderer     *renderer,
                      GtkWindow           *parent,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);
  g_autoptr(GTask) writing = NULL;
  PrintData *data = g_new0 (PrintData, 1);
  GError *error = NULL;

  g_task_set_source_tag (task, cs_sheet_print_async);
  data->renderer = g_object_ref (renderer);
  data->parent = parent != NULL ? g_object_ref (parent) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) print_data_free);

  data->folder = g_dir_make_tmp ("contact-sheet-print-XXXXXX", &error);
  if (data->folder == NULL)
    {
      complete (task, GTK_PRINT_OPERATION_RESULT_ERROR, error);
      return;
    }
  data->path = g_build_filename (data->folder, "contact-sheet.pdf", NULL);

  /* The writing task's data is the print task's, which outlives it. */
  writing = g_task_new (NULL, NULL, on_written, g_object_ref (task));
  g_task_set_source_tag (writing, write_in_thread);
  g_task_set_task_data (writing, data, NULL);
  g_task_run_in_thread (writing, write_in_thread);
}

#else

static void
on_begin_print (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                CsSheetRenderer   *renderer)
{
  gtk_print_operation_set_n_pages (operation, cs_sheet_renderer_get_n_pages (renderer));
}

static void
on_draw_page (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page,
              CsSheetRenderer   *renderer)
{
  g_autoptr(GError) error = NULL;

  if (!cs_sheet_renderer_draw_page_at_size (renderer, gtk_print_context_get_cairo_context (context), page,
                                            gtk_print_context_get_width (context),
                                            gtk_print_context_get_height (context),
                                            NULL, &error))
    g_warning ("Cannot print page %d: %s", page + 1, error->message);
}

static void
on_done (GtkPrintOperation       *operation,
         GtkPrintOperationResult  result,
         GTask                   *task)
{
  GError *error = NULL;

  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    gtk_print_operation_get_error (operation, &error);
  complete (task, result, error);
}

/**
 * cs_sheet_print_async:
 *
 * Shows the print dialog over @parent and prints @renderer's pages; the
 * callback comes when the job is handed over, cancelled or failed.
 */
void
cs_sheet_print_async (CsSheetRenderer     *renderer,
                      GtkWindow           *parent,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GtkPrintOperation) operation = gtk_print_operation_new ();
  g_autoptr(GtkPageSetup) setup = page_setup_new (cs_sheet_renderer_get_options (renderer));
  g_autofree char *title = cs_sheet_renderer_dup_title (renderer);
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);
  GtkPrintOperationResult result;
  g_autoptr(GError) error = NULL;

  g_task_set_source_tag (task, cs_sheet_print_async);
  g_task_set_task_data (task, g_object_ref (renderer), g_object_unref);

  gtk_print_operation_set_job_name (operation, title);
  gtk_print_operation_set_default_page_setup (operation, setup);
  /* The sheet has its own margins. */
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_allow_async (operation, TRUE);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);

  /* The operation keeps the renderer as long as it lives: a print job can
   * outlast the dialog that asked for it. (Connecting with the renderer as
   * the handlers' object aborted in GLib's closure invalidation once the
   * print dialog had printed.) */
  g_signal_connect_data (operation, "begin-print", G_CALLBACK (on_begin_print),
                         g_object_ref (renderer), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  g_signal_connect_data (operation, "draw-page", G_CALLBACK (on_draw_page),
                         g_object_ref (renderer), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  g_signal_connect_data (operation, "done", G_CALLBACK (on_done),
                         g_object_ref (task), (GClosureNotify) (void (*) (void)) g_object_unref, 0);

  result = gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, parent, &error);
  if (result != GTK_PRINT_OPERATION_RESULT_IN_PROGRESS)
    complete (task, result, g_steal_pointer (&error));
}

#endif

GtkPrintOperationResult
cs_sheet_print_finish (GAsyncResult  *result,
                       GError       **error)
{
  GError *local = NULL;
  gssize value;

  g_return_val_if_fail (g_task_is_valid (result, NULL), GTK_PRINT_OPERATION_RESULT_ERROR);

  value = g_task_propagate_int (G_TASK (result), &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return GTK_PRINT_OPERATION_RESULT_ERROR;
    }

  return value;
}
