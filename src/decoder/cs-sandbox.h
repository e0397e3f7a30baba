/* cs-sandbox.h: what the decoder helper gives up before it reads a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint32 cs_sandbox_enter (const char * const *readable);

G_END_DECLS
