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
#define SHELF__MAX_ID16_ITEMS 65536u       /* items a Q8_ID16 table can name */

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
    SHELF__SECTION_ITEM_INDEX = 3,
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

/* How a parameter section stores its numbers. */
typedef enum shelf__encoding {
    SHELF__ENCODING_F32 = 0,  /* float32 values */
    SHELF__ENCODING_Q8 = 1,   /* 8-bit codes with a float32 scale per row (u8 weights, i8 embeddings) */
    SHELF__ENCODING_Q8_ID16 = 2 /* neighbour tables only: Q8 weights and u16 item indices, for models of
                                   at most 65,536 items (a third smaller than Q8) */
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
static inline uint64_t shelf__strings_section_size(uint32_t count, uint32_t blob_size) {
    return SHELF__SECTION_PREFIX + 4u * ((uint64_t)count + 1u) + blob_size;
}
static inline uint64_t shelf__index_section_size(uint32_t capacity) {
    return SHELF__SECTION_PREFIX + 4u * (uint64_t)capacity;
}
static inline uint64_t shelf__attributes_section_size(uint32_t count) {
    return SHELF__SECTION_PREFIX + 9u * (uint64_t)count;  /* u32 category, f32 price, u8 flags */
}
static inline uint64_t shelf__popularity_section_size(uint32_t count) {
    return SHELF__SECTION_PREFIX + 4u * (uint64_t)count;
}
/* u16 item indices are padded to a multiple of 4 bytes, so the f32 scales after them stay aligned. */
static inline uint64_t shelf__neighbour_ids_size(uint32_t nnz, shelf__encoding encoding) {
    return encoding == SHELF__ENCODING_Q8_ID16 ? (2u * (uint64_t)nnz + 3u) / 4u * 4u : 4u * (uint64_t)nnz;
}
static inline uint64_t shelf__neighbours_section_size(uint32_t rows, uint32_t nnz, shelf__encoding encoding) {
    uint64_t csr = SHELF__SECTION_PREFIX + 4u * ((uint64_t)rows + 1u) + shelf__neighbour_ids_size(nnz, encoding);
    return encoding == SHELF__ENCODING_F32 ? csr + 4u * (uint64_t)nnz
                                           : csr + 4u * (uint64_t)rows + nnz;
}
static inline uint64_t shelf__embeddings_section_size(uint32_t rows, uint32_t dims, shelf__encoding encoding) {
    uint64_t values = (uint64_t)rows * dims;
    return encoding == SHELF__ENCODING_F32 ? SHELF__SECTION_PREFIX + 4u * values
                                           : SHELF__SECTION_PREFIX + 4u * (uint64_t)rows + values;
}

#endif
