/* cs-attack.h: a taken-over decoder let loose on a prepared scene
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What the attack loader tries on attack-all.heic, and all it tries on the
 * three attack files (a spin and an allocation besides). */
#define CS_ATTACK_ATTEMPTS_ALL 21
#define CS_ATTACK_ATTEMPTS (CS_ATTACK_ATTEMPTS_ALL + 2)

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

gboolean   cs_attack_loader_is_used (void);
void       cs_attack_scene_init     (CsAttackScene      *scene);
void       cs_attack_scene_clear    (CsAttackScene      *scene);
int        cs_attack_scene_run      (CsAttackScene      *scene,
                                     const char         *helper,
                                     const char * const *argv,
                                     guint               timeout_seconds,
                                     char              **out,
                                     char              **err);
guint      cs_attack_scene_count_thumbnails (CsAttackScene *scene);
GPtrArray *cs_attack_scene_check    (CsAttackScene      *scene,
                                     const char         *app_error_line,
                                     gboolean            app_lived);

G_END_DECLS
