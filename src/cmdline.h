/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "config.h"

#define CMDLINE_PATH "/proc/cmdline"

/*
 * The kernel command line's say: "rd.vfio-bind=0" or "vfio-bind=0" disables vfio-bind (rescue);
 * "rd.vfio-bind.devices=ADDR|VENDOR:DEVICE,..." adds devices for this boot. A malformed list is
 * refused whole (logged, -EINVAL) so that nothing of it is half-applied.
 */
int cmdline_parse(const char *text, bool *disabled, struct config *c);
/*
 * The whole of /proc/cmdline in *ret (free it; NULL, with a warning, when it cannot be read),
 * and the rescue switch: what the early run and udev do first, before the configuration.
 */
void cmdline_load(char **ret, bool *disabled);
