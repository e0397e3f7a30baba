/* cs-texture-cache.c: the pixels cells show, within a budget
 *
 * Pixels are kept for the cells on screen and, beyond them, for the most
 * recently seen thumbnails up to a budget; the rest are read back from
 * their thumbnail files when a cell shows them again, on-screen cells
 * first (the window says which those are: cs_texture_cache_set_visible()).
 * After a scroll, GTK binds the cells around the new place before the frame
 * that says which of them are on screen; until then (the window holds the
 * cache: cs_texture_cache_hold_off_screen()) only what was on screen reads.
 * A cell whose thumbnail is still being made in a larger flavour
 * (on a HiDPI screen, or zoomed in) shows a smaller one the cache already
 * has, its stand-in, until its own is there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-texture-cache"

#include "config.h"

#include "cs-texture-cache.h"

#include "cs-cache.h"
#include "cs-texture.h"

/* A few screens of 128-pixel cells: a folder of 100,000 images costs what
 * a folder of 1,000 does. */
#define TEXTURE_BUDGET (16 * 1024 * 1024)

/* Thumbnails read back at once. GTK keeps a few hundred cells bound
 * around what it shows; reading them all at once would make the ones on
 * screen wait behind the others. */
#define MAX_LOADS 4

/* How long cells off screen wait for the frame that says what is on screen
 * (a window that draws no frame, minimized, shows nothing either way). */
#define HOLD_MS 1000

typedef struct
{
  CsItem  *item;
  guint64  bytes;
} TextureEntry;

typedef struct
{
  GWeakRef  cache;
  CsItem   *item;
  char     *path;
  /* A stand-in's load: the smaller flavours' files, largest first */
  GPtrArray *stand_in_paths;
  char      *uri;
  gint64     mtime;
  goffset    size;
} LoadData;

struct _CsTextureCache
{
  GObject        parent_instance;

  CsGridModel   *model;
  CsTraceProbe  *probe;         /* borrowed: the window owns both */
  CsThumbnailer *thumbnailer;   /* where thumbnails are read back from */

  GQueue         textures;      /* TextureEntry, oldest first */
  GHashTable    *links;         /* CsItem -> GList link in textures */
  guint64        bytes;
  GHashTable    *loading;       /* CsItem whose thumbnail is being read */
  GHashTable    *to_load;       /* CsItem shown without pixels, weak */
  GPtrArray     *visible;       /* CsItem on screen, in reading order */
  GHashTable    *stand_ins;     /* CsItem -> its stand-in GdkTexture, or NULL: none */
  guint          load_source;
  guint          hold_source;   /* while set, off-screen cells wait */
  GCancellable  *cancellable;
};

G_DEFINE_FINAL_TYPE (CsTextureCache, cs_texture_cache, G_TYPE_OBJECT)

static void
texture_entry_free (TextureEntry *entry)
{
  g_object_unref (entry->item);
  g_free (entry);
}

static void
unref_stand_in (gpointer texture)
{
  if (texture != NULL)
    g_object_unref (texture);
}

static gboolean
shows_stand_in (CsTextureCache *self,
                CsItem         *item)
{
  GdkPaintable *thumbnail = cs_item_get_thumbnail (item);

  return thumbnail != NULL && thumbnail == g_hash_table_lookup (self->stand_ins, item);
}

/* Pixels to read for @item: its own thumbnail's once made, a stand-in's
 * (looked for once) while it is being made. */
static gboolean
wants_pixels (CsTextureCache *self,
              CsItem         *item)
{
  /* A sub-folder's tile shows an icon, never a thumbnail. */
  if (cs_item_is_folder (item))
    return FALSE;

  switch (cs_item_get_state (item))
    {
    case CS_ITEM_DONE:
      return cs_item_get_thumbnail (item) == NULL || shows_stand_in (self, item);
    case CS_ITEM_PENDING:
      return cs_item_get_thumbnail (item) == NULL && !g_hash_table_contains (self->stand_ins, item);
    case CS_ITEM_FAILED:
    case CS_ITEM_NOT_MADE:
    default:
      return FALSE;
    }
}

void
cs_texture_cache_forget (CsTextureCache *self,
                         CsItem         *item)
{
  GList *link;
  TextureEntry *entry;

  g_return_if_fail (CS_IS_TEXTURE_CACHE (self));

  link = g_hash_table_lookup (self->links, item);
  if (link == NULL)
    return;

  entry = link->data;
  self->bytes -= entry->bytes;
  g_hash_table_remove (self->links, item);
  g_queue_delete_link (&self->textures, link);
  texture_entry_free (entry);
}

static void
evict (CsTextureCache *self)
{
  guint n = self->textures.length;

  for (guint i = 0; i < n && self->bytes > TEXTURE_BUDGET; i++)
    {
      GList *link = self->textures.head;
      TextureEntry *entry = link->data;

      /* What a cell shows stays, and counts as just seen: the next
       * eviction does not walk past it again. */
      if (cs_grid_model_get_n_shown (self->model, entry->item) > 0)
        {
          g_queue_unlink (&self->textures, link);
          g_queue_push_tail_link (&self->textures, link);
        }
      else
        {
          g_autoptr(CsItem) item = g_object_ref (entry->item);

          cs_texture_cache_forget (self, item);
          cs_item_set_thumbnail (item, NULL);
          g_hash_table_remove (self->stand_ins, item);
        }
    }
}

/* Counts @item's thumbnail against the budget, as the most recent one. */
static void
remember (CsTextureCache *self,
          CsItem         *item)
{
  GdkPaintable *paintable = cs_item_get_thumbnail (item);
  TextureEntry *entry;

  cs_texture_cache_forget (self, item);
  if (paintable == NULL)
    return;

  entry = g_new0 (TextureEntry, 1);
  entry->item = g_object_ref (item);
  entry->bytes = (guint64) gdk_paintable_get_intrinsic_width (paintable) *
                 gdk_paintable_get_intrinsic_height (paintable) * 4;
  self->bytes += entry->bytes;
  g_queue_push_tail (&self->textures, entry);
  g_hash_table_insert (self->links, item, self->textures.tail);

  evict (self);
}

static void
touch (CsTextureCache *self,
       CsItem         *item)
{
  GList *link = g_hash_table_lookup (self->links, item);

  if (link == NULL || link == self->textures.tail)
    return;

  g_queue_unlink (&self->textures, link);
  g_queue_push_tail_link (&self->textures, link);
}

void
cs_texture_cache_clear (CsTextureCache *self)
{
  g_return_if_fail (CS_IS_TEXTURE_CACHE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  g_hash_table_remove_all (self->loading);
  g_hash_table_remove_all (self->to_load);
  g_ptr_array_set_size (self->visible, 0);
  g_hash_table_remove_all (self->stand_ins);
  g_hash_table_remove_all (self->links);
  g_queue_clear_full (&self->textures, (GDestroyNotify) texture_entry_free);
  self->bytes = 0;
}

static void
load_data_free (LoadData *data)
{
  g_weak_ref_clear (&data->cache);
  g_object_unref (data->item);
  g_free (data->path);
  g_clear_pointer (&data->stand_in_paths, g_ptr_array_unref);
  g_free (data->uri);
  g_free (data);
}

/* A thumbnail file read back is a PNG (or, beside the images, a JPEG) that
 * GTK's own loaders read in this process. Through GdkPixbuf it would cost,
 * where gdk-pixbuf decodes through glycin, a loader process per thumbnail. */
static void
load_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  LoadData *data = task_data;
  GError *error = NULL;
  GdkTexture *texture;

  /* Only a stand-in that is still valid for the image: its file may have
   * changed since. */
  if (data->stand_in_paths != NULL)
    {
      for (guint i = 0; i < data->stand_in_paths->len; i++)
        {
          const char *path = g_ptr_array_index (data->stand_in_paths, i);

          if (cs_cache_entry_is_valid (path, data->uri, data->mtime, data->size, NULL) &&
              (texture = gdk_texture_new_from_filename (path, NULL)) != NULL)
            {
              g_task_return_pointer (task, texture, g_object_unref);
              return;
            }
        }
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  texture = gdk_texture_new_from_filename (data->path, &error);

  if (texture != NULL)
    g_task_return_pointer (task, texture, g_object_unref);
  else
    g_task_return_error (task, error);
}

static void start_loads (CsTextureCache *self);
static void maybe_load  (CsTextureCache *self,
                         CsItem         *item);

/* A stand-in was looked for: it shows if nothing else does yet. */
static void
put_stand_in (CsTextureCache *self,
              CsItem         *item,
              GdkTexture     *texture)
{
  CsItemState state = cs_item_get_state (item);

  g_hash_table_insert (self->stand_ins, item, texture ? g_object_ref (texture) : NULL);
  if (texture == NULL || cs_item_get_thumbnail (item) != NULL ||
      (state != CS_ITEM_PENDING && state != CS_ITEM_DONE))
    return;

  cs_item_set_thumbnail (item, GDK_PAINTABLE (texture));
  remember (self, item);
  /* Its own was made meanwhile without pixels, and waited for this read. */
  if (state == CS_ITEM_DONE)
    maybe_load (self, item);
}

/* The flavours smaller than the one being made, largest first; %NULL when
 * thumbnails are not the cache's or none is smaller. */
static GPtrArray *
find_stand_in_paths (CsTextureCache *self,
                     CsItem         *item)
{
  g_autofree char *cache_dir = NULL;
  g_autofree char *uri = NULL;
  GPtrArray *paths;
  int mode, flavor;

  g_object_get (self->thumbnailer, "mode", &mode, "flavor", &flavor, "cache-dir", &cache_dir, NULL);
  if (mode != CS_OUTPUT_CACHE || flavor == CS_FLAVOR_NORMAL)
    return NULL;

  uri = cs_cache_uri_for_file (cs_item_get_file (item));
  paths = g_ptr_array_new_with_free_func (g_free);
  for (int smaller = flavor - 1; smaller >= CS_FLAVOR_NORMAL; smaller--)
    g_ptr_array_add (paths, cs_cache_thumbnail_path (cache_dir, smaller, uri));

  return paths;
}

/* The trace names each picture as its cell gets pixels: the bench tells
 * from it when the first screen was complete. */
static void
show (CsTextureCache *self,
      CsItem         *item,
      GdkTexture     *texture)
{
  cs_item_set_thumbnail (item, GDK_PAINTABLE (texture));
  remember (self, item);
  cs_trace_probe_note_shown (self->probe);

  if (cs_trace_enabled ())
    {
      g_autofree char *name = g_file_get_basename (cs_item_get_file (item));

      cs_trace ("shown %.1f ms: %s", cs_trace_probe_get_elapsed (self->probe), name);
    }
}

static void
on_thumbnail_loaded (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  LoadData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(CsTextureCache) self = g_weak_ref_get (&data->cache);
  g_autoptr(GdkTexture) texture = g_task_propagate_pointer (G_TASK (result), NULL);

  if (self == NULL || g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  g_hash_table_remove (self->loading, data->item);

  if (data->stand_in_paths != NULL)
    {
      if (cs_grid_model_contains (self->model, data->item))
        put_stand_in (self, data->item, texture);
    }
  else if (texture != NULL && cs_grid_model_contains (self->model, data->item) &&
           cs_item_get_state (data->item) == CS_ITEM_DONE &&
           (cs_item_get_thumbnail (data->item) == NULL || shows_stand_in (self, data->item)))
    {
      g_hash_table_remove (self->stand_ins, data->item);
      show (self, data->item, texture);
    }

  start_loads (self);
}

/* Reads @item's thumbnail back if a cell still shows it without pixels. */
static void
start_load (CsTextureCache *self,
            CsItem         *item)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) stand_in_paths = NULL;
  LoadData *data;

  if (cs_grid_model_get_n_shown (self->model, item) == 0 ||
      !wants_pixels (self, item) ||
      self->thumbnailer == NULL ||
      g_hash_table_contains (self->loading, item))
    return;

  if (cs_item_get_state (item) != CS_ITEM_DONE)
    {
      stand_in_paths = find_stand_in_paths (self, item);
      if (stand_in_paths == NULL)
        {
          g_hash_table_insert (self->stand_ins, item, NULL);
          return;
        }
    }

  g_hash_table_add (self->loading, item);

  data = g_new0 (LoadData, 1);
  g_weak_ref_init (&data->cache, self);
  data->item = g_object_ref (item);
  data->path = cs_thumbnailer_get_output_path (self->thumbnailer, cs_item_get_file (item), NULL);
  if (stand_in_paths != NULL)
    {
      data->stand_in_paths = g_steal_pointer (&stand_in_paths);
      data->uri = cs_cache_uri_for_file (cs_item_get_file (item));
      data->mtime = cs_item_get_mtime (item);
      data->size = cs_item_get_size (item);
    }

  task = g_task_new (NULL, self->cancellable, on_thumbnail_loaded, NULL);
  g_task_set_source_tag (task, start_load);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_in_thread);
}

/* Starts reading back what cells show without pixels: first those on
 * screen, top left first, then those GTK keeps bound around them, never
 * more than MAX_LOADS at once; each finished read starts the next. */
static void
start_loads (CsTextureCache *self)
{
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0;
       i < self->visible->len && g_hash_table_size (self->to_load) > 0 &&
       g_hash_table_size (self->loading) < MAX_LOADS;
       i++)
    {
      CsItem *item = g_ptr_array_index (self->visible, i);

      if (g_hash_table_remove (self->to_load, item))
        start_load (self, item);
    }

  if (self->hold_source != 0)
    return;

  g_hash_table_iter_init (&iter, self->to_load);
  while (g_hash_table_size (self->loading) < MAX_LOADS &&
         g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_hash_table_iter_remove (&iter);
      start_load (self, key);
    }
}

/**
 * cs_texture_cache_set_visible:
 * @items: (element-type CsItem): the items on screen, in reading order
 *
 * Those are read back before any other.
 */
void
cs_texture_cache_set_visible (CsTextureCache *self,
                              GPtrArray      *items)
{
  g_return_if_fail (CS_IS_TEXTURE_CACHE (self));

  g_ptr_array_set_size (self->visible, 0);
  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (self->visible, g_object_ref (g_ptr_array_index (items, i)));

  start_loads (self);
}

static gboolean
on_hold_expired (gpointer user_data)
{
  CsTextureCache *self = user_data;

  self->hold_source = 0;
  start_loads (self);

  return G_SOURCE_REMOVE;
}

/**
 * cs_texture_cache_hold_off_screen:
 * @hold: %TRUE from the moment cells moved until the frame that shows
 *   where they went, when the cells on screen are known again
 *
 * While held, cells off screen are not read back, for at most a second.
 */
void
cs_texture_cache_hold_off_screen (CsTextureCache *self,
                                  gboolean        hold)
{
  g_return_if_fail (CS_IS_TEXTURE_CACHE (self));

  if (hold == (self->hold_source != 0))
    return;

  if (hold)
    {
      self->hold_source = g_timeout_add (HOLD_MS, on_hold_expired, self);
      return;
    }

  g_clear_handle_id (&self->hold_source, g_source_remove);
  start_loads (self);
}

static gboolean
load_shown_items (gpointer user_data)
{
  CsTextureCache *self = user_data;

  self->load_source = 0;
  start_loads (self);

  return G_SOURCE_REMOVE;
}

/* A cell shows @item: its thumbnail is read back if its pixels were let go
 * (or never read: a thumbnail reused from the cache comes without). Not at
 * once: while a folder is listed, sorting moves items through the cells on
 * screen many times a second; what a cell still shows a moment later loads.
 * The moment is a timeout at the default priority: at a low one it waited
 * behind every result and frame, half a second while a folder was listed. */
static void
maybe_load (CsTextureCache *self,
            CsItem         *item)
{
  if (!wants_pixels (self, item))
    return;

  g_hash_table_add (self->to_load, item);
  if (self->load_source == 0)
    self->load_source = g_timeout_add (30, load_shown_items, self);
}

/* A cell was bound to @item (the model counts it as shown already). */
void
cs_texture_cache_show (CsTextureCache *self,
                       CsItem         *item)
{
  g_return_if_fail (CS_IS_TEXTURE_CACHE (self));

  touch (self, item);
  maybe_load (self, item);
}

/* No cell shows @item any more: it need not be read back. */
void
cs_texture_cache_hide (CsTextureCache *self,
                       CsItem         *item)
{
  g_return_if_fail (CS_IS_TEXTURE_CACHE (self));

  g_hash_table_remove (self->to_load, item);
}

/**
 * cs_texture_cache_set_pixels:
 *
 * @item's thumbnail was just made, with @pixbuf if the engine kept its
 * pixels: a cell on screen shows them at once, without a copy; the rest
 * load when they are shown.
 */
void
cs_texture_cache_set_pixels (CsTextureCache *self,
                             CsItem         *item,
                             GdkPixbuf      *pixbuf)
{
  g_autoptr(GdkTexture) stand_in = NULL;
  gboolean shown;

  g_return_if_fail (CS_IS_TEXTURE_CACHE (self));

  shown = cs_grid_model_get_n_shown (self->model, item) > 0;
  g_hash_table_steal_extended (self->stand_ins, item, NULL, (gpointer *) &stand_in);

  if (pixbuf != NULL && shown)
    {
      g_autoptr(GdkTexture) texture = cs_texture_new_for_pixbuf (pixbuf);

      show (self, item, texture);
      return;
    }

  /* Made without its pixels: the stand-in shows until they are read, with
   * no empty frame between. */
  if (stand_in != NULL && shown && cs_item_get_thumbnail (item) == NULL &&
      cs_item_get_state (item) == CS_ITEM_DONE)
    {
      cs_item_set_thumbnail (item, GDK_PAINTABLE (stand_in));
      remember (self, item);
      g_hash_table_insert (self->stand_ins, item, g_steal_pointer (&stand_in));
    }
  maybe_load (self, item);
}

/* Items keep no path, which at 100,000 images was 7 MB: the newest batch's
 * thumbnailer says where their thumbnails are. */
void
cs_texture_cache_set_thumbnailer (CsTextureCache *self,
                                  CsThumbnailer  *thumbnailer)
{
  int old_flavor = -1, new_flavor = -1;

  g_return_if_fail (CS_IS_TEXTURE_CACHE (self));

  if (self->thumbnailer != NULL)
    g_object_get (self->thumbnailer, "flavor", &old_flavor, NULL);
  if (thumbnailer != NULL)
    g_object_get (thumbnailer, "flavor", &new_flavor, NULL);
  g_set_object (&self->thumbnailer, thumbnailer);

  /* The same items made again in another flavour (zoomed, or on another
   * monitor): what they show now stands in until theirs is read. */
  if (old_flavor == new_flavor)
    return;
  for (GList *l = self->textures.head; l != NULL; l = l->next)
    {
      TextureEntry *entry = l->data;
      GdkPaintable *thumbnail = cs_item_get_thumbnail (entry->item);

      if (GDK_IS_TEXTURE (thumbnail))
        g_hash_table_insert (self->stand_ins, entry->item, g_object_ref (thumbnail));
    }
}

static void
on_item_removed (CsTextureCache *self,
                 CsItem         *item)
{
  cs_texture_cache_forget (self, item);
  g_hash_table_remove (self->to_load, item);
  g_hash_table_remove (self->stand_ins, item);
}

static void
cs_texture_cache_dispose (GObject *object)
{
  CsTextureCache *self = (CsTextureCache *)object;

  g_clear_handle_id (&self->load_source, g_source_remove);
  g_clear_handle_id (&self->hold_source, g_source_remove);
  if (self->cancellable != NULL)
    {
      cs_texture_cache_clear (self);
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  g_clear_object (&self->thumbnailer);

  G_OBJECT_CLASS (cs_texture_cache_parent_class)->dispose (object);
}

static void
cs_texture_cache_finalize (GObject *object)
{
  CsTextureCache *self = (CsTextureCache *)object;

  g_hash_table_unref (self->links);
  g_hash_table_unref (self->loading);
  g_hash_table_unref (self->to_load);
  g_ptr_array_unref (self->visible);
  g_hash_table_unref (self->stand_ins);

  G_OBJECT_CLASS (cs_texture_cache_parent_class)->finalize (object);
}

static void
cs_texture_cache_class_init (CsTextureCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_texture_cache_dispose;
  object_class->finalize = cs_texture_cache_finalize;
}

static void
cs_texture_cache_init (CsTextureCache *self)
{
  g_queue_init (&self->textures);
  self->links = g_hash_table_new (NULL, NULL);
  self->loading = g_hash_table_new (NULL, NULL);
  self->to_load = g_hash_table_new (NULL, NULL);
  self->visible = g_ptr_array_new_with_free_func (g_object_unref);
  self->stand_ins = g_hash_table_new_full (NULL, NULL, NULL, unref_stand_in);
  self->cancellable = g_cancellable_new ();
}

CsTextureCache *
cs_texture_cache_new (CsGridModel  *model,
                      CsTraceProbe *probe)
{
  CsTextureCache *self;

  g_return_val_if_fail (CS_IS_GRID_MODEL (model), NULL);

  self = g_object_new (CS_TYPE_TEXTURE_CACHE, NULL);
  self->model = g_object_ref (model);
  self->probe = probe;
  g_signal_connect_object (model, "item-removed", G_CALLBACK (on_item_removed), self, G_CONNECT_SWAPPED);

  return self;
}
