/* Which dot_i8 variant runs: the variant list as a table, CPU feature checks, and the
 * pick made once. */
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dot_i8.h"

typedef struct shelf__dot_i8_variant {
    const char *name;
    shelf__dot_i8_fn fn;
    shelf__isa isa;
} shelf__dot_i8_variant;

static const shelf__dot_i8_variant shelf__dot_i8_variants[] = {
#define SHELF__DOT_I8_VARIANT(name, isa) {#name, shelf__dot_i8_##name, isa},
#include "dot_i8_variants.inc"
#undef SHELF__DOT_I8_VARIANT
};

#define SHELF__DOT_I8_VARIANT_COUNT \
    ((uint32_t)(sizeof shelf__dot_i8_variants / sizeof shelf__dot_i8_variants[0]))

int shelf__isa_supported(shelf__isa isa) {
    switch (isa) {
    case SHELF__ISA_NONE:
        return 1;
#if defined(__x86_64__) && !defined(__EMSCRIPTEN__) && (defined(__GNUC__) || defined(__clang__))
    /* libgcc and compiler-rt report AVX2 only when the OS saves the YMM registers
     * (OSXSAVE + XGETBV), so a supported variant can really run. */
    case SHELF__ISA_SSE41:
        __builtin_cpu_init();
        return __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("ssse3");
    case SHELF__ISA_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") != 0;
#endif
#if defined(__wasm_simd128__)
    /* A SIMD module does not even validate on an engine without SIMD128. */
    case SHELF__ISA_WASMSIMD:
        return 1;
#endif
    default:
        return 0;
    }
}

uint32_t shelf__dot_i8_variant_count(void) {
    return SHELF__DOT_I8_VARIANT_COUNT;
}

const char *shelf__dot_i8_variant_name(uint32_t index) {
    return index < SHELF__DOT_I8_VARIANT_COUNT ? shelf__dot_i8_variants[index].name : NULL;
}

shelf__dot_i8_fn shelf__dot_i8_variant_fn(uint32_t index) {
    return index < SHELF__DOT_I8_VARIANT_COUNT ? shelf__dot_i8_variants[index].fn : NULL;
}

shelf__isa shelf__dot_i8_variant_isa(uint32_t index) {
    return index < SHELF__DOT_I8_VARIANT_COUNT ? shelf__dot_i8_variants[index].isa
                                                : SHELF__ISA_NONE;
}

int shelf__dot_i8_variant_supported(uint32_t index) {
    return index < SHELF__DOT_I8_VARIANT_COUNT &&
           shelf__isa_supported(shelf__dot_i8_variants[index].isa);
}

uint32_t shelf__dot_i8_choose(const char *override) {
    uint32_t best = 0; /* the scalar reference runs everywhere */
    for (uint32_t i = 1; i < SHELF__DOT_I8_VARIANT_COUNT; i++)
        if (shelf__dot_i8_variant_supported(i)) best = i;
    if (override != NULL) {
        for (uint32_t i = 0; i < SHELF__DOT_I8_VARIANT_COUNT; i++)
            if (strcmp(override, shelf__dot_i8_variants[i].name) == 0)
                return shelf__dot_i8_variant_supported(i) ? i : best;
    }
    return best;
}

/* The picked index + 1; 0 until the first pick. Atomic so that threads racing on the
 * first call are well defined: they compute and store the same value. */
static atomic_uint shelf__dot_i8_picked;

uint32_t shelf__dot_i8_best_index(void) {
    unsigned picked = atomic_load_explicit(&shelf__dot_i8_picked, memory_order_relaxed);
    if (picked == 0) {
#ifdef __EMSCRIPTEN__
        /* No environment in a browser or a worker: the module's build decides. */
        picked = shelf__dot_i8_choose(NULL) + 1;
#else
        picked = shelf__dot_i8_choose(getenv("SHELF_KERNEL")) + 1;
#endif
        atomic_store_explicit(&shelf__dot_i8_picked, picked, memory_order_relaxed);
    }
    return picked - 1;
}

shelf__dot_i8_fn shelf__dot_i8_best(void) {
    return shelf__dot_i8_variants[shelf__dot_i8_best_index()].fn;
}
