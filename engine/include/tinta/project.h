/* The editor's project file, `name.tinta`: the clip, its keyframes (colors,
 * alpha masks and the strokes they were painted from) and the editor's
 * settings, in one JSON file with the images embedded as base64 PNG
 * (docs/project-format.md describes every field).
 *
 *   tinta_project *p = tinta_project_new ();
 *   tinta_project_set_clip (p, "shot.mp4", info, &err);
 *   tinta_project_add_key (p, 0, colors, NULL, &err);        // full keyframe
 *   tinta_project_add_key (p, 90, painted, alpha, &err);     // partial
 *   tinta_project_key_set_strokes (tinta_project_find_key (p, 90), strokes, n, &err);
 *   tinta_project_save (p, "shot.tinta", &err);              // atomic
 *   tinta_project_free (p);
 *
 *   if (tinta_project_load ("shot.tinta", &p, &err) < 0) { report (&err); return; }
 *
 * Ownership: a tinta_project owns everything it points to.  Strings and
 * arrays are malloc'ed, frames come from tinta_frame_new, alpha planes from
 * malloc; tinta_project_free releases them all.  Callers may edit the
 * fields directly if they keep to those rules, the keys sorted by frame
 * (unique) and every key image at the clip's size; the functions below
 * keep to them for you.
 *
 * Colors: Lab is authoritative.  A key is saved from its L, a, b planes
 * (rounded to 8-bit sRGB: exactly what tinta_lab_to_srgb8 gives) or, if the
 * frame has no Lab planes, from its rgb bytes.  A loaded key has both, Lab
 * computed from the bytes, so saving a loaded project again writes the
 * same bytes.  Alpha is stored as round(255 * alpha) and loaded as
 * value / 255.  Strokes and settings round trip exactly (floats) or to
 * within one unit in the last place (the doubles of stroke points).
 *
 * Loading treats the file as hostile: size, nesting, counts and every
 * number are checked, images must decode to the clip's size exactly.
 *
 * Thread safety: a project is plain memory (share it read-only or not at
 * all); saving only reads it, so a snapshot may be saved on another thread
 * while the editor edits its own copy. Every function is reentrant.
 */
#pragma once

#include <stddef.h>
#include "status.h"
#include "frame.h"
#include "media.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TINTA_PROJECT_FORMAT       "tinta-project"
#define TINTA_PROJECT_VERSION      1           /* the newest version this engine reads */
#define TINTA_PROJECT_MAX_BYTES    (1LL << 30) /* larger files are refused: TOO_LARGE */
#define TINTA_PROJECT_MAX_KEYS     10000
#define TINTA_PROJECT_MAX_STROKES  100000      /* per keyframe */
#define TINTA_PROJECT_MAX_POINTS   1000000     /* per stroke */

/* One sample of a stroke, in clip pixels: pixel (i, j) covers
 * [i, i+1) x [j, j+1); pressure in [0, 1]. */
typedef struct {
  double x, y, pressure;
} tinta_stroke_point;

typedef struct {
  float               color[3];   /* Lab: L 0..100, a and b -200..200 */
  float               size;       /* brush diameter in clip pixels, > 0 */
  float               hardness;   /* 0 (soft edge) .. 1 (hard edge) */
  int                 eraser;     /* 1: the stroke removes paint (alpha) */
  tinta_stroke_point *points;
  size_t              n_points;
} tinta_stroke;

typedef struct {
  long long      frame;
  int            partial;     /* 1 iff alpha != NULL */
  tinta_frame   *colors;      /* clip size, Lab and rgb planes */
  float         *alpha;       /* clip size, [0, 1]; NULL for a full keyframe */
  tinta_stroke  *strokes;     /* the editable source of painted keys; may be NULL */
  size_t         n_strokes;
} tinta_project_key;

typedef struct {
  /* The clip and its fingerprint (what it was when the project was
   * saved: the editor compares it with the clip it opens). */
  char              *clip_path;
  long long          clip_frames;
  int                clip_width, clip_height;
  int                rate_num, rate_den;

  tinta_project_key *keys;       /* sorted by frame, unique */
  size_t             n_keys;

  /* Settings. */
  char               strategy[16];     /* e.g. "fused"; "" = the default */
  int                working_height;   /* 0 = the default */
  int                view_mode;        /* the editor's enumerations, 0..255 */
  int                view_layout;
  long long          playhead;

  /* Recovery files only (tinta_project_recovery_path): the absolute path
   * of the project they autosave; NULL for an untitled project and in
   * ordinary project files. */
  char              *recovery_of;
} tinta_project;

/* An empty project (no clip, no keys, default settings); NULL on
 * out-of-memory. */
tinta_project *tinta_project_new (void);
void           tinta_project_free (tinta_project *p);   /* accepts NULL */

/* Sets the clip and its fingerprint from the media's info; copies path.
 * Keys of another size are an error later (SIZE_MISMATCH), so set the clip
 * first. */
int  tinta_project_set_clip (tinta_project *p, const char *clip_path,
                             const tinta_media_info *info, tinta_error *err);

/* Compares the project's fingerprint with the clip as opened now:
 * TINTA_OK if size, frame count and rate are the same, else
 * TINTA_ERR_SIZE_MISMATCH with a message naming both (the editor warns:
 * keyframes of another size cannot be used, other frame counts or rates
 * usually mean a re-encoded or re-cut clip whose keys may be misplaced). */
int  tinta_project_check_clip (const tinta_project *p, const tinta_media_info *info,
                               tinta_error *err);

/* Copies colors (clip size; Lab and/or rgb planes, the missing ones are
 * computed) and alpha (clip size, may be NULL: a full keyframe) into the
 * key at `frame`, replacing any key there (its strokes too).  Errors:
 * INVALID_ARGUMENT (no clip set, NULL colors), OUT_OF_RANGE (frame outside
 * the clip), SIZE_MISMATCH, TOO_LARGE (TINTA_PROJECT_MAX_KEYS), NO_MEMORY. */
int  tinta_project_add_key (tinta_project *p, long long frame, const tinta_frame *colors,
                            const float *alpha, tinta_error *err);

/* TINTA_ERR_NOT_FOUND if there is no key at `frame`. */
int  tinta_project_remove_key (tinta_project *p, long long frame);

/* The key at `frame`, or NULL. */
tinta_project_key *tinta_project_find_key (const tinta_project *p, long long frame);

/* Replaces the key's strokes with a deep copy of strokes[0..n). Errors:
 * INVALID_ARGUMENT (a value out of its documented range, or not finite),
 * TOO_LARGE, NO_MEMORY; the key is unchanged on failure. */
int  tinta_project_key_set_strokes (tinta_project_key *key, const tinta_stroke *strokes,
                                    size_t n, tinta_error *err);

/* Writes the project atomically: a hidden temporary file in the same
 * folder, fsync, rename over `path`, fsync of the folder.  On any failure
 * the previous file at `path` is untouched and no temporary file remains.
 * The clip path is stored relative to the project's folder and absolute.
 * Errors: INVALID_ARGUMENT (the project breaks a rule above: nothing is
 * written), UNWRITABLE (folder missing or read-only, path is a folder),
 * IO (disk full...), ENCODE, NO_MEMORY. */
int  tinta_project_save (const tinta_project *p, const char *path, tinta_error *err);

/* Reads a project.  clip_path comes back resolved: the relative path
 * joined to the project's folder if that file exists, else the absolute
 * path as saved (even if it no longer exists: the editor then asks for the
 * clip).  Errors: NOT_FOUND, EMPTY_FILE, IO, TOO_LARGE (file, dimensions
 * or counts beyond the limits above), TRUNCATED, INVALID_DATA (not a
 * project, a newer format version, a value out of range, bad base64 or
 * PNG: the message names the field), SIZE_MISMATCH (a key image not at
 * the clip's size), NO_MEMORY.  *out is NULL on failure. */
int  tinta_project_load (const char *path, tinta_project **out, tinta_error *err);

/* The same from bytes in memory; `path` names the project file (messages,
 * and the folder the relative clip path is resolved against; may be NULL:
 * the current folder). For tools and the fuzzer. */
int  tinta_project_load_memory (const void *data, size_t size, const char *path,
                                tinta_project **out, tinta_error *err);

/* The path of a project's autosave file, whose folder this creates if
 * needed (mode 0700): "$XDG_STATE_HOME/tinta/recovery/" (or
 * "~/.local/state/tinta/recovery/") + "<stem>-<16 hex digits>.tinta" for a
 * saved project (a hash of its absolute path: the same project always
 * gets the same file), or "untitled-<pid>.tinta" when project_path is
 * NULL.  The folder alone (with a trailing '/') when project_path is "".
 * Returns TINTA_OK, UNWRITABLE (no home folder, cannot create the folder)
 * or INVALID_ARGUMENT (buf too small). See docs/project-format.md for when
 * the editor writes, offers and deletes these files. */
int  tinta_project_recovery_path (const char *project_path, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
