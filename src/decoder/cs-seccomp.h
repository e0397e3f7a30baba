/* cs-seccomp.h: the only system calls a decoder may make
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean cs_seccomp_restrict (gboolean may_read_files);

G_END_DECLS
