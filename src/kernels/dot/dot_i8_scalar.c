/* The reference: the definition every other dot_i8 variant must match bit for bit. */
#include <stddef.h>

#include "dot_i8.h"

void shelf__dot_i8_scalar(const int8_t *rows, const float *row_scales, uint32_t n, uint32_t dims,
                          const int8_t *query, float query_scale, float *scores) {
    SHELF__DOT_I8_PRECONDITIONS(rows, row_scales, n, dims, query, scores);
    for (uint32_t i = 0; i < n; i++) {
        const int8_t *row = rows + (size_t)i * dims;
        /* Each product is at most 127*127 in magnitude and dims <= 1024, so the
         * exact sum stays within 127*127*1024 < 2^24 < 2^31: no overflow, and the
         * conversion to float below is exact. */
        int32_t acc = 0;
        for (uint32_t j = 0; j < dims; j++)
            acc += (int32_t)row[j] * (int32_t)query[j];
        scores[i] = ((float)acc * row_scales[i]) * query_scale;
    }
}
