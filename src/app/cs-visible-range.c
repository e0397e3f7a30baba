/* cs-visible-range.c: which items the grid's cells show on screen
 *
 * GtkGridView binds cells for some 31 rows around what it shows, so a cell
 * being bound does not mean it is seen: a folder of a few hundred images
 * has every cell bound at once, in an order that has nothing to do with
 * the screen. What is seen is what the grid's scrolled area holds: the
 * cells whose allocation, at the scroll position of the vertical
 * adjustment, meets the grid's own. That is worked out after a frame has
 * laid the grid out, whenever something may have moved the cells: a
 * scroll, a new size or zoom (the adjustment changes), a sort or a search
 * (the grid's list changes), new cells (the factory changes). "changed"
 * gives the items in reading order, top left first; "current" is FALSE
 * from the moment something moved the cells until the frame that shows
 * where they went has been looked at.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-visible-range"

#include "config.h"

#include "cs-visible-range.h"

#include "cs-cell.h"
#include "cs-trace.h"

struct _CsVisibleRange
{
  GObject        parent_instance;

  GtkGridView   *grid;          /* weak */
  GtkAdjustment *vadjustment;   /* the one whose signals we hold */
  GListModel    *list;          /* the grid's model, whose signals we hold */
  GdkFrameClock *clock;         /* the grid's, while it is realized */
  gulong         after_paint_id;
  gboolean       dirty;
  gboolean       current;       /* items are as of the last frame since a move */
  GPtrArray     *items;         /* CsItem on screen, in reading order */
};

G_DEFINE_FINAL_TYPE (CsVisibleRange, cs_visible_range, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_CURRENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  CsItem *item;
  float   x;
  float   y;
} Seen;

static int
compare_seen (gconstpointer a,
              gconstpointer b)
{
  const Seen *s = a;
  const Seen *t = b;

  if (s->y != t->y)
    return s->y < t->y ? -1 : 1;
  return s->x < t->x ? -1 : s->x > t->x;
}

static gboolean
same_items (GPtrArray *a,
            GArray    *seen)
{
  if (a->len != seen->len)
    return FALSE;

  for (guint i = 0; i < a->len; i++)
    if (g_ptr_array_index (a, i) != g_array_index (seen, Seen, i).item)
      return FALSE;

  return TRUE;
}

static void
trace_items (CsVisibleRange *self)
{
  g_autoptr(GString) names = g_string_new (NULL);

  if (!cs_trace_enabled ())
    return;

  /* Slashes cannot be in a name, so they part them. */
  for (guint i = 0; i < self->items->len; i++)
    {
      g_autofree char *name = g_file_get_basename (cs_item_get_file (g_ptr_array_index (self->items, i)));

      g_string_append_printf (names, "%s%s", i > 0 ? "/" : "", name);
    }
  cs_trace ("visible %u cells: %s", self->items->len, names->str);
}

/* The cells whose allocation meets the grid's, which is the scrolled
 * window's viewport: the grid scrolls its children itself. A cell, not
 * its list item: a row whose padding alone shows is not on screen. */
static void
set_current (CsVisibleRange *self,
             gboolean        current)
{
  if (self->current == current)
    return;

  self->current = current;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT]);
}

static void
update (CsVisibleRange *self)
{
  GtkWidget *grid = GTK_WIDGET (self->grid);
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (Seen));
  int width;
  int height;

  self->dirty = FALSE;
  if (grid == NULL)
    {
      set_current (self, TRUE);
      return;
    }

  width = gtk_widget_get_width (grid);
  height = gtk_widget_get_height (grid);

  for (GtkWidget *child = gtk_widget_get_first_child (grid);
       child != NULL && gtk_widget_get_mapped (grid);
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *cell = gtk_widget_get_first_child (child);
      graphene_rect_t bounds;
      Seen one;

      if (!CS_IS_CELL (cell) || cs_cell_get_item (CS_CELL (cell)) == NULL ||
          !gtk_widget_get_mapped (cell) ||
          !gtk_widget_compute_bounds (cell, grid, &bounds) ||
          bounds.origin.y + bounds.size.height <= 0 || bounds.origin.y >= height ||
          bounds.origin.x + bounds.size.width <= 0 || bounds.origin.x >= width)
        continue;

      one.item = cs_cell_get_item (CS_CELL (cell));
      one.x = bounds.origin.x;
      one.y = bounds.origin.y;
      g_array_append_val (seen, one);
    }

  g_array_sort (seen, compare_seen);
  if (same_items (self->items, seen))
    {
      set_current (self, TRUE);
      return;
    }

  g_ptr_array_set_size (self->items, 0);
  for (guint i = 0; i < seen->len; i++)
    g_ptr_array_add (self->items, g_object_ref (g_array_index (seen, Seen, i).item));

  /* GTK may lay a far scroll out over a few frames: look again after the
   * next one, until two agree. */
  self->dirty = TRUE;

  trace_items (self);
  g_signal_emit (self, signals[CHANGED], 0);
  set_current (self, TRUE);
}

static void
on_after_paint (CsVisibleRange *self)
{
  if (self->dirty)
    update (self);
}

/* Something may have moved the cells: look once the next frame has laid
 * them out. */
static void
invalidate (CsVisibleRange *self)
{
  self->dirty = TRUE;
  set_current (self, FALSE);
}

static void
watch_clock (CsVisibleRange *self)
{
  GdkFrameClock *clock = self->grid ? gtk_widget_get_frame_clock (GTK_WIDGET (self->grid)) : NULL;

  if (clock == self->clock)
    return;

  if (self->clock != NULL)
    g_clear_signal_handler (&self->after_paint_id, self->clock);
  g_set_object (&self->clock, clock);
  if (clock != NULL)
    self->after_paint_id = g_signal_connect_swapped (clock, "after-paint",
                                                     G_CALLBACK (on_after_paint), self);
  invalidate (self);
}

static void
watch_adjustment (CsVisibleRange *self)
{
  GtkAdjustment *vadjustment = self->grid ? gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->grid)) : NULL;

  if (vadjustment == self->vadjustment)
    return;

  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_data (self->vadjustment, self);
  g_set_object (&self->vadjustment, vadjustment);
  if (vadjustment != NULL)
    {
      g_signal_connect_swapped (vadjustment, "value-changed", G_CALLBACK (invalidate), self);
      g_signal_connect_swapped (vadjustment, "changed", G_CALLBACK (invalidate), self);
    }
  invalidate (self);
}

static void
watch_list (CsVisibleRange *self)
{
  GListModel *list = self->grid ? G_LIST_MODEL (gtk_grid_view_get_model (self->grid)) : NULL;

  if (list == self->list)
    return;

  if (self->list != NULL)
    g_signal_handlers_disconnect_by_data (self->list, self);
  g_set_object (&self->list, list);
  if (list != NULL)
    g_signal_connect_swapped (list, "items-changed", G_CALLBACK (invalidate), self);
  invalidate (self);
}

static void
unwatch_clock (CsVisibleRange *self)
{
  if (self->clock != NULL)
    g_clear_signal_handler (&self->after_paint_id, self->clock);
  g_clear_object (&self->clock);
}

static void
unwatch (CsVisibleRange *self)
{
  unwatch_clock (self);
  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_data (self->vadjustment, self);
  g_clear_object (&self->vadjustment);
  if (self->list != NULL)
    g_signal_handlers_disconnect_by_data (self->list, self);
  g_clear_object (&self->list);
}

static void
cs_visible_range_dispose (GObject *object)
{
  CsVisibleRange *self = (CsVisibleRange *)object;

  unwatch (self);
  if (self->grid != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->grid, self);
      g_object_remove_weak_pointer (G_OBJECT (self->grid), (gpointer *) &self->grid);
      self->grid = NULL;
    }
  g_ptr_array_set_size (self->items, 0);

  G_OBJECT_CLASS (cs_visible_range_parent_class)->dispose (object);
}

static void
cs_visible_range_finalize (GObject *object)
{
  CsVisibleRange *self = (CsVisibleRange *)object;

  g_ptr_array_unref (self->items);

  G_OBJECT_CLASS (cs_visible_range_parent_class)->finalize (object);
}

static void
cs_visible_range_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CsVisibleRange *self = CS_VISIBLE_RANGE (object);

  switch (prop_id)
    {
    case PROP_CURRENT:
      g_value_set_boolean (value, self->current);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_visible_range_class_init (CsVisibleRangeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_visible_range_dispose;
  object_class->finalize = cs_visible_range_finalize;
  object_class->get_property = cs_visible_range_get_property;

  /* Whether the items are where the last frame put the cells, or cells
   * moved since and the frame that shows where is still to come. */
  properties[PROP_CURRENT] =
    g_param_spec_boolean ("current", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The items on screen are others (cs_visible_range_get_items()). */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cs_visible_range_init (CsVisibleRange *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

CsVisibleRange *
cs_visible_range_new (GtkGridView *grid)
{
  CsVisibleRange *self;

  g_return_val_if_fail (GTK_IS_GRID_VIEW (grid), NULL);

  self = g_object_new (CS_TYPE_VISIBLE_RANGE, NULL);
  self->grid = grid;
  g_object_add_weak_pointer (G_OBJECT (grid), (gpointer *) &self->grid);

  g_signal_connect_swapped (grid, "realize", G_CALLBACK (watch_clock), self);
  g_signal_connect_swapped (grid, "unrealize", G_CALLBACK (unwatch_clock), self);
  g_signal_connect_swapped (grid, "notify::vadjustment", G_CALLBACK (watch_adjustment), self);
  g_signal_connect_swapped (grid, "notify::model", G_CALLBACK (watch_list), self);
  g_signal_connect_swapped (grid, "notify::factory", G_CALLBACK (invalidate), self);
  g_signal_connect_swapped (grid, "map", G_CALLBACK (invalidate), self);
  watch_clock (self);
  watch_adjustment (self);
  watch_list (self);

  return self;
}

/**
 * cs_visible_range_get_items:
 *
 * Returns: (transfer none) (element-type CsItem): the items cells show on
 *   screen, top left first, as of the last frame
 */
GPtrArray *
cs_visible_range_get_items (CsVisibleRange *self)
{
  g_return_val_if_fail (CS_IS_VISIBLE_RANGE (self), NULL);

  return self->items;
}

/**
 * cs_visible_range_get_current:
 *
 * Returns: %FALSE while cells moved and the frame that shows where they
 *   went is still to come: the items are those of before
 */
gboolean
cs_visible_range_get_current (CsVisibleRange *self)
{
  g_return_val_if_fail (CS_IS_VISIBLE_RANGE (self), FALSE);

  return self->current;
}
