/* cs-preferences-window.c: thumbnail size, where thumbnails go, workers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-preferences-window"

#include "config.h"

#include "cs-preferences-window.h"

#include <glib/gi18n.h>

#if ADW_CHECK_VERSION (1, 5, 0)
#define PARENT_TYPE ADW_TYPE_PREFERENCES_DIALOG
#else
#define PARENT_TYPE ADW_TYPE_PREFERENCES_WINDOW
#endif

/* The template's width and height: a dialog's content size, or a window's. */
#define WIDTH 520
#define HEIGHT 420

struct _CsPreferencesWindow
{
#if ADW_CHECK_VERSION (1, 5, 0)
  AdwPreferencesDialog  parent_instance;
#else
  AdwPreferencesWindow  parent_instance;
#endif

  GSettings            *settings;
  AdwComboRow          *size_row;
  AdwComboRow          *output_row;
  GtkSpinButton        *workers_spin;
};

G_DEFINE_FINAL_TYPE (CsPreferencesWindow, cs_preferences_window, PARENT_TYPE)

/* The rows' choices, in the order of their lists (ui/), by the nick of the
 * setting's enum (the gschema in data/). */
static const char * const size_nicks[] = { "normal", "large", "x-large", "xx-large", NULL };
static const char * const output_nicks[] = { "cache", "beside", NULL };

static void
on_selected_changed (AdwComboRow *row,
                     GParamSpec  *pspec,
                     GSettings   *settings)
{
  const char *key = g_object_get_data (G_OBJECT (row), "settings-key");
  const char * const *nicks = g_object_get_data (G_OBJECT (row), "settings-nicks");
  guint selected = adw_combo_row_get_selected (row);

  if (selected < g_strv_length ((char **) nicks))
    g_settings_set_string (settings, key, nicks[selected]);
}

static void
on_setting_changed (GSettings   *settings,
                    const char  *key,
                    AdwComboRow *row)
{
  const char * const *nicks = g_object_get_data (G_OBJECT (row), "settings-nicks");
  g_autofree char *nick = g_settings_get_string (settings, key);

  for (guint i = 0; nicks[i] != NULL; i++)
    if (g_str_equal (nicks[i], nick) && adw_combo_row_get_selected (row) != i)
      adw_combo_row_set_selected (row, i);
}

static void
bind_enum (CsPreferencesWindow *self,
           const char          *key,
           const char * const  *nicks,
           AdwComboRow         *row)
{
  g_autofree char *signal = g_strconcat ("changed::", key, NULL);

  g_object_set_data_full (G_OBJECT (row), "settings-key", g_strdup (key), g_free);
  g_object_set_data (G_OBJECT (row), "settings-nicks", (gpointer) nicks);
  on_setting_changed (self->settings, key, row);
  g_signal_connect_object (self->settings, signal, G_CALLBACK (on_setting_changed), row, 0);
  g_signal_connect_object (row, "notify::selected", G_CALLBACK (on_selected_changed), self->settings, 0);
}

static void
cs_preferences_window_dispose (GObject *object)
{
  CsPreferencesWindow *self = (CsPreferencesWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cs_preferences_window_parent_class)->dispose (object);
}

static void
cs_preferences_window_class_init (CsPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/contactsheet/ContactSheet/cs-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, size_row);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, output_row);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, workers_spin);
}

static void
cs_preferences_window_init (CsPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
#if ADW_CHECK_VERSION (1, 5, 0)
  adw_dialog_set_content_width (ADW_DIALOG (self), WIDTH);
  adw_dialog_set_content_height (ADW_DIALOG (self), HEIGHT);
#else
  gtk_window_set_default_size (GTK_WINDOW (self), WIDTH, HEIGHT);
#endif
}

static void
bind_settings (CsPreferencesWindow *self)
{
  bind_enum (self, "thumbnail-size", size_nicks, self->size_row);
  bind_enum (self, "output-mode", output_nicks, self->output_row);
  g_settings_bind (self->settings, "workers",
                   gtk_spin_button_get_adjustment (self->workers_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
}

/**
 * cs_preferences_window_show:
 *
 * Shows the preferences over @parent, with @settings (the application's;
 * %NULL: opened here), and returns them.
 */
GtkWidget *
cs_preferences_window_show (GtkWindow *parent,
                            GSettings *settings)
{
  CsPreferencesWindow *self = g_object_new (CS_TYPE_PREFERENCES_WINDOW, NULL);

  self->settings = settings != NULL ? g_object_ref (settings) : g_settings_new (APP_ID);
  bind_settings (self);

#if ADW_CHECK_VERSION (1, 5, 0)
  adw_dialog_present (ADW_DIALOG (self), GTK_WIDGET (parent));
#else
  gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_present (GTK_WINDOW (self));
#endif

  return GTK_WIDGET (self);
}
