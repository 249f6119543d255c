/* Atomic file writing for every output the engine and its front ends save
 * (reports, projects, images): temp file beside the target, fsync, rename,
 * fsync of the folder. A crash or a full disk never leaves a half-written
 * file under the final name, and the previous file survives a failure.
 *
 *   tinta_write_file_atomic ("report.json", text, strlen (text), &err);
 *
 * Thread safety: reentrant. */
#pragma once

#include <stddef.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

int tinta_write_file_atomic (const char *path, const void *data, size_t size,
                             tinta_error *err);

#ifdef __cplusplus
}
#endif
