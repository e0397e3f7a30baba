/* cs-util.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char *cs_describe_file (GFile      *file);
char *cs_escape_line   (const char *text);

G_END_DECLS
