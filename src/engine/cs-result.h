/* cs-result.h: what one job produced, immutable once made
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

#define CS_TYPE_RESULT (cs_result_get_type ())

typedef struct _CsResult CsResult;

GType        cs_result_get_type          (void) G_GNUC_CONST;

CsResult    *cs_result_ref               (CsResult *self);
void         cs_result_unref             (CsResult *self);

GFile       *cs_result_get_file          (const CsResult *self);
const char  *cs_result_get_thumbnail_path (const CsResult *self);
guint64      cs_result_get_bytes_written (const CsResult *self);
int          cs_result_get_width         (const CsResult *self);
int          cs_result_get_height        (const CsResult *self);
int          cs_result_get_image_width   (const CsResult *self);
int          cs_result_get_image_height  (const CsResult *self);
double       cs_result_get_duration      (const CsResult *self);
gboolean     cs_result_get_reused        (const CsResult *self);
GdkPixbuf   *cs_result_get_pixbuf        (const CsResult *self);
const GError *cs_result_get_error        (const CsResult *self);
gboolean     cs_result_is_cancelled      (const CsResult *self);
gpointer     cs_result_get_tag           (const CsResult *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsResult, cs_result_unref)

G_END_DECLS
