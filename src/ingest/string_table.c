#include <stdlib.h>
#include <string.h>

#include "shelf_common.h"
#include "string_table.h"

#define EMPTY_SLOT UINT32_MAX

void shelf__string_table_free(shelf__string_table *t) {
    free(t->bytes);
    free(t->offsets);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

/* The slot holding s, or the empty slot where it would go. */
static uint32_t *slot_of(const shelf__string_table *t, const char *s, size_t size) {
    const uint32_t mask = t->slot_capacity - 1;
    for (uint32_t i = shelf__hash32(s, size) & mask;; i = (i + 1) & mask) {
        uint32_t index = t->slots[i];
        if (index == EMPTY_SLOT) return &t->slots[i];
        const char *stored = shelf__string_table_get(t, index);
        /* strncmp, not memcmp: the stored string may be shorter than `size`. */
        if (strncmp(stored, s, size) == 0 && stored[size] == '\0') return &t->slots[i];
    }
}

static void reindex(shelf__string_table *t) {
    for (uint32_t i = 0; i < t->slot_capacity; i++) t->slots[i] = EMPTY_SLOT;
    for (uint32_t i = 0; i < t->count; i++) {
        const char *s = shelf__string_table_get(t, i);
        *slot_of(t, s, strlen(s)) = i;
    }
}

shelf_status shelf__string_table_find(const shelf__string_table *t, const char *s, size_t size, uint32_t *index) {
    if (t->slot_capacity == 0) return SHELF_E_UNKNOWN_ITEM;
    uint32_t found = *slot_of(t, s, size);
    if (found == EMPTY_SLOT) return SHELF_E_UNKNOWN_ITEM;
    *index = found;
    return SHELF_OK;
}

shelf_status shelf__string_table_intern(shelf__string_table *t, const char *s, size_t size, uint32_t *index,
                                        int *added) {
    if (added) *added = 0;
    if (shelf__string_table_find(t, s, size, index) == SHELF_OK) return SHELF_OK;
    if (t->count >= SHELF__STRING_TABLE_MAX) return SHELF_E_BAD_ARGUMENT;
    /* Every array is grown before anything is written, so a failure changes nothing. */
    if (t->count == t->offset_capacity) {
        uint32_t capacity = t->offset_capacity < 1024 ? 1024
                          : t->offset_capacity > SHELF__STRING_TABLE_MAX / 2 ? SHELF__STRING_TABLE_MAX
                          : t->offset_capacity * 2;
        size_t *offsets = realloc(t->offsets, (size_t)capacity * sizeof *offsets);
        if (!offsets) return SHELF_E_OUT_OF_MEMORY;
        t->offsets = offsets;
        t->offset_capacity = capacity;
    }
    if (size + 1 > t->capacity - t->used) {
        size_t capacity = t->capacity ? t->capacity : 65536;
        while (capacity - t->used < size + 1) {
            if (capacity > SIZE_MAX / 2) return SHELF_E_OUT_OF_MEMORY;
            capacity *= 2;
        }
        char *bytes = realloc(t->bytes, capacity);
        if (!bytes) return SHELF_E_OUT_OF_MEMORY;
        t->bytes = bytes;
        t->capacity = capacity;
    }
    /* Load factor at most 1/2 keeps linear probing short. */
    if ((uint64_t)(t->count + 1) * 2 > t->slot_capacity) {
        uint64_t capacity = t->slot_capacity ? (uint64_t)t->slot_capacity * 2 : 64;
        if (capacity > (uint64_t)1 << 31) return SHELF_E_OUT_OF_MEMORY;
        uint32_t *slots = malloc((size_t)capacity * sizeof *slots);
        if (!slots) return SHELF_E_OUT_OF_MEMORY;
        free(t->slots);
        t->slots = slots;
        t->slot_capacity = (uint32_t)capacity;
        reindex(t);
    }
    memcpy(t->bytes + t->used, s, size);
    t->bytes[t->used + size] = '\0';
    t->offsets[t->count] = t->used;
    t->used += size + 1;
    *slot_of(t, s, size) = t->count;
    *index = t->count++;
    if (added) *added = 1;
    return SHELF_OK;
}

void shelf__string_table_truncate(shelf__string_table *t, uint32_t count) {
    if (t->count <= count) return;
    t->used = t->offsets[count];
    t->count = count;
    reindex(t);
}
