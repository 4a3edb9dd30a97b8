/* The model file format v1 end to end: the writer, the loader, every accessor,
 * and one named status for each way a file can be wrong (models/FORMAT.md).
 *
 * It runs natively and on wasm32 (where size_t is 32-bit); model_fixture.h makes
 * the files. Quantizing and .npy import are test_quantize.c's.
 *
 *     test_model_format                   run the tests
 *     test_model_format --write-seeds DIR write valid models as a fuzzing corpus */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model_fixture.h"

/* ------------------------------------------------------------- round trip --- */

static void check_neighbours(const shelf__neighbours *n, const shelf__neighbour_spec *want, int quantized) {
    CHECK(n->present);
    CHECK(n->encoding == (quantized ? SHELF__ENCODING_EF4 : SHELF__ENCODING_F32));
    CHECK(n->nnz == want->row_start[N_ITEMS]);
    uint32_t items[SHELF__MAX_NEIGHBOURS];
    float weights[SHELF__MAX_NEIGHBOURS];
    for (uint32_t r = 0; r < N_ITEMS; r++) {
        const uint32_t begin = want->row_start[r], count = want->row_start[r + 1] - begin;
        CHECK(shelf__neighbours_row(n, r, items, weights) == count);
        float max = 0.0f;
        for (uint32_t e = begin; e < begin + count; e++) max = fmaxf(max, want->weights[e]);
        /* EF4 rows come back in item order, F32 rows as written: find each wanted entry. */
        for (uint32_t e = begin; e < begin + count; e++) {
            uint32_t at = 0;
            while (at < count && items[at] != want->items[e]) at++;
            CHECK(at < count);
            if (at == count) continue;
            if (!quantized) {
                CHECK(weights[at] == want->weights[e]);
                continue;
            }
            if (at > 0) CHECK(items[at - 1] < items[at]);
            /* The scale is the smallest bfloat16 >= max / 15; codes round to the nearest step. */
            float scale = shelf__bf16_to_f32(n->scales[r]);
            CHECK(scale >= max / 15.0f && scale <= max / 15.0f * 1.0079f);
            CHECK(fabsf(weights[at] - want->weights[e]) <= 0.5f * scale + 1e-6f * max);
            if (max == 0.0f) CHECK(weights[at] == 0.0f);
        }
    }
}

static void check_round_trip(const uint8_t *file, size_t size, int quantized) {
    shelf_model *m = NULL;
    CHECK_STATUS(shelf_model_open(file, size, &m), SHELF_OK);
    if (!m) return;
    CHECK(m->owned == NULL);  /* aligned input is borrowed */
    CHECK(shelf_model_item_count(m) == N_ITEMS);
    CHECK(shelf_model_dims(m) == N_DIMS);
    CHECK(strcmp(shelf_model_name(m), "fixture") == 0);
    size_t meta_size = 0;
    const char *meta = shelf_model_metadata(m, &meta_size);
    CHECK(meta_size == strlen(fixture_metadata) && memcmp(meta, fixture_metadata, meta_size) == 0);

    for (uint32_t i = 0; i < N_ITEMS; i++) {
        size_t id_size = 0;
        const char *id = shelf_model_item_id(m, i, &id_size);
        CHECK(id && id_size == strlen(fixture_ids[i]) && strcmp(id, fixture_ids[i]) == 0);
        uint32_t found = UINT32_MAX;
        CHECK_STATUS(shelf_model_find_item(m, fixture_ids[i], strlen(fixture_ids[i]), &found), SHELF_OK);
        CHECK(found == i);
        uint32_t category = 0, flags = 0;
        float price = 0.0f;
        CHECK_STATUS(shelf_model_item_attributes(m, i, &category, &price, &flags), SHELF_OK);
        CHECK(category == fixture_category[i]);
        CHECK(same_float(price, fixture_price[i]));
        CHECK(flags == fixture_flags[i]);
        CHECK(quantized ? fabsf(m->popularity[i] - fixture_popularity[i]) <= 0.5f / 65535.0f + 1e-7f
                        : m->popularity[i] == fixture_popularity[i]);
    }
    CHECK_STATUS(shelf_model_item_attributes(m, 0, NULL, NULL, NULL), SHELF_OK);
    uint32_t found = 1234;
    /* Absent ids: a prefix, an extension, the empty id, an embedded NUL. */
    CHECK_STATUS(shelf_model_find_item(m, "nope", 4, &found), SHELF_E_UNKNOWN_ITEM);
    CHECK_STATUS(shelf_model_find_item(m, "sku-", 4, &found), SHELF_E_UNKNOWN_ITEM);
    CHECK_STATUS(shelf_model_find_item(m, "xxx", 3, &found), SHELF_E_UNKNOWN_ITEM);
    CHECK_STATUS(shelf_model_find_item(m, "x", 0, &found), SHELF_E_UNKNOWN_ITEM);
    CHECK_STATUS(shelf_model_find_item(m, "x\0", 2, &found), SHELF_E_UNKNOWN_ITEM);
    CHECK(found == 1234);  /* outputs only on success */
    for (uint32_t k = 0; k < 1000; k++) {
        char id[32];
        snprintf(id, sizeof id, "absent-%u", k);
        CHECK_STATUS(shelf_model_find_item(m, id, strlen(id), &found), SHELF_E_UNKNOWN_ITEM);
    }
    CHECK(shelf_model_item_id(m, N_ITEMS, NULL) == NULL);
    CHECK(shelf_model_item_id(m, UINT32_MAX, NULL) == NULL);
    CHECK_STATUS(shelf_model_item_attributes(m, N_ITEMS, NULL, NULL, NULL), SHELF_E_UNKNOWN_ITEM);

    CHECK(shelf_model_category_count(m) == 3);
    for (uint32_t c = 0; c < 3; c++) {
        size_t name_size = 0;
        const char *name = shelf_model_category_name(m, c, &name_size);
        CHECK(name && name_size == strlen(fixture_categories[c]) && strcmp(name, fixture_categories[c]) == 0);
        uint32_t category = UINT32_MAX;
        CHECK_STATUS(shelf_model_find_category(m, fixture_categories[c], strlen(fixture_categories[c]), &category),
                     SHELF_OK);
        CHECK(category == c);
    }
    uint32_t category = 77;
    CHECK_STATUS(shelf_model_find_category(m, "shoe", 4, &category), SHELF_E_UNKNOWN_CATEGORY);
    CHECK_STATUS(shelf_model_find_category(m, "shoes!", 6, &category), SHELF_E_UNKNOWN_CATEGORY);
    CHECK(category == 77);
    CHECK(shelf_model_category_name(m, 3, NULL) == NULL);

    check_neighbours(&m->covisit, &(shelf__neighbour_spec){covisit_start, covisit_items, covisit_weights}, quantized);
    check_neighbours(&m->sequential, &(shelf__neighbour_spec){sequential_start, sequential_items, sequential_weights},
                     quantized);

    const shelf__embeddings *e = &m->embeddings;
    CHECK(e->present && e->dims == N_DIMS);
    CHECK(e->encoding == (quantized ? SHELF__ENCODING_Q8 : SHELF__ENCODING_F32));
    for (uint32_t i = 0; i < N_ITEMS; i++) {
        const float *row = fixture_embeddings + i * N_DIMS;
        float max = 0.0f;
        for (uint32_t j = 0; j < N_DIMS; j++) max = fmaxf(max, fabsf(row[j]));
        if (quantized) CHECK(e->row_scales[i] >= max / 127.0f && e->row_scales[i] <= max / 127.0f * 1.0079f);
        if (i == 2) CHECK(!quantized || e->row_scales[i] == 0.0f);
        for (uint32_t j = 0; j < N_DIMS; j++) {
            if (!quantized) {
                CHECK(e->rows_f32[i * N_DIMS + j] == row[j]);
                continue;
            }
            int8_t code = e->rows_q8[i * N_DIMS + j];
            CHECK(code != -128);
            CHECK(fabsf((float)code * e->row_scales[i] - row[j]) <= 0.5f * e->row_scales[i] + 1e-6f * max);
            if (fabsf(row[j]) == max && max > 0.0f) CHECK(abs(code) >= 126);  /* the scale rounds up to a bfloat16 */
        }
    }

    /* The blend, from the fixture's metadata and the defaults. */
    const shelf__blend *b = &m->blend;
    CHECK(b->scorers[SHELF__SCORER_POPULARITY].weight == 0.5f);
    CHECK(b->scorers[SHELF__SCORER_POPULARITY].position_decay == 4.0f);
    CHECK(b->scorers[SHELF__SCORER_REPEAT].weight == 0.0f);
    CHECK(b->scorers[SHELF__SCORER_COVISIT].weight == 1.0f);
    CHECK(b->scorers[SHELF__SCORER_COVISIT].position_decay == 2.0f);
    CHECK(b->scorers[SHELF__SCORER_SEQUENTIAL].weight == 2.0f);
    CHECK(b->scorers[SHELF__SCORER_EMBEDDING].weight == 0.25f);
    static const float events[SHELF_EVENT_TYPE_COUNT] = {1.0f, 1.0f, 3.0f, 5.0f, 1.0f, 0.02f};
    for (int t = 0; t < SHELF_EVENT_TYPE_COUNT; t++) CHECK(b->event_weights[t] == events[t]);
    CHECK(b->time_half_life == 3600.0f);
    shelf_model_close(m);
}

static void test_round_trip(void) {
    for (int quantize = 0; quantize <= 1; quantize++) {
        shelf__model_spec spec = fixture_spec(quantize);
        size_t size = 0, size2 = 0;
        uint8_t *file = write_spec(&spec, &size);
        uint8_t *again = write_spec(&spec, &size2);
        if (!file || !again) return;
        CHECK(size % 64 == 0);
        CHECK(size == size2 && memcmp(file, again, size) == 0);  /* deterministic */
        check_round_trip(file, size, quantize);

        /* A misaligned buffer is copied, and everything still reads back. */
        uint8_t *shifted = malloc(size + 1);
        memcpy(shifted + 1, file, size);
        shelf_model *m = NULL;
        CHECK_STATUS(shelf_model_open(shifted + 1, size, &m), SHELF_OK);
        if (m) {
            CHECK(m->owned != NULL);
            uint32_t item = 0;
            CHECK_STATUS(shelf_model_find_item(m, fixture_ids[30], strlen(fixture_ids[30]), &item), SHELF_OK);
            CHECK(item == 30);
            CHECK(strcmp(shelf_model_item_id(m, 1, NULL), fixture_ids[1]) == 0);
            CHECK(m->popularity[36] == fixture_popularity[36]);
        }
        shelf_model_close(m);
        free(shifted);
        free(again);
        free(file);
    }
}

/* A model without a catalog, neighbours or embeddings, and the metadata defaults. */
static void test_minimal_model(void) {
    size_t size;
    uint8_t *file = write_tiny(&size);
    if (!file) return;
    shelf_model *m = NULL;
    CHECK_STATUS(shelf_model_open(file, size, &m), SHELF_OK);
    if (m) {
        CHECK(shelf_model_item_count(m) == 1);
        CHECK(shelf_model_dims(m) == 0);
        CHECK(strcmp(shelf_model_name(m), "tiny") == 0);
        CHECK(shelf_model_category_count(m) == 0);
        uint32_t c = 5, flags = 0, item = 9;
        float price = 0.0f;
        CHECK_STATUS(shelf_model_find_category(m, "shoes", 5, &c), SHELF_E_UNKNOWN_CATEGORY);
        CHECK(shelf_model_category_name(m, 0, NULL) == NULL);
        CHECK_STATUS(shelf_model_item_attributes(m, 0, &c, &price, &flags), SHELF_OK);
        CHECK(c == SHELF_NO_CATEGORY && isnan(price) && flags == SHELF_ITEM_IN_STOCK);
        CHECK_STATUS(shelf_model_find_item(m, "only", 4, &item), SHELF_OK);
        CHECK(item == 0);
        CHECK(!m->covisit.present && !m->sequential.present && !m->embeddings.present);
        /* No weight at all: popularity alone, every default in place. */
        CHECK(m->blend.scorers[SHELF__SCORER_POPULARITY].weight == 1.0f);
        for (int s = 1; s < SHELF__SCORER_COUNT; s++) CHECK(m->blend.scorers[s].weight == 0.0f);
        for (int s = 0; s < SHELF__SCORER_COUNT; s++) CHECK(m->blend.scorers[s].position_decay == 4.0f);
        static const float events[SHELF_EVENT_TYPE_COUNT] = {1.0f, 1.0f, 3.0f, 4.0f, 1.0f, 0.02f};
        for (int t = 0; t < SHELF_EVENT_TYPE_COUNT; t++) CHECK(m->blend.event_weights[t] == events[t]);
        CHECK(m->blend.time_half_life == 0.0f);
    }
    shelf_model_close(m);
    free(file);
}

static void test_null_arguments(void) {
    size_t size;
    uint8_t *file = write_tiny(&size);
    if (!file) return;
    shelf_model *m = NULL, *untouched = (shelf_model *)&size;
    CHECK_STATUS(shelf_model_open(NULL, size, &m), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_model_open(file, size, NULL), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_model_open(file, 3, &untouched), SHELF_E_TRUNCATED);
    CHECK(untouched == (shelf_model *)&size);  /* left unchanged on failure */
    CHECK_STATUS(shelf_model_open(file, size, &m), SHELF_OK);
    uint32_t out = 0;
    size_t out_size = 0;
    CHECK(shelf_model_item_count(NULL) == 0);
    CHECK(shelf_model_dims(NULL) == 0);
    CHECK(shelf_model_name(NULL) == NULL);
    CHECK(shelf_model_metadata(NULL, &out_size) == NULL);
    CHECK(shelf_model_metadata(m, NULL) != NULL);
    CHECK_STATUS(shelf_model_find_item(NULL, "only", 4, &out), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_model_find_item(m, NULL, 4, &out), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_model_find_item(m, "only", 4, NULL), SHELF_E_NULL_ARGUMENT);
    CHECK(shelf_model_item_id(NULL, 0, &out_size) == NULL);
    CHECK(shelf_model_category_count(NULL) == 0);
    CHECK_STATUS(shelf_model_find_category(NULL, "a", 1, &out), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_model_find_category(m, NULL, 1, &out), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_model_find_category(m, "a", 1, NULL), SHELF_E_NULL_ARGUMENT);
    CHECK(shelf_model_category_name(NULL, 0, &out_size) == NULL);
    CHECK_STATUS(shelf_model_item_attributes(NULL, 0, NULL, NULL, NULL), SHELF_E_NULL_ARGUMENT);
    shelf_model_close(m);
    shelf_model_close(NULL);
    free(file);
}

/* ------------------------------------------------------ header and layout --- */

static void test_truncation(int quantize) {
    shelf__model_spec spec = fixture_spec(quantize);
    size_t size;
    uint8_t *file = write_spec(&spec, &size);
    if (!file) return;
    /* Every prefix of a model, the empty one included, is "truncated". */
    int wrong = 0;
    for (size_t length = 0; length < size; length++) {
        shelf_status status = open_status(file, length);
        if (status != SHELF_E_TRUNCATED) {
            if (wrong++ < 5) fprintf(stderr, "prefix of %zu bytes: %s\n", length, shelf_status_name(status));
        }
    }
    CHECK(wrong == 0);
    /* Longer than its header says: a different problem. */
    uint8_t *longer = calloc(size + 64, 1);
    memcpy(longer, file, size);
    CHECK_STATUS(open_status(longer, size + 1), SHELF_E_BAD_HEADER);
    CHECK_STATUS(open_status(longer, size + 64), SHELF_E_BAD_HEADER);
    free(longer);
    free(file);
}

static void test_header(void) {
    size_t size;
    uint8_t *file = write_tiny(&size);
    if (!file) return;
    CHECK_STATUS(open_status((const uint8_t *)"XY", 2), SHELF_E_BAD_MAGIC);
    CHECK_STATUS(open_status((const uint8_t *)"SHE", 3), SHELF_E_TRUNCATED);
    CHECK_STATUS(open_status((const uint8_t *)"SHELF\r\n\x1a", 8), SHELF_E_TRUNCATED);
    CHECK_STATUS(open_status((const uint8_t *)"SHELF\n\r\x1a", 8), SHELF_E_BAD_MAGIC);
    CHECK_STATUS(open_status((const uint8_t *)"{\"name\": 1}", 11), SHELF_E_BAD_MAGIC);

    uint8_t *copy = duplicate(file, size);
    copy[7] ^= 0x10;
    CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_MAGIC);
    memcpy(copy, file, size);
    /* Format 1 (its shipped item index and 8-bit tables) and a future version. */
    shelf__store_u32(copy + SHELF__HDR_VERSION, 1);
    CHECK_STATUS(open_status(copy, size), SHELF_E_UNSUPPORTED_VERSION);
    shelf__store_u32(copy + SHELF__HDR_VERSION, 3);
    CHECK_STATUS(open_status(copy, size), SHELF_E_UNSUPPORTED_VERSION);
    CHECK_STATUS(open_status(copy, 40), SHELF_E_TRUNCATED);  /* short: only the magic is judged */
    memcpy(copy, file, size);
    shelf__store_u64(copy + SHELF__HDR_FILE_SIZE, size + 64);
    CHECK_STATUS(open_status(copy, size), SHELF_E_TRUNCATED);
    shelf__store_u64(copy + SHELF__HDR_FILE_SIZE, UINT64_MAX);
    CHECK_STATUS(open_status(copy, size), SHELF_E_TRUNCATED);
    shelf__store_u64(copy + SHELF__HDR_FILE_SIZE, size - 64);
    CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_HEADER);

    /* Field checks come after the header checksum: unsealed damage is damage. */
    memcpy(copy, file, size);
    shelf__store_u32(copy + SHELF__HDR_FLAGS, 1);
    CHECK_STATUS(open_status(copy, size), SHELF_E_CHECKSUM_MISMATCH);
    reseal(copy, size);
    CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_HEADER);
    memcpy(copy, file, size);
    copy[SHELF__HDR_RESERVED + 31] = 1;
    reseal(copy, size);
    CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_HEADER);
    memcpy(copy, file, size);
    shelf__store_u32(copy + SHELF__HDR_SECTION_COUNT, 0);
    reseal(copy, size);
    CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_HEADER);
    shelf__store_u32(copy + SHELF__HDR_SECTION_COUNT, SHELF__MAX_SECTIONS + 1);
    CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_HEADER);
    shelf__store_u32(copy + SHELF__HDR_SECTION_COUNT, UINT32_MAX);
    CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_HEADER);
    /* 32 entries end at byte 1088, past this small file. */
    shelf__store_u32(copy + SHELF__HDR_SECTION_COUNT, SHELF__MAX_SECTIONS);
    CHECK(size < 1088);
    CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION_TABLE);
    free(copy);
    free(file);
}

static void test_checksums(void) {
    shelf__model_spec spec = fixture_spec(0);
    size_t size;
    uint8_t *file = write_spec(&spec, &size);
    if (!file) return;
    uint8_t *copy = duplicate(file, size);
    /* One flipped bit in every byte of every section. */
    int wrong = 0, tried = 0;
    for (uint32_t i = 0; i < section_count(file); i++) {
        uint8_t *e = entry_at(file, i);
        size_t offset = (size_t)shelf__load_u64(e + SHELF__SEC_OFFSET), length = (size_t)shelf__load_u64(e + SHELF__SEC_LENGTH);
        for (size_t at = offset; at < offset + length; at++) {
            copy[at] ^= (uint8_t)(1u << (at % 8));
            shelf_status status = open_status(copy, size);
            copy[at] = file[at];
            tried++;
            if (status != SHELF_E_CHECKSUM_MISMATCH && wrong++ < 5)
                fprintf(stderr, "bit flip at %zu: %s\n", at, shelf_status_name(status));
        }
    }
    CHECK(wrong == 0 && tried > 1000);
    /* ... and in the section table, covered by the header checksum. */
    wrong = 0;
    size_t table_end = SHELF__HEADER_SIZE + section_count(file) * SHELF__SECTION_ENTRY_SIZE;
    for (size_t at = SHELF__HEADER_SIZE; at < table_end; at++) {
        copy[at] ^= 0x80;
        wrong += open_status(copy, size) != SHELF_E_CHECKSUM_MISMATCH;
        copy[at] = file[at];
    }
    CHECK(wrong == 0);
    /* Every header byte: never accepted, whatever the status. */
    wrong = 0;
    for (size_t at = 0; at < SHELF__HEADER_SIZE; at++) {
        copy[at] ^= 0x01;
        wrong += open_status(copy, size) == SHELF_OK;
        copy[at] = file[at];
    }
    CHECK(wrong == 0);
    copy[SHELF__HDR_CHECKSUM] ^= 1;
    CHECK_STATUS(open_status(copy, size), SHELF_E_CHECKSUM_MISMATCH);
    copy[SHELF__HDR_CHECKSUM] = file[SHELF__HDR_CHECKSUM];
    /* Padding is not checksummed, but must be zero. */
    size_t meta_length;
    uint8_t *meta = section_body(copy, SHELF__SECTION_METADATA, &meta_length);
    CHECK(meta_length % 64 != 0);
    meta[meta_length] = 1;
    CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION_TABLE);
    meta[meta_length] = 0;
    copy[size - 1] = 1;  /* after the last section (its length is not a multiple of 64) */
    CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION_TABLE);
    copy[size - 1] = 0;
    free(copy);
    /* After the table, before the first section (the tiny model's 3 entries leave a gap). */
    size_t tiny_size;
    uint8_t *tiny = write_tiny(&tiny_size);
    if (tiny) {
        size_t tiny_table_end = SHELF__HEADER_SIZE + section_count(tiny) * SHELF__SECTION_ENTRY_SIZE;
        CHECK(tiny_table_end % SHELF__SECTION_ALIGN != 0);
        tiny[tiny_table_end] = 1;
        CHECK_STATUS(open_status(tiny, tiny_size), SHELF_E_BAD_SECTION_TABLE);
        free(tiny);
    }
    free(file);
}

static void test_section_table(void) {
    shelf__model_spec spec = fixture_spec(0);
    size_t size;
    uint8_t *file = write_spec(&spec, &size);
    if (!file) return;
    enum { U32 = 0, U64 = 1 };
    uint64_t ids_offset = shelf__load_u64(find_entry(file, SHELF__SECTION_ITEM_IDS) + SHELF__SEC_OFFSET);
    uint64_t ids_length = shelf__load_u64(find_entry(file, SHELF__SECTION_ITEM_IDS) + SHELF__SEC_LENGTH);
    uint64_t meta_offset = shelf__load_u64(find_entry(file, SHELF__SECTION_METADATA) + SHELF__SEC_OFFSET);
    uint64_t emb_length = shelf__load_u64(find_entry(file, SHELF__SECTION_EMBEDDINGS) + SHELF__SEC_LENGTH);

    /* Misaligned, before the end of the table, overlapping, out of the file. */
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_ITEM_IDS, SHELF__SEC_OFFSET, ids_offset + 8, U64),
                 SHELF_E_BAD_SECTION_TABLE);
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_METADATA, SHELF__SEC_OFFSET, 64, U64),
                 SHELF_E_BAD_SECTION_TABLE);
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_ITEM_IDS, SHELF__SEC_OFFSET, meta_offset, U64),
                 SHELF_E_BAD_SECTION_TABLE);
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_ITEM_IDS, SHELF__SEC_LENGTH, ids_length + 64, U64),
                 SHELF_E_BAD_SECTION_TABLE);
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_EMBEDDINGS, SHELF__SEC_LENGTH, emb_length + 64, U64),
                 SHELF_E_BAD_SECTION_TABLE);
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_EMBEDDINGS, SHELF__SEC_LENGTH, UINT64_MAX, U64),
                 SHELF_E_BAD_SECTION_TABLE);
    /* offset + length wraps around 2^64 to a small number: must not pass. */
    {
        uint8_t *copy = duplicate(file, size);
        uint8_t *e = find_entry(copy, SHELF__SECTION_EMBEDDINGS);
        shelf__store_u64(e + SHELF__SEC_OFFSET, UINT64_MAX - 63);
        shelf__store_u64(e + SHELF__SEC_LENGTH, 128);
        reseal(copy, size);
        CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION_TABLE);
        free(copy);
    }
    /* A middle section whose end wraps back into the zero padding before it: the
     * order, overlap, end-of-file and zero-gap checks all pass once its bytes are
     * zeroed, so only the length bound stands between it and a checksum read of
     * nearly 2^64 bytes. */
    {
        uint8_t *copy = duplicate(file, size);
        int built = 0;
        for (uint32_t i = 1; i + 1 < section_count(copy) && !built; i++) {
            uint8_t *prev = entry_at(copy, i - 1), *e = entry_at(copy, i);
            uint64_t prev_end = shelf__load_u64(prev + SHELF__SEC_OFFSET) + shelf__load_u64(prev + SHELF__SEC_LENGTH);
            uint64_t offset = shelf__load_u64(e + SHELF__SEC_OFFSET);
            if (prev_end >= offset) continue;
            memset(copy + offset, 0, (size_t)shelf__load_u64(e + SHELF__SEC_LENGTH));
            shelf__store_u64(e + SHELF__SEC_LENGTH, UINT64_MAX - (offset - prev_end) + 1);  /* end = prev_end */
            built = 1;
        }
        CHECK(built);
        reseal(copy, size);
        CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION_TABLE);
        free(copy);
    }
    /* Unknown, zero and repeated types; a nonzero reserved field. */
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_EMBEDDINGS, SHELF__SEC_TYPE, 10, U32),
                 SHELF_E_BAD_SECTION_TABLE);
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_EMBEDDINGS, SHELF__SEC_TYPE, 0, U32),
                 SHELF_E_BAD_SECTION_TABLE);
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_EMBEDDINGS, SHELF__SEC_TYPE, UINT32_MAX, U32),
                 SHELF_E_BAD_SECTION_TABLE);
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_COVISIT, SHELF__SEC_TYPE, SHELF__SECTION_SEQUENTIAL, U32),
                 SHELF_E_BAD_SECTION_TABLE);
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_POPULARITY, SHELF__SEC_RESERVED, 1, U32),
                 SHELF_E_BAD_SECTION_TABLE);
    /* An encoding a type does not have. */
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_METADATA, SHELF__SEC_ENCODING, 1, U32), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_POPULARITY, SHELF__SEC_ENCODING, 1, U32), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_ITEM_IDS, SHELF__SEC_ENCODING, 1, U32), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_COVISIT, SHELF__SEC_ENCODING, 2, U32), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_COVISIT, SHELF__SEC_ENCODING, 1, U32), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_POPULARITY, SHELF__SEC_ENCODING, 4, U32), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_EMBEDDINGS, SHELF__SEC_ENCODING, 7, U32), SHELF_E_BAD_SECTION);
    /* F32 data read as Q8 has the wrong length. */
    CHECK_STATUS(status_with_entry(file, size, SHELF__SECTION_EMBEDDINGS, SHELF__SEC_ENCODING, 1, U32), SHELF_E_BAD_SECTION);

    /* Missing sections, and a file that ends later than its last section. */
    static const uint32_t required[] = {SHELF__SECTION_METADATA, SHELF__SECTION_ITEM_IDS,
                                        SHELF__SECTION_POPULARITY, SHELF__SECTION_CATEGORY_NAMES,
                                        SHELF__SECTION_ITEM_ATTRIBUTES};
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++) {
        size_t cut_size;
        uint8_t *cut = without_section(file, required[k], &cut_size);
        CHECK_STATUS(open_status(cut, cut_size), SHELF_E_MISSING_SECTION);
        free(cut);
    }
    {
        /* The fixture's metadata gives covisit a weight: dropping it is a lie. */
        size_t cut_size;
        uint8_t *cut = without_section(file, SHELF__SECTION_COVISIT, &cut_size);
        CHECK_STATUS(open_status(cut, cut_size), SHELF_E_BAD_METADATA);
        free(cut);
    }
    {
        part parts[SHELF__MAX_SECTIONS];
        uint32_t n = disassemble(file, parts);
        size_t rebuilt_size;
        uint8_t *rebuilt = assemble(parts, n, &rebuilt_size);
        CHECK(rebuilt_size == size && memcmp(rebuilt, file, size) == 0);  /* assemble() matches the writer */
        free(rebuilt);
        /* Zero-filled gaps wider than the alignment are allowed... */
        parts[3].gap = 128;
        rebuilt = assemble(parts, n, &rebuilt_size);
        CHECK_STATUS(open_status(rebuilt, rebuilt_size), SHELF_OK);
        free(rebuilt);
        /* ... and so is a table in another order than types, if offsets increase. */
        parts[3].gap = 0;
        part swapped = parts[0];
        parts[0] = parts[1];
        parts[1] = swapped;
        rebuilt = assemble(parts, n, &rebuilt_size);
        CHECK_STATUS(open_status(rebuilt, rebuilt_size), SHELF_OK);
        free(rebuilt);
        /* ... but not a file that goes on after its last section. */
        uint8_t *longer = calloc(size + 64, 1);
        memcpy(longer, file, size);
        shelf__store_u64(longer + SHELF__HDR_FILE_SIZE, size + 64);
        reseal(longer, size + 64);
        CHECK_STATUS(open_status(longer, size + 64), SHELF_E_BAD_SECTION_TABLE);
        free(longer);
    }
    free(file);
}

/* ---------------------------------------------------------------- sections --- */

/* Ids chosen so that they all hash to one slot of the index the loader builds:
 * opening them would take quadratic time, so the probe budget refuses the file.
 * Found by brute force here (about a million hashes); a real catalog does not
 * come near the budget (the 100,000 distinct ids below open). */
static void test_hostile_ids(void) {
    enum { HOSTILE = 1500 };
    const uint32_t mask = 4095;  /* the loader's capacity for 1,500 items: 4,096 slots */
    static char text[HOSTILE][16];
    static const char *hostile_ids[HOSTILE];
    static float popularity[HOSTILE];
    uint32_t found = 0;
    for (uint32_t k = 0; found < HOSTILE; k++) {
        snprintf(text[found], sizeof text[found], "h%u", k);
        if ((shelf__hash32(text[found], strlen(text[found])) & mask) == 0) {
            hostile_ids[found] = text[found];
            found++;
        }
    }
    shelf__model_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.metadata_json = "{\"name\": \"hostile\"}";
    spec.item_count = HOSTILE;
    spec.item_ids = hostile_ids;
    spec.popularity = popularity;
    uint8_t *out = NULL;
    size_t size = 0;
    /* The writer checks what it writes by opening it: the same refusal. */
    CHECK_STATUS(shelf__model_write(&spec, &out, &size), SHELF_E_BAD_SECTION);
    CHECK(out == NULL);

    enum { MANY = 100000 };
    char (*many_text)[16] = malloc(MANY * sizeof *many_text);
    const char **many = malloc(MANY * sizeof *many);
    float *many_popularity = calloc(MANY, sizeof *many_popularity);
    for (uint32_t i = 0; i < MANY; i++) {
        snprintf(many_text[i], sizeof many_text[i], "sku-%06u", i);
        many[i] = many_text[i];
    }
    spec.item_count = MANY;
    spec.item_ids = many;
    spec.popularity = many_popularity;
    CHECK_STATUS(shelf__model_write(&spec, &out, &size), SHELF_OK);
    free(out);
    free(many_popularity);
    free(many);
    free(many_text);
}

/* The offset of string i in an item id blob written from fixture_ids. */
static size_t id_offset(uint32_t i) {
    size_t at = 0;
    for (uint32_t k = 0; k < i; k++) at += strlen(fixture_ids[k]) + 1;
    return at;
}

static void test_strings_and_index(void) {
    shelf__model_spec spec = fixture_spec(0);
    size_t size;
    uint8_t *file = write_spec(&spec, &size);
    if (!file) return;
    const uint32_t T = SHELF__SECTION_ITEM_IDS;
    size_t length;
    uint8_t *ids = section_body(file, T, &length);
    uint32_t blob_size = shelf__load_u32(ids + 4);
    const size_t blob = SHELF__SECTION_PREFIX;
    CHECK(blob_size == length - SHELF__SECTION_PREFIX && blob_size == id_offset(N_ITEMS));

    CHECK_STATUS(status_with_u32(file, size, T, 0, UINT32_MAX), SHELF_E_BAD_SECTION);      /* huge count */
    CHECK_STATUS(status_with_u32(file, size, T, 0, N_ITEMS + 1), SHELF_E_BAD_SECTION);     /* one string too few */
    CHECK_STATUS(status_with_u32(file, size, T, 0, N_ITEMS - 1), SHELF_E_BAD_SECTION);     /* bytes left over */
    CHECK_STATUS(status_with_u32(file, size, T, 0, 0), SHELF_E_BAD_SECTION);               /* no items */
    CHECK_STATUS(status_with_u32(file, size, T, 4, UINT32_MAX), SHELF_E_BAD_SECTION);      /* huge blob */
    CHECK_STATUS(status_with_u32(file, size, T, 4, blob_size - 1), SHELF_E_BAD_SECTION);
    /* The first id is "x\0": no terminator (two ids run together: one too few), an
     * empty id (a NUL right after another), a NUL moved inside an id. */
    CHECK(ids[blob] == 'x' && ids[blob + 1] == 0);
    {
        uint8_t *copy = duplicate(file, size);
        uint8_t *body = section_body(copy, T, NULL);
        body[blob + 1] = 'y';
        reseal(copy, size);
        CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION);
        memcpy(copy, file, size);
        body[blob] = 0;
        reseal(copy, size);
        CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION);
        memcpy(copy, file, size);
        body[blob + length - SHELF__SECTION_PREFIX - 1] = 'z';  /* the last id loses its NUL */
        reseal(copy, size);
        CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION);
        free(copy);
    }
    {
        /* Two items with one id: copy an id over another of the same length. */
        uint32_t i = 3, j = 4;
        while (strlen(fixture_ids[j]) != strlen(fixture_ids[i])) j++;
        CHECK(j < N_ITEMS);
        uint8_t *copy = duplicate(file, size);
        uint8_t *body = section_body(copy, T, NULL);
        memcpy(body + blob + id_offset(j), body + blob + id_offset(i), strlen(fixture_ids[i]));
        reseal(copy, size);
        CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION);
        free(copy);
    }
    /* Format 1 shipped an item index; version 2 builds its own and refuses one. */
    {
        part parts[SHELF__MAX_SECTIONS];
        uint32_t n = disassemble(file, parts);
        static const uint8_t index[8 + 4 * 2] = {2, 0, 0, 0};
        memmove(parts + 3, parts + 2, (n - 2) * sizeof parts[0]);
        parts[2] = (part){SHELF__SECTION_ITEM_INDEX, 0, index, sizeof index, 0};
        size_t with_size;
        uint8_t *with = assemble(parts, n + 1, &with_size);
        CHECK_STATUS(open_status(with, with_size), SHELF_E_BAD_SECTION_TABLE);
        free(with);
    }
    free(file);
    test_hostile_ids();
}

static void test_catalog_and_popularity(void) {
    shelf__model_spec spec = fixture_spec(0);
    size_t size;
    uint8_t *file = write_spec(&spec, &size);
    if (!file) return;
    const uint32_t A = SHELF__SECTION_ITEM_ATTRIBUTES, P = SHELF__SECTION_POPULARITY;
    size_t price = 8 + 4 * N_ITEMS;
    CHECK_STATUS(status_with_u32(file, size, A, 0, N_ITEMS - 1), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_u32(file, size, A, 0, UINT32_MAX), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_u32(file, size, A, 4, 1), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_u32(file, size, A, 8 + 4 * 1, 3), SHELF_E_BAD_SECTION);            /* category 3 of 3 */
    CHECK_STATUS(status_with_u32(file, size, A, 8 + 4 * 1, SHELF__NO_INDEX), SHELF_OK);
    CHECK_STATUS(status_with_f32(file, size, A, price + 4, -1.0f), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_f32(file, size, A, price + 4, INFINITY), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_f32(file, size, A, price + 4, NAN), SHELF_OK);
    CHECK_STATUS(status_with_f32(file, size, A, price + 4, 0.0f), SHELF_OK);
    {
        uint8_t *copy = duplicate(file, size);
        uint8_t *body = section_body(copy, A, NULL);
        body[8 + 8 * N_ITEMS + 3] = 2;  /* an undefined flag */
        reseal(copy, size);
        CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION);
        free(copy);
    }
    /* Category names follow the item ids' rules. */
    CHECK_STATUS(status_with_u32(file, size, SHELF__SECTION_CATEGORY_NAMES, 0, UINT32_MAX), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_u32(file, size, SHELF__SECTION_CATEGORY_NAMES, 12, 0), SHELF_E_BAD_SECTION);

    CHECK_STATUS(status_with_u32(file, size, P, 0, N_ITEMS + 1), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_u32(file, size, P, 0, UINT32_MAX), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_u32(file, size, P, 4, 1), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_f32(file, size, P, 8, NAN), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_f32(file, size, P, 8, 1.5f), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_f32(file, size, P, 8, -0.25f), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_f32(file, size, P, 8, INFINITY), SHELF_E_BAD_SECTION);
    CHECK_STATUS(status_with_f32(file, size, P, 8, 1.0f), SHELF_OK);
    free(file);
}

static void test_parameters(void) {
    for (int quantize = 0; quantize <= 1; quantize++) {
        shelf__model_spec spec = fixture_spec(quantize);
        size_t size;
        uint8_t *file = write_spec(&spec, &size);
        if (!file) return;
        const uint32_t C = SHELF__SECTION_COVISIT, E = SHELF__SECTION_EMBEDDINGS;
        uint32_t nnz = covisit_start[N_ITEMS];
        CHECK_STATUS(status_with_u32(file, size, C, 0, N_ITEMS + 1), SHELF_E_BAD_SECTION);
        CHECK_STATUS(status_with_u32(file, size, C, 0, UINT32_MAX), SHELF_E_BAD_SECTION);
        CHECK_STATUS(status_with_u32(file, size, C, 4, UINT32_MAX), SHELF_E_BAD_SECTION);  /* huge nnz */
        CHECK_STATUS(status_with_u32(file, size, C, 4, nnz - 1), SHELF_E_BAD_SECTION);
        if (!quantize) {
            size_t items = 8 + 4 * (N_ITEMS + 1), weights = items + 4 * nnz;
            CHECK_STATUS(status_with_u32(file, size, C, 8, 1), SHELF_E_BAD_SECTION);           /* row_start[0] */
            CHECK_STATUS(status_with_u32(file, size, C, 8 + 4 * 3, covisit_start[3] + 5), SHELF_E_BAD_SECTION);
            CHECK_STATUS(status_with_u32(file, size, C, 8 + 4 * N_ITEMS, nnz - 1), SHELF_E_BAD_SECTION);
            CHECK_STATUS(status_with_u32(file, size, C, items, N_ITEMS), SHELF_E_BAD_SECTION);  /* out of range */
            CHECK_STATUS(status_with_u32(file, size, C, items, UINT32_MAX), SHELF_E_BAD_SECTION);
            CHECK_STATUS(status_with_u32(file, size, C, items + 4, 0), SHELF_OK);
            CHECK_STATUS(status_with_f32(file, size, C, weights, -1.0f), SHELF_E_BAD_SECTION);
            CHECK_STATUS(status_with_f32(file, size, C, weights, NAN), SHELF_E_BAD_SECTION);
            CHECK_STATUS(status_with_f32(file, size, C, weights, INFINITY), SHELF_E_BAD_SECTION);
        } else {
            /* EF4: counts decide every row's size; scales are bfloat16; the bits are strict. */
            uint8_t *copy = duplicate(file, size);
            size_t length;
            uint8_t *body = section_body(copy, C, &length);
            uint8_t *counts = body + 8, *scales = counts + shelf__pad4(N_ITEMS);
            uint8_t *data = body + shelf__ef4_rows_offset(N_ITEMS);
            CHECK(counts[3] == 3 && counts[4] == 0);
            counts[3] = 2;  /* rows no longer add up to nnz and the length */
            reseal(copy, size);
            CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION);
            counts[3] = 3;
            counts[N_ITEMS] = 1;  /* the counts' padding */
            reseal(copy, size);
            CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION);
            counts[N_ITEMS] = 0;
            uint16_t nan = 0x7FC0, negative = 0xBF80;  /* bfloat16 NaN and -1 */
            memcpy(scales + 2, &nan, 2);
            reseal(copy, size);
            CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION);
            memcpy(scales + 2, &negative, 2);
            reseal(copy, size);
            CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION);
            uint16_t huge = 0x7F00;  /* 1.7e38: finite, but 15 times it is not (found by the fuzzer) */
            memcpy(scales + 2, &huge, 2);
            reseal(copy, size);
            CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION);
            memcpy(copy, file, size);
            /* Every single bit flip in the rows either breaks a rule (a named error) or
             * is another valid table; none reads outside the file (ASan watches). */
            size_t rows_bytes = length - shelf__ef4_rows_offset(N_ITEMS);
            int refused = 0, accepted = 0;
            for (size_t byte = 0; byte < rows_bytes; byte++)
                for (int bit = 0; bit < 8; bit++) {
                    data[byte] ^= (uint8_t)(1u << bit);
                    reseal(copy, size);
                    shelf_status status = open_status(copy, size);
                    CHECK(status == SHELF_OK || status == SHELF_E_BAD_SECTION || status == SHELF_E_BAD_METADATA);
                    refused += status != SHELF_OK;
                    accepted += status == SHELF_OK;
                    data[byte] ^= (uint8_t)(1u << bit);
                }
            CHECK(refused > 0 && accepted > 0);  /* weight codes may change freely; index bits may not */
            free(copy);
        }

        CHECK_STATUS(status_with_u32(file, size, E, 0, N_ITEMS - 1), SHELF_E_BAD_SECTION);
        CHECK_STATUS(status_with_u32(file, size, E, 0, UINT32_MAX), SHELF_E_BAD_SECTION);
        CHECK_STATUS(status_with_u32(file, size, E, 4, 0), SHELF_E_BAD_SECTION);
        CHECK_STATUS(status_with_u32(file, size, E, 4, 17), SHELF_E_BAD_SECTION);
        CHECK_STATUS(status_with_u32(file, size, E, 4, 16), SHELF_E_BAD_SECTION);  /* valid dims, wrong length */
        CHECK_STATUS(status_with_u32(file, size, E, 4, 2048), SHELF_E_BAD_SECTION);
        CHECK_STATUS(status_with_u32(file, size, E, 4, UINT32_MAX - 15), SHELF_E_BAD_SECTION);
        if (!quantize) {
            CHECK_STATUS(status_with_f32(file, size, E, 8 + 4 * 100, INFINITY), SHELF_E_BAD_SECTION);
            CHECK_STATUS(status_with_f32(file, size, E, 8 + 4 * 100, NAN), SHELF_E_BAD_SECTION);
        } else {
            CHECK_STATUS(status_with_u32(file, size, E, 8, 0x7F80u), SHELF_E_BAD_SECTION);  /* bf16 +inf */
            CHECK_STATUS(status_with_u32(file, size, E, 8, 0xBF80u), SHELF_E_BAD_SECTION);  /* bf16 -1 */
            CHECK_STATUS(status_with_u32(file, size, E, 8, 0x7F00u), SHELF_E_BAD_SECTION);  /* 127 times it overflows */
            uint8_t *copy = duplicate(file, size);
            int8_t *codes = (int8_t *)section_body(copy, E, NULL) + 8 + shelf__pad4(2 * N_ITEMS);
            /* N is odd: two bytes of padding after the scales, which must stay zero. */
            uint8_t *padding = section_body(copy, E, NULL) + 8 + 2 * N_ITEMS;
            padding[0] = 1;
            reseal(copy, size);
            CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION);
            padding[0] = 0;
            codes[5 * N_DIMS + 7] = -127;
            reseal(copy, size);
            CHECK_STATUS(open_status(copy, size), SHELF_OK);
            codes[5 * N_DIMS + 7] = -128;
            reseal(copy, size);
            CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_SECTION);
            free(copy);
        }
        free(file);
    }
}

/* Files assembled by hand: zero items, and strings no writer makes. */
static void test_hand_made(void) {
    static const char meta[] = "{\"name\": \"empty\"}";
    uint8_t ids[8] = {0}, popularity[8] = {0};
    part parts[3] = {{SHELF__SECTION_METADATA, 0, (const uint8_t *)meta, sizeof meta - 1, 0},
                     {SHELF__SECTION_ITEM_IDS, 0, ids, sizeof ids, 0},
                     {SHELF__SECTION_POPULARITY, 0, popularity, sizeof popularity, 0}};
    size_t size;
    uint8_t *file = assemble(parts, 3, &size);
    CHECK_STATUS(open_status(file, size), SHELF_E_BAD_SECTION);  /* no items */
    free(file);

    /* One item whose id has no terminator; then a correct one. */
    uint8_t one[8 + 4] = {1, 0, 0, 0, 4, 0, 0, 0, 'a', 'b', 'c', 'd'};
    uint8_t one_popularity[8 + 4] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x3f};  /* 1.0f */
    parts[1] = (part){SHELF__SECTION_ITEM_IDS, 0, one, sizeof one, 0};
    parts[2] = (part){SHELF__SECTION_POPULARITY, 0, one_popularity, sizeof one_popularity, 0};
    file = assemble(parts, 3, &size);
    CHECK_STATUS(open_status(file, size), SHELF_E_BAD_SECTION);
    free(file);
    one[11] = 0;
    file = assemble(parts, 3, &size);
    CHECK_STATUS(open_status(file, size), SHELF_OK);
    free(file);
}

/* ---------------------------------------------------------------- metadata --- */

static void test_metadata(void) {
    shelf__model_spec spec = fixture_spec(0);
    size_t size;
    uint8_t *file = write_spec(&spec, &size);
    if (!file) return;
    static const struct {
        const char *json;
        shelf_status status;
    } cases[] = {
        {"{\"name\": \"ok\"}", SHELF_OK},
        {"{\"name\": \"\"}", SHELF_OK},
        {"\n\t {\"name\": \"spaces around\"} \r\n", SHELF_OK},
        {"{\"name\": \"a\", \"items\": 37, \"dims\": 32, \"created\": \"now\"}", SHELF_OK},
        {"{\"name\": \"a\", \"future_key\": {\"anything\": [1, 2, {}]}, \"trainer\": null}", SHELF_OK},
        {"{\"name\": \"a\", \"scorers\": {\"repeat\": {\"weight\": 3, \"note\": \"x\"}}}", SHELF_OK},
        {"{\"name\": \"caf\xc3\xa9\"}", SHELF_OK},
        {"x", SHELF_E_BAD_METADATA},
        {"", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\"", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\"} x", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\"} {}", SHELF_E_BAD_METADATA},
        {"[\"name\"]", SHELF_E_BAD_METADATA},
        {"{}", SHELF_E_BAD_METADATA},
        {"{\"name\": 5}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"name\": \"b\"}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"\xff\"}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"\xc0\x80\"}", SHELF_E_BAD_METADATA},
        {"\xef\xbb\xbf{\"name\": \"bom\"}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"created\": 5}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"items\": 36}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"items\": \"37\"}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"dims\": 16}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"event_weights\": {\"view\": -1}}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"event_weights\": {\"view\": 1e999}}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"event_weights\": {\"view\": 1e300}}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"event_weights\": {\"like\": 1}}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"event_weights\": {\"view\": 1, \"view\": 2}}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"event_weights\": [1]}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"time_half_life\": -1}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"time_half_life\": \"1h\"}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"scorers\": {\"covisit\": {\"weight\": 1, \"position_decay\": 0}}}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"scorers\": {\"covisit\": {\"position_decay\": 1e-50}}}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"scorers\": {\"covisit\": {\"weight\": -0.5}}}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"scorers\": {\"covisit\": 1}}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"scorers\": {\"graph\": {\"weight\": 1}}}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"scorers\": {\"covisit\": {\"weight\": 1, \"weight\": 2}}}", SHELF_E_BAD_METADATA},
        /* The learned ranker: every count and array exactly as the format says. */
#define ROW18 "[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]"
#define RANKER(features, hidden, candidates, rows, bias, out)                                                  \
    "{\"name\": \"a\", \"ranker\": {\"features\": " features ", \"hidden\": " hidden ", \"candidates\": " candidates \
    ", \"input_weights\": [" rows "], \"input_bias\": " bias ", \"output_weights\": " out "}}"
        {RANKER("18", "1", "10", ROW18, "[0]", "[1]"), SHELF_OK},
        {RANKER("18", "2", "1000", ROW18 ", " ROW18, "[0, 1]", "[1, -2.5e-3]"), SHELF_OK},
        {RANKER("15", "1", "10", ROW18, "[0]", "[1]"), SHELF_E_BAD_METADATA},
        {RANKER("18", "0", "10", "", "[]", "[]"), SHELF_E_BAD_METADATA},
        {RANKER("18", "33", "10", ROW18, "[0]", "[1]"), SHELF_E_BAD_METADATA},
        {RANKER("18", "1", "0", ROW18, "[0]", "[1]"), SHELF_E_BAD_METADATA},
        {RANKER("18", "1", "1001", ROW18, "[0]", "[1]"), SHELF_E_BAD_METADATA},
        {RANKER("18", "1", "2.5", ROW18, "[0]", "[1]"), SHELF_E_BAD_METADATA},
        {RANKER("18", "1", "10", "[1, 0]", "[0]", "[1]"), SHELF_E_BAD_METADATA},
        {RANKER("18", "1", "10", ROW18 ", " ROW18, "[0]", "[1]"), SHELF_E_BAD_METADATA},
        {RANKER("18", "2", "10", ROW18, "[0, 0]", "[1, 1]"), SHELF_E_BAD_METADATA},
        {RANKER("18", "1", "10", ROW18, "[0, 0]", "[1]"), SHELF_E_BAD_METADATA},
        {RANKER("18", "1", "10", ROW18, "[0]", "[\"1\"]"), SHELF_E_BAD_METADATA},
        {RANKER("18", "1", "10", ROW18, "[1e999]", "[1]"), SHELF_E_BAD_METADATA},
        {RANKER("18", "1", "10", ROW18, "0", "[1]"), SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"ranker\": [1]}", SHELF_E_BAD_METADATA},
        {"{\"name\": \"a\", \"ranker\": {\"hidden\": 1}}", SHELF_E_BAD_METADATA},
#undef RANKER
#undef ROW18
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        shelf_status status = status_with_metadata(file, size, cases[k].json);
        check_count++;
        if (status != cases[k].status) {
            check_failures++;
            fprintf(stderr, "metadata case %zu (%s): %s, expected %s\n", k, cases[k].json, shelf_status_name(status),
                    shelf_status_name(cases[k].status));
        }
    }
    /* A NUL byte inside the metadata. */
    {
        uint8_t *copy = duplicate(file, size);
        section_body(copy, SHELF__SECTION_METADATA, NULL)[3] = 0;
        reseal(copy, size);
        CHECK_STATUS(open_status(copy, size), SHELF_E_BAD_METADATA);
        free(copy);
    }
    /* The name is copied; escapes are decoded. */
    {
        uint8_t *copy = duplicate(file, size);
        size_t length;
        uint8_t *body = section_body(copy, SHELF__SECTION_METADATA, &length);
        const char *json = "{\"name\": \"a \\\"quoted\\\" \\u00e9 name\"}";
        memset(body, ' ', length);
        memcpy(body, json, strlen(json));
        reseal(copy, size);
        shelf_model *m = NULL;
        CHECK_STATUS(shelf_model_open(copy, size, &m), SHELF_OK);
        if (m) CHECK(strcmp(shelf_model_name(m), "a \"quoted\" \xc3\xa9 name") == 0);
        shelf_model_close(m);
        free(copy);
    }

    /* A weight for a section the model lacks: the writer refuses it too. */
    spec.covisit.row_start = NULL;
    uint8_t *out = NULL;
    size_t out_size = 0;
    CHECK_STATUS(shelf__model_write(&spec, &out, &out_size), SHELF_E_BAD_METADATA);
    CHECK(out == NULL);
    spec.metadata_json = "{\"name\": \"no covisit\", \"scorers\": {\"sequential\": {\"weight\": 1}}}";
    uint8_t *smaller = write_spec(&spec, &out_size);
    if (smaller) {
        static const char *const absent[] = {
            "{\"name\": \"a\", \"scorers\": {\"covisit\": {\"weight\": 1}}}",
        };
        uint8_t *copy = duplicate(smaller, out_size);
        size_t length;
        uint8_t *body = section_body(copy, SHELF__SECTION_METADATA, &length);
        CHECK(strlen(absent[0]) <= length);
        memset(body, ' ', length);
        memcpy(body, absent[0], strlen(absent[0]));
        reseal(copy, out_size);
        CHECK_STATUS(open_status(copy, out_size), SHELF_E_BAD_METADATA);
        free(copy);
        /* Weight 0 for an absent section is fine. */
        CHECK_STATUS(status_with_metadata(smaller, out_size, "{\"name\": \"a\", \"scorers\": {\"covisit\": {}}}"),
                     SHELF_OK);
        size_t cut_size;
        uint8_t *cut = without_section(smaller, SHELF__SECTION_EMBEDDINGS, &cut_size);
        CHECK_STATUS(open_status(cut, cut_size), SHELF_OK);
        CHECK_STATUS(status_with_metadata(cut, cut_size, "{\"name\": \"a\", \"scorers\": {\"embedding\": {\"weight\": 1}}}"),
                     SHELF_E_BAD_METADATA);
        CHECK_STATUS(status_with_metadata(cut, cut_size, "{\"name\": \"a\", \"dims\": 0}"), SHELF_OK);
        free(cut);
        free(smaller);
    }
    free(file);
}

/* ------------------------------------------------------------------ writer --- */

static void test_writer_validation(void) {
    shelf__model_spec spec = fixture_spec(0);
    uint8_t *out = NULL;
    size_t size = 0;
    CHECK_STATUS(shelf__model_write(NULL, &out, &size), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf__model_write(&spec, NULL, &size), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf__model_write(&spec, &out, NULL), SHELF_E_NULL_ARGUMENT);
#define EXPECT_WRITE(change, expected)                                   \
    do {                                                                 \
        shelf__model_spec s = fixture_spec(0);                           \
        change;                                                          \
        out = NULL;                                                      \
        CHECK_STATUS(shelf__model_write(&s, &out, &size), expected);     \
        CHECK(out == NULL);                                              \
    } while (0)
    const char *dup_ids[N_ITEMS], *empty_ids[N_ITEMS];
    memcpy(dup_ids, fixture_ids, sizeof dup_ids);
    memcpy(empty_ids, fixture_ids, sizeof empty_ids);
    dup_ids[20] = fixture_ids[3];
    empty_ids[4] = "";
    EXPECT_WRITE(s.item_ids = dup_ids, SHELF_E_BAD_ARGUMENT);
    EXPECT_WRITE(s.item_ids = empty_ids, SHELF_E_BAD_ARGUMENT);
    EXPECT_WRITE(s.item_count = 0, SHELF_E_BAD_ARGUMENT);
    EXPECT_WRITE(s.metadata_json = NULL, SHELF_E_NULL_ARGUMENT);
    EXPECT_WRITE(s.metadata_json = "", SHELF_E_BAD_ARGUMENT);
    EXPECT_WRITE(s.metadata_json = "{\"name\": 1}", SHELF_E_BAD_METADATA);
    EXPECT_WRITE(s.popularity = NULL, SHELF_E_NULL_ARGUMENT);
    float popularity[N_ITEMS];
    memcpy(popularity, fixture_popularity, sizeof popularity);
    popularity[7] = 1.01f;
    EXPECT_WRITE(s.popularity = popularity, SHELF_E_BAD_ARGUMENT);
    const char *const dup_categories[3] = {"a", "b", "a"};
    EXPECT_WRITE(s.category_names = dup_categories, SHELF_E_BAD_ARGUMENT);
    EXPECT_WRITE(s.category_count = 2, SHELF_E_BAD_ARGUMENT);  /* item 2 is in category 2 */
    float price[N_ITEMS];
    memcpy(price, fixture_price, sizeof price);
    price[3] = -2.0f;
    EXPECT_WRITE(s.item_price = price, SHELF_E_BAD_ARGUMENT);
    uint8_t flags[N_ITEMS] = {0};
    flags[1] = 4;
    EXPECT_WRITE(s.item_flags = flags, SHELF_E_BAD_ARGUMENT);
    uint32_t items[N_ITEMS * 4];
    memcpy(items, covisit_items, sizeof items);
    items[0] = N_ITEMS;
    EXPECT_WRITE(s.covisit.items = items, SHELF_E_BAD_ARGUMENT);
    uint32_t starts[N_ITEMS + 1];
    memcpy(starts, covisit_start, sizeof starts);
    starts[4] = starts[5] + 1;
    EXPECT_WRITE(s.covisit.row_start = starts, SHELF_E_BAD_ARGUMENT);
    float weights[N_ITEMS * 4];
    memcpy(weights, covisit_weights, sizeof weights);
    weights[2] = NAN;
    EXPECT_WRITE(s.covisit.weights = weights, SHELF_E_BAD_ARGUMENT);
    EXPECT_WRITE(s.dims = 20, SHELF_E_BAD_ARGUMENT);
    EXPECT_WRITE(s.dims = 2048, SHELF_E_BAD_ARGUMENT);
    static float embeddings[N_ITEMS * N_DIMS];
    memcpy(embeddings, fixture_embeddings, sizeof embeddings);
    embeddings[77] = INFINITY;
    EXPECT_WRITE(s.embeddings = embeddings, SHELF_E_BAD_ARGUMENT);
#undef EXPECT_WRITE

    /* Optional catalog fields: no prices (NaN) and no flags (in stock). */
    spec.item_price = NULL;
    spec.item_flags = NULL;
    out = NULL;
    CHECK_STATUS(shelf__model_write(&spec, &out, &size), SHELF_OK);
    shelf_model *m = NULL;
    if (out) CHECK_STATUS(shelf_model_open(out, size, &m), SHELF_OK);
    if (m) {
        float p = 0.0f;
        uint32_t f = 0, c = 0;
        CHECK_STATUS(shelf_model_item_attributes(m, 4, &c, &p, &f), SHELF_OK);
        CHECK(isnan(p) && f == SHELF_ITEM_IN_STOCK && c == fixture_category[4]);
    }
    shelf_model_close(m);
    free(out);
}

/* ------------------------------------------------------------------ seeds --- */

static int write_seeds(const char *dir) {
    char path[1024];
    size_t size;
    uint8_t *file;
    for (int quantize = 0; quantize <= 1; quantize++) {
        shelf__model_spec spec = fixture_spec(quantize);
        if ((file = write_spec(&spec, &size))) {
            snprintf(path, sizeof path, "%s/fixture_%s.shelf", dir, quantize ? "q8" : "f32");
            write_bytes(path, file, size);
            free(file);
        }
        /* Smaller ones, which the fuzzer mutates faster. */
        spec.metadata_json = "{\"name\": \"s\", \"scorers\": {\"covisit\": {\"weight\": 1}}}";
        spec.item_count = 5;
        spec.category_count = 2;
        uint32_t category[5] = {0, 1, SHELF_NO_CATEGORY, 1, 0};
        uint32_t start[6] = {0, 1, 1, 3, 3, 4}, items[4] = {1, 0, 4, 2};
        float weights[4] = {1.0f, 0.5f, 0.25f, 0.0f};
        spec.item_category = category;
        spec.covisit = (shelf__neighbour_spec){start, items, weights};
        spec.sequential = (shelf__neighbour_spec){start, items, weights};
        spec.dims = 16;
        if ((file = write_spec(&spec, &size))) {
            snprintf(path, sizeof path, "%s/small_%s.shelf", dir, quantize ? "q8" : "f32");
            write_bytes(path, file, size);
            free(file);
        }
        /* With a learned ranker, so that its parsing and its scoring are fuzzed too. */
        spec.metadata_json =
            "{\"name\": \"r\", \"scorers\": {\"covisit\": {\"weight\": 1}, \"embedding\": {\"weight\": 0.5}},"
            " \"ranker\": {\"features\": 18, \"hidden\": 2, \"candidates\": 3, \"input_bias\": [0.5, -1],"
            " \"output_weights\": [1, -0.5], \"input_weights\": [[1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],"
            " [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -3]]}}";
        if ((file = write_spec(&spec, &size))) {
            snprintf(path, sizeof path, "%s/small_ranked_%s.shelf", dir, quantize ? "q8" : "f32");
            write_bytes(path, file, size);
            free(file);
        }
    }
    if ((file = write_tiny(&size))) {
        snprintf(path, sizeof path, "%s/tiny.shelf", dir);
        write_bytes(path, file, size);
        free(file);
    }
    return check_finish("test_model_format --write-seeds");
}

int main(int argc, char **argv) {
    fixture_init();
    if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0) return write_seeds(argv[2]);
    test_round_trip();
    test_minimal_model();
    test_null_arguments();
    test_truncation(0);
    test_truncation(1);
    test_header();
    test_checksums();
    test_section_table();
    test_strings_and_index();
    test_catalog_and_popularity();
    test_parameters();
    test_hand_made();
    test_metadata();
    test_writer_validation();
    return check_finish("test_model_format");
}
