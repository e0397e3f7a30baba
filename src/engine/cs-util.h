/* cs-util.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char *cs_describe_file (GFile      *file);
char *cs_escape_line   (const char *text);
gboolean cs_write_file_atomically (const char  *path,
                                   const void  *data,
                                   gsize        len,
                                   int          mode,
                                   GError     **error);

G_END_DECLS
