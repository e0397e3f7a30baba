/* cs-sheet-entries.c: the grid's images as a contact sheet's cells
 *
 * What the grid shows (its search applied) is taken in its order when the
 * sheet is asked for. Each image then gets its thumbnail from the window's
 * thumbnailer, in a thread: in the cache this reuses the thumbnails already
 * made and makes the ones the batch has not reached yet (or never will,
 * when it was stopped), so a sheet asked for mid-batch is whole, never half
 * laid out. An image the grid shows as failed keeps the grid's reason.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-sheet-entries"

#include "config.h"

#include "cs-sheet-entries.h"

#include <string.h>

typedef struct
{
  GFile *file;
  char  *error;   /* the grid's reason for a failed image, else NULL */
} Source;

typedef struct
{
  CsThumbnailer *thumbnailer;
  GArray        *sources;
} CollectData;

static void
source_clear (Source *source)
{
  g_clear_object (&source->file);
  g_clear_pointer (&source->error, g_free);
}

static void
collect_data_free (CollectData *data)
{
  g_clear_object (&data->thumbnailer);
  g_clear_pointer (&data->sources, g_array_unref);
  g_free (data);
}

static CsSheetEntry *
make_entry (CsThumbnailer *thumbnailer,
            const Source  *source,
            GCancellable  *cancellable)
{
  CsSheetEntry *entry;

  if (source->error != NULL)
    {
      entry = cs_sheet_entry_new (source->file);
      cs_sheet_entry_set_error (entry, source->error);
    }
  else
    {
      g_autoptr(CsResult) result = cs_thumbnailer_process (thumbnailer, source->file, NULL, cancellable);

      entry = cs_sheet_entry_new_for_result (result);
    }
  cs_sheet_entry_read_facts (entry, cancellable);

  return entry;
}

static void
collect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CollectData *data = task_data;
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_full (data->sources->len, (GDestroyNotify) cs_sheet_entry_unref);

  for (guint i = 0; i < data->sources->len; i++)
    {
      if (g_task_return_error_if_cancelled (task))
        return;
      g_ptr_array_add (entries, make_entry (data->thumbnailer,
                                            &g_array_index (data->sources, Source, i),
                                            cancellable));
    }

  g_task_return_pointer (task, g_steal_pointer (&entries), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * cs_sheet_entries_collect_async:
 * @items: the grid's items (#CsItem), in the grid's order
 * @thumbnailer: the thumbnailer the grid's thumbnails come from
 *
 * Takes @items as they are now, and gives their cells in that order: a
 * #GPtrArray of #CsSheetEntry, every one with its thumbnail or its error.
 */
void
cs_sheet_entries_collect_async (GListModel          *items,
                                CsThumbnailer       *thumbnailer,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  CollectData *data = g_new0 (CollectData, 1);
  guint n_items = g_list_model_get_n_items (items);

  g_return_if_fail (CS_IS_THUMBNAILER (thumbnailer));

  data->thumbnailer = g_object_ref (thumbnailer);
  data->sources = g_array_sized_new (FALSE, TRUE, sizeof (Source), n_items);
  g_array_set_clear_func (data->sources, (GDestroyNotify) source_clear);
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);
      Source source = { NULL, NULL };

      /* A sheet is of pictures: sub-folders' tiles have no place on it. */
      if (cs_item_is_folder (item))
        continue;

      source.file = g_object_ref (cs_item_get_file (item));
      if (cs_item_get_state (item) == CS_ITEM_FAILED)
        source.error = g_strdup (cs_item_get_error_message (item));
      g_array_append_val (data->sources, source);
    }

  g_task_set_source_tag (task, cs_sheet_entries_collect_async);
  g_task_set_task_data (task, data, (GDestroyNotify) collect_data_free);
  g_task_run_in_thread (task, collect_thread);
}

GPtrArray *
cs_sheet_entries_collect_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static int
compare (gconstpointer a,
         gconstpointer b,
         gpointer      user_data)
{
  CsSheetEntry *first = *(CsSheetEntry * const *) a;
  CsSheetEntry *second = *(CsSheetEntry * const *) b;
  CsSortOrder order = GPOINTER_TO_UINT (user_data);
  gint64 first_key = 0, second_key = 0;

  /* The grid's orders (cs-grid-model.c): newest or largest first, the
   * name deciding between equals. */
  if (order == CS_SORT_DATE)
    {
      first_key = cs_sheet_entry_get_mtime (first);
      second_key = cs_sheet_entry_get_mtime (second);
    }
  else if (order == CS_SORT_SIZE)
    {
      first_key = cs_sheet_entry_get_size (first);
      second_key = cs_sheet_entry_get_size (second);
    }

  if (first_key != second_key)
    return first_key > second_key ? -1 : 1;

  return strcmp (cs_sheet_entry_get_collate_key (first), cs_sheet_entry_get_collate_key (second));
}

/* In place: the dialog's sort, which is the grid's sort-order setting. */
void
cs_sheet_entries_sort (GPtrArray   *entries,
                       CsSortOrder  order)
{
  g_ptr_array_sort_with_data (entries, compare, GUINT_TO_POINTER (order));
}
