/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the libFuzzer targets (tests/fuzz/fuzz-*.c) and their plain replay driver
 * (replay.c): the entry points libFuzzer calls, a property check that survives NDEBUG, and a
 * small reader that takes typed values off the input.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken property is a crash: libFuzzer keeps the input, the replay test fails on it. */
#define FUZZ_CHECK(cond)                                                                   \
        do {                                                                               \
                if (!(cond)) {                                                             \
                        fprintf(stderr, "%s:%d: property does not hold: %s\n", __FILE__,  \
                                __LINE__, #cond);                                          \
                        abort();                                                           \
                }                                                                          \
        } while (0)

/* Takes bytes off the front of the input; past the end everything reads as 0. */
struct fuzz_input {
        const uint8_t *data;
        size_t size;
};

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
        uint8_t v;

        if (in->size == 0)
                return 0;
        v = in->data[0];
        in->data++;
        in->size--;
        return v;
}

static inline uint16_t fuzz_u16(struct fuzz_input *in)
{
        uint16_t hi = fuzz_u8(in);

        return (uint16_t)(hi << 8 | fuzz_u8(in));
}

static inline uint32_t fuzz_u32(struct fuzz_input *in)
{
        uint32_t hi = fuzz_u16(in);

        return hi << 16 | fuzz_u16(in);
}

/* Up to max - 1 characters from alphabet, NUL-terminated: the length byte first. */
static inline void fuzz_string(struct fuzz_input *in, const char *alphabet, size_t n_alphabet,
                               char *buf, size_t max)
{
        size_t n = fuzz_u8(in) % max;

        for (size_t i = 0; i < n; i++)
                buf[i] = alphabet[fuzz_u8(in) % n_alphabet];
        buf[n] = '\0';
}
