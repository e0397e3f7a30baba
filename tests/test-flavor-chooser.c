/* test-flavor-chooser.c: which cache flavour a cell's device pixels need
 *
 * No display: the chooser is given its scale as a widget would give it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-flavor-chooser.h"

/* Cell sizes in points (the grid's are 128, 256 and 384) times scales,
 * integer and fractional: the smallest flavour with that many pixels. */
static void
test_sizes (void)
{
  static const struct
  {
    int      cell_size;
    double   scale;
    CsFlavor flavor;
  } cases[] = {
    { 128, 1.0,  CS_FLAVOR_NORMAL },
    { 128, 1.25, CS_FLAVOR_LARGE },
    { 128, 1.5,  CS_FLAVOR_LARGE },
    { 128, 2.0,  CS_FLAVOR_LARGE },
    { 128, 3.0,  CS_FLAVOR_X_LARGE },
    { 128, 4.0,  CS_FLAVOR_X_LARGE },
    { 128, 5.0,  CS_FLAVOR_XX_LARGE },
    { 256, 1.0,  CS_FLAVOR_LARGE },
    { 256, 2.0,  CS_FLAVOR_X_LARGE },
    { 384, 1.0,  CS_FLAVOR_X_LARGE },
    { 384, 2.0,  CS_FLAVOR_XX_LARGE },
    { 384, 4.0,  CS_FLAVOR_XX_LARGE },   /* nothing larger than 1024 */
    { 100, 1.0,  CS_FLAVOR_NORMAL },
    { 129, 1.0,  CS_FLAVOR_LARGE },
    { 128, 1.0000001, CS_FLAVOR_NORMAL }, /* a float's noise is not a pixel */
    { 128, 0.5,  CS_FLAVOR_NORMAL },      /* never below one pixel per point */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CsFlavor flavor = cs_flavor_for_cell (cases[i].cell_size, cases[i].scale);

      g_test_message ("%d points at scale %g: %s", cases[i].cell_size, cases[i].scale,
                      cs_flavor_get_name (flavor));
      g_assert_cmpstr (cs_flavor_get_name (flavor), ==, cs_flavor_get_name (cases[i].flavor));
    }
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

/* The property follows the cell (zoom) and the scale (another monitor),
 * said once per change and not when it stays. */
static void
test_notify (void)
{
  g_autoptr(CsFlavorChooser) chooser = cs_flavor_chooser_new ();
  guint n_notified = 0;

  g_signal_connect (chooser, "notify::flavor", G_CALLBACK (on_notify), &n_notified);
  g_assert_cmpint (cs_flavor_chooser_get_flavor (chooser), ==, CS_FLAVOR_NORMAL);

  cs_flavor_chooser_set_cell (chooser, 128, CS_FLAVOR_NORMAL);
  g_assert_cmpuint (n_notified, ==, 0);

  /* The window moved to a scale-2 monitor, then back. */
  cs_flavor_chooser_set_scale (chooser, 2.0);
  g_assert_cmpint (cs_flavor_chooser_get_flavor (chooser), ==, CS_FLAVOR_LARGE);
  g_assert_cmpuint (n_notified, ==, 1);
  cs_flavor_chooser_set_scale (chooser, 1.0);
  g_assert_cmpint (cs_flavor_chooser_get_flavor (chooser), ==, CS_FLAVOR_NORMAL);
  g_assert_cmpuint (n_notified, ==, 2);

  /* Zoomed in at scale 2: 256 points are 512 pixels. */
  cs_flavor_chooser_set_scale (chooser, 2.0);
  cs_flavor_chooser_set_cell (chooser, 256, CS_FLAVOR_LARGE);
  g_assert_cmpint (cs_flavor_chooser_get_flavor (chooser), ==, CS_FLAVOR_X_LARGE);
  g_assert_cmpuint (n_notified, ==, 4);

  /* Same flavour from another scale: no news. */
  cs_flavor_chooser_set_scale (chooser, 1.75);
  g_assert_cmpuint (n_notified, ==, 4);

  /* The setting asks for more than the pixels need: it wins. */
  cs_flavor_chooser_set_scale (chooser, 1.0);
  cs_flavor_chooser_set_cell (chooser, 384, CS_FLAVOR_XX_LARGE);
  g_assert_cmpint (cs_flavor_chooser_get_flavor (chooser), ==, CS_FLAVOR_XX_LARGE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/flavor-chooser/sizes", test_sizes);
  g_test_add_func ("/flavor-chooser/notify", test_notify);

  return g_test_run ();
}
