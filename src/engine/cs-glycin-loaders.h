/* cs-glycin-loaders.h: the loader processes glycin runs for this process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void cs_glycin_loaders_limit        (guint64 memory_limit);

void cs_glycin_loaders_enter_shared (void);
void cs_glycin_loaders_leave_shared (void);
void cs_glycin_loaders_enter_alone  (void);
void cs_glycin_loaders_leave_alone  (void);

G_END_DECLS
