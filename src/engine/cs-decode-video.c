/* cs-decode-video.c: a video's thumbnail, one representative frame through GStreamer
 *
 * The file's descriptor feeds fdsrc ! decodebin; the decoded frames are
 * turned upright (videoflip follows the video's image-orientation tag),
 * scaled to the thumbnail's size in square pixels while still in the
 * decoder's format, and only then made RGB, for appsink. The pipeline
 * prerolls on the first frame, which is kept in case nothing better comes;
 * then it seeks to a tenth of the length, where a video is past its fade-in,
 * and takes that frame. A near-black frame there (a slow fade, a dark
 * title) sends it on to a quarter and then to half of the length.
 *
 * Confined (the decoder helper, src/decoder/cs-preload.c), GStreamer may
 * no longer load a plugin: cs_video_preload() loads those a video needs
 * first, and decodebin is kept to the ones loaded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-video"

/* memmem() */
#define _GNU_SOURCE

#include "config.h"

#include "cs-decode-video.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cs-error.h"
#include "cs-sniff.h"

/* How long one video may take here when no helper's time limit cuts it
 * off first (decoding in-process), and how often a wait looks at the
 * cancellable. */
#define VIDEO_BUDGET_MS 20000
#define WAIT_SLICE      (100 * GST_MSECOND)

/* A frame this dark on average shows nothing of the video. */
#define NEAR_BLACK_MEAN 16

/* Set once the helper preloaded its plugins: from then on, decodebin may
 * use only those. */
static gboolean only_loaded_plugins;
/* Set in a helper whose memory limit leaves no room for GStreamer. */
static gboolean not_loaded;

/* GStreamer, its registry and libav take some 100 MiB of address space:
 * under a smaller limit they would leave images too little. */
#define PRELOAD_MIN_ADDRESS_SPACE (G_GUINT64_CONSTANT (256) * 1024 * 1024)

/* decodebin's GstAutoplugSelectResult, which no public header declares. */
typedef enum
{
  AUTOPLUG_SELECT_TRY = 0,
  AUTOPLUG_SELECT_EXPOSE = 1,
  AUTOPLUG_SELECT_SKIP = 2,
} AutoplugSelect;

typedef struct
{
  GstElement   *pipeline;
  GstElement   *flip;
  GstElement   *sink;
  GstBus       *bus;
  gint64        deadline;
  GCancellable *cancellable;
  gboolean      has_video;
  gboolean      all_streams;    /* decodebin found every stream there is */
} Video;

static gboolean
init_gstreamer (GError **error)
{
  static gsize initialized;
  static gboolean ok;
  static GError *init_error;

  if (g_once_init_enter (&initialized))
    {
      ok = gst_init_check (NULL, NULL, &init_error);
      g_once_init_leave (&initialized, 1);
    }

  if (!ok)
    cs_set_error_video_no_decoder (error, init_error ? init_error->message : "gst_init");

  return ok;
}

/**
 * cs_video_sniff:
 * @fd: a regular file, looked at from its current offset (which stays)
 * @type_hint: (nullable): the type the file's name suggests
 *
 * Video containers known by their first bytes (cs_sniff_bytes(): an MP4
 * or QuickTime "ftyp" box, Matroska's and WebM's EBML header, RIFF AVI);
 * other video formats (MPEG transport streams, Ogg) by the name's type
 * when the content is no image.
 *
 * Returns: (nullable): the video's MIME type, static or @type_hint
 */
const char *
cs_video_sniff (int         fd,
                const char *type_hint)
{
  guint8 head[CS_SNIFF_LENGTH];
  off_t offset = lseek (fd, 0, SEEK_CUR);
  ssize_t n = offset < 0 ? -1 : pread (fd, head, sizeof head, offset);
  const char *sniffed = n > 0 ? cs_sniff_bytes (head, n) : NULL;

  if (sniffed != NULL)
    return g_str_has_prefix (sniffed, "video/") ? sniffed : NULL;

  if (n > 0 && type_hint != NULL && g_str_has_prefix (type_hint, "video/"))
    {
      g_autofree char *content_type = g_content_type_guess (NULL, head, n, NULL);

      if (!g_str_has_prefix (content_type, "image/"))
        return type_hint;
    }

  return NULL;
}

static gboolean
skip_audio (GstElement *decodebin,
            GstPad     *pad,
            GstCaps    *caps,
            gpointer    user_data)
{
  const GstStructure *structure = gst_caps_get_structure (caps, 0);

  /* Sound is neither decoded nor linked: its pad is left as it comes. */
  return structure == NULL || !g_str_has_prefix (gst_structure_get_name (structure), "audio/");
}

static AutoplugSelect
select_loaded (GstElement         *decodebin,
               GstPad             *pad,
               GstCaps            *caps,
               GstElementFactory  *factory,
               gpointer            user_data)
{
  g_autoptr(GstPlugin) plugin = NULL;

  if (!only_loaded_plugins)
    return AUTOPLUG_SELECT_TRY;

  plugin = gst_plugin_feature_get_plugin (GST_PLUGIN_FEATURE (factory));

  return plugin != NULL && gst_plugin_is_loaded (plugin) ? AUTOPLUG_SELECT_TRY : AUTOPLUG_SELECT_SKIP;
}

static void
link_video (GstElement *decodebin,
            GstPad     *pad,
            gpointer    user_data)
{
  Video *video = user_data;
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  g_autoptr(GstPad) sink_pad = gst_element_get_static_pad (video->flip, "sink");
  const GstStructure *structure;

  if (caps == NULL || (structure = gst_caps_get_structure (caps, 0)) == NULL ||
      !g_str_has_prefix (gst_structure_get_name (structure), "video/x-raw") ||
      gst_pad_is_linked (sink_pad))
    return;

  if (gst_pad_link (pad, sink_pad) == GST_PAD_LINK_OK)
    video->has_video = TRUE;
}

static void
note_all_streams (GstElement *decodebin,
                  gpointer    user_data)
{
  Video *video = user_data;

  video->all_streams = TRUE;
}

/* libav decodes on a thread per core, each with frames of its own and a
 * malloc arena: address space the helper's limit counts. One frame is
 * wanted, so one thread. */
static void
limit_threads (GstBin     *pipeline,
               GstBin     *bin,
               GstElement *element,
               gpointer    user_data)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (element), "max-threads") != NULL)
    g_object_set (element, "max-threads", 1, NULL);
}

/* One line from GStreamer's error, in our words first. */
static void
set_error_from_message (Video      *video,
                        GstMessage *message,
                        GError    **error)
{
  g_autoptr(GError) gst_error = NULL;

  gst_message_parse_error (message, &gst_error, NULL);

  if (g_error_matches (gst_error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN) ||
      g_error_matches (gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_CODEC_NOT_FOUND))
    cs_set_error_video_no_decoder (error, gst_error->message);
  else if (video->all_streams && !video->has_video)
    cs_set_error_video_no_picture (error);
  else
    cs_set_error_video_damaged (error, gst_error->message);
}

/* Until the pipeline has a frame to show (or the end) after a state change
 * or a seek. */
static gboolean
wait_preroll (Video   *video,
              GError **error)
{
  for (;;)
    {
      g_autoptr(GstMessage) message = NULL;

      if (g_cancellable_set_error_if_cancelled (video->cancellable, error))
        return FALSE;
      if (g_get_monotonic_time () > video->deadline)
        {
          cs_set_error_timeout (error, VIDEO_BUDGET_MS);
          return FALSE;
        }

      message = gst_bus_timed_pop_filtered (video->bus, WAIT_SLICE,
                                            GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_ERROR);
      if (message == NULL)
        continue;
      if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ASYNC_DONE)
        return TRUE;

      set_error_from_message (video, message, error);
      return FALSE;
    }
}

static void
free_sample (guchar   *pixels,
             gpointer  data)
{
  GstVideoFrame *frame = data;

  gst_video_frame_unmap (frame);
  g_free (frame);
}

/* The frame the sink holds now, or %NULL at the end of the video. */
static GdkPixbuf *
take_frame (Video *video)
{
  g_autoptr(GstSample) sample = gst_app_sink_try_pull_preroll (GST_APP_SINK (video->sink), 0);
  GstVideoFrame *frame;
  GstVideoInfo info;

  if (sample == NULL || gst_sample_get_buffer (sample) == NULL ||
      !gst_video_info_from_caps (&info, gst_sample_get_caps (sample)))
    return NULL;

  /* The frame keeps the buffer; the pixbuf keeps the frame. */
  frame = g_new0 (GstVideoFrame, 1);
  if (!gst_video_frame_map (frame, &info, gst_sample_get_buffer (sample), GST_MAP_READ))
    {
      g_free (frame);
      return NULL;
    }

  return gdk_pixbuf_new_from_data (GST_VIDEO_FRAME_PLANE_DATA (frame, 0), GDK_COLORSPACE_RGB,
                                   FALSE, 8, GST_VIDEO_FRAME_WIDTH (frame),
                                   GST_VIDEO_FRAME_HEIGHT (frame),
                                   GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0), free_sample, frame);
}

static gboolean
is_near_black (GdkPixbuf *pixbuf)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int rowstride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  guint64 sum = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width * 3; x++)
      sum += pixels[(gsize) y * rowstride + x];

  return sum < (guint64) NEAR_BLACK_MEAN * width * height * 3;
}

/* The picture's size as seen: upright, in square pixels. */
static void
get_image_size (Video *video,
                int   *image_width,
                int   *image_height)
{
  g_autoptr(GstPad) pad = gst_element_get_static_pad (video->flip, "src");
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  GstVideoInfo info;

  *image_width = *image_height = 0;
  if (caps == NULL || !gst_video_info_from_caps (&info, caps))
    return;

  *image_width = GST_VIDEO_INFO_WIDTH (&info);
  *image_height = GST_VIDEO_INFO_HEIGHT (&info);
  if (GST_VIDEO_INFO_PAR_N (&info) > 0 && GST_VIDEO_INFO_PAR_D (&info) > 0)
    *image_width = gst_util_uint64_scale_int (*image_width, GST_VIDEO_INFO_PAR_N (&info),
                                              GST_VIDEO_INFO_PAR_D (&info));
}

static gboolean
build_pipeline (Video   *video,
                int      fd,
                guint    size,
                GError **error)
{
  GstElement *src = gst_element_factory_make ("fdsrc", NULL);
  GstElement *decode = gst_element_factory_make ("decodebin", NULL);
  GstElement *scale = gst_element_factory_make ("videoscale", NULL);
  GstElement *convert = gst_element_factory_make ("videoconvert", NULL);
  g_autoptr(GstCaps) caps = NULL;

  video->flip = gst_element_factory_make ("videoflip", NULL);
  video->sink = gst_element_factory_make ("appsink", NULL);
  video->pipeline = gst_pipeline_new (NULL);

  if (src == NULL || decode == NULL || scale == NULL || convert == NULL ||
      video->flip == NULL || video->sink == NULL)
    {
      g_clear_object (&src);
      g_clear_object (&decode);
      g_clear_object (&scale);
      g_clear_object (&convert);
      g_clear_object (&video->flip);
      g_clear_object (&video->sink);
      cs_set_error_video_no_decoder (error, "fdsrc, decodebin, videoflip, videoscale, videoconvert, appsink");
      return FALSE;
    }

  caps = gst_caps_new_simple ("video/x-raw",
                              "format", G_TYPE_STRING, "RGB",
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                              "width", GST_TYPE_INT_RANGE, 1, (int) size,
                              "height", GST_TYPE_INT_RANGE, 1, (int) size,
                              NULL);
  g_object_set (src, "fd", fd, NULL);
  gst_util_set_object_arg (G_OBJECT (video->flip), "video-direction", "auto");
  gst_util_set_object_arg (G_OBJECT (scale), "method", "lanczos");
  g_object_set (video->sink, "caps", caps, "sync", FALSE, "max-buffers", 1, "drop", TRUE, NULL);

  gst_bin_add_many (GST_BIN (video->pipeline), src, decode, video->flip, scale, convert,
                    video->sink, NULL);
  if (!gst_element_link (src, decode) ||
      !gst_element_link_many (video->flip, scale, convert, video->sink, NULL))
    {
      cs_set_error_video_no_decoder (error, "link");
      return FALSE;
    }

  g_signal_connect (decode, "autoplug-continue", G_CALLBACK (skip_audio), video);
  g_signal_connect (decode, "autoplug-select", G_CALLBACK (select_loaded), video);
  g_signal_connect (decode, "pad-added", G_CALLBACK (link_video), video);
  g_signal_connect (decode, "no-more-pads", G_CALLBACK (note_all_streams), video);
  g_signal_connect (video->pipeline, "deep-element-added", G_CALLBACK (limit_threads), video);
  video->bus = gst_element_get_bus (video->pipeline);

  return TRUE;
}

/* Past the fade-in; then, if that is dark, further on. The first seek goes
 * to the nearest key frame (no frames decoded only to be dropped); a dark
 * key frame may be far from its position, so the others are exact. */
static const struct
{
  double       position;
  GstSeekFlags flags;
} seeks[] = {
  { 0.10, GST_SEEK_FLAG_KEY_UNIT | GST_SEEK_FLAG_SNAP_NEAREST },
  { 0.25, GST_SEEK_FLAG_ACCURATE },
  { 0.50, GST_SEEK_FLAG_ACCURATE },
};

static GdkPixbuf *
pick_frame (Video   *video,
            double  *duration,
            GError **error)
{
  g_autoptr(GdkPixbuf) best = NULL;
  gint64 length = -1;

  if (gst_element_set_state (video->pipeline, GST_STATE_PAUSED) == GST_STATE_CHANGE_FAILURE)
    {
      g_autoptr(GstMessage) message = gst_bus_pop_filtered (video->bus, GST_MESSAGE_ERROR);

      if (message != NULL)
        set_error_from_message (video, message, error);
      else
        cs_set_error_video_damaged (error, "state change failed");
      return NULL;
    }

  if (!wait_preroll (video, error))
    return NULL;

  best = take_frame (video);
  if (best == NULL)
    {
      cs_set_error_video_no_picture (error);
      return NULL;
    }

  if (gst_element_query_duration (video->pipeline, GST_FORMAT_TIME, &length) && length > 0)
    *duration = (double) length / GST_SECOND;
  else
    return g_steal_pointer (&best);

  for (gsize i = 0; i < G_N_ELEMENTS (seeks); i++)
    {
      g_autoptr(GError) seek_error = NULL;
      GdkPixbuf *frame;

      /* A length the file only claims (the data stops early) ends here,
       * with the frame there is. */
      if (!gst_element_seek_simple (video->pipeline, GST_FORMAT_TIME,
                                    GST_SEEK_FLAG_FLUSH | seeks[i].flags,
                                    (gint64) (length * seeks[i].position)))
        break;

      if (!wait_preroll (video, &seek_error))
        {
          if (g_error_matches (seek_error, CS_THUMB_ERROR, CS_THUMB_ERROR_TIMEOUT) ||
              g_error_matches (seek_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&seek_error));
              return NULL;
            }
          break;
        }

      frame = take_frame (video);
      if (frame == NULL)
        break;
      g_set_object (&best, frame);
      g_object_unref (frame);
      if (!is_near_black (best))
        break;
    }

  return g_steal_pointer (&best);
}

/**
 * cs_video_decode:
 * @fd: a regular file, read from its current offset
 * @duration: (out): the video's length in seconds, 0 when unknown
 *
 * Returns: (transfer full) (nullable): a representative frame, upright, its
 *   longest side at most @size
 */
GdkPixbuf *
cs_video_decode (int            fd,
                 guint          size,
                 guint64        max_pixels,
                 int           *image_width,
                 int           *image_height,
                 double        *duration,
                 GCancellable  *cancellable,
                 GError       **error)
{
  Video video = { 0 };
  g_autoptr(GdkPixbuf) frame = NULL;

  *duration = 0;
  if (not_loaded)
    {
      cs_set_error_video_no_decoder (error, "the decoder's memory limit is too small for GStreamer");
      return NULL;
    }
  if (!init_gstreamer (error))
    return NULL;

  video.cancellable = cancellable;
  video.deadline = g_get_monotonic_time () + (gint64) VIDEO_BUDGET_MS * 1000;

  if (build_pipeline (&video, fd, size, error))
    {
      frame = pick_frame (&video, duration, error);
      if (frame != NULL)
        {
          get_image_size (&video, image_width, image_height);
          if ((guint64) *image_width * (guint64) *image_height > max_pixels)
            {
              cs_set_error_too_large (error, *image_width, *image_height);
              g_clear_object (&frame);
            }
        }
    }

  /* The pixels outlive the pipeline: the frame maps a buffer of its own. */
  gst_element_set_state (video.pipeline, GST_STATE_NULL);
  g_clear_object (&video.bus);
  g_clear_object (&video.pipeline);

  return g_steal_pointer (&frame);
}

/**
 * cs_video_prepare:
 *
 * Brings GStreamer's plugin registry up to date in this process, which is
 * neither confined nor under a helper's memory limit, so that the decoder
 * helpers it starts only read it (cs_video_preload()).
 */
void
cs_video_prepare (void)
{
  init_gstreamer (NULL);
}

/**
 * cs_video_preload:
 *
 * Loads GStreamer, its plugin registry and the plugins a video may need,
 * for a process that can load nothing later. Plugins are never scanned in
 * a process of their own (a new program), and decodebin is kept to these.
 */
void
cs_video_preload (void)
{
  static const char * const plugins[] = {
    "coreelements", "typefindfunctions", "playback", "app", "videoconvertscale",
    "videoconvert", "videoscale", "videofilter", "isomp4", "matroska", "avi", "ogg",
    "mpegtsdemux", "libav", "vpx", "theora", "dav1d", "videoparsersbad",
  };
  GstRegistry *registry;
  GList *finders;
  struct rlimit as;

  if (getrlimit (RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY &&
      as.rlim_cur < PRELOAD_MIN_ADDRESS_SPACE)
    {
      not_loaded = TRUE;
      return;
    }

  /* The worker brought the registry up to date (cs_video_prepare()). */
  g_setenv ("GST_REGISTRY_UPDATE", "no", TRUE);
  g_setenv ("GST_REGISTRY_FORK", "no", TRUE);
  /* ORC compiles its conversions into executable memory, which the
   * confined helper cannot have: its plain C versions instead. */
  g_setenv ("ORC_CODE", "backup", TRUE);

  if (!init_gstreamer (NULL))
    return;

  registry = gst_registry_get ();
  for (gsize i = 0; i < G_N_ELEMENTS (plugins); i++)
    {
      g_autoptr(GstPlugin) plugin = gst_registry_find_plugin (registry, plugins[i]);
      GstPlugin *loaded = plugin != NULL ? gst_plugin_load (plugin) : NULL;

      if (loaded != NULL)
        gst_object_unref (loaded);
    }

  /* typefind asks every type finder about the file. */
  finders = gst_registry_get_feature_list (registry, GST_TYPE_TYPE_FIND_FACTORY);
  for (GList *l = finders; l != NULL; l = l->next)
    {
      GstPluginFeature *feature = gst_plugin_feature_load (l->data);

      if (feature != NULL)
        gst_object_unref (feature);
    }
  gst_plugin_feature_list_free (finders);

  only_loaded_plugins = TRUE;
}
