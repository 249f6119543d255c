/* tinta-export-dialog.h: TintaExportDialog, the modal window that exports
 * the open clip colorized (format, frame range, strategy, output path),
 * then shows the export's progress with fps and ETA and lets it be
 * cancelled.  The export runs on a thread of its own with its own decoder
 * (the clip's worker keeps going), exactly like `tinta-cli colorize`:
 * analysis, then the colorizing export, atomic (tinta/export.h).  The
 * clip's full keyframes guide it, and its partial (painted) ones are laid
 * over the propagation at their frames like the editor's worker does
 * (tinta_colorizer_add_partial); only the Global strategy leaves them
 * out, and the dialog says so.
 *
 * ::finished (gboolean success, const char *path) is emitted on the main
 * thread when an export ends (cancelled: success FALSE, path NULL).  On
 * success the dialog then closes itself: the window that opened it tells
 * the user (TintaWindow's toast).  On failure it stays, showing the
 * engine's message.
 *
 * Main thread only. */
#pragma once

#include <gtk/gtk.h>
#include <tinta/export.h>

#include "tinta-clip.h"

G_BEGIN_DECLS

#define TINTA_TYPE_EXPORT_DIALOG (tinta_export_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TintaExportDialog, tinta_export_dialog, TINTA, EXPORT_DIALOG, GtkWindow)

TintaExportDialog *tinta_export_dialog_new          (GtkWindow         *parent,
                                                     TintaClip         *clip);
/* For tests and scripting: what the widgets would say. */
void               tinta_export_dialog_set_output   (TintaExportDialog *self,
                                                     const char        *path);
void               tinta_export_dialog_set_format   (TintaExportDialog *self,
                                                     tinta_format       format);
/* first..last inclusive; last < 0: all frames. */
void               tinta_export_dialog_set_range    (TintaExportDialog *self,
                                                     gint64             first,
                                                     gint64             last);
/* Like the Export button (asks before overwriting). */
void               tinta_export_dialog_start        (TintaExportDialog *self);
void               tinta_export_dialog_cancel       (TintaExportDialog *self);
gboolean           tinta_export_dialog_is_running   (TintaExportDialog *self);
/* The last failure's message, or NULL. */
const char        *tinta_export_dialog_get_error    (TintaExportDialog *self);
/* Frames the last successful export wrote (0 before one). */
gint64             tinta_export_dialog_get_exported_frames (TintaExportDialog *self);

G_END_DECLS
