/* Status strings and error filling for every engine function. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "core/internal.h"

const char *
tinta_status_str (int status)
{
  switch ((tinta_status) status)
    {
    case TINTA_OK: return "success";
    case TINTA_CANCELLED: return "cancelled";
    case TINTA_ERR_INVALID_ARGUMENT: return "invalid argument";
    case TINTA_ERR_NO_MEMORY: return "out of memory";
    case TINTA_ERR_IO: return "input/output error";
    case TINTA_ERR_NOT_FOUND: return "no such file or folder";
    case TINTA_ERR_EMPTY_FILE: return "file is empty";
    case TINTA_ERR_INVALID_DATA: return "not in a format that can be read";
    case TINTA_ERR_TRUNCATED: return "file is truncated";
    case TINTA_ERR_UNSUPPORTED_CODEC: return "unsupported codec";
    case TINTA_ERR_UNSUPPORTED_PIXFMT: return "unsupported pixel format";
    case TINTA_ERR_SEQUENCE_GAP: return "image sequence has a gap in its numbering";
    case TINTA_ERR_SIZE_MISMATCH: return "image size does not match the clip";
    case TINTA_ERR_UNWRITABLE: return "output path cannot be written";
    case TINTA_ERR_OUT_OF_RANGE: return "value out of range";
    case TINTA_ERR_TOO_LARGE: return "too large";
    case TINTA_ERR_NO_VIDEO: return "no video stream";
    case TINTA_ERR_DECODE: return "decoding failed";
    case TINTA_ERR_ENCODE: return "encoding failed";
    case TINTA_ERR_UNKNOWN_NAME: return "unknown name";
    case TINTA_ERR_INTERNAL: return "internal error";
    default: break;
    }
  return "unknown status";
}

int
tinta_fail (tinta_error *err, int status, const char *path, const char *fmt, ...)
{
  if (err != NULL)
    {
      va_list ap;
      err->status = status;
      snprintf (err->path, sizeof err->path, "%s", path ? path : "");
      if (fmt != NULL)
        {
          va_start (ap, fmt);
          vsnprintf (err->message, sizeof err->message, fmt, ap);
          va_end (ap);
        }
      else
        snprintf (err->message, sizeof err->message, "%s", tinta_status_str (status));
    }
  return status;
}

const char *
tinta_error_format (const tinta_error *err, char *buf, size_t size)
{
  if (size == 0)
    return buf;
  if (err == NULL)
    {
      buf[0] = '\0';
      return buf;
    }
  const char *msg = err->message[0] ? err->message : tinta_status_str (err->status);
  if (err->path[0])
    snprintf (buf, size, "%s: %s", err->path, msg);
  else
    snprintf (buf, size, "%s", msg);
  return buf;
}

double
tinta_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}
