/* cs-visible-range.h: which items the grid's cells show on screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CS_TYPE_VISIBLE_RANGE (cs_visible_range_get_type ())
G_DECLARE_FINAL_TYPE (CsVisibleRange, cs_visible_range, CS, VISIBLE_RANGE, GObject)

CsVisibleRange *cs_visible_range_new         (GtkGridView    *grid);
GPtrArray      *cs_visible_range_get_items   (CsVisibleRange *self);
gboolean        cs_visible_range_get_current (CsVisibleRange *self);

G_END_DECLS
