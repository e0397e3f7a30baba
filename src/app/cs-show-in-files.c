/* cs-show-in-files.c: files shown in the file manager, or their folder
 *
 * The file manager shows and selects the files when it implements
 * org.freedesktop.FileManager1 (Nautilus, Dolphin, Nemo...). Where none
 * does, the bus answers with an error such as ServiceUnknown: that is no
 * news for the person, whose files are then shown by opening their folder
 * with its default handler, as GTK does it (the OpenURI portal in a
 * flatpak). Only when that fails too is there an error, a plain one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-show-in-files"

#include "config.h"

#include "cs-show-in-files.h"

#include <glib/gi18n.h>

typedef struct
{
  GtkWindow *parent;
  GPtrArray *files;
  GPtrArray *folders;   /* each file's, once */
  guint      next;      /* the next folder to open */
} ShowData;

static void
show_data_free (ShowData *data)
{
  g_clear_object (&data->parent);
  g_clear_pointer (&data->files, g_ptr_array_unref);
  g_clear_pointer (&data->folders, g_ptr_array_unref);
  g_free (data);
}

static void
return_failure (GTask *task)
{
  ShowData *data = g_task_get_task_data (task);
  g_autofree char *name = g_file_get_basename (g_ptr_array_index (data->files, 0));
  g_autofree char *display = g_filename_display_name (name);

  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Could not show “%s” in Files"), display);
}

/* Each takes over @task. */
static void open_next_folder (GTask *task);

static void
on_folder_opened (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  gboolean opened;

#if GTK_CHECK_VERSION (4, 10, 0)
  opened = gtk_file_launcher_launch_finish (GTK_FILE_LAUNCHER (object), result, &error);
#else
  opened = g_app_info_launch_default_for_uri_finish (result, &error);
#endif

  if (!opened)
    {
      /* Its words are for developers ("No application is registered as
       * handling this file"); the person gets the plain failure. */
      g_debug ("Cannot open the folder: %s", error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        return_failure (task);
      return;
    }

  open_next_folder (g_steal_pointer (&task));
}

static void
open_next_folder (GTask *task)
{
  ShowData *data = g_task_get_task_data (task);
  GFile *folder;

  if (data->next >= data->folders->len)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  folder = g_ptr_array_index (data->folders, data->next++);
#if GTK_CHECK_VERSION (4, 10, 0)
  {
    g_autoptr(GtkFileLauncher) launcher = gtk_file_launcher_new (folder);

    gtk_file_launcher_launch (launcher, data->parent, g_task_get_cancellable (task),
                              on_folder_opened, task);
  }
#else
  {
    g_autofree char *uri = g_file_get_uri (folder);
    g_autoptr(GdkAppLaunchContext) context = NULL;

    if (data->parent != NULL)
      context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (data->parent)));
    g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context),
                                             g_task_get_cancellable (task), on_folder_opened, task);
  }
#endif
}

static void
open_folders (GTask *task)
{
  ShowData *data = g_task_get_task_data (task);

  data->folders = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < data->files->len; i++)
    {
      g_autoptr(GFile) folder = g_file_get_parent (g_ptr_array_index (data->files, i));
      gboolean known = FALSE;

      for (guint j = 0; folder != NULL && j < data->folders->len && !known; j++)
        known = g_file_equal (folder, g_ptr_array_index (data->folders, j));
      if (folder != NULL && !known)
        g_ptr_array_add (data->folders, g_steal_pointer (&folder));
    }

  open_next_folder (task);
}

static void
on_items_shown (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);

  if (reply != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_debug ("No FileManager1: %s", error->message);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    open_folders (g_steal_pointer (&task));
}

static void
on_bus (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ShowData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GDBusConnection) bus = g_bus_get_finish (result, &error);
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) uris = NULL;

  if (bus == NULL)
    {
      g_debug ("No session bus: %s", error->message);
      open_folders (g_steal_pointer (&task));
      return;
    }

  builder = g_strv_builder_new ();
  for (guint i = 0; i < data->files->len; i++)
    {
      g_autofree char *uri = g_file_get_uri (g_ptr_array_index (data->files, i));

      g_strv_builder_add (builder, uri);
    }
  uris = g_strv_builder_end (builder);

  g_dbus_connection_call (bus,
                          "org.freedesktop.FileManager1",
                          "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1",
                          "ShowItems",
                          g_variant_new ("(^ass)", uris, ""),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, cancellable,
                          on_items_shown, g_steal_pointer (&task));
}

/**
 * cs_show_in_files_async:
 * @parent: (nullable): the window asking
 * @files: (element-type GFile): at least one file
 *
 * Shows @files in the file manager, or else opens their folders.
 */
void
cs_show_in_files_async (GtkWindow           *parent,
                        GPtrArray           *files,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ShowData *data = g_new0 (ShowData, 1);

  g_return_if_fail (files != NULL && files->len > 0);

  data->parent = parent ? g_object_ref (parent) : NULL;
  data->files = g_ptr_array_ref (files);
  g_task_set_source_tag (task, cs_show_in_files_async);
  g_task_set_task_data (task, data, (GDestroyNotify) show_data_free);

  g_bus_get (G_BUS_TYPE_SESSION, cancellable, on_bus, g_steal_pointer (&task));
}

/**
 * cs_show_in_files_finish:
 *
 * Returns: whether the files or their folders are shown; else @error has
 * a message for the person.
 */
gboolean
cs_show_in_files_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
