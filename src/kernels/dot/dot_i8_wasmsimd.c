/* dot_i8 with WebAssembly SIMD128: 4 rows at a time share each widened query.
 * Compiled only by the Emscripten build; without -msimd128 this file is empty and
 * the variant is not listed (dot_i8_variants.inc). */
#include <stddef.h>

#include "dot_i8.h"

#ifdef __wasm_simd128__

#include <wasm_simd128.h>

/* Adds the 16 products row[k]*q[k] into the 4 int32 lanes of acc: the row is widened
 * to int16 (q_lo, q_hi are the query's halves, already widened) and i32x4.dot adds
 * products in pairs, at most 2*127*127 in magnitude, exactly. */
static inline v128_t shelf__dot16(v128_t acc, v128_t row, v128_t q_lo, v128_t q_hi) {
    acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(row), q_lo));
    return wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(row), q_hi));
}

void shelf__dot_i8_wasmsimd(const int8_t *rows, const float *row_scales, uint32_t n,
                            uint32_t dims, const int8_t *query, float query_scale,
                            float *scores) {
    SHELF__DOT_I8_PRECONDITIONS(rows, row_scales, n, dims, query, scores);
    const v128_t q_scale = wasm_f32x4_splat(query_scale);
    uint32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const int8_t *r0 = rows + (size_t)i * dims;
        const int8_t *r1 = r0 + dims;
        const int8_t *r2 = r1 + dims;
        const int8_t *r3 = r2 + dims;
        /* A lane sums dims/4 products: at most 127*127*256 < 2^31. */
        v128_t a0 = wasm_i32x4_const_splat(0), a1 = a0, a2 = a0, a3 = a0;
        for (uint32_t j = 0; j < dims; j += 16) {
            const v128_t q = wasm_v128_load(query + j);
            const v128_t q_lo = wasm_i16x8_extend_low_i8x16(q);
            const v128_t q_hi = wasm_i16x8_extend_high_i8x16(q);
            a0 = shelf__dot16(a0, wasm_v128_load(r0 + j), q_lo, q_hi);
            a1 = shelf__dot16(a1, wasm_v128_load(r1 + j), q_lo, q_hi);
            a2 = shelf__dot16(a2, wasm_v128_load(r2 + j), q_lo, q_hi);
            a3 = shelf__dot16(a3, wasm_v128_load(r3 + j), q_lo, q_hi);
        }
        /* Transpose-and-add: t01 = [a0.0+a0.2, a1.0+a1.2, a0.1+a0.3, a1.1+a1.3], t23 the
         * same for a2, a3; then acc = [sum a0, sum a1, sum a2, sum a3], each
         * |sum| <= 127*127*1024 < 2^24, exact in float. */
        const v128_t t01 = wasm_i32x4_add(wasm_i32x4_shuffle(a0, a1, 0, 4, 1, 5),
                                          wasm_i32x4_shuffle(a0, a1, 2, 6, 3, 7));
        const v128_t t23 = wasm_i32x4_add(wasm_i32x4_shuffle(a2, a3, 0, 4, 1, 5),
                                          wasm_i32x4_shuffle(a2, a3, 2, 6, 3, 7));
        const v128_t acc = wasm_i32x4_add(wasm_i32x4_shuffle(t01, t23, 0, 1, 4, 5),
                                          wasm_i32x4_shuffle(t01, t23, 2, 3, 6, 7));
        const v128_t s = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc),
                                        wasm_v128_load(row_scales + i));
        wasm_v128_store(scores + i, wasm_f32x4_mul(s, q_scale));
    }
    for (; i < n; i++) {
        const int8_t *r = rows + (size_t)i * dims;
        v128_t a = wasm_i32x4_const_splat(0);
        for (uint32_t j = 0; j < dims; j += 16) {
            const v128_t q = wasm_v128_load(query + j);
            a = shelf__dot16(a, wasm_v128_load(r + j), wasm_i16x8_extend_low_i8x16(q),
                             wasm_i16x8_extend_high_i8x16(q));
        }
        a = wasm_i32x4_add(a, wasm_i32x4_shuffle(a, a, 2, 3, 0, 1));
        a = wasm_i32x4_add(a, wasm_i32x4_shuffle(a, a, 1, 0, 3, 2));
        const int32_t acc = wasm_i32x4_extract_lane(a, 0);
        scores[i] = ((float)acc * row_scales[i]) * query_scale;
    }
}

#endif
