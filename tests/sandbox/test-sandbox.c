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

#include <gio/gio.h>
#include <string.h>

#include "cs-attack.h"

/* Three seconds a file, on two workers. */
#define APP_TIMEOUT_SECONDS 30

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
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  cs_attack_scene_init (&scene);
  {
    const char *argv[] = { CS_CLI, "-o", scene.out, "-j", "2", "--timeout=3",
                           "--memory-limit=256", scene.images, NULL };

    outcome->status = cs_attack_scene_run (&scene, helper, argv, APP_TIMEOUT_SECONDS, &out, &err);
  }

  outcome->err_lines = g_strsplit (g_strchomp (err), "\n", -1);
  outcome->attack_line = find_line (outcome->err_lines, "attack-all.heic");
  outcome->spin_line = find_line (outcome->err_lines, "attack-spin.heic");
  outcome->alloc_line = find_line (outcome->err_lines, "attack-alloc.heic");
  outcome->thumbnails = cs_attack_scene_count_thumbnails (&scene);
  /* Exit status 1 says some files failed; anything else, that the app did
   * not run to its end. */
  outcome->found = cs_attack_scene_check (&scene, outcome->attack_line,
                                          outcome->status == 0 || outcome->status == 1);

  g_test_message ("%s: %u attempts tried, %u succeeded", helper, CS_ATTACK_ATTEMPTS, outcome->found->len);
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
  g_assert_nonnull (strstr (outcome.attack_line, "CS-ATTACK: " G_STRINGIFY (CS_ATTACK_ATTEMPTS_ALL) " attempts, none succeeded"));
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
