/* cs-sheet-entry.c: one picture's facts for a contact sheet's cell
 *
 * Only facts: the thumbnail stays on disk until its page is drawn, so a
 * sheet of 10,000 pictures holds 10,000 names, not 10,000 images.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-sheet"

#include "config.h"

#include "cs-sheet-entry.h"

#include "cs-exif.h"

struct _CsSheetEntry
{
  gatomicrefcount  ref_count;
  GFile           *file;
  char            *name;
  char            *collate_key;
  char            *thumbnail_path;
  int              width;
  int              height;
  goffset          size;
  gint64           mtime;
  char            *exif_date;      /* "YYYY:MM:DD HH:MM:SS" */
  char            *exposure;
  char            *error;
};

CsSheetEntry *
cs_sheet_entry_new (GFile *file)
{
  CsSheetEntry *self;
  g_autofree char *basename = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_new0 (CsSheetEntry, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->file = g_object_ref (file);
  basename = g_file_get_basename (file);
  cs_sheet_entry_set_display_name (self, basename != NULL ? basename : "");

  return self;
}

/* The cell of a thumbnailer's @result: its thumbnail and the picture's
 * size, or why it has none. */
CsSheetEntry *
cs_sheet_entry_new_for_result (const CsResult *result)
{
  CsSheetEntry *self = cs_sheet_entry_new (cs_result_get_file (result));
  const GError *error = cs_result_get_error (result);

  if (error != NULL)
    cs_sheet_entry_set_error (self, error->message);
  else
    {
      cs_sheet_entry_set_thumbnail (self, cs_result_get_thumbnail_path (result));
      cs_sheet_entry_set_image_size (self, cs_result_get_image_width (result),
                                     cs_result_get_image_height (result));
    }

  return self;
}

CsSheetEntry *
cs_sheet_entry_ref (CsSheetEntry *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cs_sheet_entry_unref (CsSheetEntry *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_object_unref (self->file);
  g_free (self->name);
  g_free (self->collate_key);
  g_free (self->thumbnail_path);
  g_free (self->exif_date);
  g_free (self->exposure);
  g_free (self->error);
  g_free (self);
}

void
cs_sheet_entry_set_thumbnail (CsSheetEntry *self,
                              const char   *thumbnail_path)
{
  g_free (self->thumbnail_path);
  self->thumbnail_path = g_strdup (thumbnail_path);
}

void
cs_sheet_entry_set_image_size (CsSheetEntry *self,
                               int           width,
                               int           height)
{
  self->width = MAX (width, 0);
  self->height = MAX (height, 0);
}

void
cs_sheet_entry_set_error (CsSheetEntry *self,
                          const char   *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
}

/* File names need not be UTF-8: the name shown is, and sorts as the grid
 * sorts (numbers in names by value). */
void
cs_sheet_entry_set_display_name (CsSheetEntry *self,
                                 const char   *name)
{
  g_free (self->name);
  g_free (self->collate_key);
  self->name = g_filename_display_name (name);
  self->collate_key = g_utf8_collate_key_for_filename (self->name, -1);
}

void
cs_sheet_entry_set_file_facts (CsSheetEntry *self,
                               goffset       size,
                               gint64        mtime)
{
  self->size = size;
  self->mtime = mtime;
}

void
cs_sheet_entry_set_exif (CsSheetEntry *self,
                         const char   *date_time_original,
                         const char   *exposure)
{
  g_free (self->exif_date);
  g_free (self->exposure);
  self->exif_date = g_strdup (date_time_original);
  self->exposure = g_strdup (exposure);
}

static char *
format_exposure (const CsExifFacts *facts)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (facts->exposure_den != 0)
    {
      if (facts->exposure_num < facts->exposure_den)
        g_string_append_printf (text, "1/%u s",
                                (guint) ((facts->exposure_den + facts->exposure_num / 2) / facts->exposure_num));
      else
        g_string_append_printf (text, "%g s", (double) facts->exposure_num / facts->exposure_den);
    }
  if (facts->f_number_den != 0)
    g_string_append_printf (text, "%sƒ/%.1f", text->len > 0 ? "  " : "",
                            (double) facts->f_number_num / facts->f_number_den);
  if (facts->iso != 0)
    g_string_append_printf (text, "%sISO %u", text->len > 0 ? "  " : "", facts->iso);

  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

/* The file's size and time, and for a JPEG the EXIF date and exposure.
 * Nothing here decodes the picture: that is the confined helper's work, and
 * its dimensions come with the thumbnail. The EXIF reader is the engine's
 * bounds-checked one. Blocking I/O: call it off the UI thread.
 * Returns FALSE only when the file cannot be queried at all. */
gboolean
cs_sheet_entry_read_facts (CsSheetEntry *self,
                           GCancellable *cancellable)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *path = NULL;
  CsExifFacts facts;

  info = g_file_query_info (self->file,
                            G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_TIME_MODIFIED,
                            G_FILE_QUERY_INFO_NONE, cancellable, NULL);
  if (info == NULL)
    return FALSE;

  cs_sheet_entry_set_file_facts (self, g_file_info_get_size (info),
                                 g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED));

  path = g_file_get_path (self->file);
  if (path == NULL || self->error != NULL)
    return TRUE;

  if (cs_exif_facts_read_jpeg (path, &facts))
    {
      g_autofree char *exposure = format_exposure (&facts);

      cs_sheet_entry_set_exif (self, facts.date_time_original, exposure);
      cs_exif_facts_clear (&facts);
    }

  return TRUE;
}

GFile *
cs_sheet_entry_get_file (CsSheetEntry *self)
{
  return self->file;
}

const char *
cs_sheet_entry_get_display_name (CsSheetEntry *self)
{
  return self->name;
}

const char *
cs_sheet_entry_get_thumbnail_path (CsSheetEntry *self)
{
  return self->thumbnail_path;
}

int
cs_sheet_entry_get_image_width (CsSheetEntry *self)
{
  return self->width;
}

int
cs_sheet_entry_get_image_height (CsSheetEntry *self)
{
  return self->height;
}

goffset
cs_sheet_entry_get_size (CsSheetEntry *self)
{
  return self->size;
}

gint64
cs_sheet_entry_get_mtime (CsSheetEntry *self)
{
  return self->mtime;
}

/* The picture's date as "YYYY-MM-DD HH:MM": EXIF's DateTimeOriginal (the
 * camera's local time, shown as it is), else the file's time here; NULL
 * when neither is known. */
char *
cs_sheet_entry_dup_date (CsSheetEntry *self)
{
  g_autoptr(GDateTime) local = NULL;

  if (self->exif_date != NULL)
    return g_strdup_printf ("%.4s-%.2s-%.2s %.5s", self->exif_date, self->exif_date + 5,
                            self->exif_date + 8, self->exif_date + 11);

  if (self->mtime <= 0)
    return NULL;

  local = g_date_time_new_from_unix_local (self->mtime);
  return local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M") : NULL;
}

const char *
cs_sheet_entry_get_exposure (CsSheetEntry *self)
{
  return self->exposure;
}

const char *
cs_sheet_entry_get_error (CsSheetEntry *self)
{
  return self->error;
}

const char *
cs_sheet_entry_get_collate_key (CsSheetEntry *self)
{
  return self->collate_key;
}
