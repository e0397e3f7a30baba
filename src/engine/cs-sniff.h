/* cs-sniff.h: what a file is, by its first bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How many bytes cs_sniff_bytes() looks at, at most. */
#define CS_SNIFF_LENGTH 256

const char *cs_sniff_bytes   (const guint8  *data,
                              gsize          len);
const char *cs_sniff_path    (const char    *path,
                              int           *error_number);

G_END_DECLS
