/* stress-folder.h: a folder that takes long to thumbnail, made quickly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean cs_stress_make_heavy_folder (const char  *folder,
                                      guint        n_files,
                                      GError     **error);

G_END_DECLS
