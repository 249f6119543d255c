/* Atomic replacement of outputs and precise checks of inputs.
 *
 * Why: a user must never find a half-written video under the name they
 * asked for (crash, disk full, cancel), and must never lose the previous
 * good file either.  Everything is written under a hidden temporary name in
 * the target folder, fsynced, then renamed (atomic on POSIX file systems),
 * and the folder is fsynced so the rename itself survives a power cut. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/fileutil.h"
#include "core/internal.h"

int
tinta_check_input (const char *path, int *is_dir, long long *size, tinta_error *err)
{
  struct stat st;

  if (path == NULL || path[0] == '\0')
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "no input path given");
  if (stat (path, &st) != 0)
    {
      int e = errno;
      if (e == ENOENT || e == ENOTDIR)
        return tinta_fail (err, TINTA_ERR_NOT_FOUND, path, "no such file or folder");
      return tinta_fail (err, TINTA_ERR_IO, path, "cannot access: %s", strerror (e));
    }
  if (is_dir)
    *is_dir = S_ISDIR (st.st_mode);
  if (size)
    *size = (long long) st.st_size;
  if (S_ISDIR (st.st_mode))
    {
      if (access (path, R_OK | X_OK) != 0)
        return tinta_fail (err, TINTA_ERR_IO, path, "folder is not readable: %s", strerror (errno));
      return TINTA_OK;
    }
  if (!S_ISREG (st.st_mode))
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "not a regular file");
  if (access (path, R_OK) != 0)
    return tinta_fail (err, TINTA_ERR_IO, path, "file is not readable: %s", strerror (errno));
  if (st.st_size == 0)
    return tinta_fail (err, TINTA_ERR_EMPTY_FILE, path, "file is empty (0 bytes)");
  return TINTA_OK;
}

static void
split_dir (const char *path, char *dir, size_t dir_size, const char **base)
{
  const char *slash = strrchr (path, '/');
  if (slash == NULL)
    {
      snprintf (dir, dir_size, ".");
      *base = path;
    }
  else if (slash == path)
    {
      snprintf (dir, dir_size, "/");
      *base = slash + 1;
    }
  else
    {
      snprintf (dir, dir_size, "%.*s", (int) (slash - path), path);
      *base = slash + 1;
    }
}

int
tinta_temp_path_for (const char *final_path, const char *suffix,
                     char *out, size_t out_size, tinta_error *err)
{
  static atomic_uint counter;
  char dir[4096];
  const char *base;
  struct stat st;
  char trimmed[4096];

  if (final_path == NULL || final_path[0] == '\0')
    return tinta_fail (err, TINTA_ERR_UNWRITABLE, "", "no output path given");
  /* "out/frames/" names the folder "out/frames". */
  snprintf (trimmed, sizeof trimmed, "%s", final_path);
  for (size_t n = strlen (trimmed); n > 1 && trimmed[n - 1] == '/'; n--)
    trimmed[n - 1] = '\0';
  split_dir (trimmed, dir, sizeof dir, &base);
  if (base[0] == '\0')
    return tinta_fail (err, TINTA_ERR_UNWRITABLE, final_path, "output path names no file");
  if (stat (dir, &st) != 0)
    return tinta_fail (err, TINTA_ERR_UNWRITABLE, final_path,
                       "output folder %s does not exist", dir);
  if (!S_ISDIR (st.st_mode))
    return tinta_fail (err, TINTA_ERR_UNWRITABLE, final_path,
                       "%s is not a folder", dir);
  if (access (dir, W_OK | X_OK) != 0)
    return tinta_fail (err, TINTA_ERR_UNWRITABLE, final_path,
                       "output folder %s is not writable: %s", dir, strerror (errno));
  if (stat (trimmed, &st) == 0 && S_ISDIR (st.st_mode) && suffix && suffix[0] != '/')
    return tinta_fail (err, TINTA_ERR_UNWRITABLE, final_path,
                       "a folder already exists under that name");
  int n = snprintf (out, out_size, "%s/.%s.tmp-%ld-%u%s", dir, base, (long) getpid (),
                    atomic_fetch_add (&counter, 1u), suffix && suffix[0] != '/' ? suffix : "");
  if (n < 0 || (size_t) n >= out_size)
    return tinta_fail (err, TINTA_ERR_UNWRITABLE, final_path, "output path is too long");
  return TINTA_OK;
}

static int
fsync_one (const char *path, int flags)
{
  int fd = open (path, flags | O_CLOEXEC);
  if (fd < 0)
    return -1;
  int r = fsync (fd);
  /* Some file systems refuse fsync on folders (EINVAL): not an error. */
  if (r != 0 && (errno == EINVAL || errno == EROFS))
    r = 0;
  close (fd);
  return r;
}

int
tinta_commit_path (const char *tmp_path, const char *final_path, tinta_error *err)
{
  struct stat st;
  char dir[4096];
  const char *base;

  if (stat (tmp_path, &st) != 0)
    return tinta_fail (err, TINTA_ERR_IO, final_path, "temporary output vanished: %s",
                       strerror (errno));
  if (S_ISDIR (st.st_mode))
    {
      DIR *d = opendir (tmp_path);
      struct dirent *de;
      if (d == NULL)
        return tinta_fail (err, TINTA_ERR_IO, final_path, "cannot read %s", tmp_path);
      while ((de = readdir (d)) != NULL)
        {
          char p[4352];
          if (de->d_name[0] == '.')
            continue;
          snprintf (p, sizeof p, "%s/%s", tmp_path, de->d_name);
          if (fsync_one (p, O_RDONLY) != 0)
            {
              int e = errno;
              closedir (d);
              return tinta_fail (err, TINTA_ERR_IO, final_path, "fsync failed: %s", strerror (e));
            }
        }
      closedir (d);
      if (fsync_one (tmp_path, O_RDONLY | O_DIRECTORY) != 0)
        return tinta_fail (err, TINTA_ERR_IO, final_path, "fsync failed: %s", strerror (errno));
      /* rename() replaces an empty folder only; a previous PNG export is
       * moved aside first and removed once the new one is in place. */
      if (stat (final_path, &st) == 0 && S_ISDIR (st.st_mode))
        {
          char old[4200];
          snprintf (old, sizeof old, "%s.old-%ld", tmp_path, (long) getpid ());
          if (rename (final_path, old) != 0)
            return tinta_fail (err, TINTA_ERR_UNWRITABLE, final_path,
                               "cannot replace the existing folder: %s", strerror (errno));
          if (rename (tmp_path, final_path) != 0)
            {
              int e = errno;
              rename (old, final_path);
              return tinta_fail (err, TINTA_ERR_UNWRITABLE, final_path,
                                 "cannot move the result into place: %s", strerror (e));
            }
          tinta_remove_path (old);
        }
      else if (rename (tmp_path, final_path) != 0)
        return tinta_fail (err, TINTA_ERR_UNWRITABLE, final_path,
                           "cannot move the result into place: %s", strerror (errno));
    }
  else
    {
      if (fsync_one (tmp_path, O_RDONLY) != 0)
        return tinta_fail (err, TINTA_ERR_IO, final_path, "fsync failed: %s", strerror (errno));
      if (rename (tmp_path, final_path) != 0)
        return tinta_fail (err, TINTA_ERR_UNWRITABLE, final_path,
                           "cannot move the result into place: %s", strerror (errno));
    }
  split_dir (final_path, dir, sizeof dir, &base);
  if (fsync_one (dir, O_RDONLY | O_DIRECTORY) != 0)
    return tinta_fail (err, TINTA_ERR_IO, final_path, "fsync of folder failed: %s",
                       strerror (errno));
  return TINTA_OK;
}

void
tinta_remove_path (const char *path)
{
  struct stat st;
  if (path == NULL || lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      DIR *d = opendir (path);
      if (d != NULL)
        {
          struct dirent *de;
          while ((de = readdir (d)) != NULL)
            {
              char p[4352];
              if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
                continue;
              snprintf (p, sizeof p, "%s/%s", path, de->d_name);
              unlink (p);
            }
          closedir (d);
        }
      rmdir (path);
    }
  else
    unlink (path);
}

int
tinta_write_file_atomic (const char *path, const void *data, size_t size, tinta_error *err)
{
  char tmp[4352];
  int st = tinta_temp_path_for (path, "", tmp, sizeof tmp, err);
  if (st < 0)
    return st;
  int fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return tinta_fail (err, TINTA_ERR_UNWRITABLE, path, "cannot create: %s", strerror (errno));
  const unsigned char *p = data;
  size_t left = size;
  while (left > 0)
    {
      ssize_t w = write (fd, p, left);
      if (w < 0)
        {
          if (errno == EINTR)
            continue;
          int e = errno;
          close (fd);
          unlink (tmp);
          return tinta_fail (err, TINTA_ERR_IO, path, "write failed: %s", strerror (e));
        }
      p += w;
      left -= (size_t) w;
    }
  if (close (fd) != 0)
    {
      int e = errno;
      unlink (tmp);
      return tinta_fail (err, TINTA_ERR_IO, path, "write failed: %s", strerror (e));
    }
  st = tinta_commit_path (tmp, path, err);
  if (st < 0)
    unlink (tmp);
  return st;
}
