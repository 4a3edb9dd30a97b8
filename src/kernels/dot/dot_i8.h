/* dot_i8 -- scores one int8 query against every int8 row of an embedding table.
 *
 * This is the inner loop of the embedding scorer: with item i stored as
 * rows[i*dims .. i*dims+dims) times row_scales[i], and the session vector as
 * query[0 .. dims) times query_scale, each item's score is the dot product of the
 * two dequantized vectors, computed as
 *
 *     acc       = sum over j < dims of (int32)rows[i*dims + j] * (int32)query[j]
 *     scores[i] = ((float)acc * row_scales[i]) * query_scale
 *
 * with exactly these two float multiplications in this order. The sum is exact in
 * int32 and |acc| <= 127*127*1024 < 2^24, so (float)acc is exact too: every
 * variant returns results bit-identical to shelf__dot_i8_scalar(), on every target
 * (the build uses -ffp-contract=off).
 *
 * Preconditions, checked by the model loader rather than here:
 *   - dims is a multiple of 16 and 16 <= dims <= SHELF__MAX_DIMS (1024);
 *   - every int8 value is in [-127, 127], never -128 (symmetric quantization);
 *   - rows holds n*dims values, row_scales and scores n floats, query dims values;
 *     no alignment beyond the types' own is required; n may be 0, and then no
 *     pointer is read or written.
 * The kernels never allocate, print or fail.
 *
 * Variants live one per file (dot_i8_<name>.c) and are listed once in
 * dot_i8_variants.inc. Callers take shelf__dot_i8_best(); tests and benchmarks
 * walk the list with shelf__dot_i8_variant_*().
 */
#ifndef SHELF_DOT_I8_H
#define SHELF_DOT_I8_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

/* The widest row the int32 accumulation allows: 127*127*1024 < 2^24. */
#define SHELF__DOT_I8_MAX_DIMS 1024u
_Static_assert(127u * 127u * SHELF__DOT_I8_MAX_DIMS < (1u << 24), "int32 sums of int8 products stay exact in float");

/* The preconditions above, checked in debug builds by every variant (the loader
 * guarantees them; an assert failing here is a bug in the library). */
#define SHELF__DOT_I8_PRECONDITIONS(rows, row_scales, n, dims, query, scores)                 \
    assert((dims) % 16 == 0 && (dims) >= 16 && (dims) <= SHELF__DOT_I8_MAX_DIMS);          \
    assert((n) == 0 || ((rows) != NULL && (row_scales) != NULL && (query) != NULL && (scores) != NULL))

/* The instruction sets a kernel variant may need. */
typedef enum shelf__isa {
    SHELF__ISA_NONE = 0,     /* plain C: runs everywhere */
    SHELF__ISA_SSE41 = 1,    /* x86-64 SSE4.1 (and SSSE3) */
    SHELF__ISA_AVX2 = 2,     /* x86-64 AVX2, with the OS saving the YMM registers */
    SHELF__ISA_WASMSIMD = 3  /* WebAssembly SIMD128, decided at compile time */
} shelf__isa;

typedef void (*shelf__dot_i8_fn)(const int8_t *rows, const float *row_scales, uint32_t n,
                                 uint32_t dims, const int8_t *query, float query_scale,
                                 float *scores);

/* void shelf__dot_i8_scalar(...), shelf__dot_i8_sse41(...), ...: one per listed
 * variant, each with the shelf__dot_i8_fn signature and the contract above. */
#define SHELF__DOT_I8_VARIANT(name, isa)                                                \
    void shelf__dot_i8_##name(const int8_t *rows, const float *row_scales, uint32_t n, \
                              uint32_t dims, const int8_t *query, float query_scale,   \
                              float *scores);
#include "dot_i8_variants.inc"
#undef SHELF__DOT_I8_VARIANT

/* The variant to use on this machine, picked on the first call and then cached
 * (thread-safe: concurrent first calls pick the same variant). Natively the pick is
 * the last variant of the list the CPU supports, unless the environment variable
 * SHELF_KERNEL names a supported variant ("scalar", "sse41", "avx2"), which then
 * wins; an unknown or unsupported name is ignored. In WebAssembly the environment is
 * not read: the choice is fixed at compile time (wasmsimd with -msimd128, else
 * scalar). Never NULL. */
shelf__dot_i8_fn shelf__dot_i8_best(void);
/* The index (into the variant list) of shelf__dot_i8_best(). */
uint32_t shelf__dot_i8_best_index(void);

/* The pick itself, uncached, with `override` standing for SHELF_KERNEL's value
 * (NULL: none): the index of the variant named `override` if this CPU supports it,
 * else of the last supported variant. Lets tests check the override without the
 * cache of shelf__dot_i8_best(). */
uint32_t shelf__dot_i8_choose(const char *override);

/* The variant list, in its order (index 0 is the scalar reference). Out-of-range
 * indices give NULL and 0. */
uint32_t shelf__dot_i8_variant_count(void);
const char *shelf__dot_i8_variant_name(uint32_t index);       /* "scalar", "avx2", ... */
shelf__dot_i8_fn shelf__dot_i8_variant_fn(uint32_t index);
shelf__isa shelf__dot_i8_variant_isa(uint32_t index);
int shelf__dot_i8_variant_supported(uint32_t index);         /* 1 if this CPU runs it */

/* 1 if this CPU (or, in WebAssembly, this build) has `isa`. */
int shelf__isa_supported(shelf__isa isa);

#endif
