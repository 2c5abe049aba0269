/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Questions about a snapshot and its devices, once discovery has read them. */
#include <stdint.h>
#include <stdlib.h>

#include "discover.h"
#include "macro.h"

static int device_compare_void(const void *a, const void *b)
{
        return device_compare(a, b);
}

bool device_is_bridge(const struct device *d)
{
        return (d->class_code >> 16) == 0x06;
}

bool device_takes_vfio(const struct device *d)
{
        return d->bus != BUS_PCI || d->header_type == PCI_HEADER_TYPE_NORMAL;
}

const struct device *snapshot_find_name(const struct snapshot *s, enum bus bus, const char *name)
{
        for (size_t i = 0; i < s->n_devices; i++)
                if (s->devices[i].bus == bus && streq(s->devices[i].name, name))
                        return &s->devices[i];
        return NULL;
}

bool device_ref_matches(const struct device_ref *r, const struct device *d)
{
        if (r->is_pci)
                return d->bus == BUS_PCI && pci_address_match(&r->address, &d->address);
        return (r->bus_mask & (1u << d->bus)) && streq(r->name, d->name);
}

bool fsl_mc_in_container(const struct device *d)
{
        return d->bus == BUS_FSL_MC && !fsl_mc_is_container(d->name) && d->container[0];
}

bool device_in_container(const struct snapshot *s, const struct device *d, const struct device *c)
{
        for (int depth = 0; d && d->container[0] && depth < FSL_MC_NESTING_MAX; depth++) {
                if (streq(d->container, c->name))
                        return true;
                d = snapshot_find_name(s, BUS_FSL_MC, d->container);
        }
        return false;
}

int device_compare(const struct device *a, const struct device *b)
{
        if (a->bus != b->bus)
                return a->bus < b->bus ? -1 : 1;
        if (a->bus == BUS_PCI)
                return pci_address_compare(&a->address, &b->address);
        /*
         * fsl-mc containers first, outer ones before those inside them: binding one moves what it
         * holds, which apply then finds done (and dprc.10 inside dprc.2 must not go first).
         */
        if (a->bus == BUS_FSL_MC && fsl_mc_is_container(a->name) != fsl_mc_is_container(b->name))
                return fsl_mc_is_container(a->name) ? -1 : 1;
        if (a->bus == BUS_FSL_MC && fsl_mc_is_container(a->name) && a->nesting != b->nesting)
                return a->nesting < b->nesting ? -1 : 1;
        return strcmp(a->name, b->name);
}

void snapshot_done(struct snapshot *s)
{
        free(s->devices);
        *s = (struct snapshot){ 0 };
}

const struct device *snapshot_find(const struct snapshot *s, const struct pci_address *a)
{
        struct device key = { .bus = BUS_PCI, .address = *a };

        if (!s->n_devices)
                return NULL;
        return bsearch(&key, s->devices, s->n_devices, sizeof(*s->devices), device_compare_void);
}

struct device *snapshot_device(struct snapshot *s, const struct device *d)
{
        uintptr_t p = (uintptr_t)d, first = (uintptr_t)s->devices;

        if (!d || !s->n_devices || p < first || p >= first + s->n_devices * sizeof(*d))
                return NULL;
        return &s->devices[(p - first) / sizeof(*d)];
}
