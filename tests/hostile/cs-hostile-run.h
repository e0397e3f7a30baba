/* cs-hostile-run.h: runs a program the way a harsh user would, and measures it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct
{
  int       status;       /* exit status, -1 when it did not exit */
  int       term_signal;  /* the signal that ended it, 0 for none */
  gboolean  timed_out;    /* killed at the deadline */
  gboolean  memory_out;   /* killed for using more than the watchdog allows */
  gboolean  survivors;    /* processes of its session outlived it (killed then) */
  double    seconds;      /* wall time */
  guint64   max_rss_kb;   /* peak resident set of it or of one of its children */
  char     *out;
  char     *err;
  char    **err_lines;
} CsRun;

typedef struct
{
  guint64 done;
  guint64 reused;
  guint64 failed;
  guint64 bytes;
} CsSummary;

void      cs_run_clear        (CsRun              *run);
void      cs_run_program      (const char         *cwd,
                               const char * const *env,
                               const char * const *argv,
                               guint               timeout_seconds,
                               guint64             kill_rss_kb,
                               CsRun              *run);
char     *cs_run_describe     (const CsRun        *run);
gboolean  cs_run_parse_summary (const CsRun       *run,
                                CsSummary         *summary);
guint     cs_run_count_prefix (const CsRun        *run,
                               const char         *prefix);
const char *cs_run_find_prefix (const CsRun       *run,
                                const char        *prefix);

char     *cs_printable        (const char         *bytes);
gboolean  cs_process_is_running (pid_t           pid);

GHashTable *cs_fingerprint_tree (const char       *root);
GPtrArray  *cs_fingerprint_diff (GHashTable       *before,
                                 GHashTable       *after,
                                 GHashTable       *allowed_new);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CsRun, cs_run_clear)

G_END_DECLS
