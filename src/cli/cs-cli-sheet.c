/* cs-cli-sheet.c: contact-sheet-cli --sheet, the thumbnails laid out
 *
 * Every option is checked before any thumbnail is made, so a bad value
 * writes nothing. The thumbnails' results are collected as they come;
 * once the batch is over, a worker thread reads each picture's facts,
 * sorts them and writes the sheet.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "contact-sheet-cli"

#include "config.h"

#include "cs-cli-sheet.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>

#include "cs-sheet-entry.h"
#include "cs-sheet-layout.h"
#include "cs-sheet-options.h"
#include "cs-sheet-renderer.h"
#include "cs-sheet-writer.h"

typedef enum
{
  SORT_NAME,
  SORT_DATE,
  SORT_SIZE,
} SortOrder;

struct _CsCliSheet
{
  CsSheetOptions *options;
  char           *path;
  CsSheetFormat   format;
  SortOrder       sort;
  char           *folder_name;
  guint           thumbnail_pixels;
  GPtrArray      *entries;   /* CsSheetEntry, in the order they completed */
};

/* The option parser's strings, freed on every way out of main(). */
void
cs_cli_sheet_args_clear (CsCliSheetArgs *args)
{
  g_clear_pointer (&args->path, g_free);
  g_clear_pointer (&args->paper, g_free);
  g_clear_pointer (&args->grid, g_free);
  g_clear_pointer (&args->caption, g_free);
  g_clear_pointer (&args->title, g_free);
  g_clear_pointer (&args->dpi, g_free);
  g_clear_pointer (&args->sort, g_free);
}

CsCliSheet *
cs_cli_sheet_new (const CsCliSheetArgs  *args,
                  const char            *folder_name,
                  GError               **error)
{
  g_autoptr(CsCliSheet) self = g_new0 (CsCliSheet, 1);
  g_autoptr(CsSheetLayout) layout = NULL;
  g_autofree char *dir = g_path_get_dirname (args->path);

  self->options = cs_sheet_options_new ();
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_sheet_entry_unref);
  self->path = g_strdup (args->path);
  self->folder_name = g_strdup (folder_name);

  if (!cs_sheet_format_from_path (args->path, &self->format, error))
    return NULL;
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *display = g_filename_display_name (args->path);

      /* Known now, before any thumbnail is made for a sheet that cannot be. */
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Cannot write %s: %s"), display, g_strerror (ENOENT));
      return NULL;
    }
  if (args->paper != NULL &&
      !cs_sheet_parse_paper (args->paper, &self->options->paper_width_mm,
                             &self->options->paper_height_mm, error))
    return NULL;
  if (args->grid != NULL &&
      !cs_sheet_parse_grid (args->grid, &self->options->columns, &self->options->rows, error))
    return NULL;
  if (args->dpi != NULL && !cs_sheet_parse_dpi (args->dpi, &self->options->dpi, error))
    return NULL;

  if (args->sort == NULL || g_str_equal (args->sort, "name"))
    self->sort = SORT_NAME;
  else if (g_str_equal (args->sort, "date"))
    self->sort = SORT_DATE;
  else if (g_str_equal (args->sort, "size"))
    self->sort = SORT_SIZE;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Invalid sort “%s”: use name, date or size"), args->sort);
      return NULL;
    }

  self->options->landscape = args->landscape;
  if (args->caption != NULL)
    {
      g_free (self->options->caption);
      self->options->caption = g_strdup (args->caption);
    }
  self->options->title = g_strdup (args->title);

  /* A grid too dense for the paper is a bad value too. */
  layout = cs_sheet_layout_new (self->options, 0, error);
  if (layout == NULL)
    return NULL;
  self->thumbnail_pixels = cs_sheet_layout_get_image_pixels (layout, self->options->dpi);

  return g_steal_pointer (&self);
}

void
cs_cli_sheet_free (CsCliSheet *self)
{
  if (self == NULL)
    return;

  cs_sheet_options_free (self->options);
  g_ptr_array_unref (self->entries);
  g_free (self->path);
  g_free (self->folder_name);
  g_free (self);
}

/* The longest side, in pixels, of a cell's picture at the sheet's
 * resolution: the thumbnail size this sheet wants. */
guint
cs_cli_sheet_get_thumbnail_pixels (CsCliSheet *self)
{
  return self->thumbnail_pixels;
}

/* Every file the batch finished gets a cell: its thumbnail, or a
 * placeholder with the reason it has none. */
void
cs_cli_sheet_add_result (CsCliSheet *self,
                         CsResult   *result)
{
  if (cs_result_is_cancelled (result))
    return;

  g_ptr_array_add (self->entries, cs_sheet_entry_new_for_result (result));
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  CsSheetEntry *entry_a = *(CsSheetEntry **) a;
  CsSheetEntry *entry_b = *(CsSheetEntry **) b;
  SortOrder sort = GPOINTER_TO_INT (user_data);
  gint64 diff = 0;

  /* As the window's grid sorts: newest and largest first, then by name. */
  if (sort == SORT_DATE)
    diff = cs_sheet_entry_get_mtime (entry_b) - cs_sheet_entry_get_mtime (entry_a);
  else if (sort == SORT_SIZE)
    diff = cs_sheet_entry_get_size (entry_b) - cs_sheet_entry_get_size (entry_a);

  if (diff != 0)
    return diff < 0 ? -1 : 1;

  return strcmp (cs_sheet_entry_get_collate_key (entry_a), cs_sheet_entry_get_collate_key (entry_b));
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CsCliSheet *self = task_data;
  g_autoptr(CsSheetRenderer) renderer = NULL;
  GError *error = NULL;
  char **paths;

  for (guint i = 0; i < self->entries->len; i++)
    {
      if (g_task_return_error_if_cancelled (task))
        return;
      cs_sheet_entry_read_facts (g_ptr_array_index (self->entries, i), cancellable);
    }

  g_ptr_array_sort_with_data (self->entries, compare_entries, GINT_TO_POINTER (self->sort));

  renderer = cs_sheet_renderer_new (self->options, self->entries, self->folder_name, &error);
  if (renderer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  paths = cs_sheet_writer_write (renderer, self->path, self->format, cancellable, &error);
  if (paths == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, paths, (GDestroyNotify) g_strfreev);
}

void
cs_cli_sheet_write_async (CsCliSheet          *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, cs_cli_sheet_write_async);
  g_task_set_task_data (task, self, NULL);
  g_task_run_in_thread (task, write_thread);
}

/* Returns: (transfer full): the files written, or NULL with @error set. */
char **
cs_cli_sheet_write_finish (CsCliSheet    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
