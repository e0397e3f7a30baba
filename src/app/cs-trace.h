/* cs-trace.h: timings and milestones on stderr, for the bench and tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CsTraceProbe CsTraceProbe;

gboolean      cs_trace_enabled           (void);
void          cs_trace                   (const char   *format,
                                          ...) G_GNUC_PRINTF (1, 2);

CsTraceProbe *cs_trace_probe_new         (gpointer      window);
void          cs_trace_probe_free        (CsTraceProbe *probe);
void          cs_trace_probe_reset       (CsTraceProbe *probe);
void          cs_trace_probe_start       (CsTraceProbe *probe);
void          cs_trace_probe_stop        (CsTraceProbe *probe);
double        cs_trace_probe_get_elapsed (CsTraceProbe *probe);
void          cs_trace_probe_note_shown  (CsTraceProbe *probe);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsTraceProbe, cs_trace_probe_free)

G_END_DECLS
