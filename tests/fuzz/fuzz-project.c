/* libFuzzer target of the project loader: any bytes must come back either
 * refused (a status, a message, no project) or as a project that keeps
 * every promise tinta/project.h makes, which the saver must then accept
 * (it checks the same rules: anything else is a mismatch between the two).
 * Built and run by run-fuzz-project.sh. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tinta/project.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_project (const tinta_project *p)
{
  size_t n = (size_t) p->clip_width * (size_t) p->clip_height;
  if (p->clip_path == NULL || p->clip_path[0] == '\0' || p->clip_width < 1 || p->clip_height < 1
      || p->clip_width > TINTA_MAX_DIMENSION || p->clip_height > TINTA_MAX_DIMENSION
      || p->clip_frames < 1 || p->rate_num < 1 || p->rate_den < 1 || p->playhead < 0
      || p->playhead >= p->clip_frames || p->n_keys > TINTA_PROJECT_MAX_KEYS
      || memchr (p->strategy, '\0', sizeof p->strategy) == NULL)
    abort ();
  for (size_t i = 0; i < p->n_keys; i++)
    {
      const tinta_project_key *k = &p->keys[i];
      if (k->frame < 0 || k->frame >= p->clip_frames || (i > 0 && k->frame <= k[-1].frame))
        abort ();
      if (k->colors == NULL || k->colors->width != p->clip_width
          || k->colors->height != p->clip_height || k->colors->L == NULL || k->colors->rgb == NULL
          || (k->partial != 0) != (k->alpha != NULL))
        abort ();
      /* Touch every byte so ASan sees any short buffer. */
      unsigned sum = 0;
      for (size_t j = 0; j < n * 3; j++)
        sum += k->colors->rgb[j];
      for (size_t j = 0; k->alpha != NULL && j < n; j++)
        if (!(k->alpha[j] >= 0.f && k->alpha[j] <= 1.f))
          abort ();
      for (size_t s = 0; s < k->n_strokes; s++)
        {
          const tinta_stroke *st = &k->strokes[s];
          if (st->n_points < 1 || st->points == NULL || !isfinite (st->size))
            abort ();
          for (size_t j = 0; j < st->n_points; j++)
            if (!isfinite (st->points[j].x + st->points[j].y + st->points[j].pressure))
              abort ();
        }
      (void) sum;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  tinta_project *p = NULL;
  tinta_error err = { 0 };

  int st = tinta_project_load_memory (data, size, "fuzz/project.tinta", &p, &err);
  if (st < 0)
    {
      if (p != NULL || err.status != st || err.message[0] == '\0')
        abort ();
      return 0;
    }
  check_project (p);
  /* The folder does not exist: saving stops at UNWRITABLE, after the
   * checks and the PNG encoding, unless the saver rejects what the
   * loader accepted. */
  st = tinta_project_save (p, "/nonexistent-tinta-fuzz/p.tinta", &err);
  if (st != TINTA_ERR_UNWRITABLE)
    abort ();
  tinta_project_free (p);
  return 0;
}
