/* cs-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-application"

#include "config.h"

#include "cs-application.h"

#include <glib/gi18n.h>

#include "cs-preferences-window.h"
#include "cs-window.h"

struct _CsApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (CsApplication, cs_application, ADW_TYPE_APPLICATION)

static CsWindow *
get_window (CsApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (CS_IS_WINDOW (window))
    return CS_WINDOW (window);

  return cs_window_new (GTK_APPLICATION (self), self->settings);
}

/* No folder given: the last one, else Pictures, else the empty state. */
static GFile *
default_folder (CsApplication *self)
{
  g_autofree char *last = g_settings_get_string (self->settings, "last-folder");
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);

  if (last[0] != '\0')
    {
      g_autoptr(GFile) folder = g_file_new_for_uri (last);

      if (g_file_query_file_type (folder, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY)
        return g_steal_pointer (&folder);
    }

  if (pictures != NULL && g_file_test (pictures, G_FILE_TEST_IS_DIR))
    return g_file_new_for_path (pictures);

  return NULL;
}

static void
cs_application_activate (GApplication *application)
{
  CsApplication *self = CS_APPLICATION (application);
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));
  CsWindow *window;
  g_autoptr(GFile) folder = NULL;

  if (active != NULL)
    {
      gtk_window_present (active);
      return;
    }

  window = cs_window_new (GTK_APPLICATION (self), self->settings);
  folder = default_folder (self);
  if (folder != NULL)
    cs_window_open_folder (window, folder);
  gtk_window_present (GTK_WINDOW (window));
}

static void
cs_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  CsApplication *self = CS_APPLICATION (application);
  CsWindow *window = get_window (self);

  GFileType type = g_file_query_file_type (files[0], G_FILE_QUERY_INFO_NONE, NULL);

  if (n_files == 1 && type == G_FILE_TYPE_DIRECTORY)
    cs_window_open_folder (window, files[0]);
  else if (n_files == 1 && type == G_FILE_TYPE_UNKNOWN)
    {
      /* A mistyped path: say so, rather than show one failed image. */
      g_autofree char *name = g_file_get_parse_name (files[0]);
      g_autofree char *message = g_strdup_printf (_("“%s” does not exist"), name);

      cs_window_show_message (window, message);
    }
  else
    cs_window_open_files (window, files, n_files);

  gtk_window_present (GTK_WINDOW (window));
}

/**
 * cs_application_show_about:
 *
 * Shows the About dialog over @parent (an #AdwAboutDialog where libadwaita
 * has it, else an #AdwAboutWindow) and returns it.
 */
GtkWidget *
cs_application_show_about (GtkWindow *parent)
{
  const char *developers[] = { _("The Contact Sheet developers"), NULL };
#if ADW_CHECK_VERSION (1, 5, 0)
  AdwDialog *about = adw_about_dialog_new ();
#else
  GtkWidget *about = adw_about_window_new ();
#endif

  g_object_set (about,
                "application-name", _("Contact Sheet"),
                "application-icon", APP_ID,
                "version", PACKAGE_VERSION,
                "developer-name", _("The Contact Sheet developers"),
                "developers", developers,
                "license-type", GTK_LICENSE_GPL_3_0,
                "comments", _("Thumbnails of a whole folder, fast, shared with your desktop"),
                "website", "https://github.com/contactsheet/ContactSheet",
                "issue-url", "https://github.com/contactsheet/ContactSheet/issues",
                "translator-credits", _("translator-credits"),
                NULL);

#if ADW_CHECK_VERSION (1, 5, 0)
  adw_dialog_present (about, GTK_WIDGET (parent));
  return GTK_WIDGET (about);
#else
  gtk_window_set_transient_for (GTK_WINDOW (about), parent);
  gtk_window_set_modal (GTK_WINDOW (about), TRUE);
  gtk_window_present (GTK_WINDOW (about));
  return about;
#endif
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  CsApplication *self = user_data;

  cs_application_show_about (gtk_application_get_active_window (GTK_APPLICATION (self)));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  CsApplication *self = user_data;

  cs_preferences_window_show (gtk_application_get_active_window (GTK_APPLICATION (self)), self->settings);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (user_data));

  /* Closing each window stops its work without waiting for it. */
  for (GList *l = g_list_copy (windows), *next; l != NULL; l = next)
    {
      next = l->next;
      gtk_window_close (l->data);
      g_list_free_1 (l);
    }
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "preferences", preferences_action },
  { "quit", quit_action },
};

static void
cs_application_startup (GApplication *application)
{
  CsApplication *self = CS_APPLICATION (application);
  static const struct {
    const char *action;
    const char *accels[4];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "win.open-folder", { "<Control>o", NULL } },
    { "win.export-sheet", { "<Control>e", NULL } },
    { "win.print-sheet", { "<Control>p", NULL } },
    { "win.stop", { "Escape", NULL } },
    { "win.reload", { "F5", "<Control>r", NULL } },
    { "win.zoom-in", { "<Control>plus", "<Control>equal", NULL } },
    { "win.zoom-out", { "<Control>minus", NULL } },
    { "win.zoom-reset", { "<Control>0", NULL } },
    { "win.search", { "<Control>f", NULL } },
    { "win.go-up", { "<Alt>Up", NULL } },
    { "win.go-back", { "<Alt>Left", NULL } },
    { "win.include-subfolders", { "<Control><Shift>i", NULL } },
  };

  G_APPLICATION_CLASS (cs_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);

  gtk_window_set_default_icon_name (APP_ID);
}

static void
cs_application_dispose (GObject *object)
{
  CsApplication *self = (CsApplication *)object;

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cs_application_parent_class)->dispose (object);
}

static void
cs_application_class_init (CsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = cs_application_dispose;
  app_class->activate = cs_application_activate;
  app_class->open = cs_application_open;
  app_class->startup = cs_application_startup;
}

static void
cs_application_init (CsApplication *self)
{
  self->settings = g_settings_new (APP_ID);
}

CsApplication *
cs_application_new (void)
{
  return g_object_new (CS_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/contactsheet/ContactSheet",
                       NULL);
}
