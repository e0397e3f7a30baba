/* cs-sheet-dialog.c: the contact sheet's options, preview, export and print
 *
 * The dialog takes the grid's images when it opens (cs-sheet-entries.c
 * makes the thumbnails still missing), then shows the first page as it will
 * come out and the number of pages, redrawn whenever an option changes.
 * Every option is a setting (the sheet-* keys of the gschema, and the
 * grid's own sort-order), so the next sheet starts as the last one was.
 * Export asks for a file with the file chooser (the portal in a flatpak)
 * and writes it in a thread, with a Cancel; when it is written the dialog
 * closes and the main window says so, with "Open". Print hands the same
 * pages to the print dialog (cs-sheet-print.c). When more than one image
 * is selected in the grid, the sheet can be of those alone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-sheet-dialog"

#include "config.h"

#include "cs-sheet-dialog.h"

#include <glib/gi18n.h>

#include "cs-sheet-entries.h"
#include "cs-sheet-print.h"
#include "cs-sheet-writer.h"
#include "cs-trace.h"

struct _CsSheetDialog
{
  AdwWindow          parent_instance;

  GSettings         *settings;
  GListModel        *items;
  GListModel        *selected;          /* the grid's selection when it opened */
  CsThumbnailer     *thumbnailer;       /* the grid's */
  gboolean           in_cache;          /* the grid's thumbnails are the cache's */
  CsFlavor           flavor;            /* of the cells' thumbnails */
  char              *folder_name;
  AdwToastOverlay   *main_toasts;
  CsSheetDialogMode  mode;

  GPtrArray         *entries;
  CsSheetRenderer   *renderer;
  cairo_surface_t   *preview_surface;   /* the first page at the preview's size */
  GCancellable      *collecting;
  GCancellable      *cancellable;       /* writing */
  guint              pulse_id;
  gboolean           busy;
  gboolean           closed;            /* what finishes later leaves it alone */

  /* Template widgets */
  AdwToastOverlay   *toast_overlay;
  GtkWidget         *export_button;
  GtkDrawingArea    *preview;
  GtkLabel          *pages_label;
  GtkProgressBar    *progress;
  GtkWidget         *options_page;
  GtkWidget         *file_group;
  AdwComboRow       *paper_row;
  AdwComboRow       *orientation_row;
  GtkSpinButton     *columns_spin;
  GtkSpinButton     *rows_spin;
  AdwEntryRow       *title_row;
  AdwComboRow       *sort_row;
  GtkWidget         *selection_row;
  GtkSwitch         *selection_switch;
  GtkSwitch         *name_switch;
  GtkSwitch         *dims_switch;
  GtkSwitch         *size_switch;
  GtkSwitch         *date_switch;
  GtkSwitch         *exposure_switch;
  AdwComboRow       *format_row;
};

G_DEFINE_FINAL_TYPE (CsSheetDialog, cs_sheet_dialog, ADW_TYPE_WINDOW)

/* The combo rows' choices, in the order of their lists (ui/), by the nick
 * of the setting's enum (the gschema in data/). */
static const char * const paper_nicks[] = { "default", "a4", "letter", "a3", "legal", NULL };
static const char * const sort_nicks[] = { "name", "date", "size", NULL };
static const char * const format_nicks[] = { "pdf", "png", "jpeg", NULL };
static const char * const format_extensions[] = { ".pdf", ".png", ".jpg" };

/* The caption's fields as the template's tokens, by line: the name; the
 * picture's dimensions and file size; its date and exposure. */
static const struct {
  const char *field;
  guint       line;
  const char *token;
} caption_fields[] = {
  { "name", 0, "{name}" },
  { "dims", 1, "{dims}" },
  { "size", 1, "{size}" },
  { "date", 2, "{date}" },
  { "exposure", 2, "{exposure}" },
};

static void update_preview (CsSheetDialog *self);
static void collect        (CsSheetDialog *self);

/* Toast titles are Pango markup: file names and reasons are not. */
static AdwToast *
toast_new (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  return adw_toast_new (escaped);
}

/* Settings */

static void
on_combo_selected (AdwComboRow   *row,
                   GParamSpec    *pspec,
                   CsSheetDialog *self)
{
  const char *key = g_object_get_data (G_OBJECT (row), "settings-key");
  const char * const *nicks = g_object_get_data (G_OBJECT (row), "settings-nicks");
  guint selected = adw_combo_row_get_selected (row);

  if (selected < g_strv_length ((char **) nicks))
    g_settings_set_string (self->settings, key, nicks[selected]);
}

static void
select_by_setting (CsSheetDialog *self,
                   AdwComboRow   *row)
{
  const char *key = g_object_get_data (G_OBJECT (row), "settings-key");
  const char * const *nicks = g_object_get_data (G_OBJECT (row), "settings-nicks");
  g_autofree char *nick = g_settings_get_string (self->settings, key);

  for (guint i = 0; nicks[i] != NULL; i++)
    if (g_str_equal (nicks[i], nick) && adw_combo_row_get_selected (row) != i)
      adw_combo_row_set_selected (row, i);
}

static void
bind_combo (CsSheetDialog      *self,
            AdwComboRow        *row,
            const char         *key,
            const char * const *nicks)
{
  g_object_set_data_full (G_OBJECT (row), "settings-key", g_strdup (key), g_free);
  g_object_set_data (G_OBJECT (row), "settings-nicks", (gpointer) nicks);
  select_by_setting (self, row);
  g_signal_connect_object (row, "notify::selected", G_CALLBACK (on_combo_selected), self, 0);
}

static gboolean
get_landscape (GValue   *value,
               GVariant *variant,
               gpointer  user_data)
{
  g_value_set_uint (value, g_variant_get_boolean (variant) ? 1 : 0);
  return TRUE;
}

static GVariant *
set_landscape (const GValue       *value,
               const GVariantType *expected_type,
               gpointer            user_data)
{
  return g_variant_new_boolean (g_value_get_uint (value) == 1);
}

static GtkSwitch *
field_switch (CsSheetDialog *self,
              guint          i)
{
  GtkSwitch *switches[] = {
    self->name_switch, self->dims_switch, self->size_switch, self->date_switch, self->exposure_switch,
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (switches) == G_N_ELEMENTS (caption_fields));
  return switches[i];
}

static void
on_field_switched (CsSheetDialog *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) fields = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (caption_fields); i++)
    if (gtk_switch_get_active (field_switch (self, i)))
      g_strv_builder_add (builder, caption_fields[i].field);
  fields = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "sheet-caption-fields", (const char * const *) fields);
}

static void
show_caption_fields (CsSheetDialog *self)
{
  g_auto(GStrv) fields = g_settings_get_strv (self->settings, "sheet-caption-fields");

  for (guint i = 0; i < G_N_ELEMENTS (caption_fields); i++)
    {
      GtkSwitch *button = field_switch (self, i);

      g_signal_handlers_block_by_func (button, on_field_switched, self);
      gtk_switch_set_active (button, g_strv_contains ((const char * const *) fields, caption_fields[i].field));
      g_signal_handlers_unblock_by_func (button, on_field_switched, self);
    }
}

static void
on_settings_changed (GSettings     *settings,
                     const char    *key,
                     CsSheetDialog *self)
{
  if (g_str_equal (key, "sheet-paper"))
    select_by_setting (self, self->paper_row);
  else if (g_str_equal (key, "sort-order"))
    select_by_setting (self, self->sort_row);
  else if (g_str_equal (key, "sheet-format"))
    select_by_setting (self, self->format_row);
  else if (g_str_equal (key, "sheet-caption-fields"))
    show_caption_fields (self);
  else if (!g_str_has_prefix (key, "sheet-"))
    return;

  update_preview (self);
}

static void
bind_settings (CsSheetDialog *self)
{
  bind_combo (self, self->paper_row, "sheet-paper", paper_nicks);
  bind_combo (self, self->sort_row, "sort-order", sort_nicks);
  bind_combo (self, self->format_row, "sheet-format", format_nicks);
  g_settings_bind_with_mapping (self->settings, "sheet-landscape", self->orientation_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, get_landscape, set_landscape, NULL, NULL);
  g_settings_bind (self->settings, "sheet-columns",
                   gtk_spin_button_get_adjustment (self->columns_spin), "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "sheet-rows",
                   gtk_spin_button_get_adjustment (self->rows_spin), "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "sheet-title", self->title_row, "text", G_SETTINGS_BIND_DEFAULT);
  show_caption_fields (self);
  for (guint i = 0; i < G_N_ELEMENTS (caption_fields); i++)
    g_signal_connect_object (field_switch (self, i), "notify::active",
                             G_CALLBACK (on_field_switched), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed), self, 0);
}

/* The options as the settings say. */
static CsSheetOptions *
options_from_settings (GSettings *settings)
{
  CsSheetOptions *options = cs_sheet_options_new ();
  g_autofree char *paper = g_settings_get_string (settings, "sheet-paper");
  g_autofree char *title = g_settings_get_string (settings, "sheet-title");
  g_auto(GStrv) fields = g_settings_get_strv (settings, "sheet-caption-fields");
  g_autoptr(GString) caption = g_string_new (NULL);
  guint line = 0;

  if (g_str_equal (paper, "default"))
    cs_sheet_paper_from_locale (&options->paper_width_mm, &options->paper_height_mm);
  else
    cs_sheet_parse_paper (paper, &options->paper_width_mm, &options->paper_height_mm, NULL);
  options->landscape = g_settings_get_boolean (settings, "sheet-landscape");
  options->columns = g_settings_get_uint (settings, "sheet-columns");
  options->rows = g_settings_get_uint (settings, "sheet-rows");

  for (guint i = 0; i < G_N_ELEMENTS (caption_fields); i++)
    {
      if (!g_strv_contains ((const char * const *) fields, caption_fields[i].field))
        continue;
      if (caption->len > 0)
        g_string_append (caption, caption_fields[i].line == line ? " · " : "\n");
      g_string_append (caption, caption_fields[i].token);
      line = caption_fields[i].line;
    }
  g_free (options->caption);
  options->caption = g_string_free (g_steal_pointer (&caption), FALSE);

  if (title[0] != '\0')
    {
      g_free (options->title);
      options->title = g_steal_pointer (&title);
    }

  return options;
}

static CsSortOrder
sort_order (GSettings *settings)
{
  g_autofree char *nick = g_settings_get_string (settings, "sort-order");

  for (guint i = 0; sort_nicks[i] != NULL; i++)
    if (g_str_equal (sort_nicks[i], nick))
      return i;

  return CS_SORT_NAME;
}

static CsSheetFormat
sheet_format (GSettings *settings)
{
  g_autofree char *nick = g_settings_get_string (settings, "sheet-format");

  if (g_str_equal (nick, "png"))
    return CS_SHEET_FORMAT_PNG;
  if (g_str_equal (nick, "jpeg"))
    return CS_SHEET_FORMAT_JPEG;

  return CS_SHEET_FORMAT_PDF;
}

/* The preview */

static gpointer
copy_entry (gconstpointer entry,
            gpointer      user_data)
{
  return cs_sheet_entry_ref ((CsSheetEntry *) entry);
}

/* The images the sheet is of: the grid's, or its selected ones. */
static GListModel *
chosen_items (CsSheetDialog *self)
{
  if (gtk_switch_get_active (self->selection_switch) && gtk_widget_get_sensitive (self->selection_row))
    return self->selected;

  return self->items;
}

/* The cache's flavor for the cells: the smallest as large as a cell at the
 * sheet's resolution (a 128-pixel thumbnail is blurred on paper), never
 * smaller than the grid's. Thumbnails written beside the pictures have
 * one size only, the grid's. */
static CsFlavor
wanted_flavor (CsSheetDialog *self)
{
  g_autoptr(CsSheetOptions) options = options_from_settings (self->settings);
  g_autoptr(CsSheetLayout) layout = NULL;
  CsFlavor flavor = self->flavor;
  guint pixels;

  if (!self->in_cache)
    return flavor;
  layout = cs_sheet_layout_new (options, g_list_model_get_n_items (chosen_items (self)), NULL);
  if (layout == NULL)
    return flavor;

  pixels = cs_sheet_layout_get_image_pixels (layout, options->dpi);
  while (flavor < CS_FLAVOR_XX_LARGE && cs_flavor_get_size (flavor) < pixels)
    flavor++;

  return flavor;
}

/* A renderer of its own, and cells of its own, for each user: the preview
 * draws and the entries are sorted here while a sheet is written in a
 * thread. */
static CsSheetRenderer *
new_renderer (CsSheetDialog  *self,
              GError        **error)
{
  g_autoptr(CsSheetOptions) options = options_from_settings (self->settings);
  g_autoptr(GPtrArray) entries = g_ptr_array_copy (self->entries, copy_entry, NULL);

  g_ptr_array_set_free_func (entries, (GDestroyNotify) cs_sheet_entry_unref);
  return cs_sheet_renderer_new (options, entries, self->folder_name, error);
}

static void
update_preview (CsSheetDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *images = NULL;
  g_autofree char *pages = NULL;
  g_autofree char *text = NULL;
  guint n_pages;

  if (self->entries == NULL)
    return;

  cs_sheet_entries_sort (self->entries, sort_order (self->settings));
  g_clear_object (&self->renderer);
  g_clear_pointer (&self->preview_surface, cairo_surface_destroy);
  self->renderer = new_renderer (self, &error);
  gtk_widget_queue_draw (GTK_WIDGET (self->preview));
  gtk_widget_set_sensitive (self->export_button, self->renderer != NULL && !self->busy);

  if (self->renderer == NULL)
    {
      gtk_label_set_text (self->pages_label, error->message);
      return;
    }

  n_pages = cs_sheet_renderer_get_n_pages (self->renderer);
  images = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image", "%u images", self->entries->len),
                            self->entries->len);
  pages = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u page", "%u pages", n_pages), n_pages);
  /* TRANSLATORS: "24 images on 2 pages", under the sheet's preview */
  text = g_strdup_printf (_("%s on %s"), images, pages);
  gtk_label_set_text (self->pages_label, text);
  cs_trace ("sheet-preview %u images %u pages", self->entries->len, n_pages);

  /* Meanwhile the preview shows the smaller thumbnails. */
  if (wanted_flavor (self) > self->flavor)
    collect (self);
}

static void
draw_preview (GtkDrawingArea *area,
              cairo_t        *cr,
              int             width,
              int             height,
              gpointer        user_data)
{
  CsSheetDialog *self = user_data;
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (area));

  if (self->renderer == NULL)
    return;

  /* Drawn once per size and options, not on every frame: each draw
   * reads the page's thumbnails from the disk. */
  if (self->preview_surface == NULL ||
      cairo_image_surface_get_width (self->preview_surface) != width * scale ||
      cairo_image_surface_get_height (self->preview_surface) != height * scale)
    {
      cairo_t *page_cr;

      g_clear_pointer (&self->preview_surface, cairo_surface_destroy);
      self->preview_surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale, height * scale);
      cairo_surface_set_device_scale (self->preview_surface, scale, scale);
      page_cr = cairo_create (self->preview_surface);
      cs_sheet_renderer_draw_page_at_size (self->renderer, page_cr, 0, width, height, NULL, NULL);
      cairo_destroy (page_cr);
    }

  cairo_set_source_surface (cr, self->preview_surface, 0, 0);
  cairo_paint (cr);
}

/* Busy: collecting the thumbnails, writing, printing */

static gboolean
pulse (gpointer user_data)
{
  CsSheetDialog *self = user_data;

  gtk_progress_bar_pulse (self->progress);
  return G_SOURCE_CONTINUE;
}

static void
set_busy (CsSheetDialog *self,
          gboolean       busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->progress), busy);
  gtk_widget_set_sensitive (self->options_page, !busy);
  gtk_widget_set_sensitive (self->export_button, !busy && self->renderer != NULL);
  if (busy && self->pulse_id == 0)
    self->pulse_id = g_timeout_add (100, pulse, self);
  else if (!busy)
    g_clear_handle_id (&self->pulse_id, g_source_remove);
}

static void
on_collected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CsSheetDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = cs_sheet_entries_collect_finish (result, &error);

  /* Closed, or overtaken by a collection of larger thumbnails. */
  if (self->closed || g_task_get_cancellable (G_TASK (result)) != self->collecting)
    {
      g_clear_pointer (&entries, g_ptr_array_unref);
      return;
    }

  g_clear_object (&self->collecting);
  set_busy (self, FALSE);
  if (entries == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        update_preview (self);
      else
        gtk_label_set_text (self->pages_label, error->message);
      return;
    }

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  self->entries = entries;
  update_preview (self);
}

/* The cells again, with thumbnails of the flavor the options want; the
 * preview keeps the cells it has meanwhile. */
static void
collect (CsSheetDialog *self)
{
  g_autoptr(CsThumbnailer) thumbnailer = NULL;

  self->flavor = wanted_flavor (self);
  if (self->in_cache)
    thumbnailer = cs_thumbnailer_new_for_cache (self->flavor, NULL);
  else
    thumbnailer = g_object_ref (self->thumbnailer);

  if (self->collecting != NULL)
    g_cancellable_cancel (self->collecting);
  g_clear_object (&self->collecting);
  self->collecting = g_cancellable_new ();

  cs_trace ("sheet-thumbnails %s", self->in_cache ? cs_flavor_get_name (self->flavor) : "beside");
  gtk_label_set_text (self->pages_label, _("Making the thumbnails…"));
  set_busy (self, TRUE);
  cs_sheet_entries_collect_async (chosen_items (self), thumbnailer, self->collecting, on_collected, g_object_ref (self));
}

/* Export */

static void
on_open_clicked (AdwToast *toast,
                 GFile    *file)
{
  GtkWindow *window = g_object_get_data (G_OBJECT (toast), "window");
#if GTK_CHECK_VERSION (4, 10, 0)
  g_autoptr(GtkFileLauncher) launcher = gtk_file_launcher_new (file);

  gtk_file_launcher_launch (launcher, window, NULL, NULL, NULL);
#else
  g_autofree char *uri = g_file_get_uri (file);

  gtk_show_uri (window, uri, GDK_CURRENT_TIME);
#endif
}

/* On the main window, since this one closes: the sheet written, and its
 * first file to open. */
static void
announce (CsSheetDialog  *self,
          char          **paths)
{
  guint n_files = g_strv_length (paths);
  g_autofree char *text = NULL;
  AdwToast *toast;
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self->main_toasts), GTK_TYPE_WINDOW);

  if (n_files == 1)
    text = g_strdup (_("Contact sheet exported"));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Contact sheet exported as %u image",
                                         "Contact sheet exported as %u images", n_files), n_files);
  toast = toast_new (text);
  adw_toast_set_button_label (toast, _("_Open"));
  g_object_set_data (G_OBJECT (toast), "window", window);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (on_open_clicked),
                         g_file_new_for_path (paths[0]), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  adw_toast_overlay_add_toast (self->main_toasts, toast);
}

static void
on_written (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CsSheetDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = cs_sheet_writer_write_finish (result, &error);

  if (self->closed)
    return;

  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);
  update_preview (self);
  if (paths == NULL)
    {
      cs_trace ("sheet-failed %s", error->message);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_toast_overlay_add_toast (self->toast_overlay, toast_new (error->message));
      return;
    }

  for (guint i = 0; paths[i] != NULL; i++)
    cs_trace ("sheet-written %s", paths[i]);
  announce (self, paths);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
write_sheet (CsSheetDialog *self,
             GFile         *file)
{
  CsSheetFormat format = sheet_format (self->settings);
  g_autofree char *chosen = g_file_get_path (file);
  g_autofree char *path = NULL;
  g_autoptr(CsSheetRenderer) renderer = NULL;
  CsSheetFormat named;

  if (chosen == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, toast_new (_("Contact sheets are written to local files only")));
      return;
    }

  /* A name typed with one of the formats' extensions says the format, as
   * on the command line; else the dialog's format adds its own. */
  if (cs_sheet_format_from_path (chosen, &named, NULL))
    {
      format = named;
      path = g_steal_pointer (&chosen);
    }
  else
    path = g_strconcat (chosen, format_extensions[format], NULL);

  set_busy (self, TRUE);
  gtk_label_set_text (self->pages_label, _("Writing…"));
  renderer = new_renderer (self, NULL);
  self->cancellable = g_cancellable_new ();
  cs_sheet_writer_write_async (renderer, path, format, self->cancellable, on_written, g_object_ref (self));
}

#if GTK_CHECK_VERSION (4, 10, 0)
static void
on_file_chosen (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CsSheetDialog) self = user_data;
  g_autoptr(GFile) file = gtk_file_dialog_save_finish (GTK_FILE_DIALOG (object), result, NULL);

  if (file != NULL)
    write_sheet (self, file);
}
#else
static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     CsSheetDialog   *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        write_sheet (self, file);
    }

  g_object_unref (dialog);
}
#endif

static void
choose_file (CsSheetDialog *self)
{
  g_autofree char *name = g_strconcat (self->folder_name, format_extensions[sheet_format (self->settings)], NULL);
#if GTK_CHECK_VERSION (4, 10, 0)
  g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();

  gtk_file_dialog_set_title (dialog, _("Save Contact Sheet"));
  gtk_file_dialog_set_accept_label (dialog, _("_Save"));
  gtk_file_dialog_set_initial_name (dialog, name);
  gtk_file_dialog_save (dialog, GTK_WINDOW (self), NULL, on_file_chosen, g_object_ref (self));
#else
  /* The native chooser talks to the file chooser portal inside a flatpak. */
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new (_("Save Contact Sheet"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_chooser_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
#endif
}

/* Print */

static void
on_printed (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CsSheetDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  GtkPrintOperationResult printed = cs_sheet_print_finish (result, &error);

  if (self->closed)
    return;

  set_busy (self, FALSE);
  if (printed == GTK_PRINT_OPERATION_RESULT_ERROR)
    adw_toast_overlay_add_toast (self->toast_overlay, toast_new (error->message));
  else if (printed == GTK_PRINT_OPERATION_RESULT_APPLY)
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_export_clicked (CsSheetDialog *self)
{
  if (self->renderer == NULL || self->busy)
    return;

  if (self->mode == CS_SHEET_DIALOG_PRINT)
    {
      set_busy (self, TRUE);
      cs_sheet_print_async (self->renderer, GTK_WINDOW (self), on_printed, g_object_ref (self));
    }
  else
    choose_file (self);
}

/* Cancel stops what runs (the thumbnails, the writing), else closes. */
static void
on_cancel_clicked (CsSheetDialog *self)
{
  if (self->collecting != NULL && self->entries != NULL)
    {
      g_cancellable_cancel (self->collecting);
      return;
    }
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      return;
    }

  gtk_window_close (GTK_WINDOW (self));
}

/* Closing stops what runs: the tasks hold the dialog until they end, so
 * they are told here, not at dispose. */
static void
stop (CsSheetDialog *self)
{
  self->closed = TRUE;
  if (self->collecting != NULL)
    g_cancellable_cancel (self->collecting);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->pulse_id, g_source_remove);
}

static gboolean
cs_sheet_dialog_close_request (GtkWindow *window)
{
  stop (CS_SHEET_DIALOG (window));

  return GTK_WINDOW_CLASS (cs_sheet_dialog_parent_class)->close_request (window);
}

static void
cs_sheet_dialog_dispose (GObject *object)
{
  CsSheetDialog *self = (CsSheetDialog *)object;

  stop (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_SHEET_DIALOG);

  g_clear_object (&self->collecting);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->renderer);
  g_clear_pointer (&self->preview_surface, cairo_surface_destroy);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_object (&self->settings);
  g_clear_object (&self->items);
  g_clear_object (&self->selected);
  g_clear_object (&self->thumbnailer);
  g_clear_object (&self->main_toasts);
  g_clear_pointer (&self->folder_name, g_free);

  G_OBJECT_CLASS (cs_sheet_dialog_parent_class)->dispose (object);
}

static void
cs_sheet_dialog_class_init (CsSheetDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_sheet_dialog_dispose;
  GTK_WINDOW_CLASS (klass)->close_request = cs_sheet_dialog_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/contactsheet/ContactSheet/cs-sheet-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, preview);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, pages_label);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, progress);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, options_page);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, file_group);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, paper_row);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, orientation_row);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, columns_spin);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, rows_spin);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, title_row);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, sort_row);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, selection_row);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, selection_switch);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, name_switch);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, dims_switch);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, size_switch);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, date_switch);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, exposure_switch);
  gtk_widget_class_bind_template_child (widget_class, CsSheetDialog, format_row);
  gtk_widget_class_bind_template_callback (widget_class, on_export_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cs_sheet_dialog_init (CsSheetDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drawing_area_set_draw_func (self->preview, draw_preview, self, NULL);
}

static GListModel *
selected_items (GListModel *items)
{
  GListStore *selected = g_list_store_new (CS_TYPE_ITEM);
  g_autoptr(GtkBitset) set = NULL;
  GtkBitsetIter iter;
  guint position;

  if (!GTK_IS_SELECTION_MODEL (items))
    return G_LIST_MODEL (selected);

  set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (items));
  for (gboolean more = gtk_bitset_iter_init_first (&iter, set, &position);
       more;
       more = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(GObject) item = g_list_model_get_item (items, position);

      g_list_store_append (selected, item);
    }

  return G_LIST_MODEL (selected);
}

/**
 * cs_sheet_dialog_present:
 * @items: the grid's items, in its order; when it is the grid's selection
 *   model, the sheet may be of the selected ones only
 * @thumbnailer: the one the grid's thumbnails come from
 * @folder_name: the default title
 * @toast_overlay: the main window's, for the news that the sheet is written
 *
 * Shows the dialog over @parent, for an export or for print.
 */
GtkWidget *
cs_sheet_dialog_present (GtkWindow         *parent,
                         GSettings         *settings,
                         GListModel        *items,
                         CsThumbnailer     *thumbnailer,
                         const char        *folder_name,
                         AdwToastOverlay   *toast_overlay,
                         CsSheetDialogMode  mode)
{
  CsSheetDialog *self = g_object_new (CS_TYPE_SHEET_DIALOG,
                                     "transient-for", parent,
                                     "destroy-with-parent", TRUE,
                                     NULL);
  int output_mode, flavor;

  self->settings = g_object_ref (settings);
  self->items = g_object_ref (items);
  self->thumbnailer = g_object_ref (thumbnailer);
  g_object_get (thumbnailer, "mode", &output_mode, "flavor", &flavor, NULL);
  self->in_cache = output_mode == CS_OUTPUT_CACHE;
  self->flavor = flavor;
  self->folder_name = g_strdup (folder_name);
  self->main_toasts = g_object_ref (toast_overlay);
  self->mode = mode;

  if (mode == CS_SHEET_DIALOG_PRINT)
    {
      gtk_window_set_title (GTK_WINDOW (self), _("Print Contact Sheet"));
      gtk_button_set_label (GTK_BUTTON (self->export_button), _("_Print…"));
      gtk_widget_set_visible (self->file_group, FALSE);
    }

  /* Selecting several images before asking for a sheet says which: the
   * sheet is of them, unless the switch says otherwise. */
  self->selected = selected_items (items);
  if (g_list_model_get_n_items (self->selected) > 1)
    {
      gtk_widget_set_sensitive (self->selection_row, TRUE);
      gtk_switch_set_active (self->selection_switch, TRUE);
    }
  g_signal_connect_object (self->selection_switch, "notify::active", G_CALLBACK (collect),
                           self, G_CONNECT_SWAPPED);

  bind_settings (self);
  collect (self);
  gtk_window_present (GTK_WINDOW (self));

  return GTK_WIDGET (self);
}
