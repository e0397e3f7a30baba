/* cs-path-bar.c: where the open folder is, one button per folder up to it
 *
 * Breadcrumbs: the home folder (or the file system's root) and each folder
 * below it down to the open one, a button each; clicking one asks for that
 * folder through "folder-chosen". The open folder's own button is the
 * last, and does nothing. GtkBox and buttons: GTK 4.8 has no path bar of
 * its own to offer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-path-bar"

#include "config.h"

#include "cs-path-bar.h"

#include <adwaita.h>
#include <glib/gi18n.h>

struct _CsPathBar
{
  GtkWidget  parent_instance;

  GtkWidget *scroller;
  GtkWidget *box;
  GFile     *folder;
};

G_DEFINE_FINAL_TYPE (CsPathBar, cs_path_bar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_FOLDER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  FOLDER_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_button_clicked (GtkButton *button,
                   CsPathBar *self)
{
  GFile *folder = g_object_get_data (G_OBJECT (button), "folder");

  g_signal_emit (self, signals[FOLDER_CHOSEN], 0, folder);
}

static void
add_button (CsPathBar  *self,
            GFile      *folder,
            const char *label,
            const char *icon_name,
            gboolean    current)
{
  GtkWidget *button = gtk_button_new ();

  if (gtk_widget_get_first_child (self->box) != NULL)
    {
      GtkWidget *separator = gtk_label_new (G_DIR_SEPARATOR_S);

      gtk_widget_add_css_class (separator, "dim-label");
      gtk_box_append (GTK_BOX (self->box), separator);
    }

  if (label == NULL)
    {
      gtk_button_set_icon_name (GTK_BUTTON (button), icon_name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, g_file_peek_path (folder), -1);
    }
  else if (icon_name != NULL)
    {
      GtkWidget *content = adw_button_content_new ();

      adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), icon_name);
      adw_button_content_set_label (ADW_BUTTON_CONTENT (content), label);
      gtk_button_set_child (GTK_BUTTON (button), content);
    }
  else
    gtk_button_set_label (GTK_BUTTON (button), label);

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, g_file_peek_path (folder));
  g_object_set_data_full (G_OBJECT (button), "folder", g_object_ref (folder), g_object_unref);
  if (current)
    {
      gtk_widget_add_css_class (button, "current");
      gtk_accessible_update_state (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_STATE_SELECTED, TRUE, -1);
    }
  else
    g_signal_connect (button, "clicked", G_CALLBACK (on_button_clicked), self);

  gtk_box_append (GTK_BOX (self->box), button);
}

static gboolean
scroll_to_end (gpointer data)
{
  CsPathBar *self = data;
  GtkAdjustment *adjustment =
    gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (self->scroller));

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));

  return G_SOURCE_REMOVE;
}

static void
rebuild (CsPathBar *self)
{
  g_autoptr(GFile) home = g_file_new_for_path (g_get_home_dir ());
  g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func (g_object_unref);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->box)) != NULL)
    gtk_box_remove (GTK_BOX (self->box), child);

  if (self->folder == NULL)
    return;

  /* From the open folder up to home, or to the root outside home. */
  for (GFile *f = g_object_ref (self->folder); f != NULL; )
    {
      gboolean is_home = g_file_equal (f, home);

      g_ptr_array_insert (chain, 0, f);
      if (is_home)
        break;
      f = g_file_get_parent (f);
    }

  for (guint i = 0; i < chain->len; i++)
    {
      GFile *folder = g_ptr_array_index (chain, i);
      gboolean current = i + 1 == chain->len;
      g_autofree char *basename = g_file_get_basename (folder);
      g_autofree char *display = g_filename_display_name (basename);

      if (g_file_equal (folder, home))
        add_button (self, folder, _("Home"), "user-home-symbolic", current);
      else if (g_file_has_parent (folder, NULL))
        add_button (self, folder, display, NULL, current);
      else
        /* The root: its name is the separator after it. */
        add_button (self, folder, NULL, "drive-harddisk-symbolic", current);
    }

  /* The open folder in view once the new buttons have their width. */
  g_idle_add_full (G_PRIORITY_LOW, scroll_to_end, g_object_ref (self), g_object_unref);
}

GFile *
cs_path_bar_get_folder (CsPathBar *self)
{
  g_return_val_if_fail (CS_IS_PATH_BAR (self), NULL);

  return self->folder;
}

/* %NULL: no folder is open (nothing, or files one by one). */
void
cs_path_bar_set_folder (CsPathBar *self,
                        GFile     *folder)
{
  g_return_if_fail (CS_IS_PATH_BAR (self));
  g_return_if_fail (folder == NULL || G_IS_FILE (folder));

  if (self->folder == folder || (self->folder != NULL && folder != NULL && g_file_equal (self->folder, folder)))
    return;

  g_set_object (&self->folder, folder);
  rebuild (self);
  gtk_widget_set_visible (GTK_WIDGET (self), folder != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLDER]);
}

static void
cs_path_bar_dispose (GObject *object)
{
  CsPathBar *self = (CsPathBar *)object;

  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->folder);

  G_OBJECT_CLASS (cs_path_bar_parent_class)->dispose (object);
}

static void
cs_path_bar_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CsPathBar *self = CS_PATH_BAR (object);

  switch (prop_id)
    {
    case PROP_FOLDER:
      g_value_set_object (value, self->folder);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_path_bar_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CsPathBar *self = CS_PATH_BAR (object);

  switch (prop_id)
    {
    case PROP_FOLDER:
      cs_path_bar_set_folder (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_path_bar_class_init (CsPathBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_path_bar_dispose;
  object_class->get_property = cs_path_bar_get_property;
  object_class->set_property = cs_path_bar_set_property;

  properties[PROP_FOLDER] =
    g_param_spec_object ("folder", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A button was clicked: the folder it stands for, an ancestor of the
   * open one. */
  signals[FOLDER_CHOSEN] = g_signal_new ("folder-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_FILE);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cs-path-bar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
cs_path_bar_init (CsPathBar *self)
{
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller),
                                  GTK_POLICY_EXTERNAL, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (self->scroller), TRUE);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), self->box);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Location"),
                                  -1);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
cs_path_bar_new (void)
{
  return g_object_new (CS_TYPE_PATH_BAR, NULL);
}
