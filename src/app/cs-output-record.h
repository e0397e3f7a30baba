/* cs-output-record.h: the thumbnails this app wrote beside images
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CS_TYPE_OUTPUT_RECORD (cs_output_record_get_type ())
G_DECLARE_FINAL_TYPE (CsOutputRecord, cs_output_record, CS, OUTPUT_RECORD, GObject)

CsOutputRecord *cs_output_record_new     (void);
void            cs_output_record_add     (CsOutputRecord *self,
                                          GFile          *source,
                                          const char     *output_path);
gboolean        cs_output_record_discard (CsOutputRecord *self,
                                          GFile          *source);

G_END_DECLS
