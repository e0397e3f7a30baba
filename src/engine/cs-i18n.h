/* cs-i18n.h: where this program's translations are
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *cs_i18n_get_locale_dir (void);
void        cs_i18n_bind           (void);

G_END_DECLS
