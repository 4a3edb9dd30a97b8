/* Rows of a log into sessions: the rows of each key (a session id, or a user whose
 * events a long pause splits) in time order, and the sessions in the order of
 * their first events. Plain computation on arrays; log_read.c appends the result
 * to the dataset. */
#ifndef SHELF_SESSION_BUILD_H
#define SHELF_SESSION_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "dataset_internal.h"

/* Session s is rows[spans[s].begin .. spans[s].end). */
typedef struct shelf__session_span {
    double first_time;   /* the time of the session's first event */
    uint32_t first_row;  /* its earliest row in the file: breaks ties in time */
    uint32_t begin, end;
} shelf__session_span;

typedef struct shelf__sessions {
    uint32_t *rows;               /* every row once, grouped by session */
    shelf__session_span *spans;
    size_t count;
} shelf__sessions;

/* Groups rows 0..row_count-1 (events[r], keys[r] < key_count) by key, orders each
 * group by time (stable: file order among equal times), cuts a user's group where
 * two events are more than `gap` seconds apart (when split_by_gap), and orders the
 * sessions by first time, then first row. SHELF_E_OUT_OF_MEMORY only. */
shelf_status shelf__sessions_from_rows(const shelf__event *events, const uint32_t *keys, size_t row_count,
                                       uint32_t key_count, int split_by_gap, double gap, shelf__sessions *out);
void shelf__sessions_free(shelf__sessions *sessions);

#endif
