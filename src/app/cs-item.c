/* cs-item.c: one image (or sub-folder) in the grid
 *
 * Items hold what the grid shows and notify when it changes; cells follow
 * them and never poll. Only the main thread touches items. An image found
 * below the open folder knows its folder relative to it, which groups the
 * grid and tells people where it lives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-item"

#include "config.h"

#include "cs-item.h"

#include <string.h>

#include <glib/gi18n.h>

struct _CsItem
{
  GObject       parent_instance;

  GFile        *file;
  /* Most names are the file's own: then a pointer into the path @file
   * keeps, not a copy (2 MB for 100,000 images) */
  const char   *name;
  char         *collate_key;
  gint64        mtime;
  goffset       size;

  /* Interned and shared by every item of one folder; %NULL: the open folder */
  char         *relative_dir;
  char         *dir_key;

  CsItemKind    kind;
  CsItemState   state;
  gboolean      name_owned;
  GdkPaintable *thumbnail;
  double        duration;       /* a video's length in seconds; 0: a picture */
  char         *error_message;
  CsItemCounts *counts;         /* borrowed from the model that holds it */
};

G_DEFINE_FINAL_TYPE (CsItem, cs_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FILE,
  PROP_NAME,
  PROP_STATE,
  PROP_THUMBNAIL,
  PROP_ERROR_MESSAGE,
  PROP_STATE_TEXT,
  PROP_KIND,
  PROP_CAPTION,
  PROP_DURATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cs_item_finalize (GObject *object)
{
  CsItem *self = (CsItem *)object;

  g_clear_object (&self->file);
  g_clear_object (&self->thumbnail);
  if (self->name_owned)
    g_free ((char *) self->name);
  g_free (self->collate_key);
  g_free (self->error_message);
  g_clear_pointer (&self->relative_dir, g_ref_string_release);
  g_clear_pointer (&self->dir_key, g_ref_string_release);

  G_OBJECT_CLASS (cs_item_parent_class)->finalize (object);
}

static void
cs_item_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  CsItem *self = CS_ITEM (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_THUMBNAIL:
      g_value_set_object (value, self->thumbnail);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    case PROP_STATE_TEXT:
      g_value_take_string (value, cs_item_dup_state_text (self));
      break;
    case PROP_KIND:
      g_value_set_int (value, self->kind);
      break;
    case PROP_CAPTION:
      g_value_take_string (value, cs_item_dup_caption (self));
      break;
    case PROP_DURATION:
      g_value_set_double (value, self->duration);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_item_class_init (CsItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = cs_item_finalize;
  object_class->get_property = cs_item_get_property;

  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE, ro);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, CS_ITEM_PENDING, CS_ITEM_NOT_MADE, CS_ITEM_PENDING, ro);
  properties[PROP_THUMBNAIL] =
    g_param_spec_object ("thumbnail", NULL, NULL, GDK_TYPE_PAINTABLE, ro);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL, ro);
  properties[PROP_STATE_TEXT] =
    g_param_spec_string ("state-text", NULL, NULL, NULL, ro);
  properties[PROP_KIND] =
    g_param_spec_int ("kind", NULL, NULL, CS_ITEM_KIND_IMAGE, CS_ITEM_KIND_FOLDER, CS_ITEM_KIND_IMAGE, ro);
  /* The name, after the folder below the open one that holds it */
  properties[PROP_CAPTION] =
    g_param_spec_string ("caption", NULL, NULL, NULL, ro);
  /* A video's length in seconds, from its thumbnail; 0 for a picture */
  properties[PROP_DURATION] =
    g_param_spec_double ("duration", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_item_init (CsItem *self)
{
}

/* The name as people read it: valid UTF-8 even when the bytes are not, and
 * a newline in a name shown rather than obeyed. */
static char *
display_name_for (GFile     *file,
                  GFileInfo *info)
{
  g_autofree char *basename = NULL;
  g_autofree char *display = NULL;

  if (info != NULL && g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME))
    display = g_strdup (g_file_info_get_display_name (info));
  else
    {
      basename = g_file_get_basename (file);
      display = g_filename_display_name (basename);
    }

  g_strdelimit (display, "\n\r\t", ' ');

  return g_steal_pointer (&display);
}

/* The key, in a block of its own size: GLib builds it in a GString, whose
 * slack can be as large as the key, and a folder may hold 100,000 names. */
static char *
dup_collate_key (const char *name)
{
  g_autofree char *key = g_utf8_collate_key_for_filename (name, -1);

  return g_strdup (key);
}

CsItem *
cs_item_new (GFile     *file,
             GFileInfo *info)
{
  CsItem *self;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_object_new (CS_TYPE_ITEM, NULL);
  self->file = g_object_ref (file);
  {
    char *display = display_name_for (file, info);
    const char *path = g_file_peek_path (file);
    const char *slash = path != NULL ? strrchr (path, G_DIR_SEPARATOR) : NULL;

    if (slash != NULL && strcmp (slash + 1, display) == 0)
      {
        self->name = slash + 1;
        g_free (display);
      }
    else
      {
        self->name = display;
        self->name_owned = TRUE;
      }
  }
  self->collate_key = dup_collate_key (self->name);
  if (info != NULL)
    cs_item_set_info (self, info);

  return self;
}

/**
 * cs_item_new_folder:
 *
 * The tile of a sub-folder of the open folder: shown and opened, never
 * thumbnailed.
 */
CsItem *
cs_item_new_folder (GFile     *file,
                    GFileInfo *info)
{
  CsItem *self = cs_item_new (file, info);

  self->kind = CS_ITEM_KIND_FOLDER;

  return self;
}

void
cs_item_set_info (CsItem    *self,
                  GFileInfo *info)
{
  g_return_if_fail (CS_IS_ITEM (self));
  g_return_if_fail (G_IS_FILE_INFO (info));

  if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_TIME_MODIFIED))
    self->mtime = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED);
  if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_STANDARD_SIZE))
    self->size = g_file_info_get_size (info);
}

GFile *
cs_item_get_file (CsItem *self)
{
  g_return_val_if_fail (CS_IS_ITEM (self), NULL);
  return self->file;
}

CsItemKind
cs_item_get_kind (CsItem *self)
{
  g_return_val_if_fail (CS_IS_ITEM (self), CS_ITEM_KIND_IMAGE);
  return self->kind;
}

gboolean
cs_item_is_folder (CsItem *self)
{
  g_return_val_if_fail (CS_IS_ITEM (self), FALSE);
  return self->kind == CS_ITEM_KIND_FOLDER;
}

/* Where the image lives, relative to the open folder ("2024/June"); %NULL
 * in the open folder itself. */
const char *
cs_item_get_relative_dir (CsItem *self)
{
  g_return_val_if_fail (CS_IS_ITEM (self), NULL);
  return self->relative_dir;
}

/* Sorts folders in path order with strcmp(): each component's collation
 * key, in hex so that no byte of it sorts before the '/' that ends a
 * component; a folder then comes before its sub-folders and before any
 * sibling whose name it starts. "" for the open folder, first of all. */
static char *
dup_dir_key (const char *relative_dir)
{
  g_auto(GStrv) components = g_strsplit (relative_dir, G_DIR_SEPARATOR_S, -1);
  g_autoptr(GString) key = g_string_new (NULL);

  for (guint i = 0; components[i] != NULL; i++)
    {
      g_autofree char *display = g_filename_display_name (components[i]);
      g_autofree char *collate = g_utf8_collate_key_for_filename (display, -1);

      if (i > 0)
        g_string_append_c (key, '/');
      for (const guchar *p = (const guchar *) collate; *p != '\0'; p++)
        g_string_append_printf (key, "%02x", *p);
    }

  return g_string_free (g_steal_pointer (&key), FALSE);
}

const char *
cs_item_get_dir_key (CsItem *self)
{
  g_return_val_if_fail (CS_IS_ITEM (self), "");
  return self->dir_key != NULL ? self->dir_key : "";
}

/**
 * cs_item_set_relative_dir:
 *
 * The image's folder below the open one, as the scan found it ("" or
 * %NULL: the open folder itself). Set before the item joins the grid: it
 * decides where the item sorts.
 */
void
cs_item_set_relative_dir (CsItem     *self,
                          const char *relative_dir)
{
  g_return_if_fail (CS_IS_ITEM (self));

  if (relative_dir != NULL && relative_dir[0] == '\0')
    relative_dir = NULL;
  if (g_strcmp0 (relative_dir, self->relative_dir) == 0)
    return;

  g_clear_pointer (&self->relative_dir, g_ref_string_release);
  g_clear_pointer (&self->dir_key, g_ref_string_release);
  if (relative_dir != NULL)
    {
      /* A scan finds a folder's images one after the other: its key is
       * made once, not once per image. Main thread only, as items are. */
      static char *last_dir, *last_key;

      if (g_strcmp0 (relative_dir, last_dir) != 0)
        {
          g_autofree char *key = dup_dir_key (relative_dir);

          g_clear_pointer (&last_dir, g_ref_string_release);
          g_clear_pointer (&last_key, g_ref_string_release);
          /* Interned: a thousand images of one folder share both strings. */
          last_dir = g_ref_string_new_intern (relative_dir);
          last_key = g_ref_string_new_intern (key);
        }
      self->relative_dir = g_ref_string_acquire (last_dir);
      self->dir_key = g_ref_string_acquire (last_key);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPTION]);
}

/* "2024/June/photo.jpg" below the open folder, "photo.jpg" in it. */
char *
cs_item_dup_caption (CsItem *self)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (CS_IS_ITEM (self), NULL);

  if (self->relative_dir == NULL)
    return g_strdup (self->name);

  dir = g_filename_display_name (self->relative_dir);

  return g_strconcat (dir, G_DIR_SEPARATOR_S, self->name, NULL);
}

const char *
cs_item_get_name (CsItem *self)
{
  g_return_val_if_fail (CS_IS_ITEM (self), NULL);
  return self->name;
}

const char *
cs_item_get_collate_key (CsItem *self)
{
  g_return_val_if_fail (CS_IS_ITEM (self), NULL);
  return self->collate_key;
}

gint64
cs_item_get_mtime (CsItem *self)
{
  g_return_val_if_fail (CS_IS_ITEM (self), 0);
  return self->mtime;
}

goffset
cs_item_get_size (CsItem *self)
{
  g_return_val_if_fail (CS_IS_ITEM (self), 0);
  return self->size;
}

CsItemState
cs_item_get_state (CsItem *self)
{
  g_return_val_if_fail (CS_IS_ITEM (self), CS_ITEM_PENDING);
  return self->state;
}

GdkPaintable *
cs_item_get_thumbnail (CsItem *self)
{
  g_return_val_if_fail (CS_IS_ITEM (self), NULL);
  return self->thumbnail;
}

const char *
cs_item_get_error_message (CsItem *self)
{
  g_return_val_if_fail (CS_IS_ITEM (self), NULL);
  return self->error_message;
}

/* For screen readers: the name and what became of it. */
char *
cs_item_dup_state_text (CsItem *self)
{
  g_return_val_if_fail (CS_IS_ITEM (self), NULL);

  if (self->kind == CS_ITEM_KIND_FOLDER)
    /* Translators: a sub-folder's tile in the grid */
    return g_strdup_printf (_("%s, folder"), self->name);

  switch (self->state)
    {
    case CS_ITEM_PENDING:
      /* Translators: an image in the grid whose thumbnail is being made */
      return g_strdup_printf (_("%s, thumbnail pending"), self->name);
    case CS_ITEM_DONE:
      return g_strdup_printf (_("%s, thumbnail ready"), self->name);
    case CS_ITEM_FAILED:
      return g_strdup_printf (_("%s, failed: %s"), self->name,
                              self->error_message ? self->error_message : "");
    case CS_ITEM_NOT_MADE:
      return g_strdup_printf (_("%s, thumbnail not made"), self->name);
    default:
      g_assert_not_reached ();
    }
}

/* g_set_str() is GLib 2.76; we build on 2.74. */
static gboolean
replace_str (char       **field,
             const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);

  return TRUE;
}

static void
set_state (CsItem      *self,
           CsItemState  state)
{
  if (self->state == state)
    return;

  if (self->counts != NULL)
    {
      self->counts->n[self->state]--;
      self->counts->n[state]++;
    }
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_TEXT]);
}

static void
set_error_message (CsItem     *self,
                   const char *message)
{
  if (replace_str (&self->error_message, message))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

static void
set_thumbnail (CsItem       *self,
               GdkPaintable *thumbnail)
{
  if (g_set_object (&self->thumbnail, thumbnail))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THUMBNAIL]);
}

/* The pixels come and go with the texture cache's budget; the state stays,
 * and the thumbnail file is read back when a cell shows the item again. */
void
cs_item_set_thumbnail (CsItem       *self,
                       GdkPaintable *thumbnail)
{
  g_return_if_fail (CS_IS_ITEM (self));

  set_thumbnail (self, thumbnail);
}

/* @counts (%NULL: none) counts this item from now on; the one before
 * no longer does. */
void
cs_item_set_counts (CsItem       *self,
                    CsItemCounts *counts)
{
  g_return_if_fail (CS_IS_ITEM (self));

  if (self->counts != NULL)
    self->counts->n[self->state]--;
  self->counts = counts;
  if (counts != NULL)
    counts->n[self->state]++;
}

double
cs_item_get_duration (CsItem *self)
{
  g_return_val_if_fail (CS_IS_ITEM (self), 0);

  return self->duration;
}

/* Known once the thumbnail is made or found in the cache
 * (Thumb::Movie::Length); it stays while the pixels come and go. */
void
cs_item_set_duration (CsItem *self,
                      double  duration)
{
  g_return_if_fail (CS_IS_ITEM (self));

  if (self->duration == duration)
    return;

  self->duration = duration;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
}

void
cs_item_set_pending (CsItem *self)
{
  g_return_if_fail (CS_IS_ITEM (self));

  g_object_freeze_notify (G_OBJECT (self));
  set_error_message (self, NULL);
  set_state (self, CS_ITEM_PENDING);
  g_object_thaw_notify (G_OBJECT (self));
}

void
cs_item_set_done (CsItem       *self,
                  GdkPaintable *thumbnail)
{
  g_return_if_fail (CS_IS_ITEM (self));

  g_object_freeze_notify (G_OBJECT (self));
  set_thumbnail (self, thumbnail);
  set_error_message (self, NULL);
  set_state (self, CS_ITEM_DONE);
  g_object_thaw_notify (G_OBJECT (self));
}

void
cs_item_set_failed (CsItem     *self,
                    const char *message)
{
  g_return_if_fail (CS_IS_ITEM (self));

  g_object_freeze_notify (G_OBJECT (self));
  set_thumbnail (self, NULL);
  set_error_message (self, message);
  set_state (self, CS_ITEM_FAILED);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Stopped before its turn: a thumbnail made earlier stays. */
void
cs_item_set_not_made (CsItem *self)
{
  g_return_if_fail (CS_IS_ITEM (self));

  if (self->state == CS_ITEM_PENDING && self->kind == CS_ITEM_KIND_IMAGE)
    set_state (self, CS_ITEM_NOT_MADE);
}
