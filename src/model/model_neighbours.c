/* Neighbour rows: decoding an EF4 row (models/FORMAT.md, "Neighbour tables"), and
 * checking one when the model opens, so that decoding later needs no checks.
 *
 * A row of n entries over item indices [0, U) is one little-endian bit stream:
 *   n * l low bits      entry i's index & (2^l - 1), l = shelf__ef_low_bits(n, U)
 *   H high bits         entry i sets bit (index_i >> l) + i; H = n + ((U - 1) >> l)
 *   n * 4 weight bits   entry i's weight code; weight = code * scale
 * padded with zero bits to a whole byte. Indices strictly increase. */
#include <assert.h>

#include "model_internal.h"
#include "shelf_common.h"

/* `count` (<= 32) bits at bit `at` of p[0..size); bits past the end read as 0. */
static uint32_t bits_at(const uint8_t *p, size_t size, uint64_t at, uint32_t count) {
    const size_t first = (size_t)(at >> 3);
    if (first + 5 <= size) { /* the common case: five whole bytes hold any 32 bits at any shift */
        const uint64_t five = (uint64_t)p[first] | (uint64_t)p[first + 1] << 8 | (uint64_t)p[first + 2] << 16 |
                              (uint64_t)p[first + 3] << 24 | (uint64_t)p[first + 4] << 32;
        const uint64_t value = five >> (at & 7);
        return count == 32 ? (uint32_t)value : (uint32_t)(value & ((1ull << count) - 1));
    }
    uint64_t value = 0;
    size_t byte = (size_t)(at >> 3);
    uint32_t shift = (uint32_t)(at & 7), have = 0;
    while (have < count + shift && byte < size) {
        value |= (uint64_t)p[byte++] << have;
        have += 8;
    }
    value >>= shift;
    return count == 32 ? (uint32_t)value : (uint32_t)(value & ((1ull << count) - 1));
}

/* Decodes a row of n entries from p[0..size). Returns 0 if the bits break a rule
 * (an index out of range or not increasing, too few high bits set, a set bit
 * beyond the last entry, non-zero padding); items/codes may then be partly written. */
static int decode_ef4(const uint8_t *p, size_t size, uint32_t n, uint32_t universe, uint32_t *items,
                      uint8_t *codes) {
    const uint32_t l = shelf__ef_low_bits(n, universe);
    const uint64_t low_bits = (uint64_t)n * l, high_bits = n + ((universe - 1u) >> l);
    uint64_t at = low_bits;  /* the high part */
    uint32_t high = 0;
    for (uint32_t i = 0; i < n; i++) {
        /* The next set bit: its distance from the previous one is the high part's step. */
        while (at < low_bits + high_bits && !bits_at(p, size, at, 1)) {
            at++;
            high++;
        }
        if (at == low_bits + high_bits) return 0;
        at++;
        uint64_t index = ((uint64_t)high << l) | bits_at(p, size, (uint64_t)i * l, l);
        if (index >= universe || (i > 0 && index <= items[i - 1])) return 0;
        items[i] = (uint32_t)index;
    }
    /* The rest of the high part and the padding after the codes must be zero. */
    for (; at < low_bits + high_bits; at++)
        if (bits_at(p, size, at, 1)) return 0;
    for (uint32_t i = 0; i < n; i++) codes[i] = (uint8_t)bits_at(p, size, at + 4u * i, 4);
    uint64_t end = at + 4u * (uint64_t)n;
    for (; end < (uint64_t)size * 8; end++)
        if (bits_at(p, size, end, 1)) return 0;
    return 1;
}

/* Decodes a row shelf_model_open() has checked (decode_ef4 above): no rule is
 * tested again, and the high part is scanned a byte at a time. The scorers and
 * the ranker decode rows on every request, so this is on their hot path. */
static void decode_ef4_checked(const uint8_t *p, size_t size, uint32_t n, uint32_t universe, uint32_t *items,
                               uint8_t *codes) {
    const uint32_t l = shelf__ef_low_bits(n, universe);
    const uint64_t low_bits = (uint64_t)n * l, high_bits = n + ((universe - 1u) >> l);
    uint64_t at = low_bits;
    for (uint32_t i = 0; i < n; i++) {
        /* The next set bit (there is one: the row has n). */
        for (;;) {
            const uint32_t rest = (uint32_t)p[at >> 3] >> (at & 7);
            if (rest) {
                at += (uint32_t)__builtin_ctz(rest);
                break;
            }
            at += 8 - (at & 7);
        }
        /* Entry i's bit is (index >> l) + i bits into the high part. */
        items[i] = (uint32_t)(((at - low_bits - i) << l) | bits_at(p, size, (uint64_t)i * l, l));
        at++;
    }
    const uint64_t code_bits = low_bits + high_bits;
    for (uint32_t i = 0; i < n; i++) codes[i] = (uint8_t)bits_at(p, size, code_bits + 4u * i, 4);
}

int shelf__ef4_row_valid(const shelf__neighbours *t, uint32_t row) {
    uint32_t items[SHELF__MAX_NEIGHBOURS];
    uint8_t codes[SHELF__MAX_NEIGHBOURS];
    const uint32_t n = t->counts[row];
    const size_t size = t->row_offset[row + 1] - t->row_offset[row];
    return n == 0 || decode_ef4(t->data + t->row_offset[row], size, n, t->universe, items, codes);
}

uint32_t shelf__neighbours_row(const shelf__neighbours *t, uint32_t row, uint32_t *items, float *weights) {
    assert(t->present && row < t->universe);
    if (t->encoding == SHELF__ENCODING_F32) {
        const uint32_t begin = t->row_start[row], n = t->row_start[row + 1] - begin;
        for (uint32_t e = 0; e < n; e++) {
            items[e] = t->items[begin + e];
            weights[e] = t->weights_f32[begin + e];
        }
        return n;
    }
    uint8_t codes[SHELF__MAX_NEIGHBOURS];
    const uint32_t n = t->counts[row];
    if (n == 0) return 0;
    const size_t size = t->row_offset[row + 1] - t->row_offset[row];
    decode_ef4_checked(t->data + t->row_offset[row], size, n, t->universe, items, codes);
    const float scale = shelf__bf16_to_f32(t->scales[row]);
    for (uint32_t e = 0; e < n; e++) weights[e] = (float)codes[e] * scale;
    return n;
}
