/* cs-thumbnailer.c: one image in, one thumbnail out
 *
 * The worker-side half of the engine. A CsThumbnailer is immutable once made,
 * so any number of worker threads can share one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-thumbnailer"

#include "config.h"

#include "cs-thumbnailer.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cs-cache.h"
#include "cs-decode-util.h"
#include "cs-decoder-client.h"
#include "cs-encode.h"
#include "cs-result-private.h"
#include "cs-util.h"

#define JPEG_QUALITY 85

struct _CsThumbnailer
{
  GObject       parent_instance;

  CsOutputMode  mode;
  CsFlavor      flavor;
  guint         size;
  char         *cache_dir;
  char         *output_dir;
  guint64       max_pixels;
  gboolean      want_pixels;
  gboolean      retry_failed;
  guint         decode_timeout;
  guint64       memory_limit;
  gboolean      background;
};

G_DEFINE_FINAL_TYPE (CsThumbnailer, cs_thumbnailer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MODE,
  PROP_FLAVOR,
  PROP_SIZE,
  PROP_CACHE_DIR,
  PROP_OUTPUT_DIR,
  PROP_MAX_PIXELS,
  PROP_WANT_PIXELS,
  PROP_RETRY_FAILED,
  PROP_DECODE_TIMEOUT,
  PROP_MEMORY_LIMIT,
  PROP_BACKGROUND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Formats a "beside" thumbnail keeps: the name's extension says the format. */
static const struct {
  const char *extension;
  const char *format;
} writable[] = {
  { "jpg", "jpeg" },
  { "jpeg", "jpeg" },
  { "png", "png" },
};

/* "photo.thumb.jpg", "a.thumb.gif.png", and anything ending in ".thumb". */
gboolean
cs_is_thumbnail_name (const char *basename)
{
  g_return_val_if_fail (basename != NULL, FALSE);

  return strstr (basename, ".thumb.") != NULL || g_str_has_suffix (basename, ".thumb");
}

/* The collision-free naming rule of the beside and folder modes:
 *   photo.jpg -> photo.thumb.jpg    (JPEG, PNG: same extension, same format)
 *   anim.gif  -> anim.thumb.gif.png (every other extension: PNG, old one kept)
 *   README    -> README.thumb..png  (no extension)
 * Output names always contain ".thumb.", which is never thumbnailed, so an
 * output is never mistaken for a source. */
char *
cs_output_basename (const char  *source_basename,
                    const char **format)
{
  const char *dot;
  g_autofree char *stem = NULL;
  const char *ext;

  g_return_val_if_fail (source_basename != NULL, NULL);

  dot = strrchr (source_basename, '.');
  if (dot == NULL || dot == source_basename)
    {
      stem = g_strdup (source_basename);
      ext = "";
    }
  else
    {
      stem = g_strndup (source_basename, dot - source_basename);
      ext = dot + 1;
    }

  for (guint i = 0; i < G_N_ELEMENTS (writable); i++)
    {
      if (g_ascii_strcasecmp (ext, writable[i].extension) == 0)
        {
          if (format != NULL)
            *format = writable[i].format;
          return g_strconcat (stem, ".thumb.", ext, NULL);
        }
    }

  if (format != NULL)
    *format = "png";

  return g_strconcat (stem, ".thumb.", ext, ".png", NULL);
}

#if HAVE_GSTREAMER
/* The containers GStreamer's demuxers read (cs-decode-video.c). */
static const char * const video_extensions[] = {
  "mp4", "m4v", "mov", "mkv", "webm", "avi", "ogv", "3gp", "mts", "m2ts",
};
#endif

static gpointer
collect_extensions (gpointer data)
{
  GHashTable *extensions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GSList *formats = gdk_pixbuf_get_formats ();

#if HAVE_GSTREAMER
  for (gsize i = 0; i < G_N_ELEMENTS (video_extensions); i++)
    g_hash_table_add (extensions, g_strdup (video_extensions[i]));
#endif

  for (GSList *l = formats; l != NULL; l = l->next)
    {
      g_auto(GStrv) names = NULL;

      if (gdk_pixbuf_format_is_disabled (l->data))
        continue;

      names = gdk_pixbuf_format_get_extensions (l->data);
      for (guint i = 0; names != NULL && names[i] != NULL; i++)
        g_hash_table_add (extensions, g_ascii_strdown (names[i], -1));
    }

  g_slist_free (formats);

  return extensions;
}

/* The file name extensions of every installed loader, lower case. Taken from
 * GdkPixbuf itself rather than the MIME database: it is what we can read. */
static GHashTable *
image_extensions (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, collect_extensions, NULL);
}

#if HAVE_LIBRAW
/* Camera RAW files, which LibRaw reads (cs-decode-raw.c) and no GdkPixbuf
 * loader claims. */
static const char * const raw_extensions[] = {
  "cr2", "cr3", "nef", "nrw", "arw", "srf", "sr2", "dng", "orf", "rw2", "raf",
  "pef", "srw", "x3f", "3fr", "mrw", "erf", "kdc", "dcr", "rwl", "iiq", NULL
};
#endif

/* Whether the scan should offer a file to the thumbnailer: its name suggests a
 * format an installed loader reads. The thumbnailer still sniffs the content. */
gboolean
cs_is_image_name (const char *basename)
{
  const char *dot;
  g_autofree char *extension = NULL;

  g_return_val_if_fail (basename != NULL, FALSE);

  if (cs_is_thumbnail_name (basename))
    return FALSE;

  dot = strrchr (basename, '.');
  if (dot == NULL || dot == basename || dot[1] == '\0')
    return FALSE;

  extension = g_ascii_strdown (dot + 1, -1);

#if HAVE_LIBRAW
  if (g_strv_contains (raw_extensions, extension))
    return TRUE;
#endif

  return g_hash_table_contains (image_extensions (), extension);
}

static void
cs_thumbnailer_finalize (GObject *object)
{
  CsThumbnailer *self = (CsThumbnailer *)object;

  g_free (self->cache_dir);
  g_free (self->output_dir);

  G_OBJECT_CLASS (cs_thumbnailer_parent_class)->finalize (object);
}

static void
cs_thumbnailer_constructed (GObject *object)
{
  CsThumbnailer *self = (CsThumbnailer *)object;

  G_OBJECT_CLASS (cs_thumbnailer_parent_class)->constructed (object);

  if (self->mode == CS_OUTPUT_CACHE)
    {
      self->size = cs_flavor_get_size (self->flavor);
      if (self->cache_dir == NULL)
        self->cache_dir = cs_cache_get_default_dir ();
    }

  /* Build the format table now, on the thread that made us, not in a worker. */
  image_extensions ();
}

static void
cs_thumbnailer_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CsThumbnailer *self = CS_THUMBNAILER (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_int (value, self->mode);
      break;
    case PROP_FLAVOR:
      g_value_set_int (value, self->flavor);
      break;
    case PROP_SIZE:
      g_value_set_uint (value, self->size);
      break;
    case PROP_CACHE_DIR:
      g_value_set_string (value, self->cache_dir);
      break;
    case PROP_OUTPUT_DIR:
      g_value_set_string (value, self->output_dir);
      break;
    case PROP_MAX_PIXELS:
      g_value_set_uint64 (value, self->max_pixels);
      break;
    case PROP_WANT_PIXELS:
      g_value_set_boolean (value, self->want_pixels);
      break;
    case PROP_RETRY_FAILED:
      g_value_set_boolean (value, self->retry_failed);
      break;
    case PROP_DECODE_TIMEOUT:
      g_value_set_uint (value, self->decode_timeout);
      break;
    case PROP_MEMORY_LIMIT:
      g_value_set_uint64 (value, self->memory_limit);
      break;
    case PROP_BACKGROUND:
      g_value_set_boolean (value, self->background);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_thumbnailer_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CsThumbnailer *self = CS_THUMBNAILER (object);

  switch (prop_id)
    {
    case PROP_MODE:
      self->mode = g_value_get_int (value);
      break;
    case PROP_FLAVOR:
      self->flavor = g_value_get_int (value);
      break;
    case PROP_SIZE:
      self->size = g_value_get_uint (value);
      break;
    case PROP_CACHE_DIR:
      self->cache_dir = g_value_dup_string (value);
      break;
    case PROP_OUTPUT_DIR:
      self->output_dir = g_value_dup_string (value);
      break;
    case PROP_MAX_PIXELS:
      self->max_pixels = g_value_get_uint64 (value);
      break;
    case PROP_WANT_PIXELS:
      self->want_pixels = g_value_get_boolean (value);
      break;
    case PROP_RETRY_FAILED:
      self->retry_failed = g_value_get_boolean (value);
      break;
    case PROP_DECODE_TIMEOUT:
      self->decode_timeout = g_value_get_uint (value);
      break;
    case PROP_MEMORY_LIMIT:
      self->memory_limit = g_value_get_uint64 (value);
      break;
    case PROP_BACKGROUND:
      self->background = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_thumbnailer_class_init (CsThumbnailerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                            G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = cs_thumbnailer_constructed;
  object_class->finalize = cs_thumbnailer_finalize;
  object_class->get_property = cs_thumbnailer_get_property;
  object_class->set_property = cs_thumbnailer_set_property;

  properties[PROP_MODE] =
    g_param_spec_int ("mode", NULL, NULL,
                      CS_OUTPUT_CACHE, CS_OUTPUT_FOLDER, CS_OUTPUT_CACHE, flags);
  properties[PROP_FLAVOR] =
    g_param_spec_int ("flavor", NULL, NULL,
                      CS_FLAVOR_NORMAL, CS_FLAVOR_XX_LARGE, CS_FLAVOR_NORMAL, flags);
  properties[PROP_SIZE] =
    g_param_spec_uint ("size", NULL, NULL, 1, 16384, 128, flags);
  properties[PROP_CACHE_DIR] =
    g_param_spec_string ("cache-dir", NULL, NULL, NULL, flags);
  properties[PROP_OUTPUT_DIR] =
    g_param_spec_string ("output-dir", NULL, NULL, NULL, flags);
  properties[PROP_MAX_PIXELS] =
    g_param_spec_uint64 ("max-pixels", NULL, NULL,
                         1, G_MAXUINT64, CS_DEFAULT_MAX_PIXELS, flags);
  properties[PROP_WANT_PIXELS] =
    g_param_spec_boolean ("want-pixels", NULL, NULL, FALSE, flags);
  /* A person asked to try again: pass over fail entries. */
  properties[PROP_RETRY_FAILED] =
    g_param_spec_boolean ("retry-failed", NULL, NULL, FALSE, flags);
  /* Milliseconds a decoder may take on one file; 0 for no limit. */
  properties[PROP_DECODE_TIMEOUT] =
    g_param_spec_uint ("decode-timeout", NULL, NULL,
                       0, G_MAXUINT, CS_DEFAULT_DECODE_TIMEOUT_MS, flags);
  /* Bytes of address space a decoder may use; 0 for no limit. */
  properties[PROP_MEMORY_LIMIT] =
    g_param_spec_uint64 ("memory-limit", NULL, NULL,
                         0, G_MAXUINT64, CS_DEFAULT_MEMORY_LIMIT, flags);
  /* Decoders run at a lower CPU priority than the caller, so that a window
   * (and its renderer's threads) comes first when the cores are busy. */
  properties[PROP_BACKGROUND] =
    g_param_spec_boolean ("background", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_thumbnailer_init (CsThumbnailer *self)
{
  self->size = 128;
  self->max_pixels = CS_DEFAULT_MAX_PIXELS;
  self->decode_timeout = CS_DEFAULT_DECODE_TIMEOUT_MS;
  self->memory_limit = CS_DEFAULT_MEMORY_LIMIT;
}

/**
 * cs_thumbnailer_new_for_cache:
 * @flavor: the cache size
 * @cache_dir: (nullable): the thumbnails folder; %NULL for the user's
 */
CsThumbnailer *
cs_thumbnailer_new_for_cache (CsFlavor    flavor,
                              const char *cache_dir)
{
  g_return_val_if_fail (flavor < CS_N_FLAVORS, NULL);

  return g_object_new (CS_TYPE_THUMBNAILER,
                       "mode", CS_OUTPUT_CACHE,
                       "flavor", flavor,
                       "cache-dir", cache_dir,
                       NULL);
}

/**
 * cs_thumbnailer_new_for_folder:
 * @mode: %CS_OUTPUT_BESIDE or %CS_OUTPUT_FOLDER
 * @size: the longest side in pixels
 * @output_dir: (nullable): the folder for %CS_OUTPUT_FOLDER
 */
CsThumbnailer *
cs_thumbnailer_new_for_folder (CsOutputMode  mode,
                               guint         size,
                               const char   *output_dir)
{
  g_return_val_if_fail (mode == CS_OUTPUT_BESIDE || mode == CS_OUTPUT_FOLDER, NULL);
  g_return_val_if_fail (mode == CS_OUTPUT_BESIDE || output_dir != NULL, NULL);
  g_return_val_if_fail (size > 0, NULL);

  return g_object_new (CS_TYPE_THUMBNAILER,
                       "mode", mode,
                       "size", size,
                       "output-dir", output_dir,
                       NULL);
}

gboolean
cs_thumbnailer_get_background (CsThumbnailer *self)
{
  g_return_val_if_fail (CS_IS_THUMBNAILER (self), FALSE);
  return self->background;
}

/**
 * cs_thumbnailer_get_output_path:
 * @relative_dir: (nullable): for the folder mode, the source's folder relative
 *   to the scanned root, so that a/x.jpg and b/x.jpg stay apart
 *
 * Returns: the path the thumbnail of @source is written to
 */
char *
cs_thumbnailer_get_output_path (CsThumbnailer *self,
                                GFile         *source,
                                const char    *relative_dir)
{
  g_autofree char *basename = NULL;
  g_autofree char *out_name = NULL;

  g_return_val_if_fail (CS_IS_THUMBNAILER (self), NULL);
  g_return_val_if_fail (G_IS_FILE (source), NULL);

  if (self->mode == CS_OUTPUT_CACHE)
    {
      g_autofree char *uri = cs_cache_uri_for_file (source);

      return cs_cache_thumbnail_path (self->cache_dir, self->flavor, uri);
    }

  basename = g_file_get_basename (source);
  out_name = cs_output_basename (basename, NULL);

  if (self->mode == CS_OUTPUT_BESIDE)
    {
      g_autoptr(GFile) parent = g_file_get_parent (source);
      g_autofree char *parent_path = parent ? g_file_get_path (parent) : NULL;

      return g_build_filename (parent_path ? parent_path : ".", out_name, NULL);
    }

  return g_build_filename (self->output_dir,
                           relative_dir ? relative_dir : "",
                           out_name, NULL);
}

static const char *
describe_file_type (mode_t mode)
{
  if (S_ISDIR (mode))
    return _("Is a folder, not an image");
  if (S_ISFIFO (mode))
    return _("Is a named pipe (FIFO), not an image");
  if (S_ISSOCK (mode))
    return _("Is a socket, not an image");
  if (S_ISCHR (mode) || S_ISBLK (mode))
    return _("Is a device, not an image");
  return _("Is not a regular file");
}

/* Opens @path without ever blocking (a FIFO would block a plain open) and
 * refuses anything but a regular file. The descriptor stays non-blocking
 * until set_blocking(): a file whose thumbnail is valid is never read. */
static int
open_regular_file (const char   *path,
                   struct stat  *st,
                   GError      **error)
{
  int fd;

  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ELOOP)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS,
                             _("Too many levels of symbolic links"));
      /* open() on a socket fails with ENXIO: say what it is instead. */
      else if (saved_errno == ENXIO && g_stat (path, st) == 0 && !S_ISREG (st->st_mode))
        g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_NOT_REGULAR,
                             describe_file_type (st->st_mode));
      else
        g_propagate_error (error, cs_error_from_errno (saved_errno, _("Cannot open")));
      return -1;
    }

  if (fstat (fd, st) != 0)
    {
      int saved_errno = errno;

      close (fd);
      cs_set_error_cannot_read (error, saved_errno);
      return -1;
    }

  if (!S_ISREG (st->st_mode))
    {
      close (fd);
      g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_NOT_REGULAR,
                           describe_file_type (st->st_mode));
      return -1;
    }

  return fd;
}

/* Before the file is read: a decoder may wait for its bytes. */
static void
set_blocking (int fd)
{
  int flags = fcntl (fd, F_GETFL);

  if (flags >= 0 && (flags & O_NONBLOCK) != 0)
    fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
}

static gboolean
encode_and_write (GdkPixbuf          *pixbuf,
                  const char         *path,
                  const char         *format,
                  const char * const *keys,
                  const char * const *values,
                  int                 file_mode,
                  guint64            *bytes_written,
                  GCancellable       *cancellable,
                  GError            **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autoptr(GBytes) data = NULL;
  const void *bytes;
  gsize len;

  if (g_str_equal (format, "jpeg"))
    data = cs_encode_jpeg (pixbuf, JPEG_QUALITY, error);
  else
    data = cs_encode_png (pixbuf, keys, values, error);
  if (data == NULL)
    return FALSE;
  bytes = g_bytes_get_data (data, &len);

  /* The last point to stop: after this the file is there. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (g_mkdir_with_parents (folder, file_mode == 0600 ? 0700 : 0755) != 0)
    {
      int saved_errno = errno;
      g_autofree char *display = g_filename_display_name (folder);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot create folder %s: %s"), display, g_strerror (saved_errno));
      return FALSE;
    }

  /* A temporary file in the same folder, renamed into place: a crash or a full
   * disk never leaves a half-written thumbnail under the real name. */
  if (!cs_write_file_atomically (path, bytes, len, file_mode, error))
    return FALSE;

  *bytes_written = len;

  return TRUE;
}

/* What the file itself is to blame for, and will be again next time. */
static gboolean
should_record_failure (const GError *error)
{
  return g_error_matches (error, CS_THUMB_ERROR, CS_THUMB_ERROR_UNSUPPORTED) ||
         g_error_matches (error, CS_THUMB_ERROR, CS_THUMB_ERROR_CORRUPT) ||
         g_error_matches (error, CS_THUMB_ERROR, CS_THUMB_ERROR_TOO_LARGE) ||
         g_error_matches (error, CS_THUMB_ERROR, CS_THUMB_ERROR_TIMEOUT) ||
         g_error_matches (error, CS_THUMB_ERROR, CS_THUMB_ERROR_DECODER_DIED);
}

static void
read_image_size (CsResult   *result,
                 GHashTable *keys)
{
  const char *width = g_hash_table_lookup (keys, "Thumb::Image::Width");
  const char *height = g_hash_table_lookup (keys, "Thumb::Image::Height");
  const char *length = g_hash_table_lookup (keys, "Thumb::Movie::Length");

  if (width != NULL)
    result->image_width = atoi (width);
  if (height != NULL)
    result->image_height = atoi (height);
  if (length != NULL)
    result->duration = g_ascii_strtod (length, NULL);
}

static CsResult *
process_file (CsThumbnailer *self,
              GFile         *source,
              const char    *relative_dir,
              GCancellable  *cancellable,
              CsResult      *result,
              GError       **error)
{
  g_autofree char *basename = g_file_get_basename (source);
  g_autofree char *uri = NULL;
  g_autofree char *mime_type = NULL;
  g_autoptr(GdkPixbuf) thumb = NULL;
  guint64 duration_ms;
  g_autoptr(GError) decode_error = NULL;
  const char *path = g_file_peek_path (source);
  const char *format = "png";
  struct stat st;
  int image_width = 0, image_height = 0;
  int fd;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (path == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("Not a local file"));
      return NULL;
    }

  if (cs_is_thumbnail_name (basename))
    {
      g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_IS_THUMBNAIL,
                           _("Is a thumbnail itself (“.thumb.” in the name); skipped"));
      return NULL;
    }

  fd = open_regular_file (path, &st, error);
  if (fd < 0)
    return NULL;

  result->thumbnail_path = cs_thumbnailer_get_output_path (self, source, relative_dir);

  if (self->mode == CS_OUTPUT_CACHE)
    {
      g_autoptr(GHashTable) keys = NULL;
      g_autofree char *fail_path = NULL;

      uri = cs_cache_uri_for_file (source);

      if (cs_cache_entry_is_valid (result->thumbnail_path, uri, st.st_mtime, st.st_size, &keys))
        {
          close (fd);
          result->reused = TRUE;
          /* No pixels: a window loads the few it shows from the path. */
          read_image_size (result, keys);
          return result;
        }

      g_clear_pointer (&keys, g_hash_table_unref);
      fail_path = cs_cache_fail_path (self->cache_dir, uri);
      if (!self->retry_failed &&
          cs_cache_entry_is_valid (fail_path, uri, st.st_mtime, st.st_size, &keys))
        {
          const char *reason = cs_cache_fail_reason (keys);

          close (fd);
          g_set_error (error, CS_THUMB_ERROR, CS_THUMB_ERROR_FAILED_BEFORE,
                       _("%s (failed before; not retried until the file changes)"),
                       reason ? reason : _("Cannot decode the image"));
          return NULL;
        }
    }
  else
    {
      g_autofree char *out_name = cs_output_basename (basename, &format);

      g_assert (g_str_has_suffix (result->thumbnail_path, out_name));
    }

  {
    g_autofree char *type_hint = g_content_type_guess (basename, NULL, 0, NULL);
    CsDecodeLimits limits = { self->size, self->max_pixels,
                              self->decode_timeout, self->memory_limit,
                              self->background };

    set_blocking (fd);
    thumb = cs_decoder_decode (fd, type_hint, &limits, &mime_type, &image_width, &image_height,
                               cancellable, &decode_error);
  }
  close (fd);

  if (thumb == NULL)
    {
      if (self->mode == CS_OUTPUT_CACHE && should_record_failure (decode_error))
        {
          g_autoptr(GError) fail_error = NULL;

          if (!cs_cache_write_fail_entry (self->cache_dir, uri, st.st_mtime, st.st_size,
                                          decode_error->message, &fail_error))
            g_debug ("Cannot record failure: %s", fail_error->message);
        }
      g_propagate_error (error, g_steal_pointer (&decode_error));
      return NULL;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  duration_ms = cs_decode_get_duration_ms (thumb);
  result->duration = duration_ms / 1000.0;

  if (self->mode == CS_OUTPUT_CACHE)
    {
      g_autofree char *mtime_text = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) st.st_mtime);
      g_autofree char *size_text = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) st.st_size);
      g_autofree char *width_text = g_strdup_printf ("%d", image_width);
      g_autofree char *height_text = g_strdup_printf ("%d", image_height);
      g_autofree char *length_text = NULL;
      const char *keys[] = { "Thumb::URI", "Thumb::MTime", "Thumb::Size",
                             "Thumb::Mimetype", "Thumb::Image::Width",
                             "Thumb::Image::Height", "Software", NULL, NULL };
      const char *values[] = { uri, mtime_text, size_text,
                               mime_type ? mime_type : "application/octet-stream",
                               width_text, height_text, "Contact Sheet " PACKAGE_VERSION,
                               NULL, NULL };

      /* The thumbnail spec's length of a video: whole seconds. */
      if (duration_ms > 0)
        {
          length_text = g_strdup_printf ("%" G_GUINT64_FORMAT, (duration_ms + 500) / 1000);
          keys[7] = "Thumb::Movie::Length";
          values[7] = length_text;
        }

      if (!encode_and_write (thumb, result->thumbnail_path, "png", keys, values, 0600,
                             &result->bytes_written, cancellable, error))
        return NULL;
    }
  else
    {
      if (!encode_and_write (thumb, result->thumbnail_path, format, NULL, NULL, 0644,
                             &result->bytes_written, cancellable, error))
        return NULL;
    }

  result->width = gdk_pixbuf_get_width (thumb);
  result->height = gdk_pixbuf_get_height (thumb);
  result->image_width = image_width;
  result->image_height = image_height;
  if (self->want_pixels)
    result->pixbuf = g_steal_pointer (&thumb);

  return result;
}

/**
 * cs_thumbnailer_process:
 * @relative_dir: (nullable): see cs_thumbnailer_get_output_path()
 *
 * Makes (or, in the cache mode, reuses) the thumbnail of @source. Safe to
 * call from any thread. Never returns %NULL: a failure or a cancellation is
 * a result that carries the error.
 */
CsResult *
cs_thumbnailer_process (CsThumbnailer *self,
                        GFile         *source,
                        const char    *relative_dir,
                        GCancellable  *cancellable)
{
  g_autoptr(GError) error = NULL;
  CsResult *result;

  g_return_val_if_fail (CS_IS_THUMBNAILER (self), NULL);
  g_return_val_if_fail (G_IS_FILE (source), NULL);

  result = cs_result_new_for_file (source);

  if (process_file (self, source, relative_dir, cancellable, result, &error) == NULL)
    {
      g_clear_object (&result->pixbuf);
      result->bytes_written = 0;
      result->reused = FALSE;
      result->error = g_steal_pointer (&error);
    }

  return result;
}

static gboolean
decode_file (CsThumbnailer *self,
             GFile         *source,
             guint          size,
             GCancellable  *cancellable,
             CsResult      *result,
             GError       **error)
{
  g_autofree char *basename = g_file_get_basename (source);
  g_autofree char *type_hint = g_content_type_guess (basename, NULL, 0, NULL);
  g_autofree char *mime_type = NULL;
  CsDecodeLimits limits = { size, self->max_pixels, self->decode_timeout,
                            self->memory_limit, FALSE };
  const char *path = g_file_peek_path (source);
  struct stat st;
  int fd;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (path == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("Not a local file"));
      return FALSE;
    }

  fd = open_regular_file (path, &st, error);
  if (fd < 0)
    return FALSE;

  set_blocking (fd);
  result->pixbuf = cs_decoder_decode (fd, type_hint, &limits, &mime_type,
                                      &result->image_width, &result->image_height,
                                      cancellable, error);
  close (fd);

  if (result->pixbuf == NULL)
    return FALSE;

  result->width = gdk_pixbuf_get_width (result->pixbuf);
  result->height = gdk_pixbuf_get_height (result->pixbuf);
  result->duration = cs_decode_get_duration_ms (result->pixbuf) / 1000.0;

  return TRUE;
}

/**
 * cs_thumbnailer_decode:
 * @size: the longest side wanted, in pixels; a smaller picture keeps its own
 *
 * Decodes @source upright at @size through the decoders and within the
 * limits that make its thumbnails, for a person who looks at one picture:
 * at a normal CPU priority, writing nothing, not even a failure entry.
 * Safe to call from any thread. Never returns %NULL: a failure or a
 * cancellation is a result that carries the error; the pixels are the
 * result's pixbuf.
 */
CsResult *
cs_thumbnailer_decode (CsThumbnailer *self,
                       GFile         *source,
                       guint          size,
                       GCancellable  *cancellable)
{
  g_autoptr(GError) error = NULL;
  CsResult *result;

  g_return_val_if_fail (CS_IS_THUMBNAILER (self), NULL);
  g_return_val_if_fail (G_IS_FILE (source), NULL);
  g_return_val_if_fail (size > 0, NULL);

  result = cs_result_new_for_file (source);
  if (!decode_file (self, source, size, cancellable, result, &error))
    {
      g_clear_object (&result->pixbuf);
      result->error = g_steal_pointer (&error);
    }

  return result;
}

static void
decode_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  CsThumbnailer *self = source_object;
  guint size = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "size"));
  g_autoptr(CsResult) result = cs_thumbnailer_decode (self, task_data, size, cancellable);
  const GError *error = cs_result_get_error (result);

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_pointer (task, g_steal_pointer (&result), (GDestroyNotify) cs_result_unref);
}

/**
 * cs_thumbnailer_decode_async:
 *
 * cs_thumbnailer_decode() in a thread of GIO's pool, not the batch's: a
 * picture someone waits for does not queue behind a folder's thumbnails.
 */
void
cs_thumbnailer_decode_async (CsThumbnailer       *self,
                             GFile               *source,
                             guint                size,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CS_IS_THUMBNAILER (self));
  g_return_if_fail (G_IS_FILE (source));
  g_return_if_fail (size > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_thumbnailer_decode_async);
  g_task_set_task_data (task, g_object_ref (source), g_object_unref);
  g_object_set_data (G_OBJECT (task), "size", GUINT_TO_POINTER (size));
  g_task_run_in_thread (task, decode_in_thread);
}

/**
 * cs_thumbnailer_decode_finish:
 *
 * Returns: (transfer full) (nullable): the result, with its pixbuf, image
 *   width and height; %NULL with @error set when it failed or was cancelled
 */
CsResult *
cs_thumbnailer_decode_finish (CsThumbnailer *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_thumbnailer_decode_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
