/* cs-folder-history.c: the folders shown before, for going back
 *
 * Each folder left for another is pushed; Back pops the newest. GIO only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-folder-history"

#include "config.h"

#include "cs-folder-history.h"

/* Enough to walk back a day's browsing; older steps are dropped. */
#define MAX_STEPS 100

struct _CsFolderHistory
{
  GObject    parent_instance;

  GPtrArray *back;   /* GFile, oldest first */
};

G_DEFINE_FINAL_TYPE (CsFolderHistory, cs_folder_history, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CAN_GO_BACK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* @folder is left for another one. */
void
cs_folder_history_push (CsFolderHistory *self,
                        GFile           *folder)
{
  g_return_if_fail (CS_IS_FOLDER_HISTORY (self));
  g_return_if_fail (G_IS_FILE (folder));

  if (self->back->len == MAX_STEPS)
    g_ptr_array_remove_index (self->back, 0);
  g_ptr_array_add (self->back, g_object_ref (folder));
  if (self->back->len == 1)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_GO_BACK]);
}

/**
 * cs_folder_history_pop:
 *
 * Returns: (transfer full) (nullable): the folder shown last before the
 * current one, taken off the history.
 */
GFile *
cs_folder_history_pop (CsFolderHistory *self)
{
  GFile *folder;

  g_return_val_if_fail (CS_IS_FOLDER_HISTORY (self), NULL);

  if (self->back->len == 0)
    return NULL;

  folder = g_ptr_array_steal_index (self->back, self->back->len - 1);
  if (self->back->len == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_GO_BACK]);

  return folder;
}

gboolean
cs_folder_history_get_can_go_back (CsFolderHistory *self)
{
  g_return_val_if_fail (CS_IS_FOLDER_HISTORY (self), FALSE);

  return self->back->len > 0;
}

static void
cs_folder_history_finalize (GObject *object)
{
  CsFolderHistory *self = (CsFolderHistory *)object;

  g_ptr_array_unref (self->back);

  G_OBJECT_CLASS (cs_folder_history_parent_class)->finalize (object);
}

static void
cs_folder_history_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CsFolderHistory *self = CS_FOLDER_HISTORY (object);

  switch (prop_id)
    {
    case PROP_CAN_GO_BACK:
      g_value_set_boolean (value, cs_folder_history_get_can_go_back (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_folder_history_class_init (CsFolderHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cs_folder_history_finalize;
  object_class->get_property = cs_folder_history_get_property;

  properties[PROP_CAN_GO_BACK] =
    g_param_spec_boolean ("can-go-back", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_folder_history_init (CsFolderHistory *self)
{
  self->back = g_ptr_array_new_with_free_func (g_object_unref);
}

CsFolderHistory *
cs_folder_history_new (void)
{
  return g_object_new (CS_TYPE_FOLDER_HISTORY, NULL);
}
