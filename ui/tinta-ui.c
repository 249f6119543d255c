/* tinta-ui.c: one-time registration of the editor's GResource.
 *
 * The resource is compiled with --manual-register because libtinta-ui is a
 * static library: the generated constructor would sit in an object file
 * nothing references, and the linker would drop it.  Every class that loads
 * from the resource calls tinta_ui_ensure_resources() in class_init, so the
 * order in which types are first used does not matter. */

#include "config.h"

#include "tinta-ui.h"
#include "tinta-resources.h"

void
tinta_ui_ensure_resources (void)
{
  static gsize registered;

  if (g_once_init_enter (&registered))
    {
      tinta_register_resource ();
      g_once_init_leave (&registered, 1);
    }
}
