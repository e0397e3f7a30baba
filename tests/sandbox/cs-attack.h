/* cs-attack.h: a taken-over decoder let loose on a prepared scene
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  char    *root;         /* under /tmp: home/, tmp/, images/, out/ */
  char    *home;
  char    *tmp;
  char    *images;
  char    *out;
  char    *cache_file;   /* GdkPixbuf's loaders, the attack's for HEIF */
  char    *unix_path;
  int      unix_fd;
  int      tcp_fd;
  guint16  port;
  GPid     victim;
} CsAttackScene;

gboolean  cs_attack_loader_is_used (void);
void      cs_attack_scene_init     (CsAttackScene *scene);
void      cs_attack_scene_clear    (CsAttackScene *scene);
char    **cs_attack_scene_environ  (CsAttackScene *scene,
                                    const char    *helper);
GPtrArray *cs_attack_scene_check   (CsAttackScene *scene,
                                    const char    *app_error_line);

G_END_DECLS
