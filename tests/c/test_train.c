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

int main(void) {
    test_creation_time();
    test_one_long_session();
    test_edge_datasets();
    return check_finish("test_train");
}
