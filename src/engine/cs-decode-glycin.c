/* cs-decode-glycin.c: decoding through glycin's sandboxed loaders, from this process
 *
 * Where GdkPixbuf decodes through glycin (gdk-pixbuf 2.44 and later), its
 * loaders are programs glycin starts, one per format, which the decoder
 * helper may not do: it refuses exec. So the formats the direct decoders
 * leave (GIF, TIFF, SVG, a CMYK JPEG...) come here, in the worker thread,
 * and glycin runs them in its own sandbox: bubblewrap on a host,
 * flatpak-spawn --sandbox in a flatpak, each under an address-space limit
 * of its own (80 % of the memory available, swap included, at most 20 GiB,
 * less 200 MiB).
 *
 * What this file adds: the pixel limit, checked against the image's header
 * before any frame is asked for; the time limit, which cancels the
 * operation (glycin's loader may finish its work in the background, but
 * the worker goes on); where glycin runs its loaders without a sandbox,
 * and so without a memory limit, our own; a drawing rendered at the
 * thumbnail's size; pixels
 * asked for as 8-bit RGB or straight RGBA, which glycin converts to in the
 * sandbox (premultiplied SVG renderings included); and the engine's own
 * plain errors instead of glycin's, which carry source locations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-decode-glycin"

#include "config.h"

#include "cs-decode-glycin.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <gio/gunixinputstream.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <glycin.h>

#include "cs-decode-util.h"
#include "cs-error.h"
#include "cs-glycin-loaders.h"
#include "cs-sniff.h"

/* glycin falls back to no sandbox when bubblewrap cannot make one (in a
 * container or chroot without user namespaces), and then prints a line of
 * its own to standard error. The same test is made here first, so that the
 * choice is the engine's, said once in its words, and glycin's loader is
 * told so and prints nothing. Without bubblewrap at all glycin is left to
 * decide: it refuses to decode rather than run unsandboxed (see
 * set_error_from_glycin()). */
static gboolean
bwrap_cannot_sandbox (void)
{
  const char *argv[] = { "bwrap", "--unshare-all", "--die-with-parent",
                         "--ro-bind", "/", "/", "true", NULL };
  g_autoptr(GSubprocess) probe = NULL;
  g_autofree char *errors = NULL;

  probe = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                   G_SUBPROCESS_FLAGS_STDERR_PIPE, NULL);
  if (probe == NULL ||
      !g_subprocess_communicate_utf8 (probe, NULL, NULL, NULL, &errors, NULL))
    return FALSE;

  return !g_subprocess_get_successful (probe) && errors != NULL &&
         (strstr (errors, "namespace") != NULL || strstr (errors, "uid map") != NULL);
}

static GlySandboxSelector
get_sandbox_selector (void)
{
  static GlySandboxSelector selector;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      selector = GLY_SANDBOX_SELECTOR_AUTO;
      /* In a flatpak glycin's sandbox is flatpak-spawn's. */
      if (!g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) && bwrap_cannot_sandbox ())
        {
          selector = GLY_SANDBOX_SELECTOR_NOT_SANDBOXED;
          g_message (_("Image loaders run without a sandbox: bubblewrap cannot make one here"));
        }
      g_once_init_leave (&initialized, 1);
    }

  return selector;
}

typedef struct
{
  GMainContext *context;
  GCancellable *cancellable;   /* this decode's: by the batch or the time limit */
  GAsyncResult *result;
  gboolean      timed_out;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

static gboolean
on_time_limit (gpointer user_data)
{
  Wait *wait = user_data;

  wait->timed_out = TRUE;
  g_cancellable_cancel (wait->cancellable);

  return G_SOURCE_REMOVE;
}

static void
on_batch_cancelled (GCancellable *batch,
                    GCancellable *decode)
{
  g_cancellable_cancel (decode);
}

/* glycin's calls are asynchronous, on the thread's default context: this
 * thread runs it until the call is over, cancelled or not. */
static GAsyncResult *
wait_for (Wait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (wait->context, TRUE);

  return g_steal_pointer (&wait->result);
}

/* glycin's messages read "Remote error: org.gnome.glycin.Error.LoadingError:
 * src/lib.rs:183:64: what went wrong", then its whole configuration: the
 * reason is what is left of the first line without the prefixes. */
static char *
plain_reason (const char *message)
{
  g_autofree char *line = g_strndup (message, strcspn (message, "\n"));
  const char *reason = line;
  const char *colon;

  while ((colon = strstr (reason, ": ")) != NULL)
    {
      g_autofree char *part = g_strndup (reason, colon - reason);

      if (!g_str_equal (part, "Remote error") && !g_str_has_prefix (part, "org.gnome.glycin.") &&
          strstr (part, ".rs:") == NULL)
        break;
      reason = colon + 2;
    }

  return g_utf8_make_valid (reason, MIN (strlen (reason), 200));
}

static void
set_error_from_glycin (GError       **error,
                       const GError  *glycin_error)
{
  g_autofree char *reason = NULL;
  g_autofree char *lower = NULL;

  if (g_error_matches (glycin_error, GLY_LOADER_ERROR, GLY_LOADER_ERROR_UNKNOWN_IMAGE_FORMAT))
    {
      cs_set_error_unsupported (error);
      return;
    }

  reason = plain_reason (glycin_error->message);
  lower = g_ascii_strdown (reason, -1);

  /* Not the file's fault, so no fail entry (a G_IO_ERROR): glycin could
   * not start its sandbox's program, bwrap on a host. */
  if (strstr (lower, "could not spawn") != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("Cannot start the image loader in its sandbox; is bubblewrap (bwrap) installed?"));
      return;
    }

  /* What the loaders say when the data stops early (an SVG cut short is
   * XML that does not parse). */
  if (strstr (lower, "end of file") != NULL || strstr (lower, "eof") != NULL ||
      strstr (lower, "fill whole buffer") != NULL || strstr (lower, "unexpected end") != NULL ||
      strstr (lower, "xml parse error") != NULL)
    cs_set_error_truncated (error);
  /* A loader killed by its memory limit, or crashed: glycin's connection
   * to it breaks (zbus is its D-Bus), or it sees the process go. Or a
   * loader out of memory that said so: the limit is the process's, and
   * other decodes may share the process (see cs-glycin-loaders.c). */
  else if (strstr (lower, "process exited") != NULL || strstr (lower, "process crashed") != NULL ||
           strstr (lower, "signal") != NULL || strstr (lower, "zbus.error: i/o error") != NULL ||
           strstr (lower, "cannot allocate memory") != NULL || strstr (lower, "out of memory") != NULL)
    g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_DECODER_DIED,
                         _("The image loader stopped on this file, or it ran out of memory"));
  else
    cs_set_error_cannot_decode (error, NULL, reason);
}

static gboolean
set_error_if_stopped (Wait          *wait,
                      guint          timeout_ms,
                      GCancellable  *batch,
                      GError       **error)
{
  if (wait->timed_out)
    {
      cs_set_error_timeout (error, timeout_ms);
      return TRUE;
    }

  return g_cancellable_set_error_if_cancelled (batch, error);
}

/* XBM and TGA carry no signature, and glycin tells formats apart by their
 * content or by a file's name. For those two, when the content looks like
 * no image (the rule of cs_decode_nameless_type()), glycin gets a name that
 * says the type: a link in a private folder to this very file (through
 * /proc, so the link never reaches another file, whatever happens to the
 * path meanwhile). */
static const char *
extension_for (const char *type)
{
  return g_str_equal (type, "image/x-xbitmap") ? "xbm" : "tga";
}

/* The stream takes @fd; a link only points at it, and it stays the
 * caller's. */
static GlyLoader *
new_loader (int          fd,
            const char  *nameless_type,
            char       **link_path,
            GError     **error)
{
  g_autofree char *folder = NULL;
  g_autofree char *target = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GFile) file = NULL;

  if (nameless_type == NULL)
    {
      g_autoptr(GInputStream) stream = g_unix_input_stream_new (fd, TRUE);

      return gly_loader_new_for_stream (stream);
    }

  folder = g_dir_make_tmp ("contact-sheet-XXXXXX", error);
  if (folder == NULL)
    return NULL;

  target = g_strdup_printf ("/proc/self/fd/%d", fd);
  name = g_strdup_printf ("image.%s", extension_for (nameless_type));
  *link_path = g_build_filename (folder, name, NULL);
  if (symlink (target, *link_path) != 0)
    {
      int saved_errno = errno;

      cs_set_error_cannot_read (error, saved_errno);
      g_clear_pointer (link_path, g_free);
      g_rmdir (folder);
      return NULL;
    }

  file = g_file_new_for_path (*link_path);

  return gly_loader_new (file);
}

static void
remove_link (char *link_path)
{
  g_autofree char *folder = NULL;

  if (link_path == NULL)
    return;

  folder = g_path_get_dirname (link_path);
  g_unlink (link_path);
  g_rmdir (folder);
  g_free (link_path);
}

static GdkPixbuf *
frame_to_pixbuf (GlyFrame  *frame,
                 GError   **error)
{
  GlyMemoryFormat format = gly_frame_get_memory_format (frame);
  GBytes *bytes = gly_frame_get_buf_bytes (frame);
  guint32 width = gly_frame_get_width (frame);
  guint32 height = gly_frame_get_height (frame);
  guint32 stride = gly_frame_get_stride (frame);
  gboolean alpha = format == GLY_MEMORY_R8G8B8A8;
  guint64 row = (guint64) width * (alpha ? 4 : 3);

  /* Only the two formats asked for; glycin converts the others. */
  if ((format != GLY_MEMORY_R8G8B8 && format != GLY_MEMORY_R8G8B8A8) || bytes == NULL ||
      width == 0 || height == 0 || width > G_MAXINT || height > G_MAXINT ||
      stride < row || stride > G_MAXINT ||
      (guint64) stride * (height - 1) + row > g_bytes_get_size (bytes))
    {
      g_set_error_literal (error, CS_THUMB_ERROR, CS_THUMB_ERROR_DECODER_DIED,
                           _("The image loader sent back something that is not a picture"));
      return NULL;
    }

  return gdk_pixbuf_new_from_bytes (bytes, GDK_COLORSPACE_RGB, alpha, 8, width, height, stride);
}

/* What one decode asks for, and where its facts go. */
typedef struct
{
  guint          size;
  guint64        max_pixels;
  guint          timeout_ms;
  guint64        memory_limit;
  GCancellable  *batch;
  char         **mime_type;
  int           *image_width;
  int           *image_height;
} Job;

static GdkPixbuf *
decode (GlyLoader  *loader,
        Wait       *wait,
        const Job  *job,
        GError    **error)
{
  g_autoptr(GlyImage) image = NULL;
  g_autoptr(GlyFrameRequest) request = NULL;
  g_autoptr(GlyFrame) frame = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) glycin_error = NULL;
  guint32 width, height;
  int fit_width, fit_height;

  gly_loader_set_sandbox_selector (loader, get_sandbox_selector ());
  gly_loader_set_accepted_memory_formats (loader, GLY_MEMORY_SELECTION_R8G8B8 |
                                                  GLY_MEMORY_SELECTION_R8G8B8A8);

  gly_loader_load_async (loader, wait->cancellable, on_done, wait);
  result = wait_for (wait);
  image = gly_loader_load_finish (loader, result, &glycin_error);
  if (set_error_if_stopped (wait, job->timeout_ms, job->batch, error))
    return NULL;
  if (image == NULL)
    {
      set_error_from_glycin (error, glycin_error);
      return NULL;
    }

  /* The header's size, before a frame of that size exists anywhere. */
  width = gly_image_get_width (image);
  height = gly_image_get_height (image);
  if (width == 0 || height == 0 || width > G_MAXINT || height > G_MAXINT ||
      (guint64) width * height > job->max_pixels)
    {
      cs_set_error_too_large (error, width, height);
      return NULL;
    }

  if (get_sandbox_selector () == GLY_SANDBOX_SELECTOR_NOT_SANDBOXED)
    cs_glycin_loaders_limit (job->memory_limit);

  /* Only drawings obey the scale: an SVG is rendered at the thumbnail's
   * size (larger or smaller), a raster image comes whole. */
  request = gly_frame_request_new ();
  cs_fit_dimensions (width, height, job->size, &fit_width, &fit_height);
  gly_frame_request_set_scale (request, fit_width, fit_height);

  g_clear_object (&result);
  g_clear_error (&glycin_error);
  gly_image_get_specific_frame_async (image, request, wait->cancellable, on_done, wait);
  result = wait_for (wait);
  frame = gly_image_get_specific_frame_finish (image, result, &glycin_error);
  if (set_error_if_stopped (wait, job->timeout_ms, job->batch, error))
    return NULL;
  if (frame == NULL)
    {
      set_error_from_glycin (error, glycin_error);
      return NULL;
    }

  pixbuf = frame_to_pixbuf (frame, error);
  if (pixbuf == NULL)
    return NULL;

  /* A whole raster frame is the picture as seen, turned by its
   * orientation already; a rendered drawing keeps the header's sides. */
  if (((guint32) gdk_pixbuf_get_width (pixbuf) == width && (guint32) gdk_pixbuf_get_height (pixbuf) == height) ||
      ((guint32) gdk_pixbuf_get_width (pixbuf) == height && (guint32) gdk_pixbuf_get_height (pixbuf) == width))
    {
      *job->image_width = gdk_pixbuf_get_width (pixbuf);
      *job->image_height = gdk_pixbuf_get_height (pixbuf);
    }
  else
    {
      *job->image_width = width;
      *job->image_height = height;
    }
  *job->mime_type = g_strdup (gly_image_get_mime_type (image));

  return cs_decode_fit_to_size (pixbuf, job->size);
}

/* glycin calls every HEIF file image/heif; its brands say whether it is
 * a HEIC or an AVIF, as the thumbnail's Thumb::Mimetype should. */
static void
name_heif_brand (int     fd,
                 off_t   offset,
                 char  **mime_type)
{
  guint8 head[CS_SNIFF_LENGTH];
  const char *sniffed;
  ssize_t n;

  if (g_strcmp0 (*mime_type, "image/heif") != 0)
    return;

  n = pread (fd, head, sizeof head, offset);
  sniffed = n > 0 ? cs_sniff_bytes (head, n) : NULL;
  if (g_strcmp0 (sniffed, "image/heic") == 0 || g_strcmp0 (sniffed, "image/avif") == 0)
    {
      g_free (*mime_type);
      *mime_type = g_strdup (sniffed);
    }
}

/* A descriptor of glycin's own for the file behind @fd, at @offset: for the
 * first attempt a duplicate (glycin may still hold the stream after a
 * cancelled decode returns, so never one this thread closes); for a second,
 * a new opening of the same file through /proc, as the first attempt's
 * stream may still be read at an offset that both duplicates share. */
static int
open_for_glycin (int     fd,
                 off_t   offset,
                 guint   attempt)
{
  g_autofree char *path = NULL;
  int own_fd;

  if (attempt == 0)
    return fcntl (fd, F_DUPFD_CLOEXEC, 3);

  path = g_strdup_printf ("/proc/self/fd/%d", fd);
  own_fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (own_fd >= 0 && lseek (own_fd, offset, SEEK_SET) != offset)
    {
      int saved_errno = errno;

      close (own_fd);
      errno = saved_errno;
      return -1;
    }

  return own_fd;
}

/* One decode, through a loader of its own, under @wait's time limit. */
static GdkPixbuf *
decode_attempt (int          fd,
                off_t        offset,
                guint        attempt,
                const char  *nameless_type,
                Wait        *wait,
                const Job   *job,
                GError     **error)
{
  g_autoptr(GlyLoader) loader = NULL;
  g_autofree char *link_path = NULL;
  GdkPixbuf *pixbuf;
  int own_fd;

  own_fd = open_for_glycin (fd, offset, attempt);
  if (own_fd < 0)
    {
      int saved_errno = errno;

      cs_set_error_cannot_read (error, saved_errno);
      return NULL;
    }

  loader = new_loader (own_fd, nameless_type, &link_path, error);
  if (loader == NULL)
    {
      if (nameless_type != NULL)
        close (own_fd);
      return NULL;
    }

  pixbuf = decode (loader, wait, job, error);

  /* glycin opened the file through the link when it started: from now on
   * nothing need reach it by name. */
  if (nameless_type != NULL)
    {
      remove_link (g_steal_pointer (&link_path));
      close (own_fd);
    }

  return pixbuf;
}

/* A loader may die for no fault of the file's. glycin's pool gives one
 * loader process to every decode of a format running at the same time, so
 * a file that kills its loader kills its neighbours' decodes too (see
 * cs-glycin-loaders.c). And glycin's loader for GIF and the other formats of
 * the image crate may decode frames of an animation ahead of the one asked
 * for; where it runs under our address-space limit, whether the first
 * frame comes back before the limit stops it can depend on how busy the
 * machine is. A loader that dies gets one more try, alone and with a time
 * limit of its own; a file that kills its loader fails again. */
static gboolean
worth_another_attempt (const GError *attempt_error)
{
  return g_error_matches (attempt_error, CS_THUMB_ERROR, CS_THUMB_ERROR_DECODER_DIED);
}

/**
 * cs_decode_glycin:
 * @fd: a regular file, read from its current offset
 * @type_hint: (nullable): the type the file's name suggests
 * @timeout_ms: how long an attempt may take (a file whose loader died
 *   is tried once more); 0 for no limit
 * @memory_limit: bytes of address space for a loader glycin runs without
 *   a sandbox; 0 for no limit
 *
 * What cs_decode_fd() does, through glycin's loaders. Called from a worker
 * thread (it runs a main context of its own while it waits), never from
 * the decoder helper, which may not start glycin's programs.
 */
GdkPixbuf *
cs_decode_glycin (int            fd,
                  const char    *type_hint,
                  guint          size,
                  guint64        max_pixels,
                  guint          timeout_ms,
                  guint64        memory_limit,
                  char         **mime_type,
                  int           *image_width,
                  int           *image_height,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GCancellable) decode_cancellable = NULL;
  g_autoptr(GError) attempt_error = NULL;
  const char *nameless_type;
  GdkPixbuf *pixbuf = NULL;
  gulong handler = 0;
  guint8 first;
  off_t offset;
  Wait wait;
  Job job = { size, max_pixels, timeout_ms, memory_limit, cancellable,
              mime_type, image_width, image_height };

  g_return_val_if_fail (fd >= 0, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  offset = lseek (fd, 0, SEEK_CUR);
  if (offset < 0 || pread (fd, &first, 1, offset) != 1)
    {
      cs_set_error_empty (error);
      return NULL;
    }

  nameless_type = cs_decode_nameless_type (fd, type_hint);

  context = g_main_context_new ();
  decode_cancellable = g_cancellable_new ();
  wait = (Wait) { context, decode_cancellable, NULL, FALSE };

  g_main_context_push_thread_default (context);
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (on_batch_cancelled),
                                     decode_cancellable, NULL);

  for (guint attempt = 0; attempt < 2 && pixbuf == NULL; attempt++)
    {
      g_autoptr(GSource) time_limit = NULL;

      if (attempt > 0)
        {
          if (!worth_another_attempt (attempt_error) || g_cancellable_is_cancelled (decode_cancellable))
            break;
          g_debug ("%s; trying once more, alone", attempt_error->message);
          g_clear_error (&attempt_error);
        }

      cs_glycin_loaders_enter (attempt > 0);

      if (timeout_ms > 0)
        {
          time_limit = g_timeout_source_new (timeout_ms);
          g_source_set_callback (time_limit, on_time_limit, &wait, NULL);
          g_source_attach (time_limit, context);
        }

      pixbuf = decode_attempt (fd, offset, attempt, nameless_type, &wait, &job, &attempt_error);

      if (time_limit != NULL)
        g_source_destroy (time_limit);

      cs_glycin_loaders_leave (attempt > 0);
    }

  g_cancellable_disconnect (cancellable, handler);
  g_main_context_pop_thread_default (context);

  if (pixbuf == NULL)
    g_propagate_error (error, g_steal_pointer (&attempt_error));
  else
    name_heif_brand (fd, offset, mime_type);

  return pixbuf;
}
