/* Where model files are: $TINTA_MODEL_DIR (tests, users with their own
 * models), the build tree's models/ (where the build converts and
 * trains them, so an uninstalled build just works), the installed data
 * folder. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "tinta/dvp.h"

#ifndef TINTA_BUILD_MODEL_DIR
#define TINTA_BUILD_MODEL_DIR ""
#endif
#ifndef TINTA_DATA_MODEL_DIR
#define TINTA_DATA_MODEL_DIR ""
#endif

int
tinta_model_find (const char *file, char *buf, size_t size)
{
  const char *dirs[3] = { getenv ("TINTA_MODEL_DIR"), TINTA_BUILD_MODEL_DIR, TINTA_DATA_MODEL_DIR };
  const char *first = NULL;
  for (int i = 0; i < 3; i++)
    {
      if (dirs[i] == NULL || dirs[i][0] == '\0')
        continue;
      if (first == NULL)
        first = dirs[i];
      snprintf (buf, size, "%s/%s", dirs[i], file);
      if (access (buf, R_OK) == 0)
        return 1;
    }
  snprintf (buf, size, "%s/%s", first ? first : ".", file);
  return 0;
}
