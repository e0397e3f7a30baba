/* test-sandbox-window.c: a taken-over decoder reaches nothing, through the window
 *
 * The scene of test-sandbox.c (cs-attack.c: three files for the attack
 * loader and one real picture), opened in the real window. The app under
 * attack is this program run again as "--app FOLDER": a CsWindow that
 * opens the folder through cs_window_open_folder(), the code path the file
 * chooser's answer takes, waits for the batch to finish and writes on its
 * standard output what the window shows. The rest is checked from outside,
 * as for the CLI: the canaries, the sockets, the victim, the app's own
 * exit, the thumbnail in the cache. The same run with the test-only builds
 * of the helper that leave out Landlock, seccomp or both must fail.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "cs-attack.h"
#include "cs-cell.h"
#include "cs-item.h"
#include "cs-test-util.h"
#include "cs-window.h"

#define N_IMAGES 4
/* The window's decoders may take ten seconds a file: the spin takes them
 * all. An app stopped by a tracer is killed after a minute. */
#define APP_TIMEOUT_SECONDS 60
#define BATCH_TIMEOUT_MS 50000

/* The app under attack */

static gboolean
is_idle (gpointer data)
{
  return !cs_window_get_running (CS_WINDOW (data));
}

static void
collect_cells (GtkWidget *widget,
               GPtrArray *cells)
{
  if (CS_IS_CELL (widget))
    g_ptr_array_add (cells, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_cells (child, cells);
}

/* Whether a line of text in @widget, or under it, reads @text and is drawn. */
static gboolean
shows_text (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_INSCRIPTION (widget) &&
      g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), text) == 0)
    return gtk_widget_is_drawable (widget);
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return gtk_widget_is_drawable (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_text (child, text))
      return TRUE;

  return FALSE;
}

static const char *
state_name (CsItemState state)
{
  switch (state)
    {
    case CS_ITEM_PENDING:
      return "pending";
    case CS_ITEM_DONE:
      return "done";
    case CS_ITEM_FAILED:
      return "failed";
    case CS_ITEM_NOT_MADE:
      return "not-made";
    default:
      g_assert_not_reached ();
    }
}

/* One line per fact, fields split by tabs, texts escaped:
 *   item NAME STATE MESSAGE
 *   cell NAME CSS-FAILED HAS-PICTURE
 *   status TEXT SHOWN
 *   finished */
static void
report (CsWindow *window)
{
  GListModel *items = cs_window_get_items (window);
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  const char *status = cs_window_get_status_text (window);
  g_autofree char *status_escaped = g_strescape (status, NULL);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);
      const char *message = cs_item_get_error_message (item);
      g_autofree char *escaped = g_strescape (message != NULL ? message : "", NULL);

      g_print ("item\t%s\t%s\t%s\n", cs_item_get_name (item),
               state_name (cs_item_get_state (item)), escaped);
    }

  collect_cells (GTK_WIDGET (window), cells);
  for (guint i = 0; i < cells->len; i++)
    {
      GtkWidget *cell = g_ptr_array_index (cells, i);
      CsItem *item = cs_cell_get_item (CS_CELL (cell));

      if (item != NULL)
        g_print ("cell\t%s\t%d\t%d\n", cs_item_get_name (item),
                 gtk_widget_has_css_class (cell, "failed"),
                 cs_item_get_thumbnail (item) != NULL);
    }

  g_print ("status\t%s\t%d\n", status_escaped, shows_text (GTK_WIDGET (window), status));
  g_print ("finished\n");
}

static int
run_app (const char *path)
{
  g_autoptr(GFile) folder = g_file_new_for_path (path);
  CsWindow *window;

  adw_init ();
  window = g_object_new (CS_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  cs_window_open_folder (window, folder);
  cs_test_wait_until (is_idle, window, BATCH_TIMEOUT_MS);

  /* Cells are made and bound as the grid is laid out. */
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);

  report (window);
  gtk_window_destroy (GTK_WINDOW (window));

  return 0;
}

/* The test, outside */

typedef struct
{
  char *state;
  char *message;
  int   cell_failed;   /* -1: no cell */
  int   cell_picture;
} Shown;

static void
shown_free (gpointer data)
{
  Shown *shown = data;

  g_free (shown->state);
  g_free (shown->message);
  g_free (shown);
}

typedef struct
{
  int         status;      /* exit status, or -signal */
  GHashTable *shown;       /* name -> Shown */
  char       *status_text;
  gboolean    status_shown;
  gboolean    finished;
  guint       thumbnails;  /* in the cache, counted from outside */
  GPtrArray  *found;       /* attempts that succeeded */
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_pointer (&outcome->shown, g_hash_table_unref);
  g_clear_pointer (&outcome->status_text, g_free);
  g_clear_pointer (&outcome->found, g_ptr_array_unref);
}

static Shown *
lookup_shown (Outcome    *outcome,
              const char *name)
{
  Shown *shown = g_hash_table_lookup (outcome->shown, name);

  if (shown == NULL)
    {
      shown = g_new0 (Shown, 1);
      shown->cell_failed = -1;
      shown->cell_picture = -1;
      g_hash_table_insert (outcome->shown, g_strdup (name), shown);
    }

  return shown;
}

static void
parse_report (Outcome    *outcome,
              const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  outcome->shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, shown_free);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], "\t", -1);
      guint n = g_strv_length (fields);

      if (n == 4 && g_str_equal (fields[0], "item"))
        {
          Shown *shown = lookup_shown (outcome, fields[1]);

          g_free (shown->state);
          g_free (shown->message);
          shown->state = g_strdup (fields[2]);
          shown->message = g_strcompress (fields[3]);
        }
      else if (n == 4 && g_str_equal (fields[0], "cell"))
        {
          Shown *shown = lookup_shown (outcome, fields[1]);

          shown->cell_failed = atoi (fields[2]);
          shown->cell_picture = atoi (fields[3]);
        }
      else if (n == 3 && g_str_equal (fields[0], "status"))
        {
          g_free (outcome->status_text);
          outcome->status_text = g_strcompress (fields[1]);
          outcome->status_shown = atoi (fields[2]);
        }
      else if (n == 1 && g_str_equal (fields[0], "finished"))
        outcome->finished = TRUE;
    }
}

static void
log_lines (const char *what,
           const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_test_message ("  %s: %s", what, lines[i]);
}

static void
run_attack (const char *helper,
            Outcome    *outcome)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  CsAttackScene scene;
  Shown *attack;

  g_assert_nonnull (self);
  cs_attack_scene_init (&scene);
  {
    const char *argv[] = { self, "--app", scene.images, NULL };

    outcome->status = cs_attack_scene_run (&scene, helper, argv, APP_TIMEOUT_SECONDS, &out, &err);
  }

  parse_report (outcome, out);
  outcome->thumbnails = cs_attack_scene_count_thumbnails (&scene);
  attack = g_hash_table_lookup (outcome->shown, "attack-all.heic");
  outcome->found = cs_attack_scene_check (&scene, attack != NULL ? attack->message : NULL,
                                          outcome->status == 0 && outcome->finished);

  g_test_message ("%s: %u attempts tried, %u succeeded; app %s %d", helper, CS_ATTACK_ATTEMPTS,
                  outcome->found->len, outcome->status >= 0 ? "exit" : "signal",
                  ABS (outcome->status));
  for (guint i = 0; i < outcome->found->len; i++)
    g_test_message ("  succeeded: %s", (char *) g_ptr_array_index (outcome->found, i));
  log_lines ("shown", out);
  log_lines ("stderr", err);

  cs_attack_scene_clear (&scene);
}

/* Failed, marked so in its cell, with a reason on one line. */
static const char *
assert_failed (Outcome    *outcome,
               const char *name)
{
  Shown *shown = g_hash_table_lookup (outcome->shown, name);

  g_assert_nonnull (shown);
  g_assert_cmpstr (shown->state, ==, "failed");
  g_assert_cmpint (shown->cell_failed, ==, 1);
  g_assert_cmpint (shown->cell_picture, ==, 0);
  g_assert_nonnull (shown->message);
  g_assert_cmpstr (shown->message, !=, "");
  g_assert_null (strchr (shown->message, '\n'));

  return shown->message;
}

/* Nothing happened, the app lived and the batch finished: the attack
 * files failed with their reasons, the picture was made. */
static void
test_confined (void)
{
  Outcome outcome = { 0 };
  Shown *picture;

  run_attack (CS_DECODER, &outcome);

  g_assert_cmpuint (outcome.found->len, ==, 0);
  g_assert_cmpint (outcome.status, ==, 0);
  g_assert_true (outcome.finished);
  g_assert_cmpuint (g_hash_table_size (outcome.shown), ==, N_IMAGES);

  /* The loader did run, and tried everything. */
  g_assert_nonnull (strstr (assert_failed (&outcome, "attack-all.heic"),
                            "CS-ATTACK: " G_STRINGIFY (CS_ATTACK_ATTEMPTS_ALL) " attempts, none succeeded"));
  g_assert_nonnull (strstr (assert_failed (&outcome, "attack-spin.heic"), "longer than"));
  g_assert_nonnull (strstr (assert_failed (&outcome, "attack-alloc.heic"), "CS-ATTACK: allocation refused"));

  picture = g_hash_table_lookup (outcome.shown, "picture.png");
  g_assert_nonnull (picture);
  g_assert_cmpstr (picture->state, ==, "done");
  g_assert_cmpint (picture->cell_failed, ==, 0);
  g_assert_cmpint (picture->cell_picture, ==, 1);
  g_assert_cmpuint (outcome.thumbnails, ==, 1);

  g_assert_nonnull (outcome.status_text);
  g_assert_true (g_str_has_prefix (outcome.status_text, "1 thumbnail · "));
  g_assert_true (g_str_has_suffix (outcome.status_text, " · 3 failed"));
  g_assert_true (outcome.status_shown);

  outcome_clear (&outcome);
}

/* The test can fail: a helper without one layer or both lets attempts
 * through, and the checks above see them. */
static void
test_detects (gconstpointer data)
{
  const char *helper = data;
  Outcome outcome = { 0 };

  run_attack (helper, &outcome);
  g_assert_cmpuint (outcome.found->len, >, 0);
  outcome_clear (&outcome);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_str_equal (argv[1], "--app"))
    return run_app (argv[2]);

  g_test_init (&argc, &argv, NULL);

  if (!cs_attack_loader_is_used ())
    {
      g_test_skip ("This GdkPixbuf does not decode HEIF with loader modules from "
                   "GDK_PIXBUF_MODULE_FILE (it decodes through glycin)");
      return g_test_run ();
    }

  g_test_add_func ("/sandbox/window/confined", test_confined);
  g_test_add_data_func ("/sandbox/window/detects/without-landlock", CS_DECODER_NO_LANDLOCK, test_detects);
  g_test_add_data_func ("/sandbox/window/detects/without-seccomp", CS_DECODER_NO_SECCOMP, test_detects);
  g_test_add_data_func ("/sandbox/window/detects/unconfined", CS_DECODER_UNCONFINED, test_detects);

  return g_test_run ();
}
