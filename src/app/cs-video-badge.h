/* cs-video-badge.h: a video's marker and length on its grid cell
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CS_TYPE_VIDEO_BADGE (cs_video_badge_get_type ())
G_DECLARE_FINAL_TYPE (CsVideoBadge, cs_video_badge, CS, VIDEO_BADGE, GtkWidget)

GtkWidget *cs_video_badge_new             (void);
void       cs_video_badge_set_duration    (CsVideoBadge *self,
                                           double        duration);
const char *cs_video_badge_get_text       (CsVideoBadge *self);
char      *cs_video_badge_format_duration (double        duration);

G_END_DECLS
