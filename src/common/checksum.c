#include "shelf_common.h"

/* Table-driven CRC-32, one byte per step: simple, and models are checked once, at open. */
static uint32_t crc_table[256];
static int crc_table_ready;

static void crc_table_fill(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int bit = 0; bit < 8; bit++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    crc_table_ready = 1;
}

uint32_t shelf__crc32(uint32_t crc, const void *data, size_t size) {
    /* Filling twice from two threads writes the same values: harmless. */
    if (!crc_table_ready) crc_table_fill();
    const uint8_t *p = data;
    crc = ~crc;
    for (size_t i = 0; i < size; i++) crc = crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
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
