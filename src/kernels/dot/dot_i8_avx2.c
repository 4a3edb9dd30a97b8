/* dot_i8 with AVX2: 32 bytes per step, 4 rows at a time share each query load. */
#include <stddef.h>

#include "dot_i8.h"

#if defined(__x86_64__) && !defined(__EMSCRIPTEN__)
#ifndef __AVX2__
#error "dot_i8_avx2.c must be compiled with -mavx2"
#endif

#include <immintrin.h>

/* Adds the 32 products row[k]*q[k] into the 8 int32 lanes of acc. vpmaddubsw
 * multiplies unsigned by signed bytes, so q's sign moves onto the row:
 * |q| * (row * sign(q)). Values are never -128, so neither abs nor sign overflows,
 * and each pair sum is at most 2*127*127 = 32258 < 2^15: no saturation, exact. */
static inline __m256i shelf__dot32(__m256i acc, __m256i row, __m256i q_abs, __m256i q) {
    const __m256i pairs = _mm256_maddubs_epi16(q_abs, _mm256_sign_epi8(row, q));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
}

static inline __m256i shelf__load32(const int8_t *p) {
    return _mm256_loadu_si256((const __m256i *)(const void *)p);
}

/* dims is a multiple of 16, not 32: the last 16 bytes go in the low half, zeros
 * above, and zero products add nothing. Never reads past p + 16. */
static inline __m256i shelf__load16(const int8_t *p) {
    return _mm256_zextsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)p));
}

void shelf__dot_i8_avx2(const int8_t *rows, const float *row_scales, uint32_t n, uint32_t dims,
                        const int8_t *query, float query_scale, float *scores) {
    SHELF__DOT_I8_PRECONDITIONS(rows, row_scales, n, dims, query, scores);
    const __m128 q_scale = _mm_set1_ps(query_scale);
    const uint32_t dims32 = dims & ~31u;
    uint32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const int8_t *r0 = rows + (size_t)i * dims;
        const int8_t *r1 = r0 + dims;
        const int8_t *r2 = r1 + dims;
        const int8_t *r3 = r2 + dims;
        /* A lane sums dims/8 products: at most 127*127*128 < 2^31. */
        __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
        uint32_t j = 0;
        for (; j < dims32; j += 32) {
            const __m256i q = shelf__load32(query + j);
            const __m256i q_abs = _mm256_abs_epi8(q);
            a0 = shelf__dot32(a0, shelf__load32(r0 + j), q_abs, q);
            a1 = shelf__dot32(a1, shelf__load32(r1 + j), q_abs, q);
            a2 = shelf__dot32(a2, shelf__load32(r2 + j), q_abs, q);
            a3 = shelf__dot32(a3, shelf__load32(r3 + j), q_abs, q);
        }
        if (j < dims) {
            const __m256i q = shelf__load16(query + j);
            const __m256i q_abs = _mm256_abs_epi8(q);
            a0 = shelf__dot32(a0, shelf__load16(r0 + j), q_abs, q);
            a1 = shelf__dot32(a1, shelf__load16(r1 + j), q_abs, q);
            a2 = shelf__dot32(a2, shelf__load16(r2 + j), q_abs, q);
            a3 = shelf__dot32(a3, shelf__load16(r3 + j), q_abs, q);
        }
        /* Per 128-bit half: [a0, a1, a2, a3] partial sums; adding the halves gives the
         * four row sums, |sum| <= 127*127*1024 < 2^24, exact in float. */
        const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(a0, a1), _mm256_hadd_epi32(a2, a3));
        const __m128i acc = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
        const __m128 s = _mm_mul_ps(_mm_cvtepi32_ps(acc), _mm_loadu_ps(row_scales + i));
        _mm_storeu_ps(scores + i, _mm_mul_ps(s, q_scale));
    }
    for (; i < n; i++) {
        const int8_t *r = rows + (size_t)i * dims;
        __m256i a = _mm256_setzero_si256();
        uint32_t j = 0;
        for (; j < dims32; j += 32) {
            const __m256i q = shelf__load32(query + j);
            a = shelf__dot32(a, shelf__load32(r + j), _mm256_abs_epi8(q), q);
        }
        if (j < dims) {
            const __m256i q = shelf__load16(query + j);
            a = shelf__dot32(a, shelf__load16(r + j), _mm256_abs_epi8(q), q);
        }
        __m128i s = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
        s = _mm_hadd_epi32(s, s);
        s = _mm_hadd_epi32(s, s);
        const int32_t acc = _mm_cvtsi128_si32(s);
        scores[i] = ((float)acc * row_scales[i]) * query_scale;
    }
}

#endif
