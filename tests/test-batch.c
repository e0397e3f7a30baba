/* test-batch.c: the pipeline's rules, from DESIGN.md
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cs-batch.h"
#include "cs-util.h"
#include "cs-test-images.h"
#include "cs-test-util.h"

typedef struct
{
  char      *dir;
  CsBatch   *batch;
  GPtrArray *results;        /* CsResult, in the order item-done came */
  guint      finished;
  int        outcome;
  guint      items_after_finished;
  guint      cancel_at;      /* cancel on the n-th item-done, 0 = never */
  guint      tags_alive;
  gboolean   tag_freed_off_main;
  GThread   *main_thread;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = cs_test_make_dir ();
  f->results = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_result_unref);
  f->main_thread = g_thread_self ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_null (f->batch);
  g_ptr_array_unref (f->results);
  cs_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
write_images (Fixture    *f,
              guint       count,
              int         size,
              const char *prefix)
{
  for (guint i = 0; i < count; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_strdup_printf ("%s/%s-%03u.jpg", f->dir, prefix, i);

      cs_test_write_image (path, size, size * 3 / 4, "jpeg", i, &error);
      g_assert_no_error (error);
    }
}

static void
on_item_done (CsBatch  *batch,
              CsResult *result,
              Fixture  *f)
{
  g_assert_true (g_thread_self () == f->main_thread);
  g_assert_false (cs_result_is_cancelled (result));

  if (f->finished > 0)
    f->items_after_finished++;

  g_ptr_array_add (f->results, cs_result_ref (result));

  if (f->cancel_at > 0 && f->results->len == f->cancel_at)
    cs_batch_cancel (batch);
}

static void
on_finished (CsBatch *batch,
             int      outcome,
             Fixture *f)
{
  g_assert_true (g_thread_self () == f->main_thread);
  f->finished++;
  f->outcome = outcome;
}

/* Tags stand for the window's items: they must all die, on the main thread. */
static void
tag_destroy (gpointer data)
{
  Fixture *f = data;

  if (g_thread_self () != f->main_thread)
    f->tag_freed_off_main = TRUE;
  g_atomic_int_add (&f->tags_alive, -1);
}

static void
start_batch (Fixture       *f,
             CsThumbnailer *thumbnailer,
             guint          workers)
{
  f->batch = cs_batch_new (thumbnailer, workers);
  g_signal_connect (f->batch, "item-done", G_CALLBACK (on_item_done), f);
  g_signal_connect (f->batch, "finished", G_CALLBACK (on_finished), f);
}

static guint
add_folder (Fixture *f)
{
  g_autoptr(GPtrArray) names = cs_test_list_dir (f->dir);
  guint added = 0;

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (f->dir, g_ptr_array_index (names, i), NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);

      if (cs_is_thumbnail_name (g_ptr_array_index (names, i)))
        continue;

      g_atomic_int_inc (&f->tags_alive);
      if (cs_batch_add (f->batch, file, NULL, f, tag_destroy))
        added++;
    }

  return added;
}

static gboolean
is_finished (gpointer data)
{
  Fixture *f = data;

  return f->finished > 0;
}

static gboolean
tags_dead (gpointer data)
{
  Fixture *f = data;

  return g_atomic_int_get (&f->tags_alive) == 0;
}

/* Lets any stray result arrive, then checks the batch's end. */
static void
finish_batch (Fixture *f)
{
  gint64 settle = g_get_monotonic_time () + 50 * 1000;

  cs_test_wait_until (is_finished, f, 30000);
  while (g_get_monotonic_time () < settle)
    g_main_context_iteration (NULL, FALSE);

  g_assert_cmpuint (f->finished, ==, 1);
  g_assert_cmpuint (f->items_after_finished, ==, 0);
  g_assert_false (cs_batch_get_running (f->batch));

  /* Our own references to results hold their tags too. */
  g_ptr_array_set_size (f->results, 0);
  cs_test_wait_until (tags_dead, f, 30000);
  g_assert_false (f->tag_freed_off_main);

  g_assert_finalize_object (g_steal_pointer (&f->batch));
}

/* Every name in the folder is a source or one of our outputs: nothing
 * half-written under a temporary name. */
static void
assert_no_temporary_files (Fixture *f)
{
  g_autoptr(GPtrArray) names = cs_test_list_dir (f->dir);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      g_assert_true (g_str_has_suffix (name, ".jpg") || g_str_has_suffix (name, ".png"));
    }
}

static void
test_totals (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 128, NULL);
  guint64 sum = 0;
  guint added;

  write_images (f, 12, 640, "img");
  start_batch (f, thumbnailer, 2);
  added = add_folder (f);
  cs_batch_close (f->batch);
  cs_test_wait_until (is_finished, f, 30000);

  g_assert_cmpuint (added, ==, 12);
  g_assert_cmpint (f->outcome, ==, CS_BATCH_COMPLETE);
  g_assert_cmpuint (cs_batch_get_submitted (f->batch), ==, 12);
  g_assert_cmpuint (cs_batch_get_done (f->batch), ==, 12);
  g_assert_cmpuint (cs_batch_get_failed (f->batch), ==, 0);
  g_assert_cmpuint (f->results->len, ==, 12);

  for (guint i = 0; i < f->results->len; i++)
    {
      CsResult *result = g_ptr_array_index (f->results, i);
      GStatBuf st;

      g_assert_cmpint (g_stat (cs_result_get_thumbnail_path (result), &st), ==, 0);
      g_assert_cmpuint (cs_result_get_bytes_written (result), ==, st.st_size);
      sum += st.st_size;
    }

  g_assert_cmpuint (cs_batch_get_bytes_written (f->batch), ==, sum);
  assert_no_temporary_files (f);
  finish_batch (f);
}

/* The niceness of every thread of this process, from /proc (field 19 of
 * a task's stat, counted after the command's closing parenthesis). */
static GArray *
thread_nices (void)
{
  GArray *nices = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;

  g_assert_nonnull (dir);
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/stat", tid);
      g_autofree char *stat = NULL;
      g_auto(GStrv) fields = NULL;
      const char *after;
      int nice;

      /* A thread may end between the listing and the read. */
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      after = strrchr (stat, ')');
      g_assert_nonnull (after);
      fields = g_strsplit (after + 2, " ", 0);
      /* Fields from the state (3rd) on: niceness is the 19th. */
      g_assert_cmpuint (g_strv_length (fields), >, 16);
      nice = atoi (fields[16]);
      g_array_append_val (nices, nice);
    }

  return nices;
}

static guint
count_nice (int nice)
{
  g_autoptr(GArray) nices = thread_nices ();
  guint n = 0;

  for (guint i = 0; i < nices->len; i++)
    if (g_array_index (nices, int, i) == nice)
      n++;

  return n;
}

typedef struct
{
  GMutex  lock;
  GArray *nices;
} NiceLog;

/* Runs in a shared pool's thread; stays a moment, so that the pool's
 * jobs are spread over every idle thread GLib has to lend. */
static void
record_nice (gpointer data,
             gpointer user_data)
{
  NiceLog *log = user_data;
  int nice;

  errno = 0;
  nice = getpriority (PRIO_PROCESS, 0);
  g_assert_cmpint (errno, ==, 0);
  g_usleep (20 * 1000);

  g_mutex_lock (&log->lock);
  g_array_append_val (log->nices, nice);
  g_mutex_unlock (&log->lock);
}

/* One background batch over the folder's images; returns how many of this
 * process's threads are lowered by then. */
static guint
run_background_batch (Fixture       *f,
                      CsThumbnailer *thumbnailer,
                      int            lowered)
{
  guint n;

  f->finished = 0;
  start_batch (f, thumbnailer, 2);
  g_assert_cmpuint (add_folder (f), ==, 16);
  cs_batch_close (f->batch);
  cs_test_wait_until (is_finished, f, 30000);
  g_assert_cmpint (f->outcome, ==, CS_BATCH_COMPLETE);
  n = count_nice (lowered);
  finish_batch (f);

  return n;
}

/* A background thumbnailer's workers (and not only its helpers) run at a
 * lower priority, so that a window's main thread comes first; a batch
 * that is not background leaves them alone; the lowered threads are never
 * lent to GLib's other pools (GIO's jobs would run at the lower priority
 * too); and later background batches use the same threads. */
static void
test_background_priority (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 128, NULL);
  g_autoptr(CsThumbnailer) background = g_object_new (CS_TYPE_THUMBNAILER,
                                                      "mode", CS_OUTPUT_BESIDE,
                                                      "size", 128,
                                                      "background", TRUE,
                                                      NULL);
  int base = getpriority (PRIO_PROCESS, 0);
  int lowered = MIN (base + CS_BACKGROUND_NICE, 19);
  GThreadPool *pool;
  NiceLog log;
  guint n;

  if (base >= 19)
    {
      g_test_skip ("Already at the lowest priority");
      return;
    }

  write_images (f, 16, 640, "img");

  /* Not background: nothing lowered. */
  start_batch (f, thumbnailer, 2);
  add_folder (f);
  cs_batch_close (f->batch);
  cs_test_wait_until (is_finished, f, 30000);
  g_assert_cmpint (f->outcome, ==, CS_BATCH_COMPLETE);
  g_assert_cmpuint (count_nice (lowered), ==, 0);
  finish_batch (f);

  /* Background: the workers that ran jobs are lowered, two at most, and
   * the main thread is not. */
  n = run_background_batch (f, background, lowered);
  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (n, <=, 2);
  g_assert_cmpint (getpriority (PRIO_PROCESS, 0), ==, base);

  /* The decoder helpers those workers started are ten steps nicer than the
   * app, not than the worker that started them. The non-background batch's
   * helpers are still alive, at the app's priority. */
  if (g_getenv ("CONTACT_SHEET_DECODER") != NULL)
    {
      g_autoptr(GArray) helpers = cs_test_find_helpers ();
      guint at_lowered = 0;

      for (guint i = 0; i < helpers->len; i++)
        {
          int nice;

          errno = 0;
          nice = getpriority (PRIO_PROCESS, (id_t) g_array_index (helpers, int, i));
          g_assert_cmpint (errno, ==, 0);
          g_assert_true (nice == base || nice == lowered);
          if (nice == lowered)
            at_lowered++;
        }
      g_assert_cmpuint (at_lowered, >=, 1);
    }

  /* The lowered threads are not lent to GLib's shared pools: jobs pushed
   * there as soon as the batch is gone run at the app's priority. */
  log.nices = g_array_new (FALSE, FALSE, sizeof (int));
  g_mutex_init (&log.lock);
  pool = g_thread_pool_new (record_nice, &log, 4, FALSE, NULL);
  for (guint i = 0; i < 4; i++)
    g_thread_pool_push (pool, GINT_TO_POINTER (i + 1), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);
  /* The pool's threads are done with @log; their last unlock, taken here,
   * says so to ThreadSanitizer, which cannot see GLib's own join. */
  g_mutex_lock (&log.lock);
  g_mutex_unlock (&log.lock);
  g_assert_cmpuint (log.nices->len, ==, 4);
  for (guint i = 0; i < log.nices->len; i++)
    g_assert_cmpint (g_array_index (log.nices, int, i), ==, base);
  g_array_unref (log.nices);
  g_mutex_clear (&log.lock);

  /* A second background batch runs on the same two threads. */
  n = run_background_batch (f, background, lowered);
  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (n, <=, 2);
}

typedef struct
{
  Fixture *f;
  GPtrArray *paths;
  guint next;
} Feeder;

static gboolean
feed_one (gpointer data)
{
  Feeder *feeder = data;
  g_autoptr(GFile) file = NULL;

  if (feeder->next == feeder->paths->len)
    {
      cs_batch_close (feeder->f->batch);
      return G_SOURCE_REMOVE;
    }

  /* Nothing may finish while input is still open. */
  g_assert_cmpuint (feeder->f->finished, ==, 0);

  file = g_file_new_for_path (g_ptr_array_index (feeder->paths, feeder->next++));
  g_atomic_int_inc (&feeder->f->tags_alive);
  cs_batch_add (feeder->f->batch, file, NULL, feeder->f, tag_destroy);

  return G_SOURCE_CONTINUE;
}

/* Input of unknown length: files arrive while results drain. */
static void
test_streamed (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_cache (CS_FLAVOR_NORMAL, NULL);
  g_autoptr(GPtrArray) names = NULL;
  Feeder feeder = { f, g_ptr_array_new_with_free_func (g_free), 0 };

  write_images (f, 20, 320, "s");
  names = cs_test_list_dir (f->dir);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (feeder.paths, g_build_filename (f->dir, g_ptr_array_index (names, i), NULL));

  start_batch (f, thumbnailer, 2);
  g_timeout_add (3, feed_one, &feeder);
  cs_test_wait_until (is_finished, f, 30000);

  g_assert_cmpint (f->outcome, ==, CS_BATCH_COMPLETE);
  g_assert_cmpuint (cs_batch_get_done (f->batch), ==, 20);
  g_assert_cmpuint (f->results->len, ==, 20);
  g_ptr_array_unref (feeder.paths);
  finish_batch (f);

  /* The same again: every thumbnail is valid, nothing is written. */
  f->finished = 0;
  start_batch (f, thumbnailer, 2);
  add_folder (f);
  cs_batch_close (f->batch);
  cs_test_wait_until (is_finished, f, 30000);
  g_assert_cmpuint (cs_batch_get_reused (f->batch), ==, 20);
  g_assert_cmpuint (cs_batch_get_bytes_written (f->batch), ==, 0);
  finish_batch (f);
}

static void
test_keep_going (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 64, NULL);
  g_autofree char *bad1 = g_build_filename (f->dir, "bad-1.jpg", NULL);
  g_autofree char *bad2 = g_build_filename (f->dir, "bad-2.jpg", NULL);

  write_images (f, 5, 200, "good");
  g_file_set_contents (bad1, "not a jpeg", -1, NULL);
  g_file_set_contents (bad2, "", 0, NULL);

  start_batch (f, thumbnailer, 2);
  add_folder (f);
  cs_batch_close (f->batch);
  cs_test_wait_until (is_finished, f, 30000);

  g_assert_cmpint (f->outcome, ==, CS_BATCH_COMPLETE);
  g_assert_cmpuint (cs_batch_get_done (f->batch), ==, 5);
  g_assert_cmpuint (cs_batch_get_failed (f->batch), ==, 2);
  g_assert_cmpuint (f->results->len, ==, 7);
  g_assert_null (cs_batch_get_error (f->batch));
  finish_batch (f);
}

static void
test_fail_fast (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 64, NULL);
  g_autofree char *bad = g_build_filename (f->dir, "a-bad.jpg", NULL);
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad);
  const GError *error;
  guint after_error = 0;

  g_file_set_contents (bad, "not a jpeg", -1, NULL);
  write_images (f, 30, 400, "good");

  start_batch (f, thumbnailer, 1);
  cs_batch_set_policy (f->batch, CS_BATCH_FAIL_FAST);
  add_folder (f);   /* sorted: the bad one goes first */
  cs_batch_close (f->batch);
  cs_test_wait_until (is_finished, f, 30000);

  g_assert_cmpint (f->outcome, ==, CS_BATCH_FAILED);
  error = cs_batch_get_error (f->batch);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "a-bad.jpg"));
  g_assert_cmpuint (cs_batch_get_failed (f->batch), ==, 1);

  /* The first error is the last thing applied. */
  for (guint i = 0; i < f->results->len; i++)
    if (g_file_equal (cs_result_get_file (g_ptr_array_index (f->results, i)), bad_file))
      after_error = f->results->len - 1 - i;
  g_assert_cmpuint (after_error, ==, 0);
  g_assert_cmpuint (cs_batch_get_done (f->batch), <, 30);
  assert_no_temporary_files (f);
  finish_batch (f);
}

static void
run_cancel_case (Fixture *f,
                 guint    cancel_at,
                 gboolean before_loop,
                 gboolean twice)
{
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 128, NULL);
  guint applied;

  f->finished = 0;
  f->cancel_at = cancel_at;
  g_ptr_array_set_size (f->results, 0);

  start_batch (f, thumbnailer, 2);
  add_folder (f);
  cs_batch_close (f->batch);

  if (before_loop)
    {
      cs_batch_cancel (f->batch);
      if (twice)
        cs_batch_cancel (f->batch);
    }

  cs_test_wait_until (is_finished, f, 30000);
  if (twice)
    cs_batch_cancel (f->batch);

  g_assert_cmpint (f->outcome, ==, CS_BATCH_CANCELLED);
  applied = f->results->len;
  if (before_loop)
    g_assert_cmpuint (applied, ==, 0);
  else
    g_assert_cmpuint (applied, ==, cancel_at);

  /* The totals froze at cancel. */
  g_assert_cmpuint (cs_batch_get_done (f->batch) + cs_batch_get_failed (f->batch), ==, applied);

  finish_batch (f);
  assert_no_temporary_files (f);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  write_images (f, 24, 900, "c");

  run_cancel_case (f, 0, TRUE, FALSE);    /* before start */
  run_cancel_case (f, 0, TRUE, TRUE);     /* twice */
  run_cancel_case (f, 1, FALSE, FALSE);   /* at the first result */
  run_cancel_case (f, 10, FALSE, TRUE);   /* mid-way, and again after */
  run_cancel_case (f, 24, FALSE, FALSE);  /* at the last result: no-op, it finished */
}

static gboolean
all_written (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GPtrArray) names = cs_test_list_dir (f->dir);

  return names->len == 2 * 8;
}

/* Every job has run and pushed its result, none drained yet: cancelling
 * still frees them all without applying any. */
static void
test_cancel_after_last_job (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 64, NULL);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  write_images (f, 8, 200, "l");
  start_batch (f, thumbnailer, 2);
  add_folder (f);
  cs_batch_close (f->batch);

  /* Wait without iterating the main context. */
  while (!all_written (f))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
  g_usleep (20000);

  cs_batch_cancel (f->batch);
  cs_test_wait_until (is_finished, f, 30000);
  g_assert_cmpint (f->outcome, ==, CS_BATCH_CANCELLED);
  g_assert_cmpuint (f->results->len, ==, 0);
  g_assert_cmpuint (cs_batch_get_done (f->batch), ==, 0);
  finish_batch (f);
}

/* The owner (a window) drops the batch mid-run: no signal after that, and
 * everything the jobs held is still released, on the main thread. */
static void
test_dispose_mid_run (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 128, NULL);
  GWeakRef weak;

  write_images (f, 16, 1200, "d");
  start_batch (f, thumbnailer, 2);
  add_folder (f);
  cs_batch_close (f->batch);

  g_weak_ref_init (&weak, f->batch);
  g_clear_object (&f->batch);
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);

  cs_test_wait_until (tags_dead, f, 30000);
  g_assert_false (f->tag_freed_off_main);
  g_assert_cmpuint (f->finished, ==, 0);
  g_assert_cmpuint (f->results->len, ==, 0);
  assert_no_temporary_files (f);
}

/* The same file twice is one job; two files that would share a thumbnail
 * name in the folder mode are one job and one clear error. */
static void
test_claims (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_autofree char *a = g_build_filename (f->dir, "a", NULL);
  g_autofree char *b = g_build_filename (f->dir, "b", NULL);
  g_autofree char *pa = g_build_filename (a, "x.jpg", NULL);
  g_autofree char *pb = g_build_filename (b, "x.jpg", NULL);
  g_autoptr(GFile) fa = g_file_new_for_path (pa);
  g_autoptr(GFile) fb = g_file_new_for_path (pb);
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_FOLDER, 64, out);
  g_autoptr(GError) error = NULL;

  g_mkdir (a, 0755);
  g_mkdir (b, 0755);
  cs_test_write_image (pa, 100, 100, "jpeg", 1, &error);
  cs_test_write_image (pb, 100, 100, "jpeg", 2, &error);
  g_assert_no_error (error);

  start_batch (f, thumbnailer, 1);
  g_assert_true (cs_batch_add (f->batch, fa, NULL, NULL, NULL));
  g_assert_false (cs_batch_add (f->batch, fa, NULL, NULL, NULL));
  g_assert_true (cs_batch_add (f->batch, fb, NULL, NULL, NULL));
  /* Kept apart by their folders relative to the scanned root. */
  g_assert_true (cs_batch_add (f->batch, fb, "b", NULL, NULL));
  cs_batch_close (f->batch);
  g_assert_false (cs_batch_add (f->batch, fb, "c", NULL, NULL));
  cs_test_wait_until (is_finished, f, 30000);

  g_assert_cmpuint (cs_batch_get_submitted (f->batch), ==, 3);
  g_assert_cmpuint (cs_batch_get_done (f->batch), ==, 2);
  g_assert_cmpuint (cs_batch_get_failed (f->batch), ==, 1);
  /* The error names the file that holds the name. */
  for (guint i = 0; i < f->results->len; i++)
    {
      const GError *claim_error = cs_result_get_error (g_ptr_array_index (f->results, i));

      if (claim_error != NULL)
        {
          g_assert_error (claim_error, G_IO_ERROR, G_IO_ERROR_EXISTS);
          g_assert_nonnull (strstr (claim_error->message, pa));
        }
    }
  g_assert_true (g_file_test (out, G_FILE_TEST_IS_DIR));
  {
    g_autofree char *nested = g_build_filename (out, "b", "x.thumb.jpg", NULL);
    g_assert_true (g_file_test (nested, G_FILE_TEST_IS_REGULAR));
  }
  finish_batch (f);
}

/* Many cancels at random points: finished exactly once each, nothing
 * leaked (every tag dies), nothing applied after the cancel. */
static void
test_cancel_stress (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 32, NULL);
  guint rounds = g_test_slow () ? 1000 : 150;

  write_images (f, 12, 96, "r");

  for (guint round = 0; round < rounds; round++)
    {
      guint point = g_test_rand_int_range (0, 14);

      f->finished = 0;
      f->cancel_at = 0;
      g_ptr_array_set_size (f->results, 0);
      start_batch (f, thumbnailer, 1 + round % 3);
      add_folder (f);

      if (point == 0)
        cs_batch_cancel (f->batch);
      cs_batch_close (f->batch);
      if (point == 1)
        cs_batch_cancel (f->batch);
      else if (point > 1)
        f->cancel_at = point - 1;

      cs_test_wait_until (is_finished, f, 30000);
      if (point > 1 && point - 1 <= 12)
        g_assert_cmpuint (f->results->len, <=, point - 1);
      finish_batch (f);
    }

  assert_no_temporary_files (f);
}

/* The window's order: what is on screen first, in reading order, and on a
 * scroll what is on screen then. One worker, so the order of results is
 * the order jobs started in. */
typedef struct
{
  Fixture *f;
  GFile   *files[40];
  guint    scrolled_at;   /* results when the screen moved */
} Screen;

static void
show_files (Screen *screen,
            guint   first,
            guint   last,
            int     priority_of_first)
{
  for (guint i = first; i <= last; i++)
    cs_batch_set_priority (screen->f->batch, screen->files[i],
                           priority_of_first > 0 ? priority_of_first - (int) (i - first) : 0);
}

/* Three cells of the first screen are done: scroll from 30..37 to 10..17. */
static void
on_item_done_scroll (CsBatch  *batch,
                     CsResult *result,
                     Screen   *screen)
{
  if (screen->f->results->len != 3)
    return;

  screen->scrolled_at = screen->f->results->len;
  show_files (screen, 30, 37, 0);
  show_files (screen, 10, 17, 8);
}

static guint
result_index (Screen *screen,
              guint   i)
{
  GFile *file = cs_result_get_file (g_ptr_array_index (screen->f->results, i));

  for (guint j = 0; j < G_N_ELEMENTS (screen->files); j++)
    if (g_file_equal (file, screen->files[j]))
      return j;
  g_assert_not_reached ();
}

static void
test_on_screen_first (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new_for_folder (CS_OUTPUT_BESIDE, 128, NULL);
  Screen screen = { f, { NULL }, 0 };
  guint i = 0;
  guint next;

  write_images (f, G_N_ELEMENTS (screen.files), 1200, "s");
  start_batch (f, thumbnailer, 1);
  g_signal_connect (f->batch, "item-done", G_CALLBACK (on_item_done_scroll), &screen);

  for (guint j = 0; j < G_N_ELEMENTS (screen.files); j++)
    {
      g_autofree char *path = g_strdup_printf ("%s/s-%03u.jpg", f->dir, j);

      screen.files[j] = g_file_new_for_path (path);
      g_assert_true (cs_batch_add (f->batch, screen.files[j], NULL,
                                   g_object_ref (screen.files[j]), g_object_unref));
    }
  show_files (&screen, 30, 37, 8);
  cs_batch_close (f->batch);
  cs_test_wait_until (is_finished, f, 60000);
  g_assert_cmpuint (f->results->len, ==, G_N_ELEMENTS (screen.files));

  /* What the worker had taken before the screen was known, in the order
   * added (a few, as the main thread and the worker happen to run; a
   * scheduler that ignored the screen would take all 30 before it); then
   * the screen, top left first. */
  while (result_index (&screen, i) == i)
    i++;
  g_assert_cmpuint (i, <, 10);
  for (next = 30; i < screen.scrolled_at; i++, next++)
    g_assert_cmpuint (result_index (&screen, i), ==, next);

  /* Those of the old screen the worker had taken when it scrolled, then
   * the new screen, then the rest in order: the old screen's other cells
   * wait where they were. */
  while (result_index (&screen, i) == next)
    i++, next++;
  g_assert_cmpuint (next, <=, 37);
  for (next = 10; next <= 17; next++, i++)
    g_assert_cmpuint (result_index (&screen, i), ==, next);
  for (i++; i < f->results->len; i++)
    g_assert_cmpuint (result_index (&screen, i - 1), <, result_index (&screen, i));

  for (guint j = 0; j < G_N_ELEMENTS (screen.files); j++)
    g_object_unref (screen.files[j]);
  finish_batch (f);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = cs_test_isolate_cache ();
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/batch/totals", test_totals);
  ADD ("/batch/streamed", test_streamed);
  ADD ("/batch/keep-going", test_keep_going);
  ADD ("/batch/fail-fast", test_fail_fast);
  ADD ("/batch/cancel", test_cancel);
  ADD ("/batch/cancel-after-last-job", test_cancel_after_last_job);
  ADD ("/batch/dispose-mid-run", test_dispose_mid_run);
  ADD ("/batch/claims", test_claims);
  ADD ("/batch/cancel-stress", test_cancel_stress);
  ADD ("/batch/background-priority", test_background_priority);
  ADD ("/batch/on-screen-first", test_on_screen_first);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
