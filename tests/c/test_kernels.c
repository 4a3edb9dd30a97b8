/* The compute kernels: every dot_i8 variant of the list against the scalar reference,
 * bit for bit, over sizes around every tile; the variant pick and its override;
 * top-k against a full sort.
 *
 * Random inputs come from a fixed seed, printed with every failure; set
 * SHELF_TEST_SEED=<number> to run with another one. */
#define _POSIX_C_SOURCE 200809L /* setenv, unsetenv */

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dot/dot_i8.h"
#include "model_format.h"
#include "topk/topk.h"

/* ------------------------------------------------------------------ random --- */

static uint64_t base_seed = 0x5E1F5EEDull;

/* splitmix64: small, fast, and the same on every platform. */
static uint64_t rng_next(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, bound). */
static uint32_t rng_below(uint64_t *state, uint32_t bound) {
    return (uint32_t)((rng_next(state) >> 32) * bound >> 32);
}

static int8_t rng_i8(uint64_t *state) {
    return (int8_t)((int)rng_below(state, 255) - 127);
}

/* A scale of either sign over a wide range, sometimes a special value: zero, negative
 * zero, one, or a subnormal (so a variant that flushed subnormals would show). */
static float rng_scale(uint64_t *state) {
    static const float special[] = {0.0f, -0.0f, 1.0f, -1.0f, 1e-40f, -3e-39f, FLT_MIN, 1e30f};
    if (rng_below(state, 8) == 0) return special[rng_below(state, 8)];
    const float mantissa = (float)(rng_next(state) >> 40) / (float)(1u << 24);
    const float value = ldexpf(0.5f + mantissa, (int)rng_below(state, 41) - 20);
    return rng_below(state, 2) ? value : -value;
}

static uint64_t case_seed(uint64_t a, uint64_t b) {
    uint64_t s = base_seed ^ (a * 0x100000001B3ull) ^ (b << 32);
    return rng_next(&s);
}

/* ------------------------------------------------------------- dot_i8 pick --- */

/* Must run before anything else calls shelf__dot_i8_best(), which caches its pick. */
static void test_override_env(void) {
    CHECK(setenv("SHELF_KERNEL", "scalar", 1) == 0);
#ifdef __EMSCRIPTEN__
    /* WebAssembly ignores the environment: the build's own choice stands. */
    CHECK(shelf__dot_i8_best_index() == shelf__dot_i8_choose(NULL));
    CHECK(unsetenv("SHELF_KERNEL") == 0);
#else
    CHECK(shelf__dot_i8_best_index() == 0);
    CHECK(shelf__dot_i8_best() == shelf__dot_i8_scalar);
    CHECK(unsetenv("SHELF_KERNEL") == 0);
    /* Cached: changing the environment afterwards changes nothing. */
    CHECK(shelf__dot_i8_best() == shelf__dot_i8_scalar);
#endif
}

static void test_enumeration(void) {
    const uint32_t count = shelf__dot_i8_variant_count();
    CHECK(count >= 1);
    CHECK(strcmp(shelf__dot_i8_variant_name(0), "scalar") == 0);
    CHECK(shelf__dot_i8_variant_fn(0) == shelf__dot_i8_scalar);
    CHECK(shelf__dot_i8_variant_isa(0) == SHELF__ISA_NONE);
    CHECK(shelf__dot_i8_variant_supported(0));
    CHECK(shelf__dot_i8_variant_name(count) == NULL);
    CHECK(shelf__dot_i8_variant_fn(count) == NULL);
    CHECK(!shelf__dot_i8_variant_supported(count));
    CHECK(!shelf__dot_i8_variant_supported(UINT32_MAX));
    CHECK(shelf__isa_supported(SHELF__ISA_NONE));

    /* The enumeration is the list, in the list's order. */
    uint32_t listed = 0;
#define SHELF__DOT_I8_VARIANT(name, isa)                                   \
    CHECK(listed < count);                                                 \
    CHECK(strcmp(shelf__dot_i8_variant_name(listed), #name) == 0);         \
    CHECK(shelf__dot_i8_variant_fn(listed) == shelf__dot_i8_##name);       \
    CHECK(shelf__dot_i8_variant_isa(listed) == (isa));                     \
    listed++;
#include "dot/dot_i8_variants.inc"
#undef SHELF__DOT_I8_VARIANT
    CHECK(listed == count);

    /* The automatic pick is the last supported variant; an override wins only if it
     * names a supported variant, exactly. */
    uint32_t automatic = 0;
    for (uint32_t i = 0; i < count; i++)
        if (shelf__dot_i8_variant_supported(i)) automatic = i;
    CHECK(shelf__dot_i8_choose(NULL) == automatic);
    CHECK(shelf__dot_i8_choose("") == automatic);
    CHECK(shelf__dot_i8_choose("no-such-kernel") == automatic);
    CHECK(shelf__dot_i8_choose("Scalar") == automatic);
    CHECK(shelf__dot_i8_choose("scalar ") == automatic);
    for (uint32_t i = 0; i < count; i++) {
        const uint32_t expected = shelf__dot_i8_variant_supported(i) ? i : automatic;
        CHECK(shelf__dot_i8_choose(shelf__dot_i8_variant_name(i)) == expected);
    }
    /* Names of variants other builds have pick automatically when absent here. */
    CHECK(shelf__dot_i8_choose("wasmsimd") < count);
    CHECK(shelf__dot_i8_choose("avx2") < count);

#if defined(__x86_64__)
    /* Priority avx2 > sse41 > scalar. */
    const char *expected_name = shelf__isa_supported(SHELF__ISA_AVX2)    ? "avx2"
                                : shelf__isa_supported(SHELF__ISA_SSE41) ? "sse41"
                                                                         : "scalar";
    CHECK(strcmp(shelf__dot_i8_variant_name(automatic), expected_name) == 0);
#elif defined(__wasm_simd128__)
    CHECK(strcmp(shelf__dot_i8_variant_name(automatic), "wasmsimd") == 0);
#endif

    printf("dot_i8 variants:");
    for (uint32_t i = 0; i < count; i++)
        printf(" %s%s", shelf__dot_i8_variant_name(i),
               shelf__dot_i8_variant_supported(i) ? "" : "(unsupported)");
    printf("; automatic: %s\n", shelf__dot_i8_variant_name(automatic));
}

/* ----------------------------------------------------------- dot_i8 values --- */

/* Inputs placed so that nothing is 16-byte aligned and the buffers end exactly where
 * the kernel must stop reading (AddressSanitizer sees any over-read). The outputs
 * have guards on both sides. */
typedef struct dot_case {
    uint32_t n, dims;
    int8_t *rows_block, *rows;
    float *scales_block, *row_scales;
    int8_t *query_block, *query;
    float query_scale;
    float *expected;
    float *out_block, *out; /* out_block[0] and out_block[n+1 ..] are guards */
} dot_case;

#define GUARD_AFTER 3u
static const uint32_t guard_bits = 0x7FC0DEADu; /* a NaN no kernel writes */

static int dot_case_alloc(dot_case *c, uint32_t n, uint32_t dims) {
    memset(c, 0, sizeof *c);
    c->n = n;
    c->dims = dims;
    c->rows_block = malloc((size_t)n * dims + 1);
    c->scales_block = malloc(((size_t)n + 1) * sizeof(float));
    c->query_block = malloc((size_t)dims + 1);
    c->expected = malloc(((size_t)n + 1) * sizeof(float));
    c->out_block = malloc(((size_t)n + 1 + GUARD_AFTER) * sizeof(float));
    if (!c->rows_block || !c->scales_block || !c->query_block || !c->expected || !c->out_block)
        return 0;
    c->rows = c->rows_block + 1;
    c->row_scales = c->scales_block + 1;
    c->query = c->query_block + 1;
    c->out = c->out_block + 1;
    return 1;
}

static void dot_case_free(dot_case *c) {
    free(c->rows_block);
    free(c->scales_block);
    free(c->query_block);
    free(c->expected);
    free(c->out_block);
}

/* The contract, computed independently of the library: an int64 sum (which the
 * preconditions make exact in int32 too) and the two multiplications in order. */
static void dot_expected(dot_case *c) {
    for (uint32_t i = 0; i < c->n; i++) {
        int64_t acc = 0;
        for (uint32_t j = 0; j < c->dims; j++)
            acc += (int64_t)c->rows[(size_t)i * c->dims + j] * c->query[j];
        CHECK(acc >= -(int64_t)127 * 127 * 1024 && acc <= (int64_t)127 * 127 * 1024);
        c->expected[i] = ((float)(int32_t)acc * c->row_scales[i]) * c->query_scale;
    }
}

/* Runs variant v and compares its output bit for bit; returns 1 when it matches. */
static int dot_run_and_compare(dot_case *c, uint32_t v, const char *what, uint64_t seed) {
    const size_t total = (size_t)c->n + 1 + GUARD_AFTER;
    for (size_t i = 0; i < total; i++) memcpy(&c->out_block[i], &guard_bits, sizeof(float));
    shelf__dot_i8_variant_fn(v)(c->rows, c->row_scales, c->n, c->dims, c->query, c->query_scale,
                                c->out);
    int ok = memcmp(c->out, c->expected, (size_t)c->n * sizeof(float)) == 0;
    for (size_t i = 0; i < total; i++) {
        if (i >= 1 && i < (size_t)c->n + 1) continue;
        if (memcmp(&c->out_block[i], &guard_bits, sizeof(float)) != 0) ok = 0;
    }
    check_count++;
    if (!ok) {
        check_failures++;
        uint32_t at = 0;
        while (at < c->n && memcmp(&c->out[at], &c->expected[at], sizeof(float)) == 0) at++;
        fprintf(stderr,
                "dot_i8 %s (%s): dims %" PRIu32 ", n %" PRIu32 ", base seed %" PRIu64
                ", case seed %" PRIu64 ": ",
                shelf__dot_i8_variant_name(v), what, c->dims, c->n, base_seed, seed);
        if (at < c->n)
            fprintf(stderr, "row %" PRIu32 ": got %a, expected %a\n", at, (double)c->out[at],
                    (double)c->expected[at]);
        else
            fprintf(stderr, "wrote outside scores[0 .. n)\n");
    }
    return ok;
}

/* Fills a case from `seed`: mostly uniform values, with some all-zero rows and some
 * rows of +-127 only. */
static void dot_fill_random(dot_case *c, uint64_t seed) {
    uint64_t s = seed;
    for (uint32_t i = 0; i < c->n; i++) {
        int8_t *row = c->rows + (size_t)i * c->dims;
        const uint32_t kind = rng_below(&s, 8);
        for (uint32_t j = 0; j < c->dims; j++)
            row[j] = kind == 0 ? 0 : kind == 1 ? (rng_below(&s, 2) ? 127 : -127) : rng_i8(&s);
        c->row_scales[i] = rng_scale(&s);
    }
    for (uint32_t j = 0; j < c->dims; j++) c->query[j] = rng_i8(&s);
    if (rng_below(&s, 6) == 0)
        for (uint32_t j = 0; j < c->dims; j++) c->query[j] = (int8_t)(j % 2 ? 127 : -127);
    c->query_scale = rng_scale(&s);
    dot_expected(c);
}

static void test_dot_sweep(void) {
    static const uint32_t dims_list[] = {16, 32, 48, 64, 80, 128, 1008, 1024};
    static const uint32_t n_list[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1000};
    const uint32_t count = shelf__dot_i8_variant_count();
    for (size_t d = 0; d < sizeof dims_list / sizeof dims_list[0]; d++) {
        for (size_t k = 0; k < sizeof n_list / sizeof n_list[0]; k++) {
            dot_case c;
            const uint64_t seed = case_seed(dims_list[d], n_list[k]);
            CHECK(dot_case_alloc(&c, n_list[k], dims_list[d]));
            if (c.out_block) {
                dot_fill_random(&c, seed);
                for (uint32_t v = 0; v < count; v++)
                    if (shelf__dot_i8_variant_supported(v)) dot_run_and_compare(&c, v, "sweep", seed);
            }
            dot_case_free(&c);
        }
    }
}

/* Random shapes: any dims the format allows, n around the tiles. */
static void test_dot_random_shapes(void) {
    const uint32_t count = shelf__dot_i8_variant_count();
    uint64_t s = case_seed(1, 2);
    for (int iteration = 0; iteration < 300; iteration++) {
        const uint32_t dims = 16 * (1 + rng_below(&s, SHELF__MAX_DIMS / 16));
        const uint32_t n = rng_below(&s, 41);
        const uint64_t seed = rng_next(&s);
        dot_case c;
        CHECK(dot_case_alloc(&c, n, dims));
        if (c.out_block) {
            dot_fill_random(&c, seed);
            for (uint32_t v = 0; v < count; v++)
                if (shelf__dot_i8_variant_supported(v)) dot_run_and_compare(&c, v, "random shape", seed);
        }
        dot_case_free(&c);
    }
}

/* The largest sums the preconditions allow, with exactly known results. */
static void test_dot_extremes(void) {
    const uint32_t count = shelf__dot_i8_variant_count();
    const uint32_t n = 9, dims = SHELF__MAX_DIMS; /* two tiles of 4 and a remainder row */
    dot_case c;
    CHECK(dot_case_alloc(&c, n, dims));
    if (!c.out_block) {
        dot_case_free(&c);
        return;
    }
    /* All +127 rows against an all -127 query: -127*127*1024 = -16516096 each. */
    memset(c.rows, 127, (size_t)n * dims);
    memset(c.query, -127, dims);
    for (uint32_t i = 0; i < n; i++) c.row_scales[i] = 1.0f;
    c.query_scale = 1.0f;
    dot_expected(&c);
    CHECK(c.expected[0] == -16516096.0f);
    for (uint32_t v = 0; v < count; v++)
        if (shelf__dot_i8_variant_supported(v)) {
            dot_run_and_compare(&c, v, "+127 x -127, scales 1", 0);
            for (uint32_t i = 0; i < n; i++) CHECK(c.out[i] == -16516096.0f);
        }

    /* Power-of-two scales keep the product exact: -16516096 * 0.5 * 0.25. */
    for (uint32_t i = 0; i < n; i++) c.row_scales[i] = 0.5f;
    c.query_scale = 0.25f;
    dot_expected(&c);
    for (uint32_t v = 0; v < count; v++)
        if (shelf__dot_i8_variant_supported(v)) {
            dot_run_and_compare(&c, v, "+127 x -127, scales 1/2, 1/4", 0);
            for (uint32_t i = 0; i < n; i++) CHECK(c.out[i] == -2064512.0f);
        }

    /* -127 x -127 is the largest positive sum; negative scales flip it back. */
    memset(c.rows, -127, (size_t)n * dims);
    for (uint32_t i = 0; i < n; i++) c.row_scales[i] = i % 2 ? -2.0f : 2.0f;
    c.query_scale = -0.5f;
    dot_expected(&c);
    for (uint32_t v = 0; v < count; v++)
        if (shelf__dot_i8_variant_supported(v)) {
            dot_run_and_compare(&c, v, "-127 x -127, negative scales", 0);
            for (uint32_t i = 0; i < n; i++) CHECK(c.out[i] == (i % 2 ? 16516096.0f : -16516096.0f));
        }

    /* Scales whose products round: both multiplications must round in order. */
    for (uint32_t i = 0; i < n; i++) c.row_scales[i] = 0.1f * (float)(i + 1);
    c.query_scale = 1.0f / 3.0f;
    dot_expected(&c);
    for (uint32_t v = 0; v < count; v++)
        if (shelf__dot_i8_variant_supported(v)) dot_run_and_compare(&c, v, "rounding scales", 0);

    /* Alternating signs cancel exactly. */
    for (size_t i = 0; i < (size_t)n * dims; i++) c.rows[i] = (int8_t)(i % 2 ? 127 : -127);
    memset(c.query, 127, dims);
    dot_expected(&c);
    for (uint32_t v = 0; v < count; v++)
        if (shelf__dot_i8_variant_supported(v)) {
            dot_run_and_compare(&c, v, "cancelling", 0);
            for (uint32_t i = 0; i < n; i++) CHECK(c.out[i] == 0.0f);
        }

    /* Zero rows: zero scores, with the sign of zero the scales give (bit-compared). */
    memset(c.rows, 0, (size_t)n * dims);
    for (uint32_t i = 0; i < n; i++) c.row_scales[i] = i % 3 ? -1.5f : 1.5f;
    c.query_scale = 3.0f;
    dot_expected(&c);
    CHECK(signbit(c.expected[1]) && !signbit(c.expected[0]));
    for (uint32_t v = 0; v < count; v++)
        if (shelf__dot_i8_variant_supported(v)) dot_run_and_compare(&c, v, "zero rows", 0);
    dot_case_free(&c);
}

/* n = 0 touches no pointer: NULL everywhere but the output, which stays as it was. */
static void test_dot_empty(void) {
    const uint32_t count = shelf__dot_i8_variant_count();
    const int8_t query[16] = {1};
    for (uint32_t v = 0; v < count; v++) {
        if (!shelf__dot_i8_variant_supported(v)) continue;
        float out = 42.0f;
        shelf__dot_i8_variant_fn(v)(NULL, NULL, 0, 16, query, 1.0f, &out);
        CHECK(out == 42.0f);
        shelf__dot_i8_variant_fn(v)(NULL, NULL, 0, 1024, NULL, 1.0f, NULL);
    }
}

/* ------------------------------------------------------------------- top-k --- */

static const float *reference_ties; /* compare_scored()'s second key, or NULL */

static int compare_scored(const void *pa, const void *pb) {
    const shelf__scored *a = pa, *b = pb;
    if (a->score > b->score) return -1;
    if (a->score < b->score) return 1;
    if (reference_ties && reference_ties[a->item] != reference_ties[b->item])
        return reference_ties[a->item] > reference_ties[b->item] ? -1 : 1;
    return (a->item > b->item) - (a->item < b->item);
}

/* The contract the obvious way: keep the eligible items, sort them all, cut. */
static uint32_t topk_reference(const float *scores, const float *ties, uint32_t n, uint32_t k, shelf__scored *out) {
    shelf__scored *all = malloc(((size_t)n + 1) * sizeof *all);
    uint32_t m = 0;
    if (!all) return UINT32_MAX;
    for (uint32_t i = 0; i < n; i++)
        if (scores[i] > -INFINITY) {
            all[m].score = scores[i];
            all[m].item = i;
            m++;
        }
    reference_ties = ties;
    qsort(all, m, sizeof *all, compare_scored);
    reference_ties = NULL;
    const uint32_t count = m < k ? m : k;
    if (count) memcpy(out, all, count * sizeof *all);
    free(all);
    return count;
}

/* Whether got[0 .. got_count) is want[0 .. want_count), items and score bits. */
static int same_scored(const shelf__scored *got, uint32_t got_count, const shelf__scored *want, uint32_t want_count) {
    int same = got_count == want_count;
    for (uint32_t i = 0; same && i < got_count; i++)
        same = got[i].item == want[i].item && memcmp(&got[i].score, &want[i].score, sizeof(float)) == 0;
    return same;
}

/* shelf__topk(), or shelf__topk_tied() when `ties` is given, against the reference. */
static void topk_check(const float *scores, const float *ties, uint32_t n, uint32_t k, const char *what,
                       uint64_t seed) {
    shelf__scored *got = k ? malloc((size_t)k * sizeof *got) : NULL; /* exactly k entries */
    shelf__scored *want = malloc(((size_t)k + 1) * sizeof *want);
    CHECK((k == 0 || got) && want);
    if ((k && !got) || !want) {
        free(got);
        free(want);
        return;
    }
    const uint32_t got_count = ties ? shelf__topk_tied(scores, ties, n, k, got) : shelf__topk(scores, n, k, got);
    const uint32_t want_count = topk_reference(scores, ties, n, k, want);
    int ok = same_scored(got, got_count, want, want_count);
    check_count++;
    if (!ok) {
        check_failures++;
        fprintf(stderr,
                "topk (%s%s): n %" PRIu32 ", k %" PRIu32 ", base seed %" PRIu64 ", case seed %" PRIu64
                ": got %" PRIu32 " items, expected %" PRIu32 "\n",
                what, ties ? ", tied" : "", n, k, base_seed, seed, got_count, want_count);
        for (uint32_t i = 0; i < got_count && i < want_count && i < 20; i++)
            fprintf(stderr, "  #%" PRIu32 ": got (%g, %" PRIu32 ") expected (%g, %" PRIu32 ")\n", i,
                    (double)got[i].score, got[i].item, (double)want[i].score, want[i].item);
    }
    /* The buffered selection, at its smallest scratch (selections most often) and at 4k. */
    for (uint32_t factor = 2; factor <= 4 && ok; factor += 2) {
        const uint32_t capacity = k ? factor * k : 1;
        shelf__scored *scratch = malloc((size_t)capacity * sizeof *scratch);
        CHECK(scratch != NULL);
        if (!scratch) break;
        const uint32_t buffered = shelf__topk_buffered(scores, ties, n, k, scratch, capacity, got);
        check_count++;
        if (!same_scored(got, buffered, want, want_count)) {
            check_failures++;
            fprintf(stderr, "topk buffered x%" PRIu32 " (%s%s): n %" PRIu32 ", k %" PRIu32 ", case seed %" PRIu64 "\n",
                    factor, what, ties ? ", tied" : "", n, k, seed);
        }
        free(scratch);
    }
    free(got);
    free(want);
}

static void test_topk(void) {
    static const uint32_t n_list[] = {0, 1, 2, 10, 1000};
    /* Few distinct values make ties the rule; -0.0 ties with 0.0. */
    static const float few[] = {-2.0f, -1.0f, -0.0f, 0.0f, 0.5f, 1.0f, 3.0f, INFINITY};
    enum { TIES, TIES_EXCLUDED, ALL_EXCLUDED, ALL_EQUAL, DISTINCT, WITH_NAN, PATTERNS };
    static const char *names[PATTERNS] = {"ties", "ties + exclusions", "all excluded",
                                          "all equal", "distinct", "NaN skipped"};
    /* The second key of shelf__topk_tied(): few values too, so it ties as well. */
    static const float few_ties[] = {0.0f, 0.25f, 0.5f, 1.0f};
    for (size_t a = 0; a < sizeof n_list / sizeof n_list[0]; a++) {
        const uint32_t n = n_list[a];
        float *scores = malloc(((size_t)n + 1) * sizeof *scores);
        float *ties = malloc(((size_t)n + 1) * sizeof *ties);
        CHECK(scores != NULL && ties != NULL);
        if (!scores || !ties) {
            free(scores);
            free(ties);
            continue;
        }
        for (int pattern = 0; pattern < PATTERNS; pattern++) {
            const uint64_t seed = case_seed(n, (uint64_t)pattern + 77);
            uint64_t s = seed;
            for (uint32_t i = 0; i < n; i++) {
                const float tie = few[rng_below(&s, 8)];
                switch (pattern) {
                case TIES: scores[i] = tie; break;
                case TIES_EXCLUDED: scores[i] = rng_below(&s, 3) == 0 ? -INFINITY : tie; break;
                case ALL_EXCLUDED: scores[i] = -INFINITY; break;
                case ALL_EQUAL: scores[i] = 0.25f; break;
                case DISTINCT: scores[i] = rng_scale(&s); break;
                default: scores[i] = rng_below(&s, 4) == 0 ? NAN : tie; break;
                }
                ties[i] = few_ties[rng_below(&s, 4)];
            }
            const uint32_t k_list[] = {0, 1, 2, 5, 101, n, n + 1, n + 7};
            for (size_t b = 0; b < sizeof k_list / sizeof k_list[0]; b++) {
                topk_check(scores, NULL, n, k_list[b], names[pattern], seed);
                topk_check(scores, ties, n, k_list[b], names[pattern], seed);
            }
        }
        free(scores);
        free(ties);
    }

    /* Many items, a few kept, read straight from the scores' end. */
    const uint32_t n = 100000;
    float *scores = malloc((size_t)n * sizeof *scores);
    CHECK(scores != NULL);
    if (scores) {
        const uint64_t seed = case_seed(n, 5);
        uint64_t s = seed;
        for (uint32_t i = 0; i < n; i++)
            scores[i] = rng_below(&s, 10) == 0 ? -INFINITY : (float)rng_below(&s, 1000) * 0.125f;
        topk_check(scores, NULL, n, 10, "large, ties", seed);
        topk_check(scores, NULL, n, 100, "large, ties", seed);
        topk_check(scores, NULL, n, 1000, "large, ties", seed);
        /* Popularity-like second keys: many distinct, some equal. */
        float *ties = malloc((size_t)n * sizeof *ties);
        CHECK(ties != NULL);
        if (ties) {
            for (uint32_t i = 0; i < n; i++) ties[i] = (float)rng_below(&s, 5000) / 5000.0f;
            topk_check(scores, ties, n, 10, "large, ties", seed);
            topk_check(scores, ties, n, 1000, "large, ties", seed);
            free(ties);
        }
        free(scores);
    }

    CHECK(shelf__topk(NULL, 0, 0, NULL) == 0);
    const float one = 1.0f;
    CHECK(shelf__topk(&one, 1, 0, NULL) == 0);
    CHECK(shelf__topk_tied(&one, &one, 1, 0, NULL) == 0);
    /* The second key decides between equal scores only. */
    const float two_scores[] = {1.0f, 1.0f, 2.0f}, two_ties[] = {0.1f, 0.9f, 0.0f};
    shelf__scored two[3];
    CHECK(shelf__topk_tied(two_scores, two_ties, 3, 3, two) == 3);
    CHECK(two[0].item == 2 && two[1].item == 1 && two[2].item == 0);
    CHECK(shelf__topk(two_scores, 3, 3, two) == 3);
    CHECK(two[0].item == 2 && two[1].item == 0 && two[2].item == 1);
}

int main(void) {
    const char *seed_text = getenv("SHELF_TEST_SEED");
    if (seed_text && *seed_text) base_seed = strtoull(seed_text, NULL, 0);
    test_override_env(); /* first: shelf__dot_i8_best() caches its first pick */
    test_enumeration();
    test_dot_empty();
    test_dot_extremes();
    test_dot_sweep();
    test_dot_random_shapes();
    test_topk();
    return check_finish("test_kernels");
}
