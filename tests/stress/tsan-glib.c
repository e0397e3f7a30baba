/* tsan-glib.c: GLib's hand-offs, told to ThreadSanitizer
 *
 * GLib is not built with -fsanitize=thread, and on Linux its GMutex and
 * GCond are bare futexes: ThreadSanitizer sees none of the ordering that
 * GAsyncQueue, GThreadPool, GTask, GOnce and atomic reference counts give.
 * Everything our code hands from one thread to another through them (a job
 * to a worker, a result back to the main context) would be reported as a
 * race. Linked into the ThreadSanitizer builds of the test programs with
 * -Wl,--wrap (see meson.build), these wrappers announce each hand-off with
 * __tsan_release() on the sending side and __tsan_acquire() on the
 * receiving one. --wrap only redirects calls made from our own objects (the
 * engine and the tests), never GLib's calls to itself.
 *
 * What is left is reported: a race between two of our accesses that no
 * GLib hand-off orders.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <sanitizer/tsan_interface.h>

/* The real functions, and our replacements (declared to keep
 * -Wmissing-prototypes quiet: only the linker calls them). */
void         __real_g_async_queue_push      (GAsyncQueue         *queue,
                                             gpointer             data);
gpointer     __real_g_async_queue_try_pop   (GAsyncQueue         *queue);
void         __real_g_async_queue_unref     (GAsyncQueue         *queue);
GThreadPool *__real_g_thread_pool_new       (GFunc                func,
                                             gpointer             user_data,
                                             gint                 max_threads,
                                             gboolean             exclusive,
                                             GError             **error);
gboolean     __real_g_thread_pool_push      (GThreadPool         *pool,
                                             gpointer             data,
                                             GError             **error);
gboolean     __real_g_atomic_ref_count_dec  (gatomicrefcount     *arc);
void         __real_g_object_unref          (gpointer             object);
void         __real_g_mutex_lock            (GMutex              *mutex);
void         __real_g_mutex_unlock          (GMutex              *mutex);
void         __real_g_cond_wait             (GCond               *cond,
                                             GMutex              *mutex);
gboolean     __real_g_once_init_enter       (volatile void       *location);
void         __real_g_once_init_leave       (volatile void       *location,
                                             gsize                result);
void         __real_g_task_run_in_thread    (GTask               *task,
                                             GTaskThreadFunc      task_func);
void         __real_g_task_return_pointer   (GTask               *task,
                                             gpointer             result,
                                             GDestroyNotify       result_destroy);
void         __real_g_task_return_boolean   (GTask               *task,
                                             gboolean             result);
void         __real_g_task_return_error     (GTask               *task,
                                             GError              *error);
gpointer     __real_g_task_propagate_pointer (GTask              *task,
                                              GError            **error);
gboolean     __real_g_task_propagate_boolean (GTask              *task,
                                              GError            **error);

void         __wrap_g_async_queue_push      (GAsyncQueue         *queue,
                                             gpointer             data);
gpointer     __wrap_g_async_queue_try_pop   (GAsyncQueue         *queue);
void         __wrap_g_async_queue_unref     (GAsyncQueue         *queue);
GThreadPool *__wrap_g_thread_pool_new       (GFunc                func,
                                             gpointer             user_data,
                                             gint                 max_threads,
                                             gboolean             exclusive,
                                             GError             **error);
gboolean     __wrap_g_thread_pool_push      (GThreadPool         *pool,
                                             gpointer             data,
                                             GError             **error);
gboolean     __wrap_g_atomic_ref_count_dec  (gatomicrefcount     *arc);
void         __wrap_g_object_unref          (gpointer             object);
gboolean     __wrap_g_once_init_enter       (volatile void       *location);
void         __wrap_g_once_init_leave       (volatile void       *location,
                                             gsize                result);
void         __wrap_g_task_run_in_thread    (GTask               *task,
                                             GTaskThreadFunc      task_func);
void         __wrap_g_task_return_pointer   (GTask               *task,
                                             gpointer             result,
                                             GDestroyNotify       result_destroy);
void         __wrap_g_task_return_boolean   (GTask               *task,
                                             gboolean             result);
void         __wrap_g_task_return_error     (GTask               *task,
                                             GError              *error);
gpointer     __wrap_g_task_propagate_pointer (GTask              *task,
                                              GError            **error);
gboolean     __wrap_g_task_propagate_boolean (GTask              *task,
                                              GError            **error);
void         __wrap_g_mutex_lock            (GMutex              *mutex);
void         __wrap_g_mutex_unlock          (GMutex              *mutex);
void         __wrap_g_cond_wait             (GCond               *cond,
                                             GMutex              *mutex);

/* GMutex and GCond: what one thread did before it unlocked happened before
 * what the next does after it locks (a wait unlocks and locks again). */

void
__wrap_g_mutex_lock (GMutex *mutex)
{
  __real_g_mutex_lock (mutex);
  __tsan_acquire (mutex);
}

void
__wrap_g_mutex_unlock (GMutex *mutex)
{
  __tsan_release (mutex);
  __real_g_mutex_unlock (mutex);
}

void
__wrap_g_cond_wait (GCond  *cond,
                    GMutex *mutex)
{
  __tsan_release (mutex);
  __real_g_cond_wait (cond, mutex);
  __tsan_acquire (mutex);
}

/* GAsyncQueue: whatever was pushed happened before it is popped. */

void
__wrap_g_async_queue_push (GAsyncQueue *queue,
                           gpointer     data)
{
  __tsan_release (queue);
  __real_g_async_queue_push (queue, data);
}

gpointer
__wrap_g_async_queue_try_pop (GAsyncQueue *queue)
{
  gpointer data = __real_g_async_queue_try_pop (queue);

  if (data != NULL)
    __tsan_acquire (queue);

  return data;
}

/* The last unref frees what is still queued, with the queue's destroy
 * function: after every push. */
void
__wrap_g_async_queue_unref (GAsyncQueue *queue)
{
  __tsan_acquire (queue);
  __real_g_async_queue_unref (queue);
}

/* GThreadPool: a job pushed happened before the worker runs it. */

typedef struct
{
  GFunc    func;
  gpointer user_data;
} PoolFunc;

static void
run_pool_func (gpointer data,
               gpointer user_data)
{
  PoolFunc *pool_func = user_data;

  __tsan_acquire (data);
  pool_func->func (data, pool_func->user_data);
}

GThreadPool *
__wrap_g_thread_pool_new (GFunc      func,
                          gpointer   user_data,
                          gint       max_threads,
                          gboolean   exclusive,
                          GError   **error)
{
  /* Never freed: a pool freed without waiting still runs its jobs. */
  PoolFunc *pool_func = g_new (PoolFunc, 1);

  pool_func->func = func;
  pool_func->user_data = user_data;

  return __real_g_thread_pool_new (run_pool_func, pool_func, max_threads, exclusive, error);
}

gboolean
__wrap_g_thread_pool_push (GThreadPool  *pool,
                           gpointer      data,
                           GError      **error)
{
  __tsan_release (data);
  return __real_g_thread_pool_push (pool, data, error);
}

/* Reference counts: every unref happened before the one that frees. */

gboolean
__wrap_g_atomic_ref_count_dec (gatomicrefcount *arc)
{
  __tsan_release ((void *) arc);
  if (!__real_g_atomic_ref_count_dec (arc))
    return FALSE;

  __tsan_acquire ((void *) arc);
  return TRUE;
}

void
__wrap_g_object_unref (gpointer object)
{
  GObject *gobject = object;

  __tsan_release (object);
  if (G_IS_OBJECT (gobject) && g_atomic_int_get (&gobject->ref_count) == 1)
    __tsan_acquire (object);
  __real_g_object_unref (object);
}

/* GOnce: the value set happened before it is read. The fast path of
 * g_once_init_enter() is an atomic load in our own code, which acquires
 * what the release here announced. */

gboolean
__wrap_g_once_init_enter (volatile void *location)
{
  gboolean first = __real_g_once_init_enter (location);

  __tsan_acquire ((void *) location);

  return first;
}

void
__wrap_g_once_init_leave (volatile void *location,
                          gsize          result)
{
  __tsan_release ((void *) location);
  __real_g_once_init_leave (location, result);
}

/* GTask: what happened before g_task_run_in_thread() happened before the
 * thread function; what happened before g_task_return_*() happened before
 * g_task_propagate_*(). */

static GQuark
task_func_quark (void)
{
  return g_quark_from_static_string ("cs-tsan-task-func");
}

static void
run_task_func (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GTaskThreadFunc func;

  __tsan_acquire (task);
  func = (GTaskThreadFunc) g_object_get_qdata (G_OBJECT (task), task_func_quark ());
  func (task, source_object, task_data, cancellable);
}

void
__wrap_g_task_run_in_thread (GTask           *task,
                             GTaskThreadFunc  task_func)
{
  g_object_set_qdata (G_OBJECT (task), task_func_quark (), (gpointer) task_func);
  __tsan_release (task);
  __real_g_task_run_in_thread (task, run_task_func);
}

void
__wrap_g_task_return_pointer (GTask          *task,
                              gpointer        result,
                              GDestroyNotify  result_destroy)
{
  __tsan_release (task);
  __real_g_task_return_pointer (task, result, result_destroy);
}

void
__wrap_g_task_return_boolean (GTask    *task,
                              gboolean  result)
{
  __tsan_release (task);
  __real_g_task_return_boolean (task, result);
}

void
__wrap_g_task_return_error (GTask  *task,
                            GError *error)
{
  __tsan_release (task);
  __real_g_task_return_error (task, error);
}

gpointer
__wrap_g_task_propagate_pointer (GTask   *task,
                                 GError **error)
{
  __tsan_acquire (task);
  return __real_g_task_propagate_pointer (task, error);
}

gboolean
__wrap_g_task_propagate_boolean (GTask   *task,
                                 GError **error)
{
  __tsan_acquire (task);
  return __real_g_task_propagate_boolean (task, error);
}
