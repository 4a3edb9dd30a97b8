/* Writing .shelf files (models/FORMAT.md): the container and every section
 * encoder, including the Q8 quantization of neighbour weights and embeddings.
 *
 * The output is a function of the spec alone (no clock, no randomness, no
 * uninitialized bytes), and the writer opens what it wrote with the runtime's own
 * loader before returning it: a file this function returns always loads. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_format.h"
#include "model_writer.h"
#include "shelf_common.h"

static int finite_nonnegative(float x) { return x >= 0.0f && x <= FLT_MAX; }  /* false for NaN */

static uint64_t align_up(uint64_t x) {
    return (x + SHELF__SECTION_ALIGN - 1) / SHELF__SECTION_ALIGN * SHELF__SECTION_ALIGN;
}

/* ------------------------------------------------------------- validation --- */

/* Non-NULL, non-empty strings whose blob (each with its NUL) fits a u32 size. */
static shelf_status check_strings(const char *const *strings, uint32_t count, uint32_t *blob_size) {
    if (count > 0 && !strings) return SHELF_E_NULL_ARGUMENT;
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (!strings[i]) return SHELF_E_NULL_ARGUMENT;
        size_t size = strlen(strings[i]);
        if (size == 0) return SHELF_E_BAD_ARGUMENT;
        total += (uint64_t)size + 1;
        if (total > UINT32_MAX) return SHELF_E_BAD_ARGUMENT;
    }
    *blob_size = (uint32_t)total;
    return SHELF_OK;
}

/* SHELF_E_BAD_ARGUMENT when two of the strings are equal: an id names one item.
 * A hash table of the strings finds them in linear time. */
static shelf_status check_distinct(const char *const *strings, uint32_t count) {
    if (count == 0) return SHELF_OK;
    uint32_t capacity = 2;
    while (capacity < 2 * count) capacity <<= 1;  /* count <= 2^30 */
    uint32_t *slots = malloc((size_t)capacity * sizeof *slots);
    if (!slots) return SHELF_E_OUT_OF_MEMORY;
    memset(slots, 0xFF, (size_t)capacity * sizeof *slots);
    const uint32_t mask = capacity - 1;
    shelf_status status = SHELF_OK;
    for (uint32_t i = 0; i < count && status == SHELF_OK; i++) {
        uint32_t slot = shelf__hash32(strings[i], strlen(strings[i])) & mask;
        for (; slots[slot] != SHELF__NO_INDEX; slot = (slot + 1) & mask)
            if (strcmp(strings[slots[slot]], strings[i]) == 0) status = SHELF_E_BAD_ARGUMENT;
        slots[slot] = i;
    }
    free(slots);
    return status;
}

/* Rows of at most SHELF__MAX_NEIGHBOURS distinct items below the count, weights
 * finite and >= 0. */
static shelf_status check_neighbours(const shelf__neighbour_spec *n, uint32_t count) {
    if (!n->row_start) return SHELF_OK;  /* absent */
    if (n->row_start[0] != 0) return SHELF_E_BAD_ARGUMENT;
    for (uint32_t r = 0; r < count; r++)
        if (n->row_start[r + 1] < n->row_start[r] || n->row_start[r + 1] - n->row_start[r] > SHELF__MAX_NEIGHBOURS)
            return SHELF_E_BAD_ARGUMENT;
    uint32_t nnz = n->row_start[count];
    if (nnz > 0 && (!n->items || !n->weights)) return SHELF_E_NULL_ARGUMENT;
    for (uint32_t e = 0; e < nnz; e++)
        if (n->items[e] >= count || !finite_nonnegative(n->weights[e])) return SHELF_E_BAD_ARGUMENT;
    for (uint32_t r = 0; r < count; r++)
        for (uint32_t e = n->row_start[r]; e < n->row_start[r + 1]; e++)
            for (uint32_t f = n->row_start[r]; f < e; f++)
                if (n->items[f] == n->items[e]) return SHELF_E_BAD_ARGUMENT;
    return SHELF_OK;
}

static shelf_status check_spec(const shelf__model_spec *spec, uint32_t *id_blob, uint32_t *category_blob) {
    if (!spec->metadata_json || !spec->item_ids || !spec->popularity) return SHELF_E_NULL_ARGUMENT;
    if (spec->metadata_json[0] == '\0') return SHELF_E_BAD_ARGUMENT;
    uint32_t count = spec->item_count;
    if (count == 0 || count > SHELF__MAX_ITEMS) return SHELF_E_BAD_ARGUMENT;
    SHELF__TRY(check_strings(spec->item_ids, count, id_blob));
    for (uint32_t i = 0; i < count; i++)
        if (!(spec->popularity[i] >= 0.0f && spec->popularity[i] <= 1.0f)) return SHELF_E_BAD_ARGUMENT;

    *category_blob = 0;
    if (spec->item_category) {
        SHELF__TRY(check_strings(spec->category_names, spec->category_count, category_blob));
        for (uint32_t i = 0; i < count; i++) {
            uint32_t c = spec->item_category[i];
            if (c >= spec->category_count && c != SHELF_NO_CATEGORY) return SHELF_E_BAD_ARGUMENT;
            if (spec->item_price && !isnan(spec->item_price[i]) && !finite_nonnegative(spec->item_price[i]))
                return SHELF_E_BAD_ARGUMENT;
            if (spec->item_flags && (spec->item_flags[i] & ~SHELF__ITEM_FLAGS_KNOWN)) return SHELF_E_BAD_ARGUMENT;
        }
    }
    SHELF__TRY(check_neighbours(&spec->covisit, count));
    SHELF__TRY(check_neighbours(&spec->sequential, count));
    if (spec->embeddings) {
        if (spec->dims < 16 || spec->dims > SHELF__MAX_DIMS || spec->dims % 16 != 0) return SHELF_E_BAD_ARGUMENT;
        size_t values = (size_t)count * spec->dims;
        for (size_t i = 0; i < values; i++)
            if (!isfinite(spec->embeddings[i])) return SHELF_E_BAD_ARGUMENT;
    }
    return SHELF_OK;
}

/* ----------------------------------------------------------- quantization --- */

/* Embedding values are signed: i8 codes in [-127, 127], scale = row max |x| / 127. */
static int8_t quantize_i8(float x, float scale) {
    if (!(scale > 0.0f)) return 0;
    float q = x / scale;
    if (!(q < 127.0f)) return 127;
    if (!(q > -127.0f)) return -127;
    return (int8_t)lrintf(q);
}

/* ---------------------------------------------------------------- encoders --- */

static void put_strings(uint8_t *p, const char *const *strings, uint32_t count, uint32_t blob_size) {
    shelf__store_u32(p, count);
    shelf__store_u32(p + 4, blob_size);
    char *blob = (char *)(p + SHELF__SECTION_PREFIX);
    for (uint32_t i = 0; i < count; i++) {
        size_t size = strlen(strings[i]) + 1;  /* with its NUL */
        memcpy(blob, strings[i], size);
        blob += size;
    }
}

static void put_attributes(uint8_t *p, const shelf__model_spec *spec) {
    uint32_t count = spec->item_count;
    shelf__store_u32(p, count);
    shelf__store_u32(p + 4, 0);
    uint8_t *category = p + SHELF__SECTION_PREFIX, *price = category + 4 * (size_t)count,
            *flags = price + 4 * (size_t)count;
    for (uint32_t i = 0; i < count; i++) {
        shelf__store_u32(category + 4 * (size_t)i, spec->item_category[i]);
        shelf__store_f32(price + 4 * (size_t)i, spec->item_price ? spec->item_price[i] : NAN);
        flags[i] = spec->item_flags ? spec->item_flags[i] : (uint8_t)SHELF_ITEM_IN_STOCK;
    }
}

static void put_popularity(uint8_t *p, const float *values, uint32_t count, shelf__encoding encoding) {
    shelf__store_u32(p, count);
    shelf__store_u32(p + 4, 0);
    p += SHELF__SECTION_PREFIX;
    for (uint32_t i = 0; i < count; i++) {
        if (encoding == SHELF__ENCODING_F32) {
            shelf__store_f32(p + 4 * (size_t)i, values[i]);
        } else {
            uint16_t code = (uint16_t)lrintf(values[i] * 65535.0f);  /* values are in [0, 1] */
            p[2 * (size_t)i] = (uint8_t)code;
            p[2 * (size_t)i + 1] = (uint8_t)(code >> 8);
        }
    }
}

/* --------------------------------------------------------- neighbour tables --- */

typedef struct entry {
    uint32_t item;
    float weight;
} entry;

static int by_item(const void *a, const void *b) {
    const entry *x = a, *y = b;
    return (x->item > y->item) - (x->item < y->item);
}

/* The smallest bfloat16 at least `target` (>= 0): scales round up, so that the
 * largest value of a row still fits in the codes. */
static uint16_t bf16_at_least(float target) {
    uint32_t bits;
    memcpy(&bits, &target, sizeof bits);
    uint16_t h = (uint16_t)(bits >> 16);
    if (shelf__bf16_to_f32(h) < target) h++;  /* positive: the next bfloat16 up */
    return h;
}

static uint8_t ef4_code(float w, float scale) {
    if (!(scale > 0.0f)) return 0;  /* an all-zero row, or a maximum so small its scale underflowed */
    float q = w / scale;
    if (!(q < 15.0f)) return 15;
    return (uint8_t)lrintf(q);
}

/* Bits into a zeroed buffer, least significant first. */
static void put_bits(uint8_t *p, uint64_t at, uint32_t value, uint32_t count) {
    for (uint32_t i = 0; i < count; i++, at++)
        if ((value >> i) & 1u) p[at >> 3] |= (uint8_t)(1u << (at & 7));
}

static uint64_t ef4_data_size(const shelf__neighbour_spec *n, uint32_t rows) {
    uint64_t bytes = 0;
    for (uint32_t r = 0; r < rows; r++) bytes += shelf__ef4_row_bytes(n->row_start[r + 1] - n->row_start[r], rows);
    return bytes;
}

static uint64_t neighbours_section_size(const shelf__neighbour_spec *n, uint32_t rows, shelf__encoding encoding) {
    if (encoding == SHELF__ENCODING_F32) return shelf__f32_neighbours_section_size(rows, n->row_start[rows]);
    return shelf__ef4_rows_offset(rows) + ef4_data_size(n, rows);
}

static void put_neighbours(uint8_t *p, const shelf__neighbour_spec *n, uint32_t rows, shelf__encoding encoding) {
    uint32_t nnz = n->row_start[rows];
    shelf__store_u32(p, rows);
    shelf__store_u32(p + 4, nnz);
    if (encoding == SHELF__ENCODING_F32) {
        p += SHELF__SECTION_PREFIX;
        for (uint32_t r = 0; r <= rows; r++, p += 4) shelf__store_u32(p, n->row_start[r]);
        for (uint32_t e = 0; e < nnz; e++, p += 4) shelf__store_u32(p, n->items[e]);
        for (uint32_t e = 0; e < nnz; e++, p += 4) shelf__store_f32(p, n->weights[e]);
        return;
    }
    uint8_t *counts = p + SHELF__SECTION_PREFIX, *scales = counts + shelf__pad4(rows);
    uint8_t *data = p + shelf__ef4_rows_offset(rows);
    entry row[SHELF__MAX_NEIGHBOURS];
    for (uint32_t r = 0; r < rows; r++) {
        uint32_t count = n->row_start[r + 1] - n->row_start[r];
        float max = 0.0f;
        for (uint32_t e = 0; e < count; e++) {
            row[e] = (entry){n->items[n->row_start[r] + e], n->weights[n->row_start[r] + e]};
            if (row[e].weight > max) max = row[e].weight;
        }
        /* Elias-Fano wants the indices in increasing order; the writer checked they are distinct. */
        qsort(row, count, sizeof row[0], by_item);
        uint16_t scale = bf16_at_least(max / 15.0f);  /* so that every code fits in 4 bits */
        counts[r] = (uint8_t)count;
        scales[2 * (size_t)r] = (uint8_t)scale;
        scales[2 * (size_t)r + 1] = (uint8_t)(scale >> 8);
        if (count == 0) continue;
        const uint32_t l = shelf__ef_low_bits(count, rows);
        const uint64_t high_at = (uint64_t)count * l, codes_at = high_at + count + ((rows - 1u) >> l);
        for (uint32_t e = 0; e < count; e++) {
            put_bits(data, (uint64_t)e * l, row[e].item & ((1u << l) - 1u), l);
            put_bits(data, high_at + (row[e].item >> l) + e, 1, 1);
            put_bits(data, codes_at + 4u * e, ef4_code(row[e].weight, shelf__bf16_to_f32(scale)), 4);
        }
        data += shelf__ef4_row_bytes(count, rows);
    }
}

static void put_embeddings(uint8_t *p, const float *values, uint32_t rows, uint32_t dims, shelf__encoding encoding) {
    shelf__store_u32(p, rows);
    shelf__store_u32(p + 4, dims);
    p += SHELF__SECTION_PREFIX;
    size_t total = (size_t)rows * dims;
    if (encoding == SHELF__ENCODING_F32) {
        for (size_t i = 0; i < total; i++) shelf__store_f32(p + 4 * i, values[i]);
        return;
    }
    uint8_t *scales = p;
    int8_t *codes = (int8_t *)(p + shelf__pad4(2u * (uint64_t)rows));
    for (uint32_t r = 0; r < rows; r++) {
        const float *row = values + (size_t)r * dims;
        float max = 0.0f;
        for (uint32_t j = 0; j < dims; j++)
            if (fabsf(row[j]) > max) max = fabsf(row[j]);
        uint16_t scale = bf16_at_least(max / 127.0f);  /* so that every code fits in [-127, 127] */
        scales[2 * (size_t)r] = (uint8_t)scale;
        scales[2 * (size_t)r + 1] = (uint8_t)(scale >> 8);
        for (uint32_t j = 0; j < dims; j++) codes[(size_t)r * dims + j] = quantize_i8(row[j], shelf__bf16_to_f32(scale));
    }
}

/* ------------------------------------------------------------------ layout --- */

typedef struct planned {
    uint32_t type;
    uint32_t encoding;
    uint64_t offset;
    uint64_t length;
} planned;

shelf_status shelf__model_write(const shelf__model_spec *spec, uint8_t **out, size_t *size) {
    if (!spec || !out || !size) return SHELF_E_NULL_ARGUMENT;
    uint32_t id_blob, category_blob;
    SHELF__TRY(check_spec(spec, &id_blob, &category_blob));
    SHELF__TRY(check_distinct(spec->item_ids, spec->item_count));
    if (spec->item_category) SHELF__TRY(check_distinct(spec->category_names, spec->category_count));

    const uint32_t count = spec->item_count;
    const shelf__encoding embeddings = spec->quantize ? SHELF__ENCODING_Q8 : SHELF__ENCODING_F32;
    const shelf__encoding tables = spec->quantize ? SHELF__ENCODING_EF4 : SHELF__ENCODING_F32;
    const shelf__encoding popularity = spec->quantize ? SHELF__ENCODING_Q16 : SHELF__ENCODING_F32;
    const size_t metadata_size = strlen(spec->metadata_json);

    /* Sections in type order, which is also file order. */
    planned plan[SHELF__SECTION_TYPE_LIMIT];
    uint32_t n = 0;
    plan[n++] = (planned){SHELF__SECTION_METADATA, SHELF__ENCODING_F32, 0, metadata_size};
    plan[n++] = (planned){SHELF__SECTION_ITEM_IDS, SHELF__ENCODING_F32, 0, shelf__strings_section_size(id_blob)};
    if (spec->item_category) {
        plan[n++] = (planned){SHELF__SECTION_CATEGORY_NAMES, SHELF__ENCODING_F32, 0,
                              shelf__strings_section_size(category_blob)};
        plan[n++] = (planned){SHELF__SECTION_ITEM_ATTRIBUTES, SHELF__ENCODING_F32, 0, shelf__attributes_section_size(count)};
    }
    plan[n++] = (planned){SHELF__SECTION_POPULARITY, popularity, 0, shelf__popularity_section_size(count, popularity)};
    if (spec->covisit.row_start)
        plan[n++] = (planned){SHELF__SECTION_COVISIT, tables, 0, neighbours_section_size(&spec->covisit, count, tables)};
    if (spec->sequential.row_start)
        plan[n++] = (planned){SHELF__SECTION_SEQUENTIAL, tables, 0, neighbours_section_size(&spec->sequential, count, tables)};
    if (spec->embeddings)
        plan[n++] = (planned){SHELF__SECTION_EMBEDDINGS, embeddings, 0,
                              shelf__embeddings_section_size(count, spec->dims, embeddings)};
    for (uint32_t i = 0; i < n; i++)
        if (plan[i].length > UINT32_MAX) return SHELF_E_BAD_ARGUMENT;  /* the loader's row offsets are u32 */

    uint64_t at = align_up(SHELF__HEADER_SIZE + (uint64_t)n * SHELF__SECTION_ENTRY_SIZE);
    for (uint32_t i = 0; i < n; i++) {
        plan[i].offset = at;
        at = align_up(at + plan[i].length);
    }
    const uint64_t file_size = at;
    if (file_size > SIZE_MAX) return SHELF_E_OUT_OF_MEMORY;

    /* calloc: the padding, the reserved fields and the checksum field start at zero. */
    uint8_t *file = calloc((size_t)file_size, 1);
    if (!file) return SHELF_E_OUT_OF_MEMORY;
    shelf_status status = SHELF_OK;
    for (uint32_t i = 0; i < n && status == SHELF_OK; i++) {
        uint8_t *p = file + plan[i].offset;
        switch (plan[i].type) {
        case SHELF__SECTION_METADATA: memcpy(p, spec->metadata_json, metadata_size); break;
        case SHELF__SECTION_ITEM_IDS: put_strings(p, spec->item_ids, count, id_blob); break;
        case SHELF__SECTION_CATEGORY_NAMES:
            put_strings(p, spec->category_names, spec->category_count, category_blob);
            break;
        case SHELF__SECTION_ITEM_ATTRIBUTES: put_attributes(p, spec); break;
        case SHELF__SECTION_POPULARITY: put_popularity(p, spec->popularity, count, popularity); break;
        case SHELF__SECTION_COVISIT: put_neighbours(p, &spec->covisit, count, tables); break;
        case SHELF__SECTION_SEQUENTIAL: put_neighbours(p, &spec->sequential, count, tables); break;
        case SHELF__SECTION_EMBEDDINGS: put_embeddings(p, spec->embeddings, count, spec->dims, embeddings); break;
        default: break;
        }
    }
    if (status != SHELF_OK) {
        free(file);
        return status;
    }

    memcpy(file + SHELF__HDR_MAGIC, SHELF__MAGIC, SHELF__MAGIC_SIZE);
    shelf__store_u32(file + SHELF__HDR_VERSION, SHELF__FORMAT_VERSION);
    shelf__store_u32(file + SHELF__HDR_SECTION_COUNT, n);
    shelf__store_u64(file + SHELF__HDR_FILE_SIZE, file_size);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *e = file + SHELF__HEADER_SIZE + (size_t)i * SHELF__SECTION_ENTRY_SIZE;
        shelf__store_u32(e + SHELF__SEC_TYPE, plan[i].type);
        shelf__store_u32(e + SHELF__SEC_ENCODING, plan[i].encoding);
        shelf__store_u64(e + SHELF__SEC_OFFSET, plan[i].offset);
        shelf__store_u64(e + SHELF__SEC_LENGTH, plan[i].length);
        shelf__store_u32(e + SHELF__SEC_CHECKSUM, shelf__crc32(0, file + plan[i].offset, (size_t)plan[i].length));
    }
    /* The checksum field is still zero, as the header checksum's definition wants. */
    shelf__store_u32(file + SHELF__HDR_CHECKSUM,
                     shelf__crc32(0, file, SHELF__HEADER_SIZE + (size_t)n * SHELF__SECTION_ENTRY_SIZE));

    /* The binary parts are valid by construction; the metadata JSON is the caller's
     * text and is checked here, by the reader itself (its status is returned, most
     * often SHELF_E_BAD_METADATA). */
    shelf_model *model = NULL;
    status = shelf_model_open(file, (size_t)file_size, &model);
    shelf_model_close(model);
    if (status != SHELF_OK) {
        free(file);
        return status;
    }
    *out = file;
    *size = (size_t)file_size;
    return SHELF_OK;
}
