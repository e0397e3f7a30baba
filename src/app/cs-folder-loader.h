/* cs-folder-loader.h: a folder's images, found and thumbnailed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-grid-model.h"
#include "cs-thumbnailer.h"

G_BEGIN_DECLS

#define CS_TYPE_FOLDER_LOADER (cs_folder_loader_get_type ())
G_DECLARE_FINAL_TYPE (CsFolderLoader, cs_folder_loader, CS, FOLDER_LOADER, GObject)

CsFolderLoader *cs_folder_loader_new               (CsGridModel    *model,
                                                    GSettings      *settings);
void            cs_folder_loader_clear             (CsFolderLoader *self);
void            cs_folder_loader_open_folder       (CsFolderLoader *self,
                                                    GFile          *folder);
void            cs_folder_loader_open_files        (CsFolderLoader *self,
                                                    GFile         **files,
                                                    guint           n_files);
void            cs_folder_loader_forget_files      (CsFolderLoader *self,
                                                    GPtrArray      *files);
void            cs_folder_loader_add_files         (CsFolderLoader *self,
                                                    GPtrArray      *files);
void            cs_folder_loader_stop              (CsFolderLoader *self);
void            cs_folder_loader_drop              (CsFolderLoader *self);
void            cs_folder_loader_retry_failures    (CsFolderLoader *self);
void            cs_folder_loader_set_visible       (CsFolderLoader *self,
                                                    GPtrArray      *items);
void            cs_folder_loader_set_write_beside  (CsFolderLoader *self,
                                                    gboolean        write_beside);
gboolean        cs_folder_loader_get_write_beside  (CsFolderLoader *self);

CsFlavor        cs_folder_loader_get_flavor        (CsFolderLoader *self);
void            cs_folder_loader_set_flavor        (CsFolderLoader *self,
                                                    CsFlavor        flavor);
gboolean        cs_folder_loader_remake            (CsFolderLoader *self);
CsThumbnailer  *cs_folder_loader_get_thumbnailer   (CsFolderLoader *self);
gboolean        cs_folder_loader_get_running       (CsFolderLoader *self);
gboolean        cs_folder_loader_get_stopped       (CsFolderLoader *self);
guint           cs_folder_loader_get_n_submitted   (CsFolderLoader *self);
guint           cs_folder_loader_get_n_done        (CsFolderLoader *self);
guint           cs_folder_loader_get_n_failed      (CsFolderLoader *self);
guint64         cs_folder_loader_get_bytes_written (CsFolderLoader *self);
GPtrArray      *cs_folder_loader_get_failures      (CsFolderLoader *self);

G_END_DECLS
