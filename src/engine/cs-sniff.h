/* cs-sniff.h: which files are pictures, by name or by their first bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How many bytes cs_sniff_bytes() looks at, at most. */
#define CS_SNIFF_LENGTH 256

/* The attribute cs_is_candidate() sets on a file it sniffed. */
#define CS_SNIFF_ATTRIBUTE_TYPE G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE

/* What the scan and the folder monitor need to know of a file. */
#define CS_SNIFF_ATTRIBUTES \
  G_FILE_ATTRIBUTE_STANDARD_NAME "," \
  G_FILE_ATTRIBUTE_STANDARD_TYPE "," \
  G_FILE_ATTRIBUTE_STANDARD_IS_HIDDEN "," \
  G_FILE_ATTRIBUTE_STANDARD_IS_SYMLINK

const char *cs_sniff_bytes   (const guint8  *data,
                              gsize          len);
const char *cs_sniff_path    (const char    *path,
                              int           *error_number);
gboolean    cs_is_candidate  (GFile         *file,
                              GFileInfo     *info);

G_END_DECLS
