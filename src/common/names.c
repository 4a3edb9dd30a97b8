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

const char *const shelf__scorer_names[SHELF__SCORER_COUNT] = {
#define SHELF__SCORER_NAME(NAME, name) [SHELF__SCORER_##NAME] = name,
    SHELF_SCORER_LIST(SHELF__SCORER_NAME)
#undef SHELF__SCORER_NAME
};

const char *shelf_event_type_name(shelf_event_type type) {
    if ((unsigned)type >= SHELF_EVENT_TYPE_COUNT) return NULL;
    return shelf__event_type_names[type];
}

shelf_status shelf_event_type_from_name(const char *name, size_t name_size, shelf_event_type *type) {
    if (!name || !type) return SHELF_E_NULL_ARGUMENT;
    for (unsigned t = 0; t < SHELF_EVENT_TYPE_COUNT; t++) {
        /* name_size counts bytes, so "view\0x" (an embedded NUL) is not "view". */
        const char *known = shelf__event_type_names[t];
        if (strlen(known) == name_size && memcmp(known, name, name_size) == 0) {
            *type = (shelf_event_type)t;
            return SHELF_OK;
        }
    }
    return SHELF_E_BAD_EVENT;
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
