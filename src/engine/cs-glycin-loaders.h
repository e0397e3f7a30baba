/* cs-glycin-loaders.h: the loader processes glycin runs for this process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void cs_glycin_loaders_limit        (guint64 memory_limit);

void cs_glycin_loaders_enter (gboolean alone);
void cs_glycin_loaders_leave (gboolean alone);

G_END_DECLS
