/* test-window-counts.c: the status bar's counts and the beside question,
 * in the real window under Xvfb, on real folders
 *
 * The status line must say what the grid shows (its items, their done and
 * failed badges) however files come and go under the folder monitor, and
 * through Retry and Stop. Switching the output to "beside each image", or
 * opening a folder while it is on, asks first in a real dialog, and nothing
 * lands in the folder until the person says yes. A deleted picture takes
 * its own thumbnail along, and nothing else.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "cs-item.h"
#include "cs-test-images.h"
#include "cs-test-util.h"
#include "cs-test-window.h"
#include "cs-window.h"

typedef struct
{
  char      *dir;
  CsWindow  *window;
  GSettings *settings;
  GPtrArray *paths;     /* made by in(), freed with the fixture */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = cs_test_make_dir ();
  f->paths = g_ptr_array_new_with_free_func (g_free);
  /* The window's settings are these: the memory backend is one. */
  f->settings = g_settings_new (APP_ID);
  f->window = g_object_ref (g_object_new (CS_TYPE_WINDOW, NULL));
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cs_test_destroy_window (&f->window);
  g_settings_reset (f->settings, "output-mode");
  g_settings_reset (f->settings, "workers");
  g_clear_object (&f->settings);
  cs_test_remove_tree (f->dir);
  g_free (f->dir);
  g_ptr_array_unref (f->paths);
}

/* @name in @folder, for as long as the test runs. */
static const char *
in (Fixture    *f,
    const char *folder,
    const char *name)
{
  char *path = g_build_filename (folder, name, NULL);

  g_ptr_array_add (f->paths, path);

  return path;
}

static void
write_jpeg (const char *path,
            guint       pattern)
{
  g_autoptr(GError) error = NULL;

  cs_test_write_image (path, 320, 240, "jpeg", pattern, &error);
  g_assert_no_error (error);
}

/* Not an image at all, under an image's name: it fails, quickly. */
static void
write_broken (const char *path)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "this is not a picture\n", -1, &error);
  g_assert_no_error (error);
}

static char *
make_folder (Fixture    *f,
             const char *name,
             guint       n_good,
             guint       n_broken)
{
  char *folder = g_build_filename (f->dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  for (guint i = 0; i < n_good; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/img-%04u.jpg", folder, i);

      write_jpeg (path, i);
    }
  for (guint i = 0; i < n_broken; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/bad-%04u.jpg", folder, i);

      write_broken (path);
    }

  return folder;
}

static guint
count_state (CsWindow    *window,
             CsItemState  state)
{
  GListModel *items = cs_window_get_items (window);
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      if (cs_item_get_state (item) == state)
        count++;
    }

  return count;
}

/* The grid's pictures: sub-folders' tiles are not. */
static guint
count_images (CsWindow *window)
{
  GListModel *items = cs_window_get_items (window);
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      if (cs_item_get_kind (item) == CS_ITEM_KIND_IMAGE)
        count++;
    }

  return count;
}

/* What the status line must say, from what the grid shows. */
static char *
expected_status (CsWindow *window)
{
  guint n_items = count_images (window);
  guint done = count_state (window, CS_ITEM_DONE);
  guint failed = count_state (window, CS_ITEM_FAILED);
  const char *text = cs_window_get_status_text (window);

  if (cs_window_get_running (window) || g_str_has_prefix (text, "Stopped"))
    return g_strdup_printf ("%s%u of %u · ", cs_window_get_running (window) ? "" : "Stopped · ",
                            done + failed, n_items);

  return g_strdup_printf (done == 1 ? "%u thumbnail · " : "%u thumbnails · ", done);
}

static gboolean
status_agrees (gpointer data)
{
  CsWindow *window = data;
  const char *text = cs_window_get_status_text (window);
  g_autofree char *prefix = expected_status (window);
  g_autofree char *suffix = g_strdup_printf (" · %u failed", count_state (window, CS_ITEM_FAILED));

  return text != NULL && g_str_has_prefix (text, prefix) && g_str_has_suffix (text, suffix);
}

/* The status line says what the grid shows; it is redrawn a few times a
 * second, so it is given that long. */
static void
assert_status_agrees (CsWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  while (!status_agrees (window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);

  if (!status_agrees (window))
    {
      g_autofree char *prefix = expected_status (window);

      g_error ("The status says “%s”, the grid shows %u pictures, %u done, %u failed (expected “%s… · %u failed”)",
               cs_window_get_status_text (window),
               count_images (window),
               count_state (window, CS_ITEM_DONE), count_state (window, CS_ITEM_FAILED),
               prefix, count_state (window, CS_ITEM_FAILED));
    }
}

/* Lets the main loop run for @ms: whatever would be written is. */
static void
run_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* The "*.thumb.*" files in @folder. */
static guint
count_thumbs (const char *folder)
{
  g_autoptr(GPtrArray) names = cs_test_list_dir (folder);
  guint count = 0;

  for (guint i = 0; i < names->len; i++)
    if (strstr (g_ptr_array_index (names, i), ".thumb.") != NULL)
      count++;

  return count;
}

typedef struct
{
  const char *folder;
  guint       n;
} ThumbCount;

static gboolean
has_thumbs (gpointer data)
{
  ThumbCount *count = data;

  return count_thumbs (count->folder) == count->n;
}

typedef struct
{
  CsWindow *window;
  guint     n_items;
} ItemCount;

static gboolean
has_items (gpointer data)
{
  ItemCount *count = data;

  return g_list_model_get_n_items (cs_window_get_items (count->window)) == count->n_items;
}

static gboolean
all_settled (gpointer data)
{
  ItemCount *count = data;

  return has_items (count) && cs_test_window_idle (count->window);
}

/* The dialogs */

/* The shown button labelled @label: AdwAlertDialog keeps its buttons in
 * two layouts, one of them hidden. */
static gboolean
is_shown_button (GtkWidget     *widget,
                 gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  return cs_test_find (widget, is_shown_button, label);
}

/* The question, as a real dialog widget: AdwAlertDialog in the window on
 * libadwaita 1.5 and later, else an AdwMessageDialog window over it. */
static GtkWidget *
find_question (CsWindow *window)
{
#if ADW_CHECK_VERSION (1, 5, 0)
  AdwDialog *dialog = adw_application_window_get_visible_dialog (ADW_APPLICATION_WINDOW (window));

  return ADW_IS_ALERT_DIALOG (dialog) ? GTK_WIDGET (dialog) : NULL;
#else
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_widget_get_visible (toplevel) &&
          gtk_window_get_transient_for (GTK_WINDOW (toplevel)) == GTK_WINDOW (window))
        return toplevel;
    }

  return NULL;
#endif
}

static gboolean
has_question (gpointer data)
{
  GtkWidget *dialog = find_question (data);

  return dialog != NULL && gtk_widget_get_mapped (dialog) &&
         find_button (dialog, "_Write Thumbnails") != NULL;
}

static gboolean
has_no_question (gpointer data)
{
  return find_question (data) == NULL;
}

static const char *
question_heading (GtkWidget *dialog)
{
#if ADW_CHECK_VERSION (1, 5, 0)
  return adw_alert_dialog_get_heading (ADW_ALERT_DIALOG (dialog));
#else
  return adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog));
#endif
}

/* Waits for the question, checks what it says, and answers it with its
 * own button. */
static void
answer_question (Fixture    *f,
                 const char *heading,
                 const char *button)
{
  GtkWidget *dialog;

  cs_test_wait_until (has_question, f->window, 20000);
  dialog = find_question (f->window);
  g_assert_cmpstr (question_heading (dialog), ==, heading);
  g_assert_true (gtk_widget_activate (find_button (dialog, button)));
  cs_test_wait_until (has_no_question, f->window, 10000);
}

/* Beside mode */

/* Switched on with a folder open: a question naming the folder and the
 * count; nothing is written until the yes, then every picture's is. */
static void
test_beside_switch_asks (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *folder = make_folder (f, "Holiday", 5, 0);
  g_autofree char *mode = NULL;
  ThumbCount five = { folder, 5 };
  ItemCount all = { f->window, 5 };

  cs_test_open_folder (f->window, folder);
  cs_test_wait_until (all_settled, &all, 60000);
  g_assert_cmpuint (count_thumbs (folder), ==, 0);

  g_settings_set_string (f->settings, "output-mode", "beside");
  cs_test_wait_until (has_question, f->window, 20000);
  run_for (1500);
  g_assert_cmpuint (count_thumbs (folder), ==, 0);
  g_assert_true (has_question (f->window));

  answer_question (f, "Write 5 thumbnails into “Holiday”?", "_Write Thumbnails");
  cs_test_wait_until (has_thumbs, &five, 60000);
  cs_test_wait_until (all_settled, &all, 60000);
  mode = g_settings_get_string (f->settings, "output-mode");
  g_assert_cmpstr (mode, ==, "beside");
  assert_status_agrees (f->window);
}

/* Cancel: nothing written, and the setting back on the cache. */
static void
test_beside_switch_cancel (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *folder = make_folder (f, "Holiday", 4, 0);
  g_autofree char *mode = NULL;
  ItemCount all = { f->window, 4 };

  cs_test_open_folder (f->window, folder);
  cs_test_wait_until (all_settled, &all, 60000);

  g_settings_set_string (f->settings, "output-mode", "beside");
  answer_question (f, "Write 4 thumbnails into “Holiday”?", "_Cancel");
  mode = g_settings_get_string (f->settings, "output-mode");
  g_assert_cmpstr (mode, ==, "cache");

  run_for (1500);
  cs_test_wait_until (all_settled, &all, 60000);
  g_assert_cmpuint (count_thumbs (folder), ==, 0);
  g_assert_cmpuint (count_state (f->window, CS_ITEM_DONE), ==, 4);
}

/* Opened while the setting is on: each new folder asks, once its pictures
 * are counted; the thumbnails go to the cache meanwhile. A yes holds for
 * the folder, a no keeps that folder out and the setting on. */
static void
test_beside_open_asks (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *trip = make_folder (f, "Trip", 7, 0);
  g_autofree char *other = make_folder (f, "Other", 3, 0);
  g_autofree char *mode = NULL;
  ThumbCount seven = { trip, 7 };
  ItemCount all_trip = { f->window, 7 };
  ItemCount all_other = { f->window, 3 };

  g_settings_set_string (f->settings, "output-mode", "beside");

  cs_test_open_folder (f->window, trip);
  cs_test_wait_until (has_question, f->window, 20000);
  cs_test_wait_until (all_settled, &all_trip, 60000);
  g_assert_cmpuint (count_state (f->window, CS_ITEM_DONE), ==, 7);
  g_assert_cmpuint (count_thumbs (trip), ==, 0);
  answer_question (f, "Write 7 thumbnails into “Trip”?", "_Write Thumbnails");
  cs_test_wait_until (has_thumbs, &seven, 60000);
  cs_test_wait_until (all_settled, &all_trip, 60000);

  cs_test_open_folder (f->window, other);
  answer_question (f, "Write 3 thumbnails into “Other”?", "_Cancel");
  cs_test_wait_until (all_settled, &all_other, 60000);
  run_for (1000);
  g_assert_cmpuint (count_thumbs (other), ==, 0);
  mode = g_settings_get_string (f->settings, "output-mode");
  g_assert_cmpstr (mode, ==, "beside");

  /* Back to the first: no question, written beside again. */
  g_assert_cmpint (g_unlink (in (f, trip, "img-0000.thumb.jpg")), ==, 0);
  cs_test_open_folder (f->window, trip);
  cs_test_wait_until (all_settled, &all_trip, 60000);
  cs_test_wait_until (has_thumbs, &seven, 60000);
  g_assert_true (has_no_question (f->window));

  /* And the second, declined, is not asked about again. */
  cs_test_open_folder (f->window, other);
  cs_test_wait_until (all_settled, &all_other, 60000);
  run_for (500);
  g_assert_true (has_no_question (f->window));
  g_assert_cmpuint (count_thumbs (other), ==, 0);
}

/* Deleting or moving away a picture takes its own thumbnail along; a file
 * that only looks like one, or one the person put in place of ours,
 * stays. */
static void
test_deleted_thumb (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *folder = make_folder (f, "Holiday", 6, 0);
  g_autofree char *away = g_build_filename (f->dir, "away", NULL);
  const char *unrelated = in (f, folder, "notes.thumb.jpg");
  const char *replaced = in (f, folder, "img-0002.thumb.jpg");
  g_autofree char *replacement = g_build_filename (f->dir, "mine.jpg", NULL);
  ThumbCount six = { folder, 6 };
  ItemCount all = { f->window, 6 };
  ItemCount left = { f->window, 3 };
  const char *moved_from = in (f, folder, "img-0003.jpg");
  g_autofree char *moved_to = g_build_filename (away, "img-0003.jpg", NULL);

  g_settings_set_string (f->settings, "output-mode", "beside");
  cs_test_open_folder (f->window, folder);
  answer_question (f, "Write 6 thumbnails into “Holiday”?", "_Write Thumbnails");
  cs_test_wait_until (has_thumbs, &six, 60000);
  cs_test_wait_until (all_settled, &all, 60000);

  /* The person's own files, named as thumbnails are. */
  g_assert_true (g_file_set_contents (unrelated, "mine", -1, NULL));
  write_jpeg (replacement, 99);
  g_assert_cmpint (g_rename (replacement, replaced), ==, 0);
  run_for (600);

  g_assert_cmpint (g_mkdir (away, 0755), ==, 0);
  g_assert_cmpint (g_unlink (in (f, folder, "img-0001.jpg")), ==, 0);
  g_assert_cmpint (g_unlink (in (f, folder, "img-0002.jpg")), ==, 0);
  g_assert_cmpint (g_rename (moved_from, moved_to), ==, 0);
  cs_test_wait_until (all_settled, &left, 20000);
  run_for (600);

  g_assert_false (g_file_test (in (f, folder, "img-0001.thumb.jpg"), G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (in (f, folder, "img-0003.thumb.jpg"), G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (replaced, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (unrelated, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (in (f, folder, "img-0000.thumb.jpg"), G_FILE_TEST_EXISTS));
  assert_status_agrees (f->window);
}

/* In the cache mode nothing beside a picture is ever this app's. */
static void
test_deleted_cache_mode (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *folder = make_folder (f, "Holiday", 3, 0);
  const char *theirs = in (f, folder, "img-0001.thumb.jpg");
  ItemCount all = { f->window, 3 };
  ItemCount left = { f->window, 2 };

  write_jpeg (theirs, 42);
  cs_test_open_folder (f->window, folder);
  cs_test_wait_until (all_settled, &all, 60000);
  g_assert_cmpint (g_unlink (in (f, folder, "img-0001.jpg")), ==, 0);
  cs_test_wait_until (all_settled, &left, 20000);
  run_for (600);
  g_assert_true (g_file_test (theirs, G_FILE_TEST_EXISTS));
}

/* Counts */

static gboolean
has_item_named (CsWindow   *window,
                const char *name)
{
  GListModel *items = cs_window_get_items (window);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      if (g_str_equal (cs_item_get_name (item), name))
        return TRUE;
    }

  return FALSE;
}

typedef struct
{
  CsWindow   *window;
  guint       n_items;
  const char *name;
} Named;

static gboolean
settled_with (gpointer data)
{
  Named *named = data;
  ItemCount count = { named->window, named->n_items };

  return all_settled (&count) && has_item_named (named->window, named->name);
}

/* Files added, changed, deleted, renamed, moved out and in while the
 * folder is shown: the status line counts what the grid shows. */
static void
test_monitor_counts (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *folder = make_folder (f, "Holiday", 30, 4);
  g_autofree char *outside = g_build_filename (f->dir, "outside", NULL);
  const char *staged = in (f, outside, "incoming.jpg");
  ItemCount all = { f->window, 34 };
  Named after = { f->window, 33, "renamed.jpg" };

  cs_test_open_folder (f->window, folder);
  cs_test_wait_until (all_settled, &all, 60000);
  assert_status_agrees (f->window);
  g_assert_cmpuint (count_state (f->window, CS_ITEM_FAILED), ==, 4);

  g_assert_cmpint (g_mkdir (outside, 0755), ==, 0);
  /* Added: one written in place, one moved in. */
  write_jpeg (in (f, folder, "new.jpg"), 50);
  write_jpeg (staged, 51);
  g_assert_cmpint (g_rename (staged, in (f, folder, "incoming.jpg")), ==, 0);
  /* Deleted: a good one and a broken one. */
  g_assert_cmpint (g_unlink (in (f, folder, "img-0005.jpg")), ==, 0);
  g_assert_cmpint (g_unlink (in (f, folder, "bad-0000.jpg")), ==, 0);
  /* Renamed in the folder, moved out. */
  g_assert_cmpint (g_rename (in (f, folder, "img-0006.jpg"),
                             in (f, folder, "renamed.jpg")), ==, 0);
  g_assert_cmpint (g_rename (in (f, folder, "img-0007.jpg"),
                             in (f, outside, "img-0007.jpg")), ==, 0);
  /* Changed: a good one, and a broken one that stays broken. */
  write_jpeg (in (f, folder, "img-0008.jpg"), 60);
  write_broken (in (f, folder, "bad-0001.jpg"));

  cs_test_wait_until (settled_with, &after, 30000);
  run_for (1000);
  cs_test_wait_until (cs_test_window_idle, f->window, 30000);
  /* 34, 2 added, 2 deleted, 1 moved out; the renamed one is done again. */
  g_assert_cmpuint (g_list_model_get_n_items (cs_window_get_items (f->window)), ==, 33);
  g_assert_cmpuint (count_state (f->window, CS_ITEM_DONE), ==, 30);
  g_assert_cmpuint (count_state (f->window, CS_ITEM_FAILED), ==, 3);
  assert_status_agrees (f->window);
  g_assert_true (g_str_has_prefix (cs_window_get_status_text (f->window), "30 thumbnails · "));
}

/* The failures window's Retry All, as a person presses it. */
static void
retry_all (Fixture *f)
{
  GListModel *toplevels;
  GtkWidget *button = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-failures", NULL));
  toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && button == NULL; i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (toplevel != GTK_WIDGET (f->window))
        button = find_button (toplevel, "_Retry All");
    }
  g_assert_nonnull (button);
  /* A click: gtk_widget_activate() would show the press for a moment first. */
  g_signal_emit_by_name (button, "clicked");
}

static gboolean
some_pending_done (gpointer data)
{
  CsWindow *window = data;

  return count_state (window, CS_ITEM_FAILED) >= 5 || !cs_window_get_running (window);
}

/* Retry and Stop: failures made again, stopped halfway, retried again;
 * at each point the line and the badges agree. */
static void
test_retry_stop_counts (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *folder = make_folder (f, "Holiday", 20, 150);
  ItemCount all = { f->window, 170 };

  /* One at a time, so that Stop lands while the retry runs. */
  g_settings_set_uint (f->settings, "workers", 1);
  cs_test_open_folder (f->window, folder);
  cs_test_wait_until (all_settled, &all, 120000);
  g_assert_cmpuint (count_state (f->window, CS_ITEM_FAILED), ==, 150);
  assert_status_agrees (f->window);

  retry_all (f);
  g_assert_true (cs_window_get_running (f->window));
  assert_status_agrees (f->window);
  cs_test_wait_until (some_pending_done, f->window, 60000);
  cs_window_stop (f->window);
  cs_test_wait_until (cs_test_window_idle, f->window, 10000);
  g_assert_cmpuint (count_state (f->window, CS_ITEM_PENDING), ==, 0);
  assert_status_agrees (f->window);

  /* The ones the stop left are not failures any more: Retry All makes
   * what still fails again. */
  retry_all (f);
  cs_test_wait_until (cs_test_window_idle, f->window, 120000);
  assert_status_agrees (f->window);

  /* A deleted failure leaves the count with its badge. */
  g_assert_cmpint (g_unlink (in (f, folder, "bad-0003.jpg")), ==, 0);
  all.n_items = 169;
  cs_test_wait_until (all_settled, &all, 20000);
  assert_status_agrees (f->window);
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

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/window-counts/beside/switch-asks", test_beside_switch_asks);
  ADD ("/window-counts/beside/switch-cancel", test_beside_switch_cancel);
  ADD ("/window-counts/beside/open-asks", test_beside_open_asks);
  ADD ("/window-counts/beside/deleted-thumb", test_deleted_thumb);
  ADD ("/window-counts/beside/deleted-cache-mode", test_deleted_cache_mode);
  ADD ("/window-counts/monitor", test_monitor_counts);
  ADD ("/window-counts/retry-stop", test_retry_stop_counts);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
