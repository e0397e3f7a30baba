/* cs-candidate.h: which files of a folder are offered to the thumbnailer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The attribute cs_is_candidate() sets on a file it sniffed. */
#define CS_CANDIDATE_ATTRIBUTE_TYPE G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE

/* What the scan and the folder monitor need to know of a file. */
#define CS_CANDIDATE_ATTRIBUTES \
  G_FILE_ATTRIBUTE_STANDARD_NAME "," \
  G_FILE_ATTRIBUTE_STANDARD_TYPE "," \
  G_FILE_ATTRIBUTE_STANDARD_IS_HIDDEN "," \
  G_FILE_ATTRIBUTE_STANDARD_IS_SYMLINK

gboolean cs_is_candidate (GFile     *file,
                          GFileInfo *info);

G_END_DECLS
