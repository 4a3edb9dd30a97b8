/* dot_i8 with SSE4.1 (SSSE3's pmaddubsw): 4 rows at a time share each query load. */
#include <stddef.h>

#include "dot_i8.h"

#if defined(__x86_64__) && !defined(__EMSCRIPTEN__)
#ifndef __SSE4_1__
#error "dot_i8_sse41.c must be compiled with -msse4.1"
#endif

#include <smmintrin.h>

/* Adds the 16 products row[k]*q[k] into the 4 int32 lanes of acc. pmaddubsw multiplies
 * unsigned by signed bytes, so q's sign moves onto the row: |q| * (row * sign(q)).
 * Values are never -128, so neither abs nor sign overflows, and each pair sum is at
 * most 2*127*127 = 32258 < 2^15: pmaddubsw never saturates and the result is exact. */
static inline __m128i shelf__dot16(__m128i acc, __m128i row, __m128i q_abs, __m128i q) {
    const __m128i pairs = _mm_maddubs_epi16(q_abs, _mm_sign_epi8(row, q));
    return _mm_add_epi32(acc, _mm_madd_epi16(pairs, _mm_set1_epi16(1)));
}

static inline __m128i shelf__load16(const int8_t *p) {
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

void shelf__dot_i8_sse41(const int8_t *rows, const float *row_scales, uint32_t n, uint32_t dims,
                         const int8_t *query, float query_scale, float *scores) {
    SHELF__DOT_I8_PRECONDITIONS(rows, row_scales, n, dims, query, scores);
    const __m128 q_scale = _mm_set1_ps(query_scale);
    uint32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const int8_t *r0 = rows + (size_t)i * dims;
        const int8_t *r1 = r0 + dims;
        const int8_t *r2 = r1 + dims;
        const int8_t *r3 = r2 + dims;
        /* A lane sums dims/4 products: at most 127*127*256 < 2^31. */
        __m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0;
        for (uint32_t j = 0; j < dims; j += 16) {
            const __m128i q = shelf__load16(query + j);
            const __m128i q_abs = _mm_abs_epi8(q);
            a0 = shelf__dot16(a0, shelf__load16(r0 + j), q_abs, q);
            a1 = shelf__dot16(a1, shelf__load16(r1 + j), q_abs, q);
            a2 = shelf__dot16(a2, shelf__load16(r2 + j), q_abs, q);
            a3 = shelf__dot16(a3, shelf__load16(r3 + j), q_abs, q);
        }
        /* [sum a0, sum a1, sum a2, sum a3]: |sum| <= 127*127*1024 < 2^24, exact in float. */
        const __m128i acc = _mm_hadd_epi32(_mm_hadd_epi32(a0, a1), _mm_hadd_epi32(a2, a3));
        const __m128 s = _mm_mul_ps(_mm_cvtepi32_ps(acc), _mm_loadu_ps(row_scales + i));
        _mm_storeu_ps(scores + i, _mm_mul_ps(s, q_scale));
    }
    for (; i < n; i++) {
        const int8_t *r = rows + (size_t)i * dims;
        __m128i a = _mm_setzero_si128();
        for (uint32_t j = 0; j < dims; j += 16) {
            const __m128i q = shelf__load16(query + j);
            a = shelf__dot16(a, shelf__load16(r + j), _mm_abs_epi8(q), q);
        }
        a = _mm_hadd_epi32(a, a);
        a = _mm_hadd_epi32(a, a);
        const int32_t acc = _mm_cvtsi128_si32(a);
        scores[i] = ((float)acc * row_scales[i]) * query_scale;
    }
}

#endif
