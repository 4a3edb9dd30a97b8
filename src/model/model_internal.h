/* What an open model looks like inside the library: views into the model's bytes,
 * every one validated by shelf_model_open() so that the scorers can trust them. */
#ifndef SHELF_MODEL_INTERNAL_H
#define SHELF_MODEL_INTERNAL_H

#include <stdint.h>

#include "shelf.h"
#include "model_format.h"

/* A table of strings: string i is blob[offsets[i] .. offsets[i+1]-1), NUL-terminated. */
typedef struct shelf__strings {
    uint32_t count;
    const uint32_t *offsets;  /* count + 1 */
    const char *blob;
} shelf__strings;

/* Top-M neighbours per item in CSR form. Entry e names item items[e], or
 * items16[e] in a Q8_ID16 table (then items is NULL); its weight is weights_f32[e]
 * (F32) or weights_q8[e] * row_scales[r] (Q8, Q8_ID16). */
typedef struct shelf__neighbours {
    int present;
    shelf__encoding encoding;
    uint32_t nnz;
    const uint32_t *row_start;  /* item_count + 1 */
    const uint32_t *items;      /* nnz, each < item_count */
    const uint16_t *items16;
    const float *weights_f32;
    const float *row_scales;
    const uint8_t *weights_q8;
} shelf__neighbours;

static inline uint32_t shelf__neighbour_item(const shelf__neighbours *t, uint32_t e) {
    return t->items16 ? t->items16[e] : t->items[e];
}

/* One row of `dims` values per item. Q8: value = rows_q8[i*dims + j] * row_scales[i],
 * codes in [-127, 127]. dims is a multiple of 16. */
typedef struct shelf__embeddings {
    int present;
    shelf__encoding encoding;
    uint32_t dims;
    const float *rows_f32;
    const float *row_scales;
    const int8_t *rows_q8;
} shelf__embeddings;

/* One scorer's share of the blend. A session event at age a (0 for the newest
 * event, 1 for the one before, ...) counts exp(-a / position_decay). */
typedef struct shelf__scorer_settings {
    float weight;
    float position_decay;
} shelf__scorer_settings;

/* Everything the metadata JSON says that scoring needs. */
typedef struct shelf__blend {
    shelf__scorer_settings scorers[SHELF__SCORER_COUNT];
    float event_weights[SHELF_EVENT_TYPE_COUNT];
    float time_half_life;  /* seconds; 0: no time decay */
} shelf__blend;

struct shelf_model {
    const uint8_t *bytes;  /* the file: borrowed, or `owned` when the caller's bytes were misaligned */
    size_t size;
    void *owned;
    uint32_t item_count;
    uint32_t model_id;     /* the header checksum: ties saved sessions to this model */

    shelf__strings item_ids;
    uint32_t index_capacity;      /* power of two */
    const uint32_t *index_slots;  /* item index or SHELF__NO_INDEX */

    shelf__strings categories;    /* count 0 without a catalog */
    const uint32_t *item_category;/* NULL without a catalog */
    const float *item_price;
    const uint8_t *item_flags;
    void *owned_attributes;       /* NULL until shelf_model_set_item_attributes() copies the
                                     three views above into this block (model_attributes.c) */

    const float *popularity;      /* item_count values in [0, 1] */
    shelf__neighbours covisit;
    shelf__neighbours sequential;
    shelf__embeddings embeddings;

    shelf__blend blend;
    char *name;                   /* owned, NUL-terminated */
    const char *metadata;         /* the JSON as stored */
    size_t metadata_size;
};

#endif
