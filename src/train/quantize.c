/* Models from other models and from other tools: shelf_quantize_model rewrites a
 * float model with int8 parameters; shelf_model_from_embeddings turns a NumPy .npy
 * matrix and a list of ids into an embeddings-only model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnostic.h"
#include "model_internal.h"
#include "model_metadata.h"
#include "model_writer.h"
#include "npy_read.h"
#include "shelf_common.h"
#include "shelf_train.h"

/* ------------------------------------------------------------ quantization --- */

/* A neighbour table as the writer's CSR arrays (owned by *csr), whatever its
 * encoding: an EF4 table of a mixed model from another writer is decoded. */
typedef struct csr {
    uint32_t *row_start, *items;
    float *weights;
} csr;

static void csr_free(csr *c) {
    free(c->row_start);
    free(c->items);
    free(c->weights);
}

static shelf_status neighbour_csr(const shelf__neighbours *t, uint32_t rows, csr *out, shelf__neighbour_spec *spec) {
    memset(out, 0, sizeof *out);
    out->row_start = malloc(((size_t)rows + 1) * sizeof *out->row_start);
    out->items = malloc(((size_t)t->nnz + 1) * sizeof *out->items);
    out->weights = malloc(((size_t)t->nnz + 1) * sizeof *out->weights);
    if (!out->row_start || !out->items || !out->weights) return SHELF_E_OUT_OF_MEMORY;
    uint32_t at = 0;
    for (uint32_t r = 0; r < rows; r++) {
        out->row_start[r] = at;
        at += shelf__neighbours_row(t, r, out->items + at, out->weights + at);
    }
    out->row_start[rows] = at;
    *spec = (shelf__neighbour_spec){out->row_start, out->items, out->weights};
    return SHELF_OK;
}

static shelf_status embedding_values(const shelf__embeddings *e, uint32_t rows, const float **values,
                                     float **owned) {
    *owned = NULL;
    if (e->encoding == SHELF__ENCODING_F32) {
        *values = e->rows_f32;
        return SHELF_OK;
    }
    size_t total = (size_t)rows * e->dims;
    float *v = malloc(total * sizeof *v);
    if (!v) return SHELF_E_OUT_OF_MEMORY;
    for (size_t i = 0; i < total; i++) v[i] = e->rows_q8[i] * e->row_scales[i / e->dims];
    *values = *owned = v;
    return SHELF_OK;
}

static int has_float_parameters(const shelf_model *m) {
    return m->popularity_owned == NULL ||  /* F32 popularity is a view; Q16 is decoded */
           (m->covisit.present && m->covisit.encoding == SHELF__ENCODING_F32) ||
           (m->sequential.present && m->sequential.encoding == SHELF__ENCODING_F32) ||
           (m->embeddings.present && m->embeddings.encoding == SHELF__ENCODING_F32);
}

shelf_status shelf_quantize_model(const void *model, size_t size, void **out, size_t *out_size,
                                  shelf_diagnostic *diagnostic) {
    static const char file[] = "<model>";
    if (!model || !out || !out_size)
        return shelf__fail(diagnostic, SHELF_E_NULL_ARGUMENT, file, 0, "a required pointer was NULL");
    shelf_model *m;
    shelf_status status = shelf_model_open(model, size, &m);
    if (status != SHELF_OK)
        return shelf__fail(diagnostic, status, file, 0, "cannot open the model: %s", shelf_status_message(status));

    if (!has_float_parameters(m)) {
        /* Nothing to quantize: the same bytes, in a buffer the caller owns. */
        shelf_model_close(m);
        void *copy = malloc(size ? size : 1);
        if (!copy) return shelf__fail(diagnostic, SHELF_E_OUT_OF_MEMORY, file, 0, "out of memory");
        memcpy(copy, model, size);
        *out = copy;
        *out_size = size;
        return SHELF_OK;
    }

    const uint32_t count = m->item_count;
    const char **ids = malloc((size_t)count * sizeof *ids);
    const char **categories = malloc(((size_t)m->categories.count + 1) * sizeof *categories);
    float *embeddings = NULL;
    csr covisit = {0}, sequential = {0};
    shelf__model_spec spec;
    memset(&spec, 0, sizeof spec);
    status = ids && categories ? SHELF_OK : SHELF_E_OUT_OF_MEMORY;
    if (status == SHELF_OK) {
        /* The model's strings are NUL-terminated in place: point at them. */
        for (uint32_t i = 0; i < count; i++) ids[i] = shelf_model_item_id(m, i, NULL);
        for (uint32_t c = 0; c < m->categories.count; c++) categories[c] = shelf_model_category_name(m, c, NULL);
        spec.metadata_json = NULL;  /* set below, from a NUL-terminated copy */
        spec.item_count = count;
        spec.item_ids = ids;
        if (m->item_category) {
            spec.category_count = m->categories.count;
            spec.category_names = categories;
            spec.item_category = m->item_category;
            spec.item_price = m->item_price;
            spec.item_flags = m->item_flags;
        }
        spec.popularity = m->popularity;
        spec.quantize = 1;
    }
    if (status == SHELF_OK && m->covisit.present) status = neighbour_csr(&m->covisit, count, &covisit, &spec.covisit);
    if (status == SHELF_OK && m->sequential.present)
        status = neighbour_csr(&m->sequential, count, &sequential, &spec.sequential);
    if (status == SHELF_OK && m->embeddings.present) {
        status = embedding_values(&m->embeddings, count, &spec.embeddings, &embeddings);
        spec.dims = m->embeddings.dims;
    }
    /* The metadata is stored without a terminator; the spec wants a C string. */
    char *metadata = status == SHELF_OK ? malloc(m->metadata_size + 1) : NULL;
    if (status == SHELF_OK && !metadata) status = SHELF_E_OUT_OF_MEMORY;
    uint8_t *written = NULL;
    size_t written_size = 0;
    if (status == SHELF_OK) {
        memcpy(metadata, m->metadata, m->metadata_size);
        metadata[m->metadata_size] = '\0';
        spec.metadata_json = metadata;
        status = shelf__model_write(&spec, &written, &written_size);
    }
    free(metadata);
    free(embeddings);
    csr_free(&sequential);
    csr_free(&covisit);
    free(categories);
    free(ids);
    shelf_model_close(m);
    if (status != SHELF_OK)
        return shelf__fail(diagnostic, status, file, 0, "cannot write the quantized model: %s", shelf_status_message(status));
    *out = written;
    *out_size = written_size;
    return SHELF_OK;
}

shelf_status shelf_model_from_embeddings(const char *npy_path, const char *ids_path, const char *name,
                                         int quantize, void **out, size_t *out_size,
                                         shelf_diagnostic *diagnostic) {
    if (!npy_path || !ids_path || !out || !out_size)
        return shelf__fail(diagnostic, SHELF_E_NULL_ARGUMENT, "", 0, "a required pointer was NULL");
    if (!name) name = "shelf";
    if (!shelf__utf8_valid((const uint8_t *)name, strlen(name)))
        return shelf__fail(diagnostic, SHELF_E_BAD_ARGUMENT, "<name>", 0, "the model name is not valid UTF-8");

    float *values = NULL;
    uint32_t rows = 0, dims = 0;
    SHELF__TRY(shelf__read_npy(npy_path, SHELF__MAX_DIMS, 16, &values, &rows, &dims, diagnostic));

    char *text = NULL, *metadata = NULL;
    const char **ids = NULL;
    float *popularity = NULL;
    uint8_t *written = NULL;
    size_t text_size = 0, written_size = 0;
    shelf_status status = shelf__read_file(ids_path, &text, &text_size, diagnostic);
    if (status == SHELF_OK) {
        ids = malloc((size_t)rows * sizeof *ids);
        popularity = calloc(rows, sizeof *popularity);  /* no events: nothing is popular */
        if (!ids || !popularity) status = shelf__fail(diagnostic, SHELF_E_OUT_OF_MEMORY, ids_path, 0, "out of memory");
    }
    if (status == SHELF_OK) status = shelf__split_ids(text, text_size, rows, ids, ids_path, diagnostic);
    if (status == SHELF_OK) {
        char created[32];
        shelf__created_time(0, created);
        shelf__text t = {0};
        shelf__text_add(&t, "{\"name\": ");
        shelf__text_add_json_string(&t, name);
        shelf__text_add(&t, ", \"created\": \"%s\", \"items\": %u, \"dims\": %u, "
                            "\"scorers\": {\"embedding\": {\"weight\": 1, \"position_decay\": 4}}, "
                            "\"trainer\": {\"source\": \"npy\"}}",
                        created, rows, dims);
        metadata = shelf__text_finish(&t);
        if (!metadata) status = shelf__fail(diagnostic, SHELF_E_OUT_OF_MEMORY, ids_path, 0, "out of memory");
    }
    if (status == SHELF_OK) {
        shelf__model_spec spec;
        memset(&spec, 0, sizeof spec);
        spec.metadata_json = metadata;
        spec.item_count = rows;
        spec.item_ids = ids;
        spec.popularity = popularity;
        spec.dims = dims;
        spec.embeddings = values;
        spec.quantize = quantize ? 1 : 0;
        status = shelf__model_write(&spec, &written, &written_size);
        if (status != SHELF_OK)
            shelf__fail(diagnostic, status, npy_path, 0, "cannot write the model: %s", shelf_status_message(status));
    }
    free(metadata);
    free(popularity);
    free(ids);
    free(text);
    free(values);
    if (status != SHELF_OK) return status;
    *out = written;
    *out_size = written_size;
    return SHELF_OK;
}
