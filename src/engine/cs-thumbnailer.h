/* cs-thumbnailer.h: one image in, one thumbnail out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "cs-result.h"

G_BEGIN_DECLS

#define CS_THUMB_ERROR (cs_thumb_error_quark ())

typedef enum
{
  CS_THUMB_ERROR_NOT_REGULAR,   /* FIFO, socket, device, directory */
  CS_THUMB_ERROR_UNSUPPORTED,   /* content is no image format we can read */
  CS_THUMB_ERROR_CORRUPT,       /* the decoder failed */
  CS_THUMB_ERROR_TOO_LARGE,     /* over the pixel limit */
  CS_THUMB_ERROR_IS_THUMBNAIL,  /* a *.thumb.* file: never thumbnailed */
  CS_THUMB_ERROR_FAILED_BEFORE, /* a fail entry in the cache says so */
  CS_THUMB_ERROR_TIMEOUT,       /* the decoder took longer than allowed */
  CS_THUMB_ERROR_DECODER_DIED,  /* the decoder crashed or ran out of memory */
  CS_THUMB_ERROR_NOT_DIRECT,    /* internal, never reported: no direct decoder
                                 * takes the file, glycin decodes it instead */
} CsThumbError;

typedef enum
{
  CS_OUTPUT_CACHE,   /* freedesktop thumbnail cache */
  CS_OUTPUT_BESIDE,  /* photo.jpg -> photo.thumb.jpg next to it */
  CS_OUTPUT_FOLDER,  /* the beside names, in a chosen folder */
} CsOutputMode;

typedef enum
{
  CS_FLAVOR_NORMAL,    /* 128 */
  CS_FLAVOR_LARGE,     /* 256 */
  CS_FLAVOR_X_LARGE,   /* 512 */
  CS_FLAVOR_XX_LARGE,  /* 1024 */
  CS_N_FLAVORS,
} CsFlavor;

/* The default pixel limit: width x height over this is refused before decoding. */
#define CS_DEFAULT_MAX_PIXELS (G_GUINT64_CONSTANT (268435456))
/* Per file: how long a decoder may take, and how much memory it may map. */
#define CS_DEFAULT_DECODE_TIMEOUT_MS 10000
#define CS_DEFAULT_MEMORY_LIMIT (G_GUINT64_CONSTANT (512) * 1024 * 1024)

#define CS_TYPE_THUMBNAILER (cs_thumbnailer_get_type ())
G_DECLARE_FINAL_TYPE (CsThumbnailer, cs_thumbnailer, CS, THUMBNAILER, GObject)

GQuark         cs_thumb_error_quark           (void);

guint          cs_flavor_get_size             (CsFlavor      flavor);
const char    *cs_flavor_get_name             (CsFlavor      flavor);
gboolean       cs_flavor_from_name            (const char   *name,
                                               CsFlavor     *flavor);

gboolean       cs_is_thumbnail_name           (const char   *basename);
char          *cs_output_basename             (const char   *source_basename,
                                               const char  **format);
gboolean       cs_is_image_name               (const char   *basename);

CsThumbnailer *cs_thumbnailer_new_for_cache   (CsFlavor      flavor,
                                               const char   *cache_dir);
CsThumbnailer *cs_thumbnailer_new_for_folder  (CsOutputMode  mode,
                                               guint         size,
                                               const char   *output_dir);

CsOutputMode   cs_thumbnailer_get_mode        (CsThumbnailer *self);
guint          cs_thumbnailer_get_size        (CsThumbnailer *self);
CsFlavor       cs_thumbnailer_get_flavor      (CsThumbnailer *self);
const char    *cs_thumbnailer_get_cache_dir   (CsThumbnailer *self);
const char    *cs_thumbnailer_get_output_dir  (CsThumbnailer *self);
guint64        cs_thumbnailer_get_max_pixels  (CsThumbnailer *self);
gboolean       cs_thumbnailer_get_want_pixels (CsThumbnailer *self);
gboolean       cs_thumbnailer_get_background  (CsThumbnailer *self);

char          *cs_thumbnailer_get_output_path (CsThumbnailer *self,
                                               GFile         *source,
                                               const char    *relative_dir);

CsResult      *cs_thumbnailer_process         (CsThumbnailer *self,
                                               GFile         *source,
                                               const char    *relative_dir,
                                               GCancellable  *cancellable);

G_END_DECLS
