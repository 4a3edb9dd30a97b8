/* Opening a .shelf model: every byte is validated before any view is handed to
 * the scorers (models/FORMAT.md gives the rules and the order they are checked in,
 * which decides the status of a file with several faults). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "model_metadata.h"
#include "shelf_common.h"

/* The views are arrays of little-endian u32 and f32 read in place. Every host
 * Shelf targets (x86-64, arm64, wasm32) is little-endian; a big-endian one would
 * need a decoding copy, so refuse to build there rather than misread. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "shelf's model views need a little-endian host"
#endif

/* A section table entry once its bounds are known to lie inside the file. */
typedef struct section {
    uint32_t type;
    uint32_t encoding;
    uint64_t offset;
    uint64_t length;
    uint32_t checksum;
} section;

/* ------------------------------------------------------- header and table --- */

/* Magic, version and size: the checks that decide between "not a model",
 * "a model from the future" and "a model cut short", made before anything is
 * copied or checksummed. */
static shelf_status check_header_prefix(const uint8_t *data, size_t size) {
    /* Bad magic is judged on the bytes available, so that any prefix of a model,
     * even an empty one, is reported as truncated rather than as foreign. */
    size_t magic_bytes = size < SHELF__MAGIC_SIZE ? size : SHELF__MAGIC_SIZE;
    if (memcmp(data, SHELF__MAGIC, magic_bytes) != 0) return SHELF_E_BAD_MAGIC;
    if (size < SHELF__HEADER_SIZE) return SHELF_E_TRUNCATED;
    if (shelf__load_u32(data + SHELF__HDR_VERSION) != SHELF__FORMAT_VERSION)
        return SHELF_E_UNSUPPORTED_VERSION;
    uint64_t file_size = shelf__load_u64(data + SHELF__HDR_FILE_SIZE);
    if (file_size > (uint64_t)size) return SHELF_E_TRUNCATED;
    if (file_size < (uint64_t)size) return SHELF_E_BAD_HEADER;
    return SHELF_OK;
}

static int all_zero(const uint8_t *p, size_t size) {
    for (size_t i = 0; i < size; i++)
        if (p[i]) return 0;
    return 1;
}

/* The rest of the header, the table and the section checksums. On success
 * sections[type] holds the entry of each type present (type 0 when absent). */
static shelf_status check_layout(const uint8_t *data, size_t size,
                                 section sections[SHELF__SECTION_TYPE_LIMIT]) {
    uint64_t file_size = size;
    uint32_t count = shelf__load_u32(data + SHELF__HDR_SECTION_COUNT);
    if (count < 1 || count > SHELF__MAX_SECTIONS) return SHELF_E_BAD_HEADER;
    uint64_t table_end = SHELF__HEADER_SIZE + (uint64_t)count * SHELF__SECTION_ENTRY_SIZE;
    if (table_end > file_size) return SHELF_E_BAD_SECTION_TABLE;

    /* The header checksum goes first among the content checks: a damaged header
     * or table is reported as damage, not as whatever the damage looks like. */
    static const uint8_t zero4[4] = {0};
    uint32_t crc = shelf__crc32(0, data, SHELF__HDR_CHECKSUM);
    crc = shelf__crc32(crc, zero4, 4);
    crc = shelf__crc32(crc, data + SHELF__HDR_CHECKSUM + 4, (size_t)table_end - (SHELF__HDR_CHECKSUM + 4));
    if (crc != shelf__load_u32(data + SHELF__HDR_CHECKSUM)) return SHELF_E_CHECKSUM_MISMATCH;

    if (shelf__load_u32(data + SHELF__HDR_FLAGS) != 0) return SHELF_E_BAD_HEADER;
    if (!all_zero(data + SHELF__HDR_RESERVED, SHELF__HDR_RESERVED_SIZE)) return SHELF_E_BAD_HEADER;

    memset(sections, 0, SHELF__SECTION_TYPE_LIMIT * sizeof *sections);
    section table[SHELF__MAX_SECTIONS];
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = data + SHELF__HEADER_SIZE + (size_t)i * SHELF__SECTION_ENTRY_SIZE;
        section s = {shelf__load_u32(e + SHELF__SEC_TYPE), shelf__load_u32(e + SHELF__SEC_ENCODING),
                     shelf__load_u64(e + SHELF__SEC_OFFSET), shelf__load_u64(e + SHELF__SEC_LENGTH),
                     shelf__load_u32(e + SHELF__SEC_CHECKSUM)};
        if (s.type == 0 || s.type >= SHELF__SECTION_TYPE_LIMIT) return SHELF_E_BAD_SECTION_TABLE;
        if (sections[s.type].type != 0) return SHELF_E_BAD_SECTION_TABLE;  /* repeated type */
        if (shelf__load_u32(e + SHELF__SEC_RESERVED) != 0) return SHELF_E_BAD_SECTION_TABLE;
        if (s.offset % SHELF__SECTION_ALIGN != 0 || s.offset < table_end) return SHELF_E_BAD_SECTION_TABLE;
        /* Written so that no sum can wrap: offset + length could exceed 2^64. */
        if (s.length > file_size || s.offset > file_size - s.length) return SHELF_E_BAD_SECTION_TABLE;
        /* Sorted and disjoint; strictly increasing offsets also order empty sections. */
        if (i > 0 && (s.offset <= table[i - 1].offset ||
                      s.offset < table[i - 1].offset + table[i - 1].length))
            return SHELF_E_BAD_SECTION_TABLE;
        table[i] = s;
        sections[s.type] = s;
    }

    /* The file ends at the last section, rounded up to the alignment. */
    uint64_t last_end = table[count - 1].offset + table[count - 1].length;
    if (file_size % SHELF__SECTION_ALIGN != 0 || file_size - last_end >= SHELF__SECTION_ALIGN)
        return SHELF_E_BAD_SECTION_TABLE;

    /* Every byte outside the header, the table and the sections must be zero, so
     * that every byte of a valid file is either checksummed or known. */
    uint64_t gap_start = table_end;
    for (uint32_t i = 0; i <= count; i++) {
        uint64_t gap_end = i < count ? table[i].offset : file_size;
        if (!all_zero(data + gap_start, (size_t)(gap_end - gap_start))) return SHELF_E_BAD_SECTION_TABLE;
        if (i < count) gap_start = table[i].offset + table[i].length;
    }

    for (uint32_t i = 0; i < count; i++)
        if (shelf__crc32(0, data + table[i].offset, (size_t)table[i].length) != table[i].checksum)
            return SHELF_E_CHECKSUM_MISMATCH;

    if (sections[SHELF__SECTION_METADATA].type == 0 || sections[SHELF__SECTION_ITEM_IDS].type == 0 ||
        sections[SHELF__SECTION_POPULARITY].type == 0)
        return SHELF_E_MISSING_SECTION;
    /* Version 2 builds the item index itself: a shipped one is a version 1 file's. */
    if (sections[SHELF__SECTION_ITEM_INDEX].type != 0) return SHELF_E_BAD_SECTION_TABLE;
    /* The catalog is the two sections together or neither. */
    if ((sections[SHELF__SECTION_CATEGORY_NAMES].type == 0) !=
        (sections[SHELF__SECTION_ITEM_ATTRIBUTES].type == 0))
        return SHELF_E_MISSING_SECTION;
    return SHELF_OK;
}

/* ---------------------------------------------------------------- sections --- */

/* A validated section body: the offsets and lengths fit in size_t because they lie
 * inside a buffer that exists. */
typedef struct body {
    const uint8_t *p;
    size_t length;
    uint32_t encoding;
} body;

static body body_of(const shelf_model *m, const section *s) {
    body b = {m->bytes + (size_t)s->offset, (size_t)s->length, s->encoding};
    return b;
}

/* Aligned views: the file starts 8-aligned and every array starts at a multiple
 * of 4 within its 64-aligned section (FORMAT.md, "Alignment"). */
static const uint32_t *u32_view(const uint8_t *p) { return (const uint32_t *)(const void *)p; }
static const float *f32_view(const uint8_t *p) { return (const float *)(const void *)p; }

static int finite_nonnegative(float x) { return x >= 0.0f && x <= FLT_MAX; }  /* false for NaN */

static size_t string_size(const shelf__strings *s, uint32_t i) {
    return s->offsets[i + 1] - s->offsets[i] - 1;
}

static int string_equals(const shelf__strings *s, uint32_t i, const char *text, size_t size) {
    return string_size(s, i) == size && memcmp(s->blob + s->offsets[i], text, size) == 0;
}

/* count NUL-terminated strings of at least one byte, one after another, exactly
 * filling the blob; their offsets are built here (owned by *out). */
static shelf_status decode_strings(body b, shelf__strings *out) {
    if (b.encoding != SHELF__ENCODING_F32) return SHELF_E_BAD_SECTION;
    if (b.length < SHELF__SECTION_PREFIX) return SHELF_E_BAD_SECTION;
    uint32_t count = shelf__load_u32(b.p);
    uint32_t blob_size = shelf__load_u32(b.p + 4);
    if (shelf__strings_section_size(blob_size) != b.length) return SHELF_E_BAD_SECTION;
    /* Each string takes 2 bytes at least, so count is bounded by the file's size. */
    if (count > blob_size / 2 || count > SHELF__MAX_ITEMS) return SHELF_E_BAD_SECTION;
    const char *blob = (const char *)(b.p + SHELF__SECTION_PREFIX);
    uint32_t *offsets = malloc(((size_t)count + 1) * sizeof *offsets);
    if (!offsets) return SHELF_E_OUT_OF_MEMORY;
    uint32_t at = 0;
    for (uint32_t i = 0; i < count; i++) {
        const char *nul = at < blob_size ? memchr(blob + at, 0, blob_size - at) : NULL;
        if (!nul || nul == blob + at) {
            free(offsets);
            return SHELF_E_BAD_SECTION;  /* missing, or empty */
        }
        offsets[i] = at;
        at = (uint32_t)(nul - blob) + 1;
    }
    if (at != blob_size) {
        free(offsets);
        return SHELF_E_BAD_SECTION;  /* bytes after the last string */
    }
    offsets[count] = at;
    out->count = count;
    out->offsets = offsets;
    out->blob = blob;
    return SHELF_OK;
}

/* The item index: linear probing from each id's hash in a power-of-two table at
 * most half full. The ids come from an untrusted file, so the total probe work is
 * bounded: with any reasonable hash it averages about 1.5 slots per item, and ids
 * chosen to collide (which would make opening quadratic) fail the model instead.
 * Duplicate ids fail it too: an id must name one item. */
#define INDEX_PROBES_PER_ITEM 16u

static shelf_status build_index(shelf_model *m) {
    const uint32_t count = m->item_count;
    uint32_t capacity = 2;
    while (capacity < 2 * count) capacity <<= 1;  /* count <= 2^30 */
    uint32_t *slots = malloc((size_t)capacity * sizeof *slots);
    if (!slots) return SHELF_E_OUT_OF_MEMORY;
    memset(slots, 0xFF, (size_t)capacity * sizeof *slots);  /* SHELF__NO_INDEX */
    const uint32_t mask = capacity - 1;
    uint64_t budget = (uint64_t)INDEX_PROBES_PER_ITEM * count + 64;
    for (uint32_t item = 0; item < count; item++) {
        const char *id = m->item_ids.blob + m->item_ids.offsets[item];
        size_t size = string_size(&m->item_ids, item);
        uint32_t slot = shelf__hash32(id, size) & mask;
        for (; slots[slot] != SHELF__NO_INDEX; slot = (slot + 1) & mask) {
            if (budget-- == 0 || string_equals(&m->item_ids, slots[slot], id, size)) {
                free(slots);
                return SHELF_E_BAD_SECTION;
            }
        }
        slots[slot] = item;
    }
    m->index_capacity = capacity;
    m->index_slots = slots;
    return SHELF_OK;
}

static shelf_status decode_attributes(shelf_model *m, body b) {
    if (b.encoding != SHELF__ENCODING_F32) return SHELF_E_BAD_SECTION;
    if (b.length < SHELF__SECTION_PREFIX) return SHELF_E_BAD_SECTION;
    uint32_t count = shelf__load_u32(b.p);
    if (count != m->item_count || shelf__load_u32(b.p + 4) != 0) return SHELF_E_BAD_SECTION;
    if (shelf__attributes_section_size(count) != b.length) return SHELF_E_BAD_SECTION;
    const uint32_t *category = u32_view(b.p + SHELF__SECTION_PREFIX);
    const float *price = f32_view(b.p + SHELF__SECTION_PREFIX + 4 * (size_t)count);
    const uint8_t *flags = b.p + SHELF__SECTION_PREFIX + 8 * (size_t)count;
    for (uint32_t i = 0; i < count; i++) {
        if (category[i] >= m->categories.count && category[i] != SHELF__NO_INDEX) return SHELF_E_BAD_SECTION;
        if (!isnan(price[i]) && !finite_nonnegative(price[i])) return SHELF_E_BAD_SECTION;
        if (flags[i] & ~SHELF__ITEM_FLAGS_KNOWN) return SHELF_E_BAD_SECTION;
    }
    m->item_category = category;
    m->item_price = price;
    m->item_flags = flags;
    return SHELF_OK;
}

static shelf_status decode_popularity(shelf_model *m, body b) {
    if (b.encoding != SHELF__ENCODING_F32 && b.encoding != SHELF__ENCODING_Q16) return SHELF_E_BAD_SECTION;
    if (b.length < SHELF__SECTION_PREFIX) return SHELF_E_BAD_SECTION;
    uint32_t count = shelf__load_u32(b.p);
    if (count != m->item_count || shelf__load_u32(b.p + 4) != 0) return SHELF_E_BAD_SECTION;
    if (shelf__popularity_section_size(count, (shelf__encoding)b.encoding) != b.length) return SHELF_E_BAD_SECTION;
    const uint8_t *p = b.p + SHELF__SECTION_PREFIX;
    if (b.encoding == SHELF__ENCODING_Q16) {
        float *values = malloc((count ? count : 1) * sizeof *values);
        if (!values) return SHELF_E_OUT_OF_MEMORY;
        const uint16_t *codes = (const uint16_t *)(const void *)p;
        for (uint32_t i = 0; i < count; i++) values[i] = (float)codes[i] / 65535.0f;
        if ((count & 1) && codes[count] != 0) {
            free(values);
            return SHELF_E_BAD_SECTION;  /* the padding */
        }
        m->popularity = m->popularity_owned = values;
        return SHELF_OK;
    }
    const float *values = f32_view(p);
    for (uint32_t i = 0; i < count; i++)
        if (!(values[i] >= 0.0f && values[i] <= 1.0f)) return SHELF_E_BAD_SECTION;
    m->popularity = values;
    return SHELF_OK;
}

/* Neighbour tables: F32 (CSR, any order) or EF4 (Elias-Fano rows). Both name items
 * below the item count, at most SHELF__MAX_NEIGHBOURS per row, with finite weights >= 0. */
static shelf_status decode_f32_neighbours(shelf_model *m, body b, uint32_t rows, uint32_t nnz, shelf__neighbours *n) {
    if (shelf__f32_neighbours_section_size(rows, nnz) != b.length) return SHELF_E_BAD_SECTION;
    const uint8_t *p = b.p + SHELF__SECTION_PREFIX;
    n->row_start = u32_view(p);
    n->items = u32_view(p + 4 * ((size_t)rows + 1));
    n->weights_f32 = f32_view(p + 4 * ((size_t)rows + 1) + 4 * (size_t)nnz);
    if (n->row_start[0] != 0 || n->row_start[rows] != nnz) return SHELF_E_BAD_SECTION;
    for (uint32_t r = 0; r < rows; r++)
        if (n->row_start[r + 1] < n->row_start[r] || n->row_start[r + 1] - n->row_start[r] > SHELF__MAX_NEIGHBOURS)
            return SHELF_E_BAD_SECTION;
    for (uint32_t e = 0; e < nnz; e++)
        if (n->items[e] >= m->item_count || !finite_nonnegative(n->weights_f32[e])) return SHELF_E_BAD_SECTION;
    return SHELF_OK;
}

static shelf_status decode_ef4_neighbours(body b, uint32_t rows, uint32_t nnz, shelf__neighbours *n) {
    const uint64_t data_offset = shelf__ef4_rows_offset(rows);
    if (data_offset > b.length) return SHELF_E_BAD_SECTION;
    n->counts = b.p + SHELF__SECTION_PREFIX;
    n->scales = (const uint16_t *)(const void *)(b.p + SHELF__SECTION_PREFIX + shelf__pad4(rows));
    n->data = b.p + data_offset;
    /* The rows' sizes follow from their counts: add them up, without trusting nnz
     * or the section length until the sums are known to agree with them. */
    uint64_t entries = 0, bytes = 0;
    for (uint32_t r = 0; r < rows; r++) {
        entries += n->counts[r];
        bytes += shelf__ef4_row_bytes(n->counts[r], rows);
        /* Every weight, up to 15 times the scale, must be finite too. */
        float scale = shelf__bf16_to_f32(n->scales[r]);
        if (!finite_nonnegative(scale) || scale > FLT_MAX / 15.0f) return SHELF_E_BAD_SECTION;
    }
    if (entries != nnz || bytes != b.length - data_offset || bytes > UINT32_MAX) return SHELF_E_BAD_SECTION;
    for (uint64_t pad = rows; pad < shelf__pad4(rows); pad++)
        if (n->counts[pad]) return SHELF_E_BAD_SECTION;
    if ((rows & 1) && n->scales[rows] != 0) return SHELF_E_BAD_SECTION;
    n->row_offset = malloc(((size_t)rows + 1) * sizeof *n->row_offset);
    if (!n->row_offset) return SHELF_E_OUT_OF_MEMORY;
    uint32_t at = 0;
    for (uint32_t r = 0; r < rows; r++) {
        n->row_offset[r] = at;
        at += (uint32_t)shelf__ef4_row_bytes(n->counts[r], rows);
    }
    n->row_offset[rows] = at;
    for (uint32_t r = 0; r < rows; r++)
        if (!shelf__ef4_row_valid(n, r)) return SHELF_E_BAD_SECTION;
    return SHELF_OK;
}

static shelf_status decode_neighbours(shelf_model *m, body b, shelf__neighbours *out) {
    if (b.encoding != SHELF__ENCODING_F32 && b.encoding != SHELF__ENCODING_EF4) return SHELF_E_BAD_SECTION;
    if (b.length < SHELF__SECTION_PREFIX) return SHELF_E_BAD_SECTION;
    uint32_t rows = shelf__load_u32(b.p), nnz = shelf__load_u32(b.p + 4);
    if (rows != m->item_count) return SHELF_E_BAD_SECTION;
    shelf__neighbours n;
    memset(&n, 0, sizeof n);
    n.present = 1;
    n.encoding = (shelf__encoding)b.encoding;
    n.nnz = nnz;
    n.universe = rows;
    shelf_status status = b.encoding == SHELF__ENCODING_F32 ? decode_f32_neighbours(m, b, rows, nnz, &n)
                                                            : decode_ef4_neighbours(b, rows, nnz, &n);
    /* The table is the model's from here, so that close frees what was built. */
    *out = n;
    if (status != SHELF_OK) out->present = 0;
    return status;
}

static shelf_status decode_embeddings(shelf_model *m, body b) {
    if (b.encoding != SHELF__ENCODING_F32 && b.encoding != SHELF__ENCODING_Q8) return SHELF_E_BAD_SECTION;
    if (b.length < SHELF__SECTION_PREFIX) return SHELF_E_BAD_SECTION;
    shelf__encoding encoding = (shelf__encoding)b.encoding;
    uint32_t rows = shelf__load_u32(b.p);
    uint32_t dims = shelf__load_u32(b.p + 4);
    if (rows != m->item_count) return SHELF_E_BAD_SECTION;
    if (dims < 16 || dims > SHELF__MAX_DIMS || dims % 16 != 0) return SHELF_E_BAD_SECTION;
    if (shelf__embeddings_section_size(rows, dims, encoding) != b.length) return SHELF_E_BAD_SECTION;

    /* rows * dims fits in size_t now: that many bytes (at least) lie in the buffer. */
    size_t values = (size_t)rows * dims;
    const uint8_t *p = b.p + SHELF__SECTION_PREFIX;
    shelf__embeddings e = {1, encoding, dims, NULL, NULL, NULL};
    if (encoding == SHELF__ENCODING_F32) {
        e.rows_f32 = f32_view(p);
        for (size_t i = 0; i < values; i++)
            if (!isfinite(e.rows_f32[i])) return SHELF_E_BAD_SECTION;
    } else {
        const uint16_t *scales = (const uint16_t *)(const void *)p;
        float *decoded = malloc(((size_t)rows + 1) * sizeof *decoded);
        if (!decoded) return SHELF_E_OUT_OF_MEMORY;
        m->embeddings.row_scales = decoded;  /* the model's from here: close frees it */
        for (uint32_t r = 0; r < rows; r++) {
            decoded[r] = shelf__bf16_to_f32(scales[r]);
            /* Every value, up to 127 times the scale, must be finite too. */
            if (!finite_nonnegative(decoded[r]) || decoded[r] > FLT_MAX / 127.0f) return SHELF_E_BAD_SECTION;
        }
        if ((rows & 1) && scales[rows] != 0) return SHELF_E_BAD_SECTION;  /* the padding */
        e.row_scales = decoded;
        e.rows_q8 = (const int8_t *)(p + shelf__pad4(2u * (uint64_t)rows));
        /* -128 has no positive twin: codes stay symmetric so that kernels may negate. */
        for (size_t i = 0; i < values; i++)
            if (e.rows_q8[i] == -128) return SHELF_E_BAD_SECTION;
    }
    m->embeddings = e;
    return SHELF_OK;
}

/* Decodes every section into m's views, items first: the others are checked
 * against the item count, and the metadata against all of them. */
static shelf_status decode_sections(shelf_model *m, const section sections[SHELF__SECTION_TYPE_LIMIT]) {
    SHELF__TRY(decode_strings(body_of(m, &sections[SHELF__SECTION_ITEM_IDS]), &m->item_ids));
    if (m->item_ids.count == 0) return SHELF_E_BAD_SECTION;
    m->item_count = m->item_ids.count;
    SHELF__TRY(build_index(m));
    if (sections[SHELF__SECTION_CATEGORY_NAMES].type != 0) {
        SHELF__TRY(decode_strings(body_of(m, &sections[SHELF__SECTION_CATEGORY_NAMES]), &m->categories));
        SHELF__TRY(decode_attributes(m, body_of(m, &sections[SHELF__SECTION_ITEM_ATTRIBUTES])));
    }
    SHELF__TRY(decode_popularity(m, body_of(m, &sections[SHELF__SECTION_POPULARITY])));
    if (sections[SHELF__SECTION_COVISIT].type != 0)
        SHELF__TRY(decode_neighbours(m, body_of(m, &sections[SHELF__SECTION_COVISIT]), &m->covisit));
    if (sections[SHELF__SECTION_SEQUENTIAL].type != 0)
        SHELF__TRY(decode_neighbours(m, body_of(m, &sections[SHELF__SECTION_SEQUENTIAL]), &m->sequential));
    if (sections[SHELF__SECTION_EMBEDDINGS].type != 0)
        SHELF__TRY(decode_embeddings(m, body_of(m, &sections[SHELF__SECTION_EMBEDDINGS])));

    body meta = body_of(m, &sections[SHELF__SECTION_METADATA]);
    if (meta.encoding != SHELF__ENCODING_F32) return SHELF_E_BAD_SECTION;
    m->metadata = (const char *)meta.p;
    m->metadata_size = meta.length;
    return shelf__metadata_parse(m);
}

/* ------------------------------------------------------------- open, close --- */

shelf_status shelf_model_open(const void *data, size_t size, shelf_model **model) {
    if (!data || !model) return SHELF_E_NULL_ARGUMENT;
    SHELF__TRY(check_header_prefix(data, size));

    shelf_model *m = calloc(1, sizeof *m);
    if (!m) return SHELF_E_OUT_OF_MEMORY;
    /* The views need 4-byte alignment of every array (8 is promised, for future
     * 64-bit fields). Misaligned input is copied once; malloc aligns to at least 8.
     * The copy is made before validation, so the bytes checked are the bytes used. */
    if ((uintptr_t)data % 8 != 0) {
        m->owned = malloc(size);
        if (!m->owned) {
            free(m);
            return SHELF_E_OUT_OF_MEMORY;
        }
        memcpy(m->owned, data, size);
        m->bytes = m->owned;
    } else {
        m->bytes = data;
    }
    m->size = size;

    section sections[SHELF__SECTION_TYPE_LIMIT];
    shelf_status status = check_layout(m->bytes, size, sections);
    if (status == SHELF_OK) status = decode_sections(m, sections);
    if (status != SHELF_OK) {
        shelf_model_close(m);
        return status;
    }
    *model = m;
    return SHELF_OK;
}

void shelf_model_close(shelf_model *model) {
    if (!model) return;
    free(model->item_ids.offsets);
    free(model->categories.offsets);
    free(model->index_slots);
    free(model->popularity_owned);
    free((void *)model->embeddings.row_scales);
    free(model->covisit.row_offset);
    free(model->sequential.row_offset);
    free(model->name);
    free(model->owned);
    free(model->owned_attributes);
    free(model);
}

/* --------------------------------------------------------------- accessors --- */

uint32_t shelf_model_item_count(const shelf_model *model) { return model ? model->item_count : 0; }

uint32_t shelf_model_dims(const shelf_model *model) {
    return model && model->embeddings.present ? model->embeddings.dims : 0;
}

const char *shelf_model_name(const shelf_model *model) { return model ? model->name : NULL; }

const char *shelf_model_metadata(const shelf_model *model, size_t *size) {
    if (!model) return NULL;
    if (size) *size = model->metadata_size;
    return model->metadata;
}

shelf_status shelf_model_find_item(const shelf_model *model, const char *id, size_t id_size,
                                   uint32_t *item) {
    if (!model || !id || !item) return SHELF_E_NULL_ARGUMENT;
    const uint32_t mask = model->index_capacity - 1;
    uint32_t slot = shelf__hash32(id, id_size) & mask;
    /* The table is at most half full, so an empty slot ends every probe; the bound is belt and braces. */
    for (uint32_t probes = 0; probes < model->index_capacity; probes++, slot = (slot + 1) & mask) {
        uint32_t candidate = model->index_slots[slot];
        if (candidate == SHELF__NO_INDEX) break;
        if (string_equals(&model->item_ids, candidate, id, id_size)) {
            *item = candidate;
            return SHELF_OK;
        }
    }
    return SHELF_E_UNKNOWN_ITEM;
}

uint64_t shelf__model_item_key(const shelf_model *model, uint32_t item) {
    const char *id = model->item_ids.blob + model->item_ids.offsets[item];
    return shelf__hash64(id, string_size(&model->item_ids, item)) & SHELF__ITEM_KEY_MASK;
}

/* The index's probe sequence for an id starts at its hash's low 32 bits, which a
 * key keeps: follow it, comparing keys instead of ids. */
shelf_status shelf__model_find_item_by_key(const shelf_model *model, uint64_t key, uint32_t *item) {
    const uint32_t mask = model->index_capacity - 1;
    uint32_t slot = (uint32_t)key & mask;
    for (uint32_t probes = 0; probes < model->index_capacity; probes++, slot = (slot + 1) & mask) {
        uint32_t candidate = model->index_slots[slot];
        if (candidate == SHELF__NO_INDEX) break;
        if (shelf__model_item_key(model, candidate) == key) {
            *item = candidate;
            return SHELF_OK;
        }
    }
    return SHELF_E_UNKNOWN_ITEM;
}

static const char *string_at(const shelf__strings *s, uint32_t i, size_t *size) {
    if (i >= s->count) return NULL;
    if (size) *size = string_size(s, i);
    return s->blob + s->offsets[i];
}

const char *shelf_model_item_id(const shelf_model *model, uint32_t item, size_t *size) {
    return model ? string_at(&model->item_ids, item, size) : NULL;
}

uint32_t shelf_model_category_count(const shelf_model *model) { return model ? model->categories.count : 0; }

/* Categories are few (tens to thousands) and looked up when a request is built,
 * not per item scored: a linear scan keeps the format free of a second index. */
shelf_status shelf_model_find_category(const shelf_model *model, const char *name, size_t name_size,
                                       uint32_t *category) {
    if (!model || !name || !category) return SHELF_E_NULL_ARGUMENT;
    for (uint32_t c = 0; c < model->categories.count; c++) {
        if (string_equals(&model->categories, c, name, name_size)) {
            *category = c;
            return SHELF_OK;
        }
    }
    return SHELF_E_UNKNOWN_CATEGORY;
}

const char *shelf_model_category_name(const shelf_model *model, uint32_t category, size_t *size) {
    return model ? string_at(&model->categories, category, size) : NULL;
}

shelf_status shelf_model_item_attributes(const shelf_model *model, uint32_t item, uint32_t *category,
                                         float *price, uint32_t *flags) {
    if (!model) return SHELF_E_NULL_ARGUMENT;
    if (item >= model->item_count) return SHELF_E_UNKNOWN_ITEM;
    if (category) *category = model->item_category ? model->item_category[item] : SHELF_NO_CATEGORY;
    if (price) *price = model->item_price ? model->item_price[item] : NAN;
    if (flags) *flags = model->item_flags ? model->item_flags[item] : SHELF_ITEM_IN_STOCK;
    return SHELF_OK;
}
