/* cs-sandbox.h: what the decoder helper gives up before it reads a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean cs_sandbox_enter (void);

G_END_DECLS
