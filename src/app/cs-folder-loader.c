/* cs-folder-loader.c: a folder's images, found and thumbnailed
 *
 * The loader scans a folder (or takes the files it is given), puts what it
 * finds into the grid model, and has the engine's batches thumbnail it:
 * the scan's batch is fed as it goes, changed files and retries get a
 * batch of their own. It keeps the running total over all of them and
 * watches the folder. The folder's sub-folders become folder tiles, or,
 * with the include-subfolders setting, their pictures join the grid,
 * found by the same loop-safe walk as the command line's --recursive. GIO only: the window hears of it through signals
 * and properties, and the workers never see either.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-folder-loader"

#include "config.h"

#include "cs-folder-loader.h"

#include <glib/gi18n.h>

#include "cs-batch.h"
#include "cs-output-record.h"
#include "cs-scan.h"
#include "cs-candidate.h"
#include "cs-trace.h"

/* Files that change in a burst (a copy in progress) are redone once. */
#define CHANGE_DELAY_MS 400

/* The scan's batch is fed what the scan finds a little at a time, never
 * more than FEED_AHEAD jobs waiting: a queued job costs some 100 bytes,
 * which for 100,000 images found faster than they are made was 10 MB.
 * 2,048 checks of a valid cache entry keep two workers busy for about
 * 25 ms, longer than the main loop takes to draw a frame and feed more. */
#define FEED_AHEAD 2048

struct _CsFolderLoader
{
  GObject        parent_instance;

  CsGridModel   *model;
  GSettings     *settings;

  CsThumbnailer *thumbnailer;      /* the newest batch's */
  CsFlavor       flavor;           /* what batches make; CS_N_FLAVORS: the setting's */
  GCancellable  *scan_cancellable;
  CsScan        *scan;             /* the scan under way, if any */
  CsBatch       *feed_batch;       /* the scan's batch, while it takes more; borrowed */
  GPtrArray     *feed;             /* CsItem found, owned, from feed_next on not yet added */
  guint          feed_next;
  GHashTable    *fed_early;        /* CsItem added before its turn, because it is shown */
  GHashTable    *visible;          /* CsItem on screen -> its priority */
  gboolean       scanning;
  GPtrArray     *batches;          /* running CsBatch */
  GFileMonitor  *monitor;
  GHashTable    *changed;          /* uri -> GFile */
  guint          changed_source;
  guint          n_changed_queries; /* changed files being looked at in a worker */
  gboolean       finish_owed;      /* the last batch ended while they were */
  gboolean       stopped;
  gboolean       recursive;        /* the open folder's pictures below it too */
  GFile         *root;             /* the open folder, if one is */
  gint64         open_time;
  gboolean       write_beside;     /* the person said yes for this folder */
  CsOutputRecord *outputs;         /* what it wrote beside images */

  /* The bytes written by every batch since the folder was opened; the
   * counts are the items' own (cs_grid_model_get_n_in_state()), so
   * that they stay what the grid shows whatever comes and goes. */
  guint64        bytes_written;
  GPtrArray     *failures;         /* CsItem */
};

G_DEFINE_FINAL_TYPE (CsFolderLoader, cs_folder_loader, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_STOPPED,
  PROP_THUMBNAILER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ITEM_DONE,
  ITEM_FAILED,
  PROGRESS,
  PROBLEM,
  SCANNED,
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_batch (CsFolderLoader *self,
                         GPtrArray      *items,
                         gboolean        retry);

/* Running state */

gboolean
cs_folder_loader_get_running (CsFolderLoader *self)
{
  g_return_val_if_fail (CS_IS_FOLDER_LOADER (self), FALSE);

  /* Changed files being looked at become a batch: running until then. */
  return self->scanning || self->batches->len > 0 || self->n_changed_queries > 0;
}

/* Said even when it did not change: whoever shows the total shows it now. */
static void
notify_running (CsFolderLoader *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
progress (CsFolderLoader *self)
{
  g_signal_emit (self, signals[PROGRESS], 0);
}

/* Batches */

/* The thumbnail-size setting by its nick, which is the flavor's name. */
CsFlavor
cs_folder_loader_get_flavor (CsFolderLoader *self)
{
  g_autofree char *nick = NULL;
  CsFlavor flavor = CS_FLAVOR_NORMAL;

  g_return_val_if_fail (CS_IS_FOLDER_LOADER (self), CS_FLAVOR_NORMAL);

  nick = g_settings_get_string (self->settings, "thumbnail-size");
  if (!cs_flavor_from_name (nick, &flavor))
    g_warning ("Unknown thumbnail size “%s”", nick);

  return flavor;
}

/**
 * cs_folder_loader_set_flavor:
 *
 * Batches started from now on make @flavor, whatever the thumbnail-size
 * setting says: the window knows how many device pixels a cell has.
 */
void
cs_folder_loader_set_flavor (CsFolderLoader *self,
                             CsFlavor        flavor)
{
  g_return_if_fail (CS_IS_FOLDER_LOADER (self));
  g_return_if_fail (flavor < CS_N_FLAVORS);

  self->flavor = flavor;
}

static CsThumbnailer *
make_thumbnailer (CsFolderLoader *self,
                  gboolean        retry)
{
  CsFlavor flavor = self->flavor < CS_N_FLAVORS ? self->flavor : cs_folder_loader_get_flavor (self);
  g_autofree char *output = g_settings_get_string (self->settings, "output-mode");
  /* Never into a person's folder without their yes (cs-beside-confirm.c). */
  gboolean beside = self->write_beside && g_str_equal (output, "beside");

  /* The files beside the pictures are the size Preferences says: moving
   * the window to a HiDPI monitor must not rewrite them all larger. */
  if (beside)
    flavor = cs_folder_loader_get_flavor (self);

  return g_object_new (CS_TYPE_THUMBNAILER,
                       "mode", beside ? CS_OUTPUT_BESIDE : CS_OUTPUT_CACHE,
                       "flavor", flavor,
                       "size", cs_flavor_get_size (flavor),
                       "want-pixels", TRUE,
                       "retry-failed", retry,
                       "background", TRUE,
                       NULL);
}

static void
clear_feed (CsFolderLoader *self)
{
  for (guint i = self->feed_next; i < self->feed->len; i++)
    g_object_unref (g_ptr_array_index (self->feed, i));
  g_ptr_array_set_size (self->feed, 0);
  self->feed_next = 0;
  g_hash_table_remove_all (self->fed_early);
  self->feed_batch = NULL;
}

/* Folder tiles are never thumbnailed, so never counted either. An item
 * on screen when it is added goes ahead of those that are not. */
static gboolean
add_to_batch (CsFolderLoader *self,
              CsBatch        *batch,
              CsItem         *item)
{
  int priority = GPOINTER_TO_INT (g_hash_table_lookup (self->visible, item));

  if (cs_item_is_folder (item))
    return FALSE;

  if (!cs_batch_add (batch, cs_item_get_file (item), NULL, g_object_ref (item), g_object_unref))
    return FALSE;

  if (priority > 0)
    cs_batch_set_priority (batch, item, priority);

  return TRUE;
}

static void
feed (CsFolderLoader *self)
{
  CsBatch *batch = self->feed_batch;

  if (batch == NULL)
    return;

  while (self->feed_next < self->feed->len && cs_batch_get_outstanding (batch) < FEED_AHEAD)
    {
      g_autoptr(CsItem) item = g_ptr_array_index (self->feed, self->feed_next);

      g_ptr_array_index (self->feed, self->feed_next) = NULL;
      self->feed_next++;
      if (!g_hash_table_remove (self->fed_early, item))
        add_to_batch (self, batch, item);
    }

  if (self->feed_next == self->feed->len)
    {
      g_ptr_array_set_size (self->feed, 0);
      self->feed_next = 0;
    }
  else if (self->feed_next >= FEED_AHEAD && self->feed_next * 2 >= self->feed->len)
    {
      g_ptr_array_remove_range (self->feed, 0, self->feed_next);
      self->feed_next = 0;
    }

  /* Everything found is in: the batch ends when its jobs have. */
  if (!self->scanning && self->feed->len == 0)
    {
      self->feed_batch = NULL;
      g_hash_table_remove_all (self->fed_early);
      cs_batch_close (batch);
    }
}

/* Gives @item's waiting job @priority in every batch. A shown item that
 * no batch has yet waits in the feed: it goes in now. */
static void
set_priority (CsFolderLoader *self,
              CsItem         *item,
              int             priority)
{
  gboolean queued = FALSE;

  for (guint i = 0; i < self->batches->len; i++)
    queued |= cs_batch_set_priority (g_ptr_array_index (self->batches, i), item, priority);

  if (queued || priority <= 0 || self->feed_batch == NULL ||
      cs_item_get_state (item) != CS_ITEM_PENDING ||
      g_hash_table_contains (self->fed_early, item))
    return;

  if (add_to_batch (self, self->feed_batch, item))
    g_hash_table_add (self->fed_early, g_object_ref (item));
}

/* Larger files first, else in reading order. */
static int
compare_work (gconstpointer a,
              gconstpointer b)
{
  CsItem *x = *(CsItem **) a;
  CsItem *y = *(CsItem **) b;
  goffset x_size = cs_item_get_size (x);
  goffset y_size = cs_item_get_size (y);

  return x_size > y_size ? -1 : x_size < y_size;
}

/**
 * cs_folder_loader_set_visible:
 * @items: (element-type CsItem): what the cells on screen show, in
 *   reading order
 *
 * Workers make what is on screen before anything that is not; what left
 * the screen waits again where it was. Called again whenever the screen
 * shows something else (scroll, zoom, sort, search).
 *
 * Among the cells on screen, the largest files go first: the screen is
 * complete when its slowest picture is, and one big PNG started last kept
 * a screen waiting seconds while the other worker went on below it. A
 * file's size is what is known of its work before it is read.
 */
void
cs_folder_loader_set_visible (CsFolderLoader *self,
                              GPtrArray      *items)
{
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GPtrArray) order = NULL;
  GHashTableIter iter;
  gpointer item;

  g_return_if_fail (CS_IS_FOLDER_LOADER (self));

  /* Borrowed: g_ptr_array_copy() would take @items' free function too. */
  order = g_ptr_array_sized_new (items->len);
  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (order, g_ptr_array_index (items, i));

  /* Stable: equal sizes keep reading order. */
  g_ptr_array_sort (order, compare_work);

  before = g_steal_pointer (&self->visible);
  self->visible = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  for (guint i = 0; i < order->len; i++)
    g_hash_table_insert (self->visible, g_object_ref (g_ptr_array_index (order, i)),
                         GINT_TO_POINTER (order->len - i));

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &item, NULL))
    if (!g_hash_table_contains (self->visible, item))
      set_priority (self, item, 0);

  for (guint i = 0; i < order->len; i++)
    set_priority (self, g_ptr_array_index (order, i), order->len - i);
}

/* Every batch since the folder was opened writes where the newest does:
 * a change of output mode opens it again. */
static gboolean
writes_beside (CsFolderLoader *self)
{
  CsOutputMode mode = CS_OUTPUT_CACHE;

  if (self->thumbnailer != NULL)
    g_object_get (self->thumbnailer, "mode", &mode, NULL);

  return mode == CS_OUTPUT_BESIDE;
}

static void
on_item_done (CsBatch        *batch,
              CsResult       *result,
              CsFolderLoader *self)
{
  CsItem *item = cs_result_get_tag (result);
  const GError *error = cs_result_get_error (result);

  if (batch == self->feed_batch)
    feed (self);

  if (error == NULL && cs_result_get_bytes_written (result) > 0 && writes_beside (self))
    cs_output_record_add (self->outputs, cs_item_get_file (item),
                          cs_result_get_thumbnail_path (result));

  /* Its file went while the job waited: not a failure, and not counted;
   * what the job wrote beside it goes as well. */
  if (!cs_grid_model_contains (self->model, item))
    {
      cs_output_record_discard (self->outputs, cs_item_get_file (item));
      progress (self);
      return;
    }

  if (error != NULL)
    {
      g_signal_emit (self, signals[ITEM_FAILED], 0, item);
      cs_item_set_failed (item, error->message);
      if (!g_ptr_array_find (self->failures, item, NULL))
        g_ptr_array_add (self->failures, g_object_ref (item));
    }
  else
    {
      self->bytes_written += cs_result_get_bytes_written (result);
      cs_item_set_duration (item, cs_result_get_duration (result));
      cs_item_set_done (item, NULL);
      g_ptr_array_remove (self->failures, item);
      g_signal_emit (self, signals[ITEM_DONE], 0, item, cs_result_get_pixbuf (result));
    }

  progress (self);
}

static void
mark_not_made (CsFolderLoader *self)
{
  GListModel *items = cs_grid_model_get_items (self->model);

  cs_grid_model_flush (self->model);
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      cs_item_set_not_made (item);
    }
}

static void
on_batch_finished (CsBatch        *batch,
                   int             outcome,
                   CsFolderLoader *self)
{
  g_autoptr(CsBatch) hold = g_object_ref (batch);

  g_signal_handlers_disconnect_by_data (batch, self);
  g_ptr_array_remove (self->batches, batch);
  if (batch == self->feed_batch)
    clear_feed (self);

  if (outcome == CS_BATCH_CANCELLED)
    mark_not_made (self);

  notify_running (self);

  if (!cs_folder_loader_get_running (self))
    g_signal_emit (self, signals[FINISHED], 0);
  else if (self->batches->len == 0 && !self->scanning)
    self->finish_owed = TRUE;
}

/* A look at changed files ended: the end of the work is said once
 * nothing else runs, if a batch ended meanwhile. */
static void
changed_query_done (CsFolderLoader *self)
{
  g_assert (self->n_changed_queries > 0);
  self->n_changed_queries--;
  notify_running (self);

  if (!cs_folder_loader_get_running (self))
    {
      if (self->finish_owed)
        g_signal_emit (self, signals[FINISHED], 0);
      self->finish_owed = FALSE;
    }
  else if (self->batches->len > 0)
    self->finish_owed = FALSE;
}

static CsBatch *
new_batch (CsFolderLoader *self,
           gboolean        retry)
{
  g_autoptr(CsThumbnailer) thumbnailer = make_thumbnailer (self, retry);
  CsBatch *batch = cs_batch_new (thumbnailer, g_settings_get_uint (self->settings, "workers"));

  if (g_set_object (&self->thumbnailer, thumbnailer))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THUMBNAILER]);

  g_signal_connect_object (batch, "item-done", G_CALLBACK (on_item_done), self, 0);
  g_signal_connect_object (batch, "finished", G_CALLBACK (on_batch_finished), self, 0);
  g_ptr_array_add (self->batches, batch);

  return batch;
}

static void
submit (CsFolderLoader *self,
        CsBatch        *batch,
        CsItem         *item)
{
  cs_item_set_pending (item);
  add_to_batch (self, batch, item);
}

/* A closed batch of these items: for changed files, and for Retry. */
static void
start_batch (CsFolderLoader *self,
             GPtrArray      *items,
             gboolean        retry)
{
  CsBatch *batch;

  if (items->len == 0)
    return;

  self->stopped = FALSE;
  batch = new_batch (self, retry);
  for (guint i = 0; i < items->len; i++)
    submit (self, batch, g_ptr_array_index (items, i));
  cs_batch_close (batch);
  notify_running (self);
}

static void
cancel_all (CsFolderLoader *self)
{
  /* Cancelling may finish a batch at once, which takes it off the list. */
  g_autoptr(GPtrArray) batches = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->batches->len; i++)
    g_ptr_array_add (batches, g_object_ref (g_ptr_array_index (self->batches, i)));

  g_cancellable_cancel (self->scan_cancellable);
  g_clear_handle_id (&self->changed_source, g_source_remove);
  g_hash_table_remove_all (self->changed);
  clear_feed (self);

  for (guint i = 0; i < batches->len; i++)
    cs_batch_cancel (g_ptr_array_index (batches, i));
}

/**
 * cs_folder_loader_drop:
 *
 * Forgets the batches without waiting: they cancel themselves when dropped,
 * and what their workers still hold is released on the main thread.
 */
void
cs_folder_loader_drop (CsFolderLoader *self)
{
  g_return_if_fail (CS_IS_FOLDER_LOADER (self));

  cancel_all (self);
  for (guint i = 0; i < self->batches->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->batches, i), self);
  g_ptr_array_set_size (self->batches, 0);
  g_clear_object (&self->scan_cancellable);
  g_clear_object (&self->scan);
  g_clear_object (&self->root);
  self->scanning = FALSE;

  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
}

/* Stops the work under way; what is done stays. */
void
cs_folder_loader_stop (CsFolderLoader *self)
{
  g_return_if_fail (CS_IS_FOLDER_LOADER (self));

  if (!cs_folder_loader_get_running (self))
    return;

  self->stopped = TRUE;
  cancel_all (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STOPPED]);
}

/* The failed items, made again with a batch that does not skip what
 * failed before. */
void
cs_folder_loader_retry_failures (CsFolderLoader *self)
{
  g_autoptr(GPtrArray) items = NULL;

  g_return_if_fail (CS_IS_FOLDER_LOADER (self));

  items = g_steal_pointer (&self->failures);
  self->failures = g_ptr_array_new_with_free_func (g_object_unref);
  start_batch (self, items, TRUE);
}

/**
 * cs_folder_loader_remake:
 *
 * Thumbnails every item again in a new batch (of another flavour, after
 * cs_folder_loader_set_flavor()), keeping the items and what they show
 * until then. Not while the folder is still being listed: returns %FALSE,
 * and reopening it is the way.
 */
gboolean
cs_folder_loader_remake (CsFolderLoader *self)
{
  GListModel *items;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (CS_IS_FOLDER_LOADER (self), FALSE);

  if (self->scanning || self->feed_batch != NULL || self->changed_source != 0)
    return FALSE;

  /* Dropped, not cancelled through on_batch_finished(): that would mark
   * every item "not made" and hide what it shows. */
  for (guint i = 0; i < self->batches->len; i++)
    {
      CsBatch *batch = g_ptr_array_index (self->batches, i);

      g_signal_handlers_disconnect_by_data (batch, self);
      cs_batch_cancel (batch);
    }
  g_ptr_array_set_size (self->batches, 0);

  cs_grid_model_flush (self->model);
  items = cs_grid_model_get_items (self->model);
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    g_ptr_array_add (all, g_list_model_get_item (items, i));

  g_ptr_array_set_size (self->failures, 0);
  self->bytes_written = 0;
  self->stopped = FALSE;
  start_batch (self, all, FALSE);
  notify_running (self);
  progress (self);

  return TRUE;
}

/* Scanning */

static void
on_scan_found (CsScan         *scan,
               GFile          *file,
               const char     *relative_dir,
               GFileInfo      *info,
               CsFolderLoader *self)
{
  CsItem *item;

  /* A folder named like an image: its tile stands for it. */
  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    return;

  item = cs_grid_model_add (self->model, file, info);
  cs_item_set_relative_dir (item, relative_dir);

  if (self->feed_batch != NULL)
    {
      cs_item_set_pending (item);
      g_ptr_array_add (self->feed, g_object_ref (item));
      feed (self);
    }
  else if (self->batches->len > 0)
    submit (self, g_ptr_array_index (self->batches, 0), item);
}

static void
on_scan_folder (CsScan         *scan,
                GFile          *folder,
                GFileInfo      *info,
                CsFolderLoader *self)
{
  cs_grid_model_add_folder (self->model, folder, info);
}

static void
on_scan_problem (CsScan         *scan,
                 GFile          *file,
                 const GError   *error,
                 CsFolderLoader *self)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *message = g_strdup_printf ("%s: %s", name, error->message);

  g_signal_emit (self, signals[PROBLEM], 0, message);
}

static void
on_scan_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CsFolderLoader) self = user_data;
  g_autoptr(GError) error = NULL;
  CsScan *scan = CS_SCAN (object);
  gboolean ok = cs_scan_run_finish (scan, result, &error);

  g_signal_handlers_disconnect_by_data (scan, self);

  /* A newer folder replaced this one (even if this scan had just ended). */
  if (scan != self->scan)
    return;

  g_clear_object (&self->scan);
  self->scanning = FALSE;
  cs_trace ("scanned %.1f ms: %u images",
            (g_get_monotonic_time () - self->open_time) / 1000.0,
            cs_grid_model_get_n_found (self->model));
  cs_grid_model_flush (self->model);

  if (self->feed_batch != NULL)
    feed (self);
  else if (self->batches->len > 0)
    cs_batch_close (g_ptr_array_index (self->batches, 0));

  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *name = g_file_get_parse_name (cs_scan_get_root (scan));
      g_autofree char *message = g_strdup_printf (_("Cannot read %s: %s"), name, error->message);

      g_signal_emit (self, signals[PROBLEM], 0, message);
    }

  g_signal_emit (self, signals[SCANNED], 0, ok);
  notify_running (self);
}

/* A picture gone from the folder, and the thumbnail it had beside it. */
static void
forget_file (CsFolderLoader *self,
             GFile          *file)
{
  cs_grid_model_remove (self->model, file);
  cs_output_record_discard (self->outputs, file);
}

/* For arrays of infos that hold NULL for a file gone. */
static void
unref_info (gpointer info)
{
  if (info != NULL)
    g_object_unref (info);
}

#define CHANGED_ATTRIBUTES \
  CS_CANDIDATE_ATTRIBUTES "," \
  G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME "," \
  G_FILE_ATTRIBUTE_STANDARD_SIZE "," \
  G_FILE_ATTRIBUTE_TIME_MODIFIED

/* Task data: the changed GFiles; result: their GFileInfo in the same
 * order, NULL for a file gone, and for one that is neither a folder nor
 * a picture by the scan's rule (cs_is_candidate(), which may read it:
 * hence the worker) the info says so through CHANGED_NOT_OFFERED. */
#define CHANGED_NOT_OFFERED "cs::not-offered"

static void
query_changed_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  GPtrArray *files = task_data;
  GPtrArray *infos = g_ptr_array_new_full (files->len, unref_info);

  for (guint i = 0; i < files->len; i++)
    {
      GFile *file = g_ptr_array_index (files, i);
      GFileInfo *info = g_file_query_info (file, CHANGED_ATTRIBUTES, G_FILE_QUERY_INFO_NONE,
                                           cancellable, NULL);

      if (info != NULL &&
          g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY &&
          !cs_is_candidate (file, info))
        {
          g_file_info_unset_attribute_mask (info);
          g_file_info_set_attribute_boolean (info, CHANGED_NOT_OFFERED, TRUE);
        }
      g_ptr_array_add (infos, info);
    }
  g_task_return_pointer (task, infos, (GDestroyNotify) g_ptr_array_unref);
}

static void
on_changed_queried (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CsFolderLoader) self = user_data;
  GPtrArray *files = g_task_get_task_data (G_TASK (result));
  g_autoptr(GPtrArray) infos = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autoptr(GPtrArray) redo = g_ptr_array_new_with_free_func (g_object_unref);

  /* Another folder was opened meanwhile (its cancellable is not this). */
  if (infos == NULL || g_task_get_cancellable (G_TASK (result)) != self->scan_cancellable)
    {
      changed_query_done (self);
      return;
    }

  for (guint i = 0; i < files->len; i++)
    {
      GFile *file = g_ptr_array_index (files, i);
      GFileInfo *info = g_ptr_array_index (infos, i);
      CsItem *item;

      if (info == NULL)
        {
          forget_file (self, file);
          continue;
        }
      /* A new sub-folder gets its tile; with sub-folders included, its
       * pictures wait for a reload (only the open folder is watched). */
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        {
          if (!self->recursive)
            cs_grid_model_add_folder (self->model, file, info);
          continue;
        }
      /* Our own outputs (beside mode) and other files are no images. */
      if (g_file_info_get_attribute_boolean (info, CHANGED_NOT_OFFERED))
        continue;

      item = cs_grid_model_update (self->model, file, info);
      g_ptr_array_add (redo, g_object_ref (item));
    }

  cs_grid_model_flush (self->model);
  start_batch (self, redo, FALSE);
  changed_query_done (self);
  progress (self);
}

/* The files the monitor heard of, looked at in a worker: telling a
 * picture without an image's name from another file reads it. */
static gboolean
flush_changed (gpointer user_data)
{
  CsFolderLoader *self = user_data;
  g_autoptr(GTask) task = NULL;
  GPtrArray *files = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  GFile *file;

  self->changed_source = 0;

  g_hash_table_iter_init (&iter, self->changed);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &file))
    g_ptr_array_add (files, g_object_ref (file));
  g_hash_table_remove_all (self->changed);

  self->n_changed_queries++;
  task = g_task_new (NULL, self->scan_cancellable, on_changed_queried, g_object_ref (self));
  g_task_set_source_tag (task, flush_changed);
  g_task_set_task_data (task, files, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, query_changed_thread);

  return G_SOURCE_REMOVE;
}

static void
note_changed (CsFolderLoader *self,
              GFile          *file)
{
  g_autofree char *name = g_file_get_basename (file);

  /* Hidden files are not shown; whether another name is a new folder
   * (a tile to show) flush_changed() finds out, with the rest. */
  if (name[0] == '.')
    return;

  g_hash_table_replace (self->changed, g_file_get_uri (file), g_object_ref (file));
  g_clear_handle_id (&self->changed_source, g_source_remove);
  self->changed_source = g_timeout_add (CHANGE_DELAY_MS, flush_changed, self);
}

static void
on_folder_changed (GFileMonitor      *monitor,
                   GFile             *file,
                   GFile             *other_file,
                   GFileMonitorEvent  event,
                   CsFolderLoader    *self)
{
  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
      note_changed (self, file);
      break;
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
      forget_file (self, file);
      progress (self);
      break;
    case G_FILE_MONITOR_EVENT_RENAMED:
      forget_file (self, file);
      if (other_file != NULL)
        note_changed (self, other_file);
      progress (self);
      break;
    case G_FILE_MONITOR_EVENT_CHANGED:
    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
    case G_FILE_MONITOR_EVENT_PRE_UNMOUNT:
    case G_FILE_MONITOR_EVENT_UNMOUNTED:
    case G_FILE_MONITOR_EVENT_MOVED:
    default:
      break;
    }
}

/**
 * cs_folder_loader_forget_files:
 * @files: (element-type GFile): pictures gone (to the trash, say)
 *
 * What the folder's monitor does for a deleted file, without waiting
 * for it: the monitor may never say (files opened one by one, pictures
 * in included sub-folders, which are not watched).
 */
void
cs_folder_loader_forget_files (CsFolderLoader *self,
                               GPtrArray      *files)
{
  g_return_if_fail (CS_IS_FOLDER_LOADER (self));
  g_return_if_fail (files != NULL);

  for (guint i = 0; i < files->len; i++)
    forget_file (self, g_ptr_array_index (files, i));
  progress (self);
}

/* Task data: the GFiles; result: their GFileInfo, NULL for a file that
 * cannot be read, in the same order. */
static void
query_infos_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GPtrArray *files = task_data;
  GPtrArray *infos = g_ptr_array_new_full (files->len, unref_info);

  for (guint i = 0; i < files->len; i++)
    g_ptr_array_add (infos, g_file_query_info (g_ptr_array_index (files, i),
                                               G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                                               G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                               G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                               G_FILE_ATTRIBUTE_TIME_MODIFIED,
                                               G_FILE_QUERY_INFO_NONE, cancellable, NULL));
  g_task_return_pointer (task, infos, (GDestroyNotify) g_ptr_array_unref);
}

static void
on_infos_queried (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CsFolderLoader) self = user_data;
  GPtrArray *files = g_task_get_task_data (G_TASK (result));
  g_autoptr(GPtrArray) infos = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autoptr(GPtrArray) redo = g_ptr_array_new_with_free_func (g_object_unref);

  /* Another folder was opened meanwhile (its cancellable is not this). */
  if (infos == NULL || g_task_get_cancellable (G_TASK (result)) != self->scan_cancellable)
    return;

  for (guint i = 0; i < files->len; i++)
    {
      GFile *file = g_ptr_array_index (files, i);
      GFileInfo *info = g_ptr_array_index (infos, i);
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autofree char *relative = NULL;
      CsItem *item;

      if (info == NULL || g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        continue;

      /* The same item if the monitor heard of it first. */
      item = cs_grid_model_update (self->model, file, info);
      /* Where the scan would have said it was, below the open folder. */
      if (self->root != NULL && parent != NULL)
        relative = g_file_equal (parent, self->root) ? g_strdup ("")
                                                     : g_file_get_relative_path (self->root, parent);
      if (relative != NULL)
        cs_item_set_relative_dir (item, relative);
      g_ptr_array_add (redo, g_object_ref (item));
    }

  cs_grid_model_flush (self->model);
  start_batch (self, redo, FALSE);
  progress (self);
}

/**
 * cs_folder_loader_add_files:
 * @files: (element-type GFile): pictures back (from the trash, say)
 *
 * What the folder's monitor does for a created file, without waiting
 * for it: they join the grid and are thumbnailed; the monitor hearing
 * of them too adds nothing twice. Their details are read off the main
 * thread.
 */
void
cs_folder_loader_add_files (CsFolderLoader *self,
                            GPtrArray      *files)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *copy;

  g_return_if_fail (CS_IS_FOLDER_LOADER (self));
  g_return_if_fail (files != NULL);

  copy = g_ptr_array_new_full (files->len, g_object_unref);
  for (guint i = 0; i < files->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (files, i)));

  task = g_task_new (NULL, self->scan_cancellable, on_infos_queried, g_object_ref (self));
  g_task_set_source_tag (task, cs_folder_loader_add_files);
  g_task_set_task_data (task, copy, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, query_infos_thread);
}

static void
on_item_removed (CsFolderLoader *self,
                 CsItem         *item)
{
  g_ptr_array_remove (self->failures, item);
}

/**
 * cs_folder_loader_clear:
 *
 * Drops whatever ran before, and the items and totals with it.
 */
void
cs_folder_loader_clear (CsFolderLoader *self)
{
  g_return_if_fail (CS_IS_FOLDER_LOADER (self));

  cs_folder_loader_drop (self);
  cs_grid_model_clear (self->model);
  g_hash_table_remove_all (self->visible);
  g_ptr_array_set_size (self->failures, 0);
  self->bytes_written = 0;
  self->stopped = FALSE;
  self->write_beside = FALSE;
  self->open_time = g_get_monotonic_time ();
  self->scan_cancellable = g_cancellable_new ();
}

/**
 * cs_folder_loader_open_folder:
 *
 * Scans @folder into the model and thumbnails what it finds, feeding one
 * batch as the scan goes; then watches the folder for changes. What ran
 * before is cs_folder_loader_clear()'s to drop.
 */
void
cs_folder_loader_open_folder (CsFolderLoader *self,
                              GFile          *folder)
{
  g_autoptr(CsScan) scan = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CS_IS_FOLDER_LOADER (self));
  g_return_if_fail (G_IS_FILE (folder));

  if (self->scan_cancellable == NULL)
    self->scan_cancellable = g_cancellable_new ();

  self->feed_batch = new_batch (self, FALSE);
  self->scanning = TRUE;

  self->recursive = g_settings_get_boolean (self->settings, "include-subfolders");
  g_set_object (&self->root, folder);
  scan = cs_scan_new (folder, self->recursive);
  g_set_object (&self->scan, scan);
  g_signal_connect_object (scan, "found", G_CALLBACK (on_scan_found), self, 0);
  g_signal_connect_object (scan, "folder", G_CALLBACK (on_scan_folder), self, 0);
  g_signal_connect_object (scan, "problem", G_CALLBACK (on_scan_problem), self, 0);
  cs_scan_run_async (scan, self->scan_cancellable, on_scan_done, g_object_ref (self));

  self->monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->monitor != NULL)
    g_signal_connect (self->monitor, "changed", G_CALLBACK (on_folder_changed), self);
  else
    g_debug ("Not watching %s: %s", g_file_peek_path (folder), error->message);

  notify_running (self);
}

/**
 * cs_folder_loader_open_files:
 *
 * Thumbnails just these images, in one batch, after
 * cs_folder_loader_clear().
 */
void
cs_folder_loader_open_files (CsFolderLoader  *self,
                             GFile          **files,
                             guint            n_files)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_if_fail (CS_IS_FOLDER_LOADER (self));


  for (guint i = 0; i < n_files; i++)
    g_ptr_array_add (items, g_object_ref (cs_grid_model_add (self->model, files[i], NULL)));
  cs_grid_model_flush (self->model);

  start_batch (self, items, FALSE);
}

/**
 * cs_folder_loader_set_write_beside:
 *
 * Whether the "beside" output mode may write into the folder opened next
 * (cs_folder_loader_clear() says no again); without it, thumbnails go to
 * the cache.
 */
void
cs_folder_loader_set_write_beside (CsFolderLoader *self,
                                   gboolean        write_beside)
{
  g_return_if_fail (CS_IS_FOLDER_LOADER (self));

  self->write_beside = write_beside;
}

gboolean
cs_folder_loader_get_write_beside (CsFolderLoader *self)
{
  g_return_val_if_fail (CS_IS_FOLDER_LOADER (self), FALSE);

  return self->write_beside;
}

/**
 * cs_folder_loader_get_thumbnailer:
 *
 * Returns: (transfer none) (nullable): the newest batch's thumbnailer,
 * which says where the thumbnails it made are.
 */
CsThumbnailer *
cs_folder_loader_get_thumbnailer (CsFolderLoader *self)
{
  g_return_val_if_fail (CS_IS_FOLDER_LOADER (self), NULL);

  return self->thumbnailer;
}

gboolean
cs_folder_loader_get_stopped (CsFolderLoader *self)
{
  g_return_val_if_fail (CS_IS_FOLDER_LOADER (self), FALSE);

  return self->stopped;
}

/* The images the grid has (found and not gone), each to be thumbnailed
 * once; the counts below are of their states as they stand. */
guint
cs_folder_loader_get_n_submitted (CsFolderLoader *self)
{
  g_return_val_if_fail (CS_IS_FOLDER_LOADER (self), 0);

  guint n_images = 0;

  /* Every image found counts in one state; folder tiles in none. */
  for (CsItemState state = 0; state < CS_ITEM_N_STATES; state++)
    n_images += cs_grid_model_get_n_in_state (self->model, state);

  return n_images;
}

guint
cs_folder_loader_get_n_done (CsFolderLoader *self)
{
  g_return_val_if_fail (CS_IS_FOLDER_LOADER (self), 0);

  return cs_grid_model_get_n_in_state (self->model, CS_ITEM_DONE);
}

guint
cs_folder_loader_get_n_failed (CsFolderLoader *self)
{
  g_return_val_if_fail (CS_IS_FOLDER_LOADER (self), 0);

  return cs_grid_model_get_n_in_state (self->model, CS_ITEM_FAILED);
}

guint64
cs_folder_loader_get_bytes_written (CsFolderLoader *self)
{
  g_return_val_if_fail (CS_IS_FOLDER_LOADER (self), 0);

  return self->bytes_written;
}

/**
 * cs_folder_loader_get_failures:
 *
 * Returns: (transfer none) (element-type CsItem): the items that failed,
 * as they stand; Retry replaces the array.
 */
GPtrArray *
cs_folder_loader_get_failures (CsFolderLoader *self)
{
  g_return_val_if_fail (CS_IS_FOLDER_LOADER (self), NULL);

  return self->failures;
}

static void
cs_folder_loader_dispose (GObject *object)
{
  CsFolderLoader *self = (CsFolderLoader *)object;

  if (self->batches != NULL)
    cs_folder_loader_drop (self);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  g_clear_object (&self->settings);
  g_clear_object (&self->thumbnailer);
  g_clear_object (&self->outputs);

  G_OBJECT_CLASS (cs_folder_loader_parent_class)->dispose (object);
}

static void
cs_folder_loader_finalize (GObject *object)
{
  CsFolderLoader *self = (CsFolderLoader *)object;

  g_ptr_array_unref (self->batches);
  g_ptr_array_unref (self->failures);
  g_hash_table_unref (self->changed);
  clear_feed (self);
  g_ptr_array_unref (self->feed);
  g_hash_table_unref (self->fed_early);
  g_hash_table_unref (self->visible);

  G_OBJECT_CLASS (cs_folder_loader_parent_class)->finalize (object);
}

static void
cs_folder_loader_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CsFolderLoader *self = CS_FOLDER_LOADER (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, cs_folder_loader_get_running (self));
      break;
    case PROP_STOPPED:
      g_value_set_boolean (value, self->stopped);
      break;
    case PROP_THUMBNAILER:
      g_value_set_object (value, self->thumbnailer);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_folder_loader_class_init (CsFolderLoaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_folder_loader_dispose;
  object_class->finalize = cs_folder_loader_finalize;
  object_class->get_property = cs_folder_loader_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STOPPED] =
    g_param_spec_boolean ("stopped", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_THUMBNAILER] =
    g_param_spec_object ("thumbnailer", NULL, NULL, CS_TYPE_THUMBNAILER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A thumbnail was made for the item, now done; with its pixels if the
   * engine kept them. */
  signals[ITEM_DONE] = g_signal_new ("item-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                     CS_TYPE_ITEM, GDK_TYPE_PIXBUF);
  /* Before the item shows its failure. */
  signals[ITEM_FAILED] = g_signal_new ("item-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, CS_TYPE_ITEM);
  /* The totals changed. */
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Something worth a word to the user: a file or folder that cannot be read. */
  signals[PROBLEM] = g_signal_new ("problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The scan is over (%FALSE: it could not read the folder). */
  signals[SCANNED] = g_signal_new ("scanned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  /* The last batch ended: nothing runs any more. */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cs_folder_loader_init (CsFolderLoader *self)
{
  self->flavor = CS_N_FLAVORS;
  self->batches = g_ptr_array_new_with_free_func (g_object_unref);
  self->failures = g_ptr_array_new_with_free_func (g_object_unref);
  self->feed = g_ptr_array_new ();
  self->fed_early = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->visible = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->changed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->outputs = cs_output_record_new ();
}

CsFolderLoader *
cs_folder_loader_new (CsGridModel *model,
                      GSettings   *settings)
{
  CsFolderLoader *self;

  g_return_val_if_fail (CS_IS_GRID_MODEL (model), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (CS_TYPE_FOLDER_LOADER, NULL);
  self->model = g_object_ref (model);
  self->settings = g_object_ref (settings);
  g_signal_connect_object (model, "item-removed", G_CALLBACK (on_item_removed), self, G_CONNECT_SWAPPED);

  return self;
}
