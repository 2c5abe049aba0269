/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Runs a fuzz target over files without libFuzzer: built with the project's compiler and
 * flags (so under SANITIZE=1 with ASan, and runnable under valgrind), it replays the seed
 * corpus and the regressions. Arguments are files or directories (each regular file in one,
 * sorted); prints "replayed N inputs" and exits 0, or dies on the first broken property.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static unsigned n_inputs;

static int replay_file(const char *path)
{
        FILE *f = fopen(path, "re");
        uint8_t *data = NULL;
        size_t size = 0, allocated = 0;

        if (!f) {
                fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
                return -1;
        }
        for (;;) {
                size_t n;

                if (size == allocated) {
                        uint8_t *grown = realloc(data, allocated ? allocated * 2 : 4096);
                        if (!grown) {
                                fclose(f);
                                free(data);
                                return -1;
                        }
                        data = grown;
                        allocated = allocated ? allocated * 2 : 4096;
                }
                n = fread(data + size, 1, allocated - size, f);
                size += n;
                if (n == 0)
                        break;
        }
        if (ferror(f)) {
                fprintf(stderr, "replay: %s: read error\n", path);
                fclose(f);
                free(data);
                return -1;
        }
        fclose(f);
        /* An exact-size copy, as libFuzzer passes it, so that ASan sees overreads. */
        {
                uint8_t *exact = malloc(size ? size : 1);
                if (!exact) {
                        free(data);
                        return -1;
                }
                memcpy(exact, data, size);
                free(data);
                if (getenv("REPLAY_VERBOSE"))
                        fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
                LLVMFuzzerTestOneInput(exact, size);
                free(exact);
        }
        n_inputs++;
        return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int replay_path(const char *path)
{
        struct dirent **names;
        struct stat st;
        int n, r = 0;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
                return -1;
        }
        if (!S_ISDIR(st.st_mode))
                return replay_file(path);
        n = scandir(path, &names, NULL, by_name);
        if (n < 0) {
                fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
                return -1;
        }
        for (int i = 0; i < n; i++) {
                char child[4096];

                if (r == 0 && names[i]->d_name[0] != '.' &&
                    (size_t)snprintf(child, sizeof(child), "%s/%s", path, names[i]->d_name) <
                            sizeof(child) &&
                    stat(child, &st) == 0 && S_ISREG(st.st_mode))
                        r = replay_file(child);
                free(names[i]);
        }
        free(names);
        return r;
}

int main(int argc, char *argv[])
{
        LLVMFuzzerInitialize(&argc, &argv);
        for (int i = 1; i < argc; i++)
                if (replay_path(argv[i]) < 0)
                        return 1;
        printf("replayed %u inputs\n", n_inputs);
        return 0;
}
