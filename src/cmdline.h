/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "config.h"

#define CMDLINE_PATH "/proc/cmdline"

/*
 * The kernel command line's say, its words split and unquoted as the kernel does:
 * "rd.vfio-bind=BOOL" or "vfio-bind=BOOL" (1/yes/y/true/t/on, 0/no/n/false/f/off, any case) is
 * the rescue switch: any one that says off, or that is not a boolean (logged), disables vfio-bind.
 * "rd.vfio-bind.devices=ADDR|VENDOR:DEVICE,..." adds devices for this boot: each occurrence on its
 * own, a malformed one logged and left out whole (-EINVAL, the others kept). With disabled, the
 * switch is read and its problems and unknown rd.vfio-bind.* words are logged; with c, the
 * devices are added and their problems logged: the early run does one, then the other.
 */
int cmdline_parse(const char *text, bool *disabled, struct config *c);
/*
 * The whole of /proc/cmdline in *ret (free it; NULL, with a warning, when it cannot be read),
 * and the rescue switch: what the early run and udev do first, before the configuration.
 */
void cmdline_load(char **ret, bool *disabled);

/*
 * Whether the command line text sets key (the kernel's word splitting, '-' and '_' alike in
 * the name), and the value of its last setting in value ("" without '='; cut to size).
 */
bool cmdline_get(const char *text, const char *key, char *value, size_t size);
