/* cs-thumbnailer.h: one image in, one thumbnail out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "cs-cache.h"
#include "cs-error.h"
#include "cs-result.h"

G_BEGIN_DECLS

typedef enum
{
  CS_OUTPUT_CACHE,   /* freedesktop thumbnail cache */
  CS_OUTPUT_BESIDE,  /* photo.jpg -> photo.thumb.jpg next to it */
  CS_OUTPUT_FOLDER,  /* the beside names, in a chosen folder */
} CsOutputMode;

/* The default pixel limit: width x height over this is refused before decoding. */
#define CS_DEFAULT_MAX_PIXELS (G_GUINT64_CONSTANT (268435456))
/* Per file: how long a decoder may take, and how much memory it may map. */
#define CS_DEFAULT_DECODE_TIMEOUT_MS 10000
#define CS_DEFAULT_MEMORY_LIMIT (G_GUINT64_CONSTANT (512) * 1024 * 1024)

#define CS_TYPE_THUMBNAILER (cs_thumbnailer_get_type ())
G_DECLARE_FINAL_TYPE (CsThumbnailer, cs_thumbnailer, CS, THUMBNAILER, GObject)

gboolean       cs_is_thumbnail_name           (const char   *basename);
char          *cs_output_basename             (const char   *source_basename,
                                               const char  **format);
gboolean       cs_is_image_name               (const char   *basename);

CsThumbnailer *cs_thumbnailer_new_for_cache   (CsFlavor      flavor,
                                               const char   *cache_dir);
CsThumbnailer *cs_thumbnailer_new_for_folder  (CsOutputMode  mode,
                                               guint         size,
                                               const char   *output_dir);

gboolean       cs_thumbnailer_get_background  (CsThumbnailer *self);

char          *cs_thumbnailer_get_output_path (CsThumbnailer *self,
                                               GFile         *source,
                                               const char    *relative_dir);

CsResult      *cs_thumbnailer_process         (CsThumbnailer *self,
                                               GFile         *source,
                                               const char    *relative_dir,
                                               GCancellable  *cancellable);

CsResult      *cs_thumbnailer_decode          (CsThumbnailer *self,
                                               GFile         *source,
                                               guint          size,
                                               GCancellable  *cancellable);
void           cs_thumbnailer_decode_async    (CsThumbnailer       *self,
                                               GFile               *source,
                                               guint                size,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
CsResult      *cs_thumbnailer_decode_finish   (CsThumbnailer *self,
                                               GAsyncResult  *result,
                                               GError       **error);

G_END_DECLS
