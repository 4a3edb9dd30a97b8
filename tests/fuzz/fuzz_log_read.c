/* libFuzzer target: the log readers and the catalog reader on arbitrary text, then
 * training on whatever was read; and embeddings from a .npy file with its ids. The
 * first byte picks the reader (the eight log formats, the generic one with a column
 * layout from the second byte, the catalog, or .npy + ids: the ids up to the first
 * 0x01 byte, the .npy after it), the second whether bad lines are skipped (and, for
 * .npy, whether to quantize); the rest is the file.
 *
 * A read succeeds or fails with a documented status and leaves the dataset as it
 * was; what it reads is well formed (sessions in time order, every event naming an
 * item that exists); a training on it succeeds, or fails with a status, and what it
 * writes opens. Work is bounded by the input: libFuzzer's -timeout makes a hang a
 * failure (tools/fuzz.sh).
 *
 * Without libFuzzer, -DSHELF_FUZZ_STANDALONE adds a main() that replays files. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset_internal.h"
#include "shelf.h"
#include "shelf_train.h"
#include "fuzz_common.h"

static char path[256], ids_path[256];

/* A model made, or a status and no model; what is made opens. */
static void made(shelf_status status, void *model, size_t size) {
    REQUIRE((status == SHELF_OK) == (model != NULL));
    if (status != SHELF_OK) return;
    shelf_model *m = NULL;
    REQUIRE(shelf_model_open(model, size, &m) == SHELF_OK);
    shelf_model_close(m);
    shelf_buffer_free(model);
}

/* .npy + ids: a model made, or a status; what is made opens. */
static void embeddings(const uint8_t *data, size_t size, int quantize) {
    const uint8_t *split = memchr(data, 0x01, size);
    size_t ids_size = split ? (size_t)(split - data) : size;
    FILE *f = fopen(ids_path, "wb");
    if (!f) return;
    fwrite(data, 1, ids_size, f);
    fclose(f);
    f = fopen(path, "wb");
    if (!f) return;
    if (split) fwrite(split + 1, 1, size - ids_size - 1, f);
    fclose(f);
    void *model = NULL;
    size_t model_size = 0;
    shelf_diagnostic diag;
    made(shelf_model_from_embeddings(path, ids_path, "fuzz", quantize, &model, &model_size, &diag), model, model_size);
}

static void check_dataset(const shelf_dataset *d) {
    REQUIRE(d->session_start[0] == 0 && d->session_start[d->session_count] == d->event_count);
    for (uint64_t s = 0; s < d->session_count; s++) {
        REQUIRE(d->session_start[s] < d->session_start[s + 1]);
        for (uint64_t e = d->session_start[s]; e < d->session_start[s + 1]; e++) {
            REQUIRE(d->events[e].item < shelf__dataset_items(d));
            REQUIRE(d->events[e].type < SHELF_EVENT_TYPE_COUNT);
            if (e > d->session_start[s]) REQUIRE(d->events[e].time >= d->events[e - 1].time);
        }
    }
}

static void train(const shelf_dataset *d) {
    shelf_train_options o;
    shelf_train_options_init(&o);
    o.dims = 0;
    o.created = 1;
    void *model = NULL;
    size_t size = 0;
    shelf_diagnostic diag;
    made(shelf_train(d, &o, &model, &size, &diag), model, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    if (!path[0]) {
        const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        snprintf(path, sizeof path, "%s/shelf-fuzz-log-%ld.txt", dir, (long)getpid());
        snprintf(ids_path, sizeof ids_path, "%s/shelf-fuzz-ids-%ld.txt", dir, (long)getpid());
    }
    if (data[0] % (SHELF_LOG_SEGMENT + 3) == SHELF_LOG_SEGMENT + 2) {
        embeddings(data + 2, size - 2, data[1] & 1);
        return 0;
    }
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data + 2, 1, size - 2, f);
    fclose(f);

    shelf_dataset *d = NULL;
    if (shelf_dataset_create(&d) != SHELF_OK) return 0;
    const uint32_t reader = data[0] % (SHELF_LOG_SEGMENT + 3);
    shelf_diagnostic diag;
    shelf_status status;
    if (reader == SHELF_LOG_SEGMENT + 1) {
        status = shelf_dataset_read_catalog(d, path, &diag);
    } else {
        shelf_log_options o;
        shelf_log_options_init(&o, (shelf_log_format)reader);
        o.skip_bad_lines = data[1] & 1;
        if (reader == SHELF_LOG_GENERIC) {
            /* A layout of three or four columns from the second byte. */
            o.delimiter = "\t,;|"[(data[1] >> 1) & 3];
            o.has_header = (data[1] >> 3) & 1;
            o.session_column = (data[1] >> 4) & 1 ? -1 : 0;
            o.user_column = o.session_column < 0 ? 0 : -1;
            o.item_column = 1;
            o.type_column = (data[1] >> 5) & 1 ? 2 : -1;
            o.time_column = (data[1] >> 6) & 1 ? 3 : -1;
            o.time_is_iso8601 = data[1] >> 7;
        }
        uint64_t bad = 0;
        status = shelf_dataset_read_log(d, path, &o, &bad, &diag);
    }
    REQUIRE(status == SHELF_OK || status == SHELF_E_PARSE || status == SHELF_E_BAD_ARGUMENT ||
            status == SHELF_E_IO || status == SHELF_E_OUT_OF_MEMORY);
    if (status != SHELF_OK) REQUIRE(d->session_count == 0 && d->event_count == 0 && shelf__dataset_items(d) == 0);
    check_dataset(d);
    if (status == SHELF_OK && d->session_count > 0) train(d);
    shelf_dataset_free(d);
    return 0;
}
