/* cs-preload.h: what the decoder helper loads before it gives up files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

GStrv cs_preload (void);

G_END_DECLS
