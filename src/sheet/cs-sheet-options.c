/* cs-sheet-options.c: what a contact sheet looks like, and its parsers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-sheet"

#include "config.h"

#include "cs-sheet-options.h"

#include <glib/gi18n.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#define MIN_PAPER_MM 50.0
#define MAX_PAPER_MM 2000.0
#define MAX_GRID 50
#define MIN_DPI 36
#define MAX_DPI 1200

typedef struct
{
  const char *name;
  double      width_mm;
  double      height_mm;
} Paper;

static const Paper papers[] = {
  { "a4", 210, 297 },
  { "letter", 215.9, 279.4 },
  { "a3", 297, 420 },
  { "legal", 215.9, 355.6 },
};

CsSheetOptions *
cs_sheet_options_new (void)
{
  CsSheetOptions *options = g_new0 (CsSheetOptions, 1);

  cs_sheet_paper_from_locale (&options->paper_width_mm, &options->paper_height_mm);
  options->cell_mm = CS_SHEET_DEFAULT_CELL_MM;
  options->margin_mm = CS_SHEET_DEFAULT_MARGIN_MM;
  options->caption = g_strdup (CS_SHEET_DEFAULT_CAPTION);
  options->dpi = CS_SHEET_DEFAULT_DPI;

  return options;
}

CsSheetOptions *
cs_sheet_options_copy (const CsSheetOptions *options)
{
  CsSheetOptions *copy = g_memdup2 (options, sizeof *options);

  copy->caption = g_strdup (options->caption);
  copy->title = g_strdup (options->title);
  copy->footer = g_strdup (options->footer);

  return copy;
}

void
cs_sheet_options_free (CsSheetOptions *options)
{
  if (options == NULL)
    return;

  g_free (options->caption);
  g_free (options->title);
  g_free (options->footer);
  g_free (options);
}

void
cs_sheet_options_get_page_size_mm (const CsSheetOptions *options,
                                   double               *width_mm,
                                   double               *height_mm)
{
  double shorter = MIN (options->paper_width_mm, options->paper_height_mm);
  double longer = MAX (options->paper_width_mm, options->paper_height_mm);

  /* A paper given wider than tall (297x210mm) is already landscape. */
  *width_mm = options->landscape ? longer : options->paper_width_mm;
  *height_mm = options->landscape ? shorter : options->paper_height_mm;
}

const char *
cs_sheet_options_get_footer (const CsSheetOptions *options)
{
  if (options->footer != NULL)
    return options->footer;

  /* Translators: the default footer of a contact sheet's pages; keep the
   * words in braces as they are, they stand for numbers and a date. */
  return _("Page {page} of {pages} · {date}");
}

/* The paper the user's LC_PAPER names (glibc knows it per country: Letter
 * in the US and Canada, A4 nearly everywhere else); A4 elsewhere and in
 * the C locale. */
void
cs_sheet_paper_from_locale (double *width_mm,
                            double *height_mm)
{
  *width_mm = 210;
  *height_mm = 297;

#if HAVE_NL_PAPER
  {
    const char *locale = setlocale (LC_PAPER, NULL);
    unsigned int width, height;

    if (locale == NULL || g_str_equal (locale, "C") || g_str_equal (locale, "POSIX"))
      return;

    /* nl_langinfo returns these numbers in the pointer's bits. */
    width = (unsigned int) (guintptr) nl_langinfo (_NL_PAPER_WIDTH);
    height = (unsigned int) (guintptr) nl_langinfo (_NL_PAPER_HEIGHT);
    if (width >= MIN_PAPER_MM && width <= MAX_PAPER_MM &&
        height >= MIN_PAPER_MM && height <= MAX_PAPER_MM)
      {
        /* glibc rounds Letter to 216 x 279 mm; the real size prints better. */
        for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
          if (ABS (papers[i].width_mm - width) < 1 &&
              ABS (papers[i].height_mm - height) < 1)
            {
              *width_mm = papers[i].width_mm;
              *height_mm = papers[i].height_mm;
              return;
            }
        *width_mm = width;
        *height_mm = height;
      }
  }
#endif
}

static gboolean
parse_number (const char *text,
              double     *value)
{
  char *end = NULL;

  if (!g_ascii_isdigit (text[0]))
    return FALSE;
  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0';
}

gboolean
cs_sheet_parse_paper (const char  *text,
                      double      *width_mm,
                      double      *height_mm,
                      GError     **error)
{
  g_autofree char *lower = g_ascii_strdown (text, -1);
  g_auto(GStrv) parts = NULL;
  double width, height;

  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    if (g_str_equal (lower, papers[i].name))
      {
        *width_mm = papers[i].width_mm;
        *height_mm = papers[i].height_mm;
        return TRUE;
      }

  if (g_str_has_suffix (lower, "mm"))
    {
      lower[strlen (lower) - 2] = '\0';
      parts = g_strsplit (lower, "x", -1);
      if (g_strv_length (parts) == 2 &&
          parse_number (parts[0], &width) && parse_number (parts[1], &height) &&
          width >= MIN_PAPER_MM && width <= MAX_PAPER_MM &&
          height >= MIN_PAPER_MM && height <= MAX_PAPER_MM)
        {
          *width_mm = width;
          *height_mm = height;
          return TRUE;
        }
    }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("Invalid paper “%s”: use a4, letter, a3, legal or WIDTHxHEIGHTmm from 50 to 2000 mm"),
               text);
  return FALSE;
}

gboolean
cs_sheet_parse_grid (const char  *text,
                     guint       *columns,
                     guint       *rows,
                     GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, "x", -1);
  guint64 c, r;

  if (g_strv_length (parts) == 2 &&
      g_ascii_string_to_unsigned (parts[0], 10, 1, MAX_GRID, &c, NULL) &&
      g_ascii_string_to_unsigned (parts[1], 10, 1, MAX_GRID, &r, NULL))
    {
      *columns = c;
      *rows = r;
      return TRUE;
    }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("Invalid grid “%s”: use COLUMNSxROWS, each from 1 to %d"),
               text, MAX_GRID);
  return FALSE;
}

gboolean
cs_sheet_parse_dpi (const char  *text,
                    guint       *dpi,
                    GError     **error)
{
  guint64 value;

  if (g_ascii_string_to_unsigned (text, 10, MIN_DPI, MAX_DPI, &value, NULL))
    {
      *dpi = value;
      return TRUE;
    }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("Invalid resolution “%s”: use dots per inch from %d to %d"),
               text, MIN_DPI, MAX_DPI);
  return FALSE;
}
