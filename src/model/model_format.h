/* The .shelf file layout (models/FORMAT.md is its byte-level specification). */
#ifndef SHELF_MODEL_FORMAT_H
#define SHELF_MODEL_FORMAT_H

#include <stdint.h>

#define SHELF__MAGIC "SHELF\r\n\x1a"      /* 8 bytes */
#define SHELF__FORMAT_VERSION 1u
#define SHELF__HEADER_SIZE 64u
#define SHELF__SECTION_ENTRY_SIZE 32u
#define SHELF__SECTION_ALIGN 64u
#define SHELF__MAX_SECTIONS 32u
#define SHELF__NO_INDEX 0xFFFFFFFFu        /* empty hash slot, unknown category */
#define SHELF__MAX_DIMS 1024u              /* 127*127*1024 < 2^31: int32 dot products cannot overflow */

/* Header field offsets. */
#define SHELF__HDR_MAGIC 0
#define SHELF__HDR_VERSION 8
#define SHELF__HDR_FLAGS 12
#define SHELF__HDR_SECTION_COUNT 16
#define SHELF__HDR_CHECKSUM 20             /* CRC-32 of header + table with this field zeroed */
#define SHELF__HDR_FILE_SIZE 24

/* Section table entry field offsets. */
#define SHELF__SEC_TYPE 0
#define SHELF__SEC_ENCODING 4
#define SHELF__SEC_OFFSET 8
#define SHELF__SEC_LENGTH 16
#define SHELF__SEC_CHECKSUM 24

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

/* How a parameter section stores its numbers. */
typedef enum shelf__encoding {
    SHELF__ENCODING_F32 = 0,  /* float32 values */
    SHELF__ENCODING_Q8 = 1    /* 8-bit codes with a float32 scale per row (u8 weights, i8 embeddings) */
} shelf__encoding;

#endif
