/* The dataset: interned items and categories, sessions of events in CSR form,
 * and the mark/rollback that lets every reader fail without leaving a trace. */
#include <math.h>
#include <stdlib.h>

#include "dataset_internal.h"
#include "shelf_common.h"

#define EMPTY_SLOT UINT32_MAX
/* UINT32_MAX means "no item" and "no category" elsewhere, so it is never an index. */
#define MAX_STRINGS (UINT32_MAX - 1u)

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
    for (uint32_t i = 0; i < dataset->item_count; i++) free(dataset->item_ids[i]);
    for (uint32_t i = 0; i < dataset->category_count; i++) free(dataset->category_names[i]);
    free(dataset->item_ids);
    free(dataset->item_hash_slots);
    free(dataset->session_start);
    free(dataset->events);
    free(dataset->category_names);
    free(dataset->category_hash_slots);
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
    return dataset ? dataset->item_count : 0;
}

/* ------------------------------------------------------------ string tables ---
 * Items and categories are both "strings numbered in order of first appearance,
 * found by an open-addressing table of indices"; one set of functions serves both. */

typedef struct string_table {
    uint32_t *count;
    uint32_t *capacity;
    char ***strings;
    uint32_t **slots;
    uint32_t *slot_capacity;
} string_table;

static string_table item_table(shelf_dataset *d) {
    string_table t = {&d->item_count, &d->item_capacity, &d->item_ids, &d->item_hash_slots,
                      &d->item_hash_capacity};
    return t;
}

static string_table category_table(shelf_dataset *d) {
    string_table t = {&d->category_count, &d->category_capacity, &d->category_names,
                      &d->category_hash_slots, &d->category_hash_capacity};
    return t;
}

static uint32_t string_hash(const char *s, size_t size) {
    /* FNV-1a's low bits are weak for ids that differ only in their last digits;
     * the murmur3 finalizer spreads them before the mask picks the low bits. */
    uint32_t h = shelf__fnv1a32(s, size);
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static int string_equals(const char *stored, const char *s, size_t size) {
    /* strncmp, not memcmp: `stored` may be shorter than `size` bytes. */
    return strncmp(stored, s, size) == 0 && stored[size] == '\0';
}

/* The slot holding `s`, or the empty slot where it would go. */
static uint32_t *string_slot(uint32_t *slots, uint32_t slot_capacity, char *const *strings,
                             const char *s, size_t size) {
    uint32_t mask = slot_capacity - 1;
    uint32_t i = string_hash(s, size) & mask;
    for (;;) {
        uint32_t index = slots[i];
        if (index == EMPTY_SLOT || string_equals(strings[index], s, size)) return &slots[i];
        i = (i + 1) & mask;
    }
}

static void string_table_reindex(uint32_t *slots, uint32_t slot_capacity, char *const *strings,
                                 uint32_t count) {
    for (uint32_t i = 0; i < slot_capacity; i++) slots[i] = EMPTY_SLOT;
    for (uint32_t i = 0; i < count; i++)
        *string_slot(slots, slot_capacity, strings, strings[i], strlen(strings[i])) = i;
}

static shelf_status string_table_find(const string_table *t, const char *s, size_t size,
                                      uint32_t *index) {
    if (*t->slot_capacity == 0) return SHELF_E_UNKNOWN_ITEM;
    uint32_t slot = *string_slot(*t->slots, *t->slot_capacity, *t->strings, s, size);
    if (slot == EMPTY_SLOT) return SHELF_E_UNKNOWN_ITEM;
    *index = slot;
    return SHELF_OK;
}

/* Resizes `*array` to `new_count` elements of `element_size` bytes; on failure the
 * array is untouched. */
static shelf_status grow_array(void **array, size_t element_size, uint64_t new_count) {
    if (new_count > SIZE_MAX / element_size) return SHELF_E_OUT_OF_MEMORY;
    void *p = realloc(*array, (size_t)new_count * element_size);
    if (!p) return SHELF_E_OUT_OF_MEMORY;
    *array = p;
    return SHELF_OK;
}

/* The attribute arrays follow item_capacity whenever has_catalog is set. */
static shelf_status grow_item_attributes(shelf_dataset *d, uint32_t capacity) {
    SHELF__TRY(grow_array((void **)&d->item_category, sizeof *d->item_category, capacity));
    SHELF__TRY(grow_array((void **)&d->item_price, sizeof *d->item_price, capacity));
    SHELF__TRY(grow_array((void **)&d->item_flags, sizeof *d->item_flags, capacity));
    return SHELF_OK;
}

static void set_default_attributes(shelf_dataset *d, uint32_t item) {
    d->item_category[item] = SHELF_NO_CATEGORY;
    d->item_price[item] = NAN;
    d->item_flags[item] = SHELF_ITEM_IN_STOCK;
}

/* Appends `s` when absent. `with_attributes` keeps the item attribute arrays as long
 * as the item arrays. */
static shelf_status string_table_intern(shelf_dataset *d, const string_table *t, const char *s,
                                        size_t size, int with_attributes, uint32_t *index) {
    if (string_table_find(t, s, size, index) == SHELF_OK) return SHELF_OK;
    uint32_t count = *t->count;
    if (count >= MAX_STRINGS) return SHELF_E_BAD_ARGUMENT;
    if (count == *t->capacity) {
        uint32_t capacity = count < 16 ? 16 : count > MAX_STRINGS / 2 ? MAX_STRINGS : count * 2;
        SHELF__TRY(grow_array((void **)t->strings, sizeof **t->strings, capacity));
        if (with_attributes) SHELF__TRY(grow_item_attributes(d, capacity));
        /* Only now, with every array grown, is the capacity true for all of them. */
        *t->capacity = capacity;
    }
    /* Load factor at most 1/2 keeps linear probing short. */
    if ((uint64_t)(count + 1) * 2 > *t->slot_capacity) {
        uint64_t slot_capacity = *t->slot_capacity ? (uint64_t)*t->slot_capacity * 2 : 64;
        if (slot_capacity > (uint64_t)1 << 31) return SHELF_E_OUT_OF_MEMORY;
        uint32_t *slots = malloc((size_t)slot_capacity * sizeof *slots);
        if (!slots) return SHELF_E_OUT_OF_MEMORY;
        string_table_reindex(slots, (uint32_t)slot_capacity, *t->strings, count);
        free(*t->slots);
        *t->slots = slots;
        *t->slot_capacity = (uint32_t)slot_capacity;
    }
    char *copy = malloc(size + 1);
    if (!copy) return SHELF_E_OUT_OF_MEMORY;
    memcpy(copy, s, size);
    copy[size] = '\0';
    (*t->strings)[count] = copy;
    *string_slot(*t->slots, *t->slot_capacity, *t->strings, s, size) = count;
    *t->count = count + 1;
    *index = count;
    return SHELF_OK;
}

/* Drops the strings from `count` on; never allocates, so a rollback cannot fail. */
static void string_table_truncate(const string_table *t, uint32_t count) {
    if (*t->count <= count) return;
    for (uint32_t i = count; i < *t->count; i++) free((*t->strings)[i]);
    *t->count = count;
    string_table_reindex(*t->slots, *t->slot_capacity, *t->strings, count);
}

shelf_status shelf__dataset_intern_item(shelf_dataset *dataset, const char *id, size_t size,
                                        uint32_t *item) {
    string_table t = item_table(dataset);
    uint32_t before = dataset->item_count;
    SHELF__TRY(string_table_intern(dataset, &t, id, size, dataset->has_catalog, item));
    if (dataset->has_catalog && dataset->item_count != before) set_default_attributes(dataset, *item);
    return SHELF_OK;
}

shelf_status shelf__dataset_find_item(const shelf_dataset *dataset, const char *id, size_t size,
                                      uint32_t *item) {
    /* The table is only read here; item_table() takes a non-const dataset. */
    string_table t = item_table((shelf_dataset *)dataset);
    return string_table_find(&t, id, size, item);
}

shelf_status shelf__dataset_intern_category(shelf_dataset *dataset, const char *name, size_t size,
                                            uint32_t *category) {
    string_table t = category_table(dataset);
    return string_table_intern(dataset, &t, name, size, 0, category);
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
    /* Arrays left from a catalog that was rolled back may be shorter than the items
     * interned since, so they are always regrown here. */
    SHELF__TRY(grow_item_attributes(dataset, dataset->item_capacity ? dataset->item_capacity : 1));
    for (uint32_t i = 0; i < dataset->item_count; i++) set_default_attributes(dataset, i);
    dataset->has_catalog = 1;
    return SHELF_OK;
}

/* ------------------------------------------------------------------ rollback --- */

void shelf__dataset_mark_take(const shelf_dataset *dataset, shelf__dataset_mark *mark) {
    mark->item_count = dataset->item_count;
    mark->category_count = dataset->category_count;
    mark->session_count = dataset->session_count;
    mark->event_count = dataset->event_count;
    mark->has_catalog = dataset->has_catalog;
}

void shelf__dataset_rollback(shelf_dataset *dataset, const shelf__dataset_mark *mark) {
    string_table items = item_table(dataset);
    string_table categories = category_table(dataset);
    string_table_truncate(&items, mark->item_count);
    string_table_truncate(&categories, mark->category_count);
    /* Events and session starts past the counts are dead space, reused by the next read. */
    dataset->session_count = mark->session_count;
    dataset->event_count = mark->event_count;
    dataset->has_catalog = mark->has_catalog;
}
