/* cs-path-bar.h: where the open folder is, one button per folder up to it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CS_TYPE_PATH_BAR (cs_path_bar_get_type ())
G_DECLARE_FINAL_TYPE (CsPathBar, cs_path_bar, CS, PATH_BAR, GtkWidget)

GtkWidget *cs_path_bar_new        (void);
GFile     *cs_path_bar_get_folder (CsPathBar *self);
void       cs_path_bar_set_folder (CsPathBar *self,
                                   GFile     *folder);

G_END_DECLS
