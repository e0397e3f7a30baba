/* cs-status-bar.c: the running total under the grid
 *
 * "312 of 1,204 · 14.2 MB written · 2 failed", a progress bar while the
 * loader runs, and a button to the failures when there are any. When more
 * than one image is selected, how many: "… · 3 selected".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-status-bar"

#include "config.h"

#include "cs-status-bar.h"

#include <glib/gi18n.h>

#include "cs-trace.h"

/* The line changes at most this often. It is a GtkInscription, whose size
 * does not follow its text: a GtkLabel's new text would queue a resize up
 * to the window, and GTK would measure the window again each time. */
#define STATUS_INTERVAL_MS 100

struct _CsStatusBar
{
  GtkWidget       parent_instance;

  GtkInscription *label;
  GtkProgressBar *progress_bar;
  GtkButton      *failures_button;

  CsFolderLoader *loader;
  GtkSelectionModel *selection;
  char           *text;
  guint           source;
};

G_DEFINE_FINAL_TYPE (CsStatusBar, cs_status_bar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
format_count (char  *buffer,
              gsize  size,
              guint  value)
{
  /* Thousands grouped as the locale does: 1,204 or 1 204. */
  g_snprintf (buffer, size, "%'u", value);
}

/* Shows the loader's total now. */
void
cs_status_bar_update (CsStatusBar *self)
{
  CsFolderLoader *loader = self->loader;
  g_autofree char *bytes = NULL;
  g_autofree char *text = NULL;
  g_autofree char *failed = NULL;
  guint n_done, n_failed, n_submitted, finished, n_failures;
  gboolean running;
  char done_text[32], total_text[32], finished_text[32];

  g_return_if_fail (CS_IS_STATUS_BAR (self));

  g_clear_handle_id (&self->source, g_source_remove);
  if (loader == NULL)
    return;

  n_done = cs_folder_loader_get_n_done (loader);
  n_failed = cs_folder_loader_get_n_failed (loader);
  n_submitted = cs_folder_loader_get_n_submitted (loader);
  n_failures = cs_folder_loader_get_failures (loader)->len;
  running = cs_folder_loader_get_running (loader);
  finished = n_done + n_failed;
  bytes = g_format_size (cs_folder_loader_get_bytes_written (loader));

  format_count (done_text, sizeof done_text, n_done);
  format_count (total_text, sizeof total_text, n_submitted);
  format_count (finished_text, sizeof finished_text, finished);

  failed = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u failed", "%u failed", n_failed), n_failed);

  if (running)
    {
      /* Translators: "312 of 1,204 · 14.2 MB written · 2 failed" */
      text = g_strdup_printf (_("%s of %s · %s written · %s"), finished_text, total_text, bytes, failed);
      gtk_progress_bar_set_fraction (self->progress_bar,
                                     n_submitted ? (double) finished / n_submitted : 0.0);
    }
  else if (cs_folder_loader_get_stopped (loader))
    {
      /* Translators: "Stopped · 312 of 1,204 · 14.2 MB written · 2 failed" */
      text = g_strdup_printf (_("Stopped · %s of %s · %s written · %s"),
                              finished_text, total_text, bytes, failed);
    }
  else
    {
      g_autofree char *thumbnails =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s thumbnail", "%s thumbnails", n_done),
                         done_text);

      /* Translators: "1,204 thumbnails · 48.1 MB written · 2 failed" */
      text = g_strdup_printf (_("%s · %s written · %s"), thumbnails, bytes, failed);
    }

  if (self->selection != NULL)
    {
      g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (self->selection);
      guint64 n_selected = gtk_bitset_get_size (selected);

      if (n_selected > 1)
        {
          char selected_text[32];
          g_autofree char *line = NULL;

          format_count (selected_text, sizeof selected_text, n_selected);
          /* Translators: "%s selected" is a number of images, "3 selected" */
          line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s selected", "%s · %s selected",
                                               n_selected),
                                  text, selected_text);
          g_free (text);
          text = g_steal_pointer (&line);
        }
    }

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), running);

  if (n_failures > 0)
    {
      g_autofree char *label =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Show %u Failure…", "Show %u Failures…", n_failures),
                         n_failures);

      gtk_button_set_label (self->failures_button, label);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->failures_button), n_failures > 0);

  if (g_strcmp0 (text, self->text) != 0)
    {
      g_free (self->text);
      self->text = g_steal_pointer (&text);
      gtk_inscription_set_text (self->label, self->text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, self->text,
                                      -1);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
    }
}

static gboolean
on_timeout (gpointer user_data)
{
  CsStatusBar *self = user_data;

  self->source = 0;
  cs_status_bar_update (self);

  return G_SOURCE_REMOVE;
}

/* While results pour in, the line is redrawn a few times a second; any
 * other change (start, stop, finish) shows at once. */
static void
on_progress (CsStatusBar *self)
{
  if (self->source == 0)
    self->source = g_timeout_add (STATUS_INTERVAL_MS, on_timeout, self);
}

void
cs_status_bar_set_loader (CsStatusBar    *self,
                          CsFolderLoader *loader)
{
  g_return_if_fail (CS_IS_STATUS_BAR (self));
  g_return_if_fail (loader == NULL || CS_IS_FOLDER_LOADER (loader));

  if (self->loader != NULL)
    g_signal_handlers_disconnect_by_data (self->loader, self);
  g_set_object (&self->loader, loader);
  if (loader == NULL)
    return;

  g_signal_connect_object (loader, "progress", G_CALLBACK (on_progress), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (loader, "notify::running", G_CALLBACK (cs_status_bar_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (loader, "notify::stopped", G_CALLBACK (cs_status_bar_update), self, G_CONNECT_SWAPPED);
  cs_status_bar_update (self);
}

static void
on_selection_changed (CsStatusBar *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (self->selection);

  cs_trace ("selection %" G_GUINT64_FORMAT, gtk_bitset_get_size (selected));
  cs_status_bar_update (self);
}

/* The grid's selection, whose size the line ends with. */
void
cs_status_bar_set_selection (CsStatusBar       *self,
                             GtkSelectionModel *selection)
{
  g_return_if_fail (CS_IS_STATUS_BAR (self));
  g_return_if_fail (selection == NULL || GTK_IS_SELECTION_MODEL (selection));

  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_set_object (&self->selection, selection);
  if (selection == NULL)
    return;

  g_signal_connect_object (selection, "selection-changed", G_CALLBACK (on_selection_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (selection, "items-changed", G_CALLBACK (on_progress), self, G_CONNECT_SWAPPED);
  cs_status_bar_update (self);
}

const char *
cs_status_bar_get_text (CsStatusBar *self)
{
  g_return_val_if_fail (CS_IS_STATUS_BAR (self), NULL);

  return self->text;
}

static void
cs_status_bar_dispose (GObject *object)
{
  CsStatusBar *self = (CsStatusBar *)object;

  g_clear_handle_id (&self->source, g_source_remove);
  if (self->loader != NULL)
    g_signal_handlers_disconnect_by_data (self->loader, self);
  g_clear_object (&self->loader);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_STATUS_BAR);

  G_OBJECT_CLASS (cs_status_bar_parent_class)->dispose (object);
}

static void
cs_status_bar_finalize (GObject *object)
{
  CsStatusBar *self = (CsStatusBar *)object;

  g_free (self->text);

  G_OBJECT_CLASS (cs_status_bar_parent_class)->finalize (object);
}

static void
cs_status_bar_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CsStatusBar *self = CS_STATUS_BAR (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_status_bar_class_init (CsStatusBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_status_bar_dispose;
  object_class->finalize = cs_status_bar_finalize;
  object_class->get_property = cs_status_bar_get_property;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/contactsheet/ContactSheet/cs-status-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, CsStatusBar, label);
  gtk_widget_class_bind_template_child (widget_class, CsStatusBar, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CsStatusBar, failures_button);
}

static void
cs_status_bar_init (CsStatusBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
