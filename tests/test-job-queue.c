/* test-job-queue.c: the order workers take jobs in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-job-queue.h"

#define N_JOBS 40

/* Jobs are the numbers 1..N_JOBS, as pointers, pushed in that order. */
static CsJobQueue *
make_queue (void)
{
  CsJobQueue *queue = cs_job_queue_new ();

  for (guint i = 1; i <= N_JOBS; i++)
    cs_job_queue_push (queue, GUINT_TO_POINTER (i), 0);

  return queue;
}

/* Raises @first..@last as a screen of cells would be, top left first. */
static void
show (CsJobQueue *queue,
      guint       first,
      guint       last)
{
  for (guint i = first; i <= last; i++)
    g_assert_true (cs_job_queue_set_priority (queue, GUINT_TO_POINTER (i), last - i + 1));
}

static void
hide (CsJobQueue *queue,
      guint       first,
      guint       last)
{
  for (guint i = first; i <= last; i++)
    cs_job_queue_set_priority (queue, GUINT_TO_POINTER (i), 0);
}

static void
assert_pops (CsJobQueue  *queue,
             const guint *expected,
             guint        n)
{
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (cs_job_queue_pop (queue)), ==, expected[i]);
}

/* Nothing on screen: the order they came in. */
static void
test_fifo (void)
{
  g_autoptr(CsJobQueue) queue = make_queue ();

  for (guint i = 1; i <= N_JOBS; i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (cs_job_queue_pop (queue)), ==, i);
  g_assert_null (cs_job_queue_pop (queue));
  g_assert_cmpuint (cs_job_queue_get_length (queue), ==, 0);
}

/* The screen shows 31..38: those go first, in reading order, then the
 * rest in theirs. */
static void
test_on_screen_first (void)
{
  g_autoptr(CsJobQueue) queue = make_queue ();
  const guint screen[] = { 31, 32, 33, 34, 35, 36, 37, 38, 1, 2, 3 };

  show (queue, 31, 38);
  assert_pops (queue, screen, G_N_ELEMENTS (screen));
  g_assert_cmpuint (cs_job_queue_get_length (queue), ==, N_JOBS - G_N_ELEMENTS (screen));
}

/* Scrolled after three cells of 31..38 started: 11..18 go first, and
 * what scrolled away waits where it was, behind 4..10. */
static void
test_scroll (void)
{
  g_autoptr(CsJobQueue) queue = make_queue ();
  const guint before[] = { 31, 32, 33 };
  const guint after[] = { 11, 12, 13, 14, 15, 16, 17, 18, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 19 };

  show (queue, 31, 38);
  assert_pops (queue, before, G_N_ELEMENTS (before));

  /* The started ones are out of the queue: nothing to lower. */
  g_assert_false (cs_job_queue_set_priority (queue, GUINT_TO_POINTER (31), 0));
  hide (queue, 34, 38);
  show (queue, 11, 18);
  assert_pops (queue, after, G_N_ELEMENTS (after));

  /* 20..30, then 34..38 where they were, then 39, 40. */
  for (guint i = 20; i <= N_JOBS; i++)
    if (i < 31 || i > 33)
      g_assert_cmpuint (GPOINTER_TO_UINT (cs_job_queue_pop (queue)), ==, i);
  g_assert_null (cs_job_queue_pop (queue));
}

/* Workers on other threads pop while the window raises and lowers: every
 * job comes out exactly once. */
typedef struct
{
  CsJobQueue *queue;
  guint       seen[N_JOBS * 50 + 1];
} Race;

static gpointer
drain (gpointer data)
{
  Race *race = data;
  gpointer job;

  while ((job = cs_job_queue_pop (race->queue)) != NULL)
    g_atomic_int_inc (&race->seen[GPOINTER_TO_UINT (job)]);

  return NULL;
}

static void
test_threads (void)
{
  g_autofree Race *race = g_new0 (Race, 1);
  GThread *threads[2];
  const guint n = N_JOBS * 50;

  race->queue = cs_job_queue_new ();
  for (guint i = 1; i <= n; i++)
    cs_job_queue_push (race->queue, GUINT_TO_POINTER (i), 0);

  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    threads[t] = g_thread_new ("drain", drain, race);
  for (guint i = n; i >= 1; i--)
    cs_job_queue_set_priority (race->queue, GUINT_TO_POINTER (i), i % 7);
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    g_thread_join (threads[t]);
  drain (race);

  for (guint i = 1; i <= n; i++)
    g_assert_cmpuint (race->seen[i], ==, 1);
  cs_job_queue_free (race->queue);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/job-queue/fifo", test_fifo);
  g_test_add_func ("/job-queue/on-screen-first", test_on_screen_first);
  g_test_add_func ("/job-queue/scroll", test_scroll);
  g_test_add_func ("/job-queue/threads", test_threads);

  return g_test_run ();
}
