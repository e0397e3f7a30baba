/* test-window-looks.c: names and looks in the real window, under Xvfb
 *
 * Two-line captions that keep a name's end, tooltips of a bounded width,
 * the backdrop behind a transparent picture, F5 that keeps the scroll
 * position, the reversed sort, and the failures list in name order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "cs-application.h"
#include "cs-cell.h"
#include "cs-failures-window.h"
#include "cs-item.h"
#include "cs-test-images.h"
#include "cs-test-util.h"
#include "cs-test-window.h"
#include "cs-window.h"

#define LONG_NAME "background-wallpaper-mountains-at-sunset-final-version-3840x2160.png"

typedef struct
{
  char     *dir;
  CsWindow *window;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = cs_test_make_dir ();
  f->window = g_object_ref (cs_window_new (GTK_APPLICATION (cs_test_get_app ()), NULL));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 600);
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_settings_reset (settings, "sort-reversed");
  cs_test_destroy_window (&f->window);
  cs_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
write_image (const char *folder,
             const char *name,
             guint       seed)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (folder, name, NULL);

  cs_test_write_image (path, 200, 150, "png", seed, &error);
  g_assert_no_error (error);
}

static void
open_and_wait (Fixture    *f,
               const char *folder)
{
  cs_test_open_folder (f->window, folder);
  cs_test_wait_until (cs_test_window_idle, f->window, 60000);
}

typedef struct
{
  Fixture    *f;
  const char *name;
  GtkWidget  *cell;
} CellQuery;

/* The drawn cell whose item is @name, with its picture or caption laid out. */
static gboolean
find_cell (gpointer data)
{
  CellQuery *q = data;
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();

  cs_test_collect_cells (GTK_WIDGET (q->f->window), cells);
  for (guint i = 0; i < cells->len; i++)
    {
      GtkWidget *cell = g_ptr_array_index (cells, i);
      CsItem *item = cs_cell_get_item (CS_CELL (cell));

      if (item != NULL && g_str_equal (cs_item_get_name (item), q->name) &&
          cs_item_get_state (item) == CS_ITEM_DONE && gtk_widget_get_mapped (cell) &&
          gtk_widget_get_width (cell) > 0)
        {
          q->cell = cell;
          return TRUE;
        }
    }

  return FALSE;
}

static GtkWidget *
wait_for_cell (Fixture    *f,
               const char *name)
{
  CellQuery q = { f, name, NULL };

  cs_test_wait_until (find_cell, &q, 20000);

  return q.cell;
}

static GskRenderNode *
render_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

  gdk_paintable_snapshot (paintable, snapshot,
                          gtk_widget_get_width (widget), gtk_widget_get_height (widget));

  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

/* Glyph ids of the text nodes under @node, one string of ids per line
 * (the lines are told apart by their baselines). */
static void
collect_lines (GskRenderNode *node,
               GArray        *baselines,
               GPtrArray     *lines)
{
  switch ((int) gsk_render_node_get_node_type (node))
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        collect_lines (gsk_container_node_get_child (node, i), baselines, lines);
      break;
    case GSK_TRANSFORM_NODE:
      collect_lines (gsk_transform_node_get_child (node), baselines, lines);
      break;
    case GSK_CLIP_NODE:
      collect_lines (gsk_clip_node_get_child (node), baselines, lines);
      break;
    case GSK_ROUNDED_CLIP_NODE:
      collect_lines (gsk_rounded_clip_node_get_child (node), baselines, lines);
      break;
    case GSK_OPACITY_NODE:
      collect_lines (gsk_opacity_node_get_child (node), baselines, lines);
      break;
    case GSK_DEBUG_NODE:
      collect_lines (gsk_debug_node_get_child (node), baselines, lines);
      break;
    case GSK_TEXT_NODE:
      {
        float y = gsk_text_node_get_offset (node)->y;
        const PangoGlyphInfo *glyphs = gsk_text_node_get_glyphs (node, NULL);
        guint n = gsk_text_node_get_num_glyphs (node);
        guint line;

        for (line = 0; line < baselines->len; line++)
          if (G_APPROX_VALUE (g_array_index (baselines, float, line), y, 0.5f))
            break;
        if (line == baselines->len)
          {
            g_array_append_val (baselines, y);
            g_ptr_array_add (lines, g_array_new (FALSE, FALSE, sizeof (PangoGlyph)));
          }
        for (guint i = 0; i < n; i++)
          g_array_append_val (g_ptr_array_index (lines, line), glyphs[i].glyph);
      }
      break;
    default:
      break;
    }
}

/* The glyphs @widget's font gives @text. */
static GArray *
shape (GtkWidget  *widget,
       const char *text)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  GArray *glyphs = g_array_new (FALSE, FALSE, sizeof (PangoGlyph));

  for (GSList *l = pango_layout_get_line_readonly (layout, 0)->runs; l != NULL; l = l->next)
    {
      PangoGlyphItem *run = l->data;

      for (int i = 0; i < run->glyphs->num_glyphs; i++)
        g_array_append_val (glyphs, run->glyphs->glyphs[i].glyph);
    }

  return glyphs;
}

static gboolean
contains_glyph (GArray     *line,
                PangoGlyph  glyph)
{
  for (guint i = 0; i < line->len; i++)
    if (g_array_index (line, PangoGlyph, i) == glyph)
      return TRUE;

  return FALSE;
}

/* A long name takes two lines, cut in the middle of the second, and its
 * end (".png") is drawn. */
static void
test_caption (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "names", NULL);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GArray) baselines = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GArray) ending = NULL;
  g_autoptr(GArray) ellipsis = NULL;
  GtkWidget *cell, *caption;
  GArray *last;

  g_mkdir_with_parents (folder, 0755);
  write_image (folder, LONG_NAME, 1);
  open_and_wait (f, folder);

  cell = wait_for_cell (f, LONG_NAME);
  g_assert_nonnull (cell);
  caption = cs_test_find_widget (cell, GTK_TYPE_INSCRIPTION);
  g_assert_nonnull (caption);

  node = render_widget (caption);
  g_assert_nonnull (node);
  collect_lines (node, baselines, lines);
  g_assert_cmpuint (lines->len, ==, 2);

  last = g_ptr_array_index (lines, 1);
  ending = shape (caption, ".png");
  ellipsis = shape (caption, "…");
  g_assert_cmpuint (ending->len, ==, 4);
  g_assert_cmpuint (last->len, >, ending->len);
  for (guint i = 0; i < ending->len; i++)
    g_assert_cmpuint (g_array_index (last, PangoGlyph, last->len - ending->len + i), ==,
                      g_array_index (ending, PangoGlyph, i));
  /* Cut in the middle: the ellipsis is on the second line, before the end. */
  g_assert_true (contains_glyph (last, g_array_index (ellipsis, PangoGlyph, 0)));
  g_assert_false (contains_glyph (g_ptr_array_index (lines, 0), g_array_index (ellipsis, PangoGlyph, 0)));
}

/* Without an ellipsis, glyphs drawn but for the empty ones (the caption's
 * zero-width spaces). */
static GArray *
visible_glyphs (GArray *line)
{
  GArray *glyphs = g_array_new (FALSE, FALSE, sizeof (PangoGlyph));

  for (guint i = 0; i < line->len; i++)
    if (g_array_index (line, PangoGlyph, i) != PANGO_GLYPH_EMPTY)
      g_array_append_val (glyphs, g_array_index (line, PangoGlyph, i));

  return glyphs;
}

static gboolean
same_glyphs (GArray *a,
             GArray *b)
{
  return a->len == b->len && memcmp (a->data, b->data, a->len * sizeof (PangoGlyph)) == 0;
}

/* A name of two lines breaks after one of its separators, with no hyphen
 * put in, and the extension stays with the word before it. */
static void
test_caption_breaks (Fixture       *f,
                     gconstpointer  data)
{
  const char *name = "Kleiber_by_Lukas_Baubkus.png";
  g_autofree char *folder = g_build_filename (f->dir, "breaks", NULL);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GArray) baselines = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GArray) first = NULL;
  g_autoptr(GArray) second = NULL;
  g_autoptr(GArray) underscore = NULL;
  g_autoptr(GArray) word = NULL;
  GtkWidget *cell, *caption;

  g_mkdir_with_parents (folder, 0755);
  write_image (folder, name, 1);
  open_and_wait (f, folder);

  cell = wait_for_cell (f, name);
  g_assert_nonnull (cell);
  caption = cs_test_find_widget (cell, GTK_TYPE_INSCRIPTION);
  node = render_widget (caption);
  collect_lines (node, baselines, lines);
  g_assert_cmpuint (lines->len, ==, 2);

  first = visible_glyphs (g_ptr_array_index (lines, 0));
  second = visible_glyphs (g_ptr_array_index (lines, 1));
  underscore = shape (caption, "_");
  g_assert_cmpuint (first->len, >, 0);
  g_assert_cmpuint (g_array_index (first, PangoGlyph, first->len - 1), ==,
                    g_array_index (underscore, PangoGlyph, 0));
  /* The second line is whole words: the end of the name from a separator. */
  for (const char *p = name; p != NULL; p = strchr (p + 1, '_'))
    {
      g_clear_pointer (&word, g_array_unref);
      word = shape (caption, *p == '_' ? p + 1 : p);
      if (same_glyphs (word, second))
        return;
    }
  g_assert_not_reached ();
}

/* A 251-character name (no spaces to wrap at) gives a tooltip of about
 * fifty characters' width over several lines. */
static void
test_tooltip (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "tooltip", NULL);
  g_autoptr(GString) name = g_string_new (NULL);
  g_autoptr(GtkWidget) label = NULL;
  GtkWidget *cell;
  int min, nat, height, one_line;

  while (name->len < 247)
    g_string_append_printf (name, "%c", 'a' + (int) (name->len % 26));
  g_string_append (name, ".png");
  g_assert_cmpuint (name->len, ==, 251);

  g_mkdir_with_parents (folder, 0755);
  write_image (folder, name->str, 2);
  open_and_wait (f, folder);
  cell = wait_for_cell (f, name->str);
  g_assert_nonnull (cell);

  label = g_object_ref_sink (cs_cell_create_tooltip (CS_CELL (cell)));
  g_assert_true (GTK_IS_LABEL (label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, name->str);

  gtk_widget_measure (label, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  /* The whole name on one line is some 1,800 pixels. */
  g_assert_cmpint (nat, <=, 600);
  gtk_widget_measure (label, GTK_ORIENTATION_VERTICAL, nat, &min, &height, NULL, NULL);
  gtk_widget_measure (label, GTK_ORIENTATION_VERTICAL, -1, &one_line, NULL, NULL, NULL);
  g_assert_cmpint (height, >=, 4 * one_line / 2);
}

static gboolean
picture_drawn (gpointer data)
{
  GtkWidget *picture = data;

  return gtk_picture_get_paintable (GTK_PICTURE (picture)) != NULL &&
         gtk_widget_get_mapped (picture) && gtk_widget_get_width (picture) > 0;
}

/* A fully transparent picture: its cell shows a checkerboard behind the
 * picture's own rectangle, and nothing in the rest of the square. */
static void
test_backdrop (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "clear", NULL);
  g_autofree char *path = g_build_filename (folder, "clear.png", NULL);
  g_autoptr(GdkPixbuf) clear = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, 240, 120);
  g_autoptr(GError) error = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guint32 *pixels = NULL;
  GtkWidget *cell, *picture, *frame;
  int width, height, top;
  guint32 a, b, outside;

  g_mkdir_with_parents (folder, 0755);
  gdk_pixbuf_fill (clear, 0x00000000);
  gdk_pixbuf_save (clear, path, "png", &error, NULL);
  g_assert_no_error (error);
  open_and_wait (f, folder);
  cell = wait_for_cell (f, "clear.png");
  g_assert_nonnull (cell);
  picture = cs_test_find_widget (cell, GTK_TYPE_PICTURE);
  g_assert_nonnull (picture);
  cs_test_wait_until (picture_drawn, picture, 10000);
  frame = cs_test_find_widget (cell, GTK_TYPE_OVERLAY);
  g_assert_nonnull (frame);

  width = gtk_widget_get_width (frame);
  height = gtk_widget_get_height (frame);
  g_assert_cmpint (width, ==, height);
  /* The picture, 2:1, fills the frame's width and half its height. */
  top = height / 4;

  node = render_widget (frame);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (frame)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  pixels = g_new (guint32, width * height);
  gdk_texture_download (texture, (guchar *) pixels, width * 4);

  /* Two neighbouring squares of the checkerboard (8 pixels each), inside
   * the picture: both drawn, and different (premultiplied ARGB words,
   * alpha in the top byte). Above the picture, in the square's empty
   * band: nothing. */
  a = pixels[(top + 4) * width + 4];
  b = pixels[(top + 4) * width + 12];
  outside = pixels[(top / 2) * width + width / 2];
  g_assert_cmpuint (a >> 24, >, 0);
  g_assert_cmpuint (b >> 24, >, 0);
  g_assert_cmpuint (a, !=, b);
  g_assert_cmpuint (outside >> 24, ==, 0);
}

static gboolean
is_scrollable (gpointer data)
{
  GtkAdjustment *adjustment = data;

  return gtk_adjustment_get_upper (adjustment) > 3 * gtk_adjustment_get_page_size (adjustment);
}

typedef struct
{
  GtkAdjustment *adjustment;
  double         value;
} Scroll;

static gboolean
is_at (gpointer data)
{
  Scroll *s = data;

  return G_APPROX_VALUE (gtk_adjustment_get_value (s->adjustment), s->value, 1.0);
}

static gboolean
reloaded (gpointer data)
{
  Fixture *f = data;

  return !cs_window_get_running (f->window) &&
         g_list_model_get_n_items (cs_window_get_items (f->window)) == 150;
}

static gboolean
wait_a_while (gpointer data)
{
  gint64 *until = data;

  return g_get_monotonic_time () >= *until;
}

/* F5 reads the folder again and stays where the person was. */
static void
test_reload_keeps_scroll (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "many", NULL);
  GtkWidget *grid;
  Scroll s;
  gint64 until;

  g_mkdir_with_parents (folder, 0755);
  for (guint i = 0; i < 150; i++)
    {
      g_autofree char *name = g_strdup_printf ("img-%03u.png", i);
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_build_filename (folder, name, NULL);

      cs_test_write_image (path, 40, 30, "png", i, &error);
      g_assert_no_error (error);
    }
  open_and_wait (f, folder);

  grid = cs_test_find_widget (GTK_WIDGET (f->window), GTK_TYPE_GRID_VIEW);
  g_assert_nonnull (grid);
  s.adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (grid));
  cs_test_wait_until (is_scrollable, s.adjustment, 10000);
  s.value = floor (gtk_adjustment_get_upper (s.adjustment) / 2);
  gtk_adjustment_set_value (s.adjustment, s.value);
  cs_test_wait_until (is_at, &s, 2000);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.reload", NULL));
  cs_test_wait_until (reloaded, f, 60000);
  /* Past the keeper's settling, and a few frames. */
  until = g_get_monotonic_time () + 1500 * G_TIME_SPAN_MILLISECOND;
  cs_test_wait_until (wait_a_while, &until, 5000);

  /* The same rows in view, within a third of a row some 180 high: GTK
   * estimates the height of rows not laid out yet, and lands a little off
   * (2 px on GTK 4.24, 15 on 4.8 seen). Back at the top (the bug) is
   * 2,000 away. */
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (s.adjustment), s.value, 60.0);
}

static char *
item_names (CsWindow *window)
{
  GListModel *items = cs_window_get_items (window);
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CsItem) item = g_list_model_get_item (items, i);

      g_string_append_printf (names, "%s%s", i ? " " : "", cs_item_get_name (item));
    }

  return g_string_free (names, FALSE);
}

/* Reverse Order in the sort menu turns the grid around, and is kept. */
static void
test_reverse (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "order", NULL);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *forward = NULL;
  g_autofree char *backward = NULL;

  g_mkdir_with_parents (folder, 0755);
  write_image (folder, "img-2.png", 1);
  write_image (folder, "img-10.png", 2);
  write_image (folder, "img-1.png", 3);
  open_and_wait (f, folder);

  forward = item_names (f->window);
  g_assert_cmpstr (forward, ==, "img-1.png img-2.png img-10.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "settings.sort-reversed", NULL));
  backward = item_names (f->window);
  g_assert_cmpstr (backward, ==, "img-10.png img-2.png img-1.png");
  g_assert_true (g_settings_get_boolean (settings, "sort-reversed"));
}

static gboolean
failures_shown (gpointer data)
{
  GtkWidget **found = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (CS_IS_FAILURES_WINDOW (window) && gtk_widget_get_mapped (GTK_WIDGET (window)))
        {
          *found = GTK_WIDGET (window);
          return TRUE;
        }
    }

  return FALSE;
}

/* Show Failures lists the files by name, numbers by value, as the grid. */
static void
test_failures_sorted (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "bad", NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GString) listed = g_string_new (NULL);
  GtkWidget *failures = NULL;
  GtkWidget *list;

  g_mkdir_with_parents (folder, 0755);
  for (guint i = 1; i <= 12; i++)
    {
      g_autofree char *name = g_strdup_printf ("bad-%u.png", i);
      g_autofree char *path = g_build_filename (folder, name, NULL);

      g_assert_true (g_file_set_contents (path, "\x89PNG\r\n\x1a\n not really", -1, NULL));
      g_string_append_printf (expected, "%s%s", i > 1 ? " " : "", name);
    }
  open_and_wait (f, folder);
  g_assert_cmpuint (cs_window_get_n_failed (f->window), ==, 12);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-failures", NULL));
  cs_test_wait_until (failures_shown, &failures, 5000);
  list = cs_test_find_widget (failures, GTK_TYPE_LIST_BOX);
  g_assert_nonnull (list);

  for (GtkWidget *row = gtk_widget_get_first_child (list);
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_PREFERENCES_ROW (row))
      g_string_append_printf (listed, "%s%s", listed->len ? " " : "",
                              adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));

  g_assert_cmpstr (listed->str, ==, expected->str);
  gtk_window_destroy (GTK_WINDOW (failures));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = cs_test_isolate_cache ();
  int status;

  cs_test_allow_gtk_frame_warning ();
  g_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/looks/caption", test_caption);
  ADD ("/looks/caption-breaks", test_caption_breaks);
  ADD ("/looks/tooltip", test_tooltip);
  ADD ("/looks/backdrop", test_backdrop);
  ADD ("/looks/reload-keeps-scroll", test_reload_keeps_scroll);
  ADD ("/looks/reverse", test_reverse);
  ADD ("/looks/failures-sorted", test_failures_sorted);

  status = g_test_run ();
  cs_test_remove_tree (cache);

  return status;
}
