/* main.c: contact-sheet, the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "cs-application.h"
#include "cs-i18n.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CsApplication) app = NULL;

  setlocale (LC_ALL, "");
  cs_i18n_bind ();
  textdomain (GETTEXT_PACKAGE);

  /* The X11 window class then names the desktop file, as on Wayland. */
  g_set_prgname (APP_ID);
  g_set_application_name (_("Contact Sheet"));
  app = cs_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
