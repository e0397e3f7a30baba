/* cs-scan.h: asynchronous folder enumeration
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CS_TYPE_SCAN (cs_scan_get_type ())
G_DECLARE_FINAL_TYPE (CsScan, cs_scan, CS, SCAN, GObject)

CsScan   *cs_scan_new          (GFile               *root,
                                gboolean             recursive);
GFile    *cs_scan_get_root     (CsScan              *self);
void      cs_scan_run_async    (CsScan              *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);
gboolean  cs_scan_run_finish   (CsScan              *self,
                                GAsyncResult        *result,
                                GError             **error);

G_END_DECLS
