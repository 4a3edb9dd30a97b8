/* The trainer's pieces: each learns one scorer's parameters from sessions of items. */
#ifndef SHELF_TRAIN_INTERNAL_H
#define SHELF_TRAIN_INTERNAL_H

#include <stdint.h>

#include "session_internal.h"
#include "shelf_train.h"

/* Sessions as item sequences: session s is items[start[s] .. start[s+1]), oldest first. */
typedef struct shelf__item_sessions {
    uint32_t item_count;
    uint64_t count;
    const uint64_t *start;   /* count + 1 */
    const uint32_t *items;
    const uint8_t *types;    /* each event's shelf_event_type; NULL: every event is a view */
} shelf__item_sessions;

/* The prefix of the first q events of session s as `shelf eval` tracks it: the
 * newest SHELF_SESSION_CAPACITY of them, with their types, no times. Writes
 * events[] (room for SHELF_SESSION_CAPACITY) and returns how many. The blend
 * search and the ranker's training see their validation cases through it. */
static inline uint32_t shelf__prefix_events(const shelf__item_sessions *v, uint64_t s, uint64_t q,
                                            shelf__session_event *events) {
    const uint64_t from = q > SHELF_SESSION_CAPACITY ? q - SHELF_SESSION_CAPACITY : 0;
    for (uint64_t p = from; p < q; p++) {
        const uint64_t at = v->start[s] + p;
        events[p - from] = (shelf__session_event){.time_ms = 0, .item = v->items[at], .weight = 1,
                                                  .type = v->types ? v->types[at] : SHELF_EVENT_VIEW};
    }
    return (uint32_t)(q - from);
}

/* A float neighbour table in CSR form (rows = item_count), rows scaled so that
 * each row's largest weight is 1. Owned; free with shelf__table_free(). */
typedef struct shelf__table {
    uint32_t *row_start;
    uint32_t *items;
    float *weights;
} shelf__table;

void shelf__table_free(shelf__table *table);

/* Which neighbours a row keeps: at most `neighbours`, each weighing at least
 * min_weight times the row's largest (weaker ones carry little signal, and their
 * 8-bit codes would be coarse anyway). */
typedef struct shelf__row_limits {
    uint32_t neighbours;
    float min_weight;
} shelf__row_limits;

/* "Viewed together": for each item, its co-occurrences in the `recent_sessions` most
 * recent sessions that contain it, weighted by exp(-(distance-1)/distance_decay) and
 * by the session's recency rank exp(-rank/recency_decay), times idf(j)^idf_power. */
typedef struct shelf__covisit_options {
    shelf__row_limits limits;
    uint32_t recent_sessions;
    float distance_decay;
    float recency_decay;
    float idf_power;
} shelf__covisit_options;

shelf_status shelf__train_covisit(const shelf__item_sessions *sessions, const shelf__covisit_options *options,
                                  shelf__table *out);

/* "Viewed next": sequential rules, item j at distance d <= max_distance after item i
 * adds 1/d to (i, j). */
shelf_status shelf__train_sequential(const shelf__item_sessions *sessions, shelf__row_limits limits,
                                     uint32_t max_distance, shelf__table *out);

/* Popularity with recency: an occurrence in the session `age` sessions before the
 * newest counts exp(-age / (count / 4)); scaled so that the most popular item has 1. */
void shelf__train_popularity(const shelf__item_sessions *sessions, float *popularity);

/* Item embeddings trained to predict a session's next item from the decayed mean
 * of its items' unit vectors (train_embeddings.c); rows of unit length, *out is
 * item_count x dims, malloc'ed. */
#define SHELF__TRAIN_MAX_DIMS 1024u
typedef struct shelf__embedding_options {
    uint32_t dims;
    uint32_t epochs;
    uint32_t batch;          /* cases per update */
    uint32_t negatives;      /* items sampled per batch for the softmax */
    float scale;             /* logits are scale x cosine (an inverse temperature) */
    float position_decay;    /* a prefix item at age a weighs exp(-a / position_decay) */
    float learning_rate;
    uint64_t seed;
    shelf_progress_fn progress;
    void *progress_context;
} shelf__embedding_options;
shelf_status shelf__train_embeddings(const shelf__item_sessions *sessions, const shelf__embedding_options *options,
                                     float **out);

/* A deterministic random stream (splitmix64). */
static inline uint64_t shelf__random_next(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

#endif
