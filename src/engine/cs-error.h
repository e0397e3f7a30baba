/* cs-error.h: why a file has no thumbnail, and the sentences that say it
 *
 * The bottom floor of the engine: every decoder, the helper's client and
 * the thumbnailer report through it, and it calls nothing of theirs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

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

GQuark  cs_thumb_error_quark          (void);

GError *cs_error_from_errno           (int          saved_errno,
                                       const char  *what);
void    cs_set_error_cannot_read      (GError     **error,
                                       int          saved_errno);
void    cs_set_error_empty            (GError     **error);
void    cs_set_error_truncated        (GError     **error);
void    cs_set_error_no_pixels        (GError     **error);
void    cs_set_error_cannot_decode    (GError     **error,
                                       const char  *format,
                                       const char  *detail);
void    cs_set_error_unsupported      (GError     **error);
void    cs_set_error_too_large        (GError     **error,
                                       int          width,
                                       int          height);
void    cs_set_error_over_memory_limit (GError    **error,
                                        int         width,
                                        int         height);
void    cs_set_error_out_of_memory    (GError     **error);
void    cs_set_error_timeout          (GError     **error,
                                       guint        timeout_ms);
void    cs_set_error_video_damaged    (GError     **error,
                                       const char  *detail);
void    cs_set_error_video_no_decoder (GError     **error,
                                       const char  *detail);
void    cs_set_error_video_no_picture (GError     **error);

G_END_DECLS
