/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config_load_buffer on arbitrary bytes. Besides memory errors (ASan) and undefined behaviour
 * (UBSan), checks what the rest of the pipeline relies on:
 * - the result is 0, -EINVAL (every configuration error) or -ENOMEM; callers turn -EINVAL
 *   into exit status 2 and anything else into 1;
 * - a failed load leaves no entries behind;
 * - every loaded entry is one select.c can use: a selector, narrowing only an id, a valid
 *   module name (folded to '_') or none, a function 0-7 or '*', a slot up to 1f, a class of 4
 *   or 6 digits, a location inside the input;
 * - loading the same text twice doubles the entries, and config_check then reports every
 *   entry as a duplicate of its twin (and nothing when there are none).
 */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        /* Errors are the normal outcome; their text is still formatted (loader_error). */
        if (!getenv("FUZZ_VERBOSE"))
                log_set_max_level(LOG_EMERG);
        return 0;
}

static void check_entry(const struct config_entry *e, unsigned max_line)
{
        char small[8], big[256];

        FUZZ_CHECK(e->has_address || e->has_id);
        FUZZ_CHECK(e->has_id || (!e->has_subsystem && !e->has_class));
        FUZZ_CHECK(e->loc.line >= 1 && e->loc.line <= max_line && e->loc.column >= 1);
        FUZZ_CHECK(e->loc.file && strcmp(e->loc.file, "fuzz.yaml") == 0);
        if (e->has_address) {
                FUZZ_CHECK(e->address.function <= 7 || e->address.function == PCI_FUNCTION_ANY);
                FUZZ_CHECK(e->address.slot <= 0x1f);
        }
        if (e->has_class) {
                FUZZ_CHECK(e->class_digits == 4 || e->class_digits == 6);
                FUZZ_CHECK(e->class_code < (1u << (4 * e->class_digits)));
        }
        FUZZ_CHECK(memchr(e->driver, '\0', sizeof(e->driver)));
        if (e->driver[0]) {
                FUZZ_CHECK(module_name_is_valid(e->driver));
                FUZZ_CHECK(!strchr(e->driver, '-'));
                FUZZ_CHECK(e->driver_loc.line >= 1 && e->driver_loc.line <= max_line);
        }
        FUZZ_CHECK(e->group == GROUP_DEVICE || e->group == GROUP_ALL);
        /* Truncation must be safe at any size the callers use, and at silly ones. */
        config_entry_describe(e, small, sizeof(small));
        FUZZ_CHECK(strlen(small) < sizeof(small));
        config_entry_describe(e, big, sizeof(big));
        FUZZ_CHECK(strlen(big) > 0 && strlen(big) < 100);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct config c = { 0 };
        /* Every line break takes at least a byte (libyaml also breaks at NEL, LS, PS). */
        unsigned max_line = (unsigned)size + 1;
        size_t n;
        int r;

        if (size > CONFIG_FILE_SIZE_MAX)
                return 0; /* config_load_file refuses these before parsing */
        r = config_load_buffer(&c, "fuzz.yaml", (const char *)data, size);
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
        FUZZ_CHECK(c.n_files == 1);
        if (r < 0) {
                FUZZ_CHECK(c.n_entries == 0);
                config_done(&c);
                return 0;
        }
        n = c.n_entries;
        FUZZ_CHECK(n <= CONFIG_ENTRIES_MAX);
        for (size_t i = 0; i < n; i++)
                check_entry(&c.entries[i], max_line);
        (void)config_check(&c);

        /* config_check is quadratic; a few hundred entries say as much as thousands. */
        if (n <= 256) {
                r = config_load_buffer(&c, "again.yaml", (const char *)data, size);
                FUZZ_CHECK(r == 0 || r == -ENOMEM);
                if (r == 0) {
                        FUZZ_CHECK(c.n_entries == 2 * n);
                        for (size_t i = 0; i < n; i++) {
                                FUZZ_CHECK(strcmp(c.entries[n + i].loc.file, "again.yaml") == 0);
                                FUZZ_CHECK(c.entries[n + i].loc.line == c.entries[i].loc.line);
                        }
                        FUZZ_CHECK((config_check(&c) < 0) == (n > 0));
                }
        }
        config_done(&c);
        return 0;
}
