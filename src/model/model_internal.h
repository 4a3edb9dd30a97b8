/* What an open model looks like inside the library: views into the model's bytes,
 * every one validated by shelf_model_open() so that the scorers can trust them. */
#ifndef SHELF_MODEL_INTERNAL_H
#define SHELF_MODEL_INTERNAL_H

#include <stdint.h>

#include "shelf.h"
#include "model_format.h"

/* A table of strings: string i is blob[offsets[i] .. offsets[i+1]-1), NUL-terminated.
 * The file holds the strings only; the offsets are built at open (owned). */
typedef struct shelf__strings {
    uint32_t count;
    uint32_t *offsets;  /* count + 1, owned */
    const char *blob;
} shelf__strings;

/* At most SHELF__MAX_NEIGHBOURS neighbours per item. F32 tables are CSR views
 * (row_start, items, weights_f32). EF4 tables keep each row's Elias-Fano bits in
 * the file (counts, scales, data) and find a row through row_offset, built at open
 * (owned); shelf__neighbours_row() decodes one row for the scorers. */
typedef struct shelf__neighbours {
    int present;
    shelf__encoding encoding;
    uint32_t nnz;
    uint32_t universe;          /* item count: every neighbour is below it */
    const uint32_t *row_start;  /* F32: item_count + 1 */
    const uint32_t *items;      /* F32: nnz */
    const float *weights_f32;   /* F32: nnz */
    const uint8_t *counts;      /* EF4: entries of each row */
    const uint16_t *scales;     /* EF4: bfloat16 weight scale of each row */
    const uint8_t *data;        /* EF4: the rows' bits */
    uint32_t *row_offset;       /* EF4: item_count + 1 byte offsets into data, owned */
} shelf__neighbours;

/* Row `row`'s neighbours and weights into items[] and weights[] (room for
 * SHELF__MAX_NEIGHBOURS each), in increasing item order for EF4, stored order for
 * F32; returns how many. The loader has proven every row decodes. */
uint32_t shelf__neighbours_row(const shelf__neighbours *t, uint32_t row, uint32_t *items, float *weights);
/* Whether an EF4 row's bits follow every rule (the loader's check of each row). */
int shelf__ef4_row_valid(const shelf__neighbours *t, uint32_t row);

/* One row of `dims` values per item. Q8: value = rows_q8[i*dims + j] * row_scales[i],
 * codes in [-127, 127]. dims is a multiple of 16. */
typedef struct shelf__embeddings {
    int present;
    shelf__encoding encoding;
    uint32_t dims;
    const float *rows_f32;
    const float *row_scales;  /* Q8: decoded from the file's bfloat16 scales, owned */
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

/* The learned ranker (metadata "ranker"): a network of one hidden ReLU layer that
 * re-orders the blend's best `candidates` items from features of each
 * (src/score/ranker.c lists them). hidden == 0: the model has none. */
#define SHELF__RANKER_FEATURES 18u
#define SHELF__RANKER_MAX_HIDDEN 32u
#define SHELF__RANKER_MAX_CANDIDATES 1000u
typedef struct shelf__ranker {
    uint32_t hidden;
    uint32_t candidates;
    /* [feature][unit]: the units side by side, so that the loop over them
     * vectorizes (each unit still sums its features in order: the same bits). */
    float input_weights[SHELF__RANKER_FEATURES][SHELF__RANKER_MAX_HIDDEN];
    float input_bias[SHELF__RANKER_MAX_HIDDEN];
    float output_weights[SHELF__RANKER_MAX_HIDDEN];
} shelf__ranker;

struct shelf_model {
    const uint8_t *bytes;  /* the file: borrowed, or `owned` when the caller's bytes were misaligned */
    size_t size;
    void *owned;
    uint32_t item_count;

    shelf__strings item_ids;
    uint32_t index_capacity;      /* power of two, at least twice item_count */
    uint32_t *index_slots;        /* item index or SHELF__NO_INDEX; built at open, owned */

    shelf__strings categories;    /* count 0 without a catalog */
    const uint32_t *item_category;/* NULL without a catalog */
    const float *item_price;
    const uint8_t *item_flags;
    void *owned_attributes;       /* NULL until shelf_model_set_item_attributes() copies the
                                     three views above into this block (model_attributes.c) */

    const float *popularity;      /* item_count values in [0, 1]: a view (F32) or decoded (Q16) */
    float *popularity_owned;
    shelf__neighbours covisit;
    shelf__neighbours sequential;
    shelf__embeddings embeddings;

    shelf__blend blend;
    shelf__ranker ranker;
    char *name;                   /* owned, NUL-terminated */
    const char *metadata;         /* the JSON as stored */
    size_t metadata_size;
};

/* An item's key: the low 48 bits of the 64-bit hash of its id. Saved sessions name
 * items by key, so that they restore under any model that has the same ids
 * (another training run, a newer catalog). Two ids share a key with probability
 * about n^2 / 2^49 for n items (2e-3 at a million). */
#define SHELF__ITEM_KEY_BYTES 6u
#define SHELF__ITEM_KEY_MASK ((1ull << (8 * SHELF__ITEM_KEY_BYTES)) - 1)
uint64_t shelf__model_item_key(const shelf_model *model, uint32_t item);
/* The item whose key this is, or SHELF_E_UNKNOWN_ITEM. */
shelf_status shelf__model_find_item_by_key(const shelf_model *model, uint64_t key, uint32_t *item);

#endif
