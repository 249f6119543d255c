/* tinta-application.h: TintaApplication, the GtkApplication of the editor
 * (id org.tinta.Tinta).  Activation opens an empty window; files given on
 * the command line (videos or folders of numbered images) each open in a
 * window of their own. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TINTA_TYPE_APPLICATION (tinta_application_get_type ())

G_DECLARE_FINAL_TYPE (TintaApplication, tinta_application, TINTA, APPLICATION, GtkApplication)

TintaApplication *tinta_application_new (void);

G_END_DECLS
