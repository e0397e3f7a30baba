/* cs-candidate.c: which files of a folder are offered to the thumbnailer
 *
 * The folder scan and the folder monitor both ask cs_is_candidate(), so
 * that what a folder shows does not depend on how a file arrived: a name
 * of a format we read is enough; a file whose name is none is read, 256
 * bytes at most (cs-sniff.c), and offered when those bytes start like a
 * picture an installed decoder reads, or a video when the video decoder
 * is built.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-candidate"

#include "config.h"

#include "cs-candidate.h"

#include <errno.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "cs-sniff.h"
#include "cs-thumbnailer.h"

static gpointer
collect_types (gpointer data)
{
  GHashTable *types = g_hash_table_new (g_str_hash, g_str_equal);
  GSList *formats = gdk_pixbuf_get_formats ();

  /* Our direct decoders' formats, whichever loaders there are. */
  g_hash_table_add (types, (gpointer) g_intern_static_string ("image/jpeg"));
  g_hash_table_add (types, (gpointer) g_intern_static_string ("image/png"));
  g_hash_table_add (types, (gpointer) g_intern_static_string ("image/webp"));

  for (GSList *l = formats; l != NULL; l = l->next)
    {
      g_auto(GStrv) mime_types = NULL;

      if (gdk_pixbuf_format_is_disabled (l->data))
        continue;

      mime_types = gdk_pixbuf_format_get_mime_types (l->data);
      for (guint i = 0; mime_types != NULL && mime_types[i] != NULL; i++)
        g_hash_table_add (types, (gpointer) g_intern_string (mime_types[i]));
    }

  g_slist_free (formats);

  return types;
}

/* Whether an installed decoder reads @mime_type: as with names, a HEIC
 * is offered only where a loader for it is installed. */
static gboolean
is_readable_type (const char *mime_type)
{
  static GOnce once = G_ONCE_INIT;
  GHashTable *types = g_once (&once, collect_types, NULL);

  if (g_str_has_prefix (mime_type, "video/"))
    return HAVE_GSTREAMER;

  return g_hash_table_contains (types, mime_type) ||
         /* GdkPixbuf's ICO loader calls it image/x-icon first. */
         (g_str_equal (mime_type, "image/vnd.microsoft.icon") &&
          g_hash_table_contains (types, "image/x-icon"));
}

/**
 * cs_is_candidate:
 * @file: a file in a folder being shown
 * @info: its CS_CANDIDATE_ATTRIBUTES
 *
 * Whether the folder's scan or monitor should offer @file to the
 * thumbnailer: not hidden, not one of our own thumbnails, and either named
 * like a format we read (a FIFO or a folder so named too, for the
 * thumbnailer to refuse with its reason) or a regular file, not a link,
 * whose first bytes are a picture's. A sniffed file gets its type in
 * @info's CS_CANDIDATE_ATTRIBUTE_TYPE. A file that cannot be read cannot be
 * sniffed: it is offered, and the thumbnailer says why it has no
 * thumbnail, rather than hiding what may be a picture.
 *
 * May read the file: call it from a worker thread.
 */
gboolean
cs_is_candidate (GFile     *file,
                 GFileInfo *info)
{
  const char *name = g_file_info_get_name (info);
  const char *path = g_file_peek_path (file);
  const char *type;
  int error_number;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (G_IS_FILE_INFO (info), FALSE);

  if (name == NULL || name[0] == '.' || g_file_info_get_is_hidden (info) ||
      cs_is_thumbnail_name (name))
    return FALSE;

  if (cs_is_image_name (name))
    return TRUE;

  if (path == NULL || g_file_info_get_is_symlink (info) ||
      g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    return FALSE;

  type = cs_sniff_path (path, &error_number);
  if (type == NULL)
    return error_number == EACCES || error_number == EPERM;

  if (!is_readable_type (type))
    return FALSE;

  /* The enumerator's mask would drop an attribute it was not asked for. */
  g_file_info_unset_attribute_mask (info);
  g_file_info_set_attribute_string (info, CS_CANDIDATE_ATTRIBUTE_TYPE, type);
  return TRUE;
}
