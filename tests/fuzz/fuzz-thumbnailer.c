/* fuzz-thumbnailer.c: hostile bytes through cs_thumbnailer_process()
 * (and cs_exif_facts_read_jpeg(), which contact sheets use)
 *
 * Each input is written to a file on tmpfs and thumbnailed as a person's
 * file would be (folder mode, 64 pixels, a 4 megapixel limit, 3 s), then checked:
 * a thumbnail that was made is there and fits; an error is a readable
 * sentence and leaves nothing behind. The output folder is emptied after
 * every input.
 *
 * Decoding happens in this process (CONTACT_SHEET_DECODER is cleared), so
 * that AddressSanitizer sees the decoders and our code around them. With
 * CS_FUZZ_USE_DECODER=1 the helper process named by CONTACT_SHEET_DECODER
 * is used instead: then a crash there must come back as an error.
 *
 * The decoders are system libraries, not instrumented for coverage: on its
 * own libFuzzer would see only our few branches and shrink every seed to the
 * same failure. So, built for libFuzzer (CS_FUZZ_FEATURES), the harness
 * reports what it can observe as extra features: the sniffed format, the
 * error, the decoders' warnings (digits dropped) and the image's size class.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-fuzz.h"

#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cs-decoder-client.h"
#include "cs-exif.h"
#include "cs-thumbnailer.h"

#define FUZZ_SIZE 64
#define FUZZ_MAX_PIXELS (G_GUINT64_CONSTANT (4000000))
/* Well below libFuzzer's -timeout=10 (run-fuzz.py): a decoder that hangs
 * (glycin's JXL loader on some 250-byte files) is our timeout error for that
 * input, not a timeout of the whole harness. */
#define FUZZ_DECODE_TIMEOUT_MS 3000

#ifdef CS_FUZZ_FEATURES
/* libFuzzer reads and clears these around every input, as it does its own
 * coverage counters. */
#define N_FEATURES 8192
__attribute__((used, section ("__libfuzzer_extra_counters")))
static uint8_t features[N_FEATURES];
#endif

static char *work_dir;
static char *output_dir;
static GFile *input;
static CsThumbnailer *thumbnailer;
static gboolean isolated;
static const uint8_t *current_data;
static size_t current_size;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }

  g_rmdir (path);
}

static void
clean_up (void)
{
  g_clear_object (&thumbnailer);
  g_clear_object (&input);
  if (work_dir != NULL)
    remove_tree (work_dir);
  g_clear_pointer (&work_dir, g_free);
  g_clear_pointer (&output_dir, g_free);
}

/* tmpfs when there is one: an input is written for every run. Inside
 * CS_FUZZ_TMPDIR if set: a process that crashes leaves its folder behind,
 * and run-fuzz.py removes them all at the end. */
static char *
make_work_dir (void)
{
  g_autoptr(GError) error = NULL;
  const char *parent = g_getenv ("CS_FUZZ_TMPDIR");
  char *dir;

  if (parent == NULL && access ("/dev/shm", W_OK) == 0)
    parent = "/dev/shm";

  if (parent != NULL)
    {
      dir = g_build_filename (parent, "cs-fuzz-XXXXXX", NULL);
      if (g_mkdtemp (dir) != NULL)
        return dir;
      g_free (dir);
    }

  dir = g_dir_make_tmp ("cs-fuzz-XXXXXX", &error);
  if (dir == NULL)
    g_error ("Cannot make a work folder: %s", error->message);

  return dir;
}

/* Words without their numbers: "Invalid row 12" and "Invalid row 13" are
 * the same place in a decoder. */
static guint
hash_text (guint       seed,
           const char *text)
{
  guint hash = seed;

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      hash = hash * 31 + (guchar) *p;

  return hash;
}

static void
add_feature (guint hash)
{
#ifdef CS_FUZZ_FEATURES
  features[hash % N_FEATURES] = 1;
#endif
}

/* Whether the code that logged a critical is ours. Past GLib's logging
 * functions, the first frame is the function that complained and the next
 * its caller: if either is in this executable (the engine is linked in
 * statically), the misuse is ours; if both are in shared libraries, it is a
 * decoder misusing GdkPixbuf or GLib. */
static gboolean
critical_is_ours (void)
{
  void *frames[64];
  int n = backtrace (frames, G_N_ELEMENTS (frames));
  Dl_info self, info[G_N_ELEMENTS (frames)];
  int i = 0;

  if (dladdr ((void *) critical_is_ours, &self) == 0)
    return TRUE;

  for (int k = 0; k < n; k++)
    {
      if (dladdr (frames[k], &info[k]) == 0)
        {
          info[k].dli_fbase = NULL;
          info[k].dli_fname = "";
        }
    }

#define IN_SELF(k) (info[k].dli_fbase == self.dli_fbase)
#define IN_GLIB(k) (strstr (info[k].dli_fname, "libglib-2.0.so") != NULL)

  /* This file's logging functions, then GLib's. */
  while (i < n && IN_SELF (i))
    i++;
  while (i < n && IN_GLIB (i))
    i++;

  /* The complainer, then its caller. */
  return (i < n && IN_SELF (i)) || (i + 1 < n && IN_SELF (i + 1));

#undef IN_SELF
#undef IN_GLIB
}

static const char *
get_field (const GLogField *fields,
           gsize            n_fields,
           const char      *key)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, key) && fields[i].length < 0)
      return fields[i].value;

  return NULL;
}

/* With CS_FUZZ_FINDINGS set, the first input that made a decoder log each
 * critical is kept there with the message beside it (critical-HASH and
 * critical-HASH.txt), so that it can be reported upstream. */
static void
save_finding (guint       hash,
              const char *domain,
              const char *message)
{
  const char *folder = g_getenv ("CS_FUZZ_FINDINGS");
  g_autofree char *name = g_strdup_printf ("critical-%08x", hash);
  g_autofree char *path = NULL;
  g_autofree char *text_path = NULL;
  g_autofree char *text = NULL;

  if (folder == NULL || current_data == NULL)
    return;

  path = g_build_filename (folder, name, NULL);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return;

  text_path = g_strconcat (path, ".txt", NULL);
  text = g_strdup_printf ("%s: %s\n", domain, message ? message : "");
  g_mkdir_with_parents (folder, 0755);
  g_file_set_contents (path, (const char *) current_data, current_size, NULL);
  g_file_set_contents (text_path, text, -1, NULL);
}

/* An error or a critical of ours, and a warning of ours, abort, so that the
 * sanitizer prints where. A critical inside a decoder is a bug there: it is
 * printed the first time (run-fuzz.py lists them) and the input goes on,
 * unless CS_FUZZ_STRICT=1. Other warnings are decoders complaining about the
 * bytes they were given, which is the point. */
static GLogWriterOutput
write_log (GLogLevelFlags   log_level,
           const GLogField *fields,
           gsize            n_fields,
           gpointer         user_data)
{
  static GHashTable *seen;
  const char *domain = get_field (fields, n_fields, "GLIB_DOMAIN");
  const char *message = get_field (fields, n_fields, "MESSAGE");
  guint hash;

  if (domain == NULL)
    domain = "";
  hash = hash_text (hash_text (1, domain), message);

  if ((log_level & G_LOG_LEVEL_ERROR) != 0 ||
      ((log_level & G_LOG_LEVEL_WARNING) != 0 && g_str_has_prefix (domain, "cs-")) ||
      ((log_level & G_LOG_LEVEL_CRITICAL) != 0 &&
       (critical_is_ours () || g_strcmp0 (g_getenv ("CS_FUZZ_STRICT"), "1") == 0)))
    {
      g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
      abort ();
    }

  if ((log_level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) == 0)
    return g_log_writer_default (log_level, fields, n_fields, user_data);

  add_feature (hash);

  if ((log_level & G_LOG_LEVEL_CRITICAL) != 0)
    {
      if (seen == NULL)
        seen = g_hash_table_new (NULL, NULL);
      if (g_hash_table_add (seen, GUINT_TO_POINTER (hash)))
        {
          fprintf (stderr, "cs-fuzz: critical in a system library, not ours: %s: %s\n",
                   domain, message ? message : "");
          save_finding (hash, domain, message);
        }
      return G_LOG_WRITER_HANDLED;
    }

  if (g_getenv ("CS_FUZZ_VERBOSE") != NULL)
    return g_log_writer_default (log_level, fields, n_fields, user_data);

  return G_LOG_WRITER_HANDLED;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autofree char *input_path = NULL;

  isolated = g_strcmp0 (g_getenv ("CS_FUZZ_USE_DECODER"), "1") == 0;
  if (!isolated)
    g_unsetenv ("CONTACT_SHEET_DECODER");

  if (isolated && cs_decoder_get_helper_path () == NULL)
    g_error ("CS_FUZZ_USE_DECODER=1 but no decoder: set CONTACT_SHEET_DECODER");
  if (!isolated && cs_decoder_get_helper_path () != NULL)
    g_error ("%s is installed: decoding would leave this process, out of the "
             "sanitizers' sight", cs_decoder_get_helper_path ());

  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_writer_func (write_log, NULL, NULL);

  work_dir = make_work_dir ();
  output_dir = g_build_filename (work_dir, "out", NULL);
  input_path = g_build_filename (work_dir, "input", NULL);
  input = g_file_new_for_path (input_path);
  thumbnailer = g_object_new (CS_TYPE_THUMBNAILER,
                              "mode", CS_OUTPUT_FOLDER,
                              "size", FUZZ_SIZE,
                              "output-dir", output_dir,
                              "max-pixels", FUZZ_MAX_PIXELS,
                              "decode-timeout", FUZZ_DECODE_TIMEOUT_MS,
                              NULL);
  atexit (clean_up);

  return 0;
}

static void
write_input (const uint8_t *data,
             size_t         size)
{
  const char *path = g_file_peek_path (input);
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  gsize done = 0;

  if (fd < 0)
    g_error ("Cannot write %s: %s", path, g_strerror (errno));

  while (done < size)
    {
      gssize n = write (fd, data + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        g_error ("Cannot write %s: %s", path, g_strerror (errno));
      done += n;
    }

  close (fd);
}

/* Removes every file in the output folder and says how many there were. */
static guint
empty_output_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (output_dir, 0, NULL);
  const char *name;
  guint count = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (output_dir, name, NULL);

      g_remove (path);
      count++;
    }

  return count;
}

static gboolean
is_expected_error (const GError *error)
{
  if (error->domain != CS_THUMB_ERROR)
    return FALSE;

  switch (error->code)
    {
    case CS_THUMB_ERROR_UNSUPPORTED:
    case CS_THUMB_ERROR_CORRUPT:
    case CS_THUMB_ERROR_TOO_LARGE:
      return TRUE;
    case CS_THUMB_ERROR_TIMEOUT:
    case CS_THUMB_ERROR_DECODER_DIED:
      /* What a helper process is for. In-process there is none, but
       * glycin's loaders are processes of their own either way. */
      return isolated || HAVE_GLYCIN;
    default:
      return FALSE;
    }
}

static guint
size_class (int pixels)
{
  return pixels <= 0 ? 0 : g_bit_storage ((guint) pixels);
}

static void
add_result_features (CsResult      *result,
                     const uint8_t *data,
                     size_t         size)
{
  const GError *error = cs_result_get_error (result);
  g_autofree char *type = g_content_type_guess (NULL, data, size, NULL);
  guint hash = hash_text (2, type);

  if (error != NULL)
    add_feature (hash_text (hash * 31 + error->code, error->message));
  else
    add_feature (hash * 31 * 31 + size_class (cs_result_get_image_width (result)) * 64 +
                 size_class (cs_result_get_image_height (result)));
}

static void
check_result (CsResult *result)
{
  const GError *error = cs_result_get_error (result);
  const char *path = cs_result_get_thumbnail_path (result);

  /* In the replay program, say what became of each file. */
  if (g_test_initialized ())
    {
      if (error != NULL)
        g_test_message ("%s %d: %s", g_quark_to_string (error->domain), error->code,
                        error->message);
      else
        g_test_message ("%d × %d image, %d × %d thumbnail",
                        cs_result_get_image_width (result), cs_result_get_image_height (result),
                        cs_result_get_width (result), cs_result_get_height (result));
    }

  if (error != NULL)
    {
      if (!is_expected_error (error))
        g_error ("Unexpected error %s %d: %s",
                 g_quark_to_string (error->domain), error->code, error->message);
      /* It is shown to people: a GTK label needs UTF-8. */
      if (error->message == NULL || !g_utf8_validate (error->message, -1, NULL))
        g_error ("Error message is not UTF-8");
      if (cs_result_get_bytes_written (result) != 0)
        g_error ("A failed result says it wrote %" G_GUINT64_FORMAT " bytes",
                 cs_result_get_bytes_written (result));
      if (empty_output_dir () != 0)
        g_error ("A failure left files in the output folder");
      return;
    }

  if (path == NULL || !g_str_has_prefix (path, output_dir))
    g_error ("Thumbnail written outside the output folder: %s", path);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_error ("Thumbnail reported but missing: %s", path);
  if (cs_result_get_width (result) < 1 || cs_result_get_width (result) > FUZZ_SIZE ||
      cs_result_get_height (result) < 1 || cs_result_get_height (result) > FUZZ_SIZE)
    g_error ("Thumbnail of %d × %d for size %d",
             cs_result_get_width (result), cs_result_get_height (result), FUZZ_SIZE);
  if (cs_result_get_image_width (result) < 1 || cs_result_get_image_height (result) < 1 ||
      (guint64) cs_result_get_image_width (result) * cs_result_get_image_height (result) > FUZZ_MAX_PIXELS)
    g_error ("Image of %d × %d accepted under a limit of %" G_GUINT64_FORMAT " pixels",
             cs_result_get_image_width (result), cs_result_get_image_height (result),
             FUZZ_MAX_PIXELS);
  if (cs_result_get_bytes_written (result) == 0)
    g_error ("Thumbnail made but no bytes written");
  /* The thumbnail, and no temporary file beside it. */
  if (empty_output_dir () != 1)
    g_error ("Files other than the thumbnail in the output folder");
}

/* A contact sheet reads a JPEG's date and exposure in the CLI's own
 * process, not the helper's: the same bytes go through that reader. */
static void
check_exif_facts (void)
{
  g_autofree char *path = g_file_get_path (input);
  CsExifFacts facts;

  if (cs_exif_facts_read_jpeg (path, &facts))
    add_feature (hash_text (facts.iso * 31 + facts.exposure_den, facts.date_time_original));
  if (facts.date_time_original != NULL && strlen (facts.date_time_original) != 19)
    g_error ("An EXIF date of %zu characters", strlen (facts.date_time_original));
  cs_exif_facts_clear (&facts);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(CsResult) result = NULL;

  current_data = data;
  current_size = size;
  write_input (data, size);
  check_exif_facts ();
  result = cs_thumbnailer_process (thumbnailer, input, NULL, NULL);
  if (result == NULL)
    g_error ("cs_thumbnailer_process() returned NULL");
  add_result_features (result, data, size);
  check_result (result);
  current_data = NULL;

  return 0;
}
