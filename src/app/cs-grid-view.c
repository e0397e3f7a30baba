/* cs-grid-view.c: the grid's cells, and what can be done with an image
 *
 * Drives the window's GtkGridView: builds and binds its cells, filters
 * and selects over the grid model, keeps a grid that is filling at its
 * start, keeps the selection and pops up a menu for it. It tells the
 * model and the texture cache which items cells show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-grid-view"

#include "config.h"

#include "cs-grid-view.h"

#include "cs-cell.h"

/* GtkGridView keeps max-columns times about 31 rows of cells. */
#define GRID_ROWS 32

/* The padding of a cell in the grid, on each side (style.css). */
#define CELL_PADDING 8

struct _CsGridView
{
  GObject             parent_instance;

  GtkGridView        *grid;       /* borrowed: the window's */
  CsGridModel        *model;
  CsTextureCache     *cache;
  GMenuModel         *item_menu;
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;   /* filters only while searching; borrowed */
  GtkMultiSelection  *selection;
  int                 pixel_size;
  gboolean            at_top;
};

G_DEFINE_FINAL_TYPE (CsGridView, cs_grid_view, G_TYPE_OBJECT)

enum {
  FOLDER_ACTIVATED,
  PREVIEW,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
filter_item (gpointer item,
             gpointer user_data)
{
  CsGridView *self = user_data;

  return cs_grid_model_matches (self->model, item);
}

void
cs_grid_view_set_search (CsGridView *self,
                         const char *text)
{
  const char *search;

  g_return_if_fail (CS_IS_GRID_VIEW (self));

  cs_grid_model_set_search (self->model, text);
  search = cs_grid_model_get_search (self->model);

  /* GTK 4.8's filter model pays for every change to the list with a pass
   * over all of it, even when its filter lets everything through: without
   * a search, it has none. */
  if (search == NULL || search[0] == '\0')
    gtk_filter_list_model_set_filter (self->filtered, NULL);
  else if (gtk_filter_list_model_get_filter (self->filtered) == NULL)
    gtk_filter_list_model_set_filter (self->filtered, GTK_FILTER (self->filter));
  else
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* The grid keeps its top cell in place when items land before it, which
 * would scroll a grid that is filling away from its start: someone who
 * has not scrolled stays at the first picture. */
static void
on_merging (CsGridView *self)
{
  GtkAdjustment *vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->grid));

  self->at_top = (vadjustment == NULL || gtk_adjustment_get_value (vadjustment) < 1.0) &&
                 g_list_model_get_n_items (cs_grid_model_get_items (self->model)) > 0;
}

static void
on_merged (CsGridView *self)
{
  if (self->at_top)
    gtk_widget_activate_action (GTK_WIDGET (self->grid), "list.scroll-to-item", "u", 0);
}

/* The selection: GtkGridView's own clicks (Ctrl+ and Shift+), rubber band
 * and Ctrl+A / Shift+Ctrl+A; what is done with it is the window's
 * (cs-selection-actions.c). An action on an image outside the selection
 * (activated with Return or a double click, or right-clicked) makes it the
 * selection first, as in Nautilus. */

GtkSelectionModel *
cs_grid_view_get_selection (CsGridView *self)
{
  g_return_val_if_fail (CS_IS_GRID_VIEW (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}

static void
select_for_action (CsGridView *self,
                   guint       position)
{
  if (!gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
}

/* A sub-folder's tile is entered, not handed to another app; an image
 * is opened with the rest of the selection. */
static void
on_grid_activate (CsGridView  *self,
                  guint        position,
                  GtkGridView *grid)
{
  g_autoptr(CsItem) item = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (item == NULL)
    return;

  if (cs_item_is_folder (item))
    {
      g_signal_emit (self, signals[FOLDER_ACTIVATED], 0, cs_item_get_file (item));
      return;
    }

  select_for_action (self, position);
  gtk_widget_activate_action (GTK_WIDGET (grid), "win.open-item", NULL);
}

/* The context menu */

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

static void
popup_item_menu (CsGridView *self,
                 GtkWidget  *cell,
                 double      x,
                 double      y)
{
  GtkWidget *popover = gtk_popover_menu_new_from_model (self->item_menu);

  gtk_widget_set_parent (popover, cell);
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { x, y, 1, 1 });
  g_signal_connect (popover, "closed", G_CALLBACK (on_popover_closed), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
}

static void
on_cell_secondary_click (GtkGestureClick *gesture,
                         int              n_press,
                         double           x,
                         double           y,
                         CsGridView      *self)
{
  GtkWidget *cell = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkListItem *list_item = g_object_get_data (G_OBJECT (gesture), "list-item");

  select_for_action (self, gtk_list_item_get_position (list_item));
  popup_item_menu (self, cell, x, y);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
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

/* The image a preview starts at: the focused cell's, or else the first
 * selected one. */
CsItem *
cs_grid_view_get_current_item (CsGridView *self)
{
  GtkRoot *root;
  GtkWidget *focus;
  g_autoptr(GtkBitset) selected = NULL;
  CsItem *item;

  g_return_val_if_fail (CS_IS_GRID_VIEW (self), NULL);

  root = gtk_widget_get_root (GTK_WIDGET (self->grid));
  focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  /* The focus is on the cell's list item, the cell's parent. */
  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->grid)))
    {
      GtkWidget *cell = CS_IS_CELL (focus) ? focus : gtk_widget_get_first_child (focus);

      if (cell != NULL && CS_IS_CELL (cell) && cs_cell_get_item (CS_CELL (cell)) != NULL)
        return cs_cell_get_item (CS_CELL (cell));
    }

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (gtk_bitset_is_empty (selected))
    return NULL;

  item = g_list_model_get_item (G_LIST_MODEL (self->selection), gtk_bitset_get_minimum (selected));
  /* The list keeps it. */
  g_object_unref (item);

  return item;
}

/* Ctrl+double-click: the preview, where a plain one opens the image. */
static void
on_cell_primary_click (GtkGestureClick *gesture,
                       int              n_press,
                       double           x,
                       double           y,
                       CsGridView      *self)
{
  GtkWidget *cell = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  CsItem *item = cs_cell_get_item (CS_CELL (cell));

  if (n_press != 2 || (state & GDK_CONTROL_MASK) == 0 || item == NULL || cs_item_is_folder (item))
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  g_signal_emit (self, signals[PREVIEW], 0, item);
}

/* Shift+F10 or the Menu key: the same menu, on the first selected image. */
void
cs_grid_view_popup_selected_menu (CsGridView *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  g_autoptr(CsItem) item = NULL;
  GtkWidget *cell;

  g_return_if_fail (CS_IS_GRID_VIEW (self));

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (!gtk_bitset_is_empty (selected))
    item = g_list_model_get_item (G_LIST_MODEL (self->selection), gtk_bitset_get_minimum (selected));
  cell = item ? find_cell (GTK_WIDGET (self->grid), item) : NULL;
  if (cell != NULL)
    popup_item_menu (self, cell,
                     gtk_widget_get_width (cell) / 2.0,
                     gtk_widget_get_height (cell) / 2.0);
}

/* The cells */

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            CsGridView               *self)
{
  GtkWidget *cell = cs_cell_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *double_click = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_object_set_data (G_OBJECT (click), "list-item", list_item);
  g_signal_connect (click, "pressed", G_CALLBACK (on_cell_secondary_click), self);
  gtk_widget_add_controller (cell, GTK_EVENT_CONTROLLER (click));
  g_signal_connect (double_click, "pressed", G_CALLBACK (on_cell_primary_click), self);
  gtk_widget_add_controller (cell, GTK_EVENT_CONTROLLER (double_click));
  cs_cell_set_pixel_size (CS_CELL (cell), self->pixel_size);
  gtk_list_item_set_child (list_item, cell);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           CsGridView               *self)
{
  CsCell *cell = CS_CELL (gtk_list_item_get_child (list_item));
  CsItem *item = gtk_list_item_get_item (list_item);

  cs_cell_set_pixel_size (cell, self->pixel_size);
  cs_cell_set_item (cell, item);

  cs_grid_model_show (self->model, item);
  cs_texture_cache_show (self->cache, item);
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             CsGridView               *self)
{
  CsItem *item = gtk_list_item_get_item (list_item);

  /* The cell keeps showing @item until it is bound to another or goes:
   * when it is bound to the same one again (it only moved), its bindings
   * and state stay as they are. */
  if (item != NULL && cs_grid_model_get_n_shown (self->model, item) > 0 &&
      cs_grid_model_hide (self->model, item) == 0)
    cs_texture_cache_hide (self->cache, item);
}

/* GtkGridView keeps a cell alive for max-columns times 31 rows around what
 * it shows, however many columns fit: at 64 that is some 2,000 cells to
 * build, bind and rebind whenever images land before them. As many columns
 * as the widest monitor could show leaves the layout as it was. */
static void
update_max_columns (CsGridView *self)
{
  GListModel *monitors = gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (self->grid)));
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
  /* Until the grid has a screen's worth, images join it a few at a time. */
  cs_grid_model_set_n_cells (self->model, gtk_grid_view_get_max_columns (self->grid) * GRID_ROWS);
}

/* New cells, at @flavor's size. */
void
cs_grid_view_set_flavor (CsGridView *self,
                         CsFlavor    flavor)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_return_if_fail (CS_IS_GRID_VIEW (self));

  /* Cells at 512 or 1024 pixels would leave one column: show those at most
   * at 384; the file behind them is still the full size. */
  self->pixel_size = MIN (cs_flavor_get_size (flavor), 384);

  update_max_columns (self);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), self);
  gtk_grid_view_set_factory (self->grid, factory);
}

/* The cells' side, in points. */
int
cs_grid_view_get_cell_size (CsGridView *self)
{
  g_return_val_if_fail (CS_IS_GRID_VIEW (self), 128);

  return self->pixel_size;
}

static void
cs_grid_view_dispose (GObject *object)
{
  CsGridView *self = (CsGridView *)object;

  if (self->grid != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->grid, self);
      gtk_grid_view_set_factory (self->grid, NULL);
      gtk_grid_view_set_model (self->grid, NULL);
      self->grid = NULL;
    }
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->filter);
  g_clear_object (&self->cache);
  g_clear_object (&self->model);
  g_clear_object (&self->item_menu);

  G_OBJECT_CLASS (cs_grid_view_parent_class)->dispose (object);
}

static void
cs_grid_view_class_init (CsGridViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_grid_view_dispose;

  /* A sub-folder's tile was opened (double-click, Return or Open). */
  signals[FOLDER_ACTIVATED] = g_signal_new ("folder-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_FILE);
  /* Someone asked to see an image large (Ctrl+double-click). */
  signals[PREVIEW] = g_signal_new ("preview", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, CS_TYPE_ITEM);
}

static void
cs_grid_view_init (CsGridView *self)
{
}

CsGridView *
cs_grid_view_new (GtkGridView    *grid,
                  CsGridModel    *model,
                  CsTextureCache *cache,
                  GMenuModel     *item_menu)
{
  CsGridView *self;
  GtkFilterListModel *filtered;

  g_return_val_if_fail (GTK_IS_GRID_VIEW (grid), NULL);
  g_return_val_if_fail (CS_IS_GRID_MODEL (model), NULL);
  g_return_val_if_fail (CS_IS_TEXTURE_CACHE (cache), NULL);

  self = g_object_new (CS_TYPE_GRID_VIEW, NULL);
  self->grid = grid;
  self->model = g_object_ref (model);
  self->cache = g_object_ref (cache);
  self->item_menu = g_object_ref (item_menu);

  self->filter = gtk_custom_filter_new (filter_item, self, NULL);
  filtered = gtk_filter_list_model_new (g_object_ref (cs_grid_model_get_items (model)), NULL);
  self->filtered = filtered;
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (filtered));
  gtk_grid_view_set_model (grid, GTK_SELECTION_MODEL (self->selection));
  gtk_grid_view_set_enable_rubberband (grid, TRUE);

  g_signal_connect_object (model, "merging", G_CALLBACK (on_merging), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (model, "merged", G_CALLBACK (on_merged), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (grid, "activate", G_CALLBACK (on_grid_activate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (grid))),
                           "items-changed", G_CALLBACK (update_max_columns), self, G_CONNECT_SWAPPED);

  return self;
}
