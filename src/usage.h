/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "discover.h"

/*
 * Marks devices whose detaching would hurt the host: a mounted filesystem or active swap on them
 * (through LVM, dm-crypt and md too), a network interface that is up with routes or global
 * addresses (or a port of a bridge, bond or VLAN that is), the boot VGA device with the console.
 */
void usage_scan(struct snapshot *s);
/*
 * Only the console part: the boot VGA device efifb or simplefb draws the console on has no
 * host driver, yet detaching it would blank the console. For a pipeline whose selected devices
 * have no driver (usage_scan would find nothing else on them).
 */
void usage_scan_console(struct snapshot *s);
