/* cs-test-window.h: helpers shared by the tests that run the real window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cs-application.h"
#include "cs-window.h"

G_BEGIN_DECLS

/* The program's one application, registered on first use, non-unique. */
CsApplication *cs_test_get_app            (void);

/* Destroys *@window, drops the ref and waits (5 s at most) until it is finalized. */
void           cs_test_destroy_window     (CsWindow  **window);

/* Opens the folder at @path in @window, as the file chooser's answer does. */
void           cs_test_open_folder        (CsWindow   *window,
                                           const char *path);

/* A cs_test_wait_until() check: whether the CsWindow @data has stopped. */
gboolean       cs_test_window_idle        (gpointer    data);

/* A cs_test_wait_until() check: whether the pointer at @data is %NULL. */
gboolean       cs_test_is_null            (gpointer    data);

/* A cs_test_wait_until() check: whether the widget @data is mapped. */
gboolean       cs_test_widget_mapped      (gpointer    data);

/* Adds every CsCell under @widget, @widget included, to @cells. */
void           cs_test_collect_cells      (GtkWidget  *widget,
                                           GPtrArray  *cells);

/* Whether @widget is the one looked for, as @data describes it. */
typedef gboolean (*CsTestWidgetMatch) (GtkWidget     *widget,
                                       gconstpointer  data);

/* The first widget under @widget, @widget included, that @match takes, or
 * %NULL; depth first, in the order of the children. */
GtkWidget     *cs_test_find               (GtkWidget         *widget,
                                           CsTestWidgetMatch  match,
                                           gconstpointer      data);

/* The first widget of @type under @widget, @widget included, or %NULL. */
GtkWidget     *cs_test_find_widget        (GtkWidget  *widget,
                                           GType       type);

/* The first button labelled @label under @widget, shown or not, or %NULL. */
GtkWidget     *cs_test_find_button        (GtkWidget  *widget,
                                           const char *label);

G_END_DECLS
