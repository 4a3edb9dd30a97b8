/* The dataset behind shelf_dataset: interned items and sessions of events. */
#ifndef SHELF_DATASET_INTERNAL_H
#define SHELF_DATASET_INTERNAL_H

#include <stdint.h>

#include "shelf_train.h"

typedef struct shelf__event {
    double time;       /* seconds; for SHELF_LOG_SESSIONS the position in the line */
    uint32_t item;     /* index into item_ids */
    uint8_t type;      /* shelf_event_type */
} shelf__event;

struct shelf_dataset {
    /* Items, numbered in order of first appearance. */
    uint32_t item_count;
    uint32_t item_capacity;
    char **item_ids;             /* NUL-terminated, owned */
    uint32_t *item_hash_slots;   /* open addressing over item_ids (internal to dataset.c) */
    uint32_t item_hash_capacity;

    /* Sessions in CSR form: session s holds events[session_start[s] .. session_start[s+1]),
     * oldest first. Sessions are ordered by their first event's time (line order for
     * SHELF_LOG_SESSIONS), so the last sessions are the most recent. */
    uint64_t session_count;
    uint64_t *session_start;     /* session_count + 1 */
    shelf__event *events;
    uint64_t event_count;
    uint64_t session_capacity, event_capacity;

    /* Catalog attributes, one entry per item (has_catalog != 0 once a catalog or a
     * log with categories was read): category index or SHELF_NO_CATEGORY, price or NaN,
     * flags (SHELF_ITEM_IN_STOCK). */
    int has_catalog;
    uint32_t category_count;
    char **category_names;       /* owned */
    uint32_t *item_category;
    float *item_price;
    uint8_t *item_flags;
};

#endif
