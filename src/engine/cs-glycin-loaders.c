/* cs-glycin-loaders.c: the loader processes glycin runs for this process
 *
 * glycin starts a program per format and keeps it in a pool for the next
 * decodes. Two things about that pool matter to a batch:
 *
 * It gives one process to every decode of the same format that runs at
 * the same time (the pool has no limit on sharing, and libglycin offers
 * none), so a file that kills its loader (an animation frame of gigabytes
 * in a small canvas) takes its neighbours' decodes with it. And it learns
 * that a process has died only once it has reaped it, so a decode started
 * just after the death is given the dead process too.
 *
 * And a loader may still work for a decode that has returned (the image
 * crate's loader decodes an animation ahead until it hears the image is
 * let go), in the memory of the next.
 *
 * So a decode whose loader died is tried once more, alone: first attempts
 * share the loaders, as glycin means them to; a second attempt waits until
 * no other decode in this process uses a loader, ends the loaders glycin
 * keeps and waits until they are reaped, so that it runs in a new one;
 * and no decode starts until it is over. A file
 * then fails only for what it is, whatever a worker decoded next to it.
 * Waiting second attempts go first, so a steady flow of first attempts
 * cannot hold one back; every attempt is under its time limit, so a wait
 * here is too.
 *
 * Without a sandbox, glycin's loaders are children of this process with no
 * memory limit of their own; cs_glycin_loaders_limit() gives them ours.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-glycin-loaders"

/* prlimit() */
#define _GNU_SOURCE

#include "config.h"

#include "cs-glycin-loaders.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* How long a second attempt waits for glycin to reap a dead loader. */
#define REAP_WAIT_MS 2000
#define REAP_POLL_MS 2
#define MARK_WAIT_MS 20

static GMutex lock;
static GCond changed;
static guint n_sharing;        /* first attempts running */
static guint n_waiting_alone;  /* second attempts waiting for the others to end */
static gboolean alone;         /* a second attempt running */

/* The processes @pid started and has not reaped, from every thread of
 * it (a child belongs to the thread that started it). */
static void
add_children (const char *pid,
              GArray     *pids)
{
  g_autofree char *tasks_path = g_build_filename ("/proc", pid, "task", NULL);
  g_autoptr(GDir) tasks = g_dir_open (tasks_path, 0, NULL);
  const char *task;

  while (tasks != NULL && (task = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *path = g_build_filename (tasks_path, task, "children", NULL);
      g_autofree char *children = NULL;
      g_auto(GStrv) numbers = NULL;

      if (!g_file_get_contents (path, &children, NULL, NULL))
        continue;

      numbers = g_strsplit (g_strstrip (children), " ", -1);
      for (guint i = 0; numbers[i] != NULL; i++)
        {
          pid_t child = (pid_t) g_ascii_strtoll (numbers[i], NULL, 10);

          if (child > 0)
            g_array_append_val (pids, child);
        }
    }
}

static GArray *
list_children (pid_t pid)
{
  g_autofree char *name = pid > 0 ? g_strdup_printf ("%d", (int) pid) : g_strdup ("self");
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (pid_t));

  add_children (name, pids);

  return pids;
}

/* Every process below @pid. */
static GArray *
list_descendants (pid_t pid)
{
  GArray *pids = list_children (pid);

  for (guint i = 0; i < pids->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("%d", (int) g_array_index (pids, pid_t, i));

      add_children (name, pids);
    }

  return pids;
}

/* The kernel's flag for a task that has begun to exit: set before it
 * closes its files, so before glycin sees its connection break. */
#define PF_EXITING 0x00000004

typedef struct
{
  char     *name;
  gboolean  dying;   /* exiting, or ended and not reaped */
} ProcessState;

static void
process_state_clear (ProcessState *state)
{
  g_clear_pointer (&state->name, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ProcessState, process_state_clear)

static gboolean
read_process_state (pid_t         pid,
                    ProcessState *state)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *name, *name_end;
  guint64 flags;

  /* "pid (comm) state ppid pgrp session tty_nr tpgid flags ...": comm
   * may hold spaces and parentheses. */
  if (!g_file_get_contents (path, &stat, NULL, NULL) ||
      (name = strchr (stat, '(')) == NULL || (name_end = strrchr (stat, ')')) == NULL ||
      name_end[1] != ' ')
    return FALSE;

  fields = g_strsplit (name_end + 2, " ", 8);
  if (g_strv_length (fields) < 7)
    return FALSE;

  flags = g_ascii_strtoull (fields[6], NULL, 10);
  state->name = g_strndup (name + 1, name_end - name - 1);
  state->dying = strchr ("ZXx", fields[0][0]) != NULL || (flags & PF_EXITING) != 0;

  return TRUE;
}

static gboolean
is_loader_name (const char *name)
{
  return g_str_has_prefix (name, "glycin-");
}

/* A sandbox whose loader has died is dying too, though it may not have
 * begun to exit yet: its loader is gone, or going. */
static gboolean
is_dead_sandbox (pid_t sandbox)
{
  g_autoptr(GArray) below = list_descendants (sandbox);
  gboolean has_loader = FALSE;

  for (guint i = 0; i < below->len; i++)
    {
      g_auto(ProcessState) state = { 0 };

      if (!read_process_state (g_array_index (below, pid_t, i), &state))
        continue;
      if (state.dying && is_loader_name (state.name))
        return TRUE;
      has_loader = has_loader || is_loader_name (state.name);
    }

  return !has_loader;
}

/* A loader this process started, directly (without a sandbox) or through
 * bubblewrap, that has died or is dying and may still be in glycin's
 * pool. (In a flatpak the loader runs outside, started by the portal, and
 * flatpak-spawn, our child, ends when the portal says it has.) */
static gboolean
has_dead_loaders (void)
{
  g_autoptr(GArray) pids = list_children (0);

  for (guint i = 0; i < pids->len; i++)
    {
      pid_t pid = g_array_index (pids, pid_t, i);
      g_auto(ProcessState) state = { 0 };

      if (!read_process_state (pid, &state))
        continue;
      if (is_loader_name (state.name) || g_str_has_prefix (state.name, "flatpak-spawn"))
        {
          if (state.dying)
            return TRUE;
        }
      else if (g_str_equal (state.name, "bwrap"))
        {
          if (state.dying || is_dead_sandbox (pid))
            return TRUE;
        }
    }

  return FALSE;
}

/* Alone, no decode of this process uses a loader: the loaders glycin
 * keeps are idle, or still at work for a decode that has returned (an
 * animation decoded ahead until its image is let go), or dying. A second
 * attempt ends them, so that it gets a new loader with nothing else in
 * it. (In a flatpak the loaders are not our descendants; they stay.) */
static GArray *
end_idle_loaders (void)
{
  g_autoptr(GArray) pids = list_descendants (0);
  GArray *ended = g_array_new (FALSE, FALSE, sizeof (pid_t));

  for (guint i = 0; i < pids->len; i++)
    {
      pid_t pid = g_array_index (pids, pid_t, i);
      g_auto(ProcessState) state = { 0 };

      if (read_process_state (pid, &state) && is_loader_name (state.name) && !state.dying &&
          kill (pid, SIGKILL) == 0)
        g_array_append_val (ended, pid);
    }

  return ended;
}

static gboolean
any_exists (GArray *pids)
{
  for (guint i = 0; i < pids->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%d", (int) g_array_index (pids, pid_t, i));

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return TRUE;
    }

  return FALSE;
}

/* glycin reaps its loaders (or their sandboxes) in a thread of its own,
 * and marks a process dead for its pool just after; until then the pool
 * may hand it out. A killed process may not even have begun to exit when
 * kill() returns, so those are waited for by their pids. Then a moment
 * more, always: a loader that died under the last attempt may be reaped
 * already and not yet marked (seen under load). */
static void
wait_for_dead_loaders_reaped (GArray *ended)
{
  for (guint waited = 0; waited < REAP_WAIT_MS && (any_exists (ended) || has_dead_loaders ());
       waited += REAP_POLL_MS)
    g_usleep (REAP_POLL_MS * 1000);

  g_usleep (MARK_WAIT_MS * 1000);
}

/**
 * cs_glycin_loaders_limit:
 * @memory_limit: bytes of address space; 0 for none
 *
 * Where glycin runs its loaders without a sandbox they are children of
 * this process with no memory limit at all: a GIF frame of 65535 x 65535
 * in a small canvas, whose header passes, would take gigabytes. Called
 * once a loader runs (after the image's header is read, before its frame
 * is asked for), this gives each loader child @memory_limit of address
 * space, as the decoder helper has. The soft limit only: glycin hands a
 * loader from file to file, maybe of a thumbnailer with another limit, and
 * an unsandboxed loader could raise it anyway. (Sandboxed, the loader is
 * not our child but bubblewrap's or the portal's, under glycin's limit.)
 */
void
cs_glycin_loaders_limit (guint64 memory_limit)
{
  g_autoptr(GArray) pids = list_children (0);

  for (guint i = 0; i < pids->len; i++)
    {
      pid_t pid = g_array_index (pids, pid_t, i);
      g_autofree char *exe_path = g_strdup_printf ("/proc/%d/exe", (int) pid);
      g_autofree char *exe = g_file_read_link (exe_path, NULL);
      struct rlimit old, limit;

      if (exe == NULL || strstr (exe, "/glycin-loaders/") == NULL ||
          prlimit (pid, RLIMIT_AS, NULL, &old) != 0)
        continue;

      limit.rlim_max = old.rlim_max;
      limit.rlim_cur = memory_limit > 0 ? MIN ((rlim_t) memory_limit, old.rlim_max)
                                        : old.rlim_max;
      if (limit.rlim_cur != old.rlim_cur)
        prlimit (pid, RLIMIT_AS, &limit, NULL);
    }
}

/**
 * cs_glycin_loaders_enter:
 * @alone: %FALSE for a first attempt, which shares the loaders; %TRUE for
 *   a second, which returns when no other decode uses a loader and the
 *   pool holds none of the old ones
 *
 * Before a decode through glycin; cs_glycin_loaders_leave() with the same
 * @alone after it.
 */
void
cs_glycin_loaders_enter (gboolean alone_wanted)
{
  g_autoptr(GArray) ended = NULL;

  g_mutex_lock (&lock);
  if (!alone_wanted)
    {
      while (alone || n_waiting_alone > 0)
        g_cond_wait (&changed, &lock);
      n_sharing++;
      g_mutex_unlock (&lock);
      return;
    }

  n_waiting_alone++;
  while (alone || n_sharing > 0)
    g_cond_wait (&changed, &lock);
  n_waiting_alone--;
  alone = TRUE;
  g_mutex_unlock (&lock);

  ended = end_idle_loaders ();
  wait_for_dead_loaders_reaped (ended);
}

void
cs_glycin_loaders_leave (gboolean alone_wanted)
{
  g_mutex_lock (&lock);
  if (alone_wanted)
    {
      g_assert (alone);
      alone = FALSE;
    }
  else
    {
      g_assert (n_sharing > 0);
      n_sharing--;
    }
  g_cond_broadcast (&changed);
  g_mutex_unlock (&lock);
}
