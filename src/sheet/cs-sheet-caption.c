/* cs-sheet-caption.c: caption, title and footer templates
 *
 * A template is text with {tokens}; an unknown token stays as it is, so a
 * typo shows on the page instead of vanishing. A line break is a newline
 * or the two characters \n (what a shell passes for --caption='{name}\n{size}').
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-sheet"

#include "config.h"

#include "cs-sheet-caption.h"

#include <string.h>

typedef char *(*TokenFunc) (const char *token,
                            gpointer    user_data);

/* A template cut into its literal text and its expanded tokens. */
typedef struct
{
  char     *text;
  gboolean  token;
} Part;

static void
clear_part (Part *part)
{
  g_free (part->text);
}

/* Text between two tokens that only separates them (" · ", ", ", " | "):
 * it goes with a token that comes out empty, so that a picture without
 * dimensions reads "12 bytes", not " · 12 bytes". */
static gboolean
is_separator (const Part *part)
{
  const char *p;

  if (part->token)
    return FALSE;
  for (p = part->text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isspace (c) && strchr (",;:/|-", (int) c) == NULL &&
          c != 0x00B7 && c != 0x2022 && c != 0x2013 && c != 0x2014)  /* · • – — */
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_token_at (GArray *parts,
             guint   i)
{
  return i < parts->len && g_array_index (parts, Part, i).token;
}

static void
expand (GString    *out,
        const char *text,
        TokenFunc   func,
        gpointer    user_data)
{
  g_autoptr(GArray) parts = g_array_new (FALSE, FALSE, sizeof (Part));
  g_autoptr(GString) literal = g_string_new (NULL);
  g_autofree gboolean *dropped = NULL;

  g_array_set_clear_func (parts, (GDestroyNotify) clear_part);
  while (*text != '\0')
    {
      const char *close;

      if (*text == '{' && (close = strchr (text + 1, '}')) != NULL)
        {
          g_autofree char *token = g_strndup (text + 1, close - text - 1);
          char *value = func (token, user_data);

          if (value != NULL)
            {
              Part before = { g_strdup (literal->str), FALSE };
              Part part = { value, TRUE };

              if (literal->len > 0)
                g_array_append_val (parts, before);
              else
                g_free (before.text);
              g_string_truncate (literal, 0);
              g_array_append_val (parts, part);
              text = close + 1;
              continue;
            }
        }
      g_string_append_c (literal, *text++);
    }
  if (literal->len > 0)
    {
      Part last = { g_strdup (literal->str), FALSE };

      g_array_append_val (parts, last);
    }

  /* An empty token takes the separator before it, after a token; the
   * first one takes the separator after it, before a token. */
  dropped = g_new0 (gboolean, parts->len + 1);
  for (guint i = 0; i < parts->len; i++)
    {
      Part *part = &g_array_index (parts, Part, i);

      if (!part->token || part->text[0] != '\0')
        continue;
      if (i >= 2 && is_separator (&g_array_index (parts, Part, i - 1)) &&
          is_token_at (parts, i - 2) && !dropped[i - 1])
        dropped[i - 1] = TRUE;
      else if (is_token_at (parts, i + 2) && is_separator (&g_array_index (parts, Part, i + 1)))
        dropped[i + 1] = TRUE;
    }

  for (guint i = 0; i < parts->len; i++)
    if (!dropped[i])
      g_string_append (out, g_array_index (parts, Part, i).text);
}

static char **
split_lines (const char *template_text)
{
  g_autoptr(GString) text = g_string_new (template_text);

  g_string_replace (text, "\\n", "\n", 0);
  return g_strsplit (text->str, "\n", CS_SHEET_CAPTION_MAX_LINES + 1);
}

/* How many lines the template's captions have: at most three, the rest of
 * a longer template is dropped. */
guint
cs_sheet_caption_count_lines (const char *template_text)
{
  g_auto(GStrv) lines = NULL;

  if (template_text == NULL || template_text[0] == '\0')
    return 0;

  lines = split_lines (template_text);
  return MIN (g_strv_length (lines), CS_SHEET_CAPTION_MAX_LINES);
}

typedef struct
{
  CsSheetEntry *entry;
  guint         index;
} CaptionData;

static char *
caption_token (const char *token,
               gpointer    user_data)
{
  CaptionData *data = user_data;
  CsSheetEntry *entry = data->entry;

  if (g_str_equal (token, "name"))
    return g_strdup (cs_sheet_entry_get_display_name (entry));
  if (g_str_equal (token, "index"))
    return g_strdup_printf ("%u", data->index);
  if (g_str_equal (token, "size"))
    return g_format_size (cs_sheet_entry_get_size (entry));
  if (g_str_equal (token, "dims"))
    {
      int width = cs_sheet_entry_get_image_width (entry);
      int height = cs_sheet_entry_get_image_height (entry);

      return width > 0 && height > 0 ? g_strdup_printf ("%d × %d", width, height) : g_strdup ("");
    }
  if (g_str_equal (token, "date"))
    {
      char *date = cs_sheet_entry_dup_date (entry);

      return date != NULL ? date : g_strdup ("");
    }
  if (g_str_equal (token, "exposure"))
    return g_strdup (cs_sheet_entry_get_exposure (entry) != NULL
                     ? cs_sheet_entry_get_exposure (entry) : "");

  return NULL;
}

/* The caption of @entry, the @index'th picture (from 1), as at most
 * three lines. */
char **
cs_sheet_caption_expand (const char   *template_text,
                         CsSheetEntry *entry,
                         guint         index)
{
  g_auto(GStrv) lines = NULL;
  GPtrArray *result = g_ptr_array_new ();
  CaptionData data = { entry, index };

  g_return_val_if_fail (entry != NULL, NULL);

  if (template_text != NULL && template_text[0] != '\0')
    {
      lines = split_lines (template_text);
      for (guint i = 0; lines[i] != NULL && i < CS_SHEET_CAPTION_MAX_LINES; i++)
        {
          GString *line = g_string_new (NULL);

          expand (line, lines[i], caption_token, &data);
          g_ptr_array_add (result, g_string_free (line, FALSE));
        }
    }

  g_ptr_array_add (result, NULL);
  return (char **) g_ptr_array_free (result, FALSE);
}

typedef struct
{
  guint       page;
  guint       n_pages;
  const char *date;
  const char *folder;
} PageData;

static char *
page_token (const char *token,
            gpointer    user_data)
{
  PageData *data = user_data;

  if (g_str_equal (token, "page"))
    return g_strdup_printf ("%u", data->page);
  if (g_str_equal (token, "pages"))
    return g_strdup_printf ("%u", data->n_pages);
  if (g_str_equal (token, "date"))
    return g_strdup (data->date != NULL ? data->date : "");
  if (g_str_equal (token, "folder"))
    return g_strdup (data->folder != NULL ? data->folder : "");

  return NULL;
}

/* A title or footer for page @page (from 1) of @n_pages; one line. */
char *
cs_sheet_page_text_expand (const char *template_text,
                           guint       page,
                           guint       n_pages,
                           const char *date,
                           const char *folder)
{
  GString *text = g_string_new (NULL);
  PageData data = { page, n_pages, date, folder };

  if (template_text != NULL)
    expand (text, template_text, page_token, &data);
  g_strdelimit (text->str, "\n", ' ');

  return g_string_free (text, FALSE);
}
