/* cs-hostile-corpus.h: files made to hurt a thumbnailer, and what it must do with each
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The colour of the private files an SVG must never pull into its thumbnail. */
#define CS_HOSTILE_SECRET_R 0x13
#define CS_HOSTILE_SECRET_G 0xf7
#define CS_HOSTILE_SECRET_B 0xa9

typedef enum
{
  CS_HOSTILE_OK,      /* a thumbnail */
  CS_HOSTILE_FAIL,    /* one clear error line */
  CS_HOSTILE_EITHER,  /* one or the other, within the bounds */
} CsHostileExpect;

typedef enum
{
  CS_HOSTILE_CHECK_NONE,
  CS_HOSTILE_CHECK_NO_SECRET,  /* no secret colour; same pixels as the control */
  CS_HOSTILE_CHECK_SECRET,     /* a positive control: the secret colour is there */
  CS_HOSTILE_CHECK_DIFFERS,    /* a positive control: not the same pixels as the control */
} CsHostileCheck;

typedef enum
{
  CS_HOSTILE_NOT_ARG        = 1 << 0,  /* a folder: given on the command line it is scanned */
  CS_HOSTILE_NOT_CONTENT    = 1 << 1,  /* fails before any byte is read: no fail entry */
  CS_HOSTILE_RECURSE_SKIPS  = 1 << 2,  /* with --recursive it is descended, not reported */
  CS_HOSTILE_HEAVY          = 1 << 3,  /* the decoder's own work is huge: minutes under sanitizers */
} CsHostileFlags;

typedef struct _CsHostileSpec CsHostileSpec;

typedef struct
{
  const char *folder;   /* the corpus: what a person would point the program at */
  const char *private;  /* the secrets next to it */
} CsHostileContext;

typedef gboolean (*CsHostileWriter) (const CsHostileSpec    *spec,
                                     const char             *path,
                                     const CsHostileContext *context,
                                     GError                **error);

struct _CsHostileSpec
{
  const char      *id;        /* ASCII, for test paths and tables */
  const char      *kind;      /* the input class */
  const char      *name;      /* bytes; NULL with long_suffix: 255 bytes ending so */
  const char      *long_suffix;
  const char      *display;   /* how the program must print the name; NULL: as is */
  CsHostileExpect  expect;        /* beside and folder output */
  CsHostileExpect  expect_cache;  /* the thumbnail cache */
  const char      *reason;    /* a failure's reason says this (any case) */
  guint            flags;
  guint            max_ms;    /* wall time of one run over this file alone */
  guint            max_rss_mb;
  CsHostileCheck   check;
  const char      *control;   /* id of the entry whose pixels an OK outcome must match */
  CsHostileWriter  write;
  const char      *text;      /* the writer's parameters */
  int              a, b, c;
};

typedef struct
{
  const CsHostileSpec *spec;
  char                *name;     /* the file name, as bytes */
  char                *display;  /* the file name as the program must print it */
} CsHostileEntry;

GPtrArray *cs_hostile_corpus_new      (void);
const CsHostileEntry *cs_hostile_corpus_find (GPtrArray  *corpus,
                                              const char *id);
gboolean   cs_hostile_write_private   (const char *private_dir,
                                       GError    **error);
gboolean   cs_hostile_write_entry     (const CsHostileEntry   *entry,
                                       const CsHostileContext *context,
                                       GError                **error);
gboolean   cs_hostile_write_corpus    (GPtrArray              *corpus,
                                       const CsHostileContext *context,
                                       GError                **error);

/* Building blocks, also for the tests that make their own files. */
gboolean   cs_hostile_write_png_zeros (const char *path,
                                       guint32     width,
                                       guint32     height,
                                       guint8      color_type,
                                       GError    **error);
gboolean   cs_hostile_write_noise_png (const char *path,
                                       int         width,
                                       int         height,
                                       guint32     seed,
                                       GError    **error);
GBytes    *cs_hostile_gif_new         (guint16     canvas_width,
                                       guint16     canvas_height,
                                       guint       n_frames,
                                       guint16     frame_width,
                                       guint16     frame_height,
                                       guint32     seed);

G_END_DECLS
