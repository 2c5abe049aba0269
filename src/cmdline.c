/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cmdline.h"
#include "log.h"
#include "sysfs.h"

int cmdline_read(char *buf, size_t size)
{
        return sysfs_read(CMDLINE_PATH, buf, size);
}

static int add_devices(const char *list, struct config *c)
{
        char item[64];
        const char *p = list;
        size_t n_before = c->n_entries;
        unsigned column = 1;
        const char *source;
        int r;

        r = config_add_source(c, CMDLINE_PATH, &source);
        if (r < 0)
                return r;
        while (*p) {
                size_t n = strcspn(p, ",");
                struct config_entry e = { .loc = { source, 1, column } };
                const char *why;

                if (n == 0 || n >= sizeof(item)) {
                        log_error("%s: rd.vfio-bind.devices: empty or over-long item at '%.20s'; "
                                  "ignoring the whole list", CMDLINE_PATH, p);
                        goto refuse;
                }
                memcpy(item, p, n);
                item[n] = '\0';
                if (pci_address_parse(item, true, &e.address, &why) == 0)
                        e.has_address = true;
                else if (pci_id_parse(item, &e.id, &why) == 0)
                        e.has_id = true;
                else {
                        log_error("%s: rd.vfio-bind.devices: '%s' is neither an address "
                                  "(0000:01:00.0) nor VENDOR:DEVICE (10de:2204); ignoring the whole list",
                                  CMDLINE_PATH, item);
                        goto refuse;
                }
                r = config_append_entry(c, &e);
                if (r < 0)
                        return r;
                p += n;
                column += (unsigned)n + 1;
                if (*p == ',')
                        p++;
        }
        return 0;
refuse:
        c->n_entries = n_before;
        return -EINVAL;
}

int cmdline_parse(const char *text, bool *disabled, struct config *c)
{
        const char *p = text;
        int r = 0;

        *disabled = false;
        while (*p) {
                char word[1024];
                size_t n;

                p += strspn(p, " \t\n");
                n = strcspn(p, " \t\n");
                if (n == 0)
                        break;
                if (n >= sizeof(word)) {
                        p += n;
                        continue;
                }
                memcpy(word, p, n);
                word[n] = '\0';
                p += n;
                if (streq(word, "rd.vfio-bind=0") || streq(word, "vfio-bind=0"))
                        *disabled = true;
                else if (strncmp(word, "rd.vfio-bind.devices=", 21) == 0 && c && r == 0)
                        r = add_devices(word + 21, c);
        }
        return r;
}
