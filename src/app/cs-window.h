/* cs-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CS_TYPE_WINDOW (cs_window_get_type ())
G_DECLARE_FINAL_TYPE (CsWindow, cs_window, CS, WINDOW, AdwApplicationWindow)

CsWindow   *cs_window_new               (GtkApplication *application,
                                         GSettings      *settings);
void        cs_window_open_folder       (CsWindow       *self,
                                         GFile          *folder);
void        cs_window_open_files        (CsWindow       *self,
                                         GFile         **files,
                                         guint           n_files);
void        cs_window_stop              (CsWindow       *self);
void        cs_window_show_message      (CsWindow       *self,
                                         const char     *message);
GListModel *cs_window_get_items         (CsWindow       *self);
gboolean    cs_window_get_running       (CsWindow       *self);
guint       cs_window_get_n_done        (CsWindow       *self);
guint       cs_window_get_n_failed      (CsWindow       *self);
guint64     cs_window_get_bytes_written (CsWindow       *self);
const char *cs_window_get_status_text   (CsWindow       *self);

G_END_DECLS
