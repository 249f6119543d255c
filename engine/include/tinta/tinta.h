/* Umbrella header of libtinta-engine: the colorization engine of Tinta,
 * without any GLib or GTK dependency (the editor, tinta-cli and the tests
 * link it alike).  See each header for its usage example and thread-safety
 * rule. */
#pragma once

#include "status.h"
#include "frame.h"
#include "color.h"
#include "media.h"
#include "export.h"
#include "eval.h"
#include "fileio.h"
#include "nn.h"
#include "dvp.h"
#include "upsample.h"
#include "cuts.h"
#include "colorize.h"
#include "project.h"
#include "paint.h"

#define TINTA_VERSION_STRING "0.1.0"
