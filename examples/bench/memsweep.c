/*
 * memsweep: how long it takes to sweep a large buffer at scattered places.
 *
 *   memsweep MIB [SWEEPS]
 *
 * Allocates MIB mebibytes and, SWEEPS times (default 10), makes as many accesses as the
 * buffer has bytes, each 4097 bytes (a page and a byte) after the last, wrapping around at
 * the end: every access lands on another page and another cache line, and reads and writes
 * one byte. The first sweep also faults the pages in, which is where virtual machines pay
 * most (nested page tables, or full emulation under TCG). It prints one line:
 *
 *   memsweep: 64 MiB, 2 sweeps, 134217728 accesses in 3327.299 ms (24.790 ns/access)
 *
 * The time (CLOCK_MONOTONIC, around all sweeps) is the number to compare. Build:
 * cc -O2 -static -o memsweep memsweep.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: memsweep MIB [SWEEPS]   (e.g. memsweep 256 10)\n");
        return 2;
    }
    char *e1, *e2 = "";
    long mib = strtol(argv[1], &e1, 10);
    long sweeps = argc == 3 ? strtol(argv[2], &e2, 10) : 10;
    if (*e1 || *e2 || mib < 1 || mib > 65536 || sweeps < 1) {
        fprintf(stderr, "memsweep: MIB must be 1..65536 and SWEEPS at least 1\n");
        return 2;
    }
    size_t size = (size_t)mib << 20;
    volatile unsigned char *buf = malloc(size);
    if (buf == NULL) {
        fprintf(stderr, "memsweep: could not allocate %ld MiB\n", mib);
        return 1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t at = 0, accesses = 0;
    for (long s = 0; s < sweeps; s++) {
        for (size_t i = 0; i < size; i++) {
            buf[at] = (unsigned char)(buf[at] + 1);
            at += 4097;
            if (at >= size)
                at -= size;
        }
        accesses += size;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("memsweep: %ld MiB, %ld sweep%s, %zu accesses in %.3f ms (%.3f ns/access)\n", mib, sweeps,
           sweeps == 1 ? "" : "s", accesses, ms, ms * 1e6 / (double)accesses);
    free((void *)buf);
    return 0;
}
