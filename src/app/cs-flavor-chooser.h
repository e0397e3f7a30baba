/* cs-flavor-chooser.h: the cache flavour a cell's device pixels need
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cs-cache.h"

G_BEGIN_DECLS

#define CS_TYPE_FLAVOR_CHOOSER (cs_flavor_chooser_get_type ())
G_DECLARE_FINAL_TYPE (CsFlavorChooser, cs_flavor_chooser, CS, FLAVOR_CHOOSER, GObject)

CsFlavor         cs_flavor_for_cell              (int              cell_size,
                                                  double           scale);

CsFlavorChooser *cs_flavor_chooser_new           (void);
CsFlavor         cs_flavor_chooser_get_flavor    (CsFlavorChooser *self);
void             cs_flavor_chooser_set_cell      (CsFlavorChooser *self,
                                                  int              cell_size,
                                                  CsFlavor         minimum);
double           cs_flavor_chooser_get_scale     (CsFlavorChooser *self);
void             cs_flavor_chooser_set_scale     (CsFlavorChooser *self,
                                                  double           scale);
void             cs_flavor_chooser_follow_widget (CsFlavorChooser *self,
                                                  GtkWidget       *widget);

G_END_DECLS
