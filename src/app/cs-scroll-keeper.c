/* cs-scroll-keeper.c: a list keeps its scroll position while it refills
 *
 * Reloading a folder empties the grid and fills it again in bursts, and an
 * empty list scrolls to its top. Held, the keeper remembers the vertical
 * position and goes back to it as soon as the list is long enough; when
 * released (the folder has been read: every item is in the list), it goes
 * there, or as near as the list now allows, once the frames that lay out
 * the whole list are drawn (the grid view may ask to scroll to its first
 * item as the last burst lands), and lets go.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-scroll-keeper"

#include "config.h"

#include "cs-scroll-keeper.h"

/* After release, the frames to wait: the first lays the whole list out,
 * the next starts after that layout. */
#define SETTLE_FRAMES 2

struct _CsScrollKeeper
{
  GObject        parent_instance;

  GtkScrollable *scrollable;   /* weak */
  GtkAdjustment *adjustment;
  double         target;
  gboolean       holding;
  gboolean       released;
  guint          tick_id;
  guint          frames;
  guint          idle_id;
};

G_DEFINE_FINAL_TYPE (CsScrollKeeper, cs_scroll_keeper, G_TYPE_OBJECT)

/**
 * cs_scroll_keeper_drop:
 * @self: a #CsScrollKeeper
 *
 * Forgets a held position: another folder is opened.
 */
void
cs_scroll_keeper_drop (CsScrollKeeper *self)
{
  g_return_if_fail (CS_IS_SCROLL_KEEPER (self));

  self->holding = FALSE;
  self->released = FALSE;
  if (self->tick_id != 0 && self->scrollable != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->scrollable), self->tick_id);
  self->tick_id = 0;
  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (self->adjustment != NULL)
    g_signal_handlers_disconnect_by_data (self->adjustment, self);
  g_clear_object (&self->adjustment);
}


/* Goes to the target if the list reaches it; released, as near as it can. */
static void
apply (CsScrollKeeper *self)
{
  double upper = gtk_adjustment_get_upper (self->adjustment);
  double page = gtk_adjustment_get_page_size (self->adjustment);
  double lower = gtk_adjustment_get_lower (self->adjustment);
  double reachable = MAX (lower, upper - page);

  if (reachable >= self->target)
    gtk_adjustment_set_value (self->adjustment, self->target);
  else if (self->released)
    gtk_adjustment_set_value (self->adjustment, reachable);
}

static gboolean
on_idle (gpointer user_data)
{
  CsScrollKeeper *self = user_data;

  self->idle_id = 0;
  apply (self);

  return G_SOURCE_REMOVE;
}

/* "changed" comes while the list lays itself out, and the list does not
 * hear of a value set then: it would put the value back at its next
 * layout. So the value is set after the layout. */
static void
on_adjustment_changed (GtkAdjustment  *adjustment,
                       CsScrollKeeper *self)
{
  if (self->idle_id == 0)
    self->idle_id = g_idle_add (on_idle, self);
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  CsScrollKeeper *self = user_data;

  if (++self->frames < SETTLE_FRAMES)
    return G_SOURCE_CONTINUE;

  apply (self);
  self->tick_id = 0;
  cs_scroll_keeper_drop (self);

  return G_SOURCE_REMOVE;
}

static void
cs_scroll_keeper_dispose (GObject *object)
{
  CsScrollKeeper *self = CS_SCROLL_KEEPER (object);

  cs_scroll_keeper_drop (self);
  g_clear_weak_pointer (&self->scrollable);

  G_OBJECT_CLASS (cs_scroll_keeper_parent_class)->dispose (object);
}

static void
cs_scroll_keeper_class_init (CsScrollKeeperClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_scroll_keeper_dispose;
}

static void
cs_scroll_keeper_init (CsScrollKeeper *self)
{
}

CsScrollKeeper *
cs_scroll_keeper_new (GtkScrollable *scrollable)
{
  CsScrollKeeper *self;

  g_return_val_if_fail (GTK_IS_SCROLLABLE (scrollable), NULL);

  self = g_object_new (CS_TYPE_SCROLL_KEEPER, NULL);
  g_set_weak_pointer (&self->scrollable, scrollable);

  return self;
}

/**
 * cs_scroll_keeper_hold:
 * @self: a #CsScrollKeeper
 *
 * Remembers the position, before the list is emptied. Nothing is held at
 * the top, where an emptied list stays anyway.
 */
void
cs_scroll_keeper_hold (CsScrollKeeper *self)
{
  GtkAdjustment *adjustment;

  g_return_if_fail (CS_IS_SCROLL_KEEPER (self));

  cs_scroll_keeper_drop (self);
  if (self->scrollable == NULL)
    return;

  adjustment = gtk_scrollable_get_vadjustment (self->scrollable);
  if (adjustment == NULL || gtk_adjustment_get_value (adjustment) <= gtk_adjustment_get_lower (adjustment))
    return;

  self->adjustment = g_object_ref (adjustment);
  self->target = gtk_adjustment_get_value (adjustment);
  self->holding = TRUE;
  g_signal_connect (adjustment, "changed", G_CALLBACK (on_adjustment_changed), self);
}

/**
 * cs_scroll_keeper_release:
 * @self: a #CsScrollKeeper
 *
 * The list is complete: goes back to the position now and at the next
 * layout, then lets go. Does nothing when nothing is held.
 */
void
cs_scroll_keeper_release (CsScrollKeeper *self)
{
  g_return_if_fail (CS_IS_SCROLL_KEEPER (self));

  if (!self->holding || self->released)
    return;

  self->released = TRUE;
  self->frames = 0;
  if (self->scrollable != NULL)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->scrollable), on_tick, self, NULL);
  else
    cs_scroll_keeper_drop (self);
}
