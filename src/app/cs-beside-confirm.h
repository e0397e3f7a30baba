/* cs-beside-confirm.h: asks before thumbnails are written into a folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CS_TYPE_BESIDE_CONFIRM (cs_beside_confirm_get_type ())
G_DECLARE_FINAL_TYPE (CsBesideConfirm, cs_beside_confirm, CS, BESIDE_CONFIRM, GObject)

CsBesideConfirm *cs_beside_confirm_new              (GtkWindow       *parent,
                                                     GSettings       *settings);
void             cs_beside_confirm_set_folder       (CsBesideConfirm *self,
                                                     GFile           *folder);
void             cs_beside_confirm_set_n_images     (CsBesideConfirm *self,
                                                     guint            n_images);
gboolean         cs_beside_confirm_get_write_beside (CsBesideConfirm *self);

G_END_DECLS
