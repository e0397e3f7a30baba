/* cs-window.c: the main window
 *
 * Pick a folder, watch the grid fill, see the running total, stop at will.
 * The window owns the items and the batches; the workers never see it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-window"

#include "config.h"

#include "cs-window.h"

#include <glib/gi18n.h>

#include "cs-batch.h"
#include "cs-cell.h"
#include "cs-failures-window.h"
#include "cs-item.h"
#include "cs-scan.h"
#include "cs-thumbnailer.h"

/* Images found by the scan join the grid at most this often. */
#define FLUSH_INTERVAL_MS 1000

/* Found images join the grid this many at a time, fewer while the grid
 * has fewer images than it keeps cells for (GtkGridView keeps max-columns
 * times about 31 rows). */
#define MERGE_CHUNK 1000
#define FIRST_CHUNK 24
#define GRID_ROWS 32

/* The status line changes at most this often. It is a GtkInscription, whose
 * size does not follow its text: a GtkLabel's new text would queue a resize
 * up to the window, and GTK would measure the window again each time. */
#define STATUS_INTERVAL_MS 100

/* The padding of a cell in the grid, on each side (style.css). */
#define CELL_PADDING 8

/* Files that change in a burst (a copy in progress) are redone once. */
#define CHANGE_DELAY_MS 400

/* Pixels are kept for the cells on screen and, beyond them, for the most
 * recently seen thumbnails up to this many bytes (a few screens of 128-pixel
 * cells): a folder of 100,000 images costs what a folder of 1,000 does. The
 * rest reload from their files. */
#define TEXTURE_BUDGET (16 * 1024 * 1024)

typedef struct
{
  CsItem  *item;
  guint64  bytes;
} TextureEntry;

typedef struct
{
  GWeakRef  window;
  CsItem   *item;
  char     *path;
} LoadData;

struct _CsWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  GtkWidget            *stop_button;
  GtkStack             *stack;
  GtkGridView          *grid;
  GtkInscription       *status_label;
  GtkProgressBar       *progress_bar;
  GtkButton            *failures_button;
  GtkRevealer          *status_revealer;
  AdwToastOverlay      *toast_overlay;
  GtkSearchEntry       *search_entry;
  GtkSearchBar         *search_bar;
  GMenuModel           *item_menu;

  /* The grid's model: items, kept sorted -> filter -> selection */
  GListStore           *items;
  GtkCustomFilter      *filter;
  GtkFilterListModel   *filtered;       /* filters only while searching; borrowed */
  GtkSingleSelection   *selection;
  GHashTable           *items_by_file;  /* GFile -> CsItem, both borrowed from the item */
  GPtrArray            *pending_items;  /* found, not yet in the store */
  gboolean              pending_sorted;
  guint                 flush_source;
  char                 *search_text;
  int                   sort_order;
  int                   pixel_size;

  /* Textures: an LRU of items that hold one, and what cells show */
  GQueue                textures;       /* TextureEntry, oldest first */
  GHashTable           *texture_links;  /* CsItem -> GList link in textures */
  guint64               texture_bytes;
  GHashTable           *bound;          /* CsItem -> number of cells showing it */
  GHashTable           *loading;        /* CsItem whose thumbnail is being read */
  GHashTable           *to_load;        /* CsItem bound without pixels, weak */
  guint                 load_source;
  GCancellable         *load_cancellable;

  /* What is loaded, and the work on it */
  CsThumbnailer        *thumbnailer;    /* the newest batch's */
  GFile                *folder;
  GPtrArray            *files;          /* when files were opened, not a folder */
  GCancellable         *scan_cancellable;
  CsScan               *scan;           /* the scan under way, if any */
  CsBatch              *feed_batch;     /* the scan's batch, while it takes more; borrowed */
  GPtrArray            *feed;           /* CsItem found, owned, from feed_next on not yet added */
  guint                 feed_next;
  GHashTable           *fed_early;      /* CsItem added before its turn, because it is shown */
  gboolean              scanning;
  GPtrArray            *batches;        /* running CsBatch */
  GFileMonitor         *monitor;
  GHashTable           *changed;        /* uri -> GFile */
  guint                 changed_source;
  gboolean              stopped;

  /* The running total, over every batch since the folder was opened */
  guint                 n_submitted;
  guint                 n_done;
  guint                 n_failed;
  guint64               bytes_written;
  char                 *status_text;
  guint                 status_source;
  GPtrArray            *failures;       /* CsItem */
  GtkWindow            *failures_window;

  gint64                open_time;
  gboolean              first_shown;
  GdkFrameClock        *first_paint_clock;  /* waits to trace the first thumbnail */

  /* With CONTACT_SHEET_TRACE=1: how long the main loop was held up */
  guint                 probe_source;
  gint64                probe_last;
  GArray               *probe_gaps;     /* gint64 µs beyond the period */
  gboolean              probe_shown;    /* the window has drawn a frame */
  GdkFrameClock        *probe_clock;
  gint64                frame_start;
  GArray               *frame_times;    /* gint64 µs from update to after-paint */
};

G_DEFINE_FINAL_TYPE (CsWindow, cs_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_STATUS_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_status      (CsWindow *self);
static void update_status_now  (CsWindow *self);
static void clear_textures (CsWindow *self);
static void forget_texture (CsWindow *self,
                            CsItem   *item);

/* Toast titles are Pango markup: file names and reasons are not. */
static void
toast (CsWindow   *self,
       const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}
static void start_batch   (CsWindow *self,
                           GPtrArray *items,
                           gboolean   retry);

/* Model */

static gboolean
filter_item (gpointer item,
             gpointer user_data)
{
  CsWindow *self = user_data;
  g_autofree char *name = NULL;

  if (self->search_text == NULL || self->search_text[0] == '\0')
    return TRUE;

  name = g_utf8_casefold (cs_item_get_name (item), -1);

  return strstr (name, self->search_text) != NULL;
}

static int
sort_items (gconstpointer a,
            gconstpointer b,
            gpointer      user_data)
{
  CsWindow *self = user_data;
  CsItem *item_a = (CsItem *) a;
  CsItem *item_b = (CsItem *) b;
  gint64 diff = 0;

  if (self->sort_order == 1)
    diff = cs_item_get_mtime (item_b) - cs_item_get_mtime (item_a);   /* newest first */
  else if (self->sort_order == 2)
    diff = cs_item_get_size (item_b) - cs_item_get_size (item_a);     /* largest first */

  if (diff != 0)
    return diff < 0 ? -1 : 1;

  return strcmp (cs_item_get_collate_key (item_a), cs_item_get_collate_key (item_b));
}

static void
on_search_changed (CsWindow       *self,
                   GtkSearchEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  g_free (self->search_text);
  self->search_text = g_utf8_casefold (text, -1);

  /* GTK 4.8's filter model pays for every change to the list with a pass
   * over all of it, even when its filter lets everything through: without
   * a search, it has none. */
  if (self->search_text[0] == '\0')
    gtk_filter_list_model_set_filter (self->filtered, NULL);
  else if (gtk_filter_list_model_get_filter (self->filtered) == NULL)
    gtk_filter_list_model_set_filter (self->filtered, GTK_FILTER (self->filter));
  else
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static int
compare_pending (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return sort_items (*(CsItem **) a, *(CsItem **) b, user_data);
}

/* The first position in the store, from @lower on, whose item sorts after
 * @item; with @strict, the first whose item does not sort before it. */
static guint
bisect (CsWindow *self,
        CsItem   *item,
        guint     lower,
        gboolean  strict)
{
  GListModel *model = G_LIST_MODEL (self->items);
  guint upper = g_list_model_get_n_items (model);

  while (lower < upper)
    {
      guint middle = lower + (upper - lower) / 2;
      g_autoptr(CsItem) other = g_list_model_get_item (model, middle);
      int order = sort_items (other, item, self);

      if (order < 0 || (order == 0 && !strict))
        lower = middle + 1;
      else
        upper = middle;
    }

  return lower;
}

/* Where @item is in the store, found by its sort key. */
static gboolean
find_item (CsWindow *self,
           CsItem   *item,
           guint    *position)
{
  GListModel *model = G_LIST_MODEL (self->items);
  guint n = g_list_model_get_n_items (model);

  for (guint i = bisect (self, item, 0, TRUE); i < n; i++)
    {
      g_autoptr(CsItem) other = g_list_model_get_item (model, i);

      if (other == item)
        {
          *position = i;
          return TRUE;
        }
      if (sort_items (other, item, self) != 0)
        break;
    }

  return FALSE;
}

/* Of the items cells show, the one that sorts last. */
static CsItem *
last_bound_item (CsWindow *self)
{
  GHashTableIter iter;
  CsItem *item;
  CsItem *last = NULL;

  g_hash_table_iter_init (&iter, self->bound);
  while (g_hash_table_iter_next (&iter, (gpointer *) &item, NULL))
    if (last == NULL || sort_items (item, last, self) > 0)
      last = item;

  return last;
}

/* Splices the sorted pending items from @from up to @to into the store,
 * with the items there from the first one's place up to @last (%NULL: to
 * the end), in one go. Returns the position after them. */
static guint
merge_range (CsWindow *self,
             guint     from,
             guint     to,
             CsItem   *last)
{
  GPtrArray *pending = self->pending_items;
  GListModel *model = G_LIST_MODEL (self->items);
  guint first = bisect (self, g_ptr_array_index (pending, from), 0, FALSE);
  guint end = last != NULL ? bisect (self, last, first, FALSE) : g_list_model_get_n_items (model);
  g_autoptr(GPtrArray) merged = g_ptr_array_new_full (end - first + to - from, g_object_unref);
  g_autoptr(CsItem) existing = NULL;
  guint i = from;
  guint position = first;

  while (i < to || position < end)
    {
      CsItem *item = g_ptr_array_index (pending, MIN (i, to - 1));

      if (existing == NULL && position < end)
        existing = g_list_model_get_item (model, position);

      if (i < to && (existing == NULL || sort_items (item, existing, self) < 0))
        {
          g_ptr_array_add (merged, g_object_ref (item));
          i++;
        }
      else
        {
          g_ptr_array_add (merged, g_steal_pointer (&existing));
          position++;
        }
    }

  g_list_store_splice (self->items, first, end - first, merged->pdata, merged->len);

  return first + merged->len;
}

/* The store stays sorted, so the grid needs no sort model, which answers
 * every burst with one change over the whole list. Found images are sorted
 * among themselves and merged in, with two splices at most: GTK 4.8 binds
 * every cell after a change again, so what lands before or among the cells
 * goes in with one, and everything beyond them, which no cell sees, with
 * the other. Each change costs the grid and the models above the store a
 * pass of their own, so one per run of images would cost thousands when a
 * large folder's last part lands. */
static void
merge_pending_items (CsWindow *self,
                     guint     n_merge)
{
  GPtrArray *pending = self->pending_items;
  GListModel *model = G_LIST_MODEL (self->items);
  g_autoptr(CsItem) last = NULL;
  guint n = g_list_model_get_n_items (model);
  GtkAdjustment *vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->grid));
  gboolean at_top = vadjustment == NULL || gtk_adjustment_get_value (vadjustment) < 1.0;
  guint start = 0;

  if (!self->pending_sorted)
    g_ptr_array_sort_with_data (pending, compare_pending, self);
  self->pending_sorted = TRUE;
  n_merge = MIN (n_merge, pending->len);

  /* While searching, the filter model goes over the whole list for each
   * splice: one splice then, up to the end. */
  if (gtk_filter_list_model_get_filter (self->filtered) == NULL &&
      last_bound_item (self) != NULL)
    {
      last = g_object_ref (last_bound_item (self));

      while (start < n_merge &&
             sort_items (g_ptr_array_index (pending, start), last, self) < 0)
        start++;
      if (start > 0)
        merge_range (self, 0, start, last);
    }

  if (start < n_merge)
    merge_range (self, start, n_merge, NULL);

  g_ptr_array_remove_range (pending, 0, n_merge);

  /* The grid keeps its top cell in place when items land before it, which
   * would scroll a grid that is filling away from its start: someone who
   * has not scrolled stays at the first picture. */
  if (at_top && n > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->grid), "list.scroll-to-item", "u", 0);
}

static void
flush_pending_items (CsWindow *self)
{
  /* A flush due later is this one. */
  g_clear_handle_id (&self->flush_source, g_source_remove);

  if (self->pending_items->len > 0)
    merge_pending_items (self, self->pending_items->len);

  if (g_list_model_get_n_items (G_LIST_MODEL (self->items)) > 0)
    gtk_stack_set_visible_child_name (self->stack, "grid");
}

/* A burst joins the grid a part at a time, with frames drawn in between;
 * the grid's first screen comes in smaller parts still, since each image
 * there is a cell to build. */
static gboolean
on_flush_due (gpointer user_data)
{
  CsWindow *self = user_data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  guint cells = gtk_grid_view_get_max_columns (self->grid) * GRID_ROWS;

  self->flush_source = 0;
  merge_pending_items (self, n < cells ? FIRST_CHUNK : MERGE_CHUNK);

  if (self->pending_items->len > 0)
    self->flush_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, on_flush_due, self, NULL);
  else if (n == 0)
    gtk_stack_set_visible_child_name (self->stack, "grid");

  return G_SOURCE_REMOVE;
}

static CsItem *
add_item (CsWindow  *self,
          GFile     *file,
          GFileInfo *info)
{
  CsItem *item = g_hash_table_lookup (self->items_by_file, file);

  if (item != NULL)
    return item;

  item = cs_item_new (file, info);
  /* The item's own GFile is the key: no string per image. */
  g_hash_table_insert (self->items_by_file, cs_item_get_file (item), item);
  g_ptr_array_add (self->pending_items, item);
  self->pending_sorted = FALSE;

  /* The first images show at once; after that, new ones join the grid in
   * bursts: one merge of many is cheaper than many of one. */
  if (self->flush_source == 0)
    {
      if (g_list_model_get_n_items (G_LIST_MODEL (self->items)) == 0)
        self->flush_source = g_idle_add_full (G_PRIORITY_DEFAULT, on_flush_due, self, NULL);
      else
        self->flush_source = g_timeout_add_full (G_PRIORITY_DEFAULT, FLUSH_INTERVAL_MS,
                                                 on_flush_due, self, NULL);
    }

  return item;
}

static void
remove_item (CsWindow *self,
             GFile    *file)
{
  CsItem *item = g_hash_table_lookup (self->items_by_file, file);
  guint position;

  if (item == NULL)
    return;

  /* Out of the table first: its key goes with the item. */
  g_hash_table_remove (self->items_by_file, file);
  g_ptr_array_remove (self->failures, item);
  forget_texture (self, item);
  g_hash_table_remove (self->to_load, item);
  if (find_item (self, item, &position))
    g_list_store_remove (self->items, position);
  else
    g_ptr_array_remove (self->pending_items, item);
}

/* Whether @item is still shown: a job or a load may outlive its item's
 * removal (the file deleted meanwhile), and must not bring it back. */
static gboolean
is_current (CsWindow *self,
            CsItem   *item)
{
  return g_hash_table_lookup (self->items_by_file, cs_item_get_file (item)) == item;
}

/* A changed file: its item goes back among the pending ones, to be merged
 * in where its new date or size puts it. */
static CsItem *
update_item (CsWindow  *self,
             GFile     *file,
             GFileInfo *info)
{
  CsItem *item = g_hash_table_lookup (self->items_by_file, file);
  guint position;

  if (item == NULL)
    item = add_item (self, file, info);
  else if (find_item (self, item, &position))
    {
      g_ptr_array_add (self->pending_items, g_object_ref (item));
      g_list_store_remove (self->items, position);
    }

  cs_item_set_info (item, info);
  self->pending_sorted = FALSE;

  return item;
}

static void
clear_items (CsWindow *self)
{
  g_clear_handle_id (&self->flush_source, g_source_remove);
  g_hash_table_remove_all (self->items_by_file);
  g_ptr_array_set_size (self->pending_items, 0);
  clear_textures (self);
  g_list_store_remove_all (self->items);
  g_ptr_array_set_size (self->failures, 0);
  self->n_submitted = self->n_done = self->n_failed = 0;
  self->bytes_written = 0;
}

/* Textures */

static guint
bound_count (CsWindow *self,
             CsItem   *item)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->bound, item));
}

static void
texture_entry_free (TextureEntry *entry)
{
  g_object_unref (entry->item);
  g_free (entry);
}

static void
forget_texture (CsWindow *self,
                CsItem   *item)
{
  GList *link = g_hash_table_lookup (self->texture_links, item);
  TextureEntry *entry;

  if (link == NULL)
    return;

  entry = link->data;
  self->texture_bytes -= entry->bytes;
  g_hash_table_remove (self->texture_links, item);
  g_queue_delete_link (&self->textures, link);
  texture_entry_free (entry);
}

static void
evict_textures (CsWindow *self)
{
  guint n = self->textures.length;

  for (guint i = 0; i < n && self->texture_bytes > TEXTURE_BUDGET; i++)
    {
      GList *link = self->textures.head;
      TextureEntry *entry = link->data;

      /* What a cell shows stays, and counts as just seen: the next
       * eviction does not walk past it again. */
      if (bound_count (self, entry->item) > 0)
        {
          g_queue_unlink (&self->textures, link);
          g_queue_push_tail_link (&self->textures, link);
        }
      else
        {
          g_autoptr(CsItem) item = g_object_ref (entry->item);

          forget_texture (self, item);
          cs_item_set_thumbnail (item, NULL);
        }
    }
}

/* Counts @item's thumbnail against the budget, as the most recent one. */
static void
remember_texture (CsWindow *self,
                  CsItem   *item)
{
  GdkPaintable *paintable = cs_item_get_thumbnail (item);
  TextureEntry *entry;

  forget_texture (self, item);
  if (paintable == NULL)
    return;

  entry = g_new0 (TextureEntry, 1);
  entry->item = g_object_ref (item);
  entry->bytes = (guint64) gdk_paintable_get_intrinsic_width (paintable) *
                 gdk_paintable_get_intrinsic_height (paintable) * 4;
  self->texture_bytes += entry->bytes;
  g_queue_push_tail (&self->textures, entry);
  g_hash_table_insert (self->texture_links, item, self->textures.tail);

  evict_textures (self);
}

static void
touch_texture (CsWindow *self,
               CsItem   *item)
{
  GList *link = g_hash_table_lookup (self->texture_links, item);

  if (link == NULL || link == self->textures.tail)
    return;

  g_queue_unlink (&self->textures, link);
  g_queue_push_tail_link (&self->textures, link);
}

static void
clear_textures (CsWindow *self)
{
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  g_hash_table_remove_all (self->loading);
  g_hash_table_remove_all (self->to_load);
  g_hash_table_remove_all (self->texture_links);
  g_queue_clear_full (&self->textures, (GDestroyNotify) texture_entry_free);
  self->texture_bytes = 0;
}

static void
load_data_free (LoadData *data)
{
  g_weak_ref_clear (&data->window);
  g_object_unref (data->item);
  g_free (data->path);
  g_free (data);
}

/* A thumbnail file read back is a PNG (or, beside the images, a JPEG) that
 * GTK's own loaders read in this process. Through GdkPixbuf it would cost,
 * where gdk-pixbuf decodes through glycin, a loader process per thumbnail. */
static void
load_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  LoadData *data = task_data;
  GError *error = NULL;
  GdkTexture *texture = gdk_texture_new_from_filename (data->path, &error);

  if (texture != NULL)
    g_task_return_pointer (task, texture, g_object_unref);
  else
    g_task_return_error (task, error);
}

/* The engine's pixels as they are, without a copy: GdkPixbuf keeps 8-bit
 * RGB(A) rows, not premultiplied, which GDK reads as they are. */
static GdkTexture *
texture_for_pixbuf (GdkPixbuf *pixbuf)
{
  g_autoptr(GBytes) bytes = NULL;

  g_assert (gdk_pixbuf_get_bits_per_sample (pixbuf) == 8);

  bytes = g_bytes_new_with_free_func (gdk_pixbuf_get_pixels (pixbuf),
                                      gdk_pixbuf_get_byte_length (pixbuf),
                                      g_object_unref, g_object_ref (pixbuf));

  return gdk_memory_texture_new (gdk_pixbuf_get_width (pixbuf),
                                 gdk_pixbuf_get_height (pixbuf),
                                 gdk_pixbuf_get_has_alpha (pixbuf) ? GDK_MEMORY_R8G8B8A8 : GDK_MEMORY_R8G8B8,
                                 bytes,
                                 gdk_pixbuf_get_rowstride (pixbuf));
}

/* The trace's first-thumbnail time: from opening the folder to the end of
 * the first frame painted after a cell got pixels, what a person sees. */
static void
on_first_thumbnail_painted (GdkFrameClock *clock,
                            CsWindow      *self)
{
  cs_trace ("first-thumbnail %.1f ms",
            (g_get_monotonic_time () - self->open_time) / 1000.0);
  g_signal_handlers_disconnect_by_func (clock, on_first_thumbnail_painted, self);
  g_clear_object (&self->first_paint_clock);
}

static void
forget_first_paint (CsWindow *self)
{
  if (self->first_paint_clock == NULL)
    return;

  g_signal_handlers_disconnect_by_func (self->first_paint_clock, on_first_thumbnail_painted, self);
  g_clear_object (&self->first_paint_clock);
}

/* A cell shows @item's pixels now. */
static void
note_shown (CsWindow *self)
{
  GdkFrameClock *clock;

  if (self->first_shown || !cs_trace_enabled ())
    return;

  self->first_shown = TRUE;
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  if (clock == NULL)
    {
      cs_trace ("first-thumbnail %.1f ms",
                (g_get_monotonic_time () - self->open_time) / 1000.0);
      return;
    }

  self->first_paint_clock = g_object_ref (clock);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_first_thumbnail_painted), self);
}

static void start_loads (CsWindow *self);

static void
on_thumbnail_loaded (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  LoadData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(CsWindow) self = g_weak_ref_get (&data->window);
  g_autoptr(GdkTexture) texture = g_task_propagate_pointer (G_TASK (result), NULL);

  if (self == NULL || g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  g_hash_table_remove (self->loading, data->item);

  if (texture != NULL && is_current (self, data->item) &&
      cs_item_get_state (data->item) == CS_ITEM_DONE &&
      cs_item_get_thumbnail (data->item) == NULL)
    {
      cs_item_set_thumbnail (data->item, GDK_PAINTABLE (texture));
      remember_texture (self, data->item);
      note_shown (self);
    }

  start_loads (self);
}

/* Reads @item's thumbnail back if a cell still shows it without pixels. */
static void
start_load (CsWindow *self,
            CsItem   *item)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  if (bound_count (self, item) == 0 ||
      cs_item_get_state (item) != CS_ITEM_DONE ||
      cs_item_get_thumbnail (item) != NULL ||
      self->thumbnailer == NULL ||
      g_hash_table_contains (self->loading, item))
    return;

  g_hash_table_add (self->loading, item);

  data = g_new0 (LoadData, 1);
  g_weak_ref_init (&data->window, self);
  data->item = g_object_ref (item);
  data->path = cs_thumbnailer_get_output_path (self->thumbnailer, cs_item_get_file (item), NULL);

  task = g_task_new (NULL, self->load_cancellable, on_thumbnail_loaded, NULL);
  g_task_set_source_tag (task, start_load);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_in_thread);
}

/* Thumbnails read back at once. GTK keeps a few hundred cells bound
 * around what it shows; reading them all at once would make the ones on
 * screen wait behind the others. */
#define MAX_LOADS 4

static gboolean
is_on_screen (GtkWidget *widget,
              GtkWidget *grid)
{
  graphene_rect_t bounds;

  return gtk_widget_compute_bounds (widget, grid, &bounds) &&
         bounds.origin.y + bounds.size.height > 0 &&
         bounds.origin.y < gtk_widget_get_height (grid) &&
         bounds.origin.x + bounds.size.width > 0 &&
         bounds.origin.x < gtk_widget_get_width (grid);
}

/* Starts reading back what cells show without pixels: first the cells in
 * the grid's visible area, then those GTK keeps around it, never more than
 * MAX_LOADS at once; each finished read starts the next. */
static void
start_loads (CsWindow *self)
{
  GtkWidget *grid = GTK_WIDGET (self->grid);
  GHashTableIter iter;
  gpointer key;

  for (GtkWidget *child = gtk_widget_get_first_child (grid);
       child != NULL && g_hash_table_size (self->to_load) > 0 &&
       g_hash_table_size (self->loading) < MAX_LOADS;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *cell = gtk_widget_get_first_child (child);
      CsItem *item;

      if (!CS_IS_CELL (cell))
        continue;
      item = cs_cell_get_item (CS_CELL (cell));
      if (item != NULL && g_hash_table_contains (self->to_load, item) &&
          is_on_screen (child, grid))
        {
          g_hash_table_remove (self->to_load, item);
          start_load (self, item);
        }
    }

  g_hash_table_iter_init (&iter, self->to_load);
  while (g_hash_table_size (self->loading) < MAX_LOADS &&
         g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_hash_table_iter_remove (&iter);
      start_load (self, key);
    }
}

static gboolean
load_bound_items (gpointer user_data)
{
  CsWindow *self = user_data;

  self->load_source = 0;
  start_loads (self);

  return G_SOURCE_REMOVE;
}

/* A cell shows @item: its thumbnail is read back if its pixels were let go
 * (or never read: a thumbnail reused from the cache comes without). Not at
 * once: while a folder is listed, sorting moves items through the cells on
 * screen many times a second; what a cell still shows a moment later loads.
 * The moment is a timeout at the default priority: at a low one it waited
 * behind every result and frame, half a second while a folder was listed. */
static void
maybe_load_texture (CsWindow *self,
                    CsItem   *item)
{
  if (cs_item_get_state (item) != CS_ITEM_DONE || cs_item_get_thumbnail (item) != NULL)
    return;

  g_hash_table_add (self->to_load, item);
  if (self->load_source == 0)
    self->load_source = g_timeout_add (30, load_bound_items, self);
}

/* Running state */

gboolean
cs_window_get_running (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), FALSE);

  return self->scanning || self->batches->len > 0;
}

static void
notify_running (CsWindow *self)
{
  gboolean running = cs_window_get_running (self);

  gtk_widget_set_visible (self->stop_button, running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", running);
  g_clear_handle_id (&self->status_source, g_source_remove);
  update_status_now (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
format_count (char  *buffer,
              gsize  size,
              guint  value)
{
  /* Thousands grouped as the locale does: 1,204 or 1 204. */
  g_snprintf (buffer, size, "%'u", value);
}

static void
update_status_now (CsWindow *self)
{
  g_autofree char *bytes = g_format_size (self->bytes_written);
  g_autofree char *text = NULL;
  g_autofree char *failed = NULL;
  guint finished = self->n_done + self->n_failed;
  char done_text[32], total_text[32], finished_text[32];

  format_count (done_text, sizeof done_text, self->n_done);
  format_count (total_text, sizeof total_text, self->n_submitted);
  format_count (finished_text, sizeof finished_text, finished);

  failed = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u failed", "%u failed", self->n_failed),
                            self->n_failed);

  if (cs_window_get_running (self))
    {
      /* Translators: "312 of 1,204 · 14.2 MB written · 2 failed" */
      text = g_strdup_printf (_("%s of %s · %s written · %s"), finished_text, total_text, bytes, failed);
      gtk_progress_bar_set_fraction (self->progress_bar,
                                     self->n_submitted ? (double) finished / self->n_submitted : 0.0);
    }
  else if (self->stopped)
    {
      /* Translators: "Stopped · 312 of 1,204 · 14.2 MB written · 2 failed" */
      text = g_strdup_printf (_("Stopped · %s of %s · %s written · %s"),
                              finished_text, total_text, bytes, failed);
    }
  else
    {
      g_autofree char *thumbnails =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s thumbnail", "%s thumbnails", self->n_done),
                         done_text);

      /* Translators: "1,204 thumbnails · 48.1 MB written · 2 failed" */
      text = g_strdup_printf (_("%s · %s written · %s"), thumbnails, bytes, failed);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), cs_window_get_running (self));
  gtk_revealer_set_reveal_child (self->status_revealer, self->folder != NULL || self->files != NULL);

  if (self->failures->len > 0)
    {
      g_autofree char *label =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Show %u Failure…", "Show %u Failures…",
                                      self->failures->len),
                         self->failures->len);

      gtk_button_set_label (self->failures_button, label);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->failures_button), self->failures->len > 0);

  if (g_strcmp0 (text, self->status_text) != 0)
    {
      g_free (self->status_text);
      self->status_text = g_steal_pointer (&text);
      gtk_inscription_set_text (self->status_label, self->status_text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, self->status_text,
                                      -1);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_TEXT]);
    }
}

static gboolean
on_status_timeout (gpointer user_data)
{
  CsWindow *self = user_data;

  self->status_source = 0;
  update_status_now (self);

  return G_SOURCE_REMOVE;
}

/* While results pour in, the line is redrawn a few times a second; any
 * other change (start, stop, finish) shows at once. */
static void
update_status (CsWindow *self)
{
  if (self->status_source == 0)
    self->status_source = g_timeout_add (STATUS_INTERVAL_MS, on_status_timeout, self);
}

static void on_frame_update  (GdkFrameClock *clock,
                              CsWindow      *self);
static void on_frame_painted (GdkFrameClock *clock,
                              CsWindow      *self);

/* Main-loop responsiveness, for the trace: a timer asks to run every few
 * milliseconds; how late it runs is how long something held the loop. */
#define PROBE_PERIOD_MS 4

static gboolean
on_probe (gpointer user_data)
{
  CsWindow *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 late = now - self->probe_last - PROBE_PERIOD_MS * 1000;

  /* A window opened with a folder starts its work before its first frame;
   * what a person could see stutter starts with that frame. */
  if (self->probe_shown)
    g_array_append_val (self->probe_gaps, late);
  self->probe_last = now;

  /* The window has a frame clock once it is realized. */
  if (self->probe_clock == NULL && gtk_widget_get_realized (GTK_WIDGET (self)))
    {
      self->probe_clock = g_object_ref (gtk_widget_get_frame_clock (GTK_WIDGET (self)));
      self->frame_start = 0;
      g_signal_connect (self->probe_clock, "update", G_CALLBACK (on_frame_update), self);
      g_signal_connect (self->probe_clock, "after-paint", G_CALLBACK (on_frame_painted), self);
    }

  return G_SOURCE_CONTINUE;
}

/* And how much of that was GTK making frames: from the frame clock's update
 * phase to the end of painting (layout, snapshot and the renderer). */
static void
on_frame_update (GdkFrameClock *clock,
                 CsWindow      *self)
{
  self->frame_start = g_get_monotonic_time ();
}

static void
on_frame_painted (GdkFrameClock *clock,
                  CsWindow      *self)
{
  gint64 took;

  if (self->frame_start == 0)
    return;

  took = g_get_monotonic_time () - self->frame_start;
  g_array_append_val (self->frame_times, took);
  self->frame_start = 0;

  /* The first frame itself is part of starting up. */
  if (!self->probe_shown)
    {
      self->probe_shown = TRUE;
      self->probe_last = g_get_monotonic_time ();
    }
}

static void
start_probe (CsWindow *self)
{
  if (!cs_trace_enabled () || self->probe_source != 0)
    return;

  if (self->probe_gaps == NULL)
    {
      self->probe_gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
      self->frame_times = g_array_new (FALSE, FALSE, sizeof (gint64));
    }
  g_array_set_size (self->probe_gaps, 0);
  g_array_set_size (self->frame_times, 0);
  self->probe_shown = gtk_widget_get_mapped (GTK_WIDGET (self));
  self->probe_last = g_get_monotonic_time ();
  self->probe_source = g_timeout_add_full (G_PRIORITY_HIGH, PROBE_PERIOD_MS, on_probe, self, NULL);

}

static int
compare_gaps (gconstpointer a,
              gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
trace_spread (const char *what,
              GArray     *samples)
{
  if (samples->len == 0)
    return;

  g_array_sort (samples, compare_gaps);
  cs_trace ("%s over %u samples: max %.1f ms, p99 %.1f ms, median %.1f ms",
            what, samples->len,
            MAX (0, g_array_index (samples, gint64, samples->len - 1)) / 1000.0,
            MAX (0, g_array_index (samples, gint64, (samples->len - 1) * 99 / 100)) / 1000.0,
            MAX (0, g_array_index (samples, gint64, samples->len / 2)) / 1000.0);
}

static void
disconnect_frame_clock (CsWindow *self)
{
  if (self->probe_clock == NULL)
    return;

  /* By function: GTK's own handlers on the clock have the window as data too. */
  g_signal_handlers_disconnect_by_func (self->probe_clock, on_frame_update, self);
  g_signal_handlers_disconnect_by_func (self->probe_clock, on_frame_painted, self);
  g_clear_object (&self->probe_clock);
}

static void
stop_probe (CsWindow *self)
{
  if (self->probe_source == 0)
    return;

  g_clear_handle_id (&self->probe_source, g_source_remove);
  disconnect_frame_clock (self);
  trace_spread ("main-loop stalls", self->probe_gaps);
  trace_spread ("frames", self->frame_times);
}

/* Batches */

static CsThumbnailer *
make_thumbnailer (CsWindow *self,
                  gboolean  retry)
{
  CsFlavor flavor = g_settings_get_enum (self->settings, "thumbnail-size");
  gboolean beside = g_settings_get_enum (self->settings, "output-mode") == 1;

  return g_object_new (CS_TYPE_THUMBNAILER,
                       "mode", beside ? CS_OUTPUT_BESIDE : CS_OUTPUT_CACHE,
                       "flavor", flavor,
                       "size", cs_flavor_get_size (flavor),
                       "want-pixels", TRUE,
                       "retry-failed", retry,
                       "background", TRUE,
                       NULL);
}

/* The scan's batch is fed what the scan finds a little at a time, never
 * more than FEED_AHEAD jobs waiting: a queued job costs some 100 bytes,
 * which for 100,000 images found faster than they are made was 10 MB.
 * 2,048 checks of a valid cache entry keep two workers busy for about
 * 25 ms, longer than the main loop takes to draw a frame and feed more. */
#define FEED_AHEAD 2048

static void
clear_feed (CsWindow *self)
{
  for (guint i = self->feed_next; i < self->feed->len; i++)
    g_object_unref (g_ptr_array_index (self->feed, i));
  g_ptr_array_set_size (self->feed, 0);
  self->feed_next = 0;
  g_hash_table_remove_all (self->fed_early);
  self->feed_batch = NULL;
}

static gboolean
add_to_batch (CsWindow *self,
              CsBatch  *batch,
              CsItem   *item)
{
  return cs_batch_add (batch, cs_item_get_file (item), NULL, g_object_ref (item), g_object_unref);
}

static void
feed (CsWindow *self)
{
  CsBatch *batch = self->feed_batch;

  if (batch == NULL)
    return;

  while (self->feed_next < self->feed->len && cs_batch_get_outstanding (batch) < FEED_AHEAD)
    {
      g_autoptr(CsItem) item = g_ptr_array_index (self->feed, self->feed_next);

      g_ptr_array_index (self->feed, self->feed_next) = NULL;
      self->feed_next++;
      if (!g_hash_table_remove (self->fed_early, item) && !add_to_batch (self, batch, item))
        self->n_submitted -= MIN (self->n_submitted, 1);
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

/* A cell shows @item, which waits in the feed: it goes in now, at the
 * front. */
static void
feed_early (CsWindow *self,
            CsItem   *item)
{
  if (self->feed_batch == NULL || g_hash_table_contains (self->fed_early, item))
    return;

  if (add_to_batch (self, self->feed_batch, item))
    {
      g_hash_table_add (self->fed_early, g_object_ref (item));
      cs_batch_prioritize (self->feed_batch, item);
    }
}

static void
on_item_done (CsBatch  *batch,
              CsResult *result,
              CsWindow *self)
{
  CsItem *item = cs_result_get_tag (result);
  const GError *error = cs_result_get_error (result);

  if (batch == self->feed_batch)
    feed (self);

  /* Its file went while the job waited: not a failure, and not counted. */
  if (!is_current (self, item))
    {
      self->n_submitted -= MIN (self->n_submitted, 1);
      update_status (self);
      return;
    }

  if (error != NULL)
    {
      self->n_failed++;
      forget_texture (self, item);
      cs_item_set_failed (item, error->message);
      if (!g_ptr_array_find (self->failures, item, NULL))
        g_ptr_array_add (self->failures, g_object_ref (item));
    }
  else
    {
      GdkPixbuf *pixbuf = cs_result_get_pixbuf (result);
      g_autoptr(GdkTexture) texture = NULL;

      /* Pixels for a cell on screen; the rest load when they are shown. */
      if (pixbuf != NULL && bound_count (self, item) > 0)
        texture = texture_for_pixbuf (pixbuf);

      self->n_done++;
      self->bytes_written += cs_result_get_bytes_written (result);
      cs_item_set_done (item, GDK_PAINTABLE (texture));
      g_ptr_array_remove (self->failures, item);
      if (texture != NULL)
        {
          remember_texture (self, item);
          note_shown (self);
        }
      else
        maybe_load_texture (self, item);
    }

  update_status (self);
}

static void
mark_not_made (CsWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));

  flush_pending_items (self);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      cs_item_set_not_made (item);
    }
}

static void
on_batch_finished (CsBatch  *batch,
                   int       outcome,
                   CsWindow *self)
{
  g_autoptr(CsBatch) hold = g_object_ref (batch);

  g_signal_handlers_disconnect_by_data (batch, self);
  g_ptr_array_remove (self->batches, batch);
  if (batch == self->feed_batch)
    clear_feed (self);

  if (outcome == CS_BATCH_CANCELLED)
    mark_not_made (self);

  notify_running (self);

  if (!cs_window_get_running (self))
    {
      cs_trace ("finished %.1f ms: %s",
                (g_get_monotonic_time () - self->open_time) / 1000.0, self->status_text);
      stop_probe (self);
    }
}

static CsBatch *
new_batch (CsWindow *self,
           gboolean  retry)
{
  g_autoptr(CsThumbnailer) thumbnailer = make_thumbnailer (self, retry);
  CsBatch *batch = cs_batch_new (thumbnailer, g_settings_get_uint (self->settings, "workers"));

  /* Where the thumbnails of what it makes are read back from: items keep
   * no path, which at 100,000 images was 7 MB. */
  g_set_object (&self->thumbnailer, thumbnailer);

  g_signal_connect_object (batch, "item-done", G_CALLBACK (on_item_done), self, 0);
  g_signal_connect_object (batch, "finished", G_CALLBACK (on_batch_finished), self, 0);
  g_ptr_array_add (self->batches, batch);

  return batch;
}

static void
submit (CsWindow *self,
        CsBatch  *batch,
        CsItem   *item)
{
  cs_item_set_pending (item);
  if (add_to_batch (self, batch, item))
    self->n_submitted++;
}

/* A closed batch of these items: for changed files, and for Retry. */
static void
start_batch (CsWindow  *self,
             GPtrArray *items,
             gboolean   retry)
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
cancel_all (CsWindow *self)
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

/* Forgets the batches without waiting: they cancel themselves when dropped,
 * and what their workers still hold is released on the main thread. */
static void
drop_all (CsWindow *self)
{
  cancel_all (self);
  for (guint i = 0; i < self->batches->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->batches, i), self);
  g_ptr_array_set_size (self->batches, 0);
  g_clear_object (&self->scan_cancellable);
  g_clear_object (&self->scan);
  self->scanning = FALSE;

  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
}

void
cs_window_stop (CsWindow *self)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  if (!cs_window_get_running (self))
    return;

  self->stopped = TRUE;
  cancel_all (self);
  update_status_now (self);
}

/* Scanning */

static void
on_scan_found (CsScan     *scan,
               GFile      *file,
               const char *relative_dir,
               GFileInfo  *info,
               CsWindow   *self)
{
  CsItem *item = add_item (self, file, info);

  if (self->feed_batch != NULL)
    {
      cs_item_set_pending (item);
      self->n_submitted++;
      g_ptr_array_add (self->feed, g_object_ref (item));
      feed (self);
    }
  else if (self->batches->len > 0)
    submit (self, g_ptr_array_index (self->batches, 0), item);
}

static void
on_scan_problem (CsScan       *scan,
                 GFile        *file,
                 const GError *error,
                 CsWindow     *self)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *message = g_strdup_printf ("%s: %s", name, error->message);

  toast (self, message);
}

static void
on_scan_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CsWindow) self = user_data;
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
            g_hash_table_size (self->items_by_file));
  flush_pending_items (self);

  if (self->feed_batch != NULL)
    feed (self);
  else if (self->batches->len > 0)
    cs_batch_close (g_ptr_array_index (self->batches, 0));

  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *name = g_file_get_parse_name (cs_scan_get_root (scan));
      g_autofree char *message = g_strdup_printf (_("Cannot read %s: %s"), name, error->message);

      toast (self, message);
    }

  if (g_list_model_get_n_items (G_LIST_MODEL (self->items)) == 0)
    gtk_stack_set_visible_child_name (self->stack, ok ? "no-images" : "empty");

  notify_running (self);
}

static gboolean
flush_changed (gpointer user_data)
{
  CsWindow *self = user_data;
  g_autoptr(GPtrArray) redo = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  GFile *file;

  self->changed_source = 0;

  g_hash_table_iter_init (&iter, self->changed);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &file))
    {
      g_autoptr(GFileInfo) info =
        g_file_query_info (file,
                           G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                           G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                           G_FILE_ATTRIBUTE_TIME_MODIFIED,
                           G_FILE_QUERY_INFO_NONE, NULL, NULL);
      CsItem *item;

      if (info == NULL)
        {
          remove_item (self, file);
          continue;
        }

      item = update_item (self, file, info);
      g_ptr_array_add (redo, g_object_ref (item));
    }
  g_hash_table_remove_all (self->changed);

  flush_pending_items (self);
  start_batch (self, redo, FALSE);

  return G_SOURCE_REMOVE;
}

static void
note_changed (CsWindow *self,
              GFile    *file)
{
  g_autofree char *name = g_file_get_basename (file);

  /* Our own outputs (beside mode) and hidden files are not images to show. */
  if (name[0] == '.' || !cs_is_image_name (name))
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
                   CsWindow          *self)
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
      remove_item (self, file);
      update_status (self);
      break;
    case G_FILE_MONITOR_EVENT_RENAMED:
      remove_item (self, file);
      if (other_file != NULL)
        note_changed (self, other_file);
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

static void
begin_loading (CsWindow *self)
{
  drop_all (self);
  clear_items (self);
  self->stopped = FALSE;
  self->first_shown = FALSE;
  forget_first_paint (self);
  self->open_time = g_get_monotonic_time ();
  self->scan_cancellable = g_cancellable_new ();
  if (self->failures_window != NULL)
    gtk_window_destroy (self->failures_window);
}

/* "~/Pictures/Holiday" for folders in the home folder, as GNOME apps show
 * them; the full path elsewhere. */
static char *
display_path (GFile *folder)
{
  g_autoptr(GFile) home = g_file_new_for_path (g_get_home_dir ());
  g_autofree char *relative = g_file_get_relative_path (home, folder);

  if (g_file_equal (home, folder))
    return g_strdup ("~");
  if (relative != NULL)
    {
      g_autofree char *display = g_filename_display_name (relative);

      return g_strconcat ("~/", display, NULL);
    }

  return g_file_get_parse_name (folder);
}

/* Where the file chooser starts: the open folder, else Pictures, else home. */
static GFile *
chooser_start (CsWindow *self)
{
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);

  if (self->folder != NULL)
    return g_object_ref (self->folder);
  if (pictures != NULL && g_file_test (pictures, G_FILE_TEST_IS_DIR))
    return g_file_new_for_path (pictures);

  return g_file_new_for_path (g_get_home_dir ());
}

/**
 * cs_window_open_folder:
 *
 * Shows @folder's images and thumbnails them; whatever ran before is
 * cancelled first. The file chooser's answer, a dropped folder and the
 * command line all come here.
 */
void
cs_window_open_folder (CsWindow *self,
                       GFile    *folder)
{
  g_autoptr(CsScan) scan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;

  g_return_if_fail (CS_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (folder));

  begin_loading (self);
  g_set_object (&self->folder, folder);
  g_clear_pointer (&self->files, g_ptr_array_unref);

  name = g_file_get_basename (folder);
  path = display_path (folder);
  uri = g_file_get_uri (folder);
  {
    g_autofree char *display = g_filename_display_name (name);

    adw_window_title_set_title (self->window_title, display);
    adw_window_title_set_subtitle (self->window_title, path);
    gtk_window_set_title (GTK_WINDOW (self), display);
  }
  g_settings_set_string (self->settings, "last-folder", uri);
  cs_trace ("open %s", g_file_peek_path (folder) ? g_file_peek_path (folder) : uri);
  start_probe (self);

  self->feed_batch = new_batch (self, FALSE);
  self->scanning = TRUE;

  scan = cs_scan_new (folder, FALSE);
  g_set_object (&self->scan, scan);
  g_signal_connect_object (scan, "found", G_CALLBACK (on_scan_found), self, 0);
  g_signal_connect_object (scan, "problem", G_CALLBACK (on_scan_problem), self, 0);
  cs_scan_run_async (scan, self->scan_cancellable, on_scan_done, g_object_ref (self));

  self->monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->monitor != NULL)
    g_signal_connect (self->monitor, "changed", G_CALLBACK (on_folder_changed), self);
  else
    g_debug ("Not watching %s: %s", path, error->message);

  gtk_stack_set_visible_child_name (self->stack, "grid");
  notify_running (self);
}

/**
 * cs_window_open_files:
 *
 * Shows just these images (dropped on the window, or given one by one).
 */
void
cs_window_open_files (CsWindow  *self,
                      GFile    **files,
                      guint      n_files)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *title = NULL;

  g_return_if_fail (CS_IS_WINDOW (self));

  begin_loading (self);
  g_clear_object (&self->folder);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  self->files = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n_files; i++)
    {
      g_ptr_array_add (self->files, g_object_ref (files[i]));
      g_ptr_array_add (items, g_object_ref (add_item (self, files[i], NULL)));
    }
  flush_pending_items (self);

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Image", "%u Images", n_files), n_files);
  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, NULL);
  gtk_window_set_title (GTK_WINDOW (self), title);

  start_batch (self, items, FALSE);
  if (n_files == 0)
    gtk_stack_set_visible_child_name (self->stack, "no-images");
}

static void
reload (CsWindow *self)
{
  if (self->folder != NULL)
    {
      g_autoptr(GFile) folder = g_object_ref (self->folder);

      cs_window_open_folder (self, folder);
    }
  else if (self->files != NULL)
    {
      g_autoptr(GPtrArray) files = g_ptr_array_ref (self->files);

      cs_window_open_files (self, (GFile **) files->pdata, files->len);
    }
}

/* Actions */

#if GTK_CHECK_VERSION (4, 10, 0)
static void
on_folder_chosen (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CsWindow) self = user_data;
  g_autoptr(GFile) folder = gtk_file_dialog_select_folder_finish (GTK_FILE_DIALOG (object), result, NULL);

  if (folder != NULL)
    cs_window_open_folder (self, folder);
}
#else
static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     CsWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (folder != NULL)
        cs_window_open_folder (self, folder);
    }

  g_object_unref (dialog);
}
#endif

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

#if GTK_CHECK_VERSION (4, 10, 0)
  g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();
  g_autoptr(GFile) start = chooser_start (self);

  gtk_file_dialog_set_title (dialog, _("Open Folder"));
  gtk_file_dialog_set_accept_label (dialog, _("_Open"));
  gtk_file_dialog_set_initial_folder (dialog, start);
  gtk_file_dialog_select_folder (dialog, GTK_WINDOW (self), NULL, on_folder_chosen, g_object_ref (self));
#else
  GtkFileChooserNative *dialog;
  g_autoptr(GFile) start = chooser_start (self);

  /* The native chooser talks to the file chooser portal inside a flatpak. */
  dialog = gtk_file_chooser_native_new (_("Open Folder"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                        _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), start, NULL);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_chooser_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
#endif
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  cs_window_stop (CS_WINDOW (widget));
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  reload (CS_WINDOW (widget));
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  int flavor = g_settings_get_enum (self->settings, "thumbnail-size");

  if (g_str_equal (action_name, "win.zoom-in"))
    flavor = MIN (flavor + 1, CS_FLAVOR_XX_LARGE);
  else if (g_str_equal (action_name, "win.zoom-out"))
    flavor = MAX (flavor - 1, CS_FLAVOR_NORMAL);
  else
    flavor = CS_FLAVOR_NORMAL;

  g_settings_set_enum (self->settings, "thumbnail-size", flavor);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
retry_failures (CsWindow *self)
{
  g_autoptr(GPtrArray) items = g_steal_pointer (&self->failures);

  self->failures = g_ptr_array_new_with_free_func (g_object_unref);
  self->n_failed -= MIN (self->n_failed, items->len);
  self->n_submitted -= MIN (self->n_submitted, items->len);
  start_batch (self, items, TRUE);
}

static void
show_failures_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  if (self->failures_window == NULL)
    {
      self->failures_window = GTK_WINDOW (cs_failures_window_new (GTK_WINDOW (self), self->failures));
      g_object_add_weak_pointer (G_OBJECT (self->failures_window), (gpointer *) &self->failures_window);
      g_signal_connect_object (self->failures_window, "retry",
                               G_CALLBACK (retry_failures), self, G_CONNECT_SWAPPED);
    }

  gtk_window_present (self->failures_window);
}

static CsItem *
get_selected_item (CsWindow *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static void
open_item (CsWindow *self,
           CsItem   *item)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  g_autoptr(GtkFileLauncher) launcher = gtk_file_launcher_new (cs_item_get_file (item));

  gtk_file_launcher_launch (launcher, GTK_WINDOW (self), NULL, NULL, NULL);
#else
  g_autofree char *uri = g_file_get_uri (cs_item_get_file (item));

  gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
#endif
}

static void
on_grid_activate (CsWindow    *self,
                  guint        position,
                  GtkGridView *grid)
{
  g_autoptr(CsItem) item = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (item != NULL)
    open_item (self, item);
}

static void
open_item_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  CsItem *item = get_selected_item (self);

  if (item != NULL)
    open_item (self, item);
}

static void
on_show_items_done (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);

  if (reply == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Cannot show the file: %s"), error->message);

      toast (self, message);
    }
}

static void
show_in_files_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  CsItem *item = get_selected_item (self);
  GDBusConnection *bus;
  g_autofree char *uri = NULL;
  const char *uris[2] = { NULL, NULL };

  if (item == NULL)
    return;

  bus = g_application_get_dbus_connection (g_application_get_default ());
  if (bus == NULL)
    {
      toast (self, _("No file manager to show the file in"));
      return;
    }

  uri = g_file_get_uri (cs_item_get_file (item));
  uris[0] = uri;
  g_dbus_connection_call (bus,
                          "org.freedesktop.FileManager1",
                          "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1",
                          "ShowItems",
                          g_variant_new ("(^ass)", uris, ""),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          on_show_items_done, g_object_ref (self));
}

static void
copy_path_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  CsItem *item = get_selected_item (self);
  g_autofree char *path = NULL;

  if (item == NULL)
    return;

  path = g_file_get_parse_name (cs_item_get_file (item));
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), path);
  toast (self, _("Path copied"));
}

/* The grid's cells */

static gboolean
unparent_popover (gpointer data)
{
  GtkWidget *popover = data;

  /* Its cell may have gone (and taken it off) in the meantime. */
  if (gtk_widget_get_parent (popover) != NULL)
    gtk_widget_unparent (popover);

  return G_SOURCE_REMOVE;
}

static void
on_popover_closed (GtkPopover *popover)
{
  /* Unparent after the closing animation's last use of the parent. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, unparent_popover,
                   g_object_ref (popover), g_object_unref);
}

static void popup_item_menu (CsWindow  *self,
                             GtkWidget *cell,
                             double     x,
                             double     y);

static void
on_cell_secondary_click (GtkGestureClick *gesture,
                         int              n_press,
                         double           x,
                         double           y,
                         GtkListItem     *list_item)
{
  GtkWidget *cell = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  CsWindow *self = CS_WINDOW (gtk_widget_get_root (cell));

  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection),
                                   gtk_list_item_get_position (list_item), TRUE);
  popup_item_menu (self, cell, x, y);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
popup_item_menu (CsWindow  *self,
                 GtkWidget *cell,
                 double     x,
                 double     y)
{
  GtkWidget *popover = gtk_popover_menu_new_from_model (self->item_menu);

  gtk_widget_set_parent (popover, cell);
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { x, y, 1, 1 });
  g_signal_connect (popover, "closed", G_CALLBACK (on_popover_closed), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
}

static GtkWidget *
find_cell (GtkWidget *widget,
           CsItem    *item)
{
  if (CS_IS_CELL (widget) && cs_cell_get_item (CS_CELL (widget)) == item)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_cell (child, item);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Shift+F10 or the Menu key: the same menu, on the selected image. */
static void
context_menu_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  CsItem *item = get_selected_item (self);
  GtkWidget *cell = item ? find_cell (GTK_WIDGET (self->grid), item) : NULL;

  if (cell != NULL)
    popup_item_menu (self, cell,
                     gtk_widget_get_width (cell) / 2.0,
                     gtk_widget_get_height (cell) / 2.0);
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            CsWindow                 *self)
{
  GtkWidget *cell = cs_cell_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_cell_secondary_click), list_item);
  gtk_widget_add_controller (cell, GTK_EVENT_CONTROLLER (click));
  cs_cell_set_pixel_size (CS_CELL (cell), self->pixel_size);
  gtk_list_item_set_child (list_item, cell);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           CsWindow                 *self)
{
  CsCell *cell = CS_CELL (gtk_list_item_get_child (list_item));
  CsItem *item = gtk_list_item_get_item (list_item);
  gboolean moved = cs_cell_get_item (cell) == item;

  cs_cell_set_pixel_size (cell, self->pixel_size);
  cs_cell_set_item (cell, item);

  g_hash_table_insert (self->bound, item, GUINT_TO_POINTER (bound_count (self, item) + 1));
  touch_texture (self, item);
  maybe_load_texture (self, item);

  /* On screen and still waiting: it goes next. Not again for a cell that
   * keeps its item: GTK 4.8 unbinds and binds again every cell after an
   * inserted image, and moving a job to the front walks the whole queue. */
  if (!moved && cs_item_get_state (item) == CS_ITEM_PENDING)
    {
      gboolean queued = FALSE;

      for (guint i = 0; i < self->batches->len; i++)
        queued |= cs_batch_prioritize (g_ptr_array_index (self->batches, i), item);
      /* Not in any batch yet: it waits in the feed. */
      if (!queued)
        feed_early (self, item);
    }
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             CsWindow                 *self)
{
  CsItem *item = gtk_list_item_get_item (list_item);
  guint count = item ? bound_count (self, item) : 0;

  /* The cell keeps showing @item until it is bound to another or goes:
   * when it is bound to the same one again (it only moved), its bindings
   * and state stay as they are. */
  if (count > 1)
    g_hash_table_insert (self->bound, item, GUINT_TO_POINTER (count - 1));
  else if (count == 1)
    {
      g_hash_table_remove (self->bound, item);
      g_hash_table_remove (self->to_load, item);
    }
}

/* GtkGridView keeps a cell alive for max-columns times 31 rows around what
 * it shows, however many columns fit: at 64 that is some 2,000 cells to
 * build, bind and rebind whenever images land before them. As many columns
 * as the widest monitor could show leaves the layout as it was. */
static void
update_max_columns (CsWindow *self)
{
  GListModel *monitors = gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (self)));
  int width = 0;
  guint columns;

  for (guint i = 0; i < g_list_model_get_n_items (monitors); i++)
    {
      g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, i);
      GdkRectangle geometry;

      gdk_monitor_get_geometry (monitor, &geometry);
      width = MAX (width, geometry.width);
    }

  /* A column is at least a cell and its padding (style.css). */
  columns = width > 0 ? width / (self->pixel_size + 2 * CELL_PADDING) : 16;
  gtk_grid_view_set_max_columns (self->grid, CLAMP (columns, 1, 64));
}

static void
set_up_factory (CsWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  self->pixel_size = cs_flavor_get_size (g_settings_get_enum (self->settings, "thumbnail-size"));
  /* Cells at 512 or 1024 pixels would leave one column: show those at most
   * at 384; the file behind them is still the full size. */
  self->pixel_size = MIN (self->pixel_size, 384);

  update_max_columns (self);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), self);
  gtk_grid_view_set_factory (self->grid, factory);
}

/* Settings */

static void
on_thumbnail_settings_changed (GSettings  *settings,
                               const char *key,
                               CsWindow   *self)
{
  if (g_str_equal (key, "thumbnail-size"))
    set_up_factory (self);

  reload (self);
}

static void
on_sort_order_changed (GSettings  *settings,
                       const char *key,
                       CsWindow   *self)
{
  self->sort_order = g_settings_get_enum (settings, "sort-order");
  self->pending_sorted = FALSE;
  g_list_store_sort (self->items, sort_items, self);
}

static gboolean
cs_window_close_request (GtkWindow *window)
{
  CsWindow *self = CS_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_apply (self->settings);

  /* Closing mid-batch: stop now, drop everything, do not wait for workers. */
  drop_all (self);

  return GTK_WINDOW_CLASS (cs_window_parent_class)->close_request (window);
}

/* Drag and drop */

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         CsWindow      *self)
{
  GSList *list = g_value_get_boxed (value);
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  for (GSList *l = list; l != NULL; l = l->next)
    {
      if (g_file_query_file_type (l->data, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY)
        {
          cs_window_open_folder (self, l->data);
          return TRUE;
        }
      g_ptr_array_add (files, l->data);
    }

  if (files->len == 0)
    return FALSE;

  cs_window_open_files (self, (GFile **) files->pdata, files->len);

  return TRUE;
}

static void
cs_window_dispose (GObject *object)
{
  CsWindow *self = (CsWindow *)object;

  drop_all (self);
  g_clear_handle_id (&self->flush_source, g_source_remove);
  g_clear_handle_id (&self->status_source, g_source_remove);
  g_clear_handle_id (&self->load_source, g_source_remove);
  g_clear_handle_id (&self->probe_source, g_source_remove);
  disconnect_frame_clock (self);
  forget_first_paint (self);
  if (self->load_cancellable != NULL)
    {
      clear_textures (self);
      g_cancellable_cancel (self->load_cancellable);
      g_clear_object (&self->load_cancellable);
    }
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_WINDOW);

  g_clear_object (&self->selection);
  g_clear_object (&self->filter);
  g_clear_object (&self->items);
  g_clear_object (&self->folder);
  g_clear_object (&self->thumbnailer);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cs_window_parent_class)->dispose (object);
}

static void
cs_window_finalize (GObject *object)
{
  CsWindow *self = (CsWindow *)object;

  g_ptr_array_unref (self->batches);
  g_ptr_array_unref (self->pending_items);
  g_ptr_array_unref (self->failures);
  g_hash_table_unref (self->items_by_file);
  g_hash_table_unref (self->changed);
  g_hash_table_unref (self->texture_links);
  g_hash_table_unref (self->bound);
  g_hash_table_unref (self->loading);
  g_hash_table_unref (self->to_load);
  clear_feed (self);
  g_ptr_array_unref (self->feed);
  g_hash_table_unref (self->fed_early);
  g_free (self->search_text);
  g_free (self->status_text);
  g_clear_pointer (&self->probe_gaps, g_array_unref);
  g_clear_pointer (&self->frame_times, g_array_unref);

  G_OBJECT_CLASS (cs_window_parent_class)->finalize (object);
}

static void
cs_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CsWindow *self = CS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, cs_window_get_running (self));
      break;
    case PROP_STATUS_TEXT:
      g_value_set_string (value, self->status_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_window_class_init (CsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cs_window_dispose;
  object_class->finalize = cs_window_finalize;
  object_class->get_property = cs_window_get_property;
  window_class->close_request = cs_window_close_request;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATUS_TEXT] =
    g_param_spec_string ("status-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/contactsheet/ContactSheet/cs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, grid);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, failures_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, status_revealer);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, item_menu);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_grid_activate);

  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_folder_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-reset", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.show-failures", NULL, show_failures_action);
  gtk_widget_class_install_action (widget_class, "win.open-item", NULL, open_item_action);
  gtk_widget_class_install_action (widget_class, "win.show-in-files", NULL, show_in_files_action);
  gtk_widget_class_install_action (widget_class, "win.copy-path", NULL, copy_path_action);
  gtk_widget_class_install_action (widget_class, "win.context-menu", NULL, context_menu_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open-folder", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.stop", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "win.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "win.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "win.zoom-reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "win.copy-path", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "win.context-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "win.context-menu", NULL);
}

static void
cs_window_init (CsWindow *self)
{
  g_autoptr(GSimpleActionGroup) settings_actions = g_simple_action_group_new ();
  g_autoptr(GAction) size_action = NULL;
  g_autoptr(GAction) sort_action = NULL;
  GtkFilterListModel *filtered;
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->batches = g_ptr_array_new_with_free_func (g_object_unref);
  self->pending_items = g_ptr_array_new_with_free_func (g_object_unref);
  self->failures = g_ptr_array_new_with_free_func (g_object_unref);
  self->items_by_file = g_hash_table_new (g_file_hash, (GEqualFunc) g_file_equal);
  self->texture_links = g_hash_table_new (NULL, NULL);
  self->bound = g_hash_table_new (NULL, NULL);
  self->loading = g_hash_table_new (NULL, NULL);
  self->feed = g_ptr_array_new ();
  self->fed_early = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->to_load = g_hash_table_new (NULL, NULL);
  self->load_cancellable = g_cancellable_new ();
  g_queue_init (&self->textures);
  self->changed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->sort_order = g_settings_get_enum (self->settings, "sort-order");

  self->items = g_list_store_new (CS_TYPE_ITEM);
  self->filter = gtk_custom_filter_new (filter_item, self, NULL);
  filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->items)), NULL);
  self->filtered = filtered;
  self->selection = gtk_single_selection_new (G_LIST_MODEL (filtered));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_grid_view_set_model (self->grid, GTK_SELECTION_MODEL (self->selection));
  set_up_factory (self);

  size_action = g_settings_create_action (self->settings, "thumbnail-size");
  sort_action = g_settings_create_action (self->settings, "sort-order");
  g_action_map_add_action (G_ACTION_MAP (settings_actions), size_action);
  g_action_map_add_action (G_ACTION_MAP (settings_actions), sort_action);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "settings", G_ACTION_GROUP (settings_actions));

  g_signal_connect_object (gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (self))),
                           "items-changed", G_CALLBACK (update_max_columns), self, G_CONNECT_SWAPPED);
  g_signal_connect (self->settings, "changed::thumbnail-size",
                    G_CALLBACK (on_thumbnail_settings_changed), self);
  g_signal_connect (self->settings, "changed::output-mode",
                    G_CALLBACK (on_thumbnail_settings_changed), self);
  g_signal_connect (self->settings, "changed::workers",
                    G_CALLBACK (on_thumbnail_settings_changed), self);
  g_signal_connect (self->settings, "changed::sort-order",
                    G_CALLBACK (on_sort_order_changed), self);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  gtk_stack_set_visible_child_name (self->stack, "empty");
  notify_running (self);
}

CsWindow *
cs_window_new (CsApplication *application)
{
  return g_object_new (CS_TYPE_WINDOW, "application", application, NULL);
}

/* A transient message at the bottom of the window. */
void
cs_window_show_message (CsWindow   *self,
                        const char *message)
{
  g_return_if_fail (CS_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  toast (self, message);
}

GFile *
cs_window_get_folder (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->folder;
}

GListModel *
cs_window_get_items (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->items);
}

guint
cs_window_get_n_done (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), 0);
  return self->n_done;
}

guint
cs_window_get_n_failed (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), 0);
  return self->n_failed;
}

guint64
cs_window_get_bytes_written (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), 0);
  return self->bytes_written;
}

const char *
cs_window_get_status_text (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->status_text;
}
