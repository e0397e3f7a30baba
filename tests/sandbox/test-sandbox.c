/* test-sandbox.c: a taken-over decoder reaches nothing, through the CLI
 *
 * contact-sheet-cli is given a folder with three files for the attack
 * loader (cs-attack-loader.c: every attempt at once, a spin, an unbounded
 * allocation) and one real picture. With the real helper, nothing the
 * loader tries leaves a trace, the app lives and the batch ends with one
 * error line per attack file. The same run with test-only builds of the
 * helper that leave out Landlock, seccomp or both shows the test notices
 * when a layer is missing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <string.h>

#include "cs-attack.h"

/* Attempts in "all", plus the spin and the allocation. */
#define ATTEMPTS_ALL 21
#define ATTEMPTS (ATTEMPTS_ALL + 2)

typedef struct
{
  int        status;        /* exit status, or -signal */
  char     **err_lines;
  char      *attack_line;   /* the error line for attack-all.heic */
  char      *spin_line;
  char      *alloc_line;
  guint      thumbnails;
  GPtrArray *found;         /* attempts that succeeded */
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_strfreev (outcome->err_lines);
  g_free (outcome->attack_line);
  g_free (outcome->spin_line);
  g_free (outcome->alloc_line);
  g_clear_pointer (&outcome->found, g_ptr_array_unref);
}

static char *
find_line (char       **lines,
           const char  *name)
{
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], name) != NULL)
      return g_strdup (lines[i]);
  return NULL;
}

static void
run_attack (const char *helper,
            Outcome    *outcome)
{
  CsAttackScene scene;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GdkPixbuf) picture = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 48);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *png = NULL;
  g_auto(GStrv) env = NULL;
  g_auto(GStrv) out_lines = NULL;

  cs_attack_scene_init (&scene);
  png = g_build_filename (scene.images, "picture.png", NULL);
  gdk_pixbuf_fill (picture, 0x336699ff);
  g_assert_true (gdk_pixbuf_save (picture, png, "png", NULL, NULL));

  env = cs_attack_scene_environ (&scene, helper);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, env);
  cli = g_subprocess_launcher_spawn (launcher, &error, CS_CLI, "-o", scene.out, "-j", "2",
                                     "--timeout=3", "--memory-limit=256", scene.images, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (cli, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);

  outcome->status = g_subprocess_get_if_exited (cli) ? g_subprocess_get_exit_status (cli)
                                                      : -g_subprocess_get_term_sig (cli);
  outcome->err_lines = g_strsplit (g_strchomp (err), "\n", -1);
  outcome->attack_line = find_line (outcome->err_lines, "attack-all.heic");
  outcome->spin_line = find_line (outcome->err_lines, "attack-spin.heic");
  outcome->alloc_line = find_line (outcome->err_lines, "attack-alloc.heic");
  out_lines = g_strsplit (g_strchomp (out), "\n", -1);
  outcome->thumbnails = out[0] != '\0' ? g_strv_length (out_lines) : 0;
  outcome->found = cs_attack_scene_check (&scene, outcome->attack_line);
  if (outcome->status < 0 || (outcome->status != 0 && outcome->status != 1))
    g_ptr_array_add (outcome->found, g_strdup ("signal-app or ptrace-app"));

  g_test_message ("%s: %u attempts tried, %u succeeded", helper, ATTEMPTS, outcome->found->len);
  for (guint i = 0; i < outcome->found->len; i++)
    g_test_message ("  succeeded: %s", (char *) g_ptr_array_index (outcome->found, i));
  for (guint i = 0; outcome->err_lines[i] != NULL; i++)
    g_test_message ("  stderr: %s", outcome->err_lines[i]);

  cs_attack_scene_clear (&scene);
}

/* Nothing happened, the app lived and the batch finished: one error line
 * for each attack file, the picture made, the summary. */
static void
test_confined (void)
{
  Outcome outcome = { 0 };

  run_attack (CS_DECODER, &outcome);

  g_assert_cmpuint (outcome.found->len, ==, 0);
  g_assert_cmpint (outcome.status, ==, 1);
  g_assert_cmpuint (g_strv_length (outcome.err_lines), ==, 4);
  g_assert_cmpuint (outcome.thumbnails, ==, 1);
  g_assert_nonnull (strstr (outcome.err_lines[3], "1 thumbnail"));
  /* The loader did run, and tried everything. */
  g_assert_nonnull (outcome.attack_line);
  g_assert_nonnull (strstr (outcome.attack_line, "CS-ATTACK: " G_STRINGIFY (ATTEMPTS_ALL) " attempts, none succeeded"));
  g_assert_nonnull (outcome.spin_line);
  g_assert_nonnull (strstr (outcome.spin_line, "longer than 3 s"));
  g_assert_nonnull (outcome.alloc_line);

  outcome_clear (&outcome);
}

/* The test can fail: a helper without one layer or both lets attempts
 * through, and the checks above see them. */
static void
test_detects (gconstpointer data)
{
  const char *helper = data;
  Outcome outcome = { 0 };

  run_attack (helper, &outcome);
  g_assert_cmpuint (outcome.found->len, >, 0);
  outcome_clear (&outcome);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!cs_attack_loader_is_used ())
    {
      g_test_skip ("This GdkPixbuf does not decode HEIF with loader modules from "
                   "GDK_PIXBUF_MODULE_FILE (it decodes through glycin)");
      return g_test_run ();
    }

  g_test_add_func ("/sandbox/cli/confined", test_confined);
  g_test_add_data_func ("/sandbox/cli/detects/without-landlock", CS_DECODER_NO_LANDLOCK, test_detects);
  g_test_add_data_func ("/sandbox/cli/detects/without-seccomp", CS_DECODER_NO_SECCOMP, test_detects);
  g_test_add_data_func ("/sandbox/cli/detects/unconfined", CS_DECODER_UNCONFINED, test_detects);

  return g_test_run ();
}
