/* stress-window.c: the window closed mid-batch, a hundred times in a row
 *
 * Each round opens a fresh window on a folder that takes long to thumbnail,
 * waits for the first thumbnail, closes the window while the batch runs and
 * requires the window to be finalized within a second. Nothing may be
 * logged (G_DEBUG=fatal-warnings) and the decoder helpers of the cancelled
 * batches may not pile up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>
#include <unistd.h>

#include "cs-test-util.h"
#include "cs-window.h"
#include "stress-folder.h"

/* 100 rounds; CS_STRESS_ROUNDS lowers it where each round is slow (under
 * AddressSanitizer, which checks the same path for memory errors). */
#define ROUNDS 100
#define N_FILES 200
#define FINALIZE_MS 1000

static gboolean
some_done (gpointer data)
{
  return cs_window_get_n_done (CS_WINDOW (data)) >= 1;
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Helper processes (contact-sheet-decoder) that are our children. */
static guint
count_decoders (void)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  g_autofree char *self = g_strdup_printf ("%d", (int) getpid ());
  const char *name;
  guint count = 0;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *stat = NULL;
      g_auto(GStrv) fields = NULL;
      const char *end;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &stat, NULL, NULL))
        continue;

      /* "pid (comm) state ppid ...": comm may hold spaces, so split after it. */
      end = strrchr (stat, ')');
      if (end == NULL || strstr (stat, "(contact-sheet-d") == NULL)
        continue;
      fields = g_strsplit (end + 2, " ", 3);
      if (fields[0] != NULL && fields[1] != NULL && g_str_equal (fields[1], self))
        count++;
    }

  return count;
}

static gboolean
few_decoders (gpointer data)
{
  return count_decoders () <= GPOINTER_TO_UINT (data);
}

static void
test_close_mid_batch (void)
{
  g_autofree char *dir = cs_test_make_dir ();
  g_autofree char *folder_path = g_build_filename (dir, "heavy", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (folder_path);
  g_autofree char *thumbnails = g_build_filename (g_get_user_cache_dir (), "thumbnails", NULL);
  guint bound = g_get_num_processors () + 4;
  gint64 worst = 0, total = 0, started = g_get_monotonic_time ();
  const char *rounds_env = g_getenv ("CS_STRESS_ROUNDS");
  guint rounds = rounds_env ? (guint) g_ascii_strtoull (rounds_env, NULL, 10) : ROUNDS;
  g_autoptr(GError) error = NULL;

  cs_stress_make_heavy_folder (folder_path, N_FILES, &error);
  g_assert_no_error (error);

  for (guint round = 0; round < rounds; round++)
    {
      CsWindow *window;
      gpointer weak;
      gint64 start, took;

      /* Every round starts from nothing made, so it is always mid-batch. */
      cs_test_remove_tree (thumbnails);

      window = g_object_ref (g_object_new (CS_TYPE_WINDOW, NULL));
      gtk_window_present (GTK_WINDOW (window));
      cs_window_open_folder (window, folder);
      g_assert_true (cs_window_get_running (window));

      cs_test_wait_until (some_done, window, 30000);
      /* Otherwise this round proved nothing. */
      g_assert_true (cs_window_get_running (window));
      g_assert_cmpuint (cs_window_get_n_done (window), <, N_FILES);

      weak = window;
      g_object_add_weak_pointer (G_OBJECT (window), &weak);
      start = g_get_monotonic_time ();
      gtk_window_close (GTK_WINDOW (window));
      gtk_window_destroy (GTK_WINDOW (window));
      g_object_unref (window);
      cs_test_wait_until (is_gone, &weak, FINALIZE_MS);

      took = g_get_monotonic_time () - start;
      worst = MAX (worst, took);
      total += took;
      if ((round + 1) % 10 == 0)
        g_test_message ("%u rounds after %.1f s", round + 1,
                        (g_get_monotonic_time () - started) / 1e6);
    }

  g_test_message ("%u rounds in %.1f s; window finalized after %.2f ms on average, %.2f ms at worst",
                  rounds, (g_get_monotonic_time () - started) / 1e6,
                  total / 1000.0 / MAX (rounds, 1), worst / 1000.0);

  /* The cancelled batches' helpers go with their threads; a few idle ones
   * may stay. */
  cs_test_wait_until (few_decoders, GUINT_TO_POINTER (bound), 20000);
  g_test_message ("%u decoder processes left", count_decoders ());

  cs_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = cs_test_isolate_cache ();
  int status;

  cs_test_allow_gtk_frame_warning ();
  g_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/stress/window/close-mid-batch", test_close_mid_batch);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
