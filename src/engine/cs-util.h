/* cs-util.h: small helpers every floor of the engine may use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How much lower background work's CPU priority is than the app's (its
 * niceness plus this): the scheduler then gives a busy window's threads
 * about nine times the share of the thumbnailer's. */
#define CS_BACKGROUND_NICE 10

void  cs_lower_thread_priority (void);

char *cs_describe_file (GFile      *file);
char *cs_escape_line   (const char *text);
gboolean cs_write_file_atomically (const char  *path,
                                   const void  *data,
                                   gsize        len,
                                   int          mode,
                                   GError     **error);

G_END_DECLS
