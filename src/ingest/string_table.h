/* Strings numbered in order of first appearance, found again by a hash table: item
 * ids, category names, a log's session keys, an ids file's lines. The native side's
 * one string table (the model file has its own index, in the format's layout).
 *
 * The strings live one after another in one growing byte array, NUL-terminated:
 * a pointer from shelf__string_table_get() is valid until the next intern. */
#ifndef SHELF_STRING_TABLE_H
#define SHELF_STRING_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "shelf.h"

/* UINT32_MAX means "none" elsewhere (SHELF_NO_ITEM, SHELF_NO_CATEGORY), so the
 * last index a table gives is UINT32_MAX - 2. */
#define SHELF__STRING_TABLE_MAX (UINT32_MAX - 1u)

typedef struct shelf__string_table {
    uint32_t count;
    char *bytes;             /* the strings, each followed by a NUL */
    size_t used, capacity;
    size_t *offsets;         /* where string i starts in bytes */
    uint32_t offset_capacity;
    uint32_t *slots;         /* open addressing, linear probing: a string index or UINT32_MAX */
    uint32_t slot_capacity;  /* a power of two, more than twice count */
} shelf__string_table;

/* A zeroed struct is an empty table. */
void shelf__string_table_free(shelf__string_table *table);

/* The index of s[0..size) (no NUL inside), or SHELF_E_UNKNOWN_ITEM. */
shelf_status shelf__string_table_find(const shelf__string_table *table, const char *s, size_t size,
                                      uint32_t *index);

/* The index of s[0..size), appended when new (*added, if not NULL, says which).
 * SHELF_E_OUT_OF_MEMORY, or SHELF_E_BAD_ARGUMENT when the table is full; the table
 * is then unchanged. */
shelf_status shelf__string_table_intern(shelf__string_table *table, const char *s, size_t size,
                                        uint32_t *index, int *added);

static inline const char *shelf__string_table_get(const shelf__string_table *table, uint32_t index) {
    return table->bytes + table->offsets[index];
}

/* Drops the strings from `count` on. Never allocates, so a rollback cannot fail. */
void shelf__string_table_truncate(shelf__string_table *table, uint32_t count);

#endif
