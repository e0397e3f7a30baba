/* cs-test-decode.c: what the tests of the direct decoders share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-test-decode.h"

#include <errno.h>
#include <unistd.h>

typedef struct
{
  CsTestDecodeFunc decode;
  int           fd;
  guint         size;
  GCancellable *cancellable;
  gboolean      handled;
  GdkPixbuf    *pixbuf;
  GError       *error;
  gint          done;
} PipeDecode;

static gpointer
decode_pipe (gpointer data)
{
  PipeDecode *job = data;
  int width, height;

  job->pixbuf = job->decode (job->fd, job->size, G_MAXUINT64, &job->handled,
                              &width, &height, job->cancellable, &job->error);
  g_atomic_int_set (&job->done, TRUE);
  return NULL;
}

/* FALSE once the reader has gone. */
static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EPIPE)
        return FALSE;
      g_assert_cmpint (n, >, 0);
      data += n;
      len -= n;
    }

  return TRUE;
}

typedef struct
{
  int           fd;
  const guint8 *data;
  gsize         first;
  gsize         len;
  gint          first_written;
  gint          go_on;
} PipeWrite;

/* The first part, then, when told, the rest; a reader that leaves ends
 * it wherever it is. */
static gpointer
write_pipe (gpointer data)
{
  PipeWrite *job = data;

  if (write_all (job->fd, job->data, job->first))
    {
      g_atomic_int_set (&job->first_written, TRUE);
      while (!g_atomic_int_get (&job->go_on))
        g_usleep (1000);
      write_all (job->fd, job->data + job->first, job->len - job->first);
    }
  close (job->fd);
  return NULL;
}

/* @len bytes of @contents into a decoder reading a pipe: the first @first,
 * then, once the decoder waits for more, a cancel, then the rest, which
 * would finish the picture. */
void
cs_test_assert_cancelled_midway (CsTestDecodeFunc  decode,
                                 const guint8     *contents,
                                 gsize             len,
                                 gsize             first,
                                 guint             size)
{
  PipeDecode job = { decode, -1, size, g_cancellable_new (), FALSE, NULL, NULL, FALSE };
  PipeWrite feed = { -1, contents, first, len, FALSE, FALSE };
  GThread *decoder, *writer;
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  job.fd = fds[0];
  feed.fd = fds[1];
  decoder = g_thread_new ("decode", decode_pipe, &job);
  writer = g_thread_new ("write", write_pipe, &feed);

  /* (A decoder that stops reading early has finished, one way or another.) */
  while (!g_atomic_int_get (&feed.first_written) && !g_atomic_int_get (&job.done))
    g_usleep (1000);
  g_usleep (100 * 1000);
  g_cancellable_cancel (job.cancellable);
  g_atomic_int_set (&feed.go_on, TRUE);

  g_thread_join (decoder);
  close (fds[0]);
  g_thread_join (writer);

  g_test_message ("cut at %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT ", at %u: %s", first, len,
                  size, job.error ? job.error->message : "no error");
  g_assert_null (job.pixbuf);
  g_assert_true (job.handled);
  g_assert_error (job.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&job.error);
  g_clear_object (&job.cancellable);
}

void
cs_test_assert_sides (GdkPixbuf *pixbuf,
                      int        width,
                      int        height)
{
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, width);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, height);
}

/* The same sides, layout and bytes, to the last one. */
void
cs_test_assert_identical (GdkPixbuf *a,
                          GdkPixbuf *b)
{
  int width = gdk_pixbuf_get_width (a);
  int channels = gdk_pixbuf_get_n_channels (a);

  cs_test_assert_sides (b, width, gdk_pixbuf_get_height (a));
  g_assert_cmpint (gdk_pixbuf_get_has_alpha (a), ==, gdk_pixbuf_get_has_alpha (b));
  g_assert_cmpint (gdk_pixbuf_get_n_channels (b), ==, channels);

  for (int y = 0; y < gdk_pixbuf_get_height (a); y++)
    g_assert_cmpmem (gdk_pixbuf_read_pixels (a) + (gsize) y * gdk_pixbuf_get_rowstride (a),
                     (gsize) width * channels,
                     gdk_pixbuf_read_pixels (b) + (gsize) y * gdk_pixbuf_get_rowstride (b),
                     (gsize) width * channels);
}

/* The mean difference of the samples of two pictures of the same sides and
 * layout, and the largest. A colour under nothing opaque is no colour. */
double
cs_test_compare (GdkPixbuf *a,
                 GdkPixbuf *b,
                 int       *largest)
{
  int width = gdk_pixbuf_get_width (a);
  int height = gdk_pixbuf_get_height (a);
  int channels = gdk_pixbuf_get_n_channels (a);
  double sum = 0;
  gsize count = 0;

  cs_test_assert_sides (b, width, height);
  g_assert_cmpint (gdk_pixbuf_get_has_alpha (a), ==, gdk_pixbuf_get_has_alpha (b));
  *largest = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *p = gdk_pixbuf_read_pixels (a) + (gsize) y * gdk_pixbuf_get_rowstride (a) +
                          (gsize) x * channels;
        const guint8 *q = gdk_pixbuf_read_pixels (b) + (gsize) y * gdk_pixbuf_get_rowstride (b) +
                          (gsize) x * channels;
        gboolean invisible = channels == 4 && p[3] == 0 && q[3] == 0;

        for (int c = invisible ? 3 : 0; c < channels; c++)
          {
            int diff = ABS (p[c] - q[c]);

            sum += diff;
            count++;
            *largest = MAX (*largest, diff);
          }
      }

  return sum / count;
}

/* Noise, so that the file is mostly picture data and a cut loses some. */
GdkPixbuf *
cs_test_make_noise (int      width,
                    int      height,
                    gboolean alpha)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width * channels; x++)
      pixels[(gsize) y * stride + x] = g_rand_int_range (rand, 0, 256);

  return pixbuf;
}

/* The thumbnail as an area average should be, worked out in floating
 * point: each of its pixels the mean of the source area under it, colours
 * weighted by alpha. */
GdkPixbuf *
cs_test_box_average (GdkPixbuf *source,
                     int        width,
                     int        height)
{
  int src_width = gdk_pixbuf_get_width (source);
  int src_height = gdk_pixbuf_get_height (source);
  int channels = gdk_pixbuf_get_n_channels (source);
  int src_stride = gdk_pixbuf_get_rowstride (source);
  const guint8 *src = gdk_pixbuf_read_pixels (source);
  GdkPixbuf *result = gdk_pixbuf_new (GDK_COLORSPACE_RGB, channels == 4, 8, width, height);
  double sx = (double) src_width / width;
  double sy = (double) src_height / height;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        double top = y * sy, bottom = (y + 1) * sy, left = x * sx, right = (x + 1) * sx;
        double sum[4] = { 0, 0, 0, 0 };
        guint8 *out = gdk_pixbuf_get_pixels (result) + (gsize) y * gdk_pixbuf_get_rowstride (result) +
                      (gsize) x * channels;

        for (int j = (int) top; j < src_height && j < bottom; j++)
          for (int i = (int) left; i < src_width && i < right; i++)
            {
              const guint8 *p = src + (gsize) j * src_stride + (gsize) i * channels;
              double w = (MIN (right, i + 1) - MAX (left, i)) * (MIN (bottom, j + 1) - MAX (top, j));
              double a = channels == 4 ? p[3] * w : w;

              for (int c = 0; c < 3; c++)
                sum[c] += p[c] * a;
              sum[3] += a;
            }

        for (int c = 0; c < 3; c++)
          out[c] = sum[3] > 0 ? (guint8) (sum[c] / sum[3] + 0.5) : 0;
        if (channels == 4)
          out[3] = (guint8) (sum[3] / (sx * sy) + 0.5);
      }

  return result;
}

/* The sides the engine gives a thumbnail, worked out here on their own. */
void
cs_test_expected_sides (int    width,
                        int    height,
                        guint  size,
                        int   *fit_width,
                        int   *fit_height)
{
  int longer = MAX (width, height);
  int shorter = MIN (width, height);
  int fit;

  if ((guint) longer <= size)
    {
      *fit_width = width;
      *fit_height = height;
      return;
    }

  fit = MAX (1, (int) ((double) shorter * size / longer + 0.5));
  *fit_width = width >= height ? (int) size : fit;
  *fit_height = width >= height ? fit : (int) size;
}
