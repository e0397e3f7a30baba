/* cs-i18n.c: where this program's translations are
 *
 * The installed programs read their catalogues under the prefix. Run from
 * the build tree (build-aux/run.sh, `meson devenv`), nothing is installed
 * there yet, or an older release is: $CONTACT_SHEET_LOCALEDIR then names
 * the build's po/ folder, which holds the same <lang>/LC_MESSAGES layout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-i18n"

#include "config.h"

#include "cs-i18n.h"

#include <libintl.h>

/**
 * cs_i18n_get_locale_dir:
 *
 * Returns: $CONTACT_SHEET_LOCALEDIR when set and not empty, else the
 *   installed LOCALEDIR
 */
const char *
cs_i18n_get_locale_dir (void)
{
  const char *env = g_getenv ("CONTACT_SHEET_LOCALEDIR");

  if (env != NULL && env[0] != '\0')
    return env;

  return LOCALEDIR;
}

/* Binds the text domain, in UTF-8 whatever the locale's charset. The
 * caller has called setlocale() already. */
void
cs_i18n_bind (void)
{
  bindtextdomain (GETTEXT_PACKAGE, cs_i18n_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
}
