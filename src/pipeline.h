/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "apply.h"
#include "config.h"
#include "discover.h"
#include "plan.h"
#include "record.h"
#include "resolve.h"
#include "select.h"

/* config -> discover -> select -> resolve -> plan: everything a verb needs before apply. */
struct pipeline {
        struct config config;
        struct snapshot snapshot;
        struct selection selection;
        struct resolver *resolver;
        struct target *targets; /* one per selection item */
        struct plan plan;
        unsigned extra_buses; /* 1 << BUS_x: discovered besides those the configuration names */
        /* Input, read once before the first discovery: what vfio-bind bound (record.h). */
        struct record record;
        bool record_loaded, record_ignored; /* ignored: a bad file, which the next save replaces */
        char origin[RECORD_ORIGIN_MAX]; /* of the configuration loaded; "" none (no releases) */
        /* The early run: an SR-IOV PF with no driver yet is left to udev (plan.h), not an error. */
        bool defer_driverless_pfs;
        /*
         * Why the module index cannot be read ("" when it can): then resolver is NULL and each
         * device that needs resolution is refused with this (resolve_target_without_index).
         * Said once per process, as an error when a selected device needs resolution.
         */
        char index_error[INDEX_ERROR_MAX];
        int index_errno;
        bool index_error_said;
        bool resolution_unused; /* revert: the targets are not used, the index is no error */
        /*
         * No row printed shows the serial column (apply --boot prints none; a table shows it
         * only with -o), so the serials are not read unless an entry selects by one: each is
         * a walk of the device's config space.
         */
        bool serials_unshown;
};

/* config_path NULL: the default file and drop-ins. Errors are logged; -EINVAL is a config error. */
int pipeline_load_config(struct pipeline *p, const char *config_path, enum config_flags flags);
/* The rest, once the configuration is in p->config. */
int pipeline_run(struct pipeline *p);
/* With -v: a short line per stage's result (discovered, selected, resolved, planned). */
void pipeline_log_debug(const struct pipeline *p);
void pipeline_done(struct pipeline *p);

/* What pipeline_apply ran, and how it went. */
struct applied {
        struct plan plan; /* p->plan (actions and releases), or one device's part of it */
        struct action *own_actions; /* that part, copied */
        struct result *results; /* one per action, then one per release */
        size_t n_results;
        size_t failed;
};

/*
 * The apply stage over p->plan (pipeline-apply.c): SR-IOV VFs created first, and then, when
 * some were, the pipeline run again so that the plan has them; then apply_plan, the PFs'
 * results, the releases, and the record. only NULL: everything; else the device of bus with
 * that name, and its VFs when it is an SR-IOV PF (udev). < 0 when planning again failed:
 * nothing else was bound.
 */
int pipeline_apply(struct pipeline *p, enum bus bus, const char *only, struct applied *ret);
void applied_done(struct applied *a);
/* The parts of p the apply stage works on. */
struct apply_ctx pipeline_apply_ctx(struct pipeline *p);

/*
 * The record after this run, written when it differs from the one read: recorded devices still
 * as vfio-bind left them, plus those the n results show it bound now (from a host driver or
 * none). results NULL (before apply_plan): every planned bind of plan is recorded ahead, so that
 * a run killed midway leaves none unrecorded; the call after apply_plan drops those that failed.
 * Errors are logged as warnings: a record not written costs a release later, not this run.
 */
void record_commit(struct pipeline *p, const struct plan *plan, const struct result *results,
                   size_t n);
