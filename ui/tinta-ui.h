/* tinta-ui.h: what every part of the editor shares — registering the
 * compiled GResource once, and g_autoptr cleanups for the engine's opaque
 * types so ownership of frames and media moves with g_steal_pointer like
 * any GObject.  The engine stays free of GLib; these declarations live on
 * the UI side of the line. */
#pragma once

#include <glib.h>
#include <tinta/tinta.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (tinta_frame, tinta_frame_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (tinta_media, tinta_media_free)

#define TINTA_APPLICATION_ID "org.tinta.Tinta"
#define TINTA_RESOURCE_PATH "/org/tinta/Tinta"

void tinta_ui_ensure_resources (void);

G_END_DECLS
