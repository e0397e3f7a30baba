/* cs-cache.h: the freedesktop Thumbnail Managing Standard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-thumbnailer.h"

G_BEGIN_DECLS

char     *cs_cache_get_default_dir    (void);
char     *cs_cache_uri_for_file       (GFile       *file);
char     *cs_cache_thumbnail_path     (const char  *cache_dir,
                                       CsFlavor     flavor,
                                       const char  *uri);
char     *cs_cache_fail_path          (const char  *cache_dir,
                                       const char  *uri);
GHashTable *cs_cache_read_text_keys   (const char  *png_path,
                                       GError     **error);
gboolean  cs_cache_entry_is_valid     (const char  *png_path,
                                       const char  *uri,
                                       gint64       mtime,
                                       goffset      size,
                                       GHashTable **keys_out);
gboolean  cs_cache_write_fail_entry   (const char  *cache_dir,
                                       const char  *uri,
                                       gint64       mtime,
                                       goffset      size,
                                       const char  *reason,
                                       GError     **error);
const char *cs_cache_fail_reason      (GHashTable  *keys);

G_END_DECLS
