/* cs-grid-model.c: the grid's items, kept sorted, and the ones on their way
 *
 * Found images wait here until they join the sorted store in bursts; the
 * store is what the grid shows. Each item is found again by its file, and
 * the model knows which items cells show, which decides where a burst is
 * cut. GIO only: the view tells it what it shows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-grid-model"

#include "config.h"

#include "cs-grid-model.h"

#include <string.h>

/* Images found join the grid at most this often. */
#define FLUSH_INTERVAL_MS 1000

/* Found images join the grid this many at a time, fewer while the grid
 * has fewer images than it keeps cells for (n-cells). */
#define MERGE_CHUNK 1000
#define FIRST_CHUNK 24

struct _CsGridModel
{
  GObject      parent_instance;

  GListStore  *items;          /* sorted */
  GHashTable  *items_by_file;  /* GFile -> CsItem, both borrowed from the item */
  GPtrArray   *pending;        /* found, not yet in the store */
  gboolean     pending_sorted;
  guint        flush_source;
  GHashTable  *shown;          /* CsItem -> number of cells showing it */
  CsSortOrder  sort_order;
  gboolean     sort_reversed;
  char        *search;         /* casefolded */
  guint        n_cells;
  CsItemCounts counts;         /* of the items in items_by_file */
};

G_DEFINE_FINAL_TYPE (CsGridModel, cs_grid_model, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SORT_ORDER,
  PROP_SORT_REVERSED,
  PROP_SEARCH,
  PROP_N_CELLS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  MERGING,
  MERGED,
  ITEM_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static int
sort_items (gconstpointer a,
            gconstpointer b,
            gpointer      user_data)
{
  CsGridModel *self = user_data;
  CsItem *item_a = (CsItem *) a;
  CsItem *item_b = (CsItem *) b;
  gint64 diff = 0;
  int group;
  int order;

  /* Sub-folders first, as file managers show them; then the pictures of
   * each folder together, the folders in path order. Reverse Order keeps
   * these and turns the order within each folder. */
  if (cs_item_get_kind (item_a) != cs_item_get_kind (item_b))
    return cs_item_is_folder (item_a) ? -1 : 1;
  group = strcmp (cs_item_get_dir_key (item_a), cs_item_get_dir_key (item_b));
  if (group != 0)
    return group;

  if (self->sort_order == CS_SORT_DATE)
    diff = cs_item_get_mtime (item_b) - cs_item_get_mtime (item_a);
  else if (self->sort_order == CS_SORT_SIZE)
    diff = cs_item_get_size (item_b) - cs_item_get_size (item_a);

  if (diff != 0)
    order = diff < 0 ? -1 : 1;
  else
    order = strcmp (cs_item_get_collate_key (item_a), cs_item_get_collate_key (item_b));

  /* The whole order turns, ties by name too: reversed is the same list
   * read from its end. */
  return self->sort_reversed ? -order : order;
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
bisect (CsGridModel *self,
        CsItem      *item,
        guint        lower,
        gboolean     strict)
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
find_item (CsGridModel *self,
           CsItem      *item,
           guint       *position)
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
last_shown_item (CsGridModel *self)
{
  GHashTableIter iter;
  CsItem *item;
  CsItem *last = NULL;

  g_hash_table_iter_init (&iter, self->shown);
  while (g_hash_table_iter_next (&iter, (gpointer *) &item, NULL))
    if (last == NULL || sort_items (item, last, self) > 0)
      last = item;

  return last;
}

/* Splices the sorted pending items from @from up to @to into the store,
 * with the items there from the first one's place up to @last (%NULL: to
 * the end), in one go. Returns the position after them. */
static guint
merge_range (CsGridModel *self,
             guint        from,
             guint        to,
             CsItem      *last)
{
  GPtrArray *pending = self->pending;
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
merge_pending (CsGridModel *self,
               guint        n_merge)
{
  GPtrArray *pending = self->pending;
  g_autoptr(CsItem) last = NULL;
  guint start = 0;

  g_signal_emit (self, signals[MERGING], 0);

  if (!self->pending_sorted)
    g_ptr_array_sort_with_data (pending, compare_pending, self);
  self->pending_sorted = TRUE;
  n_merge = MIN (n_merge, pending->len);

  /* While searching, the filter model goes over the whole list for each
   * splice: one splice then, up to the end. */
  if (!(self->search != NULL && self->search[0] != '\0') &&
      last_shown_item (self) != NULL)
    {
      last = g_object_ref (last_shown_item (self));

      while (start < n_merge &&
             sort_items (g_ptr_array_index (pending, start), last, self) < 0)
        start++;
      if (start > 0)
        merge_range (self, 0, start, last);
    }

  if (start < n_merge)
    merge_range (self, start, n_merge, NULL);

  g_ptr_array_remove_range (pending, 0, n_merge);

  g_signal_emit (self, signals[MERGED], 0);
}

/* Everything found so far joins the store now. */
void
cs_grid_model_flush (CsGridModel *self)
{
  g_return_if_fail (CS_IS_GRID_MODEL (self));

  /* A flush due later is this one. */
  g_clear_handle_id (&self->flush_source, g_source_remove);

  if (self->pending->len > 0)
    merge_pending (self, self->pending->len);
}

/* A burst joins the store a part at a time, with frames drawn in between;
 * the grid's first screen comes in smaller parts still, since each image
 * there is a cell to build. */
static gboolean
on_flush_due (gpointer user_data)
{
  CsGridModel *self = user_data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));

  self->flush_source = 0;
  merge_pending (self, n < self->n_cells ? FIRST_CHUNK : MERGE_CHUNK);

  if (self->pending->len > 0)
    self->flush_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, on_flush_due, self, NULL);

  return G_SOURCE_REMOVE;
}

/**
 * cs_grid_model_add:
 *
 * The item for @file, made if there is none yet; a new one joins the store
 * with the next burst. Returns: (transfer none): the item.
 */
CsItem *
cs_grid_model_add (CsGridModel *self,
                   GFile       *file,
                   GFileInfo   *info)
{
  CsItem *item;

  g_return_val_if_fail (CS_IS_GRID_MODEL (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  item = g_hash_table_lookup (self->items_by_file, file);
  if (item != NULL)
    return item;

  item = cs_item_new (file, info);
  cs_item_set_counts (item, &self->counts);
  /* The item's own GFile is the key: no string per image. */
  g_hash_table_insert (self->items_by_file, cs_item_get_file (item), item);
  g_ptr_array_add (self->pending, item);
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

/**
 * cs_grid_model_add_folder:
 *
 * The tile of @folder, a sub-folder of the open one, made if there is none
 * yet; it joins the store with the next burst, before the images.
 * Returns: (transfer none): the tile's item.
 */
CsItem *
cs_grid_model_add_folder (CsGridModel *self,
                          GFile       *folder,
                          GFileInfo   *info)
{
  CsItem *item;

  g_return_val_if_fail (CS_IS_GRID_MODEL (self), NULL);
  g_return_val_if_fail (G_IS_FILE (folder), NULL);

  item = g_hash_table_lookup (self->items_by_file, folder);
  if (item != NULL)
    return item;

  item = cs_item_new_folder (folder, info);
  g_hash_table_insert (self->items_by_file, cs_item_get_file (item), item);
  g_ptr_array_add (self->pending, item);
  self->pending_sorted = FALSE;
  if (self->flush_source == 0)
    self->flush_source = g_idle_add_full (G_PRIORITY_DEFAULT, on_flush_due, self, NULL);

  return item;
}

void
cs_grid_model_remove (CsGridModel *self,
                      GFile       *file)
{
  CsItem *item;
  guint position;

  g_return_if_fail (CS_IS_GRID_MODEL (self));

  item = g_hash_table_lookup (self->items_by_file, file);
  if (item == NULL)
    return;

  /* Out of the table first: its key goes with the item. */
  g_hash_table_remove (self->items_by_file, file);
  cs_item_set_counts (item, NULL);
  g_signal_emit (self, signals[ITEM_REMOVED], 0, item);
  if (find_item (self, item, &position))
    g_list_store_remove (self->items, position);
  else
    g_ptr_array_remove (self->pending, item);
}

/**
 * cs_grid_model_contains:
 *
 * Whether @item is still shown: a job or a load may outlive its item's
 * removal (the file deleted meanwhile), and must not bring it back.
 */
gboolean
cs_grid_model_contains (CsGridModel *self,
                        CsItem      *item)
{
  g_return_val_if_fail (CS_IS_GRID_MODEL (self), FALSE);

  return g_hash_table_lookup (self->items_by_file, cs_item_get_file (item)) == item;
}

/**
 * cs_grid_model_update:
 *
 * A changed file: its item goes back among the pending ones, to be merged
 * in where its new date or size puts it. Returns: (transfer none): the item.
 */
CsItem *
cs_grid_model_update (CsGridModel *self,
                      GFile       *file,
                      GFileInfo   *info)
{
  CsItem *item;
  guint position;

  g_return_val_if_fail (CS_IS_GRID_MODEL (self), NULL);

  item = g_hash_table_lookup (self->items_by_file, file);
  if (item == NULL)
    item = cs_grid_model_add (self, file, info);
  else if (find_item (self, item, &position))
    {
      g_ptr_array_add (self->pending, g_object_ref (item));
      g_list_store_remove (self->items, position);
    }

  cs_item_set_info (item, info);
  self->pending_sorted = FALSE;

  return item;
}

/* An item kept elsewhere (a job, a cell) stops counting here. */
static void
forget_all (CsGridModel *self)
{
  GHashTableIter iter;
  CsItem *item;

  g_hash_table_iter_init (&iter, self->items_by_file);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &item))
    cs_item_set_counts (item, NULL);
  g_hash_table_remove_all (self->items_by_file);
}

void
cs_grid_model_clear (CsGridModel *self)
{
  g_return_if_fail (CS_IS_GRID_MODEL (self));

  g_clear_handle_id (&self->flush_source, g_source_remove);
  forget_all (self);
  g_ptr_array_set_size (self->pending, 0);
  g_list_store_remove_all (self->items);
}

/**
 * cs_grid_model_get_items:
 *
 * Returns: (transfer none): the sorted #CsItem the grid shows.
 */
GListModel *
cs_grid_model_get_items (CsGridModel *self)
{
  g_return_val_if_fail (CS_IS_GRID_MODEL (self), NULL);

  return G_LIST_MODEL (self->items);
}

/* Images found, in the store or on their way. */
guint
cs_grid_model_get_n_found (CsGridModel *self)
{
  g_return_val_if_fail (CS_IS_GRID_MODEL (self), 0);

  return g_hash_table_size (self->items_by_file);
}

/* Of the images found, how many are in @state: O(1), kept by the items. */
guint
cs_grid_model_get_n_in_state (CsGridModel *self,
                              CsItemState  state)
{
  g_return_val_if_fail (CS_IS_GRID_MODEL (self), 0);
  g_return_val_if_fail (state < CS_ITEM_N_STATES, 0);

  return self->counts.n[state];
}

void
cs_grid_model_set_sort_order (CsGridModel *self,
                              CsSortOrder  sort_order)
{
  g_return_if_fail (CS_IS_GRID_MODEL (self));

  if (self->sort_order == sort_order)
    return;

  self->sort_order = sort_order;
  self->pending_sorted = FALSE;
  g_list_store_sort (self->items, sort_items, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_ORDER]);
}

/* Reverses each order's natural direction: names Z to A, dates oldest
 * first, sizes smallest first. */
void
cs_grid_model_set_sort_reversed (CsGridModel *self,
                                 gboolean     reversed)
{
  g_return_if_fail (CS_IS_GRID_MODEL (self));

  reversed = !!reversed;
  if (self->sort_reversed == reversed)
    return;

  self->sort_reversed = reversed;
  self->pending_sorted = FALSE;
  g_list_store_sort (self->items, sort_items, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_REVERSED]);
}

const char *
cs_grid_model_get_search (CsGridModel *self)
{
  g_return_val_if_fail (CS_IS_GRID_MODEL (self), NULL);

  return self->search;
}

/* What names must contain to match; empty or %NULL: everything matches. */
void
cs_grid_model_set_search (CsGridModel *self,
                          const char  *search)
{
  g_autofree char *folded = NULL;

  g_return_if_fail (CS_IS_GRID_MODEL (self));

  folded = search != NULL ? g_utf8_casefold (search, -1) : NULL;
  if (g_strcmp0 (folded, self->search) == 0)
    return;

  g_free (self->search);
  self->search = g_steal_pointer (&folded);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);
}

gboolean
cs_grid_model_matches (CsGridModel *self,
                       CsItem      *item)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (CS_IS_GRID_MODEL (self), FALSE);

  if (self->search == NULL || self->search[0] == '\0')
    return TRUE;

  name = g_utf8_casefold (cs_item_get_name (item), -1);

  return strstr (name, self->search) != NULL;
}

/* How many cells the grid keeps: until the store has as many items, they
 * join it in small parts. */
void
cs_grid_model_set_n_cells (CsGridModel *self,
                           guint        n_cells)
{
  g_return_if_fail (CS_IS_GRID_MODEL (self));

  if (self->n_cells == n_cells)
    return;

  self->n_cells = n_cells;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CELLS]);
}

/* A cell shows @item; returns how many do now. */
guint
cs_grid_model_show (CsGridModel *self,
                    CsItem      *item)
{
  guint count;

  g_return_val_if_fail (CS_IS_GRID_MODEL (self), 0);

  count = cs_grid_model_get_n_shown (self, item) + 1;
  g_hash_table_insert (self->shown, item, GUINT_TO_POINTER (count));

  return count;
}

/* A cell no longer shows @item; returns how many still do. */
guint
cs_grid_model_hide (CsGridModel *self,
                    CsItem      *item)
{
  guint count;

  g_return_val_if_fail (CS_IS_GRID_MODEL (self), 0);

  count = cs_grid_model_get_n_shown (self, item);
  if (count > 1)
    g_hash_table_insert (self->shown, item, GUINT_TO_POINTER (count - 1));
  else if (count == 1)
    g_hash_table_remove (self->shown, item);

  return count > 0 ? count - 1 : 0;
}

guint
cs_grid_model_get_n_shown (CsGridModel *self,
                           CsItem      *item)
{
  g_return_val_if_fail (CS_IS_GRID_MODEL (self), 0);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->shown, item));
}

static void
cs_grid_model_dispose (GObject *object)
{
  CsGridModel *self = (CsGridModel *)object;

  g_clear_handle_id (&self->flush_source, g_source_remove);
  if (self->items != NULL)
    {
      forget_all (self);
      g_ptr_array_set_size (self->pending, 0);
      g_clear_object (&self->items);
    }

  G_OBJECT_CLASS (cs_grid_model_parent_class)->dispose (object);
}

static void
cs_grid_model_finalize (GObject *object)
{
  CsGridModel *self = (CsGridModel *)object;

  g_hash_table_unref (self->items_by_file);
  g_hash_table_unref (self->shown);
  g_ptr_array_unref (self->pending);
  g_free (self->search);

  G_OBJECT_CLASS (cs_grid_model_parent_class)->finalize (object);
}

static void
cs_grid_model_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CsGridModel *self = CS_GRID_MODEL (object);

  switch (prop_id)
    {
    case PROP_SORT_ORDER:
      g_value_set_int (value, self->sort_order);
      break;
    case PROP_SORT_REVERSED:
      g_value_set_boolean (value, self->sort_reversed);
      break;
    case PROP_SEARCH:
      g_value_set_string (value, self->search);
      break;
    case PROP_N_CELLS:
      g_value_set_uint (value, self->n_cells);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_grid_model_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CsGridModel *self = CS_GRID_MODEL (object);

  switch (prop_id)
    {
    case PROP_SORT_ORDER:
      cs_grid_model_set_sort_order (self, g_value_get_int (value));
      break;
    case PROP_SORT_REVERSED:
      cs_grid_model_set_sort_reversed (self, g_value_get_boolean (value));
      break;
    case PROP_SEARCH:
      cs_grid_model_set_search (self, g_value_get_string (value));
      break;
    case PROP_N_CELLS:
      cs_grid_model_set_n_cells (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_grid_model_class_init (CsGridModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_grid_model_dispose;
  object_class->finalize = cs_grid_model_finalize;
  object_class->get_property = cs_grid_model_get_property;
  object_class->set_property = cs_grid_model_set_property;

  properties[PROP_SORT_ORDER] =
    g_param_spec_int ("sort-order", NULL, NULL, CS_SORT_NAME, CS_SORT_SIZE, CS_SORT_NAME,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SORT_REVERSED] =
    g_param_spec_boolean ("sort-reversed", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SEARCH] =
    g_param_spec_string ("search", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_CELLS] =
    g_param_spec_uint ("n-cells", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Around each burst that joins the store: the view keeps a grid that
   * has not been scrolled at its start. */
  signals[MERGING] = g_signal_new ("merging", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[MERGED] = g_signal_new ("merged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Before the item leaves the store: what is kept for it goes too. */
  signals[ITEM_REMOVED] = g_signal_new ("item-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, CS_TYPE_ITEM);
}

static void
cs_grid_model_init (CsGridModel *self)
{
  self->items = g_list_store_new (CS_TYPE_ITEM);
  self->items_by_file = g_hash_table_new (g_file_hash, (GEqualFunc) g_file_equal);
  self->pending = g_ptr_array_new_with_free_func (g_object_unref);
  self->shown = g_hash_table_new (NULL, NULL);
}

CsGridModel *
cs_grid_model_new (void)
{
  return g_object_new (CS_TYPE_GRID_MODEL, NULL);
}
