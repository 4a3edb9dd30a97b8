/* The dataset behind shelf_dataset: interned items and sessions of events, and the
 * only way readers change it (mark, intern, reserve, roll back). */
#ifndef SHELF_DATASET_INTERNAL_H
#define SHELF_DATASET_INTERNAL_H

#include <stdint.h>

#include "shelf_train.h"
#include "string_table.h"

typedef struct shelf__event {
    double time;       /* seconds; for SHELF_LOG_SESSIONS the position in the line */
    uint32_t item;     /* index into item_ids */
    uint8_t type;      /* shelf_event_type */
} shelf__event;

struct shelf_dataset {
    /* Item ids, numbered in order of first appearance. */
    shelf__string_table items;

    /* Sessions in CSR form: session s holds events[session_start[s] .. session_start[s+1]),
     * oldest first. Sessions are ordered by their first event's time (line order for
     * SHELF_LOG_SESSIONS), so the last sessions are the most recent. session_start
     * has session_capacity + 1 entries, so session_start[session_count] always exists. */
    uint64_t session_count;
    uint64_t *session_start;
    shelf__event *events;
    uint64_t event_count;
    uint64_t session_capacity, event_capacity;

    /* Catalog attributes, one entry per item (has_catalog != 0 once a catalog or a
     * log with categories was read): category index or SHELF_NO_CATEGORY, price or NaN,
     * flags (SHELF_ITEM_IN_STOCK). The arrays hold attribute_capacity entries. */
    int has_catalog;
    shelf__string_table categories;
    uint32_t *item_category;
    float *item_price;
    uint8_t *item_flags;
    uint32_t attribute_capacity;
};

static inline uint32_t shelf__dataset_items(const shelf_dataset *d) { return d->items.count; }
static inline const char *shelf__dataset_item_id(const shelf_dataset *d, uint32_t item) {
    return shelf__string_table_get(&d->items, item);
}

/* ------------------------------------------------ building a dataset (internal) ---
 * The readers (log_read.c, catalog_read.c) change a dataset only through these, so
 * that a failed read can put it back exactly as it was: they take a mark first,
 * intern items and categories while parsing (new ones are appended, old ones never
 * move), reserve every array they will write before writing, and roll back to the
 * mark on any failure. Attributes of existing items are only written after every
 * reservation succeeded, so a rollback never has to restore them. */

typedef struct shelf__dataset_mark {
    uint32_t item_count;
    uint32_t category_count;
    uint64_t session_count;
    uint64_t event_count;
    int has_catalog;
} shelf__dataset_mark;

void shelf__dataset_mark_take(const shelf_dataset *dataset, shelf__dataset_mark *mark);
/* Drops every item, category, session and event added since the mark. */
void shelf__dataset_rollback(shelf_dataset *dataset, const shelf__dataset_mark *mark);

/* The index of an item id (`size` bytes, no NUL inside), adding it when new. A new
 * item gets default attributes when the dataset has a catalog. SHELF_E_OUT_OF_MEMORY,
 * or SHELF_E_BAD_ARGUMENT when the dataset already holds UINT32_MAX - 1 items. */
shelf_status shelf__dataset_intern_item(shelf_dataset *dataset, const char *id, size_t size,
                                        uint32_t *item);
/* SHELF_E_UNKNOWN_ITEM when absent. */
shelf_status shelf__dataset_find_item(const shelf_dataset *dataset, const char *id, size_t size,
                                      uint32_t *item);
/* The same for category names. */
shelf_status shelf__dataset_intern_category(shelf_dataset *dataset, const char *name, size_t size,
                                            uint32_t *category);

/* Makes room for `sessions` more sessions and `events` more events, so that the
 * caller can write events[event_count ..] and session_start[session_count + 1 ..]
 * before publishing them by raising the counts. */
shelf_status shelf__dataset_reserve(shelf_dataset *dataset, uint64_t sessions, uint64_t events);

/* Sets has_catalog, first giving every item its default attributes (no category,
 * NaN price, in stock) if it had none. */
shelf_status shelf__dataset_enable_catalog(shelf_dataset *dataset);

#endif
