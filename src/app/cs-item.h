/* cs-item.h: one image (or sub-folder) in the grid
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

/* A sub-folder's tile is an item too, so the grid keeps one list: it is
 * never thumbnailed, never counted, and opening it enters the folder. */
typedef enum
{
  CS_ITEM_KIND_IMAGE,
  CS_ITEM_KIND_FOLDER,
} CsItemKind;

#define CS_TYPE_ITEM (cs_item_get_type ())
G_DECLARE_FINAL_TYPE (CsItem, cs_item, CS, ITEM, GObject)

CsItem      *cs_item_new                (GFile        *file,
                                         GFileInfo    *info);
CsItem      *cs_item_new_folder         (GFile        *file,
                                         GFileInfo    *info);
GFile       *cs_item_get_file           (CsItem       *self);
CsItemKind   cs_item_get_kind           (CsItem       *self);
gboolean     cs_item_is_folder          (CsItem       *self);
const char  *cs_item_get_relative_dir   (CsItem       *self);
const char  *cs_item_get_dir_key        (CsItem       *self);
void         cs_item_set_relative_dir   (CsItem       *self,
                                         const char   *relative_dir);
char        *cs_item_dup_caption        (CsItem       *self);
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

double       cs_item_get_duration       (CsItem       *self);
void         cs_item_set_duration       (CsItem       *self,
                                         double        duration);
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
