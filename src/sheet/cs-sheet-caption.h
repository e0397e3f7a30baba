/* cs-sheet-caption.h: caption, title and footer templates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "cs-sheet-entry.h"

G_BEGIN_DECLS

#define CS_SHEET_CAPTION_MAX_LINES 3

guint   cs_sheet_caption_count_lines (const char   *template_text);
char  **cs_sheet_caption_expand      (const char   *template_text,
                                      CsSheetEntry *entry,
                                      guint         index);
char   *cs_sheet_page_text_expand    (const char   *template_text,
                                      guint         page,
                                      guint         n_pages,
                                      const char   *date,
                                      const char   *folder);

G_END_DECLS
