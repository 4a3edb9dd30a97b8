#include "shelf_common.h"

/* Indexed by shelf_event_type; these names are also the event names of the log
 * readers and of the model metadata, so they must never change. */
static const char *const event_type_names[SHELF_EVENT_TYPE_COUNT] = {
    "view", "click", "add_to_cart", "purchase", "search", "dwell",
};

const char *shelf_event_type_name(shelf_event_type type) {
    if ((unsigned)type >= SHELF_EVENT_TYPE_COUNT) return NULL;
    return event_type_names[type];
}

shelf_status shelf_event_type_from_name(const char *name, size_t name_size, shelf_event_type *type) {
    if (!name || !type) return SHELF_E_NULL_ARGUMENT;
    for (unsigned t = 0; t < SHELF_EVENT_TYPE_COUNT; t++) {
        /* name_size counts bytes, so "view\0x" (an embedded NUL) is not "view". */
        if (strlen(event_type_names[t]) == name_size && memcmp(event_type_names[t], name, name_size) == 0) {
            *type = (shelf_event_type)t;
            return SHELF_OK;
        }
    }
    return SHELF_E_BAD_EVENT;
}
