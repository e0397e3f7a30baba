/* cs-window.c: the main window
 *
 * Pick a folder, watch the grid fill, see the running total, stop at will.
 * The window is the shell: its template, its actions, opening and
 * reloading, the title, closing and drops. The folder loader does the
 * work, the grid model keeps the items, the grid view and the texture
 * cache show them, the status bar counts, the sheet dialog lays out what
 * the grid shows; the window wires them together and owns them all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-window"

#include "config.h"

#include "cs-window.h"

#include <glib/gi18n.h>

#include "cs-beside-confirm.h"
#include "cs-failures-window.h"
#include "cs-flavor-chooser.h"
#include "cs-folder-history.h"
#include "cs-folder-loader.h"
#include "cs-grid-model.h"
#include "cs-grid-view.h"
#include "cs-path-bar.h"
#include "cs-preview.h"
#include "cs-scroll-keeper.h"
#include "cs-selection-actions.h"
#include "cs-sheet-dialog.h"
#include "cs-status-bar.h"
#include "cs-texture-cache.h"
#include "cs-trace.h"
#include "cs-visible-range.h"

struct _CsWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  GtkWidget            *stop_button;
  GtkStack             *stack;
  GtkGridView          *grid;
  CsPreview            *preview;
  CsStatusBar          *status_bar;
  CsPathBar            *path_bar;
  GtkRevealer          *status_revealer;
  AdwToastOverlay      *toast_overlay;
  GtkSearchEntry       *search_entry;
  GtkSearchBar         *search_bar;
  GMenuModel           *item_menu;

  CsGridModel          *model;
  CsFolderLoader       *loader;
  CsTextureCache       *textures;
  CsGridView           *view;
  CsSelectionActions   *actions;
  CsFlavorChooser      *flavors;
  CsTraceProbe         *probe;
  CsBesideConfirm      *confirm;
  CsVisibleRange       *visible;
  CsFolderHistory      *history;
  CsScrollKeeper       *scroll_keeper;

  /* What is shown: a folder, or the files opened one by one */
  GFile                *folder;
  GPtrArray            *files;
  GtkWindow            *failures_window;
  gboolean              include_subfolders;
};

G_DEFINE_FINAL_TYPE (CsWindow, cs_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_RUNNING,
  PROP_STATUS_TEXT,
  PROP_INCLUDE_SUBFOLDERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Toast titles are Pango markup: file names and reasons are not. */
static void
toast (CsWindow   *self,
       const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

static void
on_search_changed (CsWindow       *self,
                   GtkSearchEntry *entry)
{
  cs_grid_view_set_search (self->view, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

/* The loader's news */

gboolean
cs_window_get_running (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), FALSE);

  return cs_folder_loader_get_running (self->loader);
}

static void
on_running_changed (CsWindow *self)
{
  gboolean running = cs_window_get_running (self);

  gtk_widget_set_visible (self->stop_button, running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", running);
  gtk_revealer_set_reveal_child (self->status_revealer, self->folder != NULL || self->files != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
on_finished (CsWindow *self)
{
  cs_trace ("finished %.1f ms: %s",
            cs_trace_probe_get_elapsed (self->probe), cs_status_bar_get_text (self->status_bar));
  cs_trace_probe_stop (self->probe);
}

static void
on_status_text_changed (CsWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_TEXT]);
}

static void
on_scanned (CsWindow *self,
            gboolean  ok)
{
  if (g_list_model_get_n_items (cs_grid_model_get_items (self->model)) == 0)
    gtk_stack_set_visible_child_name (self->stack, ok ? "no-images" : "empty");
  if (self->folder != NULL)
    cs_beside_confirm_set_n_images (self->confirm, cs_folder_loader_get_n_submitted (self->loader));
  cs_scroll_keeper_release (self->scroll_keeper);
}

static void
on_item_done (CsWindow  *self,
              CsItem    *item,
              GdkPixbuf *pixbuf)
{
  cs_texture_cache_set_pixels (self->textures, item, pixbuf);
}

/* What is on screen is made, and read back, first. */
static void
on_visible_changed (CsWindow *self)
{
  GPtrArray *items = cs_visible_range_get_items (self->visible);

  cs_folder_loader_set_visible (self->loader, items);
  cs_texture_cache_set_visible (self->textures, items);
}

/* Between cells moving and the frame that shows where, what was on screen
 * reads back and the rest waits. */
static void
on_visible_current (CsWindow *self)
{
  cs_texture_cache_hold_off_screen (self->textures, !cs_visible_range_get_current (self->visible));
}

static void
on_thumbnailer_changed (CsWindow *self)
{
  cs_texture_cache_set_thumbnailer (self->textures, cs_folder_loader_get_thumbnailer (self->loader));
  cs_preview_set_thumbnailer (self->preview, cs_folder_loader_get_thumbnailer (self->loader));
  cs_selection_actions_set_thumbnailer (self->actions, cs_folder_loader_get_thumbnailer (self->loader));
}

static void
on_items_changed (CsWindow   *self,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GListModel *items)
{
  if (added > 0)
    gtk_stack_set_visible_child_name (self->stack, "grid");
}

/* Opening */

static void reload (CsWindow *self);

/* A yes, or the setting switched: the folder is made again where its
 * thumbnails now go. */
static void
on_write_beside_changed (CsWindow *self)
{
  if (cs_beside_confirm_get_write_beside (self->confirm) != cs_folder_loader_get_write_beside (self->loader))
    reload (self);
}

/* The question follows the folder shown, whose opening sets the loader
 * itself: no reload for that. */
static void
set_confirm_folder (CsWindow *self,
                    GFile    *folder)
{
  g_signal_handlers_block_by_func (self->confirm, on_write_beside_changed, self);
  cs_beside_confirm_set_folder (self->confirm, folder);
  g_signal_handlers_unblock_by_func (self->confirm, on_write_beside_changed, self);
  cs_folder_loader_set_write_beside (self->loader, cs_beside_confirm_get_write_beside (self->confirm));
}

static void
begin_loading (CsWindow *self)
{
  cs_preview_close (self->preview);
  cs_folder_loader_clear (self->loader);
  cs_texture_cache_clear (self->textures);
  cs_trace_probe_reset (self->probe);
  if (self->failures_window != NULL)
    gtk_window_destroy (self->failures_window);
}

/* "~/Pictures/Holiday" for folders in the home folder, as GNOME apps show
 * them; the full path elsewhere. */
static char *
display_path (GFile *folder)
{
  g_autoptr(GFile) home = g_file_new_for_path (g_get_home_dir ());
  g_autofree char *relative = g_file_get_relative_path (home, folder);

  if (g_file_equal (home, folder))
    return g_strdup ("~");
  if (relative != NULL)
    {
      g_autofree char *display = g_filename_display_name (relative);

      return g_strconcat ("~/", display, NULL);
    }

  return g_file_get_parse_name (folder);
}

/* Where the file chooser starts: the open folder, else Pictures, else home. */
static GFile *
chooser_start (CsWindow *self)
{
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);

  if (self->folder != NULL)
    return g_object_ref (self->folder);
  if (pictures != NULL && g_file_test (pictures, G_FILE_TEST_IS_DIR))
    return g_file_new_for_path (pictures);

  return g_file_new_for_path (g_get_home_dir ());
}

/* Up and Back are there when there is somewhere to go. */
static void
update_navigation (CsWindow *self)
{
  g_autoptr(GFile) parent = self->folder != NULL ? g_file_get_parent (self->folder) : NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.go-up", parent != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.go-back",
                                 cs_folder_history_get_can_go_back (self->history));
  cs_path_bar_set_folder (self->path_bar, self->folder);
}

static void
show_folder (CsWindow *self,
             GFile    *folder)
{
  g_autofree char *name = NULL;
  g_autofree char *display = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;

  begin_loading (self);
  if (self->folder == NULL || !g_file_equal (self->folder, folder))
    cs_scroll_keeper_drop (self->scroll_keeper);
  g_set_object (&self->folder, folder);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  set_confirm_folder (self, folder);
  update_navigation (self);

  name = g_file_get_basename (folder);
  display = g_filename_display_name (name);
  path = display_path (folder);
  uri = g_file_get_uri (folder);
  adw_window_title_set_title (self->window_title, display);
  adw_window_title_set_subtitle (self->window_title, path);
  gtk_window_set_title (GTK_WINDOW (self), display);
  g_settings_set_string (self->settings, "last-folder", uri);
  cs_trace ("open %s", g_file_peek_path (folder) ? g_file_peek_path (folder) : uri);
  cs_trace_probe_start (self->probe);

  cs_folder_loader_open_folder (self->loader, folder);
  gtk_stack_set_visible_child_name (self->stack, "grid");
}

/**
 * cs_window_open_folder:
 *
 * Shows @folder's images (and its sub-folders' tiles) and thumbnails them;
 * whatever ran before is cancelled first. The file chooser's answer, a
 * dropped folder, a folder tile, the path bar, Up and the command line all
 * come here; the folder left is remembered for Back.
 */
void
cs_window_open_folder (CsWindow *self,
                       GFile    *folder)
{
  g_return_if_fail (CS_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (folder));

  if (self->folder != NULL && !g_file_equal (self->folder, folder))
    cs_folder_history_push (self->history, self->folder);

  show_folder (self, folder);
}

/**
 * cs_window_open_files:
 *
 * Shows just these images (dropped on the window, or given one by one).
 */
void
cs_window_open_files (CsWindow  *self,
                      GFile    **files,
                      guint      n_files)
{
  g_autofree char *title = NULL;

  g_return_if_fail (CS_IS_WINDOW (self));

  begin_loading (self);
  if (self->folder != NULL)
    cs_folder_history_push (self->history, self->folder);
  g_clear_object (&self->folder);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  set_confirm_folder (self, NULL);
  self->files = g_ptr_array_new_with_free_func (g_object_unref);
  update_navigation (self);
  for (guint i = 0; i < n_files; i++)
    g_ptr_array_add (self->files, g_object_ref (files[i]));

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Image", "%u Images", n_files), n_files);
  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, NULL);
  gtk_window_set_title (GTK_WINDOW (self), title);

  cs_folder_loader_open_files (self->loader, files, n_files);
  /* The list is whole at once: no "scanned" comes to let F5's hold go. */
  cs_scroll_keeper_release (self->scroll_keeper);
  if (n_files == 0)
    gtk_stack_set_visible_child_name (self->stack, "no-images");
}

static void
reload (CsWindow *self)
{
  /* F5 reads the folder again where the person was looking. */
  cs_scroll_keeper_hold (self->scroll_keeper);
  if (self->folder != NULL)
    {
      g_autoptr(GFile) folder = g_object_ref (self->folder);

      cs_window_open_folder (self, folder);
    }
  else if (self->files != NULL)
    {
      g_autoptr(GPtrArray) files = g_ptr_array_ref (self->files);

      cs_window_open_files (self, (GFile **) files->pdata, files->len);
    }
}

void
cs_window_stop (CsWindow *self)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  cs_folder_loader_stop (self->loader);
}

/* Actions */

#if GTK_CHECK_VERSION (4, 10, 0)
static void
on_folder_chosen (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CsWindow) self = user_data;
  g_autoptr(GFile) folder = gtk_file_dialog_select_folder_finish (GTK_FILE_DIALOG (object), result, NULL);

  if (folder != NULL)
    cs_window_open_folder (self, folder);
}
#else
static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     CsWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (folder != NULL)
        cs_window_open_folder (self, folder);
    }

  g_object_unref (dialog);
}
#endif

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  g_autoptr(GFile) start = chooser_start (self);
#if GTK_CHECK_VERSION (4, 10, 0)
  g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();

  gtk_file_dialog_set_title (dialog, _("Open Folder"));
  gtk_file_dialog_set_accept_label (dialog, _("_Open"));
  gtk_file_dialog_set_initial_folder (dialog, start);
  gtk_file_dialog_select_folder (dialog, GTK_WINDOW (self), NULL, on_folder_chosen, g_object_ref (self));
#else
  /* The native chooser talks to the file chooser portal inside a flatpak. */
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new (_("Open Folder"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                 _("_Open"), _("_Cancel"));

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), start, NULL);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_chooser_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
#endif
}

static void
go_up_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  g_autoptr(GFile) parent = self->folder != NULL ? g_file_get_parent (self->folder) : NULL;

  if (parent != NULL)
    cs_window_open_folder (self, parent);
}

static void
go_back_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  g_autoptr(GFile) folder = cs_folder_history_pop (self->history);

  if (folder != NULL)
    show_folder (self, folder);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  /* Escape is Stop's accelerator, which the window sees before any
   * widget: in the preview, it closes the preview first. */
  if (cs_preview_has_focus (self->preview))
    cs_preview_close (self->preview);
  else
    cs_window_stop (self);
}

/* Opens the preview at the grid's current image, in the grid's order. */
static void
preview_item (CsWindow *self,
              CsItem   *item)
{
  if (item != NULL)
    cs_preview_open (self->preview, G_LIST_MODEL (gtk_grid_view_get_model (self->grid)), item);
}

static void
preview_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  if (cs_preview_get_open (self->preview))
    cs_preview_close (self->preview);
  else
    preview_item (self, cs_grid_view_get_current_item (self->view));
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  reload (CS_WINDOW (widget));
}

/* The thumbnail-size setting is set by its nick, the flavor's name. */
static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  CsFlavor flavor = cs_folder_loader_get_flavor (self->loader);

  if (g_str_equal (action_name, "win.zoom-in"))
    flavor = MIN (flavor + 1, CS_FLAVOR_XX_LARGE);
  else if (g_str_equal (action_name, "win.zoom-out"))
    flavor = flavor > CS_FLAVOR_NORMAL ? flavor - 1 : CS_FLAVOR_NORMAL;
  else
    flavor = CS_FLAVOR_NORMAL;

  g_settings_set_string (self->settings, "thumbnail-size", cs_flavor_get_name (flavor));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
show_failures_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  if (self->failures_window == NULL)
    {
      self->failures_window = GTK_WINDOW (cs_failures_window_new (GTK_WINDOW (self),
                                                                  cs_folder_loader_get_failures (self->loader)));
      g_object_add_weak_pointer (G_OBJECT (self->failures_window), (gpointer *) &self->failures_window);
      g_signal_connect_object (self->failures_window, "retry",
                               G_CALLBACK (cs_folder_loader_retry_failures), self->loader, G_CONNECT_SWAPPED);
    }

  gtk_window_present (self->failures_window);
}

/* The contact sheet of what the grid shows, in its order, titled as the
 * window is. */
static void
sheet_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  GListModel *shown = G_LIST_MODEL (gtk_grid_view_get_model (self->grid));
  CsThumbnailer *thumbnailer = cs_folder_loader_get_thumbnailer (self->loader);

  if (thumbnailer == NULL || g_list_model_get_n_items (shown) == 0)
    {
      toast (self, _("No images to lay out: open a folder first"));
      return;
    }

  cs_sheet_dialog_present (GTK_WINDOW (self), self->settings, shown, thumbnailer,
                           gtk_window_get_title (GTK_WINDOW (self)), self->toast_overlay,
                           g_str_equal (action_name, "win.print-sheet") ? CS_SHEET_DIALOG_PRINT
                                                                        : CS_SHEET_DIALOG_EXPORT);
}

/* While the preview shows a picture, the actions on the selection act on
 * that picture: it becomes the grid's selection, alone. */
static void
select_previewed (CsWindow *self)
{
  guint position;

  if (cs_preview_get_open (self->preview) && cs_preview_get_position (self->preview, &position))
    gtk_selection_model_select_item (cs_grid_view_get_selection (self->view), position, TRUE);
}

/* The grid's context menu has no place over the preview. */
static void
on_preview_open_changed (CsWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.context-menu",
                                 !cs_preview_get_open (self->preview));
}

static void
item_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  select_previewed (self);
  if (g_str_equal (action_name, "win.open-item"))
    cs_selection_actions_open (self->actions);
  else if (g_str_equal (action_name, "win.show-in-files"))
    cs_selection_actions_show_in_files (self->actions);
  else if (g_str_equal (action_name, "win.copy"))
    cs_selection_actions_copy (self->actions);
  else if (g_str_equal (action_name, "win.trash"))
    cs_selection_actions_trash (self->actions);
  else
    cs_grid_view_popup_selected_menu (self->view);
}

/* Settings */

/* The cells' size and the setting's flavour, to the chooser; %TRUE if
 * that changed the flavour (on_flavor_changed() made it again). */
static gboolean
choose_flavor (CsWindow *self)
{
  CsFlavor before = cs_flavor_chooser_get_flavor (self->flavors);

  cs_grid_view_set_flavor (self->view, cs_folder_loader_get_flavor (self->loader));
  cs_flavor_chooser_set_cell (self->flavors, cs_grid_view_get_cell_size (self->view),
                              cs_folder_loader_get_flavor (self->loader));
  cs_folder_loader_set_flavor (self->loader, cs_flavor_chooser_get_flavor (self->flavors));

  return cs_flavor_chooser_get_flavor (self->flavors) != before;
}

/* Zoomed, or on a monitor with another scale: thumbnails of the flavour
 * the cells' device pixels need, for the items the grid has. What cells
 * show meanwhile stays (the texture cache's stand-ins). */
static void
on_flavor_changed (CsWindow *self)
{
  CsFlavor flavor = cs_flavor_chooser_get_flavor (self->flavors);

  cs_trace ("flavor %s at scale %.2f", cs_flavor_get_name (flavor),
            cs_flavor_chooser_get_scale (self->flavors));
  cs_folder_loader_set_flavor (self->loader, flavor);
  if (!cs_folder_loader_remake (self->loader))
    reload (self);
}

static void
on_thumbnail_settings_changed (GSettings  *settings,
                               const char *key,
                               CsWindow   *self)
{
  if (g_str_equal (key, "thumbnail-size") && choose_flavor (self))
    return;

  reload (self);
}

/* The sort-order setting by its nick, and sort-reversed. */
static void
on_sort_order_changed (GSettings  *settings,
                       const char *key,
                       CsWindow   *self)
{
  g_autofree char *nick = g_settings_get_string (settings, "sort-order");
  CsSortOrder order = CS_SORT_NAME;

  if (g_str_equal (nick, "date"))
    order = CS_SORT_DATE;
  else if (g_str_equal (nick, "size"))
    order = CS_SORT_SIZE;

  cs_grid_model_set_sort_order (self->model, order);
  cs_grid_model_set_sort_reversed (self->model, g_settings_get_boolean (settings, "sort-reversed"));
}

static gboolean
cs_window_close_request (GtkWindow *window)
{
  CsWindow *self = CS_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_apply (self->settings);

  /* Closing mid-batch: stop now, drop everything, do not wait for workers. */
  cs_folder_loader_drop (self->loader);

  return GTK_WINDOW_CLASS (cs_window_parent_class)->close_request (window);
}

/* Drag and drop */

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         CsWindow      *self)
{
  GSList *list = g_value_get_boxed (value);
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  for (GSList *l = list; l != NULL; l = l->next)
    {
      if (g_file_query_file_type (l->data, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY)
        {
          cs_window_open_folder (self, l->data);
          return TRUE;
        }
      g_ptr_array_add (files, l->data);
    }

  if (files->len == 0)
    return FALSE;

  cs_window_open_files (self, (GFile **) files->pdata, files->len);

  return TRUE;
}

static void
cs_window_constructed (GObject *object)
{
  CsWindow *self = CS_WINDOW (object);
  g_autoptr(GSimpleActionGroup) settings_actions = g_simple_action_group_new ();
  g_autoptr(GAction) size_action = NULL;
  g_autoptr(GAction) sort_action = NULL;
  g_autoptr(GAction) reverse_action = NULL;
  GtkDropTarget *drop;

  G_OBJECT_CLASS (cs_window_parent_class)->constructed (object);

  /* Given by the application; opened here only for a window made alone. */
  if (self->settings == NULL)
    self->settings = g_settings_new (APP_ID);

  self->probe = cs_trace_probe_new (self);
  self->history = cs_folder_history_new ();
  self->scroll_keeper = cs_scroll_keeper_new (GTK_SCROLLABLE (self->grid));
  self->model = cs_grid_model_new ();
  self->loader = cs_folder_loader_new (self->model, self->settings);
  self->textures = cs_texture_cache_new (self->model, self->probe);
  self->visible = cs_visible_range_new (self->grid);
  self->view = cs_grid_view_new (self->grid, self->model, self->textures, self->item_menu);
  self->actions = cs_selection_actions_new (cs_grid_view_get_selection (self->view), GTK_WIDGET (self->grid),
                                            self->toast_overlay);
  cs_status_bar_set_selection (self->status_bar, cs_grid_view_get_selection (self->view));
  self->flavors = cs_flavor_chooser_new ();
  g_signal_connect_object (self->flavors, "notify::flavor", G_CALLBACK (on_flavor_changed), self, G_CONNECT_SWAPPED);
  choose_flavor (self);
  cs_flavor_chooser_follow_widget (self->flavors, GTK_WIDGET (self->grid));
  on_sort_order_changed (self->settings, "sort-order", self);
  cs_status_bar_set_loader (self->status_bar, self->loader);
  self->confirm = cs_beside_confirm_new (GTK_WINDOW (self), self->settings);

  g_signal_connect_object (self->loader, "notify::running", G_CALLBACK (on_running_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->loader, "notify::thumbnailer", G_CALLBACK (on_thumbnailer_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->loader, "finished", G_CALLBACK (on_finished), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->loader, "scanned", G_CALLBACK (on_scanned), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->loader, "problem", G_CALLBACK (toast), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->loader, "item-done", G_CALLBACK (on_item_done), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->loader, "item-failed", G_CALLBACK (cs_texture_cache_forget), self->textures, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->actions, "trashed", G_CALLBACK (cs_folder_loader_forget_files), self->loader, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->actions, "restored", G_CALLBACK (cs_folder_loader_add_files), self->loader, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->visible, "changed", G_CALLBACK (on_visible_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->visible, "notify::current", G_CALLBACK (on_visible_current), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "preview", G_CALLBACK (preview_item), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->preview, "notify::open", G_CALLBACK (on_preview_open_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "folder-activated", G_CALLBACK (cs_window_open_folder), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->actions, "folder-activated", G_CALLBACK (cs_window_open_folder), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->path_bar, "folder-chosen", G_CALLBACK (cs_window_open_folder), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (cs_grid_model_get_items (self->model), "items-changed",
                           G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->status_bar, "notify::text", G_CALLBACK (on_status_text_changed),
                           self, G_CONNECT_SWAPPED);

  size_action = g_settings_create_action (self->settings, "thumbnail-size");
  sort_action = g_settings_create_action (self->settings, "sort-order");
  g_action_map_add_action (G_ACTION_MAP (settings_actions), size_action);
  reverse_action = g_settings_create_action (self->settings, "sort-reversed");
  g_action_map_add_action (G_ACTION_MAP (settings_actions), sort_action);
  g_action_map_add_action (G_ACTION_MAP (settings_actions), reverse_action);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "settings", G_ACTION_GROUP (settings_actions));
  /* win.include-subfolders (the main menu's check item) is the property,
   * kept in the settings. */
  g_settings_bind (self->settings, "include-subfolders", self, "include-subfolders",
                   G_SETTINGS_BIND_DEFAULT);

  g_signal_connect (self->settings, "changed::thumbnail-size",
                    G_CALLBACK (on_thumbnail_settings_changed), self);
  /* The output mode changes what is written only once the person agrees. */
  g_signal_connect_object (self->confirm, "notify::write-beside", G_CALLBACK (on_write_beside_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect (self->settings, "changed::workers",
                    G_CALLBACK (on_thumbnail_settings_changed), self);
  g_signal_connect (self->settings, "changed::include-subfolders",
                    G_CALLBACK (on_thumbnail_settings_changed), self);
  g_signal_connect (self->settings, "changed::sort-order",
                    G_CALLBACK (on_sort_order_changed), self);
  g_signal_connect (self->settings, "changed::sort-reversed",
                    G_CALLBACK (on_sort_order_changed), self);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  gtk_stack_set_visible_child_name (self->stack, "empty");
  on_running_changed (self);
  update_navigation (self);
}

static void
cs_window_dispose (GObject *object)
{
  CsWindow *self = (CsWindow *)object;

  if (self->loader != NULL)
    cs_folder_loader_drop (self->loader);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->status_bar != NULL)
    {
      cs_status_bar_set_loader (self->status_bar, NULL);
      cs_status_bar_set_selection (self->status_bar, NULL);
    }

  g_clear_object (&self->actions);
  g_clear_object (&self->view);
  g_clear_object (&self->confirm);
  g_clear_object (&self->visible);
  g_clear_object (&self->flavors);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_WINDOW);

  g_clear_object (&self->textures);
  g_clear_object (&self->loader);
  g_clear_object (&self->model);
  g_clear_pointer (&self->probe, cs_trace_probe_free);
  g_clear_object (&self->history);
  g_clear_object (&self->scroll_keeper);
  g_clear_object (&self->folder);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cs_window_parent_class)->dispose (object);
}

static void
cs_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CsWindow *self = CS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, cs_window_get_running (self));
      break;
    case PROP_STATUS_TEXT:
      g_value_set_string (value, cs_window_get_status_text (self));
      break;
    case PROP_INCLUDE_SUBFOLDERS:
      g_value_set_boolean (value, self->include_subfolders);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CsWindow *self = CS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_INCLUDE_SUBFOLDERS:
      if (self->include_subfolders != g_value_get_boolean (value))
        {
          self->include_subfolders = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_window_class_init (CsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = cs_window_constructed;
  object_class->dispose = cs_window_dispose;
  object_class->get_property = cs_window_get_property;
  object_class->set_property = cs_window_set_property;
  window_class->close_request = cs_window_close_request;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATUS_TEXT] =
    g_param_spec_string ("status-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The setting, whose changes reload the folder */
  properties[PROP_INCLUDE_SUBFOLDERS] =
    g_param_spec_boolean ("include-subfolders", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CS_TYPE_STATUS_BAR);
  g_type_ensure (CS_TYPE_PREVIEW);
  g_type_ensure (CS_TYPE_PATH_BAR);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/contactsheet/ContactSheet/cs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, grid);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, preview);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, status_bar);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, path_bar);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, status_revealer);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, item_menu);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);

  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_folder_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.preview", NULL, preview_action);
  gtk_widget_class_install_action (widget_class, "win.go-up", NULL, go_up_action);
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action);
  gtk_widget_class_install_property_action (widget_class, "win.include-subfolders", "include-subfolders");
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-reset", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.show-failures", NULL, show_failures_action);
  gtk_widget_class_install_action (widget_class, "win.export-sheet", NULL, sheet_action);
  gtk_widget_class_install_action (widget_class, "win.print-sheet", NULL, sheet_action);
  gtk_widget_class_install_action (widget_class, "win.open-item", NULL, item_action);
  gtk_widget_class_install_action (widget_class, "win.show-in-files", NULL, item_action);
  gtk_widget_class_install_action (widget_class, "win.copy", NULL, item_action);
  gtk_widget_class_install_action (widget_class, "win.trash", NULL, item_action);
  gtk_widget_class_install_action (widget_class, "win.context-menu", NULL, item_action);

  /* The shortcuts that the shortcuts window lists are the application's
   * (cs-application.c); these are the grid's own. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "win.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.trash", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "win.context-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "win.context-menu", NULL);
}

static void
cs_window_init (CsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CsWindow *
cs_window_new (GtkApplication *application,
               GSettings      *settings)
{
  return g_object_new (CS_TYPE_WINDOW, "application", application, "settings", settings, NULL);
}

/* A transient message at the bottom of the window. */
void
cs_window_show_message (CsWindow   *self,
                        const char *message)
{
  g_return_if_fail (CS_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  toast (self, message);
}

GListModel *
cs_window_get_items (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return cs_grid_model_get_items (self->model);
}

guint
cs_window_get_n_done (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), 0);
  return cs_folder_loader_get_n_done (self->loader);
}

guint
cs_window_get_n_failed (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), 0);
  return cs_folder_loader_get_n_failed (self->loader);
}

guint64
cs_window_get_bytes_written (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), 0);
  return cs_folder_loader_get_bytes_written (self->loader);
}

const char *
cs_window_get_status_text (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return cs_status_bar_get_text (self->status_bar);
}
