/* The metadata section (models/FORMAT.md, "Metadata"): a UTF-8 JSON object that
 * names the model and holds the blend settings that scoring needs.
 *
 * cJSON is used for parsing only (cJSON_ParseWithLengthOpts, cJSON_Delete): its
 * printing functions would pull long-double formatting into the WebAssembly build. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "model_metadata.h"
#include "shelf_common.h"

/* cJSON's allocator while metadata is parsed: malloc, noting a failure. */
static _Thread_local int json_out_of_memory;
static void *json_malloc(size_t size) {
    void *p = malloc(size);
    if (!p) json_out_of_memory = 1;
    return p;
}

int shelf__utf8_valid(const uint8_t *p, size_t size) {
    size_t i = 0;
    while (i < size) {
        uint8_t c = p[i];
        if (c >= 0x01 && c <= 0x7F) {
            i++;
            continue;
        }
        /* The second byte's range excludes overlong forms (E0, F0), UTF-16
         * surrogates (ED) and code points above U+10FFFF (F4). */
        size_t extra;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) extra = 1;
        else if (c == 0xE0) extra = 2, lo = 0xA0;
        else if (c >= 0xE1 && c <= 0xEC) extra = 2;
        else if (c == 0xED) extra = 2, hi = 0x9F;
        else if (c >= 0xEE && c <= 0xEF) extra = 2;
        else if (c == 0xF0) extra = 3, lo = 0x90;
        else if (c >= 0xF1 && c <= 0xF3) extra = 3;
        else if (c == 0xF4) extra = 3, hi = 0x8F;
        else return 0;  /* NUL, a stray continuation byte, C0, C1, F5..FF */
        if (size - i - 1 < extra) return 0;
        if (p[i + 1] < lo || p[i + 1] > hi) return 0;
        for (size_t k = 2; k <= extra; k++)
            if (p[i + k] < 0x80 || p[i + k] > 0xBF) return 0;
        i += 1 + extra;
    }
    return 1;
}

/* A JSON number that is finite both as a double and once narrowed to float. */
static int number_to_float(const cJSON *item, float *out) {
    if (!cJSON_IsNumber(item)) return 0;
    double d = item->valuedouble;
    if (!(d >= -FLT_MAX && d <= FLT_MAX)) return 0;  /* also rejects NaN */
    *out = (float)d;
    return 1;
}

static int read_nonnegative(const cJSON *item, float *out) {
    float f;
    if (!number_to_float(item, &f) || !(f >= 0.0f)) return 0;
    *out = f;
    return 1;
}

static int read_positive(const cJSON *item, float *out) {
    float f;
    /* Checked after narrowing: 1e-50 is positive as a double but 0 as a float. */
    if (!number_to_float(item, &f) || !(f > 0.0f)) return 0;
    *out = f;
    return 1;
}

static int read_event_weights(const cJSON *object, shelf__blend *blend) {
    if (!cJSON_IsObject(object)) return 0;
    unsigned seen = 0;
    for (const cJSON *child = object->child; child; child = child->next) {
        int e = shelf__name_index(child->string, shelf__event_type_names, SHELF_EVENT_TYPE_COUNT);
        /* An unknown event type is an error, not a note: a reader that ignored it
         * would score sessions differently from what the trainer measured. */
        if (e < 0 || (seen & 1u << e)) return 0;
        seen |= 1u << e;
        if (!read_nonnegative(child, &blend->event_weights[e])) return 0;
    }
    return 1;
}

static int read_scorer(const cJSON *object, shelf__scorer_settings *scorer) {
    if (!cJSON_IsObject(object)) return 0;
    int seen_weight = 0, seen_decay = 0;
    for (const cJSON *child = object->child; child; child = child->next) {
        if (strcmp(child->string, "weight") == 0) {
            if (seen_weight++ || !read_nonnegative(child, &scorer->weight)) return 0;
        } else if (strcmp(child->string, "position_decay") == 0) {
            if (seen_decay++ || !read_positive(child, &scorer->position_decay)) return 0;
        }
        /* Other keys are the trainer's notes (e.g. how many neighbours it kept). */
    }
    return 1;
}

static int read_scorers(const cJSON *object, shelf__blend *blend) {
    if (!cJSON_IsObject(object)) return 0;
    unsigned seen = 0;
    for (const cJSON *child = object->child; child; child = child->next) {
        int s = shelf__name_index(child->string, shelf__scorer_names, SHELF__SCORER_COUNT);
        /* An unknown scorer would be silently dropped from the blend: refuse it. */
        if (s < 0 || (seen & 1u << s)) return 0;
        seen |= 1u << s;
        if (!read_scorer(child, &blend->scorers[s])) return 0;
    }
    return 1;
}

/* A JSON array of exactly `count` finite numbers into out[]. */
static int read_floats(const cJSON *array, float *out, uint32_t count) {
    if (!cJSON_IsArray(array)) return 0;
    uint32_t i = 0;
    for (const cJSON *child = array->child; child; child = child->next) {
        if (i == count || !number_to_float(child, &out[i])) return 0;
        i++;
    }
    return i == count;
}

/* A JSON number that is a whole number in [lo, hi]. */
static int read_count(const cJSON *item, uint32_t lo, uint32_t hi, uint32_t *out) {
    if (!cJSON_IsNumber(item)) return 0;
    double d = item->valuedouble;
    if (!(d >= lo && d <= hi) || d != (double)(uint32_t)d) return 0;
    *out = (uint32_t)d;
    return 1;
}

/* "ranker": {"features": F, "hidden": H, "candidates": M, "input_weights": [H arrays of F],
 * "input_bias": [H], "output_weights": [H]}. A feature count other than this
 * library's is refused: its features would mean something else. */
static int read_ranker(const cJSON *object, shelf__ranker *r) {
    if (!cJSON_IsObject(object)) return 0;
    const cJSON *features = cJSON_GetObjectItemCaseSensitive(object, "features");
    const cJSON *weights = cJSON_GetObjectItemCaseSensitive(object, "input_weights");
    uint32_t f = 0;
    if (!read_count(features, SHELF__RANKER_FEATURES, SHELF__RANKER_FEATURES, &f) ||
        !read_count(cJSON_GetObjectItemCaseSensitive(object, "hidden"), 1, SHELF__RANKER_MAX_HIDDEN, &r->hidden) ||
        !read_count(cJSON_GetObjectItemCaseSensitive(object, "candidates"), 1, SHELF__RANKER_MAX_CANDIDATES,
                    &r->candidates) ||
        !read_floats(cJSON_GetObjectItemCaseSensitive(object, "input_bias"), r->input_bias, r->hidden) ||
        !read_floats(cJSON_GetObjectItemCaseSensitive(object, "output_weights"), r->output_weights, r->hidden) ||
        !cJSON_IsArray(weights))
        return 0;
    uint32_t h = 0;
    float row_values[SHELF__RANKER_FEATURES];
    for (const cJSON *row = weights->child; row; row = row->next) {
        if (h == r->hidden || !read_floats(row, row_values, SHELF__RANKER_FEATURES)) return 0;
        for (uint32_t i = 0; i < SHELF__RANKER_FEATURES; i++) r->input_weights[i][h] = row_values[i];
        h++;
    }
    return h == r->hidden;
}

/* Whether `item` is a JSON number equal to `expected`. */
static int number_equals(const cJSON *item, uint32_t expected) {
    return cJSON_IsNumber(item) && item->valuedouble == (double)expected;
}

static const char *const top_keys[] = {"name", "created", "items", "dims", "event_weights",
                                       "time_half_life", "scorers", "ranker", "trainer"};
enum { KEY_NAME, KEY_CREATED, KEY_ITEMS, KEY_DIMS, KEY_EVENT_WEIGHTS, KEY_HALF_LIFE,
       KEY_SCORERS, KEY_RANKER, KEY_TRAINER, KEY_COUNT };

/* Fills *blend and *name from the parsed root; *name is a pointer into `root`. */
static shelf_status read_root(const cJSON *root, const shelf_model *model, shelf__blend *blend,
                              shelf__ranker *ranker, const char **name) {
    if (!cJSON_IsObject(root)) return SHELF_E_BAD_METADATA;

    for (int s = 0; s < SHELF__SCORER_COUNT; s++) {
        blend->scorers[s].weight = 0.0f;
        blend->scorers[s].position_decay = 4.0f;
    }
    static const float default_event_weights[SHELF_EVENT_TYPE_COUNT] = {1.0f, 1.0f, 3.0f, 4.0f,
                                                                        1.0f, 0.02f};
    memcpy(blend->event_weights, default_event_weights, sizeof blend->event_weights);
    blend->time_half_life = 0.0f;

    const cJSON *found[KEY_COUNT] = {0};
    for (const cJSON *child = root->child; child; child = child->next) {
        int k = shelf__name_index(child->string, top_keys, KEY_COUNT);
        if (k < 0) continue;  /* unknown top-level keys are notes, kept for newer writers */
        if (found[k]) return SHELF_E_BAD_METADATA;  /* a repeated key is ambiguous */
        found[k] = child;
    }

    if (!cJSON_IsString(found[KEY_NAME])) return SHELF_E_BAD_METADATA;
    *name = found[KEY_NAME]->valuestring;
    if (found[KEY_CREATED] && !cJSON_IsString(found[KEY_CREATED])) return SHELF_E_BAD_METADATA;
    if (found[KEY_ITEMS] && !number_equals(found[KEY_ITEMS], model->item_count))
        return SHELF_E_BAD_METADATA;
    uint32_t dims = model->embeddings.present ? model->embeddings.dims : 0;
    if (found[KEY_DIMS] && !number_equals(found[KEY_DIMS], dims)) return SHELF_E_BAD_METADATA;
    if (found[KEY_EVENT_WEIGHTS] && !read_event_weights(found[KEY_EVENT_WEIGHTS], blend))
        return SHELF_E_BAD_METADATA;
    if (found[KEY_HALF_LIFE] && !read_nonnegative(found[KEY_HALF_LIFE], &blend->time_half_life))
        return SHELF_E_BAD_METADATA;
    if (found[KEY_SCORERS] && !read_scorers(found[KEY_SCORERS], blend)) return SHELF_E_BAD_METADATA;
    memset(ranker, 0, sizeof *ranker);
    if (found[KEY_RANKER] && !read_ranker(found[KEY_RANKER], ranker)) return SHELF_E_BAD_METADATA;

    /* A weight promises parameters: a model that cannot deliver them is broken. */
    if ((blend->scorers[SHELF__SCORER_COVISIT].weight > 0.0f && !model->covisit.present) ||
        (blend->scorers[SHELF__SCORER_SEQUENTIAL].weight > 0.0f && !model->sequential.present) ||
        (blend->scorers[SHELF__SCORER_EMBEDDING].weight > 0.0f && !model->embeddings.present))
        return SHELF_E_BAD_METADATA;

    /* Every model can rank: without any weight, fall back to popularity alone. */
    int any = 0;
    for (int s = 0; s < SHELF__SCORER_COUNT; s++) any |= blend->scorers[s].weight > 0.0f;
    if (!any) blend->scorers[SHELF__SCORER_POPULARITY].weight = 1.0f;
    return SHELF_OK;
}

static int is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

shelf_status shelf__metadata_parse(shelf_model *model) {
    const uint8_t *text = (const uint8_t *)model->metadata;
    size_t size = model->metadata_size;
    if (!shelf__utf8_valid(text, size)) return SHELF_E_BAD_METADATA;
    /* cJSON would skip a byte order mark; the format allows exactly one spelling. */
    if (size >= 3 && text[0] == 0xEF && text[1] == 0xBB && text[2] == 0xBF) return SHELF_E_BAD_METADATA;

    /* A NUL-terminated private copy: even a parser that peeked one byte past the
     * length would then stay inside memory we own. Metadata is small. */
    char *copy = malloc(size + 1);
    if (!copy) return SHELF_E_OUT_OF_MEMORY;
    memcpy(copy, text, size);
    copy[size] = '\0';

    const char *end = NULL;
    /* cJSON answers NULL for an allocation failure and a syntax error alike: its
     * allocator, which notes a failure, tells them apart. (cJSON also records the
     * error position in a process-global variable, which nothing here reads.) */
    json_out_of_memory = 0;
    cJSON_InitHooks(&(cJSON_Hooks){json_malloc, free});
    cJSON *root = cJSON_ParseWithLengthOpts(copy, size, &end, 0);
    shelf_status status = !root && json_out_of_memory ? SHELF_E_OUT_OF_MEMORY : SHELF_E_BAD_METADATA;
    if (root) {
        while (end < copy + size && is_json_space(*end)) end++;
        if (end == copy + size) {
            shelf__blend blend;
            shelf__ranker *ranker = malloc(sizeof *ranker);
            const char *name = NULL;
            status = ranker ? read_root(root, model, &blend, ranker, &name) : SHELF_E_OUT_OF_MEMORY;
            if (status == SHELF_OK) {
                size_t name_size = strlen(name);
                char *owned = malloc(name_size + 1);
                if (!owned) {
                    status = SHELF_E_OUT_OF_MEMORY;
                } else {
                    memcpy(owned, name, name_size + 1);
                    model->name = owned;
                    model->blend = blend;
                    model->ranker = *ranker;
                }
            }
            free(ranker);
        }
        cJSON_Delete(root);
    }
    free(copy);
    return status;
}
