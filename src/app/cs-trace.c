/* cs-trace.c: timings and milestones on stderr, for the bench and tests
 *
 * CONTACT_SHEET_TRACE=1 prints, for each folder opened, when it was opened,
 * scanned and finished, when its first thumbnail was painted, and how long
 * the main loop and GTK's frames were held up meanwhile.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-trace"

#include "config.h"

#include "cs-trace.h"

#include <gtk/gtk.h>
#include <stdio.h>

/* Main-loop responsiveness: a timer asks to run every few milliseconds;
 * how late it runs is how long something held the loop. */
#define PROBE_PERIOD_MS 4

struct _CsTraceProbe
{
  GtkWidget     *window;             /* borrowed: it owns the probe */

  gint64         open_time;
  gboolean       first_shown;
  GdkFrameClock *first_paint_clock;  /* waits to trace the first thumbnail */

  guint          source;
  gint64         last;
  GArray        *gaps;               /* gint64 µs beyond the period */
  gboolean       shown;              /* the window has drawn a frame */
  GdkFrameClock *clock;
  gint64         frame_start;
  GArray        *frame_times;        /* gint64 µs from update to after-paint */
};

gboolean
cs_trace_enabled (void)
{
  static int enabled = -1;

  if (enabled < 0)
    enabled = g_strcmp0 (g_getenv ("CONTACT_SHEET_TRACE"), "1") == 0;

  return enabled;
}

void
cs_trace (const char *format,
          ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (!cs_trace_enabled ())
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (stderr, "contact-sheet-trace: %s\n", message);
  fflush (stderr);
}

/* The probe of @window (a #GtkWidget), which owns it; the header needs no
 * GTK, so that the folder loader can trace without it. */
CsTraceProbe *
cs_trace_probe_new (gpointer window)
{
  CsTraceProbe *probe;

  g_return_val_if_fail (GTK_IS_WIDGET (window), NULL);

  probe = g_new0 (CsTraceProbe, 1);

  probe->window = window;
  probe->gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  probe->frame_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  probe->open_time = g_get_monotonic_time ();

  return probe;
}

/* Milliseconds since the folder was opened. */
double
cs_trace_probe_get_elapsed (CsTraceProbe *probe)
{
  return (g_get_monotonic_time () - probe->open_time) / 1000.0;
}

/* The first-thumbnail time: from opening the folder to the end of the
 * first frame painted after a cell got pixels, what a person sees. */
static void
on_first_thumbnail_painted (GdkFrameClock *clock,
                            CsTraceProbe  *probe)
{
  cs_trace ("first-thumbnail %.1f ms", cs_trace_probe_get_elapsed (probe));
  g_signal_handlers_disconnect_by_func (clock, on_first_thumbnail_painted, probe);
  g_clear_object (&probe->first_paint_clock);
}

static void
forget_first_paint (CsTraceProbe *probe)
{
  if (probe->first_paint_clock == NULL)
    return;

  g_signal_handlers_disconnect_by_func (probe->first_paint_clock, on_first_thumbnail_painted, probe);
  g_clear_object (&probe->first_paint_clock);
}

/* A cell shows a thumbnail's pixels now. */
void
cs_trace_probe_note_shown (CsTraceProbe *probe)
{
  GdkFrameClock *clock;

  if (probe->first_shown || !cs_trace_enabled ())
    return;

  probe->first_shown = TRUE;
  clock = gtk_widget_get_frame_clock (probe->window);
  if (clock == NULL)
    {
      cs_trace ("first-thumbnail %.1f ms", cs_trace_probe_get_elapsed (probe));
      return;
    }

  probe->first_paint_clock = g_object_ref (clock);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_first_thumbnail_painted), probe);
}

/* A folder is being opened: its times count from now. */
void
cs_trace_probe_reset (CsTraceProbe *probe)
{
  probe->first_shown = FALSE;
  forget_first_paint (probe);
  probe->open_time = g_get_monotonic_time ();
}

/* How much of the main loop's delay was GTK making frames: from the frame
 * clock's update phase to the end of painting (layout, snapshot and the
 * renderer). */
static void
on_frame_update (GdkFrameClock *clock,
                 CsTraceProbe  *probe)
{
  probe->frame_start = g_get_monotonic_time ();
}

static void
on_frame_painted (GdkFrameClock *clock,
                  CsTraceProbe  *probe)
{
  gint64 took;

  if (probe->frame_start == 0)
    return;

  took = g_get_monotonic_time () - probe->frame_start;
  g_array_append_val (probe->frame_times, took);
  probe->frame_start = 0;

  /* The first frame itself is part of starting up. */
  if (!probe->shown)
    {
      probe->shown = TRUE;
      probe->last = g_get_monotonic_time ();
    }
}

static gboolean
on_probe (gpointer user_data)
{
  CsTraceProbe *probe = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 late = now - probe->last - PROBE_PERIOD_MS * 1000;

  /* A window opened with a folder starts its work before its first frame;
   * what a person could see stutter starts with that frame. */
  if (probe->shown)
    g_array_append_val (probe->gaps, late);
  probe->last = now;

  /* The window has a frame clock once it is realized. */
  if (probe->clock == NULL && gtk_widget_get_realized (probe->window))
    {
      probe->clock = g_object_ref (gtk_widget_get_frame_clock (probe->window));
      probe->frame_start = 0;
      g_signal_connect (probe->clock, "update", G_CALLBACK (on_frame_update), probe);
      g_signal_connect (probe->clock, "after-paint", G_CALLBACK (on_frame_painted), probe);
    }

  return G_SOURCE_CONTINUE;
}

void
cs_trace_probe_start (CsTraceProbe *probe)
{
  if (!cs_trace_enabled () || probe->source != 0)
    return;

  g_array_set_size (probe->gaps, 0);
  g_array_set_size (probe->frame_times, 0);
  probe->shown = gtk_widget_get_mapped (probe->window);
  probe->last = g_get_monotonic_time ();
  probe->source = g_timeout_add_full (G_PRIORITY_HIGH, PROBE_PERIOD_MS, on_probe, probe, NULL);
}

static int
compare_gaps (gconstpointer a,
              gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
trace_spread (const char *what,
              GArray     *samples)
{
  if (samples->len == 0)
    return;

  g_array_sort (samples, compare_gaps);
  cs_trace ("%s over %u samples: max %.1f ms, p99 %.1f ms, median %.1f ms",
            what, samples->len,
            MAX (0, g_array_index (samples, gint64, samples->len - 1)) / 1000.0,
            MAX (0, g_array_index (samples, gint64, (samples->len - 1) * 99 / 100)) / 1000.0,
            MAX (0, g_array_index (samples, gint64, samples->len / 2)) / 1000.0);
}

static void
disconnect_frame_clock (CsTraceProbe *probe)
{
  if (probe->clock == NULL)
    return;

  g_signal_handlers_disconnect_by_func (probe->clock, on_frame_update, probe);
  g_signal_handlers_disconnect_by_func (probe->clock, on_frame_painted, probe);
  g_clear_object (&probe->clock);
}

/* The work is over: how the main loop and the frames fared meanwhile. */
void
cs_trace_probe_stop (CsTraceProbe *probe)
{
  if (probe->source == 0)
    return;

  g_clear_handle_id (&probe->source, g_source_remove);
  disconnect_frame_clock (probe);
  trace_spread ("main-loop stalls", probe->gaps);
  trace_spread ("frames", probe->frame_times);
}

void
cs_trace_probe_free (CsTraceProbe *probe)
{
  g_clear_handle_id (&probe->source, g_source_remove);
  disconnect_frame_clock (probe);
  forget_first_paint (probe);
  g_array_unref (probe->gaps);
  g_array_unref (probe->frame_times);
  g_free (probe);
}
