/* cs-trash.h: files to the trash, and back again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void       cs_trash_files_async    (GPtrArray            *files,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
GPtrArray *cs_trash_files_finish   (GAsyncResult         *result,
                                    GError              **error);
void       cs_trash_restore_async  (GPtrArray            *files,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
GPtrArray *cs_trash_restore_finish (GAsyncResult         *result,
                                    GError              **error);

G_END_DECLS
