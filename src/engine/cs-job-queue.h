/* cs-job-queue.h: jobs waiting for a worker, most urgent first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CsJobQueue CsJobQueue;

CsJobQueue *cs_job_queue_new          (void);
void        cs_job_queue_free         (CsJobQueue *self);

void        cs_job_queue_push         (CsJobQueue *self,
                                       gpointer    job,
                                       int         priority);
gpointer    cs_job_queue_pop          (CsJobQueue *self);
gboolean    cs_job_queue_set_priority (CsJobQueue *self,
                                       gpointer    job,
                                       int         priority);
guint       cs_job_queue_get_length   (CsJobQueue *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsJobQueue, cs_job_queue_free)

G_END_DECLS
