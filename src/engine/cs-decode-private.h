/* cs-decode-private.h: what the format-specific decoders share with cs-decode.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void cs_fit_dimensions (int    width,
                        int    height,
                        guint  size,
                        int   *fit_width,
                        int   *fit_height);

G_END_DECLS
