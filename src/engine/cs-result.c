/* cs-result.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-result"

#include "config.h"

#include "cs-result-private.h"

G_DEFINE_BOXED_TYPE (CsResult, cs_result, cs_result_ref, cs_result_unref)

CsResult *
cs_result_new_for_file (GFile *file)
{
  CsResult *self;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_new0 (CsResult, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->file = g_object_ref (file);

  return self;
}

/* Takes ownership of @error. */
CsResult *
cs_result_new_error (GFile  *file,
                     GError *error)
{
  CsResult *self = cs_result_new_for_file (file);

  self->error = error;

  return self;
}

CsResult *
cs_result_ref (CsResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
cs_result_unref (CsResult *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  if (self->tag_destroy != NULL && self->tag != NULL)
    self->tag_destroy (self->tag);
  if (self->job_free != NULL && self->job != NULL)
    self->job_free (self->job);
  g_clear_object (&self->file);
  g_clear_object (&self->pixbuf);
  g_clear_error (&self->error);
  g_free (self->thumbnail_path);
  g_free (self);
}

GFile *
cs_result_get_file (const CsResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->file;
}

const char *
cs_result_get_thumbnail_path (const CsResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->thumbnail_path;
}

guint64
cs_result_get_bytes_written (const CsResult *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->bytes_written;
}

int
cs_result_get_width (const CsResult *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->width;
}

int
cs_result_get_height (const CsResult *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->height;
}

int
cs_result_get_image_width (const CsResult *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->image_width;
}

int
cs_result_get_image_height (const CsResult *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->image_height;
}

/**
 * cs_result_get_duration:
 *
 * Returns: a video's length in seconds, from its decode or from its cached
 *   thumbnail (Thumb::Movie::Length); 0 for a picture
 */
double
cs_result_get_duration (const CsResult *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->duration;
}

gboolean
cs_result_get_reused (const CsResult *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->reused;
}

GdkPixbuf *
cs_result_get_pixbuf (const CsResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->pixbuf;
}

const GError *
cs_result_get_error (const CsResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->error;
}

gboolean
cs_result_is_cancelled (const CsResult *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->error != NULL &&
         g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

gpointer
cs_result_get_tag (const CsResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->tag;
}
