/* cs-error.c: why a file has no thumbnail, and the sentences that say it
 *
 * Each reason is worded once, here, so that a file gets the same sentence
 * whichever decoder met it, in this process or in the helper.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-error"

#include "config.h"

#include "cs-error.h"

#include <glib/gi18n-lib.h>

G_DEFINE_QUARK (cs-thumb-error-quark, cs_thumb_error)

/**
 * cs_error_from_errno:
 * @saved_errno: the errno of the failed call
 * @what: what failed, already translated ("Cannot read")
 *
 * Returns: (transfer full): a G_IO_ERROR that says "@what: the reason"
 */
GError *
cs_error_from_errno (int         saved_errno,
                     const char *what)
{
  return g_error_new (G_IO_ERROR, g_io_error_from_errno (saved_errno),
                      "%s: %s", what, g_strerror (saved_errno));
}

void
cs_set_error_cannot_read (GError **error,
                          int      saved_errno)
{
  g_propagate_error (error, cs_error_from_errno (saved_errno, _("Cannot read")));
}

void
cs_set_error_empty (GError **error)
{
  g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT,
                       _("File is empty"));
}

void
cs_set_error_truncated (GError **error)
{
  g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT,
                       _("The file is truncated: its image data stops before the end"));
}

void
cs_set_error_no_pixels (GError **error)
{
  g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT,
                       _("Cannot decode the image: no pixels in the file"));
}

/* Plain words first, then after a colon @detail, the decoder's own words
 * (untranslated, for whoever reports it). @format names the format the
 * content claims to be ("PNG"), or is %NULL when that is not known. */
void
cs_set_error_cannot_decode (GError     **error,
                            const char  *format,
                            const char  *detail)
{
  if (format != NULL)
    /* Translators: the first %s is a format's name, such as PNG or JPEG;
     * the second the decoder's untranslated words. */
    g_set_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT,
                 _("Not a valid %s image: %s"), format, detail);
  else
    g_set_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT,
                 _("The image data is damaged: %s"), detail);
}

void
cs_set_error_unsupported (GError **error)
{
  g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_UNSUPPORTED,
                       _("Not an image, or a format no installed loader reads"));
}

/* Over the pixel limit, known from the header before decoding. */
void
cs_set_error_too_large (GError **error,
                        int      width,
                        int      height)
{
  g_set_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_TOO_LARGE,
               _("Image is too large (%d × %d pixels)"), width, height);
}

/* Within the pixel limit, but the decoder ran out of its memory. */
void
cs_set_error_over_memory_limit (GError **error,
                                int      width,
                                int      height)
{
  g_set_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_TOO_LARGE,
               _("Image is too large to decode within the memory limit (%d × %d pixels)"),
               width, height);
}

void
cs_set_error_out_of_memory (GError **error)
{
  g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_TOO_LARGE,
                       _("Not enough memory to decode the image"));
}

void
cs_set_error_timeout (GError **error,
                      guint    timeout_ms)
{
  g_set_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_TIMEOUT,
               _("Decoding took longer than %u s; stopped"), (timeout_ms + 999) / 1000);
}

/* GStreamer's words after ours, as cs_set_error_cannot_decode() does. */
void
cs_set_error_video_damaged (GError     **error,
                            const char  *detail)
{
  /* Translators: %s is GStreamer's untranslated reason. */
  g_set_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT,
               _("The video is damaged or cut short: %s"), detail);
}

void
cs_set_error_video_no_decoder (GError     **error,
                               const char  *detail)
{
  /* Translators: %s is GStreamer's untranslated reason. */
  g_set_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_UNSUPPORTED,
               _("No installed video decoder reads this video: %s"), detail);
}

void
cs_set_error_video_no_picture (GError **error)
{
  g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT,
                       _("The video has no picture to show"));
}
