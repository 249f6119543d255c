/* Whole-clip colorization from several keyframes (see tinta/colorize.h).
 *
 * State machine of tinta_colorizer_frame, frames in order:
 *   - a keyframe: its chroma on the clip's L; the forward chain restarts
 *     there at the next frame;
 *   - a frame that needs a backward result (a keyframe N later in its
 *     shot) outside the block computed so far: decode the frames from
 *     here to N - 1 into the spill file (working-size L), run the chain
 *     backward from N over them, keep chroma and confidence in the spill;
 *   - the forward chain from the previous keyframe P of the shot (if any)
 *     gives the frame's forward result; blend, upsample, convert.
 * One propagator (tinta_fused / tinta_local) serves both passes: a block's
 * backward pass runs before the forward chain of the same segment starts
 * (at its first non-key frame), and each chain starts at a keyframe. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/internal.h"
#include "dvp/fused_internal.h"
#include "dvp/resample.h"
#include "shot/blend.h"
#include "tinta/color.h"
#include "tinta/colorize.h"
#include "tinta/cuts.h"
#include "tinta/dvp.h"
#include "tinta/upsample.h"

/* Spill encodings: L as float (the backward pass must see the very L the
 * forward pass and the worker see: the global match it makes is reused
 * by the forward pass, and its argmax decisions flip on a 1/655 L step).
 * The fused result is kept as what it is made of: the chain's half-size
 * state and local confidence (f32), which tinta_fused_next upsamples
 * bilinearly into its working-size result; the same upsampling at read
 * gives that result exactly, in 3/8 of the bytes of working-size planes
 * and with no quantization.  Other strategies keep chroma in 1/128 Lab
 * units, 16 bits (range +-256, far beyond sRGB's +-128) and confidence
 * in 8 bits.  Each pass reads and writes only the part of the record it
 * needs (the backward pass L, then its result; the forward pass the
 * result): with 2 keys at 854x480 that is 9 MB of I/O per frame instead
 * of 17. */
#define AB_Q  128.0f

enum { KIND_FUSED, KIND_LOCAL, KIND_GLOBAL };

typedef struct {
  long long    frame;
  tinta_frame *full;      /* clip size: the user's chroma on the clip's L */
  tinta_frame *work;      /* working size */
} key_entry;

/* A partial (painted) keyframe, at the size of the chain's state: half
 * the working size (fused), the working size (local). */
typedef struct {
  long long    frame;
  float       *a, *b, *alpha;
} partial_key;

static void
partials_free (partial_key *p, int n)
{
  for (int i = 0; i < n; i++)
    {
      tinta_free_aligned (p[i].a);
      tinta_free_aligned (p[i].b);
      tinta_free_aligned (p[i].alpha);
    }
  free (p);
}

struct tinta_colorizer {
  tinta_media  *media;
  long long     n;
  int           W, H, w, h;         /* clip, working */
  int           kind;
  int           detect_cuts, analyzed;
  key_entry    *keys;               /* sorted by frame */
  int           n_keys;
  long long    *cuts;               /* frames starting a shot (never 0) */
  int           n_cuts;
  tinta_fused  *fused;
  tinta_local  *local;
  tinta_global *global;
  /* next frame expected, and the forward chain's keyframe (-1: none) */
  long long     next;
  int           fwd_key;
  /* backward block [b0, b1): results from keyframe b1 */
  long long     b0, b1;
  FILE         *spill;
  size_t        rec_bytes;          /* per frame: L f32 | result [| memo] (pack_result) */
  size_t        res_off, res_bytes; /* the result part of a record */
  uint8_t      *rec;
  size_t        memo_off, memo_bytes;   /* fused: the global match of the frame (f32) */
  float        *gmemo;              /* the memo of the frame the forward pass is on */
  /* scratch, working size */
  float        *wL, *wa, *wb, *wc, *ba, *bb, *bc;
  tinta_frame  *scratch_full;       /* decoding for the backward pass */
  tinta_abort_fn abort_cb;          /* from analyze: also polled in backward passes */
  void         *abort_user;
  tinta_colorize_report report;
  partial_key  *partials;           /* tinta_colorizer_add_partial, any order */
  int           n_partials;
  float        *pha, *phb;          /* fused: the chain's state for an overlay */
};

void
tinta_colorize_params_init (tinta_colorize_params *p)
{
  memset (p, 0, sizeof *p);
  p->working_height = TINTA_WORKING_HEIGHT;
  p->detect_cuts = 1;
}

void
tinta_colorizer_free (tinta_colorizer *c)
{
  if (c == NULL)
    return;
  for (int i = 0; i < c->n_keys; i++)
    {
      tinta_frame_free (c->keys[i].full);
      tinta_frame_free (c->keys[i].work);
    }
  free (c->keys);
  free (c->cuts);
  tinta_fused_free (c->fused);
  tinta_local_free (c->local);
  tinta_global_free (c->global);
  if (c->spill)
    fclose (c->spill);
  free (c->rec);
  void *bufs[] = { c->wL, c->wa, c->wb, c->wc, c->ba, c->bb, c->bc, c->gmemo };
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
    tinta_free_aligned (bufs[i]);
  tinta_frame_free (c->scratch_full);
  partials_free (c->partials, c->n_partials);
  tinta_free_aligned (c->pha);
  tinta_free_aligned (c->phb);
  free (c);
}

/* Clip-size plane -> working size (area average), or a copy. */
static int
to_working (tinta_colorizer *c, const float *src, float *dst, tinta_error *err)
{
  double t0 = tinta_now ();
  /* copies when the clip is no larger than the working size */
  int st = tinta_downsample_area (src, c->W, c->H, dst, c->w, c->h, err);
  c->report.downscale_ms += 1e3 * (tinta_now () - t0);
  return st;
}

/* tinta_media_read, timed. */
static int
media_read (tinta_colorizer *c, long long k, tinta_frame *into, tinta_error *err)
{
  double t0 = tinta_now ();
  int st = tinta_media_read (c->media, k, into, err);
  c->report.decode_ms += 1e3 * (tinta_now () - t0);
  return st;
}

static int
cmp_keys (const void *x, const void *y)
{
  long long a = ((const key_entry *) x)->frame, b = ((const key_entry *) y)->frame;
  return a < b ? -1 : a > b;
}

/* Working size: height min(H, working_height), width by the aspect
 * ratio, both even (the networks' half resolution) and at least 32. */
void
tinta_working_size (int W, int H, int wh, int *w, int *h)
{
  if (H <= wh)
    {
      *w = W & ~1;
      *h = H & ~1;
      return;
    }
  *h = wh & ~1;
  /* the even width nearest the aspect ratio: 1920x1080 -> 854x480 */
  long long ww = ((long long) W * *h + H) / (2LL * H) * 2;
  *w = (int) ww;
}

int
tinta_colorizer_new (tinta_media *media, long long n_frames, const tinta_keyframe *keys,
                     int n_keys, const tinta_colorize_params *params, tinta_colorizer **out,
                     tinta_error *err)
{
  *out = NULL;
  tinta_colorize_params def;
  if (params == NULL)
    {
      tinta_colorize_params_init (&def);
      params = &def;
    }
  if (media == NULL || (keys == NULL && n_keys > 0))
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "no media or keyframes given");
  const tinta_media_info *in = tinta_media_get_info (media);
  if (n_frames < 1 || n_frames > in->frame_count)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "%lld frames asked, the clip has %lld",
                       n_frames, in->frame_count);
  if (n_keys < 1 || n_keys > TINTA_COLORIZE_MAX_KEYS)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "%d keyframes: 1 to %d are supported",
                       n_keys, TINTA_COLORIZE_MAX_KEYS);
  int wh = params->working_height ? params->working_height : TINTA_WORKING_HEIGHT;
  if (wh < 32 || wh > TINTA_MAX_DIMENSION)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "working height %d: 32 to %d", wh,
                       TINTA_MAX_DIMENSION);
  int kind;
  const char *strategy = params->strategy ? params->strategy : "fused";
  if (strcmp (strategy, "fused") == 0)
    kind = KIND_FUSED;
  else if (strcmp (strategy, "local") == 0)
    kind = KIND_LOCAL;
  else if (strcmp (strategy, "global") == 0)
    kind = KIND_GLOBAL;
  else
    return tinta_fail (err, TINTA_ERR_UNKNOWN_NAME, "",
                       "unknown strategy \"%s\" (fused, local or global)", strategy);
  int w, h;
  tinta_working_size (in->width, in->height, wh, &w, &h);
  if (w < 32 || h < 32)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "",
                       "a %dx%d clip is too small to colorize (32x32 at least)", in->width,
                       in->height);

  tinta_colorizer *c = calloc (1, sizeof *c);
  if (c == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory");
  c->media = media;
  c->n = n_frames;
  c->W = in->width;
  c->H = in->height;
  c->w = w;
  c->h = h;
  c->kind = kind;
  c->detect_cuts = params->detect_cuts;
  c->fwd_key = -1;
  c->b0 = c->b1 = -1;
  c->report.working_width = w;
  c->report.working_height = h;
  int st = TINTA_OK;
  c->keys = calloc ((size_t) n_keys, sizeof *c->keys);
  if (c->keys == NULL)
    st = tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory");
  for (int i = 0; st == TINTA_OK && i < n_keys; i++)
    {
      const tinta_frame *im = keys[i].image;
      if (keys[i].frame < 0 || keys[i].frame >= n_frames)
        st = tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "",
                         "keyframe at frame %lld: the clip's frames are 0 to %lld",
                         keys[i].frame, n_frames - 1);
      else if (im == NULL || im->width != c->W || im->height != c->H || !im->L || !im->a
               || !im->b)
        st = tinta_fail (err, TINTA_ERR_SIZE_MISMATCH, "",
                         "the keyframe for frame %lld must be %dx%d like the clip", keys[i].frame,
                         c->W, c->H);
      else
        {
          key_entry *k = &c->keys[c->n_keys++];
          k->frame = keys[i].frame;
          k->full = tinta_frame_new (c->W, c->H, TINTA_FRAME_LAB);
          k->work = tinta_frame_new (w, h, TINTA_FRAME_LAB);
          if (k->full == NULL || k->work == NULL)
            st = tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for keyframes");
          else
            {
              size_t np = (size_t) c->W * c->H;
              memcpy (k->full->L, im->L, np * sizeof (float));
              memcpy (k->full->a, im->a, np * sizeof (float));
              memcpy (k->full->b, im->b, np * sizeof (float));
              k->full->has_color = 1;
            }
        }
    }
  if (st == TINTA_OK)
    {
      qsort (c->keys, (size_t) c->n_keys, sizeof *c->keys, cmp_keys);
      for (int i = 1; i < c->n_keys; i++)
        if (c->keys[i].frame == c->keys[i - 1].frame)
          st = tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "",
                           "two keyframes for frame %lld", c->keys[i].frame);
    }
  size_t nw = (size_t) w * h;
  if (st == TINTA_OK)
    {
      c->wL = tinta_alloc_aligned (nw, sizeof (float));
      c->wa = tinta_alloc_aligned (nw, sizeof (float));
      c->wb = tinta_alloc_aligned (nw, sizeof (float));
      c->wc = tinta_alloc_aligned (nw, sizeof (float));
      c->ba = tinta_alloc_aligned (nw, sizeof (float));
      c->bb = tinta_alloc_aligned (nw, sizeof (float));
      c->bc = tinta_alloc_aligned (nw, sizeof (float));
      c->scratch_full = tinta_frame_new (c->W, c->H, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
      if (!c->wL || !c->wa || !c->wb || !c->wc || !c->ba || !c->bb || !c->bc
          || !c->scratch_full)
        st = tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for %dx%d frames", w, h);
    }
  if (st == TINTA_OK)
    {
      if (kind == KIND_FUSED)
        st = tinta_fused_new (params->model, w, h, &c->fused, err);
      else if (kind == KIND_LOCAL)
        st = tinta_local_new (params->model, w, h, &c->local, err);
      else
        st = tinta_global_new (params->model, w, h, &c->global, err);
    }
  if (st == TINTA_OK)
    {
      /* The fused strategy's records also keep the frame's global match
       * from the backward pass, for the forward pass to reuse
       * (fused_internal.h): half the matching of two-way segments. */
      c->res_off = nw * sizeof (float);
      c->res_bytes = nw * 5;
      if (kind == KIND_FUSED)
        {
          int hw, hh;
          tinta_fused_half_size (c->fused, &hw, &hh);
          c->res_bytes = 3 * (size_t) hw * hh * sizeof (float);
          c->memo_off = c->res_off + c->res_bytes;
          c->memo_bytes = TINTA_FUSED_GLOBAL_PLANES * (size_t) hw * hh * sizeof (float);
          c->gmemo = tinta_alloc_aligned (c->memo_bytes, 1);
        }
      c->rec_bytes = c->res_off + c->res_bytes + c->memo_bytes;
      c->rec = malloc (c->rec_bytes);
      if (c->rec == NULL || (kind == KIND_FUSED && c->gmemo == NULL))
        st = tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for %dx%d frames", w, h);
    }
  if (st < 0)
    {
      tinta_colorizer_free (c);
      return st;
    }
  *out = c;
  return TINTA_OK;
}

/* Reads frame k into c->scratch_full (or `into`), its L at working size
 * into wL. */
static int
read_working (tinta_colorizer *c, long long k, tinta_frame *into, float *wL, tinta_error *err)
{
  int st = media_read (c, k, into, err);
  if (st == TINTA_OK)
    st = to_working (c, into->L, wL, err);
  return st;
}

/* The keyframes' working-size images: the user's chroma, the clip's own L
 * (read here, once: the footage's gray is the truth of brightness). */
static int
prepare_keys (tinta_colorizer *c, tinta_error *err)
{
  size_t np = (size_t) c->W * c->H;
  for (int i = 0; i < c->n_keys; i++)
    {
      key_entry *k = &c->keys[i];
      int st = media_read (c, k->frame, c->scratch_full, err);
      if (st != TINTA_OK)
        return st;
      memcpy (k->full->L, c->scratch_full->L, np * sizeof (float));
      if ((st = to_working (c, k->full->L, k->work->L, err)) != TINTA_OK
          || (st = to_working (c, k->full->a, k->work->a, err)) != TINTA_OK
          || (st = to_working (c, k->full->b, k->work->b, err)) != TINTA_OK)
        return st;
      k->work->has_color = 1;
    }
  const tinta_frame *work[TINTA_COLORIZE_MAX_KEYS];
  for (int i = 0; i < c->n_keys; i++)
    work[i] = c->keys[i].work;
  if (c->kind == KIND_FUSED)
    return tinta_fused_set_keyframes (c->fused, work, c->n_keys, 0, err);
  if (c->kind == KIND_GLOBAL)
    return tinta_global_set_keyframes (c->global, work, c->n_keys, err);
  return TINTA_OK;
}

int
tinta_colorizer_analyze (tinta_colorizer *c, tinta_progress_fn progress, tinta_abort_fn abort_cb,
                         void *user, tinta_error *err)
{
  if (c->analyzed)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "the clip is already analyzed");
  double t_start = tinta_now ();
  c->abort_cb = abort_cb;
  c->abort_user = user;
  int st = prepare_keys (c, err);
  if (st != TINTA_OK)
    return st;
  free (c->cuts);
  c->cuts = NULL;
  c->n_cuts = 0;
  if (c->detect_cuts && c->n > 1)
    {
      tinta_cut_detector *d = NULL;
      st = tinta_cut_detector_new (c->w, c->h, NULL, &d, err);
      size_t cap = 0;
      for (long long k = 0; st == TINTA_OK && k < c->n; k++)
        {
          if (abort_cb && abort_cb (user))
            {
              st = TINTA_CANCELLED;
              break;
            }
          int is_cut = 0;
          float score = 0.0f;
          st = read_working (c, k, c->scratch_full, c->wL, err);
          if (st == TINTA_OK)
            st = tinta_cut_detector_push (d, c->wL, &is_cut, &score, err);
          if (st == TINTA_OK && is_cut && k > 0)
            {
              if ((size_t) c->n_cuts == cap)
                {
                  cap = cap ? 2 * cap : 16;
                  long long *grown = realloc (c->cuts, cap * sizeof *grown);
                  if (grown == NULL)
                    {
                      st = tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory");
                      break;
                    }
                  c->cuts = grown;
                }
              c->cuts[c->n_cuts++] = k;
            }
          if (progress)
            progress (user, k + 1, c->n);
        }
      tinta_cut_detector_free (d);
      if (st != TINTA_OK)
        return st;
    }
  c->analyzed = 1;
  /* The pass's reads count here, not in decode_ms. */
  c->report.analyze_ms = 1e3 * (tinta_now () - t_start);
  c->report.decode_ms = c->report.downscale_ms = 0.0;
  return TINTA_OK;
}

int
tinta_colorizer_cuts (const tinta_colorizer *c, const long long **frames)
{
  *frames = c->cuts;
  return c->n_cuts;
}

void
tinta_colorizer_report (const tinta_colorizer *c, tinta_colorize_report *out)
{
  *out = c->report;
  if (c->fused)
    tinta_fused_timing (c->fused, &out->dvp);
  else if (c->global)
    tinta_global_timing (c->global, &out->dvp);
  else if (c->local)
    out->dvp.local_ms = c->report.propagate_ms;   /* the local strategy is its network's steps */
}

/* The shot of frame k: [*s0, *s1). */
static void
shot_of (const tinta_colorizer *c, long long k, long long *s0, long long *s1)
{
  *s0 = 0;
  *s1 = c->n;
  for (int i = 0; i < c->n_cuts; i++)
    if (c->cuts[i] <= k)
      *s0 = c->cuts[i];
    else
      {
        *s1 = c->cuts[i];
        break;
      }
}

/* Index of the last keyframe at or before k in [s0, k] (-1: none), and of
 * the first at or after k in [k, s1). */
static void
keys_around (const tinta_colorizer *c, long long k, long long s0, long long s1, int *p, int *nx)
{
  *p = *nx = -1;
  for (int i = 0; i < c->n_keys; i++)
    {
      long long f = c->keys[i].frame;
      if (f >= s0 && f <= k)
        *p = i;
      if (f >= k && f < s1 && *nx < 0)
        *nx = i;
    }
}

static int
chain_start (tinta_colorizer *c, const tinta_frame *key, tinta_error *err)
{
  if (c->kind == KIND_FUSED)
    return tinta_fused_restart (c->fused, key, err);
  if (c->kind == KIND_LOCAL)
    return tinta_local_reset (c->local, key->L, key->a, key->b, err);
  return TINTA_OK;
}

/* One step of the chain to the frame of working-size L: a, b, conf. */
static int
chain_next (tinta_colorizer *c, const float *L, float *a, float *b, float *conf,
            tinta_error *err)
{
  double t0 = tinta_now ();
  int st;
  if (c->kind == KIND_FUSED)
    {
      tinta_fused_parts parts = { .local_conf = conf };
      st = tinta_fused_next (c->fused, L, a, b, &parts, err);
    }
  else if (c->kind == KIND_LOCAL)
    st = tinta_local_next (c->local, L, a, b, conf, err);
  else
    st = tinta_global_predict (c->global, L, a, b, conf, err);
  c->report.propagate_ms += 1e3 * (tinta_now () - t0);
  return st;
}

/* ---- partial keyframes: separate from the two-way plan above them, they
 * only touch a chain's state where it reaches their frame. */

int
tinta_colorizer_add_partial (tinta_colorizer *c, long long frame, const tinta_frame *colors,
                             const float *alpha, tinta_error *err)
{
  if (c->next > 0 || c->b1 >= 0)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "",
                       "partial keyframes must be added before the first frame");
  if (frame < 0 || frame >= c->n)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "",
                       "partial keyframe at frame %lld: the clip's frames are 0 to %lld", frame,
                       c->n - 1);
  if (colors == NULL || alpha == NULL || colors->width != c->W || colors->height != c->H
      || !colors->a || !colors->b)
    return tinta_fail (err, TINTA_ERR_SIZE_MISMATCH, "",
                       "the partial keyframe for frame %lld must be %dx%d like the clip, "
                       "with an alpha mask", frame, c->W, c->H);
  for (int i = 0; i < c->n_keys; i++)
    if (c->keys[i].frame == frame)
      return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "",
                         "frame %lld has a full keyframe already", frame);
  for (int i = 0; i < c->n_partials; i++)
    if (c->partials[i].frame == frame)
      return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "",
                         "two partial keyframes for frame %lld", frame);
  /* The global strategy has no chain to carry paint: nothing to keep. */
  if (c->kind == KIND_GLOBAL)
    return TINTA_OK;

  partial_key *grown = realloc (c->partials, (size_t) (c->n_partials + 1) * sizeof *grown);
  if (grown == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for a partial keyframe");
  c->partials = grown;
  int sw = c->w, sh = c->h;
  if (c->kind == KIND_FUSED)
    tinta_fused_half_size (c->fused, &sw, &sh);
  size_t np = (size_t) c->W * c->H, nw = (size_t) c->w * c->h, ns = (size_t) sw * sh;
  partial_key *pk = &c->partials[c->n_partials];
  pk->frame = frame;
  pk->a = tinta_alloc_aligned (ns, sizeof (float));
  pk->b = tinta_alloc_aligned (ns, sizeof (float));
  pk->alpha = tinta_alloc_aligned (ns, sizeof (float));
  float *clamped = malloc (np * sizeof (float));
  float *work = tinta_alloc_aligned (nw, sizeof (float));
  if (c->kind == KIND_FUSED && c->pha == NULL)
    {
      c->pha = tinta_alloc_aligned (ns, sizeof (float));
      c->phb = tinta_alloc_aligned (ns, sizeof (float));
    }
  int st = pk->a && pk->b && pk->alpha && clamped && work
               && (c->kind != KIND_FUSED || (c->pha && c->phb))
             ? TINTA_OK
             : tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for a partial keyframe");
  /* As the worker takes it (tinta_worker_set_keyframe): alpha clamped to
   * [0, 1] at the clip's size, NaN as 0, then scaled like the chroma. */
  for (size_t i = 0; st == TINTA_OK && i < np; i++)
    clamped[i] = alpha[i] > 0.0f ? (alpha[i] < 1.0f ? alpha[i] : 1.0f) : 0.0f;
  const float *src[3] = { colors->a, colors->b, clamped };
  float *dst[3] = { pk->a, pk->b, pk->alpha };
  for (int i = 0; st == TINTA_OK && i < 3; i++)
    {
      st = to_working (c, src[i], work, err);
      if (st == TINTA_OK && c->kind == KIND_FUSED)
        tinta_half_res (work, c->w, c->h, dst[i]);
      else if (st == TINTA_OK)
        memcpy (dst[i], work, nw * sizeof (float));
    }
  free (clamped);
  tinta_free_aligned (work);
  if (st != TINTA_OK)
    {
      /* the array stays (grown by one): only this entry's planes go */
      tinta_free_aligned (pk->a);
      tinta_free_aligned (pk->b);
      tinta_free_aligned (pk->alpha);
      return st;
    }
  c->n_partials++;
  return TINTA_OK;
}

static const partial_key *
partial_at (const tinta_colorizer *c, long long t)
{
  for (int i = 0; i < c->n_partials; i++)
    if (c->partials[i].frame == t)
      return &c->partials[i];
  return NULL;
}

/* chain_next onto frame t, then t's partial keyframe (if any) over the
 * chain's state by the worker's rule (shot/blend.h): frame t shows the
 * paint and the chain carries it on, either way. */
static int
chain_next_at (tinta_colorizer *c, long long t, const float *L, float *a, float *b, float *conf,
               tinta_error *err)
{
  int st = chain_next (c, L, a, b, conf, err);
  const partial_key *pk = st == TINTA_OK ? partial_at (c, t) : NULL;
  if (pk == NULL)
    return st;
  if (c->kind == KIND_FUSED)
    {
      int hw, hh;
      long long since;
      tinta_fused_half_size (c->fused, &hw, &hh);
      tinta_fused_get_state (c->fused, c->pha, c->phb, &since);
      tinta_overlay_partial (pk->alpha, pk->a, pk->b, c->pha, c->phb, (size_t) hw * hh);
      tinta_fused_set_state (c->fused, L, c->pha, c->phb, since);
      /* what tinta_fused_next gives: its state brought to the working size */
      tinta_upsample_bilinear (c->pha, hw, hh, a, c->w, c->h);
      tinta_upsample_bilinear (c->phb, hw, hh, b, c->w, c->h);
      return TINTA_OK;
    }
  tinta_overlay_partial (pk->alpha, pk->a, pk->b, a, b, (size_t) c->w * c->h);
  return tinta_local_reset (c->local, L, a, b, err);
}

static inline uint16_t
q16 (float v, float scale, float lo, float hi)
{
  v = v < lo ? lo : (v > hi ? hi : v);
  return (uint16_t) (int16_t) lroundf (v * scale);
}

/* The two parts of a record a pass reads or writes: its L, or its result
 * (with the fused strategy's global match). */
enum { PART_L, PART_RESULT };

/* Part `part` of record slot, to or from the same bytes of c->rec. */
static int
spill_io (tinta_colorizer *c, long long slot, int write, int part, tinta_error *err)
{
  double t0 = tinta_now ();
  int st = TINTA_OK;
  size_t at = part == PART_L ? 0 : c->res_off;
  size_t len = part == PART_L ? c->res_off : c->rec_bytes - c->res_off;
  off_t off = (off_t) slot * (off_t) c->rec_bytes + (off_t) at;
  int fd = fileno (c->spill);
  uint8_t *buf = c->rec + at;
  size_t done = 0;
  while (done < len)
    {
      ssize_t r = write ? pwrite (fd, buf + done, len - done, off + (off_t) done)
                        : pread (fd, buf + done, len - done, off + (off_t) done);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        {
          st = tinta_fail (err, TINTA_ERR_IO, "", "temporary file of the backward pass: %s",
                           r < 0 ? strerror (errno) : "short read");
          break;
        }
      done += (size_t) r;
    }
  c->report.spill_ms += 1e3 * (tinta_now () - t0);
  return st;
}

/* Record layout: L (f32) | result [| global match (f32), fused], where
 * the result is a (s16) | b (s16) | conf (u8), or for the fused chain its
 * half-size state a | b and local confidence (f32). */
static void
pack_L (tinta_colorizer *c, const float *L)
{
  size_t nw = (size_t) c->w * c->h;
  memcpy (c->rec, L, nw * sizeof (float));
}

static void
unpack_L (const tinta_colorizer *c, float *L)
{
  size_t nw = (size_t) c->w * c->h;
  memcpy (L, c->rec, nw * sizeof (float));
}

static void
pack_result (tinta_colorizer *c, const float *a, const float *b, const float *conf)
{
  size_t nw = (size_t) c->w * c->h;
  if (c->kind == KIND_FUSED)
    {
      int hw, hh;
      long long since;
      const float *la, *lb, *lc;
      tinta_fused_half_size (c->fused, &hw, &hh);
      float *h = (float *) (c->rec + c->res_off);
      size_t hn = (size_t) hw * hh;
      tinta_fused_get_state (c->fused, h, h + hn, &since);
      tinta_fused_last_local (c->fused, &la, &lb, &lc);
      memcpy (h + 2 * hn, lc, hn * sizeof (float));
      return;
    }
  uint16_t *qa = (uint16_t *) (c->rec + c->res_off), *qb = qa + nw;
  uint8_t *qc = (uint8_t *) (qb + nw);
  for (size_t i = 0; i < nw; i++)
    {
      qa[i] = q16 (a[i], AB_Q, -255.0f, 255.0f);
      qb[i] = q16 (b[i], AB_Q, -255.0f, 255.0f);
      float v = conf[i] < 0.0f ? 0.0f : (conf[i] > 1.0f ? 1.0f : conf[i]);
      qc[i] = (uint8_t) lroundf (v * 255.0f);
    }
}

static void
unpack_result (const tinta_colorizer *c, float *a, float *b, float *conf)
{
  size_t nw = (size_t) c->w * c->h;
  if (c->kind == KIND_FUSED)
    {
      /* what tinta_fused_next made of this state (see the top of the file) */
      int hw, hh;
      tinta_fused_half_size (c->fused, &hw, &hh);
      const float *h = (const float *) (c->rec + c->res_off);
      size_t hn = (size_t) hw * hh;
      tinta_upsample_bilinear (h, hw, hh, a, c->w, c->h);
      tinta_upsample_bilinear (h + hn, hw, hh, b, c->w, c->h);
      tinta_upsample_bilinear (h + 2 * hn, hw, hh, conf, c->w, c->h);
      return;
    }
  const int16_t *qa = (const int16_t *) (c->rec + c->res_off), *qb = qa + nw;
  const uint8_t *qc = (const uint8_t *) (qb + nw);
  for (size_t i = 0; i < nw; i++)
    {
      a[i] = (float) qa[i] / AB_Q;
      b[i] = (float) qb[i] / AB_Q;
      conf[i] = (float) qc[i] / 255.0f;
    }
}

/* The backward block [k, keys[nx].frame): decode its frames into the
 * spill, then the chain from the keyframe back over them. */
static int
backward_block (tinta_colorizer *c, long long k, int nx, tinta_error *err)
{
  long long b1 = c->keys[nx].frame;
  if (c->spill == NULL && (c->spill = tmpfile ()) == NULL)
    return tinta_fail (err, TINTA_ERR_IO, "", "cannot create a temporary file: %s",
                       strerror (errno));
  for (long long j = k; j < b1; j++)
    {
      if (c->abort_cb && c->abort_cb (c->abort_user))
        return TINTA_CANCELLED;
      int st = read_working (c, j, c->scratch_full, c->wL, err);
      if (st != TINTA_OK)
        return st;
      pack_L (c, c->wL);
      if ((st = spill_io (c, j - k, 1, PART_L, err)) != TINTA_OK)
        return st;
    }
  int st = chain_start (c, c->keys[nx].work, err);
  for (long long j = b1 - 1; st == TINTA_OK && j >= k; j--)
    {
      if (c->abort_cb && c->abort_cb (c->abort_user))
        {
          st = TINTA_CANCELLED;
          break;
        }
      if ((st = spill_io (c, j - k, 0, PART_L, err)) != TINTA_OK)
        break;
      unpack_L (c, c->wL);
      if ((st = chain_next_at (c, j, c->wL, c->ba, c->bb, c->bc, err)) != TINTA_OK)
        break;
      pack_result (c, c->ba, c->bb, c->bc);
      if (c->memo_bytes)
        {
          tinta_fused_get_global (c->fused, c->gmemo);
          memcpy (c->rec + c->memo_off, c->gmemo, c->memo_bytes);
        }
      st = spill_io (c, j - k, 1, PART_RESULT, err);
    }
  c->fwd_key = -1;   /* the forward chain must start again */
  if (st == TINTA_OK)
    {
      c->b0 = k;
      c->b1 = b1;
    }
  else
    c->b0 = c->b1 = -1;
  return st;
}

/* Working-size chroma (wa, wb) -> clip size into out->a, out->b. */
static int
to_clip (tinta_colorizer *c, tinta_frame *out, tinta_error *err)
{
  size_t np = (size_t) c->W * c->H;
  if (c->w == c->W && c->h == c->H)
    {
      memcpy (out->a, c->wa, np * sizeof (float));
      memcpy (out->b, c->wb, np * sizeof (float));
      return TINTA_OK;
    }
  return tinta_upsample_ab (out->L, c->W, c->H, c->wa, c->wb, c->w, c->h, out->a, out->b, NULL,
                            err);
}

int
tinta_colorizer_frame (tinta_colorizer *c, long long k, tinta_frame *out, tinta_error *err)
{
  if (out == NULL || out->width != c->W || out->height != c->H || !out->L || !out->a || !out->b
      || !out->rgb)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "",
                       "the output frame must be %dx%d with Lab and RGB", c->W, c->H);
  if (k != c->next)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "",
                       "frames come in order: %lld asked, %lld expected", k, c->next);
  if (k >= c->n)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "frame %lld: the clip has %lld", k,
                       c->n);
  int st = TINTA_OK;
  if (!c->analyzed && (st = tinta_colorizer_analyze (c, NULL, NULL, NULL, err)) != TINTA_OK)
    return st;
  size_t np = (size_t) c->W * c->H, nw = (size_t) c->w * c->h;
  long long s0, s1;
  int p, nx;
  shot_of (c, k, &s0, &s1);
  keys_around (c, k, s0, s1, &p, &nx);

  if (p >= 0 && c->keys[p].frame == k)
    {
      /* A keyframe: the user's chroma on the clip's L. */
      st = media_read (c, k, out, err);
      if (st != TINTA_OK)
        return st;
      memcpy (out->a, c->keys[p].full->a, np * sizeof (float));
      memcpy (out->b, c->keys[p].full->b, np * sizeof (float));
      tinta_lab_to_srgb8 (out->L, out->a, out->b, np, out->rgb);
      out->has_color = 1;
      c->fwd_key = -1;
      c->report.frames_keyframe++;
      c->next++;
      return TINTA_OK;
    }
  /* Backward first: it reuses the propagator (see the top of the file). */
  int have_bwd = 0;
  if (nx >= 0 && c->kind != KIND_GLOBAL)
    {
      if (!(k >= c->b0 && k < c->b1 && c->b1 == c->keys[nx].frame)
          && (st = backward_block (c, k, nx, err)) != TINTA_OK)
        return st;
      if ((st = spill_io (c, k - c->b0, 0, PART_RESULT, err)) != TINTA_OK)
        return st;
      unpack_result (c, c->ba, c->bb, c->bc);
      if (c->memo_bytes)
        memcpy (c->gmemo, c->rec + c->memo_off, c->memo_bytes);
      have_bwd = 1;
    }
  if ((st = media_read (c, k, out, err)) != TINTA_OK
      || (st = to_working (c, out->L, c->wL, err)) != TINTA_OK)
    return st;
  int have_fwd = 0;
  if (c->kind == KIND_GLOBAL || (p < 0 && nx < 0 && c->kind == KIND_FUSED))
    {
      /* The global match alone: the global strategy, or a shot without a
       * keyframe (nothing to propagate from). */
      tinta_global *g = c->kind == KIND_GLOBAL ? c->global : tinta_fused_global (c->fused);
      double t0 = tinta_now ();
      st = tinta_global_predict (g, c->wL, c->wa, c->wb, c->wc, err);
      c->report.propagate_ms += 1e3 * (tinta_now () - t0);
      if (st != TINTA_OK)
        return st;
      if (p < 0 && nx < 0)
        c->report.frames_global_only++;
      have_fwd = 1;
    }
  else if (p >= 0)
    {
      if (c->fwd_key != p)
        {
          /* The chain starts at the keyframe: step to k from there (k is
           * the frame after it, except after a backward block that
           * interrupted the chain: then replay from the keyframe). */
          if ((st = chain_start (c, c->keys[p].work, err)) != TINTA_OK)
            return st;
          if (k > c->keys[p].frame + 1)
            {
              /* Not reached by the plan (a segment's backward block is
               * made at its first frame, before the forward chain
               * starts), kept as the safe answer should it change: the
               * scratch planes of the backward result serve the replay,
               * which then reads that result again. */
              float *rL = c->ba, *ra = c->bb, *rb = c->bc, *rc = c->wa;
              for (long long j = c->keys[p].frame + 1; j < k; j++)
                if ((st = read_working (c, j, c->scratch_full, rL, err)) != TINTA_OK
                    || (st = chain_next_at (c, j, rL, ra, rb, rc, err)) != TINTA_OK)
                  return st;
              if (have_bwd && (st = spill_io (c, k - c->b0, 0, PART_RESULT, err)) != TINTA_OK)
                return st;
              if (have_bwd)
                unpack_result (c, c->ba, c->bb, c->bc);
            }
          c->fwd_key = p;
        }
      /* Frame k's match, made by the backward pass with the same keys. */
      if (have_bwd && c->memo_bytes)
        tinta_fused_use_global (c->fused, c->gmemo);
      if ((st = chain_next_at (c, k, c->wL, c->wa, c->wb, c->wc, err)) != TINTA_OK)
        return st;
      have_fwd = 1;
    }
  if (have_fwd && have_bwd)
    {
      /* Blend by temporal distance and confidence (tinta/colorize.h). */
      long long P = c->keys[p].frame, N = c->keys[nx].frame;
      float tf = (float) (N - k) / (float) (N - P);
      for (size_t i = 0; i < nw; i++)
        {
          float wf, wb, s = tinta_blend_weights (tf, c->wc[i], c->bc[i], &wf, &wb);
          c->wa[i] = (wf * c->wa[i] + wb * c->ba[i]) * s;
          c->wb[i] = (wf * c->wb[i] + wb * c->bb[i]) * s;
        }
      c->report.frames_both_ways++;
    }
  else if (have_bwd)
    {
      memcpy (c->wa, c->ba, nw * sizeof (float));
      memcpy (c->wb, c->bb, nw * sizeof (float));
      c->report.frames_backward_only++;
    }
  else if (have_fwd)
    {
      if (p >= 0 && c->kind != KIND_GLOBAL)
        c->report.frames_forward_only++;
    }
  else
    {
      /* The local strategy in a shot without a keyframe: gray. */
      memset (c->wa, 0, nw * sizeof (float));
      memset (c->wb, 0, nw * sizeof (float));
      c->report.frames_global_only++;
    }
  double t0 = tinta_now ();
  if ((st = to_clip (c, out, err)) != TINTA_OK)
    return st;
  double t1 = tinta_now ();
  tinta_lab_to_srgb8 (out->L, out->a, out->b, np, out->rgb);
  out->has_color = 1;
  c->report.upscale_ms += 1e3 * (t1 - t0);
  c->report.convert_ms += 1e3 * (tinta_now () - t1);
  c->next++;
  return TINTA_OK;
}
