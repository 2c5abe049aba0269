// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lookup MODDIR MODALIAS...
 *
 * What libkmod answers for each modalias in the module tree MODDIR
 * (e.g. OUTDIR/builtin/lib/modules/$KVER): one line per matching module,
 *   MODALIAS<TAB>module<TAB>initstate<TAB>path
 * or "MODALIAS<TAB>-" when nothing matches. initstate is what
 * kmod_module_get_initstate() returns: builtin, live, coming, going, or
 * "-ENOENT" (a module that is not loaded on *this* host). Read-only: it never
 * loads anything.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libkmod.h>

static const char *initstate_str(int s)
{
	static char buf[32];

	switch (s) {
	case KMOD_MODULE_BUILTIN:
		return "builtin";
	case KMOD_MODULE_LIVE:
		return "live";
	case KMOD_MODULE_COMING:
		return "coming";
	case KMOD_MODULE_GOING:
		return "going";
	default:
		if (s == -ENOENT)
			return "-ENOENT";
		snprintf(buf, sizeof(buf), "%d", s);
		return buf;
	}
}

int main(int argc, char **argv)
{
	struct kmod_ctx *ctx;
	int ret = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s MODDIR MODALIAS...\n", argv[0]);
		return 2;
	}
	ctx = kmod_new(argv[1], NULL);
	if (!ctx) {
		fprintf(stderr, "kmod_new(%s) failed\n", argv[1]);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		struct kmod_list *list = NULL, *l;
		int r = kmod_module_new_from_lookup(ctx, argv[i], &list);

		if (r < 0) {
			fprintf(stderr, "lookup '%s': %s\n", argv[i], strerror(-r));
			ret = 1;
			continue;
		}
		if (!list)
			printf("%s\t-\n", argv[i]);
		kmod_list_foreach(l, list) {
			struct kmod_module *mod = kmod_module_get_module(l);
			const char *path = kmod_module_get_path(mod);

			printf("%s\t%s\t%s\t%s\n", argv[i], kmod_module_get_name(mod),
			       initstate_str(kmod_module_get_initstate(mod)),
			       path ? path : "(none)");
			kmod_module_unref(mod);
		}
		kmod_module_unref_list(list);
	}
	kmod_unref(ctx);
	return ret;
}
