/* bench_kernels -- times every dot_i8 variant this CPU supports, and top-k, on
 * catalogs of 43,097 items (Diginetica), 100,000 and 1,000,000, 64 dims.
 *
 * Wall-clock time on a shared machine drifts, so each figure is the median of many
 * runs, the variants take turns within every run, and each is compared with the
 * scalar reference measured in the same process. No thresholds: read the ratios.
 *
 *     bench_kernels [runs]      (default 15 runs per variant and size)
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dot/dot_i8.h"
#include "topk/topk.h"

#define DIMS 64u
#define MAX_VARIANTS 16u
#define TOPK_K 10u

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t rng_next(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int compare_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values, int count) {
    qsort(values, (size_t)count, sizeof *values, compare_double);
    return count % 2 ? values[count / 2] : 0.5 * (values[count / 2 - 1] + values[count / 2]);
}

int main(int argc, char **argv) {
    static const uint32_t sizes[] = {43097, 100000, 1000000};
    const int runs = argc > 1 ? atoi(argv[1]) : 15;
    if (runs < 1 || runs > 10000) {
        fprintf(stderr, "usage: bench_kernels [runs]\n");
        return 2;
    }

    uint32_t variants[MAX_VARIANTS], variant_count = 0;
    for (uint32_t v = 0; v < shelf__dot_i8_variant_count() && variant_count < MAX_VARIANTS; v++)
        if (shelf__dot_i8_variant_supported(v)) variants[variant_count++] = v;
    /* variants[0] is the scalar reference: index 0 of the list, always supported. */

    printf("dot_i8, %u dims: median of %d runs (a run: >= 4M multiply-adds, 1 call or more); "
           "vs scalar = scalar time / variant time, this process\n",
           DIMS, runs);
    printf("automatic choice here: %s\n\n", shelf__dot_i8_variant_name(shelf__dot_i8_best_index()));
    printf("%9s  %-9s %11s %9s %8s %10s  %s\n", "items", "kernel", "median ms", "ns/item", "GB/s",
           "vs scalar", "output");

    uint64_t seed = 0xBE7C4u;
    int status = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const uint32_t n = sizes[s];
        int8_t *rows = malloc((size_t)n * DIMS);
        float *scales = malloc((size_t)n * sizeof *scales);
        float *out = malloc((size_t)n * variant_count * sizeof *out);
        shelf__scored *top = malloc(TOPK_K * sizeof *top);
        double *times = malloc((size_t)runs * (variant_count + 1) * sizeof *times);
        int8_t query[DIMS];
        if (!rows || !scales || !out || !top || !times) {
            fprintf(stderr, "bench_kernels: out of memory\n");
            return 1;
        }
        for (size_t i = 0; i < (size_t)n * DIMS; i++)
            rows[i] = (int8_t)((int)(rng_next(&seed) % 255) - 127);
        for (uint32_t i = 0; i < n; i++)
            scales[i] = (float)(rng_next(&seed) >> 40) / (float)(1u << 24) + 0.001f;
        for (uint32_t j = 0; j < DIMS; j++) query[j] = (int8_t)((int)(rng_next(&seed) % 255) - 127);
        const float query_scale = 0.0123f;

        /* About 4M multiply-adds per timed call group: milliseconds, not microseconds. */
        const uint32_t reps = n >= 4000000u / DIMS ? 1u : 4000000u / DIMS / n + 1u;
        for (uint32_t w = 0; w < 3; w++)
            for (uint32_t v = 0; v < variant_count; v++)
                shelf__dot_i8_variant_fn(variants[v])(rows, scales, n, DIMS, query, query_scale,
                                                      out + (size_t)v * n);
        for (int r = 0; r < runs; r++) {
            for (uint32_t v = 0; v < variant_count; v++) {
                const shelf__dot_i8_fn fn = shelf__dot_i8_variant_fn(variants[v]);
                float *o = out + (size_t)v * n;
                const double t0 = now_seconds();
                for (uint32_t k = 0; k < reps; k++) fn(rows, scales, n, DIMS, query, query_scale, o);
                times[(size_t)v * runs + r] = (now_seconds() - t0) / reps;
            }
            const double t0 = now_seconds();
            for (uint32_t k = 0; k < reps; k++) shelf__topk(out, n, TOPK_K, top);
            times[(size_t)variant_count * runs + r] = (now_seconds() - t0) / reps;
        }

        double scalar_median = 0;
        for (uint32_t v = 0; v < variant_count; v++) {
            const double m = median(times + (size_t)v * runs, runs);
            if (v == 0) scalar_median = m;
            const int same = memcmp(out + (size_t)v * n, out, (size_t)n * sizeof *out) == 0;
            if (!same) status = 1;
            printf("%9" PRIu32 "  %-9s %11.3f %9.3f %8.2f %9.2fx  %s\n", n,
                   shelf__dot_i8_variant_name(variants[v]), m * 1e3, m * 1e9 / n,
                   (double)n * DIMS / m * 1e-9, scalar_median / m,
                   v == 0 ? "reference" : same ? "bit-identical" : "DIFFERS");
        }
        const double m = median(times + (size_t)variant_count * runs, runs);
        printf("%9" PRIu32 "  %-9s %11.3f %9.3f\n\n", n, "topk k=10", m * 1e3, m * 1e9 / n);

        free(rows);
        free(scales);
        free(out);
        free(top);
        free(times);
    }
    return status;
}
