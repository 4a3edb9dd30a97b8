/* Files that come from other tools: a NumPy .npy matrix of embeddings trained
 * elsewhere (PyTorch, Spark) and the text file of the ids of its rows. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnostic.h"
#include "npy_read.h"
#include "shelf_common.h"
#include "string_table.h"

/* ------------------------------------------------------------------ files --- */

shelf_status shelf__read_file(const char *path, char **data, size_t *size, shelf_diagnostic *diagnostic) {
    FILE *f = fopen(path, "rb");
    if (!f) return shelf__fail(diagnostic, SHELF_E_IO, path, 0, "cannot open: %s", strerror(errno));
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
    if (!buffer) return shelf__fail(diagnostic, SHELF_E_OUT_OF_MEMORY, path, 0, "out of memory reading the file");
    if (error) {
        free(buffer);
        return shelf__fail(diagnostic, SHELF_E_IO, path, 0, "read error");
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

shelf_status shelf__read_npy(const char *path, uint32_t max_columns, uint32_t pad, float **values,
                            uint32_t *rows, uint32_t *dims, shelf_diagnostic *diagnostic) {
    char *data;
    size_t size;
    SHELF__TRY(shelf__read_file(path, &data, &size, diagnostic));
    const uint8_t *u = (const uint8_t *)data;
    shelf_status status = SHELF_E_PARSE;
    if (size < 10 || memcmp(data, "\x93NUMPY", 6) != 0) {
        shelf__fail(diagnostic, status, path, 0, "not a .npy file (bad magic)");
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
        shelf__fail(diagnostic, status, path, 0, "unsupported .npy version %u.%u (1.0 and 2.0 are read)", u[6], u[7]);
        goto done;
    }
    if (size < header_start || header_size > size - header_start) {
        shelf__fail(diagnostic, status, path, 0, "truncated .npy header");
        goto done;
    }
    npy_header h;
    const char *problem;
    if (!parse_npy_dict(data + header_start, header_size, &h, &problem)) {
        shelf__fail(diagnostic, status, path, 0, "%s", problem);
        goto done;
    }
    if (strcmp(h.descr, "<f4") != 0) {
        shelf__fail(diagnostic, status, path, 0, "dtype '%s' is not '<f4' (little-endian float32)", h.descr);
        goto done;
    }
    if (h.fortran_order) {
        shelf__fail(diagnostic, status, path, 0, "fortran_order is True; save the array in C order");
        goto done;
    }
    if (h.shape_dims != 2) {
        shelf__fail(diagnostic, status, path, 0, "shape has %d dimensions; expected 2 (items, dims)", h.shape_dims);
        goto done;
    }
    uint64_t n = h.shape[0], d = h.shape[1];
    if (n == 0 || n > (1u << 30)) {
        shelf__fail(diagnostic, status, path, 0, "%llu rows; expected 1 to 2^30", (unsigned long long)n);
        goto done;
    }
    if (d == 0 || d > max_columns) {
        shelf__fail(diagnostic, status, path, 0, "%llu columns; expected 1 to %u", (unsigned long long)d, max_columns);
        goto done;
    }
    /* n <= 2^30 and d < 2^32: the products fit in 64 bits. */
    uint64_t expected = n * d * 4, available = size - header_start - header_size;
    if (available != expected) {
        shelf__fail(diagnostic, status, path, 0, "%s: %llu bytes of data, %llu expected for shape (%llu, %llu)",
             available < expected ? "truncated" : "trailing bytes", (unsigned long long)available,
             (unsigned long long)expected, (unsigned long long)n, (unsigned long long)d);
        goto done;
    }
    uint64_t padded = (d + pad - 1) / pad * pad;
    if (padded > UINT32_MAX || n * padded > SIZE_MAX / sizeof(float)) {
        status = shelf__fail(diagnostic, SHELF_E_OUT_OF_MEMORY, path, 0, "too large for this machine");
        goto done;
    }
    float *v = calloc((size_t)(n * padded), sizeof *v);
    if (!v) {
        status = shelf__fail(diagnostic, SHELF_E_OUT_OF_MEMORY, path, 0, "out of memory");
        goto done;
    }
    const uint8_t *src = u + header_start + header_size;
    for (uint64_t r = 0; r < n; r++) {
        for (uint64_t j = 0; j < d; j++) {
            float x = shelf__load_f32(src + 4 * (r * d + j));
            if (!isfinite(x)) {
                free(v);
                shelf__fail(diagnostic, status, path, 0, "row %llu, column %llu is not finite", (unsigned long long)r,
                     (unsigned long long)j);
                goto done;
            }
            v[r * padded + j] = x;
        }
    }
    *values = v;
    *rows = (uint32_t)n;
    *dims = (uint32_t)padded;
    status = SHELF_OK;
done:
    free(data);
    return status;
}

/* ---------------------------------------------------------------- ids file --- */

shelf_status shelf__split_ids(char *text, size_t size, uint32_t expected, const char **ids, const char *path,
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
            return shelf__fail(diagnostic, SHELF_E_PARSE, path, number, "empty id");
        }
        if (memchr(line, '\0', length)) return shelf__fail(diagnostic, SHELF_E_PARSE, path, number, "NUL byte in an id");
        if (count == expected)
            return shelf__fail(diagnostic, SHELF_E_PARSE, path, number, "more ids than the %u rows of the embeddings", expected);
        line[length] = '\0';
        ids[count++] = line;
    }
    if (count != expected)
        return shelf__fail(diagnostic, SHELF_E_PARSE, path, 0, "%u ids for the %u rows of the embeddings", count, expected);

    /* Duplicates, with the line of each copy. */
    shelf__string_table seen = {0};
    for (uint32_t i = 0; i < count; i++) {
        uint32_t first;
        int added;
        shelf_status status = shelf__string_table_intern(&seen, ids[i], strlen(ids[i]), &first, &added);
        if (status != SHELF_OK) {
            shelf__string_table_free(&seen);
            return shelf__fail(diagnostic, SHELF_E_OUT_OF_MEMORY, path, 0, "out of memory");
        }
        if (!added) {
            shelf__string_table_free(&seen);
            return shelf__fail(diagnostic, SHELF_E_PARSE, path, (uint64_t)i + 1, "duplicate id '%.100s' (first on line %u)",
                        ids[i], first + 1);
        }
    }
    shelf__string_table_free(&seen);
    return SHELF_OK;
}

