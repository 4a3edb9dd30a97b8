/* The WebAssembly-only glue: C's own constants and struct layouts, handed to the
 * JavaScript binding (web/src/binding.js) when the module loads.
 *
 * JavaScript has no headers. Rather than copying SHELF_* values and field offsets
 * into JS by hand, where they would silently drift when shelf.h changes, the binding
 * reads them from this table at load time: the compiler that laid out the structs
 * also writes down where it put every field. (SQLite's wasm build does the same.)
 *
 * Every entry is a name and a uint32 value:
 *   "SHELF_EXCLUDE_SEEN"         a constant of shelf.h
 *   "sizeof shelf_request"       a struct's size in bytes
 *   "shelf_request.k"            a field's byte offset
 * The binding rejects the module if a name it needs is missing. */
#include <stddef.h>
#include <stdint.h>

#include "shelf.h"

/* What the JS binding assumes of wasm32 and checks against the table below. */
_Static_assert(sizeof(void *) == 4 && sizeof(size_t) == 4, "wasm32: 32-bit pointers and sizes");
_Static_assert(sizeof(shelf_result) == 16, "a result is four 32-bit fields");
_Static_assert(offsetof(shelf_request, exclude_count) + 4 == sizeof(shelf_request), "exclude_count is the request's last field");

typedef struct shelf_wasm_constant {
    const char *name;
    uint32_t value;
} shelf_wasm_constant;

#define CONSTANT(name) {#name, (uint32_t)(name)}
#define SIZE(type) {"sizeof " #type, (uint32_t)sizeof(type)}
#define OFFSET(type, field) {#type "." #field, (uint32_t)offsetof(type, field)}

static const shelf_wasm_constant shelf_wasm_constants[] = {
    CONSTANT(SHELF_VERSION_NUMBER),
    CONSTANT(SHELF_FORMAT_VERSION),
#ifdef __wasm_simd128__
    {"SHELF_WASM_SIMD128", 1},
#else
    {"SHELF_WASM_SIMD128", 0},
#endif

    CONSTANT(SHELF_EVENT_TYPE_COUNT),
    CONSTANT(SHELF_REASON_COUNT),
    CONSTANT(SHELF_SESSION_CAPACITY),
    CONSTANT(SHELF_SESSION_STATE_MAX),
    CONSTANT(SHELF_NO_CATEGORY),
    CONSTANT(SHELF_NO_ITEM),
    CONSTANT(SHELF_ITEM_IN_STOCK),

    CONSTANT(SHELF_EXCLUDE_PURCHASED),
    CONSTANT(SHELF_EXCLUDE_IN_CART),
    CONSTANT(SHELF_EXCLUDE_SEEN),
    CONSTANT(SHELF_IN_STOCK_ONLY),
    CONSTANT(SHELF_BLEND_ONLY),

#define SCORER_CONSTANT(NAME, name) CONSTANT(SHELF_SCORER_##NAME),
    SHELF_SCORER_LIST(SCORER_CONSTANT)
#undef SCORER_CONSTANT
    CONSTANT(SHELF_SCORER_ALL),

    SIZE(shelf_request),
    OFFSET(shelf_request, k),
    OFFSET(shelf_request, flags),
    OFFSET(shelf_request, allow_categories),
    OFFSET(shelf_request, allow_count),
    OFFSET(shelf_request, deny_categories),
    OFFSET(shelf_request, deny_count),
    OFFSET(shelf_request, min_price),
    OFFSET(shelf_request, max_price),
    OFFSET(shelf_request, max_per_category),
    OFFSET(shelf_request, boost_categories),
    OFFSET(shelf_request, boost_factors),
    OFFSET(shelf_request, boost_count),
    OFFSET(shelf_request, scorers),
    OFFSET(shelf_request, exclude_items),
    OFFSET(shelf_request, exclude_count),

    SIZE(shelf_result),
    OFFSET(shelf_result, item),
    OFFSET(shelf_result, score),
    OFFSET(shelf_result, reason),
    OFFSET(shelf_result, reason_item),

    SIZE(shelf_section_info),
    OFFSET(shelf_section_info, name),
    OFFSET(shelf_section_info, encoding),
    OFFSET(shelf_section_info, offset),
    OFFSET(shelf_section_info, length),
    OFFSET(shelf_section_info, checksum),
};

uint32_t shelf_wasm_constant_count(void) {
    return (uint32_t)(sizeof shelf_wasm_constants / sizeof shelf_wasm_constants[0]);
}

/* NULL past the end. */
const char *shelf_wasm_constant_name(uint32_t index) {
    return index < shelf_wasm_constant_count() ? shelf_wasm_constants[index].name : NULL;
}

uint32_t shelf_wasm_constant_value(uint32_t index) {
    return index < shelf_wasm_constant_count() ? shelf_wasm_constants[index].value : 0;
}
