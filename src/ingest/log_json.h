/* GA4 and Segment exports, one JSON object per line (log_json.c): each line's
 * events, for log_read.c to append as it appends the rows of the other formats. */
#ifndef SHELF_LOG_JSON_H
#define SHELF_LOG_JSON_H

#include <stddef.h>

#include "shelf_train.h"

/* One event of a line; the strings point into the parsed line, valid during the call. */
typedef struct shelf__json_event {
    const char *key;        /* the user (and, for GA4, its GA session): sessions split at the gap */
    size_t key_size;
    const char *item;
    size_t item_size;
    const char *category;   /* NULL: none given */
    size_t category_size;
    double price;           /* NaN: none given */
    double time;            /* unix seconds */
    int type;               /* a shelf_event_type */
} shelf__json_event;

typedef shelf_status (*shelf__json_event_fn)(void *context, const shelf__json_event *event);

/* Gives each event of one line of `format` (SHELF_LOG_GA4 or SHELF_LOG_SEGMENT) to
 * `emit`: none for an event Shelf does not learn from; for a bad line, none and
 * SHELF_E_PARSE with `message`. Otherwise what `emit` returns. */
shelf_status shelf__json_line_events(shelf_log_format format, const char *line, size_t size,
                                     shelf__json_event_fn emit, void *context, char *message, size_t message_size);

#endif
