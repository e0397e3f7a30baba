/* cs-landlock.h: no file system for the decoder helper
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

int cs_landlock_restrict (const char * const *readable);

G_END_DECLS
