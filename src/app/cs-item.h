/* cs-item.h: one image in the grid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

/* GDK for the thumbnail (a GdkPaintable); nothing else of GTK. */
#include <gdk/gdk.h>

G_BEGIN_DECLS

typedef enum
{
  CS_ITEM_PENDING,
  CS_ITEM_DONE,
  CS_ITEM_FAILED,
  CS_ITEM_NOT_MADE,   /* the batch was stopped before this one */
  CS_ITEM_N_STATES
} CsItemState;

/* How many items are in each state. An item given one counts in it, and
 * keeps it true as its state changes: totals that are the grid's own. */
typedef struct
{
  guint n[CS_ITEM_N_STATES];
} CsItemCounts;

#define CS_TYPE_ITEM (cs_item_get_type ())
G_DECLARE_FINAL_TYPE (CsItem, cs_item, CS, ITEM, GObject)

CsItem      *cs_item_new                (GFile        *file,
                                         GFileInfo    *info);
GFile       *cs_item_get_file           (CsItem       *self);
const char  *cs_item_get_name           (CsItem       *self);
const char  *cs_item_get_collate_key    (CsItem       *self);
gint64       cs_item_get_mtime          (CsItem       *self);
goffset      cs_item_get_size           (CsItem       *self);
void         cs_item_set_info           (CsItem       *self,
                                         GFileInfo    *info);
CsItemState  cs_item_get_state          (CsItem       *self);
GdkPaintable *cs_item_get_thumbnail     (CsItem       *self);
const char  *cs_item_get_error_message  (CsItem       *self);
char        *cs_item_dup_state_text     (CsItem       *self);

void         cs_item_set_pending        (CsItem       *self);
void         cs_item_set_done           (CsItem       *self,
                                         GdkPaintable *thumbnail);
void         cs_item_set_failed         (CsItem       *self,
                                         const char   *message);
void         cs_item_set_not_made       (CsItem       *self);
void         cs_item_set_thumbnail      (CsItem       *self,
                                         GdkPaintable *thumbnail);
void         cs_item_set_counts         (CsItem       *self,
                                         CsItemCounts *counts);

G_END_DECLS
