/* tinta-error.c: engine status -> GError, and the translated sentence for
 * each status.  The engine's own messages are English and name the exact
 * cause (a path, a size); the UI shows a translated reason first and keeps
 * the engine's detail beside it, so nothing precise is lost for a bug
 * report. */

#include "config.h"

#include <glib/gi18n.h>

#include "tinta-error.h"

G_DEFINE_QUARK (tinta-error-quark, tinta_error)

void
tinta_set_error (GError            **error,
                 int                 status,
                 const tinta_error  *detail)
{
  tinta_error filled = {0};
  char buf[sizeof filled.path + sizeof filled.message + 8];

  g_return_if_fail (status < 0);

  if (detail != NULL)
    filled = *detail;
  /* An engine function that failed before filling the detail would
   * otherwise be described by status 0 ("ok"). */
  if (filled.status == 0)
    filled.status = status;

  tinta_error_format (&filled, buf, sizeof buf);

  g_set_error_literal (error, TINTA_ERROR, status, buf);
}

const char *
tinta_error_describe (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != TINTA_ERROR)
    return error->message;

  /* The code is an int, not the enum, so -Wswitch-enum does not ask for
   * TINTA_OK and TINTA_CANCELLED, which never become errors. */
  switch (error->code)
    {
    case TINTA_ERR_INVALID_ARGUMENT:
      return _("Tinta made an invalid request. Please report this problem.");
    case TINTA_ERR_NO_MEMORY:
      return _("There is not enough memory.");
    case TINTA_ERR_IO:
      return _("The file could not be read or written.");
    case TINTA_ERR_NOT_FOUND:
      return _("The file or folder does not exist.");
    case TINTA_ERR_EMPTY_FILE:
      return _("The file is empty.");
    case TINTA_ERR_INVALID_DATA:
      return _("The file is not a video or image format Tinta can read.");
    case TINTA_ERR_TRUNCATED:
      return _("The file ends early; it may be incomplete.");
    case TINTA_ERR_UNSUPPORTED_CODEC:
      return _("The video uses a codec that is not supported on this system.");
    case TINTA_ERR_UNSUPPORTED_PIXFMT:
      return _("The video uses a pixel format Tinta cannot convert.");
    case TINTA_ERR_SEQUENCE_GAP:
      return _("The numbered images have a gap in their numbering.");
    case TINTA_ERR_SIZE_MISMATCH:
      return _("The image size does not match the clip.");
    case TINTA_ERR_UNWRITABLE:
      return _("The output location cannot be written to.");
    case TINTA_ERR_OUT_OF_RANGE:
      return _("A frame or value is out of range.");
    case TINTA_ERR_TOO_LARGE:
      return _("The frames are larger than Tinta can handle.");
    case TINTA_ERR_NO_VIDEO:
      return _("The file contains no video.");
    case TINTA_ERR_DECODE:
      return _("The video data is damaged and could not be decoded.");
    case TINTA_ERR_ENCODE:
      return _("The video could not be encoded.");
    case TINTA_ERR_UNKNOWN_NAME:
      return _("An unknown name was given.");
    case TINTA_ERR_INTERNAL:
      return _("Tinta ran into an internal error. Please report this problem.");
    default:
      return error->message;
    }
}
