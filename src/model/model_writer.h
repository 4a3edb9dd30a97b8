/* Writing .shelf files from float parameters: the loader's twin. Plain computation
 * (no files, no clock), built natively and into the wasm C tests, never into the
 * .wasm module, which only reads models. */
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
    /* Neighbour rows hold at most SHELF__MAX_NEIGHBOURS distinct items each. */
    shelf__neighbour_spec covisit;
    shelf__neighbour_spec sequential;
    uint32_t dims;                   /* multiple of 16; embeddings == NULL means "absent" */
    const float *embeddings;         /* item_count x dims */
    int quantize;                    /* 1: compact encodings: EF4 neighbours, Q8 embeddings, Q16 popularity */
} shelf__model_spec;

/* Serializes a model; *out is malloc'ed (free with shelf_buffer_free / free). */
shelf_status shelf__model_write(const shelf__model_spec *spec, uint8_t **out, size_t *size);

/* ------------------------------------------------------- the metadata text ---
 * The metadata JSON is written as text: a growable buffer with printf, and JSON
 * strings escaped. A failed allocation is remembered and reported once, at the end. */
typedef struct shelf__text {
    char *data;
    size_t size, capacity;
    int failed;
} shelf__text;

void shelf__text_add(shelf__text *text, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* `s` (valid UTF-8) as a JSON string, quotes included. */
void shelf__text_add_json_string(shelf__text *text, const char *s);
/* The text, NUL-terminated, owned by the caller (free()); NULL if any step failed,
 * and the buffer is then freed. */
char *shelf__text_finish(shelf__text *text);

/* The metadata's "created" time, "2024-05-01T12:00:00Z": `requested` when > 0 (unix
 * seconds), else SOURCE_DATE_EPOCH when set (reproducible builds give the same
 * bytes, see reproducible-builds.org), else the clock. */
void shelf__created_time(int64_t requested, char out[32]);

#endif
