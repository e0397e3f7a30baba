/* cs-job-queue.c: jobs waiting for a worker, most urgent first
 *
 * A worker takes the job that is most urgent when it is free, not when the
 * job was queued: the window raises what is on screen and lowers what
 * scrolled away while thousands of jobs wait, and GThreadPool's own queue
 * can only move one job to its front, so the last one moved went first.
 * Jobs run highest priority first and, within a priority, in the order
 * they were pushed. Every call may come from any thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-job-queue"

#include "config.h"

#include "cs-job-queue.h"

typedef struct
{
  gpointer job;
  int      priority;
  guint64  serial;    /* the order of arrival, for equal priorities */
} Entry;

struct _CsJobQueue
{
  GMutex      lock;
  GSequence  *entries;   /* Entry, most urgent first */
  GHashTable *iters;     /* job -> GSequenceIter, while it waits */
  guint64     next_serial;
};

static int
compare_entries (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const Entry *x = a;
  const Entry *y = b;

  if (x->priority != y->priority)
    return x->priority > y->priority ? -1 : 1;

  return x->serial < y->serial ? -1 : x->serial > y->serial;
}

CsJobQueue *
cs_job_queue_new (void)
{
  CsJobQueue *self = g_new0 (CsJobQueue, 1);

  g_mutex_init (&self->lock);
  self->entries = g_sequence_new (g_free);
  self->iters = g_hash_table_new (NULL, NULL);

  return self;
}

/* Jobs still waiting are dropped, not freed: they belong to the caller. */
void
cs_job_queue_free (CsJobQueue *self)
{
  if (self == NULL)
    return;

  g_sequence_free (self->entries);
  g_hash_table_unref (self->iters);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/**
 * cs_job_queue_push:
 * @job: not %NULL, and not waiting in the queue already
 * @priority: higher runs sooner; 0 is the usual
 */
void
cs_job_queue_push (CsJobQueue *self,
                   gpointer    job,
                   int         priority)
{
  Entry *entry;

  g_return_if_fail (self != NULL);
  g_return_if_fail (job != NULL);

  entry = g_new (Entry, 1);
  entry->job = job;
  entry->priority = priority;

  g_mutex_lock (&self->lock);
  g_assert (!g_hash_table_contains (self->iters, job));
  entry->serial = self->next_serial++;
  g_hash_table_insert (self->iters, job,
                       g_sequence_insert_sorted (self->entries, entry, compare_entries, NULL));
  g_mutex_unlock (&self->lock);
}

/**
 * cs_job_queue_pop:
 *
 * Returns: (nullable): the most urgent job, now out of the queue
 */
gpointer
cs_job_queue_pop (CsJobQueue *self)
{
  GSequenceIter *first;
  gpointer job = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->lock);
  first = g_sequence_get_begin_iter (self->entries);
  if (!g_sequence_iter_is_end (first))
    {
      job = ((Entry *) g_sequence_get (first))->job;
      g_hash_table_remove (self->iters, job);
      g_sequence_remove (first);
    }
  g_mutex_unlock (&self->lock);

  return job;
}

/**
 * cs_job_queue_set_priority:
 *
 * Moves a waiting @job to its place for @priority. It keeps its place in
 * the order of arrival: a job lowered again (scrolled away) waits among
 * the others where it was pushed, not behind them all.
 *
 * Returns: whether @job was still waiting
 */
gboolean
cs_job_queue_set_priority (CsJobQueue *self,
                           gpointer    job,
                           int         priority)
{
  GSequenceIter *iter;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->lock);
  iter = g_hash_table_lookup (self->iters, job);
  if (iter != NULL)
    {
      Entry *entry = g_sequence_get (iter);

      if (entry->priority != priority)
        {
          entry->priority = priority;
          g_sequence_sort_changed (iter, compare_entries, NULL);
        }
    }
  g_mutex_unlock (&self->lock);

  return iter != NULL;
}

guint
cs_job_queue_get_length (CsJobQueue *self)
{
  guint length;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  length = g_hash_table_size (self->iters);
  g_mutex_unlock (&self->lock);

  return length;
}
