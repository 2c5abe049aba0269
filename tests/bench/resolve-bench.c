/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-lookup cost of resolution: a resolver over a module tree, then every modalias of a large
 * synthetic snapshot resolved once (the first lookup of each module reads its modinfo, as a
 * real run does). Prints start-up, mean, median and p99 per lookup in microseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "resolve.h"

static double now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return (x > y) - (x < y);
}

/* Real-world mix: variant-driver VFs, NICs, NVMe, GPUs, anything else. */
static void make_modalias(unsigned i, char *buf, size_t size)
{
        static const struct {
                unsigned vendor, device, cls;
        } kinds[] = {
                { 0x15b3, 0x101e, 0x020000 }, { 0x15b3, 0x1018, 0x020000 }, { 0x8086, 0x15b8, 0x020000 },
                { 0x1b36, 0x0010, 0x010802 }, { 0x144d, 0xa808, 0x010802 }, { 0x10de, 0x2204, 0x030000 },
                { 0x1af4, 0x1041, 0x020000 }, { 0x8086, 0x4941, 0x0b4000 },
        };
        unsigned k = i % (sizeof(kinds) / sizeof(kinds[0]));
        unsigned device = i % 3 == 0 ? (kinds[k].device + i) & 0xffff : kinds[k].device;

        snprintf(buf, size, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", kinds[k].vendor, device,
                 kinds[k].vendor, i & 0xffff, kinds[k].cls >> 16, (kinds[k].cls >> 8) & 0xff,
                 kinds[k].cls & 0xff);
}

int main(int argc, char *argv[])
{
        unsigned n = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 5000;
        struct resolver *r = NULL;
        double *t, t0, startup, sum = 0;
        unsigned found = 0;

        if (argc < 2 || n == 0) {
                fprintf(stderr, "usage: %s MODDIR [N]\n", argv[0]);
                return 2;
        }
        t = calloc(n, sizeof(*t));
        if (!t)
                return 1;
        t0 = now_us();
        if (resolver_new(argv[1], NULL, &r) < 0) {
                fprintf(stderr, "cannot open %s\n", argv[1]);
                return 1;
        }
        startup = now_us() - t0;
        for (unsigned i = 0; i < n; i++) {
                struct resolution res = { 0 };
                char m[MODALIAS_MAX];

                make_modalias(i, m, sizeof(m));
                t0 = now_us();
                if (resolver_lookup(r, m, &res) == 0)
                        found++;
                t[i] = now_us() - t0;
                resolution_done(&res);
                sum += t[i];
        }
        resolver_free(r);
        qsort(t, n, sizeof(*t), cmp_double);
        printf("resolver start-up            %8.1f us\n", startup);
        printf("lookups                      %8u (%u resolved)\n", n, found);
        printf("per lookup: mean             %8.2f us\n", sum / n);
        printf("per lookup: median           %8.2f us\n", t[n / 2]);
        printf("per lookup: p99              %8.2f us\n", t[n * 99 / 100]);
        printf("per lookup: max (cold first) %8.2f us\n", t[n - 1]);
        free(t);
        return found == n ? 0 : 1;
}
