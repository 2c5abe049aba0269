/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmdline_parse on arbitrary text (the kernel command line, up to the first NUL; 4095 bytes here,
 * though apply reads it whole). Checks besides ASan/UBSan:
 * - 'disabled' is set when an unquoted word is rd.vfio-bind=0 or vfio-bind=0, and never without
 *   "vfio-bind" in the text; the same with and without a config;
 * - the result is 0, -EINVAL or -ENOMEM;
 * - each entry selects by address or by id (never both, never neither) and names no driver.
 */
#include <errno.h>
#include <string.h>

#include "cmdline.h"
#include "fuzz.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        if (!getenv("FUZZ_VERBOSE"))
                log_set_max_level(LOG_EMERG);
        return 0;
}

#define SPACE " \t\n\v\f\r" /* the kernel's isspace() */

/* Whether s has word between spaces (outside quotes: only called on text without any). */
static bool has_word(const char *s, const char *word)
{
        size_t n = strlen(word);

        for (const char *p = s; (p = strstr(p, word)); p++)
                if ((p == s || strchr(SPACE, p[-1])) && (p[n] == '\0' || strchr(SPACE, p[n])))
                        return true;
        return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        size_t n = strnlen((const char *)data, size < 4096 ? size : 4095);
        struct config c = { 0 };
        bool disabled = true, with_config;
        char *s = malloc(n + 1);
        int r;

        if (!s)
                return 0;
        memcpy(s, data, n);
        s[n] = '\0';
        r = cmdline_parse(s, &disabled, &c);
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
        if (!strchr(s, '"') && (has_word(s, "rd.vfio-bind=0") || has_word(s, "vfio-bind=0")))
                FUZZ_CHECK(disabled);
        if (!strstr(s, "vfio-bind"))
                FUZZ_CHECK(!disabled);
        with_config = disabled;
        if (!has_word(s, "rd.vfio-bind.devices") && !strstr(s, "rd.vfio-bind.devices="))
                FUZZ_CHECK(c.n_entries == 0);
        for (size_t i = 0; i < c.n_entries; i++) {
                const struct config_entry *e = &c.entries[i];

                /* Each item is exactly one selector. */
                FUZZ_CHECK(e->has_address + e->has_id + e->has_slot + e->has_path + e->has_serial == 1);
                FUZZ_CHECK(!e->has_subsystem && !e->has_class && !e->driver[0]);
                FUZZ_CHECK(e->loc.line == 1 && e->loc.column >= 1 && e->loc.column <= n);
        }
        /* Without a config: only the disable switch. */
        disabled = true;
        FUZZ_CHECK(cmdline_parse(s, &disabled, NULL) == 0);
        FUZZ_CHECK(disabled == with_config);
        config_done(&c);
        free(s);
        return 0;
}
