/* cs-trash.c: files to the trash, and back again
 *
 * Moving to the trash is g_file_trash(). GIO has no call that undoes it:
 * the file moved away is found again by the path it had, which the trash
 * records. Through trash:/// (GVfs) that is each entry's trash::orig-path,
 * for every trash the desktop knows; where there is no GVfs, the home
 * trash's own records are read as the freedesktop Trash specification
 * lays them out ($XDG_DATA_HOME/Trash/info/NAME.trashinfo for
 * files/NAME), which is where g_file_trash() puts the files of the home
 * file system. The newest entry of a path is the one restored.
 *
 * Both run in a thread: the trash is a folder like any other, on a disk
 * that may be slow.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-trash"

#include "config.h"

#include "cs-trash.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

typedef struct
{
  GPtrArray *done;
  GError    *error;   /* the first failure; the others were alike */
} Outcome;

static void
outcome_free (Outcome *outcome)
{
  g_clear_pointer (&outcome->done, g_ptr_array_unref);
  g_clear_error (&outcome->error);
  g_free (outcome);
}

static Outcome *
outcome_new (void)
{
  Outcome *outcome = g_new0 (Outcome, 1);

  outcome->done = g_ptr_array_new_with_free_func (g_object_unref);
  return outcome;
}

static GPtrArray *
copy_files (GPtrArray *files)
{
  GPtrArray *copy = g_ptr_array_new_full (files->len, g_object_unref);

  for (guint i = 0; i < files->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (files, i)));

  return copy;
}

static void
return_outcome (GTask   *task,
                Outcome *outcome)
{
  g_task_return_pointer (task, outcome, (GDestroyNotify) outcome_free);
}

/* Whatever happened, what was done; @error says what was not. */
static GPtrArray *
propagate_outcome (GAsyncResult  *result,
                   GError       **error)
{
  Outcome *outcome = g_task_propagate_pointer (G_TASK (result), error);
  GPtrArray *done;

  if (outcome == NULL)
    return g_ptr_array_new_with_free_func (g_object_unref);

  done = g_steal_pointer (&outcome->done);
  if (outcome->error != NULL)
    g_propagate_error (error, g_steal_pointer (&outcome->error));
  outcome_free (outcome);

  return done;
}

/* To the trash */

static gboolean restore_one (GFile         *file,
                             GCancellable  *cancellable,
                             GError       **error);

/* One step a file, in a thread, going on past a file it fails on. */
typedef gboolean (*FileStep) (GFile         *file,
                              GCancellable  *cancellable,
                              GError       **error);

typedef struct
{
  GPtrArray *files;
  FileStep   step;
} Work;

static void
work_free (Work *work)
{
  g_ptr_array_unref (work->files);
  g_free (work);
}

static void
each_file_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Work *work = task_data;
  Outcome *outcome = outcome_new ();

  for (guint i = 0; i < work->files->len; i++)
    {
      GFile *file = g_ptr_array_index (work->files, i);
      g_autoptr(GError) error = NULL;

      if (work->step (file, cancellable, &error))
        g_ptr_array_add (outcome->done, g_object_ref (file));
      else if (outcome->error == NULL)
        outcome->error = g_steal_pointer (&error);
    }

  return_outcome (task, outcome);
}

static void
run_each_file (GPtrArray           *files,
               FileStep             step,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Work *work = g_new0 (Work, 1);

  work->files = copy_files (files);
  work->step = step;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, work, (GDestroyNotify) work_free);
  g_task_run_in_thread (task, each_file_thread);
}


/**
 * cs_trash_files_async:
 * @files: (element-type GFile): what to move to the trash
 *
 * Moves each of @files to the trash, going on past one that cannot go.
 */
void
cs_trash_files_async (GPtrArray           *files,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  run_each_file (files, g_file_trash, cs_trash_files_async, cancellable, callback, user_data);
}

/**
 * cs_trash_files_finish:
 *
 * Returns: (transfer container) (element-type GFile): the files now in
 * the trash, never %NULL; @error is set when some were not moved.
 */
GPtrArray *
cs_trash_files_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return propagate_outcome (result, error);
}

/* Back from the trash */

/* The newest of trash:///'s entries that was @path; NULL, with @error
 * set to G_IO_ERROR_NOT_SUPPORTED where there is no trash:/// at all. */
static GFile *
find_in_trash_vfs (const char    *path,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GFile) trash = g_file_new_for_uri ("trash:///");
  g_autoptr(GFileEnumerator) children = NULL;
  g_autofree char *newest_date = NULL;
  GFile *newest = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (trash,
                                        G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_TRASH_ORIG_PATH ","
                                        G_FILE_ATTRIBUTE_TRASH_DELETION_DATE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, error);
  if (children == NULL)
    return NULL;

  while ((info = g_file_enumerator_next_file (children, cancellable, NULL)) != NULL)
    {
      const char *orig_path = g_file_info_get_attribute_byte_string (info, G_FILE_ATTRIBUTE_TRASH_ORIG_PATH);
      const char *date = g_file_info_get_attribute_string (info, G_FILE_ATTRIBUTE_TRASH_DELETION_DATE);

      /* The dates are ISO 8601, which sort as strings. */
      if (g_strcmp0 (orig_path, path) == 0 && (newest == NULL || g_strcmp0 (date, newest_date) > 0))
        {
          g_clear_object (&newest);
          newest = g_file_get_child (trash, g_file_info_get_name (info));
          g_free (newest_date);
          newest_date = g_strdup (date);
        }
      g_object_unref (info);
    }

  return newest;
}

/* The same from the home trash's own records: the trashed file, and its
 * record in @info_path. */
static GFile *
find_in_home_trash (const char    *path,
                    char         **info_path,
                    GCancellable  *cancellable)
{
  g_autofree char *trash = g_build_filename (g_get_user_data_dir (), "Trash", NULL);
  g_autofree char *info_dir = g_build_filename (trash, "info", NULL);
  g_autoptr(GDir) dir = g_dir_open (info_dir, 0, NULL);
  g_autofree char *newest_date = NULL;
  g_autofree char *newest_name = NULL;
  const char *name;

  if (dir == NULL)
    return NULL;

  while ((name = g_dir_read_name (dir)) != NULL && !g_cancellable_is_cancelled (cancellable))
    {
      g_autoptr(GKeyFile) record = g_key_file_new ();
      g_autofree char *record_path = g_build_filename (info_dir, name, NULL);
      g_autofree char *escaped = NULL;
      g_autofree char *orig_path = NULL;
      g_autofree char *date = NULL;

      if (!g_str_has_suffix (name, ".trashinfo") ||
          !g_key_file_load_from_file (record, record_path, G_KEY_FILE_NONE, NULL))
        continue;

      escaped = g_key_file_get_string (record, "Trash Info", "Path", NULL);
      date = g_key_file_get_string (record, "Trash Info", "DeletionDate", NULL);
      orig_path = escaped ? g_uri_unescape_string (escaped, NULL) : NULL;
      if (g_strcmp0 (orig_path, path) == 0 &&
          (newest_name == NULL || g_strcmp0 (date, newest_date) > 0))
        {
          g_free (newest_name);
          newest_name = g_strndup (name, strlen (name) - strlen (".trashinfo"));
          g_free (newest_date);
          newest_date = g_steal_pointer (&date);
        }
    }

  if (newest_name == NULL)
    return NULL;

  {
    g_autofree char *trashed = g_build_filename (trash, "files", newest_name, NULL);

    *info_path = g_strconcat (info_dir, G_DIR_SEPARATOR_S, newest_name, ".trashinfo", NULL);
    return g_file_new_for_path (trashed);
  }
}

static gboolean
restore_one (GFile         *file,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *info_path = NULL;
  g_autoptr(GFile) trashed = NULL;
  g_autoptr(GError) vfs_error = NULL;

  trashed = find_in_trash_vfs (path, cancellable, &vfs_error);
  if (trashed == NULL && g_error_matches (vfs_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    trashed = find_in_home_trash (path, &info_path, cancellable);

  if (trashed == NULL)
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *display = g_filename_display_name (name);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("“%s” is no longer in the Trash"), display);
      return FALSE;
    }

  /* Never over a file that took its place meanwhile. */
  if (!g_file_move (trashed, file, G_FILE_COPY_NOFOLLOW_SYMLINKS | G_FILE_COPY_ALL_METADATA,
                    cancellable, NULL, NULL, error))
    return FALSE;

  /* GVfs drops its record itself; the home trash's is ours to drop. */
  if (info_path != NULL)
    g_unlink (info_path);

  return TRUE;
}

/**
 * cs_trash_restore_async:
 * @files: (element-type GFile): files moved to the trash, by the paths
 *   they had
 *
 * Puts each of @files back where it was.
 */
void
cs_trash_restore_async (GPtrArray           *files,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  run_each_file (files, restore_one, cs_trash_restore_async, cancellable, callback, user_data);
}

/**
 * cs_trash_restore_finish:
 *
 * Returns: (transfer container) (element-type GFile): the files back in
 * place, never %NULL; @error is set when some could not be.
 */
GPtrArray *
cs_trash_restore_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return propagate_outcome (result, error);
}
