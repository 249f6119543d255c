/* The project file: a full round trip, atomic saves that never damage the
 * previous file, hostile files each refused with its exact status, the
 * clip found again after the project moved with it, recovery paths. */
#include <dirent.h>
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testutil.h"
#include "tinta-test.h"
#include "tinta/color.h"
#include "tinta/project.h"

#define W 40
#define H 30

static char *dir;

static unsigned rng = 12345;
static unsigned
next_rand (void)
{
  rng = rng * 1103515245u + 12345u;
  return rng >> 8;
}

static char *
read_all (const char *path, size_t *size)
{
  FILE *f = fopen (path, "rb");
  if (f == NULL)
    return NULL;
  fseek (f, 0, SEEK_END);
  long n = ftell (f);
  fseek (f, 0, SEEK_SET);
  char *buf = malloc ((size_t) n + 1);
  size_t got = fread (buf, 1, (size_t) n, f);
  fclose (f);
  buf[got] = '\0';
  *size = got;
  return buf;
}

/* Writes `text` with the first occurrence of `from` replaced by `to`. */
static void
write_patched (const char *path, const char *text, const char *from, const char *to)
{
  const char *at = strstr (text, from);
  CHECK_MSG (at != NULL, "'%s' not in the project text", from);
  if (at == NULL)
    return;
  size_t a = (size_t) (at - text), nf = strlen (from), nt = strlen (to), n = strlen (text);
  char *out = malloc (n - nf + nt + 1);
  memcpy (out, text, a);
  memcpy (out + a, to, nt);
  memcpy (out + a + nt, at + nf, n - a - nf + 1);
  tu_write_file (path, out, strlen (out));
  free (out);
}

static void
expect_load (const char *path, int status, const char *needle)
{
  tinta_project *p = (tinta_project *) 1;
  tinta_error err = { 0 };
  int st = tinta_project_load (path, &p, &err);
  CHECK_MSG (st == status, "%s: got %d (%s: %s), expected %d (%s)", path, st,
             tinta_status_str (st), err.message, status, tinta_status_str (status));
  CHECK (p == NULL);
  CHECK (err.status == status);
  CHECK_MSG (strcmp (err.path, path) == 0, "error names '%s', not '%s'", err.path, path);
  CHECK_MSG (err.message[0] != '\0', "no message for %s", path);
  if (needle)
    CHECK_MSG (strstr (err.message, needle) != NULL, "message '%s' lacks '%s'", err.message,
               needle);
  tinta_project_free (p == (tinta_project *) 1 ? NULL : p);
}

static void
expect_text (const char *name, const char *text, int status, const char *needle)
{
  char p[4200];
  snprintf (p, sizeof p, "%s/%s.tinta", dir, name);
  tu_write_file (p, text, strlen (text));
  expect_load (p, status, needle);
}

static int
temp_files_in (const char *folder)
{
  DIR *d = opendir (folder);
  struct dirent *de;
  int n = 0;
  while (d != NULL && (de = readdir (d)) != NULL)
    if (strstr (de->d_name, ".tmp-") != NULL)
      n++;
  if (d)
    closedir (d);
  return n;
}

/* A project over a W x H, 100-frame clip: a full key at 0 given as RGB
 * bytes, a partial key at 50 given as Lab with alpha and two strokes. */
static tinta_project *
make_project (const char *clip, uint8_t *rgb0, float *alpha50, tinta_stroke *strokes)
{
  tinta_error err = { 0 };
  tinta_media_info info = { .width = W, .height = H, .frame_count = 100, .fps_num = 30000,
                            .fps_den = 1001 };
  tinta_project *p = tinta_project_new ();
  CHECK_STATUS (tinta_project_set_clip (p, clip, &info, &err), TINTA_OK, &err);

  tinta_frame *f = tinta_frame_new (W, H, TINTA_FRAME_RGB);
  for (int i = 0; i < W * H * 3; i++)
    rgb0[i] = (uint8_t) next_rand ();
  memcpy (f->rgb, rgb0, W * H * 3);
  CHECK_STATUS (tinta_project_add_key (p, 0, f, NULL, &err), TINTA_OK, &err);
  tinta_frame_free (f);

  f = tinta_frame_new (W, H, TINTA_FRAME_LAB);
  for (int i = 0; i < W * H; i++)
    {
      f->L[i] = (float) (next_rand () % 10000) / 100.f;
      f->a[i] = (float) ((int) (next_rand () % 200) - 100);
      f->b[i] = (float) ((int) (next_rand () % 200) - 100) * 0.5f;
      alpha50[i] = (float) (next_rand () % 1001) / 1000.f;
    }
  alpha50[0] = 0.f;
  alpha50[1] = 1.f;
  CHECK_STATUS (tinta_project_add_key (p, 50, f, alpha50, &err), TINTA_OK, &err);
  tinta_frame_free (f);

  static tinta_stroke_point pts0[3] = { { 1.5, 2.25, 0.5 }, { 3.125, 4.0, 0.75 }, { 5, 6, 1 } };
  static tinta_stroke_point pts1[40];
  for (int i = 0; i < 40; i++)   /* arbitrary doubles: within an ulp after the round trip */
    pts1[i] = (tinta_stroke_point) { (double) next_rand () / 7919.0,
                                     (double) next_rand () / 104729.0 - 3.0,
                                     (double) (next_rand () % 1000) / 999.0 };
  strokes[0] = (tinta_stroke) { { 62.5f, 18.25f, -30.1f }, 24.f, 0.8f, 0, pts0, 3 };
  strokes[1] = (tinta_stroke) { { 0.f, 0.f, 0.f }, 7.3f, 0.1f, 1, pts1, 40 };
  CHECK_STATUS (tinta_project_key_set_strokes (tinta_project_find_key (p, 50), strokes, 2, &err),
                TINTA_OK, &err);
  snprintf (p->strategy, sizeof p->strategy, "fused");
  p->working_height = 256;
  p->view_mode = 2;
  p->view_layout = 1;
  p->playhead = 42;
  return p;
}

static void
test_model (void)
{
  tinta_error err = { 0 };
  tinta_media_info info = { .width = 8, .height = 6, .frame_count = 10, .fps_num = 24,
                            .fps_den = 1 };
  tinta_project *p = tinta_project_new ();
  tinta_frame *f = tinta_frame_new (8, 6, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  tinta_frame *g = tinta_frame_new (9, 6, TINTA_FRAME_RGB);

  CHECK_STATUS (tinta_project_add_key (p, 0, f, NULL, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (tinta_project_set_clip (p, "c.mp4", &info, &err), TINTA_OK, &err);
  CHECK_STATUS (tinta_project_check_clip (p, &info, &err), TINTA_OK, &err);
  info.fps_num = 48;
  info.fps_den = 2;   /* the same rate */
  CHECK_STATUS (tinta_project_check_clip (p, &info, &err), TINTA_OK, &err);
  info.frame_count = 11;
  CHECK_STATUS (tinta_project_check_clip (p, &info, &err), TINTA_ERR_SIZE_MISMATCH, &err);
  CHECK (strstr (err.message, "11 frames") != NULL && strstr (err.message, "10 frames") != NULL);
  info.frame_count = 10;
  info.width = 16;
  CHECK_STATUS (tinta_project_check_clip (p, &info, &err), TINTA_ERR_SIZE_MISMATCH, &err);
  CHECK_STATUS (tinta_project_add_key (p, 10, f, NULL, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  CHECK_STATUS (tinta_project_add_key (p, -1, f, NULL, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  CHECK_STATUS (tinta_project_add_key (p, 3, g, NULL, &err), TINTA_ERR_SIZE_MISMATCH, &err);
  CHECK_STATUS (tinta_project_add_key (p, 7, f, NULL, &err), TINTA_OK, &err);
  CHECK_STATUS (tinta_project_add_key (p, 2, f, NULL, &err), TINTA_OK, &err);
  CHECK_STATUS (tinta_project_add_key (p, 5, f, NULL, &err), TINTA_OK, &err);
  float alpha[48] = { 0 };
  CHECK_STATUS (tinta_project_add_key (p, 5, f, alpha, &err), TINTA_OK, &err);   /* replaces */
  CHECK_INT (p->n_keys, 3);
  CHECK (p->keys[0].frame == 2 && p->keys[1].frame == 5 && p->keys[2].frame == 7);
  CHECK (p->keys[1].partial == 1 && p->keys[1].alpha != NULL);
  CHECK (tinta_project_find_key (p, 4) == NULL);
  CHECK_INT (tinta_project_remove_key (p, 2), TINTA_OK);
  CHECK_INT (tinta_project_remove_key (p, 2), TINTA_ERR_NOT_FOUND);
  CHECK (p->n_keys == 2 && p->keys[0].frame == 5);

  tinta_stroke_point pt = { 1, 1, 2.0 };   /* pressure beyond 1 */
  tinta_stroke s = { { 50, 0, 0 }, 4, 1, 0, &pt, 1 };
  CHECK_STATUS (tinta_project_key_set_strokes (&p->keys[0], &s, 1, &err),
                TINTA_ERR_INVALID_ARGUMENT, &err);
  pt.pressure = 1;
  s.size = NAN;
  CHECK_STATUS (tinta_project_key_set_strokes (&p->keys[0], &s, 1, &err),
                TINTA_ERR_INVALID_ARGUMENT, &err);
  s.size = 4;
  CHECK_STATUS (tinta_project_key_set_strokes (&p->keys[0], &s, 1, &err), TINTA_OK, &err);
  CHECK (p->keys[0].n_strokes == 1 && p->keys[0].strokes[0].points != &pt);
  tinta_frame_free (f);
  tinta_frame_free (g);
  tinta_project_free (p);
  tinta_project_free (NULL);
}

static void
compare_projects (const tinta_project *a, const tinta_project *b, const uint8_t *rgb0,
                  const float *alpha50, const tinta_stroke *strokes, const char *clip)
{
  CHECK_MSG (strcmp (b->clip_path, clip) == 0, "clip_path %s, expected %s", b->clip_path, clip);
  CHECK_INT (b->clip_frames, 100);
  CHECK (b->clip_width == W && b->clip_height == H);
  CHECK (b->rate_num == 30000 && b->rate_den == 1001);
  CHECK (strcmp (b->strategy, "fused") == 0);
  CHECK (b->working_height == 256 && b->view_mode == 2 && b->view_layout == 1);
  CHECK_INT (b->playhead, 42);
  CHECK (b->recovery_of == NULL);
  CHECK_INT (b->n_keys, 2);
  if (b->n_keys != 2)
    return;
  const tinta_project_key *k0 = &b->keys[0], *k1 = &b->keys[1];
  CHECK (k0->frame == 0 && !k0->partial && k0->alpha == NULL && k0->n_strokes == 0);
  CHECK (k1->frame == 50 && k1->partial && k1->alpha != NULL && k1->n_strokes == 2);
  CHECK (memcmp (k0->colors->rgb, rgb0, W * H * 3) == 0);
  CHECK (k0->colors->has_color == 1 && k0->colors->L != NULL);
  /* The Lab key is stored as its 8-bit sRGB. */
  uint8_t want[W * H * 3];
  const tinta_frame *lab = a->keys[1].colors;
  tinta_lab_to_srgb8 (lab->L, lab->a, lab->b, W * H, want);
  CHECK (memcmp (k1->colors->rgb, want, sizeof want) == 0);
  float L[W * H], A[W * H], B[W * H];
  tinta_srgb8_to_lab (want, W * H, L, A, B);
  CHECK (memcmp (k1->colors->L, L, sizeof L) == 0 && memcmp (k1->colors->b, B, sizeof B) == 0);
  int alpha_ok = 1;
  for (int i = 0; i < W * H; i++)
    alpha_ok &= lrintf (k1->alpha[i] * 255.f) == lrintf (alpha50[i] * 255.f)
                && k1->alpha[i] >= 0.f && k1->alpha[i] <= 1.f;
  CHECK (alpha_ok);
  CHECK (k1->alpha[0] == 0.f && k1->alpha[1] == 1.f);
  for (int s = 0; s < 2; s++)
    {
      const tinta_stroke *x = &strokes[s], *y = &k1->strokes[s];
      CHECK (memcmp (x->color, y->color, sizeof x->color) == 0);
      CHECK (x->size == y->size && x->hardness == y->hardness && x->eraser == y->eraser);
      CHECK_INT (y->n_points, x->n_points);
      int pts_ok = y->n_points == x->n_points;
      for (size_t i = 0; pts_ok && i < x->n_points; i++)
        {
          const tinta_stroke_point *u = &x->points[i], *v = &y->points[i];
          pts_ok &= fabs (u->x - v->x) <= DBL_EPSILON * fabs (u->x)
                    && fabs (u->y - v->y) <= DBL_EPSILON * fabs (u->y)
                    && fabs (u->pressure - v->pressure) <= DBL_EPSILON;
        }
      CHECK_MSG (pts_ok, "stroke %d points differ", s);
    }
  /* Exact where the values are exact in binary. */
  CHECK (k1->strokes[0].points[1].x == 3.125 && k1->strokes[0].points[0].y == 2.25);
}

/* Saves as an unprivileged user (root ignores folder permissions): the
 * status of tinta_project_save, from a child process when we are root. */
static int
save_unprivileged (const tinta_project *p, const char *path)
{
  tinta_error err = { 0 };
  if (geteuid () != 0)
    return tinta_project_save (p, path, &err);
  pid_t pid = fork ();
  if (pid == 0)
    {
      if (setgid (65534) != 0 || setuid (65534) != 0)
        _exit (100);
      int st = tinta_project_save (p, path, &err);
      _exit (st <= 0 ? -st : 101);
    }
  int ws = 0;
  waitpid (pid, &ws, 0);
  return WIFEXITED (ws) && WEXITSTATUS (ws) < 100 ? -WEXITSTATUS (ws) : 1000 + WEXITSTATUS (ws);
}

static void
test_atomic (const tinta_project *p)
{
  char ro[4200], path[4300], q[4300];
  tinta_error err = { 0 };
  size_t n0, n1;

  snprintf (ro, sizeof ro, "%s/readonly", dir);
  mkdir (ro, 0755);
  snprintf (path, sizeof path, "%s/p.tinta", ro);
  CHECK_STATUS (tinta_project_save (p, path, &err), TINTA_OK, &err);
  CHECK_INT (temp_files_in (ro), 0);
  /* Saving again replaces the file. */
  CHECK_STATUS (tinta_project_save (p, path, &err), TINTA_OK, &err);
  CHECK_INT (temp_files_in (ro), 0);
  char *before = read_all (path, &n0);

  chmod (dir, 0755);   /* the unprivileged child must reach the folder */
  chmod (ro, 0555);
  int st = save_unprivileged (p, path);
  CHECK_MSG (st == TINTA_ERR_UNWRITABLE, "read-only folder: got %d", st);
  chmod (ro, 0755);
  char *after = read_all (path, &n1);
  CHECK (after != NULL && n0 == n1 && memcmp (before, after, n0) == 0);
  CHECK_INT (temp_files_in (ro), 0);
  free (after);

  /* A folder under the name, a missing folder, a file as the folder. */
  snprintf (q, sizeof q, "%s/folder.tinta", dir);
  mkdir (q, 0755);
  CHECK_STATUS (tinta_project_save (p, q, &err), TINTA_ERR_UNWRITABLE, &err);
  snprintf (q, sizeof q, "%s/no/such/p.tinta", dir);
  CHECK_STATUS (tinta_project_save (p, q, &err), TINTA_ERR_UNWRITABLE, &err);
  snprintf (q, sizeof q, "%s/p.tinta/x.tinta", ro);
  CHECK_STATUS (tinta_project_save (p, q, &err), TINTA_ERR_UNWRITABLE, &err);

  /* An invalid project writes nothing and keeps the old file. */
  tinta_project *bad = tinta_project_new ();
  CHECK_STATUS (tinta_project_save (bad, path, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  after = read_all (path, &n1);
  CHECK (after != NULL && n0 == n1 && memcmp (before, after, n0) == 0);
  CHECK_INT (temp_files_in (ro), 0);
  free (after);
  tinta_project_free (bad);
  free (before);
}

static void
test_hostile (const char *good)
{
  char p[4200];
  size_t n;
  char *text = read_all (good, &n);

  snprintf (p, sizeof p, "%s/missing.tinta", dir);
  expect_load (p, TINTA_ERR_NOT_FOUND, NULL);
  expect_text ("empty", "", TINTA_ERR_EMPTY_FILE, NULL);
  expect_load (dir, TINTA_ERR_INVALID_DATA, "folder");

  /* Cut at every offset: the file ends early (dropping only the final
   * newline leaves a complete project). */
  snprintf (p, sizeof p, "%s/cut.tinta", dir);
  int wrong = 0;
  for (size_t keep = 1; keep + 2 <= n; keep += keep < 2000 ? 1 : 7)
    {
      tinta_project *q = NULL;
      tinta_error err = { 0 };
      int st = tinta_project_load_memory (text, keep, p, &q, &err);
      if (st != TINTA_ERR_TRUNCATED || q != NULL)
        {
          if (wrong++ < 5)
            fprintf (stderr, "cut at %zu: %d %s\n", keep, st, err.message);
          tinta_project_free (q);
        }
    }
  CHECK_INT (wrong, 0);
  tu_truncate_copy (good, p, (long long) n / 2);
  expect_load (p, TINTA_ERR_TRUNCATED, "cut off");
  tu_truncate_copy (good, p, (long long) n - 1);
  {
    tinta_project *q = NULL;
    tinta_error err = { 0 };
    CHECK_STATUS (tinta_project_load (p, &q, &err), TINTA_OK, &err);
    tinta_project_free (q);
  }

  /* Not projects. */
  expect_text ("array", "[1, 2, 3]", TINTA_ERR_INVALID_DATA, "not a Tinta project");
  expect_text ("number", "42", TINTA_ERR_INVALID_DATA, "not a Tinta project");
  expect_text ("string", "\"tinta-project\"", TINTA_ERR_INVALID_DATA, "not a Tinta project");
  expect_text ("other", "{\"format\": \"something\", \"version\": 1}", TINTA_ERR_INVALID_DATA,
               "not a Tinta project");
  expect_text ("garbage", "\x89PNG\r\n\x1a\n\x01\x02garbage", TINTA_ERR_INVALID_DATA, NULL);
  expect_text ("trailing", "{\"format\": \"tinta-project\"} {}", TINTA_ERR_INVALID_DATA, "after");
  expect_text ("badjson", "{\"format\": \"tinta-project\", \"version\": 1, nope, \"clip\": {}, "
               "\"keyframes\": []}", TINTA_ERR_INVALID_DATA, "line 1");
  {
    char deep[4200] = "{\"a\":";
    for (int i = 0; i < 1000; i++)
      strcat (deep, "[");
    expect_text ("deep", deep, TINTA_ERR_INVALID_DATA, "nested");
  }
  {
    char nul[] = "{\"format\": \"tinta-project\"\0}";
    snprintf (p, sizeof p, "%s/nul.tinta", dir);
    tu_write_file (p, nul, sizeof nul - 1);
    expect_load (p, TINTA_ERR_INVALID_DATA, NULL);
  }

  /* Versions. */
  snprintf (p, sizeof p, "%s/v2.tinta", dir);
  write_patched (p, text, "\"version\":\t1", "\"version\":\t2");
  expect_load (p, TINTA_ERR_INVALID_DATA, "newer");
  write_patched (p, text, "\"version\":\t1", "\"version\":\t0");
  expect_load (p, TINTA_ERR_INVALID_DATA, "version");
  write_patched (p, text, "\"version\":\t1", "\"version\":\t\"1\"");
  expect_load (p, TINTA_ERR_INVALID_DATA, "version");

  /* Numbers out of range. */
  snprintf (p, sizeof p, "%s/numbers.tinta", dir);
  write_patched (p, text, "\"frame\":\t50", "\"frame\":\t-50");
  expect_load (p, TINTA_ERR_INVALID_DATA, "keyframes[1].frame");
  write_patched (p, text, "\"frame\":\t50", "\"frame\":\t100");   /* the clip has 100 */
  expect_load (p, TINTA_ERR_INVALID_DATA, "keyframes[1].frame");
  write_patched (p, text, "\"frame\":\t50", "\"frame\":\t1e300");
  expect_load (p, TINTA_ERR_INVALID_DATA, "frame");
  write_patched (p, text, "\"frame\":\t50", "\"frame\":\t2.5");
  expect_load (p, TINTA_ERR_INVALID_DATA, "frame");
  write_patched (p, text, "\"frame\":\t50", "\"frame\":\t0");
  expect_load (p, TINTA_ERR_INVALID_DATA, "two keyframes");
  write_patched (p, text, "\"frames\":\t100", "\"frames\":\t1e999");
  expect_load (p, TINTA_ERR_INVALID_DATA, "clip.frames");
  write_patched (p, text, "\"frames\":\t100", "\"frames\":\t-1");
  expect_load (p, TINTA_ERR_INVALID_DATA, "clip.frames");
  write_patched (p, text, "\"width\":\t40", "\"width\":\t99999999999999999999");
  expect_load (p, TINTA_ERR_INVALID_DATA, "clip.width");
  write_patched (p, text, "\"width\":\t40", "\"width\":\t20000");
  expect_load (p, TINTA_ERR_TOO_LARGE, "20000");
  write_patched (p, text, "\"width\":\t40", "\"width\":\t0");
  expect_load (p, TINTA_ERR_INVALID_DATA, "clip.width");
  write_patched (p, text, "\"rate\":\t[30000, 1001]", "\"rate\":\t[30000, 0]");
  expect_load (p, TINTA_ERR_INVALID_DATA, "clip.rate");
  write_patched (p, text, "\"playhead\":\t42", "\"playhead\":\t100");
  expect_load (p, TINTA_ERR_INVALID_DATA, "playhead");
  write_patched (p, text, "\"mode\":\t2", "\"mode\":\t256");
  expect_load (p, TINTA_ERR_INVALID_DATA, "settings.view.mode");
  write_patched (p, text, "\"working_height\":\t256", "\"working_height\":\t-1");
  expect_load (p, TINTA_ERR_INVALID_DATA, "working_height");
  write_patched (p, text, "\"strategy\":\t\"fused\"", "\"strategy\":\t\"Fused; rm -rf\"");
  expect_load (p, TINTA_ERR_INVALID_DATA, "strategy");
  write_patched (p, text, "\"hardness\":\t0.8", "\"hardness\":\t1e300");
  expect_load (p, TINTA_ERR_INVALID_DATA, "strokes[0]");
  write_patched (p, text, "\"size\":\t24", "\"size\":\t0");
  expect_load (p, TINTA_ERR_INVALID_DATA, "strokes[0]");
  write_patched (p, text, "[1.5, 2.25, 0.5]", "[1.5, 2.25]");
  expect_load (p, TINTA_ERR_INVALID_DATA, "points[0]");
  write_patched (p, text, "[1.5, 2.25, 0.5]", "[1.5, 2.25, 1.5]");
  expect_load (p, TINTA_ERR_INVALID_DATA, "pressure");
  write_patched (p, text, "\"eraser\":\tfalse", "\"eraser\":\t0");
  expect_load (p, TINTA_ERR_INVALID_DATA, "eraser");

  /* Kinds and images. */
  snprintf (p, sizeof p, "%s/images.tinta", dir);
  write_patched (p, text, "\"kind\":\t\"partial\"", "\"kind\":\t\"full\"");
  expect_load (p, TINTA_ERR_INVALID_DATA, "alpha");
  write_patched (p, text, "\"kind\":\t\"full\"", "\"kind\":\t\"partial\"");
  expect_load (p, TINTA_ERR_INVALID_DATA, "alpha");
  write_patched (p, text, "\"kind\":\t\"full\"", "\"kind\":\t\"half\"");
  expect_load (p, TINTA_ERR_INVALID_DATA, "kind");
  write_patched (p, text, "\"image\":\t\"iVBOR", "\"image\":\t\"!VBOR");
  expect_load (p, TINTA_ERR_INVALID_DATA, "base64");
  write_patched (p, text, "\"image\":\t\"iVBOR", "\"image\":\t\"iVBO");   /* length not 4k */
  expect_load (p, TINTA_ERR_INVALID_DATA, "base64");
  write_patched (p, text, "\"image\":\t\"iVBOR", "\"image\":\t\"AAAAAAAAiVBOR");
  expect_load (p, TINTA_ERR_INVALID_DATA, "not a PNG");
  write_patched (p, text, "\"image\":\t\"", "\"image\":\t17, \"x\": \"");
  expect_load (p, TINTA_ERR_INVALID_DATA, "keyframes[0].image");
  /* The key images are 40x30: a 41-wide clip makes them the wrong size. */
  write_patched (p, text, "\"width\":\t40", "\"width\":\t41");
  expect_load (p, TINTA_ERR_SIZE_MISMATCH, "40x30");
  {
    /* A damaged PNG body: flip bytes inside the first image's data. */
    char *copy = strdup (text);
    char *img = strstr (copy, "\"image\":\t\"iVBOR");
    for (int i = 0; i < 8; i++)
      img[200 + i] = img[200 + i] == 'A' ? 'B' : 'A';
    tu_write_file (p, copy, strlen (copy));
    expect_load (p, TINTA_ERR_INVALID_DATA, "damaged PNG");
    free (copy);
  }

  /* Counts beyond the limits: a stroke of 1,000,001 points. */
  {
    size_t cap = 9000000, len = 0;
    char *big = malloc (cap);
    len += (size_t) snprintf (big, cap, "{\"format\": \"tinta-project\", \"version\": 1, \"clip\": "
                              "{\"path\": \"c.mp4\", \"frames\": 1, \"width\": 1, \"height\": 1, "
                              "\"rate\": [1, 1]}, \"keyframes\": [{\"frame\": 0, "
                              "\"kind\": \"full\", \"image\": \"AAAA\", "
                              "\"strokes\": [{\"color\": [0, 0, 0], \"size\": 1, "
                              "\"hardness\": 1, \"points\": [");
    for (int i = 0; i <= TINTA_PROJECT_MAX_POINTS; i++)
      {
        memcpy (big + len, "[0,0,0],", 8);
        len += 8;
      }
    snprintf (big + len - 1, cap - len, "]}]}]}");
    expect_text ("points", big, TINTA_ERR_TOO_LARGE, "points");

    /* 10000 keys of a 16384x16384 clip: terabytes, refused before any
     * image is decoded. */
    len = (size_t) snprintf (big, cap, "{\"format\": \"tinta-project\", \"version\": 1, "
                             "\"clip\": {\"path\": \"c.mp4\", \"frames\": 100000, \"width\": "
                             "16384, \"height\": 16384, \"rate\": [1, 1]}, \"keyframes\": [");
    for (int i = 0; i < TINTA_PROJECT_MAX_KEYS; i++)
      len += (size_t) snprintf (big + len, cap - len, "%s{\"frame\": %d, \"kind\": \"full\", "
                                "\"image\": \"AAAA\"}", i ? "," : "", i);
    snprintf (big + len, cap - len, "]}");
    expect_text ("bomb", big, TINTA_ERR_TOO_LARGE, "memory");
    /* One key too many. */
    snprintf (big + len, cap - len,
              ",{\"frame\": 99999, \"kind\": \"full\", \"image\": \"AAAA\"}]}");
    expect_text ("keys", big, TINTA_ERR_TOO_LARGE, "keyframes");
    free (big);
  }
  free (text);
}

static void
test_paths (const tinta_project *orig)
{
  char work[2048], moved[2048], clip[4200], proj[4200], q[4200], real[4200];
  tinta_error err = { 0 };
  tinta_project *p = NULL;

  /* work/footage/clip.mp4 and work/shot.tinta. */
  snprintf (work, sizeof work, "%s/work", dir);
  snprintf (clip, sizeof clip, "%s/footage", work);
  CHECK (tu_run ("mkdir -p '%s'", clip) == 0);
  snprintf (clip, sizeof clip, "%s/footage/clip.mp4", work);
  tu_write_file (clip, "x", 1);
  tinta_project *copy = NULL;
  snprintf (proj, sizeof proj, "%s/shot.tinta", work);
  /* Re-home a loaded copy onto this clip. */
  char first[4200];
  snprintf (first, sizeof first, "%s/roundtrip.tinta", dir);
  CHECK_STATUS (tinta_project_load (first, &copy, &err), TINTA_OK, &err);
  if (copy == NULL)
    return;
  free (copy->clip_path);
  copy->clip_path = strdup (clip);
  CHECK_STATUS (tinta_project_save (copy, proj, &err), TINTA_OK, &err);
  size_t n;
  char *text = read_all (proj, &n);
  CHECK (strstr (text, "\"path\":\t\"footage/clip.mp4\"") != NULL);

  /* The whole folder moves: the relative path finds the clip. */
  snprintf (moved, sizeof moved, "%s/moved", dir);
  CHECK (rename (work, moved) == 0);
  snprintf (proj, sizeof proj, "%s/shot.tinta", moved);
  CHECK_STATUS (tinta_project_load (proj, &p, &err), TINTA_OK, &err);
  snprintf (q, sizeof q, "%s/footage/clip.mp4", moved);
  CHECK (realpath (q, real) != NULL);
  CHECK_MSG (p && strcmp (p->clip_path, real) == 0, "clip %s, expected %s", p ? p->clip_path : "",
             real);
  tinta_project_free (p);

  /* The project alone moves: the absolute path, as saved, is the answer
   * (here it no longer exists: the editor will ask for the clip). */
  snprintf (q, sizeof q, "%s/alone.tinta", dir);
  tu_write_file (q, text, n);
  CHECK_STATUS (tinta_project_load (q, &p, &err), TINTA_OK, &err);
  CHECK_MSG (p && strcmp (p->clip_path, clip) == 0, "clip %s, expected %s", p ? p->clip_path : "",
             clip);
  tinta_project_free (p);

  /* Saved beside the moved clip then copied away: absolute found. */
  snprintf (q, sizeof q, "%s/footage/clip.mp4", moved);
  free (copy->clip_path);
  copy->clip_path = strdup (q);
  CHECK_STATUS (tinta_project_save (copy, proj, &err), TINTA_OK, &err);
  snprintf (q, sizeof q, "%s/elsewhere", dir);
  mkdir (q, 0755);
  snprintf (q, sizeof q, "%s/elsewhere/shot.tinta", dir);
  CHECK (tu_run ("cp '%s' '%s'", proj, q) == 0);
  CHECK_STATUS (tinta_project_load (q, &p, &err), TINTA_OK, &err);
  CHECK_MSG (p && strcmp (p->clip_path, real) == 0, "clip %s, expected %s", p ? p->clip_path : "",
             real);
  tinta_project_free (p);

  /* A relative clip path (to the current folder) is stored resolved. */
  char cwd[4200];
  CHECK (getcwd (cwd, sizeof cwd) != NULL);
  CHECK (chdir (moved) == 0);
  free (copy->clip_path);
  copy->clip_path = strdup ("footage/clip.mp4");
  CHECK_STATUS (tinta_project_save (copy, "../rel.tinta", &err), TINTA_OK, &err);
  CHECK (chdir (cwd) == 0);
  snprintf (q, sizeof q, "%s/rel.tinta", dir);
  CHECK_STATUS (tinta_project_load (q, &p, &err), TINTA_OK, &err);
  CHECK_MSG (p && strcmp (p->clip_path, real) == 0, "clip %s, expected %s", p ? p->clip_path : "",
             real);
  tinta_project_free (p);
  free (text);
  tinta_project_free (copy);
  (void) orig;
}

static void
test_recovery (const char *project_file)
{
  char state[2048], a[4200], b[4200], c[4200], want[4200];
  struct stat sb;

  snprintf (state, sizeof state, "%s/state", dir);
  setenv ("XDG_STATE_HOME", state, 1);
  CHECK_INT (tinta_project_recovery_path (NULL, a, sizeof a), TINTA_OK);
  snprintf (want, sizeof want, "%s/tinta/recovery/untitled-%ld.tinta", state, (long) getpid ());
  CHECK_MSG (strcmp (a, want) == 0, "%s != %s", a, want);
  snprintf (want, sizeof want, "%s/tinta/recovery", state);
  CHECK (stat (want, &sb) == 0 && S_ISDIR (sb.st_mode) && (sb.st_mode & 0777) == 0700);
  CHECK_INT (tinta_project_recovery_path ("", a, sizeof a), TINTA_OK);
  snprintf (want, sizeof want, "%s/tinta/recovery/", state);
  CHECK (strcmp (a, want) == 0);

  /* The same project by two spellings: one file; another project: another. */
  snprintf (b, sizeof b, "%s/shot.tinta", dir);
  CHECK_INT (tinta_project_recovery_path (b, a, sizeof a), TINTA_OK);
  snprintf (c, sizeof c, "%s/./readonly/../shot.tinta", dir);
  CHECK_INT (tinta_project_recovery_path (c, b, sizeof b), TINTA_OK);
  CHECK_MSG (strcmp (a, b) == 0, "%s != %s", a, b);
  snprintf (want, sizeof want, "%s/tinta/recovery/shot-", state);
  CHECK_MSG (strncmp (a, want, strlen (want)) == 0 && strlen (a) == strlen (want) + 16 + 6,
             "recovery path %s", a);
  snprintf (c, sizeof c, "%s/other.tinta", dir);
  CHECK_INT (tinta_project_recovery_path (c, b, sizeof b), TINTA_OK);
  CHECK (strcmp (a, b) != 0);
  CHECK_INT (tinta_project_recovery_path (c, b, 10), TINTA_ERR_INVALID_ARGUMENT);

  /* Without XDG_STATE_HOME: ~/.local/state. */
  unsetenv ("XDG_STATE_HOME");
  char *home = getenv ("HOME") ? strdup (getenv ("HOME")) : NULL;
  snprintf (c, sizeof c, "%s/home", dir);
  setenv ("HOME", c, 1);
  CHECK_INT (tinta_project_recovery_path (NULL, b, sizeof b), TINTA_OK);
  snprintf (want, sizeof want, "%s/home/.local/state/tinta/recovery/untitled-", dir);
  CHECK (strncmp (b, want, strlen (want)) == 0);
  unsetenv ("HOME");
  CHECK_INT (tinta_project_recovery_path (NULL, b, sizeof b), TINTA_ERR_UNWRITABLE);
  if (home)
    setenv ("HOME", home, 1);
  free (home);

  /* A recovery file round trips the project it stands for. */
  tinta_error err = { 0 };
  tinta_project *p = NULL, *q = NULL;
  CHECK_STATUS (tinta_project_load (project_file, &p, &err), TINTA_OK, &err);
  if (p == NULL)
    return;
  p->recovery_of = strdup ("/home/ana/films/shot.tinta");
  CHECK_STATUS (tinta_project_save (p, a, &err), TINTA_OK, &err);
  CHECK_STATUS (tinta_project_load (a, &q, &err), TINTA_OK, &err);
  CHECK (q && q->recovery_of && strcmp (q->recovery_of, p->recovery_of) == 0);
  tinta_project_free (p);
  tinta_project_free (q);
}

int
main (void)
{
  static uint8_t rgb0[W * H * 3];
  static float alpha50[W * H];
  tinta_stroke strokes[2];
  char clip[4200], path[4200], again[4200], real[4200];
  tinta_error err = { 0 };
  dir = tu_scratch_dir ("project");

  test_model ();

  snprintf (clip, sizeof clip, "%s/clip.mp4", dir);
  tu_write_file (clip, "not really a clip", 17);
  tinta_project *p = make_project (clip, rgb0, alpha50, strokes);
  snprintf (path, sizeof path, "%s/roundtrip.tinta", dir);
  CHECK_STATUS (tinta_project_save (p, path, &err), TINTA_OK, &err);
  CHECK_INT (temp_files_in (dir), 0);

  tinta_project *q = NULL;
  CHECK_STATUS (tinta_project_load (path, &q, &err), TINTA_OK, &err);
  CHECK (realpath (clip, real) != NULL);
  if (q != NULL)
    compare_projects (p, q, rgb0, alpha50, strokes, real);

  /* Saving what was loaded writes the same bytes. */
  snprintf (again, sizeof again, "%s/again.tinta", dir);
  if (q != NULL)
    CHECK_STATUS (tinta_project_save (q, again, &err), TINTA_OK, &err);
  size_t n1 = 0, n2 = 0;
  char *t1 = read_all (path, &n1), *t2 = read_all (again, &n2);
  char *g = t1 ? strstr (t1, "\"generator\"") : NULL;
  CHECK (t1 && t2 && n1 == n2 && memcmp (t1, t2, n1) == 0);
  CHECK (g != NULL && strstr (t1, "\"format\":\t\"tinta-project\"") != NULL);
  free (t1);
  free (t2);

  /* The same from memory, without a path: the clip is resolved against
   * the current folder, so only the absolute path can match. */
  {
    tinta_project *m = NULL;
    char *t = read_all (path, &n1);
    CHECK_STATUS (tinta_project_load_memory (t, n1, NULL, &m, &err), TINTA_OK, &err);
    CHECK (m != NULL && m->n_keys == 2 && strcmp (m->clip_path, real) == 0);
    tinta_project_free (m);
    free (t);
  }

  test_atomic (p);
  test_hostile (path);
  test_paths (p);
  test_recovery (path);

  tinta_project_free (p);
  tinta_project_free (q);
  /* TINTA_TEST_KEEP=1 keeps the files for a look at the format. */
  if (getenv ("TINTA_TEST_KEEP") == NULL)
    tu_run ("rm -rf '%s'", dir);
  free (dir);
  return tinta_test_end ("project");
}
