/* tinta-error.h: the TINTA_ERROR GError domain.  The engine reports a
 * tinta_status and a tinta_error; the UI turns them into a GError whose code
 * is the engine's status (TINTA_ERR_*), so callers can still tell "not
 * found" from "unsupported codec", and whose message is the engine's
 * detail.  tinta_error_describe() gives the translated sentence the user
 * sees for a code. */
#pragma once

#include <glib.h>
#include <tinta/tinta.h>

G_BEGIN_DECLS

#define TINTA_ERROR (tinta_error_quark ())

GQuark      tinta_error_quark    (void);
void        tinta_set_error      (GError            **error,
                                  int                 status,
                                  const tinta_error  *detail);
const char *tinta_error_describe (const GError       *error);

G_END_DECLS
