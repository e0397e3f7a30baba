/* cs-batch.c: the pipeline, GThreadPool -> GAsyncQueue -> main context
 *
 * gopl 8.5's makeThumbnails6 made real. Jobs are counted on the main thread
 * before they are pushed; every job yields exactly one result; workers push
 * results onto a queue and wake the main context once per burst; the main
 * context drains the queue in short slices and applies what it pops, unless
 * the batch was cancelled, in which case it only frees it. "finished" is
 * emitted once, when input is closed and nothing is outstanding.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-batch"

#include "config.h"

#include "cs-batch.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cs-job-queue.h"
#include "cs-result-private.h"
#include "cs-util.h"

/* How long one drain may hold the main loop: well under a 16 ms frame. */
#define DRAIN_SLICE_USEC 4000

/* What workers share with the batch. Never a pointer to the batch itself:
 * the batch may be gone (its window closed) while jobs still run. */
typedef struct
{
  gatomicrefcount  ref_count;
  CsThumbnailer   *thumbnailer;
  GCancellable    *cancellable;
  GAsyncQueue     *results;
  CsJobQueue      *jobs;          /* Job not started yet, most urgent first */
  GMainContext    *context;
  GWeakRef         batch;
  int              drain_scheduled;
  gboolean         background;    /* workers run at a lower priority */
} Shared;

typedef struct
{
  Shared         *shared;
  GFile          *file;
  char           *relative_dir;
  gpointer        tag;
  GDestroyNotify  tag_destroy;
} Job;

struct _CsBatch
{
  GObject          parent_instance;

  Shared          *shared;
  GThreadPool     *pool;
  guint            n_workers;
  CsBatchPolicy    policy;

  /* Claim: the thumbnail names taken in this batch, so no two sources
   * share one; see Claim */
  GHashTable      *claimed;
  /* tag -> Job still queued or running, to change its priority */
  GHashTable      *jobs_by_tag;

  guint            submitted;
  guint            outstanding;
  guint            done;
  guint            reused;
  guint            failed;
  guint64          bytes_written;

  CsBatchOutcome   outcome;
  GError          *error;
  guint            closed : 1;
  guint            cancelled : 1;
};

G_DEFINE_FINAL_TYPE (CsBatch, cs_batch, G_TYPE_OBJECT)

/* A thumbnail name taken in the batch, and the source that took it. A
 * batch of 100,000 files keeps 100,000 of these until it ends: a digest of
 * the output path (SHA-256, cut to 128 bits) and a reference to the
 * source's GFile (which a window's item holds anyway) cost 32 bytes, where
 * the path and the URI as strings cost some 150. */
typedef struct
{
  guint8  digest[16];
  GFile  *file;
} Claim;

static guint
claim_hash (gconstpointer data)
{
  const Claim *claim = data;
  guint hash;

  memcpy (&hash, claim->digest, sizeof hash);
  return hash;
}

static gboolean
claim_equal (gconstpointer a,
             gconstpointer b)
{
  return memcmp (((const Claim *) a)->digest, ((const Claim *) b)->digest,
                 sizeof ((const Claim *) a)->digest) == 0;
}

static void
claim_free (gpointer data)
{
  Claim *claim = data;

  g_object_unref (claim->file);
  g_free (claim);
}

static void
digest_output (const char *output,
               Claim      *claim)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_checksum_update (checksum, (const guchar *) output, -1);
  g_checksum_get_digest (checksum, digest, &len);
  memcpy (claim->digest, digest, sizeof claim->digest);
}

enum {
  PROP_0,
  PROP_THUMBNAILER,
  PROP_N_WORKERS,
  PROP_POLICY,
  PROP_SUBMITTED,
  PROP_DONE,
  PROP_REUSED,
  PROP_FAILED,
  PROP_BYTES_WRITTEN,
  PROP_RUNNING,
  N_PROPS
};

enum {
  ITEM_DONE,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static Shared *
shared_ref (Shared *shared)
{
  g_atomic_ref_count_inc (&shared->ref_count);
  return shared;
}

static void
shared_unref (Shared *shared)
{
  if (!g_atomic_ref_count_dec (&shared->ref_count))
    return;

  g_clear_object (&shared->thumbnailer);
  g_clear_object (&shared->cancellable);
  g_async_queue_unref (shared->results);
  cs_job_queue_free (shared->jobs);
  g_main_context_unref (shared->context);
  g_weak_ref_clear (&shared->batch);
  g_free (shared);
}

static void
job_free (Job *job)
{
  if (job->tag_destroy != NULL && job->tag != NULL)
    job->tag_destroy (job->tag);
  g_clear_object (&job->file);
  g_free (job->relative_dir);
  g_clear_pointer (&job->shared, shared_unref);
  g_free (job);
}

static void apply_result (CsBatch  *self,
                          CsResult *result);

static gboolean
drain_results (gpointer user_data)
{
  Shared *shared = user_data;
  g_autoptr(CsBatch) batch = g_weak_ref_get (&shared->batch);
  gint64 deadline = g_get_monotonic_time () + DRAIN_SLICE_USEC;
  gboolean more = FALSE;
  CsResult *result;

  /* One notify per property per slice, not one per result. */
  if (batch != NULL)
    g_object_freeze_notify (G_OBJECT (batch));

  while ((result = g_async_queue_try_pop (shared->results)) != NULL)
    {
      if (batch != NULL)
        apply_result (batch, result);
      /* The last reference of the result, and of its tag, drops here, on
       * the main context. */
      cs_result_unref (result);

      if (g_get_monotonic_time () >= deadline)
        {
          more = TRUE;
          break;
        }
    }

  if (batch != NULL)
    g_object_thaw_notify (G_OBJECT (batch));

  if (more)
    return G_SOURCE_CONTINUE;

  /* A worker that pushed after our last pop saw the flag still set and did
   * not schedule: look again after clearing it. */
  g_atomic_int_set (&shared->drain_scheduled, 0);
  if (g_async_queue_length (shared->results) > 0 &&
      g_atomic_int_compare_and_exchange (&shared->drain_scheduled, 0, 1))
    return G_SOURCE_CONTINUE;

  return G_SOURCE_REMOVE;
}

static void
schedule_drain (Shared *shared)
{
  GSource *source;

  if (!g_atomic_int_compare_and_exchange (&shared->drain_scheduled, 0, 1))
    return;

  /* Below GTK's layout and redraw priorities: however fast results come, a
   * window still draws its frames between two slices. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH_IDLE + 30);
  g_source_set_callback (source, drain_results, shared_ref (shared),
                         (GDestroyNotify) shared_unref);
  g_source_set_static_name (source, "[contact-sheet] drain results");
  g_source_attach (source, shared->context);
  g_source_unref (source);
}

static void
push_result (Shared   *shared,
             CsResult *result)
{
  g_async_queue_push (shared->results, result);
  schedule_drain (shared);
}

/* Runs in a pool thread. The pool holds one turn (a reference to the
 * batch's shared state) per job: the job a turn runs is the most urgent
 * one when a worker gets to it, whatever the order they were added in. */
static void
run_job (gpointer data,
         gpointer user_data)
{
  Shared *shared = data;
  Job *job = cs_job_queue_pop (shared->jobs);
  CsResult *result;

  /* Every turn was pushed with its job, and only turns pop. */
  g_assert (job != NULL);

  if (shared->background)
    cs_lower_thread_priority ();

  /* Cancelled jobs still yield a result, at once, so the count drains. */
  result = cs_thumbnailer_process (shared->thumbnailer, job->file,
                                   job->relative_dir, shared->cancellable);

  /* The tag, and the job itself, travel with the result back to the main
   * context, where they are released. */
  result->tag = g_steal_pointer (&job->tag);
  result->tag_destroy = job->tag_destroy;
  result->job = job;
  result->job_free = (GDestroyNotify) job_free;

  push_result (shared, result);
  shared_unref (shared);
}

static void
maybe_finish (CsBatch *self)
{
  if (self->outcome != CS_BATCH_RUNNING || !self->closed || self->outstanding > 0)
    return;

  if (self->error != NULL)
    self->outcome = CS_BATCH_FAILED;
  else if (self->cancelled)
    self->outcome = CS_BATCH_CANCELLED;
  else
    self->outcome = CS_BATCH_COMPLETE;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_signal_emit (self, signals[FINISHED], 0, self->outcome);
}

static void
stop (CsBatch *self)
{
  self->cancelled = TRUE;
  self->closed = TRUE;
  g_cancellable_cancel (self->shared->cancellable);
}

static void
apply_result (CsBatch  *self,
              CsResult *result)
{
  const GError *error = cs_result_get_error (result);

  g_assert (self->outstanding > 0);
  self->outstanding--;

  if (result->tag != NULL && g_hash_table_lookup (self->jobs_by_tag, result->tag) == result->job)
    g_hash_table_remove (self->jobs_by_tag, result->tag);

  /* Cancelled: free without applying, whatever the result says. A thumbnail
   * a worker finished writing meanwhile is taken back, so that what is on
   * disk is exactly what was reported ("not made" means not made). */
  if (self->cancelled || self->outcome != CS_BATCH_RUNNING)
    {
      if (error == NULL && cs_result_get_bytes_written (result) > 0)
        g_unlink (cs_result_get_thumbnail_path (result));
      maybe_finish (self);
      return;
    }

  if (error != NULL)
    {
      self->failed++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILED]);
    }
  else
    {
      self->done++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DONE]);
      if (cs_result_get_reused (result))
        {
          self->reused++;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REUSED]);
        }
      if (cs_result_get_bytes_written (result) > 0)
        {
          self->bytes_written += cs_result_get_bytes_written (result);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_WRITTEN]);
        }
    }

  g_signal_emit (self, signals[ITEM_DONE], 0, result);

  if (error != NULL && self->policy == CS_BATCH_FAIL_FAST && self->error == NULL)
    {
      g_autofree char *name = g_file_get_parse_name (cs_result_get_file (result));

      self->error = g_error_new (error->domain, error->code, "%s: %s", name, error->message);
      stop (self);
    }

  maybe_finish (self);
}

static void
cs_batch_dispose (GObject *object)
{
  CsBatch *self = (CsBatch *)object;

  /* Whoever dropped us no longer wants results: stop the workers. They hold
   * only the shared state, so they may finish after we are gone. */
  if (self->shared != NULL && self->outcome == CS_BATCH_RUNNING)
    {
      self->cancelled = TRUE;
      self->closed = TRUE;
      g_cancellable_cancel (self->shared->cancellable);
    }

  /* Queued jobs still run (each returns at once, cancelled) so that each
   * frees what it holds; nobody waits for them here. */
  if (self->shared != NULL && self->shared->background)
    self->pool = NULL;
  else if (self->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, FALSE);

  G_OBJECT_CLASS (cs_batch_parent_class)->dispose (object);
}

static void
cs_batch_finalize (GObject *object)
{
  CsBatch *self = (CsBatch *)object;

  g_clear_pointer (&self->shared, shared_unref);
  g_clear_pointer (&self->claimed, g_hash_table_unref);
  g_clear_pointer (&self->jobs_by_tag, g_hash_table_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (cs_batch_parent_class)->finalize (object);
}

/* A background thumbnailer's helpers decode at a lower priority, and its
 * workers, which check caches and encode, run at a lower priority too: a
 * window's main thread, its renderer and the display server come first on
 * busy cores. A thread's priority cannot be raised again without
 * privileges, and the threads of a pool that is freed, even an exclusive
 * one, join the spare threads GLib lends to every pool (GIO's included).
 * So background batches share pools that are never freed, one per number
 * of workers asked for (the window asks for one number, unless its
 * preferences change): their threads do background work and nothing
 * else, and batches running at once share them. %NULL when the threads
 * cannot be made; the batch then makes a pool of its own. */
static GThreadPool *
get_background_pool (guint n_workers)
{
  G_LOCK_DEFINE_STATIC (pools);
  static GHashTable *pools;
  GThreadPool *pool;

  G_LOCK (pools);

  if (pools == NULL)
    pools = g_hash_table_new (NULL, NULL);

  pool = g_hash_table_lookup (pools, GUINT_TO_POINTER (n_workers));
  if (pool == NULL)
    {
      g_autoptr(GError) error = NULL;

      pool = g_thread_pool_new (run_job, NULL, n_workers, TRUE, &error);
      if (pool != NULL)
        g_hash_table_insert (pools, GUINT_TO_POINTER (n_workers), pool);
      else
        g_debug ("Workers run at the app's priority: %s", error->message);
    }

  G_UNLOCK (pools);

  return pool;
}

static void
cs_batch_constructed (GObject *object)
{
  CsBatch *self = (CsBatch *)object;
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (cs_batch_parent_class)->constructed (object);

  g_assert (CS_IS_THUMBNAILER (self->shared->thumbnailer));

  if (self->n_workers == 0)
    self->n_workers = g_get_num_processors ();

  if (cs_thumbnailer_get_background (self->shared->thumbnailer))
    {
      self->pool = get_background_pool (self->n_workers);
      self->shared->background = self->pool != NULL;
    }

  if (self->pool == NULL)
    {
      self->pool = g_thread_pool_new (run_job, NULL, self->n_workers, FALSE, &error);
      /* A non-exclusive pool starts its threads on demand and cannot fail. */
      g_assert_no_error (error);
    }
}

static void
cs_batch_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  CsBatch *self = CS_BATCH (object);

  switch (prop_id)
    {
    case PROP_THUMBNAILER:
      g_value_set_object (value, self->shared->thumbnailer);
      break;
    case PROP_N_WORKERS:
      g_value_set_uint (value, self->n_workers);
      break;
    case PROP_POLICY:
      g_value_set_int (value, self->policy);
      break;
    case PROP_SUBMITTED:
      g_value_set_uint (value, self->submitted);
      break;
    case PROP_DONE:
      g_value_set_uint (value, self->done);
      break;
    case PROP_REUSED:
      g_value_set_uint (value, self->reused);
      break;
    case PROP_FAILED:
      g_value_set_uint (value, self->failed);
      break;
    case PROP_BYTES_WRITTEN:
      g_value_set_uint64 (value, self->bytes_written);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, cs_batch_get_running (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_batch_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  CsBatch *self = CS_BATCH (object);

  switch (prop_id)
    {
    case PROP_THUMBNAILER:
      self->shared->thumbnailer = g_value_dup_object (value);
      break;
    case PROP_N_WORKERS:
      self->n_workers = g_value_get_uint (value);
      break;
    case PROP_POLICY:
      cs_batch_set_policy (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_batch_class_init (CsBatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = cs_batch_constructed;
  object_class->dispose = cs_batch_dispose;
  object_class->finalize = cs_batch_finalize;
  object_class->get_property = cs_batch_get_property;
  object_class->set_property = cs_batch_set_property;

  properties[PROP_THUMBNAILER] =
    g_param_spec_object ("thumbnailer", NULL, NULL, CS_TYPE_THUMBNAILER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_WORKERS] =
    g_param_spec_uint ("n-workers", NULL, NULL, 0, 1024, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_POLICY] =
    g_param_spec_int ("policy", NULL, NULL,
                      CS_BATCH_KEEP_GOING, CS_BATCH_FAIL_FAST, CS_BATCH_KEEP_GOING,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SUBMITTED] =
    g_param_spec_uint ("submitted", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_DONE] =
    g_param_spec_uint ("done", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_REUSED] =
    g_param_spec_uint ("reused", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_FAILED] =
    g_param_spec_uint ("failed", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_BYTES_WRITTEN] =
    g_param_spec_uint64 ("bytes-written", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, TRUE, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CsBatch::item-done:
   * @result: the thumbnail made or reused, or the error
   *
   * One per job, in the order results arrive. Never for a cancelled batch.
   */
  signals[ITEM_DONE] =
    g_signal_new ("item-done",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CS_TYPE_RESULT | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * CsBatch::finished:
   * @outcome: a #CsBatchOutcome
   *
   * Exactly once, when input is closed and the last result has drained.
   */
  signals[FINISHED] =
    g_signal_new ("finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
cs_batch_init (CsBatch *self)
{
  self->shared = g_new0 (Shared, 1);
  g_atomic_ref_count_init (&self->shared->ref_count);
  self->shared->cancellable = g_cancellable_new ();
  self->shared->results = g_async_queue_new_full ((GDestroyNotify) cs_result_unref);
  self->shared->jobs = cs_job_queue_new ();
  self->shared->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&self->shared->batch, self);

  self->claimed = g_hash_table_new_full (claim_hash, claim_equal, claim_free, NULL);
  self->jobs_by_tag = g_hash_table_new (NULL, NULL);
  self->outcome = CS_BATCH_RUNNING;
}

/**
 * cs_batch_new:
 * @n_workers: worker threads; 0 for one per processor
 *
 * The batch lives on the thread-default main context of the caller: its
 * signals are emitted there.
 */
CsBatch *
cs_batch_new (CsThumbnailer *thumbnailer,
              guint          n_workers)
{
  g_return_val_if_fail (CS_IS_THUMBNAILER (thumbnailer), NULL);

  return g_object_new (CS_TYPE_BATCH,
                       "thumbnailer", thumbnailer,
                       "n-workers", n_workers,
                       NULL);
}

void
cs_batch_set_policy (CsBatch       *self,
                     CsBatchPolicy  policy)
{
  g_return_if_fail (CS_IS_BATCH (self));

  if (self->policy == policy)
    return;

  self->policy = policy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POLICY]);
}

/* Queues a ready-made failure through the same path as a worker's. */
static void
submit_error (CsBatch        *self,
              GFile          *file,
              GError         *error,
              gpointer        tag,
              GDestroyNotify  tag_destroy)
{
  CsResult *result = cs_result_new_error (file, error);

  result->tag = tag;
  result->tag_destroy = tag_destroy;
  push_result (self->shared, result);
}

/**
 * cs_batch_add:
 * @relative_dir: (nullable): the file's folder relative to the scanned root
 * @tag: (nullable): handed back with the result (cs_result_get_tag()); only
 *   ever touched and released on the batch's main context
 *
 * Counts a job and hands it to a worker. Must be called on the batch's
 * main context, before cs_batch_close().
 *
 * Returns: %FALSE if the file was not queued: the batch is closed, or the
 *   same file is already in it. @tag is then released at once.
 */
gboolean
cs_batch_add (CsBatch        *self,
              GFile          *file,
              const char     *relative_dir,
              gpointer        tag,
              GDestroyNotify  tag_destroy)
{
  g_autofree char *output = NULL;
  Claim probe;
  Claim *owner;
  Job *job;

  g_return_val_if_fail (CS_IS_BATCH (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (self->closed)
    {
      if (tag_destroy != NULL && tag != NULL)
        tag_destroy (tag);
      return FALSE;
    }

  output = cs_thumbnailer_get_output_path (self->shared->thumbnailer, file, relative_dir);
  digest_output (output, &probe);
  owner = g_hash_table_lookup (self->claimed, &probe);

  if (owner != NULL && g_file_equal (owner->file, file))
    {
      if (tag_destroy != NULL && tag != NULL)
        tag_destroy (tag);
      return FALSE;
    }

  self->submitted++;
  self->outstanding++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBMITTED]);

  if (owner != NULL)
    {
      g_autofree char *other = g_file_get_parse_name (owner->file);

      submit_error (self, file,
                    g_error_new (G_IO_ERROR, G_IO_ERROR_EXISTS,
                                 _("Its thumbnail name is taken by %s in this batch"),
                                 other),
                    tag, tag_destroy);
      return TRUE;
    }

  owner = g_memdup2 (&probe, sizeof probe);
  owner->file = g_object_ref (file);
  g_hash_table_add (self->claimed, owner);

  job = g_new0 (Job, 1);
  job->shared = shared_ref (self->shared);
  job->file = g_object_ref (file);
  job->relative_dir = g_strdup (relative_dir);
  job->tag = tag;
  job->tag_destroy = tag_destroy;
  if (tag != NULL)
    g_hash_table_insert (self->jobs_by_tag, tag, job);

  cs_job_queue_push (self->shared->jobs, job, 0);
  if (!g_thread_pool_push (self->pool, shared_ref (self->shared), NULL))
    g_assert_not_reached ();

  return TRUE;
}

/**
 * cs_batch_set_priority:
 * @tag: the tag given to cs_batch_add()
 * @priority: higher starts sooner; jobs start at 0
 *
 * Workers take the waiting job of the highest priority next, and among
 * equals the one added first (what is on screen comes first, in the order
 * the caller ranks it). A job set back to 0 waits where it was added.
 * Does nothing to a job that has started or finished.
 *
 * Returns: whether that job was still waiting
 */
gboolean
cs_batch_set_priority (CsBatch  *self,
                       gpointer  tag,
                       int       priority)
{
  Job *job;

  g_return_val_if_fail (CS_IS_BATCH (self), FALSE);

  job = g_hash_table_lookup (self->jobs_by_tag, tag);

  return job != NULL && cs_job_queue_set_priority (self->shared->jobs, job, priority);
}

/**
 * cs_batch_get_outstanding:
 *
 * Returns: the jobs added whose results have not been applied yet
 */
guint
cs_batch_get_outstanding (CsBatch *self)
{
  g_return_val_if_fail (CS_IS_BATCH (self), 0);
  return self->outstanding;
}

/**
 * cs_batch_close:
 *
 * No more input: "finished" follows once every result has drained.
 */
void
cs_batch_close (CsBatch *self)
{
  g_return_if_fail (CS_IS_BATCH (self));

  if (self->closed)
    return;

  self->closed = TRUE;
  maybe_finish (self);
}

/**
 * cs_batch_cancel:
 *
 * Queued jobs never start, running ones stop at their next check, and every
 * result still to come is freed without being applied; "finished" with
 * %CS_BATCH_CANCELLED follows once they have all drained. Does nothing once
 * the batch has finished.
 */
void
cs_batch_cancel (CsBatch *self)
{
  g_return_if_fail (CS_IS_BATCH (self));

  if (self->outcome != CS_BATCH_RUNNING || self->cancelled)
    return;

  stop (self);
  maybe_finish (self);
}

guint
cs_batch_get_submitted (CsBatch *self)
{
  g_return_val_if_fail (CS_IS_BATCH (self), 0);
  return self->submitted;
}

guint
cs_batch_get_done (CsBatch *self)
{
  g_return_val_if_fail (CS_IS_BATCH (self), 0);
  return self->done;
}

guint
cs_batch_get_reused (CsBatch *self)
{
  g_return_val_if_fail (CS_IS_BATCH (self), 0);
  return self->reused;
}

guint
cs_batch_get_failed (CsBatch *self)
{
  g_return_val_if_fail (CS_IS_BATCH (self), 0);
  return self->failed;
}

guint64
cs_batch_get_bytes_written (CsBatch *self)
{
  g_return_val_if_fail (CS_IS_BATCH (self), 0);
  return self->bytes_written;
}

gboolean
cs_batch_get_running (CsBatch *self)
{
  g_return_val_if_fail (CS_IS_BATCH (self), FALSE);
  return self->outcome == CS_BATCH_RUNNING;
}

CsBatchOutcome
cs_batch_get_outcome (CsBatch *self)
{
  g_return_val_if_fail (CS_IS_BATCH (self), CS_BATCH_RUNNING);
  return self->outcome;
}

/**
 * cs_batch_get_error:
 *
 * Returns: (nullable): under fail-fast, the first error, naming its file
 */
const GError *
cs_batch_get_error (CsBatch *self)
{
  g_return_val_if_fail (CS_IS_BATCH (self), NULL);
  return self->error;
}
