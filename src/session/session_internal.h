/* The session behind shelf_session: the newest events, oldest first, and the
 * scratch space that recommend() scores into. */
#ifndef SHELF_SESSION_INTERNAL_H
#define SHELF_SESSION_INTERNAL_H

#include <stdint.h>

#include "shelf.h"

typedef struct shelf__session_event {
    int64_t time_ms;   /* kept to the millisecond, so that save/restore round-trips exactly */
    uint32_t item;
    float weight;      /* the caller's factor (seconds for dwell) */
    uint8_t type;
} shelf__session_event;

struct shelf_session {
    const shelf_model *model;
    uint32_t count;
    shelf__session_event events[SHELF_SESSION_CAPACITY];
    uint32_t dropped;  /* events the last restore dropped: their items are not in the model */
    /* Scratch for recommend(), allocated at its first call: one score per item,
     * and the embedding scores. */
    float *scores;
    float *similarity;
};

#endif
