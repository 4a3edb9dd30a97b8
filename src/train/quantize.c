/* Models from other models and from other tools: shelf_quantize_model rewrites a
 * float model with int8 parameters; shelf_model_from_embeddings turns a NumPy .npy
 * matrix and a list of ids into an embeddings-only model. */
#define _POSIX_C_SOURCE 200809L  /* gmtime_r */

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model_internal.h"
#include "model_metadata.h"
#include "model_writer.h"
#include "shelf_common.h"
#include "shelf_train.h"

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static shelf_status fail(shelf_diagnostic *diagnostic, shelf_status status, const char *file, uint64_t line,
                         const char *format, ...) {
    if (diagnostic) {
        snprintf(diagnostic->file, sizeof diagnostic->file, "%s", file);
        diagnostic->line = line;
        va_list args;
        va_start(args, format);
        vsnprintf(diagnostic->message, sizeof diagnostic->message, format, args);
        va_end(args);
    }
    return status;
}

/* ------------------------------------------------------------ quantization --- */

/* Float weights of a neighbour table: the view itself, or a dequantized copy
 * (*owned) when the table is already Q8 (a mixed model from another writer). */
static shelf_status neighbour_weights(const shelf__neighbours *n, uint32_t rows, const float **weights,
                                      float **owned) {
    *owned = NULL;
    if (n->encoding == SHELF__ENCODING_F32) {
        *weights = n->weights_f32;
        return SHELF_OK;
    }
    float *w = malloc(((size_t)n->nnz + 1) * sizeof *w);
    if (!w) return SHELF_E_OUT_OF_MEMORY;
    for (uint32_t r = 0; r < rows; r++)
        for (uint32_t e = n->row_start[r]; e < n->row_start[r + 1]; e++) w[e] = n->weights_q8[e] * n->row_scales[r];
    *weights = *owned = w;
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

/* A table's item indices as u32, widened into *owned when they are stored in 16 bits. */
static shelf_status neighbour_items(const shelf__neighbours *t, const uint32_t **items, uint32_t **owned) {
    *owned = NULL;
    if (t->items) {
        *items = t->items;
        return SHELF_OK;
    }
    uint32_t *wide = malloc(((size_t)t->nnz + 1) * sizeof *wide);
    if (!wide) return SHELF_E_OUT_OF_MEMORY;
    for (uint32_t e = 0; e < t->nnz; e++) wide[e] = t->items16[e];
    *items = *owned = wide;
    return SHELF_OK;
}

static int has_float_parameters(const shelf_model *m) {
    return (m->covisit.present && m->covisit.encoding == SHELF__ENCODING_F32) ||
           (m->sequential.present && m->sequential.encoding == SHELF__ENCODING_F32) ||
           (m->embeddings.present && m->embeddings.encoding == SHELF__ENCODING_F32);
}

shelf_status shelf_quantize_model(const void *model, size_t size, void **out, size_t *out_size,
                                  shelf_diagnostic *diagnostic) {
    static const char file[] = "<model>";
    if (!model || !out || !out_size)
        return fail(diagnostic, SHELF_E_NULL_ARGUMENT, file, 0, "a required pointer was NULL");
    shelf_model *m;
    shelf_status status = shelf_model_open(model, size, &m);
    if (status != SHELF_OK)
        return fail(diagnostic, status, file, 0, "cannot open the model: %s", shelf_status_message(status));

    if (!has_float_parameters(m)) {
        /* Nothing to quantize: the same bytes, in a buffer the caller owns. */
        shelf_model_close(m);
        void *copy = malloc(size ? size : 1);
        if (!copy) return fail(diagnostic, SHELF_E_OUT_OF_MEMORY, file, 0, "out of memory");
        memcpy(copy, model, size);
        *out = copy;
        *out_size = size;
        return SHELF_OK;
    }

    const uint32_t count = m->item_count;
    const char **ids = malloc((size_t)count * sizeof *ids);
    const char **categories = malloc(((size_t)m->categories.count + 1) * sizeof *categories);
    float *covisit = NULL, *sequential = NULL, *embeddings = NULL;
    uint32_t *covisit_items = NULL, *sequential_items = NULL;
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
    if (status == SHELF_OK && m->covisit.present) {
        status = neighbour_weights(&m->covisit, count, &spec.covisit.weights, &covisit);
        spec.covisit.row_start = m->covisit.row_start;
        if (status == SHELF_OK) status = neighbour_items(&m->covisit, &spec.covisit.items, &covisit_items);
    }
    if (status == SHELF_OK && m->sequential.present) {
        status = neighbour_weights(&m->sequential, count, &spec.sequential.weights, &sequential);
        spec.sequential.row_start = m->sequential.row_start;
        if (status == SHELF_OK) status = neighbour_items(&m->sequential, &spec.sequential.items, &sequential_items);
    }
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
    free(sequential);
    free(covisit);
    free(sequential_items);
    free(covisit_items);
    free(categories);
    free(ids);
    shelf_model_close(m);
    if (status != SHELF_OK)
        return fail(diagnostic, status, file, 0, "cannot write the quantized model: %s", shelf_status_message(status));
    *out = written;
    *out_size = written_size;
    return SHELF_OK;
}

/* ------------------------------------------------------------------ files --- */

/* Reads a whole file into a malloc'ed buffer with one spare NUL byte after it. */
static shelf_status read_file(const char *path, char **data, size_t *size, shelf_diagnostic *diagnostic) {
    FILE *f = fopen(path, "rb");
    if (!f) return fail(diagnostic, SHELF_E_IO, path, 0, "cannot open: %s", strerror(errno));
    size_t capacity = 1 << 16, used = 0;
    char *buffer = malloc(capacity);
    while (buffer) {
        used += fread(buffer + used, 1, capacity - used - 1, f);
        if (used < capacity - 1) break;
        char *grown = capacity <= SIZE_MAX / 2 ? realloc(buffer, capacity * 2) : NULL;
        if (!grown) {
            free(buffer);
            buffer = NULL;
            break;
        }
        buffer = grown;
        capacity *= 2;
    }
    int error = ferror(f);
    fclose(f);
    if (!buffer) return fail(diagnostic, SHELF_E_OUT_OF_MEMORY, path, 0, "out of memory reading the file");
    if (error) {
        free(buffer);
        return fail(diagnostic, SHELF_E_IO, path, 0, "read error");
    }
    buffer[used] = '\0';
    *data = buffer;
    *size = used;
    return SHELF_OK;
}

/* -------------------------------------------------------------------- .npy --- */

/* The header of a .npy file is the text of a Python dict literal, e.g.
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (1000, 64), }
 * This reads exactly that grammar: string keys; string, True/False or tuple values. */
typedef struct npy_header {
    char descr[16];
    int has_descr, has_order, has_shape;
    int fortran_order;
    int shape_dims;
    uint64_t shape[2];
} npy_header;

typedef struct cursor {
    const char *p, *end;
} cursor;

static void skip_space(cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) c->p++;
}

static int take(cursor *c, char ch) {
    skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A quoted string without escapes (none of numpy's keys or dtypes need them). */
static int take_string(cursor *c, const char **text, size_t *size) {
    skip_space(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return 0;
    char quote = *c->p++;
    const char *start = c->p;
    while (c->p < c->end && *c->p != quote) {
        if (*c->p == '\\') return 0;
        c->p++;
    }
    if (c->p >= c->end) return 0;
    *text = start;
    *size = (size_t)(c->p - start);
    c->p++;
    return 1;
}

static int take_word(cursor *c, const char *word) {
    skip_space(c);
    size_t size = strlen(word);
    if ((size_t)(c->end - c->p) < size || memcmp(c->p, word, size) != 0) return 0;
    c->p += size;
    return 1;
}

static int take_uint(cursor *c, uint64_t *value) {
    skip_space(c);
    if (c->p >= c->end || *c->p < '0' || *c->p > '9') return 0;
    uint64_t v = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        if (v > (UINT64_MAX - 9) / 10) return 0;
        v = v * 10 + (uint64_t)(*c->p++ - '0');
    }
    *value = v;
    return 1;
}

/* 1 on success; on failure *problem says what was wrong. */
static int parse_npy_dict(const char *text, size_t size, npy_header *h, const char **problem) {
    cursor c = {text, text + size};
    memset(h, 0, sizeof *h);
    *problem = "the header is not a Python dict literal";
    if (!take(&c, '{')) return 0;
    while (!take(&c, '}')) {
        const char *key;
        size_t key_size;
        if (!take_string(&c, &key, &key_size) || !take(&c, ':')) return 0;
        const char *value;
        size_t value_size;
        if (key_size == 5 && memcmp(key, "descr", 5) == 0) {
            if (!take_string(&c, &value, &value_size)) return 0;
            if (value_size >= sizeof h->descr) value_size = sizeof h->descr - 1;
            memcpy(h->descr, value, value_size);
            h->descr[value_size] = '\0';
            h->has_descr = 1;
        } else if (key_size == 13 && memcmp(key, "fortran_order", 13) == 0) {
            if (take_word(&c, "True")) h->fortran_order = 1;
            else if (!take_word(&c, "False")) return 0;
            h->has_order = 1;
        } else if (key_size == 5 && memcmp(key, "shape", 5) == 0) {
            if (!take(&c, '(')) return 0;
            while (!take(&c, ')')) {
                uint64_t v;
                if (!take_uint(&c, &v)) return 0;
                if (h->shape_dims < 2) h->shape[h->shape_dims] = v;
                h->shape_dims++;
                if (!take(&c, ',') && !(skip_space(&c), c.p < c.end && *c.p == ')')) return 0;
            }
            h->has_shape = 1;
        } else {
            *problem = "the header has an unexpected key (only descr, fortran_order and shape)";
            return 0;
        }
        if (!take(&c, ',') && !(skip_space(&c), c.p < c.end && *c.p == '}')) return 0;
    }
    if (!h->has_descr || !h->has_order || !h->has_shape) {
        *problem = "the header lacks descr, fortran_order or shape";
        return 0;
    }
    return 1;
}

/* Reads a float32 [n, d] matrix into a zero-padded n x dims array (malloc'ed). */
static shelf_status read_npy(const char *path, float **values, uint32_t *rows, uint32_t *dims,
                             shelf_diagnostic *diagnostic) {
    char *data;
    size_t size;
    SHELF__TRY(read_file(path, &data, &size, diagnostic));
    const uint8_t *u = (const uint8_t *)data;
    shelf_status status = SHELF_E_PARSE;
    if (size < 10 || memcmp(data, "\x93NUMPY", 6) != 0) {
        fail(diagnostic, status, path, 0, "not a .npy file (bad magic)");
        goto done;
    }
    size_t header_start, header_size;
    if (u[6] == 1) {
        header_start = 10;
        header_size = (size_t)u[8] | (size_t)u[9] << 8;
    } else if (u[6] == 2) {
        header_start = 12;
        header_size = size >= 12 ? shelf__load_u32(u + 8) : 0;  /* size < 12: "truncated" below */
    } else {
        fail(diagnostic, status, path, 0, "unsupported .npy version %u.%u (1.0 and 2.0 are read)", u[6], u[7]);
        goto done;
    }
    if (size < header_start || header_size > size - header_start) {
        fail(diagnostic, status, path, 0, "truncated .npy header");
        goto done;
    }
    npy_header h;
    const char *problem;
    if (!parse_npy_dict(data + header_start, header_size, &h, &problem)) {
        fail(diagnostic, status, path, 0, "%s", problem);
        goto done;
    }
    if (strcmp(h.descr, "<f4") != 0) {
        fail(diagnostic, status, path, 0, "dtype '%s' is not '<f4' (little-endian float32)", h.descr);
        goto done;
    }
    if (h.fortran_order) {
        fail(diagnostic, status, path, 0, "fortran_order is True; save the array in C order");
        goto done;
    }
    if (h.shape_dims != 2) {
        fail(diagnostic, status, path, 0, "shape has %d dimensions; expected 2 (items, dims)", h.shape_dims);
        goto done;
    }
    uint64_t n = h.shape[0], d = h.shape[1];
    if (n == 0 || n > (1u << 30)) {
        fail(diagnostic, status, path, 0, "%llu rows; expected 1 to 2^30", (unsigned long long)n);
        goto done;
    }
    if (d == 0 || d > SHELF__MAX_DIMS) {
        fail(diagnostic, status, path, 0, "%llu columns; expected 1 to %u", (unsigned long long)d, SHELF__MAX_DIMS);
        goto done;
    }
    /* n <= 2^30 and d <= 1024: the products fit in 64 bits. */
    uint64_t expected = n * d * 4, available = size - header_start - header_size;
    if (available != expected) {
        fail(diagnostic, status, path, 0, "%s: %llu bytes of data, %llu expected for shape (%llu, %llu)",
             available < expected ? "truncated" : "trailing bytes", (unsigned long long)available,
             (unsigned long long)expected, (unsigned long long)n, (unsigned long long)d);
        goto done;
    }
    uint32_t padded = (uint32_t)((d + 15) / 16 * 16);
    if (n * padded > SIZE_MAX / sizeof(float)) {
        status = fail(diagnostic, SHELF_E_OUT_OF_MEMORY, path, 0, "too large for this machine");
        goto done;
    }
    float *v = calloc((size_t)(n * padded), sizeof *v);
    if (!v) {
        status = fail(diagnostic, SHELF_E_OUT_OF_MEMORY, path, 0, "out of memory");
        goto done;
    }
    const uint8_t *src = u + header_start + header_size;
    for (uint64_t r = 0; r < n; r++) {
        for (uint64_t j = 0; j < d; j++) {
            float x = shelf__load_f32(src + 4 * (r * d + j));
            if (!isfinite(x)) {
                free(v);
                fail(diagnostic, status, path, 0, "row %llu, column %llu is not finite", (unsigned long long)r,
                     (unsigned long long)j);
                goto done;
            }
            v[r * padded + j] = x;
        }
    }
    *values = v;
    *rows = (uint32_t)n;
    *dims = padded;
    status = SHELF_OK;
done:
    free(data);
    return status;
}

/* ---------------------------------------------------------------- ids file --- */

/* Splits `text` (modified in place) into exactly `expected` lines, each a
 * non-empty, distinct id; a final newline is optional, blank lines at the end are
 * ignored and "\r\n" is accepted. Item i is on line i + 1. */
static shelf_status split_ids(char *text, size_t size, uint32_t expected, const char **ids, const char *path,
                              shelf_diagnostic *diagnostic) {
    uint32_t count = 0;
    size_t at = 0;
    while (at < size) {
        char *line = text + at;
        char *newline = memchr(line, '\n', size - at);
        size_t length = newline ? (size_t)(newline - line) : size - at;
        at += length + (newline ? 1 : 0);
        if (length > 0 && line[length - 1] == '\r') length--;
        uint64_t number = (uint64_t)count + 1;
        if (length == 0) {
            /* Blank lines at the very end are an editor's habit; elsewhere they
             * would shift every following id onto the wrong row. */
            size_t rest = at;
            while (rest < size && (text[rest] == '\n' || text[rest] == '\r')) rest++;
            if (rest == size) break;
            return fail(diagnostic, SHELF_E_PARSE, path, number, "empty id");
        }
        if (memchr(line, '\0', length)) return fail(diagnostic, SHELF_E_PARSE, path, number, "NUL byte in an id");
        if (count == expected)
            return fail(diagnostic, SHELF_E_PARSE, path, number, "more ids than the %u rows of the embeddings", expected);
        line[length] = '\0';
        ids[count++] = line;
    }
    if (count != expected)
        return fail(diagnostic, SHELF_E_PARSE, path, 0, "%u ids for the %u rows of the embeddings", count, expected);

    /* Duplicates, with the line of each copy: the same probing as the model's index. */
    uint32_t capacity = 1;
    while (capacity < 2 * count) capacity <<= 1;
    uint32_t *slots = malloc((size_t)capacity * sizeof *slots);
    if (!slots) return fail(diagnostic, SHELF_E_OUT_OF_MEMORY, path, 0, "out of memory");
    for (uint32_t s = 0; s < capacity; s++) slots[s] = UINT32_MAX;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t slot = shelf__fnv1a32(ids[i], strlen(ids[i])) & (capacity - 1);
        for (; slots[slot] != UINT32_MAX; slot = (slot + 1) & (capacity - 1)) {
            if (strcmp(ids[slots[slot]], ids[i]) == 0) {
                uint32_t first = slots[slot] + 1;
                free(slots);
                return fail(diagnostic, SHELF_E_PARSE, path, (uint64_t)i + 1, "duplicate id '%.100s' (first on line %u)",
                            ids[i], first);
            }
        }
        slots[slot] = i;
    }
    free(slots);
    return SHELF_OK;
}

/* ---------------------------------------------------------------- metadata --- */

/* JSON string contents for `text` (valid UTF-8): quotes, backslashes and control
 * characters escaped. `out` holds at least 6 * strlen(text) + 1 bytes. */
static void json_escape(const char *text, char *out) {
    static const char hex[] = "0123456789abcdef";
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\') {
            *out++ = '\\';
            *out++ = (char)*p;
        } else if (*p < 0x20) {
            *out++ = '\\';
            *out++ = 'u';
            *out++ = '0';
            *out++ = '0';
            *out++ = hex[*p >> 4];
            *out++ = hex[*p & 15];
        } else {
            *out++ = (char)*p;
        }
    }
    *out = '\0';
}

/* "2024-05-01T12:00:00Z". SOURCE_DATE_EPOCH, when set, replaces the clock so that
 * builds of the same inputs give the same bytes (reproducible-builds.org). */
static void format_now(char out[32]) {
    time_t now = time(NULL);
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    if (epoch && *epoch) {
        char *end;
        unsigned long long v = strtoull(epoch, &end, 10);
        if (*end == '\0') now = (time_t)v;
    }
    struct tm tm;
    if (gmtime_r(&now, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}

shelf_status shelf_model_from_embeddings(const char *npy_path, const char *ids_path, const char *name,
                                         int quantize, void **out, size_t *out_size,
                                         shelf_diagnostic *diagnostic) {
    if (!npy_path || !ids_path || !out || !out_size)
        return fail(diagnostic, SHELF_E_NULL_ARGUMENT, "", 0, "a required pointer was NULL");
    if (!name) name = "shelf";
    if (!shelf__utf8_valid((const uint8_t *)name, strlen(name)))
        return fail(diagnostic, SHELF_E_BAD_ARGUMENT, "<name>", 0, "the model name is not valid UTF-8");

    float *values = NULL;
    uint32_t rows = 0, dims = 0;
    SHELF__TRY(read_npy(npy_path, &values, &rows, &dims, diagnostic));

    char *text = NULL, *escaped = NULL, *metadata = NULL;
    const char **ids = NULL;
    float *popularity = NULL;
    uint8_t *written = NULL;
    size_t text_size = 0, written_size = 0;
    shelf_status status = read_file(ids_path, &text, &text_size, diagnostic);
    if (status == SHELF_OK) {
        ids = malloc((size_t)rows * sizeof *ids);
        popularity = calloc(rows, sizeof *popularity);  /* no events: nothing is popular */
        size_t name_size = strlen(name);
        escaped = malloc(6 * name_size + 1);
        metadata = malloc(6 * name_size + 512);
        if (!ids || !popularity || !escaped || !metadata)
            status = fail(diagnostic, SHELF_E_OUT_OF_MEMORY, ids_path, 0, "out of memory");
    }
    if (status == SHELF_OK) status = split_ids(text, text_size, rows, ids, ids_path, diagnostic);
    if (status == SHELF_OK) {
        char created[32];
        format_now(created);
        json_escape(name, escaped);
        snprintf(metadata, 6 * strlen(name) + 512,
                 "{\"name\": \"%s\", \"created\": \"%s\", \"items\": %u, \"dims\": %u, "
                 "\"scorers\": {\"embedding\": {\"weight\": 1, \"position_decay\": 4}}, "
                 "\"trainer\": {\"source\": \"npy\"}}",
                 escaped, created, rows, dims);
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
            fail(diagnostic, status, npy_path, 0, "cannot write the model: %s", shelf_status_message(status));
    }
    free(metadata);
    free(escaped);
    free(popularity);
    free(ids);
    free(text);
    free(values);
    if (status != SHELF_OK) return status;
    *out = written;
    *out_size = written_size;
    return SHELF_OK;
}
