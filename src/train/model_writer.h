/* Writing .shelf files from float parameters (native only). */
#ifndef SHELF_MODEL_WRITER_H
#define SHELF_MODEL_WRITER_H

#include <stdint.h>
#include <stddef.h>

#include "shelf.h"

/* A neighbour table in CSR form; row_start == NULL means "absent". Weights >= 0. */
typedef struct shelf__neighbour_spec {
    const uint32_t *row_start;   /* item_count + 1 */
    const uint32_t *items;
    const float *weights;
} shelf__neighbour_spec;

/* Everything a model file holds, as float parameters. */
typedef struct shelf__model_spec {
    const char *metadata_json;       /* the complete metadata object (models/FORMAT.md) */
    uint32_t item_count;
    const char *const *item_ids;     /* item_count NUL-terminated, distinct, non-empty */
    /* Catalog: present when item_category != NULL. */
    uint32_t category_count;
    const char *const *category_names;
    const uint32_t *item_category;   /* category index or SHELF_NO_CATEGORY */
    const float *item_price;         /* NaN when unknown */
    const uint8_t *item_flags;
    const float *popularity;         /* item_count values in [0, 1] */
    shelf__neighbour_spec covisit;
    shelf__neighbour_spec sequential;
    uint32_t dims;                   /* multiple of 16; embeddings == NULL means "absent" */
    const float *embeddings;         /* item_count x dims */
    int quantize;                    /* 1: Q8 encodings for neighbours and embeddings */
} shelf__model_spec;

/* Serializes a model; *out is malloc'ed (free with shelf_buffer_free / free). */
shelf_status shelf__model_write(const shelf__model_spec *spec, uint8_t **out, size_t *size);

#endif
