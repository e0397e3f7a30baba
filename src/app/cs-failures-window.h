/* cs-failures-window.h: the list of images that failed, with Retry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CS_TYPE_FAILURES_WINDOW (cs_failures_window_get_type ())
G_DECLARE_FINAL_TYPE (CsFailuresWindow, cs_failures_window, CS, FAILURES_WINDOW, AdwWindow)

GtkWidget *cs_failures_window_new (GtkWindow *parent,
                                   GPtrArray *items);

G_END_DECLS
