/* test-i18n-window.c: the real window, in Simplified Chinese
 *
 * Run with LC_ALL=zh_CN.UTF-8 and LANGUAGE=zh_CN. Without that locale
 * installed, C.UTF-8 stands in: glibc up to 2.4x (Debian 12's 2.36) honours
 * LANGUAGE there, newer ones (Debian forky's 2.43) treat C.UTF-8 as "C" and
 * ignore LANGUAGE, so there the locale must be installed (package `locales`
 * with zh_CN.UTF-8 generated, or `locales-all`). The catalog is the one this
 * build made, bound the way main.c binds the installed one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "cs-preferences-window.h"
#include "cs-test-util.h"
#include "cs-window.h"

/* The strings looked for, as the sources write them. */
#define EMPTY_TITLE   "Open a Folder of Pictures"
#define OPEN_BUTTON   "_Open Folder…"
#define OPEN_TOOLTIP  "Open a Folder (Ctrl+O)"
#define NO_IMAGES     "No Images"
#define PERFORMANCE   "Performance"

static gboolean
has_han (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_get_script (g_utf8_get_char (p)) == G_UNICODE_SCRIPT_HAN)
      return TRUE;

  return FALSE;
}

/* The catalog's translation, which must be Chinese: else the test would
 * pass on an English window. */
static const char *
chinese (const char *msgid)
{
  const char *translation = g_dgettext (GETTEXT_PACKAGE, msgid);

  if (!has_han (translation))
    g_error ("No Chinese translation of “%s” (got “%s”): is %s.mo built under the bound "
             "directory, and the zh_CN.UTF-8 locale installed (LC_MESSAGES is “%s”)?",
             msgid, translation, GETTEXT_PACKAGE, setlocale (LC_MESSAGES, NULL));

  return translation;
}

/* Whether a label or tooltip on screen reads @text, under @root. */
static gboolean
shows (GtkWidget  *root,
       const char *text)
{
  if (!gtk_widget_get_mapped (root))
    return FALSE;

  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (root)), text) == 0)
    return TRUE;

  if (g_strcmp0 (gtk_widget_get_tooltip_text (root), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows (child, text))
      return TRUE;

  return FALSE;
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
} Showing;

static gboolean
is_showing (gpointer data)
{
  Showing *showing = data;

  return shows (showing->root, showing->text);
}

static void
assert_shows_chinese (GtkWidget  *root,
                      const char *msgid)
{
  const char *translation = chinese (msgid);
  Showing showing = { root, translation };
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  /* A dialog slides in: its rows map a few frames after it does. */
  while (!is_showing (&showing) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);

  if (shows (root, msgid))
    g_error ("The window shows “%s” in English", msgid);
  if (!shows (root, translation))
    g_error ("The window does not show “%s” (the translation of “%s”)", translation, msgid);
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
is_idle (gpointer data)
{
  return !cs_window_get_running (data);
}

static CsWindow *
present_window (void)
{
  CsWindow *window = g_object_ref (g_object_new (CS_TYPE_WINDOW, NULL));

  gtk_window_present (GTK_WINDOW (window));
  cs_test_wait_until (is_mapped, window, 10000);

  return window;
}

static gboolean
window_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
destroy_window (GtkWindow *window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (window);
  g_object_unref (window);
  cs_test_wait_until (window_gone, &weak, 5000);
}

static void
test_catalog (void)
{
  /* The build's catalog is found at all: the clearest message if not. */
  chinese (EMPTY_TITLE);
  g_assert_true (has_han (g_dngettext (GETTEXT_PACKAGE, "%u Image", "%u Images", 2)));
}

/* The empty state: status page, its button, the header bar's button. */
static void
test_empty_state (void)
{
  CsWindow *window = present_window ();

  assert_shows_chinese (GTK_WIDGET (window), EMPTY_TITLE);
  assert_shows_chinese (GTK_WIDGET (window), OPEN_BUTTON);
  assert_shows_chinese (GTK_WIDGET (window), OPEN_TOOLTIP);

  destroy_window (GTK_WINDOW (window));
}

/* An empty folder: a string from the template and one made in C. */
static void
test_empty_folder (void)
{
  g_autofree char *dir = cs_test_make_dir ();
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  CsWindow *window = present_window ();
  const char *status;

  cs_window_open_folder (window, folder);
  cs_test_wait_until (is_idle, window, 10000);

  assert_shows_chinese (GTK_WIDGET (window), NO_IMAGES);

  status = cs_window_get_status_text (window);
  g_assert_nonnull (status);
  if (!has_han (status) || strstr (status, "written") != NULL)
    g_error ("The status bar is not in Chinese: “%s”", status);

  destroy_window (GTK_WINDOW (window));
  cs_test_remove_tree (dir);
}

static void
test_preferences (void)
{
  CsWindow *window = present_window ();
  GtkWidget *preferences = cs_preferences_window_show (GTK_WINDOW (window), NULL);

  cs_test_wait_until (is_mapped, preferences, 10000);

  assert_shows_chinese (preferences, PERFORMANCE);

#if ADW_CHECK_VERSION (1, 5, 0)
  /* A dialog inside the window: it goes with it. */
  adw_dialog_force_close (ADW_DIALOG (preferences));
#else
  destroy_window (GTK_WINDOW (g_object_ref (preferences)));
#endif
  destroy_window (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = cs_test_isolate_cache ();
  const char *localedir = g_getenv ("CS_TEST_LOCALEDIR");
  int status;

  /* As main.c does, with the build's catalogs in place of LOCALEDIR. */
  /* In the environment too: gtk_init() sets the locale again from it. */
  if (setlocale (LC_ALL, "") == NULL)
    g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  if (setlocale (LC_ALL, "") == NULL)
    g_error ("Neither the locale in LC_ALL nor C.UTF-8 is installed");
  if (localedir == NULL)
    g_error ("CS_TEST_LOCALEDIR is not set: it must name the build's po/ folder");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  cs_test_allow_gtk_frame_warning ();
  g_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/i18n/catalog", test_catalog);
  g_test_add_func ("/i18n/window/empty-state", test_empty_state);
  g_test_add_func ("/i18n/window/empty-folder", test_empty_folder);
  g_test_add_func ("/i18n/preferences", test_preferences);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
