/* cs-sheet-entry.h: one picture's facts for a contact sheet's cell
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-result.h"

G_BEGIN_DECLS

typedef struct _CsSheetEntry CsSheetEntry;

CsSheetEntry *cs_sheet_entry_new                (GFile         *file);
CsSheetEntry *cs_sheet_entry_new_for_result     (const CsResult *result);
CsSheetEntry *cs_sheet_entry_ref                (CsSheetEntry  *self);
void          cs_sheet_entry_unref              (CsSheetEntry  *self);

void          cs_sheet_entry_set_thumbnail      (CsSheetEntry  *self,
                                                 const char    *thumbnail_path);
void          cs_sheet_entry_set_image_size     (CsSheetEntry  *self,
                                                 int            width,
                                                 int            height);
void          cs_sheet_entry_set_error          (CsSheetEntry  *self,
                                                 const char    *message);
void          cs_sheet_entry_set_display_name   (CsSheetEntry  *self,
                                                 const char    *name);
void          cs_sheet_entry_set_file_facts     (CsSheetEntry  *self,
                                                 goffset        size,
                                                 gint64         mtime);
void          cs_sheet_entry_set_exif           (CsSheetEntry  *self,
                                                 const char    *date_time_original,
                                                 const char    *exposure);
gboolean      cs_sheet_entry_read_facts         (CsSheetEntry  *self,
                                                 GCancellable  *cancellable);

GFile        *cs_sheet_entry_get_file           (CsSheetEntry  *self);
const char   *cs_sheet_entry_get_display_name   (CsSheetEntry  *self);
const char   *cs_sheet_entry_get_thumbnail_path (CsSheetEntry  *self);
int           cs_sheet_entry_get_image_width    (CsSheetEntry  *self);
int           cs_sheet_entry_get_image_height   (CsSheetEntry  *self);
goffset       cs_sheet_entry_get_size           (CsSheetEntry  *self);
gint64        cs_sheet_entry_get_mtime          (CsSheetEntry  *self);
char         *cs_sheet_entry_dup_date           (CsSheetEntry  *self);
const char   *cs_sheet_entry_get_exposure       (CsSheetEntry  *self);
const char   *cs_sheet_entry_get_error          (CsSheetEntry  *self);
const char   *cs_sheet_entry_get_collate_key    (CsSheetEntry  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsSheetEntry, cs_sheet_entry_unref)

G_END_DECLS
