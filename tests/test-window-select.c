/* test-window-select.c: the selection, and what is done with it
 *
 * The real window on a real folder, under Xvfb. Clicks are GTK's own
 * list.select-item action, which a click on a cell activates with the
 * Ctrl (modify) and Shift (extend) states; Ctrl+A and Shift+Ctrl+A are
 * list.select-all and list.unselect-all, which GtkGridView binds them to.
 * The actions are the window's, which its keys and menus activate.
 *
 * The test has a home of its own (HOME, XDG_DATA_HOME, XDG_CONFIG_HOME)
 * so that the trash is its own and on the pictures' file system, and no
 * file manager on its bus: Show in Files has to fall back to the folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cs-item.h"
#include "cs-sheet-dialog.h"
#include "cs-test-images.h"
#include "cs-test-util.h"
#include "cs-test-window.h"
#include "cs-window.h"

#define N_IMAGES 6

static char *home;

typedef struct
{
  char        *folder;
  CsWindow    *window;
  GtkGridView *grid;
} Fixture;

/* Every label's text under @widget, one a line. */
static void
collect_texts (GtkWidget *widget,
               GString   *texts)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
    g_string_append_printf (texts, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  if (GTK_IS_INSCRIPTION (widget) && gtk_inscription_get_text (GTK_INSCRIPTION (widget)) != NULL)
    g_string_append_printf (texts, "%s\n", gtk_inscription_get_text (GTK_INSCRIPTION (widget)));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_texts (child, texts);
}

static char *
window_texts (gpointer window)
{
  GString *texts = g_string_new (NULL);

  collect_texts (GTK_WIDGET (window), texts);
  return g_string_free (texts, FALSE);
}

typedef struct
{
  gpointer    window;
  const char *text;
} Showing;

static gboolean
shows (gpointer data)
{
  Showing *showing = data;
  g_autofree char *texts = window_texts (showing->window);

  return strstr (texts, showing->text) != NULL;
}

static void
wait_until_shows (gpointer    window,
                  const char *text)
{
  Showing showing = { window, text };

  cs_test_wait_until (shows, &showing, 10000);
}

/* Nothing the bus says reaches the person. */
static void
assert_no_bus_words (gpointer window)
{
  g_autofree char *texts = window_texts (window);

  g_assert_null (strstr (texts, "GDBus"));
  g_assert_null (strstr (texts, "org.freedesktop"));
  g_assert_null (strstr (texts, "ServiceUnknown"));
}

static gboolean
is_idle (gpointer data)
{
  Fixture *f = data;

  return !cs_window_get_running (f->window) &&
         g_list_model_get_n_items (cs_window_get_items (f->window)) == N_IMAGES;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GFile) folder = NULL;

  /* In the home, so that the home's trash takes its files. */
  f->folder = g_build_filename (home, "Pictures-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (f->folder));
  for (guint i = 0; i < N_IMAGES; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_strdup_printf ("%s/img-%04u.jpg", f->folder, i);

      cs_test_write_image (path, 320, 240, "jpeg", i, &error);
      g_assert_no_error (error);
    }

  f->window = g_object_ref (g_object_new (CS_TYPE_WINDOW, NULL));
  gtk_window_present (GTK_WINDOW (f->window));
  f->grid = GTK_GRID_VIEW (cs_test_find_widget (GTK_WIDGET (f->window), GTK_TYPE_GRID_VIEW));
  g_assert_nonnull (f->grid);

  folder = g_file_new_for_path (f->folder);
  cs_window_open_folder (f->window, folder);
  cs_test_wait_until (is_idle, f, 30000);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cs_test_destroy_window (&f->window);
  cs_test_remove_tree (f->folder);
  g_free (f->folder);
}

static guint
n_selected (Fixture *f)
{
  GtkSelectionModel *selection = gtk_grid_view_get_model (f->grid);
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (selection);

  return gtk_bitset_get_size (selected);
}

/* A click on the cell at @position, with Ctrl (@modify) or Shift (@extend)
 * held: what the cell's click gesture activates. */
static void
click (Fixture  *f,
       guint     position,
       gboolean  modify,
       gboolean  extend)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->grid), "list.select-item", "(ubb)",
                                             position, modify, extend));
}

static void
activate (Fixture    *f,
          const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->grid), action, NULL));
}

static gboolean
status_has (Fixture    *f,
            const char *text)
{
  const char *status = cs_window_get_status_text (f->window);

  return status != NULL && strstr (status, text) != NULL;
}

static void
test_multi_select (Fixture       *f,
                   gconstpointer  data)
{
  click (f, 0, FALSE, FALSE);
  g_assert_cmpuint (n_selected (f), ==, 1);
  g_assert_false (status_has (f, "selected"));

  /* Ctrl+click adds, Shift+click extends from there. */
  click (f, 2, TRUE, FALSE);
  g_assert_cmpuint (n_selected (f), ==, 2);
  g_assert_true (status_has (f, " · 2 selected"));
  click (f, 4, TRUE, TRUE);
  g_assert_cmpuint (n_selected (f), ==, 4);
  g_assert_true (status_has (f, " · 4 selected"));

  /* Ctrl+A, Shift+Ctrl+A. */
  activate (f, "list.select-all");
  g_assert_cmpuint (n_selected (f), ==, N_IMAGES);
  g_assert_true (status_has (f, " · 6 selected"));
  activate (f, "list.unselect-all");
  g_assert_cmpuint (n_selected (f), ==, 0);
  g_assert_false (status_has (f, "selected"));

  g_assert_true (gtk_grid_view_get_enable_rubberband (f->grid));
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents;
  gsize length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static gboolean
is_gone (gpointer data)
{
  return !g_file_test (data, G_FILE_TEST_EXISTS);
}

static gboolean
is_back (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static gboolean
has_n_items (gpointer data)
{
  Fixture *f = data;

  return g_list_model_get_n_items (cs_window_get_items (f->window)) ==
         GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (f->window), "want"));
}

static void
wait_n_items (Fixture *f,
              guint    n)
{
  g_object_set_data (G_OBJECT (f->window), "want", GUINT_TO_POINTER (n));
  cs_test_wait_until (has_n_items, f, 10000);
}

static gboolean
time_is_up (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

/* The main loop runs for @ms. */
static void
settle (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  cs_test_wait_until (time_is_up, &until, ms + 5000);
}

static gboolean
has_undo (gpointer data)
{
  return cs_test_find_button (data, "_Undo") != NULL;
}

/* Delete moves what is selected to the trash; the toast's Undo puts it
 * back, byte for byte. */
static void
test_trash_undo (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *first = g_build_filename (f->folder, "img-0001.jpg", NULL);
  g_autofree char *second = g_build_filename (f->folder, "img-0003.jpg", NULL);
  g_autofree char *trashed = g_build_filename (g_get_user_data_dir (), "Trash", "files", "img-0001.jpg", NULL);
  g_autoptr(GBytes) first_bytes = read_bytes (first);
  g_autoptr(GBytes) second_bytes = read_bytes (second);
  g_autoptr(GBytes) first_after = NULL;
  g_autoptr(GBytes) second_after = NULL;

  click (f, 1, FALSE, FALSE);
  click (f, 3, TRUE, FALSE);
  activate (f, "win.trash");

  cs_test_wait_until (is_gone, first, 10000);
  cs_test_wait_until (is_gone, second, 10000);
  g_assert_true (g_file_test (trashed, G_FILE_TEST_EXISTS));
  wait_n_items (f, N_IMAGES - 2);
  wait_until_shows (f->window, "2 images moved to Trash");
  assert_no_bus_words (f->window);

  cs_test_wait_until (has_undo, f->window, 10000);
  /* As a person would, once the toast is in: with libadwaita 1.2.2, an
   * Undo the moment the toast appeared crashed now and then in its
   * animations (use after free, seen under MALLOC_PERTURB_). */
  settle (1000);
  g_signal_emit_by_name (cs_test_find_button (GTK_WIDGET (f->window), "_Undo"), "clicked");

  cs_test_wait_until (is_back, first, 10000);
  cs_test_wait_until (is_back, second, 10000);
  first_after = read_bytes (first);
  second_after = read_bytes (second);
  g_assert_true (g_bytes_equal (first_bytes, first_after));
  g_assert_true (g_bytes_equal (second_bytes, second_after));
  g_assert_false (g_file_test (trashed, G_FILE_TEST_EXISTS));
  /* The folder's monitor brings them back into the grid. */
  wait_n_items (f, N_IMAGES);
}

/* Ctrl+A with a sub-folder's tile among the pictures, Delete: the
 * pictures go to the trash, the folder stays. */
static void
test_trash_leaves_folders (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *sub = g_build_filename (f->folder, "Sub", NULL);
  g_autofree char *inside = g_build_filename (sub, "inside.jpg", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (f->folder);
  g_autoptr(GError) error = NULL;
  g_autofree char *last = g_strdup_printf ("%s/img-%04u.jpg", f->folder, N_IMAGES - 1);

  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  cs_test_write_image (inside, 64, 48, "jpeg", 0, &error);
  g_assert_no_error (error);
  cs_window_open_folder (f->window, folder);
  wait_n_items (f, N_IMAGES + 1);

  activate (f, "list.select-all");
  g_assert_cmpuint (n_selected (f), ==, N_IMAGES + 1);
  activate (f, "win.trash");
  cs_test_wait_until (is_gone, last, 10000);
  wait_until_shows (f->window, "6 images moved to Trash");
  g_assert_true (g_file_test (inside, G_FILE_TEST_IS_REGULAR));
  wait_n_items (f, 1);
}

typedef struct
{
  GMainLoop  *loop;
  GdkTexture *texture;
  char       *text;
} ClipboardRead;

static void
on_texture_read (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ClipboardRead *read = user_data;
  g_autoptr(GError) error = NULL;

  read->texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
  g_main_loop_quit (read->loop);
}

static void
on_text_read (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ClipboardRead *read = user_data;
  g_autoptr(GError) error = NULL;

  read->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
  g_main_loop_quit (read->loop);
}

static gboolean
offers_texture (gpointer data)
{
  GdkContentFormats *formats = gdk_clipboard_get_formats (data);

  return gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE);
}

/* Ctrl+C: one image is the picture and its path; several, their paths. */
static void
test_copy (Fixture       *f,
           gconstpointer  data)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (f->window));
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  ClipboardRead read = { loop, NULL, NULL };
  g_autofree char *expected = g_strdup_printf ("%s/img-0000.jpg\n%s/img-0001.jpg\n%s/img-0002.jpg",
                                               f->folder, f->folder, f->folder);
  GdkContentFormats *formats;

  click (f, 0, FALSE, FALSE);
  activate (f, "win.copy");
  cs_test_wait_until (offers_texture, clipboard, 10000);
  formats = gdk_clipboard_get_formats (clipboard);
  g_assert_true (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST));
  g_assert_true (gdk_content_formats_contain_gtype (formats, G_TYPE_STRING));
  gdk_clipboard_read_texture_async (clipboard, NULL, on_texture_read, &read);
  g_main_loop_run (loop);
  g_assert_cmpint (gdk_texture_get_width (read.texture), ==, 320);
  g_assert_cmpint (gdk_texture_get_height (read.texture), ==, 240);
  g_clear_object (&read.texture);

  click (f, 2, FALSE, TRUE);
  activate (f, "win.copy");
  formats = gdk_clipboard_get_formats (clipboard);
  g_assert_false (gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE));
  gdk_clipboard_read_text_async (clipboard, NULL, on_text_read, &read);
  g_main_loop_run (loop);
  g_assert_cmpstr (read.text, ==, expected);
  g_free (read.text);
}

/* The grid's position of the picture named @name. */
static guint
position_of (Fixture    *f,
             const char *name)
{
  GListModel *items = G_LIST_MODEL (gtk_grid_view_get_model (f->grid));

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      if (g_strcmp0 (cs_item_get_name (item), name) == 0)
        return i;
    }

  g_assert_not_reached ();
}

typedef struct
{
  Fixture    *f;
  const char *name;
} Named;

static gboolean
in_grid (gpointer data)
{
  Named *named = data;
  GListModel *items = G_LIST_MODEL (gtk_grid_view_get_model (named->f->grid));

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      if (g_strcmp0 (cs_item_get_name (item), named->name) == 0)
        return TRUE;
    }

  return FALSE;
}

static gboolean
not_in_grid (gpointer data)
{
  return !in_grid (data);
}

/* Ctrl+C on a named pipe called like a picture: the path is copied and
 * nothing waits on the pipe for a writer that never comes. */
static void
test_copy_fifo (Fixture       *f,
                gconstpointer  data)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (f->window));
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  ClipboardRead read = { loop, NULL, NULL };
  g_autofree char *fifo = g_build_filename (f->folder, "x.jpg", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (f->folder);
  Named named = { f, "x.jpg" };
  int writer;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  cs_window_open_folder (f->window, folder);
  cs_test_wait_until (in_grid, &named, 10000);
  wait_n_items (f, N_IMAGES + 1);

  click (f, position_of (f, "x.jpg"), FALSE, FALSE);
  activate (f, "win.copy");
  gdk_clipboard_read_text_async (clipboard, NULL, on_text_read, &read);
  g_main_loop_run (loop);
  g_assert_cmpstr (read.text, ==, fifo);
  g_clear_pointer (&read.text, g_free);
  settle (1000);

  /* A writer's non-blocking open succeeds only with a reader at the
   * other end: something of the app's would be stuck on it. */
  writer = g_open (fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
  if (writer >= 0)
    close (writer);
  g_assert_cmpint (writer, ==, -1);
  g_assert_cmpint (errno, ==, ENXIO);

  /* And a picture copied next is the picture. */
  click (f, position_of (f, "img-0002.jpg"), FALSE, FALSE);
  activate (f, "win.copy");
  cs_test_wait_until (offers_texture, clipboard, 10000);
}

static GtkWidget *
find_button_anywhere (const char *label)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);
      GtkWidget *button = gtk_widget_get_mapped (toplevel) ? cs_test_find_button (toplevel, label) : NULL;

      if (button != NULL && gtk_widget_get_mapped (button))
        return button;
    }

  return NULL;
}

static gboolean
asks_beside (gpointer data)
{
  return find_button_anywhere ("_Write Thumbnails") != NULL;
}

/* With sub-folders included and thumbnails written beside the pictures:
 * a picture in a sub-folder (not watched) trashed takes its thumbnail
 * along and leaves the grid; Undo brings it back into the grid. */
static void
test_trash_undo_subfolder (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *sub = g_build_filename (f->folder, "Sub", NULL);
  g_autofree char *inside = g_build_filename (sub, "inside.jpg", NULL);
  g_autofree char *thumb = g_build_filename (sub, "inside.thumb.jpg", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (f->folder);
  g_autoptr(GError) error = NULL;
  Named named = { f, "inside.jpg" };

  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  cs_test_write_image (inside, 64, 48, "jpeg", 0, &error);
  g_assert_no_error (error);
  g_settings_set_boolean (settings, "include-subfolders", TRUE);
  g_settings_set_string (settings, "output-mode", "beside");
  cs_window_open_folder (f->window, folder);
  cs_test_wait_until (asks_beside, NULL, 20000);
  g_assert_true (gtk_widget_activate (find_button_anywhere ("_Write Thumbnails")));
  cs_test_wait_until (is_back, thumb, 30000);
  cs_test_wait_until (in_grid, &named, 10000);

  click (f, position_of (f, "inside.jpg"), FALSE, FALSE);
  activate (f, "win.trash");
  cs_test_wait_until (is_gone, inside, 10000);
  cs_test_wait_until (not_in_grid, &named, 10000);
  cs_test_wait_until (is_gone, thumb, 10000);

  cs_test_wait_until (has_undo, f->window, 10000);
  settle (1000);
  g_signal_emit_by_name (cs_test_find_button (GTK_WIDGET (f->window), "_Undo"), "clicked");
  cs_test_wait_until (is_back, inside, 10000);
  cs_test_wait_until (in_grid, &named, 10000);
  /* And is thumbnailed again, beside it. */
  cs_test_wait_until (is_back, thumb, 30000);

  g_settings_reset (settings, "include-subfolders");
  g_settings_reset (settings, "output-mode");
}

/* Pictures opened one by one have no folder monitor: Undo brings the
 * trashed one back into the grid all the same. */
static void
test_trash_undo_files (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *first = g_build_filename (f->folder, "img-0001.jpg", NULL);
  GFile *files[3];
  Named named = { f, "img-0001.jpg" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/img-%04u.jpg", f->folder, i);

      files[i] = g_file_new_for_path (path);
    }
  cs_window_open_files (f->window, files, G_N_ELEMENTS (files));
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    g_object_unref (files[i]);
  wait_n_items (f, 3);

  click (f, position_of (f, "img-0001.jpg"), FALSE, FALSE);
  activate (f, "win.trash");
  cs_test_wait_until (is_gone, first, 10000);
  wait_n_items (f, 2);

  cs_test_wait_until (has_undo, f->window, 10000);
  settle (1000);
  g_signal_emit_by_name (cs_test_find_button (GTK_WIDGET (f->window), "_Undo"), "clicked");
  cs_test_wait_until (is_back, first, 10000);
  cs_test_wait_until (in_grid, &named, 10000);
  wait_n_items (f, 3);
}

/* Something that opens folders, for the test's subprocess, made before
 * GIO reads the applications: it writes what it opened into "opened". */
static void
add_folder_handler (const char *data_home,
                    const char *config_home)
{
  g_autofree char *mimeapps = g_build_filename (config_home, "mimeapps.list", NULL);
  g_autofree char *desktop = g_build_filename (data_home, "applications", "cs-test-files.desktop", NULL);
  g_autofree char *script = g_build_filename (home, "open-folder.sh", NULL);
  g_autofree char *marker = g_build_filename (home, "opened", NULL);
  g_autofree char *script_text = g_strdup_printf ("#!/bin/sh\nprintf '%%s' \"$1\" > '%s'\n", marker);
  g_autofree char *desktop_text = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Folders\n"
                                                   "Exec=%s %%u\nMimeType=inode/directory;\n", script);

  g_assert_true (g_file_set_contents (script, script_text, -1, NULL));
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);
  g_assert_true (g_file_set_contents (desktop, desktop_text, -1, NULL));
  g_assert_true (g_file_set_contents (mimeapps, "[Default Applications]\n"
                                      "inode/directory=cs-test-files.desktop\n", -1, NULL));
}

static gboolean
has_contents (gpointer data)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (data, &contents, NULL, NULL) && contents[0] != '\0';
}

/* No file manager on the bus, and nothing opens folders: a plain message
 * says so. */
static void
test_show_in_files_fails (Fixture       *f,
                          gconstpointer  data)
{
  click (f, 0, FALSE, FALSE);
  click (f, 1, TRUE, FALSE);
  activate (f, "win.show-in-files");
  wait_until_shows (f->window, "Could not show “img-0000.jpg” in Files");
  assert_no_bus_words (f->window);
}

/* No file manager on the bus: the folder is opened with what opens
 * folders. In a subprocess, whose applications have such a program. */
static void
test_show_in_files_opens_folder (Fixture       *f,
                                 gconstpointer  data)
{
  g_autofree char *marker = g_build_filename (home, "opened", NULL);
  g_autofree char *opened = NULL;
  g_autofree char *folder_uri = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (f->folder);

  if (!g_test_subprocess ())
    {
      g_setenv ("CS_TEST_FOLDER_HANDLER", "1", TRUE);
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  click (f, 0, FALSE, FALSE);
  click (f, 1, TRUE, FALSE);
  activate (f, "win.show-in-files");
  cs_test_wait_until (has_contents, marker, 10000);
  g_assert_true (g_file_get_contents (marker, &opened, NULL, NULL));
  folder_uri = g_file_get_uri (folder);
  g_assert_true (g_str_equal (opened, folder_uri) || g_str_equal (opened, f->folder));
  assert_no_bus_words (f->window);
}

static GtkWidget *
find_sheet_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (CS_IS_SHEET_DIALOG (window))
        return GTK_WIDGET (window);
    }

  return NULL;
}

static gboolean
has_sheet_dialog (gpointer data)
{
  return find_sheet_dialog () != NULL;
}

static gboolean
is_row_titled (GtkWidget     *widget,
               gconstpointer  title)
{
  return ADW_IS_PREFERENCES_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

/* The sheet of three selected images is of those three. */
static void
test_sheet_of_selection (Fixture       *f,
                         gconstpointer  data)
{
  GtkWidget *dialog;
  GtkWidget *row;

  click (f, 1, FALSE, FALSE);
  click (f, 3, FALSE, TRUE);
  activate (f, "win.export-sheet");
  cs_test_wait_until (has_sheet_dialog, NULL, 10000);
  dialog = find_sheet_dialog ();
  row = cs_test_find (dialog, is_row_titled, "Selected Ima_ges Only");
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_sensitive (row));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (cs_test_find_widget (row, GTK_TYPE_SWITCH))));
  wait_until_shows (dialog, "3 images on 1 page");

  /* Switched off, the sheet is the whole grid's. */
  gtk_switch_set_active (GTK_SWITCH (cs_test_find_widget (row, GTK_TYPE_SWITCH)), FALSE);
  wait_until_shows (dialog, "6 images on 1 page");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* One image selected: nothing to choose. */
  click (f, 2, FALSE, FALSE);
  activate (f, "win.export-sheet");
  cs_test_wait_until (has_sheet_dialog, NULL, 10000);
  dialog = find_sheet_dialog ();
  row = cs_test_find (dialog, is_row_titled, "Selected Ima_ges Only");
  g_assert_false (gtk_widget_get_sensitive (row));
  wait_until_shows (dialog, "6 images on 1 page");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *config_home = NULL;
  g_autofree char *applications = NULL;
  int status;

  /* Before GLib reads any of them. */
  home = cs_test_make_dir ();
  data_home = g_build_filename (home, ".local", "share", NULL);
  config_home = g_build_filename (home, ".config", NULL);
  applications = g_build_filename (data_home, "applications", NULL);
  g_mkdir_with_parents (applications, 0700);
  g_mkdir_with_parents (config_home, 0700);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  if (g_getenv ("CS_TEST_FOLDER_HANDLER") != NULL)
    add_folder_handler (data_home, config_home);
  cache = cs_test_isolate_cache ();

  cs_test_allow_gtk_frame_warning ();
  g_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/window/select/multi", test_multi_select);
  ADD ("/window/select/trash-undo", test_trash_undo);
  ADD ("/window/select/trash-leaves-folders", test_trash_leaves_folders);
  ADD ("/window/select/copy", test_copy);
  ADD ("/window/select/copy-fifo", test_copy_fifo);
  ADD ("/window/select/trash-undo-subfolder", test_trash_undo_subfolder);
  ADD ("/window/select/trash-undo-files", test_trash_undo_files);
  ADD ("/window/select/show-in-files-fails", test_show_in_files_fails);
  ADD ("/window/select/show-in-files-opens-folder", test_show_in_files_opens_folder);
  ADD ("/window/select/sheet", test_sheet_of_selection);

  status = g_test_run ();
  cs_test_remove_tree (cache);
  cs_test_remove_tree (home);
  g_free (home);

  return status;
}
