/* cs-attack.c: a taken-over decoder let loose on a prepared scene
 *
 * The scene is what the attack loader (cs-attack-loader.c) goes after: a
 * home folder and a folder in /tmp with canary files and a private key, a
 * listening Unix socket and TCP port, and a victim process of the user's;
 * and a folder of images for the app under attack: the three attack files
 * and one real picture. The app (the CLI, or a window) runs in a process
 * of its own with the scene's environment. Afterwards everything is
 * checked from outside: every attempt that left a trace is named.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-attack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define CANARY "canary: left alone\n"
#define SECRET "CS-SECRET-KEY-2f9c1e"

static const char * const attack_modes[] = { "all", "spin", "alloc" };
static const char probe_mode[] = "probe";

static void
write_canaries (const char *folder)
{
  static const char * const names[] = { "canary", "canary-rename", "canary-delete" };

  g_assert_no_errno (g_mkdir_with_parents (folder, 0700));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (folder, names[i], NULL);

      g_assert_true (g_file_set_contents (path, CANARY, -1, NULL));
    }
}

/* GdkPixbuf's own list, without the HEIF loader and with the attack's. */
static void
write_cache_file (CsAttackScene *scene)
{
  g_autofree char *system = NULL;
  g_autoptr(GString) cache = g_string_new (NULL);
  g_auto(GStrv) blocks = NULL;

  g_assert_true (g_file_get_contents (CS_SYSTEM_LOADERS_CACHE, &system, NULL, NULL));
  blocks = g_strsplit (system, "\n\n", -1);
  for (guint i = 0; blocks[i] != NULL; i++)
    if (strstr (blocks[i], "pixbufloader-heif") == NULL)
      g_string_append_printf (cache, "%s\n\n", blocks[i]);

  g_string_append_printf (cache,
                          "\"%s\"\n"
                          "\"cs-attack\" 4 \"\" \"A taken-over decoder\" \"GPL\"\n"
                          "\"image/heif\" \"image/heic\" \"image/avif\" \"\"\n"
                          "\"heic\" \"heif\" \"avif\" \"\"\n"
                          "\"    ftyp\" \"xxxx    \" 100\n\n",
                          CS_ATTACK_LOADER);
  scene->cache_file = g_build_filename (scene->root, "loaders.cache", NULL);
  g_assert_true (g_file_set_contents (scene->cache_file, cache->str, -1, NULL));
}

static void
write_attack_file (const char *folder,
                   const char *mode)
{
  static const char header[] = "\0\0\0\x18" "ftypheic" "\0\0\0\0" "mif1heic";
  g_autofree char *name = g_strdup_printf ("attack-%s.heic", mode);
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr(GString) content = g_string_new_len (header, sizeof header - 1);

  /* Past GdkPixbuf's first buffer, so that the loader is fed while the
   * file is written to it and its error is passed on as it is. */
  g_string_append_printf (content, "CS-ATTACK %s\n", mode);
  while (content->len < 16384)
    g_string_append_c (content, ' ');
  g_assert_true (g_file_set_contents (path, content->str, content->len, NULL));
}

static void
write_images (CsAttackScene *scene)
{
  g_autoptr(GdkPixbuf) picture = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 48);
  g_autofree char *png = g_build_filename (scene->images, "picture.png", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (attack_modes); i++)
    write_attack_file (scene->images, attack_modes[i]);

  gdk_pixbuf_fill (picture, 0x336699ff);
  g_assert_true (gdk_pixbuf_save (picture, png, "png", NULL, NULL));
}

/**
 * cs_attack_loader_is_used:
 *
 * Whether this GdkPixbuf decodes HEIF with the attack loader when told to
 * by GDK_PIXBUF_MODULE_FILE: not where it decodes through glycin, whose
 * loaders run sandboxed in processes of their own. Sets the variable for
 * this process.
 */
gboolean
cs_attack_loader_is_used (void)
{
  g_autofree char *folder = g_dir_make_tmp ("cs-attack-probe-XXXXXX", NULL);
  g_autofree char *file = g_strdup_printf ("attack-%s.heic", probe_mode);
  g_autofree char *path = g_build_filename (folder, file, NULL);
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  CsAttackScene probe = { .root = folder };
  gboolean used;

  write_cache_file (&probe);
  write_attack_file (folder, probe_mode);
  g_setenv ("GDK_PIXBUF_MODULE_FILE", probe.cache_file, TRUE);
  pixbuf = gdk_pixbuf_new_from_file (path, &error);
  used = error != NULL && strstr (error->message, "CS-ATTACK") != NULL;

  g_remove (path);
  g_remove (probe.cache_file);
  g_rmdir (folder);
  g_free (probe.cache_file);

  return used;
}

static void
listen_unix (CsAttackScene *scene)
{
  struct sockaddr_un addr = { AF_UNIX };

  scene->unix_path = g_build_filename (scene->root, "listen.sock", NULL);
  g_strlcpy (addr.sun_path, scene->unix_path, sizeof addr.sun_path);
  scene->unix_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  g_assert_cmpint (scene->unix_fd, >=, 0);
  g_assert_no_errno (bind (scene->unix_fd, (struct sockaddr *) &addr, sizeof addr));
  g_assert_no_errno (listen (scene->unix_fd, 4));
}

static void
listen_tcp (CsAttackScene *scene)
{
  struct sockaddr_in addr = { AF_INET };
  socklen_t len = sizeof addr;

  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  scene->tcp_fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  g_assert_cmpint (scene->tcp_fd, >=, 0);
  g_assert_no_errno (bind (scene->tcp_fd, (struct sockaddr *) &addr, sizeof addr));
  g_assert_no_errno (listen (scene->tcp_fd, 4));
  g_assert_no_errno (getsockname (scene->tcp_fd, (struct sockaddr *) &addr, &len));
  scene->port = ntohs (addr.sin_port);
}

/* Another process of the user's, which lets anyone trace it (as Yama
 * would otherwise forbid even without a sandbox). */
static void
start_victim (CsAttackScene *scene)
{
  scene->victim = fork ();
  g_assert_cmpint (scene->victim, >=, 0);
  if (scene->victim == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
#ifdef PR_SET_PTRACER
      prctl (PR_SET_PTRACER, PR_SET_PTRACER_ANY);
#endif
      for (;;)
        pause ();
    }
}

void
cs_attack_scene_init (CsAttackScene *scene)
{
  g_autofree char *ssh = NULL;
  g_autofree char *key = NULL;

  memset (scene, 0, sizeof *scene);
  scene->root = g_dir_make_tmp ("cs-sandbox-XXXXXX", NULL);
  g_assert_nonnull (scene->root);
  g_assert_true (g_str_has_prefix (scene->root, "/tmp/"));
  scene->home = g_build_filename (scene->root, "home", NULL);
  scene->tmp = g_build_filename (scene->root, "tmp", NULL);
  scene->images = g_build_filename (scene->root, "images", NULL);
  scene->out = g_build_filename (scene->root, "out", NULL);

  write_canaries (scene->home);
  write_canaries (scene->tmp);
  ssh = g_build_filename (scene->home, ".ssh", NULL);
  key = g_build_filename (ssh, "id_ed25519", NULL);
  g_assert_no_errno (g_mkdir_with_parents (ssh, 0700));
  g_assert_true (g_file_set_contents (key, SECRET "\n", -1, NULL));
  g_assert_no_errno (g_mkdir_with_parents (scene->images, 0700));
  write_images (scene);
  write_cache_file (scene);
  listen_unix (scene);
  listen_tcp (scene);
  start_victim (scene);
}

void
cs_attack_scene_clear (CsAttackScene *scene)
{
  if (scene->victim > 0)
    {
      kill (scene->victim, SIGKILL);
      waitpid (scene->victim, NULL, 0);
    }
  close (scene->unix_fd);
  close (scene->tcp_fd);

  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", scene->root);

    g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  }

  g_free (scene->root);
  g_free (scene->home);
  g_free (scene->tmp);
  g_free (scene->images);
  g_free (scene->out);
  g_free (scene->cache_file);
  g_free (scene->unix_path);
}

/* The environment for the app under attack. */
static char **
scene_environ (CsAttackScene *scene,
               const char    *helper)
{
  g_autofree char *port = g_strdup_printf ("%u", scene->port);
  g_autofree char *victim = g_strdup_printf ("%d", (int) scene->victim);
  g_autofree char *cache = g_build_filename (scene->root, "cache", NULL);
  char **env = g_get_environ ();

  env = g_environ_setenv (env, "HOME", scene->home, TRUE);
  env = g_environ_setenv (env, "XDG_CACHE_HOME", cache, TRUE);
  env = g_environ_setenv (env, "GDK_PIXBUF_MODULE_FILE", scene->cache_file, TRUE);
  env = g_environ_setenv (env, "CONTACT_SHEET_DECODER", helper, TRUE);
  env = g_environ_setenv (env, "CS_ATTACK_TMP", scene->tmp, TRUE);
  env = g_environ_setenv (env, "CS_ATTACK_UNIX", scene->unix_path, TRUE);
  env = g_environ_setenv (env, "CS_ATTACK_PORT", port, TRUE);
  env = g_environ_setenv (env, "CS_ATTACK_VICTIM", victim, TRUE);

  return env;
}

typedef struct
{
  GSubprocess *app;
  guint        deadline_id;
  gboolean     done;
  char        *out;
  char        *err;
  GError      *error;
} Run;

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Run *run = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err,
                                        &run->error);
  run->done = TRUE;
}

static gboolean
on_deadline (gpointer user_data)
{
  Run *run = user_data;

  g_test_message ("The app under attack did not end in time: killed");
  g_subprocess_force_exit (run->app);
  run->deadline_id = 0;

  return G_SOURCE_REMOVE;
}

/**
 * cs_attack_scene_run:
 * @helper: the decoder helper program the app is to use
 * @argv: the app under attack and its arguments
 * @timeout_seconds: how long it may take: an app stopped by a tracer (or
 *   otherwise taken over) is killed then
 * @out: (out): its standard output
 * @err: (out): its standard error
 *
 * Runs the app under attack in the scene until it exits.
 *
 * Returns: its exit status, or minus the signal that ended it
 */
int
cs_attack_scene_run (CsAttackScene      *scene,
                     const char         *helper,
                     const char * const *argv,
                     guint               timeout_seconds,
                     char              **out,
                     char              **err)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = scene_environ (scene, helper);
  Run run = { 0 };

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, env);
  app = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  run.app = app;
  run.deadline_id = g_timeout_add_seconds (timeout_seconds, on_deadline, &run);
  g_subprocess_communicate_utf8_async (app, NULL, NULL, on_communicated, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  g_clear_handle_id (&run.deadline_id, g_source_remove);
  g_assert_no_error (run.error);
  g_subprocess_wait (app, NULL, &error);
  g_assert_no_error (error);

  *out = run.out;
  *err = run.err;

  return g_subprocess_get_if_exited (app) ? g_subprocess_get_exit_status (app)
                                          : -g_subprocess_get_term_sig (app);
}

static guint
count_files (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;
  guint count = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        count++;
    }

  return count;
}

/**
 * cs_attack_scene_count_thumbnails:
 *
 * Returns: how many thumbnails the app made: in out/ (the CLI's output
 *   folder) and in every size folder of the scene's thumbnail cache (the
 *   window's), failure entries left out
 */
guint
cs_attack_scene_count_thumbnails (CsAttackScene *scene)
{
  g_autofree char *thumbnails = g_build_filename (scene->root, "cache", "thumbnails", NULL);
  g_autoptr(GDir) dir = g_dir_open (thumbnails, 0, NULL);
  const char *name;
  guint count = count_files (scene->out);

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *folder = g_build_filename (thumbnails, name, NULL);

      if (!g_str_equal (name, "fail"))
        count += count_files (folder);
    }

  return count;
}

static void
check_folder (GPtrArray  *found,
              const char *prefix,
              const char *folder)
{
  static const struct { const char *name; gboolean present; const char *attempt; } expected[] = {
    { "canary", TRUE, "write" },
    { "created", FALSE, "create" },
    { "canary-rename", TRUE, "rename" },
    { "renamed", FALSE, "rename" },
    { "canary-delete", TRUE, "delete" },
    { "shell-ran", FALSE, "exec-shell" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *path = g_build_filename (folder, expected[i].name, NULL);
      g_autofree char *content = NULL;
      gboolean present = g_file_get_contents (path, &content, NULL, NULL);
      g_autofree char *what = g_str_has_prefix (expected[i].attempt, "exec")
                              ? g_strdup (expected[i].attempt)
                              : g_strdup_printf ("%s-%s", prefix, expected[i].attempt);

      if (present != expected[i].present ||
          (present && g_strcmp0 (content, CANARY) != 0))
        {
          if (!g_ptr_array_find_with_equal_func (found, what, g_str_equal, NULL))
            g_ptr_array_add (found, g_steal_pointer (&what));
        }
    }
}

static gboolean
was_connected (int listen_fd)
{
  int fd = accept (listen_fd, NULL, NULL);

  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
}

/**
 * cs_attack_scene_check:
 * @app_error_line: the app's error line for attack-all.heic, or %NULL
 * @app_lived: whether the app ran to its end, neither killed nor stopped
 *
 * Returns: (transfer full): the attempts that left a trace outside the
 *   helper: files, connections, the victim, the app; what the loader read,
 *   if it came out in the error line; and what the loader itself saw
 *   succeed (making memory executable, raising limits: no trace outside)
 */
GPtrArray *
cs_attack_scene_check (CsAttackScene *scene,
                       const char    *app_error_line,
                       gboolean       app_lived)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  int status;

  check_folder (found, "home", scene->home);
  check_folder (found, "tmp", scene->tmp);
  if (was_connected (scene->unix_fd))
    g_ptr_array_add (found, g_strdup ("connect-unix"));
  if (was_connected (scene->tcp_fd))
    g_ptr_array_add (found, g_strdup ("connect-tcp"));
  if (waitpid (scene->victim, &status, WNOHANG) != 0)
    {
      g_ptr_array_add (found, g_strdup ("kill-victim or ptrace-victim"));
      scene->victim = 0;
    }
  if (!app_lived)
    g_ptr_array_add (found, g_strdup ("signal-app or ptrace-app"));

  if (app_error_line != NULL)
    {
      const char *seen = strstr (app_error_line, "succeeded:");

      if (strstr (app_error_line, "root:") != NULL)
        g_ptr_array_add (found, g_strdup ("read-passwd"));
      if (strstr (app_error_line, SECRET) != NULL)
        g_ptr_array_add (found, g_strdup ("read-ssh"));
      /* Attempts that leave no trace outside the helper. */
      if (seen != NULL)
        {
          g_autofree char *list = g_strndup (seen + strlen ("succeeded:"),
                                             strcspn (seen + strlen ("succeeded:"), ";"));
          g_auto(GStrv) names = g_strsplit (g_strstrip (list), " ", -1);
          static const char * const inside[] = {
            "mprotect-exec", "mmap-exec", "raise-limits", "set-dumpable", "ptrace-app", NULL
          };

          for (guint i = 0; names[i] != NULL; i++)
            if (g_strv_contains (inside, names[i]))
              g_ptr_array_add (found, g_strdup (names[i]));
        }
    }

  return found;
}
