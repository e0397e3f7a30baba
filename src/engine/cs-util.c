/* cs-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-util"

#include "config.h"

#include "cs-util.h"

/* Makes @text fit on one line of a terminal or a label: control characters
 * (a newline in a file name, an escape sequence) are shown, not obeyed. */
char *
cs_escape_line (const char *text)
{
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_sized_new (strlen (text));

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '\t')
        g_string_append (out, "\\t");
      else if (*p == '\r')
        g_string_append (out, "\\r");
      else if (*p < 0x20 || *p == 0x7f)
        g_string_append_printf (out, "\\x%02x", *p);
      else
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

/* A path for messages: valid UTF-8 (undecodable bytes become U+FFFD, as
 * g_filename_display_name() does) and on one line. */
char *
cs_describe_file (GFile *file)
{
  g_autofree char *display = NULL;
  const char *path;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  path = g_file_peek_path (file);
  if (path != NULL)
    display = g_filename_display_name (path);
  else
    display = g_file_get_uri (file);

  return cs_escape_line (display);
}
