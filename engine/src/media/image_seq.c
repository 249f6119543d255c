/* Folders of numbered images as clips.
 *
 * Rules (the ones compositing tools use): a frame file is
 * <prefix><digits>.<image extension>; files are grouped by prefix and
 * extension, and the largest group is the clip (so a stray "notes.png" or
 * "thumb_01.jpg" beside "00000.jpg..." does not matter). Numbers must run
 * without a gap from the smallest: a missing frame would silently shift
 * every later keyframe, so it is an error that names the missing file.
 * Two files with the same number ("1.png" and "001.png") are ambiguous and
 * rejected too. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "core/internal.h"
#include "media/media_internal.h"

/* Beyond ten million frames (about 116 hours at 24 fps) a folder is
 * surely not a shot; the limit keeps memory bounded. */
#define MAX_SEQUENCE_FILES 10000000LL

typedef struct {
  char      *name;
  size_t     prefix_len;
  size_t     digits_len;
  const char *ext;
  long long  number;
} entry;

static const char *const image_exts[] = {
  "jpg", "jpeg", "png", "tif", "tiff", "bmp", "webp", "exr", "dpx", "tga",
  "ppm", "pgm", "pnm", "jp2", "j2k", NULL,
};

static int
is_image_ext (const char *ext)
{
  for (int i = 0; image_exts[i]; i++)
    if (strcasecmp (ext, image_exts[i]) == 0)
      return 1;
  return 0;
}

/* Splits "frame_0012.png" into prefix "frame_", number 12, ext "png". */
static int
parse_name (char *name, entry *e)
{
  const char *dot = strrchr (name, '.');
  if (dot == NULL || dot == name || !is_image_ext (dot + 1))
    return 0;
  const char *end = dot;
  const char *p = end;
  while (p > name && isdigit ((unsigned char) p[-1]))
    p--;
  size_t nd = (size_t) (end - p);
  if (nd == 0 || nd > 12)
    return 0;
  long long v = 0;
  for (const char *q = p; q < end; q++)
    v = v * 10 + (*q - '0');
  e->name = name;
  e->prefix_len = (size_t) (p - name);
  e->digits_len = nd;
  e->ext = dot + 1;
  e->number = v;
  return 1;
}

static int
same_group (const entry *x, const entry *y)
{
  return x->prefix_len == y->prefix_len
         && strncmp (x->name, y->name, x->prefix_len) == 0
         && strcasecmp (x->ext, y->ext) == 0;
}

static int
compare_entries (const void *pa, const void *pb)
{
  const entry *x = pa, *y = pb;
  int c = (x->prefix_len > y->prefix_len) - (x->prefix_len < y->prefix_len);
  if (c == 0)
    c = strncmp (x->name, y->name, x->prefix_len);
  if (c == 0)
    c = strcasecmp (x->ext, y->ext);
  if (c == 0)
    c = (x->number > y->number) - (x->number < y->number);
  return c;
}

void
tinta_image_seq_clear (tinta_image_seq *seq)
{
  if (seq == NULL)
    return;
  for (long long i = 0; i < seq->count; i++)
    free (seq->names[i]);
  free (seq->names);
  free (seq->dir);
  memset (seq, 0, sizeof *seq);
}

void
tinta_image_seq_path (const tinta_image_seq *seq, long long k, char *buf, size_t size)
{
  snprintf (buf, size, "%s/%s", seq->dir, seq->names[k]);
}

int
tinta_image_seq_scan (const char *dir, tinta_image_seq *seq, tinta_error *err)
{
  DIR *d;
  struct dirent *de;
  entry *entries = NULL;
  size_t n = 0, cap = 0;
  int status = TINTA_OK;

  memset (seq, 0, sizeof *seq);
  d = opendir (dir);
  if (d == NULL)
    return tinta_fail (err, errno == ENOENT ? TINTA_ERR_NOT_FOUND : TINTA_ERR_IO, dir,
                       "cannot read folder: %s", strerror (errno));
  while ((de = readdir (d)) != NULL)
    {
      entry e;
      char *copy;
      if (de->d_name[0] == '.')
        continue;
      copy = strdup (de->d_name);
      if (copy == NULL)
        {
          status = tinta_fail (err, TINTA_ERR_NO_MEMORY, dir, "out of memory");
          goto out;
        }
      if (!parse_name (copy, &e))
        {
          free (copy);
          continue;
        }
      if ((long long) n >= MAX_SEQUENCE_FILES)
        {
          free (copy);
          status = tinta_fail (err, TINTA_ERR_TOO_LARGE, dir, "more than %lld images",
                               MAX_SEQUENCE_FILES);
          goto out;
        }
      if (n == cap)
        {
          size_t ncap = cap ? cap * 2 : 256;
          entry *ne = realloc (entries, ncap * sizeof *ne);
          if (ne == NULL)
            {
              free (copy);
              status = tinta_fail (err, TINTA_ERR_NO_MEMORY, dir, "out of memory");
              goto out;
            }
          entries = ne;
          cap = ncap;
        }
      entries[n++] = e;
    }
  if (n == 0)
    {
      status = tinta_fail (err, TINTA_ERR_INVALID_DATA, dir,
                           "folder holds no numbered images (e.g. 00000.jpg, frame_0001.png)");
      goto out;
    }
  qsort (entries, n, sizeof *entries, compare_entries);

  /* The largest group wins; ties go to the first in sort order. */
  size_t best_start = 0, best_len = 0;
  for (size_t i = 0; i < n;)
    {
      size_t j = i + 1;
      while (j < n && same_group (&entries[i], &entries[j]))
        j++;
      if (j - i > best_len)
        {
          best_start = i;
          best_len = j - i;
        }
      i = j;
    }

  entry *g = entries + best_start;
  for (size_t i = 1; i < best_len; i++)
    {
      if (g[i].number == g[i - 1].number)
        {
          status = tinta_fail (err, TINTA_ERR_INVALID_DATA, dir,
                               "%s and %s have the same frame number", g[i - 1].name, g[i].name);
          goto out;
        }
      if (g[i].number != g[i - 1].number + 1)
        {
          /* Name the first missing file the way its neighbour is padded. */
          status = tinta_fail (err, TINTA_ERR_SEQUENCE_GAP, dir,
                               "image sequence has a gap: %.*s%0*lld.%s is missing "
                               "(between %s and %s)",
                               (int) g[i - 1].prefix_len, g[i - 1].name,
                               (int) g[i - 1].digits_len, g[i - 1].number + 1, g[i - 1].ext,
                               g[i - 1].name, g[i].name);
          goto out;
        }
    }

  seq->dir = strdup (dir);
  seq->names = calloc (best_len, sizeof *seq->names);
  if (seq->dir == NULL || seq->names == NULL)
    {
      status = tinta_fail (err, TINTA_ERR_NO_MEMORY, dir, "out of memory");
      goto out;
    }
  for (size_t i = 0; i < best_len; i++)
    {
      seq->names[i] = g[i].name;
      g[i].name = NULL;   /* moved */
    }
  seq->count = (long long) best_len;
  seq->first_number = g[0].number;

out:
  closedir (d);
  for (size_t i = 0; i < n; i++)
    free (entries[i].name);
  free (entries);
  if (status < 0)
    tinta_image_seq_clear (seq);
  return status;
}
