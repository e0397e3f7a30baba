/* cs-scroll-keeper.h: a list keeps its scroll position while it refills
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CS_TYPE_SCROLL_KEEPER (cs_scroll_keeper_get_type ())
G_DECLARE_FINAL_TYPE (CsScrollKeeper, cs_scroll_keeper, CS, SCROLL_KEEPER, GObject)

CsScrollKeeper *cs_scroll_keeper_new     (GtkScrollable  *scrollable);
void            cs_scroll_keeper_hold    (CsScrollKeeper *self);
void            cs_scroll_keeper_release (CsScrollKeeper *self);
void            cs_scroll_keeper_drop    (CsScrollKeeper *self);

G_END_DECLS
