/* cs-show-in-files.h: files shown in the file manager, or their folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void     cs_show_in_files_async  (GtkWindow            *parent,
                                  GPtrArray            *files,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data);
gboolean cs_show_in_files_finish (GAsyncResult         *result,
                                  GError              **error);

G_END_DECLS
