/* cs-output-record.c: the thumbnails this app wrote beside images
 *
 * A picture deleted from a folder takes its own "NAME.thumb.jpg" with it,
 * and nothing else: only a file this app wrote in this session, and only
 * if it is still the very file written (the same inode, size and time). A
 * file the person put there, or replaced ours with, is theirs. The beside
 * outputs carry no Thumb::URI key to check against, hence the record.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-output-record"

#include "config.h"

#include "cs-output-record.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

typedef struct
{
  char   *path;
  dev_t   dev;
  ino_t   ino;
  off_t   size;
  gint64  mtime_ns;
} Output;

struct _CsOutputRecord
{
  GObject     parent_instance;

  GHashTable *outputs;   /* source GFile -> Output */
};

G_DEFINE_FINAL_TYPE (CsOutputRecord, cs_output_record, G_TYPE_OBJECT)

static void
output_free (gpointer data)
{
  Output *output = data;

  g_free (output->path);
  g_free (output);
}

static gint64
mtime_ns (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
}

static gboolean
is_same_file (const Output      *output,
              const struct stat *st)
{
  return output->dev == st->st_dev && output->ino == st->st_ino &&
         output->size == st->st_size && output->mtime_ns == mtime_ns (st);
}

/**
 * cs_output_record_add:
 *
 * The thumbnail of @source was just written at @output_path: it is ours
 * as long as it stays as it is now.
 */
void
cs_output_record_add (CsOutputRecord *self,
                      GFile          *source,
                      const char     *output_path)
{
  struct stat st;
  Output *output;

  g_return_if_fail (CS_IS_OUTPUT_RECORD (self));
  g_return_if_fail (G_IS_FILE (source));
  g_return_if_fail (output_path != NULL);

  if (lstat (output_path, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_hash_table_remove (self->outputs, source);
      return;
    }

  output = g_new0 (Output, 1);
  output->path = g_strdup (output_path);
  output->dev = st.st_dev;
  output->ino = st.st_ino;
  output->size = st.st_size;
  output->mtime_ns = mtime_ns (&st);
  g_hash_table_replace (self->outputs, g_object_ref (source), output);
}

/**
 * cs_output_record_discard:
 *
 * @source is gone: its recorded thumbnail goes too, if it is still the
 * file written. Returns: whether a file was removed.
 */
gboolean
cs_output_record_discard (CsOutputRecord *self,
                          GFile          *source)
{
  Output *output;
  struct stat st;
  gboolean removed = FALSE;

  g_return_val_if_fail (CS_IS_OUTPUT_RECORD (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (source), FALSE);

  output = g_hash_table_lookup (self->outputs, source);
  if (output == NULL)
    return FALSE;

  /* A picture back under its name (moved away and back, saved again by
   * an editor that writes a new file) still owns its thumbnail. */
  if (!g_file_query_exists (source, NULL) &&
      lstat (output->path, &st) == 0 && is_same_file (output, &st))
    {
      if (g_unlink (output->path) == 0)
        removed = TRUE;
      else
        g_debug ("Cannot remove %s: %s", output->path, g_strerror (errno));
    }

  g_hash_table_remove (self->outputs, source);

  return removed;
}

static void
cs_output_record_finalize (GObject *object)
{
  CsOutputRecord *self = (CsOutputRecord *)object;

  g_hash_table_unref (self->outputs);

  G_OBJECT_CLASS (cs_output_record_parent_class)->finalize (object);
}

static void
cs_output_record_class_init (CsOutputRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cs_output_record_finalize;
}

static void
cs_output_record_init (CsOutputRecord *self)
{
  self->outputs = g_hash_table_new_full (g_file_hash, (GEqualFunc) g_file_equal,
                                         g_object_unref, output_free);
}

CsOutputRecord *
cs_output_record_new (void)
{
  return g_object_new (CS_TYPE_OUTPUT_RECORD, NULL);
}
