/* Models from other models and from other tools (the train layer's quantize.c):
 * shelf_quantize_model on float, int8 and mixed models, and
 * shelf_model_from_embeddings on good and bad .npy and ids files. */
#define _POSIX_C_SOURCE 200809L  /* setenv */

#include "check.h"
#include "model_fixture.h"
#include "shelf_train.h"

static void test_quantize_model(void) {
    shelf__model_spec spec = fixture_spec(0);
    size_t f32_size, q8_size;
    uint8_t *f32 = write_spec(&spec, &f32_size);
    spec.quantize = 1;
    uint8_t *q8 = write_spec(&spec, &q8_size);
    if (!f32 || !q8) return;
    void *out = NULL;
    size_t out_size = 0;
    shelf_diagnostic diag;
    memset(&diag, 0, sizeof diag);
    /* Quantizing a float model gives what the writer gives with quantize = 1. */
    CHECK_STATUS(shelf_quantize_model(f32, f32_size, &out, &out_size, &diag), SHELF_OK);
    CHECK(out && out_size == q8_size && memcmp(out, q8, q8_size) == 0);
    shelf_buffer_free(out);
    /* An int8 model comes back as a copy. */
    out = NULL;
    CHECK_STATUS(shelf_quantize_model(q8, q8_size, &out, &out_size, &diag), SHELF_OK);
    CHECK(out && out != (void *)q8 && out_size == q8_size && memcmp(out, q8, q8_size) == 0);
    shelf_buffer_free(out);
    /* Not a model. */
    out = NULL;
    CHECK_STATUS(shelf_quantize_model("nonsense", 8, &out, &out_size, &diag), SHELF_E_BAD_MAGIC);
    CHECK(out == NULL);
    CHECK(strcmp(diag.file, "<model>") == 0 && diag.line == 0 && diag.message[0] != '\0');
    CHECK_STATUS(shelf_quantize_model(f32, f32_size - 1, &out, &out_size, NULL), SHELF_E_TRUNCATED);
    CHECK_STATUS(shelf_quantize_model(NULL, 0, &out, &out_size, &diag), SHELF_E_NULL_ARGUMENT);

    /* A mixed model (int8 covisit, float32 others), as another writer might make
     * one: the int8 table is dequantized and quantized again, within a step. */
    part parts[SHELF__MAX_SECTIONS], q8_parts[SHELF__MAX_SECTIONS];
    uint32_t n = disassemble(f32, parts);
    uint32_t q8_n = disassemble(q8, q8_parts);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < q8_n; k++)
            if (parts[i].type == SHELF__SECTION_COVISIT && q8_parts[k].type == SHELF__SECTION_COVISIT) parts[i] = q8_parts[k];
    size_t mixed_size;
    uint8_t *mixed = assemble(parts, n, &mixed_size);
    CHECK_STATUS(open_status(mixed, mixed_size), SHELF_OK);
    out = NULL;
    CHECK_STATUS(shelf_quantize_model(mixed, mixed_size, &out, &out_size, &diag), SHELF_OK);
    shelf_model *a = NULL, *b = NULL;
    if (out) CHECK_STATUS(shelf_model_open(out, out_size, &a), SHELF_OK);
    CHECK_STATUS(shelf_model_open(q8, q8_size, &b), SHELF_OK);
    if (a && b) {
        CHECK(a->covisit.encoding == SHELF__ENCODING_EF4 && a->sequential.encoding == SHELF__ENCODING_EF4 &&
              a->embeddings.encoding == SHELF__ENCODING_Q8);
        CHECK(memcmp(a->embeddings.rows_q8, b->embeddings.rows_q8, N_ITEMS * N_DIMS) == 0);
        /* Decoding an EF4 row and encoding it again gives the same row, within a step. */
        uint32_t items_a[SHELF__MAX_NEIGHBOURS], items_b[SHELF__MAX_NEIGHBOURS];
        float weights_a[SHELF__MAX_NEIGHBOURS], weights_b[SHELF__MAX_NEIGHBOURS];
        for (uint32_t r = 0; r < N_ITEMS; r++) {
            uint32_t na = shelf__neighbours_row(&a->covisit, r, items_a, weights_a);
            uint32_t nb = shelf__neighbours_row(&b->covisit, r, items_b, weights_b);
            CHECK(na == nb && memcmp(items_a, items_b, na * sizeof items_a[0]) == 0);
            float step = shelf__bf16_to_f32(b->covisit.scales[r]);
            for (uint32_t e = 0; e < na && e < nb; e++) CHECK(fabsf(weights_a[e] - weights_b[e]) <= step * 1.01f);
        }
    }
    shelf_model_close(a);
    shelf_model_close(b);
    shelf_buffer_free(out);
    free(mixed);
    free(q8);
    free(f32);
}

/* ------------------------------------------------------------------- .npy --- */

static void write_npy_dict(const char *path, int version, const char *dict, const float *values, size_t count,
                           size_t drop_bytes) {
    size_t dict_size = strlen(dict);
    size_t prefix = version == 1 ? 10 : 12;
    size_t header = ((prefix + dict_size + 1 + 63) / 64) * 64 - prefix;
    size_t size = prefix + header + count * 4;
    uint8_t *file = malloc(size);
    memcpy(file, "\x93NUMPY", 6);
    file[6] = (uint8_t)version;
    file[7] = 0;
    if (version == 1) {
        file[8] = (uint8_t)header;
        file[9] = (uint8_t)(header >> 8);
    } else {
        shelf__store_u32(file + 8, (uint32_t)header);
    }
    memset(file + prefix, ' ', header);
    memcpy(file + prefix, dict, dict_size);
    file[prefix + header - 1] = '\n';
    for (size_t i = 0; i < count; i++) shelf__store_f32(file + prefix + header + 4 * i, values[i]);
    write_bytes(path, file, size - drop_bytes);
    free(file);
}

static void write_npy(const char *path, int version, const char *descr, const char *order, const char *shape,
                      const float *values, size_t count, size_t drop_bytes) {
    char dict[256];
    snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, order, shape);
    write_npy_dict(path, version, dict, values, count, drop_bytes);
}

static void test_npy(void) {
    char npy[512], ids[512], bad[512];
    path_in_tmp(npy, sizeof npy, "emb.npy");
    path_in_tmp(ids, sizeof ids, "ids.txt");
    path_in_tmp(bad, sizeof bad, "bad.npy");
    enum { ROWS = 3, COLS = 20 };
    float values[ROWS * COLS];
    for (int i = 0; i < ROWS * COLS; i++) values[i] = (float)(i % 7) - 3.0f + (float)i / 64.0f;
    write_npy(npy, 1, "<f4", "False", "(3, 20)", values, ROWS * COLS, 0);
    write_bytes(ids, "alpha\nbeta\r\ngamma\n", 18);
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);

    const char *name = "emb \"quoted\" \\ name\n";
    void *f32 = NULL, *q8 = NULL;
    size_t f32_size = 0, q8_size = 0;
    shelf_diagnostic diag;
    memset(&diag, 0, sizeof diag);
    CHECK_STATUS(shelf_model_from_embeddings(npy, ids, name, 0, &f32, &f32_size, &diag), SHELF_OK);
    CHECK_STATUS(shelf_model_from_embeddings(npy, ids, name, 1, &q8, &q8_size, &diag), SHELF_OK);
    shelf_model *m = NULL;
    if (f32) CHECK_STATUS(shelf_model_open(f32, f32_size, &m), SHELF_OK);
    if (m) {
        CHECK(shelf_model_item_count(m) == ROWS);
        CHECK(shelf_model_dims(m) == 32);
        CHECK(strcmp(shelf_model_name(m), name) == 0);
        static const char *const want[ROWS] = {"alpha", "beta", "gamma"};
        for (uint32_t i = 0; i < ROWS; i++) {
            CHECK(strcmp(shelf_model_item_id(m, i, NULL), want[i]) == 0);
            CHECK(m->popularity[i] == 0.0f);
            for (uint32_t j = 0; j < 32; j++)
                CHECK(m->embeddings.rows_f32[i * 32 + j] == (j < COLS ? values[i * COLS + j] : 0.0f));
        }
        CHECK(m->blend.scorers[SHELF__SCORER_EMBEDDING].weight == 1.0f);
        CHECK(m->blend.scorers[SHELF__SCORER_EMBEDDING].position_decay == 4.0f);
        CHECK(m->blend.scorers[SHELF__SCORER_POPULARITY].weight == 0.0f);
        size_t meta_size;
        const char *meta = shelf_model_metadata(m, &meta_size);
        char text[1024];
        snprintf(text, sizeof text, "%.*s", (int)meta_size, meta);
        CHECK(strstr(text, "\"created\": \"2023-11-14T22:13:20Z\"") != NULL);
        CHECK(strstr(text, "\"items\": 3, \"dims\": 32") != NULL);
        CHECK(strstr(text, "\"trainer\": {\"source\": \"npy\"}") != NULL);
    }
    shelf_model_close(m);
    /* Quantized directly or afterwards: the same bytes. */
    void *requantized = NULL;
    size_t requantized_size = 0;
    if (f32) CHECK_STATUS(shelf_quantize_model(f32, f32_size, &requantized, &requantized_size, &diag), SHELF_OK);
    CHECK(requantized && q8 && requantized_size == q8_size && memcmp(requantized, q8, q8_size) == 0);
    m = NULL;
    if (q8) CHECK_STATUS(shelf_model_open(q8, q8_size, &m), SHELF_OK);
    if (m) CHECK(m->embeddings.encoding == SHELF__ENCODING_Q8 && m->embeddings.rows_q8[20] == 0);
    shelf_model_close(m);
    shelf_buffer_free(requantized);
    shelf_buffer_free(q8);
    shelf_buffer_free(f32);

    /* Version 2.0 headers are read too; d = 16 needs no padding. */
    write_npy(bad, 2, "<f4", "False", "(3, 16)", values, 48, 0);
    void *out = NULL;
    size_t out_size = 0;
    CHECK_STATUS(shelf_model_from_embeddings(bad, ids, NULL, 0, &out, &out_size, &diag), SHELF_OK);
    m = NULL;
    if (out) CHECK_STATUS(shelf_model_open(out, out_size, &m), SHELF_OK);
    if (m) CHECK(shelf_model_dims(m) == 16 && strcmp(shelf_model_name(m), "shelf") == 0);
    shelf_model_close(m);
    shelf_buffer_free(out);

    /* Bad .npy files: each fails with PARSE and a diagnostic naming the file. */
    static const struct {
        int version;
        const char *descr, *order, *shape;
        size_t count, drop;
        const char *message;
    } cases[] = {
        {1, "<f8", "False", "(3, 20)", 60, 0, "dtype"},
        {1, ">f4", "False", "(3, 20)", 60, 0, "dtype"},
        {1, "<f4", "True", "(3, 20)", 60, 0, "fortran"},
        {1, "<f4", "False", "(60,)", 60, 0, "dimensions"},
        {1, "<f4", "False", "(3, 4, 5)", 60, 0, "dimensions"},
        {1, "<f4", "False", "(3, 20)", 60, 4, "truncated"},
        {1, "<f4", "False", "(3, 20)", 60, 61, "truncated"},
        {1, "<f4", "False", "(3, 19)", 60, 0, "trailing"},
        {1, "<f4", "False", "(0, 20)", 0, 0, "rows"},
        {1, "<f4", "False", "(1, 1025)", 1025, 0, "columns"},
        {1, "<f4", "False", "(3, 99999999999999999999999)", 60, 0, "dict"},
        {3, "<f4", "False", "(3, 20)", 60, 0, "version"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        float big[1025] = {0};
        memcpy(big, values, sizeof values);
        write_npy(bad, cases[k].version, cases[k].descr, cases[k].order, cases[k].shape, big, cases[k].count,
                  cases[k].drop);
        memset(&diag, 0, sizeof diag);
        out = NULL;
        shelf_status status = shelf_model_from_embeddings(bad, ids, "x", 0, &out, &out_size, &diag);
        check_count++;
        if (status != SHELF_E_PARSE || out != NULL || strcmp(diag.file, bad) != 0 ||
            strstr(diag.message, cases[k].message) == NULL) {
            check_failures++;
            fprintf(stderr, "npy case %zu: %s, %s: %s\n", k, shelf_status_name(status), diag.file, diag.message);
        }
    }
    static const struct {
        const char *dict, *message;
    } dicts[] = {
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (3, 20), 'extra': 1}", "unexpected key"},
        {"{'descr': '<f4', 'shape': (3, 20)}", "lacks"},
        {"{\"shape\": (3, 20), \"fortran_order\": False, \"descr\": \"<f4\"}", NULL},  /* any key order */
        {"{'descr': '<f4' 'fortran_order': False, 'shape': (3, 20)}", "dict"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (3, 20)", "dict"},
        {"{'descr': '<f\\4', 'fortran_order': False, 'shape': (3, 20)}", "dict"},
    };
    for (size_t k = 0; k < sizeof dicts / sizeof dicts[0]; k++) {
        write_npy_dict(bad, 1, dicts[k].dict, values, 60, 0);
        memset(&diag, 0, sizeof diag);
        out = NULL;
        shelf_status status = shelf_model_from_embeddings(bad, ids, "x", 0, &out, &out_size, &diag);
        check_count++;
        if (dicts[k].message ? status != SHELF_E_PARSE || strstr(diag.message, dicts[k].message) == NULL
                             : status != SHELF_OK) {
            check_failures++;
            fprintf(stderr, "npy dict %zu: %s: %s\n", k, shelf_status_name(status), diag.message);
        }
        shelf_buffer_free(out);
    }
    /* A header longer than the file. */
    {
        uint8_t head[16] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0xF0, 0x00, '{', '}'};
        write_bytes(bad, head, sizeof head);
        CHECK_STATUS(shelf_model_from_embeddings(bad, ids, "x", 0, &out, &out_size, &diag), SHELF_E_PARSE);
        CHECK(strstr(diag.message, "truncated .npy header") != NULL);
        head[6] = 2;  /* version 2.0 wants a 4-byte length: 11 bytes cannot hold it */
        write_bytes(bad, head, 11);
        CHECK_STATUS(shelf_model_from_embeddings(bad, ids, "x", 0, &out, &out_size, &diag), SHELF_E_PARSE);
        CHECK(strstr(diag.message, "truncated .npy header") != NULL);
    }
    write_bytes(bad, "\x93NUMPY", 6);
    CHECK_STATUS(shelf_model_from_embeddings(bad, ids, "x", 0, &out, &out_size, &diag), SHELF_E_PARSE);
    write_bytes(bad, "PK\x03\x04 not numpy at all", 22);
    CHECK_STATUS(shelf_model_from_embeddings(bad, ids, "x", 0, &out, &out_size, &diag), SHELF_E_PARSE);
    CHECK(strstr(diag.message, "magic") != NULL);
    values[7] = NAN;
    write_npy(bad, 1, "<f4", "False", "(3, 20)", values, 60, 0);
    CHECK_STATUS(shelf_model_from_embeddings(bad, ids, "x", 0, &out, &out_size, &diag), SHELF_E_PARSE);
    CHECK(strstr(diag.message, "row 0, column 7") != NULL);

    /* Bad ids files. */
    static const struct {
        const char *text;
        uint64_t line;
        const char *message;
    } id_cases[] = {
        {"alpha\nbeta\nalpha\n", 3, "duplicate id 'alpha' (first on line 1)"},
        {"alpha\nbeta\n", 0, "2 ids for the 3 rows"},
        {"alpha\nbeta\ngamma\ndelta\n", 4, "more ids"},
        {"alpha\n\nbeta\ngamma\n", 2, "empty id"},
        {"alpha\nbeta\r\n\r\ngamma\n", 3, "empty id"},
    };
    for (size_t k = 0; k < sizeof id_cases / sizeof id_cases[0]; k++) {
        write_bytes(bad, id_cases[k].text, strlen(id_cases[k].text));
        memset(&diag, 0, sizeof diag);
        out = NULL;
        shelf_status status = shelf_model_from_embeddings(npy, bad, "x", 0, &out, &out_size, &diag);
        check_count++;
        if (status != SHELF_E_PARSE || out != NULL || strcmp(diag.file, bad) != 0 || diag.line != id_cases[k].line ||
            strstr(diag.message, id_cases[k].message) == NULL) {
            check_failures++;
            fprintf(stderr, "ids case %zu: %s, %s:%llu: %s\n", k, shelf_status_name(status), diag.file,
                    (unsigned long long)diag.line, diag.message);
        }
    }
    /* Blank lines at the very end are an editor's habit, not ids. */
    write_bytes(bad, "alpha\nbeta\ngamma\n\n\r\n", 20);
    out = NULL;
    CHECK_STATUS(shelf_model_from_embeddings(npy, bad, "x", 0, &out, &out_size, &diag), SHELF_OK);
    shelf_buffer_free(out);
    char missing[512];
    path_in_tmp(missing, sizeof missing, "does-not-exist.npy");
    CHECK_STATUS(shelf_model_from_embeddings(missing, ids, "x", 0, &out, &out_size, &diag), SHELF_E_IO);
    CHECK(strcmp(diag.file, missing) == 0);
    CHECK_STATUS(shelf_model_from_embeddings(npy, missing, "x", 0, &out, &out_size, &diag), SHELF_E_IO);
    CHECK_STATUS(shelf_model_from_embeddings(npy, ids, "\xff", 0, &out, &out_size, &diag), SHELF_E_BAD_ARGUMENT);
    CHECK_STATUS(shelf_model_from_embeddings(NULL, ids, "x", 0, &out, &out_size, &diag), SHELF_E_NULL_ARGUMENT);
    remove(npy);
    remove(ids);
    remove(bad);
}

int main(void) {
    fixture_init();
    test_quantize_model();
    test_npy();
    return check_finish("test_quantize");
}
