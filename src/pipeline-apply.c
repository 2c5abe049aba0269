/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The orchestrator's apply: SR-IOV VFs created first and the pipeline run again over a snapshot
 * that has them, then the plan, the PFs' results, the releases, and the record of what
 * vfio-bind bound. The one place 'apply' and 'udev' run the apply stage from.
 */
#include "cmdline.h"
#include "log.h"
#include "pipeline.h"

/* The ORIGIN a selected device is recorded with: the command line's own, or the run's. */
static const char *item_origin(const struct pipeline *p, const struct selected_device *item)
{
        if (item->entry && streq(item->entry->loc.file, CMDLINE_PATH))
                return RECORD_ORIGIN_CMDLINE;
        return p->origin;
}

static void make_entry(const struct pipeline *p, const struct selected_device *item,
                       const char *driver, const char *previous, struct record_entry *ret)
{
        const struct device *d = item->device;

        *ret = (struct record_entry){ .bus = d->bus, .has_id = d->bus == BUS_PCI, .id = d->id };
        snprintf(ret->name, sizeof(ret->name), "%s", d->name);
        snprintf(ret->driver, sizeof(ret->driver), "%s", driver);
        snprintf(ret->previous, sizeof(ret->previous), "%s", previous);
        snprintf(ret->origin, sizeof(ret->origin), "%s", item_origin(p, item));
}

/* A selected device that is on the vfio driver its action names, as an entry. */
static bool bound_now(const struct pipeline *p, const struct result *res,
                      struct record_entry *ret)
{
        const struct action *a = res->action;
        const struct device *d = a->item->device;
        const char *driver = res->driver; /* the one apply bound it to */

        if (a->kind == ACTION_RELEASE || a->kind == ACTION_ERROR || a->item->sriov_pf ||
            !driver[0] || !streq(d->driver, driver) || !streq(d->driver_override, driver))
                return false;
        make_entry(p, a->item, driver, res->previous_driver, ret);
        return true;
}

/*
 * A device that was on a VFIO driver before this run is not vfio-bind's to give back, unless
 * it was already (the configuration named another VFIO driver for it since).
 */
static bool taken_from_host(const struct pipeline *p, struct record_entry *e)
{
        const struct record_entry *old = record_find(&p->record, e->bus, e->name);

        if (!driver_is_vfio(e->previous))
                return true;
        if (!old || !streq(old->driver, e->previous))
                return false;
        snprintf(e->previous, sizeof(e->previous), "%s", old->previous);
        return true;
}

/* Before apply_plan: every planned bind, as if it succeeded. */
static int add_intents(const struct pipeline *p, const struct plan *plan, struct record *next)
{
        for (size_t i = 0; i < plan->n_actions; i++) {
                const struct action *a = &plan->actions[i];
                const struct device *d = a->item->device;
                struct record_entry e;
                int r;

                if (a->kind != ACTION_BIND || a->item->sriov_pf || !a->target->driver[0] ||
                    record_find(next, d->bus, d->name))
                        continue;
                make_entry(p, a->item, a->target->driver, d->driver, &e);
                if (!taken_from_host(p, &e))
                        continue;
                r = record_add(next, &e);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_bound(const struct pipeline *p, const struct result *results, size_t n,
                     struct record *next)
{
        for (size_t i = 0; i < n; i++) {
                struct record_entry e, *old;
                int r;

                if (!bound_now(p, &results[i], &e))
                        continue;
                /* What the device had before vfio-bind first changed it is what revert restores. */
                if (results[i].steps_done & STEP_SET_RESET_METHOD) {
                        e.has_reset_previous = true;
                        snprintf(e.reset_previous, sizeof(e.reset_previous), "%s",
                                 results[i].previous_reset_method);
                }
                old = record_find(next, e.bus, e.name);
                if (old) {
                        /* Ours already: the configuration that wants it now owns it. */
                        snprintf(old->origin, sizeof(old->origin), "%s", e.origin);
                        if (!old->has_reset_previous && e.has_reset_previous) {
                                old->has_reset_previous = true;
                                snprintf(old->reset_previous, sizeof(old->reset_previous), "%s",
                                         e.reset_previous);
                        }
                        continue;
                }
                /* "unchanged" and not recorded: someone else bound it; it stays theirs. */
                if ((results[i].outcome != OUTCOME_CHANGED &&
                     results[i].outcome != OUTCOME_FALLBACK) || !taken_from_host(p, &e))
                        continue;
                r = record_add(next, &e);
                if (r < 0)
                        return r;
        }
        return 0;
}

void record_commit(struct pipeline *p, const struct plan *plan, const struct result *results,
                   size_t n)
{
        struct record next = { 0 };
        int r = 0;

        if (!p->record_loaded)
                return;
        /* Gone, changed by someone, reverted, released: what is not as vfio-bind left it goes. */
        for (size_t i = 0; r == 0 && i < p->record.n_entries; i++) {
                const struct record_entry *e = &p->record.entries[i];
                const struct device *d = snapshot_find_name(&p->snapshot, e->bus, e->name);

                if (d && record_owns(e, d))
                        r = record_add(&next, e);
        }
        if (r == 0)
                r = results ? add_bound(p, results, n, &next) : add_intents(p, plan, &next);
        if (r == 0 && (p->record_ignored || !record_equal(&next, &p->record))) {
                r = record_save(RECORD_PATH, &next);
                if (r == 0) {
                        record_done(&p->record);
                        p->record = next;
                        p->record_ignored = false;
                        return;
                }
        }
        if (r < 0)
                log_warning_errno(r, "Cannot write %s, ignoring: %m; a device bound now stays on "
                                  "VFIO when its entry goes, until 'revert'", RECORD_PATH);
        record_done(&next);
}

struct apply_ctx pipeline_apply_ctx(struct pipeline *p)
{
        return (struct apply_ctx){
                .snapshot = &p->snapshot,
                .selection = &p->selection,
                .kmod = p->resolver ? resolver_kmod(p->resolver) : NULL,
                .no_kmod_why = p->index_error,
                .no_kmod_error = p->index_errno,
        };
}

/* Everything after config: a fresh snapshot (with the new VFs), selection, targets, plan. */
static int pipeline_rerun(struct pipeline *p)
{
        plan_done(&p->plan);
        free(p->targets);
        p->targets = NULL;
        p->resolver = resolver_free(p->resolver);
        selection_done(&p->selection);
        snapshot_done(&p->snapshot);
        return pipeline_run(p);
}

static bool vf_of(const struct device *d, const char *pf)
{
        char physfn[PCI_ADDRESS_MAX];

        if (!d->is_virtfn)
                return false;
        pci_address_format(&d->physfn, physfn);
        return streq(physfn, pf);
}

/*
 * What to run: the whole plan with its releases, or only the action of the device named, with
 * those of its VFs when it is an SR-IOV PF (copied: ret owns them).
 */
static int choose(const struct pipeline *p, enum bus bus, const char *only, struct applied *ret)
{
        const struct action *mine = NULL;
        size_t n = 0;

        free(ret->own_actions);
        ret->own_actions = NULL;
        if (!only) {
                ret->plan = p->plan;
                return 0;
        }
        ret->plan = (struct plan){ 0 };
        for (size_t i = 0; i < p->plan.n_actions && !mine; i++) {
                const struct device *d = p->plan.actions[i].item->device;

                if (d->bus == bus && streq(d->name, only))
                        mine = &p->plan.actions[i];
        }
        if (!mine)
                return 0;
        ret->own_actions = calloc(p->plan.n_actions, sizeof(*ret->own_actions));
        if (!ret->own_actions)
                return log_error_errno(ENOMEM, "Out of memory");
        for (size_t i = 0; i < p->plan.n_actions; i++) {
                const struct action *a = &p->plan.actions[i];

                if (a == mine || (mine->item->sriov_pf && bus == BUS_PCI && vf_of(a->item->device, only)))
                        ret->own_actions[n++] = *a;
        }
        ret->plan = (struct plan){ .actions = ret->own_actions, .n_actions = n };
        return 0;
}

int pipeline_apply(struct pipeline *p, enum bus bus, const char *only, struct applied *ret)
{
        struct sriov_run sriov = { 0 };
        struct apply_ctx ctx;
        int r;

        *ret = (struct applied){ 0 };
        r = choose(p, bus, only, ret);
        if (r < 0)
                return r;
        /* SR-IOV: create VFs, then plan again over a snapshot that has them. */
        r = apply_sriov_create(&ret->plan, &sriov);
        if (r > 0) {
                r = pipeline_rerun(p);
                if (r >= 0)
                        r = choose(p, bus, only, ret);
        }
        if (r >= 0) {
                ret->n_results = ret->plan.n_actions + ret->plan.n_releases;
                ret->results = calloc(ret->n_results + 1, sizeof(*ret->results));
                if (!ret->results)
                        r = log_error_errno(ENOMEM, "Out of memory");
        }
        ctx = pipeline_apply_ctx(p);
        ctx.sriov = &sriov;
        if (r < 0) {
                /* No device was bound; the new VFs go to their host drivers, not nowhere. */
                if (sriov.n_pfs)
                        log_error("planning again after creating VFs failed; nothing else was bound");
                apply_sriov_restore(&ctx, &sriov);
                sriov_run_done(&sriov);
                applied_done(ret);
                return r;
        }
        record_commit(p, &ret->plan, NULL, 0);
        ret->failed = apply_plan(&ret->plan, &ctx, ret->results);
        ret->failed += apply_sriov_finish(&ret->plan, &ctx, &sriov, ret->results);
        sriov_run_done(&sriov);
        ret->failed += apply_releases(&ret->plan, &p->record, &ctx,
                                      ret->results + ret->plan.n_actions);
        record_commit(p, &ret->plan, ret->results, ret->plan.n_actions);
        return 0;
}

void applied_done(struct applied *a)
{
        free(a->own_actions);
        free(a->results);
        *a = (struct applied){ 0 };
}
