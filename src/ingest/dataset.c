/* The dataset: interned items and categories, sessions of events in CSR form,
 * and the mark/rollback that lets every reader fail without leaving a trace. */
#include <math.h>
#include <stdlib.h>

#include "dataset_internal.h"
#include "shelf_common.h"

shelf_status shelf_dataset_create(shelf_dataset **dataset) {
    if (!dataset) return SHELF_E_NULL_ARGUMENT;
    shelf_dataset *d = calloc(1, sizeof *d);
    if (!d) return SHELF_E_OUT_OF_MEMORY;
    /* session_start[session_count] must exist even when there is no session, so
     * that a consumer can take session_start[s + 1] without a special case. */
    d->session_start = calloc(1, sizeof *d->session_start);
    if (!d->session_start) {
        free(d);
        return SHELF_E_OUT_OF_MEMORY;
    }
    *dataset = d;
    return SHELF_OK;
}

void shelf_dataset_free(shelf_dataset *dataset) {
    if (!dataset) return;
    shelf__string_table_free(&dataset->items);
    shelf__string_table_free(&dataset->categories);
    free(dataset->session_start);
    free(dataset->events);
    free(dataset->item_category);
    free(dataset->item_price);
    free(dataset->item_flags);
    free(dataset);
}

uint64_t shelf_dataset_session_count(const shelf_dataset *dataset) {
    return dataset ? dataset->session_count : 0;
}

uint64_t shelf_dataset_event_count(const shelf_dataset *dataset) {
    return dataset ? dataset->event_count : 0;
}

uint32_t shelf_dataset_item_count(const shelf_dataset *dataset) {
    return dataset ? dataset->items.count : 0;
}

/* ----------------------------------------------------- items and categories --- */

/* Resizes `*array` to `new_count` elements of `element_size` bytes; on failure the
 * array is untouched. */
static shelf_status grow_array(void **array, size_t element_size, uint64_t new_count) {
    if (new_count > SIZE_MAX / element_size) return SHELF_E_OUT_OF_MEMORY;
    void *p = realloc(*array, (size_t)new_count * element_size);
    if (!p) return SHELF_E_OUT_OF_MEMORY;
    *array = p;
    return SHELF_OK;
}

/* Room for the attributes of `items` items. */
static shelf_status reserve_attributes(shelf_dataset *d, uint64_t items) {
    if (items <= d->attribute_capacity) return SHELF_OK;
    uint64_t capacity = (uint64_t)d->attribute_capacity * 2;
    if (capacity < items) capacity = items;
    if (capacity < 16) capacity = 16;
    if (capacity > UINT32_MAX) capacity = UINT32_MAX;
    SHELF__TRY(grow_array((void **)&d->item_category, sizeof *d->item_category, capacity));
    SHELF__TRY(grow_array((void **)&d->item_price, sizeof *d->item_price, capacity));
    SHELF__TRY(grow_array((void **)&d->item_flags, sizeof *d->item_flags, capacity));
    /* Only now, with every array grown, is the capacity true for all of them. */
    d->attribute_capacity = (uint32_t)capacity;
    return SHELF_OK;
}

static void set_default_attributes(shelf_dataset *d, uint32_t item) {
    d->item_category[item] = SHELF_NO_CATEGORY;
    d->item_price[item] = NAN;
    d->item_flags[item] = SHELF_ITEM_IN_STOCK;
}

shelf_status shelf__dataset_intern_item(shelf_dataset *dataset, const char *id, size_t size,
                                        uint32_t *item) {
    if (shelf__string_table_find(&dataset->items, id, size, item) == SHELF_OK) return SHELF_OK;
    /* A new item: its attributes have room before it exists. */
    if (dataset->has_catalog) SHELF__TRY(reserve_attributes(dataset, (uint64_t)dataset->items.count + 1));
    SHELF__TRY(shelf__string_table_intern(&dataset->items, id, size, item, NULL));
    if (dataset->has_catalog) set_default_attributes(dataset, *item);
    return SHELF_OK;
}

shelf_status shelf__dataset_find_item(const shelf_dataset *dataset, const char *id, size_t size,
                                      uint32_t *item) {
    return shelf__string_table_find(&dataset->items, id, size, item);
}

shelf_status shelf__dataset_intern_category(shelf_dataset *dataset, const char *name, size_t size,
                                            uint32_t *category) {
    return shelf__string_table_intern(&dataset->categories, name, size, category, NULL);
}

/* ------------------------------------------------------- sessions and events --- */

shelf_status shelf__dataset_reserve(shelf_dataset *dataset, uint64_t sessions, uint64_t events) {
    shelf_dataset *d = dataset;
    if (sessions > UINT64_MAX / 2 - d->session_count || events > UINT64_MAX / 2 - d->event_count)
        return SHELF_E_OUT_OF_MEMORY;
    uint64_t need_events = d->event_count + events;
    if (need_events > d->event_capacity) {
        /* Growth by half again keeps appends amortized O(1) and wastes at most a third. */
        uint64_t capacity = d->event_capacity + d->event_capacity / 2;
        if (capacity < need_events) capacity = need_events;
        if (capacity < 1024) capacity = 1024;
        SHELF__TRY(grow_array((void **)&d->events, sizeof *d->events, capacity));
        d->event_capacity = capacity;
    }
    uint64_t need_sessions = d->session_count + sessions;
    if (need_sessions > d->session_capacity) {
        uint64_t capacity = d->session_capacity + d->session_capacity / 2;
        if (capacity < need_sessions) capacity = need_sessions;
        if (capacity < 256) capacity = 256;
        SHELF__TRY(grow_array((void **)&d->session_start, sizeof *d->session_start, capacity + 1));
        d->session_capacity = capacity;
    }
    return SHELF_OK;
}

shelf_status shelf__dataset_enable_catalog(shelf_dataset *dataset) {
    if (dataset->has_catalog) return SHELF_OK;
    SHELF__TRY(reserve_attributes(dataset, dataset->items.count));
    for (uint32_t i = 0; i < dataset->items.count; i++) set_default_attributes(dataset, i);
    dataset->has_catalog = 1;
    return SHELF_OK;
}

/* ------------------------------------------------------------------ rollback --- */

void shelf__dataset_mark_take(const shelf_dataset *dataset, shelf__dataset_mark *mark) {
    mark->item_count = dataset->items.count;
    mark->category_count = dataset->categories.count;
    mark->session_count = dataset->session_count;
    mark->event_count = dataset->event_count;
    mark->has_catalog = dataset->has_catalog;
}

void shelf__dataset_rollback(shelf_dataset *dataset, const shelf__dataset_mark *mark) {
    shelf__string_table_truncate(&dataset->items, mark->item_count);
    shelf__string_table_truncate(&dataset->categories, mark->category_count);
    /* Events and session starts past the counts are dead space, reused by the next read. */
    dataset->session_count = mark->session_count;
    dataset->event_count = mark->event_count;
    dataset->has_catalog = mark->has_catalog;
}
