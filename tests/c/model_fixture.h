/* What the model format tests share: damaged files made from good ones (reseal()
 * recomputes the checksums after a change, so that validation beyond them is
 * reached), files assembled from sections by hand, and a fixture model of 37 items
 * with every section. Include once per test program, after check.h. */
#ifndef SHELF_MODEL_FIXTURE_H
#define SHELF_MODEL_FIXTURE_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_format.h"
#include "model_internal.h"
#include "model_writer.h"
#include "shelf.h"
#include "shelf_common.h"

/* ---------------------------------------------------------------- helpers --- */

/* Opens a private copy of exactly `size` bytes (so that AddressSanitizer sees any
 * read past the end) and returns the status. */
static inline shelf_status open_status(const uint8_t *file, size_t size) {
    uint8_t *copy = malloc(size ? size : 1);
    if (size) memcpy(copy, file, size);
    shelf_model *model = NULL;
    shelf_status status = shelf_model_open(copy, size, &model);
    shelf_model_close(model);
    free(copy);
    return status;
}

static inline uint8_t *duplicate(const uint8_t *file, size_t size) {
    uint8_t *copy = malloc(size);
    memcpy(copy, file, size);
    return copy;
}

static inline uint32_t section_count(const uint8_t *file) { return shelf__load_u32(file + SHELF__HDR_SECTION_COUNT); }

static inline uint8_t *entry_at(uint8_t *file, uint32_t i) {
    return file + SHELF__HEADER_SIZE + (size_t)i * SHELF__SECTION_ENTRY_SIZE;
}

/* The table entry of a section type, or NULL. */
static inline uint8_t *find_entry(uint8_t *file, uint32_t type) {
    for (uint32_t i = 0; i < section_count(file); i++)
        if (shelf__load_u32(entry_at(file, i) + SHELF__SEC_TYPE) == type) return entry_at(file, i);
    return NULL;
}

static inline uint8_t *section_body(uint8_t *file, uint32_t type, size_t *length) {
    uint8_t *e = find_entry(file, type);
    if (!e) return NULL;
    if (length) *length = (size_t)shelf__load_u64(e + SHELF__SEC_LENGTH);
    return file + shelf__load_u64(e + SHELF__SEC_OFFSET);
}

/* Recomputes every section checksum (of the entries that lie inside the file)
 * and the header checksum, as a writer would. */
static inline void reseal(uint8_t *file, size_t size) {
    uint32_t count = section_count(file);
    if (count > SHELF__MAX_SECTIONS) count = SHELF__MAX_SECTIONS;
    size_t table_end = SHELF__HEADER_SIZE + (size_t)count * SHELF__SECTION_ENTRY_SIZE;
    if (table_end > size) return;
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *e = entry_at(file, i);
        uint64_t offset = shelf__load_u64(e + SHELF__SEC_OFFSET), length = shelf__load_u64(e + SHELF__SEC_LENGTH);
        if (length <= size && offset <= size - length)
            shelf__store_u32(e + SHELF__SEC_CHECKSUM, shelf__crc32(0, file + offset, (size_t)length));
    }
    shelf__store_u32(file + SHELF__HDR_CHECKSUM, 0);
    shelf__store_u32(file + SHELF__HDR_CHECKSUM, shelf__crc32(0, file, table_end));
}

/* A section to assemble into a file by hand. */
typedef struct part {
    uint32_t type, encoding;
    const uint8_t *body;
    size_t length;
    size_t gap;  /* extra zero bytes before this section (a multiple of 64) */
} part;

/* Lays parts out as a writer would (in the given order) and seals the file. */
static inline uint8_t *assemble(const part *parts, uint32_t n, size_t *size) {
    size_t at = (SHELF__HEADER_SIZE + n * SHELF__SECTION_ENTRY_SIZE + 63) / 64 * 64;
    size_t offsets[SHELF__MAX_SECTIONS];
    for (uint32_t i = 0; i < n; i++) {
        at += parts[i].gap;
        offsets[i] = at;
        at = (at + parts[i].length + 63) / 64 * 64;
    }
    uint8_t *file = calloc(at, 1);
    memcpy(file, SHELF__MAGIC, 8);
    shelf__store_u32(file + SHELF__HDR_VERSION, SHELF__FORMAT_VERSION);
    shelf__store_u32(file + SHELF__HDR_SECTION_COUNT, n);
    shelf__store_u64(file + SHELF__HDR_FILE_SIZE, at);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *e = entry_at(file, i);
        shelf__store_u32(e + SHELF__SEC_TYPE, parts[i].type);
        shelf__store_u32(e + SHELF__SEC_ENCODING, parts[i].encoding);
        shelf__store_u64(e + SHELF__SEC_OFFSET, offsets[i]);
        shelf__store_u64(e + SHELF__SEC_LENGTH, parts[i].length);
        memcpy(file + offsets[i], parts[i].body, parts[i].length);
    }
    reseal(file, at);
    *size = at;
    return file;
}

/* The sections of a file (pointing into it), in table order. */
static inline uint32_t disassemble(uint8_t *file, part *parts) {
    uint32_t n = section_count(file);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *e = entry_at(file, i);
        parts[i] = (part){shelf__load_u32(e + SHELF__SEC_TYPE), shelf__load_u32(e + SHELF__SEC_ENCODING),
                          file + shelf__load_u64(e + SHELF__SEC_OFFSET), (size_t)shelf__load_u64(e + SHELF__SEC_LENGTH), 0};
    }
    return n;
}

/* The same file without one section type. */
static inline uint8_t *without_section(uint8_t *file, uint32_t type, size_t *size) {
    part parts[SHELF__MAX_SECTIONS], kept[SHELF__MAX_SECTIONS];
    uint32_t n = disassemble(file, parts), k = 0;
    for (uint32_t i = 0; i < n; i++)
        if (parts[i].type != type) kept[k++] = parts[i];
    return assemble(kept, k, size);
}

/* Status of the file after setting the u32 at `offset` within a section's body. */
static inline shelf_status status_with_u32(const uint8_t *file, size_t size, uint32_t type, size_t offset, uint32_t value) {
    uint8_t *copy = duplicate(file, size);
    size_t length;
    uint8_t *body = section_body(copy, type, &length);
    if (!body || offset + 4 > length) {
        free(copy);
        return SHELF_E_BAD_ARGUMENT;  /* the test itself is wrong: make it fail loudly */
    }
    shelf__store_u32(body + offset, value);
    reseal(copy, size);
    shelf_status status = open_status(copy, size);
    free(copy);
    return status;
}

static inline shelf_status status_with_f32(const uint8_t *file, size_t size, uint32_t type, size_t offset, float value) {
    uint32_t u;
    memcpy(&u, &value, 4);
    return status_with_u32(file, size, type, offset, u);
}

/* Status of the file after setting a u32 or u64 of a section's table entry. */
static inline shelf_status status_with_entry(const uint8_t *file, size_t size, uint32_t type, size_t field, uint64_t value,
                                      int wide) {
    uint8_t *copy = duplicate(file, size);
    uint8_t *e = find_entry(copy, type);
    if (!e) {
        free(copy);
        return SHELF_E_BAD_ARGUMENT;
    }
    if (wide) shelf__store_u64(e + field, value);
    else shelf__store_u32(e + field, (uint32_t)value);
    reseal(copy, size);
    shelf_status status = open_status(copy, size);
    free(copy);
    return status;
}

/* Replaces the metadata text in place (the fixture's metadata is padded with
 * spaces for this) and reseals. */
static inline shelf_status status_with_metadata(const uint8_t *file, size_t size, const char *json) {
    uint8_t *copy = duplicate(file, size);
    size_t length = 0;
    uint8_t *body = section_body(copy, SHELF__SECTION_METADATA, &length);
    size_t json_size = strlen(json);
    if (json_size > length) {
        free(copy);
        return SHELF_E_BAD_ARGUMENT;
    }
    memset(body, ' ', length);
    memcpy(body, json, json_size);
    reseal(copy, size);
    shelf_status status = open_status(copy, size);
    free(copy);
    return status;
}

static inline int same_float(float a, float b) { return (isnan(a) && isnan(b)) || a == b; }

/* ---------------------------------------------------------------- fixture --- */

#define N_ITEMS 37u
#define N_DIMS 32u

static char fixture_id_text[N_ITEMS][48];
static const char *fixture_ids[N_ITEMS];
static const char *const fixture_categories[3] = {"shoes", "hats", "bags"};
static uint32_t fixture_category[N_ITEMS];
static float fixture_price[N_ITEMS];
static uint8_t fixture_flags[N_ITEMS];
static float fixture_popularity[N_ITEMS];
static uint32_t covisit_start[N_ITEMS + 1], covisit_items[N_ITEMS * 4];
static float covisit_weights[N_ITEMS * 4];
static uint32_t sequential_start[N_ITEMS + 1], sequential_items[N_ITEMS];
static float sequential_weights[N_ITEMS];
static float fixture_embeddings[N_ITEMS * N_DIMS];
static char fixture_metadata[700];

static const char fixture_json[] =
    "{\"name\": \"fixture\", \"created\": \"2024-01-01T00:00:00Z\", \"items\": 37, \"dims\": 32,"
    " \"event_weights\": {\"view\": 1, \"purchase\": 5},"
    " \"time_half_life\": 3600,"
    " \"scorers\": {\"popularity\": {\"weight\": 0.5}, \"covisit\": {\"weight\": 1, \"position_decay\": 2},"
    " \"sequential\": {\"weight\": 2, \"neighbours\": 50}, \"embedding\": {\"weight\": 0.25}},"
    " \"trainer\": {\"seed\": 1, \"notes\": [1, \"two\", null]}}";

static inline void fixture_init(void) {
    for (uint32_t i = 0; i < N_ITEMS; i++) {
        /* Ids of many lengths, a non-ASCII one, and two that share a prefix. */
        if (i == 0) snprintf(fixture_id_text[i], sizeof fixture_id_text[i], "x");
        else if (i == 1) snprintf(fixture_id_text[i], sizeof fixture_id_text[i], "caf\xc3\xa9-cr\xc3\xa8me");
        else if (i == 2) snprintf(fixture_id_text[i], sizeof fixture_id_text[i], "xx");
        else snprintf(fixture_id_text[i], sizeof fixture_id_text[i], "sku-%u%s", i * 7919u, i % 5 ? "" : "-long-suffix");
        fixture_ids[i] = fixture_id_text[i];
        fixture_category[i] = i % 4 == 3 ? SHELF_NO_CATEGORY : i % 3;
        fixture_price[i] = i % 5 == 0 ? NAN : (float)i * 1.25f;
        fixture_flags[i] = (uint8_t)(i % 2);
        fixture_popularity[i] = (float)i / (N_ITEMS - 1);
    }
    /* Covisit: row r has r % 4 neighbours; row 5's weights are all zero. */
    uint32_t nnz = 0;
    for (uint32_t r = 0; r < N_ITEMS; r++) {
        covisit_start[r] = nnz;
        for (uint32_t k = 0; k < r % 4; k++, nnz++) {
            covisit_items[nnz] = (r + 1 + k) % N_ITEMS;
            covisit_weights[nnz] = r == 5 ? 0.0f : (float)(k + 1) * 0.37f * (float)(r + 1);
        }
    }
    covisit_start[N_ITEMS] = nnz;
    nnz = 0;
    for (uint32_t r = 0; r < N_ITEMS; r++) {
        sequential_start[r] = nnz;
        if (r % 3 != 0) {
            sequential_items[nnz] = (r + 1) % N_ITEMS;
            sequential_weights[nnz++] = 1.0f / (float)(r + 1);
        }
    }
    sequential_start[N_ITEMS] = nnz;
    /* Row 2 is all zeros (scale 0); the others span several magnitudes. */
    for (uint32_t i = 0; i < N_ITEMS; i++)
        for (uint32_t j = 0; j < N_DIMS; j++)
            fixture_embeddings[i * N_DIMS + j] = i == 2 ? 0.0f : sinf((float)(i * N_DIMS + j)) * (float)(1 + i);
    /* Spaces after the JSON leave room to patch other metadata in place. */
    snprintf(fixture_metadata, sizeof fixture_metadata, "%-600s", fixture_json);
}

static inline shelf__model_spec fixture_spec(int quantize) {
    shelf__model_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.metadata_json = fixture_metadata;
    spec.item_count = N_ITEMS;
    spec.item_ids = fixture_ids;
    spec.category_count = 3;
    spec.category_names = fixture_categories;
    spec.item_category = fixture_category;
    spec.item_price = fixture_price;
    spec.item_flags = fixture_flags;
    spec.popularity = fixture_popularity;
    spec.covisit = (shelf__neighbour_spec){covisit_start, covisit_items, covisit_weights};
    spec.sequential = (shelf__neighbour_spec){sequential_start, sequential_items, sequential_weights};
    spec.dims = N_DIMS;
    spec.embeddings = fixture_embeddings;
    spec.quantize = quantize;
    return spec;
}

static inline uint8_t *write_spec(const shelf__model_spec *spec, size_t *size) {
    uint8_t *file = NULL;
    shelf_status status = shelf__model_write(spec, &file, size);
    CHECK_STATUS(status, SHELF_OK);
    return status == SHELF_OK ? file : NULL;
}

/* The smallest model: one item, popularity only. */
static inline uint8_t *write_tiny(size_t *size) {
    static const char *const ids[1] = {"only"};
    static const float popularity[1] = {1.0f};
    shelf__model_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.metadata_json = "{\"name\": \"tiny\"}";
    spec.item_count = 1;
    spec.item_ids = ids;
    spec.popularity = popularity;
    return write_spec(&spec, size);
}

/* ------------------------------------------------------------------ files --- */

static inline void path_in_tmp(char *out, size_t size, const char *name) {
    snprintf(out, size, "%s/test_model_%s", check_tmp_dir(), name);
}

static inline void write_bytes(const char *path, const void *data, size_t size) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    CHECK(fwrite(data, 1, size, f) == size);
    fclose(f);
}

/* A .npy file as numpy.save writes it: magic, version, header length, the dict
 * padded with spaces and a newline to a multiple of 64 bytes, then the data. */
#endif
