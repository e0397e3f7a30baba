/* cs-selection-actions.c: what can be done with the selected images
 *
 * Open, Show in Files, Copy and Move to Trash, each on every image
 * selected in the grid, in the grid's order. Copy puts the paths on the
 * clipboard as text and as a file list; for a single image it adds the
 * picture itself, decoded by the thumbnailer as the thumbnails are (the
 * file may be hostile, or a named pipe called like a picture), so that it
 * can be pasted into an image editor. Move to Trash says what went, and
 * Undo what came back, to whoever keeps the grid ("trashed", "restored"),
 * and says so in a toast with an Undo that puts them back.
 *
 * A sub-folder's tile is no image: the actions leave it out (Move to
 * Trash must never take a folder of pictures along with a Ctrl+A), and
 * Open with only such a tile selected goes into that folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-selection-actions"

#include "config.h"

#include "cs-selection-actions.h"

#include <glib/gi18n.h>

#include "cs-item.h"
#include "cs-show-in-files.h"
#include "cs-thumbnailer.h"
#include "cs-trace.h"
#include "cs-trash.h"
#include "cs-texture.h"

/* The copied picture's longest side: enough to paste into a document or
 * an editor, not a 100-megapixel buffer held by the clipboard. */
#define COPY_SIZE 4096

/* An Undo wants time to be found. */
#define UNDO_TIMEOUT_S 10

struct _CsSelectionActions
{
  GObject            parent_instance;

  GtkSelectionModel *selection;
  GtkWidget         *grid;      /* borrowed: the window's */
  CsThumbnailer     *thumbnailer;
  AdwToastOverlay   *toasts;
  GCancellable      *cancellable;
};

G_DEFINE_FINAL_TYPE (CsSelectionActions, cs_selection_actions, G_TYPE_OBJECT)

enum {
  FOLDER_ACTIVATED,
  TRASHED,
  RESTORED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Toast titles are Pango markup: file names and reasons are not. */
static AdwToast *
add_toast (CsSelectionActions *self,
           const char         *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_overlay_add_toast (self->toasts, toast);
  return toast;
}

static GtkWindow *
get_window (CsSelectionActions *self)
{
  GtkRoot *root = self->grid ? gtk_widget_get_root (self->grid) : NULL;

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* The selected items' files in the grid's order: the images', or the
 * sub-folders'. */
static GPtrArray *
get_selected_files (CsSelectionActions *self,
                    gboolean            folders)
{
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  GPtrArray *files = g_ptr_array_new_with_free_func (g_object_unref);
  guint position;

  selected = gtk_selection_model_get_selection (self->selection);
  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position);
       more;
       more = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(CsItem) item = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

      if (item != NULL && cs_item_is_folder (item) == folders)
        g_ptr_array_add (files, g_object_ref (cs_item_get_file (item)));
    }

  return files;
}

/**
 * cs_selection_actions_get_files:
 *
 * Returns: (transfer container) (element-type GFile): the selected
 * images' files, in the grid's order.
 */
GPtrArray *
cs_selection_actions_get_files (CsSelectionActions *self)
{
  g_return_val_if_fail (CS_IS_SELECTION_ACTIONS (self), NULL);

  return get_selected_files (self, FALSE);
}

/* Open */

void
cs_selection_actions_open (CsSelectionActions *self)
{
  g_autoptr(GPtrArray) files = NULL;
  GtkWindow *window;

  g_return_if_fail (CS_IS_SELECTION_ACTIONS (self));

  files = cs_selection_actions_get_files (self);
  if (files->len == 0)
    {
      g_autoptr(GPtrArray) folders = get_selected_files (self, TRUE);

      if (folders->len > 0)
        g_signal_emit (self, signals[FOLDER_ACTIVATED], 0, g_ptr_array_index (folders, 0));
      return;
    }

  window = get_window (self);
  for (guint i = 0; i < files->len; i++)
    {
#if GTK_CHECK_VERSION (4, 10, 0)
      g_autoptr(GtkFileLauncher) launcher = gtk_file_launcher_new (g_ptr_array_index (files, i));

      gtk_file_launcher_launch (launcher, window, NULL, NULL, NULL);
#else
      g_autofree char *uri = g_file_get_uri (g_ptr_array_index (files, i));

      gtk_show_uri (window, uri, GDK_CURRENT_TIME);
#endif
    }
}

/* Show in Files */

static void
on_shown_in_files (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CsSelectionActions) self = user_data;
  g_autoptr(GError) error = NULL;

  if (cs_show_in_files_finish (result, &error))
    {
      cs_trace ("shown-in-files");
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->toasts == NULL)
    return;

  cs_trace ("show-in-files-failed %s", error->message);
  add_toast (self, error->message);
}

void
cs_selection_actions_show_in_files (CsSelectionActions *self)
{
  g_autoptr(GPtrArray) files = NULL;

  g_return_if_fail (CS_IS_SELECTION_ACTIONS (self));

  files = cs_selection_actions_get_files (self);
  if (files->len > 0)
    cs_show_in_files_async (get_window (self), files, self->cancellable,
                            on_shown_in_files, g_object_ref (self));
}

/* Copy */

static GdkContentProvider *
paths_provider (GPtrArray *files)
{
  g_autoptr(GString) text = g_string_new (NULL);
  GSList *list = NULL;
  GdkContentProvider *providers[2];
  GdkFileList *file_list;

  for (guint i = files->len; i > 0; i--)
    list = g_slist_prepend (list, g_ptr_array_index (files, i - 1));
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *path = g_file_get_parse_name (g_ptr_array_index (files, i));

      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, path);
    }

  file_list = gdk_file_list_new_from_list (list);
  providers[0] = gdk_content_provider_new_typed (GDK_TYPE_FILE_LIST, file_list);
  providers[1] = gdk_content_provider_new_typed (G_TYPE_STRING, text->str);
  g_boxed_free (GDK_TYPE_FILE_LIST, file_list);
  g_slist_free (list);

  return gdk_content_provider_new_union (providers, G_N_ELEMENTS (providers));
}

typedef struct
{
  GdkClipboard       *clipboard;
  GdkContentProvider *paths;   /* what was put on @clipboard */
} CopyData;

static void
copy_data_free (CopyData *data)
{
  g_clear_object (&data->clipboard);
  g_clear_object (&data->paths);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopyData, copy_data_free)

static void
on_decoded (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CopyData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsResult) decoded = cs_thumbnailer_decode_finish (CS_THUMBNAILER (object), result, &error);
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkContentProvider) both = NULL;
  GdkContentProvider *providers[2];

  /* Something else copied meanwhile: that stays. */
  if (gdk_clipboard_get_content (data->clipboard) != data->paths)
    return;

  /* The path is on the clipboard; that is what there is. */
  if (decoded == NULL)
    {
      cs_trace ("copy-no-image %s", error->message);
      return;
    }

  texture = cs_texture_new_for_pixbuf (cs_result_get_pixbuf (decoded));
  providers[0] = gdk_content_provider_new_typed (GDK_TYPE_TEXTURE, texture);
  providers[1] = g_object_ref (data->paths);
  both = gdk_content_provider_new_union (providers, G_N_ELEMENTS (providers));
  gdk_clipboard_set_content (data->clipboard, both);
  cs_trace ("copied-image %dx%d", gdk_texture_get_width (texture), gdk_texture_get_height (texture));
}

void
cs_selection_actions_copy (CsSelectionActions *self)
{
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GdkContentProvider) paths = NULL;
  g_autofree char *text = NULL;
  GdkClipboard *clipboard;

  g_return_if_fail (CS_IS_SELECTION_ACTIONS (self));

  files = cs_selection_actions_get_files (self);
  if (files->len == 0)
    return;

  /* The paths at once; a single picture joins them once decoded. */
  paths = paths_provider (files);
  clipboard = gtk_widget_get_clipboard (self->grid);
  gdk_clipboard_set_content (clipboard, paths);
  cs_trace ("copied-paths %u", files->len);

  if (files->len == 1 && self->thumbnailer != NULL)
    {
      CopyData *data = g_new0 (CopyData, 1);

      data->clipboard = g_object_ref (clipboard);
      data->paths = g_object_ref (paths);
      cs_thumbnailer_decode_async (self->thumbnailer, g_ptr_array_index (files, 0), COPY_SIZE,
                                   self->cancellable, on_decoded, data);
      text = g_strdup (_("Image copied"));
    }
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u path copied", "%u paths copied", files->len),
                            files->len);

  add_toast (self, text);
}

/* Move to Trash, and Undo */

static void
on_restored (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CsSelectionActions) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) restored = cs_trash_restore_finish (result, &error);

  cs_trace ("restored %u", restored->len);
  if (restored->len > 0)
    g_signal_emit (self, signals[RESTORED], 0, restored);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->toasts != NULL)
    add_toast (self, error->message);
}

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

static void
on_undo_clicked (AdwToast  *toast,
                 GPtrArray *trashed)
{
  g_autoptr(CsSelectionActions) self = g_weak_ref_get (g_object_get_data (G_OBJECT (toast), "actions"));

  if (self != NULL)
    cs_trash_restore_async (trashed, self->cancellable, on_restored, g_object_ref (self));
}

static void
on_trashed (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CsSelectionActions) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) trashed = cs_trash_files_finish (result, &error);
  g_autofree char *text = NULL;
  GWeakRef *actions;
  AdwToast *toast;

  cs_trace ("trashed %u", trashed->len);
  if (self->toasts == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* They leave the grid now, not when the folder's monitor hears of it
   * (if one ever does). */
  if (trashed->len > 0)
    g_signal_emit (self, signals[TRASHED], 0, trashed);

  if (error != NULL)
    add_toast (self, error->message);
  if (trashed->len == 0)
    return;

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image moved to Trash",
                                       "%u images moved to Trash", trashed->len),
                          trashed->len);
  toast = add_toast (self, text);
  adw_toast_set_timeout (toast, UNDO_TIMEOUT_S);
  /* Before any other news: it goes with what was just done. */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_button_label (toast, _("_Undo"));
  actions = g_new0 (GWeakRef, 1);
  g_weak_ref_init (actions, self);
  g_object_set_data_full (G_OBJECT (toast), "actions", actions, (GDestroyNotify) weak_ref_free);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (on_undo_clicked),
                         g_steal_pointer (&trashed), (GClosureNotify) (void (*) (void)) g_ptr_array_unref, 0);
}

void
cs_selection_actions_trash (CsSelectionActions *self)
{
  g_autoptr(GPtrArray) files = NULL;

  g_return_if_fail (CS_IS_SELECTION_ACTIONS (self));

  files = cs_selection_actions_get_files (self);
  if (files->len > 0)
    cs_trash_files_async (files, self->cancellable, on_trashed, g_object_ref (self));
}

static void
cs_selection_actions_dispose (GObject *object)
{
  CsSelectionActions *self = (CsSelectionActions *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  self->grid = NULL;
  g_clear_object (&self->selection);
  g_clear_object (&self->thumbnailer);
  g_clear_object (&self->toasts);

  G_OBJECT_CLASS (cs_selection_actions_parent_class)->dispose (object);
}

static void
cs_selection_actions_finalize (GObject *object)
{
  CsSelectionActions *self = (CsSelectionActions *)object;

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cs_selection_actions_parent_class)->finalize (object);
}

static void
cs_selection_actions_class_init (CsSelectionActionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_selection_actions_dispose;
  object_class->finalize = cs_selection_actions_finalize;

  /* Open, with a sub-folder's tile the only thing selected. */
  signals[FOLDER_ACTIVATED] = g_signal_new ("folder-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_FILE);
  /* These files (a GPtrArray of GFile) went to the trash. */
  signals[TRASHED] = g_signal_new ("trashed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);
  /* These files (a GPtrArray of GFile) are back where they were. */
  signals[RESTORED] = g_signal_new ("restored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);
}

static void
cs_selection_actions_init (CsSelectionActions *self)
{
  self->cancellable = g_cancellable_new ();
}

/**
 * cs_selection_actions_set_thumbnailer:
 *
 * What decodes a copied picture: the one that makes the thumbnails, with
 * its decoders and limits. Without one, Copy copies the paths only.
 */
void
cs_selection_actions_set_thumbnailer (CsSelectionActions *self,
                                      CsThumbnailer      *thumbnailer)
{
  g_return_if_fail (CS_IS_SELECTION_ACTIONS (self));
  g_return_if_fail (thumbnailer == NULL || CS_IS_THUMBNAILER (thumbnailer));

  g_set_object (&self->thumbnailer, thumbnailer);
}

CsSelectionActions *
cs_selection_actions_new (GtkSelectionModel *selection,
                          GtkWidget         *grid,
                          AdwToastOverlay   *toasts)
{
  CsSelectionActions *self;

  g_return_val_if_fail (GTK_IS_SELECTION_MODEL (selection), NULL);
  g_return_val_if_fail (GTK_IS_WIDGET (grid), NULL);
  g_return_val_if_fail (ADW_IS_TOAST_OVERLAY (toasts), NULL);

  self = g_object_new (CS_TYPE_SELECTION_ACTIONS, NULL);
  self->selection = g_object_ref (selection);
  self->grid = grid;
  self->toasts = g_object_ref (toasts);

  return self;
}
