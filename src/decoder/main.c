/* main.c: contact-sheet-decoder, the helper process that runs image decoders
 *
 * Started by a worker thread with its socket on descriptor 3; never started
 * by people.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "contact-sheet-decoder"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cs-decode-util.h"
#include "cs-i18n.h"
#include "cs-decoder-protocol.h"
#include "cs-decoder-serve.h"
#include "cs-preload.h"
#include "cs-sandbox.h"

int
main (int   argc,
      char *argv[])
{
  g_auto(GStrv) readable = NULL;
  struct stat st;

  setlocale (LC_ALL, "");
  cs_i18n_bind ();
  signal (SIGPIPE, SIG_IGN);

  if (fstat (CS_DECODER_SOCKET_FD, &st) != 0 || !S_ISSOCK (st.st_mode))
    {
      fprintf (stderr, "%s\n", _("contact-sheet-decoder is started by Contact Sheet, not by hand."));
      return 2;
    }

  cs_decode_return_big_buffers ();

  /* Only its descriptors, its memory and the fonts, from here on. */
  readable = cs_preload ();

  return cs_decoder_serve (CS_DECODER_SOCKET_FD, cs_sandbox_enter ((const char * const *) readable));
}
