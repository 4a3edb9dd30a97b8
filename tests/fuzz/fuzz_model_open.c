/* libFuzzer target: shelf_model_open() on arbitrary bytes. Whenever a file opens,
 * every accessor runs over every item and category, every view the scorers read
 * is walked, and the loader's promises are checked (a broken one traps); then a
 * session on it recommends, related items are ranked, and the file's last bytes are
 * restored as a saved session state.
 *
 * Each input is opened twice: as it is, and "resealed" (its section and header
 * checksums recomputed, in a misaligned copy when the size is odd), so that
 * mutations reach the validation behind the checksums and the copying path.
 *
 * Built by CMake from the library's own layers (tests/fuzz/CMakeLists.txt) and run
 * by tools/fuzz.sh SECONDS, which seeds it with the models test_model_format writes.
 *
 * Without libFuzzer (any compiler), -DSHELF_FUZZ_STANDALONE adds a main() that
 * runs the files named on the command line, to replay a crash. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_format.h"
#include "model_internal.h"
#include "shelf.h"
#include "shelf_common.h"
#include "fuzz_common.h"

/* Defeats dead-code elimination of the reads that walk the views. */
static volatile float sink;

static void walk_neighbours(const shelf__neighbours *n, uint32_t count) {
    if (!n->present) return;
    uint32_t items[SHELF__MAX_NEIGHBOURS];
    float weights[SHELF__MAX_NEIGHBOURS];
    float sum = 0.0f;
    uint64_t entries = 0;
    for (uint32_t r = 0; r < count; r++) {
        uint32_t k = shelf__neighbours_row(n, r, items, weights);
        REQUIRE(k <= SHELF__MAX_NEIGHBOURS);
        entries += k;
        for (uint32_t e = 0; e < k; e++) {
            REQUIRE(items[e] < count);
            REQUIRE(weights[e] >= 0.0f && weights[e] <= FLT_MAX);
            sum += weights[e];
        }
    }
    REQUIRE(entries == n->nnz);
    sink = sum;
}

static void walk_embeddings(const shelf__embeddings *e, uint32_t count) {
    if (!e->present) return;
    REQUIRE(e->dims >= 16 && e->dims <= SHELF__MAX_DIMS && e->dims % 16 == 0);
    float sum = 0.0f;
    for (uint32_t i = 0; i < count; i++) {
        for (uint32_t j = 0; j < e->dims; j++) {
            size_t at = (size_t)i * e->dims + j;
            if (e->encoding == SHELF__ENCODING_F32) {
                REQUIRE(isfinite(e->rows_f32[at]));
                sum += e->rows_f32[at];
            } else {
                REQUIRE(e->rows_q8[at] != -128);
                sum += e->rows_q8[at] * e->row_scales[i];
            }
        }
    }
    sink = sum;
}

static void walk(const shelf_model *m, const uint8_t *extra, size_t extra_size) {
    uint32_t count = shelf_model_item_count(m);
    REQUIRE(count >= 1);
    REQUIRE(shelf_model_name(m) != NULL);
    size_t meta_size = 0;
    const char *meta = shelf_model_metadata(m, &meta_size);
    REQUIRE(meta != NULL && (const uint8_t *)meta >= m->bytes && meta_size <= m->size);
    uint32_t categories = shelf_model_category_count(m);

    for (uint32_t i = 0; i < count; i++) {
        size_t id_size = 0;
        const char *id = shelf_model_item_id(m, i, &id_size);
        REQUIRE(id != NULL && id_size >= 1 && strlen(id) == id_size);
        /* The index was validated so that every id finds its own item. */
        uint32_t found = UINT32_MAX;
        REQUIRE(shelf_model_find_item(m, id, id_size, &found) == SHELF_OK && found == i);
        uint32_t category = 0, flags = 0;
        float price = 0.0f;
        REQUIRE(shelf_model_item_attributes(m, i, &category, &price, &flags) == SHELF_OK);
        REQUIRE(category < categories || category == SHELF_NO_CATEGORY);
        REQUIRE(isnan(price) || (price >= 0.0f && price <= FLT_MAX));
        REQUIRE((flags & ~SHELF_ITEM_IN_STOCK) == 0);
        REQUIRE(m->popularity[i] >= 0.0f && m->popularity[i] <= 1.0f);
    }
    for (uint32_t c = 0; c < categories; c++) {
        size_t name_size = 0;
        const char *name = shelf_model_category_name(m, c, &name_size);
        REQUIRE(name != NULL && name_size >= 1 && strlen(name) == name_size);
        /* Names may repeat: the first one with this name is found. */
        uint32_t found = UINT32_MAX;
        REQUIRE(shelf_model_find_category(m, name, name_size, &found) == SHELF_OK && found <= c);
        REQUIRE(strcmp(shelf_model_category_name(m, found, NULL), name) == 0);
    }
    REQUIRE(shelf_model_item_id(m, count, NULL) == NULL);
    REQUIRE(shelf_model_category_name(m, categories, NULL) == NULL);
    REQUIRE(shelf_model_item_attributes(m, count, NULL, NULL, NULL) == SHELF_E_UNKNOWN_ITEM);

    /* Arbitrary bytes as an id and as a category name: found or not, never a fault. */
    uint32_t found = UINT32_MAX;
    if (shelf_model_find_item(m, (const char *)extra, extra_size, &found) == SHELF_OK) REQUIRE(found < count);
    if (shelf_model_find_category(m, (const char *)extra, extra_size, &found) == SHELF_OK) REQUIRE(found < categories);

    walk_neighbours(&m->covisit, count);
    walk_neighbours(&m->sequential, count);
    walk_embeddings(&m->embeddings, count);
    REQUIRE(shelf_model_dims(m) == (m->embeddings.present ? m->embeddings.dims : 0));

    const shelf__blend *b = &m->blend;
    int any = 0;
    for (int s = 0; s < SHELF__SCORER_COUNT; s++) {
        REQUIRE(b->scorers[s].weight >= 0.0f && b->scorers[s].weight <= FLT_MAX);
        REQUIRE(b->scorers[s].position_decay > 0.0f && b->scorers[s].position_decay <= FLT_MAX);
        any |= b->scorers[s].weight > 0.0f;
    }
    REQUIRE(any);
    for (int t = 0; t < SHELF_EVENT_TYPE_COUNT; t++)
        REQUIRE(b->event_weights[t] >= 0.0f && b->event_weights[t] <= FLT_MAX);
    REQUIRE(b->time_half_life >= 0.0f && b->time_half_life <= FLT_MAX);
}

/* A session on the opened model, driven by arbitrary bytes: events from them, then
 * recommend() and related() under the filters they pick, a save and restore round
 * trip, and the bytes themselves restored as a saved state. Results name items of
 * the model, reasons Shelf has, scores that are numbers; nothing else is promised
 * for arbitrary input but a status. */
static void exercise(const shelf_model *m, const uint8_t *bytes, size_t size) {
    const uint32_t count = shelf_model_item_count(m);
    shelf_session *s = NULL;
    if (shelf_session_create(m, &s) != SHELF_OK) return;
    for (size_t i = 0; i + 1 < size && i < 2 * 80; i += 2)
        REQUIRE(shelf_session_track(s, (shelf_event_type)(bytes[i] % SHELF_EVENT_TYPE_COUNT),
                                    (uint32_t)(bytes[i + 1] * 2654435761u) % count, 1700000000.0 + (double)i,
                                    1.0f) == SHELF_OK);
    shelf_request r;
    shelf_request_init(&r);
    r.k = 20;
    if (size) {
        r.max_per_category = bytes[0] % 4;
        r.flags = bytes[size - 1] & (SHELF_EXCLUDE_SEEN | SHELF_IN_STOCK_ONLY);
    }
    shelf_result out[20];
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        shelf_status status = pass == 0 ? shelf_recommend(s, &r, out, 20, &n) : shelf_related(m, count - 1, &r, out, 20, &n);
        REQUIRE(status == SHELF_OK || status == SHELF_E_OUT_OF_MEMORY);
        if (status != SHELF_OK) continue;
        REQUIRE(n <= 20 && n <= count);
        for (size_t i = 0; i < n; i++) {
            REQUIRE(out[i].item < count && out[i].reason < SHELF_REASON_COUNT && !isnan(out[i].score));
            REQUIRE(out[i].reason_item < count || out[i].reason_item == SHELF_NO_ITEM);
        }
    }
    uint8_t state[SHELF_SESSION_STATE_MAX];
    size_t state_size = 0;
    uint32_t events = shelf_session_event_count(s);
    REQUIRE(shelf_session_save(s, state, sizeof state, &state_size) == SHELF_OK && state_size <= sizeof state);
    shelf_session *back = NULL;
    if (shelf_session_create(m, &back) == SHELF_OK) {
        REQUIRE(shelf_session_restore(back, state, state_size) == SHELF_OK);
        REQUIRE(shelf_session_event_count(back) == events && shelf_session_dropped_events(back) == 0);
        /* The bytes as a state: restored, or refused with the session unchanged. */
        if (shelf_session_restore(back, bytes, size) != SHELF_OK) REQUIRE(shelf_session_event_count(back) == events);
        else REQUIRE(shelf_session_event_count(back) <= SHELF_SESSION_CAPACITY);
        shelf_session_free(back);
    }
    shelf_session_free(s);
}

static void try_open(const uint8_t *data, size_t size) {
    shelf_model *model = NULL;
    shelf_status status = shelf_model_open(data, size, &model);
    REQUIRE((status == SHELF_OK) == (model != NULL));
    if (status != SHELF_OK) {
        /* Only the statuses shelf.h documents for open. */
        REQUIRE((status >= SHELF_E_BAD_MAGIC && status <= SHELF_E_BAD_METADATA) || status == SHELF_E_OUT_OF_MEMORY);
        return;
    }
    size_t tail = size < 16 ? size : 16;
    walk(model, data + size - tail, tail);
    size_t state = size < SHELF_SESSION_STATE_MAX ? size : SHELF_SESSION_STATE_MAX;
    exercise(model, data + size - state, state);
    shelf_model_close(model);
}

/* Recomputes the checksums of the entries that lie inside the file, then the
 * header's, as a writer would (the same as the test's reseal()). */
static void reseal(uint8_t *file, size_t size) {
    uint32_t count = shelf__load_u32(file + SHELF__HDR_SECTION_COUNT);
    if (count > SHELF__MAX_SECTIONS) count = SHELF__MAX_SECTIONS;
    size_t table_end = SHELF__HEADER_SIZE + (size_t)count * SHELF__SECTION_ENTRY_SIZE;
    if (table_end > size) return;
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *e = file + SHELF__HEADER_SIZE + (size_t)i * SHELF__SECTION_ENTRY_SIZE;
        uint64_t offset = shelf__load_u64(e + SHELF__SEC_OFFSET), length = shelf__load_u64(e + SHELF__SEC_LENGTH);
        if (length <= size && offset <= size - length)
            shelf__store_u32(e + SHELF__SEC_CHECKSUM, shelf__crc32(0, file + offset, (size_t)length));
    }
    shelf__store_u32(file + SHELF__HDR_CHECKSUM, 0);
    shelf__store_u32(file + SHELF__HDR_CHECKSUM, shelf__crc32(0, file, table_end));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    try_open(data, size);
    if (size >= SHELF__HEADER_SIZE) {
        /* Odd sizes go to an odd address: the loader must copy, and the copy is
         * what gets validated. The allocation ends exactly at the data's end. */
        size_t shift = size & 1;
        uint8_t *buffer = malloc(size + shift);
        if (!buffer) return 0;
        memcpy(buffer + shift, data, size);
        reseal(buffer + shift, size);
        try_open(buffer + shift, size);
        free(buffer);
    }
    return 0;
}
