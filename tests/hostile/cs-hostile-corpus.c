/* cs-hostile-corpus.c: files made to hurt a thumbnailer, and what it must do with each
 *
 * Every file is written by code, byte by byte where the point is a lie in a
 * header: dimension bombs keep valid checksums so that only the size is
 * wrong, and the decompression bomb is a real, complete PNG streamed through
 * zlib a row at a time, so making it takes a few megabytes of memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-hostile-corpus.h"

#include <errno.h>
#include <fcntl.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <zlib.h>

#include "cs-test-images.h"

#define IDAT_CHUNK (64 * 1024)

static gboolean
set_errno_error (GError    **error,
                 int         saved_errno,
                 const char *what,
                 const char *path)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               "%s %s: %s", what, display, g_strerror (saved_errno));
  return FALSE;
}

/* Straight to the name, no temporary file: a 255-byte name leaves no room
 * for a temporary's suffix. */
static gboolean
write_bytes (const char  *path,
             const void  *data,
             gsize        len,
             GError     **error)
{
  const guint8 *p = data;
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  if (fd < 0)
    return set_errno_error (error, errno, "Cannot create", path);

  while (len > 0)
    {
      gssize n = write (fd, p, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          close (fd);
          return set_errno_error (error, saved_errno, "Cannot write", path);
        }
      p += n;
      len -= n;
    }

  if (close (fd) != 0)
    return set_errno_error (error, errno, "Cannot write", path);

  return TRUE;
}

static void
put_be32 (guint8  *p,
          guint32  v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static void
append_le16 (GByteArray *out,
             guint16     v)
{
  guint8 b[2] = { v & 0xff, v >> 8 };

  g_byte_array_append (out, b, 2);
}

static void
append_le32 (GByteArray *out,
             guint32     v)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

  g_byte_array_append (out, b, 4);
}

static char *
substitute (const char             *text,
            const CsHostileContext *context)
{
  g_autoptr(GString) out = g_string_new (text);

  g_string_replace (out, "@PRIVATE@", context->private, 0);
  g_string_replace (out, "@FOLDER@", context->folder, 0);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* PNG */

typedef struct
{
  FILE     *file;
  z_stream  zs;
  guint8   *zbuf;
} PngWriter;

static void
png_chunk (FILE         *file,
           const char   *type,
           const guint8 *data,
           guint32       len)
{
  guint8 head[8];
  guint8 tail[4];
  uLong crc = crc32 (0, (const Bytef *) type, 4);

  put_be32 (head, len);
  memcpy (head + 4, type, 4);
  if (len > 0)
    crc = crc32 (crc, data, len);
  put_be32 (tail, (guint32) crc);

  fwrite (head, 1, 8, file);
  if (len > 0)
    fwrite (data, 1, len, file);
  fwrite (tail, 1, 4, file);
}

static void
png_header (FILE    *file,
            guint32  width,
            guint32  height,
            guint8   color_type)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 ihdr[13];

  put_be32 (ihdr, width);
  put_be32 (ihdr + 4, height);
  ihdr[8] = 8;           /* bit depth */
  ihdr[9] = color_type;  /* 0 grey, 2 RGB */
  ihdr[10] = 0;          /* deflate */
  ihdr[11] = 0;          /* adaptive filtering */
  ihdr[12] = 0;          /* no interlace */

  fwrite (signature, 1, sizeof signature, file);
  png_chunk (file, "IHDR", ihdr, sizeof ihdr);
}

static void
png_deflate (PngWriter    *w,
             const guint8 *data,
             gsize         len,
             int           flush)
{
  w->zs.next_in = (Bytef *) data;
  w->zs.avail_in = len;

  do
    {
      int ret;

      ret = deflate (&w->zs, flush);
      g_assert (ret != Z_STREAM_ERROR);
      if (w->zs.avail_out == 0 || (flush == Z_FINISH && w->zs.avail_out < IDAT_CHUNK))
        {
          png_chunk (w->file, "IDAT", w->zbuf, IDAT_CHUNK - w->zs.avail_out);
          w->zs.next_out = w->zbuf;
          w->zs.avail_out = IDAT_CHUNK;
        }
      if (ret == Z_STREAM_END)
        break;
    }
  while (w->zs.avail_in > 0 || flush == Z_FINISH);
}

typedef void (*RowFunc) (guint8 *row, gsize len, guint32 y, gpointer data);

/* A whole PNG, streamed: @rows fills each row (NULL: zeros); only the first
 * @stop_after rows are written when that is less than @height, which makes
 * a file whose pixel data ends early but whose every chunk is valid. */
static gboolean
write_png (const char  *path,
           guint32      width,
           guint32      height,
           guint8       color_type,
           int          level,
           RowFunc      rows,
           gpointer     rows_data,
           guint32      stop_after,
           GError     **error)
{
  guint channels = color_type == 2 ? 3 : color_type == 6 ? 4 : 1;
  gsize row_len = 1 + (gsize) width * channels;
  g_autofree guint8 *row = g_malloc0 (row_len);
  PngWriter w = { 0 };
  int saved_errno;

  w.file = g_fopen (path, "wb");
  if (w.file == NULL)
    return set_errno_error (error, errno, "Cannot create", path);

  w.zbuf = g_malloc (IDAT_CHUNK);
  if (deflateInit (&w.zs, level) != Z_OK)
    g_error ("deflateInit failed");
  w.zs.next_out = w.zbuf;
  w.zs.avail_out = IDAT_CHUNK;

  png_header (w.file, width, height, color_type);

  for (guint32 y = 0; y < MIN (height, stop_after); y++)
    {
      if (rows != NULL)
        {
          row[0] = 0;  /* filter: none */
          rows (row + 1, row_len - 1, y, rows_data);
        }
      png_deflate (&w, row, row_len, Z_NO_FLUSH);
    }
  png_deflate (&w, NULL, 0, Z_FINISH);
  deflateEnd (&w.zs);
  g_free (w.zbuf);

  png_chunk (w.file, "IEND", NULL, 0);

  saved_errno = ferror (w.file) ? EIO : 0;
  if (fclose (w.file) != 0 && saved_errno == 0)
    saved_errno = errno;
  if (saved_errno != 0)
    return set_errno_error (error, saved_errno, "Cannot write", path);

  return TRUE;
}

#define ZERO_CHUNK (1024 * 1024)

static void
deflate_chunk (GByteArray   *out,
               const guint8 *zeros,
               gsize         len,
               gboolean      primed,
               int           flush)
{
  guint8 buf[16384];
  z_stream zs = { 0 };

  if (deflateInit2 (&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    g_error ("deflateInit2 failed");
  if (primed)
    deflateSetDictionary (&zs, zeros, 32768);

  zs.next_in = (Bytef *) zeros;
  zs.avail_in = len;
  do
    {
      zs.next_out = buf;
      zs.avail_out = sizeof buf;
      deflate (&zs, flush);
      g_byte_array_append (out, buf, sizeof buf - zs.avail_out);
    }
  while (zs.avail_out == 0);
  deflateEnd (&zs);
}

/* The zlib stream of @n zero bytes, made without compressing them all: a
 * megabyte compressed against a window of zeros, ending on a byte boundary
 * (sync flush), decompresses to the same megabyte wherever the 32 KiB before
 * it are zeros, so the stream is the first megabyte, that same piece again
 * and again, and the rest. */
static GByteArray *
zlib_zeros (guint64 n)
{
  g_autofree guint8 *zeros = g_malloc0 (ZERO_CHUNK);
  g_autoptr(GByteArray) piece = g_byte_array_new ();
  GByteArray *out = g_byte_array_new ();
  guint8 trailer[4];

  g_byte_array_append (out, (const guint8 *) "\x78\xda", 2);

  if (n <= ZERO_CHUNK)
    deflate_chunk (out, zeros, n, FALSE, Z_FINISH);
  else
    {
      guint64 left = n - ZERO_CHUNK;

      deflate_chunk (out, zeros, ZERO_CHUNK, FALSE, Z_SYNC_FLUSH);
      deflate_chunk (piece, zeros, ZERO_CHUNK, TRUE, Z_SYNC_FLUSH);
      for (; left > ZERO_CHUNK; left -= ZERO_CHUNK)
        g_byte_array_append (out, piece->data, piece->len);
      deflate_chunk (out, zeros, left, TRUE, Z_FINISH);
    }

  /* Adler-32 of zeros: the sum stays 1, the sum of sums counts the bytes. */
  put_be32 (trailer, (guint32) ((n % 65521) << 16 | 1));
  g_byte_array_append (out, trailer, 4);

  return out;
}

/* A complete, valid PNG whose every pixel is zero (black), in a few
 * milliseconds whatever its size. */
gboolean
cs_hostile_write_png_zeros (const char  *path,
                            guint32      width,
                            guint32      height,
                            guint8       color_type,
                            GError     **error)
{
  guint channels = color_type == 2 ? 3 : color_type == 6 ? 4 : 1;
  g_autoptr(GByteArray) stream = zlib_zeros ((guint64) height * (1 + (guint64) width * channels));
  FILE *file;
  int saved_errno;

  file = g_fopen (path, "wb");
  if (file == NULL)
    return set_errno_error (error, errno, "Cannot create", path);

  png_header (file, width, height, color_type);
  for (gsize i = 0; i < stream->len; i += IDAT_CHUNK)
    png_chunk (file, "IDAT", stream->data + i, MIN (IDAT_CHUNK, stream->len - i));
  png_chunk (file, "IEND", NULL, 0);

  saved_errno = ferror (file) ? EIO : 0;
  if (fclose (file) != 0 && saved_errno == 0)
    saved_errno = errno;
  if (saved_errno != 0)
    return set_errno_error (error, saved_errno, "Cannot write", path);

  return TRUE;
}

static void
noise_row (guint8   *row,
           gsize     len,
           guint32   y,
           gpointer  data)
{
  GRand *rand = data;

  for (gsize i = 0; i + 4 <= len; i += 4)
    {
      guint32 v = g_rand_int (rand);
      memcpy (row + i, &v, 4);
    }
  for (gsize i = len & ~(gsize) 3; i < len; i++)
    row[i] = g_rand_int (rand);
}

/* Incompressible, so that decoding it takes a while: a race has time to hit. */
gboolean
cs_hostile_write_noise_png (const char  *path,
                            int          width,
                            int          height,
                            guint32      seed,
                            GError     **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  return write_png (path, width, height, 2, 1, noise_row, rand, G_MAXUINT32, error);
}

/* GIF, with a real LZW encoder so that large flat frames stay small */

typedef struct
{
  GByteArray *out;
  guint8      block[255];
  guint       block_len;
  guint32     bits;
  guint       n_bits;
} GifBits;

static void
gif_flush_block (GifBits *g)
{
  guint8 len = g->block_len;

  if (len == 0)
    return;
  g_byte_array_append (g->out, &len, 1);
  g_byte_array_append (g->out, g->block, len);
  g->block_len = 0;
}

static void
gif_put_code (GifBits *g,
              guint    code,
              guint    size)
{
  g->bits |= (guint32) code << g->n_bits;
  g->n_bits += size;
  while (g->n_bits >= 8)
    {
      g->block[g->block_len++] = g->bits & 0xff;
      g->bits >>= 8;
      g->n_bits -= 8;
      if (g->block_len == 255)
        gif_flush_block (g);
    }
}

static void
gif_lzw (GByteArray   *out,
         const guint8 *pixels,
         gsize         n,
         guint         min_size)
{
  const guint clear = 1u << min_size;
  const guint eoi = clear + 1;
  g_autofree guint16 *table = g_new0 (guint16, 4096 * 256);  /* [prefix][byte] -> code + 1 */
  GifBits g = { out, { 0 }, 0, 0, 0 };
  guint size = min_size + 1;
  guint next = eoi + 1;
  guint prefix;
  guint8 min8 = min_size;

  g_byte_array_append (out, &min8, 1);
  gif_put_code (&g, clear, size);

  if (n == 0)
    {
      gif_put_code (&g, eoi, size);
      goto done;
    }

  prefix = pixels[0];
  for (gsize i = 1; i < n; i++)
    {
      guint8 c = pixels[i];
      guint16 code = table[prefix * 256 + c];

      if (code != 0)
        {
          prefix = code - 1;
          continue;
        }

      gif_put_code (&g, prefix, size);
      if (next < 4096)
        {
          if (next == (1u << size))
            size++;
          table[prefix * 256 + c] = next + 1;
          next++;
        }
      else
        {
          gif_put_code (&g, clear, size);
          memset (table, 0, sizeof (guint16) * 4096 * 256);
          size = min_size + 1;
          next = eoi + 1;
        }
      prefix = c;
    }
  gif_put_code (&g, prefix, size);
  gif_put_code (&g, eoi, size);

done:
  if (g.n_bits > 0)
    gif_put_code (&g, 0, 8 - g.n_bits);
  gif_flush_block (&g);
  g_byte_array_append (out, (const guint8 *) "\0", 1);  /* block terminator */
}

static void
gif_start (GByteArray *out,
           guint16     width,
           guint16     height)
{
  /* Black, red, green, blue. */
  static const guint8 palette[12] = { 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255 };
  static const guint8 flags[3] = { 0x81, 0, 0 };  /* a global table of 4, bg 0, aspect 0 */

  g_byte_array_append (out, (const guint8 *) "GIF89a", 6);
  append_le16 (out, width);
  append_le16 (out, height);
  g_byte_array_append (out, flags, 3);
  g_byte_array_append (out, palette, sizeof palette);
}

static void
gif_frame_head (GByteArray *out,
                guint16     x,
                guint16     y,
                guint16     width,
                guint16     height,
                gboolean    animated)
{
  if (animated)
    {
      /* Graphic control: 1/100 s, dispose to background. */
      static const guint8 gce[8] = { 0x21, 0xf9, 4, 0x08, 1, 0, 0, 0 };

      g_byte_array_append (out, gce, sizeof gce);
    }

  g_byte_array_append (out, (const guint8 *) ",", 1);
  append_le16 (out, x);
  append_le16 (out, y);
  append_le16 (out, width);
  append_le16 (out, height);
  g_byte_array_append (out, (const guint8 *) "\0", 1);  /* no local table */
}

/* @n_frames flat frames of @frame_width x @frame_height, the first at the
 * origin, the others wherever @seed puts them on the canvas. */
GBytes *
cs_hostile_gif_new (guint16  canvas_width,
                    guint16  canvas_height,
                    guint    n_frames,
                    guint16  frame_width,
                    guint16  frame_height,
                    guint32  seed)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gsize n = (gsize) frame_width * frame_height;
  g_autofree guint8 *pixels = g_malloc (MAX (n, 1));
  GByteArray *encoded[3] = { NULL, NULL, NULL };

  gif_start (out, canvas_width, canvas_height);

  if (n_frames > 1)
    {
      static const guint8 loop[19] = {
        0x21, 0xff, 11, 'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0',
        3, 1, 0, 0, 0,
      };

      g_byte_array_append (out, loop, sizeof loop);
    }

  for (guint i = 0; i < n_frames; i++)
    {
      guint16 x = 0, y = 0;
      guint colour = i % 3;

      if (i > 0 && canvas_width > frame_width)
        x = g_rand_int_range (rand, 0, canvas_width - frame_width + 1);
      if (i > 0 && canvas_height > frame_height)
        y = g_rand_int_range (rand, 0, canvas_height - frame_height + 1);

      gif_frame_head (out, x, y, frame_width, frame_height, n_frames > 1);
      /* Three colours, so three encodings: thousands of large frames in
       * no time. */
      if (encoded[colour] == NULL)
        {
          encoded[colour] = g_byte_array_new ();
          memset (pixels, 1 + colour, n);
          gif_lzw (encoded[colour], pixels, n, 2);
        }
      g_byte_array_append (out, encoded[colour]->data, encoded[colour]->len);
    }

  for (guint i = 0; i < G_N_ELEMENTS (encoded); i++)
    g_clear_pointer (&encoded[i], g_byte_array_unref);

  g_byte_array_append (out, (const guint8 *) ";", 1);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Encoded images */

static GBytes *
encode_image (const char  *format,
              int          width,
              int          height,
              guint        pattern,
              GError     **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  char *data = NULL;
  gsize len = 0;
  gboolean ok;

  if (g_str_equal (format, "gif"))
    return cs_hostile_gif_new (width, height, 1, width, height, pattern);

  if (g_str_equal (format, "svg"))
    {
      char *svg = g_strdup_printf ("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">"
                                   "<rect width=\"%d\" height=\"%d\" fill=\"#3465a4\"/>"
                                   "<circle cx=\"%d\" cy=\"%d\" r=\"%d\" fill=\"#f57900\"/></svg>\n",
                                   width, height, width, height,
                                   width / 2, height / 2, MIN (width, height) / 3);
      return g_bytes_new_take (svg, strlen (svg));
    }

  pixbuf = cs_test_make_pixbuf (width, height, pattern, FALSE);
  if (g_str_equal (format, "jpeg"))
    ok = gdk_pixbuf_save_to_buffer (pixbuf, &data, &len, "jpeg", error, "quality", "90", NULL);
  else
    ok = gdk_pixbuf_save_to_buffer (pixbuf, &data, &len, format, error, NULL);

  return ok ? g_bytes_new_take (data, len) : NULL;
}

static GBytes *
secret_png (GError **error)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 64);
  char *data = NULL;
  gsize len = 0;

  gdk_pixbuf_fill (pixbuf, ((guint32) CS_HOSTILE_SECRET_R << 24) |
                           ((guint32) CS_HOSTILE_SECRET_G << 16) |
                           ((guint32) CS_HOSTILE_SECRET_B << 8) | 0xff);
  if (!gdk_pixbuf_save_to_buffer (pixbuf, &data, &len, "png", error, NULL))
    return NULL;

  return g_bytes_new_take (data, len);
}

/* Writers */

static gboolean
write_text (const CsHostileSpec    *spec,
            const char             *path,
            const CsHostileContext *context,
            GError                **error)
{
  return write_bytes (path, spec->text, strlen (spec->text), error);
}

/* @a bytes of noise (zeros with @c set) after the magic in @text, which is
 * @b bytes long (0: up to its first NUL). */
static gboolean
write_random (const CsHostileSpec    *spec,
              const char             *path,
              const CsHostileContext *context,
              GError                **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (spec->a);
  g_autofree guint8 *data = g_malloc (spec->a);
  gsize magic = spec->b > 0 ? (gsize) spec->b : spec->text ? strlen (spec->text) : 0;

  for (int i = 0; i < spec->a; i++)
    data[i] = spec->c == 0 ? g_rand_int (rand) : 0;
  memcpy (data, spec->text ? spec->text : "", MIN (magic, (gsize) spec->a));

  return write_bytes (path, data, spec->a, error);
}

static gboolean
write_image (const CsHostileSpec    *spec,
             const char             *path,
             const CsHostileContext *context,
             GError                **error)
{
  g_autoptr(GBytes) bytes = encode_image (spec->text, spec->a, spec->b, spec->c, error);

  if (bytes == NULL)
    return FALSE;

  return write_bytes (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), error);
}

/* The first @c percent of an image of @a x @b in format @text. */
static gboolean
write_truncated (const CsHostileSpec    *spec,
                 const char             *path,
                 const CsHostileContext *context,
                 GError                **error)
{
  g_autoptr(GBytes) bytes = encode_image (spec->text, spec->a, spec->b, 2, error);
  gsize len;
  const guint8 *data;

  if (bytes == NULL)
    return FALSE;

  data = g_bytes_get_data (bytes, &len);

  return write_bytes (path, data, MAX (1, len * spec->c / 100), error);
}

/* Signature, IHDR, IEND: a PNG with no pixel data at all. */
static gboolean
write_png_header_only (const CsHostileSpec    *spec,
                       const char             *path,
                       const CsHostileContext *context,
                       GError                **error)
{
  return write_png (path, spec->a, spec->b, 2, 9, NULL, NULL, 0, error);
}

/* Valid chunks with valid CRCs around a lie: @a x @b, and one row of data. */
static gboolean
write_png_dimension_bomb (const CsHostileSpec    *spec,
                          const char             *path,
                          const CsHostileContext *context,
                          GError                **error)
{
  return write_png (path, spec->a, spec->b, 2, 9, NULL, NULL, 1, error);
}

/* Complete and valid: every row of @a x @b is there, zeros compressed. */
static gboolean
write_png_zeros (const CsHostileSpec    *spec,
                 const char             *path,
                 const CsHostileContext *context,
                 GError                **error)
{
  return cs_hostile_write_png_zeros (path, spec->a, spec->b, spec->c, error);
}

/* Returns the offset of the SOS marker (the end of the headers) and, through
 * @sof, the offset of the first SOF segment. */
static gsize
jpeg_walk (const guint8 *data,
           gsize         len,
           gsize        *sof)
{
  gsize i = 2;

  *sof = 0;
  while (i + 4 <= len && data[i] == 0xff)
    {
      guint8 marker = data[i + 1];
      gsize seg = ((gsize) data[i + 2] << 8) | data[i + 3];

      if (marker == 0xda)
        return i;
      if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 &&
          marker != 0xcc && *sof == 0)
        *sof = i;
      i += 2 + seg;
    }

  return 0;
}

/* A real JPEG whose SOF says @a x @b. */
static gboolean
write_jpeg_sof (const CsHostileSpec    *spec,
                const char             *path,
                const CsHostileContext *context,
                GError                **error)
{
  g_autoptr(GBytes) bytes = encode_image ("jpeg", 64, 64, 1, error);
  g_autofree guint8 *data = NULL;
  gsize len, sof;

  if (bytes == NULL)
    return FALSE;

  data = g_bytes_unref_to_data (g_steal_pointer (&bytes), &len);
  if (jpeg_walk (data, len, &sof) == 0 || sof == 0)
    g_error ("no SOF in our own JPEG");

  data[sof + 5] = spec->b >> 8;
  data[sof + 6] = spec->b & 0xff;
  data[sof + 7] = spec->a >> 8;
  data[sof + 8] = spec->a & 0xff;

  return write_bytes (path, data, len, error);
}

/* Every header of a real JPEG, then nothing: it stops where the scan starts. */
static gboolean
write_jpeg_headers_only (const CsHostileSpec    *spec,
                         const char             *path,
                         const CsHostileContext *context,
                         GError                **error)
{
  g_autoptr(GBytes) bytes = encode_image ("jpeg", spec->a, spec->b, 1, error);
  const guint8 *data;
  gsize len, sof, sos;

  if (bytes == NULL)
    return FALSE;

  data = g_bytes_get_data (bytes, &len);
  sos = jpeg_walk (data, len, &sof);
  if (sos == 0)
    g_error ("no SOS in our own JPEG");

  return write_bytes (path, data, sos, error);
}

/* Header, screen descriptor and palette of an @a x @b GIF, then the end. */
static gboolean
write_gif_header_only (const CsHostileSpec    *spec,
                       const char             *path,
                       const CsHostileContext *context,
                       GError                **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  gif_start (out, spec->a, spec->b);
  g_byte_array_append (out, (const guint8 *) ";", 1);

  return write_bytes (path, out->data, out->len, error);
}

/* A canvas of @a x @b with @c frames of the size in @text ("WxH"). */
static gboolean
write_gif (const CsHostileSpec    *spec,
           const char             *path,
           const CsHostileContext *context,
           GError                **error)
{
  guint64 fw = spec->a, fh = spec->b;
  g_autoptr(GBytes) bytes = NULL;

  if (spec->text != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (spec->text, "x", 2);

      fw = g_ascii_strtoull (parts[0], NULL, 10);
      fh = g_ascii_strtoull (parts[1], NULL, 10);
    }

  bytes = cs_hostile_gif_new (spec->a, spec->b, spec->c, fw, fh, 7);

  return write_bytes (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), error);
}

/* A small canvas with one frame that claims to be @a x @b, and little data. */
static gboolean
write_gif_huge_frame (const CsHostileSpec    *spec,
                      const char             *path,
                      const CsHostileContext *context,
                      GError                **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 pixels[256];

  memset (pixels, 1, sizeof pixels);
  gif_start (out, 16, 16);
  gif_frame_head (out, 0, 0, spec->a, spec->b, FALSE);
  gif_lzw (out, pixels, sizeof pixels, 2);
  g_byte_array_append (out, (const guint8 *) ";", 1);

  return write_bytes (path, out->data, out->len, error);
}

static void
tiff_entry (GByteArray *out,
            guint16     tag,
            guint16     type,
            guint32     value)
{
  append_le16 (out, tag);
  append_le16 (out, type);
  append_le32 (out, 1);
  if (type == 3)
    {
      append_le16 (out, value);
      append_le16 (out, 0);
    }
  else
    append_le32 (out, value);
}

/* A grey, uncompressed TIFF that claims @a x @b and holds 16 bytes. */
static gboolean
write_tiff_header (const CsHostileSpec    *spec,
                   const char             *path,
                   const CsHostileContext *context,
                   GError                **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  const guint16 n_entries = 10;
  const guint32 data_offset = 8 + 2 + n_entries * 12 + 4;
  guint8 data[16] = { 0 };

  g_byte_array_append (out, (const guint8 *) "II*\0", 4);
  append_le32 (out, 8);
  append_le16 (out, n_entries);
  tiff_entry (out, 256, 4, spec->a);      /* ImageWidth */
  tiff_entry (out, 257, 4, spec->b);      /* ImageLength */
  tiff_entry (out, 258, 3, 8);            /* BitsPerSample */
  tiff_entry (out, 259, 3, 1);            /* Compression: none */
  tiff_entry (out, 262, 3, 1);            /* Photometric: black is zero */
  tiff_entry (out, 273, 4, data_offset);  /* StripOffsets */
  tiff_entry (out, 277, 3, 1);            /* SamplesPerPixel */
  tiff_entry (out, 278, 4, spec->b);      /* RowsPerStrip */
  tiff_entry (out, 279, 4, sizeof data);  /* StripByteCounts */
  tiff_entry (out, 284, 3, 1);            /* PlanarConfiguration */
  append_le32 (out, 0);                   /* no next IFD */
  g_byte_array_append (out, data, sizeof data);

  return write_bytes (path, out->data, out->len, error);
}

/* A 24-bit BMP that claims @a x @b and holds 64 bytes of pixels. */
static gboolean
write_bmp_header (const CsHostileSpec    *spec,
                  const char             *path,
                  const CsHostileContext *context,
                  GError                **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 data[64] = { 0 };

  g_byte_array_append (out, (const guint8 *) "BM", 2);
  append_le32 (out, 54 + sizeof data);
  append_le32 (out, 0);
  append_le32 (out, 54);
  append_le32 (out, 40);
  append_le32 (out, spec->a);
  append_le32 (out, spec->b);
  append_le16 (out, 1);
  append_le16 (out, 24);
  for (guint i = 0; i < 6; i++)
    append_le32 (out, 0);
  g_byte_array_append (out, data, sizeof data);

  return write_bytes (path, out->data, out->len, error);
}

/* @text with @PRIVATE@, @FOLDER@ and @SECRET_PNG_DATA@ (a data: URI) filled in. */
static gboolean
write_svg (const CsHostileSpec    *spec,
           const char             *path,
           const CsHostileContext *context,
           GError                **error)
{
  g_autofree char *text = substitute (spec->text, context);

  if (strstr (text, "@SECRET_PNG_DATA@") != NULL)
    {
      g_autoptr(GBytes) png = secret_png (error);
      g_autofree char *b64 = NULL;
      g_autofree char *uri = NULL;
      g_autoptr(GString) s = g_string_new (text);

      if (png == NULL)
        return FALSE;
      b64 = g_base64_encode (g_bytes_get_data (png, NULL), g_bytes_get_size (png));
      uri = g_strconcat ("data:image/png;base64,", b64, NULL);
      g_string_replace (s, "@SECRET_PNG_DATA@", uri, 0);
      g_free (text);
      text = g_string_free (g_steal_pointer (&s), FALSE);
    }

  return write_bytes (path, text, strlen (text), error);
}

/* Billion laughs: @a levels of entities, each @b references to the one
 * below; with @c set, a single entity of @a bytes referenced @b times (the
 * quadratic blowup, which needs no nesting). */
static gboolean
write_svg_entities (const CsHostileSpec    *spec,
                    const char             *path,
                    const CsHostileContext *context,
                    GError                **error)
{
  g_autoptr(GString) s = g_string_new ("<?xml version=\"1.0\"?>\n<!DOCTYPE svg [\n");
  const char *top;

  if (spec->c)
    {
      g_string_append (s, "  <!ENTITY a \"");
      for (int i = 0; i < spec->a; i++)
        g_string_append_c (s, 'A');
      g_string_append (s, "\">\n");
      top = NULL;
    }
  else
    {
      g_string_append (s, "  <!ENTITY l0 \"lol\">\n");
      for (int level = 1; level < spec->a; level++)
        {
          g_string_append_printf (s, "  <!ENTITY l%d \"", level);
          for (int i = 0; i < spec->b; i++)
            g_string_append_printf (s, "&l%d;", level - 1);
          g_string_append (s, "\">\n");
        }
      top = "";
    }

  g_string_append (s, "]>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"100\">\n"
                      "<rect width=\"100\" height=\"100\" fill=\"#808080\"/>\n<text x=\"0\" y=\"50\">");
  if (top == NULL)
    for (int i = 0; i < spec->b; i++)
      g_string_append (s, "&a;");
  else
    g_string_append_printf (s, "&l%d;", spec->a - 1);
  g_string_append (s, "</text>\n</svg>\n");

  return write_bytes (path, s->str, s->len, error);
}

/* @a nested groups. */
static gboolean
write_svg_nested (const CsHostileSpec    *spec,
                  const char             *path,
                  const CsHostileContext *context,
                  GError                **error)
{
  g_autoptr(GString) s = g_string_new ("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"100\">\n");

  for (int i = 0; i < spec->a; i++)
    g_string_append (s, "<g>");
  g_string_append (s, "<rect width=\"100\" height=\"100\" fill=\"#808080\"/>");
  for (int i = 0; i < spec->a; i++)
    g_string_append (s, "</g>");
  g_string_append (s, "\n</svg>\n");

  return write_bytes (path, s->str, s->len, error);
}

/* @a levels of groups, each drawing the one below @b times through <use>. */
static gboolean
write_svg_use_bomb (const CsHostileSpec    *spec,
                    const char             *path,
                    const CsHostileContext *context,
                    GError                **error)
{
  g_autoptr(GString) s = g_string_new ("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                                       "xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
                                       "width=\"100\" height=\"100\">\n<defs>\n"
                                       "<rect id=\"u0\" width=\"1\" height=\"1\" fill=\"#808080\"/>\n");

  for (int level = 1; level < spec->a; level++)
    {
      g_string_append_printf (s, "<g id=\"u%d\">", level);
      for (int i = 0; i < spec->b; i++)
        g_string_append_printf (s, "<use xlink:href=\"#u%d\"/>", level - 1);
      g_string_append (s, "</g>\n");
    }
  g_string_append_printf (s, "</defs>\n<use xlink:href=\"#u%d\"/>\n</svg>\n", spec->a - 1);

  return write_bytes (path, s->str, s->len, error);
}

static gboolean
write_fifo (const CsHostileSpec    *spec,
            const char             *path,
            const CsHostileContext *context,
            GError                **error)
{
  if (mkfifo (path, 0644) != 0)
    return set_errno_error (error, errno, "Cannot make FIFO", path);

  return TRUE;
}

/* A bound Unix socket; nobody listens. */
static gboolean
write_socket (const CsHostileSpec    *spec,
              const char             *path,
              const CsHostileContext *context,
              GError                **error)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof addr.sun_path)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NAMETOOLONG,
                   "Socket path too long: %s (use a shorter TMPDIR)", path);
      return FALSE;
    }
  strcpy (addr.sun_path, path);

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      return set_errno_error (error, saved_errno, "Cannot make socket", path);
    }
  close (fd);

  return TRUE;
}

static gboolean
write_symlink (const CsHostileSpec    *spec,
               const char             *path,
               const CsHostileContext *context,
               GError                **error)
{
  g_autofree char *target = substitute (spec->text, context);

  if (symlink (target, path) != 0)
    return set_errno_error (error, errno, "Cannot make link", path);

  return TRUE;
}

static gboolean
write_folder (const CsHostileSpec    *spec,
              const char             *path,
              const CsHostileContext *context,
              GError                **error)
{
  if (g_mkdir (path, 0755) != 0)
    return set_errno_error (error, errno, "Cannot make folder", path);

  return TRUE;
}

/* The corpus */

#define SVG_OPEN "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" " \
                 "xmlns:xi=\"http://www.w3.org/2001/XInclude\" width=\"100\" height=\"100\">"
#define SVG_GREY "<rect width=\"100\" height=\"100\" fill=\"#808080\"/>"
#define SVG_TEXT(body) "<text x=\"2\" y=\"60\" font-family=\"sans-serif\" font-size=\"40\" fill=\"#000\">" body "</text>"
#define SVG_DOC(body) "<?xml version=\"1.0\"?>\n" SVG_OPEN SVG_GREY body "</svg>\n"
#define SVG_DOC_DTD(dtd, body) "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [ " dtd " ]>\n" SVG_OPEN SVG_GREY body "</svg>\n"

#define OK CS_HOSTILE_OK
#define FAIL CS_HOSTILE_FAIL
#define EITHER CS_HOSTILE_EITHER
#define NOT_CONTENT CS_HOSTILE_NOT_CONTENT
#define NO_SECRET CS_HOSTILE_CHECK_NO_SECRET

static const CsHostileSpec specs[] = {
  /* Good images, for the batch to make thumbnails of among the rest. */
  { "good-jpeg", "good", "good.jpg", .expect = OK, .expect_cache = OK,
    .write = write_image, .text = "jpeg", .a = 800, .b = 600 },
  { "good-png", "good", "good.png", .expect = OK, .expect_cache = OK,
    .write = write_image, .text = "png", .a = 300, .b = 500, .c = 1 },
  { "good-gif", "good", "good.gif", .expect = OK, .expect_cache = OK,
    .write = write_image, .text = "gif", .a = 64, .b = 48, .c = 0 },
  { "good-bmp", "good", "good.bmp", .expect = OK, .expect_cache = OK,
    .write = write_image, .text = "bmp", .a = 200, .b = 150, .c = 3 },
  { "good-tiff", "good", "good.tiff", .expect = OK, .expect_cache = OK,
    .write = write_image, .text = "tiff", .a = 200, .b = 150, .c = 4 },
  { "good-svg", "good", "good.svg", .expect = OK, .expect_cache = OK,
    .write = write_image, .text = "svg", .a = 300, .b = 200 },
  { "link-to-good", "good", "link-to-good.jpg", .expect = OK, .expect_cache = OK,
    .write = write_symlink, .text = "good.jpg" },

  /* Truncated: real images cut short. */
  /* The engine's own JPEG decoder (cs-decode-jpeg.c) sees the data run out;
   * without it, GdkPixbuf's loader gives the rows it got, grey below, and
   * reports success. */
#if HAVE_LIBJPEG
  { "trunc-jpeg-half", "truncated", "trunc-half.jpg", .expect = FAIL, .expect_cache = FAIL,
#else
  { "trunc-jpeg-half", "truncated", "trunc-half.jpg", .expect = EITHER, .expect_cache = EITHER,
#endif
    .reason = "truncated", .write = write_truncated, .text = "jpeg", .a = 800, .b = 600, .c = 50 },
  { "trunc-jpeg-1pct", "truncated", "trunc-1pct.jpg", .expect = FAIL, .expect_cache = FAIL,
    .reason = "truncated", .write = write_truncated, .text = "jpeg", .a = 800, .b = 600, .c = 1 },
  { "trunc-png-half", "truncated", "trunc-half.png", .expect = FAIL, .expect_cache = FAIL,
    .reason = "truncated", .write = write_truncated, .text = "png", .a = 800, .b = 600, .c = 50 },
  { "trunc-gif-half", "truncated", "trunc-half.gif", .expect = FAIL, .expect_cache = FAIL,
    .reason = "truncated", .write = write_truncated, .text = "gif", .a = 640, .b = 480, .c = 50 },
  { "trunc-tiff-half", "truncated", "trunc-half.tiff", .expect = FAIL, .expect_cache = FAIL,
    .write = write_truncated, .text = "tiff", .a = 400, .b = 300, .c = 50 },
  { "trunc-bmp-half", "truncated", "trunc-half.bmp", .expect = FAIL, .expect_cache = FAIL,
    .reason = "truncated", .write = write_truncated, .text = "bmp", .a = 400, .b = 300, .c = 50 },
  { "trunc-svg-half", "truncated", "trunc-half.svg", .expect = FAIL, .expect_cache = FAIL,
    .write = write_truncated, .text = "svg", .a = 300, .b = 200, .c = 50 },

  /* Zero bytes. */
  { "empty-jpeg", "zero-byte", "empty.jpg", .expect = FAIL, .expect_cache = FAIL,
    .reason = "empty", .write = write_text, .text = "" },
  { "empty-png", "zero-byte", "empty.png", .expect = FAIL, .expect_cache = FAIL,
    .reason = "empty", .write = write_text, .text = "" },
  { "empty-svg", "zero-byte", "empty.svg", .expect = FAIL, .expect_cache = FAIL,
    .reason = "empty", .write = write_text, .text = "" },

  /* Headers and nothing else. */
  /* Signature, IHDR, an empty IDAT and IEND: a complete, empty PNG that the
   * loader paints grey. */
  { "header-png", "header-only", "header-only.png", .expect = EITHER, .expect_cache = EITHER,
    .write = write_png_header_only, .a = 64, .b = 64 },
  { "header-jpeg", "header-only", "header-only.jpg", .expect = FAIL, .expect_cache = FAIL,
    .write = write_jpeg_headers_only, .a = 64, .b = 64 },
  { "header-gif", "header-only", "header-only.gif", .expect = FAIL, .expect_cache = FAIL,
    .write = write_gif_header_only, .a = 64, .b = 64 },
  { "signature-png", "header-only", "signature-only.png", .expect = FAIL, .expect_cache = FAIL,
    .write = write_random, .text = "\x89PNG\r\n\x1a\n", .a = 8, .b = 8 },

  /* Not images, with image names. */
  { "text-as-jpeg", "not-an-image", "shopping-list.jpg", .expect = FAIL, .expect_cache = FAIL,
    .reason = "not an image", .write = write_text, .text = "Eggs\nMilk\nA new camera\n" },
  { "noise-as-png", "not-an-image", "noise.png", .expect = FAIL, .expect_cache = FAIL,
    .write = write_random, .a = 65536 },
  { "zeros-as-gif", "not-an-image", "zeros.gif", .expect = FAIL, .expect_cache = FAIL,
    .write = write_random, .a = 65536, .c = 1 },
  { "elf-as-jpeg", "not-an-image", "program.jpg", .expect = FAIL, .expect_cache = FAIL,
    .write = write_random, .text = "\177ELF\2\1\1", .a = 32768 },
  { "html-as-svg", "not-an-image", "page.svg", .expect = FAIL, .expect_cache = FAIL,
    .write = write_text, .text = "<!DOCTYPE html>\n<html><head><title>x</title></head><body><p>Hello</p></body></html>\n" },
  { "xml-as-svg", "not-an-image", "data.svg", .expect = FAIL, .expect_cache = FAIL,
    .write = write_text, .text = "<?xml version=\"1.0\"?>\n<inventory><item>camera</item></inventory>\n" },
  { "broken-tiff", "not-an-image", "broken.tiff", .expect = FAIL, .expect_cache = FAIL,
    .write = write_random, .text = "II*\0\10\0\0\0", .a = 4096, .b = 8 },

  /* The name lies; the content decides. */
  { "png-named-jpeg", "wrong-extension", "really-a-png.jpg", .expect = OK, .expect_cache = OK,
    .write = write_image, .text = "png", .a = 320, .b = 240, .c = 1 },
  { "jpeg-named-png", "wrong-extension", "really-a-jpeg.png", .expect = OK, .expect_cache = OK,
    .write = write_image, .text = "jpeg", .a = 320, .b = 240, .c = 2 },
  { "gif-named-bmp", "wrong-extension", "really-a-gif.bmp", .expect = OK, .expect_cache = OK,
    .write = write_image, .text = "gif", .a = 64, .b = 64 },
  { "bmp-named-gif", "wrong-extension", "really-a-bmp.gif", .expect = OK, .expect_cache = OK,
    .write = write_image, .text = "bmp", .a = 64, .b = 64, .c = 3 },
  { "svg-named-png", "wrong-extension", "really-an-svg.png", .expect = OK, .expect_cache = OK,
    .write = write_image, .text = "svg", .a = 200, .b = 100 },

  /* Dimension bombs: headers that lie about the size. */
  { "png-100000", "dimension-bomb", "claims-100000x100000.png", .expect = FAIL, .expect_cache = FAIL,
    .reason = "too large", .write = write_png_dimension_bomb, .a = 100000, .b = 100000 },
  { "jpeg-65000", "dimension-bomb", "claims-65000x65000.jpg", .expect = FAIL, .expect_cache = FAIL,
    .reason = "too large", .write = write_jpeg_sof, .a = 65000, .b = 65000 },
  { "tiff-1000000", "dimension-bomb", "claims-1000000x1000000.tiff", .expect = FAIL, .expect_cache = FAIL,
    .write = write_tiff_header, .a = 1000000, .b = 1000000 },
  { "bmp-30000", "dimension-bomb", "claims-30000x30000.bmp", .expect = FAIL, .expect_cache = FAIL,
    .write = write_bmp_header, .a = 30000, .b = 30000 },
  { "gif-frame-65535", "dimension-bomb", "frame-65535x65535.gif", .expect = EITHER, .expect_cache = EITHER,
    .write = write_gif_huge_frame, .a = 65535, .b = 65535 },
  { "svg-1e6", "dimension-bomb", "drawing-1000000x1000000.svg", .expect = EITHER, .expect_cache = EITHER,
    .write = write_svg, .text = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1000000\" height=\"1000000\">"
                               "<rect width=\"1000000\" height=\"1000000\" fill=\"#808080\"/></svg>\n" },

  /* Decompression bomb and the pixel limit: complete, valid PNGs. */
  { "png-bomb-20000", "decompression-bomb", "bomb-20000x20000.png", .expect = FAIL, .expect_cache = FAIL,
    .reason = "too large", .write = write_png_zeros, .a = 20000, .b = 20000, .c = 2 },
  { "png-over-limit", "pixel-limit", "over-limit-16385x16384.png", .expect = FAIL, .expect_cache = FAIL,
    .reason = "too large", .write = write_png_zeros, .a = 16385, .b = 16384, .c = 0 },

  /* Animations: the first frame, in bounded time and memory. */
  { "gif-3000-tiny", "animation", "frames-3000-tiny.gif", .expect = OK, .expect_cache = OK,
    .write = write_gif, .text = "16x16", .a = 1024, .b = 1024, .c = 3000 },
  { "gif-3000-full", "animation", "frames-3000-full.gif", .expect = OK, .expect_cache = OK,
    .write = write_gif, .a = 640, .b = 480, .c = 3000 },
  { "gif-canvas-65535", "animation", "canvas-65535x65535.gif", .expect = EITHER, .expect_cache = EITHER,
    .reason = "too large", .write = write_gif, .text = "16x16", .a = 65535, .b = 65535, .c = 2 },

  /* SVG: expansion, and every way to reach a local file. */
  { "svg-control", "svg", "control.svg", .expect = OK, .expect_cache = OK,
    .write = write_svg, .text = SVG_DOC ("<style></style>") },
  { "svg-control-text", "svg", "control-text.svg", .expect = OK, .expect_cache = OK,
    .write = write_svg, .text = SVG_DOC (SVG_TEXT ("")) },
  { "svg-inline-css", "svg", "positive-inline-css.svg", .expect = OK, .expect_cache = OK,
    .check = CS_HOSTILE_CHECK_SECRET,
    .write = write_svg, .text = SVG_DOC ("<style>rect { fill: #13f7a9; }</style>") },
  { "svg-inline-image", "svg", "positive-data-image.svg", .expect = OK, .expect_cache = OK,
    .check = CS_HOSTILE_CHECK_SECRET,
    .write = write_svg, .text = SVG_DOC ("<image width=\"100\" height=\"100\" xlink:href=\"@SECRET_PNG_DATA@\"/>") },
  { "svg-inline-text", "svg", "positive-inline-text.svg", .expect = OK, .expect_cache = OK,
    .check = CS_HOSTILE_CHECK_DIFFERS, .control = "svg-control-text",
    .write = write_svg, .text = SVG_DOC (SVG_TEXT ("root:x:0:0")) },
  { "svg-billion-laughs", "svg", "billion-laughs.svg", .expect = EITHER, .expect_cache = EITHER,
    .write = write_svg_entities, .a = 10, .b = 10 },
  { "svg-quadratic", "svg", "quadratic-blowup.svg", .expect = EITHER, .expect_cache = EITHER,
    .flags = CS_HOSTILE_HEAVY, .write = write_svg_entities, .a = 100000, .b = 20000, .c = 1 },
  { "svg-nested", "svg", "nested-100000.svg", .expect = EITHER, .expect_cache = EITHER,
    .write = write_svg_nested, .a = 100000 },
  { "svg-use-bomb", "svg", "use-bomb.svg", .expect = EITHER, .expect_cache = EITHER,
    .flags = CS_HOSTILE_HEAVY, .write = write_svg_use_bomb, .a = 9, .b = 10 },
  { "svg-entity-css", "svg", "entity-css.svg", .expect = EITHER, .expect_cache = EITHER,
    .check = NO_SECRET, .control = "svg-control",
    .write = write_svg, .text = SVG_DOC_DTD ("<!ENTITY x SYSTEM \"file://@PRIVATE@/secret.css\">",
                                             "<style>&x;</style>") },
  { "svg-entity-passwd", "svg", "entity-passwd.svg", .expect = EITHER, .expect_cache = EITHER,
    .check = NO_SECRET, .control = "svg-control-text",
    .write = write_svg, .text = SVG_DOC_DTD ("<!ENTITY x SYSTEM \"file:///etc/passwd\">",
                                             SVG_TEXT ("&x;")) },
  { "svg-entity-text", "svg", "entity-text.svg", .expect = EITHER, .expect_cache = EITHER,
    .check = NO_SECRET, .control = "svg-control-text",
    .write = write_svg, .text = SVG_DOC_DTD ("<!ENTITY x SYSTEM \"@PRIVATE@/secret.txt\">",
                                             SVG_TEXT ("&x;")) },
  { "svg-xinclude-css", "svg", "xinclude-css.svg", .expect = EITHER, .expect_cache = EITHER,
    .check = NO_SECRET, .control = "svg-control",
    .write = write_svg, .text = SVG_DOC ("<style><xi:include href=\"@PRIVATE@/secret.css\" parse=\"text\"/></style>") },
  { "svg-xinclude-hostname", "svg", "xinclude-hostname.svg", .expect = EITHER, .expect_cache = EITHER,
    .check = NO_SECRET, .control = "svg-control-text",
    .write = write_svg, .text = SVG_DOC (SVG_TEXT ("<xi:include href=\"/etc/hostname\" parse=\"text\"/>")) },
  { "svg-xinclude-text", "svg", "xinclude-text.svg", .expect = EITHER, .expect_cache = EITHER,
    .check = NO_SECRET, .control = "svg-control-text",
    .write = write_svg, .text = SVG_DOC (SVG_TEXT ("<xi:include href=\"file://@PRIVATE@/secret.txt\" parse=\"text\"/>")) },
  { "svg-css-import", "svg", "css-import.svg", .expect = EITHER, .expect_cache = EITHER,
    .check = NO_SECRET, .control = "svg-control",
    .write = write_svg, .text = SVG_DOC ("<style>@import url(\"file://@PRIVATE@/secret.css\");</style>") },
  { "svg-image-file-uri", "svg", "image-file-uri.svg", .expect = EITHER, .expect_cache = EITHER,
    .check = NO_SECRET, .control = "svg-control",
    .write = write_svg, .text = SVG_DOC ("<image width=\"100\" height=\"100\" href=\"file://@PRIVATE@/secret.png\"/>") },
  { "svg-image-xlink", "svg", "image-xlink.svg", .expect = EITHER, .expect_cache = EITHER,
    .check = NO_SECRET, .control = "svg-control",
    .write = write_svg, .text = SVG_DOC ("<image width=\"100\" height=\"100\" xlink:href=\"file://@PRIVATE@/secret.png\"/>") },
  { "svg-image-path", "svg", "image-path.svg", .expect = EITHER, .expect_cache = EITHER,
    .check = NO_SECRET, .control = "svg-control",
    .write = write_svg, .text = SVG_DOC ("<image width=\"100\" height=\"100\" href=\"@PRIVATE@/secret.png\"/>") },
  { "svg-image-relative", "svg", "image-relative.svg", .expect = EITHER, .expect_cache = EITHER,
    .check = NO_SECRET, .control = "svg-control",
    .write = write_svg, .text = SVG_DOC ("<image width=\"100\" height=\"100\" href=\"../private/secret.png\"/>") },
  { "svg-image-sibling", "svg", "image-sibling.svg", .expect = EITHER, .expect_cache = EITHER,
    .check = NO_SECRET, .control = "svg-control",
    .write = write_svg, .text = SVG_DOC ("<image width=\"100\" height=\"100\" href=\"sibling-secret.png\"/>") },
  { "svg-feimage", "svg", "feimage.svg", .expect = EITHER, .expect_cache = EITHER,
    .check = NO_SECRET, .control = "svg-control",
    .write = write_svg, .text = SVG_DOC ("<filter id=\"f\"><feImage href=\"file://@PRIVATE@/secret.png\"/></filter>"
                                         "<rect width=\"100\" height=\"100\" filter=\"url(#f)\" fill=\"#808080\"/>") },
  { "svg-use-external", "svg", "use-external.svg", .expect = EITHER, .expect_cache = EITHER,
    .check = NO_SECRET, .control = "svg-control",
    .write = write_svg, .text = SVG_DOC ("<use xlink:href=\"file://@PRIVATE@/secret.svg#r\"/>") },
  { "svg-image-http", "svg", "image-http.svg", .expect = EITHER, .expect_cache = EITHER,
    .check = NO_SECRET, .control = "svg-control",
    .write = write_svg, .text = SVG_DOC ("<image width=\"100\" height=\"100\" href=\"http://192.0.2.1/secret.png\"/>") },
  { "sibling-secret", "svg", "sibling-secret.png", .expect = OK, .expect_cache = OK,
    .check = CS_HOSTILE_CHECK_SECRET, .write = write_symlink, .text = "@PRIVATE@/secret.png" },

  /* Not regular files. */
  { "fifo", "special", "fifo.jpg", .expect = FAIL, .expect_cache = FAIL, .reason = "pipe",
    .flags = NOT_CONTENT, .write = write_fifo },
  { "socket", "special", "socket.png", .expect = FAIL, .expect_cache = FAIL, .reason = "socket",
    .flags = NOT_CONTENT, .write = write_socket },
  { "dev-zero", "special", "zero.jpg", .expect = FAIL, .expect_cache = FAIL, .reason = "device",
    .flags = NOT_CONTENT, .write = write_symlink, .text = "/dev/zero" },
  { "dev-null", "special", "null.png", .expect = FAIL, .expect_cache = FAIL, .reason = "device",
    .flags = NOT_CONTENT, .write = write_symlink, .text = "/dev/null" },
  { "folder", "special", "folder.jpg", .expect = FAIL, .expect_cache = FAIL, .reason = "folder",
    .flags = NOT_CONTENT | CS_HOSTILE_NOT_ARG | CS_HOSTILE_RECURSE_SKIPS, .write = write_folder },
  { "loop-a", "special", "loop-a.jpg", .expect = FAIL, .expect_cache = FAIL, .reason = "symbolic links",
    .flags = NOT_CONTENT, .write = write_symlink, .text = "loop-b.jpg" },
  { "loop-b", "special", "loop-b.jpg", .expect = FAIL, .expect_cache = FAIL, .reason = "symbolic links",
    .flags = NOT_CONTENT, .write = write_symlink, .text = "loop-a.jpg" },
  { "loop-self", "special", "loop-self.png", .expect = FAIL, .expect_cache = FAIL, .reason = "symbolic links",
    .flags = NOT_CONTENT, .write = write_symlink, .text = "loop-self.png" },
  { "dangling", "special", "dangling.jpg", .expect = FAIL, .expect_cache = FAIL, .reason = "no such file",
    .flags = NOT_CONTENT, .write = write_symlink, .text = "nowhere.jpg" },
  { "dangling-abs", "special", "dangling-abs.gif", .expect = FAIL, .expect_cache = FAIL, .reason = "no such file",
    .flags = NOT_CONTENT, .write = write_symlink, .text = "/nonexistent/contact-sheet/x.gif" },

  /* Names. */
  { "name-not-utf8-bad", "name", "\xff\xfe-list.jpg", .display = "\xef\xbf\xbd\xef\xbf\xbd-list.jpg",
    .expect = FAIL, .expect_cache = FAIL, .reason = "not an image",
    .write = write_text, .text = "not a picture\n" },
  { "name-not-utf8-good", "name", "\xff\xfe-photo.jpg", .display = "\xef\xbf\xbd\xef\xbf\xbd-photo.jpg",
    .expect = OK, .expect_cache = OK, .write = write_image, .text = "jpeg", .a = 200, .b = 100 },
  { "name-newline-bad", "name", "new\nline.jpg", .display = "new\\nline.jpg",
    .expect = FAIL, .expect_cache = FAIL, .reason = "not an image",
    .write = write_text, .text = "not a picture\n" },
  { "name-newline-good", "name", "new\nline-photo.png", .display = "new\\nline-photo.png",
    .expect = OK, .expect_cache = OK, .write = write_image, .text = "png", .a = 100, .b = 100 },
  { "name-escape-bad", "name", "esc\x1b[2J\x1b[31mred.jpg", .display = "esc\\x1b[2J\\x1b[31mred.jpg",
    .expect = FAIL, .expect_cache = FAIL, .reason = "not an image",
    .write = write_text, .text = "not a picture\n" },
  { "name-tab-cr-bad", "name", "tab\tcr\r.png", .display = "tab\\tcr\\r.png",
    .expect = FAIL, .expect_cache = FAIL, .reason = "empty", .write = write_text, .text = "" },
  /* 255 bytes: the longest name a file system takes. The thumbnail beside
   * it needs a longer one, so only the cache can hold it. */
  { "name-255-good", "name", "a", ".jpg", .expect = FAIL, .expect_cache = OK, .reason = "too long",
    .write = write_image, .text = "jpeg", .a = 200, .b = 100 },
  { "name-255-bad", "name", "b", ".png", .expect = FAIL, .expect_cache = FAIL, .reason = "not an image",
    .write = write_text, .text = "not a picture\n" },
};

static void
entry_free (gpointer data)
{
  CsHostileEntry *entry = data;

  g_free (entry->name);
  g_free (entry->display);
  g_free (entry);
}

GPtrArray *
cs_hostile_corpus_new (void)
{
  GPtrArray *corpus = g_ptr_array_new_with_free_func (entry_free);

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      CsHostileEntry *entry = g_new0 (CsHostileEntry, 1);

      entry->spec = &specs[i];
      if (specs[i].long_suffix != NULL)
        {
          gsize fill = 255 - strlen (specs[i].long_suffix);
          g_autofree char *stem = g_strnfill (fill, specs[i].name[0]);

          entry->name = g_strconcat (stem, specs[i].long_suffix, NULL);
        }
      else
        entry->name = g_strdup (specs[i].name);
      entry->display = g_strdup (specs[i].display ? specs[i].display : entry->name);
      g_ptr_array_add (corpus, entry);
    }

  return corpus;
}

const CsHostileEntry *
cs_hostile_corpus_find (GPtrArray  *corpus,
                        const char *id)
{
  for (guint i = 0; i < corpus->len; i++)
    {
      const CsHostileEntry *entry = g_ptr_array_index (corpus, i);

      if (g_str_equal (entry->spec->id, id))
        return entry;
    }

  return NULL;
}

/* The files an SVG must never show: an image and a style sheet in the secret
 * colour, a drawing of it, and a line of text. */
gboolean
cs_hostile_write_private (const char  *private_dir,
                          GError     **error)
{
  static const char css[] = "rect { fill: #13f7a9 !important; }\n";
  static const char text[] = "root:x:0:0:SECRET\n";
  static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"100\">"
                            "<rect id=\"r\" width=\"100\" height=\"100\" fill=\"#13f7a9\"/></svg>\n";
  g_autoptr(GBytes) png = NULL;
  g_autofree char *png_path = g_build_filename (private_dir, "secret.png", NULL);
  g_autofree char *css_path = g_build_filename (private_dir, "secret.css", NULL);
  g_autofree char *text_path = g_build_filename (private_dir, "secret.txt", NULL);
  g_autofree char *svg_path = g_build_filename (private_dir, "secret.svg", NULL);

  if (g_mkdir_with_parents (private_dir, 0755) != 0)
    return set_errno_error (error, errno, "Cannot make folder", private_dir);

  png = secret_png (error);

  return png != NULL &&
         write_bytes (png_path, g_bytes_get_data (png, NULL), g_bytes_get_size (png), error) &&
         write_bytes (css_path, css, strlen (css), error) &&
         write_bytes (text_path, text, strlen (text), error) &&
         write_bytes (svg_path, svg, strlen (svg), error);
}

gboolean
cs_hostile_write_entry (const CsHostileEntry   *entry,
                        const CsHostileContext *context,
                        GError                **error)
{
  g_autofree char *path = g_build_filename (context->folder, entry->name, NULL);

  return entry->spec->write (entry->spec, path, context, error);
}

gboolean
cs_hostile_write_corpus (GPtrArray              *corpus,
                         const CsHostileContext *context,
                         GError                **error)
{
  if (g_mkdir_with_parents (context->folder, 0755) != 0)
    return set_errno_error (error, errno, "Cannot make folder", context->folder);

  if (!cs_hostile_write_private (context->private, error))
    return FALSE;

  for (guint i = 0; i < corpus->len; i++)
    if (!cs_hostile_write_entry (g_ptr_array_index (corpus, i), context, error))
      return FALSE;

  return TRUE;
}
