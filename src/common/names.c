/* The names of the public enumerations that appear in files: event types (in logs
 * and model metadata) and scorers (in model metadata, the CLI and the JS package).
 * Each is written here once; they must never change, or saved files would no
 * longer read. */
#include "shelf_common.h"

const char *const shelf__event_type_names[SHELF_EVENT_TYPE_COUNT] = {
    [SHELF_EVENT_VIEW] = "view",
    [SHELF_EVENT_CLICK] = "click",
    [SHELF_EVENT_ADD_TO_CART] = "add_to_cart",
    [SHELF_EVENT_PURCHASE] = "purchase",
    [SHELF_EVENT_SEARCH] = "search",
    [SHELF_EVENT_DWELL] = "dwell",
};

/* The names analytics tools give the same events, so that a shop's own exports
 * and tags need no renaming: GA4's recommended e-commerce events and Segment's
 * e-commerce spec. (GA4's add_to_cart and purchase are Shelf's own names.) */
static const struct {
    const char *name;
    shelf_event_type type;
} event_aliases[] = {
    {"view_item", SHELF_EVENT_VIEW},           /* GA4 */
    {"select_item", SHELF_EVENT_CLICK},        /* GA4: chosen from a list */
    {"Product Viewed", SHELF_EVENT_VIEW},      /* Segment */
    {"Product Clicked", SHELF_EVENT_CLICK},    /* Segment */
    {"Product Added", SHELF_EVENT_ADD_TO_CART},/* Segment */
    {"Order Completed", SHELF_EVENT_PURCHASE}, /* Segment */
};

const char *const shelf__scorer_names[SHELF__SCORER_COUNT] = {
#define SHELF__SCORER_NAME(NAME, name) [SHELF__SCORER_##NAME] = name,
    SHELF_SCORER_LIST(SHELF__SCORER_NAME)
#undef SHELF__SCORER_NAME
};

const char *shelf_event_type_name(shelf_event_type type) {
    if ((unsigned)type >= SHELF_EVENT_TYPE_COUNT) return NULL;
    return shelf__event_type_names[type];
}

/* name_size counts bytes, so "view\0x" (an embedded NUL) is not "view". */
static int same_name(const char *known, const char *name, size_t name_size) {
    return strlen(known) == name_size && memcmp(known, name, name_size) == 0;
}

shelf_status shelf_event_type_from_name(const char *name, size_t name_size, shelf_event_type *type) {
    if (!name || !type) return SHELF_E_NULL_ARGUMENT;
    for (unsigned t = 0; t < SHELF_EVENT_TYPE_COUNT; t++) {
        if (same_name(shelf__event_type_names[t], name, name_size)) {
            *type = (shelf_event_type)t;
            return SHELF_OK;
        }
    }
    for (size_t a = 0; a < sizeof event_aliases / sizeof event_aliases[0]; a++) {
        if (same_name(event_aliases[a].name, name, name_size)) {
            *type = event_aliases[a].type;
            return SHELF_OK;
        }
    }
    return SHELF_E_BAD_EVENT;
}

const char *shelf_event_alias(uint32_t index, shelf_event_type *type) {
    if (index >= sizeof event_aliases / sizeof event_aliases[0]) return NULL;
    if (type) *type = event_aliases[index].type;
    return event_aliases[index].name;
}

const char *shelf_scorer_name(uint32_t scorer) {
    for (unsigned s = 0; s < SHELF__SCORER_COUNT; s++)
        if (scorer == 1u << s) return shelf__scorer_names[s];
    return NULL;
}

int shelf__name_index(const char *name, const char *const *names, int count) {
    for (int i = 0; i < count; i++)
        if (names[i] && strcmp(name, names[i]) == 0) return i;
    return -1;
}
