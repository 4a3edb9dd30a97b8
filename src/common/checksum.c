#include "shelf_common.h"

/* CRC-32 by slicing-by-8: eight tables let the loop consume eight bytes per step
 * (about five times faster than a byte at a time). Opening a model checks every
 * byte, so this is most of the time that shelf_model_open() takes. The tables are
 * constant data (generated once by tools/gen/crc32_table.py): nothing to fill at
 * run time, so nothing for threads to race on. */
const uint32_t shelf__crc32_tables[8][256] = {
#include "crc32_table.inc"
};
uint32_t shelf__crc32(uint32_t crc, const void *data, size_t size) {
    const uint32_t (*T)[256] = shelf__crc32_tables;
    const uint8_t *p = data;
    crc = ~crc;
    for (; size >= 8; p += 8, size -= 8) {
        uint32_t lo = crc ^ shelf__load_u32(p), hi = shelf__load_u32(p + 4);
        crc = T[7][lo & 0xFF] ^ T[6][(lo >> 8) & 0xFF] ^ T[5][(lo >> 16) & 0xFF] ^
              T[4][lo >> 24] ^ T[3][hi & 0xFF] ^ T[2][(hi >> 8) & 0xFF] ^
              T[1][(hi >> 16) & 0xFF] ^ T[0][hi >> 24];
    }
    for (; size > 0; p++, size--) crc = T[0][(crc ^ *p) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

uint32_t shelf__fnv1a32(const void *data, size_t size) {
    const uint8_t *p = data;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

uint64_t shelf__hash64(const void *data, size_t size) {
    /* FNV-1a 64, then the murmur3 64-bit finalizer: FNV's low bits are weak for ids
     * that differ only in their last digits, and tables mask the low bits. */
    const uint8_t *p = data;
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < size; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

uint32_t shelf__hash32(const void *data, size_t size) {
    return (uint32_t)shelf__hash64(data, size);
}
