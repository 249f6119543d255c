/* main.c: the `tinta` executable.  Sets up translations and hands over to
 * TintaApplication; everything else is in libtinta-ui and
 * tinta-application.c so the tests link the same code. */

#include "config.h"

#include <glib/gi18n.h>

#include "tinta-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TintaApplication) application = NULL;

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  application = tinta_application_new ();

  return g_application_run (G_APPLICATION (application), argc, argv);
}
