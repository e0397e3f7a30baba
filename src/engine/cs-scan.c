/* cs-scan.c: asynchronous folder enumeration feeding a batch as it goes
 *
 * Emits "found" for each file cs_is_candidate() takes: named like an image,
 * or starting like one (the thumbnailer sniffs the content again later), in
 * the order the folder lists them, in bursts, without ever blocking the main
 * loop: the folder is listed, and files without an image's name are read,
 * in a worker thread. Hidden files are skipped.
 * With recursion, a symbolic link that leads back to a folder being scanned
 * is reported through "problem" instead of being followed forever.
 * Without it, each sub-folder is reported through "folder", for whoever
 * shows them to be entered.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-scan"

#include "config.h"

#include "cs-scan.h"

#include <glib/gi18n-lib.h>

#include "cs-candidate.h"

#define ATTRIBUTES \
  CS_CANDIDATE_ATTRIBUTES "," \
  G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME "," \
  G_FILE_ATTRIBUTE_STANDARD_SIZE "," \
  G_FILE_ATTRIBUTE_TIME_MODIFIED "," \
  G_FILE_ATTRIBUTE_UNIX_DEVICE "," \
  G_FILE_ATTRIBUTE_UNIX_INODE

#define FILES_PER_REQUEST 128

typedef struct _Folder Folder;

struct _Folder
{
  GFile   *file;
  char    *relative;
  guint32  device;
  guint64  inode;
  Folder  *parent;   /* for loop detection: the chain up to the root */
};

struct _CsScan
{
  GObject          parent_instance;

  GFile           *root;
  gboolean         recursive;
  guint            n_found;

  /* While running */
  GTask           *task;
  GQueue           pending;   /* Folder*, not yet listed */
  GPtrArray       *folders;   /* every Folder, owned */
  GHashTable      *visited;   /* "device:inode" */
  Folder          *current;
  GFileEnumerator *enumerator;
};

G_DEFINE_FINAL_TYPE (CsScan, cs_scan, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ROOT,
  PROP_RECURSIVE,
  N_PROPS
};

enum {
  FOUND,
  FOLDER,
  PROBLEM,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* A file listed, as the worker saw it. */
typedef struct
{
  GFileInfo *info;
  GFile     *child;
  gboolean   candidate;
} Entry;

static void
entry_free (Entry *entry)
{
  g_clear_object (&entry->info);
  g_clear_object (&entry->child);
  g_free (entry);
}

static void
folder_free (Folder *folder)
{
  g_clear_object (&folder->file);
  g_free (folder->relative);
  g_free (folder);
}

static void list_next_folder (CsScan *self);

static void
reset_run_state (CsScan *self)
{
  g_queue_clear (&self->pending);
  g_clear_pointer (&self->folders, g_ptr_array_unref);
  g_clear_pointer (&self->visited, g_hash_table_unref);
  g_clear_object (&self->enumerator);
  self->current = NULL;
}

static void
complete (CsScan *self,
          GError *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  reset_run_state (self);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
visit (CsScan  *self,
       guint32  device,
       guint64  inode)
{
  char *key = g_strdup_printf ("%u:%" G_GUINT64_FORMAT, device, inode);

  /* add() returns FALSE when the key was there already. */
  return g_hash_table_add (self->visited, key);
}

static Folder *
folder_new (CsScan     *self,
            GFile      *file,
            const char *relative,
            GFileInfo  *info,
            Folder     *parent)
{
  Folder *folder = g_new0 (Folder, 1);

  folder->file = g_object_ref (file);
  folder->relative = g_strdup (relative);
  folder->parent = parent;
  if (info != NULL)
    {
      folder->device = g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_DEVICE);
      folder->inode = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_UNIX_INODE);
    }
  g_ptr_array_add (self->folders, folder);

  return folder;
}

static gboolean
is_ancestor (Folder  *folder,
             guint32  device,
             guint64  inode)
{
  for (; folder != NULL; folder = folder->parent)
    if (folder->device == device && folder->inode == inode)
      return TRUE;

  return FALSE;
}

static void
handle_subfolder (CsScan    *self,
                  GFile     *child,
                  GFileInfo *info)
{
  guint32 device = g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_DEVICE);
  guint64 inode = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_UNIX_INODE);
  g_autofree char *relative = NULL;

  if (is_ancestor (self->current, device, inode))
    {
      g_autoptr(GError) error =
        g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS,
                             _("Symbolic link loop: leads back to a folder being scanned; not followed"));

      g_signal_emit (self, signals[PROBLEM], 0, child, error);
      return;
    }

  /* Reached twice through links, but no loop: list it once. */
  if (!visit (self, device, inode))
    return;

  relative = self->current->relative[0] != '\0'
    ? g_build_filename (self->current->relative, g_file_info_get_name (info), NULL)
    : g_strdup (g_file_info_get_name (info));

  g_queue_push_tail (&self->pending,
                     folder_new (self, child, relative, info, self->current));
}

/* What the worker found in one go: up to FILES_PER_REQUEST entries, and
 * why it stopped early, if it did. */
typedef struct
{
  GPtrArray *entries;  /* Entry* */
  GError    *error;
  gboolean   end;
} Batch;

static void
batch_free (Batch *batch)
{
  g_ptr_array_unref (batch->entries);
  g_clear_error (&batch->error);
  g_free (batch);
}

/* In a worker: the folder's next files, hidden ones left out, each told
 * whether it is offered, for which a file without an image's name is read
 * (see cs_is_candidate()). */
static void
next_files_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GFileEnumerator *enumerator = task_data;
  Batch *batch = g_new0 (Batch, 1);

  batch->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  while (batch->entries->len < FILES_PER_REQUEST)
    {
      g_autoptr(GFileInfo) info = g_file_enumerator_next_file (enumerator, cancellable,
                                                               &batch->error);
      const char *name;
      Entry *entry;

      if (info == NULL)
        {
          batch->end = batch->error == NULL;
          break;
        }

      name = g_file_info_get_name (info);
      if (g_file_info_get_is_hidden (info) || name[0] == '.')
        continue;

      entry = g_new0 (Entry, 1);
      entry->info = g_steal_pointer (&info);
      entry->child = g_file_enumerator_get_child (enumerator, entry->info);
      entry->candidate = cs_is_candidate (entry->child, entry->info);
      g_ptr_array_add (batch->entries, entry);
    }

  if (g_task_return_error_if_cancelled (task))
    batch_free (batch);
  else
    g_task_return_pointer (task, batch, (GDestroyNotify) batch_free);
}

static void on_next_files (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data);

static void
request_next_files (CsScan *self)
{
  g_autoptr(GTask) task = g_task_new (self, g_task_get_cancellable (self->task),
                                      on_next_files, NULL);

  g_task_set_source_tag (task, request_next_files);
  g_task_set_task_data (task, g_object_ref (self->enumerator), g_object_unref);
  g_task_run_in_thread (task, next_files_thread);
}

static void
on_next_files (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  CsScan *self = CS_SCAN (object);
  g_autoptr(GError) error = NULL;
  Batch *batch;

  batch = g_task_propagate_pointer (G_TASK (result), &error);
  if (batch == NULL)
    {
      complete (self, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < batch->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (batch->entries, i);

      if (g_file_info_get_file_type (entry->info) == G_FILE_TYPE_DIRECTORY)
        {
          if (self->recursive)
            {
              handle_subfolder (self, entry->child, entry->info);
              continue;
            }
          g_signal_emit (self, signals[FOLDER], 0, entry->child, entry->info);
        }

      /* Anything else with an image's name goes on, FIFOs and folders named
       * "x.jpg" too: the thumbnailer refuses them with a clear reason. */
      if (entry->candidate)
        {
          self->n_found++;
          g_signal_emit (self, signals[FOUND], 0, entry->child, self->current->relative,
                         entry->info);
        }
    }

  /* A folder that fails midway is one problem; what it listed stays. */
  if (batch->error != NULL)
    g_signal_emit (self, signals[PROBLEM], 0, self->current->file, batch->error);

  if (batch->end || batch->error != NULL)
    {
      g_clear_object (&self->enumerator);
      list_next_folder (self);
    }
  else
    request_next_files (self);

  batch_free (batch);
}

static void
on_enumerated (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CsScan) self = user_data;
  g_autoptr(GError) error = NULL;

  self->enumerator = g_file_enumerate_children_finish (G_FILE (object), result, &error);

  if (self->enumerator == NULL)
    {
      /* The root must be listable; a sub-folder that is not is one problem. */
      if (self->current->parent == NULL ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          complete (self, g_steal_pointer (&error));
          return;
        }

      g_signal_emit (self, signals[PROBLEM], 0, self->current->file, error);
      list_next_folder (self);
      return;
    }

  request_next_files (self);
}

static void
list_next_folder (CsScan *self)
{
  self->current = g_queue_pop_head (&self->pending);

  if (self->current == NULL)
    {
      complete (self, NULL);
      return;
    }

  g_file_enumerate_children_async (self->current->file, ATTRIBUTES,
                                   G_FILE_QUERY_INFO_NONE,
                                   G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (self->task),
                                   on_enumerated, g_object_ref (self));
}

static void
on_root_info (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CsScan) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = NULL;
  Folder *root;

  info = g_file_query_info_finish (G_FILE (object), result, &error);
  if (info == NULL)
    {
      complete (self, g_steal_pointer (&error));
      return;
    }

  if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY)
    {
      complete (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                                           _("Not a folder")));
      return;
    }

  root = folder_new (self, self->root, "", info, NULL);
  visit (self, root->device, root->inode);
  g_queue_push_tail (&self->pending, root);
  list_next_folder (self);
}

static void
cs_scan_dispose (GObject *object)
{
  CsScan *self = (CsScan *)object;

  /* A run holds a reference: we cannot be disposed mid-run. */
  g_assert (self->task == NULL);
  reset_run_state (self);

  G_OBJECT_CLASS (cs_scan_parent_class)->dispose (object);
}

static void
cs_scan_finalize (GObject *object)
{
  CsScan *self = (CsScan *)object;

  g_clear_object (&self->root);

  G_OBJECT_CLASS (cs_scan_parent_class)->finalize (object);
}

static void
cs_scan_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  CsScan *self = CS_SCAN (object);

  switch (prop_id)
    {
    case PROP_ROOT:
      g_value_set_object (value, self->root);
      break;
    case PROP_RECURSIVE:
      g_value_set_boolean (value, self->recursive);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_scan_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  CsScan *self = CS_SCAN (object);

  switch (prop_id)
    {
    case PROP_ROOT:
      self->root = g_value_dup_object (value);
      break;
    case PROP_RECURSIVE:
      self->recursive = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_scan_class_init (CsScanClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                            G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = cs_scan_dispose;
  object_class->finalize = cs_scan_finalize;
  object_class->get_property = cs_scan_get_property;
  object_class->set_property = cs_scan_set_property;

  properties[PROP_ROOT] =
    g_param_spec_object ("root", NULL, NULL, G_TYPE_FILE, flags);
  properties[PROP_RECURSIVE] =
    g_param_spec_boolean ("recursive", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CsScan::found:
   * @file: an image file, by its name or its first bytes (see cs_is_candidate())
   * @relative_dir: its folder relative to the root ("" for the root)
   * @info: its name, display name, size and modification time
   */
  signals[FOUND] =
    g_signal_new ("found",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_FILE, G_TYPE_STRING, G_TYPE_FILE_INFO);

  /**
   * CsScan::folder:
   * @folder: a sub-folder of the root, not hidden
   * @info: its name, display name and modification time
   *
   * Only when the scan is not recursive. A folder named like an image is
   * also "found", for the thumbnailer to refuse.
   */
  signals[FOLDER] =
    g_signal_new ("folder",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_FILE, G_TYPE_FILE_INFO);

  /**
   * CsScan::problem:
   * @file: a sub-folder that cannot be listed, or a link loop
   * @error: why
   *
   * The scan goes on after a problem.
   */
  signals[PROBLEM] =
    g_signal_new ("problem",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_FILE, G_TYPE_ERROR);
}

static void
cs_scan_init (CsScan *self)
{
  g_queue_init (&self->pending);
}

CsScan *
cs_scan_new (GFile    *root,
             gboolean  recursive)
{
  g_return_val_if_fail (G_IS_FILE (root), NULL);

  return g_object_new (CS_TYPE_SCAN,
                       "root", root,
                       "recursive", recursive,
                       NULL);
}

GFile *
cs_scan_get_root (CsScan *self)
{
  g_return_val_if_fail (CS_IS_SCAN (self), NULL);
  return self->root;
}

/**
 * cs_scan_run_async:
 *
 * Lists the root (and, if recursive, its sub-folders), emitting "found" and
 * "problem" as it goes. Fails only when the root itself cannot be listed or
 * when cancelled. One run at a time.
 */
void
cs_scan_run_async (CsScan              *self,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_return_if_fail (CS_IS_SCAN (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, cs_scan_run_async);
  self->folders = g_ptr_array_new_with_free_func ((GDestroyNotify) folder_free);
  self->visited = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->n_found = 0;

  g_file_query_info_async (self->root, ATTRIBUTES, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, cancellable,
                           on_root_info, g_object_ref (self));
}

gboolean
cs_scan_run_finish (CsScan        *self,
                    GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (CS_IS_SCAN (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_scan_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
