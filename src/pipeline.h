/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

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
};

/* config_path NULL: the default file and drop-ins. Errors are logged; -EINVAL is a config error. */
int pipeline_load_config(struct pipeline *p, const char *config_path, enum config_flags flags);
/* The rest, once the configuration is in p->config. */
int pipeline_run(struct pipeline *p);
/* With -v: a short line per stage's result (discovered, selected, resolved, planned). */
void pipeline_log_debug(const struct pipeline *p);
void pipeline_done(struct pipeline *p);

/* An explicit module for a device of bus (which may be absent): known, and a VFIO driver. */
void resolve_module(struct resolver *r, enum bus bus, const char *module, struct target *ret);
/* The resolve stage for one device: an explicit module wins, else the modalias decides. */
void resolve_target(struct resolver *r, const struct device *d, const char *explicit_module,
                    struct target *ret);
