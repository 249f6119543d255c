/* File helpers: atomic replacement (temp + fsync + rename), input checks
 * that name the problem precisely. Private to the engine. */
#pragma once

#include <stddef.h>
#include "tinta/status.h"

/* Checks that `path` exists (NOT_FOUND), is readable (IO) and, for a
 * regular file, is not empty (EMPTY_FILE). *is_dir tells which it is. */
int tinta_check_input (const char *path, int *is_dir, long long *size,
                       tinta_error *err);

/* Builds a hidden temporary name beside `final_path` in the same folder
 * (so rename() is atomic): "<dir>/.<base>.tmp-<pid>-<n><suffix>". Fails
 * with UNWRITABLE if the folder does not exist or is not writable, or if a
 * folder already stands under the final name (unless `suffix` starts with
 * '/', which asks for a temporary *folder* name and adds no suffix). */
int tinta_temp_path_for (const char *final_path, const char *suffix,
                         char *out, size_t out_size, tinta_error *err);

/* fsyncs `tmp_path` (file or folder and its files), renames it over
 * `final_path`, and fsyncs the parent folder. A folder replaces an
 * existing folder by moving that one aside and deleting its files after
 * the rename: callers must first make sure the old folder holds only what
 * they would overwrite (export.c accepts only numbered PNGs). */
int tinta_commit_path (const char *tmp_path, const char *final_path,
                       tinta_error *err);

/* Removes a file, or a folder and the files directly in it. Ignores
 * errors (used on failure paths). */
void tinta_remove_path (const char *path);

/* tinta_write_file_atomic() is public: tinta/fileio.h. */
#include "tinta/fileio.h"
