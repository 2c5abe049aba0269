/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mkhost: host description -> test bed.  See tests/testbed/README.md. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pcidev.h"

#define MAX_MODULES 64
#define MAX_DEVICES 8192
#define MAX_IDS 32

struct hid {
	unsigned int vendor, device, subvendor, subdevice, class, class_mask;
	bool override_only;
};

struct hmodule {
	char name[TB_NAME_MAX];
	char driver[TB_NAME_MAX];
	char file[TB_NAME_MAX];        /* file name, default NAME.ko */
	char compress[8];              /* "", "xz" or "zst": libkmod then uses init_module() */
	char state[16];                /* loaded | unloaded | builtin ("" = derive) */
	int needs_iommu;               /* -1: derive from the driver name */
	char bus[16];                  /* "pci" or a buscore bus: platform, fsl-mc, cdx */
	char table[2048];              /* non-PCI match table (buscore), one entry a line */
	char depends[1024];            /* comma separated */
	char aliases[2048];            /* extra aliases, comma separated */
	int nids;
	struct hid ids[MAX_IDS];
	bool explicit_ids;
	int line;
};

int mkmod_build(const char *kver, struct hmodule *mods, int nmods);

struct hdevice {
	char addr[16];
	unsigned int vendor, device, subvendor, subdevice, class, rev;
	int header;                 /* config space header type byte; -1: from the class */
	bool has_dsn;               /* dsn=: config space of 4096 bytes with a Device Serial Number */
	unsigned long long dsn;
	char driver[TB_NAME_MAX];
	char override[TB_NAME_MAX];
	char hostdriver[TB_NAME_MAX]; /* creates the children; default driver= or a matching module */
	int group;                  /* -1: none */
	char parent[16];
	char net[32];
	bool up;
	char block[32];
	char parts[256];            /* comma separated */
	int sriov_total, sriov_num; /* -1: not SR-IOV capable / derive */
	int autoprobe;
	/* SR-IOV PF: what writing sriov_numvfs creates (-1: derive from the described VFs) */
	bool has_vf_id;
	unsigned int vf_vendor, vf_device;
	int vf_offset, vf_stride, vf_group_base;
	char physfn[16];
	int vf;
	int numa;
	bool boot_vga, console;
	char reset[96]; /* reset=: the reset methods it supports, space-separated; "" none */
	int line;
	char vpath[TB_PATH_MAX];
};

int mkdev_build(struct hdevice *devs, int ndevs);

#define MAX_DEFERRED 512

/* the parsed description (mkparse.c) */
extern struct hmodule h_mods[MAX_MODULES];
extern struct hdevice h_devs[MAX_DEVICES];
extern int h_nmods, h_ndevs, h_lineno;
extern char h_kver[128], h_cmdline[4096], h_mounts[8192], h_routes[4096], h_inet6[4096];
extern char *h_deferred[MAX_DEFERRED]; /* "file", "modprobe-conf", "fault": after the tree */
extern int h_ndeferred;

int mk_parse_line(char *line);
int mk_apply_deferred(const char *line);
int mk_copy(char *dst, size_t size, const char *src);
int mk_append(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* mkbus.c: "platform", "fslmc" and "cdx" lines, then their devices (after the modules) */
int mk_bus_parse(char **tok, int ntok);
int mk_bus_module_defaults(struct hmodule *m, bool *named);
int mk_bus_build(void);
