/* cs-beside-confirm.c: asks before thumbnails are written into a folder
 *
 * The "beside each image" output writes a file next to every picture, in
 * the person's own folder: that is theirs to allow, folder by folder. This
 * object holds the answers for this session and says whether the open
 * folder may be written into (write-beside); until it may, its thumbnails
 * go to the shared cache, which is the default anyway.
 *
 * It asks when the setting is switched to "beside" with a folder open, and
 * when a folder is opened while the setting is on, once the folder's scan
 * has counted its pictures: "Write 5,000 thumbnails into “Holiday”?".
 * Cancel after switching the setting puts the setting back to the cache,
 * as the person did not want what it does; Cancel after opening a folder
 * leaves the setting alone and keeps that folder in the cache for this
 * session (the next folder asks again).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-beside-confirm"

#include "config.h"

#include "cs-beside-confirm.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cs-trace.h"

struct _CsBesideConfirm
{
  GObject     parent_instance;

  GtkWindow  *parent;      /* weak */
  GSettings  *settings;
  GFile      *folder;      /* the open folder, if a folder is open */
  guint       n_images;
  gboolean    counted;     /* n_images is the folder's, scanned */
  GHashTable *confirmed;   /* GFile: the folders the person said yes for */
  GHashTable *declined;    /* GFile: the folders opened and kept out of */
  GtkWidget  *dialog;      /* the question shown, if any */
  gboolean    from_setting;
  gboolean    write_beside;
};

G_DEFINE_FINAL_TYPE (CsBesideConfirm, cs_beside_confirm, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_WRITE_BESIDE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
setting_is_beside (CsBesideConfirm *self)
{
  g_autofree char *mode = g_settings_get_string (self->settings, "output-mode");

  return g_str_equal (mode, "beside");
}

static void
update (CsBesideConfirm *self)
{
  gboolean write_beside = self->folder != NULL && setting_is_beside (self) &&
                          g_hash_table_contains (self->confirmed, self->folder);

  if (write_beside == self->write_beside)
    return;

  self->write_beside = write_beside;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WRITE_BESIDE]);
}

static void
close_dialog (CsBesideConfirm *self)
{
  g_autoptr(GtkWidget) dialog = g_steal_pointer (&self->dialog);

  if (dialog == NULL)
    return;

  g_signal_handlers_disconnect_by_data (dialog, self);
#if ADW_CHECK_VERSION (1, 5, 0)
  adw_dialog_force_close (ADW_DIALOG (dialog));
#else
  gtk_window_destroy (GTK_WINDOW (dialog));
#endif
}

static void
on_response (GtkWidget       *dialog,
             const char      *response,
             CsBesideConfirm *self)
{
  gboolean write = g_str_equal (response, "write");

  cs_trace ("beside-answer %s", write ? "write" : "cancel");
  g_signal_handlers_disconnect_by_data (dialog, self);
  g_clear_object (&self->dialog);

  if (self->folder == NULL)
    return;

  if (write)
    g_hash_table_add (self->confirmed, g_object_ref (self->folder));
  else if (self->from_setting)
    g_settings_set_string (self->settings, "output-mode", "cache");
  else
    g_hash_table_add (self->declined, g_object_ref (self->folder));

  update (self);
}

static void
ask (CsBesideConfirm *self)
{
  g_autofree char *basename = g_file_get_basename (self->folder);
  g_autofree char *name = g_filename_display_name (basename);
  g_autofree char *where = g_file_get_parse_name (self->folder);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  char count[32];
  GtkWidget *dialog;

  /* Thousands grouped as the locale does: 5,000 or 5 000. */
  g_snprintf (count, sizeof count, "%'u", self->n_images);
  /* Translators: "Write 5,000 thumbnails into “Holiday”?" */
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "Write %s thumbnail into “%s”?",
                                          "Write %s thumbnails into “%s”?",
                                          self->n_images),
                             count, name);
  if (g_settings_get_boolean (self->settings, "include-subfolders"))
    body = g_strdup_printf (_("Each picture gets a file next to it, such as “photo.thumb.jpg”, "
                              "in %s and in every folder below it. Thumbnails in the shared "
                              "cache leave the folders as they are."),
                            where);
  else
    body = g_strdup_printf (_("Each picture gets a file next to it, such as “photo.thumb.jpg”, "
                              "in %s. Thumbnails in the shared cache leave the folder as it is."),
                            where);

  cs_trace ("beside-ask %u %s", self->n_images, name);

#if ADW_CHECK_VERSION (1, 5, 0)
  dialog = GTK_WIDGET (adw_alert_dialog_new (heading, body));
  adw_alert_dialog_add_responses (ADW_ALERT_DIALOG (dialog),
                                  "cancel", _("_Cancel"),
                                  "write", _("_Write Thumbnails"),
                                  NULL);
  adw_alert_dialog_set_response_appearance (ADW_ALERT_DIALOG (dialog), "write", ADW_RESPONSE_SUGGESTED);
  /* Enter and Escape both keep the folder as it is. */
  adw_alert_dialog_set_default_response (ADW_ALERT_DIALOG (dialog), "cancel");
  adw_alert_dialog_set_close_response (ADW_ALERT_DIALOG (dialog), "cancel");
#else
  dialog = adw_message_dialog_new (self->parent, heading, body);
  /* Its title is what window lists and tests see. */
  gtk_window_set_title (GTK_WINDOW (dialog), heading);
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "write", _("_Write Thumbnails"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "write", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
#endif

  self->dialog = g_object_ref_sink (dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), self);

#if ADW_CHECK_VERSION (1, 5, 0)
  adw_dialog_present (ADW_DIALOG (dialog), GTK_WIDGET (self->parent));
#else
  gtk_window_present (GTK_WINDOW (dialog));
#endif
}

/* Asks, unless there is nothing to ask: no folder, nothing in it to
 * write, the setting off, a yes already, or a no to this very question. */
static void
maybe_ask (CsBesideConfirm *self,
           gboolean         from_setting)
{
  if (self->dialog != NULL || self->folder == NULL || !self->counted ||
      self->n_images == 0 || self->parent == NULL || !setting_is_beside (self) ||
      g_hash_table_contains (self->confirmed, self->folder) ||
      (!from_setting && g_hash_table_contains (self->declined, self->folder)))
    return;

  self->from_setting = from_setting;
  ask (self);
}

static void
on_output_mode_changed (CsBesideConfirm *self)
{
  if (setting_is_beside (self))
    maybe_ask (self, TRUE);
  else
    close_dialog (self);

  update (self);
}

/**
 * cs_beside_confirm_set_folder:
 * @folder: (nullable): the folder opened, or %NULL for images opened one
 *   by one, which are never written beside
 *
 * A question about another folder is withdrawn; the pictures of @folder
 * are counted by its scan (cs_beside_confirm_set_n_images()).
 */
void
cs_beside_confirm_set_folder (CsBesideConfirm *self,
                              GFile           *folder)
{
  g_return_if_fail (CS_IS_BESIDE_CONFIRM (self));
  g_return_if_fail (folder == NULL || G_IS_FILE (folder));

  if (self->folder == NULL || folder == NULL || !g_file_equal (self->folder, folder))
    close_dialog (self);

  g_set_object (&self->folder, folder);
  self->counted = FALSE;
  self->n_images = 0;
  update (self);
}

/* The folder's scan found @n_images pictures: the number to ask about. */
void
cs_beside_confirm_set_n_images (CsBesideConfirm *self,
                                guint            n_images)
{
  g_return_if_fail (CS_IS_BESIDE_CONFIRM (self));

  self->n_images = n_images;
  self->counted = TRUE;
  maybe_ask (self, FALSE);
}

/* Whether the open folder's thumbnails may be written beside its
 * pictures: the setting says so and the person said yes. */
gboolean
cs_beside_confirm_get_write_beside (CsBesideConfirm *self)
{
  g_return_val_if_fail (CS_IS_BESIDE_CONFIRM (self), FALSE);

  return self->write_beside;
}

static void
cs_beside_confirm_dispose (GObject *object)
{
  CsBesideConfirm *self = (CsBesideConfirm *)object;

  close_dialog (self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_clear_weak_pointer (&self->parent);
  g_clear_object (&self->folder);

  G_OBJECT_CLASS (cs_beside_confirm_parent_class)->dispose (object);
}

static void
cs_beside_confirm_finalize (GObject *object)
{
  CsBesideConfirm *self = (CsBesideConfirm *)object;

  g_hash_table_unref (self->confirmed);
  g_hash_table_unref (self->declined);

  G_OBJECT_CLASS (cs_beside_confirm_parent_class)->finalize (object);
}

static void
cs_beside_confirm_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CsBesideConfirm *self = CS_BESIDE_CONFIRM (object);

  switch (prop_id)
    {
    case PROP_WRITE_BESIDE:
      g_value_set_boolean (value, self->write_beside);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_beside_confirm_class_init (CsBesideConfirmClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_beside_confirm_dispose;
  object_class->finalize = cs_beside_confirm_finalize;
  object_class->get_property = cs_beside_confirm_get_property;

  properties[PROP_WRITE_BESIDE] =
    g_param_spec_boolean ("write-beside", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_beside_confirm_init (CsBesideConfirm *self)
{
  self->confirmed = g_hash_table_new_full (g_file_hash, (GEqualFunc) g_file_equal, g_object_unref, NULL);
  self->declined = g_hash_table_new_full (g_file_hash, (GEqualFunc) g_file_equal, g_object_unref, NULL);
}

/* Asks over @parent, about the output-mode setting of @settings. */
CsBesideConfirm *
cs_beside_confirm_new (GtkWindow *parent,
                       GSettings *settings)
{
  CsBesideConfirm *self;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (CS_TYPE_BESIDE_CONFIRM, NULL);
  g_set_weak_pointer (&self->parent, parent);
  self->settings = g_object_ref (settings);
  g_signal_connect_object (settings, "changed::output-mode",
                           G_CALLBACK (on_output_mode_changed), self, G_CONNECT_SWAPPED);

  return self;
}
