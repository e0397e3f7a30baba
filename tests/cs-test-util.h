/* cs-test-util.h: small helpers shared by the engine's tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char      *cs_test_make_dir       (void);
void       cs_test_remove_tree    (const char *path);
GPtrArray *cs_test_list_dir       (const char *path);
void       cs_test_wait_until     (gboolean   (*check) (gpointer),
                                   gpointer     data,
                                   guint        timeout_ms);

char      *cs_test_isolate_cache  (void);

/* Lets GTK 4.24's frame-timings warning through (see cs-test-util.c); call
 * before anything logs. */
void       cs_test_allow_gtk_frame_warning (void);

/* The pids of this process's live decoder helpers. */
GArray    *cs_test_find_helpers   (void);

void       cs_test_drop_sandbox_notices (char ***lines);

/* Runs @argv (the program first) to its end, 60 s at most, and returns its
 * exit status; its stdout and stderr a line each (without the sandbox
 * notices), either may be %NULL. */
int        cs_test_run_program    (const char * const  *argv,
                                   char              ***out_lines,
                                   char              ***err_lines);

/* @text as a person reads it: without the zero-width spaces a cell's
 * caption has for line breaks. */
char      *cs_test_dup_visible_text (const char *text);

/* A fixture that is a fresh folder, removed with all it holds afterwards. */
typedef struct
{
  char *dir;
} CsTestDir;

void       cs_test_dir_setup      (CsTestDir     *f,
                                   gconstpointer  data);
void       cs_test_dir_teardown   (CsTestDir     *f,
                                   gconstpointer  data);

G_END_DECLS
