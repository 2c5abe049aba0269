/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Convergence: a device vfio-bind bound (record.h) that no entry selects any more goes back to
 * its host driver. plan_releases decides (pure, plan stage); apply_releases and record_commit
 * write (apply stage).
 */

#include "pipeline.h"
#include "report.h"

/*
 * Pure. A release action per recorded device of this origin that no entry selects and that is
 * still as vfio-bind left it (record_owns), in snapshot order, into p->releases.
 */
int plan_releases(struct plan *p, const struct record *rec, const char *origin,
                  const struct selection *sel, const struct snapshot *s);

/* The ORIGIN a selected device is recorded with: the command line's own, or the run's. */
const char *item_origin(const struct pipeline *p, const struct selected_device *item);

/*
 * Runs p->plan.releases through revert_device: results[i] belongs to releases[i] ("released",
 * or "failed"). A device someone changed since the plan is left alone. Returns the failures.
 */
size_t apply_releases(struct pipeline *p, struct result *results);

/*
 * The record after this run, written when it differs from the one read: recorded devices still
 * as vfio-bind left them, plus those the n results show it bound now (from a host driver or
 * none). results NULL (before apply_plan): every planned bind is recorded ahead, so that a run
 * killed midway leaves none unrecorded; the call after apply_plan drops those that failed.
 * Errors are logged as warnings: a record not written costs a release later, not this run.
 */
void record_commit(struct pipeline *p, const struct result *results, size_t n);
