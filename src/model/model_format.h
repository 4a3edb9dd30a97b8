/* The .shelf file layout (models/FORMAT.md is its byte-level specification). */
#ifndef SHELF_MODEL_FORMAT_H
#define SHELF_MODEL_FORMAT_H

#include <stdint.h>

#define SHELF__MAGIC "SHELF\r\n\x1a"      /* 8 bytes */
#define SHELF__MAGIC_SIZE 8u
#define SHELF__FORMAT_VERSION SHELF_FORMAT_VERSION  /* shelf.h */
#define SHELF__HEADER_SIZE 64u
#define SHELF__SECTION_ENTRY_SIZE 32u
#define SHELF__SECTION_ALIGN 64u
#define SHELF__MAX_SECTIONS 32u
#define SHELF__NO_INDEX 0xFFFFFFFFu        /* empty hash slot, unknown category */
#define SHELF__MAX_DIMS 1024u             /* 127*127*1024 < 2^31: int32 dot products cannot overflow */
#define SHELF__MAX_ITEMS (1u << 30)        /* the in-memory index has 2^31 slots at most */
#define SHELF__MAX_NEIGHBOURS 255u         /* entries of one neighbour row (a u8 count) */

/* Header field offsets. */
#define SHELF__HDR_MAGIC 0
#define SHELF__HDR_VERSION 8
#define SHELF__HDR_FLAGS 12
#define SHELF__HDR_SECTION_COUNT 16
#define SHELF__HDR_CHECKSUM 20             /* CRC-32 of header + table with this field zeroed */
#define SHELF__HDR_FILE_SIZE 24
#define SHELF__HDR_RESERVED 32             /* 32 bytes, all zero */
#define SHELF__HDR_RESERVED_SIZE 32u

/* Section table entry field offsets. */
#define SHELF__SEC_TYPE 0
#define SHELF__SEC_ENCODING 4
#define SHELF__SEC_OFFSET 8
#define SHELF__SEC_LENGTH 16
#define SHELF__SEC_CHECKSUM 24
#define SHELF__SEC_RESERVED 28             /* u32, zero */

typedef enum shelf__section_type {
    SHELF__SECTION_METADATA = 1,
    SHELF__SECTION_ITEM_IDS = 2,
    SHELF__SECTION_ITEM_INDEX = 3,       /* format 1 only: version 2 builds the index at open */
    SHELF__SECTION_CATEGORY_NAMES = 4,
    SHELF__SECTION_ITEM_ATTRIBUTES = 5,
    SHELF__SECTION_POPULARITY = 6,
    SHELF__SECTION_COVISIT = 7,
    SHELF__SECTION_SEQUENTIAL = 8,
    SHELF__SECTION_EMBEDDINGS = 9,
    SHELF__SECTION_TYPE_LIMIT = 10
} shelf__section_type;

/* The layout's own proofs (models/FORMAT.md): the header's fields tile its 64
 * bytes, an entry's fields its 32, and the table of the most sections a file may
 * have ends before the first aligned section could begin beyond it. */
_Static_assert(SHELF__MAGIC_SIZE == sizeof SHELF__MAGIC - 1, "the magic is 8 bytes, without its NUL");
_Static_assert(SHELF__HDR_VERSION == SHELF__HDR_MAGIC + SHELF__MAGIC_SIZE, "version follows the magic");
_Static_assert(SHELF__HDR_FLAGS == SHELF__HDR_VERSION + 4 && SHELF__HDR_SECTION_COUNT == SHELF__HDR_FLAGS + 4 &&
               SHELF__HDR_CHECKSUM == SHELF__HDR_SECTION_COUNT + 4 && SHELF__HDR_FILE_SIZE == SHELF__HDR_CHECKSUM + 4,
               "u32 header fields, one after another");
_Static_assert(SHELF__HDR_RESERVED == SHELF__HDR_FILE_SIZE + 8 &&
               SHELF__HDR_RESERVED + SHELF__HDR_RESERVED_SIZE == SHELF__HEADER_SIZE, "the header is 64 bytes");
_Static_assert(SHELF__SEC_ENCODING == SHELF__SEC_TYPE + 4 && SHELF__SEC_OFFSET == SHELF__SEC_ENCODING + 4 &&
               SHELF__SEC_LENGTH == SHELF__SEC_OFFSET + 8 && SHELF__SEC_CHECKSUM == SHELF__SEC_LENGTH + 8 &&
               SHELF__SEC_RESERVED == SHELF__SEC_CHECKSUM + 4 && SHELF__SEC_RESERVED + 4 == SHELF__SECTION_ENTRY_SIZE,
               "a section entry is 32 bytes");
_Static_assert(SHELF__HEADER_SIZE % SHELF__SECTION_ALIGN == 0 && SHELF__SECTION_ENTRY_SIZE * 2 == SHELF__SECTION_ALIGN,
               "sections start on 64-byte boundaries after the table");
_Static_assert(SHELF__SECTION_TYPE_LIMIT <= SHELF__MAX_SECTIONS, "every section type fits in one table");

/* How a section stores its numbers. */
typedef enum shelf__encoding {
    SHELF__ENCODING_F32 = 0,  /* float32 values (and plain text, u32 and u8 fields) */
    SHELF__ENCODING_Q8 = 1,   /* embeddings: int8 codes with a float32 scale per row */
    /* 2 was format 1's Q8_ID16 neighbour tables */
    SHELF__ENCODING_EF4 = 3,  /* neighbour tables: per row, the item indices Elias-Fano coded and 4-bit
                                 weight codes times a bfloat16 scale */
    SHELF__ENCODING_Q16 = 4   /* popularity: u16 codes, value = code / 65535 */
} shelf__encoding;

/* Every section body starts with two u32 fields (a count and a second count or a
 * reserved zero); the arrays follow at this offset. */
#define SHELF__SECTION_PREFIX 8u

/* Bit 0 is the only item flag defined in format version 1. */
#define SHELF__ITEM_FLAGS_KNOWN 1u

/* The exact byte length of each section body, from its counts. One definition for
 * the reader and the writer, so they cannot disagree. Every count is a u32, so no
 * result exceeds 2^45 and uint64_t never overflows, even where size_t has 32 bits
 * (wasm32); the reader compares these with the section's length before it turns any
 * of them into a size_t. */
static inline uint64_t shelf__pad4(uint64_t bytes) { return (bytes + 3u) / 4u * 4u; }
static inline uint64_t shelf__strings_section_size(uint32_t blob_size) {
    return SHELF__SECTION_PREFIX + blob_size;  /* count NUL-terminated strings, one after another */
}
static inline uint64_t shelf__attributes_section_size(uint32_t count) {
    return SHELF__SECTION_PREFIX + 9u * (uint64_t)count;  /* u32 category, f32 price, u8 flags */
}
static inline uint64_t shelf__popularity_section_size(uint32_t count, shelf__encoding encoding) {
    return SHELF__SECTION_PREFIX + (encoding == SHELF__ENCODING_Q16 ? shelf__pad4(2u * (uint64_t)count)
                                                                    : 4u * (uint64_t)count);
}
/* F32 neighbour tables are CSR: row starts, item indices, weights. */
static inline uint64_t shelf__f32_neighbours_section_size(uint32_t rows, uint32_t nnz) {
    return SHELF__SECTION_PREFIX + 4u * ((uint64_t)rows + 1u) + 8u * (uint64_t)nnz;
}
/* EF4 tables: u8 counts and u16 scales (each padded to 4 bytes), then the rows. */
static inline uint64_t shelf__ef4_rows_offset(uint32_t rows) {
    return SHELF__SECTION_PREFIX + shelf__pad4(rows) + shelf__pad4(2u * (uint64_t)rows);
}
/* Elias-Fano over item indices [0, universe): n values split into l low bits each
 * and a unary-coded high part of n + ((universe - 1) >> l) bits, with l the
 * largest such that n << l <= universe; then 4 bits of weight code per entry. The
 * row's bits, rounded up to whole bytes. */
static inline uint32_t shelf__ef_low_bits(uint32_t n, uint32_t universe) {
    uint32_t l = 0;
    while (l < 31 && ((uint64_t)n << (l + 1)) <= universe) l++;
    return l;
}
static inline uint64_t shelf__ef4_row_bits(uint32_t n, uint32_t universe) {
    if (n == 0) return 0;
    uint32_t l = shelf__ef_low_bits(n, universe);
    return (uint64_t)n * l + n + ((universe - 1u) >> l) + 4u * (uint64_t)n;
}
static inline uint64_t shelf__ef4_row_bytes(uint32_t n, uint32_t universe) {
    return (shelf__ef4_row_bits(n, universe) + 7u) / 8u;
}
/* Q8 embeddings: bf16 row scales (padded to 4 bytes), then the int8 rows. */
static inline uint64_t shelf__embeddings_section_size(uint32_t rows, uint32_t dims, shelf__encoding encoding) {
    uint64_t values = (uint64_t)rows * dims;
    return encoding == SHELF__ENCODING_F32 ? SHELF__SECTION_PREFIX + 4u * values
                                           : SHELF__SECTION_PREFIX + shelf__pad4(2u * (uint64_t)rows) + values;
}

/* bfloat16: the high 16 bits of a float32 (the scales of EF4 rows). */
static inline float shelf__bf16_to_f32(uint16_t h) {
    union { uint32_t u; float f; } v = {(uint32_t)h << 16};
    return v.f;
}

#endif
