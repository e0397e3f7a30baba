/* cs-batch.h: the pipeline, GThreadPool -> GAsyncQueue -> main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-result.h"
#include "cs-thumbnailer.h"

G_BEGIN_DECLS

typedef enum
{
  CS_BATCH_KEEP_GOING, /* report each error, go on (makeThumbnails6) */
  CS_BATCH_FAIL_FAST,  /* the first error ends the batch (makeThumbnails5) */
} CsBatchPolicy;

typedef enum
{
  CS_BATCH_RUNNING,
  CS_BATCH_COMPLETE,
  CS_BATCH_CANCELLED,
  CS_BATCH_FAILED,
} CsBatchOutcome;

#define CS_TYPE_BATCH (cs_batch_get_type ())
G_DECLARE_FINAL_TYPE (CsBatch, cs_batch, CS, BATCH, GObject)

CsBatch        *cs_batch_new               (CsThumbnailer  *thumbnailer,
                                            guint           n_workers);
void            cs_batch_set_policy        (CsBatch        *self,
                                            CsBatchPolicy   policy);

gboolean        cs_batch_add               (CsBatch        *self,
                                            GFile          *file,
                                            const char     *relative_dir,
                                            gpointer        tag,
                                            GDestroyNotify  tag_destroy);
gboolean        cs_batch_set_priority      (CsBatch        *self,
                                            gpointer        tag,
                                            int             priority);
void            cs_batch_close             (CsBatch        *self);
void            cs_batch_cancel            (CsBatch        *self);

guint           cs_batch_get_submitted     (CsBatch        *self);
guint           cs_batch_get_outstanding   (CsBatch        *self);
guint           cs_batch_get_done          (CsBatch        *self);
guint           cs_batch_get_reused        (CsBatch        *self);
guint           cs_batch_get_failed        (CsBatch        *self);
guint64         cs_batch_get_bytes_written (CsBatch        *self);
gboolean        cs_batch_get_running       (CsBatch        *self);
CsBatchOutcome  cs_batch_get_outcome       (CsBatch        *self);
const GError   *cs_batch_get_error         (CsBatch        *self);

G_END_DECLS
