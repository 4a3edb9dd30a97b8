/* The trainer on the sessions real traffic produces besides shoppers': one very
 * long session (a bot or a scraper), one-item sessions, a one-item catalog. Each
 * table must stay within its limits and every model must open. */
#define _POSIX_C_SOURCE 200809L  /* setenv */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "shelf_train.h"
#include "train_internal.h"

/* One session of `length` events cycling over `distinct` items. */
typedef struct one_session {
    uint64_t start[2];
    uint32_t *items;
    shelf__item_sessions view;
} one_session;

static void one_session_make(one_session *s, uint32_t length, uint32_t distinct) {
    s->items = malloc(length * sizeof *s->items);
    for (uint32_t i = 0; i < length; i++) s->items[i] = i % distinct;
    s->start[0] = 0;
    s->start[1] = length;
    s->view.item_count = distinct;
    s->view.count = 1;
    s->view.start = s->start;
    s->view.items = s->items;
}

/* Every row lists each neighbour at most once, never the item itself, and holds
 * at most `limit` of them. */
static int table_is_sane(const shelf__table *t, uint32_t item_count, uint32_t limit) {
    for (uint32_t i = 0; i < item_count; i++) {
        uint32_t begin = t->row_start[i], end = t->row_start[i + 1];
        if (end < begin || end - begin > limit) return 0;
        for (uint32_t k = begin; k < end; k++) {
            if (t->items[k] >= item_count || t->items[k] == i) return 0;
            for (uint32_t m = begin; m < k; m++)
                if (t->items[m] == t->items[k]) return 0;
        }
    }
    return 1;
}

/* Far apart in a long session, the covisit distance weight underflows to exactly
 * 0: the row builder once took a zero weight for "not in the row yet", listed
 * such items again and wrote past the end of its arrays (1,494 positions over 10
 * items did it). */
static void test_one_long_session(void) {
    const uint32_t lengths[] = {1494, 5000};
    for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
        one_session s;
        one_session_make(&s, lengths[l], 10);
        shelf__covisit_options covisit = {{50, 0.0f}, 500, 2.0f, 200.0f, 1.0f};
        shelf__table t;
        CHECK_STATUS(shelf__train_covisit(&s.view, &covisit, &t), SHELF_OK);
        CHECK(table_is_sane(&t, 10, 9));
        shelf__table_free(&t);
        CHECK_STATUS(shelf__train_sequential(&s.view, (shelf__row_limits){50, 0.0f}, 10, &t), SHELF_OK);
        CHECK(table_is_sane(&t, 10, 9));
        shelf__table_free(&t);
        free(s.items);
    }
}

/* The same through the public API, from a sessions file, to a model that opens. */
static void train_file(const char *name, const char *text, uint32_t dims) {
    char path[1024];
    snprintf(path, sizeof path, "%s/train_%s.tsv", check_tmp_dir(), name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);

    shelf_dataset *data = NULL;
    shelf_diagnostic diag;
    CHECK_STATUS(shelf_dataset_create(&data), SHELF_OK);
    shelf_log_options log;
    shelf_log_options_init(&log, SHELF_LOG_SESSIONS);
    CHECK_STATUS(shelf_dataset_read_log(data, path, &log, NULL, &diag), SHELF_OK);
    shelf_train_options options;
    shelf_train_options_init(&options);
    options.dims = dims;
    options.epochs = 1;
    options.validation_fraction = 0;
    options.created = 1700000000;
    void *bytes = NULL;
    size_t size = 0;
    shelf_status status = shelf_train(data, &options, &bytes, &size, &diag);
    CHECK_STATUS(status, SHELF_OK);
    if (status != SHELF_OK) fprintf(stderr, "  %s: %s:%llu: %s\n", name, diag.file, (unsigned long long)diag.line, diag.message);
    shelf_model *model = NULL;
    if (status == SHELF_OK) CHECK_STATUS(shelf_model_open(bytes, size, &model), SHELF_OK);
    if (model) CHECK(shelf_model_item_count(model) == shelf_dataset_item_count(data));
    shelf_model_close(model);
    shelf_buffer_free(bytes);
    shelf_dataset_free(data);
}

static void test_edge_datasets(void) {
    char *line = malloc(8 * 5000);
    size_t used = 0;
    for (int i = 0; i < 5000; i++) used += (size_t)sprintf(line + used, "%s%d", i ? " " : "", i % 10 + 1);
    strcpy(line + used, "\n");
    train_file("long_session", line, 0);
    train_file("long_session_embeddings", line, 16);
    free(line);
    train_file("one_item", "7\n7 7\n", 0);
    train_file("one_item_embeddings", "7\n7 7\n", 16);
    train_file("single_events", "1\n2\n3\n", 0);
}

/* The creation time: the option when set, else SOURCE_DATE_EPOCH, else the clock;
 * the same rule for every writer (shelf_train, shelf_model_from_embeddings). */
static const char *created_of(int64_t created, char *json, size_t capacity) {
    shelf_dataset *data = NULL;
    shelf_diagnostic diag;
    shelf_dataset_create(&data);
    char path[1024];
    snprintf(path, sizeof path, "%s/train_created.tsv", check_tmp_dir());
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs("1 2 3\n2 3\n", f);
        fclose(f);
    }
    shelf_log_options log;
    shelf_log_options_init(&log, SHELF_LOG_SESSIONS);
    CHECK_STATUS(shelf_dataset_read_log(data, path, &log, NULL, &diag), SHELF_OK);
    shelf_train_options options;
    shelf_train_options_init(&options);
    options.dims = 0;
    options.validation_fraction = 0;
    options.created = created;
    void *bytes = NULL;
    size_t size = 0;
    shelf_model *model = NULL;
    json[0] = '\0';
    if (shelf_train(data, &options, &bytes, &size, &diag) == SHELF_OK &&
        shelf_model_open(bytes, size, &model) == SHELF_OK) {
        size_t length;
        const char *text = shelf_model_metadata(model, &length);
        const char *at = strstr(text, "\"created\": \"");
        if (at && (size_t)(at - text) + 36 < length) snprintf(json, capacity, "%.20s", at + 12);
    }
    shelf_model_close(model);
    shelf_buffer_free(bytes);
    shelf_dataset_free(data);
    return json;
}

static void test_creation_time(void) {
    char json[64];
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    CHECK(strcmp(created_of(0, json, sizeof json), "2023-11-14T22:13:20Z") == 0);
    CHECK(strcmp(created_of(86400, json, sizeof json), "1970-01-02T00:00:00Z") == 0);
    setenv("SOURCE_DATE_EPOCH", "17e8", 1); /* not a number of seconds: the clock */
    CHECK(strncmp(created_of(0, json, sizeof json), "20", 2) == 0 && strcmp(json, "2023-11-14T22:13:20Z") != 0);
    unsetenv("SOURCE_DATE_EPOCH");
}

/* ------------------------------------------------- sessions across retrains --- */

/* A model trained from the first `sessions` lines of the Diginetica training file,
 * leaving out every line that contains `without` (NULL: none). */
static uint8_t *retrained(uint32_t sessions, const char *without, uint64_t seed, uint32_t dims, size_t *size) {
    char source[1024], path[1024], line[65536];
    snprintf(source, sizeof source, "%s/diginetica/train_sessions.tsv", check_data_dir());
    snprintf(path, sizeof path, "%s/train_retrain.tsv", check_tmp_dir());
    FILE *in = fopen(source, "rb"), *out = fopen(path, "wb");
    CHECK(in && out);
    if (!in || !out) return NULL;
    for (uint32_t n = 0; n < sessions && fgets(line, sizeof line, in);) {
        char padded[65540];
        snprintf(padded, sizeof padded, " %.*s ", (int)strcspn(line, "\n"), line);
        char needle[64];
        if (without) snprintf(needle, sizeof needle, " %s ", without);
        if (without && strstr(padded, needle)) continue;
        fputs(line, out);
        n++;
    }
    fclose(in);
    fclose(out);
    shelf_dataset *data = NULL;
    shelf_diagnostic diag;
    shelf_dataset_create(&data);
    shelf_log_options log;
    shelf_log_options_init(&log, SHELF_LOG_SESSIONS);
    CHECK_STATUS(shelf_dataset_read_log(data, path, &log, NULL, &diag), SHELF_OK);
    shelf_train_options options;
    shelf_train_options_init(&options);
    options.seed = seed;
    options.dims = dims;
    options.epochs = 1;
    void *bytes = NULL;
    CHECK_STATUS(shelf_train(data, &options, &bytes, size, &diag), SHELF_OK);
    shelf_dataset_free(data);
    return bytes;
}

/* Saved under one model, a session restores under the next one: another seed, one
 * more session in the log, or a catalog that lost an item (whose events are
 * dropped and counted, the others kept with their times). */
static void test_sessions_survive_retrains(void) {
    size_t size_a, size_b, size_c, size_d;
    uint8_t *a = retrained(2000, NULL, 1, 16, &size_a), *b = retrained(2000, NULL, 2, 16, &size_b);
    uint8_t *c = retrained(2001, NULL, 1, 16, &size_c), *d = retrained(2000, "593", 1, 16, &size_d);
    shelf_model *ma = NULL, *mb = NULL, *mc = NULL, *md = NULL;
    if (a) CHECK_STATUS(shelf_model_open(a, size_a, &ma), SHELF_OK);
    if (b) CHECK_STATUS(shelf_model_open(b, size_b, &mb), SHELF_OK);
    if (c) CHECK_STATUS(shelf_model_open(c, size_c, &mc), SHELF_OK);
    if (d) CHECK_STATUS(shelf_model_open(d, size_d, &md), SHELF_OK);
    if (ma && mb && mc && md) {
        CHECK(size_a != size_b || memcmp(a, b, size_a) != 0);  /* the seeds made different models */
        /* A full session: 64 events over items of the first sessions, one of them 593. */
        static const char *const ids[] = {"19", "200", "5", "492", "593", "60"};
        shelf_session *s;
        CHECK_STATUS(shelf_session_create(ma, &s), SHELF_OK);
        uint32_t item, with_593 = 0;
        for (uint32_t i = 0; i < SHELF_SESSION_CAPACITY; i++) {
            const char *id = ids[i % 6];
            CHECK_STATUS(shelf_model_find_item(ma, id, strlen(id), &item), SHELF_OK);
            CHECK_STATUS(shelf_session_track(s, i % 5 == 4 ? SHELF_EVENT_ADD_TO_CART : SHELF_EVENT_VIEW, item,
                                             1700000000.0 + 37.0 * i, 1.0f), SHELF_OK);
            with_593 += i % 6 == 4;
        }
        uint8_t state[SHELF_SESSION_STATE_MAX];
        size_t size = 0;
        CHECK_STATUS(shelf_session_save(s, state, sizeof state, &size), SHELF_OK);
        CHECK(size < 1024);  /* a cookie */
        shelf_model *later[3] = {mb, mc, md};
        for (int k = 0; k < 3; k++) {
            shelf_session *t;
            CHECK_STATUS(shelf_session_create(later[k], &t), SHELF_OK);
            CHECK_STATUS(shelf_session_restore(t, state, size), SHELF_OK);
            uint32_t expected_dropped = k == 2 ? with_593 : 0;
            CHECK(shelf_session_dropped_events(t) == expected_dropped);
            CHECK(shelf_session_event_count(t) == SHELF_SESSION_CAPACITY - expected_dropped);
            /* Saving again under the new model and restoring under the first gives
             * the same events (except those the new one lacked). */
            uint8_t again[SHELF_SESSION_STATE_MAX];
            size_t again_size = 0;
            CHECK_STATUS(shelf_session_save(t, again, sizeof again, &again_size), SHELF_OK);
            shelf_session *back;
            CHECK_STATUS(shelf_session_create(ma, &back), SHELF_OK);
            CHECK_STATUS(shelf_session_restore(back, again, again_size), SHELF_OK);
            CHECK(shelf_session_event_count(back) == SHELF_SESSION_CAPACITY - expected_dropped);
            if (k < 2) {
                uint8_t original[SHELF_SESSION_STATE_MAX];
                size_t original_size = 0;
                CHECK_STATUS(shelf_session_save(back, original, sizeof original, &original_size), SHELF_OK);
                CHECK(original_size == size && memcmp(original, state, size) == 0);
            }
            shelf_session_free(back);
            shelf_session_free(t);
        }
        shelf_session_free(s);
    }
    shelf_model_close(ma);
    shelf_model_close(mb);
    shelf_model_close(mc);
    shelf_model_close(md);
    shelf_buffer_free(a);
    shelf_buffer_free(b);
    shelf_buffer_free(c);
    shelf_buffer_free(d);
}

int main(void) {
    test_sessions_survive_retrains();
    test_creation_time();
    test_one_long_session();
    test_edge_datasets();
    return check_finish("test_train");
}
