/* cs-result-private.h: building results, for the engine only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cs-result.h"

G_BEGIN_DECLS

struct _CsResult
{
  gatomicrefcount  ref_count;
  GFile           *file;
  char            *thumbnail_path;
  guint64          bytes_written;
  int              width;
  int              height;
  int              image_width;
  int              image_height;
  double           duration;       /* seconds; 0: a picture */
  gboolean         reused;
  GdkPixbuf       *pixbuf;
  GError          *error;
  /* Owned by the batch; only touched (and released) on its main context. */
  gpointer         tag;
  GDestroyNotify   tag_destroy;
  /* The batch's own record of the job, released with the result. */
  gpointer         job;
  GDestroyNotify   job_free;
};

CsResult *cs_result_new_for_file (GFile    *file);
CsResult *cs_result_new_error    (GFile    *file,
                                  GError   *error);

G_END_DECLS
