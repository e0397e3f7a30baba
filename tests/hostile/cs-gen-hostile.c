/* cs-gen-hostile.c: writes the hostile corpus into a folder, for trying the
 * program (or another thumbnailer) on it by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "cs-hostile-corpus.h"

static const char *
expect_name (CsHostileExpect expect)
{
  switch (expect)
    {
    case CS_HOSTILE_OK:
      return "thumbnail";
    case CS_HOSTILE_FAIL:
      return "error";
    default:
      return "either";
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) corpus = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *private = NULL;
  g_autofree char *parent = NULL;
  CsHostileContext context;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s FOLDER\n"
                       "Writes the corpus into FOLDER and the files its SVGs try to reach\n"
                       "into FOLDER/../private. Prints one line per file: id, class,\n"
                       "expected outcome (beside, cache), time to write it, name.\n", argv[0]);
      return 2;
    }

  folder = g_canonicalize_filename (argv[1], NULL);
  parent = g_path_get_dirname (folder);
  private = g_build_filename (parent, "private", NULL);
  context.folder = folder;
  context.private = private;

  corpus = cs_hostile_corpus_new ();
  if (g_mkdir_with_parents (folder, 0755) != 0 ||
      !cs_hostile_write_private (private, &error))
    {
      fprintf (stderr, "%s: %s\n", folder, error ? error->message : g_strerror (errno));
      return 1;
    }

  for (guint i = 0; i < corpus->len; i++)
    {
      const CsHostileEntry *entry = g_ptr_array_index (corpus, i);
      gint64 start = g_get_monotonic_time ();

      if (!cs_hostile_write_entry (entry, &context, &error))
        {
          fprintf (stderr, "%s: %s\n", entry->spec->id, error->message);
          return 1;
        }

      printf ("%-22s %-18s %-9s %-9s %5" G_GINT64_FORMAT " ms  %s\n",
              entry->spec->id, entry->spec->kind,
              expect_name (entry->spec->expect), expect_name (entry->spec->expect_cache),
              (g_get_monotonic_time () - start) / 1000, entry->display);
    }

  return 0;
}
