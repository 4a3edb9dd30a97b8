/* The public runtime API on a small hand-made model: sessions, state, filters,
 * diversity, reasons, and every argument check. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model_internal.h"
#include "model_writer.h"
#include "shelf.h"

#define ITEMS 12
#define DIMS 16

static uint8_t *model_bytes;
static size_t model_size;

/* Item i: category i % 3, price 10 i, in stock except the last; viewed together
 * with i+1 (weight 1) and i+2 (0.5); viewed after i: i+3; its embedding is axis i
 * plus half of axis i+1, so i-1 and i+1 are its nearest. Popularity falls with i. */
static shelf_model *build_model_with(const char *name, const char *ranker_json) {
    static char id_text[ITEMS][16];
    static const char *ids[ITEMS];
    static const char *categories[] = {"shoes", "shirts", "hats"};
    static uint32_t category[ITEMS], co_start[ITEMS + 1], co_items[2 * ITEMS], seq_start[ITEMS + 1], seq_items[ITEMS];
    static float price[ITEMS], popularity[ITEMS], co_weights[2 * ITEMS], seq_weights[ITEMS], embeddings[ITEMS * DIMS];
    static uint8_t flags[ITEMS];
    for (uint32_t i = 0; i < ITEMS; i++) {
        snprintf(id_text[i], sizeof id_text[i], "sku-%u", i);
        ids[i] = id_text[i];
        category[i] = i % 3;
        price[i] = 10.0f * (float)i;
        flags[i] = i == ITEMS - 1 ? 0 : SHELF_ITEM_IN_STOCK;
        popularity[i] = (float)(ITEMS - i) / ITEMS;
        co_start[i] = 2 * i;
        co_items[2 * i] = (i + 1) % ITEMS;
        co_weights[2 * i] = 1.0f;
        co_items[2 * i + 1] = (i + 2) % ITEMS;
        co_weights[2 * i + 1] = 0.5f;
        seq_start[i] = i;
        seq_items[i] = (i + 3) % ITEMS;
        seq_weights[i] = 1.0f;
        for (uint32_t d = 0; d < DIMS; d++)
            embeddings[i * DIMS + d] = d == i % DIMS ? 1.0f : d == (i + 1) % DIMS ? 0.5f : 0.0f;
    }
    co_start[ITEMS] = 2 * ITEMS;
    seq_start[ITEMS] = ITEMS;
    char meta[2048];
    snprintf(meta, sizeof meta,
             "{\"name\": \"%s\", \"items\": %d, \"scorers\": {\"popularity\": {\"weight\": 0.01},"
             " \"repeat\": {\"weight\": 0.2, \"position_decay\": 4}, \"covisit\": {\"weight\": 1, \"position_decay\": 2},"
             " \"sequential\": {\"weight\": 0.5, \"position_decay\": 1}, \"embedding\": {\"weight\": 0.05}}%s%s}",
             name, ITEMS, ranker_json ? ", \"ranker\": " : "", ranker_json ? ranker_json : "");
    shelf__model_spec spec = {0};
    spec.metadata_json = meta;
    spec.item_count = ITEMS;
    spec.item_ids = ids;
    spec.category_count = 3;
    spec.category_names = categories;
    spec.item_category = category;
    spec.item_price = price;
    spec.item_flags = flags;
    spec.popularity = popularity;
    spec.covisit = (shelf__neighbour_spec){co_start, co_items, co_weights};
    spec.sequential = (shelf__neighbour_spec){seq_start, seq_items, seq_weights};
    spec.dims = DIMS;
    spec.embeddings = embeddings;
    spec.quantize = 1;
    free(model_bytes);
    CHECK_STATUS(shelf__model_write(&spec, &model_bytes, &model_size), SHELF_OK);
    shelf_model *model = NULL;
    CHECK_STATUS(shelf_model_open(model_bytes, model_size, &model), SHELF_OK);
    return model;
}

static shelf_model *build_model(const char *name) { return build_model_with(name, NULL); }

static void test_version_and_statuses(void) {
    CHECK(shelf_version_number() == SHELF_VERSION_NUMBER);
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", SHELF_VERSION_MAJOR, SHELF_VERSION_MINOR, SHELF_VERSION_PATCH);
    CHECK(strcmp(shelf_version_string(), expected) == 0);
    for (int s = 0; s <= SHELF_E_PARSE; s++) {
        const char *name = shelf_status_name((shelf_status)s);
        CHECK(strncmp(name, "SHELF_", 6) == 0);
        CHECK(strcmp(name, "SHELF_E_UNKNOWN_STATUS") != 0);
        CHECK(strlen(shelf_status_message((shelf_status)s)) > 0);
        for (int t = 0; t < s; t++) CHECK(strcmp(name, shelf_status_name((shelf_status)t)) != 0);
    }
    CHECK(strcmp(shelf_status_name(SHELF_E_TRUNCATED), "SHELF_E_TRUNCATED") == 0);
    CHECK(strcmp(shelf_status_name((shelf_status)999), "SHELF_E_UNKNOWN_STATUS") == 0);
    CHECK(strcmp(shelf_status_name((shelf_status)-1), "SHELF_E_UNKNOWN_STATUS") == 0);
    shelf_event_type type;
    for (int e = 0; e < SHELF_EVENT_TYPE_COUNT; e++) {
        const char *name = shelf_event_type_name((shelf_event_type)e);
        CHECK_STATUS(shelf_event_type_from_name(name, strlen(name), &type), SHELF_OK);
        CHECK(type == (shelf_event_type)e);
    }
    CHECK_STATUS(shelf_event_type_from_name("viewed", 6, &type), SHELF_E_BAD_EVENT);
    CHECK(shelf_event_type_name(SHELF_EVENT_TYPE_COUNT) == NULL);
    CHECK(strcmp(shelf_reason_name(SHELF_REASON_VIEWED_TOGETHER), "viewed_together") == 0);
    CHECK(strcmp(shelf_reason_name(SHELF_REASON_IN_CART), "in_cart") == 0);
    CHECK(shelf_reason_name(SHELF_REASON_COUNT) == NULL);
    for (int r = 0; r < SHELF_REASON_COUNT; r++) CHECK(shelf_reason_name((shelf_reason)r) != NULL);

    /* One name per scorer bit, distinct, and none for anything else. */
    uint32_t named = 0;
    for (uint32_t bit = 1; bit; bit <<= 1) {
        const char *name = shelf_scorer_name(bit);
        if (!name) continue;
        named |= bit;
        for (uint32_t other = 1; other < bit; other <<= 1)
            CHECK(!shelf_scorer_name(other) || strcmp(shelf_scorer_name(other), name) != 0);
    }
    CHECK(named == SHELF_SCORER_ALL);
    CHECK(shelf_scorer_name(0) == NULL);
    CHECK(shelf_scorer_name(SHELF_SCORER_COVISIT | SHELF_SCORER_REPEAT) == NULL);
    CHECK(shelf_scorer_name(SHELF_SCORER_ALL) == NULL);
    CHECK(strcmp(shelf_scorer_name(SHELF_SCORER_SEQUENTIAL), "sequential") == 0);
}

static void test_null_arguments(void) {
    shelf_model *model = NULL;
    shelf_session *session = NULL;
    size_t count;
    CHECK_STATUS(shelf_model_open(NULL, 10, &model), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_session_create(NULL, &session), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_session_track(NULL, SHELF_EVENT_VIEW, 0, 0, 1), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_recommend(NULL, NULL, NULL, 0, &count), SHELF_E_NULL_ARGUMENT);
    shelf_model_close(NULL);
    shelf_session_free(NULL);
    shelf_session_clear(NULL);
    shelf_request_init(NULL);
    CHECK(shelf_session_event_count(NULL) == 0);
}

static size_t recommend(shelf_session *s, const shelf_request *r, shelf_result *out, size_t capacity) {
    size_t count = 999;
    CHECK_STATUS(shelf_recommend(s, r, out, capacity, &count), SHELF_OK);
    return count;
}

static void test_tracking(shelf_model *model) {
    shelf_session *s;
    CHECK_STATUS(shelf_session_create(model, &s), SHELF_OK);
    CHECK_STATUS(shelf_session_track(s, SHELF_EVENT_TYPE_COUNT, 0, 1, 1), SHELF_E_BAD_EVENT);
    CHECK_STATUS(shelf_session_track(s, SHELF_EVENT_VIEW, ITEMS, 1, 1), SHELF_E_UNKNOWN_ITEM);
    CHECK_STATUS(shelf_session_track(s, SHELF_EVENT_VIEW, 0, NAN, 1), SHELF_E_BAD_EVENT);
    CHECK_STATUS(shelf_session_track(s, SHELF_EVENT_VIEW, 0, -1, 1), SHELF_E_BAD_EVENT);
    CHECK_STATUS(shelf_session_track(s, SHELF_EVENT_VIEW, 0, 1, INFINITY), SHELF_E_BAD_EVENT);
    CHECK_STATUS(shelf_session_track(s, SHELF_EVENT_VIEW, 0, 1, -2), SHELF_E_BAD_EVENT);
    CHECK(shelf_session_event_count(s) == 0);
    /* The session keeps the newest SHELF_SESSION_CAPACITY events. */
    for (uint32_t i = 0; i < SHELF_SESSION_CAPACITY + 10; i++)
        CHECK_STATUS(shelf_session_track(s, SHELF_EVENT_VIEW, i % ITEMS, 1000.0 + i, 1), SHELF_OK);
    CHECK(shelf_session_event_count(s) == SHELF_SESSION_CAPACITY);
    shelf_session_clear(s);
    CHECK(shelf_session_event_count(s) == 0);
    shelf_session_free(s);
}

static void test_ranking(shelf_model *model) {
    shelf_session *s;
    shelf_request r;
    shelf_result out[ITEMS + 5];
    CHECK_STATUS(shelf_session_create(model, &s), SHELF_OK);
    shelf_request_init(&r);
    CHECK(r.k == 10 && r.scorers == SHELF_SCORER_ALL && r.min_price == -INFINITY && r.max_price == INFINITY);
    CHECK(r.exclude_items == NULL && r.exclude_count == 0);

    /* Empty session: popularity order, reason "popular". */
    r.k = ITEMS + 5;
    size_t n = recommend(s, &r, out, ITEMS + 5);
    CHECK(n == ITEMS);
    for (size_t i = 0; i < n; i++) {
        CHECK(out[i].item == i);
        CHECK(out[i].reason == SHELF_REASON_POPULAR && out[i].reason_item == UINT32_MAX);
    }
    /* k larger than the capacity: capacity wins. */
    r.k = 10;
    CHECK(recommend(s, &r, out, 3) == 3);
    CHECK(recommend(s, &r, NULL, 0) == 0);

    /* One view of item 5: item 6 is viewed together with it, item 8 after it. */
    CHECK_STATUS(shelf_session_track(s, SHELF_EVENT_VIEW, 5, 1000, 1), SHELF_OK);
    n = recommend(s, &r, out, ITEMS);
    CHECK(n == 10);
    CHECK(out[0].item == 6 && out[0].reason == SHELF_REASON_VIEWED_TOGETHER && out[0].reason_item == 5);
    int saw_after = 0;
    for (size_t i = 0; i < n; i++) {
        if (out[i].item == 8) saw_after = out[i].reason == SHELF_REASON_VIEWED_AFTER && out[i].reason_item == 5;
        if (i) CHECK(out[i - 1].score > out[i].score || (out[i - 1].score == out[i].score && out[i - 1].item < out[i].item));
    }
    CHECK(saw_after);

    /* Each scorer alone. */
    r.scorers = SHELF_SCORER_SEQUENTIAL;
    n = recommend(s, &r, out, ITEMS);
    CHECK(out[0].item == 8 && out[0].reason == SHELF_REASON_VIEWED_AFTER);
    r.scorers = SHELF_SCORER_REPEAT;
    n = recommend(s, &r, out, ITEMS);
    CHECK(out[0].item == 5 && out[0].reason == SHELF_REASON_SEEN_BEFORE && out[0].reason_item == 5);
    /* The embeddings alone: 5 itself is the nearest, and says it is the session's. */
    r.scorers = SHELF_SCORER_EMBEDDING;
    n = recommend(s, &r, out, ITEMS);
    CHECK(out[0].item == 5 && out[0].reason == SHELF_REASON_SEEN_BEFORE && out[0].reason_item == 5);
    /* 4 and 6 are equally near in floats; their int8 codes, under bfloat16 scales, part them a little. */
    CHECK(out[1].item + out[2].item == 10 && (out[1].item == 4 || out[1].item == 6));
    CHECK(out[1].reason == SHELF_REASON_SIMILAR && out[1].reason_item == 5);
    CHECK(out[2].reason == SHELF_REASON_SIMILAR && out[2].reason_item == 5);
    r.scorers = 64;
    size_t count;
    CHECK_STATUS(shelf_recommend(s, &r, out, ITEMS, &count), SHELF_E_BAD_ARGUMENT);
    r.scorers = SHELF_SCORER_ALL;

    /* Business rules. */
    CHECK_STATUS(shelf_session_track(s, SHELF_EVENT_ADD_TO_CART, 6, 1001, 1), SHELF_OK);
    CHECK_STATUS(shelf_session_track(s, SHELF_EVENT_PURCHASE, 7, 1002, 1), SHELF_OK);
    r.k = ITEMS;
    n = recommend(s, &r, out, ITEMS);
    for (size_t i = 0; i < n; i++) CHECK(out[i].item != 6 && out[i].item != 7);
    CHECK(n == ITEMS - 2);
    r.flags = SHELF_EXCLUDE_SEEN;
    n = recommend(s, &r, out, ITEMS);
    CHECK(n == ITEMS - 3);
    for (size_t i = 0; i < n; i++) CHECK(out[i].item != 5 && out[i].item != 6 && out[i].item != 7);
    r.flags = SHELF_IN_STOCK_ONLY;
    n = recommend(s, &r, out, ITEMS);
    CHECK(n == ITEMS - 1);
    for (size_t i = 0; i < n; i++) CHECK(out[i].item != ITEMS - 1);
    r.flags = 0;
    /* Items excluded by the request never come back, whatever they score (8 is the
     * session's best); a repeat is harmless, an index out of range is refused. */
    n = recommend(s, &r, out, ITEMS);
    CHECK(n == ITEMS && out[0].item == 8);
    /* The session's own items say so, whatever scored them most: 7, bought, is
     * viewed together with 6 and 5, and 6 was added to the cart. */
    for (size_t i = 0; i < n; i++) {
        const uint32_t item = out[i].item;
        if (item == 6) CHECK(out[i].reason == SHELF_REASON_IN_CART && out[i].reason_item == 6);
        if (item == 5 || item == 7) CHECK(out[i].reason == SHELF_REASON_SEEN_BEFORE && out[i].reason_item == item);
        if (item < 5 || item > 7) CHECK(out[i].reason != SHELF_REASON_SEEN_BEFORE && out[i].reason != SHELF_REASON_IN_CART);
    }
    r.scorers = SHELF_SCORER_COVISIT;
    n = recommend(s, &r, out, ITEMS);
    for (size_t i = 0; i < n; i++)
        if (out[i].item == 7) CHECK(out[i].reason == SHELF_REASON_SEEN_BEFORE && out[i].reason_item == 7);
    r.scorers = SHELF_SCORER_ALL;
    uint32_t excluded[] = {8, 0, 8};
    r.exclude_items = excluded;
    r.exclude_count = 3;
    n = recommend(s, &r, out, ITEMS);
    CHECK(n == ITEMS - 2);
    for (size_t i = 0; i < n; i++) CHECK(out[i].item != 8 && out[i].item != 0);
    excluded[2] = ITEMS;
    CHECK_STATUS(shelf_recommend(s, &r, out, ITEMS, &count), SHELF_E_UNKNOWN_ITEM);
    r.exclude_items = NULL;
    CHECK_STATUS(shelf_recommend(s, &r, out, ITEMS, &count), SHELF_E_NULL_ARGUMENT);
    r.exclude_count = 0;
    CHECK(recommend(s, &r, out, ITEMS) == ITEMS);
    uint32_t hats, shirts;
    CHECK_STATUS(shelf_model_find_category(model, "hats", 4, &hats), SHELF_OK);
    CHECK_STATUS(shelf_model_find_category(model, "shirts", 6, &shirts), SHELF_OK);
    uint32_t socks;
    CHECK_STATUS(shelf_model_find_category(model, "socks", 5, &socks), SHELF_E_UNKNOWN_CATEGORY);
    CHECK_STATUS(shelf_model_find_category(model, "shirts", 6, &shirts), SHELF_OK);
    r.allow_categories = &hats;
    r.allow_count = 1;
    n = recommend(s, &r, out, ITEMS);
    CHECK(n == 4);
    for (size_t i = 0; i < n; i++) CHECK(out[i].item % 3 == 2);
    r.allow_count = 0;
    r.deny_categories = &hats;
    r.deny_count = 1;
    n = recommend(s, &r, out, ITEMS);
    CHECK(n == 8);
    for (size_t i = 0; i < n; i++) CHECK(out[i].item % 3 != 2);
    r.deny_count = 0;
    r.min_price = 25;
    r.max_price = 60;
    n = recommend(s, &r, out, ITEMS);
    CHECK(n == 4); /* items 3..6 */
    for (size_t i = 0; i < n; i++) CHECK(out[i].item >= 3 && out[i].item <= 6);
    r.min_price = NAN;
    CHECK_STATUS(shelf_recommend(s, &r, out, ITEMS, &count), SHELF_E_BAD_ARGUMENT);
    r.min_price = -INFINITY;
    r.max_price = INFINITY;
    uint32_t unknown = 3;
    r.deny_categories = &unknown;
    r.deny_count = 1;
    CHECK_STATUS(shelf_recommend(s, &r, out, ITEMS, &count), SHELF_E_UNKNOWN_CATEGORY);
    r.deny_count = 0;

    /* Diversity: at most one item per category. */
    r.max_per_category = 1;
    n = recommend(s, &r, out, ITEMS);
    CHECK(n == 3);
    CHECK(out[0].item % 3 != out[1].item % 3 && out[1].item % 3 != out[2].item % 3 && out[0].item % 3 != out[2].item % 3);
    r.max_per_category = 0;

    /* Boosts move a category up; a non-positive factor is refused. */
    float factor = 1000;
    r.boost_categories = &shirts;
    r.boost_factors = &factor;
    r.boost_count = 1;
    n = recommend(s, &r, out, ITEMS);
    CHECK(out[0].item % 3 == 1);
    factor = 0;
    CHECK_STATUS(shelf_recommend(s, &r, out, ITEMS, &count), SHELF_E_BAD_ARGUMENT);
    r.boost_count = 0;
    shelf_session_free(s);
}

static void test_state(shelf_model *model, shelf_model *other) {
    shelf_session *s, *t, *u;
    CHECK_STATUS(shelf_session_create(model, &s), SHELF_OK);
    CHECK_STATUS(shelf_session_create(model, &t), SHELF_OK);
    CHECK_STATUS(shelf_session_create(other, &u), SHELF_OK);
    const shelf_event_type types[] = {SHELF_EVENT_VIEW, SHELF_EVENT_CLICK, SHELF_EVENT_DWELL, SHELF_EVENT_ADD_TO_CART, SHELF_EVENT_SEARCH};
    for (uint32_t i = 0; i < 20; i++)
        CHECK_STATUS(shelf_session_track(s, types[i % 5], (i * 7) % ITEMS, 1700000000.0 + i * 1.5 - (i == 9 ? 30 : 0),
                                         types[i % 5] == SHELF_EVENT_DWELL ? 12.5f : 1.0f), SHELF_OK);
    uint8_t state[SHELF_SESSION_STATE_MAX];
    size_t size = 0, needed = 0;
    CHECK_STATUS(shelf_session_save(s, state, 3, &needed), SHELF_E_BUFFER_TOO_SMALL);
    CHECK_STATUS(shelf_session_save(s, state, sizeof state, &size), SHELF_OK);
    CHECK(size == needed && size < 20 * 11);  /* tag, 6-byte key, a short delta, and some weights */
    CHECK_STATUS(shelf_session_restore(t, state, size), SHELF_OK);
    CHECK(shelf_session_event_count(t) == 20);
    shelf_request r;
    shelf_request_init(&r);
    shelf_result a[ITEMS], b[ITEMS];
    size_t na = recommend(s, &r, a, ITEMS), nb = recommend(t, &r, b, ITEMS);
    CHECK(na == nb && memcmp(a, b, na * sizeof a[0]) == 0);
    /* Saving the restored session gives the same bytes. */
    uint8_t again[SHELF_SESSION_STATE_MAX];
    size_t again_size;
    CHECK_STATUS(shelf_session_save(t, again, sizeof again, &again_size), SHELF_OK);
    CHECK(again_size == size && memcmp(again, state, size) == 0);
    /* Every truncation, every single-bit flip and every byte overwritten is refused
     * (the checksum: a damaged state never restores as another history), and a
     * refused restore leaves the session as it was. */
    for (size_t cut = 0; cut < size; cut++) CHECK_STATUS(shelf_session_restore(t, state, cut), SHELF_E_BAD_STATE);
    CHECK(shelf_session_event_count(t) == 20);
    uint32_t accepted = 0;
    for (size_t at = 0; at < size; at++) {
        for (int bit = 0; bit < 8; bit++) {
            state[at] ^= (uint8_t)(1 << bit);
            shelf_status st = shelf_session_restore(t, state, size);
            CHECK(st == SHELF_E_BAD_STATE || (at == 1 && st == SHELF_E_STATE_MISMATCH));
            accepted += st == SHELF_OK;
            state[at] ^= (uint8_t)(1 << bit);
        }
        const uint8_t original = state[at];
        state[at] = (uint8_t)(original + 0x5b);
        accepted += shelf_session_restore(t, state, size) == SHELF_OK;
        state[at] = original;
    }
    CHECK(accepted == 0 && shelf_session_event_count(t) == 20);
    /* Another model of the same ids takes the session whole: items go by key. */
    CHECK_STATUS(shelf_session_restore(u, state, size), SHELF_OK);
    CHECK(shelf_session_event_count(u) == 20 && shelf_session_dropped_events(u) == 0);
    /* A state of format 1 named items by one model's indices. */
    {
        uint8_t v1[7] = {'S', 1, 0, 0, 0, 0, 0};
        CHECK_STATUS(shelf_session_restore(t, v1, sizeof v1), SHELF_E_STATE_MISMATCH);
    }
    CHECK_STATUS(shelf_session_restore(t, NULL, 0), SHELF_E_BAD_STATE);
    /* The worst case: every event far in time from the one before, with a weight. */
    shelf_session_clear(t);
    for (uint32_t i = 0; i < SHELF_SESSION_CAPACITY; i++)
        CHECK_STATUS(shelf_session_track(t, SHELF_EVENT_DWELL, i % ITEMS, i % 2 ? 0.0 : 9007199254740.0, 3.0f), SHELF_OK);
    uint8_t worst[SHELF_SESSION_STATE_MAX];
    CHECK_STATUS(shelf_session_save(t, worst, sizeof worst, &size), SHELF_OK);
    CHECK(size == SHELF_SESSION_STATE_MAX);
    /* An empty session round-trips too. */
    shelf_session_clear(t);
    CHECK_STATUS(shelf_session_save(t, state, sizeof state, &size), SHELF_OK);
    CHECK_STATUS(shelf_session_restore(s, state, size), SHELF_OK);
    CHECK(shelf_session_event_count(s) == 0);
    shelf_session_free(s);
    shelf_session_free(t);
    shelf_session_free(u);
}

static void test_lookups(shelf_model *model) {
    uint32_t item;
    CHECK(shelf_model_item_count(model) == ITEMS);
    CHECK(shelf_model_dims(model) == DIMS);
    CHECK(strcmp(shelf_model_name(model), "api-test") == 0);
    for (uint32_t i = 0; i < ITEMS; i++) {
        size_t size;
        const char *id = shelf_model_item_id(model, i, &size);
        CHECK(id && size == strlen(id));
        CHECK_STATUS(shelf_model_find_item(model, id, size, &item), SHELF_OK);
        CHECK(item == i);
        uint32_t category, flags;
        float price;
        CHECK_STATUS(shelf_model_item_attributes(model, i, &category, &price, &flags), SHELF_OK);
        CHECK(category == i % 3 && price == 10.0f * (float)i);
    }
    CHECK_STATUS(shelf_model_find_item(model, "sku-12", 6, &item), SHELF_E_UNKNOWN_ITEM);
    CHECK_STATUS(shelf_model_find_item(model, "sku-1", 4, &item), SHELF_E_UNKNOWN_ITEM);
    CHECK(shelf_model_item_id(model, ITEMS, NULL) == NULL);
    CHECK(shelf_model_section_count(model) >= 7);
}

/* Neighbour tables name items in 16 bits up to 65,536 items, in 32 bits beyond:
 * both sides of the edge, through recommend(). */
static void test_wide_catalogs(void) {
    const uint32_t sizes[] = {65536, 65537};
    for (int k = 0; k < 2; k++) {
        uint32_t n = sizes[k];
        char **ids = malloc(n * sizeof *ids);
        uint32_t *start = malloc((n + 1) * sizeof *start), *items = malloc(n * sizeof *items);
        float *weights = malloc(n * sizeof *weights), *popularity = calloc(n, sizeof *popularity);
        for (uint32_t i = 0; i < n; i++) {
            ids[i] = malloc(12);
            snprintf(ids[i], 12, "%u", i);
            start[i] = i;
            items[i] = (i + 1) % n;  /* the last item's neighbour is item 0 */
            weights[i] = 1.0f;
        }
        start[n] = n;
        shelf__model_spec spec = {0};
        spec.metadata_json = "{\"name\": \"wide\", \"scorers\": {\"covisit\": {\"weight\": 1}}}";
        spec.item_count = n;
        spec.item_ids = (const char *const *)ids;
        spec.popularity = popularity;
        spec.covisit = (shelf__neighbour_spec){start, items, weights};
        spec.quantize = 1;
        uint8_t *bytes = NULL;
        size_t size = 0;
        shelf_model *model = NULL;
        CHECK_STATUS(shelf__model_write(&spec, &bytes, &size), SHELF_OK);
        CHECK_STATUS(shelf_model_open(bytes, size, &model), SHELF_OK);
        if (model) {
            CHECK(model->covisit.encoding == SHELF__ENCODING_EF4);
            shelf_session *s;
            CHECK_STATUS(shelf_session_create(model, &s), SHELF_OK);
            CHECK_STATUS(shelf_session_track(s, SHELF_EVENT_VIEW, n - 1, 1, 1), SHELF_OK);
            CHECK_STATUS(shelf_session_track(s, SHELF_EVENT_VIEW, n - 2, 2, 1), SHELF_OK);
            shelf_request r;
            shelf_request_init(&r);
            r.k = 2;
            shelf_result out[2];
            size_t count = 0;
            CHECK_STATUS(shelf_recommend(s, &r, out, 2, &count), SHELF_OK);
            /* n-2 is newest: its neighbour n-1 first, then n-1's neighbour 0. */
            CHECK(count == 2 && out[0].item == n - 1 && out[1].item == 0);
            CHECK(out[1].reason == SHELF_REASON_VIEWED_TOGETHER && out[1].reason_item == n - 1);
            shelf_session_free(s);
        }
        shelf_model_close(model);
        free(bytes);
        for (uint32_t i = 0; i < n; i++) free(ids[i]);
        free(ids); free(start); free(items); free(weights); free(popularity);
    }
}

/* Whether `item` is among out[0..n). */
static int holds(const shelf_result *out, size_t n, uint32_t item) {
    for (size_t i = 0; i < n; i++)
        if (out[i].item == item) return 1;
    return 0;
}

/* A model without a catalog: n <= ITEMS items "plain-0", ... with these
 * popularities, a covisit table if `covisit` has rows, and the blend of `metadata`. */
static shelf_model *build_plain_model(uint32_t n, const float *popularity, shelf__neighbour_spec covisit,
                                      const char *metadata, uint8_t **bytes) {
    static char id_text[ITEMS][16];
    static const char *ids[ITEMS];
    for (uint32_t i = 0; i < n && i < ITEMS; i++) {
        snprintf(id_text[i], sizeof id_text[i], "plain-%u", i);
        ids[i] = id_text[i];
    }
    shelf__model_spec spec = {0};
    spec.metadata_json = metadata;
    spec.item_count = n;
    spec.item_ids = ids;
    spec.popularity = popularity;
    spec.covisit = covisit;
    size_t size = 0;
    shelf_model *model = NULL;
    CHECK_STATUS(shelf__model_write(&spec, bytes, &size), SHELF_OK);
    if (*bytes) CHECK_STATUS(shelf_model_open(*bytes, size, &model), SHELF_OK);
    return model;
}

static size_t related(const shelf_model *m, uint32_t item, const shelf_request *r, shelf_result *out, size_t capacity) {
    size_t count = 999;
    CHECK_STATUS(shelf_related(m, item, r, out, capacity, &count), SHELF_OK);
    return count;
}

/* Related items: from the item's table rows and embedding, without a session;
 * never the item itself; every filter of the request; reasons that name it; and
 * popularity ordering what nothing links to the item. */
static void test_related(shelf_model *model) {
    shelf_request r;
    shelf_request_init(&r);
    r.k = ITEMS;
    shelf_result out[ITEMS];
    size_t count;
    CHECK_STATUS(shelf_related(NULL, 0, &r, out, ITEMS, &count), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_related(model, 0, NULL, out, ITEMS, &count), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_related(model, 0, &r, NULL, ITEMS, &count), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_related(model, 0, &r, out, ITEMS, NULL), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_related(model, ITEMS, &r, out, ITEMS, &count), SHELF_E_UNKNOWN_ITEM);
    CHECK(related(model, 0, &r, NULL, 0) == 0);

    /* Item 5: viewed together with 6 (weight 1) and 7 (0.5), 8 viewed after it
     * (0.5, at the sequential table's blend weight 0.5). */
    size_t n = related(model, 5, &r, out, ITEMS);
    CHECK(n == ITEMS - 1 && !holds(out, n, 5));
    CHECK(out[0].item == 6 && out[0].reason == SHELF_REASON_VIEWED_TOGETHER && out[0].reason_item == 5);
    for (size_t i = 0; i < n; i++) {
        if (out[i].item == 7) CHECK(out[i].reason == SHELF_REASON_VIEWED_TOGETHER && out[i].reason_item == 5);
        if (out[i].item == 8) CHECK(out[i].reason == SHELF_REASON_VIEWED_AFTER && out[i].reason_item == 5);
        if (out[i].reason == SHELF_REASON_POPULAR) CHECK(out[i].reason_item == SHELF_NO_ITEM);
        else CHECK(out[i].reason_item == 5);
        if (i) CHECK(out[i - 1].score >= out[i].score);
    }
    CHECK(holds(out, 3, 7) && holds(out, 3, 8));
    /* The same as a session holding one view of item 5, but for item 5 itself. */
    shelf_session *s;
    CHECK_STATUS(shelf_session_create(model, &s), SHELF_OK);
    CHECK_STATUS(shelf_session_track(s, SHELF_EVENT_VIEW, 5, 1000, 1), SHELF_OK);
    shelf_result from_session[ITEMS];
    r.exclude_items = (const uint32_t[]){5};
    r.exclude_count = 1;
    CHECK(recommend(s, &r, from_session, ITEMS) == ITEMS - 1);
    for (size_t i = 0; i < 3; i++)
        CHECK(from_session[i].item == out[i].item && from_session[i].score == out[i].score &&
              from_session[i].reason == out[i].reason);
    shelf_session_free(s);
    /* Each scorer alone: the embedding's nearest is the item itself, left out. */
    r.scorers = SHELF_SCORER_SEQUENTIAL;
    CHECK(related(model, 5, &r, out, ITEMS) == ITEMS - 1 && out[0].item == 8 && out[0].reason == SHELF_REASON_VIEWED_AFTER);
    r.scorers = SHELF_SCORER_EMBEDDING;
    n = related(model, 5, &r, out, ITEMS);
    CHECK(n == ITEMS - 1 && !holds(out, n, 5));
    CHECK(out[0].item + out[1].item == 10 && (out[0].item == 4 || out[0].item == 6));
    CHECK(out[0].reason == SHELF_REASON_SIMILAR && out[0].reason_item == 5);
    CHECK(out[1].reason == SHELF_REASON_SIMILAR && out[1].reason_item == 5);
    r.scorers = SHELF_SCORER_ALL;

    /* Filters: item 6 excluded; item 11, 10's best neighbour, out of stock (1 is
     * viewed after 10); prices; categories; the cap. */
    r.exclude_items = (const uint32_t[]){6};
    n = related(model, 5, &r, out, ITEMS);
    CHECK(n == ITEMS - 2 && !holds(out, n, 6) && out[0].item == 8);
    r.exclude_count = 0;
    r.flags = SHELF_IN_STOCK_ONLY;
    n = related(model, 10, &r, out, ITEMS);
    CHECK(n == ITEMS - 2 && !holds(out, n, 11) && !holds(out, n, 10) && out[0].item == 1);
    r.flags = 0;
    r.min_price = 25;
    r.max_price = 60;
    n = related(model, 5, &r, out, ITEMS);
    CHECK(n == 3 && out[0].item == 6 && holds(out, n, 3) && holds(out, n, 4));
    r.min_price = -INFINITY;
    r.max_price = INFINITY;
    const uint32_t hats = 2;
    r.allow_categories = &hats;
    r.allow_count = 1;
    n = related(model, 5, &r, out, ITEMS);
    CHECK(n == 3 && out[0].item == 8); /* 2, 8, 11: 5 is a hat too, but never itself */
    r.allow_count = 0;
    r.max_per_category = 1;
    n = related(model, 5, &r, out, ITEMS);
    CHECK(n == 3 && out[0].item == 6 && out[1].item == 8 && out[2].item == 7);
    r.max_per_category = 0;
    r.min_price = NAN;
    CHECK_STATUS(shelf_related(model, 5, &r, out, ITEMS, &count), SHELF_E_BAD_ARGUMENT);
    r.min_price = -INFINITY;

    /* A blend without popularity (as the demo model's): item 0's one neighbour, then
     * the rest most popular first, for related items and a session's alike (index
     * order would label items "popular" that are not). */
    const float rising[] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    const uint32_t start[] = {0, 1, 1, 1, 1, 1, 1}, items[] = {1};
    const float weights[] = {1.0f};
    uint8_t *bytes = NULL;
    shelf_model *plain = build_plain_model(6, rising, (shelf__neighbour_spec){start, items, weights},
                                           "{\"name\": \"ties\", \"scorers\": {\"popularity\": {\"weight\": 0},"
                                           " \"covisit\": {\"weight\": 1}}}", &bytes);
    if (plain) {
        n = related(plain, 0, &r, out, ITEMS);
        CHECK(n == 5 && out[0].item == 1 && out[0].reason == SHELF_REASON_VIEWED_TOGETHER);
        CHECK(out[1].item == 5 && out[2].item == 4 && out[3].item == 3 && out[4].item == 2);
        CHECK(out[4].reason == SHELF_REASON_POPULAR && out[4].reason_item == SHELF_NO_ITEM && out[4].score == 0);
        CHECK_STATUS(shelf_session_create(plain, &s), SHELF_OK);
        CHECK_STATUS(shelf_session_track(s, SHELF_EVENT_VIEW, 0, 1, 1), SHELF_OK);
        r.flags = SHELF_EXCLUDE_SEEN;
        n = recommend(s, &r, out, ITEMS);
        CHECK(n == 5 && out[0].item == 1 && out[0].reason == SHELF_REASON_VIEWED_TOGETHER);
        CHECK(out[1].item == 5 && out[2].item == 4 && out[3].item == 3 && out[4].item == 2);
        CHECK(out[4].reason == SHELF_REASON_POPULAR && out[4].score == 0);
        r.flags = 0;
        shelf_session_free(s);
    }
    shelf_model_close(plain);
    free(bytes);
}

/* Attributes changed in an open model: checked first (a refused update changes
 * nothing), then seen at once by every filter, the cap and the reads; copied on
 * write, so the file's bytes stay as they were; a model without a catalog starts
 * from no category, no price, in stock. */
static void test_live_attributes(void) {
    shelf_model *model = build_model("live");
    uint8_t *original = malloc(model_size);
    if (!model || !original) {
        CHECK(!"a model to update");
        shelf_model_close(model);
        free(original);
        return;
    }
    memcpy(original, model_bytes, model_size);
    uint32_t category, flags;
    float price;
    CHECK_STATUS(shelf_model_set_item_attributes(NULL, 0, 0, 1, 0), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_model_set_item_attributes(model, ITEMS, 0, 1, 0), SHELF_E_UNKNOWN_ITEM);
    CHECK_STATUS(shelf_model_set_item_attributes(model, 0, 3, 1, 0), SHELF_E_UNKNOWN_CATEGORY);
    CHECK_STATUS(shelf_model_set_item_attributes(model, 0, 0, -1, 0), SHELF_E_BAD_ARGUMENT);
    CHECK_STATUS(shelf_model_set_item_attributes(model, 0, 0, INFINITY, 0), SHELF_E_BAD_ARGUMENT);
    CHECK_STATUS(shelf_model_set_item_attributes(model, 0, 0, -INFINITY, 0), SHELF_E_BAD_ARGUMENT);
    CHECK_STATUS(shelf_model_set_item_attributes(model, 0, 0, 1, 2), SHELF_E_BAD_ARGUMENT);
    CHECK(model->owned_attributes == NULL); /* nothing copied for refused updates */
    CHECK_STATUS(shelf_model_item_attributes(model, 0, &category, &price, &flags), SHELF_OK);
    CHECK(category == 0 && price == 0 && flags == SHELF_ITEM_IN_STOCK);

    shelf_session *s;
    CHECK_STATUS(shelf_session_create(model, &s), SHELF_OK);
    shelf_request r;
    shelf_request_init(&r);
    r.k = ITEMS;
    shelf_result out[ITEMS];
    size_t n;

    /* Stock: the last item is out of stock in the file; it comes back, item 3 goes. */
    r.flags = SHELF_IN_STOCK_ONLY;
    CHECK(recommend(s, &r, out, ITEMS) == ITEMS - 1);
    CHECK_STATUS(shelf_model_set_item_attributes(model, ITEMS - 1, 2, 110, SHELF_ITEM_IN_STOCK), SHELF_OK);
    CHECK(model->owned_attributes != NULL);
    CHECK_STATUS(shelf_model_set_item_attributes(model, 3, 0, 30, 0), SHELF_OK);
    n = recommend(s, &r, out, ITEMS);
    CHECK(n == ITEMS - 1 && holds(out, n, ITEMS - 1) && !holds(out, n, 3));
    r.flags = 0;

    /* Price: 25..60 held items 3..6; 3 loses its price, 11 gets one inside. */
    r.min_price = 25;
    r.max_price = 60;
    CHECK_STATUS(shelf_model_set_item_attributes(model, 3, 0, NAN, 0), SHELF_OK);
    CHECK_STATUS(shelf_model_set_item_attributes(model, ITEMS - 1, 2, 25, SHELF_ITEM_IN_STOCK), SHELF_OK);
    n = recommend(s, &r, out, ITEMS);
    CHECK(n == 4 && !holds(out, n, 3) && holds(out, n, 4) && holds(out, n, 6) && holds(out, n, ITEMS - 1));
    r.min_price = -INFINITY;
    r.max_price = INFINITY;

    /* Categories: hats held 2, 5, 8, 11; item 0 becomes a hat, 2 loses its category. */
    uint32_t hats = 2;
    CHECK_STATUS(shelf_model_set_item_attributes(model, 0, hats, 0, SHELF_ITEM_IN_STOCK), SHELF_OK);
    CHECK_STATUS(shelf_model_set_item_attributes(model, 2, SHELF_NO_CATEGORY, 20, SHELF_ITEM_IN_STOCK), SHELF_OK);
    r.allow_categories = &hats;
    r.allow_count = 1;
    n = recommend(s, &r, out, ITEMS);
    CHECK(n == 4 && holds(out, n, 0) && !holds(out, n, 2) && holds(out, n, 5));
    r.allow_count = 0;
    r.deny_categories = &hats;
    r.deny_count = 1;
    n = recommend(s, &r, out, ITEMS);
    CHECK(n == 8 && !holds(out, n, 0) && holds(out, n, 2));
    r.deny_count = 0;

    /* The cap: every item a shoe but item 2 (no category, never capped). */
    for (uint32_t i = 0; i < ITEMS; i++)
        if (i != 2) CHECK_STATUS(shelf_model_set_item_attributes(model, i, 0, 1, SHELF_ITEM_IN_STOCK), SHELF_OK);
    r.max_per_category = 2;
    n = recommend(s, &r, out, ITEMS);
    CHECK(n == 3 && out[0].item == 0 && out[1].item == 1 && out[2].item == 2);
    r.max_per_category = 0;

    CHECK_STATUS(shelf_model_item_attributes(model, 2, &category, &price, &flags), SHELF_OK);
    CHECK(category == SHELF_NO_CATEGORY && price == 20 && flags == SHELF_ITEM_IN_STOCK);
    CHECK_STATUS(shelf_model_item_attributes(model, 3, &category, &price, &flags), SHELF_OK);
    CHECK(category == 0 && price == 1 && flags == SHELF_ITEM_IN_STOCK);
    /* The file is as it was: opened again, the model has the catalog's attributes. */
    CHECK(memcmp(original, model_bytes, model_size) == 0);
    shelf_model *again = NULL;
    CHECK_STATUS(shelf_model_open(model_bytes, model_size, &again), SHELF_OK);
    CHECK_STATUS(shelf_model_item_attributes(again, 3, &category, &price, &flags), SHELF_OK);
    CHECK(category == 0 && price == 30 && flags == SHELF_ITEM_IN_STOCK);
    shelf_model_close(again);
    shelf_session_free(s);
    shelf_model_close(model);
    free(original);

    /* Without a catalog: every item starts with no category, no price, in stock. */
    uint8_t *bytes = NULL;
    const float falling[] = {1.0f, 0.9f, 0.8f, 0.7f};
    model = build_plain_model(4, falling, (shelf__neighbour_spec){0},
                              "{\"name\": \"plain\", \"scorers\": {\"popularity\": {\"weight\": 1}}}", &bytes);
    if (model) {
        CHECK_STATUS(shelf_session_create(model, &s), SHELF_OK);
        CHECK_STATUS(shelf_model_set_item_attributes(model, 1, 0, 5, 0), SHELF_E_UNKNOWN_CATEGORY);
        CHECK_STATUS(shelf_model_set_item_attributes(model, 1, SHELF_NO_CATEGORY, NAN, 0), SHELF_OK);
        CHECK_STATUS(shelf_model_set_item_attributes(model, 2, SHELF_NO_CATEGORY, 5, SHELF_ITEM_IN_STOCK), SHELF_OK);
        CHECK_STATUS(shelf_model_item_attributes(model, 0, &category, &price, &flags), SHELF_OK);
        CHECK(category == SHELF_NO_CATEGORY && isnan(price) && flags == SHELF_ITEM_IN_STOCK);
        r.flags = SHELF_IN_STOCK_ONLY;
        n = recommend(s, &r, out, ITEMS);
        CHECK(n == 3 && out[0].item == 0 && out[1].item == 2 && out[2].item == 3);
        r.flags = 0;
        r.min_price = 1;
        n = recommend(s, &r, out, ITEMS);
        CHECK(n == 1 && out[0].item == 2);
        shelf_session_free(s);
    }
    shelf_model_close(model);
    free(bytes);
}

/* The cold-start shelf: an empty session gets the popular items by popularity (also
 * when the blend weighs it 0), at most ceil(k / 4) of one category unless the
 * request caps them itself, the next most popular where categories run out. */
static void test_cold_start(void) {
    shelf_model *model = build_model("cold");
    if (!model) return;
    /* Popularity falls with the index: 0-2 shoes, 3-5 shirts, 6-8 hats, 9 a shoe,
     * 10 a shirt, 11 without a category (never capped). */
    static const uint32_t categories[ITEMS] = {0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 1, SHELF_NO_CATEGORY};
    for (uint32_t i = 0; i < ITEMS; i++)
        CHECK_STATUS(shelf_model_set_item_attributes(model, i, categories[i], 1, SHELF_ITEM_IN_STOCK), SHELF_OK);
    shelf_session *s;
    CHECK_STATUS(shelf_session_create(model, &s), SHELF_OK);
    shelf_request r;
    shelf_request_init(&r);
    shelf_result out[ITEMS];
    static const struct { uint32_t k, count, items[ITEMS]; } cases[] = {
        {1, 1, {0}},
        {3, 3, {0, 3, 6}},                           /* the cap is 1 */
        {4, 4, {0, 3, 6, 11}},
        {5, 5, {0, 1, 3, 4, 6}},                     /* 2: ceil(5 / 4) */
        {7, 7, {0, 1, 3, 4, 6, 7, 11}},
        {8, 8, {0, 1, 2, 3, 4, 6, 7, 11}},           /* the next most popular fills the shelf */
        {ITEMS, ITEMS, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        r.k = cases[c].k;
        size_t n = recommend(s, &r, out, ITEMS);
        CHECK(n == cases[c].count);
        for (size_t i = 0; i < n && i < cases[c].count; i++) {
            CHECK(out[i].item == cases[c].items[i]);
            CHECK(out[i].reason == SHELF_REASON_POPULAR && out[i].reason_item == SHELF_NO_ITEM);
            if (i) CHECK(out[i - 1].score >= out[i].score);
        }
    }
    /* The request's own cap is a cap: no filling. */
    r.k = 8;
    r.max_per_category = 1;
    CHECK(recommend(s, &r, out, ITEMS) == 4); /* 0, 3, 6, 11 */
    r.max_per_category = 0;
    /* A session with something in it ranks as ever: no cold-start cap. */
    CHECK_STATUS(shelf_session_track(s, SHELF_EVENT_VIEW, 3, 1000, 1), SHELF_OK);
    r.k = 4;
    size_t n = recommend(s, &r, out, ITEMS);
    /* 3's neighbours 4 and 5 and itself, shirts all three, and 6 (a hat). */
    CHECK(n == 4 && out[0].item == 4 && out[1].item == 6 && out[2].item == 5 && out[3].item == 3);
    shelf_session_free(s);
    shelf_model_close(model);

    /* A blend that weighs popularity 0, no catalog: still the most popular first. */
    const float rising[] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    uint8_t *bytes = NULL;
    model = build_plain_model(6, rising, (shelf__neighbour_spec){0},
                              "{\"name\": \"cold\", \"scorers\": {\"popularity\": {\"weight\": 0},"
                              " \"repeat\": {\"weight\": 1}}}", &bytes);
    if (model) {
        CHECK_STATUS(shelf_session_create(model, &s), SHELF_OK);
        r.k = 6;
        n = recommend(s, &r, out, ITEMS);
        CHECK(n == 6);
        for (size_t i = 0; i < n; i++) CHECK(out[i].item == 5 - i && out[i].reason == SHELF_REASON_POPULAR && out[i].score > 0);
        /* Without popularity in the request nothing scores, and popularity still
         * orders the ties: the same items, at score 0. */
        r.scorers = SHELF_SCORER_COVISIT;
        n = recommend(s, &r, out, ITEMS);
        CHECK(n == 6);
        for (size_t i = 0; i < n; i++) CHECK(out[i].item == 5 - i && out[i].score == 0);
        shelf_session_free(s);
    }
    shelf_model_close(model);
    free(bytes);
}

/* The learned ranker re-orders the blend's best candidates, and only those: a
 * ranker scoring 1000 - (the blend's score) must reverse the best 5 and leave the
 * rest in the blend's order; with some scorers off, or SHELF_BLEND_ONLY, or an
 * empty session, the blend's order is what comes out. */
static void test_ranker(void) {
    shelf_model *model = build_model_with("ranked",
        "{\"features\": 18, \"hidden\": 1, \"candidates\": 5, \"input_bias\": [1000], \"output_weights\": [1],"
        " \"input_weights\": [[-1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]}");
    shelf_session *session = NULL;
    if (!model || shelf_session_create(model, &session) != SHELF_OK) {
        CHECK(0);
        shelf_model_close(model);
        return;
    }
    CHECK_STATUS(shelf_session_track(session, SHELF_EVENT_VIEW, 0, 1000, 1.0f), SHELF_OK);
    CHECK_STATUS(shelf_session_track(session, SHELF_EVENT_VIEW, 4, 2000, 1.0f), SHELF_OK);
    shelf_request request;
    shelf_request_init(&request);
    request.k = 10;
    request.flags = SHELF_BLEND_ONLY;
    shelf_result blend[10], ranked[10];
    size_t blend_count = 0, ranked_count = 0;
    CHECK_STATUS(shelf_recommend(session, &request, blend, 10, &blend_count), SHELF_OK);
    request.flags = 0;
    CHECK_STATUS(shelf_recommend(session, &request, ranked, 10, &ranked_count), SHELF_OK);
    CHECK(blend_count == 10 && ranked_count == 10);
    for (uint32_t i = 0; i < 5 && blend_count == 10 && ranked_count == 10; i++) CHECK(ranked[i].item == blend[4 - i].item);
    for (uint32_t i = 5; i < 10 && blend_count == 10 && ranked_count == 10; i++) CHECK(ranked[i].item == blend[i].item);
    /* Reordered, still scored best first. */
    for (uint32_t i = 1; i < ranked_count; i++) CHECK(ranked[i - 1].score >= ranked[i].score);

    request.scorers = SHELF_SCORER_ALL & ~SHELF_SCORER_EMBEDDING;
    CHECK_STATUS(shelf_recommend(session, &request, ranked, 10, &ranked_count), SHELF_OK);
    request.flags = SHELF_BLEND_ONLY;
    CHECK_STATUS(shelf_recommend(session, &request, blend, 10, &blend_count), SHELF_OK);
    CHECK(ranked_count == blend_count);
    for (uint32_t i = 0; i < ranked_count && i < blend_count; i++) CHECK(ranked[i].item == blend[i].item);

    shelf_session_clear(session);
    request.scorers = SHELF_SCORER_ALL;
    CHECK_STATUS(shelf_recommend(session, &request, blend, 10, &blend_count), SHELF_OK);
    request.flags = 0;
    CHECK_STATUS(shelf_recommend(session, &request, ranked, 10, &ranked_count), SHELF_OK);
    CHECK(ranked_count == blend_count);
    for (uint32_t i = 0; i < ranked_count && i < blend_count; i++) CHECK(ranked[i].item == blend[i].item);
    shelf_session_free(session);
    shelf_model_close(model);
}

int main(void) {
    test_wide_catalogs();
    test_version_and_statuses();
    test_null_arguments();
    shelf_model *model = build_model("api-test");
    uint8_t *first = model_bytes;
    model_bytes = NULL;
    shelf_model *other = build_model("another model");
    if (model && other) {
        test_lookups(model);
        test_tracking(model);
        test_ranking(model);
        test_state(model, other);
        test_related(model);
    }
    shelf_model_close(model);
    shelf_model_close(other);
    free(first);
    /* After the others: these build models of their own, freeing the last bytes. */
    test_live_attributes();
    test_cold_start();
    test_ranker();
    free(model_bytes);
    return check_finish("test_api");
}
