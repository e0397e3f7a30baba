/* cs-sheet-print.c: a contact sheet through the print dialog
 *
 * GtkPrintOperation, which GTK 4.8 has too: its dialog gives the printers,
 * "Print to File" and the preview; each page is the renderer's, scaled to
 * the page the dialog settles on, which starts as the sheet's own paper
 * and orientation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-sheet-print"

#include "config.h"

#include "cs-sheet-print.h"

#include "cs-trace.h"

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

/* Once: GTK emits "done" for a job that went on in the background, and
 * for some that ended inside gtk_print_operation_run() too. */
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
