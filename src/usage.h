/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "discover.h"

/*
 * Marks devices whose detaching would hurt the host: a mounted filesystem on them, a network
 * interface that is up with routes or global addresses, the boot VGA device with the console.
 */
void usage_scan(struct snapshot *s);
