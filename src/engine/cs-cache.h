/* cs-cache.h: the freedesktop Thumbnail Managing Standard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  CS_FLAVOR_NORMAL,    /* 128 */
  CS_FLAVOR_LARGE,     /* 256 */
  CS_FLAVOR_X_LARGE,   /* 512 */
  CS_FLAVOR_XX_LARGE,  /* 1024 */
  CS_N_FLAVORS,
} CsFlavor;

guint       cs_flavor_get_size          (CsFlavor     flavor);
const char *cs_flavor_get_name          (CsFlavor     flavor);
gboolean    cs_flavor_from_name         (const char  *name,
                                         CsFlavor    *flavor);

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
