/* Internal helpers shared by every layer: depends on nothing but libc. */
#ifndef SHELF_COMMON_H
#define SHELF_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "shelf.h"

/* Propagate a failing status to the caller (as zstd's FORWARD_IF_ERROR). */
#define SHELF__TRY(expr)                          \
    do {                                          \
        shelf_status shelf__s = (expr);           \
        if (shelf__s != SHELF_OK) return shelf__s; \
    } while (0)

/* The names files use for event types and scorers (names.c), indexed by
 * shelf_event_type and SHELF__SCORER_*. */
extern const char *const shelf__event_type_names[SHELF_EVENT_TYPE_COUNT];
extern const char *const shelf__scorer_names[SHELF__SCORER_COUNT];
/* Index of `name` in names[0..count), or -1. */
int shelf__name_index(const char *name, const char *const *names, int count);

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as zlib's crc32():
 * start with crc = 0 and feed the bytes in any number of pieces. */
uint32_t shelf__crc32(uint32_t crc, const void *data, size_t size);
/* Its slicing-by-8 tables: [0] is the byte-at-a-time table, [t][i] the CRC of
 * byte i followed by t zero bytes. */
extern const uint32_t shelf__crc32_tables[8][256];

/* FNV-1a, 32 bits. */
uint32_t shelf__fnv1a32(const void *data, size_t size);
/* FNV-1a 64 with a finalizer that spreads its bits: the hash of every string
 * table (the model's item index, the trainer's interned ids). Its low 32 bits are
 * shelf__hash32; its low 48 bits name an item in saved sessions (session.c), so
 * that a session restores under any model that knows the item. */
uint64_t shelf__hash64(const void *data, size_t size);
uint32_t shelf__hash32(const void *data, size_t size);

/* Little-endian loads and stores that work at any alignment. */
static inline uint32_t shelf__load_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t shelf__load_u64(const uint8_t *p) {
    return (uint64_t)shelf__load_u32(p) | (uint64_t)shelf__load_u32(p + 4) << 32;
}
static inline float shelf__load_f32(const uint8_t *p) {
    uint32_t u = shelf__load_u32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}
static inline void shelf__store_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void shelf__store_u64(uint8_t *p, uint64_t v) {
    shelf__store_u32(p, (uint32_t)v);
    shelf__store_u32(p + 4, (uint32_t)(v >> 32));
}
static inline void shelf__store_f32(uint8_t *p, float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    shelf__store_u32(p, u);
}

#endif
