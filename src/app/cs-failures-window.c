/* cs-failures-window.c: the list of images that failed, with Retry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-failures-window"

#include "config.h"

#include "cs-failures-window.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cs-item.h"

struct _CsFailuresWindow
{
  AdwWindow   parent_instance;

  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (CsFailuresWindow, cs_failures_window, ADW_TYPE_WINDOW)

enum {
  RETRY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* By name, numbers by value, as the grid sorts names. */
static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  CsItem *item_a = *(CsItem **) a;
  CsItem *item_b = *(CsItem **) b;

  return strcmp (cs_item_get_collate_key (item_a), cs_item_get_collate_key (item_b));
}

static void
on_retry_clicked (CsFailuresWindow *self)
{
  g_signal_emit (self, signals[RETRY], 0);
  gtk_window_close (GTK_WINDOW (self));
}

static void
cs_failures_window_class_init (CsFailuresWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /**
   * CsFailuresWindow::retry:
   *
   * The person asked to try every listed image again.
   */
  signals[RETRY] =
    g_signal_new ("retry",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/contactsheet/ContactSheet/cs-failures-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CsFailuresWindow, list);
  gtk_widget_class_bind_template_callback (widget_class, on_retry_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cs_failures_window_init (CsFailuresWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cs_failures_window_new (GtkWindow *parent,
                        GPtrArray *items)
{
  CsFailuresWindow *self;
  g_autoptr(GPtrArray) sorted = NULL;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (CS_TYPE_FAILURES_WINDOW,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);

  /* Borrowed pointers: a copy would take @items' free function too. */
  sorted = g_ptr_array_sized_new (items->len);
  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (items, i));
  g_ptr_array_sort (sorted, compare_names);
  for (guint i = 0; i < sorted->len; i++)
    {
      CsItem *item = g_ptr_array_index (sorted, i);
      g_autofree char *path = g_file_get_parse_name (cs_item_get_file (item));
      GtkWidget *row = adw_action_row_new ();

      /* Names are shown as written, never as markup. */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cs_item_get_name (item));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), cs_item_get_error_message (item));
      gtk_widget_set_tooltip_text (row, path);
      gtk_list_box_append (self->list, row);
    }

  return GTK_WIDGET (self);
}
