/* cs-test-window.c: helpers shared by the tests that run the real window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-test-window.h"

#include "cs-cell.h"
#include "cs-test-util.h"

/* One for the whole program, registered once: as in the real program, its
 * startup loads the style sheet and adds the actions and accelerators. */
CsApplication *
cs_test_get_app (void)
{
  static CsApplication *app;

  if (app == NULL)
    {
      g_autoptr(GError) error = NULL;

      app = cs_application_new ();
      /* Any other instance on the test's bus is not ours to talk to. */
      g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
      g_application_register (G_APPLICATION (app), NULL, &error);
      g_assert_no_error (error);
    }

  return app;
}

gboolean
cs_test_is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Waiting for the finalize lets the window's jobs and monitors end before
 * the next test's folder and settings are made. */
void
cs_test_destroy_window (CsWindow **window)
{
  gpointer weak = *window;

  g_object_add_weak_pointer (G_OBJECT (*window), &weak);
  gtk_window_destroy (GTK_WINDOW (*window));
  g_clear_object (window);
  cs_test_wait_until (cs_test_is_null, &weak, 5000);
}

void
cs_test_open_folder (CsWindow   *window,
                     const char *path)
{
  g_autoptr(GFile) folder = g_file_new_for_path (path);

  cs_window_open_folder (window, folder);
}

gboolean
cs_test_window_idle (gpointer data)
{
  return !cs_window_get_running (CS_WINDOW (data));
}

gboolean
cs_test_widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

void
cs_test_collect_cells (GtkWidget *widget,
                       GPtrArray *cells)
{
  if (CS_IS_CELL (widget))
    g_ptr_array_add (cells, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    cs_test_collect_cells (child, cells);
}

GtkWidget *
cs_test_find (GtkWidget         *widget,
              CsTestWidgetMatch  match,
              gconstpointer      data)
{
  if (match (widget, data))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = cs_test_find (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
is_of_type (GtkWidget     *widget,
            gconstpointer  data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

GtkWidget *
cs_test_find_widget (GtkWidget *widget,
                     GType      type)
{
  return cs_test_find (widget, is_of_type, GSIZE_TO_POINTER (type));
}

static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

GtkWidget *
cs_test_find_button (GtkWidget  *widget,
                     const char *label)
{
  return cs_test_find (widget, is_button_labelled, label);
}
