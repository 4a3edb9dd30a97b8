/* A catalog in JSON Lines: one object per item, read with cJSON.
 *
 *   {"id": "sku-1", "category": "shoes", "price": 59.9, "in_stock": true}
 *
 * Like the log readers, it changes nothing unless the whole file is good: items
 * and categories are interned while reading (and dropped by the rollback), and
 * attributes are written only at the end. A field that is absent or null leaves
 * the item's attribute as it was (from an earlier catalog or log). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "json_text.h"
#include "dataset_internal.h"
#include "diagnostic.h"
#include "line_reader.h"
#include "text_parse.h"
#include "shelf_common.h"

#define SET_CATEGORY 1u
#define SET_PRICE 2u
#define SET_STOCK 4u

typedef struct catalog_entry {
    uint32_t item;
    uint32_t category;
    float price;
    uint64_t line;
    uint8_t set;      /* SET_* bits: which attributes the line gave */
    uint8_t in_stock;
} catalog_entry;

/* Validates one object and interns what it names. SHELF_E_PARSE with `problem`. */
static shelf_status read_entry(shelf_dataset *d, const cJSON *root, catalog_entry *entry, char *problem,
                               size_t problem_size) {
    char id_number[32], category_number[32];
    const char *id, *category = NULL;
    memset(entry, 0, sizeof *entry);
    if (!cJSON_IsObject(root)) {
        snprintf(problem, problem_size, "expected a JSON object");
        return SHELF_E_PARSE;
    }
    const cJSON *member = cJSON_GetObjectItemCaseSensitive(root, "id");
    if (!member || cJSON_IsNull(member)) {
        snprintf(problem, problem_size, "missing \"id\"");
        return SHELF_E_PARSE;
    }
    if (!shelf__json_text(member, "id", id_number, sizeof id_number, &id, problem, problem_size))
        return SHELF_E_PARSE;
    if (!*id) {
        snprintf(problem, problem_size, "empty \"id\"");
        return SHELF_E_PARSE;
    }
    member = cJSON_GetObjectItemCaseSensitive(root, "category");
    if (member && !cJSON_IsNull(member)) {
        if (!shelf__json_text(member, "category", category_number, sizeof category_number, &category, problem,
                         problem_size))
            return SHELF_E_PARSE;
        /* "" says nothing, like an empty category field in a log. */
        if (*category) entry->set |= SET_CATEGORY;
    }
    member = cJSON_GetObjectItemCaseSensitive(root, "price");
    if (member && !cJSON_IsNull(member)) {
        /* A model cannot store a negative price. */
        if (!cJSON_IsNumber(member) || !(member->valuedouble >= 0)) {
            snprintf(problem, problem_size, "\"price\" must be a number >= 0");
            return SHELF_E_PARSE;
        }
        if (member->valuedouble > FLT_MAX) {
            snprintf(problem, problem_size, "\"price\" is out of range (at most %g)", (double)FLT_MAX);
            return SHELF_E_PARSE;
        }
        entry->price = (float)member->valuedouble;
        entry->set |= SET_PRICE;
    }
    member = cJSON_GetObjectItemCaseSensitive(root, "in_stock");
    if (member && !cJSON_IsNull(member)) {
        if (!cJSON_IsBool(member)) {
            snprintf(problem, problem_size, "\"in_stock\" must be true or false");
            return SHELF_E_PARSE;
        }
        entry->in_stock = cJSON_IsTrue(member) ? 1 : 0;
        entry->set |= SET_STOCK;
    }
    SHELF__TRY(shelf__dataset_intern_item(d, id, strlen(id), &entry->item));
    if (entry->set & SET_CATEGORY)
        SHELF__TRY(shelf__dataset_intern_category(d, category, strlen(category), &entry->category));
    return SHELF_OK;
}

static int blank(const char *s, size_t size) {
    for (size_t i = 0; i < size; i++)
        if (s[i] != ' ' && s[i] != '\t') return 0;
    return 1;
}

shelf_status shelf_dataset_read_catalog(shelf_dataset *dataset, const char *path,
                                        shelf_diagnostic *diagnostic) {
    if (!dataset || !path) {
        shelf__diag_set(diagnostic, path, 0, "the dataset and the path are required");
        return SHELF_E_NULL_ARGUMENT;
    }
    shelf__log_reader reader;
    shelf_status status = shelf__log_reader_open(&reader, path, NULL, NULL, diagnostic);
    if (status != SHELF_OK) return status;
    shelf__dataset_mark mark;
    shelf__dataset_mark_take(dataset, &mark);

    catalog_entry *entries = NULL;
    size_t count = 0, capacity = 0;
    char problem[200];
    char *line;
    size_t size;
    for (;;) {
        shelf__line_result r = shelf__log_next_line(&reader, &line, &size);
        if (r == SHELF__LINE_END) break;
        if (r == SHELF__LINE_FAIL) {
            status = reader.status;
            shelf__diag_set(diagnostic, path, 0, "%s", reader.error);
            break;
        }
        if (r == SHELF__LINE_BAD) {
            status = SHELF_E_PARSE;
            shelf__diag_set(diagnostic, path, reader.line, "%s", reader.bad_reason);
            break;
        }
        if (blank(line, size)) continue;
        if (count == capacity) {
            size_t grown_capacity = capacity ? capacity * 2 : 1024;
            catalog_entry *grown = realloc(entries, grown_capacity * sizeof *grown);
            if (!grown) {
                status = SHELF_E_OUT_OF_MEMORY;
                shelf__diag_set(diagnostic, path, reader.line, "out of memory");
                break;
            }
            entries = grown;
            capacity = grown_capacity;
        }
        /* size + 1 covers the NUL after the line, which is how cJSON checks that
         * nothing follows the object; parse_end then points at the error. */
        const char *parse_end = NULL;
        cJSON *root = cJSON_ParseWithLengthOpts(line, size + 1, &parse_end, 1);
        if (!root) {
            size_t column = parse_end && parse_end >= line ? (size_t)(parse_end - line) + 1 : 1;
            status = SHELF_E_PARSE;
            shelf__diag_set(diagnostic, path, reader.line, "malformed JSON near column %zu", column);
            break;
        }
        status = read_entry(dataset, root, &entries[count], problem, sizeof problem);
        entries[count].line = reader.line;
        cJSON_Delete(root);
        if (status != SHELF_OK) {
            if (status == SHELF_E_BAD_ARGUMENT) {
                status = SHELF_E_PARSE;
                snprintf(problem, sizeof problem, "too many distinct items or categories (the limit is 2^32 - 2)");
            } else if (status == SHELF_E_OUT_OF_MEMORY) {
                snprintf(problem, sizeof problem, "out of memory");
            }
            shelf__diag_set(diagnostic, path, reader.line, "%s", problem);
            break;
        }
        count++;
    }
    shelf__log_reader_close(&reader);
    /* An item given twice is a mistake in the file, not an update: say where. */
    uint64_t *first_line = status == SHELF_OK ? calloc(shelf__dataset_items(dataset) + 1, sizeof *first_line) : NULL;
    if (status == SHELF_OK && !first_line) {
        status = SHELF_E_OUT_OF_MEMORY;
        shelf__diag_set(diagnostic, path, 0, "out of memory");
    }
    for (size_t i = 0; first_line && i < count; i++) {
        const catalog_entry *e = &entries[i];
        if (first_line[e->item]) {
            char id[48];
            shelf__diag_quote(id, sizeof id, shelf__dataset_item_id(dataset, e->item), strlen(shelf__dataset_item_id(dataset, e->item)));
            status = SHELF_E_PARSE;
            shelf__diag_set(diagnostic, path, e->line, "id '%s' was given already, on line %llu", id,
                            (unsigned long long)first_line[e->item]);
            break;
        }
        first_line[e->item] = e->line;
    }
    free(first_line);
    if (status == SHELF_OK) {
        status = shelf__dataset_enable_catalog(dataset);
        if (status != SHELF_OK) shelf__diag_set(diagnostic, path, 0, "out of memory");
    }
    if (status != SHELF_OK) {
        free(entries);
        shelf__dataset_rollback(dataset, &mark);
        return status;
    }
    /* Each item once (checked above). */
    for (size_t i = 0; i < count; i++) {
        const catalog_entry *e = &entries[i];
        if (e->set & SET_CATEGORY) dataset->item_category[e->item] = e->category;
        if (e->set & SET_PRICE) dataset->item_price[e->item] = e->price;
        if (e->set & SET_STOCK)
            dataset->item_flags[e->item] = (uint8_t)(e->in_stock ? dataset->item_flags[e->item] | SHELF_ITEM_IN_STOCK
                                                                 : dataset->item_flags[e->item] & ~SHELF_ITEM_IN_STOCK);
    }
    free(entries);
    shelf__diag_set(diagnostic, path, 0, "%s", "");
    return SHELF_OK;
}
