/* cs-grid-model.h: the grid's items, kept sorted, and the ones on their way
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-item.h"

G_BEGIN_DECLS

/* The values of the sort-order setting's enum (the gschema in data/). */
typedef enum
{
  CS_SORT_NAME,
  CS_SORT_DATE,   /* newest first (oldest when reversed) */
  CS_SORT_SIZE,   /* largest first (smallest when reversed) */
} CsSortOrder;

#define CS_TYPE_GRID_MODEL (cs_grid_model_get_type ())
G_DECLARE_FINAL_TYPE (CsGridModel, cs_grid_model, CS, GRID_MODEL, GObject)

CsGridModel *cs_grid_model_new            (void);
GListModel  *cs_grid_model_get_items      (CsGridModel *self);
guint        cs_grid_model_get_n_found    (CsGridModel *self);
guint        cs_grid_model_get_n_in_state (CsGridModel *self,
                                           CsItemState  state);
CsItem      *cs_grid_model_add            (CsGridModel *self,
                                           GFile       *file,
                                           GFileInfo   *info);
CsItem      *cs_grid_model_update         (CsGridModel *self,
                                           GFile       *file,
                                           GFileInfo   *info);
CsItem      *cs_grid_model_add_folder     (CsGridModel *self,
                                           GFile       *folder,
                                           GFileInfo   *info);
void         cs_grid_model_remove         (CsGridModel *self,
                                           GFile       *file);
gboolean     cs_grid_model_contains       (CsGridModel *self,
                                           CsItem      *item);
void         cs_grid_model_flush          (CsGridModel *self);
void         cs_grid_model_clear          (CsGridModel *self);

void         cs_grid_model_set_sort_order (CsGridModel *self,
                                           CsSortOrder  sort_order);
void         cs_grid_model_set_sort_reversed (CsGridModel *self,
                                              gboolean     reversed);
const char  *cs_grid_model_get_search     (CsGridModel *self);
void         cs_grid_model_set_search     (CsGridModel *self,
                                           const char  *search);
gboolean     cs_grid_model_matches        (CsGridModel *self,
                                           CsItem      *item);
void         cs_grid_model_set_n_cells    (CsGridModel *self,
                                           guint        n_cells);

guint        cs_grid_model_show           (CsGridModel *self,
                                           CsItem      *item);
guint        cs_grid_model_hide           (CsGridModel *self,
                                           CsItem      *item);
guint        cs_grid_model_get_n_shown    (CsGridModel *self,
                                           CsItem      *item);

G_END_DECLS
