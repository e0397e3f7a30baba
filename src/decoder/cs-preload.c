/* cs-preload.c: what the decoder helper loads before it gives up files
 *
 * Once confined (cs-sandbox.c), the helper cannot open a file by name, so
 * whatever its libraries would load on first use is loaded first: every
 * GdkPixbuf loader module (and the libraries it pulls in), the MIME
 * database GIO sniffs formats with, the message catalogs of the languages
 * in use, fontconfig's configuration and caches, and GStreamer with the
 * plugins videos need (cs-decode-video.c).
 *
 * LibRaw (cs-decode-raw.c) needs nothing here: it is linked in, reads the
 * file from memory and loads no profile or plugin; its OpenMP threads are
 * never started (one thread decodes).
 *
 * Fonts are the exception: cairo and Pango open a font file whenever text
 * is drawn at a new size, so SVG text needs them after confinement. Font
 * folders hold nothing of the user's but fonts; they stay readable
 * (cs-landlock.c), and fontconfig is told not to rescan its folders.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "contact-sheet-decoder"

#include "config.h"

#include "cs-preload.h"

#include <errno.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#if HAVE_FONTCONFIG
#include <fontconfig/fontconfig.h>
#endif
#if HAVE_GSTREAMER
#include "cs-decode-video.h"
#endif

static void
load_module (GdkPixbufFormat *format)
{
  /* Asking a format about an option loads its module (a dlopen() that
   * stays) without starting a decode, which some loaders would warn about
   * when it ends without data. */
  (void) gdk_pixbuf_format_is_save_option_supported (format, "contact-sheet");
}

/**
 * cs_preload:
 *
 * Loads everything a decode might otherwise load lazily.
 *
 * Returns: (transfer full): the folders that must stay readable: fontconfig's
 *   font folders
 */
GStrv
cs_preload (void)
{
  g_autoptr(GStrvBuilder) readable = g_strv_builder_new ();
  static const guchar png_head[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  /* The list is ours, the formats in it are GdkPixbuf's. */
  g_autoptr(GSList) formats = gdk_pixbuf_get_formats ();
  g_autofree char *type = NULL;

  for (GSList *l = formats; l != NULL; l = l->next)
    if (!gdk_pixbuf_format_is_disabled (l->data))
      load_module (l->data);

  /* GIO's MIME database, which GdkPixbuf consults to pick a loader. */
  type = g_content_type_guess (NULL, png_head, sizeof png_head, NULL);

  /* The catalogs of the messages a decode can end in: the helper's, the
   * loaders', GLib's and the C library's (strerror()). */
  (void) g_dgettext (GETTEXT_PACKAGE, "");
  (void) g_dgettext ("gdk-pixbuf", "");
  (void) g_dgettext ("glib20", "");
  (void) g_strerror (EIO);

#if HAVE_GSTREAMER
  /* GStreamer, its registry and the plugins a video needs. */
  cs_video_preload ();
#endif

#if HAVE_FONTCONFIG
  if (FcInit ())
    {
      FcStrList *dirs = FcConfigGetFontDirs (NULL);
      const FcChar8 *dir;

      FcConfigSetRescanInterval (NULL, 0);
      while (dirs != NULL && (dir = FcStrListNext (dirs)) != NULL)
        g_strv_builder_add (readable, (const char *) dir);
      if (dirs != NULL)
        FcStrListDone (dirs);
    }
#endif

  return g_strv_builder_end (readable);
}
